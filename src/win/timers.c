/*
 * timers.c - port timers on Windows: one timer queue per port (a single
 * thread serves all its timers), each timer posting its op to the port
 * when it fires. A timer op's state word decides, once, whether the timer
 * fired or was canceled: whoever moves it out of PENDING posts the op.
 * Until then the op is on its port's list of pending timers, which the
 * port's close ends (free again, cancelled, with no completion).
 */
#include <stddef.h>
#include <string.h>

#include "win.h"

enum { T_PENDING = 1, T_FIRED = 2, T_CANCELED = 3 };

#define CP_STATUS_CANCELLED 0xC0000120u

struct cp_wtimer {
  HANDLE timer;
  volatile LONG state;
  struct cport *port;
  uintptr_t key;
};

static struct cp_wtimer *tm(cport_op_t *op) {
  _Static_assert(sizeof(struct cp_wtimer) <= sizeof(cp_wop(op)->aux),
                 "the timer state fits in the op");
  return (struct cp_wtimer *)(void *)cp_wop(op)->aux;
}

/* The op's links on its port's pending list, where an accept keeps its
 * addresses. */
struct cp_wtimer_links {
  cport_op_t *prev, *next;
};

static struct cp_wtimer_links *links(cport_op_t *op) {
  _Static_assert(offsetof(struct cp_wop, addrs) % sizeof(void *) == 0 &&
                     sizeof(struct cp_wtimer_links) <=
                         sizeof(((struct cp_wop *)0)->addrs),
                 "the links fit in the op");
  return (struct cp_wtimer_links *)(void *)cp_wop(op)->addrs;
}

/* Joins or leaves p's pending list (timers_lock held exclusively). */
static void list_add_locked(struct cport *p, cport_op_t *op) {
  links(op)->prev = NULL;
  links(op)->next = p->pending_timers;
  if (p->pending_timers != NULL)
    links(p->pending_timers)->prev = op;
  p->pending_timers = op;
}

static void list_remove_locked(struct cport *p, cport_op_t *op) {
  struct cp_wtimer_links *l = links(op);
  if (l->prev != NULL)
    links(l->prev)->next = l->next;
  else
    p->pending_timers = l->next;
  if (l->next != NULL)
    links(l->next)->prev = l->prev;
}

/* The op, a timer of p, leaves PENDING for `to` (p's list too): whether
 * it was there. (p from the caller: a cancel racing a restart of the op
 * may find its record being written.) */
static bool leave_pending(struct cport *p, cport_op_t *op, LONG to) {
  AcquireSRWLockExclusive(&p->timers_lock);
  bool was =
      InterlockedCompareExchange(&tm(op)->state, to, T_PENDING) == T_PENDING;
  if (was)
    list_remove_locked(p, op);
  ReleaseSRWLockExclusive(&p->timers_lock);
  return was;
}

static void timer_done(cport_op_t *op);

static VOID CALLBACK fired(PVOID arg, BOOLEAN timed_out) {
  (void)timed_out;
  cport_op_t *op = arg;
  struct cp_wtimer *t = tm(op);
  if (!leave_pending(t->port, op, T_FIRED))
    return; /* canceled first */
  op->internal = 0;
  op->internal_high = 0;
  cp_win_post_op(t->port, t->key, 0, op);
}

static HANDLE queue_of(struct cport *p) {
  AcquireSRWLockExclusive(&p->timers_lock);
  if (p->timers == NULL && !p->closed)
    p->timers = CreateTimerQueue();
  HANDLE q = p->closed ? NULL : p->timers;
  ReleaseSRWLockExclusive(&p->timers_lock);
  return q;
}

/* A call on p's queue outside timers_lock ends (the close waits for
 * every such call before it deletes the queue). */
static void queue_call_end(struct cport *p) {
  AcquireSRWLockExclusive(&p->timers_lock);
  p->timer_calls--;
  ReleaseSRWLockExclusive(&p->timers_lock);
}

