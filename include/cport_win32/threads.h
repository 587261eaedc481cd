/**
 * @file cport_win32/threads.h
 * @brief Part of cport_win32.h: threads, waits, events, mutexes, semaphores, critical sections, SRW locks, condition variables, Interlocked*, SLists, time and timer queues (processthreadsapi.h, synchapi.h, interlockedapi.h).
 *
 * Include <cport_win32.h>, never this file: it is read inside that
 * header's Linux branch, after the parts before it.
 */
#ifndef CPORT_WIN32_PART_THREADS_H
#define CPORT_WIN32_PART_THREADS_H

#ifndef CPORT_WIN32_H
#  error "include <cport_win32.h>, not its parts"
#endif

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */
/* ------------------------------------------------------------------------ */

typedef DWORD(WINAPI *LPTHREAD_START_ROUTINE)(LPVOID);
typedef LPTHREAD_START_ROUTINE PTHREAD_START_ROUTINE;

#define CREATE_SUSPENDED 0x4u
#define STACK_SIZE_PARAM_IS_A_RESERVATION 0x10000u
#define STILL_ACTIVE 259u
/* Access rights (OpenThread, DuplicateHandle): accepted, not checked. */
#define THREAD_TERMINATE 0x0001u
#define THREAD_SUSPEND_RESUME 0x0002u
#define THREAD_GET_CONTEXT 0x0008u
#define THREAD_SET_CONTEXT 0x0010u
#define THREAD_SET_INFORMATION 0x0020u
#define THREAD_QUERY_INFORMATION 0x0040u
#define THREAD_QUERY_LIMITED_INFORMATION 0x0800u
#define THREAD_ALL_ACCESS 0x1FFFFFu
#define TLS_OUT_OF_INDEXES 0xFFFFFFFFu

/* *id (and GetThreadId) is the thread's Linux thread id, the value
 * GetCurrentThreadId returns inside it. Of the flags, CREATE_SUSPENDED
 * counts; others are ignored, as Windows' CRT passes them on. */
CPORT_WIN32_API HANDLE CreateThread(LPSECURITY_ATTRIBUTES sa, SIZE_T stack,
                                    LPTHREAD_START_ROUTINE fn, LPVOID arg,
                                    DWORD flags, LPDWORD id);
/* The CRT's thread start (process.h): a thread HANDLE as uintptr_t, 0 on
 * failure with errno set. */
CPORT_WIN32_API uintptr_t _beginthreadex(void *security, unsigned stack,
                                         unsigned(__stdcall *fn)(void *),
                                         void *arg, unsigned flags,
                                         unsigned *id);
CPORT_WIN32_API CPORT_W32_NORETURN void _endthreadex(unsigned code);
/* The CRT's older start: the handle as uintptr_t, or (uintptr_t)-1 with
 * errno; the handle closes itself when the thread returns or calls
 * _endthread, so waiting on it is a race, as on Windows. */
CPORT_WIN32_API uintptr_t _beginthread(void(__cdecl *fn)(void *),
                                       unsigned stack, void *arg);
CPORT_WIN32_API CPORT_W32_NORETURN void _endthread(void);
CPORT_WIN32_API CPORT_W32_NORETURN void ExitThread(DWORD code);
CPORT_WIN32_API DWORD ResumeThread(HANDLE h);
/* Refused with ERROR_NOT_SUPPORTED: a POSIX thread cannot be stopped at
 * an arbitrary point without corrupting the process (Microsoft calls it
 * "a dangerous function"); end the thread by telling it to return. */
CPORT_WIN32_API BOOL TerminateThread(HANDLE h, DWORD code);
CPORT_WIN32_API BOOL GetExitCodeThread(HANDLE h, LPDWORD code);
CPORT_WIN32_API DWORD GetThreadId(HANDLE h);
CPORT_WIN32_API DWORD GetCurrentThreadId(void);
/* The pseudo handle (HANDLE)-2, as on Windows. */
CPORT_WIN32_API HANDLE GetCurrentThread(void);
/* A handle to a running thread the layer knows: one CreateThread or
 * _beginthreadex started, one that took a handle to itself
 * (DuplicateHandle of GetCurrentThread()), and the calling thread. Other
 * ids, and threads that have ended: NULL, ERROR_INVALID_PARAMETER. */
