/*
 * port.c - the port on Windows: a real I/O completion port.
 *
 * cport_get/cport_get_many are GetQueuedCompletionStatusEx; the kernel
 * gives FIFO order, LIFO wake-up and the concurrency limit. What cport adds:
 * each completion's status is read from its OVERLAPPED.Internal and mapped
 * to a CPORT_E* code, and an operation is finished (accept and connect
 * contexts updated, accept data copied) before the caller sees it.
 */
#include <stdlib.h>
#include <string.h>

#include "win.h"

_Static_assert(sizeof(cport_op_t) == 32 * sizeof(void *),
               "cport_op_t has a fixed size");
_Static_assert(
    offsetof(cport_op_t, internal) == offsetof(OVERLAPPED, Internal) &&
        offsetof(cport_op_t, internal_high) ==
            offsetof(OVERLAPPED, InternalHigh) &&
        offsetof(cport_op_t, u.off.offset) == offsetof(OVERLAPPED, Offset) &&
        offsetof(cport_op_t, u.off.offset_high) ==
            offsetof(OVERLAPPED, OffsetHigh) &&
        offsetof(cport_op_t, event) == offsetof(OVERLAPPED, hEvent) &&
        offsetof(cport_op_t, data) == sizeof(OVERLAPPED),
    "cport_op_t starts with an OVERLAPPED");
_Static_assert(sizeof(cport_buf_t) == sizeof(WSABUF) &&
                   offsetof(cport_buf_t, len) == offsetof(WSABUF, len) &&
                   offsetof(cport_buf_t, base) == offsetof(WSABUF, buf),
               "cport_buf_t is WSABUF");
_Static_assert(sizeof(cport_handle_t) == sizeof(SOCKET) &&
                   sizeof(cport_handle_t) == sizeof(HANDLE),
               "cport_handle_t holds a SOCKET or a HANDLE");
_Static_assert(sizeof(struct cp_wop) <= sizeof(((cport_op_t *)0)->priv),
               "the Windows op overlay fits in cport_op_t.priv");

/* Packets that tell threads inside GetQueuedCompletionStatusEx that the
 * port is closing: under a key no handle can have (the marker's own
 * address; a constant one was a key a program could choose, whose
 * packets then passed for markers), carrying the marker. */
static OVERLAPPED close_marker;
#define CP_CLOSE_KEY ((ULONG_PTR)&close_marker)

static bool is_marker(const OVERLAPPED_ENTRY *e) {
  return e->lpCompletionKey == CP_CLOSE_KEY && e->lpOverlapped == &close_marker;
}

CPORT_API int cport_create(cport_t **out, const cport_options_t *opts) {
  if (out == NULL)
    return CPORT_EINVAL;
  cport_backend_t kind;
  int rc = cp_check_options(opts, &kind);
  if (rc != 0)
    return rc;
  if (kind != CPORT_BACKEND_AUTO && kind != CPORT_BACKEND_IOCP)
    return CPORT_ENOSYS;
  if ((rc = cp_win_diag_env()) != 0)
    return rc;
  if (cp_winsock(&rc) == NULL)
    return rc;
  unsigned conc = opts ? opts->concurrency : 0; /* 0: one per CPU */
  HANDLE iocp = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, conc);
  if (iocp == NULL)
    return cp_win_error(GetLastError());

  struct cport *p = (struct cport *)cp_grave_take();
  uint32_t gen = p ? p->generation + 1 : 1;
  if (p == NULL && (p = calloc(1, sizeof(*p))) == NULL) {
    CloseHandle(iocp);
    return CPORT_ENOMEM;
  }
  memset(p, 0, sizeof(*p));
  p->generation = gen;
  p->iocp = iocp;
  InitializeSRWLock(&p->timers_lock);
  InitializeSRWLock(&p->assoc_lock);
  *out = p;
  return 0;
}

CPORT_API const char *cport_backend(const cport_t *p) {
  return p ? "iocp" : NULL;
}

/*
 * A cport_post() must come out verbatim, and its op is never dereferenced,
 * while the op of an I/O completion is read to finish it. So a user post
 * travels in a small packet under a key no handle can have (the address
 * of `post_key`); packets are recycled through a lock-free list.
 */
static const char post_key = 0;
#define CP_POST_KEY ((ULONG_PTR)&post_key)

