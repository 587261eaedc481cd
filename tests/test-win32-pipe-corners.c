/*
 * test-win32-pipe-corners.c - named pipe corners Windows' own conformance
 * tests pin down, written only against the Win32 API: closing a pipe's
 * handle while its own overlapped read is pending, what the other end
 * reads after a close, an overlapped ConnectNamedPipe answered at once,
 * a read of 0 bytes, CreatePipe's anonymous pipe, a cancelled read
 * queued behind another, a client dropped by DisconnectNamedPipe before
 * any connect, and a read started as soon as a connect's event is set.
 *
 * Windows ends such a read as the pipe broken: its packet still comes,
 * with 0 bytes, GetQueuedCompletionStatus fails with ERROR_BROKEN_PIPE,
 * and the OVERLAPPED's Internal holds STATUS_PIPE_BROKEN (Wine's
 * conformance test of completion ports, run on Windows, asserts it for a
 * message pipe's server end, and Wine 8 does the same). The
 * same for a byte pipe, for the client's end, and for a read that
 * signals an event instead of queuing a packet. A pending write or
 * connect is left to the other tests: Windows documents no status for
 * them. And what the other end of a message pipe reads after a close:
 * every message written before it, one of 0 bytes too, then
 * ERROR_BROKEN_PIPE (the same conformance test's test_CloseHandle).
 */
#include <stdio.h>
#include <string.h>

#include "win32-util.h"

#define STATUS_PIPE_BROKEN_ 0xC000014Bu

static void pipe_name(char *out, size_t size, const char *what) {
  snprintf(out, size, "\\\\.\\pipe\\cport-close-%u-%s",
           (unsigned)GetCurrentProcessId(), what);
}

static HANDLE server(const char *name, DWORD pipe_mode) {
  HANDLE h = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                              pipe_mode, 1, 4096, 4096, 0, NULL);
  assert_true(h != INVALID_HANDLE_VALUE);
  return h;
}

static HANDLE client(const char *name, DWORD read_mode) {
  HANDLE h = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
  assert_true(h != INVALID_HANDLE_VALUE);
  if (read_mode != 0) {
    DWORD mode = read_mode;
    assert_true(SetNamedPipeHandleState(h, &mode, NULL, NULL));
  }
  return h;
}

/* A connected pair: the server instance (ConnectNamedPipe answered, as a
 * client that came first makes it) and its client. */
static void pair(const char *what, bool messages, HANDLE *srv, HANDLE *cli) {
  char name[128];
  pipe_name(name, sizeof(name), what);
  *srv = server(name, messages ? PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE
                               : PIPE_TYPE_BYTE);
  *cli = client(name, messages ? PIPE_READMODE_MESSAGE : 0);
  OVERLAPPED oc;
  memset(&oc, 0, sizeof(oc));
  oc.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(oc.hEvent);
  if (!ConnectNamedPipe(*srv, &oc))
    assert_int_equal(GetLastError(), ERROR_PIPE_CONNECTED);
  assert_true(CloseHandle(oc.hEvent));
}

/* A read on h, pending (nothing was written). */
static void pending_read(HANDLE h, char *buf, DWORD len, OVERLAPPED *ov) {
  DWORD n = 99;
  assert_false(ReadFile(h, buf, len, &n, ov));
  assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_false(HasOverlappedIoCompleted(ov));
}

/* Closing `reader` under its pending read: the read's packet comes with
 * key 7 and 0 bytes, failed as the pipe broken. `other` is the other end,
 * closed after. */
static void read_closed_under_it(bool messages, bool close_server) {
  HANDLE srv, cli;
  pair(messages ? (close_server ? "ms" : "mc") : (close_server ? "bs" : "bc"),
       messages, &srv, &cli);
  HANDLE reader = close_server ? srv : cli;
  HANDLE other = close_server ? cli : srv;
  HANDLE port = CreateIoCompletionPort(reader, NULL, 7, 0);
  assert_non_null(port);
  char buf[64];
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  pending_read(reader, buf, sizeof(buf), &ov);
  assert_true(CloseHandle(reader));
  DWORD n = 99;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  BOOL ok = w_next(port, &n, &key, &got, 5000);
  DWORD err = GetLastError();
  assert_true(CloseHandle(other));
  assert_false(ok);
  assert_ptr_equal(got, &ov);
  assert_int_equal(key, 7);
  assert_int_equal(n, 0);
  assert_int_equal(ov.InternalHigh, 0);
  assert_int_equal(err, ERROR_BROKEN_PIPE);
  assert_int_equal(ov.Internal, STATUS_PIPE_BROKEN_);
  w_expect_nothing(port, 50);
  assert_true(CloseHandle(port));
}

