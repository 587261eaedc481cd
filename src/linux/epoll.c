/*
 * epoll.c - the epoll backend, in the manner of Asio's epoll_reactor:
 * each associated socket is registered once, edge-triggered; a new op is
 * tried at once when nothing runs before it; a readiness edge drains the
 * socket's queues until the kernel says EAGAIN. An eventfd wakes the
 * leader out of epoll_wait.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "backend.h"
#include "engine.h"
#include "fileio.h"
#include "pool.h"
#include "sockio.h"

#define CP_EPOLL_DEFAULT_WORKERS 4

struct cp_epoll {
  int epfd;
  int evfd;            /* wakes the leader */
  struct cp_pool pool; /* regular-file reads and writes */
};

/* epoll_event.data.u64: fd in the low 32 bits and the handle generation
 * in the next 31. With EP_STAGE2 set, the event is for the new socket of
 * an accept that waits for its first data: the listener's fd, then the new
 * socket's fd in the next 31 bits (no generation: the op is found by that
 * fd among the listener's accepts, and a stale match only costs an
 * attempt that says EAGAIN). */
#define EP_WAKE UINT64_MAX
#define EP_STAGE2 (UINT64_C(1) << 63)

static uint64_t ev_data(const struct cp_handle *h) {
  return (uint64_t)(uint32_t)h->fd | ((uint64_t)(h->gen & 0x7fffffffu) << 32);
}

static uint64_t ev_data_accepted(const struct cp_handle *listener, int fd) {
  return (uint64_t)(uint32_t)listener->fd |
         ((uint64_t)((uint32_t)fd & 0x7fffffffu) << 32) | EP_STAGE2;
}

static struct cp_epoll *ep(struct cport *p) { return p->be_data; }

static int epoll_init(struct cport *p) {
  struct cp_epoll *e = p->be_data;
  if (e == NULL) {
    e = calloc(1, sizeof(*e));
    if (e == NULL)
      return CPORT_ENOMEM;
    p->be_data = e;
  }
  cp_pool_init(&e->pool,
               p->opts.workers ? p->opts.workers : CP_EPOLL_DEFAULT_WORKERS,
               cp_file_run);
  e->epfd = epoll_create1(EPOLL_CLOEXEC);
  e->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = EP_WAKE};
  int rc = 0;
  if (e->epfd < 0 || e->evfd < 0 ||
      epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->evfd, &ev) != 0)
    rc = -errno;
  if (rc != 0) {
    if (e->epfd >= 0)
      close(e->epfd);
    if (e->evfd >= 0)
      close(e->evfd);
    cp_pool_destroy(&e->pool);
    free(e);
    p->be_data = NULL;
  }
  return rc;
}

static void epoll_fini(struct cport *p) {
  struct cp_epoll *e = ep(p);
  cp_pool_stop(&e->pool); /* running file calls finish first */
  close(e->epfd);
  e->epfd = -1;
  /* evfd stays open until free(): a late wake() may still write to it. */
}

static void epoll_free(struct cport *p) {
  if (ep(p) == NULL)
    return;
  close(ep(p)->evfd);
  cp_pool_destroy(&ep(p)->pool);
  free(p->be_data);
  p->be_data = NULL;
}

static void epoll_wake(struct cport *p) {
  uint64_t one = 1;
  ssize_t n = write(ep(p)->evfd, &one, sizeof(one));
  (void)n; /* EAGAIN: the counter is already non-zero, a wake is pending */
}

/* The new socket fd of an accept on listener h may have received data. */
static void accept_data_ready(struct cport *p, struct cp_handle *h, int fd,
                              struct cp_batch *b) {
  cport_op_t *op = h->rq.head;
  while (op != NULL && !((cp_lop(op)->flags & CP_OPF_STAGE2) &&
                         cp_lop(op)->aux_fd == fd))
    op = cp_lop(op)->next;
  if (op != NULL && cp_try_accept_data(op) == CP_TRY_DONE) {
    epoll_ctl(ep(p)->epfd, EPOLL_CTL_DEL, fd, NULL);
    cp_opq_remove(&h->rq, op);
    cp_op_finish(op, b);
  }
}

static void handle_event(struct cport *p, const struct epoll_event *ev,
                         struct cp_batch *b) {
  int fd = (int)(uint32_t)ev->data.u64;
  uint32_t high = (uint32_t)(ev->data.u64 >> 32) & 0x7fffffffu;
  bool stage2 = (ev->data.u64 & EP_STAGE2) != 0;
  struct cp_handle *h = cp_handle_peek(fd);
  if (h == NULL)
    return;
  pthread_mutex_lock(&h->lock);
  if ((h->flags & CP_HF_OPEN) && h->port == p &&
      (stage2 || (h->gen & 0x7fffffffu) == high)) {
    uint32_t e = ev->events;
    if (stage2) {
      accept_data_ready(p, h, (int)high, b);
    } else {
      if (e & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))
        cp_queue_kick(p, h, &h->rq, b);
      if (e & (EPOLLOUT | EPOLLERR | EPOLLHUP))
        cp_queue_kick(p, h, &h->wq, b);
    }
  }
  pthread_mutex_unlock(&h->lock);
}

