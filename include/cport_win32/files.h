/**
 * @file cport_win32/files.h
 * @brief Part of cport_win32.h: files, directories, pipes and their overlapped I/O (fileapi.h, namedpipeapi.h).
 *
 * Include <cport_win32.h>, never this file: it is read inside that
 * header's Linux branch, after the parts before it.
 */
#ifndef CPORT_WIN32_PART_FILES_H
#define CPORT_WIN32_PART_FILES_H

#ifndef CPORT_WIN32_H
#  error "include <cport_win32.h>, not its parts"
#endif

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
#define DELETE 0x00010000u
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
/* LockFileEx's flags. */
#define LOCKFILE_FAIL_IMMEDIATELY 0x1u
#define LOCKFILE_EXCLUSIVE_LOCK 0x2u
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
 * ERROR_PATH_NOT_FOUND. A directory opens with FILE_FLAG_BACKUP_SEMANTICS
 * (OPEN_EXISTING or OPEN_ALWAYS), for ReadDirectoryChangesW. FILE_FLAG_NO_BUFFERING, share modes and templates
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
/* With a completion routine instead of a packet: TRUE once the op started
 * (pending or done), and fn(error, bytes, ov) runs on this thread at its
 * next alertable wait (SleepEx, WaitFor...Ex, ...) after the op ends, with
 * the Win32 error GetOverlappedResult would give (0, ERROR_HANDLE_EOF,
 * ERROR_OPERATION_ABORTED, ...). hEvent is left to the program. FALSE,
 * and no routine, for an op refused at the call. */
CPORT_WIN32_API BOOL ReadFileEx(HANDLE h, LPVOID buf, DWORD len,
                                LPOVERLAPPED ov,
                                LPOVERLAPPED_COMPLETION_ROUTINE fn);
CPORT_WIN32_API BOOL WriteFileEx(HANDLE h, LPCVOID buf, DWORD len,
                                 LPOVERLAPPED ov,
                                 LPOVERLAPPED_COMPLETION_ROUTINE fn);

/* One page of an unbuffered file's run: ReadFileScatter, WriteFileGather. */
typedef void *PVOID64;
typedef union _FILE_SEGMENT_ELEMENT {
  PVOID64 Buffer;
  ULONGLONG Alignment;
} FILE_SEGMENT_ELEMENT, *PFILE_SEGMENT_ELEMENT;
/* The run at the OVERLAPPED's offset, one page per segment (the last what
 * is left), as one overlapped op; the handle needs FILE_FLAG_OVERLAPPED
 * and FILE_FLAG_NO_BUFFERING, and the array must stay valid until the op
 * ends. */
CPORT_WIN32_API BOOL ReadFileScatter(HANDLE h, FILE_SEGMENT_ELEMENT *segments,
                                     DWORD len, LPDWORD reserved,
                                     LPOVERLAPPED ov);
CPORT_WIN32_API BOOL WriteFileGather(HANDLE h, FILE_SEGMENT_ELEMENT *segments,
                                     DWORD len, LPDWORD reserved,
                                     LPOVERLAPPED ov);

/* Directory change notifications (ReadDirectoryChangesW). */
#define FILE_LIST_DIRECTORY 0x0001u
#define FILE_NOTIFY_CHANGE_FILE_NAME 0x00000001u
#define FILE_NOTIFY_CHANGE_DIR_NAME 0x00000002u
#define FILE_NOTIFY_CHANGE_ATTRIBUTES 0x00000004u
#define FILE_NOTIFY_CHANGE_SIZE 0x00000008u
#define FILE_NOTIFY_CHANGE_LAST_WRITE 0x00000010u
#define FILE_NOTIFY_CHANGE_LAST_ACCESS 0x00000020u
#define FILE_NOTIFY_CHANGE_CREATION 0x00000040u
#define FILE_NOTIFY_CHANGE_SECURITY 0x00000100u
#define FILE_ACTION_ADDED 0x00000001u
#define FILE_ACTION_REMOVED 0x00000002u
#define FILE_ACTION_MODIFIED 0x00000003u
#define FILE_ACTION_RENAMED_OLD_NAME 0x00000004u
#define FILE_ACTION_RENAMED_NEW_NAME 0x00000005u
#define ERROR_NOTIFY_CLEANUP 745u
#define ERROR_NOTIFY_ENUM_DIR 1022u

/** One change ReadDirectoryChangesW reports: records follow one another
 * at NextEntryOffset bytes (DWORD-aligned; 0 in the last). FileName is
 * FileNameLength bytes of WCHARs (wchar_t: 4 bytes each on Linux), not
 * NUL-terminated, relative to the watched directory, with '\\' between
 * the names of a subtree's path. */
typedef struct _FILE_NOTIFY_INFORMATION {
  DWORD NextEntryOffset; /**< bytes to the next record; 0: the last */
  DWORD Action;          /**< FILE_ACTION_* */
  DWORD FileNameLength;  /**< bytes of FileName */
  WCHAR FileName[1];     /**< the name, FileNameLength bytes */
} FILE_NOTIFY_INFORMATION, *PFILE_NOTIFY_INFORMATION;

/** ReadDirectoryChangesExW's kinds of record. */
typedef enum _READ_DIRECTORY_NOTIFY_INFORMATION_CLASS {
  ReadDirectoryNotifyInformation = 1,     /**< FILE_NOTIFY_INFORMATION */
  ReadDirectoryNotifyExtendedInformation, /**< not supported on Linux */
  ReadDirectoryNotifyFullInformation,     /**< not supported on Linux */
  ReadDirectoryNotifyMaximumInformation
} READ_DIRECTORY_NOTIFY_INFORMATION_CLASS,
    *PREAD_DIRECTORY_NOTIFY_INFORMATION_CLASS;

