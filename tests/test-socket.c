/*
 * test-socket.c - socket operations with the IOCP semantics
 * (docs/design.md §0 and §4): accept/connect, scatter/gather, zero-byte
 * receive, order, resets, skip-on-success. Datagrams: test-udp.c. How
 * operations end without their data (close, cancel, bad input):
 * test-socket-cancel.c.
 * Runs once per backend.
 */
#include "net.h"

/* ------------------------------------------------------------------------ */
/* Accept and connect                                                        */
/* ------------------------------------------------------------------------ */

static void accept_and_connect_with_data(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  struct sockaddr_in addr;
  cport_handle_t l = n_listener(p, 100, &addr);
  cport_op_t aop = {0}, cop = {0};
  H_OK(cport_accept(l, NULL, 0, &aop));

  cport_handle_t c;
  H_OK(cport_socket(AF_INET, SOCK_STREAM, 0, &c));
  H_OK(cport_associate(p, c, 200, 0));
  H_OK(cport_connect(c, (struct sockaddr *)&addr, sizeof(addr), "hello", 5,
                     &cop));

  bool got_accept = false, got_connect = false;
  for (int i = 0; i < 2; i++) {
    cport_completion_t cc = h_get(p, 5000);
    H_OK(cc.status);
    if (cc.op == &aop) {
      assert_int_equal(cc.key, 100); /* the listener's key */
      assert_int_equal(cc.bytes, 0);
      got_accept = true;
    } else {
      assert_ptr_equal(cc.op, &cop);
      assert_int_equal(cc.key, 200);
      assert_int_equal(cc.bytes, 5);
      got_connect = true;
    }
  }
  assert_true(got_accept && got_connect);

  cport_handle_t s = cport_op_socket(&aop);
  assert_true(s != CPORT_INVALID_HANDLE);
  struct sockaddr_in local, peer, cl;
  int llen = sizeof(local), plen = sizeof(peer);
  H_OK(cport_op_addresses(&aop, (struct sockaddr *)&local, &llen,
                          (struct sockaddr *)&peer, &plen));
  socklen_t clen = sizeof(cl);
  assert_int_equal(getsockname(c, (struct sockaddr *)&cl, &clen), 0);
  assert_int_equal(llen, sizeof(local));
  assert_int_equal(local.sin_port, addr.sin_port);
  assert_int_equal(peer.sin_port, cl.sin_port);

  /* The accepted socket is not associated yet; then it works. */
  char buf[16];
  cport_buf_t b = CPORT_BUF(buf, sizeof(buf));
  cport_op_t rop = {0};
  H_ASSERT_RC(cport_recv(s, &b, 1, &rop), CPORT_EINVAL);
  H_OK(cport_associate(p, s, 300, 0));
  H_OK(cport_recv(s, &b, 1, &rop));
  cport_completion_t cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &rop);
  assert_int_equal(cc.key, 300);
  assert_int_equal(cc.bytes, 5);
  assert_memory_equal(buf, "hello", 5);

  H_OK(cport_closesocket(s));
  H_OK(cport_closesocket(c));
  H_OK(cport_closesocket(l));
  h_close_clean(p);
}

