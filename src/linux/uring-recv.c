/*
 * uring-recv.c - the multishot receive that feeds posted receives (see
 * uring.h), as the best io_uring servers are built.
 *
 * A stream socket's data arrives through one multishot receive into
 * buffers provided to the kernel (a buffer group per io_uring); cport
 * copies it into the posted receives in posting order. Data that arrives
 * with no receive posted waits in those buffers; a socket holding more
 * than CP_UH_RX_CAP bytes stops reading (its multishot is cancelled) and
 * starts again once a receive takes the data, so the memory stays
 * bounded and the kernel's window pushes back on the peer. A socket that
 * finds no free buffer waits on its ring's starved list until buffers
 * come back, in arrival order.
 *
 * Here too: the CQEs of a handle's multishot requests reach their handle
 * (cp_uring_htag_done), and a handle that leaves stops them. The
 * listener's multishot accept is uring-accept.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockio.h"
#include "uring.h"

#define CP_UBUF_COUNT 256  /* buffers per ring (a power of two) */
#define CP_UBUF_SIZE 16384 /* bytes each */
#define CP_UBUF_GROUP 0
#define CP_UH_RX_CAP 65536 /* bytes a socket may hold unclaimed */

/* ------------------------------------------------------------------------ */
/* The buffer ring                                                           */
/* ------------------------------------------------------------------------ */

int cp_uring_bufs_init(struct cp_uring *u) {
  struct cp_ubufs *bf = &u->bufs;
  size_t ring_bytes = CP_UBUF_COUNT * sizeof(struct io_uring_buf);
  void *mem = NULL;
  if (posix_memalign(&mem, 4096, ring_bytes) != 0)
    return CPORT_ENOMEM;
  memset(mem, 0, ring_bytes);
  bf->br = mem;
  io_uring_buf_ring_init(bf->br);
  struct io_uring_buf_reg reg;
  memset(&reg, 0, sizeof(reg));
  reg.ring_addr = (uint64_t)(uintptr_t)bf->br;
  reg.ring_entries = CP_UBUF_COUNT;
  reg.bgid = CP_UBUF_GROUP;
  if (io_uring_register_buf_ring(&u->ring, &reg, 0) != 0) {
    free(bf->br);
    bf->br = NULL;
    return CPORT_ENOSYS; /* before 5.19: plain receives */
  }
  bf->count = CP_UBUF_COUNT;
  bf->size = CP_UBUF_SIZE;
  bf->mem = NULL;
  bf->desc = NULL;
  bf->ready = false;
  bf->free = 0;
  bf->starved = NULL;
  return 0;
}

void cp_uring_bufs_free(struct cp_uring *u) {
  struct cp_ubufs *bf = &u->bufs;
  free(bf->br); /* the ring is gone: nothing refers to it */
  free(bf->mem);
  free(bf->desc);
  bf->br = NULL;
  bf->mem = NULL;
  bf->desc = NULL;
  bf->ready = false;
  bf->starved = NULL;
}

/* The buffers' memory, allocated with the first multishot receive.
 * bufs.lock held. */
static int bufs_ready_locked(struct cp_ubufs *bf) {
  if (bf->ready)
    return 0;
  bf->mem = malloc((size_t)bf->count * bf->size);
  bf->desc = calloc(bf->count, sizeof(*bf->desc));
  if (bf->mem == NULL || bf->desc == NULL) {
    free(bf->mem);
    free(bf->desc);
    bf->mem = NULL;
    bf->desc = NULL;
    return CPORT_ENOMEM;
  }
  int mask = io_uring_buf_ring_mask(bf->count);
  for (unsigned i = 0; i < bf->count; i++)
    io_uring_buf_ring_add(bf->br, bf->mem + (size_t)i * bf->size, bf->size,
                          (unsigned short)i, mask, (int)i);
  io_uring_buf_ring_advance(bf->br, (int)bf->count);
  __atomic_store_n(&bf->free, bf->count, __ATOMIC_RELAXED);
  bf->ready = true;
  return 0;
}

/* Gives buffer bid back to the kernel. Returns true if a starved socket
 * waits for it (the progress thread should run). */
