/**
 * @file cport.h
 * @brief One completion-port API for Windows (IOCP) and Linux (io_uring or
 * epoll).
 *
 * Server code written against this header runs in the IOCP style on every
 * backend: operations are started with a cport_op_t, and each operation that
 * was accepted (returned 0) produces exactly one completion that a worker
 * thread takes from the port with cport_get() or cport_get_many().
 *
 * This header includes no operating-system header. Socket addresses are
 * passed as `struct sockaddr`, which is only forward-declared here.
 *
 * All functions return 0 (or a positive documented value) on success and a
 * negative `CPORT_E*` code on failure (see #cport_errno, in cport_errno.h,
 * which this header includes). On Linux the codes are -errno values; on
 * Windows the system codes are mapped to the same values.
 *
 * Each function also has a manual page (`man cport_create`); `man 7 cport`
 * is the overview.
 */
#ifndef CPORT_H
#define CPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @cond CPORT_INTERNAL */
#if defined(_WIN32)
#  if defined(CPORT_BUILDING)
#    define CPORT_API __declspec(dllexport) /* only cport_* leave the DLL */
#  else
#    define CPORT_API
#  endif
#elif defined(__GNUC__)
#  define CPORT_API __attribute__((visibility("default")))
#else
#  define CPORT_API
#endif
/** @endcond */

struct sockaddr;

/**
 * @defgroup cport_version Version
 * @brief The version a program was compiled with, and the one it runs with.
 *
 * The macros describe the header the program included; cport_version()
 * and cport_version_string() describe the library it is running with. The
 * two differ when a program built against one release runs with another
 * one of the same major version (see "ABI" in README.md).
 * @{
 */

/** Major version: changes when the API or ABI breaks (see README.md). */
#define CPORT_VERSION_MAJOR 0
/** Minor version: changes when something is added, compatibly. */
#define CPORT_VERSION_MINOR 1
/** Patch version: changes for fixes only. */
#define CPORT_VERSION_PATCH 0
/**
 * The number CPORT_VERSION would be for version major.minor.patch, for
 * comparisons such as `#if CPORT_VERSION >= CPORT_MAKE_VERSION(0, 2, 0)`.
 * @param major major version, 0 to 255
 * @param minor minor version, 0 to 255
 * @param patch patch version, 0 to 255
 */
#define CPORT_MAKE_VERSION(major, minor, patch) \
  (((major) << 16) | ((minor) << 8) | (patch))
/** This header's version as one hexadecimal number, 0xMMmmpp. */
#define CPORT_VERSION 0x000100
/** This header's version as a string, "major.minor.patch". */
#define CPORT_VERSION_STRING "0.1.0"

/**
 * The version of the cport library the program runs with.
 *
 * Compare with #CPORT_VERSION, the version the program was compiled with,
 * to detect a library older than the header (an application built against
 * 0.2 that finds 0.1 at run time may call functions 0.1 lacks).
 *
 * @return The library's version as CPORT_MAKE_VERSION(major, minor,
 *         patch) would give it, e.g. 0x000100 for 0.1.0. This call cannot
 *         fail.
 * @sa cport_version_string()
 */
CPORT_API uint32_t cport_version(void);

/**
 * The version of the cport library the program runs with, as a string.
 *
 * @return "major.minor.patch", e.g. "0.1.0": a static string, the same
 *         pointer every time, never NULL. This call cannot fail.
 * @sa cport_version()
 */
CPORT_API const char *cport_version_string(void);

/** @} */

#include "cport_errno.h" /* the error codes */

#include "cport_types.h" /* handles, buffers, ops, completions, options */

/**
 * @defgroup cport_port The port
 * @brief Create and close ports, associate handles, post and take
 * completions.
 * @{
 */

