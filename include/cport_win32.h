/**
 * @file cport_win32.h
 * @brief The Win32 porting layer: IOCP programs build on Linux with only
 * their includes changed.
 *
 * On Windows this header includes the real headers (winsock2.h,
 * ws2tcpip.h, mswsock.h, windows.h) and nothing else: your IOCP code uses
 * the real API.
 *
 * On Linux it declares the IOCP-related subset of Win32 on top of cport,
 * so the same IOCP server source builds and runs there: completion ports,
 * overlapped Winsock calls with the Microsoft extensions, overlapped file
 * I/O, threads, critical sections, Interlocked*, and the error codes
 * Windows gives. The functions behave as Microsoft documents them; see
 * docs/porting.md for the differences that remain (OVERLAPPED is larger
 * than on Windows; struct in_addr has no S_un; SOCKET values are file
 * descriptors). Every name declared, by area: @ref cport_win32_api.
 *
 * Link with cport-win32 (CMake: cport::win32; pkg-config: cport-win32).
 * C and C++ (a class may derive from OVERLAPPED), also as C99 or C++
 * under -pedantic: the one extension used is marked (#CPORT_W32_NAMELESS).
 *
 * @par OVERLAPPED on Linux
 * Internal, InternalHigh, Offset/OffsetHigh (or Pointer) and hEvent sit
 * where Windows has them, in the first 32 bytes; cport's operation record
 * follows: an OVERLAPPED is a cport_op_t, 256 bytes on 64-bit systems.
 * Internal is STATUS_PENDING while the operation is in flight, so
 * HasOverlappedIoCompleted() works. Zero it before its first use, as on
 * Windows.
 */
/**
 * @def CPORT_WIN32_API
 * Marks the functions of the porting layer: exported from the library that
 * implements it on Linux.
 */
/**
 * @def CPORT_W32_NAMELESS
 * Marks the nameless structs and unions of LARGE_INTEGER and OVERLAPPED
 * (`__extension__` with GCC and Clang): standard C11, an extension in C99
 * and C++, so that -pedantic builds stay quiet, as with mingw-w64's
 * headers.
 */
/**
 * @fn int cport_w32_setsockopt(SOCKET s, int level, int name, const char *val, int len)
 * setsockopt() with Winsock's signature; `setsockopt` is defined to this
 * name. SO_UPDATE_ACCEPT_CONTEXT, SO_UPDATE_CONNECT_CONTEXT and
 * SO_EXCLUSIVEADDRUSE succeed without effect (cport has done that work).
 * @param s the socket
 * @param level SOL_SOCKET, IPPROTO_TCP, ...
 * @param name the option
 * @param val the value
 * @param len bytes of `val`
 * @return 0, or SOCKET_ERROR with the code in WSAGetLastError().
 */
/**
 * @fn int cport_w32_getsockopt(SOCKET s, int level, int name, char *val, int *len)
 * getsockopt() with Winsock's signature; `getsockopt` is defined to this
 * name. SO_CONNECT_TIME gives 0 when connected, 0xFFFFFFFF when not.
 * @param s the socket
 * @param level SOL_SOCKET, IPPROTO_TCP, ...
 * @param name the option
 * @param[out] val where the value goes
 * @param[in,out] len room in `val`, then the value's length
 * @return 0, or SOCKET_ERROR with the code in WSAGetLastError()
 *         (WSAEFAULT for a NULL or short `val`).
 */
/**
 * @fn SOCKET cport_w32_accept(SOCKET s, struct sockaddr *addr, int *len)
 * accept() with Winsock's signature, blocking until a connection arrives
 * even on a socket that is on a port; `accept` is defined to this name.
 * @param s a listening socket
 * @param[out] addr the peer's address; may be NULL
 * @param[in,out] len room in `addr`, then its length; may be NULL
 * @return The new socket, or INVALID_SOCKET with the code in
 *         WSAGetLastError().
 */
/**
 * @fn int cport_w32_getsockname(SOCKET s, struct sockaddr *addr, int *len)
 * getsockname() with Winsock's int length; `getsockname` is defined to this
 * name.
 * @param s the socket
 * @param[out] addr the local address
 * @param[in,out] len room in `addr`, then its length
 * @return 0, or SOCKET_ERROR with the code in WSAGetLastError().
 */
