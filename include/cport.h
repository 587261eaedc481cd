/*
 * cport.h - one completion-port API for Windows (IOCP) and Linux
 * (io_uring or epoll).
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
 * negative CPORT_E* code on failure. On Linux the codes are -errno values;
 * on Windows the system codes are mapped to the same values.
 */
#ifndef CPORT_H
#define CPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

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

struct sockaddr;

/* ------------------------------------------------------------------------ */
/* Version                                                                   */
/* ------------------------------------------------------------------------ */

#define CPORT_VERSION_MAJOR 0
#define CPORT_VERSION_MINOR 1
#define CPORT_VERSION_PATCH 0
#define CPORT_MAKE_VERSION(major, minor, patch) \
  (((major) << 16) | ((minor) << 8) | (patch))
#define CPORT_VERSION 0x000100
#define CPORT_VERSION_STRING "0.1.0"

CPORT_API uint32_t cport_version(void);
CPORT_API const char *cport_version_string(void);

/* ------------------------------------------------------------------------ */
/* Error codes                                                               */
/* ------------------------------------------------------------------------ */

/*
 * The list of error codes, as an X-macro: XX(name, value, message).
 * The values are the Linux errno numbers, negated, on every platform.
 */
#define CPORT_ERRNO_MAP(XX)                                                  \
  XX(EPERM, -1, "operation not permitted")                                   \
  XX(ENOENT, -2, "no such file or directory")                                \
  XX(EINTR, -4, "interrupted system call")                                   \
  XX(EIO, -5, "i/o error")                                                   \
  XX(EBADF, -9, "bad file descriptor or handle")                             \
  XX(EAGAIN, -11, "resource temporarily unavailable")                        \
  XX(ENOMEM, -12, "not enough memory")                                       \
  XX(EACCES, -13, "permission denied")                                       \
  XX(EFAULT, -14, "bad address in system call argument")                     \
  XX(EBUSY, -16, "resource busy (operation still in flight)")                \
  XX(EEXIST, -17, "file already exists")                                     \
  XX(ENOTDIR, -20, "not a directory")                                        \
  XX(EISDIR, -21, "is a directory")                                          \
  XX(EINVAL, -22, "invalid argument")                                        \
  XX(ENFILE, -23, "file table overflow")                                     \
  XX(EMFILE, -24, "too many open files")                                     \
  XX(EFBIG, -27, "file too large")                                           \
  XX(ENOSPC, -28, "no space left on device")                                 \
  XX(ESPIPE, -29, "invalid seek")                                            \
  XX(EPIPE, -32, "broken pipe")                                              \
  XX(ENAMETOOLONG, -36, "name too long")                                     \
  XX(ENOSYS, -38, "function not implemented by this backend")               \
  XX(ELOOP, -40, "too many symbolic links encountered")                      \
  XX(ENOTSOCK, -88, "socket operation on non-socket")                        \
  XX(EDESTADDRREQ, -89, "destination address required")                      \
  XX(EMSGSIZE, -90, "message too long")                                      \
  XX(EPROTOTYPE, -91, "protocol wrong type for socket")                      \
  XX(ENOPROTOOPT, -92, "protocol not available")                             \
  XX(EPROTONOSUPPORT, -93, "protocol not supported")                         \
  XX(EOPNOTSUPP, -95, "operation not supported on socket")                   \
  XX(EAFNOSUPPORT, -97, "address family not supported")                      \
  XX(EADDRINUSE, -98, "address already in use")                              \
  XX(EADDRNOTAVAIL, -99, "address not available")                            \
  XX(ENETDOWN, -100, "network is down")                                      \
  XX(ENETUNREACH, -101, "network is unreachable")                            \
  XX(ECONNABORTED, -103, "connection aborted")                               \
  XX(ECONNRESET, -104, "connection reset by peer")                           \
  XX(ENOBUFS, -105, "no buffer space available")                             \
  XX(EISCONN, -106, "socket is already connected")                           \
  XX(ENOTCONN, -107, "socket is not connected")                              \
  XX(ESHUTDOWN, -108, "cannot send after socket shutdown")                   \
  XX(ETIMEDOUT, -110, "timed out")                                           \
  XX(ECONNREFUSED, -111, "connection refused")                               \
  XX(EHOSTUNREACH, -113, "host is unreachable")                              \
  XX(EALREADY, -114, "operation already in progress")                        \
  XX(EINPROGRESS, -115, "operation in progress")                             \
  XX(ECANCELED, -125, "operation canceled")                                  \
  XX(EUNKNOWN, -4093, "unknown system error")                                \
  XX(ECLOSED, -4094, "port closed")                                          \
  XX(EOF, -4095, "end of file")