/**
 * Create a completion port.
 *
 * Backend choice: an explicit `opts->backend` wins; otherwise
 * $CPORT_BACKEND ("io_uring", "epoll", "iocp") if set; otherwise io_uring,
 * falling back to epoll when the kernel refuses io_uring (EPERM, ENOSYS,
 * EINVAL). An explicit choice the system cannot honour fails rather than
 * being replaced.
 *
 * On Linux, $CPORT_FAULTS and $CPORT_TRACE switch the new port's fault
 * mode and completion trace on (@ref cport_testing); a trace file that
 * cannot be created fails the call with the error of creating it.
 *
 * Threads (Linux). Operations finish without any thread in cport_get(),
 * as on Windows: the port starts one thread of its own, `cport-progress`,
 * with its first association or timer. With io_uring it spreads its
 * handles over as many rings as half the CPUs the calling thread may run
 * on (at least 1, at most 4, no more than the concurrency): the first is
 * the progress thread's, each other one has a thread of its own
 * (`cport-ring`), started as handles are associated. $CPORT_RINGS=N
 * chooses the number of rings. All of them leave with cport_close().
 * io_uring receives a stream's data through a multishot receive into
 * provided buffers, copied into the posted buffers in posting order;
 * $CPORT_RECV=adaptive starts each socket with receives straight into the
 * posted buffer while its data is found waiting, and =direct keeps every
 * socket that way (for measuring).
 *
 * @param[out] port where the new port is stored (only on success)
 * @param[in] opts options, or NULL for the defaults (all-zero options)
 * @retval 0 the port was created
 * @retval CPORT_EINVAL `port` is NULL, an option is out of range, a
 *         reserved field is not zero, $CPORT_BACKEND names no backend, or
 *         $CPORT_FAULTS does not parse (see cport_set_faults())
 * @retval CPORT_ENOSYS the backend asked for does not exist on this
 *         system (io_uring on Windows, iocp on Linux, io_uring in a build
 *         without liburing), or $CPORT_FAULTS or $CPORT_TRACE asks for a
 *         mode Windows does not have
 * @retval CPORT_ENOMEM out of memory
 * @retval CPORT_EPERM io_uring was asked for explicitly and the kernel
 *         refuses it (seccomp, `io_uring_disabled`); other system errors
 *         of the backend's set-up are returned as they are (e.g.
 *         CPORT_EMFILE)
 * @sa cport_close(), cport_backend()
 */
CPORT_API int cport_create(cport_t **port, const cport_options_t *opts);

/**
 * Close the port.
 *
 * Every thread waiting in cport_get() returns #CPORT_ECLOSED, later calls
 * on the port return #CPORT_ECLOSED, completions still queued are dropped,
 * and handles associated with it can no longer start operations.
 * Operations still pending on them end without a completion: when it
 * returns each op is free again (cport_op_status() says #CPORT_ECLOSED on
 * Linux; on Windows they are cancelled, #CPORT_ECANCELED). An op that
 * had finished keeps its result though its completion is dropped: a
 * finished accept's socket (cport_op_socket()) is the caller's to close.
 * Memory is released once no thread uses it, except a small shell that
 * later calls with the pointer read (on Linux it keeps the port's
 * eventfd, one per ring, until more than 64 newer ports have closed).
 * Handles are not closed: close them with cport_closesocket() or
 * cport_file_close().
 *
 * @param[in] port the port
 * @retval 0 the port is closed
 * @retval CPORT_ECLOSED the port was closed already
 * @retval CPORT_EINVAL `port` is NULL
 * @sa cport_create()
 */
CPORT_API int cport_close(cport_t *port);

/**
 * The name of the backend a port runs on.
 *
 * @param[in] port the port
 * @return "iocp", "io_uring" or "epoll"; NULL if `port` is NULL. The
 *         string is static.
 * @sa cport_create(), cport_options_t
 */
CPORT_API const char *cport_backend(const cport_t *port);

/** cport_associate() flag: no completion for operations that finish inside
 * the call; the call returns #CPORT_COMPLETED instead (Windows'
 * FILE_SKIP_COMPLETION_PORT_ON_SUCCESS). */
#define CPORT_SKIP_ON_SUCCESS 0x1u

