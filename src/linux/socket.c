/*
 * socket.c - the socket calls of cport.h on Linux (layer 6): argument
 * checks and setting up each operation. Queues, exactly-once, cancel and
 * close are the engine's (engine.h); the backend starts ops.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine-diag.h"
#include "engine.h"
#include "hooks.h"
#include "sockio.h"

_Static_assert(sizeof(struct cport__msg) == sizeof(struct cp_msgctl) &&
                   offsetof(struct cport__msg, namelen) ==
                       offsetof(struct cp_msgctl, namelen) &&
                   offsetof(struct cport__msg, control) ==
                       offsetof(struct cp_msgctl, control) &&
                   offsetof(struct cport__msg, controllen) ==
                       offsetof(struct cp_msgctl, controllen) &&
                   offsetof(struct cport__msg, flags) ==
                       offsetof(struct cp_msgctl, flags) &&
                   offsetof(struct cport__msg, end) ==
                       offsetof(struct cp_msgctl, end),
               "cport__msg is cp_msgctl");

/* ------------------------------------------------------------------------ */
/* Public: sockets                                                           */
/* ------------------------------------------------------------------------ */

CPORT_API int cport_socket(int family, int type, int protocol,
                           cport_handle_t *out) {
  if (out == NULL || (type != SOCK_STREAM && type != SOCK_DGRAM))
    return CPORT_EINVAL;
  int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0)
    return -errno;
  if (type == SOCK_DGRAM)
    cp_icmp_reports_on(fd, family); /* as Windows: unreachable ports fail */
  int rc = cp_engine_open(fd, type == SOCK_DGRAM ? CP_H_DGRAM : CP_H_STREAM,
                          (uint8_t)family, 0);
  if (rc != 0) {
    close(fd);
    return rc;
  }
  *out = fd;
  return 0;
}

CPORT_API int cport_closesocket(cport_handle_t s) {
  struct stat st;
  if (s >= 0 && fstat(s, &st) == 0 && !S_ISSOCK(st.st_mode))
    return CPORT_EBADF; /* a file: cport_file_close's */
  return cp_engine_close(s);
}

/* cport_accept, with the layer's words (NULL: none). */
static int accept_with(cport_handle_t listener, void *buf, uint32_t len,
                       cport_op_t *op, const uintptr_t *word) {
  int rc = cp_check_op(op);
  if (rc != 0)
    return rc;
  if (buf == NULL && len > 0)
    return CPORT_EINVAL;
  struct cp_handle *h = cp_engine_lock(listener, CP_WANT_SOCKET, &rc);
  if (h == NULL)
    return rc;
  if (h->type != CP_H_STREAM)
    rc = CPORT_EOPNOTSUPP;
  else if (!cp_engine_listening(h))
    rc = CPORT_EINVAL;
  if (rc == 0 && (rc = cp_engine_op_init(op, h, CP_OP_ACCEPT)) == 0) {
    struct cp_lop *l = cp_lop(op);
    for (int i = 0; i < 3; i++)
      l->u.io.a.layer[i] = word != NULL ? word[i] : 0;
    cport_buf_t b = {buf, len};
    if (len > 0)
      cp_op_bufs(op, &b, 1);
    rc = cp_engine_submit(h, op);
  }
  cp_engine_unlock(h);
  return rc;
}

CPORT_API int cport_accept(cport_handle_t listener, void *buf, uint32_t len,
                           cport_op_t *op) {
  return accept_with(listener, buf, len, op, NULL);
}

CPORT_API int cport__accept_ex(cport_handle_t listener, void *buf, uint32_t len,
                               cport_op_t *op, const uintptr_t word[3]) {
  return word == NULL || word[0] == 0
             ? CPORT_EINVAL
             : accept_with(listener, buf, len, op, word);
}

/* connect(); returns 0 or errno. After a refused attempt Linux reports
 * ECONNABORTED once on the next connect(): a retry after a failure (which
 * ConnectEx allows) absorbs it. */