CPORT_WIN32_API HANDLE OpenThread(DWORD access, BOOL inherit, DWORD id);
CPORT_WIN32_API BOOL SwitchToThread(void);

/* APCs: QueueUserAPC queues fn(data) to a thread (a HANDLE CreateThread
 * or _beginthreadex gave, or GetCurrentThread()); it runs when that
 * thread enters an alertable wait (SleepEx, WaitForSingleObjectEx,
 * WaitForMultipleObjectsEx, WSAWaitForMultipleEvents with alertable
 * TRUE, GetQueuedCompletionStatusEx with fAlertable TRUE), which then
 * returns WAIT_IO_COMPLETION. An APC queued while the thread waits in
 * GetQueuedCompletionStatusEx runs within 10 ms. */
typedef VOID(NTAPI *PAPCFUNC)(ULONG_PTR data);
CPORT_WIN32_API DWORD QueueUserAPC(PAPCFUNC fn, HANDLE thread, ULONG_PTR data);

/* Priorities: recorded as given (GetThreadPriority returns them) and
 * applied as the thread's nice value (IDLE 19, LOWEST 10, BELOW_NORMAL
 * 5, NORMAL 0, ABOVE_NORMAL -5, HIGHEST -10, TIME_CRITICAL -20) where
 * Linux lets the process: lowering always, raising with CAP_SYS_NICE or
 * RLIMIT_NICE room; Windows priorities are hints to the scheduler too. */
#define THREAD_PRIORITY_IDLE (-15)
#define THREAD_PRIORITY_LOWEST (-2)
#define THREAD_PRIORITY_BELOW_NORMAL (-1)
#define THREAD_PRIORITY_NORMAL 0
#define THREAD_PRIORITY_ABOVE_NORMAL 1
#define THREAD_PRIORITY_HIGHEST 2
#define THREAD_PRIORITY_TIME_CRITICAL 15
#define THREAD_PRIORITY_ERROR_RETURN 0x7FFFFFFF
#define THREAD_MODE_BACKGROUND_BEGIN 0x00010000
#define THREAD_MODE_BACKGROUND_END 0x00020000
CPORT_WIN32_API BOOL SetThreadPriority(HANDLE thread, int priority);
CPORT_WIN32_API int GetThreadPriority(HANDLE thread);
/* The processors (bit n: processor n, the first 64) the thread may run
 * on; returns the previous mask, or 0 with ERROR_INVALID_PARAMETER for a
 * mask outside the process's. */
CPORT_WIN32_API DWORD_PTR SetThreadAffinityMask(HANDLE thread, DWORD_PTR mask);
/* process: GetCurrentProcess() only. The process's mask is the one it
 * started with (Linux has none of its own). */
CPORT_WIN32_API BOOL GetProcessAffinityMask(HANDLE process,
                                            PDWORD_PTR process_mask,
                                            PDWORD_PTR system_mask);
/* The processor the calling thread runs on now. */
CPORT_WIN32_API DWORD GetCurrentProcessorNumber(void);
/* The thread's name as tools show it (the first 15 bytes of its UTF-8). */
CPORT_WIN32_API HRESULT SetThreadDescription(HANDLE thread, PCWSTR name);

CPORT_WIN32_API DWORD TlsAlloc(void);
CPORT_WIN32_API BOOL TlsFree(DWORD index);
CPORT_WIN32_API LPVOID TlsGetValue(DWORD index);
CPORT_WIN32_API BOOL TlsSetValue(DWORD index, LPVOID value);
/* Fiber-local storage: a thread's slot (the layer has no fibers); the
 * callback runs for a thread's non-NULL value as the thread ends, not
 * for the values still set when FlsFree frees the slot. */
typedef VOID(WINAPI *PFLS_CALLBACK_FUNCTION)(PVOID data);
#define FLS_OUT_OF_INDEXES 0xFFFFFFFFu
CPORT_WIN32_API DWORD FlsAlloc(PFLS_CALLBACK_FUNCTION callback);
CPORT_WIN32_API BOOL FlsFree(DWORD index);
CPORT_WIN32_API PVOID FlsGetValue(DWORD index);
CPORT_WIN32_API BOOL FlsSetValue(DWORD index, PVOID value);

