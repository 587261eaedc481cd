/*
 * echo-client.c - load client for echo servers, on cport.
 *
 * Opens --connections connections, keeps --depth messages of --size bytes
 * in flight on each for --seconds, verifies every echoed byte against the
 * pattern it sent, and prints one machine-readable line:
 *
 *   echo-client: backend=B connections=N size=S depth=D seconds=T msgs=M
 *     msgs_per_s=R mb_per_s=X p50_us=A p99_us=B p999_us=C errors=E
 *     fairness=J
 *
 * Latencies (send of a message to the last byte of its echo) are kept in
 * a histogram exact below 1 ms and within 0.2% above, up to 30 minutes.
 * fairness is Jain's index over the messages each connection got echoed
 * in the timed window: 1 when all got the same, 1/N when one got all.
 *
 * The stream of connection i is a fixed pseudo-random table read from
 * offset i * STREAM_SKEW on, wrapping around: messages are filled and
 * checked with memcpy/memcmp, so large messages and many connections cost
 * the client little. The table's length is not a multiple of any message
 * size, so an echo of the wrong message, reordered or repeated, differs.
 *
 * Exit status 0 only if some messages went through and no error was seen.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cport.h"
#include "example-util.h"

#define KEY_QUIT ((uintptr_t)0)

/* The byte stream: a table of PATTERN_LEN pseudo-random bytes (a prime
 * length), connection i starting STREAM_SKEW * i bytes in. */
#define PATTERN_LEN 1000003u
#define STREAM_SKEW 7919u

/* Latency histogram: 1 us buckets below 2^HIST_EXACT_BITS us, then
 * 2^HIST_SUB_BITS buckets per power of two, up to 2^HIST_TOP_BITS us. */
#define HIST_EXACT_BITS 10
#define HIST_SUB_BITS 9
#define HIST_TOP_BITS 31
#define HIST_BUCKETS         \
  ((1u << HIST_EXACT_BITS) + \
   (HIST_TOP_BITS - HIST_EXACT_BITS) * (1u << HIST_SUB_BITS))

struct slot {
  cport_op_t op;
  bool busy; /* send in flight */
  bool want; /* a message waits for this slot */
};

struct cconn {
  ex_mutex_t lock;
  struct client *cl;
  int id;
  cport_handle_t s;
  cport_op_t cop, rop;
  struct slot *slots;
  char *sbuf;      /* depth * size */
  double *sent_at; /* per slot */
  char *rbuf;
  uint32_t rcap;
  uint64_t next_msg;   /* next message number to send */
  uint64_t done_msgs;  /* messages fully echoed */
  uint64_t timed_msgs; /* of those, echoed before the stop */
  uint64_t recv_off;   /* stream bytes received */
  bool dead;
};

struct client {
  struct ex_args a;
  cport_t *port;
  struct cconn *conns;
  ex_flag_t stop; /* set by main, read by the workers: ex_flag_* only */
  uint64_t msgs, errors, connected;
  uint64_t *hist; /* latency histogram, HIST_BUCKETS */
};

static unsigned char pattern[PATTERN_LEN];

static void pattern_init(void) {
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (uint32_t i = 0; i < PATTERN_LEN; i++) {
    x ^= x << 13; /* xorshift64 */
    x ^= x >> 7;
    x ^= x << 17;
    pattern[i] = (unsigned char)(x >> 32);
  }
}

/* Where byte `off` of connection id's stream is in the table. */
static uint32_t stream_pos(uint64_t off, int id) {
  return (uint32_t)((off + (uint64_t)id * STREAM_SKEW) % PATTERN_LEN);
}

/* Copies n bytes of the stream from `off` into buf. */
static void stream_fill(char *buf, uint64_t off, int id, uint32_t n) {
  uint32_t pos = stream_pos(off, id);
  while (n > 0) {
    uint32_t k = PATTERN_LEN - pos < n ? PATTERN_LEN - pos : n;
    memcpy(buf, pattern + pos, k);
    buf += k;
    n -= k;
    pos = 0;
  }
}

/* Whether buf holds the n bytes of the stream from `off`. */
static bool stream_check(const char *buf, uint64_t off, int id, uint32_t n) {
  uint32_t pos = stream_pos(off, id);
  while (n > 0) {
    uint32_t k = PATTERN_LEN - pos < n ? PATTERN_LEN - pos : n;
    if (memcmp(buf, pattern + pos, k) != 0)
      return false;
    buf += k;
    n -= k;
    pos = 0;
  }
  return true;
}

static uint32_t hist_bucket(uint64_t us) {
  if (us < (1u << HIST_EXACT_BITS))
    return (uint32_t)us;
  if (us >= (1ull << HIST_TOP_BITS))
    return HIST_BUCKETS - 1;
  uint32_t top = HIST_EXACT_BITS; /* us is in [2^top, 2^(top+1)) */
  while (us >> (top + 1))
    top++;
  uint32_t shift = top - HIST_SUB_BITS;
  return (1u << HIST_EXACT_BITS) +
         (top - HIST_EXACT_BITS) * (1u << HIST_SUB_BITS) +
         (uint32_t)((us >> shift) - (1u << HIST_SUB_BITS));
}

