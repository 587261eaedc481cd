/*
 * socket.c - the socket half of cport.h on Windows: overlapped Winsock
 * calls on the op's OVERLAPPED. The kernel keeps the IOCP rules (exactly
 * once, order, cancel); this file checks arguments the way the Linux
 * backends do, so every backend refuses the same bad input with the same
 * code, and turns "finished inside the call" into CPORT_COMPLETED on
 * skip-on-success handles.
 */
#include <stdlib.h>
#include <string.h>

#include "win.h"

/* ------------------------------------------------------------------------ */
/* Common checks                                                             */
/* ------------------------------------------------------------------------ */

/* A stream socket with a peer; learned once, then remembered. Checked by
 * cport itself so every backend (and Wine) answers CPORT_ENOTCONN. */
bool cp_win_connected(struct cp_whandle *e) {
  if (e->type != SOCK_STREAM || (e->flags & CP_WH_CONNECTED))
    return true;
  struct sockaddr_storage ss;
  int len = sizeof(ss);
  if (getpeername((SOCKET)e->h, (struct sockaddr *)&ss, &len) != 0)
    return false;
  cp_win_set_flag((SOCKET)e->h, CP_WH_CONNECTED);
  return true;
}

/* The socket's entry, if it is an open socket associated with a port. */
int cp_win_lookup_socket(cport_handle_t s, struct cp_whandle *e) {
  if (!cp_wh_get(s, e))
    return CPORT_EBADF;
  if (e->flags & CP_WH_FILE)
    return CPORT_ENOTSOCK;
  if (e->port == NULL) /* not associated, or its port closed */
    return (e->flags & CP_WH_PORT_GONE) ? CPORT_ECLOSED : CPORT_EINVAL;
  return 0;
}

/* cp_win_lookup_socket() for what only a connected stream can do
 * (disconnect, transmit a file). */
int cp_win_lookup_stream_peer(cport_handle_t s, struct cp_whandle *e) {
  int rc = cp_win_lookup_socket(s, e);
  if (rc != 0)
    return rc;
  if (e->type != SOCK_STREAM)
    return CPORT_EOPNOTSUPP;
  return cp_win_connected(e) ? 0 : CPORT_ENOTCONN;
}

/* ------------------------------------------------------------------------ */
/* Sockets                                                                   */
/* ------------------------------------------------------------------------ */

CPORT_API int cport_socket(int family, int type, int protocol,
                           cport_handle_t *out) {
  if (out == NULL || (type != SOCK_STREAM && type != SOCK_DGRAM))
    return CPORT_EINVAL;
  int rc;
  if (cp_winsock(&rc) == NULL)
    return rc;
  SOCKET s = WSASocketW(family, type, protocol, NULL, 0,
                        WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET)
    return cp_win_error((DWORD)WSAGetLastError());
  struct cp_whandle e;
  memset(&e, 0, sizeof(e));
  e.h = (uintptr_t)s;
  e.type = (uint8_t)type;
  e.family = (uint8_t)family;
  rc = cp_wh_add(&e);
  if (rc != 0) {
    closesocket(s);
    return rc;
  }
  *out = (cport_handle_t)s;
  return 0;
}

CPORT_API int cport_closesocket(cport_handle_t s) {
  struct cp_whandle e;
  if (cp_wh_get(s, &e) && (e.flags & CP_WH_FILE))
    return CPORT_EBADF; /* a file: cport_file_close's */
  bool known = cp_wh_remove(s);
  /* Cancel first: every pending op then completes once with
   * ERROR_OPERATION_ABORTED, on Windows and on Wine alike (Wine's
   * closesocket alone leaves them pending forever). */
  CancelIoEx((HANDLE)s, NULL);
  if (closesocket((SOCKET)s) != 0) {
    int err = WSAGetLastError();
    return known || err != WSAENOTSOCK ? cp_win_error((DWORD)err) : CPORT_EBADF;
  }
  return 0;
}

