/*
 * args.c - arguments, the same on every platform: the checks every
 * backend makes so that each refuses the same bad input with the same code
 * before any system call, and cport_buf_init, which builds a buffer
 * argument portably (the field order differs between iovec and WSABUF).
 */
#include <limits.h>

#include "common.h"

#define CP_MAX_BUFS 1024
#define CP_MAX_ADDR 128 /* sizeof(struct sockaddr_storage) */

int cp_check_bufs_many(const cport_buf_t *bufs, unsigned n) {
  if (bufs == NULL || n == 0 || n > CP_MAX_BUFS)
    return CPORT_EINVAL;
  uint64_t total = 0;
  for (unsigned i = 0; i < n; i++) {
    if (!cp_buf_ok(&bufs[i]))
      return CPORT_EINVAL;
    total += bufs[i].len;
  }
  return total > UINT32_MAX ? CPORT_EINVAL : 0;
}

int cp_check_connect(const cport_op_t *op, const void *to, int tolen,
                     const void *data, uint32_t len) {
  int rc = cp_check_op(op);
  if (rc == 0 && (to == NULL || tolen <= 0 || tolen > CP_MAX_ADDR ||
                  (data == NULL && len > 0)))
    rc = CPORT_EINVAL;
  return rc;
}

int cp_check_transmit(const cport_op_t *op, const cport_buf_t *head,
                      const cport_buf_t *tail, unsigned flags) {
  int rc = cp_check_op(op);
  if (rc == 0 && ((flags & ~CPORT_TF_DISCONNECT) != 0 ||
                  (head && head->base == NULL && head->len > 0) ||
                  (tail && tail->base == NULL && tail->len > 0)))
    rc = CPORT_EINVAL;
  return rc;
}

uint32_t cp_transmit_span(uint64_t off, uint32_t len, uint64_t size,
                          uint32_t max) {
  uint64_t avail = off < size ? size - off : 0;
  if (len != 0 && len <= avail)
    return len;
  return avail > max ? max : (uint32_t)avail;
}

int cp_check_file_io(const cport_op_t *op, const void *buf, uint32_t len,
                     uint64_t off) {
  int rc = cp_check_op(op);
  if (rc == 0 && ((buf == NULL && len > 0) || off > (uint64_t)INT64_MAX - len))
    rc = CPORT_EINVAL;
  return rc;
}

int cp_check_timer(const void *port, const cport_op_t *op) {
  return port == NULL ? CPORT_EINVAL : cp_check_op(op);
}

int cp_check_file_flags(unsigned flags) {
  const unsigned known = CPORT_FILE_READ | CPORT_FILE_WRITE |
                         CPORT_FILE_CREATE | CPORT_FILE_TRUNCATE |
                         CPORT_FILE_APPEND | CPORT_FILE_EXCL;
  if ((flags & ~known) != 0 ||
      !(flags & (CPORT_FILE_READ | CPORT_FILE_WRITE)) ||
      ((flags & CPORT_FILE_EXCL) && !(flags & CPORT_FILE_CREATE)) ||
      ((flags & (CPORT_FILE_TRUNCATE | CPORT_FILE_APPEND)) &&
       !(flags & CPORT_FILE_WRITE)))
    return CPORT_EINVAL;
  return 0;
}

CPORT_API cport_buf_t cport_buf_init(void *base, size_t len) {
  cport_buf_t b;
#if defined(_WIN32)
  /* WSABUF lengths are ULONG: a longer buffer is described by its first
   * ULONG_MAX bytes, never by a wrapped-around length. */
  b.base = (char *)base;
  b.len = len > ULONG_MAX ? ULONG_MAX : (unsigned long)len;
#else
  b.base = base;
  b.len = len;
#endif
  return b;
}
