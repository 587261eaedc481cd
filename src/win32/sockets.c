/*
 * sockets.c - Winsock start-up and sockets: WSASocket, closesocket,
 * ioctlsocket, accept and WSAAccept, shutdown, the name calls, byte
 * order, disconnects. (Socket options: sockopts.c.)
 */
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "win32.h"

/* ------------------------------------------------------------------------ */
/* Start-up and sockets                                                      */
/* ------------------------------------------------------------------------ */

/* WSAStartup calls no WSACleanup has matched yet, and whether the last
 * WSACleanup ended Winsock (until the next WSAStartup). Calls before the
 * first WSAStartup are let through: cport needs no set-up. */
static int wsa_starts;

CPORT_API int WSAStartup(WORD version, LPWSADATA data) {
  if (data == NULL)
    return WSAEFAULT;
  if (LOBYTE(version) < 1 || (LOBYTE(version) == 1 && HIBYTE(version) < 1))
    return WSAVERNOTSUPPORTED;
  __atomic_add_fetch(&wsa_starts, 1, __ATOMIC_ACQ_REL);
  w32_winsock_end(false);
  memset(data, 0, sizeof(*data));
  data->wVersion =
      LOBYTE(version) > 2 || (LOBYTE(version) == 2 && HIBYTE(version) > 2)
          ? MAKEWORD(2, 2)
          : version;
  data->wHighVersion = MAKEWORD(2, 2);
  strcpy(data->szDescription, "cport Win32 porting layer");
  strcpy(data->szSystemStatus, "Running");
  /* A send on a reset connection is an error on Windows, never a signal
   * that ends the process. */
  struct sigaction sa;
  if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
    signal(SIGPIPE, SIG_IGN);
  return 0;
}

/* "Sockets that were open when WSACleanup was called are reset and
 * automatically deallocated as if closesocket was called." */
static void reset_and_close(int fd) {
  int type = 0, family = AF_UNSPEC;
  socklen_t len = sizeof(type), flen = sizeof(family);
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
      getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &flen) != 0 ||
      (family != AF_INET && family != AF_INET6)) {
    w32_fd_winsock(fd, false); /* closed some other way, its number reused */
    return;
  }
  if (type == SOCK_STREAM) {
    struct linger lg = {1, 0};
    (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  }
  (void)closesocket((SOCKET)fd);
}

