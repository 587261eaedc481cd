/*
 * engine.c - an op's life on a handle (see engine.h): accepting it,
 * starting it when nothing runs before it, ending it exactly once, and
 * cancel. A backend only starts ops (backend->start) and reports their
 * end through cp_engine_end().
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine-diag.h"
#include "engine.h"

CP_TLS struct cp_inline cp_last_inline;
void (*cp_event_hook)(void *event);
void (*cp_event_ending_hook)(void *event);
void (*cp_accept_hook)(int fd, const uintptr_t word[3]);

static bool is_recv_side(uint8_t kind) {
  return kind == CP_OP_RECV || kind == CP_OP_POLLIN || kind == CP_OP_RECVFROM ||
         kind == CP_OP_ACCEPT || kind == CP_OP_READ || kind == CP_OP_WRITE;
}

static struct cp_opq *queue_of(struct cp_handle *h, uint8_t kind) {
  return is_recv_side(kind) ? &h->rq : &h->wq;
}

struct cp_opq *cp_engine_queue_of(struct cp_handle *h, const cport_op_t *op) {
  return queue_of(h, cp_lop_const(op)->kind);
}

/* Ops that run side by side rather than one at a time. */
static bool unordered(uint8_t kind) {
  return kind == CP_OP_ACCEPT || kind == CP_OP_SENDTO || kind == CP_OP_READ ||
         kind == CP_OP_WRITE;
}

/* Started and not to be started again: owned by the kernel or a backend
 * thread, or (epoll) an accept parked until its first data arrives. */
static bool op_started(const struct cp_lop *l) {
  return (l->flags & CP_OPF_INFLIGHT) ||
         (l->kind == CP_OP_ACCEPT && (l->flags & CP_OPF_STAGE2));
}

