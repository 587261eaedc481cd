/*
 * test-win32-cancel-sync.c - CancelSynchronousIo, written only against the
 * Win32 API: a thread blocked in recv, in accept, and (Linux) in a recv on
 * a socket a port has, alone or queued behind an overlapped WSARecv, each
 * cancelled by another thread, the socket still working after; the same
 * calls cancelled by CancelIoEx on their handle; and the answers when
 * there is nothing to cancel (handles no op has used yet too).
 */
#include <string.h>

#include "win32-util.h"

/* A blocking call run on a thread of its own, its outcome kept. */
struct blocked {
  SOCKET s;
  int result;
  int error;
  HANDLE thread;
  bool is_accept;
  bool by_handle; /* cancelled by CancelIoEx(s, NULL), not by thread */
};

static DWORD WINAPI blocked_call(LPVOID arg) {
  struct blocked *b = arg;
  if (b->is_accept) {
    SOCKET c = accept(b->s, NULL, NULL);
    b->result = c == INVALID_SOCKET ? SOCKET_ERROR : 0;
    if (c != INVALID_SOCKET)
      closesocket(c);
  } else {
    char buf[8];
    b->result = recv(b->s, buf, sizeof(buf), 0);
  }
  b->error = b->result == SOCKET_ERROR ? WSAGetLastError() : 0;
  return 0;
}

static void start(struct blocked *b, SOCKET s, bool is_accept) {
  memset(b, 0, sizeof(*b));
  b->s = s;
  b->is_accept = is_accept;
  b->thread = CreateThread(NULL, 0, blocked_call, b, 0, NULL);
  assert_non_null(b->thread);
}

/* Cancels b's call once it blocks (up to 3 s); whether it could. */
static bool cancel_when_blocked(struct blocked *b) {
  ULONGLONG until = w_now_ms() + 3000;
  while (w_now_ms() < until) {
    Sleep(20);
    SetLastError(0);
    if (b->by_handle ? CancelIoEx((HANDLE)b->s, NULL)
                     : CancelSynchronousIo(b->thread))
      return true;
    assert_int_equal(GetLastError(), ERROR_NOT_FOUND);
    if (WaitForSingleObject(b->thread, 0) == WAIT_OBJECT_0)
      return false; /* it ended by itself */
  }
  return false;
}

static void finish(struct blocked *b) {
  assert_int_equal(WaitForSingleObject(b->thread, 5000), WAIT_OBJECT_0);
  CloseHandle(b->thread);
}

/* A connected pair whose client is a synchronous socket (no
 * WSA_FLAG_OVERLAPPED), the kind whose calls Windows cancels. */
static void sync_pair(SOCKET *server, SOCKET *client) {
  struct sockaddr_in a;
  SOCKET l = w_listener(&a);
  *client = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, 0);
  assert_true(h_socket_ok(*client));
  assert_int_equal(connect(*client, (struct sockaddr *)&a, sizeof(a)), 0);
  *server = accept(l, NULL, NULL);
  assert_true(h_socket_ok(*server));
  closesocket(l);
}

/* After the cancel the socket still carries data. */
static void still_works(SOCKET server, SOCKET client) {
  w_set_rcvtimeo(client, 5000);
  assert_int_equal(send(server, "k", 1, 0), 1);
  char c = 0;
  assert_int_equal(recv(client, &c, 1, 0), 1);
  assert_int_equal(c, 'k');
}

static void blocked_recv(bool by_handle) {
  SOCKET server, client, server2, client2;
  sync_pair(&server, &client);
  sync_pair(&server2, &client2);
  struct blocked b, other;
  start(&other, client2, false); /* blocked on another socket */
  start(&b, client, false);
  b.by_handle = by_handle;
  bool cancelled = cancel_when_blocked(&b);
  assert_true(cancelled);
  finish(&b);
  assert_int_equal(b.result, SOCKET_ERROR);
  assert_int_equal(b.error, WSA_OPERATION_ABORTED);
  still_works(server, client);
  /* The call on the other socket was not touched: it gets its byte. */
  assert_int_equal(WaitForSingleObject(other.thread, 100), WAIT_TIMEOUT);
  assert_int_equal(send(server2, "o", 1, 0), 1);
  finish(&other);
  assert_int_equal(other.result, 1);
  closesocket(server);
  closesocket(client);
  closesocket(server2);
  closesocket(client2);
}

