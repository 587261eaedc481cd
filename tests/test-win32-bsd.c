/*
 * test-win32-bsd.c - the Winsock calls around the overlapped ones, as a
 * ported server uses them, written only against the Win32 API (real
 * Winsock on Windows, the layer on Linux): names real servers use, the
 * BSD calls' WSAGetLastError, rebinding a port with connections in
 * TIME_WAIT, closesocket under a blocked accept, WSAAccept, getaddrinfo,
 * InetPton / InetNtop, WSA events, WSAPoll and select, SIO_UDP_CONNRESET
 * and keep-alive values (WSAAddressToString / WSAStringToAddress:
 * test-win32-addresses.c).
 * Known Wine differences skip with the reason.
 */
#include <wchar.h>

#include "win32-util.h"

/* ------------------------------------------------------------------------ */
/* Names                                                                     */
/* ------------------------------------------------------------------------ */

/* Names real servers use from winnt.h, ws2def.h, ws2ipdef.h and
 * mstcpip.h, and two SOL_SOCKET options Windows accepts. (mingw-w64's
 * headers lack some: Windows' values stand in.) */
#ifndef SO_RANDOMIZE_PORT
#  define SO_RANDOMIZE_PORT 0x3005
#endif
#ifndef SO_PORT_SCALABILITY
#  define SO_PORT_SCALABILITY 0x3006
#endif
#ifndef SOMAXCONN_HINT
#  define SOMAXCONN_HINT(b) (-(b))
#endif
typedef struct DECLSPEC_ALIGN(SYSTEM_CACHE_ALIGNMENT_SIZE) {
  LONG hot;
} aligned_counter;

/* The 16-bit qualifiers old Winsock code still writes. */
typedef BOOL(PASCAL FAR *accept_ex_ptr)(SOCKET, SOCKET, PVOID, DWORD, DWORD,
                                        DWORD, LPDWORD, LPOVERLAPPED);

static void names_from_real_servers(void **state) {
  (void)state;
  accept_ex_ptr fn = AcceptEx;
  assert_non_null(fn);
  aligned_counter ctr[2];
  assert_int_equal((uintptr_t)&ctr[1] - (uintptr_t)&ctr[0],
                   SYSTEM_CACHE_ALIGNMENT_SIZE);
  HANDLE hs[2];
  PHANDLE ph = hs; /* a pointer to HANDLEs, as in winnt.h */
  ph[1] = INVALID_HANDLE_VALUE;
  assert_ptr_equal(hs[1], INVALID_HANDLE_VALUE);
  SOCKADDR_INET si;
  memset(&si, 0, sizeof(si));
  si.Ipv6.sin6_family = AF_INET6;
  assert_int_equal(si.si_family, AF_INET6);
  SOCKADDR_STORAGE ss;
  memset(&ss, 0, sizeof(ss));
  ((SOCKADDR_IN *)&ss)->sin_port = htons(8080);
  assert_int_equal(ntohs(SS_PORT(&ss)), 8080);
  SOCKADDR_IN6 a6;
  memset(&a6, 0x5A, sizeof(a6));
  IN6ADDR_SETANY(&a6);
  assert_int_equal(a6.sin6_family, AF_INET6);
  assert_int_equal(a6.sin6_port, 0);
  assert_true(IN6_IS_ADDR_UNSPECIFIED(&a6.sin6_addr));
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  assert_true(h_socket_ok(s));
  DWORD on = 1;
  assert_int_equal(
      setsockopt(s, SOL_SOCKET, SO_RANDOMIZE_PORT, (char *)&on, sizeof(on)), 0);
  assert_int_equal(
      setsockopt(s, SOL_SOCKET, SO_PORT_SCALABILITY, (char *)&on, sizeof(on)),
      0);
  struct sockaddr_in any = w_any();
  assert_int_equal(bind(s, (struct sockaddr *)&any, sizeof(any)), 0);
  assert_int_equal(listen(s, SOMAXCONN_HINT(16)), 0);
  closesocket(s);
  /* The C runtime's names such programs use beside windows.h. */
  assert_int_equal(_stricmp("Content-Length", "content-LENGTH"), 0);
  assert_true(_stricmp("abc", "abd") < 0);
  assert_int_equal(_strnicmp("HOST: x", "host: y", 5), 0);
  assert_int_equal(_wcsicmp(L"-Server", L"-server"), 0);
  assert_true(_wcsicmp(L"b", L"A") > 0);
  assert_int_equal(_wcsnicmp(L"ABcd", L"abCX", 3), 0);
  assert_int_equal(_wtoi(L"8080"), 8080);
  assert_int_equal(_atoi64("-5000000000"), -5000000000LL);
  char buf[8];
  assert_int_equal(_snprintf(buf, sizeof(buf), "%d", 1234), 4);
  assert_string_equal(buf, "1234");
  /* And a forwarder's: extension pointers' size, aligned pool blocks. */
  assert_int_equal(sizeof(FARPROC), sizeof(void *));
  for (size_t align = 8; align <= 4096; align *= 8) {
    char *p = (char *)_aligned_malloc(100, align);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % align, 0);
    memset(p, 0x5A, 100);
    _aligned_free(p);
  }
  assert_true(MEMORY_ALLOCATION_ALIGNMENT >= 8);
  volatile SIZE_T n = 1;
  assert_int_equal(InterlockedIncrementSizeT(&n), 2);
  assert_int_equal(InterlockedDecrementSizeT(&n), 1);
  YieldProcessor();
}

