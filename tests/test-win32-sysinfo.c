/*
 * test-win32-sysinfo.c - calls a ported program makes about the machine
 * and its files, written only against the Win32 API: the processor and
 * group counts, GetLogicalProcessorInformation(Ex) (the records, their
 * sizes, the short-buffer protocol, bad arguments), SetFileTime (times
 * read back through GetFileTime, NULL and zero left alone) and
 * SetFileValidData.
 */
#include <stdlib.h>
#include <string.h>

#include "win32-util.h"

static int bits(ULONG_PTR m) {
  int n = 0;
  for (; m != 0; m &= m - 1)
    n++;
  return n;
}

/* ------------------------------------------------------------------------ */
/* Processors                                                                */
/* ------------------------------------------------------------------------ */

static void processor_counts(void **state) {
  (void)state;
  DWORD all = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
  assert_true(all >= 1);
  WORD groups = GetActiveProcessorGroupCount();
  assert_true(groups >= 1);
  assert_true(GetMaximumProcessorGroupCount() >= groups);
  DWORD sum = 0, max_sum = 0;
  for (WORD g = 0; g < groups; g++) {
    DWORD n = GetActiveProcessorCount(g);
    assert_true(n >= 1 && n <= 8 * sizeof(ULONG_PTR));
    assert_true(GetMaximumProcessorCount(g) >= n);
    sum += n;
    max_sum += GetMaximumProcessorCount(g);
  }
  assert_int_equal(sum, all);
  assert_true(GetMaximumProcessorCount(ALL_PROCESSOR_GROUPS) >= all);
  if (groups == 1) {
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    assert_int_equal(si.dwNumberOfProcessors, all);
    assert_int_equal(GetMaximumProcessorCount(ALL_PROCESSOR_GROUPS), max_sum);
  }
  /* A group past the last. */
  SetLastError(0);
  DWORD past = GetActiveProcessorCount(groups), err = GetLastError();
  if ((past != 0 || err != ERROR_INVALID_PARAMETER) && h_on_wine())
    H_SKIP("known Wine difference: GetActiveProcessorCount of a group that "
           "does not exist returns %u with error %u; see docs/windows.md",
           (unsigned)past, (unsigned)err);
  assert_int_equal(past, 0);
  assert_int_equal(err, ERROR_INVALID_PARAMETER);
  SetLastError(0);
  assert_int_equal(GetMaximumProcessorCount(GetMaximumProcessorGroupCount()),
                   0);
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
}

static void logical_processor_information(void **state) {
  (void)state;
  DWORD len = 0;
  SetLastError(0);
  assert_false(GetLogicalProcessorInformation(NULL, &len));
  assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
  assert_true(len >= 3 * sizeof(SYSTEM_LOGICAL_PROCESSOR_INFORMATION));
  assert_int_equal(len % sizeof(SYSTEM_LOGICAL_PROCESSOR_INFORMATION), 0);
  DWORD need = len;
  SYSTEM_LOGICAL_PROCESSOR_INFORMATION *b = malloc(need);
  assert_non_null(b);
  /* One record short: the same length is asked for. */
  len = need - (DWORD)sizeof(*b);
  SetLastError(0);
  assert_false(GetLogicalProcessorInformation(b, &len));
  assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
  assert_int_equal(len, need);
  assert_true(GetLogicalProcessorInformation(b, &len));
  assert_int_equal(len, need);

  ULONG_PTR cores = 0;
  int ncores = 0, packages = 0, nodes = 0, l1 = 0;
  for (size_t i = 0; i < len / sizeof(*b); i++) {
    assert_true(b[i].ProcessorMask != 0);
    switch (b[i].Relationship) {
    case RelationProcessorCore:
      assert_int_equal(b[i].ProcessorMask & cores, 0); /* disjoint */
      cores |= b[i].ProcessorMask;
      ncores++;
      if (bits(b[i].ProcessorMask) > 1)
        assert_int_equal(b[i].ProcessorCore.Flags, LTP_PC_SMT);
      break;
    case RelationCache:
      assert_true(b[i].Cache.Level >= 1 && b[i].Cache.Level <= 4);
      assert_true(b[i].Cache.Type <= CacheTrace);
      if (b[i].Cache.Level == 1)
        l1++;
      break;
    case RelationProcessorPackage:
      packages++;
      break;
    case RelationNumaNode:
      nodes++;
      break;
    default:
      fail_msg("unexpected relationship %d", (int)b[i].Relationship);
    }
  }
  assert_true(ncores >= 1 && packages >= 1 && nodes >= 1);
  assert_true(ncores <= bits(cores));
  assert_int_equal(bits(cores), GetActiveProcessorCount(0));
  (void)l1; /* a machine may not say (a VM without cache information) */
  free(b);

  SetLastError(0);
  assert_false(GetLogicalProcessorInformation(NULL, NULL));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
}

