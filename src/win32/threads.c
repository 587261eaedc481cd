/*
 * threads.c - threads behind thread HANDLEs: CreateThread and the CRT's
 * _beginthreadex, their exit codes, suspended starts, thread ids (the
 * Linux thread id, so the id CreateThread reports is the one
 * GetCurrentThreadId returns inside the thread), their times
 * (GetThreadTimes), and thread-local storage. A thread object is
 * waitable: it is signalled when the thread ends (waits.c).
 */
#include <sched.h>
#include <stdio.h>
#include <sys/resource.h>

#include "win32.h"

/* The thread object of the calling thread, if the layer started it. */
static __thread struct w32_thread *self;

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
static void thread_finish(void *arg) {
  struct w32_thread *t = arg;
  uint64_t kernel = 0, user = 0;
  (void)w32_cpu_times(RUSAGE_THREAD, &kernel, &user);
  uint64_t now = w32_filetime_now();
  pthread_mutex_lock(&w32_lock);
  t->kernel_time = kernel;
  t->user_time = user;
  t->exited = now;
  t->done = true;
  w32_wake_locked(&t->obj);
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
  struct w32_stat_times st = {0, 0, 0};
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

CPORT_API BOOL TlsSetValue(DWORD index, LPVOID value) {
  if (pthread_setspecific((pthread_key_t)index, value) != 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  return TRUE;
}
