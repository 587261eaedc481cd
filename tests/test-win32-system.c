/*
 * test-win32-system.c - the system calls around an IOCP server, through
 * the Win32 API (real on Windows, the layer on Linux): FormatMessage for
 * system codes, heap / global / virtual memory, strings and UTF-8
 * conversion, GetVersionEx and the base types and macros, a thread's
 * times (GetThreadTimes), console control
 * handlers (order, their own thread, removal, ignoring Ctrl-C, the
 * default ending the process) and console output.
 */
#include <ctype.h>
#include <stdarg.h>
#include <wchar.h>

#include "win32-util.h"

#if !defined(_WIN32)
#  include <signal.h>
#  include <sys/wait.h>
#  include <unistd.h>
#endif

/* ------------------------------------------------------------------------ */
/* FormatMessage                                                             */
/* ------------------------------------------------------------------------ */

static bool contains_ci(const char *s, const char *word) {
  size_t n = strlen(word);
  for (; *s; s++) {
    size_t i = 0;
    while (i < n && s[i] && tolower((unsigned char)s[i]) == word[i])
      i++;
    if (i == n)
      return true;
  }
  return false;
}

static void format_message_for_system_codes(void **state) {
  (void)state;
  char buf[512];
  DWORD lang = MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT);
  DWORD flags = FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS;
  DWORD n = FormatMessageA(flags, NULL, ERROR_FILE_NOT_FOUND, lang, buf,
                           sizeof(buf), NULL);
  assert_true(n > 2);
  assert_int_equal(strlen(buf), n);
  assert_memory_equal(buf + n - 2, "\r\n", 2);
  assert_true(contains_ci(buf, "file"));
  /* Allocated for the caller; LocalFree gives it back. */
  LPSTR p = NULL;
  n = FormatMessageA(flags | FORMAT_MESSAGE_ALLOCATE_BUFFER, NULL,
                     WSAECONNRESET, lang, (LPSTR)&p, 0, NULL);
  assert_true(n > 0);
  assert_non_null(p);
  assert_int_equal(strlen(p), n);
  assert_null(LocalFree(p));
  /* Too small, and a code without a message. */
  assert_int_equal(
      FormatMessageA(flags, NULL, ERROR_ACCESS_DENIED, lang, buf, 4, NULL), 0);
  assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
  assert_int_equal(
      FormatMessageA(flags, NULL, 0x2FFFFFF0u, lang, buf, sizeof(buf), NULL),
      0);
  assert_int_equal(GetLastError(), ERROR_MR_MID_NOT_FOUND);
  WCHAR wbuf[512];
  n = FormatMessageW(flags, NULL, ERROR_ACCESS_DENIED, lang, wbuf, 512, NULL);
  assert_true(n > 2);
  assert_true(wbuf[n - 2] == L'\r' && wbuf[n - 1] == L'\n');
}

/* ------------------------------------------------------------------------ */
/* Memory                                                                    */
/* ------------------------------------------------------------------------ */

static bool all_zero(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != 0)
      return false;
  return true;
}

static void heap_and_global_memory(void **state) {
  (void)state;
  HANDLE heap = GetProcessHeap();
  assert_non_null(heap);
  unsigned char *p = HeapAlloc(heap, HEAP_ZERO_MEMORY, 100);
  assert_non_null(p);
  assert_true(((uintptr_t)p & (sizeof(void *) * 2 - 1)) == 0);
  assert_true(all_zero(p, 100));
  assert_int_equal(HeapSize(heap, 0, p), 100);
  memset(p, 0x5A, 100);
  p = HeapReAlloc(heap, HEAP_ZERO_MEMORY, p, 300);
  assert_non_null(p);
  assert_int_equal(HeapSize(heap, 0, p), 300);
  assert_int_equal(p[99], 0x5A);
  assert_true(all_zero(p + 100, 200));
  assert_true(HeapFree(heap, 0, p));
  assert_true(HeapFree(heap, 0, NULL));
  unsigned char *g = GlobalAlloc(GPTR, 64);
  assert_non_null(g);
  assert_true(all_zero(g, 64));
  assert_true(GlobalSize(g) >= 64);
  assert_null(GlobalFree(g));
  unsigned char *l = LocalAlloc(LPTR, 32);
  assert_non_null(l);
  assert_true(all_zero(l, 32));
  assert_true(LocalSize(l) >= 32);
  assert_null(LocalFree(l));
}

