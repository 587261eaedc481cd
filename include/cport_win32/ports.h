/**
 * @file cport_win32/ports.h
 * @brief Part of cport_win32.h: OVERLAPPED and the completion ports (minwinbase.h, ioapiset.h, winioctl.h's sparse-file controls).
 *
 * Include <cport_win32.h>, never this file: it is read inside that
 * header's Linux branch, after the parts before it.
 */
#ifndef CPORT_WIN32_PART_PORTS_H
#define CPORT_WIN32_PART_PORTS_H

#ifndef CPORT_WIN32_H
#  error "include <cport_win32.h>, not its parts"
#endif

/* ------------------------------------------------------------------------ */
/* OVERLAPPED                                                                */
/* ------------------------------------------------------------------------ */

/*
 * The layout of Windows' OVERLAPPED, followed by cport's operation record
 * (OVERLAPPED *is* a cport_op_t here, so it is larger than on Windows).
 * Internal is STATUS_PENDING while the op runs and its status as soon as
 * it ends (whether or not a thread waits on the port); InternalHigh the
 * bytes. hEvent, if set, is signalled when the op ends; with its low bit
 * set the op's completion is not queued to the port.
 */
typedef struct _OVERLAPPED {
  ULONG_PTR Internal;
  ULONG_PTR InternalHigh;
  CPORT_W32_NAMELESS union {
    CPORT_W32_NAMELESS struct {
      DWORD Offset;
      DWORD OffsetHigh;
    };
    PVOID Pointer;
  };
  HANDLE hEvent;
  void *cport_reserved_data; /* the layer's: the thread that issued it */
  uintptr_t cport_reserved[27];
} OVERLAPPED, *LPOVERLAPPED;

#define STATUS_PENDING ((DWORD)0x00000103u)
#define STATUS_SUCCESS ((DWORD)0x00000000u)
#define STATUS_WAIT_0 ((DWORD)0x00000000u)
#define STATUS_USER_APC ((DWORD)0x000000C0u)
/* winnt.h's other status names windows.h gives: the waits' (WAIT_TIMEOUT
 * and WAIT_ABANDONED_0 are these) and the exceptions' codes. */
#define STATUS_ABANDONED_WAIT_0 ((DWORD)0x00000080u)
#define STATUS_TIMEOUT ((DWORD)0x00000102u)
#define STATUS_SEGMENT_NOTIFICATION ((DWORD)0x40000005u)
#define STATUS_FATAL_APP_EXIT ((DWORD)0x40000015u)
#define STATUS_GUARD_PAGE_VIOLATION ((DWORD)0x80000001u)
#define STATUS_DATATYPE_MISALIGNMENT ((DWORD)0x80000002u)
#define STATUS_BREAKPOINT ((DWORD)0x80000003u)
#define STATUS_SINGLE_STEP ((DWORD)0x80000004u)
#define STATUS_ACCESS_VIOLATION ((DWORD)0xC0000005u)
#define STATUS_IN_PAGE_ERROR ((DWORD)0xC0000006u)
#define STATUS_ILLEGAL_INSTRUCTION ((DWORD)0xC000001Du)
#define STATUS_NONCONTINUABLE_EXCEPTION ((DWORD)0xC0000025u)
#define STATUS_INVALID_DISPOSITION ((DWORD)0xC0000026u)
#define STATUS_ARRAY_BOUNDS_EXCEEDED ((DWORD)0xC000008Cu)
#define STATUS_FLOAT_DENORMAL_OPERAND ((DWORD)0xC000008Du)
#define STATUS_FLOAT_DIVIDE_BY_ZERO ((DWORD)0xC000008Eu)
#define STATUS_FLOAT_INEXACT_RESULT ((DWORD)0xC000008Fu)
#define STATUS_FLOAT_INVALID_OPERATION ((DWORD)0xC0000090u)
#define STATUS_FLOAT_OVERFLOW ((DWORD)0xC0000091u)
#define STATUS_FLOAT_STACK_CHECK ((DWORD)0xC0000092u)
#define STATUS_FLOAT_UNDERFLOW ((DWORD)0xC0000093u)
#define STATUS_INTEGER_DIVIDE_BY_ZERO ((DWORD)0xC0000094u)
#define STATUS_INTEGER_OVERFLOW ((DWORD)0xC0000095u)
#define STATUS_PRIVILEGED_INSTRUCTION ((DWORD)0xC0000096u)
#define STATUS_STACK_OVERFLOW ((DWORD)0xC00000FDu)
#define STATUS_CONTROL_C_EXIT ((DWORD)0xC000013Au)
#define NT_SUCCESS(status) (((NTSTATUS)(status)) >= 0)
/* ntstatus.h's codes for what a socket or file op ends with: the values
 * OVERLAPPED.Internal holds once the op failed. */
