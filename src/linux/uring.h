/*
 * uring.h - state shared by the io_uring backend's files (layer 5):
 *   uring.c       the ring, its owner (the progress thread), submitting,
 *                 waiting, and what each completion entry is for
 *   uring-ops.c   starting, cancelling and ending operations
 *   uring-recv.c  multishot receive into provided buffers, and multishot
 *                 accept, feeding the posted receives and accepts
 *
 * Ownership. The ring is created disabled and enabled by the port's
 * progress thread, which makes it the ring's only submitter
 * (IORING_SETUP_SINGLE_ISSUER) and lets the kernel run completion work
 * only when that thread asks for events (IORING_SETUP_DEFER_TASKRUN).
 * Other threads write SQEs under sq_lock and poke the progress thread;
 * they never enter the kernel for the ring.
 *
 * Rings. With several CPUs (dedicated mode) a port has up to
 * CP_URING_MAX_RINGS rings: the progress thread's, and satellite rings,
 * each owned the same way by a thread of its own (named cport-ring),
 * started with the first handle it serves. Each handle is served by one
 * ring for as long as it is associated (chosen in turn at association),
 * so the kernel's work for a port (every send and receive runs in the
 * system calls of the ring's owner) is shared between CPUs, as an epoll
 * port's workers share theirs. Every ring feeds the same completion
 * queue. The progress thread's ring keeps the port's timers and leads.
 */
#ifndef CPORT_LINUX_URING_H
#define CPORT_LINUX_URING_H

#include <liburing.h>
#include <pthread.h>
#include <stdbool.h>

#include "engine.h"

/* user_data of an SQE: an op pointer, an internal tag below
 * CP_URING_TAG_MAX, or a handle tag (bit 63 set: the handle's fd, its
 * generation and what the request is for). */
enum {
  CP_URING_TAG_WAKE = 1,      /* the read on the wake-up eventfd */
  CP_URING_TAG_CANCEL = 2,    /* result of an ASYNC_CANCEL */
  CP_URING_TAG_CANCEL_FD = 3, /* result of a descriptor-wide cancel at a
                                 close (counted in cancel_fd_out) */
  CP_URING_TAG_MAX = 4095,
};
#define CP_URING_HTAG (UINT64_C(1) << 63)
enum { CP_HTAG_RECV = 1, CP_HTAG_ACCEPT = 2 };

static inline uint64_t cp_uring_htag(int fd, uint32_t gen, unsigned what) {
  return CP_URING_HTAG | ((uint64_t)what << 60) |
         ((uint64_t)(gen & 0x0fffffffu) << 32) | (uint32_t)fd;
}

/* The provided buffers multishot receives land in (uring-recv.c). */
struct cp_ubufs {
  struct io_uring_buf_ring *br; /* registered at init, filled lazily */
  char *mem;                    /* count * size bytes, allocated lazily */
  struct cp_ubuf {              /* per buffer id */
    uint16_t next;              /* next buffer of the same socket */
    uint32_t len;               /* bytes the kernel put in it */
  } * desc;
  unsigned count, size;
  bool ready;                /* memory allocated and handed out */
  unsigned free;             /* buffers in the ring now */
  pthread_mutex_t lock;      /* the ring's tail, the starved list */
  struct cp_handle *starved; /* sockets that ran out (ENOBUFS) */
};

#define CP_URING_MAX_RINGS 4

struct cp_uring {
  struct io_uring ring;
  struct cport *port;
  unsigned index; /* 0: the progress thread's ring; else a satellite's */
  pthread_mutex_t sq_lock; /* the SQ, the overflow and close lists */
  bool dead;               /* ring released (port closed) */
  bool enabled;            /* the progress thread owns it */
  uint8_t recv_mode;       /* CP_RECV_* (uring-recv.c, "Direct receives") */
  unsigned setup_flags;    /* what the kernel accepted */
  unsigned features;       /* IORING_FEAT_* of the kernel */
  unsigned avg_cqes16;     /* CQEs per round, moving average, x16 */
  cport_op_t *overflow;    /* ops waiting for SQ room (via lop.link) */
  cport_op_t *overflow_tail;
  cport_op_t *cancels; /* in-kernel ops whose cancel waits for SQ
                               room (via lop.link) */
  uint64_t *tags;      /* multishot requests whose cancel waits for
                               SQ room; room for one per armed request is
                               reserved when it is armed */
  unsigned ntags, tags_cap;
  unsigned armed;            /* multishot requests in the kernel */
  struct cp_handle *closing; /* fds to close once their SQEs are in (and
                                a datagram socket's cancelled ops ended) */
  uint32_t cancel_fd_out;    /* descriptor-wide cancels whose CQE has not
                                come (atomic) */
  uint32_t inflight;         /* requests whose last CQE has not come */
  int wake_fd;               /* eventfd; a read on it wakes the owner */
  uint64_t wake_buf;
  bool wake_armed;
  struct cp_ubufs bufs;

