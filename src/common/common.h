/*
 * common.h - internal helpers shared by every backend: visibility, branch
 * hints, argument checks and the op state word.
 */
#ifndef CPORT_COMMON_H
#define CPORT_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "cport.h"

#if defined(__GNUC__)
#  define CP_LIKELY(x) __builtin_expect(!!(x), 1)
#  define CP_UNLIKELY(x) __builtin_expect(!!(x), 0)
#  if defined(_WIN32)
#    define CP_INTERNAL /* PE: only dllexport'ed symbols leave the DLL */
#  else
#    define CP_INTERNAL __attribute__((visibility("hidden")))
#  endif
#else
#  define CP_LIKELY(x) (x)
#  define CP_UNLIKELY(x) (x)
#  define CP_INTERNAL
#endif

#define CP_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Thread-local state of the Linux library, in the initial TLS block: a
 * plain memory access instead of a __tls_get_addr call on every use (the
 * library is linked at start-up, not dlopen()ed late). */
#if defined(__GNUC__) && !defined(_WIN32)
#  define CP_TLS __thread __attribute__((tls_model("initial-exec")))
#else
#  define CP_TLS _Thread_local
#endif

/*
 * Every backend keeps the op's life-cycle in priv[0]: a magic value while
 * the operation is in flight, anything else when the op is free. The magic
 * makes it unlikely that a zeroed or reused op is mistaken for a busy one.
 */
#define CP_OP_BUSY_MAGIC ((uintptr_t)0x63706f7274427573ull) /* "cportBus" */

#if defined(_MSC_VER)
/* x86/x64 MSVC: volatile accesses are acquire/release (/volatile:ms). */
static inline bool cp_op_busy(const cport_op_t *op) {
  return *(const volatile uintptr_t *)&op->priv[0] == CP_OP_BUSY_MAGIC;
}
static inline void cp_op_set_busy(cport_op_t *op) {
  *(volatile uintptr_t *)&op->priv[0] = CP_OP_BUSY_MAGIC;
}
static inline void cp_op_set_idle(cport_op_t *op) {
  *(volatile uintptr_t *)&op->priv[0] = 0;
}
#else
static inline bool cp_op_busy(const cport_op_t *op) {
  return __atomic_load_n(&op->priv[0], __ATOMIC_ACQUIRE) == CP_OP_BUSY_MAGIC;
}
static inline void cp_op_set_busy(cport_op_t *op) {
  __atomic_store_n(&op->priv[0], CP_OP_BUSY_MAGIC, __ATOMIC_RELAXED);
}
static inline void cp_op_set_idle(cport_op_t *op) {
  __atomic_store_n(&op->priv[0], 0, __ATOMIC_RELEASE);
}
#endif

/* Argument checks shared by every platform (args.c). Each returns 0 or
 * the CPORT_E* code the call must fail with. */
#define CP_SENDTO_MAX_ADDR 32 /* cport_sendto copies the address */
static inline int cp_check_op(const cport_op_t *op) {
  if (op == NULL)
    return CPORT_EINVAL;
  return cp_op_busy(op) ? CPORT_EBUSY : 0;
}
/* One buffer: an address unless empty, and at most 4 GiB - 1 bytes. */
static inline bool cp_buf_ok(const cport_buf_t *b) {
  uint64_t len = b->len; /* (size_t or ULONG, compared as 64 bits) */
  return (b->base != NULL || len == 0) && len <= UINT32_MAX;
}
CP_INTERNAL int cp_check_bufs_many(const cport_buf_t *bufs, unsigned n);
/* A buffer array (one buffer, the common case, without a call). */
static inline int cp_check_bufs(const cport_buf_t *bufs, unsigned n) {
  if (bufs != NULL && n == 1)
    return cp_buf_ok(&bufs[0]) ? 0 : CPORT_EINVAL;
  return cp_check_bufs_many(bufs, n);
}
static inline int cp_check_recv(const cport_op_t *op, const cport_buf_t *bufs,
                                unsigned n, const void *from,
                                const int *fromlen) {
  int rc = cp_check_op(op);
  if (rc == 0)
    rc = cp_check_bufs(bufs, n);
  if (rc == 0 && from != NULL && (fromlen == NULL || *fromlen <= 0))
    rc = CPORT_EINVAL;
  return rc;
}
static inline int cp_check_send(const cport_op_t *op, const cport_buf_t *bufs,
                                unsigned n, const void *to, int tolen) {
  int rc = cp_check_op(op);
  if (rc == 0)
    rc = cp_check_bufs(bufs, n);
  /* (A larger tolen is checked where the address family is known: the
   * Linux socket code keeps IPv4 and IPv6 addresses of any given size.) */
  if (rc == 0 && to != NULL && tolen <= 0)
    rc = CPORT_EINVAL;
  return rc;
}
static inline int cp_check_disconnect(const cport_op_t *op, unsigned flags) {
  int rc = cp_check_op(op);
  return rc != 0 ? rc : flags != 0 ? CPORT_EINVAL : 0;
}
CP_INTERNAL int cp_check_connect(const cport_op_t *op, const void *to,
                                 int tolen, const void *data, uint32_t len);
/* TransmitFile's most file bytes a call (2^31 - 2). */
#define CP_TRANSMIT_MAX 0x7FFFFFFEu
/* A transmit's arguments: CPORT_EINVAL for an unknown flag, a head or
 * tail with no base, or a file length above CP_TRANSMIT_MAX. */
CP_INTERNAL int cp_check_transmit(const cport_op_t *op, const cport_buf_t *head,
                                  uint32_t len, const cport_buf_t *tail,
                                  unsigned flags);
/* CPORT_EINVAL when head, `len` file bytes and tail together exceed a
 * completion's 32-bit count, else 0. */
CP_INTERNAL int cp_check_transmit_total(const cport_buf_t *head, uint32_t len,
                                        const cport_buf_t *tail);
CP_INTERNAL int cp_check_file_flags(unsigned flags);
/* A read or write's arguments; a write's `off` may be CPORT_FILE_END. */
CP_INTERNAL int cp_check_file_io(const cport_op_t *op, const void *buf,
                                 uint32_t len, uint64_t off, bool write);
CP_INTERNAL int cp_check_timer(const void *port, const cport_op_t *op);
/* The file bytes a transmit sends: len, or (len 0, or beyond the end)
 * what is left of a file of `size` bytes after `off`, at most `max`. */
CP_INTERNAL uint32_t cp_transmit_span(uint64_t off, uint32_t len, uint64_t size,
                                      uint32_t max);

/* Reads $CPORT_BACKEND; returns CPORT_BACKEND_AUTO when unset, or
 * CPORT_EINVAL for a name that is not a backend. */
CP_INTERNAL int cp_backend_from_env(void);

/* Validates options shared by every platform; fills *kind with the backend
 * requested (AUTO, IOCP, URING, EPOLL). */
CP_INTERNAL int cp_check_options(const cport_options_t *opts,
                                 cport_backend_t *kind);

/* An environment variable of cport's holds what cport cannot use: one
 * line on stderr naming it, its value, what it takes and what follows
 * (once per process and variable: *said is the caller's flag). */
CP_INTERNAL void cp_env_complain(int *said, const char *var, const char *value,
                                 const char *takes, const char *then);

#endif