int cp_engine_op_init(cport_op_t *op, struct cp_handle *h, uint8_t kind) {
  if (CP_UNLIKELY(!cp_op_begin(op, kind)))
    return CPORT_EBUSY;
  struct cp_lop *l = cp_lop(op);
  l->h = h;
  l->port = h->port;
  l->key = h->key;
  l->gen = h->gen;
  if (h->flags & CP_HF_AT_CALL) {
    l->flags = CP_OPF_NT; /* the Win32 layer's handle */
    __atomic_store_n(&h->io_starts, h->io_starts + 1, __ATOMIC_RELEASE);
  }
  if (CP_UNLIKELY(cp_diag_active()))
    cp_engine_diag_begin(op);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* The end of an op                                                          */
/* ------------------------------------------------------------------------ */

void cp_engine_accept_drop(cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  if (l->aux_fd < 0)
    return;
  struct cp_handle *n = cp_handle_peek(l->aux_fd);
  if (n != NULL) {
    cp_lock(&n->lock);
    n->flags = 0;
    __atomic_store_n(&n->gen, n->gen + 1, __ATOMIC_RELEASE);
    cp_unlock(&n->lock);
  }
  close(l->aux_fd);
  l->aux_fd = -1;
}

/* Lets go of what the op holds besides its slot. */
static void release(cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  cp_op_free_bufs(op);
  if (l->kind == CP_OP_ACCEPT && l->status != 0)
    cp_engine_accept_drop(op);
}

/* A buffered send ended: its bytes leave the handle's count (an orphan's
 * handle slot may already serve another use of the fd number, whose
 * count was reset then) and its block is freed. */
static void buffered_end(cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  struct cp_buffered *b =
      (struct cp_buffered *)(void *)((char *)op -
                                     offsetof(struct cp_buffered, op));
  if (!(l->flags & CP_OPF_ORPHAN))
    __atomic_store_n(&l->h->buffered, l->h->buffered - b->bytes,
                     __ATOMIC_RELAXED);
  cp_op_free_bufs(op);
  free(b);
}

/* An op with a control-data block (CP_OPF_MSG) ends: its caller's `end`
 * runs once, before the result is published. */
static void msg_end(cport_op_t *op, int status, uint32_t bytes) {
  struct cp_lop *l = cp_lop(op);
  if (CP_UNLIKELY(l->flags & CP_OPF_MSG)) {
    struct cp_msgctl *c = l->u.io.a.msg;
    c->end(c, status, bytes);
  }
}

static bool port_closed(struct cport *p) {
  return __atomic_load_n(&p->closed, __ATOMIC_ACQUIRE);
}

/* An accept of the layer's got its connection: the layer's hook sees it
 * before the result is published (cport__accept_ex), and before the fault
 * mode may hold the op back (its hold reuses the words the hook reads). */
static void accept_ended(struct cp_lop *l) {
  void (*hook)(int, const uintptr_t *) =
      __atomic_load_n(&cp_accept_hook, __ATOMIC_ACQUIRE);
  if (hook != NULL && l->aux_fd >= 0)
    hook(l->aux_fd, l->u.io.a.layer);
}

/* ------------------------------------------------------------------------ */
/* A handle's completions in order (struct cp_gate, port.h)                  */
/* ------------------------------------------------------------------------ */

/* Bits of a late op's u.words[0] (its buffers are gone by then): its
 * handle's file object event is set as it ends, as of `starts`. */
#define LATE_FILE_EVENT (UINT64_C(1) << 32)

static void deliver_late(struct cport *p);

/* Puts op (ended with status, a packet and a slot) on p's late list if
 * its handle still has completions in a batch or on the list: true if
 * it did (deliver_late publishes and queues it). The handle's lock held;
 * the gate may have opened since the caller looked. */
static bool defer_behind(struct cport *p, cport_op_t *op, struct cp_gate *g,
                         int status, struct cp_handle *fh, uint32_t starts) {
  struct cp_lop *l = cp_lop(op);
  pthread_mutex_lock(&p->lock);
  if (!cp_gate_shut(g)) {
    pthread_mutex_unlock(&p->lock);
    return false;
  }
  if (cp_port_late_fn == NULL)
    __atomic_store_n(&cp_port_late_fn, deliver_late, __ATOMIC_RELEASE);
  l->status = status;
  l->u.words[0] = (fh != NULL ? LATE_FILE_EVENT : 0) | starts;
  l->next = NULL;
  if (p->late_tail != NULL)
    cp_lop(p->late_tail)->next = op;
  else
    p->late_head = op;
  p->late_tail = op;
  __atomic_add_fetch(&g->late, 1, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&p->lock);
  return true;
}

/* Publishes and queues the late ops whose handles have no completion
 * left in a batch, oldest first (one handle's all go, or none: they share
 * its gate), and sets their events. Called after a flush, without locks.
 * The ops are taken off the list under the port lock, published without
 * it (the layer's event hooks take locks of their own), then queued
 * under it again; their gates count them until then, so a later op of
 * the same handle still waits behind them. One thread delivers at a time
 * (p->late_delivering): a second one's chunk could otherwise pass the
 * first's, with a later op of the same handle. */
static void deliver_late(struct cport *p) {
  enum { CHUNK = 16 };
  pthread_mutex_lock(&p->lock);
  if (p->late_delivering) {
    p->late_again = true; /* the one delivering looks again */
    pthread_mutex_unlock(&p->lock);
    return;
  }
  p->late_delivering = true;
  p->late_again = false;
  pthread_mutex_unlock(&p->lock);
  for (;;) {
    cport_op_t *ops[CHUNK];
    unsigned n = 0;
    pthread_mutex_lock(&p->lock);
    cport_op_t **pp = &p->late_head, *prev = NULL;
    while (*pp != NULL && n < CHUNK) {
      cport_op_t *op = *pp;
      struct cp_lop *l = cp_lop(op);
      if (__atomic_load_n(&l->h->gate.batched, __ATOMIC_ACQUIRE) != 0) {
        prev = op;
        pp = &l->next;
        continue;
      }
      *pp = l->next;
      if (p->late_tail == op)
        p->late_tail = prev;
      ops[n++] = op;
    }
    if (n == 0) {
      bool again = p->late_again;
      p->late_again = false;
      p->late_delivering = again;
      pthread_mutex_unlock(&p->lock);
      if (again)
        continue;
      return;
    }
    pthread_mutex_unlock(&p->lock);
    void *ev[CHUNK];
    struct cp_handle *fh[CHUNK];
    uint32_t starts[CHUNK];
    cport_completion_t c[CHUNK];
    struct cp_gate *g[CHUNK];
    for (unsigned i = 0; i < n; i++) {
      struct cp_lop *l = cp_lop(ops[i]);
      uint64_t w = l->u.words[0];
      fh[i] = (w & LATE_FILE_EVENT) ? l->h : NULL;
      starts[i] = (uint32_t)w;
      ev[i] = ops[i]->event;
      g[i] = &l->h->gate;
      c[i] = (cport_completion_t){ops[i], l->key, l->done, l->status};
      cp_engine_event_ending(ev[i]);
      cp_op_publish(ops[i], c[i].status, c[i].bytes);
    }
    /* The ops are their users' again: only the copies above are used. */
    pthread_mutex_lock(&p->lock);
    cp_port_push_held_locked(p, c, n);
    for (unsigned i = 0; i < n; i++)
      __atomic_sub_fetch(&g[i]->late, 1, __ATOMIC_RELAXED);
    cp_port_unlock_and_wake(p);
    for (unsigned i = 0; i < n; i++) {
      cp_engine_set_file_event(fh[i], starts[i]);
      cp_engine_signal_event(ev[i]);
    }
  }
}

/*
 * Publishes the op's result, signals its event, and queues its completion
 * into its held slot (or gives the slot back: no packet for an event
 * handle with its low bit set, as on Windows). The op is not on a queue.
 * Its handle's earlier completions still in a batch go first (struct
 * cp_gate): then it waits on the port's late list, and finish returns
 * true (its result is not published yet).
 */
static bool finish(cport_op_t *op, struct cp_batch *b) {
  struct cp_lop *l = cp_lop(op);
  if (CP_UNLIKELY(l->flags & CP_OPF_BUFFERED)) {
    buffered_end(op); /* cport's own: no result, no packet */
    return false;
  }
  release(op);
  struct cport *p = l->port;
  uintptr_t key = l->key;
  uint32_t bytes = l->done;
  int status = l->status;
  if (status == CPORT_ECANCELED && port_closed(p))
    status = CPORT_ECLOSED;
  msg_end(op, status, bytes);
  void *ev = op->event;
  bool packet = ((uintptr_t)ev & 1u) == 0;
  bool slot = (l->flags & CP_OPF_SLOT) != 0;
  if (CP_UNLIKELY(l->kind == CP_OP_ACCEPT) && status == 0 &&
      l->u.io.a.layer[0] != 0)
    accept_ended(l);
  if (CP_UNLIKELY(cp_diag_active()) &&
      cp_engine_diag_finish(op, &status, slot && packet, b))
    return false; /* held back by the fault mode: cp_engine_diag_deliver
                     ends it */
  uint32_t starts = 0;
  struct cp_handle *fh = cp_engine_file_event_of(l, ev, &starts);
  /* (An orphan's handle slot may serve another use of the fd: no gate.) */
  struct cp_gate *g =
      slot && packet && l->h != NULL && !(l->flags & CP_OPF_ORPHAN)
          ? &l->h->gate
          : NULL;
  bool batched = b != NULL && b->port == p;
  if (g != NULL &&
      CP_UNLIKELY(batched ? __atomic_load_n(&g->late, __ATOMIC_RELAXED)
                          : cp_gate_shut(g)) &&
      defer_behind(p, op, g, status, fh, starts))
    return true;
  cp_engine_event_ending(ev);
  cp_op_publish(op, status, bytes);
  /* The op is its user's again: only the copies above are used. */
  cp_engine_set_file_event(fh, starts);
  cp_engine_signal_event(ev);
  if (!slot)
    return false;
  if (!packet)
    cp_port_unhold(p);
  else if (batched)
    cp_batch_add(b, op, key, bytes, status, g);
  else
    cp_port_complete(p, op, key, bytes, status);
  return false;
}

/* A stream that saw a reset keeps failing with it, as on Windows (Linux
 * reports it once, then end of file). */
static void note_reset(struct cp_handle *h, int status) {
  if (status == CPORT_ECONNRESET && h->type == CP_H_STREAM)
    h->flags |= CP_HF_RESET;
}

void cp_engine_end(struct cp_handle *h, cport_op_t *op, struct cp_batch *b) {
  struct cp_lop *l = cp_lop(op);
  l->flags &= (uint16_t)~CP_OPF_INFLIGHT;
  if (l->flags & CP_OPF_ORPHAN) {
    /* Its handle was closed: it is off every queue and the slot may
     * already belong to another use of the fd number. */
    finish(op, b);
    return;
  }
  note_reset(h, l->status);
  struct cp_opq *q = queue_of(h, l->kind);
  /* A file's reads and writes all start in their calls: none waits to be
   * kicked, and a walk over thousands in flight at each end made many
   * writes on one file cost the square of their number. */
  bool was_head =
      q->head == op && l->kind != CP_OP_READ && l->kind != CP_OP_WRITE;
  cp_opq_remove(q, op);
  finish(op, b);
  if (was_head)
    cp_engine_kick(h, q, b);
  if (CP_UNLIKELY(h->flags & CP_HF_LINGER) && cp_opq_empty(&h->wq) &&
      cp_opq_empty(&h->rq))
    cp_engine_linger_done(h);
}

void cp_engine_kick(struct cp_handle *h, struct cp_opq *q, struct cp_batch *b) {
  struct cport *p = h->port;
  if (p == NULL)
    return;
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
      /* Accepted earlier, so even a refusal now is its completion. */
      note_reset(h, l->status);
      cp_opq_remove(q, op);
      finish(op, b);
    }
    op = side_by_side ? next : q->head;
  }
}

