/*
 * fileio.c - see fileio.h.
 */
#include <errno.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fileio.h"

void cp_file_result(cport_op_t *op, long res) {
  struct cp_lop *l = cp_lop(op);
  if (res < 0) {
    cp_op_result(op, (int)res);
  } else if (res == 0 && l->kind == CP_OP_READ && l->u.file.iov.len > 0 &&
             l->done == 0) {
    cp_op_result(op, CPORT_EOF); /* at or past the end */
  } else {
    l->done += (uint32_t)res; /* (after the op's earlier parts) */
    cp_op_result(op, 0);
  }
}

/* Linux moves at most MAX_RW_COUNT bytes a call (INT_MAX rounded down to
 * a page: 2 GiB - 4 KiB with 4 KiB pages, 2 GiB - 64 KiB with 64 KiB
 * ones). A read that returned this many or more stopped at that cap; a
 * shorter one met the end of the file (or a pipe's, a device's data) and
 * is whole: asking again would cost a call at every file's end. */
#define CP_FILE_CALL_CAP 0x7fff0000L

bool cp_file_moved_part(cport_op_t *op, long res) {
  struct cp_lop *l = cp_lop(op);
  if (res <= 0 || (size_t)res >= l->u.file.iov.len)
    return false;
  if (l->kind != CP_OP_WRITE &&
      (l->kind != CP_OP_READ || res < CP_FILE_CALL_CAP))
    return false;
  l->done += (uint32_t)res;
  l->u.file.iov.base = (char *)l->u.file.iov.base + res;
  l->u.file.iov.len -= (size_t)res;
  if (l->u.file.offset != CPORT_FILE_END)
    l->u.file.offset += (uint64_t)res;
  return true;
}

void cp_file_io(cport_op_t *op, int fd) {
  struct cp_lop *l = cp_lop(op);
  ssize_t n;
  for (;;) {
    if (l->kind == CP_OP_READ) {
      n = pread(fd, l->u.file.iov.base, l->u.file.iov.len,
                (off_t)l->u.file.offset);
    } else {
      struct iovec iov = {l->u.file.iov.base, l->u.file.iov.len};
      n = l->u.file.offset == CPORT_FILE_END
              ? pwritev2(fd, &iov, 1, 0, RWF_APPEND)
              : pwritev(fd, &iov, 1, (off_t)l->u.file.offset);
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (!cp_file_moved_part(op, n < 0 ? -errno : n))
      break;
  }
  cp_file_result(op, n < 0 ? -errno : n);
}

bool cp_file_read_cached(cport_op_t *op, int fd) {
  struct cp_lop *l = cp_lop(op);
  if (l->kind != CP_OP_READ)
    return false;
  if (l->u.file.iov.len == 0) {
    /* A read of nothing is done at once, as Windows ends it in the call
     * (success, 0 bytes; a program may reuse its OVERLAPPED at once). */
    cp_file_result(op, 0);
    return true;
  }
  struct iovec iov = {l->u.file.iov.base, l->u.file.iov.len};
  ssize_t n;
  do {
    n = preadv2(fd, &iov, 1, (off_t)l->u.file.offset, RWF_NOWAIT);
  } while (n < 0 && errno == EINTR);
  if (n <= 0)
    return false; /* EAGAIN (not cached), EOPNOTSUPP, or the end of the
                     file, reported as before: the kernel's op */
  if ((size_t)n < iov.iov_len) {
    /* Short: the end of the file, or a page that is not cached. */
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        l->u.file.offset + (uint64_t)n < (uint64_t)st.st_size)
      return false;
  }
  cp_file_result(op, n);
  return true;
}
