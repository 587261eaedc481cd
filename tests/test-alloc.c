/*
 * test-alloc.c - no completion is ever lost when memory runs out. The
 * test replaces malloc and friends with versions that fail on demand (the
 * Nth allocation only, or the Nth and every later one), then sweeps N over
 * every allocation a scenario makes: a port, posts, timers, sockets with
 * receives and sends (heap-copied buffer arrays), a file read, and closes.
 * Every call must either succeed, and then its completion comes exactly
 * once, or fail cleanly at the call (CPORT_ENOMEM, CPORT_EAGAIN) and post
 * nothing. Linux, release builds (sanitizers own malloc there).
 */
#include "harness.h"

#if defined(__linux__) && !defined(__SANITIZE_ADDRESS__) && \
    !defined(__SANITIZE_THREAD__)
#  define H_ALLOC_SWEEP 1
#endif

#if defined(H_ALLOC_SWEEP)
#  include <errno.h>
#  include <fcntl.h>
#  include <sys/socket.h>

/* ---- the failing allocator ------------------------------------------- */

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void __libc_free(void *p);

static int armed;     /* failing allocations at all */
static int countdown; /* allocations left before the first failure */
static int from_on;   /* after the first failure, fail every one */
static int counted;   /* allocations seen while armed */

static int fail_now(void) {
  if (!__atomic_load_n(&armed, __ATOMIC_SEQ_CST))
    return 0;
  __atomic_add_fetch(&counted, 1, __ATOMIC_SEQ_CST);
  int left = __atomic_sub_fetch(&countdown, 1, __ATOMIC_SEQ_CST);
  return left == 0 || (left < 0 && __atomic_load_n(&from_on, __ATOMIC_SEQ_CST));
}

void *malloc(size_t n) {
  if (fail_now()) {
    errno = ENOMEM;
    return NULL;
  }
  return __libc_malloc(n);
}

void *calloc(size_t n, size_t size) {
  if (fail_now()) {
    errno = ENOMEM;
    return NULL;
  }
  return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n) {
  if (fail_now()) {
    errno = ENOMEM;
    return NULL;
  }
  return __libc_realloc(p, n);
}

int posix_memalign(void **out, size_t align, size_t n) {
  if (fail_now())
    return ENOMEM;
  void *p = __libc_memalign(align, n);
  if (p == NULL)
    return ENOMEM;
  *out = p;
  return 0;
}

void free(void *p) {
  __libc_free(p);
}

static void arm(int n, int every_later) {
  __atomic_store_n(&countdown, n, __ATOMIC_SEQ_CST);
  __atomic_store_n(&from_on, every_later, __ATOMIC_SEQ_CST);
  __atomic_store_n(&counted, 0, __ATOMIC_SEQ_CST);
  __atomic_store_n(&armed, 1, __ATOMIC_SEQ_CST);
}

static int disarm(void) {
  __atomic_store_n(&armed, 0, __ATOMIC_SEQ_CST);
  return __atomic_load_n(&counted, __ATOMIC_SEQ_CST);
}

/* ---- the scenario ----------------------------------------------------- */

enum {
  POSTS = 300,
  TIMERS = 100,
  BUFS = 6,
  OPS = 8
}; /* past the first
                                                       sizes of the queue and
                                                       the timer heap */

struct run {
  cport_t *p;
  int bad_rc;   /* a call failed with something else than ENOMEM */
  int accepted; /* calls that promised one completion */
  cport_op_t timers[TIMERS];
  cport_op_t ops[OPS];
  int sv[2];
  int file;
  char rbuf[BUFS][8], sbuf[BUFS][8], fbuf[64];
};

/* A call's result: 0 promises a completion; anything else must be a clean
 * refusal. */
static int take_rc(struct run *r, int rc) {
  if (rc == 0) {
    r->accepted++;
    return 1;
  }
  if (rc != CPORT_ENOMEM && rc != CPORT_EAGAIN && rc != CPORT_COMPLETED)
    r->bad_rc = rc;
  return 0;
}

