/*
 * errors.c - error codes: cport's (which are -errno on Linux) to the
 * Win32, WSA and NTSTATUS values Windows uses, the per-thread last error,
 * and FormatMessage's text for system codes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "win32.h"

/* ------------------------------------------------------------------------ */
/* cport code -> Win32, WSA, NTSTATUS                                        */
/* ------------------------------------------------------------------------ */

/* XX(cport code or -errno, Win32 error, WSA error, NTSTATUS) */
#define W32_ERROR_MAP(XX)                                                      \
  XX(CPORT_ECONNRESET, ERROR_NETNAME_DELETED, WSAECONNRESET, 0xC000020Du)      \
  XX(CPORT_ECONNREFUSED, ERROR_CONNECTION_REFUSED, WSAECONNREFUSED,            \
     0xC0000236u)                                                              \
  XX(CPORT_ECONNABORTED, ERROR_CONNECTION_ABORTED, WSAECONNABORTED,            \
     0xC0000241u)                                                              \
  XX(CPORT_ECANCELED, ERROR_OPERATION_ABORTED, WSA_OPERATION_ABORTED,          \
     0xC0000120u)                                                              \
  XX(CPORT_EOF, ERROR_HANDLE_EOF, WSAEDISCON, 0xC0000011u)                     \
  XX(CPORT_EMSGSIZE, ERROR_MORE_DATA, WSAEMSGSIZE, 0x80000005u)                \
  XX(CPORT_ETIMEDOUT, ERROR_SEM_TIMEOUT, WSAETIMEDOUT, 0xC00000B5u)            \
  XX(CPORT_ECLOSED, ERROR_ABANDONED_WAIT_0, WSAEINVAL, 0xC0000008u)            \
  XX(CPORT_ENETUNREACH, ERROR_NETWORK_UNREACHABLE, WSAENETUNREACH,             \
     0xC000023Cu)                                                              \
  XX(CPORT_EHOSTUNREACH, ERROR_HOST_UNREACHABLE, WSAEHOSTUNREACH, 0xC000023Du) \
  XX(CPORT_ENETDOWN, WSAENETDOWN, WSAENETDOWN, 0xC000023Cu)                    \
  XX(CPORT_ENOTCONN, ERROR_UNEXP_NET_ERR, WSAENOTCONN, 0xC0000140u)            \
  XX(CPORT_ESHUTDOWN, ERROR_PIPE_NOT_CONNECTED, WSAESHUTDOWN, 0xC00000B0u)     \
  XX(CPORT_EPIPE, ERROR_NETNAME_DELETED, WSAECONNRESET, 0xC000020Du)           \
  XX(CPORT_EINVAL, ERROR_INVALID_PARAMETER, WSAEINVAL, 0xC000000Du)            \
  XX(CPORT_EBUSY, ERROR_INVALID_PARAMETER, WSAEINVAL, 0xC000000Du)             \
  XX(CPORT_EBADF, ERROR_INVALID_HANDLE, WSAENOTSOCK, 0xC0000008u)              \
  XX(CPORT_ENOTSOCK, ERROR_INVALID_HANDLE, WSAENOTSOCK, 0xC0000008u)           \
  XX(CPORT_EOPNOTSUPP, ERROR_NOT_SUPPORTED, WSAEOPNOTSUPP, 0xC00000BBu)        \
  XX(CPORT_ENOSYS, ERROR_CALL_NOT_IMPLEMENTED, WSAEOPNOTSUPP, 0xC0000002u)     \
  XX(CPORT_EMFILE, ERROR_TOO_MANY_OPEN_FILES, WSAEMFILE, 0xC000011Fu)          \
  XX(CPORT_ENFILE, ERROR_TOO_MANY_OPEN_FILES, WSAEMFILE, 0xC000011Fu)          \
  XX(CPORT_ENOMEM, ERROR_NOT_ENOUGH_MEMORY, WSAENOBUFS, 0xC0000017u)           \
  XX(CPORT_ENOBUFS, ERROR_NOT_ENOUGH_MEMORY, WSAENOBUFS, 0xC0000017u)          \
  XX(CPORT_EACCES, ERROR_ACCESS_DENIED, WSAEACCES, 0xC0000022u)                \
  XX(CPORT_EPERM, ERROR_ACCESS_DENIED, WSAEACCES, 0xC0000022u)                 \
  XX(-EROFS, ERROR_ACCESS_DENIED, WSAEACCES, 0xC0000022u)                      \
  XX(CPORT_ENOENT, ERROR_FILE_NOT_FOUND, WSAEINVAL, 0xC0000034u)               \
  XX(CPORT_ENOTDIR, ERROR_PATH_NOT_FOUND, WSAEINVAL, 0xC000003Au)              \
  XX(CPORT_EEXIST, ERROR_FILE_EXISTS, WSAEINVAL, 0xC0000035u)                  \
  XX(CPORT_EISDIR, ERROR_ACCESS_DENIED, WSAEACCES, 0xC0000022u)                \
  XX(-ENOTEMPTY, ERROR_DIR_NOT_EMPTY, WSAEINVAL, 0xC0000101u)                  \
  XX(CPORT_ENAMETOOLONG, ERROR_FILENAME_EXCED_RANGE, WSAENAMETOOLONG,          \
     0xC0000106u)                                                              \
  XX(CPORT_ELOOP, ERROR_PATH_NOT_FOUND, WSAELOOP, 0xC000003Au)                 \
  XX(CPORT_ENOSPC, ERROR_DISK_FULL, WSAENOBUFS, 0xC000007Fu)                   \
  XX(CPORT_EFBIG, ERROR_DISK_FULL, WSAENOBUFS, 0xC000007Fu)                    \
  XX(CPORT_ESPIPE, ERROR_INVALID_PARAMETER, WSAEINVAL, 0xC000000Du)            \
  XX(CPORT_EADDRINUSE, WSAEADDRINUSE, WSAEADDRINUSE, 0xC000020Au)              \
  XX(CPORT_EADDRNOTAVAIL, WSAEADDRNOTAVAIL, WSAEADDRNOTAVAIL, 0xC000020Au)     \
  XX(CPORT_EAFNOSUPPORT, WSAEAFNOSUPPORT, WSAEAFNOSUPPORT, 0xC00000BBu)        \
  XX(CPORT_EPROTOTYPE, WSAEPROTOTYPE, WSAEPROTOTYPE, 0xC00000BBu)              \
  XX(CPORT_ENOPROTOOPT, WSAENOPROTOOPT, WSAENOPROTOOPT, 0xC00000BBu)           \
  XX(-ESOCKTNOSUPPORT, WSAESOCKTNOSUPPORT, WSAESOCKTNOSUPPORT, 0xC00000BBu)    \
  XX(CPORT_EISCONN, WSAEISCONN, WSAEISCONN, 0xC0000010u)                       \
  XX(CPORT_EALREADY, WSAEALREADY, WSAEALREADY, 0xC0000010u)                    \
  XX(CPORT_EINPROGRESS, WSAEWOULDBLOCK, WSAEWOULDBLOCK, 0xC0000001u)           \
  XX(CPORT_EAGAIN, WSAEWOULDBLOCK, WSAEWOULDBLOCK, 0xC0000001u)                \
  XX(CPORT_EINTR, WSAEINTR, WSAEINTR, 0xC0000001u)                             \
  XX(CPORT_EFAULT, ERROR_NOACCESS, WSAEFAULT, 0xC0000005u)                     \
  XX(CPORT_EDESTADDRREQ, WSAEDESTADDRREQ, WSAEDESTADDRREQ, 0xC0000001u)        \
  XX(CPORT_EPROTONOSUPPORT, WSAEPROTONOSUPPORT, WSAEPROTONOSUPPORT,            \
     0xC00000BBu)                                                              \
  XX(W32_EPIPE_BROKEN, ERROR_BROKEN_PIPE, WSAECONNRESET, 0xC000014Bu)          \
  XX(W32_EPIPE_CLOSING, ERROR_NO_DATA, WSAECONNRESET, 0xC00000B1u)

