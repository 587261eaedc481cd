/*
 * pipes-io.c - reading and writing a named pipe's end (pipes.c makes
 * them): ReadFile / WriteFile, PeekNamedPipe, FlushFileBuffers.
 *
 * A byte pipe (SOCK_STREAM) does overlapped I/O through cport like a
 * socket; its OVERLAPPED's tag says it is a pipe's read or write, so
 * whoever takes the result turns the end of the stream into
 * ERROR_BROKEN_PIPE and a gone reader into ERROR_NO_DATA; without an OVERLAPPED (or on a handle opened without
 * FILE_FLAG_OVERLAPPED) the call does it, blocking. A message pipe
 * (SOCK_SEQPACKET) does its I/O in the call, or, overlapped, as an op the
 * layer runs (layer-ops.c, which cport has none for): a message longer
 * than the read's buffer is taken whole, the rest kept by pipes.c for the
 * next read, and in message read mode the read reports ERROR_MORE_DATA.
 */
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>

#include "win32.h"

/* Whether the other end has gone (nothing more will come). */
static bool peer_gone(int fd) {
  struct pollfd p = {fd, POLLIN | POLLRDHUP, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR));
}

/* A message pipe's next message, not taken: its length (or -1, errno
 * set), and whether there is one at all. A message of 0 bytes and the
 * end of the stream both read as 0 bytes; but each of a message pipe's
 * ends passes credentials (SO_PASSCRED, w32_pipe_message_socket), so a
 * message comes with a control message and the end does not. */
