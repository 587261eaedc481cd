/*
 * uring-ops.c - socket operations on io_uring: one SQE per running op
 * (user_data = the op), and what each CQE means for it. Partial sends are
 * resubmitted here; the order and exactly-once rules live in socket.c.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "backend.h"
#include "engine.h"
#include "fileio.h"
#include "sockio.h"
#include "uring.h"

static struct cp_uring *ur(struct cport *p) { return p->be_data; }

/* Get an SQE, sq_lock held; NULL if the ring is gone or full. */
static struct io_uring_sqe *op_sqe(struct cp_uring *u) {
  return u->dead ? NULL : cp_uring_sqe_locked(u);
}

/* Submit now unless this thread will flush soon anyway (a worker of the
 * port before its next cport_get, or the leader harvesting). */
static void submit_policy_locked(struct cport *p, struct cp_uring *u) {
  if (!cp_port_defers_submit(p))
    cp_uring_submit_locked(u);
}

/* Prepare the SQE that runs op (its current stage). */
static int prep(struct cport *p, struct cp_handle *h, cport_op_t *op) {
  struct cp_uring *u = ur(p);
  struct cp_lop *l = cp_lop(op);
  pthread_mutex_lock(&u->sq_lock);
  struct io_uring_sqe *sqe = op_sqe(u);
  if (sqe == NULL) {
    pthread_mutex_unlock(&u->sq_lock);
    return u->dead ? CPORT_ECLOSED : CPORT_ENOBUFS;
  }
  int fd = h->fd;
  struct msghdr *m;
  switch (l->kind) {
  case CP_OP_RECV:
    if (l->nbufs == 1) {
      io_uring_prep_recv(sqe, fd, l->bufs[0].base, l->bufs[0].len,
                         h->type == CP_H_DGRAM ? MSG_TRUNC : 0);
    } else {
      m = cp_op_msghdr(l);
      m->msg_name = NULL;
      m->msg_namelen = 0;
      io_uring_prep_recvmsg(sqe, fd, m, h->type == CP_H_DGRAM ? MSG_TRUNC : 0);
    }
    break;
  case CP_OP_POLLIN:
    io_uring_prep_recv(sqe, fd, &l->u.io.a.byte, 1, MSG_PEEK);
    break;
  case CP_OP_RECVFROM:
    m = cp_op_msghdr(l);
    m->msg_name = l->u.io.msg.name;
    m->msg_namelen = l->u.io.msg.namelen;
    io_uring_prep_recvmsg(sqe, fd, m, MSG_TRUNC);
    break;
  case CP_OP_CONNECT:
    if (!(l->flags & CP_OPF_STAGE2)) {
      io_uring_prep_poll_add(sqe, fd, POLLOUT); /* connect() in progress */
      break;
    }
    /* stage 2 sends the data given to cport_connect */
    __attribute__((fallthrough));
  case CP_OP_SEND:
    m = cp_op_msghdr(l);
    if (m->msg_iovlen == 1) {
      io_uring_prep_send(sqe, fd, m->msg_iov[0].iov_base, m->msg_iov[0].iov_len,
                         MSG_NOSIGNAL | MSG_WAITALL);
    } else {
      m->msg_name = NULL;
      m->msg_namelen = 0;
      io_uring_prep_sendmsg(sqe, fd, m, MSG_NOSIGNAL | MSG_WAITALL);
    }
    break;
  case CP_OP_SENDTO:
    m = cp_op_msghdr(l);
    m->msg_name = l->u.io.msg.namelen ? l->u.io.a.to : NULL;
    m->msg_namelen = l->u.io.msg.namelen;
    io_uring_prep_sendmsg(sqe, fd, m, MSG_NOSIGNAL);
    break;
  case CP_OP_ACCEPT:
    if (l->flags & CP_OPF_STAGE2)
      io_uring_prep_recv(sqe, l->aux_fd, l->bufs[0].base, l->bufs[0].len, 0);
    else
      io_uring_prep_accept(sqe, fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    break;
  case CP_OP_READ:
    io_uring_prep_read(sqe, fd, l->u.file.iov.base, (unsigned)l->u.file.iov.len,
                       l->u.file.offset);
    break;
  case CP_OP_WRITE:
    io_uring_prep_write(sqe, fd, l->u.file.iov.base,
                        (unsigned)l->u.file.iov.len, l->u.file.offset);
    break;
  case CP_OP_TRANSMIT:
    io_uring_prep_poll_add(sqe, fd, POLLOUT); /* the socket is full */
    break;
  default:
    io_uring_prep_nop(sqe);
    break;
  }
  io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)op);
  l->flags |= CP_OPF_INFLIGHT;
  __atomic_add_fetch(&u->inflight, 1, __ATOMIC_RELAXED);
  submit_policy_locked(p, u);
  pthread_mutex_unlock(&u->sq_lock);
  return 0;
}

