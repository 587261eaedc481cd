/*
 * test-fault.c - the fault mode (cport_set_faults, $CPORT_FAULTS): each
 * fault kind does what docs/testing.md says and nothing more (bytes kept
 * in order, every accepted call completes exactly once, a held op stays
 * busy), decisions replay by seed, and the port closes cleanly with
 * completions held. Runs once per backend; on Windows the calls must
 * answer CPORT_ENOSYS and every test skips with that reason.
 */
#include "net.h"

#if !defined(_WIN32)
#  include <poll.h>
#  include <signal.h>
#  include <sys/wait.h>
#endif

/* A port on the backend under test with the fault mode set to spec; on
 * Windows, checks the mode is refused as documented and skips. */
static cport_t *fault_port(const char *spec) {
  cport_t *p = h_port(0);
  int rc = cport_set_faults(p, spec);
  if (rc == CPORT_ENOSYS) {
    assert_string_equal(h_backend(), "iocp");
    H_OK(cport_close(p));
    H_SKIP("the fault mode is Linux only: cport_set_faults returns "
           "CPORT_ENOSYS on Windows");
  }
  H_OK(rc);
  return p;
}

/* ------------------------------------------------------------------------ */
/* Arguments                                                                 */
/* ------------------------------------------------------------------------ */

static void bad_input_and_when_it_may_change(void **state) {
  (void)state;
  H_ASSERT_RC(cport_set_faults(NULL, "on"), CPORT_EINVAL);
  H_ASSERT_RC(cport_set_trace(NULL, "x"), CPORT_EINVAL);
  cport_t *p = fault_port("off");
  const char *bad[] = {"split=2",  "split=0.5x",    "bogus=1",
                       "seed=",    "split=-1",      "delay_ms=99999999",
                       "seed=12a", "split=.",       "reset=1.5",
                       "on,zap",   "off,split=0.5", "split=0.5,off"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    H_ASSERT_RC(cport_set_faults(p, bad[i]), CPORT_EINVAL);
  H_OK(cport_set_faults(p, "seed=0x2a,split=0.25,delay=.5,delay_ms=3"));
  H_OK(cport_set_faults(p, "errors=0.01,reset=0"));
  H_OK(cport_set_faults(p, NULL)); /* off */
  H_OK(cport_set_faults(p, ","));  /* no item: off too */
  H_OK(cport_set_faults(p, "1"));
  H_OK(cport_set_trace(p, NULL));
  /* Once the port has a handle, the modes stay as they are. */
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 1, &raw);
  H_ASSERT_RC(cport_set_faults(p, "off"), CPORT_EBUSY);
  H_ASSERT_RC(cport_set_trace(p, "never-written"), CPORT_EBUSY);
  H_OK(cport_closesocket(s));
  n_raw_close(raw);
  h_close_clean(p);
  H_ASSERT_RC(cport_set_faults(p, "on"), CPORT_ECLOSED);
  H_ASSERT_RC(cport_set_trace(p, NULL), CPORT_ECLOSED);
}

/* ------------------------------------------------------------------------ */
/* split                                                                     */
/* ------------------------------------------------------------------------ */

enum { STREAM = 20000 };

static void split_cuts_receives_and_keeps_the_bytes(void **state) {
  (void)state;
  cport_t *p = fault_port("seed=5,split=1");
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 1, &raw);
  static char out[STREAM], in[STREAM];
  n_fill(out, sizeof(out), 0, 7);
  assert_int_equal(n_raw_send(raw, out, sizeof(out)), STREAM);
  size_t got = 0;
  int receives = 0, one_byte = 0;
  while (got < STREAM) {
    /* Two buffers: the cut may end in either. */
    char a[2048], b[2048];
    cport_buf_t bufs[2] = {CPORT_BUF(a, sizeof(a)), CPORT_BUF(b, sizeof(b))};
    cport_op_t op = {0};
    H_OK(cport_recv(s, bufs, 2, &op));
    cport_completion_t c = h_get(p, 5000);
    assert_ptr_equal(c.op, &op);
    H_OK(c.status);
    assert_true(c.bytes >= 1 && c.bytes < sizeof(a) + sizeof(b));
    assert_true(got + c.bytes <= STREAM);
    size_t first = c.bytes < sizeof(a) ? c.bytes : sizeof(a);
    memcpy(in + got, a, first);
    memcpy(in + got + first, b, c.bytes - first);
    got += c.bytes;
    receives++;
    one_byte += c.bytes == 1;
  }
  /* Every byte, in order, each receive cut short. */
  assert_memory_equal(in, out, STREAM);
  assert_true(receives > STREAM / 4096);
  printf("# %d receives, %d of one byte\n", receives, one_byte);
  H_OK(cport_closesocket(s));
  n_raw_close(raw);
  h_close_clean(p);
}