static void byte_server_read(void **state) {
  (void)state;
  read_closed_under_it(false, true);
}

static void byte_client_read(void **state) {
  (void)state;
  read_closed_under_it(false, false);
}

static void message_server_read(void **state) {
  (void)state;
  read_closed_under_it(true, true);
}

static void message_client_read(void **state) {
  (void)state;
  read_closed_under_it(true, false);
}

/* Without a port: the read's event is signalled, its Internal says the
 * pipe broke; the other end's reads see the pipe broken too. */
static void read_with_an_event(bool messages) {
  HANDLE srv, cli;
  pair(messages ? "em" : "eb", messages, &srv, &cli);
  char buf[64];
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(ov.hEvent);
  pending_read(srv, buf, sizeof(buf), &ov);
  assert_true(CloseHandle(srv));
  assert_int_equal(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
  ULONG_PTR status = ov.Internal;
  DWORD n = 99;
  BOOL read = ReadFile(cli, buf, sizeof(buf), &n, NULL);
  DWORD read_err = GetLastError();
  assert_true(CloseHandle(cli));
  assert_true(CloseHandle(ov.hEvent));
  assert_int_equal(ov.InternalHigh, 0);
  /* The client's end: its server is gone. */
  assert_false(read);
  assert_true(read_err == ERROR_BROKEN_PIPE ||
              read_err == ERROR_PIPE_NOT_CONNECTED);
  assert_int_equal(status, STATUS_PIPE_BROKEN_);
}

static void byte_read_event(void **state) {
  (void)state;
  read_with_an_event(false);
}

static void message_read_event(void **state) {
  (void)state;
  read_with_an_event(true);
}

/* The data written before the close is the read's, not an error: the
 * read that was pending when the data came ends with it, and only the
 * read pending at the close ends broken. */
static void data_first_then_close(void **state) {
  (void)state;
  HANDLE srv, cli;
  pair("data", false, &srv, &cli);
  HANDLE port = CreateIoCompletionPort(srv, NULL, 9, 0);
  assert_non_null(port);
  char buf[64], buf2[64];
  OVERLAPPED ov, ov2;
  memset(&ov, 0, sizeof(ov));
  memset(&ov2, 0, sizeof(ov2));
  pending_read(srv, buf, sizeof(buf), &ov);
  DWORD n = 0;
  assert_true(WriteFile(cli, "hello", 5, &n, NULL) ||
              GetLastError() == ERROR_IO_PENDING);
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(n, 5);
  assert_memory_equal(buf, "hello", 5);
  pending_read(srv, buf2, sizeof(buf2), &ov2);
  assert_true(CloseHandle(srv));
  BOOL ok = w_next(port, &n, &key, &got, 5000);
  DWORD err = GetLastError();
  assert_true(CloseHandle(cli));
  assert_false(ok);
  assert_ptr_equal(got, &ov2);
  assert_int_equal(n, 0);
  assert_int_equal(err, ERROR_BROKEN_PIPE);
  w_expect_nothing(port, 50);
  assert_true(CloseHandle(port));
}

/* The other end after a close, on handles without FILE_FLAG_OVERLAPPED
 * (message pipes): what was written before the close is still read, a
 * message of 0 bytes too; then reads and PeekNamedPipe fail with
 * ERROR_BROKEN_PIPE and writes with ERROR_NO_DATA. Either end may close. */
static void other_end_after_close(bool server_closes, DWORD len) {
  static const char data[] = "Hello World";
  char name[128];
  pipe_name(name, sizeof(name), server_closes ? "os" : "oc");
  HANDLE srv =
      CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX,
                       PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT, 1,
                       1024, 1024, 0, NULL);
  assert_true(srv != INVALID_HANDLE_VALUE);
  HANDLE cli = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                           OPEN_EXISTING, 0, NULL);
  assert_true(cli != INVALID_HANDLE_VALUE);
  HANDLE closer = server_closes ? srv : cli;
  HANDLE stays = server_closes ? cli : srv;
  DWORD n = 99, avail = 99;
  assert_true(WriteFile(closer, data, len, &n, NULL));
  assert_int_equal(n, len);
  if (len > 0) {
    assert_true(PeekNamedPipe(stays, NULL, 0, NULL, &avail, NULL));
    assert_int_equal(avail, len);
  }
  assert_true(CloseHandle(closer));
  char buf[32];
  memset(buf, 0, sizeof(buf));
  n = 99;
  assert_true(ReadFile(stays, buf, sizeof(buf), &n, NULL));
  assert_int_equal(n, len);
  assert_memory_equal(buf, data, len);
  DWORD mode = PIPE_READMODE_MESSAGE | PIPE_WAIT;
  assert_true(SetNamedPipeHandleState(stays, &mode, NULL, NULL));
  SetLastError(0);
  assert_false(ReadFile(stays, buf, 0, &n, NULL));
  assert_int_equal(GetLastError(), ERROR_BROKEN_PIPE);
  avail = 0xdeadbeef;
  SetLastError(0);
  assert_false(PeekNamedPipe(stays, NULL, 0, NULL, &avail, NULL));
  assert_int_equal(GetLastError(), ERROR_BROKEN_PIPE);
  assert_int_equal(avail, 0xdeadbeef);
  SetLastError(0);
  assert_false(WriteFile(stays, data, sizeof(data), &n, NULL));
  assert_int_equal(GetLastError(), ERROR_NO_DATA);
  assert_true(CloseHandle(stays));
}