/* ------------------------------------------------------------------------ */
/* The BSD calls, accept                                                     */
/* ------------------------------------------------------------------------ */

/* A server restarted at once binds its port again although its last
 * connections wait in TIME_WAIT (the server closed first), as on Windows
 * ("Using SO_REUSEADDR and SO_EXCLUSIVEADDRUSE"); a second listener on a
 * port in use is still refused. */
static void rebind_while_connections_wait_in_time_wait(void **state) {
  (void)state;
  struct sockaddr_in a;
  SOCKET l = w_listener(&a), c = w_tcp();
  assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
  SOCKET s = accept(l, NULL, NULL);
  assert_true(h_socket_ok(s));
  closesocket(s); /* the server closes first: its side waits in TIME_WAIT */
  char b;
  assert_int_equal(recv(c, &b, 1, 0), 0);
  closesocket(c);
  closesocket(l);
  SOCKET l2 = w_tcp();
  int rc = bind(l2, (struct sockaddr *)&a, sizeof(a));
  int err = WSAGetLastError();
  if (rc != 0 && err == WSAEADDRINUSE && h_on_wine()) {
    closesocket(l2);
    H_SKIP("known Wine difference: bind fails while connections on the "
           "port wait in TIME_WAIT; see docs/windows.md");
  }
  assert_int_equal(rc, 0);
  assert_int_equal(listen(l2, 8), 0);
  SOCKET l3 = w_tcp();
  WSASetLastError(0);
  assert_int_equal(bind(l3, (struct sockaddr *)&a, sizeof(a)), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEADDRINUSE);
  closesocket(l3);
  closesocket(l2);
}

static void bsd_calls_set_wsagetlasterror(void **state) {
  (void)state;
  struct sockaddr_in a;
  SOCKET l = w_listener(&a), s = w_tcp();
  WSASetLastError(0);
  assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEADDRINUSE);
  closesocket(s);
  closesocket(l);
  SOCKET r = w_refusing(&a); /* bound, not listening: refused */
  s = w_tcp();
  WSASetLastError(0);
  assert_int_equal(connect(s, (struct sockaddr *)&a, sizeof(a)), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAECONNREFUSED);
  closesocket(s);
  closesocket(r);
  WSASetLastError(0);
  assert_int_equal(listen((SOCKET)123456, 5), SOCKET_ERROR); /* no socket */
  assert_int_equal(WSAGetLastError(), WSAENOTSOCK);
  WSASetLastError(0);
  SOCKET bad = socket(12345, SOCK_STREAM, 0);
  assert_true(bad == INVALID_SOCKET);
  assert_int_equal(WSAGetLastError(), WSAEAFNOSUPPORT);
  s = w_tcp();
  char c;
  WSASetLastError(0);
  assert_int_equal(recv(s, &c, 1, 0), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAENOTCONN);
  WSASetLastError(0);
  assert_int_equal(send(s, "x", 1, 0), SOCKET_ERROR);
  int err = WSAGetLastError();
  closesocket(s);
  if (err != WSAENOTCONN && h_on_wine())
    H_SKIP("known Wine difference: send on an unconnected socket fails with "
           "%d, Windows documents WSAENOTCONN; see docs/windows.md",
           err);
  assert_int_equal(err, WSAENOTCONN);
}

