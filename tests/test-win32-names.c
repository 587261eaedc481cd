/*
 * test-win32-names.c - names and small Winsock calls that ported programs
 * use, written only against the Win32 API (real Winsock on Windows, the
 * layer on Linux): the Windows-only options TCP_KEEPALIVE,
 * IP_DONTFRAGMENT and SO_OPENTYPE; WSAIoctl's SIO_LOOPBACK_FAST_PATH and
 * SIO_BASE_HANDLE; the WSAMSG control-header macros and the extension
 * GUIDs (the layer lacks WSARecvMsg and WSASendMsg); WSAHtons & co.;
 * WSASendDisconnect and WSARecvDisconnect; WSADuplicateSocket;
 * WSAEnumProtocols, WSASocket from its entries and SO_PROTOCOL_INFO;
 * GetAddrInfoW, FreeAddrInfoW and
 * GetNameInfoW; getsockname and listen on a socket never bound
 * (WSAEINVAL); CreateThread returning before its thread runs; the
 * 8- and 16-bit and fence-suffixed Interlocked forms; fiber-local storage
 * on threads; and WaitOnAddress. Known
 * Wine differences skip with the reason.
 */
#include "win32-util.h"

#include <stdlib.h>
#include <wchar.h>

/* ws2ipdef.h's, missing from mingw-w64's headers. */
#ifndef TCP_KEEPALIVE
#  define TCP_KEEPALIVE 3
#endif

/* ------------------------------------------------------------------------ */
/* Options                                                                   */
/* ------------------------------------------------------------------------ */

/* TCP_KEEPALIVE: a DWORD of idle seconds before the first probe, read
 * back as set (Linux's TCP_KEEPIDLE underneath); a short value is
 * WSAEFAULT. */
static void tcp_keepalive_is_idle_seconds(void **state) {
  (void)state;
  SOCKET s = w_tcp();
  DWORD idle = 45;
  int rc =
      setsockopt(s, IPPROTO_TCP, TCP_KEEPALIVE, (char *)&idle, sizeof(idle));
  if (rc != 0 && h_on_wine()) {
    closesocket(s);
    H_SKIP("known Wine difference: setsockopt TCP_KEEPALIVE fails; see "
           "docs/windows.md");
  }
  assert_int_equal(rc, 0);
  DWORD got = 0;
  int len = sizeof(got);
  assert_int_equal(
      getsockopt(s, IPPROTO_TCP, TCP_KEEPALIVE, (char *)&got, &len), 0);
  assert_int_equal(len, sizeof(DWORD));
  assert_int_equal(got, 45);
#ifndef _WIN32
  int linux_idle = 0;
  len = sizeof(linux_idle);
  assert_int_equal(
      getsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, (char *)&linux_idle, &len), 0);
  assert_int_equal(linux_idle, 45);
  char two[2] = {1, 0};
  assert_int_equal(setsockopt(s, IPPROTO_TCP, TCP_KEEPALIVE, two, 2),
                   SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEFAULT);
#endif
  closesocket(s);
}

/* IP_DONTFRAGMENT: a BOOL, read back as set. */
static void ip_dontfragment_reads_back(void **state) {
  (void)state;
  struct sockaddr_in a;
  SOCKET u = w_udp(&a);
  for (DWORD on = 1;; on = 0) {
    assert_int_equal(
        setsockopt(u, IPPROTO_IP, IP_DONTFRAGMENT, (char *)&on, sizeof(on)), 0);
    DWORD got = 7;
    int len = sizeof(got);
    assert_int_equal(
        getsockopt(u, IPPROTO_IP, IP_DONTFRAGMENT, (char *)&got, &len), 0);
    assert_int_equal(got, on);
#ifndef _WIN32
    /* Linux's path MTU discovery: DO for TRUE, DONT for FALSE. */
    int pmtu = -1;
    len = sizeof(pmtu);
    assert_int_equal(
        getsockopt(u, IPPROTO_IP, IP_MTU_DISCOVER, (char *)&pmtu, &len), 0);
    assert_int_equal(pmtu, on ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT);
#endif
    if (on == 0)
      break;
  }
#ifndef _WIN32
  /* IP_MTU (Windows' number) still reads a connected socket's MTU. */
  assert_int_equal(connect(u, (struct sockaddr *)&a, sizeof(a)), 0);
  DWORD mtu = 0;
  int len = sizeof(mtu);
  assert_int_equal(getsockopt(u, IPPROTO_IP, IP_MTU, (char *)&mtu, &len), 0);
  assert_true(mtu >= 576);
#endif
  closesocket(u);
}