static int try_connect(struct cp_handle *h, const struct sockaddr *to,
                       int tolen) {
  for (int tries = 0;; tries++) {
    if (cp_sys_connect(h->fd, to, (socklen_t)tolen) == 0)
      break;
    if (errno == EINTR)
      continue;
    if (errno == ECONNABORTED && tries == 0 && (h->flags & CP_HF_CONN_FAILED))
      continue;
    return errno;
  }
  h->flags &= (uint16_t)~CP_HF_CONN_FAILED;
  return 0;
}

CPORT_API int cport_connect(cport_handle_t s, const struct sockaddr *to,
                            int tolen, const void *data, uint32_t len,
                            cport_op_t *op) {
  int rc = cp_check_connect(op, to, tolen, data, len);
  if (rc != 0)
    return rc;
  struct cp_handle *h = cp_engine_lock(s, CP_WANT_SOCKET, &rc);
  if (h == NULL)
    return rc;
  if (h->type == CP_H_DGRAM && len > 0)
    rc = CPORT_EOPNOTSUPP;
  else if (h->flags & CP_HF_CONNECTING)
    rc = CPORT_EALREADY;
  else if (h->type == CP_H_STREAM && cp_engine_connected(h))
    rc = CPORT_EISCONN;
  else if (cp_engine_listening(h))
    rc = CPORT_EINVAL;
  if (rc == 0 && (rc = cp_engine_op_init(op, h, CP_OP_CONNECT)) == 0) {
    cport_buf_t b = {(void *)data, len};
    cp_op_bufs(op, &b, 1);
    /* The connect itself happens now, while `to` is valid. */
    int err = CP_UNLIKELY(cp_diag_active()) ? cp_engine_diag_connect(h, op) : 0;
    if (err == 0)
      err = try_connect(h, to, tolen);
    if (err == 0) {
      h->flags |= CP_HF_CONNECTED;
      cp_lop(op)->flags |= CP_OPF_STAGE2;
    } else if (err == EINPROGRESS) {
      h->flags |= CP_HF_CONNECTING;
    } else if (cp_connect_error_is_outcome(err)) {
      /* Refused and friends are the operation's result, as with
       * ConnectEx: it completes, with that status. */
      h->flags |= CP_HF_CONN_FAILED;
      rc = cp_engine_submit_done(h, op, -err);
      cp_engine_unlock(h);
      return rc;
    } else {
      rc = cp_engine_refuse(op, -err);
    }
    if (rc == 0)
      rc = cp_engine_submit(h, op);
  }
  cp_engine_unlock(h);
  return rc;
}

/*
 * Whether a receive may start on stream socket h, and if not, the error.
 * A socket cport never saw connected (created elsewhere) is asked: after a
 * reset Linux no longer names its peer, yet the data that arrived before
 * the reset must still be delivered, and then the reset reported.
 */
static int stream_recv_state(struct cp_handle *h) {
  if (h->flags & CP_HF_SHUT_RD)
    return CPORT_ESHUTDOWN;
  if (h->flags & CP_HF_RESET)
    return CPORT_ECONNRESET; /* its data was delivered before it */
  if (cp_engine_connected(h))
    return 0;
  char c;
  ssize_t n = cp_sys_recv(h->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n >= 0)
    return 0; /* data, or the peer's close, is there to take */
  if (errno == ECONNRESET) {
    /* (Data would have come first: the reset is all there is.) */
    h->flags |= CP_HF_RESET;
    return CPORT_ECONNRESET;
  }
  return CPORT_ENOTCONN;
}

/* The same for a send: after a reset the call fails with it. */
static int stream_send_state(struct cp_handle *h) {
  if (h->flags & CP_HF_SHUT_WR)
    return CPORT_ESHUTDOWN;
  if (h->flags & CP_HF_RESET)
    return CPORT_ECONNRESET;
  if (cp_engine_connected(h))
    return 0;
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
      (err == ECONNRESET || err == EPIPE)) {
    h->flags |= CP_HF_RESET;
    return CPORT_ECONNRESET;
  }
  return CPORT_ENOTCONN;
}