DWORD w32_error(int status) {
  switch (status) {
  case 0:
    return ERROR_SUCCESS;
#define W32_CASE_(cp, win, wsa, nt) \
  case cp:                          \
    return win;
    W32_ERROR_MAP(W32_CASE_)
#undef W32_CASE_
  default:
    return ERROR_INVALID_FUNCTION;
  }
}

int w32_wsa_error(int status) {
  switch (status) {
  case 0:
    return 0;
#define W32_CASE_(cp, win, wsa, nt) \
  case cp:                          \
    return wsa;
    W32_ERROR_MAP(W32_CASE_)
#undef W32_CASE_
  default:
    return WSAEINVAL;
  }
}

ULONG_PTR w32_ntstatus(int status) {
  switch (status) {
  case 0:
    return 0;
#define W32_CASE_(cp, win, wsa, nt) \
  case cp:                          \
    return nt;
    W32_ERROR_MAP(W32_CASE_)
#undef W32_CASE_
  default:
    return 0xC0000001u; /* STATUS_UNSUCCESSFUL */
  }
}

/* The NTSTATUS values W32_ERROR_MAP writes, read back to the code they
 * stand for; where several codes share one value, the first in the table
 * (the common one: reset before a broken pipe, refused, invalid
 * parameter). STATUS_UNSUCCESSFUL and STATUS_INVALID_HANDLE stand for no
 * one code. */
