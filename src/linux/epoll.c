/*
 * epoll.c - the epoll backend (layer 5), in the manner of Asio's
 * epoll_reactor: each associated socket is registered once,
 * edge-triggered; a new op is tried at once when nothing runs before it;
 * a readiness edge runs the socket's queues until the kernel says EAGAIN.
 * The port's progress thread is the one thread in epoll_wait; an eventfd
 * wakes it. Regular files, which epoll cannot wait for, run on a small
 * pool of threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "engine.h"
#include "fileio.h"
#include "pool.h"
#include "sockio.h"

#define CP_EPOLL_DEFAULT_WORKERS 4
#define CP_EPOLL_EVENTS 128

struct cp_epoll {
  int epfd;
  int evfd;            /* wakes the progress thread */
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

/* h->be[0]: what cport knows of the socket's readiness. An attempt made
 * inside a call is skipped when the last one said EAGAIN and no edge came
 * since (it would say EAGAIN again). */
enum {
  EP_RX_MAYBE = 1u << 0,
  EP_TX_MAYBE = 1u << 1,
  EP_RX_END = 1u << 2, /* the peer closed or reset: reads never block again */
};

static uint64_t ev_data(const struct cp_handle *h) {
  return (uint64_t)(uint32_t)h->fd | ((uint64_t)(h->gen & 0x7fffffffu) << 32);
}

static uint64_t ev_data_accepted(const struct cp_handle *listener, int fd) {
  return (uint64_t)(uint32_t)listener->fd |
         ((uint64_t)((uint32_t)fd & 0x7fffffffu) << 32) | EP_STAGE2;
}

static struct cp_epoll *ep(struct cport *p) {
  return p->be_data;
}

/* ------------------------------------------------------------------------ */
/* Files, on the pool                                                        */
/* ------------------------------------------------------------------------ */

/*
 * A pool thread runs a file op to its end. While the call runs the handle
 * counts it, so a close in the meantime leaves the fd open until it
 * returns (CP_HF_ZOMBIE) and its number cannot be reused under the call.
 */
static void run_file_op(cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  struct cp_handle *h = l->h;
  cp_lock(&h->lock);
  if (l->flags & CP_OPF_CANCEL) {
    cp_op_result(op, CPORT_ECANCELED);
  } else {
    h->blocking++;
    int fd = l->u.file.fd;
    cp_unlock(&h->lock);
    cp_file_io(op, fd);
    cp_lock(&h->lock);
    h->blocking--;
  }
  cp_engine_end(h, op, NULL);
  if ((h->flags & CP_HF_ZOMBIE) && h->blocking == 0) {
    close(h->fd); /* closed by the user while we were using it */
    h->flags = 0;
  }
  cp_unlock(&h->lock);
}

/* ------------------------------------------------------------------------ */
/* The port                                                                  */
/* ------------------------------------------------------------------------ */

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
               run_file_op);
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

/* Tries a parked accept's first read. Once it is done, the new socket
 * leaves the set - unless a failed read closed it (aux_fd -1), which took
 * it out already: its number may name another socket by now, whose
 * registration must stay. */
static bool first_data_done(struct cport *p, cport_op_t *op) {
  int fd = cp_lop(op)->aux_fd;
  if (cp_try_accept_data(op) != CP_TRY_DONE)
    return false;
  if (cp_lop(op)->aux_fd >= 0)
    epoll_ctl(ep(p)->epfd, EPOLL_CTL_DEL, fd, NULL);
  return true;
}

/* The new socket fd of an accept on listener h may have received data. */
static void accept_data_ready(struct cp_handle *h, int fd, struct cp_batch *b) {
  cport_op_t *op = h->rq.head;
  while (op != NULL &&
         !((cp_lop(op)->flags & CP_OPF_STAGE2) && cp_lop(op)->aux_fd == fd))
    op = cp_lop(op)->next;
  if (op != NULL && first_data_done(h->port, op))
    cp_engine_end(h, op, b);
}

static void handle_event(struct cport *p, const struct epoll_event *ev,
                         struct cp_batch *b) {
  int fd = (int)(uint32_t)ev->data.u64;
  uint32_t high = (uint32_t)(ev->data.u64 >> 32) & 0x7fffffffu;
  bool stage2 = (ev->data.u64 & EP_STAGE2) != 0;
  struct cp_handle *h = cp_handle_peek(fd);
  if (h == NULL)
    return;
  cp_lock(&h->lock);
  if ((h->flags & CP_HF_OPEN) && h->port == p &&
      (stage2 || (h->gen & 0x7fffffffu) == high)) {
    uint32_t e = ev->events;
    if (stage2) {
      accept_data_ready(h, (int)high, b);
    } else {
      if (e & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
        h->be[0] |= EP_RX_MAYBE;
        if (e & (EPOLLERR | EPOLLHUP | EPOLLRDHUP))
          h->be[0] |= EP_RX_END;
        if (!cp_opq_empty(&h->rq))
          cp_engine_kick(h, &h->rq, b);
      }
      if (e & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
        h->be[0] |= EP_TX_MAYBE;
        if (!cp_opq_empty(&h->wq))
          cp_engine_kick(h, &h->wq, b);
      }
    }
  }
  cp_unlock(&h->lock);
}