/* ------------------------------------------------------------------------ */
/* Reproducibility                                                           */
/* ------------------------------------------------------------------------ */

enum { REPLAY_MAX = 4096 };

/* One single-threaded run: a 30000-byte stream already queued, taken by
 * one receive at a time on a skip-on-success socket; what each call
 * returned and each receive took. Returns the number of receives. */
static int replay(const char *spec, int *rcs, uint32_t *sizes) {
  cport_t *p = fault_port(spec);
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 1, &raw);
  H_OK(cport_set_handle_flags(s, CPORT_SKIP_ON_SUCCESS));
  static char out[30000];
  n_fill(out, sizeof(out), 0, 3);
  assert_int_equal(n_raw_send(raw, out, sizeof(out)), (int)sizeof(out));
  h_sleep_ms(20); /* all of it in the socket's receive queue */
  size_t got = 0;
  int n = 0;
  static char buf[8192];
  while (got < sizeof(out) && n < REPLAY_MAX) {
    cport_buf_t b = CPORT_BUF(buf, sizeof(buf));
    cport_op_t op = {0};
    int rc = cport_recv(s, &b, 1, &op);
    uint32_t bytes;
    if (rc == CPORT_COMPLETED) {
      bytes = cport_op_bytes(&op);
    } else {
      H_OK(rc);
      cport_completion_t c = h_get(p, 5000);
      assert_ptr_equal(c.op, &op);
      H_OK(c.status);
      bytes = c.bytes;
    }
    assert_int_equal(n_check(buf, bytes, got, 3), 0);
    rcs[n] = rc;
    sizes[n++] = bytes;
    got += bytes;
  }
  assert_int_equal(got, sizeof(out));
  H_OK(cport_closesocket(s));
  n_raw_close(raw);
  h_close_clean(p);
  return n;
}

static void the_same_seed_gives_the_same_faults(void **state) {
  (void)state;
  static int rc1[REPLAY_MAX], rc2[REPLAY_MAX], rc3[REPLAY_MAX];
  static uint32_t n1[REPLAY_MAX], n2[REPLAY_MAX], n3[REPLAY_MAX];
  int a = replay("seed=11,split=0.7,pending=0.5", rc1, n1);
  int b = replay("seed=11,split=0.7,pending=0.5", rc2, n2);
  int c = replay("seed=12,split=0.7,pending=0.5", rc3, n3);
  assert_int_equal(a, b);
  assert_memory_equal(rc1, rc2, (size_t)a * sizeof(int));
  assert_memory_equal(n1, n2, (size_t)a * sizeof(uint32_t));
  bool differs = a != c;
  for (int i = 0; !differs && i < a; i++)
    differs = n1[i] != n3[i] || rc1[i] != rc3[i];
  assert_true(differs);
  int inline_done = 0;
  for (int i = 0; i < a; i++)
    inline_done += rc1[i] == CPORT_COMPLETED;
  /* pending=0.5: some finished inside the call, some were made to
   * complete through the port. */
  assert_true(inline_done > 0 && inline_done < a);
  printf("# seed 11: %d receives, %d inline; seed 12: %d receives\n", a,
         inline_done, c);
}

/* ------------------------------------------------------------------------ */
/* pending                                                                   */
/* ------------------------------------------------------------------------ */

