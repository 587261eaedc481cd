/*
 * uring.c - the io_uring backend: one ring per port. Any thread may
 * submit (under sq_lock); only the leader reads the completion ring.
 */
#include <errno.h>
#include <liburing.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "handle.h"
#include "uring.h"

static struct cp_uring *ur(struct cport *p) { return p->be_data; }

static int uring_init(struct cport *p) {
  struct cp_uring *u = p->be_data;
  if (u == NULL) {
    u = calloc(1, sizeof(*u));
    if (u == NULL)
      return CPORT_ENOMEM;
    pthread_mutex_init(&u->sq_lock, NULL);
    p->be_data = u;
  }
  unsigned entries = p->opts.entries ? p->opts.entries : 256;
  struct io_uring_params params;
  memset(&params, 0, sizeof(params));
  params.flags = IORING_SETUP_CLAMP;
  params.cq_entries = entries * 4;
  params.flags |= IORING_SETUP_CQSIZE;
  int rc = io_uring_queue_init_params(entries, &u->ring, &params);
  if (rc < 0) {
    pthread_mutex_destroy(&u->sq_lock);
    free(u);
    p->be_data = NULL;
    return rc; /* -errno is the CPORT_E* code */
  }
  if (!(params.features & IORING_FEAT_EXT_ARG)) {
    /* Before 5.11 a timed wait needs a timeout SQE, which would race with
     * other threads' submissions: use epoll on such kernels. */
    io_uring_queue_exit(&u->ring);
    pthread_mutex_destroy(&u->sq_lock);
    free(u);
    p->be_data = NULL;
    return CPORT_ENOSYS;
  }
  u->dead = false;
  u->dirty = false;
  u->inflight = 0;
  return 0;
}

/*
 * The port is closed and every op still in the kernel has been asked to
 * cancel (cp_handles_detach_port). Wait for their CQEs, so that once
 * cport_close returns the kernel touches no buffer of the caller's; give
 * up after a few seconds of no progress rather than hang.
 */
static void drain(struct cp_uring *u) {
  cp_uring_submit_locked(u);
  int idle_rounds = 0;
  while (__atomic_load_n(&u->inflight, __ATOMIC_RELAXED) > 0 &&
         idle_rounds < 30) {
    struct __kernel_timespec ts = {.tv_sec = 0, .tv_nsec = 100000000};
    struct io_uring_cqe *cqe;
    if (io_uring_wait_cqe_timeout(&u->ring, &cqe, &ts) != 0) {
      idle_rounds++;
      continue;
    }
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&u->ring, head, cqe) {
      if (io_uring_cqe_get_data64(cqe) > CP_URING_TAG_MAX)
        __atomic_sub_fetch(&u->inflight, 1, __ATOMIC_RELAXED);
      seen++;
    }
    io_uring_cq_advance(&u->ring, seen);
  }
}

static void uring_fini(struct cport *p) {
  struct cp_uring *u = ur(p);
  pthread_mutex_lock(&u->sq_lock);
  drain(u);
  u->dead = true;
  io_uring_queue_exit(&u->ring);
  pthread_mutex_unlock(&u->sq_lock);
}

static void uring_free(struct cport *p) {
  struct cp_uring *u = ur(p);
  if (u == NULL)
    return;
  pthread_mutex_destroy(&u->sq_lock);
  free(u);
  p->be_data = NULL;
}

struct io_uring_sqe *cp_uring_sqe_locked(struct cp_uring *u) {
  struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
  if (sqe == NULL) {
    /* SQ full: push what is there and try again. */
    io_uring_submit(&u->ring);
    sqe = io_uring_get_sqe(&u->ring);
  }
  if (sqe != NULL)
    u->dirty = true;
  return sqe;
}

void cp_uring_submit_locked(struct cp_uring *u) {
  if (!u->dirty || u->dead)
    return;
  u->dirty = false;
  /* (-EAGAIN or -EBUSY: the kernel is short of memory or CQ room; what
   * was not taken stays in the SQ for the next submit.) */
  while (io_uring_submit(&u->ring) == -EINTR)
    ;
}

