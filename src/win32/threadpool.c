/*
 * threadpool.c - the thread pool (threadpoolapiset.h): pools, work, timer
 * and I/O objects, cleanup groups, the callback instance's calls, and the
 * legacy QueueUserWorkItem and BindIoCompletionCallback.
 *
 * A pool is a completion port of the layer's own and the threads that
 * take its packets. A packet's key names the object it is for: a work
 * submission or a timer's expiry is posted to the port; an I/O object's
 * handle is associated with the port under the object's key, so its
 * completions arrive there as the kernel ends them. Threads start when a
 * packet is posted and none is free (up to the pool's maximum) and leave
 * after IDLE_MS without a packet (down to the minimum, one at least).
 *
 * One lock (tp_lock) guards every object's counts, so a wait, a cancel
 * and a close see one picture:
 *   queued   packets of the object not yet taken (for an I/O object, the
 *            operations started and not yet taken, in flight or queued);
 *   dropped  of those, how many a cancel asked to drop when taken;
 *   running  callbacks running that the waits count (not disassociated);
 *   active   callbacks running at all.
 * An object is freed once closed with all four at zero; a timer's expiry
 * goes through the layer's timer queues, its arming freed first.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "win32.h"

#define IDLE_MS 10000u
#define DEFAULT_MAX 500u

enum tp_kind {
  TP_WORK_K,
  TP_SIMPLE_K,
  TP_TIMER_K,
  TP_IO_K,
  TP_QUEUED_K,
  TP_BOUND_K
};

struct tp_pool {
  HANDLE port;
  unsigned threads, idle, backlog; /* backlog: posts not yet taken */
  unsigned least, most;
  unsigned objects; /* live objects on it, and 1 while not closed */
  bool stopping;    /* closed with no objects: threads leave */
};

struct tp_group {
  struct tp_object *members;
};

struct tp_arm; /* a timer's arming on the timer queue */

struct tp_object {
  enum tp_kind kind;
  struct tp_pool *pool;
  union {
    PTP_WORK_CALLBACK work;
    PTP_SIMPLE_CALLBACK simple;
    PTP_TIMER_CALLBACK timer;
    PTP_WIN32_IO_CALLBACK io;
    LPTHREAD_START_ROUTINE queued;
    LPOVERLAPPED_COMPLETION_ROUTINE bound;
  } fn;
  PVOID context;
  PTP_SIMPLE_CALLBACK finalize;
  struct tp_group *group;
  PTP_CLEANUP_GROUP_CANCEL_CALLBACK group_cancel;
  struct tp_object *gnext, *gprev;
  unsigned queued, dropped, running, active;
  bool closed;
  bool timer_set;     /* armed (a one-shot until it expires) */
  struct tp_arm *arm; /* the current arming, or NULL */
};

struct tp_arm {
  struct tp_object *t;
  HANDLE tq_timer;
  bool once;
};

/* What a callback's instance asks for as it returns. */
struct tp_instance {
  struct tp_object *obj;
  bool disassociated;
  PCRITICAL_SECTION cs;
  HANDLE mutex, semaphore, event;
  DWORD semaphore_count;
};

static pthread_mutex_t tp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tp_cond = PTHREAD_COND_INITIALIZER; /* waits */
static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static struct tp_pool *default_pool;
static pthread_once_t tq_once = PTHREAD_ONCE_INIT;
static HANDLE timer_queue;

/* ------------------------------------------------------------------------ */
/* Pools and their threads                                                   */
/* ------------------------------------------------------------------------ */

static struct tp_pool *pool_new(unsigned most) {
  struct tp_pool *p = calloc(1, sizeof(*p));
  if (p == NULL)
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  p->port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  if (p->port == NULL) {
    free(p);
    return NULL;
  }
  p->most = most;
  p->objects = 1;
  return p;
}

static void default_init(void) {
  default_pool = pool_new(DEFAULT_MAX);
}