static int epoll_wait_events(struct cport *p, struct cp_batch *b,
                             int timeout_ms) {
  struct cp_epoll *e = ep(p);
  struct epoll_event evs[CP_EPOLL_EVENTS];
  if (timeout_ms != 0 && !cp_port_progress_may_sleep(p))
    timeout_ms = 0;
  cp_port_progress_take_work(p);
  int n = cp_sys_epoll_wait(e->epfd, evs, CP_EPOLL_EVENTS, timeout_ms);
  cp_port_progress_awake(p);
  if (n < 0)
    return errno == EINTR ? 0 : -errno;
  for (int i = 0; i < n; i++) {
    if (evs[i].data.u64 == EP_WAKE) {
      uint64_t v;
      ssize_t r = read(e->evfd, &v, sizeof(v));
      (void)r;
      continue;
    }
    cp_port_wakes_hold(); /* (it ends ops under the handle's lock) */
    handle_event(p, &evs[i], b);
    cp_port_wakes_release();
  }
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Handles and ops                                                           */
/* ------------------------------------------------------------------------ */

static int epoll_attach(struct cport *p, struct cp_handle *h) {
  h->be[0] = EP_RX_MAYBE | EP_TX_MAYBE;
  if (h->type == CP_H_FILE)
    return 0; /* regular files are not pollable: the pool serves them */
  struct epoll_event ev = {
      .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
      .data.u64 = ev_data(h),
  };
  if (epoll_ctl(ep(p)->epfd, EPOLL_CTL_ADD, h->fd, &ev) == 0)
    return 0;
  if (errno == EEXIST && epoll_ctl(ep(p)->epfd, EPOLL_CTL_MOD, h->fd, &ev) == 0)
    return 0;
  /* A descriptor of no known kind that cannot be polled (a directory, the
   * Win32 layer's ReadDirectoryChangesW handle): it joins the port for
   * external ops only, as it does on io_uring; nothing waits on it. */
  if (errno == EPERM && h->type == CP_H_UNKNOWN)
    return 0;
  return errno == EPERM ? CPORT_EBADF : -errno;
}

static void epoll_detach(struct cport *p, struct cp_handle *h) {
  if (h->type != CP_H_FILE)
    epoll_ctl(ep(p)->epfd, EPOLL_CTL_DEL, h->fd, NULL);
}

static bool recv_side(uint8_t kind) {
  return kind == CP_OP_RECV || kind == CP_OP_POLLIN || kind == CP_OP_RECVFROM ||
         kind == CP_OP_ACCEPT;
}

/* Parks an accepted socket whose first data is awaited: its readiness is
 * reported to the listener. */
static int park_accept(struct cport *p, struct cp_handle *h, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET,
                           .data.u64 = ev_data_accepted(h, l->aux_fd)};
  if (epoll_ctl(ep(p)->epfd, EPOLL_CTL_ADD, l->aux_fd, &ev) != 0) {
    cp_op_result(op, -errno);
    return CP_TRY_DONE;
  }
  /* Data may have arrived between the attempt and the registration. */
  return first_data_done(p, op) ? CP_TRY_DONE : CP_TRY_AGAIN;
}

/* A stream receive: most ops of a busy server, so it has its own path. */
static int start_stream_recv(struct cp_handle *h, cport_op_t *op,
                             bool at_call) {
  struct cp_lop *l = cp_lop(op);
  if (at_call && !(h->be[0] & EP_RX_MAYBE))
    return CP_TRY_AGAIN; /* no edge since the last EAGAIN */
  size_t want = cp_bufs_total(l->bufs, l->nbufs);
  int r = cp_try_recv(h, op);
  /* A read shorter than asked took all there was: the next one would say
   * EAGAIN (new data brings a new edge) - unless the peer's close is
   * queued behind it (its edge may have come already). */
  if (r == CP_TRY_AGAIN || (r == CP_TRY_DONE && want > 0 && l->done > 0 &&
                            l->done < want && !(h->be[0] & EP_RX_END)))
    h->be[0] &= ~(uintptr_t)EP_RX_MAYBE;
  return r;
}

