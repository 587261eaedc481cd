/*
 * test-win32-dirwatch.c - ReadDirectoryChangesW against the Win32 API:
 * records (actions, names, byte counts), subtrees, filters, changes kept
 * between calls, overflow, a port, events, routines, synchronous calls,
 * cancel, close and bad arguments.
 */
#include <stddef.h>

#include "win32-util.h"

#define WAIT_MS 5000u

struct rec {
  DWORD action;
  char name[128];
};

static HANDLE open_dir(const char *path, bool overlapped) {
  HANDLE h = CreateFileA(path, FILE_LIST_DIRECTORY,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, OPEN_EXISTING,
                         FILE_FLAG_BACKUP_SEMANTICS |
                             (overlapped ? FILE_FLAG_OVERLAPPED : 0u),
                         NULL);
  assert_true(h != INVALID_HANDLE_VALUE);
  return h;
}

/* Creates dir\name (empty); writes len bytes into it. */
static void touch(const char *dir, const char *name) {
  char p[512];
  w_path_in(p, sizeof(p), dir, name);
  HANDLE f = CreateFileA(p, GENERIC_WRITE, 0, NULL, CREATE_NEW,
                         FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  assert_true(CloseHandle(f));
}

static void write_to(const char *dir, const char *name, DWORD len) {
  char p[512];
  w_path_in(p, sizeof(p), dir, name);
  HANDLE f = CreateFileA(p, GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                         FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  DWORD n = 0;
  assert_true(WriteFile(f, "0123456789abcdef", len, &n, NULL));
  assert_int_equal(n, len);
  assert_true(CloseHandle(f));
}

static void remove_in(const char *dir, const char *name, bool is_dir) {
  char p[512];
  w_path_in(p, sizeof(p), dir, name);
  if (is_dir)
    assert_true(RemoveDirectoryA(p));
  else
    assert_true(DeleteFileA(p));
}

static void mkdir_in(const char *dir, const char *name) {
  char p[512];
  w_path_in(p, sizeof(p), dir, name);
  assert_true(CreateDirectoryA(p, NULL));
}

static void rename_in(const char *dir, const char *from, const char *to) {
  char a[512], b[512];
  w_path_in(a, sizeof(a), dir, from);
  w_path_in(b, sizeof(b), dir, to);
  assert_true(MoveFileA(a, b));
}

/* Makes (or removes) 12 files whose records need more than 128 bytes. */
static void many(const char *dir, bool make) {
  char name[32];
  for (int i = 0; i < 12; i++) {
    snprintf(name, sizeof(name), "overflowing-name-%02d", i);
    if (make)
      touch(dir, name);
    else
      remove_in(dir, name, false);
  }
  Sleep(100);
}

/* The bytes of one record naming n characters, and the room it takes
 * before the next one (DWORD-aligned). */
static DWORD rec_bytes(size_t n) {
  return (DWORD)(offsetof(FILE_NOTIFY_INFORMATION, FileName) +
                 n * sizeof(WCHAR));
}
static DWORD rec_size(size_t n) {
  return (rec_bytes(n) + 3u) & ~3u;
}

/* Parses bytes of records into out (appended at *n): checks their
 * alignment, their chain and its end. */
static void parse(const void *buf, DWORD bytes, struct rec *out, int *n,
                  int max) {
  const char *p = buf;
  DWORD off = 0;
  for (;;) {
    assert_true(off % 4u == 0);
    assert_true(off + offsetof(FILE_NOTIFY_INFORMATION, FileName) <= bytes);
    const FILE_NOTIFY_INFORMATION *r =
        (const FILE_NOTIFY_INFORMATION *)(const void *)(p + off);
    assert_true(*n < max);
    size_t chars = r->FileNameLength / sizeof(WCHAR);
    assert_true(chars > 0 && chars < sizeof(out[0].name));
    assert_true(off + rec_bytes(chars) <= bytes);
    out[*n].action = r->Action;
    for (size_t i = 0; i < chars; i++)
      out[*n].name[i] = (char)r->FileName[i];
    out[*n].name[chars] = '\0';
    (*n)++;
    if (r->NextEntryOffset == 0) {
      assert_true(bytes == off + rec_bytes(chars) || /* (padded or not) */
                  bytes == off + rec_size(chars));
      return;
    }
    if (r->NextEntryOffset % 4u != 0 && h_on_wine())
      H_SKIP("known Wine difference: records are not DWORD-aligned; see "
             "docs/windows.md");
    assert_true(r->NextEntryOffset >= rec_size(chars));
    off += r->NextEntryOffset;
  }
}

static void expect_rec(const struct rec *r, DWORD action, const char *name) {
  if (r->action != action || strcmp(r->name, name) != 0)
    fail_msg("record %u \"%s\", want %u \"%s\"", (unsigned)r->action, r->name,
             (unsigned)action, name);
}

/* call fails with err. */
#define FAILS_WITH(call, err)                                              \
  do {                                                                     \
    BOOL ok_ = (call);                                                     \
    DWORD e_ = GetLastError();                                             \
    if (ok_ || e_ != (err))                                                \
      fail_msg("%s: %d, error %u, want %u", #call, (int)ok_, (unsigned)e_, \
               (unsigned)(err));                                           \
  } while (0)

static _Alignas(8) char g_buf[4096];

/* Starts an overlapped call on h with a zeroed ov. */
static void start(HANDLE h, OVERLAPPED *ov, void *buf, DWORD len, BOOL subtree,
                  DWORD filter) {
  memset(ov, 0, sizeof(*ov));
  assert_true(
      ReadDirectoryChangesW(h, buf, len, subtree, filter, NULL, ov, NULL));
}

/* The next packet, ov's (key 7): its records (in buf) appended to out;
 * returns its byte count. */
static DWORD take(HANDLE port, OVERLAPPED *ov, const void *buf, struct rec *out,
                  int *n, int max) {
  DWORD bytes = 99;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &bytes, &key, &got, WAIT_MS));
  assert_ptr_equal(got, ov);
  assert_int_equal(key, 7);
  assert_true(HasOverlappedIoCompleted(ov));
  if (bytes > 0 && max > 0)
    parse(buf, bytes, out, n, max);
  return bytes;
}