static void virtual_memory(void **state) {
  (void)state;
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  unsigned char *p =
      VirtualAlloc(NULL, 100000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  assert_non_null(p);
  assert_true(((uintptr_t)p % si.dwAllocationGranularity) == 0);
  assert_true(all_zero(p, 100000));
  memset(p, 1, 100000);
  assert_true(VirtualFree(p, 0, MEM_RELEASE));
  /* Reserve, then commit a page inside, decommit it, release it all. */
  p = VirtualAlloc(NULL, 1u << 20, MEM_RESERVE, PAGE_NOACCESS);
  assert_non_null(p);
  unsigned char *page = p + 2 * si.dwPageSize;
  assert_ptr_equal(
      VirtualAlloc(page, si.dwPageSize, MEM_COMMIT, PAGE_READWRITE), page);
  page[0] = 7;
  page[si.dwPageSize - 1] = 8;
  assert_true(VirtualFree(page, si.dwPageSize, MEM_DECOMMIT));
  assert_ptr_equal(
      VirtualAlloc(page, si.dwPageSize, MEM_COMMIT, PAGE_READWRITE), page);
  assert_int_equal(page[0], 0); /* decommitted: the contents went */
  /* MEM_RESET: committed pages stay usable, their contents kept or
   * zeroes. */
  page[1] = 9;
  assert_ptr_equal(VirtualAlloc(page, si.dwPageSize, MEM_RESET, PAGE_READWRITE),
                   page);
  assert_true(page[1] == 9 || page[1] == 0);
  page[2] = 5;
  assert_int_equal(page[2], 5);
  assert_false(VirtualFree(page, 0, MEM_RELEASE)); /* not the base */
  assert_true(VirtualFree(p, 0, MEM_RELEASE));
  assert_null(VirtualAlloc(NULL, 0, MEM_COMMIT, PAGE_READWRITE));
}

/* ------------------------------------------------------------------------ */
/* Strings, versions, types                                                  */
/* ------------------------------------------------------------------------ */

static void strings_and_utf8(void **state) {
  (void)state;
  assert_int_equal(lstrlenA("hello"), 5);
  assert_int_equal(lstrlenA(NULL), 0);
  assert_int_equal(lstrlenW(L"hello"), 5);
  assert_int_equal(lstrcmpiA("Hello", "hELLO"), 0);
  char copy[16];
  lstrcpyA(copy, "ab");
  lstrcatA(copy, "cd");
  assert_string_equal(copy, "abcd");
  const char *utf8 = "h\xc3\xa9llo \xe2\x82\xac"; /* "héllo €" */
  int n = MultiByteToWideChar(CP_UTF8, 0, utf8, -1, NULL, 0);
  assert_int_equal(n, 8); /* seven characters and the NUL */
  WCHAR w[16];
  assert_int_equal(MultiByteToWideChar(CP_UTF8, 0, utf8, -1, w, 16), 8);
  assert_true(w[1] == 0xE9 && w[6] == 0x20AC && w[7] == 0);
  char back[32];
  n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
  assert_int_equal(n, (int)strlen(utf8) + 1);
  assert_int_equal(
      WideCharToMultiByte(CP_UTF8, 0, w, -1, back, sizeof(back), NULL, NULL),
      n);
  assert_string_equal(back, utf8);
  assert_int_equal(MultiByteToWideChar(CP_UTF8, 0, utf8, -1, w, 3), 0);
  assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
  assert_int_equal(MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS,
                                       "a\xff"
                                       "b",
                                       3, w, 16),
                   0);
  assert_int_equal(GetLastError(), ERROR_NO_UNICODE_TRANSLATION);
  /* Without the flag an invalid byte becomes U+FFFD. */
  assert_int_equal(MultiByteToWideChar(CP_UTF8, 0,
                                       "a\xff"
                                       "b",
                                       3, w, 16),
                   3);
  assert_true(w[1] == 0xFFFD);
}

