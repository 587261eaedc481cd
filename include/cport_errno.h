/**
 * @file cport_errno.h
 * @brief The error codes of cport, their names and messages, and the
 * errors every operation may return. Included by cport.h; include that.
 */
#ifndef CPORT_ERRNO_H
#define CPORT_ERRNO_H

#ifndef CPORT_H
#  error "include <cport.h>, which includes this header"
#endif

/**
 * @defgroup cport_errors Error codes
 * @brief Every code a cport function returns, and their names and
 * messages.
 * @{
 */

/**
 * The list of error codes, as an X-macro: `XX(name, value, message)` for
 * each code, where `CPORT_##name` is the enumerator of #cport_errno.
 *
 * The values are the Linux errno numbers, negated, on every platform, so a
 * code means the same thing everywhere. Use it to build your own tables:
 * @code
 * #define MY_CASE(name, value, msg) case CPORT_##name: return #name;
 * switch (err) { CPORT_ERRNO_MAP(MY_CASE) }
 * @endcode
 * @param XX a macro taking (name, value, message)
 */
#define CPORT_ERRNO_MAP(XX)                                   \
  XX(EPERM, -1, "operation not permitted")                    \
  XX(ENOENT, -2, "no such file or directory")                 \
  XX(EINTR, -4, "interrupted system call")                    \
  XX(EIO, -5, "i/o error")                                    \
  XX(EBADF, -9, "bad file descriptor or handle")              \
  XX(EAGAIN, -11, "resource temporarily unavailable")         \
  XX(ENOMEM, -12, "not enough memory")                        \
  XX(EACCES, -13, "permission denied")                        \
  XX(EFAULT, -14, "bad address in system call argument")      \
  XX(EBUSY, -16, "resource busy (operation still in flight)") \
  XX(EEXIST, -17, "file already exists")                      \
  XX(ENOTDIR, -20, "not a directory")                         \
  XX(EISDIR, -21, "is a directory")                           \
  XX(EINVAL, -22, "invalid argument")                         \
  XX(ENFILE, -23, "file table overflow")                      \
  XX(EMFILE, -24, "too many open files")                      \
  XX(EFBIG, -27, "file too large")                            \
  XX(ENOSPC, -28, "no space left on device")                  \
  XX(ESPIPE, -29, "invalid seek")                             \
  XX(EPIPE, -32, "broken pipe")                               \
  XX(ENAMETOOLONG, -36, "name too long")                      \
  XX(ENOSYS, -38, "function not implemented by this backend") \
  XX(ELOOP, -40, "too many symbolic links encountered")       \
  XX(ENOTSOCK, -88, "socket operation on non-socket")         \
  XX(EDESTADDRREQ, -89, "destination address required")       \
  XX(EMSGSIZE, -90, "message too long")                       \
  XX(EPROTOTYPE, -91, "protocol wrong type for socket")       \
  XX(ENOPROTOOPT, -92, "protocol not available")              \
  XX(EPROTONOSUPPORT, -93, "protocol not supported")          \
  XX(EOPNOTSUPP, -95, "operation not supported on socket")    \
  XX(EAFNOSUPPORT, -97, "address family not supported")       \
  XX(EADDRINUSE, -98, "address already in use")               \
  XX(EADDRNOTAVAIL, -99, "address not available")             \
  XX(ENETDOWN, -100, "network is down")                       \
  XX(ENETUNREACH, -101, "network is unreachable")             \
  XX(ECONNABORTED, -103, "connection aborted")                \
  XX(ECONNRESET, -104, "connection reset by peer")            \
  XX(ENOBUFS, -105, "no buffer space available")              \
  XX(EISCONN, -106, "socket is already connected")            \
  XX(ENOTCONN, -107, "socket is not connected")               \
  XX(ESHUTDOWN, -108, "cannot send after socket shutdown")    \
  XX(ETIMEDOUT, -110, "timed out")                            \
  XX(ECONNREFUSED, -111, "connection refused")                \
  XX(EHOSTUNREACH, -113, "host is unreachable")               \
  XX(EALREADY, -114, "operation already in progress")         \
  XX(EINPROGRESS, -115, "operation in progress")              \
  XX(ECANCELED, -125, "operation canceled")                   \
  XX(EUNKNOWN, -4093, "unknown system error")                 \
  XX(ECLOSED, -4094, "port closed")                           \
  XX(EOF, -4095, "end of file")

