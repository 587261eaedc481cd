/*
 * test-win32-filelocks.c - byte-range locks as a ported file server or
 * database takes them, written only against the Win32 API: LockFile /
 * UnlockFile and LockFileEx / UnlockFileEx, shared and exclusive, between
 * two handles to one file and on one handle, 64-bit offsets, exact
 * unlocks (ERROR_NOT_LOCKED), a shared lock stacked on the handle's own
 * exclusive one, zero-length locks, the mandatory check of ReadFile and
 * WriteFile, locks released by CloseHandle, and on a handle opened with
 * FILE_FLAG_OVERLAPPED: a lock granted at once (TRUE, its packet; none in
 * skip-on-success mode), LOCKFILE_FAIL_IMMEDIATELY (ERROR_LOCK_VIOLATION,
 * no packet), a lock that waits (ERROR_IO_PENDING, then its packet or its
 * event when granted) and one ended by CancelIoEx or CloseHandle
 * (ERROR_OPERATION_ABORTED).
 */
#include "win32-util.h"

#define W_WINE_NO_ASYNC_LOCKS                                            \
  "known Wine difference: a waiting LockFileEx on an overlapped handle " \
  "is never granted; see docs/windows.md"
#define W_WINE_UNLOCK_ERROR                                                 \
  "known Wine difference: unlocking a range that is not locked fails with " \
  "ERROR_LOCK_VIOLATION, not ERROR_NOT_LOCKED; see docs/windows.md"
#define W_WINE_NO_LOCK_PACKET                                             \
  "known Wine difference: LockFileEx granted at once on a handle with a " \
  "port queues no packet; see docs/windows.md"
#define W_WINE_LOCKS_ADVISORY                                              \
  "known Wine difference: ReadFile and WriteFile ignore byte-range locks " \
  "of other handles; see docs/windows.md"

#define W_WINE_ZERO_LOCK                                                   \
  "known Wine difference: a lock starting at a zero-length lock's offset " \
  "is granted; see docs/windows.md"

static HANDLE open_file(const char *path, DWORD disposition, DWORD flags) {
  HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE,
                         FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, disposition,
                         flags, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  return f;
}

/* A scratch file of 4,096 bytes and two handles to it: *a plain, *b with
 * flags. */
static void two_handles(char *path, size_t size, const char *name, HANDLE *a,
                        HANDLE *b, DWORD b_flags) {
  w_temp_path(path, size, name);
  DeleteFileA(path);
  *a = open_file(path, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL);
  char zero[4096];
  memset(zero, 'z', sizeof(zero));
  DWORD n = 0;
  assert_true(WriteFile(*a, zero, sizeof(zero), &n, NULL));
  assert_int_equal(n, sizeof(zero));
  *b = open_file(path, OPEN_EXISTING, b_flags);
}

static OVERLAPPED at(DWORD off_low, DWORD off_high) {
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.Offset = off_low;
  ov.OffsetHigh = off_high;
  return ov;
}

static void expect_error(BOOL ok, DWORD err) {
  assert_false(ok);
  assert_int_equal(GetLastError(), err);
}

/* An unlock of a range the handle has not locked: ERROR_NOT_LOCKED
 * (STATUS_RANGE_NOT_LOCKED). Wine answers ERROR_LOCK_VIOLATION: noted, so
 * the test skips once its other checks are done. */
static bool wine_unlock_error;

static void expect_not_locked(BOOL ok) {
  assert_false(ok);
  DWORD err = GetLastError();
  if (err == ERROR_LOCK_VIOLATION && h_on_wine()) {
    wine_unlock_error = true;
    return;
  }
  assert_int_equal(err, ERROR_NOT_LOCKED);
}

static void skip_if_wine_unlock_error(void) {
  if (wine_unlock_error)
    H_SKIP(W_WINE_UNLOCK_ERROR);
}

/* Under Wine, a waiting LockFileEx of an overlapped handle is never
 * granted (Wine reports it pending and forgets it): once a frees the
 * range [off, off + len), a takes it again at once. Then the test closes
 * its handles (c: a port or an event, or NULL) and skips. */
