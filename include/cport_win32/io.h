/*
 * cport_win32/io.h - part of cport_win32.h (Linux): OVERLAPPED,
 * completion ports, overlapped results and cancel, and files. Include
 * cport_win32.h, not this file.
 */
#ifndef CPORT_WIN32_IO_H
#define CPORT_WIN32_IO_H

#ifndef CPORT_WIN32_PARTS_
#  error "include cport_win32.h, not its parts"
#endif

#ifdef __cplusplus
extern "C" {
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
  union {
    struct {
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
/* An atomic read: the op's end writes Internal from another thread. */
#define HasOverlappedIoCompleted(ov) \
  (((DWORD)__atomic_load_n(&(ov)->Internal, __ATOMIC_ACQUIRE)) != STATUS_PENDING)

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
                                               PULONG_PTR key,
                                               LPOVERLAPPED *ov, DWORD ms);
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

#define FILE_SKIP_COMPLETION_PORT_ON_SUCCESS 0x1
#define FILE_SKIP_SET_EVENT_ON_HANDLE 0x2
/* Modes are added, never cleared (as on Windows). */
CPORT_WIN32_API BOOL SetFileCompletionNotificationModes(HANDLE h, UCHAR flags);

/* Ports, threads, events, mutexes, semaphores, files and sockets. */
CPORT_WIN32_API BOOL CloseHandle(HANDLE h);

/* ------------------------------------------------------------------------ */
/* Files                                                                     */
/* ------------------------------------------------------------------------ */

typedef struct _SECURITY_ATTRIBUTES {
  DWORD nLength;
  LPVOID lpSecurityDescriptor;
  BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

#define GENERIC_READ 0x80000000u
#define GENERIC_WRITE 0x40000000u
#define GENERIC_EXECUTE 0x20000000u
#define GENERIC_ALL 0x10000000u
#define FILE_READ_DATA 0x0001u
#define FILE_WRITE_DATA 0x0002u
#define FILE_APPEND_DATA 0x0004u
#define FILE_SHARE_READ 0x1u
#define FILE_SHARE_WRITE 0x2u
#define FILE_SHARE_DELETE 0x4u
#define CREATE_NEW 1u
#define CREATE_ALWAYS 2u
#define OPEN_EXISTING 3u
#define OPEN_ALWAYS 4u
#define TRUNCATE_EXISTING 5u
#define FILE_ATTRIBUTE_READONLY 0x1u
#define FILE_ATTRIBUTE_HIDDEN 0x2u
#define FILE_ATTRIBUTE_SYSTEM 0x4u
#define FILE_ATTRIBUTE_DIRECTORY 0x10u
#define FILE_ATTRIBUTE_ARCHIVE 0x20u
#define FILE_ATTRIBUTE_NORMAL 0x80u
#define FILE_ATTRIBUTE_TEMPORARY 0x100u
#define INVALID_FILE_ATTRIBUTES ((DWORD)-1)
#define FILE_FLAG_WRITE_THROUGH 0x80000000u
#define FILE_FLAG_OVERLAPPED 0x40000000u
#define FILE_FLAG_NO_BUFFERING 0x20000000u
#define FILE_FLAG_RANDOM_ACCESS 0x10000000u
#define FILE_FLAG_SEQUENTIAL_SCAN 0x08000000u
#define FILE_FLAG_DELETE_ON_CLOSE 0x04000000u
#define FILE_FLAG_BACKUP_SEMANTICS 0x02000000u
#define FILE_BEGIN 0u
#define FILE_CURRENT 1u
#define FILE_END 2u
#define INVALID_SET_FILE_POINTER ((DWORD)-1)
#define INVALID_FILE_SIZE ((DWORD)0xFFFFFFFFu)
#define FILE_TYPE_UNKNOWN 0x0000u
#define FILE_TYPE_DISK 0x0001u
#define FILE_TYPE_CHAR 0x0002u
#define FILE_TYPE_PIPE 0x0003u
#define MOVEFILE_REPLACE_EXISTING 0x1u
#define MOVEFILE_COPY_ALLOWED 0x2u
#define MOVEFILE_WRITE_THROUGH 0x8u

/*
 * Opens a file for overlapped or plain I/O. The path's directory missing:
 * ERROR_PATH_NOT_FOUND. FILE_FLAG_NO_BUFFERING, share modes and templates
 * are not checked (see docs/porting.md).
 */
CPORT_WIN32_API HANDLE CreateFileA(LPCSTR path, DWORD access, DWORD share,
                                   LPSECURITY_ATTRIBUTES sa, DWORD disposition,
                                   DWORD flags, HANDLE template_file);
CPORT_WIN32_API HANDLE CreateFileW(LPCWSTR path, DWORD access, DWORD share,
                                   LPSECURITY_ATTRIBUTES sa, DWORD disposition,
                                   DWORD flags, HANDLE template_file);
/* With an OVERLAPPED: at its Offset/OffsetHigh (both 0xFFFFFFFF: at the
 * end, for WriteFile). Without: at the file position, blocking. */
CPORT_WIN32_API BOOL ReadFile(HANDLE h, LPVOID buf, DWORD len, LPDWORD read,
                              LPOVERLAPPED ov);
CPORT_WIN32_API BOOL WriteFile(HANDLE h, LPCVOID buf, DWORD len,
                               LPDWORD written, LPOVERLAPPED ov);
CPORT_WIN32_API BOOL DeleteFileA(LPCSTR path);
CPORT_WIN32_API BOOL DeleteFileW(LPCWSTR path);
CPORT_WIN32_API DWORD GetFileSize(HANDLE h, LPDWORD high);
CPORT_WIN32_API BOOL GetFileSizeEx(HANDLE h, PLARGE_INTEGER size);
CPORT_WIN32_API DWORD SetFilePointer(HANDLE h, LONG distance, PLONG high,
                                     DWORD method);
CPORT_WIN32_API BOOL SetFilePointerEx(HANDLE h, LARGE_INTEGER distance,
                                      PLARGE_INTEGER pos, DWORD method);
CPORT_WIN32_API BOOL SetEndOfFile(HANDLE h);
CPORT_WIN32_API BOOL FlushFileBuffers(HANDLE h);
CPORT_WIN32_API DWORD GetFileType(HANDLE h);
CPORT_WIN32_API BOOL CreateDirectoryA(LPCSTR path, LPSECURITY_ATTRIBUTES sa);
CPORT_WIN32_API BOOL CreateDirectoryW(LPCWSTR path, LPSECURITY_ATTRIBUTES sa);
CPORT_WIN32_API BOOL RemoveDirectoryA(LPCSTR path);
CPORT_WIN32_API BOOL RemoveDirectoryW(LPCWSTR path);
CPORT_WIN32_API DWORD GetFileAttributesA(LPCSTR path);
CPORT_WIN32_API DWORD GetFileAttributesW(LPCWSTR path);
CPORT_WIN32_API BOOL MoveFileExA(LPCSTR from, LPCSTR to, DWORD flags);
CPORT_WIN32_API BOOL MoveFileExW(LPCWSTR from, LPCWSTR to, DWORD flags);

#define CreateFile CPORT_W32_AW_(CreateFile)
#define DeleteFile CPORT_W32_AW_(DeleteFile)
#define CreateDirectory CPORT_W32_AW_(CreateDirectory)
#define RemoveDirectory CPORT_W32_AW_(RemoveDirectory)
#define GetFileAttributes CPORT_W32_AW_(GetFileAttributes)
#define MoveFileEx CPORT_W32_AW_(MoveFileEx)

#ifdef __cplusplus
}
#endif

#endif /* CPORT_WIN32_IO_H */
