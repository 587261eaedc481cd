/*
 * progress.c - who waits in the kernel (see port.h): the harvester role,
 * and the port's progress thread.
 *
 * At most one thread at a time is the leader: it waits in the kernel
 * (backend->wait), turns what the kernel reports into completions and
 * pushes them into the port. In dedicated mode the progress thread always
 * leads. In hybrid mode a thread with nothing to take in cport_get() leads
 * if nobody does (no hand-off between threads: the thread that harvests
 * takes the first completion itself); when it leaves with a completion,
 * the oldest waiting thread inherits the role. The progress thread watches:
 * if the role stays empty for CP_WATCH_NS while the kernel may have work,
 * it looks once without waiting (a busy worker is likely back soon), and
 * after CP_ABANDONED_NS it leads itself until a waiting thread asks for
 * the role back. So progress never depends on callers, and costs nothing
 * while they wait.
 */
#include <sched.h>
#include <string.h>

#include "backend.h"
#include "port.h"
#include "sys.h"

/* A port this thread owes a hand-over of its kernel work. */
static CP_TLS struct cport *tls_owed;

bool cp_port_kernel_active(struct cport *p) {
  return __atomic_load_n(&p->prog_state, __ATOMIC_ACQUIRE) != CP_PROG_NONE;
}

/* ------------------------------------------------------------------------ */
/* The leader                                                                */
/* ------------------------------------------------------------------------ */

void cp_port_lead_locked(struct cport *p, struct cp_waiter *w, int timeout_ms) {
  struct cp_batch b;
  cp_batch_init(&b, p);
  p->leader_woken = false;
  p->in_kernel = true;
  bool worker = w != p->prog_waiter;
  if (worker) {
    /* A lock-free post must poke us: Dekker with it (port.h, "The
     * lane"). What it pushed before it could see the mark, we see. */
    __atomic_store_n(&p->kernel_waiter, true, __ATOMIC_SEQ_CST);
    if (cp_lane_ready(&p->lane) && p->running < p->concurrency)
      timeout_ms = 0;
  }
  cp_port_unlock_and_wake(p); /* never sleep on pending wake-ups */
  if (tls_owed == p)
    tls_owed = NULL; /* this wait hands the kernel our work */
  cp_tls_harvesting = p;
  p->be->wait(p, &b, timeout_ms);
  cp_tls_harvesting = NULL;
  pthread_mutex_lock(&p->lock);
  p->in_kernel = false;
  if (worker)
    __atomic_store_n(&p->kernel_waiter, false, __ATOMIC_RELAXED);
  if (p->closed)
    pthread_cond_broadcast(&p->kernel_idle);
  p->leader_woken = true; /* awake already: do not poke ourselves */
  bool harvested = b.n > 0;
  bool late = harvested && cp_batch_push_locked(&b);
  if (!harvested)
    cp_port_dispatch_locked(p); /* what a worker kept (dispatch.c) */
  if (CP_UNLIKELY(late)) {      /* (ops that ended behind the batch) */
    cp_port_unlock_and_wake(p);
    cp_port_end_late(p);
    pthread_mutex_lock(&p->lock);
  }
  p->leader_woken = false;
}

void cp_port_resign_locked(struct cport *p) {
  p->leader = NULL;
  p->leader_woken = false;
  if (p->mode == CP_MODE_HYBRID && !p->closed && p->bottom != NULL) {
    /* The oldest waiting thread inherits the role, so the others keep
     * their LIFO order; it moves into the kernel at once. */
    struct cp_waiter *w = p->bottom;
    cp_port_stack_remove(p, w);
    if (p->spinner == w)
      p->spinner = NULL;
    p->leader = w;
    p->lead_epoch++;
    w->result = CP_W_LEAD;
    cp_port_signal_locked(w);
    return;
  }
  p->vacated_ns = cp_now_ns();
  /* Nobody harvests now: the progress thread starts watching. */
  if (p->prog_deep && p->prog_waiter != NULL)
    cp_port_signal_locked(p->prog_waiter);
}

/* ------------------------------------------------------------------------ */
/* Work for the harvester                                                    */
/* ------------------------------------------------------------------------ */

/* Dedicated mode: the hand-over protocol of port.h (cp_handover) with
 * the progress thread. */
static void wake_harvester(struct cport *p) {
  if (cp_handover_claim(&p->prog_handover))
    p->be->wake(p);
}

/* Hands p's kernel work over now: in dedicated mode the progress thread
 * is woken if it sleeps; in hybrid mode this thread submits it. */
static void hand_over(struct cport *p) {
  if (p->mode == CP_MODE_DEDICATED) {
    wake_harvester(p);
    if (p->be->pay != NULL)
      p->be->pay(p);
  } else if (p->be->flush != NULL) {
    p->be->flush(p);
  }
}

void cp_port_pay_owed(void) {
  struct cport *p = tls_owed;
  if (p != NULL) {
    tls_owed = NULL;
    hand_over(p);
  }
}

