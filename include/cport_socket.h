/**
 * @file cport_socket.h
 * @brief The socket calls of cport: create, accept, connect, receive,
 * send, disconnect, cancel and close. Included by cport.h; include that.
 */
#ifndef CPORT_SOCKET_H
#define CPORT_SOCKET_H

#ifndef CPORT_H
#  error "include <cport.h>, which includes this header"
#endif

/**
 * @defgroup cport_sockets Sockets
 * @brief Overlapped sockets: accept, connect, receive, send, disconnect,
 * cancel and close.
 *
 * Every operation below takes an idle cport_op_t; what its return means
 * and the errors every one may return: @ref cport_common_errors.
 * @{
 */

/**
 * Create a socket ready for the port.
 *
 * The socket is non-blocking where that matters, overlapped on Windows,
 * and never inherited by child processes. Associate it with a port (cport_associate()) before starting
 * operations on it; bind() and listen() are the system's own. A UDP
 * socket reports an ICMP "port unreachable" that one of its datagrams drew
 * on every platform, as Windows does: its next receive fails once with
 * #CPORT_ECONNREFUSED (on Linux cport turns `IP_RECVERR` on; a report
 * that a send runs into first is passed over and the send goes out).
 *
 * @param family AF_INET, AF_INET6, ... (the system's values)
 * @param type SOCK_STREAM or SOCK_DGRAM
 * @param protocol 0, or the system's protocol number
 * @param[out] out the new socket (only on success)
 * @retval 0 created
 * @retval CPORT_EINVAL `out` is NULL or `type` is neither SOCK_STREAM nor
 *         SOCK_DGRAM
 * @retval CPORT_EAFNOSUPPORT the family is not supported
 * @retval CPORT_EMFILE the process is out of descriptors
 * @return Other system errors as they come (CPORT_EPROTONOSUPPORT,
 *         CPORT_ENOBUFS, ...).
 * @sa cport_associate(), cport_closesocket()
 */
CPORT_API int cport_socket(int family, int type, int protocol,
                           cport_handle_t *out);

/**
 * Close a socket.
 *
 * Each operation still pending on it completes exactly once, with
 * #CPORT_ECANCELED (or its real result if it had already finished); none
 * completes after that, and the handle value may be reused at once.
 * Nothing is posted if nothing was pending. The socket leaves its port.
 *
 * @param s the socket
 * @retval 0 closed
 * @retval CPORT_EBADF `s` is not an open socket
 * @return Other system errors of the close, as they come (the socket is
 *         closed all the same).
 * @sa cport_cancel(), cport_socket()
 */
CPORT_API int cport_closesocket(cport_handle_t s);

/**
 * Accept a connection on a listening socket, like AcceptEx.
 *
 * The completion carries the listener's key; cport_op_socket() gives the
 * new socket, which is not associated with any port yet, and
 * cport_op_addresses() its addresses. With `len` above 0 the op completes
 * only once the peer has sent data (bytes = how much landed in `buf`), or
 * has closed (bytes = 0). Several accepts may be pending on one listener;
 * each takes one connection.
 *
 * @param listener a listening stream socket, associated with a port
 * @param buf where the first data goes; may be NULL when `len` is 0; must
 *        stay valid until the completion
 * @param len size of `buf`: 0 to complete as soon as a connection arrives
 * @param op an idle op
 * @retval 0 one completion will follow
 * @retval CPORT_COMPLETED finished inside the call (skip-on-success)
 * @retval CPORT_EINVAL `buf` is NULL with `len` above 0, or the socket
 *         is not listening
 * @retval CPORT_EOPNOTSUPP `listener` is a datagram socket
 * @return Or one of the @ref cport_common_errors. In the completion:
 *         #CPORT_EMFILE when out of descriptors for the new socket,
 *         #CPORT_ECANCELED when canceled.
 * @sa cport_op_socket(), cport_op_addresses(), cport_cancel()
 */
CPORT_API int cport_accept(cport_handle_t listener, void *buf, uint32_t len,
                           cport_op_t *op);

