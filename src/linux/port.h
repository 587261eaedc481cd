/*
 * port.h - the Linux port core (layer 1): the completion queue, the
 * threads waiting on it, the concurrency limit, timers, the progress
 * thread, and the steps of creating and closing a port.
 *
 * The port core knows nothing of handles. It reaches the backend only
 * through struct cp_backend (backend.h).
 *
 * Progress. Each port that has kernel work gets one progress thread. It
 * is the only thread that waits in the kernel (io_uring_enter or
 * epoll_wait) and the only one that submits to io_uring, so operations
 * finish, have their results written and their completions queued
 * whether or not any thread is in cport_get(), exactly as the Windows
 * kernel does for a completion port. Worker threads only take
 * completions; work they hand to the progress thread costs no system
 * call while that thread is awake, and one wake-up when it sleeps.
 */
#ifndef CPORT_LINUX_PORT_H
#define CPORT_LINUX_PORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

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
  int result;                /* CP_W_GOT or CPORT_ECLOSED */
  cport_completion_t *out;   /* where a hand-off is written */
  unsigned max;              /* room in out */
  unsigned got;              /* entries handed off */
};

enum { CP_W_WAITING = 0, CP_W_SIGNALED = 1, CP_W_SLEEPING = 2 };
enum { CP_W_NONE = 0, CP_W_GOT = 1 };

/* The progress thread's life. */
enum {
  CP_PROG_NONE = 0,   /* not started (no kernel work so far) */
  CP_PROG_RUNNING,    /* running its loop */
  CP_PROG_STOPPING,   /* asked to drain and leave (port closing) */
  CP_PROG_GONE,       /* left; joined */
};

struct cport {
  struct cp_shell shell;        /* first: see grave.h */
  pthread_mutex_t lock;
  struct cp_cqueue queue;       /* FIFO of completions, held slots */
  struct cp_timers timers;      /* pending cport_timer() ops */
  struct cp_waiter *top;        /* LIFO stack of waiting threads */
  struct cp_waiter *bottom;     /* its oldest entry */
  unsigned running;             /* threads released and not back in get */
  unsigned concurrency;
  bool closed;
  uint32_t generation;          /* bumped when a shell is reused */

  const struct cp_backend *be;
  void *be_data;
  cport_options_t opts;

  /* The progress thread. prog_state changes under lock; prog_work and
   * prog_asleep are atomics shared with workers (see port.c). */
  pthread_t prog_thread;
  uint8_t prog_state;
  uint32_t prog_work;           /* work is waiting for the progress thread */
  uint32_t prog_asleep;         /* it sleeps in the kernel: wake it */

  /* Handles associated with this port (the engine's list, for close). */
  pthread_mutex_t handles_lock;
  struct cp_handle *handles;
};

/*
 * A batch of completions gathered outside the port lock (by the progress
 * thread, or a thread ending several ops) and pushed under one lock. Every
 * entry uses a slot its op held (see queue.h).
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

/* ------------------------------------------------------------------------ */
/* Slots: what an accepted operation holds until its completion is queued    */
/* ------------------------------------------------------------------------ */

/* Holds a queue slot for an op being accepted. CPORT_ECLOSED or
 * CPORT_ENOMEM: the call must fail and post nothing. */
CP_INTERNAL int cp_port_hold(struct cport *p);
/* Gives back a held slot: the op ended without a completion (skip on
 * success, an event with its low bit set, or the port closed). */
CP_INTERNAL void cp_port_unhold(struct cport *p);
/* Queues one completion into a held slot, from any thread. */
CP_INTERNAL void cp_port_complete(struct cport *p, cport_op_t *op,
                                  uintptr_t key, uint32_t bytes, int status);

/* ------------------------------------------------------------------------ */
/* The progress thread                                                       */
/* ------------------------------------------------------------------------ */

/* Starts the progress thread if it is not running yet. Returns 0,
 * CPORT_ECLOSED or CPORT_EAGAIN (no thread could be created). */
CP_INTERNAL int cp_port_progress_start(struct cport *p);

/*
 * Tells the progress thread that work waits for it (SQEs to submit, an
 * earlier timer). A worker of this port that will pass through cport_get()
 * soon only marks it; any other thread wakes the progress thread now if
 * it sleeps in the kernel.
 */
CP_INTERNAL void cp_port_progress_poke(struct cport *p);

/*
 * Progress thread only, right before it waits in the kernel: returns true
 * if it may sleep (nothing is waiting for it), after marking itself
 * asleep; false if work arrived (do it instead). After the wait it calls
 * cp_port_progress_awake().
 */
CP_INTERNAL bool cp_port_progress_may_sleep(struct cport *p);
CP_INTERNAL void cp_port_progress_awake(struct cport *p);
/* Progress thread: takes the "work is waiting" mark (true if it was set). */
CP_INTERNAL bool cp_port_progress_take_work(struct cport *p);

/* True on the port's progress thread. */
CP_INTERNAL bool cp_port_on_progress_thread(struct cport *p);

/* ------------------------------------------------------------------------ */
/* Life of a port                                                            */
/* ------------------------------------------------------------------------ */

/* A new or reused port record with its queue; no backend yet. */
CP_INTERNAL int cp_port_alloc(struct cport **out, const cport_options_t *opts);
/* Frees a port whose backend failed to open. */
CP_INTERNAL void cp_port_free_unused(struct cport *p);
/* Close, step 1: mark closed, release every waiting thread with
 * CPORT_ECLOSED, drop queued completions. Returns CPORT_ECLOSED if the
 * port was closed already. */
CP_INTERNAL int cp_port_close_begin(struct cport *p);
/* Close, step 2 (after the engine let go of the handles): stop the
 * progress thread, which first drains what the kernel still owns. */
CP_INTERNAL void cp_port_progress_stop(struct cport *p);
/* Close, step 3: free the queue and timers; the shell rests in the grave. */
CP_INTERNAL void cp_port_close_end(struct cport *p);

#endif
