/*
 * test-win32-progress.c - overlapped I/O finishes on its own, as Windows
 * finishes it: OVERLAPPED.Internal / InternalHigh are written when the op
 * ends whether or not a thread waits on the port (HasOverlappedIoCompleted
 * polling, the shutdown pattern of Microsoft's samples),
 * GetOverlappedResult waits from any thread, hEvent is signalled (and
 * with its low bit set no packet is queued), overlapped I/O works without
 * a port, taking a packet leaves its OVERLAPPED (already reused) alone,
 * a closed port handle is invalid, CancelIo cancels only the
 * calling thread's ops, and a worker that blocks in a wait gives its place
 * back to a port of concurrency 1. Written only against the Win32 API.
 */
#include "win32-util.h"

/* A connected pair whose server side is on `port` with key 7. */
static void pair_on(HANDLE port, SOCKET *srv, SOCKET *cli) {
  w_pair(srv, cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)*srv, port, 7, 0), port);
}

static int recv_on(SOCKET s, char *buf, ULONG len, OVERLAPPED *ov) {
  WSABUF wb = {len, buf};
  DWORD flags = 0, bytes = 0;
  memset(ov, 0, offsetof(OVERLAPPED, hEvent));
  return WSARecv(s, &wb, 1, &bytes, &flags, ov, NULL);
}

static void expect_pending(int rc) {
  assert_int_equal(rc, SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
}

/* ------------------------------------------------------------------------ */
/* The shutdown pattern                                                      */
/* ------------------------------------------------------------------------ */

static DWORD WINAPI worker(LPVOID arg) {
  HANDLE port = arg;
  for (;;) {
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *ov;
    BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &ov, INFINITE);
    if (ok && key == 0 && ov == NULL)
      return 0; /* the quit packet */
  }
}

/* Microsoft's samples: the workers leave, the listener (with an AcceptEx
 * pending) and a client (with a WSARecv pending) are closed, and the main
 * thread spins on HasOverlappedIoCompleted before freeing each context. */
static void shutdown_pattern_finishes_with_no_worker(void **state) {
  (void)state;
  if (h_on_wine())
    H_SKIP(W_WINE_CLOSE_LEAVES_OPS_PENDING);
  HANDLE port = w_port(0);
  HANDLE t[2];
  for (int i = 0; i < 2; i++)
    t[i] = CreateThread(NULL, 0, worker, port, 0, NULL);
  struct sockaddr_in la;
  SOCKET l = w_listener(&la), acc = w_tcp(), srv, cli;
  w_load_extensions(l);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)l, port, 1, 0), port);
  char out[2 * (sizeof(struct sockaddr_in6) + 16)];
  DWORD alen = sizeof(struct sockaddr_in6) + 16;
  OVERLAPPED aov, rov;
  memset(&aov, 0, sizeof(aov));
  assert_false(pAcceptEx(l, acc, out, 0, alen, alen, NULL, &aov));
  assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
  pair_on(port, &srv, &cli);
  char buf[16];
  memset(&rov, 0, sizeof(rov));
  expect_pending(recv_on(srv, buf, sizeof(buf), &rov));
  for (int i = 0; i < 2; i++)
    assert_true(PostQueuedCompletionStatus(port, 0, 0, NULL));
  assert_int_equal(WaitForMultipleObjects(2, t, TRUE, 5000), WAIT_OBJECT_0);
  closesocket(l);
  closesocket(srv);
  assert_true(w_spin_done(&aov, 5000));
  assert_true(w_spin_done(&rov, 5000));
  closesocket(acc);
  closesocket(cli);
  CloseHandle(t[0]);
  CloseHandle(t[1]);
  assert_true(CloseHandle(port));
}

/* ------------------------------------------------------------------------ */
/* Results with nobody on the port                                           */
/* ------------------------------------------------------------------------ */

struct result_waiter {
  SOCKET s;
  OVERLAPPED *ov;
  BOOL ok;
  DWORD bytes;
};

static DWORD WINAPI wait_result(LPVOID arg) {
  struct result_waiter *w = arg;
  w->ok = GetOverlappedResult((HANDLE)w->s, w->ov, &w->bytes, TRUE);
  return 0;
}

