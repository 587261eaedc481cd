/*
 * port.h - the Linux port core (layer 1): the completion queue, the
 * threads waiting on it, the concurrency limit, timers, who waits in the
 * kernel, and the steps of creating and closing a port.
 *
 *   dispatch.c  the queue and its slots, the waiting threads and the
 *               hand-off to them, each thread's running count, timers due
 *   progress.c  the harvester: the one thread at a time that waits in
 *               the kernel (backend->wait) and turns what it reports into
 *               completions, and the port's progress thread
 *   port.c      cport_get, cport_post, timers, blocking work, create and
 *               close
 * (each file uses only the ones above it).
 *
 * The port core knows nothing of handles. It reaches the backend only
 * through struct cp_backend (backend.h).
 *
 * Progress. Operations finish, have their results written and their
 * completions queued whether or not any thread is in cport_get(), as the
 * Windows kernel does. Two ways to get there (docs/design.md §3 measures
 * them):
 *   - dedicated: the port's progress thread is always the harvester;
 *     workers only take completions.
 *   - hybrid: a thread waiting in cport_get() harvests itself (the
 *     leader); the progress thread steps in only when nobody has
 *     harvested for CP_WATCH_NS, so a busy worker or none at all never
 *     stalls the kernel's work.
 */
#ifndef CPORT_LINUX_PORT_H
#define CPORT_LINUX_PORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/common.h"
#include "../common/grave.h"
#include "lane.h"
#include "queue.h"
#include "timers.h"

struct cp_backend;
struct cp_handle;
struct cp_diag;

/*
 * The hand-over protocol between threads that leave work for the one
 * thread that gives it to the kernel (the progress thread, or a satellite
 * ring's owner) and that thread. A giver sets work, then reads asleep;
 * the owner sets asleep, then reads work before it sleeps (both
 * sequentially consistent), so one of them always sees the other.
 * Whoever turns asleep from 1 to 0 owes the one wake-up system call.
 */
struct cp_handover {
  uint32_t work;   /* work waits for the owner */
  uint32_t asleep; /* the owner sleeps in the kernel */
};

/* Giver: leaves the mark; true if the owner may sleep (someone must wake
 * it, now or later: cp_handover_claim). */
static inline bool cp_handover_give(struct cp_handover *h) {
  __atomic_store_n(&h->work, 1, __ATOMIC_SEQ_CST);
  return __atomic_load_n(&h->asleep, __ATOMIC_SEQ_CST) != 0;
}