#ifndef STATUS_CANCELLED
#  define STATUS_BUFFER_OVERFLOW ((NTSTATUS)0x80000005L)
#  define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001L)
#  define STATUS_INVALID_HANDLE ((NTSTATUS)0xC0000008L)
#  define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000DL)
#  define STATUS_END_OF_FILE ((NTSTATUS)0xC0000011L)
#  define STATUS_NO_MEMORY ((NTSTATUS)0xC0000017L)
#  define STATUS_ACCESS_DENIED ((NTSTATUS)0xC0000022L)
#  define STATUS_PIPE_DISCONNECTED ((NTSTATUS)0xC00000B0L)
#  define STATUS_IO_TIMEOUT ((NTSTATUS)0xC00000B5L)
#  define STATUS_NOT_SUPPORTED ((NTSTATUS)0xC00000BBL)
#  define STATUS_CANCELLED ((NTSTATUS)0xC0000120L)
#  define STATUS_LOCAL_DISCONNECT ((NTSTATUS)0xC000013BL)
#  define STATUS_REMOTE_DISCONNECT ((NTSTATUS)0xC000013CL)
#  define STATUS_INVALID_CONNECTION ((NTSTATUS)0xC0000140L)
#  define STATUS_CONNECTION_RESET ((NTSTATUS)0xC000020DL)
#  define STATUS_CONNECTION_REFUSED ((NTSTATUS)0xC0000236L)
#  define STATUS_CONNECTION_ABORTED ((NTSTATUS)0xC0000241L)
#  define STATUS_PORT_UNREACHABLE ((NTSTATUS)0xC000023FL)
#endif
/* The Win32 error for an NTSTATUS (winternl.h; Windows has no import
 * library for it, and programs look it up in ntdll with GetProcAddress,
 * which finds it here too): what a BindIoCompletionCallback routine's
 * status means. Unknown values: ERROR_MR_MID_NOT_FOUND. */
CPORT_WIN32_API ULONG WINAPI RtlNtStatusToDosError(NTSTATUS status);
/* An atomic read: the op's end writes Internal from another thread. */
#define HasOverlappedIoCompleted(ov)                              \
  (((DWORD)__atomic_load_n(&(ov)->Internal, __ATOMIC_ACQUIRE)) != \
   STATUS_PENDING)

typedef struct _OVERLAPPED_ENTRY {
  ULONG_PTR lpCompletionKey;
  LPOVERLAPPED lpOverlapped;
  ULONG_PTR Internal;
  DWORD dwNumberOfBytesTransferred;
} OVERLAPPED_ENTRY, *LPOVERLAPPED_ENTRY;

typedef VOID(WINAPI *LPOVERLAPPED_COMPLETION_ROUTINE)(DWORD, DWORD,
                                                      LPOVERLAPPED);

/* ------------------------------------------------------------------------ */
/* Completion ports                                                          */
/* ------------------------------------------------------------------------ */

CPORT_WIN32_API HANDLE CreateIoCompletionPort(HANDLE file, HANDLE port,
                                              ULONG_PTR key, DWORD threads);
/* A port handle already closed: FALSE, ERROR_INVALID_HANDLE. A thread
 * waiting when its port is closed: FALSE, ERROR_ABANDONED_WAIT_0. */
