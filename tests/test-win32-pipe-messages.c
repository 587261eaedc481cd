/*
 * test-win32-pipe-messages.c - message pipes (PIPE_TYPE_MESSAGE) with
 * overlapped I/O, written only against the Win32 API: the shape of
 * Microsoft's "Named Pipe Server Using Overlapped I/O" sample (instances
 * opened with FILE_FLAG_OVERLAPPED, an event per instance,
 * WaitForMultipleObjects, GetOverlappedResult), the same on a completion
 * port (packets, keys, ERROR_MORE_DATA for a message longer than the
 * read), reads that end in the order they were started, pending ops
 * ended by CancelIoEx, DisconnectNamedPipe and CloseHandle, the
 * completion-routine sample's shape (ReadFileEx, WriteFileEx),
 * DisconnectNamedPipe of an instance whose ConnectNamedPipe's result was
 * not taken (its client must not hang) or under a byte pipe's pending
 * read, clients that open a byte or message pipe at the same moment, each
 * taking an instance, a skip-mode byte read that meets the end, and a
 * client of another process queued while every instance was busy or
 * disconnected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(_WIN32)
#  include <sys/wait.h>
#  include <unistd.h>
#endif

#include "win32-util.h"

static void pipe_name(char *out, size_t size, const char *what) {
  snprintf(out, size, "\\\\.\\pipe\\cport-msg-%u-%s",
           (unsigned)GetCurrentProcessId(), what);
}

static HANDLE message_server(const char *name, DWORD max) {
  HANDLE h =
      CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                       PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT,
                       max, 4096, 4096, 5000, NULL);
  assert_true(h != INVALID_HANDLE_VALUE);
  return h;
}

/* A client in message read mode, without FILE_FLAG_OVERLAPPED. */
static HANDLE message_client(const char *name) {
  HANDLE h = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         OPEN_EXISTING, 0, NULL);
  assert_true(h != INVALID_HANDLE_VALUE);
  DWORD mode = PIPE_READMODE_MESSAGE;
  assert_true(SetNamedPipeHandleState(h, &mode, NULL, NULL));
  return h;
}

/* An overlapped call that is pending (or done at once): TRUE, or FALSE
 * with ERROR_IO_PENDING. */
static void started(BOOL ok) {
  if (!ok)
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
}

/* The sample's loop: two instances, an event each, a client each; every
 * request read, answered, and the reply read by its client. */
