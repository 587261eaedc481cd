/*
 * engine-diag.h - the fault mode and the completion trace applied to ops
 * (layer 3). engine.c, engine-handle.c and socket.c call these at their
 * hook points, each behind one branch on cp_diag_on (diag.h); each looks
 * at the op's port and does nothing for a port with neither mode on.
 *
 * The faults, and where they are injected (docs/testing.md says what
 * each means on Windows):
 *   split    at the call: a stream receive's buffer array (cport's copy)
 *            is cut, so the backend receives or copies less; the rest of
 *            the data stays for the next receive, in order.
 *   nobufs   at the call: a send, sendto, transmit or connect fails with
 *            CPORT_ENOBUFS, a read or write with CPORT_ENOMEM; nothing
 *            is posted.
 *   refuse   at the call: a connect completes with CPORT_ECONNREFUSED
 *            without reaching the network.
 *   abort    at the call: an accept completes with CPORT_ECONNABORTED
 *            or CPORT_ECONNRESET; the waiting connection stays queued for
 *            the next accept.
 *   reset    at a receive or send call on a chosen connection: the
 *            connection is shut down both ways and marked reset; every
 *            op of it that ends without data from then on ends with
 *            CPORT_ECONNRESET, sends fail at the call.
 *   pending  when an op finished inside its call: it completes through
 *            the port instead (no CPORT_COMPLETED), after a hold.
 *   delay    when an op ends: its completion is held (diag.h's delay
 *            line), its op still busy.
 */
#ifndef CPORT_LINUX_ENGINE_DIAG_H
#define CPORT_LINUX_ENGINE_DIAG_H

#include "diag.h"
#include "engine.h"

/* cp_engine_op_init: the op's ticket. */
CP_INTERNAL void cp_engine_diag_begin(cport_op_t *op);

/* cp_engine_submit, before anything else (h->lock held): 0 to go on; a
 * CPORT_E* code the call fails with (nothing posted); or CP_DIAG_DONE:
 * the op ends inside the call with the status in its record (an aborted
 * accept), as cp_engine_submit_done() ends it. */
#define CP_DIAG_DONE 1
CP_INTERNAL int cp_engine_diag_submit(struct cp_handle *h, cport_op_t *op);

/* cport_connect, before connect(): an errno value to act on instead
 * (ECONNREFUSED: the network's answer, ENOBUFS: the call fails), or 0.
 * h->lock held. */
CP_INTERNAL int cp_engine_diag_connect(struct cp_handle *h, cport_op_t *op);
/* A receive the Win32 layer makes in the call on stream socket h (recv
 * after a zero-byte WSARecv): the length the fault mode's split lets it
 * read (len, or from 1 to len - 1). h->lock held. */
CP_INTERNAL size_t cp_engine_diag_cut(struct cp_handle *h, size_t len);

/* An op finished inside its call (h->lock held): its status after a
 * reset; true if it must complete through the port instead. */
CP_INTERNAL bool cp_engine_diag_inline(struct cp_handle *h, cport_op_t *op);

/*
 * The op ends (finish() in engine.c, its result in its record, *status
 * the one to publish): its status after a reset, its trace record, and
 * perhaps a hold. True if held: the delay line ends it later. `queued`:
 * its completion goes to the port. b: the caller's batch, or NULL.
 */
CP_INTERNAL bool cp_engine_diag_finish(cport_op_t *op, int *status, bool queued,
                                       struct cp_batch *b);

/* The delay line hands a held op over (cp_diag_deliver_fn). */
CP_INTERNAL void cp_engine_diag_deliver(cport_op_t *op);

/* Trace records: an op's start ('S'), its failure at the call after it
 * was accepted ('F'), its end without a completion ('I'). */
CP_INTERNAL void cp_engine_diag_event(cport_op_t *op, char ev, int status);
/* A cancel ('X', op may be NULL) or a close ('K') of h. h->lock held. */
CP_INTERNAL void cp_engine_diag_handle(struct cp_handle *h,
                                       const cport_op_t *op, char ev);

#endif
