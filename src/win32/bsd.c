/*
 * bsd.c - the BSD socket calls whose Linux prototypes take Winsock's
 * arguments as they are: socket, bind, listen, connect, send, recv,
 * sendto (select is in readiness.c). libcport-win32 defines these names
 * in front of the C library's (which it reaches with dlsym(RTLD_NEXT)),
 * so a ported program keeps calling them unchanged and C++ keeps
 * std::bind. Each does what the C library's does and, on failure, also
 * sets WSAGetLastError(), as Winsock does. For every caller in the
 * process they return the C library's results, but for the Winsock
 * differences below, and leave errno as the C library does.
 *
 * Winsock differences they add: listen fails on an IP socket never bound
 * (WSAEINVAL, errno EINVAL); send and sendto never raise SIGPIPE; a
 * blocking call gives a released worker's place back to its port while
 * it blocks; a socket a port made non-blocking underneath still blocks
 * for recv/send (unless the program set FIONBIO).
 * recvfrom takes an int length, so it is a macro (cport_w32_recvfrom).
 */
#include <dlfcn.h>
#include <fcntl.h>

#include "win32.h"

#define REAL(name)                                                         \
  static __typeof__(name) *real_##name;                                    \
  static __typeof__(name) *next_##name(void) {                             \
    __typeof__(name) *f = __atomic_load_n(&real_##name, __ATOMIC_ACQUIRE); \
    if (f == NULL) {                                                       \
      f = (__typeof__(name) *)dlsym(RTLD_NEXT, #name);                     \
      __atomic_store_n(&real_##name, f, __ATOMIC_RELEASE);                 \
    }                                                                      \
    return f;                                                              \
  }

REAL(socket)
REAL(bind)
REAL(listen)
REAL(connect)
REAL(send)
REAL(recv)
REAL(sendto)
REAL(recvfrom)

/* On failure: the WSA code as the last error; errno kept. */
static int failed(void) {
  int e = errno;
  WSASetLastError(w32_wsa_error(-e));
  errno = e;
  return -1;
}

/* A blocking call's SO_RCVTIMEO / SO_SNDTIMEO ran out: WSAETIMEDOUT, as
 * Winsock says (Linux says EAGAIN). */
static ssize_t timed_out(void) {
  WSASetLastError(WSAETIMEDOUT);
  errno = ETIMEDOUT;
  return -1;
}

/* A data call's failure; a reset is remembered for the socket (Linux
 * reports it once). A send's EPIPE is, in Winsock's words, a send on a
 * socket never connected (WSAENOTCONN), shut down for sending
 * (WSAESHUTDOWN), or reset (WSAECONNRESET). */
static ssize_t data_failed(int fd) {
  int e = errno;
  if (e == ECONNRESET)
    w32_fd_set_flags(fd, W32_FD_RESET, 0);
  if (e == ECONNREFUSED) {
    /* A datagram's ICMP "port unreachable": Winsock's WSAECONNRESET. */
    int type = 0;
    socklen_t len = sizeof(type);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
        type == SOCK_DGRAM) {
      WSASetLastError(WSAECONNRESET);
      errno = e;
      return -1;
    }
  }
  if (e == EPIPE) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    unsigned fl = w32_fd_flags(fd);
    int wsa = (fl & W32_FD_SHUT_WR) ? WSAESHUTDOWN
              : (fl & W32_FD_RESET) ? WSAECONNRESET
              : getpeername(fd, (struct sockaddr *)&ss, &len) == 0
                  ? WSAESHUTDOWN
              : w32_fd_was_connected(fd) ? WSAECONNRESET
                                         : WSAENOTCONN;
    WSASetLastError(wsa);
    errno = e;
    return -1;
  }
  errno = e;
  return failed();
}

/* Another thread's closesocket ended the call: WSAEINTR ("a blocking
 * call was canceled"), errno EINTR. */
static ssize_t closed_under(void) {
  WSASetLastError(WSAEINTR);
  errno = EINTR;
  return -1;
}

