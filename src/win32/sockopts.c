/*
 * sockopts.c - socket options with Winsock's types: setsockopt and
 * getsockopt taking Windows' value sizes (a DWORD of milliseconds for
 * the timeouts, BOOLs of any length), Windows-only options, and the
 * options whose numbers Windows and Linux give to different things.
 */
#include <netinet/in.h>
#include <stdlib.h>

/* Linux's IP_MTU, before cport_win32.h names Windows' (its number is
 * Windows' IP_DONTFRAGMENT), and Linux's IP_PKTINFO (Windows' is 19). */
enum { SYS_IP_MTU = IP_MTU, SYS_IP_PKTINFO = IP_PKTINFO };

#include "win32.h"

/* ------------------------------------------------------------------------ */
/* Options                                                                   */
/* ------------------------------------------------------------------------ */

/* SO_RCVTIMEO / SO_SNDTIMEO: a DWORD of milliseconds on Windows. */
static bool is_timeout(int level, int name) {
  return level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO);
}

/* The options Windows reads as a BOOL: it takes them from any length, and
 * ported code often passes a char (Linux wants an int). */
static bool is_bool(int level, int name) {
  if (level == SOL_SOCKET)
    return name == SO_REUSEADDR || name == SO_KEEPALIVE ||
           name == SO_BROADCAST || name == SO_OOBINLINE ||
           name == SO_DONTROUTE || name == SO_DEBUG;
  if (level == IPPROTO_TCP)
    return name == TCP_NODELAY;
  if (level == IPPROTO_IPV6)
    return name == IPV6_V6ONLY;
  return false;
}

/* IP_PKTINFO and IPV6_PKTINFO, Windows' BOOLs asking for the packet
 * information WSARecvMsg gives: Linux's IP_PKTINFO (Windows' number is
 * 19) and IPV6_RECVPKTINFO. An in6_pktinfo given for IPV6_PKTINFO is
 * Linux's sticky source address (0: not one of these). */
static int pktinfo_option(int level, int name, int len) {
  if (level == IPPROTO_IP && name == IP_PKTINFO)
    return SYS_IP_PKTINFO;
  if (level == IPPROTO_IPV6 && name == IPV6_PKTINFO &&
      len != (int)sizeof(IN6_PKTINFO))
    return IPV6_RECVPKTINFO;
  return 0;
}

/* SO_OPENTYPE: the thread's default for the sockets it opens, kept and
 * read back (every socket is overlapped here). */
static __thread DWORD open_type;

/* The Windows options whose numbers Linux gives to others at their level
 * (TCP_KEEPALIVE is Linux's TCP_CORK, IP_DONTFRAGMENT its IP_MTU), and
 * SO_OPENTYPE: set here, true with the result in *rc. */
static bool set_windows_only(int fd, int level, int name, const char *val,
                             int len, int *rc) {
  bool opentype = level == SOL_SOCKET && name == SO_OPENTYPE,
       idle = level == IPPROTO_TCP && name == TCP_KEEPALIVE,
       df = level == IPPROTO_IP && name == IP_DONTFRAGMENT;
  if (!opentype && !idle && !df)
    return false;
  DWORD v = 0;
  if (df && len > 0 && len < (int)sizeof(v)) { /* a BOOL from any length */
    for (int i = 0; i < len; i++)
      v |= val[i] != 0;
  } else if (len < (int)sizeof(v)) {
    *rc = w32_wsa_fail(WSAEFAULT);
    return true;
  } else {
    memcpy(&v, val, sizeof(v));
  }
  *rc = 0;
  if (opentype) {
    open_type = v;
    return true;
  }
  int lv = df ? (v ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT)
              : (v > INT_MAX ? INT_MAX : (int)v);
  if (setsockopt(fd, level, df ? IP_MTU_DISCOVER : TCP_KEEPIDLE, &lv,
                 sizeof(lv)) != 0)
    *rc = w32_wsa_errno(errno);
  return true;
}

