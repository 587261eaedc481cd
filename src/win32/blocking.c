/*
 * blocking.c - what every waiting call of the layer builds on: thread ids,
 * the layer's own signal-free threads,
 * the monotonic clock and deadlines on it, condition variables on that
 * clock, and giving a released worker's place back to its port while it
 * blocks (cport_blocking_begin / cport_blocking_end); the marks of the
 * blocking I/O calls CancelSynchronousIo cancels; with them Sleep and
 * SwitchToThread (SleepEx: apc.c).
 *
 * Windows sees a thread block in its kernel and lets the thread's port
 * release another; on Linux cport learns it from these marks. The layer's
 * waits (waits.c, locks.c), its blocking I/O (bsd.c, wsaio.c, files.c,
 * sockets.c) and the calls here set them.
 */
#include <sched.h>
#include <signal.h>
#include <string.h>
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

/* ------------------------------------------------------------------------ */
/* Synchronous I/O another thread may cancel (CancelSynchronousIo)           */
/* ------------------------------------------------------------------------ */

/* A thread inside a blocking I/O call of the layer is on `sync_list`
 * (its own record, thread-local); a cancel marks it and interrupts its
 * system call with SYNC_SIGNAL (a handler that does nothing, installed
 * without SA_RESTART), again every few milliseconds until the thread has
 * left the call, since a signal that lands just before the call blocks
 * is lost. */
#define SYNC_SIGNAL (SIGRTMAX - 1)

struct sync_rec {
  struct sync_rec *next;
  DWORD tid;
  pthread_t thread;
  unsigned depth;
  uint64_t gen;
  int cancel; /* atomic */
};

static __thread struct sync_rec my_sync;
static struct sync_rec *sync_list;
static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t sync_once = PTHREAD_ONCE_INIT;
static bool sync_signal_ok;

static void on_sync_signal(int sig) {
  (void)sig;
}

/* The handler, unless the program has one of its own there. */
static void sync_install(void) {
  struct sigaction old, sa;
  if (sigaction(SYNC_SIGNAL, NULL, &old) != 0 || old.sa_handler != SIG_DFL ||
      (old.sa_flags & SA_SIGINFO))
    return;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_sync_signal;
  sigemptyset(&sa.sa_mask);
  sync_signal_ok = sigaction(SYNC_SIGNAL, &sa, NULL) == 0;
}

void w32_sync_begin(void) {
  struct sync_rec *r = &my_sync;
  if (r->depth++ > 0)
    return;
  r->tid = w32_tid();
  r->thread = pthread_self();
  __atomic_store_n(&r->cancel, 0, __ATOMIC_RELAXED);
  pthread_mutex_lock(&sync_lock);
  r->gen++;
  r->next = sync_list;
  sync_list = r;
  pthread_mutex_unlock(&sync_lock);
}

bool w32_sync_cancelled(void) {
  return __atomic_load_n(&my_sync.cancel, __ATOMIC_ACQUIRE) != 0;
}

bool w32_sync_end(void) {
  struct sync_rec *r = &my_sync;
  if (r->depth == 0 || --r->depth > 0)
    return w32_sync_cancelled();
  pthread_mutex_lock(&sync_lock);
  for (struct sync_rec **p = &sync_list; *p != NULL; p = &(*p)->next)
    if (*p == r) {
      *p = r->next;
      break;
    }
  pthread_mutex_unlock(&sync_lock);
  return __atomic_exchange_n(&r->cancel, 0, __ATOMIC_ACQ_REL) != 0;
}

/* The record of thread tid in a call, or NULL (sync_lock held). */
static struct sync_rec *sync_find(DWORD tid) {
  for (struct sync_rec *r = sync_list; r != NULL; r = r->next)
    if (r->tid == tid)
      return r;
  return NULL;
}

bool w32_sync_cancel(DWORD tid) {
  int e = errno;
  pthread_once(&sync_once, sync_install);
  pthread_mutex_lock(&sync_lock);
  struct sync_rec *r = sync_find(tid);
  uint64_t gen = r != NULL ? r->gen : 0;
  if (r != NULL)
    __atomic_store_n(&r->cancel, 1, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&sync_lock);
  if (r == NULL)
    return false;
  /* Until it has left that call (2 s at most: a wait that polls sees the
   * mark within its slice even where no signal could be sent). */
  for (int i = 0; i < 1000; i++) {
    pthread_mutex_lock(&sync_lock);
    r = sync_find(tid);
    bool here = r != NULL && r->gen == gen;
    if (here && sync_signal_ok)
      pthread_kill(r->thread, SYNC_SIGNAL);
    pthread_mutex_unlock(&sync_lock);
    if (!here)
      break;
    struct timespec ts = {0, i < 20 ? 100000L : 2000000L};
    nanosleep(&ts, NULL);
  }
  errno = e;
  return true;
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