static ssize_t next_message(int fd, bool *there) {
  union {
    struct cmsghdr h;
    char b[CMSG_SPACE(4 * sizeof(int))];
  } ctl;
  struct msghdr m;
  memset(&m, 0, sizeof(m));
  m.msg_control = &ctl;
  m.msg_controllen = sizeof(ctl);
  ssize_t n = recvmsg(fd, &m, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
  *there = n > 0 || (n == 0 && m.msg_controllen > 0);
  return n;
}

CPORT_API BOOL PeekNamedPipe(HANDLE h, LPVOID buf, DWORD size, LPDWORD read,
                             LPDWORD avail, LPDWORD left) {
  int fd = w32_fd(h);
  struct w32_pipe_info e;
  if (fd < 0 || !w32_pipe_info_of(fd, &e))
    return w32_fail(ERROR_INVALID_HANDLE);
  if (e.state_error != 0) /* (a server end with no client: no pipe yet) */
    return w32_fail(e.server ? ERROR_BAD_PIPE : e.state_error);
  size_t copied = 0;
  size_t held = w32_pipe_rest_peek(fd, buf, size, &copied);
  /* A byte pipe: what cport already took from the socket (io_uring's
   * buffers, after overlapped reads) comes before what the kernel holds. */
  size_t taken = 0;
  if (!e.message) {
    struct iovec v = {buf != NULL ? (char *)buf + copied : NULL,
                      buf != NULL ? size - copied : 0};
    long r = cport__held_recv(fd, &v, v.iov_len > 0 ? 1 : 0, true, &taken);
    if (r > 0)
      copied += (size_t)r;
  }
  int queued = 0;
  if (ioctl(fd, FIONREAD, &queued) != 0)
    queued = 0;
  ssize_t next = 0; /* a message pipe: the next message's length */
  bool message_there = false;
  if (e.message && held == 0) {
    next = next_message(fd, &message_there);
    if (next < 0)
      next = 0;
  }
  if (buf != NULL && copied < size && (held == 0 || !e.message) && taken == 0) {
    ssize_t n =
        recv(fd, (char *)buf + copied, size - copied, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0)
      copied += (size_t)n;
  }
  size_t total = held + taken + (size_t)queued;
  if (total == 0 && !message_there && peer_gone(fd))
    return w32_fail(ERROR_BROKEN_PIPE); /* (a message of 0 bytes first) */
  if (read)
    *read = (DWORD)copied;
  if (avail)
    *avail = (DWORD)total;
  if (left) {
    size_t l = held > 0 ? held : (size_t)next;
    *left = e.message ? (DWORD)(l > copied ? l - copied : 0) : 0;
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Reading and writing                                                       */
/* ------------------------------------------------------------------------ */

/* Waits until fd is ready (a blocking call): 0, or a cport error. */
static int wait_ready(int fd, short events, uint64_t *until) {
  int w = w32_fd_wait(fd, events, until);
  return w == 0   ? 0
         : w == 1 ? CPORT_ETIMEDOUT
         : w == 2 ? CPORT_EINTR
         : w == 3 ? CPORT_ECANCELED /* CancelSynchronousIo */
                  : CPORT_EBADF;
}

/* A byte pipe's read or write in the call on a handle cport has (a port,
 * or the layer's own after an overlapped op): an op of its own through
 * cport, whose event's low bit keeps it off the port, waited for. Data
 * cport already took from the socket (io_uring's buffers) comes first. */
static int port_io(int fd, char *buf, size_t len, bool write_side,
                   size_t *done) {
  HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
  if (ev == NULL)
    return CPORT_ENOMEM;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = (HANDLE)((uintptr_t)ev | 1);
  int rc = w32_ov_begin(fd, &ov);
  if (rc == 0) {
    w32_ov_tag_pipe(&ov, write_side ? W32_TAG_PIPE_WRITE
                         : len > 0  ? W32_TAG_PIPE_READ
                                    : 0);
    cport_buf_t cb = cport_buf_init(buf, (uint32_t)len);
    cport_op_t *op = (cport_op_t *)(void *)&ov;
    rc = write_side ? cport_send(fd, &cb, 1, op) : cport_recv(fd, &cb, 1, op);
    w32_ov_end(&ov, rc);
  }
  int status = rc;
  if (rc >= 0) {
    cport_op_wait((const cport_op_t *)(void *)&ov, -1);
    status = w32_internal_status(&ov);
    *done = (size_t)ov.InternalHigh;
    w32_pipe_result(&ov, (uint32_t)*done, &status);
  } else if (rc == CPORT_ENOTCONN || rc == CPORT_EPIPE ||
             rc == CPORT_ECONNRESET || rc == CPORT_ESHUTDOWN) {
    status = write_side ? W32_EPIPE_CLOSING : W32_EPIPE_BROKEN;
  }
  CloseHandle(ev);
  return status == W32_BAD_EVENT ? CPORT_ENOMEM : status;
}

/* A byte pipe's read or write in the call: 0 or a cport code. */
static int byte_io(int fd, char *buf, size_t len, bool write_side,
                   size_t *done) {
  uint64_t until = 0;
  *done = 0;
  if (cport__handle_associated(fd))
    return port_io(fd, buf, len, write_side, done);
  for (;;) {
    ssize_t n = write_side ? send(fd, buf + *done, len - *done,
                                  MSG_DONTWAIT | MSG_NOSIGNAL)
                           : recv(fd, buf, len, MSG_DONTWAIT);
    if (n > 0) {
      *done += (size_t)n;
      if (!write_side || *done == len)
        return 0;
      continue;
    }
    if (n == 0 && (len == 0 || write_side))
      return 0;
    if (n == 0)
      return W32_EPIPE_BROKEN; /* the writer closed its end */
    if (errno == EINTR)
      continue;
    if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
      return write_side ? W32_EPIPE_CLOSING : W32_EPIPE_BROKEN;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return -errno;
    int rc = wait_ready(fd, write_side ? POLLOUT : POLLIN, &until);
    if (rc != 0)
      return rc;
  }
}

/* Byte read mode on a message pipe: as on Windows the read goes across
 * message boundaries, so the messages already there join it until buf is
 * full (the rest of a longer one is kept for the next read); a message
 * of 0 bytes, or none there, ends it. */
static void join_messages(int fd, char *buf, size_t len, size_t *done) {
  while (*done < len) {
    bool there;
    ssize_t size = next_message(fd, &there);
    if (size <= 0)
      return;
    size_t room = len - *done;
    char *whole = (size_t)size > room ? malloc((size_t)size) : NULL;
    if ((size_t)size > room && whole == NULL)
      return;
    ssize_t n = recv(fd, whole != NULL ? whole : buf + *done,
                     whole != NULL ? (size_t)size : room, MSG_DONTWAIT);
    if (n <= 0) {
      free(whole);
      return;
    }
    if (whole == NULL) {
      *done += (size_t)n;
      continue;
    }
    memcpy(buf + *done, whole, room);
    *done = len;
    w32_pipe_rest_keep(fd, whole, (size_t)n, room);
  }
}

/* A message pipe's read in the call: one message (or the rest of one);
 * a longer one fills buf, its rest is kept for the next read, and in
 * message read mode the read reports CPORT_EMSGSIZE (ERROR_MORE_DATA).
 * In byte read mode the messages already there join it. */
static int message_read(int fd, char *buf, size_t len, bool read_message,
                        bool wait, size_t *done) {
  bool had;
  int status = w32_pipe_rest_take(fd, buf, len, done, &had);
  if (had) {
    if (status == 0 && !read_message)
      join_messages(fd, buf, len, done);
    return status;
  }
  uint64_t until = 0;
  for (;;) {
    bool there;
    ssize_t size = next_message(fd, &there);
    if (size < 0) {
      if (errno == EINTR)
        continue;
      if (errno == ECONNRESET || errno == ENOTCONN)
        return W32_EPIPE_BROKEN;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        return -errno;
      if (!wait)
        return CPORT_EAGAIN;
      int rc = wait_ready(fd, POLLIN, &until);
      if (rc != 0)
        return rc;
      continue;
    }
    if (size == 0 && !there && peer_gone(fd))
      return W32_EPIPE_BROKEN; /* the end, after every message */
    if ((size_t)size <= len) {
      ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);
      if (n < 0)
        return -errno;
      *done = (size_t)n;
      if (!read_message && n > 0)
        join_messages(fd, buf, len, done);
      return 0;
    }
    char *whole = malloc((size_t)size);
    if (whole == NULL)
      return CPORT_ENOMEM;
    ssize_t n = recv(fd, whole, (size_t)size, MSG_DONTWAIT);
    if (n < 0) {
      free(whole);
      return -errno;
    }
    memcpy(buf, whole, len);
    *done = len;
    w32_pipe_rest_keep(fd, whole, (size_t)n, len);
    return read_message ? CPORT_EMSGSIZE : 0;
  }
}

/* A message longer than the end's send buffer: Windows' buffer sizes are
 * advisory, so the buffer grows to hold it (beyond net.core.wmem_max
 * only with CAP_NET_ADMIN). True if it grew. */
static bool room_for_message(int fd, size_t len) {
  int before = 0, after = 0;
  socklen_t sl = sizeof(before);
  if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &before, &sl) != 0)
    return false;
  size_t want = len + 65536;
  int v = want > INT32_MAX / 2 ? INT32_MAX / 2 : (int)want;
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) != 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
  sl = sizeof(after);
  return getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &after, &sl) == 0 &&
         after > before;
}

