/*
 * test-win32-io-corners.c - more corners Microsoft's pages describe,
 * written only against the Win32 API (real Winsock on Windows, the layer
 * on Linux): an overlapped WSARecv with MSG_WAITALL, socket options that
 * read back as they were set, a cached file read ending in the call,
 * DisconnectEx(TF_REUSE_SOCKET) on a connection both ends closed, a
 * socket joining a port after event-driven I/O, the NTSTATUS a failed
 * op leaves in Internal as it ends, a file or pipe handle signalled
 * as its I/O ends, and sends and receives of many WSABUFs. Known
 * Wine differences skip with the reason.
 */
#include <stdlib.h>

#include "win32-util.h"

/* ------------------------------------------------------------------------ */
/* Overlapped MSG_WAITALL                                                     */
/* ------------------------------------------------------------------------ */

static int recv_flags(SOCKET s, WSABUF *wb, DWORD n, DWORD flags,
                      OVERLAPPED *ov) {
  DWORD bytes = 0;
  memset(ov, 0, sizeof(*ov));
  return WSARecv(s, wb, n, &bytes, &flags, ov, NULL);
}

static void expect_started(int rc) {
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
}

/* WSARecv's page: with MSG_WAITALL "the receive request will complete
 * only when ... the buffer supplied by the caller is completely full; the
 * connection has been closed; the request has been canceled or an error
 * occurred"; with MSG_PEEK (or MSG_OOB, MSG_PARTIAL), or on a datagram
 * socket, the call fails with WSAEOPNOTSUPP. */
static void overlapped_waitall_receive(void **state) {
  (void)state;
  if (h_on_wine())
    H_SKIP("known Wine difference: an overlapped WSARecv with MSG_WAITALL "
           "completes with the first bytes (Windows waits until the buffers "
           "are full); see docs/windows.md");
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 3, 0), port);
  char a[4], b[4], c[16];
  WSABUF two[2] = {{sizeof(a), a}, {sizeof(b), b}};
  WSABUF one = {sizeof(c), c};
  OVERLAPPED ov1, ov2, *got;
  DWORD n = 0;
  ULONG_PTR key = 0;
  /* Two buffers filled in three pieces; a plain receive posted behind it
   * gets what comes after. */
  expect_started(recv_flags(srv, two, 2, MSG_WAITALL, &ov1));
  expect_started(recv_flags(srv, &one, 1, 0, &ov2));
  assert_int_equal(send(cli, "123", 3, 0), 3);
  w_expect_nothing(port, 100);
  assert_false(HasOverlappedIoCompleted(&ov1));
  assert_int_equal(send(cli, "45", 2, 0), 2);
  w_expect_nothing(port, 100);
  assert_int_equal(send(cli, "678xyz", 6, 0), 6);
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov1);
  assert_int_equal(n, 8);
  assert_memory_equal(a, "1234", 4);
  assert_memory_equal(b, "5678", 4);
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov2);
  assert_int_equal(n, 3);
  assert_memory_equal(c, "xyz", 3);
  /* The peer's end completes it with what came. */
  expect_started(recv_flags(srv, &one, 1, MSG_WAITALL, &ov1));
  assert_int_equal(send(cli, "ab", 2, 0), 2);
  w_expect_nothing(port, 100);
  assert_int_equal(shutdown(cli, SD_SEND), 0);
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov1);
  assert_int_equal(n, 2);
  assert_memory_equal(c, "ab", 2);
  /* Refused combinations, and a datagram socket. */
  DWORD flags = MSG_WAITALL | MSG_PEEK, bytes = 0;
  memset(&ov1, 0, sizeof(ov1));
  assert_int_equal(WSARecv(srv, &one, 1, &bytes, &flags, &ov1, NULL),
                   SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEOPNOTSUPP);
  struct sockaddr_in ua;
  SOCKET u = w_udp(&ua);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)u, port, 4, 0), port);
  flags = MSG_WAITALL;
  memset(&ov1, 0, sizeof(ov1));
  assert_int_equal(WSARecv(u, &one, 1, &bytes, &flags, &ov1, NULL),
                   SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEOPNOTSUPP);
  w_expect_nothing(port, 50);
  closesocket(u);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
}