static void server_closes_after_a_message(void **state) {
  (void)state;
  other_end_after_close(true, 12);
}

static void server_closes_after_an_empty_message(void **state) {
  (void)state;
  other_end_after_close(true, 0);
}

static void client_closes_after_a_message(void **state) {
  (void)state;
  other_end_after_close(false, 12);
}

static void client_closes_after_an_empty_message(void **state) {
  (void)state;
  other_end_after_close(false, 0);
}

/* A client that came first: ConnectNamedPipe fails with
 * ERROR_PIPE_CONNECTED and its OVERLAPPED stays marked pending (nothing
 * ends through it: no event, no packet). */
static void connect_answered_at_once(void **state) {
  (void)state;
  char name[128];
  pipe_name(name, sizeof(name), "first");
  HANDLE srv = server(name, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE);
  HANDLE cli = client(name, 0);
  HANDLE port = CreateIoCompletionPort(srv, NULL, 3, 0);
  assert_non_null(port);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(ov.hEvent);
  SetLastError(0);
  assert_false(ConnectNamedPipe(srv, &ov));
  assert_int_equal(GetLastError(), ERROR_PIPE_CONNECTED);
  assert_int_equal(ov.Internal, STATUS_PENDING);
  assert_false(HasOverlappedIoCompleted(&ov));
  assert_int_equal(WaitForSingleObject(ov.hEvent, 50), WAIT_TIMEOUT);
  w_expect_nothing(port, 50);
  /* The same OVERLAPPED serves the next call, as Microsoft's overlapped
   * pipe server uses it. */
  DWORD n = 0;
  assert_true(WriteFile(cli, "hi", 2, &n, NULL));
  char buf[8];
  if (!ReadFile(srv, buf, sizeof(buf), &n, &ov))
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(n, 2);
  assert_memory_equal(buf, "hi", 2);
  assert_true(CloseHandle(ov.hEvent));
  assert_true(CloseHandle(cli));
  assert_true(CloseHandle(srv));
  assert_true(CloseHandle(port));
}

/* An overlapped read of 0 bytes on a byte pipe waits for data, then ends
 * with 0 bytes and leaves the data to the next read. */
