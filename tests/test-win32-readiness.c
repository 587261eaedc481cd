/*
 * test-win32-readiness.c - select, WSAPoll and WSAEventSelect as Winsock
 * answers them, written only against the Win32 API (real Winsock on
 * Windows, the layer on Linux): bytes that arrived while overlapped
 * receives ran are readable to all three (the classic zero-byte WSARecv,
 * then a readiness wait), FD_CLOSE comes only after the data before it is
 * read, WSAPoll's flags keep Windows' identities (POLLIN is POLLRDNORM |
 * POLLRDBAND, POLLOUT is POLLWRNORM) and report the peer's end as
 * POLLHUP, POLLPRI and a call with no valid socket fail with WSAEINVAL,
 * and a refused non-blocking connect is in exceptfds only, with its error
 * still there for getsockopt(SO_ERROR); ReadFile and WriteFile without
 * an OVERLAPPED block on a socket a port has; connections beyond the
 * posted AcceptEx calls are FD_ACCEPT's and accept()'s. Known Wine differences skip with
 * the reason.
 */
#include "win32-util.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

/* Starts one overlapped receive of len bytes into buf on s (which has a
 * port) and takes its completion: returns the bytes it got. */
static DWORD overlapped_recv(HANDLE port, SOCKET s, char *buf, ULONG len) {
  WSABUF wb = {len, buf};
  DWORD flags = 0, n = 0;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  int rc = WSARecv(s, &wb, 1, NULL, &flags, &ov, NULL);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  return n;
}

/* Reads s (non-blocking or not) until want bytes have come, within 5 s,
 * into buf. */
static void recv_exactly(SOCKET s, char *buf, int want) {
  int have = 0;
  ULONGLONG until = w_now_ms() + 5000;
  while (have < want) {
    int n = recv(s, buf + have, want - have, 0);
    if (n > 0) {
      have += n;
      continue;
    }
    assert_true(n == SOCKET_ERROR && WSAGetLastError() == WSAEWOULDBLOCK);
    assert_true(w_now_ms() < until);
    Sleep(1);
  }
}

/* Readable within ms, as select says (a socket alone in readfds). */
static int select_read(SOCKET s, long ms) {
  fd_set r;
  FD_ZERO(&r);
  FD_SET(s, &r);
  struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
  int rc = select(0, &r, NULL, NULL, &tv);
  assert_true(rc == 0 || (rc == 1 && FD_ISSET(s, &r)));
  return rc;
}

/* An entry WSAPoll leaves out: a negative fd (INVALID_SOCKET, fd being a
 * SOCKET). */
static WSAPOLLFD left_out(void) {
  WSAPOLLFD p;
  memset(&p, 0xff, sizeof(p.fd));
  p.events = POLLRDNORM;
  p.revents = 0x77;
  return p;
}

/* ------------------------------------------------------------------------ */
/* Bytes that came while overlapped receives ran                             */
/* ------------------------------------------------------------------------ */

/* The zero-byte receive idiom: a WSARecv of no bytes tells that data
 * came; then select and WSAPoll see the data, recv reads it all, and
 * bytes that come later wake a wait too. */
static void zero_byte_recv_then_readiness(void **state) {
  (void)state;
  SOCKET s, c;
  w_pair(&s, &c);
  HANDLE port = w_port(0);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)s, port, 1, 0), port);
  WSABUF wb = {0, NULL};
  DWORD flags = 0;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  int rc = WSARecv(s, &wb, 1, NULL, &flags, &ov, NULL);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  assert_int_equal(send(c, "0123456789", 10, 0), 10);
  DWORD n = 99;
  ULONG_PTR key;
  OVERLAPPED *got;
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(n, 0);
  Sleep(50); /* the bytes have long arrived */
  WSAPOLLFD p = {s, POLLRDNORM, 0};
  assert_int_equal(WSAPoll(&p, 1, 2000), 1);
  assert_true(p.revents & POLLRDNORM);
  assert_int_equal(select_read(s, 2000), 1);
  u_long avail = 0;
  assert_int_equal(ioctlsocket(s, FIONREAD, &avail), 0);
  assert_int_equal(avail, 10);
  char buf[32];
  recv_exactly(s, buf, 10);
  assert_memory_equal(buf, "0123456789", 10);
  /* Nothing waits now; what comes next wakes the waits. */
  assert_int_equal(select_read(s, 100), 0);
  assert_int_equal(send(c, "ab", 2, 0), 2);
  assert_int_equal(select_read(s, 5000), 1);
  p.revents = 0;
  assert_int_equal(WSAPoll(&p, 1, 5000), 1);
  recv_exactly(s, buf, 2);
  assert_memory_equal(buf, "ab", 2);
  closesocket(s);
  closesocket(c);
  assert_true(CloseHandle(port));
}