static void cancel_blocked_recv(void **state) {
  (void)state;
  blocked_recv(false);
}

/* CancelIoEx with no OVERLAPPED cancels the blocking calls other threads
 * make on the handle too ("regardless of which thread created the I/O
 * operation"). */
static void cancel_io_ex_ends_a_blocked_recv(void **state) {
  (void)state;
  blocked_recv(true);
}

/* A listener from socket() (no op has used it) and a blocked accept,
 * cancelled by thread or by handle. */
static void blocked_accept(bool by_handle) {
  struct sockaddr_in a;
  SOCKET l = by_handle
                 ? (SOCKET)socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
                 : WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, 0);
  assert_true(h_socket_ok(l));
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(listen(l, 8), 0);
  int len = sizeof(a);
  assert_int_equal(getsockname(l, (struct sockaddr *)&a, &len), 0);
  struct blocked b;
  start(&b, l, true);
  b.by_handle = by_handle;
  bool cancelled = cancel_when_blocked(&b);
  assert_true(cancelled);
  finish(&b);
  assert_int_equal(b.result, SOCKET_ERROR);
  assert_int_equal(b.error, WSA_OPERATION_ABORTED);
  /* The listener still takes a connection. */
  SOCKET c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  assert_true(h_socket_ok(c));
  assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
  SOCKET s = accept(l, NULL, NULL);
  assert_true(h_socket_ok(s));
  closesocket(s);
  closesocket(c);
  closesocket(l);
}

static void cancel_blocked_accept(void **state) {
  (void)state;
  blocked_accept(false);
}

static void cancel_io_ex_ends_a_blocked_accept(void **state) {
  (void)state;
  blocked_accept(true);
}

static DWORD WINAPI connect_pipe(LPVOID arg) {
  BOOL ok = ConnectNamedPipe((HANDLE)arg, NULL);
  return ok ? 0 : GetLastError();
}

/* A synchronous pipe server's blocking ConnectNamedPipe (the usual way to
 * stop a pipe server's thread), cancelled by CancelIoEx on the instance. */
static void cancel_io_ex_ends_a_blocked_connect(void **state) {
  (void)state;
  char name[96];
  snprintf(name, sizeof(name), "\\\\.\\pipe\\cport-cc-%u",
           (unsigned)GetCurrentProcessId());
  HANDLE ps = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 512,
                               512, 0, NULL);
  assert_true(ps != INVALID_HANDLE_VALUE);
  HANDLE t = CreateThread(NULL, 0, connect_pipe, ps, 0, NULL);
  assert_non_null(t);
  BOOL ok = FALSE;
  for (int i = 0; i < 150 && !ok; i++) {
    Sleep(20);
    ok = CancelIoEx(ps, NULL);
  }
  assert_true(ok);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  DWORD code = 0;
  assert_true(GetExitCodeThread(t, &code));
  assert_int_equal(code, ERROR_OPERATION_ABORTED);
  CloseHandle(t);
  assert_true(CloseHandle(ps));
}

/* Handles no op has used yet: CancelIo says TRUE, CancelIoEx
 * ERROR_NOT_FOUND (a socket from socket(), a named pipe's two ends). */
static void unused_handles_have_nothing_to_cancel(void **state) {
  (void)state;
  SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  assert_true(h_socket_ok(s));
  char name[96];
  snprintf(name, sizeof(name), "\\\\.\\pipe\\cport-cs-%u",
           (unsigned)GetCurrentProcessId());
  HANDLE ps = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 512,
                               512, 0, NULL);
  assert_true(ps != INVALID_HANDLE_VALUE);
  HANDLE pc = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                          OPEN_EXISTING, 0, NULL);
  assert_true(pc != INVALID_HANDLE_VALUE);
  HANDLE h[3] = {(HANDLE)s, ps, pc};
  bool wine_ex = false;
  for (int i = 0; i < 3; i++) {
    assert_true(CancelIo(h[i]));
    SetLastError(0);
    BOOL ok = CancelIoEx(h[i], NULL);
    if (ok && h_on_wine()) {
      wine_ex = true; /* Wine says TRUE for nothing pending */
      continue;
    }
    assert_false(ok);
    assert_int_equal(GetLastError(), ERROR_NOT_FOUND);
  }
  CloseHandle(pc);
  CloseHandle(ps);
  closesocket(s);
  if (wine_ex)
    H_SKIP("Wine: CancelIoEx with nothing pending returns TRUE");
}