static void pending_completes_through_the_port_with_the_op_busy(void **state) {
  (void)state;
  /* Held 0.2 to 50 ms: long enough to look at the op after the call. */
  cport_t *p = fault_port("seed=2,pending=1,delay_ms=50");
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 1, &raw);
  H_OK(cport_set_handle_flags(s, CPORT_SKIP_ON_SUCCESS));
  for (int i = 0; i < 20; i++) {
    cport_op_t op = {0};
    cport_buf_t b = CPORT_BUF("0123456789", 10);
    /* It would finish inside the call; it must come through the port. */
    H_OK(cport_send(s, &b, 1, &op));
    /* Still the port's: not finished, not to be reused. */
    assert_int_equal(cport_op_status(&op), CPORT_EINPROGRESS);
    H_ASSERT_RC(cport_send(s, &b, 1, &op), CPORT_EBUSY);
    cport_completion_t c = h_get(p, 5000);
    assert_ptr_equal(c.op, &op);
    H_OK(c.status);
    assert_int_equal(c.bytes, 10);
    char in[10];
    assert_int_equal(n_raw_recv_all(raw, in, 10), 0);
    assert_memory_equal(in, "0123456789", 10);
  }
  h_expect_none(p, 20);
  H_OK(cport_closesocket(s));
  n_raw_close(raw);
  h_close_clean(p);
}

/* ------------------------------------------------------------------------ */
/* delay                                                                     */
/* ------------------------------------------------------------------------ */

enum { PAIRS = 16, PER = 4 };

static void delay_reorders_handles_but_not_one_handle(void **state) {
  (void)state;
  cport_t *p = fault_port("seed=8,delay=1,delay_ms=20");
  cport_handle_t s[PAIRS];
  n_sock_t raw[PAIRS];
  static cport_op_t ops[PAIRS][PER];
  static char bufs[PAIRS][PER];
  memset(ops, 0, sizeof(ops));
  for (int i = 0; i < PAIRS; i++) {
    n_pair_raw(p, &s[i], (uintptr_t)i, &raw[i]);
    for (int j = 0; j < PER; j++) {
      cport_buf_t b = CPORT_BUF(&bufs[i][j], 1);
      H_OK(cport_recv(s[i], &b, 1, &ops[i][j]));
    }
  }
  /* Each peer sends its four bytes, peers in order 0..15. */
  for (int i = 0; i < PAIRS; i++)
    assert_int_equal(n_raw_send(raw[i], "abcd", PER), PER);
  int next[PAIRS] = {0}, first_seen[PAIRS], firsts = 0;
  for (int n = 0; n < PAIRS * PER; n++) {
    cport_completion_t c = h_get(p, 5000);
    int i = (int)c.key;
    assert_true(i >= 0 && i < PAIRS);
    /* One handle's receives complete in posting order, bytes in order. */
    assert_ptr_equal(c.op, &ops[i][next[i]]);
    H_OK(c.status);
    assert_int_equal(c.bytes, 1);
    assert_int_equal(bufs[i][next[i]], "abcd"[next[i]]);
    if (next[i]++ == 0)
      first_seen[firsts++] = i;
  }
  /* Different handles overtook each other. */
  int inversions = 0;
  for (int k = 1; k < PAIRS; k++)
    inversions += first_seen[k] < first_seen[k - 1];
  printf("# %d inversions among the first completions of %d handles\n",
         inversions, PAIRS);
  assert_true(inversions > 0);
  for (int i = 0; i < PAIRS; i++) {
    H_OK(cport_closesocket(s[i]));
    n_raw_close(raw[i]);
  }
  h_close_clean(p);
}

static void close_publishes_held_completions(void **state) {
  (void)state;
  cport_t *p = fault_port("seed=4,delay=1,delay_ms=3000");
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 1, &raw);
  cport_op_t *op = calloc(1, sizeof(*op));
  cport_buf_t b = CPORT_BUF("x", 1);
  H_OK(cport_send(s, &b, 1, op));
  h_sleep_ms(20);
  uint64_t t0 = h_now_ms();
  H_OK(cport_close(p));
  assert_true(h_now_ms() - t0 < 1500); /* no waiting out the hold */
  /* The op is its owner's again: its result published, nothing queued. */
  H_OK(cport_op_status(op));
  assert_int_equal(cport_op_bytes(op), 1);
  free(op);
  H_OK(cport_closesocket(s));
  n_raw_close(raw);
}

/* ------------------------------------------------------------------------ */
/* reset                                                                     */
/* ------------------------------------------------------------------------ */