static int epoll_wait_events(struct cport *p, struct cp_batch *b,
                             int timeout_ms) {
  struct cp_epoll *e = ep(p);
  struct epoll_event evs[64];
  int n = epoll_wait(e->epfd, evs, 64, timeout_ms);
  if (n < 0)
    return errno == EINTR ? 0 : -errno;
  for (int i = 0; i < n; i++) {
    if (evs[i].data.u64 == EP_WAKE) {
      uint64_t v;
      ssize_t r = read(e->evfd, &v, sizeof(v));
      (void)r;
      continue;
    }
    handle_event(p, &evs[i], b);
  }
  return 0;
}

static int epoll_attach(struct cport *p, struct cp_handle *h) {
  if (h->type == CP_H_FILE)
    return 0; /* regular files are not pollable: the worker pool serves them */
  struct epoll_event ev = {
      .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
      .data.u64 = ev_data(h),
  };
  if (epoll_ctl(ep(p)->epfd, EPOLL_CTL_ADD, h->fd, &ev) == 0)
    return 0;
  if (errno == EEXIST &&
      epoll_ctl(ep(p)->epfd, EPOLL_CTL_MOD, h->fd, &ev) == 0)
    return 0;
  return errno == EPERM ? CPORT_EBADF : -errno;
}

static void epoll_detach(struct cport *p, struct cp_handle *h) {
  if (h->type != CP_H_FILE)
    epoll_ctl(ep(p)->epfd, EPOLL_CTL_DEL, h->fd, NULL);
}

static int epoll_start(struct cport *p, struct cp_handle *h, cport_op_t *op,
                       bool at_call) {
  (void)at_call;
  struct cp_lop *l = cp_lop(op);
  if (l->kind == CP_OP_READ || l->kind == CP_OP_WRITE) {
    /* Regular files never wait in epoll: a pool thread runs the call. */
    l->flags |= CP_OPF_INFLIGHT;
    int rc = cp_pool_submit(&ep(p)->pool, op);
    if (rc == 0)
      return CP_TRY_AGAIN;
    l->flags &= (uint8_t)~CP_OPF_INFLIGHT;
    op->internal = (uintptr_t)(intptr_t)rc;
    return CP_TRY_REJECT;
  }
  bool parked = l->kind == CP_OP_ACCEPT && (l->flags & CP_OPF_STAGE2);
  int r = cp_try(h, op);
  if (r == CP_TRY_AGAIN && !parked && l->kind == CP_OP_ACCEPT &&
      (l->flags & CP_OPF_STAGE2)) {
    /* Accepted; its first data is awaited on the new socket, whose
     * readiness is reported to the listener. */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET,
                             .data.u64 = ev_data_accepted(h, l->aux_fd)};
    if (epoll_ctl(ep(p)->epfd, EPOLL_CTL_ADD, l->aux_fd, &ev) != 0) {
      op->internal = (uintptr_t)(intptr_t)-errno;
      return CP_TRY_DONE;
    }
    /* Data may have arrived between the attempt and the registration. */
    if (cp_try_accept_data(op) == CP_TRY_DONE) {
      if (l->aux_fd >= 0)
        epoll_ctl(ep(p)->epfd, EPOLL_CTL_DEL, l->aux_fd, NULL);
      return CP_TRY_DONE;
    }
  }
  return r;
}

/* Only pool ops are ever "in flight" on epoll: one no thread has started
 * is taken back and completes now; a running one completes when its call
 * returns. */
static void epoll_cancel(struct cport *p, struct cp_handle *h,
                         cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  if (!cp_pool_cancel(&ep(p)->pool, op))
    return;
  l->flags &= (uint8_t)~CP_OPF_INFLIGHT;
  if (!(l->flags & CP_OPF_ORPHAN))
    cp_opq_remove(cp_op_queue(h, op), op);
  op->internal = (uintptr_t)(intptr_t)CPORT_ECANCELED;
  cp_op_finish(op, NULL);
}

static bool epoll_close_later(struct cport *p, struct cp_handle *h) {
  (void)p;
  return h->blocking > 0;
}

const struct cp_backend cp_epoll_backend = {
    .name = "epoll",
    .init = epoll_init,
    .fini = epoll_fini,
    .free = epoll_free,
    .wait = epoll_wait_events,
    .wake = epoll_wake,
    .flush = NULL,
    .attach = epoll_attach,
    .detach = epoll_detach,
    .start = epoll_start,
    .cancel = epoll_cancel,
    .close_later = epoll_close_later,
};
