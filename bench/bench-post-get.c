/*
 * bench-post-get.c - custom post -> get through a cport port, against a
 * plain mutex + condition-variable queue measured in the same run.
 *
 *   throughput: P producers post, P consumers take, for P = 1, 2, 4
 *   rtt:        P clients each post a request and wait for the reply a
 *               server thread posts back to the client's own queue
 *   single:     one thread, post then get, in a loop (ns per round trip)
 *
 * Each case alternates cport and baseline runs and reports medians, one
 * machine-readable line per case:
 *   bench=post-get backend=B case=C pairs=P cport=X baseline=Y unit=U ratio=R
 * ratio > 1 means cport is better (higher rate, or lower latency). The
 * last line repeats the two figures the project's goals name:
 *   bench=post-get backend=B summary throughput_2_pairs_ratio=R
 *     single_thread_post_get_ns=N
 * (goals: a ratio of 3 or more with 2 producer/consumer pairs, and under
 * 40 ns for a post and a get on one thread).
 *
 *   bench-post-get [SCALE]   (SCALE 1 by default; 0.1 for a quick run)
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cport.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof(*v), cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ------------------------------------------------------------------------ */
/* The baseline: a mutex + condition variable FIFO                           */
/* ------------------------------------------------------------------------ */

struct mq_item {
  struct mq_item *next;
  uintptr_t key;
};

struct mq {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  struct mq_item *head, *tail;
};

static void mq_init(struct mq *q) {
  pthread_mutex_init(&q->lock, NULL);
  pthread_cond_init(&q->cond, NULL);
  q->head = q->tail = NULL;
}

static void mq_destroy(struct mq *q) {
  pthread_mutex_destroy(&q->lock);
  pthread_cond_destroy(&q->cond);
}

static void mq_post(struct mq *q, uintptr_t key) {
  struct mq_item *it = malloc(sizeof(*it));
  it->key = key;
  it->next = NULL;
  pthread_mutex_lock(&q->lock);
  if (q->tail)
    q->tail->next = it;
  else
    q->head = it;
  q->tail = it;
  pthread_cond_signal(&q->cond);
  pthread_mutex_unlock(&q->lock);
}

static uintptr_t mq_get(struct mq *q) {
  pthread_mutex_lock(&q->lock);
  while (q->head == NULL)
    pthread_cond_wait(&q->cond, &q->lock);
  struct mq_item *it = q->head;
  q->head = it->next;
  if (q->head == NULL)
    q->tail = NULL;
  pthread_mutex_unlock(&q->lock);
  uintptr_t key = it->key;
  free(it);
  return key;
}

/* ------------------------------------------------------------------------ */
/* A queue abstraction over both                                             */
/* ------------------------------------------------------------------------ */

struct q {
  cport_t *port; /* NULL: use mq */
  struct mq mq;
};

static void q_open(struct q *q, bool use_cport) {
  memset(q, 0, sizeof(*q));
  if (use_cport) {
    cport_options_t o;
    memset(&o, 0, sizeof(o));
    o.concurrency = 0; /* the default: one running thread per CPU */
    if (cport_create(&q->port, &o) != 0) {
      fprintf(stderr, "cport_create failed\n");
      exit(1);
    }
  } else {
    mq_init(&q->mq);
  }
}

static void q_close(struct q *q) {
  if (q->port)
    cport_close(q->port);
  else
    mq_destroy(&q->mq);
}

static void q_post(struct q *q, uintptr_t key) {
  if (q->port)
    cport_post(q->port, key, 0, NULL);
  else
    mq_post(&q->mq, key);
}

static uintptr_t q_get(struct q *q) {
  if (q->port) {
    cport_completion_t c;
    cport_get(q->port, &c, -1);
    return c.key;
  }
  return mq_get(&q->mq);
}

/* ------------------------------------------------------------------------ */
/* Throughput                                                                */
/* ------------------------------------------------------------------------ */

struct tp {
  struct q *q;
  long n;
};

static void *tp_producer(void *arg) {
  struct tp *t = arg;
  for (long i = 0; i < t->n; i++)
    q_post(t->q, (uintptr_t)i + 1);
  return NULL;
}

static void *tp_consumer(void *arg) {
  struct tp *t = arg;
  for (long i = 0; i < t->n; i++)
    q_get(t->q);
  return NULL;
}

static double run_throughput(bool use_cport, int pairs, long per) {
  struct q q;
  q_open(&q, use_cport);
  pthread_t th[16];
  struct tp t = {&q, per};
  double t0 = now_s();
  for (int i = 0; i < pairs; i++) {
    pthread_create(&th[2 * i], NULL, tp_consumer, &t);
    pthread_create(&th[2 * i + 1], NULL, tp_producer, &t);
  }
  for (int i = 0; i < 2 * pairs; i++)
    pthread_join(th[i], NULL);
  double el = now_s() - t0;
  q_close(&q);
  return (double)per * pairs / el;
}

/* ------------------------------------------------------------------------ */
/* Round trip                                                                */
/* ------------------------------------------------------------------------ */

