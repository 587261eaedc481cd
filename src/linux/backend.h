/*
 * backend.h - the one internal interface the Linux backends implement.
 * The port core (port.c) and the socket layer never know which backend
 * runs; they call through struct cp_backend.
 */
#ifndef CPORT_LINUX_BACKEND_H
#define CPORT_LINUX_BACKEND_H

#include "port.h"

struct cp_backend {
  const char *name;
  /* Allocates port->be_data and the kernel objects. Returns 0 or -errno
   * (EPERM, ENOSYS, EINVAL make the automatic choice fall back). */
  int (*init)(struct cport *port);
  /* Releases the kernel objects; called once no thread is inside wait(). */
  void (*fini)(struct cport *port);
  /* Frees port->be_data; called when the port's memory is reused. */
  void (*free)(struct cport *port);
  /*
   * Leader only: wait up to timeout_ms (-1 forever, 0 poll) for kernel
   * events and turn them into completions in b (the batch may be flushed
   * into the port while waiting). Returns 0 or a CPORT_E* code.
   */
  int (*wait)(struct cport *port, struct cp_batch *b, int timeout_ms);
  /* Any thread, no port lock: make a wait() in progress return soon. It
   * may come after the port is closed (then it does nothing), so what it
   * touches must live until free(). */
  void (*wake)(struct cport *port);
  /* Any thread, no port lock: push deferred submissions to the kernel.
   * May be NULL. */
  void (*flush)(struct cport *port);

  /* h->lock held: h joins / leaves the port (epoll registers the fd;
   * io_uring pushes pending submissions before the fd can close). attach
   * may be NULL. */
  int (*attach)(struct cport *port, struct cp_handle *h);
  void (*detach)(struct cport *port, struct cp_handle *h);
  /*
   * h->lock held: start op, which is on its queue and may run now.
   * at_call: inside the call that issued it. Returns CP_TRY_DONE (finished;
   * status in op), CP_TRY_REJECT (failed before anything happened) or
   * CP_TRY_AGAIN (in progress: the backend reports its end later).
   */
  int (*start)(struct cport *port, struct cp_handle *h, cport_op_t *op,
               bool at_call);
  /* h->lock held: ask the kernel to stop an op it owns (INFLIGHT). */
  void (*cancel)(struct cport *port, struct cp_handle *h, cport_op_t *op);
  /* h->lock held, h closing: true if a blocking call still uses the fd
   * and the backend will close it when that returns. May be NULL. */
  bool (*close_later)(struct cport *port, struct cp_handle *h);
};

#ifdef CPORT_HAVE_URING
CP_INTERNAL extern const struct cp_backend cp_uring_backend;
#endif
CP_INTERNAL extern const struct cp_backend cp_epoll_backend;

/* Picks and initialises the backend for a new port (backend-select.c). */
CP_INTERNAL int cp_backend_open(struct cport *port, cport_backend_t kind);

#endif