CPORT_WIN32_API BOOL GetQueuedCompletionStatus(HANDLE port, LPDWORD bytes,
                                               PULONG_PTR key, LPOVERLAPPED *ov,
                                               DWORD ms);
CPORT_WIN32_API BOOL GetQueuedCompletionStatusEx(HANDLE port,
                                                 LPOVERLAPPED_ENTRY entries,
                                                 ULONG count, PULONG removed,
                                                 DWORD ms, BOOL alertable);
CPORT_WIN32_API BOOL PostQueuedCompletionStatus(HANDLE port, DWORD bytes,
                                                ULONG_PTR key, LPOVERLAPPED ov);

/* The result of an overlapped op, from any thread, with or without a
 * thread on the port: ERROR_IO_INCOMPLETE while it runs and wait is
 * FALSE. */
CPORT_WIN32_API BOOL GetOverlappedResult(HANDLE h, LPOVERLAPPED ov,
                                         LPDWORD bytes, BOOL wait);
CPORT_WIN32_API BOOL GetOverlappedResultEx(HANDLE h, LPOVERLAPPED ov,
                                           LPDWORD bytes, DWORD ms,
                                           BOOL alertable);

/* CancelIo: the calling thread's ops on h; CancelIoEx: one op, or all of
 * h's (ov NULL), whoever issued them. */
CPORT_WIN32_API BOOL CancelIo(HANDLE h);
CPORT_WIN32_API BOOL CancelIoEx(HANDLE h, LPOVERLAPPED ov);
/* CancelSynchronousIo: the blocking I/O call the thread `thread` is in
 * (its handle, or GetCurrentThread()) ends at once with
 * ERROR_OPERATION_ABORTED (WSA_OPERATION_ABORTED, the same number, from
 * the Winsock calls): recv, send, recvfrom, sendto, WSARecv, WSASend,
 * WSARecvFrom, WSASendTo without an OVERLAPPED, accept, WSAAccept,
 * connect, WSAConnectByName, ReadFile / WriteFile on a socket, on a
 * named pipe no port has, or on a descriptor that waits (the console, a
 * FIFO). Bytes a send or a read already moved are reported as its
 * result; a cancelled connect's attempt is dropped. Returns once the call
 * has left it. Not interrupted: a disk file's I/O (it ends by itself), a
 * named pipe's I/O in the call on a handle a port has, waits on objects
 * (WaitForSingleObject & co.), select, WSAPoll, LockFileEx, name lookups
 * (getaddrinfo & co.). The thread in no such call (or its
 * call ended first): FALSE, ERROR_NOT_FOUND; not a thread handle:
 * ERROR_INVALID_HANDLE. The call is interrupted with the signal
 * SIGRTMAX - 1 (a handler that does nothing, installed at the first
 * cancel unless the program has one there): a thread that blocks that
 * signal, or a program with its own handler, sees a cancel only in the
 * waits that poll in 100 ms slices (a socket a port has). */
CPORT_WIN32_API BOOL CancelSynchronousIo(HANDLE thread);

/* DeviceIoControl on a file, for the sparse-file controls of winioctl.h:
 * FSCTL_SET_SPARSE (Linux files are sparse already: it checks the handle
 * may write, and succeeds), FSCTL_SET_ZERO_DATA (the range reads as
 * zeros, its blocks freed where the file system can: FALLOC_FL_PUNCH_HOLE)
 * and FSCTL_QUERY_ALLOCATED_RANGES (SEEK_DATA / SEEK_HOLE; ERROR_MORE_DATA
 * with the ranges that fit). Any other code, or a handle that is no file:
 * ERROR_INVALID_FUNCTION. With an OVERLAPPED on an overlapped handle the
 * control ends in the call as an op does (Internal, hEvent, the packet
 * unless skip-on-success mode), as on Windows. */
CPORT_WIN32_API BOOL DeviceIoControl(HANDLE h, DWORD code, LPVOID in,
                                     DWORD in_len, LPVOID out, DWORD out_len,
                                     LPDWORD returned, LPOVERLAPPED ov);