static void accept_waits_for_first_data(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  struct sockaddr_in addr;
  cport_handle_t l = n_listener(p, 1, &addr);
  char buf[64];
  cport_op_t aop = {0};
  H_OK(cport_accept(l, buf, sizeof(buf), &aop));
  n_sock_t raw = n_raw_client(&addr);
  /* Connected but silent: AcceptEx with a buffer does not complete. */
  h_expect_none(p, 200);
  assert_int_equal(n_raw_send(raw, "abc", 3), 3);
  cport_completion_t cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &aop);
  H_OK(cc.status);
  assert_int_equal(cc.key, 1);
  assert_int_equal(cc.bytes, 3);
  assert_memory_equal(buf, "abc", 3);
  cport_handle_t s = cport_op_socket(&aop);
  assert_true(s != CPORT_INVALID_HANDLE);
  H_OK(cport_closesocket(s));
  n_raw_close(raw);

  /* A peer that connects and leaves without a byte: 0 bytes. */
  H_OK(cport_accept(l, buf, sizeof(buf), &aop));
  raw = n_raw_client(&addr);
  n_raw_close(raw);
  cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &aop);
  H_OK(cc.status);
  assert_int_equal(cc.bytes, 0);
  H_OK(cport_closesocket(cport_op_socket(&aop)));

  /* Cancel while it waits for data: canceled, and the socket is gone. */
  H_OK(cport_accept(l, buf, sizeof(buf), &aop));
  raw = n_raw_client(&addr);
  h_expect_none(p, 100);
  H_OK(cport_cancel(l, &aop));
  cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &aop);
  assert_int_equal(cc.status, CPORT_ECANCELED);
  assert_true(cport_op_socket(&aop) == CPORT_INVALID_HANDLE);
  char x;
  assert_int_equal(n_raw_recv(raw, &x, 1), 0); /* the server side was closed */
  n_raw_close(raw);
  H_OK(cport_closesocket(l));
  h_close_clean(p);
}

/* Several accepts wait for first data: each completes when its own
 * connection speaks, in the order they speak, not in posting order. */
static void accepts_complete_as_their_data_arrives(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  struct sockaddr_in addr;
  cport_handle_t l = n_listener(p, 1, &addr);
  enum { N = 3 };
  char bufs[N][16];
  cport_op_t aops[N];
  n_sock_t raw[N];
  memset(aops, 0, sizeof(aops));
  for (int i = 0; i < N; i++)
    H_OK(cport_accept(l, bufs[i], sizeof(bufs[i]), &aops[i]));
  for (int i = 0; i < N; i++)
    raw[i] = n_raw_client(&addr);
  h_expect_none(p, 100); /* all connected, all silent */
  const int order[N] = {2, 0, 1};
  bool done[N] = {false, false, false};
  for (int k = 0; k < N; k++) {
    char msg[3] = {'c', (char)('0' + order[k]), 0};
    assert_int_equal(n_raw_send(raw[order[k]], msg, 2), 2);
    cport_completion_t cc = h_get(p, 5000);
    H_OK(cc.status);
    assert_int_equal(cc.bytes, 2);
    int i = (int)((cport_op_t *)cc.op - aops);
    assert_true(i >= 0 && i < N && !done[i]);
    done[i] = true;
    assert_memory_equal(bufs[i], msg, 2); /* the data of the one that spoke */
    h_expect_none(p, 20);                 /* and nothing else */
    cport_handle_t s = cport_op_socket(&aops[i]);
    assert_true(s != CPORT_INVALID_HANDLE);
    H_OK(cport_closesocket(s));
  }
  for (int i = 0; i < N; i++)
    n_raw_close(raw[i]);
  H_OK(cport_closesocket(l));
  h_close_clean(p);
}

static void connect_refused_completes_with_error(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  struct sockaddr_in addr;
  cport_handle_t l = n_refusing(&addr); /* nobody listens there */
  cport_handle_t c;
  H_OK(cport_socket(AF_INET, SOCK_STREAM, 0, &c));
  H_OK(cport_associate(p, c, 5, 0));
  cport_op_t op = {0};
  H_OK(cport_connect(c, (struct sockaddr *)&addr, sizeof(addr), NULL, 0, &op));
  cport_completion_t cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &op);
  assert_int_equal(cc.key, 5);
  assert_int_equal(cc.status, CPORT_ECONNREFUSED);
  H_OK(cport_closesocket(c));
  H_OK(cport_closesocket(l));
  h_close_clean(p);
}

/* ------------------------------------------------------------------------ */
/* Data                                                                      */
/* ------------------------------------------------------------------------ */