/* msg: a datagram receive with control data (cport__recvmsg), whose
 * block gives the sender's room (from and fromlen are NULL then). */
static int recv_common(cport_handle_t s, cport_buf_t *bufs, unsigned n,
                       void *from, int *fromlen, bool datagram, bool fill,
                       struct cp_msgctl *msg, cport_op_t *op) {
  int rc = cp_check_recv(op, bufs, n, from, fromlen);
  if (rc == 0 && msg != NULL &&
      ((msg->name != NULL && msg->namelen <= 0) || msg->end == NULL ||
       (msg->control == NULL && msg->controllen > 0)))
    rc = CPORT_EINVAL;
  if (rc != 0)
    return rc;
  struct cp_handle *h = cp_engine_lock(s, CP_WANT_SOCKET, &rc);
  if (h == NULL)
    return rc;
  if ((datagram || fill) && h->type != (datagram ? CP_H_DGRAM : CP_H_STREAM))
    rc = CPORT_EOPNOTSUPP;
  else if (h->type == CP_H_STREAM)
    rc = stream_recv_state(h);
  if (rc == 0) {
    size_t total = cp_bufs_total(bufs, n);
    uint8_t kind = datagram     ? CP_OP_RECVFROM
                   : total == 0 ? CP_OP_POLLIN
                                : CP_OP_RECV;
    if ((rc = cp_engine_op_init(op, h, kind)) != 0) {
      cp_engine_unlock(h);
      return rc;
    }
    if (fill && kind == CP_OP_RECV)
      cp_lop(op)->flags |= CP_OPF_FILL;
    rc = cp_op_bufs(op, bufs, n);
    if (rc == 0 && datagram) {
      struct cp_lop *l = cp_lop(op);
      l->u.io.msg.name = from;
      l->u.io.msg.namelen = from ? (uint32_t)*fromlen : 0;
      l->u.io.a.fromlen = from ? fromlen : NULL;
      if (msg != NULL) {
        l->u.io.msg.name = msg->name;
        l->u.io.msg.namelen = msg->name ? (uint32_t)msg->namelen : 0;
        l->u.io.a.msg = msg;
        l->flags |= CP_OPF_MSG;
      }
    }
    rc = rc == 0 ? cp_engine_submit(h, op) : cp_engine_refuse(op, rc);
  }
  cp_engine_unlock(h);
  return rc;
}

CPORT_API int cport_recv(cport_handle_t s, cport_buf_t *bufs, unsigned n,
                         cport_op_t *op) {
  return recv_common(s, bufs, n, NULL, NULL, false, false, NULL, op);
}

CPORT_API int cport__recv_all(cport_handle_t s, cport_buf_t *bufs, unsigned n,
                              cport_op_t *op) {
  return recv_common(s, bufs, n, NULL, NULL, false, true, NULL, op);
}

CPORT_API int cport_recvfrom(cport_handle_t s, cport_buf_t *bufs, unsigned n,
                             struct sockaddr *from, int *fromlen,
                             cport_op_t *op) {
  return recv_common(s, bufs, n, from, fromlen, true, false, NULL, op);
}

CPORT_API int cport__recvmsg(cport_handle_t s, cport_buf_t *bufs, unsigned n,
                             struct cport__msg *msg, cport_op_t *op) {
  if (msg == NULL)
    return CPORT_EINVAL;
  return recv_common(s, bufs, n, NULL, NULL, true, false,
                     (struct cp_msgctl *)msg, op);
}

/* The bytes of a destination address the op keeps: an IPv4 or IPv6
 * address given in a larger buffer (a sockaddr_storage, as Windows code
 * passes it) is cut to its family's size, as sendto(2) reads no more;
 * other families must fit the op's copy. -1 if it cannot be kept. */
