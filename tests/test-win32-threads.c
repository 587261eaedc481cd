/*
 * test-win32-threads.c - threads and synchronisation through the Win32
 * API (real on Windows, the layer on Linux): thread ids and exit codes,
 * _beginthreadex, suspended starts, TLS, events / mutexes / semaphores
 * and the waits on them (with threads, in any mix), SRW locks, condition
 * variables, one-time initialisation, SLists, the performance counter
 * and GetSystemInfo's address range.
 */
#include <errno.h>

#include "win32-util.h"

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */
/* ------------------------------------------------------------------------ */

struct ids {
  DWORD inside;
  DWORD inside_via_handle;
  HANDLE go;
};

static DWORD WINAPI report_id(LPVOID arg) {
  struct ids *i = arg;
  i->inside = GetCurrentThreadId();
  i->inside_via_handle = GetThreadId(GetCurrentThread());
  WaitForSingleObject(i->go, INFINITE);
  ExitThread(42);
}

static unsigned __stdcall crt_thread(void *arg) {
  struct ids *i = arg;
  i->inside = GetCurrentThreadId();
  _endthreadex(7);
  return 0;
}

static void thread_ids_and_exit_codes(void **state) {
  (void)state;
  struct ids i;
  memset(&i, 0, sizeof(i));
  i.go = CreateEvent(NULL, TRUE, FALSE, NULL);
  DWORD id = 0;
  HANDLE t = CreateThread(NULL, 0, report_id, &i, 0, &id);
  assert_non_null(t);
  assert_true(id != 0 && id != GetCurrentThreadId());
  DWORD code = 0;
  assert_true(GetExitCodeThread(t, &code));
  assert_int_equal(code, STILL_ACTIVE);
  assert_int_equal(WaitForSingleObject(t, 50), WAIT_TIMEOUT);
  SetEvent(i.go);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  assert_int_equal(i.inside, id);
  assert_int_equal(i.inside_via_handle, id);
  assert_int_equal(GetThreadId(t), id);
  assert_true(GetExitCodeThread(t, &code));
  assert_int_equal(code, 42);
  assert_true(CloseHandle(t));
  /* The C runtime's start. */
  unsigned crt_id = 0;
  uintptr_t h = _beginthreadex(NULL, 0, crt_thread, &i, 0, &crt_id);
  assert_true(h != 0);
  assert_int_equal(WaitForSingleObject((HANDLE)h, 5000), WAIT_OBJECT_0);
  assert_int_equal(i.inside, crt_id);
  assert_true(GetExitCodeThread((HANDLE)h, &code));
  assert_int_equal(code, 7);
  assert_true(CloseHandle((HANDLE)h));
  CloseHandle(i.go);
  assert_int_equal(WaitForSingleObject(NULL, 0), WAIT_FAILED);
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
}

/* _beginthread's threads: one returns, one calls _endthread; each
 * signals an event its starter waits on (the handle closes itself). */
static void __cdecl crt_old_returns(void *arg) {
  SetEvent((HANDLE)arg);
}
static void __cdecl crt_old_ends(void *arg) {
  SetEvent((HANDLE)arg);
  _endthread();
}

static void crt_old_start(void **state) {
  (void)state;
  HANDLE done = CreateEvent(NULL, TRUE, FALSE, NULL);
  uintptr_t h = _beginthread(crt_old_returns, 0, done);
  assert_true(h != (uintptr_t)-1 && h != 0);
  assert_int_equal(WaitForSingleObject(done, 5000), WAIT_OBJECT_0);
  ResetEvent(done);
  h = _beginthread(crt_old_ends, 65536, done);
  assert_true(h != (uintptr_t)-1 && h != 0);
  assert_int_equal(WaitForSingleObject(done, 5000), WAIT_OBJECT_0);
  CloseHandle(done);
#if !defined(_WIN32)
  /* No function: -1 with EINVAL (MSVC calls its invalid-parameter
   * handler there). */
  errno = 0;
  assert_true(_beginthread(NULL, 0, NULL) == (uintptr_t)-1);
  assert_int_equal(errno, EINVAL);
#endif
}

/* SignalObjectAndWait: a ping-pong of two auto-reset events. */
struct ping {
  HANDLE ping, pong;
  LONG count;
};
static DWORD WINAPI pong_thread(LPVOID arg) {
  struct ping *p = arg;
  for (int i = 0; i < 100; i++) {
    if (WaitForSingleObject(p->ping, 5000) != WAIT_OBJECT_0)
      return 1;
    InterlockedIncrement(&p->count);
    SetEvent(p->pong);
  }
  return 0;
}

