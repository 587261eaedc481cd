/*
 * waits.c - the objects threads wait on and the waits themselves:
 * WaitForSingleObject / WaitForMultipleObjects on threads, events,
 * mutexes, semaphores, waitable timers, change notifications and file,
 * pipe or socket handles in any mix, the WSA event calls, and the hook
 * that signals an OVERLAPPED's event when its op ends.
 *
 * Every waitable's state is guarded by w32_lock. A waiting thread puts a
 * wait block (its own condition variable) on each object it waits for;
 * whatever changes an object's state wakes the blocks on it, and each
 * woken thread checks again whether its wait is satisfied.
 *
 * A file, pipe or socket handle is its file object's event, which the
 * engine keeps (cport__io_signaled): every op started on the handle
 * resets it, every op without an event sets it as it ends (so
 * "GetOverlappedResult ... uses the state of the hFile handle" when
 * hEvent is NULL), unless FILE_SKIP_SET_EVENT_ON_HANDLE was set. Nothing
 * wakes a wait on it: a wait that includes one looks again every
 * W32_FDWAIT_SLICE_MS.
 */
#include <fcntl.h>
#include <string.h>

#include "win32.h"

struct w32_event {
  struct w32_object obj;
  bool manual;
  bool signaled;
  /* Ops with it that published their results and have not set it yet
   * (cport__set_event_ending_hook): microseconds each. */
  unsigned ending;
};

/* Broadcast when an event's last ending op has set it (w32_lock). */
static pthread_cond_t settled;
static pthread_once_t settled_once = PTHREAD_ONCE_INIT;

static void settled_init(void) {
  w32_cond_init(&settled);
}

struct w32_mutex {
  struct w32_object obj;
  DWORD owner; /* thread id, 0 when free */
  unsigned count;
  bool abandoned;                /* its owner ended holding it */
  struct w32_mutex *prev, *next; /* on the list of owned mutexes */
};

/* ------------------------------------------------------------------------ */
/* Abandoned mutexes                                                         */
/* ------------------------------------------------------------------------ */

/* Every owned mutex (w32_lock), so a thread that ends holding some gives
 * them up: "If a thread terminates without releasing its ownership of a
 * mutex object, the mutex object is considered to be abandoned. A
 * waiting thread can acquire ownership of an abandoned mutex object, but
 * the wait function will return WAIT_ABANDONED" (Mutex Objects). */
static struct w32_mutex *owned;
static pthread_once_t owner_once = PTHREAD_ONCE_INIT;
static pthread_key_t owner_key;
static __thread bool owner_hooked;

/* The calling thread ends: the mutexes it holds are abandoned, free for
 * the next waiter. */
static void owner_ended(void *arg) {
  (void)arg;
  DWORD tid = w32_tid();
  pthread_mutex_lock(&w32_lock);
  for (struct w32_mutex *m = owned, *next; m != NULL; m = next) {
    next = m->next;
    if (m->owner != tid)
      continue;
    if (m->prev != NULL)
      m->prev->next = m->next;
    else
      owned = m->next;
    if (m->next != NULL)
      m->next->prev = m->prev;
    m->prev = m->next = NULL;
    m->owner = 0;
    m->count = 0;
    m->abandoned = true;
    w32_wake_locked(&m->obj);
    w32_unref_locked(&m->obj); /* the owner's hold (mutex_take_locked) */
  }
  pthread_mutex_unlock(&w32_lock);
}

static void owner_init(void) {
  if (pthread_key_create(&owner_key, owner_ended) != 0)
    owner_key = (pthread_key_t)-1;
}

/* m becomes tid's (the calling thread's; w32_lock held). An owned mutex
 * holds a reference, so the list never names a freed one (its handles may
 * all be closed while a thread owns it). */
static void mutex_take_locked(struct w32_mutex *m, DWORD tid) {
  m->owner = tid;
  if (m->count++ > 0)
    return;
  m->obj.refs++;
  m->next = owned;
  m->prev = NULL;
  if (owned != NULL)
    owned->prev = m;
  owned = m;
  if (!owner_hooked) {
    /* (The key's destructor runs at the thread's end; a value must be
     * set for it to. The main thread returning from main ends the
     * process, with nobody left to wait.) */
    pthread_once(&owner_once, owner_init);
    if (owner_key != (pthread_key_t)-1 &&
        pthread_setspecific(owner_key, (void *)1) == 0)
      owner_hooked = true;
  }
}

