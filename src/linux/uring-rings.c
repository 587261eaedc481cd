/*
 * uring-rings.c - a port's satellite rings (see uring.h, "Rings"): how
 * many, which one serves a handle, their threads, and handing work to
 * their owners.
 *
 * The progress thread owns the port's ring and leads (progress.c). On a
 * machine with several CPUs that one thread makes every send and receive
 * of the port, while the workers wait for it: measured with two workers
 * on two CPUs, it ran 80% of a CPU and the workers 12% each, and the port
 * was behind epoll, whose workers make their own calls (docs/design.md
 * §5). A satellite ring is owned the same way (single issuer, deferred
 * completion work) by a thread that does nothing else: it submits, waits,
 * and pushes completions into the port's queue. Handles are dealt out in
 * turn at association, so the kernel's work is shared between CPUs.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "sys.h"
#include "uring.h"

/* The satellite ring this thread owns. */
static CP_TLS struct cp_uring *tls_ring;
/* Satellites (bit = ring index) of the port this thread owes a hand-over
 * (cp_port_owe: one port at a time) that it left SQEs for while they
 * slept. */
static CP_TLS unsigned tls_owed_rings;

unsigned cp_uring_rings_wanted(struct cport *p) {
  if (p->mode != CP_MODE_DEDICATED)
    return 1; /* a leader harvests: one ring, whoever submits */
  unsigned n;
  const char *e = getenv("CPORT_RINGS"); /* for measuring */
  if (e != NULL && *e != '\0') {
    char *end;
    long v = strtol(e, &end, 10);
    if (*end != '\0' || v < 1 || v > CP_URING_MAX_RINGS) {
      static int said;
      cp_env_complain(&said, "CPORT_RINGS", e, "takes a count of rings, 1-4",
                      "clamped");
    }
    n = v < 1 ? 1 : (unsigned)(v > CP_URING_MAX_RINGS ? CP_URING_MAX_RINGS : v);
  } else {
    /* One per two CPUs this thread may run on: a ring's owner makes the
     * system calls of its handles, a CPU's worth of work beside a CPU of
     * handlers. Measured on two CPUs (docs/benchmarks.md, "Workers =
     * CPUs: rings, ..."): a second ring there gained 13-21% at 64 x
     * 4 KiB and lost 5-21% at 64 x 64 B, where the extra hand-offs
     * between four threads cost more than the kernel work it moves. No
     * more than may run at once. */
    cpu_set_t set;
    n = sched_getaffinity(0, sizeof(set), &set) == 0 ? (unsigned)CPU_COUNT(&set)
                                                     : 1;
    n /= 2;
    if (n > p->concurrency)
      n = p->concurrency;
  }
  if (n < 1)
    n = 1;
  return n > CP_URING_MAX_RINGS ? CP_URING_MAX_RINGS : n;
}

/* ------------------------------------------------------------------------ */
/* A satellite's thread                                                      */
/* ------------------------------------------------------------------------ */