/* ------------------------------------------------------------------------ */
/* Options read back                                                         */
/* ------------------------------------------------------------------------ */

static DWORD get_dword(SOCKET s, int name) {
  DWORD v = 0xDEADBEEF;
  int len = (int)sizeof(v);
  assert_int_equal(getsockopt(s, SOL_SOCKET, name, (char *)&v, &len), 0);
  assert_int_equal(len, (int)sizeof(v));
  return v;
}

static void set_dword(SOCKET s, int name, DWORD v) {
  assert_int_equal(
      setsockopt(s, SOL_SOCKET, name, (const char *)&v, (int)sizeof(v)), 0);
}

/* getsockopt gives what setsockopt set: SO_EXCLUSIVEADDRUSE's 0 or 1, and
 * the buffer sizes a server chose (Linux keeps twice the size asked). */
static void options_read_back_as_set(void **state) {
  (void)state;
  SOCKET s = w_tcp();
  assert_int_equal(get_dword(s, SO_EXCLUSIVEADDRUSE), 0);
  set_dword(s, SO_EXCLUSIVEADDRUSE, 1);
  assert_int_equal(get_dword(s, SO_EXCLUSIVEADDRUSE), 1);
  set_dword(s, SO_EXCLUSIVEADDRUSE, 0);
  assert_int_equal(get_dword(s, SO_EXCLUSIVEADDRUSE), 0);
  set_dword(s, SO_RCVBUF, 65536);
  assert_int_equal(get_dword(s, SO_RCVBUF), 65536);
  set_dword(s, SO_SNDBUF, 32768);
  assert_int_equal(get_dword(s, SO_SNDBUF), 32768);
  closesocket(s);
  struct sockaddr_in ua;
  SOCKET u = w_udp(&ua);
  set_dword(u, SO_RCVBUF, 131072); /* (below Linux's default cap) */
  assert_int_equal(get_dword(u, SO_RCVBUF), 131072);
  closesocket(u);
}

/* ------------------------------------------------------------------------ */
/* A cached read                                                             */
/* ------------------------------------------------------------------------ */

/* An overlapped ReadFile the page cache can answer may end in the call
 * (Windows' cached reads do): with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
 * it returns TRUE with its bytes and queues nothing; a pending one (a
 * read the cache could not answer) queues its packet. Either way the
 * bytes are right, and exactly one of the two happens. A read at the
 * end of the file reports ERROR_HANDLE_EOF. */
