/*
 * threadpool.c - the thread pool's pools and their threads, the life of
 * its objects, cleanup groups and the callback instance's calls
 * (threadpoolapiset.h; what the files share: threadpool.h).
 *
 * Threads start when a packet is posted and none is free (up to the
 * pool's maximum) and leave after IDLE_MS without a packet (down to the
 * minimum, one at least). A taken packet runs its object's callback, then
 * what the callback's instance asked for as it returns.
 *
 * I/O completions reach a pool's port from the kernel, not through a post,
 * so they cannot ask for a thread as they come. The starvation watch does
 * it for them, as Windows' pool "will attempt to create a new thread after
 * a delay" (CallbackMayRunLong): while every thread of a pool runs a
 * callback, a thread of the layer's looks every WATCH_MS, and if no
 * callback of the pool returned since its last look, the pool gets one
 * more thread (up to its maximum). It sleeps while no pool is full.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "threadpool.h"

#define IDLE_MS 10000u
#define DEFAULT_MAX 500u
#define WATCH_MS 50u

/* What a callback's instance asks for as it returns. */
struct tp_instance {
  struct tp_object *obj;
  bool disassociated;
  PCRITICAL_SECTION cs;
  HANDLE mutex, semaphore, event;
  DWORD semaphore_count;
  HMODULE library;
};

pthread_mutex_t tp_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t tp_cond = PTHREAD_COND_INITIALIZER;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static struct tp_pool *default_pool;
static struct tp_pool *pools; /* every pool (tp_lock) */

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
  pthread_mutex_lock(&tp_lock);
  p->next_pool = pools;
  pools = p;
  pthread_mutex_unlock(&tp_lock);
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
  struct tp_pool **pp = &pools;
  while (*pp != NULL && *pp != p)
    pp = &(*pp)->next_pool;
  if (*pp != NULL)
    *pp = p->next_pool;
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
       * sends each thread its own packet instead), if another still waits
       * at the port: a packet posted as this one timed out, or a
       * completion, is then never left to threads busy in callbacks. */
      unsigned keep = p->least > 1 ? p->least : 1;
      if (err == WAIT_TIMEOUT && !p->stopping && p->threads > keep &&
          p->idle > 0) {
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
    p->returned++;
    pthread_mutex_unlock(&tp_lock);
  }
}

/* One more thread (tp_lock held); false if it could not start. */
bool tp_spawn_locked(struct tp_pool *p) {
  if (p->stopping || p->threads >= p->most)
    return false;
  if (!w32_service_thread_sized(NULL, pool_thread, p, p->stack_reserve))
    return false;
  p->threads++;
  p->idle++; /* it goes straight to the port */
  return true;
}

/* ------------------------------------------------------------------------ */
/* The starvation watch                                                      */
/* ------------------------------------------------------------------------ */

static pthread_cond_t watch_cond;
static bool watch_started, watch_asleep;

/* Every thread of p runs a callback, and it may have more. */
static bool full(const struct tp_pool *p) {
  return p->idle == 0 && p->threads > 0 && !p->stopping && p->threads < p->most;
}

static bool any_full_locked(void) {
  for (struct tp_pool *p = pools; p != NULL; p = p->next_pool)
    if (full(p))
      return true;
  return false;
}

static void *starvation_watch(void *arg) {
  (void)arg;
  pthread_mutex_lock(&tp_lock);
  for (;;) {
    if (!any_full_locked()) {
      watch_asleep = true;
      while (watch_asleep)
        w32_cond_wait(&watch_cond, &tp_lock, NULL);
    }
    /* A whole WATCH_MS, then a look at each full pool. */
    struct timespec dl = w32_deadline(WATCH_MS);
    while (w32_cond_wait(&watch_cond, &tp_lock, &dl) != ETIMEDOUT)
      ;
    for (struct tp_pool *p = pools; p != NULL; p = p->next_pool) {
      if (full(p) && p->returned == p->looked)
        tp_spawn_locked(p); /* no callback returned: they are stuck */
      p->looked = p->returned;
    }
  }
  return NULL;
}

/* p has no thread left at its port (tp_lock held): the watch looks. */
static void watch_full_locked(struct tp_pool *p) {
  if (!full(p))
    return;
  p->looked = p->returned;
  if (!watch_started) {
    w32_cond_init(&watch_cond);
    watch_started = w32_service_thread(NULL, starvation_watch, NULL);
  } else if (watch_asleep) {
    watch_asleep = false;
    pthread_cond_signal(&watch_cond);
  }
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
  if (!p->closed) { /* a second close would free it under its objects */
    p->closed = true;
    pool_release_locked(p);
  }
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
    ok = tp_spawn_locked(p);
  pthread_mutex_unlock(&tp_lock);
  return ok ? TRUE : w32_fail(ERROR_NOT_ENOUGH_MEMORY);
}

