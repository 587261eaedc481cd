/*
 * uring-accept.c - the multishot accept that feeds posted accepts (see
 * uring.h): a listener's connections arrive through one multishot accept
 * and wait, up to CP_UH_BACKLOG of them, for posted accepts (AcceptEx's
 * receive of the first data then runs on the new socket). A program's
 * own accept or readiness check of the listener stops it for good, so
 * that no connection is taken ahead of that reader.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockio.h"
#include "uring.h"

#define CP_UH_BACKLOG 16 /* connections a listener may hold */

/* The oldest connection the listener holds (backlog_n > 0). */
static int backlog_pop(struct cp_uh *uh) {
  int fd = uh->backlog[0];
  memmove(uh->backlog, uh->backlog + 1,
          (size_t)(--uh->backlog_n) * sizeof(int));
  return fd;
}

static bool accept_arm(struct cport *p, struct cp_handle *h) {
  struct cp_uring *u = cp_ur_of(p, h);
  struct cp_uh *uh = cp_uh(h);
  if (uh->backlog == NULL) {
    uh->backlog = malloc(CP_UH_BACKLOG * 4 * sizeof(int));
    if (uh->backlog == NULL)
      return false;
    uh->backlog_cap = CP_UH_BACKLOG * 4;
    uh->backlog_n = 0;
  }
  pthread_mutex_lock(&u->sq_lock);
  struct io_uring_sqe *sqe =
      cp_uring_reserve_cancel_locked(u) == 0 ? cp_uring_sqe_locked(u, h) : NULL;
  if (sqe != NULL) {
    u->armed++;
    io_uring_prep_multishot_accept(sqe, h->fd, NULL, NULL,
                                   SOCK_NONBLOCK | SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, cp_uring_htag(h->fd, h->gen, CP_HTAG_ACCEPT));
    __atomic_add_fetch(&u->inflight, 1, __ATOMIC_RELAXED);
    uh->flags |= CP_UH_ACCEPT_ARMED;
  }
  pthread_mutex_unlock(&u->sq_lock);
  cp_uring_submitted(p, u);
  return sqe != NULL;
}

/* Connections are for an accept that bypasses cport (or a readiness check
 * of the listener): the multishot accept must not take them from now on
 * (later accept ops are one-shots). True while it still may (until its
 * last CQE). h->lock held. */
bool cp_uring_accept_stop_ahead(struct cport *p, struct cp_handle *h) {
  struct cp_uh *uh = cp_uh(h);
  bool armed = (uh->flags & CP_UH_ACCEPT_ARMED) != 0;
  if (!(uh->flags & CP_UH_NO_MULTI_ACCEPT)) {
    uh->flags |= CP_UH_NO_MULTI_ACCEPT;
    if (armed && !(uh->flags & CP_UH_ACCEPT_PAUSE)) {
      uh->flags |= CP_UH_ACCEPT_PAUSE;
      cp_uring_htag_cancel(p, h, CP_HTAG_ACCEPT);
    }
  }
  return armed;
}

int cp_uring_held_accept(struct cport *p, struct cp_handle *h) {
  struct cp_uh *uh = cp_uh(h);
  if (h->type != CP_H_STREAM ||
      (uh->backlog == NULL && !(uh->flags & CP_UH_ACCEPT_ARMED)))
    return -1; /* no multishot accept ever ran on it */
  (void)cp_uring_accept_stop_ahead(p, h);
  if (uh->backlog_n == 0)
    return -1;
  return backlog_pop(uh);
}

int cp_uring_accept_start(struct cport *p, struct cp_handle *h,
                          cport_op_t *op) {
  struct cp_uh *uh = cp_uh(h);
  struct cp_lop *l = cp_lop(op);
  if (uh->backlog_n > 0) {
    int rc = cp_engine_accept_setup(h, op, backlog_pop(uh));
    if (rc != 0) {
      cp_op_result(op, rc);
      return CP_TRY_DONE;
    }
    if (l->nbufs == 0) {
      cp_op_result(op, 0);
      return CP_TRY_DONE;
    }
    /* AcceptEx with a buffer: it completes once the first data is in. */
    l->flags |= CP_OPF_STAGE2;
    int r = cp_try_accept_data(op);
    if (r != CP_TRY_AGAIN)
      return CP_TRY_DONE;
    return CP_URING_PLAIN; /* a receive SQE on the new socket */
  }
  if (uh->accept_err != 0) {
    cp_op_result(op, uh->accept_err);
    uh->accept_err = 0;
    return CP_TRY_REJECT;
  }
  if ((uh->flags & CP_UH_NO_MULTI_ACCEPT) || (h->flags & CP_HF_ONE_ACCEPT))
    return CP_URING_PLAIN; /* a program's accept reads the listener too, or
                              another handle of the same listener does */
  if (!(uh->flags & CP_UH_ACCEPT_ARMED) && !accept_arm(p, h))
    return CP_URING_PLAIN; /* a plain accept SQE for this op */
  return CP_TRY_AGAIN;
}

void cp_uring_accept_done(struct cport *p, struct cp_handle *h,
                          const struct io_uring_cqe *cqe, struct cp_batch *b) {
  struct cp_uh *uh = cp_uh(h);
  bool more = (cqe->flags & IORING_CQE_F_MORE) != 0;
  int res = cqe->res;
  if (!more)
    uh->flags &= (uint16_t) ~(CP_UH_ACCEPT_ARMED | CP_UH_ACCEPT_PAUSE);
  if (res >= 0) {
    if (uh->backlog_n == uh->backlog_cap) {
      /* More arrived before the pause below took effect: keep them all
       * (the kernel's listen backlog bounds this). */
      unsigned cap = uh->backlog_cap * 2u;
      int *more =
          cap <= UINT16_MAX ? realloc(uh->backlog, cap * sizeof(int)) : NULL;
      if (more != NULL) {
        uh->backlog = more;
        uh->backlog_cap = (uint16_t)cap;
      }
    }
    if (uh->backlog_n < uh->backlog_cap)
      uh->backlog[uh->backlog_n++] = res;
    else
      close(res); /* out of memory: the peer sees a reset */
  } else if (res != -ECANCELED && res != -ECONNABORTED && res != -EPROTO &&
             res != -EINTR) {
    uh->accept_err = res; /* e.g. out of descriptors: the next accept */
  }
  if ((uh->flags & CP_UH_ACCEPT_ARMED) && !(uh->flags & CP_UH_ACCEPT_PAUSE) &&
      uh->backlog_n >= CP_UH_BACKLOG) {
    uh->flags |= CP_UH_ACCEPT_PAUSE;
    cp_uring_htag_cancel(p, h, CP_HTAG_ACCEPT);
  }
  cp_engine_kick(h, &h->rq, b);
  /* Accepts still wait and nothing comes (a transient error ended it). */
  if (!(uh->flags & (CP_UH_ACCEPT_ARMED | CP_UH_NO_MULTI_ACCEPT)) &&
      uh->accept_err == 0 && uh->backlog_n == 0 && !cp_opq_empty(&h->rq))
    accept_arm(p, h);
}

void cp_uring_accept_drop(struct cp_uh *uh) {
  if (uh->backlog != NULL) {
    for (unsigned i = 0; i < uh->backlog_n; i++)
      close(uh->backlog[i]);
    free(uh->backlog);
    uh->backlog = NULL;
    uh->backlog_n = uh->backlog_cap = 0;
  }
  uh->accept_err = 0;
}