/* ------------------------------------------------------------------------ */
/* Waits, events, mutexes, semaphores                                        */
/* ------------------------------------------------------------------------ */

#define WAIT_OBJECT_0 0u
#define WAIT_ABANDONED 0x80u
#define WAIT_ABANDONED_0 0x80u
#define WAIT_IO_COMPLETION 0xC0u
#define WAIT_FAILED 0xFFFFFFFFu
#define MAXIMUM_WAIT_OBJECTS 64

/* Threads, events, mutexes, semaphores, waitable timers and file, pipe or
 * socket handles, in any mix. A file, pipe or socket handle is signalled
 * when an overlapped op without an event ends on it and reset when an op
 * starts on it (a wait that includes one looks at it every millisecond). */
CPORT_WIN32_API DWORD WaitForSingleObject(HANDLE h, DWORD ms);
CPORT_WIN32_API DWORD WaitForSingleObjectEx(HANDLE h, DWORD ms, BOOL alertable);
/* Sets an event, releases a mutex or releases a semaphore by one, then
 * waits as WaitForSingleObjectEx; not one atomic step (neither is it on
 * Windows). WAIT_FAILED with ERROR_INVALID_HANDLE for another kind of
 * object, ERROR_NOT_OWNER or ERROR_TOO_MANY_POSTS when the release
 * fails. */
CPORT_WIN32_API DWORD SignalObjectAndWait(HANDLE signal, HANDLE wait, DWORD ms,
                                          BOOL alertable);
CPORT_WIN32_API DWORD WaitForMultipleObjects(DWORD n, const HANDLE *hs,
                                             BOOL all, DWORD ms);
CPORT_WIN32_API DWORD WaitForMultipleObjectsEx(DWORD n, const HANDLE *hs,
                                               BOOL all, DWORD ms,
                                               BOOL alertable);

/* Unnamed objects only: a name is refused with ERROR_NOT_SUPPORTED. */
CPORT_WIN32_API HANDLE CreateEventA(LPSECURITY_ATTRIBUTES sa, BOOL manual,
                                    BOOL initial, LPCSTR name);
CPORT_WIN32_API HANDLE CreateEventW(LPSECURITY_ATTRIBUTES sa, BOOL manual,
                                    BOOL initial, LPCWSTR name);
CPORT_WIN32_API BOOL SetEvent(HANDLE h);
CPORT_WIN32_API BOOL ResetEvent(HANDLE h);
CPORT_WIN32_API BOOL PulseEvent(HANDLE h);
CPORT_WIN32_API HANDLE CreateMutexA(LPSECURITY_ATTRIBUTES sa, BOOL owner,
                                    LPCSTR name);
CPORT_WIN32_API HANDLE CreateMutexW(LPSECURITY_ATTRIBUTES sa, BOOL owner,
                                    LPCWSTR name);
CPORT_WIN32_API BOOL ReleaseMutex(HANDLE h);
CPORT_WIN32_API HANDLE CreateSemaphoreA(LPSECURITY_ATTRIBUTES sa, LONG initial,
                                        LONG maximum, LPCSTR name);
CPORT_WIN32_API HANDLE CreateSemaphoreW(LPSECURITY_ATTRIBUTES sa, LONG initial,
                                        LONG maximum, LPCWSTR name);
CPORT_WIN32_API BOOL ReleaseSemaphore(HANDLE h, LONG count, LPLONG previous);
/* The Vista forms: flags instead of BOOLs; the access mask is not used. */
#define CREATE_EVENT_MANUAL_RESET 0x00000001u
#define CREATE_EVENT_INITIAL_SET 0x00000002u
#define CREATE_MUTEX_INITIAL_OWNER 0x00000001u
#define SYNCHRONIZE 0x00100000u
#define EVENT_MODIFY_STATE 0x0002u
#define EVENT_ALL_ACCESS 0x1F0003u
#define MUTEX_ALL_ACCESS 0x1F0001u
#define SEMAPHORE_MODIFY_STATE 0x0002u
#define SEMAPHORE_ALL_ACCESS 0x1F0003u
CPORT_WIN32_API HANDLE CreateEventExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name,
                                      DWORD flags, DWORD access);