static void scatter_receive_gather_send(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  cport_handle_t a, b;
  n_pair(p, &a, 1, &b, 2);
  cport_buf_t out[3] = {CPORT_BUF("abc", 3), CPORT_BUF("", 0),
                        CPORT_BUF("defgh", 5)};
  cport_op_t sop = {0}, rop = {0};
  H_OK(cport_send(a, out, 3, &sop));
  cport_completion_t cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &sop);
  assert_int_equal(cc.bytes, 8);
  h_sleep_ms(20);
  char x[3], y[10];
  cport_buf_t in[2] = {CPORT_BUF(x, sizeof(x)), CPORT_BUF(y, sizeof(y))};
  H_OK(cport_recv(b, in, 2, &rop));
  cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &rop);
  assert_int_equal(cc.key, 2);
  assert_int_equal(cc.bytes, 8);
  assert_memory_equal(x, "abc", 3);
  assert_memory_equal(y, "defgh", 5);
  assert_int_equal(cport_op_bytes(&rop), 8);
  H_OK(cport_op_status(&rop));
  H_OK(cport_closesocket(a));
  H_OK(cport_closesocket(b));
  h_close_clean(p);
}

/* An op record is the caller's between operations: whatever an earlier
 * operation of another kind left in its private words, the next receive
 * or send starts clean (one buffer or several, at the call or later). */
static void a_reused_op_record_starts_clean(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  cport_handle_t a, b;
  n_pair(p, &a, 1, &b, 2);
  cport_op_t sop = {0}, rop = {0};
  char in1[10] = {0}, x[2] = {0}, y[10] = {0};

  /* A receive posted before its data, then a one-buffer send. */
  memset(sop.priv, 0xA5, sizeof(sop.priv));
  memset(rop.priv, 0x5A, sizeof(rop.priv));
  cport_buf_t rb = CPORT_BUF(in1, sizeof(in1));
  H_OK(cport_recv(b, &rb, 1, &rop));
  cport_buf_t sb = CPORT_BUF("hello", 5);
  H_OK(cport_send(a, &sb, 1, &sop));
  for (int i = 0; i < 2; i++) {
    cport_completion_t cc = h_get(p, 5000);
    H_OK(cc.status);
    assert_int_equal(cc.bytes, 5);
    assert_ptr_equal(cc.key == 1 ? &sop : &rop, cc.op);
  }
  assert_memory_equal(in1, "hello", 5);

  /* A gather send, then a scatter receive of data already there. */
  memset(sop.priv, 0x5A, sizeof(sop.priv));
  memset(rop.priv, 0xA5, sizeof(rop.priv));
  cport_buf_t out[3] = {CPORT_BUF("ab", 2), CPORT_BUF("", 0),
                        CPORT_BUF("cde", 3)};
  H_OK(cport_send(a, out, 3, &sop));
  cport_completion_t cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &sop);
  H_OK(cc.status);
  assert_int_equal(cc.bytes, 5);
  h_sleep_ms(20);
  cport_buf_t in[2] = {CPORT_BUF(x, sizeof(x)), CPORT_BUF(y, sizeof(y))};
  H_OK(cport_recv(b, in, 2, &rop));
  cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &rop);
  H_OK(cc.status);
  assert_int_equal(cc.bytes, 5);
  assert_memory_equal(x, "ab", 2);
  assert_memory_equal(y, "cde", 3);
  assert_int_equal(cport_op_bytes(&rop), 5);
  H_OK(cport_closesocket(a));
  H_OK(cport_closesocket(b));
  h_close_clean(p);
}

