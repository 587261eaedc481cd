/*
 * hooks.c - the porting layer's private interface (see hooks.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine-diag.h"
#include "engine.h"
#include "hooks.h"
#include "sockio.h"

CPORT_API bool cport__last_inline(uint32_t *bytes, int *status) {
  if (!cp_last_inline.done)
    return false;
  if (bytes)
    *bytes = cp_last_inline.bytes;
  if (status)
    *status = cp_last_inline.status;
  return true;
}

CPORT_API int cport__external_begin(int fd, cport_op_t *op) {
  int rc = cp_check_op(op);
  if (rc != 0)
    return rc;
  struct cp_handle *h = cp_engine_lock(fd, CP_WANT_ANY, &rc);
  if (h == NULL)
    return rc;
  rc = cp_engine_external_begin(h, op);
  cp_engine_unlock(h);
  return rc;
}

CPORT_API void cport__external_end(cport_op_t *op, int status, uint32_t bytes) {
  if (op != NULL && cp_op_busy(op) && cp_lop(op)->kind == CP_OP_EXTERNAL)
    cp_engine_external_end(op, status, bytes);
}

CPORT_API bool cport__op_closed(const cport_op_t *op) {
  if (op == NULL || cp_op_busy(op))
    return false;
  const struct cp_lop *l = cp_lop_const(op);
  return (l->flags & CP_OPF_CLOSED) && l->kind != CP_OP_ACCEPT &&
         l->kind != CP_OP_CONNECT;
}

CPORT_API int cport__replace_socket(int target, int from, bool connected) {
  return cp_engine_replace(target, from, connected);
}

CPORT_API int cport__move_file(cport_t *from, cport_t *to, int fd,
                               uintptr_t key) {
  if (from == NULL || to == NULL || fd < 0)
    return CPORT_EINVAL;
  int rc = cp_port_progress_start(to);
  return rc != 0 ? rc : cp_engine_move(from, to, fd, key);
}

CPORT_API unsigned cport__handle_state(int fd) {
  struct cp_handle *h = cp_handle_peek(fd);
  if (h == NULL)
    return 0;
  cp_lock(&h->lock);
  unsigned s = 0;
  if (h->flags & CP_HF_OPEN) {
    if (h->port != NULL)
      s |= CPORT__ASSOCIATED;
    if (h->flags & CP_HF_SKIP)
      s |= CPORT__SKIP;
    if (h->flags & CP_HF_CONNECTED)
      s |= CPORT__CONNECTED;
  } else if (h->flags & (CP_HF_ZOMBIE | CP_HF_LINGER)) {
    s |= CPORT__CLOSED;
  }
  cp_unlock(&h->lock);
  return s;
}

CPORT_API bool cport__handle_associated(int fd) {
  struct cp_handle *h = cp_handle_peek(fd);
  return h != NULL && __atomic_load_n(&h->port, __ATOMIC_ACQUIRE) != NULL;
}

/* Linux keeps no time of establishment, but the time since the last
 * data arrived starts at it: an accept waiting for its first data has had
 * none. */
