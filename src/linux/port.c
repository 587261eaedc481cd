/*
 * port.c - the Linux port core's calls (see port.h and docs/design.md §3):
 * cport_get, cport_post, timers, blocking work, and the steps of creating
 * and closing a port. The queue and the waiting threads are dispatch.c's;
 * who waits in the kernel is progress.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "diag.h"
#include "port.h"
#include "sys.h"

/* ------------------------------------------------------------------------ */
/* Threads that exit                                                         */
/* ------------------------------------------------------------------------ */

static pthread_key_t tls_exit_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void release_running_elsewhere(struct cport *p) {
  pthread_mutex_lock(&p->lock);
  cp_port_release_running_locked(p, true);
  cp_port_unlock_and_wake(p);
}

/* Waiting for one op is a wait like cport_get's: kernel work this thread
 * left for a sleeping progress thread is handed over first, or the op it
 * waits for might never reach the kernel. */
CPORT_API int cport_op_wait(const cport_op_t *op, int timeout_ms) {
  if (op != NULL && timeout_ms != 0) {
    cp_port_pay_kept(); /* another worker may run meanwhile */
    cp_port_pay_owed();
  }
  return cp_op_wait(op, timeout_ms);
}

/* A thread that exits while counted as running releases its slot, and
 * pays what it owes the harvester. */
static void tls_exit(void *arg) {
  (void)arg;
  cp_port_pay_owed();
  if (cp_port_current() != NULL)
    release_running_elsewhere(cp_port_current());
}

static void tls_init(void) {
  pthread_key_create(&tls_exit_key, tls_exit);
}

/* Whether this thread has set tls_exit_key (so tls_exit runs at its end). */
static CP_TLS bool tls_exit_armed;
/* This thread takes from abandoned ports (cp_port_take_as_reaper). */
static CP_TLS bool tls_reaper;

static void mark_running(struct cport *p, bool more) {
  if (CP_UNLIKELY(!tls_exit_armed)) {
    pthread_setspecific(tls_exit_key, (void *)1);
    tls_exit_armed = true;
  }
  cp_port_mark_running(p, more);
}

/* ------------------------------------------------------------------------ */
/* Blocking work inside a released thread                                    */
/* ------------------------------------------------------------------------ */

/* cport_blocking_begin() depth; the slot was given back at depth 1. */
static CP_TLS unsigned tls_blocked;

CPORT_API int cport_blocking_begin(void) {
  cp_port_pay_owed();
  if (tls_blocked++ > 0)
    return 0;
  struct cport *p = cp_port_current();
  if (p == NULL)
    return 0;
  pthread_mutex_lock(&p->lock);
  /* Give the slot back: another waiting thread may take a completion.
   * The count may exceed the limit for a while when this one returns,
   * as on Windows. */
  cp_port_give_slot_locked(p);
  cp_port_unlock_and_wake(p);
  return 0;
}

CPORT_API int cport_blocking_end(void) {
  if (tls_blocked == 0)
    return CPORT_EINVAL;
  if (--tls_blocked == 0)
    cp_port_take_slot_back();
  return 0;
}

/* ------------------------------------------------------------------------ */
/* cport_post and timers                                                     */
/* ------------------------------------------------------------------------ */

CPORT_API int cport_post(cport_t *p, uintptr_t key, uint32_t bytes,
                         cport_op_t *op) {
  return cp_port_post_status(p, key, bytes, op, 0);
}