static void zero_byte_receive_leaves_data_queued(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 7, &raw);
  cport_buf_t z = CPORT_BUF(NULL, 0);
  cport_op_t op = {0};
  H_OK(cport_recv(s, &z, 1, &op));
  h_expect_none(p, 100);
  assert_int_equal(n_raw_send(raw, "0123456789", 10), 10);
  cport_completion_t cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &op);
  H_OK(cc.status);
  assert_int_equal(cc.bytes, 0);
  char buf[16];
  cport_buf_t b = CPORT_BUF(buf, sizeof(buf));
  H_OK(cport_recv(s, &b, 1, &op));
  cc = h_get(p, 5000);
  assert_int_equal(cc.bytes, 10); /* all of it was still there */
  assert_memory_equal(buf, "0123456789", 10);
  H_OK(cport_closesocket(s));
  n_raw_close(raw);
  h_close_clean(p);
}

static void receives_fill_in_posting_order(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 1, &raw);
  char bufs[3][4];
  cport_op_t ops[3];
  memset(ops, 0, sizeof(ops));
  for (int i = 0; i < 3; i++) {
    cport_buf_t b = CPORT_BUF(bufs[i], 4);
    H_OK(cport_recv(s, &b, 1, &ops[i]));
  }
  assert_int_equal(n_raw_send(raw, "AAAABBBBCCCC", 12), 12);
  for (int i = 0; i < 3; i++) {
    cport_completion_t cc = h_get(p, 5000);
    assert_ptr_equal(cc.op, &ops[i]);
    assert_int_equal(cc.bytes, 4);
    char want[4];
    memset(want, 'A' + i, 4);
    assert_memory_equal(bufs[i], want, 4);
  }
  H_OK(cport_closesocket(s));
  n_raw_close(raw);
  h_close_clean(p);
}

/* Takes exactly len bytes into buf with receives of up to len bytes
 * each (a receive may return less); returns how many receives it took. */
static int take_exactly(cport_t *p, cport_handle_t s, char *buf, size_t len) {
  int n = 0;
  size_t got = 0;
  while (got < len) {
    cport_op_t op;
    memset(&op, 0, sizeof(op));
    cport_buf_t b = CPORT_BUF(buf + got, len - got);
    H_OK(cport_recv(s, &b, 1, &op));
    cport_completion_t cc = h_get(p, 5000);
    assert_ptr_equal(cc.op, &op);
    H_OK(cc.status);
    assert_true(cc.bytes > 0 && cc.bytes <= len - got);
    got += cc.bytes;
    n++;
  }
  return n;
}

/* A stream whose data sometimes waits for the receive and sometimes comes
 * after it. io_uring receives straight into the posted buffer while data
 * waits and moves a socket whose data keeps coming after the receive to
 * the multishot receive (docs/design.md §5), in the middle of a stream:
 * every byte arrives once and in order, whichever way it came. */
static void receives_keep_order_as_data_waits_or_not(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 1, &raw);
  static char sent[96 * 1024], got[96 * 1024];
  n_fill(sent, sizeof(sent), 0, 11);
  size_t off = 0;
  for (int round = 0; round < 32; round++) {
    size_t n = 64 + (size_t)round * 173;
    assert_true(off + n <= sizeof(sent));
    /* Eight rounds each way, in turn: io_uring moves a socket after 8
     * receives in a row that found it empty (uring-recv.c). */
    bool waits = (round / 8) % 2 == 0;
    if (waits) {
      /* The data is there before the receive is posted. */
      assert_int_equal(n_raw_send(raw, sent + off, n), (int)n);
      h_sleep_ms(2);
      take_exactly(p, s, got + off, n);
    } else {
      /* The receive waits, then the data comes. */
      cport_op_t op;
      memset(&op, 0, sizeof(op));
      cport_buf_t b = CPORT_BUF(got + off, n);
      H_OK(cport_recv(s, &b, 1, &op));
      h_sleep_ms(1);
      assert_int_equal(n_raw_send(raw, sent + off, n), (int)n);
      cport_completion_t cc = h_get(p, 5000);
      assert_ptr_equal(cc.op, &op);
      H_OK(cc.status);
      assert_true(cc.bytes > 0 && cc.bytes <= n);
      if (cc.bytes < n)
        take_exactly(p, s, got + off + cc.bytes, n - cc.bytes);
    }
    off += n;
  }
  /* Then a burst larger than any one receive, already waiting. */
  size_t rest = sizeof(sent) - off;
  assert_int_equal(n_raw_send(raw, sent + off, rest), (int)rest);
  take_exactly(p, s, got + off, rest);
  assert_memory_equal(got, sent, sizeof(sent));
  H_OK(cport_closesocket(s));
  n_raw_close(raw);
  h_close_clean(p);
}

