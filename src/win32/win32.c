/*
 * win32.c - the Win32 porting layer on Linux, part one: error codes,
 * handles, completion ports, files, threads and the small system calls an
 * IOCP server uses. Winsock is in win32-sock.c. Everything maps onto the
 * public cport API; the few internals used are named where they are.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>

#include "win32.h"

/* ------------------------------------------------------------------------ */
/* Error codes                                                               */
/* ------------------------------------------------------------------------ */

/* XX(cport code, Win32 error, WSA error, NTSTATUS) */
#define W32_ERROR_MAP(XX)                                                    \
  XX(CPORT_ECONNRESET, ERROR_NETNAME_DELETED, WSAECONNRESET, 0xC000020Du)    \
  XX(CPORT_ECONNREFUSED, ERROR_CONNECTION_REFUSED, WSAECONNREFUSED, 0xC0000236u) \
  XX(CPORT_ECONNABORTED, ERROR_CONNECTION_ABORTED, WSAECONNABORTED, 0xC0000241u) \
  XX(CPORT_ECANCELED, ERROR_OPERATION_ABORTED, WSA_OPERATION_ABORTED, 0xC0000120u) \
  XX(CPORT_EOF, ERROR_HANDLE_EOF, WSAEDISCON, 0xC0000011u)                   \
  XX(CPORT_EMSGSIZE, ERROR_MORE_DATA, WSAEMSGSIZE, 0x80000005u)              \
  XX(CPORT_ETIMEDOUT, WAIT_TIMEOUT, WSAETIMEDOUT, 0xC00000B5u)               \
  XX(CPORT_ECLOSED, ERROR_ABANDONED_WAIT_0, WSAEINVAL, 0xC0000008u)          \
  XX(CPORT_ENETUNREACH, ERROR_NETWORK_UNREACHABLE, WSAENETUNREACH, 0xC000023Cu) \
  XX(CPORT_EHOSTUNREACH, ERROR_HOST_UNREACHABLE, WSAEHOSTUNREACH, 0xC000023Du) \
  XX(CPORT_ENOTCONN, WSAENOTCONN, WSAENOTCONN, 0xC0000236u)                  \
  XX(CPORT_ESHUTDOWN, WSAESHUTDOWN, WSAESHUTDOWN, 0xC000020Du)               \
  XX(CPORT_EPIPE, ERROR_NETNAME_DELETED, WSAECONNRESET, 0xC000020Du)         \
  XX(CPORT_EINVAL, ERROR_INVALID_PARAMETER, WSAEINVAL, 0xC000000Du)          \
  XX(CPORT_EBUSY, ERROR_INVALID_PARAMETER, WSAEINVAL, 0xC000000Du)           \
  XX(CPORT_EBADF, ERROR_INVALID_HANDLE, WSAENOTSOCK, 0xC0000008u)            \
  XX(CPORT_ENOTSOCK, ERROR_INVALID_HANDLE, WSAENOTSOCK, 0xC0000008u)         \
  XX(CPORT_EOPNOTSUPP, ERROR_NOT_SUPPORTED, WSAEOPNOTSUPP, 0xC00000BBu)      \
  XX(CPORT_ENOSYS, ERROR_CALL_NOT_IMPLEMENTED, WSAEOPNOTSUPP, 0xC0000002u)   \
  XX(CPORT_EMFILE, ERROR_TOO_MANY_OPEN_FILES, WSAEMFILE, 0xC000011Fu)        \
  XX(CPORT_ENFILE, ERROR_TOO_MANY_OPEN_FILES, WSAEMFILE, 0xC000011Fu)        \
  XX(CPORT_ENOMEM, ERROR_NOT_ENOUGH_MEMORY, WSAENOBUFS, 0xC0000017u)         \
  XX(CPORT_ENOBUFS, ERROR_NOT_ENOUGH_MEMORY, WSAENOBUFS, 0xC0000017u)        \
  XX(CPORT_EACCES, ERROR_ACCESS_DENIED, WSAEACCES, 0xC0000022u)              \
  XX(CPORT_EPERM, ERROR_ACCESS_DENIED, WSAEACCES, 0xC0000022u)               \
  XX(CPORT_ENOENT, ERROR_FILE_NOT_FOUND, WSAEINVAL, 0xC0000034u)             \
  XX(CPORT_EEXIST, ERROR_FILE_EXISTS, WSAEINVAL, 0xC0000035u)                \
  XX(CPORT_EISDIR, ERROR_ACCESS_DENIED, WSAEACCES, 0xC0000022u)              \
  XX(CPORT_EADDRINUSE, WSAEADDRINUSE, WSAEADDRINUSE, 0xC000020Au)            \
  XX(CPORT_EADDRNOTAVAIL, WSAEADDRNOTAVAIL, WSAEADDRNOTAVAIL, 0xC000020Au)   \
  XX(CPORT_EAFNOSUPPORT, WSAEAFNOSUPPORT, WSAEAFNOSUPPORT, 0xC00000BBu)      \
  XX(CPORT_EISCONN, WSAEISCONN, WSAEISCONN, 0xC0000010u)                     \
  XX(CPORT_EALREADY, WSAEALREADY, WSAEALREADY, 0xC0000010u)                  \
  XX(CPORT_EAGAIN, WSAEWOULDBLOCK, WSAEWOULDBLOCK, 0xC0000001u)              \
  XX(CPORT_EINTR, WSAEINTR, WSAEINTR, 0xC0000001u)                           \
  XX(CPORT_EFAULT, WSAEFAULT, WSAEFAULT, 0xC0000005u)                        \
  XX(CPORT_EDESTADDRREQ, WSAEDESTADDRREQ, WSAEDESTADDRREQ, 0xC0000001u)      \
  XX(CPORT_EPROTONOSUPPORT, WSAEPROTONOSUPPORT, WSAEPROTONOSUPPORT, 0xC00000BBu) \
  XX(CPORT_ENOSPC, 112u, WSAENOBUFS, 0xC000007Fu)

