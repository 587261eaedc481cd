/*
 * blocking.c - what every waiting call of the layer builds on: thread ids,
 * the layer's own signal-free threads,
 * the monotonic clock and deadlines on it, condition variables on that
 * clock, and giving a released worker's place back to its port while it
 * blocks (cport_blocking_begin / cport_blocking_end); with them Sleep
 * and SwitchToThread (SleepEx: apc.c).
 *
 * Windows sees a thread block in its kernel and lets the thread's port
 * release another; on Linux cport learns it from these marks. The layer's
 * waits (waits.c, locks.c), its blocking I/O (bsd.c, wsaio.c, files.c,
 * sockets.c) and the calls here set them.
 */
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>

#include "win32.h"

/* The Linux thread id, asked once per thread: the id CreateThread reports
 * and GetCurrentThreadId returns, and the owner of a mutex. */
static __thread DWORD cached_tid;

DWORD w32_tid(void) {
  if (cached_tid == 0)
    cached_tid = (DWORD)syscall(SYS_gettid);
  return cached_tid;
}

bool w32_service_thread(pthread_t *out, void *(*fn)(void *), void *arg) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old); /* the thread inherits it */
  pthread_attr_t a;
  pthread_attr_init(&a);
  if (out == NULL)
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  int rc = pthread_create(out != NULL ? out : &t, &a, fn, arg);
  pthread_attr_destroy(&a);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc == 0;
}

uint64_t w32_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

DWORD w32_due_ms(int64_t due) {
  int64_t ticks; /* 100 ns */
  if (due < 0) {
    ticks = due == INT64_MIN ? INT64_MAX : -due;
  } else {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = ((int64_t)ts.tv_sec + 11644473600) * 10000000 +
                  (int64_t)ts.tv_nsec / 100;
    ticks = due > now ? due - now : 0;
  }
  int64_t ms = ticks / 10000 + (ticks % 10000 != 0);
  return ms >= (int64_t)INFINITE ? INFINITE - 1 : (DWORD)ms;
}

struct timespec w32_deadline(DWORD ms) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  uint64_t ns = (uint64_t)t.tv_nsec + (uint64_t)(ms % 1000) * 1000000u;
  t.tv_sec += (time_t)(ms / 1000 + ns / 1000000000u);
  t.tv_nsec = (long)(ns % 1000000000u);
  return t;
}

void w32_cond_init(pthread_cond_t *cv) {
  pthread_condattr_t a;
  pthread_condattr_init(&a);
  pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
  pthread_cond_init(cv, &a);
  pthread_condattr_destroy(&a);
}

int w32_cond_wait(pthread_cond_t *cv, pthread_mutex_t *m,
                  const struct timespec *deadline) {
  if (deadline == NULL)
    return pthread_cond_wait(cv, m);
  return pthread_cond_timedwait(cv, m, deadline);
}

/* ------------------------------------------------------------------------ */
/* A released worker that blocks                                             */
/* ------------------------------------------------------------------------ */

void w32_block_begin(void) {
  int e = errno;
  cport_blocking_begin();
  errno = e;
}

void w32_block_end(void) {
  int e = errno;
  cport_blocking_end();
  errno = e;
}

CPORT_API void Sleep(DWORD ms) {
  if (ms == 0) {
    sched_yield(); /* gives up the rest of the time slice, as on Windows */
    return;
  }
  w32_block_begin();
  if (ms == INFINITE) {
    for (;;)
      pause();
  }
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
  w32_block_end();
}

/* Always nonzero: Linux does not say whether another thread ran. */
CPORT_API BOOL SwitchToThread(void) {
  sched_yield();
  return TRUE;
}
