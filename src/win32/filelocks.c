/*
 * filelocks.c - byte-range locks: LockFileEx, UnlockFileEx, LockFile and
 * UnlockFile, over Linux's open-file-description locks (F_OFD_SETLK),
 * which belong to the open file as Windows' locks belong to the handle.
 *
 * The layer keeps each handle's locks as Windows counts them (a list of
 * ranges, shared or exclusive), because the kernel merges and converts a
 * description's own locks where Windows stacks them: a request that
 * overlaps the handle's own exclusive lock, or an exclusive request over
 * its own shared one, conflicts here as on Windows; a shared request over
 * the handle's own exclusive lock stacks on it (the kernel's lock stays
 * F_WRLCK there, F_RDLCK is taken only on the rest), and an unlock takes
 * the exclusive lock of a range before its shared one and sets each piece
 * of its range to what the handle's other locks still need there (a
 * downgrade or F_UNLCK: neither ever waits). A zero-length lock is kept
 * in the list only (Linux reads a length of 0 as "to the end"), as a
 * point: a range over it conflicts, in this process.
 *
 * A lock that must wait on a handle opened with FILE_FLAG_OVERLAPPED is
 * an op of layer-ops.c (started in cport as an external op: Internal,
 * event, packet, GetOverlappedResult, as any op), on a lane of its own so
 * that one waiting lock never holds up another: its step tries
 * F_OFD_SETLK and, refused, the lane's thread waits one slice (10 ms)
 * before the next try. A blocking F_OFD_SETLKW could be ended only by a
 * signal to that thread, and would not see the handle's own locks; the
 * retry ends a cancelled or closed op within a slice. A plain handle's
 * call retries the same way on the calling thread.
 *
 * Windows' locks are mandatory: ReadFile and WriteFile ask
 * w32_locks_allow while the process holds any lock (F_OFD_GETLK for the
 * other descriptions' locks, the list for a write under the handle's own
 * shared lock).
 */
#include <fcntl.h>
#include <stdlib.h>

#include "win32.h"

#define RETRY_MS 10u
#define LANE_BASE 2 /* W32_LANE_READ and W32_LANE_WRITE are 0 and 1 */

struct range_lock {
  struct range_lock *next;
  int fd;
  bool excl;
  uint64_t start, len, end; /* end: start + len, at most UINT64_MAX */
};

static pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
static struct range_lock *held; /* every handle's locks (lk) */
unsigned long w32_locks_held;   /* how many (atomic; read without lk) */
static unsigned lane_next;      /* the next waiting lock's lane */

static uint64_t end_of(uint64_t start, uint64_t len) {
  return len > UINT64_MAX - start ? UINT64_MAX : start + len;
}

static bool overlaps(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2) {
  return s1 < e2 && s2 < e1;
}

/* One F_OFD_* call on [start, end) (start below 2^63); an end past
 * INT64_MAX is Linux's "to the end" (a length of 0). */
static int ofd(int fd, int cmd, short type, uint64_t start, uint64_t end,
               struct flock *out) {
  struct flock fl;
  memset(&fl, 0, sizeof(fl));
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = (off_t)start;
  fl.l_len = end > (uint64_t)INT64_MAX ? 0 : (off_t)(end - start);
  int rc;
  do
    rc = fcntl(fd, cmd, &fl);
  while (rc != 0 && errno == EINTR);
  if (out != NULL)
    *out = fl;
  return rc == 0 ? 0 : -errno;
}

/* After one of fd's locks on [start, end) went (lk held): each piece of
 * the range gets the kind fd's other locks still need there. */
static void settle_locked(int fd, uint64_t start, uint64_t end) {
  uint64_t pos = start;
  while (pos < end) {
    uint64_t next = end;
    short type = F_UNLCK;
    for (struct range_lock *r = held; r != NULL; r = r->next) {
      if (r->fd != fd || r->len == 0 || !overlaps(pos, end, r->start, r->end))
        continue;
      if (r->start > pos && r->start < next)
        next = r->start;
      if (r->end > pos && r->end < next)
        next = r->end;
      if (r->start <= pos)
        type = r->excl ? F_WRLCK : type == F_UNLCK ? F_RDLCK : type;
    }
    (void)ofd(fd, F_OFD_SETLK, type, pos, next, NULL);
    pos = next;
  }
}