static int nt_to_code(uint32_t nt) {
  static const struct {
    int code;
    uint32_t nt;
  } map[] = {
#define W32_ROW_(cp, win, wsa, ntv) {cp, ntv},
      W32_ERROR_MAP(W32_ROW_)
#undef W32_ROW_
  };
  if (nt == 0xC0000001u)
    return CPORT_EUNKNOWN;
  if (nt == 0xC0000008u)
    return CPORT_EBADF;
  if (nt == 0xC000023Fu)
    return CPORT_ECONNREFUSED; /* a datagram's (port_unreachable) */
  for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
    if (map[i].nt == nt)
      return map[i].code;
  return CPORT_EUNKNOWN;
}

/* Whether nt is what an op that ended with code leaves in Internal
 * (fixups.c's nt_word: an op ended by its handle's close, a datagram's
 * ICMP report, or the table). */
static bool nt_of_code(uint32_t nt, int code) {
  return (code == CPORT_ECANCELED && nt == 0xC0000241u) ||
         (code == CPORT_ECONNREFUSED && nt == 0xC000023Fu) ||
         w32_ntstatus(code) == nt;
}

int w32_internal_status(const OVERLAPPED *ov) {
  intptr_t v = (intptr_t)__atomic_load_n(&ov->Internal, __ATOMIC_ACQUIRE);
  if (v <= 0 && v > -4096)
    return (int)v; /* a cport code, as the op left it */
  uint32_t nt = (uint32_t)v;
  /* The NTSTATUS its op left: the op's exact code (several codes share
   * one NTSTATUS), unless the program wrote Internal since. */
  int code;
  if (cport__op_code((const cport_op_t *)(const void *)ov, &code) &&
      nt_of_code(nt, code))
    return code;
  switch (nt) {
  /* Values Windows writes that the table does not (a program may copy
   * them into an OVERLAPPED it hands to GetOverlappedResult). */
  case 0xC000013Cu: /* STATUS_REMOTE_DISCONNECT */
  case 0xC000020Cu: /* STATUS_CONNECTION_DISCONNECTED */
    return CPORT_ECONNRESET;
  case 0xC000013Bu: /* STATUS_LOCAL_DISCONNECT */
    return CPORT_ECONNABORTED;
  default:
    /* Written by GetQueuedCompletionStatus(Ex) from W32_ERROR_MAP, so
     * that GetOverlappedResult and WSAGetOverlappedResult give the same
     * error after the packet was taken. */
    return nt_to_code(nt);
  }
}

/* ------------------------------------------------------------------------ */
/* The last error                                                            */
/* ------------------------------------------------------------------------ */

