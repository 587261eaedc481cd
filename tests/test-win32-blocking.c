/*
 * test-win32-blocking.c - the synchronous Winsock corners ported servers
 * were found to lean on, written only against the Win32 API (real Winsock
 * on Windows, the layer on Linux): SO_RCVTIMEO and SO_SNDTIMEO on a
 * blocking recv, WSARecv and send (WSAETIMEDOUT, on a socket a port has
 * and on one it has not), BOOL options given as a char, the synchronous
 * DisconnectEx(TF_REUSE_SOCKET) before AcceptEx takes the socket again,
 * the synchronous TransmitFile, the status a receive ended by closing
 * its socket leaves in its OVERLAPPED, closesocket ending a recv or
 * send another thread is blocked in, and a blocking send or recv queued
 * behind the overlapped ones started before it (which a timeout or a
 * closesocket still ends). Known Wine differences skip with the
 * reason.
 */
#include "win32-util.h"

static void set_timeout(SOCKET s, int name, DWORD ms) {
  assert_int_equal(setsockopt(s, SOL_SOCKET, name, (char *)&ms, sizeof(ms)), 0);
}

static HANDLE associate(SOCKET s, HANDLE port) {
  return CreateIoCompletionPort((HANDLE)s, port, 1, 0);
}

/* ------------------------------------------------------------------------ */
/* Timeouts                                                                  */
/* ------------------------------------------------------------------------ */

/* A connected pair whose server end has SO_RCVTIMEO 200 ms; in round 1
 * the server end is on port (non-blocking under the layer). */
static void timed_pair(HANDLE port, int round, SOCKET *srv, SOCKET *cli) {
  w_pair(srv, cli);
  if (round == 1)
    assert_ptr_equal(associate(*srv, port), port);
  set_timeout(*srv, SO_RCVTIMEO, 200);
}

/* The call that began at t0 failed with WSAETIMEDOUT after about 200 ms. */
static void assert_timed_out(ULONGLONG t0) {
  assert_int_equal(WSAGetLastError(), WSAETIMEDOUT);
  ULONGLONG waited = w_now_ms() - t0;
  assert_true(waited >= 150);
  assert_true(waited < 5000);
}

/* A blocking recv with nothing to read fails with WSAETIMEDOUT once
 * SO_RCVTIMEO has passed, and the data that comes later is still read.
 * Round 0: a plain socket; round 1: one on a port (non-blocking under
 * the layer). */
static void recv_times_out_with_wsaetimedout(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  for (int round = 0; round < 2; round++) {
    SOCKET srv, cli;
    timed_pair(port, round, &srv, &cli);
    DWORD got = 0;
    int len = sizeof(got);
    assert_int_equal(
        getsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, (char *)&got, &len), 0);
    assert_int_equal(got, 200);
    char buf[8];
    ULONGLONG t0 = w_now_ms();
    assert_int_equal(recv(srv, buf, sizeof(buf), 0), SOCKET_ERROR);
    assert_timed_out(t0);
    assert_int_equal(send(cli, "late", 4, 0), 4);
    assert_int_equal(recv(srv, buf, sizeof(buf), 0), 4);
    assert_memory_equal(buf, "late", 4);
    closesocket(cli);
    closesocket(srv);
  }
  w_expect_nothing(port, 20);
  assert_true(CloseHandle(port));
}

/* WSARecv without an OVERLAPPED is a blocking call too: SO_RCVTIMEO
 * bounds it, on a plain socket and on one a port has. */
static void wsarecv_without_overlapped_times_out(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  for (int round = 0; round < 2; round++) {
    SOCKET srv, cli;
    timed_pair(port, round, &srv, &cli);
    char buf[8];
    WSABUF wb = {sizeof(buf), buf};
    DWORD bytes = 77, flags = 0;
    ULONGLONG t0 = w_now_ms();
    assert_int_equal(WSARecv(srv, &wb, 1, &bytes, &flags, NULL, NULL),
                     SOCKET_ERROR);
    assert_timed_out(t0);
    assert_int_equal(send(cli, "ok", 2, 0), 2);
    flags = 0;
    assert_int_equal(WSARecv(srv, &wb, 1, &bytes, &flags, NULL, NULL), 0);
    assert_int_equal(bytes, 2);
    assert_memory_equal(buf, "ok", 2);
    closesocket(cli);
    closesocket(srv);
  }
  w_expect_nothing(port, 20);
  assert_true(CloseHandle(port));
}