struct acceptor {
  SOCKET l;
  bool use_wsaaccept;
  SOCKET got;
  int err;
};

static DWORD WINAPI accept_thread(LPVOID arg) {
  struct acceptor *a = arg;
  a->got = a->use_wsaaccept ? WSAAccept(a->l, NULL, NULL, NULL, 0)
                            : accept(a->l, NULL, NULL);
  a->err = WSAGetLastError();
  return 0;
}

/* Microsoft's sample ends its WSAAccept loop this way. */
static void closesocket_wakes_a_blocked_accept(void **state) {
  (void)state;
  for (int i = 0; i < 2; i++) {
    struct sockaddr_in a;
    struct acceptor ac = {w_listener(&a), i == 1, 0, 0};
    HANDLE t = CreateThread(NULL, 0, accept_thread, &ac, 0, NULL);
    Sleep(200);
    assert_int_equal(WaitForSingleObject(t, 0), WAIT_TIMEOUT);
    closesocket(ac.l);
    DWORD w = WaitForSingleObject(t, 5000);
    if (w != WAIT_OBJECT_0 && h_on_wine())
      H_SKIP("known Wine difference: closesocket does not wake a thread "
             "blocked in accept(); see docs/windows.md"); /* t leaks */
    assert_int_equal(w, WAIT_OBJECT_0);
    CloseHandle(t);
    assert_true(ac.got == INVALID_SOCKET);
    if (ac.err != WSAEINTR && h_on_wine())
      H_SKIP("known Wine difference: the woken accept fails with %d "
             "(Windows: WSAEINTR); see docs/windows.md",
             ac.err);
    assert_int_equal(ac.err, WSAEINTR);
  }
}

static int CALLBACK condition(LPWSABUF caller, LPWSABUF caller_data, LPQOS sqos,
                              LPQOS gqos, LPWSABUF callee, LPWSABUF callee_data,
                              GROUP *g, DWORD_PTR data) {
  (void)caller_data;
  (void)sqos;
  (void)gqos;
  (void)callee;
  (void)callee_data;
  (void)g;
  assert_non_null(caller);
  assert_true(caller->len >= sizeof(struct sockaddr_in));
  assert_int_equal(((struct sockaddr_in *)caller->buf)->sin_family, AF_INET);
  return (int)data;
}

