/*
 * engine.c - what happens to an operation on a handle, the same for every
 * Linux backend: its queue, starting it, exactly one completion, skip on
 * success, cancel and close. A backend only starts an op
 * (backend->start) and reports its end.
 *
 * Each handle has a receive queue and a send queue. Ops of an ordered
 * queue run one at a time, head first (receives fill in posting order,
 * sends never interleave); accepts, datagram sends and file reads and
 * writes run side by side.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend.h"
#include "engine.h"
#include "sockio.h"

static bool is_recv_side(uint8_t kind) {
  return kind == CP_OP_RECV || kind == CP_OP_POLLIN ||
         kind == CP_OP_RECVFROM || kind == CP_OP_ACCEPT ||
         kind == CP_OP_READ || kind == CP_OP_WRITE;
}

static struct cp_opq *queue_of(struct cp_handle *h, uint8_t kind) {
  return is_recv_side(kind) ? &h->rq : &h->wq;
}

struct cp_opq *cp_op_queue(struct cp_handle *h, cport_op_t *op) {
  return queue_of(h, cp_lop(op)->kind);
}

static bool unordered(uint8_t kind) {
  return kind == CP_OP_ACCEPT || kind == CP_OP_SENDTO ||
         kind == CP_OP_READ || kind == CP_OP_WRITE;
}

/* ------------------------------------------------------------------------ */
/* The engine                                                                */
/* ------------------------------------------------------------------------ */

/* An op that ended inside an engine step: off its queue, completed. */
static void end_op(struct cp_opq *q, cport_op_t *op, struct cp_batch *b) {
  cp_opq_remove(q, op);
  cp_op_finish(op, b);
}

/* Started and not to be started again: in the kernel, or (epoll) an
 * accept parked until its first data arrives. */
static bool op_started(const struct cp_lop *l) {
  return (l->flags & CP_OPF_INFLIGHT) ||
         (l->kind == CP_OP_ACCEPT && (l->flags & CP_OPF_STAGE2));
}

void cp_queue_kick(struct cport *p, struct cp_handle *h, struct cp_opq *q,
                   struct cp_batch *b) {
  cport_op_t *op = q->head;
  while (op != NULL) {
    struct cp_lop *l = cp_lop(op);
    cport_op_t *next = l->next;
    bool side_by_side = unordered(l->kind);
    if (op_started(l)) {
      if (!side_by_side)
        return; /* the head is still running */
      op = next;
      continue;
    }
    int r = p->be->start(p, h, op, false);
    if (r == CP_TRY_AGAIN) {
      /* Ordered: the head waits, so does the rest. Side by side: an op
       * that would block means the others would too. */
      if (!side_by_side || !op_started(l))
        return;
    } else {
      end_op(q, op, b);
    }
    op = side_by_side ? next : q->head;
  }
}

/* An op that finished inside the call that started it. */
__thread struct cp_inline cp_last_inline;

int cp_finish_at_call(struct cp_handle *h, cport_op_t *op) {
  cp_last_inline.done = true;
  cp_last_inline.status = (int)(intptr_t)op->internal;
  cp_last_inline.bytes = cp_lop(op)->done;
  if (h->flags & CP_HF_SKIP) {
    cp_op_release(op);
    cp_op_set_idle(op);
    return CPORT_COMPLETED;
  }
  cp_op_finish(op, NULL);
  return 0;
}

/* Queue op on h and start it if nothing runs before it. h->lock held. */
int cp_submit_locked(struct cport *p, struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  struct cp_opq *q = queue_of(h, l->kind);
  bool can_start = unordered(l->kind) || cp_opq_empty(q);
  cp_op_set_busy(op);
  cp_opq_push(q, op);
  if (can_start) {
    int r = p->be->start(p, h, op, true);
    if (r != CP_TRY_AGAIN) {
      cp_opq_remove(q, op);
      if (r == CP_TRY_REJECT) {
        int status = (int)(intptr_t)op->internal;
        cp_op_release(op);
        cp_op_set_idle(op);
        return status;
      }
      return cp_finish_at_call(h, op);
    }
  }
  l->flags |= CP_OPF_COUNTED;
  cp_port_kernel_work_add(p, 1);
  return 0;
}