void cp_port_progress_poke(struct cport *p) {
  if (cp_tls_harvesting == p)
    return; /* the leader hands it over in its own wait */
  if (p->mode == CP_MODE_DEDICATED && !cp_handover_give(&p->prog_handover))
    return; /* it is awake and will see the work */
  if (cp_port_is_worker(p) &&
      !__atomic_load_n(&p->prog_unbounded, __ATOMIC_RELAXED)) {
    /* A worker of this port: it passes through cport_get() soon, and its
     * later work joins the same hand-over. (Dedicated mode also bounds
     * the wait: the progress thread looks every millisecond while
     * workers are out. One that chose a longer sleep before this worker
     * was counted out is woken now.) */
    if (tls_owed != p) {
      cp_port_pay_owed();
      tls_owed = p;
    }
    return;
  }
  hand_over(p);
}

bool cp_port_owe(struct cport *p) {
  if (!cp_port_is_worker(p))
    return false;
  if (tls_owed != p) {
    cp_port_pay_owed();
    tls_owed = p;
  }
  return true;
}

bool cp_port_handover_costly(struct cport *p) {
  return p->mode == CP_MODE_DEDICATED && tls_owed != p &&
         cp_tls_harvesting != p && !cp_port_worker_busy(p) &&
         cp_handover_asleep(&p->prog_handover);
}

bool cp_port_progress_may_sleep(struct cport *p) {
  return p->mode != CP_MODE_DEDICATED ||
         cp_handover_may_sleep(&p->prog_handover);
}

void cp_port_progress_awake(struct cport *p) {
  cp_handover_awake(&p->prog_handover);
}

bool cp_port_progress_take_work(struct cport *p) {
  return cp_handover_take(&p->prog_handover);
}

/* ------------------------------------------------------------------------ */
/* The progress thread                                                       */
/* ------------------------------------------------------------------------ */

static uint64_t min_u64(uint64_t a, uint64_t b) {
  return a < b ? a : b;
}

