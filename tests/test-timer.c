/*
 * test-timer.c - port timers: deadline order, a waiter blocked forever is
 * woken by a timer, 10,000 timers without a thread or descriptor each,
 * cancel before and after firing, a cancel racing restarts of the same
 * op, bad input. Runs once per backend.
 */
#include "harness.h"

#if defined(_WIN32)
#  define H_TIMER_TICK_MS 16
#else
#  define H_TIMER_TICK_MS 1
#endif

static void fire_in_deadline_order(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  uint32_t ms[] = {120, 40, 80, 10, 60};
  cport_op_t ops[5];
  memset(ops, 0, sizeof(ops));
  uint64_t t0 = h_now_ms();
  for (int i = 0; i < 5; i++)
    H_OK(cport_timer(p, ms[i], ms[i], &ops[i]));
  uint32_t last = 0;
  for (int i = 0; i < 5; i++) {
    cport_completion_t c = h_get(p, -1); /* the wait ends at each deadline */
    uint64_t at = h_now_ms() - t0;
    H_OK(c.status);
    assert_int_equal(c.bytes, 0);
    assert_true(c.key > last);
    assert_ptr_equal(c.op, &ops[c.key == 120  ? 0
                                : c.key == 40 ? 1
                                : c.key == 80 ? 2
                                : c.key == 10 ? 3
                                              : 4]);
    assert_true(at + 1 >= c.key); /* never early */
    printf("# timer %lu ms fired at %lu ms\n", (unsigned long)c.key,
           (unsigned long)at);
    last = (uint32_t)c.key;
  }
  h_close_clean(p);
}

static void zero_timeout_fires_at_once(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  cport_op_t op = {0};
  H_OK(cport_timer(p, 5, 0, &op));
  cport_completion_t c = h_get(p, 5000);
  assert_ptr_equal(c.op, &op);
  assert_int_equal(c.key, 5);
  H_OK(c.status);
  h_close_clean(p);
}

enum { MANY = 10000 };

static void ten_thousand_timers_cost_no_thread(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  cport_op_t *ops = calloc(MANY, sizeof(*ops));
  /* Each timer's deadline as the test can know it: between the clock
   * before the call and the clock after it, plus the delay. */
  uint64_t *due = calloc(MANY, sizeof(*due)),
           *due_hi = calloc(MANY, sizeof(*due_hi));
  int threads0 = h_thread_count(), fds0 = h_fd_count();
  for (int i = 0; i < MANY; i++) {
    uint32_t ms = (uint32_t)((i * 7919) % 200) + 1; /* scattered deadlines */
    due[i] = h_now_ms() + ms;
    H_OK(cport_timer(p, ms, ms, &ops[i]));
    due_hi[i] = h_now_ms() + ms + 1;
  }
  int threads1 = h_thread_count(), fds1 = h_fd_count();
  printf("# threads %d -> %d, descriptors %d -> %d\n", threads0, threads1, fds0,
         fds1);
  /* One timer thread at most for all of them (Windows' timer queue). */
  assert_true(threads1 - threads0 <= 1);
  assert_true(fds1 - fds0 <= 0);
  char *seen = calloc(MANY, 1);
  uint64_t last = 0;
  for (int i = 0; i < MANY; i++) {
    cport_completion_t c = h_get(p, 10000);
    H_OK(c.status);
    int idx = (int)(c.op - ops);
    assert_true(idx >= 0 && idx < MANY);
    assert_int_equal(seen[idx], 0);
    seen[idx] = 1;
    uint64_t now = h_now_ms();
    /* In deadline order, to the timer resolution: the millisecond on
     * Linux; Windows timer queues tick every ~15.6 ms, and timers due in
     * one tick fire together in any order. A timer thread that wakes late
     * fires every overdue timer in one batch, in any order, on Windows as
     * here: only a timer taken on time (within a tick of its deadline)
     * says that every timer due a tick before it has fired. */
    assert_true(due_hi[idx] + H_TIMER_TICK_MS >= last);
    if (due[idx] > last && now <= due_hi[idx] + H_TIMER_TICK_MS)
      last = due[idx];
  }
  free(seen);
  free(due);
  free(due_hi);
  free(ops);
  h_close_clean(p);
}

static void cancel_before_and_after_firing(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  cport_op_t slow = {0}, fast = {0};
  H_OK(cport_timer(p, 1, 60000, &slow));
  H_ASSERT_RC(cport_op_status(&slow), CPORT_EINPROGRESS); /* not done */
  H_ASSERT_RC(cport_timer(p, 1, 10, &slow), CPORT_EBUSY);
  H_OK(cport_timer_cancel(p, &slow));
  cport_completion_t c = h_get(p, 5000);
  assert_ptr_equal(c.op, &slow);
  assert_int_equal(c.key, 1);
  assert_int_equal(c.status, CPORT_ECANCELED);
  H_ASSERT_RC(cport_timer_cancel(p, &slow), CPORT_ENOENT);

  H_OK(cport_timer(p, 2, 10, &fast));
  c = h_get(p, 5000);
  assert_ptr_equal(c.op, &fast);
  H_OK(c.status);
  /* Too late: the completion stands, nothing more is posted. */
  H_ASSERT_RC(cport_timer_cancel(p, &fast), CPORT_ENOENT);
  h_expect_none(p, 50);
  /* The op can be used again at once. */
  H_OK(cport_timer(p, 3, 1, &fast));
  c = h_get(p, 5000);
  assert_int_equal(c.key, 3);
  h_close_clean(p);
}

