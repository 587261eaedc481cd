/*
 * port.c - the Linux port core (see port.h and docs/design.md §3):
 *
 *   completions ---> [ FIFO queue ] ---> hand-off to the newest waiting
 *   (posts, the progress thread,           thread (LIFO), while the
 *    ops finished inside a call)           concurrency limit allows
 *
 * Everything below is protected by port->lock except the waiters' futex
 * words and the progress thread's marks, which are atomics.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
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
/* A port whose progress thread this thread owes a wake-up (port.h). */
static __thread struct cport *tls_owed;
static pthread_key_t tls_exit_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void dispatch_locked(struct cport *p);
static void unlock_and_wake(struct cport *p);
static void pay_owed(void);

static bool counted_on(struct cport *p) {
  return tls_port == p && tls_gen == p->generation;
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
      dispatch_locked(p);
  }
  tls_port = NULL;
  tls_blocked_gave = false;
}

static void release_running_elsewhere(struct cport *p) {
  pthread_mutex_lock(&p->lock);
  release_running_locked(p, true);
  unlock_and_wake(p);
}

/* A thread that exits while counted as running releases its slot, and
 * pays the wake-up it owes. */
static void tls_exit(void *arg) {
  (void)arg;
  pay_owed();
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
  pay_owed();
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
    dispatch_locked(p);
  }
  unlock_and_wake(p);
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
 * tolerates).
 */
#define CP_WAKE_MAX 16
struct wake_list {
  unsigned n;
  uint32_t *words[CP_WAKE_MAX];
};
static __thread struct wake_list tls_wakes;

static void signal_waiter_locked(struct cp_waiter *w) {
  uint32_t prev = __atomic_exchange_n(&w->word, CP_W_SIGNALED, __ATOMIC_ACQ_REL);
  if (prev == CP_W_SLEEPING) {
    if (tls_wakes.n < CP_WAKE_MAX)
      tls_wakes.words[tls_wakes.n++] = &w->word;
    else
      cp_futex_wake(&w->word, 1);
  }
}

