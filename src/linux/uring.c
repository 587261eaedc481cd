/*
 * uring.c - the io_uring backend's ring (see uring.h): set-up with the
 * progress thread as its single issuer, the SQ shared with other threads,
 * the progress thread's submit-and-wait, and where each completion entry
 * goes.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys.h"
#include "uring.h"

_Static_assert(sizeof(struct cp_uh) <= sizeof(((struct cp_handle *)0)->be),
               "the io_uring handle state must fit in cp_handle.be");

#ifndef IORING_SETUP_SUBMIT_ALL
#  define IORING_SETUP_SUBMIT_ALL (1U << 7)
#endif

/* CQEs looked at per wait: the rest wait for the next round, so timers
 * and new submissions are never held up long. */
#define CP_URING_HARVEST 256

/* ------------------------------------------------------------------------ */
/* Set-up                                                                    */
/* ------------------------------------------------------------------------ */

/* The ring's modes, best first. Dedicated progress: the progress thread
 * enables the disabled ring and so becomes its one submitter, and the
 * kernel's completion work waits for it (DEFER_TASKRUN needs
 * SINGLE_ISSUER). Hybrid: any leader submits and waits, and completion
 * work runs in the thread that submitted (woken for it if it sleeps). */
static const unsigned dedicated_modes[] = {
    IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
        IORING_SETUP_R_DISABLED | IORING_SETUP_SUBMIT_ALL,
    IORING_SETUP_R_DISABLED,
    0,
};
static const unsigned hybrid_modes[] = {IORING_SETUP_SUBMIT_ALL, 0};

struct cp_uring *cp_uring_ring_new(void) {
  struct cp_uring *u = calloc(1, sizeof(*u));
  if (u == NULL)
    return NULL;
  pthread_mutex_init(&u->sq_lock, NULL);
  pthread_mutex_init(&u->bufs.lock, NULL);
  pthread_mutex_init(&u->sat_lock, NULL);
  u->wake_fd = -1;
  return u;
}

void cp_uring_ring_delete(struct cp_uring *u) {
  if (u->wake_fd >= 0)
    close(u->wake_fd);
  free(u->tags);
  pthread_mutex_destroy(&u->sq_lock);
  pthread_mutex_destroy(&u->bufs.lock);
  pthread_mutex_destroy(&u->sat_lock);
  free(u);
}

/*
 * liburing maps and unmaps a ring's memory with its own system calls,
 * which ThreadSanitizer does not see: a ring made at the address of one
 * another thread unmapped (a closed port's, closed by the Win32 layer's
 * reaper, say) would look like memory two unrelated threads share. Every
 * ring passes this lock before it is unmapped and after it is mapped, so
 * the unmapping happens-before the new ring's use, as it does in time
 * (the same address cannot be mapped before it is unmapped). Only ring
 * set-up and release take it.
 */
static pthread_mutex_t map_order = PTHREAD_MUTEX_INITIALIZER;

static void map_order_pass(void) {
  pthread_mutex_lock(&map_order);
  pthread_mutex_unlock(&map_order);
}

