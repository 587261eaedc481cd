/*
 * wsaio.c - Winsock's data calls: WSARecv, WSASend, WSARecvFrom and
 * WSASendTo, and WSARecvMsg and WSASendMsg (datagrams with control
 * data, wsamsg.c), overlapped (through cport) or blocking (no
 * OVERLAPPED), and WSAIoctl for the extension functions, keep-alive
 * values and the ioctlsocket commands.
 */
#include <limits.h>
#include <stdlib.h>

#include "win32.h"

/* WSABUFs a call converts on its stack; up to W32_MAX_BUFS (cport's
 * limit for one op, Linux's IOV_MAX) on the heap. */
#define W32_STACK_BUFS 64
#define W32_MAX_BUFS 1024

/* WSABUF (len, buf) to cport_buf_t (base, len). */
static int convert(LPWSABUF in, DWORD n, cport_buf_t *out, size_t *total) {
  if (in == NULL || n == 0)
    return WSAEFAULT;
  *total = 0;
  for (DWORD i = 0; i < n; i++) {
    if (w32_outside_user_space(in[i].buf, in[i].len))
      return WSAEFAULT;
    out[i] = cport_buf_init(in[i].buf, in[i].len);
    *total += in[i].len;
  }
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Without an OVERLAPPED: blocking                                           */
/* ------------------------------------------------------------------------ */

/* Drops the first `done` bytes of the iovecs. */
static void advance(struct msghdr *m, size_t done) {
  while (done > 0 && m->msg_iovlen > 0) {
    struct iovec *v = m->msg_iov;
    if (done < v->iov_len) {
      v->iov_base = (char *)v->iov_base + done;
      v->iov_len -= done;
      return;
    }
    done -= v->iov_len;
    m->msg_iov++;
    m->msg_iovlen--;
  }
}

/* The control data of WSARecvMsg and WSASendMsg (Linux cmsgs), and what
 * a message received says of itself. */
struct msg_part {
  struct cport__msg *block; /* overlapped: the op's (NULL once taken) */
  void *control;            /* blocking: the cmsgs, or room for them */
  size_t controllen;        /* their bytes; a receive sets it */
  int flags;                /* a receive's msg_flags */
};

/* The call, waiting for the socket when it would block (unless the
 * program set FIONBIO). A blocking send sends everything. mp: control
 * data (WSARecvMsg, WSASendMsg) or NULL. */
static int blocking_io(SOCKET s, cport_buf_t *b, DWORD n, size_t total,
                       bool recv_side, int flags, struct sockaddr *addr,
                       int *addrlen, struct msg_part *mp, LPDWORD bytes) {
  int fd = (int)s;
  struct msghdr m;
  memset(&m, 0, sizeof(m));
  m.msg_iov = (struct iovec *)(void *)b;
  m.msg_iovlen = n;
  m.msg_name = addr;
  m.msg_namelen = addrlen ? (socklen_t)*addrlen : 0;
  bool nonblock = (w32_fd_flags(fd) & W32_FD_NONBLOCK) != 0;
  /* The overlapped ops started before it go first (their sends' bytes,
   * the bytes for their receives): a non-blocking socket has no room or
   * no data for it until they have ended. */
  uint64_t until = 0; /* (one deadline for the call's waits) */
  int queued = w32_fd_wait_queued(fd, recv_side, nonblock, &until);
  if (queued != 0)
    return w32_wsa_fail(queued == 1   ? WSAETIMEDOUT
                        : queued == 2 ? WSAEINTR /* closed by another thread */
                        : queued == 3 ? WSA_OPERATION_ABORTED /* cancelled */
                                      : WSAEWOULDBLOCK);
  /* Every byte before it returns: a blocking send, and a receive with
   * MSG_WAITALL (until the buffers are full, the end, or an error). */
  bool all = !recv_side || ((flags & MSG_WAITALL) && !(flags & MSG_PEEK) &&
                            !w32_is_datagram(fd));
  size_t done = 0;
  ssize_t held;
  while (recv_side && done < total &&
         w32_held_first(fd, m.msg_iov, (unsigned)m.msg_iovlen, flags, !nonblock,
                        &held)) {
    if (held < 0 && done == 0)
      return w32_wsa_errno(errno);
    if (held > 0)
      done += (size_t)held;
    if (held <= 0 || !all || done == total) {
      if (bytes)
        *bytes = (DWORD)done;
      return 0;
    }
    advance(&m, (size_t)held);
  }
  for (;;) {
    if (mp != NULL) {
      m.msg_control = mp->controllen > 0 ? mp->control : NULL;
      m.msg_controllen = mp->controllen;
    }
    ssize_t r = recv_side
                    ? recvmsg(fd, &m, (flags & ~MSG_WAITALL) | MSG_DONTWAIT)
                    : sendmsg(fd, &m, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
    if (r >= 0) {
      done += (size_t)r;
      if (all && done < total && r > 0) {
        advance(&m, (size_t)r);
        continue;
      }
      if (bytes)
        *bytes = (DWORD)done;
      if (addrlen && recv_side && m.msg_namelen > 0)
        *addrlen = (int)m.msg_namelen; /* none on a stream: left as it was */
      if (mp != NULL && recv_side) {
        mp->controllen = m.msg_controllen;
        mp->flags = m.msg_flags;
      } else if (recv_side && (m.msg_flags & MSG_TRUNC)) {
        /* "the buffers are filled with the first part of the datagram,
         * and WSARecvFrom generates the error WSAEMSGSIZE" */
        return w32_wsa_fail(WSAEMSGSIZE);
      }
      return 0;
    }
    if (errno == EINTR)
      continue;
    if (errno == ECONNRESET)
      w32_fd_set_flags(fd, W32_FD_RESET, 0);
    if (errno != EAGAIN && w32_icmp_passed(fd, !recv_side))
      continue;
    if (errno == ECONNREFUSED && recv_side && w32_is_datagram(fd))
      return w32_wsa_fail(WSAECONNRESET); /* a port unreachable */
    if (errno != EAGAIN || (nonblock && done == 0))
      return w32_wsa_errno(errno);
    if (nonblock) {
      if (bytes)
        *bytes = (DWORD)done;
      return 0;
    }
    int w = w32_fd_wait(fd, recv_side ? POLLIN : POLLOUT, &until);
    if (w == 1 && done > 0) { /* a send timed out part way */
      if (bytes)
        *bytes = (DWORD)done;
      return 0;
    }
    if (w != 0)
      return w32_wsa_fail(w == 1   ? WSAETIMEDOUT
                          : w == 2 ? WSAEINTR /* closed by another thread */
                          : w == 3 ? WSA_OPERATION_ABORTED /* cancelled */
                                   : WSAENOTSOCK);
  }
}

/* ------------------------------------------------------------------------ */
/* With an OVERLAPPED                                                        */
/* ------------------------------------------------------------------------ */

/* Winsock's answer for an overlapped call cport accepted or refused. The
 * OVERLAPPED is not read: its completion may be another thread's by now.
 * A reset seen at the call is remembered for the socket. */
static int wsa_started(int fd, int rc, LPDWORD bytes, LPDWORD flags) {
  uint32_t n = 0;
  int status = -1;
  bool inline_done =
      (rc == 0 || rc == CPORT_COMPLETED) && cport__last_inline(&n, &status);
  if (rc == CPORT_ECONNRESET || (inline_done && status == CPORT_ECONNRESET))
    w32_fd_set_flags(fd, W32_FD_RESET, 0);
  if (inline_done && status == 0) {
    if (bytes)
      *bytes = n;
    if (flags)
      *flags = 0;
    return 0; /* finished inside the call (still posted unless skip mode) */
  }
  if (rc == CPORT_ECONNREFUSED && w32_is_datagram(fd))
    return w32_wsa_fail(WSAECONNRESET); /* an ICMP "port unreachable" */
  return w32_wsa_fail(rc == 0 || rc == CPORT_COMPLETED ? WSA_IO_PENDING
                                                       : w32_wsa_error(rc));
}

/* The largest datagram a socket of fd's family may send. */
static size_t max_datagram(int fd) {
  int family = AF_INET;
  socklen_t l = sizeof(family);
  getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &l);
  return family == AF_INET6 ? 65527u : 65507u;
}

/* What the six calls share. addr/addrlen: the datagram peer (NULL for
 * WSARecv and WSASend); `datagram` says which calls they are; mp: the
 * control data of WSARecvMsg and WSASendMsg (their block, when
 * overlapped, is the op's once cport took it: mp->block is NULL then). */
static int wsa_io_run(SOCKET s, LPWSABUF bufs, DWORD n, cport_buf_t *b,
                      LPDWORD bytes, LPDWORD out_flags, int flags,
                      bool recv_side, bool datagram, struct sockaddr *addr,
                      int *addrlen, struct msg_part *mp, LPWSAOVERLAPPED ov,
                      LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  size_t total = 0;
  int err = convert(bufs, n, b, &total);
  if (err)
    return w32_wsa_fail(err);
  int fd = (int)s;
  unsigned fl; /* the descriptor's layer flags, read once */
  int gone = w32_socket_call(fd, &fl);
  if (gone)
    return w32_wsa_fail(gone);
  if (recv_side)
    flags &= ~MSG_PUSH_IMMEDIATE; /* (its value is Linux's MSG_TRUNC) */
  /* A stream has no messages: MSG_PARTIAL changes nothing on one, and
   * TCP takes it (its value is Linux's MSG_MORE). */
  if ((flags & MSG_PARTIAL) && !w32_is_datagram(fd))
    flags &= ~MSG_PARTIAL;
  if (datagram && !recv_side && total > 65507 && w32_is_datagram(fd) &&
      total > max_datagram(fd))
    return w32_wsa_fail(WSAEMSGSIZE); /* too big for one datagram */
  if (!datagram && (fl & W32_FD_RESET))
    return w32_wsa_fail(WSAECONNRESET); /* it stays reset, as on Windows */
  if (datagram && recv_side && !(fl & W32_FD_BOUND) && w32_unbound_datagram(fd))
    return w32_wsa_fail(WSAEINVAL);
  if (ov == NULL) {
    if (fl & (recv_side ? W32_FD_SHUT_RD : W32_FD_SHUT_WR))
      return w32_wsa_fail(WSAESHUTDOWN); /* (overlapped: cport says it) */
    int allowed = recv_side ? (MSG_PEEK | MSG_OOB | MSG_WAITALL)
                            : (MSG_OOB | MSG_DONTROUTE);
    if (flags & ~allowed)
      return w32_wsa_fail(WSAEOPNOTSUPP);
    int rc =
        blocking_io(s, b, n, total, recv_side, flags, addr, addrlen, mp, bytes);
    if (rc == 0 && out_flags)
      *out_flags = 0;
    return rc;
  }
  /* MSG_WAITALL alone on a stream: the op ends when the buffers are full,
   * the peer's end came or an error (cport__recv_all; a datagram socket
   * refuses it). MSG_PEEK, MSG_OOB: blocking only. */
  bool fill = recv_side && !datagram && flags == MSG_WAITALL;
  if (flags != 0 && !fill)
    return w32_wsa_fail(WSAEOPNOTSUPP);
  /* A routine: queued to this thread as the op ends (routines.c). */
  bool routed = routine != NULL;
  if (routed && !w32_routine_begin(ov, routine))
    return w32_wsa_fail(WSAENOBUFS);
  int rc = w32_ov_begin(fd, ov);
  if (rc != 0) {
    if (routed)
      w32_routine_refused(ov);
    return w32_wsa_fail(rc == W32_BAD_EVENT ? WSA_INVALID_HANDLE
                                            : w32_wsa_error(rc));
  }
  cport_op_t *op = (cport_op_t *)(void *)ov;
  if (mp != NULL) {
    rc = recv_side ? cport__recvmsg(fd, b, n, mp->block, op)
                   : cport__sendmsg(fd, b, n, mp->block, op);
    if (rc >= 0)
      mp->block = NULL; /* the op's: its end frees it */
  } else if (recv_side)
    rc = datagram ? cport_recvfrom(fd, b, n, addr, addrlen, op)
         : fill   ? cport__recv_all(fd, b, n, op)
                  : cport_recv(fd, b, n, op);
  else
    rc = datagram ? cport_sendto(fd, b, n, addr, addr ? *addrlen : 0, op)
                  : cport_send(fd, b, n, op);
  if (rc == CPORT_EOPNOTSUPP && datagram &&
      mp == NULL) /* on a stream (nothing started): */
    rc = recv_side ? cport_recv(fd, b, n, op)  /* the address is ignored and */
                   : cport_send(fd, b, n, op); /* the call acts as WSARecv */
  w32_ov_end(ov, rc);
  if (rc < 0 && routed)
    w32_routine_refused(ov); /* refused: no end will queue it */
  return wsa_started(fd, rc, bytes, out_flags);
}

/* wsa_io_run with room for the converted buffers (cport copies them as
 * it takes an op, so they live only as long as the call). */
static int wsa_io_call(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                       LPDWORD out_flags, int flags, bool recv_side,
                       bool datagram, struct sockaddr *addr, int *addrlen,
                       struct msg_part *mp, LPWSAOVERLAPPED ov,
                       LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  cport_buf_t stack[W32_STACK_BUFS];
  cport_buf_t *b = stack;
  if (n > W32_MAX_BUFS)
    return w32_wsa_fail(WSAENOBUFS);
  if (n > W32_STACK_BUFS && (b = malloc(n * sizeof(*b))) == NULL)
    return w32_wsa_fail(WSAENOBUFS);
  int rc = wsa_io_run(s, bufs, n, b, bytes, out_flags, flags, recv_side,
                      datagram, addr, addrlen, mp, ov, routine);
  if (b != stack)
    free(b);
  return rc;
}

/* wsa_io_call, then WSAEventSelect's re-enabling: any receive re-enables
 * FD_READ, a send that would block FD_WRITE. The last error is kept. */
static int wsa_io(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                  LPDWORD out_flags, int flags, bool recv_side, bool datagram,
                  struct sockaddr *addr, int *addrlen, struct msg_part *mp,
                  LPWSAOVERLAPPED ov,
                  LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  int rc = wsa_io_call(s, bufs, n, bytes, out_flags, flags, recv_side, datagram,
                       addr, addrlen, mp, ov, routine);
  if (recv_side)
    w32_es_note((int)s, FD_READ);
  else if (rc == SOCKET_ERROR && WSAGetLastError() == WSAEWOULDBLOCK)
    w32_es_note((int)s, FD_WRITE);
  return rc;
}

CPORT_API int WSARecv(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                      LPDWORD flags, LPWSAOVERLAPPED ov,
                      LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  if (flags == NULL)
    return w32_wsa_fail(WSAEFAULT);
  return wsa_io(s, bufs, n, bytes, flags, (int)*flags, true, false, NULL, NULL,
                NULL, ov, routine);
}

CPORT_API int WSASend(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                      DWORD flags, LPWSAOVERLAPPED ov,
                      LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  return wsa_io(s, bufs, n, bytes, NULL, (int)flags, false, false, NULL, NULL,
                NULL, ov, routine);
}

CPORT_API int WSARecvFrom(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                          LPDWORD flags, struct sockaddr *from, LPINT fromlen,
                          LPWSAOVERLAPPED ov,
                          LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  if (flags == NULL || (from != NULL && (fromlen == NULL || *fromlen < 0 ||
                                         w32_from_too_small((int)s, *fromlen))))
    return w32_wsa_fail(WSAEFAULT);
  return wsa_io(s, bufs, n, bytes, flags, (int)*flags, true, true, from,
                from ? fromlen : NULL, NULL, ov, routine);
}

CPORT_API int WSASendTo(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                        DWORD flags, const struct sockaddr *to, int tolen,
                        LPWSAOVERLAPPED ov,
                        LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  if (to != NULL && tolen > 0 && w32_no_remote(to, (size_t)tolen) &&
      w32_is_datagram((int)s))
    return w32_wsa_fail(WSAEADDRNOTAVAIL); /* (a stream ignores it) */
  return wsa_io(s, bufs, n, bytes, NULL, (int)flags, false, true,
                (struct sockaddr *)to, to ? &tolen : NULL, NULL, ov, routine);
}

/* ------------------------------------------------------------------------ */
/* WSARecvMsg and WSASendMsg                                                 */
/* ------------------------------------------------------------------------ */

/* What both check first: the message, and a datagram socket (WSARecvMsg
 * and WSASendMsg are for datagram and raw sockets only). 0 or the WSA
 * error. */
static int msg_check(SOCKET s, LPWSAMSG msg, LPDWORD bytes,
                     LPWSAOVERLAPPED ov) {
  if (msg == NULL || (bytes == NULL && ov == NULL) ||
      (msg->name == NULL && msg->namelen != 0) ||
      (msg->name != NULL && msg->namelen <= 0) ||
      (msg->Control.buf == NULL && msg->Control.len != 0))
    return WSAEFAULT;
  if (!w32_is_socket((int)s))
    return WSAENOTSOCK;
  if (!w32_is_datagram((int)s))
    return WSAEOPNOTSUPP;
  return 0;
}

/* Room for a blocking call's cmsgs: on the stack when small. */
#define MSG_STACK_ROOM 512

static INT WINAPI WSARecvMsg(SOCKET s, LPWSAMSG msg, LPDWORD bytes,
                             LPWSAOVERLAPPED ov,
                             LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  int err = msg_check(s, msg, bytes, ov);
  if (err == 0 && msg->name != NULL && w32_from_too_small((int)s, msg->namelen))
    err = WSAEFAULT;
  if (err == 0 && (msg->dwFlags & ~(DWORD)MSG_PEEK))
    err = WSAEOPNOTSUPP; /* MSG_PEEK is the only flag it takes */
  if (err != 0)
    return w32_wsa_fail(err);
  struct msg_part mp = {NULL, NULL, 0, 0};
  int flags = (int)msg->dwFlags;
  if (ov != NULL) { /* (a routine without one: blocking, as on Windows) */
    if (flags == 0 && (mp.block = w32_msg_block_recv(msg)) == NULL)
      return w32_wsa_fail(WSAENOBUFS);
    int rc = wsa_io(s, msg->lpBuffers, msg->dwBufferCount, bytes, NULL, flags,
                    true, true, NULL, NULL, &mp, ov, routine);
    if (mp.block != NULL)
      w32_msg_block_free(mp.block); /* refused: no end will free it */
    return rc;
  }
  _Alignas(max_align_t) unsigned char stack[MSG_STACK_ROOM];
  size_t room = msg->Control.len > 0 ? w32_msg_linux_room(msg->Control.len) : 0;
  mp.control = room <= sizeof(stack) ? stack : malloc(room);
  mp.controllen = room;
  if (mp.control == NULL)
    return w32_wsa_fail(WSAENOBUFS);
  int rc = wsa_io(s, msg->lpBuffers, msg->dwBufferCount, bytes, NULL, flags,
                  true, true, msg->name, msg->name ? &msg->namelen : NULL, &mp,
                  NULL, NULL);
  if (rc == 0) {
    msg->dwFlags = w32_msg_control_in(mp.control, mp.controllen, mp.flags, msg);
    if (mp.flags & MSG_TRUNC)
      rc = w32_wsa_fail(WSAEMSGSIZE); /* the rest of the datagram is lost */
  }
  if (mp.control != stack)
    free(mp.control);
  return rc;
}

CPORT_API int WSASendMsg(SOCKET s, LPWSAMSG msg, DWORD flags, LPDWORD bytes,
                         LPWSAOVERLAPPED ov,
                         LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  int err = msg_check(s, msg, bytes, ov);
  if (err == 0 && (flags & ~(DWORD)(MSG_DONTROUTE | MSG_PARTIAL | MSG_OOB)))
    err = WSAEOPNOTSUPP;
  if (err != 0)
    return w32_wsa_fail(err);
  flags &= ~(DWORD)MSG_PARTIAL; /* (datagrams are whole) */
  int namelen = msg->namelen;
  if (msg->Control.len == 0) /* WSASendTo's path */
    return wsa_io(s, msg->lpBuffers, msg->dwBufferCount, bytes, NULL,
                  (int)flags, false, true, msg->name,
                  msg->name ? &namelen : NULL, NULL, ov, routine);
  struct msg_part mp = {NULL, NULL, 0, 0};
  int rc;
  if (ov != NULL) {
    if (flags == 0 && (mp.block = w32_msg_block_send(msg, &err)) == NULL)
      return w32_wsa_fail(err);
    rc = wsa_io(s, msg->lpBuffers, msg->dwBufferCount, bytes, NULL, (int)flags,
                false, true, NULL, NULL, &mp, ov, routine);
    if (mp.block != NULL)
      w32_msg_block_free(mp.block); /* refused: no end will free it */
    return rc;
  }
  long room = w32_msg_control_out(msg, NULL);
  if (room < 0)
    return w32_wsa_fail(WSAEINVAL);
  _Alignas(max_align_t) unsigned char stack[MSG_STACK_ROOM];
  mp.control = (size_t)room <= sizeof(stack) ? stack : malloc((size_t)room);
  if (mp.control == NULL)
    return w32_wsa_fail(WSAENOBUFS);
  mp.controllen = (size_t)w32_msg_control_out(msg, mp.control);
  rc = wsa_io(s, msg->lpBuffers, msg->dwBufferCount, bytes, NULL, (int)flags,
              false, true, msg->name, msg->name ? &namelen : NULL, &mp, NULL,
              NULL);
  if (mp.control != stack)
    free(mp.control);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* WSAIoctl                                                                  */
/* ------------------------------------------------------------------------ */

static const struct {
  GUID guid;
  void *fn;
} extensions[] = {
    {WSAID_ACCEPTEX, (void *)AcceptEx},
    {WSAID_CONNECTEX, (void *)w32_connect_ex},
    {WSAID_DISCONNECTEX, (void *)w32_disconnect_ex},
    {WSAID_GETACCEPTEXSOCKADDRS, (void *)GetAcceptExSockaddrs},
    {WSAID_TRANSMITFILE, (void *)TransmitFile},
    {WSAID_TRANSMITPACKETS, (void *)w32_transmit_packets},
    {WSAID_WSARECVMSG, (void *)WSARecvMsg},
    {WSAID_WSASENDMSG, (void *)WSASendMsg},
};

static int extension(LPVOID in, DWORD inlen, LPVOID out, DWORD outlen,
                     LPDWORD bytes) {
  if (in == NULL || inlen != sizeof(GUID) || out == NULL ||
      outlen < sizeof(void *))
    return w32_wsa_fail(WSAEFAULT);
  for (size_t i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
    if (memcmp(in, &extensions[i].guid, sizeof(GUID)) == 0) {
      memcpy(out, &extensions[i].fn, sizeof(void *));
      if (bytes)
        *bytes = sizeof(void *);
      return 0;
    }
  }
  return w32_wsa_fail(WSAEINVAL);
}

/* Keep-alive with Windows' times (milliseconds) and its 10 probes. */
static int keepalive(SOCKET s, LPVOID in, DWORD inlen, LPDWORD bytes) {
  struct tcp_keepalive ka;
  if (in == NULL || inlen < sizeof(ka))
    return w32_wsa_fail(WSAEFAULT);
  memcpy(&ka, in, sizeof(ka));
  int fd = (int)s, on = ka.onoff != 0;
  int idle = (int)((ka.keepalivetime + 999) / 1000),
      intvl = (int)((ka.keepaliveinterval + 999) / 1000), cnt = 10;
  if (idle < 1)
    idle = 1;
  if (intvl < 1)
    intvl = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) != 0)
    return w32_wsa_errno(errno);
  if (on &&
      (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) != 0 ||
       setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl)) != 0 ||
       setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt)) != 0))
    return w32_wsa_errno(errno);
  if (bytes)
    *bytes = 0;
  return 0;
}