/*
 * Changes in the directory h (CreateFile with FILE_FLAG_BACKUP_SEMANTICS
 * and FILE_LIST_DIRECTORY or GENERIC_READ), or in its tree with subtree,
 * as FILE_NOTIFY_INFORMATION records in buf (DWORD-aligned, len bytes),
 * over inotify. The first call on a handle sets its filter, its subtree
 * and the size of the handle's buffer of changes (len, at most 64 KiB):
 * changes are collected from then on, between calls too, and returned by
 * the next call. Changes that overflow that buffer, or the caller's, or
 * inotify's queue are dropped: an overlapped call ends with success and 0
 * bytes, a synchronous one fails with ERROR_NOTIFY_ENUM_DIR (*returned 0);
 * the program rescans. Without an OVERLAPPED, or on a handle opened
 * without FILE_FLAG_OVERLAPPED, the call blocks until there are changes;
 * with one it returns TRUE once queued, and the result comes as every
 * overlapped op's does (the handle's port, hEvent, GetOverlappedResult),
 * or with fn its routine runs at an alertable wait. CancelIo / CancelIoEx
 * end it with ERROR_OPERATION_ABORTED; CloseHandle ends it with success
 * and 0 bytes (STATUS_NOTIFY_CLEANUP). Errors: filter 0 or bits beyond
 * 0xFFF, h no directory, fn on a handle a port has:
 * ERROR_INVALID_PARAMETER; buf not DWORD-aligned: ERROR_NOACCESS; opened
 * without FILE_LIST_DIRECTORY, or the directory itself deleted:
 * ERROR_ACCESS_DENIED. What inotify cannot
 * tell exactly: docs/porting.md.
 */
CPORT_WIN32_API BOOL ReadDirectoryChangesW(HANDLE h, LPVOID buf, DWORD len,
                                           BOOL subtree, DWORD filter,
                                           LPDWORD returned, LPOVERLAPPED ov,
                                           LPOVERLAPPED_COMPLETION_ROUTINE fn);
/* ReadDirectoryChangesW with the kind of record: only
 * ReadDirectoryNotifyInformation is supported (the others:
 * ERROR_NOT_SUPPORTED). */
CPORT_WIN32_API BOOL ReadDirectoryChangesExW(
    HANDLE h, LPVOID buf, DWORD len, BOOL subtree, DWORD filter,
    LPDWORD returned, LPOVERLAPPED ov, LPOVERLAPPED_COMPLETION_ROUTINE fn,
    READ_DIRECTORY_NOTIFY_INFORMATION_CLASS kind);
/*
 * Change notifications: FindFirstChangeNotification returns a waitable
 * handle (WaitForSingleObject, WaitForMultipleObjects(Ex),
 * RegisterWaitForSingleObject...) that becomes signalled when a change
 * matching filter (FILE_NOTIFY_CHANGE_*, as ReadDirectoryChangesW takes)
 * happens in the directory path, or in its tree with subtree; changes to
 * the directory itself are not reported. It stays signalled until
 * FindNextChangeNotification, which asks for the next change: one that
 * came since the handle was signalled signals it again at once. Errors:
 * path missing: ERROR_FILE_NOT_FOUND, or ERROR_PATH_NOT_FOUND when a
 * directory on the way is; path a file: ERROR_DIRECTORY; filter 0 or bits
 * beyond 0xFFF: ERROR_INVALID_PARAMETER (INVALID_HANDLE_VALUE is
 * returned). Over inotify, as ReadDirectoryChangesW: what it cannot tell
 * exactly, docs/porting.md.
 */
CPORT_WIN32_API HANDLE FindFirstChangeNotificationA(LPCSTR path, BOOL subtree,
                                                    DWORD filter);
CPORT_WIN32_API HANDLE FindFirstChangeNotificationW(LPCWSTR path, BOOL subtree,
                                                    DWORD filter);
/* Resets the handle and asks for the next change (ERROR_INVALID_HANDLE:
 * h is no change notification). */
CPORT_WIN32_API BOOL FindNextChangeNotification(HANDLE h);
/* Closes a change notification handle: CloseHandle, as on Windows. A
 * thread waiting on it meanwhile is not released (Windows leaves that
 * undefined), as for the layer's other objects. */
CPORT_WIN32_API BOOL FindCloseChangeNotification(HANDLE h);
CPORT_WIN32_API BOOL DeleteFileA(LPCSTR path);
CPORT_WIN32_API BOOL DeleteFileW(LPCWSTR path);
CPORT_WIN32_API DWORD GetFileSize(HANDLE h, LPDWORD high);
CPORT_WIN32_API BOOL GetFileSizeEx(HANDLE h, PLARGE_INTEGER size);
CPORT_WIN32_API DWORD SetFilePointer(HANDLE h, LONG distance, PLONG high,
                                     DWORD method);
CPORT_WIN32_API BOOL SetFilePointerEx(HANDLE h, LARGE_INTEGER distance,
                                      PLARGE_INTEGER pos, DWORD method);
CPORT_WIN32_API BOOL SetEndOfFile(HANDLE h);
/*
 * Byte-range locks (docs/porting.md), over Linux's open-file-description
 * locks: a lock belongs to the handle, from the offset in the OVERLAPPED
 * (LockFileEx, UnlockFileEx) or the arguments, for a 64-bit length.
 * LOCKFILE_EXCLUSIVE_LOCK: exclusive, else shared (the same handle may
 * hold overlapping shared locks, each unlocked on its own).
 * LOCKFILE_FAIL_IMMEDIATELY: a lock that cannot be granted fails at once
 * with ERROR_LOCK_VIOLATION. Otherwise, on a handle opened with
 * FILE_FLAG_OVERLAPPED, a lock granted at once returns TRUE (its packet
 * queued unless skip-on-success, its event set), else FALSE with
 * ERROR_IO_PENDING and it ends when granted (Internal, event, packet,
 * GetOverlappedResult), or with ERROR_OPERATION_ABORTED on CancelIo(Ex)
 * or CloseHandle; a plain handle waits in the call. A range that starts at
 * 2^63 or beyond: ERROR_NOT_SUPPORTED. LockFile: exclusive, failing
 * immediately. While the process holds a lock, ReadFile and WriteFile on
 * a range another handle locked (a write on a shared-locked range, also
 * through the locking handle) fail with ERROR_LOCK_VIOLATION.
 */