/* m is released for good (w32_lock held); the caller wakes its waiters,
 * then drops the owner's reference. */
static void mutex_drop_locked(struct w32_mutex *m) {
  if (m->prev != NULL)
    m->prev->next = m->next;
  else if (owned == m)
    owned = m->next;
  if (m->next != NULL)
    m->next->prev = m->prev;
  m->prev = m->next = NULL;
  m->owner = 0;
}

struct w32_semaphore {
  struct w32_object obj;
  LONG count;
  LONG max;
};

/* A descriptor in one wait (the wait's own: on its stack, refs 1). */
struct w32_fdwait {
  struct w32_object obj;
  int fd;
};

#define W32_FDWAIT_SLICE_MS 1

/* ------------------------------------------------------------------------ */
/* State of a waitable (w32_lock held)                                       */
/* ------------------------------------------------------------------------ */

bool w32_waitable(const struct w32_object *o) {
  return o->type == W32_THREAD || o->type == W32_EVENT ||
         o->type == W32_MUTEX || o->type == W32_SEMAPHORE ||
         o->type == W32_WTIMER || o->type == W32_FDWAIT ||
         o->type == W32_CHANGE;
}

bool w32_signaled_locked(struct w32_object *o, DWORD tid) {
  switch (o->type) {
  case W32_EVENT:
    return ((struct w32_event *)o)->signaled;
  case W32_MUTEX: {
    struct w32_mutex *m = (struct w32_mutex *)o;
    return m->owner == 0 || m->owner == tid;
  }
  case W32_SEMAPHORE:
    return ((struct w32_semaphore *)o)->count > 0;
  case W32_THREAD:
    return ((struct w32_thread *)o)->done;
  case W32_WTIMER:
    return ((struct w32_wtimer *)o)->signaled;
  case W32_CHANGE: /* stays signalled until FindNextChangeNotification */
    return ((struct w32_change *)o)->signaled;
  case W32_FDWAIT: {
    /* FILE_SKIP_SET_EVENT_ON_HANDLE: its ops' ends no longer set it (and
     * each start still resets it). */
    int fd = ((struct w32_fdwait *)o)->fd;
    return !(w32_fd_flags(fd) & W32_FD_NO_IO_EVENT) && cport__io_signaled(fd);
  }
  default:
    return false;
  }
}

void w32_acquire_locked(struct w32_object *o, DWORD tid) {
  switch (o->type) {
  case W32_EVENT: {
    struct w32_event *e = (struct w32_event *)o;
    if (!e->manual)
      e->signaled = false;
    break;
  }
  case W32_MUTEX:
    mutex_take_locked((struct w32_mutex *)o, tid);
    break;
  case W32_SEMAPHORE:
    ((struct w32_semaphore *)o)->count--;
    break;
  case W32_WTIMER: {
    struct w32_wtimer *t = (struct w32_wtimer *)o;
    if (!t->manual) /* a synchronization timer releases one waiter */
      t->signaled = false;
    break;
  }
  default:
    break;
  }
}

void w32_wake_locked(struct w32_object *o) {
  for (struct w32_waitblock *b = o->waiters; b != NULL; b = b->next)
    pthread_cond_signal(b->cv);
}

/* Whether o is a mutex its owner abandoned; the mark goes (the caller
 * acquires it). w32_lock held. */
static bool take_abandoned(struct w32_object *o) {
  if (o->type != W32_MUTEX || !((struct w32_mutex *)o)->abandoned)
    return false;
  ((struct w32_mutex *)o)->abandoned = false;
  return true;
}

/* WAIT_OBJECT_0 + i (any: the first signalled; all: 0), WAIT_ABANDONED_0
 * + i (an abandoned mutex acquired: any, it; all, one of them) or
 * WAIT_TIMEOUT. */
static DWORD try_satisfy(struct w32_object **objs, DWORD n, bool all,
                         DWORD tid) {
  if (!all) {
    for (DWORD i = 0; i < n; i++)
      if (w32_signaled_locked(objs[i], tid)) {
        w32_acquire_locked(objs[i], tid);
        return (take_abandoned(objs[i]) ? WAIT_ABANDONED_0 : WAIT_OBJECT_0) + i;
      }
    return WAIT_TIMEOUT;
  }
  for (DWORD i = 0; i < n; i++)
    if (!w32_signaled_locked(objs[i], tid))
      return WAIT_TIMEOUT;
  DWORD r = WAIT_OBJECT_0;
  for (DWORD i = 0; i < n; i++) {
    w32_acquire_locked(objs[i], tid);
    if (take_abandoned(objs[i]) && r == WAIT_OBJECT_0)
      r = WAIT_ABANDONED_0 + i;
  }
  return r;
}

