/*
 * uring-ops.c - operations on io_uring (see uring.h): one SQE per running
 * op (user_data = the op), what each CQE means for it, cancel, and closing
 * an fd that SQEs may still name. Stream receives and accepts are fed by
 * the multishot requests of uring-recv.c instead.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fileio.h"
#include "sockio.h"
#include "uring.h"

/* Fill in the SQE that runs op (its current stage). */
static void prep_sqe(struct io_uring_sqe *sqe, struct cp_handle *h,
                     cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  int fd = h->fd;
  struct msghdr *m;
  switch (l->kind) {
  case CP_OP_RECV:
    if (l->nbufs == 1) {
      io_uring_prep_recv(sqe, fd, l->bufs[0].base, l->bufs[0].len,
                         h->type == CP_H_DGRAM ? MSG_TRUNC : 0);
      if (l->flags & CP_OPF_POLLFIRST)
        sqe->ioprio |= IORING_RECVSEND_POLL_FIRST; /* (uring-recv.c) */
    } else {
      m = (struct msghdr *)(void *)cp_op_msghdr(l);
      m->msg_name = NULL;
      m->msg_namelen = 0;
      io_uring_prep_recvmsg(sqe, fd, m, h->type == CP_H_DGRAM ? MSG_TRUNC : 0);
      if (l->flags & CP_OPF_POLLFIRST)
        sqe->ioprio |= IORING_RECVSEND_POLL_FIRST;
    }
    break;
  case CP_OP_POLLIN:
    io_uring_prep_recv(sqe, fd, &l->u.io.a.byte, 1, MSG_PEEK);
    break;
  case CP_OP_RECVFROM:
    m = (struct msghdr *)(void *)cp_op_msghdr(l);
    m->msg_name = l->u.io.msg.name;
    m->msg_namelen = l->u.io.msg.namelen;
    cp_op_msg_apply(l, &l->u.io.msg, false);
    io_uring_prep_recvmsg(sqe, fd, m, MSG_TRUNC);
    if (l->flags & CP_OPF_POLLFIRST)
      sqe->ioprio |= IORING_RECVSEND_POLL_FIRST;
    break;
  case CP_OP_CONNECT:
    if (!(l->flags & CP_OPF_STAGE2)) {
      io_uring_prep_poll_add(sqe, fd, POLLOUT); /* connect() in progress */
      break;
    }
    /* stage 2 sends the data given to cport_connect */
    __attribute__((fallthrough));
  case CP_OP_SEND:
    m = (struct msghdr *)(void *)cp_op_msghdr(l);
    if (m->msg_iovlen == 1) {
      io_uring_prep_send(sqe, fd, m->msg_iov[0].iov_base, m->msg_iov[0].iov_len,
                         MSG_NOSIGNAL | MSG_WAITALL);
    } else {
      m->msg_name = NULL;
      m->msg_namelen = 0;
      io_uring_prep_sendmsg(sqe, fd, m, MSG_NOSIGNAL | MSG_WAITALL);
    }
    if (l->flags & CP_OPF_POLLFIRST)
      sqe->ioprio |= IORING_RECVSEND_POLL_FIRST; /* (interpret) */
    break;
  case CP_OP_SENDTO:
    m = (struct msghdr *)(void *)cp_op_msghdr(l);
    m->msg_name = l->u.io.msg.namelen ? l->u.io.a.to : NULL;
    m->msg_namelen = l->u.io.msg.namelen;
    cp_op_msg_apply(l, &l->u.io.msg, true);
    io_uring_prep_sendmsg(sqe, fd, m, MSG_NOSIGNAL);
    if (l->flags & CP_OPF_POLLFIRST)
      sqe->ioprio |= IORING_RECVSEND_POLL_FIRST;
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
    if (l->u.file.offset == CPORT_FILE_END) {
      io_uring_prep_write(sqe, fd, l->u.file.iov.base,
                          (unsigned)l->u.file.iov.len, 0);
      sqe->rw_flags = RWF_APPEND;
    } else {
      io_uring_prep_write(sqe, fd, l->u.file.iov.base,
                          (unsigned)l->u.file.iov.len, l->u.file.offset);
    }
    break;
  case CP_OP_TRANSMIT:
    io_uring_prep_poll_add(sqe, fd, POLLOUT); /* the socket is full */
    break;
  default:
    io_uring_prep_nop(sqe);
    break;
  }
  io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)op);
}

