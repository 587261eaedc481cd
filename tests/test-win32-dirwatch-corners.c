/*
 * test-win32-dirwatch-corners.c - directory watch corners Windows' own
 * conformance tests pin down (Wine's test_readdirectorychanges, run on
 * Windows), written only against the Win32 API: a new directory in a
 * watched tree is one record, "added", even with every filter bit set
 * (the layer lists the new directory to watch it, and that listing is
 * no change of the program's).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "win32-util.h"

#define ALL_FILTERS                                                 \
  (FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME |     \
   FILE_NOTIFY_CHANGE_ATTRIBUTES | FILE_NOTIFY_CHANGE_SIZE |        \
   FILE_NOTIFY_CHANGE_LAST_WRITE | FILE_NOTIFY_CHANGE_LAST_ACCESS | \
   FILE_NOTIFY_CHANGE_CREATION | FILE_NOTIFY_CHANGE_SECURITY)

static _Alignas(8) char buf[4096];

/* A watch of dir's tree with every filter, its end signalling ov. */
static void watch(HANDLE h, OVERLAPPED *ov) {
  DWORD n = 0;
  memset(buf, 0, sizeof(buf));
  assert_true(ReadDirectoryChangesW(h, buf, sizeof(buf), TRUE, ALL_FILTERS, &n,
                                    ov, NULL));
}

static void new_directory_is_one_record(void **state) {
  (void)state;
  char dir[512], sub[600];
  w_make_dir(dir, sizeof(dir), "dwc-newdir");
  HANDLE h = CreateFileA(
      dir, FILE_LIST_DIRECTORY,
      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
      OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED, NULL);
  assert_true(h != INVALID_HANDLE_VALUE);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_non_null(ov.hEvent);
  watch(h, &ov);
  w_path_in(sub, sizeof(sub), dir, "hoo");
  assert_true(CreateDirectoryA(sub, NULL));
  assert_int_equal(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
  DWORD n = 0;
  assert_true(GetOverlappedResult(h, &ov, &n, FALSE));
  const FILE_NOTIFY_INFORMATION *fni = (const FILE_NOTIFY_INFORMATION *)buf;
  /* One record, "hoo" (0x12 bytes on Windows; WCHAR is wchar_t here). */
  assert_int_equal(n, offsetof(FILE_NOTIFY_INFORMATION, FileName) +
                          3 * sizeof(WCHAR));
  assert_int_equal(fni->NextEntryOffset, 0);
  assert_int_equal(fni->Action, FILE_ACTION_ADDED);
  assert_int_equal(fni->FileNameLength, 3 * sizeof(WCHAR));
  assert_true(fni->FileName[0] == L'h' && fni->FileName[2] == L'o');
  /* Nothing more comes of it. */
  assert_true(ResetEvent(ov.hEvent));
  watch(h, &ov);
  assert_int_equal(WaitForSingleObject(ov.hEvent, 300), WAIT_TIMEOUT);
  assert_true(CancelIo(h));
  assert_int_equal(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
  assert_false(GetOverlappedResult(h, &ov, &n, FALSE));
  assert_int_equal(GetLastError(), ERROR_OPERATION_ABORTED);
  assert_true(CloseHandle(h));
  assert_true(CloseHandle(ov.hEvent));
  w_remove_tree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(new_directory_is_one_record),
  };
  return W_RUN("win32-dirwatch-corners", tests);
}
