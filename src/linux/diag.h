/*
 * diag.h - a port's fault mode and completion trace (layer 1): its fault
 * specification and ticket counter, its trace writer, and the delay line
 * that holds completions back. docs/testing.md tells users what they do.
 *
 * Off costs nothing: every hook in the engine and the port core is one
 * branch on cp_diag_on, a process-wide byte that stays 0 until some port
 * switches a mode on, and is never cleared. The hook then looks at its
 * port's state (port->diag), which may still be NULL.
 *
 * The delay line. A held completion waits, its op still busy, on a list
 * ordered by due time; a thread of the port's own hands it to the port
 * when it is due. Completions of one handle and one direction (its
 * receive side, its send side) keep their order: a completion whose
 * predecessor waits is held too, and never due before it. Completions of
 * different handles overtake each other.
 */
#ifndef CPORT_LINUX_DIAG_H
#define CPORT_LINUX_DIAG_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "fault.h"
#include "op.h"
#include "port.h"
#include "trace.h"

/* cp_diag_on bits. */
enum { CP_DIAG_FAULTS = 1u << 0, CP_DIAG_TRACE = 1u << 1 };
CP_INTERNAL extern uint8_t cp_diag_on;

/* The hooks' test: one load (relaxed: a plain load on every CPU) and one
 * branch, never taken while no port has a mode on. */
static inline bool cp_diag_active(void) {
  return __atomic_load_n(&cp_diag_on, __ATOMIC_RELAXED) != 0;
}

/* Hands a held op to its port: publishes it, signals its event, queues
 * its completion (the engine's, diag.c cannot end ops). */
typedef void cp_diag_deliver_fn(cport_op_t *op);

struct cp_diag {
  struct cp_fault_cfg faults; /* faults.on: the fault mode is on */
  uint64_t tickets;           /* ops begun on the port (atomic) */
  uint32_t handles;           /* handles numbered so far (atomic) */
  struct cp_trace *trace;     /* NULL: no trace */
  uint32_t port_id;           /* the port's number in the trace */

  /* The delay line. */
  pthread_mutex_t lock;
  pthread_cond_t cond; /* a new earliest entry, or stop */
  pthread_t thread;
  bool running, stop;
  cport_op_t *head, *tail; /* held ops by due time, via lop.link */
  cp_diag_deliver_fn *deliver;
};

/* What $CPORT_FAULTS and $CPORT_TRACE ask of every new port, read before
 * the port is made so a bad specification fails cport_create. */
struct cp_diag_env {
  struct cp_fault_cfg faults;
  const char *trace_path;  /* NULL: none */
  const char *faults_text; /* the variable as given, or NULL */
};
/* Returns 0, or CPORT_EINVAL for a specification that does not parse. */
CP_INTERNAL int cp_diag_env_read(struct cp_diag_env *env);

/* Switches the fault mode of p on (cfg->on) or off, and with it the delay
 * line. `from_env`: say so on stderr, with the seed, for a program that
 * does not know it runs under faults. Returns 0, CPORT_ENOMEM or
 * CPORT_EAGAIN (no thread). */
CP_INTERNAL int cp_diag_set_faults(struct cport *p,
                                   const struct cp_fault_cfg *cfg,
                                   cp_diag_deliver_fn *deliver, bool from_env);
/* Starts (path) or stops (NULL) p's trace. Returns 0 or a CPORT_E* code
 * (the file cannot be created). */
CP_INTERNAL int cp_diag_set_trace(struct cport *p, const char *path);
/* The port closes (its backend is gone): the delay line stops and what
 * it held is published, without a completion (the queue is gone). */
CP_INTERNAL void cp_diag_stop(struct cport *p);
/* After cp_port_close_end (which traces the timers it drops): the trace
 * is written out and the state freed. */
CP_INTERNAL void cp_diag_free(struct cport *p);

/* A ticket for a new op: its number among the port's ops. */
static inline uint64_t cp_diag_ticket(struct cp_diag *d) {
  return __atomic_fetch_add(&d->tickets, 1, __ATOMIC_RELAXED);
}

/*
 * Offers op's completion to the delay line. `order` names its handle and
 * direction. Held (true) if `hold` or if an earlier completion of the
 * same order waits; it is then due hold_ns from now, and never before
 * that one, and `held` is traced (before the line can deliver it). op's
 * record must hold its final status, and the completions that ended
 * before it must be queued already.
 */
CP_INTERNAL bool cp_diag_hold(struct cp_diag *d, cport_op_t *op,
                              uintptr_t order, bool hold, uint64_t hold_ns,
                              const struct cp_trace_rec *held);
/* The fd a held op's handle had when it was held (its handle may have
 * been closed since, and the slot reused). */
CP_INTERNAL int cp_diag_held_fd(cport_op_t *op);
/* Whether a completion of this order waits in the line. */
CP_INTERNAL bool cp_diag_waiting(struct cp_diag *d, uintptr_t order);

/* ------------------------------------------------------------------------ */
/* Trace records                                                             */
/* ------------------------------------------------------------------------ */

/* The word for an op kind. */
CP_INTERNAL const char *cp_diag_kind_name(uint8_t kind);
/* Appends a record for p (its port number filled in), if p traces. */
CP_INTERNAL void cp_diag_trace(struct cport *p, struct cp_trace_rec *r);

/* The port core's hooks (each called after a cp_diag_on check). */
CP_INTERNAL void cp_diag_post(struct cport *p, const cport_completion_t *c);
CP_INTERNAL void cp_diag_got(struct cport *p, const cport_completion_t *c,
                             int n);
/* A timer started ('S') or ended ('C', with its status). */
CP_INTERNAL void cp_diag_timer(struct cport *p, const cport_op_t *op, char ev,
                               int status);

#endif
