/*
 * test-win32-sync.c - synchronization objects through the Win32 API (real
 * on Windows, the layer on Linux): PulseEvent, of waiting threads and of
 * a registered wait, busy or not; a semaphore's limit; mutex
 * ownership and its count, ReleaseMutex by a thread that does not own
 * it, and abandonment: "If a thread terminates
 * without releasing its ownership of a mutex object, the mutex object is
 * considered to be abandoned. A waiting thread can acquire ownership of
 * an abandoned mutex object, but the wait function will return
 * WAIT_ABANDONED" (Mutex Objects; WaitForSingleObject,
 * WaitForMultipleObjects); handles with their low bits set; a wait on
 * the process itself; timer-queue timers named with either queue, and
 * their callbacks side by side on the pool.
 */
#include "win32-util.h"

struct hold {
  HANDLE m;
  int times;      /* how often the thread acquires it */
  HANDLE took;    /* set once it holds it */
  BOOL close_too; /* it closes its handle to the mutex before ending */
};

static DWORD WINAPI take_and_end(LPVOID arg) {
  struct hold *h = arg;
  for (int i = 0; i < h->times; i++)
    if (WaitForSingleObject(h->m, 5000) != WAIT_OBJECT_0)
      return 1;
  SetEvent(h->took);
  if (h->close_too)
    CloseHandle(h->m);
  return 0; /* ends still owning it */
}

/* Starts a thread that acquires m `times` times and ends owning it; waits
 * until it has ended. */