/* One overlapped call on h (on port), waited for: as take. */
static DWORD one_call(HANDLE h, HANDLE port, BOOL subtree, DWORD filter,
                      struct rec *out, int *n, int max) {
  OVERLAPPED ov;
  start(h, &ov, g_buf, sizeof(g_buf), subtree, filter);
  return take(port, &ov, g_buf, out, n, max);
}

/* Calls until want records came (each call may return a part). */
static void gather(HANDLE h, HANDLE port, BOOL subtree, DWORD filter,
                   struct rec *out, int want) {
  int n = 0;
  while (n < want)
    assert_true(one_call(h, port, subtree, filter, out, &n, want) > 0);
  assert_int_equal(n, want);
}

/* A pending call on h ends with CancelIoEx (ov NULL: CancelIo, this
 * thread's calls); its packet is taken. */
static void cancel_pending(HANDLE h, HANDLE port, OVERLAPPED *ov) {
  assert_true(ov != NULL ? CancelIoEx(h, ov) : CancelIo(h));
  DWORD bytes = 1;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  assert_false(w_next(port, &bytes, &key, &got, WAIT_MS));
  assert_true(got != NULL && (ov == NULL || got == ov));
  assert_int_equal(GetLastError(), ERROR_OPERATION_ABORTED);
  assert_int_equal(bytes, 0);
}

static HANDLE dir_on_port(const char *dir, HANDLE *port) {
  HANDLE h = open_dir(dir, true);
  *port = w_port(1);
  assert_ptr_equal(CreateIoCompletionPort(h, *port, 7, 0), *port);
  return h;
}

/* The end of a test: nothing more came; the port closes. */
static void finish(HANDLE h, HANDLE port, const char *dir) {
  if (h != NULL)
    assert_true(CloseHandle(h));
  w_expect_nothing(port, 50);
  assert_true(CloseHandle(port));
  assert_true(RemoveDirectoryA(dir));
}

/* ------------------------------------------------------------------------ */
/* Records                                                                   */
/* ------------------------------------------------------------------------ */