CPORT_WIN32_API HANDLE CreateEventExW(LPSECURITY_ATTRIBUTES sa, LPCWSTR name,
                                      DWORD flags, DWORD access);
CPORT_WIN32_API HANDLE CreateMutexExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name,
                                      DWORD flags, DWORD access);
CPORT_WIN32_API HANDLE CreateMutexExW(LPSECURITY_ATTRIBUTES sa, LPCWSTR name,
                                      DWORD flags, DWORD access);
/* flags must be 0. */
CPORT_WIN32_API HANDLE CreateSemaphoreExA(LPSECURITY_ATTRIBUTES sa,
                                          LONG initial, LONG maximum,
                                          LPCSTR name, DWORD flags,
                                          DWORD access);
CPORT_WIN32_API HANDLE CreateSemaphoreExW(LPSECURITY_ATTRIBUTES sa,
                                          LONG initial, LONG maximum,
                                          LPCWSTR name, DWORD flags,
                                          DWORD access);
#define CreateEvent CPORT_W32_AW(CreateEvent)
#define CreateMutex CPORT_W32_AW(CreateMutex)
#define CreateSemaphore CPORT_W32_AW(CreateSemaphore)
#define CreateEventEx CPORT_W32_AW(CreateEventEx)
#define CreateMutexEx CPORT_W32_AW(CreateMutexEx)
#define CreateSemaphoreEx CPORT_W32_AW(CreateSemaphoreEx)

/* Waitable timers: objects that are signalled when their due time comes
 * (and again each period). A notification (manual-reset) timer stays
 * signalled until set again; a synchronization timer releases one wait
 * and resets. A completion routine is queued as an APC to the thread that
 * set the timer each time the timer is signalled (one at a time: a period
 * that comes while it is still queued signals the timer only), with the
 * time as a FILETIME; cancelling or setting the timer again cancels a
 * queued one (closing it does not), and if that thread has ended the
 * timer is cancelled (no longer signalled). */
typedef VOID(CALLBACK *PTIMERAPCROUTINE)(LPVOID arg, DWORD low, DWORD high);
typedef struct _REASON_CONTEXT {
  ULONG Version;
  DWORD Flags;
  union {
    struct {
      PVOID LocalizedReasonModule;
      ULONG LocalizedReasonId;
      ULONG ReasonStringCount;
      LPWSTR *ReasonStrings;
    } Detailed;
    LPWSTR SimpleReasonString;
  } Reason;
} REASON_CONTEXT, *PREASON_CONTEXT;
#define CREATE_WAITABLE_TIMER_MANUAL_RESET 0x00000001u
#define CREATE_WAITABLE_TIMER_HIGH_RESOLUTION 0x00000002u
#define TIMER_QUERY_STATE 0x0001u
#define TIMER_MODIFY_STATE 0x0002u
#define TIMER_ALL_ACCESS 0x1F0003u
CPORT_WIN32_API HANDLE CreateWaitableTimerA(LPSECURITY_ATTRIBUTES sa,
                                            BOOL manual, LPCSTR name);
CPORT_WIN32_API HANDLE CreateWaitableTimerW(LPSECURITY_ATTRIBUTES sa,
                                            BOOL manual, LPCWSTR name);
CPORT_WIN32_API HANDLE CreateWaitableTimerExA(LPSECURITY_ATTRIBUTES sa,
                                              LPCSTR name, DWORD flags,
                                              DWORD access);
CPORT_WIN32_API HANDLE CreateWaitableTimerExW(LPSECURITY_ATTRIBUTES sa,
                                              LPCWSTR name, DWORD flags,
                                              DWORD access);
#define CreateWaitableTimer CPORT_W32_AW(CreateWaitableTimer)
#define CreateWaitableTimerEx CPORT_W32_AW(CreateWaitableTimerEx)
/* due: negative, relative in 100 ns units; positive, an absolute
 * FILETIME. period in ms (0: once). Resets the timer's state. resume TRUE
 * succeeds with ERROR_NOT_SUPPORTED as the last error (no wake from
 * sleep), as Windows does where it cannot. */
CPORT_WIN32_API BOOL SetWaitableTimer(HANDLE timer, const LARGE_INTEGER *due,
                                      LONG period, PTIMERAPCROUTINE routine,
                                      LPVOID arg, BOOL resume);
