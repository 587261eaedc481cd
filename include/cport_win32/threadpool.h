/**
 * @file cport_win32/threadpool.h
 * @brief Part of cport_win32.h: the thread pool (threadpoolapiset.h, the legacy thread pool calls).
 *
 * Include <cport_win32.h>, never this file: it is read inside that
 * header's Linux branch, after the parts before it.
 */
#ifndef CPORT_WIN32_PART_THREADPOOL_H
#define CPORT_WIN32_PART_THREADPOOL_H

#ifndef CPORT_WIN32_H
#  error "include <cport_win32.h>, not its parts"
#endif

/* ------------------------------------------------------------------------ */
/* Thread pool                                                               */
/* ------------------------------------------------------------------------ */

/* The Vista thread pool (threadpoolapiset.h) and its two legacy calls:
 * pools of threads taking packets from a completion port of their own,
 * created as they are needed (up to the pool's maximum, 500 for the
 * default pool) and leaving after 10 s without work. Work, timer, wait
 * and I/O objects and cleanup groups as Microsoft documents them; no
 * priorities (accepted, not honoured). */
typedef struct _TP_POOL TP_POOL, *PTP_POOL;
typedef struct _TP_WORK TP_WORK, *PTP_WORK;
typedef struct _TP_TIMER TP_TIMER, *PTP_TIMER;
typedef struct _TP_WAIT TP_WAIT, *PTP_WAIT;
typedef struct _TP_IO TP_IO, *PTP_IO;
typedef struct _TP_CLEANUP_GROUP TP_CLEANUP_GROUP, *PTP_CLEANUP_GROUP;
typedef struct _TP_CALLBACK_INSTANCE TP_CALLBACK_INSTANCE,
    *PTP_CALLBACK_INSTANCE;
typedef VOID(NTAPI *PTP_SIMPLE_CALLBACK)(PTP_CALLBACK_INSTANCE instance,
                                         PVOID context);
typedef VOID(NTAPI *PTP_WORK_CALLBACK)(PTP_CALLBACK_INSTANCE instance,
                                       PVOID context, PTP_WORK work);
typedef VOID(NTAPI *PTP_TIMER_CALLBACK)(PTP_CALLBACK_INSTANCE instance,
                                        PVOID context, PTP_TIMER timer);
/* A wait's result: WAIT_OBJECT_0 (the object was signalled) or
 * WAIT_TIMEOUT. */
typedef DWORD TP_WAIT_RESULT;
typedef VOID(NTAPI *PTP_WAIT_CALLBACK)(PTP_CALLBACK_INSTANCE instance,
                                       PVOID context, PTP_WAIT wait,
                                       TP_WAIT_RESULT result);
/* An I/O's callback: its OVERLAPPED, NO_ERROR or the Win32 error code,
 * and the bytes moved. */
typedef VOID(WINAPI *PTP_WIN32_IO_CALLBACK)(PTP_CALLBACK_INSTANCE instance,
                                            PVOID context, PVOID overlapped,
                                            ULONG result, ULONG_PTR bytes,
                                            PTP_IO io);
typedef VOID(NTAPI *PTP_CLEANUP_GROUP_CANCEL_CALLBACK)(PVOID object_context,
                                                       PVOID cleanup_context);
typedef enum _TP_CALLBACK_PRIORITY {
  TP_CALLBACK_PRIORITY_HIGH,
  TP_CALLBACK_PRIORITY_NORMAL,
  TP_CALLBACK_PRIORITY_LOW,
  TP_CALLBACK_PRIORITY_INVALID,
  TP_CALLBACK_PRIORITY_COUNT = TP_CALLBACK_PRIORITY_INVALID
} TP_CALLBACK_PRIORITY;
typedef DWORD TP_VERSION, *PTP_VERSION;
/* Where new objects go: filled by the inline functions below, as
 * Windows' headers do. */
