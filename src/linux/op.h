/*
 * op.h - the Linux view of an operation (layer 0): what it does, its
 * private record inside cport_op_t.priv, the queue that links ops, the
 * bookkeeping of its buffers, and how its result is published so any
 * thread can read it (cport_op_status, cport_op_wait).
 *
 * An op goes through these states, each owned by exactly one place:
 *
 *   idle --(a call accepts it)--> busy --(the engine ends it)--> idle
 *
 * While busy, op->internal reads CP_STATUS_PENDING (Windows'
 * STATUS_PENDING) and everything in priv belongs to cport. Ending it
 * writes the byte count, then the status (release), then wakes threads
 * waiting on it: after that cport never touches the op again.
 */
#ifndef CPORT_LINUX_OP_H
#define CPORT_LINUX_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/common.h"

/* What an operation does. */
enum cp_op_kind {
  CP_OP_NONE = 0,
  CP_OP_RECV,       /* rq: stream or datagram receive, scatter */
  CP_OP_POLLIN,     /* rq: zero-byte receive (readiness only) */
  CP_OP_RECVFROM,   /* rq: datagram receive with source address */
  CP_OP_ACCEPT,     /* rq of a listener */
  CP_OP_SEND,       /* wq: stream send, gather, all bytes */
  CP_OP_SENDTO,     /* wq: datagram send */
  CP_OP_CONNECT,    /* wq: connect, then optional data */
  CP_OP_DISCONNECT, /* wq: shutdown(SHUT_WR) after earlier sends */
  CP_OP_READ,       /* file read at an offset */
  CP_OP_WRITE,      /* file write at an offset */
  CP_OP_TRANSMIT,   /* wq: head, file range, tail to a socket */
  CP_OP_TIMER,      /* port timer */
  CP_OP_EXTERNAL,   /* run by a layer above (cport__external_begin) */
};

/* Operation flags. */
enum {
  CP_OPF_INFLIGHT = 1u << 0,  /* owned by the kernel or a backend thread */
  CP_OPF_CANCEL = 1u << 1,    /* cancel requested: finish with ECANCELED */
  CP_OPF_ORPHAN = 1u << 2,    /* its handle was closed: not on a queue */
  CP_OPF_STAGE2 = 1u << 3,    /* accept: waiting for the first data;
                                connect: connected, sending its data;
                                disconnect: for reuse (an ended
                                connection is no error) */
  CP_OPF_SLOT = 1u << 4,      /* holds a reserved slot in the port queue */
  CP_OPF_HEAPIOV = 1u << 5,   /* bufs (a transmit: its piece list) is a
                                 heap copy */
  CP_OPF_CLOSED = 1u << 6,    /* ended because its handle was closed */
  CP_OPF_FORCED = 1u << 7,    /* fault mode: finished inside its call, made
                                to complete through the port (held) */
  CP_OPF_POLLFIRST = 1u << 8, /* io_uring receive: the socket was found
                                 empty, wait for data before trying */
  CP_OPF_BUFFERED = 1u << 9,  /* cport's own send of bytes a caller's send
                                 left in its buffer (engine-sendbuf.c) */
  CP_OPF_FILL = 1u << 10,     /* stream receive: ends only when its buffers
                                 are full, at the end or on an error (Win32
                                 MSG_WAITALL, cport__recv_all) */
  CP_OPF_MSG = 1u << 11,      /* a datagram receive or send with control
                                 data: u.io.a.msg is its block */
  CP_OPF_NT = 1u << 12,       /* the Win32 layer's: a failed op's
                                 op->internal gets the NTSTATUS the layer
                                 chooses (cp_nt_word), as on Windows */
  CP_OPF_KCANCEL = 1u << 13,  /* io_uring: a cancel of it went to the
                                 kernel and it counts in its datagram
                                 socket's kcancels until it ends */
};

/* op->internal while an op is in flight: Windows' STATUS_PENDING, so
 * OVERLAPPED-style code can tell a finished op from a pending one. */