enum cport_errno {
#define CPORT_ERR_ENUM_(name, value, msg) CPORT_##name = (value),
  CPORT_ERRNO_MAP(CPORT_ERR_ENUM_)
#undef CPORT_ERR_ENUM_
  /* Positive: the operation finished inside the call and, because the handle
   * was associated with CPORT_SKIP_ON_SUCCESS, no completion is posted. The
   * results are in the op: cport_op_status(), cport_op_bytes(). */
  CPORT_COMPLETED = 1
};

/** Message for a CPORT_E* code ("unknown error" for anything else). */
CPORT_API const char *cport_strerror(int err);
/** Name of a CPORT_E* code, e.g. "CPORT_ECONNRESET" ("CPORT_E?" if unknown). */
CPORT_API const char *cport_err_name(int err);

/* ------------------------------------------------------------------------ */
/* Portable types                                                            */
/* ------------------------------------------------------------------------ */

#if defined(_WIN32)
/** A SOCKET or a file HANDLE. */
typedef uintptr_t cport_handle_t;
#  define CPORT_INVALID_HANDLE (~(cport_handle_t)0)
/** Same layout as WSABUF. */
typedef struct cport_buf {
  unsigned long len; /* ULONG */
  char *base;
} cport_buf_t;
#else
/** A file descriptor. */
typedef int cport_handle_t;
#  define CPORT_INVALID_HANDLE (-1)
/** Same layout as struct iovec. */
typedef struct cport_buf {
  void *base;
  size_t len;
} cport_buf_t;
#endif

/** Build a cport_buf_t portably. */
#define CPORT_BUF(ptr, n) cport_buf_init((ptr), (n))

/**
 * The per-operation record, the OVERLAPPED analogue. It must stay valid, and
 * unmoved, from the call that starts an operation until its completion is
 * taken from the port. Zero it before first use (`cport_op_t op = {0};` or
 * memset); cport re-initialises it for each operation after that.
 *
 * Layout (fixed: 256 bytes on 64-bit systems, 132 on 32-bit):
 *   - the first 32 bytes have the layout of Windows' OVERLAPPED (Internal =
 *     status, InternalHigh = bytes, Offset/OffsetHigh, hEvent); on Windows
 *     they are the OVERLAPPED the system uses;
 *   - `data` belongs to the user;
 *   - `priv` belongs to the backend. Do not touch it.
 */
typedef struct cport_op {
  uintptr_t internal;      /* status once completed (backend format) */
  uintptr_t internal_high; /* bytes transferred once completed */
  union {
    struct {
      uint32_t offset;
      uint32_t offset_high;
    } off;
    void *pointer;
  } u;
  void *event;             /* hEvent on Windows; unused elsewhere */
  void *data;              /* free for the user */
  uintptr_t priv[27];      /* backend-private */
} cport_op_t;

/** What cport_get() returns. */
typedef struct cport_completion {
  cport_op_t *op;   /* as given to the operation or to cport_post() */
  uintptr_t key;    /* the key of the handle (accept: the listener's key) */
  uint32_t bytes;   /* bytes transferred */
  int status;       /* 0 or a CPORT_E* code */
} cport_completion_t;

typedef enum cport_backend_kind {
  CPORT_BACKEND_AUTO = 0, /* io_uring, else epoll on Linux; iocp on Windows */
  CPORT_BACKEND_IOCP = 1,
  CPORT_BACKEND_URING = 2,
  CPORT_BACKEND_EPOLL = 3
} cport_backend_t;