typedef struct _TP_CALLBACK_ENVIRON_V3 {
  TP_VERSION Version;
  PTP_POOL Pool;
  PTP_CLEANUP_GROUP CleanupGroup;
  PTP_CLEANUP_GROUP_CANCEL_CALLBACK CleanupGroupCancelCallback;
  PVOID RaceDll;
  struct _ACTIVATION_CONTEXT *ActivationContext;
  PTP_SIMPLE_CALLBACK FinalizationCallback;
  union {
    DWORD Flags;
    struct {
      DWORD LongFunction : 1;
      DWORD Persistent : 1;
      DWORD Private : 30;
    } s;
  } u;
  TP_CALLBACK_PRIORITY CallbackPriority;
  DWORD Size;
} TP_CALLBACK_ENVIRON_V3, TP_CALLBACK_ENVIRON, *PTP_CALLBACK_ENVIRON;

static inline VOID InitializeThreadpoolEnvironment(PTP_CALLBACK_ENVIRON e) {
  memset(e, 0, sizeof(*e));
  e->Version = 3;
  e->CallbackPriority = TP_CALLBACK_PRIORITY_NORMAL;
  e->Size = sizeof(*e);
}
static inline VOID DestroyThreadpoolEnvironment(PTP_CALLBACK_ENVIRON e) {
  (void)e;
}
static inline VOID SetThreadpoolCallbackPool(PTP_CALLBACK_ENVIRON e,
                                             PTP_POOL pool) {
  e->Pool = pool;
}
static inline VOID
SetThreadpoolCallbackCleanupGroup(PTP_CALLBACK_ENVIRON e, PTP_CLEANUP_GROUP g,
                                  PTP_CLEANUP_GROUP_CANCEL_CALLBACK cancel) {
  e->CleanupGroup = g;
  e->CleanupGroupCancelCallback = cancel;
}
static inline VOID SetThreadpoolCallbackRunsLong(PTP_CALLBACK_ENVIRON e) {
  e->u.s.LongFunction = 1;
}
static inline VOID SetThreadpoolCallbackPersistent(PTP_CALLBACK_ENVIRON e) {
  e->u.s.Persistent = 1;
}
static inline VOID SetThreadpoolCallbackLibrary(PTP_CALLBACK_ENVIRON e,
                                                PVOID module) {
  e->RaceDll = module;
}
static inline VOID SetThreadpoolCallbackPriority(PTP_CALLBACK_ENVIRON e,
                                                 TP_CALLBACK_PRIORITY p) {
  e->CallbackPriority = p;
}

/* A pool of its own (NULL environments name the default pool). */
CPORT_WIN32_API PTP_POOL CreateThreadpool(PVOID reserved);
/* Freed once its last object is; its threads leave then. */
CPORT_WIN32_API VOID CloseThreadpool(PTP_POOL pool);
CPORT_WIN32_API VOID SetThreadpoolThreadMaximum(PTP_POOL pool, DWORD most);
/* Starts threads up to `least`; FALSE if one could not start. */
CPORT_WIN32_API BOOL SetThreadpoolThreadMinimum(PTP_POOL pool, DWORD least);
/* The stack of the pool's threads: StackReserve is the size of the stacks
 * of threads it starts from now on (at least PTHREAD_STACK_MIN);
 * StackCommit, which Linux commits as the stack grows, is kept and read
 * back. A NULL pool or information: FALSE, ERROR_INVALID_PARAMETER. */
typedef struct _TP_POOL_STACK_INFORMATION {
  SIZE_T StackReserve;
  SIZE_T StackCommit;
} TP_POOL_STACK_INFORMATION, *PTP_POOL_STACK_INFORMATION;
CPORT_WIN32_API BOOL
SetThreadpoolStackInformation(PTP_POOL pool, PTP_POOL_STACK_INFORMATION info);
CPORT_WIN32_API BOOL
QueryThreadpoolStackInformation(PTP_POOL pool, PTP_POOL_STACK_INFORMATION info);

CPORT_WIN32_API PTP_CLEANUP_GROUP CreateThreadpoolCleanupGroup(void);
/* Closes every member, first cancelling its queued callbacks if asked
 * (then the group's cancel callback runs for each member the program has
 * not closed), and waits for their running callbacks. */