static void wsaaccept_with_and_without_a_condition(void **state) {
  (void)state;
  struct sockaddr_in a, peer;
  SOCKET l = w_listener(&a);
  for (int i = 0; i < 3; i++) {
    SOCKET c = w_tcp();
    assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
    int plen = sizeof(peer);
    memset(&peer, 0, sizeof(peer));
    SOCKET s = i == 0 ? WSAAccept(l, (struct sockaddr *)&peer, &plen, NULL, 0)
                      : WSAAccept(l, (struct sockaddr *)&peer, &plen, condition,
                                  i == 1 ? CF_ACCEPT : CF_REJECT);
    if (i < 2) {
      assert_true(h_socket_ok(s));
      assert_int_equal(plen, sizeof(struct sockaddr_in));
      assert_int_equal(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
      closesocket(s);
    } else {
      assert_true(s == INVALID_SOCKET);
      assert_int_equal(WSAGetLastError(), WSAECONNREFUSED);
    }
    closesocket(c);
  }
  closesocket(l);
}

/* ------------------------------------------------------------------------ */
/* Names and addresses, events, options                                      */
/* ------------------------------------------------------------------------ */

static void getaddrinfo_inetpton_inetntop(void **state) {
  (void)state;
  ADDRINFO hints, *res = NULL;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  hints.ai_flags = AI_PASSIVE;
  assert_int_equal(getaddrinfo(NULL, "5001", &hints, &res), 0);
  assert_non_null(res);
  struct sockaddr_in *sin = (struct sockaddr_in *)res->ai_addr;
  assert_int_equal(res->ai_addrlen, sizeof(*sin));
  assert_int_equal(sin->sin_addr.s_addr, htonl(INADDR_ANY));
  assert_int_equal(sin->sin_port, htons(5001));
  freeaddrinfo(res);
  hints.ai_flags = AI_NUMERICHOST;
  res = NULL;
  int rc = getaddrinfo("not-an-address", "80", &hints, &res);
  assert_int_equal(rc, WSAHOST_NOT_FOUND);
  assert_int_equal(WSAGetLastError(), WSAHOST_NOT_FOUND);
  IN_ADDR in4;
  char text0[32];
  assert_int_equal(InetPtonA(AF_INET, "10.1.2.3", &in4), 1);
  assert_int_equal(in4.s_addr, htonl(0x0A010203));
  assert_int_equal(InetPtonA(AF_INET, "10.1.2", &in4), 0);
  assert_int_equal(InetPtonA(12345, "10.1.2.3", &in4), -1);
  assert_int_equal(WSAGetLastError(), WSAEAFNOSUPPORT);
  WSASetLastError(0); /* ws2tcpip.h's lower-case names behave the same */
  assert_int_equal(inet_pton(12345, "10.1.2.3", &in4), -1);
  assert_int_equal(WSAGetLastError(), WSAEAFNOSUPPORT);
  assert_int_equal(inet_pton(AF_INET, "10.1.2.4", &in4), 1);
  WSASetLastError(0);
  assert_null(inet_ntop(12345, &in4, text0, sizeof(text0)));
  assert_int_equal(WSAGetLastError(), WSAEAFNOSUPPORT);
  assert_non_null(inet_ntop(AF_INET, &in4, text0, sizeof(text0)));
  assert_string_equal(text0, "10.1.2.4");
  assert_int_equal(inet_pton(AF_INET, "10.1.2.3", &in4), 1);
  IN6_ADDR in6;
  assert_int_equal(InetPtonW(AF_INET6, L"::1", &in6), 1);
  char text[64];
  assert_non_null(InetNtopA(AF_INET, &in4, text, sizeof(text)));
  assert_string_equal(text, "10.1.2.3");
  assert_null(InetNtopA(AF_INET, &in4, text, 4)); /* too small */
  WCHAR wtext[64];
  assert_non_null(InetNtopW(AF_INET6, &in6, wtext, 64));
  assert_true(wcscmp(wtext, L"::1") == 0);
}

static DWORD WINAPI nap_thread(LPVOID arg) {
  (void)arg;
  Sleep(50);
  return 7;
}

/* WSAWaitForMultipleEvents waits on any waitable handle ("The array can
 * contain handles of objects of different types"): servers wait on their
 * worker threads with it. */
static void wsa_wait_takes_thread_handles(void **state) {
  (void)state;
  WSAEVENT ev = WSACreateEvent();
  assert_non_null(ev);
  HANDLE th = CreateThread(NULL, 0, nap_thread, NULL, 0, NULL);
  assert_non_null(th);
  HANDLE hs[2] = {ev, th};
  assert_int_equal(WSAWaitForMultipleEvents(2, hs, FALSE, 5000, FALSE),
                   WSA_WAIT_EVENT_0 + 1);
  DWORD code = 0;
  assert_true(GetExitCodeThread(th, &code));
  assert_int_equal(code, 7);
  assert_int_equal(WSAWaitForMultipleEvents(1, &th, TRUE, 0, FALSE),
                   WSA_WAIT_EVENT_0);
  assert_true(CloseHandle(th));
  assert_true(WSACloseEvent(ev));
}

static void wsa_events(void **state) {
  (void)state;
  WSAEVENT e[2] = {WSACreateEvent(), WSACreateEvent()};
  assert_true(e[0] != WSA_INVALID_EVENT && e[1] != WSA_INVALID_EVENT);
  assert_int_equal(WSAWaitForMultipleEvents(2, e, FALSE, 20, FALSE),
                   WSA_WAIT_TIMEOUT);
  assert_true(WSASetEvent(e[1]));
  assert_int_equal(WSAWaitForMultipleEvents(2, e, FALSE, 0, FALSE),
                   WSA_WAIT_EVENT_0 + 1);
  /* Manual reset: still set; all of them is not yet. */
  assert_int_equal(WSAWaitForMultipleEvents(1, &e[1], TRUE, 0, FALSE),
                   WSA_WAIT_EVENT_0);
  assert_int_equal(WSAWaitForMultipleEvents(2, e, TRUE, 20, FALSE),
                   WSA_WAIT_TIMEOUT);
  assert_true(WSASetEvent(e[0]));
  assert_int_equal(WSAWaitForMultipleEvents(2, e, TRUE, 0, FALSE),
                   WSA_WAIT_EVENT_0);
  assert_true(WSAResetEvent(e[0]));
  assert_int_equal(WSAWaitForMultipleEvents(1, e, TRUE, 0, FALSE),
                   WSA_WAIT_TIMEOUT);
  assert_true(WSACloseEvent(e[0]));
  assert_true(WSACloseEvent(e[1]));
  assert_int_equal(WSAWaitForMultipleEvents(1, e, TRUE, 0, FALSE),
                   WSA_WAIT_FAILED);
  assert_int_equal(WSAGetLastError(), WSA_INVALID_HANDLE);
}

static void wsapoll_and_select_see_data(void **state) {
  (void)state;
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  WSAPOLLFD p;
  memset(&p, 0, sizeof(p));
  p.fd = srv;
  p.events = POLLRDNORM;
  ULONGLONG t0 = w_now_ms();
  assert_int_equal(WSAPoll(&p, 1, 50), 0);
  assert_true(w_now_ms() - t0 >= 40);
  assert_int_equal(send(cli, "x", 1, 0), 1);
  assert_int_equal(WSAPoll(&p, 1, 5000), 1);
  assert_true(p.revents & POLLRDNORM);
  /* select, its first argument 0 as Winsock code passes it. */
  fd_set r;
  FD_ZERO(&r);
  FD_SET(srv, &r);
  struct timeval tv = {5, 0};
  assert_int_equal(select(0, &r, NULL, NULL, &tv), 1);
  assert_true(FD_ISSET(srv, &r));
  char c;
  assert_int_equal(recv(srv, &c, 1, 0), 1);
  FD_ZERO(&r);
  FD_SET(srv, &r);
  tv.tv_sec = 0;
  tv.tv_usec = 30000;
  assert_int_equal(select(0, &r, NULL, NULL, &tv), 0);
  closesocket(srv);
  closesocket(cli);
}

/* SIO_UDP_CONNRESET FALSE, which servers set so that an ICMP "port
 * unreachable" does not fail their next WSARecvFrom, succeeds. (TRUE,
 * Windows' default, is refused on Linux, which never reports it to an
 * unconnected socket.) */
static void udp_connreset_off(void **state) {
  (void)state;
  struct sockaddr_in aa;
  SOCKET a = w_udp(&aa);
  BOOL off = FALSE, on = TRUE;
  DWORD bytes = 99;
  assert_int_equal(WSAIoctl(a, SIO_UDP_CONNRESET, &off, sizeof(off), NULL, 0,
                            &bytes, NULL, NULL),
                   0);
  assert_int_equal(WSAIoctl(a, SIO_UDP_CONNRESET, &on, sizeof(on), NULL, 0,
                            &bytes, NULL, NULL),
                   0); /* the default: test-win32-udp.c */
#ifndef _WIN32
  /* (mingw-w64 has no SIO_UDP_NETRESET.) cport never reports an ICMP
   * "time exceeded": FALSE is what it does, TRUE is refused. */
  assert_int_equal(WSAIoctl(a, SIO_UDP_NETRESET, &off, sizeof(off), NULL, 0,
                            &bytes, NULL, NULL),
                   0);
  assert_int_equal(WSAIoctl(a, SIO_UDP_NETRESET, &on, sizeof(on), NULL, 0,
                            &bytes, NULL, NULL),
                   SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEOPNOTSUPP);
#endif
  closesocket(a);
}

static void keepalive_values_and_linger(void **state) {
  (void)state;
  SOCKET s = w_tcp();
  struct tcp_keepalive ka = {1, 5000, 1000};
  DWORD bytes = 9;
  assert_int_equal(WSAIoctl(s, SIO_KEEPALIVE_VALS, &ka, sizeof(ka), NULL, 0,
                            &bytes, NULL, NULL),
                   0);
  int on = 0, len = sizeof(on);
  assert_int_equal(getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (char *)&on, &len),
                   0);
  assert_true(on != 0);
  LINGER lg;
  lg.l_onoff = 1;
  lg.l_linger = 7;
  assert_int_equal(
      setsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&lg, sizeof(lg)), 0);
  memset(&lg, 0, sizeof(lg));
  len = sizeof(lg);
  assert_int_equal(getsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&lg, &len), 0);
  assert_true(lg.l_onoff != 0);
  assert_int_equal(lg.l_linger, 7);
  /* SO_DONTLINGER reads as a BOOL: FALSE while SO_LINGER is on. */
  DWORD dont = 9;
  len = sizeof(dont);
  assert_int_equal(
      getsockopt(s, SOL_SOCKET, SO_DONTLINGER, (char *)&dont, &len), 0);
  assert_int_equal(dont, 0);
  dont = TRUE;
  assert_int_equal(
      setsockopt(s, SOL_SOCKET, SO_DONTLINGER, (char *)&dont, sizeof(dont)), 0);
  dont = 0;
  assert_int_equal(
      getsockopt(s, SOL_SOCKET, SO_DONTLINGER, (char *)&dont, &len), 0);
  assert_int_equal(dont, 1);
  /* Buffer sizes read back as set, 0 (IOCP servers' "no buffering") too. */
  const int sizes[] = {0, 65536};
  for (int i = 0; i < 2; i++) {
    for (int rcv = 0; rcv < 2; rcv++) {
      int opt = rcv ? SO_RCVBUF : SO_SNDBUF, v = sizes[i];
      assert_int_equal(setsockopt(s, SOL_SOCKET, opt, (char *)&v, sizeof(v)),
                       0);
      v = -1;
      len = sizeof(v);
      assert_int_equal(getsockopt(s, SOL_SOCKET, opt, (char *)&v, &len), 0);
      assert_int_equal(v, sizes[i]);
    }
  }
  w_set_rcvtimeo(s, 1500);
  DWORD ms = 0;
  len = sizeof(ms);
  assert_int_equal(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (char *)&ms, &len),
                   0);
  assert_int_equal(ms, 1500);
  closesocket(s);
}

