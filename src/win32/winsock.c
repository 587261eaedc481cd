/*
 * winsock.c - the Win32 porting layer on Linux, part two: Winsock.
 * Overlapped WSARecv/WSASend/WSARecvFrom/WSASendTo, the Microsoft
 * extensions (AcceptEx, ConnectEx, DisconnectEx, TransmitFile,
 * GetAcceptExSockaddrs, reached directly or through WSAIoctl with their
 * GUIDs), and the BSD calls whose argument types differ.
 *
 * AcceptEx takes a socket the caller created and the connection must end
 * up in that very socket number: cport accepts into a new descriptor and,
 * before the completion reaches the caller, dup2() moves it there.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>

#include "win32.h"

/* The Winsock names, not the layer's macros, in this file. */
#undef setsockopt
#undef getsockopt
#undef accept
#undef getsockname
#undef getpeername

static int wsa_fail(int err) {
  WSASetLastError(err);
  return SOCKET_ERROR;
}

static BOOL wsa_false(int err) {
  WSASetLastError(err);
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Fixups: ops that need work before their completion is seen               */
/* ------------------------------------------------------------------------ */

#define FIX_BUCKETS 64
static struct w32_fixup *fixups[FIX_BUCKETS];
static pthread_mutex_t fix_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned fix_count; /* lets the common case skip the lock */

static unsigned bucket(LPOVERLAPPED ov) {
  return (unsigned)(((uintptr_t)ov >> 4) % FIX_BUCKETS);
}

int w32_fixup_add(const struct w32_fixup *f) {
  struct w32_fixup *n = malloc(sizeof(*n));
  if (n == NULL)
    return CPORT_ENOMEM;
  *n = *f;
  pthread_mutex_lock(&fix_lock);
  n->next = fixups[bucket(f->ov)];
  fixups[bucket(f->ov)] = n;
  __atomic_add_fetch(&fix_count, 1, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&fix_lock);
  return 0;
}

static struct w32_fixup *fixup_take(LPOVERLAPPED ov) {
  if (__atomic_load_n(&fix_count, __ATOMIC_RELAXED) == 0)
    return NULL;
  pthread_mutex_lock(&fix_lock);
  struct w32_fixup **pp = &fixups[bucket(ov)], *f;
  while ((f = *pp) != NULL && f->ov != ov)
    pp = &f->next;
  if (f != NULL) {
    *pp = f->next;
    __atomic_sub_fetch(&fix_count, 1, __ATOMIC_RELAXED);
  }
  pthread_mutex_unlock(&fix_lock);
  return f;
}

void w32_fixup_drop(LPOVERLAPPED ov) { free(fixup_take(ov)); }

/*
 * Each AcceptEx address area holds the address length (2 bytes) and the
 * sockaddr at the next 8-byte boundary: the 16 spare bytes Windows asks
 * for leave room for both, and the caller gets an aligned sockaddr.
 */
static char *address_at(char *area) {
  uintptr_t p = ((uintptr_t)area + sizeof(uint16_t) + 7) & ~(uintptr_t)7;
  return (char *)p;
}

static void put_address(char *area, int fd, bool peer) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  int rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
                : getsockname(fd, (struct sockaddr *)&ss, &len);
  uint16_t l = rc == 0 ? (uint16_t)len : 0;
  memcpy(area, &l, sizeof(l));
  memcpy(address_at(area), &ss, l);
}

void w32_fixup_run(cport_completion_t *c) {
  struct w32_fixup *f = fixup_take((LPOVERLAPPED)c->op);
  if (f == NULL)
    return;
  if (f->kind == W32_FIX_ACCEPT && c->status == 0) {
    int fd = cport_op_socket(c->op);
    int rc = cport__replace_socket((int)f->target, fd, true);
    if (rc == 0) {
      put_address(f->buf + f->recvlen, (int)f->target, false);
      put_address(f->buf + f->recvlen + f->locallen, (int)f->target, true);
    } else {
      c->status = rc;
    }
  } else if (f->kind == W32_FIX_REUSE && c->status == 0) {
    /* DisconnectEx(TF_REUSE_SOCKET): the socket becomes a fresh one,
     * ready for AcceptEx or ConnectEx again. */
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int family = getsockname((int)f->target, (struct sockaddr *)&ss, &len) == 0
                     ? ss.ss_family
                     : AF_INET;
    int fresh = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fresh >= 0)
      cport__replace_socket((int)f->target, fresh, false);
  }
  free(f);
}

/* ------------------------------------------------------------------------ */
/* Start-up and sockets                                                      */
/* ------------------------------------------------------------------------ */