static void names_in_the_directory(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "dw-names");
  HANDLE port;
  HANDLE h = dir_on_port(dir, &port);
  DWORD f = FILE_NOTIFY_CHANGE_FILE_NAME;
  struct rec r[4];
  int n = 0;
  OVERLAPPED ov;
  start(h, &ov, g_buf, sizeof(g_buf), FALSE, f);
  w_expect_nothing(port, 100); /* pending until a change */
  assert_false(HasOverlappedIoCompleted(&ov));
  touch(dir, "a.txt");
  DWORD bytes = take(port, &ov, g_buf, r, &n, 4); /* "a.txt" */
  assert_true(bytes == rec_bytes(5) || bytes == rec_size(5));
  expect_rec(&r[0], FILE_ACTION_ADDED, "a.txt");
  /* A rename: its old name, then its new one, in one call's records. */
  rename_in(dir, "a.txt", "bb.txt");
  n = 0;
  gather(h, port, FALSE, f, r, 2);
  expect_rec(&r[0], FILE_ACTION_RENAMED_OLD_NAME, "a.txt");
  expect_rec(&r[1], FILE_ACTION_RENAMED_NEW_NAME, "bb.txt");
  remove_in(dir, "bb.txt", false);
  gather(h, port, FALSE, f, r, 1);
  expect_rec(&r[0], FILE_ACTION_REMOVED, "bb.txt");
  finish(h, port, dir);
}

static void writes_are_modifications(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "dw-writes");
  touch(dir, "w.bin"); /* before the first call: not reported */
  HANDLE port;
  HANDLE h = dir_on_port(dir, &port);
  DWORD f = FILE_NOTIFY_CHANGE_SIZE;
  struct rec r[8];
  int n = 0;
  OVERLAPPED ov;
  start(h, &ov, g_buf, sizeof(g_buf), FALSE, f);
  write_to(dir, "w.bin", 10);
  take(port, &ov, g_buf, r, &n, 8);
  for (int i = 0; i < n; i++) /* (a write may be told more than once) */
    expect_rec(&r[i], FILE_ACTION_MODIFIED, "w.bin");
  remove_in(dir, "w.bin", false); /* a name change: not in this filter */
  start(h, &ov, g_buf, sizeof(g_buf), FALSE, f);
  w_expect_nothing(port, 200);
  cancel_pending(h, port, &ov);
  finish(h, port, dir);
}

static void filters_choose_files_or_directories(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "dw-filters");
  HANDLE port;
  HANDLE hd = dir_on_port(dir, &port);
  HANDLE hf = open_dir(dir, true), port2 = w_port(1);
  assert_ptr_equal(CreateIoCompletionPort(hf, port2, 7, 0), port2);
  struct rec r[4];
  OVERLAPPED od, of;
  static _Alignas(8) char fbuf[1024];
  start(hd, &od, g_buf, sizeof(g_buf), FALSE, FILE_NOTIFY_CHANGE_DIR_NAME);
  start(hf, &of, fbuf, sizeof(fbuf), FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
  mkdir_in(dir, "d1");
  touch(dir, "f1");
  mkdir_in(dir, "d2");
  touch(dir, "f2");
  /* Each handle tells its own kind, in order, over one or more calls. */
  struct rec rd[4], rf[4];
  int nd = 0, nf = 0;
  while (nd < 2) {
    assert_true(take(port, &od, g_buf, rd, &nd, 2) > 0);
    if (nd < 2)
      start(hd, &od, g_buf, sizeof(g_buf), FALSE, FILE_NOTIFY_CHANGE_DIR_NAME);
  }
  while (nf < 2) {
    assert_true(take(port2, &of, fbuf, rf, &nf, 2) > 0);
    if (nf < 2)
      start(hf, &of, fbuf, sizeof(fbuf), FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
  }
  expect_rec(&rd[0], FILE_ACTION_ADDED, "d1");
  expect_rec(&rd[1], FILE_ACTION_ADDED, "d2");
  expect_rec(&rf[0], FILE_ACTION_ADDED, "f1");
  expect_rec(&rf[1], FILE_ACTION_ADDED, "f2");
  assert_true(CloseHandle(hf));
  w_expect_nothing(port2, 50);
  assert_true(CloseHandle(port2));
  remove_in(dir, "f1", false);
  remove_in(dir, "f2", false);
  remove_in(dir, "d1", true);
  gather(hd, port, FALSE, FILE_NOTIFY_CHANGE_DIR_NAME, r, 1);
  expect_rec(&r[0], FILE_ACTION_REMOVED, "d1");
  remove_in(dir, "d2", true);
  finish(hd, port, dir);
}

static void changes_between_calls_are_kept(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "dw-between");
  HANDLE port;
  HANDLE h = dir_on_port(dir, &port);
  DWORD f = FILE_NOTIFY_CHANGE_FILE_NAME;
  struct rec r[4];
  int n = 0;
  touch(dir, "before"); /* before the first call: never reported */
  OVERLAPPED ov;
  start(h, &ov, g_buf, sizeof(g_buf), FALSE, f);
  touch(dir, "x1");
  take(port, &ov, g_buf, r, &n, 4);
  assert_int_equal(n, 1);
  expect_rec(&r[0], FILE_ACTION_ADDED, "x1");
  /* No call pending: the handle keeps them for the next one. */
  touch(dir, "x2");
  touch(dir, "x3");
  remove_in(dir, "x2", false);
  Sleep(100);
  n = 0;
  DWORD bytes = one_call(h, port, FALSE, f, r, &n, 4);
  assert_int_equal(n, 3);
  assert_int_equal(bytes, 2 * rec_size(2) + rec_bytes(2));
  expect_rec(&r[0], FILE_ACTION_ADDED, "x2");
  expect_rec(&r[1], FILE_ACTION_ADDED, "x3");
  expect_rec(&r[2], FILE_ACTION_REMOVED, "x2");
  remove_in(dir, "x1", false);
  remove_in(dir, "x3", false);
  remove_in(dir, "before", false);
  finish(h, port, dir);
}