static int sendto_len(const struct sockaddr *to, int tolen) {
  if (tolen <= CP_SENDTO_MAX_ADDR)
    return tolen;
  if (to->sa_family == AF_INET)
    return (int)sizeof(struct sockaddr_in);
  if (to->sa_family == AF_INET6)
    return (int)sizeof(struct sockaddr_in6);
  return -1;
}

/* The kernel's refusals of a datagram send to an IPv4 or IPv6 socket,
 * made at the call on both backends (io_uring would report them in the
 * completion), as WSASendTo makes them: a destination shorter than its
 * family's address or of another family, and a datagram larger than the
 * protocol carries (IPv4 65,507 bytes, IPv6 65,527). */
static int dgram_check(const struct cp_handle *h, const struct sockaddr *to,
                       int tolen, const cport_buf_t *bufs, unsigned n) {
  if (h->family != AF_INET && h->family != AF_INET6)
    return 0; /* a local datagram socket: the kernel says at the end */
  int family = h->family;
  if (to != NULL && to->sa_family != AF_UNSPEC) {
    family = to->sa_family;
    if (family != h->family && !(family == AF_INET && h->family == AF_INET6))
      return CPORT_EAFNOSUPPORT; /* (an IPv6 socket sends to IPv4 too) */
    if (tolen < (int)(family == AF_INET
                          ? sizeof(struct sockaddr_in)
                          : offsetof(struct sockaddr_in6, sin6_scope_id)))
      return CPORT_EINVAL;
  }
  uint64_t bytes = 0;
  for (unsigned i = 0; i < n; i++)
    bytes += bufs[i].len;
  return bytes > (family == AF_INET ? 65507u : 65527u) ? CPORT_EMSGSIZE : 0;
}

/* msg: a datagram send with control data (cport__sendmsg), whose block
 * gives the destination (to is NULL then). */
static int send_common(cport_handle_t s, const cport_buf_t *bufs, unsigned n,
                       const struct sockaddr *to, int tolen, bool datagram,
                       struct cp_msgctl *msg, cport_op_t *op) {
  int rc = cp_check_send(op, bufs, n, to, tolen);
  if (rc == 0 && msg != NULL &&
      ((msg->name != NULL && msg->namelen <= 0) || msg->end == NULL ||
       (msg->control == NULL && msg->controllen > 0)))
    rc = CPORT_EINVAL;
  if (msg != NULL && msg->name != NULL)
    to = msg->name; /* for the checks below only: the block keeps it */
  if (rc != 0)
    return rc;
  if (to != NULL && (tolen = sendto_len(to, tolen)) < 0)
    return CPORT_EINVAL;
  struct cp_handle *h = cp_engine_lock(s, CP_WANT_SOCKET, &rc);
  if (h == NULL)
    return rc;
  if (datagram && h->type != CP_H_DGRAM)
    rc = CPORT_EOPNOTSUPP;
  else if (h->type == CP_H_STREAM)
    rc = stream_send_state(h);
  else if (to == NULL && !cp_engine_connected(h))
    rc = CPORT_ENOTCONN;
  else if (h->flags & CP_HF_SHUT_WR)
    rc = CPORT_ESHUTDOWN;
  if (rc == 0 && h->type == CP_H_DGRAM)
    rc = dgram_check(h, to, msg != NULL ? msg->namelen : tolen, bufs, n);
  if (rc == 0 && (rc = cp_engine_op_init(
                      op, h, datagram ? CP_OP_SENDTO : CP_OP_SEND)) == 0) {
    rc = cp_op_bufs(op, bufs, n);
    if (rc == 0 && datagram && msg != NULL) {
      struct cp_lop *l = cp_lop(op);
      l->u.io.msg.namelen = 0;
      l->u.io.a.msg = msg;
      l->flags |= CP_OPF_MSG;
    } else if (rc == 0 && datagram) {
      struct cp_lop *l = cp_lop(op);
      if (to != NULL)
        memcpy(l->u.io.a.to, to, (size_t)tolen);
      l->u.io.msg.namelen = to ? (uint32_t)tolen : 0;
    }
    if (rc != 0)
      rc = cp_engine_refuse(op, rc);
    else if (datagram || !(h->flags & CP_HF_AT_CALL) ||
             (rc = cp_engine_buffer_send(h, op)) == CP_SEND_NOT_BUFFERED)
      rc = cp_engine_submit(h, op);
  }
  cp_engine_unlock(h);
  if (CP_UNLIKELY(cp_sendbuf_pay)) {
    cp_sendbuf_pay = false;
    cp_port_pay_owed();
  }
  return rc;
}