CPORT_API int WSAStartup(WORD version, LPWSADATA data) {
  if (data == NULL)
    return WSAEFAULT;
  memset(data, 0, sizeof(*data));
  data->wVersion = version;
  data->wHighVersion = MAKEWORD(2, 2);
  strcpy(data->szDescription, "cport Win32 porting layer");
  strcpy(data->szSystemStatus, "Running");
  return 0;
}

CPORT_API int WSACleanup(void) { return 0; }

CPORT_API SOCKET WSASocketA(int af, int type, int protocol,
                            LPWSAPROTOCOL_INFOA info, GROUP g, DWORD flags) {
  (void)info;
  (void)g;
  (void)flags; /* every cport socket is overlapped and never inherited */
  cport_handle_t s;
  int rc = cport_socket(af, type, protocol, &s);
  if (rc != 0) {
    WSASetLastError(w32_wsa_error(rc == CPORT_EINVAL ? CPORT_EPROTONOSUPPORT : rc));
    return INVALID_SOCKET;
  }
  /* A Winsock socket blocks in connect(), accept(), send() and recv()
   * until it joins a port (cport_associate makes it non-blocking then). */
  int fl = fcntl(s, F_GETFL);
  if (fl >= 0)
    fcntl(s, F_SETFL, fl & ~O_NONBLOCK);
  return (SOCKET)s;
}

CPORT_API SOCKET WSASocketW(int af, int type, int protocol,
                            LPWSAPROTOCOL_INFOW info, GROUP g, DWORD flags) {
  return WSASocketA(af, type, protocol, info, g, flags);
}

CPORT_API int closesocket(SOCKET s) {
  int rc = cport_closesocket((int)s);
  return rc == 0 ? 0 : wsa_fail(w32_wsa_error(rc));
}