/* The codes the Winsock pages name for calls Linux answers otherwise:
 * each departure is what a program switching on the code would notice. */
static int wsa_error_of(int rc) {
  return rc == SOCKET_ERROR ? WSAGetLastError() : 0;
}

static void error_codes_as_documented(void **state) {
  (void)state;
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  /* bind: "the namelen parameter is too small" */
  SOCKET t = w_tcp();
  struct sockaddr_in a = w_any();
  assert_int_equal(wsa_error_of(bind(t, (struct sockaddr *)&a, 4)), WSAEFAULT);
  /* getsockopt / setsockopt: "the optlen parameter is too small" */
  char small[1];
  int slen = 1;
  assert_int_equal(
      wsa_error_of(getsockopt(srv, SOL_SOCKET, SO_RCVBUF, small, &slen)),
      WSAEFAULT);
  assert_int_equal(
      wsa_error_of(setsockopt(srv, SOL_SOCKET, SO_LINGER, small, 1)),
      WSAEFAULT);
  assert_int_equal(
      wsa_error_of(setsockopt(srv, SOL_SOCKET, SO_RCVBUF, small, 1)),
      WSAEFAULT);
  /* connect: "the parameter s is a listening socket" */
  struct sockaddr_in la;
  SOCKET l = w_listener(&la);
  int el = wsa_error_of(connect(l, (struct sockaddr *)&la, sizeof(la)));
  closesocket(l);
  /* Datagrams: accept "is not a type that supports connection-oriented
   * service"; send with no peer: WSAENOTCONN. */
  SOCKET u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  assert_true(h_socket_ok(u));
  assert_int_equal(accept(u, NULL, NULL), INVALID_SOCKET);
  assert_int_equal(WSAGetLastError(), WSAEOPNOTSUPP);
  int es = wsa_error_of(send(u, "x", 1, 0));
  closesocket(u);
  closesocket(t);
  closesocket(srv);
  closesocket(cli);
  assert_int_equal(el, WSAEINVAL);
  if (h_on_wine() && es != WSAENOTCONN)
    H_SKIP("known Wine difference: send on an unconnected UDP socket fails "
           "with %d (Windows: WSAENOTCONN); see docs/windows.md",
           es);
  assert_int_equal(es, WSAENOTCONN);
}