static void reset_ends_pending_ops_and_sticks(void **state) {
  (void)state;
  cport_t *p = fault_port("seed=6,reset=1");
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 1, &raw);
  char rbuf[16];
  cport_buf_t rb = CPORT_BUF(rbuf, sizeof(rbuf));
  cport_op_t rop = {0};
  H_OK(cport_recv(s, &rb, 1, &rop)); /* pending: nothing was sent */
  /* Sends until one meets the reset (a quarter of the calls on a chosen
   * connection do), at the call or in its completion. */
  bool reset = false, recv_done = false;
  for (int i = 0; i < 64 && !reset; i++) {
    cport_op_t sop = {0};
    cport_buf_t sb = CPORT_BUF("ping", 4);
    int rc = cport_send(s, &sb, 1, &sop);
    if (rc == CPORT_ECONNRESET) {
      reset = true;
      break;
    }
    H_OK(rc);
    for (;;) {
      cport_completion_t c = h_get(p, 5000);
      if (c.op == &rop) {
        H_ASSERT_RC(c.status, CPORT_ECONNRESET);
        recv_done = true;
        continue;
      }
      assert_ptr_equal(c.op, &sop);
      if (c.status == CPORT_ECONNRESET)
        reset = true;
      else
        H_OK(c.status);
      break;
    }
  }
  assert_true(reset);
  /* The pending receive ends with the reset too. */
  if (!recv_done) {
    cport_completion_t c = h_get(p, 5000);
    assert_ptr_equal(c.op, &rop);
    H_ASSERT_RC(c.status, CPORT_ECONNRESET);
    assert_int_equal(c.bytes, 0);
  }
  /* From now on every call fails with it: sends at the call, receives at
   * the call or through the port. */
  for (int i = 0; i < 3; i++) {
    cport_op_t op = {0};
    cport_buf_t sb = CPORT_BUF("x", 1);
    H_ASSERT_RC(cport_send(s, &sb, 1, &op), CPORT_ECONNRESET);
    int rc = cport_recv(s, &rb, 1, &op);
    if (rc == 0) {
      cport_completion_t c = h_get(p, 5000);
      assert_ptr_equal(c.op, &op);
      rc = c.status;
    }
    H_ASSERT_RC(rc, CPORT_ECONNRESET);
  }
  /* The peer sees the connection end. */
  char in[64];
  int n;
  while ((n = n_raw_recv(raw, in, sizeof(in))) > 0)
    ;
  assert_true(n <= 0);
  H_OK(cport_closesocket(s));
  n_raw_close(raw);
  h_close_clean(p);
}

/* ------------------------------------------------------------------------ */
/* abort, nobufs, refuse                                                     */
/* ------------------------------------------------------------------------ */

static void abort_leaves_the_connection_for_the_next_accept(void **state) {
  (void)state;
  cport_t *p = fault_port("seed=1,abort=1");
  struct sockaddr_in addr;
  cport_handle_t l = n_listener(p, 9, &addr);
  n_sock_t raw = n_raw_client(&addr);
  for (int i = 0; i < 4; i++) {
    cport_op_t op = {0};
    H_OK(cport_accept(l, NULL, 0, &op));
    cport_completion_t c = h_get(p, 5000);
    assert_ptr_equal(c.op, &op);
    assert_true(c.status == CPORT_ECONNABORTED || c.status == CPORT_ECONNRESET);
    assert_true(cport_op_socket(&op) == CPORT_INVALID_HANDLE);
  }
  h_close_clean(p);
  /* The connection still waits: a port without faults accepts it. */
  cport_t *q = h_port(0);
  H_OK(cport_associate(q, l, 9, 0));
  cport_op_t op = {0};
  H_OK(cport_accept(l, NULL, 0, &op));
  cport_completion_t c = h_get(q, 5000);
  H_OK(c.status);
  cport_handle_t s = cport_op_socket(&op);
  assert_true(s != CPORT_INVALID_HANDLE);
  H_OK(cport_associate(q, s, 10, 0));
  assert_int_equal(n_raw_send(raw, "hi", 2), 2);
  char buf[4];
  cport_buf_t b = CPORT_BUF(buf, sizeof(buf));
  H_OK(cport_recv(s, &b, 1, &op));
  c = h_get(q, 5000);
  assert_int_equal(c.bytes, 2);
  H_OK(cport_closesocket(s));
  H_OK(cport_closesocket(l));
  n_raw_close(raw);
  h_close_clean(q);
}