/* The Ex records of `rel` in a buffer of their own (free it), *len its
 * size. */
static SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *
ex_records(LOGICAL_PROCESSOR_RELATIONSHIP rel, DWORD *len) {
  *len = 0;
  SetLastError(0);
  assert_false(GetLogicalProcessorInformationEx(rel, NULL, len));
  assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
  assert_true(*len > 0);
  DWORD need = *len;
  char *b = malloc(need);
  assert_non_null(b);
  *len = need - 1;
  SetLastError(0);
  assert_false(GetLogicalProcessorInformationEx(
      rel, (SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *)(void *)b, len));
  assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
  assert_int_equal(*len, need);
  assert_true(GetLogicalProcessorInformationEx(
      rel, (SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *)(void *)b, len));
  assert_int_equal(*len, need);
  return (SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *)(void *)b;
}

#define NEXT_EX(r) \
  ((SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *)(void *)((char *)(r) + (r)->Size))

static void logical_processor_information_ex(void **state) {
  (void)state;
  static const LOGICAL_PROCESSOR_RELATIONSHIP one[] = {
      RelationProcessorCore, RelationNumaNode, RelationProcessorPackage,
      RelationGroup};
  for (size_t k = 0; k < sizeof(one) / sizeof(one[0]); k++) {
    DWORD len;
    SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *b = ex_records(one[k], &len);
    DWORD processors = 0;
    for (SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *r = b;
         (char *)r < (char *)b + len; r = NEXT_EX(r)) {
      assert_true(r->Size >= 8 && r->Size <= len);
      assert_int_equal(r->Relationship, one[k]);
      if (one[k] == RelationProcessorCore) {
        assert_true(r->Processor.GroupCount == 1);
        processors += (DWORD)bits(r->Processor.GroupMask[0].Mask);
      } else if (one[k] == RelationProcessorPackage) {
        assert_true(r->Processor.GroupCount >= 1);
        for (WORD g = 0; g < r->Processor.GroupCount; g++)
          processors += (DWORD)bits(r->Processor.GroupMask[g].Mask);
      } else if (one[k] == RelationNumaNode) {
        processors += (DWORD)bits(r->NumaNode.GroupMask.Mask);
      } else {
        assert_int_equal(r->Group.ActiveGroupCount,
                         GetActiveProcessorGroupCount());
        assert_true(r->Group.MaximumGroupCount >= r->Group.ActiveGroupCount);
        for (WORD g = 0; g < r->Group.ActiveGroupCount; g++) {
          PROCESSOR_GROUP_INFO *gi = &r->Group.GroupInfo[g];
          assert_int_equal(gi->ActiveProcessorCount,
                           bits(gi->ActiveProcessorMask));
          assert_true(gi->MaximumProcessorCount >= gi->ActiveProcessorCount);
          processors += gi->ActiveProcessorCount;
        }
      }
    }
    /* Cores, packages, nodes and groups each hold every processor
     * once (a node only if the NUMA nodes cover every group). */
    if (one[k] != RelationNumaNode || GetActiveProcessorGroupCount() == 1)
      assert_int_equal(processors,
                       GetActiveProcessorCount(ALL_PROCESSOR_GROUPS));
    free(b);
  }

  /* RelationAll: each kind asked for alone, in one buffer. */
  DWORD len;
  SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *b = ex_records(RelationAll, &len);
  int seen[5] = {0, 0, 0, 0, 0};
  for (SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *r = b;
       (char *)r < (char *)b + len; r = NEXT_EX(r)) {
    assert_true(r->Size >= 8 && r->Size <= len);
    if ((int)r->Relationship < 5)
      seen[r->Relationship]++;
    if (r->Relationship == RelationCache) {
      assert_true(r->Cache.Level >= 1 && r->Cache.Level <= 4);
      assert_true(r->Cache.CacheSize > 0);
      assert_true(r->Cache.GroupMask.Mask != 0);
    }
  }
  assert_true(seen[RelationProcessorCore] >= 1);
  assert_true(seen[RelationNumaNode] >= 1);
  assert_true(seen[RelationProcessorPackage] >= 1);
  assert_int_equal(seen[RelationGroup], 1);
  free(b);

  /* Not a relationship; no length. */
  len = 0;
  SetLastError(0);
  BOOL ok = GetLogicalProcessorInformationEx((LOGICAL_PROCESSOR_RELATIONSHIP)99,
                                             NULL, &len);
  DWORD err = GetLastError();
  if ((ok || err != ERROR_INVALID_PARAMETER) && h_on_wine())
    H_SKIP("known Wine difference: GetLogicalProcessorInformationEx of an "
           "unknown relationship returns %d with error %u; see "
           "docs/windows.md",
           (int)ok, (unsigned)err);
  assert_false(ok);
  assert_int_equal(err, ERROR_INVALID_PARAMETER);
  SetLastError(0);
  assert_false(GetLogicalProcessorInformationEx(RelationAll, NULL, NULL));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
}