#define CTL_CODE(type, function, method, access)     \
  (((DWORD)(type) << 16) | ((DWORD)(access) << 14) | \
   ((DWORD)(function) << 2) | (DWORD)(method))
#define METHOD_BUFFERED 0
#define METHOD_IN_DIRECT 1
#define METHOD_OUT_DIRECT 2
#define METHOD_NEITHER 3
#define FILE_ANY_ACCESS 0
#define FILE_SPECIAL_ACCESS FILE_ANY_ACCESS
#define FILE_READ_ACCESS 0x0001
#define FILE_WRITE_ACCESS 0x0002
#define FILE_DEVICE_FILE_SYSTEM 0x00000009
#define FSCTL_SET_SPARSE \
  CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 49, METHOD_BUFFERED, FILE_SPECIAL_ACCESS)
#define FSCTL_SET_ZERO_DATA \
  CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 50, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define FSCTL_QUERY_ALLOCATED_RANGES \
  CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 51, METHOD_NEITHER, FILE_READ_ACCESS)
typedef struct _FILE_SET_SPARSE_BUFFER {
  BOOLEAN SetSparse;
} FILE_SET_SPARSE_BUFFER, *PFILE_SET_SPARSE_BUFFER;
typedef struct _FILE_ZERO_DATA_INFORMATION {
  LARGE_INTEGER FileOffset;
  LARGE_INTEGER BeyondFinalZero;
} FILE_ZERO_DATA_INFORMATION, *PFILE_ZERO_DATA_INFORMATION;
typedef struct _FILE_ALLOCATED_RANGE_BUFFER {
  LARGE_INTEGER FileOffset;
  LARGE_INTEGER Length;
} FILE_ALLOCATED_RANGE_BUFFER, *PFILE_ALLOCATED_RANGE_BUFFER;

#define FILE_SKIP_COMPLETION_PORT_ON_SUCCESS 0x1
#define FILE_SKIP_SET_EVENT_ON_HANDLE 0x2
/* Modes are added, never cleared (as on Windows). */
CPORT_WIN32_API BOOL SetFileCompletionNotificationModes(HANDLE h, UCHAR flags);

/* Ports, threads, events, mutexes, semaphores, files and sockets. */
CPORT_WIN32_API BOOL CloseHandle(HANDLE h);

#define HANDLE_FLAG_INHERIT 0x00000001u
#define HANDLE_FLAG_PROTECT_FROM_CLOSE 0x00000002u
/* A descriptor's HANDLE_FLAG_INHERIT is its FD_CLOEXEC cleared; the
 * layer's objects are never inherited (setting it, or
 * HANDLE_FLAG_PROTECT_FROM_CLOSE: ERROR_NOT_SUPPORTED). */
CPORT_WIN32_API BOOL GetHandleInformation(HANDLE h, LPDWORD flags);
CPORT_WIN32_API BOOL SetHandleInformation(HANDLE h, DWORD mask, DWORD flags);

#define DUPLICATE_CLOSE_SOURCE 0x00000001u
#define DUPLICATE_SAME_ACCESS 0x00000002u
/* Within the current process only (GetCurrentProcess() as both process
 * handles; any other: ERROR_INVALID_HANDLE). A second handle to a port,
 * thread, event, mutex, semaphore or waitable timer: the object lives
 * until its last handle is closed. GetCurrentThread() gives a real handle
 * to the calling thread (waitable, QueueUserAPC, GetExitCodeThread), also
 * for a thread the layer did not start. Descriptors (files, sockets,
 * pipes, stdin) and GetCurrentProcess() itself: ERROR_NOT_SUPPORTED.
 * DUPLICATE_CLOSE_SOURCE closes the source even when the call fails.
 * The access asked for is not checked; nothing is inherited. */
CPORT_WIN32_API BOOL DuplicateHandle(HANDLE src_process, HANDLE src,
                                     HANDLE target_process, LPHANDLE target,
                                     DWORD access, BOOL inherit, DWORD options);

#endif /* CPORT_WIN32_PART_PORTS_H */