struct slow_reader {
  n_sock_t fd;
  size_t total;
  int bad;
};

static void *read_slowly(void *arg) {
  struct slow_reader *r = arg;
  static char buf[65536];
  size_t got = 0;
  while (got < r->total) {
    int n = n_raw_recv(r->fd, buf, sizeof(buf));
    if (n <= 0) {
      r->bad = 1;
      break;
    }
    /* Four streams of 2 MiB, each with its own pattern, in order. */
    for (int i = 0; i < n; i++) {
      size_t at = got + (size_t)i;
      uint32_t seed = (uint32_t)(at / (2u << 20));
      if (n_check(buf + i, 1, at % (2u << 20), seed) != 0) {
        r->bad = 1;
        return NULL;
      }
    }
    got += (size_t)n;
    h_sleep_ms(1);
  }
  return NULL;
}

static void large_sends_go_out_whole_and_in_order(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 1, &raw);
  enum { EACH = 2 << 20, N = 4 };
  char *data[N];
  cport_op_t ops[N];
  memset(ops, 0, sizeof(ops));
  for (int i = 0; i < N; i++) {
    data[i] = malloc(EACH);
    n_fill(data[i], EACH, 0, (uint32_t)i);
    /* Two halves per send: a gather that spans partial writes. */
    cport_buf_t b[2] = {CPORT_BUF(data[i], EACH / 2 + 1),
                        CPORT_BUF(data[i] + EACH / 2 + 1, EACH / 2 - 1)};
    H_OK(cport_send(s, b, 2, &ops[i]));
  }
  struct slow_reader r = {raw, (size_t)EACH * N, 0};
  h_thread_t t;
  h_thread_start(&t, read_slowly, &r);
  for (int i = 0; i < N; i++) {
    cport_completion_t cc = h_get(p, 60000);
    assert_ptr_equal(cc.op, &ops[i]); /* completes in posting order */
    H_OK(cc.status);
    assert_int_equal(cc.bytes, EACH);
  }
  h_thread_join(t);
  assert_int_equal(r.bad, 0);
  for (int i = 0; i < N; i++)
    free(data[i]);
  H_OK(cport_closesocket(s));
  n_raw_close(raw);
  h_close_clean(p);
}

static void peer_reset_and_graceful_close(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  cport_handle_t s;
  n_sock_t raw;
  char buf[16];
  cport_buf_t b = CPORT_BUF(buf, sizeof(buf));
  cport_op_t op = {0};

  n_pair_raw(p, &s, 1, &raw);
  H_OK(cport_recv(s, &b, 1, &op));
  n_reset(raw);
  cport_completion_t cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &op);
  assert_int_equal(cc.status, CPORT_ECONNRESET);
  H_OK(cport_closesocket(s));

  n_pair_raw(p, &s, 1, &raw);
  H_OK(cport_recv(s, &b, 1, &op));
  n_raw_close(raw);
  cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &op);
  H_OK(cc.status);
  assert_int_equal(cc.bytes, 0);
  H_OK(cport_closesocket(s));
  h_close_clean(p);
}

/* Data sent before a reset is delivered first; then receives fail with
 * CPORT_ECONNRESET, pending or new, and keep failing (Windows reports the
 * reset on every later call; Linux once). */
