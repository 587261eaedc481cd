/*
 * file.c - the file calls of cport.h on Linux, TransmitFile and its piece
 * list (TransmitPackets) (layer 6):
 * opening, and setting up read, write and transmit ops for the engine.
 * Reads and writes run side by side (many at once on one file); a
 * transmit is a send, ordered with the socket's other sends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "hooks.h"

CPORT_API int cport_file_open(const char *path, unsigned flags,
                              cport_handle_t *out) {
  if (path == NULL || out == NULL || cp_check_file_flags(flags) != 0)
    return CPORT_EINVAL;
  int o = O_CLOEXEC;
  if ((flags & CPORT_FILE_READ) && (flags & CPORT_FILE_WRITE))
    o |= O_RDWR;
  else if (flags & CPORT_FILE_WRITE)
    o |= O_WRONLY;
  else
    o |= O_RDONLY;
  if (flags & CPORT_FILE_CREATE)
    o |= O_CREAT;
  if (flags & CPORT_FILE_TRUNCATE)
    o |= O_TRUNC;
  if (flags & CPORT_FILE_APPEND)
    o |= O_APPEND;
  if (flags & CPORT_FILE_EXCL)
    o |= O_EXCL;
  int fd;
  do
    fd = open(path, o, 0644);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return -errno;
  struct stat st;
  if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    close(fd);
    return CPORT_EISDIR;
  }
  int rc = cp_engine_open(fd, CP_H_FILE, 0, 0);
  if (rc != 0) {
    close(fd);
    return rc;
  }
  *out = fd;
  return 0;
}

CPORT_API int cport_file_close(cport_handle_t f) {
  struct stat st;
  if (f >= 0 && fstat(f, &st) == 0 && S_ISSOCK(st.st_mode))
    return CPORT_EBADF; /* a socket: cport_closesocket's */
  return cp_engine_close(f);
}

CPORT_API int cport_file_size(cport_handle_t f, uint64_t *size) {
  struct stat st;
  if (size == NULL)
    return CPORT_EINVAL;
  if (f < 0 || fstat(f, &st) != 0 || !S_ISREG(st.st_mode))
    return CPORT_EBADF; /* (a socket or a pipe has no size: Windows too) */
  *size = (uint64_t)st.st_size;
  return 0;
}

static int file_op(cport_handle_t f, uint8_t kind, const void *buf,
                   uint32_t len, uint64_t off, cport_op_t *op) {
  int rc = cp_check_file_io(op, buf, len, off, kind == CP_OP_WRITE);
  if (rc != 0)
    return rc;
  struct cp_handle *h = cp_engine_lock(f, CP_WANT_FILE, &rc);
  if (h == NULL)
    return rc;
  if (h->flags & (kind == CP_OP_READ ? CP_HF_NO_READ : CP_HF_NO_WRITE)) {
    cp_engine_unlock(h);
    return CPORT_EACCES;
  }
  if ((rc = cp_engine_op_init(op, h, kind)) != 0) {
    cp_engine_unlock(h);
    return rc;
  }
  struct cp_lop *l = cp_lop(op);
  l->u.file.iov.base = (void *)buf;
  l->u.file.iov.len = len;
  l->u.file.offset = off;
  l->bufs = &l->u.file.iov;
  l->nbufs = 1;
  op->u.off.offset = (uint32_t)off;
  op->u.off.offset_high = (uint32_t)(off >> 32);
  rc = cp_engine_submit(h, op);
  cp_engine_unlock(h);
  return rc;
}

CPORT_API int cport_read(cport_handle_t f, void *buf, uint32_t len,
                         uint64_t off, cport_op_t *op) {
  return file_op(f, CP_OP_READ, buf, len, off, op);
}

CPORT_API int cport_write(cport_handle_t f, const void *buf, uint32_t len,
                          uint64_t off, cport_op_t *op) {
  return file_op(f, CP_OP_WRITE, buf, len, off, op);
}

/* How many bytes of a file range to send: len, or (len 0) from off to the
 * end of the file, at most CP_TRANSMIT_MAX (as TransmitFile on Windows:
 * the completion's count tells how many), which must then be a regular
 * file. (With a length, sendfile itself refuses a handle that is not a
 * regular file, and stops at its end.) */
static int file_span(int f, uint64_t off, uint32_t *len) {
  if (f < 0)
    return CPORT_EBADF;
  if (*len != 0)
    return 0;
  struct stat st;
  if (fstat(f, &st) != 0)
    return CPORT_EBADF;
  if (!S_ISREG(st.st_mode))
    return CPORT_EINVAL;
  *len = cp_transmit_span(off, 0, (uint64_t)st.st_size, CP_TRANSMIT_MAX);
  return 0;
}

/* The op's own descriptor of file f (-1 for none), so a program that
 * closes f while the transmit runs, as Windows allows (the op keeps the
 * file), and opens another file under the same number, never sends the
 * other file's bytes: -1 with *rc set if the process has none left. */
static int own_file(cport_handle_t f, int *rc) {
  if (f < 0)
    return -1;
  int d = fcntl(f, F_DUPFD_CLOEXEC, 0);
  if (d < 0)
    *rc = errno == EBADF ? CPORT_EBADF : -errno;
  return d;
}

/* A transmit's own descriptors and list go (the op's end, or a call that
 * failed before the op took them). */