/** Port options. All-zero means defaults. */
typedef struct cport_options {
  unsigned concurrency;    /* threads released at once; 0 = number of CPUs */
  cport_backend_t backend; /* CPORT_BACKEND_AUTO honours $CPORT_BACKEND */
  unsigned entries;        /* kernel queue size hint (io_uring SQ); 0 = 256 */
  unsigned workers;        /* blocking-work pool size (files); 0 = default */
  unsigned reserved[4];    /* must be zero */
} cport_options_t;

typedef struct cport cport_t;

/* ------------------------------------------------------------------------ */
/* The port                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * Create a completion port. opts may be NULL (defaults).
 * Backend choice: an explicit opts->backend wins; otherwise $CPORT_BACKEND
 * ("io_uring", "epoll", "iocp") if set; otherwise io_uring, falling back to
 * epoll when the kernel refuses io_uring (EPERM, ENOSYS, EINVAL).
 * Returns 0, CPORT_EINVAL (bad options or backend name), CPORT_ENOSYS
 * (backend not available on this system), CPORT_ENOMEM, or the system error
 * that made the backend fail.
 */
CPORT_API int cport_create(cport_t **port, const cport_options_t *opts);

/**
 * Close the port. Every thread waiting in cport_get() returns CPORT_ECLOSED,
 * later calls on the port return CPORT_ECLOSED, completions still queued are
 * dropped, and handles associated with it can no longer start operations.
 * Memory is released once no thread uses it. Returns 0 or CPORT_ECLOSED
 * (already closed), CPORT_EINVAL (NULL).
 */
CPORT_API int cport_close(cport_t *port);

/** Name of the backend: "iocp", "io_uring" or "epoll" (NULL for NULL). */
CPORT_API const char *cport_backend(const cport_t *port);

/** cport_associate() flag: no completion for operations that finish inside
 * the call; the call returns CPORT_COMPLETED instead. */
#define CPORT_SKIP_ON_SUCCESS 0x1u

/**
 * Associate a handle (socket or file) with the port. Completions of
 * operations on it carry `key`. A handle is associated at most once.
 * Returns 0, CPORT_EINVAL, CPORT_EBADF, CPORT_EEXIST (already associated),
 * CPORT_ECLOSED.
 */
CPORT_API int cport_associate(cport_t *port, cport_handle_t h, uintptr_t key,
                              unsigned flags);

/**
 * Queue a completion with the given key, bytes and op, delivered verbatim
 * (op may be NULL and is never dereferenced). Status is 0.
 * Returns 0, CPORT_EINVAL, CPORT_ECLOSED, CPORT_ENOMEM.
 */
CPORT_API int cport_post(cport_t *port, uintptr_t key, uint32_t bytes,
                         cport_op_t *op);

/**
 * Take one completion. timeout_ms: 0 polls, -1 waits forever, >0 waits that
 * long. Returns 0 (out filled), CPORT_ETIMEDOUT (out untouched),
 * CPORT_ECLOSED, CPORT_EINVAL.
 */
CPORT_API int cport_get(cport_t *port, cport_completion_t *out, int timeout_ms);

/**
 * Take up to max completions, in queue order. Returns the number taken
 * (>= 1), or CPORT_ETIMEDOUT, CPORT_ECLOSED, CPORT_EINVAL.
 */
CPORT_API int cport_get_many(cport_t *port, cport_completion_t *out,
                             unsigned max, int timeout_ms);

/* ------------------------------------------------------------------------ */
/* Sockets                                                                   */
/*                                                                           */
/* Every operation below takes a cport_op_t that must be idle (zeroed before */
/* its first use, or its previous completion already taken). A return of 0   */
/* means exactly one completion will arrive through the port the socket is   */
/* associated with; CPORT_COMPLETED (skip-on-success handles only) means the */
/* op finished inside the call and nothing will be posted; a negative code   */
/* means the call failed and nothing will be posted.                         */
/* Common errors: CPORT_EINVAL (NULL op, bad arguments, socket not           */
/* associated), CPORT_EBUSY (op still in flight), CPORT_EBADF (not an open   */
/* socket), CPORT_ENOTSOCK, CPORT_EOPNOTSUPP (wrong socket type).            */
/* ------------------------------------------------------------------------ */

