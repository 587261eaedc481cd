/*
 * threadpool-work.c - the thread pool's work and I/O objects
 * (threadpoolapiset.h), and the legacy QueueUserWorkItem and
 * BindIoCompletionCallback on the default pool.
 *
 * A work submission is a packet posted to the pool's port. An I/O
 * object's handle is associated with the port under the object's key:
 * each operation StartThreadpoolIo announced counts as queued until its
 * completion is taken.
 */
#include <stdlib.h>

#include "threadpool.h"

/* ------------------------------------------------------------------------ */
/* Work                                                                      */
/* ------------------------------------------------------------------------ */

CPORT_API PTP_WORK CreateThreadpoolWork(PTP_WORK_CALLBACK fn, PVOID context,
                                        PTP_CALLBACK_ENVIRON env) {
  if (fn == NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  struct tp_object *o = tp_object_new(TP_WORK_K, env);
  if (o == NULL)
    return NULL;
  o->fn.work = fn;
  o->context = context;
  return (PTP_WORK)o;
}

CPORT_API VOID SubmitThreadpoolWork(PTP_WORK work) {
  struct tp_object *o = (struct tp_object *)work;
  if (o == NULL)
    return;
  pthread_mutex_lock(&tp_lock);
  if (tp_open_locked(o))
    tp_post_locked(o, 0);
  pthread_mutex_unlock(&tp_lock);
}

CPORT_API VOID WaitForThreadpoolWorkCallbacks(PTP_WORK work,
                                              BOOL cancel_pending) {
  struct tp_object *o = (struct tp_object *)work;
  if (o == NULL)
    return;
  pthread_mutex_lock(&tp_lock);
  if (cancel_pending)
    tp_cancel_locked(o);
  tp_wait_locked(o);
  pthread_mutex_unlock(&tp_lock);
}

CPORT_API VOID CloseThreadpoolWork(PTP_WORK work) {
  struct tp_object *o = (struct tp_object *)work;
  if (o == NULL)
    return;
  pthread_mutex_lock(&tp_lock);
  tp_close_locked(o);
  pthread_mutex_unlock(&tp_lock);
}

/* A one-shot object, closed from the start: freed after its callback. */
static BOOL submit_once(enum tp_kind kind, PTP_CALLBACK_ENVIRON env,
                        PVOID context, struct tp_object **out) {
  struct tp_object *o = tp_object_new(kind, env);
  if (o == NULL)
    return FALSE;
  o->context = context;
  *out = o;
  return TRUE;
}

static BOOL post_once(struct tp_object *o) {
  pthread_mutex_lock(&tp_lock);
  bool ok = tp_post_locked(o, 0);
  o->closed = true;
  tp_maybe_free_locked(o);
  pthread_mutex_unlock(&tp_lock);
  return ok ? TRUE : w32_fail(ERROR_NOT_ENOUGH_MEMORY);
}

CPORT_API BOOL TrySubmitThreadpoolCallback(PTP_SIMPLE_CALLBACK fn,
                                           PVOID context,
                                           PTP_CALLBACK_ENVIRON env) {
  struct tp_object *o;
  if (fn == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (!submit_once(TP_SIMPLE_K, env, context, &o))
    return FALSE;
  o->fn.simple = fn;
  return post_once(o);
}

CPORT_API BOOL QueueUserWorkItem(LPTHREAD_START_ROUTINE fn, PVOID context,
                                 ULONG flags) {
  (void)flags; /* WT_EXECUTE*: every callback runs on a pool thread */
  struct tp_object *o;
  if (fn == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (!submit_once(TP_QUEUED_K, NULL, context, &o))
    return FALSE;
  o->fn.queued = fn;
  return post_once(o);
}

/* ------------------------------------------------------------------------ */
/* I/O                                                                       */
/* ------------------------------------------------------------------------ */

CPORT_API PTP_IO CreateThreadpoolIo(HANDLE handle, PTP_WIN32_IO_CALLBACK fn,
                                    PVOID context, PTP_CALLBACK_ENVIRON env) {
  if (fn == NULL || handle == NULL || handle == INVALID_HANDLE_VALUE)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  struct tp_object *o = tp_object_new(TP_IO_K, env);
  if (o == NULL)
    return NULL;
  o->fn.io = fn;
  o->context = context;
  if (CreateIoCompletionPort(handle, o->pool->port, (ULONG_PTR)o, 0) == NULL) {
    DWORD err = GetLastError();
    pthread_mutex_lock(&tp_lock);
    tp_close_locked(o);
    pthread_mutex_unlock(&tp_lock);
    return w32_fail_null(err);
  }
  return (PTP_IO)o;
}

CPORT_API VOID StartThreadpoolIo(PTP_IO io) {
  struct tp_object *o = (struct tp_object *)io;
  if (o == NULL)
    return;
  pthread_mutex_lock(&tp_lock);
  o->queued++;
  if (o->pool->idle == 0)
    tp_spawn_locked(o->pool); /* a thread for its completion */
  pthread_mutex_unlock(&tp_lock);
}

CPORT_API VOID CancelThreadpoolIo(PTP_IO io) {
  struct tp_object *o = (struct tp_object *)io;
  if (o == NULL)
    return;
  pthread_mutex_lock(&tp_lock);
  if (o->queued > 0)
    o->queued--;
  if (o->dropped > o->queued)
    o->dropped = o->queued;
  pthread_cond_broadcast(&tp_cond);
  tp_maybe_free_locked(o);
  pthread_mutex_unlock(&tp_lock);
}

CPORT_API VOID WaitForThreadpoolIoCallbacks(PTP_IO io, BOOL cancel_pending) {
  WaitForThreadpoolWorkCallbacks((PTP_WORK)io, cancel_pending);
}

CPORT_API VOID CloseThreadpoolIo(PTP_IO io) {
  CloseThreadpoolWork((PTP_WORK)io);
}

/* The objects BindIoCompletionCallback made, one per function: a
 * handle's key names its function's object, so binding a socket per
 * connection costs no memory. Never freed, as a binding is for good. */
static struct tp_object *bound_objects; /* linked by gnext */

static struct tp_object *bound_object(LPOVERLAPPED_COMPLETION_ROUTINE fn) {
  pthread_mutex_lock(&tp_lock);
  struct tp_object *o = bound_objects;
  while (o != NULL && o->fn.bound != fn)
    o = o->gnext;
  pthread_mutex_unlock(&tp_lock);
  if (o != NULL)
    return o;
  o = tp_object_new(TP_BOUND_K, NULL);
  if (o == NULL)
    return NULL;
  o->fn.bound = fn;
  pthread_mutex_lock(&tp_lock);
  struct tp_object *other = bound_objects;
  while (other != NULL && other->fn.bound != fn)
    other = other->gnext;
  if (other != NULL) { /* another thread was first */
    tp_close_locked(o);
    o = other;
  } else {
    o->gnext = bound_objects;
    bound_objects = o;
  }
  pthread_mutex_unlock(&tp_lock);
  return o;
}

CPORT_API BOOL BindIoCompletionCallback(HANDLE handle,
                                        LPOVERLAPPED_COMPLETION_ROUTINE fn,
                                        ULONG flags) {
  if (fn == NULL || flags != 0 || handle == NULL ||
      handle == INVALID_HANDLE_VALUE)
    return w32_fail(ERROR_INVALID_PARAMETER);
  struct tp_object *o = bound_object(fn);
  if (o == NULL)
    return FALSE;
  if (CreateIoCompletionPort(handle, o->pool->port, (ULONG_PTR)o, 0) == NULL)
    return FALSE; /* already bound, or not a handle: the error is set */
  pthread_mutex_lock(&tp_lock);
  if (o->pool->idle == 0)
    tp_spawn_locked(o->pool);
  pthread_mutex_unlock(&tp_lock);
  return TRUE;
}