CPORT_API BOOL SetThreadpoolStackInformation(PTP_POOL pool,
                                             PTP_POOL_STACK_INFORMATION info) {
  struct tp_pool *p = (struct tp_pool *)pool;
  if (p == NULL || info == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  size_t reserve = info->StackReserve > info->StackCommit ? info->StackReserve
                                                          : info->StackCommit;
  if (reserve > 0 && reserve < (size_t)PTHREAD_STACK_MIN)
    reserve = (size_t)PTHREAD_STACK_MIN;
  pthread_mutex_lock(&tp_lock);
  p->stack_reserve = reserve;
  p->stack_commit = info->StackCommit;
  pthread_mutex_unlock(&tp_lock);
  return TRUE;
}

CPORT_API BOOL QueryThreadpoolStackInformation(
    PTP_POOL pool, PTP_POOL_STACK_INFORMATION info) {
  struct tp_pool *p = (struct tp_pool *)pool;
  if (p == NULL || info == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  size_t reserve = 0;
  pthread_attr_t a; /* unset: the size a new thread gets */
  if (pthread_attr_init(&a) == 0) {
    (void)pthread_attr_getstacksize(&a, &reserve);
    pthread_attr_destroy(&a);
  }
  long page = sysconf(_SC_PAGESIZE);
  pthread_mutex_lock(&tp_lock);
  info->StackReserve = p->stack_reserve > 0 ? p->stack_reserve : reserve;
  info->StackCommit = p->stack_reserve > 0 ? p->stack_commit
                      : page > 0           ? (SIZE_T)page
                                           : 4096;
  pthread_mutex_unlock(&tp_lock);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Objects                                                                   */
/* ------------------------------------------------------------------------ */

struct tp_object *tp_object_new(enum tp_kind kind, PTP_CALLBACK_ENVIRON env) {
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

void tp_maybe_free_locked(struct tp_object *o) {
  if (!o->closed || o->queued > 0 || o->active > 0 || o->arm != NULL ||
      o->reg != NULL)
    return;
  group_remove_locked(o);
  struct tp_pool *p = o->pool;
  HANDLE done = o->done_event;
  free(o);
  if (done != NULL)
    SetEvent(done); /* UnregisterWaitEx's event: after the last callback */
  pool_release_locked(p);
}

bool tp_post_locked(struct tp_object *o, DWORD bytes) {
  struct tp_pool *p = o->pool;
  if (!PostQueuedCompletionStatus(p->port, bytes, (ULONG_PTR)o, NULL))
    return false;
  o->queued++;
  p->backlog++;
  if (p->backlog > p->idle)
    tp_spawn_locked(p);
  return true;
}

bool tp_cancel_locked(struct tp_object *o) {
  bool some = o->queued > o->dropped;
  o->dropped = o->queued;
  pthread_cond_broadcast(&tp_cond);
  return some;
}

void tp_wait_locked(struct tp_object *o) {
  while (o->queued > o->dropped || o->running > 0)
    pthread_cond_wait(&tp_cond, &tp_lock);
}

void tp_release_locked(struct tp_object *o) {
  o->active--;
  pthread_cond_broadcast(&tp_cond);
  tp_maybe_free_locked(o);
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
    tp_maybe_free_locked(o);
    pthread_mutex_unlock(&tp_lock);
    return;
  }
  o->running++;
  o->active++;
  /* Keep a thread at the port while this one runs a callback, up to one
   * per processor: the next completion need not wait for it. */
  if (p->idle == 0 && p->threads < cpus())
    tp_spawn_locked(p);
  if (p->idle == 0)
    watch_full_locked(p);
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
  case TP_WAIT_K: /* the packet's bytes: WAIT_OBJECT_0 or WAIT_TIMEOUT */
    o->fn.wait(inst, o->context, (PTP_WAIT)o, (TP_WAIT_RESULT)bytes);
    break;
  case TP_REGWAIT_K: /* TRUE: the wait timed out */
    o->fn.regwait(o->context, bytes == WAIT_TIMEOUT);
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
  if (in.library != NULL)
    FreeLibrary(in.library);

  pthread_mutex_lock(&tp_lock);
  if (!in.disassociated)
    o->running--;
  o->active--;
  pthread_cond_broadcast(&tp_cond);
  tp_maybe_free_locked(o);
  pthread_mutex_unlock(&tp_lock);
}

void tp_close_locked(struct tp_object *o) {
  o->closed = true;
  tp_maybe_free_locked(o);
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
    o->active++; /* held while the lock is let go */
    /* From here a callback that re-sets its timer or resubmits its work
     * is refused: the member would outlive its close. */
    o->closing = true;
    if (o->stop != NULL) { /* its timer or wait stops */
      pthread_mutex_unlock(&tp_lock);
      o->stop(o);
      pthread_mutex_lock(&tp_lock);
    }
    bool had = cancel_pending && tp_cancel_locked(o);
    /* "Called if the cleanup group is canceled before the associated
     * object is released": every member the program has not closed; a
     * simple callback's only if it never ran. */
    bool call = cancel_pending && (o->kind == TP_SIMPLE_K ? had : !o->closed);
    pthread_mutex_unlock(&tp_lock);
    if (call && cancel != NULL)
      cancel(o->context, cleanup_context);
    pthread_mutex_lock(&tp_lock);
    /* Every callback, disassociated ones too: "The thread remains
     * associated with the object's cleanup group until the thread returns
     * to the thread pool" (active counts our own hold). */
    while (o->queued > o->dropped || o->active > 1)
      pthread_cond_wait(&tp_cond, &tp_lock);
    o->active--;
    tp_close_locked(o);
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
/* The callback instance                                                     */
/* ------------------------------------------------------------------------ */

CPORT_API BOOL CallbackMayRunLong(PTP_CALLBACK_INSTANCE instance) {
  struct tp_instance *in = (struct tp_instance *)instance;
  if (in == NULL)
    return FALSE;
  struct tp_pool *p = in->obj->pool;
  pthread_mutex_lock(&tp_lock);
  bool ok = p->idle > p->backlog || tp_spawn_locked(p);
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

CPORT_API VOID FreeLibraryWhenCallbackReturns(PTP_CALLBACK_INSTANCE instance,
                                              HMODULE module) {
  if (instance != NULL)
    ((struct tp_instance *)instance)->library = module;
}

CPORT_API VOID LeaveCriticalSectionWhenCallbackReturns(
    PTP_CALLBACK_INSTANCE instance, PCRITICAL_SECTION cs) {
  if (instance != NULL)
    ((struct tp_instance *)instance)->cs = cs;
}