static void nobufs_fails_at_the_call_and_posts_nothing(void **state) {
  (void)state;
  cport_t *p = fault_port("seed=3,nobufs=1");
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 1, &raw);
  cport_op_t op = {0};
  cport_buf_t b = CPORT_BUF("data", 4);
  H_ASSERT_RC(cport_send(s, &b, 1, &op), CPORT_ENOBUFS);
  assert_int_equal(cport_op_status(&op), CPORT_ENOBUFS); /* not busy */
  /* Receives are not among the calls that fail so. */
  assert_int_equal(n_raw_send(raw, "ok", 2), 2);
  char buf[4];
  cport_buf_t rb = CPORT_BUF(buf, sizeof(buf));
  H_OK(cport_recv(s, &rb, 1, &op));
  cport_completion_t c = h_get(p, 5000);
  assert_int_equal(c.bytes, 2);
  /* A connect fails at the call too, and touches no network. */
  struct sockaddr_in addr;
  cport_handle_t l = n_listener(NULL, 0, &addr);
  cport_handle_t cs;
  H_OK(cport_socket(AF_INET, SOCK_STREAM, 0, &cs));
  H_OK(cport_associate(p, cs, 2, 0));
  H_ASSERT_RC(
      cport_connect(cs, (struct sockaddr *)&addr, sizeof(addr), NULL, 0, &op),
      CPORT_ENOBUFS);
  /* Files: CPORT_ENOMEM, as ReadFile and WriteFile may say. */
  char path[512];
  h_temp_path(path, sizeof(path), "cport-fault-nobufs");
  cport_handle_t f;
  H_OK(cport_file_open(path,
                       CPORT_FILE_READ | CPORT_FILE_WRITE | CPORT_FILE_CREATE |
                           CPORT_FILE_TRUNCATE,
                       &f));
  H_OK(cport_associate(p, f, 3, 0));
  H_ASSERT_RC(cport_write(f, "abc", 3, 0, &op), CPORT_ENOMEM);
  H_ASSERT_RC(cport_read(f, buf, 3, 0, &op), CPORT_ENOMEM);
  h_expect_none(p, 50);
  H_OK(cport_file_close(f));
  remove(path);
  H_OK(cport_closesocket(cs));
  H_OK(cport_closesocket(l));
  H_OK(cport_closesocket(s));
  n_raw_close(raw);
  h_close_clean(p);
}

static void refuse_completes_the_connect_with_econnrefused(void **state) {
  (void)state;
  cport_t *p = fault_port("seed=3,refuse=1");
  struct sockaddr_in addr;
  cport_handle_t l = n_listener(NULL, 0, &addr);
  cport_handle_t cs;
  H_OK(cport_socket(AF_INET, SOCK_STREAM, 0, &cs));
  H_OK(cport_associate(p, cs, 2, 0));
  cport_op_t op = {0};
  H_OK(cport_connect(cs, (struct sockaddr *)&addr, sizeof(addr), "x", 1, &op));
  cport_completion_t c = h_get(p, 5000);
  assert_ptr_equal(c.op, &op);
  H_ASSERT_RC(c.status, CPORT_ECONNREFUSED);
  assert_int_equal(c.bytes, 0);
#if !defined(_WIN32)
  /* Nothing reached the listener. */
  struct pollfd pfd = {l, POLLIN, 0};
  assert_int_equal(poll(&pfd, 1, 50), 0);
#endif
  H_OK(cport_closesocket(cs));
  H_OK(cport_closesocket(l));
  h_close_clean(p);
}

/* A datagram receive meets an ICMP "port unreachable": it fails with
 * CPORT_ECONNREFUSED at the call (the report was there) or completes with
 * it and 0 bytes through the port (it came while the receive waited): the
 * mode does both. The datagram waiting stays in the socket. */
