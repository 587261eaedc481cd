/*
 * test-progress.c - operations finish on their own, as the Windows kernel
 * finishes them: an op's result is written and its completion queued
 * whether or not any thread waits in cport_get(); cport_op_status() and
 * cport_op_wait() read it from any thread; a worker that blocks between
 * two cport_get() calls lets the port release another. Runs once per
 * backend.
 */
#include "net.h"

/* Polls op until it is no longer pending, without taking completions.
 * Returns its status (CPORT_EINPROGRESS if the deadline passed). */
static int poll_status(const cport_op_t *op, unsigned ms) {
  uint64_t until = h_now_ms() + ms;
  int st;
  while ((st = cport_op_status(op)) == CPORT_EINPROGRESS && h_now_ms() < until)
    h_sleep_ms(1);
  return st;
}

/* A new port, one connected socket on it (key), its raw peer, a
 * receive buffer of len bytes and a zeroed op, as most cases here start. */
struct conn {
  cport_t *p;
  cport_handle_t s;
  n_sock_t raw;
  char buf[64];
  cport_buf_t b; /* the first len bytes of buf */
  cport_op_t op;
};

static void conn_open(struct conn *c, uintptr_t key, size_t len) {
  memset(c, 0, sizeof(*c));
  c->p = h_port(0);
  n_pair_raw(c->p, &c->s, key, &c->raw);
  c->b = (cport_buf_t)CPORT_BUF(c->buf, len);
}

static void op_results_while_pending(void **state) {
  (void)state;
  struct conn x;
  conn_open(&x, 3, 16);
  H_ASSERT_RC(cport_op_wait(&x.op, 0), 0); /* never started: not pending */
  H_OK(cport_recv(x.s, &x.b, 1, &x.op));
  H_ASSERT_RC(cport_op_status(&x.op), CPORT_EINPROGRESS);
  assert_int_equal(cport_op_bytes(&x.op), 0);
  H_ASSERT_RC(cport_op_wait(&x.op, 0), CPORT_ETIMEDOUT);
  H_ASSERT_RC(cport_op_wait(&x.op, 20), CPORT_ETIMEDOUT);
  H_ASSERT_RC(cport_op_wait(NULL, 0), CPORT_EINVAL);
  H_ASSERT_RC(cport_op_wait(&x.op, -2), CPORT_EINVAL);
  H_OK(cport_closesocket(x.s));
  H_OK(cport_op_wait(&x.op, 5000));
  assert_int_equal(h_get(x.p, 5000).op, &x.op);
  n_raw_close(x.raw);
  h_close_clean(x.p);
}

/* Data arrives while no thread is in cport_get(): the receive finishes,
 * its bytes and status are readable, and its completion waits in the
 * port. */
static void receive_finishes_while_no_thread_waits(void **state) {
  (void)state;
  struct conn x;
  conn_open(&x, 7, 16);
  H_OK(cport_recv(x.s, &x.b, 1, &x.op));
  h_sleep_ms(50);
  assert_int_equal(n_raw_send(x.raw, "hello", 5), 5);
  H_OK(poll_status(&x.op, 5000));
  assert_int_equal(cport_op_bytes(&x.op), 5);
  assert_memory_equal(x.buf, "hello", 5);
  cport_completion_t c = h_get(x.p, 1000);
  assert_ptr_equal(c.op, &x.op);
  assert_int_equal(c.key, 7);
  assert_int_equal(c.bytes, 5);
  H_OK(c.status);
  H_OK(cport_closesocket(x.s));
  n_raw_close(x.raw);
  h_close_clean(x.p);
}

/*
 * A worker's own work reaches the kernel while it runs user code or waits
 * for one op, however the progress thread chose to sleep: (1) the
 * progress thread sleeps while no worker is out, a post from another
 * thread releases this one, which starts a receive on an empty socket and
 * then runs "user code" (sleeps) without calling cport; the data sent
 * meanwhile must complete the receive long before the worker is back.
 * (2) The worker then starts another receive and waits for that op alone
 * (cport_op_wait, as GetOverlappedResult(TRUE) does).
 */
struct released {
  cport_t *port;
  n_sock_t raw;
  cport_op_t *op;
  int done_after_ms; /* when the receive was seen complete, or -1 */
};

