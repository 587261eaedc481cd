/*
 * sockio.h - non-blocking attempts of socket operations (layer 4), shared
 * by both Linux backends. Each records the op's result in its record and
 * returns a CP_TRY_* value (backend.h); none ends the op.
 */
#ifndef CPORT_LINUX_SOCKIO_H
#define CPORT_LINUX_SOCKIO_H

#include <stdbool.h>
#include <sys/types.h>

#include "backend.h"
#include "handles.h"

/* One attempt at op, h->lock held. */
CP_INTERNAL int cp_try(struct cp_handle *h, cport_op_t *op);
/* The same for a receive (CP_OP_RECV) or a send (CP_OP_SEND). */
CP_INTERNAL int cp_try_recv(struct cp_handle *h, cport_op_t *op);
CP_INTERNAL int cp_try_send(struct cp_handle *h, cport_op_t *op);
CP_INTERNAL int cp_try_accept_data(cport_op_t *op);
CP_INTERNAL int cp_try_disconnect(struct cp_handle *h, cport_op_t *op);
/* Whether a connect in progress finished (status set) or not (AGAIN). */
CP_INTERNAL int cp_connect_check(struct cp_handle *h, cport_op_t *op);

/* Records a receive of n bytes (n may exceed want for a truncated
 * datagram read with MSG_TRUNC). A filling receive (CP_OPF_FILL) that
 * still has room after n > 0 bytes returns CP_TRY_AGAIN: its buffers
 * and done moved on, and it waits for more. */
CP_INTERNAL int cp_recv_result(struct cp_handle *h, cport_op_t *op, ssize_t n,
                               size_t want);
/* Stores the source address length of a recvfrom. */
CP_INTERNAL void cp_recvfrom_addrlen(cport_op_t *op, uint32_t namelen);

/* The status a send failing with errno err completes with. */
CP_INTERNAL int cp_send_errno(const struct cp_handle *h, int err);
/* Takes the oldest ICMP report off fd's error queue (a datagram socket
 * with IP_RECVERR on): its errno, or 0 when there was none. */
CP_INTERNAL int cp_icmp_report_take(int fd);
/* Turns ICMP reports on for a new datagram socket of this family (IPv4 and
 * IPv6 only), as Windows has them: cport_socket. */
CP_INTERNAL void cp_icmp_reports_on(int fd, int family);
/* A datagram socket's receive (recv_side) or send failing with errno err,
 * once an ICMP report it ran into, if any, left the socket's error queue:
 * 0 when the call should be made again (a report passed over), else the
 * status to end with (CPORT_ECONNREFUSED for an unreachable port). */
CP_INTERNAL int cp_dgram_error(const struct cp_handle *h, int err,
                               bool recv_side);
/* The status a receive or send on h failing with errno err ends with, 0
 * for "make the call again" (datagram sockets, cp_dgram_error). */
CP_INTERNAL int cp_recv_error(const struct cp_handle *h, int err);
CP_INTERNAL int cp_send_error(const struct cp_handle *h, int err);
/* Connect failures that are the network's answer, completed through the
 * port (like ConnectEx); anything else is the caller's mistake. */
CP_INTERNAL bool cp_connect_error_is_outcome(int err);

#endif
