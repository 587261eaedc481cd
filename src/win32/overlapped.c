/*
 * overlapped.c - an overlapped op's life as the caller sees it: starting
 * it (its event reset and held, the issuing thread noted, a port found
 * for its handle), what the starting call returns, its result from any
 * thread (GetOverlappedResult, WSAGetOverlappedResult), cancel (CancelIo
 * for the calling thread's ops only, CancelIoEx), and the completion
 * modes of a handle.
 *
 * An OVERLAPPED is a cport_op_t: Internal/InternalHigh hold the op's
 * status and bytes as soon as it ends, whether or not a thread waits on
 * the port, and cport_op_wait() waits for that from any thread.
 */
#include <fcntl.h>

#include "win32.h"

/* ------------------------------------------------------------------------ */
/* Starting an op                                                            */
/* ------------------------------------------------------------------------ */

/* An OVERLAPPED whose event is a completion routine's (routines.c). */
static bool has_routine(LPOVERLAPPED ov) {
  return w32_object_get((HANDLE)((uintptr_t)ov->hEvent & ~(uintptr_t)1),
                        W32_ROUTINE) != NULL;
}

/* The event's handle as the engine passes it to the event hook. */
static HANDLE event_handle(LPOVERLAPPED ov) {
  return (HANDLE)((uintptr_t)ov->hEvent & ~(uintptr_t)1);
}

int w32_ov_begin(int fd, LPOVERLAPPED ov) {
  struct w32_object *ev = NULL;
  if (ov->hEvent != NULL && !has_routine(ov)) {
    ev = w32_event_of(ov->hEvent);
    /* A second handle (DuplicateHandle) is held until the op's end. */
    if (ev == NULL || !w32_alias_hold(event_handle(ov)))
      return W32_BAD_EVENT;
  }
  int rc = w32_ensure_port(fd); /* (a closed handle: CPORT_EBADF) */
  if (rc != 0) {
    if (ev != NULL)
      w32_alias_release(event_handle(ov));
    return rc;
  }
  if (ev != NULL)
    w32_event_arm(ev);
  /* A fixup left on this OVERLAPPED by an op whose result nobody took
   * (the program watched its event, or its port closed with the packet
   * queued) runs now. */
  w32_fixup_settle_ov(ov);
  /* CancelIo cancels the calling thread's ops: cport__cancel_tagged finds
   * them by this tag. */
  ov->cport_reserved_data = w32_ov_tag(w32_tid(), fd);
  return 0;
}

void w32_ov_end(LPOVERLAPPED ov, int rc) {
  if (rc < 0 && ov->hEvent != NULL) {
    /* Refused: no end will signal the event; let it go. */
    /* (An alias the op holds names its event even if closed since.) */
    HANDLE h = event_handle(ov);
    struct w32_object *t = w32_is_object(h) ? w32_alias_target(h) : NULL;
    struct w32_object *ev = t == NULL              ? w32_event_of(ov->hEvent)
                            : t->type == W32_EVENT ? t
                                                   : NULL;
    if (ev != NULL) {
      w32_event_disarm(ev);
      w32_alias_release(event_handle(ov));
    }
  }
}

void w32_ov_finish(LPOVERLAPPED ov, int status, uint32_t bytes) {
  w32_fixup_settle_ov(ov); /* as in w32_ov_begin */
  __atomic_store_n(&ov->InternalHigh, (ULONG_PTR)bytes, __ATOMIC_RELAXED);
  /* Internal gets the NTSTATUS, as an op's end writes it (STATUS_END_OF_FILE
   * for a read at the end, STATUS_BUFFER_OVERFLOW for a message longer
   * than the buffer); w32_internal_status reads the code back. */
  __atomic_store_n(&ov->Internal, w32_ntstatus(status), __ATOMIC_RELEASE);
  struct w32_object *ev = ov->hEvent != NULL ? w32_event_of(ov->hEvent) : NULL;
  if (ev != NULL) {
    pthread_mutex_lock(&w32_lock);
    w32_event_set_locked(ev);
    pthread_mutex_unlock(&w32_lock);
  }
}