static void version_types_and_macros(void **state) {
  (void)state;
  OSVERSIONINFO vi;
  memset(&vi, 0, sizeof(vi));
  vi.dwOSVersionInfoSize = sizeof(vi);
  assert_true(GetVersionEx(&vi));
  assert_int_equal(vi.dwPlatformId, VER_PLATFORM_WIN32_NT);
  assert_true(vi.dwMajorVersion >= 6);
  vi.dwOSVersionInfoSize = 3;
  assert_false(GetVersionEx(&vi));
  assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
  assert_true(SUCCEEDED(S_OK) && !FAILED(S_FALSE) && FAILED(E_FAIL));
  assert_true(HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED) == E_ACCESSDENIED);
  assert_true(HRESULT_FROM_WIN32(ERROR_SUCCESS) == S_OK);
  ULARGE_INTEGER u;
  u.QuadPart = 0x123456789ull;
  assert_int_equal(u.LowPart, 0x23456789u);
  assert_int_equal(u.HighPart, 1);
  assert_int_equal(sizeof(USHORT), 2);
  assert_int_equal(sizeof(DWORD), 4);
  assert_int_equal(sizeof(ULONG_PTR), sizeof(void *));
  assert_int_equal(MAX_PATH, 260);
  assert_int_equal(LOWORD(0x12345678u), 0x5678);
  assert_int_equal(HIWORD(0x12345678u), 0x1234);
  assert_int_equal(min(3, 4), 3);
  assert_int_equal(max(3, 4), 4);
  assert_true(GetCurrentProcessId() != 0);
  SYSTEMTIME st;
  GetSystemTime(&st);
  assert_true(st.wYear >= 2024 && st.wMonth >= 1 && st.wMonth <= 12);
  SYSTEMTIME lt;
  GetLocalTime(&lt);
  assert_true(lt.wYear >= 2024 && lt.wDay >= 1 && lt.wDay <= 31);
  FILETIME ft;
  GetSystemTimeAsFileTime(&ft);
  ULARGE_INTEGER since1601;
  since1601.LowPart = ft.dwLowDateTime;
  since1601.HighPart = ft.dwHighDateTime;
  /* 2024-01-01 is 133 485 408 000 000 000 hundred-nanoseconds after 1601. */
  assert_true(since1601.QuadPart > 133485408000000000ull);
  assert_true(GetActiveProcessorCount(ALL_PROCESSOR_GROUPS) >= 1);
  ULONGLONG t0 = w_now_ms();
  assert_int_equal(SleepEx(30, FALSE), 0);
  assert_true(w_now_ms() - t0 >= 25);
  char path[MAX_PATH];
  DWORD n = GetModuleFileNameA(NULL, path, sizeof(path));
  assert_true(n > 0 && n < sizeof(path));
  assert_non_null(strstr(path, "test-win32-system"));
}

/* ------------------------------------------------------------------------ */
/* Modules                                                                   */
/* ------------------------------------------------------------------------ */

typedef BOOL(WINAPI *gqcs_ex_fn)(HANDLE, LPOVERLAPPED_ENTRY, ULONG, PULONG,
                                 DWORD, BOOL);

/* What portable code does before it uses a newer call: look it up in the
 * system module, and fall back where it is missing. */
static void functions_found_at_run_time(void **state) {
  (void)state;
  HMODULE k32 = GetModuleHandleA("kernel32.dll");
  assert_non_null(k32);
  assert_ptr_equal(GetModuleHandleA("KERNEL32"), k32);
  assert_non_null(GetModuleHandleW(L"kernel32.dll"));
  assert_non_null(GetModuleHandleA(NULL));
  FARPROC f = GetProcAddress(k32, "GetQueuedCompletionStatusEx");
  assert_non_null(f);
  gqcs_ex_fn gqcs_ex;
  memcpy(&gqcs_ex, &f, sizeof(gqcs_ex));
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  assert_non_null(port);
  assert_true(PostQueuedCompletionStatus(port, 5, 7, NULL));
  OVERLAPPED_ENTRY e[2];
  ULONG n = 0;
  assert_true(gqcs_ex(port, e, 2, &n, 1000, FALSE));
  assert_int_equal(n, 1);
  assert_int_equal(e[0].dwNumberOfBytesTransferred, 5);
  assert_int_equal(e[0].lpCompletionKey, 7);
  assert_true(CloseHandle(port));
  assert_non_null(GetProcAddress(k32, "SetFileCompletionNotificationModes"));
  HMODULE ws = LoadLibraryA("ws2_32.dll");
  assert_non_null(ws);
  assert_non_null(GetProcAddress(ws, "WSAIoctl"));
  assert_true(FreeLibrary(ws));
  /* Missing names and modules. */
  SetLastError(0);
  assert_null(GetProcAddress(k32, "NoSuchFunctionInKernel32"));
  assert_int_equal(GetLastError(), ERROR_PROC_NOT_FOUND);
  SetLastError(0);
  assert_null(LoadLibraryA("no-such-module-cport.dll"));
  assert_int_equal(GetLastError(), ERROR_MOD_NOT_FOUND);
  SetLastError(0);
  assert_null(GetModuleHandleA("no-such-module-cport.dll"));
  assert_int_equal(GetLastError(), ERROR_MOD_NOT_FOUND);
#ifndef _WIN32
  /* The layer's own answers: the C library's names are not the layer's,
   * and it has no ordinals. */
  assert_null(GetProcAddress(k32, "printf"));
  assert_int_equal(GetLastError(), ERROR_PROC_NOT_FOUND);
  assert_null(GetProcAddress(k32, (LPCSTR)(uintptr_t)1));
  assert_int_equal(GetLastError(), ERROR_PROC_NOT_FOUND);
#endif
}