/* The layer's look at fd before a call (w32_socket_call, its flags into
 * *flags if not NULL): true, with WSAENOTSOCK and ENOTSOCK, for a socket
 * already closed. */
static bool closed_already_flags(int fd, unsigned *flags) {
  int e = w32_socket_call(fd, flags);
  if (e == 0)
    return false;
  WSASetLastError(e);
  errno = ENOTSOCK;
  return true;
}

static bool closed_already(int fd) {
  return closed_already_flags(fd, NULL);
}

static bool fd_blocking(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl >= 0 && !(fl & O_NONBLOCK);
}

CPORT_API int socket(int domain, int type, int protocol) {
  /* After the last WSACleanup, Winsock's own families only. */
  if ((domain == AF_INET || domain == AF_INET6) && w32_winsock_ended()) {
    WSASetLastError(WSANOTINITIALISED);
    errno = EINVAL;
    return -1;
  }
  int fd = next_socket()(domain, type, protocol);
  if (fd < 0)
    return failed();
  w32_fd_new_socket(fd, domain, type);
  return fd;
}

static void set_reuse(int fd, int on) {
  (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
}

/* The local port a bind took (the kernel's choice for port 0). */
static unsigned bound_port_of(int fd, unsigned asked) {
  if (asked != 0)
    return asked;
  struct sockaddr_storage ss;
  socklen_t sl = sizeof(ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
    return 0;
  return ntohs(
      ss.ss_family == AF_INET
          ? ((const struct sockaddr_in *)(const void *)&ss)->sin_port
          : ((const struct sockaddr_in6 *)(const void *)&ss)->sin6_port);
}

/* A stream socket's bind, as Windows does it: another socket bound to the
 * address refuses it (WSAEADDRINUSE; Linux's SO_REUSEADDR would let two
 * sockets not listening share it), but the connections of an earlier
 * listener, open or waiting to close (TIME_WAIT), do not (a server
 * restarted at once, "Using SO_REUSEADDR and SO_EXCLUSIVEADDRUSE"). So the
 * bind is tried without SO_REUSEADDR, and again with it unless a socket of
 * this process still holds the port by its own bind (the layer counts
 * them: no scan of the kernel's tables, whatever they hold); with it,
 * Linux still refuses a port a listener has or a socket without
 * SO_REUSEADDR holds. The socket gets SO_REUSEADDR once bound, for its own
 * connections' sake. A socket whose program set SO_REUSEADDR keeps
 * Linux's meaning of it; one that set SO_EXCLUSIVEADDRUSE never gets it. */
static int stream_bind(int fd, const struct sockaddr *addr, socklen_t len) {
  unsigned fl = w32_fd_flags(fd);
  unsigned port =
      ntohs(addr->sa_family == AF_INET
                ? ((const struct sockaddr_in *)(const void *)addr)->sin_port
                : ((const struct sockaddr_in6 *)(const void *)addr)->sin6_port);
  int rc;
  if (fl & W32_FD_REUSE) {
    rc = next_bind()(fd, addr, len);
  } else {
    set_reuse(fd, 0);
    rc = next_bind()(fd, addr, len);
    if (rc != 0 && errno == EADDRINUSE && port != 0 &&
        !(fl & W32_FD_EXCLUSIVE) && !w32_port_bound_here(port)) {
      set_reuse(fd, 1);
      rc = next_bind()(fd, addr, len);
      if (rc != 0) {
        int e = errno;
        set_reuse(fd, 0);
        errno = e;
      }
    } else if (rc == 0 && !(fl & W32_FD_EXCLUSIVE)) {
      set_reuse(fd, 1);
    }
  }
  if (rc == 0)
    w32_fd_bound_port(fd, bound_port_of(fd, port));
  return rc;
}

static bool stream_ip(int fd, const struct sockaddr *addr) {
  if (addr->sa_family != AF_INET && addr->sa_family != AF_INET6)
    return false;
  int type = 0;
  socklen_t tlen = sizeof(type);
  return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 &&
         type == SOCK_STREAM;
}

/* "WSAEFAULT: The name or namelen parameter is not a valid part of the
 * user address space, the namelen parameter is too small" (Linux:
 * EINVAL). */
static bool name_too_small(const struct sockaddr *addr, socklen_t len) {
  if (addr == NULL || len < (socklen_t)sizeof(sa_family_t))
    return true;
  return (addr->sa_family == AF_INET && len < sizeof(struct sockaddr_in)) ||
         (addr->sa_family == AF_INET6 && len < sizeof(struct sockaddr_in6));
}

CPORT_API int bind(int fd, const struct sockaddr *addr, socklen_t len) {
  if (closed_already(fd))
    return -1;
  if (name_too_small(addr, len)) {
    WSASetLastError(WSAEFAULT);
    errno = EFAULT;
    return -1;
  }
  int rc = stream_ip(fd, addr) ? stream_bind(fd, addr, len)
                               : next_bind()(fd, addr, len);
  return rc == 0 ? 0 : failed();
}

CPORT_API int listen(int fd, int backlog) {
  if (closed_already(fd))
    return -1;
  /* "WSAEINVAL: The socket has not been bound with bind" (Linux binds it
   * to a port of its choosing). */
  if (w32_ip_unbound(fd)) {
    WSASetLastError(WSAEINVAL);
    errno = EINVAL;
    return -1;
  }
  if (next_listen()(fd, backlog) != 0) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (errno == EINVAL && getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
      WSASetLastError(WSAEISCONN); /* "The socket is already connected" */
      errno = EISCONN;
      return -1;
    }
    return failed();
  }
  w32_es_note(fd, 0); /* WSAEventSelect: FD_ACCEPT may come now */
  return 0;
}

int w32_connect_wait(int fd, uint64_t until) {
  int w = w32_fd_wait(fd, POLLOUT, &until);
  if (w == 2)
    return (int)closed_under();
  if (w == 1) {
    errno = ETIMEDOUT;
    return -1;
  }
  if (w != 0) {
    if (w < 0 && errno == EINPROGRESS)
      errno = ENOTSOCK; /* (POLLNVAL: the descriptor went) */
    return -1;          /* (3: cancelled, errno ECANCELED) */
  }
  int err = 0;
  socklen_t el = sizeof(err);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0)
    return -1;
  errno = err;
  return err == 0 ? 0 : -1;
}