/* The pool an environment names, or NULL (the error set). */
static struct tp_pool *pool_of(PTP_CALLBACK_ENVIRON env) {
  if (env != NULL && env->Pool != NULL)
    return (struct tp_pool *)env->Pool;
  pthread_once(&default_once, default_init);
  return default_pool != NULL ? default_pool
                              : w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
}

/* The pool's last word (tp_lock held, no threads, no objects). */
static void pool_free_locked(struct tp_pool *p) {
  CloseHandle(p->port);
  free(p);
}

static void run_packet(struct tp_pool *p, struct tp_object *o, LPOVERLAPPED ov,
                       DWORD bytes, DWORD err);

static unsigned cpus(void) {
  static unsigned n;
  unsigned v = __atomic_load_n(&n, __ATOMIC_RELAXED);
  if (v == 0) {
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    v = c > 0 ? (unsigned)c : 1;
    __atomic_store_n(&n, v, __ATOMIC_RELAXED);
  }
  return v;
}

static void *pool_thread(void *arg) {
  struct tp_pool *p = arg;
  for (;;) {
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED ov = NULL;
    BOOL ok = GetQueuedCompletionStatus(p->port, &bytes, &key, &ov, IDLE_MS);
    DWORD err = ok ? 0 : GetLastError();
    pthread_mutex_lock(&tp_lock);
    p->idle--;
    if (!ok && ov == NULL) {
      /* No packet: a thread above the minimum leaves (a stopping pool
       * sends each thread its own packet instead). */
      unsigned keep = p->least > 1 ? p->least : 1;
      if (err == WAIT_TIMEOUT && !p->stopping && p->threads > keep) {
        p->threads--;
        pthread_mutex_unlock(&tp_lock);
        return NULL;
      }
      p->idle++;
      pthread_mutex_unlock(&tp_lock);
      continue;
    }
    if (key == 0) { /* the pool stops: one packet per thread */
      bool last = --p->threads == 0;
      if (last)
        pool_free_locked(p);
      pthread_mutex_unlock(&tp_lock);
      return NULL;
    }
    pthread_mutex_unlock(&tp_lock);
    run_packet(p, (struct tp_object *)key, ov, bytes, err);
    pthread_mutex_lock(&tp_lock);
    p->idle++;
    pthread_mutex_unlock(&tp_lock);
  }
}

/* One more thread (tp_lock held); false if it could not start. */
static bool spawn_locked(struct tp_pool *p) {
  if (p->stopping || p->threads >= p->most)
    return false;
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old); /* the thread inherits it */
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  int rc = pthread_create(&t, &a, pool_thread, p);
  pthread_attr_destroy(&a);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0)
    return false;
  p->threads++;
  p->idle++; /* it goes straight to the port */
  return true;
}

/* A pool with no objects left after its close stops (tp_lock held). */
static void pool_release_locked(struct tp_pool *p) {
  if (--p->objects > 0)
    return;
  p->stopping = true;
  if (p->threads == 0) {
    pool_free_locked(p);
    return;
  }
  for (unsigned i = p->threads; i > 0; i--)
    PostQueuedCompletionStatus(p->port, 0, 0, NULL);
}