static __thread DWORD last_error;

CPORT_API DWORD GetLastError(void) {
  return last_error;
}
CPORT_API void SetLastError(DWORD err) {
  last_error = err;
}
CPORT_API int WSAGetLastError(void) {
  return (int)last_error;
}
CPORT_API void WSASetLastError(int err) {
  last_error = (DWORD)err;
}

BOOL w32_fail(DWORD err) {
  last_error = err;
  return FALSE;
}

int w32_wsa_fail(int err) {
  last_error = (DWORD)err;
  return SOCKET_ERROR;
}

void *w32_fail_null(DWORD err) {
  last_error = err;
  return NULL;
}

int w32_wsa_errno(int err) {
  return w32_wsa_fail(w32_wsa_error(-err));
}

/* ------------------------------------------------------------------------ */
/* FormatMessage                                                             */
/* ------------------------------------------------------------------------ */

static const struct {
  DWORD code;
  const char *text;
} messages[] = {
    {ERROR_SUCCESS, "The operation completed successfully."},
    {ERROR_INVALID_FUNCTION, "Incorrect function."},
    {ERROR_FILE_NOT_FOUND, "The system cannot find the file specified."},
    {ERROR_PATH_NOT_FOUND, "The system cannot find the path specified."},
    {ERROR_TOO_MANY_OPEN_FILES, "The system cannot open the file."},
    {ERROR_ACCESS_DENIED, "Access is denied."},
    {ERROR_INVALID_HANDLE, "The handle is invalid."},
    {ERROR_NOT_ENOUGH_MEMORY,
     "Not enough memory resources are available to process this command."},
    {ERROR_OUTOFMEMORY,
     "Not enough memory resources are available to complete this operation."},
    {ERROR_SHARING_VIOLATION, "The process cannot access the file because it "
                              "is being used by another process."},
    {ERROR_LOCK_VIOLATION, "The process cannot access the file because "
                           "another process has locked a portion of the file."},
    {ERROR_HANDLE_EOF, "Reached the end of the file."},
    {ERROR_FILE_INVALID,
     "The volume for a file has been externally altered so that the opened "
     "file is no longer valid."},
    {ERROR_MAPPED_ALIGNMENT,
     "The base address or the file offset specified does not have the "
     "proper alignment."},
    {ERROR_NOT_SUPPORTED, "The request is not supported."},
    {ERROR_UNEXP_NET_ERR, "An unexpected network error occurred."},
    {ERROR_NETNAME_DELETED,
     "The specified network name is no longer available."},
    {ERROR_FILE_EXISTS, "The file exists."},
    {ERROR_INVALID_PARAMETER, "The parameter is incorrect."},
    {ERROR_BROKEN_PIPE, "The pipe has been ended."},
    {ERROR_BUFFER_OVERFLOW, "The file name is too long."},
    {ERROR_DISK_FULL, "There is not enough space on the disk."},
    {ERROR_CALL_NOT_IMPLEMENTED,
     "This function is not supported on this system."},
    {ERROR_INSUFFICIENT_BUFFER,
     "The data area passed to a system call is too small."},
    {ERROR_MOD_NOT_FOUND, "The specified module could not be found."},
    {ERROR_PROC_NOT_FOUND, "The specified procedure could not be found."},
    {ERROR_DIR_NOT_EMPTY, "The directory is not empty."},
    {ERROR_NOT_LOCKED, "The segment is already unlocked."},
    {ERROR_ALREADY_EXISTS,
     "Cannot create a file when that file already exists."},
    {ERROR_ENVVAR_NOT_FOUND,
     "The system could not find the environment option that was entered."},
    {ERROR_FILENAME_EXCED_RANGE, "The filename or extension is too long."},
    {ERROR_BAD_PIPE, "The pipe state is invalid."},
    {ERROR_PIPE_BUSY, "All pipe instances are busy."},
    {ERROR_NO_DATA, "The pipe is being closed."},
    {ERROR_PIPE_NOT_CONNECTED, "No process is on the other end of the pipe."},
    {ERROR_MORE_DATA, "More data is available."},
    {WAIT_TIMEOUT, "The wait operation timed out."},
    {ERROR_NOT_OWNER, "Attempt to release mutex not owned by caller."},
    {ERROR_TOO_MANY_POSTS, "Too many posts were made to a semaphore."},
    {ERROR_ABANDONED_WAIT_0, "The I/O completion port handle was closed while "
                             "the wait was in progress."},
    {ERROR_OPERATION_ABORTED,
     "The I/O operation has been aborted because of either a thread exit or an "
     "application request."},
    {ERROR_IO_INCOMPLETE, "Overlapped I/O event is not in a signaled state."},
    {ERROR_IO_PENDING, "Overlapped I/O operation is in progress."},
    {ERROR_NOACCESS, "Invalid access to memory location."},
    {ERROR_INVALID_USER_BUFFER,
     "The supplied user buffer is not valid for the requested operation."},
    {ERROR_CANNOT_IMPERSONATE,
     "Unable to impersonate using a named pipe until data has been read from "
     "that pipe."},
    {ERROR_NO_UNICODE_TRANSLATION,
     "No mapping for the Unicode character exists in the target multi-byte "
     "code page."},
    {ERROR_NOT_FOUND, "Element not found."},
    {ERROR_CONNECTION_REFUSED,
     "The remote computer refused the network connection."},
    {ERROR_NETWORK_UNREACHABLE, "The network location cannot be reached."},
    {ERROR_PORT_UNREACHABLE, "No service is operating at the destination "
                             "network endpoint on the remote system."},
    {ERROR_HOST_UNREACHABLE,
     "The remote system is not reachable by the transport."},
    {ERROR_CONNECTION_ABORTED,
     "The network connection was aborted by the local system."},
    {ERROR_TIMEOUT,
     "This operation returned because the timeout period expired."},
    {WSAEINTR, "A blocking operation was interrupted by a call to "
               "WSACancelBlockingCall."},
    {WSAEACCES, "An attempt was made to access a socket in a way forbidden by "
                "its access permissions."},
    {WSAEFAULT, "The system detected an invalid pointer address in attempting "
                "to use a pointer argument in a call."},
    {WSAEINVAL, "An invalid argument was supplied."},
    {WSAEMFILE, "Too many open sockets."},
    {WSAEWOULDBLOCK,
     "A non-blocking socket operation could not be completed immediately."},
    {WSAEALREADY, "An operation was attempted on a non-blocking socket that "
                  "already had an operation in progress."},
    {WSAENOTSOCK,
     "An operation was attempted on something that is not a socket."},
    {WSAEMSGSIZE,
     "A message sent on a datagram socket was larger than the internal message "
     "buffer or some other network limit, or the buffer used to receive a "
     "datagram into was smaller than the datagram itself."},
    {WSAEOPNOTSUPP, "The attempted operation is not supported for the type of "
                    "object referenced."},
    {WSAEAFNOSUPPORT,
     "An address incompatible with the requested protocol was used."},
    {WSAEADDRINUSE, "Only one usage of each socket address (protocol/network "
                    "address/port) is normally permitted."},
    {WSAEADDRNOTAVAIL, "The requested address is not valid in its context."},
    {WSAENETDOWN, "A socket operation encountered a dead network."},
    {WSAENETUNREACH,
     "A socket operation was attempted to an unreachable network."},
    {WSAECONNABORTED, "An established connection was aborted by the software "
                      "in your host machine."},
    {WSAECONNRESET,
     "An existing connection was forcibly closed by the remote host."},
    {WSAENOBUFS,
     "An operation on a socket could not be performed because the system "
     "lacked sufficient buffer space or because a queue was full."},
    {WSAEISCONN, "A connect request was made on an already connected socket."},
    {WSAENOTCONN, "A request to send or receive data was disallowed because "
                  "the socket is not connected."},
    {WSAESHUTDOWN,
     "A request to send or receive data was disallowed because the socket had "
     "already been shut down in that direction with a previous shutdown call."},
    {WSAETIMEDOUT, "A connection attempt failed because the connected party "
                   "did not properly respond after a period of time."},
    {WSAECONNREFUSED, "No connection could be made because the target machine "
                      "actively refused it."},
    {WSAEHOSTUNREACH,
     "A socket operation was attempted to an unreachable host."},
    {WSANOTINITIALISED,
     "Either the application has not called WSAStartup, or WSAStartup failed."},
    {WSAHOST_NOT_FOUND, "No such host is known."},
    {WSATRY_AGAIN,
     "This is usually a temporary error during hostname resolution."},
    {WSANO_RECOVERY,
     "A non-recoverable error occurred during a database lookup."},
    {WSATYPE_NOT_FOUND, "The specified class was not found."},
};

