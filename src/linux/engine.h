/*
 * engine.h - the operation engine (layer 3): an op's whole life on a
 * handle, the same for every Linux backend. engine.c: accepting an op,
 * starting it, ending it (the one call backends use), cancel.
 * engine-handle.c: what happens to a handle's ops when the handle opens,
 * is associated, closes, or loses its port.
 *
 * Each handle has a receive queue and a send queue. Ops of an ordered
 * queue run one at a time, head first (receives fill in posting order,
 * sends never interleave); accepts, datagram sends and file reads and
 * writes run side by side.
 */
#ifndef CPORT_LINUX_ENGINE_H
#define CPORT_LINUX_ENGINE_H

#include "backend.h"
#include "handles.h"
#include "port.h"

/* ------------------------------------------------------------------------ */
/* An op's life (engine.c)                                                   */
/* ------------------------------------------------------------------------ */

/* Starts the record of an op of `kind` on h (h->lock held): 0, or
 * CPORT_EBUSY with op untouched when a racing start has it (cp_op_begin).
 * From 0 on the op ends in cp_engine_submit's paths or a refusal. */
CP_INTERNAL int cp_engine_op_init(cport_op_t *op, struct cp_handle *h,
                                  uint8_t kind);

/*
 * Accepts op (set up by cp_engine_op_init and the caller) on h: holds its
 * completion slot, queues it, and starts it if nothing runs before it.
 * h->lock held. Returns 0 (one completion will come), CPORT_COMPLETED
 * (finished inside the call on a skip-on-success handle: no completion)
 * or the call's error (nothing will be posted).
 */
CP_INTERNAL int cp_engine_submit(struct cp_handle *h, cport_op_t *op);

/*
 * A stream send of a Win32-layer handle (CP_HF_AT_CALL): when the backend
 * prefers it, copies the bytes into cport's send buffer, queues cport's
 * own send of them, and finishes op in the call, as a send the socket's
 * buffer takes does on Windows (engine-sendbuf.c). Returns
 * CP_SEND_NOT_BUFFERED when op should go the usual way, else as
 * cp_engine_submit. h->lock held.
 */
#define CP_SEND_NOT_BUFFERED 2 /* neither 0 nor CPORT_COMPLETED (1) */
CP_INTERNAL int cp_engine_buffer_send(struct cp_handle *h, cport_op_t *op);
/* shutdown(SHUT_WR) of h after its queued sends (buffered, or pending):
 * 1 if queued behind them (it runs as they end), 0 if none are queued
 * (the caller shuts down now), or CPORT_ENOMEM. h->lock held. */
CP_INTERNAL int cp_engine_shutdown_after_sends(struct cp_handle *h);
/* Set by cp_engine_buffer_send when the calling thread must hand its
 * work to the ring now (cp_port_pay_owed), once h->lock is dropped. */
CP_INTERNAL extern CP_TLS bool cp_sendbuf_pay;

/* A buffered send and its bytes, one block (engine-sendbuf.c makes it,
 * engine.c frees it as it ends). */
struct cp_buffered {
  cport_op_t op;
  uint32_t bytes;
  _Alignas(16) unsigned char data[];
};

/* A connect ended cancelled before its outcome: the kernel's attempt
 * would go on, and might yet connect a socket whose program was told it
 * was cancelled (ConnectEx and CancelIoEx), so it is dissolved, and the
 * socket may connect again. h->lock held, the socket open. */
CP_INTERNAL void cp_engine_connect_cancelled(struct cp_handle *h);

/* The handle closes (h->lock held, open, on a port): true if buffered
 * sends still run, in which case its other ops were cancelled and the
 * handle lingers, closed to callers, until they end (engine-handle.c). */
CP_INTERNAL bool cp_engine_linger(struct cp_handle *h);

/* A lingering handle whose last buffered send ended: detach it from its
 * port and close its fd. h->lock held. */
CP_INTERNAL void cp_engine_linger_done(struct cp_handle *h);

/* h leaves its port (the backend lets go, the port's list drops it).
 * h->lock held. */
CP_INTERNAL void cp_engine_detach_locked(struct cp_handle *h);

/* Ends op as finished in its call (status and done set): queues its
 * completion, or on a skip-on-success handle publishes it alone. Its slot
 * is held. Returns as cp_engine_submit. */
CP_INTERNAL int cp_engine_finish_at_call(struct cp_handle *h, cport_op_t *op);