static DWORD WINAPI read_opentype(LPVOID arg) {
  DWORD *out = arg;
  int len = sizeof(*out);
  if (getsockopt(INVALID_SOCKET, SOL_SOCKET, SO_OPENTYPE, (char *)out, &len) !=
      0)
    *out = 0xDEAD;
  return 0;
}

/* SO_OPENTYPE is the calling thread's, read and set through any socket
 * value (INVALID_SOCKET, as the samples pass it); 0 at first. */
static void opentype_is_per_thread(void **state) {
  (void)state;
  DWORD v = 99;
  int len = sizeof(v);
  assert_int_equal(
      getsockopt(INVALID_SOCKET, SOL_SOCKET, SO_OPENTYPE, (char *)&v, &len), 0);
  assert_int_equal(v, 0);
  v = SO_SYNCHRONOUS_NONALERT;
  assert_int_equal(setsockopt(INVALID_SOCKET, SOL_SOCKET, SO_OPENTYPE,
                              (char *)&v, sizeof(v)),
                   0);
  DWORD got = 0;
  len = sizeof(got);
  assert_int_equal(
      getsockopt(INVALID_SOCKET, SOL_SOCKET, SO_OPENTYPE, (char *)&got, &len),
      0);
  assert_int_equal(got, SO_SYNCHRONOUS_NONALERT);
  DWORD other = 99;
  HANDLE t = CreateThread(NULL, 0, read_opentype, &other, 0, NULL);
  assert_non_null(t);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  CloseHandle(t);
  assert_int_equal(other, 0);
  v = 0;
  assert_int_equal(setsockopt(INVALID_SOCKET, SOL_SOCKET, SO_OPENTYPE,
                              (char *)&v, sizeof(v)),
                   0);
  len = 2;
  assert_int_equal(
      getsockopt(INVALID_SOCKET, SOL_SOCKET, SO_OPENTYPE, (char *)&got, &len),
      SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEFAULT);
}

/* ------------------------------------------------------------------------ */
/* WSAIoctl                                                                  */
/* ------------------------------------------------------------------------ */

/* SIO_LOOPBACK_FAST_PATH is accepted (and does nothing any more). */
static void loopback_fast_path_is_accepted(void **state) {
  (void)state;
  SOCKET s = w_tcp();
  int on = 1;
  DWORD bytes = 77;
  int rc = WSAIoctl(s, SIO_LOOPBACK_FAST_PATH, &on, sizeof(on), NULL, 0, &bytes,
                    NULL, NULL);
  int err = rc != 0 ? WSAGetLastError() : 0;
#ifndef _WIN32
  /* TCP only (Microsoft's page); the layer says WSAEOPNOTSUPP. */
  struct sockaddr_in a;
  SOCKET u = w_udp(&a);
  assert_int_equal(WSAIoctl(u, SIO_LOOPBACK_FAST_PATH, &on, sizeof(on), NULL, 0,
                            &bytes, NULL, NULL),
                   SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEOPNOTSUPP);
  closesocket(u);
#endif
  closesocket(s);
  if (rc != 0 && h_on_wine())
    H_SKIP("known Wine difference: SIO_LOOPBACK_FAST_PATH fails with %d; "
           "see docs/windows.md",
           err);
  assert_int_equal(rc, 0);
  assert_int_equal(bytes, 0);
}

/* SIO_BASE_HANDLE: the socket itself; too little room is WSAEFAULT. */
static void base_handle_is_the_socket(void **state) {
  (void)state;
  SOCKET s = w_tcp(), base = INVALID_SOCKET;
  DWORD bytes = 0;
  assert_int_equal(WSAIoctl(s, SIO_BASE_HANDLE, NULL, 0, &base, sizeof(base),
                            &bytes, NULL, NULL),
                   0);
  assert_int_equal(bytes, sizeof(SOCKET));
  assert_true(base == s);
  DWORD small = 0;
  int rc = WSAIoctl(s, SIO_BASE_HANDLE, NULL, 0, &small, sizeof(small), &bytes,
                    NULL, NULL);
  int err = rc != 0 ? WSAGetLastError() : 0;
  closesocket(s);
  if (rc == 0 && h_on_wine())
    H_SKIP("known Wine difference: SIO_BASE_HANDLE writes a SOCKET into 4 "
           "bytes; see docs/windows.md");
  assert_int_equal(rc, SOCKET_ERROR);
  assert_int_equal(err, WSAEFAULT);
}

/* WSARecvMsg, WSASendMsg and TransmitPackets: Windows gives them; the
 * layer has TransmitPackets (test-win32-transmit.c) but not the other two
 * and says so (WSAEINVAL, as for an unknown GUID), never a pointer that
 * pretends. */
