/*
 * system.c - time (tick counts, the performance counter, the system
 * time), what the system is (GetSystemInfo, GetVersionEx), and the process
 * (its id, ExitProcess, its executable's path, the CPU time it and the
 * system spent, a debugger), and winmm's timeGetTime. Sleeping is
 * blocking.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>

#include "win32.h"

/* ------------------------------------------------------------------------ */
/* Time                                                                      */
/* ------------------------------------------------------------------------ */

CPORT_API ULONGLONG GetTickCount64(void) {
  return w32_now_ms();
}
CPORT_API DWORD GetTickCount(void) {
  return (DWORD)w32_now_ms();
}

/* winmm: milliseconds since the system started, as GetTickCount; the
 * timer's resolution is already finer than a millisecond here, so a
 * period of 1 ms or more is granted as asked. */
CPORT_API DWORD timeGetTime(void) {
  return (DWORD)w32_now_ms();
}
CPORT_API MMRESULT timeBeginPeriod(UINT period) {
  return period == 0 ? TIMERR_NOCANDO : TIMERR_NOERROR;
}
CPORT_API MMRESULT timeEndPeriod(UINT period) {
  return period == 0 ? TIMERR_NOCANDO : TIMERR_NOERROR;
}

CPORT_API BOOL QueryPerformanceCounter(LARGE_INTEGER *count) {
  if (count == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  count->QuadPart = (LONGLONG)ts.tv_sec * 1000000000 + ts.tv_nsec;
  return TRUE;
}

CPORT_API BOOL QueryPerformanceFrequency(LARGE_INTEGER *freq) {
  if (freq == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  freq->QuadPart = 1000000000;
  return TRUE;
}

static void to_systemtime(const struct timespec *ts, bool local,
                          LPSYSTEMTIME st) {
  struct tm tm;
  time_t t = ts->tv_sec;
  if (local)
    localtime_r(&t, &tm);
  else
    gmtime_r(&t, &tm);
  st->wYear = (WORD)(tm.tm_year + 1900);
  st->wMonth = (WORD)(tm.tm_mon + 1);
  st->wDayOfWeek = (WORD)tm.tm_wday;
  st->wDay = (WORD)tm.tm_mday;
  st->wHour = (WORD)tm.tm_hour;
  st->wMinute = (WORD)tm.tm_min;
  st->wSecond = (WORD)(tm.tm_sec > 59 ? 59 : tm.tm_sec);
  st->wMilliseconds = (WORD)(ts->tv_nsec / 1000000);
}

CPORT_API void GetSystemTime(LPSYSTEMTIME st) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  to_systemtime(&ts, false, st);
}

CPORT_API void GetLocalTime(LPSYSTEMTIME st) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  to_systemtime(&ts, true, st);
}

/* 100-nanosecond intervals since 1601-01-01 (UTC). */
uint64_t w32_filetime_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ((uint64_t)ts.tv_sec + 11644473600u) * 10000000u +
         (uint64_t)ts.tv_nsec / 100u;
}

CPORT_API void GetSystemTimeAsFileTime(LPFILETIME ft) {
  w32_put_filetime(ft, w32_filetime_now());
}

/* ------------------------------------------------------------------------ */
/* The system                                                                */
/* ------------------------------------------------------------------------ */

/* The lowest address a mapping may have (vm.mmap_min_addr). */
static uintptr_t lowest_address(void) {
  unsigned long v = 65536;
  FILE *f = fopen("/proc/sys/vm/mmap_min_addr", "r");
  if (f != NULL) {
    if (fscanf(f, "%lu", &v) != 1)
      v = 65536;
    fclose(f);
  }
  return v > 0 ? (uintptr_t)v : 65536;
}