static void cached_read_may_end_in_the_call(void **state) {
  (void)state;
  char path[260];
  w_temp_path(path, sizeof(path), "corners-cached");
  HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         CREATE_ALWAYS, FILE_FLAG_OVERLAPPED, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  enum { SIZE = 64 * 1024 };
  static char data[SIZE], back[SIZE];
  for (int i = 0; i < SIZE; i++)
    data[i] = (char)(i * 13 + 5);
  HANDLE port = w_port(0);
  assert_ptr_equal(CreateIoCompletionPort(f, port, 6, 0), port);
  assert_true(SetFileCompletionNotificationModes(
      f, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  OVERLAPPED ov, *got;
  DWORD n = 0;
  ULONG_PTR key = 0;
  memset(&ov, 0, sizeof(ov));
  BOOL ok = WriteFile(f, data, SIZE, &n, &ov);
  if (!ok) {
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
    assert_true(w_next(port, &n, &key, &got, 5000));
    assert_ptr_equal(got, &ov);
  }
  assert_int_equal(n, SIZE);
  int inline_reads = 0;
  for (int round = 0; round < 8; round++) {
    DWORD off = (DWORD)(round * 4096 + 100);
    memset(&ov, 0, sizeof(ov));
    ov.Offset = off;
    memset(back, 0, sizeof(back));
    n = 0;
    ok = ReadFile(f, back, 8192, &n, &ov);
    if (ok) {
      inline_reads++;
    } else {
      assert_int_equal(GetLastError(), ERROR_IO_PENDING);
      assert_true(w_next(port, &n, &key, &got, 5000));
      assert_ptr_equal(got, &ov);
    }
    assert_int_equal(n, 8192);
    assert_memory_equal(back, data + off, 8192);
  }
  /* A read across the end gets the bytes up to it. */
  memset(&ov, 0, sizeof(ov));
  ov.Offset = SIZE - 300;
  n = 0;
  ok = ReadFile(f, back, 4096, &n, &ov);
  if (!ok) {
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
    assert_true(w_next(port, &n, &key, &got, 5000));
  }
  assert_int_equal(n, 300);
  assert_memory_equal(back, data + SIZE - 300, 300);
  /* At the end: ERROR_HANDLE_EOF, in the call or through the port. */
  memset(&ov, 0, sizeof(ov));
  ov.Offset = SIZE;
  ok = ReadFile(f, back, 4096, &n, &ov);
  assert_false(ok);
  if (GetLastError() == ERROR_IO_PENDING) {
    assert_false(w_next(port, &n, &key, &got, 5000));
    assert_ptr_equal(got, &ov);
  }
  assert_int_equal(GetLastError(), ERROR_HANDLE_EOF);
  w_expect_nothing(port, 50);
  print_message("cached reads that ended in the call: %d of 8\n", inline_reads);
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
  assert_true(CloseHandle(port));
}

/* ------------------------------------------------------------------------ */
/* DisconnectEx on a connection that ended both ways                          */
/* ------------------------------------------------------------------------ */

/* Both ends shut their sending side (FINs both ways), on the side whose FIN
 * went first and on the other: DisconnectEx with TF_REUSE_SOCKET has
 * nothing left to disconnect and completes, so the socket can be reused
 * (DisconnectEx's page allows WSAENOTCONN only without TF_REUSE_SOCKET);
 * a socket never connected fails with WSAENOTCONN. */
static void disconnectex_reuse_after_both_ends_closed(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  for (int first = 0; first < 2; first++) {
    SOCKET s, c;
    w_pair(&s, &c);
    w_load_extensions(s);
    char b;
    assert_int_equal(shutdown(s, SD_SEND), 0);
    assert_int_equal(recv(c, &b, 1, 0), 0);
    assert_int_equal(shutdown(c, SD_SEND), 0);
    assert_int_equal(recv(s, &b, 1, 0), 0);
    Sleep(50);
    SOCKET d = first == 0 ? s : c;
    assert_ptr_equal(CreateIoCompletionPort((HANDLE)d, port, 8, 0), port);
    OVERLAPPED ov, *got;
    memset(&ov, 0, sizeof(ov));
    BOOL ok = pDisconnectEx(d, &ov, TF_REUSE_SOCKET, 0);
    assert_true(ok || WSAGetLastError() == WSA_IO_PENDING);
    DWORD n = 0;
    ULONG_PTR key = 0;
    assert_true(w_next(port, &n, &key, &got, 5000));
    assert_ptr_equal(got, &ov);
    closesocket(s);
    closesocket(c);
  }
  SOCKET u = w_tcp();
  w_load_extensions(u);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)u, port, 9, 0), port);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  assert_false(pDisconnectEx(u, &ov, TF_REUSE_SOCKET, 0));
  assert_int_equal(WSAGetLastError(), WSAENOTCONN);
  w_expect_nothing(port, 50);
  closesocket(u);
  assert_true(CloseHandle(port));
}

/* ------------------------------------------------------------------------ */
/* A socket joins a port after event-driven I/O                              */
/* ------------------------------------------------------------------------ */

/* Overlapped I/O with an event on a socket no port has, then
 * CreateIoCompletionPort: Windows lets a handle join a port later, and
 * its next ops complete through the port. */