/* The same pattern under the fault mode's split (Linux: CPORT_FAULTS,
 * read as the port is made): the plain recv after the zero-byte WSARecv
 * may return fewer bytes than are there, as Windows' may, so a program
 * that assumes one recv reads a whole message meets it; the bytes stay in
 * order. */
static void plain_recv_after_zero_byte_is_cut_under_split(void **state) {
  (void)state;
#if defined(_WIN32)
  skip(); /* the fault mode is Linux only */
#else
  setenv("CPORT_FAULTS", "seed=7,split=1", 1);
  HANDLE port = w_port(0);
  unsetenv("CPORT_FAULTS");
  SOCKET s, c;
  w_pair(&s, &c);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)s, port, 1, 0), port);
  WSABUF wb = {0, NULL};
  DWORD flags = 0;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  int rc = WSARecv(s, &wb, 1, NULL, &flags, &ov, NULL);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  char out[1000], in[1000];
  for (int i = 0; i < (int)sizeof(out); i++)
    out[i] = (char)(i * 13 + 1);
  assert_int_equal(send(c, out, sizeof(out), 0), (int)sizeof(out));
  DWORD n = 99;
  ULONG_PTR key;
  OVERLAPPED *got;
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  Sleep(50);
  int calls = 0, total = 0;
  while (total < (int)sizeof(in)) {
    int r = recv(s, in + total, (int)sizeof(in) - total, 0);
    assert_true(r > 0);
    total += r;
    calls++;
  }
  assert_memory_equal(in, out, sizeof(out));
  assert_true(calls > 1); /* split=1: every such recv is cut */
  closesocket(s);
  closesocket(c);
  assert_true(CloseHandle(port));
#endif
}

/* The rest of the bytes after a one-byte overlapped receive is readable,
 * and bytes sent while select already waits wake it; the stream stays in
 * order. */
static DWORD WINAPI send_later(LPVOID arg) {
  Sleep(100);
  send((SOCKET)(ULONG_PTR)arg, "XYZ", 3, 0);
  return 0;
}

static void select_waits_for_bytes_after_receives(void **state) {
  (void)state;
  SOCKET s, c;
  w_pair(&s, &c);
  HANDLE port = w_port(0);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)s, port, 1, 0), port);
  assert_int_equal(send(c, "abcd", 4, 0), 4);
  char buf[16];
  assert_int_equal(overlapped_recv(port, s, buf, 1), 1);
  assert_int_equal(buf[0], 'a');
  assert_int_equal(select_read(s, 2000), 1);
  recv_exactly(s, buf, 3);
  assert_memory_equal(buf, "bcd", 3);
  /* Another overlapped receive, then select waits for what comes. */
  assert_int_equal(send(c, "e", 1, 0), 1);
  assert_int_equal(overlapped_recv(port, s, buf, sizeof(buf)), 1);
  assert_int_equal(buf[0], 'e');
  HANDLE t = CreateThread(NULL, 0, send_later, (LPVOID)(ULONG_PTR)c, 0, NULL);
  assert_non_null(t);
  assert_int_equal(select_read(s, 5000), 1);
  recv_exactly(s, buf, 3);
  assert_memory_equal(buf, "XYZ", 3);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  CloseHandle(t);
  closesocket(s);
  closesocket(c);
  assert_true(CloseHandle(port));
}