  bool has_ring; /* ring set up and not yet released */

  /* A satellite ring's thread, and the hand-over with it (port.h; the
   * port's ring uses the progress thread's, port->prog_handover). */
  pthread_t thread;
  bool live;     /* its thread runs (under the port ring's sat_lock) */
  int started;   /* its thread took the ring: 1, or failed: -1 */
  uint32_t stop; /* asked to drain and leave */
  struct cp_handover handover;

  /* The port's ring only: the satellites (kept until free, like the
   * port's shell, since a late wake-up may still write to them). */
  struct cp_uring *sat[CP_URING_MAX_RINGS - 1];
  bool unbounded;           /* satellite: its sleep has no 1 ms bound
                               (written under the port's lock) */
  unsigned nrings;          /* rings handles are spread over, 1 + sats */
  unsigned next;            /* the ring the next handle gets, in turn */
  bool sats_closed;         /* the port closes: no satellite starts */
  pthread_mutex_t sat_lock; /* starting and stopping satellites */
};

/* The io_uring state of a handle, in cp_handle.be (asserted to fit). */
struct cp_uh {
  uint16_t flags;         /* CP_UH_*, changed under h->lock */
  uint16_t head, tail;    /* buffered data: buffer ids, oldest first */
  uint16_t ring;          /* the ring that serves it (cp_ur_of) */
  uint32_t head_off;      /* bytes of the head buffer already taken */
  uint32_t buffered;      /* bytes buffered in all */
  int32_t rx_err;         /* the receive side's error, after the data */
  uint32_t sq_pos;        /* SQ position of its last SQE */
  struct cp_handle *link; /* the starved or closing list */
  int *backlog;           /* listener: accepted fds not yet taken */
  uint16_t backlog_n, backlog_cap;
  int32_t accept_err;   /* listener: error for the next accept */
  uint8_t rx_miss;      /* direct receives: attempts in a row that found
                         no data waiting */
  uint8_t in_sq;        /* an SQE for this fd may still be in the SQ (at
                         sq_pos): guarded by the ring's sq_lock, which
                         the overflow path holds without h->lock, so not
                         in flags */
  uint8_t starved;      /* on the starved list: written under the buffer
                         lock (not h->lock, so not in flags), read with
                         atomic loads */
  uint8_t cancel_tries; /* closing: descriptor-wide cancels sent */
  uint16_t kcancels;    /* datagram socket: its ops whose cancel went to
                           the kernel and that have not ended (h->lock) */
};

enum {
  CP_UH_RECV_ARMED = 1u << 1,   /* multishot receive running */
  CP_UH_RECV_PAUSE = 1u << 2,   /* asked to stop (too much buffered) */
  CP_UH_EOF = 1u << 3,          /* the peer closed: after the data, 0 bytes */
  CP_UH_ACCEPT_ARMED = 1u << 5, /* multishot accept running */
  CP_UH_ACCEPT_PAUSE = 1u << 6, /* asked to stop (backlog full) */
  CP_UH_CLOSING = 1u << 7,      /* on the closing list */
  CP_UH_NO_MULTI = 1u << 8,     /* plain one-shot receives for this one */
  CP_UH_DIRECT = 1u << 9,       /* direct receives until data stops waiting */
  CP_UH_NO_MULTI_ACCEPT = 1u << 10, /* plain one-shot accepts for this one */
};

#define CP_UBUF_NONE 0xffffu

static inline struct cp_uh *cp_uh(struct cp_handle *h) {
  return (struct cp_uh *)(void *)h->be;
}

/* The port's ring, the progress thread's (and the satellites' list). */
static inline struct cp_uring *cp_ur(struct cport *p) {
  return p->be_data;
}

/* The hand-over with u's owner. */
static inline struct cp_handover *cp_ur_handover(struct cport *p,
                                                 struct cp_uring *u) {
  return u->index == 0 ? &p->prog_handover : &u->handover;
}

/* The ring that serves h. */
static inline struct cp_uring *cp_ur_of(struct cport *p, struct cp_handle *h) {
  struct cp_uring *u = p->be_data;
  unsigned i = cp_uh(h)->ring;
  return i == 0 ? u : u->sat[i - 1];
}

