/*
 * sockio.c - the non-blocking system calls behind each socket operation
 * (layer 4). An attempt records its result in the op (status, bytes) and
 * says whether the op finished; ending the op is the engine's. The epoll
 * backend makes every attempt here; the io_uring backend uses these for
 * its attempts inside a call (skip on success), for connect, disconnect
 * and TransmitFile.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "engine.h"
#include "sockio.h"

/* ------------------------------------------------------------------------ */
/* Error classification                                                      */
/* ------------------------------------------------------------------------ */

int cp_send_errno(const struct cp_handle *h, int err) {
  if (err == EPIPE)
    return (h->flags & CP_HF_SHUT_WR) ? CPORT_ESHUTDOWN : CPORT_ECONNRESET;
  return -err;
}

/*
 * An ICMP error a datagram socket was told of. With IP_RECVERR (or
 * IPV6_RECVERR) on, which cport_socket and the Win32 layer set because
 * Windows reports an unreachable port to the next receive (and a program
 * may set on a socket of its own), each ICMP message leaves a report
 * on the socket's error queue and its errno in the socket's pending error,
 * which the next receive or send returns. Taking the oldest report off
 * the queue after each such failure keeps the queue (charged to the
 * receive buffer) no longer than what is still to be reported, and the
 * kernel then raises the next report's error, so each ICMP message fails
 * one call. Returns the report's errno, or 0 when the queue held none (the
 * error was a local one, or reports are off).
 */
int cp_icmp_report_take(int fd) {
  union {
    char buf[256];
    struct cmsghdr align;
  } ctl;
  struct msghdr m;
  memset(&m, 0, sizeof(m));
  m.msg_control = ctl.buf;
  m.msg_controllen = sizeof(ctl.buf);
  while (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
    if (errno != EINTR)
      return 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL;
       c = CMSG_NXTHDR(&m, c)) {
    if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
        (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
      struct sock_extended_err ee;
      memcpy(&ee, CMSG_DATA(c), sizeof(ee));
      return ee.ee_errno != 0 ? (int)ee.ee_errno : EIO;
    }
  }
  return EIO;
}

void cp_icmp_reports_on(int fd, int family) {
  int on = 1;
  if (family == AF_INET || family == AF_INET6)
    (void)setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
  if (family == AF_INET6)
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
}

int cp_dgram_error(const struct cp_handle *h, int err, bool recv_side) {
  int icmp = cp_icmp_report_take(h->fd);
  /* A send that ran into an ICMP report's error goes out anyway, also
   * when another call took the report off the queue first. */
  if (!recv_side &&
      (err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH))
    return 0;
  if (icmp == 0)
    return recv_side ? -err : cp_send_errno(h, err);
  /* Windows fails a receive for an unreachable port (WSAECONNRESET) and
   * nothing else: other reports, and any report a send ran into, are
   * passed over and the call made again. */
  return recv_side && icmp == ECONNREFUSED ? CPORT_ECONNREFUSED : 0;
}

int cp_recv_error(const struct cp_handle *h, int err) {
  return h->type == CP_H_DGRAM ? cp_dgram_error(h, err, true) : -err;
}

int cp_send_error(const struct cp_handle *h, int err) {
  return h->type == CP_H_DGRAM ? cp_dgram_error(h, err, false)
                               : cp_send_errno(h, err);
}

/* Connect failures that are the network's answer, reported through a
 * completion (like ConnectEx); anything else is the caller's mistake. */
bool cp_connect_error_is_outcome(int err) {
  switch (err) {
  case ECONNREFUSED:
  case ENETUNREACH:
  case EHOSTUNREACH:
  case ETIMEDOUT:
  case ECONNRESET:
  case ENETDOWN:
    return true;
  default:
    return false;
  }
}

/* ------------------------------------------------------------------------ */
/* Attempts                                                                  */
/* ------------------------------------------------------------------------ */

static int fail(cport_op_t *op, int status) {
  cp_op_result(op, status);
  /* Failing before any byte moved is the caller's to see at once;
   * after progress it becomes the operation's result. */
  return cp_lop(op)->done == 0 ? CP_TRY_REJECT : CP_TRY_DONE;
}

