/*
 * cport_win32/system.h - part of cport_win32.h (Linux): time and
 * counters, system and version information, the process, console control
 * and output, heap and virtual memory, and string conversion. Include
 * cport_win32.h, not this file.
 */
#ifndef CPORT_WIN32_SYSTEM_H
#define CPORT_WIN32_SYSTEM_H

#ifndef CPORT_WIN32_PARTS_
#  error "include cport_win32.h, not its parts"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Time                                                                      */
/* ------------------------------------------------------------------------ */

/* A released worker that sleeps gives its place back to its port. */
CPORT_WIN32_API void Sleep(DWORD ms);
CPORT_WIN32_API DWORD SleepEx(DWORD ms, BOOL alertable);
CPORT_WIN32_API DWORD GetTickCount(void);
CPORT_WIN32_API ULONGLONG GetTickCount64(void);
/* A monotonic counter in nanoseconds (frequency 1 000 000 000). */
CPORT_WIN32_API BOOL QueryPerformanceCounter(LARGE_INTEGER *count);
CPORT_WIN32_API BOOL QueryPerformanceFrequency(LARGE_INTEGER *freq);
CPORT_WIN32_API void GetSystemTime(LPSYSTEMTIME st);
CPORT_WIN32_API void GetLocalTime(LPSYSTEMTIME st);
CPORT_WIN32_API void GetSystemTimeAsFileTime(LPFILETIME ft);

/* ------------------------------------------------------------------------ */
/* System and version                                                        */
/* ------------------------------------------------------------------------ */

#define PROCESSOR_ARCHITECTURE_INTEL 0
#define PROCESSOR_ARCHITECTURE_ARM 5
#define PROCESSOR_ARCHITECTURE_AMD64 9
#define PROCESSOR_ARCHITECTURE_ARM64 12
#define PROCESSOR_ARCHITECTURE_UNKNOWN 0xffff

typedef struct _SYSTEM_INFO {
  union {
    DWORD dwOemId;
    struct {
      WORD wProcessorArchitecture;
      WORD wReserved;
    };
  };
  DWORD dwPageSize;
  LPVOID lpMinimumApplicationAddress;
  LPVOID lpMaximumApplicationAddress;
  DWORD_PTR dwActiveProcessorMask;
  DWORD dwNumberOfProcessors;
  DWORD dwProcessorType;
  DWORD dwAllocationGranularity;
  WORD wProcessorLevel;
  WORD wProcessorRevision;
} SYSTEM_INFO, *LPSYSTEM_INFO;
CPORT_WIN32_API void GetSystemInfo(LPSYSTEM_INFO info);
CPORT_WIN32_API void GetNativeSystemInfo(LPSYSTEM_INFO info);
#define ALL_PROCESSOR_GROUPS 0xffff
CPORT_WIN32_API DWORD GetActiveProcessorCount(WORD group);

#define VER_PLATFORM_WIN32s 0
#define VER_PLATFORM_WIN32_WINDOWS 1
#define VER_PLATFORM_WIN32_NT 2
typedef struct _OSVERSIONINFOA {
  DWORD dwOSVersionInfoSize;
  DWORD dwMajorVersion;
  DWORD dwMinorVersion;
  DWORD dwBuildNumber;
  DWORD dwPlatformId;
  CHAR szCSDVersion[128];
} OSVERSIONINFOA, *POSVERSIONINFOA, *LPOSVERSIONINFOA;
typedef struct _OSVERSIONINFOW {
  DWORD dwOSVersionInfoSize;
  DWORD dwMajorVersion;
  DWORD dwMinorVersion;
  DWORD dwBuildNumber;
  DWORD dwPlatformId;
  WCHAR szCSDVersion[128];
} OSVERSIONINFOW, *POSVERSIONINFOW, *LPOSVERSIONINFOW;
typedef struct _OSVERSIONINFOEXA {
  DWORD dwOSVersionInfoSize;
  DWORD dwMajorVersion;
  DWORD dwMinorVersion;
  DWORD dwBuildNumber;
  DWORD dwPlatformId;
  CHAR szCSDVersion[128];
  WORD wServicePackMajor;
  WORD wServicePackMinor;
  WORD wSuiteMask;
  BYTE wProductType;
  BYTE wReserved;
} OSVERSIONINFOEXA, *POSVERSIONINFOEXA, *LPOSVERSIONINFOEXA;
/* What Windows tells a program without a compatibility manifest: 6.2
 * (Windows 8), platform NT. dwOSVersionInfoSize must be set. */