/* An op a layer above runs itself on h (locked, on a port): started, its
 * packet's room held; cp_engine_external_end publishes its result and
 * queues its packet to the port h has then (h->external counts them;
 * cp_engine_move takes their rooms along). Neither queue of h holds it. */
CP_INTERNAL int cp_engine_external_begin(struct cp_handle *h, cport_op_t *op);
CP_INTERNAL void cp_engine_external_end(cport_op_t *op, int status,
                                        uint32_t bytes);
/* Accepts op as already finished inside the call with `status` (a
 * connect refused at once completes through the port, as ConnectEx
 * does). Returns as cp_engine_submit. */
CP_INTERNAL int cp_engine_submit_done(struct cp_handle *h, cport_op_t *op,
                                      int status);

/*
 * A call that cannot even set its op up refuses it: the op's status reads
 * `status` and nothing is posted. Returns status.
 */
CP_INTERNAL int cp_engine_refuse(cport_op_t *op, int status);

/*
 * The one way an op ends, for every backend: its result is in its record
 * (status, done). It leaves its queue (unless orphaned), its result is
 * published, its completion is queued (into b when b is the same port's,
 * else straight into the port), and, if it was at the head, what may start
 * next starts. h->lock held.
 */
CP_INTERNAL void cp_engine_end(struct cp_handle *h, cport_op_t *op,
                               struct cp_batch *b);

/* Starts what may start on q (readiness, data, or room arrived). h->lock
 * held; b is the progress thread's batch or NULL. */
CP_INTERNAL void cp_engine_kick(struct cp_handle *h, struct cp_opq *q,
                                struct cp_batch *b);

/* The queue an op of h belongs on. */
CP_INTERNAL struct cp_opq *cp_engine_queue_of(struct cp_handle *h,
                                              const cport_op_t *op);

/*
 * Cancels the ops of q (all, or only `one`). `orphan`: the handle is
 * closing or losing its port: the ops leave the queue now and nothing
 * touches the handle for them later. h->lock held. Returns how many were
 * asked to stop.
 */
CP_INTERNAL unsigned cp_engine_cancel_locked(struct cp_handle *h,
                                             struct cp_opq *q, cport_op_t *one,
                                             bool orphan);

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
CP_INTERNAL extern CP_TLS struct cp_inline cp_last_inline;

/* The Win32 layer's event signaller (NULL until it registers). */
CP_INTERNAL extern void (*cp_event_hook)(void *event);
/* Told before such an op publishes its result (NULL until it registers). */
CP_INTERNAL extern void (*cp_event_ending_hook)(void *event);
/* The handle whose file object event an ending op of the layer's sets:
 * its own, for an op without an event (NULL when the handle was closed:
 * its slot may serve another use of the fd), with the count of ops
 * started on it so far in *starts. Read before the op's result is
 * published, set after it (cp_engine_set_file_event), so that a thread
 * the event releases finds the result written, and an op started in
 * between leaves the event reset, as its start does on Windows. */
static inline struct cp_handle *cp_engine_file_event_of(const struct cp_lop *l,
                                                        const void *event,
                                                        uint32_t *starts) {
  if (!(l->flags & CP_OPF_NT) || event != NULL || (l->flags & CP_OPF_ORPHAN))
    return NULL;
  *starts = __atomic_load_n(&l->h->io_starts, __ATOMIC_ACQUIRE);
  return l->h;
}
/* Sets h's file object event, as of `starts` ops started (h NULL:
 * nothing). */
static inline void cp_engine_set_file_event(struct cp_handle *h,
                                            uint32_t starts) {
  if (h != NULL)
    __atomic_store_n(&h->io_signal, starts + 1, __ATOMIC_RELEASE);
}
/* The layer's hook for an accept that ends with a connection
 * (cport__accept_ex), or NULL. */
CP_INTERNAL extern void (*cp_accept_hook)(int fd, const uintptr_t word[3]);

/* Signals op's event (op->event, bit 0 masked off), if it has one and a
 * signaller is registered; an acquire load, as the hook may be registered
 * while ops run on other threads. */
static inline void cp_engine_signal_event(void *ev) {
  void (*hook)(void *) = __atomic_load_n(&cp_event_hook, __ATOMIC_ACQUIRE);
  if (ev != NULL && hook != NULL)
    hook((void *)((uintptr_t)ev & ~(uintptr_t)1));
}