CPORT_API void GetSystemInfo(LPSYSTEM_INFO info) {
  if (info == NULL)
    return;
  memset(info, 0, sizeof(*info));
  long n = sysconf(_SC_NPROCESSORS_ONLN), page = sysconf(_SC_PAGESIZE);
  if (n < 1)
    n = 1;
  info->dwNumberOfProcessors = (DWORD)n;
  info->dwPageSize = page > 0 ? (DWORD)page : 4096;
  info->dwAllocationGranularity = 65536;
  info->dwActiveProcessorMask = n >= (long)(8 * sizeof(DWORD_PTR))
                                    ? ~(DWORD_PTR)0
                                    : ((DWORD_PTR)1 << n) - 1;
  info->lpMinimumApplicationAddress = (LPVOID)lowest_address();
#if UINTPTR_MAX > 0xFFFFFFFFu
  /* The top of a 47-bit user address space, below its last page. */
  info->lpMaximumApplicationAddress =
      (LPVOID)(((uintptr_t)1 << 47) - info->dwPageSize - 1);
#else
  info->lpMaximumApplicationAddress = (LPVOID)(uintptr_t)0xBFFEFFFFu;
#endif
#if defined(__x86_64__)
  info->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_AMD64;
  info->dwProcessorType = 8664; /* PROCESSOR_AMD_X8664 */
  info->wProcessorLevel = 6;
#elif defined(__i386__)
  info->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_INTEL;
  info->dwProcessorType = 586; /* PROCESSOR_INTEL_PENTIUM */
  info->wProcessorLevel = 6;
#elif defined(__aarch64__)
  info->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_ARM64;
#elif defined(__arm__)
  info->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_ARM;
#else
  info->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_UNKNOWN;
#endif
}

CPORT_API void GetNativeSystemInfo(LPSYSTEM_INFO info) {
  GetSystemInfo(info);
}

/* Windows 8 (6.2, build 9200): what GetVersionEx tells a program without
 * a compatibility manifest, which a ported program does not have. */
static void fill_version(DWORD *major, DWORD *minor, DWORD *build,
                         DWORD *platform) {
  *major = 6;
  *minor = 2;
  *build = 9200;
  *platform = VER_PLATFORM_WIN32_NT;
}