CPORT_API int cport_accept(cport_handle_t listener, void *buf, uint32_t len,
                           cport_op_t *op) {
  int rc = cp_check_op(op);
  if (rc != 0)
    return rc;
  if (buf == NULL && len > 0)
    return CPORT_EINVAL;
  struct cp_whandle e;
  if ((rc = cp_win_lookup_socket(listener, &e)) != 0)
    return rc;
  if (e.type != SOCK_STREAM)
    return CPORT_EOPNOTSUPP;
  BOOL listening = FALSE;
  int optlen = sizeof(listening);
  if (getsockopt((SOCKET)listener, SOL_SOCKET, SO_ACCEPTCONN,
                 (char *)&listening, &optlen) != 0 ||
      !listening)
    return CPORT_EINVAL; /* as AcceptEx's WSAEINVAL, checked up front */
  const struct cp_winsock *ws = cp_winsock(&rc);
  cport_handle_t acc;
  if ((rc = cport_socket(e.family, SOCK_STREAM, 0, &acc)) != 0)
    return rc; /* out of sockets: the call fails, nothing is posted */
  if ((rc = cp_wop_start(&e, op, CP_W_ACCEPT)) != 0) {
    cport_closesocket(acc);
    return rc;
  }
  struct cp_wop *w = cp_wop(op);
  w->acc = (SOCKET)acc;
  char *out = w->addrs;
  if (len > 0) {
    /* AcceptEx puts the data and then the addresses in one buffer. */
    w->tmp = malloc((size_t)len + sizeof(w->addrs));
    if (w->tmp == NULL) {
      cport_closesocket(acc);
      cp_wop_abandon(&e, op);
      return CPORT_ENOMEM;
    }
    w->user_buf = buf;
    w->len = len;
    out = w->tmp;
  }
  DWORD bytes = 0;
  BOOL ok =
      ws->AcceptEx((SOCKET)listener, (SOCKET)acc, out, len, CP_ACCEPT_ADDRLEN,
                   CP_ACCEPT_ADDRLEN, &bytes, (LPOVERLAPPED)op);
  int err = ok ? 0 : WSAGetLastError();
  if (!ok && err != WSA_IO_PENDING) {
    cport_closesocket(acc);
    w->acc = INVALID_SOCKET;
  }
  /* From here the op may be another thread's: not touched again. */
  return cp_win_started(&e, op, ok, err);
}

/* ConnectEx wants a bound socket: bind to the wildcard address first. */
static int bind_if_unbound(SOCKET s, int family) {
  struct sockaddr_storage ss;
  int len = sizeof(ss);
  if (getsockname(s, (struct sockaddr *)&ss, &len) == 0)
    return 0;
  memset(&ss, 0, sizeof(ss));
  /* sa_family is ADDRESS_FAMILY (unsigned) in every SDK; ss_family is a
   * signed short in mingw-w64's. */
  ((struct sockaddr *)&ss)->sa_family = (ADDRESS_FAMILY)family;
  len = family == AF_INET6 ? (int)sizeof(struct sockaddr_in6)
                           : (int)sizeof(struct sockaddr_in);
  if (bind(s, (struct sockaddr *)&ss, len) != 0)
    return cp_win_error((DWORD)WSAGetLastError());
  return 0;
}

CPORT_API int cport_connect(cport_handle_t s, const struct sockaddr *to,
                            int tolen, const void *data, uint32_t len,
                            cport_op_t *op) {
  int rc = cp_check_connect(op, to, tolen, data, len);
  if (rc != 0)
    return rc;
  struct cp_whandle e;
  if ((rc = cp_win_lookup_socket(s, &e)) != 0)
    return rc;
  if (e.type == SOCK_DGRAM) {
    if (len > 0)
      return CPORT_EOPNOTSUPP;
    /* A datagram socket only records its peer: done now, completed by
     * cport through the port like any other op. */
    if (connect((SOCKET)s, to, tolen) != 0)
      return cp_win_error((DWORD)WSAGetLastError());
    if ((rc = cp_wop_start(&e, op, CP_W_POSTED)) != 0)
      return rc;
    if (e.flags & CP_WH_SKIP) {
      cp_wop_abandon(&e, op);
      return CPORT_COMPLETED;
    }
    return cp_win_post_started(&e, 0, op);
  }
  if ((rc = bind_if_unbound((SOCKET)s, to->sa_family)) != 0)
    return rc;
  const struct cp_winsock *ws = cp_winsock(&rc);
  if ((rc = cp_wop_start(&e, op, CP_W_CONNECT)) != 0)
    return rc;
  DWORD sent = 0;
  BOOL ok = ws->ConnectEx((SOCKET)s, to, tolen, (PVOID)data, len, &sent,
                          (LPOVERLAPPED)op);
  return cp_win_started(&e, op, ok, ok ? 0 : WSAGetLastError());
}

/*
 * Whether a receive may start on a stream socket cport never saw
 * connected. After a reset Windows no longer names the peer, yet the data
 * that arrived before the reset must still be delivered: bytes waiting
 * let the receive go on; otherwise a pending error (the reset) or
 * CPORT_ENOTCONN is the answer.
 */