static void message_extensions(void **state) {
  (void)state;
  SOCKET s = w_tcp();
  GUID ids[] = {WSAID_WSARECVMSG, WSAID_WSASENDMSG, WSAID_TRANSMITPACKETS};
  for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
    void *fn = NULL;
    DWORD bytes = 0;
    int rc = WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &ids[i],
                      sizeof(ids[i]), &fn, sizeof(fn), &bytes, NULL, NULL);
#ifdef _WIN32
    if (rc != 0 && h_on_wine()) {
      closesocket(s);
      H_SKIP("known Wine difference: no extension function for GUID %d "
             "(0 WSARecvMsg, 1 WSASendMsg, 2 TransmitPackets); see "
             "docs/windows.md",
             (int)i);
    }
    assert_int_equal(rc, 0);
    assert_non_null(fn);
#else
    assert_int_equal(rc, 0);
    assert_non_null(fn);
    if (i == 1)
      assert_ptr_equal(fn, (void *)WSASendMsg);
#endif
  }
  closesocket(s);
}

/* mingw-w64's WSA_CMSG_NXTHDR aligns with a negative int. */
#if defined(_WIN32) && defined(__GNUC__)
#  pragma GCC diagnostic push
#  pragma GCC diagnostic ignored "-Wsign-conversion"
#endif

/* The WSA_CMSG macros walk a control buffer of two headers as Windows'
 * do (sizes of the 64-bit ABI on both systems). */
static void control_header_macros(void **state) {
  (void)state;
  assert_int_equal(sizeof(WSACMSGHDR), 2 * sizeof(SIZE_T));
  assert_int_equal(WSA_CMSG_LEN(4), sizeof(WSACMSGHDR) + 4);
  assert_int_equal(WSA_CMSG_SPACE(4),
                   sizeof(WSACMSGHDR) +
                       ((4 + sizeof(SIZE_T) - 1) & ~(sizeof(SIZE_T) - 1)));
  union {
    WSACMSGHDR align;
    char bytes[128];
  } buf;
  memset(&buf, 0, sizeof(buf));
  WSAMSG msg;
  memset(&msg, 0, sizeof(msg));
  msg.Control.buf = buf.bytes;
  msg.Control.len = (ULONG)(2 * WSA_CMSG_SPACE(4));
  WSACMSGHDR *c = WSA_CMSG_FIRSTHDR(&msg);
  assert_ptr_equal(c, (void *)buf.bytes);
  c->cmsg_len = WSA_CMSG_LEN(4);
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = 1;
  memcpy(WSA_CMSG_DATA(c), "abcd", 4);
  WSACMSGHDR *d = WSA_CMSG_NXTHDR(&msg, c);
  assert_non_null(d);
  assert_ptr_equal((char *)d, buf.bytes + WSA_CMSG_SPACE(4));
  d->cmsg_len = WSA_CMSG_LEN(4);
  assert_null(WSA_CMSG_NXTHDR(&msg, d));
  assert_memory_equal(buf.bytes + sizeof(WSACMSGHDR), "abcd", 4);
  msg.Control.len = sizeof(WSACMSGHDR) - 1;
  assert_null(WSA_CMSG_FIRSTHDR(&msg));
}

#if defined(_WIN32) && defined(__GNUC__)
#  pragma GCC diagnostic pop
#endif

/* ------------------------------------------------------------------------ */
/* Small calls                                                               */
/* ------------------------------------------------------------------------ */

/* WSAHtons & co.: network order (big-endian); WSAEFAULT for no out,
 * WSAENOTSOCK for no socket. */
static void byte_order_for_a_socket(void **state) {
  (void)state;
  SOCKET s = w_tcp();
  u_short s16 = 0;
  u_long s32 = 0;
  assert_int_equal(WSAHtons(s, 0x1234, &s16), 0);
  assert_int_equal(s16, htons(0x1234));
  assert_memory_equal(&s16, "\x12\x34", 2);
  assert_int_equal(WSAHtonl(s, 0x12345678ul, &s32), 0);
  assert_int_equal(s32, htonl(0x12345678ul));
  assert_memory_equal(&s32, "\x12\x34\x56\x78", 4);
  assert_int_equal(WSANtohs(s, s16, &s16), 0);
  assert_int_equal(s16, 0x1234);
  assert_int_equal(WSANtohl(s, s32, &s32), 0);
  assert_int_equal(s32, 0x12345678ul);
  assert_int_equal(WSAHtons(s, 1, NULL), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEFAULT);
  int rc = WSANtohl(s, 1, NULL);
  int err = rc != 0 ? WSAGetLastError() : 0;
  closesocket(s);
  if (rc != SOCKET_ERROR && h_on_wine())
    H_SKIP("known Wine difference: WSANtohl with a NULL result pointer "
           "returns %d instead of SOCKET_ERROR; see docs/windows.md",
           rc);
  assert_int_equal(rc, SOCKET_ERROR);
  assert_int_equal(err, WSAEFAULT);
  rc = WSAHtonl(INVALID_SOCKET, 1, &s32);
  err = rc != 0 ? WSAGetLastError() : 0;
  if (rc != SOCKET_ERROR && h_on_wine())
    H_SKIP("known Wine difference: WSAHtonl on INVALID_SOCKET returns %d; "
           "see docs/windows.md",
           rc);
  assert_int_equal(rc, SOCKET_ERROR);
  assert_int_equal(err, WSAENOTSOCK);
}