static void *release_then_send(void *arg) {
  struct released *r = arg;
  h_sleep_ms(50); /* the progress thread sleeps, nobody out */
  H_OK(cport_post(r->port, 42, 0, NULL));
  h_sleep_ms(20);
  assert_int_equal(n_raw_send(r->raw, "hello", 5), 5);
  uint64_t t0 = h_now_ms();
  r->done_after_ms = poll_status(r->op, 300) != CPORT_EINPROGRESS
                         ? (int)(h_now_ms() - t0)
                         : -1;
  return NULL;
}

static void a_worker_out_never_holds_its_own_io_back(void **state) {
  (void)state;
  struct conn x;
  conn_open(&x, 7, 16);
  static struct released r; /* (static: outlives a failed assertion) */
  r = (struct released){x.p, x.raw, &x.op, -1};
  h_thread_t t;
  h_thread_start(&t, release_then_send, &r);
  cport_completion_t c = h_get(x.p, 5000); /* released by the post */
  assert_int_equal(c.key, 42);
  H_OK(cport_recv(x.s, &x.b, 1, &x.op)); /* nothing there yet */
  h_sleep_ms(600);                       /* user code, no cport call */
  h_thread_join(t);
  if (r.done_after_ms < 0)
    fail_msg("the receive was still pending 300 ms after its data came, "
             "while its worker ran user code");
  H_OK(cport_op_status(&x.op));
  assert_int_equal(cport_op_bytes(&x.op), 5);
  assert_memory_equal(x.buf, "hello", 5);
  c = h_get(x.p, 1000);
  assert_ptr_equal(c.op, &x.op);
  /* (2) This worker waits for one op of its own. */
  memset(&x.op, 0, sizeof(x.op));
  H_OK(cport_recv(x.s, &x.b, 1, &x.op));
  static struct released r2;
  r2 = (struct released){x.p, x.raw, &x.op, -1};
  h_thread_start(&t, release_then_send, &r2); /* (its post waits) */
  uint64_t t0 = h_now_ms();
  H_OK(cport_op_wait(&x.op, 3000));
  assert_true(h_now_ms() - t0 < 2000);
  h_thread_join(t);
  assert_int_equal(cport_op_bytes(&x.op), 5);
  /* The receive's completion and the post's, in the order they came. */
  bool got_op = false, got_post = false;
  for (int i = 0; i < 2; i++) {
    c = h_get(x.p, 1000);
    if (c.op == &x.op)
      got_op = true;
    else if (c.op == NULL && c.key == 42)
      got_post = true;
  }
  assert_true(got_op && got_post);
  H_OK(cport_closesocket(x.s));
  n_raw_close(x.raw);
  h_close_clean(x.p);
}

struct op_waiter {
  cport_op_t *op;
  int rc;
  int status;
  uint32_t bytes;
};

static void *wait_for_op(void *arg) {
  struct op_waiter *w = arg;
  w->rc = cport_op_wait(w->op, 10000);
  w->status = cport_op_status(w->op);
  w->bytes = cport_op_bytes(w->op);
  return NULL;
}

/* Another thread waits for the op itself (GetOverlappedResult(TRUE)),
 * while nobody waits on the port. */
static void op_wait_from_another_thread(void **state) {
  (void)state;
  struct conn x;
  conn_open(&x, 1, 64);
  H_OK(cport_recv(x.s, &x.b, 1, &x.op));
  struct op_waiter w = {&x.op, -1, -1, 0};
  h_thread_t t;
  h_thread_start(&t, wait_for_op, &w);
  h_sleep_ms(100);
  assert_int_equal(n_raw_send(x.raw, "0123456789", 10), 10);
  h_thread_join(t);
  H_OK(w.rc);
  H_OK(w.status);
  assert_int_equal(w.bytes, 10);
  assert_int_equal(h_get(x.p, 1000).bytes, 10);
  H_OK(cport_closesocket(x.s));
  n_raw_close(x.raw);
  h_close_clean(x.p);
}

/* The shutdown pattern of real servers: the workers are gone, the
 * listener and a connection are closed, and the program waits for each
 * op to be done before it frees it. Every op finishes, canceled, with
 * no thread in cport_get(); the completions are then still there. */
