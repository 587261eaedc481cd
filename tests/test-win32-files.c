/*
 * test-win32-files.c - the file calls a ported program makes, written
 * only against the Win32 API: CreateFile (the generic name and the W
 * form), sizes, the file pointer, SetEndOfFile, FlushFileBuffers, the
 * errors for missing paths, WriteFile at offset 0xFFFFFFFF:0xFFFFFFFF
 * (append), a handle opened without FILE_FLAG_OVERLAPPED given an
 * OVERLAPPED, overlapped file I/O without a port, completion modes that
 * cannot be cleared, directories and attributes, stdin as a HANDLE, the
 * sparse-file controls of DeviceIoControl. The
 * file-system calls (searches, information, times, paths, moves):
 * test-win32-filesystem.c.
 */
#include <ctype.h>
#include <wchar.h>
#ifndef _WIN32
#  include <sys/stat.h>
#endif

#include "win32-util.h"

static HANDLE open_new(const char *path, DWORD flags) {
  HANDLE f = CreateFile(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                        CREATE_ALWAYS, flags, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  return f;
}

static void createfile_and_the_file_calls(void **state) {
  (void)state;
  char path[512];
  w_temp_path(path, sizeof(path), "w32f-calls");
  DeleteFileA(path);
  HANDLE f = open_new(path, FILE_ATTRIBUTE_NORMAL);
  assert_int_equal(GetLastError(), ERROR_SUCCESS); /* it did not exist */
  assert_int_equal(GetFileType(f), FILE_TYPE_DISK);
  DWORD n = 0;
  assert_true(WriteFile(f, "0123456789", 10, &n, NULL));
  assert_int_equal(n, 10);
  DWORD high = 7;
  assert_int_equal(GetFileSize(f, &high), 10);
  assert_int_equal(high, 0);
  LARGE_INTEGER size;
  assert_true(GetFileSizeEx(f, &size));
  assert_true(size.QuadPart == 10);
  /* The file pointer. */
  assert_int_equal(SetFilePointer(f, 4, NULL, FILE_BEGIN), 4);
  char buf[16];
  assert_true(ReadFile(f, buf, 3, &n, NULL));
  assert_int_equal(n, 3);
  assert_memory_equal(buf, "456", 3);
  assert_int_equal(SetFilePointer(f, -2, NULL, FILE_CURRENT), 5);
  LARGE_INTEGER d, pos;
  d.QuadPart = -1;
  assert_true(SetFilePointerEx(f, d, &pos, FILE_END));
  assert_true(pos.QuadPart == 9);
  assert_int_equal(SetFilePointer(f, -100, NULL, FILE_BEGIN),
                   INVALID_SET_FILE_POINTER);
  assert_int_equal(GetLastError(), ERROR_NEGATIVE_SEEK);
  /* Cut the file where the pointer is. */
  assert_int_equal(SetFilePointer(f, 6, NULL, FILE_BEGIN), 6);
  assert_true(SetEndOfFile(f));
  assert_true(FlushFileBuffers(f));
  assert_int_equal(GetFileSize(f, NULL), 6);
  /* At the end without an OVERLAPPED: TRUE and 0 bytes. */
  assert_true(ReadFile(f, buf, sizeof(buf), &n, NULL));
  assert_int_equal(n, 0);
  assert_true(CloseHandle(f));
  /* "The file handle must have the GENERIC_WRITE access right"
   * (FlushFileBuffers): a read-only handle is refused. */
  f = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                  FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  assert_false(FlushFileBuffers(f));
  assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
  assert_true(CloseHandle(f));
  /* CREATE_ALWAYS on an existing file says so. */
  f = open_new(path, FILE_ATTRIBUTE_NORMAL);
  assert_int_equal(GetLastError(), ERROR_ALREADY_EXISTS);
  assert_int_equal(GetFileSize(f, NULL), 0);
  assert_true(CloseHandle(f));
  assert_true(DeleteFile(path));
}

static void missing_paths_and_existing_files(void **state) {
  (void)state;
  char dir[512], path[600];
  w_temp_path(dir, sizeof(dir), "w32f-no-such-dir");
  snprintf(path, sizeof(path), "%s/file", dir);
  HANDLE f = CreateFileA(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                         FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f == INVALID_HANDLE_VALUE);
  assert_int_equal(GetLastError(), ERROR_PATH_NOT_FOUND);
  w_temp_path(path, sizeof(path), "w32f-missing");
  DeleteFileA(path);
  f = CreateFileA(path, GENERIC_READ, 0, NULL, OPEN_EXISTING,
                  FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f == INVALID_HANDLE_VALUE);
  assert_int_equal(GetLastError(), ERROR_FILE_NOT_FOUND);
  assert_false(DeleteFileA(path));
  assert_int_equal(GetLastError(), ERROR_FILE_NOT_FOUND);
  f = open_new(path, FILE_ATTRIBUTE_NORMAL);
  CloseHandle(f);
  f = CreateFileA(path, GENERIC_WRITE, 0, NULL, CREATE_NEW,
                  FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f == INVALID_HANDLE_VALUE);
  assert_int_equal(GetLastError(), ERROR_FILE_EXISTS);
  assert_true(DeleteFileA(path));
}

static void writefile_at_ffffffff_appends(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  char path[512];
  w_temp_path(path, sizeof(path), "w32f-append");
  HANDLE f = open_new(path, FILE_FLAG_OVERLAPPED);
  assert_ptr_equal(CreateIoCompletionPort(f, port, 5, 0), port);
  const char *parts[] = {"abc", "def", "gh"};
  for (int i = 0; i < 3; i++) {
    OVERLAPPED ov;
    memset(&ov, 0, sizeof(ov));
    if (i > 0)
      ov.Offset = ov.OffsetHigh = 0xFFFFFFFFu; /* at the end */
    BOOL ok = WriteFile(f, parts[i], (DWORD)strlen(parts[i]), NULL, &ov);
    assert_true(ok || GetLastError() == ERROR_IO_PENDING);
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *got;
    assert_true(w_next(port, &bytes, &key, &got, 5000));
    assert_ptr_equal(got, &ov);
    assert_int_equal(bytes, strlen(parts[i]));
  }
  assert_int_equal(GetFileSize(f, NULL), 8);
  char buf[8];
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  BOOL ok = ReadFile(f, buf, 8, NULL, &ov);
  assert_true(ok || GetLastError() == ERROR_IO_PENDING);
  DWORD n = 0;
  assert_true(GetOverlappedResult(f, &ov, &n, TRUE));
  assert_int_equal(n, 8);
  assert_memory_equal(buf, "abcdefgh", 8);
  DWORD bytes;
  ULONG_PTR key;
  OVERLAPPED *got;
  assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
  assert_true(CloseHandle(port));
}

/* Many writes at 0xFFFFFFFF:0xFFFFFFFF in flight at once, on a handle not
 * opened to append: each lands whole at the end as it runs ("functionally
 * equivalent to ... FILE_APPEND_DATA", WriteFile), in the order made. The
 * layer gave each the file's size at its call, so those in flight
 * together overwrote each other (3,000 writes left 32 bytes). */
static void writes_at_ffffffff_in_flight_land_whole(void **state) {
  (void)state;
  enum { N = 3000 };
  HANDLE port = w_port(0);
  char path[512];
  w_temp_path(path, sizeof(path), "w32f-atend");
  HANDLE f = open_new(path, FILE_FLAG_OVERLAPPED);
  assert_ptr_equal(CreateIoCompletionPort(f, port, 5, 0), port);
  OVERLAPPED *ov = calloc(N, sizeof(*ov));
  uint32_t *rec = malloc(N * sizeof(*rec));
  assert_true(ov != NULL && rec != NULL);
  for (uint32_t i = 0; i < N; i++) {
    rec[i] = i;
    ov[i].Offset = ov[i].OffsetHigh = 0xFFFFFFFFu;
    BOOL ok = WriteFile(f, &rec[i], sizeof(rec[i]), NULL, &ov[i]);
    assert_true(ok || GetLastError() == ERROR_IO_PENDING);
  }
  for (int i = 0; i < N; i++) {
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *got;
    assert_true(w_next(port, &bytes, &key, &got, 10000));
    assert_int_equal(bytes, sizeof(uint32_t));
  }
  assert_int_equal(GetFileSize(f, NULL), N * sizeof(uint32_t));
  assert_true(CloseHandle(f));
  FILE *in = fopen(path, "rb");
  assert_non_null(in);
  for (uint32_t i = 0; i < N; i++) {
    uint32_t v = UINT32_MAX;
    assert_int_equal(fread(&v, sizeof(v), 1, in), 1);
    assert_int_equal(v, i);
  }
  fclose(in);
  free(rec);
  free(ov);
  assert_true(DeleteFileA(path));
  assert_true(CloseHandle(port));
}

/* A handle opened without FILE_FLAG_OVERLAPPED does the I/O in the call,
 * even with an OVERLAPPED: at its offset, event set, result written. */
static void synchronous_handle_with_an_overlapped(void **state) {
  (void)state;
  char path[512];
  w_temp_path(path, sizeof(path), "w32f-sync");
  HANDLE f = open_new(path, FILE_ATTRIBUTE_NORMAL);
  DWORD n = 0;
  assert_true(WriteFile(f, "0123456789", 10, &n, NULL));
  HANDLE ev = CreateEvent(NULL, TRUE, FALSE, NULL);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.Offset = 3;
  ov.hEvent = ev;
  char buf[4];
  assert_true(ReadFile(f, buf, 4, &n, &ov));
  assert_int_equal(n, 4);
  assert_memory_equal(buf, "3456", 4);
  assert_true(HasOverlappedIoCompleted(&ov));
  assert_int_equal(ov.InternalHigh, 4);
  assert_int_equal(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
  assert_true(GetOverlappedResult(f, &ov, &n, FALSE));
  assert_int_equal(n, 4);
  memset(&ov, 0, sizeof(ov));
  ov.Offset = 10;
  assert_false(ReadFile(f, buf, 4, &n, &ov));
  assert_int_equal(GetLastError(), ERROR_HANDLE_EOF);
  /* Internal holds the NTSTATUS, as for an overlapped handle's op. */
  assert_int_equal((DWORD)ov.Internal, 0xC0000011u); /* END_OF_FILE */
  assert_false(GetOverlappedResult(f, &ov, &n, FALSE));
  assert_int_equal(GetLastError(), ERROR_HANDLE_EOF);
  /* Both offsets 0xFFFFFFFF: at the end, here too. */
  memset(&ov, 0, sizeof(ov));
  ov.Offset = ov.OffsetHigh = 0xFFFFFFFFu;
  assert_true(WriteFile(f, "ab", 2, &n, &ov));
  assert_int_equal(n, 2);
  assert_int_equal(GetFileSize(f, NULL), 12);
  CloseHandle(ev);
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
}

/* An overlapped file on no port: the event, then GetOverlappedResult. */
static void overlapped_file_without_a_port(void **state) {
  (void)state;
  char path[512];
  w_temp_path(path, sizeof(path), "w32f-noport");
  HANDLE f = open_new(path, FILE_FLAG_OVERLAPPED);
  HANDLE ev = CreateEvent(NULL, TRUE, FALSE, NULL);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = ev;
  ov.Offset = 100;
  BOOL ok = WriteFile(f, "xyz", 3, NULL, &ov);
  assert_true(ok || GetLastError() == ERROR_IO_PENDING);
  assert_int_equal(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
  DWORD n = 0;
  assert_true(GetOverlappedResult(f, &ov, &n, FALSE));
  assert_int_equal(n, 3);
  assert_int_equal(GetFileSize(f, NULL), 103);
  CloseHandle(ev);
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
}

/* A port takes only a handle opened for overlapped I/O ("you must specify
 * the FILE_FLAG_OVERLAPPED flag"); FILE_SKIP_SET_EVENT_ON_HANDLE: the
 * handle's ends no longer signal it, an OVERLAPPED's own event still is. */
static void port_needs_overlapped_and_skip_set_event(void **state) {
  (void)state;
  char path[512];
  w_temp_path(path, sizeof(path), "w32f-modes");
  HANDLE f = open_new(path, FILE_ATTRIBUTE_NORMAL);
  SetLastError(0);
  assert_null(CreateIoCompletionPort(f, NULL, 1, 0));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  /* Nor may its successes skip a port (Wine's conformance test). */
  SetLastError(0);
  assert_false(SetFileCompletionNotificationModes(
      f, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  assert_true(CloseHandle(f));
  for (int skip = 0; skip < 2; skip++) {
    f = open_new(path, FILE_FLAG_OVERLAPPED);
    HANDLE port = CreateIoCompletionPort(f, NULL, 7, 0);
    assert_non_null(port);
    if (skip)
      assert_true(
          SetFileCompletionNotificationModes(f, FILE_SKIP_SET_EVENT_ON_HANDLE));
    OVERLAPPED ov, *got = NULL;
    memset(&ov, 0, sizeof(ov));
    BOOL ok = WriteFile(f, "hello", 5, NULL, &ov);
    assert_true(ok || GetLastError() == ERROR_IO_PENDING);
    DWORD n = 0;
    ULONG_PTR key = 0;
    assert_true(GetQueuedCompletionStatus(port, &n, &key, &got, 5000));
    assert_true(got == &ov && n == 5 && key == 7);
    assert_int_equal(WaitForSingleObject(f, 0),
                     skip ? WAIT_TIMEOUT : WAIT_OBJECT_0);
    HANDLE ev = CreateEvent(NULL, TRUE, FALSE, NULL);
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = ev;
    ov.Offset = 5;
    ok = WriteFile(f, "world", 5, NULL, &ov);
    assert_true(ok || GetLastError() == ERROR_IO_PENDING);
    assert_int_equal(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
    assert_true(GetQueuedCompletionStatus(port, &n, &key, &got, 5000));
    assert_ptr_equal(got, &ov);
    CloseHandle(ev);
    assert_true(CloseHandle(f));
    assert_true(CloseHandle(port));
  }
  assert_true(DeleteFileA(path));
}

/* "After a mode has been set for a file handle, it cannot be removed." */
static void completion_modes_cannot_be_cleared(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 1, 0), port);
  assert_true(SetFileCompletionNotificationModes(
      (HANDLE)srv, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  assert_true(SetFileCompletionNotificationModes((HANDLE)srv, 0));
  assert_int_equal(send(cli, "now", 3, 0), 3);
  Sleep(50);
  char buf[8];
  WSABUF wb = {sizeof(buf), buf};
  DWORD flags = 0, bytes = 0;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  assert_int_equal(WSARecv(srv, &wb, 1, &bytes, &flags, &ov, NULL), 0);
  assert_int_equal(bytes, 3);
  w_expect_nothing(port, 100); /* still skipped */
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
}

static void directories_attributes_and_wide_names(void **state) {
  (void)state;
  char dir[512], a[600], b[600];
  w_temp_path(dir, sizeof(dir), "w32f-dir");
  snprintf(a, sizeof(a), "%s/a", dir);
  snprintf(b, sizeof(b), "%s/b", dir);
  DeleteFileA(a);
  DeleteFileA(b);
  RemoveDirectoryA(dir);
  assert_true(CreateDirectoryA(dir, NULL));
  assert_false(CreateDirectoryA(dir, NULL));
  assert_int_equal(GetLastError(), ERROR_ALREADY_EXISTS);
  DWORD attr = GetFileAttributesA(dir);
  assert_true(attr != INVALID_FILE_ATTRIBUTES);
  assert_true(attr & FILE_ATTRIBUTE_DIRECTORY);
  assert_int_equal(GetFileAttributesA(a), INVALID_FILE_ATTRIBUTES);
  assert_int_equal(GetLastError(), ERROR_FILE_NOT_FOUND);
  /* A wide name: CreateFileW, then the narrow calls see the same file. */
  WCHAR wa[600];
  assert_true(MultiByteToWideChar(CP_UTF8, 0, a, -1, wa, 600) > 0);
  HANDLE f = CreateFileW(wa, GENERIC_WRITE, 0, NULL, CREATE_NEW,
                         FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  CloseHandle(f);
  attr = GetFileAttributesW(wa);
  assert_true(attr != INVALID_FILE_ATTRIBUTES);
  assert_false(attr & FILE_ATTRIBUTE_DIRECTORY);
  f = open_new(b, FILE_ATTRIBUTE_NORMAL);
  CloseHandle(f);
  assert_false(MoveFileExA(a, b, 0));
  assert_int_equal(GetLastError(), ERROR_ALREADY_EXISTS);
  assert_true(MoveFileExA(a, b, MOVEFILE_REPLACE_EXISTING));
  assert_int_equal(GetFileAttributesA(a), INVALID_FILE_ATTRIBUTES);
  assert_false(RemoveDirectoryA(dir)); /* not empty */
  WCHAR wb[600];
  assert_true(MultiByteToWideChar(CP_UTF8, 0, b, -1, wb, 600) > 0);
  assert_true(DeleteFileW(wb));
  assert_true(RemoveDirectoryA(dir));
}

/* Descriptor 0 is the NULL handle on Linux: stdin must still be a handle. */
static void stdin_is_a_handle(void **state) {
  (void)state;
  HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
  HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
  assert_true(in != NULL && in != INVALID_HANDLE_VALUE);
  assert_true(out != NULL && out != INVALID_HANDLE_VALUE);
  assert_true(err != NULL && err != INVALID_HANDLE_VALUE);
  assert_true(in != out && out != err && in != err);
  assert_true(GetStdHandle(STD_INPUT_HANDLE) == in);
  if (GetFileType(in) == FILE_TYPE_UNKNOWN && GetLastError() != NO_ERROR)
    fail_msg("stdin: GetFileType failed (%u)", (unsigned)GetLastError());
  DWORD n = 1;
  assert_true(WriteFile(err, "", 0, &n, NULL));
  assert_int_equal(n, 0);
  assert_int_equal(GetStdHandle((DWORD)-99), INVALID_HANDLE_VALUE);
}

/* ReadFileScatter / WriteFileGather: one op over page-sized segments, in
 * the array's order, on an unbuffered overlapped file; a read at the end
 * ends with ERROR_HANDLE_EOF; the documented conditions are checked. */
/* The sparse-file controls of winioctl.h: set sparse (done in the call,
 * a packet on a port's overlapped handle), allocated ranges (all that
 * fit, then ERROR_MORE_DATA), zero data (the range reads as zeros and
 * holds no data any more), and what is refused. */
static DWORD ranges(HANDLE f, int64_t size, FILE_ALLOCATED_RANGE_BUFFER *r,
                    DWORD room, DWORD *err) {
  FILE_ALLOCATED_RANGE_BUFFER q;
  q.FileOffset.QuadPart = 0;
  q.Length.QuadPart = size;
  DWORD n = 0;
  *err = DeviceIoControl(f, FSCTL_QUERY_ALLOCATED_RANGES, &q, sizeof(q), r,
                         room * sizeof(*r), &n, NULL)
             ? 0
             : GetLastError();
  return n / sizeof(*r);
}

static void sparse_file_controls(void **state) {
  (void)state;
  char path[512];
  w_temp_path(path, sizeof(path), "w32f-sparse");
  DeleteFileA(path);
  HANDLE f = open_new(path, FILE_FLAG_OVERLAPPED);
  HANDLE port = w_port(0);
  assert_ptr_equal(CreateIoCompletionPort(f, port, 5, 0), port);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  DWORD n = 7;
  assert_true(DeviceIoControl(f, FSCTL_SET_SPARSE, NULL, 0, NULL, 0, &n, &ov));
  DWORD bytes = 9;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  bool wine_no_packet = false; /* its packet */
  if (!GetQueuedCompletionStatus(port, &bytes, &key, &got, 2000) &&
      h_on_wine()) {
    wine_no_packet = true;
  } else {
    assert_ptr_equal(got, &ov);
    assert_int_equal(key, 5);
    assert_int_equal(bytes, 0);
  }
  /* Data at 0 and at 1 MiB, 64 KiB each; a hole between them. */
  static char data[65536];
  memset(data, 'd', sizeof(data));
  const int64_t at[2] = {0, 1 << 20};
  for (int i = 0; i < 2; i++) {
    memset(&ov, 0, sizeof(ov));
    ov.Offset = (DWORD)at[i];
    if (!WriteFile(f, data, sizeof(data), NULL, &ov))
      assert_int_equal(GetLastError(), ERROR_IO_PENDING);
    assert_true(GetOverlappedResult(f, &ov, &n, TRUE));
    assert_true(w_next(port, &bytes, &key, &got, 5000));
  }
  FILE_ALLOCATED_RANGE_BUFFER r[4];
  DWORD err;
  DWORD found = ranges(f, (1 << 20) + 65536, r, 4, &err);
  if (err == ERROR_NOT_SUPPORTED && h_on_wine()) {
    assert_true(CloseHandle(f));
    assert_true(CloseHandle(port));
    DeleteFileA(path);
    H_SKIP("known Wine difference: FSCTL_QUERY_ALLOCATED_RANGES, "
           "FSCTL_SET_ZERO_DATA and unknown controls fail with "
           "ERROR_NOT_SUPPORTED%s; see docs/windows.md",
           wine_no_packet ? ", and FSCTL_SET_SPARSE queues no packet" : "");
  }
  assert_int_equal(found, 2);
  assert_int_equal(err, 0);
  assert_true(r[0].FileOffset.QuadPart == 0 && r[0].Length.QuadPart == 65536);
  assert_true(r[1].FileOffset.QuadPart == (1 << 20) &&
              r[1].Length.QuadPart == 65536);
  assert_int_equal(ranges(f, (1 << 20) + 65536, r, 1, &err), 1);
  assert_int_equal(err, ERROR_MORE_DATA);
  /* Zeroing the first 64 KiB: zeros, and no data there any more. */
  FILE_ZERO_DATA_INFORMATION z;
  z.FileOffset.QuadPart = 0;
  z.BeyondFinalZero.QuadPart = 65536;
  assert_true(DeviceIoControl(f, FSCTL_SET_ZERO_DATA, &z, sizeof(z), NULL, 0,
                              &n, NULL));
  static char back[65536];
  memset(&ov, 0, sizeof(ov));
  if (!ReadFile(f, back, sizeof(back), NULL, &ov))
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_true(GetOverlappedResult(f, &ov, &n, TRUE));
  assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_int_equal(n, sizeof(back));
  static const char zeros[65536];
  assert_memory_equal(back, zeros, sizeof(back));
  assert_int_equal(ranges(f, (1 << 20) + 65536, r, 4, &err), 1);
  assert_true(r[0].FileOffset.QuadPart == (1 << 20));
  /* Refused: a short input, a code no file system has. */
  assert_false(
      DeviceIoControl(f, FSCTL_SET_ZERO_DATA, &z, 4, NULL, 0, &n, NULL));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  assert_false(DeviceIoControl(
      f, CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x7ff, METHOD_BUFFERED, 0), NULL, 0,
      NULL, 0, &n, NULL));
  assert_int_equal(GetLastError(), ERROR_INVALID_FUNCTION);
  w_expect_nothing(port, 50); /* no packet for a refusal */
  assert_true(CloseHandle(f));
  assert_true(CloseHandle(port));
  DeleteFileA(path);
  if (wine_no_packet)
    H_SKIP("known Wine difference: an overlapped DeviceIoControl done in "
           "the call queues no packet; see docs/windows.md");
}

static void scatter_and_gather(void **state) {
  (void)state;
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  DWORD page = si.dwPageSize;
  char path[MAX_PATH];
  w_temp_path(path, sizeof(path), "w32f-scatter");
  HANDLE f = open_new(path, FILE_FLAG_OVERLAPPED | FILE_FLAG_NO_BUFFERING);
  HANDLE port = w_port(0);
  assert_ptr_equal(CreateIoCompletionPort(f, port, 5, 0), port);
  char *mem = VirtualAlloc(NULL, 6 * (SIZE_T)page, MEM_COMMIT | MEM_RESERVE,
                           PAGE_READWRITE);
  assert_non_null(mem);
  for (DWORD i = 0; i < 3 * page; i++)
    mem[i] = (char)(i / page + 1 + i % 7);
  FILE_SEGMENT_ELEMENT seg[4];
  memset(seg, 0, sizeof(seg));
  for (int i = 0; i < 3; i++)
    seg[i].Buffer = mem + (size_t)i * page;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  DWORD n = 0;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  BOOL ok = WriteFileGather(f, seg, 3 * page, NULL, &ov);
  assert_true(ok || GetLastError() == ERROR_IO_PENDING);
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(key, 5);
  assert_int_equal(n, 3 * page);
  /* Read back into the segments in another order: page 0 into the third
   * buffer, and so on. */
  char *in = mem + 3 * (size_t)page;
  memset(in, 0, 3 * (size_t)page);
  seg[0].Buffer = in + 2 * (size_t)page;
  seg[1].Buffer = in;
  seg[2].Buffer = in + page;
  memset(&ov, 0, sizeof(ov));
  ok = ReadFileScatter(f, seg, 3 * page, NULL, &ov);
  assert_true(ok || GetLastError() == ERROR_IO_PENDING);
  assert_true(w_next(port, &n, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(n, 3 * page);
  assert_memory_equal(in + 2 * (size_t)page, mem, page);
  assert_memory_equal(in, mem + page, page);
  assert_memory_equal(in + page, mem + 2 * (size_t)page, page);
  /* At the end of the file: ERROR_HANDLE_EOF, at the call or in its
   * packet. */
  memset(&ov, 0, sizeof(ov));
  ov.Offset = 3 * page;
  ok = ReadFileScatter(f, seg, page, NULL, &ov);
  assert_false(ok);
  if (GetLastError() == ERROR_IO_PENDING) {
    assert_false(GetQueuedCompletionStatus(port, &n, &key, &got, 5000));
    assert_ptr_equal(got, &ov);
    assert_int_equal(GetLastError(), ERROR_HANDLE_EOF);
    assert_int_equal(n, 0);
  } else {
    assert_int_equal(GetLastError(), ERROR_HANDLE_EOF);
  }
#ifndef _WIN32
  /* "The lpOverlapped parameter cannot be NULL", lpReserved "must be
   * NULL": the layer refuses both with ERROR_INVALID_PARAMETER (Windows
   * names no error; Wine reads through the NULL OVERLAPPED). */
  DWORD reserved = 0;
  assert_false(ReadFileScatter(f, seg, page, NULL, NULL));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  memset(&ov, 0, sizeof(ov));
  assert_false(ReadFileScatter(f, seg, page, &reserved, &ov));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
#endif
  w_expect_nothing(port, 20);
  assert_true(CloseHandle(f));
  assert_true(VirtualFree(mem, 0, MEM_RELEASE));
  assert_true(CloseHandle(port));
  assert_true(DeleteFileA(path));
}

/* A handle opened without FILE_FLAG_NO_BUFFERING (or without
 * FILE_FLAG_OVERLAPPED) cannot: "The file handle must be created with
 * ... the FILE_FLAG_OVERLAPPED and FILE_FLAG_NO_BUFFERING flags". */
static void scatter_needs_an_unbuffered_overlapped_handle(void **state) {
  (void)state;
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  char path[MAX_PATH];
  w_temp_path(path, sizeof(path), "w32f-scatter-buffered");
  char *mem = VirtualAlloc(NULL, si.dwPageSize, MEM_COMMIT | MEM_RESERVE,
                           PAGE_READWRITE);
  assert_non_null(mem);
  FILE_SEGMENT_ELEMENT seg[2];
  memset(seg, 0, sizeof(seg));
  seg[0].Buffer = mem;
  DWORD flags[2] = {FILE_FLAG_OVERLAPPED, FILE_FLAG_NO_BUFFERING};
  for (int i = 0; i < 2; i++) {
    HANDLE f = open_new(path, flags[i]);
    OVERLAPPED ov;
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    assert_false(WriteFileGather(f, seg, si.dwPageSize, NULL, &ov));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(ReadFileScatter(f, seg, si.dwPageSize, NULL, &ov));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    CloseHandle(ov.hEvent);
    assert_true(CloseHandle(f));
  }
  assert_true(VirtualFree(mem, 0, MEM_RELEASE));
  assert_true(DeleteFileA(path));
}

/* ReadFile and WriteFile set the count to 0 "before doing any work or
 * error checking"; a NULL buffer is a memory fault (ERROR_NOACCESS to
 * read into, ERROR_INVALID_USER_BUFFER to write from); GetFileType takes
 * a standard handle's number as that handle (Wine's conformance tests of
 * files). */
static void counts_null_buffers_and_std_numbers(void **state) {
  (void)state;
  char path[512];
  w_temp_path(path, sizeof(path), "w32f-null");
  HANDLE f = open_new(path, FILE_ATTRIBUTE_NORMAL);
  DWORD n = 12345678;
  SetLastError(0);
  assert_false(WriteFile(f, NULL, 10, &n, NULL));
  assert_int_equal(GetLastError(), ERROR_INVALID_USER_BUFFER);
  assert_int_equal(n, 0);
  assert_true(WriteFile(f, "some data", 9, &n, NULL));
  assert_int_equal(SetFilePointer(f, 0, NULL, FILE_BEGIN), 0);
  n = 12345678;
  SetLastError(0);
  assert_false(ReadFile(f, NULL, 10, &n, NULL));
  assert_int_equal(GetLastError(), ERROR_NOACCESS);
  assert_int_equal(n, 0);
  char buf[16];
  n = 12345678;
  SetLastError(0);
  assert_false(ReadFile(INVALID_HANDLE_VALUE, buf, 0, &n, NULL));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  assert_int_equal(n, 0);
  assert_true(CloseHandle(f));
  /* An overlapped read of 0 bytes ends in the call: its OVERLAPPED says
   * so at once, and may serve the next op right away. */
  f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                  FILE_FLAG_OVERLAPPED, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  n = 99;
  if (!ReadFile(f, buf, 0, &n, &ov))
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_int_equal(ov.Internal, 0);
  assert_int_equal(ov.InternalHigh, 0);
  memset(&ov, 0, sizeof(ov));
  if (!WriteFile(f, "0123456789", 10, &n, &ov)) {
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
    assert_true(GetOverlappedResult(f, &ov, &n, TRUE));
  }
  assert_int_equal(n, 10);
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
  assert_int_equal(GetFileType((HANDLE)(ULONG_PTR)STD_OUTPUT_HANDLE),
                   GetFileType(GetStdHandle(STD_OUTPUT_HANDLE)));
  assert_int_equal(GetFileType((HANDLE)(ULONG_PTR)STD_INPUT_HANDLE),
                   GetFileType(GetStdHandle(STD_INPUT_HANDLE)));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(createfile_and_the_file_calls),
      cmocka_unit_test(missing_paths_and_existing_files),
      cmocka_unit_test(writefile_at_ffffffff_appends),
      cmocka_unit_test(writes_at_ffffffff_in_flight_land_whole),
      cmocka_unit_test(synchronous_handle_with_an_overlapped),
      cmocka_unit_test(overlapped_file_without_a_port),
      cmocka_unit_test(completion_modes_cannot_be_cleared),
      cmocka_unit_test(directories_attributes_and_wide_names),
      cmocka_unit_test(stdin_is_a_handle),
      cmocka_unit_test(sparse_file_controls),
      cmocka_unit_test(port_needs_overlapped_and_skip_set_event),
      cmocka_unit_test(scatter_and_gather),
      cmocka_unit_test(scatter_needs_an_unbuffered_overlapped_handle),
      cmocka_unit_test(counts_null_buffers_and_std_numbers),
  };
  return W_RUN("win32-files", tests);
}