static void skip_if_wine_never_grants(HANDLE a, HANDLE b, HANDLE c,
                                      const char *path, DWORD off, DWORD len) {
  if (!h_on_wine())
    return;
  assert_true(UnlockFile(a, off, 0, len, 0));
  Sleep(200);
  BOOL retaken = LockFile(a, off, 0, len, 0);
  CloseHandle(a);
  CloseHandle(b);
  if (c != NULL)
    CloseHandle(c);
  DeleteFileA(path);
  if (retaken)
    H_SKIP(W_WINE_NO_ASYNC_LOCKS);
  fail_msg("Wine granted a waiting LockFileEx: update this test");
}

/* A read or write of len bytes at off through h: whether it went. */
static BOOL io_at(HANDLE h, DWORD off, DWORD len, bool write_side) {
  char buf[64];
  memset(buf, 'w', sizeof(buf));
  assert_true(len <= sizeof(buf));
  assert_int_equal(SetFilePointer(h, (LONG)off, NULL, FILE_BEGIN), off);
  DWORD n = 0;
  return write_side ? WriteFile(h, buf, len, &n, NULL)
                    : ReadFile(h, buf, len, &n, NULL);
}

static void conflicts_between_two_handles(void **state) {
  (void)state;
  char path[512];
  HANDLE a, b;
  two_handles(path, sizeof(path), "w32l-conflicts", &a, &b,
              FILE_ATTRIBUTE_NORMAL);
  /* An exclusive lock keeps every other lock off its range. */
  assert_true(LockFile(a, 10, 0, 20, 0));
  expect_error(LockFile(b, 25, 0, 10, 0), ERROR_LOCK_VIOLATION);
  expect_error(LockFile(b, 0, 0, 11, 0), ERROR_LOCK_VIOLATION);
  OVERLAPPED ov = at(15, 0);
  expect_error(LockFileEx(b, LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov),
               ERROR_LOCK_VIOLATION);
  /* Next to it is free. A lock of length 0 is a lock to unlock. */
  assert_true(LockFile(b, 30, 0, 10, 0));
  assert_true(LockFile(b, 0, 0, 10, 0));
  assert_true(LockFile(b, 50, 0, 0, 0));
  assert_true(UnlockFile(b, 50, 0, 0, 0));
  expect_not_locked(UnlockFile(b, 50, 0, 0, 0));
  /* Windows stacks a handle's locks: its own exclusive one conflicts. */
  expect_error(LockFile(a, 20, 0, 5, 0), ERROR_LOCK_VIOLATION);
  /* Unlocks name exactly a lock the handle holds. */
  expect_not_locked(UnlockFile(a, 10, 0, 10, 0));
  expect_not_locked(UnlockFile(b, 10, 0, 20, 0));
  assert_true(UnlockFile(a, 10, 0, 20, 0));
  expect_not_locked(UnlockFile(a, 10, 0, 20, 0));
  assert_true(LockFile(b, 10, 0, 20, 0)); /* free now */
  expect_error(LockFile(a, 29, 0, 1, 0), ERROR_LOCK_VIOLATION);
  assert_true(UnlockFile(b, 10, 0, 20, 0));
  assert_true(UnlockFile(b, 0, 0, 10, 0));
  assert_true(UnlockFile(b, 30, 0, 10, 0));
  /* 64-bit offsets and lengths. */
  assert_true(LockFile(a, 0, 1, 0x10, 0)); /* 4 GiB .. +16 */
  expect_error(LockFile(b, 8, 1, 1, 0), ERROR_LOCK_VIOLATION);
  assert_true(LockFile(b, 0, 0, 0, 1));        /* 0 .. 4 GiB */
  assert_true(LockFile(b, 0x10, 1, 0, 0x100)); /* up to 2^40 more */
  expect_error(LockFile(a, 0xFFFFFFFFu, 0, 2, 0), ERROR_LOCK_VIOLATION);
  assert_true(UnlockFile(b, 0, 0, 0, 1));
  assert_true(UnlockFile(b, 0x10, 1, 0, 0x100));
  assert_true(UnlockFile(a, 0, 1, 0x10, 0));
  /* The whole file, as programs lock it. */
  ov = at(0, 0);
  assert_true(
      LockFileEx(a, LOCKFILE_EXCLUSIVE_LOCK, 0, 0xFFFFFFFFu, 0xFFFFFFFFu, &ov));
  expect_error(LockFile(b, 0, 0x7FFFFFFF, 1, 0), ERROR_LOCK_VIOLATION);
  assert_true(UnlockFileEx(a, 0, 0xFFFFFFFFu, 0xFFFFFFFFu, &ov));
  /* Bad input. */
  expect_error(LockFileEx(a, 0, 1, 1, 0, &ov), ERROR_INVALID_PARAMETER);
  assert_true(CloseHandle(a));
  assert_true(CloseHandle(b));
  assert_true(DeleteFileA(path));
  skip_if_wine_unlock_error();
}

