/*
 * pool.h - a small pool of threads for blocking work (regular-file reads
 * and writes, which epoll cannot wait for). Bounded, created lazily,
 * idle threads leave after a while.
 */
#ifndef CPORT_LINUX_POOL_H
#define CPORT_LINUX_POOL_H

#include <pthread.h>
#include <stdbool.h>

#include "op.h"

struct cp_pool {
  pthread_mutex_t lock;
  pthread_cond_t work;     /* a job arrived, or stop */
  pthread_cond_t gone;     /* a thread left */
  cport_op_t *head, *tail; /* jobs, linked through u.file.pool_next */
  unsigned threads, idle, max;
  bool stop;
  void (*run)(cport_op_t *op);
};

CP_INTERNAL void cp_pool_init(struct cp_pool *pl, unsigned max,
                              void (*run)(cport_op_t *op));
/* Queue op; a thread is started if none is idle and the bound allows. */
CP_INTERNAL int cp_pool_submit(struct cp_pool *pl, cport_op_t *op);
/* Take op back if no thread has started it. */
CP_INTERNAL bool cp_pool_cancel(struct cp_pool *pl, cport_op_t *op);
/* Stop: wait for every thread (running jobs finish) to leave. */
CP_INTERNAL void cp_pool_stop(struct cp_pool *pl);
CP_INTERNAL void cp_pool_destroy(struct cp_pool *pl);

#endif