/* The peer sent ten bytes and closed; an overlapped receive took one.
 * WSAEventSelect then records FD_READ, and FD_CLOSE only once the other
 * nine are read ("FD_CLOSE should only be posted after all data is read
 * from a socket"): nothing of the stream is lost. */
static void fd_close_after_the_data(void **state) {
  (void)state;
  SOCKET s, c;
  w_pair(&s, &c);
  HANDLE port = w_port(0);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)s, port, 1, 0), port);
  assert_int_equal(send(c, "0123456789", 10, 0), 10);
  closesocket(c);
  char buf[32];
  assert_int_equal(overlapped_recv(port, s, buf, 1), 1);
  assert_int_equal(buf[0], '0');
  Sleep(50);
  WSAEVENT ev = WSACreateEvent();
  assert_int_equal(WSAEventSelect(s, ev, FD_READ | FD_CLOSE), 0);
  assert_int_equal(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
  WSANETWORKEVENTS ne;
  assert_int_equal(WSAEnumNetworkEvents(s, ev, &ne), 0);
  assert_int_equal(ne.lNetworkEvents, FD_READ);
  int have = 0;
  bool closed = false;
  ULONGLONG until = w_now_ms() + 5000;
  while (!closed) {
    int n = recv(s, buf + have, (int)sizeof(buf) - have, 0);
    if (n > 0)
      have += n;
    else
      assert_true(n == 0 || WSAGetLastError() == WSAEWOULDBLOCK);
    assert_int_equal(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
    assert_int_equal(WSAEnumNetworkEvents(s, ev, &ne), 0);
    if (ne.lNetworkEvents & FD_CLOSE) {
      assert_int_equal(have, 9); /* all the data came first */
      assert_int_equal(ne.iErrorCode[FD_CLOSE_BIT], 0);
      closed = true;
    }
    assert_true(w_now_ms() < until);
  }
  assert_memory_equal(buf, "123456789", 9);
  closesocket(s);
  WSACloseEvent(ev);
  assert_true(CloseHandle(port));
}

/* ReadFile and WriteFile on a socket without an OVERLAPPED "do not
 * return until the operation is complete": on a socket a port has they
 * block, read the bytes that came while overlapped receives ran first,
 * and write everything. */
static void file_calls_on_a_port_socket_block(void **state) {
  (void)state;
  SOCKET s, c;
  w_pair(&s, &c);
  HANDLE port = w_port(0);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)s, port, 1, 0), port);
  assert_int_equal(send(c, "abcdef", 6, 0), 6);
  char buf[16];
  assert_int_equal(overlapped_recv(port, s, buf, 1), 1);
  assert_int_equal(buf[0], 'a');
  Sleep(50);
  DWORD n = 0;
  int have = 0;
  while (have < 5) { /* the rest, in order */
    assert_true(ReadFile((HANDLE)s, buf + have, 5 - (DWORD)have, &n, NULL));
    assert_true(n > 0);
    have += (int)n;
  }
  assert_memory_equal(buf, "bcdef", 5);
  /* Nothing there: the call waits for what comes. */
  HANDLE t = CreateThread(NULL, 0, send_later, (LPVOID)(ULONG_PTR)c, 0, NULL);
  assert_non_null(t);
  assert_true(ReadFile((HANDLE)s, buf, sizeof(buf), &n, NULL));
  assert_true(n >= 1 && n <= 3);
  assert_memory_equal(buf, "XYZ", n);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  CloseHandle(t);
  if (n < 3)
    recv_exactly(s, buf + n, 3 - (int)n);
  static char big[256 * 1024];
  memset(big, 'q', sizeof(big));
  assert_true(WriteFile((HANDLE)s, big, sizeof(big), &n, NULL));
  assert_int_equal(n, sizeof(big));
  w_set_rcvtimeo(c, 5000);
  for (size_t got = 0; got < sizeof(big);) {
    int r = recv(c, buf, sizeof(buf), 0);
    assert_true(r > 0);
    for (int i = 0; i < r; i++)
      assert_int_equal(buf[i], 'q');
    got += (size_t)r;
  }
  closesocket(s);
  closesocket(c);
  assert_true(CloseHandle(port));
}

