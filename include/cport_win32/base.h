/**
 * @file cport_win32/base.h
 * @brief Part of cport_win32.h: the calling conventions, integer and handle types, characters, constants, the Win32 and Winsock error codes, HRESULT and the last error (windef.h, winnt.h, winerror.h).
 *
 * Include <cport_win32.h>, never this file: it is read inside that
 * header's Linux branch, after the parts before it.
 */
#ifndef CPORT_WIN32_PART_BASE_H
#define CPORT_WIN32_PART_BASE_H

#ifndef CPORT_WIN32_H
#  error "include <cport_win32.h>, not its parts"
#endif

#define CPORT_WIN32_API CPORT_API
/* The one extension this header uses: the nameless structs and unions of
 * LARGE_INTEGER, ULARGE_INTEGER, OVERLAPPED and SYSTEM_INFO, standard in
 * C11 but not in C99 or C++, marked the way mingw-w64's headers mark them
 * so -pedantic stays quiet. */
#if defined(__GNUC__)
#  define CPORT_W32_NAMELESS __extension__
#else
#  define CPORT_W32_NAMELESS
#endif
#if defined(__GNUC__)
#  define CPORT_W32_NORETURN __attribute__((noreturn))
#else
#  define CPORT_W32_NORETURN
#endif
/* Empty unless the program defines it: the printf-like calls read
 * Microsoft's spelling (%I64d, %S, a bare %p), which the C library's
 * format checks misread, so a correct Windows program would be warned. */
#ifndef CPORT_W32_PRINTF
#  define CPORT_W32_PRINTF(f, a)
#endif

/* ------------------------------------------------------------------------ */
/* Calling conventions and annotations                                       */
/* ------------------------------------------------------------------------ */

/* One calling convention on Linux: the Windows keywords mean nothing. */
#define WINAPI
#define WINAPIV
#define APIENTRY
#define CALLBACK
#define PASCAL
/* 16-bit pointer qualifiers old Winsock code still writes. */
#define FAR
#define NEAR
#define WSAAPI
#define NTAPI
#ifndef __cdecl
#  define __cdecl
#endif
#ifndef __stdcall
#  define __stdcall
#endif
#ifndef __fastcall
#  define __fastcall
#endif
#ifndef _cdecl
#  define _cdecl
#endif
/* MSVC's __declspec: the forms programs put on their own declarations
 * (exports and imports of a library's header, alignment, thread-local
 * variables...) as GCC attributes, one at a time (deprecated without a
 * message); another form names CPORT_W32_DECLSPEC_<it> in the
 * compiler's error. */
#ifndef __declspec
#  define __declspec(x) CPORT_W32_DECLSPEC_##x
#  define CPORT_W32_DECLSPEC_dllexport __attribute__((visibility("default")))
#  define CPORT_W32_DECLSPEC_dllimport
#  define CPORT_W32_DECLSPEC_noreturn __attribute__((noreturn))
#  define CPORT_W32_DECLSPEC_noinline __attribute__((noinline))
#  define CPORT_W32_DECLSPEC_deprecated __attribute__((deprecated))
#  define CPORT_W32_DECLSPEC_selectany __attribute__((weak))
#  define CPORT_W32_DECLSPEC_thread __thread
#  define CPORT_W32_DECLSPEC_novtable
#  define CPORT_W32_DECLSPEC_nothrow
#  define CPORT_W32_DECLSPEC_align(n) __attribute__((aligned(n)))
#  define CPORT_W32_DECLSPEC_
#endif
/* winnt.h's alignment of a type or variable, and the cache line it uses
 * to keep hot fields apart. */
#ifndef DECLSPEC_ALIGN
#  define DECLSPEC_ALIGN(x) __attribute__((aligned(x)))
#endif
#define SYSTEM_CACHE_ALIGNMENT_SIZE 64