static int ok(cport_op_t *op) {
  cp_op_result(op, 0);
  return CP_TRY_DONE;
}

int cp_try_recv(struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  size_t want = cp_bufs_total(l->bufs, l->nbufs);
  int flags = MSG_DONTWAIT | (h->type == CP_H_DGRAM ? MSG_TRUNC : 0);
  for (;;) {
    ssize_t n;
    if (l->nbufs == 1) { /* recv(2) is cheaper than recvmsg(2) */
      n = cp_sys_recv(h->fd, l->bufs[0].base, l->bufs[0].len, flags);
    } else {
      struct msghdr *m = (struct msghdr *)(void *)cp_op_msghdr(l);
      m->msg_name = NULL;
      m->msg_namelen = 0;
      n = cp_sys_recvmsg(h->fd, m, flags);
    }
    if (n >= 0) {
      int r = cp_recv_result(h, op, n, want);
      if (r != CP_TRY_AGAIN)
        return r;
      want -= (size_t)n; /* a filling receive: more may be there */
      continue;
    }
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return CP_TRY_AGAIN;
    int status = cp_recv_error(h, errno);
    if (status == 0)
      continue; /* an ICMP report passed over */
    return fail(op, status);
  }
}

int cp_recv_result(struct cp_handle *h, cport_op_t *op, ssize_t n,
                   size_t want) {
  struct cp_lop *l = cp_lop(op);
  /* Linux reports a reset once (to whichever call came first: a send, it
   * may be), then the end of the stream: after a reset that end is the
   * reset, as on Windows; bytes a filling receive has come first. */
  if (n == 0 && want > 0 && (h->flags & CP_HF_RESET) && l->done == 0 &&
      h->type == CP_H_STREAM)
    return fail(op, CPORT_ECONNRESET);
  if (h->type == CP_H_DGRAM && (size_t)n > want) {
    /* MSG_TRUNC made the kernel report the datagram's full size. */
    l->done = (uint32_t)want;
    cp_op_result(op, CPORT_EMSGSIZE);
    return CP_TRY_DONE;
  }
  if (CP_UNLIKELY(l->flags & CP_OPF_FILL)) {
    /* A filling receive keeps what came and waits for the rest; the
     * peer's end (n == 0) ends it with what it has. */
    l->done += (uint32_t)n;
    cp_bufs_consume(l, (size_t)n);
    return n > 0 && cp_bufs_left(l) ? CP_TRY_AGAIN : ok(op);
  }
  l->done = (uint32_t)n;
  return ok(op);
}

static int try_pollin(struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  for (;;) {
    ssize_t n = cp_sys_recv(h->fd, &l->u.io.a.byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n >= 0) {
      l->done = 0; /* readiness only; the data stays queued */
      return ok(op);
    }
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return CP_TRY_AGAIN;
    return fail(op, -errno);
  }
}

void cp_recvfrom_addrlen(cport_op_t *op, uint32_t namelen) {
  struct cp_lop *l = cp_lop(op);
  if (l->flags & CP_OPF_MSG) { /* the block's length, in and out */
    struct cp_msgctl *c = l->u.io.a.msg;
    if (c->name != NULL && namelen < (uint32_t)c->namelen)
      c->namelen = (int)namelen;
    return;
  }
  if (l->u.io.a.fromlen == NULL)
    return;
  if (namelen > (uint32_t)*l->u.io.a.fromlen)
    namelen = (uint32_t)*l->u.io.a.fromlen;
  *l->u.io.a.fromlen = (int)namelen;
}

static int try_recvfrom(struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  size_t want = cp_bufs_total(l->bufs, l->nbufs);
  for (;;) {
    struct msghdr *m = (struct msghdr *)(void *)cp_op_msghdr(l);
    m->msg_name = l->u.io.msg.name;
    m->msg_namelen = l->u.io.msg.namelen;
    cp_op_msg_apply(l, &l->u.io.msg, false);
    ssize_t n = cp_sys_recvmsg(h->fd, m, MSG_DONTWAIT | MSG_TRUNC);
    if (n >= 0) {
      cp_recvfrom_addrlen(op, m->msg_namelen);
      cp_op_msg_received(l, m->msg_controllen, m->msg_flags);
      return cp_recv_result(h, op, n, want);
    }
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return CP_TRY_AGAIN;
    int status = cp_recv_error(h, errno);
    if (status == 0)
      continue; /* an ICMP report passed over */
    return fail(op, status);
  }
}