static bool buf_return(struct cp_ubufs *bf, uint16_t bid) {
  pthread_mutex_lock(&bf->lock);
  /* Counted before the kernel can hand bid out again, with release: the
   * progress thread's acquire of the same count when bid comes back in a
   * CQE (cp_uring_htag_done) then orders our last read of desc[bid]
   * before its next write. The kernel orders the two anyway, but
   * ThreadSanitizer cannot see that; it sees this. (The count is also
   * read unlocked.) */
  __atomic_add_fetch(&bf->free, 1, __ATOMIC_RELEASE);
  io_uring_buf_ring_add(bf->br, bf->mem + (size_t)bid * bf->size, bf->size, bid,
                        io_uring_buf_ring_mask(bf->count), 0);
  io_uring_buf_ring_advance(bf->br, 1);
  bool starved = bf->starved != NULL;
  pthread_mutex_unlock(&bf->lock);
  return starved;
}

/* ------------------------------------------------------------------------ */
/* A socket's buffered data                                                  */
/* ------------------------------------------------------------------------ */

static void chunk_append(struct cp_ubufs *bf, struct cp_uh *uh, uint16_t bid,
                         uint32_t len) {
  bf->desc[bid].next = CP_UBUF_NONE;
  bf->desc[bid].len = len;
  if (uh->buffered == 0) {
    uh->head = uh->tail = bid;
    uh->head_off = 0;
  } else {
    bf->desc[uh->tail].next = bid;
    uh->tail = bid;
  }
  uh->buffered += len;
}

/* Copies buffered data into iov, oldest first; consumes it unless peek.
 * Returns the bytes copied; *wake is set if an emptied buffer went back
 * while a socket starves. */
static size_t chunks_copy(struct cp_ubufs *bf, struct cp_uh *uh,
                          const struct iovec *iov, unsigned n, bool peek,
                          bool *wake) {
  uint16_t bid = uh->head;
  uint32_t off = uh->head_off, left = uh->buffered;
  size_t done = 0, at = 0;
  for (unsigned i = 0; left > 0 && i < n;) {
    if (at == iov[i].iov_len) {
      i++;
      at = 0;
      continue;
    }
    size_t k = bf->desc[bid].len - off;
    if (k > iov[i].iov_len - at)
      k = iov[i].iov_len - at;
    memcpy((char *)iov[i].iov_base + at, bf->mem + (size_t)bid * bf->size + off,
           k);
    at += k;
    off += (uint32_t)k;
    left -= (uint32_t)k;
    done += k;
    if (off == bf->desc[bid].len) {
      uint16_t next = bf->desc[bid].next;
      if (!peek)
        *wake |= buf_return(bf, bid);
      bid = next;
      off = 0;
    }
  }
  if (!peek) {
    uh->buffered = left;
    uh->head = left > 0 ? bid : CP_UBUF_NONE;
    uh->head_off = left > 0 ? off : 0;
    if (left == 0)
      uh->tail = CP_UBUF_NONE;
  }
  return done;
}

/* Copies buffered data into op's buffers (as much as both allow). Returns
 * true if an emptied buffer went back while a socket starves. */
static bool chunks_take(struct cp_ubufs *bf, struct cp_uh *uh, cport_op_t *op) {
  struct cp_lop *l = cp_lop(op);
  bool wake = false;
  /* (An op's buffers are iovecs: op.c asserts the layout.) */
  size_t n = chunks_copy(bf, uh, (const struct iovec *)(const void *)l->bufs,
                         l->nbufs, false, &wake);
  cp_bufs_consume(l, n);
  l->done += (uint32_t)n;
  return wake;
}

/* Gives all of uh's buffers back. Returns true if a socket starves (the
 * ring's owner should run and re-arm it). */
static bool chunks_drop(struct cp_ubufs *bf, struct cp_uh *uh) {
  bool wake = false;
  uint16_t bid = uh->buffered > 0 ? uh->head : CP_UBUF_NONE;
  while (bid != CP_UBUF_NONE) {
    uint16_t next = bf->desc[bid].next;
    wake |= buf_return(bf, bid);
    bid = next;
  }
  uh->head = uh->tail = CP_UBUF_NONE;
  uh->head_off = 0;
  uh->buffered = 0;
  return wake;
}

