/*
 * pipes.c - named pipes: CreateNamedPipe, ConnectNamedPipe,
 * DisconnectNamedPipe, and what pipes-io.c reads of an end (the client's
 * CreateFile, WaitNamedPipe and the pipe's state: pipe-client.c; reads,
 * writes, PeekNamedPipe and flushing: pipes-io.c).
 *
 * "\\.\pipe\NAME" is the abstract AF_UNIX socket name "cport-pipe:name"
 * (the name in lower case, as Windows compares pipe names without regard
 * to case; a hash of it when it is long): nothing is left on disk. Byte
 * pipes are SOCK_STREAM, message pipes SOCK_SEQPACKET. The first
 * instance of a name binds and listens; every instance's HANDLE is a
 * descriptor of its own: a duplicate of the listener while it waits for a
 * client, the connection once it has one (put in place as AcceptEx's
 * connection is: cport__replace_socket keeps the handle's port and key).
 * An overlapped ConnectNamedPipe is a cport_accept on that duplicate, so
 * its end goes through the port like any op's; byte pipes read and write
 * with cport_recv / cport_send. Message pipes do their I/O in the call
 * (cport has no SOCK_SEQPACKET ops).
 *
 * An instance is listening (a client may take it), connected, or
 * disconnected (after DisconnectNamedPipe, until ConnectNamedPipe). A
 * name counts its listening instances and the clients connected to the
 * listener but not yet accepted by one: a client of this process finds
 * ERROR_PIPE_BUSY when no listening instance is left for it.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/sockios.h>

#include "pipes.h"

/* Guards the names and the ends. A leaf: nothing calls cport while it is
 * held, except cport_closesocket of a listener nobody else uses. */
pthread_mutex_t w32_pipe_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pipe_name *names;
static struct pipe_end **ends; /* by descriptor */
static int ends_size;

/* ------------------------------------------------------------------------ */
/* Names                                                                     */
/* ------------------------------------------------------------------------ */

static bool is_sep(char c) {
  return c == '\\';
}

/* The host and the name of "\\host\pipe\name"; false if path is not a
 * pipe path. */
static bool split(const char *path, const char **host, size_t *host_len,
                  const char **name) {
  if (!is_sep(path[0]) || !is_sep(path[1]))
    return false;
  const char *h = path + 2, *e = h;
  while (*e != '\0' && !is_sep(*e))
    e++;
  if (e == h || *e == '\0' || strncasecmp(e + 1, "pipe", 4) != 0 ||
      !is_sep(e[5]))
    return false;
  *host = h;
  *host_len = (size_t)(e - h);
  *name = e + 6;
  return true;
}

bool w32_pipe_path(const char *path) {
  const char *host, *name;
  size_t hl;
  return split(path, &host, &hl, &name);
}