static void shared_locks(void **state) {
  (void)state;
  char path[512];
  HANDLE a, b;
  two_handles(path, sizeof(path), "w32l-shared", &a, &b, FILE_ATTRIBUTE_NORMAL);
  OVERLAPPED ov = at(100, 0);
  DWORD now = LOCKFILE_FAIL_IMMEDIATELY;
  /* Shared locks share, also on one handle (each unlocked on its own). */
  assert_true(LockFileEx(a, now, 0, 50, 0, &ov));
  assert_true(LockFileEx(b, now, 0, 50, 0, &ov));
  assert_true(LockFileEx(a, now, 0, 10, 0, &ov));
  /* An exclusive one conflicts with them, the owner's too. */
  OVERLAPPED ov2 = at(120, 0);
  expect_error(LockFileEx(b, now | LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ov2),
               ERROR_LOCK_VIOLATION);
  expect_error(LockFileEx(a, now | LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ov2),
               ERROR_LOCK_VIOLATION);
  assert_true(UnlockFileEx(b, 0, 50, 0, &ov));
  expect_not_locked(UnlockFileEx(b, 0, 50, 0, &ov));
  assert_true(UnlockFileEx(a, 0, 10, 0, &ov));
  /* a still holds 100..150 shared: b's exclusive lock waits for it. */
  expect_error(LockFileEx(b, now | LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ov2),
               ERROR_LOCK_VIOLATION);
  assert_true(UnlockFileEx(a, 0, 50, 0, &ov));
  expect_not_locked(UnlockFileEx(a, 0, 50, 0, &ov));
  assert_true(LockFileEx(b, now | LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ov2));
  assert_true(UnlockFileEx(b, 0, 1, 0, &ov2));
  /* Unlocking one of a handle's overlapping shared locks leaves the
   * other in force. */
  OVERLAPPED ov3 = at(140, 0);
  assert_true(LockFileEx(a, now, 0, 20, 0, &ov));  /* 100..120 */
  assert_true(LockFileEx(a, now, 0, 20, 0, &ov3)); /* 140..160 */
  OVERLAPPED ov4 = at(110, 0);
  assert_true(LockFileEx(a, now, 0, 40, 0, &ov4)); /* 110..150 */
  assert_true(UnlockFileEx(a, 0, 40, 0, &ov4));
  expect_error(LockFile(b, 115, 0, 1, 0), ERROR_LOCK_VIOLATION);
  expect_error(LockFile(b, 145, 0, 1, 0), ERROR_LOCK_VIOLATION);
  assert_true(LockFile(b, 125, 0, 10, 0)); /* between them: free again */
  assert_true(UnlockFile(b, 125, 0, 10, 0));
  assert_true(UnlockFileEx(a, 0, 20, 0, &ov));
  assert_true(UnlockFileEx(a, 0, 20, 0, &ov3));
  assert_true(LockFile(b, 100, 0, 60, 0));
  assert_true(UnlockFile(b, 100, 0, 60, 0));
  assert_true(CloseHandle(a));
  assert_true(CloseHandle(b));
  assert_true(DeleteFileA(path));
  skip_if_wine_unlock_error();
}