/**
 * Connect, like ConnectEx, then send `len` bytes of `data` if given.
 *
 * The completion's bytes count the data sent. A refused connection
 * completes with #CPORT_ECONNREFUSED. Stream sockets; datagram sockets just
 * set their peer (no data). The socket need not be bound.
 *
 * @param s a socket, associated with a port
 * @param to the address to connect to (read during the call only)
 * @param tolen size of `*to` in bytes
 * @param data what to send once connected; may be NULL when `len` is 0;
 *        must stay valid until the completion
 * @param len bytes of `data`
 * @param op an idle op
 * @retval 0 one completion will follow
 * @retval CPORT_COMPLETED finished inside the call (skip-on-success)
 * @retval CPORT_EINVAL `to` is NULL, `tolen` is not a sockaddr size,
 *         `data` is NULL with `len` above 0, or the socket is listening
 * @retval CPORT_EALREADY a connect is already in progress on `s`
 * @retval CPORT_EISCONN the stream socket is connected already
 * @retval CPORT_EOPNOTSUPP data given for a datagram socket
 * @return Or one of the @ref cport_common_errors, or a system error of the
 *         connect itself (CPORT_EAFNOSUPPORT, ...). In the completion:
 *         #CPORT_ECONNREFUSED, #CPORT_ETIMEDOUT, #CPORT_ENETUNREACH,
 *         #CPORT_EHOSTUNREACH, #CPORT_ECANCELED.
 * @sa cport_disconnect(), cport_send()
 */
CPORT_API int cport_connect(cport_handle_t s, const struct sockaddr *to,
                            int tolen, const void *data, uint32_t len,
                            cport_op_t *op);

/**
 * Receive into n buffers, like WSARecv.
 *
 * The array is copied; the buffers must stay valid until the completion.
 * Several pending receives on a socket are filled in the order they were
 * posted. If every buffer has length 0 the op completes with 0 bytes when
 * data is available and leaves it queued. On a stream, 0 bytes with status
 * 0 means the peer closed gracefully. A datagram larger than the buffers
 * completes with #CPORT_EMSGSIZE and the bytes that fit.
 *
 * @param s a connected stream socket or a datagram socket, associated
 *        with a port
 * @param bufs the buffers, filled in order
 * @param n number of buffers, 1 to 1024
 * @param op an idle op
 * @retval 0 one completion will follow
 * @retval CPORT_COMPLETED finished inside the call (skip-on-success)
 * @retval CPORT_EINVAL `bufs` is NULL, `n` is 0 or above 1024, a buffer
 *         has a NULL base and a length, or the lengths add up to more
 *         than 4 GiB - 1
 * @retval CPORT_ENOTCONN a stream socket that is not connected
 * @retval CPORT_ECONNRESET the peer reset the connection before the call
 *         (a stream that saw a reset keeps failing with it, as on Windows)
 * @return Or one of the @ref cport_common_errors. In the completion:
 *         #CPORT_ECONNRESET, #CPORT_EMSGSIZE, #CPORT_ECANCELED.
 * @sa cport_recvfrom(), cport_send()
 */
CPORT_API int cport_recv(cport_handle_t s, cport_buf_t *bufs, unsigned n,
                         cport_op_t *op);

/**
 * Send n buffers, gathered, like WSASend.
 *
 * The array is copied; the buffers must stay valid until the completion.
 * Completes when every byte was sent, or with an error and the count so
 * far. Sends on a socket go out in posting order and never interleave.
 *
 * @param s a connected socket, associated with a port
 * @param bufs the buffers, sent in order
 * @param n number of buffers, 1 to 1024
 * @param op an idle op
 * @retval 0 one completion will follow
 * @retval CPORT_COMPLETED finished inside the call (skip-on-success)
 * @retval CPORT_EINVAL `bufs` is NULL, `n` is 0 or above 1024, a buffer
 *         has a NULL base and a length, or the lengths add up to more
 *         than 4 GiB - 1
 * @retval CPORT_ENOTCONN the socket is not connected
 * @retval CPORT_ESHUTDOWN the send side was shut down (cport_disconnect())
 * @retval CPORT_ECONNRESET the peer reset the connection before the call
 * @return Or one of the @ref cport_common_errors. In the completion:
 *         #CPORT_ECONNRESET, #CPORT_EPIPE, #CPORT_ECANCELED.
 * @sa cport_recv(), cport_sendto(), cport_transmit_file()
 */
CPORT_API int cport_send(cport_handle_t s, const cport_buf_t *bufs, unsigned n,
                         cport_op_t *op);

/**
 * Receive a datagram and its source address, like WSARecvFrom.
 *
 * `from` and `*fromlen` must stay valid until the completion, when
 * `*fromlen` holds the address length. A truncated datagram completes with
 * #CPORT_EMSGSIZE and the bytes that fit. An ICMP "port unreachable" one
 * of the socket's datagrams drew fails the next receive once with
 * #CPORT_ECONNREFUSED, at the call or in the completion (cport_socket()).
 *
 * @param s a datagram socket, associated with a port
 * @param bufs the buffers, filled in order
 * @param n number of buffers, 1 to 1024
 * @param[out] from where the source address goes; may be NULL
 * @param[in,out] fromlen size of `*from` on the call, the address length
 *        in the completion; needed when `from` is given
 * @param op an idle op
 * @retval 0 one completion will follow
 * @retval CPORT_COMPLETED finished inside the call (skip-on-success)
 * @retval CPORT_EINVAL the buffers are invalid (as for cport_recv()), or
 *         `from` is given without a positive `*fromlen`
 * @retval CPORT_EOPNOTSUPP `s` is a stream socket
 * @retval CPORT_ECONNREFUSED an ICMP "port unreachable" was waiting
 * @return Or one of the @ref cport_common_errors. In the completion:
 *         #CPORT_EMSGSIZE, #CPORT_ECONNREFUSED, #CPORT_ECANCELED.
 * @sa cport_sendto(), cport_recv()
 */