CPORT_API int ioctlsocket(SOCKET s, long cmd, u_long *arg) {
  if (arg == NULL)
    return wsa_fail(WSAEFAULT);
  if ((unsigned long)cmd == (unsigned long)FIONREAD) {
    int n = 0;
    if (ioctl((int)s, FIONREAD, &n) != 0)
      return wsa_fail(WSAENOTSOCK);
    *arg = (u_long)n;
    return 0;
  }
  if ((unsigned long)cmd != (unsigned long)FIONBIO)
    return wsa_fail(WSAEINVAL);
  if (cport__handle_state((int)s) & CPORT__ASSOCIATED)
    return 0; /* a socket on a port stays non-blocking underneath */
  int fl = fcntl((int)s, F_GETFL);
  if (fl < 0)
    return wsa_fail(WSAENOTSOCK);
  fcntl((int)s, F_SETFL, *arg ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Overlapped send and receive                                               */
/* ------------------------------------------------------------------------ */

/* Winsock's answer for an overlapped call cport accepted or refused. The
 * OVERLAPPED is not read: once posted, its completion may already be in
 * another thread's hands. */
static int wsa_started(int rc, LPDWORD bytes) {
  uint32_t n = 0;
  int status = -1;
  if ((rc == 0 || rc == CPORT_COMPLETED) && cport__last_inline(&n, &status) &&
      status == 0) {
    if (bytes)
      *bytes = n;
    return 0; /* finished inside the call (still posted unless skip mode) */
  }
  return wsa_fail(rc == 0 ? WSA_IO_PENDING : w32_wsa_error(rc));
}

#define W32_MAX_BUFS 64

/* WSABUF (len, buf) to cport_buf_t (base, len). */
static int convert(LPWSABUF in, DWORD n, cport_buf_t *out) {
  if (in == NULL || n == 0 || n > W32_MAX_BUFS)
    return WSAEINVAL;
  for (DWORD i = 0; i < n; i++)
    out[i] = cport_buf_init(in[i].buf, in[i].len);
  return 0;
}

/* The blocking form (no OVERLAPPED): wait for the socket, then the call. */
static int wait_fd(SOCKET s, short events) {
  struct pollfd p = {(int)s, events, 0};
  while (poll(&p, 1, -1) < 0)
    if (errno != EINTR)
      return -1;
  return 0;
}

static int blocking_io(SOCKET s, cport_buf_t *b, DWORD n, bool recv_side,
                       struct sockaddr *addr, int *addrlen, LPDWORD bytes) {
  struct msghdr m;
  memset(&m, 0, sizeof(m));
  m.msg_iov = (struct iovec *)(void *)b;
  m.msg_iovlen = n;
  m.msg_name = addr;
  m.msg_namelen = addrlen ? (socklen_t)*addrlen : 0;
  for (;;) {
    ssize_t r = recv_side ? recvmsg((int)s, &m, MSG_DONTWAIT)
                          : sendmsg((int)s, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (r >= 0) {
      if (bytes)
        *bytes = (DWORD)r;
      if (addrlen && recv_side)
        *addrlen = (int)m.msg_namelen;
      return 0;
    }
    if (errno != EAGAIN && errno != EINTR)
      return wsa_fail(w32_wsa_error(-errno));
    if (errno == EAGAIN && wait_fd(s, recv_side ? POLLIN : POLLOUT) != 0)
      return wsa_fail(WSAENOTSOCK);
  }
}

/* What the four calls share. `refused`: an argument cport does not take
 * (a completion routine, MSG_PEEK or other flags). addr/addrlen: the
 * datagram peer (NULL for WSARecv and WSASend), `datagram` says which. */
static int wsa_io(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                  bool refused, bool recv_side, bool datagram,
                  struct sockaddr *addr, int *addrlen, LPWSAOVERLAPPED ov) {
  cport_buf_t b[W32_MAX_BUFS];
  if (refused)
    return wsa_fail(WSAEOPNOTSUPP);
  int err = convert(bufs, n, b);
  if (err)
    return wsa_fail(err);
  if (ov == NULL)
    return blocking_io(s, b, n, recv_side, addr, addrlen, bytes);
  cport_op_t *op = (cport_op_t *)ov;
  int rc;
  if (recv_side)
    rc = datagram ? cport_recvfrom((int)s, b, n, addr, addrlen, op)
                  : cport_recv((int)s, b, n, op);
  else
    rc = datagram ? cport_sendto((int)s, b, n, addr, addr ? *addrlen : 0, op)
                  : cport_send((int)s, b, n, op);
  return wsa_started(rc, bytes);
}

CPORT_API int WSARecv(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                      LPDWORD flags, LPWSAOVERLAPPED ov,
                      LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  return wsa_io(s, bufs, n, bytes, routine != NULL || (flags && *flags != 0),
                true, false, NULL, NULL, ov);
}

CPORT_API int WSASend(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                      DWORD flags, LPWSAOVERLAPPED ov,
                      LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  return wsa_io(s, bufs, n, bytes, routine != NULL || flags != 0, false,
                false, NULL, NULL, ov);
}

CPORT_API int WSARecvFrom(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                          LPDWORD flags, struct sockaddr *from, LPINT fromlen,
                          LPWSAOVERLAPPED ov,
                          LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  if (from != NULL && fromlen == NULL)
    return wsa_fail(WSAEFAULT);
  return wsa_io(s, bufs, n, bytes, routine != NULL || (flags && *flags != 0),
                true, true, from, from ? fromlen : NULL, ov);
}

CPORT_API int WSASendTo(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                        DWORD flags, const struct sockaddr *to, int tolen,
                        LPWSAOVERLAPPED ov,
                        LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  return wsa_io(s, bufs, n, bytes, routine != NULL || flags != 0, false, true,
                (struct sockaddr *)to, to ? &tolen : NULL, ov);
}

/* ------------------------------------------------------------------------ */
/* Microsoft extensions                                                      */
/* ------------------------------------------------------------------------ */

/* Room AcceptEx needs per address: 16 bytes more than the largest address
 * of the listener's family. */
static DWORD addr_room(SOCKET listener) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  bool v6 = getsockname((int)listener, (struct sockaddr *)&ss, &len) == 0 &&
            ss.ss_family == AF_INET6;
  return (DWORD)(v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)) + 16;
}

CPORT_API BOOL AcceptEx(SOCKET listener, SOCKET accepted, PVOID buf,
                        DWORD recvlen, DWORD locallen, DWORD remotelen,
                        LPDWORD bytes, LPOVERLAPPED ov) {
  (void)bytes; /* always completes through the port */
  if (ov == NULL || buf == NULL)
    return wsa_false(WSAEINVAL);
  DWORD room = addr_room(listener);
  if (locallen < room || remotelen < room)
    return wsa_false(WSAEINVAL);
  if (fcntl((int)accepted, F_GETFD) < 0)
    return wsa_false(WSAENOTSOCK);
  struct w32_fixup f = {NULL, ov, W32_FIX_ACCEPT, accepted, buf, recvlen,
                        locallen, remotelen};
  if (w32_fixup_add(&f) != 0)
    return wsa_false(WSAENOBUFS);
  int rc = cport_accept((int)listener, recvlen ? buf : NULL, recvlen,
                        (cport_op_t *)ov);
  if (rc != 0 && rc != CPORT_COMPLETED) {
    w32_fixup_drop(ov);
    return wsa_false(w32_wsa_error(rc));
  }
  /* Even a connection taken at once goes through the port: the caller's
   * socket receives it when the completion is taken. */
  return wsa_false(WSA_IO_PENDING);
}

CPORT_API VOID GetAcceptExSockaddrs(PVOID buf, DWORD recvlen, DWORD locallen,
                                    DWORD remotelen, struct sockaddr **local,
                                    LPINT local_len, struct sockaddr **remote,
                                    LPINT remote_len) {
  (void)remotelen;
  char *b = buf;
  uint16_t l;
  memcpy(&l, b + recvlen, sizeof(l));
  *local = (struct sockaddr *)(void *)address_at(b + recvlen);
  *local_len = l;
  memcpy(&l, b + recvlen + locallen, sizeof(l));
  *remote = (struct sockaddr *)(void *)address_at(b + recvlen + locallen);
  *remote_len = l;
}

CPORT_API BOOL ConnectEx(SOCKET s, const struct sockaddr *name, int namelen,
                         PVOID send, DWORD sendlen, LPDWORD sent,
                         LPOVERLAPPED ov) {
  (void)sent;
  if (ov == NULL || name == NULL)
    return wsa_false(WSAEINVAL);
  /* ConnectEx needs a bound socket. */
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname((int)s, (struct sockaddr *)&ss, &len) != 0)
    return wsa_false(WSAENOTSOCK);
  uint16_t port = ss.ss_family == AF_INET6
                      ? ((struct sockaddr_in6 *)&ss)->sin6_port
                      : ((struct sockaddr_in *)&ss)->sin_port;
  if (port == 0)
    return wsa_false(WSAEINVAL);
  int rc = cport_connect((int)s, name, namelen, send, sendlen, (cport_op_t *)ov);
  if (rc != 0 && rc != CPORT_COMPLETED)
    return wsa_false(w32_wsa_error(rc));
  return wsa_false(WSA_IO_PENDING); /* through the port, always */
}