int w32_connect_start(int fd, const struct sockaddr *addr, socklen_t len) {
  return next_connect()(fd, addr, len);
}

CPORT_API int connect(int fd, const struct sockaddr *addr, socklen_t len) {
  if (closed_already(fd))
    return -1;
  if (w32_no_remote(addr, len)) {
    WSASetLastError(WSAEADDRNOTAVAIL);
    errno = EADDRNOTAVAIL;
    return -1;
  }
  bool block = fd_blocking(fd);
  if (block) {
    w32_block_begin();
    w32_sync_begin_fd(fd);
  }
  int rc = next_connect()(fd, addr, len);
  bool cancelled = false;
  if (block) {
    cancelled = w32_sync_end() && rc != 0 && errno == EINTR;
    w32_block_end();
  } else if (rc != 0 && errno == EINPROGRESS && w32_fd_emulates_blocking(fd)) {
    rc = w32_connect_wait(fd, UINT64_MAX); /* (no timeout applies) */
    if (rc != 0 && errno == EINTR)
      return -1; /* closed under it: WSAEINTR */
    cancelled = rc != 0 && errno == ECANCELED;
  }
  if (cancelled) {
    /* CancelSynchronousIo: the attempt the kernel goes on with is
     * dropped (AF_UNSPEC dissolves the association). */
    struct sockaddr none;
    memset(&none, 0, sizeof(none));
    none.sa_family = AF_UNSPEC;
    (void)next_connect()(fd, &none, sizeof(none));
    errno = ECANCELED;
    return failed();
  }
  int e = errno;
  int listening = 0;
  socklen_t ll = sizeof(listening);
  if (rc != 0 && (e == EISCONN || e == EINVAL) &&
      getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ll) == 0 &&
      listening) {
    WSASetLastError(WSAEINVAL); /* "The parameter s is a listening socket" */
    errno = EINVAL;
    return -1;
  }
  if (rc != 0 && e == EINPROGRESS) /* select tells its outcome */
    w32_fd_set_flags(fd, W32_FD_CONNECTING | W32_FD_NB_CONNECT, 0);
  w32_es_note(fd, 0); /* WSAEventSelect: the connect's outcome comes */
  errno = e;
  if (rc != 0)
    return failed();
  if (w32_fd_flags(fd) & W32_FD_NB_CONNECT) {
    /* Linux reports a finished non-blocking connect to the next connect
     * call; Windows: "WSAEISCONN when the connection completes". */
    w32_fd_set_flags(fd, 0, W32_FD_NB_CONNECT);
    w32_fd_connected(fd);
    WSASetLastError(WSAEISCONN);
    errno = EISCONN;
    return -1;
  }
  w32_fd_connected(fd);
  return 0;
}