/* ------------------------------------------------------------------------ */
/* Multishot receive                                                         */
/* ------------------------------------------------------------------------ */

/* Whether h waits on the starved list. The mark changes under the buffer
 * lock while h->lock guards the flags word, so it has its own byte. */
static bool is_starved(const struct cp_uh *uh) {
  return __atomic_load_n(&uh->starved, __ATOMIC_RELAXED) != 0;
}

static void starve_locked(struct cp_ubufs *bf, struct cp_handle *h) {
  struct cp_uh *uh = cp_uh(h);
  if (is_starved(uh))
    return;
  __atomic_store_n(&uh->starved, 1, __ATOMIC_RELAXED);
  uh->link = NULL;
  struct cp_handle **pp = &bf->starved;
  while (*pp != NULL)
    pp = &cp_uh(*pp)->link;
  /* FIFO: the first to starve is the first served. (The list head is
   * also read unlocked: atomic stores.) */
  __atomic_store_n(pp, h, __ATOMIC_RELAXED);
}

static void starve(struct cp_ubufs *bf, struct cp_handle *h) {
  pthread_mutex_lock(&bf->lock);
  starve_locked(bf, h);
  pthread_mutex_unlock(&bf->lock);
}

/* Always under the buffer lock, even when h looks off the list: the
 * harvester may be taking it off right now (cp_uring_rearm_starved), and
 * its writes to uh->link must come before the closing list reuses it. */
static void unstarve(struct cp_ubufs *bf, struct cp_handle *h) {
  struct cp_uh *uh = cp_uh(h);
  pthread_mutex_lock(&bf->lock);
  struct cp_handle **pp = &bf->starved;
  while (*pp != NULL && *pp != h)
    pp = &cp_uh(*pp)->link;
  if (*pp == h) {
    __atomic_store_n(pp, uh->link, __ATOMIC_RELAXED);
    uh->link = NULL;
  }
  __atomic_store_n(&uh->starved, 0, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&bf->lock);
}

/* What recv_arm did. */
enum { ARM_OK, ARM_WAITS, ARM_NO_MEMORY };

/* Starts h's multishot receive. h->lock held. ARM_WAITS: no free buffer
 * or no free SQE now; h waits on the starved list, armed later by the
 * harvester. */