void cp_engine_detach_locked(struct cp_handle *h) {
  struct cport *p = h->port;
  if (p == NULL)
    return;
  p->be->detach(p, h);
  cp_handle_list_remove(p, h);
  __atomic_store_n(&h->port, NULL, __ATOMIC_RELEASE);
  h->key = 0;
}

void cp_engine_linger_done(struct cp_handle *h) {
  struct cport *p = h->port;
  __atomic_store_n(&h->buffered, 0, __ATOMIC_RELAXED);
  /* (cp_engine_linger cleared a timed SO_LINGER: this close never
   * blocks the thread that ended the last buffered send.) */
  cp_engine_detach_locked(h);
  h->flags = 0;
  if (p != NULL)
    (void)p->be->close_fd(p, h);
  else
    close(h->fd);
  __atomic_store_n(&h->gen, h->gen + 1, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------------ */
/* Accepting an op                                                           */
/* ------------------------------------------------------------------------ */

int cp_engine_refuse(cport_op_t *op, int status) {
  cp_op_free_bufs(op);
  cp_op_publish(op, status, 0);
  return status;
}

/* An op that finished inside the call that started it. */
int cp_engine_finish_at_call(struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  if (CP_UNLIKELY(cp_diag_active()) && cp_engine_diag_inline(h, op)) {
    finish(op, NULL); /* the fault mode: through the port after all */
    return 0;
  }
  cp_last_inline.done = true;
  cp_last_inline.status = l->status;
  cp_last_inline.bytes = l->done;
  if ((h->flags & CP_HF_SKIP) && l->status == 0) {
    void *ev = op->event;
    struct cport *p = l->port;
    release(op);
    msg_end(op, 0, l->done);
    if (CP_UNLIKELY(cp_diag_active()))
      cp_engine_diag_event(op, 'I', 0);
    cp_engine_event_ending(ev);
    cp_op_publish(op, 0, l->done);
    cp_engine_signal_event(ev);
    cp_port_unhold(p);
    return CPORT_COMPLETED;
  }
  /* Behind completions of its handle still in a batch, it is not
   * published yet: the call says pending (the Win32 layer then returns
   * WSA_IO_PENDING, and the program keeps its OVERLAPPED until the
   * completion, as it must for any pending op). */
  if (finish(op, NULL))
    cp_last_inline.done = false;
  return 0;
}

int cp_engine_submit(struct cp_handle *h, cport_op_t *op) {
  struct cport *p = h->port;
  struct cp_lop *l = cp_lop(op);
  cp_last_inline.done = false;
  if (op->event != NULL && !cp_engine_has_event_hook())
    return cp_engine_refuse(op, CPORT_EINVAL); /* no one to signal it */
  int fault; /* the fault mode may answer the call (engine-diag.h) */
  if (CP_UNLIKELY(cp_diag_active()) && (fault = cp_engine_diag_submit(h, op))) {
    if (fault > 0)
      return cp_engine_submit_done(h, op, l->status);
    cp_engine_diag_event(op, 'F', fault); /* refused: traced as its kind */
    return cp_engine_refuse(op, fault);
  }
  int rc = cp_port_hold(p);
  if (rc != 0)
    return cp_engine_refuse(op, rc);
  l->flags |= CP_OPF_SLOT;
  struct cp_opq *q = queue_of(h, l->kind);
  bool can_start = unordered(l->kind) || cp_opq_empty(q);
  cp_op_set_busy(op);
  if (CP_UNLIKELY(cp_diag_active()))
    cp_engine_diag_event(op, 'S', 0);
  cp_opq_push(q, op);
  if (!can_start)
    return 0;
  int r = p->be->start(p, h, op, true);
  if (r == CP_TRY_AGAIN)
    return 0;
  cp_opq_remove(q, op);
  note_reset(h, l->status);
  if (r == CP_TRY_REJECT) {
    int status = l->status;
    if (CP_UNLIKELY(cp_diag_active()))
      cp_engine_diag_event(op, 'F', status);
    release(op);
    cp_port_unhold(p);
    cp_op_publish(op, status, 0);
    return status;
  }
  return cp_engine_finish_at_call(h, op);
}

int cp_engine_submit_done(struct cp_handle *h, cport_op_t *op, int status) {
  struct cport *p = h->port;
  struct cp_lop *l = cp_lop(op);
  cp_last_inline.done = false;
  if (op->event != NULL && !cp_engine_has_event_hook())
    return cp_engine_refuse(op, CPORT_EINVAL);
  int rc = cp_port_hold(p);
  if (rc != 0)
    return cp_engine_refuse(op, rc);
  l->flags |= CP_OPF_SLOT;
  cp_op_set_busy(op);
  if (CP_UNLIKELY(cp_diag_active()))
    cp_engine_diag_event(op, 'S', 0);
  cp_op_result(op, status);
  return cp_engine_finish_at_call(h, op);
}

/* ------------------------------------------------------------------------ */
/* Ops a layer above runs itself                                             */
/* ------------------------------------------------------------------------ */

int cp_engine_external_begin(struct cp_handle *h, cport_op_t *op) {
  if (cp_engine_op_init(op, h, CP_OP_EXTERNAL) != 0)
    return CPORT_EBUSY;
  if (op->event != NULL && !cp_engine_has_event_hook())
    return cp_engine_refuse(op, CPORT_EINVAL); /* no one to signal it */
  int rc = cp_port_hold(h->port); /* its packet's room, reserved now */
  if (rc != 0)
    return cp_engine_refuse(op, rc);
  cp_lop(op)->flags |= CP_OPF_SLOT;
  cp_lop(op)->u.ext.opens = h->opens;
  h->external++;
  cp_op_set_busy(op);
  if (CP_UNLIKELY(cp_diag_active()))
    cp_engine_diag_event(op, 'S', 0);
  return 0;
}

void cp_engine_external_end(cport_op_t *op, int status, uint32_t bytes) {
  struct cp_lop *l = cp_lop(op);
  l->status = status;
  l->done = bytes;
  /* Its packet goes to the port its handle has now: a handle that joined
   * another port since the op began took its slot along (cp_engine_move),
   * as Windows queues such an op's packet to the new port. A slot that
   * serves another use of the number since (the descriptor was closed
   * under the op) is not its: it ends where it began, its slot held
   * there. */
  struct cp_handle *h = l->h;
  cp_lock(&h->lock);
  if (l->u.ext.opens == h->opens && h->external > 0) {
    struct cport *now = __atomic_load_n(&h->port, __ATOMIC_ACQUIRE);
    if (now != NULL) {
      l->port = now;
      l->key = h->key;
    }
    h->external--;
  }
  cp_unlock(&h->lock);
  finish(op, NULL);
}

/* ------------------------------------------------------------------------ */
/* Cancel                                                                    */
/* ------------------------------------------------------------------------ */

void cp_engine_connect_cancelled(struct cp_handle *h) {
  struct sockaddr none;
  memset(&none, 0, sizeof(none));
  none.sa_family = AF_UNSPEC; /* dissolves the association (connect(2)) */
  (void)cp_sys_connect(h->fd, &none, sizeof(none));
  h->flags &= (uint16_t) ~(CP_HF_CONNECTING | CP_HF_CONNECTED);
}

/* Cancel one queued op. Returns true if it left the head of q. */
static bool cancel_one(struct cp_handle *h, struct cp_opq *q, cport_op_t *op,
                       bool orphan) {
  struct cport *p = h->port;
  struct cp_lop *l = cp_lop(op);
  bool was_head = q->head == op;
  bool inflight = l->flags & CP_OPF_INFLIGHT;
  /* The backend first: an op waiting for SQ room is read by the ring's
   * owner without h->lock, so its flags change only once the backend has
   * taken it off that list (or the kernel has it). */
  bool gone = inflight && p->be->cancel(p, h, op);
  /* An op whose cancel was asked for before the close (the kernel still
   * had it) ends by that cancel, as on Windows, where the cancel took it
   * at once: not as one the close aborted. */
  if (orphan && !(l->flags & CP_OPF_CANCEL))
    l->flags |= CP_OPF_CLOSED;
  if (inflight) {
    l->flags |= CP_OPF_CANCEL;
    if (orphan) {
      l->flags |= CP_OPF_ORPHAN;
      cp_opq_remove(q, op);
    }
    if (!gone)
      return false;
    /* Nothing had it yet: it ends now. */
    l->flags &= (uint16_t)~CP_OPF_INFLIGHT;
    if (!orphan)
      cp_opq_remove(q, op);
  } else {
    cp_opq_remove(q, op);
  }
  cp_op_result(op, CPORT_ECANCELED);
  if (l->kind == CP_OP_CONNECT && !orphan && !(l->flags & CP_OPF_STAGE2))
    cp_engine_connect_cancelled(h);
  finish(op, NULL);
  return was_head;
}

unsigned cp_engine_cancel_locked(struct cp_handle *h, struct cp_opq *q,
                                 cport_op_t *one, bool orphan) {
  unsigned n = 0;
  bool head_left = false;
  cport_op_t *op = q->head;
  while (op != NULL) {
    cport_op_t *next = cp_lop(op)->next;
    /* A buffered send is cport's, its bytes accepted: only the port
     * closing or the fd number's reuse stops it (engine-sendbuf.c). */
    bool keep = (cp_lop(op)->flags & CP_OPF_BUFFERED) &&
                (!orphan || (h->flags & CP_HF_LINGER));
    if (!keep && (one == NULL || op == one) &&
        (orphan || !(cp_lop(op)->flags & CP_OPF_CANCEL))) {
      head_left |= cancel_one(h, q, op, orphan);
      n++;
    }
    op = next;
  }
  /* Cancelling one op may let the next one start. */
  if (one != NULL && head_left && !orphan)
    cp_engine_kick(h, q, NULL);
  return n;
}

CPORT_API int cport_cancel(cport_handle_t s, cport_op_t *op) {
  struct cp_handle *h = cp_handle_peek(s);
  if (h == NULL)
    return CPORT_EBADF;
  cp_lock(&h->lock);
  if (CP_UNLIKELY(cp_diag_active()))
    cp_engine_diag_handle(h, op, 'X');
  int rc = 0;
  if (!(h->flags & CP_HF_OPEN)) {
    rc = CPORT_EBADF;
  } else if (h->port == NULL) {
    rc = CPORT_ENOENT; /* nothing can be pending on it */
  } else if (op != NULL) {
    struct cp_lop *l = cp_lop(op);
    if (!cp_op_busy(op) || l->h != h || l->gen != h->gen ||
        (l->flags & CP_OPF_ORPHAN) || l->kind == CP_OP_TIMER)
      rc = CPORT_ENOENT;
    else if (l->flags & CP_OPF_CANCEL)
      rc = 0; /* already asked */
    else if (cp_engine_cancel_locked(h, queue_of(h, l->kind), op, false) == 0)
      rc = CPORT_ENOENT;
  } else {
    unsigned n = cp_engine_cancel_locked(h, &h->rq, NULL, false) +
                 cp_engine_cancel_locked(h, &h->wq, NULL, false);
    if (n == 0)
      rc = CPORT_ENOENT;
  }
  cp_unlock(&h->lock);
  return rc;
}