/* After shutdown(SD_RECEIVE), "it is not possible to receive on a socket"
 * (WSAESHUTDOWN), with recv and WSARecv alike, blocking or not. */
static void receive_after_shutdown_fails(void **state) {
  (void)state;
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  w_set_rcvtimeo(srv, 2000); /* (a departure waits, it does not hang) */
  assert_int_equal(shutdown(srv, SD_RECEIVE), 0);
  char buf[8];
  int e1 = wsa_error_of(recv(srv, buf, sizeof(buf), 0));
  WSABUF wb = {sizeof(buf), buf};
  DWORD n = 0, flags = 0;
  int e2 = wsa_error_of(WSARecv(srv, &wb, 1, &n, &flags, NULL, NULL));
  closesocket(srv);
  closesocket(cli);
  if (h_on_wine() && (e1 != WSAESHUTDOWN || e2 != WSAESHUTDOWN))
    H_SKIP("known Wine difference: a receive after shutdown(SD_RECEIVE) "
           "gives %d and %d (Windows: WSAESHUTDOWN); see docs/windows.md",
           e1, e2);
  assert_int_equal(e1, WSAESHUTDOWN);
  assert_int_equal(e2, WSAESHUTDOWN);
}

/* A send after shutdown(SD_SEND): WSAESHUTDOWN, whatever the peer did
 * (still open, shut down too, or closed: its FIN read). It said
 * WSAECONNRESET: Linux answers EPIPE either way. */