static void zero_byte_read_waits_for_data(void **state) {
  (void)state;
  HANDLE srv, cli;
  pair("zero", false, &srv, &cli);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(ov.hEvent);
  char buf[8];
  DWORD n = 0xdeadbeef;
  SetLastError(0);
  assert_false(ReadFile(srv, buf, 0, &n, &ov));
  assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_int_equal(n, 0);
  assert_int_equal(WaitForSingleObject(ov.hEvent, 100), WAIT_TIMEOUT);
  assert_false(HasOverlappedIoCompleted(&ov));
  assert_true(WriteFile(cli, "x", 1, &n, NULL));
  assert_int_equal(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
  assert_true(GetOverlappedResult(srv, &ov, &n, FALSE));
  assert_int_equal(n, 0);
  assert_int_equal(ov.Internal, 0);
  memset(buf, 0, sizeof(buf));
  HANDLE ev = ov.hEvent;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = ev;
  if (!ReadFile(srv, buf, 1, &n, &ov)) {
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
    assert_true(GetOverlappedResult(srv, &ov, &n, TRUE));
  }
  assert_int_equal(n, 1);
  assert_int_equal(buf[0], 'x');
  assert_true(CloseHandle(ev));
  assert_true(CloseHandle(cli));
  assert_true(CloseHandle(srv));
}

/* A handle joins a port while its read is pending (started with no port):
 * on Windows the read's packet comes to that port (Wine's conformance
 * test of completion ports). cport refuses the join instead (the
 * read's packet would go to the layer's own port): documented in
 * docs/porting.md; the read is not lost, it ends as without the port. */
static void join_a_port_with_a_read_pending(bool messages) {
  HANDLE srv, cli;
  pair(messages ? "jm" : "jb", messages, &srv, &cli);
  char buf[8];
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(ov.hEvent);
  pending_read(srv, buf, sizeof(buf), &ov);
  HANDLE port = CreateIoCompletionPort(srv, NULL, 5, 0);
  DWORD join_err = GetLastError();
  DWORD n = 0;
  assert_true(WriteFile(cli, "abc", 3, &n, NULL));
  assert_int_equal(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
  assert_true(GetOverlappedResult(srv, &ov, &n, FALSE));
  assert_int_equal(n, 3);
  assert_memory_equal(buf, "abc", 3);
  if (port == NULL) {
    assert_int_equal(join_err, ERROR_INVALID_PARAMETER);
    assert_true(CloseHandle(ov.hEvent));
    assert_true(CloseHandle(cli));
    assert_true(CloseHandle(srv));
    H_SKIP("cport: a handle cannot join a port while its ops are pending; "
           "see docs/porting.md");
  }
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(key, 5);
  assert_int_equal(n, 3);
  assert_true(CloseHandle(ov.hEvent));
  assert_true(CloseHandle(cli));
  assert_true(CloseHandle(srv));
  assert_true(CloseHandle(port));
}

static void join_with_a_byte_read_pending(void **state) {
  (void)state;
  join_a_port_with_a_read_pending(false);
}

static void join_with_a_message_read_pending(void **state) {
  (void)state;
  join_a_port_with_a_read_pending(true);
}

/* CancelIoEx of a read queued behind another pending read ends it at
 * once (ERROR_OPERATION_ABORTED) while the first keeps waiting, and a
 * second CancelIoEx of it finds nothing (Wine's test_blocking_rw, on
 * Windows). */
static void cancel_a_queued_read(bool messages) {
  HANDLE s, c;
  pair(messages ? "queued-cancel-m" : "queued-cancel-b", messages, &s, &c);
  char b0[4], b1[4];
  OVERLAPPED r0, r1;
  memset(&r0, 0, sizeof(r0));
  memset(&r1, 0, sizeof(r1));
  r0.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  r1.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(r0.hEvent);
  assert_non_null(r1.hEvent);
  pending_read(s, b0, 1, &r0);
  pending_read(s, b1, 1, &r1);
  assert_true(CancelIoEx(s, &r1));
  assert_int_equal(WaitForSingleObject(r1.hEvent, 1000), WAIT_OBJECT_0);
  DWORD n = 9;
  assert_false(GetOverlappedResult(s, &r1, &n, FALSE));
  assert_int_equal(GetLastError(), ERROR_OPERATION_ABORTED);
  assert_int_equal(n, 0);
  assert_int_equal(WaitForSingleObject(r0.hEvent, 0), WAIT_TIMEOUT);
  assert_false(CancelIoEx(s, &r1));
  assert_int_equal(GetLastError(), ERROR_NOT_FOUND);
  /* The first read takes the next write. */
  OVERLAPPED wo;
  memset(&wo, 0, sizeof(wo));
  wo.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(wo.hEvent);
  if (!WriteFile(c, "z", 1, &n, &wo))
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_true(GetOverlappedResult(c, &wo, &n, TRUE));
  assert_true(GetOverlappedResult(s, &r0, &n, TRUE));
  assert_int_equal(n, 1);
  assert_int_equal(b0[0], 'z');
  assert_true(CloseHandle(c));
  assert_true(CloseHandle(s));
  assert_true(CloseHandle(wo.hEvent));
  assert_true(CloseHandle(r0.hEvent));
  assert_true(CloseHandle(r1.hEvent));
}

static void cancel_a_queued_byte_read(void **state) {
  (void)state;
  cancel_a_queued_read(false);
}

static void cancel_a_queued_message_read(void **state) {
  (void)state;
  cancel_a_queued_read(true);
}

struct blocked_read {
  HANDLE h;
  BOOL ok;
  DWORD err;
};

static DWORD WINAPI read_thread(LPVOID arg) {
  struct blocked_read *r = arg;
  char buf[16];
  DWORD n = 0;
  r->ok = ReadFile(r->h, buf, sizeof(buf), &n, NULL);
  r->err = GetLastError();
  return 0;
}

/* A client that connected before the server's ConnectNamedPipe is that
 * instance's: DisconnectNamedPipe drops it (its read fails at once, not
 * waiting for ever), and the next ConnectNamedPipe waits for a new
 * client instead of taking the dropped one (Wine's
 * test_DisconnectNamedPipe and test_wait_pipe, on Windows). */
static void disconnect_before_any_connect(void **state) {
  (void)state;
  char name[128];
  pipe_name(name, sizeof(name), "disc-early");
  HANDLE s = server(name, PIPE_TYPE_BYTE);
  HANDLE c = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         OPEN_EXISTING, 0, NULL);
  assert_true(c != INVALID_HANDLE_VALUE);
  assert_true(DisconnectNamedPipe(s));
  struct blocked_read r = {c, TRUE, 0};
  HANDLE t = CreateThread(NULL, 0, read_thread, &r, 0, NULL);
  assert_non_null(t);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  assert_true(CloseHandle(t));
  assert_false(r.ok);
#if defined(_WIN32)
  assert_int_equal(r.err, ERROR_PIPE_NOT_CONNECTED);
#else
  assert_int_equal(r.err, ERROR_BROKEN_PIPE); /* docs/porting.md */
#endif
  assert_true(CloseHandle(c));
  /* The next connect waits for a new client, and gets it. */
  OVERLAPPED oc;
  memset(&oc, 0, sizeof(oc));
  oc.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(oc.hEvent);
  assert_false(ConnectNamedPipe(s, &oc));
  assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_int_equal(WaitForSingleObject(oc.hEvent, 100), WAIT_TIMEOUT);
  c = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0,
                  NULL);
  assert_true(c != INVALID_HANDLE_VALUE);
  DWORD n = 0;
  assert_true(GetOverlappedResult(s, &oc, &n, TRUE));
  assert_true(WriteFile(c, "ok", 2, &n, NULL));
  char buf[4];
  OVERLAPPED ro;
  memset(&ro, 0, sizeof(ro));
  ro.hEvent = oc.hEvent;
  if (!ReadFile(s, buf, sizeof(buf), &n, &ro))
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_true(GetOverlappedResult(s, &ro, &n, TRUE));
  assert_int_equal(n, 2);
  assert_memory_equal(buf, "ok", 2);
  assert_true(CloseHandle(c));
  assert_true(CloseHandle(s));
  assert_true(CloseHandle(oc.hEvent));
}