/*
 * Cancel one queued op. One the kernel owns is asked to stop and
 * completes when the kernel answers; any other completes now with
 * CPORT_ECANCELED. `orphan`: the handle is closing, so the op leaves its
 * queue now and nothing may touch the handle for it later. h->lock held.
 * Returns true if the op left the head of q (the next may start).
 */
static bool cancel_locked(struct cport *p, struct cp_handle *h,
                          struct cp_opq *q, cport_op_t *op, bool orphan,
                          struct cp_batch *b) {
  struct cp_lop *l = cp_lop(op);
  bool was_head = q->head == op;
  if (orphan)
    l->flags |= CP_OPF_CLOSED;
  if (l->flags & CP_OPF_INFLIGHT) {
    l->flags |= CP_OPF_CANCEL;
    if (orphan) {
      l->flags |= CP_OPF_ORPHAN;
      cp_opq_remove(q, op);
    }
    p->be->cancel(p, h, op);
    return false;
  }
  op->internal = (uintptr_t)(intptr_t)CPORT_ECANCELED;
  end_op(q, op, b);
  return was_head;
}

/* Cancel every op of q; returns how many were asked to stop. */
static unsigned cancel_queue_locked(struct cport *p, struct cp_handle *h,
                                    struct cp_opq *q, bool orphan,
                                    struct cp_batch *b) {
  unsigned n = 0;
  cport_op_t *op = q->head;
  while (op != NULL) {
    cport_op_t *next = cp_lop(op)->next;
    if (orphan || !(cp_lop(op)->flags & CP_OPF_CANCEL)) {
      cancel_locked(p, h, q, op, orphan, b);
      n++;
    }
    op = next;
  }
  return n;
}

void cp_handle_abandon_locked(struct cp_handle *h) {
  struct cport *p = h->port;
  if (p == NULL)
    return;
  cancel_queue_locked(p, h, &h->rq, true, NULL);
  cancel_queue_locked(p, h, &h->wq, true, NULL);
}

/* ------------------------------------------------------------------------ */
/* Looking up a socket                                                       */
/* ------------------------------------------------------------------------ */

/* Locks and returns the handle of an associated, open socket, or NULL
 * with *rc set. */
struct cp_handle *cp_lock_socket(cport_handle_t s, int *rc) {
  struct cp_handle *h = cp_handle_peek(s);
  if (h == NULL) {
    *rc = CPORT_EBADF;
    return NULL;
  }
  pthread_mutex_lock(&h->lock);
  if (!(h->flags & CP_HF_OPEN)) {
    *rc = CPORT_EBADF;
  } else if (h->port == NULL) {
    *rc = CPORT_EINVAL; /* not associated with a port */
  } else if (h->type == CP_H_FILE) {
    *rc = CPORT_ENOTSOCK;
  } else {
    return h;
  }
  pthread_mutex_unlock(&h->lock);
  return NULL;
}

/* cp_lock_socket() for what only a connected stream can do (disconnect,
 * transmit a file). */
struct cp_handle *cp_lock_stream_peer(cport_handle_t s, int *rc) {
  struct cp_handle *h = cp_lock_socket(s, rc);
  if (h == NULL)
    return NULL;
  if (h->type != CP_H_STREAM)
    *rc = CPORT_EOPNOTSUPP;
  else if (!cp_is_connected(h))
    *rc = CPORT_ENOTCONN;
  else
    return h;
  pthread_mutex_unlock(&h->lock);
  return NULL;
}

bool cp_is_connected(struct cp_handle *h) {
  if (h->flags & CP_HF_CONNECTED)
    return true;
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getpeername(h->fd, (struct sockaddr *)&ss, &len) == 0) {
    h->flags |= CP_HF_CONNECTED;
    return true;
  }
  return false;
}