/* Hands op to the kernel: an SQE now, or (SQ full) a place on the
 * overflow list that the progress thread turns into SQEs. */
static void prep(struct cport *p, struct cp_handle *h, cport_op_t *op) {
  struct cp_uring *u = cp_ur_of(p, h);
  struct cp_lop *l = cp_lop(op);
  l->flags |= CP_OPF_INFLIGHT;
  pthread_mutex_lock(&u->sq_lock);
  struct io_uring_sqe *sqe = u->overflow ? NULL : cp_uring_sqe_locked(u, h);
  if (sqe != NULL) {
    prep_sqe(sqe, h, op);
    __atomic_add_fetch(&u->inflight, 1, __ATOMIC_RELAXED);
  } else {
    l->link = NULL;
    if (u->overflow_tail)
      cp_lop(u->overflow_tail)->link = op;
    else
      u->overflow = op;
    u->overflow_tail = op;
  }
  pthread_mutex_unlock(&u->sq_lock);
  cp_uring_submitted(p, u);
}

void cp_uring_overflow_locked(struct cport *p, struct cp_uring *u) {
  (void)p;
  while (u->overflow != NULL) {
    cport_op_t *op = u->overflow;
    struct cp_lop *l = cp_lop(op);
    struct io_uring_sqe *sqe = cp_uring_sqe_locked(u, l->h);
    if (sqe == NULL)
      return;
    u->overflow = l->link;
    if (u->overflow == NULL)
      u->overflow_tail = NULL;
    prep_sqe(sqe, l->h, op);
    __atomic_add_fetch(&u->inflight, 1, __ATOMIC_RELAXED);
  }
  while (u->cancels != NULL) {
    struct io_uring_sqe *sqe = cp_uring_sqe_locked(u, NULL);
    if (sqe == NULL)
      return;
    cport_op_t *op = u->cancels;
    __atomic_store_n(&u->cancels, cp_lop(op)->link, __ATOMIC_RELAXED);
    io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)op, 0);
    io_uring_sqe_set_data64(sqe, CP_URING_TAG_CANCEL);
  }
  while (u->ntags > 0) {
    struct io_uring_sqe *sqe = cp_uring_sqe_locked(u, NULL);
    if (sqe == NULL)
      return;
    /* Tag 0 is the closing port's cancel of anything (cp_uring_drain_ring);
     * a handle's tag never is 0 (CP_URING_HTAG). */
    uint64_t tag = u->tags[--u->ntags];
    io_uring_prep_cancel64(
        sqe, tag, tag == 0 ? IORING_ASYNC_CANCEL_ANY : IORING_ASYNC_CANCEL_ALL);
    io_uring_sqe_set_data64(sqe, CP_URING_TAG_CANCEL);
  }
}

void cp_uring_cancel_tag_locked(struct cp_uring *u, uint64_t tag,
                                unsigned flags) {
  struct io_uring_sqe *sqe =
      u->ntags == 0 ? cp_uring_sqe_locked(u, NULL) : NULL;
  if (sqe != NULL) {
    io_uring_prep_cancel64(sqe, tag, flags);
    io_uring_sqe_set_data64(sqe, CP_URING_TAG_CANCEL);
  } else if (u->ntags < u->tags_cap) {
    u->tags[u->ntags++] = tag; /* (room reserved when it was armed) */
  }
}

int cp_uring_reserve_cancel_locked(struct cp_uring *u) {
  if (u->armed + 1 <= u->tags_cap)
    return 0;
  unsigned cap = u->tags_cap ? u->tags_cap * 2 : 64;
  uint64_t *t = realloc(u->tags, cap * sizeof(*t));
  if (t == NULL)
    return CPORT_ENOMEM;
  u->tags = t;
  u->tags_cap = cap;
  return 0;
}

/* Takes op back from the overflow list; false if it is not there. */
static bool overflow_take_locked(struct cp_uring *u, cport_op_t *op) {
  cport_op_t *prev = NULL;
  for (cport_op_t *it = u->overflow; it; prev = it, it = cp_lop(it)->link) {
    if (it != op)
      continue;
    if (prev)
      cp_lop(prev)->link = cp_lop(it)->link;
    else
      u->overflow = cp_lop(it)->link;
    if (u->overflow_tail == it)
      u->overflow_tail = prev;
    return true;
  }
  return false;
}

