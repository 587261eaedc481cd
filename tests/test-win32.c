/*
 * test-win32.c - the Win32 answers an IOCP server relies on, written only
 * against the Win32 API: built for Windows (run under Wine) and for Linux
 * against cport_win32.h (run on io_uring and on epoll), with the same
 * expectations. Known Wine differences skip with the reason.
 */
#include "win32-util.h"

/* ------------------------------------------------------------------------ */

static DWORD WINAPI set_error_thread(LPVOID arg) {
  (void)arg;
  SetLastError(1234);
  return GetLastError() == 1234 ? 0 : 1;
}

static void gqcs_answers(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  DWORD bytes = 77;
  ULONG_PTR key = 88;
  OVERLAPPED *ov = (OVERLAPPED *)(uintptr_t)0x99, mine;
  memset(&mine, 0, sizeof(mine));
  /* Timeout: FALSE, NULL overlapped, WAIT_TIMEOUT, the rest untouched. */
  assert_false(GetQueuedCompletionStatus(port, &bytes, &key, &ov, 0));
  assert_null(ov);
  assert_int_equal(GetLastError(), WAIT_TIMEOUT);
  assert_int_equal(bytes, 77);
  assert_int_equal(key, 88);
  /* Posts come back verbatim, a NULL overlapped too. */
  assert_true(PostQueuedCompletionStatus(port, 5, 9, &mine));
  assert_true(PostQueuedCompletionStatus(port, 6, 10, NULL));
  assert_true(w_next(port, &bytes, &key, &ov, 1000));
  assert_ptr_equal(ov, &mine);
  assert_int_equal(bytes, 5);
  assert_int_equal(key, 9);
  assert_true(w_next(port, &bytes, &key, &ov, 1000) || ov == NULL);
  assert_null(ov);
  assert_int_equal(key, 10);
  /* GetQueuedCompletionStatusEx, several at once, in order. */
  for (DWORD i = 0; i < 3; i++)
    assert_true(PostQueuedCompletionStatus(port, i, 100 + i, &mine));
  OVERLAPPED_ENTRY e[4];
  ULONG n = 0;
  assert_true(GetQueuedCompletionStatusEx(port, e, 4, &n, 1000, FALSE));
  assert_int_equal(n, 3);
  for (ULONG i = 0; i < n; i++)
    assert_int_equal(e[i].lpCompletionKey, 100 + i);
  /* Errors are per thread. */
  SetLastError(42);
  HANDLE t = CreateThread(NULL, 0, set_error_thread, NULL, 0, NULL);
  assert_int_equal(WaitForSingleObject(t, INFINITE), WAIT_OBJECT_0);
  DWORD code = 99;
  assert_true(GetExitCodeThread(t, &code));
  assert_int_equal(code, 0);
  assert_int_equal(GetLastError(), 42);
  CloseHandle(t);
  assert_true(CloseHandle(port));
  /* The concurrency value has no documented bound: MAXDWORD is a port. */
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0xFFFFFFFFu);
  assert_non_null(port);
  assert_true(PostQueuedCompletionStatus(port, 1, 2, NULL));
  assert_true(w_next(port, &bytes, &key, &ov, 1000) || ov == NULL);
  assert_int_equal(key, 2);
  assert_true(CloseHandle(port));
}

/* PostQueuedCompletionStatus neither uses nor validates its pointer: a
 * sentinel, a small number or a record of the program's own (whatever
 * its bytes) comes back as it went, TRUE, and is never read or written. */