#ifndef _WIN32
/* The newer relationships (Windows 11's; not in older headers). */
static void logical_processor_information_ex_newer(void **state) {
  (void)state;
  DWORD len;
  SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *b =
      ex_records(RelationProcessorDie, &len);
  DWORD processors = 0;
  for (SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *r = b;
       (char *)r < (char *)b + len; r = NEXT_EX(r)) {
    assert_int_equal(r->Relationship, RelationProcessorDie);
    for (WORD g = 0; g < r->Processor.GroupCount; g++)
      processors += (DWORD)bits(r->Processor.GroupMask[g].Mask);
  }
  assert_int_equal(processors, GetActiveProcessorCount(ALL_PROCESSOR_GROUPS));
  free(b);
  b = ex_records(RelationProcessorModule, &len);
  assert_int_equal(b->Relationship, RelationProcessorModule);
  free(b);
  /* RelationNumaNodeEx: RelationNumaNode's records. */
  DWORD l1, l2;
  b = ex_records(RelationNumaNodeEx, &l1);
  SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *c =
      ex_records(RelationNumaNode, &l2);
  assert_int_equal(l1, l2);
  assert_memory_equal(b, c, l1);
  assert_int_equal(c->NumaNode.GroupCount, 1);
  free(b);
  free(c);
}
#endif

/* ------------------------------------------------------------------------ */
/* Files                                                                     */
/* ------------------------------------------------------------------------ */

static ULONGLONG ft_of(FILETIME ft) {
  return (ULONGLONG)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
}

static FILETIME ft_make(ULONGLONG v) {
  FILETIME ft;
  ft.dwLowDateTime = (DWORD)v;
  ft.dwHighDateTime = (DWORD)(v >> 32);
  return ft;
}