CPORT_API BOOL GetVersionExA(LPOSVERSIONINFOA info) {
  if (info == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  DWORD size = info->dwOSVersionInfoSize;
  if (size != sizeof(OSVERSIONINFOA) && size != sizeof(OSVERSIONINFOEXA))
    return w32_fail(ERROR_INSUFFICIENT_BUFFER);
  memset((char *)info + sizeof(DWORD), 0, size - sizeof(DWORD));
  fill_version(&info->dwMajorVersion, &info->dwMinorVersion,
               &info->dwBuildNumber, &info->dwPlatformId);
  if (size == sizeof(OSVERSIONINFOEXA))
    ((LPOSVERSIONINFOEXA)info)->wProductType = 1; /* VER_NT_WORKSTATION */
  return TRUE;
}

CPORT_API BOOL GetVersionExW(LPOSVERSIONINFOW info) {
  if (info == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (info->dwOSVersionInfoSize != sizeof(OSVERSIONINFOW))
    return w32_fail(ERROR_INSUFFICIENT_BUFFER);
  memset((char *)info + sizeof(DWORD), 0, sizeof(*info) - sizeof(DWORD));
  fill_version(&info->dwMajorVersion, &info->dwMinorVersion,
               &info->dwBuildNumber, &info->dwPlatformId);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* The process                                                               */
/* ------------------------------------------------------------------------ */

/* A tracer attached (/proc/self/status: TracerPid), as a debugger is. */
CPORT_API BOOL IsDebuggerPresent(void) {
  FILE *in = fopen("/proc/self/status", "re");
  char line[128];
  long tracer = 0;
  while (in != NULL && fgets(line, sizeof(line), in) != NULL)
    if (sscanf(line, "TracerPid: %ld", &tracer) == 1)
      break;
  if (in != NULL)
    fclose(in);
  return tracer != 0;
}

CPORT_API void DebugBreak(void) {
  cport_w32_debugbreak(); /* SIGTRAP, as __debugbreak() */
}

CPORT_API DWORD GetCurrentProcessId(void) {
  return (DWORD)getpid();
}
CPORT_API HANDLE GetCurrentProcess(void) {
  return (HANDLE)(LONG_PTR)-1;
}

void w32_put_filetime(LPFILETIME ft, uint64_t t) {
  if (ft != NULL) {
    ft->dwLowDateTime = (DWORD)t;
    ft->dwHighDateTime = (DWORD)(t >> 32);
  }
}

/* 100-nanosecond units from a timeval, and from clock ticks. */
static uint64_t tv_units(struct timeval tv) {
  return (uint64_t)tv.tv_sec * 10000000u + (uint64_t)tv.tv_usec * 10u;
}

bool w32_cpu_times(int who, uint64_t *kernel, uint64_t *user) {
  struct rusage ru;
  if (getrusage(who, &ru) != 0)
    return false;
  *kernel = tv_units(ru.ru_stime);
  *user = tv_units(ru.ru_utime);
  return true;
}

static uint64_t tick_units(unsigned long long ticks) {
  long hz = sysconf(_SC_CLK_TCK);
  return (uint64_t)(ticks * 10000000ull /
                    (unsigned long long)(hz > 0 ? hz : 100));
}

/* The first "key value" line of /proc/stat with that key, or 0. */
static unsigned long long proc_stat_value(const char *key) {
  FILE *f = fopen("/proc/stat", "r");
  if (f == NULL)
    return 0;
  char line[512];
  unsigned long long v = 0;
  size_t len = strlen(key);
  while (fgets(line, sizeof(line), f) != NULL)
    if (strncmp(line, key, len) == 0 && line[len] == ' ') {
      v = strtoull(line + len + 1, NULL, 10);
      break;
    }
  fclose(f);
  return v;
}

bool w32_stat_times(const char *path, struct w32_stat_times *out) {
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return false;
  char buf[1024];
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = 0;
  /* Fields after the command's closing parenthesis: state is field 3. */
  char *p = strrchr(buf, ')');
  if (p == NULL)
    return false;
  unsigned long long v[23] = {0};
  for (int field = 2; p != NULL && field < 22; field++) {
    p = strchr(p + 1, ' ');
    if (p != NULL && field + 1 >= 10)
      v[field + 1] = strtoull(p + 1, NULL, 10);
  }
  uint64_t boot = proc_stat_value("btime");
  out->start = (boot + 11644473600ull) * 10000000ull + tick_units(v[22]);
  out->user = tick_units(v[14]);
  out->kernel = tick_units(v[15]);
  out->minflt = v[10];
  out->majflt = v[12];
  return true;
}

static uint64_t process_start(void) {
  struct w32_stat_times st;
  return w32_stat_times("/proc/self/stat", &st) ? st.start : 0;
}

/* The current process only (the layer has no other process handles):
 * its start, no exit (0), and its CPU time in system and user mode. */
CPORT_API BOOL GetProcessTimes(HANDLE process, LPFILETIME creation,
                               LPFILETIME exit_time, LPFILETIME kernel,
                               LPFILETIME user) {
  if (process != GetCurrentProcess())
    return w32_fail(ERROR_INVALID_HANDLE);
  if (creation == NULL || exit_time == NULL || kernel == NULL || user == NULL)
    return w32_fail(ERROR_NOACCESS);
  uint64_t k, u;
  if (!w32_cpu_times(RUSAGE_SELF, &k, &u))
    return w32_fail(w32_error(-errno));
  w32_put_filetime(creation, process_start());
  w32_put_filetime(exit_time, 0);
  w32_put_filetime(kernel, k);
  w32_put_filetime(user, u);
  return TRUE;
}

/* A "Key:   N kB" line of /proc/self/status, in bytes (0 if missing). */
static SIZE_T status_bytes(const char *text, const char *key) {
  const char *at = strstr(text, key);
  if (at == NULL)
    return 0;
  return (SIZE_T)strtoull(at + strlen(key), NULL, 10) * 1024u;
}

/* The largest values these calls saw (the kernel's VmHWM may lag). */
static SIZE_T peak_commit, peak_set;

static SIZE_T peak_of(SIZE_T *peak, SIZE_T now) {
  SIZE_T p = __atomic_load_n(peak, __ATOMIC_RELAXED);
  while (p < now &&
         !__atomic_compare_exchange_n(peak, &p, now, true, __ATOMIC_RELAXED,
                                      __ATOMIC_RELAXED)) {
  }
  return p > now ? p : now;
}

CPORT_API BOOL GetProcessMemoryInfo(HANDLE process,
                                    PPROCESS_MEMORY_COUNTERS pmc, DWORD cb) {
  if (process != GetCurrentProcess())
    return w32_fail(ERROR_INVALID_HANDLE);
  if (pmc == NULL)
    return w32_fail(ERROR_NOACCESS);
  if (cb < sizeof(PROCESS_MEMORY_COUNTERS))
    return w32_fail(ERROR_INSUFFICIENT_BUFFER);
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL)
    return w32_fail(w32_error(-errno));
  char text[4096];
  size_t n = fread(text, 1, sizeof(text) - 1, f);
  fclose(f);
  text[n] = 0;
  struct w32_stat_times t;
  PROCESS_MEMORY_COUNTERS_EX c;
  memset(&c, 0, sizeof(c));
  c.cb = cb >= sizeof(c) ? (DWORD)sizeof(c) : (DWORD)sizeof(*pmc);
  c.PageFaultCount =
      w32_stat_times("/proc/self/stat", &t) ? (DWORD)(t.minflt + t.majflt) : 0;
  c.WorkingSetSize = status_bytes(text, "\nVmRSS:");
  SIZE_T hwm = status_bytes(text, "\nVmHWM:");
  c.PeakWorkingSetSize =
      peak_of(&peak_set, hwm > c.WorkingSetSize ? hwm : c.WorkingSetSize);
  c.PagefileUsage =
      status_bytes(text, "\nVmData:") + status_bytes(text, "\nVmStk:");
  c.PrivateUsage = c.PagefileUsage;
  c.PeakPagefileUsage = peak_of(&peak_commit, c.PagefileUsage);
  memcpy(pmc, &c, c.cb);
  return TRUE;
}

/* Every CPU's time since boot, from /proc/stat's "cpu" line; kernel time
 * includes the idle time, as documented. */
CPORT_API BOOL GetSystemTimes(LPFILETIME idle, LPFILETIME kernel,
                              LPFILETIME user) {
  FILE *f = fopen("/proc/stat", "r");
  if (f == NULL)
    return w32_fail(w32_error(-errno));
  unsigned long long v[8] = {0};
  int got = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
                   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
  fclose(f);
  if (got < 4)
    return w32_fail(ERROR_NOT_SUPPORTED);
  /* user nice system idle iowait irq softirq steal */
  unsigned long long idle_t = v[3] + v[4];
  w32_put_filetime(idle, tick_units(idle_t));
  w32_put_filetime(kernel, tick_units(v[2] + v[5] + v[6] + idle_t));
  w32_put_filetime(user, tick_units(v[0] + v[1]));
  return TRUE;
}

/* Ends the process and every thread at once. C streams are flushed (the
 * C runtime does that on Windows as it detaches); atexit handlers do not
 * run, as they do not under ExitProcess. */
CPORT_API void ExitProcess(UINT code) {
  fflush(NULL);
  _exit((int)code);
}

CPORT_API DWORD GetModuleFileNameA(HMODULE module, LPSTR buf, DWORD size) {
  if (module != NULL || buf == NULL || size == 0)
    return (w32_fail(ERROR_INVALID_PARAMETER), 0);
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n < 0)
    return (w32_fail(w32_error(-errno)), 0);
  if ((DWORD)n >= size) {
    /* Truncated and terminated, as Windows does. */
    memcpy(buf, path, size - 1);
    buf[size - 1] = '\0';
    return (w32_fail(ERROR_INSUFFICIENT_BUFFER), size);
  }
  memcpy(buf, path, (size_t)n);
  buf[n] = '\0';
  return (DWORD)n;
}

/* The same path in WCHARs, truncated and terminated as the A form. */
CPORT_API DWORD GetModuleFileNameW(HMODULE module, LPWSTR buf, DWORD size) {
  if (module != NULL || buf == NULL || size == 0)
    return (w32_fail(ERROR_INVALID_PARAMETER), 0);
  char path[4096];
  DWORD n = GetModuleFileNameA(NULL, path, sizeof(path));
  if (n == 0 || n >= sizeof(path))
    return (w32_fail(n == 0 ? GetLastError() : ERROR_FILENAME_EXCED_RANGE), 0);
  int need = MultiByteToWideChar(CP_UTF8, 0, path, -1, NULL, 0);
  if (need <= 0)
    return (w32_fail(ERROR_INVALID_DATA), 0);
  if ((DWORD)need > size) {
    WCHAR *w = malloc((size_t)need * sizeof(WCHAR));
    if (w == NULL)
      return (w32_fail(ERROR_NOT_ENOUGH_MEMORY), 0);
    MultiByteToWideChar(CP_UTF8, 0, path, -1, w, need);
    memcpy(buf, w, (size_t)(size - 1) * sizeof(WCHAR));
    buf[size - 1] = 0;
    free(w);
    return (w32_fail(ERROR_INSUFFICIENT_BUFFER), size);
  }
  MultiByteToWideChar(CP_UTF8, 0, path, -1, buf, need);
  return (DWORD)need - 1;
}

CPORT_API void OutputDebugStringA(LPCSTR s) {
  if (s != NULL)
    fputs(s, stderr);
}

CPORT_API void OutputDebugStringW(LPCWSTR s) {
  if (s == NULL)
    return;
  char *u = w32_utf8(s);
  if (u != NULL) {
    fputs(u, stderr);
    free(u);
  }
}