static void posts_carry_any_pointer(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  union {
    OVERLAPPED ov;
    unsigned char raw[sizeof(OVERLAPPED) + 16];
  } rec, copy;
  memset(&rec, 0xFF, sizeof(rec)); /* every bit a tag could use */
  copy = rec;
  LPOVERLAPPED sent[3] = {(LPOVERLAPPED)(intptr_t)-1, (LPOVERLAPPED)1, &rec.ov};
  for (int i = 0; i < 3; i++)
    assert_true(PostQueuedCompletionStatus(port, 0, (ULONG_PTR)i, sent[i]));
  for (int i = 0; i < 3; i++) {
    DWORD bytes = 7;
    ULONG_PTR key = 99;
    LPOVERLAPPED ov = NULL;
    SetLastError(0);
    assert_true(GetQueuedCompletionStatus(port, &bytes, &key, &ov, 1000));
    assert_ptr_equal(ov, sent[i]);
    assert_int_equal(bytes, 0);
    assert_int_equal(key, i);
  }
  for (int i = 0; i < 3; i++)
    assert_true(PostQueuedCompletionStatus(port, 0, (ULONG_PTR)i, sent[i]));
  OVERLAPPED_ENTRY e[4];
  ULONG n = 0;
  assert_true(GetQueuedCompletionStatusEx(port, e, 4, &n, 1000, FALSE));
  assert_int_equal(n, 3);
  for (ULONG i = 0; i < n; i++) {
    assert_ptr_equal(e[i].lpOverlapped, sent[i]);
    assert_int_equal(e[i].lpCompletionKey, i);
    assert_int_equal(e[i].dwNumberOfBytesTransferred, 0);
#ifndef _WIN32
    /* Documented as reserved; cport writes a post's status, 0 (Wine
     * leaves other bits there). */
    assert_int_equal(e[i].Internal, 0);
#endif
  }
  assert_memory_equal(&rec, &copy, sizeof(rec));
  assert_true(CloseHandle(port));
}

/* A per-I/O record in the classic style: OVERLAPPED inside, and found
 * again with CONTAINING_RECORD. */
struct io {
  int opcode;
  OVERLAPPED ov;
  WSABUF wb[2];
  char a[8], b[16];
};

static void acceptex_connectex_echo(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  struct sockaddr_in la;
  SOCKET l = w_listener(&la);
  w_load_extensions(l);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)l, port, 1, 0), port);
  SOCKET acc = w_tcp(), cli = w_tcp();
  struct sockaddr_in any;
  memset(&any, 0, sizeof(any));
  any.sin_family = AF_INET;
  /* ConnectEx wants a bound socket. */
  OVERLAPPED cov;
  memset(&cov, 0, sizeof(cov));
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)cli, port, 2, 0), port);
  assert_false(
      pConnectEx(cli, (struct sockaddr *)&la, sizeof(la), NULL, 0, NULL, &cov));
  assert_int_equal(WSAGetLastError(), WSAEINVAL);
  assert_int_equal(bind(cli, (struct sockaddr *)&any, sizeof(any)), 0);

  char out[16 + 2 * (sizeof(struct sockaddr_in6) + 16)];
  DWORD alen = sizeof(struct sockaddr_in) + 16;
  OVERLAPPED aov;
  memset(&aov, 0, sizeof(aov));
  BOOL ok = pAcceptEx(l, acc, out, 16, alen, alen, NULL, &aov);
  assert_true(ok || WSAGetLastError() == WSA_IO_PENDING);
  ok = pConnectEx(cli, (struct sockaddr *)&la, sizeof(la), "hello", 5, NULL,
                  &cov);
  assert_true(ok || WSAGetLastError() == WSA_IO_PENDING);

  bool accepted = false, connected = false;
  for (int i = 0; i < 2; i++) {
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *ov;
    assert_true(w_next(port, &bytes, &key, &ov, 5000));
    if (ov == &aov) {
      assert_int_equal(key, 1); /* the listener's key */
      assert_int_equal(bytes, 5);
      assert_memory_equal(out, "hello", 5);
      accepted = true;
    } else {
      assert_ptr_equal(ov, &cov);
      assert_int_equal(key, 2);
      assert_int_equal(bytes, 5);
      connected = true;
    }
  }
  assert_true(accepted && connected);
  assert_int_equal(setsockopt(acc, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT,
                              (char *)&l, sizeof(l)),
                   0);
  assert_int_equal(
      setsockopt(cli, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0), 0);
  struct sockaddr *local, *remote;
  int llen = 0, rlen = 0;
  pGetAcceptExSockaddrs(out, 16, alen, alen, &local, &llen, &remote, &rlen);
  struct sockaddr_in ca;
  int calen = sizeof(ca);
  assert_int_equal(getsockname(cli, (struct sockaddr *)&ca, &calen), 0);
  assert_int_equal(llen, sizeof(struct sockaddr_in));
  assert_int_equal(((struct sockaddr_in *)local)->sin_port, la.sin_port);
  assert_int_equal(((struct sockaddr_in *)remote)->sin_port, ca.sin_port);

  /* The connection is in the very socket we created for AcceptEx. */
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)acc, port, 3, 0), port);
  struct io r, s;
  memset(&r, 0, sizeof(r));
  memset(&s, 0, sizeof(s));
  r.wb[0].buf = r.a;
  r.wb[0].len = 3;
  r.wb[1].buf = r.b;
  r.wb[1].len = sizeof(r.b);
  DWORD flags = 0, bytes;
  int rc = WSARecv(acc, r.wb, 2, &bytes, &flags, &r.ov, NULL);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  s.wb[0].buf = (char *)"abc";
  s.wb[0].len = 3;
  s.wb[1].buf = (char *)"defgh";
  s.wb[1].len = 5;
  rc = WSASend(cli, s.wb, 2, &bytes, 0, &s.ov, NULL);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  for (int i = 0; i < 2; i++) {
    ULONG_PTR key;
    OVERLAPPED *ov;
    assert_true(w_next(port, &bytes, &key, &ov, 5000));
    struct io *io = CONTAINING_RECORD(ov, struct io, ov);
    if (io == &r) {
      assert_int_equal(key, 3);
      assert_int_equal(bytes, 8);
      assert_memory_equal(r.a, "abc", 3);
      assert_memory_equal(r.b, "defgh", 5);
      assert_int_equal(r.ov.InternalHigh, 8);
      assert_true(HasOverlappedIoCompleted(&r.ov));
    } else {
      assert_ptr_equal(io, &s);
      assert_int_equal(bytes, 8);
    }
  }
  closesocket(acc);
  closesocket(cli);
  closesocket(l);
  assert_true(CloseHandle(port));
}