static void unreach_fails_a_datagram_receive_and_keeps_the_data(void **state) {
  (void)state;
  cport_t *p = fault_port("seed=3,unreach=1");
  struct sockaddr_in aa, ba, from;
  cport_handle_t a = n_udp(p, 1, &aa, 0), b = n_udp(p, 2, &ba, 0);
  cport_buf_t ping = CPORT_BUF("ping", 4);
  cport_op_t sop = {0}, rop = {0};
  H_OK(cport_sendto(a, &ping, 1, (struct sockaddr *)&ba, sizeof(ba), &sop));
  assert_ptr_equal(h_get(p, 5000).op, &sop);
  h_sleep_ms(20);
  char buf[16];
  cport_buf_t rb = CPORT_BUF(buf, sizeof(buf));
  int fromlen = sizeof(from);
  int at_call = 0, through_port = 0;
  for (int i = 0; i < 64 && (at_call == 0 || through_port == 0); i++) {
    int rc =
        cport_recvfrom(b, &rb, 1, (struct sockaddr *)&from, &fromlen, &rop);
    if (rc == CPORT_ECONNREFUSED) {
      at_call++;
      continue;
    }
    H_OK(rc);
    cport_completion_t c = h_get(p, 5000);
    assert_ptr_equal(c.op, &rop);
    H_ASSERT_RC(c.status, CPORT_ECONNREFUSED);
    assert_int_equal(c.bytes, 0);
    through_port++;
  }
  assert_true(at_call > 0);
  assert_true(through_port > 0);
  h_expect_none(p, 20);
#if !defined(_WIN32)
  /* The datagram is still there for the next receive. */
  assert_int_equal(recv(b, buf, sizeof(buf), MSG_DONTWAIT), 4);
  assert_memory_equal(buf, "ping", 4);
#endif
  H_OK(cport_closesocket(a));
  H_OK(cport_closesocket(b));
  h_close_clean(p);
}

/* ------------------------------------------------------------------------ */
/* Exactly once, every kind at once                                          */
/* ------------------------------------------------------------------------ */

enum { SPAIRS = 8, ROUNDS = 200, SMSG = 64 };

struct side {
  cport_handle_t s;
  cport_op_t rop, sop;
  bool r_busy, s_busy, dead;
  char rbuf[SMSG], sbuf[SMSG];
  int sent;
};

static void call_done(struct side *x, bool *busy, int rc) {
  if (rc == 0)
    *busy = true;
  else if (rc != CPORT_COMPLETED)
    x->dead = true; /* failed at the call: nothing will come */
}

/* Keeps a receive posted (receives that finish inside the call, on the
 * skip-on-success sides, are taken at once). */
static void post_recv(struct side *x) {
  while (!x->dead && !x->r_busy) {
    cport_buf_t b = CPORT_BUF(x->rbuf, SMSG);
    int rc = cport_recv(x->s, &b, 1, &x->rop);
    call_done(x, &x->r_busy, rc);
    if (rc == CPORT_COMPLETED && cport_op_bytes(&x->rop) == 0)
      x->dead = true; /* end of stream */
  }
}

static void every_call_completes_once_under_every_fault(void **state) {
  (void)state;
  cport_t *p = fault_port("seed=9,split=0.5,delay=0.5,pending=0.5,"
                          "reset=0.2,nobufs=0.005,delay_ms=3");
  static struct side sides[SPAIRS * 2];
  memset(sides, 0, sizeof(sides));
  for (int i = 0; i < SPAIRS; i++) {
    n_pair(p, &sides[2 * i].s, (uintptr_t)(2 * i), &sides[2 * i + 1].s,
           (uintptr_t)(2 * i + 1));
    H_OK(cport_set_handle_flags(sides[2 * i].s, CPORT_SKIP_ON_SUCCESS));
  }
  for (int i = 0; i < SPAIRS * 2; i++)
    post_recv(&sides[i]);
  int completions = 0, idle = 0;
  while (idle < 20) {
    /* Keep a send going on every live side. */
    for (int i = 0; i < SPAIRS * 2; i++) {
      struct side *x = &sides[i];
      while (!x->dead && !x->s_busy && x->sent < ROUNDS) {
        cport_buf_t b = CPORT_BUF(x->sbuf, SMSG);
        x->sent++;
        call_done(x, &x->s_busy, cport_send(x->s, &b, 1, &x->sop));
      }
    }
    cport_completion_t c;
    int rc = cport_get(p, &c, 50);
    if (rc == CPORT_ETIMEDOUT) {
      idle++;
      continue;
    }
    H_OK(rc);
    idle = 0;
    completions++;
    struct side *x = &sides[c.key];
    /* Each completion is of an op in flight, once. */
    if (c.op == &x->rop) {
      assert_true(x->r_busy);
      x->r_busy = false;
      if (c.status != 0 || c.bytes == 0) {
        x->dead = true;
        continue;
      }
      post_recv(x);
    } else {
      assert_ptr_equal(c.op, &x->sop);
      assert_true(x->s_busy);
      x->s_busy = false;
      if (c.status != 0)
        x->dead = true;
    }
  }
  /* Closing completes whatever is still in flight, once. */
  for (int i = 0; i < SPAIRS * 2; i++)
    H_OK(cport_closesocket(sides[i].s));
  for (;;) {
    cport_completion_t c;
    if (cport_get(p, &c, 500) != 0)
      break;
    struct side *x = &sides[c.key];
    bool *busy = c.op == &x->rop ? &x->r_busy : &x->s_busy;
    assert_true(*busy);
    *busy = false;
    completions++;
  }
  for (int i = 0; i < SPAIRS * 2; i++)
    assert_true(!sides[i].r_busy && !sides[i].s_busy);
  printf("# %d completions\n", completions);
  h_close_clean(p);
}