CPORT_WIN32_API BOOL LockFileEx(HANDLE h, DWORD flags, DWORD reserved,
                                DWORD len_low, DWORD len_high, LPOVERLAPPED ov);
CPORT_WIN32_API BOOL LockFile(HANDLE h, DWORD off_low, DWORD off_high,
                              DWORD len_low, DWORD len_high);
/* Releases the lock of exactly this range the handle holds, else
 * ERROR_NOT_LOCKED. Ends in the call: no packet, no event. CloseHandle
 * releases the handle's locks. */
CPORT_WIN32_API BOOL UnlockFileEx(HANDLE h, DWORD reserved, DWORD len_low,
                                  DWORD len_high, LPOVERLAPPED ov);
CPORT_WIN32_API BOOL UnlockFile(HANDLE h, DWORD off_low, DWORD off_high,
                                DWORD len_low, DWORD len_high);
CPORT_WIN32_API BOOL FlushFileBuffers(HANDLE h);
CPORT_WIN32_API DWORD GetFileType(HANDLE h);
CPORT_WIN32_API BOOL CreateDirectoryA(LPCSTR path, LPSECURITY_ATTRIBUTES sa);
CPORT_WIN32_API BOOL CreateDirectoryW(LPCWSTR path, LPSECURITY_ATTRIBUTES sa);
CPORT_WIN32_API BOOL RemoveDirectoryA(LPCSTR path);
CPORT_WIN32_API BOOL RemoveDirectoryW(LPCWSTR path);
CPORT_WIN32_API DWORD GetFileAttributesA(LPCSTR path);
CPORT_WIN32_API DWORD GetFileAttributesW(LPCWSTR path);
/* MOVEFILE_REPLACE_EXISTING, and MOVEFILE_COPY_ALLOWED: across file
 * systems a file is copied, then deleted if it can be (the call succeeds
 * either way, as documented; without the flag: ERROR_NOT_SAME_DEVICE). Every path call takes '\\' as a separator. */
CPORT_WIN32_API BOOL MoveFileExA(LPCSTR from, LPCSTR to, DWORD flags);
CPORT_WIN32_API BOOL MoveFileExW(LPCWSTR from, LPCWSTR to, DWORD flags);

#define CreateFile CPORT_W32_AW(CreateFile)
#define DeleteFile CPORT_W32_AW(DeleteFile)
#define CreateDirectory CPORT_W32_AW(CreateDirectory)
#define RemoveDirectory CPORT_W32_AW(RemoveDirectory)
#define GetFileAttributes CPORT_W32_AW(GetFileAttributes)
#define MoveFileEx CPORT_W32_AW(MoveFileEx)
#define FindFirstChangeNotification CPORT_W32_AW(FindFirstChangeNotification)

/*
 * Named pipes (pipes.c): "\\.\pipe\NAME" (case-blind, as on Windows) is
 * an abstract AF_UNIX socket name on Linux, so nothing is left on disk.
 * Byte pipes are SOCK_STREAM, message pipes SOCK_SEQPACKET. Every
 * instance of a name lives in the process that created the first one.
 * Byte pipes do overlapped I/O through the port like sockets; message
 * pipes do their I/O in the call (overlapped calls on a message pipe
 * opened with FILE_FLAG_OVERLAPPED fail with ERROR_NOT_SUPPORTED). A read
 * whose other end is gone fails with ERROR_BROKEN_PIPE, a write with
 * ERROR_NO_DATA; a message longer than the buffer: ERROR_MORE_DATA, and
 * the rest comes with the next read. See docs/porting.md.
 */
#define ERROR_BAD_NETPATH 53u
#define ERROR_SEM_TIMEOUT 121u
#define ERROR_BAD_PIPE 230u
#define ERROR_PIPE_BUSY 231u
#define ERROR_NO_DATA 232u
#define ERROR_PIPE_NOT_CONNECTED 233u
#define ERROR_PIPE_CONNECTED 535u
#define ERROR_PIPE_LISTENING 536u
#define PIPE_ACCESS_INBOUND 0x1u
#define PIPE_ACCESS_OUTBOUND 0x2u
#define PIPE_ACCESS_DUPLEX 0x3u
#define FILE_FLAG_FIRST_PIPE_INSTANCE 0x00080000u
#define PIPE_WAIT 0x0u
#define PIPE_NOWAIT 0x1u
#define PIPE_READMODE_BYTE 0x0u
#define PIPE_READMODE_MESSAGE 0x2u
#define PIPE_TYPE_BYTE 0x0u
#define PIPE_TYPE_MESSAGE 0x4u
#define PIPE_ACCEPT_REMOTE_CLIENTS 0x0u
#define PIPE_REJECT_REMOTE_CLIENTS 0x8u
#define PIPE_UNLIMITED_INSTANCES 255u
#define PIPE_CLIENT_END 0x0u
#define PIPE_SERVER_END 0x1u
#define NMPWAIT_USE_DEFAULT_WAIT 0x0u
#define NMPWAIT_NOWAIT 0x1u
#define NMPWAIT_WAIT_FOREVER 0xFFFFFFFFu

/* Creates an instance of a named pipe, not yet connected (a client may
 * connect to it at once). Bad names: ERROR_INVALID_NAME; more instances
 * than the first one allowed: ERROR_PIPE_BUSY; FILE_FLAG_FIRST_PIPE_INSTANCE
 * when the name exists: ERROR_ACCESS_DENIED; PIPE_NOWAIT:
 * ERROR_NOT_SUPPORTED. */
CPORT_WIN32_API HANDLE CreateNamedPipeA(LPCSTR name, DWORD open_mode,
                                        DWORD pipe_mode, DWORD max_instances,
                                        DWORD out_size, DWORD in_size,
                                        DWORD timeout_ms,
                                        LPSECURITY_ATTRIBUTES sa);
CPORT_WIN32_API HANDLE CreateNamedPipeW(LPCWSTR name, DWORD open_mode,
                                        DWORD pipe_mode, DWORD max_instances,
                                        DWORD out_size, DWORD in_size,
                                        DWORD timeout_ms,
                                        LPSECURITY_ATTRIBUTES sa);
