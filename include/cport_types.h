/**
 * @file cport_types.h
 * @brief The types of the cport API: handles, buffers, the operation
 * record, completions, backends and options. Included by cport.h; include
 * that.
 */
#ifndef CPORT_TYPES_H
#define CPORT_TYPES_H

#ifndef CPORT_H
#  error "include <cport.h>, which includes this header"
#endif

/**
 * @defgroup cport_types Types
 * @brief Handles, buffers, the operation record, completions and options.
 * @{
 */

#if defined(_WIN32)
/** A socket or file handle: a file descriptor on Linux, a SOCKET or a file
 * HANDLE on Windows. */
typedef uintptr_t cport_handle_t;
/** The value of a handle that is no handle: -1 on Linux, INVALID_SOCKET
 * (and INVALID_HANDLE_VALUE) on Windows. */
#  define CPORT_INVALID_HANDLE (~(cport_handle_t)0)
/** A buffer: base and length. The same layout as WSABUF on Windows, as
 * struct iovec on Linux, so an array of them is passed to the system as
 * it is. Build one with CPORT_BUF() or cport_buf_init(). */
typedef struct cport_buf {
  unsigned long len; /**< length in bytes (a ULONG on Windows) */
  char *base;        /**< first byte */
} cport_buf_t;
#else
/** A socket or file handle: a file descriptor on Linux, a SOCKET or a file
 * HANDLE on Windows. */
typedef int cport_handle_t;
/** The value of a handle that is no handle: -1 on Linux, INVALID_SOCKET
 * (and INVALID_HANDLE_VALUE) on Windows. */
#  define CPORT_INVALID_HANDLE (-1)
/** A buffer: base and length. The same layout as WSABUF on Windows, as
 * struct iovec on Linux, so an array of them is passed to the system as
 * it is. Build one with CPORT_BUF() or cport_buf_init(). */
typedef struct cport_buf {
  void *base; /**< first byte */
  size_t len; /**< length in bytes (a ULONG on Windows) */
} cport_buf_t;
#endif

/**
 * Build a cport_buf_t portably (the fields are in a different order on
 * Windows and Linux).
 * @param ptr first byte
 * @param n length in bytes
 */
#define CPORT_BUF(ptr, n) cport_buf_init((ptr), (n))

/**
 * Build a cport_buf_t (also available as the CPORT_BUF() macro).
 *
 * On Windows, where a buffer length is a ULONG, a longer buffer is
 * described by its first ULONG_MAX bytes.
 *
 * @param base first byte
 * @param len length in bytes
 * @return The buffer. This call cannot fail.
 */
CPORT_API cport_buf_t cport_buf_init(void *base, size_t len);

/**
 * The per-operation record, the OVERLAPPED analogue. It must stay valid, and
 * unmoved, from the call that starts an operation until its completion is
 * taken from the port. Zero it before first use (`cport_op_t op = {0};` or
 * memset); cport re-initialises it for each operation after that.
 *
 * Layout (fixed: 256 bytes on 64-bit systems, 132 on 32-bit; part of the
 * ABI, see README.md):
 *   - the first 32 bytes have the layout of Windows' OVERLAPPED (Internal =
 *     status, InternalHigh = bytes, Offset/OffsetHigh, hEvent); on Windows
 *     they are the OVERLAPPED the system uses;
 *   - `data` belongs to the user;
 *   - `priv` belongs to the backend. Do not touch it.
 *
 * Read the results of a finished operation with cport_op_status() and
 * cport_op_bytes() rather than from the fields.
 *
 * One operation at a time: a call given an op still in flight fails with
 * #CPORT_EBUSY. Two threads starting operations on the same idle op at the
 * same moment (a program error: Windows gives no answer for one OVERLAPPED
 * in two calls) get one start and one #CPORT_EBUSY: the op is claimed
 * with one atomic step before its record is written.
 */
typedef struct cport_op {
  uintptr_t internal;      /**< status once completed (backend format) */
  uintptr_t internal_high; /**< bytes transferred once completed */
  /** Windows' Offset/OffsetHigh or Pointer; cport sets it for file
   * operations. */
  union {
    /** The file offset, in two halves. */
    struct {
      uint32_t offset;      /**< low 32 bits of the file offset */
      uint32_t offset_high; /**< high 32 bits of the file offset */
    } off;
    void *pointer; /**< the same bytes as a pointer */
  } u;
  void *event; /**< hEvent on Windows; elsewhere keep it NULL: on Linux an
                    I/O op with one is refused (#CPORT_EINVAL) unless the
                    Win32 layer, which signals it, is loaded */
  void *data;  /**< free for the user; cport never touches it */
  uintptr_t priv[27]; /**< backend-private: do not touch */
} cport_op_t;

/** What cport_get() and cport_get_many() return: one finished operation,
 * or one cport_post(). */
typedef struct cport_completion {
  cport_op_t *op; /**< as given to the operation or to cport_post() */
  uintptr_t key;  /**< the key of the handle (accept: the listener's key) */
  uint32_t bytes; /**< bytes transferred */
  int status;     /**< 0 or a CPORT_E* code */
} cport_completion_t;

/** Which system mechanism a port uses (cport_options_t::backend). */
typedef enum cport_backend_kind {
  CPORT_BACKEND_AUTO = 0, /**< io_uring, else epoll on Linux; iocp on Windows */
  CPORT_BACKEND_IOCP = 1, /**< Windows I/O completion ports (Windows only) */
  CPORT_BACKEND_URING = 2, /**< io_uring (Linux 5.11 and later) */
  CPORT_BACKEND_EPOLL = 3  /**< epoll (Linux) */
} cport_backend_t;

/** Port options for cport_create(). All-zero means defaults. The size of
 * this structure is part of the ABI: new options take reserved fields. */
typedef struct cport_options {
  /** Threads released at once (IOCP's NumberOfConcurrentThreads): at most
   * this many threads return from cport_get() and are not back yet. 0 =
   * the number of CPUs; at most 65536. */
  unsigned concurrency;
  /** The backend. CPORT_BACKEND_AUTO (0) honours $CPORT_BACKEND
   * ("io_uring", "epoll", "iocp"), else picks io_uring, falling back to
   * epoll where the kernel refuses it. An explicit value is used or fails,
   * never replaced. */
  cport_backend_t backend;
  /** Kernel queue size hint (the io_uring submission queue); 0 = 256; at
   * most 32768. Ignored by epoll and iocp. */
  unsigned entries;
  /** Threads of the blocking-work pool that runs regular-file I/O where the
   * backend cannot do it asynchronously (epoll); 0 = the default; at most
   * 1024. */
  unsigned workers;
  unsigned reserved[4]; /**< must be zero */
} cport_options_t;

/** A completion port: created by cport_create(), freed by cport_close().
 * Opaque; every function that takes one is thread-safe. */
typedef struct cport cport_t;

/** @} */

#endif /* CPORT_TYPES_H */