static void reset_after_data_delivers_the_data_first(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  for (int pending = 0; pending < 2; pending++) {
    cport_handle_t s;
    n_sock_t raw;
    n_pair_raw(p, &s, 1, &raw);
    char buf[64];
    cport_buf_t b = CPORT_BUF(buf, sizeof(buf));
    cport_op_t op = {0}, op2 = {0};
    if (pending)
      H_OK(cport_recv(s, &b, 1, &op));
    assert_int_equal(n_raw_send(raw, "before the reset", 16), 16);
    h_sleep_ms(30);
    n_reset(raw);
    h_sleep_ms(30);
    int rc = pending ? 0 : cport_recv(s, &b, 1, &op);
    if (rc == 0) {
      cport_completion_t cc = h_get(p, 5000);
      assert_ptr_equal(cc.op, &op);
      H_OK(cc.status);
      assert_int_equal(cc.bytes, 16);
    } else {
      assert_int_equal(rc, CPORT_COMPLETED);
    }
    assert_memory_equal(buf, "before the reset", 16);
    if (h_on_wine())
      H_SKIP("known Wine difference: after the data, a reset reads as the "
             "end of the stream (Windows: WSAECONNRESET); see "
             "docs/windows.md");
    /* The reset: at the call, or as the completion. */
    for (int i = 0; i < 2; i++) {
      rc = cport_recv(s, &b, 1, &op2);
      if (rc == 0) {
        cport_completion_t cc = h_get(p, 5000);
        assert_ptr_equal(cc.op, &op2);
        rc = cc.status;
      }
      H_ASSERT_RC(rc, CPORT_ECONNRESET);
    }
    /* Sends fail with it too. */
    cport_buf_t out = CPORT_BUF("x", 1);
    rc = cport_send(s, &out, 1, &op2);
    if (rc == 0)
      rc = h_get(p, 5000).status;
    H_ASSERT_RC(rc, CPORT_ECONNRESET);
    H_OK(cport_closesocket(s));
  }
  h_close_clean(p);
}

static void disconnect_shuts_the_send_side_after_sends(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  cport_handle_t a, b;
  n_pair(p, &a, 1, &b, 2);
  cport_buf_t out = CPORT_BUF("bye", 3);
  cport_op_t sop = {0}, dop = {0}, r1 = {0}, r2 = {0};
  H_OK(cport_send(a, &out, 1, &sop));
  H_OK(cport_disconnect(a, 0, &dop));
  for (int i = 0; i < 2; i++) {
    cport_completion_t cc = h_get(p, 5000);
    H_OK(cc.status);
    assert_ptr_equal(cc.op, i == 0 ? &sop : &dop);
  }
  char buf[8];
  cport_buf_t in = CPORT_BUF(buf, sizeof(buf));
  H_OK(cport_recv(b, &in, 1, &r1));
  cport_completion_t cc = h_get(p, 5000);
  assert_int_equal(cc.bytes, 3);
  H_OK(cport_recv(b, &in, 1, &r2));
  cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &r2);
  H_OK(cc.status);
  assert_int_equal(cc.bytes, 0); /* the peer's graceful close */
  /* Sending after the shutdown is refused at once. */
  H_ASSERT_RC(cport_send(a, &out, 1, &sop), CPORT_ESHUTDOWN);
  H_OK(cport_closesocket(a));
  H_OK(cport_closesocket(b));
  h_close_clean(p);
}

/* A connection the peer accepts and resets at once: the connect
 * succeeded (the handshake was made), as ConnectEx says, and the reset is
 * the next op's answer. (The Linux engines took the reset for the
 * connect's failure in about half the runs.) */