/**
 * Create a socket ready for the port (non-blocking where that matters,
 * overlapped on Windows, never inherited by child processes).
 * type: SOCK_STREAM or SOCK_DGRAM. Returns 0 or the system error.
 */
CPORT_API int cport_socket(int family, int type, int protocol,
                           cport_handle_t *out);

/**
 * Close a socket. Each operation still pending on it completes exactly
 * once, with CPORT_ECANCELED (or its real result if it had already
 * finished); none completes after that, and the handle value may be reused
 * at once. Nothing is posted if nothing was pending.
 */
CPORT_API int cport_closesocket(cport_handle_t s);

/**
 * Accept a connection on a listening socket, like AcceptEx. The completion
 * carries the listener's key; cport_op_socket() gives the new socket, which
 * is not associated with any port yet, and cport_op_addresses() its
 * addresses. With len > 0 the op completes only once the peer has sent
 * data (bytes = how much landed in buf), or has closed (bytes = 0).
 */
CPORT_API int cport_accept(cport_handle_t listener, void *buf, uint32_t len,
                           cport_op_t *op);

/**
 * Connect, like ConnectEx, then send `len` bytes of `data` if given. The
 * completion's bytes count the data sent. A refused connection completes
 * with CPORT_ECONNREFUSED. Stream sockets; datagram sockets just set their
 * peer (no data).
 */
CPORT_API int cport_connect(cport_handle_t s, const struct sockaddr *to,
                            int tolen, const void *data, uint32_t len,
                            cport_op_t *op);

/**
 * Receive into n buffers (the array is copied; the buffers must stay valid
 * until completion). Several pending receives on a socket are filled in
 * the order they were posted. If every buffer has length 0 the op
 * completes with 0 bytes when data is available and leaves it queued. On a
 * stream, 0 bytes with status 0 means the peer closed gracefully. A
 * datagram larger than the buffers completes with CPORT_EMSGSIZE and the
 * bytes that fit.
 */
CPORT_API int cport_recv(cport_handle_t s, cport_buf_t *bufs, unsigned n,
                         cport_op_t *op);

/**
 * Send n buffers (gathered; the array is copied). Completes when every
 * byte was sent, or with an error and the count so far. Sends on a socket
 * go out in posting order and never interleave.
 */
CPORT_API int cport_send(cport_handle_t s, const cport_buf_t *bufs,
                         unsigned n, cport_op_t *op);

/**
 * Receive a datagram and its source address. `from` and `*fromlen` must
 * stay valid until completion, when *fromlen holds the address length.
 * Truncated datagram: CPORT_EMSGSIZE with the bytes that fit.
 */
CPORT_API int cport_recvfrom(cport_handle_t s, cport_buf_t *bufs, unsigned n,
                             struct sockaddr *from, int *fromlen,
                             cport_op_t *op);

/** Send a datagram to `to` (copied; at most 32 bytes, e.g. sockaddr_in6),
 * or to the connected peer if `to` is NULL. */
CPORT_API int cport_sendto(cport_handle_t s, const cport_buf_t *bufs,
                           unsigned n, const struct sockaddr *to, int tolen,
                           cport_op_t *op);

/**
 * Gracefully shut down the send side once earlier sends are done, like
 * DisconnectEx without TF_REUSE_SOCKET; the peer's receive then completes
 * with 0 bytes. flags must be 0.
 */
CPORT_API int cport_disconnect(cport_handle_t s, unsigned flags,
                               cport_op_t *op);

/**
 * Cancel one pending op of a handle, or all of them (op NULL): each
 * completes with CPORT_ECANCELED, or with its real result if it finished
 * first. Other ops are unaffected. Returns 0, or CPORT_ENOENT if nothing
 * matching was pending, CPORT_EBADF.
 */
CPORT_API int cport_cancel(cport_handle_t h, cport_op_t *op);

/* ------------------------------------------------------------------------ */
/* Files                                                                     */
/* ------------------------------------------------------------------------ */

/* cport_file_open() flags. */
#define CPORT_FILE_READ 0x01u     /* open for reading */
#define CPORT_FILE_WRITE 0x02u    /* open for writing */
#define CPORT_FILE_CREATE 0x04u   /* create if missing (mode 0644) */
#define CPORT_FILE_TRUNCATE 0x08u /* truncate to 0 bytes on open */
#define CPORT_FILE_APPEND 0x10u   /* every write goes to the end */
#define CPORT_FILE_EXCL 0x20u     /* with CREATE: fail if it exists */

