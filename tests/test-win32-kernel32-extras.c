/*
 * test-win32-kernel32-extras.c - the smaller names real Windows servers
 * reach for beside the I/O calls, written only against the Win32 API:
 * lstrcpyn, winnt.h's annotations and helpers (C_ASSERT, IN / OUT /
 * OPTIONAL / CONST, FORCEINLINE, DECLSPEC_CACHEALIGN, IsEqualGUID), the
 * 64-bit types as Windows has them (an `unsigned __int64 *` is a
 * PULONGLONG), the Interlocked pointer calls as statements and the
 * intrinsics' spellings, in_addr6, winnt.h's list links, the C
 * runtime's _fileno and _getpid,
 * winmm's timeGetTime and timer periods, IsDebuggerPresent,
 * Get/SetHandleInformation, psapi's GetProcessMemoryInfo, the C
 * runtime's SIGBREAK, stricmp, strnicmp and errno, MSG_MAXIOVLEN. The build is half the test: the suite builds
 * with -Werror, so a warning a correct program would draw fails it.
 */
#include <stdio.h>
#include <string.h>

#include "win32-util.h"

#include <signal.h>

#if defined(_WIN32)
#  include <intrin.h>
#  include <mmsystem.h>
#  include <process.h>
#  include <psapi.h>
#endif

C_ASSERT(sizeof(DWORD) == 4);
C_ASSERT(sizeof(ULONGLONG) == 8); /* (repeats, as in Windows headers) */

FORCEINLINE int twice(IN CONST int v, OUT int *out OPTIONAL) {
  if (out != NULL)
    *out = 2 * v;
  return 2 * v;
}

struct counters {
  DECLSPEC_CACHEALIGN volatile LONG hot;
};

/* The C runtime's older names a C++ IOCP framework used: stricmp and
 * strnicmp without the underscore, errno without <errno.h> (Microsoft's
 * stdlib.h declares it), and winsock2.h's MSG_MAXIOVLEN. */
static void older_runtime_names(void **state) {
  (void)state;
  assert_int_equal(stricmp("Hello", "hELLO"), 0);
  assert_true(stricmp("abc", "abd") < 0);
  assert_int_equal(strnicmp("ABCx", "abcy", 3), 0);
  assert_true(strnicmp("ABCx", "abcy", 4) < 0);
  errno = 0;
  assert_int_equal(errno, 0);
  assert_int_equal(MSG_MAXIOVLEN, 16);
  /* basetsd.h's casts; __declspec on a program's own declarations. */
  void *p = IntToPtr(-2);
  assert_int_equal(PtrToInt(p), -2);
  assert_int_equal(PtrToUlong(ULongToPtr(0xFFFFFFFFu)), 0xFFFFFFFFu);
  assert_int_equal(HandleToUlong(UlongToHandle(7)), 7);
  assert_int_equal(HandleToLong(LongToHandle(-1)), -1);
  assert_true(LongToHandle(-1) == INVALID_HANDLE_VALUE);
  assert_ptr_equal(Ptr64ToPtr(PtrToPtr64(p)), p);
  assert_ptr_equal(Handle64ToHandle(HandleToHandle64(LongToHandle(-1))),
                   INVALID_HANDLE_VALUE);
#if !defined(_WIN32) /* (mingw's GCC reads it as GCC's "align") */
  __declspec(align(16)) static char aligned[3];
  assert_int_equal((uintptr_t)aligned % 16, 0);
#endif
}

static void lstrcpyn_cuts_and_ends(void **state) {
  (void)state;
  char copy[16];
  assert_ptr_equal(lstrcpynA(copy, "hello", 3), copy);
  assert_string_equal(copy, "he");
  assert_ptr_equal(lstrcpynA(copy, "hi", 16), copy);
  assert_string_equal(copy, "hi");
  assert_ptr_equal(lstrcpynA(copy, "xyz", 0), copy); /* writes nothing */
  assert_string_equal(copy, "hi");
  WCHAR wcopy[8];
  assert_ptr_equal(lstrcpynW(wcopy, L"wide!", 5), wcopy);
  assert_true(lstrcmpW(wcopy, L"wide") == 0);
}

