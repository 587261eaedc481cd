/*
 * threadpool-timer.c - the thread pool's timer objects
 * (threadpoolapiset.h) on the layer's timer queues (timerq.c).
 *
 * Each SetThreadpoolTimer makes a new arming: a timer-queue timer whose
 * expiry posts the object's callback if it is still the object's current
 * arming. The old arming is deleted (waiting for an expiry that runs)
 * after the new one is published, so a late expiry of the old one is
 * never taken for the new one's.
 */
#include <stdlib.h>

#include "threadpool.h"

struct tp_arm {
  struct tp_object *t;
  HANDLE tq_timer;
  bool once;
};

static pthread_once_t tq_once = PTHREAD_ONCE_INIT;
static HANDLE timer_queue;

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
  if (t->arm == arm && tp_open_locked(t))
    tp_post_locked(t, 0); /* (still "set" until unset, as on Windows) */
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
  tp_release_locked(t);
  pthread_mutex_unlock(&tp_lock);
}

CPORT_API PTP_TIMER CreateThreadpoolTimer(PTP_TIMER_CALLBACK fn, PVOID context,
                                          PTP_CALLBACK_ENVIRON env) {
  if (fn == NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  pthread_once(&tq_once, tq_init);
  if (timer_queue == NULL)
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  struct tp_object *o = tp_object_new(TP_TIMER_K, env);
  if (o == NULL)
    return NULL;
  o->fn.timer = fn;
  o->context = context;
  o->stop = disarm; /* a cleanup group's close */
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
  /* The expiry only posts the callback: on the queue's own thread, so no
   * busy pool delays it. */
  if (!CreateTimerQueueTimer(&h, timer_queue, timer_expired, arm, INFINITE, 0,
                             WT_EXECUTEINTIMERTHREAD)) {
    free(arm);
    return FALSE;
  }
  arm->tq_timer = h;
  pthread_mutex_lock(&tp_lock);
  if (!tp_open_locked(t)) { /* a close has begun: it stays stopped */
    pthread_mutex_unlock(&tp_lock);
    DeleteTimerQueueTimer(timer_queue, h, INVALID_HANDLE_VALUE);
    free(arm);
    return FALSE;
  }
  bool was = t->timer_set;
  struct tp_arm *old = t->arm;
  t->arm = arm;
  t->timer_set = true;
  if (old != NULL)
    t->active++; /* t stays while the lock is let go */
  /* Under tp_lock, so a disarm cannot delete it first (the timer queue's
   * lock is taken inside tp_lock, never the other way round). */
  ChangeTimerQueueTimer(timer_queue, h, tp_due_ms(due), period);
  pthread_mutex_unlock(&tp_lock);
  if (old != NULL) {
    DeleteTimerQueueTimer(timer_queue, old->tq_timer, INVALID_HANDLE_VALUE);
    free(old);
    pthread_mutex_lock(&tp_lock);
    tp_release_locked(t);
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
  pthread_mutex_lock(&tp_lock);
  t->closing = true; /* a running callback can no longer set it again */
  pthread_mutex_unlock(&tp_lock);
  disarm(t);
  CloseThreadpoolWork((PTP_WORK)timer);
}