CPORT_WIN32_API BOOL GetVersionExA(LPOSVERSIONINFOA info);
CPORT_WIN32_API BOOL GetVersionExW(LPOSVERSIONINFOW info);
#ifdef UNICODE
typedef OSVERSIONINFOW OSVERSIONINFO, *POSVERSIONINFO, *LPOSVERSIONINFO;
#else
typedef OSVERSIONINFOA OSVERSIONINFO, *POSVERSIONINFO, *LPOSVERSIONINFO;
typedef OSVERSIONINFOEXA OSVERSIONINFOEX, *POSVERSIONINFOEX, *LPOSVERSIONINFOEX;
#endif
#define GetVersionEx CPORT_W32_AW_(GetVersionEx)

/* ------------------------------------------------------------------------ */
/* The process                                                               */
/* ------------------------------------------------------------------------ */

CPORT_WIN32_API DWORD GetCurrentProcessId(void);
/* The pseudo handle (HANDLE)-1, as on Windows. */
CPORT_WIN32_API HANDLE GetCurrentProcess(void);
CPORT_WIN32_API CPORT_W32_NORETURN void ExitProcess(UINT code);
/* module NULL only: the running executable's path. */
CPORT_WIN32_API DWORD GetModuleFileNameA(HMODULE module, LPSTR buf, DWORD size);
#define GetModuleFileName GetModuleFileNameA

/* ------------------------------------------------------------------------ */
/* Console                                                                   */
/* ------------------------------------------------------------------------ */

#define CTRL_C_EVENT 0u
#define CTRL_BREAK_EVENT 1u
#define CTRL_CLOSE_EVENT 2u
#define CTRL_LOGOFF_EVENT 5u
#define CTRL_SHUTDOWN_EVENT 6u
typedef BOOL(WINAPI *PHANDLER_ROUTINE)(DWORD event);

/*
 * Console control events come from signals: SIGINT is CTRL_C_EVENT,
 * SIGQUIT CTRL_BREAK_EVENT, SIGHUP CTRL_CLOSE_EVENT, SIGTERM
 * CTRL_SHUTDOWN_EVENT. Each event runs the handlers on a new thread, the
 * last registered first, until one returns TRUE; if none does, the
 * default handler ends the process as the signal's default action would.
 * SetConsoleCtrlHandler(NULL, TRUE) ignores CTRL_C_EVENT.
 */
CPORT_WIN32_API BOOL SetConsoleCtrlHandler(PHANDLER_ROUTINE fn, BOOL add);

#define STD_INPUT_HANDLE ((DWORD)-10)
#define STD_OUTPUT_HANDLE ((DWORD)-11)
#define STD_ERROR_HANDLE ((DWORD)-12)
/* Handles for file descriptors 0, 1 and 2 (stdin is a handle object of
 * its own: descriptor 0 would be the NULL handle). */
CPORT_WIN32_API HANDLE GetStdHandle(DWORD which);
/* Succeeds only for a console (a terminal); WriteConsole fails, as on
 * Windows, on a handle redirected to a file or a pipe. */
CPORT_WIN32_API BOOL GetConsoleMode(HANDLE h, LPDWORD mode);
CPORT_WIN32_API BOOL WriteConsoleA(HANDLE h, const VOID *buf, DWORD n,
                                   LPDWORD written, LPVOID reserved);
/* n wide characters, written as UTF-8; *written counts wide characters. */
CPORT_WIN32_API BOOL WriteConsoleW(HANDLE h, const VOID *buf, DWORD n,
                                   LPDWORD written, LPVOID reserved);
#define WriteConsole CPORT_W32_AW_(WriteConsole)

/* ------------------------------------------------------------------------ */
/* Memory                                                                    */
/* ------------------------------------------------------------------------ */

#define HEAP_NO_SERIALIZE 0x1u
#define HEAP_GENERATE_EXCEPTIONS 0x4u
#define HEAP_ZERO_MEMORY 0x8u
#define HEAP_REALLOC_IN_PLACE_ONLY 0x10u
/* The process heap: malloc underneath. There are no structured
 * exceptions: with HEAP_GENERATE_EXCEPTIONS a failure still returns NULL. */
CPORT_WIN32_API HANDLE GetProcessHeap(void);
CPORT_WIN32_API LPVOID HeapAlloc(HANDLE heap, DWORD flags, SIZE_T size);
CPORT_WIN32_API LPVOID HeapReAlloc(HANDLE heap, DWORD flags, LPVOID p,
                                   SIZE_T size);