/* ------------------------------------------------------------------------ */
/* The wait                                                                  */
/* ------------------------------------------------------------------------ */

/* WAIT_OBJECT_0 + i for the first of a wait's blocks PulseEvent released,
 * else WAIT_TIMEOUT (w32_lock held). */
static DWORD pulsed_index(const struct w32_waitblock *b, DWORD n) {
  for (DWORD i = 0; i < n; i++)
    if (b[i].pulsed)
      return WAIT_OBJECT_0 + i;
  return WAIT_TIMEOUT;
}

/* A HANDLE holding an open descriptor (a file, pipe or socket). */
static bool fd_handle(HANDLE h) {
  if (h == NULL || !w32_is_fd(h))
    return false;
  return fcntl((int)(intptr_t)h, F_GETFD) >= 0;
}

/* WAIT_OBJECT_0 + i, WAIT_TIMEOUT, WAIT_IO_COMPLETION (alertable: an APC
 * was queued, and has run), or WAIT_FAILED with *err set. */
static DWORD wait_objects(DWORD n, const HANDLE *hs, bool all, DWORD ms,
                          bool alertable, DWORD *err) {
  if (hs == NULL || n == 0 || n > MAXIMUM_WAIT_OBJECTS) {
    *err = ERROR_INVALID_PARAMETER;
    return WAIT_FAILED;
  }
  struct w32_object *objs[MAXIMUM_WAIT_OBJECTS];
  struct w32_fdwait fds[MAXIMUM_WAIT_OBJECTS];
  /* GetCurrentThread(): the waiting thread, which cannot end while it
   * waits; an event of the wait's own, never set, stands for it. And one
   * for GetCurrentProcess() (INVALID_HANDLE_VALUE), which cannot end
   * either: a wait on it times out, as on Windows. */
  struct w32_event self, process;
  memset(&self, 0, sizeof(self));
  self.obj.type = W32_EVENT;
  self.obj.refs = 1; /* never freed: the wait's own */
  self.manual = true;
  process = self;
  bool polled = false; /* a descriptor among them */
  DWORD tid = w32_tid();
  pthread_mutex_lock(&w32_lock);
  for (DWORD i = 0; i < n; i++) {
    objs[i] = hs[i] == W32_CURRENT_THREAD     ? &self.obj
              : hs[i] == INVALID_HANDLE_VALUE ? &process.obj
                                              : w32_object_get(hs[i], 0);
    if (objs[i] == NULL && fd_handle(hs[i])) {
      memset(&fds[i], 0, sizeof(fds[i]));
      fds[i].obj.type = W32_FDWAIT;
      fds[i].obj.refs = 1; /* never freed: the wait's own */
      fds[i].fd = (int)(intptr_t)hs[i];
      objs[i] = &fds[i].obj;
      polled = true;
    }
    if (objs[i] == NULL || !w32_waitable(objs[i])) {
      pthread_mutex_unlock(&w32_lock);
      *err = ERROR_INVALID_HANDLE;
      return WAIT_FAILED;
    }
    for (DWORD j = 0; all && j < i; j++)
      if (objs[j] == objs[i]) { /* Windows refuses duplicates here */
        pthread_mutex_unlock(&w32_lock);
        *err = ERROR_INVALID_PARAMETER;
        return WAIT_FAILED;
      }
  }
  DWORD r = try_satisfy(objs, n, all, tid);
  /* A signalled object first, then the APCs (as Windows' kernel checks). */
  if (r == WAIT_TIMEOUT && alertable && w32_apc_pending_locked()) {
    pthread_mutex_unlock(&w32_lock);
    w32_apc_run();
    return WAIT_IO_COMPLETION;
  }
  if (r != WAIT_TIMEOUT || ms == 0) {
    pthread_mutex_unlock(&w32_lock);
    return r;
  }
  for (DWORD i = 0; i < n; i++)
    w32_ref_locked(objs[i]);
  pthread_mutex_unlock(&w32_lock);

  w32_block_begin();
  struct timespec dl = w32_deadline(ms);
  pthread_cond_t cv;
  w32_cond_init(&cv);
  struct w32_waitblock blocks[MAXIMUM_WAIT_OBJECTS];
  pthread_mutex_lock(&w32_lock);
  for (DWORD i = 0; i < n; i++) {
    blocks[i].cv = &cv;
    blocks[i].any = !all;
    blocks[i].pulsed = false;
    blocks[i].idle = false;
    blocks[i].next = objs[i]->waiters;
    objs[i]->waiters = &blocks[i];
  }
  if (alertable)
    w32_apc_alert_locked(&cv);
  while ((r = try_satisfy(objs, n, all, tid)) == WAIT_TIMEOUT &&
         (r = pulsed_index(blocks, n)) == WAIT_TIMEOUT) {
    if (alertable && w32_apc_pending_locked()) {
      r = WAIT_IO_COMPLETION;
      break;
    }
    if (polled) {
      /* Look again at the descriptors each slice, to the deadline. */
      struct timespec slice = w32_deadline(W32_FDWAIT_SLICE_MS);
      bool last = ms != INFINITE &&
                  (slice.tv_sec > dl.tv_sec ||
                   (slice.tv_sec == dl.tv_sec && slice.tv_nsec >= dl.tv_nsec));
      if (w32_cond_wait(&cv, &w32_lock, last ? &dl : &slice) == 0 || !last)
        continue;
      r = try_satisfy(objs, n, all, tid);
      if (r == WAIT_TIMEOUT && alertable && w32_apc_pending_locked())
        r = WAIT_IO_COMPLETION;
      break;
    }
    if (w32_cond_wait(&cv, &w32_lock, ms == INFINITE ? NULL : &dl) != 0) {
      r = try_satisfy(objs, n, all, tid);
      if (r == WAIT_TIMEOUT && alertable && w32_apc_pending_locked())
        r = WAIT_IO_COMPLETION;
      break;
    }
  }
  if (r == WAIT_TIMEOUT)
    r = pulsed_index(blocks, n); /* (a pulse as the time ran out) */
  if (alertable)
    w32_apc_alert_locked(NULL);
  for (DWORD i = 0; i < n; i++) {
    struct w32_waitblock **pp = &objs[i]->waiters;
    while (*pp != &blocks[i])
      pp = &(*pp)->next;
    *pp = blocks[i].next;
    w32_unref_locked(objs[i]);
  }
  pthread_mutex_unlock(&w32_lock);
  pthread_cond_destroy(&cv);
  w32_block_end();
  if (r == WAIT_IO_COMPLETION)
    w32_apc_run();
  return r;
}

