/*
 * sockio.h - non-blocking attempts of socket operations and the end of an
 * operation's life (sockio.c), shared by both Linux backends.
 */
#ifndef CPORT_LINUX_SOCKIO_H
#define CPORT_LINUX_SOCKIO_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "handle.h"

/* Results of an attempt. The status is left in op->internal. */
enum {
  CP_TRY_DONE = 0,   /* finished (success or an error to complete with) */
  CP_TRY_AGAIN = 1,  /* would block: wait for readiness / the kernel */
  CP_TRY_REJECT = 2, /* failed before anything happened: at call time this
                        is the call's error and nothing is posted */
};

/* One attempt at op, h->lock held. */
CP_INTERNAL int cp_try(struct cp_handle *h, cport_op_t *op);
CP_INTERNAL int cp_try_accept_data(cport_op_t *op);
CP_INTERNAL int cp_try_disconnect(struct cp_handle *h, cport_op_t *op);
CP_INTERNAL int cp_connect_check(struct cp_handle *h, cport_op_t *op);

/* Records a receive of n bytes (n may exceed want for a truncated
 * datagram read with MSG_TRUNC). */
CP_INTERNAL int cp_recv_result(struct cp_handle *h, cport_op_t *op, ssize_t n,
                               size_t want);
/* Stores the source address length of a recvfrom. */
CP_INTERNAL void cp_recvfrom_addrlen(cport_op_t *op, uint32_t namelen);

CP_INTERNAL int cp_send_errno(const struct cp_handle *h, int err);
CP_INTERNAL bool cp_connect_error_is_outcome(int err);

/* The accepted socket gets a handle slot; on failure fd is closed. */
CP_INTERNAL int cp_accept_setup(struct cp_handle *listener, cport_op_t *op,
                                int fd);
/* Close the socket an unfinished accept had taken. */
CP_INTERNAL void cp_accept_drop(cport_op_t *op);

CP_INTERNAL size_t cp_bufs_total(const cport_buf_t *b, unsigned n);
CP_INTERNAL void cp_bufs_consume(struct cp_lop *l, size_t n);
CP_INTERNAL bool cp_bufs_left(struct cp_lop *l);
/* The op's msghdr, pointing at the buffers still to fill or send. */
CP_INTERNAL struct msghdr *cp_op_msghdr(struct cp_lop *l);

/* Releases what the op holds (heap buffers, kernel work count, an
 * accepted socket on failure) and records the byte count. */
CP_INTERNAL void cp_op_release(cport_op_t *op);
/* Release, mark idle, and queue the completion (into b when it is for the
 * same port, else straight to the port). */
CP_INTERNAL void cp_op_finish(cport_op_t *op, struct cp_batch *b);

#endif