/* A blocking send into a peer that reads nothing stops at SO_SNDTIMEO: it
 * either sent part (the count) or fails with WSAETIMEDOUT; it never
 * blocks for ever. */
static void send_stops_at_sndtimeo(void **state) {
  (void)state;
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  set_timeout(cli, SO_SNDTIMEO, 200);
  size_t size = 64u << 20;
  char *big = malloc(size);
  assert_non_null(big);
  memset(big, 'x', size);
  ULONGLONG t0 = w_now_ms();
  int total = 0;
  int last = 0;
  for (int i = 0; i < 8 && last != SOCKET_ERROR; i++) {
    last = send(cli, big, (int)size, 0);
    if (last > 0)
      total += last;
  }
  ULONGLONG waited = w_now_ms() - t0;
  assert_int_equal(last, SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAETIMEDOUT);
  assert_true(total < 8 * (int)(size / 2)); /* the peer read nothing */
  assert_true(waited >= 150);
  assert_true(waited < 20000);
  free(big);
  closesocket(cli);
  closesocket(srv);
}

/* ------------------------------------------------------------------------ */
/* Options                                                                   */
/* ------------------------------------------------------------------------ */

/* Windows reads a BOOL option from any length: ported code passes a char
 * (`char yes = 1`) as often as a BOOL. */
static void bool_options_take_a_char(void **state) {
  (void)state;
  SOCKET s = w_tcp();
  char on = 1, off = 0;
  assert_int_equal(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &on, 1), 0);
  int v = 0, len = sizeof(v);
  assert_int_equal(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&v, &len),
                   0);
  assert_true(v != 0);
  assert_int_equal(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &off, 1), 0);
  v = 1;
  len = sizeof(v);
  assert_int_equal(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&v, &len),
                   0);
  assert_int_equal(v, 0);
  assert_int_equal(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &on, 1), 0);
  v = 0;
  len = sizeof(v);
  assert_int_equal(getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (char *)&v, &len),
                   0);
  assert_true(v != 0);
  assert_int_equal(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, 1), 0);
  /* A NULL value with a length is a fault, not a crash. */
  assert_int_equal(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, NULL, 4),
                   SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEFAULT);
  closesocket(s);
}

/* ------------------------------------------------------------------------ */
/* DisconnectEx without an OVERLAPPED                                        */
/* ------------------------------------------------------------------------ */

/* One AcceptEx round on accept socket a: a client connects and sends
 * "hi", the server reads it into *got_n. Returns the client. */
static SOCKET accept_round(HANDLE port, SOCKET l, struct sockaddr_in *la,
                           SOCKET a, int *got_n) {
  char area[2 * (sizeof(struct sockaddr_in6) + 16)];
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  DWORD bytes = 0;
  if (!pAcceptEx(l, a, area, 0, sizeof(area) / 2, sizeof(area) / 2, &bytes,
                 &ov))
    assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
  SOCKET c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  assert_true(h_socket_ok(c));
  assert_int_equal(connect(c, (struct sockaddr *)la, sizeof(*la)), 0);
  ULONG_PTR key;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(setsockopt(a, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT,
                              (char *)&l, sizeof(l)),
                   0);
  assert_int_equal(send(c, "hi", 2, 0), 2);
  char buf[4];
  *got_n = recv(a, buf, sizeof(buf), 0);
  if (*got_n == 2)
    assert_memory_equal(buf, "hi", 2);
  return c;
}