/* RtlNtStatusToDosError, found in ntdll at run time as its page says (it
 * has no import library): what a BindIoCompletionCallback routine's
 * status means. */
typedef ULONG(WINAPI *nt_to_dos_fn)(NTSTATUS);

static void nt_status_to_dos_error(void **state) {
  (void)state;
  HMODULE nt = GetModuleHandleA("ntdll.dll");
  assert_non_null(nt);
  FARPROC f = GetProcAddress(nt, "RtlNtStatusToDosError");
  assert_non_null(f);
  nt_to_dos_fn conv;
  memcpy(&conv, &f, sizeof(conv));
  static const struct {
    DWORD nt;
    ULONG win;
  } cases[] = {
      {0x00000000u, ERROR_SUCCESS},
      {0x00000103u, ERROR_IO_PENDING},
      {0x80000005u, ERROR_MORE_DATA},
      {0xC0000008u, ERROR_INVALID_HANDLE},
      {0xC000000Du, ERROR_INVALID_PARAMETER},
      {0xC0000011u, ERROR_HANDLE_EOF},
      {0xC0000022u, ERROR_ACCESS_DENIED},
      {0xC0000034u, ERROR_FILE_NOT_FOUND},
      {0xC0000120u, ERROR_OPERATION_ABORTED},
      {0xC000013Bu, ERROR_NETNAME_DELETED},
      {0xC000014Bu, ERROR_BROKEN_PIPE},
      {0xC000020Du, ERROR_NETNAME_DELETED},
      {0xC0000236u, ERROR_CONNECTION_REFUSED},
      {0xC0000241u, ERROR_CONNECTION_ABORTED},
      {0xC0070057u, ERROR_INVALID_PARAMETER}, /* FACILITY_NTWIN32 */
      {0xC0DEDEADu, ERROR_MR_MID_NOT_FOUND},  /* unknown */
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    assert_int_equal(conv((NTSTATUS)cases[i].nt), cases[i].win);
#ifndef _WIN32
  assert_int_equal(RtlNtStatusToDosError(STATUS_CANCELLED),
                   ERROR_OPERATION_ABORTED); /* declared, too */
#endif
}

/* ------------------------------------------------------------------------ */
/* The process and the machine                                              */
/* ------------------------------------------------------------------------ */

static void environment_variables(void **state) {
  (void)state;
  char b[32];
  assert_true(SetEnvironmentVariableA("CPORT_TEST_VAR", "value 1"));
  assert_int_equal(GetEnvironmentVariableA("CPORT_TEST_VAR", b, sizeof(b)), 7);
  assert_string_equal(b, "value 1");
  /* Names match without regard to case. */
  assert_int_equal(GetEnvironmentVariableA("cport_test_var", b, sizeof(b)), 7);
  /* Too small, or no buffer: the size needed, the NUL counted. */
  assert_int_equal(GetEnvironmentVariableA("CPORT_TEST_VAR", b, 7), 8);
  assert_int_equal(GetEnvironmentVariableA("CPORT_TEST_VAR", NULL, 0), 8);
  WCHAR w[32];
  assert_int_equal(GetEnvironmentVariableW(L"CPORT_TEST_VAR", w, 32), 7);
  assert_true(wcscmp(w, L"value 1") == 0);
  assert_int_equal(GetEnvironmentVariableW(L"CPORT_TEST_VAR", w, 3), 8);
  /* Setting a name that differs in case changes the one variable. */
  assert_true(SetEnvironmentVariableA("cport_test_var", "two"));
  assert_int_equal(GetEnvironmentVariableA("CPORT_TEST_VAR", b, sizeof(b)), 3);
  assert_string_equal(b, "two");
  /* NULL deletes; a missing variable is 0 with ERROR_ENVVAR_NOT_FOUND. */
  assert_true(SetEnvironmentVariableA("Cport_Test_Var", NULL));
  SetLastError(0);
  assert_int_equal(GetEnvironmentVariableA("CPORT_TEST_VAR", b, sizeof(b)), 0);
  assert_int_equal(GetLastError(), ERROR_ENVVAR_NOT_FOUND);
  assert_true(SetEnvironmentVariableW(L"CPORT_TEST_W", L"wide"));
  assert_int_equal(GetEnvironmentVariableA("CPORT_TEST_W", b, sizeof(b)), 4);
  assert_string_equal(b, "wide");
  assert_true(SetEnvironmentVariableW(L"CPORT_TEST_W", NULL));
  assert_int_equal(GetEnvironmentVariableW(L"CPORT_TEST_W", w, 32), 0);
  assert_int_equal(GetLastError(), ERROR_ENVVAR_NOT_FOUND);
  /* A name with '=' cannot be set. */
  assert_false(SetEnvironmentVariableA("CPORT=BAD", "x"));
}

static void machine_and_process(void **state) {
  (void)state;
  char name[MAX_COMPUTERNAME_LENGTH + 1];
  DWORD size = sizeof(name);
  assert_true(GetComputerNameA(name, &size));
  assert_int_equal(size, strlen(name));
  assert_in_range(size, 1, MAX_COMPUTERNAME_LENGTH);
  WCHAR wname[MAX_COMPUTERNAME_LENGTH + 1];
  DWORD wsize = MAX_COMPUTERNAME_LENGTH + 1;
  assert_true(GetComputerNameW(wname, &wsize));
  assert_int_equal(wsize, size);
  for (DWORD i = 0; i < size; i++)
    assert_int_equal(wname[i], (unsigned char)name[i]);
  /* Too small: ERROR_BUFFER_OVERFLOW and the size needed. */
  DWORD small = 1;
  assert_false(GetComputerNameA(name, &small));
  assert_int_equal(GetLastError(), ERROR_BUFFER_OVERFLOW);
  assert_int_equal(small, size + 1);

  char tmp[MAX_PATH];
  DWORD n = GetTempPathA(MAX_PATH, tmp);
  assert_in_range(n, 2, MAX_PATH - 1);
  assert_int_equal(strlen(tmp), n);
#if defined(_WIN32)
  assert_int_equal(tmp[n - 1], '\\');
#else
  assert_int_equal(tmp[n - 1], '/');
#endif
  assert_int_equal(GetTempPathA(0, NULL), n + 1);
  WCHAR wtmp[MAX_PATH];
  assert_int_equal(GetTempPathW(MAX_PATH, wtmp), n);

  /* The command line names the program. */
  LPSTR line = GetCommandLineA();
  assert_non_null(line);
  assert_non_null(strstr(line, "test-win32-system"));
  assert_ptr_equal(GetCommandLineA(), line);
  assert_non_null(wcsstr(GetCommandLineW(), L"test-win32-system"));

  MEMORYSTATUSEX mem;
  memset(&mem, 0, sizeof(mem));
  mem.dwLength = sizeof(mem);
  assert_true(GlobalMemoryStatusEx(&mem));
  assert_true(mem.ullTotalPhys > 0);
  assert_true(mem.ullAvailPhys <= mem.ullTotalPhys);
  assert_in_range(mem.dwMemoryLoad, 0, 100);
  assert_true(mem.ullTotalPageFile >= mem.ullAvailPageFile);
  assert_true(mem.ullAvailVirtual > 0);
  assert_true(mem.ullAvailVirtual <= mem.ullTotalVirtual);

  void(WINAPI * precise)(LPFILETIME) = NULL;
  W_KERNEL32_FN(precise, "GetSystemTimePreciseAsFileTime");
  if (precise != NULL) {
    FILETIME a, b2;
    GetSystemTimeAsFileTime(&a);
    precise(&b2);
    ULONGLONG ta = ((ULONGLONG)a.dwHighDateTime << 32) | a.dwLowDateTime;
    ULONGLONG tb = ((ULONGLONG)b2.dwHighDateTime << 32) | b2.dwLowDateTime;
    /* Within a second (Windows' coarse clock may be 16 ms behind). */
    assert_true(tb + 10000000u > ta && tb < ta + 10000000u);
  }
}

/* CommandLineToArgvW on one line: argc, then each argument. */
static void check_split(LPCWSTR line, int want_argc, ...) {
  int argc = -1;
  LPWSTR *argv = CommandLineToArgvW(line, &argc);
  assert_non_null(argv);
  assert_int_equal(argc, want_argc);
  va_list ap;
  va_start(ap, want_argc);
  for (int i = 0; i < argc; i++) {
    LPCWSTR want = va_arg(ap, LPCWSTR);
    if (wcscmp(argv[i], want) != 0) {
      char got8[128], want8[128];
      WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, got8, sizeof(got8), NULL,
                          NULL);
      WideCharToMultiByte(CP_UTF8, 0, want, -1, want8, sizeof(want8), NULL,
                          NULL);
      fail_msg("argument %d: \"%s\", not \"%s\"", i, got8, want8);
    }
  }
  va_end(ap);
  assert_null(argv[argc]);
  assert_null(LocalFree(argv));
}

