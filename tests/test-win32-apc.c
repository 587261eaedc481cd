/*
 * test-win32-apc.c - asynchronous procedure calls through the Win32 API
 * (real on Windows, the layer on Linux): QueueUserAPC to another thread
 * and to the calling one, the alertable waits that run them (SleepEx,
 * WaitForSingleObjectEx, WSAWaitForMultipleEvents,
 * GetQueuedCompletionStatusEx) and return WAIT_IO_COMPLETION, their
 * order, waits that are not alertable leaving them queued, an APC queued
 * before a thread begins (run first), and the
 * completion routines of WSARecv and WSASend.
 */
#include "win32-util.h"

struct apc_probe {
  volatile LONG ran;
  DWORD ran_on; /* the thread id the APC ran on */
  LONG order[4];
  volatile LONG n;
};

static VOID NTAPI note_apc(ULONG_PTR data) {
  struct apc_probe *p = (struct apc_probe *)data;
  p->ran_on = GetCurrentThreadId();
  InterlockedIncrement(&p->ran);
}

static struct apc_probe *ordered;

static VOID NTAPI note_order(ULONG_PTR data) {
  LONG i = InterlockedIncrement(&ordered->n) - 1;
  if (i < 4)
    ordered->order[i] = (LONG)data;
}

struct sleeper {
  HANDLE ready;
  DWORD result;
  DWORD id;
};

static DWORD WINAPI sleep_alertable(LPVOID arg) {
  struct sleeper *s = arg;
  s->id = GetCurrentThreadId();
  SetEvent(s->ready);
  s->result = SleepEx(INFINITE, TRUE);
  return 0;
}

/* An APC queued to a thread asleep in SleepEx(alertable) runs on that
 * thread and ends its sleep with WAIT_IO_COMPLETION. */
static void apc_wakes_an_alertable_sleep(void **state) {
  (void)state;
  struct sleeper s;
  memset(&s, 0, sizeof(s));
  s.ready = CreateEvent(NULL, TRUE, FALSE, NULL);
  struct apc_probe p;
  memset(&p, 0, sizeof(p));
  HANDLE t = CreateThread(NULL, 0, sleep_alertable, &s, 0, NULL);
  assert_non_null(t);
  assert_int_equal(WaitForSingleObject(s.ready, 5000), WAIT_OBJECT_0);
  Sleep(50); /* asleep by now */
  assert_true(QueueUserAPC(note_apc, t, (ULONG_PTR)&p) != 0);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  assert_int_equal(s.result, WAIT_IO_COMPLETION);
  assert_int_equal(p.ran, 1);
  assert_int_equal(p.ran_on, s.id);
  CloseHandle(t);
  CloseHandle(s.ready);
}

/* A thread waiting on its own pseudo handle (GetCurrentThread(), "the
 * current thread handle") waits for something that cannot come while it
 * waits: the time runs out, or, alertable, its APCs end the wait, the
 * usual loop of a thread driven by completion routines. */
static void wait_on_the_current_thread(void **state) {
  (void)state;
  ULONGLONG t0 = w_now_ms();
  assert_int_equal(WaitForSingleObject(GetCurrentThread(), 50), WAIT_TIMEOUT);
  assert_true(w_now_ms() - t0 >= 40);
  struct apc_probe p;
  memset(&p, 0, sizeof(p));
  assert_true(QueueUserAPC(note_apc, GetCurrentThread(), (ULONG_PTR)&p) != 0);
  assert_int_equal(WaitForSingleObjectEx(GetCurrentThread(), 5000, TRUE),
                   WAIT_IO_COMPLETION);
  assert_int_equal(p.ran, 1);
  assert_int_equal(p.ran_on, GetCurrentThreadId());
  HANDLE ev = CreateEvent(NULL, TRUE, TRUE, NULL);
  HANDLE both[2] = {GetCurrentThread(), ev};
  assert_int_equal(WaitForMultipleObjects(2, both, FALSE, 1000),
                   WAIT_OBJECT_0 + 1);
  CloseHandle(ev);
}

