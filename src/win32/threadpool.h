/*
 * threadpool.h - what the thread pool's files share (threadpoolapiset.h):
 * pools, the objects callbacks run for, and the counts that say when an
 * object may go.
 *
 * A pool is a completion port of the layer's own and the threads that
 * take its packets (threadpool.c). A packet's key names the object it is
 * for: a work submission, a timer's expiry or a wait's end is posted to
 * the port; an I/O object's handle is associated with the port under the
 * object's key, so its completions arrive there as the kernel ends them.
 *
 * One lock (tp_lock) guards every object's counts, so a wait, a cancel
 * and a close see one picture:
 *   queued   packets of the object not yet taken (for an I/O object, the
 *            operations started and not yet taken, in flight or queued);
 *   dropped  of those, how many a cancel asked to drop when taken;
 *   running  callbacks running that the waits count (not disassociated);
 *   active   callbacks running at all, and holds taken while tp_lock is
 *            let go.
 * An object is freed once closed with all four at zero and nothing armed
 * (a timer's arming, a wait's registration).
 *
 * Lock order: tp_lock, then the timer queue's lock or w32_lock; never the
 * other way round.
 */
#ifndef CPORT_WIN32_THREADPOOL_H
#define CPORT_WIN32_THREADPOOL_H

#include "win32.h"

enum tp_kind {
  TP_WORK_K,
  TP_SIMPLE_K,
  TP_TIMER_K,
  TP_IO_K,
  TP_QUEUED_K,
  TP_BOUND_K,
  TP_WAIT_K,    /* CreateThreadpoolWait */
  TP_REGWAIT_K, /* RegisterWaitForSingleObject */
};

struct tp_pool {
  HANDLE port;
  unsigned threads, idle, backlog; /* backlog: posts not yet taken */
  unsigned least, most;
  unsigned objects; /* live objects on it, and 1 while not closed */
  bool stopping;    /* closed with no objects: threads leave */
  bool closed;      /* CloseThreadpool was called */
  /* The starvation watch (threadpool.c): callbacks that returned, and
   * their count at the watch's last look. */
  unsigned long returned, looked;
  size_t stack_reserve, stack_commit; /* SetThreadpoolStackInformation */
  struct tp_pool *next_pool;          /* every pool, for the watch */
};

struct tp_group {
  struct tp_object *members;
};

struct tp_arm;     /* a timer's arming on the timer queue */
struct tp_waitreg; /* a wait's registration with the wait thread */

struct tp_object {
  enum tp_kind kind;
  struct tp_pool *pool;
  union {
    PTP_WORK_CALLBACK work;
    PTP_SIMPLE_CALLBACK simple;
    PTP_TIMER_CALLBACK timer;
    PTP_WIN32_IO_CALLBACK io;
    LPTHREAD_START_ROUTINE queued;
    LPOVERLAPPED_COMPLETION_ROUTINE bound;
    PTP_WAIT_CALLBACK wait;
    WAITORTIMERCALLBACK regwait;
  } fn;
  PVOID context;
  PTP_SIMPLE_CALLBACK finalize;
  struct tp_group *group;
  PTP_CLEANUP_GROUP_CANCEL_CALLBACK group_cancel;
  struct tp_object *gnext, *gprev;
  unsigned queued, dropped, running, active;
  bool closed;
  bool closing;           /* a close has begun: nothing queues new callbacks */
  bool timer_set;         /* armed (a one-shot until it expires) */
  struct tp_arm *arm;     /* the current arming, or NULL */
  struct tp_waitreg *reg; /* a wait's registration, or NULL */
  HANDLE done_event;      /* set when freed (UnregisterWaitEx), or NULL */
  /* Stops what queues the object's callbacks on its own (a timer's
   * arming, a wait's registration), tp_lock not held; NULL if nothing. */
  void (*stop)(struct tp_object *o);
};

CP_INTERNAL extern pthread_mutex_t tp_lock;
CP_INTERNAL extern pthread_cond_t tp_cond; /* counts went down */

/* A new object on the environment's pool (the default pool for NULL),
 * in its cleanup group if it names one; NULL with the error set. */
CP_INTERNAL struct tp_object *tp_object_new(enum tp_kind kind,
                                            PTP_CALLBACK_ENVIRON env);
/* Queues one callback of o, with `bytes` for its packet (tp_lock held);
 * false if the port refused. */
CP_INTERNAL bool tp_post_locked(struct tp_object *o, DWORD bytes);
/* Drops o's queued callbacks (tp_lock held); true if there were some. */
CP_INTERNAL bool tp_cancel_locked(struct tp_object *o);
/* Waits until no callback of o is queued or running (tp_lock held);
 * disassociated callbacks do not count (WaitFor*Callbacks). */
CP_INTERNAL void tp_wait_locked(struct tp_object *o);
/* Drops a hold on o (active) taken while tp_lock was let go, waking the
 * waits, and frees o if that was the last thing (tp_lock held). */
CP_INTERNAL void tp_release_locked(struct tp_object *o);
/* Whether new callbacks of o may be queued (tp_lock held). */
static inline bool tp_open_locked(const struct tp_object *o) {
  return !o->closed && !o->closing;
}
/* Frees a closed object nothing refers to any more (tp_lock held). */
CP_INTERNAL void tp_maybe_free_locked(struct tp_object *o);
/* Closes o: freed now or after its callbacks (tp_lock held). */
CP_INTERNAL void tp_close_locked(struct tp_object *o);
/* One more thread for the pool (tp_lock held); false if none started. */
CP_INTERNAL bool tp_spawn_locked(struct tp_pool *p);
/* Milliseconds until a FILETIME due time (w32_due_ms). */
static inline DWORD tp_due_ms(const FILETIME *due) {
  return w32_due_ms(
      (int64_t)(((uint64_t)due->dwHighDateTime << 32) | due->dwLowDateTime));
}

#endif
