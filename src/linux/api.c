/*
 * api.c - the port calls of cport.h on Linux that span the layers (layer
 * 6): creating a port on a backend, associating handles, handle flags,
 * and closing a port in order: its threads released, its handles' ops
 * given up, its progress thread drained and gone, its kernel objects
 * released; and the calls that switch a port's fault mode and completion
 * trace (diag.h and engine-diag.h do the work; docs/testing.md tells
 * users how to use them).
 */
#include <stdlib.h>
#include <string.h>

#include "engine-diag.h"
#include "engine.h"

/* Which backend a new port gets: io_uring by default, epoll when the
 * kernel refuses io_uring (EPERM: seccomp or io_uring_disabled; ENOSYS: no
 * io_uring; EINVAL: too old or restricted), or whichever is forced. */
static bool refuses_io_uring(int rc) {
  return rc == CPORT_EPERM || rc == CPORT_ENOSYS || rc == CPORT_EINVAL;
}

/*
 * How the kernel's work makes progress (port.h), chosen by measurement
 * (docs/design.md §3): io_uring with a dedicated progress thread, the
 * ring's single issuer, so the kernel defers its completion work to it;
 * epoll in hybrid mode, where a waiting worker harvests itself.
 * $CPORT_PROGRESS=dedicated|hybrid overrides it (for measuring).
 */
static uint8_t progress_mode(const struct cp_backend *be) {
  const char *m = getenv("CPORT_PROGRESS");
  if (m != NULL && strcmp(m, "dedicated") == 0)
    return CP_MODE_DEDICATED;
  if (m != NULL && strcmp(m, "hybrid") == 0)
    return CP_MODE_HYBRID;
  if (m != NULL && m[0] != '\0') {
    static int said;
    cp_env_complain(&said, "CPORT_PROGRESS", m, "takes dedicated or hybrid",
                    "ignored");
  }
  return be == &cp_epoll_backend ? CP_MODE_HYBRID : CP_MODE_DEDICATED;
}

static int try_backend(struct cport *port, const struct cp_backend *be) {
  port->be = be;
  port->mode = progress_mode(be);
  return be->init(port);
}

static int backend_open(struct cport *port, cport_backend_t kind) {
  switch (kind) {
  case CPORT_BACKEND_URING:
#ifdef CPORT_HAVE_URING
    return try_backend(port, &cp_uring_backend);
#else
    return CPORT_ENOSYS; /* built without liburing */
#endif
  case CPORT_BACKEND_EPOLL:
    return try_backend(port, &cp_epoll_backend);
  case CPORT_BACKEND_AUTO: {
#ifdef CPORT_HAVE_URING
    int rc = try_backend(port, &cp_uring_backend);
    if (rc == 0 || !refuses_io_uring(rc))
      return rc;
#endif
    return try_backend(port, &cp_epoll_backend);
  }
  default:
    return CPORT_ENOSYS;
  }
}

CPORT_API int cport_create(cport_t **out, const cport_options_t *opts) {
  if (out == NULL)
    return CPORT_EINVAL;
  cport_backend_t kind;
  int rc = cp_check_options(opts, &kind);
  if (rc != 0)
    return rc;
  if (kind == CPORT_BACKEND_IOCP)
    return CPORT_ENOSYS;
  struct cp_diag_env env; /* $CPORT_FAULTS, $CPORT_TRACE */
  rc = cp_diag_env_read(&env);
  if (rc != 0)
    return rc;
  struct cport *p;
  rc = cp_port_alloc(&p, opts);
  if (rc != 0)
    return rc;
  rc = backend_open(p, kind);
  if (rc != 0) {
    cp_port_free_unused(p);
    return rc;
  }
  if (CP_UNLIKELY(env.faults.on || env.trace_path != NULL)) {
    rc = env.trace_path != NULL ? cp_diag_set_trace(p, env.trace_path) : 0;
    if (rc != 0) {
      static int said;
      cp_env_complain(&said, "CPORT_TRACE", env.trace_path,
                      rc == CPORT_ENOMEM ? "no memory for the trace"
                                         : "cannot be opened for writing",
                      "cport_create fails");
    }
    if (rc == 0)
      rc = cp_diag_set_faults(p, &env.faults, cp_engine_diag_deliver, true);
    if (rc != 0) {
      cport_close(p);
      return rc;
    }
  }
  *out = p;
  return 0;
}

CPORT_API int cport_close(cport_t *p) {
  if (p == NULL)
    return CPORT_EINVAL;
  int rc = cp_port_close_begin(p);
  if (rc != 0)
    return rc;
  /* Handles lose their port; their pending operations end. */
  cp_engine_detach_port(p);
  /* The progress thread waits for what the kernel still owns, then
   * leaves; after that no thread touches the port's kernel objects. */
  cp_port_progress_stop(p);
  p->be->fini(p);
  /* Completions the fault mode holds are published, without a packet. */
  if (CP_UNLIKELY(p->diag != NULL))
    cp_diag_stop(p);
  cp_port_close_end(p);
  if (CP_UNLIKELY(p->diag != NULL))
    cp_diag_free(p); /* the trace written out */
  return 0;
}

CPORT_API const char *cport_backend(const cport_t *p) {
  return p ? p->be->name : NULL;
}

CPORT_API int cport_associate(cport_t *p, cport_handle_t h, uintptr_t key,
                              unsigned flags) {
  if (p == NULL || (flags & ~CPORT_SKIP_ON_SUCCESS) != 0)
    return CPORT_EINVAL;
  if (h < 0)
    return CPORT_EBADF;
  /* A handle brings kernel work: the port's progress thread runs from
   * now on. */
  int rc = cp_port_progress_start(p);
  if (rc != 0)
    return rc;
  return cp_engine_associate(p, h, key, flags);
}

CPORT_API int cport_set_handle_flags(cport_handle_t h, unsigned flags) {
  if (flags & ~CPORT_SKIP_ON_SUCCESS)
    return CPORT_EINVAL;
  if (h < 0)
    return CPORT_EBADF;
  return cp_engine_set_flags(h,
                             (flags & CPORT_SKIP_ON_SUCCESS) ? CP_HF_SKIP : 0);
}

/* ------------------------------------------------------------------------ */
/* The fault mode and the trace                                              */
/* ------------------------------------------------------------------------ */

/* A mode may change only before the port has any handle or timer: the
 * engine reads it without a lock. CPORT_ECLOSED, CPORT_EBUSY or 0. */
static int may_change(struct cport *p) {
  pthread_mutex_lock(&p->lock);
  int rc = p->closed                  ? CPORT_ECLOSED
           : cp_port_kernel_active(p) ? CPORT_EBUSY
                                      : 0;
  pthread_mutex_unlock(&p->lock);
  return rc;
}

CPORT_API int cport_set_faults(cport_t *port, const char *spec) {
  if (port == NULL)
    return CPORT_EINVAL;
  struct cp_fault_cfg cfg;
  int rc = cp_fault_parse(spec, &cfg);
  if (rc == 0)
    rc = may_change(port);
  if (rc == 0)
    rc = cp_diag_set_faults(port, &cfg, cp_engine_diag_deliver, false);
  return rc;
}

CPORT_API int cport_set_trace(cport_t *port, const char *path) {
  if (port == NULL)
    return CPORT_EINVAL;
  int rc = may_change(port);
  if (rc == 0)
    rc = cp_diag_set_trace(port, path != NULL && path[0] != '\0' ? path : NULL);
  return rc;
}
