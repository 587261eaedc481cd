/*
 * threads.c - threads behind thread HANDLEs: CreateThread and the CRT's
 * _beginthreadex, their exit codes, suspended starts, thread ids (the
 * Linux thread id, so the id CreateThread reports is the one
 * GetCurrentThreadId returns inside the thread), their times
 * (GetThreadTimes), CancelSynchronousIo, and thread-local storage. A
 * thread object is waitable: it is signalled when the thread ends
 * (waits.c).
 */
#include <sched.h>
#include <stdio.h>
#include <sys/resource.h>

#include "win32.h"

/* The thread object of the calling thread, if the layer started it or
 * made one for it (w32_thread_handle_self). */
static __thread struct w32_thread *self;

/* The running threads that have an object, for OpenThread (w32_lock). */
static struct w32_thread *live;

static void live_add_locked(struct w32_thread *t) {
  t->live_next = live;
  live = t;
}

static void live_remove_locked(struct w32_thread *t) {
  struct w32_thread **pp = &live;
  while (*pp != NULL && *pp != t)
    pp = &(*pp)->live_next;
  if (*pp != NULL)
    *pp = t->live_next;
  t->live_next = NULL;
}

struct w32_thread *w32_thread_self(void) {
  return self;
}

struct w32_apcq *w32_apc_mine_held(struct w32_object **thread) {
  *thread = NULL;
  struct w32_apcq *q = w32_apc_mine();
  if (q != NULL && self != NULL) {
    pthread_mutex_lock(&w32_lock);
    w32_ref_locked(&self->obj);
    pthread_mutex_unlock(&w32_lock);
    *thread = &self->obj;
  }
  return q;
}

/* ------------------------------------------------------------------------ */
/* Starting and ending                                                       */
/* ------------------------------------------------------------------------ */

/* The thread ended (returned, ExitThread, _endthreadex): its object is
 * signalled and the thread's reference dropped. */
/* The calling thread, t's, ends: its times and end are recorded, its
 * object signalled. Returns with w32_lock held. */
static void record_end(struct w32_thread *t) {
  uint64_t kernel = 0, user = 0;
  (void)w32_cpu_times(RUSAGE_THREAD, &kernel, &user);
  uint64_t now = w32_filetime_now();
  pthread_mutex_lock(&w32_lock);
  t->kernel_time = kernel;
  t->user_time = user;
  t->exited = now;
  t->done = true;
  live_remove_locked(t);
  w32_wake_locked(&t->obj);
}

static void thread_finish(void *arg) {
  struct w32_thread *t = arg;
  record_end(t);
  pthread_mutex_unlock(&w32_lock);
  w32_apc_drop(&t->apcs); /* queued and never run: the thread ended */
  w32_apc_q = NULL;
  pthread_mutex_lock(&w32_lock);
  w32_unref_locked(&t->obj);
  pthread_mutex_unlock(&w32_lock);
  self = NULL;
}

static void *thread_main(void *arg) {
  struct w32_thread *t = arg;
  self = t;
  w32_apc_q = &t->apcs;
  uint64_t now = w32_filetime_now();
  pthread_mutex_lock(&w32_lock);
  t->created = now;
  t->tid = w32_tid();
  t->started = true;
  live_add_locked(t);
  pthread_cond_broadcast(&t->gate);
  /* Its routine waits until CreateThread is on its way back (and for
   * ResumeThread): the creator runs on first, as on Windows, where
   * CreateThread does not wait for the thread. */
  while (!t->released || t->suspended)
    pthread_cond_wait(&t->gate, &w32_lock);
  pthread_mutex_unlock(&w32_lock);
  /* Released, it was woken by its creator, which has a few instructions
   * left until it is back in the program: a woken thread often takes the
   * waker's CPU, so it gives that back first. */
  sched_yield();
  pthread_cleanup_push(thread_finish, t);
  /* "If an application queues an APC before the thread begins running,
   * the thread begins by calling the APC function" (QueueUserAPC). */
  (void)w32_apc_run();
  DWORD code = t->crt_fn ? (DWORD)t->crt_fn(t->arg) : t->fn(t->arg);
  t->exit_code = code;
  pthread_cleanup_pop(1);
  return NULL;
}