/* The synchronous DisconnectEx(TF_REUSE_SOCKET) returns when the socket
 * is ready for AcceptEx again; the next AcceptEx takes it and a second
 * client is served on it. The first client sees the end. */
static void sync_disconnect_reuse_then_acceptex(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  struct sockaddr_in la;
  SOCKET l = w_listener(&la);
  w_load_extensions(l);
  assert_ptr_equal(associate(l, port), port);
  SOCKET a = w_tcp();
  int lost_round = -1;
  for (int round = 0; round < 3 && lost_round < 0; round++) {
    int n = -1;
    SOCKET c = accept_round(port, l, &la, a, &n);
    if (n != 2 && round > 0 && h_on_wine()) {
      lost_round = round; /* checked below */
      closesocket(c);
      break;
    }
    assert_int_equal(n, 2);
    assert_true(pDisconnectEx(a, NULL, TF_REUSE_SOCKET, 0));
    char buf[4];
    assert_int_equal(recv(c, buf, sizeof(buf), 0), 0); /* the end */
    closesocket(c);
  }
  /* A reserved value and flags other than TF_REUSE_SOCKET are refused
   * with WSAEINVAL (DisconnectEx's page). */
  BOOL odd_reserved = pDisconnectEx(a, NULL, 0, 1);
  int err_reserved = WSAGetLastError();
  BOOL odd_flags = pDisconnectEx(a, NULL, 0x80, 0);
  int err_flags = WSAGetLastError();
  w_expect_nothing(port, 20);
  closesocket(a);
  closesocket(l);
  assert_true(CloseHandle(port));
  if (lost_round > 0)
    H_SKIP("known Wine difference: an AcceptEx on a socket the synchronous "
           "DisconnectEx(TF_REUSE_SOCKET) returned reads the end at once "
           "(round %d); see docs/windows.md",
           lost_round);
  if ((odd_reserved || odd_flags) && h_on_wine())
    H_SKIP("known Wine difference: DisconnectEx takes a nonzero reserved "
           "value and flags other than TF_REUSE_SOCKET; see docs/windows.md");
  assert_false(odd_reserved);
  assert_int_equal(err_reserved, WSAEINVAL);
  assert_false(odd_flags);
  assert_int_equal(err_flags, WSAEINVAL);
}

/* ------------------------------------------------------------------------ */
/* A receive ended by closing its socket                                     */
/* ------------------------------------------------------------------------ */

/* The error GetQueuedCompletionStatus reports and the NTSTATUS the
 * OVERLAPPED holds afterwards say the same thing: ERROR_CONNECTION_ABORTED
 * goes with STATUS_CONNECTION_ABORTED, ERROR_OPERATION_ABORTED with
 * STATUS_CANCELLED. */
static void closed_receive_status_matches_internal(void **state) {
  (void)state;
  if (h_on_wine())
    H_SKIP(W_WINE_CLOSE_LEAVES_OPS_PENDING);
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(associate(srv, port), port);
  char buf[8];
  WSABUF wb = {sizeof(buf), buf};
  DWORD flags = 0, bytes = 0;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  assert_int_equal(WSARecv(srv, &wb, 1, &bytes, &flags, &ov, NULL),
                   SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
  closesocket(srv);
  ULONG_PTR key;
  OVERLAPPED *got = NULL;
  BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &got, 5000);
  DWORD err = GetLastError();
  assert_false(ok);
  assert_ptr_equal(got, &ov);
  assert_true(err == ERROR_CONNECTION_ABORTED ||
              err == ERROR_OPERATION_ABORTED);
  assert_int_equal((DWORD)ov.Internal, err == ERROR_CONNECTION_ABORTED
                                           ? 0xC0000241u   /* aborted */
                                           : 0xC0000120u); /* cancelled */
  closesocket(cli);
  assert_true(CloseHandle(port));
}

/* Reads exactly n bytes from a blocking socket. */
static void recv_all(SOCKET s, char *buf, int n) {
  for (int got = 0; got < n;) {
    int r = recv(s, buf + got, n - got, 0);
    assert_true(r > 0);
    got += r;
  }
}