int cp_uring_ring_setup(struct cport *p, struct cp_uring *u, bool dedicated) {
  unsigned entries = p->opts.entries ? p->opts.entries : 256;
  int rc = CPORT_EINVAL;
  struct io_uring_params params;
  const unsigned *modes = dedicated ? dedicated_modes : hybrid_modes;
  size_t nmodes =
      dedicated ? CP_ARRAY_LEN(dedicated_modes) : CP_ARRAY_LEN(hybrid_modes);
  for (size_t i = 0; i < nmodes; i++) {
    memset(&params, 0, sizeof(params));
    params.flags = modes[i] | IORING_SETUP_CLAMP | IORING_SETUP_CQSIZE;
    params.cq_entries = entries * 8;
    rc = io_uring_queue_init_params(entries, &u->ring, &params);
    if (rc == 0)
      map_order_pass();
    if (rc != -EINVAL)
      break;
  }
  if (rc == 0 && !(params.features & IORING_FEAT_EXT_ARG)) {
    /* Before 5.11 a timed wait needs a timeout SQE: use epoll there. */
    map_order_pass();
    io_uring_queue_exit(&u->ring);
    rc = CPORT_ENOSYS;
  }
  if (rc == 0 && u->wake_fd < 0) {
    u->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (u->wake_fd < 0) {
      rc = -errno;
      map_order_pass();
      io_uring_queue_exit(&u->ring);
    }
  }
  if (rc != 0)
    return rc; /* -errno is the CPORT_E* code */
  u->setup_flags = params.flags;
  u->features = params.features;
  u->recv_mode = cp_uring_recv_mode_wanted();
  if (u->recv_mode == CP_RECV_DIRECT || cp_uring_bufs_init(u) != 0)
    u->bufs.br = NULL; /* no provided buffers: one-shot receives */
  u->port = p;
  u->has_ring = true;
  u->dead = false;
  u->enabled = !(u->setup_flags & IORING_SETUP_R_DISABLED);
  u->inflight = 0;
  u->overflow = u->overflow_tail = NULL;
  u->cancels = NULL;
  u->ntags = 0;
  u->armed = 0;
  u->closing = NULL;
  u->wake_armed = false;
  u->avg_cqes16 = 0;
  __atomic_store_n(&u->stop, 0, __ATOMIC_RELAXED);
  u->handover = (struct cp_handover){0, 0};
  return 0;
}

int cp_uring_ring_enable(struct cp_uring *u) {
  int rc = 0;
  if ((u->setup_flags & IORING_SETUP_R_DISABLED) &&
      syscall(__NR_io_uring_register, u->ring.ring_fd,
              IORING_REGISTER_ENABLE_RINGS, NULL, 0) != 0)
    rc = -errno;
  pthread_mutex_lock(&u->sq_lock);
  u->enabled = rc == 0;
  pthread_mutex_unlock(&u->sq_lock);
  return rc;
}

void cp_uring_ring_release(struct cp_uring *u) {
  if (!u->has_ring)
    return;
  pthread_mutex_lock(&u->sq_lock);
  u->dead = true;
  map_order_pass();
  io_uring_queue_exit(&u->ring);
  pthread_mutex_unlock(&u->sq_lock);
  cp_uring_bufs_free(u);
  u->has_ring = false;
}

static void uring_free(struct cport *p) {
  struct cp_uring *u = cp_ur(p);
  if (u == NULL)
    return;
  for (unsigned i = 0; i < CP_URING_MAX_RINGS - 1; i++)
    if (u->sat[i] != NULL)
      cp_uring_ring_delete(u->sat[i]);
  cp_uring_ring_delete(u);
  p->be_data = NULL;
}

static int uring_init(struct cport *p) {
  struct cp_uring *u = p->be_data;
  if (u == NULL) {
    u = cp_uring_ring_new();
    if (u == NULL)
      return CPORT_ENOMEM;
    p->be_data = u;
  }
  int rc = cp_uring_ring_setup(p, u, p->mode == CP_MODE_DEDICATED);
  if (rc != 0) {
    uring_free(p);
    return rc;
  }
  u->index = 0;
  u->nrings = cp_uring_rings_wanted(p);
  u->next = 0;
  u->sats_closed = false;
  return 0;
}

/* The progress thread takes the ring: enabling it makes this thread the
 * one submitter. */
static int uring_enter(struct cport *p) {
  return cp_uring_ring_enable(cp_ur(p));
}

static void uring_fini(struct cport *p) {
  struct cp_uring *u = cp_ur(p);
  cp_uring_sats_stop(p);
  for (unsigned i = 0; i < CP_URING_MAX_RINGS - 1; i++)
    if (u->sat[i] != NULL)
      cp_uring_ring_release(u->sat[i]);
  cp_uring_ring_release(u);
}

/* ------------------------------------------------------------------------ */
/* The SQ                                                                    */
/* ------------------------------------------------------------------------ */

