/*
 * test-win32-mapping.c - file mappings as a ported database or file
 * server uses them, written only against the Win32 API:
 * CreateFileMapping of a file (its size, or a larger one that grows the
 * file) and of memory (INVALID_HANDLE_VALUE), MapViewOfFile(Ex) with
 * FILE_MAP_READ / WRITE / COPY / ALL_ACCESS at offsets of the allocation
 * granularity, bytes through views and through ReadFile / WriteFile,
 * FlushViewOfFile, UnmapViewOfFile, views that outlive their mapping's
 * handle, and the refusals (protections, alignment, sizes, addresses).
 */
#include "win32-util.h"

#define FILE_SIZE (3u * 65536u + 100u)

static DWORD granularity(void) {
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  return si.dwAllocationGranularity;
}

/* A scratch file of FILE_SIZE bytes, byte i holding (i * 7) & 0xFF. */
static HANDLE patterned_file(char *path, size_t size, const char *name,
                             DWORD access) {
  w_temp_path(path, size, name);
  DeleteFileA(path);
  HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  static unsigned char buf[FILE_SIZE];
  for (DWORD i = 0; i < FILE_SIZE; i++)
    buf[i] = (unsigned char)((i * 7u) & 0xFFu);
  DWORD n = 0;
  assert_true(WriteFile(f, buf, FILE_SIZE, &n, NULL));
  assert_int_equal(n, FILE_SIZE);
  if (access == (GENERIC_READ | GENERIC_WRITE))
    return f;
  assert_true(CloseHandle(f));
  f = CreateFileA(path, access, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                  OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  return f;
}

static void expect_null(const void *p, DWORD err) {
  assert_null(p);
  assert_int_equal(GetLastError(), err);
}

static void read_at(HANDLE f, DWORD off, void *buf, DWORD len) {
  assert_int_equal(SetFilePointer(f, (LONG)off, NULL, FILE_BEGIN), off);
  DWORD n = 0;
  assert_true(ReadFile(f, buf, len, &n, NULL));
  assert_int_equal(n, len);
}

static void write_at(HANDLE f, DWORD off, const void *buf, DWORD len) {
  assert_int_equal(SetFilePointer(f, (LONG)off, NULL, FILE_BEGIN), off);
  DWORD n = 0;
  assert_true(WriteFile(f, buf, len, &n, NULL));
  assert_int_equal(n, len);
}

static void file_views_read_and_write(void **state) {
  (void)state;
  assert_int_equal(granularity(), 65536);
  char path[512];
  HANDLE f = patterned_file(path, sizeof(path), "w32m-views",
                            GENERIC_READ | GENERIC_WRITE);
  HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, NULL);
  assert_non_null(m);
  /* The whole file, its size taken from the file. */
  unsigned char *v = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
  assert_non_null(v);
  assert_int_equal((uintptr_t)v % 65536u, 0); /* views start on it too */
  for (DWORD i = 0; i < FILE_SIZE; i += 997)
    assert_int_equal(v[i], (i * 7u) & 0xFFu);
  assert_int_equal(v[FILE_SIZE - 1], ((FILE_SIZE - 1) * 7u) & 0xFFu);
  /* A view at 64 KiB sees the same bytes as the first. */
  unsigned char *w = MapViewOfFile(m, FILE_MAP_READ, 0, 65536, 1000);
  assert_non_null(w);
  assert_memory_equal(w, v + 65536, 1000);
  /* Writes through a view reach the file and the other view. */
  memcpy(v + 65536 + 10, "mapped", 6);
  assert_memory_equal(w + 10, "mapped", 6);
  assert_true(FlushViewOfFile(v + 65536, 16));
  char buf[8];
  read_at(f, 65536 + 10, buf, 6);
  assert_memory_equal(buf, "mapped", 6);
  /* Writes to the file reach the views. */
  write_at(f, 65536 + 100, "filed", 5);
  assert_memory_equal(v + 65536 + 100, "filed", 5);
  assert_memory_equal(w + 100, "filed", 5);
  assert_true(FlushViewOfFile(v, 0));
  /* Offsets are multiples of the allocation granularity. */
  expect_null(MapViewOfFile(m, FILE_MAP_READ, 0, 4096, 100),
              ERROR_MAPPED_ALIGNMENT);
  /* The mapping's handle closed: the views keep working. */
  assert_true(CloseHandle(m));
  v[5] = 'x';
  assert_int_equal(w[0], v[65536]);
  assert_true(UnmapViewOfFile(w));
  assert_true(UnmapViewOfFile(v));
  read_at(f, 5, buf, 1);
  assert_int_equal(buf[0], 'x');
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
}

