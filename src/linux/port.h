/*
 * port.h - the Linux port core: completion queue, waiting threads, the
 * concurrency limit, the leader that waits in the kernel, and close.
 *
 * Shared by the io_uring and epoll backends; the backend is reached only
 * through struct cp_backend (backend.h).
 */
#ifndef CPORT_LINUX_PORT_H
#define CPORT_LINUX_PORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "../common/common.h"
#include "../common/grave.h"
#include "queue.h"
#include "timers.h"

struct cp_backend;
struct cp_handle;

/* A thread blocked in cport_get(). Lives on that thread's stack. */
struct cp_waiter {
  struct cp_waiter *below;   /* next older waiter on the LIFO stack */
  struct cp_waiter *above;   /* next newer waiter */
  uint32_t word;             /* CP_W_WAITING / _SIGNALED / _SLEEPING */
  int result;                /* CP_W_GOT, CP_W_LEAD or CPORT_ECLOSED */
  cport_completion_t *out;   /* where a hand-off is written */
  unsigned max;              /* room in out */
  unsigned got;              /* entries handed off */
};

enum { CP_W_WAITING = 0, CP_W_SIGNALED = 1, CP_W_SLEEPING = 2 };
enum { CP_W_NONE = 0, CP_W_GOT = 1, CP_W_LEAD = 2 };

struct cport {
  struct cp_shell shell;        /* first: see grave.h */
  pthread_mutex_t lock;
  struct cp_cqueue queue;       /* FIFO of completions */
  struct cp_timers timers;      /* pending cport_timer() ops */
  struct cp_waiter *top;        /* LIFO stack of waiters (not the leader) */
  struct cp_waiter *bottom;     /* its oldest entry */
  struct cp_waiter *leader;     /* waiter in the leader role, if any */
  bool leader_woken;            /* a wake-up is already on its way */
  unsigned running;             /* threads released and not back in get */
  unsigned concurrency;
  bool in_kernel;               /* the leader is inside backend->wait
                                   (else it sleeps on its futex) */
  pthread_cond_t kernel_idle;   /* signalled when it leaves, after close */
  bool closed;
  uint32_t generation;          /* bumped when a shell is reused */
  uint32_t kernel_work;         /* ops waiting in the kernel (atomic) */

  const struct cp_backend *be;
  void *be_data;
  cport_options_t opts;

  /* Handles associated with this port (for close). */
  pthread_mutex_t handles_lock;
  struct cp_handle *handles;

};

/*
 * A batch of completions gathered outside the port lock (by the leader or
 * by a thread completing several ops) and pushed under one lock.
 */
#define CP_BATCH_MAX 64
struct cp_batch {
  struct cport *port;
  unsigned n;
  cport_completion_t e[CP_BATCH_MAX];
};

static inline void cp_batch_init(struct cp_batch *b, struct cport *port) {
  b->port = port;
  b->n = 0;
}

/* Pushes the batch into the port queue and wakes waiters as needed. */
CP_INTERNAL void cp_batch_flush(struct cp_batch *b);

static inline void cp_batch_add(struct cp_batch *b, cport_op_t *op,
                                uintptr_t key, uint32_t bytes, int status) {
  cport_completion_t *c = &b->e[b->n++];
  c->op = op;
  c->key = key;
  c->bytes = bytes;
  c->status = status;
  if (b->n == CP_BATCH_MAX)
    cp_batch_flush(b);
}

/* Queue one completion from any thread (not the leader's batch). */
CP_INTERNAL void cp_port_complete(struct cport *port, cport_op_t *op,
                                  uintptr_t key, uint32_t bytes, int status);

/*
 * kernel_work counts operations whose completion will be found by waiting
 * in the kernel. While it is zero no thread needs to wait there, and
 * waiters sleep on their own futex only. A 0 -> 1 step moves the leader
 * into the kernel.
 */
CP_INTERNAL void cp_port_kernel_work_add(struct cport *port, int n);

/*
 * True when the calling thread will soon pass through the port anyway (a
 * worker released by it, or its leader harvesting), so work it queues for
 * the kernel may wait for that instead of a system call now.
 */
CP_INTERNAL bool cp_port_defers_submit(struct cport *port);

/* Monotonic time in nanoseconds. */
CP_INTERNAL uint64_t cp_now_ns(void);

/* The CPU count used for the default concurrency. */
CP_INTERNAL unsigned cp_cpu_count(void);

#endif