int cp_port_post_status(struct cport *p, uintptr_t key, uint32_t bytes,
                        cport_op_t *op, int status) {
  if (CP_UNLIKELY(p == NULL))
    return CPORT_EINVAL;
  cport_completion_t c = {op, key, bytes, status};
  if (CP_LIKELY(!__atomic_load_n(&p->closed, __ATOMIC_ACQUIRE) &&
                !cp_diag_active()) &&
      cp_port_post_fast(p, &c))
    return 0;
  pthread_mutex_lock(&p->lock);
  int rc = CPORT_ECLOSED;
  if (CP_LIKELY(!p->closed)) {
    rc = cp_cqueue_hold(&p->queue, 1);
    if (CP_LIKELY(rc == 0) && CP_UNLIKELY(cp_diag_active()))
      cp_diag_post(p, &c); /* (traced before any thread can take it) */
    if (CP_LIKELY(rc == 0))
      cp_port_push_held_locked(p, &c, 1);
  }
  cp_port_unlock_and_wake(p);
  return rc;
}
CPORT_API int cport_timer(cport_t *p, uintptr_t key, uint32_t timeout_ms,
                          cport_op_t *op) {
  int rc = cp_check_timer(p, op);
  if (rc != 0)
    return rc;
  rc = cp_port_progress_start(p);
  if (rc != 0)
    return rc;
  uint64_t due = cp_now_ns() + (uint64_t)timeout_ms * 1000000u;
  pthread_mutex_lock(&p->lock);
  /* The record starts under the lock cport_timer_cancel reads it under:
   * a cancel racing a restart of the same op (the program's race) then
   * sees the old timer or the new one, never half of either. Two starts
   * of one op racing (the program's race too): the second is refused. */
  if (!cp_op_begin(op, CP_OP_TIMER)) {
    pthread_mutex_unlock(&p->lock);
    return CPORT_EBUSY;
  }
  struct cp_lop *l = cp_lop(op);
  l->port = p;
  l->key = key;
  rc = p->closed ? CPORT_ECLOSED : cp_cqueue_hold(&p->queue, 1);
  if (rc == 0) {
    rc = cp_timers_add(&p->timers, op, due);
    if (rc != 0)
      cp_cqueue_unhold(&p->queue, 1);
  }
  if (rc == 0) {
    cp_op_set_busy(op);
    if (CP_UNLIKELY(cp_diag_active()))
      cp_diag_timer(p, op, 'S', 0);
    /* A new earliest deadline: whoever waits for it must wait less. */
    if (cp_timers_next(&p->timers) == due) {
      cp_port_poke_leader_locked(p);
      if (p->prog_waiter != NULL && p->leader != p->prog_waiter)
        cp_port_signal_locked(p->prog_waiter);
    }
  }
  cp_port_unlock_and_wake(p);
  if (rc != 0)
    cp_op_publish(op, rc, 0);
  return rc;
}

CPORT_API int cport_timer_cancel(cport_t *p, cport_op_t *op) {
  if (p == NULL || op == NULL)
    return CPORT_EINVAL;
  pthread_mutex_lock(&p->lock);
  int rc = CPORT_ENOENT;
  if (p->closed) {
    rc = CPORT_ECLOSED;
  } else if (cp_op_busy(op) && cp_lop(op)->kind == CP_OP_TIMER &&
             cp_lop(op)->port == p && cp_timers_remove(&p->timers, op)) {
    cport_completion_t c = {op, cp_lop(op)->key, 0, CPORT_ECANCELED};
    if (CP_UNLIKELY(cp_diag_active()))
      cp_diag_timer(p, op, 'C', CPORT_ECANCELED);
    cp_op_publish(op, CPORT_ECANCELED, 0);
    cp_port_push_held_locked(p, &c, 1);
    rc = 0;
  }
  cp_port_unlock_and_wake(p);
  return rc;
}
/* ------------------------------------------------------------------------ */
/* cport_get / cport_get_many                                                */
/* ------------------------------------------------------------------------ */

