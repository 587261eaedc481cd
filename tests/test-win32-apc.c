/*
 * test-win32-apc.c - asynchronous procedure calls through the Win32 API
 * (real on Windows, the layer on Linux): QueueUserAPC to another thread
 * and to the calling one, the alertable waits that run them (SleepEx,
 * WaitForSingleObjectEx, WSAWaitForMultipleEvents,
 * GetQueuedCompletionStatusEx) and return WAIT_IO_COMPLETION, their
 * order, and waits that are not alertable leaving them queued.
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

struct port_waiter {
  HANDLE port;
  HANDLE ready;
  BOOL ok;
  DWORD err;
};

static DWORD WINAPI wait_port_alertable(LPVOID arg) {
  struct port_waiter *w = arg;
  SetEvent(w->ready);
  OVERLAPPED_ENTRY e[4];
  ULONG n = 0;
  w->ok = GetQueuedCompletionStatusEx(w->port, e, 4, &n, 5000, TRUE);
  w->err = w->ok ? 0 : GetLastError();
  return 0;
}

/* A thread waiting in GetQueuedCompletionStatusEx(alertable) runs an APC
 * queued to it, and the call fails with WAIT_IO_COMPLETION. */
static void apc_ends_an_alertable_port_wait(void **state) {
  (void)state;
  struct port_waiter w;
  memset(&w, 0, sizeof(w));
  w.port = w_port(1);
  w.ready = CreateEvent(NULL, TRUE, FALSE, NULL);
  struct apc_probe p;
  memset(&p, 0, sizeof(p));
  HANDLE t = CreateThread(NULL, 0, wait_port_alertable, &w, 0, NULL);
  assert_non_null(t);
  assert_int_equal(WaitForSingleObject(w.ready, 5000), WAIT_OBJECT_0);
  Sleep(50);
  ULONGLONG t0 = w_now_ms();
  assert_true(QueueUserAPC(note_apc, t, (ULONG_PTR)&p) != 0);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  assert_true(w_now_ms() - t0 < 4000); /* the APC ended it, not the timeout */
  assert_false(w.ok);
  assert_int_equal(w.err, WAIT_IO_COMPLETION);
  assert_int_equal(p.ran, 1);
  CloseHandle(t);
  CloseHandle(w.ready);
  assert_true(CloseHandle(w.port));
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
      cmocka_unit_test(queued_apcs_run_in_order),
      cmocka_unit_test(apc_ends_an_alertable_port_wait),
      cmocka_unit_test(bad_input),
  };
  return W_RUN("win32-apc", tests);
}