/* A thread restarts one timer op as soon as its completion is taken while
 * another cancels it in a loop: every start ends exactly once, cancelled
 * (the timeout is a minute), and the two never see half of a record
 * (under TSan: no race between the restart and the cancel's reads). */
struct restart_race {
  cport_t *p;
  cport_op_t op;
  int stop;
  long cancels;
};

static void *cancel_loop(void *arg) {
  struct restart_race *r = arg;
  while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
    int rc = cport_timer_cancel(r->p, &r->op);
    assert_true(rc == 0 || rc == CPORT_ENOENT);
    if (rc == 0)
      r->cancels++;
  }
  return NULL;
}

static void cancel_racing_restarts(void **state) {
  (void)state;
  struct restart_race r;
  memset(&r, 0, sizeof(r));
  r.p = h_port(0);
  h_thread_t t;
  h_thread_start(&t, cancel_loop, &r);
  int starts = 0;
  for (; starts < 2000; starts++) {
    H_OK(cport_timer(r.p, (uintptr_t)starts, 60000, &r.op));
    cport_completion_t c = h_get(r.p, 10000);
    assert_ptr_equal(c.op, &r.op);
    assert_int_equal(c.key, (uintptr_t)starts);
    assert_int_equal(c.status, CPORT_ECANCELED);
  }
  __atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
  h_thread_join(t);
  assert_int_equal(r.cancels, starts);
  h_expect_none(r.p, 20);
  h_close_clean(r.p);
}

/* A cancel racing a timer's firing, the op started again at once for a
 * long timer: whichever won, the long timer waits (the Windows backend's
 * losing callback could take the op's next timer and fire it at once,
 * and a 0 ms timer could be taken before its call had written into the
 * op). */
static void a_racing_cancel_leaves_the_next_timer_alone(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  cport_op_t op = {0};
  for (int round = 0; round < 2000; round++) {
    H_OK(cport_timer(p, 1, (uint32_t)(round % 2), &op));
    int rc = cport_timer_cancel(p, &op);
    assert_true(rc == 0 || rc == CPORT_ENOENT);
    cport_completion_t c = h_get(p, 5000);
    assert_ptr_equal(c.op, &op);
    assert_int_equal(c.status, rc == 0 ? CPORT_ECANCELED : 0);
    H_OK(cport_timer(p, 2, 60000, &op));
    cport_completion_t early;
    H_ASSERT_RC(cport_get(p, &early, 0), CPORT_ETIMEDOUT);
    H_OK(cport_timer_cancel(p, &op));
    c = h_get(p, 5000);
    assert_int_equal(c.key, 2);
    assert_int_equal(c.status, CPORT_ECANCELED);
  }
  h_close_clean(p);
}

static void timer_bad_input(void **state) {
  (void)state;
  cport_t *p = h_port(0), *q = h_port(0);
  cport_op_t op = {0};
  H_ASSERT_RC(cport_timer(NULL, 0, 1, &op), CPORT_EINVAL);
  H_ASSERT_RC(cport_timer(p, 0, 1, NULL), CPORT_EINVAL);
  H_ASSERT_RC(cport_timer_cancel(NULL, &op), CPORT_EINVAL);
  H_ASSERT_RC(cport_timer_cancel(p, NULL), CPORT_EINVAL);
  H_ASSERT_RC(cport_timer_cancel(p, &op), CPORT_ENOENT); /* never started */
  H_OK(cport_timer(p, 0, 60000, &op));
  H_ASSERT_RC(cport_timer_cancel(q, &op), CPORT_ENOENT); /* not q's */
  H_OK(cport_timer_cancel(p, &op));
  cport_completion_t c = h_get(p, 5000);
  assert_int_equal(c.status, CPORT_ECANCELED);
  h_expect_none(q, 20);
  h_close_clean(q);
  h_close_clean(p);
  /* A closed port takes no timer. */
  H_ASSERT_RC(cport_timer(p, 0, 1, &op), CPORT_ECLOSED);
}

static void close_drops_pending_timers(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  cport_op_t *ops = calloc(100, sizeof(*ops));
  for (int i = 0; i < 100; i++)
    H_OK(cport_timer(p, (uintptr_t)i, 60000, &ops[i]));
  H_OK(cport_close(p));
  /* Each ended, free again, without a completion. */
  for (int i = 0; i < 100; i++)
#if defined(_WIN32)
    H_ASSERT_RC(cport_op_status(&ops[i]), CPORT_ECANCELED);
#else
    H_ASSERT_RC(cport_op_status(&ops[i]), CPORT_ECLOSED);
#endif
  free(ops); /* nothing refers to them any more */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fire_in_deadline_order),
      cmocka_unit_test(zero_timeout_fires_at_once),
      cmocka_unit_test(ten_thousand_timers_cost_no_thread),
      cmocka_unit_test(cancel_before_and_after_firing),
      cmocka_unit_test(cancel_racing_restarts),
      cmocka_unit_test(a_racing_cancel_leaves_the_next_timer_alone),
      cmocka_unit_test(timer_bad_input),
      cmocka_unit_test(close_drops_pending_timers),
  };
  return H_RUN("timer", tests);
}
