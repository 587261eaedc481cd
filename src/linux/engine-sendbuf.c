/*
 * engine-sendbuf.c - cport's send buffer for the Win32 layer's stream
 * sockets (docs/design.md §3, "Win32 sends through the ring").
 *
 * Windows finishes a WSASend in the call when the socket's send buffer
 * takes the bytes, and real servers treat WSA_IO_PENDING from a send as
 * fatal, so the layer's handles (CP_HF_AT_CALL) try every send in the
 * call. On io_uring that made every message a send(2) on the worker, where
 * the cport API's sends leave in batches with the ring's next
 * io_uring_enter: Win32 programs spent about 1.5x epoll's CPU per message.
 *
 * So, while the ring's owner is awake (the backend says so), such a send
 * copies its bytes into a block of cport's own, queues cport's send of
 * that block (an op flagged CP_OPF_BUFFERED on the handle's send queue,
 * which keeps the order of everything sent after it) and finishes in the
 * call with all its bytes, as on Windows. What the caller sees:
 *
 * - the send completes at once, its buffers are free again at once;
 * - later sends queue behind the buffered ones, and are buffered too while
 *   only buffered sends are queued and the handle's buffered bytes stay
 *   within CP_SEND_BUFFER (the size of a socket's send buffer): beyond
 *   that a send waits for room, pending, as on Windows;
 * - a failure of a buffered send (the peer reset) is not reported by the
 *   send that was told it finished (as on Windows, where the bytes were in
 *   the socket's buffer); the connection's state fails later calls;
 * - cancelling (CancelIo and kin) never stops a buffered send: its bytes
 *   were accepted;
 * - closing the socket lets the buffered sends finish (a graceful close,
 *   Windows' default): the handle lingers, closed to every call, and its
 *   fd closes when the last one ends; closing the port ends them;
 * - the process's exit makes the kernel take them (settle, below).
 *
 * No memory a completion needs is taken here: the caller's op holds its
 * slot as any op does; a buffered send holds none and posts nothing. A
 * block that cannot be allocated sends the op the usual way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "engine.h"
#include "handles.h"

/* Bytes of buffered sends a handle may hold: a socket send buffer's worth
 * (Linux's default SO_SNDBUF on loopback is 16 KiB to 4 MiB; Windows'
 * ideal send backlog starts at 64 KiB). */
#define CP_SEND_BUFFER (64u * 1024u)

/* The largest send buffered with nothing queued before it. The ring saves
 * a system call's entry and exit per send, but its owner then makes every
 * send's kernel work alone: for larger sends the workers' own send(2)
 * calls, side by side on every CPU, cost less (measured in
 * docs/benchmarks.md, "Win32 sends through cport's send buffer"). */
#define CP_SEND_BUFFER_SMALL 2048u

/* $CPORT_SENDBUF: "off" never buffers; "always" buffers whenever the
 * backend can, even where it would rather send in the call (for tests);
 * anything else, or nothing, lets the backend choose. Read once. */
enum { SB_UNKNOWN = 0, SB_AUTO, SB_OFF, SB_ALWAYS };
static int sb_mode;

static int mode(void) {
  int m = __atomic_load_n(&sb_mode, __ATOMIC_RELAXED);
  if (CP_LIKELY(m != SB_UNKNOWN))
    return m;
  const char *e = getenv("CPORT_SENDBUF");
  m = e == NULL                  ? SB_AUTO
      : strcmp(e, "off") == 0    ? SB_OFF
      : strcmp(e, "always") == 0 ? SB_ALWAYS
                                 : SB_AUTO;
  if (e != NULL && e[0] != '\0' && m == SB_AUTO && strcmp(e, "auto") != 0) {
    static int said;
    cp_env_complain(&said, "CPORT_SENDBUF", e, "takes auto, off or always",
                    "ignored");
  }
  __atomic_store_n(&sb_mode, m, __ATOMIC_RELAXED);
  return m;
}

/* Buffered sends a handle may have queued: each send looks at them all
 * under the handle's lock, so many tiny ones must not pile up. */
#define CP_SEND_BUFFER_OPS 64

/* Whether q holds buffered sends only (or nothing), and room for one
 * more. */
static bool only_buffered(const struct cp_opq *q) {
  unsigned n = 0;
  for (cport_op_t *op = q->head; op != NULL; op = cp_lop(op)->next)
    if (!(cp_lop(op)->flags & CP_OPF_BUFFERED) || ++n >= CP_SEND_BUFFER_OPS)
      return false;
  return true;
}