/* ------------------------------------------------------------------------ */
/* The environment                                                           */
/* ------------------------------------------------------------------------ */

static void set_env(const char *name, const char *value) {
#if defined(_WIN32)
  SetEnvironmentVariableA(name, value);
#else
  if (value != NULL)
    setenv(name, value, 1);
  else
    unsetenv(name);
#endif
}

static void environment_switches_every_new_port_on(void **state) {
  (void)state;
  cport_t *p = NULL;
  set_env("CPORT_FAULTS", "seed=4,nobufs=1");
  int rc = cport_create(&p, NULL);
  if (strcmp(h_backend(), "iocp") == 0) {
    /* Windows has no fault mode: the port is refused, not run without. */
    set_env("CPORT_FAULTS", NULL);
    H_ASSERT_RC(rc, CPORT_ENOSYS);
    set_env("CPORT_TRACE", "trace.txt");
    H_ASSERT_RC(cport_create(&p, NULL), CPORT_ENOSYS);
    set_env("CPORT_TRACE", NULL);
    H_SKIP("the fault mode and the trace are Linux only: CPORT_ENOSYS");
  }
  H_OK(rc);
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 1, &raw);
  cport_op_t op = {0};
  cport_buf_t b = CPORT_BUF("x", 1);
  H_ASSERT_RC(cport_send(s, &b, 1, &op), CPORT_ENOBUFS);
  H_OK(cport_closesocket(s));
  n_raw_close(raw);
  h_close_clean(p);
  /* A specification that does not parse fails cport_create. */
  set_env("CPORT_FAULTS", "split=often");
  H_ASSERT_RC(cport_create(&p, NULL), CPORT_EINVAL);
  /* A program may still switch a port off. */
  set_env("CPORT_FAULTS", "nobufs=1");
  H_OK(cport_create(&p, NULL));
  set_env("CPORT_FAULTS", NULL);
  H_OK(cport_set_faults(p, "off"));
  n_pair_raw(p, &s, 1, &raw);
  H_OK(cport_send(s, &b, 1, &op));
  cport_completion_t c = h_get(p, 5000);
  H_OK(c.status);
  H_OK(cport_closesocket(s));
  n_raw_close(raw);
  h_close_clean(p);
}

/* ------------------------------------------------------------------------ */
/* The trace                                                                 */
/* ------------------------------------------------------------------------ */

/* The trace file's records by event letter; how many in all. */
static int read_records(const char *path, int count[128]) {
  memset(count, 0, 128 * sizeof(int));
  FILE *f = h_fopen(path, "r");
  assert_non_null(f);
  char line[512];
  int lines = 0;
  while (fgets(line, sizeof(line), f) != NULL) {
    if (line[0] == '#')
      continue;
    unsigned long long t;
    long tid;
    char ev;
    assert_int_equal(sscanf(line, "%llu %ld %c", &t, &tid, &ev), 3);
    count[(unsigned char)ev & 127]++;
    lines++;
  }
  fclose(f);
  return lines;
}

