/*
 * op.c - the op record (see op.h): set-up, buffers, queues, publishing a
 * result, and the public calls that read a result from any thread.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "op.h"
#include "sys.h"

_Static_assert(sizeof(struct cp_lop) <= sizeof(((cport_op_t *)0)->priv),
               "the Linux op record must fit in cport_op_t.priv");
_Static_assert(sizeof(cport_op_t) == 32 * sizeof(void *),
               "cport_op_t has a fixed size");
_Static_assert(offsetof(struct cp_lop, u.tf.msg) ==
                   offsetof(struct cp_lop, u.io.msg),
               "a transmit sends with the same msghdr as a send");
_Static_assert(sizeof(cport_buf_t) == sizeof(struct iovec) &&
                   offsetof(cport_buf_t, base) ==
                       offsetof(struct iovec, iov_base) &&
                   offsetof(cport_buf_t, len) ==
                       offsetof(struct iovec, iov_len),
               "cport_buf_t is struct iovec");
_Static_assert(sizeof(struct cp_msghdr) == sizeof(struct msghdr) &&
                   offsetof(struct cp_msghdr, iov) ==
                       offsetof(struct msghdr, msg_iov) &&
                   offsetof(struct cp_msghdr, flags) ==
                       offsetof(struct msghdr, msg_flags),
               "cp_msghdr is struct msghdr");

uint32_t cp_op_waiters; /* (op.h) */

/* The futex word of an op: the low 32 bits of op->internal, which read
 * 0x103 exactly while the op is pending (every final status differs). */
static uint32_t *status_word(const cport_op_t *op) {
  uint32_t *w = (uint32_t *)(void *)&((cport_op_t *)op)->internal;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  if (sizeof(uintptr_t) == 8)
    w++;
#endif
  return w;
}

void cp_op_wake_waiters(cport_op_t *op) {
  cp_futex_wake(status_word(op), INT_MAX);
}

/* ------------------------------------------------------------------------ */
/* Buffers                                                                   */
/* ------------------------------------------------------------------------ */

int cp_op_bufs_many(cport_op_t *op, const cport_buf_t *bufs, unsigned n) {
  struct cp_lop *l = cp_lop(op);
  cport_buf_t *dst = l->u.io.iov;
  if (n > CP_INLINE_IOV) {
    dst = malloc(n * sizeof(*dst));
    if (dst == NULL)
      return CPORT_ENOMEM;
    l->flags |= CP_OPF_HEAPIOV;
  }
  memcpy(dst, bufs, n * sizeof(*dst));
  l->bufs = dst;
  l->nbufs = (uint16_t)n;
  return 0;
}

void cp_tpieces_free(struct cp_tpieces *list) {
  if (list == NULL)
    return;
  for (uint32_t i = 0; i < list->n; i++)
    if (list->p[i].flags & CP_TP_OWN)
      close(list->p[i].fd);
  free(list);
}

void cp_op_free_heap_bufs(cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  if (l->kind == CP_OP_TRANSMIT) { /* its bufs are in the record */
    /* Its own descriptors go: the file's, or the pieces' (tf.fd is then
     * a piece's copy). */
    if (l->u.tf.pieces == NULL && l->u.tf.fd >= 0)
      close(l->u.tf.fd);
    l->u.tf.fd = -1;
    cp_tpieces_free(l->u.tf.pieces);
    l->u.tf.pieces = NULL;
  } else {
    free(l->bufs);
  }
  l->bufs = NULL;
  l->nbufs = 0;
  l->flags &= (uint16_t)~CP_OPF_HEAPIOV;
}

size_t cp_bufs_sum(const cport_buf_t *b, unsigned n) {
  size_t t = 0;
  for (unsigned i = 0; i < n; i++)
    t += b[i].len;
  return t;
}

/* The first buffer with bytes left, and how many remain from there. */
static cport_buf_t *bufs_rest(const struct cp_lop *l, unsigned *n) {
  unsigned i = 0;
  while (i < l->nbufs && l->bufs[i].len == 0)
    i++;
  *n = l->nbufs - i;
  return l->bufs + i;
}

void cp_bufs_consume_many(struct cp_lop *l, size_t n) {
  for (unsigned i = 0; i < l->nbufs && n > 0; i++) {
    size_t k = l->bufs[i].len < n ? l->bufs[i].len : n;
    l->bufs[i].base = (char *)l->bufs[i].base + k;
    l->bufs[i].len -= k;
    n -= k;
  }
}

size_t cp_bufs_fill(struct cp_lop *l, const void *src, size_t n) {
  const char *s = src;
  size_t copied = 0;
  for (unsigned i = 0; i < l->nbufs && copied < n; i++) {
    size_t k = l->bufs[i].len < n - copied ? l->bufs[i].len : n - copied;
    if (k == 0)
      continue;
    memcpy(l->bufs[i].base, s + copied, k);
    l->bufs[i].base = (char *)l->bufs[i].base + k;
    l->bufs[i].len -= k;
    copied += k;
  }
  return copied;
}