static int stream_recv_state(struct cp_whandle *e) {
  if (e->type != SOCK_STREAM || cp_win_connected(e))
    return 0;
  u_long avail = 0;
  if (ioctlsocket((SOCKET)e->h, FIONREAD, &avail) == 0 && avail > 0)
    return 0;
  int err = 0, len = sizeof(err);
  if (getsockopt((SOCKET)e->h, SOL_SOCKET, SO_ERROR, (char *)&err, &len) == 0 &&
      err != 0)
    return cp_win_error((DWORD)err);
  return CPORT_ENOTCONN;
}

static int recv_common(cport_handle_t s, cport_buf_t *bufs, unsigned n,
                       struct sockaddr *from, int *fromlen, bool datagram,
                       cport_op_t *op) {
  int rc = cp_check_recv(op, bufs, n, from, fromlen);
  struct cp_whandle e;
  if (rc == 0)
    rc = cp_win_lookup_socket(s, &e);
  if (rc == 0 && datagram && e.type != SOCK_DGRAM)
    rc = CPORT_EOPNOTSUPP;
  if (rc == 0)
    rc = stream_recv_state(&e);
  if (rc != 0)
    return rc;
  if ((rc = cp_wop_start(&e, op, datagram ? CP_W_RECVFROM : CP_W_RECV)) != 0)
    return rc;
  DWORD bytes = 0, flags = 0;
  int r = datagram ? WSARecvFrom((SOCKET)s, (LPWSABUF)bufs, n, &bytes, &flags,
                                 from, fromlen, (LPWSAOVERLAPPED)op, NULL)
                   : WSARecv((SOCKET)s, (LPWSABUF)bufs, n, &bytes, &flags,
                             (LPWSAOVERLAPPED)op, NULL);
  int err = r == 0 ? 0 : WSAGetLastError();
  if (err == WSAECONNRESET && e.type == SOCK_DGRAM)
    err = ERROR_PORT_UNREACHABLE; /* an ICMP report: CPORT_ECONNREFUSED, as
                                     when the receive waited for it */
  return cp_win_started(&e, op, r == 0, err);
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
  struct cp_whandle e;
  if (rc == 0)
    rc = cp_win_lookup_socket(s, &e);
  if (rc == 0 && datagram && e.type != SOCK_DGRAM)
    rc = CPORT_EOPNOTSUPP;
  if (rc == 0 && !cp_win_connected(&e))
    rc = CPORT_ENOTCONN;
  if (rc == 0 && (e.flags & CP_WH_SHUT))
    rc = CPORT_ESHUTDOWN;
  if (rc != 0)
    return rc;
  if ((rc = cp_wop_start(&e, op, datagram ? CP_W_SENDTO : CP_W_SEND)) != 0)
    return rc;
  DWORD sent = 0;
  int r = datagram && to != NULL
              ? WSASendTo((SOCKET)s, (LPWSABUF)bufs, n, &sent, 0, to, tolen,
                          (LPWSAOVERLAPPED)op, NULL)
              : WSASend((SOCKET)s, (LPWSABUF)bufs, n, &sent, 0,
                        (LPWSAOVERLAPPED)op, NULL);
  return cp_win_started(&e, op, r == 0, r == 0 ? 0 : WSAGetLastError());
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
  int rc = cp_check_disconnect(op, flags);
  if (rc != 0)
    return rc;
  struct cp_whandle e;
  if ((rc = cp_win_lookup_stream_peer(s, &e)) != 0)
    return rc;
  const struct cp_winsock *ws = cp_winsock(&rc);
  if ((rc = cp_wop_start(&e, op, CP_W_DISCONNECT)) != 0)
    return rc;
  BOOL ok = ws->DisconnectEx((SOCKET)s, (LPOVERLAPPED)op, 0, 0);
  return cp_win_started(&e, op, ok, ok ? 0 : WSAGetLastError());
}

CPORT_API int cport_cancel(cport_handle_t h, cport_op_t *op) {
  struct cp_whandle e;
  if (!cp_wh_get(h, &e))
    return CPORT_EBADF;
  if (e.port == NULL)
    return CPORT_ENOENT;
  if (!CancelIoEx((HANDLE)h, (LPOVERLAPPED)op))
    return cp_win_error(GetLastError()); /* ERROR_NOT_FOUND: ENOENT */
  return 0;
}
