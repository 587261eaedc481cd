/*
 * apc.c - asynchronous procedure calls (processthreadsapi.h): QueueUserAPC,
 * each thread's queue of them, and the alertable waits that run them
 * (SleepEx here; WaitForMultipleObjectsEx, WSAWaitForMultipleEvents and
 * GetQueuedCompletionStatusEx through w32_apc_*).
 *
 * A thread the layer started keeps its queue in its thread object
 * (win32.h, struct w32_thread), so QueueUserAPC can reach it by HANDLE; any
 * other thread has a queue of its own for APCs it queues to itself
 * (GetCurrentThread()). The queues are guarded by w32_lock. A thread in
 * an alertable wait names its condition variable in its queue (alert), so
 * an APC queued then wakes it; the wait ends with WAIT_IO_COMPLETION after
 * running every queued APC, in order, outside any lock.
 */
#include <stdlib.h>

#include "win32.h"

/* The calling thread's queue: its thread object's, set by threads.c as
 * the thread starts, or one of its own. A thread the layer did not start
 * gets its queue from the heap as it first needs one; when it ends the
 * queue is marked dead (and kept: an op's routine may still name it). */
__thread struct w32_apcq *w32_apc_q;
static __thread struct w32_apcq *own;
static pthread_once_t own_once = PTHREAD_ONCE_INIT;
static pthread_key_t own_key;

static void own_ended(void *arg) {
  w32_apc_drop(arg);
}

static void own_init(void) {
  pthread_key_create(&own_key, own_ended);
}

struct w32_apcq *w32_apc_mine(void) {
  if (w32_apc_q != NULL)
    return w32_apc_q;
  if (own == NULL) {
    pthread_once(&own_once, own_init);
    own = calloc(1, sizeof(*own));
    if (own != NULL)
      pthread_setspecific(own_key, own);
  }
  return own;
}

bool w32_apc_pending_locked(void) {
  struct w32_apcq *q = w32_apc_q != NULL ? w32_apc_q : own;
  return q != NULL && q->head != NULL;
}

void w32_apc_alert_locked(pthread_cond_t *cv) {
  /* A thread with no queue yet can be sent nothing: only it makes one. */
  struct w32_apcq *q = w32_apc_q != NULL ? w32_apc_q : own;
  if (q != NULL)
    q->alert = cv;
}

/* One at a time, each taken off the queue as it runs: an APC that ends
 * the thread (ExitThread) leaves the rest to w32_apc_drop. */
unsigned w32_apc_run(void) {
  struct w32_apcq *q = w32_apc_q != NULL ? w32_apc_q : own;
  if (q == NULL)
    return 0;
  unsigned n = 0;
  for (;;) {
    pthread_mutex_lock(&w32_lock);
    struct w32_apc *a = q->head;
    if (a != NULL) {
      q->head = a->next;
      if (q->head == NULL)
        q->tail = NULL;
      a->queued = false; /* an embedded node may be queued again now */
    }
    PAPCFUNC fn = a != NULL ? a->fn : NULL;
    ULONG_PTR data = a != NULL ? a->data : 0;
    pthread_mutex_unlock(&w32_lock);
    if (a == NULL)
      return n;
    if (!a->embedded)
      free(a);
    fn(data);
    n++;
  }
}

DWORD w32_alertable_poll(DWORD ms, bool (*try_once)(void *ctx, DWORD slice),
                         void *ctx) {
  uint64_t until = ms == INFINITE ? UINT64_MAX : w32_now_ms() + ms;
  DWORD slice = 0; /* the first look does not wait */
  for (;;) {
    if (try_once(ctx, slice))
      return 0;
    if (w32_apc_run() > 0)
      return WAIT_IO_COMPLETION;
    uint64_t now = w32_now_ms();
    if (until != UINT64_MAX && now >= until)
      return WAIT_TIMEOUT;
    DWORD left =
        until == UINT64_MAX ? W32_ALERT_SLICE_MS : (DWORD)(until - now);
    slice = left < W32_ALERT_SLICE_MS ? left : W32_ALERT_SLICE_MS;
  }
}

void w32_apc_drop(struct w32_apcq *q) {
  pthread_mutex_lock(&w32_lock);
  struct w32_apc *list = q->head;
  q->head = q->tail = NULL;
  q->alert = NULL;
  q->dead = true;
  for (struct w32_apc *a = list; a != NULL; a = a->next)
    a->queued = false;
  pthread_mutex_unlock(&w32_lock);
  while (list != NULL) {
    struct w32_apc *a = list;
    list = a->next;
    PAPCFUNC drop = a->drop;
    ULONG_PTR data = a->data;
    if (!a->embedded)
      free(a);
    if (drop != NULL)
      drop(data); /* e.g. a routine gives its op back */
  }
}