static void socket_joins_a_port_after_event_io(void **state) {
  (void)state;
  SOCKET s, c;
  w_pair(&s, &c);
  HANDLE ev = WSACreateEvent();
  assert_true(ev != WSA_INVALID_EVENT);
  char buf[16];
  WSABUF wb = {sizeof(buf), buf};
  DWORD flags = 0, n = 0;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = ev;
  int rc = WSARecv(s, &wb, 1, &n, &flags, &ov, NULL);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  assert_int_equal(send(c, "one", 3, 0), 3);
  assert_true(WSAGetOverlappedResult(s, &ov, &n, TRUE, &flags));
  assert_int_equal(n, 3);
  assert_memory_equal(buf, "one", 3);
  HANDLE port = w_port(0);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)s, port, 10, 0), port);
  memset(&ov, 0, sizeof(ov));
  rc = WSARecv(s, &wb, 1, &n, &flags, &ov, NULL);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  assert_int_equal(send(c, "two", 3, 0), 3);
  OVERLAPPED *got;
  ULONG_PTR key = 0;
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(key, 10);
  assert_int_equal(n, 3);
  assert_memory_equal(buf, "two", 3);
  closesocket(s);
  closesocket(c);
  WSACloseEvent(ev);
  assert_true(CloseHandle(port));
}

/* ------------------------------------------------------------------------ */
/* Internal as the op ends                                                   */
/* ------------------------------------------------------------------------ */

/* OVERLAPPED's page: Internal is "the status code for the I/O request",
 * an NTSTATUS, written when the request completes; the kernel writes it
 * whether or not any thread takes the packet, and when no packet comes
 * at all (an event, no port). Checked before anything takes the packet. */
static void failed_op_leaves_an_ntstatus(void **state) {
  (void)state;
  char buf[8];
  WSABUF wb = {sizeof(buf), buf};
  DWORD n = 0, flags = 0;
  /* No port, an event: cancelled, STATUS_CANCELLED. */
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  int rc = WSARecv(srv, &wb, 1, &n, &flags, &ov, NULL);
  assert_true(rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING);
  assert_true(CancelIoEx((HANDLE)srv, &ov));
  assert_int_equal(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
  assert_int_equal((DWORD)ov.Internal, 0xC0000120u); /* STATUS_CANCELLED */
  assert_false(GetOverlappedResult((HANDLE)srv, &ov, &n, FALSE));
  assert_int_equal(GetLastError(), ERROR_OPERATION_ABORTED);
  assert_false(WSAGetOverlappedResult(srv, &ov, &n, FALSE, &flags));
  assert_int_equal(WSAGetLastError(), WSA_OPERATION_ABORTED);
  WSACloseEvent(ov.hEvent);
  /* Through a port, the packet not taken yet: the peer resets,
   * STATUS_CONNECTION_RESET; the packet then says the same. */
  HANDLE port = w_port(0);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 3, 0), port);
  memset(&ov, 0, sizeof(ov));
  rc = WSARecv(srv, &wb, 1, &n, &flags, &ov, NULL);
  assert_true(rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING);
  struct linger lg = {1, 0};
  assert_int_equal(
      setsockopt(cli, SOL_SOCKET, SO_LINGER, (char *)&lg, sizeof(lg)), 0);
  closesocket(cli);
  assert_true(w_spin_done(&ov, 5000));
  assert_int_equal((DWORD)ov.Internal, 0xC000020Du); /* CONNECTION_RESET */
  assert_false(GetOverlappedResult((HANDLE)srv, &ov, &n, FALSE));
  assert_int_equal(GetLastError(), ERROR_NETNAME_DELETED);
  assert_false(WSAGetOverlappedResult(srv, &ov, &n, FALSE, &flags));
  assert_int_equal(WSAGetLastError(), WSAECONNRESET);
  OVERLAPPED *got = NULL;
  ULONG_PTR key = 0;
  assert_false(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(GetLastError(), ERROR_NETNAME_DELETED);
  assert_int_equal((DWORD)ov.Internal, 0xC000020Du);
  closesocket(srv);
  w_expect_nothing(port, 50);
  /* A pipe's read its writer's close ended: STATUS_PIPE_BROKEN, in
   * Internal as in the packet (Internal said 0: a read of no bytes). */
  char name[128];
  snprintf(name, sizeof(name), "\\\\.\\pipe\\cport-test-%u-broken",
           (unsigned)GetCurrentProcessId());
  HANDLE pipe =
      CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                       PIPE_TYPE_BYTE, 1, 4096, 4096, 0, NULL);
  assert_true(pipe != INVALID_HANDLE_VALUE);
  assert_ptr_equal(CreateIoCompletionPort(pipe, port, 4, 0), port);
  HANDLE c = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         OPEN_EXISTING, 0, NULL);
  assert_true(c != INVALID_HANDLE_VALUE);
  memset(&ov, 0, sizeof(ov));
  assert_false(ReadFile(pipe, buf, sizeof(buf), NULL, &ov));
  assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_true(CloseHandle(c));
  assert_false(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(GetLastError(), ERROR_BROKEN_PIPE);
  assert_int_equal((DWORD)ov.Internal, 0xC000014Bu); /* PIPE_BROKEN */
  assert_true(CloseHandle(pipe));
  assert_true(CloseHandle(port));
}