int w32_ov_done_now(int fd, LPOVERLAPPED ov, int status, uint32_t bytes) {
  if (status == 0 && (cport__handle_state(fd) & CPORT__SKIP)) {
    w32_ov_finish(ov, 0, bytes);
    return 0;
  }
  int rc = w32_ov_begin(fd, ov);
  if (rc == 0) {
    cport_op_t *op = (cport_op_t *)(void *)ov;
    rc = cport__external_begin(fd, op);
    if (rc == 0)
      cport__external_end(op, status, bytes);
    w32_ov_end(ov, rc);
  }
  return rc;
}

/*
 * TRUE if the op finished inside the call (its packet is still queued
 * unless skip mode is on), FALSE with ERROR_IO_PENDING if it ends later
 * (or ended inside the call with an error, which its packet reports: one
 * answer, not two), FALSE with the error if it was refused. The
 * OVERLAPPED is not read: its completion may be another thread's already.
 */
BOOL w32_started(int rc, LPDWORD done) {
  uint32_t bytes = 0;
  int status = -1;
  if ((rc == 0 || rc == CPORT_COMPLETED) &&
      cport__last_inline(&bytes, &status) && status == 0) {
    if (done)
      *done = bytes;
    return TRUE;
  }
  return w32_fail(rc == 0 || rc == CPORT_COMPLETED ? ERROR_IO_PENDING
                                                   : w32_error(rc));
}

/* ------------------------------------------------------------------------ */
/* Results                                                                   */
/* ------------------------------------------------------------------------ */

static bool pending(const OVERLAPPED *ov) {
  return cport_op_status((const cport_op_t *)(const void *)ov) ==
         CPORT_EINPROGRESS;
}

/* Waits up to ms for an OVERLAPPED cport does not run to end: the
 * program's own, which it completes itself (Internal, then its event), or
 * an op about to be handed to cport. As on Windows, the wait is on its
 * event when it has one; without, Internal is looked at again every
 * W32_FOREIGN_SLICE_MS. */
#define W32_FOREIGN_SLICE_MS 10

static bool wait_foreign(LPOVERLAPPED ov, DWORD ms) {
  /* (A completion routine's op: hEvent is the program's own data.) */
  HANDLE ev =
      ov->hEvent != NULL && !has_routine(ov) && w32_event_of(ov->hEvent) != NULL
          ? (HANDLE)((uintptr_t)ov->hEvent & ~(uintptr_t)1)
          : NULL;
  /* With an event, Windows waits on it once, and takes it set as the end,
   * whatever Internal says then (result_of). */
  if (ev != NULL)
    return WaitForSingleObject(ev, ms) == WAIT_OBJECT_0 || !pending(ov);
  uint64_t until = ms == INFINITE ? UINT64_MAX : w32_now_ms() + ms;
  while (pending(ov)) {
    uint64_t now = w32_now_ms();
    if (now >= until)
      return false;
    DWORD slice = until - now < W32_FOREIGN_SLICE_MS ? (DWORD)(until - now)
                                                     : W32_FOREIGN_SLICE_MS;
    Sleep(slice);
  }
  return true;
}

/* Waits up to ms for ov's op to end (a released worker gives its place
 * back meanwhile). Returns whether it ended. */
static bool wait_op(LPOVERLAPPED ov, DWORD ms) {
  if (!pending(ov)) {
    struct w32_object *ev =
        ov->hEvent != NULL ? w32_event_of(ov->hEvent) : NULL;
    if (ev != NULL)
      w32_event_settle(ev, false);
    return true;
  }
  if (ms == 0)
    return false;
  if (!cport__op_in_flight((const cport_op_t *)(const void *)ov))
    return wait_foreign(ov, ms);
  w32_block_begin();
  int rc =
      cport_op_wait((const cport_op_t *)(void *)ov, ms == INFINITE   ? -1
                                                    : ms > INT32_MAX ? INT32_MAX
                                                                     : (int)ms);
  w32_block_end();
  if (rc != 0)
    return false;
  /* Windows waits on the event (or the handle): an auto-reset event is
   * consumed by that wait. */
  struct w32_object *ev = ov->hEvent != NULL ? w32_event_of(ov->hEvent) : NULL;
  if (ev != NULL)
    w32_event_settle(ev, true);
  return true;
}

