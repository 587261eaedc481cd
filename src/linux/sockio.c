/*
 * sockio.c - the non-blocking system calls behind each socket operation,
 * and how an operation finishes. The epoll backend makes every attempt
 * here; the io_uring backend uses these for its eager attempts (skip on
 * success), for connect and for disconnect.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backend.h"
#include "sockio.h"

_Static_assert(sizeof(cport_buf_t) == sizeof(struct iovec) &&
                   offsetof(cport_buf_t, base) == offsetof(struct iovec, iov_base) &&
                   offsetof(cport_buf_t, len) == offsetof(struct iovec, iov_len),
               "cport_buf_t is struct iovec");
_Static_assert(sizeof(struct cp_msghdr) == sizeof(struct msghdr) &&
                   offsetof(struct cp_msghdr, iov) == offsetof(struct msghdr, msg_iov) &&
                   offsetof(struct cp_msghdr, flags) == offsetof(struct msghdr, msg_flags),
               "cp_msghdr is struct msghdr");

/* ------------------------------------------------------------------------ */
/* Buffers                                                                   */
/* ------------------------------------------------------------------------ */

size_t cp_bufs_total(const cport_buf_t *b, unsigned n) {
  size_t t = 0;
  for (unsigned i = 0; i < n; i++)
    t += b[i].len;
  return t;
}

/* The first buffer with bytes left, and how many remain from there. */
static cport_buf_t *bufs_rest(struct cp_lop *l, unsigned *n) {
  unsigned i = 0;
  while (i < l->nbufs && l->bufs[i].len == 0)
    i++;
  *n = l->nbufs - i;
  return l->bufs + i;
}

void cp_bufs_consume(struct cp_lop *l, size_t n) {
  for (unsigned i = 0; i < l->nbufs && n > 0; i++) {
    size_t k = l->bufs[i].len < n ? l->bufs[i].len : n;
    l->bufs[i].base = (char *)l->bufs[i].base + k;
    l->bufs[i].len -= k;
    n -= k;
  }
}

bool cp_bufs_left(struct cp_lop *l) {
  unsigned n;
  bufs_rest(l, &n);
  return n > 0;
}

struct msghdr *cp_op_msghdr(struct cp_lop *l) {
  unsigned n;
  struct cp_msghdr *m = &l->u.io.msg;
  m->iov = bufs_rest(l, &n);
  m->iovlen = n;
  m->control = NULL;
  m->controllen = 0;
  m->flags = 0;
  return (struct msghdr *)(void *)m;
}

/* ------------------------------------------------------------------------ */
/* Error classification                                                      */
/* ------------------------------------------------------------------------ */

int cp_send_errno(const struct cp_handle *h, int err) {
  if (err == EPIPE)
    return (h->flags & CP_HF_SHUT_WR) ? CPORT_ESHUTDOWN : CPORT_ECONNRESET;
  return -err;
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
  op->internal = (uintptr_t)(intptr_t)status;
  /* Failing before any byte moved is the caller's to see at once;
   * after progress it becomes the operation's result. */
  return cp_lop(op)->done == 0 ? CP_TRY_REJECT : CP_TRY_DONE;
}

static int ok(cport_op_t *op) {
  op->internal = 0;
  return CP_TRY_DONE;
}

static int try_recv(struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  size_t want = cp_bufs_total(l->bufs, l->nbufs);
  int flags = MSG_DONTWAIT | (h->type == CP_H_DGRAM ? MSG_TRUNC : 0);
  for (;;) {
    struct msghdr *m = cp_op_msghdr(l);
    m->msg_name = NULL;
    m->msg_namelen = 0;
    ssize_t n = recvmsg(h->fd, m, flags);
    if (n >= 0)
      return cp_recv_result(h, op, n, want);
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return CP_TRY_AGAIN;
    return fail(op, -errno);
  }
}

int cp_recv_result(struct cp_handle *h, cport_op_t *op, ssize_t n,
                   size_t want) {
  struct cp_lop *l = cp_lop(op);
  if (h->type == CP_H_DGRAM && (size_t)n > want) {
    /* MSG_TRUNC made the kernel report the datagram's full size. */
    l->done = (uint32_t)want;
    op->internal = (uintptr_t)(intptr_t)CPORT_EMSGSIZE;
    return CP_TRY_DONE;
  }
  l->done = (uint32_t)n;
  return ok(op);
}

static int try_pollin(struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  for (;;) {
    ssize_t n = recv(h->fd, &l->u.io.a.byte, 1, MSG_PEEK | MSG_DONTWAIT);
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
    struct msghdr *m = cp_op_msghdr(l);
    m->msg_name = l->u.io.msg.name;
    m->msg_namelen = l->u.io.msg.namelen;
    ssize_t n = recvmsg(h->fd, m, MSG_DONTWAIT | MSG_TRUNC);
    if (n >= 0) {
      cp_recvfrom_addrlen(op, m->msg_namelen);
      return cp_recv_result(h, op, n, want);
    }
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return CP_TRY_AGAIN;
    return fail(op, -errno);
  }
}

/* Send what is left of the op's buffers; `more` tells TCP that more
 * data follows at once (no partial segment yet). */
static int send_bufs(struct cp_handle *h, cport_op_t *op, int more) {
  struct cp_lop *l = cp_lop(op);
  while (cp_bufs_left(l)) {
    struct msghdr *m = cp_op_msghdr(l);
    m->msg_name = NULL;
    m->msg_namelen = 0;
    ssize_t n = sendmsg(h->fd, m, MSG_DONTWAIT | MSG_NOSIGNAL | more);
    if (n >= 0) {
      l->done += (uint32_t)n;
      cp_bufs_consume(l, (size_t)n);
      continue;
    }
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return CP_TRY_AGAIN;
    return fail(op, cp_send_errno(h, errno));
  }
  return ok(op);
}