CPORT_API int cport_recvfrom(cport_handle_t s, cport_buf_t *bufs, unsigned n,
                             struct sockaddr *from, int *fromlen,
                             cport_op_t *op);

/**
 * Send a datagram, like WSASendTo.
 *
 * `to` is copied (at most 32 bytes, e.g. a sockaddr_in6); an IPv4 or IPv6
 * address may come in a larger buffer (a sockaddr_storage, as Windows code
 * passes it), of which only its family's size is used. With `to` NULL the
 * datagram goes to the connected peer.
 *
 * @param s a datagram socket, associated with a port
 * @param bufs the buffers, gathered into one datagram
 * @param n number of buffers, 1 to 1024
 * @param to the destination, or NULL for the connected peer
 * @param tolen size of `*to`: 1 to 32 bytes, or more for an IPv4 or IPv6
 *        address; ignored when `to` is NULL
 * @param op an idle op
 * @retval 0 one completion will follow
 * @retval CPORT_COMPLETED finished inside the call (skip-on-success)
 * @retval CPORT_EINVAL the buffers are invalid (as for cport_send()), or
 *         `tolen` is out of range or shorter than its family's address
 *         (Windows: #CPORT_EFAULT)
 * @retval CPORT_EMSGSIZE more bytes than one datagram carries (IPv4
 *         65,507, IPv6 65,527)
 * @retval CPORT_EAFNOSUPPORT `to` is of a family the socket cannot send to
 * @retval CPORT_EOPNOTSUPP `s` is a stream socket
 * @retval CPORT_ENOTCONN `to` is NULL and the socket has no peer
 * @retval CPORT_ESHUTDOWN the send side was shut down
 * @return Or one of the @ref cport_common_errors. In the completion:
 *         #CPORT_EMSGSIZE (too large for a route with IP options),
 *         #CPORT_ECANCELED.
 * @sa cport_recvfrom(), cport_send()
 */
CPORT_API int cport_sendto(cport_handle_t s, const cport_buf_t *bufs,
                           unsigned n, const struct sockaddr *to, int tolen,
                           cport_op_t *op);

/**
 * Shut the send side down gracefully, like DisconnectEx.
 *
 * Once the sends posted before it are done, the send side is shut down
 * (DisconnectEx without TF_REUSE_SOCKET); the peer's receive then
 * completes with 0 bytes. The socket stays open: close it with
 * cport_closesocket().
 *
 * @param s a connected stream socket, associated with a port
 * @param flags must be 0
 * @param op an idle op
 * @retval 0 one completion will follow
 * @retval CPORT_COMPLETED finished inside the call (skip-on-success)
 * @retval CPORT_EINVAL `flags` is not 0
 * @retval CPORT_ENOTCONN the socket is not connected
 * @retval CPORT_ECONNRESET the peer reset the connection before the call
 * @retval CPORT_EOPNOTSUPP `s` is a datagram socket
 * @return Or one of the @ref cport_common_errors. In the completion:
 *         #CPORT_ECONNRESET (the peer reset the connection first),
 *         #CPORT_ECANCELED.
 * @sa cport_closesocket(), cport_transmit_file()
 */
CPORT_API int cport_disconnect(cport_handle_t s, unsigned flags,
                               cport_op_t *op);

/**
 * Cancel one pending op of a handle, or all of them, like CancelIoEx.
 *
 * Each canceled op completes with #CPORT_ECANCELED, or with its real result
 * if it finished first. Other ops are unaffected. Works on sockets and
 * files; timers have cport_timer_cancel().
 *
 * @param h the socket or file
 * @param op the op to cancel, or NULL for every op pending on `h`
 * @retval 0 the op (or ops) will complete
 * @retval CPORT_ENOENT nothing matching was pending (also under Wine, which
 *         reports success there; see docs/windows.md)
 * @retval CPORT_EBADF `h` is not an open handle
 * @sa cport_closesocket(), cport_timer_cancel()
 */
CPORT_API int cport_cancel(cport_handle_t h, cport_op_t *op);

/** @} */

#endif /* CPORT_SOCKET_H */