/* APCs queued before an alertable wait run in the order queued, once no
 * object ends the wait; a wait that is not alertable leaves them queued. */
static void queued_apcs_run_in_order(void **state) {
  (void)state;
  struct apc_probe p;
  memset(&p, 0, sizeof(p));
  ordered = &p;
  HANDLE ev = CreateEvent(NULL, TRUE, TRUE, NULL); /* set */
  for (LONG i = 0; i < 3; i++)
    assert_true(QueueUserAPC(note_order, GetCurrentThread(), (ULONG_PTR)i));
  assert_int_equal(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
  assert_int_equal(SleepEx(0, FALSE), 0);
  assert_int_equal(InterlockedOr(&p.n, 0), 0); /* not alertable: queued */
  /* A signalled object ends an alertable wait before the APCs run. */
  assert_int_equal(WaitForSingleObjectEx(ev, 1000, TRUE), WAIT_OBJECT_0);
  assert_int_equal(InterlockedOr(&p.n, 0), 0);
  ResetEvent(ev);
  assert_int_equal(WaitForSingleObjectEx(ev, 1000, TRUE), WAIT_IO_COMPLETION);
  assert_int_equal(InterlockedOr(&p.n, 0), 3);
  assert_int_equal(p.order[0], 0);
  assert_int_equal(p.order[1], 1);
  assert_int_equal(p.order[2], 2);
  /* None left: the wait times out. */
  assert_int_equal(WaitForSingleObjectEx(ev, 20, TRUE), WAIT_TIMEOUT);
  assert_true(QueueUserAPC(note_order, GetCurrentThread(), 3));
  WSAEVENT wev = ev;
  assert_int_equal(WSAWaitForMultipleEvents(1, &wev, FALSE, 1000, TRUE),
                   WSA_WAIT_IO_COMPLETION);
  assert_int_equal(InterlockedOr(&p.n, 0), 4);
  CloseHandle(ev);
}

/* The routine of a thread whose APC was queued before it began: the APC
 * has run, on this thread, before the routine's first line. */
static DWORD WINAPI check_apc_ran_first(LPVOID arg) {
  struct apc_probe *p = arg;
  return InterlockedOr(&p->ran, 0) == 1 && p->ran_on == GetCurrentThreadId()
             ? 7
             : 1;
}

/* "If an application queues an APC before the thread begins running, the
 * thread begins by calling the APC function" (QueueUserAPC), though the
 * routine never waits alertably. */
static void apc_queued_before_the_thread_begins(void **state) {
  (void)state;
  struct apc_probe p;
  memset(&p, 0, sizeof(p));
  DWORD id = 0;
  HANDLE t =
      CreateThread(NULL, 0, check_apc_ran_first, &p, CREATE_SUSPENDED, &id);
  assert_non_null(t);
  assert_true(QueueUserAPC(note_apc, t, (ULONG_PTR)&p));
  assert_int_equal(ResumeThread(t), 1);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  DWORD code = 0;
  assert_true(GetExitCodeThread(t, &code));
  assert_int_equal(code, 7);
  assert_int_equal(p.ran_on, id);
  CloseHandle(t);
}

/* A thread that waits alertably on a port or on an op of socket s. */
struct waiter {
  HANDLE port;
  SOCKET s;
  HANDLE ready;
  BOOL ok;
  DWORD err;
};

static DWORD WINAPI wait_port_alertable(LPVOID arg) {
  struct waiter *w = arg;
  SetEvent(w->ready);
  OVERLAPPED_ENTRY e[4];
  ULONG n = 0;
  w->ok = GetQueuedCompletionStatusEx(w->port, e, 4, &n, 5000, TRUE);
  w->err = w->ok ? 0 : GetLastError();
  return 0;
}

/* Starts fn(arg), which sets ready and then waits alertably for 5 s at
 * least; once it waits, queues it an APC, and checks the APC ran and ended
 * the wait well before its timeout (the thread has ended on return). */
static void alert_waiting_thread(LPTHREAD_START_ROUTINE fn, void *arg,
                                 HANDLE ready) {
  struct apc_probe p;
  memset(&p, 0, sizeof(p));
  HANDLE t = CreateThread(NULL, 0, fn, arg, 0, NULL);
  assert_non_null(t);
  assert_int_equal(WaitForSingleObject(ready, 5000), WAIT_OBJECT_0);
  Sleep(50);
  ULONGLONG t0 = w_now_ms();
  assert_true(QueueUserAPC(note_apc, t, (ULONG_PTR)&p) != 0);
  assert_int_equal(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
  assert_true(w_now_ms() - t0 < 4000); /* the APC ended it, not the timeout */
  assert_int_equal(p.ran, 1);
  CloseHandle(t);
}

/* A thread waiting in GetQueuedCompletionStatusEx(alertable) runs an APC
 * queued to it, and the call fails with WAIT_IO_COMPLETION. */
static void apc_ends_an_alertable_port_wait(void **state) {
  (void)state;
  struct waiter w;
  memset(&w, 0, sizeof(w));
  w.port = w_port(1);
  w.ready = CreateEvent(NULL, TRUE, FALSE, NULL);
  alert_waiting_thread(wait_port_alertable, &w, w.ready);
  assert_false(w.ok);
  assert_int_equal(w.err, WAIT_IO_COMPLETION);
  CloseHandle(w.ready);
  assert_true(CloseHandle(w.port));
}

struct routine_probe {
  volatile LONG calls;
  DWORD err, bytes, flags, thread;
  LPWSAOVERLAPPED ov;
  HANDLE event_seen; /* hEvent as the routine found it */
};

static struct routine_probe *routed;

static void CALLBACK on_done(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov,
                             DWORD flags) {
  routed->err = err;
  routed->bytes = bytes;
  routed->ov = ov;
  routed->flags = flags;
  routed->thread = GetCurrentThreadId();
  routed->event_seen = ov->hEvent;
  InterlockedIncrement(&routed->calls);
}

/* Runs alertable waits until the routine has run, or 5 s. */
static void await_routine(struct routine_probe *r, LONG calls) {
  ULONGLONG until = w_now_ms() + 5000;
  while (InterlockedOr(&r->calls, 0) < calls && w_now_ms() < until)
    SleepEx(100, TRUE);
  assert_int_equal(InterlockedOr(&r->calls, 0), calls);
}

/* WSARecv and WSASend with a completion routine: the routine runs on the
 * starting thread, only in an alertable wait, with the bytes and the
 * OVERLAPPED (its hEvent the program's own); a cancelled receive's
 * routine gets WSA_OPERATION_ABORTED. */
static void completion_routines_run_on_the_starting_thread(void **state) {
  (void)state;
  struct routine_probe r;
  memset(&r, 0, sizeof(r));
  routed = &r;
  SOCKET s, c;
  w_pair(&s, &c);
  char buf[16];
  WSABUF wb = {sizeof(buf), buf};
  DWORD flags = 0;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = (HANDLE)(uintptr_t)0x1230; /* the program's: not an event */
  int rc = WSARecv(s, &wb, 1, NULL, &flags, &ov, on_done);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  assert_int_equal(send(c, "hello", 5, 0), 5);
  Sleep(50);
  assert_int_equal(InterlockedOr(&r.calls, 0), 0); /* not alertable yet */
  await_routine(&r, 1);
  assert_int_equal(r.err, 0);
  assert_int_equal(r.bytes, 5);
  assert_ptr_equal(r.ov, &ov);
  assert_int_equal(r.thread, GetCurrentThreadId());
  assert_ptr_equal(r.event_seen, (HANDLE)(uintptr_t)0x1230);
  assert_memory_equal(buf, "hello", 5);

  /* A send: its routine too (it finishes at once, and still queues). */
  memset(&ov, 0, sizeof(ov));
  WSABUF sb = {3, (CHAR *)"abc"};
  DWORD sent = 0;
  rc = WSASend(s, &sb, 1, &sent, 0, &ov, on_done);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  await_routine(&r, 2);
  assert_int_equal(r.err, 0);
  assert_int_equal(r.bytes, 3);
  assert_int_equal(recv(c, buf, sizeof(buf), 0), 3);

  /* A cancelled receive. */
  memset(&ov, 0, sizeof(ov));
  flags = 0;
  assert_int_equal(WSARecv(s, &wb, 1, NULL, &flags, &ov, on_done),
                   SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
  assert_true(CancelIoEx((HANDLE)s, &ov));
  await_routine(&r, 3);
  assert_int_equal(r.err, WSA_OPERATION_ABORTED);
  assert_int_equal(r.bytes, 0);
  closesocket(c);
  closesocket(s);
}

struct ended_starter {
  SOCKET s;
  OVERLAPPED *ov;
  char buf[8];
};

static DWORD WINAPI start_then_end(LPVOID arg) {
  struct ended_starter *e = arg;
  WSABUF wb = {sizeof(e->buf), e->buf};
  DWORD flags = 0;
  int rc = WSARecv(e->s, &wb, 1, NULL, &flags, e->ov, on_done);
  return rc == 0 || WSAGetLastError() == WSA_IO_PENDING ? 0 : 1;
}

/* A thread that ends before its routine could run: the routine never
 * runs (Windows drops the thread's APCs) and the OVERLAPPED keeps the
 * program's hEvent. (Whether the receive itself ends with the data or
 * cancelled differs: Windows cancels a thread's I/O on a handle with no
 * port as the thread exits; the layer lets it finish.) */
static void routine_of_an_ended_thread_is_dropped(void **state) {
  (void)state;
  struct routine_probe r;
  memset(&r, 0, sizeof(r));
  routed = &r;
  SOCKET s, c;
  w_pair(&s, &c);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = (HANDLE)(uintptr_t)0x4560;
  struct ended_starter e = {s, &ov, {0}};
  HANDLE t = CreateThread(NULL, 0, start_then_end, &e, 0, NULL);
  assert_non_null(t);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  DWORD code = 1;
  assert_true(GetExitCodeThread(t, &code));
  assert_int_equal(code, 0);
  CloseHandle(t);
  assert_int_equal(send(c, "ok", 2, 0), 2);
  ULONGLONG until = w_now_ms() + 5000;
  while (!HasOverlappedIoCompleted(&ov) && w_now_ms() < until)
    Sleep(5);
  assert_true(HasOverlappedIoCompleted(&ov));
  Sleep(50);
  SleepEx(0, TRUE); /* not ours to run */
  assert_int_equal(InterlockedOr(&r.calls, 0), 0);
  assert_ptr_equal(ov.hEvent, (HANDLE)(uintptr_t)0x4560);
  closesocket(c);
  closesocket(s);
}

static void CALLBACK on_file_done(DWORD err, DWORD bytes, LPOVERLAPPED ov) {
  on_done(err, bytes, ov, 0);
}

/* One ReadFileEx or WriteFileEx at offset off: TRUE at the call, then its
 * routine in this thread's next alertable wait (not before), with the
 * OVERLAPPED and its hEvent the program's own. */
static void file_op_routed(HANDLE h, bool write_side, void *buf, DWORD len,
                           DWORD off, struct routine_probe *r) {
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.Offset = off;
  ov.OffsetHigh = off == 0xFFFFFFFFu ? 0xFFFFFFFFu : 0;
  ov.hEvent = (HANDLE)(uintptr_t)0x4560; /* ReadFileEx ignores it */
  LONG before = InterlockedOr(&r->calls, 0);
  BOOL ok = write_side ? WriteFileEx(h, buf, len, &ov, on_file_done)
                       : ReadFileEx(h, buf, len, &ov, on_file_done);
  assert_true(ok);
  Sleep(20);
  assert_int_equal(InterlockedOr(&r->calls, 0), before); /* not alertable */
  await_routine(r, before + 1);
  assert_ptr_equal(r->ov, &ov);
  assert_ptr_equal(r->event_seen, (HANDLE)(uintptr_t)0x4560);
  assert_ptr_equal(ov.hEvent, (HANDLE)(uintptr_t)0x4560);
  assert_int_equal(r->thread, GetCurrentThreadId());
}

/* ReadFileEx / WriteFileEx on an overlapped file, on a file opened
 * without FILE_FLAG_OVERLAPPED, and on a socket; past the end of the
 * file the routine gets ERROR_HANDLE_EOF. */
static void file_routines(void **state) {
  (void)state;
  struct routine_probe r;
  memset(&r, 0, sizeof(r));
  routed = &r;
  char path[260];
  w_temp_path(path, sizeof(path), "cport-readfileex.txt");
  HANDLE h = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         CREATE_ALWAYS, FILE_FLAG_OVERLAPPED, NULL);
  assert_true(h != INVALID_HANDLE_VALUE);
  char text[] = "hello world";
  file_op_routed(h, true, text, 11, 0, &r);
  assert_int_equal(r.err, 0);
  assert_int_equal(r.bytes, 11);
  char buf[16] = {0};
  file_op_routed(h, false, buf, sizeof(buf), 6, &r);
  assert_int_equal(r.err, 0);
  assert_int_equal(r.bytes, 5);
  assert_memory_equal(buf, "world", 5);
  /* Past the end. */
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.Offset = 100;
  LONG before = InterlockedOr(&r.calls, 0);
  /* "If ReadFileEx attempts to read past the end-of-file (EOF), the call
   * to GetOverlappedResult for that operation returns FALSE and
   * GetLastError returns ERROR_HANDLE_EOF": the call succeeds. */
  assert_true(ReadFileEx(h, buf, sizeof(buf), &ov, on_file_done));
  await_routine(&r, before + 1);
  assert_int_equal(r.err, ERROR_HANDLE_EOF);
  assert_int_equal(r.bytes, 0);
  /* Bad input: no OVERLAPPED. */
  assert_false(ReadFileEx(h, buf, sizeof(buf), NULL, on_file_done));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  assert_true(CloseHandle(h));
  /* A file opened without FILE_FLAG_OVERLAPPED: done in the call, its
   * hEvent never touched, the routine still queued. */
  h = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0,
                  NULL);
  assert_true(h != INVALID_HANDLE_VALUE);
  memset(buf, 0, sizeof(buf));
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = (HANDLE)(uintptr_t)0x7890;
  before = InterlockedOr(&r.calls, 0);
  assert_true(ReadFileEx(h, buf, 5, &ov, on_file_done));
  assert_ptr_equal(ov.hEvent, (HANDLE)(uintptr_t)0x7890);
  assert_true(HasOverlappedIoCompleted(&ov));
  await_routine(&r, before + 1);
  assert_int_equal(r.err, 0);
  assert_int_equal(r.bytes, 5);
  assert_memory_equal(buf, "hello", 5);
  file_op_routed(h, true, "!", 1, 0xFFFFFFFFu, &r); /* at the end */
  assert_int_equal(r.err, 0);
  assert_int_equal(r.bytes, 1);
  assert_int_equal(GetFileSize(h, NULL), 12);
  assert_true(CloseHandle(h));
  assert_true(DeleteFileA(path));
  /* A socket is a file handle too. */
  SOCKET s, c;
  w_pair(&s, &c);
  file_op_routed((HANDLE)s, true, text, 5, 0, &r);
  assert_int_equal(r.err, 0);
  assert_int_equal(r.bytes, 5);
  char got[8] = {0};
  assert_int_equal(recv(c, got, sizeof(got), 0), 5);
  assert_memory_equal(got, "hello", 5);
  /* "After an instance of an open handle is associated with an I/O
   * completion port, it cannot be used in the ReadFileEx or WriteFileEx
   * function." (A fresh pair: the layer cannot move a handle that did
   * I/O on no port to a port, docs/porting.md.) */
  closesocket(c);
  closesocket(s);
  w_pair(&s, &c);
  HANDLE port = w_port(1);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)s, port, 7, 0), port);
  memset(&ov, 0, sizeof(ov));
  assert_false(ReadFileEx((HANDLE)s, got, sizeof(got), &ov, on_file_done));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  assert_false(WriteFileEx((HANDLE)s, "x", 1, &ov, on_file_done));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  assert_int_equal(SleepEx(50, TRUE), 0);
  w_expect_nothing(port, 50);
  closesocket(c);
  closesocket(s);
  assert_true(CloseHandle(port));
}