static void close_finishes_pending_ops_without_a_waiter(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  struct sockaddr_in addr;
  cport_handle_t l = n_listener(p, 1, &addr);
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 2, &raw);
  cport_op_t aop, rop;
  memset(&aop, 0, sizeof(aop));
  memset(&rop, 0, sizeof(rop));
  char buf[16];
  cport_buf_t b = CPORT_BUF(buf, sizeof(buf));
  H_OK(cport_accept(l, NULL, 0, &aop));
  H_OK(cport_recv(s, &b, 1, &rop));
  h_sleep_ms(20);
  H_OK(cport_closesocket(l));
  H_OK(cport_closesocket(s));
  assert_int_not_equal(poll_status(&aop, 5000), CPORT_EINPROGRESS);
  assert_int_not_equal(poll_status(&rop, 5000), CPORT_EINPROGRESS);
  H_ASSERT_RC(cport_op_status(&aop), CPORT_ECANCELED);
  H_ASSERT_RC(cport_op_status(&rop), CPORT_ECANCELED);
  bool seen_a = false, seen_r = false;
  for (int i = 0; i < 2; i++) {
    cport_completion_t c = h_get(p, 5000);
    H_ASSERT_RC(c.status, CPORT_ECANCELED);
    seen_a |= c.op == &aop;
    seen_r |= c.op == &rop;
  }
  assert_true(seen_a && seen_r);
  n_raw_close(raw);
  h_close_clean(p);
}

static void timer_finishes_without_a_waiter(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  cport_op_t op;
  memset(&op, 0, sizeof(op));
  H_OK(cport_timer(p, 5, 30, &op));
  H_OK(cport_op_wait(&op, 5000));
  H_OK(cport_op_status(&op));
  cport_completion_t c = h_get(p, 1000);
  assert_ptr_equal(c.op, &op);
  assert_int_equal(c.key, 5);
  h_close_clean(p);
}

#if !defined(_WIN32)
#  include <dirent.h>

/* How many of this process's threads are named name. */
static int threads_named(const char *name) {
  int n = 0;
  DIR *d = opendir("/proc/self/task");
  assert_non_null(d);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    char path[300], comm[32] = {0};
    snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
    FILE *f = fopen(path, "r");
    if (f == NULL)
      continue; /* the thread has just left */
    if (fgets(comm, sizeof(comm), f) != NULL) {
      comm[strcspn(comm, "\n")] = '\0';
      n += strcmp(comm, name) == 0;
    }
    fclose(f);
  }
  closedir(d);
  return n;
}
#endif

/* The port's progress thread says what it is in ps -L, top -H, gdb and
 * perf, and leaves with the port. */
static void progress_thread_is_named(void **state) {
  (void)state;
#if defined(_WIN32)
  H_SKIP("Windows: the kernel moves I/O, cport starts no thread");
#else
  /* The progress thread of a port the test before closed may still be
   * leaving: count once it has. */
  uint64_t settle = h_now_ms() + 2000;
  while (threads_named("cport-progress") > 0 && h_now_ms() < settle)
    h_sleep_ms(1);
  int before = threads_named("cport-progress");
  cport_t *p = h_port(0);
  cport_op_t op;
  memset(&op, 0, sizeof(op));
  H_OK(cport_timer(p, 9, 20, &op)); /* starts the progress thread */
  uint64_t until = h_now_ms() + 2000;
  while (threads_named("cport-progress") == before && h_now_ms() < until)
    h_sleep_ms(1);
  assert_int_equal(threads_named("cport-progress"), before + 1);
  cport_completion_t c = h_get(p, 1000);
  assert_ptr_equal(c.op, &op);
  h_close_clean(p);
  /* Joined by the close; its /proc entry goes a moment after. */
  until = h_now_ms() + 2000;
  while (threads_named("cport-progress") != before && h_now_ms() < until)
    h_sleep_ms(1);
  assert_int_equal(threads_named("cport-progress"), before);
#endif
}

/* io_uring, several rings (CPORT_RINGS): handles are dealt out over the
 * port's ring and satellite rings, each owned by a thread named
 * cport-ring; data moves both ways on every one of them, in order; a
 * close with receives still pending ends them on every ring (results
 * written, no completion lost or left), and the satellites leave with
 * the port. */