/* A message pipe's write: one message, whole. */
static int message_write(int fd, const char *buf, size_t len, bool wait,
                         size_t *done) {
  uint64_t until = 0;
  for (;;) {
    ssize_t n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) {
      *done = (size_t)n;
      return 0;
    }
    if (errno == EINTR)
      continue;
    if (errno == EMSGSIZE) {
      if (room_for_message(fd, len))
        continue;
      return CPORT_ENOMEM; /* too long for what Linux lets the end hold */
    }
    if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
      return W32_EPIPE_CLOSING;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return -errno;
    if (!wait)
      return CPORT_EAGAIN;
    int rc = wait_ready(fd, POLLOUT, &until);
    if (rc != 0)
      return rc;
  }
}

/* A message pipe's overlapped read or write: an op the layer runs
 * (layer-ops.c), one try at a time. */
struct message_op {
  int fd;
  char *buf;
  size_t len;
  bool write_side;
  bool read_message;
};

static int message_step(void *ctx, int *wait_fd, short *events, size_t *bytes) {
  struct message_op *m = ctx;
  int rc = m->write_side ? message_write(m->fd, m->buf, m->len, false, bytes)
                         : message_read(m->fd, m->buf, m->len, m->read_message,
                                        false, bytes);
  *wait_fd = m->fd;
  *events = m->write_side ? POLLOUT : POLLIN;
  return rc;
}