/* Once an overlapped ConnectNamedPipe's event is set the instance is
 * connected, and its OVERLAPPED is free: a read started at once, with
 * that OVERLAPPED or another, is taken, whether or not the connect's
 * result was looked at (Wine's test_readfileex_pending, on Windows). A
 * handle on no port: the layer's own thread ends the connect. */
static void read_right_after_the_connect_event(void **state) {
  (void)state;
  char name[128];
  pipe_name(name, sizeof(name), "connect-event");
  for (int i = 0; i < 100; i++) {
    HANDLE s = server(name, PIPE_TYPE_BYTE);
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    assert_non_null(ev);
    OVERLAPPED ov, own;
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = ev;
    if (!ConnectNamedPipe(s, &ov))
      assert_int_equal(GetLastError(), ERROR_IO_PENDING);
    HANDLE c = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                           OPEN_EXISTING, 0, NULL);
    assert_true(c != INVALID_HANDLE_VALUE);
    assert_int_equal(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
    assert_true(ResetEvent(ev));
    memset(&own, 0, sizeof(own));
    own.hEvent = ev;
    OVERLAPPED *ro = (i & 1) ? &own : &ov; /* (Wine's reuses the connect's) */
    char buf[8];
    DWORD n = 0;
    if (!ReadFile(s, buf, sizeof(buf), &n, ro))
      assert_int_equal(GetLastError(), ERROR_IO_PENDING);
    assert_true(WriteFile(c, "x", 1, &n, NULL));
    assert_true(GetOverlappedResult(s, ro, &n, TRUE));
    assert_int_equal(n, 1);
    assert_int_equal(buf[0], 'x');
    assert_true(CloseHandle(c));
    assert_true(CloseHandle(s));
    assert_true(CloseHandle(ev));
  }
}