/*
 * The data path. A call with MSG_DONTWAIT (cport's own, and non-blocking
 * callers) goes straight through. Otherwise the call is tried without
 * blocking first; only if it would block does it block: in the kernel on
 * a blocking socket, or polling on a socket a port has made non-blocking
 * underneath. A blocking send sends everything, as on Windows.
 */
typedef ssize_t (*io_fn)(int fd, void *buf, size_t len, int flags,
                         struct sockaddr *addr, socklen_t *alen,
                         socklen_t tolen);

/* (An ICMP report a UDP socket's call ran into and Windows would not
 * have failed it for is passed over: w32_icmp_passed.) */
static ssize_t do_send(int fd, void *buf, size_t len, int flags,
                       struct sockaddr *addr, socklen_t *alen,
                       socklen_t tolen) {
  (void)alen;
  for (;;) {
    ssize_t n = addr ? next_sendto()(fd, buf, len, flags, addr, tolen)
                     : next_send()(fd, buf, len, flags);
    if (n >= 0 || errno == EAGAIN || !w32_icmp_passed(fd, true))
      return n;
  }
}

static ssize_t do_recv(int fd, void *buf, size_t len, int flags,
                       struct sockaddr *addr, socklen_t *alen,
                       socklen_t tolen) {
  (void)tolen;
  for (;;) {
    ssize_t n = addr || alen ? next_recvfrom()(fd, buf, len, flags, addr, alen)
                             : next_recv()(fd, buf, len, flags);
    if (n > (ssize_t)len && (flags & MSG_TRUNC) &&
        (w32_fd_flags(fd) & W32_FD_DGRAM)) {
      /* A datagram larger than the buffer (data_call asks Linux for its
       * whole length): "the buffer is filled with the first part of the
       * datagram, and recvfrom generates the error WSAEMSGSIZE". */
      errno = EMSGSIZE;
      return -1;
    }
    if (n >= 0 || errno == EAGAIN || !w32_icmp_passed(fd, false))
      return n;
  }
}