/* WSASendDisconnect(s, NULL) is shutdown(SD_SEND): the peer reads the
 * end, later sends fail; WSARecvDisconnect(s, NULL) is
 * shutdown(SD_RECEIVE); disconnect data is refused (WSAENOPROTOOPT);
 * an unconnected socket is WSAENOTCONN. */
static void disconnects_are_shutdowns(void **state) {
  (void)state;
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  w_set_rcvtimeo(srv, 5000);
  assert_int_equal(WSASendDisconnect(cli, NULL), 0);
  char buf[4];
  assert_int_equal(recv(srv, buf, sizeof(buf), 0), 0);
  assert_int_equal(send(cli, "x", 1, 0), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAESHUTDOWN);
  assert_int_equal(WSARecvDisconnect(srv, NULL), 0);
  assert_int_equal(send(srv, "ok", 2, 0), 2); /* the other way still goes */
  w_set_rcvtimeo(cli, 5000);
  assert_int_equal(recv(cli, buf, sizeof(buf), 0), 2);
  SOCKET lone = w_tcp();
  assert_int_equal(WSASendDisconnect(lone, NULL), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAENOTCONN);
  closesocket(lone);
  WSABUF data = {2, (char *)"by"};
  int rc = WSASendDisconnect(srv, &data);
  int err = rc != 0 ? WSAGetLastError() : 0;
  closesocket(srv);
  closesocket(cli);
  if (rc == 0 && h_on_wine())
    H_SKIP("known Wine difference: WSASendDisconnect ignores disconnect "
           "data; see docs/windows.md");
  assert_int_equal(rc, SOCKET_ERROR);
  assert_int_equal(err, WSAENOPROTOOPT);
}

/* WSAEnumProtocols: the TCP and UDP providers over IPv4 and IPv6 (Windows
 * lists more: raw sockets, other families), the buffer size rule, the
 * protocol filter, and WSASocket from an entry. */
static const WSAPROTOCOL_INFOA *find_provider(const WSAPROTOCOL_INFOA *p, int n,
                                              int af, int protocol) {
  for (int i = 0; i < n; i++)
    if (p[i].iAddressFamily == af && p[i].iProtocol == protocol &&
        p[i].ProtocolChain.ChainLen == BASE_PROTOCOL)
      return &p[i];
  return NULL;
}