static int start_in_kernel(struct cport *p, struct cp_handle *h,
                           cport_op_t *op) {
  int rc = prep(p, h, op);
  if (rc != 0) {
    op->internal = (uintptr_t)(intptr_t)rc;
    return cp_lop(op)->done ? CP_TRY_DONE : CP_TRY_REJECT;
  }
  return CP_TRY_AGAIN;
}

int cp_uring_start(struct cport *p, struct cp_handle *h, cport_op_t *op,
                       bool at_call) {
  struct cp_lop *l = cp_lop(op);
  switch (l->kind) {
  case CP_OP_DISCONNECT:
    return cp_try_disconnect(h, op);
  case CP_OP_READ:
  case CP_OP_WRITE:
    return start_in_kernel(p, h, op);
  case CP_OP_TRANSMIT: {
    /* sendfile until the socket is full, then wait for POLLOUT. */
    int r = cp_try(h, op);
    return r == CP_TRY_AGAIN ? start_in_kernel(p, h, op) : r;
  }
  case CP_OP_CONNECT:
    /* connect() already ran in cport_connect(); stage 2 sends its data. */
    if ((l->flags & CP_OPF_STAGE2) && !cp_bufs_left(l)) {
      op->internal = 0;
      return CP_TRY_DONE;
    }
    return start_in_kernel(p, h, op);
  default:
    break;
  }
  if (at_call && (h->flags & CP_HF_SKIP)) {
    /* Skip-on-success handles want inline completion when possible. */
    int r = cp_try(h, op);
    if (r != CP_TRY_AGAIN)
      return r;
  }
  return start_in_kernel(p, h, op);
}

void cp_uring_cancel(struct cport *p, struct cp_handle *h, cport_op_t *op) {
  (void)h;
  struct cp_uring *u = ur(p);
  pthread_mutex_lock(&u->sq_lock);
  struct io_uring_sqe *sqe = op_sqe(u);
  if (sqe != NULL) {
    io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)op, 0);
    io_uring_sqe_set_data64(sqe, CP_URING_TAG_CANCEL);
    submit_policy_locked(p, u);
  }
  pthread_mutex_unlock(&u->sq_lock);
}

void cp_uring_detach(struct cport *p, struct cp_handle *h) {
  (void)h;
  /* SQEs naming this fd must reach the kernel before the fd can close. */
  struct cp_uring *u = ur(p);
  pthread_mutex_lock(&u->sq_lock);
  cp_uring_submit_locked(u);
  pthread_mutex_unlock(&u->sq_lock);
}

/* ------------------------------------------------------------------------ */
/* Completions                                                               */
/* ------------------------------------------------------------------------ */

static int set_status(cport_op_t *op, int status) {
  op->internal = (uintptr_t)(intptr_t)status;
  return CP_TRY_DONE;
}

/* The op wants another round in the kernel, unless it is being canceled. */
static int again(struct cport *p, struct cp_handle *h, cport_op_t *op) {
  if (cp_lop(op)->flags & CP_OPF_CANCEL)
    return set_status(op, CPORT_ECANCELED);
  return start_in_kernel(p, h, op) == CP_TRY_AGAIN ? CP_TRY_AGAIN
                                                    : CP_TRY_DONE;
}

static int address_len(const void *name, uint32_t given) {
  const struct sockaddr *sa = name;
  uint32_t len = given;
  if (sa->sa_family == AF_INET)
    len = sizeof(struct sockaddr_in);
  else if (sa->sa_family == AF_INET6)
    len = sizeof(struct sockaddr_in6);
  return (int)(len < given ? len : given);
}

