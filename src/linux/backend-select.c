/*
 * backend-select.c - which Linux backend a new port gets (DESIGN.md
 * semantic 9): io_uring by default, epoll when the kernel refuses
 * io_uring (EPERM: seccomp or io_uring_disabled; ENOSYS: no io_uring;
 * EINVAL: too old or restricted), or whichever the caller forces.
 */
#include "backend.h"

static bool refuses_io_uring(int rc) {
  return rc == CPORT_EPERM || rc == CPORT_ENOSYS || rc == CPORT_EINVAL;
}

int cp_backend_open(struct cport *port, cport_backend_t kind) {
  int rc;
  switch (kind) {
  case CPORT_BACKEND_URING:
#ifdef CPORT_HAVE_URING
    port->be = &cp_uring_backend;
    return cp_uring_backend.init(port);
#else
    return CPORT_ENOSYS; /* built without liburing */
#endif
  case CPORT_BACKEND_EPOLL:
    port->be = &cp_epoll_backend;
    return cp_epoll_backend.init(port);
  case CPORT_BACKEND_AUTO:
#ifdef CPORT_HAVE_URING
    port->be = &cp_uring_backend;
    rc = cp_uring_backend.init(port);
    if (rc == 0 || !refuses_io_uring(rc))
      return rc;
#endif
    port->be = &cp_epoll_backend;
    return cp_epoll_backend.init(port);
  default:
    (void)rc;
    return CPORT_ENOSYS;
  }
}