/* The key of a local pipe path, or the Win32 error. */
DWORD w32_pipe_key_of(const char *path, char *key) {
  const char *host, *name;
  size_t hl;
  if (path == NULL)
    return ERROR_INVALID_PARAMETER;
  if (!split(path, &host, &hl, &name))
    return ERROR_INVALID_NAME;
  if (hl != 1 || host[0] != '.')
    return ERROR_BAD_NETPATH; /* another computer's pipes are not reached */
  size_t n = strlen(name);
  if (n == 0 || n >= 256)
    return ERROR_INVALID_NAME;
  for (size_t i = 0; i <= n; i++) {
    char c = name[i];
    key[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  return 0;
}

/* The abstract socket address of a key. */
socklen_t w32_pipe_address_of(const char *key, struct sockaddr_un *a) {
  memset(a, 0, sizeof(*a));
  a->sun_family = AF_UNIX;
  static const char prefix[] = "cport-pipe:";
  size_t n = strlen(key), room = sizeof(a->sun_path) - 1 - (sizeof(prefix) - 1);
  memcpy(a->sun_path + 1, prefix, sizeof(prefix) - 1);
  char *p = a->sun_path + sizeof(prefix);
  if (n <= room) {
    memcpy(p, key, n);
  } else { /* a long name: its FNV-1a hash */
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
      h = (h ^ (unsigned char)key[i]) * 0x100000001b3ull;
    static const char hex[] = "0123456789abcdef";
    p[0] = '#';
    for (int i = 0; i < 16; i++)
      p[1 + i] = hex[(h >> (60 - 4 * i)) & 15];
    n = 17;
  }
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof(prefix) +
                     n);
}

struct pipe_name *w32_pipe_find_locked(const char *key) {
  for (struct pipe_name *n = names; n != NULL; n = n->next)
    if (strcmp(n->key, key) == 0)
      return n;
  return NULL;
}

static void name_drop_locked(struct pipe_name *pn) {
  if (--pn->instances > 0)
    return;
  struct pipe_name **pp = &names;
  while (*pp != pn)
    pp = &(*pp)->next;
  *pp = pn->next;
  close(pn->listen_fd); /* never given to cport */
  free(pn);
}

/* ------------------------------------------------------------------------ */
/* Ends                                                                      */
/* ------------------------------------------------------------------------ */

struct pipe_end *w32_pipe_end_locked(int fd) {
  return fd >= 0 && fd < ends_size ? ends[fd] : NULL;
}

static void closing(int fd);
static void connect_done(int fd, int status);
static int connect_step(void *ctx, int *wait_fd, short *events, size_t *bytes);

bool w32_pipe_end_put_locked(int fd, struct pipe_end *e) {
  if (fd >= ends_size) {
    int size = ends_size ? ends_size : 64;
    while (size <= fd)
      size *= 2;
    struct pipe_end **n = realloc(ends, (size_t)size * sizeof(*n));
    if (n == NULL)
      return false;
    memset(n + ends_size, 0, (size_t)(size - ends_size) * sizeof(*n));
    ends = n;
    ends_size = size;
  }
  if (ends[fd] != NULL) {
    free(ends[fd]->rest);
    free(ends[fd]->peer_key);
    free(ends[fd]);
  }
  ends[fd] = e;
  __atomic_store_n(&w32_pipe_closing, closing, __ATOMIC_RELEASE);
  __atomic_store_n(&w32_pipe_connect_done, connect_done, __ATOMIC_RELEASE);
  return true;
}

static void rest_clear(struct pipe_end *e) {
  free(e->rest);
  e->rest = NULL;
  e->rest_len = e->rest_off = 0;
}

/* A listening instance got its client (w32_pipe_lock held). */
static void connected_locked(struct pipe_end *e) {
  e->state = P_CONNECTED;
  e->name->listening--;
  if (e->name->backlog > 0)
    e->name->backlog--;
}

/* CloseHandle on a pipe: the instance leaves its name (the last one takes
 * the name away); a pending ConnectNamedPipe moves no client here. */
static void closing(int fd) {
  w32_fixup_target_closed(fd);
  /* A message pipe's pending reads (its read lane's ops but a connect)
   * end as the pipe broken, as on Windows (ERROR_BROKEN_PIPE); the rest
   * as cancelled. */
  w32_lop_cancel_lane(fd, W32_LANE_READ, connect_step, W32_EPIPE_BROKEN);
  w32_lop_end_all(fd, CPORT_ECANCELED);
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_end *e = w32_pipe_end_locked(fd);
  if (e != NULL) {
    ends[fd] = NULL;
    if (e->name != NULL) {
      if (e->state == P_LISTENING)
        e->name->listening--;
      name_drop_locked(e->name);
    }
    rest_clear(e);
    free(e->peer_key);
    free(e);
  }
  pthread_mutex_unlock(&w32_pipe_lock);
}

/* The connection in fd goes (its client reads the end of it); fd waits
 * at the listener again, on its port, under its key. 0 or a cport code. */
static int back_to_listener(int fd, int fresh) {
  int rc = cport__handle_associated(fd)
               ? cport__replace_socket(fd, fresh, false)
           : dup3(fresh, fd, O_CLOEXEC) < 0 ? -errno
                                            : 0;
  if (!cport__handle_associated(fd))
    close(fresh);
  return rc;
}

/* A ConnectNamedPipe through the port ended (its fixup ran, the client's
 * connection is in fd). A DisconnectNamedPipe that came meanwhile (the
 * fixup was running) found the instance listening: the connection goes. */
static void connect_done(int fd, int status) {
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_end *e = w32_pipe_end_locked(fd);
  int fresh = -1;
  if (e != NULL)
    e->connecting = false;
  if (e != NULL && e->name != NULL && status == 0 && e->state == P_LISTENING)
    connected_locked(e);
  else if (e != NULL && e->name != NULL && status == 0 &&
           e->state == P_DISCONNECTED)
    fresh = fcntl(e->name->listen_fd, F_DUPFD_CLOEXEC, 0);
  pthread_mutex_unlock(&w32_pipe_lock);
  if (fresh >= 0)
    (void)back_to_listener(fd, fresh);
  else if (status == 0)
    w32_fd_connected(fd);
}

/* What a call on fd may do; false (error set) if it is no pipe. */
bool w32_pipe_end_copy(int fd, struct pipe_end *out) {
  memset(out, 0, sizeof(*out));
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_end *e = w32_pipe_end_locked(fd);
  if (e != NULL)
    *out = *e;
  pthread_mutex_unlock(&w32_pipe_lock);
  return e != NULL ? true : w32_fail(ERROR_INVALID_HANDLE);
}

/* The connection accepted (newfd) becomes fd's. */
static int install(int fd, int newfd) {
  if (cport__handle_associated(fd))
    return cport__replace_socket(fd, newfd, true);
  int rc = dup3(newfd, fd, O_CLOEXEC) < 0 ? -errno : 0;
  close(newfd);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* CreateNamedPipe                                                           */
/* ------------------------------------------------------------------------ */

CPORT_API HANDLE CreateNamedPipeA(LPCSTR path, DWORD open_mode, DWORD pipe_mode,
                                  DWORD max_instances, DWORD out_size,
                                  DWORD in_size, DWORD timeout_ms,
                                  LPSECURITY_ATTRIBUTES sa) {
  (void)sa;
  char key[256];
  DWORD err = path == NULL ? ERROR_PATH_NOT_FOUND : w32_pipe_key_of(path, key);
  if (err == ERROR_BAD_NETPATH)
    err = ERROR_INVALID_NAME; /* a server's name is always local */
  DWORD access = open_mode & PIPE_ACCESS_DUPLEX;
  if (err == 0 &&
      (access == 0 || max_instances == 0 ||
       max_instances > PIPE_UNLIMITED_INSTANCES ||
       (pipe_mode & ~(DWORD)(PIPE_NOWAIT | PIPE_READMODE_MESSAGE |
                             PIPE_TYPE_MESSAGE | PIPE_REJECT_REMOTE_CLIENTS)) ||
       ((pipe_mode & PIPE_READMODE_MESSAGE) &&
        !(pipe_mode & PIPE_TYPE_MESSAGE))))
    err = ERROR_INVALID_PARAMETER;
  if (err == 0 && (pipe_mode & PIPE_NOWAIT))
    err = ERROR_NOT_SUPPORTED; /* non-blocking pipes: not emulated */
  if (err != 0)
    return (w32_fail(err), INVALID_HANDLE_VALUE);
  bool message = (pipe_mode & PIPE_TYPE_MESSAGE) != 0;
  struct pipe_end *e = calloc(1, sizeof(*e));
  if (e == NULL)
    return (w32_fail(ERROR_NOT_ENOUGH_MEMORY), INVALID_HANDLE_VALUE);
  e->state = P_LISTENING;
  e->message = message;
  e->read_message = (pipe_mode & PIPE_READMODE_MESSAGE) != 0;
  e->overlapped = (open_mode & FILE_FLAG_OVERLAPPED) != 0;
  e->can_read = (access & PIPE_ACCESS_INBOUND) != 0;
  e->can_write = (access & PIPE_ACCESS_OUTBOUND) != 0;

  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_name *pn = w32_pipe_find_locked(key);
  int fd = -1;
  if (pn != NULL) {
    if ((open_mode & FILE_FLAG_FIRST_PIPE_INSTANCE) || pn->message != message)
      err = ERROR_ACCESS_DENIED;
    else if (pn->instances >= pn->max)
      err = ERROR_PIPE_BUSY;
  } else {
    pn = calloc(1, sizeof(*pn));
    int s = pn == NULL ? -1
                       : socket(AF_UNIX,
                                (message ? SOCK_SEQPACKET : SOCK_STREAM) |
                                    SOCK_NONBLOCK | SOCK_CLOEXEC,
                                0);
    struct sockaddr_un a;
    socklen_t alen = w32_pipe_address_of(key, &a);
    if (s >= 0 && message)
      w32_pipe_message_socket(s);
    if (s < 0)
      err = ERROR_NOT_ENOUGH_MEMORY;
    else if (bind(s, (struct sockaddr *)&a, alen) != 0)
      /* Another process has the name. */
      err = errno == EADDRINUSE ? ERROR_ACCESS_DENIED : w32_error(-errno);
    else if (listen(s, SOMAXCONN) != 0)
      err = w32_error(-errno);
    if (err != 0) {
      if (s >= 0)
        close(s);
      free(pn);
      pn = NULL;
    } else {
      strcpy(pn->key, key);
      pn->listen_fd = s;
      pn->max = (int)max_instances;
      pn->message = message;
      pn->out_size = out_size;
      pn->in_size = in_size;
      pn->timeout_ms = timeout_ms != 0 ? timeout_ms : 50;
      pn->next = names;
      names = pn;
    }
  }
  if (err == 0) {
    fd = fcntl(pn->listen_fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0 || fd >= (1 << 22) || !w32_pipe_end_put_locked(fd, e)) {
      err = ERROR_NOT_ENOUGH_MEMORY;
      if (fd >= 0)
        close(fd);
      if (pn->instances == 0) {
        pn->instances = 1;
        name_drop_locked(pn);
      }
    } else {
      e->name = pn;
      pn->instances++;
      pn->listening++;
    }
  }
  pthread_mutex_unlock(&w32_pipe_lock);
  if (err != 0) {
    free(e);
    return (w32_fail(err), INVALID_HANDLE_VALUE);
  }
  w32_fd_reset(fd);
  w32_fd_set_flags(fd, W32_FD_PIPE | (e->overlapped ? 0 : W32_FD_SYNC), 0);
  SetLastError(ERROR_SUCCESS);
  return (HANDLE)(intptr_t)fd;
}

CPORT_API HANDLE CreateNamedPipeW(LPCWSTR path, DWORD open_mode,
                                  DWORD pipe_mode, DWORD max_instances,
                                  DWORD out_size, DWORD in_size,
                                  DWORD timeout_ms, LPSECURITY_ATTRIBUTES sa) {
  if (path == NULL)
    return (w32_fail(ERROR_PATH_NOT_FOUND), INVALID_HANDLE_VALUE);
  char *p = w32_utf8(path);
  if (p == NULL)
    return INVALID_HANDLE_VALUE;
  HANDLE h = CreateNamedPipeA(p, open_mode, pipe_mode, max_instances, out_size,
                              in_size, timeout_ms, sa);
  free(p);
  return h;
}

/* ------------------------------------------------------------------------ */
/* Connecting and disconnecting                                              */
/* ------------------------------------------------------------------------ */

void w32_pipe_message_socket(int s) {
  int one = 1;
  (void)setsockopt(s, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
}

/* A client already waiting at the listener becomes fd's: 1, or 0 when
 * none waits, or a cport error. */
static int take_waiting(int fd, int listen_fd) {
  int c = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (c < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
                   errno == ECONNABORTED
               ? 0
               : -errno;
  int rc = install(fd, c);
  return rc == 0 ? 1 : rc;
}

/* Whether the client of a connected instance has closed its end. */
static bool client_gone(int fd) {
  struct pollfd p = {fd, POLLRDHUP, 0};
  if (poll(&p, 1, 0) != 1 || !(p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
    return false;
  /* One that wrote before it closed is served: its bytes are read, then
   * the end (on Windows such a client finds no instance free, fails with
   * ERROR_PIPE_BUSY and tries again; here it waited in the queue, so
   * refusing it would lose its request). */
  int queued = 0;
  return ioctl(fd, FIONREAD, &queued) != 0 || queued == 0;
}

/* An overlapped ConnectNamedPipe on a message pipe: an op the layer runs
 * (layer-ops.c), one try at a time. */
struct connect_op {
  int fd;
  int listen_fd;
};

static int connect_step(void *ctx, int *wait_fd, short *events, size_t *bytes) {
  struct connect_op *c = ctx;
  *bytes = 0;
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_end *ep = w32_pipe_end_locked(c->fd);
  int rc = ep == NULL                 ? CPORT_EBADF
           : ep->state != P_LISTENING ? CPORT_ECANCELED /* disconnected */
                                      : take_waiting(c->fd, c->listen_fd);
  if (rc == 1)
    connected_locked(ep);
  if (ep != NULL && rc != 0)
    ep->connecting = false;
  pthread_mutex_unlock(&w32_pipe_lock);
  if (rc == 1) {
    w32_fd_connected(c->fd);
    return 0;
  }
  *wait_fd = c->listen_fd;
  *events = POLLIN;
  return rc == 0 ? CPORT_EAGAIN : rc;
}

static void connecting_end(int fd) {
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_end *ep = w32_pipe_end_locked(fd);
  if (ep != NULL)
    ep->connecting = false;
  pthread_mutex_unlock(&w32_pipe_lock);
}

static BOOL connect_message(int fd, int listen_fd, LPOVERLAPPED ov) {
  int b = w32_ov_begin(fd, ov);
  if (b != 0) {
    connecting_end(fd);
    return w32_fail(b == W32_BAD_EVENT ? ERROR_INVALID_HANDLE : w32_error(b));
  }
  struct connect_op c = {fd, listen_fd};
  int rc = w32_lop_start(fd, ov, W32_LANE_READ, connect_step, &c, sizeof(c));
  if (rc < 0)
    connecting_end(fd);
  w32_ov_end(ov, rc);
  return w32_fail(rc < 0 ? w32_error(rc) : ERROR_IO_PENDING);
}

CPORT_API BOOL ConnectNamedPipe(HANDLE h, LPOVERLAPPED ov) {
  int fd = w32_fd(h);
  struct pipe_end e;
  if (fd < 0 || !w32_pipe_end_copy(fd, &e))
    return w32_fail(ERROR_INVALID_HANDLE);
  if (e.name == NULL) /* a client's end */
    return w32_fail(ERROR_INVALID_FUNCTION);
  bool through_port = ov != NULL && e.overlapped;
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_end *ep = w32_pipe_end_locked(fd);
  DWORD err = 0;
  int rc = 0;
  if (ep == NULL) {
    err = ERROR_INVALID_HANDLE;
  } else if (ep->state == P_CONNECTED) {
    err = ERROR_PIPE_CONNECTED;
  } else {
    /* A client that came "between the call to CreateNamedPipe and the
     * call to ConnectNamedPipe" is ERROR_PIPE_CONNECTED. An instance
     * DisconnectNamedPipe left took none since (on Windows no client can
     * open it then): one already waiting at the shared listener is taken
     * by the connect as if it came after the call (pending, a packet). */
    bool again = ep->state == P_DISCONNECTED;
    if (again) {
      ep->state = P_LISTENING;
      ep->name->listening++;
      w32_fd_set_flags(fd, 0, W32_FD_PIPE_DISC);
    }
    rc = again ? 0 : take_waiting(fd, ep->name->listen_fd);
    if (rc == 1) {
      connected_locked(ep);
      err = ERROR_PIPE_CONNECTED; /* "a good connection", nothing queued */
    } else if (rc < 0) {
      err = w32_error(rc);
    }
  }
  int listen_fd = ep != NULL ? ep->name->listen_fd : -1;
  if (ep != NULL && err == 0)
    ep->connecting = true; /* no ReadFile takes the client from under it */
  pthread_mutex_unlock(&w32_pipe_lock);
  if (err == ERROR_PIPE_CONNECTED && rc == 1)
    w32_fd_connected(fd);
  /* A client that came and closed its handle, leaving nothing to read,
   * leaves the instance closing: ERROR_NO_DATA, and DisconnectNamedPipe
   * is due before the next one. */
  if (err == ERROR_PIPE_CONNECTED && client_gone(fd))
    err = ERROR_NO_DATA;
  if (err != 0) {
    /* Windows marks the OVERLAPPED pending before it asks, and leaves it
     * so when the answer comes at once: nothing ends through it. */
    if (ov != NULL) {
      __atomic_store_n(&ov->InternalHigh, 0, __ATOMIC_RELAXED);
      __atomic_store_n(&ov->Internal, (ULONG_PTR)STATUS_PENDING,
                       __ATOMIC_RELEASE);
    }
    return w32_fail(err);
  }
  if (through_port && e.message)
    return connect_message(fd, listen_fd, ov);
  if (!through_port) {
    /* Blocking: wait at the listener until a client comes. */
    for (;;) {
      struct pollfd p = {listen_fd, POLLIN, 0};
      w32_block_begin();
      /* Marked: CancelSynchronousIo, or CancelIoEx on the instance, ends
       * the wait (EINTR) with ERROR_OPERATION_ABORTED. */
      w32_sync_begin_fd(fd);
      int n = poll(&p, 1, -1);
      int err = errno;
      bool cancelled = w32_sync_end() && n < 0 && err == EINTR;
      w32_block_end();
      if (cancelled) {
        connecting_end(fd);
        return w32_fail(ERROR_OPERATION_ABORTED);
      }
      if (n < 0 && err != EINTR) {
        connecting_end(fd);
        return w32_fail(w32_error(-err));
      }
      pthread_mutex_lock(&w32_pipe_lock);
      ep = w32_pipe_end_locked(fd);
      rc = ep == NULL ? CPORT_EBADF : take_waiting(fd, listen_fd);
      if (rc == 1 && ep->state == P_LISTENING)
        connected_locked(ep);
      if (ep != NULL && rc != 0)
        ep->connecting = false;
      pthread_mutex_unlock(&w32_pipe_lock);
      if (rc < 0)
        return w32_fail(w32_error(rc));
      if (rc == 1)
        break;
    }
    w32_fd_connected(fd);
    if (ov != NULL)
      w32_ov_finish(ov, 0, 0);
    return TRUE;
  }
  /* Overlapped: an accept on the instance's duplicate of the listener;
   * its fixup puts the connection in place when the result is taken. */
  int b = w32_ov_begin(fd, ov);
  if (b != 0) {
    connecting_end(fd);
    return w32_fail(b == W32_BAD_EVENT ? ERROR_INVALID_HANDLE : w32_error(b));
  }
  /* Each instance takes only the client its own connect accepts: the
   * instances are duplicates of one listener, and a handle accepting
   * ahead (io_uring's multishot accept) would keep clients that other
   * instances wait for. */
  cport__accept_one_by_one(fd);
  struct w32_fixup f;
  memset(&f, 0, sizeof(f));
  f.ov = ov;
  f.kind = W32_FIX_PIPE_CONNECT;
  f.target = (SOCKET)fd;
  f.source = (SOCKET)fd;
  rc = w32_fixup_add(&f);
  if (rc == 0)
    rc = cport_accept(fd, NULL, 0, (cport_op_t *)(void *)ov);
  if (rc < 0) {
    w32_fixup_refused(ov, rc);
    connecting_end(fd);
  }
  w32_ov_end(ov, rc);
  if (rc == CPORT_COMPLETED) {
    /* Skip mode, and a client came between the look above and the
     * accept: no packet comes, so the connection moves in now, and the
     * call says what Windows says of a client that came first. */
    int status = w32_fixup_run_inline(ov);
    return w32_fail(status != 0 ? w32_error(status) : ERROR_PIPE_CONNECTED);
  }
  /* Pending even when it ended in the call: the connection moves in when
   * the result is taken (as AcceptEx's does). */
  return w32_fail(rc < 0 ? w32_error(rc) : ERROR_IO_PENDING);
}

/* Takes the client waiting at fd's listener, if any, and closes it: one
 * cport accepted ahead on fd (io_uring's multishot accept), else one in
 * the listener's queue. */
static void drop_waiting_client(int fd) {
  /* (Outside w32_pipe_lock: cport calls.) A connection the multishot accept
   * has taken but cport not yet seen comes with its last CQE: the look
   * stops it and says so (SOON). */
  int c = -1, err = 0;
  for (int i = 0; i < 100; i++) {
    unsigned r = cport__held_look(fd, &err);
    if (r & CPORT__HELD_DATA) {
      c = cport__held_accept(fd);
      break;
    }
    if (!(r & CPORT__HELD_SOON))
      break;
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_end *ep = w32_pipe_end_locked(fd);
  if (ep != NULL && ep->name != NULL) {
    if (c < 0)
      c = accept4(ep->name->listen_fd, NULL, NULL,
                  SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c >= 0 && ep->name->backlog > 0)
      ep->name->backlog--;
  }
  pthread_mutex_unlock(&w32_pipe_lock);
  if (c >= 0)
    close(c);
}

CPORT_API BOOL DisconnectNamedPipe(HANDLE h) {
  int fd = w32_fd(h);
  struct pipe_end e;
  if (fd < 0 || !w32_pipe_end_copy(fd, &e) || e.name == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_end *ep = w32_pipe_end_locked(fd);
  int state = ep != NULL ? ep->state : 0;
  int fresh = -1;
  bool was_connecting = false, bound = false;
  if (ep != NULL && state != P_DISCONNECTED) {
    fresh = fcntl(ep->name->listen_fd, F_DUPFD_CLOEXEC, 0);
    if (fresh >= 0) {
      /* Windows binds a client to a listening instance as it connects:
       * with as many of this process's clients waiting as instances
       * listen, one of them is this instance's. */
      bound = state == P_LISTENING &&
              ep->name->backlog >= ep->name->listening && ep->name->backlog > 0;
      if (state == P_LISTENING)
        ep->name->listening--;
      ep->state = P_DISCONNECTED;
      w32_fd_set_flags(fd, W32_FD_PIPE_DISC, 0); /* (w32_pipe_result) */
      was_connecting = ep->connecting;
      ep->connecting = false;
      rest_clear(ep);
    }
  }
  pthread_mutex_unlock(&w32_pipe_lock);
  if (ep == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (state == P_DISCONNECTED)
    return w32_fail(ERROR_PIPE_NOT_CONNECTED);
  if (fresh < 0)
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  /* A message pipe's pending ops (layer-ops.c): a connect is cancelled,
   * reads and writes find the pipe not connected. */
  w32_lop_end_all(fd, state == P_LISTENING ? CPORT_ECANCELED : CPORT_ESHUTDOWN);
  if (state == P_LISTENING) {
    close(fresh); /* still the listener's: a pending connect is cancelled */
    cport_cancel(fd, NULL);
    /* A client that came while a ConnectNamedPipe waited, or before any
     * (bound above), is this instance's, connected even if nobody took
     * the connect's result: Windows closes its end. One the connect
     * accepted goes with its fixup; one still at the listener is taken
     * and closed here. */
    if (was_connecting ? w32_fixup_target_disconnected(fd) == 0 : bound)
      drop_waiting_client(fd);
    return TRUE;
  }
  int rc = back_to_listener(fd, fresh);
  return rc == 0 ? TRUE : w32_fail(w32_error(rc));
}

/* ------------------------------------------------------------------------ */
/* What pipes-io.c reads                                                     */
/* ------------------------------------------------------------------------ */

/* The rest of a message a read left: into buf (0 or CPORT_EMSGSIZE while
 * some is left in message read mode); *done 0 if there is none. */
int w32_pipe_rest_take(int fd, char *buf, size_t len, size_t *done, bool *had) {
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_end *e = w32_pipe_end_locked(fd);
  int status = 0;
  *had = e != NULL && e->rest_len > e->rest_off;
  if (*had) {
    size_t held = e->rest_len - e->rest_off;
    *done = held < len ? held : len;
    memcpy(buf, e->rest + e->rest_off, *done);
    e->rest_off += *done;
    if (e->rest_off < e->rest_len)
      status = e->read_message ? CPORT_EMSGSIZE : 0;
    else
      rest_clear(e);
  }
  pthread_mutex_unlock(&w32_pipe_lock);
  return status;
}

void w32_pipe_rest_keep(int fd, char *whole, size_t len, size_t off) {
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_end *e = w32_pipe_end_locked(fd);
  if (e != NULL) {
    rest_clear(e);
    e->rest = whole;
    e->rest_len = len;
    e->rest_off = off;
    whole = NULL;
  }
  pthread_mutex_unlock(&w32_pipe_lock);
  free(whole);
}

size_t w32_pipe_rest_peek(int fd, void *buf, size_t size, size_t *copied) {
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_end *e = w32_pipe_end_locked(fd);
  size_t held = e != NULL ? e->rest_len - e->rest_off : 0;
  *copied = 0;
  if (held > 0 && buf != NULL) {
    *copied = held < size ? held : size;
    memcpy(buf, e->rest + e->rest_off, *copied);
  }
  pthread_mutex_unlock(&w32_pipe_lock);
  return held;
}

/* A listening instance whose client came before any ConnectNamedPipe:
 * "there is a good connection between client and server" (the
 * ConnectNamedPipe page), so the instance's I/O takes the client itself.
 * Not while a ConnectNamedPipe waits: that call takes it. */
static void take_early_client(int fd) {
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_end *ep = w32_pipe_end_locked(fd);
  int rc = 0;
  if (ep != NULL && ep->name != NULL && ep->state == P_LISTENING &&
      !ep->connecting && (rc = take_waiting(fd, ep->name->listen_fd)) == 1)
    connected_locked(ep);
  pthread_mutex_unlock(&w32_pipe_lock);
  if (rc == 1)
    w32_fd_connected(fd);
}

bool w32_pipe_info_of(int fd, struct w32_pipe_info *out) {
  /* A ConnectNamedPipe that ended but whose result nobody took yet (the
   * program saw its event): its connection moves in first, as the
   * instance is connected once the event is set. */
  w32_fixup_settle(fd);
  struct pipe_end e;
  if (!w32_pipe_end_copy(fd, &e))
    return false;
  if (e.state == P_LISTENING && e.name != NULL && !e.connecting) {
    take_early_client(fd);
    if (!w32_pipe_end_copy(fd, &e))
      return false;
  }
  out->server = e.name != NULL;
  out->message = e.message;
  out->read_message = e.read_message;
  out->overlapped = e.overlapped;
  out->can_read = e.can_read;
  out->can_write = e.can_write;
  out->state_error = e.state == P_LISTENING      ? ERROR_PIPE_LISTENING
                     : e.state == P_DISCONNECTED ? ERROR_PIPE_NOT_CONNECTED
                                                 : 0;
  return true;
}