#define CP_STATUS_PENDING ((uintptr_t)0x103)

#define CP_INLINE_IOV 3

/* Stages of cport_transmit_file. */
enum { CP_TF_HEAD = 0, CP_TF_FILE, CP_TF_TAIL, CP_TF_SHUTDOWN, CP_TF_DONE };

/* A transmit's list of pieces (TransmitPackets), sent in order after its
 * head, file range and tail: each is loaded in turn into the head (a
 * memory piece) or the file range (a file piece). A heap copy, freed when
 * the op ends (CP_OPF_HEAPIOV). */
struct cp_tpiece {
  char *base;     /* memory, or NULL for a file range */
  uint64_t off;   /* file: where to start */
  uint32_t len;   /* bytes */
  int32_t fd;     /* file: the file; memory: -1 */
  uint32_t flags; /* CP_TP_EOP */
};
#define CP_TP_EOP 0x1u /* no MSG_MORE after this piece */
#define CP_TP_OWN \
  0x2u /* fd is the op's own copy, closed as it ends (the
                          file's other pieces share it) */
struct cp_tpieces {
  uint32_t n, next; /* pieces, and the next one to load */
  struct cp_tpiece p[];
};
/* Frees a list (NULL: nothing) and closes its pieces' descriptors, the
 * op's own. */
CP_INTERNAL void cp_tpieces_free(struct cp_tpieces *list);

/* A datagram receive or send that carries control data (the Win32
 * layer's WSARecvMsg and WSASendMsg): the caller's block, valid until
 * `end` has run. hooks.h's struct cport__msg, the same layout (asserted
 * in socket.c). */
struct cp_msgctl {
  void *name;        /* receive: room for the sender; send: destination */
  int namelen;       /* its size; receive: set to the sender's length */
  void *control;     /* cmsgs: receive: room for them; send: to send */
  size_t controllen; /* its size; receive: set to the bytes filled */
  int flags;         /* receive: the message's msg_flags */
  void (*end)(void *msg, int status, uint32_t bytes);
};

struct cp_handle;
struct cport;

/*
 * The Linux record of an op, in cport_op_t.priv (its size is asserted in
 * op.c). The buffer array is always copied (inline up to CP_INLINE_IOV
 * entries), so callers may pass it on the stack, as with WSABUF; sends
 * and receives consume the copy as bytes move. `status` is the result
 * being built; op->internal only changes when the op ends.
 */
struct cp_lop {
  uintptr_t magic;     /* CP_OP_BUSY_MAGIC while in flight */
  cport_op_t *next;    /* the handle queue's link */
  cport_op_t *link;    /* a backend list's link (SQ overflow, pool) */
  struct cp_handle *h; /* handle the op was issued on */
  struct cport *port;  /* port and key captured at issue */
  uintptr_t key;
  uint32_t gen;      /* h->gen at issue */
  uint8_t kind;      /* enum cp_op_kind */
  uint8_t ticket_hi; /* fault mode: the op's ticket (diag.h), 24 bits */
  uint16_t flags;    /* CP_OPF_* */
  uint16_t nbufs;
  uint16_t ticket;
  uint32_t done;     /* bytes transferred so far */
  cport_buf_t *bufs; /* copy of the user's buffer array */
  int32_t aux_fd;    /* accept: the new socket */
  int32_t status;    /* the result so far: 0 or CPORT_E* */
  union {
    struct {
      cport_buf_t iov[CP_INLINE_IOV];
      struct cp_msghdr {
        void *name;
        uint32_t namelen;
        cport_buf_t *iov;
        size_t iovlen;
        void *control;
        size_t controllen;
        int flags;
      } msg; /* same layout as struct msghdr */
      union {
        int *fromlen;          /* recvfrom: the caller's length */
        struct cp_msgctl *msg; /* CP_OPF_MSG: the caller's block */
        uint64_t to[4];        /* sendto: copy of the address */
        uint8_t byte;          /* zero-byte receive: peek target */
        uintptr_t layer[3];    /* accept: the layer's words, or 0s */
      } a;
    } io;
    struct {
      cport_buf_t iov;
      uint64_t offset;
      int32_t fd; /* the file, for a backend thread */
    } file;
    struct {
      uint32_t opens; /* its handle's use it began in (h->opens) */
    } ext;            /* CP_OP_EXTERNAL */
    struct {
      cport_buf_t part[2]; /* head, tail (copies), in place of io.iov */
      cport_buf_t spare;
      struct cp_msghdr msg; /* io.msg: the head and tail are sent with it */
      uint64_t off;         /* next file offset */
      uint32_t left;        /* file bytes still to send */
      int32_t fd;           /* the file */
      uint8_t stage;        /* CP_TF_HEAD .. CP_TF_DONE */
      uint8_t flags;        /* CPORT_TF_* */
      struct cp_tpieces *pieces; /* NULL, or what follows the tail */
    } tf;
    struct {
      uint64_t due;  /* deadline, monotonic ns */
      uint32_t slot; /* index in the port's heap */
    } timer;
    uintptr_t words[17];
  } u;
};

