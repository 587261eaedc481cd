/*
 * test-win32-shutdown.c - shutdown on a socket that is not connected, and
 * the answers about a socket closed under its ops, written only against
 * the Win32 API.
 *
 * shutdown's page: "WSAENOTCONN: The socket is not connected. This error
 * applies only to a connection-oriented socket." A listener and a socket
 * whose ConnectEx is still under way are not connected: the call fails
 * and leaves them as they were (the pending AcceptEx takes the next
 * client, the ConnectEx still connects). And WSAGetOverlappedResult on a
 * socket closed since its op began says WSAENOTSOCK every time, on every
 * backend; closing the accept socket of an AcceptEx that waits for its
 * client's first data ends it before the close returns.
 */
#include <string.h>

#include "win32-util.h"

/* A listener whose accept queue is full: a new connect's SYN is dropped,
 * so the connect stays under way until room is made (fill: the queued
 * clients). */
static SOCKET full_listener(struct sockaddr_in *addr, SOCKET fill[3]) {
  SOCKET l = w_tcp();
  struct sockaddr_in a;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(listen(l, 1), 0);
  int len = sizeof(*addr);
  assert_int_equal(getsockname(l, (struct sockaddr *)addr, &len), 0);
  for (int i = 0; i < 3; i++) {
    fill[i] = w_tcp();
    u_long nb = 1;
    assert_int_equal(ioctlsocket(fill[i], (long)FIONBIO, &nb), 0);
    (void)connect(fill[i], (struct sockaddr *)addr, sizeof(*addr));
  }
  Sleep(200);
  return l;
}

static void shutdown_of_a_connecting_socket(void **state) {
  (void)state;
  struct sockaddr_in addr;
  SOCKET fill[3];
  SOCKET l = full_listener(&addr, fill);
  SOCKET s = w_tcp();
  w_load_extensions(s);
  struct sockaddr_in any = w_any();
  assert_int_equal(bind(s, (struct sockaddr *)&any, sizeof(any)), 0);
  HANDLE port = CreateIoCompletionPort((HANDLE)s, NULL, 4, 0);
  assert_non_null(port);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  DWORD n = 0;
  assert_false(
      pConnectEx(s, (struct sockaddr *)&addr, sizeof(addr), NULL, 0, &n, &ov));
  assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
  w_expect_nothing(port, 200);
  for (int how = SD_RECEIVE; how <= SD_BOTH; how++) {
    WSASetLastError(0);
    assert_int_equal(shutdown(s, how), SOCKET_ERROR);
    assert_int_equal(WSAGetLastError(), WSAENOTCONN);
  }
  w_expect_nothing(port, 100);
  assert_false(HasOverlappedIoCompleted(&ov));
  /* Room at the listener: the connect goes through (the next SYN). */
  SOCKET taken[4];
  int nt = 0;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  BOOL ok = FALSE;
  for (int i = 0; i < 100 && got == NULL; i++) {
    SOCKET a = accept(l, NULL, NULL);
    if (h_socket_ok(a) && nt < 4)
      taken[nt++] = a;
    else if (h_socket_ok(a))
      closesocket(a);
    ok = GetQueuedCompletionStatus(port, &n, &key, &got, 100);
  }
  assert_ptr_equal(got, &ov);
  assert_true(ok);
  assert_int_equal(key, 4);
  assert_int_equal(
      setsockopt(s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0), 0);
  struct sockaddr_in peer;
  int plen = sizeof(peer);
  assert_int_equal(getpeername(s, (struct sockaddr *)&peer, &plen), 0);
  assert_int_equal(peer.sin_port, addr.sin_port);
  /* Connected now: shutdown does its work. */
  assert_int_equal(shutdown(s, SD_SEND), 0);
  closesocket(s);
  for (int i = 0; i < nt; i++)
    closesocket(taken[i]);
  for (int i = 0; i < 3; i++)
    closesocket(fill[i]);
  closesocket(l);
  assert_true(CloseHandle(port));
}