static void command_lines_and_cpu_times(void **state) {
  (void)state;
  check_split(L"prog a b", 3, L"prog", L"a", L"b");
  check_split(L"prog  \t a\t\tb  ", 3, L"prog", L"a", L"b");
  /* The program's name: quotes, and no backslash rules. */
  check_split(L"\"C:\\Program Files\\x.exe\" -v", 2,
              L"C:\\Program Files\\x.exe", L"-v");
  check_split(L"C:\\dir\\x.exe\\ a", 2, L"C:\\dir\\x.exe\\", L"a");
  /* Quotes group; 2n backslashes and a quote: n and a quote that opens or
   * closes; 2n + 1: n and a literal quote; others literal. */
  check_split(L"p \"a b\" c", 3, L"p", L"a b", L"c");
  check_split(L"p a\"b c\"d", 2, L"p", L"ab cd");
  check_split(L"p a\\\\b", 2, L"p", L"a\\\\b");
  check_split(L"p a\\\"b", 2, L"p", L"a\"b");
  check_split(L"p a\\\\\"b c\"", 2, L"p", L"a\\b c");
  check_split(L"p a\\\\\\\"b", 2, L"p", L"a\\\"b");
  check_split(L"p \"\"", 2, L"p", L"");
  /* An empty line: the executable alone. */
  int argc = 0;
  LPWSTR *argv = CommandLineToArgvW(L"", &argc);
  assert_non_null(argv);
  assert_int_equal(argc, 1);
  assert_non_null(wcsstr(argv[0], L"test-win32-system"));
  LocalFree(argv);
  /* The process's own line splits to its arguments. */
  argv = CommandLineToArgvW(GetCommandLineW(), &argc);
  assert_non_null(argv);
  assert_true(argc >= 1);
  assert_non_null(wcsstr(argv[0], L"test-win32-system"));
  LocalFree(argv);

  /* CPU time: the process's grows as it works; it started before now. */
  FILETIME created, ended, kernel, user, now;
  assert_true(
      GetProcessTimes(GetCurrentProcess(), &created, &ended, &kernel, &user));
  GetSystemTimeAsFileTime(&now);
  ULONGLONG c =
      ((ULONGLONG)created.dwHighDateTime << 32) | created.dwLowDateTime;
  ULONGLONG n = ((ULONGLONG)now.dwHighDateTime << 32) | now.dwLowDateTime;
  assert_true(c > 0 && c <= n);
  assert_true(n - c < 3600ull * 10000000u); /* started within the hour */
  ULONGLONG u0 = ((ULONGLONG)user.dwHighDateTime << 32) | user.dwLowDateTime;
  volatile unsigned long spin = 0;
  ULONGLONG until = GetTickCount64() + 200;
  while (GetTickCount64() < until)
    spin++;
  assert_true(
      GetProcessTimes(GetCurrentProcess(), &created, &ended, &kernel, &user));
  ULONGLONG u1 = ((ULONGLONG)user.dwHighDateTime << 32) | user.dwLowDateTime;
  assert_true(u1 > u0);
  FILETIME idle, skernel, suser;
  assert_true(GetSystemTimes(&idle, &skernel, &suser));
  ULONGLONG ik = ((ULONGLONG)idle.dwHighDateTime << 32) | idle.dwLowDateTime;
  ULONGLONG kk =
      ((ULONGLONG)skernel.dwHighDateTime << 32) | skernel.dwLowDateTime;
  /* Kernel time includes idle time. */
  assert_true(kk >= ik);
  assert_true(GetSystemTimes(NULL, NULL, &suser));
}