/* LockFileEx's remarks: a shared lock may overlap an exclusive one made
 * through the same handle (then only that handle may read the range, and
 * no one write it), and an unlock of the range takes the exclusive lock
 * first. A zero-length lock is a point a range over it conflicts with.
 * (The sequence of Wine's conformance test of LockFile, run on Windows.) */
static bool wine_io_unlocked; /* Wine's reads and writes ignore locks */

/* An access the locks deny: ERROR_LOCK_VIOLATION (noted under Wine). */
static void expect_denied(HANDLE h, DWORD off, DWORD len, bool write_side) {
  BOOL ok = io_at(h, off, len, write_side);
  if (ok && h_on_wine()) {
    wine_io_unlocked = true;
    return;
  }
  expect_error(ok, ERROR_LOCK_VIOLATION);
}

static void shared_over_own_exclusive(void **state) {
  (void)state;
  char path[512];
  HANDLE a, b;
  two_handles(path, sizeof(path), "w32l-stack", &a, &b, FILE_ATTRIBUTE_NORMAL);
  DWORD now = LOCKFILE_FAIL_IMMEDIATELY;
  OVERLAPPED ov = at(300, 0);
  assert_true(LockFileEx(a, LOCKFILE_EXCLUSIVE_LOCK, 0, 100, 0, &ov));
  expect_error(LockFileEx(b, now, 0, 100, 0, &ov), ERROR_LOCK_VIOLATION);
  assert_true(LockFileEx(a, now, 0, 100, 0, &ov)); /* stacks on it */
  OVERLAPPED in = at(350, 0);
  assert_true(LockFileEx(a, now, 0, 10, 0, &in));
  expect_error(LockFileEx(a, now | LOCKFILE_EXCLUSIVE_LOCK, 0, 10, 0, &in),
               ERROR_LOCK_VIOLATION);
  /* Only the owner reads; no one writes. */
  assert_true(io_at(a, 310, 10, false));
  expect_denied(a, 310, 10, true);
  expect_denied(b, 310, 10, false);
  assert_true(UnlockFileEx(a, 0, 10, 0, &in));
  /* The first unlock takes the exclusive lock: b may share now, and the
   * range stays shut to exclusive locks and to writes. */
  assert_true(UnlockFileEx(a, 0, 100, 0, &ov));
  assert_true(LockFileEx(b, now, 0, 100, 0, &ov));
  assert_true(io_at(b, 310, 10, false));
  expect_error(LockFileEx(b, now | LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ov),
               ERROR_LOCK_VIOLATION);
  assert_true(UnlockFileEx(b, 0, 100, 0, &ov));
  expect_denied(b, 310, 10, true);
  assert_true(UnlockFileEx(a, 0, 100, 0, &ov));
  expect_not_locked(UnlockFileEx(a, 0, 100, 0, &ov));
  assert_true(io_at(b, 310, 10, true));
  /* In the other order too: shared first, the exclusive lock over it is
   * refused, and one unlock frees the range. */
  assert_true(LockFileEx(a, now, 0, 100, 0, &ov));
  expect_error(LockFileEx(a, now | LOCKFILE_EXCLUSIVE_LOCK, 0, 100, 0, &ov),
               ERROR_LOCK_VIOLATION);
  assert_true(UnlockFileEx(a, 0, 100, 0, &ov));
  assert_true(LockFile(b, 300, 0, 100, 0));
  assert_true(UnlockFile(b, 300, 0, 100, 0));
  /* A zero-length lock at 100: ranges over 100 conflict, one ending at
   * 100 does not. */
  assert_true(LockFile(a, 100, 0, 0, 0));
  expect_error(LockFile(a, 98, 0, 4, 0), ERROR_LOCK_VIOLATION);
  assert_true(LockFile(a, 90, 0, 10, 0));
  BOOL from_point = LockFile(a, 100, 0, 10, 0);
  bool wine_from_point = from_point && h_on_wine();
  if (wine_from_point)
    assert_true(UnlockFile(a, 100, 0, 10, 0));
  else
    expect_error(from_point, ERROR_LOCK_VIOLATION);
  assert_true(UnlockFile(a, 90, 0, 10, 0));
  expect_not_locked(UnlockFile(a, 100, 0, 10, 0));
  assert_true(UnlockFile(a, 100, 0, 0, 0));
  assert_true(LockFile(a, 98, 0, 4, 0));
  assert_true(UnlockFile(a, 98, 0, 4, 0));
  assert_true(CloseHandle(a));
  assert_true(CloseHandle(b));
  assert_true(DeleteFileA(path));
  if (wine_from_point)
    H_SKIP(W_WINE_ZERO_LOCK);
  if (wine_io_unlocked)
    H_SKIP(W_WINE_LOCKS_ADVISORY);
  skip_if_wine_unlock_error();
}