static void overlapped_server_with_events(void **state) {
  (void)state;
  char name[128];
  pipe_name(name, sizeof(name), "events");
  enum { N = 2 };
  HANDLE pipe[N], ev[N], c[N];
  OVERLAPPED ov[N];
  for (int i = 0; i < N; i++) {
    pipe[i] = message_server(name, N);
    ev[i] = CreateEventA(NULL, TRUE, TRUE, NULL);
    assert_non_null(ev[i]);
    memset(&ov[i], 0, sizeof(ov[i]));
    ov[i].hEvent = ev[i];
    /* "ConnectNamedPipe should return zero" for an overlapped one. */
    assert_false(ConnectNamedPipe(pipe[i], &ov[i]));
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
    assert_int_equal(WaitForSingleObject(ev[i], 0), WAIT_TIMEOUT);
  }
  for (int i = 0; i < N; i++)
    c[i] = message_client(name);
  DWORD n = 0;
  for (int got = 0; got < N; got++) {
    DWORD w = WaitForMultipleObjects(N, ev, FALSE, 5000);
    assert_true(w < WAIT_OBJECT_0 + N);
    int i = (int)(w - WAIT_OBJECT_0);
    assert_true(GetOverlappedResult(pipe[i], &ov[i], &n, FALSE));
    ResetEvent(ev[i]);
  }
  for (int i = 0; i < N; i++) {
    char req[32];
    snprintf(req, sizeof(req), "request %d", i);
    assert_true(WriteFile(c[i], req, (DWORD)strlen(req), &n, NULL));
  }
  /* Which instance each client got is the system's choice: each server
   * instance answers the request it read, and each client checks its own
   * answer. */
  for (int i = 0; i < N; i++) {
    char buf[64], reply[80];
    memset(&ov[i], 0, sizeof(ov[i]));
    ov[i].hEvent = ev[i];
    started(ReadFile(pipe[i], buf, sizeof(buf), NULL, &ov[i]));
    assert_true(GetOverlappedResult(pipe[i], &ov[i], &n, TRUE));
    assert_int_equal(n, strlen("request 0"));
    assert_memory_equal(buf, "request ", 8);
    int len = snprintf(reply, sizeof(reply), "re: %.*s", (int)n, buf);
    memset(&ov[i], 0, sizeof(ov[i]));
    ov[i].hEvent = ev[i];
    started(WriteFile(pipe[i], reply, (DWORD)len, NULL, &ov[i]));
    assert_int_equal(WaitForSingleObject(ev[i], 5000), WAIT_OBJECT_0);
    assert_true(GetOverlappedResult(pipe[i], &ov[i], &n, FALSE));
    assert_int_equal(n, (DWORD)len);
  }
  for (int i = 0; i < N; i++) {
    char buf[64], want[32];
    snprintf(want, sizeof(want), "re: request %d", i);
    assert_true(ReadFile(c[i], buf, sizeof(buf), &n, NULL));
    assert_int_equal(n, strlen(want));
    assert_memory_equal(buf, want, n);
  }
  /* The clients go: each instance's next read says so. */
  for (int i = 0; i < N; i++)
    assert_true(CloseHandle(c[i]));
  for (int i = 0; i < N; i++) {
    char buf[8];
    memset(&ov[i], 0, sizeof(ov[i]));
    ov[i].hEvent = ev[i];
    BOOL ok = ReadFile(pipe[i], buf, sizeof(buf), NULL, &ov[i]);
    if (!ok && GetLastError() == ERROR_IO_PENDING)
      ok = GetOverlappedResult(pipe[i], &ov[i], &n, TRUE);
    assert_false(ok);
    assert_int_equal(GetLastError(), ERROR_BROKEN_PIPE);
    assert_true(DisconnectNamedPipe(pipe[i]));
    assert_true(CloseHandle(pipe[i]));
    assert_true(CloseHandle(ev[i]));
  }
}

/* Through a port: the connect's packet, a message longer than the read
 * (ERROR_MORE_DATA with the bytes that fit, the rest for the next read),
 * reads ending in the order they were started, and writes. */
static void overlapped_on_a_port(void **state) {
  (void)state;
  char name[128];
  pipe_name(name, sizeof(name), "port");
  HANDLE pipe = message_server(name, 1);
  HANDLE port = CreateIoCompletionPort(pipe, NULL, 21, 0);
  assert_non_null(port);
  OVERLAPPED oc;
  memset(&oc, 0, sizeof(oc));
  assert_false(ConnectNamedPipe(pipe, &oc));
  assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  HANDLE c = message_client(name);
  DWORD n = 0;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &oc);
  assert_int_equal(key, 21);
  /* Three reads posted before any message. */
  char b1[4], b2[16], b3[16];
  OVERLAPPED r1, r2, r3;
  memset(&r1, 0, sizeof(r1));
  memset(&r2, 0, sizeof(r2));
  memset(&r3, 0, sizeof(r3));
  started(ReadFile(pipe, b1, sizeof(b1), NULL, &r1));
  started(ReadFile(pipe, b2, sizeof(b2), NULL, &r2));
  started(ReadFile(pipe, b3, sizeof(b3), NULL, &r3));
  assert_false(HasOverlappedIoCompleted(&r1));
  assert_true(WriteFile(c, "0123456789", 10, &n, NULL));
  assert_true(WriteFile(c, "second", 6, &n, NULL));
  /* r1: the first 4 bytes, ERROR_MORE_DATA; r2: the rest of it; r3: the
   * second message. */
  assert_false(w_next(port, &n, &key, &got, 5000));
  assert_int_equal(GetLastError(), ERROR_MORE_DATA);
  assert_ptr_equal(got, &r1);
  assert_int_equal(n, 4);
  assert_memory_equal(b1, "0123", 4);
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &r2);
  assert_int_equal(n, 6);
  assert_memory_equal(b2, "456789", 6);
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &r3);
  assert_int_equal(n, 6);
  assert_memory_equal(b3, "second", 6);
  /* A write: one message for the client. */
  OVERLAPPED ow;
  memset(&ow, 0, sizeof(ow));
  started(WriteFile(pipe, "answer", 6, NULL, &ow));
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ow);
  assert_int_equal(n, 6);
  char in[16];
  assert_true(ReadFile(c, in, sizeof(in), &n, NULL));
  assert_int_equal(n, 6);
  assert_memory_equal(in, "answer", 6);
  /* The client's handle is synchronous: its read with an OVERLAPPED is
   * done in the call, and a message longer than the buffer leaves
   * STATUS_BUFFER_OVERFLOW in Internal. */
  memset(&ow, 0, sizeof(ow));
  started(WriteFile(pipe, "0123456789", 10, NULL, &ow));
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ow);
  OVERLAPPED oq;
  memset(&oq, 0, sizeof(oq));
  assert_false(ReadFile(c, in, 4, &n, &oq));
  assert_int_equal(GetLastError(), ERROR_MORE_DATA);
  assert_int_equal(oq.InternalHigh, 4);
  assert_int_equal((DWORD)oq.Internal, 0x80000005u);
  assert_true(ReadFile(c, in, sizeof(in), &n, NULL));
  assert_int_equal(n, 6);
  assert_memory_equal(in, "456789", 6);
  w_expect_nothing(port, 50);
  assert_true(CloseHandle(c));
  assert_true(CloseHandle(pipe));
  assert_true(CloseHandle(port));
}

