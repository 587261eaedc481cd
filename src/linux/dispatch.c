/*
 * dispatch.c - the bottom of the port core (see port.h): the completion
 * queue and its held slots, the stack of waiting threads and the hand-off
 * to them, the wake-ups issued after the lock, each thread's running
 * count, and firing due timers. port.c and progress.c build on it.
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

CP_TLS struct cport *cp_tls_harvesting;

/* The port this thread was last released by, if it still counts as running
 * there. The generation guards against a port shell reused since. */
static CP_TLS struct cport *tls_port;
static CP_TLS uint32_t tls_gen;
/* The thread gave its slot back for blocking work (cport_blocking_begin). */
static CP_TLS bool tls_blocked_gave;
/* More completions were queued when the thread was released. */
static CP_TLS bool tls_more;
/* The port whose queue holds a completion this thread kept for itself
 * (cp_port_complete, "Kept completions"), not yet handed out. */
static CP_TLS struct cport *tls_kept;

static bool counted_on(struct cport *p) {
  return tls_port == p && tls_gen == p->generation;
}

bool cp_port_is_worker(struct cport *p) {
  return counted_on(p) && !tls_blocked_gave;
}

struct cport *cp_port_current(void) {
  return tls_port;
}

void cp_port_release_running_locked(struct cport *p, bool hand_off) {
  if (tls_kept == p)
    tls_kept = NULL; /* handed out below, or the caller takes it */
  if (counted_on(p) && !tls_blocked_gave && p->running > 0) {
    cp_port_set_running(p, p->running - 1);
    if (hand_off)
      cp_port_dispatch_locked(p);
  }
  tls_port = NULL;
  tls_blocked_gave = false;
}

bool cp_port_worker_busy(struct cport *p) {
  return tls_more && counted_on(p);
}

void cp_port_mark_running(struct cport *p, bool more) {
  tls_more = more;
  tls_port = p;
  tls_gen = p->generation;
  tls_blocked_gave = false;
}

bool cp_port_give_slot_locked(struct cport *p) {
  if (!counted_on(p) || p->running == 0)
    return false;
  cp_port_set_running(p, p->running - 1);
  tls_blocked_gave = true;
  if (tls_kept == p)
    tls_kept = NULL; /* handed out below */
  cp_port_dispatch_locked(p);
  return true;
}