static void locks_are_mandatory(void **state) {
  (void)state;
  char path[512];
  HANDLE a, b;
  two_handles(path, sizeof(path), "w32l-mandatory", &a, &b,
              FILE_ATTRIBUTE_NORMAL);
  assert_true(LockFile(a, 100, 0, 100, 0));
  /* The owner reads and writes its exclusive range. */
  assert_true(io_at(a, 120, 10, false));
  assert_true(io_at(a, 120, 10, true));
  BOOL ok = io_at(b, 150, 10, false);
  if (ok && h_on_wine()) {
    assert_true(UnlockFile(a, 100, 0, 100, 0));
    CloseHandle(a);
    CloseHandle(b);
    DeleteFileA(path);
    H_SKIP(W_WINE_LOCKS_ADVISORY);
  }
  expect_error(ok, ERROR_LOCK_VIOLATION);
  expect_error(io_at(b, 195, 10, true), ERROR_LOCK_VIOLATION);
  assert_true(io_at(b, 200, 10, true)); /* just after it */
  assert_true(io_at(b, 90, 10, false)); /* just before it */
  /* An overlapped read of the range fails at its call. */
  HANDLE port = w_port(0);
  HANDLE c = open_file(path, OPEN_EXISTING, FILE_FLAG_OVERLAPPED);
  assert_ptr_equal(CreateIoCompletionPort(c, port, 3, 0), port);
  char buf[16];
  OVERLAPPED ov = at(110, 0);
  expect_error(ReadFile(c, buf, sizeof(buf), NULL, &ov), ERROR_LOCK_VIOLATION);
  w_expect_nothing(port, 50);
  assert_true(UnlockFile(a, 100, 0, 100, 0));
  /* A shared lock denies writes to every handle, its own too. */
  OVERLAPPED sh = at(100, 0);
  assert_true(LockFileEx(a, LOCKFILE_FAIL_IMMEDIATELY, 0, 100, 0, &sh));
  expect_error(io_at(a, 120, 10, true), ERROR_LOCK_VIOLATION);
  expect_error(io_at(b, 120, 10, true), ERROR_LOCK_VIOLATION);
  assert_true(io_at(a, 120, 10, false));
  assert_true(io_at(b, 120, 10, false));
  assert_true(UnlockFileEx(a, 0, 100, 0, &sh));
  assert_true(io_at(b, 120, 10, true));
  assert_true(CloseHandle(c));
  assert_true(CloseHandle(a));
  assert_true(CloseHandle(b));
  w_expect_nothing(port, 20);
  assert_true(CloseHandle(port));
  assert_true(DeleteFileA(path));
}

static void close_releases_the_handles_locks(void **state) {
  (void)state;
  char path[512];
  HANDLE a, b;
  two_handles(path, sizeof(path), "w32l-close", &a, &b, FILE_ATTRIBUTE_NORMAL);
  assert_true(LockFile(a, 0, 0, 10, 0));
  OVERLAPPED ov = at(20, 0);
  assert_true(LockFileEx(a, LOCKFILE_FAIL_IMMEDIATELY, 0, 10, 0, &ov));
  expect_error(LockFile(b, 5, 0, 1, 0), ERROR_LOCK_VIOLATION);
  expect_error(LockFile(b, 25, 0, 1, 0), ERROR_LOCK_VIOLATION);
  assert_true(CloseHandle(a));
  assert_true(LockFile(b, 0, 0, 30, 0));
  assert_true(UnlockFile(b, 0, 0, 30, 0));
  assert_true(CloseHandle(b));
  assert_true(DeleteFileA(path));
}

