/*
 * handle.h - the handle table (fd -> per-handle state) and the Linux view
 * of an operation's private area.
 *
 * Every fd cport knows about has a slot, indexed by the fd number. Slots
 * live in chunks that are never freed, so a slot pointer stays valid for
 * the life of the process; `gen` tells one use of an fd number from the
 * next.
 */
#ifndef CPORT_LINUX_HANDLE_H
#define CPORT_LINUX_HANDLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "port.h"

/* What an operation does. */
enum cp_op_kind {
  CP_OP_NONE = 0,
  CP_OP_RECV,       /* rq: stream receive, scatter */
  CP_OP_POLLIN,     /* rq: zero-byte receive (readiness only) */
  CP_OP_RECVFROM,   /* rq: datagram receive with source address */
  CP_OP_ACCEPT,     /* rq of a listener */
  CP_OP_SEND,       /* wq: stream send, gather, all bytes */
  CP_OP_SENDTO,     /* wq: datagram send */
  CP_OP_CONNECT,    /* wq: connect, then optional data */
  CP_OP_DISCONNECT, /* wq: shutdown(SHUT_WR) after earlier sends */
  CP_OP_READ,       /* file read (worker pool / io_uring) */
  CP_OP_WRITE,      /* file write */
  CP_OP_TRANSMIT,   /* file range to a socket */
  CP_OP_TIMER,      /* port timer */
};

/* Operation flags. */
enum {
  CP_OPF_INFLIGHT = 1u << 0, /* owned by the kernel (an SQE is out) */
  CP_OPF_CANCEL = 1u << 1,   /* cancel requested: finish with ECANCELED */
  CP_OPF_ORPHAN = 1u << 2,   /* its handle was closed: not on a queue */
  CP_OPF_STAGE2 = 1u << 3,   /* accept: waiting for the first data;
                                connect: connected, sending its data */
  CP_OPF_COUNTED = 1u << 4,  /* counted in port->kernel_work */
  CP_OPF_HEAPIOV = 1u << 5,  /* bufs is a heap copy */
  CP_OPF_CLOSED = 1u << 6,   /* ended because its handle was closed */
};

/* op->internal while an op is in flight: Windows' STATUS_PENDING, so
 * OVERLAPPED-style code can tell a finished op from a pending one. */
#define CP_STATUS_PENDING ((uintptr_t)0x103)

#define CP_INLINE_IOV 4

/* Stages of cport_transmit_file. */
enum { CP_TF_HEAD = 0, CP_TF_FILE, CP_TF_TAIL, CP_TF_SHUTDOWN, CP_TF_DONE };

/*
 * The Linux overlay of cport_op_t.priv (asserted to fit in handle.c).
 * The buffer array is always copied (inline up to CP_INLINE_IOV entries),
 * so callers may pass it on the stack, as with WSABUF on Windows; a send
 * consumes the copy as bytes go out.
 */
struct cp_lop {
  uintptr_t magic;              /* CP_OP_BUSY_MAGIC while in flight */
  cport_op_t *next;             /* queue link */
  struct cp_handle *h;          /* handle the op was issued on */
  struct cport *port;           /* port and key captured at issue */
  uintptr_t key;
  uint32_t gen;                 /* h->gen at issue */
  uint8_t kind;                 /* enum cp_op_kind */
  uint8_t flags;                /* CP_OPF_* */
  uint16_t nbufs;
  cport_buf_t *bufs;            /* copy of the user's buffer array */
  uint32_t done;                /* bytes transferred so far */
  int32_t aux_fd;               /* accept: the new socket */
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
      } msg;                    /* same layout as struct msghdr */
      union {
        int *fromlen;           /* recvfrom: the caller's length */
        uint64_t to[4];         /* sendto: copy of the address */
        uint8_t byte;           /* zero-byte receive: peek target */
      } a;
    } io;
    struct {
      cport_buf_t iov;
      uint64_t offset;
      cport_op_t *pool_next;    /* epoll: the worker pool's queue */
    } file;
    struct {
      cport_buf_t part[2];      /* head, tail (copies of the structs) */
      uint64_t off;             /* next file offset */
      uint32_t left;            /* file bytes still to send */
      int32_t fd;               /* the file */
      uint8_t stage;            /* CP_TF_HEAD .. CP_TF_DONE */
      uint8_t flags;            /* CPORT_TF_* */
    } tf;
    uintptr_t words[19];
  } u;
};