DWORD w32_error(int status) {
  switch (status) {
  case 0:
    return ERROR_SUCCESS;
#define W32_CASE_(cp, win, wsa, nt) \
  case cp:                          \
    return win;
    W32_ERROR_MAP(W32_CASE_)
#undef W32_CASE_
  default:
    return ERROR_INVALID_FUNCTION;
  }
}

int w32_wsa_error(int status) {
  switch (status) {
  case 0:
    return 0;
#define W32_CASE_(cp, win, wsa, nt) \
  case cp:                          \
    return wsa;
    W32_ERROR_MAP(W32_CASE_)
#undef W32_CASE_
  default:
    return WSAEINVAL;
  }
}

ULONG_PTR w32_ntstatus(int status) {
  switch (status) {
  case 0:
    return 0;
#define W32_CASE_(cp, win, wsa, nt) \
  case cp:                          \
    return nt;
    W32_ERROR_MAP(W32_CASE_)
#undef W32_CASE_
  default:
    return 0xC0000001u; /* STATUS_UNSUCCESSFUL */
  }
}

DWORD w32_op_error(LPOVERLAPPED ov, int status) {
  if (status == CPORT_ECANCELED && ov != NULL) {
    /* Ended by closing its socket: Windows reports a receive or send as
     * ERROR_CONNECTION_ABORTED, an AcceptEx as ERROR_OPERATION_ABORTED. */
    if (cport__op_closed((const cport_op_t *)(const void *)ov))
      return ERROR_CONNECTION_ABORTED;
  }
  return w32_error(status);
}

static __thread DWORD last_error;

CPORT_API DWORD GetLastError(void) { return last_error; }
CPORT_API void SetLastError(DWORD err) { last_error = err; }
CPORT_API int WSAGetLastError(void) { return (int)last_error; }
CPORT_API void WSASetLastError(int err) { last_error = (DWORD)err; }

/* ------------------------------------------------------------------------ */
/* Completion ports                                                          */
/* ------------------------------------------------------------------------ */

/* A port HANDLE. Kept for the life of the process: a HANDLE used after
 * CloseHandle then still reaches a closed port (ERROR_ABANDONED_WAIT_0 /
 * ERROR_INVALID_HANDLE) instead of freed memory. */
struct w32_port {
  struct w32_object obj;
  cport_t *port;
  struct w32_port *next; /* all of them, kept on purpose */
};
static struct w32_port *all_ports;
static pthread_mutex_t ports_lock = PTHREAD_MUTEX_INITIALIZER;