CPORT_API DWORD WaitForMultipleObjectsEx(DWORD n, const HANDLE *hs, BOOL all,
                                         DWORD ms, BOOL alertable) {
  DWORD err = 0,
        r = wait_objects(n, hs, all != FALSE, ms, alertable != FALSE, &err);
  if (r == WAIT_FAILED)
    SetLastError(err);
  return r;
}

CPORT_API DWORD WaitForMultipleObjects(DWORD n, const HANDLE *hs, BOOL all,
                                       DWORD ms) {
  return WaitForMultipleObjectsEx(n, hs, all, ms, FALSE);
}

CPORT_API DWORD WaitForSingleObjectEx(HANDLE h, DWORD ms, BOOL alertable) {
  return WaitForMultipleObjectsEx(1, &h, FALSE, ms, alertable);
}

CPORT_API DWORD WaitForSingleObject(HANDLE h, DWORD ms) {
  return WaitForMultipleObjectsEx(1, &h, FALSE, ms, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Events                                                                    */
/* ------------------------------------------------------------------------ */

static HANDLE event_new(BOOL manual, BOOL initial, bool named) {
  if (named)
    return w32_fail_null(ERROR_NOT_SUPPORTED); /* no named objects */
  struct w32_event *e = w32_object_new(W32_EVENT, sizeof(*e));
  if (e == NULL)
    return NULL;
  e->manual = manual != FALSE;
  e->signaled = initial != FALSE;
  return e;
}

/* Signals one object (an event is set, a mutex released, a semaphore
 * released by one), then waits on the other. Not atomic, as documented
 * ("threads executing on other processors can observe the signaled
 * state of the first object before the thread calling
 * SignalObjectAndWait begins its wait on the second object"). */
CPORT_API DWORD SignalObjectAndWait(HANDLE signal, HANDLE wait, DWORD ms,
                                    BOOL alertable) {
  BOOL ok;
  if (w32_object_get(signal, W32_EVENT) != NULL)
    ok = SetEvent(signal);
  else if (w32_object_get(signal, W32_MUTEX) != NULL)
    ok = ReleaseMutex(signal);
  else if (w32_object_get(signal, W32_SEMAPHORE) != NULL)
    ok = ReleaseSemaphore(signal, 1, NULL);
  else
    ok = w32_fail(ERROR_INVALID_HANDLE);
  if (!ok)
    return WAIT_FAILED;
  return WaitForSingleObjectEx(wait, ms, alertable);
}

CPORT_API HANDLE CreateEventA(LPSECURITY_ATTRIBUTES sa, BOOL manual,
                              BOOL initial, LPCSTR name) {
  (void)sa;
  return event_new(manual, initial, name != NULL);
}

CPORT_API HANDLE CreateEventW(LPSECURITY_ATTRIBUTES sa, BOOL manual,
                              BOOL initial, LPCWSTR name) {
  (void)sa;
  return event_new(manual, initial, name != NULL);
}

static HANDLE event_new_ex(DWORD flags, bool named) {
  if (flags & ~(DWORD)(CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET))
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  return event_new((flags & CREATE_EVENT_MANUAL_RESET) != 0,
                   (flags & CREATE_EVENT_INITIAL_SET) != 0, named);
}

CPORT_API HANDLE CreateEventExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name,
                                DWORD flags, DWORD access) {
  (void)sa;
  (void)access;
  return event_new_ex(flags, name != NULL);
}

CPORT_API HANDLE CreateEventExW(LPSECURITY_ATTRIBUTES sa, LPCWSTR name,
                                DWORD flags, DWORD access) {
  (void)sa;
  (void)access;
  return event_new_ex(flags, name != NULL);
}

void w32_event_set_locked(struct w32_object *o) {
  ((struct w32_event *)o)->signaled = true;
  w32_wake_locked(o);
}

static BOOL event_change(HANDLE h, bool set) {
  struct w32_object *o = w32_object_get(h, W32_EVENT);
  if (o == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  pthread_mutex_lock(&w32_lock);
  if (set)
    w32_event_set_locked(o);
  else
    ((struct w32_event *)o)->signaled = false;
  pthread_mutex_unlock(&w32_lock);
  return TRUE;
}

CPORT_API BOOL SetEvent(HANDLE h) {
  return event_change(h, true);
}
CPORT_API BOOL ResetEvent(HANDLE h) {
  return event_change(h, false);
}

/* "Sets the specified event object to the signaled state and then resets
 * it to the nonsignaled state after releasing the appropriate number of
 * waiting threads": every thread waiting for it (a manual-reset event)
 * or one (auto-reset), among those waiting for any one of their objects;
 * a thread not waiting at that moment is not released (the page calls
 * the call unreliable for that reason). */
CPORT_API BOOL PulseEvent(HANDLE h) {
  struct w32_object *o = w32_object_get(h, W32_EVENT);
  if (o == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  struct w32_event *e = (struct w32_event *)o;
  pthread_mutex_lock(&w32_lock);
  for (struct w32_waitblock *b = o->waiters; b != NULL; b = b->next) {
    if (!b->any || b->pulsed || b->idle)
      continue;
    b->pulsed = true;
    pthread_cond_signal(b->cv);
    if (!e->manual)
      break;
  }
  e->signaled = false;
  pthread_mutex_unlock(&w32_lock);
  return TRUE;
}

struct w32_object *w32_event_of(HANDLE ev) {
  return w32_object_get((HANDLE)((uintptr_t)ev & ~(uintptr_t)1), W32_EVENT);
}

void w32_event_arm(struct w32_object *o) {
  pthread_once(&settled_once, settled_init);
  pthread_mutex_lock(&w32_lock);
  ((struct w32_event *)o)->signaled = false;
  w32_ref_locked(o);
  pthread_mutex_unlock(&w32_lock);
}

static void disarm_locked(struct w32_event *e) {
  w32_unref_locked(&e->obj);
}

void w32_event_disarm(struct w32_object *o) {
  pthread_mutex_lock(&w32_lock);
  disarm_locked((struct w32_event *)o);
  pthread_mutex_unlock(&w32_lock);
}

void w32_event_settle(struct w32_object *o, bool consume) {
  pthread_mutex_lock(&w32_lock);
  struct w32_event *e = (struct w32_event *)o;
  /* The op's end publishes its result, then sets the event: wait (a
   * moment: the thread ending it does so next) until that is done, so
   * the set never lands on the program's next use of the event. Only
   * ops in that step count: others still pending on a shared event do
   * not hold the call up. */
  struct timespec until = w32_deadline(1000);
  while (e->ending > 0 &&
         w32_cond_wait(&settled, &w32_lock, &until) != ETIMEDOUT)
    ;
  if (consume && !e->manual)
    e->signaled = false;
  pthread_mutex_unlock(&w32_lock);
}

/* cport calls this when an op whose event is set ends, on the thread that
 * ends it: the event is signalled and the op's reference dropped. The
 * object may be closed by now (its handle), never freed: the op holds it. */
void (*w32_routine_ended)(struct w32_object *o);

/* The event an op's end is about to set (an alias's target), if ev is
 * one. */
static struct w32_event *ending_event(void *ev) {
  struct w32_object *o = ev;
  if (!w32_is_object(o))
    return NULL;
  if (w32_alias_target(o) != NULL)
    o = w32_alias_target(o);
  return o->type == W32_EVENT ? (struct w32_event *)o : NULL;
}

static void ending_hook(void *ev) {
  struct w32_event *e = ending_event(ev);
  if (e == NULL)
    return;
  pthread_mutex_lock(&w32_lock);
  e->ending++;
  pthread_mutex_unlock(&w32_lock);
}

static void event_hook(void *ev) {
  struct w32_object *o = ev;
  if (!w32_is_object(o))
    return;
  /* An event's second handle (DuplicateHandle): the op held it. */
  struct w32_object *alias = w32_alias_target(o) != NULL ? o : NULL;
  if (alias != NULL)
    o = w32_alias_target(alias);
  if (o->type == W32_ROUTINE) {
    void (*ended)(struct w32_object *) =
        __atomic_load_n(&w32_routine_ended, __ATOMIC_ACQUIRE);
    if (ended != NULL)
      ended(o);
    return;
  }
  if (o->type != W32_EVENT)
    return;
  pthread_mutex_lock(&w32_lock);
  w32_event_set_locked(o);
  struct w32_event *e = (struct w32_event *)o;
  if (e->ending > 0 && --e->ending == 0)
    pthread_cond_broadcast(&settled);
  disarm_locked(e);
  if (alias != NULL)
    w32_unref_locked(alias);
  pthread_mutex_unlock(&w32_lock);
}

__attribute__((constructor)) static void register_event_hook(void) {
  cport__set_event_ending_hook(ending_hook);
  cport__set_event_hook(event_hook);
}

/* ------------------------------------------------------------------------ */
/* Mutexes and semaphores                                                    */
/* ------------------------------------------------------------------------ */

static HANDLE mutex_new(BOOL owner, bool named) {
  if (named)
    return w32_fail_null(ERROR_NOT_SUPPORTED);
  struct w32_mutex *m = w32_object_new(W32_MUTEX, sizeof(*m));
  if (m != NULL && owner) {
    pthread_mutex_lock(&w32_lock);
    mutex_take_locked(m, w32_tid());
    pthread_mutex_unlock(&w32_lock);
  }
  return m;
}

CPORT_API HANDLE CreateMutexA(LPSECURITY_ATTRIBUTES sa, BOOL owner,
                              LPCSTR name) {
  (void)sa;
  return mutex_new(owner, name != NULL);
}

CPORT_API HANDLE CreateMutexW(LPSECURITY_ATTRIBUTES sa, BOOL owner,
                              LPCWSTR name) {
  (void)sa;
  return mutex_new(owner, name != NULL);
}

static HANDLE mutex_new_ex(DWORD flags, bool named) {
  if (flags & ~(DWORD)CREATE_MUTEX_INITIAL_OWNER)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  return mutex_new((flags & CREATE_MUTEX_INITIAL_OWNER) != 0, named);
}

CPORT_API HANDLE CreateMutexExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name,
                                DWORD flags, DWORD access) {
  (void)sa;
  (void)access;
  return mutex_new_ex(flags, name != NULL);
}

CPORT_API HANDLE CreateMutexExW(LPSECURITY_ATTRIBUTES sa, LPCWSTR name,
                                DWORD flags, DWORD access) {
  (void)sa;
  (void)access;
  return mutex_new_ex(flags, name != NULL);
}

CPORT_API BOOL ReleaseMutex(HANDLE h) {
  struct w32_mutex *m = (struct w32_mutex *)w32_object_get(h, W32_MUTEX);
  if (m == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  pthread_mutex_lock(&w32_lock);
  BOOL ok = m->owner == w32_tid() && m->count > 0;
  if (ok && --m->count == 0) {
    mutex_drop_locked(m);
    w32_wake_locked(&m->obj);
    w32_unref_locked(&m->obj);
  }
  pthread_mutex_unlock(&w32_lock);
  return ok ? TRUE : w32_fail(ERROR_NOT_OWNER);
}

static HANDLE semaphore_new(LONG initial, LONG maximum, bool named) {
  if (maximum <= 0 || initial < 0 || initial > maximum)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  if (named)
    return w32_fail_null(ERROR_NOT_SUPPORTED);
  struct w32_semaphore *s = w32_object_new(W32_SEMAPHORE, sizeof(*s));
  if (s != NULL) {
    s->count = initial;
    s->max = maximum;
  }
  return s;
}

CPORT_API HANDLE CreateSemaphoreA(LPSECURITY_ATTRIBUTES sa, LONG initial,
                                  LONG maximum, LPCSTR name) {
  (void)sa;
  return semaphore_new(initial, maximum, name != NULL);
}

CPORT_API HANDLE CreateSemaphoreW(LPSECURITY_ATTRIBUTES sa, LONG initial,
                                  LONG maximum, LPCWSTR name) {
  (void)sa;
  return semaphore_new(initial, maximum, name != NULL);
}

CPORT_API HANDLE CreateSemaphoreExA(LPSECURITY_ATTRIBUTES sa, LONG initial,
                                    LONG maximum, LPCSTR name, DWORD flags,
                                    DWORD access) {
  (void)sa;
  (void)access;
  if (flags != 0)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  return semaphore_new(initial, maximum, name != NULL);
}

CPORT_API HANDLE CreateSemaphoreExW(LPSECURITY_ATTRIBUTES sa, LONG initial,
                                    LONG maximum, LPCWSTR name, DWORD flags,
                                    DWORD access) {
  (void)sa;
  (void)access;
  if (flags != 0)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  return semaphore_new(initial, maximum, name != NULL);
}

CPORT_API BOOL ReleaseSemaphore(HANDLE h, LONG count, LPLONG previous) {
  struct w32_semaphore *s =
      (struct w32_semaphore *)w32_object_get(h, W32_SEMAPHORE);
  if (s == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (count <= 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  pthread_mutex_lock(&w32_lock);
  LONG before = s->count;
  BOOL ok = count <= s->max - before;
  if (ok) {
    s->count += count;
    w32_wake_locked(&s->obj);
  }
  pthread_mutex_unlock(&w32_lock);
  if (!ok)
    return w32_fail(ERROR_TOO_MANY_POSTS);
  if (previous)
    *previous = before;
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* WSA events                                                                */
/* ------------------------------------------------------------------------ */

CPORT_API WSAEVENT WSACreateEvent(void) {
  HANDLE e = event_new(TRUE, FALSE, false);
  if (e == NULL)
    WSASetLastError(WSA_NOT_ENOUGH_MEMORY);
  return e;
}

CPORT_API BOOL WSACloseEvent(WSAEVENT e) {
  if (w32_object_get(e, W32_EVENT) == NULL)
    return w32_fail(WSA_INVALID_HANDLE);
  return CloseHandle(e);
}

CPORT_API BOOL WSASetEvent(WSAEVENT e) {
  return SetEvent(e);
}
CPORT_API BOOL WSAResetEvent(WSAEVENT e) {
  return ResetEvent(e);
}

CPORT_API DWORD WSAWaitForMultipleEvents(DWORD n, const WSAEVENT *events,
                                         BOOL all, DWORD ms, BOOL alertable) {
  if (events == NULL || n == 0 || n > WSA_MAXIMUM_WAIT_EVENTS) {
    WSASetLastError(WSA_INVALID_PARAMETER);
    return WSA_WAIT_FAILED;
  }
  /* "The array can contain handles of objects of different types": it is
   * WaitForMultipleObjectsEx (threads, for one, whose end it waits for). */
  DWORD err = 0,
        r = wait_objects(n, events, all != FALSE, ms, alertable != FALSE, &err);
  if (r == WAIT_FAILED)
    WSASetLastError((int)err);
  return r;
}