/* Starts one AcceptEx (no receive) on listener l into a new socket. */
static SOCKET post_accept(SOCKET l, OVERLAPPED *ov, char *area, DWORD half) {
  SOCKET a = w_tcp();
  memset(ov, 0, sizeof(*ov));
  DWORD bytes = 0;
  BOOL ok = pAcceptEx(l, a, area, 0, half, half, &bytes, ov);
  assert_true(ok || WSAGetLastError() == ERROR_IO_PENDING);
  return a;
}

static SOCKET connect_to(const struct sockaddr_in *addr) {
  SOCKET c = socket(AF_INET, SOCK_STREAM, 0);
  assert_int_equal(connect(c, (const struct sockaddr *)addr, sizeof(*addr)), 0);
  return c;
}

/* The scalable-server pattern: AcceptEx calls posted, and FD_ACCEPT to
 * hear that connections wait with none posted. A connection beyond the
 * posted AcceptEx records FD_ACCEPT, makes the listener readable to
 * select, and accept() gets it; AcceptEx still works afterwards. */
static void connections_beyond_posted_accepts(void **state) {
  (void)state;
  struct sockaddr_in addr;
  SOCKET l = w_listener(&addr);
  w_load_extensions(l);
  HANDLE port = w_port(0);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)l, port, 1, 0), port);
  WSAEVENT ev = WSACreateEvent();
  assert_int_equal(WSAEventSelect(l, ev, FD_ACCEPT), 0);
  char area[2 * (sizeof(struct sockaddr_in6) + 16)];
  DWORD half = sizeof(area) / 2;
  OVERLAPPED ov;
  SOCKET a = post_accept(l, &ov, area, half);
  SOCKET c1 = connect_to(&addr);
  DWORD n;
  ULONG_PTR key;
  OVERLAPPED *got;
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  /* None posted now: the next connection is FD_ACCEPT's. */
  SOCKET c2 = connect_to(&addr);
  ULONGLONG until = w_now_ms() + 5000;
  WSANETWORKEVENTS ne;
  memset(&ne, 0, sizeof(ne));
  while (!(ne.lNetworkEvents & FD_ACCEPT)) {
    assert_int_equal(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
    assert_int_equal(WSAEnumNetworkEvents(l, ev, &ne), 0);
    assert_true(w_now_ms() < until);
  }
  assert_int_equal(select_read(l, 5000), 1);
  SOCKET x = INVALID_SOCKET;
  while (x == INVALID_SOCKET) { /* WSAEventSelect made l non-blocking */
    x = accept(l, NULL, NULL);
    assert_true(x != INVALID_SOCKET || WSAGetLastError() == WSAEWOULDBLOCK);
    assert_true(w_now_ms() < until);
    if (x == INVALID_SOCKET)
      Sleep(1);
  }
  assert_int_equal(send(c2, "two", 3, 0), 3);
  u_long off = 0;
  WSAEventSelect(x, NULL, 0); /* it got the listener's selection */
  assert_int_equal(ioctlsocket(x, (long)FIONBIO, &off), 0);
  w_set_rcvtimeo(x, 5000);
  char buf[8];
  assert_int_equal(recv(x, buf, 3, MSG_WAITALL), 3);
  assert_memory_equal(buf, "two", 3);
  /* AcceptEx again. */
  SOCKET b = post_accept(l, &ov, area, half);
  SOCKET c3 = connect_to(&addr);
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(setsockopt(b, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT,
                              (char *)&l, sizeof(l)),
                   0);
  assert_int_equal(send(c3, "3", 1, 0), 1);
  w_set_rcvtimeo(b, 5000);
  assert_int_equal(recv(b, buf, 1, 0), 1);
  assert_int_equal(buf[0], '3');
  SOCKET all[] = {a, b, x, c1, c2, c3, l};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
    closesocket(all[i]);
  WSACloseEvent(ev);
  assert_true(CloseHandle(port));
}