static void annotations_types_and_intrinsics(void **state) {
  (void)state;
  int out = 0;
  assert_int_equal(twice(21, &out), 42);
  assert_int_equal(out, 42);
  assert_int_equal(offsetof(struct counters, hot) % 64, 0);
  assert_int_equal(sizeof(struct counters) % 64, 0);
  GUID a = {1, 2, 3, {4, 5, 6, 7, 8, 9, 10, 11}}, b = a;
  assert_true(IsEqualGUID(&a, &b)); /* (C: REFGUID is a pointer) */
  b.Data4[7] = 0;
  assert_false(IsEqualGUID(&a, &b));
  /* MSVC's __int64 and the Windows typedefs are one type. */
  unsigned __int64 u = 5;
  PULONGLONG pu = &u;
  __int64 s = -5;
  PLONGLONG ps = &s;
  ULONGLONG t = GetTickCount64();
  ULONGLONG later = t > 100ULL ? t : 100ULL;
  assert_true(*pu == 5 && *ps == -5 && later >= 100);
  /* The pointer calls as statements (no unused-value warning), and the
   * intrinsics' spellings. */
  static PVOID volatile slot;
  int x = 1, y = 2;
  InterlockedExchangePointer(&slot, &x);
  InterlockedCompareExchangePointer(&slot, &y, &x);
  assert_ptr_equal(slot, &y);
  assert_ptr_equal(InterlockedCompareExchangePointer(&slot, NULL, &x), &y);
  static volatile LONG n;
  _InterlockedIncrement(&n);
  assert_int_equal(_InterlockedExchangeAdd(&n, 2), 1);
  assert_int_equal(_InterlockedCompareExchange(&n, 7, 3), 3);
  assert_int_equal(n, 7);
  struct in_addr6 any6;
  memset(&any6, 0, sizeof(any6));
  assert_int_equal(sizeof(any6), 16);
}

/* winnt.h's list links with the helpers a program writes itself (the
 * driver kit's names, which user-mode programs define). */
static void init_list(PLIST_ENTRY head) {
  head->Flink = head->Blink = head;
}

static void insert_tail(PLIST_ENTRY head, PLIST_ENTRY e) {
  e->Flink = head;
  e->Blink = head->Blink;
  head->Blink->Flink = e;
  head->Blink = e;
}

static void unlink_entry(PLIST_ENTRY e) {
  e->Blink->Flink = e->Flink;
  e->Flink->Blink = e->Blink;
}

struct session {
  int id;
  LIST_ENTRY link;
  SINGLE_LIST_ENTRY free_link;
};

static void list_links(void **state) {
  (void)state;
  LIST_ENTRY head;
  init_list(&head);
  struct session s[3] = {{.id = 1}, {.id = 2}, {.id = 3}};
  SINGLE_LIST_ENTRY free_list = {NULL};
  for (int i = 0; i < 3; i++) {
    insert_tail(&head, &s[i].link);
    s[i].free_link.Next = free_list.Next;
    free_list.Next = &s[i].free_link;
  }
  unlink_entry(&s[1].link);
  int ids = 0;
  for (PLIST_ENTRY e = head.Flink; e != &head; e = e->Flink)
    ids = ids * 10 + CONTAINING_RECORD(e, struct session, link)->id;
  assert_int_equal(ids, 13);
  PSINGLE_LIST_ENTRY top = free_list.Next;
  assert_int_equal(CONTAINING_RECORD(top, struct session, free_link)->id, 3);
  PRLIST_ENTRY r = &head;
  assert_ptr_equal(r->Blink, &s[2].link);
}

static void runtime_process_and_time(void **state) {
  (void)state;
  assert_int_equal(_fileno(stdin), 0);
  assert_int_equal(_fileno(stderr), 2);
  assert_int_equal((DWORD)_getpid(), GetCurrentProcessId());
  DWORD t0 = timeGetTime();
  DWORD tick = GetTickCount();
  assert_true(tick - t0 < 1000 || t0 - tick < 1000);
  assert_int_equal(timeBeginPeriod(1), TIMERR_NOERROR);
  Sleep(20);
  assert_true(timeGetTime() - t0 >= 15);
  assert_int_equal(timeEndPeriod(1), TIMERR_NOERROR);
  assert_false(IsDebuggerPresent()); /* (the suite runs untraced) */
}

/* A socket's inherit flag reads back as set; a closed handle fails. */
/* psapi's GetProcessMemoryInfo: the working set grows as pages are
 * touched, peaks are at least the current values; the extended form adds
 * the private bytes; a short buffer or another handle is refused. */
