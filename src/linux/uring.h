/*
 * uring.h - state shared by the io_uring backend's files (uring.c: the
 * ring and the leader's wait; uring-ops.c: socket and file operations).
 */
#ifndef CPORT_LINUX_URING_H
#define CPORT_LINUX_URING_H

#include <liburing.h>
#include <pthread.h>
#include <stdbool.h>

#include "handle.h"
#include "port.h"

struct cp_uring {
  struct io_uring ring;
  pthread_mutex_t sq_lock; /* guards the SQ and `dead` */
  bool dead;               /* ring released (port closed) */
  bool dirty;              /* SQEs prepared but not submitted */
  uint32_t inflight;       /* op SQEs whose CQE has not been seen */
};

/* user_data values below this are internal tags, not ops. */
enum {
  CP_URING_TAG_WAKE = 1,   /* NOP that wakes the leader */
  CP_URING_TAG_CANCEL = 2, /* result of an ASYNC_CANCEL */
  CP_URING_TAG_MAX = 4095,
};

/* A free SQE (flushing the SQ if full), NULL if none; sq_lock held. */
CP_INTERNAL struct io_uring_sqe *cp_uring_sqe_locked(struct cp_uring *u);
/* Submit prepared SQEs; sq_lock held. */
CP_INTERNAL void cp_uring_submit_locked(struct cp_uring *u);

/* The leader found the CQE of op (uring-ops.c). */
CP_INTERNAL void cp_uring_op_done(struct cport *p, cport_op_t *op, int res,
                                  struct cp_batch *b);

/* struct cp_backend's handle hooks (uring-ops.c). */
CP_INTERNAL void cp_uring_detach(struct cport *p, struct cp_handle *h);
CP_INTERNAL int cp_uring_start(struct cport *p, struct cp_handle *h,
                               cport_op_t *op, bool at_call);
CP_INTERNAL void cp_uring_cancel(struct cport *p, struct cp_handle *h,
                                 cport_op_t *op);

#endif