static void sizes_and_offsets(void **state) {
  (void)state;
  char path[512];
  HANDLE f = patterned_file(path, sizeof(path), "w32m-sizes",
                            GENERIC_READ | GENERIC_WRITE);
  /* A size beyond the file's, with PAGE_READWRITE: the file grows. */
  DWORD big = 5u * 65536u;
  HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, big, NULL);
  assert_non_null(m);
  assert_int_equal(GetFileSize(f, NULL), big);
  unsigned char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 4u * 65536u, 0);
  assert_non_null(v);
  v[65535] = 'e'; /* the last byte of the mapping */
  assert_true(FlushViewOfFile(v, 0));
  char c = 0;
  read_at(f, big - 1, &c, 1);
  assert_int_equal(c, 'e');
  assert_true(UnmapViewOfFile(v));
  /* A view past the end of the mapping is refused. */
  assert_null(MapViewOfFile(m, FILE_MAP_READ, 0, 4u * 65536u, 65537));
  assert_true(CloseHandle(m));
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
  /* A file of 0 bytes cannot be mapped at its size. */
  f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                  FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  expect_null(CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, NULL),
              ERROR_FILE_INVALID);
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
}

static void protections(void **state) {
  (void)state;
  char path[512];
  HANDLE f = patterned_file(path, sizeof(path), "w32m-protect", GENERIC_READ);
  /* A file open for reading: no PAGE_READWRITE mapping. */
  expect_null(CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, NULL),
              ERROR_ACCESS_DENIED);
  HANDLE m = CreateFileMappingA(f, NULL, PAGE_READONLY, 0, 0, NULL);
  assert_non_null(m);
  expect_null(MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0), ERROR_ACCESS_DENIED);
  expect_null(MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0),
              ERROR_ACCESS_DENIED);
  const unsigned char *r = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
  assert_non_null(r);
  assert_int_equal(r[100], (100u * 7u) & 0xFFu);
  /* FILE_MAP_COPY: writes stay in the view. */
  unsigned char *cp = MapViewOfFile(m, FILE_MAP_COPY, 0, 0, 4096);
  assert_non_null(cp);
  cp[100] = 'c';
  assert_int_equal(r[100], (100u * 7u) & 0xFFu);
  assert_true(UnmapViewOfFile(cp));
  assert_true(UnmapViewOfFile(r));
  assert_false(UnmapViewOfFile(r)); /* not a view any more */
  assert_int_equal(GetLastError(), ERROR_INVALID_ADDRESS);
  assert_true(CloseHandle(m));
  /* PAGE_WRITECOPY: views copy on write; FILE_MAP_WRITE is refused. */
  m = CreateFileMappingA(f, NULL, PAGE_WRITECOPY, 0, 0, NULL);
  assert_non_null(m);
  expect_null(MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0), ERROR_ACCESS_DENIED);
  cp = MapViewOfFile(m, FILE_MAP_COPY, 0, 0, 0);
  assert_non_null(cp);
  cp[7] = 'w';
  char c = 0;
  read_at(f, 7, &c, 1);
  assert_int_equal((unsigned char)c, 49u);
  assert_true(UnmapViewOfFile(cp));
  assert_true(CloseHandle(m));
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
}

static void memory_mappings(void **state) {
  (void)state;
  /* Memory backed by the paging file needs a size. */
  expect_null(CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                 0, NULL),
              ERROR_INVALID_PARAMETER);
  HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                4u * 65536u, NULL);
  assert_non_null(m);
  unsigned char *a = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
  unsigned char *b = MapViewOfFile(m, FILE_MAP_READ, 0, 65536, 0);
  assert_non_null(a);
  assert_non_null(b);
  assert_int_equal(a[12345], 0); /* zeroed */
  /* Two views of one mapping share its pages. */
  memcpy(a + 65536 + 3, "shared", 6);
  assert_memory_equal(b + 3, "shared", 6);
  /* The handle closed, the views go on. */
  assert_true(CloseHandle(m));
  a[65536 + 3] = 'S';
  assert_int_equal(b[3], 'S');
  assert_true(UnmapViewOfFile(a));
  assert_true(UnmapViewOfFile(b));
  /* A view placed at an address of our choosing. */
  m = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 65536,
                         NULL);
  assert_non_null(m);
  unsigned char *first = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
  assert_non_null(first);
  assert_true(UnmapViewOfFile(first));
  unsigned char *again = MapViewOfFileEx(m, FILE_MAP_WRITE, 0, 0, 0, first);
  assert_ptr_equal(again, first);
  /* That address is taken now. */
  expect_null(MapViewOfFileEx(m, FILE_MAP_WRITE, 0, 0, 0, first),
              ERROR_INVALID_ADDRESS);
  assert_true(UnmapViewOfFile(again));
  assert_true(CloseHandle(m));
}

#if !defined(_WIN32)
/* The layer's objects are unnamed: no other process could open the
 * name. */
static void names_are_refused(void **state) {
  (void)state;
  expect_null(CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                 65536, "Local\\cport-test"),
              ERROR_NOT_SUPPORTED);
}
#endif

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(file_views_read_and_write),
    cmocka_unit_test(sizes_and_offsets),
    cmocka_unit_test(protections),
    cmocka_unit_test(memory_mappings),
#if !defined(_WIN32)
    cmocka_unit_test(names_are_refused),
#endif
  };
  return W_RUN("win32-mapping", tests);
}
