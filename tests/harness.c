/*
 * harness.c - see harness.h.
 */
#include "harness.h"

bool h_getenv(const char *name, char *out, size_t size) {
#if defined(_WIN32)
  DWORD n = GetEnvironmentVariableA(name, out, (DWORD)size);
  return n > 0 && n < size;
#else
  const char *v = getenv(name);
  if (v == NULL || v[0] == '\0' || strlen(v) >= size)
    return false;
  memcpy(out, v, strlen(v) + 1);
  return true;
#endif
}

FILE *h_fopen(const char *path, const char *mode) {
#if defined(_MSC_VER)
  FILE *f = NULL;
  return fopen_s(&f, path, mode) == 0 ? f : NULL;
#else
  return fopen(path, mode);
#endif
}

const char *h_backend(void) {
  static const char *const names[] = {"io_uring", "epoll", "iocp"};
  char b[32];
  if (h_getenv("CPORT_BACKEND", b, sizeof(b)))
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
      if (strcmp(b, names[i]) == 0)
        return names[i];
#if defined(_WIN32)
  return "iocp";
#else
  return "io_uring";
#endif
}

bool h_on_wine(void) {
#if defined(_WIN32)
  HMODULE ntdll = GetModuleHandleA("ntdll.dll");
  return ntdll && GetProcAddress(ntdll, "wine_get_version") != NULL;
#else
  return false;
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

cport_op_t *h_new_op(void) {
  cport_op_t *op = calloc(1, sizeof(*op));
  assert_non_null(op);
  return op;
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
#  include <tlhelp32.h>
int h_thread_count(void) {
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
  THREADENTRY32 te;
  te.dwSize = sizeof(te);
  int n = 0;
  DWORD me = GetCurrentProcessId();
  for (BOOL ok = Thread32First(snap, &te); ok; ok = Thread32Next(snap, &te))
    n += te.th32OwnerProcessID == me;
  CloseHandle(snap);
  return n;
}
int h_fd_count(void) {
  DWORD n = 0;
  GetProcessHandleCount(GetCurrentProcess(), &n);
  return (int)n;
}
void h_temp_path(char *out, size_t size, const char *name) {
  char dir[MAX_PATH];
  GetTempPathA(sizeof(dir), dir);
  snprintf(out, size, "%scport-%lu-%s", dir,
           (unsigned long)GetCurrentProcessId(), name);
}
uint64_t h_now_ms(void) {
  return GetTickCount64();
}
void h_sleep_ms(unsigned ms) {
  Sleep(ms);
}
struct h_win_thread {
  HANDLE h;
  void *(*fn)(void *);
  void *arg;
  void *result;
};
static DWORD WINAPI h_tramp_fn(LPVOID p) {
  struct h_win_thread *t = p;
  t->result = t->fn(t->arg);
  return 0;
}
void h_thread_start(h_thread_t *t, void *(*fn)(void *), void *arg) {
  struct h_win_thread *w = calloc(1, sizeof(*w));
  w->fn = fn;
  w->arg = arg;
  w->h = CreateThread(NULL, 0, h_tramp_fn, w, 0, NULL);
  assert_non_null(w->h);
  *t = w;
}
void *h_thread_join(h_thread_t t) {
  WaitForSingleObject(t->h, INFINITE);
  CloseHandle(t->h);
  void *r = t->result;
  free(t);
  return r;
}
#else
#  include <dirent.h>
int h_thread_count(void) {
  FILE *f = h_fopen("/proc/self/status", "r");
  char line[256];
  int n = -1;
  while (f && fgets(line, sizeof(line), f))
    if (sscanf(line, "Threads: %d", &n) == 1)
      break;
  if (f)
    fclose(f);
  return n;
}
int h_fd_count(void) {
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  while (d && readdir(d))
    n++;
  if (d)
    closedir(d);
  return n;
}
void h_temp_path(char *out, size_t size, const char *name) {
  char dir[512];
  if (!h_getenv("TMPDIR", dir, sizeof(dir)))
    snprintf(dir, sizeof(dir), "/tmp");
  snprintf(out, size, "%s/cport-%d-%s", dir, (int)getpid(), name);
}
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

char h_skip_reason[256];

int h_run(const char *name, const struct CMUnitTest *tests, size_t n) {
  /* A backend this kernel refuses (io_uring under seccomp, say) skips the
   * whole program, with the reason: TAP's "1..0 # SKIP" and status 0,
   * which `meson test` shows as SKIP (a TAP program exiting 77 is an
   * ERROR there). So does a default that fell back to another backend. */
  cport_t *probe = NULL;
  int rc = cport_create(&probe, NULL);
  if (rc != 0) {
    printf("1..0 # SKIP backend %s is not available here: %s (%s)\n",
           h_backend(), cport_strerror(rc), cport_err_name(rc));
    return 0;
  }
  if (strcmp(cport_backend(probe), h_backend()) != 0) {
    printf("1..0 # SKIP backend %s is not available here (the default "
           "fell back to %s)\n",
           h_backend(), cport_backend(probe));
    cport_close(probe);
    return 0;
  }
  cport_close(probe);

  /* TAP goes to the real stdout; CMocka prints its own progress with
   * printf, so stdout is pointed at stderr while tests run. */
  fflush(stdout);
#if defined(_WIN32)
  int tap_fd = _dup(1);
  _dup2(2, 1);
  FILE *tap = _fdopen(tap_fd, "w");
#else
  int tap_fd = dup(1);
  dup2(2, 1);
  FILE *tap = fdopen(tap_fd, "w");
#endif
  fprintf(tap, "1..%u\n", (unsigned)n);
  fflush(tap);
  int failed = 0;
  for (size_t i = 0; i < n; i++) {
    char group[160];
    snprintf(group, sizeof(group), "%s/%s/%s", name, h_backend(),
             tests[i].name);
    h_skip_reason[0] = '\0';
    int failed_here = _cmocka_run_group_tests(group, &tests[i], 1, NULL, NULL);
    fflush(stdout);
    if (failed_here != 0) {
      failed++;
      fprintf(tap, "not ok %u - %s\n", (unsigned)(i + 1), tests[i].name);
    } else if (h_skip_reason[0] != '\0') {
      fprintf(tap, "ok %u - %s # SKIP %s\n", (unsigned)(i + 1), tests[i].name,
              h_skip_reason);
    } else {
      fprintf(tap, "ok %u - %s\n", (unsigned)(i + 1), tests[i].name);
    }
    fflush(tap);
  }
  fclose(tap);
  return failed ? 1 : 0;
}