/**
 * The error codes: negative values, `CPORT_E*`, one for each entry of
 * #CPORT_ERRNO_MAP, and the one positive result #CPORT_COMPLETED.
 *
 * A function returns 0 on success, a code below 0 on failure. The message
 * of a code is what cport_strerror() returns for it.
 */
enum cport_errno {
#define CPORT_ERR_ENUM_(name, value, msg) CPORT_##name = (value),
  CPORT_ERRNO_MAP(CPORT_ERR_ENUM_)
#undef CPORT_ERR_ENUM_
  /** Positive: the operation finished inside the call and, because the
   * handle was associated with #CPORT_SKIP_ON_SUCCESS, no completion is
   * posted. The results are in the op: cport_op_status(),
   * cport_op_bytes(). */
  CPORT_COMPLETED = 1
};

/**
 * The message of an error code.
 *
 * @param err a `CPORT_E*` code, 0 or #CPORT_COMPLETED
 * @return A static string, never NULL: the code's message (e.g. "connection
 *         reset by peer"), "success" for 0, or "unknown error" for any
 *         other value. This call cannot fail.
 * @sa cport_err_name()
 */
CPORT_API const char *cport_strerror(int err);

/**
 * The name of an error code, as written in the source.
 *
 * @param err a `CPORT_E*` code, 0 or #CPORT_COMPLETED
 * @return A static string, never NULL: the name of the code (e.g.
 *         "CPORT_ECONNRESET"), "0" for 0, or "CPORT_E?" for any other
 *         value. This call cannot fail.
 * @sa cport_strerror()
 */
CPORT_API const char *cport_err_name(int err);

/** @} */

/**
 * @defgroup cport_common_errors Common errors of operations
 * @brief What every call that starts an operation may return.
 *
 * Every call that takes a cport_op_t starts an operation: cport_accept(),
 * cport_connect(), cport_recv(), cport_send(), cport_recvfrom(),
 * cport_sendto(), cport_disconnect(), cport_read(), cport_write(),
 * cport_transmit_file() and cport_timer(). The op must be idle: zeroed
 * before its first use, or its previous completion already taken.
 *
 * What the call returns says what happens next:
 * - 0: exactly one completion will arrive through the port the handle is
 *   associated with, with the op, the handle's key, the bytes and the
 *   status of the operation (a failure of the operation itself, such as a
 *   refused connection, arrives that way too);
 * - #CPORT_COMPLETED (handles associated with #CPORT_SKIP_ON_SUCCESS
 *   only): the operation finished inside the call and nothing will be
 *   posted; read the results with cport_op_status() and cport_op_bytes();
 * - a negative code: the call failed and nothing will be posted.
 *
 * Besides the errors listed with each call, every one of them may fail
 * with:
 * - #CPORT_EINVAL: `op` is NULL, an argument is out of range, or the
 *   handle is not associated with a port;
 * - #CPORT_EBUSY: `op` is still in flight (its completion was not taken
 *   yet);
 * - #CPORT_EBADF: the handle is not open;
 * - #CPORT_ENOTSOCK: a socket call was given a file;
 * - #CPORT_EOPNOTSUPP: the socket is of the wrong type for the call (a
 *   datagram socket where a stream is needed, or the other way round);
 * - #CPORT_ENOMEM: out of memory;
 * - #CPORT_ECLOSED: the port the handle is associated with is closed.
 */

#endif /* CPORT_ERRNO_H */