/* "buffer sizes are advisory" (CreateNamedPipe): a message far larger
 * than the pipe's buffers (and than Linux's default socket buffer) goes
 * whole, once the reader takes it. */
enum { BIG_MSG = 1 << 20 };

struct big_reader {
  HANDLE c;
  char *buf;
  DWORD n;
  BOOL ok;
};

static DWORD WINAPI read_big(LPVOID arg) {
  struct big_reader *r = arg;
  r->ok = ReadFile(r->c, r->buf, BIG_MSG, &r->n, NULL);
  return 0;
}

static void a_message_larger_than_the_buffers(void **state) {
  (void)state;
  char name[128];
  pipe_name(name, sizeof(name), "big");
  HANDLE pipe = message_server(name, 1);
  HANDLE port = CreateIoCompletionPort(pipe, NULL, 22, 0);
  assert_non_null(port);
  OVERLAPPED oc;
  memset(&oc, 0, sizeof(oc));
  assert_false(ConnectNamedPipe(pipe, &oc));
  HANDLE c = message_client(name);
  DWORD n = 0;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &n, &key, &got, 5000));
  char *out = malloc(BIG_MSG), *in = calloc(1, BIG_MSG);
  assert_true(out != NULL && in != NULL);
  for (DWORD i = 0; i < BIG_MSG; i++)
    out[i] = (char)(i * 7 + i / 4096);
  struct big_reader r = {c, in, 0, FALSE};
  HANDLE t = CreateThread(NULL, 0, read_big, &r, 0, NULL);
  assert_non_null(t);
  OVERLAPPED ow;
  memset(&ow, 0, sizeof(ow));
  BOOL ok = WriteFile(pipe, out, BIG_MSG, NULL, &ow);
  DWORD err = ok ? 0 : GetLastError();
#if !defined(_WIN32)
  if (!ok && err == ERROR_NOT_ENOUGH_MEMORY && geteuid() != 0) {
    /* Without CAP_NET_ADMIN a message is held to net.core.wmem_max. */
    CloseHandle(c);
    WaitForSingleObject(t, 5000);
    CloseHandle(t);
    CloseHandle(pipe);
    CloseHandle(port);
    free(out);
    free(in);
    skip();
  }
#endif
  assert_true(ok || err == ERROR_IO_PENDING);
  assert_true(w_next(port, &n, &key, &got, 10000));
  assert_ptr_equal(got, &ow);
  assert_int_equal(n, BIG_MSG);
  assert_int_equal(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
  assert_true(r.ok);
  assert_int_equal(r.n, BIG_MSG);
  assert_memory_equal(in, out, BIG_MSG);
  CloseHandle(t);
  free(out);
  free(in);
  assert_true(CloseHandle(c));
  assert_true(CloseHandle(pipe));
  assert_true(CloseHandle(port));
}

/* DisconnectNamedPipe under a byte pipe's pending overlapped read: the
 * read ends with ERROR_PIPE_NOT_CONNECTED, as a message pipe's does (its
 * connection went, not the handle). */