static void overflow_gives_zero_bytes(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "dw-overflow");
  HANDLE port;
  HANDLE h = dir_on_port(dir, &port);
  DWORD f = FILE_NOTIFY_CHANGE_FILE_NAME;
  struct rec r[4];
  int n = 0;
  /* The first call's buffer (128 bytes) is the handle's from now on. */
  OVERLAPPED ov;
  static _Alignas(8) char small[128], tiny[16];
  start(h, &ov, small, sizeof(small), FALSE, f);
  touch(dir, "first");
  take(port, &ov, small, r, &n, 4);
  expect_rec(&r[0], FILE_ACTION_ADDED, "first");
  /* Records that do not fit the caller's buffer: 0 bytes. */
  touch(dir, "a-name-longer-than-the-buffer");
  start(h, &ov, tiny, sizeof(tiny), FALSE, f);
  assert_int_equal(take(port, &ov, tiny, r, &n, 4), 0);
  remove_in(dir, "a-name-longer-than-the-buffer", false);
  /* More than 128 bytes of records with no call pending: all lost. */
  many(dir, true);
  start(h, &ov, g_buf, sizeof(g_buf), FALSE, f);
  DWORD bytes = take(port, &ov, g_buf, r, &n, 0);
  if (bytes != 0 && h_on_wine())
    H_SKIP("known Wine difference: the changes kept between calls are not "
           "bounded by the first call's buffer; see docs/windows.md");
  assert_int_equal(bytes, 0);
  /* After it, changes are told again. */
  remove_in(dir, "first", false);
  n = 0;
  gather(h, port, FALSE, f, r, 1);
  expect_rec(&r[0], FILE_ACTION_REMOVED, "first");
  many(dir, false);
  finish(h, port, dir);
}