/* TransmitFile with no OVERLAPPED: "the transmission starts at the
 * current offset in the file" and the call returns once it is done; a
 * port the socket is on gets no packet. Here the file pointer moves past
 * what was sent, so a second call goes on from there. */
static void sync_transmitfile_from_the_file_position(void **state) {
  (void)state;
  char path[512];
  w_temp_path(path, sizeof(path), "w32b-transmit");
  HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  DWORD n = 0;
  assert_true(WriteFile(f, "0123456789", 10, &n, NULL));
  assert_int_equal(SetFilePointer(f, 2, NULL, FILE_BEGIN), 2);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  HANDLE port = w_port(0);
  assert_ptr_equal(associate(srv, port), port);
  TRANSMIT_FILE_BUFFERS tfb;
  memset(&tfb, 0, sizeof(tfb));
  tfb.Head = (char *)"H:";
  tfb.HeadLength = 2;
  tfb.Tail = (char *)":T";
  tfb.TailLength = 2;
  assert_true(TransmitFile(srv, f, 3, 0, NULL, &tfb, 0));
  char buf[32];
  recv_all(cli, buf, 7);
  assert_memory_equal(buf, "H:234:T", 7);
  w_expect_nothing(port, 50);
  /* The rest of the file, from where the first call stopped. */
  assert_true(TransmitFile(srv, f, 0, 0, NULL, NULL, 0));
  recv_all(cli, buf, 5);
  assert_memory_equal(buf, "56789", 5);
  w_expect_nothing(port, 50);
  assert_int_equal(SetFilePointer(f, 0, NULL, FILE_CURRENT), 10);
  closesocket(cli);
  closesocket(srv);
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
  assert_true(CloseHandle(port));
}

#ifndef _WIN32
/* Names ported code uses from ntdef.h, ntstatus.h and tchar.h (Windows
 * has them in headers of their own). */
static void ntstatus_and_msvc_names(void **state) {
  (void)state;
  unsigned __int64 big = 1ull << 40;
  assert_true(big > 0xFFFFFFFFull);
  NTSTATUS st = STATUS_CANCELLED;
  assert_false(NT_SUCCESS(st));
  assert_true(NT_SUCCESS(STATUS_SUCCESS));
  assert_true(NT_SUCCESS(STATUS_PENDING));
  DWORD as_dword = 0xC0000241u;
  assert_true(as_dword == (DWORD)STATUS_CONNECTION_ABORTED);
  _TCHAR t[] = _T("x");
  assert_int_equal(sizeof(t[0]), sizeof(TCHAR));
}
#endif

/* ------------------------------------------------------------------------ */
/* closesocket under a blocked call                                          */
/* ------------------------------------------------------------------------ */

struct blocked {
  SOCKET s;
  bool sending;
  int rc, err;
};

static DWORD WINAPI blocked_call(LPVOID arg) {
  struct blocked *b = arg;
  static char big[4 << 20];
  char buf[16];
  b->rc = b->sending ? send(b->s, big, (int)sizeof(big), 0)
                     : recv(b->s, buf, (int)sizeof(buf), 0);
  b->err = WSAGetLastError();
  return 0;
}

/* Another thread's closesocket(s) ends b's call, blocked in it by now:
 * it fails (the layer says WSAEINTR). With s2, a new connection is made
 * right after the close (it may take the number). */
static void close_under(struct blocked *b, SOCKET s, SOCKET *s2, SOCKET *c2) {
  HANDLE t = CreateThread(NULL, 0, blocked_call, b, 0, NULL);
  assert_non_null(t);
  Sleep(150); /* blocked by now */
  assert_int_equal(closesocket(s), 0);
  if (s2 != NULL)
    w_pair(s2, c2);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  CloseHandle(t);
  assert_int_equal(b->rc, SOCKET_ERROR);
#ifndef _WIN32
  assert_int_equal(b->err, WSAEINTR);
#endif
}