static void byte_pipe_disconnect_under_a_read(void **state) {
  (void)state;
  char name[128];
  pipe_name(name, sizeof(name), "bytedisc");
  HANDLE pipe = CreateNamedPipeA(
      name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
      PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT, 1, 4096, 4096, 0, NULL);
  assert_true(pipe != INVALID_HANDLE_VALUE);
  HANDLE port = CreateIoCompletionPort(pipe, NULL, 23, 0);
  assert_non_null(port);
  OVERLAPPED oc;
  memset(&oc, 0, sizeof(oc));
  assert_false(ConnectNamedPipe(pipe, &oc));
  HANDLE c = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         OPEN_EXISTING, 0, NULL);
  assert_true(c != INVALID_HANDLE_VALUE);
  DWORD n = 0;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &n, &key, &got, 5000));
  char buf[16];
  OVERLAPPED orr;
  memset(&orr, 0, sizeof(orr));
  started(ReadFile(pipe, buf, sizeof(buf), NULL, &orr));
  Sleep(20);
  assert_true(DisconnectNamedPipe(pipe));
  assert_false(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &orr);
  assert_int_equal(GetLastError(), ERROR_PIPE_NOT_CONNECTED);
  w_expect_nothing(port, 50);
  assert_true(CloseHandle(c));
  assert_true(CloseHandle(pipe));
  assert_true(CloseHandle(port));
}

/* CancelIoEx ends a pending read and a pending connect with
 * ERROR_OPERATION_ABORTED; DisconnectNamedPipe and CloseHandle end what
 * is pending, and no packet is lost. */
static void pending_ops_end_on_cancel_and_close(void **state) {
  (void)state;
  char name[128];
  pipe_name(name, sizeof(name), "cancel");
  HANDLE pipe = message_server(name, 1);
  HANDLE port = CreateIoCompletionPort(pipe, NULL, 22, 0);
  assert_non_null(port);
  OVERLAPPED oc;
  memset(&oc, 0, sizeof(oc));
  assert_false(ConnectNamedPipe(pipe, &oc));
  assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_true(CancelIoEx(pipe, &oc));
  DWORD n = 0;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  assert_false(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &oc);
  assert_int_equal(GetLastError(), ERROR_OPERATION_ABORTED);
  /* Listening again; a client comes. */
  memset(&oc, 0, sizeof(oc));
  assert_false(ConnectNamedPipe(pipe, &oc));
  assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  HANDLE c = message_client(name);
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &oc);
  /* A pending read, cancelled: the message sent after it waits. */
  char buf[16];
  OVERLAPPED r;
  memset(&r, 0, sizeof(r));
  started(ReadFile(pipe, buf, sizeof(buf), NULL, &r));
  assert_true(CancelIoEx(pipe, &r));
  assert_false(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &r);
  assert_int_equal(GetLastError(), ERROR_OPERATION_ABORTED);
  assert_false(CancelIoEx(pipe, &r));
  assert_int_equal(GetLastError(), ERROR_NOT_FOUND);
  assert_true(WriteFile(c, "kept", 4, &n, NULL));
  memset(&r, 0, sizeof(r));
  started(ReadFile(pipe, buf, sizeof(buf), NULL, &r));
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &r);
  assert_int_equal(n, 4);
  assert_memory_equal(buf, "kept", 4);
  /* DisconnectNamedPipe under a pending read: it fails, and the client's
   * end is closed. */
  memset(&r, 0, sizeof(r));
  started(ReadFile(pipe, buf, sizeof(buf), NULL, &r));
  assert_true(DisconnectNamedPipe(pipe));
  assert_false(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &r);
  DWORD err = GetLastError();
  assert_true(err == ERROR_PIPE_NOT_CONNECTED || err == ERROR_BROKEN_PIPE ||
              err == ERROR_OPERATION_ABORTED);
  assert_false(ReadFile(c, buf, sizeof(buf), &n, NULL));
  assert_true(CloseHandle(c));
  /* CloseHandle under a pending connect: its packet still comes. */
  memset(&oc, 0, sizeof(oc));
  assert_false(ConnectNamedPipe(pipe, &oc));
  assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_true(CloseHandle(pipe));
  assert_false(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &oc);
  /* The error is not documented: cancelled, the pipe broken, or (Wine)
   * ERROR_HANDLES_CLOSED (676). */
  err = GetLastError();
  assert_true(err == ERROR_OPERATION_ABORTED || err == ERROR_BROKEN_PIPE ||
              err == 676);
  w_expect_nothing(port, 50);
  assert_true(CloseHandle(port));
}