/* Whether a request of [start, end) (len 0: the point start) meets lock
 * r. Windows keeps a zero-length lock as a point: a range over it
 * conflicts, another point does not. */
static bool meets(const struct range_lock *r, uint64_t start, uint64_t len,
                  uint64_t end) {
  if (r->len == 0)
    return len > 0 && start <= r->start && r->start < end;
  if (len == 0)
    return r->start <= start && start < r->end;
  return overlaps(start, end, r->start, r->end);
}

/* A shared lock's kernel part (lk held): F_RDLCK on each piece of
 * [start, end) the handle's own exclusive locks leave (those stay
 * F_WRLCK: Windows stacks a shared lock on the same handle's exclusive
 * one, where Linux would downgrade it). Refused, the pieces taken go back
 * to what the handle's locks need. */
static int share_locked(int fd, uint64_t start, uint64_t end) {
  for (uint64_t pos = start, next; pos < end; pos = next) {
    if (pos > (uint64_t)INT64_MAX)
      break; /* past Linux's offsets: an earlier piece ran "to the end" */
    next = end;
    bool own_excl = false;
    for (struct range_lock *r = held; r != NULL; r = r->next) {
      if (r->fd != fd || !r->excl || r->len == 0 ||
          !overlaps(pos, end, r->start, r->end))
        continue;
      if (r->start <= pos)
        own_excl = true;
      uint64_t edge = r->start <= pos ? r->end : r->start;
      if (edge < next)
        next = edge;
    }
    if (own_excl)
      continue;
    int rc = ofd(fd, F_OFD_SETLK, F_RDLCK, pos, next, NULL);
    if (rc != 0) {
      settle_locked(fd, start, pos);
      return rc;
    }
  }
  return 0;
}

/* Takes the lock if nothing conflicts (lk held): 0, CPORT_EAGAIN for a
 * conflict (the handle's own locks, or another description's), or the
 * cport code of another failure. As on Windows, an exclusive request
 * conflicts with every lock it meets, the handle's own too; a shared one
 * with another handle's exclusive lock only. */
static int try_locked(int fd, uint64_t start, uint64_t len, bool excl) {
  uint64_t end = end_of(start, len);
  for (struct range_lock *r = held; r != NULL; r = r->next) {
    bool own = r->fd == fd;
    if (!(excl || (r->excl && !own)) || !meets(r, start, len, end))
      continue;
    /* Two ranges of two descriptors are the kernel's to judge. */
    if (own || r->len == 0 || len == 0)
      return CPORT_EAGAIN;
  }
  struct range_lock *r = malloc(sizeof(*r));
  if (r == NULL)
    return CPORT_ENOMEM;
  if (len > 0) {
    int rc = excl ? ofd(fd, F_OFD_SETLK, F_WRLCK, start, end, NULL)
                  : share_locked(fd, start, end);
    if (rc != 0) {
      free(r);
      return rc == -EACCES ? CPORT_EAGAIN : rc;
    }
  }
  r->fd = fd;
  r->excl = excl;
  r->start = start;
  r->len = len;
  r->end = end;
  r->next = held;
  held = r;
  __atomic_add_fetch(&w32_locks_held, 1, __ATOMIC_RELAXED);
  return 0;
}

/* Drops fd's lock of exactly [start, start + len), of the kind asked
 * (UNLOCK_ANY: an exclusive one first, as Windows' unlock takes it before
 * a shared one on the same range): false if it has none. */
enum { UNLOCK_SHARED, UNLOCK_EXCL, UNLOCK_ANY };

static bool unlock_exact(int fd, uint64_t start, uint64_t len, int kind) {
  pthread_mutex_lock(&lk);
  struct range_lock **pp = NULL;
  for (struct range_lock **it = &held; *it != NULL; it = &(*it)->next) {
    struct range_lock *c = *it;
    if (c->fd != fd || c->start != start || c->len != len ||
        (kind != UNLOCK_ANY && c->excl != (kind == UNLOCK_EXCL)))
      continue;
    if (pp == NULL || c->excl)
      pp = it;
    if (c->excl)
      break;
  }
  struct range_lock *r = pp != NULL ? *pp : NULL;
  if (r != NULL) {
    *pp = r->next;
    if (len > 0)
      settle_locked(fd, r->start, r->end);
    __atomic_sub_fetch(&w32_locks_held, 1, __ATOMIC_RELAXED);
  }
  pthread_mutex_unlock(&lk);
  free(r);
  return r != NULL;
}