/**
 * Associate a handle (socket or file) with the port.
 *
 * Completions of operations on the handle carry `key`. A handle is
 * associated with one port at most, until it is closed or its port is:
 * once the port is closed, operations on the handle fail with
 * #CPORT_ECLOSED until it is associated with another port (on Windows
 * through FileReplaceCompletionInformation, Windows 8.1 and later); it
 * keeps #CPORT_SKIP_ON_SUCCESS if it had it, as Windows cannot undo the
 * mode. A socket made elsewhere (not with cport_socket()) is made
 * non-blocking.
 *
 * @param[in] port the port
 * @param h an open socket or file (cport_socket(), cport_accept()'s socket,
 *        cport_file_open(), or one made elsewhere). Another kind of
 *        descriptor (a pipe, a directory) is taken too, as Windows takes
 *        any handle, but carries no operation: a socket's fails with
 *        #CPORT_ENOTSOCK, a file's with #CPORT_EBADF.
 * @param key the value every completion of the handle carries
 * @param flags 0 or #CPORT_SKIP_ON_SUCCESS
 * @retval 0 associated
 * @retval CPORT_EINVAL `port` is NULL or `flags` has an unknown bit
 * @retval CPORT_EBADF `h` is not an open handle
 * @retval CPORT_EEXIST `h` is associated with a port already (on Windows
 *         also with one still closing, or, before 8.1, closed)
 * @retval CPORT_ECLOSED the port is closed
 * @retval CPORT_ENOMEM out of memory, or the port's first association
 *         could not start its progress thread
 * @sa cport_create(), cport_get()
 */
CPORT_API int cport_associate(cport_t *port, cport_handle_t h, uintptr_t key,
                              unsigned flags);

/**
 * Add flags to a handle, like SetFileCompletionNotificationModes.
 *
 * Before or after its association. Flags cannot be cleared once set (as
 * on Windows); 0 changes nothing.
 *
 * @param h an open socket or file
 * @param flags 0 or #CPORT_SKIP_ON_SUCCESS
 * @retval 0 the flags are set
 * @retval CPORT_EINVAL `flags` has an unknown bit
 * @retval CPORT_EBADF `h` is not an open handle
 * @sa cport_associate()
 */
CPORT_API int cport_set_handle_flags(cport_handle_t h, unsigned flags);

/**
 * Queue a completion, like PostQueuedCompletionStatus.
 *
 * The completion is delivered verbatim: key, bytes and op as given, status
 * 0. `op` may be NULL and is never dereferenced, so any value that fits a
 * pointer may travel in it. The queue is first in, first out.
 *
 * @param[in] port the port
 * @param key delivered as cport_completion_t::key
 * @param bytes delivered as cport_completion_t::bytes
 * @param op delivered as cport_completion_t::op; may be NULL
 * @retval 0 queued
 * @retval CPORT_EINVAL `port` is NULL
 * @retval CPORT_ECLOSED the port is closed
 * @retval CPORT_ENOMEM out of memory
 * @sa cport_get()
 */
CPORT_API int cport_post(cport_t *port, uintptr_t key, uint32_t bytes,
                         cport_op_t *op);

/**
 * Take one completion, like GetQueuedCompletionStatus.
 *
 * Waiting threads are woken newest first, one per completion, and at most
 * cport_options_t::concurrency threads run at once. An operation that
 * failed still comes back here, with its status in `out->status`.
 *
 * @param[in] port the port
 * @param[out] out the completion (untouched unless 0 is returned)
 * @param timeout_ms 0 polls, -1 waits forever, above 0 waits that many
 *        milliseconds
 * @retval 0 `out` holds a completion
 * @retval CPORT_ETIMEDOUT none came in time; `out` is untouched
 * @retval CPORT_ECLOSED the port is closed (also for threads waiting when
 *         it closes)
 * @retval CPORT_EINVAL `port` or `out` is NULL, or `timeout_ms` is below -1
 * @sa cport_get_many(), cport_post()
 */
CPORT_API int cport_get(cport_t *port, cport_completion_t *out, int timeout_ms);

/**
 * Take up to `max` completions at once, in queue order, like
 * GetQueuedCompletionStatusEx. Waits as cport_get() does for the first
 * one; takes only those already queued after it.
 *
 * A thread must handle every completion it took: the classic shutdown
 * that posts one "quit" per worker needs a worker that takes two quits in
 * one batch to pass the second on (post it again), or another worker
 * waits for ever.
 *
 * @param[in] port the port
 * @param[out] out room for `max` completions
 * @param max how many to take at most, at least 1
 * @param timeout_ms 0 polls, -1 waits forever, above 0 waits that many
 *        milliseconds
 * @return The number of completions taken, 1 to `max`; a negative code
 *         on failure.
 * @retval CPORT_ETIMEDOUT none came in time; `out` is untouched
 * @retval CPORT_ECLOSED the port is closed
 * @retval CPORT_EINVAL `port` or `out` is NULL, `max` is 0, or
 *         `timeout_ms` is below -1
 * @sa cport_get()
 */
