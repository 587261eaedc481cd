/*
 * harness.c - see harness.h.
 */
#include "harness.h"

const char *h_backend(void) {
  const char *b = getenv("CPORT_BACKEND");
#if defined(_WIN32)
  return b && *b ? b : "iocp";
#else
  return b && *b ? b : "io_uring";
#endif
}

cport_t *h_port(unsigned concurrency) {
  cport_options_t o;
  memset(&o, 0, sizeof(o));
  o.concurrency = concurrency;
  cport_t *p = NULL;
  int rc = cport_create(&p, &o);
  if (rc != 0)
    fail_msg("cport_create: %s", cport_err_name(rc));
  assert_string_equal(cport_backend(p), h_backend());
  return p;
}

void h_close_clean(cport_t *port) {
  cport_completion_t c;
  int rc = cport_get(port, &c, 0);
  if (rc != CPORT_ETIMEDOUT)
    fail_msg("completion left in the port at close: rc=%s key=%llu status=%s",
             cport_err_name(rc), (unsigned long long)c.key,
             cport_err_name(c.status));
  H_OK(cport_close(port));
}

cport_completion_t h_get(cport_t *port, int timeout_ms) {
  cport_completion_t c;
  memset(&c, 0, sizeof(c));
  int rc = cport_get(port, &c, timeout_ms);
  if (rc != 0)
    fail_msg("cport_get: %s", cport_err_name(rc));
  return c;
}

void h_expect_none(cport_t *port, int ms) {
  cport_completion_t c;
  int rc = cport_get(port, &c, ms);
  if (rc != CPORT_ETIMEDOUT)
    fail_msg("unexpected completion: rc=%s key=%llu bytes=%u status=%s",
             cport_err_name(rc), (unsigned long long)c.key, c.bytes,
             cport_err_name(c.status));
}

#if defined(_WIN32)
uint64_t h_now_ms(void) { return GetTickCount64(); }
void h_sleep_ms(unsigned ms) { Sleep(ms); }
struct h_tramp {
  void *(*fn)(void *);
  void *arg;
};
static DWORD WINAPI h_tramp_fn(LPVOID p) {
  struct h_tramp t = *(struct h_tramp *)p;
  free(p);
  return (DWORD)(uintptr_t)t.fn(t.arg);
}
void h_thread_start(h_thread_t *t, void *(*fn)(void *), void *arg) {
  struct h_tramp *tr = malloc(sizeof(*tr));
  tr->fn = fn;
  tr->arg = arg;
  *t = CreateThread(NULL, 0, h_tramp_fn, tr, 0, NULL);
  assert_non_null(*t);
}
void *h_thread_join(h_thread_t t) {
  WaitForSingleObject(t, INFINITE);
  DWORD code = 0;
  GetExitCodeThread(t, &code);
  CloseHandle(t);
  return (void *)(uintptr_t)code;
}
#else
uint64_t h_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
void h_sleep_ms(unsigned ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0)
    ;
}
void h_thread_start(h_thread_t *t, void *(*fn)(void *), void *arg) {
  assert_int_equal(pthread_create(t, NULL, fn, arg), 0);
}
void *h_thread_join(h_thread_t t) {
  void *r = NULL;
  pthread_join(t, &r);
  return r;
}
#endif

int h_run(const char *name, const struct CMUnitTest *tests, size_t n) {
  char full[128];
  snprintf(full, sizeof(full), "%s/%s", name, h_backend());
  return _cmocka_run_group_tests(full, tests, n, NULL, NULL);
}
