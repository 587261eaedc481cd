/*
 * fileio.c - see fileio.h.
 */
#include <errno.h>
#include <unistd.h>

#include "fileio.h"

void cp_file_result(cport_op_t *op, long res) {
  struct cp_lop *l = cp_lop(op);
  if (res < 0) {
    cp_op_result(op, (int)res);
  } else if (res == 0 && l->kind == CP_OP_READ && l->u.file.iov.len > 0) {
    cp_op_result(op, CPORT_EOF); /* at or past the end */
  } else {
    l->done = (uint32_t)res;
    cp_op_result(op, 0);
  }
}

void cp_file_io(cport_op_t *op, int fd) {
  struct cp_lop *l = cp_lop(op);
  ssize_t n;
  do {
    n = l->kind == CP_OP_READ
            ? pread(fd, l->u.file.iov.base, l->u.file.iov.len,
                    (off_t)l->u.file.offset)
            : pwrite(fd, l->u.file.iov.base, l->u.file.iov.len,
                     (off_t)l->u.file.offset);
  } while (n < 0 && errno == EINTR);
  cp_file_result(op, n < 0 ? -errno : n);
}