CPORT_API int cport_get_many(cport_t *port, cport_completion_t *out,
                             unsigned max, int timeout_ms);

/**
 * Mark blocking work in a thread the port released.
 *
 * Between two cport_get() calls, until the matching cport_blocking_end(),
 * the thread does not count against the port's concurrency limit, so
 * another waiting thread may take a completion, as Windows does by itself
 * for a worker that blocks. When it ends the thread counts again (the
 * running count may exceed the limit for a while, as on Windows). Calls
 * nest; in a thread no port released they do nothing.
 *
 * @retval 0 always
 * @sa cport_blocking_end(), cport_options_t::concurrency
 */
CPORT_API int cport_blocking_begin(void);

/**
 * End what cport_blocking_begin() started.
 *
 * @retval 0 ended (or one nesting level less)
 * @retval CPORT_EINVAL no cport_blocking_begin() to end in this thread
 * @sa cport_blocking_begin()
 */
CPORT_API int cport_blocking_end(void);

/** @} */

#include "cport_socket.h" /* sockets: accept, connect, recv, send, ... */

/**
 * @defgroup cport_files Files
 * @brief Overlapped file I/O at 64-bit offsets, and TransmitFile.
 * @{
 */

/** @name cport_file_open() flags
 * At least one of #CPORT_FILE_READ and #CPORT_FILE_WRITE.
 * @{ */
#define CPORT_FILE_READ 0x01u   /**< open for reading */
#define CPORT_FILE_WRITE 0x02u  /**< open for writing */
#define CPORT_FILE_CREATE 0x04u /**< create if missing (mode 0644) */
#define CPORT_FILE_TRUNCATE \
  0x08u /**< truncate to 0 bytes on open (needs WRITE) */
#define CPORT_FILE_APPEND \
  0x10u                       /**< every write goes to the end (needs WRITE) */
#define CPORT_FILE_EXCL 0x20u /**< with CREATE: fail if it exists */
/** @} */

/** cport_write() offset: at the end of the file, wherever it is when the
 * write runs (WriteFile's offset 0xFFFFFFFF:0xFFFFFFFF). Writes made one
 * after another this way land in that order, none over another. */
#define CPORT_FILE_END UINT64_MAX

/**
 * Open a file for overlapped I/O, never inherited by child processes.
 *
 * Associate it with a port before cport_read() and cport_write(). The file
 * position is never used: every operation names its offset.
 *
 * @param path the file's name (UTF-8 on Linux, the ANSI code page on
 *        Windows)
 * @param flags a combination of the `CPORT_FILE_*` flags
 * @param[out] out the new handle (only on success)
 * @retval 0 opened
 * @retval CPORT_EINVAL `path` or `out` is NULL, neither READ nor WRITE is
 *         given, a flag is unknown, EXCL without CREATE, or TRUNCATE or
 *         APPEND without WRITE
 * @retval CPORT_ENOENT the file does not exist and CREATE was not given
 * @retval CPORT_EACCES permission denied
 * @retval CPORT_EEXIST the file exists and CREATE | EXCL was given
 * @retval CPORT_EISDIR `path` is a directory
 * @retval CPORT_EMFILE the process is out of descriptors
 * @return Other system errors as they come (CPORT_ENOTDIR,
 *         CPORT_ENAMETOOLONG, CPORT_ELOOP, CPORT_ENOSPC, ...).
 * @sa cport_file_close(), cport_read(), cport_write()
 */
CPORT_API int cport_file_open(const char *path, unsigned flags,
                              cport_handle_t *out);

/**
 * Close a file.
 *
 * Reads and writes in flight go on and complete as usual, once each
 * (a write's data reaches the file), as on Windows, where each operation
 * keeps the file open; the descriptor closes after the last one. The
 * handle takes no call from now on.
 *
 * @param f the file
 * @retval 0 closed
 * @retval CPORT_EBADF `f` is not an open file
 * @return Other system errors of the close, as they come.
 * @sa cport_file_open()
 */
CPORT_API int cport_file_close(cport_handle_t f);