/* GetNamedPipeHandleState: the read mode and the name's instances, from
 * either end; GetNamedPipeInfo of a client end: the pipe's sizes and
 * instance limit (Wine's test_CreatePipe checks the write end's, on
 * Windows). */
static void handle_state_and_client_info(void **state) {
  (void)state;
  char name[128];
  pipe_name(name, sizeof(name), "state");
  HANDLE s1 = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX,
                               PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 3,
                               2048, 2048, 0, NULL);
  assert_true(s1 != INVALID_HANDLE_VALUE);
  DWORD st = 99, inst = 99;
  assert_true(GetNamedPipeHandleStateA(s1, &st, &inst, NULL, NULL, NULL, 0));
  assert_int_equal(st, PIPE_READMODE_MESSAGE);
  assert_int_equal(inst, 1);
  HANDLE s2 = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX,
                               PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 3,
                               2048, 2048, 0, NULL);
  assert_true(s2 != INVALID_HANDLE_VALUE);
  HANDLE c = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         OPEN_EXISTING, 0, NULL);
  assert_true(c != INVALID_HANDLE_VALUE);
  assert_true(GetNamedPipeHandleStateA(c, &st, &inst, NULL, NULL, NULL, 0));
  assert_int_equal(st, 0); /* a client starts in byte read mode */
  assert_int_equal(inst, 2);
  DWORD flags = 99, out = 0, in = 0, max = 0;
  assert_true(GetNamedPipeInfo(c, &flags, &out, &in, &max));
  assert_int_equal(flags, PIPE_CLIENT_END | PIPE_TYPE_MESSAGE);
  assert_int_equal(out, 2048);
  assert_int_equal(in, 2048);
  assert_int_equal(max, 3);
  HANDLE r, w;
  assert_true(CreatePipe(&r, &w, NULL, 0));
  assert_true(GetNamedPipeInfo(w, &flags, &out, &in, &max));
  assert_int_equal(flags, PIPE_CLIENT_END);
  assert_int_equal(out, 4096);
  assert_int_equal(in, 4096);
  assert_int_equal(max, 1);
  assert_true(CloseHandle(r));
  assert_true(CloseHandle(w));
#if !defined(_WIN32) /* the layer's answers where Windows says "must" */
  DWORD coll = 0;
  assert_false(GetNamedPipeHandleStateA(s1, NULL, NULL, &coll, NULL, NULL, 0));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  char user[8];
  assert_false(GetNamedPipeHandleStateA(c, NULL, NULL, NULL, NULL, user, 8));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