static void connect_then_reset_connects(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  struct sockaddr_in addr;
  cport_handle_t l = n_listener(NULL, 0, &addr);
  bool wine_eof = false;
  for (int round = 0; round < 20; round++) {
    cport_handle_t c;
    H_OK(cport_socket(AF_INET, SOCK_STREAM, 0, &c));
    H_OK(cport_associate(p, c, 7, 0));
    cport_op_t cop = {0}, rop = {0};
    int rc =
        cport_connect(c, (struct sockaddr *)&addr, sizeof(addr), NULL, 0, &cop);
    assert_true(rc == 0 || rc == CPORT_COMPLETED);
    n_reset(n_accept(l));
    h_sleep_ms((unsigned)(round % 3)); /* the reset arrives first, or not */
    if (rc == 0) {
      cport_completion_t cc = h_get(p, 5000);
      assert_ptr_equal(cc.op, &cop);
      H_OK(cc.status);
    }
    char buf[8];
    cport_buf_t b = CPORT_BUF(buf, sizeof(buf));
    rc = cport_recv(c, &b, 1, &rop);
    if (rc == 0)
      rc = h_get(p, 5000).status;
    if (rc == 0 && cport_op_bytes(&rop) == 0 && h_on_wine())
      wine_eof = true;
    else
      H_ASSERT_RC(rc, CPORT_ECONNRESET);
    H_OK(cport_closesocket(c));
  }
  H_OK(cport_closesocket(l));
  h_close_clean(p);
  if (wine_eof)
    H_SKIP("known Wine difference: a receive after a reset ends with 0 "
           "bytes, not WSAECONNRESET (the connects succeeded); see "
           "docs/windows.md");
}

#if !defined(_WIN32)
/* A disconnect queued behind a send that waits for room, when the peer
 * resets the connection: both end with the reset, as the call would
 * answer now (the disconnect once said CPORT_ENOTCONN). The Linux
 * engines' order; Windows' DisconnectEx does not wait for the send. */
static void disconnect_behind_a_send_ends_with_the_reset(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  cport_handle_t s;
  n_sock_t raw;
  n_pair_raw(p, &s, 1, &raw);
  size_t len = 16u << 20; /* more than the buffers hold: it waits */
  char *big = calloc(1, len);
  assert_non_null(big);
  cport_buf_t out = CPORT_BUF(big, (uint32_t)len);
  cport_op_t sop = {0}, dop = {0};
  H_OK(cport_send(s, &out, 1, &sop));
  H_OK(cport_disconnect(s, 0, &dop));
  h_sleep_ms(20);
  n_reset(raw);
  for (int i = 0; i < 2; i++) {
    cport_completion_t cc = h_get(p, 5000);
    assert_ptr_equal(cc.op, i == 0 ? &sop : &dop);
    H_ASSERT_RC(cc.status, CPORT_ECONNRESET);
  }
  H_OK(cport_closesocket(s));
  free(big);
  h_close_clean(p);
}
#endif

/* ------------------------------------------------------------------------ */
/* Skip on success                                                           */
/* ------------------------------------------------------------------------ */

static void skip_on_success_posts_only_pending_ops(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  struct sockaddr_in addr;
  cport_handle_t l = n_listener(NULL, 0, &addr);
  n_sock_t raw = n_raw_client(&addr);
  cport_handle_t s = n_accept(l);
  H_OK(cport_associate(p, s, 3, CPORT_SKIP_ON_SUCCESS));
  char buf[16];
  cport_buf_t b = CPORT_BUF(buf, sizeof(buf));
  cport_op_t op = {0};

  /* Data already there: finishes inside the call, nothing posted. */
  assert_int_equal(n_raw_send(raw, "now", 3), 3);
  h_sleep_ms(20);
  H_ASSERT_RC(cport_recv(s, &b, 1, &op), CPORT_COMPLETED);
  H_OK(cport_op_status(&op));
  assert_int_equal(cport_op_bytes(&op), 3);
  cport_buf_t out = CPORT_BUF("x", 1);
  H_ASSERT_RC(cport_send(s, &out, 1, &op), CPORT_COMPLETED);
  assert_int_equal(cport_op_bytes(&op), 1);
  h_expect_none(p, 50);

  /* Pending: completes through the port as usual. */
  H_OK(cport_recv(s, &b, 1, &op));
  assert_int_equal(n_raw_send(raw, "later", 5), 5);
  cport_completion_t cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &op);
  assert_int_equal(cc.bytes, 5);
  /* Pending failures too. */
  H_OK(cport_recv(s, &b, 1, &op));
  n_reset(raw);
  cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &op);
  assert_int_equal(cc.status, CPORT_ECONNRESET);
  H_OK(cport_closesocket(s));

  /* Without the flag an immediate completion is still posted. */
  raw = n_raw_client(&addr);
  s = n_accept(l);
  H_OK(cport_associate(p, s, 4, 0));
  assert_int_equal(n_raw_send(raw, "now", 3), 3);
  h_sleep_ms(20);
  H_OK(cport_recv(s, &b, 1, &op));
  cc = h_get(p, 5000);
  assert_ptr_equal(cc.op, &op);
  assert_int_equal(cc.bytes, 3);
  H_OK(cport_closesocket(s));
  n_raw_close(raw);
  H_OK(cport_closesocket(l));
  h_close_clean(p);
}

