/*
 * api-diag.c - the calls of cport.h that switch a port's fault mode and
 * completion trace (layer 6); diag.h and engine-diag.h do the work,
 * docs/testing.md tells users how to use them.
 */
#include "engine-diag.h"

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