struct io_uring_sqe *cp_uring_sqe_locked(struct cp_uring *u,
                                         struct cp_handle *h) {
  if (u->dead)
    return NULL;
  struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
  if (sqe != NULL && h != NULL) {
    struct cp_uh *uh = cp_uh(h);
    uh->in_sq = 1;
    uh->sq_pos = u->ring.sq.sqe_tail; /* one past this SQE */
  }
  return sqe;
}

/*
 * Publish the prepared SQEs to the kernel without entering it; returns
 * how many wait to be consumed. sq_lock held.
 */
static unsigned publish_locked(struct cp_uring *u) {
  struct io_uring_sq *sq = &u->ring.sq;
  unsigned tail = sq->sqe_tail;
  if (sq->sqe_head != tail) {
    sq->sqe_head = tail;
    io_uring_smp_store_release(sq->ktail, tail);
  }
  return tail - io_uring_smp_load_acquire(sq->khead);
}

static void arm_wake_locked(struct cp_uring *u) {
  struct io_uring_sqe *sqe = cp_uring_sqe_locked(u, NULL);
  if (sqe == NULL)
    return;
  io_uring_prep_read(sqe, u->wake_fd, &u->wake_buf, sizeof(u->wake_buf), 0);
  io_uring_sqe_set_data64(sqe, CP_URING_TAG_WAKE);
  u->wake_armed = true;
}

void cp_uring_ring_wake(struct cp_uring *u) {
  uint64_t one = 1;
  ssize_t n = write(u->wake_fd, &one, sizeof(one));
  (void)n; /* EAGAIN: the counter is full, a wake-up is pending anyway */
}

static void uring_wake(struct cport *p) {
  cp_uring_ring_wake(cp_ur(p));
}

/* One io_uring_enter: submit what is published, run the completion work
 * the kernel deferred to this thread, and wait for wait_nr CQEs. */
/*
 * Completion coalescing, adaptive. While rounds keep finding many CQEs
 * (the port is loaded), the next wait asks for more of them and lets the
 * kernel gather them for up to CP_COALESCE_US after the first one: fewer,
 * fuller rounds (and fewer hand-offs to workers) at a bounded latency. A
 * round that finds few turns it off. Kernels without min-wait support
 * (IORING_FEAT_MIN_TIMEOUT, 6.12) wait for one CQE as before.
 */
#define CP_FEAT_MIN_TIMEOUT (1u << 15)
#define CP_COALESCE_LOAD 4 /* CQEs per round, on average, that mean load */
#define CP_COALESCE_MAX 32
#define CP_COALESCE_US 50

static unsigned coalesce_want(const struct cp_uring *u) {
  if (!(u->features & CP_FEAT_MIN_TIMEOUT) ||
      u->avg_cqes16 < CP_COALESCE_LOAD * 16)
    return 1;
  unsigned want = u->avg_cqes16 / 8; /* twice the average */
  return want > CP_COALESCE_MAX ? CP_COALESCE_MAX : want;
}

static int enter(struct cp_uring *u, unsigned to_submit, unsigned wait_nr,
                 int timeout_ms) {
  struct __kernel_timespec ts;
  struct io_uring_getevents_arg arg;
  memset(&arg, 0, sizeof(arg));
  arg.sigmask_sz = _NSIG / 8;
  if (wait_nr > 1)
    arg.pad = CP_COALESCE_US; /* min_wait_usec in the kernel's struct */
  if (wait_nr > 0 && timeout_ms >= 0) {
    ts.tv_sec = timeout_ms / 1000;
    ts.tv_nsec = (long long)(timeout_ms % 1000) * 1000000;
    arg.ts = (uint64_t)(uintptr_t)&ts;
  }
  unsigned flags = IORING_ENTER_EXT_ARG | IORING_ENTER_GETEVENTS;
  long rc = syscall(__NR_io_uring_enter, u->ring.ring_fd, to_submit, wait_nr,
                    flags, &arg, sizeof(arg));
  return rc < 0 ? -errno : 0;
}