static void enum_protocols(void **state) {
  (void)state;
  DWORD len = 0;
  assert_int_equal(WSAEnumProtocolsA(NULL, NULL, &len), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAENOBUFS);
  assert_true(len >= 4 * sizeof(WSAPROTOCOL_INFOA));
  assert_int_equal(len % sizeof(WSAPROTOCOL_INFOA), 0);
  WSAPROTOCOL_INFOA *p = malloc(len);
  assert_non_null(p);
  int n = WSAEnumProtocolsA(NULL, p, &len);
  assert_true(n >= 4);
#ifndef _WIN32
  assert_int_equal(n, 4);
  assert_string_equal(p[0].szProtocol, "MSAFD Tcpip [TCP/IP]");
  assert_string_equal(p[3].szProtocol, "MSAFD Tcpip [UDP/IPv6]");
#endif
  const WSAPROTOCOL_INFOA *tcp = find_provider(p, n, AF_INET, IPPROTO_TCP);
  assert_non_null(tcp);
  assert_int_equal(tcp->iSocketType, SOCK_STREAM);
  assert_int_equal(
      tcp->dwServiceFlags1 &
          (XP1_GUARANTEED_DELIVERY | XP1_GUARANTEED_ORDER | XP1_CONNECTIONLESS),
      XP1_GUARANTEED_DELIVERY | XP1_GUARANTEED_ORDER);
  assert_int_equal(tcp->iMaxSockAddr, sizeof(struct sockaddr_in));
  assert_int_equal(tcp->iNetworkByteOrder, BIGENDIAN);
  assert_int_equal(tcp->dwMessageSize, 0);
  const WSAPROTOCOL_INFOA *udp6 = find_provider(p, n, AF_INET6, IPPROTO_UDP);
  assert_non_null(udp6);
  assert_int_equal(udp6->iSocketType, SOCK_DGRAM);
  assert_int_equal(udp6->dwServiceFlags1 &
                       (XP1_CONNECTIONLESS | XP1_MESSAGE_ORIENTED),
                   XP1_CONNECTIONLESS | XP1_MESSAGE_ORIENTED);
  assert_int_equal(udp6->iMaxSockAddr, sizeof(struct sockaddr_in6));
  assert_true(udp6->dwMessageSize > 0);
  assert_non_null(find_provider(p, n, AF_INET, IPPROTO_UDP));
  assert_non_null(find_provider(p, n, AF_INET6, IPPROTO_TCP));

  /* A socket from an entry. */
  SOCKET s =
      WSASocketA(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO,
                 (LPWSAPROTOCOL_INFOA)tcp, 0, WSA_FLAG_OVERLAPPED);
  assert_true(h_socket_ok(s));
  int type = 0, tl = (int)sizeof(type);
  assert_int_equal(getsockopt(s, SOL_SOCKET, SO_TYPE, (char *)&type, &tl), 0);
  assert_int_equal(type, SOCK_STREAM);
  /* getsockopt(SO_PROTOCOL_INFO): the socket's entry (WSAEFAULT if short). */
  WSAPROTOCOL_INFOA pi;
  int pl = (int)sizeof(pi) - 1;
  assert_int_equal(
      getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOA, (char *)&pi, &pl), -1);
  assert_int_equal(WSAGetLastError(), WSAEFAULT);
  pl = (int)sizeof(pi);
  assert_int_equal(
      getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOA, (char *)&pi, &pl), 0);
  assert_true(pi.iAddressFamily == AF_INET && pi.iSocketType == SOCK_STREAM &&
              pi.iProtocol == IPPROTO_TCP && pl == (int)sizeof(pi));
  assert_memory_equal(&pi.ProviderId, &tcp->ProviderId, sizeof(GUID));
  assert_int_equal(closesocket(s), 0);
  WSAPROTOCOL_INFOW piw;
  pl = (int)sizeof(piw);
  s = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
  assert_int_equal(
      getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&piw, &pl), 0);
  assert_true(piw.iAddressFamily == AF_INET6 && piw.iProtocol == IPPROTO_UDP);
  assert_int_equal(closesocket(s), 0);
  free(p);

  /* UDP only; the W form. */
  INT only_udp[] = {IPPROTO_UDP, 0};
  DWORD wlen = 0;
  assert_int_equal(WSAEnumProtocolsW(only_udp, NULL, &wlen), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAENOBUFS);
  assert_true(wlen >= 2 * sizeof(WSAPROTOCOL_INFOW));
  WSAPROTOCOL_INFOW *w = malloc(wlen);
  assert_non_null(w);
  n = WSAEnumProtocolsW(only_udp, w, &wlen);
  assert_true(n >= 2);
  for (int i = 0; i < n; i++) {
    assert_int_equal(w[i].iProtocol, IPPROTO_UDP);
    assert_true(w[i].szProtocol[0] != 0);
  }
  free(w);
}

/* WSADuplicateSocket: WSAENOTSOCK, WSAEFAULT for no buffer; on Linux a
 * socket cannot go to another process (WSAEINVAL), on Windows it can. */
static void duplicate_socket(void **state) {
  (void)state;
  SOCKET s = w_tcp();
  WSAPROTOCOL_INFOA info;
  assert_int_equal(WSADuplicateSocketA(INVALID_SOCKET, GetCurrentProcessId(),
                                       (LPWSAPROTOCOL_INFOA)&info),
                   SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAENOTSOCK);
  assert_int_equal(WSADuplicateSocketA(s, GetCurrentProcessId(), NULL),
                   SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEFAULT);
  int rc =
      WSADuplicateSocketA(s, GetCurrentProcessId(), (LPWSAPROTOCOL_INFOA)&info);
#ifdef _WIN32
  assert_int_equal(rc, 0);
#else
  assert_int_equal(rc, SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEINVAL);
#endif
  closesocket(s);
}

/* ------------------------------------------------------------------------ */
/* GetAddrInfoW, GetNameInfoW                                                */
/* ------------------------------------------------------------------------ */

static ADDRINFOW numeric_hints(int family) {
  ADDRINFOW h;
  memset(&h, 0, sizeof(h));
  h.ai_family = family;
  h.ai_socktype = SOCK_STREAM;
  h.ai_flags = AI_NUMERICHOST;
  return h;
}

/* Numeric names both ways, wide: the address and port come back, and
 * GetNameInfoW writes them as text; a name that is no number with
 * AI_NUMERICHOST is WSAHOST_NOT_FOUND (no lookup); nothing asked:
 * WSAHOST_NOT_FOUND. */