/* ------------------------------------------------------------------------ */
/* WSAPoll's flags                                                           */
/* ------------------------------------------------------------------------ */

/* POLLIN is POLLRDNORM | POLLRDBAND and POLLOUT is POLLWRNORM, so a
 * program's test finds the answer under either name; the peer's graceful
 * end is POLLHUP. */
static void wsapoll_flag_identities(void **state) {
  (void)state;
  SOCKET s, c;
  w_pair(&s, &c);
  assert_int_equal(send(c, "x", 1, 0), 1);
  WSAPOLLFD p[2] = {{s, POLLIN, 0}, {c, POLLOUT, 0}};
  assert_int_equal(WSAPoll(p, 2, 5000), 2);
  assert_true(p[0].revents & POLLRDNORM);
  assert_true(p[0].revents & POLLIN);
  assert_true(p[1].revents & POLLWRNORM);
  assert_true(p[1].revents & POLLOUT);
  p[0] = (WSAPOLLFD){s, POLLRDNORM, 0};
  p[1] = (WSAPOLLFD){c, POLLWRNORM, 0};
  assert_int_equal(WSAPoll(p, 2, 5000), 2);
  assert_true(p[0].revents & POLLIN);
  assert_true(p[1].revents & POLLOUT);
  char b;
  assert_int_equal(recv(s, &b, 1, 0), 1);
  /* The peer's graceful end. */
  closesocket(c);
  p[0] = (WSAPOLLFD){s, POLLRDNORM, 0};
  assert_int_equal(WSAPoll(p, 1, 5000), 1);
  assert_true(p[0].revents & POLLHUP);
  closesocket(s);
}

/* POLLPRI is refused; so is a call with no valid socket; an entry with a
 * negative fd is left out and its revents cleared. */
static void wsapoll_refuses(void **state) {
  (void)state;
  if (h_on_wine())
    H_SKIP("known Wine difference: WSAPoll accepts POLLPRI, reports a "
           "negative fd as POLLNVAL and a call with only a closed socket "
           "as WSAENOTSOCK; see docs/windows.md");
  SOCKET s, c;
  w_pair(&s, &c);
  WSAPOLLFD p[2] = {{s, POLLRDNORM | POLLPRI, 0}, left_out()};
  assert_int_equal(WSAPoll(p, 1, 0), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEINVAL);
  /* Nothing valid at all. */
  p[0] = left_out();
  assert_int_equal(WSAPoll(p, 1, 0), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEINVAL);
  SOCKET d = w_tcp();
  closesocket(d);
  p[0] = (WSAPOLLFD){d, POLLRDNORM, 0};
  assert_int_equal(WSAPoll(p, 1, 0), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEINVAL);
  /* A negative entry beside a socket: left out, revents 0. */
  assert_int_equal(send(c, "x", 1, 0), 1);
  p[0] = left_out();
  p[1] = (WSAPOLLFD){s, POLLRDNORM, 0};
  assert_int_equal(WSAPoll(p, 2, 5000), 1);
  assert_int_equal(p[0].revents, 0);
  assert_true(p[1].revents & POLLRDNORM);
  closesocket(s);
  closesocket(c);
}

/* ------------------------------------------------------------------------ */
/* A refused non-blocking connect                                            */
/* ------------------------------------------------------------------------ */

/* select: "If processing a connect call (nonblocking), connection attempt
 * failed" is exceptfds, and writefds is for a connect that succeeded;
 * SO_ERROR then tells the error. */