CPORT_API int cport_timer(cport_t *p, uintptr_t key, uint32_t timeout_ms,
                          cport_op_t *op) {
  int rc = cp_check_timer(p, op);
  if (rc != 0)
    return rc;
  HANDLE q = queue_of(p);
  if (q == NULL)
    return p->closed ? CPORT_ECLOSED : cp_win_error(GetLastError());
  if (!cp_wop_begin(op, CP_W_TIMER, INVALID_SOCKET))
    return CPORT_EBUSY;
  op->internal = STATUS_PENDING; /* as the system marks its own ops */
  cp_wop(op)->done = timer_done;
  struct cp_wtimer *t = tm(op);
  t->port = p;
  t->key = key;
  /* Made under the lock, which its callback, a cancel and the close all
   * take first: none of them sees the timer before its handle is in the
   * op (a timer of 0 ms could fire, and its op be taken and given back to
   * the program, before the call wrote the handle into it; a cancel
   * could come before the timer existed), and the close cannot delete
   * the queue under the call. Making a timer never waits for a
   * callback. */
  AcquireSRWLockExclusive(&p->timers_lock);
  bool open = p->timers == q; /* (not closing) */
  DWORD err = 0;
  if (open) {
    t->state = T_PENDING;
    list_add_locked(p, op);
    if (!CreateTimerQueueTimer(&t->timer, q, fired, op, timeout_ms, 0,
                               WT_EXECUTEONLYONCE | WT_EXECUTEINTIMERTHREAD)) {
      err = GetLastError();
      t->state = T_CANCELED;
      list_remove_locked(p, op);
    }
  }
  ReleaseSRWLockExclusive(&p->timers_lock);
  if (!open || err != 0) {
    op->internal = CP_STATUS_CANCELLED; /* refused: ended, not pending */
    cp_op_set_idle(op);
    return open ? cp_win_error(err) : CPORT_ECLOSED;
  }
  return 0;
}

CPORT_API int cport_timer_cancel(cport_t *p, cport_op_t *op) {
  if (p == NULL || op == NULL)
    return CPORT_EINVAL;
  if (p->closed)
    return CPORT_ECLOSED;
  if (!cp_op_busy(op) || cp_wop(op)->kind != CP_W_TIMER || tm(op)->port != p)
    return CPORT_ENOENT;
  struct cp_wtimer *t = tm(op);
  AcquireSRWLockExclusive(&p->timers_lock);
  HANDLE q = p->timers;
  bool was =
      InterlockedCompareExchange(&t->state, T_CANCELED, T_PENDING) == T_PENDING;
  if (was) {
    list_remove_locked(p, op);
    p->timer_calls += q != NULL;
  }
  ReleaseSRWLockExclusive(&p->timers_lock);
  if (!was)
    return CPORT_ENOENT; /* it fired: that completion stands */
  if (q != NULL) {
    /* Gone, and its callback over if it was running: a callback still
     * on its way would take the op for its next timer, if the program
     * started one at once. */
    DeleteTimerQueueTimer(q, t->timer, INVALID_HANDLE_VALUE);
    t->timer = NULL;
    queue_call_end(p);
  }
  op->internal = CP_STATUS_CANCELLED;
  op->internal_high = 0;
  return cp_win_post_op(p, t->key, 0, op);
}

/* The op's completion is being taken: the timer object goes. */
static void timer_done(cport_op_t *op) {
  struct cp_wtimer *t = tm(op);
  AcquireSRWLockShared(&t->port->timers_lock);
  if (t->port->timers != NULL && t->timer != NULL)
    DeleteTimerQueueTimer(t->port->timers, t->timer, NULL); /* no wait */
  ReleaseSRWLockShared(&t->port->timers_lock);
  t->timer = NULL;
}

void cp_win_timers_stop(struct cport *p) {
  AcquireSRWLockExclusive(&p->timers_lock);
  HANDLE q = p->timers;
  p->timers = NULL;
  ReleaseSRWLockExclusive(&p->timers_lock);
  /* Calls on the queue under way end first (a cancel waiting for its
   * callback). */
  for (;;) {
    AcquireSRWLockShared(&p->timers_lock);
    LONG calls = p->timer_calls;
    ReleaseSRWLockShared(&p->timers_lock);
    if (calls == 0)
      break;
    Sleep(0);
  }
  if (q != NULL)
    DeleteTimerQueueEx(q, INVALID_HANDLE_VALUE); /* waits for callbacks */
  /* Those that never fired end now: free again, cancelled, no packet. */
  AcquireSRWLockExclusive(&p->timers_lock);
  cport_op_t *op = p->pending_timers;
  p->pending_timers = NULL;
  while (op != NULL) {
    cport_op_t *next = links(op)->next;
    tm(op)->state = T_CANCELED;
    op->internal_high = 0;
    op->internal = CP_STATUS_CANCELLED;
    cp_op_set_idle(op);
    op = next;
  }
  ReleaseSRWLockExclusive(&p->timers_lock);
}