/* ------------------------------------------------------------------------ */
/* Starting                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * A large send on a socket whose data the multishot receive does not
 * bring (it paused with CP_UH_RX_CAP held, or never ran) is tried in the
 * call. Such a socket's receives are recv(2) calls on the worker already
 * (cp_uring_recv_start), so a send through the ring would make every
 * chunk of a bulk transfer a round trip to the ring's owner and back
 * (measured in docs/benchmarks.md, "Large messages"). While the multishot
 * receive runs, sends go through the ring, where they leave in batches.
 */
#define CP_URING_SEND_LARGE (8u * 1024u)

static bool send_at_call(struct cp_handle *h, const struct cp_lop *l) {
  if (cp_uh(h)->flags & CP_UH_RECV_ARMED)
    return false;
  size_t n = 0;
  for (unsigned i = 0; i < l->nbufs && n < CP_URING_SEND_LARGE; i++)
    n += l->bufs[i].len;
  return n >= CP_URING_SEND_LARGE;
}

static int in_kernel(struct cport *p, struct cp_handle *h, cport_op_t *op) {
  prep(p, h, op);
  return CP_TRY_AGAIN;
}

int cp_uring_start(struct cport *p, struct cp_handle *h, cport_op_t *op,
                   bool at_call) {
  struct cp_lop *l = cp_lop(op);
  switch (l->kind) {
  case CP_OP_RECV:
  case CP_OP_POLLIN:
    if (h->type == CP_H_STREAM) {
      int r = cp_uring_recv_start(p, h, op, at_call);
      return r == CP_URING_PLAIN ? in_kernel(p, h, op) : r;
    }
    break;
  case CP_OP_ACCEPT: {
    int r = cp_uring_accept_start(p, h, op);
    return r == CP_URING_PLAIN ? in_kernel(p, h, op) : r;
  }
  case CP_OP_DISCONNECT:
    return cp_try_disconnect(h, op);
  case CP_OP_READ:
    /* A read the page cache holds ends in the call (as a cached ReadFile
     * does on Windows), for handles that want that: no round trip
     * through the ring's owner. */
    if (at_call && (h->flags & CP_HF_IN_CALL) && cp_file_read_cached(op, h->fd))
      return CP_TRY_DONE;
    return in_kernel(p, h, op);
  case CP_OP_WRITE:
    return in_kernel(p, h, op);
  case CP_OP_SEND:
    if (at_call && ((h->flags & CP_HF_IN_CALL) || send_at_call(h, l) ||
                    cp_uring_handover_costly(p, cp_ur_of(p, h)))) {
      /* The progress thread sleeps and this thread is about to wait:
       * one send(2) here costs less than waking it to submit the SQE,
       * and the completion needs no hand-back between threads (measured
       * in docs/design.md §3). A skip-on-success handle, and one of the
       * Win32 layer, always try here: Windows programs expect a send the
       * socket can take to finish in the call. What the socket does not
       * take goes to the kernel as usual. */
      int r = cp_try(h, op);
      if (r != CP_TRY_AGAIN)
        return r;
    }
    return in_kernel(p, h, op);
  case CP_OP_TRANSMIT: {
    /* sendfile until the socket is full, then wait for POLLOUT. */
    int r = cp_try(h, op);
    return r == CP_TRY_AGAIN ? in_kernel(p, h, op) : r;
  }
  case CP_OP_CONNECT:
    /* connect() already ran in cport_connect(); stage 2 sends its data. */
    if ((l->flags & CP_OPF_STAGE2) && !cp_bufs_left(l)) {
      cp_op_result(op, 0);
      return CP_TRY_DONE;
    }
    return in_kernel(p, h, op);
  default:
    break;
  }
  if (at_call && (h->flags & CP_HF_IN_CALL)) {
    /* Skip-on-success handles want inline completion when possible, and
     * so do the Win32 layer's (a datagram sent or already there). */
    int r = cp_try(h, op);
    if (r != CP_TRY_AGAIN)
      return r;
  }
  return in_kernel(p, h, op);
}

/* Whether op waits on the list of cancels (and takes it off if take).
 * sq_lock held. */