CPORT_API int cport_w32_setsockopt(SOCKET s, int level, int name,
                                   const char *val, int len) {
  if (len < 0 || (val == NULL && len > 0) ||
      w32_outside_user_space(val, (size_t)len))
    return w32_wsa_fail(WSAEFAULT);
  /* (SO_UPDATE_ACCEPT_CONTEXT after an AcceptEx watched by its event:
   * its connection moves in) */
  int rc = w32_socket_call((int)s, NULL);
  if (rc)
    return w32_wsa_fail(rc);
  if (set_windows_only((int)s, level, name, val, len, &rc))
    return rc;
  if (level == SOL_SOCKET && name == SO_REUSEADDR && len > 0 && val != NULL) {
    bool on = false; /* a BOOL of any length, as is_bool reads it */
    for (int i = 0; i < len && i < (int)sizeof(DWORD); i++)
      on = on || val[i] != 0;
    w32_fd_set_flags((int)s, on ? W32_FD_REUSE : 0, on ? 0 : W32_FD_REUSE);
  }
  if (level == SOL_SOCKET && name == SO_EXCLUSIVEADDRUSE) {
    /* Linux never lets another socket take a bound port: what is left is
     * not to let TIME_WAIT go by at bind (bsd.c). */
    DWORD on = 0;
    if (len >= (int)sizeof(on))
      memcpy(&on, val, sizeof(on));
    w32_fd_set_flags((int)s, on ? W32_FD_EXCLUSIVE : 0,
                     on ? 0 : W32_FD_EXCLUSIVE);
    return 0;
  }
  if (level == SOL_SOCKET &&
      (name == SO_UPDATE_ACCEPT_CONTEXT || name == SO_UPDATE_CONNECT_CONTEXT))
    return 0; /* done by cport already */
  if (level == SOL_SOCKET && name == SO_DONTLINGER) {
    if (len < (int)sizeof(DWORD))
      return w32_wsa_fail(WSAEFAULT);
    DWORD on;
    memcpy(&on, val, sizeof(on));
    struct linger lg = {on ? 0 : 1, 0};
    if (setsockopt((int)s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) != 0)
      return w32_wsa_errno(errno);
    return 0;
  }
  if (level == SOL_SOCKET &&
      (name == SO_RANDOMIZE_PORT || name == SO_PORT_SCALABILITY ||
       name == SO_CONDITIONAL_ACCEPT))
    /* A BOOL; what it asks for is what Linux does anyway. */
    return len < (int)sizeof(DWORD) ? w32_wsa_fail(WSAEFAULT) : 0;
  if (is_timeout(level, name) && len == (int)sizeof(DWORD)) {
    DWORD ms;
    memcpy(&ms, val, sizeof(ms));
    struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
    if (setsockopt((int)s, level, name, &tv, sizeof(tv)) != 0)
      return w32_wsa_errno(errno);
    return 0;
  }
  int pktinfo = pktinfo_option(level, name, len);
  if ((is_bool(level, name) || pktinfo) && len > 0 && len <= (int)sizeof(int)) {
    int on = 0;
    for (int i = 0; i < len; i++)
      on |= val[i] != 0;
    if (setsockopt((int)s, level, pktinfo ? pktinfo : name, &on, sizeof(on)) !=
        0)
      return w32_wsa_errno(errno);
    return 0;
  }
  if (level == SOL_SOCKET && name == SO_LINGER &&
      len < (int)sizeof(struct linger))
    return w32_wsa_fail(WSAEFAULT); /* "the optlen parameter ... too small" */
  if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_RCVBUF) &&
      len >= (int)sizeof(int)) {
    /* 0: Windows' "no buffering" (sends and receives straight from and to
     * the program's buffers), a speed hint of IOCP servers. Linux's
     * smallest buffer (4.5 KiB) would stall every large send: the kernel
     * keeps its own sizing, and the option reads back 0, as set. */
    int v;
    memcpy(&v, val, sizeof(v));
    unsigned zero = name == SO_SNDBUF ? W32_FD_SNDBUF0 : W32_FD_RCVBUF0;
    w32_fd_set_flags((int)s, v == 0 ? zero : 0, v == 0 ? 0 : zero);
    if (v == 0)
      return 0;
  }
  if (setsockopt((int)s, level, name, val, (socklen_t)len) != 0)
    /* Too short for the option: "the optlen parameter is not valid". */
    return errno == EINVAL && len < (int)sizeof(int) ? w32_wsa_fail(WSAEFAULT)
                                                     : w32_wsa_errno(errno);
  return 0;
}

static int put_dword(char *val, int *len, DWORD v) {
  if (*len < (int)sizeof(v))
    return w32_wsa_fail(WSAEFAULT);
  memcpy(val, &v, sizeof(v));
  *len = sizeof(v);
  return 0;
}

/* SOL_SOCKET options whose value is an int: "the optlen parameter is too
 * small" (WSAEFAULT) below one (Linux would cut the value short). */
static bool int_option(int level, int name) {
  return level == SOL_SOCKET &&
         (name == SO_RCVBUF || name == SO_SNDBUF || name == SO_TYPE ||
          name == SO_ERROR || name == SO_RCVTIMEO || name == SO_SNDTIMEO);
}