/* What the completion routines saw. */
static struct {
  int calls;
  DWORD err, bytes;
  OVERLAPPED *ov;
} routine_saw;

static VOID WINAPI on_done(DWORD err, DWORD bytes, LPOVERLAPPED ov) {
  routine_saw.calls++;
  routine_saw.err = err;
  routine_saw.bytes = bytes;
  routine_saw.ov = ov;
}

/* Alertable waits until the routine ran (or 5 s). */
static void run_routine(void) {
  for (int i = 0; i < 500 && routine_saw.calls == 0; i++)
    SleepEx(10, TRUE);
  assert_int_equal(routine_saw.calls, 1);
}

/* The shape of Microsoft's "Named Pipe Server Using Completion Routines":
 * ConnectNamedPipe with an event waited for alertably, then ReadFileEx
 * and WriteFileEx, each routine run by an alertable wait of this thread
 * with the error and the bytes. */
static void completion_routines(void **state) {
  (void)state;
  char name[128];
  pipe_name(name, sizeof(name), "routines");
  HANDLE pipe = message_server(name, 1);
  HANDLE ev = CreateEventA(NULL, TRUE, TRUE, NULL);
  assert_non_null(ev);
  OVERLAPPED oc;
  memset(&oc, 0, sizeof(oc));
  oc.hEvent = ev;
  assert_false(ConnectNamedPipe(pipe, &oc));
  assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  HANDLE c = message_client(name);
  assert_int_equal(WaitForSingleObjectEx(ev, 5000, TRUE), WAIT_OBJECT_0);
  DWORD n = 0;
  assert_true(GetOverlappedResult(pipe, &oc, &n, FALSE));
  char buf[32];
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  memset(&routine_saw, 0, sizeof(routine_saw));
  assert_true(ReadFileEx(pipe, buf, sizeof(buf), &ov, on_done));
  assert_true(WriteFile(c, "hello", 5, &n, NULL));
  run_routine();
  assert_int_equal(routine_saw.err, 0);
  assert_int_equal(routine_saw.bytes, 5);
  assert_ptr_equal(routine_saw.ov, &ov);
  assert_memory_equal(buf, "hello", 5);
  memset(&ov, 0, sizeof(ov));
  memset(&routine_saw, 0, sizeof(routine_saw));
  assert_true(WriteFileEx(pipe, "world!", 6, &ov, on_done));
  run_routine();
  assert_int_equal(routine_saw.err, 0);
  assert_int_equal(routine_saw.bytes, 6);
  assert_true(ReadFile(c, buf, sizeof(buf), &n, NULL));
  assert_int_equal(n, 6);
  assert_memory_equal(buf, "world!", 6);
  /* The client goes: the next read's routine says ERROR_BROKEN_PIPE. */
  assert_true(CloseHandle(c));
  memset(&ov, 0, sizeof(ov));
  memset(&routine_saw, 0, sizeof(routine_saw));
  if (ReadFileEx(pipe, buf, sizeof(buf), &ov, on_done)) {
    run_routine();
    assert_int_equal(routine_saw.err, ERROR_BROKEN_PIPE);
  } else {
    assert_int_equal(GetLastError(), ERROR_BROKEN_PIPE);
  }
  assert_true(CloseHandle(pipe));
  assert_true(CloseHandle(ev));
}

static DWORD WINAPI client_reads(LPVOID arg) {
  HANDLE c = arg;
  char b[16];
  DWORD n = 0;
  BOOL ok = ReadFile(c, b, sizeof(b), &n, NULL);
  DWORD err = ok ? 0 : GetLastError();
  /* "The client receives an error the next time it attempts to access
   * the pipe" (DisconnectNamedPipe): 233 on Windows, the end of the pipe
   * here (docs/porting.md). */
  return !ok && (err == ERROR_PIPE_NOT_CONNECTED || err == ERROR_BROKEN_PIPE);
}

/* The server disconnects right after a client came (before the
 * ConnectNamedPipe's result was taken, or after its event only): the
 * client's blocking read fails, it does not hang; byte and message
 * pipes. */