static const char *message_of(DWORD code) {
  for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
    if (messages[i].code == code)
      return messages[i].text;
  return NULL;
}

/* The text as FormatMessage gives it: "\r\n" at the end, or with a
 * maximum width, lines broken at spaces and no line end. */
static size_t compose(char *out, size_t size, const char *text, DWORD flags) {
  unsigned width = flags & FORMAT_MESSAGE_MAX_WIDTH_MASK;
  size_t n = 0, col = 0;
  for (const char *p = text; *p; p++) {
    if (width != 0 && width != FORMAT_MESSAGE_MAX_WIDTH_MASK && *p == ' ' &&
        col > 0) {
      size_t word = strcspn(p + 1, " ");
      if (col + 1 + word > width) {
        if (n + 2 < size) {
          out[n] = '\r';
          out[n + 1] = '\n';
        }
        n += 2;
        col = 0;
        continue;
      }
    }
    if (n + 1 < size)
      out[n] = *p;
    n++;
    col++;
  }
  if (width == 0) {
    if (n + 2 < size) {
      out[n] = '\r';
      out[n + 1] = '\n';
    }
    n += 2;
  }
  if (size > 0)
    out[n < size ? n : size - 1] = '\0';
  return n;
}

/* The message in UTF-8, in *out (malloc'd); its length, or 0 with the
 * last error set. */