/* The thread object, started; NULL with the last error set. */
static struct w32_thread *start(SIZE_T stack, LPTHREAD_START_ROUTINE fn,
                                unsigned (*crt_fn)(void *), void *arg,
                                DWORD flags) {
  /* Flags other than CREATE_SUSPENDED are ignored: Windows' CRT passes
   * what _beginthreadex gets on to CreateThread, and ported code passes
   * access rights there (THREAD_QUERY_INFORMATION) by mistake. */
  if (fn == NULL && crt_fn == NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  struct w32_thread *t = w32_object_new(W32_THREAD, sizeof(*t));
  if (t == NULL)
    return NULL;
  w32_cond_init(&t->gate);
  t->apcq = &t->apcs;
  t->fn = fn;
  t->crt_fn = crt_fn;
  t->arg = arg;
  t->suspended = (flags & CREATE_SUSPENDED) != 0;
  t->obj.refs = 2; /* the handle and the running thread */
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  if (stack > 0)
    pthread_attr_setstacksize(&a, stack < 65536 ? 65536 : stack);
  pthread_t th;
  int rc = pthread_create(&th, &a, thread_main, t);
  pthread_attr_destroy(&a);
  pthread_mutex_lock(&w32_lock);
  if (rc != 0) {
    t->obj.refs = 1;
    __atomic_store_n(&t->obj.open, false, __ATOMIC_RELEASE);
    w32_unref_locked(&t->obj);
    pthread_mutex_unlock(&w32_lock);
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  }
  while (!t->started) /* its id, before CreateThread returns it */
    pthread_cond_wait(&t->gate, &w32_lock);
  t->released = true;
  pthread_cond_broadcast(&t->gate);
  pthread_mutex_unlock(&w32_lock);
  return t;
}

CPORT_API HANDLE CreateThread(LPSECURITY_ATTRIBUTES sa, SIZE_T stack,
                              LPTHREAD_START_ROUTINE fn, LPVOID arg,
                              DWORD flags, LPDWORD id) {
  (void)sa;
  if (fn == NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  struct w32_thread *t = start(stack, fn, NULL, arg, flags);
  if (t != NULL && id != NULL)
    *id = t->tid;
  return t;
}

CPORT_API uintptr_t _beginthreadex(void *security, unsigned stack,
                                   unsigned(__stdcall *fn)(void *), void *arg,
                                   unsigned flags, unsigned *id) {
  (void)security;
  if (fn == NULL) {
    errno = EINVAL;
    return 0;
  }
  struct w32_thread *t = start(stack, NULL, fn, arg, flags);
  if (t == NULL) {
    errno = GetLastError() == ERROR_INVALID_PARAMETER ? EINVAL : EAGAIN;
    return 0;
  }
  if (id != NULL)
    *id = t->tid;
  return (uintptr_t)t;
}

CPORT_API void ExitThread(DWORD code) {
  if (self != NULL)
    self->exit_code = code; /* thread_finish runs as the thread unwinds */
  pthread_exit(NULL);
}

CPORT_API void _endthreadex(unsigned code) {
  ExitThread(code);
}

/* _beginthread: the CRT's older start, whose thread handle closes itself
 * when the thread ends (by returning or _endthread). The thread starts
 * suspended until it knows its own handle. */
struct crt_start {
  void (*fn)(void *);
  void *arg;
  HANDLE self;
};
static __thread HANDLE crt_self; /* a _beginthread thread's own handle */

static unsigned crt_trampoline(void *p) {
  struct crt_start s = *(struct crt_start *)p;
  free(p);
  crt_self = s.self;
  s.fn(s.arg);
  crt_self = NULL;
  CloseHandle(s.self);
  return 0;
}

CPORT_API uintptr_t _beginthread(void (*fn)(void *), unsigned stack,
                                 void *arg) {
  if (fn == NULL) {
    errno = EINVAL;
    return (uintptr_t)-1;
  }
  struct crt_start *s = malloc(sizeof(*s));
  if (s == NULL) {
    errno = EAGAIN;
    return (uintptr_t)-1;
  }
  s->fn = fn;
  s->arg = arg;
  uintptr_t h =
      _beginthreadex(NULL, stack, crt_trampoline, s, CREATE_SUSPENDED, NULL);
  if (h == 0) {
    free(s);
    return (uintptr_t)-1; /* errno from _beginthreadex */
  }
  s->self = (HANDLE)h;
  ResumeThread((HANDLE)h);
  return h;
}

CPORT_API void _endthread(void) {
  HANDLE self = crt_self;
  crt_self = NULL;
  if (self != NULL)
    CloseHandle(self);
  ExitThread(0);
}

static struct w32_thread *thread_of(HANDLE h) {
  return (struct w32_thread *)w32_object_get(h, W32_THREAD);
}

CPORT_API BOOL TerminateThread(HANDLE h, DWORD code) {
  (void)code;
  if (h != (HANDLE)(LONG_PTR)-2 && thread_of(h) == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  return w32_fail(ERROR_NOT_SUPPORTED);
}

CPORT_API DWORD ResumeThread(HANDLE h) {
  struct w32_thread *t = thread_of(h);
  if (t == NULL)
    return (w32_fail(ERROR_INVALID_HANDLE), (DWORD)-1);
  pthread_mutex_lock(&w32_lock);
  DWORD before = t->suspended ? 1 : 0;
  t->suspended = false;
  pthread_cond_broadcast(&t->gate);
  pthread_mutex_unlock(&w32_lock);
  return before;
}

CPORT_API BOOL GetExitCodeThread(HANDLE h, LPDWORD code) {
  struct w32_thread *t = thread_of(h);
  if (t == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (code == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  pthread_mutex_lock(&w32_lock);
  *code = t->done ? t->exit_code : STILL_ACTIVE;
  pthread_mutex_unlock(&w32_lock);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Ids and the current thread                                                */
/* ------------------------------------------------------------------------ */

CPORT_API DWORD GetCurrentThreadId(void) {
  return w32_tid();
}
CPORT_API HANDLE GetCurrentThread(void) {
  return W32_CURRENT_THREAD;
}

/*
 * A thread the layer did not start (the main thread, a thread of another
 * library) gets an object the first time it asks for a handle to itself:
 * it keeps the queue of APCs the thread already has (apc.c's own queue,
 * never freed), and a thread-specific value's destructor signals it as
 * the thread ends (ExitThread's code, else 0). The main thread's object
 * is signalled only if it ends by ExitThread (pthread_exit); returning
 * from main ends the process.
 */
static pthread_once_t adopt_once = PTHREAD_ONCE_INIT;
static pthread_key_t adopt_key;

static void adopted_ended(void *arg) {
  struct w32_thread *t = arg;
  record_end(t);
  w32_unref_locked(&t->obj); /* the running thread's reference */
  pthread_mutex_unlock(&w32_lock);
  self = NULL;
}

static void adopt_init(void) {
  if (pthread_key_create(&adopt_key, adopted_ended) != 0)
    adopt_key = (pthread_key_t)-1;
}

/* The calling thread's new object, whose own value is its first handle;
 * NULL with the error set. */
static struct w32_thread *adopt(void) {
  pthread_once(&adopt_once, adopt_init);
  struct w32_apcq *q = w32_apc_mine();
  if (q == NULL || adopt_key == (pthread_key_t)-1)
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  struct w32_thread *t = w32_object_new(W32_THREAD, sizeof(*t));
  if (t == NULL)
    return NULL;
  struct w32_stat_times st = {0, 0, 0, 0, 0};
  if (!w32_stat_times("/proc/thread-self/stat", &st))
    st.start = w32_filetime_now();
  w32_cond_init(&t->gate);
  t->apcq = q;
  t->created = st.start;
  t->tid = w32_tid();
  t->started = t->released = true;
  t->obj.refs = 2; /* the handle and the running thread */
  if (pthread_setspecific(adopt_key, t) != 0) {
    pthread_mutex_lock(&w32_lock);
    t->obj.refs = 1;
    __atomic_store_n(&t->obj.open, false, __ATOMIC_RELEASE);
    w32_unref_locked(&t->obj);
    pthread_mutex_unlock(&w32_lock);
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  }
  pthread_mutex_lock(&w32_lock);
  live_add_locked(t);
  pthread_mutex_unlock(&w32_lock);
  self = t;
  return t;
}

HANDLE w32_thread_handle_self(void) {
  if (self == NULL)
    return adopt();
  return w32_handle_to(&self->obj, true); /* running: it holds its object */
}

/* A handle to a running thread the layer knows: one it started, or one
 * that took a handle to itself; the calling thread always (it gets an
 * object). Any other id, or a thread that has ended: NULL with
 * ERROR_INVALID_PARAMETER, what Windows gives for an id it does not know.
 * The access asked for is not checked, and no process inherits handles. */
CPORT_API HANDLE OpenThread(DWORD access, BOOL inherit, DWORD id) {
  (void)access;
  (void)inherit;
  if (id == 0)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  if (id == w32_tid())
    return w32_thread_handle_self();
  pthread_mutex_lock(&w32_lock);
  struct w32_thread *t = live;
  while (t != NULL && (t->tid != id || t->done))
    t = t->live_next;
  if (t != NULL)
    w32_ref_locked(&t->obj); /* held while its handle is made */
  pthread_mutex_unlock(&w32_lock);
  if (t == NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  HANDLE h = w32_handle_to(&t->obj, true);
  w32_unref(&t->obj);
  return h;
}

/* An ended thread's times, kept as it ended. w32_lock held. */
static void ended_times(const struct w32_thread *t, struct w32_stat_times *st,
                        uint64_t *ended) {
  st->kernel = t->kernel_time;
  st->user = t->user_time;
  *ended = t->exited;
}

/*
 * GetCurrentThread() or a thread the layer started: its start, its end
 * (0 while it runs), and its CPU time in kernel and user mode. The
 * calling thread's own times are exact (getrusage); another running
 * thread's come from its /proc stat file, in clock ticks; an ended
 * thread's were taken as it ended.
 */
CPORT_API BOOL GetThreadTimes(HANDLE thread, LPFILETIME creation,
                              LPFILETIME exit_time, LPFILETIME kernel,
                              LPFILETIME user) {
  struct w32_thread *t = self;
  if (thread != W32_CURRENT_THREAD) {
    t = (struct w32_thread *)w32_object_get(thread, W32_THREAD);
    if (t == NULL)
      return w32_fail(ERROR_INVALID_HANDLE);
  }
  if (creation == NULL || exit_time == NULL || kernel == NULL || user == NULL)
    return w32_fail(ERROR_NOACCESS);
  struct w32_stat_times st = {0, 0, 0, 0, 0};
  uint64_t ended = 0;
  if (t == self) {
    /* The caller: a thread the layer did not start has no object, and
     * its start comes from its stat file. */
    if (t == NULL)
      (void)w32_stat_times("/proc/thread-self/stat", &st);
    (void)w32_cpu_times(RUSAGE_THREAD, &st.kernel, &st.user);
  } else {
    pthread_mutex_lock(&w32_lock);
    bool done = t->done;
    if (done)
      ended_times(t, &st, &ended);
    pthread_mutex_unlock(&w32_lock);
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/task/%lu/stat",
             (unsigned long)t->tid);
    if (!done && !w32_stat_times(path, &st)) {
      /* It ended as we looked: it kept its times before it went. */
      pthread_mutex_lock(&w32_lock);
      ended_times(t, &st, &ended);
      pthread_mutex_unlock(&w32_lock);
    }
  }
  if (t != NULL)
    st.start = t->created;
  w32_put_filetime(creation, st.start);
  w32_put_filetime(exit_time, ended);
  w32_put_filetime(kernel, st.kernel);
  w32_put_filetime(user, st.user);
  return TRUE;
}

CPORT_API DWORD GetThreadId(HANDLE h) {
  if (h == W32_CURRENT_THREAD)
    return w32_tid();
  struct w32_thread *t = thread_of(h);
  return t != NULL ? t->tid : (w32_fail(ERROR_INVALID_HANDLE), 0);
}

/* The thread's blocking I/O call of the layer, if it is in one, ends with
 * ERROR_OPERATION_ABORTED (blocking.c's marks). */
CPORT_API BOOL CancelSynchronousIo(HANDLE h) {
  DWORD tid;
  if (h == W32_CURRENT_THREAD) {
    tid = w32_tid(); /* never in a call while it makes this one */
  } else {
    struct w32_thread *t = thread_of(h);
    if (t == NULL)
      return w32_fail(ERROR_INVALID_HANDLE);
    tid = t->tid;
  }
  if (tid == 0 || !w32_sync_cancel(tid))
    return w32_fail(ERROR_NOT_FOUND);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Thread-local storage                                                      */
/* ------------------------------------------------------------------------ */

CPORT_API DWORD TlsAlloc(void) {
  pthread_key_t k;
  if (pthread_key_create(&k, NULL) != 0 || (DWORD)k == TLS_OUT_OF_INDEXES)
    return (w32_fail(ERROR_NO_MORE_FILES), TLS_OUT_OF_INDEXES);
  return (DWORD)k;
}

CPORT_API BOOL TlsFree(DWORD index) {
  if (pthread_key_delete((pthread_key_t)index) != 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  return TRUE;
}

CPORT_API LPVOID TlsGetValue(DWORD index) {
  LPVOID v = pthread_getspecific((pthread_key_t)index);
  SetLastError(ERROR_SUCCESS); /* as Windows does, so NULL is no error */
  return v;
}

/* Fiber-local storage: the layer has no fibers, so a slot is a thread's,
 * as on a thread that never converted to a fiber; the callback runs for a
 * thread's non-NULL value as the thread ends (a pthread key's
 * destructor). FlsFree does not call it for the values still set. */
CPORT_API DWORD FlsAlloc(PFLS_CALLBACK_FUNCTION callback) {
  pthread_key_t k;
  if (pthread_key_create(&k, (void (*)(void *))callback) != 0 ||
      (DWORD)k == FLS_OUT_OF_INDEXES)
    return (w32_fail(ERROR_NO_MORE_FILES), FLS_OUT_OF_INDEXES);
  return (DWORD)k;
}

CPORT_API BOOL FlsFree(DWORD index) {
  return TlsFree(index);
}

CPORT_API PVOID FlsGetValue(DWORD index) {
  return TlsGetValue(index);
}

CPORT_API BOOL FlsSetValue(DWORD index, PVOID value) {
  return TlsSetValue(index, value);
}

CPORT_API BOOL TlsSetValue(DWORD index, LPVOID value) {
  if (pthread_setspecific((pthread_key_t)index, value) != 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  return TRUE;
}