/* "Any pending blocking ... calls issued by any thread in this process
 * are canceled" by closesocket: a recv or a send blocked in another
 * thread fails at once (the layer says WSAEINTR), on a socket a port has
 * (round 1) and on one it has not; it never goes on with a connection
 * that took the socket's number since. */
static void closesocket_ends_blocked_calls(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  bool wine = h_on_wine(); /* its blocked send goes on: rounds 2, 3 */
  for (int round = 0; round < (wine ? 2 : 4); round++) {
    SOCKET s, c;
    w_pair(&s, &c);
    if (round & 1)
      assert_ptr_equal(associate(s, port), port);
    struct blocked b = {s, round >= 2, 0, 0};
    if (b.sending) {
      DWORD small = 4096;
      setsockopt(s, SOL_SOCKET, SO_SNDBUF, (char *)&small, sizeof(small));
    }
    SOCKET s2, c2;
    close_under(&b, s, &s2, &c2);
    assert_int_equal(send(c2, "new", 3, 0), 3);
    char buf[8];
    w_set_rcvtimeo(s2, 5000);
    assert_int_equal(recv(s2, buf, 3, MSG_WAITALL), 3);
    assert_memory_equal(buf, "new", 3);
    closesocket(s2);
    closesocket(c2);
    closesocket(c);
  }
  assert_true(CloseHandle(port));
  if (wine)
    H_SKIP("known Wine difference: closesocket does not end a send "
           "another thread is blocked in; see docs/windows.md");
}

/* An abortive close (SO_LINGER {1, 0}) of a socket another thread is
 * blocked in recv on: that call ends, and the peer sees a reset, not the
 * graceful end (closesocket's page: "hard" close when l_linger is 0). */
static void abortive_close_under_a_blocked_receive_resets(void **state) {
  (void)state;
  if (h_on_wine())
    H_SKIP("known Wine difference: an abortive closesocket while another "
           "thread is blocked in recv on the socket ends the connection "
           "gracefully (Windows resets it); see docs/windows.md");
  for (int round = 0; round < 5; round++) {
    SOCKET s, c;
    w_pair(&s, &c);
    struct blocked b = {s, false, 0, 0};
    HANDLE t = CreateThread(NULL, 0, blocked_call, &b, 0, NULL);
    assert_non_null(t);
    Sleep(100); /* blocked by now */
    LINGER lg = {1, 0};
    assert_int_equal(
        setsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&lg, (int)sizeof(lg)), 0);
    assert_int_equal(closesocket(s), 0);
    assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
    CloseHandle(t);
    assert_int_equal(b.rc, SOCKET_ERROR);
    char buf[8];
    w_set_rcvtimeo(c, 5000);
    assert_int_equal(recv(c, buf, sizeof(buf), 0), SOCKET_ERROR);
    assert_int_equal(WSAGetLastError(), WSAECONNRESET);
    closesocket(c);
  }
}

/* "The newly created socket ... has the same properties as socket s"
 * (accept): a listener FIONBIO made non-blocking gives non-blocking
 * sockets, whose recv with nothing to read fails at once. */
static void accept_inherits_the_listeners_mode(void **state) {
  (void)state;
  struct sockaddr_in a;
  SOCKET l = w_listener(&a);
  u_long on = 1;
  assert_int_equal(ioctlsocket(l, (long)FIONBIO, &on), 0);
  SOCKET c = w_tcp();
  assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
  SOCKET s = INVALID_SOCKET;
  for (int i = 0; i < 500 && s == INVALID_SOCKET; i++) {
    s = accept(l, NULL, NULL);
    if (s == INVALID_SOCKET) {
      assert_int_equal(WSAGetLastError(), WSAEWOULDBLOCK);
      Sleep(10);
    }
  }
  assert_true(h_socket_ok(s));
  set_timeout(s, SO_RCVTIMEO, 3000); /* (bounds the old behaviour) */
  char buf[4];
  ULONGLONG t0 = w_now_ms();
  assert_int_equal(recv(s, buf, sizeof(buf), 0), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEWOULDBLOCK);
  assert_true(w_now_ms() - t0 < 1000);
  closesocket(s);
  closesocket(c);
  closesocket(l);
}