/* The same; the wake context and the tolerable delay are not used. */
CPORT_WIN32_API BOOL SetWaitableTimerEx(HANDLE timer, const LARGE_INTEGER *due,
                                        LONG period, PTIMERAPCROUTINE routine,
                                        LPVOID arg, PREASON_CONTEXT wake,
                                        ULONG tolerable_delay);
/* Stops the timer; its state stays as it is. */
CPORT_WIN32_API BOOL CancelWaitableTimer(HANDLE timer);

/* ------------------------------------------------------------------------ */
/* Critical sections, SRW locks, condition variables, one-time init          */
/* ------------------------------------------------------------------------ */

/* A recursive lock, as Windows' critical sections are. */
typedef struct _CRITICAL_SECTION {
  pthread_mutex_t mutex;
} CRITICAL_SECTION, *PCRITICAL_SECTION, *LPCRITICAL_SECTION;
typedef CRITICAL_SECTION RTL_CRITICAL_SECTION, *PRTL_CRITICAL_SECTION;
CPORT_WIN32_API void InitializeCriticalSection(LPCRITICAL_SECTION cs);
CPORT_WIN32_API BOOL
InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION cs, DWORD spin);
CPORT_WIN32_API BOOL InitializeCriticalSectionEx(LPCRITICAL_SECTION cs,
                                                 DWORD spin, DWORD flags);
CPORT_WIN32_API void EnterCriticalSection(LPCRITICAL_SECTION cs);
CPORT_WIN32_API BOOL TryEnterCriticalSection(LPCRITICAL_SECTION cs);
CPORT_WIN32_API void LeaveCriticalSection(LPCRITICAL_SECTION cs);
CPORT_WIN32_API void DeleteCriticalSection(LPCRITICAL_SECTION cs);

/* A read-write lock; zero is the unlocked state (SRWLOCK_INIT, or
 * InitializeSRWLock). The storage is opaque so strict ISO C sees it. */
typedef struct _RTL_SRWLOCK {
  uintptr_t opaque[8];
} SRWLOCK, *PSRWLOCK;
#define SRWLOCK_INIT \
  {                  \
    { 0 }            \
  }
CPORT_WIN32_API void InitializeSRWLock(PSRWLOCK l);
CPORT_WIN32_API void AcquireSRWLockExclusive(PSRWLOCK l);
CPORT_WIN32_API void AcquireSRWLockShared(PSRWLOCK l);
CPORT_WIN32_API BOOLEAN TryAcquireSRWLockExclusive(PSRWLOCK l);
CPORT_WIN32_API BOOLEAN TryAcquireSRWLockShared(PSRWLOCK l);
CPORT_WIN32_API void ReleaseSRWLockExclusive(PSRWLOCK l);
CPORT_WIN32_API void ReleaseSRWLockShared(PSRWLOCK l);

/* Zero is the initial state (CONDITION_VARIABLE_INIT). */
typedef struct _RTL_CONDITION_VARIABLE {
  uint32_t seq;
  uint32_t waiters;
} CONDITION_VARIABLE, *PCONDITION_VARIABLE;
#define CONDITION_VARIABLE_INIT \
  { 0, 0 }
#define CONDITION_VARIABLE_LOCKMODE_SHARED 0x1u
CPORT_WIN32_API void InitializeConditionVariable(PCONDITION_VARIABLE cv);
/* FALSE with ERROR_TIMEOUT when ms elapse first. */
CPORT_WIN32_API BOOL SleepConditionVariableCS(PCONDITION_VARIABLE cv,
                                              PCRITICAL_SECTION cs, DWORD ms);
CPORT_WIN32_API BOOL SleepConditionVariableSRW(PCONDITION_VARIABLE cv,
                                               PSRWLOCK l, DWORD ms,
                                               ULONG flags);
CPORT_WIN32_API void WakeConditionVariable(PCONDITION_VARIABLE cv);
CPORT_WIN32_API void WakeAllConditionVariable(PCONDITION_VARIABLE cv);

/* Sleeps while *address holds the size (1, 2, 4 or 8) bytes at compare,
 * until a WakeByAddress* call on it, or ms: FALSE with ERROR_TIMEOUT
 * then. It may return TRUE without a wake (as documented): check the
 * value again. */