static void disconnect_before_the_connect_is_taken(void **state) {
  (void)state;
  for (int kind = 0; kind < 4; kind++) {
    bool message = kind & 1, wait_event = kind & 2;
    char name[128];
    pipe_name(name, sizeof(name), message ? "untaken-m" : "untaken-b");
    DWORD mode = message ? PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE
                         : PIPE_TYPE_BYTE | PIPE_READMODE_BYTE;
    HANDLE s = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                                mode | PIPE_WAIT, 1, 4096, 4096, 0, NULL);
    assert_true(s != INVALID_HANDLE_VALUE);
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    OVERLAPPED ov;
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = ev;
    assert_false(ConnectNamedPipe(s, &ov));
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
    HANDLE c = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                           OPEN_EXISTING, 0, NULL);
    assert_true(c != INVALID_HANDLE_VALUE);
    if (wait_event)
      assert_int_equal(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
    assert_true(DisconnectNamedPipe(s));
    HANDLE t = CreateThread(NULL, 0, client_reads, c, 0, NULL);
    assert_non_null(t);
    assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
    DWORD code = 0;
    assert_true(GetExitCodeThread(t, &code));
    assert_int_equal(code, 1);
    DWORD n = 0;
    (void)GetOverlappedResult(s, &ov, &n, TRUE); /* whatever it says: ended */
    assert_true(HasOverlappedIoCompleted(&ov));
    CloseHandle(t);
    CloseHandle(c);
    CloseHandle(ev);
    assert_true(CloseHandle(s));
  }
}

/* Named Pipe Instances: each client connects to one listening instance,
 * so with N instances waiting in ConnectNamedPipe, N clients that open the
 * pipe at once are each served, and every instance's connect ends once.
 * (On io_uring one instance's accept could take several clients ahead of
 * the others: those clients then hung, and the other instances' connects
 * never ended.) */
#define AT_ONCE 4

struct at_once {
  const char *name;
  HANDLE go;
  int id;
  bool ok;
};

static DWORD WINAPI at_once_client(LPVOID arg) {
  struct at_once *c = arg;
  char out[16], in[16];
  int len = snprintf(out, sizeof(out), "client-%d", c->id);
  WaitForSingleObject(c->go, INFINITE);
  HANDLE h = CreateFileA(c->name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         OPEN_EXISTING, 0, NULL);
  if (h == INVALID_HANDLE_VALUE)
    return 1;
  DWORD n = 0, got = 0;
  if (WriteFile(h, out, (DWORD)len, &n, NULL) && n == (DWORD)len &&
      ReadFile(h, in, sizeof(in), &got, NULL))
    c->ok = got == (DWORD)len && memcmp(in, out, (size_t)len) == 0;
  CloseHandle(h);
  return 0;
}

