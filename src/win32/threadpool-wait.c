/*
 * threadpool-wait.c - the thread pool's wait objects (CreateThreadpoolWait,
 * threadpoolapiset.h) and the legacy RegisterWaitForSingleObject.
 *
 * One thread of the layer, started with the first wait, waits for every
 * set wait: each registration puts a wait block on its object, naming the
 * wait thread's condition variable, so a SetEvent, a ReleaseSemaphore or
 * a thread's end wakes it as it wakes any waiting thread (waits.c). The
 * wait thread then takes what a wait takes (an auto-reset event is reset,
 * a semaphore's count taken) and posts the object's callback to its
 * pool, with WAIT_OBJECT_0 or WAIT_TIMEOUT as the packet's bytes.
 *
 * The registrations are changed with tp_lock and w32_lock both held (in
 * that order), and the wait thread reads them so too. It sleeps holding
 * w32_lock alone (the condition variable's mutex), so a change made while
 * it decides to sleep waits for it to sleep, and then wakes it. It posts
 * with w32_lock let go: posting takes it.
 *
 * A registration from RegisterWaitForSingleObject without
 * WT_EXECUTEONLYONCE stays after it fires, its timeout counted again. So
 * that an object left signalled (a manual-reset event) cannot fill the
 * pool's port, such a registration does not fire again while its last
 * callback is still queued; the wait thread then looks every POLL_MS.
 */
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "threadpool.h"

#define POLL_MS 1u
#define FIRED_MAX 32u

struct tp_waitreg {
  struct tp_waitreg *next; /* the wait thread's list */
  struct tp_object *o;
  struct w32_object *obj;     /* referenced while registered */
  struct w32_waitblock block; /* on obj's waiters */
  bool timed;                 /* deadline is set */
  struct timespec deadline;   /* CLOCK_MONOTONIC */
  bool repeat;                /* stays after it fires */
  DWORD repeat_ms;            /* its timeout each time (INFINITE: none) */
};

static pthread_once_t wt_once = PTHREAD_ONCE_INIT;
static bool wt_started;
static pthread_cond_t wt_cond;     /* with w32_lock */
static struct tp_waitreg *wt_regs; /* tp_lock and w32_lock */
static struct tp_object *regwaits; /* registered waits, by gnext (tp_lock) */

/* ------------------------------------------------------------------------ */
/* Registrations (tp_lock and w32_lock held)                                 */
/* ------------------------------------------------------------------------ */

