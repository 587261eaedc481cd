/*
 * port.c - the Linux port core (see port.h and docs/design.md §3):
 *
 *   completions ---> [ FIFO queue ] ---> hand-off to the newest waiting
 *   (posts, the harvester,                 thread (LIFO), while the
 *    ops finished inside a call)           concurrency limit allows
 *
 * Everything below is protected by port->lock except the waiters' futex
 * words, which are atomics.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "diag.h"
#include "port.h"
#include "sys.h"

/* ------------------------------------------------------------------------ */
/* The running count of the calling thread                                   */
/* ------------------------------------------------------------------------ */

/* The port this thread was last released by, if it still counts as running
 * there. The generation guards against a port shell reused since. */
static __thread struct cport *tls_port;
static __thread uint32_t tls_gen;
/* cport_blocking_begin() depth; the slot was given back at depth 1. */
static __thread unsigned tls_blocked;
static __thread bool tls_blocked_gave;
static pthread_key_t tls_exit_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static bool counted_on(struct cport *p) {
  return tls_port == p && tls_gen == p->generation;
}

bool cp_port_is_worker(struct cport *p) {
  return counted_on(p) && !tls_blocked_gave;
}

/*
 * Called with p->lock held: this thread stops counting as running on p.
 * From cport_get on the same port no hand-off is made: the caller takes the
 * next completion itself, as IOCP does.
 */
static void release_running_locked(struct cport *p, bool hand_off) {
  if (counted_on(p) && !tls_blocked_gave && p->running > 0) {
    p->running--;
    if (hand_off)
      cp_port_dispatch_locked(p);
  }
  tls_port = NULL;
  tls_blocked_gave = false;
}

static void release_running_elsewhere(struct cport *p) {
  pthread_mutex_lock(&p->lock);
  release_running_locked(p, true);
  cp_port_unlock_and_wake(p);
}

/* A thread that exits while counted as running releases its slot, and
 * pays what it owes the harvester. */
static void tls_exit(void *arg) {
  (void)arg;
  cp_port_pay_owed();
  if (tls_port != NULL)
    release_running_elsewhere(tls_port);
}

static void tls_init(void) { pthread_key_create(&tls_exit_key, tls_exit); }

/* Whether this thread has set tls_exit_key (so tls_exit runs at its end). */
static __thread bool tls_exit_armed;

static void mark_running(struct cport *p) {
  if (CP_UNLIKELY(!tls_exit_armed)) {
    pthread_setspecific(tls_exit_key, (void *)1);
    tls_exit_armed = true;
  }
  tls_port = p;
  tls_gen = p->generation;
  tls_blocked_gave = false;
}

/* ------------------------------------------------------------------------ */
/* Blocking work inside a released thread                                    */
/* ------------------------------------------------------------------------ */

CPORT_API int cport_blocking_begin(void) {
  cp_port_pay_owed();
  if (tls_blocked++ > 0)
    return 0;
  struct cport *p = tls_port;
  if (p == NULL)
    return 0;
  pthread_mutex_lock(&p->lock);
  if (counted_on(p) && p->running > 0) {
    /* Give the slot back: another waiting thread may take a completion.
     * The count may exceed the limit for a while when this one returns,
     * as on Windows. */
    p->running--;
    tls_blocked_gave = true;
    cp_port_dispatch_locked(p);
  }
  cp_port_unlock_and_wake(p);
  return 0;
}