CPORT_API int cport_w32_getsockopt(SOCKET s, int level, int name, char *val,
                                   int *len) {
  int fd = (int)s;
  if (val == NULL || len == NULL || w32_outside_user_space(len, sizeof(*len)) ||
      *len < 0 || w32_outside_user_space(val, (size_t)*len) ||
      (int_option(level, name) && *len < (int)sizeof(int)))
    return w32_wsa_fail(WSAEFAULT);
  int gone = w32_socket_call(fd, NULL);
  if (gone)
    return w32_wsa_fail(gone);
  if (level == SOL_SOCKET && name == SO_CONNECT_TIME) {
    /* Seconds connected, 0xFFFFFFFF if not connected. */
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0) {
      if (errno != ENOTCONN)
        return w32_wsa_errno(errno);
      /* The socket of an AcceptEx whose client connected and has sent
       * nothing yet is connected on Windows (its "AcceptEx" page checks
       * this to drop such clients); here the connection waits apart. */
      uint32_t ms;
      return put_dword(val, len,
                       w32_fixup_accept_waiting_ms(fd, &ms) ? ms / 1000
                                                            : 0xFFFFFFFFu);
    }
    uint64_t since = w32_fd_connected_since(fd);
    if (since == 0) { /* connected outside the layer's sight: from now */
      w32_fd_connected(fd);
      since = w32_fd_connected_since(fd);
      if (since == 0)
        return w32_wsa_fail(WSAENOBUFS);
    }
    return put_dword(val, len, (DWORD)((w32_now_ms() - since) / 1000));
  }
  if (level == SOL_SOCKET && name == SO_OPENTYPE)
    return put_dword(val, len, open_type);
  if (level == SOL_SOCKET &&
      (name == SO_PROTOCOL_INFOA || name == SO_PROTOCOL_INFOW))
    return w32_socket_protocol_info(fd, name == SO_PROTOCOL_INFOW, val, len);
  if (level == SOL_SOCKET && name == SO_DONTLINGER) {
    /* A BOOL: TRUE when SO_LINGER is off. */
    struct linger lg;
    socklen_t ll = sizeof(lg);
    if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &ll) != 0)
      return w32_wsa_errno(errno);
    return put_dword(val, len, lg.l_onoff == 0);
  }
  if (level == SOL_SOCKET && name == SO_EXCLUSIVEADDRUSE) {
    int type = 0;
    socklen_t tl = sizeof(type);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0)
      return w32_wsa_errno(errno);
    return put_dword(val, len, (w32_fd_flags(fd) & W32_FD_EXCLUSIVE) ? 1 : 0);
  }
  if ((level == IPPROTO_TCP && name == TCP_KEEPALIVE) ||
      (level == IPPROTO_IP && name == IP_DONTFRAGMENT)) {
    bool df = level == IPPROTO_IP;
    int v = 0;
    socklen_t vl = sizeof(v);
    if (getsockopt(fd, level, df ? IP_MTU_DISCOVER : TCP_KEEPIDLE, &v, &vl) !=
        0)
      return w32_wsa_errno(errno);
    if (df)
      v = v == IP_PMTUDISC_DO || v == IP_PMTUDISC_PROBE;
    return put_dword(val, len, (DWORD)v);
  }
  if (level == IPPROTO_IP && name == IP_MTU)
    name = SYS_IP_MTU;
  int pktinfo = pktinfo_option(level, name, 0);
  if (pktinfo) { /* a BOOL, as a DWORD */
    int v = 0;
    socklen_t vl = sizeof(v);
    if (getsockopt(fd, level, pktinfo, &v, &vl) != 0)
      return w32_wsa_errno(errno);
    return put_dword(val, len, v != 0);
  }
  if (level == SOL_SOCKET && name == SO_MAX_MSG_SIZE) {
    int type = 0, family = 0;
    socklen_t tl = sizeof(type), fl = sizeof(family);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 ||
        getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &fl) != 0)
      return w32_wsa_errno(errno);
    if (type != SOCK_DGRAM)
      return w32_wsa_fail(WSAENOPROTOOPT);
    return put_dword(val, len, family == AF_INET6 ? 65527u : 65507u);
  }
  if (is_timeout(level, name) && *len == (int)sizeof(DWORD)) {
    struct timeval tv;
    socklen_t tl = sizeof(tv);
    if (getsockopt(fd, level, name, &tv, &tl) != 0)
      return w32_wsa_errno(errno);
    return put_dword(val, len, (DWORD)(tv.tv_sec * 1000 + tv.tv_usec / 1000));
  }
  socklen_t l = (socklen_t)*len;
  if (getsockopt(fd, level, name, val, &l) != 0)
    return w32_wsa_errno(errno);
  *len = (int)l;
  if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF) &&
      l >= sizeof(int)) {
    /* Linux keeps (and reports) twice the size asked for, room for its
     * own bookkeeping; Windows reports the size set (0 too). */
    int v;
    memcpy(&v, val, sizeof(v));
    v /= 2;
    if (w32_fd_flags(fd) &
        (name == SO_SNDBUF ? W32_FD_SNDBUF0 : W32_FD_RCVBUF0))
      v = 0;
    memcpy(val, &v, sizeof(v));
  }
  if (level == SOL_SOCKET && name == SO_ERROR && l >= sizeof(int)) {
    /* The pending error as a WSA code; first one the layer took from the
     * kernel to learn a connect's outcome (select, WSAEventSelect). */
    int e;
    memcpy(&e, val, sizeof(e));
    int kept = w32_fd_take_error(fd);
    e = e ? w32_wsa_error(-e) : kept ? w32_wsa_error(kept) : 0;
    memcpy(val, &e, sizeof(e));
  }
  return 0;
}