static void subtree_names(void **state) {
  (void)state;
  char dir[512], sub[512];
  w_make_dir(dir, sizeof(dir), "dw-subtree");
  mkdir_in(dir, "pre");
  w_path_in(sub, sizeof(sub), dir, "pre");
  HANDLE port;
  HANDLE h = dir_on_port(dir, &port);
  DWORD f = FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME;
  struct rec r[4];
  int n = 0;
  OVERLAPPED ov;
  start(h, &ov, g_buf, sizeof(g_buf), TRUE, f);
  touch(sub, "f1");
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  if (!GetQueuedCompletionStatus(port, &bytes, &key, &got, WAIT_MS) &&
      got == NULL && h_on_wine()) {
    cancel_pending(h, port, &ov);
    H_SKIP("known Wine difference: a subtree's changes below the top are "
           "not told; see docs/windows.md");
  }
  assert_ptr_equal(got, &ov);
  parse(g_buf, bytes, r, &n, 4);
  assert_int_equal(n, 1);
  expect_rec(&r[0], FILE_ACTION_ADDED, "pre\\f1");
  /* A directory made after the first call is watched too. */
  mkdir_in(dir, "new");
  gather(h, port, TRUE, f, r, 1);
  expect_rec(&r[0], FILE_ACTION_ADDED, "new");
  char sub2[512];
  w_path_in(sub2, sizeof(sub2), dir, "new");
  touch(sub2, "f2");
  gather(h, port, TRUE, f, r, 1);
  expect_rec(&r[0], FILE_ACTION_ADDED, "new\\f2");
  rename_in(sub2, "f2", "g2");
  gather(h, port, TRUE, f, r, 2);
  expect_rec(&r[0], FILE_ACTION_RENAMED_OLD_NAME, "new\\f2");
  expect_rec(&r[1], FILE_ACTION_RENAMED_NEW_NAME, "new\\g2");
  remove_in(sub2, "g2", false);
  gather(h, port, TRUE, f, r, 1);
  expect_rec(&r[0], FILE_ACTION_REMOVED, "new\\g2");
  assert_true(CloseHandle(h));
  /* Without the subtree, changes below are not told. */
  h = open_dir(dir, true);
  assert_ptr_equal(CreateIoCompletionPort(h, port, 7, 0), port);
  start(h, &ov, g_buf, sizeof(g_buf), FALSE, f);
  remove_in(sub, "f1", false);
  w_expect_nothing(port, 200);
  remove_in(dir, "new", true);
  n = 0;
  take(port, &ov, g_buf, r, &n, 4);
  assert_int_equal(n, 1);
  expect_rec(&r[0], FILE_ACTION_REMOVED, "new");
  remove_in(dir, "pre", true);
  finish(h, port, dir);
}

/* ------------------------------------------------------------------------ */
/* How a call ends                                                           */
/* ------------------------------------------------------------------------ */

static void event_and_low_bit(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "dw-event");
  /* A handle on no port: the event tells, GetOverlappedResult reads. */
  HANDLE h = open_dir(dir, true);
  HANDLE ev = CreateEvent(NULL, TRUE, FALSE, NULL);
  assert_non_null(ev);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = ev;
  DWORD f = FILE_NOTIFY_CHANGE_FILE_NAME;
  assert_true(ReadDirectoryChangesW(h, g_buf, sizeof(g_buf), FALSE, f, NULL,
                                    &ov, NULL));
  DWORD bytes = 7;
  assert_false(GetOverlappedResult(h, &ov, &bytes, FALSE));
  assert_int_equal(GetLastError(), ERROR_IO_INCOMPLETE);
  touch(dir, "e1");
  assert_int_equal(WaitForSingleObject(ev, WAIT_MS), WAIT_OBJECT_0);
  assert_true(HasOverlappedIoCompleted(&ov));
  assert_true(GetOverlappedResult(h, &ov, &bytes, TRUE));
  assert_int_equal(bytes, rec_bytes(2));
  struct rec r[2];
  int n = 0;
  parse(g_buf, bytes, r, &n, 2);
  expect_rec(&r[0], FILE_ACTION_ADDED, "e1");
  assert_true(CloseHandle(h));
  /* On a port, an event with bit 0 set: the event, and no packet. */
  HANDLE port;
  h = dir_on_port(dir, &port);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = (HANDLE)((ULONG_PTR)ev | 1);
  assert_true(ResetEvent(ev));
  assert_true(ReadDirectoryChangesW(h, g_buf, sizeof(g_buf), FALSE, f, NULL,
                                    &ov, NULL));
  remove_in(dir, "e1", false);
  assert_int_equal(WaitForSingleObject(ev, WAIT_MS), WAIT_OBJECT_0);
  assert_true(GetOverlappedResult(h, &ov, &bytes, FALSE));
  n = 0;
  parse(g_buf, bytes, r, &n, 2);
  expect_rec(&r[0], FILE_ACTION_REMOVED, "e1");
  w_expect_nothing(port, 100);
  assert_true(CloseHandle(ev));
  finish(h, port, dir);
}

static DWORD g_routine_err, g_routine_bytes;
static OVERLAPPED *g_routine_ov;
static int g_routine_runs;

static void WINAPI routine(DWORD err, DWORD bytes, LPOVERLAPPED ov) {
  g_routine_err = err;
  g_routine_bytes = bytes;
  g_routine_ov = ov;
  g_routine_runs++;
}