static inline struct cp_lop *cp_lop(cport_op_t *op) {
  return (struct cp_lop *)(void *)op->priv;
}

static inline const struct cp_lop *cp_lop_const(const cport_op_t *op) {
  return (const struct cp_lop *)(const void *)op->priv;
}

/* priv[0] of an op one start has claimed and not yet made busy. */
#define CP_OP_CLAIM_MAGIC ((uintptr_t)0x63706f7274436c6dull) /* "cportClm" */

/* Starts the record of a new op of `kind`: everything zero but the kind
 * (a stream receive or send: everything before the per-kind union),
 * op->internal PENDING. The caller fills in the handle, port and key,
 * and ends the start by making the op busy (cp_op_set_busy) or by
 * publishing a refusal. False, with the op untouched, if another start
 * has it: two threads starting one idle op at once (the program's race,
 * which cp_check_op's look cannot see) get one start and one
 * CPORT_EBUSY, never two starts on one record. */
static inline bool cp_op_begin(cport_op_t *op, uint8_t kind) {
  uintptr_t was = __atomic_load_n(&op->priv[0], __ATOMIC_RELAXED);
  if (CP_UNLIKELY(was == CP_OP_BUSY_MAGIC || was == CP_OP_CLAIM_MAGIC) ||
      CP_UNLIKELY(!__atomic_compare_exchange_n(
          &op->priv[0], &was, CP_OP_CLAIM_MAGIC, false, __ATOMIC_ACQUIRE,
          __ATOMIC_RELAXED)))
    return false;
  struct cp_lop *l = cp_lop(op);
  /* A receive or send sets every per-kind field it reads (its buffers,
   * and the msghdr each attempt fills, name included): only the common
   * part is cleared, a third of the record. Other kinds start all zero.
   * (The claim in the first word stays.) */
  char *after = (char *)&l->magic + sizeof(l->magic);
  if (kind == CP_OP_RECV || kind == CP_OP_SEND)
    memset(after, 0, offsetof(struct cp_lop, u) - sizeof(l->magic));
  else
    memset(after, 0, sizeof(op->priv) - sizeof(l->magic));
  l->kind = kind;
  l->aux_fd = -1;
  __atomic_store_n(&op->internal_high, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&op->internal, CP_STATUS_PENDING, __ATOMIC_RELAXED);
  return true;
}

/* Copies the caller's buffer array (inline when small). CPORT_ENOMEM if
 * a large array cannot be copied. */
CP_INTERNAL int cp_op_bufs_many(cport_op_t *op, const cport_buf_t *bufs,
                                unsigned n);