/* ------------------------------------------------------------------------ */
/* A handle signalled as its I/O ends                                        */
/* ------------------------------------------------------------------------ */

/* GetOverlappedResult's page: "If the hEvent member of the OVERLAPPED
 * structure is NULL, the system uses the state of the hFile handle to
 * signal when the operation has been completed"; ReadFile and WriteFile
 * reset it as they start (Synchronization and Overlapped Input and
 * Output), and it stays set until then. */
static void handle_signalled_as_its_io_ends(void **state) {
  (void)state;
  char name[96], buf[16];
  snprintf(name, sizeof(name), "\\\\.\\pipe\\cport-test-%u-fdwait",
           (unsigned)GetCurrentProcessId());
  HANDLE ps = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                               0, 1, 512, 512, 0, NULL);
  assert_true(ps != INVALID_HANDLE_VALUE);
  HANDLE pc = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                          OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
  assert_true(pc != INVALID_HANDLE_VALUE);
  OVERLAPPED ov, wov;
  memset(&ov, 0, sizeof(ov));
  memset(&wov, 0, sizeof(wov));
  wov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  DWORD n = 0;
  assert_false(ReadFile(ps, buf, sizeof(buf), NULL, &ov));
  assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_int_equal(WaitForSingleObject(ps, 50), WAIT_TIMEOUT);
  (void)WriteFile(pc, "abc", 3, NULL, &wov);
  assert_int_equal(WaitForSingleObject(ps, 5000), WAIT_OBJECT_0);
  assert_true(GetOverlappedResult(ps, &ov, &n, FALSE));
  assert_int_equal(n, 3);
  assert_memory_equal(buf, "abc", 3);
  assert_int_equal(WaitForSingleObject(ps, 0), WAIT_OBJECT_0); /* stays */
  /* The next read resets it; a wait for it and the write's event. */
  memset(&ov, 0, sizeof(ov));
  assert_false(ReadFile(ps, buf, sizeof(buf), NULL, &ov));
  assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_int_equal(WaitForSingleObject(ps, 0), WAIT_TIMEOUT);
  assert_true(GetOverlappedResult(pc, &wov, &n, TRUE));
  assert_true(ResetEvent(wov.hEvent));
  (void)WriteFile(pc, "defg", 4, NULL, &wov);
  HANDLE both[2] = {wov.hEvent, ps};
  assert_int_equal(WaitForMultipleObjects(2, both, TRUE, 5000), WAIT_OBJECT_0);
  assert_true(GetOverlappedResult(ps, &ov, &n, FALSE));
  assert_int_equal(n, 4);
  assert_memory_equal(buf, "defg", 4);
  /* A file: an overlapped write, then the handle. */
  char path[MAX_PATH];
  w_temp_path(path, sizeof(path), "corners-fdwait");
  HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         CREATE_ALWAYS, FILE_FLAG_OVERLAPPED, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  memset(&ov, 0, sizeof(ov));
  BOOL ok = WriteFile(f, "hello", 5, NULL, &ov);
  assert_true(ok || GetLastError() == ERROR_IO_PENDING);
  assert_int_equal(WaitForSingleObject(f, 5000), WAIT_OBJECT_0);
  assert_true(GetOverlappedResult(f, &ov, &n, FALSE));
  assert_int_equal(n, 5);
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
  assert_true(CloseHandle(wov.hEvent));
  assert_true(CloseHandle(pc));
  assert_true(CloseHandle(ps));
}