/* CloseHandle: waiting locks end (ERROR_OPERATION_ABORTED), then every
 * lock of the handle goes. */
static void locks_closing(int fd) {
  w32_lop_end_all(fd, CPORT_ECANCELED);
  pthread_mutex_lock(&lk);
  bool had = false;
  for (struct range_lock **pp = &held; *pp != NULL;) {
    struct range_lock *r = *pp;
    if (r->fd != fd) {
      pp = &r->next;
      continue;
    }
    *pp = r->next;
    free(r);
    had = true;
    __atomic_sub_fetch(&w32_locks_held, 1, __ATOMIC_RELAXED);
  }
  if (had) /* the description may outlive this descriptor */
    (void)ofd(fd, F_OFD_SETLK, F_UNLCK, 0, UINT64_MAX, NULL);
  pthread_mutex_unlock(&lk);
}

bool w32_locks_allow(int fd, uint64_t off, uint64_t len, bool write_side) {
  if (len == 0 || off > (uint64_t)INT64_MAX)
    return true;
  uint64_t end = end_of(off, len);
  if (write_side) {
    /* A shared lock denies writes to every handle, its own too. */
    bool own_shared = false;
    pthread_mutex_lock(&lk);
    for (struct range_lock *r = held; r != NULL && !own_shared; r = r->next)
      own_shared = r->fd == fd && r->len > 0 && !r->excl &&
                   overlaps(off, end, r->start, r->end);
    pthread_mutex_unlock(&lk);
    if (own_shared)
      return false;
  }
  /* Other descriptions' locks: any, for a write; exclusive, for a read. */
  struct flock fl;
  int rc = ofd(fd, F_OFD_GETLK, write_side ? F_WRLCK : F_RDLCK, off, end, &fl);
  return rc != 0 || fl.l_type == F_UNLCK;
}

/* ------------------------------------------------------------------------ */
/* The calls                                                                 */
/* ------------------------------------------------------------------------ */

struct lock_req {
  int fd;
  bool excl;
  uint64_t start, len;
};

/* A waiting lock's try, on its lane's thread (layer-ops.c): no descriptor
 * to wait for, so a refusal waits one slice before the next try. */
static int lock_step(void *ctx, int *wait_fd, short *events, size_t *bytes) {
  struct lock_req *q = ctx;
  pthread_mutex_lock(&lk);
  int rc = try_locked(q->fd, q->start, q->len, q->excl);
  pthread_mutex_unlock(&lk);
  *wait_fd = -1;
  *events = 0;
  *bytes = 0;
  return rc;
}

static int try_now(const struct lock_req *q) {
  pthread_mutex_lock(&lk);
  int rc = try_locked(q->fd, q->start, q->len, q->excl);
  pthread_mutex_unlock(&lk);
  return rc;
}

static BOOL lock_failed(int rc) {
  /* Linux wants a descriptor open for reading for a shared lock, for
   * writing for an exclusive one. */
  return w32_fail(rc == CPORT_EAGAIN  ? ERROR_LOCK_VIOLATION
                  : rc == CPORT_EBADF ? ERROR_ACCESS_DENIED
                                      : w32_error(rc));
}

/* An overlapped handle's lock granted in the call: its end is an op's end
 * (Internal, the event, the packet unless skip-on-success mode). */
static BOOL granted_now(const struct lock_req *q, LPOVERLAPPED ov) {
  int rc = w32_ov_done_now(q->fd, ov, 0, 0);
  if (rc != 0) {
    (void)unlock_exact(q->fd, q->start, q->len,
                       q->excl ? UNLOCK_EXCL : UNLOCK_SHARED);
    return w32_fail(rc == W32_BAD_EVENT ? ERROR_INVALID_HANDLE : w32_error(rc));
  }
  SetLastError(ERROR_SUCCESS);
  return TRUE;
}

/* An overlapped handle's lock that must wait: pending, an op of its own
 * lane. */