/**
 * The size of an open file in bytes.
 *
 * @param f the file
 * @param[out] size where the size goes (only on success)
 * @retval 0 `*size` holds the size
 * @retval CPORT_EINVAL `size` is NULL
 * @retval CPORT_EBADF `f` is not an open regular file (a socket or a pipe
 *         has no size)
 * @sa cport_file_open()
 */
CPORT_API int cport_file_size(cport_handle_t f, uint64_t *size);

/**
 * Read up to `len` bytes at offset `off`, like ReadFile with an OVERLAPPED.
 *
 * A short read reports the bytes read (a read ends short only at the end
 * of the file: one of more than 2 GiB goes on past Linux's limit of
 * 2 GiB - 4 KiB a call, as ReadFile does); a read at or past the end of
 * the file completes with #CPORT_EOF; `len` 0 completes with 0 bytes. On a
 * file associated with #CPORT_SKIP_ON_SUCCESS, a read whose bytes the page
 * cache holds finishes inside the call (#CPORT_COMPLETED), as a cached
 * ReadFile does on Windows.
 *
 * @param f a file opened with #CPORT_FILE_READ, associated with a port
 * @param buf where the data goes; must stay valid until the completion
 * @param len bytes to read
 * @param off the offset in the file (64-bit)
 * @param op an idle op
 * @retval 0 one completion will follow
 * @retval CPORT_COMPLETED finished inside the call (skip-on-success)
 * @retval CPORT_EINVAL `buf` is NULL with `len` above 0, or `off` + `len`
 *         is beyond 2^63 - 1
 * @retval CPORT_EACCES the file was not opened for reading
 * @retval CPORT_EBADF `f` is not an open file
 * @return Or one of the @ref cport_common_errors. In the completion:
 *         #CPORT_EOF, #CPORT_EIO, #CPORT_ECANCELED.
 * @sa cport_write(), cport_file_open()
 */
CPORT_API int cport_read(cport_handle_t f, void *buf, uint32_t len,
                         uint64_t off, cport_op_t *op);

/**
 * Write `len` bytes at offset `off`, like WriteFile with an OVERLAPPED.
 *
 * With #CPORT_FILE_APPEND every write goes to the end of the file instead,
 * and with `off` #CPORT_FILE_END this one does. A completed write wrote
 * every byte (one of more than 2 GiB too, past Linux's limit of 2 GiB -
 * 4 KiB a call), as WriteFile does.
 *
 * @param f a file opened with #CPORT_FILE_WRITE, associated with a port
 * @param buf the data; must stay valid until the completion
 * @param len bytes to write
 * @param off the offset in the file (64-bit), or #CPORT_FILE_END; ignored
 *        with APPEND
 * @param op an idle op
 * @retval 0 one completion will follow
 * @retval CPORT_COMPLETED finished inside the call (skip-on-success)
 * @retval CPORT_EINVAL `buf` is NULL with `len` above 0, or `off` + `len`
 *         is beyond 2^63 - 1 (and `off` is not #CPORT_FILE_END)
 * @retval CPORT_EACCES the file was not opened for writing
 * @retval CPORT_EBADF `f` is not an open file
 * @return Or one of the @ref cport_common_errors. In the completion:
 *         #CPORT_ENOSPC, #CPORT_EFBIG, #CPORT_EIO, #CPORT_ECANCELED.
 * @sa cport_read(), cport_file_open()
 */
CPORT_API int cport_write(cport_handle_t f, const void *buf, uint32_t len,
                          uint64_t off, cport_op_t *op);

/** cport_transmit_file() flag: shut the send side down afterwards, as
 * cport_disconnect() does (TransmitFile's TF_DISCONNECT). */
#define CPORT_TF_DISCONNECT 0x01u