#define RING_PAIRS 6
static void satellite_rings_serve_and_leave(void **state) {
  (void)state;
#if defined(_WIN32)
  H_SKIP("Windows: the kernel moves I/O, cport owns no ring");
#else
  char mode[32];
  if (strcmp(h_backend(), "io_uring") != 0)
    H_SKIP("%s: one kernel object per port, no rings", h_backend());
  if (h_getenv("CPORT_PROGRESS", mode, sizeof(mode)) &&
      strcmp(mode, "hybrid") == 0)
    H_SKIP("hybrid progress: one ring, submitted by whoever leads");
  int before = threads_named("cport-ring");
  setenv("CPORT_RINGS", "3", 1);
  cport_t *p = h_port(0);
  unsetenv("CPORT_RINGS");
  cport_handle_t s[RING_PAIRS];
  n_sock_t raw[RING_PAIRS];
  for (int i = 0; i < RING_PAIRS; i++)
    n_pair_raw(p, &s[i], (uintptr_t)i + 1, &raw[i]);
  assert_int_equal(threads_named("cport-ring"), before + 2);

  /* Each socket, twice: a receive, then a send of what it got. */
  char in[RING_PAIRS][32], out[32];
  cport_op_t op[RING_PAIRS];
  for (int round = 0; round < 2; round++) {
    memset(op, 0, sizeof(op));
    for (int i = 0; i < RING_PAIRS; i++) {
      cport_buf_t b = CPORT_BUF(in[i], sizeof(in[i]));
      H_OK(cport_recv(s[i], &b, 1, &op[i]));
    }
    for (int i = 0; i < RING_PAIRS; i++) {
      int n = snprintf(out, sizeof(out), "ring %d round %d", i, round);
      assert_int_equal(n_raw_send(raw[i], out, (size_t)n), n);
    }
    for (int i = 0; i < RING_PAIRS; i++) {
      cport_completion_t c = h_get(p, 5000);
      int k = (int)c.key - 1;
      assert_true(k >= 0 && k < RING_PAIRS);
      assert_ptr_equal(c.op, &op[k]);
      H_OK(c.status);
      int n = snprintf(out, sizeof(out), "ring %d round %d", k, round);
      assert_int_equal(c.bytes, n);
      assert_memory_equal(in[k], out, (size_t)n);
    }
    memset(op, 0, sizeof(op));
    for (int i = 0; i < RING_PAIRS; i++) {
      int n = snprintf(out, sizeof(out), "ring %d round %d", i, round);
      cport_buf_t b = CPORT_BUF(in[i], (size_t)n);
      H_OK(cport_send(s[i], &b, 1, &op[i]));
    }
    for (int i = 0; i < RING_PAIRS; i++) {
      cport_completion_t c = h_get(p, 5000);
      H_OK(c.status);
    }
    for (int i = 0; i < RING_PAIRS; i++) {
      int n = snprintf(out, sizeof(out), "ring %d round %d", i, round);
      char back[32];
      assert_int_equal(n_raw_recv_all(raw[i], back, (size_t)n), 0);
      assert_memory_equal(back, out, (size_t)n);
    }
  }

  /* Close with a receive pending on every ring. */
  memset(op, 0, sizeof(op));
  for (int i = 0; i < RING_PAIRS; i++) {
    cport_buf_t b = CPORT_BUF(in[i], sizeof(in[i]));
    H_OK(cport_recv(s[i], &b, 1, &op[i]));
  }
  h_close_clean(p);
  /* Ended before cport_close returned: no ring touches their buffers. */
  for (int i = 0; i < RING_PAIRS; i++) {
    H_OK(cport_op_wait(&op[i], 0));
    assert_int_not_equal(cport_op_status(&op[i]), 0);
    cport_closesocket(s[i]);
    n_raw_close(raw[i]);
  }
  uint64_t until = h_now_ms() + 2000;
  while (threads_named("cport-ring") != before && h_now_ms() < until)
    h_sleep_ms(1);
  assert_int_equal(threads_named("cport-ring"), before);
#endif
}

/* Concurrency 1: a released worker that blocks, and says so, lets the
 * port release another thread meanwhile (as Windows does by itself). */
struct blocker {
  cport_t *p;
  volatile int got;      /* 1: took its completion */
  volatile int blocking; /* 1: inside cport_blocking_begin/end */
  int seen_other;        /* the other thread ran while this one blocked */
  int *other_done;
};

static void *block_after_get(void *arg) {
  struct blocker *b = arg;
  cport_completion_t c = h_get(b->p, 5000);
  assert_int_equal(c.key, 1);
  H_ADD(&b->got, 1);
  H_OK(cport_blocking_begin());
  H_ADD(&b->blocking, 1);
  uint64_t until = h_now_ms() + 5000;
  while (!H_LOAD(b->other_done) && h_now_ms() < until)
    h_sleep_ms(5); /* the blocking work */
  b->seen_other = H_LOAD(b->other_done);
  H_ADD(&b->blocking, -1);
  H_OK(cport_blocking_end());
  H_ASSERT_RC(cport_blocking_end(), CPORT_EINVAL); /* not paired */
  return NULL;
}