static void clients_at_once(bool message) {
  char name[96];
  pipe_name(name, sizeof(name), message ? "at-once-msg" : "at-once");
  HANDLE port = w_port(0);
  for (int round = 0; round < 10; round++) {
    HANDLE sp[AT_ONCE], th[AT_ONCE];
    OVERLAPPED ov[AT_ONCE];
    struct at_once c[AT_ONCE];
    HANDLE go = CreateEventA(NULL, TRUE, FALSE, NULL);
    for (int i = 0; i < AT_ONCE; i++) {
      sp[i] = CreateNamedPipeA(
          name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
          (message ? PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE : 0) | PIPE_WAIT,
          AT_ONCE, 4096, 4096, 5000, NULL);
      assert_true(sp[i] != INVALID_HANDLE_VALUE);
      assert_ptr_equal(CreateIoCompletionPort(sp[i], port, (ULONG_PTR)i + 1, 0),
                       port);
      memset(&ov[i], 0, sizeof(ov[i]));
      assert_false(ConnectNamedPipe(sp[i], &ov[i]));
      assert_int_equal(GetLastError(), ERROR_IO_PENDING);
      c[i].name = name;
      c[i].go = go;
      c[i].id = i;
      c[i].ok = false;
      th[i] = CreateThread(NULL, 0, at_once_client, &c[i], 0, NULL);
      assert_non_null(th[i]);
    }
    assert_true(SetEvent(go));
    bool connected[AT_ONCE] = {false};
    for (int k = 0; k < AT_ONCE; k++) {
      DWORD n;
      ULONG_PTR key;
      OVERLAPPED *got = NULL;
      if (!GetQueuedCompletionStatus(port, &n, &key, &got, 5000))
        fail_msg("round %d: %d of %d connects ended (error %lu)", round, k,
                 AT_ONCE, (unsigned long)GetLastError());
      int i = (int)key - 1;
      assert_true(i >= 0 && i < AT_ONCE);
      assert_ptr_equal(got, &ov[i]);
      assert_false(connected[i]); /* each instance's connect ends once */
      connected[i] = true;
      char buf[16];
      DWORD r = 0, w = 0;
      OVERLAPPED io;
      memset(&io, 0, sizeof(io));
      io.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
      io.hEvent = (HANDLE)((uintptr_t)io.hEvent | 1); /* no packet */
      BOOL ok = ReadFile(sp[i], buf, sizeof(buf), NULL, &io);
      assert_true(ok || GetLastError() == ERROR_IO_PENDING);
      assert_true(GetOverlappedResult(sp[i], &io, &r, TRUE));
      ok = WriteFile(sp[i], buf, r, NULL, &io);
      assert_true(ok || GetLastError() == ERROR_IO_PENDING);
      assert_true(GetOverlappedResult(sp[i], &io, &w, TRUE));
      assert_int_equal(w, r);
      CloseHandle((HANDLE)((uintptr_t)io.hEvent & ~(uintptr_t)1));
    }
    for (int i = 0; i < AT_ONCE; i++) {
      assert_int_equal(WaitForSingleObject(th[i], 5000), WAIT_OBJECT_0);
      CloseHandle(th[i]);
      if (!c[i].ok)
        fail_msg("round %d: client %d was not served", round, i);
      DisconnectNamedPipe(sp[i]);
      CloseHandle(sp[i]);
    }
    CloseHandle(go);
  }
  w_expect_nothing(port, 50);
  assert_true(CloseHandle(port));
}

static void byte_clients_at_once(void **state) {
  (void)state;
  clients_at_once(false);
}

static void message_clients_at_once(void **state) {
  (void)state;
  clients_at_once(true);
}

/* A byte pipe in skip-on-success mode whose client wrote and left: the
 * read that meets the end fails with ERROR_BROKEN_PIPE, in the call or
 * through the port; it must not report pending with no packet to come
 * (the end found in the call is a success to cport, so skip mode queued
 * nothing). */
static void skip_mode_read_meets_the_end(void **state) {
  (void)state;
  char name[96];
  pipe_name(name, sizeof(name), "skip-end");
  HANDLE port = w_port(0);
  HANDLE sp =
      CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                       PIPE_TYPE_BYTE | PIPE_WAIT, 1, 4096, 4096, 5000, NULL);
  assert_true(sp != INVALID_HANDLE_VALUE);
  assert_ptr_equal(CreateIoCompletionPort(sp, port, 9, 0), port);
  assert_true(SetFileCompletionNotificationModes(
      sp, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  BOOL ok = ConnectNamedPipe(sp, &ov);
  DWORD err = ok ? 0 : GetLastError();
  assert_true(err == ERROR_IO_PENDING || err == ERROR_PIPE_CONNECTED);
  HANDLE c = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         OPEN_EXISTING, 0, NULL);
  assert_true(c != INVALID_HANDLE_VALUE);
  DWORD n = 0;
  ULONG_PTR key;
  OVERLAPPED *got;
  if (err == ERROR_IO_PENDING) {
    assert_true(w_next(port, &n, &key, &got, 5000));
    assert_ptr_equal(got, &ov);
  }
  assert_true(WriteFile(c, "x", 1, &n, NULL));
  assert_true(CloseHandle(c));
  Sleep(50); /* the end is there before the reads */
  char buf[8];
  for (int i = 0; i < 2; i++) {
    memset(&ov, 0, sizeof(ov));
    ok = ReadFile(sp, buf, sizeof(buf), &n, &ov);
    err = ok ? 0 : GetLastError();
    if (err == ERROR_IO_PENDING) { /* then a packet says what happened */
      BOOL pk = w_next(port, &n, &key, &got, 5000);
      err = pk ? 0 : GetLastError();
      assert_ptr_equal(got, &ov);
    }
    if (i == 0) {
      assert_int_equal(err, 0);
      assert_int_equal(n, 1);
    } else {
      assert_int_equal(err, ERROR_BROKEN_PIPE);
    }
  }
  DisconnectNamedPipe(sp);
  assert_true(CloseHandle(sp));
  w_expect_nothing(port, 50);
  assert_true(CloseHandle(port));
}

