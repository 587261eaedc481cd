/*
 * connectbyname.c - WSAConnectByNameA / W: a blocking connect to a host
 * and service by name, each address the lookup gives tried in turn
 * within one time limit, the addresses of the connection handed back.
 *
 * The lookup is getaddrinfo's for the socket's family and type (an IPv6
 * socket that is not IPv6-only also reaches IPv4 hosts, as mapped
 * addresses). Each connect is made without blocking and waited for with
 * poll, a slice at a time, so the time limit covers the whole call; the
 * socket's blocking mode is as it was after the call.
 */
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "win32.h"

/* The WSA error set: FALSE. */
static BOOL fail(int err) {
  w32_wsa_fail(err);
  return FALSE;
}

/* The socket's family, type and protocol; false if s is no socket. */
static bool socket_kind(int fd, int *family, int *type, int *protocol) {
  socklen_t l = sizeof(int);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, family, &l) != 0)
    return false;
  l = sizeof(int);
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, type, &l) != 0)
    return false;
  l = sizeof(int);
  if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, protocol, &l) != 0)
    *protocol = 0;
  return true;
}

/* Room for an address of `family` in an output the caller gave. */
static bool room_for(int family, const DWORD *len, const SOCKADDR *addr) {
  if (len == NULL && addr == NULL)
    return true;
  if (len == NULL || addr == NULL)
    return false;
  size_t need = family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                   : sizeof(struct sockaddr_in);
  return *len >= need;
}

/* Connects fd to a (not blocking: fd is O_NONBLOCK), waiting until the
 * deadline (UINT64_MAX: none): 0, or the WSA error. */
static int connect_one(int fd, const struct addrinfo *a, uint64_t until) {
  /* (The kernel's connect: the layer's own would wait with no limit on a
   * socket a port has.) */
  if (w32_connect_start(fd, a->ai_addr, a->ai_addrlen) == 0)
    return 0;
  if (errno != EINPROGRESS && errno != EINTR)
    return w32_wsa_error(-errno);
  if (w32_connect_wait(fd, until) == 0)
    return 0;
  if (errno == ECANCELED) {
    /* The attempt the kernel goes on with is dropped. */
    struct sockaddr none;
    memset(&none, 0, sizeof(none));
    none.sa_family = AF_UNSPEC;
    (void)w32_connect_start(fd, &none, sizeof(none));
    return WSA_OPERATION_ABORTED;
  }
  return errno == ETIMEDOUT ? WSAETIMEDOUT : w32_wsa_error(-errno);
}

/* The address getsockname or getpeername gives, into the caller's. */
static void hand_back(int fd, bool peer, LPDWORD len, LPSOCKADDR out) {
  if (len == NULL)
    return;
  struct sockaddr_storage ss;
  socklen_t l = sizeof(ss);
  int rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &l)
                : getsockname(fd, (struct sockaddr *)&ss, &l);
  if (rc != 0)
    l = 0;
  if (l > *len)
    l = (socklen_t)*len;
  memcpy(out, &ss, l);
  *len = (DWORD)l;
}

CPORT_API BOOL WSAConnectByNameA(SOCKET s, LPCSTR node, LPCSTR service,
                                 LPDWORD local_len, LPSOCKADDR local,
                                 LPDWORD remote_len, LPSOCKADDR remote,
                                 const struct timeval *timeout,
                                 LPWSAOVERLAPPED reserved) {
  int fd = (int)s;
  int family, type, protocol;
  if (s == INVALID_SOCKET || !socket_kind(fd, &family, &type, &protocol))
    return fail(WSAENOTSOCK);
  if (node == NULL || service == NULL || reserved != NULL ||
      (timeout != NULL && (timeout->tv_sec < 0 || timeout->tv_usec < 0)))
    return fail(WSAEINVAL);
  if (family != AF_INET && family != AF_INET6)
    return fail(WSAEAFNOSUPPORT);
  if (!room_for(family, local_len, local) ||
      !room_for(family, remote_len, remote))
    return fail(WSAEFAULT);
  struct sockaddr_storage peer;
  socklen_t pl = sizeof(peer);
  if (getpeername(fd, (struct sockaddr *)&peer, &pl) == 0)
    return fail(WSAEISCONN);

  uint64_t until = UINT64_MAX;
  if (timeout != NULL)
    until = w32_now_ms() + (uint64_t)timeout->tv_sec * 1000u +
            ((uint64_t)timeout->tv_usec + 999u) / 1000u;
  struct addrinfo hints, *list = NULL;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = family;
  hints.ai_socktype = type;
  hints.ai_protocol = protocol;
  if (family == AF_INET6) {
    int only = 1;
    socklen_t l = sizeof(only);
    if (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, &l) == 0 && !only)
      hints.ai_flags = AI_V4MAPPED | AI_ALL;
  }
  int err = cport_w32_getaddrinfo(node, service, &hints, &list);
  if (err != 0)
    return fail(err);

  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
    freeaddrinfo(list);
    return fail(WSAENOTSOCK);
  }
  err = WSAEHOSTUNREACH;
  for (const struct addrinfo *a = list; a != NULL; a = a->ai_next) {
    err = connect_one(fd, a, until);
    if (err == 0 || err == WSAETIMEDOUT || err == WSA_OPERATION_ABORTED)
      break;
  }
  freeaddrinfo(list);
  int e = errno;
  (void)fcntl(fd, F_SETFL, fl);
  errno = e;
  if (err != 0)
    return fail(err);
  w32_fd_connect_outcome(fd, 0, false); /* connected (SO_CONNECT_TIME) */
  hand_back(fd, false, local_len, local);
  hand_back(fd, true, remote_len, remote);
  return TRUE;
}

CPORT_API BOOL WSAConnectByNameW(SOCKET s, LPCWSTR node, LPCWSTR service,
                                 LPDWORD local_len, LPSOCKADDR local,
                                 LPDWORD remote_len, LPSOCKADDR remote,
                                 const struct timeval *timeout,
                                 LPWSAOVERLAPPED reserved) {
  if (node == NULL || service == NULL)
    return fail(WSAEINVAL);
  char *n = w32_utf8(node), *sv = w32_utf8(service);
  BOOL ok = n != NULL && sv != NULL
                ? WSAConnectByNameA(s, n, sv, local_len, local, remote_len,
                                    remote, timeout, reserved)
                : fail(WSAENOBUFS);
  free(n);
  free(sv);
  return ok;
}