CPORT_API int cport__accept_waiting_ms(const cport_op_t *op, uint32_t *ms) {
  if (op == NULL || ms == NULL || !cp_op_busy(op))
    return CPORT_ENOENT;
  const struct cp_lop *l = cp_lop_const(op);
  struct cp_handle *h = l->h;
  if (h == NULL)
    return CPORT_ENOENT;
  int rc = CPORT_ENOENT;
  cp_lock(&h->lock);
  if (cp_op_busy(op) && l->h == h && l->kind == CP_OP_ACCEPT &&
      (l->flags & CP_OPF_STAGE2) && l->aux_fd >= 0) {
    struct tcp_info ti;
    socklen_t len = sizeof(ti);
    if (getsockopt(l->aux_fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
        len >= offsetof(struct tcp_info, tcpi_last_data_recv) +
                   sizeof(ti.tcpi_last_data_recv)) {
      *ms = ti.tcpi_last_data_recv;
      rc = 0;
    }
  }
  cp_unlock(&h->lock);
  return rc;
}

CPORT_API int cport__disconnect_reuse(cport_handle_t s, cport_op_t *op) {
  return cp_disconnect(s, true, op);
}

CPORT_API int cport__note_shutdown(int fd, int how) {
  uint16_t f = how == SHUT_RD   ? CP_HF_SHUT_RD
               : how == SHUT_WR ? CP_HF_SHUT_WR
                                : (uint16_t)(CP_HF_SHUT_RD | CP_HF_SHUT_WR);
  return cp_engine_set_flags(fd, f);
}

/* Whether ops the program started on fd before the call are still
 * queued on one side: receives, or sends (overlapped ones pending, and
 * those whose bytes cport's send buffer holds). The first look notes in
 * *mark how many were ever queued there; later ones ask whether that
 * many have left, so ops queued after the call never hold it up (a
 * blocking recv among WSARecvs reposted as they end waited for ever).
 * Most blocking calls find none. */
static bool ops_queued(int fd, bool recv_side, uint32_t *mark, bool first) {
  struct cp_handle *h = cp_handle_peek(fd);
  if (h == NULL)
    return false;
  cp_lock(&h->lock);
  struct cp_opq *q = recv_side ? &h->rq : &h->wq;
  bool queued = (h->flags & CP_HF_OPEN) &&
                (!cp_opq_empty(q) || (!recv_side && h->buffered != 0));
  if (queued && first)
    *mark = q->pushed;
  else if (queued && (int32_t)(q->left - *mark) >= 0)
    queued = false; /* those queued before the call have all left */
  cp_unlock(&h->lock);
  return queued;
}

/* Waits up to timeout_ms (-1: for ever) until no op is queued on fd's
 * side. They end with the engine's progress, which needs no thread of
 * the program's: microseconds while the peer keeps up, so the looks
 * start 50 us apart, and grow to 1 ms for a peer that does not. stop,
 * if given, is asked after each pause (which a signal cuts short). */
static int wait_unqueued(int fd, bool recv_side, int timeout_ms,
                         bool (*stop)(void)) {
  uint32_t mark = 0;
  if (!ops_queued(fd, recv_side, &mark, true))
    return 0;
  uint64_t until = timeout_ms < 0
                       ? UINT64_MAX
                       : cp_now_ns() + (uint64_t)timeout_ms * 1000000u;
  long pause_ns = 50000;
  while (ops_queued(fd, recv_side, &mark, false)) {
    if (cp_now_ns() >= until)
      return CPORT_ETIMEDOUT;
    struct timespec ts = {0, pause_ns};
    nanosleep(&ts, NULL);
    if (stop != NULL && stop())
      return CPORT_ECANCELED;
    if (pause_ns < 1000000)
      pause_ns *= 2;
  }
  return 0;
}

CPORT_API int cport__flush_sends(int fd, int timeout_ms, bool (*stop)(void)) {
  return wait_unqueued(fd, false, timeout_ms, stop);
}

CPORT_API int cport__wait_receives(int fd, int timeout_ms, bool (*stop)(void)) {
  return wait_unqueued(fd, true, timeout_ms, stop);
}

CPORT_API int cport__close(int fd) {
  return cp_engine_close(fd);
}

CPORT_API int cport__shutdown_after_sends(int fd) {
  struct cp_handle *h = cp_handle_peek(fd);
  if (h == NULL)
    return 0;
  cp_lock(&h->lock);
  int rc = (h->flags & CP_HF_OPEN) ? cp_engine_shutdown_after_sends(h) : 0;
  cp_unlock(&h->lock);
  return rc;
}

CPORT_API size_t cport__fault_cut(int fd, size_t len) {
  if (CP_LIKELY(!cp_diag_active()) || len < 2)
    return len;
  struct cp_handle *h = cp_handle_peek(fd);
  if (h == NULL || __atomic_load_n(&h->port, __ATOMIC_ACQUIRE) == NULL)
    return len;
  cp_lock(&h->lock);
  size_t r = (h->flags & CP_HF_OPEN) && h->port != NULL
                 ? cp_engine_diag_cut(h, len)
                 : len;
  cp_unlock(&h->lock);
  return r;
}

CPORT_API long cport__held_recv(int fd, const struct iovec *iov, unsigned n,
                                bool peek, size_t *held) {
  if (held != NULL)
    *held = 0;
  struct cp_handle *h = cp_handle_peek(fd);
  struct cport *on =
      h != NULL ? __atomic_load_n(&h->port, __ATOMIC_ACQUIRE) : NULL;
  if (on == NULL || on->be->held_take == NULL)
    return 0; /* not on a port, or one that never holds data */
  cp_lock(&h->lock);
  long r = 0;
  struct cport *p = h->port;
  if ((h->flags & CP_HF_OPEN) && p != NULL && p->be->held_take != NULL)
    r = p->be->held_take(p, h, iov, n, peek, held);
  cp_unlock(&h->lock);
  return r;
}

CPORT_API unsigned cport__held_look(int fd, int *err) {
  *err = 0;
  struct cp_handle *h = cp_handle_peek(fd);
  struct cport *on =
      h != NULL ? __atomic_load_n(&h->port, __ATOMIC_ACQUIRE) : NULL;
  if (on == NULL || on->be->held_look == NULL)
    return 0; /* not on a port, or one that never holds data */
  /* Never waits for the lock: the caller may hold it (cport's own connect
   * or send reaches the layer's names of the same calls, which look). A
   * busy lock is a look again shortly. */
  if (!cp_lock_try(&h->lock))
    return CPORT__HELD_SOON;
  unsigned r = 0;
  struct cport *p = h->port;
  if ((h->flags & CP_HF_OPEN) && p != NULL && p->be->held_look != NULL)
    r = p->be->held_look(p, h, err);
  cp_unlock(&h->lock);
  /* The same bits under the names the layer sees. */
  return ((r & CP_HELD_DATA) ? CPORT__HELD_DATA : 0u) |
         ((r & CP_HELD_END) ? CPORT__HELD_END : 0u) |
         ((r & CP_HELD_SOON) ? CPORT__HELD_SOON : 0u);
}

CPORT_API int cport__held_accept(int fd) {
  struct cp_handle *h = cp_handle_peek(fd);
  struct cport *on =
      h != NULL ? __atomic_load_n(&h->port, __ATOMIC_ACQUIRE) : NULL;
  if (on == NULL || on->be->held_accept == NULL)
    return -1;
  cp_lock(&h->lock);
  int r = -1;
  struct cport *p = h->port;
  if ((h->flags & CP_HF_OPEN) && p != NULL && p->be->held_accept != NULL)
    r = p->be->held_accept(p, h);
  cp_unlock(&h->lock);
  return r;
}

CPORT_API int cport__icmp_report_take(int fd) {
  return fd < 0 ? 0 : cp_icmp_report_take(fd);
}

CPORT_API int cport__try_at_call(int fd) {
  return cp_engine_set_flags(fd, CP_HF_AT_CALL);
}

CPORT_API int cport__accept_one_by_one(int fd) {
  return cp_engine_set_flags(fd, CP_HF_ONE_ACCEPT);
}

CPORT_API int cport__cancel_tagged(int fd, void *tag) {
  struct cp_handle *h = cp_handle_peek(fd);
  if (h == NULL)
    return CPORT_EBADF;
  cp_lock(&h->lock);
  int n = 0;
  if (!(h->flags & CP_HF_OPEN)) {
    n = CPORT_EBADF;
  } else if (h->port != NULL) {
    struct cp_opq *queues[2] = {&h->rq, &h->wq};
    for (int i = 0; i < 2; i++) {
      /* Each cancel may start or end other ops of the queue: look again
       * from its head until no tagged op is left to ask. */
      for (cport_op_t *op = queues[i]->head; op != NULL;) {
        const struct cp_lop *l = cp_lop_const(op);
        if (op->data == tag && !(l->flags & (CP_OPF_CANCEL | CP_OPF_ORPHAN)) &&
            cp_engine_cancel_locked(h, queues[i], op, false) > 0) {
          n++;
          op = queues[i]->head;
        } else {
          op = l->next;
        }
      }
    }
  }
  cp_unlock(&h->lock);
  return n;
}

CPORT_API void cport__set_event_ending_hook(void (*ending)(void *event)) {
  __atomic_store_n(&cp_event_ending_hook, ending, __ATOMIC_RELEASE);
}

CPORT_API void cport__set_event_hook(void (*signal)(void *event)) {
  __atomic_store_n(&cp_event_hook, signal, __ATOMIC_RELEASE);
}

CPORT_API void cport__set_accept_hook(void (*ended)(int fd,
                                                    const uintptr_t word[3])) {
  __atomic_store_n(&cp_accept_hook, ended, __ATOMIC_RELEASE);
}

CPORT_API void cport__set_nt_hook(uintptr_t (*word)(const cport_op_t *op,
                                                    int status, uint32_t bytes,
                                                    bool closed)) {
  __atomic_store_n(&cp_nt_hook, word, __ATOMIC_RELEASE);
}

CPORT_API bool cport__io_signaled(int fd) {
  struct cp_handle *h = cp_handle_peek(fd);
  if (h == NULL)
    return false;
  uint32_t starts = __atomic_load_n(&h->io_starts, __ATOMIC_ACQUIRE);
  return __atomic_load_n(&h->io_signal, __ATOMIC_ACQUIRE) == starts + 1;
}

CPORT_API bool cport__op_in_flight(const cport_op_t *op) {
  return op != NULL && cp_op_busy(op);
}

CPORT_API bool cport__op_code(const cport_op_t *op, int *code) {
  if (op == NULL || cp_op_busy(op))
    return false;
  const struct cp_lop *l = cp_lop_const(op);
  if (!(l->flags & CP_OPF_NT))
    return false;
  *code = l->status;
  return true;
}

_Static_assert(CPORT__OPAQUE_POST == CP_STATUS_OPAQUE_POST,
               "hooks.h and port.h name the same status");

CPORT_API int cport__abandon(cport_t *p) {
  return p == NULL ? CPORT_EINVAL : cp_port_abandon(p);
}

CPORT_API int cport__reap(cport_t *p, cport_completion_t *out, unsigned max,
                          int timeout_ms) {
  return cp_port_take_as_reaper(p, out, max, timeout_ms);
}

CPORT_API bool cport__port_unused(cport_t *p) {
  if (p == NULL)
    return true;
  pthread_mutex_lock(&p->handles_lock);
  bool none = p->handles == NULL;
  pthread_mutex_unlock(&p->handles_lock);
  return none;
}

CPORT_API int cport__post_opaque(cport_t *p, uintptr_t key, uint32_t bytes,
                                 void *value) {
  return cp_port_post_status(p, key, bytes, (cport_op_t *)value,
                             CP_STATUS_OPAQUE_POST);
}