/* Waits for a client on a server instance (an accept). Overlapped: FALSE
 * with ERROR_IO_PENDING, and the end comes as every overlapped op's does;
 * a client that connected before the call: FALSE with
 * ERROR_PIPE_CONNECTED, connected, and nothing queued. */
CPORT_WIN32_API BOOL ConnectNamedPipe(HANDLE pipe, LPOVERLAPPED ov);
/* Ends the instance's connection (the client's reads fail with
 * ERROR_BROKEN_PIPE); ConnectNamedPipe may connect it again. */
CPORT_WIN32_API BOOL DisconnectNamedPipe(HANDLE pipe);
/* Waits until an instance of the pipe can take a client: TRUE, or FALSE
 * with ERROR_SEM_TIMEOUT, or ERROR_FILE_NOT_FOUND at once when no such
 * pipe exists. */
CPORT_WIN32_API BOOL WaitNamedPipeA(LPCSTR name, DWORD timeout_ms);
CPORT_WIN32_API BOOL WaitNamedPipeW(LPCWSTR name, DWORD timeout_ms);
/* The read mode (PIPE_READMODE_BYTE / _MESSAGE; PIPE_NOWAIT:
 * ERROR_NOT_SUPPORTED); the collection settings must be NULL, as for a
 * pipe on the same computer. */
CPORT_WIN32_API BOOL SetNamedPipeHandleState(HANDLE pipe, LPDWORD mode,
                                             LPDWORD max_collection,
                                             LPDWORD collect_timeout);
/* Copies what is waiting without taking it; the bytes available, and in
 * a message pipe the bytes left of the next message. A pipe whose other
 * end is gone with nothing left: ERROR_BROKEN_PIPE. */
CPORT_WIN32_API BOOL PeekNamedPipe(HANDLE pipe, LPVOID buf, DWORD size,
                                   LPDWORD read, LPDWORD avail,
                                   LPDWORD left_this_message);
/* The end (PIPE_SERVER_END), type, buffer sizes and instance limit
 * (sizes and limit 0 for a client whose server is in another process). */
CPORT_WIN32_API BOOL GetNamedPipeInfo(HANDLE pipe, LPDWORD flags,
                                      LPDWORD out_size, LPDWORD in_size,
                                      LPDWORD max_instances);
/* The read mode (PIPE_READMODE_MESSAGE or 0), the name's instances, and
 * a server end's client's user name; the collection settings must be
 * NULL (ERROR_INVALID_PARAMETER), as for a pipe on the same computer. */
CPORT_WIN32_API BOOL GetNamedPipeHandleStateA(HANDLE, LPDWORD, LPDWORD, LPDWORD,
                                              LPDWORD, LPSTR, DWORD);
CPORT_WIN32_API BOOL GetNamedPipeHandleStateW(HANDLE, LPDWORD, LPDWORD, LPDWORD,
                                              LPDWORD, LPWSTR, DWORD);
#define GetNamedPipeHandleState CPORT_W32_AW(GetNamedPipeHandleState)
/* A message pipe's write then read, in message read mode only
 * (ERROR_BAD_PIPE otherwise; ERROR_PIPE_BUSY with unread data waiting);
 * a longer answer: ERROR_MORE_DATA, its rest left for ReadFile. Done in
 * the call (an OVERLAPPED on an overlapped handle: ERROR_NOT_SUPPORTED). */
CPORT_WIN32_API BOOL TransactNamedPipe(HANDLE pipe, LPVOID in, DWORD in_len,
                                       LPVOID out, DWORD out_len, LPDWORD read,
                                       LPOVERLAPPED ov);
/* Opens a message pipe (waiting up to timeout_ms if every instance is
 * busy), makes one transaction and closes it: the rest of a longer answer
 * (ERROR_MORE_DATA) is lost with the handle. */
CPORT_WIN32_API BOOL CallNamedPipeA(LPCSTR name, LPVOID in, DWORD in_len,
                                    LPVOID out, DWORD out_len, LPDWORD read,
                                    DWORD timeout_ms);
CPORT_WIN32_API BOOL CallNamedPipeW(LPCWSTR name, LPVOID in, DWORD in_len,
                                    LPVOID out, DWORD out_len, LPDWORD read,
                                    DWORD timeout_ms);
/* An anonymous pipe: a byte pipe whose read end is *read_end and write
 * end *write_end, both plain handles (no overlapped I/O); size is each
 * way's buffer hint (0: 4,096). Reads end in ERROR_BROKEN_PIPE once the
 * write end is closed and the data read. */
CPORT_WIN32_API BOOL CreatePipe(PHANDLE read_end, PHANDLE write_end,
                                LPSECURITY_ATTRIBUTES sa, DWORD size);
#define CreateNamedPipe CPORT_W32_AW(CreateNamedPipe)
#define CallNamedPipe CPORT_W32_AW(CallNamedPipe)
#define WaitNamedPipe CPORT_W32_AW(WaitNamedPipe)

/*
 * The file system (filesystem.c): searching a directory, times and
 * information, the current directory, full paths, temporary names,
 * moving and copying. '/' and '\\' both separate components; the paths
 * go to Linux otherwise unchanged (no drive letters).
 *
 * FindFirstFile matches '*' and '?' in the last component only, without
 * regard to case ("*.*" matches every name), listing "." and ".." in a
 * directory other than the root as Windows does; no match:
 * ERROR_FILE_NOT_FOUND, no such directory: ERROR_PATH_NOT_FOUND, a
 * trailing separator always fails. FindNextFile at the end: FALSE with
 * ERROR_NO_MORE_FILES. Attributes: FILE_ATTRIBUTE_DIRECTORY, else
 * FILE_ATTRIBUTE_ARCHIVE (Linux keeps no archive bit: every file has it,
 * as every file Windows made or changed has), plus
 * FILE_ATTRIBUTE_READONLY without write permission for the owner; a
 * directory's size is 0; the creation time is
 * the birth time where the file system keeps one, else the last write;
 * cAlternateFileName is empty. Symbolic links are followed.
 */