static void acceptex_checks_address_room(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  struct sockaddr_in la;
  SOCKET l = w_listener(&la), acc = w_tcp();
  w_load_extensions(l);
  CreateIoCompletionPort((HANDLE)l, port, 1, 0);
  char out[64];
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  /* Less than the largest address plus 16 bytes: refused, nothing posted. */
  BOOL ok = pAcceptEx(l, acc, out, 0, 8, 8, NULL, &ov);
  int err = WSAGetLastError();
  if (!ok && err == WSA_IO_PENDING && h_on_wine()) {
    CancelIoEx((HANDLE)l, &ov);
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *got;
    GetQueuedCompletionStatus(port, &bytes, &key, &got, 5000);
    closesocket(acc);
    closesocket(l);
    CloseHandle(port);
    H_SKIP("known Wine difference: AcceptEx takes address lengths below the "
           "documented minimum (16 bytes over the largest address); see "
           "docs/windows.md");
  }
  assert_false(ok);
  assert_true(err != WSA_IO_PENDING);
  w_expect_nothing(port, 50);
  closesocket(acc);
  closesocket(l);
  assert_true(CloseHandle(port));
}

static void errors_are_the_windows_ones(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  w_load_extensions(srv);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 7, 0), port);
  char buf[16];
  WSABUF wb = {sizeof(buf), buf};
  DWORD flags = 0, bytes = 0;
  ULONG_PTR key;
  OVERLAPPED ov, *got;
  /* CancelIoEx: ERROR_OPERATION_ABORTED. */
  memset(&ov, 0, sizeof(ov));
  int rc = WSARecv(srv, &wb, 1, &bytes, &flags, &ov, NULL);
  assert_true(rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING);
  assert_false(HasOverlappedIoCompleted(&ov));
  assert_true(CancelIoEx((HANDLE)srv, &ov));
  assert_false(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(GetLastError(), ERROR_OPERATION_ABORTED);
  /* Peer reset: ERROR_NETNAME_DELETED. */
  memset(&ov, 0, sizeof(ov));
  rc = WSARecv(srv, &wb, 1, &bytes, &flags, &ov, NULL);
  assert_true(rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING);
  struct linger lg = {1, 0};
  setsockopt(cli, SOL_SOCKET, SO_LINGER, (char *)&lg, sizeof(lg));
  closesocket(cli);
  assert_false(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(key, 7);
  assert_int_equal(GetLastError(), ERROR_NETNAME_DELETED);
  closesocket(srv);

  /* ConnectEx refused: ERROR_CONNECTION_REFUSED. */
  struct sockaddr_in a, any;
  SOCKET l = w_refusing(&a); /* bound, not listening: refused */
  SOCKET c = w_tcp();
  memset(&any, 0, sizeof(any));
  any.sin_family = AF_INET;
  assert_int_equal(bind(c, (struct sockaddr *)&any, sizeof(any)), 0);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)c, port, 8, 0), port);
  memset(&ov, 0, sizeof(ov));
  BOOL ok = pConnectEx(c, (struct sockaddr *)&a, sizeof(a), NULL, 0, NULL, &ov);
  assert_true(!ok && WSAGetLastError() == WSA_IO_PENDING);
  assert_false(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(GetLastError(), ERROR_CONNECTION_REFUSED);
  closesocket(c);
  closesocket(l);
  w_expect_nothing(port, 50);
  assert_true(CloseHandle(port));
}