CPORT_WIN32_API BOOL HeapFree(HANDLE heap, DWORD flags, LPVOID p);
CPORT_WIN32_API SIZE_T HeapSize(HANDLE heap, DWORD flags, LPCVOID p);

#define GMEM_FIXED 0x0000u
#define GMEM_ZEROINIT 0x0040u
#define GPTR (GMEM_FIXED | GMEM_ZEROINIT)
#define LMEM_FIXED 0x0000u
#define LMEM_ZEROINIT 0x0040u
#define LPTR (LMEM_FIXED | LMEM_ZEROINIT)
/* Fixed memory only (GMEM_MOVEABLE / LMEM_MOVEABLE are refused). */
CPORT_WIN32_API HGLOBAL GlobalAlloc(UINT flags, SIZE_T size);
CPORT_WIN32_API HGLOBAL GlobalFree(HGLOBAL p);
CPORT_WIN32_API HLOCAL LocalAlloc(UINT flags, SIZE_T size);
CPORT_WIN32_API HLOCAL LocalFree(HLOCAL p);

#define MEM_COMMIT 0x00001000u
#define MEM_RESERVE 0x00002000u
#define MEM_DECOMMIT 0x00004000u
#define MEM_RELEASE 0x00008000u
#define PAGE_NOACCESS 0x01u
#define PAGE_READONLY 0x02u
#define PAGE_READWRITE 0x04u
#define PAGE_EXECUTE 0x10u
#define PAGE_EXECUTE_READ 0x20u
#define PAGE_EXECUTE_READWRITE 0x40u
/* Page-aligned memory from mmap; reservations are 64 KiB aligned as on
 * Windows. MEM_RELEASE takes size 0 and the base VirtualAlloc returned. */
CPORT_WIN32_API LPVOID VirtualAlloc(LPVOID addr, SIZE_T size, DWORD type,
                                    DWORD protect);
CPORT_WIN32_API BOOL VirtualFree(LPVOID addr, SIZE_T size, DWORD type);

/* ------------------------------------------------------------------------ */
/* Strings                                                                   */
/* ------------------------------------------------------------------------ */

CPORT_WIN32_API int lstrlenA(LPCSTR s);
CPORT_WIN32_API int lstrlenW(LPCWSTR s);
CPORT_WIN32_API LPSTR lstrcpyA(LPSTR d, LPCSTR s);
CPORT_WIN32_API LPWSTR lstrcpyW(LPWSTR d, LPCWSTR s);
CPORT_WIN32_API LPSTR lstrcatA(LPSTR d, LPCSTR s);
CPORT_WIN32_API LPWSTR lstrcatW(LPWSTR d, LPCWSTR s);
CPORT_WIN32_API int lstrcmpA(LPCSTR a, LPCSTR b);
CPORT_WIN32_API int lstrcmpW(LPCWSTR a, LPCWSTR b);
CPORT_WIN32_API int lstrcmpiA(LPCSTR a, LPCSTR b);
CPORT_WIN32_API int lstrcmpiW(LPCWSTR a, LPCWSTR b);
#define lstrlen CPORT_W32_AW_(lstrlen)
#define lstrcpy CPORT_W32_AW_(lstrcpy)
#define lstrcat CPORT_W32_AW_(lstrcat)
#define lstrcmp CPORT_W32_AW_(lstrcmp)
#define lstrcmpi CPORT_W32_AW_(lstrcmpi)

#define CP_ACP 0u
#define CP_OEMCP 1u
#define CP_UTF8 65001u
#define MB_PRECOMPOSED 0x1u
#define MB_ERR_INVALID_CHARS 0x8u
#define WC_ERR_INVALID_CHARS 0x80u
/* UTF-8 <-> WCHAR; CP_ACP and CP_OEMCP are UTF-8 too. Counts in
 * characters of each side; -1 for a NUL-terminated source (the NUL is
 * converted and counted); out size 0 asks for the size needed. Invalid
 * input: U+FFFD, or ERROR_NO_UNICODE_TRANSLATION with the *_INVALID_CHARS
 * flag. */
CPORT_WIN32_API int MultiByteToWideChar(UINT codepage, DWORD flags, LPCSTR in,
                                        int inlen, LPWSTR out, int outlen);
CPORT_WIN32_API int WideCharToMultiByte(UINT codepage, DWORD flags,
                                        LPCWSTR in, int inlen, LPSTR out,
                                        int outlen, LPCSTR defchar,
                                        LPBOOL used_default);

#ifdef __cplusplus
}
#endif

#endif /* CPORT_WIN32_SYSTEM_H */