static inline struct cp_lop *cp_lop(cport_op_t *op) {
  return (struct cp_lop *)(void *)op->priv;
}

/* A FIFO of operations linked through cp_lop.next. */
struct cp_opq {
  cport_op_t *head, *tail;
};

static inline bool cp_opq_empty(const struct cp_opq *q) {
  return q->head == NULL;
}
CP_INTERNAL void cp_opq_push(struct cp_opq *q, cport_op_t *op);
CP_INTERNAL cport_op_t *cp_opq_pop(struct cp_opq *q);
CP_INTERNAL bool cp_opq_remove(struct cp_opq *q, cport_op_t *op);

/* Handle types. */
enum cp_handle_type {
  CP_H_UNKNOWN = 0, /* associated fd of unknown kind */
  CP_H_STREAM,      /* SOCK_STREAM socket */
  CP_H_DGRAM,       /* SOCK_DGRAM socket */
  CP_H_FILE,        /* regular file */
};

/* Handle flags. */
enum {
  CP_HF_OPEN = 1u << 0,      /* slot in use */
  CP_HF_SKIP = 1u << 2,      /* CPORT_SKIP_ON_SUCCESS */
  CP_HF_LISTENING = 1u << 3, /* seen listening (SO_ACCEPTCONN) */
  CP_HF_CONNECTED = 1u << 4, /* seen connected (stream or datagram) */
  CP_HF_SHUT_WR = 1u << 5,   /* send side shut down by cport_disconnect */
  CP_HF_CONNECTING = 1u << 6,/* a cport_connect is pending */
  CP_HF_ZOMBIE = 1u << 7,    /* closed by the user; the backend closes
                                the fd once its blocking calls return */
  CP_HF_NO_READ = 1u << 8,   /* file opened without read access */
  CP_HF_NO_WRITE = 1u << 9,  /* file opened without write access */
};

struct cp_handle {
  pthread_mutex_t lock;
  int fd;
  uint32_t gen;
  uint16_t flags;             /* CP_HF_* */
  uint8_t type;               /* enum cp_handle_type */
  uint8_t family;             /* socket address family */
  dev_t dev;                  /* identity of the fd when associated */
  ino_t ino;
  struct cport *port;         /* NULL while not associated */
  uintptr_t key;
  struct cp_opq rq;           /* receive side, in posting order */
  struct cp_opq wq;           /* send side, in posting order */
  struct cp_handle *port_prev, *port_next; /* the port's handle list */
  uint32_t blocking;          /* blocking calls on fd in progress (pool) */
};

/* The slot for fd (allocating its chunk), or NULL if fd is out of range. */
CP_INTERNAL struct cp_handle *cp_handle_slot(int fd);
/* The slot for fd if it exists; no allocation. */
CP_INTERNAL struct cp_handle *cp_handle_peek(int fd);

/* Open a slot for a new fd created by cport. h->lock held by caller. */
CP_INTERNAL void cp_handle_open_locked(struct cp_handle *h, int fd,
                                       uint8_t type, uint8_t family);

/* Leave the port h is associated with (no-op if none). h->lock held. */
CP_INTERNAL void cp_handle_detach_locked(struct cp_handle *h);

/* Close: every port's handles lose their port (port.c calls this). */
CP_INTERNAL void cp_handles_detach_port(struct cport *port);

#endif