static void completion_routine(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "dw-routine");
  HANDLE h = open_dir(dir, true);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  DWORD f = FILE_NOTIFY_CHANGE_FILE_NAME;
  g_routine_runs = 0;
  assert_true(ReadDirectoryChangesW(h, g_buf, sizeof(g_buf), FALSE, f, NULL,
                                    &ov, routine));
  touch(dir, "r1");
  assert_int_equal(SleepEx(WAIT_MS, TRUE), WAIT_IO_COMPLETION);
  assert_int_equal(g_routine_runs, 1);
  assert_int_equal(g_routine_err, 0);
  assert_ptr_equal(g_routine_ov, &ov);
  assert_int_equal(g_routine_bytes, rec_bytes(2));
  struct rec r[2];
  int n = 0;
  parse(g_buf, g_routine_bytes, r, &n, 2);
  expect_rec(&r[0], FILE_ACTION_ADDED, "r1");
  /* Cancelled: the routine runs with ERROR_OPERATION_ABORTED. */
  memset(&ov, 0, sizeof(ov));
  assert_true(ReadDirectoryChangesW(h, g_buf, sizeof(g_buf), FALSE, f, NULL,
                                    &ov, routine));
  assert_true(CancelIo(h));
  assert_int_equal(SleepEx(WAIT_MS, TRUE), WAIT_IO_COMPLETION);
  assert_int_equal(g_routine_runs, 2);
  assert_int_equal(g_routine_err, ERROR_OPERATION_ABORTED);
  assert_int_equal(g_routine_bytes, 0);
  assert_true(CloseHandle(h));
  remove_in(dir, "r1", false);
  assert_true(RemoveDirectoryA(dir));
}

struct later {
  const char *dir;
  const char *name;
};

static DWORD WINAPI touch_later(LPVOID arg) {
  const struct later *l = arg;
  Sleep(100);
  touch(l->dir, l->name);
  return 0;
}

static void synchronous_calls(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "dw-sync");
  HANDLE h = open_dir(dir, false);
  DWORD f = FILE_NOTIFY_CHANGE_FILE_NAME;
  struct later l = {dir, "s1"};
  HANDLE t = CreateThread(NULL, 0, touch_later, &l, 0, NULL);
  assert_non_null(t);
  DWORD bytes = 0;
  static _Alignas(8) char small[128];
  assert_true(ReadDirectoryChangesW(h, small, sizeof(small), FALSE, f, &bytes,
                                    NULL, NULL)); /* blocks until then */
  assert_int_equal(bytes, rec_bytes(2));
  struct rec r[2];
  int n = 0;
  parse(small, bytes, r, &n, 2);
  expect_rec(&r[0], FILE_ACTION_ADDED, "s1");
  assert_int_equal(WaitForSingleObject(t, WAIT_MS), WAIT_OBJECT_0);
  assert_true(CloseHandle(t));
  /* An overflow: the call fails with ERROR_NOTIFY_ENUM_DIR, 0 bytes. */
  many(dir, true);
  bytes = 99;
  FAILS_WITH(ReadDirectoryChangesW(h, small, sizeof(small), FALSE, f, &bytes,
                                   NULL, NULL),
             ERROR_NOTIFY_ENUM_DIR);
  assert_int_equal(bytes, 0);
  many(dir, false);
  remove_in(dir, "s1", false);
  assert_true(CloseHandle(h));
  assert_true(RemoveDirectoryA(dir));
}

static void cancel_and_close(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "dw-cancel");
  HANDLE port;
  HANDLE h = dir_on_port(dir, &port);
  DWORD f = FILE_NOTIFY_CHANGE_FILE_NAME;
  OVERLAPPED ov;
  start(h, &ov, g_buf, sizeof(g_buf), FALSE, f);
  cancel_pending(h, port, &ov);
  /* CancelIo: the calling thread's calls. */
  start(h, &ov, g_buf, sizeof(g_buf), FALSE, f);
  cancel_pending(h, port, NULL);
  touch(dir, "c1");
  struct rec r[2];
  gather(h, port, FALSE, f, r, 1);
  expect_rec(&r[0], FILE_ACTION_ADDED, "c1");
  /* CloseHandle under a pending call: it ends with success and 0 bytes
   * (STATUS_NOTIFY_CLEANUP). */
  start(h, &ov, g_buf, sizeof(g_buf), FALSE, f);
  assert_true(CloseHandle(h));
  DWORD bytes = 1;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &got, WAIT_MS);
  DWORD err = GetLastError();
  assert_ptr_equal(got, &ov);
  assert_int_equal(bytes, 0);
  remove_in(dir, "c1", false);
  finish(NULL, port, dir);
  if (!ok && h_on_wine())
    H_SKIP("known Wine difference: CloseHandle ends a pending "
           "ReadDirectoryChangesW with error %u (Windows: success, "
           "STATUS_NOTIFY_CLEANUP); see docs/windows.md",
           (unsigned)err);
  assert_true(ok);
}

