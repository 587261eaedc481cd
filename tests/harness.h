/*
 * harness.h - helpers shared by the CMocka suites: the port under test
 * (backend from $CPORT_BACKEND), threads, clocks, and the closing check
 * every test ends with.
 */
#ifndef CPORT_TEST_HARNESS_H
#define CPORT_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cport.h"

#if defined(_WIN32)
#  include <winsock2.h>
#  include <io.h>
#  include <windows.h>
typedef struct h_win_thread *h_thread_t;
#else
#  include <pthread.h>
#  include <time.h>
#  include <unistd.h>
typedef pthread_t h_thread_t;
#endif

/* Skip the current test with a reason, reported in the TAP stream as
 * "ok N - name # SKIP reason" (cmocka's skip() gives no reason). */
extern char h_skip_reason[256];
#define H_SKIP(...)                                              \
  do {                                                           \
    snprintf(h_skip_reason, sizeof(h_skip_reason), __VA_ARGS__); \
    fprintf(stderr, "# skipped: %s\n", h_skip_reason);           \
    skip();                                                      \
  } while (0)

#define H_ASSERT_RC(expr, want)                                              \
  do {                                                                       \
    int h_rc_ = (expr);                                                      \
    if (h_rc_ != (want))                                                     \
      fail_msg("%s = %s (%d), want %s", #expr, cport_err_name(h_rc_), h_rc_, \
               cport_err_name(want));                                        \
  } while (0)

#define H_OK(expr) H_ASSERT_RC(expr, 0)

/* Sequentially consistent int atomics for test bookkeeping (GCC/Clang
 * builtins, or MSVC intrinsics). H_ADD returns the new value. */
#if defined(_MSC_VER)
#  include <intrin.h>
#  define H_ADD(p, v) \
    ((int)_InterlockedExchangeAdd((volatile long *)(p), (long)(v)) + (v))
#  define H_LOAD(p) ((int)_InterlockedOr((volatile long *)(p), 0))
#  define H_CAS(p, expect, want)                                     \
    (_InterlockedCompareExchange((volatile long *)(p), (long)(want), \
                                 (long)(expect)) == (long)(expect))
#else
#  define H_ADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#  define H_LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#  define H_CAS(p, expect, want) \
    __sync_bool_compare_and_swap((p), (expect), (want))
#endif

/* Port on the backend under test, with the given concurrency. */
cport_t *h_port(unsigned concurrency);
/* True when running under Wine (ntdll exports wine_get_version). */
bool h_on_wine(void);
/* The backend the suite runs on: "io_uring", "epoll", "iocp". */
const char *h_backend(void);
/* A zeroed op record on the heap (free() it), for tests that keep ops
 * past the function that posted them. */
cport_op_t *h_new_op(void);
/* Asserts nothing is left in the port, then closes it. */
void h_close_clean(cport_t *port);
/* Take one completion, failing the test if none arrives in timeout_ms. */
cport_completion_t h_get(cport_t *port, int timeout_ms);
/* Assert that no completion arrives within ms. */
void h_expect_none(cport_t *port, int ms);

/* Threads and open descriptors (handles on Windows) of this process. */
int h_thread_count(void);
int h_fd_count(void);
/* Copies environment variable `name` into out (size bytes); false when it
 * is unset, empty or too long. */
bool h_getenv(const char *name, char *out, size_t size);
/* fopen() without the MSVC deprecation (fopen_s there); NULL on failure. */
FILE *h_fopen(const char *path, const char *mode);
/* A path for a scratch file named `name` in the temporary directory. */
void h_temp_path(char *out, size_t size, const char *name);

uint64_t h_now_ms(void);
void h_sleep_ms(unsigned ms);
void h_thread_start(h_thread_t *t, void *(*fn)(void *), void *arg);
void *h_thread_join(h_thread_t t);

/* Run tests through CMocka one by one and report them as TAP on stdout
 * (CMocka's own messages go to stderr). Returns non-zero if one failed.
 * If the backend under test is refused, prints "1..0 # SKIP reason" and
 * returns 0 (skipped, for TAP and `meson test`). */
int h_run(const char *name, const struct CMUnitTest *tests, size_t n);
#define H_RUN(name, tests) h_run(name, tests, sizeof(tests) / sizeof(tests[0]))

#endif