/**
 * Send a file on a socket, like TransmitFile.
 *
 * Sends `head`, then `len` bytes of file `f` from offset `off`, then
 * `tail`, as one operation with one completion whose bytes count all of
 * it, on a connected stream socket. `head` and `tail` may be NULL; their
 * buffers must stay valid until the completion. The completion carries the
 * socket's key. Sends before and after it on the socket do not interleave
 * with it.
 *
 * @param s a connected stream socket, associated with a port
 * @param f an open file (need not be associated), or #CPORT_INVALID_HANDLE
 *        to send only `head` and `tail`
 * @param off where in the file to start
 * @param len file bytes to send, at most 2^31 - 2 (TransmitFile's limit
 *        a call); 0 sends to the end of the file, or its next 2^31 - 2
 *        bytes when more are left (the completion's bytes tell how many:
 *        send the rest with another call)
 * @param head sent before the file; may be NULL
 * @param tail sent after the file; may be NULL
 * @param flags 0 or #CPORT_TF_DISCONNECT
 * @param op an idle op
 * @retval 0 one completion will follow
 * @retval CPORT_COMPLETED finished inside the call (skip-on-success)
 * @retval CPORT_EINVAL an unknown flag, a head or tail with a NULL base
 *         and a length, `len` above 2^31 - 2, a head, file range and
 *         tail of more than 2^32 - 1 bytes together, or (with `len` 0)
 *         `f` is not a regular file
 * @retval CPORT_EBADF `f` is not an open file
 * @retval CPORT_ESPIPE `f` is not a regular file (a socket, a pipe)
 * @retval CPORT_ENOTCONN the socket is not connected
 * @retval CPORT_ECONNRESET the peer reset the connection before the call
 * @retval CPORT_ESHUTDOWN the send side was shut down
 * @retval CPORT_EOPNOTSUPP `s` is a datagram socket
 * @return Or one of the @ref cport_common_errors. In the completion:
 *         #CPORT_ECONNRESET, #CPORT_ESHUTDOWN (queued behind one with
 *         #CPORT_TF_DISCONNECT), #CPORT_ECANCELED.
 * @sa cport_send(), cport_disconnect()
 */
CPORT_API int cport_transmit_file(cport_handle_t s, cport_handle_t f,
                                  uint64_t off, uint32_t len,
                                  const cport_buf_t *head,
                                  const cport_buf_t *tail, unsigned flags,
                                  cport_op_t *op);

/** @} */

/**
 * @defgroup cport_timers Timers
 * @brief One completion after a delay; thousands cost no thread each.
 * @{
 */

/**
 * Post one completion through the port after a delay.
 *
 * After `timeout_ms` milliseconds the completion {op, key, 0 bytes,
 * status 0} arrives. Thousands of timers cost no thread or descriptor each. Timers fire in
 * deadline order (on Windows to the system tick, 15.6 ms by default).
 *
 * @param[in] port the port
 * @param key delivered as cport_completion_t::key
 * @param timeout_ms the delay in milliseconds; 0 fires at once
 * @param op an idle op
 * @retval 0 the completion will follow
 * @retval CPORT_EINVAL `port` or `op` is NULL
 * @retval CPORT_EBUSY `op` is still in flight
 * @retval CPORT_ECLOSED the port is closed
 * @retval CPORT_ENOMEM out of memory
 * @sa cport_timer_cancel()
 */
CPORT_API int cport_timer(cport_t *port, uintptr_t key, uint32_t timeout_ms,
                          cport_op_t *op);

/**
 * Cancel a timer that has not fired.
 *
 * It completes with #CPORT_ECANCELED instead of status 0.
 *
 * @param[in] port the port the timer was started on
 * @param op the timer's op
 * @retval 0 the timer will complete with #CPORT_ECANCELED
 * @retval CPORT_ENOENT it already fired (its completion stands) or is not
 *         a pending timer of this port
 * @retval CPORT_EINVAL `port` or `op` is NULL
 * @retval CPORT_ECLOSED the port is closed
 * @sa cport_timer()
 */
CPORT_API int cport_timer_cancel(cport_t *port, cport_op_t *op);

/** @} */

/**
 * @defgroup cport_results Operation results
 * @brief What a finished operation left in its op.
 * @{
 */

/**
 * The socket a finished, successful cport_accept() produced.
 *
 * The socket belongs to the caller: associate it with a port, and close
 * it with cport_closesocket().
 *
 * @param op the op of a finished accept
 * @return The accepted socket, or #CPORT_INVALID_HANDLE if `op` is NULL,
 *         still in flight, not an accept, or an accept that failed.
 * @sa cport_accept(), cport_op_addresses()
 */
CPORT_API cport_handle_t cport_op_socket(const cport_op_t *op);