#define ERROR_NOT_SAME_DEVICE 17u
#define ERROR_DIRECTORY 267u
typedef struct _WIN32_FIND_DATAA {
  DWORD dwFileAttributes;
  FILETIME ftCreationTime;
  FILETIME ftLastAccessTime;
  FILETIME ftLastWriteTime;
  DWORD nFileSizeHigh;
  DWORD nFileSizeLow;
  DWORD dwReserved0;
  DWORD dwReserved1;
  CHAR cFileName[MAX_PATH];
  CHAR cAlternateFileName[14];
} WIN32_FIND_DATAA, *PWIN32_FIND_DATAA, *LPWIN32_FIND_DATAA;
typedef struct _WIN32_FIND_DATAW {
  DWORD dwFileAttributes;
  FILETIME ftCreationTime;
  FILETIME ftLastAccessTime;
  FILETIME ftLastWriteTime;
  DWORD nFileSizeHigh;
  DWORD nFileSizeLow;
  DWORD dwReserved0;
  DWORD dwReserved1;
  WCHAR cFileName[MAX_PATH];
  WCHAR cAlternateFileName[14];
} WIN32_FIND_DATAW, *PWIN32_FIND_DATAW, *LPWIN32_FIND_DATAW;
typedef enum _GET_FILEEX_INFO_LEVELS {
  GetFileExInfoStandard,
  GetFileExMaxInfoLevel
} GET_FILEEX_INFO_LEVELS;
typedef struct _WIN32_FILE_ATTRIBUTE_DATA {
  DWORD dwFileAttributes;
  FILETIME ftCreationTime;
  FILETIME ftLastAccessTime;
  FILETIME ftLastWriteTime;
  DWORD nFileSizeHigh;
  DWORD nFileSizeLow;
} WIN32_FILE_ATTRIBUTE_DATA, *LPWIN32_FILE_ATTRIBUTE_DATA;
/* dwVolumeSerialNumber comes from st_dev, nFileIndexHigh/Low from
 * st_ino. */
typedef struct _BY_HANDLE_FILE_INFORMATION {
  DWORD dwFileAttributes;
  FILETIME ftCreationTime;
  FILETIME ftLastAccessTime;
  FILETIME ftLastWriteTime;
  DWORD dwVolumeSerialNumber;
  DWORD nFileSizeHigh;
  DWORD nFileSizeLow;
  DWORD nNumberOfLinks;
  DWORD nFileIndexHigh;
  DWORD nFileIndexLow;
} BY_HANDLE_FILE_INFORMATION, *PBY_HANDLE_FILE_INFORMATION,
    *LPBY_HANDLE_FILE_INFORMATION;
#ifdef UNICODE
typedef WIN32_FIND_DATAW WIN32_FIND_DATA, *PWIN32_FIND_DATA, *LPWIN32_FIND_DATA;
#else
typedef WIN32_FIND_DATAA WIN32_FIND_DATA, *PWIN32_FIND_DATA, *LPWIN32_FIND_DATA;
#endif
CPORT_WIN32_API HANDLE FindFirstFileA(LPCSTR pattern, LPWIN32_FIND_DATAA data);
CPORT_WIN32_API HANDLE FindFirstFileW(LPCWSTR pattern, LPWIN32_FIND_DATAW data);
CPORT_WIN32_API BOOL FindNextFileA(HANDLE find, LPWIN32_FIND_DATAA data);
CPORT_WIN32_API BOOL FindNextFileW(HANDLE find, LPWIN32_FIND_DATAW data);
CPORT_WIN32_API BOOL FindClose(HANDLE find);
CPORT_WIN32_API BOOL GetFileAttributesExA(LPCSTR path,
                                          GET_FILEEX_INFO_LEVELS level,
                                          LPVOID info);
CPORT_WIN32_API BOOL GetFileAttributesExW(LPCWSTR path,
                                          GET_FILEEX_INFO_LEVELS level,
                                          LPVOID info);
CPORT_WIN32_API BOOL GetFileTime(HANDLE h, LPFILETIME creation,
                                 LPFILETIME access, LPFILETIME write);
CPORT_WIN32_API BOOL
GetFileInformationByHandle(HANDLE h, LPBY_HANDLE_FILE_INFORMATION info);
/* UTC both; FALSE with ERROR_INVALID_PARAMETER for a FILETIME above
 * 0x7FFFFFFFFFFFFFFF or a SYSTEMTIME field out of range (wDayOfWeek is
 * ignored, then set by FileTimeToSystemTime). */
CPORT_WIN32_API BOOL FileTimeToSystemTime(const FILETIME *ft, LPSYSTEMTIME st);
CPORT_WIN32_API BOOL SystemTimeToFileTime(const SYSTEMTIME *st, LPFILETIME ft);
CPORT_WIN32_API LONG CompareFileTime(const FILETIME *a, const FILETIME *b);
/* GetCurrentDirectory and GetFullPathName return the length without the
 * NUL, or the size needed with it when the buffer is too small;
 * GetFullPathName works on the text only (".", "..", separators made
 * '/') and its file part is NULL for a path that ends in a separator.
 * GetTempFileName makes <path>/<up to 3 characters of prefix><hex>.TMP
 * and returns the number used: unique's low 16 bits (the name only), or
 * when they are 0 a free number from the clock, the file created empty
 * (a missing directory: ERROR_DIRECTORY); a path longer than
 * MAX_PATH - 14 is ERROR_BUFFER_OVERFLOW. MoveFile
 * copies and deletes a file across file systems; an existing target is
 * ERROR_ALREADY_EXISTS. CopyFile keeps the attributes and the last write
 * time; fail_if_exists and a target that exists: ERROR_FILE_EXISTS. */
