/*
 * timerq.c - timer queues (threadpoollegacyapiset.h): CreateTimerQueue,
 * CreateTimerQueueTimer, ChangeTimerQueueTimer, DeleteTimerQueueTimer,
 * DeleteTimerQueueEx, DeleteTimerQueue.
 *
 * A queue is an object with a thread of its own (started with its first
 * timer, all signals blocked, as every thread cport starts) that sleeps
 * until the earliest timer is due and hands its callback to the default
 * thread pool (QueueUserWorkItem), as Windows does, so a slow callback
 * holds up no other; WT_EXECUTEINTIMERTHREAD runs it on the queue's
 * thread instead (and so does a pool that cannot take it). A timer is an
 * object too, so a stale HANDLE never reads freed memory; deleting one
 * waits for its running callbacks as the completion event asks: not at
 * all (NULL), until they return (INVALID_HANDLE_VALUE; not from one of
 * the timer's own callbacks, which cannot wait for itself), or by
 * signalling an event then.
 */
#include <signal.h>
#include <time.h>

#include "win32.h"

struct w32_timerq;

struct w32_timer {
  struct w32_object obj;
  struct w32_timerq *q;
  struct w32_timer *next; /* the queue's list */
  WAITORTIMERCALLBACK fn;
  PVOID arg;
  uint64_t due;      /* monotonic ms; 0: not armed */
  DWORD period;      /* ms; 0: once */
  bool deleted;      /* DeleteTimerQueueTimer asked */
  bool expired;      /* a one-shot timer that has run */
  bool waited;       /* a deleter waits for the callbacks, and frees it */
  bool in_thread;    /* WT_EXECUTEINTIMERTHREAD */
  unsigned running;  /* callbacks running now (or handed to the pool) */
  HANDLE done_event; /* set when the last callback of a deleted timer ends */
};

struct w32_timerq {
  struct w32_object obj;
  pthread_mutex_t lock;
  pthread_cond_t cond; /* the thread's sleep, and deletes waiting */
  struct w32_timer *timers;
  pthread_t thread;
  bool started, stopping;
  bool orphaned;     /* deleted without waiting: the thread frees it */
  HANDLE exit_event; /* set by the thread as it leaves (orphaned) */
};

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static struct w32_timerq *default_q;

static struct w32_timerq *queue_new(void) {
  struct w32_timerq *q = w32_object_new(W32_TIMERQ, sizeof(*q));
  if (q == NULL)
    return NULL;
  pthread_mutex_init(&q->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&q->cond, &ca);
  pthread_condattr_destroy(&ca);
  return q;
}

static void default_init(void) {
  default_q = queue_new();
}

/* The queue a HANDLE names (NULL: the default queue), or NULL. */
static struct w32_timerq *queue_of(HANDLE h) {
  if (h == NULL) {
    pthread_once(&default_once, default_init);
    return default_q;
  }
  return (struct w32_timerq *)w32_object_get(h, W32_TIMERQ);
}

/* Frees a deleted timer whose callbacks have ended (q->lock held): off
 * the list, its event set, its object let go. */
static void timer_drop_locked(struct w32_timerq *q, struct w32_timer *t) {
  for (struct w32_timer **pp = &q->timers; *pp != NULL; pp = &(*pp)->next)
    if (*pp == t) {
      *pp = t->next;
      break;
    }
  HANDLE ev = t->done_event;
  if (ev != NULL && ev != INVALID_HANDLE_VALUE)
    SetEvent(ev);
  __atomic_store_n(&t->obj.open, false, __ATOMIC_RELEASE);
  w32_unref(&t->obj);
}

/* ------------------------------------------------------------------------ */
/* The queue's thread                                                        */
/* ------------------------------------------------------------------------ */

/* The timer due first; of those due together, the oldest (the list has
 * the newest first). */
static struct w32_timer *earliest_locked(struct w32_timerq *q) {
  struct w32_timer *best = NULL;
  for (struct w32_timer *t = q->timers; t != NULL; t = t->next)
    if (!t->deleted && t->due != 0 && (best == NULL || t->due <= best->due))
      best = t;
  return best;
}

/* The timer whose callback this thread runs, if any. */
static __thread struct w32_timer *tls_running;

/* Runs t's callback on this thread (t->running counted it), then lets
 * a deleted timer go once its last callback has ended. */
static void run_callback(struct w32_timer *t) {
  struct w32_timerq *q = t->q;
  struct w32_timer *outer = tls_running;
  tls_running = t;
  t->fn(t->arg, TRUE);
  tls_running = outer;
  pthread_mutex_lock(&q->lock);
  t->running--;
  if (t->deleted && t->running == 0 && !t->waited)
    timer_drop_locked(q, t); /* a waiting deleter drops it itself */
  pthread_cond_broadcast(&q->cond);
  pthread_mutex_unlock(&q->lock);
}