cport_t *w32_port(HANDLE h) {
  if (h == NULL || h == INVALID_HANDLE_VALUE || w32_is_fd(h))
    return NULL;
  struct w32_port *p = h;
  return p->obj.magic == W32_MAGIC && p->obj.type == W32_PORT ? p->port : NULL;
}

static BOOL fail(DWORD err) {
  SetLastError(err);
  return FALSE;
}

CPORT_API HANDLE CreateIoCompletionPort(HANDLE file, HANDLE port, ULONG_PTR key,
                                        DWORD threads) {
  HANDLE result = port;
  cport_t *p = NULL;
  if (port != NULL) {
    p = w32_port(port);
    if (p == NULL)
      return (fail(ERROR_INVALID_PARAMETER), (HANDLE)NULL);
  } else {
    cport_options_t o;
    memset(&o, 0, sizeof(o));
    o.concurrency = threads;
    struct w32_port *wp = calloc(1, sizeof(*wp));
    int rc = wp ? cport_create(&wp->port, &o) : CPORT_ENOMEM;
    if (rc != 0) {
      free(wp);
      return (fail(w32_error(rc)), (HANDLE)NULL);
    }
    wp->obj.magic = W32_MAGIC;
    wp->obj.type = W32_PORT;
    pthread_mutex_lock(&ports_lock);
    wp->next = all_ports;
    all_ports = wp;
    pthread_mutex_unlock(&ports_lock);
    p = wp->port;
    result = wp;
  }
  if (file != INVALID_HANDLE_VALUE) {
    if (!w32_is_fd(file))
      return (fail(ERROR_INVALID_HANDLE), (HANDLE)NULL);
    int fd = (int)(intptr_t)file;
    /* (Skip mode set before association carries over.) */
    int rc = cport_associate(p, fd, key, 0);
    if (rc != 0)
      return (fail(rc == CPORT_EEXIST ? ERROR_INVALID_PARAMETER : w32_error(rc)),
              (HANDLE)NULL);
  }
  return result;
}

static int timeout_of(DWORD ms) {
  return ms == INFINITE ? -1 : ms > INT32_MAX ? INT32_MAX : (int)ms;
}

CPORT_API BOOL GetQueuedCompletionStatus(HANDLE port, LPDWORD bytes,
                                         PULONG_PTR key, LPOVERLAPPED *ov,
                                         DWORD ms) {
  cport_t *p = w32_port(port);
  if (ov == NULL || bytes == NULL || key == NULL)
    return fail(ERROR_INVALID_PARAMETER);
  if (p == NULL) {
    *ov = NULL;
    return fail(ERROR_INVALID_HANDLE);
  }
  cport_completion_t c;
  int rc = cport_get(p, &c, timeout_of(ms));
  if (rc != 0) {
    /* Timeout or a closed port: no packet, the other outputs untouched. */
    *ov = NULL;
    return fail(rc == CPORT_ETIMEDOUT ? WAIT_TIMEOUT : w32_error(rc));
  }
  w32_fixup_run(&c);
  *bytes = c.bytes;
  *key = c.key;
  *ov = (LPOVERLAPPED)c.op;
  if (c.status != 0) {
    /* A failed packet is an I/O op's (posts carry status 0): its
     * OVERLAPPED says what happened, as on Windows. */
    DWORD err = w32_op_error(*ov, c.status);
    c.op->internal = w32_ntstatus(c.status);
    return fail(err);
  }
  return TRUE;
}

CPORT_API BOOL GetQueuedCompletionStatusEx(HANDLE port, LPOVERLAPPED_ENTRY out,
                                           ULONG count, PULONG removed, DWORD ms,
                                           BOOL alertable) {
  (void)alertable;
  cport_t *p = w32_port(port);
  if (out == NULL || removed == NULL || count == 0)
    return fail(ERROR_INVALID_PARAMETER);
  if (p == NULL)
    return fail(ERROR_INVALID_HANDLE);
  cport_completion_t c[64];
  int n = cport_get_many(p, c, count < 64 ? count : 64, timeout_of(ms));
  if (n < 0)
    return fail(n == CPORT_ETIMEDOUT ? WAIT_TIMEOUT : w32_error(n));
  for (int i = 0; i < n; i++) {
    w32_fixup_run(&c[i]);
    out[i].lpCompletionKey = c[i].key;
    out[i].lpOverlapped = (LPOVERLAPPED)c[i].op;
    out[i].dwNumberOfBytesTransferred = c[i].bytes;
    out[i].Internal = 0;
    /* The status of each entry is in its OVERLAPPED, as on Windows. */
    if (c[i].status != 0)
      c[i].op->internal = w32_ntstatus(c[i].status);
  }
  *removed = (ULONG)n;
  return TRUE;
}