#endif
  assert_true(CloseHandle(c));
  assert_true(CloseHandle(s2));
  assert_true(CloseHandle(s1));
}

/* Error codes Wine's test_CreateNamedPipe asserts on Windows: a NULL
 * name, ConnectNamedPipe on a client's end, PeekNamedPipe on an instance
 * no client has. */
static void small_error_codes(void **state) {
  (void)state;
  assert_true(CreateNamedPipeA(NULL, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1,
                               1024, 1024, 0, NULL) == INVALID_HANDLE_VALUE);
  assert_int_equal(GetLastError(), ERROR_PATH_NOT_FOUND);
  char name[128];
  pipe_name(name, sizeof(name), "codes");
  HANDLE s = server(name, PIPE_TYPE_BYTE);
  DWORD avail = 7;
  assert_false(PeekNamedPipe(s, NULL, 0, NULL, &avail, NULL));
  assert_int_equal(GetLastError(), ERROR_BAD_PIPE);
  HANDLE c = client(name, 0);
  assert_false(ConnectNamedPipe(c, NULL));
  assert_int_equal(GetLastError(), ERROR_INVALID_FUNCTION);
  assert_true(CloseHandle(c));
  assert_true(CloseHandle(s));
}

/* A message pipe read in byte read mode (a client's, as CreateFile opens
 * it) reads across message boundaries (Wine's test_CreateNamedPipe: 11
 * and 10 bytes written, 21 read in one ReadFile, on Windows). */
static void byte_mode_reads_join_messages(void **state) {
  (void)state;
  HANDLE s, c;
  pair("join", true, &s, &c);
  DWORD mode = 0; /* PIPE_READMODE_BYTE */
  assert_true(SetNamedPipeHandleState(c, &mode, NULL, NULL));
  OVERLAPPED wo;
  memset(&wo, 0, sizeof(wo));
  wo.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(wo.hEvent);
  const char *msgs[3] = {"Bit Bucket", "More bits", "0123456789abcd"};
  DWORD n = 0;
  for (int i = 0; i < 3; i++) {
    if (!WriteFile(s, msgs[i], (DWORD)strlen(msgs[i]) + 1, &n, &wo))
      assert_int_equal(GetLastError(), ERROR_IO_PENDING);
    assert_true(GetOverlappedResult(s, &wo, &n, TRUE));
  }
  char buf[32];
  OVERLAPPED ro;
  memset(&ro, 0, sizeof(ro));
  ro.hEvent = wo.hEvent;
  if (!ReadFile(c, buf, 21, &n, &ro))
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_true(GetOverlappedResult(c, &ro, &n, TRUE));
  assert_int_equal(n, 21);
  assert_memory_equal(buf, "Bit Bucket\0More bits\0", 21);
  /* Part of a message, then the rest of it: no ERROR_MORE_DATA. */
  if (!ReadFile(c, buf, 4, &n, &ro))
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_true(GetOverlappedResult(c, &ro, &n, TRUE));
  assert_int_equal(n, 4);
  if (!ReadFile(c, buf, sizeof(buf), &n, &ro))
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_true(GetOverlappedResult(c, &ro, &n, TRUE));
  assert_int_equal(n, 11);
  assert_memory_equal(buf, "456789abcd", 11);
  assert_true(CloseHandle(c));
  assert_true(CloseHandle(s));
  assert_true(CloseHandle(wo.hEvent));
}

/* CreatePipe, as Wine's conformance test of it uses one: a byte pipe of
 * plain handles, its read end the server end of one instance; data
 * written before the write end closed is read, then ERROR_BROKEN_PIPE; a
 * write with the read end closed fails with ERROR_NO_DATA. */