static void wide_names(void **state) {
  (void)state;
  ADDRINFOW h = numeric_hints(AF_INET), *res = NULL;
  assert_int_equal(GetAddrInfoW(L"127.0.0.1", L"8080", &h, &res), 0);
  assert_non_null(res);
  assert_int_equal(res->ai_family, AF_INET);
  assert_int_equal(res->ai_socktype, SOCK_STREAM);
  assert_int_equal(res->ai_addrlen, sizeof(struct sockaddr_in));
  struct sockaddr_in in;
  memcpy(&in, res->ai_addr, sizeof(in));
  assert_int_equal(in.sin_port, htons(8080));
  assert_int_equal(in.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  WCHAR host[64], serv[16];
  assert_int_equal(GetNameInfoW(res->ai_addr, (socklen_t)res->ai_addrlen, host,
                                64, serv, 16, NI_NUMERICHOST | NI_NUMERICSERV),
                   0);
  assert_int_equal(wcscmp(host, L"127.0.0.1"), 0);
  assert_int_equal(wcscmp(serv, L"8080"), 0);
  /* A host asked for with no room: WSAEINVAL ("EAI_BADFLAGS"). */
  int zero = GetNameInfoW(res->ai_addr, (socklen_t)res->ai_addrlen, host, 0,
                          NULL, 0, NI_NUMERICHOST);
  /* A host buffer too small for the answer. */
  int rc = GetNameInfoW(res->ai_addr, (socklen_t)res->ai_addrlen, host, 4, NULL,
                        0, NI_NUMERICHOST);
  int err = rc != 0 ? WSAGetLastError() : 0;
  FreeAddrInfoW(res);

  h = numeric_hints(AF_INET6);
  res = NULL;
  assert_int_equal(GetAddrInfoW(L"::1", L"7", &h, &res), 0);
  assert_non_null(res);
  assert_int_equal(res->ai_family, AF_INET6);
  struct sockaddr_in6 in6;
  memcpy(&in6, res->ai_addr, sizeof(in6));
  assert_int_equal(in6.sin6_port, htons(7));
  assert_int_equal(in6.sin6_addr.s6_addr[15], 1);
  FreeAddrInfoW(res);

  h = numeric_hints(AF_INET);
  res = NULL;
  assert_int_equal(GetAddrInfoW(L"h\u00e9te.invalid", L"80", &h, &res),
                   WSAHOST_NOT_FOUND);
  assert_int_equal(WSAGetLastError(), WSAHOST_NOT_FOUND);
  assert_null(res);
  assert_int_equal(GetAddrInfoW(NULL, NULL, &h, &res), WSAHOST_NOT_FOUND);
  if (zero != WSAEINVAL && h_on_wine())
    H_SKIP("known Wine difference: GetNameInfoW with a host buffer of size 0 "
           "answers %d; see docs/windows.md",
           zero);
  assert_int_equal(zero, WSAEINVAL);
  if (rc == 0 || err != WSAEFAULT) {
    if (h_on_wine())
      H_SKIP("known Wine difference: GetNameInfoW with a host buffer too "
             "small answers %d (%d); see docs/windows.md",
             rc, err);
    fail_msg("GetNameInfoW with 4 WCHARs for 127.0.0.1: rc %d, error %d", rc,
             err);
  }
}

/* ------------------------------------------------------------------------ */
/* A socket never bound                                                      */
/* ------------------------------------------------------------------------ */

/* getsockname on a socket never bound fails with WSAEINVAL (Linux says
 * 0.0.0.0:0), TCP and UDP; once bound it names the port. */
static void getsockname_unbound_is_wsaeinval(void **state) {
  (void)state;
  SOCKET t = w_tcp();
  SOCKET u =
      WSASocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
  assert_true(h_socket_ok(u));
  SOCKET both[2] = {t, u};
  for (int i = 0; i < 2; i++) {
    struct sockaddr_in a;
    int len = sizeof(a);
    assert_int_equal(getsockname(both[i], (struct sockaddr *)&a, &len),
                     SOCKET_ERROR);
    assert_int_equal(WSAGetLastError(), WSAEINVAL);
    struct sockaddr_in lo = w_any();
    lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(both[i], (struct sockaddr *)&lo, sizeof(lo)), 0);
    len = sizeof(a);
    assert_int_equal(getsockname(both[i], (struct sockaddr *)&a, &len), 0);
    assert_int_equal(len, sizeof(a));
    assert_int_not_equal(a.sin_port, 0);
    closesocket(both[i]);
  }
}

/* listen on a socket never bound fails with WSAEINVAL (Linux would bind
 * it to a port of its own); bound, it listens and takes a connection. */