CPORT_API BOOL PostQueuedCompletionStatus(HANDLE port, DWORD bytes,
                                          ULONG_PTR key, LPOVERLAPPED ov) {
  cport_t *p = w32_port(port);
  if (p == NULL)
    return fail(ERROR_INVALID_HANDLE);
  int rc = cport_post(p, key, bytes, (cport_op_t *)ov);
  return rc == 0 ? TRUE : fail(w32_error(rc));
}

/* OVERLAPPED.Internal holds STATUS_PENDING, a cport code, or (after
 * GetQueuedCompletionStatusEx) an NTSTATUS. */
static DWORD internal_error(LPOVERLAPPED ov) {
  intptr_t v = (intptr_t)ov->Internal;
  if (v == 0)
    return 0;
  if (v < 0 && v > -4096)
    return w32_op_error(ov, (int)v);
  switch ((uint32_t)ov->Internal) {
#define W32_CASE_(cp, win, wsa, nt) \
  case nt:                          \
    return w32_op_error(ov, cp);
    /* The NTSTATUS values GetQueuedCompletionStatus(Ex) may have left;
     * several cport codes share some of them, the first one wins. */
    W32_CASE_(CPORT_ECONNRESET, 0, 0, 0xC000020Du)
    W32_CASE_(CPORT_ECONNREFUSED, 0, 0, 0xC0000236u)
    W32_CASE_(CPORT_ECONNABORTED, 0, 0, 0xC0000241u)
    W32_CASE_(CPORT_ECANCELED, 0, 0, 0xC0000120u)
    W32_CASE_(CPORT_EOF, 0, 0, 0xC0000011u)
    W32_CASE_(CPORT_EMSGSIZE, 0, 0, 0x80000005u)
#undef W32_CASE_
  default:
    return ERROR_INVALID_FUNCTION;
  }
}

CPORT_API BOOL GetOverlappedResult(HANDLE h, LPOVERLAPPED ov, LPDWORD bytes,
                                   BOOL wait) {
  (void)h;
  if (ov == NULL || bytes == NULL)
    return fail(ERROR_INVALID_PARAMETER);
  if (cport_op_wait((const cport_op_t *)ov, wait ? -1 : 0) != 0)
    return fail(ERROR_IO_INCOMPLETE);
  *bytes = (DWORD)ov->InternalHigh;
  DWORD err = internal_error(ov);
  return err == 0 ? TRUE : fail(err);
}

/* ------------------------------------------------------------------------ */
/* Handles: cancel, close, skip mode                                         */
/* ------------------------------------------------------------------------ */

CPORT_API BOOL CancelIoEx(HANDLE h, LPOVERLAPPED ov) {
  if (!w32_is_fd(h))
    return fail(ERROR_INVALID_HANDLE);
  int rc = cport_cancel((int)(intptr_t)h, (cport_op_t *)ov);
  if (rc == 0)
    return TRUE;
  return fail(rc == CPORT_ENOENT ? ERROR_NOT_FOUND : w32_error(rc));
}

/* Windows cancels only the calling thread's operations; cport cancels
 * every operation of the handle. */
CPORT_API BOOL CancelIo(HANDLE h) { return CancelIoEx(h, NULL); }

CPORT_API BOOL SetFileCompletionNotificationModes(HANDLE file, UCHAR flags) {
  if (!w32_is_fd(file))
    return fail(ERROR_INVALID_HANDLE);
  /* Modes are only ever added: once set they stay, as on Windows. */
  unsigned f = (flags & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) ? CPORT_SKIP_ON_SUCCESS : 0;
  int rc = cport_set_handle_flags((int)(intptr_t)file, f);
  return rc == 0 ? TRUE : fail(ERROR_INVALID_HANDLE);
}

struct w32_thread;
static BOOL thread_close(struct w32_thread *t);

