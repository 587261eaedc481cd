/*
 * test-backend.c - backend choice (docs/design.md §9) and the kernel
 * wait: default io_uring, fallback to epoll when io_uring_setup is refused,
 * forcing by option and by $CPORT_BACKEND, and an idle port that really
 * sleeps and is woken by a post.
 */
#include "harness.h"

#if defined(__linux__)
#  include <errno.h>
#  include <linux/filter.h>
#  include <linux/seccomp.h>
#  include <stddef.h>
#  include <sys/prctl.h>
#  include <sys/socket.h>
#  include <sys/syscall.h>
#  include <sys/wait.h>
#endif

static void reports_the_backend_under_test(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  assert_string_equal(cport_backend(p), h_backend());
  h_close_clean(p);
}

static int create_forced(cport_backend_t kind, cport_t **out) {
  cport_options_t o;
  memset(&o, 0, sizeof(o));
  o.backend = kind;
  return cport_create(out, &o);
}

static void options_force_a_backend(void **state) {
  (void)state;
  cport_t *p;
#if defined(_WIN32)
  H_OK(create_forced(CPORT_BACKEND_IOCP, &p));
  assert_string_equal(cport_backend(p), "iocp");
  h_close_clean(p);
  H_ASSERT_RC(create_forced(CPORT_BACKEND_URING, &p), CPORT_ENOSYS);
  H_ASSERT_RC(create_forced(CPORT_BACKEND_EPOLL, &p), CPORT_ENOSYS);
#else
  H_OK(create_forced(CPORT_BACKEND_EPOLL, &p));
  assert_string_equal(cport_backend(p), "epoll");
  h_close_clean(p);
  int rc = create_forced(CPORT_BACKEND_URING, &p);
  if (rc == 0) {
    assert_string_equal(cport_backend(p), "io_uring");
    h_close_clean(p);
  } else {
    /* Refused by this kernel or built without liburing: said plainly. */
    assert_true(rc == CPORT_EPERM || rc == CPORT_ENOSYS || rc == CPORT_EINVAL);
  }
  H_ASSERT_RC(create_forced(CPORT_BACKEND_IOCP, &p), CPORT_ENOSYS);
#endif
}

static void set_env(const char *name, const char *value) {
#if defined(_WIN32)
  _putenv_s(name, value ? value : "");
#else
  if (value)
    setenv(name, value, 1);
  else
    unsetenv(name);
#endif
}

static void environment_forces_a_backend(void **state) {
  (void)state;
  char saved_buf[64];
  const char *saved = h_getenv("CPORT_BACKEND", saved_buf, sizeof(saved_buf))
                          ? saved_buf
                          : NULL;
  cport_t *p;
#if defined(_WIN32)
  set_env("CPORT_BACKEND", "iocp");
  H_OK(cport_create(&p, NULL));
  assert_string_equal(cport_backend(p), "iocp");
  h_close_clean(p);
  set_env("CPORT_BACKEND", "epoll");
  H_ASSERT_RC(cport_create(&p, NULL), CPORT_ENOSYS);
#else
  set_env("CPORT_BACKEND", "epoll");
  H_OK(cport_create(&p, NULL));
  assert_string_equal(cport_backend(p), "epoll");
  h_close_clean(p);
  /* An explicit option wins over the environment. */
  set_env("CPORT_BACKEND", "io_uring");
  H_OK(create_forced(CPORT_BACKEND_EPOLL, &p));
  assert_string_equal(cport_backend(p), "epoll");
  h_close_clean(p);
#endif
  set_env("CPORT_BACKEND", "no-such-backend");
  H_ASSERT_RC(cport_create(&p, NULL), CPORT_EINVAL);
  set_env("CPORT_BACKEND", saved);
}

#if defined(__linux__)
/* In a child: io_uring_setup fails with `err` from now on. */
static int refuse_io_uring(int err) {
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = sizeof(filter) / sizeof(filter[0]),
                            .filter = filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return -1;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* Exit codes: 0 ok, 10+ failures. */
static int fallback_child(int err) {
  if (refuse_io_uring(err) != 0)
    return 10;
  unsetenv("CPORT_BACKEND");
  cport_t *p;
  if (cport_create(&p, NULL) != 0)
    return 11;
  if (strcmp(cport_backend(p), "epoll") != 0)
    return 12;
  /* The fallback port works. */
  cport_completion_t c;
  if (cport_post(p, 5, 6, NULL) != 0 || cport_get(p, &c, 1000) != 0 ||
      c.key != 5 || c.bytes != 6)
    return 13;
  if (cport_close(p) != 0)
    return 14;
  /* Forcing io_uring reports the refusal instead of hiding it. */
  if (create_forced(CPORT_BACKEND_URING, &p) != -err)
    return 15;
  return 0;
}

static void falls_back_to_epoll_when_io_uring_is_refused(void **state) {
  (void)state;
  int errs[] = {EPERM, ENOSYS, EINVAL};
  for (int i = 0; i < 3; i++) {
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
      _exit(fallback_child(errs[i]));
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0)
      fail_msg("child for errno %d exited %d", errs[i], WEXITSTATUS(status));
  }
}