/* ------------------------------------------------------------------------ */
/* Many buffers                                                              */
/* ------------------------------------------------------------------------ */

/* WSASend and WSARecv document no limit on dwBufferCount: programs gather
 * hundreds of queued messages into one send. (Linux takes up to 1024, its
 * IOV_MAX: more fail with WSAENOBUFS there; see docs/porting.md.) */
#define MANY_BUFS 1000

static void many_buffers_in_one_call(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 4, 0), port);
  WSABUF *wb = calloc(MANY_BUFS, sizeof(*wb));
  char *out = malloc(MANY_BUFS * 3), *in = calloc(1, MANY_BUFS * 3);
  assert_true(wb != NULL && out != NULL && in != NULL);
  for (int i = 0; i < MANY_BUFS * 3; i++)
    out[i] = (char)(i * 13 + 5);
  for (int i = 0; i < MANY_BUFS; i++) {
    wb[i].buf = out + 3 * i;
    wb[i].len = 3;
  }
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  DWORD n = 0, flags = 0;
  int rc = WSASend(srv, wb, MANY_BUFS, &n, 0, &ov, NULL);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  OVERLAPPED *got = NULL;
  ULONG_PTR key = 0;
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(n, MANY_BUFS * 3);
  w_set_rcvtimeo(cli, 5000);
  int have = 0;
  while (have < MANY_BUFS * 3) {
    int k = recv(cli, in + have, MANY_BUFS * 3 - have, 0);
    assert_true(k > 0);
    have += k;
  }
  assert_memory_equal(in, out, MANY_BUFS * 3);
  /* The other way: one receive scattering into them all. */
  for (int i = 0; i < MANY_BUFS; i++)
    wb[i].buf = in + 3 * i;
  memset(in, 0, MANY_BUFS * 3);
  memset(&ov, 0, sizeof(ov));
  rc = WSARecv(srv, wb, MANY_BUFS, &n, &flags, &ov, NULL);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  assert_int_equal(send(cli, out, 30, 0), 30);
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(n, 30);
  assert_memory_equal(in, out, 30);
  free(wb);
  free(out);
  free(in);
  closesocket(srv);
  closesocket(cli);
  w_expect_nothing(port, 50);
  assert_true(CloseHandle(port));
}

/* AcceptEx's buffer holds both addresses once the op has completed,
 * before any thread takes its result (the AcceptEx page: the buffer
 * "receives ... the local address of the server, and the remote address
 * of the client"). */
static void acceptex_addresses_at_completion(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  struct sockaddr_in la, ca;
  SOCKET l = w_listener(&la), acc = w_tcp(), cli = w_tcp();
  w_load_extensions(l);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)l, port, 1, 0), port);
  DWORD alen = sizeof(SOCKADDR_STORAGE) + 16;
  char out[2 * (sizeof(SOCKADDR_STORAGE) + 16)];
  memset(out, 0x55, sizeof(out));
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  assert_false(pAcceptEx(l, acc, out, 0, alen, alen, NULL, &ov));
  assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
  assert_int_equal(connect(cli, (struct sockaddr *)&la, sizeof(la)), 0);
  int len = sizeof(ca);
  assert_int_equal(getsockname(cli, (struct sockaddr *)&ca, &len), 0);
  assert_true(w_spin_done(&ov, 5000)); /* nobody takes the packet yet */
  struct sockaddr *local = NULL, *remote = NULL;
  int llen = 0, rlen = 0;
  pGetAcceptExSockaddrs(out, 0, alen, alen, &local, &llen, &remote, &rlen);
  assert_int_equal(llen, sizeof(struct sockaddr_in));
  assert_int_equal(rlen, sizeof(struct sockaddr_in));
  assert_int_equal(((struct sockaddr_in *)local)->sin_port, la.sin_port);
  assert_int_equal(((struct sockaddr_in *)remote)->sin_port, ca.sin_port);
  DWORD bytes;
  ULONG_PTR key;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  closesocket(cli);
  closesocket(acc);
  closesocket(l);
  assert_true(CloseHandle(port));
}