static DWORD WINAPI pool_callback(LPVOID arg) {
  run_callback(arg);
  return 0;
}

static void *queue_thread(void *arg) {
  struct w32_timerq *q = arg;
  pthread_mutex_lock(&q->lock);
  while (!q->stopping) {
    struct w32_timer *t = earliest_locked(q);
    uint64_t now = now_ms();
    if (t == NULL || t->due > now) {
      if (t == NULL) {
        pthread_cond_wait(&q->cond, &q->lock);
      } else {
        struct timespec ts = {(time_t)(t->due / 1000),
                              (long)(t->due % 1000) * 1000000L};
        pthread_cond_timedwait(&q->cond, &q->lock, &ts);
      }
      continue;
    }
    /* Due: the next period is counted from this due time. */
    t->due = t->period ? t->due + t->period : 0;
    t->expired = t->period == 0;
    if (t->due != 0 && t->due <= now)
      t->due = now + t->period; /* far behind (a long callback): skip */
    t->running++;               /* (so it stays until its callback has ended) */
    bool pooled = !t->in_thread;
    pthread_mutex_unlock(&q->lock);
    if (!pooled || !QueueUserWorkItem(pool_callback, t, 0))
      run_callback(t);
    pthread_mutex_lock(&q->lock);
  }
  bool orphaned = q->orphaned;
  if (orphaned)
    while (q->timers != NULL) /* deleters still waiting on q->cond */
      pthread_cond_wait(&q->cond, &q->lock);
  HANDLE ev = q->exit_event;
  pthread_mutex_unlock(&q->lock);
  if (orphaned) { /* DeleteTimerQueueEx did not wait: the last word */
    if (ev != NULL)
      SetEvent(ev);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->cond);
    w32_unref(&q->obj);
  }
  return NULL;
}

/* Starts the queue's thread with its first timer (q->lock held). */
static bool start_locked(struct w32_timerq *q) {
  if (q->started)
    return true;
  if (!w32_service_thread(&q->thread, queue_thread, q))
    return false;
  q->started = true;
  return true;
}

/* Whether this thread runs a callback of q (or is q's thread): it cannot
 * wait for q's callbacks to end. */
static bool in_callback_of(const struct w32_timerq *q) {
  return (tls_running != NULL && tls_running->q == q) ||
         (q->started && pthread_equal(q->thread, pthread_self()));
}

/* ------------------------------------------------------------------------ */
/* The API                                                                   */
/* ------------------------------------------------------------------------ */

CPORT_API HANDLE CreateTimerQueue(void) {
  return queue_new();
}