struct cp_post {
  SLIST_ENTRY link; /* first, and MEMORY_ALLOCATION_ALIGNMENT-aligned */
  uintptr_t key;
  cport_op_t *op;
};

static SLIST_HEADER free_posts;
static INIT_ONCE free_posts_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK init_free_posts(PINIT_ONCE o, PVOID a, PVOID *c) {
  (void)o;
  (void)a;
  (void)c;
  InitializeSListHead(&free_posts);
  return TRUE;
}

static struct cp_post *post_alloc(void) {
  InitOnceExecuteOnce(&free_posts_once, init_free_posts, NULL, NULL);
  struct cp_post *pk = (struct cp_post *)InterlockedPopEntrySList(&free_posts);
  if (pk == NULL)
    pk = _aligned_malloc(sizeof(*pk), MEMORY_ALLOCATION_ALIGNMENT);
  return pk;
}

static void post_free(struct cp_post *pk) {
  InterlockedPushEntrySList(&free_posts, &pk->link);
}

/* A packet the closed port drops: its op ends (free again), a post's
 * packet is recycled. */
static void drop(struct cport *p, OVERLAPPED_ENTRY *ent) {
  if (ent->lpCompletionKey == CP_POST_KEY) {
    post_free((struct cp_post *)ent->lpOverlapped);
  } else {
    uint32_t bytes = ent->dwNumberOfBytesTransferred;
    (void)cp_wop_done((cport_op_t *)ent->lpOverlapped, &bytes);
  }
  InterlockedDecrement(&p->ops);
}

/* Takes the packets of the ops still due (5 s at most: a driver that
 * never ends a cancelled op must not hang the close). */
static void drain(struct cport *p) {
  OVERLAPPED_ENTRY ents[64];
  ULONGLONG until = GetTickCount64() + 5000;
  while (p->ops > 0 && GetTickCount64() < until) {
    ULONG n = 0;
    if (!GetQueuedCompletionStatusEx(p->iocp, ents, 64, &n, 100, FALSE)) {
      /* Nothing for 100 ms: Wine may have missed an op its call had just
       * left pending; Windows finds them all the first time. */
      cp_wh_cancel_forgotten(p);
      continue;
    }
    for (ULONG i = 0; i < n; i++)
      if (!is_marker(&ents[i]))
        drop(p, &ents[i]);
  }
}

CPORT_API int cport_close(cport_t *p) {
  if (p == NULL)
    return CPORT_EINVAL;
  if (InterlockedCompareExchange(&p->closed, 1, 0) != 0)
    return CPORT_ECLOSED;
  /* Wake the threads inside with marker packets, so the handle is not
   * closed under a thread that is about to wait on it; after a second,
   * close it anyway (ERROR_ABANDONED_WAIT_0 wakes the rest). */
  LONG inside = p->inside;
  for (LONG i = 0; i < inside; i++)
    PostQueuedCompletionStatus(p->iocp, 0, CP_CLOSE_KEY, &close_marker);
  ULONGLONG until = GetTickCount64() + 1000;
  while (p->inside > 0 && GetTickCount64() < until)
    Sleep(1);
  cp_win_timers_stop(p);
  AcquireSRWLockExclusive(&p->assoc_lock); /* associations under way end */
  ReleaseSRWLockExclusive(&p->assoc_lock);
  /* The handles can start nothing more, and their pending ops are
   * cancelled: each ends, and is free again, before the port goes (the
   * system would write a later end into an op the program freed). */
  cp_wh_forget_port(p);
  drain(p);
  InterlockedExchange(&p->drained, 1);
  CloseHandle(p->iocp);
  cp_grave_bury(&p->shell);
  return 0;
}

CPORT_API int cport_post(cport_t *p, uintptr_t key, uint32_t bytes,
                         cport_op_t *op) {
  if (p == NULL)
    return CPORT_EINVAL;
  if (p->closed)
    return CPORT_ECLOSED;
  struct cp_post *pk = post_alloc();
  if (pk == NULL)
    return CPORT_ENOMEM;
  pk->key = key;
  pk->op = op;
  /* Counted before the port is looked at, as an op's start is: a close
   * that this post does not see waits for its packet before the port's
   * handle goes (a post that read the handle as the close freed it
   * reached whichever port took the number next). */
  InterlockedIncrement(&p->ops);
  if (p->closed || !PostQueuedCompletionStatus(p->iocp, bytes, CP_POST_KEY,
                                               (LPOVERLAPPED)pk)) {
    InterlockedDecrement(&p->ops);
    post_free(pk);
    return p->closed ? CPORT_ECLOSED : cp_win_error(GetLastError());
  }
  return 0;
}