CPORT_API int cport_blocking_end(void) {
  if (tls_blocked == 0)
    return CPORT_EINVAL;
  if (--tls_blocked > 0)
    return 0;
  struct cport *p = tls_port;
  if (p == NULL || !tls_blocked_gave)
    return 0;
  pthread_mutex_lock(&p->lock);
  if (counted_on(p) && !p->closed)
    p->running++;
  else
    tls_port = NULL;
  tls_blocked_gave = false;
  pthread_mutex_unlock(&p->lock);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Waking waiters                                                            */
/* ------------------------------------------------------------------------ */

/*
 * Wake-ups are issued after the port lock is dropped, so no thread waits
 * on that lock behind a system call. The signalled waiter may already have
 * returned by then; FUTEX_WAKE only uses the address as a key, so that is
 * harmless (at worst a spurious wake-up, which every waiter loop
 * tolerates). Likewise the leader may have left the kernel, or the port
 * been closed, before the backend is woken: backends keep what wake()
 * touches until free(), and a spare wake-up costs one empty harvest.
 */
#define CP_WAKE_MAX 16
struct wake_list {
  unsigned n;
  uint32_t *words[CP_WAKE_MAX];
  struct cport *kernel; /* a port whose leader waits in the kernel */
};
static __thread struct wake_list tls_wakes;

void cp_port_signal_locked(struct cp_waiter *w) {
  uint32_t prev = __atomic_exchange_n(&w->word, CP_W_SIGNALED, __ATOMIC_ACQ_REL);
  if (prev == CP_W_SLEEPING) {
    if (tls_wakes.n < CP_WAKE_MAX)
      tls_wakes.words[tls_wakes.n++] = &w->word;
    else
      cp_futex_wake(&w->word, 1);
  }
}

void cp_port_poke_leader_locked(struct cport *p) {
  if (p->leader == NULL || p->leader_woken || !p->in_kernel)
    return;
  p->leader_woken = true;
  if (tls_wakes.kernel != NULL && tls_wakes.kernel != p)
    p->be->wake(p); /* (one port lock is held at a time: not reached) */
  else
    tls_wakes.kernel = p;
}

void cp_port_unlock_and_wake(struct cport *p) {
  pthread_mutex_unlock(&p->lock);
  unsigned n = tls_wakes.n;
  struct cport *k = tls_wakes.kernel;
  tls_wakes.n = 0;
  tls_wakes.kernel = NULL;
  for (unsigned i = 0; i < n; i++)
    cp_futex_wake(tls_wakes.words[i], 1);
  if (k != NULL)
    k->be->wake(k);
}

static void stack_push(struct cport *p, struct cp_waiter *w) {
  w->above = NULL;
  w->below = p->top;
  if (p->top)
    p->top->above = w;
  else
    p->bottom = w;
  p->top = w;
}

void cp_port_stack_remove(struct cport *p, struct cp_waiter *w) {
  if (w->above)
    w->above->below = w->below;
  else
    p->top = w->below;
  if (w->below)
    w->below->above = w->above;
  else
    p->bottom = w->above;
  w->above = w->below = NULL;
}

bool cp_port_on_stack(struct cport *p, struct cp_waiter *w) {
  return w->above != NULL || p->top == w;
}

/*
 * Hand queued completions to waiting threads, newest waiter first, while
 * the concurrency limit allows. What is left and may run goes to a worker
 * harvesting in the kernel (hybrid mode), which then takes it itself.
 */
void cp_port_dispatch_locked(struct cport *p) {
  while (p->queue.count > 0 && p->running < p->concurrency && p->top) {
    struct cp_waiter *w = p->top;
    cp_port_stack_remove(p, w);
    w->got = cp_cqueue_pop(&p->queue, w->out, w->max);
    w->result = CP_W_GOT;
    p->running++;
    cp_port_signal_locked(w);
  }
  if (p->queue.count > 0 && p->running < p->concurrency &&
      p->leader != NULL && p->leader != p->prog_waiter)
    cp_port_poke_leader_locked(p);
}

/* Whether spinning before sleeping can pay: only if another CPU may run
 * the thread that wakes us (learned once per thread). */
static __thread int tls_spin = -1;

static bool may_spin(void) {
  if (CP_UNLIKELY(tls_spin < 0)) {
    cpu_set_t set;
    tls_spin = cp_cpu_count() > 1 &&
               sched_getaffinity(0, sizeof(set), &set) == 0 &&
               CPU_COUNT(&set) > 1;
  }
  return tls_spin;
}

/* Sleep on the waiter's futex until signalled or the deadline passes. */
void cp_port_sleep(struct cp_waiter *w, uint64_t deadline) {
  for (int spin = may_spin() ? 0 : 64; spin < 64; spin++) {
    if (__atomic_load_n(&w->word, __ATOMIC_ACQUIRE) == CP_W_SIGNALED)
      return;
    cp_cpu_relax();
  }
  uint32_t expect = CP_W_WAITING;
  if (!__atomic_compare_exchange_n(&w->word, &expect, CP_W_SLEEPING, false,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return; /* signalled meanwhile */
  while (__atomic_load_n(&w->word, __ATOMIC_ACQUIRE) == CP_W_SLEEPING) {
    int64_t ns = -1;
    if (deadline != UINT64_MAX) {
      uint64_t now = cp_now_ns();
      if (now >= deadline)
        return;
      ns = (int64_t)(deadline - now);
    }
    if (cp_futex_wait(&w->word, CP_W_SLEEPING, ns) == ETIMEDOUT)
      return;
  }
}

/* ------------------------------------------------------------------------ */
/* Queueing completions                                                      */
/* ------------------------------------------------------------------------ */

int cp_port_hold(struct cport *p) {
  pthread_mutex_lock(&p->lock);
  int rc = p->closed ? CPORT_ECLOSED : cp_cqueue_hold(&p->queue, 1);
  pthread_mutex_unlock(&p->lock);
  return rc;
}

void cp_port_unhold(struct cport *p) {
  pthread_mutex_lock(&p->lock);
  if (!p->closed)
    cp_cqueue_unhold(&p->queue, 1);
  pthread_mutex_unlock(&p->lock);
}

/* Queue n completions into held slots and hand them out. After close the
 * slots are gone with the queue and the completions are dropped. */
void cp_port_push_held_locked(struct cport *p, const cport_completion_t *c,
                              unsigned n) {
  if (CP_UNLIKELY(p->closed) || n == 0)
    return;
  for (unsigned i = 0; i < n; i++)
    cp_cqueue_push_held(&p->queue, &c[i]);
  cp_port_dispatch_locked(p);
}

void cp_batch_flush(struct cp_batch *b) {
  if (b->n == 0)
    return;
  struct cport *p = b->port;
  pthread_mutex_lock(&p->lock);
  cp_port_push_held_locked(p, b->e, b->n);
  cp_port_unlock_and_wake(p);
  b->n = 0;
}

void cp_port_complete(struct cport *p, cport_op_t *op, uintptr_t key,
                      uint32_t bytes, int status) {
  cport_completion_t c = {op, key, bytes, status};
  pthread_mutex_lock(&p->lock);
  cp_port_push_held_locked(p, &c, 1);
  cp_port_unlock_and_wake(p);
}

CPORT_API int cport_post(cport_t *p, uintptr_t key, uint32_t bytes,
                         cport_op_t *op) {
  if (CP_UNLIKELY(p == NULL))
    return CPORT_EINVAL;
  cport_completion_t c = {op, key, bytes, 0};
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

/* ------------------------------------------------------------------------ */
/* Timers                                                                    */
/* ------------------------------------------------------------------------ */

void cp_port_fire_timers_locked(struct cport *p) {
  uint64_t now = cp_now_ns();
  cport_op_t *op;
  while ((op = cp_timers_pop_due(&p->timers, now)) != NULL) {
    cport_completion_t c = {op, cp_lop(op)->key, 0, 0};
    if (CP_UNLIKELY(cp_diag_active()))
      cp_diag_timer(p, op, 'C', 0);
    cp_op_publish(op, 0, 0);
    cp_port_push_held_locked(p, &c, 1);
  }
}

CPORT_API int cport_timer(cport_t *p, uintptr_t key, uint32_t timeout_ms,
                          cport_op_t *op) {
  int rc = cp_check_timer(p, op);
  if (rc != 0)
    return rc;
  rc = cp_port_progress_start(p);
  if (rc != 0)
    return rc;
  cp_op_begin(op, CP_OP_TIMER);
  struct cp_lop *l = cp_lop(op);
  l->port = p;
  l->key = key;
  uint64_t due = cp_now_ns() + (uint64_t)timeout_ms * 1000000u;
  pthread_mutex_lock(&p->lock);
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

static int take(struct cport *p, cport_completion_t *out, unsigned max,
                int timeout_ms) {
  if (CP_UNLIKELY(p == NULL || out == NULL || max == 0 || timeout_ms < -1))
    return CPORT_EINVAL;
  if (tls_port != NULL && tls_port != p)
    release_running_elsewhere(tls_port);

  uint64_t deadline = UINT64_MAX;
  if (timeout_ms > 0)
    deadline = cp_now_ns() + (uint64_t)timeout_ms * 1000000u;
  struct cp_waiter w;
  memset(&w, 0, sizeof(w));
  w.out = out;
  w.max = max;
  bool polled = false;
  int rc;

  pthread_mutex_lock(&p->lock);
  release_running_locked(p, false);
  for (;;) {
    if (CP_UNLIKELY(p->closed)) {
      rc = CPORT_ECLOSED;
      break;
    }
    if (CP_UNLIKELY(p->timers.count > 0))
      cp_port_fire_timers_locked(p);
    if (p->queue.count > 0 && p->running < p->concurrency) {
      rc = (int)cp_cqueue_pop(&p->queue, out, max);
      p->running++;
      mark_running(p);
      break;
    }
    /* Hybrid: a thread with nothing to take harvests, if nobody does. */
    if (p->mode == CP_MODE_HYBRID && p->leader == NULL &&
        cp_port_kernel_active(p)) {
      p->leader = &w;
      p->lead_epoch++;
      p->vacated_ns = 0;
    }
    bool expired = timeout_ms == 0 ||
                   (deadline != UINT64_MAX && cp_now_ns() >= deadline);
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
    stack_push(p, &w);
    cp_port_unlock_and_wake(p); /* never sleep on pending wake-ups */
    cp_port_pay_owed();         /* nor on work the kernel has not seen */
    cp_port_sleep(&w, deadline);
    if (__atomic_load_n(&w.word, __ATOMIC_ACQUIRE) == CP_W_SIGNALED &&
        w.result == CP_W_GOT) {
      /* Handed off: running was counted by the dispatcher. */
      mark_running(p);
      return (int)w.got;
    }
    pthread_mutex_lock(&p->lock);
    if (cp_port_on_stack(p, &w))
      cp_port_stack_remove(p, &w);
    if (w.result == CP_W_GOT) {
      /* Handed off while we were timing out. */
      cp_port_unlock_and_wake(p);
      mark_running(p);
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
    p = calloc(1, sizeof(*p));
    if (p == NULL)
      return CPORT_ENOMEM;
  }
  p->generation = gen;
  if (opts)
    p->opts = *opts;
  p->concurrency = p->opts.concurrency ? p->opts.concurrency : cp_cpu_count();
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

int cp_port_close_begin(struct cport *p) {
  pthread_mutex_lock(&p->lock);
  if (p->closed) {
    pthread_mutex_unlock(&p->lock);
    return CPORT_ECLOSED;
  }
  __atomic_store_n(&p->closed, true, __ATOMIC_RELEASE);
  while (p->top) {
    struct cp_waiter *w = p->top;
    cp_port_stack_remove(p, w);
    w->result = CPORT_ECLOSED;
    cp_port_signal_locked(w);
  }
  p->leader_woken = false;
  cp_port_poke_leader_locked(p);
  if (p->prog_waiter != NULL && p->leader != p->prog_waiter)
    cp_port_signal_locked(p->prog_waiter);
  cp_cqueue_clear(&p->queue);
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