CPORT_API BOOL DisconnectEx(SOCKET s, LPOVERLAPPED ov, DWORD flags,
                            DWORD reserved) {
  if (reserved != 0 || (flags & ~(DWORD)TF_REUSE_SOCKET) != 0)
    return wsa_false(WSAEINVAL);
  if (ov == NULL) {
    if (shutdown((int)s, SHUT_WR) != 0)
      return wsa_false(w32_wsa_error(-errno));
    return TRUE;
  }
  if (flags & TF_REUSE_SOCKET) {
    struct w32_fixup f = {NULL, ov, W32_FIX_REUSE, s, NULL, 0, 0, 0};
    if (w32_fixup_add(&f) != 0)
      return wsa_false(WSAENOBUFS);
  }
  int rc = cport_disconnect((int)s, 0, (cport_op_t *)ov);
  if (rc != 0 && rc != CPORT_COMPLETED) {
    w32_fixup_drop(ov);
    return wsa_false(w32_wsa_error(rc));
  }
  return wsa_false(WSA_IO_PENDING);
}

CPORT_API BOOL TransmitFile(SOCKET s, HANDLE file, DWORD bytes, DWORD per_send,
                            LPOVERLAPPED ov, LPTRANSMIT_FILE_BUFFERS buffers,
                            DWORD flags) {
  (void)per_send;
  if (ov == NULL)
    return wsa_false(WSAEINVAL); /* the synchronous form is not supported */
  if (flags & ~(DWORD)(TF_DISCONNECT | TF_REUSE_SOCKET | TF_WRITE_BEHIND))
    return wsa_false(WSAEINVAL);
  cport_buf_t head, tail;
  cport_buf_t *hp = NULL, *tp = NULL;
  if (buffers) {
    head = cport_buf_init(buffers->Head, buffers->HeadLength);
    tail = cport_buf_init(buffers->Tail, buffers->TailLength);
    hp = &head;
    tp = &tail;
  }
  uint64_t off = (uint64_t)ov->OffsetHigh << 32 | ov->Offset;
  int f = file == NULL ? CPORT_INVALID_HANDLE : (int)(intptr_t)file;
  if (flags & TF_REUSE_SOCKET) {
    struct w32_fixup fx = {NULL, ov, W32_FIX_REUSE, s, NULL, 0, 0, 0};
    if (w32_fixup_add(&fx) != 0)
      return wsa_false(WSAENOBUFS);
  }
  int rc = cport_transmit_file(
      (int)s, f, off, bytes, hp, tp,
      (flags & (TF_DISCONNECT | TF_REUSE_SOCKET)) ? CPORT_TF_DISCONNECT : 0,
      (cport_op_t *)ov);
  if (rc != 0 && rc != CPORT_COMPLETED) {
    w32_fixup_drop(ov);
    return wsa_false(w32_wsa_error(rc));
  }
  int status = -1;
  if (!(flags & TF_REUSE_SOCKET) && cport__last_inline(NULL, &status) &&
      status == 0)
    return TRUE;
  return wsa_false(WSA_IO_PENDING);
}