CPORT_API PTP_POOL CreateThreadpool(PVOID reserved) {
  if (reserved != NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  return (PTP_POOL)pool_new(DEFAULT_MAX);
}

CPORT_API VOID CloseThreadpool(PTP_POOL pool) {
  struct tp_pool *p = (struct tp_pool *)pool;
  if (p == NULL || p == default_pool)
    return;
  pthread_mutex_lock(&tp_lock);
  pool_release_locked(p);
  pthread_mutex_unlock(&tp_lock);
}

CPORT_API VOID SetThreadpoolThreadMaximum(PTP_POOL pool, DWORD most) {
  struct tp_pool *p = (struct tp_pool *)pool;
  if (p == NULL)
    return;
  pthread_mutex_lock(&tp_lock);
  p->most = most > 0 ? most : 1;
  if (p->least > p->most)
    p->least = p->most;
  pthread_mutex_unlock(&tp_lock);
}

CPORT_API BOOL SetThreadpoolThreadMinimum(PTP_POOL pool, DWORD least) {
  struct tp_pool *p = (struct tp_pool *)pool;
  if (p == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  pthread_mutex_lock(&tp_lock);
  p->least = least;
  if (p->most < least)
    p->most = least;
  bool ok = true;
  while (ok && p->threads < p->least)
    ok = spawn_locked(p);
  pthread_mutex_unlock(&tp_lock);
  return ok ? TRUE : w32_fail(ERROR_NOT_ENOUGH_MEMORY);
}

/* ------------------------------------------------------------------------ */
/* Objects                                                                   */
/* ------------------------------------------------------------------------ */

static struct tp_object *object_new(enum tp_kind kind,
                                    PTP_CALLBACK_ENVIRON env) {
  struct tp_pool *p = pool_of(env);
  if (p == NULL)
    return NULL;
  struct tp_object *o = calloc(1, sizeof(*o));
  if (o == NULL)
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  o->kind = kind;
  o->pool = p;
  pthread_mutex_lock(&tp_lock);
  p->objects++;
  if (env != NULL) {
    o->finalize = env->FinalizationCallback;
    if (env->CleanupGroup != NULL) {
      struct tp_group *g = (struct tp_group *)env->CleanupGroup;
      o->group = g;
      o->group_cancel = env->CleanupGroupCancelCallback;
      o->gnext = g->members;
      if (g->members != NULL)
        g->members->gprev = o;
      g->members = o;
    }
  }
  pthread_mutex_unlock(&tp_lock);
  return o;
}

static void group_remove_locked(struct tp_object *o) {
  if (o->group == NULL)
    return;
  if (o->gprev != NULL)
    o->gprev->gnext = o->gnext;
  else
    o->group->members = o->gnext;
  if (o->gnext != NULL)
    o->gnext->gprev = o->gprev;
  o->group = NULL;
}

/* Frees a closed object nothing refers to any more (tp_lock held). */
static void maybe_free_locked(struct tp_object *o) {
  if (!o->closed || o->queued > 0 || o->active > 0 || o->arm != NULL)
    return;
  group_remove_locked(o);
  struct tp_pool *p = o->pool;
  free(o);
  pool_release_locked(p);
}

/* Queues one callback of o (tp_lock held); false if the port refused. */
static bool post_locked(struct tp_object *o) {
  struct tp_pool *p = o->pool;
  if (!PostQueuedCompletionStatus(p->port, 0, (ULONG_PTR)o, NULL))
    return false;
  o->queued++;
  p->backlog++;
  if (p->backlog > p->idle)
    spawn_locked(p);
  return true;
}

/* Drops o's queued callbacks (tp_lock held); true if there were some. */
static bool cancel_locked(struct tp_object *o) {
  bool some = o->queued > o->dropped;
  o->dropped = o->queued;
  pthread_cond_broadcast(&tp_cond);
  return some;
}

/* Waits until no callback of o is queued or running (tp_lock held). */
static void wait_locked(struct tp_object *o) {
  while (o->queued > o->dropped || o->running > 0)
    pthread_cond_wait(&tp_cond, &tp_lock);
}

/* A packet for o: dropped if a cancel said so, else its callback. */
static void run_packet(struct tp_pool *p, struct tp_object *o, LPOVERLAPPED ov,
                       DWORD bytes, DWORD err) {
  pthread_mutex_lock(&tp_lock);
  bool posted = o->kind != TP_IO_K && o->kind != TP_BOUND_K;
  if (posted && p->backlog > 0)
    p->backlog--;
  if (o->queued > 0 && o->kind != TP_BOUND_K)
    o->queued--;
  if (o->dropped > 0) {
    o->dropped--;
    pthread_cond_broadcast(&tp_cond);
    maybe_free_locked(o);
    pthread_mutex_unlock(&tp_lock);
    return;
  }
  o->running++;
  o->active++;
  /* Keep a thread at the port while this one runs a callback, up to one
   * per processor: the next completion need not wait for it. */
  if (p->idle == 0 && p->threads < cpus())
    spawn_locked(p);
  pthread_mutex_unlock(&tp_lock);

  struct tp_instance in;
  memset(&in, 0, sizeof(in));
  in.obj = o;
  PTP_CALLBACK_INSTANCE inst = (PTP_CALLBACK_INSTANCE)&in;
  switch (o->kind) {
  case TP_WORK_K:
    o->fn.work(inst, o->context, (PTP_WORK)o);
    break;
  case TP_SIMPLE_K:
    o->fn.simple(inst, o->context);
    break;
  case TP_TIMER_K:
    o->fn.timer(inst, o->context, (PTP_TIMER)o);
    break;
  case TP_IO_K:
    o->fn.io(inst, o->context, ov, err, bytes, (PTP_IO)o);
    break;
  case TP_QUEUED_K:
    o->fn.queued(o->context);
    break;
  case TP_BOUND_K:
    /* Windows hands this routine the I/O's NTSTATUS as it is (as
     * Internal holds it), not the Win32 code a TP_IO callback gets. */
    o->fn.bound(err != 0 && ov != NULL ? (DWORD)ov->Internal : err, bytes, ov);
    break;
  }
  if (o->finalize != NULL)
    o->finalize(inst, o->context);
  if (in.cs != NULL)
    LeaveCriticalSection(in.cs);
  if (in.mutex != NULL)
    ReleaseMutex(in.mutex);
  if (in.semaphore != NULL)
    ReleaseSemaphore(in.semaphore, (LONG)in.semaphore_count, NULL);
  if (in.event != NULL)
    SetEvent(in.event);

  pthread_mutex_lock(&tp_lock);
  if (!in.disassociated)
    o->running--;
  o->active--;
  pthread_cond_broadcast(&tp_cond);
  maybe_free_locked(o);
  pthread_mutex_unlock(&tp_lock);
}

/* Closes o: freed now or after its callbacks (tp_lock held). */
static void close_locked(struct tp_object *o) {
  o->closed = true;
  maybe_free_locked(o);
}

/* ------------------------------------------------------------------------ */
/* Work                                                                      */
/* ------------------------------------------------------------------------ */

CPORT_API PTP_WORK CreateThreadpoolWork(PTP_WORK_CALLBACK fn, PVOID context,
                                        PTP_CALLBACK_ENVIRON env) {
  if (fn == NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  struct tp_object *o = object_new(TP_WORK_K, env);
  if (o == NULL)
    return NULL;
  o->fn.work = fn;
  o->context = context;
  return (PTP_WORK)o;
}

CPORT_API VOID SubmitThreadpoolWork(PTP_WORK work) {
  struct tp_object *o = (struct tp_object *)work;
  if (o == NULL)
    return;
  pthread_mutex_lock(&tp_lock);
  if (!o->closed)
    post_locked(o);
  pthread_mutex_unlock(&tp_lock);
}

CPORT_API VOID WaitForThreadpoolWorkCallbacks(PTP_WORK work,
                                              BOOL cancel_pending) {
  struct tp_object *o = (struct tp_object *)work;
  if (o == NULL)
    return;
  pthread_mutex_lock(&tp_lock);
  if (cancel_pending)
    cancel_locked(o);
  wait_locked(o);
  pthread_mutex_unlock(&tp_lock);
}

CPORT_API VOID CloseThreadpoolWork(PTP_WORK work) {
  struct tp_object *o = (struct tp_object *)work;
  if (o == NULL)
    return;
  pthread_mutex_lock(&tp_lock);
  close_locked(o);
  pthread_mutex_unlock(&tp_lock);
}

/* A one-shot object, closed from the start: freed after its callback. */
static BOOL submit_once(enum tp_kind kind, PTP_CALLBACK_ENVIRON env,
                        PVOID context, struct tp_object **out) {
  struct tp_object *o = object_new(kind, env);
  if (o == NULL)
    return FALSE;
  o->context = context;
  *out = o;
  return TRUE;
}

static BOOL post_once(struct tp_object *o) {
  pthread_mutex_lock(&tp_lock);
  bool ok = post_locked(o);
  o->closed = true;
  maybe_free_locked(o);
  pthread_mutex_unlock(&tp_lock);
  return ok ? TRUE : w32_fail(ERROR_NOT_ENOUGH_MEMORY);
}

CPORT_API BOOL TrySubmitThreadpoolCallback(PTP_SIMPLE_CALLBACK fn,
                                           PVOID context,
                                           PTP_CALLBACK_ENVIRON env) {
  struct tp_object *o;
  if (fn == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (!submit_once(TP_SIMPLE_K, env, context, &o))
    return FALSE;
  o->fn.simple = fn;
  return post_once(o);
}

CPORT_API BOOL QueueUserWorkItem(LPTHREAD_START_ROUTINE fn, PVOID context,
                                 ULONG flags) {
  (void)flags; /* WT_EXECUTE*: every callback runs on a pool thread */
  struct tp_object *o;
  if (fn == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (!submit_once(TP_QUEUED_K, NULL, context, &o))
    return FALSE;
  o->fn.queued = fn;
  return post_once(o);
}

/* ------------------------------------------------------------------------ */
/* Cleanup groups                                                            */
/* ------------------------------------------------------------------------ */

CPORT_API PTP_CLEANUP_GROUP CreateThreadpoolCleanupGroup(void) {
  struct tp_group *g = calloc(1, sizeof(*g));
  return g != NULL ? (PTP_CLEANUP_GROUP)g
                   : w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
}

CPORT_API VOID CloseThreadpoolCleanupGroupMembers(PTP_CLEANUP_GROUP group,
                                                  BOOL cancel_pending,
                                                  PVOID cleanup_context) {
  struct tp_group *g = (struct tp_group *)group;
  if (g == NULL)
    return;
  pthread_mutex_lock(&tp_lock);
  while (g->members != NULL) {
    /* Out of the group first: the member is the caller's no more. */
    struct tp_object *o = g->members;
    PTP_CLEANUP_GROUP_CANCEL_CALLBACK cancel = o->group_cancel;
    group_remove_locked(o);
    bool had = cancel_pending && cancel_locked(o);
    struct tp_arm *arm = o->arm;
    o->arm = NULL;
    o->timer_set = false;
    o->active++; /* held while the lock is let go */
    pthread_mutex_unlock(&tp_lock);
    if (arm != NULL) {
      DeleteTimerQueueTimer(timer_queue, arm->tq_timer, INVALID_HANDLE_VALUE);
      free(arm);
    }
    /* "Called if the cleanup group is canceled before the associated
     * object is released": every member the program has not closed; a
     * simple callback's only if it never ran. */
    bool call = cancel_pending && (o->kind == TP_SIMPLE_K ? had : !o->closed);
    if (call && cancel != NULL)
      cancel(o->context, cleanup_context);
    pthread_mutex_lock(&tp_lock);
    wait_locked(o);
    o->active--;
    close_locked(o);
  }
  pthread_mutex_unlock(&tp_lock);
}

CPORT_API VOID CloseThreadpoolCleanupGroup(PTP_CLEANUP_GROUP group) {
  struct tp_group *g = (struct tp_group *)group;
  if (g == NULL)
    return;
  pthread_mutex_lock(&tp_lock);
  /* Members left: they stay, out of the group. */
  while (g->members != NULL)
    group_remove_locked(g->members);
  pthread_mutex_unlock(&tp_lock);
  free(g);
}

/* ------------------------------------------------------------------------ */
/* Timers                                                                    */
/* ------------------------------------------------------------------------ */

static void tq_init(void) {
  timer_queue = CreateTimerQueue();
}

/* On the timer queue's thread: queue the timer's callback if this is
 * still its arming. */
static VOID CALLBACK timer_expired(PVOID arg, BOOLEAN fired) {
  (void)fired;
  struct tp_arm *arm = arg;
  pthread_mutex_lock(&tp_lock);
  struct tp_object *t = arm->t;
  if (t->arm == arm && !t->closed) {
    if (arm->once)
      t->timer_set = false;
    post_locked(t);
  }
  pthread_mutex_unlock(&tp_lock);
}

/* Takes t's arming away and deletes it, waiting for a running expiry. */
static void disarm(struct tp_object *t) {
  pthread_mutex_lock(&tp_lock);
  struct tp_arm *arm = t->arm;
  t->arm = NULL;
  t->timer_set = false;
  if (arm != NULL)
    t->active++; /* t stays while the lock is let go */
  pthread_mutex_unlock(&tp_lock);
  if (arm == NULL)
    return;
  DeleteTimerQueueTimer(timer_queue, arm->tq_timer, INVALID_HANDLE_VALUE);
  free(arm);
  pthread_mutex_lock(&tp_lock);
  t->active--;
  maybe_free_locked(t);
  pthread_mutex_unlock(&tp_lock);
}

/* Milliseconds until a FILETIME due time (negative: relative). */
static DWORD due_ms(const FILETIME *due) {
  int64_t v =
      (int64_t)(((uint64_t)due->dwHighDateTime << 32) | due->dwLowDateTime);
  int64_t ticks; /* 100 ns */
  if (v < 0) {
    ticks = -v;
  } else {
    FILETIME now;
    GetSystemTimeAsFileTime(&now);
    int64_t n =
        (int64_t)(((uint64_t)now.dwHighDateTime << 32) | now.dwLowDateTime);
    ticks = v > n ? v - n : 0;
  }
  int64_t ms = (ticks + 9999) / 10000;
  return ms >= (int64_t)INFINITE ? INFINITE - 1 : (DWORD)ms;
}

CPORT_API PTP_TIMER CreateThreadpoolTimer(PTP_TIMER_CALLBACK fn, PVOID context,
                                          PTP_CALLBACK_ENVIRON env) {
  if (fn == NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  pthread_once(&tq_once, tq_init);
  if (timer_queue == NULL)
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  struct tp_object *o = object_new(TP_TIMER_K, env);
  if (o == NULL)
    return NULL;
  o->fn.timer = fn;
  o->context = context;
  return (PTP_TIMER)o;
}

CPORT_API BOOL SetThreadpoolTimerEx(PTP_TIMER timer, PFILETIME due,
                                    DWORD period, DWORD window) {
  (void)window;
  struct tp_object *t = (struct tp_object *)timer;
  if (t == NULL)
    return FALSE;
  if (due == NULL) {
    pthread_mutex_lock(&tp_lock);
    bool was = t->timer_set;
    pthread_mutex_unlock(&tp_lock);
    disarm(t);
    return was;
  }
  /* The new arming is made idle, published, then started, all before
   * the old one goes: its expiry, if it comes now, is not the timer's. */
  struct tp_arm *arm = calloc(1, sizeof(*arm));
  HANDLE h = NULL;
  if (arm == NULL)
    return FALSE; /* VOID on Windows: the timer stays as it was */
  arm->t = t;
  arm->once = period == 0;
  if (!CreateTimerQueueTimer(&h, timer_queue, timer_expired, arm, INFINITE, 0,
                             0)) {
    free(arm);
    return FALSE;
  }
  arm->tq_timer = h;
  pthread_mutex_lock(&tp_lock);
  bool was = t->timer_set;
  struct tp_arm *old = t->arm;
  t->arm = arm;
  t->timer_set = true;
  if (old != NULL)
    t->active++; /* t stays while the lock is let go */
  /* Under tp_lock, so a disarm cannot delete it first (the timer queue's
   * lock is taken inside tp_lock, never the other way round). */
  ChangeTimerQueueTimer(timer_queue, h, due_ms(due), period);
  pthread_mutex_unlock(&tp_lock);
  if (old != NULL) {
    DeleteTimerQueueTimer(timer_queue, old->tq_timer, INVALID_HANDLE_VALUE);
    free(old);
    pthread_mutex_lock(&tp_lock);
    t->active--;
    maybe_free_locked(t);
    pthread_mutex_unlock(&tp_lock);
  }
  return was;
}

CPORT_API VOID SetThreadpoolTimer(PTP_TIMER timer, PFILETIME due, DWORD period,
                                  DWORD window) {
  SetThreadpoolTimerEx(timer, due, period, window);
}

CPORT_API BOOL IsThreadpoolTimerSet(PTP_TIMER timer) {
  struct tp_object *t = (struct tp_object *)timer;
  if (t == NULL)
    return FALSE;
  pthread_mutex_lock(&tp_lock);
  bool set = t->timer_set;
  pthread_mutex_unlock(&tp_lock);
  return set;
}

CPORT_API VOID WaitForThreadpoolTimerCallbacks(PTP_TIMER timer,
                                               BOOL cancel_pending) {
  WaitForThreadpoolWorkCallbacks((PTP_WORK)timer, cancel_pending);
}

CPORT_API VOID CloseThreadpoolTimer(PTP_TIMER timer) {
  struct tp_object *t = (struct tp_object *)timer;
  if (t == NULL)
    return;
  disarm(t);
  CloseThreadpoolWork((PTP_WORK)timer);
}

/* ------------------------------------------------------------------------ */
/* I/O                                                                       */
/* ------------------------------------------------------------------------ */

CPORT_API PTP_IO CreateThreadpoolIo(HANDLE handle, PTP_WIN32_IO_CALLBACK fn,
                                    PVOID context, PTP_CALLBACK_ENVIRON env) {
  if (fn == NULL || handle == NULL || handle == INVALID_HANDLE_VALUE)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  struct tp_object *o = object_new(TP_IO_K, env);
  if (o == NULL)
    return NULL;
  o->fn.io = fn;
  o->context = context;
  if (CreateIoCompletionPort(handle, o->pool->port, (ULONG_PTR)o, 0) == NULL) {
    DWORD err = GetLastError();
    pthread_mutex_lock(&tp_lock);
    close_locked(o);
    pthread_mutex_unlock(&tp_lock);
    return w32_fail_null(err);
  }
  return (PTP_IO)o;
}

CPORT_API VOID StartThreadpoolIo(PTP_IO io) {
  struct tp_object *o = (struct tp_object *)io;
  if (o == NULL)
    return;
  pthread_mutex_lock(&tp_lock);
  o->queued++;
  if (o->pool->idle == 0)
    spawn_locked(o->pool); /* a thread for its completion */
  pthread_mutex_unlock(&tp_lock);
}

CPORT_API VOID CancelThreadpoolIo(PTP_IO io) {
  struct tp_object *o = (struct tp_object *)io;
  if (o == NULL)
    return;
  pthread_mutex_lock(&tp_lock);
  if (o->queued > 0)
    o->queued--;
  if (o->dropped > o->queued)
    o->dropped = o->queued;
  pthread_cond_broadcast(&tp_cond);
  maybe_free_locked(o);
  pthread_mutex_unlock(&tp_lock);
}

CPORT_API VOID WaitForThreadpoolIoCallbacks(PTP_IO io, BOOL cancel_pending) {
  WaitForThreadpoolWorkCallbacks((PTP_WORK)io, cancel_pending);
}

CPORT_API VOID CloseThreadpoolIo(PTP_IO io) {
  CloseThreadpoolWork((PTP_WORK)io);
}

/* The objects BindIoCompletionCallback made, one per function: a
 * handle's key names its function's object, so binding a socket per
 * connection costs no memory. Never freed, as a binding is for good. */
static struct tp_object *bound_objects; /* linked by gnext */

static struct tp_object *bound_object(LPOVERLAPPED_COMPLETION_ROUTINE fn) {
  pthread_mutex_lock(&tp_lock);
  struct tp_object *o = bound_objects;
  while (o != NULL && o->fn.bound != fn)
    o = o->gnext;
  pthread_mutex_unlock(&tp_lock);
  if (o != NULL)
    return o;
  o = object_new(TP_BOUND_K, NULL);
  if (o == NULL)
    return NULL;
  o->fn.bound = fn;
  pthread_mutex_lock(&tp_lock);
  struct tp_object *other = bound_objects;
  while (other != NULL && other->fn.bound != fn)
    other = other->gnext;
  if (other != NULL) { /* another thread was first */
    close_locked(o);
    o = other;
  } else {
    o->gnext = bound_objects;
    bound_objects = o;
  }
  pthread_mutex_unlock(&tp_lock);
  return o;
}

CPORT_API BOOL BindIoCompletionCallback(HANDLE handle,
                                        LPOVERLAPPED_COMPLETION_ROUTINE fn,
                                        ULONG flags) {
  if (fn == NULL || flags != 0 || handle == NULL ||
      handle == INVALID_HANDLE_VALUE)
    return w32_fail(ERROR_INVALID_PARAMETER);
  struct tp_object *o = bound_object(fn);
  if (o == NULL)
    return FALSE;
  if (CreateIoCompletionPort(handle, o->pool->port, (ULONG_PTR)o, 0) == NULL)
    return FALSE; /* already bound, or not a handle: the error is set */
  pthread_mutex_lock(&tp_lock);
  if (o->pool->idle == 0)
    spawn_locked(o->pool);
  pthread_mutex_unlock(&tp_lock);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* The callback instance                                                     */
/* ------------------------------------------------------------------------ */

CPORT_API BOOL CallbackMayRunLong(PTP_CALLBACK_INSTANCE instance) {
  struct tp_instance *in = (struct tp_instance *)instance;
  if (in == NULL)
    return FALSE;
  struct tp_pool *p = in->obj->pool;
  pthread_mutex_lock(&tp_lock);
  bool ok = p->idle > p->backlog || spawn_locked(p);
  pthread_mutex_unlock(&tp_lock);
  return ok;
}

CPORT_API VOID
DisassociateCurrentThreadFromCallback(PTP_CALLBACK_INSTANCE instance) {
  struct tp_instance *in = (struct tp_instance *)instance;
  if (in == NULL || in->disassociated)
    return;
  pthread_mutex_lock(&tp_lock);
  in->disassociated = true;
  in->obj->running--;
  pthread_cond_broadcast(&tp_cond);
  pthread_mutex_unlock(&tp_lock);
}

CPORT_API VOID SetEventWhenCallbackReturns(PTP_CALLBACK_INSTANCE instance,
                                           HANDLE event) {
  if (instance != NULL)
    ((struct tp_instance *)instance)->event = event;
}

CPORT_API VOID ReleaseSemaphoreWhenCallbackReturns(
    PTP_CALLBACK_INSTANCE instance, HANDLE semaphore, DWORD count) {
  struct tp_instance *in = (struct tp_instance *)instance;
  if (in == NULL)
    return;
  in->semaphore = semaphore;
  in->semaphore_count = count;
}

CPORT_API VOID ReleaseMutexWhenCallbackReturns(PTP_CALLBACK_INSTANCE instance,
                                               HANDLE mutex) {
  if (instance != NULL)
    ((struct tp_instance *)instance)->mutex = mutex;
}

CPORT_API VOID LeaveCriticalSectionWhenCallbackReturns(
    PTP_CALLBACK_INSTANCE instance, PCRITICAL_SECTION cs) {
  if (instance != NULL)
    ((struct tp_instance *)instance)->cs = cs;
}