static void blocked_worker_releases_another(void **state) {
  (void)state;
  cport_t *p = h_port(1);
  int other_done = 0;
  struct blocker b = {p, 0, 0, 0, &other_done};
  H_OK(cport_post(p, 1, 0, NULL));
  h_thread_t t;
  h_thread_start(&t, block_after_get, &b);
  uint64_t until = h_now_ms() + 5000;
  while (!H_LOAD(&b.blocking) && h_now_ms() < until)
    h_sleep_ms(1);
  assert_int_equal(H_LOAD(&b.blocking), 1);
  H_OK(cport_post(p, 2, 0, NULL));
  cport_completion_t c = h_get(p, 5000); /* released although A runs */
  assert_int_equal(c.key, 2);
  H_ADD(&other_done, 1);
  h_thread_join(t);
  assert_int_equal(b.seen_other, 1);
  h_close_clean(p);
}

/*
 * A worker sends, then runs user code for a long while without a cport
 * call, while a second worker waits. The send's completion (finished in
 * the call or in the kernel) reaches the waiting worker while the first
 * still runs: a worker may keep a completion of its own for its next
 * cport_get (dispatch.c, "Kept completions"), but only for a bounded time.
 */
struct send_taker {
  cport_t *p;
  cport_op_t *op;
  int *sender_done;
  int got_while_running; /* 1: taken before the sender's code ended */
};

static void *take_the_send(void *arg) {
  struct send_taker *t = arg;
  cport_completion_t c = h_get(t->p, 5000);
  assert_ptr_equal(c.op, t->op);
  H_OK(c.status);
  assert_int_equal(c.bytes, 5);
  t->got_while_running = !H_LOAD(t->sender_done);
  return NULL;
}

static void
a_sender_running_user_code_never_holds_its_completion(void **state) {
  (void)state;
  struct conn x;
  memset(&x, 0, sizeof(x));
  x.p = h_port(2); /* both workers may run, whatever the CPUs */
  n_pair_raw(x.p, &x.s, 9, &x.raw);
  static int sender_done; /* (static: outlive a failed assertion) */
  static struct send_taker t;
  static cport_op_t send_op;
  sender_done = 0;
  memset(&send_op, 0, sizeof(send_op));
  t = (struct send_taker){x.p, &send_op, &sender_done, 0};
  H_OK(cport_post(x.p, 1, 0, NULL));
  cport_completion_t c = h_get(x.p, 5000); /* a worker now */
  assert_int_equal(c.key, 1);
  h_thread_t th;
  h_thread_start(&th, take_the_send, &t);
  h_sleep_ms(50); /* it waits in cport_get */
  cport_buf_t b = CPORT_BUF("hello", 5);
  H_OK(cport_send(x.s, &b, 1, &send_op));
  h_sleep_ms(400); /* user code, no cport call */
  H_ADD(&sender_done, 1);
  h_thread_join(th);
  assert_int_equal(t.got_while_running, 1);
  char got[8];
  assert_int_equal(n_raw_recv(x.raw, got, sizeof(got)), 5);
  assert_memory_equal(got, "hello", 5);
  H_OK(cport_closesocket(x.s));
  n_raw_close(x.raw);
  h_close_clean(x.p);
}

/*
 * More completions at once than one harvest batch holds (64): the batch
 * fills while its harvester holds a socket's lock, and the workers it
 * wakes are woken once that lock is dropped (on epoll one wait returns up
 * to 128 of these events, so it happens every run; on io_uring when the
 * harvester falls behind). Two workers wait; a byte reaches each of 200
 * sockets at once; every receive completes exactly once, and the
 * workers' takes add up to all of them.
 */
#define BATCH_SOCKS 200

struct taker {
  cport_t *p;
  int *seen; /* per key, how many completions */
  int *left; /* completions still to take, shared */
  int took;
};

static void *take_until_done(void *arg) {
  struct taker *t = arg;
  uint64_t until = h_now_ms() + 10000;
  while (H_LOAD(t->left) > 0 && h_now_ms() < until) {
    cport_completion_t c;
    int rc = cport_get(t->p, &c, 50);
    if (rc == CPORT_ETIMEDOUT)
      continue;
    H_OK(rc);
    assert_true(c.key >= 1 && c.key <= BATCH_SOCKS);
    H_OK(c.status);
    assert_int_equal(c.bytes, 1);
    H_ADD(&t->seen[c.key - 1], 1);
    H_ADD(t->left, -1);
    t->took++;
  }
  return NULL;
}