static void process_memory_info(void **state) {
  (void)state;
  PROCESS_MEMORY_COUNTERS_EX before, after;
  memset(&before, 0, sizeof(before));
  assert_true(GetProcessMemoryInfo(
      GetCurrentProcess(), (PPROCESS_MEMORY_COUNTERS)&before, sizeof(before)));
  assert_true(before.WorkingSetSize > 0 && before.PagefileUsage > 0);
  assert_true(before.PeakWorkingSetSize >= before.WorkingSetSize);
  assert_true(before.PeakPagefileUsage >= before.PagefileUsage);
  if (h_on_wine() && before.PrivateUsage == 0)
    H_SKIP("known Wine difference: GetProcessMemoryInfo leaves PrivateUsage "
           "and PageFaultCount 0; see docs/windows.md");
  assert_true(before.PrivateUsage > 0);
  size_t big = 64u << 20;
  char *p = VirtualAlloc(NULL, big, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  assert_non_null(p);
  for (size_t i = 0; i < big; i += 4096)
    p[i] = 1;
  PROCESS_MEMORY_COUNTERS pmc;
  memset(&pmc, 0, sizeof(pmc));
  assert_true(GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof(pmc)));
  assert_true(pmc.WorkingSetSize >= before.WorkingSetSize + big / 2);
  assert_true(pmc.PagefileUsage >= before.PagefileUsage + big / 2);
  assert_true(pmc.PageFaultCount >= before.PageFaultCount + big / 8192);
  assert_true(VirtualFree(p, 0, MEM_RELEASE));
  memset(&after, 0, sizeof(after));
  assert_true(GetProcessMemoryInfo(
      GetCurrentProcess(), (PPROCESS_MEMORY_COUNTERS)&after, sizeof(after)));
  assert_true(after.PeakWorkingSetSize >= pmc.WorkingSetSize);
  assert_true(after.PeakPagefileUsage >= pmc.PagefileUsage);
  SetLastError(0);
  assert_false(
      GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof(pmc) - 1));
  assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
}

/* The C runtime's Ctrl-Break signal, another than Ctrl-C's. */
static volatile sig_atomic_t breaks;

static void on_break(int sig) {
  if (sig == SIGBREAK)
    breaks++;
}

static void sigbreak_is_its_own_signal(void **state) {
  (void)state;
  assert_true(SIGBREAK != SIGINT && SIGBREAK != SIGTERM);
  assert_true(signal(SIGBREAK, on_break) != SIG_ERR);
  assert_int_equal(raise(SIGBREAK), 0);
  assert_int_equal(breaks, 1);
  signal(SIGBREAK, SIG_DFL);
}

static void handle_information(void **state) {
  (void)state;
  SOCKET s = w_tcp();
  DWORD flags = 77;
  assert_true(SetHandleInformation((HANDLE)s, HANDLE_FLAG_INHERIT, 0));
  assert_true(GetHandleInformation((HANDLE)s, &flags));
  assert_int_equal(flags & HANDLE_FLAG_INHERIT, 0);
  assert_true(SetHandleInformation((HANDLE)s, HANDLE_FLAG_INHERIT,
                                   HANDLE_FLAG_INHERIT));
  assert_true(GetHandleInformation((HANDLE)s, &flags));
  assert_int_equal(flags & HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  closesocket(s);
#if !defined(_WIN32)
  /* The layer's objects are never inherited: asking for it fails. */
  HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
  assert_true(SetHandleInformation(ev, HANDLE_FLAG_INHERIT, 0));
  assert_false(
      SetHandleInformation(ev, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT));
  assert_int_equal(GetLastError(), ERROR_NOT_SUPPORTED);
  assert_true(CloseHandle(ev));
  assert_false(GetHandleInformation(ev, &flags));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lstrcpyn_cuts_and_ends),
      cmocka_unit_test(annotations_types_and_intrinsics),
      cmocka_unit_test(list_links),
      cmocka_unit_test(older_runtime_names),
      cmocka_unit_test(runtime_process_and_time),
      cmocka_unit_test(handle_information),
      cmocka_unit_test(process_memory_info),
      cmocka_unit_test(sigbreak_is_its_own_signal),
  };
  return W_RUN("win32-kernel32-extras", tests);
}