static size_t format_system(DWORD flags, LPCVOID source, DWORD id, char **out) {
  if (!(flags & FORMAT_MESSAGE_FROM_SYSTEM) ||
      (flags & (FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_FROM_HMODULE)) ||
      source != NULL)
    return (w32_fail(ERROR_INVALID_PARAMETER), 0);
  const char *text = message_of(id);
  if (text == NULL)
    return (w32_fail(ERROR_MR_MID_NOT_FOUND), 0);
  size_t n = compose(NULL, 0, text, flags);
  *out = malloc(n + 1);
  if (*out == NULL)
    return (w32_fail(ERROR_NOT_ENOUGH_MEMORY), 0);
  compose(*out, n + 1, text, flags);
  return n;
}

CPORT_API DWORD FormatMessageA(DWORD flags, LPCVOID source, DWORD id,
                               DWORD lang, LPSTR buf, DWORD size,
                               va_list *args) {
  (void)lang; /* English only */
  (void)args; /* system messages have no inserts */
  char *text = NULL;
  size_t n = format_system(flags, source, id, &text);
  if (n == 0)
    return 0;
  if (buf == NULL) {
    free(text);
    return (w32_fail(ERROR_INVALID_PARAMETER), 0);
  }
  if (flags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
    /* buf is really a char **; the buffer is LocalFree's. */
    char *copy = LocalAlloc(LMEM_FIXED, (n + 1 > size ? n + 1 : size));
    if (copy == NULL) {
      free(text);
      return (w32_fail(ERROR_NOT_ENOUGH_MEMORY), 0);
    }
    memcpy(copy, text, n + 1);
    memcpy(buf, &copy, sizeof(copy));
  } else if (n + 1 > size) {
    free(text);
    return (w32_fail(ERROR_INSUFFICIENT_BUFFER), 0);
  } else {
    memcpy(buf, text, n + 1);
  }
  free(text);
  return (DWORD)n;
}

