/*
 * timers.c - port timers on Windows: one timer queue per port (a single
 * thread serves all its timers), each timer posting its op to the port
 * when it fires. A timer op's state word decides, once, whether the timer
 * fired or was canceled: whoever moves it out of PENDING posts the op.
 */
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

static void timer_done(cport_op_t *op);

static VOID CALLBACK fired(PVOID arg, BOOLEAN timed_out) {
  (void)timed_out;
  cport_op_t *op = arg;
  struct cp_wtimer *t = tm(op);
  if (InterlockedCompareExchange(&t->state, T_FIRED, T_PENDING) != T_PENDING)
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
  cp_wop(op)->done = timer_done;
  struct cp_wtimer *t = tm(op);
  t->state = T_PENDING;
  t->port = p;
  t->key = key;
  if (!CreateTimerQueueTimer(&t->timer, q, fired, op, timeout_ms, 0,
                             WT_EXECUTEONLYONCE | WT_EXECUTEINTIMERTHREAD)) {
    cp_op_set_idle(op);
    return cp_win_error(GetLastError());
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
  if (InterlockedCompareExchange(&t->state, T_CANCELED, T_PENDING) != T_PENDING)
    return CPORT_ENOENT; /* it fired: that completion stands */
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
  if (q != NULL)
    DeleteTimerQueueEx(q, INVALID_HANDLE_VALUE); /* waits for callbacks */
}
