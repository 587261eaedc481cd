/*
 * engine.h - the operation engine shared by sockets and files (engine.c).
 */
#ifndef CPORT_LINUX_ENGINE_H
#define CPORT_LINUX_ENGINE_H

#include "handle.h"

/* Queue op (set up by cp_op_init and friends) on h and start it if
 * nothing runs before it. h->lock held. Returns 0 (one completion will
 * come), CPORT_COMPLETED (skip on success) or the call's error. */
CP_INTERNAL int cp_submit_locked(struct cport *p, struct cp_handle *h,
                                 cport_op_t *op);
/*
 * What the calling thread's last op did if it finished inside its call
 * (posted or, with skip-on-success, not). Lets the Win32 layer answer
 * "completed at once" without touching the OVERLAPPED after the call:
 * another thread may already have taken its completion and freed it.
 */
struct cp_inline {
  bool done;
  int status;
  uint32_t bytes;
};
CP_INTERNAL extern __thread struct cp_inline cp_last_inline;

/* An op that finished inside its call: post it, or CPORT_COMPLETED. */
CP_INTERNAL int cp_finish_at_call(struct cp_handle *h, cport_op_t *op);

/* Start what may start on q after its head changed. h->lock held; b is
 * the leader's batch or NULL. */
CP_INTERNAL void cp_queue_kick(struct cport *p, struct cp_handle *h,
                               struct cp_opq *q, struct cp_batch *b);
/* The queue an op of h belongs on. */
CP_INTERNAL struct cp_opq *cp_op_queue(struct cp_handle *h, cport_op_t *op);

/*
 * The handle goes away (closed, or its fd number was reused behind cport's
 * back): each of its ops completes once, with CPORT_ECANCELED, now or when
 * the kernel gives it back; none of them touches the handle again.
 * h->lock held.
 */
CP_INTERNAL void cp_handle_abandon_locked(struct cp_handle *h);
/* cport_closesocket / cport_file_close. */
CP_INTERNAL int cp_handle_close(cport_handle_t s);

/* Locks and returns the handle of an associated, open socket (or NULL
 * with *rc set). */
CP_INTERNAL struct cp_handle *cp_lock_socket(cport_handle_t s, int *rc);
/* The same, for a connected stream socket only (else CPORT_EOPNOTSUPP or
 * CPORT_ENOTCONN). */
CP_INTERNAL struct cp_handle *cp_lock_stream_peer(cport_handle_t s, int *rc);
CP_INTERNAL bool cp_is_connected(struct cp_handle *h);
CP_INTERNAL bool cp_is_listening(struct cp_handle *h);

/* Setting up an op. */
CP_INTERNAL void cp_op_init(cport_op_t *op, struct cp_handle *h, uint8_t kind);
CP_INTERNAL int cp_op_bufs(cport_op_t *op, const cport_buf_t *bufs, unsigned n);

#endif