static void *ring_main(void *arg) {
  struct cp_uring *u = arg;
  struct cport *p = u->port;
  cp_thread_name("cport-ring");
  /* A batch thread, as the progress thread (progress.c says why). */
  struct sched_param sp = {0};
  (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
  int rc = cp_uring_ring_enable(u);
  __atomic_store_n(&u->started, rc == 0 ? 1 : -1, __ATOMIC_RELEASE);
  if (rc != 0)
    return NULL; /* (no handle is given to it) */
  tls_ring = u;
  struct cp_batch b;
  cp_batch_init(&b, p);
  while (!__atomic_load_n(&u->stop, __ATOMIC_ACQUIRE)) {
    /* Workers out running handlers may owe us a wake-up (they pay it when
     * they wait): look at least every millisecond while they are, as the
     * progress thread does. */
    int ms = 1;
    if (__atomic_load_n(&p->running, __ATOMIC_RELAXED) == 0) {
      /* Under the port's lock, where threads are counted running: one
       * counted after this sees the mark and wakes us at once. */
      pthread_mutex_lock(&p->lock);
      bool idle = p->running == 0;
      __atomic_store_n(&u->unbounded, idle, __ATOMIC_RELAXED);
      pthread_mutex_unlock(&p->lock);
      ms = idle ? -1 : 1;
    } else {
      __atomic_store_n(&u->unbounded, false, __ATOMIC_RELAXED);
    }
    cp_uring_round(p, u, &b, ms);
    cp_batch_flush(&b);
  }
  /* The port closes: every request of its handles was asked to stop. */
  cp_uring_drain_ring(p, u, &b);
  cp_batch_flush(&b);
  tls_ring = NULL;
  return NULL;
}

/* Satellite i runs and owns its ring; 0 or a CPORT_E* code. sat_lock
 * held. */
static int sat_ready_locked(struct cport *p, struct cp_uring *u, unsigned i) {
  if (u->sats_closed)
    return CPORT_ECLOSED;
  struct cp_uring *s = u->sat[i];
  if (s != NULL && s->live)
    return 0;
  if (s == NULL) {
    s = cp_uring_ring_new();
    if (s == NULL)
      return CPORT_ENOMEM;
    s->index = i + 1;
    u->sat[i] = s;
  }
  if (!s->has_ring) {
    int rc = cp_uring_ring_setup(p, s, true);
    if (rc != 0)
      return rc;
  }
  __atomic_store_n(&s->started, 0, __ATOMIC_RELAXED);
  if (!cp_thread_spawn(&s->thread, 256 * 1024, false, ring_main, s))
    return CPORT_ENOMEM; /* (no thread: resources, not a retry) */
  /* Only a ring its owner has taken may get handles: wait for it (once
   * per satellite and port, tens of microseconds). */
  while (__atomic_load_n(&s->started, __ATOMIC_ACQUIRE) == 0)
    sched_yield();
  if (__atomic_load_n(&s->started, __ATOMIC_RELAXED) < 0) {
    pthread_join(s->thread, NULL);
    return CPORT_ENOSYS;
  }
  s->live = true;
  return 0;
}

int cp_uring_attach(struct cport *p, struct cp_handle *h) {
  struct cp_uring *u = cp_ur(p);
  unsigned ring = 0;
  if (u->nrings > 1) {
    unsigned i = __atomic_fetch_add(&u->next, 1, __ATOMIC_RELAXED) % u->nrings;
    if (i > 0) {
      pthread_mutex_lock(&u->sat_lock);
      /* A satellite that cannot start leaves its share to the port's
       * ring: the handle works the same, with less parallelism. */
      if (sat_ready_locked(p, u, i - 1) == 0)
        ring = i;
      pthread_mutex_unlock(&u->sat_lock);
    }
  }
  cp_uh(h)->ring = (uint16_t)ring;
  /* An SQE mark left from an earlier port (the socket outlived it) names
   * a ring that is gone, drained before that port's close returned: its
   * position would make a close of the fd wait for a ring head that
   * never comes. */
  cp_uh(h)->in_sq = 0;
  cp_uring_recv_attach(cp_ur_of(p, h), h);
  return 0;
}

void cp_uring_sats_stop(struct cport *p) {
  struct cp_uring *u = cp_ur(p);
  if (u == NULL)
    return;
  struct cp_uring *stopping[CP_URING_MAX_RINGS - 1];
  unsigned n = 0;
  pthread_mutex_lock(&u->sat_lock);
  u->sats_closed = true;
  for (unsigned i = 0; i < CP_URING_MAX_RINGS - 1; i++) {
    struct cp_uring *s = u->sat[i];
    if (s != NULL && s->live) {
      s->live = false;
      __atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
      stopping[n++] = s;
    }
  }
  pthread_mutex_unlock(&u->sat_lock);
  for (unsigned i = 0; i < n; i++) {
    cp_uring_ring_wake(stopping[i]);
    pthread_join(stopping[i]->thread, NULL);
  }
}

/* ------------------------------------------------------------------------ */
/* Handing work over                                                         */
/* ------------------------------------------------------------------------ */

void cp_uring_submitted(struct cport *p, struct cp_uring *u) {
  if (u->index == 0) {
    cp_port_progress_poke(p); /* (with the hand-over a worker may owe) */
    return;
  }
  if (tls_ring == u)
    return; /* its owner submits in its own round */
  if (!cp_handover_give(&u->handover))
    return; /* it is awake and will see the work */
  /* A worker of the port wakes it when it next waits, once for all the
   * work it leaves until then (the owner looks every millisecond while
   * workers are out, so the wait is bounded); anyone else now. */
  if (!__atomic_load_n(&u->unbounded, __ATOMIC_RELAXED) && cp_port_owe(p)) {
    tls_owed_rings |= 1u << u->index;
    return;
  }
  if (cp_handover_claim(&u->handover))
    cp_uring_ring_wake(u);
}

void cp_uring_pay(struct cport *p) {
  struct cp_uring *u = cp_ur(p);
  unsigned owed = tls_owed_rings;
  tls_owed_rings = 0;
  for (unsigned i = 1; owed != 0 && i < CP_URING_MAX_RINGS; i++) {
    if (!(owed & (1u << i)))
      continue;
    owed &= ~(1u << i);
    struct cp_uring *s = u->sat[i - 1];
    if (cp_handover_claim(&s->handover))
      cp_uring_ring_wake(s);
  }
}

bool cp_uring_buffer_sends(struct cport *p, struct cp_handle *h) {
  return !cp_uring_handover_costly(p, cp_ur_of(p, h));
}

bool cp_uring_handover_costly(struct cport *p, struct cp_uring *u) {
  if (u->index == 0)
    return cp_port_handover_costly(p);
  return tls_ring != u && !(tls_owed_rings & (1u << u->index)) &&
         !cp_port_worker_busy(p) && cp_handover_asleep(&u->handover);
}