CPORT_WIN32_API DWORD GetCurrentDirectoryA(DWORD size, LPSTR buf);
CPORT_WIN32_API DWORD GetCurrentDirectoryW(DWORD size, LPWSTR buf);
CPORT_WIN32_API BOOL SetCurrentDirectoryA(LPCSTR path);
CPORT_WIN32_API BOOL SetCurrentDirectoryW(LPCWSTR path);
CPORT_WIN32_API DWORD GetFullPathNameA(LPCSTR path, DWORD size, LPSTR buf,
                                       LPSTR *file_part);
CPORT_WIN32_API DWORD GetFullPathNameW(LPCWSTR path, DWORD size, LPWSTR buf,
                                       LPWSTR *file_part);
CPORT_WIN32_API UINT GetTempFileNameA(LPCSTR path, LPCSTR prefix, UINT unique,
                                      LPSTR name);
CPORT_WIN32_API UINT GetTempFileNameW(LPCWSTR path, LPCWSTR prefix, UINT unique,
                                      LPWSTR name);
CPORT_WIN32_API BOOL MoveFileA(LPCSTR from, LPCSTR to);
CPORT_WIN32_API BOOL MoveFileW(LPCWSTR from, LPCWSTR to);
CPORT_WIN32_API BOOL CopyFileA(LPCSTR from, LPCSTR to, BOOL fail_if_exists);
CPORT_WIN32_API BOOL CopyFileW(LPCWSTR from, LPCWSTR to, BOOL fail_if_exists);

#define FindFirstFile CPORT_W32_AW(FindFirstFile)
#define FindNextFile CPORT_W32_AW(FindNextFile)
#define GetFileAttributesEx CPORT_W32_AW(GetFileAttributesEx)
#define GetCurrentDirectory CPORT_W32_AW(GetCurrentDirectory)
#define SetCurrentDirectory CPORT_W32_AW(SetCurrentDirectory)
#define GetFullPathName CPORT_W32_AW(GetFullPathName)
#define GetTempFileName CPORT_W32_AW(GetTempFileName)
#define MoveFile CPORT_W32_AW(MoveFile)
#define CopyFile CPORT_W32_AW(CopyFile)

/*
 * A file's information by handle, the newer calls (fileinfo.c), and the
 * path calls beside them.
 *
 * GetFileInformationByHandleEx: FileBasicInfo, FileStandardInfo,
 * FileNameInfo, FileAttributeTagInfo, FileIdInfo, FileStorageInfo and
 * FileAlignmentInfo, with the attributes
 * and times GetFileInformationByHandle reports (ChangeTime: Linux's
 * ctime); AllocationSize is the blocks the file holds; DeletePending is
 * TRUE after a FileDispositionInfo delete. FileNameInfo gives the path
 * without a volume, which on Linux is the whole absolute path, as Linux
 * spells it ('/'), not terminated; FileNameLength counts its bytes (a
 * WCHAR is 4 bytes here). FileIdInfo: VolumeSerialNumber is
 * GetFileInformationByHandle's dwVolumeSerialNumber, FileId its file
 * index (st_ino) in the low 8 bytes. FileStorageInfo: 512-byte logical
 * sectors and the file system's block (st_blksize, at least 512) as the
 * physical sector, aligned (offsets 0); FileAlignmentInfo:
 * FILE_BYTE_ALIGNMENT, since the layer's unbuffered I/O still goes
 * through the page cache and takes any buffer. Another class: ERROR_INVALID_PARAMETER
 * (as Windows answers a class it does not support); a buffer smaller than
 * the structure: ERROR_BAD_LENGTH; FileNameInfo with room for the length
 * but not the whole name: ERROR_MORE_DATA, FileNameLength the bytes
 * needed and as much of the name as fits copied.
 *
 * SetFileInformationByHandle: FileEndOfFileInfo (ftruncate);
 * FileAllocationInfo (below the end of the file: the file is cut there,
 * as documented; above: fallocate(FALLOC_FL_KEEP_SIZE) reserves the
 * space, and on a file system that cannot reserve it the call succeeds
 * without reserving, as the size a program sees does not change);
 * FileDispositionInfo (DeleteFile TRUE: the file's current name is
 * removed when this handle is closed, FALSE takes that back; the name
 * stays usable until then, where Windows refuses new opens of a file
 * whose delete is pending); FileBasicInfo (a time of 0 is left as it is;
 * LastAccessTime and LastWriteTime are set with futimens; CreationTime
 * and ChangeTime cannot be set on Linux: a value other than the one the
 * file reports fails with ERROR_NOT_SUPPORTED, as do -1 and -2, which ask
 * Windows to stop and resume updating a time; attributes 0 are left as
 * they are, FILE_ATTRIBUTE_READONLY takes every write permission away
 * and its absence gives the owner write permission, other attributes are
 * accepted and have no effect: Linux has no bits for them); FileRenameInfo
 * (FileName, not terminated, FileNameLength bytes: a name with no
 * separator renames within the file's directory, a path renames there;
 * RootDirectory must be NULL, else ERROR_NOT_SUPPORTED;
 * ReplaceIfExists FALSE and an existing target: ERROR_ALREADY_EXISTS).
 * Another class: ERROR_INVALID_PARAMETER; a buffer smaller than the
 * structure: ERROR_BAD_LENGTH. Access rights are not checked (the layer
 * does not keep them).
 *
 * SetFileAttributes: FILE_ATTRIBUTE_READONLY on a file as above (a
 * directory's is accepted without effect, as Windows does not honour it
 * on directories); the other attributes are accepted and have no effect.
 *
 * GetFinalPathNameByHandle: the file's current absolute Linux path (from
 * /proc/self/fd), the same for FILE_NAME_NORMALIZED and FILE_NAME_OPENED
 * and for VOLUME_NAME_DOS and VOLUME_NAME_NONE: Linux has no drive
 * letters and no "\\?\" prefix opens anything here; VOLUME_NAME_GUID and
 * VOLUME_NAME_NT name volume devices Linux does not have:
 * ERROR_NOT_SUPPORTED. Returns the length without the terminator, or,
 * when the buffer is too small, the size needed with it. A file whose
 * name was deleted: ERROR_FILE_NOT_FOUND.
 *
 * GetDiskFreeSpaceEx: statvfs of the directory (NULL: the current one):
 * the bytes free to the caller (f_bavail), the total and the bytes free.
 *
 * FindFirstFileEx: FindFirstFile's search. FindExInfoStandard and
 * FindExInfoBasic (cAlternateFileName is always empty);
 * FindExSearchNameMatch, and FindExSearchLimitToDirectories, which lists
 * directories only (the documentation lets a file system ignore it, as
 * Windows' usually do); FIND_FIRST_EX_CASE_SENSITIVE matches letters
 * with their case, FIND_FIRST_EX_LARGE_FETCH and
 * FIND_FIRST_EX_ON_DISK_ENTRIES_ONLY are accepted. search_filter must be
 * NULL and the other values are ERROR_INVALID_PARAMETER.
 */