CPORT_API DWORD FormatMessageW(DWORD flags, LPCVOID source, DWORD id,
                               DWORD lang, LPWSTR buf, DWORD size,
                               va_list *args) {
  (void)lang;
  (void)args;
  char *text = NULL;
  size_t n = format_system(flags, source, id, &text);
  if (n == 0)
    return 0;
  int wn = MultiByteToWideChar(CP_UTF8, 0, text, -1, NULL, 0); /* with NUL */
  DWORD result = 0;
  if (buf == NULL || wn <= 0) {
    w32_fail(ERROR_INVALID_PARAMETER);
  } else if (flags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
    size_t cells = (size_t)wn > size ? (size_t)wn : size;
    WCHAR *copy = LocalAlloc(LMEM_FIXED, cells * sizeof(WCHAR));
    if (copy == NULL) {
      w32_fail(ERROR_NOT_ENOUGH_MEMORY);
    } else {
      MultiByteToWideChar(CP_UTF8, 0, text, -1, copy, wn);
      memcpy(buf, &copy, sizeof(copy));
      result = (DWORD)wn - 1;
    }
  } else if ((DWORD)wn > size) {
    w32_fail(ERROR_INSUFFICIENT_BUFFER);
  } else {
    MultiByteToWideChar(CP_UTF8, 0, text, -1, buf, wn);
    result = (DWORD)wn - 1;
  }
  free(text);
  return result;
}

/* ------------------------------------------------------------------------ */
/* RtlNtStatusToDosError                                                     */
/* ------------------------------------------------------------------------ */

/* What Windows' table gives for the NTSTATUS values an I/O program meets
 * (those the layer writes into Internal and hands to BindIoCompletionCallback
 * routines, and their neighbours). */