#if !defined(_WIN32)
/* LeakSanitizer's check at a forked child's exit stops the world and
 * takes the allocator's lock, which a thread of the parent (the progress
 * or trace thread) may have held as fork() copied it: the child then
 * waits for ever. Its exit runs without the check (the parent's run has
 * it). LeakSanitizer calls this, when defined, before its check. */
static volatile sig_atomic_t forked_child;
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void) {
  return forked_child;
}
#endif

static void trace_records_every_event(void **state) {
  (void)state;
  char path[512];
  h_temp_path(path, sizeof(path), "cport-fault-trace.txt");
  cport_t *p = h_port(0);
  int rc = cport_set_trace(p, path);
  if (rc == CPORT_ENOSYS) {
    assert_string_equal(h_backend(), "iocp");
    H_OK(cport_close(p));
    H_SKIP("the trace is Linux only: cport_set_trace returns CPORT_ENOSYS "
           "on Windows");
  }
  H_OK(rc);
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 5, &raw);
  char buf[8];
  cport_buf_t b = CPORT_BUF(buf, sizeof(buf));
  cport_op_t rop = {0}, sop = {0}, top = {0};
  H_OK(cport_recv(s, &b, 1, &rop));
  assert_int_equal(n_raw_send(raw, "hey", 3), 3);
  h_get(p, 5000);
  cport_buf_t sb = CPORT_BUF("yo", 2);
  H_OK(cport_send(s, &sb, 1, &sop));
  h_get(p, 5000);
  H_OK(cport_post(p, 77, 1, NULL));
  h_get(p, 5000);
#if !defined(_WIN32)
  /* A forked child's exit leaves the records still buffered to the
   * parent, which writes them: once each. */
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    forked_child = 1; /* (no leak check: see __lsan_is_turned_off) */
    exit(0);
  }
  assert_int_equal(waitpid(child, NULL, 0), child);
#endif
  /* A port gone quiet: what it recorded is in the file within 100 ms (a
   * stuck or killed program leaves its trace). */
  int count[128];
  h_sleep_ms(400);
  read_records(path, count);
  assert_int_equal(count['P'], 1);
  H_OK(cport_timer(p, 78, 1, &top));
  h_get(p, 5000);
  H_OK(cport_recv(s, &b, 1, &rop));
  H_OK(cport_cancel(s, &rop));
  h_get(p, 5000);
  H_OK(cport_recv(s, &b, 1, &rop)); /* left pending: the close ends it */
  H_OK(cport_closesocket(s));
  h_get(p, 5000);
  n_raw_close(raw);
  h_close_clean(p);

  int lines = read_records(path, count);
  remove(path);
  printf("# %d records\n", lines);
  assert_int_equal(count['O'], 1);
  assert_int_equal(count['Z'], 1);
  assert_int_equal(count['S'], 5); /* recv, send, timer, recv, recv */
  assert_int_equal(count['C'], 5); /* each queued its completion */
  assert_int_equal(count['D'], 6); /* and each was taken, and the post */
  assert_int_equal(count['P'], 1);
  assert_int_equal(count['X'], 1);
  assert_int_equal(count['K'], 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(bad_input_and_when_it_may_change),
      cmocka_unit_test(split_cuts_receives_and_keeps_the_bytes),
      cmocka_unit_test(the_same_seed_gives_the_same_faults),
      cmocka_unit_test(pending_completes_through_the_port_with_the_op_busy),
      cmocka_unit_test(delay_reorders_handles_but_not_one_handle),
      cmocka_unit_test(close_publishes_held_completions),
      cmocka_unit_test(reset_ends_pending_ops_and_sticks),
      cmocka_unit_test(abort_leaves_the_connection_for_the_next_accept),
      cmocka_unit_test(nobufs_fails_at_the_call_and_posts_nothing),
      cmocka_unit_test(refuse_completes_the_connect_with_econnrefused),
      cmocka_unit_test(unreach_fails_a_datagram_receive_and_keeps_the_data),
      cmocka_unit_test(every_call_completes_once_under_every_fault),
      cmocka_unit_test(environment_switches_every_new_port_on),
      cmocka_unit_test(trace_records_every_event),
  };
  return H_RUN("fault", tests);
}