CPORT_API int cport_send(cport_handle_t s, const cport_buf_t *bufs, unsigned n,
                         cport_op_t *op) {
  return send_common(s, bufs, n, NULL, 0, false, NULL, op);
}

CPORT_API int cport_sendto(cport_handle_t s, const cport_buf_t *bufs,
                           unsigned n, const struct sockaddr *to, int tolen,
                           cport_op_t *op) {
  return send_common(s, bufs, n, to, tolen, true, NULL, op);
}

CPORT_API int cport__sendmsg(cport_handle_t s, const cport_buf_t *bufs,
                             unsigned n, struct cport__msg *msg,
                             cport_op_t *op) {
  if (msg == NULL)
    return CPORT_EINVAL;
  return send_common(s, bufs, n, NULL, 0, true, (struct cp_msgctl *)msg, op);
}

int cp_disconnect(cport_handle_t s, bool reuse, cport_op_t *op) {
  int rc = cp_check_op(op);
  if (rc != 0)
    return rc;
  /* For reuse, a connection that ended both ways before the handle met
   * cport (no peer left to name) is fine: the caller knows it was one
   * (the Win32 layer checks). */
  struct cp_handle *h =
      cp_engine_lock(s, reuse ? CP_WANT_SOCKET : CP_WANT_STREAM_PEER, &rc);
  if (h == NULL)
    return rc;
  if (reuse && h->type != CP_H_STREAM) {
    cp_engine_unlock(h);
    return CPORT_EOPNOTSUPP;
  }
  if ((rc = cp_engine_op_init(op, h, CP_OP_DISCONNECT)) != 0) {
    cp_engine_unlock(h);
    return rc;
  }
  if (reuse)
    cp_lop(op)->flags |= CP_OPF_STAGE2; /* (sockio.c) */
  rc = cp_engine_submit(h, op);
  cp_engine_unlock(h);
  return rc;
}

CPORT_API int cport_disconnect(cport_handle_t s, unsigned flags,
                               cport_op_t *op) {
  int rc = cp_check_disconnect(op, flags);
  return rc != 0 ? rc : cp_disconnect(s, false, op);
}

/* ------------------------------------------------------------------------ */
/* Results                                                                   */
/* ------------------------------------------------------------------------ */

CPORT_API cport_handle_t cport_op_socket(const cport_op_t *op) {
  if (op == NULL || cp_op_busy(op))
    return CPORT_INVALID_HANDLE;
  const struct cp_lop *l = cp_lop_const(op);
  if (l->kind != CP_OP_ACCEPT || cport_op_status(op) != 0)
    return CPORT_INVALID_HANDLE;
  return l->aux_fd;
}

CPORT_API int cport_op_addresses(const cport_op_t *op, struct sockaddr *local,
                                 int *local_len, struct sockaddr *peer,
                                 int *peer_len) {
  cport_handle_t s = cport_op_socket(op);
  if (s == CPORT_INVALID_HANDLE)
    return CPORT_EINVAL;
  if ((local && (!local_len || *local_len <= 0)) ||
      (peer && (!peer_len || *peer_len <= 0)))
    return CPORT_EINVAL;
  socklen_t len;
  if (local) {
    len = (socklen_t)*local_len;
    if (getsockname(s, local, &len) != 0)
      return -errno;
    *local_len = (int)len;
  }
  if (peer) {
    len = (socklen_t)*peer_len;
    if (getpeername(s, peer, &len) != 0)
      return -errno;
    *peer_len = (int)len;
  }
  return 0;
}