CPORT_WIN32_API BOOL WaitOnAddress(volatile VOID *address, PVOID compare,
                                   SIZE_T size, DWORD ms);
/* Wakes a thread (here: the threads) in WaitOnAddress on address. */
CPORT_WIN32_API void WakeByAddressSingle(PVOID address);
/* Wakes every thread in WaitOnAddress on address. */
CPORT_WIN32_API void WakeByAddressAll(PVOID address);

typedef union _RTL_RUN_ONCE {
  PVOID Ptr;
} INIT_ONCE, *PINIT_ONCE, *LPINIT_ONCE;
#define INIT_ONCE_STATIC_INIT \
  { 0 }
typedef BOOL(WINAPI *PINIT_ONCE_FN)(PINIT_ONCE, PVOID, PVOID *);
CPORT_WIN32_API void InitOnceInitialize(PINIT_ONCE once);
/* fn runs once; if it returns FALSE the next call runs it again. */
CPORT_WIN32_API BOOL InitOnceExecuteOnce(PINIT_ONCE once, PINIT_ONCE_FN fn,
                                         PVOID param, LPVOID *context);

/* ------------------------------------------------------------------------ */
/* Interlocked*: full barriers, returning what Windows returns               */
/* ------------------------------------------------------------------------ */

#define InterlockedIncrement(p) __atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#define InterlockedDecrement(p) __atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)
#define InterlockedExchange(p, v) \
  __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedExchangeAdd(p, v) \
  __atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedAdd(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedAnd(p, v) __atomic_fetch_and((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedOr(p, v) __atomic_fetch_or((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedXor(p, v) __atomic_fetch_xor((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedCompareExchange(p, v, cmp) \
  __sync_val_compare_and_swap((p), (cmp), (v))
#define InterlockedIncrement64 InterlockedIncrement
#define InterlockedDecrement64 InterlockedDecrement
#define InterlockedExchange64 InterlockedExchange
#define InterlockedExchangeAdd64 InterlockedExchangeAdd
#define InterlockedAdd64 InterlockedAdd
#define InterlockedAnd64 InterlockedAnd
#define InterlockedOr64 InterlockedOr
#define InterlockedXor64 InterlockedXor
#define InterlockedCompareExchange64 InterlockedCompareExchange
/* Functions, as Windows' are: a call whose value is not used draws no
 * warning (the builtins on a pointer do). */
static inline PVOID cport_w32_exchange_pointer(PVOID volatile *p, PVOID v) {
  return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
}
static inline PVOID cport_w32_cas_pointer(PVOID volatile *p, PVOID v,
                                          PVOID cmp) {
  return __sync_val_compare_and_swap(p, cmp, v);
}
#define InterlockedExchangePointer(p, v) \
  cport_w32_exchange_pointer((PVOID volatile *)(p), (PVOID)(v))
#define InterlockedCompareExchangePointer(p, v, cmp) \
  cport_w32_cas_pointer((PVOID volatile *)(p), (PVOID)(v), (PVOID)(cmp))
/* The compiler intrinsics' spellings (intrin.h). */
#define _InterlockedIncrement InterlockedIncrement
#define _InterlockedDecrement InterlockedDecrement
#define _InterlockedExchange InterlockedExchange
#define _InterlockedExchangeAdd InterlockedExchangeAdd
#define _InterlockedCompareExchange InterlockedCompareExchange
#define _InterlockedAnd InterlockedAnd
#define _InterlockedOr InterlockedOr
#define _InterlockedXor InterlockedXor
#define _InterlockedIncrement64 InterlockedIncrement
#define _InterlockedDecrement64 InterlockedDecrement
#define _InterlockedExchange64 InterlockedExchange
#define _InterlockedExchangeAdd64 InterlockedExchangeAdd
#define _InterlockedCompareExchange64 InterlockedCompareExchange
#define _InterlockedExchangePointer InterlockedExchangePointer
#define _InterlockedCompareExchangePointer InterlockedCompareExchangePointer
#define InterlockedExchangePointerAcquire InterlockedExchangePointer
#define InterlockedExchangePointerNoFence InterlockedExchangePointer
#define InterlockedCompareExchangePointerAcquire \
  InterlockedCompareExchangePointer
#define InterlockedCompareExchangePointerRelease \
  InterlockedCompareExchangePointer
#define InterlockedCompareExchangePointerNoFence \
  InterlockedCompareExchangePointer
/* The 8- and 16-bit forms (the macros above take any integer size), and
 * the Acquire, Release and NoFence forms, which are full barriers here
 * (a stronger order than asked for is always correct). */
#define InterlockedExchange8 InterlockedExchange
#define InterlockedExchange16 InterlockedExchange
#define InterlockedCompareExchange8 InterlockedCompareExchange
#define InterlockedCompareExchange16 InterlockedCompareExchange
#define InterlockedIncrement16 InterlockedIncrement
#define InterlockedDecrement16 InterlockedDecrement
#define InterlockedExchangeAdd8 InterlockedExchangeAdd
#define InterlockedExchangeAdd16 InterlockedExchangeAdd
#define InterlockedAnd8 InterlockedAnd
#define InterlockedAnd16 InterlockedAnd
#define InterlockedOr8 InterlockedOr
#define InterlockedOr16 InterlockedOr
#define InterlockedXor8 InterlockedXor
#define InterlockedXor16 InterlockedXor
#define InterlockedIncrementAcquire InterlockedIncrement
#define InterlockedIncrementRelease InterlockedIncrement
#define InterlockedIncrementNoFence InterlockedIncrement
#define InterlockedDecrementAcquire InterlockedDecrement
#define InterlockedDecrementRelease InterlockedDecrement
#define InterlockedDecrementNoFence InterlockedDecrement
#define InterlockedExchangeAcquire InterlockedExchange
#define InterlockedExchangeNoFence InterlockedExchange
#define InterlockedCompareExchangeAcquire InterlockedCompareExchange
#define InterlockedCompareExchangeRelease InterlockedCompareExchange
#define InterlockedCompareExchangeNoFence InterlockedCompareExchange
#define InterlockedOrAcquire InterlockedOr
#define InterlockedOrRelease InterlockedOr
#define InterlockedOrNoFence InterlockedOr
#define InterlockedAndAcquire InterlockedAnd
#define InterlockedAndRelease InterlockedAnd
#define InterlockedAndNoFence InterlockedAnd
#define InterlockedIncrementSizeT InterlockedIncrement
#define InterlockedDecrementSizeT InterlockedDecrement
#define InterlockedExchangeAddSizeT InterlockedExchangeAdd
#define MemoryBarrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)
/* A spin-wait hint to the CPU (winnt.h). */
#if defined(__x86_64__) || defined(__i386__)
#  define YieldProcessor() __builtin_ia32_pause()
#elif defined(__aarch64__)
#  define YieldProcessor() __asm__ __volatile__("yield")
#else
#  define YieldProcessor() ((void)0)
#endif

/* ------------------------------------------------------------------------ */
/* Interlocked singly linked lists                                           */
/* ------------------------------------------------------------------------ */

typedef struct _SLIST_ENTRY {
  struct _SLIST_ENTRY *Next;
} SLIST_ENTRY, *PSLIST_ENTRY;

/* A short lock keeps the list consistent (no ABA problem); entries are
 * the caller's, as on Windows. Zero is an empty list. */
typedef struct _SLIST_HEADER {
  PSLIST_ENTRY first;
  uint32_t depth;
  int lock;
} SLIST_HEADER, *PSLIST_HEADER;

CPORT_WIN32_API void InitializeSListHead(PSLIST_HEADER head);
/* Return the entry that was first before (push) or the entry taken
 * (pop), NULL if none. */
CPORT_WIN32_API PSLIST_ENTRY InterlockedPushEntrySList(PSLIST_HEADER head,
                                                       PSLIST_ENTRY entry);
CPORT_WIN32_API PSLIST_ENTRY InterlockedPopEntrySList(PSLIST_HEADER head);
/* Takes the whole list, returns its first entry. */
CPORT_WIN32_API PSLIST_ENTRY InterlockedFlushSList(PSLIST_HEADER head);
CPORT_WIN32_API USHORT QueryDepthSList(PSLIST_HEADER head);

/* ------------------------------------------------------------------------ */
/* Time                                                                      */
/* ------------------------------------------------------------------------ */

/* A released worker that sleeps gives its place back to its port. */
CPORT_WIN32_API void Sleep(DWORD ms);
CPORT_WIN32_API DWORD SleepEx(DWORD ms, BOOL alertable);
CPORT_WIN32_API DWORD GetTickCount(void);
CPORT_WIN32_API ULONGLONG GetTickCount64(void);
/* winmm (timeapi.h): timeGetTime is GetTickCount; a period of 1 ms or
 * more is granted (TIMERR_NOERROR), 0 is TIMERR_NOCANDO. */
typedef UINT MMRESULT;
#define TIMERR_NOERROR 0
#define TIMERR_NOCANDO 97
CPORT_WIN32_API DWORD timeGetTime(void);
CPORT_WIN32_API MMRESULT timeBeginPeriod(UINT period);
CPORT_WIN32_API MMRESULT timeEndPeriod(UINT period);
/* A monotonic counter in nanoseconds (frequency 1 000 000 000). */
CPORT_WIN32_API BOOL QueryPerformanceCounter(LARGE_INTEGER *count);
CPORT_WIN32_API BOOL QueryPerformanceFrequency(LARGE_INTEGER *freq);
CPORT_WIN32_API void GetSystemTime(LPSYSTEMTIME st);
CPORT_WIN32_API void GetLocalTime(LPSYSTEMTIME st);
CPORT_WIN32_API void GetSystemTimeAsFileTime(LPFILETIME ft);
/* The same clock: GetSystemTimeAsFileTime is precise here already. */
CPORT_WIN32_API void GetSystemTimePreciseAsFileTime(LPFILETIME ft);

/* ------------------------------------------------------------------------ */
/* Timer queues                                                              */
/* ------------------------------------------------------------------------ */

/* A timer's callback: its parameter, and TRUE (a timer fired). It runs on
 * the default thread pool, or with WT_EXECUTEINTIMERTHREAD on the queue's
 * own thread, as on Windows. */
typedef VOID(NTAPI *WAITORTIMERCALLBACK)(PVOID param, BOOLEAN fired);
#define WT_EXECUTEDEFAULT 0x00000000
#define WT_EXECUTEINIOTHREAD 0x00000001
#define WT_EXECUTEINWAITTHREAD 0x00000004
#define WT_EXECUTEONLYONCE 0x00000008
#define WT_EXECUTELONGFUNCTION 0x00000010
/* QueueUserWorkItem's thread limit in its flags' high word (taken, and
 * ignored: the default pool's maximum applies). */
#define WT_SET_MAX_THREADPOOL_THREADS(flags, limit) \
  ((flags) |= ((ULONG)(limit)) << 16)
#define WT_EXECUTEINTIMERTHREAD 0x00000020
#define WT_EXECUTEINPERSISTENTTHREAD 0x00000080
#define WT_TRANSFER_IMPERSONATION 0x00000100
/* A queue of its own (NULL names the process's default queue). */
CPORT_WIN32_API HANDLE CreateTimerQueue(void);
/* A timer due in `due` ms, then every `period` ms (0: once). */
CPORT_WIN32_API BOOL CreateTimerQueueTimer(PHANDLE timer, HANDLE queue,
                                           WAITORTIMERCALLBACK fn, PVOID param,
                                           DWORD due, DWORD period,
                                           ULONG flags);
/* Re-arms a timer (INFINITE: never); a one-shot timer that has run is
 * not updated, as on Windows. */
CPORT_WIN32_API BOOL ChangeTimerQueueTimer(HANDLE queue, HANDLE timer,
                                           ULONG due, ULONG period);
/* event NULL: do not wait for a running callback (FALSE with
 * ERROR_IO_PENDING if one runs); INVALID_HANDLE_VALUE: wait for it; an
 * event: set it when it has returned. */
CPORT_WIN32_API BOOL DeleteTimerQueueTimer(HANDLE queue, HANDLE timer,
                                           HANDLE event);
/* Deletes every timer of the queue and the queue, with the same choice. */
CPORT_WIN32_API BOOL DeleteTimerQueueEx(HANDLE queue, HANDLE event);
CPORT_WIN32_API BOOL DeleteTimerQueue(HANDLE queue);

#endif /* CPORT_WIN32_PART_THREADS_H */