static const struct {
  uint32_t nt;
  ULONG win;
} nt_table[] = {
    {0x00000102u, 258},  /* STATUS_TIMEOUT: WAIT_TIMEOUT */
    {0x00000103u, 997},  /* STATUS_PENDING: ERROR_IO_PENDING */
    {0x80000005u, 234},  /* STATUS_BUFFER_OVERFLOW: ERROR_MORE_DATA */
    {0x80000011u, 170},  /* STATUS_DEVICE_BUSY: ERROR_BUSY */
    {0xC0000001u, 31},   /* STATUS_UNSUCCESSFUL: ERROR_GEN_FAILURE */
    {0xC0000002u, 1},    /* STATUS_NOT_IMPLEMENTED: ERROR_INVALID_FUNCTION */
    {0xC0000005u, 998},  /* STATUS_ACCESS_VIOLATION: ERROR_NOACCESS */
    {0xC0000008u, 6},    /* STATUS_INVALID_HANDLE */
    {0xC000000Du, 87},   /* STATUS_INVALID_PARAMETER */
    {0xC0000010u, 1},    /* STATUS_INVALID_DEVICE_REQUEST */
    {0xC0000011u, 38},   /* STATUS_END_OF_FILE: ERROR_HANDLE_EOF */
    {0xC0000017u, 8},    /* STATUS_NO_MEMORY: ERROR_NOT_ENOUGH_MEMORY */
    {0xC0000022u, 5},    /* STATUS_ACCESS_DENIED */
    {0xC0000023u, 122},  /* STATUS_BUFFER_TOO_SMALL */
    {0xC0000034u, 2},    /* STATUS_OBJECT_NAME_NOT_FOUND */
    {0xC0000035u, 183},  /* STATUS_OBJECT_NAME_COLLISION */
    {0xC000003Au, 3},    /* STATUS_OBJECT_PATH_NOT_FOUND */
    {0xC0000043u, 32},   /* STATUS_SHARING_VIOLATION */
    {0xC0000054u, 33},   /* STATUS_FILE_LOCK_CONFLICT: ERROR_LOCK_VIOLATION */
    {0xC0000055u, 33},   /* STATUS_LOCK_NOT_GRANTED */
    {0xC000007Fu, 112},  /* STATUS_DISK_FULL */
    {0xC000009Au, 1450}, /* STATUS_INSUFFICIENT_RESOURCES */
    {0xC00000AEu, 231},  /* STATUS_PIPE_BUSY */
    {0xC00000B0u, 233},  /* STATUS_PIPE_DISCONNECTED */
    {0xC00000B1u, 232},  /* STATUS_PIPE_CLOSING: ERROR_NO_DATA */
    {0xC00000B2u, 535},  /* STATUS_PIPE_CONNECTED */
    {0xC00000B3u, 536},  /* STATUS_PIPE_LISTENING */
    {0xC00000B5u, 121},  /* STATUS_IO_TIMEOUT: ERROR_SEM_TIMEOUT */
    {0xC00000BAu, 5},    /* STATUS_FILE_IS_A_DIRECTORY */
    {0xC00000BBu, 50},   /* STATUS_NOT_SUPPORTED */
    {0xC00000D9u, 232},  /* STATUS_PIPE_EMPTY: ERROR_NO_DATA */
    {0xC00000E8u, 1784}, /* STATUS_INVALID_USER_BUFFER */
    {0xC0000101u, 145},  /* STATUS_DIRECTORY_NOT_EMPTY */
    {0xC0000103u, 267},  /* STATUS_NOT_A_DIRECTORY: ERROR_DIRECTORY */
    {0xC0000106u, 206},  /* STATUS_NAME_TOO_LONG */
    {0xC000011Fu, 4},    /* STATUS_TOO_MANY_OPENED_FILES */
    {0xC0000120u, 995},  /* STATUS_CANCELLED: ERROR_OPERATION_ABORTED */
    {0xC000013Bu, 64},   /* STATUS_LOCAL_DISCONNECT: ERROR_NETNAME_DELETED */
    {0xC000013Cu, 64},   /* STATUS_REMOTE_DISCONNECT */
    {0xC0000140u, 59},   /* STATUS_INVALID_CONNECTION: ERROR_UNEXP_NET_ERR */
    {0xC000014Bu, 109},  /* STATUS_PIPE_BROKEN: ERROR_BROKEN_PIPE */
    {0xC000020Au, 52},   /* STATUS_ADDRESS_ALREADY_EXISTS: ERROR_DUP_NAME */
    {0xC000020Cu, 64},   /* STATUS_CONNECTION_DISCONNECTED */
    {0xC000020Du, 64},   /* STATUS_CONNECTION_RESET */
    {0xC0000225u, 1168}, /* STATUS_NOT_FOUND */
    {0xC0000236u, 1225}, /* STATUS_CONNECTION_REFUSED */
    {0xC0000237u, 1226}, /* STATUS_GRACEFUL_DISCONNECT */
    {0xC000023Cu, 1231}, /* STATUS_NETWORK_UNREACHABLE */
    {0xC000023Du, 1232}, /* STATUS_HOST_UNREACHABLE */
    {0xC000023Fu, 1234}, /* STATUS_PORT_UNREACHABLE */
    {0xC0000241u, 1236}, /* STATUS_CONNECTION_ABORTED */
};

CPORT_API ULONG WINAPI RtlNtStatusToDosError(NTSTATUS status) {
  uint32_t nt = (uint32_t)status;
  if (nt == 0)
    return 0;
  /* A Win32 error carried in an NTSTATUS (FACILITY_NTWIN32) or an
   * HRESULT (FACILITY_WIN32): its code. */
  if ((nt & 0xFFFF0000u) == 0xC0070000u || (nt & 0xFFFF0000u) == 0x80070000u)
    return nt & 0xFFFFu;
  for (size_t i = 0; i < sizeof(nt_table) / sizeof(nt_table[0]); i++)
    if (nt_table[i].nt == nt)
      return nt_table[i].win;
  /* Success and informational values without an error of their own. */
  if ((nt & 0xC0000000u) == 0 || (nt & 0xC0000000u) == 0x40000000u)
    return nt <= 0xFFFFu ? nt : ERROR_MR_MID_NOT_FOUND;
  return ERROR_MR_MID_NOT_FOUND; /* as Windows, for a value it does not know */
}