static void failing_at_once_posts_nothing(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET s = w_tcp();
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)s, port, 1, 0), port);
  char buf[4] = "abc";
  WSABUF wb = {3, buf};
  DWORD bytes;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  int rc = WSASend(s, &wb, 1, &bytes, 0, &ov, NULL);
  int err = WSAGetLastError();
  assert_int_equal(rc, SOCKET_ERROR);
  assert_true(err != WSA_IO_PENDING);
  w_expect_nothing(port, 100);
  closesocket(s);
  assert_true(CloseHandle(port));
  if (err != WSAENOTCONN && h_on_wine())
    H_SKIP("known Wine difference: WSASend on an unconnected socket fails with "
           "%d, Windows documents WSAENOTCONN; see docs/windows.md",
           err);
  assert_int_equal(err, WSAENOTCONN);
}

static void skip_mode_completes_inline_without_a_packet(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 1, 0), port);
  assert_true(SetFileCompletionNotificationModes(
      (HANDLE)srv, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  assert_int_equal(send(cli, "now", 3, 0), 3);
  Sleep(50);
  char buf[8];
  WSABUF wb = {sizeof(buf), buf};
  DWORD flags = 0, bytes = 0;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  assert_int_equal(WSARecv(srv, &wb, 1, &bytes, &flags, &ov, NULL), 0);
  assert_int_equal(bytes, 3);
  assert_memory_equal(buf, "now", 3);
  w_expect_nothing(port, 100);
  /* Pending ops still come through the port. */
  memset(&ov, 0, sizeof(ov));
  int rc = WSARecv(srv, &wb, 1, &bytes, &flags, &ov, NULL);
  assert_true(rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING);
  assert_int_equal(send(cli, "later", 5, 0), 5);
  ULONG_PTR key;
  OVERLAPPED *got;
  assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(bytes, 5);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
}

static void udp_sendto_recvfrom(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET a =
      WSASocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
  SOCKET b =
      WSASocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
  struct sockaddr_in aa, ba;
  memset(&aa, 0, sizeof(aa));
  aa.sin_family = AF_INET;
  aa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ba = aa;
  assert_int_equal(bind(a, (struct sockaddr *)&aa, sizeof(aa)), 0);
  assert_int_equal(bind(b, (struct sockaddr *)&ba, sizeof(ba)), 0);
  int len = sizeof(aa);
  getsockname(a, (struct sockaddr *)&aa, &len);
  len = sizeof(ba);
  getsockname(b, (struct sockaddr *)&ba, &len);
  CreateIoCompletionPort((HANDLE)a, port, 1, 0);
  CreateIoCompletionPort((HANDLE)b, port, 2, 0);
  char buf[16];
  WSABUF rb = {sizeof(buf), buf}, sb = {4, (char *)"ping"};
  struct sockaddr_in from;
  int fromlen = sizeof(from);
  DWORD flags = 0, bytes;
  OVERLAPPED rov, sov;
  memset(&rov, 0, sizeof(rov));
  memset(&sov, 0, sizeof(sov));
  int rc = WSARecvFrom(b, &rb, 1, &bytes, &flags, (struct sockaddr *)&from,
                       &fromlen, &rov, NULL);
  assert_true(rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING);
  rc = WSASendTo(a, &sb, 1, &bytes, 0, (struct sockaddr *)&ba, sizeof(ba), &sov,
                 NULL);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  for (int i = 0; i < 2; i++) {
    ULONG_PTR key;
    OVERLAPPED *ov;
    assert_true(w_next(port, &bytes, &key, &ov, 5000));
    assert_int_equal(bytes, 4);
    if (ov == &rov) {
      assert_int_equal(key, 2);
      assert_memory_equal(buf, "ping", 4);
      assert_int_equal(fromlen, sizeof(struct sockaddr_in));
      assert_int_equal(from.sin_port, aa.sin_port);
    }
  }
  closesocket(a);
  closesocket(b);
  assert_true(CloseHandle(port));
}

static void transmitfile_head_file_tail(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  char path[512];
  w_temp_path(path, sizeof(path), "w32-tf");
  HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  DWORD n;
  assert_true(WriteFile(f, "0123456789", 10, &n, NULL));
  CloseHandle(f);
  f = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                  FILE_FLAG_OVERLAPPED, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  w_load_extensions(srv);
  CreateIoCompletionPort((HANDLE)srv, port, 4, 0);
  TRANSMIT_FILE_BUFFERS tfb = {(void *)"HEAD:", 5, (void *)":TAIL", 5};
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  BOOL ok = pTransmitFile(srv, f, 0, 0, &ov, &tfb, TF_DISCONNECT);
  assert_true(ok || WSAGetLastError() == WSA_IO_PENDING);
  DWORD bytes;
  ULONG_PTR key;
  OVERLAPPED *got;
  assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(bytes, 20);
  char buf[64];
  int total = 0, r = 0;
  while (total < 20 && (r = recv(cli, buf + total, 20 - total, 0)) > 0)
    total += r;
  assert_int_equal(total, 20);
  assert_memory_equal(buf, "HEAD:0123456789:TAIL", 20);
  /* TF_DISCONNECT: then the end of the stream. */
#if defined(_WIN32)
  DWORD tmo = 3000;
#else
  struct timeval tmo = {3, 0};
#endif
  setsockopt(cli, SOL_SOCKET, SO_RCVTIMEO, (char *)&tmo, sizeof(tmo));
  r = recv(cli, buf, sizeof(buf), 0);
  CloseHandle(f);
  closesocket(srv);
  closesocket(cli);
  assert_true(DeleteFileA(path));
  assert_true(CloseHandle(port));
  if (r != 0 && h_on_wine())
    H_SKIP("known Wine difference: TransmitFile's TF_DISCONNECT does not "
           "disconnect; see docs/windows.md");
  assert_int_equal(r, 0);
}

static void readfile_writefile_at_offsets(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  char path[512];
  w_temp_path(path, sizeof(path), "w32-rw");
  HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         CREATE_ALWAYS, FILE_FLAG_OVERLAPPED, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  assert_ptr_equal(CreateIoCompletionPort(f, port, 5, 0), port);
  DWORD offs[] = {4095, 1u << 20};
  DWORD bytes;
  ULONG_PTR key;
  OVERLAPPED ov, *got;
  for (int i = 0; i < 2; i++) {
    memset(&ov, 0, sizeof(ov));
    ov.Offset = offs[i];
    BOOL ok = WriteFile(f, "abcdefgh", 8, NULL, &ov);
    assert_true(ok || GetLastError() == ERROR_IO_PENDING);
    assert_true(w_next(port, &bytes, &key, &got, 5000));
    assert_int_equal(key, 5);
    assert_int_equal(bytes, 8);
  }
  char buf[8];
  memset(&ov, 0, sizeof(ov));
  ov.Offset = offs[1] + 2;
  BOOL ok = ReadFile(f, buf, 8, NULL, &ov);
  assert_true(ok || GetLastError() == ERROR_IO_PENDING);
  assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_int_equal(bytes, 6); /* a short read at the end */
  assert_memory_equal(buf, "cdefgh", 6);
  /* At the end of the file: ERROR_HANDLE_EOF, at once or through the port. */
  memset(&ov, 0, sizeof(ov));
  ov.Offset = offs[1] + 8;
  ok = ReadFile(f, buf, 8, NULL, &ov);
  assert_false(ok);
  if (GetLastError() == ERROR_IO_PENDING) {
    assert_false(w_next(port, &bytes, &key, &got, 5000));
    assert_ptr_equal(got, &ov);
  }
  assert_int_equal(GetLastError(), ERROR_HANDLE_EOF);
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
  w_expect_nothing(port, 50);
  assert_true(CloseHandle(port));
}

/* ------------------------------------------------------------------------ */
/* The worker-pool pattern                                                   */
/* ------------------------------------------------------------------------ */

struct pool {
  HANDLE port;
  CRITICAL_SECTION cs;
  LONG handled;
  long long sum;
};

static DWORD WINAPI pool_worker(LPVOID arg) {
  struct pool *pl = arg;
  for (;;) {
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *ov;
    if (!GetQueuedCompletionStatus(pl->port, &bytes, &key, &ov, INFINITE))
      return 1;
    if (ov == NULL && key == 0)
      return 0; /* the quit packet */
    InterlockedIncrement(&pl->handled);
    EnterCriticalSection(&pl->cs);
    pl->sum += (long long)key;
    LeaveCriticalSection(&pl->cs);
  }
}

static void worker_pool_pattern(void **state) {
  (void)state;
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  assert_true(si.dwNumberOfProcessors >= 1);
  struct pool pl;
  memset(&pl, 0, sizeof(pl));
  pl.port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0,
                                   si.dwNumberOfProcessors);
  InitializeCriticalSection(&pl.cs);
  enum { WORKERS = 4, PACKETS = 1000 };
  HANDLE t[WORKERS];
  for (int i = 0; i < WORKERS; i++) {
    t[i] = CreateThread(NULL, 0, pool_worker, &pl, 0, NULL);
    assert_non_null(t[i]);
  }
  ULONGLONG t0 = GetTickCount64();
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  for (int i = 1; i <= PACKETS; i++)
    assert_true(PostQueuedCompletionStatus(pl.port, 0, (ULONG_PTR)i, &ov));
  for (int i = 0; i < WORKERS; i++)
    assert_true(PostQueuedCompletionStatus(pl.port, 0, 0, NULL));
  assert_int_equal(WaitForMultipleObjects(WORKERS, t, TRUE, INFINITE),
                   WAIT_OBJECT_0);
  for (int i = 0; i < WORKERS; i++) {
    DWORD code = 99;
    assert_true(GetExitCodeThread(t[i], &code));
    assert_int_equal(code, 0);
    assert_true(CloseHandle(t[i]));
  }
  assert_int_equal(pl.handled, PACKETS);
  assert_true(pl.sum == (long long)PACKETS * (PACKETS + 1) / 2);
  Sleep(20);
  assert_true(GetTickCount64() - t0 >= 19);
  assert_int_equal(InterlockedCompareExchange(&pl.handled, 5, PACKETS),
                   PACKETS);
  assert_int_equal(InterlockedExchange(&pl.handled, 7), 5);
  assert_int_equal(InterlockedExchangeAdd(&pl.handled, 3), 7);
  assert_int_equal(InterlockedDecrement(&pl.handled), 9);
  DeleteCriticalSection(&pl.cs);
  assert_true(CloseHandle(pl.port));
}

