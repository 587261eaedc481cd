/*
 * duplicate.c - DuplicateHandle within the process: a second handle to
 * one of the layer's objects (handles.c's aliases), so that closing one
 * leaves the other working and the object lives until its last handle is
 * closed; GetCurrentThread()'s pseudo handle becomes a real handle to the
 * calling thread (threads.c), which another thread can wait on or queue
 * APCs to.
 *
 * What cannot be duplicated here fails with a clear error rather than
 * giving a handle that behaves differently: another process (the layer
 * has no handles to one: ERROR_INVALID_HANDLE), GetCurrentProcess()
 * itself and descriptors (files, sockets, pipes, stdin:
 * ERROR_NOT_SUPPORTED, since a dup'd descriptor would not share the
 * original's port association and the layer's state, which Windows'
 * duplicate shares with it), and what is no kernel object on Windows
 * either (timer queues, find handles: ERROR_INVALID_HANDLE).
 *
 * SetHandleInformation / GetHandleInformation: a descriptor's
 * HANDLE_FLAG_INHERIT is its FD_CLOEXEC cleared (a program that runs
 * another with exec passes it on); the layer's objects are never
 * inherited (it starts no process), so asking for that, or for
 * HANDLE_FLAG_PROTECT_FROM_CLOSE, which CloseHandle does not honour here,
 * fails with ERROR_NOT_SUPPORTED.
 */
#include <fcntl.h>

#include "win32.h"

#define CURRENT_PROCESS ((HANDLE)(LONG_PTR)-1)

/* Whether objects of this type may have more than one handle. */
static bool duplicable(int type) {
  switch (type) {
  case W32_PORT:
  case W32_THREAD:
  case W32_EVENT:
  case W32_MUTEX:
  case W32_SEMAPHORE:
  case W32_WTIMER:
  case W32_CHANGE:
    return true;
  default:
    return false;
  }
}

/* A new handle for what src names (ERROR_* in *err when NULL). */
static HANDLE duplicate(HANDLE src, DWORD *err) {
  if (src == W32_CURRENT_THREAD) {
    HANDLE h = w32_thread_handle_self();
    if (h == NULL)
      *err = GetLastError();
    return h;
  }
  if (src == CURRENT_PROCESS) {
    *err = ERROR_NOT_SUPPORTED; /* no process objects in the layer */
    return NULL;
  }
  if (src == NULL || src == INVALID_HANDLE_VALUE) {
    *err = ERROR_INVALID_HANDLE;
    return NULL;
  }
  if (w32_is_fd(src)) {
    *err = fcntl(w32_fd(src), F_GETFD) >= 0 ? ERROR_NOT_SUPPORTED
                                            : ERROR_INVALID_HANDLE;
    return NULL;
  }
  struct w32_object *o = w32_object_get(src, 0);
  if (o == NULL || !duplicable(o->type)) {
    *err = o != NULL && o->type == W32_STDIN ? ERROR_NOT_SUPPORTED
                                             : ERROR_INVALID_HANDLE;
    return NULL;
  }
  HANDLE h = w32_handle_to(o, false);
  if (h == NULL)
    *err = GetLastError();
  return h;
}

CPORT_API BOOL DuplicateHandle(HANDLE src_process, HANDLE src,
                               HANDLE target_process, LPHANDLE target,
                               DWORD access, BOOL inherit, DWORD options) {
  (void)access;  /* access rights are not checked by the layer */
  (void)inherit; /* no process inherits handles */
  if (src_process != CURRENT_PROCESS)
    return w32_fail(ERROR_INVALID_HANDLE); /* no other process's handles */
  bool close_source = (options & DUPLICATE_CLOSE_SOURCE) != 0;
  DWORD err = 0;
  HANDLE h = NULL;
  /* Other options (DUPLICATE_SAME_ATTRIBUTES) change nothing here, as
   * under Wine: the layer keeps no access rights or attributes. */
  if (target_process == NULL) {
    /* Allowed with DUPLICATE_CLOSE_SOURCE: the source is only closed. */
    err = close_source ? 0 : ERROR_INVALID_HANDLE;
  } else if (target_process != CURRENT_PROCESS) {
    err = ERROR_INVALID_HANDLE;
  } else if ((h = duplicate(src, &err)) != NULL && target == NULL) {
    /* "If lpTargetHandle is NULL, the function duplicates the handle, but
     * does not return the duplicate handle value": a handle nobody could
     * use or close, so the layer lets it go at once. */
    CloseHandle(h);
    h = NULL;
  }
  /* "Closes the source handle. This occurs regardless of any error
   * status returned." (A pseudo handle needs no closing.) */
  if (close_source && src != W32_CURRENT_THREAD && src != CURRENT_PROCESS &&
      !CloseHandle(src) && err == 0 && h == NULL)
    err = ERROR_INVALID_HANDLE;
  if (err != 0)
    return w32_fail(err);
  if (target != NULL && target_process != NULL)
    *target = h;
  return TRUE;
}

CPORT_API BOOL GetHandleInformation(HANDLE h, LPDWORD flags) {
  if (flags == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  int fd = w32_fd(h);
  if (fd >= 0) {
    int f = fcntl(fd, F_GETFD);
    if (f < 0)
      return w32_fail(ERROR_INVALID_HANDLE);
    *flags = (f & FD_CLOEXEC) ? 0 : HANDLE_FLAG_INHERIT;
    return TRUE;
  }
  struct w32_object *o = w32_object_get(h, 0);
  if (o == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  *flags = 0;
  return TRUE;
}

CPORT_API BOOL SetHandleInformation(HANDLE h, DWORD mask, DWORD flags) {
  if (mask & ~(DWORD)(HANDLE_FLAG_INHERIT | HANDLE_FLAG_PROTECT_FROM_CLOSE))
    return w32_fail(ERROR_INVALID_PARAMETER);
  int fd = w32_fd(h);
  bool object = fd < 0 && w32_object_get(h, 0) != NULL;
  if (fd < 0 && !object)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (mask & flags & HANDLE_FLAG_PROTECT_FROM_CLOSE)
    return w32_fail(ERROR_NOT_SUPPORTED);
  if (!(mask & HANDLE_FLAG_INHERIT))
    return TRUE;
  bool inherit = (flags & HANDLE_FLAG_INHERIT) != 0;
  if (object)
    return inherit ? w32_fail(ERROR_NOT_SUPPORTED) : TRUE;
  int f = fcntl(fd, F_GETFD);
  if (f < 0 ||
      fcntl(fd, F_SETFD, inherit ? (f & ~FD_CLOEXEC) : (f | FD_CLOEXEC)) < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  return TRUE;
}