static void refused_connect_is_exceptional(void **state) {
  (void)state;
  struct sockaddr_in addr;
  SOCKET refusing = w_refusing(&addr);
  SOCKET s = socket(AF_INET, SOCK_STREAM, 0);
  u_long on = 1;
  assert_int_equal(ioctlsocket(s, (long)FIONBIO, &on), 0);
  int rc = connect(s, (struct sockaddr *)&addr, sizeof(addr));
  assert_int_equal(rc, SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEWOULDBLOCK);
  fd_set w, e;
  FD_ZERO(&w);
  FD_ZERO(&e);
  FD_SET(s, &w);
  FD_SET(s, &e);
  struct timeval tv = {10, 0}; /* Windows retries a refused SYN for ~2 s */
  assert_int_equal(select(0, NULL, &w, &e, &tv), 1);
  assert_false(FD_ISSET(s, &w));
  assert_true(FD_ISSET(s, &e));
  int err = -1, len = sizeof(err);
  assert_int_equal(getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&err, &len), 0);
  assert_int_equal(err, WSAECONNREFUSED);
  closesocket(s);
  closesocket(refusing);
  /* A connect that succeeds is writable, not exceptional. */
  SOCKET l = w_listener(&addr);
  s = socket(AF_INET, SOCK_STREAM, 0);
  assert_int_equal(ioctlsocket(s, (long)FIONBIO, &on), 0);
  rc = connect(s, (struct sockaddr *)&addr, sizeof(addr));
  assert_true(rc == 0 || WSAGetLastError() == WSAEWOULDBLOCK);
  FD_ZERO(&w);
  FD_ZERO(&e);
  FD_SET(s, &w);
  FD_SET(s, &e);
  assert_int_equal(select(0, NULL, &w, &e, &tv), 1);
  assert_true(FD_ISSET(s, &w));
  assert_false(FD_ISSET(s, &e));
  closesocket(s);
  closesocket(l);
}

/* Under WSAEventSelect, FD_CONNECT carries the error and SO_ERROR still
 * tells it (a program may check either). */
static void refused_connect_keeps_so_error(void **state) {
  (void)state;
  struct sockaddr_in addr;
  SOCKET refusing = w_refusing(&addr);
  SOCKET s = socket(AF_INET, SOCK_STREAM, 0);
  WSAEVENT ev = WSACreateEvent();
  assert_int_equal(WSAEventSelect(s, ev, FD_CONNECT), 0);
  int rc = connect(s, (struct sockaddr *)&addr, sizeof(addr));
  assert_int_equal(rc, SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEWOULDBLOCK);
  assert_int_equal(WaitForSingleObject(ev, 10000), WAIT_OBJECT_0);
  WSANETWORKEVENTS ne;
  assert_int_equal(WSAEnumNetworkEvents(s, ev, &ne), 0);
  assert_true(ne.lNetworkEvents & FD_CONNECT);
  assert_int_equal(ne.iErrorCode[FD_CONNECT_BIT], WSAECONNREFUSED);
  int err = -1, len = sizeof(err);
  assert_int_equal(getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&err, &len), 0);
  assert_int_equal(err, WSAECONNREFUSED);
  closesocket(s);
  closesocket(refusing);
  WSACloseEvent(ev);
}

/* Winsock's fd_set is a count and an array (fd_count, fd_array), of
 * FD_SETSIZE sockets (64 unless the program defines it first): FD_SET
 * adds a socket once and not beyond the size, FD_CLR keeps the others'
 * order; select ignores nfds, keeps in each set the sockets ready for it
 * in their order, and counts the socket-and-set pairs ("the total number
 * of socket handles that are ready and contained in the fd_set
 * structures"). */