static inline int cp_op_bufs(cport_op_t *op, const cport_buf_t *bufs,
                             unsigned n) {
  if (n != 1)
    return cp_op_bufs_many(op, bufs, n);
  struct cp_lop *l = cp_lop(op); /* the common case, without a call */
  l->u.io.iov[0] = bufs[0];
  l->bufs = l->u.io.iov;
  l->nbufs = 1;
  return 0;
}
CP_INTERNAL void cp_op_free_heap_bufs(cport_op_t *op);
/* Frees a heap copy of the buffer array. */
static inline void cp_op_free_bufs(cport_op_t *op) {
  if (cp_lop(op)->flags & CP_OPF_HEAPIOV)
    cp_op_free_heap_bufs(op);
}

/* Sets the op's result so far. */
static inline void cp_op_result(cport_op_t *op, int status) {
  cp_lop(op)->status = status;
}

/*
 * Ends the op's life: marks it idle, writes bytes and status where every
 * thread can read them, and wakes threads in cport_op_wait(). After this
 * call the op belongs to its user again: do not touch it.
 */
/* Threads inside cport_op_wait(), in the whole process. Publishing a
 * result wakes the op's futex only while this is non-zero, so ops nobody
 * waits for cost no system call. */
CP_INTERNAL extern uint32_t cp_op_waiters;
CP_INTERNAL void cp_op_wake_waiters(cport_op_t *op);
/* The Win32 layer's choice of NTSTATUS for a failed op, or one that moved
 * no bytes (a pipe's read that met its writer's end fails on Windows),
 * and every end of a connect or transmit, whose ends the layer's fixups
 * follow (NULL until it registers; cport__set_nt_hook): closed says the
 * op ended because its handle was closed. */
CP_INTERNAL extern uintptr_t (*cp_nt_hook)(const cport_op_t *op, int status,
                                           uint32_t bytes, bool closed);
/* The word such a CP_OPF_NT op leaves in op->internal (the Win32 layer's
 * NTSTATUS); its status stays in the record for the layer to read back
 * exactly (cport__op_code). */
CP_INTERNAL uintptr_t cp_op_nt_word(cport_op_t *op, int status, uint32_t bytes);
#define CP_OP_KINDS_HEARD ((1u << CP_OP_CONNECT) | (1u << CP_OP_TRANSMIT))
static inline void cp_op_publish(cport_op_t *op, int status, uint32_t bytes) {
  uintptr_t word = (uintptr_t)(intptr_t)status;
  const struct cp_lop *l = cp_lop(op);
  if (CP_UNLIKELY(status != 0 || bytes == 0 ||
                  ((1u << l->kind) & CP_OP_KINDS_HEARD)) &&
      (l->flags & CP_OPF_NT))
    word = cp_op_nt_word(op, status, bytes);
  cp_op_set_idle(op);
  __atomic_store_n(&op->internal_high, (uintptr_t)bytes, __ATOMIC_RELAXED);
  __atomic_store_n(&op->internal, word, __ATOMIC_SEQ_CST);
  /* From here the op may already be freed: only its address is used. */
  if (__atomic_load_n(&cp_op_waiters, __ATOMIC_SEQ_CST) != 0)
    cp_op_wake_waiters(op);
}

/* cport_op_wait without the hand-over a worker may owe (port.c pays it
 * first). */
CP_INTERNAL int cp_op_wait(const cport_op_t *op, int timeout_ms);

/* ------------------------------------------------------------------------ */
/* Buffers                                                                   */
/* ------------------------------------------------------------------------ */

CP_INTERNAL size_t cp_bufs_sum(const cport_buf_t *b, unsigned n);
/* The bytes an array of buffers holds (one buffer without a call). */
static inline size_t cp_bufs_total(const cport_buf_t *b, unsigned n) {
  return n == 1 ? b[0].len : cp_bufs_sum(b, n);
}
CP_INTERNAL void cp_bufs_consume_many(struct cp_lop *l, size_t n);
/* Marks n bytes of the op's buffers as used (sent or filled); one buffer
 * without a call. */
