/*
 * handles.h - the handle table (layer 2): fd -> per-handle state, and the
 * list of the handles each port has.
 *
 * Every fd cport knows about has a slot, indexed by the fd number. Slots
 * live in chunks that are never freed, so a slot pointer stays valid for
 * the life of the process; `gen` tells one use of an fd number from the
 * next. This layer only keeps records; what happens to a handle's ops when
 * it opens, closes or loses its port is the engine's (engine.h).
 */
#ifndef CPORT_LINUX_HANDLES_H
#define CPORT_LINUX_HANDLES_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "lock.h"
#include "op.h"
#include "port.h"

/* Handle types. */
enum cp_handle_type {
  CP_H_UNKNOWN = 0, /* associated fd of unknown kind */
  CP_H_STREAM,      /* SOCK_STREAM socket */
  CP_H_DGRAM,       /* SOCK_DGRAM socket */
  CP_H_FILE,        /* regular file */
};

/* Handle flags. */
enum {
  CP_HF_OPEN = 1u << 0,         /* slot in use */
  CP_HF_LINGER = 1u << 1,       /* closed by the user while sends it took
                                   into cport's buffer still run: the fd
                                   closes when they end (engine-sendbuf.c) */
  CP_HF_SKIP = 1u << 2,         /* CPORT_SKIP_ON_SUCCESS */
  CP_HF_LISTENING = 1u << 3,    /* seen listening (SO_ACCEPTCONN) */
  CP_HF_CONNECTED = 1u << 4,    /* seen connected (stream or datagram) */
  CP_HF_SHUT_WR = 1u << 5,      /* send side shut down */
  CP_HF_CONNECTING = 1u << 6,   /* a cport_connect is pending */
  CP_HF_ZOMBIE = 1u << 7,       /* closed by the user; the backend closes
                                 the fd once its blocking calls return */
  CP_HF_NO_READ = 1u << 8,      /* file opened without read access */
  CP_HF_NO_WRITE = 1u << 9,     /* file opened without write access */
  CP_HF_SHUT_RD = 1u << 10,     /* receive side shut down */
  CP_HF_CONN_FAILED = 1u << 11, /* the last connect failed (retry may
                                   meet ECONNABORTED once) */
  CP_HF_RESET = 1u << 12,       /* the peer reset the connection */
  CP_HF_AT_CALL = 1u << 13,     /* ops are tried in the call (the Win32
                                   layer's: a WSASend the socket takes, or
                                   a datagram already there, finishes at
                                   once, as on Windows) */
  CP_HF_ONE_ACCEPT = 1u << 14,  /* a listener takes a connection only for
                                   an accept op waiting on this handle,
                                   never ahead (the Win32 layer's pipe
                                   instances: several handles share one
                                   listener) */
  CP_HF_PORT_GONE = 1u << 15,   /* its port was closed: ops get
                                   CPORT_ECLOSED until it joins another */
};
/* The handles whose ops io_uring tries in the call (epoll always does). */
#define CP_HF_IN_CALL (CP_HF_SKIP | CP_HF_AT_CALL)

/* Room for the backend's own per-handle state (the io_uring receive
 * buffers, epoll's readiness bits). */
#define CP_HANDLE_BE_WORDS 8

struct cp_handle {
  struct cp_gate gate; /* first: an op's handle is its gate (port.h) */
  cp_lock_t lock;
  int fd;
  uint32_t gen;
  uint16_t flags; /* CP_HF_* */
  uint8_t type;   /* enum cp_handle_type */
  uint8_t family; /* socket address family */
  dev_t dev;      /* identity of the fd when associated */
  ino_t ino;
  struct cport *port; /* NULL while not associated */
  uintptr_t key;
  struct cp_opq rq;                        /* receive side, in posting order */
  struct cp_opq wq;                        /* send side, in posting order */
  struct cp_handle *port_prev, *port_next; /* the port's handle list */
  uint32_t blocking;          /* blocking calls on fd in progress (pool) */
  uint32_t diag_id, diag_gen; /* fault mode: its number on its port, for
                                 the use of the fd numbered (gen) */
  uint32_t buffered; /* bytes of sends taken into cport's buffer and not
                        yet sent (engine-sendbuf.c); written under lock
                        with atomic stores, read without it by the exit's
                        hand-off */
  /* The Win32 layer's file object event (cport__io_signaled): every op
   * started on a layer handle counts in io_starts (under lock); an op
   * without an event sets io_signal to io_starts + 1 as it ends, so the
   * event reads set until the next start. Atomic stores, read without
   * the lock. */
  uint32_t io_starts, io_signal;
  /* Ops a layer above runs itself (cport__external_begin) not ended yet,
   * under lock: each holds a slot on the handle's port, and ends on the
   * port the handle has then (a move takes their slots along). */
  uint32_t external;
  uint32_t opens; /* how many uses of the slot began (cp_handle_reset_locked) */
  uintptr_t be[CP_HANDLE_BE_WORDS]; /* the backend's; zero when opened */
};

/* The slot for fd, allocating its chunk: 0, CPORT_EBADF (fd out of
 * range) or CPORT_ENOMEM. */
CP_INTERNAL int cp_handle_slot(int fd, struct cp_handle **out);
#define CP_CHUNK_BITS 10
#define CP_CHUNK_SIZE (1u << CP_CHUNK_BITS)
#define CP_CHUNKS 4096 /* fds up to 4 Mi */
/* The slots, in chunks of CP_CHUNK_SIZE allocated on first use. */
CP_INTERNAL extern struct cp_handle *cp_handle_chunks[CP_CHUNKS];
/* The slot for fd if it exists; no allocation. */
static inline struct cp_handle *cp_handle_peek(int fd) {
  if (fd < 0 || (unsigned)fd >= CP_CHUNKS * CP_CHUNK_SIZE)
    return NULL;
  struct cp_handle *c = __atomic_load_n(
      &cp_handle_chunks[(unsigned)fd >> CP_CHUNK_BITS], __ATOMIC_ACQUIRE);
  return c ? &c[(unsigned)fd & (CP_CHUNK_SIZE - 1)] : NULL;
}

/* Gives the slot to a new use of its fd (a new generation, no port, no
 * ops). h->lock held; the previous use must have let go of its ops. */
CP_INTERNAL void cp_handle_reset_locked(struct cp_handle *h, int fd,
                                        uint8_t type, uint8_t family);

/* What kind of fd this is (stat'ed as st), and its address family. */
CP_INTERNAL uint8_t cp_handle_type_of(int fd, const struct stat *st,
                                      uint8_t *family);

/* The port's list of handles (under port->handles_lock). A handle joins
 * it before its backend takes it (false: the port's close began, and it
 * may not join). */
CP_INTERNAL bool cp_handle_list_add(struct cport *p, struct cp_handle *h);
/* The close's pass begins: no handle joins the list after this. */
CP_INTERNAL void cp_handle_list_close(struct cport *p);
CP_INTERNAL void cp_handle_list_remove(struct cport *p, struct cp_handle *h);
/* Takes any handle off the list (NULL when it is empty). */
CP_INTERNAL struct cp_handle *cp_handle_list_pop(struct cport *p);

#endif
