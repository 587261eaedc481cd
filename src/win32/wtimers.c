/*
 * wtimers.c - waitable timers (synchapi.h): CreateWaitableTimer(Ex),
 * SetWaitableTimer(Ex), CancelWaitableTimer. A timer is a waitable
 * object (waits.c): signalled when its due time comes, and again each
 * period; a notification (manual-reset) timer stays signalled until it
 * is set again, a synchronization timer releases one wait and resets.
 *
 * Each SetWaitableTimer makes a new arming: a timer on the layer's timer
 * queue for waitable timers, whose expiry signals the object only if it
 * is still the object's current arming (arm_id). Set, Cancel and the
 * close of the handle take the object's set_lock, so they replace the
 * timer-queue timer one at a time; the old one is deleted waiting for an
 * expiry that runs. An armed timer holds a reference on its object, so
 * the object outlives its handle's close until the close has disarmed
 * it.
 *
 * A completion routine is an APC to the thread that set the timer (apc.c).
 * The expiry signals the timer and then queues the routine's one APC
 * node (embedded in its record, so no allocation can fail there), both
 * under w32_lock: the routine always finds the timer signalled, and a
 * period that comes while the node is still queued signals the timer
 * only, as Windows' timer, whose one APC object is already queued, does.
 * CancelWaitableTimer and a new SetWaitableTimer cancel it ("cancels
 * outstanding APCs"): a node still queued is taken off, one already taken
 * off to run does not call the routine. Closing the handle stops the
 * timer but lets a queued routine run. If the setting thread has ended,
 * the timer is cancelled: it is no longer signalled.
 */
#include <stdlib.h>

#include "win32.h"

/* An arming's completion routine: its APC's record. */
struct routine {
  struct w32_apc node; /* its one APC (data: this record) */
  PTIMERAPCROUTINE fn;
  LPVOID arg;
  struct w32_apcq *queue;    /* the setting thread's */
  struct w32_object *thread; /* its thread object, referenced, or NULL */
  FILETIME when;             /* w32_lock: when it was last signalled */
  unsigned pending;          /* w32_lock: APCs queued or running */
  bool orphan;               /* w32_lock: its arming is gone */
  bool cancelled;            /* w32_lock: and its APCs with it */
  bool gone;                 /* w32_lock: its thread has ended */
};

struct arming {
  struct w32_wtimer *t;
  uint64_t id;
  struct routine *routine; /* or NULL */
};

static pthread_once_t queue_once = PTHREAD_ONCE_INIT;
static HANDLE queue;     /* the timer queue every waitable timer uses */
static uint64_t arm_ids; /* w32_lock */

static void queue_init(void) {
  queue = CreateTimerQueue();
}

static void routine_free(struct routine *r) {
  if (r->thread != NULL)
    w32_unref(r->thread);
  free(r);
}

/* An APC of r ran or was dropped: an orphan with none left is freed.
 * Whether the routine is still to be called. */
static bool routine_left(struct routine *r, bool thread_ended) {
  pthread_mutex_lock(&w32_lock);
  r->pending--;
  if (thread_ended)
    r->gone = true;
  bool call = !r->cancelled;
  bool free_it = r->orphan && r->pending == 0;
  pthread_mutex_unlock(&w32_lock);
  if (free_it)
    routine_free(r);
  return call;
}

/* On the setting thread, in an alertable wait. */
static VOID NTAPI routine_run(ULONG_PTR data) {
  struct routine *r = (struct routine *)data;
  PTIMERAPCROUTINE fn = r->fn;
  LPVOID arg = r->arg;
  pthread_mutex_lock(&w32_lock);
  FILETIME when = r->when;
  pthread_mutex_unlock(&w32_lock);
  if (routine_left(r, false)) /* not cancelled meanwhile */
    fn(arg, when.dwLowDateTime, when.dwHighDateTime);
}

static VOID NTAPI routine_dropped(ULONG_PTR data) {
  routine_left((struct routine *)data, true);
}

/* On the queue's thread: the due time (or a period) came. The timer is
 * signalled, then its routine queued unless its node still is; if the
 * setting thread has ended, the timer is cancelled instead. */
