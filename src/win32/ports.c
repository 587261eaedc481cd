/*
 * ports.c - completion ports: CreateIoCompletionPort,
 * GetQueuedCompletionStatus(Ex), PostQueuedCompletionStatus, closing a
 * port, and the layer's own port for handles that do overlapped I/O
 * without one (Windows allows that: the caller waits on the OVERLAPPED's
 * event or in GetOverlappedResult).
 */
#include <fcntl.h>

#include <sys/stat.h>

#include "win32.h"

struct w32_port {
  struct w32_object obj;
  cport_t *port;
};

cport_t *w32_port(HANDLE h, bool *closed) {
  struct w32_port *p = (struct w32_port *)w32_object_get(h, W32_PORT);
  if (closed)
    *closed = p == NULL;
  return p != NULL ? p->port : NULL;
}

/* A port whose handle was closed while handles were still associated
 * with it: its I/O runs on, and this thread takes the packets nobody can
 * take any more until the last of those handles is closed; then it
 * closes the port. The program may have read a packet's op from its
 * OVERLAPPED or event and reused it already, so only a fixup still
 * waiting for that op's end runs (as on the layer's own port, below). */
static void *reap(void *arg) {
  cport_t *p = arg;
  for (;;) {
    cport_completion_t c[16];
    int n = cport__reap(p, c, 16, W32_REAP_SLICE_MS);
    for (int i = 0; i < n; i++)
      if (c[i].op != NULL && c[i].status != CPORT__OPAQUE_POST)
        w32_fixup_run_ended((LPOVERLAPPED)c[i].op);
    if (n <= 0 && cport__port_unused(p))
      break;
  }
  cport_close(p); /* (what came in the meantime: dropped with the port) */
  return NULL;
}

/* CloseHandle of a port: the threads inside GetQueuedCompletionStatus are
 * woken (ERROR_ABANDONED_WAIT_0); the handle is already invalid for new
 * calls (ERROR_INVALID_HANDLE). The port itself lives while handles are
 * associated with it, as on Windows, so their pending I/O completes (a
 * write reaches its file, a receive its buffer and event). */
static void port_closed(void *port) {
  cport_t *p = port;
  if (cport__port_unused(p) || cport__abandon(p) != 0) {
    cport_close(p);
    return;
  }
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  if (pthread_create(&t, &a, reap, p) != 0)
    cport_close(p); /* no thread to wait for the I/O: it ends now */
  pthread_attr_destroy(&a);
}