struct assoc_race {
  cport_t *p;
  cport_handle_t s;
  int rc;
};

static void *associate_now(void *arg) {
  struct assoc_race *a = arg;
  a->rc = cport_associate(a->p, a->s, 1, 0);
  return NULL;
}

/* cport_associate racing cport_close: the socket either joined the port
 * before the close (which then lets it go) or is refused with
 * CPORT_ECLOSED; either way a new port can take it after. (It could stay
 * tied to the closed port: CPORT_EEXIST for ever.) */
static void associate_racing_close_leaves_the_socket_free(void **state) {
  (void)state;
  cport_handle_t s;
  H_OK(cport_socket(AF_INET, SOCK_STREAM, 0, &s));
  for (int i = 0; i < 200; i++) {
    struct assoc_race a = {h_port(0), s, 1};
    h_thread_t t;
    h_thread_start(&t, associate_now, &a);
    H_OK(cport_close(a.p));
    h_thread_join(t);
    assert_true(a.rc == 0 || a.rc == CPORT_ECLOSED);
    cport_t *q = h_port(0);
    int rc = cport_associate(q, s, 2, 0);
    H_OK(cport_close(q));
    if (rc == CPORT_EEXIST && h_on_wine()) {
      H_OK(cport_closesocket(s));
      H_SKIP("known Wine difference: FileReplaceCompletionInformation is "
             "not implemented, so a handle stays bound to its first port; "
             "see docs/windows.md");
    }
    H_OK(rc);
  }
  H_OK(cport_closesocket(s));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(accept_and_connect_with_data),
    cmocka_unit_test(accept_waits_for_first_data),
    cmocka_unit_test(accepts_complete_as_their_data_arrives),
    cmocka_unit_test(connect_refused_completes_with_error),
    cmocka_unit_test(scatter_receive_gather_send),
    cmocka_unit_test(a_reused_op_record_starts_clean),
    cmocka_unit_test(zero_byte_receive_leaves_data_queued),
    cmocka_unit_test(receives_fill_in_posting_order),
    cmocka_unit_test(receives_keep_order_as_data_waits_or_not),
    cmocka_unit_test(large_sends_go_out_whole_and_in_order),
    cmocka_unit_test(peer_reset_and_graceful_close),
    cmocka_unit_test(reset_after_data_delivers_the_data_first),
    cmocka_unit_test(disconnect_shuts_the_send_side_after_sends),
    cmocka_unit_test(connect_then_reset_connects),
#if !defined(_WIN32)
    cmocka_unit_test(disconnect_behind_a_send_ends_with_the_reset),
#endif
    cmocka_unit_test(skip_on_success_posts_only_pending_ops),
    cmocka_unit_test(associate_racing_close_leaves_the_socket_free),
  };
  return H_RUN("socket", tests);
}
