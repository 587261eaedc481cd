/*
 * test-win32-changenote.c - FindFirstChangeNotification,
 * FindNextChangeNotification and FindCloseChangeNotification against the
 * Win32 API: a handle that times out with nothing changed, is signalled
 * by a matching change and stays so until FindNextChangeNotification,
 * changes in between, subtrees, filters, several handles in one wait, a
 * second handle, close and errors.
 */
#include "win32-util.h"

#define WAIT_MS 5000u /* a change must signal within this */
#define QUIET_MS 300u /* nothing must signal within this */

/* Creates dir\name, empty. */
static void touch(const char *dir, const char *name) {
  char p[512];
  w_path_in(p, sizeof(p), dir, name);
  HANDLE f = CreateFileA(p, GENERIC_WRITE, 0, NULL, CREATE_NEW,
                         FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  assert_true(CloseHandle(f));
}

/* Appends a few bytes to dir\name. */
static void write_to(const char *dir, const char *name) {
  char p[512];
  w_path_in(p, sizeof(p), dir, name);
  HANDLE f = CreateFileA(p, GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                         FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  assert_true(SetFilePointer(f, 0, NULL, FILE_END) != INVALID_SET_FILE_POINTER);
  DWORD n = 0;
  assert_true(WriteFile(f, "0123456789", 10, &n, NULL));
  assert_int_equal(n, 10);
  assert_true(CloseHandle(f));
}

static void mkdir_in(const char *dir, const char *name) {
  char p[512];
  w_path_in(p, sizeof(p), dir, name);
  assert_true(CreateDirectoryA(p, NULL));
}

static HANDLE watch(const char *dir, BOOL subtree, DWORD filter) {
  HANDLE h = FindFirstChangeNotificationA(dir, subtree, filter);
  assert_true(h != INVALID_HANDLE_VALUE);
  assert_non_null(h);
  return h;
}

/* Macros, so that a failure names the line of the test. */
#define expect_signalled(h, ms) \
  assert_int_equal(WaitForSingleObject(h, ms), WAIT_OBJECT_0)
#define expect_quiet(h) \
  assert_int_equal(WaitForSingleObject(h, QUIET_MS), WAIT_TIMEOUT)

static void nothing_changed_times_out(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "cn-quiet");
  HANDLE h = watch(dir, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
  ULONGLONG t0 = w_now_ms();
  assert_int_equal(WaitForSingleObject(h, 200), WAIT_TIMEOUT);
  assert_true(w_now_ms() - t0 >= 150);
  assert_int_equal(WaitForSingleObject(h, 0), WAIT_TIMEOUT);
  assert_true(FindCloseChangeNotification(h));
  w_remove_tree(dir);
}

static void a_new_file_signals_until_next(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "cn-signal");
  HANDLE h = watch(dir, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
  touch(dir, "a");
  expect_signalled(h, WAIT_MS);
  /* A wait does not reset it: it stays signalled. */
  expect_signalled(h, 0);
  expect_signalled(h, 0);
  assert_true(FindNextChangeNotification(h));
  expect_quiet(h);
  /* The next change signals it again; so does a delete. */
  touch(dir, "b");
  expect_signalled(h, WAIT_MS);
  assert_true(FindNextChangeNotification(h));
  char p[512];
  w_path_in(p, sizeof(p), dir, "a");
  assert_true(DeleteFileA(p));
  expect_signalled(h, WAIT_MS);
  assert_true(FindNextChangeNotification(h));
  expect_quiet(h);
  assert_true(FindCloseChangeNotification(h));
  w_remove_tree(dir);
}

static void a_change_in_between_signals_at_once(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "cn-between");
  HANDLE h = watch(dir, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
  touch(dir, "a");
  expect_signalled(h, WAIT_MS);
  Sleep(50);
  /* Recorded while the handle was signalled: FindNextChangeNotification
   * finds it, and the wait is satisfied at once. */
  touch(dir, "b");
  Sleep(50);
  assert_true(FindNextChangeNotification(h));
  DWORD r = WaitForSingleObject(h, 0);
  if (r != WAIT_OBJECT_0 && h_on_wine()) {
    assert_true(FindCloseChangeNotification(h));
    w_remove_tree(dir);
    H_SKIP("known Wine difference: a change between the signal and "
           "FindNextChangeNotification is lost (Windows records it and "
           "the next wait is satisfied at once); see docs/windows.md");
  }
  assert_int_equal(r, WAIT_OBJECT_0);
  assert_true(FindNextChangeNotification(h));
  expect_quiet(h);
  /* Several changes in between: one signal. */
  touch(dir, "c");
  touch(dir, "d");
  touch(dir, "e");
  expect_signalled(h, WAIT_MS);
  Sleep(50);
  assert_true(FindNextChangeNotification(h));
  if (WaitForSingleObject(h, 0) == WAIT_OBJECT_0) /* d, e after c's */
    assert_true(FindNextChangeNotification(h));
  expect_quiet(h);
  assert_true(FindCloseChangeNotification(h));
  w_remove_tree(dir);
}

static void subtree_on_and_off(void **state) {
  (void)state;
  char dir[512], sub[512], sub2[512];
  w_make_dir(dir, sizeof(dir), "cn-tree");
  mkdir_in(dir, "sub");
  w_path_in(sub, sizeof(sub), dir, "sub");
  HANDLE flat = watch(dir, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
  HANDLE tree = watch(dir, TRUE, FILE_NOTIFY_CHANGE_FILE_NAME);
  touch(sub, "x");
  DWORD r = WaitForSingleObject(tree, WAIT_MS);
  if (r != WAIT_OBJECT_0 && h_on_wine()) {
    expect_quiet(flat);
    assert_true(FindCloseChangeNotification(flat));
    assert_true(FindCloseChangeNotification(tree));
    w_remove_tree(dir);
    H_SKIP("known Wine difference: bWatchSubtree does not report a change "
           "in a subdirectory; see docs/windows.md");
  }
  assert_int_equal(r, WAIT_OBJECT_0);
  expect_quiet(flat);
  assert_true(FindNextChangeNotification(tree));
  /* A directory made later is watched too; its making is no file name
   * change. */
  mkdir_in(dir, "sub2");
  expect_quiet(tree);
  w_path_in(sub2, sizeof(sub2), dir, "sub2");
  touch(sub2, "y");
  expect_signalled(tree, WAIT_MS);
  expect_quiet(flat);
  assert_true(FindNextChangeNotification(tree));
  /* A change in the directory itself signals both. */
  touch(dir, "z");
  expect_signalled(tree, WAIT_MS);
  expect_signalled(flat, WAIT_MS);
  assert_true(FindCloseChangeNotification(flat));
  assert_true(FindCloseChangeNotification(tree));
  w_remove_tree(dir);
}

static void filters(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "cn-filter");
  touch(dir, "f");
  HANDLE names = watch(dir, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
  HANDLE writes = watch(dir, FALSE, FILE_NOTIFY_CHANGE_LAST_WRITE);
  HANDLE dirs = watch(dir, FALSE, FILE_NOTIFY_CHANGE_DIR_NAME);
  /* A write: last write only. */
  write_to(dir, "f");
  expect_signalled(writes, WAIT_MS);
  expect_quiet(names);
  expect_quiet(dirs);
  assert_true(FindNextChangeNotification(writes));
  /* A directory: dir names only. */
  mkdir_in(dir, "d");
  expect_signalled(dirs, WAIT_MS);
  expect_quiet(names);
  assert_true(FindCloseChangeNotification(names));
  assert_true(FindCloseChangeNotification(writes));
  assert_true(FindCloseChangeNotification(dirs));
  w_remove_tree(dir);
}

static void several_handles_in_one_wait(void **state) {
  (void)state;
  char a[512], b[512];
  w_make_dir(a, sizeof(a), "cn-many-a");
  w_make_dir(b, sizeof(b), "cn-many-b");
  HANDLE hs[3];
  hs[0] = watch(a, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
  hs[1] = watch(b, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
  hs[2] = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(hs[2]);
  assert_int_equal(WaitForMultipleObjects(3, hs, FALSE, 100), WAIT_TIMEOUT);
  touch(b, "x");
  assert_int_equal(WaitForMultipleObjects(3, hs, FALSE, WAIT_MS),
                   WAIT_OBJECT_0 + 1);
  touch(a, "x");
  assert_int_equal(WaitForMultipleObjects(2, hs, TRUE, WAIT_MS), WAIT_OBJECT_0);
  assert_true(FindNextChangeNotification(hs[0]));
  assert_int_equal(WaitForMultipleObjectsEx(3, hs, FALSE, WAIT_MS, TRUE),
                   WAIT_OBJECT_0 + 1);
  assert_true(FindCloseChangeNotification(hs[0]));
  assert_true(FindCloseChangeNotification(hs[1]));
  assert_true(CloseHandle(hs[2]));
  w_remove_tree(a);
  w_remove_tree(b);
}

static void wide_path_and_close_handle(void **state) {
  (void)state;
  char dir[512];
  WCHAR wdir[512];
  w_make_dir(dir, sizeof(dir), "cn-wide");
  assert_true(MultiByteToWideChar(CP_UTF8, 0, dir, -1, wdir, 512) > 0);
  HANDLE h =
      FindFirstChangeNotificationW(wdir, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
  assert_true(h != INVALID_HANDLE_VALUE);
  touch(dir, "w");
  expect_signalled(h, WAIT_MS);
  /* CloseHandle closes one too. */
  assert_true(CloseHandle(h));
  w_remove_tree(dir);
}

static void a_second_handle(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "cn-dup");
  HANDLE h = watch(dir, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
  HANDLE d = NULL;
  assert_true(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &d,
                              0, FALSE, DUPLICATE_SAME_ACCESS));
  assert_true(FindCloseChangeNotification(h));
  /* The watch lives on with the second handle. */
  touch(dir, "x");
  expect_signalled(d, WAIT_MS);
  assert_true(FindNextChangeNotification(d));
  expect_quiet(d);
  assert_true(FindCloseChangeNotification(d));
  w_remove_tree(dir);
}

static VOID CALLBACK on_change(PVOID arg, BOOLEAN timed_out) {
  if (!timed_out)
    SetEvent((HANDLE)arg);
}

/* A pool wait on the handle: its callback runs once it is signalled. */
static void a_pool_wait(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "cn-pool");
  HANDLE h = watch(dir, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
  HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(ev);
  HANDLE w = NULL;
  assert_true(RegisterWaitForSingleObject(&w, h, on_change, ev, INFINITE,
                                          WT_EXECUTEONLYONCE));
  assert_int_equal(WaitForSingleObject(ev, 200), WAIT_TIMEOUT);
  touch(dir, "x");
  expect_signalled(ev, WAIT_MS);
  assert_true(UnregisterWaitEx(w, INVALID_HANDLE_VALUE));
  assert_true(FindCloseChangeNotification(h));
  assert_true(CloseHandle(ev));
  w_remove_tree(dir);
}

#ifndef _WIN32
/* Linux only (Windows leaves it undefined): a handle closed while a
 * thread waits on it. The wait is not released and ends at its time, as
 * for the layer's other objects; nothing is freed under it. */
static DWORD WINAPI waits_on(LPVOID arg) {
  return WaitForSingleObject((HANDLE)arg, 400);
}

static void closed_while_waited(void **state) {
  (void)state;
  char dir[512];
  w_make_dir(dir, sizeof(dir), "cn-closed");
  HANDLE h = watch(dir, TRUE, FILE_NOTIFY_CHANGE_FILE_NAME);
  HANDLE t = CreateThread(NULL, 0, waits_on, h, 0, NULL);
  assert_non_null(t);
  Sleep(100);
  assert_true(FindCloseChangeNotification(h));
  touch(dir, "x");
  assert_int_equal(WaitForSingleObject(t, WAIT_MS), WAIT_OBJECT_0);
  DWORD code = 0;
  assert_true(GetExitCodeThread(t, &code));
  assert_int_equal(code, WAIT_TIMEOUT);
  assert_true(CloseHandle(t));
  /* The closed handle is no change notification any more. */
  assert_false(FindNextChangeNotification(h));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  w_remove_tree(dir);
}
#endif

static void errors(void **state) {
  (void)state;
  char dir[512], p[512];
  w_make_dir(dir, sizeof(dir), "cn-errors");
  touch(dir, "file");
  w_path_in(p, sizeof(p), dir, "missing");
  SetLastError(0);
  assert_true(
      FindFirstChangeNotificationA(p, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME) ==
      INVALID_HANDLE_VALUE);
  assert_int_equal(GetLastError(), ERROR_FILE_NOT_FOUND);
  w_path_in(p, sizeof(p), dir, "missing\\below");
  assert_true(
      FindFirstChangeNotificationA(p, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME) ==
      INVALID_HANDLE_VALUE);
  assert_int_equal(GetLastError(), ERROR_PATH_NOT_FOUND);
  w_path_in(p, sizeof(p), dir, "file");
  HANDLE h =
      FindFirstChangeNotificationA(p, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
  DWORD err = GetLastError();
  if (h != INVALID_HANDLE_VALUE)
    FindCloseChangeNotification(h);
  assert_true(h == INVALID_HANDLE_VALUE);
  assert_int_equal(err, ERROR_DIRECTORY);
  h = FindFirstChangeNotificationA(dir, FALSE, 0);
  err = GetLastError();
  if (h != INVALID_HANDLE_VALUE)
    FindCloseChangeNotification(h);
  assert_true(h == INVALID_HANDLE_VALUE);
  assert_int_equal(err, ERROR_INVALID_PARAMETER);
  /* The path is looked at first. */
  w_path_in(p, sizeof(p), dir, "missing");
  h = FindFirstChangeNotificationA(p, FALSE, 0);
  err = GetLastError();
  if (h != INVALID_HANDLE_VALUE)
    FindCloseChangeNotification(h);
  assert_true(h == INVALID_HANDLE_VALUE);
  assert_int_equal(err, ERROR_FILE_NOT_FOUND);
  /* Not a change notification. */
  HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(ev);
  assert_false(FindNextChangeNotification(ev));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  assert_true(CloseHandle(ev));
  w_remove_tree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(nothing_changed_times_out),
      cmocka_unit_test(a_new_file_signals_until_next),
      cmocka_unit_test(a_change_in_between_signals_at_once),
      cmocka_unit_test(subtree_on_and_off),
      cmocka_unit_test(filters),
      cmocka_unit_test(several_handles_in_one_wait),
      cmocka_unit_test(wide_path_and_close_handle),
      cmocka_unit_test(a_second_handle),
      cmocka_unit_test(a_pool_wait),
#ifndef _WIN32
      cmocka_unit_test(closed_while_waited),
#endif
      cmocka_unit_test(errors),
  };
  return W_RUN("win32-changenote", tests);
}