/* ------------------------------------------------------------------------ */
/* A thread's times                                                          */
/* ------------------------------------------------------------------------ */

static ULONGLONG ft_value(const FILETIME *f) {
  return ((ULONGLONG)f->dwHighDateTime << 32) | f->dwLowDateTime;
}

/* The calling thread's CPU time in 100 ns units, by GetThreadTimes. */
static ULONGLONG own_cpu(void) {
  FILETIME c, e, k, u;
  assert_true(GetThreadTimes(GetCurrentThread(), &c, &e, &k, &u));
  return ft_value(&k) + ft_value(&u);
}

#define BURN_UNITS (60ull * 10000u) /* 60 ms of CPU */

struct burner {
  HANDLE burned; /* set once it spent BURN_UNITS */
  HANDLE go_on;  /* set to let it end */
};

/* Spins until GetThreadTimes says it spent BURN_UNITS (10 s at most),
 * then waits to be let go. */
static DWORD WINAPI burn(LPVOID arg) {
  struct burner *b = arg;
  volatile unsigned long spin = 0;
  ULONGLONG until = GetTickCount64() + 10000;
  while (own_cpu() < BURN_UNITS && GetTickCount64() < until)
    for (int i = 0; i < 100000; i++)
      spin++;
  SetEvent(b->burned);
  WaitForSingleObject(b->go_on, 10000);
  return 0;
}

