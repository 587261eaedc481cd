/*
 * routines.c - completion routines: WSARecv, WSASend, WSARecvFrom and
 * WSASendTo with a routine (LPWSAOVERLAPPED_COMPLETION_ROUTINE), and
 * ReadFileEx and WriteFileEx (LPOVERLAPPED_COMPLETION_ROUTINE, files.c),
 * call it on the thread that started the op, at that thread's next
 * alertable wait after the op ends (an APC, apc.c), as on Windows.
 *
 * The op's OVERLAPPED carries, as its event, a W32_ROUTINE object with the
 * low bit set, so cport queues no packet for it (the rule of hEvent's low
 * bit) and calls the layer's event hook as it ends the op (waits.c), which
 * calls w32_routine_ended here: the routine is queued to the starting
 * thread's APC queue. When it runs, the program's hEvent is back in the
 * OVERLAPPED (Windows leaves hEvent to the program with a routine), and
 * the routine gets the op's error and bytes (Winsock's, or the Win32 error
 * GetOverlappedResult gives, for a file routine). The object holds a
 * reference on the starting thread's object, so its queue cannot become
 * another thread's while the op runs; a thread that ended takes no more
 * APCs, and its routines are dropped, as Windows drops them.
 */
#include "win32.h"

struct w32_routine {
  struct w32_object obj;
  HANDLE user_event; /* the program's hEvent, back at the end */
  bool in_event;     /* the object is in hEvent (not for a done op) */
  LPWSAOVERLAPPED_COMPLETION_ROUTINE fn;   /* a Winsock routine, or */
  LPOVERLAPPED_COMPLETION_ROUTINE file_fn; /* ReadFileEx/WriteFileEx's */
  LPWSAOVERLAPPED ov;
  struct w32_apcq *queue;    /* the starting thread's */
  struct w32_object *thread; /* its thread object, referenced, or NULL */
};

static void release(struct w32_routine *r) {
  if (r->thread != NULL)
    w32_unref(r->thread);
  CloseHandle((HANDLE)r); /* the object's own reference */
}

/* On the starting thread, in an alertable wait: the op's result as
 * WSAGetOverlappedResult says it (the same error, a reset remembered), or
 * for a file routine as GetOverlappedResult does (ERROR_HANDLE_EOF,
 * ERROR_OPERATION_ABORTED, ...). */
static VOID NTAPI run(ULONG_PTR data) {
  struct w32_routine *r = (struct w32_routine *)data;
  LPWSAOVERLAPPED ov = r->ov;
  LPWSAOVERLAPPED_COMPLETION_ROUTINE fn = r->fn;
  LPOVERLAPPED_COMPLETION_ROUTINE file_fn = r->file_fn;
  if (r->in_event)
    ov->hEvent = r->user_event;
  release(r);
  DWORD bytes = 0, flags = 0;
  if (file_fn != NULL) {
    BOOL done = GetOverlappedResult(NULL, ov, &bytes, FALSE);
    file_fn(done ? 0 : GetLastError(), bytes, ov);
    return;
  }
  BOOL ok = w32_wsa_result(ov, &bytes, FALSE, &flags); /* socket may be gone */
  fn(ok ? 0 : (DWORD)WSAGetLastError(), bytes, ov, flags);
}

/* Its thread ended before an alertable wait: the routine never runs, and
 * the OVERLAPPED gets its event back. */
static VOID NTAPI dropped(ULONG_PTR data) {
  struct w32_routine *r = (struct w32_routine *)data;
  if (r->in_event)
    r->ov->hEvent = r->user_event;
  release(r);
}

/* The op ended (cport's event hook: no lock of the layer's held). */
static void ended(struct w32_object *o) {
  struct w32_routine *r = (struct w32_routine *)o;
  if (!w32_apc_queue(r->queue, run, dropped, (ULONG_PTR)r))
    dropped((ULONG_PTR)r); /* its thread ended */
}

__attribute__((constructor)) static void register_ended(void) {
  __atomic_store_n(&w32_routine_ended, ended, __ATOMIC_RELEASE);
}

static bool begin(LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE fn,
                  LPOVERLAPPED_COMPLETION_ROUTINE file_fn) {
  struct w32_routine *r = w32_object_new(W32_ROUTINE, sizeof(*r));
  if (r == NULL)
    return false;
  r->queue = w32_apc_mine_held(&r->thread);
  if (r->queue == NULL) {
    CloseHandle((HANDLE)r);
    return false;
  }
  r->user_event = ov->hEvent;
  r->fn = fn;
  r->file_fn = file_fn;
  r->ov = ov;
  /* The low bit: no packet, only the hook. */
  ov->hEvent = (HANDLE)((uintptr_t)r | 1u);
  r->in_event = true;
  return true;
}

bool w32_routine_begin(LPWSAOVERLAPPED ov,
                       LPWSAOVERLAPPED_COMPLETION_ROUTINE fn) {
  return begin(ov, fn, NULL);
}

bool w32_file_routine_begin(LPOVERLAPPED ov,
                            LPOVERLAPPED_COMPLETION_ROUTINE fn) {
  return begin(ov, NULL, fn);
}

static struct w32_routine *routine_of(LPWSAOVERLAPPED ov) {
  return (struct w32_routine *)((uintptr_t)ov->hEvent & ~(uintptr_t)1);
}

void w32_routine_refused(LPWSAOVERLAPPED ov) {
  struct w32_routine *r = routine_of(ov);
  ov->hEvent = r->user_event;
  release(r);
}

struct w32_object *w32_file_routine_new(LPOVERLAPPED ov,
                                        LPOVERLAPPED_COMPLETION_ROUTINE fn) {
  HANDLE user_event = ov->hEvent;
  if (!begin(ov, NULL, fn))
    return NULL;
  struct w32_routine *r = routine_of(ov);
  ov->hEvent = user_event; /* not installed: the caller queues it */
  r->in_event = false;
  return &r->obj;
}

void w32_routine_queue_now(struct w32_object *o, bool run) {
  if (run)
    ended(o);
  else
    release((struct w32_routine *)o);
}