/* Tells the layer, before an op with event ev publishes its result, that
 * its event's signal (cp_engine_signal_event) follows. */
static inline void cp_engine_event_ending(void *ev) {
  if (ev == NULL)
    return; /* (most ops: no load of the hook) */
  void (*hook)(void *) =
      __atomic_load_n(&cp_event_ending_hook, __ATOMIC_ACQUIRE);
  if (hook != NULL)
    hook((void *)((uintptr_t)ev & ~(uintptr_t)1));
}

/* Whether an event can be signalled at all (a signaller registered). */
static inline bool cp_engine_has_event_hook(void) {
  return __atomic_load_n(&cp_event_hook, __ATOMIC_ACQUIRE) != NULL;
}

/* ------------------------------------------------------------------------ */
/* A handle's life (engine-handle.c)                                         */
/* ------------------------------------------------------------------------ */

/* Gives a new fd created by cport (socket, accept, file open) its slot.
 * Returns 0, CPORT_EMFILE or CPORT_ENOMEM (fd left open). */
CP_INTERNAL int cp_engine_open(int fd, uint8_t type, uint8_t family,
                               uint16_t flags);

/* cport_associate. */
CP_INTERNAL int cp_engine_associate(struct cport *p, int fd, uintptr_t key,
                                    unsigned flags);
/* Adds CP_HF_SKIP (and such) to fd's handle, associated or not. */
CP_INTERNAL int cp_engine_set_flags(int fd, uint16_t flags);

/* Puts socket `from` in place of `target`, keeping target's association
 * (the porting layer's AcceptEx and socket reuse). */
CP_INTERNAL int cp_engine_replace(int target, int from, bool connected);
/* File fd, on port `from` with no op queued or running (but external
 * ones, whose held slots move along), joins port `to` with `key` instead
 * (its modes kept). Returns 0, CPORT_ENOMEM (no room on `to` for the
 * external ops' packets), CPORT_EEXIST (not on
 * `from`, or not a file), CPORT_EBUSY (ops of its own still run),
 * CPORT_ECLOSED, or the backend's error (it stays on `from` then). */
CP_INTERNAL int cp_engine_move(struct cport *from, struct cport *to, int fd,
                               uintptr_t key);

/* cport_closesocket / cport_file_close. */
CP_INTERNAL int cp_engine_close(cport_handle_t s);

/* The port closes: each of its handles loses it; their pending ops end
 * with CPORT_ECLOSED (no completion: the queue is gone). */
CP_INTERNAL void cp_engine_detach_port(struct cport *p);

/* What a handle must be for a call. */
enum {
  CP_WANT_SOCKET = 1,
  CP_WANT_FILE = 2,
  CP_WANT_STREAM_PEER = 3,
  CP_WANT_ANY = 4 /* a socket or a file (the layer's external ops) */
};
/* Locks and returns the handle of s, open, associated and as wanted; or
 * NULL with *rc set (CPORT_EBADF, CPORT_EINVAL: not associated,
 * CPORT_ENOTSOCK, CPORT_EOPNOTSUPP, CPORT_ENOTCONN). The wake-ups the call
 * causes wait until cp_engine_unlock() (cp_port_wakes_hold). */
CP_INTERNAL struct cp_handle *cp_engine_lock(cport_handle_t s, int want,
                                             int *rc);
/* Unlocks a handle cp_engine_lock() returned and issues its wake-ups. */
static inline void cp_engine_unlock(struct cp_handle *h) {
  cp_unlock(&h->lock);
  cp_port_wakes_release();
}

CP_INTERNAL bool cp_engine_connected(struct cp_handle *h);
/* cport_disconnect; with reuse, a connection already ended both ways is
 * no error (socket.c; DisconnectEx with TF_REUSE_SOCKET). */
CP_INTERNAL int cp_disconnect(cport_handle_t s, bool reuse, cport_op_t *op);
CP_INTERNAL bool cp_engine_listening(struct cp_handle *h);

/* An accept took fd: it gets a slot and becomes the op's result socket.
 * On failure fd is closed and the error returned. */
CP_INTERNAL int cp_engine_accept_setup(struct cp_handle *listener,
                                       cport_op_t *op, int fd);
/* Closes the socket an unfinished accept had taken. */
CP_INTERNAL void cp_engine_accept_drop(cport_op_t *op);

#endif