static int ms_until(uint64_t deadline) {
  if (deadline == UINT64_MAX)
    return -1;
  uint64_t now = cp_now_ns();
  if (now >= deadline)
    return 0;
  uint64_t ms = (deadline - now + 999999) / 1000000;
  return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/* The rest of take(), once the lane had nothing for a running worker. */
static __attribute__((noinline)) int take_slow(struct cport *p,
                                               cport_completion_t *out,
                                               unsigned max, int timeout_ms);

static inline int take(struct cport *p, cport_completion_t *out, unsigned max,
                       int timeout_ms) {
  if (CP_UNLIKELY(p == NULL || out == NULL || max == 0 || timeout_ms < -1))
    return CPORT_EINVAL;
  if (CP_LIKELY(!cp_diag_active() &&
                !__atomic_load_n(&p->closed, __ATOMIC_ACQUIRE))) {
    unsigned n = cp_port_take_fast(p, out, max);
    if (n > 0)
      return (int)n;
  }
  return take_slow(p, out, max, timeout_ms);
}

static int take_slow(struct cport *p, cport_completion_t *out, unsigned max,
                     int timeout_ms) {
  /* (Releasing the slot there hands out what this thread kept there.) */
  if (cp_port_current() != NULL && cp_port_current() != p)
    release_running_elsewhere(cp_port_current());

  uint64_t deadline = UINT64_MAX;
  if (timeout_ms > 0)
    deadline = cp_now_ns() + (uint64_t)timeout_ms * 1000000u;
  struct cp_waiter w; /* (filled only if this thread waits or leads) */
  w.above = w.below = NULL;
  w.out = out;
  w.max = max;
  bool polled = false;
  int rc;

  pthread_mutex_lock(&p->lock);
  cp_port_release_running_locked(p, false); /* (what it kept, it takes) */
  for (;;) {
    if (CP_UNLIKELY(p->closed || (p->abandoned && !tls_reaper))) {
      rc = CPORT_ECLOSED;
      break;
    }
    if (CP_UNLIKELY(p->timers.count > 0))
      cp_port_fire_timers_locked(p);
    if (p->running < p->concurrency && cp_port_queued(p)) {
      rc = (int)cp_port_pop_locked(p, out, max);
      if (CP_LIKELY(rc > 0)) {
        cp_port_set_running(p, p->running + 1);
        mark_running(p, rc > 1 || cp_port_queued(p));
        break;
      }
      if (cp_port_queued(p)) {
        /* A lock-free post is still filling its cell (a cache line away
         * on another CPU, or preempted): let it finish. */
        pthread_mutex_unlock(&p->lock);
        cp_lane_await_fill(&p->lane);
        pthread_mutex_lock(&p->lock);
        continue;
      }
      /* (a lock-free take was quicker) */
    }
    /* Hybrid: a thread with nothing to take harvests, if nobody does. */
    if (p->mode == CP_MODE_HYBRID && p->leader == NULL &&
        cp_port_kernel_active(p)) {
      p->leader = &w;
      p->lead_epoch++;
      p->vacated_ns = 0;
    }
    bool expired =
        timeout_ms == 0 || (deadline != UINT64_MAX && cp_now_ns() >= deadline);
    if (p->leader == &w && (!expired || !polled)) {
      polled = true;
      uint64_t until = deadline;
      if (cp_timers_next(&p->timers) < until)
        until = cp_timers_next(&p->timers);
      cp_port_lead_locked(p, &w, expired ? 0 : ms_until(until));
      continue;
    }
    if (expired) {
      rc = CPORT_ETIMEDOUT;
      break;
    }
    if (p->mode == CP_MODE_HYBRID && p->leader != NULL &&
        p->leader == p->prog_waiter && !p->want_lead) {
      /* The progress thread stepped in while we were away: take the role
       * back, so completions need no hand-off between threads. */
      p->want_lead = true;
      cp_port_poke_leader_locked(p);
    }
    w.word = CP_W_WAITING;
    w.result = CP_W_NONE;
    cp_port_stack_push(p, &w);
    /* Dekker with lock-free posts (port.h, "The lane"): the push above
     * stored top sequentially consistently, the lane is read so. */
    if (CP_UNLIKELY(cp_lane_ready(&p->lane)) && p->running < p->concurrency) {
      cp_port_stack_remove(p, &w);
      continue;
    }
    /* The newest waiter, next to be served, watches for a hand-off a
     * while before it sleeps; one at a time, so spinning never takes
     * every CPU, and only while no other worker of the port runs: a
     * busy port's CPUs are taken by its workers and ring owners, and
     * watching would take time from the threads that make the hand-off
     * (workers = CPUs on two CPUs: 11.2 -> 10.4 us of server CPU per
     * message at 64 x 64 B, 7.6 -> 6.7 at 64 x 4 KiB, one connection
     * 17.0k -> 21.2k msgs/s; docs/design.md §3); and only while the
     * spinner's recent waits show that watching pays (dispatch.c). */
    bool spin =
        p->spinner == NULL && p->mode == CP_MODE_DEDICATED && p->running == 0;
    uint64_t start = 0;
    w.ready_ns = 0;
    if (spin)
      p->spinner = &w;
    cp_port_unlock_and_wake(p); /* never sleep on pending wake-ups */
    cp_port_pay_owed();         /* nor on work the kernel has not seen */
    if (spin)
      start = cp_now_ns();
    cp_port_sleep(&w, deadline, spin ? cp_port_spin_budget(p) : 0);
    if (__atomic_load_n(&w.word, __ATOMIC_ACQUIRE) == CP_W_SIGNALED &&
        w.result == CP_W_GOT) {
      /* Handed off: running was counted by the dispatcher. */
      if (spin)
        cp_port_spin_learn(p, start, w.ready_ns);
      mark_running(p, w.more);
      return (int)w.got;
    }
    pthread_mutex_lock(&p->lock);
    if (p->spinner == &w)
      p->spinner = NULL;
    if (spin && w.result != CPORT_ECLOSED)
      cp_port_spin_learn(p, start, w.ready_ns); /* a late hand-off, or none */
    if (cp_port_on_stack(p, &w))
      cp_port_stack_remove(p, &w);
    if (w.result == CP_W_GOT) {
      /* Handed off while we were timing out. */
      cp_port_unlock_and_wake(p);
      mark_running(p, w.more);
      return (int)w.got;
    }
    if (w.result == CPORT_ECLOSED) {
      rc = CPORT_ECLOSED;
      break;
    }
    /* CP_W_LEAD (the role is ours now), a timeout, or a spurious wake-up:
     * look again. */
  }
  if (p->leader == &w)
    cp_port_resign_locked(p);
  if (cp_port_on_stack(p, &w))
    cp_port_stack_remove(p, &w);
  cp_port_unlock_and_wake(p);
  if (rc <= 0)
    cp_port_pay_owed(); /* leaving without work: what it handed over goes */
  return rc;
}

CPORT_API int cport_get(cport_t *p, cport_completion_t *out, int timeout_ms) {
  int rc = take(p, out, 1, timeout_ms);
  if (CP_UNLIKELY(cp_diag_active()) && rc > 0)
    cp_diag_got(p, out, rc);
  return rc > 0 ? 0 : rc;
}

CPORT_API int cport_get_many(cport_t *p, cport_completion_t *out, unsigned max,
                             int timeout_ms) {
  int rc = take(p, out, max, timeout_ms);
  if (CP_UNLIKELY(cp_diag_active()) && rc > 0)
    cp_diag_got(p, out, rc);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* Create and close                                                          */
/* ------------------------------------------------------------------------ */

int cp_port_alloc(struct cport **out, const cport_options_t *opts) {
  pthread_once(&tls_once, tls_init);
  struct cport *p = (struct cport *)cp_grave_take();
  uint32_t gen = 1;
  if (p != NULL) {
    gen = p->generation + 1;
    if (p->be && p->be->free)
      p->be->free(p);
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->handles_lock);
    pthread_cond_destroy(&p->kernel_idle);
    memset(p, 0, sizeof(*p));
  } else {
    void *mem = NULL;
    if (posix_memalign(&mem, _Alignof(struct cport), sizeof(*p)) != 0)
      return CPORT_ENOMEM;
    p = mem;
    memset(p, 0, sizeof(*p));
  }
  cp_lane_init(&p->lane);
  p->generation = gen;
  if (opts)
    p->opts = *opts;
  p->concurrency = p->opts.concurrency ? p->opts.concurrency : cp_cpu_count();
  p->spin_hits = 1024; /* spin until waits show it does not pay */
  /* Critical sections are a few dozen instructions: spin a little
   * before sleeping on a contended lock. */
  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
  pthread_mutex_init(&p->lock, &ma);
  pthread_mutexattr_destroy(&ma);
  pthread_mutex_init(&p->handles_lock, NULL);
  pthread_cond_init(&p->kernel_idle, NULL);
  int rc = cp_cqueue_init(&p->queue, 256);
  if (rc != 0) {
    cp_port_free_unused(p);
    return rc;
  }
  *out = p;
  return 0;
}

void cp_port_free_unused(struct cport *p) {
  cp_cqueue_free(&p->queue);
  pthread_mutex_destroy(&p->lock);
  pthread_mutex_destroy(&p->handles_lock);
  pthread_cond_destroy(&p->kernel_idle);
  free(p);
}

/* Every waiting thread returns CPORT_ECLOSED; a worker leading in the
 * kernel comes back and sees why (closed or abandoned). */
static void release_all_locked(struct cport *p) {
  p->spinner = NULL;
  while (p->top) {
    struct cp_waiter *w = p->top;
    cp_port_stack_remove(p, w);
    w->result = CPORT_ECLOSED;
    cp_port_signal_locked(w);
  }
  p->leader_woken = false;
  cp_port_poke_leader_locked(p);
}

int cp_port_close_begin(struct cport *p) {
  pthread_mutex_lock(&p->lock);
  if (p->closed) {
    pthread_mutex_unlock(&p->lock);
    return CPORT_ECLOSED;
  }
  __atomic_store_n(&p->closed, true, __ATOMIC_RELEASE);
  cp_port_credits_close_locked(p);
  release_all_locked(p);
  if (p->prog_waiter != NULL && p->leader != p->prog_waiter)
    cp_port_signal_locked(p->prog_waiter);
  cp_cqueue_clear(&p->queue);
  cport_completion_t c;
  while (cp_lane_pop(&p->lane, &c))
    ; /* dropped with the port */
  /* Wait for the leader to leave the kernel: after that only the
   * progress thread (draining) reads what the kernel reports. */
  while (p->in_kernel) {
    cp_port_unlock_and_wake(p);
    pthread_mutex_lock(&p->lock);
    if (p->in_kernel)
      pthread_cond_wait(&p->kernel_idle, &p->lock);
  }
  cp_port_unlock_and_wake(p);
  return 0;
}

int cp_port_abandon(struct cport *p) {
  pthread_mutex_lock(&p->lock);
  if (p->closed || p->abandoned) {
    pthread_mutex_unlock(&p->lock);
    return CPORT_ECLOSED;
  }
  p->abandoned = true;
  release_all_locked(p);
  cp_port_unlock_and_wake(p);
  return 0;
}

int cp_port_take_as_reaper(struct cport *p, cport_completion_t *out,
                           unsigned max, int timeout_ms) {
  tls_reaper = true;
  int rc = take(p, out, max, timeout_ms);
  tls_reaper = false;
  return rc;
}

void cp_port_close_end(struct cport *p) {
  pthread_mutex_lock(&p->lock);
  cp_cqueue_free(&p->queue);
  cport_op_t *op;
  while ((op = cp_timers_pop_due(&p->timers, UINT64_MAX)) != NULL) {
    if (CP_UNLIKELY(cp_diag_active()))
      cp_diag_timer(p, op, 'I', CPORT_ECLOSED);
    cp_op_publish(op, CPORT_ECLOSED, 0); /* dropped with the port */
  }
  cp_timers_free(&p->timers);
  pthread_mutex_unlock(&p->lock);
  cp_grave_bury(&p->shell);
}