/* ---- uring.c ---- */

/* A ring's memory (no ring yet), and its release with every satellite
 * list it keeps. */
CP_INTERNAL struct cp_uring *cp_uring_ring_new(void);
CP_INTERNAL void cp_uring_ring_delete(struct cp_uring *u);
/* Creates u's ring (the dedicated modes: created disabled, for its owner
 * to enable), its wake-up eventfd and provided buffers. */
CP_INTERNAL int cp_uring_ring_setup(struct cport *p, struct cp_uring *u,
                                    bool dedicated);
/* The owner, first thing: enabling the ring makes it the submitter. */
CP_INTERNAL int cp_uring_ring_enable(struct cp_uring *u);
/* Releases u's ring, once its owner has left. */
CP_INTERNAL void cp_uring_ring_release(struct cp_uring *u);
/* Any thread: make the owner's wait return (a read on its eventfd). */
CP_INTERNAL void cp_uring_ring_wake(struct cp_uring *u);
/* The owner: submit, wait up to timeout_ms (-1: no limit) unless work was
 * handed over, and turn the CQEs into completions in b. */
CP_INTERNAL int cp_uring_round(struct cport *p, struct cp_uring *u,
                               struct cp_batch *b, int timeout_ms);
/* The owner, the port closing: wait (boundedly) for u's last CQEs. */
CP_INTERNAL void cp_uring_drain_ring(struct cport *p, struct cp_uring *u,
                                     struct cp_batch *b);

/* A free SQE, sq_lock held; NULL if the SQ is full. The handle (may be
 * NULL) remembers that an SQE names its fd. */
CP_INTERNAL struct io_uring_sqe *cp_uring_sqe_locked(struct cp_uring *u,
                                                     struct cp_handle *h);

/* ---- uring-rings.c ---- */

/* How many rings a port spreads its handles over. */
CP_INTERNAL unsigned cp_uring_rings_wanted(struct cport *p);
/* How stream receives reach the posted buffers (uring-recv.c, "Direct
 * receives"): by default through the multishot receive; ($CPORT_RECV)
 * each socket starting direct and moving to the multishot receive once
 * data keeps not waiting, or always direct. */
enum { CP_RECV_ADAPTIVE, CP_RECV_MULTISHOT, CP_RECV_DIRECT };
CP_INTERNAL uint8_t cp_uring_recv_mode_wanted(void);
/* Association: a socket's receive side starts as its ring's mode says. */
CP_INTERNAL void cp_uring_recv_attach(struct cp_uring *u, struct cp_handle *h);
/* backend->attach: the ring that serves h, in turn (starting its
 * satellite thread if needed). */
CP_INTERNAL int cp_uring_attach(struct cport *p, struct cp_handle *h);
/* The port closes: every satellite drains its ring and leaves (joined);
 * none starts again. */
CP_INTERNAL void cp_uring_sats_stop(struct cport *p);
/* backend->pay: wake the satellites this worker left SQEs for. */
CP_INTERNAL void cp_uring_pay(struct cport *p);
/* Tells u's owner SQEs wait (after sq_lock is dropped). */
CP_INTERNAL void cp_uring_submitted(struct cport *p, struct cp_uring *u);
/* Whether handing u's owner one SQE would cost it a wake-up that this
 * thread, about to wait, can save by making the call itself. */
CP_INTERNAL bool cp_uring_handover_costly(struct cport *p, struct cp_uring *u);
/* backend.h, buffer_sends: while the ring's owner is awake (or this
 * thread has more to do before it waits), a send leaves with the ring's
 * next batch for less than a send(2) in the call costs. */
CP_INTERNAL bool cp_uring_buffer_sends(struct cport *p, struct cp_handle *h);

/* ---- uring-ops.c ---- */

CP_INTERNAL int cp_uring_start(struct cport *p, struct cp_handle *h,
                               cport_op_t *op, bool at_call);
CP_INTERNAL bool cp_uring_cancel(struct cport *p, struct cp_handle *h,
                                 cport_op_t *op);
CP_INTERNAL void cp_uring_detach(struct cport *p, struct cp_handle *h);
CP_INTERNAL int cp_uring_close_fd(struct cport *p, struct cp_handle *h);
/* u's owner found the CQE of op. */
CP_INTERNAL void cp_uring_op_done(struct cport *p, struct cp_uring *u,
                                  cport_op_t *op, int res, struct cp_batch *b);
