/*
 * backend.h - the one internal interface the Linux backends implement
 * (layer 0: declarations only). The port core and the engine never know
 * which backend runs; they call through struct cp_backend.
 *
 * Threads. init runs in cport_create's caller; wait runs on the port's
 * one leader at a time (port.h); enter and drain on its progress thread;
 * wake and flush from any thread; the handle hooks run under the handle's
 * lock, on any thread.
 */
#ifndef CPORT_LINUX_BACKEND_H
#define CPORT_LINUX_BACKEND_H

#include <stdbool.h>
#include <sys/uio.h>

#include "op.h"

struct cport;
struct cp_handle;
struct cp_batch;

/* What backend->start made of an op. The result is in the op's record. */
enum {
  CP_TRY_DONE = 0,   /* finished (success, or an error to complete with) */
  CP_TRY_AGAIN = 1,  /* in progress: the backend reports its end later */
  CP_TRY_REJECT = 2, /* failed before anything happened: at call time this
                        is the call's error and nothing is posted */
};

struct cp_backend {
  const char *name;
  /* Allocates port->be_data and the kernel objects. Returns 0 or a
   * CPORT_E* code (EPERM, ENOSYS, EINVAL make the automatic choice fall
   * back to epoll). */
  int (*init)(struct cport *port);
  /* Releases the kernel objects, once the progress thread has left (or
   * never started). */
  void (*fini)(struct cport *port);
  /* Frees port->be_data; called when the port's memory is reused. */
  void (*free)(struct cport *port);
  /* Progress thread, first thing: take ownership of the kernel objects
   * (io_uring: enable the ring, which makes this thread its submitter).
   * Returns 0 or a CPORT_E* code. */
  int (*enter)(struct cport *port);
  /*
   * Progress thread: hand pending work to the kernel, wait up to
   * timeout_ms (-1 forever) unless cp_port_progress_may_sleep() says work
   * is waiting, and turn what the kernel reports into completions in b.
   */
  int (*wait)(struct cport *port, struct cp_batch *b, int timeout_ms);
  /* Any thread, no lock: make a wait() in progress return soon. It may
   * come after the port is closed, so what it touches lives until free(). */
  void (*wake)(struct cport *port);
  /* Hybrid mode, any thread but the leader, no lock: hand the kernel the
   * work this thread prepared (io_uring: submit its SQEs). May be NULL. */
  void (*flush)(struct cport *port);
  /* Progress thread, the port closing: every op the kernel still owns has
   * been asked to cancel; wait (boundedly) until the kernel gave each
   * back, ending them into b. May be NULL. */
  void (*drain)(struct cport *port, struct cp_batch *b);
  /* Dedicated mode, a worker about to wait (or leave): hand over the work
   * it deferred with cp_port_owe (io_uring: wake the satellite rings it
   * left SQEs for). May be NULL. */
  void (*pay)(struct cport *port);

  /* h->lock held: h joins / leaves the port. attach may be NULL. */
  int (*attach)(struct cport *port, struct cp_handle *h);
  void (*detach)(struct cport *port, struct cp_handle *h);
  /*
   * h->lock held: start op, which is on its queue and may run now.
   * at_call: inside the call that issued it. Returns CP_TRY_*.
   */
  int (*start)(struct cport *port, struct cp_handle *h, cport_op_t *op,
               bool at_call);
  /* h->lock held: ask the kernel to stop an op it owns (INFLIGHT).
   * Returns true if the backend took it back at once (no kernel or thread
   * had it yet): the engine then ends it; false if its end is reported
   * later, as usual. */
  bool (*cancel)(struct cport *port, struct cp_handle *h, cport_op_t *op);
  /* h->lock held, h closing and detached: close h->fd, now or once the
   * backend no longer needs it. Returns 0 or -errno. */
  int (*close_fd)(struct cport *port, struct cp_handle *h);
  /* h->lock held, a stream send of a Win32-layer handle with nothing
   * queued before it: whether copying its bytes and sending them from
   * the kernel's queue costs less than a system call in the call
   * (engine-sendbuf.c). NULL: never. */
  bool (*buffer_sends)(struct cport *port, struct cp_handle *h);
  /*
   * h->lock held, a stream socket read by a call that bypasses cport (the
   * Win32 layer's calls without an OVERLAPPED, FIONREAD, MSG_PEEK): what
   * the backend took from the socket ahead of any receive comes first.
   * Copies up to the iovecs' bytes of it (consumed unless peek) and
   * returns how many; *held (may be NULL) gets all it holds. With nothing
   * held: the receive side's error it kept, if any; else CPORT_EAGAIN if
   * a receive of its own may still take the socket's next bytes (it stops
   * reading the socket for good: the program reads it itself now, and
   * comes back shortly); else 0, and the caller reads the socket. n 0 only
   * counts. NULL: the backend never holds data (epoll).
   */
  long (*held_take)(struct cport *port, struct cp_handle *h,
                    const struct iovec *iov, unsigned n, bool peek,
                    size_t *held);
  /*
   * h->lock held, a readiness check of a stream socket that bypasses cport
   * (the Win32 layer's select, WSAPoll, WSAEventSelect): what the backend
   * took from the socket ahead of any receive, as CP_HELD_* bits, with
   * *err the receive error it kept (0 if none). From now on it stops
   * reading the socket ahead of receives, so the socket's later bytes are
   * the kernel's to report; CP_HELD_SOON while a receive of its own may
   * still take some (look again shortly). NULL: never holds (epoll).
   */
  unsigned (*held_look)(struct cport *port, struct cp_handle *h, int *err);
  /* h->lock held, a listener an accept that bypasses cport (the Win32
   * layer's accept) reads: a connection the backend accepted ahead of any
   * accept op (its descriptor, non-blocking), else -1. From now on it
   * stops accepting ahead, so later connections wait in the kernel's
   * queue. NULL: never accepts ahead (epoll). */
  int (*held_accept)(struct cport *port, struct cp_handle *h);
};

/* held_look's answer. */
enum {
  CP_HELD_DATA = 1u << 0, /* bytes wait */
  CP_HELD_END = 1u << 1,  /* the peer's end or an error waits after them */
  CP_HELD_SOON = 1u << 2, /* its receive may still take the next bytes */
};

#ifdef CPORT_HAVE_URING
CP_INTERNAL extern const struct cp_backend cp_uring_backend;
#endif
CP_INTERNAL extern const struct cp_backend cp_epoll_backend;

#endif