static bool cancels_find_locked(struct cp_uring *u, cport_op_t *op, bool take) {
  cport_op_t *prev = NULL;
  for (cport_op_t *it = u->cancels; it; prev = it, it = cp_lop(it)->link) {
    if (it != op)
      continue;
    if (!take)
      return true;
    if (prev)
      cp_lop(prev)->link = cp_lop(it)->link;
    else
      __atomic_store_n(&u->cancels, cp_lop(it)->link, __ATOMIC_RELAXED);
    return true;
  }
  return false;
}

bool cp_uring_cancel(struct cport *p, struct cp_handle *h, cport_op_t *op) {
  struct cp_uring *u = cp_ur_of(p, h);
  pthread_mutex_lock(&u->sq_lock);
  if (overflow_take_locked(u, op)) {
    pthread_mutex_unlock(&u->sq_lock);
    return true; /* never reached the kernel */
  }
  struct cp_lop *l = cp_lop(op);
  if (h->type == CP_H_DGRAM && !(l->flags & CP_OPF_KCANCEL)) {
    /* Counted until it ends: a closed datagram socket keeps its fd until
     * then (cp_uring_close_fd), the number a retried cancel names. */
    l->flags |= CP_OPF_KCANCEL;
    if (cp_uh(h)->kcancels++ == 0)
      cp_uh(h)->cancel_tries = 0;
  }
  struct io_uring_sqe *sqe = u->cancels ? NULL : cp_uring_sqe_locked(u, NULL);
  if (sqe != NULL) {
    io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)op, 0);
    io_uring_sqe_set_data64(sqe, CP_URING_TAG_CANCEL);
  } else if (!cancels_find_locked(u, op, false)) {
    /* SQ full: the harvester sends the cancel when there is room (the op
     * is the kernel's until then, so its link is free). Asked twice (a
     * cancel, then a close), it waits there once. */
    cp_lop(op)->link = u->cancels;
    __atomic_store_n(&u->cancels, op, __ATOMIC_RELAXED);
  }
  pthread_mutex_unlock(&u->sq_lock);
  cp_uring_submitted(p, u);
  return false;
}

void cp_uring_detach(struct cport *p, struct cp_handle *h) {
  cp_uring_handle_stop(p, h);
}

/* ------------------------------------------------------------------------ */
/* Closing an fd that SQEs may still name                                    */
/* ------------------------------------------------------------------------ */

/* Whether every SQE naming h's fd was consumed by the kernel. */
static bool sqes_consumed(struct cp_uring *u, struct cp_handle *h) {
  struct cp_uh *uh = cp_uh(h);
  if (!uh->in_sq)
    return true;
  unsigned head = io_uring_smp_load_acquire(u->ring.sq.khead);
  if ((int32_t)(head - uh->sq_pos) >= 0) {
    uh->in_sq = 0;
    return true;
  }
  return false;
}

/* Whether h's fd may close: no SQE names it any more, and no cancelled op
 * of a datagram socket is still in the kernel. sq_lock held. */
static bool may_close(struct cp_uring *u, struct cp_handle *h) {
  return u->dead || (sqes_consumed(u, h) && cp_uh(h)->kcancels == 0);
}

/*
 * An unsubmitted SQE must never meet a reused fd number: while one may
 * still name h's fd, the fd stays open (the slot is a zombie, so the
 * number cannot be reused) and the progress thread closes it once the
 * kernel has taken the SQE.
 *
 * A cancel can miss its op: one that the kernel is retrying in its task
 * work (a datagram receive woken for a datagram another receive took)
 * is in no list a cancel searches, and the kernel answers ENOENT; the
 * receive then waits again on a socket whose fd is closed, whose file it
 * keeps open, and that nothing will ever reach (seen under close/create
 * races, about one run in six). So a closed datagram socket with
 * cancelled ops in the kernel keeps its fd (a zombie slot) until they
 * end, and its ring's owner names the fd in a descriptor-wide cancel
 * again each time the previous one has come back.
 */