static bool before(const struct timespec *a, const struct timespec *b) {
  return a->tv_sec < b->tv_sec ||
         (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void set_deadline_ms(struct tp_waitreg *r, DWORD ms) {
  r->timed = ms != INFINITE;
  if (r->timed)
    r->deadline = w32_deadline(ms);
}

/* Puts r on its object and on the wait thread's list, and wakes it. */
static void reg_add_locked(struct tp_waitreg *r) {
  w32_ref_locked(r->obj);
  r->block.cv = &wt_cond;
  r->block.any = true; /* a pulse releases it, as a waiting thread */
  r->block.pulsed = false;
  r->block.idle = false;
  r->block.next = r->obj->waiters;
  r->obj->waiters = &r->block;
  r->next = wt_regs;
  wt_regs = r;
  r->o->reg = r;
  pthread_cond_signal(&wt_cond);
}

/* Takes r off its object and the list; the caller frees it. */
static void reg_remove_locked(struct tp_waitreg *r) {
  struct w32_waitblock **bp = &r->obj->waiters;
  while (*bp != &r->block)
    bp = &(*bp)->next;
  *bp = r->block.next;
  w32_unref_locked(r->obj);
  struct tp_waitreg **rp = &wt_regs;
  while (*rp != r)
    rp = &(*rp)->next;
  *rp = r->next;
  r->o->reg = NULL;
}

/* Ends o's registration, if it has one; returns it to be freed (or NULL)
 * once the locks are let go. */
static struct tp_waitreg *unset(struct tp_object *o) {
  pthread_mutex_lock(&tp_lock);
  pthread_mutex_lock(&w32_lock);
  struct tp_waitreg *r = o->reg;
  if (r != NULL)
    reg_remove_locked(r);
  pthread_mutex_unlock(&w32_lock);
  pthread_mutex_unlock(&tp_lock);
  return r;
}

/* ------------------------------------------------------------------------ */
/* The wait thread                                                           */
/* ------------------------------------------------------------------------ */

struct fired {
  struct tp_object *o;
  DWORD result;
  struct tp_waitreg *done; /* a registration that ended, to free */
};

/* Finds the registrations that fire now (both locks held), up to
 * FIRED_MAX; sets *next to the earliest deadline left and *poll if a
 * repeating registration waits for its last callback to be taken. */
static unsigned scan_locked(DWORD tid, struct fired *out, bool *timed,
                            struct timespec *next, bool *poll) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  unsigned n = 0;
  *timed = false;
  *poll = false;
  struct tp_waitreg *r = wt_regs;
  while (r != NULL && n < FIRED_MAX) {
    struct tp_waitreg *following = r->next;
    struct tp_object *o = r->o;
    bool throttled = r->repeat && o->queued > o->dropped;
    DWORD result = 0;
    bool fire = false;
    /* A throttled registration is not waiting: PulseEvent releases a
     * thread or registration that is instead of it. */
    r->block.idle = throttled;
    if (throttled) {
      *poll = true; /* not waiting: a pulse meanwhile passes it by */
      r->block.pulsed = false;
    } else if (r->block.pulsed) { /* the event is already reset */
      r->block.pulsed = false;
      result = WAIT_OBJECT_0;
      fire = true;
    } else if (w32_signaled_locked(r->obj, tid)) {
      w32_acquire_locked(r->obj, tid);
      result = WAIT_OBJECT_0;
      fire = true;
    } else if (r->timed && !before(&now, &r->deadline)) {
      result = WAIT_TIMEOUT;
      fire = true;
    }
    if (fire) {
      out[n].o = o;
      out[n].result = result;
      out[n].done = NULL;
      if (r->repeat) {
        set_deadline_ms(r, r->repeat_ms);
        r->block.idle = true; /* throttled once its callback is queued */
      } else {
        reg_remove_locked(r);
        out[n].done = r;
      }
      n++;
    }
    /* A throttled registration's deadline waits too: the poll covers it. */
    if (!throttled && o->reg == r && r->timed &&
        (!*timed || before(&r->deadline, next))) {
      *timed = true;
      *next = r->deadline;
    }
    r = following;
  }
  return n;
}

static void *wait_thread(void *arg) {
  (void)arg;
  DWORD tid = w32_tid();
  struct fired fired[FIRED_MAX];
  for (;;) {
    pthread_mutex_lock(&tp_lock);
    pthread_mutex_lock(&w32_lock);
    bool timed, poll;
    struct timespec next;
    unsigned n = scan_locked(tid, fired, &timed, &next, &poll);
    if (n > 0) {
      pthread_mutex_unlock(&w32_lock);
      for (unsigned i = 0; i < n; i++)
        tp_post_locked(fired[i].o, fired[i].result);
      pthread_mutex_unlock(&tp_lock);
      for (unsigned i = 0; i < n; i++)
        free(fired[i].done);
      continue; /* look again: more may have fired meanwhile */
    }
    pthread_mutex_unlock(&tp_lock);
    if (poll) {
      struct timespec p = w32_deadline(POLL_MS);
      if (!timed || before(&p, &next))
        next = p;
      timed = true;
    }
    /* Still under w32_lock: a change waits for the sleep, then wakes it. */
    w32_cond_wait(&wt_cond, &w32_lock, timed ? &next : NULL);
    pthread_mutex_unlock(&w32_lock);
  }
  return NULL;
}

static void wt_init(void) {
  w32_cond_init(&wt_cond);
  wt_started = w32_service_thread(NULL, wait_thread, NULL);
}

/* The wait thread, started once; false if it could not start. */
static bool wt_ready(void) {
  pthread_once(&wt_once, wt_init);
  return wt_started;
}

/* GetCurrentProcess() (INVALID_HANDLE_VALUE) as the object of a wait: the
 * process never ends while it runs, so an event never set stands for it,
 * and such a wait only times out, as on Windows (a pure timeout). */
static pthread_once_t process_once = PTHREAD_ONCE_INIT;
static HANDLE process_event;

static void process_init(void) {
  process_event = CreateEventA(NULL, TRUE, FALSE, NULL);
}

static HANDLE waitable_of(HANDLE h) {
  if (h != INVALID_HANDLE_VALUE)
    return h;
  pthread_once(&process_once, process_init);
  return process_event != NULL ? process_event : h;
}

/* Registers r for handle h on o (both locks taken here); false with the
 * error set if h is not an object a wait can use, or o is closed. */
static bool reg_set(struct tp_object *o, struct tp_waitreg *r, HANDLE h,
                    bool mutex_ok, struct tp_waitreg **old) {
  h = waitable_of(h);
  pthread_mutex_lock(&tp_lock);
  pthread_mutex_lock(&w32_lock);
  *old = o->reg;
  if (*old != NULL)
    reg_remove_locked(*old);
  struct w32_object *obj = w32_object_get(h, 0);
  DWORD err = 0;
  if (obj == NULL || !w32_waitable(obj) ||
      (!mutex_ok && obj->type == W32_MUTEX))
    err = ERROR_INVALID_HANDLE;
  else if (!tp_open_locked(o))
    err = ERROR_INVALID_PARAMETER;
  if (err == 0) {
    r->o = o;
    r->obj = obj;
    reg_add_locked(r);
  }
  pthread_mutex_unlock(&w32_lock);
  pthread_mutex_unlock(&tp_lock);
  return err == 0 ? true : w32_fail(err);
}

static void wait_stop(struct tp_object *o) {
  free(unset(o));
}

/* ------------------------------------------------------------------------ */
/* Wait objects                                                              */
/* ------------------------------------------------------------------------ */

CPORT_API PTP_WAIT CreateThreadpoolWait(PTP_WAIT_CALLBACK fn, PVOID context,
                                        PTP_CALLBACK_ENVIRON env) {
  if (fn == NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  if (!wt_ready())
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  struct tp_object *o = tp_object_new(TP_WAIT_K, env);
  if (o == NULL)
    return NULL;
  o->fn.wait = fn;
  o->context = context;
  o->stop = wait_stop; /* a cleanup group's close */
  return (PTP_WAIT)o;
}

CPORT_API BOOL SetThreadpoolWaitEx(PTP_WAIT wait, HANDLE handle,
                                   PFILETIME timeout, PVOID reserved) {
  struct tp_object *o = (struct tp_object *)wait;
  if (o == NULL || o->kind != TP_WAIT_K || reserved != NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (handle == NULL) {
    struct tp_waitreg *r = unset(o);
    free(r);
    return r != NULL;
  }
  struct tp_waitreg *r = calloc(1, sizeof(*r)), *old = NULL;
  if (r == NULL) { /* VOID on Windows: the wait is left as it was */
    w32_fail(ERROR_NOT_ENOUGH_MEMORY);
    return FALSE;
  }
  set_deadline_ms(r, timeout != NULL ? tp_due_ms(timeout) : INFINITE);
  if (!reg_set(o, r, handle, false, &old))
    free(r);
  free(old);
  return old != NULL;
}

CPORT_API VOID SetThreadpoolWait(PTP_WAIT wait, HANDLE handle,
                                 PFILETIME timeout) {
  SetThreadpoolWaitEx(wait, handle, timeout, NULL);
}

CPORT_API VOID WaitForThreadpoolWaitCallbacks(PTP_WAIT wait,
                                              BOOL cancel_pending) {
  WaitForThreadpoolWorkCallbacks((PTP_WORK)wait, cancel_pending);
}

CPORT_API VOID CloseThreadpoolWait(PTP_WAIT wait) {
  struct tp_object *o = (struct tp_object *)wait;
  if (o == NULL || o->kind != TP_WAIT_K)
    return;
  pthread_mutex_lock(&tp_lock);
  o->closing = true; /* a callback can no longer set it again */
  pthread_mutex_unlock(&tp_lock);
  free(unset(o));
  CloseThreadpoolWork((PTP_WORK)wait);
}

/* ------------------------------------------------------------------------ */
/* Registered waits (the legacy calls, on the default pool)                  */
/* ------------------------------------------------------------------------ */

CPORT_API BOOL RegisterWaitForSingleObject(PHANDLE wait_handle, HANDLE object,
                                           WAITORTIMERCALLBACK fn,
                                           PVOID context, ULONG ms,
                                           ULONG flags) {
  if (wait_handle == NULL || fn == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (!wt_ready())
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  struct tp_waitreg *r = calloc(1, sizeof(*r)), *old = NULL;
  if (r == NULL)
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  struct tp_object *o = tp_object_new(TP_REGWAIT_K, NULL);
  if (o == NULL) {
    free(r);
    return FALSE;
  }
  o->fn.regwait = fn;
  o->context = context;
  r->repeat = (flags & WT_EXECUTEONLYONCE) == 0;
  r->repeat_ms = ms;
  set_deadline_ms(r, ms);
  if (!reg_set(o, r, object, false, &old)) {
    DWORD err = GetLastError();
    free(r);
    pthread_mutex_lock(&tp_lock);
    tp_close_locked(o);
    pthread_mutex_unlock(&tp_lock);
    return w32_fail(err);
  }
  pthread_mutex_lock(&tp_lock);
  o->gnext = regwaits; /* no cleanup group: its links are free */
  regwaits = o;
  pthread_mutex_unlock(&tp_lock);
  *wait_handle = (HANDLE)o;
  return TRUE;
}

/* Takes h off the registered waits (tp_lock held); false if it is not
 * one (never registered, or unregistered already: its memory may be
 * gone, so it is not read). */
static bool regwait_take_locked(HANDLE h) {
  for (struct tp_object **pp = &regwaits; *pp != NULL; pp = &(*pp)->gnext)
    if (*pp == (struct tp_object *)h) {
      *pp = (*pp)->gnext;
      return true;
    }
  return false;
}

CPORT_API BOOL UnregisterWaitEx(HANDLE wait_handle, HANDLE event) {
  struct tp_object *o = (struct tp_object *)wait_handle;
  pthread_mutex_lock(&tp_lock);
  bool known = regwait_take_locked(wait_handle);
  pthread_mutex_unlock(&tp_lock);
  if (!known)
    return w32_fail(ERROR_INVALID_HANDLE);
  free(unset(o));
  pthread_mutex_lock(&tp_lock);
  if (event == INVALID_HANDLE_VALUE)
    tp_wait_locked(o); /* never from its own callback: Windows says so */
  bool busy = o->queued > o->dropped || o->active > 0;
  if (event != INVALID_HANDLE_VALUE && event != NULL)
    o->done_event = event; /* set as the object goes */
  tp_close_locked(o);
  pthread_mutex_unlock(&tp_lock);
  if (event != INVALID_HANDLE_VALUE && busy)
    return w32_fail(ERROR_IO_PENDING); /* ended all the same (the event is
                                          set after the last callback) */
  return TRUE;
}

CPORT_API BOOL UnregisterWait(HANDLE wait_handle) {
  return UnregisterWaitEx(wait_handle, NULL);
}