/* A send: the other half of a busy server's ops. */
static int start_send(struct cp_handle *h, cport_op_t *op, bool at_call) {
  if (at_call && !(h->be[0] & EP_TX_MAYBE))
    return CP_TRY_AGAIN; /* no edge since the last EAGAIN */
  int r = cp_try_send(h, op);
  if (r == CP_TRY_AGAIN)
    h->be[0] &= ~(uintptr_t)EP_TX_MAYBE;
  return r;
}

/* h->be[1] of a file: whether it was opened to append (looked up once). */
#define EP_FILE_APPENDS 1u
#define EP_FILE_WRITES 2u

static bool appends(struct cp_handle *h) {
  if (h->be[1] == 0) {
    int fl = fcntl(h->fd, F_GETFL);
    h->be[1] = fl >= 0 && (fl & O_APPEND) ? EP_FILE_APPENDS : EP_FILE_WRITES;
  }
  return h->be[1] == EP_FILE_APPENDS;
}

/* Every other op: datagram receives, accepts, connects, files... (kept
 * out of line: the two above need no saved registers). */
static __attribute__((noinline)) int start_other(struct cport *p,
                                                 struct cp_handle *h,
                                                 cport_op_t *op, bool at_call) {
  struct cp_lop *l = cp_lop(op);
  if (l->kind == CP_OP_READ || l->kind == CP_OP_WRITE) {
    /* Regular files never wait in epoll: a pool thread runs the call,
     * unless the page cache holds a read's bytes (it ends in the call,
     * as a cached ReadFile does on Windows, for handles that want
     * that). */
    if (at_call && (h->flags & CP_HF_IN_CALL) && cp_file_read_cached(op, h->fd))
      return CP_TRY_DONE;
    if (at_call && l->kind == CP_OP_WRITE &&
        (appends(h) || l->u.file.offset == CPORT_FILE_END)) {
      /* Appends land in the order they were made, as on Windows, where a
       * write that extends a file is done in the call: pool threads
       * running them side by side would reorder them. */
      cp_file_io(op, h->fd);
      return CP_TRY_DONE;
    }
    l->flags |= CP_OPF_INFLIGHT;
    l->u.file.fd = h->fd;
    int rc = cp_pool_submit(&ep(p)->pool, op);
    if (rc == 0)
      return CP_TRY_AGAIN;
    l->flags &= (uint16_t)~CP_OPF_INFLIGHT;
    cp_op_result(op, rc);
    return CP_TRY_REJECT;
  }
  bool rx = recv_side(l->kind);
  uintptr_t maybe = rx ? EP_RX_MAYBE : EP_TX_MAYBE;
  if (at_call && !(h->be[0] & maybe) && l->kind != CP_OP_CONNECT &&
      l->kind != CP_OP_DISCONNECT)
    return CP_TRY_AGAIN; /* no edge since the last EAGAIN */
  bool parked = l->kind == CP_OP_ACCEPT && (l->flags & CP_OPF_STAGE2);
  int r = cp_try(h, op);
  if (r == CP_TRY_AGAIN) {
    if (!parked && l->kind == CP_OP_ACCEPT && (l->flags & CP_OPF_STAGE2))
      return park_accept(p, h, op);
    if (!(l->kind == CP_OP_ACCEPT && (l->flags & CP_OPF_STAGE2)))
      h->be[0] &= ~maybe;
  }
  return r;
}

static int epoll_start(struct cport *p, struct cp_handle *h, cport_op_t *op,
                       bool at_call) {
  uint8_t kind = cp_lop(op)->kind;
  if (kind == CP_OP_RECV && h->type == CP_H_STREAM)
    return start_stream_recv(h, op, at_call);
  if (kind == CP_OP_SEND)
    return start_send(h, op, at_call);
  return start_other(p, h, op, at_call);
}

/* Only pool ops are ever in flight on epoll: one no thread has started
 * is taken back; a running one ends when its call returns. */
static bool epoll_cancel(struct cport *p, struct cp_handle *h, cport_op_t *op) {
  (void)h;
  return cp_pool_cancel(&ep(p)->pool, op);
}

static int epoll_close_fd(struct cport *p, struct cp_handle *h) {
  (void)p;
  if (h->blocking > 0) {
    h->flags = CP_HF_ZOMBIE; /* the pool closes it when its call returns */
    return 0;
  }
  return close(h->fd) == 0 ? 0 : -errno;
}

const struct cp_backend cp_epoll_backend = {
    .name = "epoll",
    .init = epoll_init,
    .fini = epoll_fini,
    .free = epoll_free,
    .enter = NULL,
    .wait = epoll_wait_events,
    .wake = epoll_wake,
    .flush = NULL,
    .drain = NULL,
    .attach = epoll_attach,
    .detach = epoll_detach,
    .start = epoll_start,
    .cancel = epoll_cancel,
    .close_fd = epoll_close_fd,
};
