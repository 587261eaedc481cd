/*
 * op.c - the op's life on Windows: cport_op_t starts with the OVERLAPPED
 * the system uses; this file prepares it for a call, reads what the call
 * returned, finishes it when its completion is taken (accept and connect
 * contexts updated, accept data copied), and answers the result calls
 * from any thread. It calls no higher file: an op that needs more work at
 * its end (a timer) carries its own `done` function.
 */
#include <stdlib.h>
#include <string.h>

#include "win.h"

/* Posts the completion of an op already counted in p->ops. */
static int post_counted(struct cport *p, uintptr_t key, uint32_t bytes,
                        cport_op_t *op) {
  if (p->closed ||
      !PostQueuedCompletionStatus(p->iocp, bytes, key, (LPOVERLAPPED)op)) {
    InterlockedDecrement(&p->ops);
    int rc = p->closed ? CPORT_ECLOSED : cp_win_error(GetLastError());
    cp_op_set_idle(op); /* no packet: it ends here */
    return rc;
  }
  return 0;
}

/* The completion of an op cport finished itself (a timer, a datagram
 * connect): the op is finished by cp_wop_done when it is taken. */
int cp_win_post_op(struct cport *p, uintptr_t key, uint32_t bytes,
                   cport_op_t *op) {
  InterlockedIncrement(&p->ops);
  return post_counted(p, key, bytes, op);
}

int cp_win_post_started(const struct cp_whandle *e, uint32_t bytes,
                        cport_op_t *op) {
  return post_counted(e->port, e->key, bytes, op);
}