static BOOL message_overlapped(int fd, void *buf, DWORD len, LPOVERLAPPED ov,
                               bool write_side, bool read_message) {
  int b = w32_ov_begin(fd, ov);
  if (b != 0)
    return w32_fail(b == W32_BAD_EVENT ? ERROR_INVALID_HANDLE : w32_error(b));
  struct message_op m = {fd, buf, len, write_side, read_message};
  int rc = w32_lop_start(fd, ov, write_side ? W32_LANE_WRITE : W32_LANE_READ,
                         message_step, &m, sizeof(m));
  w32_ov_end(ov, rc);
  /* Pending even when it could end now: it ends on the lane, in order. */
  return w32_fail(rc < 0 ? w32_error(rc) : ERROR_IO_PENDING);
}

/* A byte pipe's overlapped read or write, through cport. */
static BOOL overlapped_io(int fd, void *buf, DWORD len, LPDWORD done,
                          LPOVERLAPPED ov, bool write_side) {
  int b = w32_ov_begin(fd, ov);
  if (b != 0)
    return w32_fail(b == W32_BAD_EVENT ? ERROR_INVALID_HANDLE : w32_error(b));
  /* Its tag tells whoever takes its result to turn the end of the stream
   * and a gone reader into the pipe's errors (w32_pipe_result). */
  w32_ov_tag_pipe(ov, write_side ? W32_TAG_PIPE_WRITE
                      : len > 0  ? W32_TAG_PIPE_READ
                                 : 0);
  cport_buf_t cb = cport_buf_init(buf, len);
  cport_op_t *op = (cport_op_t *)(void *)ov;
  int rc = write_side ? cport_send(fd, &cb, 1, op) : cport_recv(fd, &cb, 1, op);
  uint32_t bytes = 0;
  int status = -1;
  bool inline_done =
      (rc == 0 || rc == CPORT_COMPLETED) && cport__last_inline(&bytes, &status);
  w32_ov_end(ov, rc);
  if (rc < 0) {
    bool gone = rc == CPORT_ENOTCONN || rc == CPORT_EPIPE ||
                rc == CPORT_ECONNRESET || rc == CPORT_ESHUTDOWN;
    return w32_fail(!gone        ? w32_error(rc)
                    : write_side ? ERROR_NO_DATA
                                 : ERROR_BROKEN_PIPE);
  }
  if (inline_done && status == 0 && (write_side || bytes > 0 || len == 0)) {
    if (done)
      *done = bytes;
    return TRUE; /* its packet is queued all the same (unless skip mode) */
  }
  if (rc == CPORT_COMPLETED && inline_done && status == 0)
    return w32_fail(ERROR_BROKEN_PIPE); /* the end, in skip mode: no packet
                                            comes to report it */
  return w32_fail(ERROR_IO_PENDING);
}

BOOL w32_pipe_io(int fd, void *buf, DWORD len, LPDWORD done, LPOVERLAPPED ov,
                 bool write_side) {
  struct w32_pipe_info e;
  if (!w32_pipe_info_of(fd, &e))
    return FALSE;
  if (done)
    *done = 0;
  DWORD err = e.state_error;
  if (err == 0 && !(write_side ? e.can_write : e.can_read))
    err = ERROR_ACCESS_DENIED;
  if (err != 0)
    return w32_fail(err);
  if (ov != NULL && e.overlapped && e.message)
    return message_overlapped(fd, buf, len, ov, write_side, e.read_message);
  if (ov != NULL && e.overlapped)
    return overlapped_io(fd, buf, len, done, ov, write_side);
  /* In the call: no OVERLAPPED, or a handle without FILE_FLAG_OVERLAPPED. */
  size_t n = 0;
  w32_block_begin();
  int status = !e.message ? byte_io(fd, buf, len, write_side, &n)
               : write_side
                   ? message_write(fd, buf, len, true, &n)
                   : message_read(fd, buf, len, e.read_message, true, &n);
  w32_block_end();
  if (ov != NULL)
    w32_ov_finish(ov, status, (uint32_t)n);
  if (done)
    *done = (DWORD)n;
  return status == 0 ? TRUE : w32_fail(w32_error(status));
}