static void a_full_batch_wakes_the_waiting_workers(void **state) {
  (void)state;
  cport_t *p = h_port(2);
  static cport_handle_t s[BATCH_SOCKS];
  static n_sock_t raw[BATCH_SOCKS];
  static char buf[BATCH_SOCKS];
  static cport_op_t op[BATCH_SOCKS];
  static int seen[BATCH_SOCKS];
  memset(op, 0, sizeof(op));
  memset(seen, 0, sizeof(seen));
  int left = BATCH_SOCKS;
  for (int i = 0; i < BATCH_SOCKS; i++) {
    n_pair_raw(p, &s[i], (uintptr_t)i + 1, &raw[i]);
    cport_buf_t b = CPORT_BUF(&buf[i], 1);
    H_OK(cport_recv(s[i], &b, 1, &op[i]));
  }
  struct taker t[2] = {{p, seen, &left, 0}, {p, seen, &left, 0}};
  h_thread_t th[2];
  for (int i = 0; i < 2; i++)
    h_thread_start(&th[i], take_until_done, &t[i]);
  h_sleep_ms(50); /* both wait in cport_get */
  for (int i = 0; i < BATCH_SOCKS; i++)
    assert_int_equal(n_raw_send(raw[i], "x", 1), 1);
  for (int i = 0; i < 2; i++)
    h_thread_join(th[i]);
  assert_int_equal(H_LOAD(&left), 0);
  assert_int_equal(t[0].took + t[1].took, BATCH_SOCKS);
  for (int i = 0; i < BATCH_SOCKS; i++) {
    assert_int_equal(seen[i], 1);
    assert_int_equal(buf[i], 'x');
    H_OK(cport_closesocket(s[i]));
    n_raw_close(raw[i]);
  }
  h_close_clean(p);
}

/* An op the kernel finished, its result already readable, while the
 * completion waits in the harvester's batch; then the next receive on
 * the socket finishes in its call. Its completion must not be queued
 * ahead of the first one's: one socket's completions come in the order
 * its ops ended (they were taken in the wrong order in up to 2% of
 * rounds). Many rounds, as the window is short. */
static void completions_of_one_socket_keep_their_order(void **state) {
  (void)state;
  cport_t *p = h_port(1);
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 4, &raw);
  int overtaken = 0;
  for (int i = 0; i < 10000; i++) {
    cport_op_t r1 = {0}, r2 = {0};
    char b1 = 0, b2 = 0;
    cport_buf_t x = CPORT_BUF(&b1, 1), y = CPORT_BUF(&b2, 1);
    H_OK(cport_recv(s, &x, 1, &r1));
    assert_int_equal(n_raw_send(raw, "ab", 2), 2);
    H_OK(cport_op_wait(&r1, 5000));
    int rc = cport_recv(s, &y, 1, &r2);
    assert_true(rc == 0 || rc == CPORT_COMPLETED);
    cport_completion_t c1 = h_get(p, 5000);
    if (rc == 0) {
      cport_completion_t c2 = h_get(p, 5000);
      assert_ptr_equal(c2.op, c1.op == &r1 ? &r2 : &r1);
    }
    if (c1.op != &r1)
      overtaken++;
    assert_int_equal(b1, 'a');
    assert_int_equal(b2, 'b');
  }
  assert_int_equal(overtaken, 0);
  H_OK(cport_closesocket(s));
  n_raw_close(raw);
  h_close_clean(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(op_results_while_pending),
      cmocka_unit_test(receive_finishes_while_no_thread_waits),
      cmocka_unit_test(op_wait_from_another_thread),
      cmocka_unit_test(a_worker_out_never_holds_its_own_io_back),
      cmocka_unit_test(close_finishes_pending_ops_without_a_waiter),
      cmocka_unit_test(timer_finishes_without_a_waiter),
      cmocka_unit_test(blocked_worker_releases_another),
      cmocka_unit_test(a_sender_running_user_code_never_holds_its_completion),
      cmocka_unit_test(a_full_batch_wakes_the_waiting_workers),
      cmocka_unit_test(completions_of_one_socket_keep_their_order),
      cmocka_unit_test(progress_thread_is_named),
      cmocka_unit_test(satellite_rings_serve_and_leave),
  };
  return H_RUN("progress", tests);
}