bool w32_apc_unqueue_locked(struct w32_apcq *q, struct w32_apc *node) {
  if (!node->queued)
    return false;
  struct w32_apc *prev = NULL;
  for (struct w32_apc *a = q->head; a != NULL; prev = a, a = a->next) {
    if (a != node)
      continue;
    if (prev != NULL)
      prev->next = a->next;
    else
      q->head = a->next;
    if (q->tail == a)
      q->tail = prev;
    a->queued = false;
    return true;
  }
  return false;
}

bool w32_apc_append_locked(struct w32_apcq *q, struct w32_apc *a) {
  if (q->dead)
    return false;
  a->next = NULL;
  a->queued = true;
  if (q->tail != NULL)
    q->tail->next = a;
  else
    q->head = a;
  q->tail = a;
  if (q->alert != NULL)
    pthread_cond_signal(q->alert);
  return true;
}

/* A node from the heap, freed as it leaves its queue. */
static struct w32_apc *node_new(PAPCFUNC fn, PAPCFUNC drop, ULONG_PTR data) {
  struct w32_apc *a = calloc(1, sizeof(*a));
  if (a != NULL) {
    a->fn = fn;
    a->data = data;
    a->drop = drop;
  }
  return a;
}

bool w32_apc_queue(struct w32_apcq *q, PAPCFUNC fn, PAPCFUNC drop,
                   ULONG_PTR data) {
  struct w32_apc *a = q != NULL ? node_new(fn, drop, data) : NULL;
  if (a == NULL)
    return false;
  pthread_mutex_lock(&w32_lock);
  bool ok = w32_apc_append_locked(q, a);
  pthread_mutex_unlock(&w32_lock);
  if (!ok)
    free(a);
  return ok;
}

CPORT_API DWORD QueueUserAPC(PAPCFUNC fn, HANDLE thread, ULONG_PTR data) {
  if (fn == NULL)
    return (DWORD)w32_fail(ERROR_INVALID_PARAMETER);
  struct w32_apcq *self_q =
      thread == (HANDLE)(LONG_PTR)-2 ? w32_apc_mine() : NULL;
  struct w32_apc *a = node_new(fn, NULL, data);
  if (a == NULL || (thread == (HANDLE)(LONG_PTR)-2 && self_q == NULL)) {
    free(a);
    return (DWORD)w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  }
  pthread_mutex_lock(&w32_lock);
  struct w32_apcq *q = NULL;
  if (thread == (HANDLE)(LONG_PTR)-2) {
    q = self_q;
  } else {
    struct w32_thread *t =
        (struct w32_thread *)w32_object_get(thread, W32_THREAD);
    if (t != NULL && !t->done)
      q = t->apcq; /* a thread not yet started runs it first */
  }
  if (q == NULL || !w32_apc_append_locked(q, a)) {
    pthread_mutex_unlock(&w32_lock);
    free(a);
    return (DWORD)w32_fail(ERROR_INVALID_HANDLE);
  }
  pthread_mutex_unlock(&w32_lock);
  return 1;
}

/* Plain when not alertable (blocking.c's Sleep); alertable, a wait on a
 * condition variable of its own that an APC ends. */
CPORT_API DWORD SleepEx(DWORD ms, BOOL alertable) {
  if (!alertable) {
    Sleep(ms);
    return 0;
  }
  if (w32_apc_run() > 0)
    return WAIT_IO_COMPLETION;
  if (ms == 0) {
    sched_yield();
    return 0;
  }
  pthread_cond_t cv;
  w32_cond_init(&cv);
  struct timespec dl = w32_deadline(ms);
  w32_block_begin();
  pthread_mutex_lock(&w32_lock);
  w32_apc_alert_locked(&cv);
  bool apc = false;
  while (!(apc = w32_apc_pending_locked()))
    if (w32_cond_wait(&cv, &w32_lock, ms == INFINITE ? NULL : &dl) != 0) {
      apc = w32_apc_pending_locked();
      break;
    }
  w32_apc_alert_locked(NULL);
  pthread_mutex_unlock(&w32_lock);
  w32_block_end();
  pthread_cond_destroy(&cv);
  if (!apc)
    return 0;
  w32_apc_run();
  return WAIT_IO_COMPLETION;
}