struct closer {
  HANDLE port;
  BOOL ok;
  DWORD err;
  OVERLAPPED *ov;
};

static DWORD WINAPI wait_on_port(LPVOID arg) {
  struct closer *c = arg;
  DWORD bytes;
  ULONG_PTR key;
  c->ov = (OVERLAPPED *)(uintptr_t)1;
  c->ok = GetQueuedCompletionStatus(c->port, &bytes, &key, &c->ov, INFINITE);
  c->err = GetLastError();
  return 0;
}

static void closing_the_port_abandons_waiters(void **state) {
  (void)state;
  if (h_on_wine())
    H_SKIP("known Wine difference: closing a port does not wake a thread in "
           "GetQueuedCompletionStatus (Windows: ERROR_ABANDONED_WAIT_0); see "
           "docs/windows.md");
  struct closer c;
  memset(&c, 0, sizeof(c));
  c.port = w_port(0);
  HANDLE t = CreateThread(NULL, 0, wait_on_port, &c, 0, NULL);
  Sleep(100);
  assert_true(CloseHandle(c.port));
  assert_int_equal(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
  CloseHandle(t);
  assert_false(c.ok);
  assert_null(c.ov);
  assert_int_equal(c.err, ERROR_ABANDONED_WAIT_0);
}

static void local_close_aborts_pending_receive(void **state) {
  (void)state;
  if (h_on_wine())
    H_SKIP("known Wine difference: closesocket leaves overlapped receives "
           "pending forever (Windows completes them with "
           "ERROR_CONNECTION_ABORTED); see docs/windows.md");
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  CreateIoCompletionPort((HANDLE)srv, port, 1, 0);
  char buf[8];
  WSABUF wb = {sizeof(buf), buf};
  DWORD flags = 0, bytes;
  ULONG_PTR key;
  OVERLAPPED ov, *got;
  memset(&ov, 0, sizeof(ov));
  int rc = WSARecv(srv, &wb, 1, &bytes, &flags, &ov, NULL);
  assert_true(rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING);
  closesocket(srv);
  assert_false(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(GetLastError(), ERROR_CONNECTION_ABORTED);
  /* A closed listener under AcceptEx: ERROR_OPERATION_ABORTED. */
  struct sockaddr_in a;
  SOCKET l = w_listener(&a), acc = w_tcp();
  w_load_extensions(l);
  CreateIoCompletionPort((HANDLE)l, port, 2, 0);
  char out[2 * (sizeof(struct sockaddr_in6) + 16)];
  DWORD alen = sizeof(struct sockaddr_in6) + 16;
  memset(&ov, 0, sizeof(ov));
  BOOL ok = pAcceptEx(l, acc, out, 0, alen, alen, NULL, &ov);
  assert_true(!ok && WSAGetLastError() == WSA_IO_PENDING);
  closesocket(l);
  assert_false(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(GetLastError(), ERROR_OPERATION_ABORTED);
  closesocket(acc);
  closesocket(cli);
  assert_true(CloseHandle(port));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(gqcs_answers),
      cmocka_unit_test(posts_carry_any_pointer),
      cmocka_unit_test(acceptex_connectex_echo),
      cmocka_unit_test(acceptex_checks_address_room),
      cmocka_unit_test(errors_are_the_windows_ones),
      cmocka_unit_test(failing_at_once_posts_nothing),
      cmocka_unit_test(skip_mode_completes_inline_without_a_packet),
      cmocka_unit_test(udp_sendto_recvfrom),
      cmocka_unit_test(transmitfile_head_file_tail),
      cmocka_unit_test(readfile_writefile_at_offsets),
      cmocka_unit_test(worker_pool_pattern),
      cmocka_unit_test(closing_the_port_abandons_waiters),
      cmocka_unit_test(local_close_aborts_pending_receive),
  };
  return W_RUN("win32", tests);
}