/* priv[0] from anything but the busy mark to it, atomically. */
static bool claim(cport_op_t *op) {
  uintptr_t was = op->priv[0];
  if (was == CP_OP_BUSY_MAGIC)
    return false;
#if defined(_MSC_VER)
  return InterlockedCompareExchangePointer((PVOID volatile *)&op->priv[0],
                                           (PVOID)CP_OP_BUSY_MAGIC,
                                           (PVOID)was) == (PVOID)was;
#else
  return __atomic_compare_exchange_n(&op->priv[0], &was, CP_OP_BUSY_MAGIC,
                                     false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
#endif
}

bool cp_wop_begin(cport_op_t *op, uint8_t kind, SOCKET s) {
  if (!claim(op))
    return false;                            /* a racing start has it */
  memset(op, 0, offsetof(cport_op_t, data)); /* the OVERLAPPED */
  memset(&op->priv[1], 0, sizeof(op->priv) - sizeof(op->priv[0]));
  struct cp_wop *w = cp_wop(op);
  w->kind = kind;
  w->s = s;
  w->acc = INVALID_SOCKET;
  return true;
}

/*
 * The op's packet is counted before its call, and the port looked at
 * after: cport_close sets `closed` before it cancels its handles' I/O and
 * drains, so a start either sees the close here (and fails) or is seen by
 * the drain, which waits for its packet; cp_win_started cancels a call
 * made after the close's cancel pass. (Counted after the call, a close
 * could miss an op started as it ran: the op stayed busy for good, and
 * the system wrote into it after the close returned.)
 */
int cp_wop_start(const struct cp_whandle *e, cport_op_t *op, uint8_t kind) {
  if (!cp_wop_begin(op, kind, (SOCKET)e->h))
    return CPORT_EBUSY;
  InterlockedIncrement(&e->port->ops);
  if (e->port->closed) {
    cp_wop_abandon(e, op);
    return CPORT_ECLOSED;
  }
  return 0;
}

void cp_wop_abandon(const struct cp_whandle *e, cport_op_t *op) {
  InterlockedDecrement(&e->port->ops);
  cp_op_set_idle(op);
}

/* The end of an accept: the new socket becomes a full socket (or goes). */
static int accept_done(cport_op_t *op, int status, uint32_t *bytes) {
  struct cp_wop *w = cp_wop(op);
  if (status == 0 && setsockopt(w->acc, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT,
                                (const char *)&w->s, sizeof(w->s)) != 0)
    status = cp_win_error((DWORD)WSAGetLastError());
  if (w->tmp != NULL) {
    if (status == 0) {
      memcpy(w->user_buf, w->tmp, *bytes);
      memcpy(w->addrs, w->tmp + w->len, sizeof(w->addrs));
    }
    free(w->tmp);
    w->tmp = NULL;
  }
  w->has_addrs = status == 0;
  if (status == 0)
    cp_win_set_flag(w->acc, CP_WH_CONNECTED);
  if (status != 0) {
    cp_wh_remove((uintptr_t)w->acc);
    closesocket(w->acc);
    w->acc = INVALID_SOCKET;
  }
  return status;
}

int cp_wop_done(cport_op_t *op, uint32_t *bytes) {
  struct cp_wop *w = cp_wop(op);
  int status = cp_nt_error(op->internal);
  switch (w->kind) {
  case CP_W_ACCEPT:
    status = accept_done(op, status, bytes);
    break;
  case CP_W_CONNECT:
    if (status == 0) {
      setsockopt(w->s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0);
      cp_win_set_flag(w->s, CP_WH_CONNECTED);
    }
    break;
  case CP_W_DISCONNECT:
    if (status == 0)
      cp_win_set_flag(w->s, CP_WH_SHUT);
    break;
  case CP_W_TRANSMIT:
    if (status == 0 && (w->pad & CPORT_TF_DISCONNECT)) {
      /* TF_DISCONNECT has started the disconnect on Windows; Wine does
       * not, so the send side is shut here too (harmless on Windows). */
      shutdown(w->s, SD_SEND);
      cp_win_set_flag(w->s, CP_WH_SHUT);
    }
    break;
  default:
    break;
  }
  if (w->done != NULL)
    w->done(op);
  cp_op_set_idle(op);
  return status;
}

/*
 * What an overlapped call returned. ok: it returned success (finished
 * inside the call). Pending and finished-without-skip: the completion comes
 * through the port. Finished with skip: CPORT_COMPLETED, the op is free
 * and holds the result. Failed at once: its error, the op is free, nothing
 * is posted.
 */
int cp_win_started(const struct cp_whandle *e, cport_op_t *op, bool ok,
                   int err) {
  /* A truncated datagram (or pipe message) is reported by the call as an
   * error, but the status underneath (STATUS_BUFFER_OVERFLOW) is a
   * warning: the receive finished. Its one completion is the system's
   * packet where the system queues one (Wine, but not on a skip-on-success
   * socket), else cport posts it (as the documentation has it: none). A
   * send's WSAEMSGSIZE is a refusal like any other. */
  uint8_t kind = cp_wop(op)->kind;
  bool receive =
      kind == CP_W_RECV || kind == CP_W_RECVFROM || kind == CP_W_READ;
  bool truncated =
      receive && !ok && (err == WSAEMSGSIZE || err == ERROR_MORE_DATA);
  if (truncated && e->type == SOCK_DGRAM &&
      !cp_win_truncation_queues((e->flags & CP_WH_SKIP) != 0))
    return cp_win_post_started(e, (uint32_t)op->internal_high, op);
  bool pending = !ok && (err == WSA_IO_PENDING || err == ERROR_IO_PENDING);
  if (truncated || pending || (ok && !(e->flags & CP_WH_SKIP))) {
    /* Its packet comes to the port (counted for cport_close's drain). A
     * close that cancelled its handles' I/O before this call was made
     * has this op's packet to wait for: the op is cancelled here. */
    if (e->port->closed) /* (Wine may miss it: the drain asks again) */
      CancelIoEx((HANDLE)e->h, (LPOVERLAPPED)op);
    return 0;
  }
  InterlockedDecrement(&e->port->ops); /* no packet */
  if (ok) {
    uint32_t bytes = (uint32_t)op->internal_high;
    int status = cp_wop_done(op, &bytes);
    return status == 0 ? CPORT_COMPLETED : status;
  }
  struct cp_wop *w = cp_wop(op);
  if (w->tmp) {
    free(w->tmp);
    w->tmp = NULL;
  }
  cp_op_set_idle(op);
  return cp_win_error((DWORD)err);
}

/* ------------------------------------------------------------------------ */
/* Results                                                                   */
/* ------------------------------------------------------------------------ */

CPORT_API int cport_op_status(const cport_op_t *op) {
  if (op == NULL)
    return CPORT_EINVAL;
  return cp_nt_error(*(const volatile uintptr_t *)&op->internal);
}

CPORT_API uint32_t cport_op_bytes(const cport_op_t *op) {
  if (op == NULL ||
      *(const volatile uintptr_t *)&op->internal == STATUS_PENDING)
    return 0;
  return (uint32_t)op->internal_high;
}

/* The kernel writes Internal when the op finishes, whether or not any
 * thread waits on the port, but wakes nobody for it: poll, yielding
 * first, then sleeping a millisecond at a time. */
CPORT_API int cport_op_wait(const cport_op_t *op, int timeout_ms) {
  if (op == NULL || timeout_ms < -1)
    return CPORT_EINVAL;
  ULONGLONG start = GetTickCount64();
  for (unsigned i = 0;; i++) {
    if (*(const volatile uintptr_t *)&op->internal != STATUS_PENDING)
      return 0;
    if (timeout_ms >= 0 && GetTickCount64() - start >= (ULONGLONG)timeout_ms)
      return CPORT_ETIMEDOUT;
    if (i < 64)
      SwitchToThread();
    else
      Sleep(1);
  }
}

/* Windows sees blocking by itself: a thread that blocks gives its slot
 * back to its port. Only the pairing is checked. */
#if defined(_MSC_VER)
static __declspec(thread) unsigned blocking_depth;
#else
static __thread unsigned blocking_depth;
#endif

CPORT_API int cport_blocking_begin(void) {
  blocking_depth++;
  return 0;
}

CPORT_API int cport_blocking_end(void) {
  if (blocking_depth == 0)
    return CPORT_EINVAL;
  blocking_depth--;
  return 0;
}

CPORT_API cport_handle_t cport_op_socket(const cport_op_t *op) {
  if (op == NULL || cp_op_busy(op))
    return CPORT_INVALID_HANDLE;
  const struct cp_wop *w = (const struct cp_wop *)(const void *)op->priv;
  if (w->kind != CP_W_ACCEPT || w->acc == INVALID_SOCKET)
    return CPORT_INVALID_HANDLE;
  return (cport_handle_t)w->acc;
}

CPORT_API int cport_op_addresses(const cport_op_t *op, struct sockaddr *local,
                                 int *local_len, struct sockaddr *peer,
                                 int *peer_len) {
  if (cport_op_socket(op) == CPORT_INVALID_HANDLE)
    return CPORT_EINVAL;
  if ((local && (!local_len || *local_len <= 0)) ||
      (peer && (!peer_len || *peer_len <= 0)))
    return CPORT_EINVAL;
  const struct cp_wop *w = (const struct cp_wop *)(const void *)op->priv;
  int err;
  const struct cp_winsock *ws = cp_winsock(&err);
  struct sockaddr *l = NULL, *r = NULL;
  INT ll = 0, rl = 0;
  /* The addresses AcceptEx wrote, parsed the documented way. */
  ws->GetAcceptExSockaddrs((PVOID)w->addrs, 0, CP_ACCEPT_ADDRLEN,
                           CP_ACCEPT_ADDRLEN, &l, &ll, &r, &rl);
  if (local) {
    if (*local_len < ll)
      return CPORT_ENOBUFS;
    memcpy(local, l, (size_t)ll);
    *local_len = ll;
  }
  if (peer) {
    if (*peer_len < rl)
      return CPORT_ENOBUFS;
    memcpy(peer, r, (size_t)rl);
    *peer_len = rl;
  }
  return 0;
}