#endif /* __linux__ */

/* ------------------------------------------------------------------------ */
/* The kernel wait                                                           */
/* ------------------------------------------------------------------------ */

struct sleeper {
  cport_t *port;
  cport_completion_t c;
  int rc;
  double cpu_ms;
};

static double thread_cpu_ms(void) {
#if defined(_WIN32)
  FILETIME c, e, k, u;
  GetThreadTimes(GetCurrentThread(), &c, &e, &k, &u);
  uint64_t t = ((uint64_t)k.dwHighDateTime << 32 | k.dwLowDateTime) +
               ((uint64_t)u.dwHighDateTime << 32 | u.dwLowDateTime);
  return (double)t / 1e4;
#else
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
#endif
}

static void *sleep_in_get(void *arg) {
  struct sleeper *s = arg;
  double a = thread_cpu_ms();
  s->rc = cport_get(s->port, &s->c, -1);
  s->cpu_ms = thread_cpu_ms() - a;
  return NULL;
}

#if defined(__linux__)
/* Process CPU time (every thread, the progress thread too). */
static double process_cpu_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void post_wakes_a_waiter_while_the_kernel_has_work(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  H_OK(cport_associate(p, sv[0], 42, 0));
  /* A pending receive: the progress thread waits in the kernel for it
   * while the worker waits on the port. */
  char buf[8];
  cport_buf_t b = CPORT_BUF(buf, sizeof(buf));
  cport_op_t op;
  memset(&op, 0, sizeof(op));
  H_OK(cport_recv(sv[0], &b, 1, &op));

  struct sleeper s = {p, {0}, -1, 0};
  h_thread_t t;
  h_thread_start(&t, sleep_in_get, &s);
  h_sleep_ms(20);
  double cpu0 = process_cpu_ms();
  uint64_t t0 = h_now_ms();
  h_sleep_ms(300);
  double idle_cpu = process_cpu_ms() - cpu0;
  double idle_ms = (double)(h_now_ms() - t0);
  H_OK(cport_post(p, 9, 9, NULL)); /* from another thread */
  h_thread_join(t);
  H_OK(s.rc);
  assert_int_equal(s.c.key, 9);
  /* It slept, and so did the progress thread: an idle port costs no CPU
   * (a thread spinning would burn about all of the idle time; the bound
   * is loose so that slow sanitizer builds pass too). */
  printf("# idle: %.1f ms CPU in %.0f ms\n", idle_cpu, idle_ms);
  assert_true(idle_cpu < idle_ms / 4);

  /* The receive still completes through the kernel. */
  assert_int_equal(write(sv[1], "hi", 2), 2);
  cport_completion_t c = h_get(p, 5000);
  assert_ptr_equal(c.op, &op);
  assert_int_equal(c.key, 42);
  assert_int_equal(c.bytes, 2);
  assert_memory_equal(buf, "hi", 2);
  H_OK(cport_closesocket(sv[0]));
  close(sv[1]);
  h_close_clean(p);
}
#endif

static void idle_waiter_does_not_spin(void **state) {
  (void)state;
  cport_t *p = h_port(0);
  struct sleeper s = {p, {0}, -1, 0};
  h_thread_t t;
  h_thread_start(&t, sleep_in_get, &s);
  h_sleep_ms(300);
  H_OK(cport_post(p, 1, 0, NULL));
  h_thread_join(t);
  H_OK(s.rc);
  /* Well under the 300 ms it waited (a spinning waiter burns them all). */
  assert_true(s.cpu_ms < 75.0);
  h_close_clean(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(reports_the_backend_under_test),
    cmocka_unit_test(options_force_a_backend),
    cmocka_unit_test(environment_forces_a_backend),
#if defined(__linux__)
    cmocka_unit_test(falls_back_to_epoll_when_io_uring_is_refused),
    cmocka_unit_test(post_wakes_a_waiter_while_the_kernel_has_work),
#endif
    cmocka_unit_test(idle_waiter_does_not_spin),
  };
  return H_RUN("backend", tests);
}