static void listen_unbound_is_wsaeinval(void **state) {
  (void)state;
  SOCKET l = w_tcp();
  assert_int_equal(listen(l, 8), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEINVAL);
  struct sockaddr_in a = w_any();
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(listen(l, 8), 0);
  int len = sizeof(a);
  assert_int_equal(getsockname(l, (struct sockaddr *)&a, &len), 0);
  SOCKET c = w_tcp();
  assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
  SOCKET s = accept(l, NULL, NULL);
  assert_true(h_socket_ok(s));
  /* A connected socket is bound: it names its port. */
  struct sockaddr_in ca;
  len = sizeof(ca);
  assert_int_equal(getsockname(c, (struct sockaddr *)&ca, &len), 0);
  assert_int_not_equal(ca.sin_port, 0);
  closesocket(s);
  closesocket(c);
  closesocket(l);
}

/* ------------------------------------------------------------------------ */
/* CreateThread                                                              */
/* ------------------------------------------------------------------------ */

struct first {
  volatile LONG set; /* the creator's mark, right after CreateThread */
  LONG seen;         /* the thread found it set, first thing */
  DWORD tid;         /* GetCurrentThreadId inside */
};

static DWORD WINAPI look_first(LPVOID arg) {
  struct first *f = arg;
  f->seen = InterlockedCompareExchange(&f->set, 0, 0);
  f->tid = GetCurrentThreadId();
  return 0;
}

/* CreateThread returns before the thread runs its routine (the creator
 * goes on first, as it usually does on Windows, where it does not wait
 * for the thread): a mark the creator sets right after the call is seen
 * by the thread (the layer's promise: on Windows only a likelihood).
 * The layer holds the routine until CreateThread is on its way back, so
 * the creator nearly always wins; at least 190 of 200 (the store after
 * the return still races the thread's wake-up). The id it reports is the
 * thread's own; CREATE_SUSPENDED holds the routine until ResumeThread. */
static void create_thread_returns_first(void **state) {
  (void)state;
  enum { N = 200 };
  int seen = 0;
  for (int i = 0; i < N; i++) {
    struct first f = {0, 0, 0};
    DWORD id = 0;
    HANDLE t = CreateThread(NULL, 0, look_first, &f, 0, &id);
    InterlockedExchange(&f.set, 1);
    assert_non_null(t);
    assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
    assert_int_equal(f.tid, id);
    assert_int_equal(GetThreadId(t), id);
    CloseHandle(t);
    seen += f.seen == 1;
  }
  print_message("creator first: %d of %d\n", seen, N);
#if !defined(_WIN32)
  /* The layer's own promise; Windows promises no order (its scheduler,
   * or Wine's on a loaded machine, may start the thread first). */
  assert_true(seen >= 190);
#endif

  struct first f = {0, 0, 0};
  DWORD id = 0;
  HANDLE t = CreateThread(NULL, 0, look_first, &f, CREATE_SUSPENDED, &id);
  assert_non_null(t);
  assert_int_equal(WaitForSingleObject(t, 100), WAIT_TIMEOUT);
  assert_int_equal(f.tid, 0);
  InterlockedExchange(&f.set, 1);
  assert_int_equal(ResumeThread(t), 1);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  assert_int_equal(f.seen, 1);
  assert_int_equal(f.tid, id);
  CloseHandle(t);
}

/* The Interlocked forms on 8- and 16-bit values, and the Acquire and
 * NoFence ones, return what Windows documents (the old value for
 * Exchange, CompareExchange and the bit operations, the new one for
 * Increment and Decrement). mingw-w64 lacks some 8-bit forms, so the
 * Windows build checks the 16-bit ones only. */
static void small_interlocked_forms(void **state) {
  (void)state;
  volatile SHORT s16 = 5;
  assert_int_equal(InterlockedIncrement16(&s16), 6);
  assert_int_equal(InterlockedDecrement16(&s16), 5);
  assert_int_equal(InterlockedCompareExchange16(&s16, 9, 5), 5);
  assert_int_equal(s16, 9);
  assert_int_equal(InterlockedCompareExchange16(&s16, 1, 5), 9);
  assert_int_equal(s16, 9);
#ifndef _WIN32
  volatile char c8 = 3;
  assert_int_equal(InterlockedExchange8(&c8, 7), 3);
  assert_int_equal(InterlockedOr8(&c8, 8), 7);
  assert_int_equal(InterlockedAnd8(&c8, 12), 15);
  assert_int_equal(c8, 12);
  assert_int_equal(InterlockedCompareExchange8(&c8, 1, 12), 12);
  assert_int_equal(c8, 1);
  volatile LONG l = 0;
  assert_int_equal(InterlockedIncrementAcquire(&l), 1);
  assert_int_equal(InterlockedCompareExchangeNoFence(&l, 4, 1), 1);
  assert_int_equal(InterlockedExchangeAcquire(&l, 2), 4);
  assert_int_equal(l, 2);
#endif
}