/* A handle not created by cport: what it is. */
static void learn(cport_handle_t h, struct cp_whandle *e) {
  memset(e, 0, sizeof(*e));
  e->h = h;
  int type = 0, len = sizeof(type);
  if (getsockopt((SOCKET)h, SOL_SOCKET, SO_TYPE, (char *)&type, &len) == 0) {
    e->type = (uint8_t)type;
    WSAPROTOCOL_INFOW info;
    len = sizeof(info);
    if (getsockopt((SOCKET)h, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&info,
                   &len) == 0)
      e->family = (uint8_t)info.iAddressFamily;
  } else {
    e->flags |= CP_WH_FILE;
  }
}

CPORT_API int cport_set_handle_flags(cport_handle_t h, unsigned flags) {
  if (flags & ~CPORT_SKIP_ON_SUCCESS)
    return CPORT_EINVAL;
  if (h == 0 || h == CPORT_INVALID_HANDLE)
    return CPORT_EBADF;
  if (flags == 0)
    return 0;
  if (!SetFileCompletionNotificationModes((HANDLE)h,
                                          FILE_SKIP_COMPLETION_PORT_ON_SUCCESS |
                                              FILE_SKIP_SET_EVENT_ON_HANDLE))
    return cp_win_error(GetLastError());
  struct cp_whandle e;
  if (!cp_wh_get(h, &e))
    learn(h, &e);
  e.flags |= CP_WH_SKIP;
  return cp_wh_add(&e);
}

/*
 * A handle whose port was closed joins another: Windows binds a handle to
 * one port for its life, except through NtSetInformationFile's
 * FileReplaceCompletionInformation (Windows 8.1 and later), which moves
 * it. False where the system cannot (Wine: STATUS_NOT_IMPLEMENTED).
 */
typedef LONG(NTAPI *cp_set_info_fn)(HANDLE, void *, void *, ULONG, int);

static cp_set_info_fn set_info;
static INIT_ONCE set_info_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK find_set_info(PINIT_ONCE o, PVOID a, PVOID *c) {
  (void)o;
  (void)a;
  (void)c;
  HMODULE nt = GetModuleHandleA("ntdll.dll");
  FARPROC f = nt ? GetProcAddress(nt, "NtSetInformationFile") : NULL;
  set_info = (cp_set_info_fn)(void (*)(void))f;
  return TRUE;
}

static bool rebind(cport_handle_t h, HANDLE iocp, uintptr_t key) {
  InitOnceExecuteOnce(&set_info_once, find_set_info, NULL, NULL);
  if (set_info == NULL)
    return false;
  struct {
    HANDLE port;
    void *key;
  } info = {iocp, (void *)key};
  ULONG_PTR status_block[2] = {0, 0}; /* IO_STATUS_BLOCK */
  enum { FILE_REPLACE_COMPLETION_INFORMATION = 61 };
  return set_info((HANDLE)h, status_block, &info, (ULONG)sizeof(info),
                  FILE_REPLACE_COMPLETION_INFORMATION) >= 0;
}

/* Whether the closed port e left has taken its packets: until then the
 * handle's cancelled ops still end there, and moved to another port they
 * would end on it instead. */
static bool old_port_done(const struct cp_whandle *e) {
  const struct cport *old = e->gone_from;
  return old == NULL || old->generation != e->gone_gen || old->drained;
}

static int associate(struct cport *p, cport_handle_t h, uintptr_t key,
                     unsigned flags) {
  if (p->closed)
    return CPORT_ECLOSED;
  struct cp_whandle e;
  if (!cp_wh_get(h, &e))
    learn(h, &e);
  else if (e.port != NULL)
    return CPORT_EEXIST;
  if (CreateIoCompletionPort((HANDLE)h, p->iocp, key, 0) == NULL) {
    DWORD err = GetLastError();
    /* Bound to a port already: one that closed lets it go where the
     * system can move it. */
    if (err != ERROR_INVALID_PARAMETER)
      return cp_win_error(err);
    if (!(e.flags & CP_WH_PORT_GONE) || !old_port_done(&e) ||
        !rebind(h, p->iocp, key))
      return CPORT_EEXIST;
  }
  if (flags & CPORT_SKIP_ON_SUCCESS) {
    if (!SetFileCompletionNotificationModes(
            (HANDLE)h, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS |
                           FILE_SKIP_SET_EVENT_ON_HANDLE))
      return cp_win_error(GetLastError());
    e.flags |= CP_WH_SKIP;
  }
  e.port = p;
  e.flags &= (uint16_t)~CP_WH_PORT_GONE;
  e.key = key;
  return cp_wh_add(&e);
}