static size_t bufs_bytes(const struct cp_lop *l) {
  size_t n = 0;
  for (unsigned i = 0; i < l->nbufs; i++)
    n += l->bufs[i].len;
  return n;
}

CP_TLS bool cp_sendbuf_pay;

/* The exit's hook (settle), set with the first buffered send, by the
 * process it belongs to: a child forked since has none of its threads
 * (the ring's owner among them) and leaves the sockets it shares alone. */
static pthread_once_t sb_exit_once = PTHREAD_ONCE_INIT;
static pid_t sb_pid;

static void settle(int timeout_ms);

static void settle_at_exit(void) {
  if (getpid() == sb_pid)
    settle(1000);
}

static void exit_hook(void) {
  sb_pid = getpid();
  (void)atexit(settle_at_exit);
}

int cp_engine_buffer_send(struct cp_handle *h, cport_op_t *op) {
  struct cport *p = h->port;
  struct cp_lop *l = cp_lop(op);
  /* (The fault mode and the trace see every send as an op of its own.) */
  if (h->type != CP_H_STREAM || p == NULL || p->be->buffer_sends == NULL ||
      op->event != NULL || cp_diag_active() || mode() == SB_OFF)
    return CP_SEND_NOT_BUFFERED;
  size_t total = bufs_bytes(l);
  if (total == 0 || total > CP_SEND_BUFFER - h->buffered ||
      !only_buffered(&h->wq))
    return CP_SEND_NOT_BUFFERED;
  /* Nothing queued: a send(2) now may cost less than the ring (its owner
   * asleep, this thread about to wait). Behind buffered sends it must
   * queue in any case, and is buffered to finish in the call. */
  if (cp_opq_empty(&h->wq) && mode() != SB_ALWAYS &&
      (total > CP_SEND_BUFFER_SMALL || !p->be->buffer_sends(p, h)))
    return CP_SEND_NOT_BUFFERED;
  struct cp_buffered *b = malloc(sizeof(*b) + total);
  if (b == NULL)
    return CP_SEND_NOT_BUFFERED;
  pthread_once(&sb_exit_once, exit_hook);
  int rc = cp_port_hold(p); /* the caller's op: its completion's slot */
  if (rc != 0) {
    free(b);
    return cp_engine_refuse(op, rc);
  }
  size_t at = 0;
  for (unsigned i = 0; i < l->nbufs; i++) {
    if (l->bufs[i].len > 0)
      memcpy(b->data + at, l->bufs[i].base, l->bufs[i].len);
    at += l->bufs[i].len;
  }
  b->bytes = (uint32_t)total;
  memset(&b->op, 0, sizeof(b->op));
  (void)cp_engine_op_init(&b->op, h, CP_OP_SEND); /* (its own op) */
  struct cp_lop *bl = cp_lop(&b->op);
  cport_buf_t whole = {b->data, total};
  (void)cp_op_bufs(&b->op, &whole, 1); /* one buffer: inline, no failure */
  bl->flags |= CP_OPF_BUFFERED;
  cp_op_set_busy(&b->op);
  __atomic_store_n(&h->buffered, h->buffered + (uint32_t)total,
                   __ATOMIC_RELAXED);
  bool head = cp_opq_empty(&h->wq);
  cp_opq_push(&h->wq, &b->op);
  if (head) {
    cp_engine_kick(h, &h->wq, NULL);
    /* Its SQE must not wait for this thread's next wait (the wake-up a
     * worker owes the ring's owner is paid then): the caller was told
     * the send is done, and will likely take its completion and go on
     * without waiting. The caller pays once the handle's lock is
     * dropped. */
    cp_sendbuf_pay = true;
  }

  /* The caller's op finished in the call with every byte. */
  l->flags |= CP_OPF_SLOT;
  cp_op_set_busy(op);
  l->done = (uint32_t)total;
  cp_op_result(op, 0);
  return cp_engine_finish_at_call(h, op);
}

