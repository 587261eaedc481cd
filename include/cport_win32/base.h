/*
 * cport_win32/base.h - part of cport_win32.h (Linux): the base types of
 * windef.h / winnt.h / basetsd.h, the handle types, the character types
 * (A and W), and the small macros every Windows source uses. Include
 * cport_win32.h, not this file.
 */
#ifndef CPORT_WIN32_BASE_H
#define CPORT_WIN32_BASE_H

#ifndef CPORT_WIN32_PARTS_
#  error "include cport_win32.h, not its parts"
#endif

#ifdef __cplusplus
extern "C" {
#endif

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
typedef int64_t INT64, LONG64, LONGLONG, *PLONGLONG;
typedef uint64_t UINT64, ULONG64, DWORD64, ULONGLONG, *PULONGLONG;
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
  struct {
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
  struct {
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
typedef void *HANDLE, *PHANDLE, *LPHANDLE;
typedef HANDLE HMODULE, HINSTANCE, HLOCAL, HGLOBAL;
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
#  define CPORT_W32_AW_(name) name##W
#else
typedef char TCHAR;
#  define TEXT(s) s
#  define CPORT_W32_AW_(name) name##A
#endif
typedef TCHAR *LPTSTR, *PTSTR;
typedef const TCHAR *LPCTSTR, *PCTSTR;
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
  ((type *)((char *)(address) - offsetof(type, field)))
#ifndef ARRAYSIZE
#  define ARRAYSIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef _countof
#  define _countof(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* windef.h's min and max, for C (C++ has std::min/std::max); NOMINMAX
 * leaves them out as on Windows. */
#if !defined(__cplusplus) && !defined(NOMINMAX)
#  ifndef min
#    define min(a, b) (((a) < (b)) ? (a) : (b))
#  endif
#  ifndef max
#    define max(a, b) (((a) > (b)) ? (a) : (b))
#  endif
#endif

#ifdef __cplusplus
}
#endif

#endif /* CPORT_WIN32_BASE_H */