/* The op's status, once ended, as a cport code (fixups run). */
static int result_of(LPOVERLAPPED ov, LPDWORD bytes) {
  *bytes = (DWORD)ov->InternalHigh;
  /* Still pending once its event was set: a program's own OVERLAPPED,
   * ended by its event alone, which Windows reports as a success. */
  if (pending(ov))
    return 0;
  int status = w32_internal_status(ov);
  w32_pipe_result(ov, (uint32_t)*bytes, &status);
  w32_fixup_run(ov, &status);
  return status;
}

static BOOL overlapped_result(LPOVERLAPPED ov, LPDWORD bytes, DWORD ms,
                              DWORD timeout_error) {
  if (ov == NULL || bytes == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (!wait_op(ov, ms))
    return w32_fail(ms == 0 ? ERROR_IO_INCOMPLETE : timeout_error);
  int status = result_of(ov, bytes);
  return status == 0 ? TRUE : w32_fail(w32_op_error(ov, status));
}

CPORT_API BOOL GetOverlappedResult(HANDLE h, LPOVERLAPPED ov, LPDWORD bytes,
                                   BOOL wait) {
  (void)h; /* the OVERLAPPED knows its op */
  return overlapped_result(ov, bytes, wait ? INFINITE : 0, ERROR_IO_INCOMPLETE);
}

/* One alertable GetOverlappedResultEx's op and outcome. */
struct result_wait {
  LPOVERLAPPED ov;
  LPDWORD bytes;
  BOOL ok;
  DWORD err; /* the op's error when it failed */
};

static bool result_once(void *ctx, DWORD slice) {
  struct result_wait *w = ctx;
  SetLastError(0);
  w->ok = overlapped_result(w->ov, w->bytes, slice, WAIT_TIMEOUT);
  if (w->ok)
    return true;
  w->err = GetLastError();
  return w->err != WAIT_TIMEOUT && w->err != ERROR_IO_INCOMPLETE;
}

CPORT_API BOOL GetOverlappedResultEx(HANDLE h, LPOVERLAPPED ov, LPDWORD bytes,
                                     DWORD ms, BOOL alertable) {
  (void)h;
  if (!alertable || ms == 0 || ov == NULL)
    return overlapped_result(ov, bytes, ms, WAIT_TIMEOUT);
  /* Alertable: the op first; while it runs, an APC queued before or
   * during the wait ends it with WAIT_IO_COMPLETION once it has run (the
   * op's wait cannot be woken for one thread: it looks every slice). */
  struct result_wait w = {.ov = ov, .bytes = bytes, .ok = FALSE, .err = 0};
  DWORD end = w32_alertable_poll(ms, result_once, &w);
  if (end != 0)
    return w32_fail(end);
  return w.ok ? TRUE : w32_fail(w.err);
}

BOOL w32_wsa_result(LPWSAOVERLAPPED ov, LPDWORD bytes, BOOL wait,
                    LPDWORD flags) {
  if (!wait_op(ov, wait ? INFINITE : 0)) {
    WSASetLastError(WSA_IO_INCOMPLETE);
    return FALSE;
  }
  int status = result_of(ov, bytes);
  if (flags != NULL)
    *flags = 0;
  if (status == 0)
    return TRUE;
  WSASetLastError(w32_op_wsa_error(ov, status));
  return FALSE;
}

CPORT_API BOOL WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED ov,
                                      LPDWORD bytes, BOOL wait, LPDWORD flags) {
  /* (Windows takes NULL flags: Wine's conformance test of TransmitFile
   * passes it, and real completion handlers that want no flags do.) */
  if (ov == NULL || bytes == NULL) {
    WSASetLastError(WSAEFAULT);
    return FALSE;
  }
  /* On failure the count is not updated (WSAGetOverlappedResult page). */
  DWORD n = 0;
  BOOL ok = w32_wsa_result(ov, &n, wait, flags);
  if (ok)
    *bytes = n;
  else if ((int)s < 0 || w32_socket_call((int)s, NULL) == WSAENOTSOCK ||
           fcntl((int)s, F_GETFD) < 0)
    /* Closed since the op began (checked only here: nothing on success),
     * as the program's calls see it, whether or not the backend still
     * holds the descriptor while the socket's last ops end (io_uring). */
    WSASetLastError(WSAENOTSOCK);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Cancel and completion modes                                               */
/* ------------------------------------------------------------------------ */

/* cport knows a descriptor from its first op on: an open one it does not
 * know (a pipe or a socket() socket no op has used yet) has none
 * pending. */
static int known_or_idle(int fd, int rc) {
  return rc == CPORT_EBADF && fcntl(fd, F_GETFD) >= 0 ? CPORT_ENOENT : rc;
}

CPORT_API BOOL CancelIoEx(HANDLE h, LPOVERLAPPED ov) {
  int fd = w32_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  int rc = known_or_idle(fd, cport_cancel(fd, (cport_op_t *)ov));
  /* A message pipe's ops, waiting locks and ReadDirectoryChangesW's run
   * in the layer (layer-ops.c). */
  bool lop = w32_lop_cancel(fd, ov, 0, CPORT_ECANCELED) > 0;
  /* With no OVERLAPPED, the blocking calls other threads make on h too
   * (they fail with ERROR_OPERATION_ABORTED, and queue no packet). */
  bool sync = ov == NULL && rc != CPORT_EBADF && w32_sync_cancel_fd(fd) > 0;
  if (rc == 0 || lop || sync)
    return TRUE;
  return w32_fail(rc == CPORT_ENOENT ? ERROR_NOT_FOUND : w32_error(rc));
}

/* Only the ops the calling thread issued on h, as on Windows (each
 * OVERLAPPED carries its issuing thread, see w32_ov_begin). */
CPORT_API BOOL CancelIo(HANDLE h) {
  int fd = w32_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  uintptr_t tag = (uintptr_t)w32_ov_tag(w32_tid(), fd);
  int rc = cport__cancel_tagged(fd, (void *)tag);
  if (known_or_idle(fd, rc) == CPORT_ENOENT) {
    rc = 0; /* no op yet: none of the thread's, but a message pipe's */
    w32_lop_cancel(fd, NULL, tag, CPORT_ECANCELED);
  } else if (rc >= 0 && (w32_fd_flags(fd) & W32_FD_PIPE)) {
    /* A pipe's reads and writes carry their kind in the tag too. */
    int r2 = cport__cancel_tagged(fd, (void *)(tag | W32_TAG_PIPE_READ));
    int r3 = cport__cancel_tagged(fd, (void *)(tag | W32_TAG_PIPE_WRITE));
    w32_lop_cancel(fd, NULL, tag, CPORT_ECANCELED); /* a message pipe's */
    rc = r2 < 0 ? r2 : r3 < 0 ? r3 : rc;
  } else if (rc >= 0) {
    /* Waiting locks, a directory's calls. */
    w32_lop_cancel(fd, NULL, tag, CPORT_ECANCELED);
  }
  return rc >= 0 ? TRUE : w32_fail(w32_error(rc));
}

CPORT_API BOOL SetFileCompletionNotificationModes(HANDLE h, UCHAR flags) {
  int fd = w32_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (flags &
      ~(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE))
    return w32_fail(ERROR_INVALID_PARAMETER);
  /* Skipping the port: only for a handle whose ops can reach one (opened
   * for overlapped I/O), as Windows checks. */
  if ((flags & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) &&
      (w32_fd_flags(fd) & W32_FD_SYNC))
    return w32_fail(ERROR_INVALID_PARAMETER);
  /* Modes are only ever added (cport cannot clear them, nor can
   * Windows). FILE_SKIP_SET_EVENT_ON_HANDLE: the handle's ops no longer
   * signal it when they end (an OVERLAPPED's own event still is). */
  unsigned f = (flags & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)
                   ? CPORT_SKIP_ON_SUCCESS
                   : 0;
  int rc = cport_set_handle_flags(fd, f);
  if (rc != 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (flags & FILE_SKIP_SET_EVENT_ON_HANDLE)
    w32_fd_set_flags(fd, W32_FD_NO_IO_EVENT, 0);
  return TRUE;
}
