/*
 * cport_win32/threads.h - part of cport_win32.h (Linux): threads and
 * thread-local storage, the wait functions and the objects they wait on
 * (threads, events, mutexes, semaphores), critical sections, SRW locks,
 * condition variables, one-time initialisation, Interlocked* and the
 * interlocked singly linked lists. Include cport_win32.h, not this file.
 *
 * A thread a completion port released that blocks in one of these waits
 * gives its place back to the port (as Windows does), so the port may
 * release another thread meanwhile.
 */
#ifndef CPORT_WIN32_THREADS_H
#define CPORT_WIN32_THREADS_H

#ifndef CPORT_WIN32_PARTS_
#  error "include cport_win32.h, not its parts"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */
/* ------------------------------------------------------------------------ */

typedef DWORD(WINAPI *LPTHREAD_START_ROUTINE)(LPVOID);
typedef LPTHREAD_START_ROUTINE PTHREAD_START_ROUTINE;

#define CREATE_SUSPENDED 0x4u
#define STACK_SIZE_PARAM_IS_A_RESERVATION 0x10000u
#define STILL_ACTIVE 259u
#define TLS_OUT_OF_INDEXES 0xFFFFFFFFu

/* *id (and GetThreadId) is the thread's Linux thread id, the value
 * GetCurrentThreadId returns inside it. */
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
CPORT_WIN32_API CPORT_W32_NORETURN void ExitThread(DWORD code);
CPORT_WIN32_API DWORD ResumeThread(HANDLE h);
CPORT_WIN32_API BOOL GetExitCodeThread(HANDLE h, LPDWORD code);
CPORT_WIN32_API DWORD GetThreadId(HANDLE h);
CPORT_WIN32_API DWORD GetCurrentThreadId(void);
/* The pseudo handle (HANDLE)-2, as on Windows. */
CPORT_WIN32_API HANDLE GetCurrentThread(void);
CPORT_WIN32_API BOOL SwitchToThread(void);

CPORT_WIN32_API DWORD TlsAlloc(void);
CPORT_WIN32_API BOOL TlsFree(DWORD index);
CPORT_WIN32_API LPVOID TlsGetValue(DWORD index);
CPORT_WIN32_API BOOL TlsSetValue(DWORD index, LPVOID value);

/* ------------------------------------------------------------------------ */
/* Waits, events, mutexes, semaphores                                        */
/* ------------------------------------------------------------------------ */

#define WAIT_OBJECT_0 0u
#define WAIT_ABANDONED 0x80u
#define WAIT_ABANDONED_0 0x80u
#define WAIT_IO_COMPLETION 0xC0u
#define WAIT_FAILED 0xFFFFFFFFu
#define MAXIMUM_WAIT_OBJECTS 64

/* Threads, events, mutexes and semaphores, in any mix. */
CPORT_WIN32_API DWORD WaitForSingleObject(HANDLE h, DWORD ms);
CPORT_WIN32_API DWORD WaitForSingleObjectEx(HANDLE h, DWORD ms,
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
#define CreateEvent CPORT_W32_AW_(CreateEvent)
#define CreateMutex CPORT_W32_AW_(CreateMutex)
#define CreateSemaphore CPORT_W32_AW_(CreateSemaphore)

/* ------------------------------------------------------------------------ */
/* Critical sections, SRW locks, condition variables, one-time init          */
/* ------------------------------------------------------------------------ */

/* A recursive lock, as Windows' critical sections are. */
typedef struct _CRITICAL_SECTION {
  pthread_mutex_t mutex;
} CRITICAL_SECTION, *PCRITICAL_SECTION, *LPCRITICAL_SECTION;
CPORT_WIN32_API void InitializeCriticalSection(LPCRITICAL_SECTION cs);
CPORT_WIN32_API BOOL InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION cs,
                                                           DWORD spin);
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
#define SRWLOCK_INIT {{0}}
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
#define CONDITION_VARIABLE_INIT {0, 0}
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

typedef union _RTL_RUN_ONCE {
  PVOID Ptr;
} INIT_ONCE, *PINIT_ONCE, *LPINIT_ONCE;
#define INIT_ONCE_STATIC_INIT {0}
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
#define InterlockedExchange(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedExchangeAdd(p, v) __atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
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
#define InterlockedExchangePointer InterlockedExchange
#define InterlockedCompareExchangePointer InterlockedCompareExchange
#define MemoryBarrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)

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

#ifdef __cplusplus
}
#endif

#endif /* CPORT_WIN32_THREADS_H */
