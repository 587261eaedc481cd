/*
 * socket.c - the socket half of cport.h on Linux: argument checks and
 * setting up each operation. Queues, exactly-once, cancel and close are the
 * engine's (engine.c); the backend starts ops (backend->start).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend.h"
#include "engine.h"
#include "sockio.h"

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
  struct cp_handle *h = cp_handle_slot(fd);
  if (h == NULL) {
    close(fd);
    return CPORT_EMFILE;
  }
  pthread_mutex_lock(&h->lock);
  cp_handle_open_locked(h, fd, type == SOCK_DGRAM ? CP_H_DGRAM : CP_H_STREAM,
                        (uint8_t)family);
  pthread_mutex_unlock(&h->lock);
  *out = fd;
  return 0;
}

CPORT_API int cport_closesocket(cport_handle_t s) {
  return cp_handle_close(s);
}

CPORT_API int cport_accept(cport_handle_t listener, void *buf, uint32_t len,
                           cport_op_t *op) {
  int rc = cp_check_op(op);
  if (rc != 0)
    return rc;
  if (buf == NULL && len > 0)
    return CPORT_EINVAL;
  struct cp_handle *h = cp_lock_socket(listener, &rc);
  if (h == NULL)
    return rc;
  if (h->type != CP_H_STREAM)
    rc = CPORT_EOPNOTSUPP;
  else if (!cp_is_listening(h))
    rc = CPORT_EINVAL;
  if (rc == 0) {
    cp_op_init(op, h, CP_OP_ACCEPT);
    cport_buf_t b = {buf, len};
    if (len > 0)
      cp_op_bufs(op, &b, 1);
    rc = cp_submit_locked(h->port, h, op);
  }
  pthread_mutex_unlock(&h->lock);
  return rc;
}

CPORT_API int cport_connect(cport_handle_t s, const struct sockaddr *to,
                            int tolen, const void *data, uint32_t len,
                            cport_op_t *op) {
  int rc = cp_check_connect(op, to, tolen, data, len);
  if (rc != 0)
    return rc;
  struct cp_handle *h = cp_lock_socket(s, &rc);
  if (h == NULL)
    return rc;
  if (h->type == CP_H_DGRAM && len > 0)
    rc = CPORT_EOPNOTSUPP;
  else if (h->flags & CP_HF_CONNECTING)
    rc = CPORT_EALREADY;
  else if (h->type == CP_H_STREAM && cp_is_connected(h))
    rc = CPORT_EISCONN;
  else if (cp_is_listening(h))
    rc = CPORT_EINVAL;
  if (rc == 0) {
    cp_op_init(op, h, CP_OP_CONNECT);
    cport_buf_t b = {(void *)data, len};
    cp_op_bufs(op, &b, 1);
    /* The connect itself happens now, while `to` is valid. */
    int r;
    do
      r = connect(h->fd, to, (socklen_t)tolen);
    while (r != 0 && errno == EINTR);
    if (r == 0) {
      h->flags |= CP_HF_CONNECTED;
      cp_lop(op)->flags |= CP_OPF_STAGE2;
    } else if (errno == EINPROGRESS) {
      h->flags |= CP_HF_CONNECTING;
    } else if (cp_connect_error_is_outcome(errno)) {
      /* Refused and friends are the operation's result, as with
       * ConnectEx: it completes, with that status. */
      op->internal = (uintptr_t)(intptr_t)-errno;
      cp_op_set_busy(op);
      rc = cp_finish_at_call(h, op);
      pthread_mutex_unlock(&h->lock);
      return rc;
    } else {
      rc = -errno;
    }
    if (rc == 0)
      rc = cp_submit_locked(h->port, h, op);
  }
  pthread_mutex_unlock(&h->lock);
  return rc;
}