static void thread_times(void **state) {
  (void)state;
  /* (Clock granularity: Windows' system time moves in steps of up to
   * 15.6 ms.) */
  const ULONGLONG slack = 20ull * 10000u;
  FILETIME before, after, c, e, k, u;
  GetSystemTimeAsFileTime(&before);
  struct burner b = {CreateEvent(NULL, TRUE, FALSE, NULL),
                     CreateEvent(NULL, TRUE, FALSE, NULL)};
  assert_non_null(b.burned);
  assert_non_null(b.go_on);
  HANDLE t = CreateThread(NULL, 0, burn, &b, 0, NULL);
  assert_non_null(t);
  assert_int_equal(WaitForSingleObject(b.burned, 15000), WAIT_OBJECT_0);

  /* Running: its start, and the CPU time it spent (another thread's
   * comes in clock ticks on Linux). */
  assert_true(GetThreadTimes(t, &c, &e, &k, &u));
  ULONGLONG created = ft_value(&c);
  assert_true(created + slack >= ft_value(&before));
  GetSystemTimeAsFileTime(&after);
  assert_true(created <= ft_value(&after) + slack);
  ULONGLONG running = ft_value(&k) + ft_value(&u);
  assert_true(running >= BURN_UNITS - slack);
  assert_true(ft_value(&u) > 0);

  /* Ended: its end, after its start, and at least the CPU time above. */
  SetEvent(b.go_on);
  assert_int_equal(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
  GetSystemTimeAsFileTime(&after);
  assert_true(GetThreadTimes(t, &c, &e, &k, &u));
  assert_true(ft_value(&c) == created);
  assert_true(ft_value(&e) >= created);
  assert_true(ft_value(&e) <= ft_value(&after) + slack);
  ULONGLONG ended_cpu = ft_value(&k) + ft_value(&u);
  CloseHandle(t);
  CloseHandle(b.burned);
  CloseHandle(b.go_on);

  /* The calling thread, by its pseudo handle: started before now, its
   * CPU time grows as it works. */
  assert_true(GetThreadTimes(GetCurrentThread(), &c, &e, &k, &u));
  GetSystemTimeAsFileTime(&after);
  assert_true(ft_value(&c) > 0 && ft_value(&c) <= ft_value(&after) + slack);
#if !defined(_WIN32)
  assert_true(ft_value(&e) == 0); /* (undefined on Windows while it runs) */
#endif
  /* Bad arguments. */
  SetLastError(0);
  assert_false(GetThreadTimes(NULL, &c, &e, &k, &u));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);

  /* A thread's CPU time only grows: once ended, at least what it had. */
  if (h_on_wine())
    H_SKIP("known Wine difference: an ended thread's CPU time can read "
           "less than it did while the thread ran; see docs/windows.md");
  assert_true(ended_cpu >= running);
}

/* ------------------------------------------------------------------------ */
/* Console control and output                                                */
/* ------------------------------------------------------------------------ */

/* What the handlers saw, under `seen` (they run on their own thread). */
static CRITICAL_SECTION seen;
static LONG order[8];
static LONG calls;
static DWORD handler_thread;
static DWORD seen_event;

static void note(LONG who, DWORD event) {
  EnterCriticalSection(&seen);
  if (calls < 8)
    order[calls] = who;
  calls++;
  handler_thread = GetCurrentThreadId();
  seen_event = event;
  LeaveCriticalSection(&seen);
}

static LONG calls_now(void) {
  EnterCriticalSection(&seen);
  LONG n = calls;
  LeaveCriticalSection(&seen);
  return n;
}

static BOOL WINAPI first_handler(DWORD event) {
  note(1, event);
  return TRUE;
}

static BOOL WINAPI second_handler(DWORD event) {
  note(2, event);
  return FALSE; /* passes it on */
}

/* Raises the console event (the signal on Linux, the console on Windows).
 * Returns whether some handler ran within ms. */
static bool raise_event(DWORD event, DWORD ms) {
  LONG before = calls_now();
  if (!GenerateConsoleCtrlEvent(event, 0))
    return false;
  ULONGLONG until = GetTickCount64() + ms;
  while (calls_now() == before && GetTickCount64() < until)
    Sleep(5);
  Sleep(20); /* the rest of the handlers */
  return calls_now() != before;
}