static void scenario(struct run *r, const char *path) {
  for (int i = 0; i < POSTS; i++)
    take_rc(r, cport_post(r->p, 1000 + (uintptr_t)i, (uint32_t)i, NULL));
  for (int i = 0; i < TIMERS; i++)
    take_rc(r, cport_timer(r->p, 2000 + (uintptr_t)i, (uint32_t)(i % 4),
                           &r->timers[i]));
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, r->sv) == 0) {
    int rc = cport_associate(r->p, r->sv[0], 3000, 0);
    if (rc == 0) {
      cport_buf_t rb[BUFS], sb[BUFS];
      for (int i = 0; i < BUFS; i++) {
        rb[i] = cport_buf_init(r->rbuf[i], sizeof(r->rbuf[i]));
        memset(r->sbuf[i], 'a' + i, sizeof(r->sbuf[i]));
        sb[i] = cport_buf_init(r->sbuf[i], sizeof(r->sbuf[i]));
      }
      take_rc(r, cport_recv(r->sv[0], rb, BUFS, &r->ops[0]));
      take_rc(r, cport_send(r->sv[0], sb, BUFS, &r->ops[1]));
      cport_buf_t zero = cport_buf_init(NULL, 0);
      take_rc(r, cport_recv(r->sv[0], &zero, 1, &r->ops[2]));
      if (write(r->sv[1], "0123456789abcdef", 16) < 0)
        r->bad_rc = -errno;
    } else {
      take_rc(r, rc);
    }
  }
  if (cport_file_open(path, CPORT_FILE_READ, &r->file) == 0) {
    int rc = cport_associate(r->p, r->file, 4000, 0);
    if (rc == 0)
      take_rc(r, cport_read(r->file, r->fbuf, sizeof(r->fbuf), 0, &r->ops[3]));
    else
      take_rc(r, rc);
  }
  /* A receive and its socket closed at once: it still completes. */
  if (r->sv[0] >= 0) {
    char one;
    cport_buf_t b = cport_buf_init(&one, 1);
    take_rc(r, cport_recv(r->sv[0], &b, 1, &r->ops[4]));
  }
}

/* Runs the scenario with allocation `n` (from the first call on) failing.
 * Returns how many allocations it made while armed. */
static int one_run(int n, int every_later, const char *path) {
  struct run *r = __libc_calloc(1, sizeof(*r));
  r->sv[0] = r->sv[1] = -1;
  r->file = -1;
  arm(n, every_later);
  int rc = cport_create(&r->p, NULL);
  if (rc == 0)
    scenario(r, path);
  int made = disarm();
  if (rc != 0) {
    if (rc != CPORT_ENOMEM && rc != CPORT_EAGAIN)
      fail_msg("n=%d: cport_create: %s", n, cport_err_name(rc));
    __libc_free(r);
    return made;
  }
  if (r->bad_rc != 0)
    fail_msg("n=%d%s: a call failed with %s", n, every_later ? "+" : "",
             cport_err_name(r->bad_rc));
  if (r->sv[0] >= 0)
    H_OK(cport_closesocket(r->sv[0]));
  /* Every promised completion comes, once. */
  int got = 0, post_seen[POSTS] = {0}, timer_seen[TIMERS] = {0},
      op_seen[OPS] = {0};
  while (got < r->accepted) {
    cport_completion_t c;
    rc = cport_get(r->p, &c, 5000);
    if (rc != 0)
      fail_msg("n=%d%s: %d of %d completions, then %s", n,
               every_later ? "+" : "", got, r->accepted, cport_err_name(rc));
    got++;
    if (c.key >= 1000 && c.key < 1000 + POSTS)
      post_seen[c.key - 1000]++;
    else if (c.key >= 2000 && c.key < 2000 + TIMERS)
      timer_seen[c.key - 2000]++;
    else if (c.op >= r->ops && c.op < r->ops + OPS)
      op_seen[c.op - r->ops]++;
    else
      fail_msg("n=%d: completion of nothing started (key %lu)", n,
               (unsigned long)c.key);
  }
  for (int i = 0; i < POSTS; i++)
    assert_true(post_seen[i] <= 1);
  for (int i = 0; i < TIMERS; i++)
    assert_true(timer_seen[i] <= 1);
  for (int i = 0; i < OPS; i++)
    assert_true(op_seen[i] <= 1);
  h_expect_none(r->p, 50); /* and nothing twice */
  if (r->sv[1] >= 0)
    close(r->sv[1]);
  if (r->file >= 0)
    H_OK(cport_file_close(r->file));
  h_close_clean(r->p);
  __libc_free(r);
  return made;
}

static void sweep_every_allocation(void **state) {
  (void)state;
  char path[512];
  h_temp_path(path, sizeof(path), "alloc");
  FILE *f = h_fopen(path, "wb");
  assert_non_null(f);
  fputs("some bytes to read back", f);
  fclose(f);
  int total = one_run(-1, 0, path); /* nothing fails: count them */
  printf("# %d allocations in the scenario\n", total);
  assert_true(total > 0);
  for (int n = 1; n <= total + 2; n++) {
    one_run(n, 0, path);
    one_run(n, 1, path);
  }
  remove(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sweep_every_allocation),
  };
  return H_RUN("alloc", tests);
}

#else

static void sweep_every_allocation(void **state) {
  (void)state;
  H_SKIP("the allocation sweep replaces malloc: Linux release builds only "
         "(a sanitizer owns malloc here)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sweep_every_allocation),
  };
  return H_RUN("alloc", tests);
}

#endif
