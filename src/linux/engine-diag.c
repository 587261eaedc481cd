/*
 * engine-diag.c - the fault mode and the completion trace applied to ops
 * (see engine-diag.h).
 */
#include <errno.h>
#include <sys/socket.h>

#include "engine-diag.h"

/* The port's state if its fault mode is on. */
static struct cp_diag *faults_of(struct cport *p) {
  struct cp_diag *d = p != NULL ? p->diag : NULL;
  return d != NULL && d->faults.on ? d : NULL;
}

static uint64_t ticket_of(const cport_op_t *op) {
  const struct cp_lop *l = cp_lop_const(op);
  return ((uint64_t)l->ticket_hi << 16) | l->ticket;
}

static bool roll(struct cp_diag *d, uint64_t p, const cport_op_t *op,
                 unsigned what) {
  return cp_fault_roll(&d->faults, p, ticket_of(op), what);
}

static bool recv_side(uint8_t kind) {
  return kind == CP_OP_RECV || kind == CP_OP_POLLIN || kind == CP_OP_RECVFROM ||
         kind == CP_OP_ACCEPT || kind == CP_OP_READ || kind == CP_OP_WRITE;
}

/* The delay line's order of an op: its handle and direction. */
static uintptr_t order_of(const struct cp_lop *l) {
  return (uintptr_t)l->h | (recv_side(l->kind) ? 1u : 0u);
}

/* The op's handle's fd (h->lock held: a slot's fd is written under it). */
static int fd_of(const struct cp_lop *l) {
  return l->h != NULL ? l->h->fd : -1;
}

static void fill(struct cp_trace_rec *r, cport_op_t *op, char ev, int fd,
                 const char *kind, uint32_t bytes, int status) {
  struct cp_lop *l = cp_lop(op);
  r->ev = ev;
  r->port = 0;
  r->fd = fd;
  r->key = l->key;
  r->op = op;
  r->kind = kind != NULL ? kind : cp_diag_kind_name(l->kind);
  r->bytes = bytes;
  r->status = status;
  r->ticket1 = faults_of(l->port) != NULL ? ticket_of(op) + 1 : 0;
}

static void record(cport_op_t *op, char ev, const char *kind, uint32_t bytes,
                   int status) {
  struct cp_trace_rec r;
  fill(&r, op, ev, fd_of(cp_lop(op)), kind, bytes, status);
  cp_diag_trace(cp_lop(op)->port, &r);
}

void cp_engine_diag_event(cport_op_t *op, char ev, int status) {
  record(op, ev, NULL, ev == 'S' ? 0 : cp_lop(op)->done, status);
}

void cp_engine_diag_handle(struct cp_handle *h, const cport_op_t *op, char ev) {
  if (h->port == NULL)
    return;
  struct cp_trace_rec r = {
      ev, 0, h->fd, h->key, op, ev == 'X' ? "cancel" : "close", 0, 0, 0};
  cp_diag_trace(h->port, &r);
}

/* ------------------------------------------------------------------------ */
/* At the call                                                               */
/* ------------------------------------------------------------------------ */

void cp_engine_diag_begin(cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  struct cp_diag *d = faults_of(l->port);
  if (d == NULL)
    return;
  uint64_t t = cp_diag_ticket(d);
  l->ticket = (uint16_t)t;
  l->ticket_hi = (uint8_t)(t >> 16);
}

/* Cuts the op's copy of the buffer array to len bytes. */
static void cut_bufs(struct cp_lop *l, size_t len) {
  unsigned i = 0;
  while (i < l->nbufs && len > l->bufs[i].len)
    len -= l->bufs[i++].len;
  if (i < l->nbufs) {
    l->bufs[i].len = len;
    l->nbufs = (uint16_t)(i + 1);
  }
}

/* Whether this call on h resets its connection: h is one of the chosen
 * connections (numbered as the fault mode first meets them, so the
 * choice replays), and the call is the one (a quarter of them). */
static bool reset_now(struct cp_diag *d, struct cp_handle *h,
                      const cport_op_t *op) {
  if (h->diag_gen != h->gen || h->diag_id == 0) {
    h->diag_id = __atomic_add_fetch(&d->handles, 1, __ATOMIC_RELAXED);
    h->diag_gen = h->gen;
  }
  return cp_fault_roll(&d->faults, d->faults.reset, h->diag_id,
                       CP_FW_RESET_PICK) &&
         roll(d, CP_FAULT_ONE / 4, op, CP_FW_RESET_NOW);
}

static bool stream_io(uint8_t kind) {
  return kind == CP_OP_RECV || kind == CP_OP_POLLIN || kind == CP_OP_SEND ||
         kind == CP_OP_TRANSMIT;
}