CPORT_API int WSACleanup(void) {
  int n = __atomic_load_n(&wsa_starts, __ATOMIC_ACQUIRE);
  do {
    if (n == 0) /* more calls than WSAStartup's */
      return w32_wsa_fail(WSANOTINITIALISED);
  } while (!__atomic_compare_exchange_n(&wsa_starts, &n, n - 1, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
  if (n > 1)
    return 0; /* "only the final WSACleanup function call performs the
                 actual cleanup" */
  /* Pending overlapped ops of those sockets "fail with the error status
   * WSA_OPERATION_ABORTED" (fixups.c reads the mark as they end). */
  w32_winsock_end(true);
  w32_fd_each_winsock(reset_and_close);
  return 0;
}

/* A provider's address family, type and protocol where the call asks
 * for them (FROM_PROTOCOL_INFO). */
#define FROM_INFO(info, af, type, protocol) \
  do {                                      \
    if ((info) != NULL) {                   \
      if ((af) == FROM_PROTOCOL_INFO)       \
        (af) = (info)->iAddressFamily;      \
      if ((type) == FROM_PROTOCOL_INFO)     \
        (type) = (info)->iSocketType;       \
      if ((protocol) == FROM_PROTOCOL_INFO) \
        (protocol) = (info)->iProtocol;     \
    }                                       \
  } while (0)

CPORT_API SOCKET WSASocketA(int af, int type, int protocol,
                            LPWSAPROTOCOL_INFOA info, GROUP g, DWORD flags) {
  FROM_INFO(info, af, type, protocol);
  (void)g;
  (void)flags; /* every cport socket is overlapped and never inherited */
  if (w32_winsock_ended()) {
    WSASetLastError(WSANOTINITIALISED);
    return INVALID_SOCKET;
  }
  cport_handle_t s;
  int rc = cport_socket(af, type, protocol, &s);
  if (rc != 0) {
    WSASetLastError(
        w32_wsa_error(rc == CPORT_EINVAL ? CPORT_EPROTONOSUPPORT : rc));
    return INVALID_SOCKET;
  }
  /* A Winsock socket blocks in connect(), accept(), send() and recv()
   * until it joins a port (cport_associate makes it non-blocking then). */
  int fl = fcntl(s, F_GETFL);
  if (fl >= 0)
    fcntl(s, F_SETFL, fl & ~O_NONBLOCK);
  w32_fd_new_socket(s, af, type);
  return (SOCKET)s;
}

CPORT_API SOCKET WSASocketW(int af, int type, int protocol,
                            LPWSAPROTOCOL_INFOW info, GROUP g, DWORD flags) {
  FROM_INFO(info, af, type, protocol);
  return WSASocketA(af, type, protocol, NULL, g, flags);
}

static bool listening(int fd) {
  int v = 0;
  socklen_t len = sizeof(v);
  return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v != 0;
}

/* A socket that listens, or a TCP socket whose connect is under way (one
 * system call for both on TCP). */
static bool not_connected_yet(int fd) {
  struct tcp_info ti;
  socklen_t len = sizeof(ti);
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
    return listening(fd); /* not TCP */
  return ti.tcpi_state == TCP_LISTEN || ti.tcpi_state == TCP_SYN_SENT;
}

/* A thread blocked in accept(), recv, send or their kin on this socket
 * returns (WSAEINTR), as "any pending blocking ... calls issued by any
 * thread in this process are canceled": shutting the socket down wakes
 * one blocked in the kernel, close alone would not (a socket on a port is
 * non-blocking underneath: the waiting thread sees the closing mark at
 * its next slice instead, and the socket's pending ops are cport's to
 * end). The descriptor is closed only once those threads have left it,
 * so its number is not reused under them (their call would go on with
 * another connection). */
static bool abortive(int fd) {
  struct linger lg;
  socklen_t len = sizeof(lg);
  return getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 &&
         lg.l_onoff != 0 && lg.l_linger == 0;
}

static void wait_blocked_gone(int fd, uint64_t ms) {
  uint64_t until = w32_now_ms() + ms;
  while (w32_fd_accepters(fd) != 0 && w32_now_ms() < until) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
}

static void wake_blocked(int fd) {
  if (w32_fd_accepters(fd) == 0)
    return;
  w32_fd_set_flags(fd, W32_FD_CLOSING, 0);
  if (!(cport__handle_state(fd) & CPORT__ASSOCIATED)) {
    /* An abortive close (SO_LINGER {1, 0}) must reach the peer as a
     * reset: shutting down the receive side wakes a blocked receive
     * without a FIN, and the close then resets. A send still blocked
     * needs the send side shut too (a FIN first: Linux has no other
     * way to wake it). */
    if (abortive(fd)) {
      shutdown(fd, SHUT_RD);
      wait_blocked_gone(fd, 50);
      if (w32_fd_accepters(fd) == 0)
        return;
    }
    shutdown(fd, SHUT_RDWR);
  }
  wait_blocked_gone(fd, 2000);
}

CPORT_API int closesocket(SOCKET s) {
  int fd = (int)s;
  wake_blocked(fd);
  w32_fixup_target_closed(fd);
  w32_fd_reset(fd);
  w32_fd_winsock(fd, false);
  int rc = cport_closesocket(fd);
  w32_fd_closed(fd);
  return rc == 0 ? 0 : w32_wsa_fail(w32_wsa_error(rc));
}

bool w32_held_first(int fd, const struct iovec *iov, unsigned n, int flags,
                    bool wait, ssize_t *out) {
  if (flags & MSG_OOB)
    return false;
  /* cport's receive stops within a round of its ring (a CQE away); the
   * bound (10 s) only keeps a lost answer from hanging the caller, which
   * then gets a timeout, never bytes read beside cport's receive. */
  for (int tries = 0;; tries++) {
    long r = cport__held_recv(fd, iov, n, (flags & MSG_PEEK) != 0, NULL);
    if (r > 0) {
      *out = (ssize_t)r;
      return true;
    }
    if (r == 0)
      return false;
    if (r != CPORT_EAGAIN || !wait || tries >= 100000) {
      errno = r != CPORT_EAGAIN || !wait ? (int)-r : ETIMEDOUT;
      *out = -1;
      return true;
    }
    struct timespec ts = {0, 100000};
    nanosleep(&ts, NULL);
  }
}

/* SIOCATMARK: TRUE when no out-of-band data waits to be read ("all OOB
 * data has been read"), else FALSE: Linux reports urgent data not yet
 * read past (in line or not) as POLLPRI. */
static int at_mark(int fd, u_long *arg) {
  struct pollfd pf = {fd, POLLPRI, 0};
  if (poll(&pf, 1, 0) < 0 || (pf.revents & POLLNVAL))
    return w32_wsa_fail(WSAENOTSOCK);
  *arg = (pf.revents & POLLPRI) ? 0 : 1;
  return 0;
}

CPORT_API int(ioctlsocket)(SOCKET s, long cmd, u_long *arg) {
  int fd = (int)s;
  if (arg == NULL || w32_outside_user_space(arg, sizeof(*arg)))
    return w32_wsa_fail(WSAEFAULT);
  int gone = w32_socket_call(fd, NULL);
  if (gone)
    return w32_wsa_fail(gone);
  if ((unsigned long)cmd == (unsigned long)FIONREAD) {
    int n = 0;
    if (ioctl(fd, FIONREAD, &n) != 0)
      return w32_wsa_fail(WSAENOTSOCK);
    size_t held = 0; /* what cport already took from the socket */
    (void)cport__held_recv(fd, NULL, 0, true, &held);
    *arg = (u_long)((size_t)n + held);
    return 0;
  }
  if ((unsigned long)cmd == (unsigned long)SIOCATMARK)
    return at_mark(fd, arg);
  if ((unsigned long)cmd != (unsigned long)FIONBIO)
    return w32_wsa_fail(WSAEINVAL);
  /* "If WSAEventSelect ... has been issued on a socket, then any attempt
   * to use ioctlsocket to set the socket back to blocking mode will fail
   * with WSAEINVAL." */
  if (*arg == 0 && (w32_fd_flags(fd) & W32_FD_EVENTSELECT))
    return w32_wsa_fail(WSAEINVAL);
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0)
    return w32_wsa_fail(WSAENOTSOCK);
  w32_fd_set_flags(fd, *arg ? W32_FD_NONBLOCK : 0, *arg ? 0 : W32_FD_NONBLOCK);
  /* A socket on a port stays non-blocking underneath; the layer blocks
   * for it unless FIONBIO is set. */
  if (!(cport__handle_state(fd) & CPORT__ASSOCIATED))
    fcntl(fd, F_SETFL, *arg ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
  return 0;
}

CPORT_API int cport_w32_ioctlsocket(SOCKET s, long cmd, void *arg,
                                    size_t size) {
  if (arg == NULL || size < sizeof(uint32_t) ||
      w32_outside_user_space(arg, sizeof(uint32_t)))
    return w32_wsa_fail(WSAEFAULT);
  if (size >= sizeof(u_long))
    return (ioctlsocket)(s, cmd, (u_long *)arg);
  uint32_t v32; /* a DWORD, as u_long is on Windows */
  memcpy(&v32, arg, sizeof(v32));
  u_long v = v32;
  int rc = (ioctlsocket)(s, cmd, &v);
  if (rc == 0) {
    v32 = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    memcpy(arg, &v32, sizeof(v32));
  }
  return rc;
}

/* ------------------------------------------------------------------------ */
/* accept and WSAAccept                                                      */
/* ------------------------------------------------------------------------ */

/* The same open file as when the call began (not closed, not reused). */
static bool same_file(int fd, const struct stat *before) {
  struct stat now;
  return fstat(fd, &now) == 0 && now.st_ino == before->st_ino &&
         now.st_dev == before->st_dev;
}

/* A connection from listener fd, blocking unless FIONBIO is set. A
 * listener closed by another thread meanwhile: WSAEINTR. */
static bool closing(int fd) {
  return (w32_fd_flags(fd) & W32_FD_CLOSING) != 0;
}

static int accept_one(int fd, struct sockaddr *addr, socklen_t *len) {
  struct stat st;
  if (fstat(fd, &st) != 0)
    return -WSAENOTSOCK;
  bool was_listening = listening(fd);
  bool user_nonblock = (w32_fd_flags(fd) & W32_FD_NONBLOCK) != 0;
  if (!was_listening)
    return -WSAEINVAL; /* "listen was not invoked" */
  for (;;) {
    /* A connection cport accepted ahead of AcceptEx calls comes first. */
    int c = cport__held_accept(fd);
    if (c >= 0) {
      int fl = fcntl(c, F_GETFL);
      if (fl >= 0)
        fcntl(c, F_SETFL, fl & ~O_NONBLOCK);
      if (getpeername(c, addr, len) != 0)
        *len = 0;
      return c;
    }
    /* Marked: CancelSynchronousIo interrupts the wait (EINTR). */
    w32_sync_begin_fd(fd);
    c = accept4(fd, addr, len, SOCK_CLOEXEC);
    int err = errno;
    if (w32_sync_end() && c < 0 && err == EINTR)
      return -WSA_OPERATION_ABORTED;
    if (c >= 0)
      return c;
    if (err == EINTR)
      continue;
    if (err == EAGAIN && !user_nonblock) {
      /* Non-blocking underneath (a port has it): wait, a slice at a
       * time, so a close by another thread is seen. */
      struct pollfd p = {fd, POLLIN, 0};
      w32_block_begin();
      w32_sync_begin_fd(fd);
      int rc = poll(&p, 1, 200);
      bool cancelled = w32_sync_end() && rc <= 0;
      w32_block_end();
      if (cancelled)
        return -WSA_OPERATION_ABORTED;
      if (rc >= 0 && !closing(fd) && same_file(fd, &st))
        continue;
      if (rc < 0 && errno == EINTR && !closing(fd) && same_file(fd, &st))
        continue; /* another signal */
      return -WSAEINTR;
    }
    if ((err == EINVAL || err == EBADF) && was_listening)
      return -WSAEINTR; /* closed under us (closesocket shut it down) */
    return -w32_wsa_error(-err);
  }
}

static SOCKET accept_common(SOCKET s, struct sockaddr *addr, int *len,
                            LPCONDITIONPROC condition, DWORD_PTR data) {
  int fd = (int)s;
  if (len != NULL && *len < 0) {
    WSASetLastError(WSAEFAULT);
    return INVALID_SOCKET;
  }
  struct sockaddr_storage peer;
  socklen_t plen = sizeof(peer);
  if (addr != NULL && len != NULL &&
      getsockname(fd, (struct sockaddr *)&peer, &plen) == 0 &&
      *len < (peer.ss_family == AF_INET6  ? (int)sizeof(struct sockaddr_in6)
              : peer.ss_family == AF_INET ? (int)sizeof(struct sockaddr_in)
                                          : 0)) {
    /* "The addrlen parameter is too small": the client stays queued. */
    WSASetLastError(WSAEFAULT);
    return INVALID_SOCKET;
  }
  plen = sizeof(peer);
  /* Counted while in the call: closesocket waits for it (above). */
  bool counted = w32_fd_accepting(fd, 1);
  int blocking = !(fcntl(fd, F_GETFL) & O_NONBLOCK);
  if (blocking)
    w32_block_begin();
  int c = accept_one(fd, (struct sockaddr *)&peer, &plen);
  if (blocking)
    w32_block_end();
  if (counted)
    w32_fd_accepting(fd, -1);
  w32_es_note(fd, FD_ACCEPT); /* WSAEventSelect: the next one may come */
  if (c < 0) {
    /* "WSAEOPNOTSUPP: The referenced socket is not a type that supports
     * connection-oriented service" (Linux: EINVAL, as for no listen). */
    if (-c == WSAEINVAL && w32_is_datagram(fd))
      c = -WSAEOPNOTSUPP;
    WSASetLastError(-c);
    return INVALID_SOCKET;
  }
  if (condition != NULL) {
    WSABUF caller = {(ULONG)plen, (CHAR *)&peer}, callee = {0, NULL};
    GROUP g = 0;
    int verdict = condition(&caller, NULL, NULL, NULL, &callee, NULL, &g, data);
    if (verdict != CF_ACCEPT) {
      close(c);
      WSASetLastError(verdict == CF_DEFER ? WSATRY_AGAIN : WSAECONNREFUSED);
      return INVALID_SOCKET;
    }
  }
  if (addr != NULL && len != NULL) {
    socklen_t n = plen < (socklen_t)*len ? plen : (socklen_t)*len;
    memcpy(addr, &peer, n);
    *len = (int)plen;
  }
  /* cport learns the socket is connected now: after a reset Linux no
   * longer names the peer, and cport must not take it for unconnected.
   * (cport__replace_socket onto itself, through a copy.) */
  int copy = dup(c);
  if (copy >= 0)
    cport__replace_socket(c, copy, true); /* closes the copy */
  w32_fd_reset(c);
  w32_fd_winsock(c, true);
  w32_fd_connected(c);
  /* "The newly created socket is the socket that will handle the actual
   * connection; it has the same properties as socket s": FIONBIO's mode
   * too. */
  if (w32_fd_flags(fd) & W32_FD_NONBLOCK) {
    w32_fd_set_flags(c, W32_FD_NONBLOCK, 0);
    int fl = fcntl(c, F_GETFL);
    if (fl >= 0)
      (void)fcntl(c, F_SETFL, fl | O_NONBLOCK);
  }
  if (w32_fd_flags(fd) & W32_FD_EVENTSELECT)
    w32_es_inherit(fd, c);
  return (SOCKET)c;
}

CPORT_API SOCKET cport_w32_accept(SOCKET s, struct sockaddr *addr, int *len) {
  return accept_common(s, addr, len, NULL, 0);
}

CPORT_API SOCKET WSAAccept(SOCKET s, struct sockaddr *addr, LPINT len,
                           LPCONDITIONPROC condition, DWORD_PTR data) {
  return accept_common(s, addr, len, condition, data);
}

CPORT_API int WSAConnect(SOCKET s, const struct sockaddr *name, int namelen,
                         LPWSABUF caller_data, LPWSABUF callee_data, LPQOS sqos,
                         LPQOS gqos) {
  /* TCP/IP has no connect data and no QOS: what the caller gives is not
   * sent, and no data comes back. */
  (void)caller_data;
  (void)sqos;
  (void)gqos;
  if (namelen < 0)
    return w32_wsa_fail(WSAEFAULT);
  int rc = connect(s, name, (socklen_t)namelen);
  if (rc == 0 && callee_data != NULL)
    callee_data->len = 0;
  return rc;
}

/* ------------------------------------------------------------------------ */
/* shutdown, names, WSAPoll                                                  */
/* ------------------------------------------------------------------------ */

CPORT_API int cport_w32_shutdown(SOCKET s, int how) {
  int fd = (int)s;
  int gone = w32_socket_call(fd, NULL);
  if (gone)
    return w32_wsa_fail(gone);
  if (how != SD_RECEIVE && how != SD_SEND && how != SD_BOTH)
    return w32_wsa_fail(WSAEINVAL);
  /* A listener, or a connection not made yet (its ConnectEx or connect
   * under way): "the socket is not connected", and it is left as it was
   * (Linux would stop the listener, or abort the connect and report
   * success). */
  if (not_connected_yet(fd))
    return w32_wsa_fail(WSAENOTCONN);
  /* The FIN goes after the bytes of the sends already taken: while sends
   * are queued (pending, or in cport's send buffer), the send side's
   * shutdown is queued behind them ("a FIN will be sent after all data
   * is sent and acknowledged"). */
  int later = how != SD_RECEIVE ? cport__shutdown_after_sends(fd) : 0;
  if (later < 0)
    return w32_wsa_fail(w32_wsa_error(later));
  if (later > 0 ? how == SD_BOTH && shutdown(fd, SHUT_RD) != 0
                : shutdown(fd, how) != 0)
    return w32_wsa_errno(errno);
  /* Later WSASend / WSARecv on it fail at once with WSAESHUTDOWN. */
  cport__note_shutdown(fd, how);
  if (how != SD_SEND)
    w32_fd_set_flags(fd, W32_FD_SHUT_RD, 0); /* and recv, blocking calls */
  if (how != SD_RECEIVE) /* send, blocking calls, whatever the peer did */
    w32_fd_set_flags(fd, W32_FD_SHUT_WR, 0);
  return 0;
}

bool w32_ip_unbound(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
    return false;
  uint16_t port;
  if (ss.ss_family == AF_INET)
    port = ((struct sockaddr_in *)&ss)->sin_port;
  else if (ss.ss_family == AF_INET6)
    port = ((struct sockaddr_in6 *)&ss)->sin6_port;
  else
    return false;
  /* Binding always gives a port, and a connection binds: port 0 is a
   * socket never bound. (Not connected either, to be sure.) */
  len = sizeof(ss);
  return port == 0 && getpeername(fd, (struct sockaddr *)&ss, &len) != 0;
}

bool w32_no_remote(const struct sockaddr *a, size_t len) {
  if (a == NULL)
    return false;
  if (a->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
    const struct sockaddr_in *v4 = (const struct sockaddr_in *)(const void *)a;
    return v4->sin_addr.s_addr == htonl(INADDR_ANY) || v4->sin_port == 0;
  }
  if (a->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
    const struct sockaddr_in6 *v6 =
        (const struct sockaddr_in6 *)(const void *)a;
    return IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr) || v6->sin6_port == 0;
  }
  return false;
}

bool w32_unbound_datagram(int fd) {
  if (w32_fd_flags(fd) & W32_FD_BOUND)
    return false;
  bool unbound = w32_is_datagram(fd) && w32_ip_unbound(fd);
  if (!unbound)
    w32_fd_set_flags(fd, W32_FD_BOUND, 0);
  return unbound;
}

CPORT_API int cport_w32_getsockname(SOCKET s, struct sockaddr *addr, int *len) {
  if (addr == NULL || len == NULL || *len < 0)
    return w32_wsa_fail(WSAEFAULT);
  int gone = w32_socket_call((int)s, NULL);
  if (gone)
    return w32_wsa_fail(gone);
  socklen_t l = (socklen_t)*len;
  if (getsockname((int)s, addr, &l) != 0)
    return w32_wsa_errno(errno);
  /* "WSAEINVAL: The socket has not been bound to an address with bind"
   * (Linux answers with the any address and port 0). */
  if (w32_ip_unbound((int)s))
    return w32_wsa_fail(WSAEINVAL);
  /* "or the namelen parameter is too small": Linux cuts the address. */
  if (l > (socklen_t)*len)
    return w32_wsa_fail(WSAEFAULT);
  *len = (int)l;
  return 0;
}

CPORT_API int cport_w32_getpeername(SOCKET s, struct sockaddr *addr, int *len) {
  if (addr == NULL || len == NULL || *len < 0)
    return w32_wsa_fail(WSAEFAULT);
  int gone = w32_socket_call((int)s, NULL);
  if (gone)
    return w32_wsa_fail(gone);
  socklen_t l = (socklen_t)*len;
  if (getpeername((int)s, addr, &l) != 0) {
    /* A connection the peer reset still names its peer on Windows. */
    int e = errno;
    l = (socklen_t)*len;
    if (e != ENOTCONN || !w32_fd_was_connected((int)s) ||
        w32_ended_peer((int)s, addr, &l) != 0)
      return w32_wsa_errno(e);
  }
  if (l > (socklen_t)*len)
    return w32_wsa_fail(WSAEFAULT);
  *len = (int)l;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Byte order for a socket, disconnects, duplicating                         */
/* ------------------------------------------------------------------------ */

/* The checks the byte-order calls share: 0, or SOCKET_ERROR with the
 * error set. */
static int order_args(SOCKET s, const void *out) {
  if (s == INVALID_SOCKET || !w32_is_socket((int)s))
    return w32_wsa_fail(WSAENOTSOCK);
  return out == NULL ? w32_wsa_fail(WSAEFAULT) : 0;
}

CPORT_API int WSAHtons(SOCKET s, u_short host, u_short *net) {
  if (order_args(s, net) != 0)
    return SOCKET_ERROR;
  *net = htons(host);
  return 0;
}

CPORT_API int WSAHtonl(SOCKET s, u_long host, u_long *net) {
  if (order_args(s, net) != 0)
    return SOCKET_ERROR;
  *net = htonl((uint32_t)host); /* u_long is Windows' 32 bits' worth */
  return 0;
}

CPORT_API int WSANtohs(SOCKET s, u_short net, u_short *host) {
  if (order_args(s, host) != 0)
    return SOCKET_ERROR;
  *host = ntohs(net);
  return 0;
}

CPORT_API int WSANtohl(SOCKET s, u_long net, u_long *host) {
  if (order_args(s, host) != 0)
    return SOCKET_ERROR;
  *host = ntohl((uint32_t)net);
  return 0;
}

/* TCP/IP carries no disconnect data: WSAENOPROTOOPT for a buffer. */
CPORT_API int WSASendDisconnect(SOCKET s, LPWSABUF data) {
  if (data != NULL)
    return w32_wsa_fail(WSAENOPROTOOPT);
  return cport_w32_shutdown(s, SD_SEND);
}

CPORT_API int WSARecvDisconnect(SOCKET s, LPWSABUF data) {
  if (data != NULL)
    return w32_wsa_fail(WSAENOPROTOOPT);
  return cport_w32_shutdown(s, SD_RECEIVE);
}

/* A socket cannot be handed to another process here (no provider can
 * open it there from a WSAPROTOCOL_INFO): WSAEINVAL, the documented code
 * for a parameter that cannot be used. */
CPORT_API int WSADuplicateSocketA(SOCKET s, DWORD pid,
                                  LPWSAPROTOCOL_INFOA info) {
  (void)pid;
  if (order_args(s, info) != 0)
    return SOCKET_ERROR;
  return w32_wsa_fail(WSAEINVAL);
}

CPORT_API int WSADuplicateSocketW(SOCKET s, DWORD pid,
                                  LPWSAPROTOCOL_INFOW info) {
  (void)pid;
  if (order_args(s, info) != 0)
    return SOCKET_ERROR;
  return w32_wsa_fail(WSAEINVAL);
}