BOOL w32_pipe_flush(int fd) {
  /* Until the reader has taken everything (a Unix socket's sent bytes
   * count against the sender until they are read), those cport's send
   * buffer still held first. */
  w32_block_begin();
  (void)cport__flush_sends(fd, -1, NULL);
  for (;;) {
    int queued = 0;
    if (ioctl(fd, SIOCOUTQ, &queued) != 0 || queued == 0 || peer_gone(fd))
      break;
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  w32_block_end();
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Transactions                                                              */
/* ------------------------------------------------------------------------ */

CPORT_API BOOL TransactNamedPipe(HANDLE h, LPVOID in, DWORD in_len, LPVOID out,
                                 DWORD out_len, LPDWORD read, LPOVERLAPPED ov) {
  int fd = w32_fd(h);
  struct w32_pipe_info e;
  if (fd < 0 || !w32_pipe_info_of(fd, &e))
    return w32_fail(ERROR_INVALID_HANDLE);
  if (read)
    *read = 0;
  /* "fails if the server did not create the pipe as a message-type pipe
   * or if the pipe handle is not in message-read mode". */
  DWORD err = e.state_error;
  if (err == 0 && (!e.message || !e.read_message))
    err = ERROR_BAD_PIPE;
  if (err == 0 && ov != NULL && e.overlapped)
    err = ERROR_NOT_SUPPORTED; /* message pipes: in the call only */
  if (err == 0 && (w32_pipe_rest_peek(fd, NULL, 0, &(size_t){0}) > 0 ||
                   recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT) >= 0))
    err = ERROR_PIPE_BUSY; /* "unread data in the pipe" */
  if (err != 0)
    return w32_fail(err);
  DWORD n = 0;
  if (!w32_pipe_io(fd, in, in_len, &n, NULL, true))
    return FALSE;
  BOOL ok = w32_pipe_io(fd, out, out_len, &n, NULL, false);
  DWORD last = GetLastError();
  if (read)
    *read = n;
  if (ov != NULL)
    w32_ov_finish(ov,
                  ok                        ? 0
                  : last == ERROR_MORE_DATA ? CPORT_EMSGSIZE
                                            : W32_EPIPE_BROKEN,
                  n);
  return ok ? TRUE : w32_fail(last);
}

CPORT_API BOOL CallNamedPipeA(LPCSTR name, LPVOID in, DWORD in_len, LPVOID out,
                              DWORD out_len, LPDWORD read, DWORD timeout_ms) {
  if (read)
    *read = 0;
  HANDLE h = INVALID_HANDLE_VALUE;
  for (int tries = 0; tries < 2 && h == INVALID_HANDLE_VALUE; tries++) {
    h = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                    0, NULL);
    if (h == INVALID_HANDLE_VALUE &&
        (GetLastError() != ERROR_PIPE_BUSY || tries == 1 ||
         timeout_ms == NMPWAIT_NOWAIT || !WaitNamedPipeA(name, timeout_ms)))
      return FALSE;
  }
  DWORD mode = PIPE_READMODE_MESSAGE;
  BOOL ok = SetNamedPipeHandleState(h, &mode, NULL, NULL) &&
            TransactNamedPipe(h, in, in_len, out, out_len, read, NULL);
  DWORD err = GetLastError();
  CloseHandle(h); /* the rest of a longer message goes with it */
  return ok ? TRUE : w32_fail(err);
}

CPORT_API BOOL CallNamedPipeW(LPCWSTR name, LPVOID in, DWORD in_len, LPVOID out,
                              DWORD out_len, LPDWORD read, DWORD timeout_ms) {
  char *p = w32_utf8(name);
  if (p == NULL)
    return FALSE;
  BOOL ok = CallNamedPipeA(p, in, in_len, out, out_len, read, timeout_ms);
  DWORD err = GetLastError();
  free(p);
  SetLastError(err);
  return ok;
}