struct cp_msghdr *cp_op_msghdr(struct cp_lop *l) {
  unsigned n;
  struct cp_msghdr *m = &l->u.io.msg;
  m->iov = bufs_rest(l, &n);
  m->iovlen = n;
  m->control = NULL;
  m->controllen = 0;
  m->flags = 0;
  return m;
}

/* ------------------------------------------------------------------------ */
/* Queues                                                                    */
/* ------------------------------------------------------------------------ */

cport_op_t *cp_opq_pop(struct cp_opq *q) {
  cport_op_t *op = q->head;
  if (op) {
    q->left++;
    q->head = cp_lop(op)->next;
    if (q->head == NULL) {
      q->tail = NULL;
      q->left = q->pushed;
    }
    cp_lop(op)->next = NULL;
  }
  return op;
}

bool cp_opq_remove_inner(struct cp_opq *q, cport_op_t *op) {
  cport_op_t *prev = NULL;
  for (cport_op_t *it = q->head; it; prev = it, it = cp_lop(it)->next) {
    if (it != op)
      continue;
    if (prev)
      cp_lop(prev)->next = cp_lop(it)->next;
    else
      q->head = cp_lop(it)->next;
    if (q->tail == it)
      q->tail = prev;
    cp_lop(it)->next = NULL;
    if (prev == NULL) /* (the head: counted, see struct cp_opq) */
      q->left++;
    if (q->head == NULL)
      q->left = q->pushed;
    return true;
  }
  return false;
}

bool cp_opq_contains(const struct cp_opq *q, const cport_op_t *op) {
  for (cport_op_t *it = q->head; it; it = cp_lop(it)->next)
    if (it == op)
      return true;
  return false;
}

uintptr_t (*cp_nt_hook)(const cport_op_t *op, int status, uint32_t bytes,
                        bool closed);

uintptr_t cp_op_nt_word(cport_op_t *op, int status, uint32_t bytes) {
  struct cp_lop *l = cp_lop(op);
  l->status = status; /* kept for cport__op_code */
  uintptr_t (*hook)(const cport_op_t *, int, uint32_t, bool) =
      __atomic_load_n(&cp_nt_hook, __ATOMIC_ACQUIRE);
  if (hook == NULL)
    return (uintptr_t)(intptr_t)status;
  bool closed = (l->flags & CP_OPF_CLOSED) && l->kind != CP_OP_ACCEPT &&
                l->kind != CP_OP_CONNECT;
  return hook(op, status, bytes, closed);
}

/* ------------------------------------------------------------------------ */
/* Public: results, from any thread                                          */
/* ------------------------------------------------------------------------ */

CPORT_API int cport_op_status(const cport_op_t *op) {
  if (op == NULL)
    return CPORT_EINVAL;
  uintptr_t v = __atomic_load_n(&op->internal, __ATOMIC_ACQUIRE);
  return v == CP_STATUS_PENDING ? CPORT_EINPROGRESS : (int)(intptr_t)v;
}

CPORT_API uint32_t cport_op_bytes(const cport_op_t *op) {
  if (op == NULL)
    return 0;
  if (__atomic_load_n(&op->internal, __ATOMIC_ACQUIRE) == CP_STATUS_PENDING)
    return 0;
  return (uint32_t)__atomic_load_n(&op->internal_high, __ATOMIC_RELAXED);
}

int cp_op_wait(const cport_op_t *op, int timeout_ms) {
  if (op == NULL || timeout_ms < -1)
    return CPORT_EINVAL;
  if (__atomic_load_n(&op->internal, __ATOMIC_ACQUIRE) != CP_STATUS_PENDING)
    return 0;
  if (timeout_ms == 0)
    return CPORT_ETIMEDOUT;
  uint64_t deadline = timeout_ms < 0
                          ? UINT64_MAX
                          : cp_now_ns() + (uint64_t)timeout_ms * 1000000u;
  int rc = 0;
  __atomic_add_fetch(&cp_op_waiters, 1, __ATOMIC_SEQ_CST);
  while (__atomic_load_n(&op->internal, __ATOMIC_SEQ_CST) ==
         CP_STATUS_PENDING) {
    int64_t ns = -1;
    if (deadline != UINT64_MAX) {
      uint64_t now = cp_now_ns();
      if (now >= deadline) {
        rc = CPORT_ETIMEDOUT;
        break;
      }
      ns = (int64_t)(deadline - now);
    }
    cp_futex_wait(status_word(op), (uint32_t)CP_STATUS_PENDING, ns);
  }
  __atomic_sub_fetch(&cp_op_waiters, 1, __ATOMIC_SEQ_CST);
  return rc;
}