static void send_after_shutdown_fails(void **state) {
  (void)state;
  for (int peer = 0; peer < 3; peer++) {
    SOCKET srv, cli;
    w_pair(&srv, &cli);
    w_set_rcvtimeo(srv, 2000);
    w_set_rcvtimeo(cli, 2000);
    assert_int_equal(shutdown(srv, SD_SEND), 0);
    char buf[8];
    assert_int_equal(recv(cli, buf, sizeof(buf), 0), 0); /* our FIN */
    if (peer == 1)
      assert_int_equal(shutdown(cli, SD_SEND), 0);
    if (peer == 2) {
      closesocket(cli);
      cli = INVALID_SOCKET;
    }
    if (peer > 0)
      assert_int_equal(recv(srv, buf, sizeof(buf), 0), 0); /* its FIN */
    int e1 = wsa_error_of(send(srv, "x", 1, 0));
    int e2 = wsa_error_of(send(srv, "x", 1, 0));
    WSABUF wb = {1, (char *)"x"};
    DWORD n = 0;
    int e3 = wsa_error_of(WSASend(srv, &wb, 1, &n, 0, NULL, NULL));
    closesocket(srv);
    if (cli != INVALID_SOCKET)
      closesocket(cli);
    if (e1 != WSAESHUTDOWN || e2 != WSAESHUTDOWN || e3 != WSAESHUTDOWN)
      fail_msg("peer %d: send %d, %d, WSASend %d (want WSAESHUTDOWN)", peer, e1,
               e2, e3);
  }
}

/* recvfrom on a UDP socket never bound: "WSAEINVAL The socket has not been
 * bound with bind" (Linux would wait for a datagram). */
static void unbound_datagram_receive_fails(void **state) {
  (void)state;
  SOCKET u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  assert_true(h_socket_ok(u));
  w_set_rcvtimeo(u, 2000);
  char buf[8];
  int e = wsa_error_of(recvfrom(u, buf, sizeof(buf), 0, NULL, NULL));
  closesocket(u);
  if (h_on_wine() && e != WSAEINVAL)
    H_SKIP("known Wine difference: recvfrom on a UDP socket never bound "
           "gives %d (Windows: WSAEINVAL); see docs/windows.md",
           e);
  assert_int_equal(e, WSAEINVAL);
}

/* The any address is nobody's: connect ("INADDR_ANY or in6addr_any":
 * WSAEADDRNOTAVAIL) and sendto ("not a valid address, for example,
 * ADDR_ANY") refuse it; Linux would take it for this host. */
static void any_address_is_no_destination(void **state) {
  (void)state;
  struct sockaddr_in la;
  SOCKET l = w_listener(&la), t = w_tcp();
  struct sockaddr_in any = la;
  any.sin_addr.s_addr = htonl(INADDR_ANY);
  int ec = wsa_error_of(connect(t, (struct sockaddr *)&any, sizeof(any)));
  SOCKET u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  assert_true(h_socket_ok(u));
  any.sin_port = htons(9);
  int es =
      wsa_error_of(sendto(u, "x", 1, 0, (struct sockaddr *)&any, sizeof(any)));
  closesocket(u);
  closesocket(t);
  closesocket(l);
  if (h_on_wine() && (ec == 0 || es == 0))
    H_SKIP("known Wine difference: connect and sendto to the any address "
           "reach this host (Windows: WSAEADDRNOTAVAIL); see docs/windows.md");
  assert_int_equal(ec, WSAEADDRNOTAVAIL);
  assert_int_equal(es, WSAEADDRNOTAVAIL);
}