/* What res means for op; CP_TRY_DONE (status set) or CP_TRY_AGAIN. */
static int interpret(struct cport *p, struct cp_handle *h, cport_op_t *op,
                     int res) {
  struct cp_lop *l = cp_lop(op);
  if (res == -ECANCELED || (res == -EINTR && (l->flags & CP_OPF_CANCEL))) {
    if (l->kind == CP_OP_CONNECT)
      h->flags &= (uint16_t)~CP_HF_CONNECTING;
    return set_status(op, CPORT_ECANCELED);
  }
  switch (l->kind) {
  case CP_OP_RECV:
    if (res < 0)
      return set_status(op, res);
    return cp_recv_result(h, op, res, cp_bufs_total(l->bufs, l->nbufs));
  case CP_OP_POLLIN:
    l->done = 0;
    return set_status(op, res < 0 ? res : 0);
  case CP_OP_RECVFROM:
    if (res < 0)
      return set_status(op, res);
    if (l->u.io.msg.name != NULL)
      cp_recvfrom_addrlen(op, (uint32_t)address_len(l->u.io.msg.name,
                                                     l->u.io.msg.namelen));
    return cp_recv_result(h, op, res, cp_bufs_total(l->bufs, l->nbufs));
  case CP_OP_SENDTO:
    if (res < 0)
      return set_status(op, cp_send_errno(h, -res));
    l->done = (uint32_t)res;
    return set_status(op, 0);
  case CP_OP_CONNECT:
    if (!(l->flags & CP_OPF_STAGE2)) {
      int r = cp_connect_check(h, op);
      if (r == CP_TRY_AGAIN)
        return again(p, h, op);
      if (op->internal != 0 || !cp_bufs_left(l))
        return CP_TRY_DONE;
      l->flags |= CP_OPF_STAGE2;
      return again(p, h, op);
    }
    /* stage 2 is a send */
    __attribute__((fallthrough));
  case CP_OP_SEND:
    if (res < 0)
      return set_status(op, cp_send_errno(h, -res));
    l->done += (uint32_t)res;
    cp_bufs_consume(l, (size_t)res);
    if (cp_bufs_left(l))
      return again(p, h, op);
    return set_status(op, 0);
  case CP_OP_ACCEPT:
    if (l->flags & CP_OPF_STAGE2) {
      if (res < 0)
        return set_status(op, res);
      l->done = (uint32_t)res;
      return set_status(op, 0);
    }
    if (res == -ECONNABORTED || res == -EPROTO || res == -EINTR)
      return again(p, h, op); /* that peer gave up: wait for the next */
    if (res < 0)
      return set_status(op, res);
    if (cp_accept_setup(h, op, res) != 0)
      return set_status(op, CPORT_EMFILE);
    if (l->nbufs == 0)
      return set_status(op, 0);
    l->flags |= CP_OPF_STAGE2;
    return again(p, h, op);
  case CP_OP_READ:
  case CP_OP_WRITE:
    return cp_file_result(op, res);
  case CP_OP_TRANSMIT: {
    if (res < 0)
      return set_status(op, res);
    int r = cp_try(h, op);
    if (r == CP_TRY_AGAIN)
      return again(p, h, op);
    return CP_TRY_DONE;
  }
  default:
    return set_status(op, res < 0 ? res : 0);
  }
}

void cp_uring_op_done(struct cport *p, cport_op_t *op, int res,
                      struct cp_batch *b) {
  struct cp_lop *l = cp_lop(op);
  struct cp_handle *h = l->h;
  __atomic_sub_fetch(&ur(p)->inflight, 1, __ATOMIC_RELAXED);
  pthread_mutex_lock(&h->lock);
  l->flags &= (uint8_t)~CP_OPF_INFLIGHT;
  if (l->flags & CP_OPF_ORPHAN) {
    /* Its socket was closed: it is off every queue, and being canceled it
     * never goes back to the kernel. */
    interpret(p, h, op, res);
    cp_op_finish(op, b);
  } else if (interpret(p, h, op, res) == CP_TRY_DONE) {
    struct cp_opq *q = cp_op_queue(h, op);
    bool was_head = q->head == op;
    cp_opq_remove(q, op);
    cp_op_finish(op, b);
    if (was_head)
      cp_queue_kick(p, h, q, b);
  }
  pthread_mutex_unlock(&h->lock);
}