/* A plain handle's LockFileEx without LOCKFILE_FAIL_IMMEDIATELY waits in
 * the call until the lock is granted. */
static DWORD WINAPI unlock_later(LPVOID arg) {
  Sleep(100);
  return UnlockFile((HANDLE)arg, 0, 0, 10, 0) ? 0 : 1;
}

static void plain_handle_waits_in_the_call(void **state) {
  (void)state;
  char path[512];
  HANDLE a, b;
  two_handles(path, sizeof(path), "w32l-plain-wait", &a, &b,
              FILE_ATTRIBUTE_NORMAL);
  assert_true(LockFile(a, 0, 0, 10, 0));
  HANDLE t = CreateThread(NULL, 0, unlock_later, a, 0, NULL);
  assert_non_null(t);
  OVERLAPPED ov = at(5, 0);
  ULONGLONG t0 = w_now_ms();
  assert_true(LockFileEx(b, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ov));
  assert_true(w_now_ms() - t0 >= 50);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  DWORD code = 1;
  assert_true(GetExitCodeThread(t, &code));
  assert_int_equal(code, 0);
  assert_true(CloseHandle(t));
  expect_error(LockFile(a, 5, 0, 1, 0), ERROR_LOCK_VIOLATION);
  assert_true(UnlockFileEx(b, 0, 1, 0, &ov));
  assert_true(CloseHandle(a));
  assert_true(CloseHandle(b));
  assert_true(DeleteFileA(path));
}