CPORT_API HANDLE CreateIoCompletionPort(HANDLE file, HANDLE port, ULONG_PTR key,
                                        DWORD threads) {
  if (file == INVALID_HANDLE_VALUE && port != NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  struct w32_port *wp = NULL;
  if (port != NULL) {
    wp = (struct w32_port *)w32_object_get(port, W32_PORT);
    if (wp == NULL) /* not a port: STATUS_OBJECT_TYPE_MISMATCH on Windows */
      return w32_fail_null(ERROR_INVALID_HANDLE);
  }
  int fd = -1;
  if (file != INVALID_HANDLE_VALUE && (fd = w32_fd(file)) < 0)
    return w32_fail_null(ERROR_INVALID_HANDLE);
  /* "it has to have been opened for overlapped I/O completion": a file or
   * a pipe's end opened without FILE_FLAG_OVERLAPPED is refused, before
   * any port is made. */
  if (fd >= 0 && (w32_fd_flags(fd) & W32_FD_SYNC))
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  bool created = false;
  if (wp == NULL) {
    cport_options_t o;
    memset(&o, 0, sizeof(o));
    /* The page gives no upper bound: a larger value (MAXDWORD as "no
     * limit") is the most the engine keeps. */
    o.concurrency = threads > 65536 ? 65536 : threads;
    wp = w32_object_new(W32_PORT, sizeof(*wp));
    if (wp == NULL)
      return NULL;
    int rc = cport_create(&wp->port, &o);
    if (rc != 0) {
      __atomic_store_n(&wp->obj.open, false, __ATOMIC_RELEASE);
      w32_unref(&wp->obj);
      return w32_fail_null(w32_error(rc));
    }
    wp->obj.closed = port_closed;
    wp->obj.closed_arg = wp->port;
    created = true;
  }
  if (fd >= 0) {
    /* Skip mode set before association carries over. */
    int rc = cport_associate(wp->port, fd, key, 0);
    if (rc == CPORT_EEXIST && !(w32_fd_flags(fd) & W32_FD_PORT))
      rc = w32_own_port_leave(fd, wp->port, key);
    if (rc != 0) {
      if (created)
        CloseHandle(wp);
      return w32_fail_null(rc == CPORT_EEXIST || rc == CPORT_EBUSY
                               ? ERROR_INVALID_PARAMETER
                               : w32_error(rc));
    }
    w32_fd_set_flags(fd, W32_FD_PORT, 0); /* no ReadFileEx from now on */
    cport__try_at_call(fd);
  }
  return port != NULL ? port : (HANDLE)wp; /* (a duplicate: as given) */
}

static int timeout_of(DWORD ms) {
  return ms == INFINITE ? -1 : ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/* A closed port under a waiting thread: ERROR_ABANDONED_WAIT_0. */
static DWORD get_error(int rc) {
  return rc == CPORT_ETIMEDOUT ? WAIT_TIMEOUT
         : rc == CPORT_ECLOSED ? ERROR_ABANDONED_WAIT_0
                               : w32_error(rc);
}

/* A packet's status for the program. A post's is 0 and its pointer is
 * never read (it need not point to an OVERLAPPED); an op's fixups (pipes,
 * AcceptEx) run. (A reset was noted for its socket as the op ended.) */
static int packet_status(const cport_completion_t *c) {
  if (c->status == CPORT__OPAQUE_POST)
    return 0;
  int status = c->status;
  if (c->op != NULL) {
    w32_pipe_result((LPOVERLAPPED)c->op, c->bytes, &status);
    w32_fixup_run_taken((LPOVERLAPPED)c->op, &status);
  }
  return status;
}

CPORT_API BOOL GetQueuedCompletionStatus(HANDLE port, LPDWORD bytes,
                                         PULONG_PTR key, LPOVERLAPPED *ov,
                                         DWORD ms) {
  if (ov == NULL || bytes == NULL || key == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  cport_t *p = w32_port(port, NULL);
  if (p == NULL) {
    *ov = NULL;
    return w32_fail(ERROR_INVALID_HANDLE);
  }
  cport_completion_t c;
  int rc = cport_get(p, &c, timeout_of(ms));
  if (rc != 0) {
    /* No packet: the other outputs untouched. */
    *ov = NULL;
    return w32_fail(get_error(rc));
  }
  int status = packet_status(&c);
  *bytes = c.bytes;
  *key = c.key;
  *ov = (LPOVERLAPPED)c.op;
  if (status != 0) {
    /* A failed packet is an I/O op's (posts carry status 0). Its
     * OVERLAPPED already says what happened: Internal was written once,
     * as the op ended, and other threads may read it since. */
    return w32_fail(w32_op_error(*ov, status));
  }
  return TRUE;
}

/* One alertable GetQueuedCompletionStatusEx's packets. */
struct take {
  cport_t *p;
  ULONG max;
  int n; /* what cport_get_many said */
  cport_completion_t c[64];
};

static bool take_once(void *ctx, DWORD slice) {
  struct take *t = ctx;
  t->n = cport_get_many(t->p, t->c, t->max, (int)slice);
  return t->n != CPORT_ETIMEDOUT;
}

CPORT_API BOOL GetQueuedCompletionStatusEx(HANDLE port, LPOVERLAPPED_ENTRY out,
                                           ULONG count, PULONG removed,
                                           DWORD ms, BOOL alertable) {
  if (out == NULL || removed == NULL || count == 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  cport_t *p = w32_port(port, NULL);
  if (p == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  /* A wait that fails (a timeout, an APC, the port closed) says one entry
   * was removed, as Windows' NtRemoveIoCompletionEx does (Wine's
   * conformance tests show it); the entry itself is not written. */
  *removed = 1;
  struct take t = {
      .p = p, .max = count < 64 ? count : 64, .n = CPORT_ETIMEDOUT};
  if (!alertable) {
    t.n = cport_get_many(p, t.c, t.max, timeout_of(ms));
  } else {
    /* Alertable: packets first; with none, an APC queued before or
     * during the wait ends it with WAIT_IO_COMPLETION once it has run.
     * The port cannot be woken for one thread, so the wait looks at the
     * thread's queue every W32_ALERT_SLICE_MS. */
    if (w32_alertable_poll(ms, take_once, &t) == WAIT_IO_COMPLETION)
      return w32_fail(WAIT_IO_COMPLETION);
  }
  cport_completion_t *c = t.c;
  int n = t.n;
  if (n < 0)
    return w32_fail(get_error(n));
  for (int i = 0; i < n; i++) {
    int status = packet_status(&c[i]);
    out[i].lpCompletionKey = c[i].key;
    out[i].lpOverlapped = (LPOVERLAPPED)c[i].op;
    out[i].dwNumberOfBytesTransferred = c[i].bytes;
    /* The packet's status, as an NTSTATUS, in the entry (documented as
     * reserved, but Windows fills it and programs test it against 0);
     * its OVERLAPPED got it as the op ended. */
    out[i].Internal =
        status != 0 ? w32_op_ntstatus((LPOVERLAPPED)c[i].op, status) : 0;
  }
  *removed = (ULONG)n;
  return TRUE;
}

CPORT_API BOOL PostQueuedCompletionStatus(HANDLE port, DWORD bytes,
                                          ULONG_PTR key, LPOVERLAPPED ov) {
  cport_t *p = w32_port(port, NULL);
  if (p == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  int rc = cport__post_opaque(p, key, bytes, ov);
  return rc == 0 ? TRUE
                 : w32_fail(rc == CPORT_ECLOSED ? ERROR_INVALID_HANDLE
                                                : w32_error(rc));
}

/* ------------------------------------------------------------------------ */
/* The layer's own port                                                      */
/* ------------------------------------------------------------------------ */

/* Handles doing overlapped I/O before (or without) joining a port join
 * this one; a thread of its own takes its packets and runs their fixups.
 * Their results are read from the OVERLAPPED, its event, or
 * GetOverlappedResult, as on Windows. */
static cport_t *own_port;
static pthread_once_t own_once = PTHREAD_ONCE_INIT;

static void *drain(void *arg) {
  (void)arg;
  for (;;) {
    cport_completion_t c;
    int rc = cport_get(own_port, &c, -1);
    if (rc == CPORT_ECLOSED)
      return NULL;
    if (rc == 0 && c.op != NULL && c.status != CPORT__OPAQUE_POST) {
      /* The packet may be a stale one (its op ended on its event, and the
       * program started its next op on the OVERLAPPED): a fixup runs only
       * once that next op has ended (an AcceptEx's would otherwise find
       * no connection, and lose it). */
      w32_fixup_run_ended((LPOVERLAPPED)c.op);
    }
  }
}

static void own_init(void) {
  cport_options_t o;
  memset(&o, 0, sizeof(o));
  o.concurrency = 1;
  cport_t *p;
  if (cport_create(&p, &o) != 0)
    return;
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  own_port = p;
  if (pthread_create(&t, &a, drain, NULL) != 0) {
    own_port = NULL;
    cport_close(p);
  }
  pthread_attr_destroy(&a);
}

/* A file or socket that did overlapped I/O on no port of the program's
 * (so on this one) joins the program's port, once its ops have ended (and,
 * for a socket, nothing cport read ahead waits in it): Windows lets a
 * handle join a port after event-driven I/O. */
int w32_own_port_leave(int fd, cport_t *to, uintptr_t key) {
  cport_t *own = __atomic_load_n(&own_port, __ATOMIC_ACQUIRE);
  if (own == NULL)
    return CPORT_EEXIST;
  /* A socket's receive ahead (io_uring) stops within a completion or
   * two: ask again a while (cport__move_file's CPORT_EAGAIN). The ops the
   * layer runs itself (a message pipe's read, a directory watch, a lock)
   * move along: their packets come to the new port, as on Windows. */
  int rc;
  for (int i = 0;
       (rc = cport__move_file(own, to, fd, key)) == CPORT_EAGAIN && i < 200;
       i++) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  return rc == CPORT_EAGAIN ? CPORT_EBUSY : rc;
}

int w32_ensure_port(int fd) {
  if (cport__handle_associated(fd))
    return 0;
  /* A closed handle fails before the layer's own port is made: that port
   * could take the number just freed, and the op would then run on it. */
  if (fd < 0 || fcntl(fd, F_GETFD) < 0)
    return CPORT_EBADF;
  pthread_once(&own_once, own_init);
  if (own_port == NULL)
    return CPORT_ENOMEM;
  /* Closed between that look and the port's making, the number may now
   * be one of the port's own descriptors (an epoll set, an eventfd, a
   * ring): anonymous inodes, which no socket, file, pipe or console is. */
  struct stat st;
  if (fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) == 0)
    return CPORT_EBADF;
  int rc = cport_associate(own_port, fd, 0, 0);
  if (rc == 0)
    cport__try_at_call(fd);
  return rc == CPORT_EEXIST ? 0 : rc; /* another thread was first */
}