/**
 * @fn int cport_w32_getpeername(SOCKET s, struct sockaddr *addr, int *len)
 * getpeername() with Winsock's int length; `getpeername` is defined to this
 * name.
 * @param s the socket
 * @param[out] addr the peer's address
 * @param[in,out] len room in `addr`, then its length
 * @return 0, or SOCKET_ERROR with the code in WSAGetLastError().
 */
#ifndef CPORT_WIN32_H
#define CPORT_WIN32_H

#if defined(_WIN32)

#  include <winsock2.h>
#  include <ws2tcpip.h>
#  include <mswsock.h>
#  include <windows.h>

#else /* Linux: the subset, on cport */

#  include <arpa/inet.h>
#  include <netinet/in.h>
#  include <netinet/tcp.h>
#  include <pthread.h>
#  include <stddef.h>
#  include <stdint.h>
#  include <string.h>
#  include <sys/ioctl.h>
#  include <sys/socket.h>
#  include <unistd.h>

#  include "cport.h"

#  ifdef __cplusplus
extern "C" {
#  endif

#  define CPORT_WIN32_API CPORT_API
#  define WINAPI
#  define CALLBACK
#  define WSAAPI
/* The one extension this header uses: the nameless structs and unions of
 * LARGE_INTEGER and OVERLAPPED, standard in C11 but not in C99 or C++,
 * marked the way mingw-w64's headers mark them so -pedantic stays quiet. */
#  if defined(__GNUC__)
#    define CPORT_W32_NAMELESS __extension__
#  else
#    define CPORT_W32_NAMELESS
#  endif

/* ------------------------------------------------------------------------ */
/* Base types                                                                */
/* ------------------------------------------------------------------------ */

typedef int BOOL;
typedef unsigned char BYTE;
typedef unsigned char UCHAR;
typedef unsigned short WORD;
typedef uint32_t DWORD;
typedef uint32_t ULONG;
typedef int32_t LONG;
typedef int INT;
typedef unsigned int UINT;
typedef char CHAR;
typedef uintptr_t ULONG_PTR;
typedef intptr_t LONG_PTR;
typedef uintptr_t UINT_PTR;
typedef uintptr_t DWORD_PTR;
typedef ULONG_PTR SIZE_T;
typedef int64_t LONGLONG;
typedef uint64_t ULONGLONG;
typedef void VOID;
typedef void *PVOID;
typedef void *LPVOID;
typedef const void *LPCVOID;
typedef char *LPSTR;
typedef const char *LPCSTR;
typedef DWORD *LPDWORD;
typedef INT *LPINT;
typedef BOOL *LPBOOL;
typedef ULONG_PTR *PULONG_PTR;
typedef ULONG *PULONG;
typedef void *HANDLE;
typedef HANDLE *PHANDLE;
typedef uintptr_t SOCKET;
typedef uint16_t ADDRESS_FAMILY;
typedef struct sockaddr SOCKADDR, *PSOCKADDR, *LPSOCKADDR;
typedef struct sockaddr_in SOCKADDR_IN, *PSOCKADDR_IN;
typedef struct sockaddr_in6 SOCKADDR_IN6;
typedef struct sockaddr_storage SOCKADDR_STORAGE;
typedef unsigned long u_long;
typedef unsigned short u_short;
typedef union _LARGE_INTEGER {
  CPORT_W32_NAMELESS struct {
    DWORD LowPart;
    LONG HighPart;
  };
  LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;
typedef struct _GUID {
  uint32_t Data1;
  uint16_t Data2;
  uint16_t Data3;
  uint8_t Data4[8];
} GUID, *LPGUID;

#  define TRUE 1
#  define FALSE 0
#  define INFINITE 0xFFFFFFFFu
#  define INVALID_HANDLE_VALUE ((HANDLE)(LONG_PTR)-1)
#  define INVALID_SOCKET ((SOCKET)~(uintptr_t)0)
#  define SOCKET_ERROR (-1)
#  define WAIT_OBJECT_0 0u
#  define WAIT_FAILED 0xFFFFFFFFu
#  define MAKEWORD(lo, hi) ((WORD)(((BYTE)(lo)) | ((WORD)((BYTE)(hi))) << 8))
#  define LOBYTE(w) ((BYTE)((w)&0xff))
#  define HIBYTE(w) ((BYTE)(((w) >> 8) & 0xff))
#  define ZeroMemory(p, n) memset((p), 0, (n))
#  define CopyMemory(d, s, n) memcpy((d), (s), (n))
#  define CONTAINING_RECORD(address, type, field) \
    ((type *)((char *)(address) - offsetof(type, field)))

/* ------------------------------------------------------------------------ */
/* Errors: the values Windows uses                                           */
/* ------------------------------------------------------------------------ */

#  define ERROR_SUCCESS 0u
#  define NO_ERROR 0u
#  define ERROR_INVALID_FUNCTION 1u
#  define ERROR_FILE_NOT_FOUND 2u
#  define ERROR_PATH_NOT_FOUND 3u
#  define ERROR_TOO_MANY_OPEN_FILES 4u
#  define ERROR_ACCESS_DENIED 5u
#  define ERROR_INVALID_HANDLE 6u
#  define ERROR_NOT_ENOUGH_MEMORY 8u
#  define ERROR_OUTOFMEMORY 14u
#  define ERROR_HANDLE_EOF 38u
#  define ERROR_NOT_SUPPORTED 50u
#  define ERROR_NETNAME_DELETED 64u
#  define ERROR_FILE_EXISTS 80u
#  define ERROR_INVALID_PARAMETER 87u
#  define ERROR_BROKEN_PIPE 109u
#  define ERROR_CALL_NOT_IMPLEMENTED 120u
#  define ERROR_INSUFFICIENT_BUFFER 122u
#  define ERROR_ALREADY_EXISTS 183u
#  define ERROR_MORE_DATA 234u
#  define WAIT_TIMEOUT 258u
#  define ERROR_ABANDONED_WAIT_0 735u
#  define ERROR_OPERATION_ABORTED 995u
#  define ERROR_IO_INCOMPLETE 996u
#  define ERROR_IO_PENDING 997u
#  define ERROR_NOT_FOUND 1168u
#  define ERROR_CONNECTION_REFUSED 1225u
#  define ERROR_GRACEFUL_DISCONNECT 1226u
#  define ERROR_NETWORK_UNREACHABLE 1231u
#  define ERROR_HOST_UNREACHABLE 1232u
#  define ERROR_CONNECTION_ABORTED 1236u
#  define WSA_IO_PENDING 997
#  define WSA_OPERATION_ABORTED 995
#  define WSA_INVALID_HANDLE ERROR_INVALID_HANDLE
#  define WSA_INVALID_PARAMETER ERROR_INVALID_PARAMETER
#  define WSA_NOT_ENOUGH_MEMORY ERROR_NOT_ENOUGH_MEMORY
#  define WSAEINTR 10004
#  define WSAEBADF 10009
#  define WSAEACCES 10013
#  define WSAEFAULT 10014
#  define WSAEINVAL 10022
#  define WSAEMFILE 10024
#  define WSAEWOULDBLOCK 10035
#  define WSAEINPROGRESS 10036
#  define WSAEALREADY 10037
#  define WSAENOTSOCK 10038
#  define WSAEDESTADDRREQ 10039
#  define WSAEMSGSIZE 10040
#  define WSAEPROTOTYPE 10041
#  define WSAENOPROTOOPT 10042
#  define WSAEPROTONOSUPPORT 10043
#  define WSAEOPNOTSUPP 10045
#  define WSAEAFNOSUPPORT 10047
#  define WSAEADDRINUSE 10048
#  define WSAEADDRNOTAVAIL 10049
#  define WSAENETDOWN 10050
#  define WSAENETUNREACH 10051
#  define WSAECONNABORTED 10053
#  define WSAECONNRESET 10054
#  define WSAENOBUFS 10055
#  define WSAEISCONN 10056
#  define WSAENOTCONN 10057
#  define WSAESHUTDOWN 10058
#  define WSAETIMEDOUT 10060
#  define WSAECONNREFUSED 10061
#  define WSAEHOSTUNREACH 10065
#  define WSANOTINITIALISED 10093
#  define WSAEDISCON 10101

CPORT_WIN32_API DWORD GetLastError(void);
CPORT_WIN32_API void SetLastError(DWORD err);
CPORT_WIN32_API int WSAGetLastError(void);
CPORT_WIN32_API void WSASetLastError(int err);

/* ------------------------------------------------------------------------ */
/* OVERLAPPED and completion ports                                           */
/* ------------------------------------------------------------------------ */

/*
 * The layout of Windows' OVERLAPPED, followed by cport's operation record
 * (OVERLAPPED *is* a cport_op_t here, so it is larger than on Windows).
 */
typedef struct _OVERLAPPED {
  ULONG_PTR Internal;     /* STATUS_PENDING while in flight, then status */
  ULONG_PTR InternalHigh; /* bytes transferred */
  CPORT_W32_NAMELESS union {
    CPORT_W32_NAMELESS struct {
      DWORD Offset;
      DWORD OffsetHigh;
    };
    PVOID Pointer;
  };
  HANDLE hEvent;
  void *cport_reserved_data;
  uintptr_t cport_reserved[27];
} OVERLAPPED, *LPOVERLAPPED, WSAOVERLAPPED, *LPWSAOVERLAPPED;

#  define STATUS_PENDING ((ULONG_PTR)0x103)
#  define HasOverlappedIoCompleted(ov) ((ov)->Internal != STATUS_PENDING)

typedef struct _OVERLAPPED_ENTRY {
  ULONG_PTR lpCompletionKey;
  LPOVERLAPPED lpOverlapped;
  ULONG_PTR Internal;
  DWORD dwNumberOfBytesTransferred;
} OVERLAPPED_ENTRY, *LPOVERLAPPED_ENTRY;

typedef void(CALLBACK *LPWSAOVERLAPPED_COMPLETION_ROUTINE)(DWORD, DWORD,
                                                           LPWSAOVERLAPPED,
                                                           DWORD);

CPORT_WIN32_API HANDLE CreateIoCompletionPort(HANDLE file, HANDLE port,
                                              ULONG_PTR key, DWORD threads);
CPORT_WIN32_API BOOL GetQueuedCompletionStatus(HANDLE port, LPDWORD bytes,
                                               PULONG_PTR key,
                                               LPOVERLAPPED *ov, DWORD ms);
CPORT_WIN32_API BOOL GetQueuedCompletionStatusEx(HANDLE port,
                                                 LPOVERLAPPED_ENTRY entries,
                                                 ULONG count, PULONG removed,
                                                 DWORD ms, BOOL alertable);
CPORT_WIN32_API BOOL PostQueuedCompletionStatus(HANDLE port, DWORD bytes,
                                                ULONG_PTR key, LPOVERLAPPED ov);
CPORT_WIN32_API BOOL GetOverlappedResult(HANDLE h, LPOVERLAPPED ov,
                                         LPDWORD bytes, BOOL wait);
/* Ports, files, sockets given as HANDLE, and threads. */
CPORT_WIN32_API BOOL CloseHandle(HANDLE h);
CPORT_WIN32_API BOOL CancelIo(HANDLE h);
CPORT_WIN32_API BOOL CancelIoEx(HANDLE h, LPOVERLAPPED ov);

#  define FILE_SKIP_COMPLETION_PORT_ON_SUCCESS 0x1
#  define FILE_SKIP_SET_EVENT_ON_HANDLE 0x2
CPORT_WIN32_API BOOL SetFileCompletionNotificationModes(HANDLE h, UCHAR flags);

/* ------------------------------------------------------------------------ */
/* Winsock                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct _WSABUF {
  ULONG len;
  CHAR *buf;
} WSABUF, *LPWSABUF;

typedef struct WSAData {
  WORD wVersion;
  WORD wHighVersion;
  char szDescription[257];
  char szSystemStatus[129];
  unsigned short iMaxSockets;
  unsigned short iMaxUdpDg;
  char *lpVendorInfo;
} WSADATA, *LPWSADATA;

typedef void *LPWSAPROTOCOL_INFOA, *LPWSAPROTOCOL_INFOW;
typedef unsigned int GROUP;

#  define WSA_FLAG_OVERLAPPED 0x01
#  define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#  define SD_RECEIVE 0
#  define SD_SEND 1
#  define SD_BOTH 2
#  define SO_UPDATE_ACCEPT_CONTEXT 0x700B
#  define SO_UPDATE_CONNECT_CONTEXT 0x7010
#  define SO_CONNECT_TIME 0x700C
#  define SO_EXCLUSIVEADDRUSE ((int)(~SO_REUSEADDR))
/* Windows' IOC_IN | IOC_OUT | IOC_WS2 | 6 (Linux has its own IOC_*). */
#  define SIO_GET_EXTENSION_FUNCTION_POINTER 0xC8000006u
#  define TF_DISCONNECT 0x01
#  define TF_REUSE_SOCKET 0x02
#  define TF_WRITE_BEHIND 0x04
#  define TF_USE_DEFAULT_WORKER 0x00

#  define WSAID_ACCEPTEX                                                    \
    {0xb5367df1, 0xcbac, 0x11cf, {0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}
#  define WSAID_CONNECTEX                                                   \
    {0x25a207b9, 0xddf3, 0x4660, {0x8e, 0xe9, 0x76, 0xe5, 0x8c, 0x74, 0x06, 0x3e}}
#  define WSAID_DISCONNECTEX                                                \
    {0x7fda2e11, 0x8630, 0x436f, {0xa0, 0x31, 0xf5, 0x36, 0xa6, 0xee, 0xc1, 0x57}}
#  define WSAID_GETACCEPTEXSOCKADDRS                                        \
    {0xb5367df2, 0xcbac, 0x11cf, {0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}
#  define WSAID_TRANSMITFILE                                                \
    {0xb5367df0, 0xcbac, 0x11cf, {0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}

typedef struct _TRANSMIT_FILE_BUFFERS {
  LPVOID Head;
  DWORD HeadLength;
  LPVOID Tail;
  DWORD TailLength;
} TRANSMIT_FILE_BUFFERS, *LPTRANSMIT_FILE_BUFFERS;

typedef BOOL(WINAPI *LPFN_ACCEPTEX)(SOCKET, SOCKET, PVOID, DWORD, DWORD, DWORD,
                                    LPDWORD, LPOVERLAPPED);
typedef BOOL(WINAPI *LPFN_CONNECTEX)(SOCKET, const struct sockaddr *, int,
                                     PVOID, DWORD, LPDWORD, LPOVERLAPPED);
typedef BOOL(WINAPI *LPFN_DISCONNECTEX)(SOCKET, LPOVERLAPPED, DWORD, DWORD);
typedef VOID(WINAPI *LPFN_GETACCEPTEXSOCKADDRS)(PVOID, DWORD, DWORD, DWORD,
                                                struct sockaddr **, LPINT,
                                                struct sockaddr **, LPINT);
typedef BOOL(WINAPI *LPFN_TRANSMITFILE)(SOCKET, HANDLE, DWORD, DWORD,
                                        LPOVERLAPPED, LPTRANSMIT_FILE_BUFFERS,
                                        DWORD);

CPORT_WIN32_API int WSAStartup(WORD version, LPWSADATA data);
CPORT_WIN32_API int WSACleanup(void);
CPORT_WIN32_API SOCKET WSASocketA(int af, int type, int protocol,
                                  LPWSAPROTOCOL_INFOA info, GROUP g,
                                  DWORD flags);
CPORT_WIN32_API SOCKET WSASocketW(int af, int type, int protocol,
                                  LPWSAPROTOCOL_INFOW info, GROUP g,
                                  DWORD flags);
#  define WSASocket WSASocketA
CPORT_WIN32_API int closesocket(SOCKET s);
CPORT_WIN32_API int ioctlsocket(SOCKET s, long cmd, u_long *arg);
CPORT_WIN32_API int WSAIoctl(SOCKET s, DWORD code, LPVOID in, DWORD inlen,
                             LPVOID out, DWORD outlen, LPDWORD bytes,
                             LPWSAOVERLAPPED ov,
                             LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
CPORT_WIN32_API int WSARecv(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                            LPDWORD flags, LPWSAOVERLAPPED ov,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
CPORT_WIN32_API int WSASend(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                            DWORD flags, LPWSAOVERLAPPED ov,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
CPORT_WIN32_API int WSARecvFrom(SOCKET s, LPWSABUF bufs, DWORD n,
                                LPDWORD bytes, LPDWORD flags,
                                struct sockaddr *from, LPINT fromlen,
                                LPWSAOVERLAPPED ov,
                                LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
CPORT_WIN32_API int WSASendTo(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                              DWORD flags, const struct sockaddr *to, int tolen,
                              LPWSAOVERLAPPED ov,
                              LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
CPORT_WIN32_API BOOL AcceptEx(SOCKET listener, SOCKET accepted, PVOID buf,
                              DWORD recvlen, DWORD locallen, DWORD remotelen,
                              LPDWORD bytes, LPOVERLAPPED ov);
CPORT_WIN32_API VOID GetAcceptExSockaddrs(PVOID buf, DWORD recvlen,
                                          DWORD locallen, DWORD remotelen,
                                          struct sockaddr **local,
                                          LPINT local_len,
                                          struct sockaddr **remote,
                                          LPINT remote_len);
CPORT_WIN32_API BOOL ConnectEx(SOCKET s, const struct sockaddr *name,
                               int namelen, PVOID send, DWORD sendlen,
                               LPDWORD sent, LPOVERLAPPED ov);
CPORT_WIN32_API BOOL DisconnectEx(SOCKET s, LPOVERLAPPED ov, DWORD flags,
                                  DWORD reserved);
CPORT_WIN32_API BOOL TransmitFile(SOCKET s, HANDLE file, DWORD bytes,
                                  DWORD per_send, LPOVERLAPPED ov,
                                  LPTRANSMIT_FILE_BUFFERS buffers,
                                  DWORD flags);

/* Winsock's int lengths and char* option values, and the Windows-only
 * options (SO_UPDATE_ACCEPT_CONTEXT, ...). */
CPORT_WIN32_API int cport_w32_setsockopt(SOCKET s, int level, int name,
                                         const char *val, int len);
CPORT_WIN32_API int cport_w32_getsockopt(SOCKET s, int level, int name,
                                         char *val, int *len);
CPORT_WIN32_API SOCKET cport_w32_accept(SOCKET s, struct sockaddr *addr,
                                        int *len);
CPORT_WIN32_API int cport_w32_getsockname(SOCKET s, struct sockaddr *addr,
                                          int *len);
CPORT_WIN32_API int cport_w32_getpeername(SOCKET s, struct sockaddr *addr,
                                          int *len);
#  define setsockopt cport_w32_setsockopt
#  define getsockopt cport_w32_getsockopt
#  define accept cport_w32_accept
#  define getsockname cport_w32_getsockname
#  define getpeername cport_w32_getpeername

/* ------------------------------------------------------------------------ */
/* Files                                                                     */
/* ------------------------------------------------------------------------ */

typedef struct _SECURITY_ATTRIBUTES {
  DWORD nLength;
  LPVOID lpSecurityDescriptor;
  BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

#  define GENERIC_READ 0x80000000u
#  define GENERIC_WRITE 0x40000000u
#  define FILE_APPEND_DATA 0x0004u
#  define FILE_SHARE_READ 0x1u
#  define FILE_SHARE_WRITE 0x2u
#  define FILE_SHARE_DELETE 0x4u
#  define CREATE_NEW 1u
#  define CREATE_ALWAYS 2u
#  define OPEN_EXISTING 3u
#  define OPEN_ALWAYS 4u
#  define TRUNCATE_EXISTING 5u
#  define FILE_ATTRIBUTE_NORMAL 0x80u
#  define FILE_FLAG_OVERLAPPED 0x40000000u
#  define FILE_FLAG_NO_BUFFERING 0x20000000u
#  define FILE_FLAG_SEQUENTIAL_SCAN 0x08000000u

CPORT_WIN32_API HANDLE CreateFileA(LPCSTR path, DWORD access, DWORD share,
                                   LPSECURITY_ATTRIBUTES sa, DWORD disposition,
                                   DWORD flags, HANDLE template_file);
CPORT_WIN32_API BOOL ReadFile(HANDLE h, LPVOID buf, DWORD len, LPDWORD read,
                              LPOVERLAPPED ov);
CPORT_WIN32_API BOOL WriteFile(HANDLE h, LPCVOID buf, DWORD len,
                               LPDWORD written, LPOVERLAPPED ov);
CPORT_WIN32_API BOOL DeleteFileA(LPCSTR path);
CPORT_WIN32_API BOOL GetFileSizeEx(HANDLE h, PLARGE_INTEGER size);

/* ------------------------------------------------------------------------ */
/* Threads, time, system                                                     */
/* ------------------------------------------------------------------------ */

typedef DWORD(WINAPI *LPTHREAD_START_ROUTINE)(LPVOID);

CPORT_WIN32_API HANDLE CreateThread(LPSECURITY_ATTRIBUTES sa, SIZE_T stack,
                                    LPTHREAD_START_ROUTINE fn, LPVOID arg,
                                    DWORD flags, LPDWORD id);
CPORT_WIN32_API DWORD WaitForSingleObject(HANDLE h, DWORD ms);
CPORT_WIN32_API DWORD WaitForMultipleObjects(DWORD n, const HANDLE *hs,
                                             BOOL all, DWORD ms);
CPORT_WIN32_API BOOL GetExitCodeThread(HANDLE h, LPDWORD code);
CPORT_WIN32_API DWORD GetCurrentThreadId(void);
CPORT_WIN32_API void Sleep(DWORD ms);
CPORT_WIN32_API DWORD GetTickCount(void);
CPORT_WIN32_API ULONGLONG GetTickCount64(void);
#  define STILL_ACTIVE 259u

typedef struct _SYSTEM_INFO {
  WORD wProcessorArchitecture;
  WORD wReserved;
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

/* A recursive lock, as Windows' critical sections are. */
typedef struct _CRITICAL_SECTION {
  pthread_mutex_t mutex;
} CRITICAL_SECTION, *LPCRITICAL_SECTION;
CPORT_WIN32_API void InitializeCriticalSection(LPCRITICAL_SECTION cs);
CPORT_WIN32_API BOOL InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION cs,
                                                           DWORD spin);
CPORT_WIN32_API void EnterCriticalSection(LPCRITICAL_SECTION cs);
CPORT_WIN32_API BOOL TryEnterCriticalSection(LPCRITICAL_SECTION cs);
CPORT_WIN32_API void LeaveCriticalSection(LPCRITICAL_SECTION cs);
CPORT_WIN32_API void DeleteCriticalSection(LPCRITICAL_SECTION cs);

/* Interlocked*: full barriers, returning what Windows returns. These are
 * compiler intrinsics on Windows too. */
#  define InterlockedIncrement(p) __atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#  define InterlockedDecrement(p) __atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)
#  define InterlockedExchange(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#  define InterlockedExchangeAdd(p, v) \
    __atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
#  define InterlockedCompareExchange(p, v, cmp) \
    __sync_val_compare_and_swap((p), (cmp), (v))
#  define InterlockedIncrement64 InterlockedIncrement
#  define InterlockedDecrement64 InterlockedDecrement
#  define InterlockedExchange64 InterlockedExchange
#  define InterlockedExchangeAdd64 InterlockedExchangeAdd
#  define InterlockedCompareExchange64 InterlockedCompareExchange
#  define InterlockedExchangePointer InterlockedExchange
#  define InterlockedCompareExchangePointer InterlockedCompareExchange

#  ifdef __cplusplus
}
#  endif

#endif /* Linux */

#endif /* CPORT_WIN32_H */