CPORT_API BOOL CreateTimerQueueTimer(PHANDLE out, HANDLE queue,
                                     WAITORTIMERCALLBACK fn, PVOID arg,
                                     DWORD due, DWORD period, ULONG flags) {
  if (out == NULL || fn == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  struct w32_timerq *q = queue_of(queue);
  if (q == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  struct w32_timer *t = w32_object_new(W32_TIMER, sizeof(*t));
  if (t == NULL)
    return FALSE;
  t->q = q;
  t->fn = fn;
  t->arg = arg;
  t->period = (flags & WT_EXECUTEONLYONCE) ? 0 : period;
  t->in_thread = (flags & WT_EXECUTEINTIMERTHREAD) != 0;
  pthread_mutex_lock(&q->lock);
  if (q->stopping || !start_locked(q)) {
    pthread_mutex_unlock(&q->lock);
    __atomic_store_n(&t->obj.open, false, __ATOMIC_RELEASE);
    w32_unref(&t->obj);
    return w32_fail(q->stopping ? ERROR_INVALID_HANDLE
                                : ERROR_NOT_ENOUGH_MEMORY);
  }
  t->due = due == INFINITE ? 0 : now_ms() + due;
  t->next = q->timers;
  q->timers = t;
  pthread_cond_broadcast(&q->cond);
  pthread_mutex_unlock(&q->lock);
  *out = t;
  return TRUE;
}

/* The timer, whichever queue (a valid one, or NULL: the default) the
 * call names: Windows finds it through the timer ("mixing default and
 * non-default queues" works, its conformance test says). */
static struct w32_timer *timer_of(HANDLE queue, HANDLE timer) {
  struct w32_timerq *q = queue_of(queue);
  struct w32_timer *t = (struct w32_timer *)w32_object_get(timer, W32_TIMER);
  if (q == NULL || t == NULL) {
    SetLastError(ERROR_INVALID_HANDLE);
    return NULL;
  }
  return t;
}

CPORT_API BOOL ChangeTimerQueueTimer(HANDLE queue, HANDLE timer, ULONG due,
                                     ULONG period) {
  struct w32_timer *t = timer_of(queue, timer);
  if (t == NULL)
    return FALSE;
  struct w32_timerq *q = t->q;
  pthread_mutex_lock(&q->lock);
  BOOL ok = !t->deleted;
  /* "If you call ChangeTimerQueueTimer on a one-shot timer (its period
   * is zero) that has already expired, the timer is not updated." */
  if (ok && !t->expired) {
    t->due = due == INFINITE ? 0 : now_ms() + due;
    t->period = period == INFINITE ? 0 : period;
    pthread_cond_broadcast(&q->cond);
  }
  pthread_mutex_unlock(&q->lock);
  return ok ? TRUE : w32_fail(ERROR_INVALID_HANDLE);
}

/* Marks t deleted and waits for its callbacks as `event` says (q->lock
 * held). TRUE if it is gone now; FALSE (ERROR_IO_PENDING) if its running
 * callbacks end it later. Exactly one party frees a timer: this call when
 * the timer is idle or it waited, else the last of its callbacks to end
 * (run_callback, on the pool or the queue's thread). */
static BOOL delete_locked(struct w32_timerq *q, struct w32_timer *t,
                          HANDLE event) {
  t->deleted = true;
  t->due = 0;
  t->done_event = event; /* set as the timer is freed */
  /* A callback of the timer itself cannot wait: it would wait for
   * itself (another timer's callback may: t's run elsewhere). */
  bool self = tls_running == t;
  if (t->running > 0 && event == INVALID_HANDLE_VALUE && !self) {
    t->waited = true;
    while (t->running > 0)
      pthread_cond_wait(&q->cond, &q->lock);
  }
  if (t->running == 0) {
    timer_drop_locked(q, t);
    pthread_cond_broadcast(&q->cond); /* a queue delete may wait for it */
    return TRUE;
  }
  SetLastError(ERROR_IO_PENDING);
  return FALSE;
}

CPORT_API BOOL DeleteTimerQueueTimer(HANDLE queue, HANDLE timer, HANDLE event) {
  struct w32_timer *t = timer_of(queue, timer);
  if (t == NULL)
    return FALSE;
  struct w32_timerq *q = t->q;
  pthread_mutex_lock(&q->lock);
  BOOL ok =
      t->deleted ? w32_fail(ERROR_INVALID_HANDLE) : delete_locked(q, t, event);
  pthread_mutex_unlock(&q->lock);
  return ok;
}

CPORT_API BOOL DeleteTimerQueueEx(HANDLE queue, HANDLE event) {
  if (queue == NULL)
    return w32_fail(ERROR_INVALID_HANDLE); /* the default queue stays */
  struct w32_timerq *q = queue_of(queue);
  if (q == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  /* Waiting for the callbacks is asked by INVALID_HANDLE_VALUE, and
   * impossible from one of them. */
  bool wait = event == INVALID_HANDLE_VALUE && !in_callback_of(q);
  pthread_mutex_lock(&q->lock);
  if (q->stopping) {
    pthread_mutex_unlock(&q->lock);
    return w32_fail(ERROR_INVALID_HANDLE);
  }
  __atomic_store_n(&q->obj.open, false, __ATOMIC_RELEASE);
  /* Idle timers go now; a running callback's timer goes when its last
   * callback returns (run_callback frees it, or a DeleteTimerQueueTimer
   * waiting for it). Nothing here waits, so the list stays walkable; the
   * wait for the callbacks is the wait for the list to empty, below (or
   * the queue's thread's, orphaned). */
  bool running = false;
  for (struct w32_timer *t = q->timers, *next; t != NULL; t = next) {
    next = t->next;
    if (!t->deleted) {
      t->deleted = true;
      t->due = 0;
      t->done_event = NULL;
    }
    if (t->running == 0 && !t->waited)
      timer_drop_locked(q, t);
    else
      running = true;
  }
  q->stopping = true;
  bool started = q->started;
  if (started && !wait) {
    q->orphaned = true; /* the thread frees it as it leaves */
    q->exit_event = event == INVALID_HANDLE_VALUE ? NULL : event;
    pthread_detach(q->thread);
  }
  pthread_cond_broadcast(&q->cond);
  pthread_mutex_unlock(&q->lock);
  if (started && !wait)
    return running ? w32_fail(ERROR_IO_PENDING) : TRUE;
  if (started)
    pthread_join(q->thread, NULL);
  pthread_mutex_lock(&q->lock);
  while (q->timers != NULL) /* deleters still waiting on q->cond */
    pthread_cond_wait(&q->cond, &q->lock);
  pthread_mutex_unlock(&q->lock);
  if (event != NULL && event != INVALID_HANDLE_VALUE)
    SetEvent(event);
  pthread_mutex_destroy(&q->lock);
  pthread_cond_destroy(&q->cond);
  w32_unref(&q->obj);
  return TRUE;
}

CPORT_API BOOL DeleteTimerQueue(HANDLE queue) {
  return DeleteTimerQueueEx(queue, NULL);
}