static BOOL lock_pending(const struct lock_req *q, LPOVERLAPPED ov) {
  int rc = w32_ov_begin(q->fd, ov);
  if (rc != 0)
    return w32_fail(rc == W32_BAD_EVENT ? ERROR_INVALID_HANDLE : w32_error(rc));
  unsigned n = __atomic_fetch_add(&lane_next, 1, __ATOMIC_RELAXED);
  int lane = LANE_BASE + (int)(n & 0x3FFFFFFFu);
  rc = w32_lop_start(q->fd, ov, lane, lock_step, q, sizeof(*q));
  w32_ov_end(ov, rc);
  return w32_fail(rc < 0 ? w32_error(rc) : ERROR_IO_PENDING);
}

static BOOL lock_range(HANDLE h, DWORD flags, uint64_t start, uint64_t len,
                       LPOVERLAPPED ov) {
  int fd = w32_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (flags & ~(DWORD)(LOCKFILE_FAIL_IMMEDIATELY | LOCKFILE_EXCLUSIVE_LOCK))
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (start > (uint64_t)INT64_MAX) /* beyond Linux's offsets */
    return w32_fail(ERROR_NOT_SUPPORTED);
  if (__atomic_load_n(&w32_locks_closing, __ATOMIC_ACQUIRE) == NULL)
    __atomic_store_n(&w32_locks_closing, locks_closing, __ATOMIC_RELEASE);
  struct lock_req q = {fd, (flags & LOCKFILE_EXCLUSIVE_LOCK) != 0, start, len};
  bool wait = !(flags & LOCKFILE_FAIL_IMMEDIATELY);
  bool overlapped = ov != NULL && !(w32_fd_flags(fd) & W32_FD_SYNC);
  int rc = try_now(&q);
  if (rc == CPORT_EAGAIN && wait && overlapped)
    return lock_pending(&q, ov);
  if (rc == CPORT_EAGAIN && wait) {
    /* A plain handle waits in the call. */
    w32_block_begin();
    while (rc == CPORT_EAGAIN) {
      struct timespec ts = {0, (long)RETRY_MS * 1000000L};
      nanosleep(&ts, NULL);
      rc = try_now(&q);
    }
    w32_block_end();
  }
  if (rc != 0)
    return lock_failed(rc);
  if (overlapped)
    return granted_now(&q, ov);
  if (ov != NULL)
    w32_ov_finish(ov, 0, 0); /* a plain handle's: Internal, its event */
  SetLastError(ERROR_SUCCESS);
  return TRUE;
}

static uint64_t u64(DWORD low, DWORD high) {
  return (uint64_t)high << 32 | low;
}

CPORT_API BOOL LockFileEx(HANDLE h, DWORD flags, DWORD reserved, DWORD len_low,
                          DWORD len_high, LPOVERLAPPED ov) {
  if (reserved != 0 || ov == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  return lock_range(h, flags, u64(ov->Offset, ov->OffsetHigh),
                    u64(len_low, len_high), ov);
}

/* LockFile: an exclusive lock that never waits, and no OVERLAPPED to
 * complete. */
CPORT_API BOOL LockFile(HANDLE h, DWORD off_low, DWORD off_high, DWORD len_low,
                        DWORD len_high) {
  return lock_range(h, LOCKFILE_FAIL_IMMEDIATELY | LOCKFILE_EXCLUSIVE_LOCK,
                    u64(off_low, off_high), u64(len_low, len_high), NULL);
}

static BOOL unlock_range(HANDLE h, uint64_t start, uint64_t len) {
  int fd = w32_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (!unlock_exact(fd, start, len, UNLOCK_ANY))
    return w32_fail(ERROR_NOT_LOCKED);
  SetLastError(ERROR_SUCCESS);
  return TRUE;
}

/* UnlockFileEx ends in the call, on any handle: no packet, no event (the
 * system call under it, NtUnlockFile, takes neither). */
CPORT_API BOOL UnlockFileEx(HANDLE h, DWORD reserved, DWORD len_low,
                            DWORD len_high, LPOVERLAPPED ov) {
  if (reserved != 0 || ov == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  return unlock_range(h, u64(ov->Offset, ov->OffsetHigh),
                      u64(len_low, len_high));
}

CPORT_API BOOL UnlockFile(HANDLE h, DWORD off_low, DWORD off_high,
                          DWORD len_low, DWORD len_high) {
  return unlock_range(h, u64(off_low, off_high), u64(len_low, len_high));
}
