/**
 * @file cport_win32/system.h
 * @brief Part of cport_win32.h: system information, the process, the console, memory and strings (sysinfoapi.h, consoleapi.h, memoryapi.h, heapapi.h, stringapiset.h).
 *
 * Include <cport_win32.h>, never this file: it is read inside that
 * header's Linux branch, after the parts before it.
 */
#ifndef CPORT_WIN32_PART_SYSTEM_H
#define CPORT_WIN32_PART_SYSTEM_H

#ifndef CPORT_WIN32_H
#  error "include <cport_win32.h>, not its parts"
#endif

/* ------------------------------------------------------------------------ */
/* System and version                                                        */
/* ------------------------------------------------------------------------ */

#define PROCESSOR_ARCHITECTURE_INTEL 0
#define PROCESSOR_ARCHITECTURE_ARM 5
#define PROCESSOR_ARCHITECTURE_AMD64 9
#define PROCESSOR_ARCHITECTURE_ARM64 12
#define PROCESSOR_ARCHITECTURE_UNKNOWN 0xffff

typedef struct _SYSTEM_INFO {
  CPORT_W32_NAMELESS union {
    DWORD dwOemId;
    CPORT_W32_NAMELESS struct {
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

/*
 * The processors and how they relate (sysinfo.c), read from
 * /sys/devices/system/cpu (and /sys/devices/system/node for NUMA nodes;
 * none there: one node 0 holding every processor). Logical processor n
 * (Linux's CPU n) is bit n % 64 of group n / 64 (32 on 32-bit systems),
 * so a machine with up to 64 has one group, as on Windows; CPUs past 1023
 * are left out. Only online CPUs are reported.
 *
 * GetActiveProcessorCount / GetMaximumProcessorCount: the online / the
 * configured processors of a group, or of all with ALL_PROCESSOR_GROUPS;
 * a group that does not exist: 0 with ERROR_INVALID_PARAMETER.
 * GetActiveProcessorGroupCount / GetMaximumProcessorGroupCount: the
 * groups those make.
 *
 * GetLogicalProcessorInformation: one SYSTEM_LOGICAL_PROCESSOR_INFORMATION
 * per processor core (Flags LTP_PC_SMT when it holds more than one logical
 * processor), per cache (CACHE_DESCRIPTOR from cache/index* of the CPUs
 * sharing it; Associativity CACHE_FULLY_ASSOCIATIVE for more than 254
 * ways), per package and per NUMA node, for the processors of group 0
 * (Windows: the calling thread's group), in that order. Too small a buffer
 * (or a NULL one): FALSE with ERROR_INSUFFICIENT_BUFFER and *len the bytes
 * needed; len NULL: ERROR_INVALID_PARAMETER.
 *
 * GetLogicalProcessorInformationEx: the same relations for every group as
 * variable-size records (walk them by Size), with RelationGroup,
 * RelationProcessorDie (topology/die_cpus_list, else the package) and
 * RelationProcessorModule (topology/cluster_cpus_list, else the core);
 * RelationNumaNodeEx is RelationNumaNode's records. RelationAll gives
 * every kind: cores, caches, packages, dies, modules, NUMA nodes, then the
 * group record. EfficiencyClass is 0 (Linux says nothing comparable on
 * every machine). Another relationship: ERROR_INVALID_PARAMETER; the
 * buffer as above.
 */
typedef ULONG_PTR KAFFINITY;
typedef KAFFINITY *PKAFFINITY;
#define ANYSIZE_ARRAY 1
typedef struct _GROUP_AFFINITY {
  KAFFINITY Mask;
  WORD Group;
  WORD Reserved[3];
} GROUP_AFFINITY, *PGROUP_AFFINITY;
typedef enum _LOGICAL_PROCESSOR_RELATIONSHIP {
  RelationProcessorCore = 0,
  RelationNumaNode = 1,
  RelationCache = 2,
  RelationProcessorPackage = 3,
  RelationGroup = 4,
  RelationProcessorDie = 5,
  RelationNumaNodeEx = 6,
  RelationProcessorModule = 7,
  RelationAll = 0xffff
} LOGICAL_PROCESSOR_RELATIONSHIP;
#define LTP_PC_SMT 0x1
typedef enum _PROCESSOR_CACHE_TYPE {
  CacheUnified,
  CacheInstruction,
  CacheData,
  CacheTrace
} PROCESSOR_CACHE_TYPE;
#define CACHE_FULLY_ASSOCIATIVE 0xFF
typedef struct _CACHE_DESCRIPTOR {
  BYTE Level;
  BYTE Associativity;
  WORD LineSize;
  DWORD Size;
  PROCESSOR_CACHE_TYPE Type;
} CACHE_DESCRIPTOR, *PCACHE_DESCRIPTOR;
typedef struct _SYSTEM_LOGICAL_PROCESSOR_INFORMATION {
  ULONG_PTR ProcessorMask;
  LOGICAL_PROCESSOR_RELATIONSHIP Relationship;
  CPORT_W32_NAMELESS union {
    struct {
      BYTE Flags;
    } ProcessorCore;
    struct {
      DWORD NodeNumber;
    } NumaNode;
    CACHE_DESCRIPTOR Cache;
    ULONGLONG Reserved[2];
  };
} SYSTEM_LOGICAL_PROCESSOR_INFORMATION, *PSYSTEM_LOGICAL_PROCESSOR_INFORMATION;
typedef struct _PROCESSOR_RELATIONSHIP {
  BYTE Flags;
  BYTE EfficiencyClass;
  BYTE Reserved[20];
  WORD GroupCount;
  GROUP_AFFINITY GroupMask[ANYSIZE_ARRAY];
} PROCESSOR_RELATIONSHIP, *PPROCESSOR_RELATIONSHIP;
typedef struct _NUMA_NODE_RELATIONSHIP {
  DWORD NodeNumber;
  BYTE Reserved[18];
  WORD GroupCount;
  CPORT_W32_NAMELESS union {
    GROUP_AFFINITY GroupMask;
    GROUP_AFFINITY GroupMasks[ANYSIZE_ARRAY];
  };
} NUMA_NODE_RELATIONSHIP, *PNUMA_NODE_RELATIONSHIP;
typedef struct _CACHE_RELATIONSHIP {
  BYTE Level;
  BYTE Associativity;
  WORD LineSize;
  DWORD CacheSize;
  PROCESSOR_CACHE_TYPE Type;
  BYTE Reserved[18];
  WORD GroupCount;
  CPORT_W32_NAMELESS union {
    GROUP_AFFINITY GroupMask;
    GROUP_AFFINITY GroupMasks[ANYSIZE_ARRAY];
  };
} CACHE_RELATIONSHIP, *PCACHE_RELATIONSHIP;
typedef struct _PROCESSOR_GROUP_INFO {
  BYTE MaximumProcessorCount;
  BYTE ActiveProcessorCount;
  BYTE Reserved[38];
  KAFFINITY ActiveProcessorMask;
} PROCESSOR_GROUP_INFO, *PPROCESSOR_GROUP_INFO;
typedef struct _GROUP_RELATIONSHIP {
  WORD MaximumGroupCount;
  WORD ActiveGroupCount;
  BYTE Reserved[20];
  PROCESSOR_GROUP_INFO GroupInfo[ANYSIZE_ARRAY];
} GROUP_RELATIONSHIP, *PGROUP_RELATIONSHIP;
typedef struct _SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX {
  LOGICAL_PROCESSOR_RELATIONSHIP Relationship;
  DWORD Size;
  CPORT_W32_NAMELESS union {
    PROCESSOR_RELATIONSHIP Processor;
    NUMA_NODE_RELATIONSHIP NumaNode;
    CACHE_RELATIONSHIP Cache;
    GROUP_RELATIONSHIP Group;
  };
} SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX,
    *PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX;
CPORT_WIN32_API DWORD GetActiveProcessorCount(WORD group);
CPORT_WIN32_API DWORD GetMaximumProcessorCount(WORD group);
/* A thread's processors as a group's mask: one group (0) here, as
 * SetThreadAffinityMask sets them; another group, or a mask outside the
 * process's processors: ERROR_INVALID_PARAMETER. */
CPORT_WIN32_API BOOL SetThreadGroupAffinity(HANDLE thread,
                                            const GROUP_AFFINITY *affinity,
                                            PGROUP_AFFINITY previous);
CPORT_WIN32_API BOOL GetThreadGroupAffinity(HANDLE thread,
                                            PGROUP_AFFINITY affinity);
CPORT_WIN32_API WORD GetActiveProcessorGroupCount(void);
CPORT_WIN32_API WORD GetMaximumProcessorGroupCount(void);
CPORT_WIN32_API BOOL GetLogicalProcessorInformation(
    PSYSTEM_LOGICAL_PROCESSOR_INFORMATION buffer, PDWORD len);
CPORT_WIN32_API BOOL GetLogicalProcessorInformationEx(
    LOGICAL_PROCESSOR_RELATIONSHIP relationship,
    PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX buffer, PDWORD len);

/* The process and the machine (environment.c). Environment names match
 * without regard to case, as on Windows. GetEnvironmentVariable and
 * GetTempPath return the length without the NUL, or the size needed
 * with it when the buffer is too small; a missing variable is 0 with
 * ERROR_ENVVAR_NOT_FOUND. SetEnvironmentVariable with a NULL value
 * deletes. GetComputerName gives the NetBIOS form (the host name's first
 * label, upper case, at most MAX_COMPUTERNAME_LENGTH characters); too
 * small a buffer is ERROR_BUFFER_OVERFLOW with *size the size needed.
 * GetTempPath is $TMPDIR, $TMP or $TEMP, else /tmp, ending with '/'.
 * GetCommandLine is built once from the process's arguments, quoted as
 * Windows quotes them. */
#define MAX_COMPUTERNAME_LENGTH 15
CPORT_WIN32_API DWORD GetEnvironmentVariableA(LPCSTR name, LPSTR buf,
                                              DWORD size);
CPORT_WIN32_API DWORD GetEnvironmentVariableW(LPCWSTR name, LPWSTR buf,
                                              DWORD size);
CPORT_WIN32_API BOOL SetEnvironmentVariableA(LPCSTR name, LPCSTR value);
CPORT_WIN32_API BOOL SetEnvironmentVariableW(LPCWSTR name, LPCWSTR value);
CPORT_WIN32_API BOOL GetComputerNameA(LPSTR buf, LPDWORD size);
CPORT_WIN32_API BOOL GetComputerNameW(LPWSTR buf, LPDWORD size);
CPORT_WIN32_API DWORD GetTempPathA(DWORD size, LPSTR buf);
CPORT_WIN32_API DWORD GetTempPathW(DWORD size, LPWSTR buf);
CPORT_WIN32_API LPSTR GetCommandLineA(void);
CPORT_WIN32_API LPWSTR GetCommandLineW(void);
/* shellapi.h: splits a command line as Windows does (white space ends an
 * argument outside quotes; 2n backslashes and a quote are n backslashes
 * and a quote that opens or closes, 2n + 1 are n and a literal quote;
 * the first argument, the program, ends at its closing quote or white
 * space, with no backslash rules). An empty line gives the executable's
 * path. One block: free it with LocalFree. */
CPORT_WIN32_API LPWSTR *CommandLineToArgvW(LPCWSTR line, int *argc);
#define GetEnvironmentVariable CPORT_W32_AW(GetEnvironmentVariable)
#define SetEnvironmentVariable CPORT_W32_AW(SetEnvironmentVariable)
#define GetComputerName CPORT_W32_AW(GetComputerName)
#define GetTempPath CPORT_W32_AW(GetTempPath)
#define GetCommandLine CPORT_W32_AW(GetCommandLine)
/* Physical memory and swap from the kernel (available: MemAvailable);
 * the page file is memory and swap together; the virtual space is the
 * 128 TiB a 64-bit process has. dwLength must be set first. */
typedef struct _MEMORYSTATUSEX {
  DWORD dwLength;
  DWORD dwMemoryLoad;
  ULONGLONG ullTotalPhys;
  ULONGLONG ullAvailPhys;
  ULONGLONG ullTotalPageFile;
  ULONGLONG ullAvailPageFile;
  ULONGLONG ullTotalVirtual;
  ULONGLONG ullAvailVirtual;
  ULONGLONG ullAvailExtendedVirtual;
} MEMORYSTATUSEX, *LPMEMORYSTATUSEX;
CPORT_WIN32_API BOOL GlobalMemoryStatusEx(LPMEMORYSTATUSEX st);

/* psapi.h: the current process's memory (GetCurrentProcess() only, else
 * ERROR_INVALID_HANDLE). The working set is the resident set (VmRSS), the
 * page file use the private memory written or reserved for writing
 * (VmData and VmStk); their peaks are the largest these calls saw (and
 * VmHWM); page faults minor and major together; the pool quotas are 0.
 * cb: at least a PROCESS_MEMORY_COUNTERS (else ERROR_INSUFFICIENT_BUFFER);
 * a PROCESS_MEMORY_COUNTERS_EX gets PrivateUsage too. */
typedef struct _PROCESS_MEMORY_COUNTERS {
  DWORD cb;
  DWORD PageFaultCount;
  SIZE_T PeakWorkingSetSize;
  SIZE_T WorkingSetSize;
  SIZE_T QuotaPeakPagedPoolUsage;
  SIZE_T QuotaPagedPoolUsage;
  SIZE_T QuotaPeakNonPagedPoolUsage;
  SIZE_T QuotaNonPagedPoolUsage;
  SIZE_T PagefileUsage;
  SIZE_T PeakPagefileUsage;
} PROCESS_MEMORY_COUNTERS, *PPROCESS_MEMORY_COUNTERS;
typedef struct _PROCESS_MEMORY_COUNTERS_EX {
  DWORD cb;
  DWORD PageFaultCount;
  SIZE_T PeakWorkingSetSize;
  SIZE_T WorkingSetSize;
  SIZE_T QuotaPeakPagedPoolUsage;
  SIZE_T QuotaPagedPoolUsage;
  SIZE_T QuotaPeakNonPagedPoolUsage;
  SIZE_T QuotaNonPagedPoolUsage;
  SIZE_T PagefileUsage;
  SIZE_T PeakPagefileUsage;
  SIZE_T PrivateUsage;
} PROCESS_MEMORY_COUNTERS_EX, *PPROCESS_MEMORY_COUNTERS_EX;
CPORT_WIN32_API BOOL GetProcessMemoryInfo(HANDLE process,
                                          PPROCESS_MEMORY_COUNTERS pmc,
                                          DWORD cb);
#define K32GetProcessMemoryInfo GetProcessMemoryInfo

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
#define GetVersionEx CPORT_W32_AW(GetVersionEx)

/* ------------------------------------------------------------------------ */
/* The process                                                               */
/* ------------------------------------------------------------------------ */

CPORT_WIN32_API DWORD GetCurrentProcessId(void);
#ifndef _getpid
#  define _getpid() ((int)GetCurrentProcessId())
#endif
/* A tracer (a debugger) is attached to the process. */
CPORT_WIN32_API BOOL IsDebuggerPresent(void);
/* Raises SIGTRAP, as __debugbreak() does. */
CPORT_WIN32_API void DebugBreak(void);
/* The pseudo handle (HANDLE)-1, as on Windows. */
CPORT_WIN32_API HANDLE GetCurrentProcess(void);
/* GetCurrentProcess() only (else ERROR_INVALID_HANDLE): the process's
 * start, exit 0, and the CPU time spent in system and user mode, in
 * 100-nanosecond units. */
CPORT_WIN32_API BOOL GetProcessTimes(HANDLE process, LPFILETIME creation,
                                     LPFILETIME exit_time, LPFILETIME kernel,
                                     LPFILETIME user);
/* GetCurrentThread() or a thread handle of CreateThread / _beginthreadex
 * (else ERROR_INVALID_HANDLE): its start, its end (0 while it runs), and
 * the CPU time it spent in kernel and user mode, in 100-nanosecond units;
 * another running thread's in clock ticks (/proc). A NULL pointer is
 * ERROR_NOACCESS. */
CPORT_WIN32_API BOOL GetThreadTimes(HANDLE thread, LPFILETIME creation,
                                    LPFILETIME exit_time, LPFILETIME kernel,
                                    LPFILETIME user);
/* The CPU time of every processor since boot; kernel time includes idle
 * time, as documented. Each pointer may be NULL. */
CPORT_WIN32_API BOOL GetSystemTimes(LPFILETIME idle, LPFILETIME kernel,
                                    LPFILETIME user);
CPORT_WIN32_API CPORT_W32_NORETURN void ExitProcess(UINT code);
/* module NULL only: the running executable's path; a buffer too small
 * gets as much as fits, terminated, and the call returns size with
 * ERROR_INSUFFICIENT_BUFFER, as on Windows since Vista. */
CPORT_WIN32_API DWORD GetModuleFileNameA(HMODULE module, LPSTR buf, DWORD size);
CPORT_WIN32_API DWORD GetModuleFileNameW(HMODULE module, LPWSTR buf,
                                         DWORD size);
/* The debugger's output on Linux is standard error: the string is written
 * there as it is (NULL writes nothing). */
CPORT_WIN32_API void OutputDebugStringA(LPCSTR s);
CPORT_WIN32_API void OutputDebugStringW(LPCWSTR s);
#define OutputDebugString CPORT_W32_AW(OutputDebugString)
#define GetModuleFileName CPORT_W32_AW(GetModuleFileName)

/* The system modules a program looks functions up in at run time, to use
 * a call where Windows has it (GetQueuedCompletionStatusEx,
 * SetFileCompletionNotificationModes...): kernel32, kernelbase, ws2_32,
 * mswsock and ntdll, with or without ".dll", in any case, name one
 * module, the layer; NULL names the program. Other names fail with
 * ERROR_MOD_NOT_FOUND: no DLL can be loaded. */
CPORT_WIN32_API HMODULE GetModuleHandleA(LPCSTR name);
CPORT_WIN32_API HMODULE GetModuleHandleW(LPCWSTR name);
CPORT_WIN32_API HMODULE LoadLibraryA(LPCSTR name);
CPORT_WIN32_API HMODULE LoadLibraryW(LPCWSTR name);
/* file and flags are not used (the flags' names are Windows'). */
#define DONT_RESOLVE_DLL_REFERENCES 0x00000001
#define LOAD_LIBRARY_AS_DATAFILE 0x00000002
#define LOAD_WITH_ALTERED_SEARCH_PATH 0x00000008
#define LOAD_IGNORE_CODE_AUTHZ_LEVEL 0x00000010
#define LOAD_LIBRARY_AS_IMAGE_RESOURCE 0x00000020
#define LOAD_LIBRARY_AS_DATAFILE_EXCLUSIVE 0x00000040
#define LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR 0x00000100
#define LOAD_LIBRARY_SEARCH_APPLICATION_DIR 0x00000200
#define LOAD_LIBRARY_SEARCH_USER_DIRS 0x00000400
#define LOAD_LIBRARY_SEARCH_SYSTEM32 0x00000800
#define LOAD_LIBRARY_SEARCH_DEFAULT_DIRS 0x00001000
CPORT_WIN32_API HMODULE LoadLibraryExA(LPCSTR name, HANDLE file, DWORD flags);
CPORT_WIN32_API HMODULE LoadLibraryExW(LPCWSTR name, HANDLE file, DWORD flags);
CPORT_WIN32_API BOOL FreeLibrary(HMODULE module);
/* A function of the layer by its Win32 name, in the layer's module; NULL
 * with ERROR_PROC_NOT_FOUND for a name the layer does not provide, an
 * ordinal, or any name in the program's module (GetModuleHandle(NULL)). */
CPORT_WIN32_API FARPROC GetProcAddress(HMODULE module, LPCSTR name);
#define GetModuleHandle CPORT_W32_AW(GetModuleHandle)
#define LoadLibrary CPORT_W32_AW(LoadLibrary)
#define LoadLibraryEx CPORT_W32_AW(LoadLibraryEx)

/* ------------------------------------------------------------------------ */
/* Console                                                                   */
/* ------------------------------------------------------------------------ */

#define CTRL_C_EVENT 0u
#define CTRL_BREAK_EVENT 1u
/* The C runtime's Ctrl-Break signal: SIGQUIT, as CTRL_BREAK_EVENT (the
 * program includes <signal.h> to use it; this header does not, since
 * glibc's brings <unistd.h>'s names, which are not Windows'). */
#ifndef SIGBREAK
#  define SIGBREAK SIGQUIT
#endif
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
/* Raises CTRL_C_EVENT or CTRL_BREAK_EVENT (as SIGINT or SIGQUIT): group 0
 * (or the caller's id) is the calling process, whose handlers run as for
 * the signal (other processes on its terminal are not signalled); another
 * group is a Linux process group, sent CTRL_BREAK_EVENT only (Ctrl-C
 * "cannot be generated for process groups": TRUE, nothing sent). Another
 * event, or a group that does not exist: ERROR_INVALID_PARAMETER. */
CPORT_WIN32_API BOOL GenerateConsoleCtrlEvent(DWORD event, DWORD group);

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
#define WriteConsole CPORT_W32_AW(WriteConsole)

/* The window's title: kept by the layer and shown by the terminal of
 * standard output or error (an OSC 0 sequence); GetConsoleTitle gives it
 * back (the program's path until one is set), cut to the buffer with its
 * NUL, and returns the characters copied. */
CPORT_WIN32_API BOOL SetConsoleTitleA(LPCSTR title);
CPORT_WIN32_API BOOL SetConsoleTitleW(LPCWSTR title);
CPORT_WIN32_API DWORD GetConsoleTitleA(LPSTR buf, DWORD size);
CPORT_WIN32_API DWORD GetConsoleTitleW(LPWSTR buf, DWORD size);
#define SetConsoleTitle CPORT_W32_AW(SetConsoleTitle)
#define GetConsoleTitle CPORT_W32_AW(GetConsoleTitle)
/* Code pages: kept and read back (CP_UTF8 until set); text is never
 * converted, a Linux terminal reads UTF-8. 0 and UTF-16 (1200, 1201):
 * ERROR_INVALID_PARAMETER. */
CPORT_WIN32_API BOOL SetConsoleOutputCP(UINT cp);
CPORT_WIN32_API BOOL SetConsoleCP(UINT cp);
CPORT_WIN32_API UINT GetConsoleOutputCP(void);
CPORT_WIN32_API UINT GetConsoleCP(void);

#define FOREGROUND_BLUE 0x0001u
#define FOREGROUND_GREEN 0x0002u
#define FOREGROUND_RED 0x0004u
#define FOREGROUND_INTENSITY 0x0008u
#define BACKGROUND_BLUE 0x0010u
#define BACKGROUND_GREEN 0x0020u
#define BACKGROUND_RED 0x0040u
#define BACKGROUND_INTENSITY 0x0080u
#define COMMON_LVB_REVERSE_VIDEO 0x4000u
#define COMMON_LVB_UNDERSCORE 0x8000u
typedef struct _COORD {
  SHORT X;
  SHORT Y;
} COORD, *PCOORD;
typedef struct _SMALL_RECT {
  SHORT Left;
  SHORT Top;
  SHORT Right;
  SHORT Bottom;
} SMALL_RECT, *PSMALL_RECT;
typedef struct _CONSOLE_SCREEN_BUFFER_INFO {
  COORD dwSize;
  COORD dwCursorPosition;
  WORD wAttributes;
  SMALL_RECT srWindow;
  COORD dwMaximumWindowSize;
} CONSOLE_SCREEN_BUFFER_INFO, *PCONSOLE_SCREEN_BUFFER_INFO;
/* Colours as the terminal's SGR sequences (light grey on black, Windows'
 * default, is the terminal's own default); on a handle that is not a
 * console (redirected), ERROR_INVALID_HANDLE, as on Windows. */
CPORT_WIN32_API BOOL SetConsoleTextAttribute(HANDLE h, WORD attributes);
/* The terminal's size as the buffer and the window, the attributes last
 * set (0x07 at first); the cursor's place is not known (0, 0). On a
 * handle that is not a console: ERROR_INVALID_HANDLE. */
CPORT_WIN32_API BOOL
GetConsoleScreenBufferInfo(HANDLE h, PCONSOLE_SCREEN_BUFFER_INFO info);
/* A bell on the terminal (MessageBeep's sound types all ring it); Beep
 * rings it and returns after ms milliseconds (frequencies 37 to 32767,
 * else ERROR_INVALID_PARAMETER). */
CPORT_WIN32_API BOOL MessageBeep(UINT type);
CPORT_WIN32_API BOOL Beep(DWORD freq, DWORD ms);

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
/* The block's size as allocated (HeapSize's); NULL: 0, with
 * ERROR_INVALID_HANDLE. */
CPORT_WIN32_API SIZE_T GlobalSize(HGLOBAL p);
CPORT_WIN32_API SIZE_T LocalSize(HLOCAL p);

#define MEM_COMMIT 0x00001000u
#define MEM_RESERVE 0x00002000u
#define MEM_DECOMMIT 0x00004000u
#define MEM_RELEASE 0x00008000u
#define MEM_RESET 0x00080000u
#define PAGE_NOACCESS 0x01u
#define PAGE_READONLY 0x02u
#define PAGE_READWRITE 0x04u
#define PAGE_EXECUTE 0x10u
#define PAGE_EXECUTE_READ 0x20u
#define PAGE_EXECUTE_READWRITE 0x40u
/* Page-aligned memory from mmap; reservations are 64 KiB aligned as on
 * Windows. MEM_RELEASE takes size 0 and the base VirtualAlloc returned.
 * MEM_RESET, alone, on committed pages: their contents are no longer of
 * interest (madvise MADV_FREE: they read as before or as zeroes);
 * MEM_RESET_UNDO is not offered. */
CPORT_WIN32_API LPVOID VirtualAlloc(LPVOID addr, SIZE_T size, DWORD type,
                                    DWORD protect);
CPORT_WIN32_API BOOL VirtualFree(LPVOID addr, SIZE_T size, DWORD type);

/* File mappings (docs/porting.md). Protections for CreateFileMapping, and
 * the one section flag taken (SEC_COMMIT, what Windows assumes). */
#define PAGE_WRITECOPY 0x08u
#define PAGE_EXECUTE_WRITECOPY 0x80u
#define SEC_COMMIT 0x8000000u
/* MapViewOfFile's access: FILE_MAP_ALL_ACCESS is FILE_MAP_WRITE. */
#define FILE_MAP_COPY 0x0001u
#define FILE_MAP_WRITE 0x0002u
#define FILE_MAP_READ 0x0004u
#define FILE_MAP_EXECUTE 0x0020u
#define FILE_MAP_ALL_ACCESS 0x000F001Fu
/*
 * A mapping of a file (the size 0: the file's; larger, with
 * PAGE_READWRITE: the file grows to it; a file of 0 bytes:
 * ERROR_FILE_INVALID) or, for INVALID_HANDLE_VALUE, of memory of the
 * given size shared by its views. PAGE_READONLY, PAGE_READWRITE,
 * PAGE_WRITECOPY (the PAGE_EXECUTE_* ones and SEC_* flags other than
 * SEC_COMMIT: ERROR_NOT_SUPPORTED). A name: ERROR_NOT_SUPPORTED (no other
 * process could open it). The file handle may be closed while the mapping
 * lives; CloseHandle closes the mapping, and its views keep working.
 */
CPORT_WIN32_API HANDLE CreateFileMappingA(HANDLE file, LPSECURITY_ATTRIBUTES sa,
                                          DWORD protect, DWORD size_high,
                                          DWORD size_low, LPCSTR name);
CPORT_WIN32_API HANDLE CreateFileMappingW(HANDLE file, LPSECURITY_ATTRIBUTES sa,
                                          DWORD protect, DWORD size_high,
                                          DWORD size_low, LPCWSTR name);
#define CreateFileMapping CPORT_W32_AW(CreateFileMapping)
/*
 * A view (mmap): FILE_MAP_READ, FILE_MAP_WRITE (a PAGE_READWRITE mapping
 * only, else ERROR_ACCESS_DENIED), FILE_MAP_COPY (copy on write: the file
 * never changes); at an offset that is a multiple of the allocation
 * granularity GetSystemInfo reports (64 KiB; else
 * ERROR_MAPPED_ALIGNMENT), of `bytes` (0: to the end of the mapping;
 * beyond it: ERROR_ACCESS_DENIED). MapViewOfFileEx places it at base (a
 * multiple of 64 KiB, free: else ERROR_INVALID_ADDRESS), or anywhere for
 * NULL.
 */
CPORT_WIN32_API LPVOID MapViewOfFile(HANDLE mapping, DWORD access,
                                     DWORD off_high, DWORD off_low,
                                     SIZE_T bytes);
CPORT_WIN32_API LPVOID MapViewOfFileEx(HANDLE mapping, DWORD access,
                                       DWORD off_high, DWORD off_low,
                                       SIZE_T bytes, LPVOID base);
/* Unmaps the view holding addr (ERROR_INVALID_ADDRESS if none). */
CPORT_WIN32_API BOOL UnmapViewOfFile(LPCVOID addr);
/* Writes the view's pages from addr (bytes 0: to the view's end) to the
 * file (msync), waiting until they are written. */
CPORT_WIN32_API BOOL FlushViewOfFile(LPCVOID addr, SIZE_T bytes);

/* ------------------------------------------------------------------------ */
/* Strings                                                                   */
/* ------------------------------------------------------------------------ */

CPORT_WIN32_API int lstrlenA(LPCSTR s);
CPORT_WIN32_API int lstrlenW(LPCWSTR s);
CPORT_WIN32_API LPSTR lstrcpyA(LPSTR d, LPCSTR s);
CPORT_WIN32_API LPWSTR lstrcpyW(LPWSTR d, LPCWSTR s);
/* At most n - 1 characters of s and a NUL (with n 0, nothing). */
CPORT_WIN32_API LPSTR lstrcpynA(LPSTR d, LPCSTR s, int n);
CPORT_WIN32_API LPWSTR lstrcpynW(LPWSTR d, LPCWSTR s, int n);
CPORT_WIN32_API LPSTR lstrcatA(LPSTR d, LPCSTR s);
CPORT_WIN32_API LPWSTR lstrcatW(LPWSTR d, LPCWSTR s);
CPORT_WIN32_API int lstrcmpA(LPCSTR a, LPCSTR b);
CPORT_WIN32_API int lstrcmpW(LPCWSTR a, LPCWSTR b);
CPORT_WIN32_API int lstrcmpiA(LPCSTR a, LPCSTR b);
CPORT_WIN32_API int lstrcmpiW(LPCWSTR a, LPCWSTR b);
#define lstrlen CPORT_W32_AW(lstrlen)
#define lstrcpy CPORT_W32_AW(lstrcpy)
#define lstrcpyn CPORT_W32_AW(lstrcpyn)
#define lstrcat CPORT_W32_AW(lstrcat)
#define lstrcmp CPORT_W32_AW(lstrcmp)
#define lstrcmpi CPORT_W32_AW(lstrcmpi)
/* user32's formatting, in Microsoft's printf spelling: %s and %c of the
 * function's own width, %S and %C of the other, h and l (or w) forcing
 * char or WCHAR, I64, I32 and I. The result is cut at 1,023 characters
 * and a NUL, the most Windows' 1,024-character buffer takes. Returns the
 * characters stored, without the NUL; 0 with ERROR_INVALID_PARAMETER for
 * a NULL buffer or format. */
CPORT_WIN32_API int wsprintfA(LPSTR buf, LPCSTR fmt, ...);
CPORT_WIN32_API int wsprintfW(LPWSTR buf, LPCWSTR fmt, ...);
CPORT_WIN32_API int wvsprintfA(LPSTR buf, LPCSTR fmt, va_list ap);
CPORT_WIN32_API int wvsprintfW(LPWSTR buf, LPCWSTR fmt, va_list ap);
#define wsprintf CPORT_W32_AW(wsprintf)
#define wvsprintf CPORT_W32_AW(wvsprintf)

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
CPORT_WIN32_API int WideCharToMultiByte(UINT codepage, DWORD flags, LPCWSTR in,
                                        int inlen, LPSTR out, int outlen,
                                        LPCSTR defchar, LPBOOL used_default);

#endif /* CPORT_WIN32_PART_SYSTEM_H */