int cp_engine_diag_submit(struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  struct cp_diag *d = faults_of(h->port);
  if (d == NULL)
    return 0;
  const struct cp_fault_cfg *c = &d->faults;
  bool file = l->kind == CP_OP_READ || l->kind == CP_OP_WRITE;
  if (l->kind == CP_OP_ACCEPT && roll(d, c->abort, op, CP_FW_ABORT)) {
    /* The connection went away before it was taken: accept() says
     * ECONNABORTED, AcceptEx WSAECONNRESET. It stays in the backlog. */
    int code = roll(d, CP_FAULT_ONE / 2, op, CP_FW_ABORT_CODE)
                   ? CPORT_ECONNRESET
                   : CPORT_ECONNABORTED;
    record(op, 'J', "abort", 0, code);
    cp_op_result(op, code);
    return CP_DIAG_DONE;
  }
  if ((l->kind == CP_OP_RECVFROM ||
       (l->kind == CP_OP_RECV && h->type == CP_H_DGRAM)) &&
      c->unreach != 0 && cp_opq_empty(&h->rq) &&
      roll(d, c->unreach, op, CP_FW_UNREACH)) {
    /* An ICMP "port unreachable" an earlier datagram drew: half the
     * time the report is there as the receive is made, which then fails
     * at the call (WSAECONNRESET at once on Windows); else it ends the
     * receive through the port, as a waiting one does on Windows
     * (ERROR_PORT_UNREACHABLE). The datagrams stay for the next. Only
     * with no receive before it, which the report would have met first. */
    record(op, 'J', "unreach", 0, CPORT_ECONNREFUSED);
    if (roll(d, CP_FAULT_ONE / 2, op, CP_FW_UNREACH_CALL))
      return CPORT_ECONNREFUSED;
    cp_op_result(op, CPORT_ECONNREFUSED);
    return CP_DIAG_DONE;
  }
  if ((file || l->kind == CP_OP_SEND || l->kind == CP_OP_SENDTO ||
       l->kind == CP_OP_TRANSMIT) &&
      roll(d, c->nobufs, op, CP_FW_NOBUFS)) {
    int code = file ? CPORT_ENOMEM : CPORT_ENOBUFS;
    record(op, 'J', "nobufs", 0, code);
    return code;
  }
  if (h->type == CP_H_STREAM && stream_io(l->kind) && c->reset != 0 &&
      !(h->flags & CP_HF_RESET) && reset_now(d, h, op)) {
    /* Ops waiting on the connection wake up (end of stream, EPIPE) and
     * end with the reset (cp_engine_diag_finish); the peer sees the
     * connection end. */
    record(op, 'J', "reset", 0, CPORT_ECONNRESET);
    h->flags |= CP_HF_RESET;
    shutdown(h->fd, SHUT_RDWR);
  }
  /* (A filling receive ends only full: a short one would be illegal.) */
  if ((l->kind == CP_OP_RECV && h->type == CP_H_STREAM &&
       !(l->flags & CP_OPF_FILL)) ||
      (l->kind == CP_OP_ACCEPT && l->nbufs > 0)) {
    size_t total = cp_bufs_total(l->bufs, l->nbufs);
    if (total >= 2 && roll(d, c->split, op, CP_FW_SPLIT)) {
      size_t len = cp_fault_split_len(c, ticket_of(op), total);
      cut_bufs(l, len);
      record(op, 'J', "split", (uint32_t)len, 0);
    }
  }
  return 0;
}

size_t cp_engine_diag_cut(struct cp_handle *h, size_t len) {
  struct cp_diag *d = faults_of(h->port);
  if (d == NULL || d->faults.split == 0 || len < 2 || h->type != CP_H_STREAM)
    return len;
  /* A ticket of the port's, as an op would take: the choice replays. */
  uint64_t t = __atomic_add_fetch(&d->tickets, 1, __ATOMIC_RELAXED);
  if (!cp_fault_roll(&d->faults, d->faults.split, t, CP_FW_SPLIT))
    return len;
  size_t cut = cp_fault_split_len(&d->faults, t, len);
  struct cp_trace_rec r = {'J',           0, h->fd, h->key, NULL, "split",
                           (uint32_t)cut, 0, t + 1};
  cp_diag_trace(h->port, &r);
  return cut;
}

int cp_engine_diag_connect(struct cp_handle *h, cport_op_t *op) {
  struct cp_diag *d = faults_of(h->port);
  if (d == NULL)
    return 0;
  if (roll(d, d->faults.nobufs, op, CP_FW_NOBUFS)) {
    record(op, 'J', "nobufs", 0, CPORT_ENOBUFS);
    return ENOBUFS;
  }
  if (roll(d, d->faults.refuse, op, CP_FW_REFUSE)) {
    record(op, 'J', "refuse", 0, CPORT_ECONNREFUSED);
    return ECONNREFUSED;
  }
  return 0;
}