/* Owner: ops that waited for SQ room get their SQEs, then the cancels
 * that waited (sq_lock held). */
CP_INTERNAL void cp_uring_overflow_locked(struct cport *p, struct cp_uring *u);
/* A cancel by user_data, never lost: an SQE now, or a reserved place in
 * u->tags until the harvester has room (sq_lock held). flags is
 * IORING_ASYNC_CANCEL_ALL for a handle's tag, IORING_ASYNC_CANCEL_ANY for
 * tag 0 (a closing ring's); a waiting cancel is sent again as such. */
CP_INTERNAL void cp_uring_cancel_tag_locked(struct cp_uring *u, uint64_t tag,
                                            unsigned flags);
/* Makes room to remember one more multishot cancel (sq_lock held):
 * CPORT_ENOMEM if it cannot, and the request must not be armed. */
CP_INTERNAL int cp_uring_reserve_cancel_locked(struct cp_uring *u);
/* A cancel of every request on h's fd (a closing datagram socket's
 * cancelled ops, see cp_uring_close_fd); false if the SQ is full.
 * sq_lock held. */
CP_INTERNAL bool cp_uring_cancel_fd_locked(struct cp_uring *u,
                                           struct cp_handle *h);
/* Owner, after a submit: close the fds whose SQEs are now in. */
CP_INTERNAL void cp_uring_close_pending(struct cport *p, struct cp_uring *u);

/* ---- uring-recv.c ---- */

/* What the recv/accept starters return, besides CP_TRY_*: this op needs a
 * plain one-shot SQE of its own (no provided buffers, or no memory). */
#define CP_URING_PLAIN 3

CP_INTERNAL int cp_uring_bufs_init(struct cp_uring *u);
CP_INTERNAL void cp_uring_bufs_free(struct cp_uring *u);
/* A stream receive (RECV, POLLIN) at the head of h->rq: serve it from
 * what is buffered, or make sure data is coming. Returns CP_TRY_*. */
CP_INTERNAL int cp_uring_recv_start(struct cport *p, struct cp_handle *h,
                                    cport_op_t *op, bool at_call);
/* u's owner: a CQE of a handle's multishot request. */
CP_INTERNAL void cp_uring_htag_done(struct cport *p, struct cp_uring *u,
                                    const struct io_uring_cqe *cqe,
                                    struct cp_batch *b);
/* u's owner: sockets that ran out of u's buffers get going again. */
CP_INTERNAL void cp_uring_rearm_starved(struct cport *p, struct cp_uring *u);
/* The backend's held_take (backend.h). */
CP_INTERNAL long cp_uring_held_take(struct cport *p, struct cp_handle *h,
                                    const struct iovec *iov, unsigned n,
                                    bool peek, size_t *held);
/* The backend's held_look (backend.h). */
CP_INTERNAL unsigned cp_uring_held_look(struct cport *p, struct cp_handle *h,
                                        int *err);
/* h leaves the port or closes: stop its multishot requests, give its
 * buffers back, close accepted fds nobody took. h->lock held. */
CP_INTERNAL void cp_uring_handle_stop(struct cport *p, struct cp_handle *h);
/* Cancels h's multishot request `what` (CP_HTAG_RECV, CP_HTAG_ACCEPT). */
CP_INTERNAL void cp_uring_htag_cancel(struct cport *p, struct cp_handle *h,
                                      unsigned what);

/* ---- uring-accept.c ---- */

/* u's owner: a CQE of listener h's multishot accept. h->lock held. */
CP_INTERNAL void cp_uring_accept_done(struct cport *p, struct cp_handle *h,
                                      const struct io_uring_cqe *cqe,
                                      struct cp_batch *b);
/* Connections are for a reader that bypasses cport: listener h's
 * multishot accept stops for good. True while it may still take one (until
 * its last CQE). h->lock held. */
CP_INTERNAL bool cp_uring_accept_stop_ahead(struct cport *p,
                                            struct cp_handle *h);
/* Closes the connections h's backlog holds and frees it. */
CP_INTERNAL void cp_uring_accept_drop(struct cp_uh *uh);
/* An accept on listener h: take a connection that arrived, or make sure
 * connections are coming. Returns CP_TRY_*. */
CP_INTERNAL int cp_uring_accept_start(struct cport *p, struct cp_handle *h,
                                      cport_op_t *op);
/* The backend's held_accept (backend.h). */
CP_INTERNAL int cp_uring_held_accept(struct cport *p, struct cp_handle *h);

#endif