CPORT_API BOOL CloseHandle(HANDLE h) {
  if (h == NULL || h == INVALID_HANDLE_VALUE)
    return fail(ERROR_INVALID_HANDLE);
  if (w32_is_fd(h)) {
    int rc = cport_closesocket((int)(intptr_t)h);
    return rc == 0 ? TRUE : fail(w32_error(rc));
  }
  struct w32_object *o = h;
  if (o->magic != W32_MAGIC)
    return fail(ERROR_INVALID_HANDLE);
  if (o->type == W32_PORT) {
    int rc = cport_close(((struct w32_port *)h)->port);
    return rc == 0 ? TRUE : fail(ERROR_INVALID_HANDLE);
  }
  return thread_close((struct w32_thread *)h);
}

/* ------------------------------------------------------------------------ */
/* Files                                                                     */
/* ------------------------------------------------------------------------ */

CPORT_API HANDLE CreateFileA(LPCSTR path, DWORD access, DWORD share,
                             LPSECURITY_ATTRIBUTES sa, DWORD disposition,
                             DWORD flags, HANDLE template_file) {
  (void)share;
  (void)sa; /* cport never lets a handle be inherited */
  (void)flags;
  (void)template_file;
  unsigned f = 0;
  if (access & GENERIC_READ)
    f |= CPORT_FILE_READ;
  if (access & GENERIC_WRITE)
    f |= CPORT_FILE_WRITE;
  else if (access & FILE_APPEND_DATA)
    f |= CPORT_FILE_WRITE | CPORT_FILE_APPEND;
  switch (disposition) {
  case CREATE_NEW:
    f |= CPORT_FILE_CREATE | CPORT_FILE_EXCL;
    break;
  case CREATE_ALWAYS:
    f |= CPORT_FILE_CREATE | CPORT_FILE_TRUNCATE;
    break;
  case OPEN_ALWAYS:
    f |= CPORT_FILE_CREATE;
    break;
  case TRUNCATE_EXISTING:
    f |= CPORT_FILE_TRUNCATE;
    break;
  case OPEN_EXISTING:
    break;
  default:
    return (fail(ERROR_INVALID_PARAMETER), INVALID_HANDLE_VALUE);
  }
  cport_handle_t fd;
  int rc = cport_file_open(path, f, &fd);
  if (rc != 0)
    return (fail(w32_error(rc)), INVALID_HANDLE_VALUE);
  return (HANDLE)(intptr_t)fd;
}

/* What an overlapped call returned: TRUE if it finished inside the call,
 * FALSE with ERROR_IO_PENDING if its completion comes later, FALSE with
 * the error if it failed at once. (The OVERLAPPED is not read after the
 * call: its completion may already be another thread's.) */
static BOOL file_started(int rc, LPDWORD done) {
  uint32_t bytes = 0;
  int status = -1;
  if ((rc == 0 || rc == CPORT_COMPLETED) && cport__last_inline(&bytes, &status) &&
      status == 0) {
    if (done)
      *done = bytes;
    return TRUE;
  }
  return fail(rc == 0 ? ERROR_IO_PENDING : w32_error(rc));
}

static uint64_t offset_of(LPOVERLAPPED ov) {
  return (uint64_t)ov->OffsetHigh << 32 | ov->Offset;
}

CPORT_API BOOL ReadFile(HANDLE h, LPVOID buf, DWORD len, LPDWORD done,
                        LPOVERLAPPED ov) {
  if (!w32_is_fd(h))
    return fail(ERROR_INVALID_HANDLE);
  int fd = (int)(intptr_t)h;
  if (ov == NULL) { /* synchronous, at the file position */
    ssize_t n = read(fd, buf, len);
    if (n < 0)
      return fail(w32_error(-errno));
    if (done)
      *done = (DWORD)n;
    return TRUE;
  }
  return file_started(cport_read(fd, buf, len, offset_of(ov), (cport_op_t *)ov),
                      done);
}

CPORT_API BOOL WriteFile(HANDLE h, LPCVOID buf, DWORD len, LPDWORD done,
                         LPOVERLAPPED ov) {
  if (!w32_is_fd(h))
    return fail(ERROR_INVALID_HANDLE);
  int fd = (int)(intptr_t)h;
  if (ov == NULL) {
    ssize_t n = write(fd, buf, len);
    if (n < 0)
      return fail(w32_error(-errno));
    if (done)
      *done = (DWORD)n;
    return TRUE;
  }
  return file_started(
      cport_write(fd, buf, len, offset_of(ov), (cport_op_t *)ov), done);
}