/* True for the one caller that must make the wake-up call. */
static inline bool cp_handover_claim(struct cp_handover *h) {
  uint32_t one = 1;
  return __atomic_compare_exchange_n(&h->asleep, &one, 0, false,
                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* Whether the owner sleeps now (a hint: it may wake at once). */
static inline bool cp_handover_asleep(const struct cp_handover *h) {
  return __atomic_load_n(&h->asleep, __ATOMIC_RELAXED) != 0;
}

/* Owner, right before it waits: true if it may sleep (marked asleep);
 * false if work came (do it instead). After the wait: cp_handover_awake. */
static inline bool cp_handover_may_sleep(struct cp_handover *h) {
  __atomic_store_n(&h->asleep, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&h->work, __ATOMIC_SEQ_CST) == 0)
    return true;
  __atomic_store_n(&h->asleep, 0, __ATOMIC_SEQ_CST);
  return false;
}

static inline void cp_handover_awake(struct cp_handover *h) {
  __atomic_store_n(&h->asleep, 0, __ATOMIC_SEQ_CST);
}

/* Owner: takes the mark (true if it was set). */
static inline bool cp_handover_take(struct cp_handover *h) {
  return __atomic_exchange_n(&h->work, 0, __ATOMIC_SEQ_CST) != 0;
}

/* A thread blocked in cport_get() (or the progress thread). Lives on that
 * thread's stack. */
struct cp_waiter {
  struct cp_waiter *below; /* next older waiter on the LIFO stack */
  struct cp_waiter *above; /* next newer waiter */
  uint32_t word;           /* CP_W_WAITING / _SIGNALED / _SLEEPING */
  int result;              /* CP_W_GOT, CP_W_LEAD or CPORT_ECLOSED */
  cport_completion_t *out; /* where a hand-off is written */
  unsigned max;            /* room in out */
  unsigned got;            /* entries handed off */
  bool more;               /* more completions were queued after them */
  uint64_t ready_ns;       /* when a hand-off reached the spinner (else 0) */
};

enum { CP_W_WAITING = 0, CP_W_SIGNALED = 1, CP_W_SLEEPING = 2 };
enum { CP_W_NONE = 0, CP_W_GOT = 1, CP_W_LEAD = 2 };

/* How the kernel's work makes progress. */
enum { CP_MODE_DEDICATED = 1, CP_MODE_HYBRID = 2 };

/* The progress thread's life. */
enum {
  CP_PROG_NONE = 0, /* not started (no kernel work so far) */
  CP_PROG_RUNNING,  /* running its loop */
  CP_PROG_STOPPING, /* asked to drain and leave (port closing) */
  CP_PROG_GONE,     /* left; joined */
};

/* Hybrid mode: how long nobody may harvest while the kernel has work
 * before the progress thread steps in; while threads keep coming back to
 * harvest, it looks less often, down to every CP_WATCH_MAX_NS. */
#define CP_WATCH_NS 250000u
/* Each look is a timer wake-up and two context switches. On the
 * measuring machine (a virtual one, where a timer interrupt and a switch
 * cost tens of microseconds), a thread that only woke every millisecond
 * cost a raw epoll echo server 3.0% more CPU per message, every 4 ms
 * 0.3%; this cap against 1 ms: 2.9-4.6% less CPU per message for one
 * epoll worker at 64 x 64 B (docs/design.md, §3). */
#define CP_WATCH_MAX_NS 4000000u
/* How long the next waiter to be served watches for a hand-off before it
 * sleeps (dedicated mode, several CPUs, while watching has paid:
 * dispatch.c, "Spinning"): about what the sleep it saves costs, a futex
 * wake-up and two context switches on the measuring machine, so that
 * watching never costs more than twice the CPU of sleeping at once. */
#define CP_SPIN_NS 5000u

/*
 * The order of one handle's completions (docs/design.md §3, "A handle's
 * completions in order"). A harvester's batch holds the completions of
 * the ops it ended until its round ends; an op of the same handle that
 * ends meanwhile (in its call, say) must not be queued before them. The
 * gate counts a handle's completions in some batch (batched: added under
 * the handle's lock, taken off under the port's as the batch is queued)
 * and those on the port's late list (late, under the port's lock); an op
 * that ends while either is above 0 goes on the late list, unpublished,
 * and is published and queued once its handle's batched completions are
 * (cp_port_late_fn, after the flush). It is the first member of the
 * engine's handle, so an op's handle is its gate.
 */
struct cp_gate {
  uint32_t batched;
  uint32_t late;
};

/* Whether an op of the gate's handle that ends now must wait behind
 * earlier ones (in a batch, or on a late list). */
static inline bool cp_gate_shut(struct cp_gate *g) {
  return __atomic_load_n(&g->batched, __ATOMIC_ACQUIRE) != 0 ||
         __atomic_load_n(&g->late, __ATOMIC_ACQUIRE) != 0;
}

struct cport {
  struct cp_shell shell; /* first: see grave.h */
  pthread_mutex_t lock;
  struct cp_cqueue queue;   /* FIFO of completions, held slots */
  struct cp_timers timers;  /* pending cport_timer() ops */
  struct cp_waiter *top;    /* LIFO stack of waiting threads */
  struct cp_waiter *bottom; /* its oldest entry */
  unsigned running;         /* threads released and not back in get */
  unsigned concurrency;
  bool closed;
  /* The program gave the port up (cport__abandon): its waiting threads
   * were released with CPORT_ECLOSED and only a reaper takes from it,
   * while the I/O of its handles runs to its end. Under lock. */
  bool abandoned;
  uint32_t generation; /* bumped when a shell is reused */
  uint8_t mode;        /* CP_MODE_* */

  const struct cp_backend *be;
  void *be_data;
  cport_options_t opts;

  /* The harvester (progress.c), under lock. */
  struct cp_waiter *leader;   /* the thread that harvests, if any */
  bool in_kernel;             /* it is inside backend->wait */
  bool leader_woken;          /* a wake-up is on its way to it */
  bool want_lead;             /* a worker asked the progress thread to
                                   hand the role over */
  uint64_t lead_epoch;        /* counts takings of the role */
  uint64_t vacated_ns;        /* when the role was left empty (hybrid) */
  pthread_cond_t kernel_idle; /* signalled when the leader leaves the
                                   kernel after close */

  /* The progress thread. prog_state changes under lock; prog_handover is
   * shared with workers without it. */
  pthread_t prog_thread;
  uint8_t prog_state;
  bool prog_deep; /* it sleeps with no deadline */
  /* Dedicated: its sleep is not bounded by 1 ms (no worker was out when
   * it chose it), so a worker cannot leave a hand-over owed until it next
   * waits. Written under lock before it sleeps; read without. */
  bool prog_unbounded;
  struct cp_waiter *prog_waiter;
  struct cp_handover prog_handover;
  struct cp_waiter *spinner; /* the one waiting thread that spins */
  /* What the spinner's recent waits have shown (dispatch.c, "Spinning"):
   * the share, of 1024, that a hand-off ended within CP_SPIN_NS. Updated
   * by the spinner, read without the lock. */
  uint32_t spin_hits;

  /* Handles associated with this port (the engine's list, for close).
   * handles_closed: the close's pass over it began, and no handle joins
   * it any more (under handles_lock). */
  pthread_mutex_t handles_lock;
  struct cp_handle *handles;
  bool handles_closed;

  struct cp_diag *diag; /* fault mode and trace (diag.h), or NULL */

  /* A worker (not the progress thread) leads and is in the kernel: a new
   * completion must poke it. Written under lock, read by lock-free posts. */
  bool kernel_waiter;
  /* Slots held in queue in advance, for holds without the lock
   * ("Credits" below). CP_CREDITS_CLOSED once the port is closed. A
   * line of its own: every call changes it, and kernel_waiter, read by
   * every lock-free post, sits before it. */
  _Alignas(64) uint32_t credits;
  /* The lock-free lane in front of queue (lane.h, and "The lane" below). */
  struct cp_lane lane;
  /* Ops whose end waits behind completions of their handle still in a
   * batch (struct cp_gate), oldest first, linked by their `next`: under
   * lock. One thread at a time delivers them (late_delivering); another
   * that would asks it to look again (late_again), so two deliveries
   * never queue one handle's ops out of order. */
  cport_op_t *late_head, *late_tail;
  bool late_delivering, late_again;
};

/*
 * Credits. An accepted op holds a queue slot (cp_port_hold), which takes
 * the port lock to grow the queue when needed. To spare the lock on every
 * call, a hold under the lock holds CP_CREDITS_BATCH more slots and keeps
 * them as credits, which later holds take with one compare-and-swap; a
 * slot given back (an op that ends without a packet, or whose completion
 * went into the lane, leaving queue) returns as a credit while there are
 * fewer than CP_CREDITS_MAX. Credits are held slots: queue keeps room for
 * them, so "every held slot has room" still holds. Close swaps the count
 * for CP_CREDITS_CLOSED, so no hold succeeds after it, and the slots go
 * with the queue.
 */
#define CP_CREDITS_CLOSED (UINT32_C(1) << 31)
#define CP_CREDITS_BATCH 32u
#define CP_CREDITS_MAX 128u

/*
 * The lane. Completions are queued in two places: the lane, which posts
 * and takes use without the port lock, and queue, under the lock, which
 * grows and holds slots. Everything in the lane is older than everything
 * in queue: a completion goes into the lane only while queue is empty
 * (a full lane spills into queue, and while queue has entries every push
 * goes there too), and a take moves queue's oldest entries into the lane
 * once it is empty. So takes pop the lane first, then queue, and the port
 * stays one FIFO for every pair of pushes one of which happens before the
 * other.
 *
 * Lock-free posts and takes need no lock for the waiting threads either:
 * a post claims its cell in the lane and then reads top and kernel_waiter;
 * a thread about to sleep pushes itself on the stack (or marks
 * kernel_waiter) and then reads the lane's positions, each of these
 * sequentially consistent. One of the two sees the other, so a completion
 * never waits beside a sleeping thread. A take without the lock is for a
 * thread still counted running on the port (it swaps its own slot; the
 * running count does not change), while the port is open, without fault
 * mode or trace.
 */

/*
 * A batch of completions gathered outside the port lock (by the harvester
 * or a thread ending several ops) and pushed under one lock. Every entry
 * uses a slot its op held (see queue.h). A batch may fill while its
 * harvester holds a handle's lock; the harvester holds its wake-ups for
 * that time (cp_port_wakes_hold).
 */
#define CP_BATCH_MAX 64
struct cp_batch {
  struct cport *port;
  unsigned n;
  cport_completion_t e[CP_BATCH_MAX];
  struct cp_gate *gate[CP_BATCH_MAX]; /* each entry's handle, or NULL */
};

static inline void cp_batch_init(struct cp_batch *b, struct cport *port) {
  b->port = port;
  b->n = 0;
}

/* Pushes the batch into the port queue and wakes waiters as needed;
 * then, if ops wait on the late list, has the engine end those whose
 * handles' batched completions are all queued (cp_port_late_fn). */
CP_INTERNAL void cp_batch_flush(struct cp_batch *b);
/* The same under the port lock, without the wake-ups and the late list:
 * true if ops wait on it (the caller runs cp_port_end_late once it has
 * let go of the lock). */
CP_INTERNAL bool cp_batch_push_locked(struct cp_batch *b);
/* Has the engine end what may go of p's late list (no lock held). */
CP_INTERNAL void cp_port_end_late(struct cport *p);
/* The engine's: ends the ops of p's late list that may go now (called
 * without the port lock, after a flush). Set before the first op goes on
 * the list. */
CP_INTERNAL extern void (*cp_port_late_fn)(struct cport *p);

/* Adds a completion of an op on handle `gate` (NULL: none) to b, which
 * the gate counts until b is flushed (the handle's lock held). */
static inline void cp_batch_add(struct cp_batch *b, cport_op_t *op,
                                uintptr_t key, uint32_t bytes, int status,
                                struct cp_gate *gate) {
  if (gate != NULL)
    __atomic_add_fetch(&gate->batched, 1, __ATOMIC_RELAXED);
  b->gate[b->n] = gate;
  cport_completion_t *c = &b->e[b->n++];
  c->op = op;
  c->key = key;
  c->bytes = bytes;
  c->status = status;
  if (b->n == CP_BATCH_MAX)
    cp_batch_flush(b);
}

/* ------------------------------------------------------------------------ */
/* Slots: what an accepted operation holds until its completion is queued    */
/* ------------------------------------------------------------------------ */

/* Holds a queue slot for an op being accepted. CPORT_ECLOSED or
 * CPORT_ENOMEM: the call must fail and post nothing. */
CP_INTERNAL int cp_port_hold_slow(struct cport *p);
static inline int cp_port_hold(struct cport *p) {
  /* A credit, with one compare-and-swap (dispatch.c has the rest). */
  uint32_t c = __atomic_load_n(&p->credits, __ATOMIC_RELAXED);
  if (CP_LIKELY(c != 0 && !(c & CP_CREDITS_CLOSED)) &&
      __atomic_compare_exchange_n(&p->credits, &c, c - 1, false,
                                  __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    return 0;
  return cp_port_hold_slow(p);
}
/* Gives back a held slot: the op ended without a completion (skip on
 * success, an event with its low bit set, or the port closed). */
CP_INTERNAL void cp_port_unhold(struct cport *p);
/* Close: no hold succeeds from now on (p->lock held). */
CP_INTERNAL void cp_port_credits_close_locked(struct cport *p);
/* Queues one completion into a held slot, from any thread. A worker of
 * p in dedicated mode may keep it for itself (dispatch.c, "Kept
 * completions"): it owes the hand-off until it takes from p's queue,
 * gives its slot back (blocking, exit) or pays (cp_port_pay_kept, when
 * it waits for one op). */
CP_INTERNAL void cp_port_complete(struct cport *p, cport_op_t *op,
                                  uintptr_t key, uint32_t bytes, int status);
CP_INTERNAL void cp_port_pay_kept(void);

/* ------------------------------------------------------------------------ */
/* The harvester and the progress thread (progress.c)                        */
/* ------------------------------------------------------------------------ */

/* Starts the progress thread if it is not running yet. Returns 0,
 * CPORT_ECLOSED or CPORT_ENOMEM (no thread could be created). */
CP_INTERNAL int cp_port_progress_start(struct cport *p);

/*
 * Work waits for the kernel (SQEs written): the harvester must see it.
 * The harvester itself needs nothing; a worker of this port defers it to
 * its next pass through cport_get(); any other thread hands it over now
 * (a wake-up of the sleeping harvester, or in hybrid mode backend->flush).
 */
CP_INTERNAL void cp_port_progress_poke(struct cport *p);
/* A worker of p defers a hand-over of work for another owner of p's
 * kernel objects (a satellite ring) to its next wait, which calls
 * backend->pay; false if this thread is not a worker of p (it must hand
 * the work over now). */
CP_INTERNAL bool cp_port_owe(struct cport *p);

/*
 * Harvester only, right before it waits in the kernel: returns true if it
 * may sleep (nothing is waiting for it), after marking itself asleep;
 * false if work arrived (do it instead). After the wait it calls
 * cp_port_progress_awake().
 */
CP_INTERNAL bool cp_port_progress_may_sleep(struct cport *p);
CP_INTERNAL void cp_port_progress_awake(struct cport *p);
/* Harvester: takes the "work is waiting" mark (true if it was set). */
CP_INTERNAL bool cp_port_progress_take_work(struct cport *p);

/* ------------------------------------------------------------------------ */
/* Shared between port.c and progress.c (p->lock held where _locked)         */
/* ------------------------------------------------------------------------ */

CP_INTERNAL void cp_port_unlock_and_wake(struct cport *p);
/*
 * A thread that holds a handle's lock holds back the wake-ups it causes
 * until it drops that lock: a call (cp_engine_lock), and the harvester
 * around each CQE or epoll event it handles. A worker woken at once would
 * often take the completion and call into the same handle, sleep on its
 * lock, and cost a futex wait, a wake and two context switches (on one
 * CPU it also preempts the thread that holds the lock). Nested holds
 * count; the last release issues them. Never held across a sleep.
 */
#define CP_WAKE_MAX 16
/* The wake-ups a thread collected and has not issued yet (dispatch.c). */
struct cp_wakes {
  unsigned held; /* how deep this thread is in handle locks */
  unsigned n;
  uint32_t *words[CP_WAKE_MAX];
  struct cport *kernel; /* a port whose leader waits in the kernel */
};
CP_INTERNAL extern CP_TLS struct cp_wakes cp_tls_wakes;
CP_INTERNAL void cp_port_wakes_issue(void);
static inline bool cp_port_wakes_owed(void) {
  return cp_tls_wakes.n != 0 || cp_tls_wakes.kernel != NULL;
}
static inline void cp_port_wakes_hold(void) {
  cp_tls_wakes.held++;
}
static inline void cp_port_wakes_release(void) {
  if (--cp_tls_wakes.held == 0 && cp_port_wakes_owed())
    cp_port_wakes_issue();
}
CP_INTERNAL void cp_port_signal_locked(struct cp_waiter *w);
CP_INTERNAL void cp_port_dispatch_locked(struct cport *p);
/* Whether completions are queued (the lane may only be being filled). */
CP_INTERNAL bool cp_port_queued(struct cport *p);
/* cport_post with the packet's status: 0 for cport_post, and
 * CP_STATUS_OPAQUE_POST for the Win32 layer's PostQueuedCompletionStatus
 * (hooks.h), whose pointer the layer must never read. */
#define CP_STATUS_OPAQUE_POST (-2147483647 - 1)
CP_INTERNAL int cp_port_post_status(struct cport *p, uintptr_t key,
                                    uint32_t bytes, cport_op_t *op, int status);
/* Takes up to max queued completions, oldest first; returns how many. */
CP_INTERNAL unsigned cp_port_pop_locked(struct cport *p,
                                        cport_completion_t *out, unsigned max);
/* Without the lock: a post into the lane (false: take the locked way),
 * and a take from it by a thread counted running on p (0: take the
 * locked way). */
CP_INTERNAL bool cp_port_post_fast(struct cport *p,
                                   const cport_completion_t *c);
CP_INTERNAL unsigned cp_port_take_fast(struct cport *p, cport_completion_t *out,
                                       unsigned max);
/* Running count changes (p->lock held): atomic stores, for the lock-free
 * take's read. */
CP_INTERNAL void cp_port_set_running(struct cport *p, unsigned running);
CP_INTERNAL void cp_port_push_held_locked(struct cport *p,
                                          const cport_completion_t *c,
                                          unsigned n);
CP_INTERNAL void cp_port_fire_timers_locked(struct cport *p);
CP_INTERNAL void cp_port_stack_remove(struct cport *p, struct cp_waiter *w);
CP_INTERNAL bool cp_port_on_stack(struct cport *p, struct cp_waiter *w);
CP_INTERNAL void cp_port_stack_push(struct cport *p, struct cp_waiter *w);
/* The calling thread's running count (dispatch.c). */
CP_INTERNAL struct cport *cp_port_current(void);
/* more: completions were left queued (or several taken), so the thread
 * is not about to sleep (see cp_port_handover_costly). */
CP_INTERNAL void cp_port_mark_running(struct cport *p, bool more);
/* Whether the calling worker of p took more than it runs now. */
CP_INTERNAL bool cp_port_worker_busy(struct cport *p);
CP_INTERNAL void cp_port_release_running_locked(struct cport *p, bool hand_off);
/* Blocking work: give the slot back (true if the thread held one), and
 * take it back afterwards. */
CP_INTERNAL bool cp_port_give_slot_locked(struct cport *p);
CP_INTERNAL void cp_port_take_slot_back(void);
/* Sleeps on w's futex until signalled or the deadline passes, watching
 * the word for up to spin_ns first (only where another CPU may run the
 * thread that signals it). */
CP_INTERNAL void cp_port_sleep(struct cp_waiter *w, uint64_t deadline,
                               uint64_t spin_ns);
/* How long the spinner watches (dispatch.c, "Spinning"), and what its wait
 * that began at start_ns showed (w->ready_ns: when a hand-off came). */
CP_INTERNAL uint64_t cp_port_spin_budget(const struct cport *p);
CP_INTERNAL void cp_port_spin_learn(struct cport *p, uint64_t start_ns,
                                    uint64_t ready_ns);
/* The kernel has work or may have (a handle or a timer exists). */
CP_INTERNAL bool cp_port_kernel_active(struct cport *p);

/* Harvest as the leader w: wait in the kernel up to timeout_ms, push what
 * it reports. p->lock held on entry and on return. */
CP_INTERNAL void cp_port_lead_locked(struct cport *p, struct cp_waiter *w,
                                     int timeout_ms);
/* The leader leaves the role: the oldest waiting thread takes it, or the
 * role stays empty (and the progress thread watches). */
CP_INTERNAL void cp_port_resign_locked(struct cport *p);
/* The port this thread harvests for right now (inside backend->wait, or
 * draining it at close), or NULL. */
CP_INTERNAL extern CP_TLS struct cport *cp_tls_harvesting;
/* Make the leader look at the port again (new work for a waiter it
 * could take, a new earliest timer, close); not the calling thread's own
 * harvest. */
CP_INTERNAL void cp_port_poke_leader_locked(struct cport *p);
/* Pays the wake-up or submission this thread owes (cp_port_progress_poke). */
CP_INTERNAL void cp_port_pay_owed(void);
/* Whether this thread is a worker the port p released. */
CP_INTERNAL bool cp_port_is_worker(struct cport *p);
/* Whether handing kernel work over now would cost a wake-up system call
 * this thread does not owe yet (dedicated mode, the progress thread
 * asleep): doing the work with one system call here is then cheaper. */
CP_INTERNAL bool cp_port_handover_costly(struct cport *p);

/* ------------------------------------------------------------------------ */
/* Life of a port                                                            */
/* ------------------------------------------------------------------------ */

/* A new or reused port record with its queue; no backend yet. */
CP_INTERNAL int cp_port_alloc(struct cport **out, const cport_options_t *opts);
/* Frees a port whose backend failed to open. */
CP_INTERNAL void cp_port_free_unused(struct cport *p);
/* Close, step 1: mark closed, release every waiting thread with
 * CPORT_ECLOSED, wait for the leader to leave the kernel, drop queued
 * completions. Returns CPORT_ECLOSED if the port was closed already. */
CP_INTERNAL int cp_port_close_begin(struct cport *p);
/* Releases every thread waiting in p with CPORT_ECLOSED, as close does,
 * but the port, its handles and their I/O live on: from now on only a
 * thread inside cp_port_take_as_reaper takes from it. CPORT_ECLOSED if
 * the port was closed or given up already. */
CP_INTERNAL int cp_port_abandon(struct cport *p);
/* cport_get_many for the reaper of an abandoned port. */
CP_INTERNAL int cp_port_take_as_reaper(struct cport *p, cport_completion_t *out,
                                       unsigned max, int timeout_ms);
/* Close, step 2 (after the engine let go of the handles): stop the
 * progress thread, which first drains what the kernel still owns. */
CP_INTERNAL void cp_port_progress_stop(struct cport *p);
/* Close, step 3: free the queue and timers; the shell rests in the grave. */
CP_INTERNAL void cp_port_close_end(struct cport *p);

#endif