#ifndef _WIN32
/* A connected pair whose client end a new port has. */
static HANDLE pair_on_port(SOCKET *server, SOCKET *client) {
  w_pair(server, client);
  HANDLE port = w_port(1);
  assert_non_null(CreateIoCompletionPort((HANDLE)*client, port, 1, 0));
  return port;
}

/* A socket a port has is non-blocking underneath: its blocking recv
 * waits in slices, and is cancelled there too. */
static void cancel_blocked_recv_on_port(void **state) {
  (void)state;
  SOCKET server, client;
  HANDLE port = pair_on_port(&server, &client);
  struct blocked b;
  start(&b, client, false);
  assert_true(cancel_when_blocked(&b));
  finish(&b);
  assert_int_equal(b.result, SOCKET_ERROR);
  assert_int_equal(b.error, WSA_OPERATION_ABORTED);
  still_works(server, client);
  closesocket(server);
  closesocket(client);
  CloseHandle(port);
}

/* A blocking recv queued behind an overlapped WSARecv waits for it to
 * end: a cancel ends that wait, and the WSARecv still gets the bytes. */
static void cancel_recv_queued_behind_overlapped(void **state) {
  (void)state;
  SOCKET server, client;
  HANDLE port = pair_on_port(&server, &client);
  char buf[4];
  WSABUF wb = {sizeof(buf), buf};
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  DWORD n = 0, flags = 0;
  assert_int_equal(WSARecv(client, &wb, 1, &n, &flags, &ov, NULL),
                   SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
  struct blocked b;
  start(&b, client, false);
  assert_true(cancel_when_blocked(&b));
  finish(&b);
  assert_int_equal(b.result, SOCKET_ERROR);
  assert_int_equal(b.error, WSA_OPERATION_ABORTED);
  assert_int_equal(send(server, "abc", 3, 0), 3);
  ULONG_PTR key = 0;
  OVERLAPPED *done = NULL;
  assert_true(GetQueuedCompletionStatus(port, &n, &key, &done, 5000));
  assert_ptr_equal(done, &ov);
  assert_int_equal(n, 3);
  assert_memory_equal(buf, "abc", 3);
  still_works(server, client);
  closesocket(server);
  closesocket(client);
  CloseHandle(port);
}
#endif

static DWORD WINAPI waits_on_event(LPVOID arg) {
  return WaitForSingleObject((HANDLE)arg, 5000);
}

static void nothing_to_cancel(void **state) {
  (void)state;
  SetLastError(0);
  assert_false(CancelSynchronousIo(GetCurrentThread()));
  assert_int_equal(GetLastError(), ERROR_NOT_FOUND);
  /* A thread waiting on an event does no I/O. */
  HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(ev);
  HANDLE t = CreateThread(NULL, 0, waits_on_event, ev, 0, NULL);
  assert_non_null(t);
  Sleep(50);
  SetLastError(0);
  assert_false(CancelSynchronousIo(t));
  assert_int_equal(GetLastError(), ERROR_NOT_FOUND);
  assert_true(SetEvent(ev));
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  DWORD code = 1;
  assert_true(GetExitCodeThread(t, &code));
  assert_int_equal(code, WAIT_OBJECT_0); /* the wait was not disturbed */
  /* A thread that has ended. */
  SetLastError(0);
  assert_false(CancelSynchronousIo(t));
  assert_int_equal(GetLastError(), ERROR_NOT_FOUND);
  CloseHandle(t);
  CloseHandle(ev);
#ifndef _WIN32
  SetLastError(0);
  assert_false(CancelSynchronousIo(NULL));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(cancel_blocked_recv),
      cmocka_unit_test(cancel_blocked_accept),
      cmocka_unit_test(cancel_io_ex_ends_a_blocked_recv),
      cmocka_unit_test(cancel_io_ex_ends_a_blocked_accept),
      cmocka_unit_test(cancel_io_ex_ends_a_blocked_connect),
      cmocka_unit_test(unused_handles_have_nothing_to_cancel),
#ifndef _WIN32
      cmocka_unit_test(cancel_blocked_recv_on_port),
      cmocka_unit_test(cancel_recv_queued_behind_overlapped),
#endif
      cmocka_unit_test(nothing_to_cancel),
  };
  return W_RUN("win32-cancel-sync", tests);
}