bool cp_is_listening(struct cp_handle *h) {
  if (h->flags & CP_HF_LISTENING)
    return true;
  int on = 0;
  socklen_t len = sizeof(on);
  if (getsockopt(h->fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on) {
    h->flags |= CP_HF_LISTENING;
    return true;
  }
  return false;
}

/* Common start of an op record. */
void cp_op_init(cport_op_t *op, struct cp_handle *h, uint8_t kind) {
  struct cp_lop *l = cp_lop(op);
  memset(op->priv, 0, sizeof(op->priv));
  op->internal = CP_STATUS_PENDING;
  op->internal_high = 0;
  l->h = h;
  l->port = h->port;
  l->key = h->key;
  l->gen = h->gen;
  l->kind = kind;
  l->aux_fd = -1;
}

/* Copies the caller's buffer array (inline when small). */
int cp_op_bufs(cport_op_t *op, const cport_buf_t *bufs, unsigned n) {
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

/* ------------------------------------------------------------------------ */
/* Public: close, cancel                                                     */
/* ------------------------------------------------------------------------ */

/* An fd cport never took in (or closed already): EBADF, or plain close. */
static int close_unknown(cport_handle_t s) {
  if (s < 0 || fcntl(s, F_GETFD) < 0)
    return CPORT_EBADF;
  return close(s) == 0 ? 0 : -errno;
}

int cp_handle_close(cport_handle_t s) {
  struct cp_handle *h = cp_handle_peek(s);
  if (h == NULL)
    return close_unknown(s);
  pthread_mutex_lock(&h->lock);
  if (!(h->flags & CP_HF_OPEN)) {
    bool zombie = h->flags & CP_HF_ZOMBIE;
    pthread_mutex_unlock(&h->lock);
    return zombie ? CPORT_EBADF : close_unknown(s);
  }
  struct cport *p = h->port;
  cp_handle_abandon_locked(h);
  /* A backend still running a blocking call on the fd closes it itself
   * when that returns; until then the number cannot be reused. */
  bool later = p && p->be->close_later && p->be->close_later(p, h);
  cp_handle_detach_locked(h);
  int rc = 0;
  if (later) {
    h->flags = CP_HF_ZOMBIE;
  } else {
    rc = close(h->fd) == 0 ? 0 : -errno;
    h->flags = 0;
  }
  h->gen++;
  pthread_mutex_unlock(&h->lock);
  return rc == CPORT_EINTR ? 0 : rc;
}

CPORT_API int cport_cancel(cport_handle_t s, cport_op_t *op) {
  struct cp_handle *h = cp_handle_peek(s);
  if (h == NULL)
    return CPORT_EBADF;
  pthread_mutex_lock(&h->lock);
  int rc = 0;
  struct cport *p = h->port;
  if (!(h->flags & CP_HF_OPEN)) {
    rc = CPORT_EBADF;
  } else if (p == NULL) {
    rc = CPORT_ENOENT; /* nothing can be pending on it */
  } else if (op != NULL) {
    struct cp_lop *l = cp_lop(op);
    struct cp_opq *q = NULL;
    if (cp_op_busy(op) && l->h == h && l->gen == h->gen &&
        !(l->flags & CP_OPF_ORPHAN))
      q = queue_of(h, l->kind);
    cport_op_t *it = q != NULL ? q->head : NULL;
    while (it != NULL && it != op)
      it = cp_lop(it)->next;
    if (it == NULL)
      rc = CPORT_ENOENT;
    else if (!(l->flags & CP_OPF_CANCEL) &&
             cancel_locked(p, h, q, op, false, NULL))
      cp_queue_kick(p, h, q, NULL);
  } else {
    unsigned n = cancel_queue_locked(p, h, &h->rq, false, NULL) +
                 cancel_queue_locked(p, h, &h->wq, false, NULL);
    if (n == 0)
      rc = CPORT_ENOENT;
  }
  pthread_mutex_unlock(&h->lock);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* Public: results                                                           */
/* ------------------------------------------------------------------------ */

CPORT_API int cport_op_status(const cport_op_t *op) {
  return op ? (int)(intptr_t)op->internal : CPORT_EINVAL;
}

CPORT_API uint32_t cport_op_bytes(const cport_op_t *op) {
  return op ? (uint32_t)op->internal_high : 0;
}

