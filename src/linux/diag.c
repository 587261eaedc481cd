/*
 * diag.c - a port's fault mode, trace and delay line (see diag.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "diag.h"
#include "sys.h"

uint8_t cp_diag_on;

/* Ports numbered for the trace, in this process. */
static uint32_t port_numbers;

/* ------------------------------------------------------------------------ */
/* The state                                                                 */
/* ------------------------------------------------------------------------ */

static struct cp_diag *diag_of(struct cport *p, int *rc) {
  if (p->diag != NULL)
    return p->diag;
  struct cp_diag *d = calloc(1, sizeof(*d));
  if (d == NULL) {
    *rc = CPORT_ENOMEM;
    return NULL;
  }
  pthread_mutex_init(&d->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&d->cond, &ca);
  pthread_condattr_destroy(&ca);
  d->port_id = __atomic_add_fetch(&port_numbers, 1, __ATOMIC_RELAXED);
  p->diag = d;
  return d;
}

int cp_diag_env_read(struct cp_diag_env *env) {
  memset(env, 0, sizeof(*env));
  const char *f = getenv("CPORT_FAULTS");
  int rc = cp_fault_parse(f, &env->faults);
  if (rc != 0) {
    static int said;
    cp_env_complain(&said, "CPORT_FAULTS", f,
                    "not a fault specification (docs/testing.md)",
                    "cport_create fails with CPORT_EINVAL");
    return rc;
  }
  env->faults_text = f;
  const char *t = getenv("CPORT_TRACE");
  env->trace_path = t != NULL && t[0] != '\0' ? t : NULL;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* The delay line                                                            */
/* ------------------------------------------------------------------------ */

/* A held op's fd (for its trace record), order and due time, in words of
 * its record nothing reads once the op has ended (the per-kind area's
 * tail). */
static uint64_t *hold_words(cport_op_t *op) {
  return (uint64_t *)(void *)&cp_lop(op)->u.words[15];
}

static intptr_t *held_fd_word(cport_op_t *op) {
  return (intptr_t *)(void *)&cp_lop(op)->u.words[14];
}

int cp_diag_held_fd(cport_op_t *op) {
  return (int)*held_fd_word(op);
}

static cport_op_t *next_of(cport_op_t *op) {
  return cp_lop(op)->link;
}

static void *line_main(void *arg) {
  struct cp_diag *d = arg;
  pthread_mutex_lock(&d->lock);
  while (!d->stop) {
    uint64_t now = cp_now_ns();
    /* Delivered under the lock: an op ending meanwhile on the same
     * handle waits for it, so it cannot overtake. */
    while (d->head != NULL && hold_words(d->head)[1] <= now) {
      cport_op_t *op = d->head;
      d->head = next_of(op);
      if (d->head == NULL)
        d->tail = NULL;
      d->deliver(op);
    }
    if (d->head == NULL) {
      pthread_cond_wait(&d->cond, &d->lock);
    } else {
      uint64_t due = hold_words(d->head)[1];
      struct timespec ts = {(time_t)(due / 1000000000u),
                            (long)(due % 1000000000u)};
      pthread_cond_timedwait(&d->cond, &d->lock, &ts);
    }
  }
  pthread_mutex_unlock(&d->lock);
  return NULL;
}

static int line_start(struct cp_diag *d) {
  if (d->running)
    return 0;
  d->stop = false;
  pthread_mutex_lock(&d->lock);
  d->running = cp_thread_spawn(&d->thread, 0, false, line_main, d);
  bool ok = d->running;
  pthread_mutex_unlock(&d->lock);
  return ok ? 0 : CPORT_EAGAIN;
}

/* Stops the thread; what it still holds is delivered here. */
static void line_stop(struct cp_diag *d) {
  if (d->running) {
    pthread_mutex_lock(&d->lock);
    d->stop = true;
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
  }
  pthread_mutex_lock(&d->lock);
  d->running = false;
  while (d->head != NULL) {
    cport_op_t *op = d->head;
    d->head = next_of(op);
    d->deliver(op);
  }
  d->tail = NULL;
  pthread_mutex_unlock(&d->lock);
}

bool cp_diag_waiting(struct cp_diag *d, uintptr_t order) {
  pthread_mutex_lock(&d->lock);
  cport_op_t *it = d->head;
  while (it != NULL && hold_words(it)[0] != order)
    it = next_of(it);
  pthread_mutex_unlock(&d->lock);
  return it != NULL;
}

bool cp_diag_hold(struct cp_diag *d, cport_op_t *op, uintptr_t order, bool hold,
                  uint64_t hold_ns, const struct cp_trace_rec *held) {
  pthread_mutex_lock(&d->lock);
  cport_op_t *last = NULL; /* the latest held op of the same order */
  for (cport_op_t *it = d->head; it != NULL; it = next_of(it))
    if (hold_words(it)[0] == order)
      last = it;
  if ((!hold && last == NULL) || !d->running) {
    pthread_mutex_unlock(&d->lock);
    return false;
  }
  if (d->trace != NULL) {
    struct cp_trace_rec r = *held;
    r.port = d->port_id;
    cp_trace_write(d->trace, &r);
  }
  uint64_t due = cp_now_ns() + hold_ns;
  if (last != NULL && hold_words(last)[1] > due)
    due = hold_words(last)[1];
  hold_words(op)[0] = order;
  hold_words(op)[1] = due;
  *held_fd_word(op) = held->fd;
  /* After every op due no later (so equal dues keep their order). */
  cport_op_t *prev = NULL, *it = d->head;
  while (it != NULL && hold_words(it)[1] <= due) {
    prev = it;
    it = next_of(it);
  }
  cp_lop(op)->link = it;
  if (prev != NULL)
    cp_lop(prev)->link = op;
  else
    d->head = op;
  if (it == NULL)
    d->tail = op;
  if (d->head == op)
    pthread_cond_signal(&d->cond);
  pthread_mutex_unlock(&d->lock);
  return true;
}

/* ------------------------------------------------------------------------ */
/* Switching the modes                                                       */
/* ------------------------------------------------------------------------ */

/* Says once per process, on stderr, that the environment switched the
 * fault mode on, with what to set to replay the run. */
static void announce(const struct cp_fault_cfg *cfg) {
  static bool said;
  if (__atomic_exchange_n(&said, true, __ATOMIC_RELAXED))
    return;
  char spec[256];
  cp_fault_format(cfg, spec, sizeof(spec));
  fprintf(stderr, "cport: fault injection on (CPORT_FAULTS=%s)\n", spec);
}

static void note_faults(struct cp_diag *d) {
  if (d->trace == NULL)
    return;
  char spec[256], text[320];
  cp_fault_format(&d->faults, spec, sizeof(spec));
  snprintf(text, sizeof(text), "port %u faults %s", (unsigned)d->port_id, spec);
  cp_trace_note(d->trace, text);
}

int cp_diag_set_faults(struct cport *p, const struct cp_fault_cfg *cfg,
                       cp_diag_deliver_fn *deliver, bool from_env) {
  int rc = 0;
  if (!cfg->on && p->diag == NULL)
    return 0;
  struct cp_diag *d = diag_of(p, &rc);
  if (d == NULL)
    return rc;
  if (!cfg->on) {
    line_stop(d);
    d->faults.on = false;
    return 0;
  }
  d->deliver = deliver;
  rc = line_start(d);
  if (rc != 0)
    return rc;
  d->faults = *cfg;
  __atomic_or_fetch(&cp_diag_on, CP_DIAG_FAULTS, __ATOMIC_RELEASE);
  if (from_env)
    announce(cfg);
  note_faults(d);
  return 0;
}

int cp_diag_set_trace(struct cport *p, const char *path) {
  int rc = 0;
  if (path == NULL && (p->diag == NULL || p->diag->trace == NULL))
    return 0;
  struct cp_diag *d = diag_of(p, &rc);
  if (d == NULL)
    return rc;
  struct cp_trace *t = path != NULL ? cp_trace_open(path, &rc) : NULL;
  if (path != NULL && t == NULL)
    return rc;
  if (d->trace != NULL)
    cp_trace_release(d->trace);
  d->trace = t;
  if (t == NULL)
    return 0;
  __atomic_or_fetch(&cp_diag_on, CP_DIAG_TRACE, __ATOMIC_RELEASE);
  struct cp_trace_rec r = {'O', 0, -1, 0, NULL, p->be->name, 0, 0, 0};
  cp_diag_trace(p, &r);
  if (d->faults.on)
    note_faults(d);
  return 0;
}

void cp_diag_stop(struct cport *p) {
  if (p->diag != NULL)
    line_stop(p->diag);
}

void cp_diag_free(struct cport *p) {
  struct cp_diag *d = p->diag;
  if (d == NULL)
    return;
  if (d->trace != NULL) {
    struct cp_trace_rec r = {'Z', 0, -1, 0, NULL, p->be->name, 0, 0, 0};
    cp_diag_trace(p, &r);
    cp_trace_release(d->trace);
  }
  pthread_cond_destroy(&d->cond);
  pthread_mutex_destroy(&d->lock);
  p->diag = NULL;
  free(d);
}

/* ------------------------------------------------------------------------ */
/* Trace records                                                             */
/* ------------------------------------------------------------------------ */

const char *cp_diag_kind_name(uint8_t kind) {
  static const char *const names[] = {
      [CP_OP_NONE] = "none",
      [CP_OP_RECV] = "recv",
      [CP_OP_POLLIN] = "pollin",
      [CP_OP_RECVFROM] = "recvfrom",
      [CP_OP_ACCEPT] = "accept",
      [CP_OP_SEND] = "send",
      [CP_OP_SENDTO] = "sendto",
      [CP_OP_CONNECT] = "connect",
      [CP_OP_DISCONNECT] = "disconnect",
      [CP_OP_READ] = "read",
      [CP_OP_WRITE] = "write",
      [CP_OP_TRANSMIT] = "transmit",
      [CP_OP_TIMER] = "timer",
      [CP_OP_EXTERNAL] = "external",
  };
  return kind < CP_ARRAY_LEN(names) && names[kind] ? names[kind] : "other";
}

void cp_diag_trace(struct cport *p, struct cp_trace_rec *r) {
  struct cp_diag *d = p->diag;
  if (d == NULL || d->trace == NULL)
    return;
  r->port = d->port_id;
  cp_trace_write(d->trace, r);
}

void cp_diag_post(struct cport *p, const cport_completion_t *c) {
  struct cp_trace_rec r = {'P', 0, -1, c->key, c->op, "post", c->bytes, 0, 0};
  cp_diag_trace(p, &r);
}

void cp_diag_got(struct cport *p, const cport_completion_t *c, int n) {
  for (int i = 0; i < n; i++) {
    int status = c[i].status == CP_STATUS_OPAQUE_POST ? 0 : c[i].status;
    struct cp_trace_rec r = {'D',       0,          -1,     c[i].key, c[i].op,
                             "dequeue", c[i].bytes, status, 0};
    cp_diag_trace(p, &r);
  }
}

void cp_diag_timer(struct cport *p, const cport_op_t *op, char ev, int status) {
  struct cp_trace_rec r = {ev, 0,      -1, cp_lop_const(op)->key, op, "timer",
                           0,  status, 0};
  cp_diag_trace(p, &r);
}