/**
 * Open a file for overlapped I/O (never inherited by child processes).
 * Associate it with a port before cport_read()/cport_write(). The file
 * position is never used: every operation names its offset.
 * Returns 0 or CPORT_EINVAL (no READ/WRITE, unknown flag), CPORT_ENOENT,
 * CPORT_EACCES, CPORT_EEXIST, CPORT_EISDIR, ...
 */
CPORT_API int cport_file_open(const char *path, unsigned flags,
                              cport_handle_t *out);

/** Close a file; its pending operations complete once, as for sockets. */
CPORT_API int cport_file_close(cport_handle_t f);

/** The size of an open file in bytes. */
CPORT_API int cport_file_size(cport_handle_t f, uint64_t *size);

/**
 * Read up to len bytes at offset off (64-bit). A short read reports the
 * bytes read; a read at or past the end of the file completes with
 * CPORT_EOF; len 0 completes with 0 bytes.
 */
CPORT_API int cport_read(cport_handle_t f, void *buf, uint32_t len,
                         uint64_t off, cport_op_t *op);

/** Write len bytes at offset off (at the end with CPORT_FILE_APPEND). */
CPORT_API int cport_write(cport_handle_t f, const void *buf, uint32_t len,
                          uint64_t off, cport_op_t *op);

/* cport_transmit_file() flags. */
#define CPORT_TF_DISCONNECT 0x01u /* shut the send side down afterwards */

/**
 * Send head, then len bytes of file f from offset off (len 0: to the end
 * of the file), then tail, on a connected stream socket, as one operation
 * with one completion whose bytes count all of it, like TransmitFile. head
 * and tail may be NULL; their buffers must stay valid until completion.
 * f may be CPORT_INVALID_HANDLE: then only head and tail are sent.
 * The completion carries the socket's key.
 */
CPORT_API int cport_transmit_file(cport_handle_t s, cport_handle_t f,
                                  uint64_t off, uint32_t len,
                                  const cport_buf_t *head,
                                  const cport_buf_t *tail, unsigned flags,
                                  cport_op_t *op);

/* ------------------------------------------------------------------------ */
/* Timers                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * One completion {op, key, 0 bytes, status 0} through the port after
 * timeout_ms milliseconds. Thousands of timers cost no thread or
 * descriptor each. Returns 0, CPORT_EINVAL, CPORT_EBUSY, CPORT_ECLOSED.
 */
CPORT_API int cport_timer(cport_t *port, uintptr_t key, uint32_t timeout_ms,
                          cport_op_t *op);

/**
 * Cancel a timer that has not fired: it completes with CPORT_ECANCELED
 * instead. Returns 0, or CPORT_ENOENT if it already fired (its completion
 * stands) or is not a pending timer of this port.
 */
CPORT_API int cport_timer_cancel(cport_t *port, cport_op_t *op);

/* ------------------------------------------------------------------------ */
/* Operation results                                                         */
/* ------------------------------------------------------------------------ */

/** The socket a finished, successful cport_accept() produced, else
 * CPORT_INVALID_HANDLE. */
CPORT_API cport_handle_t cport_op_socket(const cport_op_t *op);

/**
 * Local and peer addresses of the socket a cport_accept() produced. Either
 * pointer may be NULL; lengths are in/out. Returns 0, CPORT_EINVAL.
 */
CPORT_API int cport_op_addresses(const cport_op_t *op, struct sockaddr *local,
                                 int *local_len, struct sockaddr *peer,
                                 int *peer_len);

/** Status of a finished operation: 0 or CPORT_E*. */
CPORT_API int cport_op_status(const cport_op_t *op);
/** Bytes transferred by a finished operation. */
CPORT_API uint32_t cport_op_bytes(const cport_op_t *op);

/** Build a cport_buf_t (also available as the CPORT_BUF macro). */
CPORT_API cport_buf_t cport_buf_init(void *base, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* CPORT_H */