static void overlapped_lock_granted_at_once(void **state) {
  (void)state;
  char path[512];
  HANDLE a, b;
  two_handles(path, sizeof(path), "w32l-at-once", &a, &b, FILE_FLAG_OVERLAPPED);
  HANDLE port = w_port(0);
  assert_ptr_equal(CreateIoCompletionPort(b, port, 11, 0), port);
  /* Granted in the call: TRUE, and its packet still comes. */
  OVERLAPPED ov = at(0, 0);
  assert_true(LockFileEx(b, LOCKFILE_EXCLUSIVE_LOCK, 0, 10, 0, &ov));
  DWORD bytes = 99;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  if (h_on_wine() &&
      !GetQueuedCompletionStatus(port, &bytes, &key, &got, 1000) &&
      got == NULL && GetLastError() == WAIT_TIMEOUT) {
    assert_true(UnlockFileEx(b, 0, 10, 0, &ov));
    CloseHandle(a);
    CloseHandle(b);
    CloseHandle(port);
    DeleteFileA(path);
    H_SKIP(W_WINE_NO_LOCK_PACKET);
  }
  if (got == NULL)
    assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(key, 11);
  assert_int_equal(bytes, 0);
  assert_true(HasOverlappedIoCompleted(&ov));
  DWORD n = 99;
  assert_true(GetOverlappedResult(b, &ov, &n, FALSE));
  assert_int_equal(n, 0);
  /* LOCKFILE_FAIL_IMMEDIATELY against a's lock: fails at once, no
   * packet. */
  assert_true(LockFile(a, 100, 0, 10, 0));
  OVERLAPPED ov2 = at(105, 0);
  expect_error(LockFileEx(b, LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov2),
               ERROR_LOCK_VIOLATION);
  w_expect_nothing(port, 50);
  /* The unlock ends in its call: no packet. */
  assert_true(UnlockFileEx(b, 0, 10, 0, &ov));
  w_expect_nothing(port, 50);
  /* Skip-on-success mode: no packet for a lock granted at once; its
   * event is still set. */
  assert_true(SetFileCompletionNotificationModes(
      b, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  OVERLAPPED ov3 = at(200, 0);
  ov3.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(ov3.hEvent);
  assert_true(LockFileEx(b, 0, 0, 10, 0, &ov3));
  assert_int_equal(WaitForSingleObject(ov3.hEvent, 0), WAIT_OBJECT_0);
  w_expect_nothing(port, 50);
  assert_true(UnlockFileEx(b, 0, 10, 0, &ov3));
  assert_true(CloseHandle(ov3.hEvent));
  assert_true(UnlockFile(a, 100, 0, 10, 0));
  assert_true(CloseHandle(a));
  assert_true(CloseHandle(b));
  w_expect_nothing(port, 20);
  assert_true(CloseHandle(port));
  assert_true(DeleteFileA(path));
}

static void overlapped_lock_waits_for_its_range(void **state) {
  (void)state;
  char path[512];
  HANDLE a, b;
  two_handles(path, sizeof(path), "w32l-waits", &a, &b, FILE_FLAG_OVERLAPPED);
  HANDLE port = w_port(0);
  assert_ptr_equal(CreateIoCompletionPort(b, port, 12, 0), port);
  assert_true(LockFile(a, 0, 0, 100, 0));
  OVERLAPPED ov = at(50, 0);
  expect_error(LockFileEx(b, LOCKFILE_EXCLUSIVE_LOCK, 0, 100, 0, &ov),
               ERROR_IO_PENDING);
  skip_if_wine_never_grants(a, b, port, path, 0, 100);
  /* Another waiting lock on b, on a range of its own, is not held up
   * behind the first. */
  assert_true(LockFile(a, 1000, 0, 10, 0));
  OVERLAPPED ov2 = at(1000, 0);
  expect_error(LockFileEx(b, 0, 0, 10, 0, &ov2), ERROR_IO_PENDING);
  DWORD n = 0;
  expect_error(GetOverlappedResult(b, &ov, &n, FALSE), ERROR_IO_INCOMPLETE);
  assert_false(HasOverlappedIoCompleted(&ov));
  w_expect_nothing(port, 50);
  assert_true(UnlockFile(a, 1000, 0, 10, 0));
  DWORD bytes = 99;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov2);
  assert_int_equal(key, 12);
  assert_int_equal(bytes, 0);
  assert_false(HasOverlappedIoCompleted(&ov));
  /* Granted once a lets go: the packet, with its key and OVERLAPPED. */
  assert_true(UnlockFile(a, 0, 0, 100, 0));
  assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(key, 12);
  assert_true(GetOverlappedResult(b, &ov, &n, FALSE));
  /* b holds 50..150 now. */
  expect_error(LockFile(a, 149, 0, 1, 0), ERROR_LOCK_VIOLATION);
  assert_true(UnlockFileEx(b, 0, 100, 0, &ov));
  assert_true(UnlockFileEx(b, 0, 10, 0, &ov2));
  assert_true(LockFile(a, 0, 0, 2000, 0));
  assert_true(UnlockFile(a, 0, 0, 2000, 0));
  assert_true(CloseHandle(a));
  assert_true(CloseHandle(b));
  w_expect_nothing(port, 20);
  assert_true(CloseHandle(port));
  assert_true(DeleteFileA(path));
}

/* A handle on no port: the waiting lock ends on its event, and
 * GetOverlappedResult waits for it. */
static void waiting_lock_signals_its_event(void **state) {
  (void)state;
  char path[512];
  HANDLE a, b;
  two_handles(path, sizeof(path), "w32l-event", &a, &b, FILE_FLAG_OVERLAPPED);
  assert_true(LockFile(a, 0, 0, 10, 0));
  OVERLAPPED ov = at(0, 0);
  ov.hEvent = CreateEventA(NULL, TRUE, TRUE, NULL);
  assert_non_null(ov.hEvent);
  expect_error(LockFileEx(b, 0, 0, 10, 0, &ov), ERROR_IO_PENDING);
  skip_if_wine_never_grants(a, b, ov.hEvent, path, 0, 10);
  /* Reset as the op started. */
  assert_int_equal(WaitForSingleObject(ov.hEvent, 50), WAIT_TIMEOUT);
  assert_true(UnlockFile(a, 0, 0, 10, 0));
  assert_int_equal(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
  DWORD n = 99;
  assert_true(GetOverlappedResult(b, &ov, &n, TRUE));
  assert_int_equal(n, 0);
  expect_error(LockFile(a, 0, 0, 1, 0), ERROR_LOCK_VIOLATION);
  assert_true(UnlockFileEx(b, 0, 10, 0, &ov));
  assert_true(CloseHandle(ov.hEvent));
  assert_true(CloseHandle(a));
  assert_true(CloseHandle(b));
  assert_true(DeleteFileA(path));
}

static void cancel_and_close_abort_a_waiting_lock(void **state) {
  (void)state;
  char path[512];
  HANDLE a, b;
  two_handles(path, sizeof(path), "w32l-cancel", &a, &b, FILE_FLAG_OVERLAPPED);
  HANDLE port = w_port(0);
  assert_ptr_equal(CreateIoCompletionPort(b, port, 13, 0), port);
  assert_true(LockFile(a, 0, 0, 10, 0));
  OVERLAPPED ov = at(0, 0);
  expect_error(LockFileEx(b, LOCKFILE_EXCLUSIVE_LOCK, 0, 10, 0, &ov),
               ERROR_IO_PENDING);
  skip_if_wine_never_grants(a, b, port, path, 0, 10);
  /* CancelIoEx: the packet brings ERROR_OPERATION_ABORTED. */
  assert_true(CancelIoEx(b, &ov));
  DWORD bytes = 99;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  assert_false(GetQueuedCompletionStatus(port, &bytes, &key, &got, 5000));
  assert_int_equal(GetLastError(), ERROR_OPERATION_ABORTED);
  assert_ptr_equal(got, &ov);
  assert_int_equal(key, 13);
  DWORD n = 0;
  expect_error(GetOverlappedResult(b, &ov, &n, FALSE), ERROR_OPERATION_ABORTED);
  /* CancelIo: the calling thread's. */
  expect_error(LockFileEx(b, 0, 0, 10, 0, &ov), ERROR_IO_PENDING);
  assert_true(CancelIo(b));
  assert_false(GetQueuedCompletionStatus(port, &bytes, &key, &got, 5000));
  assert_int_equal(GetLastError(), ERROR_OPERATION_ABORTED);
  assert_ptr_equal(got, &ov);
  /* A cancelled lock was never granted: a unlocks and locks again. */
  assert_true(UnlockFile(a, 0, 0, 10, 0));
  assert_true(LockFile(a, 0, 0, 10, 0));
  /* CloseHandle ends the waiting lock too. */
  expect_error(LockFileEx(b, 0, 0, 5, 0, &ov), ERROR_IO_PENDING);
  assert_true(CloseHandle(b));
  assert_false(GetQueuedCompletionStatus(port, &bytes, &key, &got, 5000));
  assert_int_equal(GetLastError(), ERROR_OPERATION_ABORTED);
  assert_ptr_equal(got, &ov);
  assert_true(UnlockFile(a, 0, 0, 10, 0));
  assert_true(CloseHandle(a));
  w_expect_nothing(port, 50);
  assert_true(CloseHandle(port));
  assert_true(DeleteFileA(path));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(conflicts_between_two_handles),
      cmocka_unit_test(shared_locks),
      cmocka_unit_test(shared_over_own_exclusive),
      cmocka_unit_test(locks_are_mandatory),
      cmocka_unit_test(close_releases_the_handles_locks),
      cmocka_unit_test(plain_handle_waits_in_the_call),
      cmocka_unit_test(overlapped_lock_granted_at_once),
      cmocka_unit_test(overlapped_lock_waits_for_its_range),
      cmocka_unit_test(waiting_lock_signals_its_event),
      cmocka_unit_test(cancel_and_close_abort_a_waiting_lock),
  };
  return W_RUN("win32-filelocks", tests);
}