#define ERROR_BAD_LENGTH 24u
#define VOLUME_NAME_DOS 0x0u
#define VOLUME_NAME_GUID 0x1u
#define VOLUME_NAME_NT 0x2u
#define VOLUME_NAME_NONE 0x4u
#define FILE_NAME_NORMALIZED 0x0u
#define FILE_NAME_OPENED 0x8u
#define FIND_FIRST_EX_CASE_SENSITIVE 0x1u
#define FIND_FIRST_EX_LARGE_FETCH 0x2u
#define FIND_FIRST_EX_ON_DISK_ENTRIES_ONLY 0x4u
typedef enum _FILE_INFO_BY_HANDLE_CLASS {
  FileBasicInfo,
  FileStandardInfo,
  FileNameInfo,
  FileRenameInfo,
  FileDispositionInfo,
  FileAllocationInfo,
  FileEndOfFileInfo,
  FileStreamInfo,
  FileCompressionInfo,
  FileAttributeTagInfo,
  FileIdBothDirectoryInfo,
  FileIdBothDirectoryRestartInfo,
  FileIoPriorityHintInfo,
  FileRemoteProtocolInfo,
  FileFullDirectoryInfo,
  FileFullDirectoryRestartInfo,
  FileStorageInfo,
  FileAlignmentInfo,
  FileIdInfo,
  FileIdExtdDirectoryInfo,
  FileIdExtdDirectoryRestartInfo,
  FileDispositionInfoEx,
  FileRenameInfoEx,
  FileCaseSensitiveInfo,
  FileNormalizedNameInfo,
  MaximumFileInfoByHandleClass
} FILE_INFO_BY_HANDLE_CLASS,
    *PFILE_INFO_BY_HANDLE_CLASS;
typedef struct _FILE_BASIC_INFO {
  LARGE_INTEGER CreationTime;
  LARGE_INTEGER LastAccessTime;
  LARGE_INTEGER LastWriteTime;
  LARGE_INTEGER ChangeTime;
  DWORD FileAttributes;
} FILE_BASIC_INFO, *PFILE_BASIC_INFO;
typedef struct _FILE_STANDARD_INFO {
  LARGE_INTEGER AllocationSize;
  LARGE_INTEGER EndOfFile;
  DWORD NumberOfLinks;
  BOOLEAN DeletePending;
  BOOLEAN Directory;
} FILE_STANDARD_INFO, *PFILE_STANDARD_INFO;
typedef struct _FILE_NAME_INFO {
  DWORD FileNameLength;
  WCHAR FileName[1];
} FILE_NAME_INFO, *PFILE_NAME_INFO;
typedef struct _FILE_RENAME_INFO {
  CPORT_W32_NAMELESS union {
    BOOLEAN ReplaceIfExists;
    DWORD Flags;
  };
  HANDLE RootDirectory;
  DWORD FileNameLength;
  WCHAR FileName[1];
} FILE_RENAME_INFO, *PFILE_RENAME_INFO;
typedef struct _FILE_DISPOSITION_INFO {
  BOOLEAN DeleteFile;
} FILE_DISPOSITION_INFO, *PFILE_DISPOSITION_INFO;
typedef struct _FILE_ALLOCATION_INFO {
  LARGE_INTEGER AllocationSize;
} FILE_ALLOCATION_INFO, *PFILE_ALLOCATION_INFO;
typedef struct _FILE_END_OF_FILE_INFO {
  LARGE_INTEGER EndOfFile;
} FILE_END_OF_FILE_INFO, *PFILE_END_OF_FILE_INFO;
typedef struct _FILE_ATTRIBUTE_TAG_INFO {
  DWORD FileAttributes;
  DWORD ReparseTag;
} FILE_ATTRIBUTE_TAG_INFO, *PFILE_ATTRIBUTE_TAG_INFO;
typedef struct _FILE_ID_128 {
  BYTE Identifier[16];
} FILE_ID_128, *PFILE_ID_128;
typedef struct _FILE_ID_INFO {
  ULONGLONG VolumeSerialNumber;
  FILE_ID_128 FileId;
} FILE_ID_INFO, *PFILE_ID_INFO;
#define STORAGE_INFO_FLAGS_ALIGNED_DEVICE 0x00000001u
#define STORAGE_INFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE 0x00000002u
#define STORAGE_INFO_OFFSET_UNKNOWN 0xffffffffu
typedef struct _FILE_STORAGE_INFO {
  ULONG LogicalBytesPerSector;
  ULONG PhysicalBytesPerSectorForAtomicity;
  ULONG PhysicalBytesPerSectorForPerformance;
  ULONG FileSystemEffectivePhysicalBytesPerSectorForAtomicity;
  ULONG Flags;
  ULONG ByteOffsetForSectorAlignment;
  ULONG ByteOffsetForPartitionAlignment;
} FILE_STORAGE_INFO, *PFILE_STORAGE_INFO;
#define FILE_BYTE_ALIGNMENT 0x00000000u
#define FILE_WORD_ALIGNMENT 0x00000001u
#define FILE_LONG_ALIGNMENT 0x00000003u
#define FILE_QUAD_ALIGNMENT 0x00000007u
#define FILE_OCTA_ALIGNMENT 0x0000000fu
#define FILE_32_BYTE_ALIGNMENT 0x0000001fu
#define FILE_64_BYTE_ALIGNMENT 0x0000003fu
#define FILE_128_BYTE_ALIGNMENT 0x0000007fu
#define FILE_256_BYTE_ALIGNMENT 0x000000ffu
#define FILE_512_BYTE_ALIGNMENT 0x000001ffu
typedef struct _FILE_ALIGNMENT_INFO {
  ULONG AlignmentRequirement;
} FILE_ALIGNMENT_INFO, *PFILE_ALIGNMENT_INFO;
typedef enum _FINDEX_INFO_LEVELS {
  FindExInfoStandard,
  FindExInfoBasic,
  FindExInfoMaxInfoLevel
} FINDEX_INFO_LEVELS;
typedef enum _FINDEX_SEARCH_OPS {
  FindExSearchNameMatch,
  FindExSearchLimitToDirectories,
  FindExSearchLimitToDevices,
  FindExSearchMaxSearchOp
} FINDEX_SEARCH_OPS;
CPORT_WIN32_API BOOL GetFileInformationByHandleEx(HANDLE h,
                                                  FILE_INFO_BY_HANDLE_CLASS cls,
                                                  LPVOID info, DWORD size);