/* ------------------------------------------------------------------------ */
/* Bad arguments                                                             */
/* ------------------------------------------------------------------------ */

static void bad_arguments(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "dw-bad");
  HANDLE h = open_dir(dir, true);
  DWORD f = FILE_NOTIFY_CHANGE_FILE_NAME;
  DWORD n = 0;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  FAILS_WITH(
      ReadDirectoryChangesW(h, g_buf, sizeof(g_buf), FALSE, 0, &n, &ov, NULL),
      ERROR_INVALID_PARAMETER);
  FAILS_WITH(ReadDirectoryChangesW(h, g_buf, sizeof(g_buf), FALSE, 0x1000u, &n,
                                   &ov, NULL),
             ERROR_INVALID_PARAMETER);
  FAILS_WITH(ReadDirectoryChangesW(NULL, g_buf, sizeof(g_buf), FALSE, f, &n,
                                   &ov, NULL),
             ERROR_INVALID_HANDLE);
  /* A directory's handle refuses ReadFile and WriteFile. */
  FAILS_WITH(ReadFile(h, g_buf, 16, &n, NULL), ERROR_INVALID_FUNCTION);
  FAILS_WITH(WriteFile(h, "x", 1, &n, NULL), ERROR_ACCESS_DENIED);
  /* Without FILE_FLAG_BACKUP_SEMANTICS a directory does not open. */
  assert_true(CreateFileA(dir, FILE_LIST_DIRECTORY, FILE_SHARE_READ, NULL,
                          OPEN_EXISTING, 0, NULL) == INVALID_HANDLE_VALUE);
  assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
  touch(dir, "file");
  HANDLE port = w_port(1);
  assert_ptr_equal(CreateIoCompletionPort(h, port, 7, 0), port);
#ifndef _WIN32
  /* ReadDirectoryChangesExW: the plain records only. */
  FAILS_WITH(ReadDirectoryChangesExW(h, g_buf, sizeof(g_buf), FALSE, f, NULL,
                                     &ov, NULL,
                                     ReadDirectoryNotifyExtendedInformation),
             ERROR_NOT_SUPPORTED);
  memset(&ov, 0, sizeof(ov));
  assert_true(ReadDirectoryChangesExW(h, g_buf, sizeof(g_buf), FALSE, f, NULL,
                                      &ov, NULL,
                                      ReadDirectoryNotifyInformation));
  remove_in(dir, "file", false);
  struct rec r[2];
  int got_n = 0;
  take(port, &ov, g_buf, r, &got_n, 2);
  expect_rec(&r[0], FILE_ACTION_REMOVED, "file");
#else
  remove_in(dir, "file", false);
#endif
  assert_true(CloseHandle(h));
  FAILS_WITH(
      ReadDirectoryChangesW(h, g_buf, sizeof(g_buf), FALSE, f, &n, NULL, NULL),
      ERROR_INVALID_HANDLE);
  finish(NULL, port, dir);
}

/* A call that should be refused, on an overlapped handle h: whether it
 * was, its error in *err. One taken is ended before its OVERLAPPED goes. */
static BOOL refused(HANDLE h, char *buf, LPOVERLAPPED_COMPLETION_ROUTINE fn,
                    DWORD *err) {
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  BOOL ok = ReadDirectoryChangesW(h, buf, 64, FALSE,
                                  FILE_NOTIFY_CHANGE_FILE_NAME, NULL, &ov, fn);
  *err = GetLastError();
  if (ok && CancelIoEx(h, &ov)) {
    DWORD n = 0;
    if (fn != NULL)
      SleepEx(WAIT_MS, TRUE);
    else
      assert_false(GetOverlappedResult(h, &ov, &n, TRUE));
  }
  return !ok;
}