/* The SAL annotations Microsoft's samples carry. */
#ifndef _In_
#  define _In_
#  define _In_opt_
#  define _Out_
#  define _Out_opt_
#  define _Inout_
#  define _Inout_opt_
#  define _In_z_
#  define _In_reads_(n)
#  define _In_reads_bytes_(n)
#  define _Out_writes_(n)
#  define _Out_writes_bytes_(n)
#  define _Out_writes_bytes_opt_(n)
#  define _Success_(e)
#  define _Printf_format_string_
#endif

#define UNREFERENCED_PARAMETER(p) ((void)(p))

/* ------------------------------------------------------------------------ */
/* Integers and pointers                                                     */
/* ------------------------------------------------------------------------ */

typedef int BOOL, *PBOOL, *LPBOOL;
typedef unsigned char BYTE, *PBYTE, *LPBYTE;
typedef unsigned char UCHAR, *PUCHAR;
typedef unsigned char BOOLEAN, *PBOOLEAN;
typedef unsigned short WORD, *PWORD, *LPWORD;
typedef unsigned short USHORT, *PUSHORT;
typedef short SHORT, *PSHORT;
typedef uint32_t DWORD, *PDWORD, *LPDWORD;
typedef uint32_t ULONG, *PULONG;
typedef int32_t LONG, *PLONG, *LPLONG;
typedef int INT, *PINT, *LPINT;
typedef unsigned int UINT, *PUINT;
typedef char CHAR, *PCHAR;
typedef float FLOAT;
typedef int8_t INT8;
typedef uint8_t UINT8;
typedef int16_t INT16;
typedef uint16_t UINT16;
typedef int32_t INT32;
typedef uint32_t UINT32;
/* The 64-bit types are int64_t and uint64_t, as cport.h's (so
 * `cport_file_size(h, &li.QuadPart)` and `int64_t *p = &li.QuadPart`
 * build), and MSVC's `__int64` keyword names the same type, so an
 * `unsigned __int64 *` is a `PULONGLONG` and C++ overloads see one type.
 * (A literal such as 100ULL is `unsigned long long`, another type here:
 * std::max(GetTickCount64(), (ULONGLONG)100).) */
typedef int64_t INT64, LONG64, LONGLONG, *PLONGLONG;
typedef uint64_t UINT64, ULONG64, DWORD64, ULONGLONG, *PULONGLONG;
#ifndef __int64
#  if defined(__LP64__)
#    define __int64 long
#  else
#    define __int64 long long
#  endif
#endif
/* A kernel status (ntdef.h): what OVERLAPPED.Internal and
 * BindIoCompletionCallback's routine see. */
typedef LONG NTSTATUS, *PNTSTATUS;
typedef intptr_t INT_PTR, LONG_PTR, SSIZE_T;
typedef uintptr_t UINT_PTR, ULONG_PTR, DWORD_PTR, SIZE_T;
typedef ULONG_PTR *PULONG_PTR;
typedef DWORD_PTR *PDWORD_PTR;
typedef SIZE_T *PSIZE_T;
typedef void VOID;
typedef void *PVOID, *LPVOID;
typedef const void *LPCVOID;
typedef LONG HRESULT;