CPORT_API BOOL DeleteFileA(LPCSTR path) {
  if (path == NULL)
    return fail(ERROR_INVALID_PARAMETER);
  return unlink(path) == 0 ? TRUE : fail(w32_error(-errno));
}

CPORT_API BOOL GetFileSizeEx(HANDLE h, PLARGE_INTEGER size) {
  uint64_t s;
  if (!w32_is_fd(h) || size == NULL)
    return fail(ERROR_INVALID_PARAMETER);
  int rc = cport_file_size((int)(intptr_t)h, &s);
  if (rc != 0)
    return fail(w32_error(rc));
  size->QuadPart = (LONGLONG)s;
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */
/* ------------------------------------------------------------------------ */

struct w32_thread {
  struct w32_object obj;
  pthread_mutex_t lock;
  pthread_cond_t done_cv;
  pthread_t thread;
  LPTHREAD_START_ROUTINE fn;
  LPVOID arg;
  DWORD exit_code;
  bool done;
  int refs; /* the HANDLE and the running thread */
};

static void thread_unref(struct w32_thread *t) {
  pthread_mutex_lock(&t->lock);
  bool last = --t->refs == 0;
  pthread_mutex_unlock(&t->lock);
  if (last) {
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->done_cv);
    t->obj.magic = 0;
    free(t);
  }
}

static void *thread_main(void *arg) {
  struct w32_thread *t = arg;
  DWORD code = t->fn(t->arg);
  pthread_mutex_lock(&t->lock);
  t->exit_code = code;
  t->done = true;
  pthread_cond_broadcast(&t->done_cv);
  pthread_mutex_unlock(&t->lock);
  thread_unref(t);
  return NULL;
}

CPORT_API HANDLE CreateThread(LPSECURITY_ATTRIBUTES sa, SIZE_T stack,
                              LPTHREAD_START_ROUTINE fn, LPVOID arg,
                              DWORD flags, LPDWORD id) {
  (void)sa;
  if (fn == NULL || flags != 0) /* CREATE_SUSPENDED is not supported */
    return (fail(ERROR_INVALID_PARAMETER), (HANDLE)NULL);
  struct w32_thread *t = calloc(1, sizeof(*t));
  if (t == NULL)
    return (fail(ERROR_NOT_ENOUGH_MEMORY), (HANDLE)NULL);
  t->obj.magic = W32_MAGIC;
  t->obj.type = W32_THREAD;
  pthread_mutex_init(&t->lock, NULL);
  pthread_cond_init(&t->done_cv, NULL);
  t->fn = fn;
  t->arg = arg;
  t->refs = 2;
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  if (stack > 0)
    pthread_attr_setstacksize(&a, stack < 65536 ? 65536 : stack);
  int rc = pthread_create(&t->thread, &a, thread_main, t);
  pthread_attr_destroy(&a);
  if (rc != 0) {
    t->refs = 1;
    thread_unref(t);
    return (fail(ERROR_NOT_ENOUGH_MEMORY), (HANDLE)NULL);
  }
  if (id)
    *id = (DWORD)(uintptr_t)t; /* unique while the thread lives */
  return t;
}

static BOOL thread_close(struct w32_thread *t) {
  if (t->obj.type != W32_THREAD)
    return fail(ERROR_INVALID_HANDLE);
  thread_unref(t);
  return TRUE;
}

static struct w32_thread *as_thread(HANDLE h) {
  if (h == NULL || w32_is_fd(h) || h == INVALID_HANDLE_VALUE)
    return NULL;
  struct w32_thread *t = h;
  return t->obj.magic == W32_MAGIC && t->obj.type == W32_THREAD ? t : NULL;
}