static void refusals(void **state) {
  (void)state;
  char dir[512], file[512];
  w_make_dir(dir, sizeof(dir), "dw-refusals");
  touch(dir, "file");
  w_path_in(file, sizeof(file), dir, "file");
  HANDLE h = open_dir(dir, true);
  DWORD e[4];
  bool r[4];
  r[0] = refused(h, g_buf + 1, NULL, &e[0]) && e[0] == ERROR_NOACCESS;
  /* A file is no directory. */
  HANDLE fh =
      CreateFileA(file, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                  FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED, NULL);
  assert_true(fh != INVALID_HANDLE_VALUE);
  r[1] = refused(fh, g_buf, NULL, &e[1]) && e[1] == ERROR_INVALID_PARAMETER;
  assert_true(CloseHandle(fh));
  /* A directory opened without FILE_LIST_DIRECTORY. */
  HANDLE w = CreateFileA(
      dir, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
      OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED, NULL);
  assert_true(w != INVALID_HANDLE_VALUE);
  r[2] = refused(w, g_buf, NULL, &e[2]) && e[2] == ERROR_ACCESS_DENIED;
  assert_true(CloseHandle(w));
  /* A routine on a handle a port has. */
  HANDLE port = w_port(1);
  assert_ptr_equal(CreateIoCompletionPort(h, port, 7, 0), port);
  r[3] = refused(h, g_buf, routine, &e[3]) && e[3] == ERROR_INVALID_PARAMETER;
  assert_true(CloseHandle(h));
  remove_in(dir, "file", false);
  DWORD bytes;
  ULONG_PTR key;
  OVERLAPPED *got; /* (the packets of calls Wine took) */
  while (h_on_wine() &&
         (GetQueuedCompletionStatus(port, &bytes, &key, &got, 100) || got))
    continue;
  finish(NULL, port, dir);
  if (!(r[0] && r[1] && r[2] && r[3]) && h_on_wine())
    H_SKIP("known Wine difference: ReadDirectoryChangesW takes a buffer not "
           "DWORD-aligned (%u), a file (%u), a handle without "
           "FILE_LIST_DIRECTORY (%u), a routine on a port's handle (%u); "
           "see docs/windows.md",
           (unsigned)e[0], (unsigned)e[1], (unsigned)e[2], (unsigned)e[3]);
  assert_true(r[0] && r[1] && r[2] && r[3]);
}

/* The directory deleted: the pending call ends with ERROR_ACCESS_DENIED,
 * a new one is refused in the call, with no packet (no watcher spins). */
static void deleted_directory_refuses_calls(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "dw-deleted");
  HANDLE h = open_dir(dir, true), port = w_port(1);
  assert_ptr_equal(CreateIoCompletionPort(h, port, 7, 0), port);
  OVERLAPPED ov = {0}, *got = NULL;
  DWORD f = FILE_NOTIFY_CHANGE_FILE_NAME, n = 0;
  ULONG_PTR key = 0;
  assert_true(ReadDirectoryChangesW(h, g_buf, sizeof(g_buf), FALSE, f, NULL,
                                    &ov, NULL));
  assert_true(RemoveDirectoryA(dir));
  BOOL ok = GetQueuedCompletionStatus(port, &n, &key, &got, WAIT_MS);
  if (got == NULL && h_on_wine()) {
    CloseHandle(h);
    CloseHandle(port);
    H_SKIP("known Wine difference: a watched directory's deletion ends no "
           "ReadDirectoryChangesW; see docs/windows.md");
  }
  assert_true(!ok && got == &ov && GetLastError() == ERROR_ACCESS_DENIED);
  memset(&ov, 0, sizeof(ov));
  assert_false(ReadDirectoryChangesW(h, g_buf, sizeof(g_buf), FALSE, f, NULL,
                                     &ov, NULL));
  assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
  assert_true(CloseHandle(h));
  w_expect_nothing(port, 50);
  assert_true(CloseHandle(port));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(names_in_the_directory),
      cmocka_unit_test(writes_are_modifications),
      cmocka_unit_test(filters_choose_files_or_directories),
      cmocka_unit_test(changes_between_calls_are_kept),
      cmocka_unit_test(overflow_gives_zero_bytes),
      cmocka_unit_test(subtree_names),
      cmocka_unit_test(event_and_low_bit),
      cmocka_unit_test(completion_routine),
      cmocka_unit_test(synchronous_calls),
      cmocka_unit_test(cancel_and_close),
      cmocka_unit_test(bad_arguments),
      cmocka_unit_test(refusals),
      cmocka_unit_test(deleted_directory_refuses_calls),
  };
  return W_RUN("win32-dirwatch", tests);
}