void cp_port_take_slot_back(void) {
  struct cport *p = tls_port;
  if (p == NULL || !tls_blocked_gave)
    return;
  pthread_mutex_lock(&p->lock);
  if (counted_on(p) && !p->closed)
    cp_port_set_running(p, p->running + 1);
  else
    tls_port = NULL;
  tls_blocked_gave = false;
  pthread_mutex_unlock(&p->lock);
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
CP_TLS struct cp_wakes cp_tls_wakes;

void cp_port_signal_locked(struct cp_waiter *w) {
  uint32_t prev =
      __atomic_exchange_n(&w->word, CP_W_SIGNALED, __ATOMIC_ACQ_REL);
  if (prev == CP_W_SLEEPING) {
    if (cp_tls_wakes.n < CP_WAKE_MAX)
      cp_tls_wakes.words[cp_tls_wakes.n++] = &w->word;
    else
      cp_futex_wake(&w->word, 1);
  }
}

void cp_port_poke_leader_locked(struct cport *p) {
  if (p->leader == NULL || p->leader_woken || !p->in_kernel)
    return;
  /* The leader itself, flushing a full batch in the middle of its
   * harvest: it looks at the queue when it comes back, and a wake-up
   * would only cost it a write, a read and an empty round (about 950 a
   * second at 64 x 4 KiB on epoll with one worker). */
  if (cp_tls_harvesting == p)
    return;
  p->leader_woken = true;
  if (cp_tls_wakes.kernel != NULL && cp_tls_wakes.kernel != p)
    p->be->wake(p); /* (one port lock is held at a time: not reached) */
  else
    cp_tls_wakes.kernel = p;
}

/* Issues the wake-ups this thread collected under a port lock. */
void cp_port_wakes_issue(void) {
  unsigned n = cp_tls_wakes.n;
  struct cport *k = cp_tls_wakes.kernel;
  cp_tls_wakes.n = 0;
  cp_tls_wakes.kernel = NULL;
  for (unsigned i = 0; i < n; i++)
    cp_futex_wake(cp_tls_wakes.words[i], 1);
  if (k != NULL)
    k->be->wake(k);
}

void cp_port_unlock_and_wake(struct cport *p) {
  pthread_mutex_unlock(&p->lock);
  if (cp_tls_wakes.held == 0 && cp_port_wakes_owed())
    cp_port_wakes_issue();
}

void cp_port_set_running(struct cport *p, unsigned running) {
  __atomic_store_n(&p->running, running, __ATOMIC_RELAXED);
}

/* p->top is read by lock-free posts (cp_port_post_fast). */
static void set_top(struct cport *p, struct cp_waiter *w) {
  __atomic_store_n(&p->top, w, __ATOMIC_SEQ_CST);
}

void cp_port_stack_push(struct cport *p, struct cp_waiter *w) {
  w->above = NULL;
  w->below = p->top;
  if (p->top)
    p->top->above = w;
  else
    p->bottom = w;
  set_top(p, w);
}

void cp_port_stack_remove(struct cport *p, struct cp_waiter *w) {
  if (w->above)
    w->above->below = w->below;
  else
    set_top(p, w->below);
  if (w->below)
    w->below->above = w->above;
  else
    p->bottom = w->above;
  w->above = w->below = NULL;
}

bool cp_port_on_stack(struct cport *p, struct cp_waiter *w) {
  return w->above != NULL || p->top == w;
}

bool cp_port_queued(struct cport *p) {
  return cp_lane_ready(&p->lane) || cp_cqueue_count(&p->queue) > 0;
}

/*
 * Moves the queue's oldest entries into the lane while it has room, so
 * that takes need no lock and, once the queue is empty, posts neither.
 * Each entry is in the lane before it leaves the queue: lock-free posts
 * wait for an empty queue, so none can slip in before it, and the lane
 * stays older than the queue.
 */
static void refill_locked(struct cport *p) {
  while (p->queue.count > 0 &&
         cp_lane_push(&p->lane, cp_cqueue_peek(&p->queue)))
    cp_cqueue_drop(&p->queue, 1);
}

/* Takes from the lane first (its entries are the oldest), then from the
 * locked queue. May take nothing while a lock-free post fills the next
 * cell: the caller lets it finish. */
unsigned cp_port_pop_locked(struct cport *p, cport_completion_t *out,
                            unsigned max) {
  unsigned n = cp_lane_pop_many(&p->lane, out, max);
  /* Only an empty lane lets the queue go next: a pusher may still be
   * filling a cell, and the cells after it are older than the queue. */
  if (n < max && p->queue.count > 0 && !cp_lane_ready(&p->lane))
    n += cp_cqueue_pop(&p->queue, out + n, max - n);
  refill_locked(p);
  return n;
}

/*
 * Hand queued completions to waiting threads, newest waiter first, while
 * the concurrency limit allows. What is left and may run goes to a worker
 * harvesting in the kernel (hybrid mode), which then takes it itself.
 */
void cp_port_dispatch_locked(struct cport *p) {
  while (p->running < p->concurrency && p->top && cp_port_queued(p)) {
    struct cp_waiter *w = p->top;
    unsigned got = cp_port_pop_locked(p, w->out, w->max);
    if (got == 0)
      break; /* a lock-free post is still filling its cell: it looks */
    cp_port_stack_remove(p, w);
    if (p->spinner == w) {
      p->spinner = NULL;
      w->ready_ns = cp_now_ns(); /* how long the spinner waited */
    }
    w->got = got;
    w->more = got > 1 || cp_port_queued(p);
    w->result = CP_W_GOT;
    cp_port_set_running(p, p->running + 1);
    cp_port_signal_locked(w);
  }
  if (p->running < p->concurrency && p->leader != NULL &&
      p->leader != p->prog_waiter && cp_port_queued(p))
    cp_port_poke_leader_locked(p);
}

/* ------------------------------------------------------------------------ */
/* Without the lock                                                          */
/* ------------------------------------------------------------------------ */

bool cp_port_post_fast(struct cport *p, const cport_completion_t *c) {
  if (cp_cqueue_count(&p->queue) > 0 || !cp_lane_push(&p->lane, c))
    return false;
  /* Dekker with a thread going to sleep (port.h, "The lane"): the push
   * claimed its cell with a sequentially consistent store. */
  if (__atomic_load_n(&p->top, __ATOMIC_SEQ_CST) != NULL ||
      __atomic_load_n(&p->kernel_waiter, __ATOMIC_SEQ_CST)) {
    pthread_mutex_lock(&p->lock);
    cp_port_dispatch_locked(p);
    cp_port_unlock_and_wake(p);
  }
  return true;
}

unsigned cp_port_take_fast(struct cport *p, cport_completion_t *out,
                           unsigned max) {
  /* A thread counted running here swaps its own slot: it may take if the
   * count, less itself, is under the limit (it may be over after
   * cport_blocking_end, as on Windows). */
  if (!cp_port_is_worker(p) ||
      __atomic_load_n(&p->running, __ATOMIC_RELAXED) > p->concurrency)
    return 0;
  unsigned n = cp_lane_pop_many(&p->lane, out, max);
  if (n > 0) {
    tls_more = n > 1 || cp_port_queued(p);
    if (tls_kept == p)
      tls_kept = NULL; /* it took what it kept (the lane's oldest) */
  }
  return n;
}

/* Whether spinning before sleeping can pay: only if another CPU may run
 * the thread that wakes us (learned once per thread). The affinity mask
 * the kernel reports holds active CPUs only; unlike the online-CPU count
 * (sysconf opens a file), asking for it opens no descriptor, so a
 * progress or pool thread never takes a descriptor number the program
 * just freed. */
static CP_TLS int tls_spin = -1;

static bool may_spin(void) {
  if (CP_UNLIKELY(tls_spin < 0)) {
    cpu_set_t set;
    tls_spin =
        sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 1;
  }
  return tls_spin;
}

/*
 * Spinning. The spinner watches its word only while watching has paid.
 * Each of its waits is timed from its start to the hand-off that ended it
 * (the dispatcher stamps the time, whether the spinner still watched or
 * already slept), and a hit is a hand-off within CP_SPIN_NS. While at
 * least a quarter of the recent waits hit (a moving average over about 8
 * waits), the spinner watches for CP_SPIN_NS; otherwise it sleeps at once,
 * and still learns, since a sleeper's waits are timed the same way.
 * CP_SPIN_NS is about what the sleep costs (a futex wake-up and two
 * context switches), the classic bound for spinning before blocking: a
 * hand-off that comes sooner is caught for less CPU than sleeping costs,
 * one that comes later costs at most that much more. Custom packets
 * between threads hand off within it (a post/get round trip takes about
 * 2 us); a network round trip does not (one connection's echo, about 40 us
 * on two CPUs), and watching for it, as a 30 us watch did, spent 1.42x
 * epoll's CPU per message to gain 8% in messages per second (docs/design.md
 * §3).
 */
uint64_t cp_port_spin_budget(const struct cport *p) {
  return __atomic_load_n(&p->spin_hits, __ATOMIC_RELAXED) < 1024 / 4
             ? 0
             : CP_SPIN_NS;
}

void cp_port_spin_learn(struct cport *p, uint64_t start_ns, uint64_t ready_ns) {
  bool hit = ready_ns != 0 && ready_ns <= start_ns + CP_SPIN_NS;
  uint32_t hits = __atomic_load_n(&p->spin_hits, __ATOMIC_RELAXED);
  hits = hits - hits / 8 + (hit ? 1024 / 8 : 0);
  __atomic_store_n(&p->spin_hits, hits, __ATOMIC_RELAXED);
}

/* Sleep on the waiter's futex until signalled or the deadline passes. */
void cp_port_sleep(struct cp_waiter *w, uint64_t deadline, uint64_t spin_ns) {
  if (may_spin()) {
    /* A hand-off from another CPU is often a few microseconds away, and a
     * futex wake-up across CPUs costs far more: watch the word first. */
    uint64_t until = spin_ns ? cp_now_ns() + spin_ns : 0;
    for (unsigned i = 0;; i++) {
      if (__atomic_load_n(&w->word, __ATOMIC_ACQUIRE) == CP_W_SIGNALED)
        return;
      cp_cpu_relax();
      if (i >= 64 && (i & 63) == 0 && (until == 0 || cp_now_ns() >= until))
        break;
    }
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

/* Takes a credit; false when there is none (or the port is closed). */
static bool credit_take(struct cport *p) {
  uint32_t c = __atomic_load_n(&p->credits, __ATOMIC_RELAXED);
  while (c != 0 && !(c & CP_CREDITS_CLOSED))
    if (__atomic_compare_exchange_n(&p->credits, &c, c - 1, true,
                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
      return true;
  return false;
}

/* Returns a held slot as a credit; false when there are enough (or the
 * port is closed): the caller gives it back to the queue. */
static bool credit_give(struct cport *p) {
  uint32_t c = __atomic_load_n(&p->credits, __ATOMIC_RELAXED);
  while (c < CP_CREDITS_MAX) /* (CP_CREDITS_CLOSED is above it) */
    if (__atomic_compare_exchange_n(&p->credits, &c, c + 1, true,
                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
      return true;
  return false;
}

int cp_port_hold_slow(struct cport *p) {
  if (CP_LIKELY(credit_take(p)))
    return 0;
  pthread_mutex_lock(&p->lock);
  int rc = CPORT_ECLOSED;
  if (!p->closed) {
    /* Credits for the calls to come, if the memory is there. */
    rc = cp_cqueue_hold(&p->queue, 1 + CP_CREDITS_BATCH);
    if (rc == 0)
      __atomic_add_fetch(&p->credits, CP_CREDITS_BATCH, __ATOMIC_RELAXED);
    else
      rc = cp_cqueue_hold(&p->queue, 1);
  }
  pthread_mutex_unlock(&p->lock);
  return rc;
}

void cp_port_unhold(struct cport *p) {
  if (CP_LIKELY(credit_give(p)))
    return;
  pthread_mutex_lock(&p->lock);
  if (!p->closed)
    cp_cqueue_unhold(&p->queue, 1);
  pthread_mutex_unlock(&p->lock);
}

void cp_port_credits_close_locked(struct cport *p) {
  __atomic_store_n(&p->credits, CP_CREDITS_CLOSED, __ATOMIC_RELAXED);
}

/* Queue n completions into held slots and hand them out. After close the
 * slots are gone with the queue and the completions are dropped. */
void cp_port_push_held_locked(struct cport *p, const cport_completion_t *c,
                              unsigned n) {
  if (CP_UNLIKELY(p->closed) || n == 0)
    return;
  refill_locked(p);
  for (unsigned i = 0; i < n; i++) {
    if (p->queue.count == 0 && cp_lane_push(&p->lane, &c[i])) {
      if (!credit_give(p))
        cp_cqueue_unhold(&p->queue, 1); /* the lane took it */
    } else
      cp_cqueue_push_held(&p->queue, &c[i]);
  }
  cp_port_dispatch_locked(p);
}

void (*cp_port_late_fn)(struct cport *p);

bool cp_batch_push_locked(struct cp_batch *b) {
  struct cport *p = b->port;
  cp_port_push_held_locked(p, b->e, b->n);
  for (unsigned i = 0; i < b->n; i++)
    if (b->gate[i] != NULL)
      __atomic_sub_fetch(&b->gate[i]->batched, 1, __ATOMIC_RELEASE);
  b->n = 0;
  return p->late_head != NULL;
}

void cp_port_end_late(struct cport *p) {
  __atomic_load_n(&cp_port_late_fn, __ATOMIC_ACQUIRE)(p);
}

void cp_batch_flush(struct cp_batch *b) {
  if (b->n == 0)
    return;
  struct cport *p = b->port;
  pthread_mutex_lock(&p->lock);
  bool late = cp_batch_push_locked(b);
  cp_port_unlock_and_wake(p);
  if (CP_UNLIKELY(late))
    cp_port_end_late(p);
}

/*
 * Kept completions (dedicated mode). A worker that finishes an op in its
 * call (a send the socket took at once) queues its completion while
 * another worker may sleep on the stack. Handing it out would cost a
 * futex wake-up and two context switches, for a completion the worker
 * takes itself a moment later, when it returns to cport_get (an echo on
 * one connection with two workers paid that on every message). So while
 * the port's queue is empty and a worker sleeps there, the worker keeps
 * it: it goes into the lane without a hand-off, and the worker owes one,
 * paid
 * - when it takes the completion itself (cport_get, lock-free or not);
 * - when it waits for one op (cport_op_wait), or gives its slot back
 *   (cport_blocking_begin, thread exit: the hand-off runs then);
 * - by the progress thread, which asks to look every millisecond while
 *   workers run (a batch thread: later under load), and hands out what
 *   is queued after each look.
 * A sleep of the progress thread without that bound (prog_unbounded)
 * keeps nothing. What Windows guarantees stands: the packet is queued at
 * once, in order, and any thread that asks for it gets it.
 */
static bool keep(struct cport *p, const cport_completion_t *c) {
  /* (With nobody asleep on the stack there is no hand-off to spare: the
   * plain post costs less than the look below.) */
  if (p->mode != CP_MODE_DEDICATED || tls_kept != NULL ||
      __atomic_load_n(&p->top, __ATOMIC_RELAXED) == NULL ||
      !cp_port_is_worker(p) ||
      __atomic_load_n(&p->prog_unbounded, __ATOMIC_RELAXED) ||
      cp_port_queued(p))
    return false;
  uint64_t at;
  if (!cp_lane_push_at(&p->lane, c, &at))
    return false;
  /* A completion queued behind ours while we filled our cell (a post
   * from another thread, a harvest) may have found our cell claimed and
   * unfilled, and stopped handing out there ("it looks"): we look for
   * it. Either its claim saw our cell filled, or we see its claim. */
  if (CP_UNLIKELY(cp_lane_pushed_since(&p->lane, at)) &&
      __atomic_load_n(&p->top, __ATOMIC_SEQ_CST) != NULL) {
    pthread_mutex_lock(&p->lock);
    cp_port_dispatch_locked(p);
    cp_port_unlock_and_wake(p);
    return true; /* handed out with the rest: nothing owed */
  }
  tls_kept = p;
  return true;
}

void cp_port_pay_kept(void) {
  struct cport *p = tls_kept;
  if (CP_LIKELY(p == NULL))
    return;
  tls_kept = NULL;
  if (!counted_on(p))
    return; /* it left p (and handed out what p queued then) */
  pthread_mutex_lock(&p->lock);
  cp_port_dispatch_locked(p);
  cp_port_unlock_and_wake(p);
}

void cp_port_complete(struct cport *p, cport_op_t *op, uintptr_t key,
                      uint32_t bytes, int status) {
  cport_completion_t c = {op, key, bytes, status};
  /* The lane, as a post (its slot returns as a credit), while the port is
   * open and its queue empty; a close in between drops it with the lane,
   * as it drops a post. */
  if (CP_LIKELY(!__atomic_load_n(&p->closed, __ATOMIC_ACQUIRE) &&
                !cp_diag_active()) &&
      (keep(p, &c) || cp_port_post_fast(p, &c))) {
    cp_port_unhold(p);
    return;
  }
  pthread_mutex_lock(&p->lock);
  cp_port_push_held_locked(p, &c, 1);
  cp_port_unlock_and_wake(p);
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