static ssize_t data_call(io_fn fn, bool sending, int fd, void *buf, size_t len,
                         int flags, struct sockaddr *addr, socklen_t *alen,
                         socklen_t tolen) {
  unsigned fl;
  if (closed_already_flags(fd, &fl)) /* (an AcceptEx's: its connection in) */
    return -1;
  /* (A send with MSG_DONTWAIT is cport's own, reaching this symbol: the
   * sends pending at shutdown(SD_SEND) still go before its FIN.) */
  if (fl & (sending ? (flags & MSG_DONTWAIT ? 0 : W32_FD_SHUT_WR)
                    : W32_FD_SHUT_RD)) {
    WSASetLastError(WSAESHUTDOWN); /* "not possible to send or receive on
                                      a socket after shutdown" */
    errno = ESHUTDOWN;
    return -1;
  }
  if (sending)
    flags |= MSG_NOSIGNAL;
  else if (fl & W32_FD_DGRAM)
    flags |= MSG_TRUNC; /* the whole length: to tell a truncated datagram */
  /* Every byte before it returns: a blocking send, and a receive with
   * MSG_WAITALL (until the buffer is full, the end, or an error). */
  bool all = sending || ((flags & MSG_WAITALL) && !(flags & MSG_PEEK) &&
                         !w32_is_datagram(fd));
  if (!sending && !all && !(flags & (MSG_PEEK | MSG_DONTWAIT)))
    len = cport__fault_cut(fd, len); /* the fault mode's split (a stream's) */
  /* The overlapped ops started before it go first (their sends, the
   * bytes for their receives, cport's held ones too): a blocking call
   * waits for them to end, to a non-blocking socket they are a full
   * buffer or no data. (MSG_DONTWAIT is no Winsock flag: cport's own
   * calls, straight through.) */
  bool may_wait = fd_blocking(fd) || w32_fd_emulates_blocking(fd);
  uint64_t until = 0; /* (one deadline for the call's waits) */
  int queued = flags & MSG_DONTWAIT
                   ? 0
                   : w32_fd_wait_queued(fd, !sending, !may_wait, &until);
  if (queued == 2)
    return closed_under();
  if (queued == 3)
    return failed(); /* CancelSynchronousIo (errno ECANCELED) */
  if (queued == 1)
    return timed_out();
  if (queued != 0) {
    errno = EAGAIN;
    return data_failed(fd);
  }
  size_t done = 0;
  if (!sending && len == 0 && !(flags & MSG_DONTWAIT)) {
    /* A receive of 0 bytes ends at once when bytes wait, cport's held
     * ones too (the kernel's socket may be empty then). */
    char one;
    struct iovec v = {&one, 1};
    ssize_t n;
    if (w32_held_first(fd, &v, 1, flags | MSG_PEEK, false, &n) && n > 0)
      return 0;
  }
  if (!sending && !(flags & MSG_DONTWAIT)) {
    for (;;) {
      struct iovec v = {(char *)buf + done, len - done};
      ssize_t n;
      if (!w32_held_first(fd, &v, 1, flags,
                          fd_blocking(fd) || w32_fd_emulates_blocking(fd), &n))
        break; /* nothing held: from the kernel, below */
      if (n < 0)
        return done > 0 ? (ssize_t)done : data_failed(fd);
      done += (size_t)n;
      if (!all || done == len || n == 0)
        return (ssize_t)done;
    }
  }
  if (flags & MSG_DONTWAIT) {
    ssize_t n = fn(fd, buf, len, flags, addr, alen, tolen);
    return n >= 0 ? n : data_failed(fd);
  }
  for (;;) {
    ssize_t n = fn(fd, (char *)buf + done, len - done,
                   (flags & ~MSG_WAITALL) | MSG_DONTWAIT, addr, alen, tolen);
    if (n >= 0) {
      done += (size_t)n;
      if (!all || done == len || n == 0)
        return (ssize_t)done;
      continue; /* a blocking send, or MSG_WAITALL: on with the rest */
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno != EAGAIN)
      return done > 0 ? (ssize_t)done : data_failed(fd);
    if (fd_blocking(fd)) {
      /* In the kernel: counted, so closesocket by another thread shuts
       * the socket down to wake it (sockets.c), and it fails. */
      bool counted = w32_fd_accepting(fd, 1);
      w32_block_begin();
      w32_sync_begin_fd(fd);
      n = fn(fd, (char *)buf + done, len - done, flags, addr, alen, tolen);
      bool cancelled = w32_sync_end() && n < 0 && errno == EINTR;
      w32_block_end();
      bool closing = (w32_fd_flags(fd) & W32_FD_CLOSING) != 0;
      if (counted)
        w32_fd_accepting(fd, -1);
      if (closing)
        return closed_under();
      if (cancelled) { /* CancelSynchronousIo */
        if (done > 0)
          return (ssize_t)done;
        errno = ECANCELED;
        return failed();
      }
      /* A timed wait is not restarted by the kernel, and io_uring's task
       * work interrupts it too: the wait goes on (its timeout from the
       * start again, as a rare interruption costs no syscall per call). */
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && done == 0 && errno == EAGAIN)
        return timed_out(); /* SO_RCVTIMEO / SO_SNDTIMEO ran out */
      if (n < 0)
        return done > 0 ? (ssize_t)done : data_failed(fd);
      return (ssize_t)(done + (size_t)n);
    }
    if (!w32_fd_emulates_blocking(fd)) {
      /* The program's own non-blocking socket: its answer as it is. */
      n = fn(fd, (char *)buf + done, len - done, flags, addr, alen, tolen);
      if (n < 0)
        return done > 0 ? (ssize_t)done : data_failed(fd);
      return (ssize_t)(done + (size_t)n);
    }
    int w = w32_fd_wait(fd, sending ? POLLOUT : POLLIN, &until);
    if (w == 2)
      return closed_under();
    if (w == 1)
      return done > 0 ? (ssize_t)done : timed_out();
    if (w != 0)
      return done > 0 ? (ssize_t)done : data_failed(fd);
  }
}