CPORT_WIN32_API VOID CloseThreadpoolCleanupGroupMembers(PTP_CLEANUP_GROUP g,
                                                        BOOL cancel_pending,
                                                        PVOID cleanup_context);
CPORT_WIN32_API VOID CloseThreadpoolCleanupGroup(PTP_CLEANUP_GROUP g);

CPORT_WIN32_API PTP_WORK CreateThreadpoolWork(PTP_WORK_CALLBACK fn,
                                              PVOID context,
                                              PTP_CALLBACK_ENVIRON env);
/* Queues one callback; each submission runs once. */
CPORT_WIN32_API VOID SubmitThreadpoolWork(PTP_WORK work);
/* Waits for its queued and running callbacks (cancel_pending: the queued
 * ones are dropped instead). */
CPORT_WIN32_API VOID WaitForThreadpoolWorkCallbacks(PTP_WORK work,
                                                    BOOL cancel_pending);
/* Freed now, or after its queued and running callbacks. */
CPORT_WIN32_API VOID CloseThreadpoolWork(PTP_WORK work);
CPORT_WIN32_API BOOL TrySubmitThreadpoolCallback(PTP_SIMPLE_CALLBACK fn,
                                                 PVOID context,
                                                 PTP_CALLBACK_ENVIRON env);

CPORT_WIN32_API PTP_TIMER CreateThreadpoolTimer(PTP_TIMER_CALLBACK fn,
                                                PVOID context,
                                                PTP_CALLBACK_ENVIRON env);
/* due: negative, relative in 100 ns units; positive, an absolute
 * FILETIME; NULL: stop queueing callbacks. period in ms (0: once); the
 * window is a hint, not used. */
CPORT_WIN32_API VOID SetThreadpoolTimer(PTP_TIMER timer, PFILETIME due,
                                        DWORD period, DWORD window);
/* The same; TRUE if the timer was set before. */
CPORT_WIN32_API BOOL SetThreadpoolTimerEx(PTP_TIMER timer, PFILETIME due,
                                          DWORD period, DWORD window);
CPORT_WIN32_API BOOL IsThreadpoolTimerSet(PTP_TIMER timer);
CPORT_WIN32_API VOID WaitForThreadpoolTimerCallbacks(PTP_TIMER timer,
                                                     BOOL cancel_pending);
CPORT_WIN32_API VOID CloseThreadpoolTimer(PTP_TIMER timer);

/* A wait object: once set on a waitable handle (a thread, an event, a
 * semaphore; not a mutex), its callback is queued once when the handle
 * is signalled (an auto-reset event or a semaphore is taken, as a wait
 * takes it) or when the timeout passes, then the object must be set
 * again. One thread of the layer waits for every set wait object. */
CPORT_WIN32_API PTP_WAIT CreateThreadpoolWait(PTP_WAIT_CALLBACK fn,
                                              PVOID context,
                                              PTP_CALLBACK_ENVIRON env);
/* handle NULL: stop waiting (callbacks already queued still run).
 * timeout as a timer's due time (negative: relative, in 100 ns units;
 * positive: an absolute FILETIME; 0: now); NULL: no timeout. A mutex, or
 * a handle that is not waitable, leaves the wait not set. */
CPORT_WIN32_API VOID SetThreadpoolWait(PTP_WAIT wait, HANDLE handle,
                                       PFILETIME timeout);
/* The same (reserved must be NULL); TRUE if the wait was set and this
 * call stopped it before it ended. */
CPORT_WIN32_API BOOL SetThreadpoolWaitEx(PTP_WAIT wait, HANDLE handle,
                                         PFILETIME timeout, PVOID reserved);
CPORT_WIN32_API VOID WaitForThreadpoolWaitCallbacks(PTP_WAIT wait,
                                                    BOOL cancel_pending);
/* Stops the wait; freed now, or after its queued and running callbacks. */
CPORT_WIN32_API VOID CloseThreadpoolWait(PTP_WAIT wait);

/* Binds a handle opened for overlapped I/O to the pool: call
 * StartThreadpoolIo before each operation, CancelThreadpoolIo when one
 * fails without pending. NULL with ERROR_INVALID_PARAMETER if the handle
 * already belongs to a port. */