/* An AcceptEx that completed is a connected socket, whether or not its
 * result was taken: a program that watched HasOverlappedIoCompleted (no
 * port, no event) reads, writes and names the peer at once. */
static void acceptex_socket_usable_before_its_result_is_taken(void **state) {
  (void)state;
  struct sockaddr_in la, ca;
  SOCKET l = w_listener(&la), acc = w_tcp(), cli = w_tcp();
  w_load_extensions(l);
  DWORD alen = sizeof(SOCKADDR_STORAGE) + 16;
  char out[2 * (sizeof(SOCKADDR_STORAGE) + 16)];
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  assert_false(pAcceptEx(l, acc, out, 0, alen, alen, NULL, &ov));
  assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
  assert_int_equal(connect(cli, (struct sockaddr *)&la, sizeof(la)), 0);
  int len = sizeof(ca);
  assert_int_equal(getsockname(cli, (struct sockaddr *)&ca, &len), 0);
  assert_int_equal(send(cli, "hello", 5, 0), 5);
  assert_true(w_spin_done(&ov, 5000));
  struct sockaddr_in peer;
  len = sizeof(peer);
  assert_int_equal(getpeername(acc, (struct sockaddr *)&peer, &len), 0);
  assert_int_equal(peer.sin_port, ca.sin_port);
  char in[8] = {0};
  assert_int_equal(recv(acc, in, sizeof(in), 0), 5);
  assert_memory_equal(in, "hello", 5);
  assert_int_equal(send(acc, "back", 4, 0), 4);
  assert_int_equal(recv(cli, in, sizeof(in), 0), 4);
  assert_memory_equal(in, "back", 4);
  DWORD n = 99, flags = 0;
  assert_true(WSAGetOverlappedResult(l, &ov, &n, FALSE, &flags));
  assert_int_equal(n, 0);
  assert_int_equal(setsockopt(acc, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT,
                              (char *)&l, sizeof(l)),
                   0);
  closesocket(cli);
  closesocket(acc);
  closesocket(l);
}

/* MSG_PARTIAL on a stream socket: a stream has no messages, and TCP
 * takes the flag (WSASend: refused only "by transports that do not
 * support partial message transmissions"). */
static void msg_partial_on_a_stream(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 2, 0), port);
  char in[8] = {0};
  WSABUF rb = {sizeof(in), in}, sb = {5, (char *)"hello"};
  DWORD n = 0, flags = MSG_PARTIAL;
  OVERLAPPED rov, sov;
  memset(&rov, 0, sizeof(rov));
  memset(&sov, 0, sizeof(sov));
  int rc = WSARecv(srv, &rb, 1, &n, &flags, &rov, NULL);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  rc = WSASend(cli, &sb, 1, &n, MSG_PARTIAL, NULL, NULL);
  assert_int_equal(rc, 0);
  assert_int_equal(n, 5);
  DWORD bytes;
  ULONG_PTR key;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &rov);
  assert_int_equal(bytes, 5);
  assert_memory_equal(in, "hello", 5);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)cli, port, 3, 0), port);
  rc = WSASend(cli, &sb, 1, &n, MSG_PARTIAL, &sov, NULL);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &sov);
  assert_int_equal(bytes, 5);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
}

/* One event for two receives on two sockets (one event per thread, or
 * per connection for both directions, is common): the first ends, and
 * GetOverlappedResult on it answers at once, with or without bWait,
 * while the second is still pending (it used to wait for the second's
 * end, up to a second). */