/**
 * Local and peer addresses of the socket a cport_accept() produced, like
 * GetAcceptExSockaddrs.
 *
 * @param op the op of a finished, successful accept
 * @param[out] local where the local address goes; may be NULL
 * @param[in,out] local_len size of `*local` on the call, the address length
 *        on return; needed when `local` is given
 * @param[out] peer where the peer's address goes; may be NULL
 * @param[in,out] peer_len size of `*peer` on the call, the address length
 *        on return; needed when `peer` is given
 *
 * A buffer shorter than its address gets the address cut to its size,
 * and the length says the whole address's (as getsockname does).
 *
 * @retval 0 the addresses asked for are filled in
 * @retval CPORT_EINVAL `op` is not a finished, successful accept, or an
 *         address is given without a positive length
 * @return Other system errors as they come.
 * @sa cport_accept(), cport_op_socket()
 */
CPORT_API int cport_op_addresses(const cport_op_t *op, struct sockaddr *local,
                                 int *local_len, struct sockaddr *peer,
                                 int *peer_len);

/**
 * Status of an operation, from any thread.
 *
 * An operation's result is written as soon as it finishes, whether or not
 * a thread waits on the port (its completion is queued at the same time),
 * or before the call returns #CPORT_COMPLETED.
 *
 * @param op an op
 * @return #CPORT_EINPROGRESS while the operation is pending, then 0 or its
 *         `CPORT_E*` code; #CPORT_EINVAL if `op` is NULL.
 * @sa cport_op_bytes(), cport_op_wait()
 */
CPORT_API int cport_op_status(const cport_op_t *op);

/**
 * Bytes transferred by a finished operation, from any thread.
 *
 * @param op an op
 * @return The bytes; 0 while the operation is pending, or if `op` is NULL.
 * @sa cport_op_status(), cport_op_wait()
 */
CPORT_API uint32_t cport_op_bytes(const cport_op_t *op);

/**
 * Wait, from any thread, until the operation started on `op` has finished.
 *
 * Its status and bytes are then readable; its completion is still queued
 * as usual, unless it was skipped. An op that is not pending returns at
 * once.
 *
 * @param op the op
 * @param timeout_ms 0 polls, -1 waits forever, above 0 waits that many
 *        milliseconds
 * @retval 0 the operation has finished
 * @retval CPORT_ETIMEDOUT it is still pending
 * @retval CPORT_EINVAL `op` is NULL or `timeout_ms` is below -1
 * @sa cport_op_status(), cport_get()
 */
CPORT_API int cport_op_wait(const cport_op_t *op, int timeout_ms);

/** @} */

/**
 * @defgroup cport_testing Testing: fault injection and completion trace
 * @brief Make a Linux port behave as badly as Windows may, and record what
 * every operation did.
 *
 * The **fault mode** makes a port show, on purpose and often, behaviour
 * that IOCP on Windows allows but a Linux test run rarely shows: receives
 * that take fewer bytes than are there, completions held back and
 * reordered between handles, operations that could finish inside their
 * call completing through the port instead, resets, aborted accepts,
 * refused connects and calls failing for want of buffers. It never loses
 * or duplicates a completion, never touches an operation's bytes beyond
 * what it reports, and keeps each handle's receives, and each handle's
 * sends, completing in order. Decisions follow a seed: the same seed and
 * the same sequence of calls give the same faults (see docs/testing.md
 * for what a multi-threaded program can replay).
 *
 * The **completion trace** writes one line per operation start,
 * completion, dequeue, post, cancel and close (time, thread, handle, key,
 * op, kind, bytes, status); `scripts/cport-trace.py` turns it into a
 * timeline and a summary (latencies, operations outstanding at exit,
 * operations completed twice).
 *
 * Both are switched on for a port by the calls below, or for every port a
 * program creates by the environment, so an unchanged program can run
 * under them:
 * - `CPORT_FAULTS=spec`: the fault mode, as cport_set_faults() reads it,
 *   e.g. `seed=42,split=0.3,delay=0.2,pending=0.5,reset=0.05`; the first
 *   port created says so on stderr, with the seed;
 * - `CPORT_TRACE=path`: the trace, as cport_set_trace() reads it; `%p` in
 *   the path becomes the process id.
 *
 * A port option was not used: cport_options_t's size is frozen and its
 * reserved fields cannot hold a specification or a path. These are new
 * functions instead (an addition, as a minor version may make).
 *
 * Both are Linux features. On Windows the calls return #CPORT_ENOSYS, and
 * cport_create() fails with #CPORT_ENOSYS if either variable asks for a
 * mode, rather than run without it.
 * @{
 */