static int recv_common(cport_handle_t s, cport_buf_t *bufs, unsigned n,
                       void *from, int *fromlen, bool datagram,
                       cport_op_t *op) {
  int rc = cp_check_recv(op, bufs, n, from, fromlen);
  if (rc != 0)
    return rc;
  struct cp_handle *h = cp_lock_socket(s, &rc);
  if (h == NULL)
    return rc;
  if (datagram && h->type != CP_H_DGRAM)
    rc = CPORT_EOPNOTSUPP;
  else if (h->type == CP_H_STREAM && !cp_is_connected(h))
    rc = CPORT_ENOTCONN;
  if (rc == 0) {
    size_t total = cp_bufs_total(bufs, n);
    uint8_t kind = datagram ? CP_OP_RECVFROM
                   : total == 0 ? CP_OP_POLLIN
                                : CP_OP_RECV;
    cp_op_init(op, h, kind);
    rc = cp_op_bufs(op, bufs, n);
    if (rc == 0 && datagram) {
      struct cp_lop *l = cp_lop(op);
      l->u.io.msg.name = from;
      l->u.io.msg.namelen = from ? (uint32_t)*fromlen : 0;
      l->u.io.a.fromlen = from ? fromlen : NULL;
    }
    if (rc == 0)
      rc = cp_submit_locked(h->port, h, op);
  }
  pthread_mutex_unlock(&h->lock);
  return rc;
}

CPORT_API int cport_recv(cport_handle_t s, cport_buf_t *bufs, unsigned n,
                         cport_op_t *op) {
  return recv_common(s, bufs, n, NULL, NULL, false, op);
}

CPORT_API int cport_recvfrom(cport_handle_t s, cport_buf_t *bufs, unsigned n,
                             struct sockaddr *from, int *fromlen,
                             cport_op_t *op) {
  return recv_common(s, bufs, n, from, fromlen, true, op);
}

static int send_common(cport_handle_t s, const cport_buf_t *bufs, unsigned n,
                       const struct sockaddr *to, int tolen, bool datagram,
                       cport_op_t *op) {
  int rc = cp_check_send(op, bufs, n, to, tolen);
  if (rc != 0)
    return rc;
  struct cp_handle *h = cp_lock_socket(s, &rc);
  if (h == NULL)
    return rc;
  if (datagram && h->type != CP_H_DGRAM)
    rc = CPORT_EOPNOTSUPP;
  else if ((!datagram || to == NULL) && !cp_is_connected(h))
    rc = CPORT_ENOTCONN;
  else if (h->flags & CP_HF_SHUT_WR)
    rc = CPORT_ESHUTDOWN;
  if (rc == 0) {
    cp_op_init(op, h, datagram ? CP_OP_SENDTO : CP_OP_SEND);
    rc = cp_op_bufs(op, bufs, n);
    if (rc == 0 && datagram) {
      struct cp_lop *l = cp_lop(op);
      if (to != NULL)
        memcpy(l->u.io.a.to, to, (size_t)tolen);
      l->u.io.msg.namelen = to ? (uint32_t)tolen : 0;
    }
    if (rc == 0)
      rc = cp_submit_locked(h->port, h, op);
  }
  pthread_mutex_unlock(&h->lock);
  return rc;
}

CPORT_API int cport_send(cport_handle_t s, const cport_buf_t *bufs, unsigned n,
                         cport_op_t *op) {
  return send_common(s, bufs, n, NULL, 0, false, op);
}

CPORT_API int cport_sendto(cport_handle_t s, const cport_buf_t *bufs,
                           unsigned n, const struct sockaddr *to, int tolen,
                           cport_op_t *op) {
  return send_common(s, bufs, n, to, tolen, true, op);
}

CPORT_API int cport_disconnect(cport_handle_t s, unsigned flags,
                               cport_op_t *op) {
  int rc = cp_check_op(op);
  if (rc != 0)
    return rc;
  if (flags != 0)
    return CPORT_EINVAL;
  struct cp_handle *h = cp_lock_stream_peer(s, &rc);
  if (h == NULL)
    return rc;
  cp_op_init(op, h, CP_OP_DISCONNECT);
  rc = cp_submit_locked(h->port, h, op);
  pthread_mutex_unlock(&h->lock);
  return rc;
}


/* ------------------------------------------------------------------------ */
/* Results                                                                   */
/* ------------------------------------------------------------------------ */

CPORT_API cport_handle_t cport_op_socket(const cport_op_t *op) {
  if (op == NULL || cp_op_busy(op))
    return CPORT_INVALID_HANDLE;
  const struct cp_lop *l = (const struct cp_lop *)(const void *)op->priv;
  if (l->kind != CP_OP_ACCEPT || op->internal != 0)
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