static void uring_flush(struct cport *p) {
  struct cp_uring *u = ur(p);
  if (!__atomic_load_n(&u->dirty, __ATOMIC_RELAXED))
    return;
  pthread_mutex_lock(&u->sq_lock);
  cp_uring_submit_locked(u);
  pthread_mutex_unlock(&u->sq_lock);
}

static void uring_wake(struct cport *p) {
  struct cp_uring *u = ur(p);
  pthread_mutex_lock(&u->sq_lock);
  if (!u->dead) {
    struct io_uring_sqe *sqe = cp_uring_sqe_locked(u);
    if (sqe != NULL) {
      io_uring_prep_nop(sqe);
      io_uring_sqe_set_data64(sqe, CP_URING_TAG_WAKE);
    }
    cp_uring_submit_locked(u);
  }
  pthread_mutex_unlock(&u->sq_lock);
}

/*
 * Publish the prepared SQEs to the kernel without entering it; returns
 * how many are waiting to be consumed. sq_lock held.
 */
static unsigned publish_locked(struct cp_uring *u) {
  struct io_uring_sq *sq = &u->ring.sq;
  unsigned tail = sq->sqe_tail;
  if (sq->sqe_head != tail) {
    sq->sqe_head = tail;
    io_uring_smp_store_release(sq->ktail, tail);
  }
  u->dirty = false;
  return tail - io_uring_smp_load_acquire(sq->khead);
}

/* One io_uring_enter: submit what is published and wait for a CQE. */
static int submit_and_wait(struct cp_uring *u, unsigned to_submit,
                           int timeout_ms) {
  struct __kernel_timespec ts;
  struct io_uring_getevents_arg arg;
  memset(&arg, 0, sizeof(arg));
  arg.sigmask_sz = _NSIG / 8;
  if (timeout_ms >= 0) {
    ts.tv_sec = timeout_ms / 1000;
    ts.tv_nsec = (long long)(timeout_ms % 1000) * 1000000;
    arg.ts = (uint64_t)(uintptr_t)&ts;
  }
  unsigned flags = IORING_ENTER_EXT_ARG;
  unsigned wait_nr = 0;
  if (timeout_ms != 0 && io_uring_cq_ready(&u->ring) == 0) {
    flags |= IORING_ENTER_GETEVENTS;
    wait_nr = 1;
  }
  if (to_submit == 0 && wait_nr == 0)
    return 0;
  long rc = syscall(__NR_io_uring_enter, u->ring.ring_fd, to_submit, wait_nr,
                    flags, &arg, sizeof(arg));
  return rc < 0 ? -errno : 0;
}

static int uring_wait(struct cport *p, struct cp_batch *b, int timeout_ms) {
  struct cp_uring *u = ur(p);
  pthread_mutex_lock(&u->sq_lock);
  unsigned to_submit = u->dead ? 0 : publish_locked(u);
  pthread_mutex_unlock(&u->sq_lock);
  int rc = submit_and_wait(u, to_submit, timeout_ms);
  if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN &&
      rc != -EBUSY)
    return rc;
  struct io_uring_cqe *cqe;
  unsigned head, seen = 0;
  io_uring_for_each_cqe(&u->ring, head, cqe) {
    uint64_t tag = io_uring_cqe_get_data64(cqe);
    int res = cqe->res;
    seen++;
    if (tag > CP_URING_TAG_MAX)
      cp_uring_op_done(p, (cport_op_t *)(uintptr_t)tag, res, b);
    if (seen == 4 * CP_BATCH_MAX)
      break;
  }
  io_uring_cq_advance(&u->ring, seen);
  return 0;
}

const struct cp_backend cp_uring_backend = {
    .name = "io_uring",
    .init = uring_init,
    .fini = uring_fini,
    .free = uring_free,
    .wait = uring_wait,
    .wake = uring_wake,
    .flush = uring_flush,
    .detach = cp_uring_detach,
    .start = cp_uring_start,
    .cancel = cp_uring_cancel,
};