static int try_sendto(struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  for (;;) {
    struct msghdr *m = cp_op_msghdr(l);
    m->msg_name = l->u.io.a.to;
    m->msg_namelen = l->u.io.msg.namelen;
    ssize_t n = sendmsg(h->fd, m, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) {
      l->done = (uint32_t)n;
      return ok(op);
    }
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return CP_TRY_AGAIN;
    return fail(op, cp_send_errno(h, errno));
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
  h->flags &= (uint16_t)~CP_HF_CONNECTING;
  op->internal = (uintptr_t)(intptr_t)-err;
  return CP_TRY_DONE;
}

static int try_connect(struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  if (!(l->flags & CP_OPF_STAGE2)) {
    int r = cp_connect_check(h, op);
    if (r != CP_TRY_DONE || op->internal != 0)
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
 */
static int try_transmit(struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  for (;;) {
    switch (l->u.tf.stage) {
    case CP_TF_HEAD:
    case CP_TF_TAIL: {
      bool head = l->u.tf.stage == CP_TF_HEAD;
      bool more = head && (l->u.tf.left > 0 || l->u.tf.part[1].len > 0);
      l->bufs = &l->u.tf.part[head ? 0 : 1];
      l->nbufs = 1;
      int r = send_bufs(h, op, more ? MSG_MORE : 0);
      if (r != CP_TRY_DONE || op->internal != 0)
        return r;
      l->u.tf.stage = head ? CP_TF_FILE : CP_TF_SHUTDOWN;
      break;
    }
    case CP_TF_FILE:
      while (l->u.tf.left > 0) {
        off_t at = (off_t)l->u.tf.off;
        size_t chunk = l->u.tf.left < (1u << 30) ? l->u.tf.left : (1u << 30);
        ssize_t n = sendfile(h->fd, l->u.tf.fd, &at, chunk);
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
        if (shutdown(h->fd, SHUT_WR) != 0)
          return fail(op, -errno);
        h->flags |= CP_HF_SHUT_WR;
      }
      l->u.tf.stage = CP_TF_DONE;
      break;
    default:
      return ok(op);
    }
  }
}

int cp_try_disconnect(struct cp_handle *h, cport_op_t *op) {
  if (shutdown(h->fd, SHUT_WR) != 0)
    return fail(op, -errno);
  h->flags |= CP_HF_SHUT_WR;
  return ok(op);
}

/* Receive the first data into an accepted socket (AcceptEx with a buffer). */
int cp_try_accept_data(cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  for (;;) {
    ssize_t n = recv(l->aux_fd, l->bufs[0].base, l->bufs[0].len, MSG_DONTWAIT);
    if (n >= 0) {
      l->done = (uint32_t)n;
      return ok(op);
    }
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return CP_TRY_AGAIN;
    op->internal = (uintptr_t)(intptr_t)-errno;
    cp_accept_drop(op);
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
    int rc = cp_accept_setup(h, op, fd);
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
    return try_recv(h, op);
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

/* ------------------------------------------------------------------------ */
/* Accepted sockets                                                          */
/* ------------------------------------------------------------------------ */

int cp_accept_setup(struct cp_handle *listener, cport_op_t *op, int fd) {
  struct cp_handle *n = cp_handle_slot(fd);
  if (n == NULL) {
    close(fd);
    return CPORT_EMFILE;
  }
  pthread_mutex_lock(&n->lock);
  cp_handle_open_locked(n, fd, CP_H_STREAM, listener->family);
  n->flags |= CP_HF_CONNECTED;
  pthread_mutex_unlock(&n->lock);
  cp_lop(op)->aux_fd = fd;
  return 0;
}

void cp_accept_drop(cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  if (l->aux_fd < 0)
    return;
  struct cp_handle *n = cp_handle_peek(l->aux_fd);
  if (n != NULL) {
    pthread_mutex_lock(&n->lock);
    n->flags = 0;
    pthread_mutex_unlock(&n->lock);
  }
  close(l->aux_fd);
  l->aux_fd = -1;
}

/* ------------------------------------------------------------------------ */
/* Finishing                                                                 */
/* ------------------------------------------------------------------------ */

void cp_op_release(cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  if (l->flags & CP_OPF_HEAPIOV) {
    free(l->bufs);
    l->bufs = NULL;
    l->flags &= (uint8_t)~CP_OPF_HEAPIOV;
  }
  if ((l->flags & CP_OPF_COUNTED) && l->port != NULL) {
    l->flags &= (uint8_t)~CP_OPF_COUNTED;
    cp_port_kernel_work_add(l->port, -1);
  }
  if (l->kind == CP_OP_ACCEPT && (int)op->internal != 0)
    cp_accept_drop(op);
  op->internal_high = l->done;
}

void cp_op_finish(cport_op_t *op, struct cp_batch *b) {
  struct cp_lop *l = cp_lop(op);
  cp_op_release(op);
  struct cport *p = l->port;
  uintptr_t key = l->key;
  uint32_t bytes = l->done;
  int status = (int)(intptr_t)op->internal;
  cp_op_set_idle(op);
  if (b != NULL && b->port == p)
    cp_batch_add(b, op, key, bytes, status);
  else
    cp_port_complete(p, op, key, bytes, status);
}