static void abandon_from_a_thread(HANDLE m, int times, BOOL close_too) {
  struct hold h = {m, times, CreateEvent(NULL, TRUE, FALSE, NULL), close_too};
  assert_non_null(h.took);
  HANDLE t = CreateThread(NULL, 0, take_and_end, &h, 0, NULL);
  assert_non_null(t);
  assert_int_equal(WaitForSingleObject(h.took, 5000), WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  DWORD code = 99;
  assert_true(GetExitCodeThread(t, &code));
  assert_int_equal(code, 0);
  CloseHandle(t);
  CloseHandle(h.took);
}

static void abandoned_mutex_goes_to_the_next_waiter(void **state) {
  (void)state;
  HANDLE m = CreateMutex(NULL, FALSE, NULL);
  assert_non_null(m);
  abandon_from_a_thread(m, 2, FALSE); /* owned twice over */
  /* The next wait gets it, told it was abandoned, once. */
  assert_int_equal(WaitForSingleObject(m, 1000), WAIT_ABANDONED);
  assert_true(ReleaseMutex(m));
  assert_false(ReleaseMutex(m)); /* held once, not the dead thread's two */
  assert_int_equal(GetLastError(), ERROR_NOT_OWNER);
  assert_int_equal(WaitForSingleObject(m, 1000), WAIT_OBJECT_0);
  assert_true(ReleaseMutex(m));
  assert_true(CloseHandle(m));
}

static void abandoned_mutex_among_others(void **state) {
  (void)state;
  HANDLE ev = CreateEvent(NULL, TRUE, FALSE, NULL);
  HANDLE m = CreateMutex(NULL, FALSE, NULL);
  assert_true(ev != NULL && m != NULL);
  abandon_from_a_thread(m, 1, FALSE);
  HANDLE hs[2] = {ev, m};
  /* Any: the abandoned mutex's index, with WAIT_ABANDONED_0. */
  assert_int_equal(WaitForMultipleObjects(2, hs, FALSE, 1000),
                   WAIT_ABANDONED_0 + 1);
  assert_true(ReleaseMutex(m));
  /* All: once more abandoned, with the event set. */
  abandon_from_a_thread(m, 1, FALSE);
  assert_true(SetEvent(ev));
  DWORD r = WaitForMultipleObjects(2, hs, TRUE, 1000);
  assert_true(r == WAIT_ABANDONED_0 + 1 || r == WAIT_ABANDONED_0);
  assert_true(ReleaseMutex(m));
  /* Not abandoned: a plain wait. */
  assert_int_equal(WaitForMultipleObjects(2, hs, TRUE, 1000), WAIT_OBJECT_0);
  assert_true(ReleaseMutex(m));
  CloseHandle(ev);
  CloseHandle(m);
}

/* A thread ends owning a mutex whose handles it closed (a second handle
 * of the test's keeps the object): the mutex is abandoned all the same. */
static void abandoned_after_its_handle_closed(void **state) {
  (void)state;
  HANDLE m = CreateMutex(NULL, FALSE, NULL);
  assert_non_null(m);
  HANDLE d = NULL;
  assert_true(DuplicateHandle(GetCurrentProcess(), m, GetCurrentProcess(), &d,
                              0, FALSE, DUPLICATE_SAME_ACCESS));
  abandon_from_a_thread(m, 1, TRUE);
  assert_int_equal(WaitForSingleObject(d, 1000), WAIT_ABANDONED);
  assert_true(ReleaseMutex(d));
  assert_true(CloseHandle(d));
  /* One whose every handle is gone while owned ends quietly. */
  HANDLE lone = CreateMutex(NULL, FALSE, NULL);
  assert_non_null(lone);
  abandon_from_a_thread(lone, 1, TRUE);
}

static void ownership_and_its_errors(void **state) {
  (void)state;
  HANDLE m = CreateMutex(NULL, TRUE, NULL); /* owned at once */
  assert_non_null(m);
  assert_int_equal(WaitForSingleObject(m, 0), WAIT_OBJECT_0); /* count 2 */
  assert_true(ReleaseMutex(m));
  assert_true(ReleaseMutex(m));
  assert_false(ReleaseMutex(m));
  assert_int_equal(GetLastError(), ERROR_NOT_OWNER);
  HANDLE sem = CreateSemaphore(NULL, 1, 1, NULL);
  assert_non_null(sem);
  LONG prev = -1;
  assert_false(ReleaseSemaphore(sem, 1, &prev));
  assert_int_equal(GetLastError(), ERROR_TOO_MANY_POSTS);
  assert_true(CloseHandle(sem));
  assert_true(CloseHandle(m));
}

static DWORD WINAPI wait_for_it(LPVOID e) {
  return WaitForSingleObject((HANDLE)e, 3000);
}

/* PulseEvent: "releasing the appropriate number of waiting threads" (all
 * for a manual-reset event, one for auto-reset), and the event is left
 * nonsignaled; with nobody waiting it only resets. */
static void pulse_releases_the_waiting_threads(void **state) {
  (void)state;
  for (int manual = 1; manual >= 0; manual--) {
    HANDLE ev = CreateEvent(NULL, manual, FALSE, NULL);
    assert_non_null(ev);
    HANDLE t[2];
    for (int i = 0; i < 2; i++)
      assert_non_null(t[i] = CreateThread(NULL, 0, wait_for_it, ev, 0, NULL));
    Sleep(200); /* both wait */
    assert_true(PulseEvent(ev));
    assert_int_equal(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
    DWORD ended = WaitForMultipleObjects(2, t, FALSE, 1000);
    assert_true(ended == WAIT_OBJECT_0 || ended == WAIT_OBJECT_0 + 1);
    DWORD other = 1 - (ended - WAIT_OBJECT_0);
    DWORD code = 99;
    assert_true(GetExitCodeThread(t[ended - WAIT_OBJECT_0], &code));
    assert_int_equal(code, WAIT_OBJECT_0);
    if (manual) {
      assert_int_equal(WaitForSingleObject(t[other], 1000), WAIT_OBJECT_0);
      assert_true(GetExitCodeThread(t[other], &code));
      assert_int_equal(code, WAIT_OBJECT_0);
    } else {
      /* one released: the other still waits, until the event is set */
      assert_int_equal(WaitForSingleObject(t[other], 100), WAIT_TIMEOUT);
      assert_true(SetEvent(ev));
      assert_int_equal(WaitForSingleObject(t[other], 1000), WAIT_OBJECT_0);
    }
    for (int i = 0; i < 2; i++)
      CloseHandle(t[i]);
    assert_true(SetEvent(ev)); /* nobody waits: the pulse only resets */
    assert_true(PulseEvent(ev));
    assert_int_equal(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
    assert_true(CloseHandle(ev));
  }
  assert_false(PulseEvent(NULL));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
}

static void CALLBACK count_fired(PVOID arg, BOOLEAN timed_out) {
  LONG *n = arg;
  InterlockedExchangeAdd(&n[timed_out ? 1 : 0], 1);
}

/* A registered wait waits as a thread would: a pulse releases it (one
 * callback, not a timeout), and the event is left nonsignaled. */
static void pulse_releases_a_registered_wait(void **state) {
  (void)state;
  for (int manual = 1; manual >= 0; manual--) {
    HANDLE ev = CreateEvent(NULL, manual, FALSE, NULL);
    assert_non_null(ev);
    LONG fired[2] = {0, 0}; /* signaled, timed out */
    HANDLE w = NULL;
    assert_true(RegisterWaitForSingleObject(&w, ev, count_fired, fired,
                                            INFINITE, WT_EXECUTEONLYONCE));
    Sleep(200); /* Windows' wait thread takes the registration in */
    assert_true(PulseEvent(ev));
    for (int i = 0; i < 200 && InterlockedCompareExchange(&fired[0], 0, 0) == 0;
         i++)
      Sleep(10);
    assert_int_equal(fired[0], 1);
    assert_int_equal(fired[1], 0);
    assert_int_equal(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
    assert_true(UnregisterWaitEx(w, INVALID_HANDLE_VALUE));
    assert_int_equal(fired[0], 1);
    assert_true(CloseHandle(ev));
  }
}

static void CALLBACK hold_a_pool_thread(PTP_CALLBACK_INSTANCE in, PVOID hold) {
  (void)in;
  WaitForSingleObject((HANDLE)hold, 10000);
}

/* A pulse of an auto-reset event releases one waiter: a thread waiting
 * for it, or a repeating registration. One whose last callback still
 * waits for a pool thread is not waiting (cport's wait thread holds it
 * back until then), so the pulse must go to the thread instead of being
 * lost on it. The default pool is filled so that the callback of the
 * registration's timeout waits; the thread waits first, so that the
 * registration is ahead of it among the event's waiters. */
static void pulse_passes_a_busy_registration_by(void **state) {
  (void)state;
  enum { HOLDERS = 520 }; /* more than the default pool's threads */
  HANDLE ev = CreateEvent(NULL, FALSE, FALSE, NULL);
  HANDLE hold = CreateEvent(NULL, TRUE, FALSE, NULL);
  assert_non_null(ev);
  assert_non_null(hold);
  for (int i = 0; i < HOLDERS; i++)
    assert_true(TrySubmitThreadpoolCallback(hold_a_pool_thread, hold, NULL));
  HANDLE t = CreateThread(NULL, 0, wait_for_it, ev, 0, NULL);
  assert_non_null(t);
  Sleep(300); /* the pool fills; the thread waits */
  LONG fired[2] = {0, 0};
  HANDLE w = NULL;
  assert_true(RegisterWaitForSingleObject(&w, ev, count_fired, fired, 50,
                                          WT_EXECUTEDEFAULT));
  Sleep(200); /* it timed out: the callback waits for a thread */
  assert_true(PulseEvent(ev));
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  DWORD code = 99;
  assert_true(GetExitCodeThread(t, &code));
  assert_true(SetEvent(hold));
  assert_true(UnregisterWaitEx(w, INVALID_HANDLE_VALUE));
  /* the pulse's one waiter: the thread, or the registration */
  assert_int_equal((code == WAIT_OBJECT_0 ? 1 : 0) + fired[0], 1);
  CloseHandle(t);
  assert_true(CloseHandle(ev));
  assert_true(CloseHandle(hold));
}

/* An object's handle with its low bits set names the object: "the two
 * low bits are reserved for the application" (OBJ_HANDLE_TAGBITS), and
 * programs pass an OVERLAPPED's hEvent with bit 0 set (no packet) to
 * SetEvent, the waits and CloseHandle. (The layer refused such a handle:
 * a wait on it failed, and closing it leaked the event.) */
static void tagged_handles_name_their_object(void **state) {
  (void)state;
  HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(ev);
  HANDLE tagged = (HANDLE)((uintptr_t)ev | 1);
  assert_true(SetEvent(tagged));
  assert_int_equal(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(tagged, 0), WAIT_OBJECT_0);
  assert_true(ResetEvent(tagged));
  assert_int_equal(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
  HANDLE other = CreateEventA(NULL, TRUE, TRUE, NULL);
  HANDLE both[2] = {other, (HANDLE)((uintptr_t)ev | 3)};
  assert_true(SetEvent(ev));
  assert_int_equal(WaitForMultipleObjects(2, both, TRUE, 0), WAIT_OBJECT_0);
  assert_true(ResetEvent(other));
  assert_int_equal(WaitForMultipleObjects(2, both, FALSE, 0),
                   WAIT_OBJECT_0 + 1);
  assert_true(CloseHandle(other));
  assert_true(CloseHandle(tagged)); /* the event's one handle */
  SetLastError(0);
  assert_false(SetEvent(ev));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
}

/* "Pseudo handles are allowed" in a wait (Wine's conformance test of
 * waits): the calling process never ends while it waits, so the wait
 * times out. */
static void waiting_on_the_process_times_out(void **state) {
  (void)state;
  assert_int_equal(WaitForSingleObject(GetCurrentProcess(), 50), WAIT_TIMEOUT);
  HANDLE ev = CreateEventA(NULL, TRUE, TRUE, NULL);
  assert_non_null(ev);
  HANDLE both[2] = {GetCurrentProcess(), ev};
  assert_int_equal(WaitForMultipleObjects(2, both, FALSE, 50),
                   WAIT_OBJECT_0 + 1);
  assert_int_equal(WaitForMultipleObjects(2, both, TRUE, 50), WAIT_TIMEOUT);
  assert_true(CloseHandle(ev));
}

/* A count the callbacks' threads raise, read as they write it. */
static LONG seen(LONG *count) {
  return InterlockedCompareExchange(count, 0, 0);
}

static VOID CALLBACK count_tick(PVOID arg, BOOLEAN timed_out) {
  (void)timed_out;
  InterlockedIncrement((LONG *)arg);
}

/* A timer changed or deleted through a queue other than its own (the
 * default queue for one on a queue of the program's, or the reverse)
 * "apparently works" on Windows (the same test): the timer is found. */
static void timers_through_either_queue(void **state) {
  (void)state;
  HANDLE q = CreateTimerQueue();
  assert_non_null(q);
  LONG n1 = 0, n2 = 0;
  HANDLE t1 = NULL, t2 = NULL;
  assert_true(CreateTimerQueueTimer(&t1, q, count_tick, &n1, 1000, 1000, 0));
  assert_true(CreateTimerQueueTimer(&t2, NULL, count_tick, &n2, 1000, 1000, 0));
  assert_true(ChangeTimerQueueTimer(NULL, t1, 20, 0));
  assert_true(ChangeTimerQueueTimer(q, t2, 20, 0));
  for (int i = 0; i < 500 && (seen(&n1) == 0 || seen(&n2) == 0); i++)
    Sleep(5);
  assert_int_equal(seen(&n1), 1);
  assert_int_equal(seen(&n2), 1);
  assert_true(DeleteTimerQueueTimer(NULL, t1, INVALID_HANDLE_VALUE));
  assert_true(DeleteTimerQueueTimer(q, t2, INVALID_HANDLE_VALUE));
  assert_true(DeleteTimerQueueEx(q, INVALID_HANDLE_VALUE));
  SetLastError(0);
  assert_false(DeleteTimerQueueEx(NULL, NULL)); /* the default: never */
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
}

static LONG slow_started, slow_ended;

/* Runs until the test lets it go (arg: a manual-reset event). */
static VOID CALLBACK slow_tick(PVOID arg, BOOLEAN timed_out) {
  (void)timed_out;
  InterlockedIncrement(&slow_started);
  WaitForSingleObject((HANDLE)arg, 10000);
  InterlockedIncrement(&slow_ended);
}

/* Timer-queue callbacks run on the thread pool, as on Windows: a slow one
 * holds up no other (Wine's conformance test: two one-shot timers due at
 * once, each callback a second long, have both started 0.4 s later, and
 * a delete without waiting finds each still running). Here each runs
 * until the test lets it go. */
static void slow_callbacks_run_side_by_side(void **state) {
  (void)state;
  InterlockedExchange(&slow_started, 0);
  InterlockedExchange(&slow_ended, 0);
  HANDLE q = CreateTimerQueue();
  assert_non_null(q);
  HANDLE go = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(go);
  HANDLE t1 = NULL, t2 = NULL;
  assert_true(CreateTimerQueueTimer(&t1, q, slow_tick, go, 0, 0, 0));
  assert_true(CreateTimerQueueTimer(&t2, q, slow_tick, go, 0, 0, 0));
  /* Both start while neither has returned (one at a time, the second
   * would wait for the test to let the first go). */
  for (int i = 0; i < 1000 && seen(&slow_started) < 2; i++)
    Sleep(5);
  LONG started = seen(&slow_started);
  SetLastError(0);
  BOOL d1 = DeleteTimerQueueTimer(q, t1, NULL);
  DWORD e1 = GetLastError();
  SetLastError(0);
  BOOL d2 = DeleteTimerQueueTimer(q, t2, NULL);
  DWORD e2 = GetLastError();
  assert_true(SetEvent(go));
  /* Both return, and their deleted timers go with them; then the queue
   * (Wine spins for ever in a queue's delete while such callbacks run). */
  for (int i = 0; i < 500 && seen(&slow_ended) < 2; i++)
    Sleep(10);
  assert_int_equal(seen(&slow_ended), 2);
  HANDLE gone = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(gone);
  SetLastError(0);
  assert_true(DeleteTimerQueueEx(q, gone) ||
              GetLastError() == ERROR_IO_PENDING);
  assert_int_equal(WaitForSingleObject(gone, 5000), WAIT_OBJECT_0);
  assert_true(CloseHandle(gone));
  assert_true(CloseHandle(go));
  assert_int_equal(started, 2);
  assert_false(d1);
  assert_int_equal(e1, ERROR_IO_PENDING);
  assert_false(d2);
  assert_int_equal(e2, ERROR_IO_PENDING);
  assert_int_equal(seen(&slow_started), 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(abandoned_mutex_goes_to_the_next_waiter),
      cmocka_unit_test(abandoned_mutex_among_others),
      cmocka_unit_test(abandoned_after_its_handle_closed),
      cmocka_unit_test(ownership_and_its_errors),
      cmocka_unit_test(pulse_releases_the_waiting_threads),
      cmocka_unit_test(pulse_releases_a_registered_wait),
      cmocka_unit_test(pulse_passes_a_busy_registration_by),
      cmocka_unit_test(tagged_handles_name_their_object),
      cmocka_unit_test(waiting_on_the_process_times_out),
      cmocka_unit_test(timers_through_either_queue),
      cmocka_unit_test(slow_callbacks_run_side_by_side),
  };
  return H_RUN("win32-sync", tests);
}
