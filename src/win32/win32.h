/*
 * win32.h - internals of the Win32 porting layer on Linux, the library
 * libcport-win32 (src/win32): the IOCP-related subset of Win32 declared by
 * cport_win32.h, implemented with the public cport API plus the small
 * private interface of src/linux/hooks.h. It owns the Win32 objects
 * (completion port and thread HANDLEs, events), the Win32 / WSA / NTSTATUS
 * error codes, and the fix-ups AcceptEx and socket reuse need.
 *
 *   win32.c    error codes, completion ports, overlapped results, files,
 *              threads, time, critical sections
 *   winsock.c  Winsock: overlapped send/receive and the Microsoft
 *              extensions
 */
#ifndef CPORT_WIN32_LAYER_H
#define CPORT_WIN32_LAYER_H

#include <stdbool.h>

#include "../../include/cport_win32.h"
#include "../linux/hooks.h"

#if defined(__GNUC__)
#  define CP_INTERNAL __attribute__((visibility("hidden")))
#else
#  define CP_INTERNAL
#endif

/* What a HANDLE points to when it is not a file descriptor. */
enum { W32_PORT = 1, W32_THREAD = 2 };
#define W32_MAGIC 0x57333248u /* "W32H" */

struct w32_object {
  uint32_t magic;
  uint32_t type;
};

/* A HANDLE holding a file descriptor (sockets, files) rather than a
 * pointer to an object. */
static inline bool w32_is_fd(HANDLE h) {
  return (uintptr_t)h < (1u << 22);
}

/* The port behind a HANDLE, or NULL. */
CP_INTERNAL cport_t *w32_port(HANDLE h);

/* Error codes. Every CPORT_E* code has a Win32 error (what
 * GetQueuedCompletionStatus reports), a WSA error (what a Winsock call that
 * fails at once reports) and an NTSTATUS (OVERLAPPED.Internal). */
CP_INTERNAL DWORD w32_error(int status);
CP_INTERNAL int w32_wsa_error(int status);
CP_INTERNAL ULONG_PTR w32_ntstatus(int status);
/* A finished op's status as Windows would report it: the op knows whether
 * it ended because its handle was closed. */
CP_INTERNAL DWORD w32_op_error(LPOVERLAPPED ov, int status);

/* Ops that need work before the caller sees their completion (AcceptEx:
 * move the connection into the caller's socket; DisconnectEx with
 * TF_REUSE_SOCKET: a fresh socket). Registered before the call starts. */
struct w32_fixup {
  struct w32_fixup *next;
  LPOVERLAPPED ov;
  int kind;            /* W32_FIX_ACCEPT, W32_FIX_REUSE */
  SOCKET target;       /* the socket that must hold the result */
  char *buf;           /* AcceptEx output buffer */
  DWORD recvlen, locallen, remotelen;
};
enum { W32_FIX_ACCEPT = 1, W32_FIX_REUSE = 2 };
CP_INTERNAL int w32_fixup_add(const struct w32_fixup *f);
CP_INTERNAL void w32_fixup_drop(LPOVERLAPPED ov);
/* Run the fixup registered for a completion (win32-sock.c). */
CP_INTERNAL void w32_fixup_run(cport_completion_t *c);

#endif