static VOID CALLBACK expired(PVOID arg, BOOLEAN fired) {
  (void)fired;
  struct arming *a = arg;
  struct routine *r = a->routine; /* it stays while this runs: disarm
                                   * waits for it */
  FILETIME now;
  if (r != NULL)
    GetSystemTimeAsFileTime(&now);
  pthread_mutex_lock(&w32_lock);
  if (a->t->arm_id != a->id || (r != NULL && r->gone)) {
    pthread_mutex_unlock(&w32_lock);
    return;
  }
  if (r != NULL && !r->node.queued) {
    if (!w32_apc_append_locked(r->queue, &r->node)) {
      r->gone = true; /* its thread ended: the timer is cancelled */
      pthread_mutex_unlock(&w32_lock);
      return;
    }
    r->pending++;
  }
  if (r != NULL)
    r->when = now;
  a->t->signaled = true;
  w32_wake_locked(&a->t->obj);
  pthread_mutex_unlock(&w32_lock);
}

/* An arming ends. Set and Cancel end its outstanding APC with it
 * ("CancelWaitableTimer ... cancels outstanding APCs"): a queued node is
 * taken off; one already taken off to run does not call the routine. The
 * handle's close leaves a queued routine to run. The record goes with
 * its last APC. */
static void routine_end(struct routine *r, bool cancel_apc) {
  if (r == NULL)
    return;
  pthread_mutex_lock(&w32_lock);
  if (cancel_apc && w32_apc_unqueue_locked(r->queue, &r->node))
    r->pending--;
  r->orphan = true;
  r->cancelled = cancel_apc;
  bool free_it = r->pending == 0;
  pthread_mutex_unlock(&w32_lock);
  if (free_it)
    routine_free(r);
}

/* A routine for the calling thread's queue; NULL if no memory. */
static struct routine *routine_new(PTIMERAPCROUTINE fn, LPVOID arg) {
  struct routine *r = calloc(1, sizeof(*r));
  if (r == NULL)
    return NULL;
  r->queue = w32_apc_mine_held(&r->thread);
  if (r->queue == NULL) {
    free(r);
    return NULL;
  }
  r->node.fn = routine_run;
  r->node.drop = routine_dropped;
  r->node.data = (ULONG_PTR)r;
  r->node.embedded = true;
  r->fn = fn;
  r->arg = arg;
  return r;
}

/* Takes t's arming away (set_lock held): its expiries no longer count,
 * its timer is deleted (waiting for one that runs), its reference
 * dropped. The signalled state stays as it is. A queued routine is
 * cancelled unless the handle closes. */
static void disarm(struct w32_wtimer *t, bool closing) {
  pthread_mutex_lock(&w32_lock);
  t->arm_id = ++arm_ids;
  pthread_mutex_unlock(&w32_lock);
  if (t->tq_timer == NULL)
    return;
  DeleteTimerQueueTimer(queue, t->tq_timer, INVALID_HANDLE_VALUE);
  routine_end(((struct arming *)t->arming)->routine, !closing);
  free(t->arming);
  t->tq_timer = NULL;
  t->arming = NULL;
  w32_unref(&t->obj);
}

/* CloseHandle: the timer stops. */
static void closed(void *arg) {
  struct w32_wtimer *t = arg;
  pthread_mutex_lock(&t->set_lock);
  disarm(t, true);
  pthread_mutex_unlock(&t->set_lock);
  w32_unref(&t->obj); /* the reference the close hook held */
}

static HANDLE create(bool manual, bool named) {
  if (named)
    return w32_fail_null(ERROR_NOT_SUPPORTED);
  pthread_once(&queue_once, queue_init);
  if (queue == NULL)
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  struct w32_wtimer *t = w32_object_new(W32_WTIMER, sizeof(*t));
  if (t == NULL)
    return NULL;
  pthread_mutex_init(&t->set_lock, NULL);
  t->manual = manual;
  t->obj.closed = closed;
  t->obj.closed_arg = t;
  pthread_mutex_lock(&w32_lock);
  w32_ref_locked(&t->obj); /* the close hook's: it runs after the handle
                            * is gone */
  pthread_mutex_unlock(&w32_lock);
  return (HANDLE)t;
}