static void overlapped_result_from_another_thread(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  pair_on(port, &srv, &cli);
  char buf[16];
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  expect_pending(recv_on(srv, buf, sizeof(buf), &ov));
  DWORD n = 99, flags = 5;
  assert_false(GetOverlappedResult((HANDLE)srv, &ov, &n, FALSE));
  assert_int_equal(GetLastError(), ERROR_IO_INCOMPLETE);
  assert_false(WSAGetOverlappedResult(srv, &ov, &n, FALSE, &flags));
  assert_int_equal(WSAGetLastError(), WSA_IO_INCOMPLETE);
  struct result_waiter w = {srv, &ov, FALSE, 0};
  HANDLE t = CreateThread(NULL, 0, wait_result, &w, 0, NULL);
  Sleep(50);
  assert_int_equal(WaitForSingleObject(t, 0), WAIT_TIMEOUT);
  assert_int_equal(send(cli, "hello", 5, 0), 5);
  /* No thread is in GetQueuedCompletionStatus. */
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  CloseHandle(t);
  assert_true(w.ok);
  assert_int_equal(w.bytes, 5);
  assert_memory_equal(buf, "hello", 5);
  assert_true(WSAGetOverlappedResult(srv, &ov, &n, FALSE, &flags));
  assert_int_equal(n, 5);
  /* The packet is still queued. */
  DWORD bytes;
  ULONG_PTR key;
  OVERLAPPED *got;
  assert_true(w_next(port, &bytes, &key, &got, 1000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(bytes, 5);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
}

/* An ended op's result is what OVERLAPPED.Internal / InternalHigh say,
 * whoever wrote them: GetOverlappedResult gives the NTSTATUS's Win32
 * error (RtlNtStatusToDosError) and WSAGetOverlappedResult its Winsock
 * error, with the bytes, as for an OVERLAPPED whose packet a thread took.
 * A 0 means that side is not checked. */
static const struct {
  ULONG_PTR nt;
  DWORD win32;
  int wsa;
} ended_with[] = {
    {0xC000020Du, ERROR_NETNAME_DELETED, WSAECONNRESET},
    {0xC0000236u, ERROR_CONNECTION_REFUSED, WSAECONNREFUSED},
    {0xC0000241u, ERROR_CONNECTION_ABORTED, WSAECONNABORTED},
    {0xC0000120u, ERROR_OPERATION_ABORTED, WSA_OPERATION_ABORTED},
    {0xC00000B5u, ERROR_SEM_TIMEOUT, WSAETIMEDOUT},
    {0xC0000140u, ERROR_UNEXP_NET_ERR, WSAENOTCONN},
    {0xC00000B0u, ERROR_PIPE_NOT_CONNECTED, WSAESHUTDOWN},
    {0xC000023Cu, ERROR_NETWORK_UNREACHABLE, WSAENETUNREACH},
    {0xC000023Du, ERROR_HOST_UNREACHABLE, WSAEHOSTUNREACH},
    {0xC000013Cu, ERROR_NETNAME_DELETED, WSAECONNRESET},
    {0xC000020Cu, ERROR_NETNAME_DELETED, WSAECONNRESET},
    {0xC000013Bu, 0, WSAECONNABORTED},
    {0xC0000017u, ERROR_NOT_ENOUGH_MEMORY, WSAENOBUFS},
    {0xC0000022u, ERROR_ACCESS_DENIED, WSAEACCES},
    {0xC00000BBu, ERROR_NOT_SUPPORTED, WSAEOPNOTSUPP},
    {0xC000000Du, ERROR_INVALID_PARAMETER, WSAEINVAL},
    {0x80000005u, ERROR_MORE_DATA, WSAEMSGSIZE},
    {0xC000007Fu, ERROR_DISK_FULL, 0},
    {0xC0000011u, ERROR_HANDLE_EOF, 0},
};

static void overlapped_result_reads_any_ended_status(void **state) {
  (void)state;
  SOCKET s = w_tcp();
  bool wine_wrote = false;
  for (size_t i = 0; i < sizeof(ended_with) / sizeof(ended_with[0]); i++) {
    OVERLAPPED ov;
    memset(&ov, 0, sizeof(ov));
    ov.Internal = ended_with[i].nt;
    ov.InternalHigh = 5;
    DWORD n = 0, flags = 0;
    if (ended_with[i].win32 != 0) {
      SetLastError(0);
      if (GetOverlappedResult((HANDLE)s, &ov, &n, FALSE))
        fail_msg("status 0x%08lx: GetOverlappedResult succeeded",
                 (unsigned long)ended_with[i].nt);
      if (GetLastError() != ended_with[i].win32)
        fail_msg("status 0x%08lx: error %lu, Windows gives %lu",
                 (unsigned long)ended_with[i].nt, (unsigned long)GetLastError(),
                 (unsigned long)ended_with[i].win32);
      assert_int_equal(n, 5);
    }
    if (ended_with[i].wsa != 0) {
      n = 77; /* a failure leaves it (WSAGetOverlappedResult page) */
      WSASetLastError(0);
      if (WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags))
        fail_msg("status 0x%08lx: WSAGetOverlappedResult succeeded",
                 (unsigned long)ended_with[i].nt);
      if (WSAGetLastError() != ended_with[i].wsa)
        fail_msg("status 0x%08lx: WSA error %d, Windows gives %d",
                 (unsigned long)ended_with[i].nt, WSAGetLastError(),
                 ended_with[i].wsa);
      if (n != 77 && h_on_wine())
        wine_wrote = true;
      else
        assert_int_equal(n, 77);
    }
  }
  closesocket(s);
  if (wine_wrote)
    H_SKIP(W_WINE_WRITES_COUNT_ON_FAILURE);
}

/* GetOverlappedResultEx: a wait with a timeout. */
static void overlapped_result_ex_waits_up_to_a_timeout(void **state) {
  (void)state;
#if defined(_WIN32) && _WIN32_WINNT < 0x0602
  H_SKIP("GetOverlappedResultEx needs _WIN32_WINNT 0x0602; the tests build "
         "for 0x0601");
#else
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  pair_on(port, &srv, &cli);
  char buf[16];
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  expect_pending(recv_on(srv, buf, sizeof(buf), &ov));
  DWORD n = 0;
  assert_false(GetOverlappedResultEx((HANDLE)srv, &ov, &n, 0, FALSE));
  assert_int_equal(GetLastError(), ERROR_IO_INCOMPLETE);
  ULONGLONG t0 = w_now_ms();
  assert_false(GetOverlappedResultEx((HANDLE)srv, &ov, &n, 50, FALSE));
  assert_int_equal(GetLastError(), WAIT_TIMEOUT);
  assert_true(w_now_ms() - t0 >= 40);
  assert_int_equal(send(cli, "ok", 2, 0), 2);
  assert_true(GetOverlappedResultEx((HANDLE)srv, &ov, &n, 5000, FALSE));
  assert_int_equal(n, 2);
  DWORD bytes;
  ULONG_PTR key;
  OVERLAPPED *got;
  assert_true(w_next(port, &bytes, &key, &got, 1000));
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
#endif
}

static void receive_completes_while_nobody_waits(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  pair_on(port, &srv, &cli);
  char buf[16];
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  expect_pending(recv_on(srv, buf, sizeof(buf), &ov));
  assert_false(HasOverlappedIoCompleted(&ov));
  assert_int_equal(send(cli, "hello", 5, 0), 5);
  assert_true(w_spin_done(&ov, 5000));
  assert_int_equal(ov.InternalHigh, 5);
  assert_int_equal((DWORD)ov.Internal, 0); /* STATUS_SUCCESS */
  assert_memory_equal(buf, "hello", 5);
  DWORD bytes;
  ULONG_PTR key;
  OVERLAPPED *got;
  assert_true(w_next(port, &bytes, &key, &got, 1000));
  assert_ptr_equal(got, &ov);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
}

/* An ended op's OVERLAPPED may serve the next op before its packet is
 * taken (the packet carries its own status): taking the old, failed
 * packet must not write the next op's Internal. It did, with the old
 * status: the pending receive looked done. Both ways to take it. */
static void taking_a_packet_leaves_a_reused_overlapped_alone(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli, srv2, cli2;
  pair_on(port, &srv, &cli);
  pair_on(port, &srv2, &cli2);
  char buf[16];
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  for (int ex = 0; ex < 2; ex++) {
    expect_pending(recv_on(srv, buf, sizeof(buf), &ov));
    assert_true(CancelIoEx((HANDLE)srv, &ov));
    assert_true(w_spin_done(&ov, 5000));
    expect_pending(recv_on(srv2, buf, sizeof(buf), &ov)); /* reused */
    DWORD bytes = 9;
    ULONG_PTR key = 0;
    OVERLAPPED *got = NULL;
    if (ex) {
      OVERLAPPED_ENTRY e;
      ULONG n = 0;
      assert_true(GetQueuedCompletionStatusEx(port, &e, 1, &n, 5000, FALSE));
      assert_int_equal(n, 1);
      assert_int_equal((DWORD)e.Internal, 0xC0000120u); /* CANCELLED */
      got = e.lpOverlapped;
    } else {
      assert_false(GetQueuedCompletionStatus(port, &bytes, &key, &got, 5000));
      assert_int_equal(GetLastError(), ERROR_OPERATION_ABORTED);
    }
    assert_ptr_equal(got, &ov);
    assert_false(HasOverlappedIoCompleted(&ov)); /* STATUS_PENDING */
    assert_int_equal(send(cli2, "hi", 2, 0), 2);
    assert_true(w_next(port, &bytes, &key, &got, 5000));
    assert_ptr_equal(got, &ov);
    assert_int_equal(bytes, 2);
    assert_int_equal((DWORD)ov.Internal, 0);
  }
  closesocket(srv);
  closesocket(cli);
  closesocket(srv2);
  closesocket(cli2);
  assert_true(CloseHandle(port));
}

/* ------------------------------------------------------------------------ */
/* hEvent                                                                    */
/* ------------------------------------------------------------------------ */

static void event_signalled_and_low_bit_skips_the_packet(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  pair_on(port, &srv, &cli);
  HANDLE ev = CreateEvent(NULL, TRUE, TRUE, NULL);
  assert_non_null(ev);
  char buf[16];
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = ev;
  /* The call resets the event as it starts the op. */
  expect_pending(recv_on(srv, buf, sizeof(buf), &ov));
  assert_int_equal(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
  assert_int_equal(send(cli, "one", 3, 0), 3);
  assert_int_equal(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
  DWORD n = 0;
  assert_true(GetOverlappedResult((HANDLE)srv, &ov, &n, TRUE));
  assert_int_equal(n, 3);
  DWORD bytes;
  ULONG_PTR key;
  OVERLAPPED *got;
  assert_true(w_next(port, &bytes, &key, &got, 1000));
  assert_ptr_equal(got, &ov);
  /* Low bit set: the event is signalled, no packet is queued. */
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = (HANDLE)((ULONG_PTR)ev | 1);
  expect_pending(recv_on(srv, buf, sizeof(buf), &ov));
  assert_int_equal(send(cli, "two!", 4, 0), 4);
  assert_int_equal(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
  assert_true(GetOverlappedResult((HANDLE)srv, &ov, &n, FALSE));
  assert_int_equal(n, 4);
  w_expect_nothing(port, 100);
  /* Two ops, two events, WaitForMultipleObjects. */
  HANDLE e2 = CreateEvent(NULL, FALSE, FALSE, NULL);
  HANDLE both[2] = {ev, e2};
  OVERLAPPED o1, o2;
  char b2[16];
  memset(&o1, 0, sizeof(o1));
  memset(&o2, 0, sizeof(o2));
  o1.hEvent = ev;
  o2.hEvent = (HANDLE)((ULONG_PTR)e2 | 1);
  expect_pending(recv_on(srv, buf, 2, &o1));
  expect_pending(recv_on(srv, b2, 2, &o2));
  assert_int_equal(WaitForMultipleObjects(2, both, FALSE, 50), WAIT_TIMEOUT);
  assert_int_equal(send(cli, "abcd", 4, 0), 4);
  assert_int_equal(WaitForMultipleObjects(2, both, TRUE, 5000), WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(e2, 0), WAIT_TIMEOUT); /* auto-reset */
  assert_true(w_next(port, &bytes, &key, &got, 1000));
  assert_ptr_equal(got, &o1);
  w_expect_nothing(port, 50);
  assert_memory_equal(buf, "ab", 2);
  assert_memory_equal(b2, "cd", 2);
  closesocket(srv);
  closesocket(cli);
  CloseHandle(ev);
  CloseHandle(e2);
  assert_true(CloseHandle(port));
}

/* Windows lets a handle that is on no port do overlapped I/O: the caller
 * waits on the event, or in GetOverlappedResult. */
static void overlapped_io_without_a_port(void **state) {
  (void)state;
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  HANDLE ev = WSACreateEvent();
  assert_true(ev != WSA_INVALID_EVENT);
  char buf[16];
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = ev;
  int rc = recv_on(srv, buf, sizeof(buf), &ov);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  assert_int_equal(send(cli, "hey", 3, 0), 3);
  assert_int_equal(WSAWaitForMultipleEvents(1, &ev, TRUE, 5000, FALSE),
                   WSA_WAIT_EVENT_0);
  DWORD n = 0, flags = 0;
  assert_true(WSAGetOverlappedResult(srv, &ov, &n, FALSE, &flags));
  assert_int_equal(n, 3);
  assert_memory_equal(buf, "hey", 3);
  /* And a send, waited for in GetOverlappedResult. */
  WSABUF wb = {5, (char *)"world"};
  OVERLAPPED sov;
  memset(&sov, 0, sizeof(sov));
  rc = WSASend(cli, &wb, 1, NULL, 0, &sov, NULL);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  assert_true(GetOverlappedResult((HANDLE)cli, &sov, &n, TRUE));
  assert_int_equal(n, 5);
  closesocket(srv);
  closesocket(cli);
  assert_true(WSACloseEvent(ev));
}

/* ------------------------------------------------------------------------ */
/* Closed ports, CancelIo                                                    */
/* ------------------------------------------------------------------------ */

static void closed_port_handle_is_invalid(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  assert_true(CloseHandle(port));
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  OVERLAPPED *ov = (OVERLAPPED *)(uintptr_t)1;
  /* A call after the close finds no port: ERROR_INVALID_HANDLE (only a
   * thread waiting at the close gets ERROR_ABANDONED_WAIT_0). */
  assert_false(GetQueuedCompletionStatus(port, &bytes, &key, &ov, 0));
  assert_null(ov);
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  assert_false(PostQueuedCompletionStatus(port, 1, 2, NULL));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  OVERLAPPED_ENTRY e[2];
  ULONG n = 0;
  assert_false(GetQueuedCompletionStatusEx(port, e, 2, &n, 0, FALSE));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  assert_false(CloseHandle(port));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
}

static DWORD WINAPI wait_abandoned(LPVOID arg) {
  HANDLE port = arg;
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  OVERLAPPED *ov = (OVERLAPPED *)(uintptr_t)1;
  BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &ov, 10000);
  return !ok && ov == NULL && GetLastError() == ERROR_ABANDONED_WAIT_0 ? 1 : 0;
}

/* CloseHandle(port) with I/O pending on its handles: on Windows each
 * associated handle keeps the port alive, so the I/O finishes (results
 * in the OVERLAPPED, events signalled, a write reaches its file), later
 * ops on those handles run too, and only the threads that waited on the
 * port are let go (ERROR_ABANDONED_WAIT_0). */
static void closing_the_port_lets_pending_io_finish(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  pair_on(port, &srv, &cli);
  char path[260];
  w_temp_path(path, sizeof(path), "closed-port.bin");
  HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         CREATE_ALWAYS, FILE_FLAG_OVERLAPPED, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  assert_ptr_equal(CreateIoCompletionPort(f, port, 9, 0), port);
  HANDLE rev = CreateEventA(NULL, TRUE, FALSE, NULL);
  HANDLE wev = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(rev);
  assert_non_null(wev);
  char buf[16];
  OVERLAPPED rov, wov;
  memset(&rov, 0, sizeof(rov));
  rov.hEvent = rev;
  expect_pending(recv_on(srv, buf, sizeof(buf), &rov));
  enum { BIG = 1 << 20 };
  char *data = malloc(BIG);
  assert_non_null(data);
  for (int i = 0; i < BIG; i++)
    data[i] = (char)(i * 7 + 1);
  memset(&wov, 0, sizeof(wov));
  /* (No packet, so the waiting thread below finds the port empty.) */
  wov.hEvent = (HANDLE)((uintptr_t)wev | 1);
  BOOL wrote = WriteFile(f, data, BIG, NULL, &wov);
  assert_true(wrote || GetLastError() == ERROR_IO_PENDING);
  /* (Wine leaves a waiting thread waiting: closing_the_port_abandons_waiters
   * in test-win32.c skips there, with the reason.) */
  HANDLE t = NULL;
  if (!h_on_wine()) {
    t = CreateThread(NULL, 0, wait_abandoned, port, 0, NULL);
    assert_non_null(t);
    Sleep(100);
  }
  assert_true(CloseHandle(port));
  if (t != NULL) {
    assert_int_equal(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    DWORD code = 0;
    assert_true(GetExitCodeThread(t, &code));
    assert_int_equal(code, 1);
    CloseHandle(t);
  }

  /* The receive pending at the close completes when data comes. */
  assert_int_equal(send(cli, "after", 5, 0), 5);
  assert_int_equal(WaitForSingleObject(rev, 5000), WAIT_OBJECT_0);
  DWORD n = 0, flags = 0;
  assert_true(WSAGetOverlappedResult(srv, &rov, &n, FALSE, &flags));
  assert_int_equal(n, 5);
  assert_memory_equal(buf, "after", 5);
  assert_true(HasOverlappedIoCompleted(&rov));
  assert_int_equal((DWORD)rov.Internal, 0);
  /* The write lands whole, and so does one made after the close. */
  assert_true(GetOverlappedResult(f, &wov, &n, TRUE));
  assert_int_equal(n, BIG);
  assert_int_equal(WaitForSingleObject(wev, 0), WAIT_OBJECT_0);
  memset(&wov, 0, sizeof(wov));
  wov.Offset = BIG;
  wrote = WriteFile(f, data, 4096, NULL, &wov);
  assert_true(wrote || GetLastError() == ERROR_IO_PENDING);
  assert_true(GetOverlappedResult(f, &wov, &n, TRUE));
  assert_int_equal(n, 4096);
  /* A new op on a handle of the closed port runs as before. */
  memset(buf, 0, sizeof(buf));
  assert_true(ResetEvent(rev));
  int rc = recv_on(srv, buf, sizeof(buf), &rov);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  assert_int_equal(send(cli, "again", 5, 0), 5);
  assert_true(WSAGetOverlappedResult(srv, &rov, &n, TRUE, &flags));
  assert_int_equal(n, 5);
  assert_memory_equal(buf, "again", 5);
  /* One left pending ends when its socket is closed. */
  expect_pending(recv_on(srv, buf, sizeof(buf), &rov));
  assert_int_equal(closesocket(srv), 0);
  assert_int_equal(WaitForSingleObject(rev, 5000), WAIT_OBJECT_0);
  assert_false(WSAGetOverlappedResult(srv, &rov, &n, FALSE, &flags));
  assert_true(HasOverlappedIoCompleted(&rov));
  assert_true(CloseHandle(f));
  /* What the write put in the file. */
  f = CreateFileA(path, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  char *back = malloc(BIG);
  assert_non_null(back);
  DWORD got = 0;
  assert_true(ReadFile(f, back, BIG, &got, NULL));
  assert_int_equal(got, BIG);
  assert_memory_equal(back, data, BIG);
  assert_int_equal(GetFileSize(f, NULL), BIG + 4096);
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
  free(back);
  free(data);
  closesocket(cli);
  CloseHandle(rev);
  CloseHandle(wev);
}

struct canceller {
  SOCKET s;
  OVERLAPPED ov;
  char buf[8];
  HANDLE ready, go;
};

static DWORD WINAPI issue_then_cancel(LPVOID arg) {
  struct canceller *c = arg;
  expect_pending(recv_on(c->s, c->buf, sizeof(c->buf), &c->ov));
  SetEvent(c->ready);
  WaitForSingleObject(c->go, INFINITE);
  return CancelIo((HANDLE)c->s) ? 0 : 1;
}

static void cancel_io_cancels_only_the_callers_ops(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  struct canceller c;
  memset(&c, 0, sizeof(c));
  SOCKET cli;
  pair_on(port, &c.s, &cli);
  c.ready = CreateEvent(NULL, TRUE, FALSE, NULL);
  c.go = CreateEvent(NULL, TRUE, FALSE, NULL);
  HANDLE t = CreateThread(NULL, 0, issue_then_cancel, &c, 0, NULL);
  assert_int_equal(WaitForSingleObject(c.ready, 5000), WAIT_OBJECT_0);
  OVERLAPPED mine;
  char buf[8];
  memset(&mine, 0, sizeof(mine));
  expect_pending(recv_on(c.s, buf, sizeof(buf), &mine));
  assert_true(CancelIo((HANDLE)c.s));
  DWORD bytes;
  ULONG_PTR key;
  OVERLAPPED *got;
  assert_false(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &mine);
  assert_int_equal(GetLastError(), ERROR_OPERATION_ABORTED);
  Sleep(50);
  assert_false(HasOverlappedIoCompleted(&c.ov)); /* the other thread's */
  SetEvent(c.go);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  DWORD code = 9;
  GetExitCodeThread(t, &code);
  assert_int_equal(code, 0);
  assert_false(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &c.ov);
  assert_int_equal(GetLastError(), ERROR_OPERATION_ABORTED);
  CloseHandle(t);
  CloseHandle(c.ready);
  CloseHandle(c.go);
  closesocket(c.s);
  closesocket(cli);
  assert_true(CloseHandle(port));
}

/* ------------------------------------------------------------------------ */
/* A blocked worker gives its place back                                     */
/* ------------------------------------------------------------------------ */

enum block_kind {
  B_SLEEP,
  B_EVENT,
  B_CS,
  B_CONDVAR,
  B_SRW,
  B_WSAEVENT,
  B_RECV,
  B_KINDS
};
static const char *const block_names[] = {"Sleep",
                                          "WaitForSingleObject",
                                          "EnterCriticalSection",
                                          "SleepConditionVariableCS",
                                          "AcquireSRWLockExclusive",
                                          "WSAWaitForMultipleEvents",
                                          "recv"};

struct blocked {
  HANDLE port;
  enum block_kind kind;
  HANDLE ev;
  CRITICAL_SECTION cs;
  CONDITION_VARIABLE cv;
  SRWLOCK srw;
  SOCKET srv, cli;
  LONG released; /* main let the first handler go */
  LONG second_done;
  LONG second_while_blocked;
};

static void block(struct blocked *b) {
  char c;
  switch (b->kind) {
  case B_SLEEP:
    Sleep(1500);
    break;
  case B_EVENT:
    WaitForSingleObject(b->ev, 5000);
    break;
  case B_CS:
    EnterCriticalSection(&b->cs);
    LeaveCriticalSection(&b->cs);
    break;
  case B_CONDVAR:
    EnterCriticalSection(&b->cs);
    while (!InterlockedCompareExchange(&b->released, 1, 1))
      if (!SleepConditionVariableCS(&b->cv, &b->cs, 5000))
        break;
    LeaveCriticalSection(&b->cs);
    break;
  case B_SRW:
    AcquireSRWLockExclusive(&b->srw);
    ReleaseSRWLockExclusive(&b->srw);
    break;
  case B_WSAEVENT:
    WSAWaitForMultipleEvents(1, &b->ev, FALSE, 5000, FALSE);
    break;
  case B_RECV:
    recv(b->srv, &c, 1, 0);
    break;
  default:
    break;
  }
}

static DWORD WINAPI blocking_worker(LPVOID arg) {
  struct blocked *b = arg;
  for (;;) {
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *ov;
    if (!GetQueuedCompletionStatus(b->port, &bytes, &key, &ov, INFINITE))
      return 1;
    if (key == 0)
      return 0;
    if (key == 1) {
      block(b);
    } else {
      InterlockedExchange(&b->second_while_blocked,
                          InterlockedCompareExchange(&b->released, 0, 0) ? 0
                                                                         : 1);
      InterlockedExchange(&b->second_done, 1);
    }
  }
}

/* Lets the first handler go: the kind's way. */
static void release(struct blocked *b) {
  InterlockedExchange(&b->released, 1);
  switch (b->kind) {
  case B_EVENT:
  case B_WSAEVENT:
    SetEvent(b->ev);
    break;
  case B_CS:
    LeaveCriticalSection(&b->cs);
    break;
  case B_CONDVAR:
    EnterCriticalSection(&b->cs);
    WakeAllConditionVariable(&b->cv);
    LeaveCriticalSection(&b->cs);
    break;
  case B_SRW:
    ReleaseSRWLockExclusive(&b->srw);
    break;
  case B_RECV:
    send(b->cli, "x", 1, 0);
    break;
  default:
    break;
  }
}

/* With concurrency 1 a handler that blocks in one of the layer's waits
 * must not stall the port: Windows releases another waiting thread. */
static void blocked_worker_lets_the_port_release_another(void **state) {
  (void)state;
  for (int kind = 0; kind < B_KINDS; kind++) {
    struct blocked b;
    memset(&b, 0, sizeof(b));
    b.kind = (enum block_kind)kind;
    b.port = w_port(1);
    b.ev = CreateEvent(NULL, TRUE, FALSE, NULL);
    InitializeCriticalSection(&b.cs);
    InitializeConditionVariable(&b.cv);
    InitializeSRWLock(&b.srw);
    w_pair(&b.srv, &b.cli);
    if (kind == B_CS)
      EnterCriticalSection(&b.cs);
    if (kind == B_SRW)
      AcquireSRWLockExclusive(&b.srw);
    HANDLE t[2];
    for (int i = 0; i < 2; i++)
      t[i] = CreateThread(NULL, 0, blocking_worker, &b, 0, NULL);
    Sleep(50); /* both wait on the port */
    assert_true(PostQueuedCompletionStatus(b.port, 0, 1, NULL));
    Sleep(100); /* the first handler blocks */
    assert_true(PostQueuedCompletionStatus(b.port, 0, 2, NULL));
    ULONGLONG until = GetTickCount64() + 1000;
    while (!InterlockedCompareExchange(&b.second_done, 0, 0) &&
           GetTickCount64() < until)
      Sleep(5);
    LONG second = InterlockedCompareExchange(&b.second_while_blocked, 0, 0);
    release(&b);
    for (int i = 0; i < 2; i++)
      PostQueuedCompletionStatus(b.port, 0, 0, NULL);
    assert_int_equal(WaitForMultipleObjects(2, t, TRUE, 10000), WAIT_OBJECT_0);
    CloseHandle(t[0]);
    CloseHandle(t[1]);
    CloseHandle(b.ev);
    DeleteCriticalSection(&b.cs);
    closesocket(b.srv);
    closesocket(b.cli);
    assert_true(CloseHandle(b.port));
    if (!second)
      fail_msg("a worker blocked in %s kept the port (concurrency 1) from "
               "releasing another thread",
               block_names[kind]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(shutdown_pattern_finishes_with_no_worker),
      cmocka_unit_test(overlapped_result_from_another_thread),
      cmocka_unit_test(overlapped_result_reads_any_ended_status),
      cmocka_unit_test(overlapped_result_ex_waits_up_to_a_timeout),
      cmocka_unit_test(receive_completes_while_nobody_waits),
      cmocka_unit_test(taking_a_packet_leaves_a_reused_overlapped_alone),
      cmocka_unit_test(event_signalled_and_low_bit_skips_the_packet),
      cmocka_unit_test(overlapped_io_without_a_port),
      cmocka_unit_test(closed_port_handle_is_invalid),
      cmocka_unit_test(closing_the_port_lets_pending_io_finish),
      cmocka_unit_test(cancel_io_cancels_only_the_callers_ops),
      cmocka_unit_test(blocked_worker_lets_the_port_release_another),
  };
  return W_RUN("win32-progress", tests);
}