/* ------------------------------------------------------------------------ */
/* Blocking calls behind overlapped ones                                     */
/* ------------------------------------------------------------------------ */

#define MIXED_BIG (8 << 20)

struct reader {
  SOCKET s;
  char *got; /* MIXED_BIG + 16 bytes */
};

static DWORD WINAPI read_mixed(LPVOID arg) {
  struct reader *r = arg;
  Sleep(100); /* the overlapped send waits for room, the blocking one too */
  recv_all(r->s, r->got, MIXED_BIG + 16);
  return 0;
}

/* A blocking send while an overlapped WSASend waits for room: its bytes
 * follow the overlapped send's, as Windows queues it behind the send it
 * took first (they used to land between two of its chunks). On a socket
 * a port has. */
static void blocking_send_follows_pending_sends(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  w_set_rcvtimeo(cli, 10000);
  assert_ptr_equal(associate(srv, port), port);
  char *big = malloc(MIXED_BIG), *got = malloc(MIXED_BIG + 16);
  assert_non_null(big);
  assert_non_null(got);
  for (int i = 0; i < MIXED_BIG; i++)
    big[i] = (char)('a' + i % 23);
  WSABUF wb = {MIXED_BIG, big};
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  DWORD n = 0;
  int rc = WSASend(srv, &wb, 1, &n, 0, &ov, NULL);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  struct reader r = {cli, got};
  HANDLE t = CreateThread(NULL, 0, read_mixed, &r, 0, NULL);
  assert_non_null(t);
  char z[16];
  memset(z, 'Z', sizeof(z));
  assert_int_equal(send(srv, z, (int)sizeof(z), 0), (int)sizeof(z));
  assert_int_equal(WaitForSingleObject(t, 20000), WAIT_OBJECT_0);
  CloseHandle(t);
  assert_memory_equal(got, big, MIXED_BIG);
  assert_memory_equal(got + MIXED_BIG, z, sizeof(z));
  ULONG_PTR key = 0;
  OVERLAPPED *done = NULL;
  assert_true(w_next(port, &n, &key, &done, 5000));
  assert_ptr_equal(done, &ov);
  assert_int_equal(n, MIXED_BIG);
  free(big);
  free(got);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
}

struct blocked_recv {
  SOCKET s;
  char buf[4];
  int rc;
};

static DWORD WINAPI recv_four(LPVOID arg) {
  struct blocked_recv *b = arg;
  b->rc = recv(b->s, b->buf, 4, MSG_WAITALL);
  return 0;
}

/* Rounds of: an overlapped WSARecv (MSG_WAITALL, 4 bytes) pending, a
 * blocking recv of 4 on another thread, then (cancel_later) a second
 * WSARecv posted and cancelled; the peer sends AAAA, then BBBB. The
 * first bytes must go to the WSARecv posted first, the rest to the
 * recv. Rounds, as the order was a race. */