static int recv_arm(struct cport *p, struct cp_handle *h) {
  struct cp_uring *u = cp_ur_of(p, h);
  struct cp_uh *uh = cp_uh(h);
  pthread_mutex_lock(&u->bufs.lock);
  int rc = bufs_ready_locked(&u->bufs);
  bool room = rc == 0 && __atomic_load_n(&u->bufs.free, __ATOMIC_RELAXED) > 0;
  if (rc == 0 && !room)
    starve_locked(&u->bufs, h);
  pthread_mutex_unlock(&u->bufs.lock);
  if (rc != 0)
    return ARM_NO_MEMORY;
  if (!room)
    return ARM_WAITS; /* it starts when buffers come back */
  pthread_mutex_lock(&u->sq_lock);
  if (cp_uring_reserve_cancel_locked(u) != 0) {
    pthread_mutex_unlock(&u->sq_lock);
    return ARM_NO_MEMORY;
  }
  struct io_uring_sqe *sqe = cp_uring_sqe_locked(u, h);
  if (sqe != NULL) {
    u->armed++;
    io_uring_prep_recv_multishot(sqe, h->fd, NULL, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = CP_UBUF_GROUP;
    io_uring_sqe_set_data64(sqe, cp_uring_htag(h->fd, h->gen, CP_HTAG_RECV));
    __atomic_add_fetch(&u->inflight, 1, __ATOMIC_RELAXED);
    uh->flags |= CP_UH_RECV_ARMED;
  }
  pthread_mutex_unlock(&u->sq_lock);
  if (sqe == NULL)
    starve(&u->bufs, h); /* SQ full: the harvester arms it */
  cp_uring_submitted(p, u);
  return sqe != NULL ? ARM_OK : ARM_WAITS;
}

void cp_uring_htag_cancel(struct cport *p, struct cp_handle *h, unsigned what) {
  struct cp_uring *u = cp_ur_of(p, h);
  pthread_mutex_lock(&u->sq_lock);
  cp_uring_cancel_tag_locked(u, cp_uring_htag(h->fd, h->gen, what),
                             IORING_ASYNC_CANCEL_ALL);
  pthread_mutex_unlock(&u->sq_lock);
  cp_uring_submitted(p, u);
}

/* ------------------------------------------------------------------------ */
/* Direct receives                                                           */
/* ------------------------------------------------------------------------ */

/*
 * A stream receive goes straight into the posted buffer while data is
 * found waiting when receives are posted (a bulk or pipelined peer): the
 * calling worker makes the recv(2) at the call, so the kernel's copy runs
 * on the worker's CPU, not the ring owner's, and nothing is copied twice.
 * A receive that finds the socket empty becomes a one-shot SQE that waits
 * for data first (IORING_RECVSEND_POLL_FIRST). After CP_UH_DIRECT_MISSES
 * empty sockets in a row (a request/response peer, one message in
 * flight) the socket moves to the multishot receive for good: no SQE and
 * no wake-up of the ring's owner per message. Receives run one at a time
 * per socket (engine.c), so the move, made as a receive starts, never
 * lets two requests race for the same bytes. This per-socket choice runs
 * under $CPORT_RECV=adaptive; the default is the multishot receive for
 * every socket, and $CPORT_RECV=direct keeps every socket direct. Without
 * provided buffers (old kernels) every receive is a one-shot, tried at
 * the call.
 * Measured in docs/design.md §5.
 */
/* Counted with 4: at 64 x 4 KiB, depth 4, 11% of the attempts found no
 * data and 8 of 64 bulk sockets had moved within 3 s; with 8, none in 5 s,
 * while every 64 B request/response socket moved within its first 20. */
#define CP_UH_DIRECT_MISSES 8

/* The default is the multishot receive for every stream socket: where a
 * system call is dear, a direct receive's recv(2) costs more than the
 * copy out of a provided buffer (the figures are in design.md §5). */
uint8_t cp_uring_recv_mode_wanted(void) {
  const char *e = getenv("CPORT_RECV"); /* for measuring */
  if (e != NULL && strcmp(e, "adaptive") == 0)
    return CP_RECV_ADAPTIVE;
  if (e != NULL && strcmp(e, "direct") == 0)
    return CP_RECV_DIRECT;
  if (e != NULL && e[0] != '\0' && strcmp(e, "multishot") != 0) {
    static int said;
    cp_env_complain(&said, "CPORT_RECV", e,
                    "takes multishot, adaptive or direct", "ignored");
  }
  return CP_RECV_MULTISHOT;
}

void cp_uring_recv_attach(struct cp_uring *u, struct cp_handle *h) {
  struct cp_uh *uh = cp_uh(h);
  uh->rx_miss = 0;
  if (u->recv_mode == CP_RECV_ADAPTIVE && u->bufs.br != NULL &&
      h->type == CP_H_STREAM && !(uh->flags & CP_UH_RECV_ARMED))
    uh->flags |= CP_UH_DIRECT;
  else
    uh->flags &= (uint16_t)~CP_UH_DIRECT;
}

/* A plain receive: tried at the call, else an SQE. */
static int recv_plain(struct cp_uring *u, struct cp_handle *h, cport_op_t *op,
                      bool at_call) {
  struct cp_uh *uh = cp_uh(h);
  struct cp_lop *l = cp_lop(op);
  bool direct = u->recv_mode == CP_RECV_DIRECT || (uh->flags & CP_UH_DIRECT);
  l->flags &= (uint16_t)~CP_OPF_POLLFIRST;
  if (at_call) {
    int r = cp_try(h, op);
    if (r != CP_TRY_AGAIN) {
      uh->rx_miss = 0;
      return r;
    }
    if (direct) {
      l->flags |= CP_OPF_POLLFIRST; /* it was empty a moment ago */
      if ((uh->flags & CP_UH_DIRECT) && ++uh->rx_miss >= CP_UH_DIRECT_MISSES)
        uh->flags &= (uint16_t)~CP_UH_DIRECT; /* multishot from the next */
    }
  }
  return CP_URING_PLAIN;
}

/* A receive is posted on a socket that waits for the ring's buffers:
 * other sockets hold every one with bytes no receive claimed, and may
 * hold them for as long as their programs post none. The posted receive
 * does not wait for them: the socket leaves the starved list and reads
 * into the posted buffers, one-shot, as direct receives do, until they
 * miss often enough to try the multishot again (recv_plain). Nothing of
 * the multishot is in flight (a starved socket's last CQE came, or it
 * never armed) and nothing is held, so the order stays. */
static int recv_unstarved(struct cp_uring *u, struct cp_handle *h,
                          cport_op_t *op, bool at_call) {
  struct cp_uh *uh = cp_uh(h);
  unstarve(&u->bufs, h);
  uh->flags |= CP_UH_DIRECT;
  uh->rx_miss = 0;
  return recv_plain(u, h, op, at_call);
}

int cp_uring_recv_start(struct cport *p, struct cp_handle *h, cport_op_t *op,
                        bool at_call) {
  struct cp_uring *u = cp_ur_of(p, h);
  struct cp_uh *uh = cp_uh(h);
  struct cp_lop *l = cp_lop(op);
  /* What the multishot receive took comes first, even once the socket
   * has moved to one-shot receives (cp_uring_held_take): until its last
   * CQE it may still take bytes, so a one-shot waits for that CQE (whose
   * kick starts it) rather than read beside it. */
  bool nothing_kept =
      uh->buffered == 0 && uh->rx_err == 0 && !(uh->flags & CP_UH_EOF);
  if (nothing_kept && (uh->flags & CP_UH_NO_MULTI) &&
      (uh->flags & CP_UH_RECV_ARMED))
    return CP_TRY_AGAIN;
  if (nothing_kept &&
      (u->bufs.br == NULL || (uh->flags & (CP_UH_NO_MULTI | CP_UH_DIRECT))))
    return recv_plain(u, h, op, at_call); /* one-shot receives */
  if (uh->buffered > 0) {
    if (l->kind == CP_OP_RECV && chunks_take(&u->bufs, uh, op))
      cp_uring_submitted(p, u);
    if (!(l->flags & CP_OPF_FILL) || !cp_bufs_left(l)) {
      cp_op_result(op, 0);
      return CP_TRY_DONE;
    }
    /* A filling receive with room left took everything held: it ends
     * at the end or an error with what it has, or waits for more. */
  }
  if (CP_UNLIKELY(l->done > 0) &&
      (uh->rx_err != 0 || (uh->flags & CP_UH_EOF))) {
    cp_op_result(op, 0);
    return CP_TRY_DONE;
  }
  if (uh->rx_err != 0) {
    cp_op_result(op, uh->rx_err);
    return CP_TRY_REJECT; /* after the data: the call fails, or completes */
  }
  if (uh->flags & CP_UH_EOF) {
    /* A reset another op saw (a send's CQE took the socket's error):
     * Linux's end of stream after it is the reset, as on Windows. */
    if (h->flags & CP_HF_RESET) {
      cp_op_result(op, CPORT_ECONNRESET);
      return CP_TRY_REJECT;
    }
    cp_op_result(op, 0);
    return CP_TRY_DONE; /* the peer closed: 0 bytes, again and again */
  }
  if (uh->flags & CP_UH_NO_MULTI)
    return recv_plain(u, h, op, at_call);
  if (!(uh->flags & CP_UH_RECV_ARMED) && !is_starved(uh)) {
    if (at_call) {
      /* Data already waiting completes the call at once, as on Windows. */
      int r = cp_try(h, op);
      if (r != CP_TRY_AGAIN)
        return r;
      at_call = false; /* (tried: the fallback below need not again) */
    }
    if (recv_arm(p, h) == ARM_NO_MEMORY) {
      uh->flags |= CP_UH_NO_MULTI;
      return CP_URING_PLAIN;
    }
  }
  if (!(uh->flags & CP_UH_RECV_ARMED) && is_starved(uh))
    return recv_unstarved(u, h, op, at_call);
  return CP_TRY_AGAIN;
}

/* A CQE of h's multishot receive. h->lock held, h valid. */
static void recv_done(struct cport *p, struct cp_handle *h,
                      const struct io_uring_cqe *cqe, struct cp_batch *b) {
  struct cp_uring *u = cp_ur_of(p, h);
  struct cp_uh *uh = cp_uh(h);
  bool more = (cqe->flags & IORING_CQE_F_MORE) != 0;
  int res = cqe->res;
  if (!more)
    uh->flags &= (uint16_t) ~(CP_UH_RECV_ARMED | CP_UH_RECV_PAUSE);
  if (res > 0 && (cqe->flags & IORING_CQE_F_BUFFER)) {
    chunk_append(&u->bufs, uh,
                 (uint16_t)(cqe->flags >> IORING_CQE_BUFFER_SHIFT),
                 (uint32_t)res);
  } else if (res == 0 && (h->flags & CP_HF_RESET)) {
    uh->rx_err = CPORT_ECONNRESET; /* (Linux reports a reset once) */
  } else if (res == 0) {
    uh->flags |= CP_UH_EOF;
  } else if (res == -ENOBUFS) {
    starve(&u->bufs, h); /* it starts again when buffers come back */
  } else if (res < 0 && res != -ECANCELED) {
    uh->rx_err = res == -EPIPE ? CPORT_ECONNRESET : res;
  }
  /* Too much waits unclaimed: stop reading until receives take it. */
  if ((uh->flags & CP_UH_RECV_ARMED) && !(uh->flags & CP_UH_RECV_PAUSE) &&
      uh->buffered >= CP_UH_RX_CAP) {
    uh->flags |= CP_UH_RECV_PAUSE;
    cp_uring_htag_cancel(p, h, CP_HTAG_RECV);
  }
  cp_engine_kick(h, &h->rq, b);
  /* Receives still wait and nothing comes: start again (not on a socket
   * that moved to one-shot receives, whose one may be in flight). */
  if (!(uh->flags &
        (CP_UH_RECV_ARMED | CP_UH_EOF | CP_UH_NO_MULTI | CP_UH_DIRECT)) &&
      !is_starved(uh) && uh->rx_err == 0 && uh->buffered == 0 &&
      !cp_opq_empty(&h->rq))
    (void)recv_arm(p, h);
}

void cp_uring_rearm_starved(struct cport *p, struct cp_uring *u) {
  struct cp_ubufs *bf = &u->bufs;
  /* As many as there are buffers and SQEs for this round; the next round
   * (after a submit) goes on. */
  pthread_mutex_lock(&u->sq_lock);
  unsigned budget = io_uring_sq_space_left(&u->ring);
  pthread_mutex_unlock(&u->sq_lock);
  while (budget-- > 0) {
    pthread_mutex_lock(&bf->lock);
    struct cp_handle *h =
        __atomic_load_n(&bf->free, __ATOMIC_RELAXED) > 0 ? bf->starved : NULL;
    uint32_t gen = 0;
    if (h != NULL) {
      __atomic_store_n(&bf->starved, cp_uh(h)->link, __ATOMIC_RELAXED);
      cp_uh(h)->link = NULL;
      __atomic_store_n(&cp_uh(h)->starved, 0, __ATOMIC_RELAXED);
      gen = h->gen;
    }
    pthread_mutex_unlock(&bf->lock);
    if (h == NULL)
      return;
    cp_lock(&h->lock);
    struct cp_uh *uh = cp_uh(h);
    int r = ARM_OK;
    /* A receive posted meanwhile may have moved it to one-shot receives
     * (recv_unstarved, after this loop took it off the list): one of
     * them may be in flight, and a multishot beside it would read the
     * same stream out of order. */
    if ((h->flags & CP_HF_OPEN) && h->port == p && h->gen == gen &&
        !(uh->flags &
          (CP_UH_RECV_ARMED | CP_UH_EOF | CP_UH_NO_MULTI | CP_UH_DIRECT)) &&
        !is_starved(uh) && uh->rx_err == 0 && uh->buffered < CP_UH_RX_CAP)
      r = recv_arm(p, h);
    cp_unlock(&h->lock);
    if (r != ARM_OK)
      return; /* it waits again: no room this round */
  }
}

/* ------------------------------------------------------------------------ */
/* Reads that bypass cport                                                   */
/* ------------------------------------------------------------------------ */

/* The socket's next bytes are for a reader that bypasses cport: the
 * multishot receive must not take them from now on (later receives of
 * cport's are one-shots, into their own buffers). Returns true while it
 * may still take some (until its last CQE): the caller comes back.
 * h->lock held. */
static bool stop_reading_ahead(struct cport *p, struct cp_handle *h) {
  struct cp_uring *u = cp_ur_of(p, h);
  struct cp_uh *uh = cp_uh(h);
  bool armed = (uh->flags & CP_UH_RECV_ARMED) != 0;
  if (!(uh->flags & CP_UH_NO_MULTI)) {
    uh->flags |= CP_UH_NO_MULTI;
    if (is_starved(uh))
      unstarve(&u->bufs, h);
    if (armed && !(uh->flags & CP_UH_RECV_PAUSE)) {
      uh->flags |= CP_UH_RECV_PAUSE;
      cp_uring_htag_cancel(p, h, CP_HTAG_RECV);
    }
    /* Not armed (starved, or its last CQE came): no CQE will start a
     * receive that waits for the multishot's data, so it starts now, as
     * a one-shot. (A harvester that took it off the starved list sees
     * the mark and leaves it.) */
    if (!armed && !cp_opq_empty(&h->rq))
      cp_engine_kick(h, &h->rq, NULL);
  }
  return armed;
}

long cp_uring_held_take(struct cport *p, struct cp_handle *h,
                        const struct iovec *iov, unsigned n, bool peek,
                        size_t *held) {
  struct cp_uring *u = cp_ur_of(p, h);
  struct cp_uh *uh = cp_uh(h);
  bool stream = h->type == CP_H_STREAM;
  if (held != NULL)
    *held = stream ? uh->buffered : 0;
  if (!stream || n == 0)
    return 0;
  if (uh->buffered > 0) {
    bool wake = false;
    size_t got = chunks_copy(&u->bufs, uh, iov, n, peek, &wake);
    if (wake)
      cp_uring_submitted(p, u);
    return (long)got;
  }
  if (uh->rx_err != 0)
    return uh->rx_err; /* after the data, as a receive would */
  return stop_reading_ahead(p, h) ? CPORT_EAGAIN : 0;
}

unsigned cp_uring_held_look(struct cport *p, struct cp_handle *h, int *err) {
  struct cp_uh *uh = cp_uh(h);
  *err = 0;
  if (h->type != CP_H_STREAM)
    return 0;
  if (uh->backlog != NULL || (uh->flags & CP_UH_ACCEPT_ARMED)) {
    /* A listener: the connections its multishot accept took. */
    unsigned r = uh->backlog_n > 0 ? CP_HELD_DATA : 0;
    return cp_uring_accept_stop_ahead(p, h) ? r | CP_HELD_SOON : r;
  }
  unsigned r = uh->buffered > 0 ? CP_HELD_DATA : 0;
  if (uh->rx_err != 0) {
    *err = uh->rx_err;
    r |= CP_HELD_END;
  } else if (uh->flags & CP_UH_EOF) {
    r |= CP_HELD_END;
  }
  return stop_reading_ahead(p, h) ? r | CP_HELD_SOON : r;
}

/* ------------------------------------------------------------------------ */
/* Entries of handle requests                                                */
/* ------------------------------------------------------------------------ */

void cp_uring_htag_done(struct cport *p, struct cp_uring *u,
                        const struct io_uring_cqe *cqe, struct cp_batch *b) {
  uint64_t tag = io_uring_cqe_get_data64(cqe);
  int fd = (int)(uint32_t)tag;
  uint32_t gen = (uint32_t)(tag >> 32) & 0x0fffffffu;
  unsigned what = (unsigned)(tag >> 60) & 7u;
  bool more = (cqe->flags & IORING_CQE_F_MORE) != 0;
  if (!more) {
    __atomic_sub_fetch(&u->inflight, 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&u->sq_lock);
    u->armed--;
    pthread_mutex_unlock(&u->sq_lock);
  }
  if (what == CP_HTAG_RECV && (cqe->flags & IORING_CQE_F_BUFFER))
    /* The kernel's now. Acquire: pairs with buf_return's release, so
     * whoever read this buffer's descriptor last happens before we fill
     * it in (recv_done). */
    __atomic_sub_fetch(&u->bufs.free, 1, __ATOMIC_ACQ_REL);
  struct cp_handle *h = cp_handle_peek(fd);
  if (h != NULL) {
    cp_lock(&h->lock);
    if ((h->flags & CP_HF_OPEN) && h->port == p &&
        (h->gen & 0x0fffffffu) == gen && cp_ur_of(p, h) == u) {
      if (what == CP_HTAG_RECV)
        recv_done(p, h, cqe, b);
      else
        cp_uring_accept_done(p, h, cqe, b);
      cp_unlock(&h->lock);
      return;
    }
    cp_unlock(&h->lock);
  }
  /* Its socket is gone: give back what the entry carries. */
  if (what == CP_HTAG_RECV && (cqe->flags & IORING_CQE_F_BUFFER))
    buf_return(&u->bufs, (uint16_t)(cqe->flags >> IORING_CQE_BUFFER_SHIFT));
  else if (what == CP_HTAG_ACCEPT && cqe->res >= 0)
    close(cqe->res);
}

void cp_uring_handle_stop(struct cport *p, struct cp_handle *h) {
  struct cp_uring *u = cp_ur_of(p, h);
  struct cp_uh *uh = cp_uh(h);
  /* (A request already asked to pause has its cancel on its way.) */
  if ((uh->flags & CP_UH_RECV_ARMED) && !(uh->flags & CP_UH_RECV_PAUSE))
    cp_uring_htag_cancel(p, h, CP_HTAG_RECV);
  if ((uh->flags & CP_UH_ACCEPT_ARMED) && !(uh->flags & CP_UH_ACCEPT_PAUSE))
    cp_uring_htag_cancel(p, h, CP_HTAG_ACCEPT);
  uh->flags &= (uint16_t) ~(CP_UH_RECV_ARMED | CP_UH_RECV_PAUSE |
                            CP_UH_ACCEPT_ARMED | CP_UH_ACCEPT_PAUSE);
  /* After the cancels of a datagram socket's ops in the kernel, one of
   * everything the ring still holds on its descriptor: a receive the
   * kernel was retrying in its task work is missed by a cancel and would
   * wait for ever on the closed socket. The SQE names h's fd, so the fd
   * stays open until the kernel has taken it, and until the cancelled
   * ops have ended, the owner sending this cancel again as long as one
   * remains (cp_uring_close_fd); with no op in the kernel, none is needed
   * and the fd closes at once. (Stream sockets are left to their own
   * cancels: a closed one's buffered sends may still linger in the
   * kernel.) */
  if (uh->kcancels > 0 && !(h->flags & CP_HF_LINGER)) {
    pthread_mutex_lock(&u->sq_lock);
    bool sent = cp_uring_cancel_fd_locked(u, h);
    pthread_mutex_unlock(&u->sq_lock);
    if (sent)
      cp_uring_submitted(p, u);
  }
  unstarve(&u->bufs, h);
  /* Buffers that come back may be what a starved socket waits for: its
   * ring's owner may sleep with nothing else to wake it. */
  if (chunks_drop(&u->bufs, uh))
    cp_uring_submitted(p, u);
  cp_uring_accept_drop(uh);
  uh->rx_err = 0;
}