static const struct {
  GUID guid;
  void *fn;
} extensions[] = {
    {WSAID_ACCEPTEX, (void *)AcceptEx},
    {WSAID_CONNECTEX, (void *)ConnectEx},
    {WSAID_DISCONNECTEX, (void *)DisconnectEx},
    {WSAID_GETACCEPTEXSOCKADDRS, (void *)GetAcceptExSockaddrs},
    {WSAID_TRANSMITFILE, (void *)TransmitFile},
};

CPORT_API int WSAIoctl(SOCKET s, DWORD code, LPVOID in, DWORD inlen, LPVOID out,
                       DWORD outlen, LPDWORD bytes, LPWSAOVERLAPPED ov,
                       LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  (void)s;
  (void)ov;
  (void)routine;
  if (code != SIO_GET_EXTENSION_FUNCTION_POINTER)
    return wsa_fail(WSAEOPNOTSUPP);
  if (in == NULL || inlen != sizeof(GUID) || out == NULL ||
      outlen < sizeof(void *))
    return wsa_fail(WSAEFAULT);
  for (size_t i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
    if (memcmp(in, &extensions[i].guid, sizeof(GUID)) == 0) {
      memcpy(out, &extensions[i].fn, sizeof(void *));
      if (bytes)
        *bytes = sizeof(void *);
      return 0;
    }
  }
  return wsa_fail(WSAEINVAL);
}

/* ------------------------------------------------------------------------ */
/* BSD calls with Winsock's types                                            */
/* ------------------------------------------------------------------------ */

CPORT_API int cport_w32_setsockopt(SOCKET s, int level, int name,
                                   const char *val, int len) {
  if (level == SOL_SOCKET &&
      (name == SO_UPDATE_ACCEPT_CONTEXT || name == SO_UPDATE_CONNECT_CONTEXT ||
       name == SO_EXCLUSIVEADDRUSE))
    return 0; /* done by cport already (or meaningless on Linux) */
  if (setsockopt((int)s, level, name, val, (socklen_t)len) != 0)
    return wsa_fail(w32_wsa_error(-errno));
  return 0;
}

CPORT_API int cport_w32_getsockopt(SOCKET s, int level, int name, char *val,
                                   int *len) {
  if (val == NULL || len == NULL)
    return wsa_fail(WSAEFAULT);
  if (level == SOL_SOCKET && name == SO_CONNECT_TIME) {
    /* Seconds connected, 0xFFFFFFFF if not: cport knows only whether. */
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    DWORD v = getpeername((int)s, (struct sockaddr *)&ss, &sl) == 0
                  ? 0 : 0xFFFFFFFFu;
    if (*len < (int)sizeof(v))
      return wsa_fail(WSAEFAULT);
    memcpy(val, &v, sizeof(v));
    *len = sizeof(v);
    return 0;
  }
  socklen_t l = (socklen_t)*len;
  if (getsockopt((int)s, level, name, val, &l) != 0)
    return wsa_fail(w32_wsa_error(-errno));
  *len = (int)l;
  return 0;
}

CPORT_API SOCKET cport_w32_accept(SOCKET s, struct sockaddr *addr, int *len) {
  socklen_t l = len ? (socklen_t)*len : 0;
  if (wait_fd(s, POLLIN) != 0) {
    WSASetLastError(WSAENOTSOCK);
    return INVALID_SOCKET;
  }
  int fd = accept4((int)s, addr, len ? &l : NULL, SOCK_CLOEXEC);
  if (fd < 0) {
    WSASetLastError(w32_wsa_error(-errno));
    return INVALID_SOCKET;
  }
  if (len)
    *len = (int)l;
  return (SOCKET)fd;
}

CPORT_API int cport_w32_getsockname(SOCKET s, struct sockaddr *addr, int *len) {
  socklen_t l = (socklen_t)*len;
  if (getsockname((int)s, addr, &l) != 0)
    return wsa_fail(w32_wsa_error(-errno));
  *len = (int)l;
  return 0;
}

CPORT_API int cport_w32_getpeername(SOCKET s, struct sockaddr *addr, int *len) {
  socklen_t l = (socklen_t)*len;
  if (getpeername((int)s, addr, &l) != 0)
    return wsa_fail(w32_wsa_error(-errno));
  *len = (int)l;
  return 0;
}