/* GetOverlappedResultEx (Windows 8 and later): looked up at run time. */
typedef BOOL(WINAPI *result_ex_fn)(HANDLE, LPOVERLAPPED, LPDWORD, DWORD, BOOL);
static result_ex_fn result_ex;

static DWORD WINAPI wait_op_alertable(LPVOID arg) {
  struct waiter *w = arg;
  char buf[4];
  WSABUF wb = {sizeof(buf), buf};
  DWORD flags = 0, bytes = 0;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = CreateEvent(NULL, TRUE, FALSE, NULL);
  int rc = WSARecv(w->s, &wb, 1, NULL, &flags, &ov, NULL);
  if (rc == 0 || WSAGetLastError() != WSA_IO_PENDING)
    return 1;
  SetEvent(w->ready);
  w->ok = result_ex((HANDLE)w->s, &ov, &bytes, 5000, TRUE);
  w->err = w->ok ? 0 : GetLastError();
  CancelIoEx((HANDLE)w->s, &ov);
  GetOverlappedResult((HANDLE)w->s, &ov, &bytes, TRUE);
  CloseHandle(ov.hEvent);
  return 0;
}

/* An APC queued while the thread waits in GetOverlappedResultEx
 * (alertable) ends the wait with WAIT_IO_COMPLETION. */
