/*
 * errors.c - the one table that maps Win32, WSA and (through
 * ntdll's NTSTATUS-to-Win32 translation) NTSTATUS codes to CPORT_E* codes.
 */
#include "win.h"

#define CP_WIN_ERROR_MAP(XX)                   \
  XX(ERROR_FILE_NOT_FOUND, ENOENT)             \
  XX(ERROR_PATH_NOT_FOUND, ENOENT)             \
  XX(ERROR_TOO_MANY_OPEN_FILES, EMFILE)        \
  XX(ERROR_ACCESS_DENIED, EACCES)              \
  XX(ERROR_INVALID_HANDLE, EBADF)              \
  XX(ERROR_NOT_ENOUGH_MEMORY, ENOMEM)          \
  XX(ERROR_OUTOFMEMORY, ENOMEM)                \
  XX(ERROR_SHARING_VIOLATION, EBUSY)           \
  XX(ERROR_LOCK_VIOLATION, EBUSY)              \
  XX(ERROR_HANDLE_EOF, EOF)                    \
  XX(ERROR_NOT_SUPPORTED, EOPNOTSUPP)          \
  XX(ERROR_NETNAME_DELETED, ECONNRESET)        \
  XX(ERROR_FILE_EXISTS, EEXIST)                \
  XX(ERROR_ALREADY_EXISTS, EEXIST)             \
  XX(ERROR_INVALID_PARAMETER, EINVAL)          \
  XX(ERROR_BROKEN_PIPE, EPIPE)                 \
  XX(ERROR_NO_DATA, EPIPE)                     \
  XX(ERROR_DISK_FULL, ENOSPC)                  \
  XX(ERROR_CALL_NOT_IMPLEMENTED, ENOSYS)       \
  XX(ERROR_INSUFFICIENT_BUFFER, ENOBUFS)       \
  XX(ERROR_SEM_TIMEOUT, ETIMEDOUT)             \
  XX(ERROR_FILENAME_EXCED_RANGE, ENAMETOOLONG) \
  XX(ERROR_DIRECTORY, ENOTDIR)                 \
  XX(ERROR_MORE_DATA, EMSGSIZE)                \
  XX(WAIT_TIMEOUT, ETIMEDOUT)                  \
  XX(ERROR_ABANDONED_WAIT_0, ECLOSED)          \
  XX(ERROR_OPERATION_ABORTED, ECANCELED)       \
  XX(ERROR_NOT_FOUND, ENOENT)                  \
  XX(ERROR_CONNECTION_REFUSED, ECONNREFUSED)   \
  XX(ERROR_GRACEFUL_DISCONNECT, ECONNRESET)    \
  XX(ERROR_NETWORK_UNREACHABLE, ENETUNREACH)   \
  XX(ERROR_HOST_UNREACHABLE, EHOSTUNREACH)     \
  XX(ERROR_PROTOCOL_UNREACHABLE, ENETUNREACH)  \
  XX(ERROR_PORT_UNREACHABLE, ECONNREFUSED)     \
  XX(ERROR_CONNECTION_ABORTED, ECANCELED)      \
  XX(ERROR_INVALID_USER_BUFFER, EINVAL)        \
  XX(ERROR_UNEXP_NET_ERR, ECONNABORTED)        \
  XX(WSAEINTR, EINTR)                          \
  XX(WSAEBADF, EBADF)                          \
  XX(WSAEACCES, EACCES)                        \
  XX(WSAEFAULT, EFAULT)                        \
  XX(WSAEINVAL, EINVAL)                        \
  XX(WSAEMFILE, EMFILE)                        \
  XX(WSAEWOULDBLOCK, EAGAIN)                   \
  XX(WSAEINPROGRESS, EINPROGRESS)              \
  XX(WSAEALREADY, EALREADY)                    \
  XX(WSAENOTSOCK, ENOTSOCK)                    \
  XX(WSAEDESTADDRREQ, EDESTADDRREQ)            \
  XX(WSAEMSGSIZE, EMSGSIZE)                    \
  XX(WSAEPROTOTYPE, EPROTOTYPE)                \
  XX(WSAENOPROTOOPT, ENOPROTOOPT)              \
  XX(WSAEPROTONOSUPPORT, EPROTONOSUPPORT)      \
  XX(WSAESOCKTNOSUPPORT, EPROTONOSUPPORT)      \
  XX(WSAEOPNOTSUPP, EOPNOTSUPP)                \
  XX(WSAEAFNOSUPPORT, EAFNOSUPPORT)            \
  XX(WSAEADDRINUSE, EADDRINUSE)                \
  XX(WSAEADDRNOTAVAIL, EADDRNOTAVAIL)          \
  XX(WSAENETDOWN, ENETDOWN)                    \
  XX(WSAENETUNREACH, ENETUNREACH)              \
  XX(WSAENETRESET, ECONNRESET)                 \
  XX(WSAECONNABORTED, ECONNABORTED)            \
  XX(WSAECONNRESET, ECONNRESET)                \
  XX(WSAENOBUFS, ENOBUFS)                      \
  XX(WSAEISCONN, EISCONN)                      \
  XX(WSAENOTCONN, ENOTCONN)                    \
  XX(WSAESHUTDOWN, ESHUTDOWN)                  \
  XX(WSAETIMEDOUT, ETIMEDOUT)                  \
  XX(WSAECONNREFUSED, ECONNREFUSED)            \
  XX(WSAEHOSTUNREACH, EHOSTUNREACH)            \
  XX(WSAEHOSTDOWN, EHOSTUNREACH)               \
  XX(WSANOTINITIALISED, EINVAL)

int cp_win_error(DWORD err) {
  switch (err) {
  case 0:
    return 0;
#define CP_WIN_CASE_(win, cp) \
  case win:                   \
    return CPORT_##cp;
    CP_WIN_ERROR_MAP(CP_WIN_CASE_)
#undef CP_WIN_CASE_
  default:
    return CPORT_EUNKNOWN;
  }
}

/* NTSTATUS values whose Win32 translation would lose what happened. */
#define CP_STATUS_LOCAL_DISCONNECT 0xC000013Bu /* our side closed it */

/* ntdll's NTSTATUS -> Win32 translation, looked up once. */
static ULONG(WINAPI *nt_to_win32)(LONG status);
static INIT_ONCE nt_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK find_nt(PINIT_ONCE once, PVOID param, PVOID *ctx) {
  (void)once;
  (void)param;
  (void)ctx;
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  if (ntdll != NULL)
    nt_to_win32 = (ULONG(WINAPI *)(LONG))(void (*)(void))GetProcAddress(
        ntdll, "RtlNtStatusTo"
               "DosError");
  return TRUE;
}

int cp_nt_error(uintptr_t status) {
  if (status == 0)
    return 0;
  if ((uint32_t)status == CP_STATUS_LOCAL_DISCONNECT)
    return CPORT_ECANCELED;
  if ((uint32_t)status == (uint32_t)STATUS_PENDING)
    return CPORT_EINPROGRESS;
  InitOnceExecuteOnce(&nt_once, find_nt, NULL, NULL);
  if (nt_to_win32 == NULL)
    return CPORT_EUNKNOWN;
  return cp_win_error(nt_to_win32((LONG)status));
}