/* ------------------------------------------------------------------------ */
/* A ring owner's round                                                      */
/* ------------------------------------------------------------------------ */

static void dispatch(struct cport *p, struct cp_uring *u,
                     const struct io_uring_cqe *cqe, struct cp_batch *b) {
  uint64_t tag = io_uring_cqe_get_data64(cqe);
  if (tag & CP_URING_HTAG) {
    cp_uring_htag_done(p, u, cqe, b);
  } else if (tag > CP_URING_TAG_MAX) {
    if (!(cqe->flags & IORING_CQE_F_MORE))
      __atomic_sub_fetch(&u->inflight, 1, __ATOMIC_RELAXED);
    cp_uring_op_done(p, u, (cport_op_t *)(uintptr_t)tag, cqe->res, b);
  } else if (tag == CP_URING_TAG_CANCEL_FD) {
    __atomic_sub_fetch(&u->cancel_fd_out, 1, __ATOMIC_RELAXED);
  } else if (tag == CP_URING_TAG_WAKE) {
    pthread_mutex_lock(&u->sq_lock);
    u->wake_armed = false;
    pthread_mutex_unlock(&u->sq_lock);
  }
}

/* Looks at up to max CQEs; returns how many. */
static unsigned harvest(struct cport *p, struct cp_uring *u, struct cp_batch *b,
                        unsigned max) {
  struct io_uring_cqe *cqe;
  unsigned head, seen = 0;
  io_uring_for_each_cqe(&u->ring, head, cqe) {
    cp_port_wakes_hold(); /* (dispatch ends ops under a handle's lock) */
    dispatch(p, u, cqe, b);
    cp_port_wakes_release();
    if (++seen == max)
      break;
  }
  io_uring_cq_advance(&u->ring, seen);
  return seen;
}

/* Everything but the wait: the wake-up read, SQEs waiting for room, the
 * SQ published. Returns how many SQEs to submit; *may_sleep tells whether
 * a sleep can be woken (the wake-up read is in the ring) and nothing is
 * left waiting for SQ room. */
static unsigned prepare(struct cport *p, struct cp_uring *u, bool *may_sleep) {
  cp_handover_take(cp_ur_handover(p, u));
  pthread_mutex_lock(&u->sq_lock);
  /* The wake-up read first: with a full SQ the ops waiting for room would
   * take the last SQE, and a sleep that nobody can end would follow. */
  if (!u->wake_armed && !u->dead)
    arm_wake_locked(u);
  if (u->overflow != NULL || u->cancels != NULL || u->ntags > 0)
    cp_uring_overflow_locked(p, u);
  *may_sleep = u->wake_armed && u->overflow == NULL && u->cancels == NULL &&
               u->ntags == 0;
  unsigned n = u->enabled ? publish_locked(u) : 0;
  pthread_mutex_unlock(&u->sq_lock);
  return n;
}

/* Hybrid mode: a thread that is not the leader submits what it wrote. */
static void uring_flush(struct cport *p) {
  struct cp_uring *u = cp_ur(p);
  pthread_mutex_lock(&u->sq_lock);
  if (u->overflow != NULL || u->cancels != NULL || u->ntags > 0)
    cp_uring_overflow_locked(p, u);
  unsigned n = u->enabled && !u->dead ? publish_locked(u) : 0;
  pthread_mutex_unlock(&u->sq_lock);
  if (n > 0)
    enter(u, n, 0, 0);
}