CPORT_WIN32_API PTP_IO CreateThreadpoolIo(HANDLE handle,
                                          PTP_WIN32_IO_CALLBACK fn,
                                          PVOID context,
                                          PTP_CALLBACK_ENVIRON env);
CPORT_WIN32_API VOID StartThreadpoolIo(PTP_IO io);
CPORT_WIN32_API VOID CancelThreadpoolIo(PTP_IO io);
/* Waits for the started operations' callbacks (cancel_pending: those not
 * yet running are dropped, their operations' completions ignored). */
CPORT_WIN32_API VOID WaitForThreadpoolIoCallbacks(PTP_IO io,
                                                  BOOL cancel_pending);
CPORT_WIN32_API VOID CloseThreadpoolIo(PTP_IO io);

/* Inside a callback: TRUE if another thread can take the pool's next
 * callback. */
CPORT_WIN32_API BOOL CallbackMayRunLong(PTP_CALLBACK_INSTANCE instance);
/* Counts the callback as ended for the waits, though it runs on. */
CPORT_WIN32_API VOID
DisassociateCurrentThreadFromCallback(PTP_CALLBACK_INSTANCE instance);
/* Done by the pool as the callback returns, in this order: the critical
 * section left, the mutex released, the semaphore released, the event
 * set, the module freed (FreeLibrary: the modules the layer knows stay
 * loaded, as system modules do). */
CPORT_WIN32_API VOID SetEventWhenCallbackReturns(PTP_CALLBACK_INSTANCE instance,
                                                 HANDLE event);
CPORT_WIN32_API VOID ReleaseSemaphoreWhenCallbackReturns(
    PTP_CALLBACK_INSTANCE instance, HANDLE semaphore, DWORD count);
CPORT_WIN32_API VOID
ReleaseMutexWhenCallbackReturns(PTP_CALLBACK_INSTANCE instance, HANDLE mutex);
CPORT_WIN32_API VOID LeaveCriticalSectionWhenCallbackReturns(
    PTP_CALLBACK_INSTANCE instance, PCRITICAL_SECTION cs);
CPORT_WIN32_API VOID
FreeLibraryWhenCallbackReturns(PTP_CALLBACK_INSTANCE instance, HMODULE module);

/* The legacy pool calls, on the default pool: a function run once, and
 * a handle whose every completion calls `fn` (flags must be 0). */
CPORT_WIN32_API BOOL QueueUserWorkItem(LPTHREAD_START_ROUTINE fn, PVOID context,
                                       ULONG flags);
CPORT_WIN32_API BOOL BindIoCompletionCallback(
    HANDLE handle, LPOVERLAPPED_COMPLETION_ROUTINE fn, ULONG flags);
/* Calls fn(context, FALSE) on a default-pool thread each time `object`
 * (a thread, an event, a semaphore, a waitable timer; a mutex is refused
 * with ERROR_INVALID_HANDLE: the wait thread would own it) is signalled,
 * and fn(context, TRUE) each time `ms` pass without it (INFINITE:
 * never); with WT_EXECUTEONLYONCE only the first time. The other WT_*
 * flags are accepted: every callback runs on a pool thread. *wait_handle
 * is for UnregisterWait(Ex), not CloseHandle. */
CPORT_WIN32_API BOOL RegisterWaitForSingleObject(PHANDLE wait_handle,
                                                 HANDLE object,
                                                 WAITORTIMERCALLBACK fn,
                                                 PVOID context, ULONG ms,
                                                 ULONG flags);
/* Ends a registered wait without waiting for its callbacks: FALSE with
 * ERROR_IO_PENDING if one is queued or running (the wait is ended all
 * the same). */
CPORT_WIN32_API BOOL UnregisterWait(HANDLE wait_handle);
/* event NULL: as UnregisterWait; INVALID_HANDLE_VALUE: waits for the
 * callbacks first (never from one of them); an event: set once the last
 * callback has returned. */
CPORT_WIN32_API BOOL UnregisterWaitEx(HANDLE wait_handle, HANDLE event);

#endif /* CPORT_WIN32_PART_THREADPOOL_H */