/*
 * SIO_UDP_CONNRESET: whether an ICMP "port unreachable" that a datagram
 * drew fails the next receive with WSAECONNRESET; on by default, as on
 * Windows (sockets.c, w32_udp_reports). SIO_UDP_NETRESET: whether an ICMP
 * "time exceeded" fails it with WSAENETRESET; cport never reports those,
 * so FALSE succeeds and TRUE is refused (not done). On a socket that is
 * not UDP they change nothing.
 */
static int udp_reset_reports(SOCKET s, DWORD code, LPVOID in, DWORD inlen,
                             LPDWORD bytes) {
  BOOL on;
  if (in == NULL || inlen < sizeof(on))
    return w32_wsa_fail(WSAEFAULT);
  memcpy(&on, in, sizeof(on));
  if (code == SIO_UDP_NETRESET && on)
    return w32_wsa_fail(WSAEOPNOTSUPP);
  if (code == SIO_UDP_CONNRESET && w32_is_datagram((int)s)) {
    int rc = w32_udp_reports((int)s, on != FALSE);
    if (rc != 0)
      return w32_wsa_fail(w32_wsa_error(rc));
  }
  if (bytes)
    *bytes = 0;
  return 0;
}

CPORT_API int WSAIoctl(SOCKET s, DWORD code, LPVOID in, DWORD inlen, LPVOID out,
                       DWORD outlen, LPDWORD bytes, LPWSAOVERLAPPED ov,
                       LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  if (ov != NULL || routine != NULL)
    return w32_wsa_fail(WSAEOPNOTSUPP); /* these complete at once */
  switch (code) {
  case SIO_GET_EXTENSION_FUNCTION_POINTER:
    return extension(in, inlen, out, outlen, bytes);
  case SIO_KEEPALIVE_VALS:
    return keepalive(s, in, inlen, bytes);
  case SIO_UDP_CONNRESET:
  case SIO_UDP_NETRESET:
    return udp_reset_reports(s, code, in, inlen, bytes);
  case SIO_LOOPBACK_FAST_PATH: {
    /* A BOOL for a TCP socket, deprecated by Microsoft: accepted, and
     * loopback needs no other path here. */
    int type = 0;
    socklen_t tl = sizeof(type);
    if (getsockopt((int)s, SOL_SOCKET, SO_TYPE, &type, &tl) != 0)
      return w32_wsa_fail(WSAENOTSOCK);
    if (type != SOCK_STREAM)
      return w32_wsa_fail(WSAEOPNOTSUPP);
    if (in == NULL || inlen < sizeof(BOOL))
      return w32_wsa_fail(WSAEFAULT);
    if (bytes)
      *bytes = 0;
    return 0;
  }
  case SIO_CPU_AFFINITY: {
    USHORT cpu;
    if (in == NULL || inlen < sizeof(cpu))
      return w32_wsa_fail(WSAEFAULT);
    memcpy(&cpu, in, sizeof(cpu));
    int on = 1, c = cpu;
    if (setsockopt((int)s, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0 ||
        setsockopt((int)s, SOL_SOCKET, SO_INCOMING_CPU, &c, sizeof(c)) != 0)
      return w32_wsa_errno(errno);
    if (bytes)
      *bytes = 0;
    return 0;
  }
  case SIO_BASE_HANDLE:
    /* No layered provider sits over the socket: it is its own base. */
    if (!w32_is_socket((int)s))
      return w32_wsa_fail(WSAENOTSOCK);
    if (out == NULL || outlen < sizeof(SOCKET))
      return w32_wsa_fail(WSAEFAULT);
    memcpy(out, &s, sizeof(s));
    if (bytes)
      *bytes = sizeof(SOCKET);
    return 0;
  default:
    break;
  }
  if (code == (DWORD)FIONBIO || code == (DWORD)FIONREAD) {
    u_long v = 0;
    if (code == (DWORD)FIONBIO) {
      if (in == NULL || inlen < sizeof(ULONG))
        return w32_wsa_fail(WSAEFAULT);
      ULONG on;
      memcpy(&on, in, sizeof(on));
      v = on;
    } else if (out == NULL || outlen < sizeof(ULONG)) {
      return w32_wsa_fail(WSAEFAULT);
    }
    if (ioctlsocket(s, (long)code, &v) != 0)
      return SOCKET_ERROR;
    if (code == (DWORD)FIONREAD) {
      ULONG r = v > 0xFFFFFFFFu ? 0xFFFFFFFFu : (ULONG)v;
      memcpy(out, &r, sizeof(r));
    }
    if (bytes)
      *bytes = code == (DWORD)FIONREAD ? sizeof(ULONG) : 0;
    return 0;
  }
  return w32_wsa_fail(WSAEOPNOTSUPP);
}