int cp_uring_close_fd(struct cport *p, struct cp_handle *h) {
  struct cp_uring *u = cp_ur_of(p, h);
  pthread_mutex_lock(&u->sq_lock);
  bool now = may_close(u, h);
  if (!now) {
    struct cp_uh *uh = cp_uh(h);
    uh->flags |= CP_UH_CLOSING;
    uh->link = u->closing;
    __atomic_store_n(&u->closing, h, __ATOMIC_RELAXED); /* (read unlocked) */
    h->flags = CP_HF_ZOMBIE;
  }
  pthread_mutex_unlock(&u->sq_lock);
  if (!now) {
    cp_uring_submitted(p, u);
    return 0;
  }
  return close(h->fd) == 0 ? 0 : -errno;
}

#define CP_URING_CANCEL_TRIES 64

bool cp_uring_cancel_fd_locked(struct cp_uring *u, struct cp_handle *h) {
  struct io_uring_sqe *sqe = cp_uring_sqe_locked(u, h);
  if (sqe == NULL)
    return false; /* SQ full: the next round */
  cp_uh(h)->cancel_tries++;
  io_uring_prep_cancel_fd(sqe, h->fd, IORING_ASYNC_CANCEL_ALL);
  io_uring_sqe_set_data64(sqe, CP_URING_TAG_CANCEL_FD);
  __atomic_add_fetch(&u->cancel_fd_out, 1, __ATOMIC_RELAXED);
  return true;
}

/* The kernel has answered every descriptor-wide cancel sent so far (its
 * task work has run since, so an op it was retrying is back where a
 * cancel finds it): one more for h's fd, up to CP_URING_CANCEL_TRIES.
 * (h->lock and sq_lock held.) */
static void cancel_fd_again_locked(struct cp_uring *u, struct cp_handle *h) {
  if (__atomic_load_n(&u->cancel_fd_out, __ATOMIC_RELAXED) == 0 &&
      cp_uh(h)->cancel_tries < CP_URING_CANCEL_TRIES)
    (void)cp_uring_cancel_fd_locked(u, h);
}

void cp_uring_close_pending(struct cport *p, struct cp_uring *u) {
  (void)p;
  if (__atomic_load_n(&u->closing, __ATOMIC_RELAXED) == NULL)
    return;
  pthread_mutex_lock(&u->sq_lock);
  struct cp_handle *list = u->closing, *keep = NULL;
  __atomic_store_n(&u->closing, NULL, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&u->sq_lock);
  while (list != NULL) {
    struct cp_handle *h = list;
    list = cp_uh(h)->link;
    cp_lock(&h->lock);
    pthread_mutex_lock(&u->sq_lock);
    bool ready = may_close(u, h);
    if (!ready && cp_uh(h)->kcancels > 0)
      cancel_fd_again_locked(u, h);
    pthread_mutex_unlock(&u->sq_lock);
    if (ready) {
      cp_uh(h)->flags &= (uint16_t)~CP_UH_CLOSING;
      cp_uh(h)->link = NULL;
      close(h->fd);
      h->flags = 0;
    } else {
      cp_uh(h)->link = keep;
      keep = h;
    }
    cp_unlock(&h->lock);
  }
  if (keep != NULL) {
    pthread_mutex_lock(&u->sq_lock);
    struct cp_handle *last = keep;
    while (cp_uh(last)->link != NULL)
      last = cp_uh(last)->link;
    cp_uh(last)->link = u->closing;
    __atomic_store_n(&u->closing, keep, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&u->sq_lock);
  }
}

/* ------------------------------------------------------------------------ */
/* Completions                                                               */
/* ------------------------------------------------------------------------ */

static int set_status(cport_op_t *op, int status) {
  cp_op_result(op, status);
  return CP_TRY_DONE;
}