static void let_go(int own, struct cp_tpieces *list) {
  if (own >= 0)
    close(own);
  cp_tpieces_free(list);
}

/* The transmit op both calls start: head, file range, tail, then the
 * piece list. The op owns `own` (its descriptor of the file, or -1) and
 * the list from here on; it lets them go when it ends. */
static int transmit(cport_handle_t s, int own, uint64_t off, uint32_t len,
                    const cport_buf_t *head, const cport_buf_t *tail,
                    struct cp_tpieces *list, unsigned flags, cport_op_t *op) {
  int rc;
  struct cp_handle *h = cp_engine_lock(s, CP_WANT_STREAM_PEER, &rc);
  if (h == NULL) {
    let_go(own, list);
    return rc;
  }
  if (h->flags & (CP_HF_SHUT_WR | CP_HF_RESET)) {
    rc = (h->flags & CP_HF_RESET) ? CPORT_ECONNRESET : CPORT_ESHUTDOWN;
    cp_engine_unlock(h);
    let_go(own, list);
    return rc;
  }
  if ((rc = cp_engine_op_init(op, h, CP_OP_TRANSMIT)) != 0) {
    cp_engine_unlock(h);
    let_go(own, list);
    return rc;
  }
  struct cp_lop *l = cp_lop(op);
  if (head)
    l->u.tf.part[0] = *head;
  if (tail)
    l->u.tf.part[1] = *tail;
  l->u.tf.off = off;
  l->u.tf.left = len;
  l->u.tf.fd = own;
  l->u.tf.flags = (uint8_t)flags;
  l->u.tf.stage = CP_TF_HEAD;
  l->u.tf.pieces = list;
  if (list != NULL || own >= 0)
    l->flags |= CP_OPF_HEAPIOV; /* let go with the op's buffers */
  l->bufs = &l->u.tf.part[0];
  l->nbufs = 1;
  rc = cp_engine_submit(h, op);
  cp_engine_unlock(h);
  return rc;
}

CPORT_API int cport_transmit_file(cport_handle_t s, cport_handle_t f,
                                  uint64_t off, uint32_t len,
                                  const cport_buf_t *head,
                                  const cport_buf_t *tail, unsigned flags,
                                  cport_op_t *op) {
  int rc = cp_check_transmit(op, head, len, tail, flags);
  if (rc != 0)
    return rc;
  if (f == CPORT_INVALID_HANDLE)
    len = 0; /* no file: head and tail only */
  else if ((rc = file_span(f, off, &len)) != 0)
    return rc;
  if ((rc = cp_check_transmit_total(head, len, tail)) != 0)
    return rc;
  int own = own_file(f, &rc);
  if (rc != 0)
    return rc;
  return transmit(s, own, off, len, head, tail, NULL, flags, op);
}

CPORT_API int cport__transmit_pieces(cport_handle_t s,
                                     const struct cport__piece *pieces,
                                     unsigned n, unsigned flags,
                                     cport_op_t *op) {
  int rc = cp_check_transmit(op, NULL, 1, NULL, flags);
  if (rc != 0)
    return rc;
  if (pieces == NULL && n > 0)
    return CPORT_EINVAL;
  /* The list is reserved now: the op never fails later for want of it.
   * (src: each entry's file as the caller named it, while copying.) */
  struct cp_tpieces *list =
      malloc(sizeof(*list) + (size_t)n * sizeof(list->p[0]));
  int *src = malloc((size_t)(n > 0 ? n : 1) * sizeof(*src));
  if (list == NULL || src == NULL) {
    free(list);
    free(src);
    return CPORT_ENOMEM;
  }
  list->n = 0;
  list->next = 0;
  uint64_t total = 0;
  for (unsigned i = 0; i < n && rc == 0; i++) {
    const struct cport__piece *p = &pieces[i];
    struct cp_tpiece *q = &list->p[list->n];
    q->base = (char *)(uintptr_t)p->base;
    q->off = p->off;
    q->len = p->len;
    q->fd = -1;
    q->flags = (p->flags & CPORT__PIECE_EOP) ? CP_TP_EOP : 0;
    if (p->base == NULL)
      rc = file_span(p->fd, p->off, &q->len);
    total += q->len;
    /* An empty piece is left out: none sent with MSG_MORE waits for it.
     * A file piece sends from the op's own descriptor (own_file), one
     * per file however many pieces name it. */
    if (q->len > 0 && rc == 0 && p->base == NULL) {
      src[list->n] = p->fd;
      for (uint32_t j = 0; j < list->n && q->fd < 0; j++)
        if (list->p[j].base == NULL && src[j] == p->fd)
          q->fd = list->p[j].fd;
      if (q->fd < 0 && (q->fd = own_file(p->fd, &rc)) >= 0)
        q->flags |= CP_TP_OWN;
    }
    if (q->len > 0 && rc == 0)
      list->n++;
    else if (q->len == 0 && list->n > 0)
      list->p[list->n - 1].flags |= q->flags;
  }
  free(src);
  if (rc == 0 && total > UINT32_MAX)
    rc = CPORT_EINVAL;
  if (rc != 0) {
    cp_tpieces_free(list);
    return rc;
  }
  /* Head, file range and tail empty: the first stage (the head, nothing
   * to send) moves on to the list. */
  return transmit(s, -1, 0, 0, NULL, NULL, list, flags, op);
}