CPORT_API HANDLE CreateWaitableTimerA(LPSECURITY_ATTRIBUTES sa, BOOL manual,
                                      LPCSTR name) {
  (void)sa;
  return create(manual != FALSE, name != NULL);
}

CPORT_API HANDLE CreateWaitableTimerW(LPSECURITY_ATTRIBUTES sa, BOOL manual,
                                      LPCWSTR name) {
  (void)sa;
  return create(manual != FALSE, name != NULL);
}

static HANDLE create_ex(DWORD flags, bool named) {
  if (flags & ~(DWORD)(CREATE_WAITABLE_TIMER_MANUAL_RESET |
                       CREATE_WAITABLE_TIMER_HIGH_RESOLUTION))
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  return create((flags & CREATE_WAITABLE_TIMER_MANUAL_RESET) != 0, named);
}

CPORT_API HANDLE CreateWaitableTimerExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name,
                                        DWORD flags, DWORD access) {
  (void)sa;
  (void)access;
  return create_ex(flags, name != NULL);
}

CPORT_API HANDLE CreateWaitableTimerExW(LPSECURITY_ATTRIBUTES sa, LPCWSTR name,
                                        DWORD flags, DWORD access) {
  (void)sa;
  (void)access;
  return create_ex(flags, name != NULL);
}

static struct w32_wtimer *timer_of(HANDLE h) {
  return (struct w32_wtimer *)w32_object_get(h, W32_WTIMER);
}

CPORT_API BOOL SetWaitableTimer(HANDLE h, const LARGE_INTEGER *due, LONG period,
                                PTIMERAPCROUTINE routine, LPVOID arg,
                                BOOL resume) {
  struct w32_wtimer *t = timer_of(h);
  if (t == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (due == NULL || period < 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  struct arming *a = malloc(sizeof(*a));
  struct routine *r = routine != NULL ? routine_new(routine, arg) : NULL;
  if (a == NULL || (routine != NULL && r == NULL)) {
    if (r != NULL)
      routine_free(r);
    free(a);
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  }
  a->routine = r;
  DWORD ms = w32_due_ms(due->QuadPart);
  pthread_mutex_lock(&t->set_lock);
  disarm(t, false);
  pthread_mutex_lock(&w32_lock);
  bool open = t->obj.open;
  if (open) {
    t->signaled = false; /* setting a timer resets it */
    a->t = t;
    a->id = t->arm_id;
    w32_ref_locked(&t->obj); /* the arming's */
  }
  pthread_mutex_unlock(&w32_lock);
  HANDLE tq = NULL;
  BOOL ok =
      open && CreateTimerQueueTimer(&tq, queue, expired, a, ms, (DWORD)period,
                                    WT_EXECUTEINTIMERTHREAD);
  DWORD err = open ? GetLastError() : ERROR_INVALID_HANDLE;
  if (ok) {
    t->tq_timer = tq;
    t->arming = a;
  }
  pthread_mutex_unlock(&t->set_lock);
  if (!ok) {
    if (open)
      w32_unref(&t->obj);
    if (r != NULL)
      routine_free(r);
    free(a);
    return w32_fail(err);
  }
  /* "If the system does not support a restore ... the function succeeds,
   * but GetLastError returns ERROR_NOT_SUPPORTED." */
  SetLastError(resume ? ERROR_NOT_SUPPORTED : 0);
  return TRUE;
}

CPORT_API BOOL SetWaitableTimerEx(HANDLE h, const LARGE_INTEGER *due,
                                  LONG period, PTIMERAPCROUTINE routine,
                                  LPVOID arg, PREASON_CONTEXT wake,
                                  ULONG tolerable_delay) {
  (void)wake;
  (void)tolerable_delay; /* a hint: the timer fires on time */
  return SetWaitableTimer(h, due, period, routine, arg, FALSE);
}

CPORT_API BOOL CancelWaitableTimer(HANDLE h) {
  struct w32_wtimer *t = timer_of(h);
  if (t == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  pthread_mutex_lock(&t->set_lock);
  disarm(t, false);
  pthread_mutex_unlock(&t->set_lock);
  return TRUE;
}