/* listen: "WSAEISCONN The socket is already connected." */
static void listen_on_a_connected_socket(void **state) {
  (void)state;
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  int e = wsa_error_of(listen(cli, 4));
  closesocket(srv);
  closesocket(cli);
  if (h_on_wine() && e == WSAEINVAL)
    H_SKIP("known Wine difference: listen on a connected socket fails with "
           "WSAEINVAL (Windows: WSAEISCONN); see docs/windows.md");
  assert_int_equal(e, WSAEISCONN);
}

/* A non-blocking connect: WSAEWOULDBLOCK, then WSAEALREADY while it runs,
 * and "WSAEISCONN when the connection completes successfully". */
static void connect_again_after_a_non_blocking_connect(void **state) {
  (void)state;
  struct sockaddr_in la;
  SOCKET l = w_listener(&la), c = w_tcp();
  u_long on = 1;
  assert_int_equal(ioctlsocket(c, (long)FIONBIO, &on), 0);
  int rc = connect(c, (struct sockaddr *)&la, sizeof(la));
  assert_true(rc == 0 || WSAGetLastError() == WSAEWOULDBLOCK);
  fd_set w;
  FD_ZERO(&w);
  FD_SET(c, &w);
  struct timeval tv = {5, 0};
  assert_int_equal(select(0, NULL, &w, NULL, &tv), 1);
  assert_int_equal(wsa_error_of(connect(c, (struct sockaddr *)&la, sizeof(la))),
                   WSAEISCONN);
  closesocket(c);
  closesocket(l);
}

/* bind: "WSAEADDRINUSE ... if a process on the computer is already bound
 * to the same fully qualified address and the socket has not been marked
 * to allow address reuse with SO_REUSEADDR", listening or not; both
 * marked, they may share it. */
static void bind_to_an_address_another_socket_holds(void **state) {
  (void)state;
  SOCKET a = w_tcp(), b = w_tcp();
  struct sockaddr_in addr = w_any();
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(a, (struct sockaddr *)&addr, sizeof(addr)), 0);
  int len = sizeof(addr);
  assert_int_equal(getsockname(a, (struct sockaddr *)&addr, &len), 0);
  assert_int_equal(
      wsa_error_of(bind(b, (struct sockaddr *)&addr, sizeof(addr))),
      WSAEADDRINUSE);
  closesocket(a);
  closesocket(b);
  SOCKET c = w_tcp(), d = w_tcp();
  BOOL on = TRUE;
  assert_int_equal(
      setsockopt(c, SOL_SOCKET, SO_REUSEADDR, (char *)&on, sizeof(on)), 0);
  assert_int_equal(
      setsockopt(d, SOL_SOCKET, SO_REUSEADDR, (char *)&on, sizeof(on)), 0);
  assert_int_equal(bind(c, (struct sockaddr *)&addr, sizeof(addr)), 0);
  assert_int_equal(bind(d, (struct sockaddr *)&addr, sizeof(addr)), 0);
  closesocket(c);
  closesocket(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(names_from_real_servers),
      cmocka_unit_test(rebind_while_connections_wait_in_time_wait),
      cmocka_unit_test(bsd_calls_set_wsagetlasterror),
      cmocka_unit_test(closesocket_wakes_a_blocked_accept),
      cmocka_unit_test(wsaaccept_with_and_without_a_condition),
      cmocka_unit_test(getaddrinfo_inetpton_inetntop),
      cmocka_unit_test(wsa_events),
      cmocka_unit_test(wsa_wait_takes_thread_handles),
      cmocka_unit_test(wsapoll_and_select_see_data),
      cmocka_unit_test(udp_connreset_off),
      cmocka_unit_test(keepalive_values_and_linger),
      cmocka_unit_test(error_codes_as_documented),
      cmocka_unit_test(receive_after_shutdown_fails),
      cmocka_unit_test(send_after_shutdown_fails),
      cmocka_unit_test(unbound_datagram_receive_fails),
      cmocka_unit_test(listen_on_a_connected_socket),
      cmocka_unit_test(any_address_is_no_destination),
      cmocka_unit_test(connect_again_after_a_non_blocking_connect),
      cmocka_unit_test(bind_to_an_address_another_socket_holds),
  };
  return W_RUN("win32-bsd", tests);
}