/* WSAEventSelect's re-enabling calls: a send that would block (FD_WRITE),
 * any receive (FD_READ). errno and the last error are kept. */
static ssize_t sent(int fd, ssize_t n) {
  if (n < 0 && errno == EAGAIN)
    w32_es_note(fd, FD_WRITE);
  return n;
}

static ssize_t received(int fd, ssize_t n) {
  if (n == 0 && (w32_fd_flags(fd) & W32_FD_RESET)) {
    /* Reset once, reset for good, as on Windows (Linux says it once, then
     * the end of the stream). */
    WSASetLastError(WSAECONNRESET);
    errno = ECONNRESET;
    n = -1;
  }
  w32_es_note(fd, FD_READ);
  return n;
}

CPORT_API ssize_t send(int fd, const void *buf, size_t len, int flags) {
  ssize_t n = sent(
      fd, data_call(do_send, true, fd, (void *)buf, len, flags, NULL, NULL, 0));
  if (n < 0 && errno == EDESTADDRREQ)
    WSASetLastError(WSAENOTCONN); /* send's word for no peer */
  return n;
}

CPORT_API ssize_t sendto(int fd, const void *buf, size_t len, int flags,
                         const struct sockaddr *to, socklen_t tolen) {
  /* (A stream socket ignores the address, as on Windows.) */
  if (w32_no_remote(to, tolen) && w32_is_datagram(fd)) {
    WSASetLastError(WSAEADDRNOTAVAIL);
    errno = EADDRNOTAVAIL;
    return -1;
  }
  return sent(fd, data_call(do_send, true, fd, (void *)buf, len, flags,
                            (struct sockaddr *)to, NULL, tolen));
}

CPORT_API ssize_t recv(int fd, void *buf, size_t len, int flags) {
  return received(
      fd, data_call(do_recv, false, fd, buf, len, flags, NULL, NULL, 0));
}

CPORT_API int cport_w32_recvfrom(SOCKET s, char *buf, int len, int flags,
                                 struct sockaddr *from, int *fromlen) {
  if (len < 0 || (from != NULL && (fromlen == NULL || *fromlen < 0 ||
                                   w32_from_too_small((int)s, *fromlen))))
    return w32_wsa_fail(WSAEFAULT);
  if (w32_unbound_datagram((int)s))
    return w32_wsa_fail(WSAEINVAL); /* "not been bound with bind" */
  socklen_t l = fromlen ? (socklen_t)*fromlen : 0;
  ssize_t n =
      received((int)s, data_call(do_recv, false, (int)s, buf, (size_t)len,
                                 flags, from, from ? &l : NULL, 0));
  if (n < 0 && errno == EMSGSIZE && from != NULL)
    *fromlen = (int)l; /* (the datagram came: its sender) */
  if (n < 0)
    return SOCKET_ERROR;
  if (from != NULL)
    *fromlen = (int)l;
  return (int)n;
}
