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
 * A completion routine (an APC to the setting thread) is refused with
 * ERROR_NOT_SUPPORTED.
 */
#include <stdlib.h>

#include "win32.h"

struct arming {
  struct w32_wtimer *t;
  uint64_t id;
};

static pthread_once_t queue_once = PTHREAD_ONCE_INIT;
static HANDLE queue;     /* the timer queue every waitable timer uses */
static uint64_t arm_ids; /* w32_lock */

static void queue_init(void) {
  queue = CreateTimerQueue();
}

/* On the queue's thread: the due time (or a period) came. */
static VOID CALLBACK expired(PVOID arg, BOOLEAN fired) {
  (void)fired;
  struct arming *a = arg;
  pthread_mutex_lock(&w32_lock);
  if (a->t->arm_id == a->id) {
    a->t->signaled = true;
    w32_wake_locked(&a->t->obj);
  }
  pthread_mutex_unlock(&w32_lock);
}

/* Takes t's arming away (set_lock held): its expiries no longer count,
 * its timer is deleted (waiting for one that runs), its reference
 * dropped. The signalled state stays as it is. */
static void disarm(struct w32_wtimer *t) {
  pthread_mutex_lock(&w32_lock);
  t->arm_id = ++arm_ids;
  pthread_mutex_unlock(&w32_lock);
  if (t->tq_timer == NULL)
    return;
  DeleteTimerQueueTimer(queue, t->tq_timer, INVALID_HANDLE_VALUE);
  free(t->arming);
  t->tq_timer = NULL;
  t->arming = NULL;
  w32_unref(&t->obj);
}

/* CloseHandle: the timer stops. */
static void closed(void *arg) {
  struct w32_wtimer *t = arg;
  pthread_mutex_lock(&t->set_lock);
  disarm(t);
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
  (void)arg;
  struct w32_wtimer *t = timer_of(h);
  if (t == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (due == NULL || period < 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (routine != NULL)
    return w32_fail(ERROR_NOT_SUPPORTED); /* no timer APCs */
  struct arming *a = malloc(sizeof(*a));
  if (a == NULL)
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  DWORD ms = w32_due_ms(due->QuadPart);
  pthread_mutex_lock(&t->set_lock);
  disarm(t);
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
  disarm(t);
  pthread_mutex_unlock(&t->set_lock);
  return TRUE;
}