static void a_shared_event_does_not_hold_up_a_finished_op(void **state) {
  (void)state;
  SOCKET srv[2], cli[2];
  OVERLAPPED ov[2];
  char buf[2][8];
  HANDLE ev = WSACreateEvent();
  for (int i = 0; i < 2; i++) {
    w_pair(&srv[i], &cli[i]);
    memset(&ov[i], 0, sizeof(ov[i]));
    ov[i].hEvent = ev;
    WSABUF wb = {sizeof(buf[i]), buf[i]};
    DWORD n = 0, flags = 0;
    int rc = WSARecv(srv[i], &wb, 1, &n, &flags, &ov[i], NULL);
    assert_true(rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING);
  }
  assert_int_equal(send(cli[0], "hello", 5, 0), 5);
  assert_int_equal(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
  assert_true(w_spin_done(&ov[0], 5000));
  for (int wait = 0; wait < 2; wait++) {
    DWORD n = 0;
    ULONGLONG t0 = w_now_ms();
    assert_true(GetOverlappedResult((HANDLE)srv[0], &ov[0], &n, wait));
    assert_int_equal(n, 5);
    assert_true(w_now_ms() - t0 < 500);
  }
  assert_false(HasOverlappedIoCompleted(&ov[1]));
  for (int i = 0; i < 2; i++) {
    closesocket(srv[i]);
    closesocket(cli[i]);
  }
  assert_true(w_spin_done(&ov[1], 5000)); /* the close ended it */
  WSACloseEvent(ev);
}

/* The peer resets while a receive and a send (that waits for room) are
 * both pending: both fail, "the virtual circuit was reset by the remote
 * side" (WSARecv, WSASend). Linux tells the reset to one of them (the
 * send, often); the receive must not end as an orderly end of the stream
 * (TRUE with 0 bytes), which io_uring made of it. */
#define RESET_BIG (16u << 20)
static void a_reset_fails_both_pending_ops(void **state) {
  (void)state;
  char *big = malloc(RESET_BIG);
  assert_non_null(big);
  memset(big, 'x', RESET_BIG);
  HANDLE port = w_port(1);
  for (int round = 0; round < 3; round++) {
    SOCKET srv, cli;
    w_pair(&srv, &cli);
    assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 1, 0), port);
    OVERLAPPED rov, sov;
    memset(&rov, 0, sizeof(rov));
    memset(&sov, 0, sizeof(sov));
    char rbuf[64];
    WSABUF rb = {sizeof(rbuf), rbuf}, sb = {RESET_BIG, big};
    DWORD n = 0, fl = 0;
    assert_int_equal(WSARecv(srv, &rb, 1, &n, &fl, &rov, NULL), SOCKET_ERROR);
    assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
    assert_int_equal(WSASend(srv, &sb, 1, &n, 0, &sov, NULL), SOCKET_ERROR);
    assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
    Sleep(50);
    LINGER lg = {1, 0};
    assert_int_equal(
        setsockopt(cli, SOL_SOCKET, SO_LINGER, (char *)&lg, sizeof(lg)), 0);
    closesocket(cli);
    for (int k = 0; k < 2; k++) {
      DWORD bytes = 0;
      ULONG_PTR key = 0;
      OVERLAPPED *ov = NULL;
      BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &ov, 5000);
      assert_non_null(ov);
      assert_false(ok);
      assert_int_equal(GetLastError(), ERROR_NETNAME_DELETED);
      if (ov == &rov)
        assert_int_equal(bytes, 0);
    }
    closesocket(srv);
  }
  assert_true(CloseHandle(port));
  free(big);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(overlapped_waitall_receive),
      cmocka_unit_test(options_read_back_as_set),
      cmocka_unit_test(cached_read_may_end_in_the_call),
      cmocka_unit_test(disconnectex_reuse_after_both_ends_closed),
      cmocka_unit_test(socket_joins_a_port_after_event_io),
      cmocka_unit_test(failed_op_leaves_an_ntstatus),
      cmocka_unit_test(handle_signalled_as_its_io_ends),
      cmocka_unit_test(many_buffers_in_one_call),
      cmocka_unit_test(acceptex_addresses_at_completion),
      cmocka_unit_test(acceptex_socket_usable_before_its_result_is_taken),
      cmocka_unit_test(msg_partial_on_a_stream),
      cmocka_unit_test(a_shared_event_does_not_hold_up_a_finished_op),
      cmocka_unit_test(a_reset_fails_both_pending_ops),
  };
  return W_RUN("win32-io-corners", tests);
}