#if !defined(_WIN32)
/* The client of queued_client_that_wrote_and_closed, in a process of its
 * own (this program run again): 0 once it wrote and closed, 2 when the
 * pipe was busy. */
static int pipe_client(const char *name) {
  HANDLE b = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         OPEN_EXISTING, 0, NULL);
  if (b == INVALID_HANDLE_VALUE)
    return GetLastError() == ERROR_PIPE_BUSY ? 2 : 1;
  DWORD n = 0;
  BOOL ok = WriteFile(b, "req", 4, &n, NULL);
  CloseHandle(b);
  return ok && n == 4 ? 0 : 1;
}

/* A client in another process that wrote and closed while every instance
 * was busy: it cannot see that they are, so it waits in the queue (where
 * Windows refuses it with ERROR_PIPE_BUSY and it tries again). The next
 * instance's ConnectNamedPipe serves its request, its bytes then the
 * end, rather than failing with ERROR_NO_DATA and losing them. */
static void queued_client_that_wrote_and_closed(void **state) {
  (void)state;
  char name[96];
  pipe_name(name, sizeof(name), "queued");
  HANDLE one = message_server(name, 2);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  started(ConnectNamedPipe(one, &ov));
  HANDLE a = message_client(name); /* instance one is busy with a */
  DWORD n = 0;
  assert_true(GetOverlappedResult(one, &ov, &n, TRUE));
  char self[MAX_PATH], cmd[2 * MAX_PATH + 64];
  ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
  assert_true(len > 0);
  self[len] = '\0';
  snprintf(cmd, sizeof(cmd), "'%s' --pipe-client '%s'", self, name);
  int rc = system(cmd);
  assert_true(WIFEXITED(rc));
  if (WEXITSTATUS(rc) == 0) { /* it was queued, wrote and closed */
    HANDLE two = message_server(name, 2);
    BOOL ok = ConnectNamedPipe(two, NULL);
    assert_true(ok || GetLastError() == ERROR_PIPE_CONNECTED);
    char buf[16];
    assert_true(ReadFile(two, buf, sizeof(buf), &n, NULL));
    assert_int_equal(n, 4);
    assert_string_equal(buf, "req");
    assert_false(ReadFile(two, buf, sizeof(buf), &n, NULL));
    assert_int_equal(GetLastError(), ERROR_BROKEN_PIPE);
    assert_true(CloseHandle(two));
  } else {
    assert_int_equal(WEXITSTATUS(rc), 2); /* refused as busy */
  }
  /* Instance one disconnected, a client waiting: pending, then done. */
  assert_true(CloseHandle(a));
  assert_true(DisconnectNamedPipe(one));
  rc = system(cmd); /* queued: no instance can refuse it as busy */
  assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
  assert_true(ResetEvent(ov.hEvent));
  assert_false(ConnectNamedPipe(one, &ov));
  assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_true(GetOverlappedResult(one, &ov, &n, TRUE));
  char buf[16];
  assert_true(ReadFile(one, buf, sizeof(buf), &n, NULL));
  assert_string_equal(buf, "req");
  assert_true(CloseHandle(one));
  assert_true(CloseHandle(ov.hEvent));
}
#endif

int main(int argc, char **argv) {
#if !defined(_WIN32)
  if (argc == 3 && strcmp(argv[1], "--pipe-client") == 0)
    return pipe_client(argv[2]);
#else
  (void)argc;
  (void)argv;
#endif
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(overlapped_server_with_events),
    cmocka_unit_test(overlapped_on_a_port),
    cmocka_unit_test(a_message_larger_than_the_buffers),
    cmocka_unit_test(byte_pipe_disconnect_under_a_read),
    cmocka_unit_test(pending_ops_end_on_cancel_and_close),
    cmocka_unit_test(completion_routines),
    cmocka_unit_test(disconnect_before_the_connect_is_taken),
    cmocka_unit_test(byte_clients_at_once),
    cmocka_unit_test(message_clients_at_once),
    cmocka_unit_test(skip_mode_read_meets_the_end),
#if !defined(_WIN32)
    cmocka_unit_test(queued_client_that_wrote_and_closed),
#endif
  };
  return W_RUN("win32-pipe-messages", tests);
}