static void apc_ends_an_alertable_op_wait(void **state) {
  (void)state;
  W_KERNEL32_FN(result_ex, "GetOverlappedResultEx");
  if (result_ex == NULL)
    H_SKIP("GetOverlappedResultEx needs Windows 8");
  SOCKET s, c;
  w_pair(&s, &c);
  struct waiter w;
  memset(&w, 0, sizeof(w));
  w.s = s;
  w.ready = CreateEvent(NULL, TRUE, FALSE, NULL);
  alert_waiting_thread(wait_op_alertable, &w, w.ready);
  assert_false(w.ok);
  assert_int_equal(w.err, WAIT_IO_COMPLETION);
  CloseHandle(w.ready);
  closesocket(c);
  closesocket(s);
}

/* Bad input: no function, a handle that is no thread. */
static void bad_input(void **state) {
  (void)state;
#ifdef _WIN32
  H_SKIP("the layer's own answers: Windows takes a NULL function and "
         "crashes the thread that runs it");
#else
  struct apc_probe p;
  memset(&p, 0, sizeof(p));
  assert_int_equal(QueueUserAPC(NULL, GetCurrentThread(), 0), 0);
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  HANDLE ev = CreateEvent(NULL, TRUE, FALSE, NULL);
  assert_int_equal(QueueUserAPC(note_apc, ev, (ULONG_PTR)&p), 0);
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  CloseHandle(ev);
  assert_int_equal(p.ran, 0);
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(apc_wakes_an_alertable_sleep),
      cmocka_unit_test(wait_on_the_current_thread),
      cmocka_unit_test(queued_apcs_run_in_order),
      cmocka_unit_test(apc_queued_before_the_thread_begins),
      cmocka_unit_test(apc_ends_an_alertable_port_wait),
      cmocka_unit_test(completion_routines_run_on_the_starting_thread),
      cmocka_unit_test(routine_of_an_ended_thread_is_dropped),
      cmocka_unit_test(apc_ends_an_alertable_op_wait),
      cmocka_unit_test(file_routines),
      cmocka_unit_test(bad_input),
  };
  return W_RUN("win32-apc", tests);
}