/* ------------------------------------------------------------------------ */
/* At the end                                                                */
/* ------------------------------------------------------------------------ */

/* What an op of a reset connection ends with: the reset, unless it moved
 * data first (it arrived, or went out, before the reset) or was
 * canceled. */
static int after_reset(const struct cp_lop *l, int status) {
  if (status == CPORT_ECANCELED || status == CPORT_ECLOSED)
    return status;
  switch (l->kind) {
  case CP_OP_RECV:
    return status != 0 || l->done == 0 ? CPORT_ECONNRESET : status;
  case CP_OP_POLLIN:
    return CPORT_ECONNRESET;
  case CP_OP_SEND:
  case CP_OP_TRANSMIT:
  case CP_OP_DISCONNECT:
    return status != 0 ? CPORT_ECONNRESET : status;
  default:
    return status;
  }
}

static int status_after(const struct cp_lop *l, int status) {
  if (l->flags & CP_OPF_ORPHAN)
    return status; /* its handle is gone: nothing to ask it */
  const struct cp_handle *h = l->h;
  if (h->type == CP_H_STREAM && (h->flags & CP_HF_RESET))
    return after_reset(l, status);
  return status;
}

bool cp_engine_diag_inline(struct cp_handle *h, cport_op_t *op) {
  (void)h;
  struct cp_lop *l = cp_lop(op);
  struct cp_diag *d = faults_of(l->port);
  if (d == NULL)
    return false;
  l->status = status_after(l, l->status);
  /* Random, or because a completion of the same handle and direction is
   * held: this one must not overtake it. */
  bool random = roll(d, d->faults.pending, op, CP_FW_PENDING);
  if (!random && !cp_diag_waiting(d, order_of(l)))
    return false;
  if (random)
    record(op, 'J', "pending", 0, l->status);
  l->flags |= CP_OPF_FORCED;
  return true;
}

bool cp_engine_diag_finish(cport_op_t *op, int *status, bool queued,
                           struct cp_batch *b) {
  struct cp_lop *l = cp_lop(op);
  struct cport *p = l->port;
  struct cp_diag *d = p->diag;
  if (d == NULL)
    return false;
  bool closed = __atomic_load_n(&p->closed, __ATOMIC_ACQUIRE);
  if (d->faults.on && !closed) {
    *status = status_after(l, *status);
    l->status = *status; /* what a held op is delivered with */
    bool forced = (l->flags & CP_OPF_FORCED) != 0;
    bool hold = forced || roll(d, d->faults.delay, op, CP_FW_DELAY);
    uint64_t ns =
        hold ? cp_fault_hold_ns(&d->faults, ticket_of(op), forced) : 0;
    struct cp_trace_rec held;
    fill(&held, op, 'H', fd_of(l), NULL, l->done, *status);
    if (b != NULL)
      cp_batch_flush(b); /* what ended before op is queued before it */
    if (cp_diag_hold(d, op, order_of(l), hold, ns, &held))
      return true;
  }
  record(op, queued && !closed ? 'C' : 'I', NULL, l->done, *status);
  return false;
}

/* The handle whose file object event a layer handle's op held back sets
 * as it ends: the one it was issued on, if still that (not closed or
 * reused while held), else NULL. No handle lock: the delay line delivers
 * under its own lock, which an op's end takes with the handle's held (the
 * generation is written atomically). */
static struct cp_handle *held_end(cport_op_t *op, uint32_t *starts) {
  struct cp_lop *l = cp_lop(op);
  struct cp_handle *h = cp_engine_file_event_of(l, op->event, starts);
  if (h == NULL || __atomic_load_n(&h->gen, __ATOMIC_ACQUIRE) != l->gen)
    return NULL;
  return h;
}

void cp_engine_diag_deliver(cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  struct cport *p = l->port;
  uintptr_t key = l->key;
  uint32_t bytes = l->done;
  int status = l->status;
  void *ev = op->event;
  bool packet = ((uintptr_t)ev & 1u) == 0;
  bool slot = (l->flags & CP_OPF_SLOT) != 0;
  bool closed = __atomic_load_n(&p->closed, __ATOMIC_ACQUIRE);
  struct cp_trace_rec r; /* (no handle lock here: the fd as it was held) */
  fill(&r, op, slot && packet && !closed ? 'C' : 'I', cp_diag_held_fd(op), NULL,
       bytes, status);
  cp_diag_trace(p, &r);
  uint32_t starts = 0;
  struct cp_handle *fh = held_end(op, &starts);
  cp_engine_event_ending(ev);
  cp_op_publish(op, status, bytes);
  /* The op is its user's again: only the copies above are used. */
  cp_engine_set_file_event(fh, starts);
  cp_engine_signal_event(ev);
  if (!slot)
    return;
  if (!packet)
    cp_port_unhold(p);
  else
    cp_port_complete(p, op, key, bytes, status);
}