/**
 * Switch the fault mode of a port on or off.
 *
 * Call it right after cport_create(), before the port has a handle or a
 * timer; it replaces what $CPORT_FAULTS set. `spec` is a comma-separated
 * list (docs/testing.md has the details):
 * - `seed=N`: the seed of every decision (default 1);
 * - `split=P`: a stream receive takes from 1 byte up to less than there
 *   is room for; the rest of the data stays for the next receive;
 * - `delay=P`, `delay_ms=N`: a completion is held back up to N ms
 *   (default 5), so completions of different handles reorder;
 * - `pending=P`: an operation that finished inside its call completes
 *   through the port instead (no #CPORT_COMPLETED with
 *   #CPORT_SKIP_ON_SUCCESS), its op busy a while after the call returned;
 * - `reset=P`: that share of connections is reset at one of their
 *   receive or send calls: their operations end with #CPORT_ECONNRESET
 *   from then on;
 * - `abort=P`: an accept completes with #CPORT_ECONNABORTED or
 *   #CPORT_ECONNRESET (the connection waiting stays for the next accept);
 * - `nobufs=P`: a send, sendto, transmit or connect fails at the call
 *   with #CPORT_ENOBUFS, a file read or write with #CPORT_ENOMEM;
 * - `refuse=P`: a connect completes with #CPORT_ECONNREFUSED;
 * - `unreach=P`: a datagram receive (none before it on its socket)
 *   completes with #CPORT_ECONNREFUSED, as when an ICMP "port
 *   unreachable" meets it; the datagrams stay for the next receive;
 * - `errors=P`: reset, abort, nobufs, refuse and unreach at once.
 *
 * Each P is a probability from 0 to 1. A specification that names no
 * kind (`seed=7`, `on`, `1`) gets split=0.5, delay=0.25 and pending=0.5:
 * the faults a correct program survives without a single error. NULL,
 * "", "0", "off" and a list of no items (",") switch the mode off; "off"
 * or "0" with other items is refused.
 *
 * @param[in] port the port, not yet used for a handle or a timer
 * @param spec the specification, or NULL
 * @retval 0 the mode is set
 * @retval CPORT_EINVAL `port` is NULL, or `spec` has an unknown key, a
 *         value out of range, or "off" with other items
 * @retval CPORT_EBUSY the port already has a handle or a timer
 * @retval CPORT_ECLOSED the port is closed
 * @retval CPORT_ENOMEM out of memory
 * @retval CPORT_EAGAIN no thread could be started for held completions
 * @retval CPORT_ENOSYS not available (Windows)
 * @sa cport_set_trace(), cport_create()
 */
CPORT_API int cport_set_faults(cport_t *port, const char *spec);

/**
 * Start or stop the completion trace of a port.
 *
 * Call it right after cport_create(), before the port has a handle or a
 * timer; it replaces what $CPORT_TRACE set. Ports tracing to the same
 * path share the file, which is created (or emptied) when the first one
 * opens it and written as its buffer fills, when the last port using it
 * closes, and at exit. Each line is one event (docs/testing.md):
 * `t_ns tid ev port fd key op kind bytes status`.
 *
 * @param[in] port the port, not yet used for a handle or a timer
 * @param path the file; `%p` in it becomes the process id. NULL or ""
 *        stops the trace.
 * @retval 0 the trace is set
 * @retval CPORT_EINVAL `port` is NULL
 * @retval CPORT_EBUSY the port already has a handle or a timer
 * @retval CPORT_ECLOSED the port is closed
 * @retval CPORT_ENOMEM out of memory
 * @retval CPORT_ENOSYS not available (Windows)
 * @return Other system errors of creating the file as they come
 *         (#CPORT_EACCES, #CPORT_ENOENT, ...).
 * @sa cport_set_faults()
 */
CPORT_API int cport_set_trace(cport_t *port, const char *path);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CPORT_H */