static void console_control_handlers(void **state) {
  (void)state;
  InitializeCriticalSection(&seen);
  assert_true(SetConsoleCtrlHandler(first_handler, TRUE));
  assert_true(SetConsoleCtrlHandler(second_handler, TRUE));
  if (!raise_event(CTRL_BREAK_EVENT, 3000)) {
    SetConsoleCtrlHandler(second_handler, FALSE);
    SetConsoleCtrlHandler(first_handler, FALSE);
    H_SKIP("no console to raise the event in (Windows needs one; under meson "
           "test there is none)");
  }
  /* Last registered first; the handlers run on a thread of their own. */
  EnterCriticalSection(&seen);
  LONG n = calls, o0 = order[0], o1 = order[1];
  DWORD ev = seen_event, th = handler_thread;
  LeaveCriticalSection(&seen);
  assert_int_equal(n, 2);
  assert_int_equal(o0, 2);
  assert_int_equal(o1, 1);
  assert_int_equal(ev, CTRL_BREAK_EVENT);
  assert_true(th != GetCurrentThreadId());
  assert_true(SetConsoleCtrlHandler(second_handler, FALSE));
  assert_false(SetConsoleCtrlHandler(second_handler, FALSE));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  assert_true(raise_event(CTRL_BREAK_EVENT, 3000));
  EnterCriticalSection(&seen);
  n = calls;
  o0 = order[2];
  LeaveCriticalSection(&seen);
  assert_int_equal(n, 3);
  assert_int_equal(o0, 1);
  /* Ctrl-C ignored: no handler runs. */
  assert_true(SetConsoleCtrlHandler(NULL, TRUE));
  assert_false(raise_event(CTRL_C_EVENT, 200));
  assert_true(SetConsoleCtrlHandler(NULL, FALSE));
  assert_true(raise_event(CTRL_C_EVENT, 3000));
  EnterCriticalSection(&seen);
  ev = seen_event;
  LeaveCriticalSection(&seen);
  assert_int_equal(ev, CTRL_C_EVENT);
  /* Only the two events; Ctrl-C to a process group is accepted and never
   * arrives ("This signal cannot be generated for process groups"). */
  assert_false(GenerateConsoleCtrlEvent(CTRL_CLOSE_EVENT, 0));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  LONG before = calls_now();
  if (GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0x7ffffff0u)) {
    Sleep(100);
    assert_int_equal(calls_now(), before);
  }
  assert_true(SetConsoleCtrlHandler(first_handler, FALSE));
}

/* If no handler returns TRUE the default one ends the process. */
static void default_handler_ends_the_process(void **state) {
  (void)state;
#if defined(_WIN32)
  H_SKIP("checked in a child process, which this test makes with fork() on "
         "Linux only");
#else
  /* The child runs this program afresh (one thread: the handler thread it
   * starts is its first, which fork of a threaded parent would not give
   * under ThreadSanitizer). */
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    execl("/proc/self/exe", "test-win32-system", "--ctrl-c-child",
          (char *)NULL);
    _exit(3);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGINT);
#endif
}

static void console_output_needs_a_console(void **state) {
  (void)state;
  HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
  DWORD mode = 0, n = 0;
  if (GetConsoleMode(out, &mode))
    H_SKIP("stdout is a console here; the test checks a redirected one");
  /* Redirected (meson test captures it): WriteConsole fails, as the
   * documentation says; WriteFile works. */
  assert_false(WriteConsoleA(out, "x", 1, &n, NULL));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  assert_true(WriteFile(out, "", 0, &n, NULL));
}

int main(int argc, char **argv) {
#if !defined(_WIN32)
  if (argc == 2 && strcmp(argv[1], "--ctrl-c-child") == 0) {
    /* default_handler_ends_the_process's child: a handler that does not
     * handle Ctrl-C, then Ctrl-C: the default handler ends the process. */
    InitializeCriticalSection(&seen);
    SetConsoleCtrlHandler(second_handler, TRUE);
    raise(SIGINT);
    Sleep(5000);
    return 0; /* not reached if the default handler ran */
  }
#else
  (void)argc;
  (void)argv;
#endif
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(format_message_for_system_codes),
      cmocka_unit_test(heap_and_global_memory),
      cmocka_unit_test(virtual_memory),
      cmocka_unit_test(strings_and_utf8),
      cmocka_unit_test(version_types_and_macros),
      cmocka_unit_test(functions_found_at_run_time),
      cmocka_unit_test(nt_status_to_dos_error),
      cmocka_unit_test(environment_variables),
      cmocka_unit_test(machine_and_process),
      cmocka_unit_test(command_lines_and_cpu_times),
      cmocka_unit_test(thread_times),
      /* Before any handler is installed here: the child starts clean. */
      cmocka_unit_test(default_handler_ends_the_process),
      cmocka_unit_test(console_control_handlers),
      cmocka_unit_test(console_output_needs_a_console),
  };
  return W_RUN("win32-system", tests);
}