/* Send what is left of the op's buffers; `more` tells TCP that more
 * data follows at once (no partial segment yet). */
static int send_bufs(struct cp_handle *h, cport_op_t *op, int more) {
  struct cp_lop *l = cp_lop(op);
  int flags = MSG_DONTWAIT | MSG_NOSIGNAL | more;
  while (cp_bufs_left(l)) {
    ssize_t n;
    if (l->nbufs == 1) { /* send(2) is cheaper than sendmsg(2) */
      n = cp_sys_send(h->fd, l->bufs[0].base, l->bufs[0].len, flags);
    } else {
      struct msghdr *m = (struct msghdr *)(void *)cp_op_msghdr(l);
      m->msg_name = NULL;
      m->msg_namelen = 0;
      n = cp_sys_sendmsg(h->fd, m, flags);
    }
    if (n >= 0) {
      l->done += (uint32_t)n;
      cp_bufs_consume(l, (size_t)n);
      continue;
    }
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return CP_TRY_AGAIN;
    int status = cp_send_error(h, errno);
    if (status == 0)
      continue; /* an ICMP report passed over */
    return fail(op, status);
  }
  return ok(op);
}

int cp_try_send(struct cp_handle *h, cport_op_t *op) {
  return send_bufs(h, op, 0);
}

static int try_sendto(struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  for (;;) {
    struct msghdr *m = (struct msghdr *)(void *)cp_op_msghdr(l);
    m->msg_name = l->u.io.a.to;
    m->msg_namelen = l->u.io.msg.namelen;
    cp_op_msg_apply(l, &l->u.io.msg, true);
    ssize_t n = cp_sys_sendmsg(h->fd, m, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) {
      l->done = (uint32_t)n;
      return ok(op);
    }
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return CP_TRY_AGAIN;
    int status = cp_send_error(h, errno);
    if (status == 0)
      continue; /* an ICMP report passed over */
    return fail(op, status);
  }
}

/* A non-blocking connect has finished when SO_ERROR is set or the socket
 * has a peer. */
int cp_connect_check(struct cp_handle *h, cport_op_t *op) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
    err = errno;
  if (err == 0) {
    struct sockaddr_storage ss;
    len = sizeof(ss);
    if (getpeername(h->fd, (struct sockaddr *)&ss, &len) == 0) {
      h->flags = (uint16_t)((h->flags | CP_HF_CONNECTED) & ~CP_HF_CONNECTING);
      return ok(op);
    }
    if (errno == ENOTCONN)
      return CP_TRY_AGAIN; /* still connecting */
    err = errno;
  }
  if (err == ECONNRESET || err == EPIPE) {
    /* A reset of a connection the handshake had made (a refused attempt
     * says ECONNREFUSED): the connect succeeded, as ConnectEx says, and
     * the reset is the next op's answer. */
    h->flags = (uint16_t)((h->flags | CP_HF_CONNECTED | CP_HF_RESET) &
                          ~CP_HF_CONNECTING);
    return ok(op);
  }
  h->flags = (uint16_t)((h->flags & ~CP_HF_CONNECTING) | CP_HF_CONN_FAILED);
  cp_op_result(op, -err);
  return CP_TRY_DONE;
}

static int try_connect(struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  if (!(l->flags & CP_OPF_STAGE2)) {
    int r = cp_connect_check(h, op);
    if (r != CP_TRY_DONE || cp_lop(op)->status != 0)
      return r;
    l->flags |= CP_OPF_STAGE2;
  }
  /* Connected: send the data given to cport_connect, if any. */
  int r = send_bufs(h, op, 0);
  return r == CP_TRY_REJECT ? CP_TRY_DONE : r;
}

/*
 * TransmitFile: head, the file range, tail, then the optional shutdown,
 * as one op. The file part is sendfile(2) to the non-blocking socket: it
 * never waits for the peer (EAGAIN sends us back to waiting for
 * writability) and copies nothing through user space.
 *
 * TransmitPackets is the same op with a list of pieces after the tail:
 * each in turn is loaded into the head (memory) or the file range, and
 * sent as they are.
 */