static void shutdown_of_a_listener(void **state) {
  (void)state;
  struct sockaddr_in addr;
  SOCKET l = w_listener(&addr);
  w_load_extensions(l);
  HANDLE port = CreateIoCompletionPort((HANDLE)l, NULL, 6, 0);
  assert_non_null(port);
  SOCKET as = w_tcp();
  char buf[2 * (sizeof(struct sockaddr_in6) + 16)];
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  DWORD n = 0;
  DWORD al = sizeof(struct sockaddr_in6) + 16;
  assert_false(pAcceptEx(l, as, buf, 0, al, al, &n, &ov));
  assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
  for (int how = SD_RECEIVE; how <= SD_BOTH; how++) {
    WSASetLastError(0);
    assert_int_equal(shutdown(l, how), SOCKET_ERROR);
    assert_int_equal(WSAGetLastError(), WSAENOTCONN);
  }
  w_expect_nothing(port, 100);
  /* Still listening: the AcceptEx takes the next client. */
  SOCKET c = w_tcp();
  assert_int_equal(connect(c, (struct sockaddr *)&addr, sizeof(addr)), 0);
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(key, 6);
  closesocket(c);
  closesocket(as);
  closesocket(l);
  assert_true(CloseHandle(port));
}

/* WSAGetOverlappedResult on a socket closed under its receive: its error
 * is WSAENOTSOCK, every time (io_uring may hold the descriptor a while
 * after the close). */
static void result_after_close(void **state) {
  (void)state;
  for (int round = 0; round < 8; round++) {
    SOCKET s, c;
    w_pair(&s, &c);
    HANDLE port = CreateIoCompletionPort((HANDLE)s, NULL, 8, 0);
    assert_non_null(port);
    char buf[16];
    OVERLAPPED ov;
    DWORD n = 0;
    assert_int_equal(w_recv_ov(s, buf, sizeof(buf), &ov, &n), SOCKET_ERROR);
    assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
    assert_int_equal(closesocket(s), 0);
    ULONG_PTR key = 0;
    OVERLAPPED *got = NULL;
    assert_false(w_next(port, &n, &key, &got, 5000));
    assert_ptr_equal(got, &ov);
    DWORD flags = 0;
    n = 12345;
    WSASetLastError(0);
    assert_false(WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags));
    assert_int_equal(WSAGetLastError(), WSAENOTSOCK);
    assert_int_equal(n, 12345);
    closesocket(c);
    assert_true(CloseHandle(port));
  }
}

/* A server's shutdown that frees too early (a real HTTP server's): the
 * accept socket of an AcceptEx whose client came and sent nothing yet (it
 * waits for data) is closed, its OVERLAPPED freed at once, then the
 * listener closed. On Windows the close ends the AcceptEx before it
 * returns, so the free goes unnoticed; cport ends it in the close too
 * (on io_uring as well), and nothing reads the freed OVERLAPPED (what
 * AddressSanitizer checks). */
static void accept_socket_closed_then_freed(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  struct sockaddr_in la;
  SOCKET l = w_listener(&la);
  w_load_extensions(l);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)l, port, 1, 0), port);
  struct accept_io {
    OVERLAPPED ov;
    char buf[64 + 2 * (sizeof(struct sockaddr_in6) + 16)];
  } *io = calloc(1, sizeof(*io));
  assert_non_null(io);
  SOCKET as = w_tcp();
  DWORD al = sizeof(struct sockaddr_in6) + 16, n = 0;
  BOOL ok = pAcceptEx(l, as, io->buf, 64, al, al, &n, &io->ov);
  assert_true(ok || WSAGetLastError() == WSA_IO_PENDING);
  SOCKET c = w_tcp();
  assert_int_equal(connect(c, (struct sockaddr *)&la, sizeof(la)), 0);
  Sleep(100); /* taken from the listener; waiting for its first data */
  assert_false(HasOverlappedIoCompleted(&io->ov));
  assert_int_equal(closesocket(as), 0);
#if defined(_WIN32)
  /* (Windows' pages promise no timing: let it end.) */
  for (int t = 0; t < 500 && !HasOverlappedIoCompleted(&io->ov); t++)
    Sleep(10);
#endif
  assert_true(HasOverlappedIoCompleted(&io->ov));
  assert_true(io->ov.Internal != 0); /* aborted */
  memset(io, 0xee, sizeof(*io));
  free(io);
  assert_int_equal(closesocket(l), 0);
  closesocket(c);
  assert_true(CloseHandle(port));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(shutdown_of_a_connecting_socket),
      cmocka_unit_test(shutdown_of_a_listener),
      cmocka_unit_test(result_after_close),
      cmocka_unit_test(accept_socket_closed_then_freed),
  };
  return W_RUN("win32-shutdown", tests);
}
