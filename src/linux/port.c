/*
 * port.c - the Linux port core (see port.h and docs/design.md).
 *
 *   cport_post ---> [ FIFO queue ] ---> hand-off to the newest waiter (LIFO)
 *                         ^                 or wake the leader
 *   leader: waits in the kernel (backend->wait) or on its futex, and
 *           pushes what it harvests into the queue.
 *
 * Everything below is protected by port->lock except the waiters' futex
 * words and kernel_work, which are atomics.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/grave.h"
#include "backend.h"
#include "handle.h"
#include "port.h"
#include "sys.h"

/* ------------------------------------------------------------------------ */
/* Time and CPUs                                                             */
/* ------------------------------------------------------------------------ */

uint64_t cp_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

unsigned cp_cpu_count(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (unsigned)n : 1;
}

/* ------------------------------------------------------------------------ */
/* The running count of the calling thread                                   */
/* ------------------------------------------------------------------------ */

/* The port this thread was last released by, if it still counts as running
 * there. The generation guards against a port shell reused since. */
static __thread struct cport *tls_port;
static __thread uint32_t tls_gen;
static pthread_key_t tls_exit_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void dispatch_locked(struct cport *p);

/*
 * Called with p->lock held: this thread stops counting as running on p.
 * From cport_get on the same port no hand-off is made: the caller takes the
 * next completion itself, as IOCP does.
 */
static void release_running_locked(struct cport *p, bool hand_off) {
  if (tls_port == p && tls_gen == p->generation && p->running > 0) {
    p->running--;
    if (hand_off)
      dispatch_locked(p);
  }
  tls_port = NULL;
}

static void unlock_and_wake(struct cport *p);

static void release_running_elsewhere(struct cport *p) {
  pthread_mutex_lock(&p->lock);
  release_running_locked(p, true);
  unlock_and_wake(p);
}

/* A thread that exits while counted as running releases its slot. */
static void tls_exit(void *arg) {
  (void)arg;
  if (tls_port != NULL)
    release_running_elsewhere(tls_port);
}

static void tls_init(void) { pthread_key_create(&tls_exit_key, tls_exit); }

/* The port whose kernel completions this thread is harvesting. */
static __thread struct cport *tls_harvesting;

bool cp_port_defers_submit(struct cport *p) {
  return tls_port == p || tls_harvesting == p;
}

/* Whether this thread has set tls_exit_key (so tls_exit runs at its end). */
static __thread bool tls_exit_armed;

