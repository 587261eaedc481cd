/*
 * cport_win32.h - the Win32 porting layer.
 *
 * On Windows this header includes the real headers (winsock2.h,
 * ws2tcpip.h, mswsock.h, mstcpip.h, windows.h, process.h) and nothing
 * else: your IOCP code uses the real API.
 *
 * On Linux it declares the part of Win32 an IOCP program uses, on top of
 * cport, so the same source builds and runs there with only its include
 * lines changed: completion ports, overlapped Winsock with the Microsoft
 * extensions, overlapped files, threads, events and waits, the
 * synchronisation objects, console control events, heap and virtual
 * memory, error codes and messages. See docs/porting.md for the list and
 * the differences that remain (OVERLAPPED is larger than on Windows;
 * struct in_addr has no S_un; SOCKET values are file descriptors; WCHAR is
 * the platform's wchar_t).
 *
 * Link with cport-win32 and cport (`pkg-config --libs cport-win32`). C99
 * and later, C++ (a class may derive from OVERLAPPED).
 *
 * The Linux declarations: calling conventions and annotations here, the
 * rest in parts, included in this order:
 *   cport_win32/base.h     calling conventions, base types, macros
 *   cport_win32/errors.h   error codes, GetLastError, FormatMessage
 *   cport_win32/io.h       OVERLAPPED, completion ports, files
 *   cport_win32/threads.h  threads, waits, events, locks, Interlocked
 *   cport_win32/system.h   time, system, console, memory, strings
 *   cport_win32/winsock.h  Winsock, ws2tcpip, mswsock, mstcpip
 */
#ifndef CPORT_WIN32_H
#define CPORT_WIN32_H

#if defined(_WIN32)

#  include <winsock2.h>
#  include <ws2tcpip.h>
#  include <mswsock.h>
#  include <mstcpip.h>
#  include <windows.h>
#  include <process.h>

#else /* Linux: the subset, on cport */

/* What windows.h and winsock2.h make visible besides their own names. */
#  include <arpa/inet.h>
#  include <ctype.h>
#  include <netdb.h>
#  include <netinet/in.h>
#  include <netinet/tcp.h>
#  include <poll.h>
#  include <pthread.h>
#  include <stdarg.h>
#  include <stddef.h>
#  include <stdint.h>
#  include <stdlib.h>
#  include <string.h>
#  include <sys/ioctl.h>
#  include <sys/select.h>
#  include <sys/socket.h>
#  include <unistd.h>
#  include <wchar.h>

#  include "cport.h"

#  define CPORT_WIN32_API CPORT_API
#  define CPORT_WIN32_PARTS_ /* the parts are included from here only */

/* ------------------------------------------------------------------------ */
/* Calling conventions and annotations (one convention on Linux)             */
/* ------------------------------------------------------------------------ */

#  define WINAPI
#  define WINAPIV
#  define APIENTRY
#  define CALLBACK
#  define WSAAPI
#  define NTAPI
#  ifndef __cdecl
#    define __cdecl
#  endif
#  ifndef __stdcall
#    define __stdcall
#  endif
#  ifndef __fastcall
#    define __fastcall
#  endif
#  ifndef _cdecl
#    define _cdecl
#  endif

/* The SAL annotations Microsoft's samples carry. */
#  ifndef _In_
#    define _In_
#    define _In_opt_
#    define _Out_
#    define _Out_opt_
#    define _Inout_
#    define _Inout_opt_
#    define _In_z_
#    define _In_reads_(n)
#    define _In_reads_bytes_(n)
#    define _Out_writes_(n)
#    define _Out_writes_bytes_(n)
#    define _Out_writes_bytes_opt_(n)
#    define _Success_(e)
#    define _Printf_format_string_
#  endif

#  define UNREFERENCED_PARAMETER(p) ((void)(p))
#  if defined(__GNUC__)
#    define CPORT_W32_NORETURN __attribute__((noreturn))
#  else
#    define CPORT_W32_NORETURN
#  endif

/* ------------------------------------------------------------------------ */
/* The parts                                                                 */
/* ------------------------------------------------------------------------ */

#  include "cport_win32/base.h"
#  include "cport_win32/errors.h"
#  include "cport_win32/io.h"
#  include "cport_win32/threads.h"
#  include "cport_win32/system.h"
#  include "cport_win32/winsock.h"

#  undef CPORT_WIN32_PARTS_

#endif /* Linux */

#endif /* CPORT_WIN32_H */