int cp_uring_round(struct cport *p, struct cp_uring *u, struct cp_batch *b,
                   int timeout_ms) {
  if (!u->enabled)
    return CPORT_ENOSYS;
  bool may_sleep;
  unsigned to_submit = prepare(p, u, &may_sleep);
  /* Sockets that ran out of buffers while some are free again: arm them
   * this round instead of sleeping (nothing else may ever come). */
  bool starving = __atomic_load_n(&u->bufs.starved, __ATOMIC_RELAXED) != NULL &&
                  __atomic_load_n(&u->bufs.free, __ATOMIC_RELAXED) > 0;
  /* (A hybrid leader owes nobody a hand-over: it may always sleep.) */
  struct cp_handover *ho =
      p->mode == CP_MODE_DEDICATED ? cp_ur_handover(p, u) : NULL;
  bool sleep = timeout_ms != 0 && !starving && may_sleep &&
               io_uring_cq_ready(&u->ring) == 0 &&
               !__atomic_load_n(&u->stop, __ATOMIC_ACQUIRE) &&
               (ho == NULL || cp_handover_may_sleep(ho));
  int rc = enter(u, to_submit, sleep ? coalesce_want(u) : 0, timeout_ms);
  if (sleep && ho != NULL)
    cp_handover_awake(ho);
  cp_uring_close_pending(p, u);
  unsigned n = harvest(p, u, b, CP_URING_HARVEST);
  u->avg_cqes16 = (u->avg_cqes16 * 7 + n * 16) / 8;
  if (__atomic_load_n(&u->bufs.starved, __ATOMIC_RELAXED) != NULL)
    cp_uring_rearm_starved(p, u);
  if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY)
    return rc;
  return 0;
}

/*
 * The port is closed and every request still in the kernel has been asked
 * to stop (cp_engine_detach_port). Wait for their last CQEs, so that once
 * cport_close returns the kernel touches no buffer of the caller's; give
 * up after a few seconds without progress rather than hang.
 */
void cp_uring_drain_ring(struct cport *p, struct cp_uring *u,
                         struct cp_batch *b) {
  int idle_rounds = 0, cancel_at = 0;
  while (u->enabled && __atomic_load_n(&u->inflight, __ATOMIC_RELAXED) > 0 &&
         idle_rounds < 30) {
    bool may_sleep; /* (each wait here is bounded: 100 ms) */
    if (idle_rounds >= cancel_at) {
      cancel_at = idle_rounds + 5; /* (a cancel's own CQE is no idle round) */
      /* Every request of the ring is the closed port's: cancel whatever
       * the kernel still holds, at once and again while nothing comes
       * (an op whose start raced the close's own cancels, which then
       * found nothing to cancel, was left in the kernel: its send
       * waited for room for ever, and cport_close returned after 3 s
       * with the op still in progress). */
      pthread_mutex_lock(&u->sq_lock);
      cp_uring_cancel_tag_locked(u, 0, IORING_ASYNC_CANCEL_ANY);
      pthread_mutex_unlock(&u->sq_lock);
    }
    unsigned n = prepare(p, u, &may_sleep);
    enter(u, n, io_uring_cq_ready(&u->ring) ? 0 : 1, 100);
    cp_uring_close_pending(p, u);
    if (harvest(p, u, b, CP_URING_HARVEST) == 0)
      idle_rounds++;
    cp_batch_flush(b);
  }
  cp_uring_close_pending(p, u);
}

static int uring_wait(struct cport *p, struct cp_batch *b, int timeout_ms) {
  return cp_uring_round(p, cp_ur(p), b, timeout_ms);
}

/* The satellites drain their own rings (each its own thread) before the
 * port's ring is drained here. */
static void uring_drain(struct cport *p, struct cp_batch *b) {
  cp_uring_sats_stop(p);
  cp_uring_drain_ring(p, cp_ur(p), b);
}

const struct cp_backend cp_uring_backend = {
    .name = "io_uring",
    .init = uring_init,
    .fini = uring_fini,
    .free = uring_free,
    .enter = uring_enter,
    .wait = uring_wait,
    .wake = uring_wake,
    .flush = uring_flush,
    .drain = uring_drain,
    .pay = cp_uring_pay,
    .attach = cp_uring_attach,
    .detach = cp_uring_detach,
    .start = cp_uring_start,
    .cancel = cp_uring_cancel,
    .close_fd = cp_uring_close_fd,
    .buffer_sends = cp_uring_buffer_sends,
    .held_take = cp_uring_held_take,
    .held_look = cp_uring_held_look,
    .held_accept = cp_uring_held_accept,
};