/* FlsAlloc's page: the callback runs for a slot's value "on fiber
 * deletion, thread exit, and when an FLS index is freed"; a thread that
 * never became a fiber has its own value in each slot. */
static DWORD fls_index;
static volatile LONG fls_freed;

static VOID WINAPI fls_gone(PVOID data) {
  if (data == (PVOID)&fls_index)
    InterlockedIncrement(&fls_freed);
}

static DWORD WINAPI fls_thread(LPVOID arg) {
  (void)arg;
  if (FlsGetValue(fls_index) != NULL)
    return 1; /* a new thread starts with NULL */
  if (!FlsSetValue(fls_index, &fls_index))
    return 2;
  return FlsGetValue(fls_index) == &fls_index ? 0 : 3;
}

static void fiber_local_storage(void **state) {
  (void)state;
  fls_index = FlsAlloc(fls_gone);
  assert_int_not_equal(fls_index, FLS_OUT_OF_INDEXES);
  assert_true(FlsSetValue(fls_index, (PVOID)1));
  HANDLE t = CreateThread(NULL, 0, fls_thread, NULL, 0, NULL);
  assert_non_null(t);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  DWORD code = 99;
  assert_true(GetExitCodeThread(t, &code));
  assert_int_equal(code, 0);
  CloseHandle(t);
  for (int i = 0; i < 100 && __atomic_load_n(&fls_freed, __ATOMIC_ACQUIRE) == 0;
       i++)
    Sleep(10);                    /* (the callback runs as the thread ends) */
  assert_int_equal(fls_freed, 1); /* the thread's value, on its exit */
  assert_ptr_equal(FlsGetValue(fls_index), (PVOID)1); /* ours is ours */
  assert_true(FlsSetValue(fls_index, NULL));
  assert_true(FlsFree(fls_index));
}

#ifndef _WIN32
/* WaitOnAddress (Windows 8; the Windows build targets 7, so this part is
 * the layer's only): it returns at once when the value differs, sleeps
 * until a WakeByAddress* after the value changed, and fails with
 * ERROR_TIMEOUT when the time runs out. */
static volatile LONG wait_word;

static DWORD WINAPI address_waker(LPVOID arg) {
  (void)arg;
  Sleep(50);
  InterlockedExchange(&wait_word, 1);
  WakeByAddressSingle((PVOID)&wait_word);
  return 0;
}

static void wait_on_address(void **state) {
  (void)state;
  LONG zero = 0, one = 1;
  wait_word = 0;
  assert_true(
      WaitOnAddress(&wait_word, &one, sizeof(LONG), 1000)); /* at once */
  ULONGLONG t0 = w_now_ms();
  assert_false(WaitOnAddress(&wait_word, &zero, sizeof(LONG), 30));
  assert_int_equal(GetLastError(), ERROR_TIMEOUT);
  assert_true(w_now_ms() - t0 >= 25);
  HANDLE t = CreateThread(NULL, 0, address_waker, NULL, 0, NULL);
  assert_non_null(t);
  /* A wake without a change may return: look again. */
  while (InterlockedCompareExchange(&wait_word, 0, 0) == 0)
    assert_true(WaitOnAddress(&wait_word, &zero, sizeof(LONG), 5000));
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  CloseHandle(t);
  assert_false(WaitOnAddress(&wait_word, &zero, 3, 0)); /* sizes 1, 2, 4, 8 */
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  WakeByAddressAll((PVOID)&wait_word); /* nobody waits: nothing happens */
}
#endif

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tcp_keepalive_is_idle_seconds),
      cmocka_unit_test(ip_dontfragment_reads_back),
      cmocka_unit_test(opentype_is_per_thread),
      cmocka_unit_test(loopback_fast_path_is_accepted),
      cmocka_unit_test(base_handle_is_the_socket),
      cmocka_unit_test(message_extensions),
      cmocka_unit_test(control_header_macros),
      cmocka_unit_test(byte_order_for_a_socket),
      cmocka_unit_test(disconnects_are_shutdowns),
      cmocka_unit_test(duplicate_socket),
      cmocka_unit_test(enum_protocols),
      cmocka_unit_test(wide_names),
      cmocka_unit_test(getsockname_unbound_is_wsaeinval),
      cmocka_unit_test(listen_unbound_is_wsaeinval),
      cmocka_unit_test(create_thread_returns_first),
      cmocka_unit_test(small_interlocked_forms),
      cmocka_unit_test(fiber_local_storage),
#ifndef _WIN32
      cmocka_unit_test(wait_on_address),
#endif
  };
  return W_RUN("win32-names", tests);
}
