/*
 * pool.c - see pool.h.
 */
#include <errno.h>
#include <time.h>

#include "pool.h"
#include "sys.h"

#define CP_POOL_IDLE_S 30 /* an idle thread leaves after this long */

static cport_op_t **link_of(cport_op_t *op) {
  return &cp_lop(op)->link;
}

void cp_pool_init(struct cp_pool *pl, unsigned max,
                  void (*run)(cport_op_t *op)) {
  pthread_mutex_init(&pl->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&pl->work, &ca);
  pthread_condattr_destroy(&ca);
  pthread_cond_init(&pl->gone, NULL);
  pl->head = pl->tail = NULL;
  pl->threads = pl->idle = 0;
  pl->max = max;
  pl->stop = false;
  pl->run = run;
}

static cport_op_t *pop_locked(struct cp_pool *pl) {
  cport_op_t *op = pl->head;
  if (op) {
    pl->head = *link_of(op);
    if (pl->head == NULL)
      pl->tail = NULL;
  }
  return op;
}

static void *worker(void *arg) {
  struct cp_pool *pl = arg;
  cp_thread_name("cport-pool");
  pthread_mutex_lock(&pl->lock);
  for (;;) {
    cport_op_t *op = pop_locked(pl);
    if (op != NULL) {
      pthread_mutex_unlock(&pl->lock);
      pl->run(op);
      pthread_mutex_lock(&pl->lock);
      continue;
    }
    if (pl->stop)
      break;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += CP_POOL_IDLE_S;
    pl->idle++;
    int rc = pthread_cond_timedwait(&pl->work, &pl->lock, &until);
    pl->idle--;
    if (rc == ETIMEDOUT && pl->head == NULL)
      break;
  }
  pl->threads--;
  pthread_cond_broadcast(&pl->gone);
  pthread_mutex_unlock(&pl->lock);
  return NULL;
}

int cp_pool_submit(struct cp_pool *pl, cport_op_t *op) {
  pthread_mutex_lock(&pl->lock);
  if (pl->stop) {
    pthread_mutex_unlock(&pl->lock);
    return CPORT_ECLOSED;
  }
  *link_of(op) = NULL;
  if (pl->tail)
    *link_of(pl->tail) = op;
  else
    pl->head = op;
  pl->tail = op;
  int rc = 0;
  if (pl->idle > 0) {
    pthread_cond_signal(&pl->work);
  } else if (pl->threads < pl->max) {
    pthread_t t;
    if (cp_thread_spawn(&t, 128 * 1024, true, worker, pl)) {
      pl->threads++;
    } else if (pl->threads == 0) {
      /* No thread at all to run it: refuse the op (resources, as an
       * allocation that failed: not a "try again"). */
      pop_locked(pl);
      rc = CPORT_ENOMEM;
    }
  }
  pthread_mutex_unlock(&pl->lock);
  return rc;
}

bool cp_pool_cancel(struct cp_pool *pl, cport_op_t *op) {
  bool found = false;
  pthread_mutex_lock(&pl->lock);
  cport_op_t *prev = NULL;
  for (cport_op_t *it = pl->head; it; prev = it, it = *link_of(it)) {
    if (it != op)
      continue;
    if (prev)
      *link_of(prev) = *link_of(it);
    else
      pl->head = *link_of(it);
    if (pl->tail == it)
      pl->tail = prev;
    found = true;
    break;
  }
  pthread_mutex_unlock(&pl->lock);
  return found;
}

void cp_pool_stop(struct cp_pool *pl) {
  pthread_mutex_lock(&pl->lock);
  pl->stop = true;
  pthread_cond_broadcast(&pl->work);
  while (pl->threads > 0)
    pthread_cond_wait(&pl->gone, &pl->lock);
  pthread_mutex_unlock(&pl->lock);
}

void cp_pool_destroy(struct cp_pool *pl) {
  pthread_mutex_destroy(&pl->lock);
  pthread_cond_destroy(&pl->work);
  pthread_cond_destroy(&pl->gone);
}