static void mark_running(struct cport *p) {
  if (CP_UNLIKELY(!tls_exit_armed)) {
    pthread_setspecific(tls_exit_key, (void *)1);
    tls_exit_armed = true;
  }
  tls_port = p;
  tls_gen = p->generation;
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
 * been closed, before its backend is woken: backends keep what wake()
 * touches until free(), and a spare wake-up costs one empty harvest.
 */
#define CP_WAKE_MAX 16
struct wake_list {
  unsigned n;
  uint32_t *words[CP_WAKE_MAX];
  struct cport *kernel; /* a port whose leader waits in the kernel */
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

static void wake_kernel_locked(struct cport *p) {
  if (tls_wakes.kernel != NULL && tls_wakes.kernel != p)
    p->be->wake(p); /* (one port lock is held at a time: not reached) */
  else
    tls_wakes.kernel = p;
}

static void unlock_and_wake(struct cport *p) {
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

/* Make the leader look at the port again (new work or a role change). */
static void poke_leader_locked(struct cport *p) {
  if (p->leader == NULL || p->leader_woken)
    return;
  p->leader_woken = true;
  if (p->in_kernel)
    wake_kernel_locked(p);
  else
    signal_waiter_locked(p->leader);
}

/*
 * Hand queued completions to waiting threads, newest waiter first, while
 * the concurrency limit allows; then, if work is still queued and may run,
 * poke the leader.
 */
static void dispatch_locked(struct cport *p) {
  while (p->queue.count > 0 && p->running < p->concurrency && p->top) {
    struct cp_waiter *w = p->top;
    stack_remove(p, w);
    w->got = cp_cqueue_pop(&p->queue, w->out, w->max);
    w->result = CP_W_GOT;
    p->running++;
    signal_waiter_locked(w);
  }
  if (p->queue.count > 0 && p->running < p->concurrency)
    poke_leader_locked(p);
}

/*
 * The leader leaves its role. The oldest waiter inherits it, so the others
 * keep their LIFO order (the leader is served last), and is woken only if
 * it has to move into the kernel.
 */
static void resign_leader_locked(struct cport *p) {
  p->leader = NULL;
  p->leader_woken = false;
  struct cp_waiter *w = p->bottom;
  if (w == NULL)
    return;
  stack_remove(p, w);
  p->leader = w;
  if (__atomic_load_n(&p->kernel_work, __ATOMIC_ACQUIRE) > 0) {
    p->leader_woken = true;
    signal_waiter_locked(w);
  }
}

void cp_port_kernel_work_add(struct cport *p, int n) {
  uint32_t before = __atomic_fetch_add(&p->kernel_work, (uint32_t)n,
                                       __ATOMIC_ACQ_REL);
  if (n > 0 && before == 0) {
    /* A leader sleeping on its futex must move into the kernel. */
    pthread_mutex_lock(&p->lock);
    if (!p->in_kernel) /* (poking no leader does nothing) */
      poke_leader_locked(p);
    unlock_and_wake(p);
  }
}

/* ------------------------------------------------------------------------ */
/* Queueing completions                                                      */
/* ------------------------------------------------------------------------ */

/* Queue n completions and hand them out. Returns CPORT_ECLOSED (the port
 * is gone: nobody can take them) or CPORT_ENOMEM (only what fit was
 * queued: the ring fails to grow only beyond 2^30 entries or when malloc
 * fails, and a completion never waits for memory). */
static int push_locked(struct cport *p, const cport_completion_t *c,
                       unsigned n) {
  if (p->closed)
    return CPORT_ECLOSED;
  int rc = 0;
  if (CP_UNLIKELY(cp_cqueue_reserve(&p->queue, n) != 0)) {
    uint32_t room = p->queue.mask + 1 - p->queue.count;
    n = n < room ? n : room;
    rc = CPORT_ENOMEM;
  }
  for (unsigned i = 0; i < n; i++)
    cp_cqueue_push(&p->queue, &c[i]);
  dispatch_locked(p);
  return rc;
}

void cp_batch_flush(struct cp_batch *b) {
  if (b->n == 0)
    return;
  struct cport *p = b->port;
  pthread_mutex_lock(&p->lock);
  push_locked(p, b->e, b->n);
  unlock_and_wake(p);
  b->n = 0;
}

void cp_port_complete(struct cport *p, cport_op_t *op, uintptr_t key,
                      uint32_t bytes, int status) {
  cport_completion_t c = {op, key, bytes, status};
  pthread_mutex_lock(&p->lock);
  push_locked(p, &c, 1);
  unlock_and_wake(p);
}

/* ------------------------------------------------------------------------ */
/* Create, close, and the memory of closed ports                             */
/* ------------------------------------------------------------------------ */

/* After close, once the backend let go of its kernel objects: the
 * queue and the timers go. p->lock held. */
static void destroy_locked(struct cport *p) {
  cp_cqueue_free(&p->queue);
  cport_op_t *op;
  while ((op = cp_timers_pop_due(&p->timers, UINT64_MAX)) != NULL)
    cp_op_set_idle(op); /* dropped with the port */
  cp_timers_free(&p->timers);
}

CPORT_API int cport_create(cport_t **out, const cport_options_t *opts) {
  if (out == NULL)
    return CPORT_EINVAL;
  cport_backend_t kind;
  int rc = cp_check_options(opts, &kind);
  if (rc != 0)
    return rc;
  if (kind == CPORT_BACKEND_IOCP)
    return CPORT_ENOSYS;
  pthread_once(&tls_once, tls_init);

  struct cport *p = (struct cport *)cp_grave_take();
  uint32_t gen = 1;
  if (p != NULL) {
    gen = p->generation + 1;
    if (p->be->free)
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
  pthread_cond_init(&p->kernel_idle, NULL);
  pthread_mutex_init(&p->handles_lock, NULL);
  rc = cp_cqueue_init(&p->queue, 256);
  if (rc == 0) {
    rc = cp_backend_open(p, kind);
    if (rc != 0)
      cp_cqueue_free(&p->queue);
  }
  if (rc != 0) {
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->handles_lock);
    pthread_cond_destroy(&p->kernel_idle);
    free(p);
    return rc;
  }
  *out = p;
  return 0;
}

CPORT_API int cport_close(cport_t *p) {
  if (p == NULL)
    return CPORT_EINVAL;
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
  if (p->leader) {
    p->leader_woken = false;
    poke_leader_locked(p);
  }
  p->queue.head = p->queue.count = 0;
  /* Wait for the leader to leave the kernel: after that no thread reads a
   * kernel completion, so no op is touched once close returns. */
  while (p->in_kernel) {
    unlock_and_wake(p);
    pthread_mutex_lock(&p->lock);
    if (p->in_kernel)
      pthread_cond_wait(&p->kernel_idle, &p->lock);
  }
  unlock_and_wake(p);

  /* Handles lose their port; their pending operations are dropped. */
  cp_handles_detach_port(p);
  /* Without the port lock: the backend may wait for its own threads,
   * which may still be finishing ops into the (closed) port. */
  p->be->fini(p);

  pthread_mutex_lock(&p->lock);
  destroy_locked(p);
  pthread_mutex_unlock(&p->lock);
  cp_grave_bury(&p->shell);
  return 0;
}

CPORT_API const char *cport_backend(const cport_t *p) {
  return p ? p->be->name : NULL;
}

/* ------------------------------------------------------------------------ */
/* cport_post                                                                */
/* ------------------------------------------------------------------------ */

CPORT_API int cport_post(cport_t *p, uintptr_t key, uint32_t bytes,
                         cport_op_t *op) {
  if (CP_UNLIKELY(p == NULL))
    return CPORT_EINVAL;
  cport_completion_t c = {op, key, bytes, 0};
  pthread_mutex_lock(&p->lock);
  int rc = push_locked(p, &c, 1);
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
    op->internal = 0;
    op->internal_high = 0;
    cp_op_set_idle(op);
    push_locked(p, &c, 1);
  }
}

CPORT_API int cport_timer(cport_t *p, uintptr_t key, uint32_t timeout_ms,
                          cport_op_t *op) {
  int rc = cp_check_timer(p, op);
  if (rc != 0)
    return rc;
  struct cp_lop *l = cp_lop(op);
  memset(op->priv, 0, sizeof(op->priv));
  op->internal = op->internal_high = 0;
  l->kind = CP_OP_TIMER;
  l->port = p;
  l->key = key;
  l->aux_fd = -1;
  uint64_t due = cp_now_ns() + (uint64_t)timeout_ms * 1000000u;
  pthread_mutex_lock(&p->lock);
  rc = p->closed ? CPORT_ECLOSED : cp_timers_add(&p->timers, op, due);
  if (rc == 0) {
    cp_op_set_busy(op);
    /* A new earliest deadline: the waiting leader must wait less. */
    if (cp_timers_next(&p->timers) == due)
      poke_leader_locked(p);
  }
  unlock_and_wake(p);
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
    op->internal = (uintptr_t)(intptr_t)CPORT_ECANCELED;
    op->internal_high = 0;
    cp_op_set_idle(op);
    push_locked(p, &c, 1);
    rc = 0;
  }
  unlock_and_wake(p);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* cport_get / cport_get_many                                                */
/* ------------------------------------------------------------------------ */

static int remaining_ms(uint64_t deadline) {
  if (deadline == UINT64_MAX)
    return -1;
  uint64_t now = cp_now_ns();
  if (now >= deadline)
    return 0;
  uint64_t ms = (deadline - now + 999999) / 1000000;
  return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/* Leader in the kernel: p->lock held on entry and on return. */
static void lead_in_kernel(struct cport *p, int timeout_ms) {
  struct cp_batch b;
  p->leader_woken = false;
  p->in_kernel = true;
  unlock_and_wake(p); /* never sleep on pending wake-ups */
  cp_batch_init(&b, p);
  tls_harvesting = p;
  p->be->wait(p, &b, timeout_ms);
  tls_harvesting = NULL;
  pthread_mutex_lock(&p->lock);
  p->in_kernel = false;
  if (p->closed)
    pthread_cond_broadcast(&p->kernel_idle);
  p->leader_woken = true; /* awake already: do not poke ourselves */
  push_locked(p, b.e, b.n);
  p->leader_woken = false;
}

/*
 * Work this thread queued for the kernel goes out before it sleeps or
 * returns (a thread about to wait in the kernel submits it as part of
 * that wait instead). Holding it back longer to batch more was measured
 * to halve echo throughput: the peer waits for those bytes.
 */
static void flush(struct cport *p) {
  if (p->be->flush)
    p->be->flush(p);
}

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
      fire_due_timers_locked(p);
    if (p->queue.count > 0 && p->running < p->concurrency) {
      rc = (int)cp_cqueue_pop(&p->queue, out, max);
      p->running++;
      mark_running(p);
      break;
    }
    bool kernel = __atomic_load_n(&p->kernel_work, __ATOMIC_ACQUIRE) > 0;
    if (timeout_ms == 0 || remaining_ms(deadline) == 0) {
      if (!polled && kernel && p->leader == NULL) {
        polled = true;
        p->leader = &w;
        lead_in_kernel(p, 0);
        p->leader = NULL;
        continue;
      }
      rc = CPORT_ETIMEDOUT;
      break;
    }
    if (p->leader == NULL) {
      if (on_stack(p, &w))
        stack_remove(p, &w);
      p->leader = &w;
      p->leader_woken = false;
    }
    /* The leader also watches the earliest timer. */
    uint64_t until = deadline;
    if (p->leader == &w && cp_timers_next(&p->timers) < until)
      until = cp_timers_next(&p->timers);
    if (p->leader == &w && kernel) {
      lead_in_kernel(p, remaining_ms(until));
      continue;
    }
    if (p->leader != &w && !on_stack(p, &w))
      stack_push(p, &w);
    w.word = CP_W_WAITING;
    w.result = CP_W_NONE;
    unlock_and_wake(p); /* never sleep on pending wake-ups */
    flush(p);
    sleep_waiter(&w, until);
    if (__atomic_load_n(&w.word, __ATOMIC_ACQUIRE) == CP_W_SIGNALED &&
        w.result == CP_W_GOT) {
      /* Handed off: running was counted by the dispatcher. */
      mark_running(p);
      flush(p);
      return (int)w.got;
    }
    pthread_mutex_lock(&p->lock);
    if (w.result == CP_W_GOT) {
      /* Handed off while we were timing out. */
      unlock_and_wake(p);
      mark_running(p);
      flush(p);
      return (int)w.got;
    }
    if (w.result == CPORT_ECLOSED) {
      rc = CPORT_ECLOSED;
      break;
    }
    if (p->leader == &w)
      p->leader_woken = false;
  }
  if (on_stack(p, &w))
    stack_remove(p, &w);
  if (p->leader == &w)
    resign_leader_locked(p);
  unlock_and_wake(p);
  flush(p);
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