/* The op wants another round in the kernel, unless it is being canceled. */
static int again(struct cport *p, struct cp_handle *h, cport_op_t *op) {
  if (cp_lop(op)->flags & CP_OPF_CANCEL)
    return set_status(op, CPORT_ECANCELED);
  return in_kernel(p, h, op);
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

/* The CQE of an op whose handle is gone: its real result if it finished,
 * else CPORT_ECANCELED. Nothing of the handle is touched (the slot may
 * already serve another use of the fd number) and nothing restarts. */
static int orphan_result(cport_op_t *op, int res) {
  struct cp_lop *l = cp_lop(op);
  if (res == -EAGAIN) /* it would have waited: it ends with its handle */
    return set_status(op, CPORT_ECANCELED);
  if (l->kind == CP_OP_SENDTO &&
      (res == -ECONNREFUSED || res == -EHOSTUNREACH || res == -ENETUNREACH))
    return set_status(op, CPORT_ECANCELED); /* an ICMP report, passed over
                                               by a send (sockio.c): it
                                               did not go out */
  if (res == -EPIPE && (l->kind == CP_OP_SEND || l->kind == CP_OP_SENDTO))
    return set_status(op, CPORT_ECONNRESET); /* as cp_send_errno says it
                                                 for a live handle */
  if (res == -EINVAL && l->kind == CP_OP_ACCEPT && !(l->flags & CP_OPF_STAGE2))
    return set_status(op, CPORT_ECANCELED); /* its listener, closed, was
                                                shut down under it */
  if (res < 0)
    return set_status(op, res);
  switch (l->kind) {
  case CP_OP_RECV:
  case CP_OP_RECVFROM: {
    /* What it received, as interpret reports it: the sender's address,
     * and a datagram longer than the buffers (MSG_TRUNC gave its whole
     * length) fills them and fails with CPORT_EMSGSIZE. */
    if (l->kind == CP_OP_RECVFROM) {
      if (l->u.io.msg.name != NULL)
        cp_recvfrom_addrlen(
            op, (uint32_t)address_len(l->u.io.msg.name, l->u.io.msg.namelen));
      cp_op_msg_received(l, l->u.io.msg.controllen, l->u.io.msg.flags);
    }
    size_t want = cp_bufs_total(l->bufs, l->nbufs); /* (room left) */
    if ((size_t)res > want) {
      l->done = (uint32_t)want;
      return set_status(op, CPORT_EMSGSIZE);
    }
    l->done = ((l->flags & CP_OPF_FILL) ? l->done : 0) + (uint32_t)res;
    return set_status(op, 0);
  }
  case CP_OP_SENDTO:
  case CP_OP_READ:
  case CP_OP_WRITE:
    l->done = (uint32_t)res;
    return set_status(op, 0);
  case CP_OP_POLLIN:
    return set_status(op, 0);
  case CP_OP_SEND:
    l->done += (uint32_t)res;
    cp_bufs_consume(l, (size_t)res);
    return set_status(op, cp_bufs_left(l) ? CPORT_ECANCELED : 0);
  case CP_OP_ACCEPT:
    if (l->flags & CP_OPF_STAGE2) {
      l->done = (uint32_t)res;
      return set_status(op, 0);
    }
    close(res); /* accepted after its listener closed */
    return set_status(op, CPORT_ECANCELED);
  default:
    return set_status(op, CPORT_ECANCELED);
  }
}

/* What res means for op; CP_TRY_DONE (status set) or CP_TRY_AGAIN. */
/* A receive or send that failed: status ends it, 0 sends it to the
 * kernel again (a datagram socket's ICMP report passed over, sockio.c). */
static int dgram_failed(struct cport *p, struct cp_handle *h, cport_op_t *op,
                        int status) {
  return status == 0 ? again(p, h, op) : set_status(op, status);
}

/* A receive or send on a socket (a connect's second stage sends). */
static bool socket_io(const struct cp_lop *l) {
  return l->kind == CP_OP_RECV || l->kind == CP_OP_RECVFROM ||
         l->kind == CP_OP_SEND || l->kind == CP_OP_SENDTO ||
         (l->kind == CP_OP_CONNECT && (l->flags & CP_OPF_STAGE2));
}

static int interpret(struct cport *p, struct cp_handle *h, cport_op_t *op,
                     int res) {
  struct cp_lop *l = cp_lop(op);
  if (res == -ECANCELED || (res == -EINTR && (l->flags & CP_OPF_CANCEL))) {
    if (l->kind == CP_OP_CONNECT && !(l->flags & CP_OPF_ORPHAN) &&
        !(l->flags & CP_OPF_STAGE2))
      cp_engine_connect_cancelled(h);
    return set_status(op, CPORT_ECANCELED);
  }
  if (l->flags & CP_OPF_ORPHAN)
    return orphan_result(op, res);
  if (CP_UNLIKELY(res == -EAGAIN) && socket_io(l)) {
    /* The kernel gave up where it would have waited (seen while a
     * socket is reset or closed under a send): not an outcome, which
     * IOCP never reports for an overlapped op either. The op goes on,
     * waiting for readiness first, unless it was cancelled. */
    l->flags |= CP_OPF_POLLFIRST;
    return again(p, h, op);
  }
  switch (l->kind) {
  case CP_OP_RECV: {
    if (res < 0)
      return dgram_failed(p, h, op, cp_recv_error(h, -res));
    int r = cp_recv_result(h, op, res, cp_bufs_total(l->bufs, l->nbufs));
    if (r == CP_TRY_REJECT)
      return CP_TRY_DONE; /* (a reset: failed, after the call) */
    return r == CP_TRY_AGAIN ? again(p, h, op) : r; /* a filling one */
  }
  case CP_OP_POLLIN:
    l->done = 0;
    return set_status(op, res < 0 ? res : 0);
  case CP_OP_RECVFROM: {
    if (res < 0)
      return dgram_failed(p, h, op, cp_recv_error(h, -res));
    if (l->u.io.msg.name != NULL)
      cp_recvfrom_addrlen(
          op, (uint32_t)address_len(l->u.io.msg.name, l->u.io.msg.namelen));
    /* (the kernel wrote the control length and flags back into the op's
     * msghdr) */
    cp_op_msg_received(l, l->u.io.msg.controllen, l->u.io.msg.flags);
    int r = cp_recv_result(h, op, res, cp_bufs_total(l->bufs, l->nbufs));
    return r == CP_TRY_REJECT ? CP_TRY_DONE : r; /* (a stream's reset) */
  }
  case CP_OP_SENDTO:
    if (res < 0)
      return dgram_failed(p, h, op, cp_send_error(h, -res));
    l->done = (uint32_t)res;
    return set_status(op, 0);
  case CP_OP_CONNECT:
    if (!(l->flags & CP_OPF_STAGE2)) {
      int r = cp_connect_check(h, op);
      if (r == CP_TRY_AGAIN)
        return again(p, h, op);
      if (l->status != 0 || !cp_bufs_left(l))
        return CP_TRY_DONE;
      l->flags |= CP_OPF_STAGE2;
      return again(p, h, op);
    }
    /* stage 2 is a send */
    __attribute__((fallthrough));
  case CP_OP_SEND:
    if (res < 0)
      return dgram_failed(p, h, op, cp_send_error(h, -res));
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
    if (cp_engine_accept_setup(h, op, res) != 0)
      return set_status(op, CPORT_EMFILE);
    if (l->nbufs == 0)
      return set_status(op, 0);
    l->flags |= CP_OPF_STAGE2;
    return again(p, h, op);
  case CP_OP_READ:
  case CP_OP_WRITE:
    if (cp_file_moved_part(op, res))
      return again(p, h, op);
    cp_file_result(op, res);
    return CP_TRY_DONE;
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

/* u is the ring the CQE came from: an orphan's handle slot may already
 * serve a new socket, on another ring or port (so not cp_ur_of). */
void cp_uring_op_done(struct cport *p, struct cp_uring *u, cport_op_t *op,
                      int res, struct cp_batch *b) {
  struct cp_lop *l = cp_lop(op);
  struct cp_handle *h = l->h;
  cp_lock(&h->lock);
  l->flags &= (uint16_t)~CP_OPF_INFLIGHT;
  /* A cancel still waiting for SQ room must not outlive its op: once the
   * op ends, its owner may reuse it (and its link) for a new request. A
   * queued cancel means CP_OPF_CANCEL is set, so the op ends here (again()
   * never sends a canceled op back). (Cancels are queued under h->lock,
   * which we hold: the unlocked look sees any queued for this op.) */
  if (CP_UNLIKELY(__atomic_load_n(&u->cancels, __ATOMIC_RELAXED) != NULL)) {
    pthread_mutex_lock(&u->sq_lock);
    (void)cancels_find_locked(u, op, true);
    pthread_mutex_unlock(&u->sq_lock);
  }
  if (interpret(p, h, op, res) == CP_TRY_DONE) {
    if (CP_UNLIKELY(l->flags & CP_OPF_KCANCEL)) {
      l->flags &= (uint16_t)~CP_OPF_KCANCEL;
      if (cp_uh(h)->kcancels > 0) /* (its socket's slot, kept: close_fd) */
        cp_uh(h)->kcancels--;
    }
    cp_engine_end(h, op, b);
  }
  cp_unlock(&h->lock);
}