#define RTT_STOP UINTPTR_MAX

struct rtt {
  struct q *server;
  struct q *replies; /* one per client */
  int id;
  long n;
};

static void *rtt_server(void *arg) {
  struct rtt *r = arg;
  for (;;) {
    uintptr_t key = q_get(r->server);
    if (key == RTT_STOP)
      return NULL;
    q_post(&r->replies[key], key);
  }
}

static void *rtt_client(void *arg) {
  struct rtt *r = arg;
  for (long i = 0; i < r->n; i++) {
    q_post(r->server, (uintptr_t)r->id);
    q_get(&r->replies[r->id]);
  }
  return NULL;
}

/* Mean round trip in microseconds. */
static double run_rtt(bool use_cport, int pairs, long per) {
  struct q server, replies[8];
  q_open(&server, use_cport);
  for (int i = 0; i < pairs; i++)
    q_open(&replies[i], use_cport);
  pthread_t srv[8], cli[8];
  struct rtt rs = {&server, replies, 0, 0}, rc[8];
  for (int i = 0; i < pairs; i++)
    pthread_create(&srv[i], NULL, rtt_server, &rs);
  double t0 = now_s();
  for (int i = 0; i < pairs; i++) {
    rc[i] = (struct rtt){&server, replies, i, per};
    pthread_create(&cli[i], NULL, rtt_client, &rc[i]);
  }
  for (int i = 0; i < pairs; i++)
    pthread_join(cli[i], NULL);
  double el = now_s() - t0;
  for (int i = 0; i < pairs; i++)
    q_post(&server, RTT_STOP);
  for (int i = 0; i < pairs; i++)
    pthread_join(srv[i], NULL);
  q_close(&server);
  for (int i = 0; i < pairs; i++)
    q_close(&replies[i]);
  return el / (double)per * 1e6;
}

/* ------------------------------------------------------------------------ */
/* Single thread                                                             */
/* ------------------------------------------------------------------------ */

/* ns per post + get, one thread. */
static double run_single(bool use_cport, long n) {
  struct q q;
  q_open(&q, use_cport);
  double t0 = now_s();
  for (long i = 0; i < n; i++) {
    q_post(&q, (uintptr_t)i);
    q_get(&q);
  }
  double el = now_s() - t0;
  q_close(&q);
  return el / (double)n * 1e9;
}

/* ------------------------------------------------------------------------ */

static const char *backend_name(void) {
  cport_t *p;
  if (cport_create(&p, NULL) != 0)
    return "?";
  static char name[32];
  snprintf(name, sizeof(name), "%s", cport_backend(p));
  cport_close(p);
  return name;
}

#define RUNS 5

int main(int argc, char **argv) {
  double scale = 1.0;
  if (argc > 1)
    scale = atof(argv[1]); /* e.g. 0.1 for a quick run */
  const char *be = backend_name();
  double a[RUNS], b[RUNS];
  int pairs_list[] = {1, 2, 4};
  double ratio_2_pairs = 0;

  for (int pi = 0; pi < 3; pi++) {
    int pairs = pairs_list[pi];
    long per = (long)(1000000 * scale) / pairs;
    for (int r = 0; r < RUNS; r++) {
      a[r] = run_throughput(true, pairs, per);
      b[r] = run_throughput(false, pairs, per);
    }
    double ma = median(a, RUNS), mb = median(b, RUNS);
    if (pairs == 2)
      ratio_2_pairs = ma / mb;
    printf("bench=post-get backend=%s case=throughput pairs=%d cport=%.0f "
           "baseline=%.0f unit=ops/s ratio=%.2f\n",
           be, pairs, ma, mb, ma / mb);
    fflush(stdout);
  }
  for (int pi = 0; pi < 3; pi++) {
    int pairs = pairs_list[pi];
    long per = (long)(100000 * scale);
    for (int r = 0; r < RUNS; r++) {
      a[r] = run_rtt(true, pairs, per);
      b[r] = run_rtt(false, pairs, per);
    }
    double ma = median(a, RUNS), mb = median(b, RUNS);
    printf("bench=post-get backend=%s case=rtt pairs=%d cport=%.2f "
           "baseline=%.2f unit=us ratio=%.2f\n",
           be, pairs, ma, mb, mb / ma);
    fflush(stdout);
  }
  for (int r = 0; r < RUNS; r++) {
    a[r] = run_single(true, (long)(2000000 * scale));
    b[r] = run_single(false, (long)(2000000 * scale));
  }
  double ma = median(a, RUNS), mb = median(b, RUNS);
  printf("bench=post-get backend=%s case=single pairs=1 cport=%.1f "
         "baseline=%.1f unit=ns ratio=%.2f\n",
         be, ma, mb, mb / ma);
  printf("bench=post-get backend=%s summary throughput_2_pairs_ratio=%.2f "
         "(goal 3.00) single_thread_post_get_ns=%.1f (goal < 40)\n",
         be, ratio_2_pairs, ma);
  return 0;
}