static void anonymous_pipe(void **state) {
  (void)state;
  HANDLE r, w, r2, w2;
  assert_true(CreatePipe(&r, &w, NULL, 0));
  assert_true(CreatePipe(&r2, &w2, NULL, 0)); /* a second one at once */
  assert_int_equal(GetFileType(r), FILE_TYPE_PIPE);
  assert_int_equal(GetFileType(w), FILE_TYPE_PIPE);
  DWORD flags = 0, instances = 0;
  assert_true(GetNamedPipeInfo(r, &flags, NULL, NULL, &instances));
  assert_int_equal(flags, PIPE_SERVER_END | PIPE_TYPE_BYTE);
  assert_int_equal(instances, 1);
  DWORD n = 0;
  assert_true(WriteFile(w, "hello", 6, &n, NULL));
  assert_int_equal(n, 6);
  assert_true(WriteFile(w2, "other", 6, &n, NULL));
  char buf[64];
  assert_true(ReadFile(r, buf, sizeof(buf), &n, NULL));
  assert_int_equal(n, 6);
  assert_string_equal(buf, "hello");
  assert_true(ReadFile(r2, buf, sizeof(buf), &n, NULL));
  assert_string_equal(buf, "other");
  DWORD avail = 1;
  assert_true(PeekNamedPipe(r, NULL, 0, NULL, &avail, NULL));
  assert_int_equal(avail, 0);
  /* Data written before the close is read; then the pipe is broken. */
  assert_true(WriteFile(w, "last", 5, &n, NULL));
  assert_true(CloseHandle(w));
  assert_true(ReadFile(r, buf, sizeof(buf), &n, NULL));
  assert_int_equal(n, 5);
  n = 7;
  assert_false(ReadFile(r, buf, sizeof(buf), &n, NULL));
  assert_int_equal(GetLastError(), ERROR_BROKEN_PIPE);
  assert_int_equal(n, 0);
  assert_true(CloseHandle(r));
  /* The read end gone, a write fails. */
  assert_true(CloseHandle(r2));
  assert_false(WriteFile(w2, "x", 1, &n, NULL));
  assert_int_equal(GetLastError(), ERROR_NO_DATA);
  assert_true(CloseHandle(w2));
  /* A bigger chunk than the size asked, written before its reader reads,
   * comes whole and in order. */
  enum { BIG = 32768 };
  static unsigned char big[BIG], back[BIG];
  for (int i = 0; i < BIG; i++)
    big[i] = (unsigned char)(i * 7);
  assert_true(CreatePipe(&r, &w, NULL, BIG + 24));
  assert_true(WriteFile(w, big, BIG, &n, NULL));
  assert_int_equal(n, BIG);
  assert_true(CloseHandle(w));
  DWORD got = 0;
  while (got < BIG) {
    assert_true(ReadFile(r, back + got, BIG - got, &n, NULL));
    assert_true(n > 0);
    got += n;
  }
  assert_memory_equal(back, big, BIG);
  assert_false(ReadFile(r, buf, sizeof(buf), &n, NULL));
  assert_int_equal(GetLastError(), ERROR_BROKEN_PIPE);
  assert_true(CloseHandle(r));
#if !defined(_WIN32)
  assert_false(CreatePipe(NULL, &w, NULL, 0));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(byte_server_read),
      cmocka_unit_test(byte_client_read),
      cmocka_unit_test(message_server_read),
      cmocka_unit_test(message_client_read),
      cmocka_unit_test(byte_read_event),
      cmocka_unit_test(message_read_event),
      cmocka_unit_test(data_first_then_close),
      cmocka_unit_test(server_closes_after_a_message),
      cmocka_unit_test(server_closes_after_an_empty_message),
      cmocka_unit_test(client_closes_after_a_message),
      cmocka_unit_test(client_closes_after_an_empty_message),
      cmocka_unit_test(connect_answered_at_once),
      cmocka_unit_test(zero_byte_read_waits_for_data),
      cmocka_unit_test(join_with_a_byte_read_pending),
      cmocka_unit_test(join_with_a_message_read_pending),
      cmocka_unit_test(anonymous_pipe),
      cmocka_unit_test(cancel_a_queued_byte_read),
      cmocka_unit_test(cancel_a_queued_message_read),
      cmocka_unit_test(disconnect_before_any_connect),
      cmocka_unit_test(read_right_after_the_connect_event),
      cmocka_unit_test(handle_state_and_client_info),
      cmocka_unit_test(small_error_codes),
      cmocka_unit_test(byte_mode_reads_join_messages),
  };
  return W_RUN("win32-pipe-corners", tests);
}