/* The smallest latency in bucket b, in microseconds. */
static double hist_value(uint32_t b) {
  if (b < (1u << HIST_EXACT_BITS))
    return b;
  uint32_t rest = b - (1u << HIST_EXACT_BITS);
  uint32_t top = HIST_EXACT_BITS + rest / (1u << HIST_SUB_BITS);
  uint64_t sub = (1u << HIST_SUB_BITS) + rest % (1u << HIST_SUB_BITS);
  return (double)(sub << (top - HIST_SUB_BITS));
}

static void error_seen(struct client *cl, const char *what, int rc) {
  if (ex_count(&cl->errors, 1) <= 5)
    fprintf(stderr, "echo-client: %s: %s\n", what, cport_err_name(rc));
}

/* Conn lock held. */
static void send_msg(struct cconn *c) {
  struct client *cl = c->cl;
  uint32_t size = (uint32_t)cl->a.size;
  uint64_t k = c->next_msg;
  struct slot *sl = &c->slots[k % (uint64_t)cl->a.depth];
  if (sl->busy) {
    sl->want = true; /* its previous send has not completed yet */
    return;
  }
  char *buf = c->sbuf + (k % (uint64_t)cl->a.depth) * size;
  stream_fill(buf, k * size, c->id, size);
  c->sent_at[k % (uint64_t)cl->a.depth] = ex_now();
  c->next_msg++;
  sl->busy = true;
  cport_buf_t b = CPORT_BUF(buf, size);
  int rc = cport_send(c->s, &b, 1, &sl->op);
  if (rc != 0) {
    sl->busy = false;
    c->dead = true;
    error_seen(cl, "send", rc);
  }
}

static void post_recv(struct cconn *c) {
  cport_buf_t b = CPORT_BUF(c->rbuf, c->rcap);
  int rc = cport_recv(c->s, &b, 1, &c->rop);
  if (rc != 0) {
    c->dead = true;
    error_seen(c->cl, "recv", rc);
  }
}

static void on_recv(struct cconn *c, cport_completion_t *cc) {
  struct client *cl = c->cl;
  if (cc->status != 0 || cc->bytes == 0) {
    c->dead = true;
    if (!ex_flag_get(&cl->stop))
      error_seen(cl, cc->bytes == 0 ? "server closed" : "recv done",
                 cc->status);
    return;
  }
  if (!stream_check(c->rbuf, c->recv_off, c->id, cc->bytes)) {
    error_seen(cl, "echoed byte differs", 0);
    c->dead = true;
    return;
  }
  c->recv_off += cc->bytes;
  uint64_t size = (uint64_t)cl->a.size;
  double now = ex_now();
  while (c->recv_off >= (c->done_msgs + 1) * size) {
    double us = (now - c->sent_at[c->done_msgs % (uint64_t)cl->a.depth]) * 1e6;
    ex_count(&cl->hist[hist_bucket(us > 0 ? (uint64_t)us : 0)], 1);
    if (!ex_flag_get(&cl->stop)) {
      ex_count(&cl->msgs, 1);
      c->timed_msgs++;
    }
    c->done_msgs++;
    if (!ex_flag_get(&cl->stop))
      send_msg(c);
  }
  post_recv(c);
}

static void *worker(void *arg) {
  struct client *cl = arg;
  for (;;) {
    cport_completion_t cc;
    if (cport_get(cl->port, &cc, -1) != 0 || cc.key == KEY_QUIT)
      return NULL;
    struct cconn *c = (struct cconn *)cc.key;
    ex_mutex_lock(&c->lock);
    if (cc.op == &c->cop) {
      if (cc.status != 0) {
        c->dead = true;
        error_seen(cl, "connect", cc.status);
      } else {
        ex_count(&cl->connected, 1);
        post_recv(c);
        for (int i = 0; i < cl->a.depth && !c->dead; i++)
          send_msg(c);
      }
    } else if (cc.op == &c->rop) {
      if (!c->dead)
        on_recv(c, &cc);
    } else {
      struct slot *sl = (struct slot *)cc.op;
      sl->busy = false;
      if (cc.status != 0 && !ex_flag_get(&cl->stop)) {
        c->dead = true;
        error_seen(cl, "send done", cc.status);
      } else if (sl->want && !c->dead && !ex_flag_get(&cl->stop)) {
        sl->want = false;
        send_msg(c);
      }
    }
    ex_mutex_unlock(&c->lock);
  }
}

static double percentile(const uint64_t *hist, uint64_t total, double q) {
  uint64_t want = (uint64_t)((double)total * q), seen = 0;
  for (uint32_t i = 0; i < HIST_BUCKETS; i++) {
    seen += hist[i];
    if (seen > want)
      return hist_value(i);
  }
  return hist_value(HIST_BUCKETS - 1);
}