CPORT_API DWORD WaitForSingleObject(HANDLE h, DWORD ms) {
  struct w32_thread *t = as_thread(h);
  if (t == NULL)
    return (fail(ERROR_INVALID_HANDLE), WAIT_FAILED);
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  uint64_t ns = (uint64_t)until.tv_nsec + (uint64_t)ms % 1000 * 1000000u;
  until.tv_sec += (time_t)(ms / 1000 + ns / 1000000000u);
  until.tv_nsec = (long)(ns % 1000000000u);
  pthread_mutex_lock(&t->lock);
  int rc = 0;
  while (!t->done && rc == 0)
    rc = ms == INFINITE ? pthread_cond_wait(&t->done_cv, &t->lock)
                        : pthread_cond_timedwait(&t->done_cv, &t->lock, &until);
  bool done = t->done;
  pthread_mutex_unlock(&t->lock);
  return done ? WAIT_OBJECT_0 : WAIT_TIMEOUT;
}

CPORT_API DWORD WaitForMultipleObjects(DWORD n, const HANDLE *hs, BOOL all,
                                       DWORD ms) {
  if (hs == NULL || n == 0 || n > 64)
    return (fail(ERROR_INVALID_PARAMETER), WAIT_FAILED);
  for (DWORD i = 0; i < n; i++)
    if (as_thread(hs[i]) == NULL)
      return (fail(ERROR_INVALID_HANDLE), WAIT_FAILED);
  uint64_t start = GetTickCount64();
  for (;;) {
    DWORD finished = 0, first = n;
    for (DWORD i = 0; i < n; i++)
      if (WaitForSingleObject(hs[i], 0) == WAIT_OBJECT_0) {
        finished++;
        if (first == n)
          first = i;
      }
    if (all ? finished == n : finished > 0)
      return WAIT_OBJECT_0 + (all ? 0 : first);
    if (ms != INFINITE && GetTickCount64() - start >= ms)
      return WAIT_TIMEOUT;
    Sleep(1);
  }
}

CPORT_API BOOL GetExitCodeThread(HANDLE h, LPDWORD code) {
  struct w32_thread *t = as_thread(h);
  if (t == NULL || code == NULL)
    return fail(ERROR_INVALID_HANDLE);
  pthread_mutex_lock(&t->lock);
  *code = t->done ? t->exit_code : STILL_ACTIVE;
  pthread_mutex_unlock(&t->lock);
  return TRUE;
}

CPORT_API DWORD GetCurrentThreadId(void) {
  return (DWORD)(uintptr_t)pthread_self();
}

/* ------------------------------------------------------------------------ */
/* Time, system, critical sections                                           */
/* ------------------------------------------------------------------------ */

CPORT_API void Sleep(DWORD ms) {
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

CPORT_API ULONGLONG GetTickCount64(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (ULONGLONG)ts.tv_sec * 1000u + (ULONGLONG)ts.tv_nsec / 1000000u;
}

CPORT_API DWORD GetTickCount(void) { return (DWORD)GetTickCount64(); }

CPORT_API void GetSystemInfo(LPSYSTEM_INFO info) {
  memset(info, 0, sizeof(*info));
  long n = sysconf(_SC_NPROCESSORS_ONLN), page = sysconf(_SC_PAGESIZE);
  info->dwNumberOfProcessors = n > 0 ? (DWORD)n : 1;
  info->dwPageSize = page > 0 ? (DWORD)page : 4096;
  info->dwAllocationGranularity = 65536;
  info->dwActiveProcessorMask = n >= 64 ? ~(DWORD_PTR)0 : ((DWORD_PTR)1 << n) - 1;
}

CPORT_API void InitializeCriticalSection(LPCRITICAL_SECTION cs) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&cs->mutex, &a);
  pthread_mutexattr_destroy(&a);
}

CPORT_API BOOL InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION cs,
                                                     DWORD spin) {
  (void)spin;
  InitializeCriticalSection(cs);
  return TRUE;
}

CPORT_API void EnterCriticalSection(LPCRITICAL_SECTION cs) {
  pthread_mutex_lock(&cs->mutex);
}

CPORT_API BOOL TryEnterCriticalSection(LPCRITICAL_SECTION cs) {
  return pthread_mutex_trylock(&cs->mutex) == 0;
}

CPORT_API void LeaveCriticalSection(LPCRITICAL_SECTION cs) {
  pthread_mutex_unlock(&cs->mutex);
}

CPORT_API void DeleteCriticalSection(LPCRITICAL_SECTION cs) {
  pthread_mutex_destroy(&cs->mutex);
}
