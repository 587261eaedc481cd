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
  return w32_service_thread_sized(out, fn, arg, 0);
}

bool w32_service_thread_sized(pthread_t *out, void *(*fn)(void *), void *arg,
                              size_t stack) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old); /* the thread inherits it */
  pthread_attr_t a;
  pthread_attr_init(&a);
  if (stack > 0)
    (void)pthread_attr_setstacksize(&a, stack);
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

/* Each thread that ever made a blocking I/O call of the layer has its
 * record (thread-local) on `sync_list`, from its first such call to its
 * end; entering and leaving a call only stores to the record, with no
 * lock, so blocking calls on many threads do not meet. A cancel finds
 * the thread's record inside a call, marks it and interrupts its system
 * call with SYNC_SIGNAL (a handler that does nothing, installed without
 * SA_RESTART), again every few milliseconds until the thread has left
 * that call, since a signal that lands just before the call blocks is
 * lost. */
#define SYNC_SIGNAL (SIGRTMAX - 1)

struct sync_rec {
  struct sync_rec *next; /* on sync_list (sync_lock) */
  DWORD tid;
  pthread_t thread;
  unsigned depth;  /* the thread's own */
  int fd;          /* atomic: the descriptor of the outermost call, or -1 */
  uint64_t call;   /* atomic: which call; odd while inside one */
  uint64_t cancel; /* atomic: the call a cancel is for */
  bool listed;     /* the thread's own */
};

static __thread struct sync_rec my_sync;
static struct sync_rec *sync_list;
static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t sync_once = PTHREAD_ONCE_INIT;
static pthread_once_t list_once = PTHREAD_ONCE_INIT;
static pthread_key_t sync_key;
static bool sync_key_ok;
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

/* A thread ends: its record leaves the list before its memory goes. */
static void sync_unlist(void *arg) {
  struct sync_rec *r = arg;
  pthread_mutex_lock(&sync_lock);
  for (struct sync_rec **p = &sync_list; *p != NULL; p = &(*p)->next)
    if (*p == r) {
      *p = r->next;
      break;
    }
  pthread_mutex_unlock(&sync_lock);
}

static void sync_key_make(void) {
  sync_key_ok = pthread_key_create(&sync_key, sync_unlist) == 0;
}

/* The thread's first blocking call: its record joins the list (once;
 * without the key to take it off at the thread's end it stays off, and
 * such a thread's calls cannot be cancelled). */
static void sync_list_me(struct sync_rec *r) {
  r->listed = true;
  pthread_once(&list_once, sync_key_make);
  if (!sync_key_ok || pthread_setspecific(sync_key, r) != 0)
    return;
  r->tid = w32_tid();
  r->thread = pthread_self();
  pthread_mutex_lock(&sync_lock);
  r->next = sync_list;
  sync_list = r;
  pthread_mutex_unlock(&sync_lock);
}

void w32_sync_begin_fd(int fd) {
  struct sync_rec *r = &my_sync;
  if (r->depth++ > 0)
    return;
  if (!r->listed)
    sync_list_me(r);
  __atomic_store_n(&r->fd, fd, __ATOMIC_RELAXED);
  __atomic_add_fetch(&r->call, 1, __ATOMIC_SEQ_CST); /* odd: inside */
}

void w32_sync_begin(void) {
  w32_sync_begin_fd(-1);
}

/* A cancel names the call it is for, so one that comes as the thread
 * moves on to its next call never cancels that one. */
bool w32_sync_cancelled(void) {
  uint64_t call = __atomic_load_n(&my_sync.call, __ATOMIC_RELAXED);
  return (call & 1) &&
         __atomic_load_n(&my_sync.cancel, __ATOMIC_ACQUIRE) == call;
}

bool w32_sync_end(void) {
  struct sync_rec *r = &my_sync;
  if (r->depth == 0 || --r->depth > 0)
    return w32_sync_cancelled();
  bool cancelled = w32_sync_cancelled();
  __atomic_add_fetch(&r->call, 1, __ATOMIC_SEQ_CST); /* even: outside */
  return cancelled;
}

/* The record of thread tid (sync_lock held), or NULL. */
static struct sync_rec *sync_find(DWORD tid) {
  for (struct sync_rec *r = sync_list; r != NULL; r = r->next)
    if (r->tid == tid)
      return r;
  return NULL;
}

/* Cancels thread tid's call `want` (0: whichever it is in now). */
static bool sync_cancel_call(DWORD tid, uint64_t want) {
  int e = errno;
  pthread_once(&sync_once, sync_install);
  pthread_mutex_lock(&sync_lock);
  struct sync_rec *r = sync_find(tid);
  uint64_t call = r != NULL ? __atomic_load_n(&r->call, __ATOMIC_SEQ_CST) : 0;
  bool inside = (call & 1) != 0 && (want == 0 || call == want);
  if (inside) /* (a call it has left since: the mark is for no call) */
    __atomic_store_n(&r->cancel, call, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&sync_lock);
  if (!inside) {
    errno = e;
    return false;
  }
  /* Until it has left that call (2 s at most: a wait that polls sees the
   * mark within its slice even where no signal could be sent). */
  for (int i = 0; i < 1000; i++) {
    pthread_mutex_lock(&sync_lock);
    r = sync_find(tid);
    bool here =
        r != NULL && __atomic_load_n(&r->call, __ATOMIC_SEQ_CST) == call;
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

bool w32_sync_cancel(DWORD tid) {
  return sync_cancel_call(tid, 0);
}

int w32_sync_cancel_fd(int fd) {
  /* The threads inside a call on fd now (a few: the rest are found by a
   * second look, which finds those the first cancelled gone). */
  int n = 0;
  for (int round = 0; round < 64; round++) {
    DWORD tids[16];
    uint64_t calls[16]; /* each thread's call on fd: not a later one */
    int k = 0;
    pthread_mutex_lock(&sync_lock);
    for (struct sync_rec *r = sync_list; r != NULL && k < 16; r = r->next) {
      uint64_t call = __atomic_load_n(&r->call, __ATOMIC_SEQ_CST);
      if ((call & 1) && __atomic_load_n(&r->fd, __ATOMIC_RELAXED) == fd) {
        tids[k] = r->tid;
        calls[k++] = call;
      }
    }
    pthread_mutex_unlock(&sync_lock);
    int cancelled = 0;
    for (int i = 0; i < k; i++)
      cancelled += sync_cancel_call(tids[i], calls[i]);
    n += cancelled;
    if (k < 16 || cancelled == 0)
      break;
  }
  return n;
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