/* Jain's fairness index of the per-connection message counts. */
static double fairness(const struct client *cl) {
  double sum = 0, sq = 0;
  for (int i = 0; i < cl->a.connections; i++) {
    double x = (double)cl->conns[i].timed_msgs;
    sum += x;
    sq += x * x;
  }
  return sq > 0 ? sum * sum / ((double)cl->a.connections * sq) : 0;
}

int main(int argc, char **argv) {
  struct client cl;
  memset(&cl, 0, sizeof(cl));
  cl.a = ex_parse(argc, argv, "echo-client");
  bool threads_given = false;
  for (int i = 1; i < argc; i++)
    threads_given |= strcmp(argv[i], "--threads") == 0;
  if (!threads_given)
    cl.a.threads = 1; /* one worker is plenty for a load client */
  struct ex_args *a = &cl.a;
  cl.hist = calloc(HIST_BUCKETS, sizeof(uint64_t));
  pattern_init();

  cl.port = ex_port_create(a);
  int rc;
  struct sockaddr_in addr;
  if (ex_resolve(a->host, a->port, &addr) != 0)
    ex_die("resolve", CPORT_EINVAL);

  cl.conns = calloc((size_t)a->connections, sizeof(struct cconn));
  for (int i = 0; i < a->connections; i++) {
    struct cconn *c = &cl.conns[i];
    ex_mutex_init(&c->lock);
    c->cl = &cl;
    c->id = i;
    c->slots = calloc((size_t)a->depth, sizeof(struct slot));
    c->sbuf = malloc((size_t)a->depth * (size_t)a->size);
    c->sent_at = calloc((size_t)a->depth, sizeof(double));
    c->rcap =
        (uint32_t)(a->size * a->depth < 65536 ? a->size * a->depth : 65536);
    c->rbuf = malloc(c->rcap);
  }
  ex_thread_t *t = calloc((size_t)a->threads, sizeof(*t));
  for (int i = 0; i < a->threads; i++)
    ex_thread_start(&t[i], worker, &cl);

  double t0 = ex_now();
  for (int i = 0; i < a->connections; i++) {
    struct cconn *c = &cl.conns[i];
    rc = cport_socket(AF_INET, SOCK_STREAM, 0, &c->s);
    if (rc == 0)
      rc = cport_associate(cl.port, c->s, (uintptr_t)c, 0);
    if (rc == 0)
      rc = cport_connect(c->s, (struct sockaddr *)&addr, sizeof(addr), NULL, 0,
                         &c->cop);
    if (rc != 0)
      ex_die("connect", rc);
  }
  while (ex_now() - t0 < a->seconds)
    ex_sleep_ms(10);
  ex_flag_set(&cl.stop);
  double elapsed = ex_now() - t0;
  uint64_t msgs = ex_count(&cl.msgs, 0);

  /* Let in-flight messages come back (still verified), then stop. */
  double t1 = ex_now();
  for (;;) {
    bool busy = false;
    for (int i = 0; i < a->connections; i++) {
      struct cconn *c = &cl.conns[i];
      ex_mutex_lock(&c->lock);
      busy |= !c->dead && c->done_msgs < c->next_msg;
      ex_mutex_unlock(&c->lock);
    }
    if (!busy || ex_now() - t1 > 5)
      break;
    ex_sleep_ms(10);
  }
  for (int i = 0; i < a->threads; i++)
    cport_post(cl.port, KEY_QUIT, 0, NULL);
  for (int i = 0; i < a->threads; i++)
    ex_thread_join(t[i]);
  char backend[16];
  snprintf(backend, sizeof(backend), "%s", cport_backend(cl.port));
  cport_close(cl.port);

  uint64_t total = 0;
  for (uint32_t i = 0; i < HIST_BUCKETS; i++)
    total += cl.hist[i];
  double fair = fairness(&cl);
  for (int i = 0; i < a->connections; i++) {
    struct cconn *c = &cl.conns[i];
    cport_closesocket(c->s);
    ex_mutex_destroy(&c->lock);
    free(c->slots);
    free(c->sbuf);
    free(c->sent_at);
    free(c->rbuf);
  }
  double rate = (double)msgs / elapsed;
  printf("echo-client: backend=%s connections=%d size=%d depth=%d "
         "seconds=%.1f msgs=%llu msgs_per_s=%.0f mb_per_s=%.2f p50_us=%.0f "
         "p99_us=%.0f p999_us=%.0f errors=%llu fairness=%.3f\n",
         backend, a->connections, a->size, a->depth, elapsed,
         (unsigned long long)msgs, rate, rate * a->size / 1e6,
         percentile(cl.hist, total, 0.50), percentile(cl.hist, total, 0.99),
         percentile(cl.hist, total, 0.999), (unsigned long long)cl.errors,
         fair);
  int ok =
      msgs > 0 && cl.errors == 0 && cl.connected == (uint64_t)a->connections;
  free(cl.conns);
  free(cl.hist);
  free(t);
  return ok ? 0 : 1;
}