static void fd_set_is_winsocks(void **state) {
  (void)state;
  assert_int_equal(FD_SETSIZE, 64);
  SOCKET a, pa, b, pb;
  w_pair(&a, &pa);
  w_pair(&b, &pb);
  fd_set r;
  FD_ZERO(&r);
  assert_int_equal(r.fd_count, 0);
  FD_SET(a, &r);
  FD_SET(b, &r);
  FD_SET(a, &r);
  assert_int_equal(r.fd_count, 2);
  assert_true(r.fd_array[0] == a && r.fd_array[1] == b);
  FD_CLR(a, &r);
  assert_int_equal(r.fd_count, 1);
  assert_true(r.fd_array[0] == b);
  fd_set full;
  FD_ZERO(&full);
  for (SOCKET i = 1; i <= FD_SETSIZE + 6; i++)
    FD_SET(i * 1000, &full);
  assert_int_equal(full.fd_count, FD_SETSIZE);
  assert_true(full.fd_array[FD_SETSIZE - 1] == (SOCKET)FD_SETSIZE * 1000);
  /* pb and pa readable (in that order), a and b not; all four writable. */
  assert_int_equal(send(b, "x", 1, 0), 1);
  assert_int_equal(send(a, "y", 1, 0), 1);
  SOCKET order[4] = {pb, a, pa, b};
  fd_set w;
  FD_ZERO(&r);
  FD_ZERO(&w);
  for (int i = 0; i < 4; i++)
    FD_SET(order[i], &r);
  FD_SET(pa, &w);
  FD_SET(b, &w);
  struct timeval tv = {5, 0};
  ULONGLONG until = w_now_ms() + 5000;
  int rc;
  do { /* until both bytes have come */
    fd_set r2 = r, w2 = w;
    rc = select(12345, &r2, &w2, NULL, &tv);
    if (rc == 4) {
      r = r2;
      w = w2;
    }
  } while (rc != 4 && w_now_ms() < until);
  assert_int_equal(rc, 4);
  assert_int_equal(r.fd_count, 2);
  assert_true(r.fd_array[0] == pb && r.fd_array[1] == pa);
  assert_int_equal(w.fd_count, 2);
  assert_true(w.fd_array[0] == pa && w.fd_array[1] == b);
  assert_true(FD_ISSET(pa, &r));
  assert_false(FD_ISSET(a, &r));
  assert_true(__WSAFDIsSet(b, &w));
#ifndef _WIN32
  /* The layer's answers where Windows documents none: a socket named
   * twice in a set (FD_SET never does it) is ready once; a descriptor
   * that is no socket fails the call, as an entry that is not one. */
  FD_ZERO(&r);
  r.fd_array[0] = r.fd_array[1] = pa;
  r.fd_count = 2;
  assert_int_equal(select(0, &r, NULL, NULL, &tv), 1);
  assert_int_equal(r.fd_count, 1);
  assert_true(r.fd_array[0] == pa);
  FILE *f = fopen("/dev/null", "r");
  assert_non_null(f);
  FD_ZERO(&r);
  FD_SET(pa, &r);
  FD_SET(fileno(f), &r);
  assert_int_equal(select(0, &r, NULL, NULL, &tv), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAENOTSOCK);
  fclose(f);
#endif
  /* A set naming no socket: WSAENOTSOCK. */
  FD_ZERO(&r);
  FD_SET(INVALID_SOCKET, &r);
  tv.tv_sec = 0;
  assert_int_equal(select(0, &r, NULL, NULL, &tv), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAENOTSOCK);
  closesocket(a);
  closesocket(pa);
  closesocket(b);
  closesocket(pb);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(zero_byte_recv_then_readiness),
      cmocka_unit_test(plain_recv_after_zero_byte_is_cut_under_split),
      cmocka_unit_test(select_waits_for_bytes_after_receives),
      cmocka_unit_test(fd_close_after_the_data),
      cmocka_unit_test(file_calls_on_a_port_socket_block),
      cmocka_unit_test(connections_beyond_posted_accepts),
      cmocka_unit_test(wsapoll_flag_identities),
      cmocka_unit_test(wsapoll_refuses),
      cmocka_unit_test(refused_connect_is_exceptional),
      cmocka_unit_test(refused_connect_keeps_so_error),
      cmocka_unit_test(fd_set_is_winsocks),
  };
  return W_RUN("win32-readiness", tests);
}
