/*
 * fileio.c - the blocking side of file operations, for backends that run
 * them on the worker pool (epoll): pread/pwrite at the op's offset, then
 * the op finishes like any other. While the call runs the handle counts
 * it, so a close in the meantime leaves the fd open until it returns
 * (CP_HF_ZOMBIE) and its number cannot be reused under the call.
 */
#include <errno.h>
#include <unistd.h>

#include "backend.h"
#include "engine.h"
#include "fileio.h"
#include "sockio.h"

int cp_file_result(cport_op_t *op, long res) {
  struct cp_lop *l = cp_lop(op);
  if (res < 0) {
    op->internal = (uintptr_t)(intptr_t)res;
  } else if (res == 0 && l->kind == CP_OP_READ && l->u.file.iov.len > 0) {
    op->internal = (uintptr_t)(intptr_t)CPORT_EOF; /* at or past the end */
  } else {
    l->done = (uint32_t)res;
    op->internal = 0;
  }
  return CP_TRY_DONE;
}

void cp_file_run(cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  struct cp_handle *h = l->h;
  pthread_mutex_lock(&h->lock);
  if (l->flags & CP_OPF_CANCEL) {
    op->internal = (uintptr_t)(intptr_t)CPORT_ECANCELED;
  } else {
    h->blocking++;
    int fd = h->fd;
    pthread_mutex_unlock(&h->lock);
    ssize_t n;
    do {
      n = l->kind == CP_OP_READ
              ? pread(fd, l->u.file.iov.base, l->u.file.iov.len,
                      (off_t)l->u.file.offset)
              : pwrite(fd, l->u.file.iov.base, l->u.file.iov.len,
                       (off_t)l->u.file.offset);
    } while (n < 0 && errno == EINTR);
    cp_file_result(op, n < 0 ? -errno : n);
    pthread_mutex_lock(&h->lock);
    h->blocking--;
  }
  l->flags &= (uint8_t)~CP_OPF_INFLIGHT;
  if (!(l->flags & CP_OPF_ORPHAN))
    cp_opq_remove(cp_op_queue(h, op), op);
  cp_op_finish(op, NULL);
  if ((h->flags & CP_HF_ZOMBIE) && h->blocking == 0) {
    close(h->fd); /* closed by the user while we were using it */
    h->flags = 0;
  }
  pthread_mutex_unlock(&h->lock);
}