int cp_engine_shutdown_after_sends(struct cp_handle *h) {
  struct cport *p = h->port;
  if (cp_opq_empty(&h->wq) || p == NULL || (h->flags & CP_HF_CONNECTING))
    return 0; /* (not connected yet: the shutdown fails now) */
  /* A shutdown(SHUT_WR) of cport's own at the tail of the send queue: it
   * runs when the sends before it have ended, buffered or the program's
   * pending ones (as a Windows socket sends its FIN after the data of
   * the sends it took), and posts nothing. */
  struct cp_buffered *b = malloc(sizeof(*b));
  if (b == NULL)
    return CPORT_ENOMEM;
  b->bytes = 0;
  memset(&b->op, 0, sizeof(b->op));
  (void)cp_engine_op_init(&b->op, h, CP_OP_DISCONNECT); /* (its own op) */
  cp_lop(&b->op)->flags |= CP_OPF_BUFFERED | CP_OPF_STAGE2;
  cp_op_set_busy(&b->op);
  cp_opq_push(&h->wq, &b->op);
  h->flags |= CP_HF_SHUT_WR; /* no send may queue behind it */
  return 1;
}

/* ------------------------------------------------------------------------ */
/* Settling: the bytes go to the kernel before they could be lost            */
/* ------------------------------------------------------------------------ */

/* The system's cap on SO_SNDBUF (net.core.wmem_max), read once; 0 if
 * unknown. */
static int wmem_max(void) {
  static int cap = -1;
  int c = __atomic_load_n(&cap, __ATOMIC_RELAXED);
  if (c >= 0)
    return c;
  c = 0;
  FILE *f = fopen("/proc/sys/net/core/wmem_max", "re");
  if (f != NULL) {
    if (fscanf(f, "%d", &c) != 1)
      c = 0;
    fclose(f);
  }
  __atomic_store_n(&cap, c, __ATOMIC_RELAXED);
  return c;
}

/* Grows h's kernel send buffer so that what its buffered sends hold fits
 * beside what the kernel already queues, and the ring's sends of them
 * finish whether or not the peer reads (as the bytes of a finished send
 * are the transport's on Windows, which delivers them after the
 * program). Never shrinks it. h->lock held. */
static void make_room(struct cp_handle *h) {
  int cur = 0;
  socklen_t len = sizeof(cur);
  if (getsockopt(h->fd, SOL_SOCKET, SO_SNDBUF, &cur, &len) != 0 || cur < 0)
    return;
  /* The kernel keeps twice what it is given, and lets a writer in once
   * the free room is half of what it queues (at most cur): given cur and
   * the bytes twice over (each segment's bookkeeping), the room is cur
   * plus four times the bytes. */
  int64_t want = (int64_t)cur + 2 * (int64_t)h->buffered + 65536;
  if (want > INT32_MAX / 2)
    want = INT32_MAX / 2;
  int v = (int)want;
  if (setsockopt(h->fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) == 0)
    return; /* (a privileged process: no cap) */
  int cap = wmem_max();
  if (cap > 0 && v > cap)
    v = cap;
  if ((int64_t)v * 2 > cur)
    (void)setsockopt(h->fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}

/* Bytes that handles still hold in buffered sends; with grow, each such
 * handle's kernel buffer is grown first. */
static uint64_t held_bytes(bool grow) {
  uint64_t total = 0;
  for (unsigned c = 0; c < CP_CHUNKS; c++) {
    struct cp_handle *chunk =
        __atomic_load_n(&cp_handle_chunks[c], __ATOMIC_ACQUIRE);
    for (unsigned i = 0; chunk != NULL && i < CP_CHUNK_SIZE; i++) {
      struct cp_handle *h = &chunk[i];
      if (__atomic_load_n(&h->buffered, __ATOMIC_RELAXED) == 0)
        continue;
      cp_lock(&h->lock);
      if (h->buffered > 0 && h->port != NULL) {
        if (grow)
          make_room(h);
        total += h->buffered;
      }
      cp_unlock(&h->lock);
    }
  }
  return total;
}

/* The process exits: the bytes of buffered sends, which finished, would
 * be lost with cport's memory, where on Windows they are the transport's
 * and reach the peer after the program. So every such socket's kernel
 * send buffer grows to hold them, and the exit waits, up to timeout_ms,
 * until the ring has sent them (giving up once 50 ms pass with no
 * progress: then the kernel takes no more). */
static void settle(int timeout_ms) {
  uint64_t left = held_bytes(true);
  uint64_t until = cp_now_ns() + (uint64_t)timeout_ms * 1000000u;
  uint64_t stalled_since = cp_now_ns();
  while (left > 0 && cp_now_ns() < until) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
    uint64_t now_left = held_bytes(false);
    if (now_left < left)
      stalled_since = cp_now_ns();
    else if (cp_now_ns() - stalled_since > 50000000u)
      return; /* the kernel takes no more: what is left stays cport's */
    left = now_left;
  }
}