static inline void cp_bufs_consume(struct cp_lop *l, size_t n) {
  if (l->nbufs != 1) {
    cp_bufs_consume_many(l, n);
    return;
  }
  size_t k = l->bufs[0].len < n ? l->bufs[0].len : n;
  l->bufs[0].base = (char *)l->bufs[0].base + k;
  l->bufs[0].len -= k;
}
/* Whether any buffer still has room (or bytes to send). */
static inline bool cp_bufs_left(const struct cp_lop *l) {
  for (unsigned i = 0; i < l->nbufs; i++)
    if (l->bufs[i].len > 0)
      return true;
  return false;
}
/* Copies up to n bytes from src into the op's buffers, consuming them;
 * returns how many were copied. */
CP_INTERNAL size_t cp_bufs_fill(struct cp_lop *l, const void *src, size_t n);
/* The op's msghdr (struct msghdr layout), pointing at the buffers still to
 * fill or send; name and namelen are cleared. */
CP_INTERNAL struct cp_msghdr *cp_op_msghdr(struct cp_lop *l);

/* A datagram attempt's msghdr m (cp_op_msghdr's) gets the op's control
 * data, and a send its destination, when the op has a block (CP_OPF_MSG). */
static inline void cp_op_msg_apply(struct cp_lop *l, struct cp_msghdr *m,
                                   bool send) {
  if (!(l->flags & CP_OPF_MSG))
    return;
  struct cp_msgctl *c = l->u.io.a.msg;
  m->control = c->control;
  m->controllen = c->controllen;
  if (send) {
    m->name = c->name;
    m->namelen = c->name != NULL ? (uint32_t)c->namelen : 0;
  }
}
/* A datagram receive of an op with a block got its message: the control
 * bytes filled and the message's flags go to the block. */
static inline void cp_op_msg_received(struct cp_lop *l, size_t controllen,
                                      int flags) {
  if (!(l->flags & CP_OPF_MSG))
    return;
  l->u.io.a.msg->controllen = controllen;
  l->u.io.a.msg->flags = flags;
}

/* ------------------------------------------------------------------------ */
/* Queues of ops                                                             */
/* ------------------------------------------------------------------------ */

/* A FIFO of operations linked through cp_lop.next. It counts the ops it
 * ever took and those that left it from its head (the oldest), so a wait
 * for the ops queued at one moment is not held up by those queued after
 * (hooks.c): once `left` reaches the count of pushes at that moment, they
 * are all gone. One that leaves from the middle (a later op cancelled) is
 * not counted, or an earlier one still queued would look gone; `left`
 * catches up when the queue empties. */
struct cp_opq {
  cport_op_t *head, *tail;
  uint32_t pushed, left;
};

static inline bool cp_opq_empty(const struct cp_opq *q) {
  return q->head == NULL;
}
static inline void cp_opq_push(struct cp_opq *q, cport_op_t *op) {
  q->pushed++;
  cp_lop(op)->next = NULL;
  if (q->tail)
    cp_lop(q->tail)->next = op;
  else
    q->head = op;
  q->tail = op;
}
CP_INTERNAL cport_op_t *cp_opq_pop(struct cp_opq *q);
CP_INTERNAL bool cp_opq_remove_inner(struct cp_opq *q, cport_op_t *op);
/* Takes op off q (the head without a call); false if it was not there. */
static inline bool cp_opq_remove(struct cp_opq *q, cport_op_t *op) {
  if (q->head != op)
    return cp_opq_remove_inner(q, op);
  q->left++;
  q->head = cp_lop(op)->next;
  if (q->head == NULL) {
    q->tail = NULL;
    q->left = q->pushed;
  }
  cp_lop(op)->next = NULL;
  return true;
}
CP_INTERNAL bool cp_opq_contains(const struct cp_opq *q, const cport_op_t *op);

#endif