static void signal_object_and_wait(void **state) {
  (void)state;
  struct ping p = {CreateEvent(NULL, FALSE, FALSE, NULL),
                   CreateEvent(NULL, FALSE, FALSE, NULL), 0};
  HANDLE t = CreateThread(NULL, 0, pong_thread, &p, 0, NULL);
  assert_non_null(t);
  for (int i = 0; i < 100; i++)
    assert_int_equal(SignalObjectAndWait(p.ping, p.pong, 5000, FALSE),
                     WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  assert_int_equal(p.count, 100);
  CloseHandle(t);
  /* A mutex is released (no longer the caller's), then the wait times
   * out. */
  HANDLE m = CreateMutex(NULL, TRUE, NULL);
  assert_int_equal(SignalObjectAndWait(m, p.ping, 10, FALSE), WAIT_TIMEOUT);
  assert_false(ReleaseMutex(m));
  assert_int_equal(GetLastError(), ERROR_NOT_OWNER);
  /* A mutex the caller does not own cannot be released. */
  assert_int_equal(SignalObjectAndWait(m, p.ping, 0, FALSE), WAIT_FAILED);
  assert_int_equal(GetLastError(), ERROR_NOT_OWNER);
  /* A semaphore released by one, then taken by the wait on it. */
  HANDLE sem = CreateSemaphore(NULL, 0, 1, NULL);
  assert_int_equal(SignalObjectAndWait(sem, sem, 0, FALSE), WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(sem, 0), WAIT_TIMEOUT);
  /* One at its maximum cannot. */
  assert_true(ReleaseSemaphore(sem, 1, NULL));
  assert_int_equal(SignalObjectAndWait(sem, p.ping, 0, FALSE), WAIT_FAILED);
  assert_int_equal(GetLastError(), ERROR_TOO_MANY_POSTS);
  /* Not an object: nothing waited on. */
  assert_int_equal(SignalObjectAndWait(NULL, p.ping, 0, FALSE), WAIT_FAILED);
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  CloseHandle(sem);
  CloseHandle(m);
  CloseHandle(p.ping);
  CloseHandle(p.pong);
}

static DWORD WINAPI set_flag(LPVOID arg) {
  InterlockedExchange((LONG *)arg, 1);
  return 0;
}

#ifndef _WIN32
static unsigned __stdcall crt_set_flag(void *arg) {
  InterlockedExchange((LONG *)arg, 1);
  return 0;
}
#endif

static void suspended_thread_starts_on_resume(void **state) {
  (void)state;
  LONG ran = 0;
  HANDLE t = CreateThread(NULL, 0, set_flag, &ran, CREATE_SUSPENDED, NULL);
  assert_non_null(t);
  Sleep(50);
  assert_int_equal(InterlockedCompareExchange(&ran, 0, 0), 0);
  assert_int_equal(ResumeThread(t), 1);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  assert_int_equal(ran, 1);
  assert_int_equal(ResumeThread(t), 0);
  assert_true(CloseHandle(t));
#ifndef _WIN32
  /* The layer's own answers: other creation flags are ignored (ported
   * code passes access rights there); TerminateThread is refused. */
  ran = 0;
  uintptr_t h =
      _beginthreadex(NULL, 0, crt_set_flag, &ran,
                     CREATE_SUSPENDED | THREAD_QUERY_INFORMATION, NULL);
  assert_true(h != 0);
  assert_false(TerminateThread((HANDLE)h, 1));
  assert_int_equal(GetLastError(), ERROR_NOT_SUPPORTED);
  assert_int_equal(ResumeThread((HANDLE)h), 1);
  assert_int_equal(WaitForSingleObject((HANDLE)h, 5000), WAIT_OBJECT_0);
  assert_int_equal(ran, 1);
  assert_true(CloseHandle((HANDLE)h));
  OutputDebugStringA(""); /* to standard error: nothing to see here */
  OutputDebugStringW(L"");
#endif
}

static DWORD WINAPI until_go(LPVOID go) {
  return WaitForSingleObject((HANDLE)go, 5000) == WAIT_OBJECT_0 ? 0 : 1;
}

/* SetThreadDescription (Windows 10 1607 and later): looked up at run time,
 * so the suite still loads where it is missing. */
typedef HRESULT(WINAPI *set_description_fn)(HANDLE, PCWSTR);

/* Priorities are kept as set; affinity takes a processor of the
 * process's and gives the old mask back; the processor number and a
 * thread's name work on the calling thread and on another. */
static void priority_affinity_and_names(void **state) {
  (void)state;
  HANDLE go = CreateEvent(NULL, TRUE, FALSE, NULL);
  HANDLE t = CreateThread(NULL, 0, until_go, go, 0, NULL);
  assert_non_null(t);
  assert_int_equal(GetThreadPriority(t), THREAD_PRIORITY_NORMAL);
  assert_true(SetThreadPriority(t, THREAD_PRIORITY_BELOW_NORMAL));
  assert_int_equal(GetThreadPriority(t), THREAD_PRIORITY_BELOW_NORMAL);
  assert_true(SetThreadPriority(t, THREAD_PRIORITY_LOWEST));
  assert_int_equal(GetThreadPriority(t), THREAD_PRIORITY_LOWEST);
  assert_false(SetThreadPriority(t, 3)); /* not a priority */
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  assert_int_equal(GetThreadPriority(t), THREAD_PRIORITY_LOWEST);
  int mine = GetThreadPriority(GetCurrentThread());
  assert_int_equal(mine, THREAD_PRIORITY_NORMAL);

  DWORD_PTR process = 0, system = 0;
  assert_true(GetProcessAffinityMask(GetCurrentProcess(), &process, &system));
  assert_true(process != 0);
  assert_int_equal(process & ~system, 0);
  DWORD_PTR first = process & (~process + 1); /* its lowest processor */
  DWORD_PTR old = SetThreadAffinityMask(t, first);
  assert_int_equal(old & ~process, 0);
  assert_true(old != 0);
  assert_int_equal(SetThreadAffinityMask(t, process), first);
  /* One that is not the process's: ERROR_INVALID_PARAMETER. */
  if (~system != 0) {
    assert_int_equal(SetThreadAffinityMask(t, ~system), 0);
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  }
  /* Pinned, the calling thread runs on that processor. */
  old = SetThreadAffinityMask(GetCurrentThread(), first);
  assert_true(old != 0);
  Sleep(1);
  assert_int_equal((DWORD_PTR)1 << GetCurrentProcessorNumber(), first);
  assert_int_equal(SetThreadAffinityMask(GetCurrentThread(), old), first);

  set_description_fn describe;
  W_KERNEL32_FN(describe, "SetThreadDescription");
  if (describe != NULL) {
    assert_true(SUCCEEDED(describe(t, L"cport-worker")));
    assert_true(SUCCEEDED(describe(GetCurrentThread(), L"cport-test-main")));
  }
  SetEvent(go);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  assert_int_equal(GetThreadPriority(NULL), THREAD_PRIORITY_ERROR_RETURN);
  CloseHandle(t);
  CloseHandle(go);
}

struct tls_probe {
  DWORD index;
  LPVOID seen;
};

static DWORD WINAPI tls_thread(LPVOID arg) {
  struct tls_probe *p = arg;
  p->seen = TlsGetValue(p->index);
  TlsSetValue(p->index, (LPVOID)p);
  return TlsGetValue(p->index) == p ? 0 : 1;
}

static void tls_values_are_per_thread(void **state) {
  (void)state;
  struct tls_probe p;
  p.index = TlsAlloc();
  assert_true(p.index != TLS_OUT_OF_INDEXES);
  int mine;
  assert_true(TlsSetValue(p.index, &mine));
  p.seen = &p;
  HANDLE t = CreateThread(NULL, 0, tls_thread, &p, 0, NULL);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  DWORD code = 9;
  GetExitCodeThread(t, &code);
  assert_int_equal(code, 0);
  assert_null(p.seen);
  SetLastError(77);
  assert_ptr_equal(TlsGetValue(p.index), &mine);
  assert_int_equal(GetLastError(), ERROR_SUCCESS);
  CloseHandle(t);
  assert_true(TlsFree(p.index));
}

/* ------------------------------------------------------------------------ */
/* Events, mutexes, semaphores, waits                                        */
/* ------------------------------------------------------------------------ */

static DWORD WINAPI wait_for_go(LPVOID arg) {
  return WaitForSingleObject((HANDLE)arg, 5000) == WAIT_OBJECT_0 ? 0 : 1;
}

static void events_and_mixed_waits(void **state) {
  (void)state;
  HANDLE autoe = CreateEvent(NULL, FALSE, FALSE, NULL);
  HANDLE manual = CreateEvent(NULL, TRUE, FALSE, NULL);
  assert_non_null(autoe);
  assert_non_null(manual);
  assert_true(SetEvent(autoe));
  assert_int_equal(WaitForSingleObject(autoe, 0), WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(autoe, 0), WAIT_TIMEOUT); /* consumed */
  assert_true(SetEvent(manual));
  assert_int_equal(WaitForSingleObject(manual, 0), WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(manual, 0), WAIT_OBJECT_0); /* stays */
  assert_true(ResetEvent(manual));
  /* A thread and an event in one wait. */
  HANDLE go = CreateEvent(NULL, TRUE, FALSE, NULL);
  HANDLE t = CreateThread(NULL, 0, wait_for_go, go, 0, NULL);
  HANDLE mix[2] = {t, autoe};
  ULONGLONG t0 = w_now_ms();
  assert_int_equal(WaitForMultipleObjects(2, mix, FALSE, 60), WAIT_TIMEOUT);
  assert_true(w_now_ms() - t0 >= 50);
  SetEvent(autoe);
  assert_int_equal(WaitForMultipleObjects(2, mix, FALSE, 5000),
                   WAIT_OBJECT_0 + 1);
  SetEvent(autoe);
  assert_int_equal(WaitForMultipleObjects(2, mix, TRUE, 50), WAIT_TIMEOUT);
  assert_int_equal(WaitForSingleObject(autoe, 0),
                   WAIT_OBJECT_0); /* untouched */
  SetEvent(autoe);
  SetEvent(go);
  assert_int_equal(WaitForMultipleObjects(2, mix, TRUE, 5000), WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(autoe, 0), WAIT_TIMEOUT); /* taken */
  HANDLE bad[2] = {t, (HANDLE)(uintptr_t)0x12345678};
  assert_int_equal(WaitForMultipleObjects(2, bad, FALSE, 0), WAIT_FAILED);
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  CloseHandle(t);
  CloseHandle(go);
  CloseHandle(autoe);
  CloseHandle(manual);
}

static DWORD WINAPI release_mutex_not_mine(LPVOID arg) {
  BOOL ok = ReleaseMutex((HANDLE)arg);
  return !ok && GetLastError() == ERROR_NOT_OWNER ? 0 : 1;
}

static DWORD WINAPI take_mutex(LPVOID arg) {
  if (WaitForSingleObject((HANDLE)arg, 5000) != WAIT_OBJECT_0)
    return 1;
  return ReleaseMutex((HANDLE)arg) ? 0 : 2;
}

static void mutexes_and_semaphores(void **state) {
  (void)state;
  HANDLE m = CreateMutex(NULL, TRUE, NULL);
  assert_non_null(m);
  assert_int_equal(WaitForSingleObject(m, 0), WAIT_OBJECT_0); /* recursive */
  HANDLE t = CreateThread(NULL, 0, release_mutex_not_mine, m, 0, NULL);
  DWORD code = 9;
  WaitForSingleObject(t, 5000);
  GetExitCodeThread(t, &code);
  assert_int_equal(code, 0);
  CloseHandle(t);
  t = CreateThread(NULL, 0, take_mutex, m, 0, NULL);
  assert_int_equal(WaitForSingleObject(t, 50), WAIT_TIMEOUT); /* still ours */
  assert_true(ReleaseMutex(m));
  assert_int_equal(WaitForSingleObject(t, 50), WAIT_TIMEOUT); /* once more */
  assert_true(ReleaseMutex(m));
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  GetExitCodeThread(t, &code);
  assert_int_equal(code, 0);
  CloseHandle(t);
  assert_false(ReleaseMutex(m));
  assert_int_equal(GetLastError(), ERROR_NOT_OWNER);
  CloseHandle(m);

  HANDLE s = CreateSemaphore(NULL, 1, 2, NULL);
  assert_non_null(s);
  assert_int_equal(WaitForSingleObject(s, 0), WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(s, 0), WAIT_TIMEOUT);
  LONG prev = -1;
  assert_false(ReleaseSemaphore(s, 3, &prev));
  assert_int_equal(GetLastError(), ERROR_TOO_MANY_POSTS);
  assert_true(ReleaseSemaphore(s, 1, &prev));
  assert_int_equal(prev, 0);
  assert_true(ReleaseSemaphore(s, 1, &prev));
  assert_int_equal(prev, 1);
  assert_false(ReleaseSemaphore(s, 1, NULL));
  assert_int_equal(WaitForSingleObject(s, 0), WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(s, 0), WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(s, 0), WAIT_TIMEOUT);
  assert_null(CreateSemaphore(NULL, 3, 2, NULL));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  CloseHandle(s);
}

/* ------------------------------------------------------------------------ */
/* SRW locks, condition variables, one-time init                             */
/* ------------------------------------------------------------------------ */

struct shared {
  SRWLOCK lock;
  CONDITION_VARIABLE cv;
  CRITICAL_SECTION cs;
  int value;
  HANDLE holding, release;
};

static DWORD WINAPI hold_shared(LPVOID arg) {
  struct shared *s = arg;
  AcquireSRWLockShared(&s->lock);
  SetEvent(s->holding);
  WaitForSingleObject(s->release, 5000);
  ReleaseSRWLockShared(&s->lock);
  return 0;
}

static DWORD WINAPI produce(LPVOID arg) {
  struct shared *s = arg;
  Sleep(30);
  AcquireSRWLockExclusive(&s->lock);
  s->value = 1;
  ReleaseSRWLockExclusive(&s->lock);
  WakeConditionVariable(&s->cv);
  Sleep(30);
  EnterCriticalSection(&s->cs);
  s->value = 2;
  LeaveCriticalSection(&s->cs);
  WakeAllConditionVariable(&s->cv);
  return 0;
}

static void srw_locks_and_condition_variables(void **state) {
  (void)state;
  struct shared s;
  memset(&s, 0, sizeof(s));
  SRWLOCK init = SRWLOCK_INIT;
  s.lock = init;
  InitializeConditionVariable(&s.cv);
  InitializeCriticalSection(&s.cs);
  s.holding = CreateEvent(NULL, TRUE, FALSE, NULL);
  s.release = CreateEvent(NULL, TRUE, FALSE, NULL);
  HANDLE t = CreateThread(NULL, 0, hold_shared, &s, 0, NULL);
  assert_int_equal(WaitForSingleObject(s.holding, 5000), WAIT_OBJECT_0);
  assert_true(TryAcquireSRWLockShared(&s.lock)); /* readers share */
  ReleaseSRWLockShared(&s.lock);
  assert_false(TryAcquireSRWLockExclusive(&s.lock));
  SetEvent(s.release);
  WaitForSingleObject(t, 5000);
  CloseHandle(t);
  assert_true(TryAcquireSRWLockExclusive(&s.lock));
  /* A timed sleep that times out, the lock held again after it. */
  assert_false(SleepConditionVariableSRW(&s.cv, &s.lock, 30, 0));
  assert_int_equal(GetLastError(), ERROR_TIMEOUT);
  assert_false(TryAcquireSRWLockShared(&s.lock));
  t = CreateThread(NULL, 0, produce, &s, 0, NULL);
  while (s.value < 1)
    assert_true(SleepConditionVariableSRW(&s.cv, &s.lock, 5000, 0));
  ReleaseSRWLockExclusive(&s.lock);
  EnterCriticalSection(&s.cs);
  while (s.value < 2)
    assert_true(SleepConditionVariableCS(&s.cv, &s.cs, 5000));
  LeaveCriticalSection(&s.cs);
  WaitForSingleObject(t, 5000);
  CloseHandle(t);
  CloseHandle(s.holding);
  CloseHandle(s.release);
  DeleteCriticalSection(&s.cs);
}

static LONG once_calls;

static BOOL CALLBACK slow_init(PINIT_ONCE once, PVOID param, PVOID *ctx) {
  (void)once;
  InterlockedIncrement(&once_calls);
  Sleep(50);
  *ctx = param;
  return TRUE;
}

static BOOL CALLBACK failing_init(PINIT_ONCE once, PVOID param, PVOID *ctx) {
  (void)once;
  (void)ctx;
  return InterlockedIncrement((LONG *)param) >= 2; /* fails the first time */
}

static INIT_ONCE shared_once = INIT_ONCE_STATIC_INIT;
static int once_target;

static DWORD WINAPI run_once(LPVOID arg) {
  (void)arg;
  LPVOID ctx = NULL;
  if (!InitOnceExecuteOnce(&shared_once, slow_init, &once_target, &ctx))
    return 1;
  return ctx == &once_target ? 0 : 2;
}

static void init_once_runs_once(void **state) {
  (void)state;
  HANDLE t[4];
  for (int i = 0; i < 4; i++)
    t[i] = CreateThread(NULL, 0, run_once, NULL, 0, NULL);
  assert_int_equal(WaitForMultipleObjects(4, t, TRUE, 10000), WAIT_OBJECT_0);
  for (int i = 0; i < 4; i++) {
    DWORD code = 9;
    GetExitCodeThread(t[i], &code);
    assert_int_equal(code, 0);
    CloseHandle(t[i]);
  }
  assert_int_equal(once_calls, 1);
  INIT_ONCE again;
  InitOnceInitialize(&again);
  LONG tries = 0;
  assert_false(InitOnceExecuteOnce(&again, failing_init, &tries, NULL));
  assert_true(InitOnceExecuteOnce(&again, failing_init, &tries, NULL));
  assert_true(InitOnceExecuteOnce(&again, failing_init, &tries, NULL));
  assert_int_equal(tries, 2);
}

/* The callback gets the caller's context; what it holds then is kept
 * (Wine's conformance test of one-time initialisation). */
static BOOL CALLBACK keep_init(PINIT_ONCE once, PVOID param, PVOID *ctx) {
  (void)once;
  *(PVOID *)param = *ctx; /* what it was handed */
  return TRUE;
}

static void init_once_hands_the_context(void **state) {
  (void)state;
  INIT_ONCE once;
  InitOnceInitialize(&once);
  PVOID ctx = (PVOID)(uintptr_t)0xFFFFFFF0u, seen = NULL;
  assert_true(InitOnceExecuteOnce(&once, keep_init, &seen, &ctx));
  assert_ptr_equal(seen, (PVOID)(uintptr_t)0xFFFFFFF0u);
  assert_ptr_equal(ctx, (PVOID)(uintptr_t)0xFFFFFFF0u);
  assert_ptr_equal(once.Ptr, (PVOID)(uintptr_t)0xFFFFFFF2u);
  ctx = NULL;
  assert_true(InitOnceExecuteOnce(&once, keep_init, &seen, &ctx));
  assert_ptr_equal(ctx, (PVOID)(uintptr_t)0xFFFFFFF0u);
}

/* ------------------------------------------------------------------------ */
/* SLists                                                                    */
/* ------------------------------------------------------------------------ */

struct item {
  SLIST_ENTRY entry; /* first, as the samples lay them out */
  int n;
};

static SLIST_HEADER pool;

static DWORD WINAPI churn(LPVOID arg) {
  (void)arg;
  for (int i = 0; i < 2000; i++) {
    PSLIST_ENTRY e = InterlockedPopEntrySList(&pool);
    if (e != NULL)
      InterlockedPushEntrySList(&pool, e);
  }
  return 0;
}

static void slists(void **state) {
  (void)state;
  static struct item items[64];
  InitializeSListHead(&pool);
  assert_null(InterlockedPopEntrySList(&pool));
  assert_null(InterlockedPushEntrySList(&pool, &items[0].entry));
  assert_ptr_equal(InterlockedPushEntrySList(&pool, &items[1].entry),
                   &items[0].entry);
  assert_int_equal(QueryDepthSList(&pool), 2);
  assert_ptr_equal(InterlockedPopEntrySList(&pool), &items[1].entry); /* LIFO */
  PSLIST_ENTRY all = InterlockedFlushSList(&pool);
  assert_ptr_equal(all, &items[0].entry);
  assert_int_equal(QueryDepthSList(&pool), 0);
  for (int i = 0; i < 64; i++)
    InterlockedPushEntrySList(&pool, &items[i].entry);
  HANDLE t[4];
  for (int i = 0; i < 4; i++)
    t[i] = CreateThread(NULL, 0, churn, NULL, 0, NULL);
  assert_int_equal(WaitForMultipleObjects(4, t, TRUE, 10000), WAIT_OBJECT_0);
  for (int i = 0; i < 4; i++)
    CloseHandle(t[i]);
  assert_int_equal(QueryDepthSList(&pool), 64);
  int count = 0;
  for (PSLIST_ENTRY e = InterlockedFlushSList(&pool); e != NULL; e = e->Next)
    count++;
  assert_int_equal(count, 64);
}

/* ------------------------------------------------------------------------ */
/* Counters and the system                                                   */
/* ------------------------------------------------------------------------ */

static void counters_and_system_info(void **state) {
  (void)state;
  LARGE_INTEGER f, a, b;
  assert_true(QueryPerformanceFrequency(&f));
  assert_true(f.QuadPart > 0);
  assert_true(QueryPerformanceCounter(&a));
  Sleep(30);
  SwitchToThread();
  assert_true(QueryPerformanceCounter(&b));
  LONGLONG ms = (b.QuadPart - a.QuadPart) * 1000 / f.QuadPart;
  assert_true(ms >= 25 && ms < 5000);
  SYSTEM_INFO si;
  memset(&si, 0xAB, sizeof(si));
  GetSystemInfo(&si);
  assert_true(si.dwNumberOfProcessors >= 1);
  assert_true(si.dwPageSize >= 4096);
  assert_int_equal(si.dwAllocationGranularity, 65536);
  uintptr_t lo = (uintptr_t)si.lpMinimumApplicationAddress;
  uintptr_t hi = (uintptr_t)si.lpMaximumApplicationAddress;
  int local = 0;
  void *heap = malloc(16);
  assert_true(lo > 0 && lo < hi);
  assert_true((uintptr_t)&local > lo && (uintptr_t)&local < hi);
  assert_true((uintptr_t)heap > lo && (uintptr_t)heap < hi);
  free(heap);
  assert_true(si.dwActiveProcessorMask != 0);
}

/* ------------------------------------------------------------------------ */
/* Timer queues                                                              */
/* ------------------------------------------------------------------------ */

struct tq_probe {
  volatile LONG fired;
  HANDLE started, go_on; /* for a callback that waits */
};

/* (Read atomically: the callbacks count on the queue's thread.) */
static LONG fires(struct tq_probe *p) {
  return InterlockedOr(&p->fired, 0);
}

static VOID CALLBACK count_fires(PVOID p, BOOLEAN fired) {
  struct tq_probe *pr = p;
  assert_true(fired);
  InterlockedIncrement(&pr->fired);
}

static VOID CALLBACK set_event_once(PVOID p, BOOLEAN fired) {
  (void)fired;
  SetEvent((HANDLE)p);
}

static VOID CALLBACK wait_in_callback(PVOID p, BOOLEAN fired) {
  (void)fired;
  struct tq_probe *pr = p;
  SetEvent(pr->started);
  WaitForSingleObject(pr->go_on, 5000);
  InterlockedIncrement(&pr->fired);
}

/* A one-shot and a periodic timer on a queue of their own, re-armed,
 * stopped and deleted (threadpoollegacyapiset.h, as proxies use it for
 * connect timeouts). */
static void timer_queue_timers_fire_and_stop(void **state) {
  (void)state;
  HANDLE q = CreateTimerQueue();
  assert_non_null(q);
  HANDLE ev = CreateEvent(NULL, TRUE, FALSE, NULL), once, every;
  struct tq_probe pr;
  memset(&pr, 0, sizeof(pr));
  assert_true(CreateTimerQueueTimer(&once, q, set_event_once, ev, 20, 0,
                                    WT_EXECUTEONLYONCE));
  assert_true(CreateTimerQueueTimer(&every, q, count_fires, &pr, 10, 10,
                                    WT_EXECUTEDEFAULT));
  assert_int_equal(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
  Sleep(150);
  assert_true(fires(&pr) >= 3);
  /* Disarmed: no more fires (one may be on its way). */
  assert_true(ChangeTimerQueueTimer(q, every, INFINITE, 0));
  Sleep(30);
  LONG seen = fires(&pr);
  Sleep(100);
  assert_int_equal(fires(&pr), seen);
  /* Re-armed once. */
  assert_true(ChangeTimerQueueTimer(q, every, 10, 0));
  Sleep(200);
  assert_int_equal(fires(&pr), seen + 1);
  assert_true(DeleteTimerQueueTimer(q, every, INVALID_HANDLE_VALUE));
  assert_true(DeleteTimerQueueTimer(q, once, INVALID_HANDLE_VALUE));
  assert_true(DeleteTimerQueueEx(q, INVALID_HANDLE_VALUE));
  /* The default queue too. */
  HANDLE t;
  ResetEvent(ev);
  assert_true(CreateTimerQueueTimer(&t, NULL, set_event_once, ev, 0, 0, 0));
  assert_int_equal(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
  assert_true(DeleteTimerQueueTimer(NULL, t, INVALID_HANDLE_VALUE));
  CloseHandle(ev);
}

/* Deleting a timer whose callback runs: with NULL it is marked and the
 * call says ERROR_IO_PENDING; with an event, the event is set once the
 * callback has returned; a queue deleted with INVALID_HANDLE_VALUE waits
 * for its callbacks. */
static void timer_queue_delete_waits_as_asked(void **state) {
  (void)state;
  HANDLE q = CreateTimerQueue(), t;
  struct tq_probe pr;
  memset(&pr, 0, sizeof(pr));
  pr.started = CreateEvent(NULL, FALSE, FALSE, NULL);
  pr.go_on = CreateEvent(NULL, TRUE, FALSE, NULL);
  HANDLE done = CreateEvent(NULL, TRUE, FALSE, NULL);
  assert_true(CreateTimerQueueTimer(&t, q, wait_in_callback, &pr, 0, 0, 0));
  assert_int_equal(WaitForSingleObject(pr.started, 5000), WAIT_OBJECT_0);
  assert_false(DeleteTimerQueueTimer(q, t, done));
  assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_int_equal(WaitForSingleObject(done, 50), WAIT_TIMEOUT);
  SetEvent(pr.go_on);
  assert_int_equal(WaitForSingleObject(done, 5000), WAIT_OBJECT_0);
  assert_int_equal(fires(&pr), 1);
  /* A queue deleted while a callback runs, waiting for it. */
  ResetEvent(pr.go_on);
  assert_true(CreateTimerQueueTimer(&t, q, wait_in_callback, &pr, 0, 0, 0));
  assert_int_equal(WaitForSingleObject(pr.started, 5000), WAIT_OBJECT_0);
  SetEvent(pr.go_on);
  assert_true(DeleteTimerQueueEx(q, INVALID_HANDLE_VALUE));
  assert_int_equal(fires(&pr), 2);
  CloseHandle(pr.started);
  CloseHandle(pr.go_on);
  CloseHandle(done);
}

static DWORD WINAPI release_after_50ms(LPVOID arg) {
  Sleep(50);
  SetEvent((HANDLE)arg);
  return 0;
}

/* DeleteTimerQueueTimer(INVALID_HANDLE_VALUE) from another thread waits
 * for the running callback and frees the timer once: the timers made
 * after it are distinct and all work, and the queue then goes cleanly.
 * (A timer freed twice would hand its memory to two new timers.) */
static void timer_queue_delete_waits_for_its_callback(void **state) {
  (void)state;
  HANDLE q = CreateTimerQueue(), t, a, b;
  assert_non_null(q);
  struct tq_probe pr;
  memset(&pr, 0, sizeof(pr));
  pr.started = CreateEvent(NULL, FALSE, FALSE, NULL);
  pr.go_on = CreateEvent(NULL, TRUE, FALSE, NULL);
  for (int round = 0; round < 3; round++) {
    ResetEvent(pr.go_on);
    assert_true(CreateTimerQueueTimer(&t, q, wait_in_callback, &pr, 0, 0, 0));
    assert_int_equal(WaitForSingleObject(pr.started, 5000), WAIT_OBJECT_0);
    HANDLE th = CreateThread(NULL, 0, release_after_50ms, pr.go_on, 0, NULL);
    assert_non_null(th);
    assert_true(DeleteTimerQueueTimer(q, t, INVALID_HANDLE_VALUE));
    assert_int_equal(fires(&pr), round + 1); /* it waited for the callback */
    assert_int_equal(WaitForSingleObject(th, 5000), WAIT_OBJECT_0);
    CloseHandle(th);
#ifndef _WIN32
    /* Deleted once: a second delete finds no timer (on Linux a stale
     * timer handle is safe to pass; on Windows it is freed memory). */
    assert_false(DeleteTimerQueueTimer(q, t, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
#endif
  }
  HANDLE ev_a = CreateEvent(NULL, TRUE, FALSE, NULL);
  HANDLE ev_b = CreateEvent(NULL, TRUE, FALSE, NULL);
  assert_true(CreateTimerQueueTimer(&a, q, set_event_once, ev_a, 10, 0, 0));
  assert_true(CreateTimerQueueTimer(&b, q, set_event_once, ev_b, 10, 0, 0));
  assert_ptr_not_equal(a, b);
  assert_int_equal(WaitForSingleObject(ev_a, 5000), WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(ev_b, 5000), WAIT_OBJECT_0);
  assert_true(DeleteTimerQueueEx(q, INVALID_HANDLE_VALUE));
  CloseHandle(ev_a);
  CloseHandle(ev_b);
  CloseHandle(pr.started);
  CloseHandle(pr.go_on);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(thread_ids_and_exit_codes),
      cmocka_unit_test(suspended_thread_starts_on_resume),
      cmocka_unit_test(priority_affinity_and_names),
      cmocka_unit_test(tls_values_are_per_thread),
      cmocka_unit_test(events_and_mixed_waits),
      cmocka_unit_test(mutexes_and_semaphores),
      cmocka_unit_test(srw_locks_and_condition_variables),
      cmocka_unit_test(init_once_runs_once),
      cmocka_unit_test(init_once_hands_the_context),
      cmocka_unit_test(crt_old_start),
      cmocka_unit_test(signal_object_and_wait),
      cmocka_unit_test(slists),
      cmocka_unit_test(counters_and_system_info),
      cmocka_unit_test(timer_queue_timers_fire_and_stop),
      cmocka_unit_test(timer_queue_delete_waits_as_asked),
      cmocka_unit_test(timer_queue_delete_waits_for_its_callback),
  };
  return W_RUN("win32-threads", tests);
}