typedef union _LARGE_INTEGER {
  CPORT_W32_NAMELESS struct {
    DWORD LowPart;
    LONG HighPart;
  };
  struct {
    DWORD LowPart;
    LONG HighPart;
  } u;
  LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
  CPORT_W32_NAMELESS struct {
    DWORD LowPart;
    DWORD HighPart;
  };
  struct {
    DWORD LowPart;
    DWORD HighPart;
  } u;
  ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef struct _GUID {
  uint32_t Data1;
  uint16_t Data2;
  uint16_t Data3;
  uint8_t Data4[8];
} GUID, *LPGUID;
/* REFGUID: a pointer in C, a reference in C++, as guiddef.h has it. */
#ifndef REFGUID
#  ifdef __cplusplus
#    define REFGUID const GUID &
#  else
#    define REFGUID const GUID *
#  endif
#endif
#ifndef IsEqualGUID
#  ifdef __cplusplus
#    define IsEqualGUID(a, b) (memcmp(&(a), &(b), sizeof(GUID)) == 0)
#  else
#    define IsEqualGUID(a, b) (memcmp((a), (b), sizeof(GUID)) == 0)
#  endif
#endif
#ifndef InlineIsEqualGUID
#  define InlineIsEqualGUID IsEqualGUID
#endif

typedef struct _FILETIME {
  DWORD dwLowDateTime;
  DWORD dwHighDateTime;
} FILETIME, *PFILETIME, *LPFILETIME;

typedef struct _SYSTEMTIME {
  WORD wYear;
  WORD wMonth;
  WORD wDayOfWeek;
  WORD wDay;
  WORD wHour;
  WORD wMinute;
  WORD wSecond;
  WORD wMilliseconds;
} SYSTEMTIME, *PSYSTEMTIME, *LPSYSTEMTIME;

/* ------------------------------------------------------------------------ */
/* Handles                                                                   */
/* ------------------------------------------------------------------------ */

/* A HANDLE below 1 << 22 holds a file descriptor (a socket, a file);
 * above, it names one of the layer's objects (a port, a thread, an
 * event...). SOCKET is the descriptor itself. */
typedef void *HANDLE;
typedef HANDLE *PHANDLE, *LPHANDLE;
typedef HANDLE HMODULE, HINSTANCE, HLOCAL, HGLOBAL;
/* minwindef.h: a function pointer of any type (GetProcAddress's result,
 * extension pointers' size); cast before calling. */
typedef INT_PTR(WINAPI *FARPROC)(void);
typedef uintptr_t SOCKET;

#define INVALID_HANDLE_VALUE ((HANDLE)(LONG_PTR)-1)

/* ------------------------------------------------------------------------ */
/* Characters: A is UTF-8 char, W is the platform's wchar_t                  */
/* ------------------------------------------------------------------------ */

/* WCHAR is wchar_t so L"..." literals keep working; on Linux that is
 * UTF-32, not UTF-16 (see docs/porting.md). */
typedef wchar_t WCHAR, *PWCHAR, *LPWCH;
typedef char *LPSTR, *PSTR;
typedef const char *LPCSTR, *PCSTR;
typedef WCHAR *LPWSTR, *PWSTR;
typedef const WCHAR *LPCWSTR, *PCWSTR;

#ifdef UNICODE
typedef WCHAR TCHAR;
#  define TEXT(s) L##s
#  define CPORT_W32_AW(name) name##W
#else
typedef char TCHAR;
#  define TEXT(s) s
#  define CPORT_W32_AW(name) name##A
#endif
typedef TCHAR *LPTSTR, *PTSTR;
typedef const TCHAR *LPCTSTR, *PCTSTR;
/* tchar.h: _TCHAR, and _tmain as main for the narrow build (a UNICODE
 * build has no wmain on Linux: its entry point takes char, see
 * docs/porting.md). */
typedef TCHAR _TCHAR;
#if !defined(UNICODE) && !defined(_tmain)
#  define _tmain main
#endif
#ifndef _T
#  define _T(s) TEXT(s)
#endif
#define __TEXT(s) TEXT(s)

/* ------------------------------------------------------------------------ */
/* Constants and macros                                                      */
/* ------------------------------------------------------------------------ */

#define TRUE 1
#define FALSE 0
#define INFINITE 0xFFFFFFFFu
#define MAX_PATH 260
#define MAXDWORD 0xFFFFFFFFu
#define MAXLONG 0x7FFFFFFF
#define MAXWORD 0xFFFFu
#define MAXBYTE 0xFFu
#define MAXULONG_PTR (~(ULONG_PTR)0)
/* basetsd.h's casts between pointers, handles and 32-bit integers. */
#define PtrToUlong(p) ((ULONG)(ULONG_PTR)(p))
#define PtrToLong(p) ((LONG)(LONG_PTR)(p))
#define PtrToUint(p) ((UINT)(UINT_PTR)(p))
#define PtrToInt(p) ((INT)(INT_PTR)(p))
#define PtrToUshort(p) ((unsigned short)(ULONG_PTR)(p))
#define PtrToShort(p) ((short)(LONG_PTR)(p))
#define HandleToUlong(h) ((ULONG)(ULONG_PTR)(h))
#define HandleToULong(h) HandleToUlong(h)
#define HandleToLong(h) ((LONG)(LONG_PTR)(h))
#define UlongToHandle(u) ((HANDLE)(ULONG_PTR)(ULONG)(u))
#define ULongToHandle(u) UlongToHandle(u)
#define LongToHandle(l) ((HANDLE)(LONG_PTR)(LONG)(l))
#define IntToPtr(i) ((void *)(INT_PTR)(int)(i))
#define UIntToPtr(u) ((void *)(UINT_PTR)(unsigned int)(u))
#define LongToPtr(l) ((void *)(LONG_PTR)(LONG)(l))
#define ULongToPtr(u) ((void *)(ULONG_PTR)(ULONG)(u))
#define UlongToPtr(u) ULongToPtr(u)
/* Pointers are 64 bits wide already: these only change the type. */
#define PtrToPtr64(p) ((void *)(p))
#define Ptr64ToPtr(p) ((void *)(p))
#define HandleToHandle64(h) ((void *)(h))
#define Handle64ToHandle(h) ((void *)(h))

#define MAKEWORD(lo, hi) ((WORD)(((BYTE)(lo)) | ((WORD)((BYTE)(hi))) << 8))
#define MAKELONG(lo, hi) ((LONG)(((WORD)(lo)) | ((DWORD)((WORD)(hi))) << 16))
#define LOWORD(l) ((WORD)(((DWORD_PTR)(l)) & 0xffff))
#define HIWORD(l) ((WORD)((((DWORD_PTR)(l)) >> 16) & 0xffff))
#define LOBYTE(w) ((BYTE)(((DWORD_PTR)(w)) & 0xff))
#define HIBYTE(w) ((BYTE)((((DWORD_PTR)(w)) >> 8) & 0xff))

#define ZeroMemory(p, n) memset((p), 0, (n))
#define SecureZeroMemory(p, n) memset((p), 0, (n))
#define FillMemory(p, n, v) memset((p), (v), (n))
#define CopyMemory(d, s, n) memcpy((d), (s), (n))
#define MoveMemory(d, s, n) memmove((d), (s), (n))
#define RtlZeroMemory ZeroMemory
#define RtlCopyMemory CopyMemory

#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define CONTAINING_RECORD(address, type, field) \
  ((type *)((char *)(address)-offsetof(type, field)))
/* winnt.h's list links, which programs use for their own lists (the
 * helpers that work them, InitializeListHead and co., are the driver
 * kit's: user-mode programs write their own). */
typedef struct _LIST_ENTRY {
  struct _LIST_ENTRY *Flink;
  struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY, *PRLIST_ENTRY;
typedef struct _SINGLE_LIST_ENTRY {
  struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;
#ifndef ARRAYSIZE
#  define ARRAYSIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef _countof
#  define _countof(a) (sizeof(a) / sizeof((a)[0]))
#endif
/* winnt.h and minwindef.h's annotations and helpers: C_ASSERT, a check
 * at compile time that may repeat (a function declared again); the
 * parameter markers; a cache line's alignment (64 bytes); MSVC's
 * __forceinline. */
#ifndef C_ASSERT
#  define C_ASSERT(e) extern char(*cport_w32_c_assert(void))[(e) ? 1 : -1]
#endif
/* (A program whose own code names something IN, OUT, OPTIONAL or CONST
 * defines CPORT_W32_NO_ANNOTATIONS before the include.) */
#ifndef CPORT_W32_NO_ANNOTATIONS
#  ifndef IN
#    define IN
#  endif
#  ifndef OUT
#    define OUT
#  endif
#  ifndef OPTIONAL
#    define OPTIONAL
#  endif
#  ifndef CONST
#    define CONST const
#  endif
#endif
#ifndef DECLSPEC_CACHEALIGN
#  define DECLSPEC_CACHEALIGN __attribute__((aligned(64)))
#endif
#ifndef __forceinline
#  define __forceinline __inline__ __attribute__((__always_inline__))
#endif
#ifndef FORCEINLINE
#  define FORCEINLINE __forceinline
#endif

/* winnt.h: what the heap aligns every block to (16 bytes on 64-bit
 * Windows, as glibc's malloc does). */
#define MEMORY_ALLOCATION_ALIGNMENT 16

/* The Microsoft C runtime's names that Win32 programs use beside
 * windows.h (string.h, stdlib.h and stdio.h there): case-blind compares
 * and wide-string numbers, here without needing _GNU_SOURCE. (_snprintf
 * and its kin, which read Microsoft's format spelling, are in
 * safecrt.h.) */
static inline int cport_w32_strnicmp(const char *a, const char *b, size_t n) {
  for (; n > 0; a++, b++, n--) {
    int x = tolower((unsigned char)*a), y = tolower((unsigned char)*b);
    if (x != y || x == 0)
      return x - y;
  }
  return 0;
}
static inline int cport_w32_wcsnicmp(const wchar_t *a, const wchar_t *b,
                                     size_t n) {
  for (; n > 0; a++, b++, n--) {
    wint_t x = towlower((wint_t)*a), y = towlower((wint_t)*b);
    if (x != y || x == 0)
      return x < y ? -1 : x > y;
  }
  return 0;
}
static inline int cport_w32_stricmp(const char *a, const char *b) {
  return cport_w32_strnicmp(a, b, (size_t)-1);
}
static inline int cport_w32_wcsicmp(const wchar_t *a, const wchar_t *b) {
  return cport_w32_wcsnicmp(a, b, (size_t)-1);
}
#ifndef _stricmp
#  define _stricmp cport_w32_stricmp
#endif
#ifndef _strnicmp
#  define _strnicmp cport_w32_strnicmp
#endif
#ifndef _wcsicmp
#  define _wcsicmp cport_w32_wcsicmp
#endif
#ifndef _wcsnicmp
#  define _wcsnicmp cport_w32_wcsnicmp
#endif
/* The older names without the underscore (string.h). */
#ifndef stricmp
static inline int stricmp(const char *a, const char *b) {
  return cport_w32_stricmp(a, b);
}
#endif
#ifndef strnicmp
static inline int strnicmp(const char *a, const char *b, size_t n) {
  return cport_w32_strnicmp(a, b, n);
}
#endif
#ifndef _wtoi
#  define _wtoi(s) ((int)wcstol(s, NULL, 10))
#endif
#ifndef _wtol
#  define _wtol(s) wcstol(s, NULL, 10)
#endif
#ifndef _atoi64
#  define _atoi64(s) strtoll(s, NULL, 10)
#endif

/* _aligned_malloc(size, alignment), alignment a power of two (else NULL),
 * and _aligned_free, the only way its blocks go back: the block malloc
 * gave is kept just before the aligned one. */
static inline void *cport_w32_aligned_malloc(size_t size, size_t align) {
  if (align == 0 || (align & (align - 1)) != 0 ||
      size > (size_t)-1 - align - sizeof(void *))
    return NULL;
  char *raw = (char *)malloc(size + align + sizeof(void *));
  if (raw == NULL)
    return NULL;
  uintptr_t at =
      ((uintptr_t)(raw + sizeof(void *)) + align - 1) & ~(uintptr_t)(align - 1);
  memcpy((char *)at - sizeof(void *), &raw, sizeof(raw));
  return (void *)at;
}
static inline void cport_w32_aligned_free(void *p) {
  if (p != NULL) {
    void *raw;
    memcpy(&raw, (char *)p - sizeof(void *), sizeof(raw));
    free(raw);
  }
}
#ifndef _aligned_malloc
#  define _aligned_malloc cport_w32_aligned_malloc
#endif
#ifndef _aligned_free
#  define _aligned_free cport_w32_aligned_free
#endif

/* windef.h's min and max; NOMINMAX leaves them out as on Windows. In C
 * they are the macros. In C++ they are function templates instead: the
 * macros would break libstdc++'s own headers (std::min, numeric_limits'
 * max()) included after this one, which MSVC's library survives. A call
 * with two arguments of one type finds std::min/std::max first where
 * `using namespace std` brings them in (they are more specialised);
 * mixed types get the macro's answer. */
#if !defined(NOMINMAX)
#  if !defined(__cplusplus)
#    ifndef min
#      define min(a, b) (((a) < (b)) ? (a) : (b))
#    endif
#    ifndef max
#      define max(a, b) (((a) > (b)) ? (a) : (b))
#    endif
#  elif __cplusplus >= 201103L
extern "C++" {
/* The conditional's type without its reference: a value, not a reference
 * to a parameter. */
template <class T> struct cport_w32_value { typedef T type; };
template <class T> struct cport_w32_value<T &> { typedef T type; };
#    ifndef min
template <class A, class B>
inline auto min(A a, B b) ->
    typename cport_w32_value<decltype((a < b) ? a : b)>::type {
  return (a < b) ? a : b;
}
#    endif
#    ifndef max
template <class A, class B>
inline auto max(A a, B b) ->
    typename cport_w32_value<decltype((a > b) ? a : b)>::type {
  return (a > b) ? a : b;
}
#    endif
}
#  endif
#endif

/* ------------------------------------------------------------------------ */
/* Win32 errors (winerror.h)                                                 */
/* ------------------------------------------------------------------------ */

#define ERROR_SUCCESS 0u
#define NO_ERROR 0u
#define ERROR_INVALID_FUNCTION 1u
#define ERROR_FILE_NOT_FOUND 2u
#define ERROR_PATH_NOT_FOUND 3u
#define ERROR_TOO_MANY_OPEN_FILES 4u
#define ERROR_ACCESS_DENIED 5u
#define ERROR_INVALID_HANDLE 6u
#define ERROR_NOT_ENOUGH_MEMORY 8u
#define ERROR_INVALID_ACCESS 12u
#define ERROR_INVALID_DATA 13u
#define ERROR_OUTOFMEMORY 14u
#define ERROR_NO_MORE_FILES 18u
#define ERROR_WRITE_FAULT 29u
#define ERROR_READ_FAULT 30u
#define ERROR_SHARING_VIOLATION 32u
#define ERROR_LOCK_VIOLATION 33u
#define ERROR_HANDLE_EOF 38u
#define ERROR_HANDLE_DISK_FULL 39u
#define ERROR_NOT_SUPPORTED 50u
#define ERROR_UNEXP_NET_ERR 59u
#define ERROR_NETNAME_DELETED 64u
#define ERROR_FILE_EXISTS 80u
#define ERROR_INVALID_PARAMETER 87u
#define ERROR_BROKEN_PIPE 109u
#define ERROR_BUFFER_OVERFLOW 111u
#define ERROR_DISK_FULL 112u
#define ERROR_CALL_NOT_IMPLEMENTED 120u
#define ERROR_INSUFFICIENT_BUFFER 122u
#define ERROR_INVALID_NAME 123u
#define ERROR_MOD_NOT_FOUND 126u
#define ERROR_PROC_NOT_FOUND 127u
#define ERROR_NEGATIVE_SEEK 131u
#define ERROR_DIR_NOT_EMPTY 145u
#define ERROR_NOT_LOCKED 158u
#define ERROR_BAD_PATHNAME 161u
#define ERROR_ALREADY_EXISTS 183u
#define ERROR_ENVVAR_NOT_FOUND 203u
#define ERROR_FILENAME_EXCED_RANGE 206u
#define ERROR_MORE_DATA 234u
#define WAIT_TIMEOUT 258u
#define ERROR_NOT_OWNER 288u
#define ERROR_TOO_MANY_POSTS 298u
#define ERROR_MR_MID_NOT_FOUND 317u
#define ERROR_INVALID_ADDRESS 487u
#define ERROR_ABANDONED_WAIT_0 735u
#define ERROR_OPERATION_ABORTED 995u
#define ERROR_IO_INCOMPLETE 996u
#define ERROR_IO_PENDING 997u
#define ERROR_NOACCESS 998u
#define ERROR_INVALID_FLAGS 1004u
#define ERROR_FILE_INVALID 1006u
#define ERROR_NO_UNICODE_TRANSLATION 1113u
#define ERROR_MAPPED_ALIGNMENT 1132u
#define ERROR_NOT_FOUND 1168u
#define ERROR_CANCELLED 1223u
#define ERROR_CONNECTION_REFUSED 1225u
#define ERROR_GRACEFUL_DISCONNECT 1226u
#define ERROR_NETWORK_UNREACHABLE 1231u
#define ERROR_HOST_UNREACHABLE 1232u
#define ERROR_PORT_UNREACHABLE 1234u
#define ERROR_CONNECTION_ABORTED 1236u
#define ERROR_CANNOT_IMPERSONATE 1368u
#define ERROR_NO_SYSTEM_RESOURCES 1450u
#define ERROR_TIMEOUT 1460u
#define ERROR_INVALID_USER_BUFFER 1784u

/* ------------------------------------------------------------------------ */
/* Winsock errors (winsock2.h)                                               */
/* ------------------------------------------------------------------------ */

#define WSA_IO_PENDING 997
#define WSA_IO_INCOMPLETE 996
#define WSA_OPERATION_ABORTED 995
#define WSA_INVALID_HANDLE 6
#define WSA_INVALID_PARAMETER 87
#define WSA_NOT_ENOUGH_MEMORY 8
#define WSAEINTR 10004
#define WSAEBADF 10009
#define WSAEACCES 10013
#define WSAEFAULT 10014
#define WSAEINVAL 10022
#define WSAEMFILE 10024
#define WSAEWOULDBLOCK 10035
#define WSAEINPROGRESS 10036
#define WSAEALREADY 10037
#define WSAENOTSOCK 10038
#define WSAEDESTADDRREQ 10039
#define WSAEMSGSIZE 10040
#define WSAEPROTOTYPE 10041
#define WSAENOPROTOOPT 10042
#define WSAEPROTONOSUPPORT 10043
#define WSAESOCKTNOSUPPORT 10044
#define WSAEOPNOTSUPP 10045
#define WSAEPFNOSUPPORT 10046
#define WSAEAFNOSUPPORT 10047
#define WSAEADDRINUSE 10048
#define WSAEADDRNOTAVAIL 10049
#define WSAENETDOWN 10050
#define WSAENETUNREACH 10051
#define WSAENETRESET 10052
#define WSAECONNABORTED 10053
#define WSAECONNRESET 10054
#define WSAENOBUFS 10055
#define WSAEISCONN 10056
#define WSAENOTCONN 10057
#define WSAESHUTDOWN 10058
#define WSAETOOMANYREFS 10059
#define WSAETIMEDOUT 10060
#define WSAECONNREFUSED 10061
#define WSAELOOP 10062
#define WSAENAMETOOLONG 10063
#define WSAEHOSTDOWN 10064
#define WSAEHOSTUNREACH 10065
#define WSAENOTEMPTY 10066
#define WSAEPROCLIM 10067
#define WSAEUSERS 10068
#define WSAEDQUOT 10069
#define WSAESTALE 10070
#define WSAEREMOTE 10071
#define WSASYSNOTREADY 10091
#define WSAVERNOTSUPPORTED 10092
#define WSANOTINITIALISED 10093
#define WSAEDISCON 10101
#define WSAENOMORE 10102
#define WSAECANCELLED 10103
#define WSAEINVALIDPROCTABLE 10104
#define WSAEINVALIDPROVIDER 10105
#define WSAEPROVIDERFAILEDINIT 10106
#define WSASYSCALLFAILURE 10107
#define WSASERVICE_NOT_FOUND 10108
#define WSA_E_NO_MORE 10110
#define WSA_E_CANCELLED 10111
#define WSAEREFUSED 10112
#define WSATYPE_NOT_FOUND 10109
#define WSAHOST_NOT_FOUND 11001
#define WSATRY_AGAIN 11002
#define WSANO_RECOVERY 11003
#define WSANO_DATA 11004

/* ------------------------------------------------------------------------ */
/* HRESULT                                                                   */
/* ------------------------------------------------------------------------ */

#define S_OK ((HRESULT)0)
#define S_FALSE ((HRESULT)1)
#define E_NOTIMPL ((HRESULT)0x80004001u)
#define E_POINTER ((HRESULT)0x80004003u)
#define E_ABORT ((HRESULT)0x80004004u)
#define E_FAIL ((HRESULT)0x80004005u)
#define E_UNEXPECTED ((HRESULT)0x8000FFFFu)
#define E_ACCESSDENIED ((HRESULT)0x80070005u)
#define E_HANDLE ((HRESULT)0x80070006u)
#define E_OUTOFMEMORY ((HRESULT)0x8007000Eu)
#define E_INVALIDARG ((HRESULT)0x80070057u)
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#define HRESULT_FROM_WIN32(x) \
  ((HRESULT)(x) <= 0          \
       ? (HRESULT)(x)         \
       : (HRESULT)((((DWORD)(x)) & 0x0000FFFFu) | (7u << 16) | 0x80000000u))

/* ------------------------------------------------------------------------ */
/* The last error, and its text                                              */
/* ------------------------------------------------------------------------ */

/* One value per thread, shared by GetLastError and WSAGetLastError as on
 * Windows. */
CPORT_WIN32_API DWORD GetLastError(void);
CPORT_WIN32_API void SetLastError(DWORD err);
CPORT_WIN32_API int WSAGetLastError(void);
CPORT_WIN32_API void WSASetLastError(int err);

#define FORMAT_MESSAGE_ALLOCATE_BUFFER 0x00000100u
#define FORMAT_MESSAGE_IGNORE_INSERTS 0x00000200u
#define FORMAT_MESSAGE_FROM_STRING 0x00000400u
#define FORMAT_MESSAGE_FROM_HMODULE 0x00000800u
#define FORMAT_MESSAGE_FROM_SYSTEM 0x00001000u
#define FORMAT_MESSAGE_ARGUMENT_ARRAY 0x00002000u
#define FORMAT_MESSAGE_MAX_WIDTH_MASK 0x000000FFu

#define LANG_NEUTRAL 0x00
#define LANG_ENGLISH 0x09
#define SUBLANG_NEUTRAL 0x00
#define SUBLANG_DEFAULT 0x01
#define SUBLANG_SYS_DEFAULT 0x02
#define SUBLANG_ENGLISH_US 0x01
#define MAKELANGID(p, s) ((((WORD)(s)) << 10) | (WORD)(p))

/*
 * The English text of a system error code (Win32 and WSA codes), ending
 * in "\r\n" as on Windows. FORMAT_MESSAGE_FROM_SYSTEM is required (with
 * or without ALLOCATE_BUFFER, IGNORE_INSERTS, MAX_WIDTH_MASK); source,
 * FROM_STRING and FROM_HMODULE are refused with ERROR_INVALID_PARAMETER,
 * and a code without a text fails with ERROR_MR_MID_NOT_FOUND. Returns the
 * characters stored, without the terminating NUL, or 0.
 */
CPORT_WIN32_API DWORD FormatMessageA(DWORD flags, LPCVOID source, DWORD id,
                                     DWORD lang, LPSTR buf, DWORD size,
                                     va_list *args);
CPORT_WIN32_API DWORD FormatMessageW(DWORD flags, LPCVOID source, DWORD id,
                                     DWORD lang, LPWSTR buf, DWORD size,
                                     va_list *args);
#define FormatMessage CPORT_W32_AW(FormatMessage)

#endif /* CPORT_WIN32_PART_BASE_H */