CPORT_API int cport_associate(cport_t *p, cport_handle_t h, uintptr_t key,
                              unsigned flags) {
  if (p == NULL || (flags & ~CPORT_SKIP_ON_SUCCESS) != 0)
    return CPORT_EINVAL;
  if (h == 0 || h == CPORT_INVALID_HANDLE)
    return CPORT_EBADF;
  /* Held shared while the handle joins, so a close (which takes it
   * exclusively before its handles leave it) sees the handle on its list
   * or is seen here: none is left bound to a closed port, nor bound with
   * the port's handle after it was closed. */
  AcquireSRWLockShared(&p->assoc_lock);
  int rc = associate(p, h, key, flags);
  ReleaseSRWLockShared(&p->assoc_lock);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* Taking completions                                                        */
/* ------------------------------------------------------------------------ */

static int take(struct cport *p, cport_completion_t *out, unsigned max,
                int timeout_ms) {
  if (p == NULL || out == NULL || max == 0 || timeout_ms < -1)
    return CPORT_EINVAL;
  OVERLAPPED_ENTRY ents[64];
  ULONG want = max < 64 ? max : 64, n = 0;
  InterlockedIncrement(&p->inside);
  if (p->closed) {
    InterlockedDecrement(&p->inside);
    return CPORT_ECLOSED;
  }
  BOOL ok = GetQueuedCompletionStatusEx(
      p->iocp, ents, want, &n, timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms,
      FALSE);
  DWORD err = ok ? 0 : GetLastError();
  /* One look: a close marker is posted only after `closed` is set, so a
   * thread that took one sees it; what a thread that saw the port open
   * took is its own to hand out (the close's drain waits for the rest). */
  bool closed = p->closed != 0;
  if (ok && closed) {
    /* What was queued is dropped with the port. A close marker beyond the
     * first one we took belongs to another thread still waiting. */
    bool mine = false;
    for (ULONG i = 0; i < n; i++) {
      if (!is_marker(&ents[i])) {
        drop(p, &ents[i]);
        continue;
      }
      if (mine)
        PostQueuedCompletionStatus(p->iocp, 0, CP_CLOSE_KEY, &close_marker);
      mine = true;
    }
  }
  InterlockedDecrement(&p->inside);
  if (closed)
    return CPORT_ECLOSED;
  if (!ok) {
    if (err == WAIT_TIMEOUT)
      return CPORT_ETIMEDOUT;
    if (err == ERROR_ABANDONED_WAIT_0 || err == ERROR_INVALID_HANDLE)
      return CPORT_ECLOSED;
    return cp_win_error(err);
  }
  for (ULONG i = 0; i < n; i++) {
    cport_completion_t *c = &out[i];
    c->bytes = ents[i].dwNumberOfBytesTransferred;
    if (ents[i].lpCompletionKey == CP_POST_KEY) {
      struct cp_post *pk = (struct cp_post *)ents[i].lpOverlapped;
      c->op = pk->op;
      c->key = pk->key;
      c->status = 0;
      post_free(pk);
    } else {
      c->op = (cport_op_t *)ents[i].lpOverlapped;
      c->key = ents[i].lpCompletionKey;
      c->status = cp_wop_done(c->op, &c->bytes);
    }
    InterlockedDecrement(&p->ops);
  }
  return (int)n;
}

CPORT_API int cport_get(cport_t *p, cport_completion_t *out, int timeout_ms) {
  int rc = take(p, out, 1, timeout_ms);
  return rc > 0 ? 0 : rc;
}

CPORT_API int cport_get_many(cport_t *p, cport_completion_t *out, unsigned max,
                             int timeout_ms) {
  return take(p, out, max, timeout_ms);
}
