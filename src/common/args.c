/*
 * args.c - what programs pass, checked the same on every platform: the
 * arguments every backend checks so that each refuses the same bad input
 * with the same code before any system call; cport_buf_init, which builds
 * a buffer argument portably (the field order differs between iovec and
 * WSABUF); and cport_options_t and $CPORT_BACKEND.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#  include <windows.h>
#endif

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
                      uint32_t len, const cport_buf_t *tail, unsigned flags) {
  int rc = cp_check_op(op);
  if (rc == 0 &&
      ((flags & ~CPORT_TF_DISCONNECT) != 0 ||
       (head && head->base == NULL && head->len > 0) ||
       (tail && tail->base == NULL && tail->len > 0) || len > CP_TRANSMIT_MAX))
    rc = CPORT_EINVAL;
  return rc;
}

int cp_check_transmit_total(const cport_buf_t *head, uint32_t len,
                            const cport_buf_t *tail) {
  uint64_t total =
      (uint64_t)len + (head ? head->len : 0) + (tail ? tail->len : 0);
  return total > UINT32_MAX ? CPORT_EINVAL : 0;
}

uint32_t cp_transmit_span(uint64_t off, uint32_t len, uint64_t size,
                          uint32_t max) {
  uint64_t avail = off < size ? size - off : 0;
  if (len != 0 && len <= avail)
    return len;
  return avail > max ? max : (uint32_t)avail;
}

int cp_check_file_io(const cport_op_t *op, const void *buf, uint32_t len,
                     uint64_t off, bool write) {
  int rc = cp_check_op(op);
  if (rc == 0 &&
      ((buf == NULL && len > 0) ||
       (off > (uint64_t)INT64_MAX - len && !(write && off == CPORT_FILE_END))))
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

/* ------------------------------------------------------------------------ */
/* Options                                                                   */
/* ------------------------------------------------------------------------ */

void cp_env_complain(int *said, const char *var, const char *value,
                     const char *takes, const char *then) {
  if (__atomic_exchange_n(said, 1, __ATOMIC_RELAXED))
    return;
  fprintf(stderr, "cport: %s=%s: %s; %s\n", var, value, takes, then);
}

/* Copies $CPORT_BACKEND into name; 0 if unset or empty, 1 if copied, -1
 * if longer than any backend name. (GetEnvironmentVariableA on Windows,
 * where the C runtime's getenv() is deprecated.) */
static int cp_backend_env(char *name, size_t size) {
#if defined(_WIN32)
  DWORD n = GetEnvironmentVariableA("CPORT_BACKEND", name, (DWORD)size);
  if (n == 0)
    return 0;
  return n < size ? 1 : -1;
#else
  const char *v = getenv("CPORT_BACKEND");
  if (v == NULL || v[0] == '\0')
    return 0;
  size_t n = strlen(v);
  if (n >= size)
    return -1;
  memcpy(name, v, n + 1);
  return 1;
#endif
}

static int backend_said;

int cp_backend_from_env(void) {
  char name[16];
  int got = cp_backend_env(name, sizeof(name));
  if (got < 0) {
    cp_env_complain(&backend_said, "CPORT_BACKEND", "(too long)",
                    "not a backend (auto, io_uring, epoll, iocp)",
                    "cport_create fails with CPORT_EINVAL");
    return CPORT_EINVAL;
  }
  if (got == 0 || strcmp(name, "auto") == 0)
    return CPORT_BACKEND_AUTO;
  if (strcmp(name, "io_uring") == 0 || strcmp(name, "uring") == 0)
    return CPORT_BACKEND_URING;
  if (strcmp(name, "epoll") == 0)
    return CPORT_BACKEND_EPOLL;
  if (strcmp(name, "iocp") == 0)
    return CPORT_BACKEND_IOCP;
  cp_env_complain(&backend_said, "CPORT_BACKEND", name,
                  "not a backend (auto, io_uring, epoll, iocp)",
                  "cport_create fails with CPORT_EINVAL");
  return CPORT_EINVAL;
}

int cp_check_options(const cport_options_t *opts, cport_backend_t *kind) {
  cport_backend_t want = CPORT_BACKEND_AUTO;
  if (opts != NULL) {
    for (size_t i = 0; i < CP_ARRAY_LEN(opts->reserved); i++)
      if (opts->reserved[i] != 0)
        return CPORT_EINVAL;
    if ((unsigned)opts->backend > CPORT_BACKEND_EPOLL)
      return CPORT_EINVAL;
    if (opts->entries > 32768 || opts->workers > 1024 ||
        opts->concurrency > 65536)
      return CPORT_EINVAL;
    want = opts->backend;
  }
  if (want == CPORT_BACKEND_AUTO) {
    int env = cp_backend_from_env();
    if (env < 0)
      return env;
    want = (cport_backend_t)env;
  }
  *kind = want;
  return 0;
}