CPORT_WIN32_API BOOL SetFileInformationByHandle(HANDLE h,
                                                FILE_INFO_BY_HANDLE_CLASS cls,
                                                LPVOID info, DWORD size);
/* SetFileTime: the access and write times (futimens, 100 ns kept to the
 * file system's precision); NULL or a FILETIME of 0 leaves a time as it
 * is. Linux cannot set a file's creation (birth) time: a creation time
 * other than the one GetFileTime reports fails with ERROR_NOT_SUPPORTED
 * and changes nothing, as does 0xFFFFFFFF:0xFFFFFFFF or
 * 0xFFFFFFFF:0xFFFFFFFE (stop / resume updating a time through this
 * handle); another value past 0x7FFFFFFFFFFFFFFF: ERROR_INVALID_PARAMETER.
 * Access rights are not checked. */
CPORT_WIN32_API BOOL SetFileTime(HANDLE h, const FILETIME *creation,
                                 const FILETIME *access, const FILETIME *write);
/* SetFileValidData: Linux keeps no valid data length apart from the size
 * (a range never written reads as zeros, never as a disk's old contents),
 * so no privilege is needed: a length from 1 to the file's size succeeds
 * and reserves the blocks up to it (fallocate, FALLOC_FL_KEEP_SIZE; a file
 * system that cannot: nothing reserved). 0, negative or past the size:
 * ERROR_INVALID_PARAMETER; not a regular file: ERROR_INVALID_PARAMETER;
 * opened without write access: ERROR_ACCESS_DENIED; no space:
 * ERROR_DISK_FULL. */
CPORT_WIN32_API BOOL SetFileValidData(HANDLE h, LONGLONG length);
CPORT_WIN32_API BOOL SetFileAttributesA(LPCSTR path, DWORD attrs);
CPORT_WIN32_API BOOL SetFileAttributesW(LPCWSTR path, DWORD attrs);
CPORT_WIN32_API DWORD GetFinalPathNameByHandleA(HANDLE h, LPSTR buf, DWORD size,
                                                DWORD flags);
CPORT_WIN32_API DWORD GetFinalPathNameByHandleW(HANDLE h, LPWSTR buf,
                                                DWORD size, DWORD flags);
/* The old form: 512-byte sectors, a cluster the file system's fragment
 * size, the cluster counts capped at 0xFFFFFFFF (Windows caps them too);
 * root NULL: the current directory. */
CPORT_WIN32_API BOOL GetDiskFreeSpaceA(LPCSTR root, LPDWORD sectors_per_cluster,
                                       LPDWORD bytes_per_sector,
                                       LPDWORD free_clusters,
                                       LPDWORD total_clusters);
CPORT_WIN32_API BOOL GetDiskFreeSpaceW(LPCWSTR root,
                                       LPDWORD sectors_per_cluster,
                                       LPDWORD bytes_per_sector,
                                       LPDWORD free_clusters,
                                       LPDWORD total_clusters);
/* A hint for the kernel's I/O on a buffer range, which Linux has no use
 * for: a file handle, a buffer and a length other than 0 are taken
 * without effect; else ERROR_INVALID_HANDLE / ERROR_INVALID_PARAMETER. */
CPORT_WIN32_API BOOL SetFileIoOverlappedRange(HANDLE h, PUCHAR start,
                                              ULONG length);
CPORT_WIN32_API BOOL GetDiskFreeSpaceExA(LPCSTR dir,
                                         PULARGE_INTEGER free_to_caller,
                                         PULARGE_INTEGER total,
                                         PULARGE_INTEGER total_free);
CPORT_WIN32_API BOOL GetDiskFreeSpaceExW(LPCWSTR dir,
                                         PULARGE_INTEGER free_to_caller,
                                         PULARGE_INTEGER total,
                                         PULARGE_INTEGER total_free);
CPORT_WIN32_API HANDLE FindFirstFileExA(LPCSTR pattern,
                                        FINDEX_INFO_LEVELS level, LPVOID data,
                                        FINDEX_SEARCH_OPS op,
                                        LPVOID search_filter, DWORD flags);
CPORT_WIN32_API HANDLE FindFirstFileExW(LPCWSTR pattern,
                                        FINDEX_INFO_LEVELS level, LPVOID data,
                                        FINDEX_SEARCH_OPS op,
                                        LPVOID search_filter, DWORD flags);
#define SetFileAttributes CPORT_W32_AW(SetFileAttributes)
#define GetFinalPathNameByHandle CPORT_W32_AW(GetFinalPathNameByHandle)
#define GetDiskFreeSpaceEx CPORT_W32_AW(GetDiskFreeSpaceEx)
#define GetDiskFreeSpace CPORT_W32_AW(GetDiskFreeSpace)
#define FindFirstFileEx CPORT_W32_AW(FindFirstFileEx)

#endif /* CPORT_WIN32_PART_FILES_H */