/* Whether a piece of the list is still to load. */
static bool pieces_left(const struct cp_lop *l) {
  const struct cp_tpieces *t = l->u.tf.pieces;
  return t != NULL && t->next < t->n;
}

/* Whether what follows the current piece may be sent with it (MSG_MORE):
 * not after a piece marked end-of-packet. */
static bool more_after_piece(const struct cp_lop *l) {
  const struct cp_tpieces *t = l->u.tf.pieces;
  if (!pieces_left(l))
    return false;
  return t->next == 0 || !(t->p[t->next - 1].flags & CP_TP_EOP);
}

/* sendfile(2) to a socket whose peer is gone raises SIGPIPE, which it
 * cannot be told not to (cport's other sends pass MSG_NOSIGNAL), and on
 * epoll it runs on the program's thread: the signal, aimed at this
 * thread, is held back for the call and taken if the call raised it, so
 * the op ends with EPIPE and the process lives. (A program that blocks
 * SIGPIPE itself keeps what it gets.) */
static ssize_t sendfile_quiet(int out, int in, off_t *at, size_t n) {
  sigset_t pipe, old;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  if (pthread_sigmask(SIG_BLOCK, &pipe, &old) != 0 ||
      sigismember(&old, SIGPIPE))
    return sendfile(out, in, at, n);
  ssize_t r = sendfile(out, in, at, n);
  int err = errno;
  sigset_t held;
  /* (A call that sent part of its bytes may have raised it too.) */
  if ((r < 0 && err == EPIPE) ||
      (r >= 0 && (size_t)r < n && sigpending(&held) == 0 &&
       sigismember(&held, SIGPIPE))) {
    const struct timespec now = {0, 0};
    while (sigtimedwait(&pipe, NULL, &now) < 0 && errno == EINTR)
      ;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  errno = err;
  return r;
}

/* A disconnect's shutdown of the send side (DisconnectEx, TransmitFile's
 * TF_DISCONNECT). A socket its call found connected that has no
 * connection left (ENOTCONN) was reset by its peer if an op saw the reset
 * or the socket still holds it: that is what the call would answer now.
 * 0 or the error. */
static int shut_send(struct cp_handle *h) {
  if (shutdown(h->fd, SHUT_WR) == 0) {
    h->flags |= CP_HF_SHUT_WR;
    return 0;
  }
  if (errno != ENOTCONN)
    return -errno;
  int err = 0;
  socklen_t len = sizeof(err);
  if (!(h->flags & CP_HF_RESET) &&
      getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
      err != ECONNRESET && err != EPIPE)
    return err != 0 ? -err : CPORT_ENOTCONN; /* (what ended it, taken) */
  h->flags |= CP_HF_RESET;
  return CPORT_ECONNRESET;
}

/* Loads the list's next piece; false when none is left. */
static bool next_piece(struct cp_lop *l) {
  if (!pieces_left(l))
    return false;
  const struct cp_tpiece *p = &l->u.tf.pieces->p[l->u.tf.pieces->next++];
  bool file = p->base == NULL;
  l->u.tf.part[0].base = p->base;
  l->u.tf.part[0].len = file ? 0 : p->len;
  l->u.tf.part[1].len = 0;
  l->u.tf.off = p->off;
  l->u.tf.left = file ? p->len : 0;
  l->u.tf.fd = p->fd;
  l->u.tf.stage = file ? CP_TF_FILE : CP_TF_HEAD;
  return true;
}

static int try_transmit(struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  for (;;) {
    switch (l->u.tf.stage) {
    case CP_TF_HEAD:
    case CP_TF_TAIL: {
      bool head = l->u.tf.stage == CP_TF_HEAD;
      bool more = (head && (l->u.tf.left > 0 || l->u.tf.part[1].len > 0)) ||
                  more_after_piece(l);
      l->bufs = &l->u.tf.part[head ? 0 : 1];
      l->nbufs = 1;
      int r = send_bufs(h, op, more ? MSG_MORE : 0);
      if (r != CP_TRY_DONE || cp_lop(op)->status != 0)
        return r;
      if (head)
        l->u.tf.stage = CP_TF_FILE;
      else if (!next_piece(l))
        l->u.tf.stage = CP_TF_SHUTDOWN;
      break;
    }
    case CP_TF_FILE:
      while (l->u.tf.left > 0) {
        off_t at = (off_t)l->u.tf.off;
        size_t chunk = l->u.tf.left < (1u << 30) ? l->u.tf.left : (1u << 30);
        ssize_t n = sendfile_quiet(h->fd, l->u.tf.fd, &at, chunk);
        if (n > 0) {
          l->done += (uint32_t)n;
          l->u.tf.left -= (uint32_t)n;
          l->u.tf.off = (uint64_t)at;
        } else if (n == 0) {
          l->u.tf.left = 0; /* the file ended early */
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
          return CP_TRY_AGAIN;
        } else if (errno != EINTR) {
          return fail(op, cp_send_errno(h, errno));
        }
      }
      l->u.tf.stage = CP_TF_TAIL;
      break;
    case CP_TF_SHUTDOWN:
      if (l->u.tf.flags & CPORT_TF_DISCONNECT) {
        int rc = shut_send(h);
        if (rc != 0)
          return fail(op, rc);
      }
      l->u.tf.stage = CP_TF_DONE;
      break;
    default:
      return ok(op);
    }
  }
}

int cp_try_disconnect(struct cp_handle *h, cport_op_t *op) {
  /* For reuse (DisconnectEx with TF_REUSE_SOCKET, which marks the op
   * STAGE2), a connection that has already ended both ways (shut down
   * here, the peer's end read) has nothing left to disconnect. */
  int rc = shut_send(h);
  if (rc != 0 && !((rc == CPORT_ENOTCONN || rc == CPORT_ECONNRESET) &&
                   (cp_lop(op)->flags & CP_OPF_STAGE2)))
    return fail(op, rc);
  return ok(op);
}

/* Receive the first data into an accepted socket (AcceptEx with a buffer). */
int cp_try_accept_data(cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  for (;;) {
    ssize_t n =
        cp_sys_recv(l->aux_fd, l->bufs[0].base, l->bufs[0].len, MSG_DONTWAIT);
    if (n >= 0) {
      l->done = (uint32_t)n;
      return ok(op);
    }
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return CP_TRY_AGAIN;
    cp_op_result(op, -errno);
    cp_engine_accept_drop(op);
    return CP_TRY_DONE;
  }
}

static int try_accept(struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  if (l->flags & CP_OPF_STAGE2)
    return cp_try_accept_data(op);
  for (;;) {
    int fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      switch (errno) {
      case EINTR:
      case ECONNABORTED: /* the peer gave up in the backlog: next one */
      case EPROTO:
        continue;
      case EAGAIN:
#if EAGAIN != EWOULDBLOCK
      case EWOULDBLOCK:
#endif
        return CP_TRY_AGAIN;
      default:
        /* EMFILE, ENFILE, ENOBUFS, ENOMEM: the connection stays in the
         * backlog for a later accept; this one reports the error. */
        return fail(op, -errno);
      }
    }
    int rc = cp_engine_accept_setup(h, op, fd);
    if (rc != 0)
      return fail(op, rc);
    if (l->nbufs == 0)
      return ok(op);
    l->flags |= CP_OPF_STAGE2;
    int r = cp_try_accept_data(op);
    return r;
  }
}

int cp_try(struct cp_handle *h, cport_op_t *op) {
  switch (cp_lop(op)->kind) {
  case CP_OP_RECV:
    return cp_try_recv(h, op);
  case CP_OP_POLLIN:
    return try_pollin(h, op);
  case CP_OP_RECVFROM:
    return try_recvfrom(h, op);
  case CP_OP_ACCEPT:
    return try_accept(h, op);
  case CP_OP_SEND:
    return send_bufs(h, op, 0);
  case CP_OP_TRANSMIT:
    return try_transmit(h, op);
  case CP_OP_SENDTO:
    return try_sendto(h, op);
  case CP_OP_CONNECT:
    return try_connect(h, op);
  case CP_OP_DISCONNECT:
    return cp_try_disconnect(h, op);
  default:
    return fail(op, CPORT_EINVAL);
  }
}