static int ms_until(uint64_t t) {
  if (t == UINT64_MAX)
    return -1;
  uint64_t now = cp_now_ns();
  uint64_t ms = t > now ? (t - now + 999999) / 1000000 : 0;
  return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/* Hybrid: after this long without a harvester the progress thread leads
 * for good (until a waiting thread asks for the role): nobody is coming
 * back soon. */
#define CP_ABANDONED_NS (8u * CP_WATCH_NS)

/* Whether the progress thread should lead now. p->lock held. */
static bool should_lead(struct cport *p) {
  if (p->leader != NULL || p->closed)
    return false;
  if (p->mode == CP_MODE_DEDICATED)
    return true;
  return cp_now_ns() - p->vacated_ns >= CP_ABANDONED_NS;
}

/* Hybrid: the role has been empty for a while, but a worker will likely
 * be back soon: look once without waiting, push what is done, and leave
 * the role empty for it. p->lock held. */
static void look_once(struct cport *p, struct cp_waiter *w) {
  p->leader = w;
  cp_port_lead_locked(p, w, 0);
  if (p->leader != w)
    return;
  if (p->top != NULL) {
    cp_port_resign_locked(p); /* a thread came meanwhile: it leads */
    return;
  }
  p->leader = NULL; /* still empty since vacated_ns */
}

/* Leads until a waiting thread wants the role (hybrid) or the port
 * closes. p->lock held. */
static void lead(struct cport *p, struct cp_waiter *w) {
  p->leader = w;
  p->lead_epoch++;
  p->want_lead = false;
  for (;;) {
    cp_port_fire_timers_locked(p);
    uint64_t until = cp_timers_next(&p->timers);
    int ms = ms_until(until);
    /* Dedicated: workers out running user code may owe a hand-over;
     * look at least every millisecond while they are. */
    if (p->mode == CP_MODE_DEDICATED && p->running > 0 && (ms < 0 || ms > 1))
      ms = 1;
    /* A thread counted running only after this choice (under the lock)
     * sees the mark, and hands its work over at once (poke below). */
    __atomic_store_n(&p->prog_unbounded,
                     p->mode == CP_MODE_DEDICATED && (ms < 0 || ms > 1),
                     __ATOMIC_RELAXED);
    cp_port_lead_locked(p, w, ms);
    if (p->prog_state != CP_PROG_RUNNING || p->closed)
      break;
    if (p->mode == CP_MODE_HYBRID && (p->want_lead || p->top != NULL))
      break; /* a waiting thread harvests from now on */
  }
  p->want_lead = false;
  if (p->leader == w)
    cp_port_resign_locked(p);
}

static void *progress_main(void *arg) {
  struct cport *p = arg;
  cp_thread_name("cport-progress");
  /* A batch thread never preempts the thread it wakes beside: a
   * completion that arrives while a worker runs on this CPU waits for the
   * worker's next wait (or the end of its time slice) instead of costing
   * two context switches; on an idle CPU it runs at once. The HTTP
   * example on one CPU: 45.9k -> 69.6k requests/s (dedicated mode). In
   * hybrid mode the watch's wake-ups no longer preempt a worker in its
   * handlers: 7.68 -> 7.49 us per message at 64 x 64 B (design.md §3).
   * A refusal (a seccomp filter) only costs that gain. */
  struct sched_param sp = {0};
  (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
  if (p->be->enter != NULL)
    p->be->enter(p); /* (a failure leaves the ring disabled: ops fail) */
  struct cp_waiter w;
  memset(&w, 0, sizeof(w));
  uint64_t seen_epoch = 0, watch = CP_WATCH_NS, gap = CP_WATCH_NS;
  pthread_mutex_lock(&p->lock);
  p->prog_waiter = &w;
  p->vacated_ns = cp_now_ns();
  while (p->prog_state == CP_PROG_RUNNING) {
    cp_port_fire_timers_locked(p);
    if (should_lead(p)) {
      lead(p, &w);
      continue;
    }
    if (p->mode == CP_MODE_HYBRID && p->leader == NULL && !p->closed &&
        cp_now_ns() - p->vacated_ns >= gap) {
      /* A look while workers run their handlers steals harvests they
       * would make when they return, and takes CPU time from them where
       * they share a CPU (a fifth of a saturated worker's CPU at 64 x
       * 4 KiB, before this thread ran as a batch thread): look less often
       * while they do, at most every CP_WATCH_MAX_NS; with nobody running
       * (nobody is coming back), every CP_WATCH_NS. */
      gap = p->running > 0 ? min_u64(gap * 2, CP_WATCH_MAX_NS) : CP_WATCH_NS;
      look_once(p, &w);
    }
    /* Watch: look again when the role has been empty for CP_WATCH_NS,
     * or, while threads keep taking it, every CP_WATCH_NS. A role held
     * by one thread since the last look needs no watch: its resignation
     * wakes us. Timers are due on time in any case. */
    uint64_t until = cp_timers_next(&p->timers);
    bool watched = false; /* a watch deadline is set: no resign wakes us */
    if (!p->closed && p->mode == CP_MODE_HYBRID) {
      /* While threads keep coming back to harvest, look less often (up
       * to CP_WATCH_MAX_NS); a look that found the role empty since the
       * last one starts over at CP_WATCH_NS. */
      uint64_t now = cp_now_ns();
      if (p->leader == NULL && now - p->vacated_ns >= watch)
        watch = CP_WATCH_NS;
      else if (watch < CP_WATCH_MAX_NS)
        watch *= 2;
      watched = p->leader == NULL || p->lead_epoch != seen_epoch;
      if (p->leader == NULL)
        until = min_u64(until, p->vacated_ns + gap > now ? p->vacated_ns + gap
                                                         : now + gap);
      else if (watched)
        until = min_u64(until, now + watch);
    }
    seen_epoch = p->lead_epoch;
    /* Only a sleep without a watch deadline needs the next resignation to
     * wake it: one with a deadline looks by itself, and a wake-up at every
     * resignation would cost the worker a system call per round (and, as
     * a batch thread, this one runs once the worker waits in any case). */
    p->prog_deep = !watched;
    w.word = CP_W_WAITING;
    cp_port_unlock_and_wake(p);
    cp_port_sleep(&w, until, 0);
    pthread_mutex_lock(&p->lock);
    p->prog_deep = false;
  }
  p->prog_waiter = NULL;
  pthread_mutex_unlock(&p->lock);
  if (p->be->drain != NULL) {
    struct cp_batch b;
    cp_batch_init(&b, p);
    cp_tls_harvesting = p;
    p->be->drain(p, &b);
    cp_tls_harvesting = NULL;
    cp_batch_flush(&b);
  }
  return NULL;
}

int cp_port_progress_start(struct cport *p) {
  if (CP_LIKELY(cp_port_kernel_active(p)))
    return 0;
  pthread_mutex_lock(&p->lock);
  int rc = 0;
  if (p->closed) {
    rc = CPORT_ECLOSED;
  } else if (p->prog_state == CP_PROG_NONE) {
    __atomic_store_n(&p->prog_state, CP_PROG_RUNNING, __ATOMIC_RELEASE);
    if (!cp_thread_spawn(&p->prog_thread, 256 * 1024, false, progress_main,
                         p)) {
      __atomic_store_n(&p->prog_state, CP_PROG_NONE, __ATOMIC_RELEASE);
      rc = CPORT_ENOMEM; /* (no thread: resources, not a retry) */
    }
  }
  pthread_mutex_unlock(&p->lock);
  return rc;
}

void cp_port_progress_stop(struct cport *p) {
  pthread_mutex_lock(&p->lock);
  bool running = p->prog_state == CP_PROG_RUNNING;
  if (running) {
    __atomic_store_n(&p->prog_state, CP_PROG_STOPPING, __ATOMIC_RELEASE);
    if (p->prog_waiter != NULL)
      cp_port_signal_locked(p->prog_waiter);
    p->leader_woken = false;
    cp_port_poke_leader_locked(p);
  }
  cp_port_unlock_and_wake(p);
  if (!running)
    return;
  pthread_join(p->prog_thread, NULL);
  __atomic_store_n(&p->prog_state, CP_PROG_GONE, __ATOMIC_RELEASE);
}