static HANDLE open_file(const char *path, DWORD access, DWORD disposition) {
  HANDLE f = CreateFileA(path, access, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                         disposition, FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  return f;
}

static void set_file_time(void **state) {
  (void)state;
  char path[512];
  w_temp_path(path, sizeof(path), "w32si-times");
  HANDLE f = open_file(path, GENERIC_READ | GENERIC_WRITE, CREATE_ALWAYS);
  FILETIME c0, a0, w0;
  assert_true(GetFileTime(f, &c0, &a0, &w0));

  /* 2021-03-04 05:06:07.5 (in 100 ns since 1601) as the write time, a
   * minute later as the access time. */
  SYSTEMTIME st;
  memset(&st, 0, sizeof(st));
  st.wYear = 2021;
  st.wMonth = 3;
  st.wDay = 4;
  st.wHour = 5;
  st.wMinute = 6;
  st.wSecond = 7;
  st.wMilliseconds = 500;
  FILETIME w;
  assert_true(SystemTimeToFileTime(&st, &w));
  FILETIME a = ft_make(ft_of(w) + 600ull * 10000000u);
  assert_true(SetFileTime(f, NULL, &a, &w));
  FILETIME c1, a1, w1;
  assert_true(GetFileTime(f, &c1, &a1, &w1));
  assert_true(ft_of(w1) == ft_of(w));
  assert_true(ft_of(a1) == ft_of(a));
  bool creation_kept = ft_of(c1) == ft_of(c0);

  /* NULL and a FILETIME of 0 leave a time alone. */
  FILETIME zero = ft_make(0), w2 = ft_make(ft_of(w) + 10000000u);
  assert_true(SetFileTime(f, &zero, &zero, &w2));
  assert_true(GetFileTime(f, &c1, &a1, &w1));
  assert_true(ft_of(w1) == ft_of(w2));
  assert_true(ft_of(a1) == ft_of(a));
  assert_true(SetFileTime(f, NULL, NULL, NULL));
  assert_true(GetFileTime(f, NULL, NULL, &w1));
  assert_true(ft_of(w1) == ft_of(w2));

  /* The creation time given back as GetFileTime reports it. */
  assert_true(GetFileTime(f, &c1, NULL, NULL));
  assert_true(SetFileTime(f, &c1, NULL, NULL));
#ifndef _WIN32
  /* Linux cannot set it: refused, nothing changed. */
  FILETIME other = ft_make(ft_of(c1) - 10000000u);
  SetLastError(0);
  assert_false(SetFileTime(f, &other, NULL, &w));
  assert_int_equal(GetLastError(), ERROR_NOT_SUPPORTED);
  assert_true(GetFileTime(f, NULL, NULL, &w1));
  assert_true(ft_of(w1) == ft_of(w2));
  /* Past INT64_MAX, not -1 or -2. */
  FILETIME bad = ft_make(0x8000000000000000ull);
  SetLastError(0);
  assert_false(SetFileTime(f, NULL, &bad, NULL));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
#endif
  assert_true(CloseHandle(f));

  SetLastError(0);
  assert_false(SetFileTime(INVALID_HANDLE_VALUE, NULL, NULL, &w));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  assert_true(DeleteFileA(path));
  /* A NULL creation time leaves it as it was. */
  if (!creation_kept && h_on_wine())
    H_SKIP("known Wine difference: SetFileTime moves the creation time "
           "GetFileTime reports when it sets the others; see docs/windows.md");
  assert_true(creation_kept);
}

static void set_file_valid_data(void **state) {
  (void)state;
  char path[512];
  w_temp_path(path, sizeof(path), "w32si-valid");
  HANDLE f = open_file(path, GENERIC_READ | GENERIC_WRITE, CREATE_ALWAYS);
  LARGE_INTEGER size;
  size.QuadPart = 1 << 20;
  assert_true(SetFilePointerEx(f, size, NULL, FILE_BEGIN));
  assert_true(SetEndOfFile(f));
  SetLastError(0);
  BOOL ok = SetFileValidData(f, 4096);
#ifdef _WIN32
  /* Without SE_MANAGE_VOLUME_NAME enabled at the open, as a test runs. */
  if (!ok && !h_on_wine())
    assert_int_equal(GetLastError(), ERROR_PRIVILEGE_NOT_HELD);
#else
  /* Linux keeps no valid data length apart from the size: 1 to the size
   * succeed, the rest reads as zeros. */
  assert_true(ok);
  assert_true(SetFileValidData(f, size.QuadPart));
  LARGE_INTEGER at;
  at.QuadPart = 8192;
  assert_true(SetFilePointerEx(f, at, NULL, FILE_BEGIN));
  char buf[16];
  DWORD got = 0;
  assert_true(ReadFile(f, buf, sizeof(buf), &got, NULL));
  assert_int_equal(got, sizeof(buf));
  for (size_t i = 0; i < sizeof(buf); i++)
    assert_int_equal(buf[i], 0);
  static const LONGLONG bad[] = {0, -1, (1 << 20) + 1};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    SetLastError(0);
    assert_false(SetFileValidData(f, bad[i]));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  }
  GetFileSizeEx(f, &at);
  assert_true(at.QuadPart == size.QuadPart); /* the size never moves */
  /* Opened for reading only. */
  HANDLE r = open_file(path, GENERIC_READ, OPEN_EXISTING);
  SetLastError(0);
  assert_false(SetFileValidData(r, 4096));
  assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
  assert_true(CloseHandle(r));
#endif
  (void)ok;
  assert_true(CloseHandle(f));
  SetLastError(0);
  assert_false(SetFileValidData(INVALID_HANDLE_VALUE, 1));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  assert_true(DeleteFileA(path));
}

/* SetThreadGroupAffinity / GetThreadGroupAffinity: one group (0), the
 * thread's processors as its mask. */
static void thread_group_affinity(void **state) {
  (void)state;
  GROUP_AFFINITY now, old;
  memset(&now, 0, sizeof(now));
  assert_true(GetThreadGroupAffinity(GetCurrentThread(), &now));
  assert_int_equal(now.Group, 0);
  assert_true(now.Mask != 0);
  GROUP_AFFINITY one = now;
  one.Mask = now.Mask & (~now.Mask + 1); /* its lowest processor */
  assert_true(SetThreadGroupAffinity(GetCurrentThread(), &one, &old));
  assert_int_equal(old.Mask, now.Mask);
  GROUP_AFFINITY check;
  assert_true(GetThreadGroupAffinity(GetCurrentThread(), &check));
  assert_int_equal(check.Mask, one.Mask);
  assert_true(SetThreadGroupAffinity(GetCurrentThread(), &now, NULL));
  GROUP_AFFINITY other = now;
  other.Group = 7;
  assert_false(SetThreadGroupAffinity(GetCurrentThread(), &other, NULL));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(processor_counts),
      cmocka_unit_test(logical_processor_information),
      cmocka_unit_test(logical_processor_information_ex),
#ifndef _WIN32
      cmocka_unit_test(logical_processor_information_ex_newer),
#endif
      cmocka_unit_test(set_file_time),
      cmocka_unit_test(set_file_valid_data),
      cmocka_unit_test(thread_group_affinity),
  };
  return W_RUN("win32-sysinfo", tests);
}