static void unlock_and_wake(struct cport *p) {
  pthread_mutex_unlock(&p->lock);
  unsigned n = tls_wakes.n;
  tls_wakes.n = 0;
  for (unsigned i = 0; i < n; i++)
    cp_futex_wake(tls_wakes.words[i], 1);
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

static void stack_remove(struct cport *p, struct cp_waiter *w) {
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

static bool on_stack(struct cport *p, struct cp_waiter *w) {
  return w->above != NULL || p->top == w;
}

/* Hand queued completions to waiting threads, newest waiter first, while
 * the concurrency limit allows. */
static void dispatch_locked(struct cport *p) {
  while (p->queue.count > 0 && p->running < p->concurrency && p->top) {
    struct cp_waiter *w = p->top;
    stack_remove(p, w);
    w->got = cp_cqueue_pop(&p->queue, w->out, w->max);
    w->result = CP_W_GOT;
    p->running++;
    signal_waiter_locked(w);
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
static void push_held_locked(struct cport *p, const cport_completion_t *c,
                             unsigned n) {
  if (CP_UNLIKELY(p->closed))
    return;
  for (unsigned i = 0; i < n; i++)
    cp_cqueue_push_held(&p->queue, &c[i]);
  dispatch_locked(p);
}

void cp_batch_flush(struct cp_batch *b) {
  if (b->n == 0)
    return;
  struct cport *p = b->port;
  pthread_mutex_lock(&p->lock);
  push_held_locked(p, b->e, b->n);
  unlock_and_wake(p);
  b->n = 0;
}

void cp_port_complete(struct cport *p, cport_op_t *op, uintptr_t key,
                      uint32_t bytes, int status) {
  cport_completion_t c = {op, key, bytes, status};
  pthread_mutex_lock(&p->lock);
  push_held_locked(p, &c, 1);
  unlock_and_wake(p);
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
    if (CP_LIKELY(rc == 0))
      push_held_locked(p, &c, 1);
  }
  unlock_and_wake(p);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* Timers                                                                    */
/* ------------------------------------------------------------------------ */

/* Queue the completion of every timer that is due. p->lock held. */
static void fire_due_timers_locked(struct cport *p) {
  uint64_t now = cp_now_ns();
  cport_op_t *op;
  while ((op = cp_timers_pop_due(&p->timers, now)) != NULL) {
    cport_completion_t c = {op, cp_lop(op)->key, 0, 0};
    cp_op_publish(op, 0, 0);
    push_held_locked(p, &c, 1);
  }
}

CPORT_API int cport_timer(cport_t *p, uintptr_t key, uint32_t timeout_ms,
                          cport_op_t *op) {
  int rc = cp_check_timer(p, op);
  if (rc != 0)
    return rc;
  cp_op_begin(op, CP_OP_TIMER);
  struct cp_lop *l = cp_lop(op);
  l->port = p;
  l->key = key;
  uint64_t due = cp_now_ns() + (uint64_t)timeout_ms * 1000000u;
  rc = cp_port_progress_start(p);
  if (rc != 0)
    return rc;
  pthread_mutex_lock(&p->lock);
  rc = p->closed ? CPORT_ECLOSED : cp_cqueue_hold(&p->queue, 1);
  if (rc == 0) {
    rc = cp_timers_add(&p->timers, op, due);
    if (rc != 0)
      cp_cqueue_unhold(&p->queue, 1);
  }
  bool earliest = rc == 0 && cp_timers_next(&p->timers) == due;
  if (rc == 0)
    cp_op_set_busy(op);
  unlock_and_wake(p);
  /* A new earliest deadline: the progress thread must wait less. */
  if (earliest)
    cp_port_progress_poke(p);
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
    cp_op_publish(op, CPORT_ECANCELED, 0);
    push_held_locked(p, &c, 1);
    rc = 0;
  }
  unlock_and_wake(p);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* cport_get / cport_get_many                                                */
/* ------------------------------------------------------------------------ */

/* Sleep on the waiter's futex until signalled or the deadline passes. */
static void sleep_waiter(struct cp_waiter *w, uint64_t deadline) {
  for (int spin = 0; spin < 64; spin++) {
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
  int rc;

  pthread_mutex_lock(&p->lock);
  release_running_locked(p, false);
  for (;;) {
    if (CP_UNLIKELY(p->closed)) {
      rc = CPORT_ECLOSED;
      break;
    }
    if (CP_UNLIKELY(p->timers.count > 0))
      fire_due_timers_locked(p);
    if (p->queue.count > 0 && p->running < p->concurrency) {
      rc = (int)cp_cqueue_pop(&p->queue, out, max);
      p->running++;
      mark_running(p);
      break;
    }
    if (timeout_ms == 0 || (deadline != UINT64_MAX && cp_now_ns() >= deadline)) {
      rc = CPORT_ETIMEDOUT;
      break;
    }
    memset(&w, 0, sizeof(w));
    w.out = out;
    w.max = max;
    stack_push(p, &w);
    unlock_and_wake(p); /* never sleep on pending wake-ups */
    pay_owed();         /* nor on work the progress thread has not seen */
    sleep_waiter(&w, deadline);
    if (__atomic_load_n(&w.word, __ATOMIC_ACQUIRE) == CP_W_SIGNALED &&
        w.result == CP_W_GOT) {
      /* Handed off: running was counted by the dispatcher. */
      mark_running(p);
      return (int)w.got;
    }
    pthread_mutex_lock(&p->lock);
    if (on_stack(p, &w))
      stack_remove(p, &w);
    if (w.result == CP_W_GOT) {
      /* Handed off while we were timing out. */
      unlock_and_wake(p);
      mark_running(p);
      return (int)w.got;
    }
    if (w.result == CPORT_ECLOSED) {
      rc = CPORT_ECLOSED;
      break;
    }
  }
  unlock_and_wake(p);
  if (rc <= 0)
    pay_owed(); /* leaving without work: what it handed over must go */
  return rc;
}

CPORT_API int cport_get(cport_t *p, cport_completion_t *out, int timeout_ms) {
  int rc = take(p, out, 1, timeout_ms);
  return rc > 0 ? 0 : rc;
}

CPORT_API int cport_get_many(cport_t *p, cport_completion_t *out, unsigned max,
                             int timeout_ms) {
  return take(p, out, max, timeout_ms);
}

/* ------------------------------------------------------------------------ */
/* The progress thread                                                       */
/* ------------------------------------------------------------------------ */

/* The port whose progress thread this is. */
static __thread struct cport *tls_progress;

bool cp_port_on_progress_thread(struct cport *p) { return tls_progress == p; }

/*
 * The hand-over protocol. A thread with work for the progress thread sets
 * prog_work, then reads prog_asleep; the progress thread sets prog_asleep,
 * then reads prog_work before it sleeps (both sequentially consistent), so
 * one of them always sees the other. Whoever turns prog_asleep from 1 to
 * 0 owes the one wake-up system call.
 */
static void wake_progress(struct cport *p) {
  uint32_t one = 1;
  if (__atomic_compare_exchange_n(&p->prog_asleep, &one, 0, false,
                                  __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
    p->be->wake(p);
}

static void pay_owed(void) {
  struct cport *p = tls_owed;
  if (p != NULL) {
    tls_owed = NULL;
    wake_progress(p);
  }
}

void cp_port_progress_poke(struct cport *p) {
  __atomic_store_n(&p->prog_work, 1, __ATOMIC_SEQ_CST);
  if (tls_progress == p ||
      __atomic_load_n(&p->prog_asleep, __ATOMIC_SEQ_CST) == 0)
    return; /* it is awake and will see the work */
  if (counted_on(p) && !tls_blocked_gave) {
    /* A worker of this port: it will pass through cport_get() soon, and
     * its later work joins the same wake-up. */
    if (tls_owed != p) {
      pay_owed();
      tls_owed = p;
    }
    return;
  }
  wake_progress(p);
}

bool cp_port_progress_may_sleep(struct cport *p) {
  __atomic_store_n(&p->prog_asleep, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&p->prog_work, __ATOMIC_SEQ_CST) == 0)
    return true;
  __atomic_store_n(&p->prog_asleep, 0, __ATOMIC_SEQ_CST);
  return false;
}

void cp_port_progress_awake(struct cport *p) {
  __atomic_store_n(&p->prog_asleep, 0, __ATOMIC_SEQ_CST);
}

bool cp_port_progress_take_work(struct cport *p) {
  return __atomic_exchange_n(&p->prog_work, 0, __ATOMIC_SEQ_CST) != 0;
}

/* How long the progress thread may sleep: until the next timer, and no
 * more than a millisecond while workers are out running user code (the
 * wake-ups they owe are then paid within that bound, however long their
 * code runs). p->lock held. */
static int sleep_ms_locked(struct cport *p) {
  uint64_t next = cp_timers_next(&p->timers);
  int ms = -1;
  if (next != UINT64_MAX) {
    uint64_t now = cp_now_ns();
    uint64_t d = next > now ? (next - now + 999999) / 1000000 : 0;
    ms = d > INT32_MAX ? INT32_MAX : (int)d;
  }
  if (p->running > 0 && (ms < 0 || ms > 1))
    ms = 1;
  return ms;
}

static void *progress_main(void *arg) {
  struct cport *p = arg;
  tls_progress = p;
  if (p->be->enter != NULL)
    p->be->enter(p); /* (a failure leaves the ring disabled: ops fail) */
  struct cp_batch b;
  cp_batch_init(&b, p);
  for (;;) {
    pthread_mutex_lock(&p->lock);
    if (p->prog_state != CP_PROG_RUNNING) {
      pthread_mutex_unlock(&p->lock);
      break;
    }
    if (p->timers.count > 0)
      fire_due_timers_locked(p);
    int ms = sleep_ms_locked(p);
    unlock_and_wake(p);
    p->be->wait(p, &b, ms);
    cp_batch_flush(&b);
  }
  if (p->be->drain) {
    p->be->drain(p, &b);
    cp_batch_flush(&b);
  }
  return NULL;
}

int cp_port_progress_start(struct cport *p) {
  if (CP_LIKELY(__atomic_load_n(&p->prog_state, __ATOMIC_ACQUIRE) ==
                CP_PROG_RUNNING))
    return 0;
  pthread_mutex_lock(&p->lock);
  int rc = 0;
  if (p->closed) {
    rc = CPORT_ECLOSED;
  } else if (p->prog_state == CP_PROG_NONE) {
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 256 * 1024);
    /* The progress thread takes no signal: the program's handlers run
     * on its own threads. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    /* It runs before anything can be waiting for it, so it is marked
     * running first (and must first own the kernel objects). */
    __atomic_store_n(&p->prog_state, CP_PROG_RUNNING, __ATOMIC_RELEASE);
    if (pthread_create(&p->prog_thread, &a, progress_main, p) != 0) {
      __atomic_store_n(&p->prog_state, CP_PROG_NONE, __ATOMIC_RELEASE);
      rc = CPORT_EAGAIN;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&a);
  }
  pthread_mutex_unlock(&p->lock);
  return rc;
}

void cp_port_progress_stop(struct cport *p) {
  pthread_mutex_lock(&p->lock);
  bool running = p->prog_state == CP_PROG_RUNNING;
  if (running)
    __atomic_store_n(&p->prog_state, CP_PROG_STOPPING, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&p->lock);
  if (!running)
    return;
  __atomic_store_n(&p->prog_work, 1, __ATOMIC_SEQ_CST);
  wake_progress(p);
  pthread_join(p->prog_thread, NULL);
  __atomic_store_n(&p->prog_state, CP_PROG_GONE, __ATOMIC_RELEASE);
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
  free(p);
}

int cp_port_close_begin(struct cport *p) {
  pthread_mutex_lock(&p->lock);
  if (p->closed) {
    pthread_mutex_unlock(&p->lock);
    return CPORT_ECLOSED;
  }
  p->closed = true;
  while (p->top) {
    struct cp_waiter *w = p->top;
    stack_remove(p, w);
    w->result = CPORT_ECLOSED;
    signal_waiter_locked(w);
  }
  cp_cqueue_clear(&p->queue);
  unlock_and_wake(p);
  return 0;
}

void cp_port_close_end(struct cport *p) {
  pthread_mutex_lock(&p->lock);
  cp_cqueue_free(&p->queue);
  cport_op_t *op;
  while ((op = cp_timers_pop_due(&p->timers, UINT64_MAX)) != NULL)
    cp_op_publish(op, CPORT_ECLOSED, 0); /* dropped with the port */
  cp_timers_free(&p->timers);
  pthread_mutex_unlock(&p->lock);
  cp_grave_bury(&p->shell);
}