static void recv_behind_overlapped(int rounds, bool cancel_later) {
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(associate(srv, port), port);
  for (int round = 0; round < rounds; round++) {
    char a[4], c[4];
    WSABUF wa = {4, a}, wc = {4, c};
    OVERLAPPED oa, oc;
    memset(&oa, 0, sizeof(oa));
    memset(&oc, 0, sizeof(oc));
    DWORD n = 0, flags = MSG_WAITALL;
    int rc = WSARecv(srv, &wa, 1, &n, &flags, &oa, NULL);
    assert_true(rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING);
    struct blocked_recv b = {srv, {0}, 0};
    HANDLE t = CreateThread(NULL, 0, recv_four, &b, 0, NULL);
    assert_non_null(t);
    Sleep(20); /* it waits behind the first */
    ULONG_PTR key = 0;
    OVERLAPPED *done = NULL;
    if (cancel_later) {
      flags = 0;
      rc = WSARecv(srv, &wc, 1, &n, &flags, &oc, NULL);
      assert_true(rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING);
      assert_true(CancelIoEx((HANDLE)srv, &oc));
      assert_false(w_next(port, &n, &key, &done, 5000));
      assert_ptr_equal(done, &oc);
      Sleep(20); /* (the recv would pass now) */
    }
    assert_int_equal(send(cli, "AAAA", 4, 0), 4);
    Sleep(2);
    assert_int_equal(send(cli, "BBBB", 4, 0), 4);
    assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
    CloseHandle(t);
    assert_true(w_next(port, &n, &key, &done, 5000));
    assert_ptr_equal(done, &oa);
    assert_int_equal(n, 4);
    assert_memory_equal(a, "AAAA", 4);
    assert_int_equal(b.rc, 4);
    assert_memory_equal(b.buf, "BBBB", 4);
  }
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
}

/* A blocking recv made while an overlapped WSARecv is pending gets the
 * bytes after the overlapped one's, as Windows queues it behind the
 * receive posted first (it could take the first bytes). */
static void blocking_recv_follows_pending_receives(void **state) {
  (void)state;
  recv_behind_overlapped(20, false);
}

/* A WSARecv posted after a blocking recv and cancelled does not let the
 * recv pass the WSARecv posted before it. (A later op that left counted
 * as an earlier one.) */
static void a_cancelled_later_receive_keeps_the_order(void **state) {
  (void)state;
  recv_behind_overlapped(10, true);
}

/* A blocking recv queued behind a pending WSARecv is still a blocking
 * call: SO_RCVTIMEO ends it with WSAETIMEDOUT, and closesocket by another
 * thread ends it at once; the WSARecv then ends too. */
static void a_queued_recv_times_out_and_ends_at_close(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(associate(srv, port), port);
  char buf[4];
  WSABUF wb = {4, buf};
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  DWORD n = 0, flags = 0;
  int rc = WSARecv(srv, &wb, 1, &n, &flags, &ov, NULL);
  assert_true(rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING);
  set_timeout(srv, SO_RCVTIMEO, 200);
  ULONGLONG t0 = w_now_ms();
  char one[4];
  assert_int_equal(recv(srv, one, 4, 0), SOCKET_ERROR);
  assert_timed_out(t0);
  set_timeout(srv, SO_RCVTIMEO, 0);
  struct blocked b = {srv, false, 0, 0};
  close_under(&b, srv, NULL, NULL); /* (queued behind the WSARecv) */
  ULONG_PTR key = 0;
  OVERLAPPED *done = NULL;
  assert_false(GetQueuedCompletionStatus(port, &n, &key, &done, 5000));
  assert_ptr_equal(done, &ov);
  closesocket(cli);
  assert_true(CloseHandle(port));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(recv_times_out_with_wsaetimedout),
      cmocka_unit_test(wsarecv_without_overlapped_times_out),
      cmocka_unit_test(send_stops_at_sndtimeo),
      cmocka_unit_test(bool_options_take_a_char),
      cmocka_unit_test(sync_disconnect_reuse_then_acceptex),
      cmocka_unit_test(closed_receive_status_matches_internal),
      cmocka_unit_test(sync_transmitfile_from_the_file_position),
      cmocka_unit_test(closesocket_ends_blocked_calls),
      cmocka_unit_test(abortive_close_under_a_blocked_receive_resets),
      cmocka_unit_test(accept_inherits_the_listeners_mode),
      cmocka_unit_test(blocking_send_follows_pending_sends),
      cmocka_unit_test(blocking_recv_follows_pending_receives),
      cmocka_unit_test(a_queued_recv_times_out_and_ends_at_close),
      cmocka_unit_test(a_cancelled_later_receive_keeps_the_order),
#ifndef _WIN32
      cmocka_unit_test(ntstatus_and_msvc_names),
#endif
  };
  return W_RUN("win32-blocking", tests);
}
