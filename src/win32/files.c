/*
 * files.c - files: CreateFile (A and W), overlapped and plain ReadFile /
 * WriteFile, sizes, the file pointer, end of file, flushing, and the
 * directory and attribute calls a server needs. A file HANDLE holds its
 * descriptor. Overlapped I/O goes through cport at the OVERLAPPED's
 * offset; a handle opened without FILE_FLAG_OVERLAPPED does its I/O at
 * once, even with an OVERLAPPED, as Windows does.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "win32.h"

/* ------------------------------------------------------------------------ */
/* Paths                                                                     */
/* ------------------------------------------------------------------------ */

/* A missing file: ERROR_FILE_NOT_FOUND, or ERROR_PATH_NOT_FOUND when its
 * directory is missing, as Windows tells them apart. */
/* A Windows path's Linux form ('\\' separates as '/' does; the
 * filesystem calls of filesystem.c and paths.c take them the same way),
 * or NULL with the last error set. */
#define UNIX_PATH(var, path)       \
  char *var = w32_unix_path(path); \
  if (var == NULL)                 \
  return 0

/* Runs a path call with the wide path as UTF-8. */
#define W32_WIDE_PATH(wpath, call)      \
  do {                                  \
    char *p_ = w32_utf8(wpath);         \
    if (p_ == NULL)                     \
      return 0;                         \
    __typeof__(call(p_)) r_ = call(p_); \
    free(p_);                           \
    return r_;                          \
  } while (0)

/* ------------------------------------------------------------------------ */
/* Opening                                                                   */
/* ------------------------------------------------------------------------ */

static unsigned open_flags(DWORD access, DWORD disposition, bool *ok) {
  unsigned f = 0;
  *ok = true;
  if (access & (GENERIC_READ | GENERIC_ALL | FILE_READ_DATA))
    f |= CPORT_FILE_READ;
  if (access & (GENERIC_WRITE | GENERIC_ALL | FILE_WRITE_DATA))
    f |= CPORT_FILE_WRITE;
  else if (access & FILE_APPEND_DATA)
    f |= CPORT_FILE_WRITE | CPORT_FILE_APPEND;
  if ((f & (CPORT_FILE_READ | CPORT_FILE_WRITE)) == 0)
    f |= CPORT_FILE_READ; /* attribute-only access: a read-only open */
  switch (disposition) {
  case CREATE_NEW:
    return f | CPORT_FILE_CREATE | CPORT_FILE_EXCL;
  case CREATE_ALWAYS:
    return f | CPORT_FILE_CREATE | CPORT_FILE_TRUNCATE;
  case OPEN_ALWAYS:
    return f | CPORT_FILE_CREATE;
  case TRUNCATE_EXISTING:
    return f | CPORT_FILE_TRUNCATE;
  case OPEN_EXISTING:
    return f;
  default:
    *ok = false;
    return 0;
  }
}

/* A directory opened with FILE_FLAG_BACKUP_SEMANTICS: a handle for
 * ReadDirectoryChangesW (dirwatch.c), CloseHandle and the calls that read
 * a handle's information; ReadFile and WriteFile refuse it. NULL when
 * path is no directory (CreateFile goes on as for a file), or
 * INVALID_HANDLE_VALUE with the error set. */
static HANDLE open_directory(const char *path, DWORD want, DWORD disposition,
                             DWORD flags) {
  char *p = w32_unix_path(path);
  if (p == NULL)
    return INVALID_HANDLE_VALUE;
  int fd;
  do
    fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  int err = errno;
  if (fd < 0 && err != ENOTDIR && err != ENOENT) {
    DWORD e = w32_error(-err);
    free(p);
    return (w32_fail(e), INVALID_HANDLE_VALUE);
  }
  free(p);
  if (fd < 0)
    return NULL; /* a file, or nothing: CreateFile's own errors */
  w32_fd_reset(fd);
  unsigned set = W32_FD_DIR;
  if (want & (GENERIC_READ | GENERIC_ALL | FILE_LIST_DIRECTORY))
    set |= W32_FD_DIR_LIST;
  if (want & (GENERIC_WRITE | GENERIC_ALL | FILE_WRITE_DATA | FILE_APPEND_DATA))
    set |= W32_FD_DIR_WRITE;
  if (!(flags & FILE_FLAG_OVERLAPPED))
    set |= W32_FD_SYNC;
  w32_fd_set_flags(fd, set, 0);
  /* OPEN_ALWAYS says it existed, as for a file. */
  SetLastError(disposition == OPEN_ALWAYS ? ERROR_ALREADY_EXISTS
                                          : ERROR_SUCCESS);
  return (HANDLE)(intptr_t)fd;
}

CPORT_API HANDLE CreateFileA(LPCSTR path, DWORD want, DWORD share,
                             LPSECURITY_ATTRIBUTES sa, DWORD disposition,
                             DWORD flags, HANDLE template_file) {
  (void)share; /* not enforced: see docs/porting.md */
  (void)sa;    /* cport never lets a handle be inherited */
  (void)template_file;
  if (path != NULL && w32_pipe_path(path))
    return w32_pipe_open(path, want, flags); /* a named pipe's client */
  if (path != NULL && (flags & FILE_FLAG_BACKUP_SEMANTICS) &&
      (disposition == OPEN_EXISTING || disposition == OPEN_ALWAYS)) {
    HANDLE d = open_directory(path, want, disposition, flags);
    if (d != NULL)
      return d;
  }
  bool ok;
  unsigned f = open_flags(want, disposition, &ok);
  if (path == NULL || !ok)
    return (w32_fail(ERROR_INVALID_PARAMETER), INVALID_HANDLE_VALUE);
  char *p = w32_unix_path(path);
  if (p == NULL)
    return INVALID_HANDLE_VALUE;
  bool existed = false;
  if (disposition == CREATE_ALWAYS || disposition == OPEN_ALWAYS)
    existed = access(p, F_OK) == 0;
  cport_handle_t fd;
  int rc = cport_file_open(p, f, &fd);
  if (rc != 0) {
    DWORD err = rc == CPORT_ENOENT ? w32_path_error(p, ENOENT) : w32_error(rc);
    free(p);
    return (w32_fail(err), INVALID_HANDLE_VALUE);
  }
  if (flags & FILE_FLAG_DELETE_ON_CLOSE)
    unlink(p); /* gone from the directory now, not at the last close */
  free(p);
  w32_fd_reset(fd);
  if (!(flags & FILE_FLAG_OVERLAPPED))
    w32_fd_set_flags(fd, W32_FD_SYNC, 0);
  if (flags & FILE_FLAG_NO_BUFFERING) /* (ReadFileScatter's condition) */
    w32_fd_set_flags(fd, W32_FD_NOBUF, 0);
  /* CREATE_ALWAYS / OPEN_ALWAYS on an existing file say so. */
  SetLastError(existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
  return (HANDLE)(intptr_t)fd;
}

CPORT_API HANDLE CreateFileW(LPCWSTR path, DWORD access, DWORD share,
                             LPSECURITY_ATTRIBUTES sa, DWORD disposition,
                             DWORD flags, HANDLE template_file) {
  char *p = w32_utf8(path);
  if (p == NULL)
    return INVALID_HANDLE_VALUE;
  HANDLE h =
      CreateFileA(p, access, share, sa, disposition, flags, template_file);
  free(p);
  return h;
}

/* ------------------------------------------------------------------------ */
/* Reading and writing                                                       */
/* ------------------------------------------------------------------------ */

static uint64_t offset_of(const OVERLAPPED *ov) {
  return (uint64_t)ov->OffsetHigh << 32 | ov->Offset;
}

static bool is_socket(int fd) {
  int type;
  socklen_t len = sizeof(type);
  return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0;
}

/* Windows' locks are mandatory: I/O on a range another handle locked (a
 * write on a shared-locked one, through any handle) fails with
 * ERROR_LOCK_VIOLATION. Looked at only while the process holds a lock
 * (filelocks.c); without an OVERLAPPED, at the file position. */
static bool lock_conflict(int fd, const OVERLAPPED *ov, uint64_t off, DWORD len,
                          bool write_side) {
  if (__atomic_load_n(&w32_locks_held, __ATOMIC_RELAXED) == 0)
    return false;
  if (ov == NULL) {
    off_t here = lseek(fd, 0, SEEK_CUR);
    if (here < 0)
      return false; /* no position: a pipe, a socket */
    off = (uint64_t)here;
  }
  return !w32_locks_allow(fd, off, len, write_side);
}

/* Without an OVERLAPPED, or on a handle opened without
 * FILE_FLAG_OVERLAPPED: the call does the I/O (at the file position, or
 * at the OVERLAPPED's offset), blocking. */
static BOOL sync_io(int fd, void *buf, DWORD len, LPDWORD done, LPOVERLAPPED ov,
                    bool write_side) {
  ssize_t n;
  uint64_t off = ov != NULL ? offset_of(ov) : 0, lock_off = off;
  bool at_end = ov != NULL && write_side && off == UINT64_MAX;
  if (at_end) {
    /* Both 0xFFFFFFFF: write at the end of the file, wherever it is when
     * the write runs (RWF_APPEND: two threads' writes land whole, one
     * after the other). */
    struct stat st;
    if (fstat(fd, &st) != 0)
      return w32_fail(w32_error(-errno));
    lock_off = (uint64_t)st.st_size;
  }
  if (lock_conflict(fd, ov, lock_off, len, write_side))
    return w32_fail(ERROR_LOCK_VIOLATION);
  if (write_side) {
    /* A socket's: after the sends queued before it (and the bytes cport's
     * send buffer holds), unless closed or cancelled meanwhile. */
    uint64_t until = UINT64_MAX; /* (no timeout) */
    int w = w32_fd_wait_queued(fd, false, false, &until);
    if (w == 2 || w == 3)
      return w32_fail(ERROR_OPERATION_ABORTED);
  }
  w32_block_begin();
  /* Marked: CancelSynchronousIo interrupts a read that waits (a console,
   * a pipe: EINTR); a disk's I/O ends by itself. */
  w32_sync_begin_fd(fd);
  bool cancelled = false;
  size_t total = 0;
  for (;;) {
    char *at = (char *)buf + total;
    size_t left = len - total;
    struct iovec iov = {at, left};
    if (ov == NULL)
      n = write_side ? write(fd, at, left) : read(fd, at, left);
    else if (at_end)
      n = pwritev2(fd, &iov, 1, 0, RWF_APPEND);
    else
      n = write_side ? pwrite(fd, at, left, (off_t)(off + total))
                     : pread(fd, at, left, (off_t)(off + total));
    if (n < 0 && errno == EINTR && !(cancelled = w32_sync_cancelled()))
      continue;
    if (n > 0)
      total += (size_t)n;
    /* A write is whole or fails, and a read of a disk file reads up to
     * its end, as on Windows: Linux moves at most 2 GiB - 4 KiB a call
     * (2 GiB - 64 KiB with 64 KiB pages), and a shorter read met the
     * end. */
    if (!(n > 0 && total < len && (write_side || n >= 0x7fff0000L)))
      break;
  }
  if (n > 0 || (n == 0 && total > 0)) /* (a read's next call: the end) */
    n = (ssize_t)total;
  cancelled = w32_sync_end() && cancelled;
  if (cancelled)
    errno = ECANCELED;
  /* A synchronous handle's I/O at the OVERLAPPED's offset moves the file
   * pointer past it, as Windows does (pread/pwrite leave it). */
  if (ov != NULL && n >= 0)
    (void)lseek(fd, at_end ? 0 : (off_t)(off + (uint64_t)n),
                at_end ? SEEK_END : SEEK_SET);
  w32_block_end();
  int status = n < 0 ? -errno : 0;
  if (ov != NULL) {
    /* At or past the end with an OVERLAPPED: ERROR_HANDLE_EOF. */
    if (status == 0 && n == 0 && !write_side && len > 0)
      status = CPORT_EOF;
    w32_ov_finish(ov, status, n > 0 ? (uint32_t)n : 0);
  }
  if (done)
    *done = n > 0 ? (DWORD)n : 0;
  return status == 0 ? TRUE : w32_fail(w32_error(status));
}

/* ReadFile / WriteFile on a socket without an OVERLAPPED: recv / send as
 * the layer does them (bsd.c), so the call blocks even on a socket a port
 * made non-blocking underneath, reads the bytes cport already took first,
 * and a write sends everything. */
static BOOL socket_io(int fd, void *buf, DWORD len, LPDWORD done,
                      bool write_side) {
  ssize_t n = write_side ? send(fd, buf, len, 0) : recv(fd, buf, len, 0);
  int e = errno;
  if (done) /* a datagram larger than buf filled it (ERROR_MORE_DATA) */
    *done = n > 0 ? (DWORD)n : n < 0 && e == EMSGSIZE ? len : 0;
  return n >= 0 ? TRUE : w32_fail(w32_error(-e));
}

/* Starts an overlapped read or write on fd: 0 and in *rc what cport said
 * (below 0: refused, nothing started), or the Win32 error of a call that
 * failed before cport had the op. */
static DWORD file_start(int fd, void *buf, DWORD len, LPOVERLAPPED ov,
                        bool write_side, int *rc_out) {
  uint64_t off = offset_of(ov), lock_off = off;
  if (write_side && off == UINT64_MAX) {
    /* Both 0xFFFFFFFF: write at the end of the file, wherever it is when
     * the write runs (writes still in flight all got the size at their
     * call, and overwrote each other); the locks are checked at the size
     * now. */
    uint64_t size = 0; /* (a socket or a pipe has none: no offset) */
    off = CPORT_FILE_END;
    lock_off = cport_file_size(fd, &size) == 0 ? size : 0;
  }
  if (lock_conflict(fd, ov, lock_off, len, write_side))
    return ERROR_LOCK_VIOLATION; /* at the call: no packet */
  int err = w32_ov_begin(fd, ov);
  if (err != 0)
    return err == W32_BAD_EVENT ? ERROR_INVALID_HANDLE : w32_error(err);
  cport_op_t *op = (cport_op_t *)(void *)ov;
  bool pipe = (w32_fd_flags(fd) & W32_FD_PIPE) != 0;
  if (pipe) /* its result turns a gone other end into the pipe's error */
    w32_ov_tag_pipe(ov, write_side ? W32_TAG_PIPE_WRITE
                        : len > 0  ? W32_TAG_PIPE_READ
                                   : 0);
  int rc = pipe         ? CPORT_EBADF
           : write_side ? cport_write(fd, buf, len, off, op)
                        : cport_read(fd, buf, len, off, op);
  if (rc == CPORT_EBADF && (pipe || is_socket(fd))) {
    /* ReadFile / WriteFile on a socket: a receive or a send. */
    cport_buf_t b = cport_buf_init(buf, len);
    rc = write_side ? cport_send(fd, &b, 1, op) : cport_recv(fd, &b, 1, op);
  }
  w32_ov_end(ov, rc);
  *rc_out = rc;
  return 0;
}

static BOOL file_io(HANDLE h, void *buf, DWORD len, LPDWORD done,
                    LPOVERLAPPED ov, bool write_side) {
  int fd = w32_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  unsigned fd_flags = w32_fd_flags(fd);
  if (fd_flags & W32_FD_DIR) /* the access check, then no such request */
    return w32_fail(
        (fd_flags & (write_side ? W32_FD_DIR_WRITE : W32_FD_DIR_LIST))
            ? ERROR_INVALID_FUNCTION
            : ERROR_ACCESS_DENIED);
  if (fd_flags & W32_FD_PIPE)
    return w32_pipe_io(fd, buf, len, done, ov, write_side);
  if (ov == NULL && !(fd_flags & W32_FD_SYNC) && is_socket(fd))
    return socket_io(fd, buf, len, done, write_side);
  if (ov == NULL || (fd_flags & W32_FD_SYNC))
    return sync_io(fd, buf, len, done, ov, write_side);
  if (done)
    *done = 0;
  int rc = 0;
  DWORD err = file_start(fd, buf, len, ov, write_side, &rc);
  return err != 0 ? w32_fail(err) : w32_started(rc, done);
}

/* ReadFileEx / WriteFileEx: the op's routine runs on this thread at its
 * next alertable wait after the op ends (routines.c), whatever the op's
 * result, once the call has returned TRUE: pending, done or failed later.
 * FALSE, and no routine, for an op refused at the call, or on a handle
 * associated with a port (ERROR_INVALID_PARAMETER, as documented). On a
 * handle opened without FILE_FLAG_OVERLAPPED the call does the I/O,
 * blocking, at the OVERLAPPED's offset, and queues the routine; hEvent
 * stays the program's. An overlapped op carries the layer's routine
 * object in hEvent while it runs (routines.c); the program's value is
 * back before the routine runs. */
static BOOL file_io_ex(HANDLE h, void *buf, DWORD len, LPOVERLAPPED ov,
                       LPOVERLAPPED_COMPLETION_ROUTINE fn, bool write_side) {
  if (ov == NULL || fn == NULL || (buf == NULL && len > 0))
    return w32_fail(ERROR_INVALID_PARAMETER);
  int fd = w32_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  /* "After an instance of an open handle is associated with an I/O
   * completion port, it cannot be used in the ReadFileEx or WriteFileEx
   * function." */
  unsigned fd_flags = w32_fd_flags(fd);
  if (fd_flags & W32_FD_DIR)
    return w32_fail(ERROR_INVALID_FUNCTION);
  if (fd_flags & W32_FD_PORT)
    return w32_fail(ERROR_INVALID_PARAMETER);
  DWORD err = 0;
  if (fd_flags & W32_FD_SYNC) {
    /* Done in the call: the routine is queued now, hEvent untouched. */
    struct w32_object *r = w32_file_routine_new(ov, fn);
    if (r == NULL)
      return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
    HANDLE user_event = ov->hEvent;
    ov->hEvent = NULL; /* ignored: sync_io signals no event */
    BOOL ok = (fd_flags & W32_FD_PIPE)
                  ? w32_pipe_io(fd, buf, len, NULL, ov, write_side)
                  : sync_io(fd, buf, len, NULL, ov, write_side);
    ov->hEvent = user_event;
    err = ok ? 0 : GetLastError();
    w32_routine_queue_now(r, ok);
    if (!ok)
      return w32_fail(err);
    SetLastError(ERROR_SUCCESS);
    return TRUE;
  }
  bool message = false;
  if (fd_flags & W32_FD_PIPE) {
    /* What a pipe's ReadFile would refuse. */
    struct w32_pipe_info pi;
    if (!w32_pipe_info_of(fd, &pi))
      return FALSE;
    err = pi.state_error != 0                          ? pi.state_error
          : !(write_side ? pi.can_write : pi.can_read) ? ERROR_ACCESS_DENIED
                                                       : 0;
    if (err != 0)
      return w32_fail(err);
    message = pi.message;
  }
  if (!w32_file_routine_begin(ov, fn))
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  int rc = 0;
  if (message) {
    /* A message pipe's op, run by the layer (pipes-io.c): pending. */
    if (!w32_pipe_io(fd, buf, len, NULL, ov, write_side) &&
        (err = GetLastError()) != ERROR_IO_PENDING) {
      w32_routine_refused(ov);
      return w32_fail(err);
    }
    SetLastError(ERROR_SUCCESS);
    return TRUE;
  }
  err = file_start(fd, buf, len, ov, write_side, &rc);
  if (err == 0 && rc < 0)
    err = w32_error(rc);
  if (err != 0) {
    w32_routine_refused(ov); /* nothing will queue it */
    return w32_fail(err);
  }
  SetLastError(ERROR_SUCCESS);
  return TRUE;
}

CPORT_API BOOL ReadFileEx(HANDLE h, LPVOID buf, DWORD len, LPOVERLAPPED ov,
                          LPOVERLAPPED_COMPLETION_ROUTINE fn) {
  return file_io_ex(h, buf, len, ov, fn, false);
}

CPORT_API BOOL WriteFileEx(HANDLE h, LPCVOID buf, DWORD len, LPOVERLAPPED ov,
                           LPOVERLAPPED_COMPLETION_ROUTINE fn) {
  return file_io_ex(h, (void *)buf, len, ov, fn, true);
}

/* Both set the count to 0 "before doing any work or error checking"
 * (their pages); a NULL buffer is the memory fault Windows reports for
 * it: ERROR_NOACCESS to read into, ERROR_INVALID_USER_BUFFER to write
 * from. */
CPORT_API BOOL ReadFile(HANDLE h, LPVOID buf, DWORD len, LPDWORD done,
                        LPOVERLAPPED ov) {
  if (done != NULL)
    *done = 0;
  if (buf == NULL && len > 0)
    return w32_fail(ERROR_NOACCESS);
  return file_io(h, buf, len, done, ov, false);
}

CPORT_API BOOL WriteFile(HANDLE h, LPCVOID buf, DWORD len, LPDWORD done,
                         LPOVERLAPPED ov) {
  if (done != NULL)
    *done = 0;
  if (buf == NULL && len > 0)
    return w32_fail(ERROR_INVALID_USER_BUFFER);
  return file_io(h, (void *)buf, len, done, ov, true);
}

/* ------------------------------------------------------------------------ */
/* Size, pointer, end of file                                                */
/* ------------------------------------------------------------------------ */

static bool file_stat(HANDLE h, struct stat *st) {
  int fd = w32_fd(h);
  if (fd < 0 || fstat(fd, st) != 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  return true;
}

CPORT_API DWORD GetFileSize(HANDLE h, LPDWORD high) {
  struct stat st;
  if (!file_stat(h, &st))
    return INVALID_FILE_SIZE;
  uint64_t size = (uint64_t)st.st_size;
  if (high)
    *high = (DWORD)(size >> 32);
  SetLastError(NO_ERROR); /* a size whose low part is 0xFFFFFFFF is no error */
  return (DWORD)size;
}

CPORT_API BOOL GetFileSizeEx(HANDLE h, PLARGE_INTEGER size) {
  struct stat st;
  if (size == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (!file_stat(h, &st))
    return FALSE;
  size->QuadPart = (LONGLONG)st.st_size;
  return TRUE;
}

static bool seek(HANDLE h, int64_t distance, DWORD method, int64_t *pos) {
  int fd = w32_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  int whence = method == FILE_BEGIN     ? SEEK_SET
               : method == FILE_CURRENT ? SEEK_CUR
               : method == FILE_END     ? SEEK_END
                                        : -1;
  if (whence < 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  off_t r = lseek(fd, (off_t)distance, whence);
  if (r < 0)
    return w32_fail(errno == EINVAL ? ERROR_NEGATIVE_SEEK : w32_error(-errno));
  *pos = (int64_t)r;
  return true;
}

CPORT_API DWORD SetFilePointer(HANDLE h, LONG distance, PLONG high,
                               DWORD method) {
  /* With `high`, distance is the low half of a 64-bit distance. */
  int64_t d =
      high ? (int64_t)((uint64_t)(uint32_t)*high << 32 | (uint32_t)distance)
           : (int64_t)distance;
  int64_t pos = 0;
  if (!seek(h, d, method, &pos))
    return INVALID_SET_FILE_POINTER;
  if (high)
    *high = (LONG)(pos >> 32);
  else if (pos > 0xFFFFFFFE)
    return (w32_fail(ERROR_INVALID_PARAMETER), INVALID_SET_FILE_POINTER);
  SetLastError(NO_ERROR);
  return (DWORD)pos;
}

CPORT_API BOOL SetFilePointerEx(HANDLE h, LARGE_INTEGER distance,
                                PLARGE_INTEGER pos, DWORD method) {
  int64_t p = 0;
  if (!seek(h, distance.QuadPart, method, &p))
    return FALSE;
  if (pos)
    pos->QuadPart = p;
  return TRUE;
}

CPORT_API BOOL SetEndOfFile(HANDLE h) {
  int fd = w32_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  off_t here = lseek(fd, 0, SEEK_CUR);
  if (here < 0 || ftruncate(fd, here) != 0)
    return w32_fail(errno == EINVAL || errno == EBADF ? ERROR_ACCESS_DENIED
                                                      : w32_error(-errno));
  return TRUE;
}

CPORT_API BOOL FlushFileBuffers(HANDLE h) {
  int fd = w32_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (w32_fd_flags(fd) & W32_FD_PIPE)
    return w32_pipe_flush(fd);
  /* "The file handle must have the GENERIC_WRITE access right"
   * (FlushFileBuffers page): a handle opened for reading only is refused. */
  if (isatty(fd)) /* "fails if hFile is a handle to the console output" */
    return w32_fail(ERROR_INVALID_HANDLE);
  int fl = fcntl(fd, F_GETFL);
  struct stat st;
  if (fl >= 0 && (fl & O_ACCMODE) == O_RDONLY && fstat(fd, &st) == 0 &&
      (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode)))
    return w32_fail(ERROR_ACCESS_DENIED);
  w32_block_begin();
  int rc = fsync(fd);
  w32_block_end();
  if (rc != 0 && errno != EINVAL) /* EINVAL: a pipe or a console */
    return w32_fail(w32_error(-errno));
  return TRUE;
}

/* The standard handles' numbers given as handles (GetFileType's callers
 * pass (HANDLE)STD_OUTPUT_HANDLE): Windows looks up the handle each
 * names. Either width of the number is taken. */
static HANDLE std_handle_of(HANDLE h) {
  static const DWORD which[] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE,
                                STD_ERROR_HANDLE};
  for (size_t i = 0; i < sizeof(which) / sizeof(which[0]); i++)
    if ((uintptr_t)h == (uintptr_t)which[i] ||
        (uintptr_t)h == (uintptr_t)(intptr_t)(int32_t)which[i])
      return GetStdHandle(which[i]);
  return h;
}

CPORT_API DWORD GetFileType(HANDLE h) {
  h = std_handle_of(h);
  struct stat st;
  if (!file_stat(h, &st))
    return FILE_TYPE_UNKNOWN;
  SetLastError(NO_ERROR);
  if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode))
    return FILE_TYPE_DISK;
  if (S_ISCHR(st.st_mode))
    return FILE_TYPE_CHAR;
  return FILE_TYPE_PIPE; /* pipes and sockets */
}

/* ------------------------------------------------------------------------ */
/* Names: delete, directories, attributes (moves: paths.c)                  */
/* ------------------------------------------------------------------------ */

CPORT_API BOOL DeleteFileA(LPCSTR path) {
  UNIX_PATH(p, path);
  BOOL ok = unlink(p) == 0 ? TRUE : w32_fail(w32_path_error(p, errno));
  free(p);
  return ok;
}

CPORT_API BOOL DeleteFileW(LPCWSTR path) {
  W32_WIDE_PATH(path, DeleteFileA);
}

CPORT_API BOOL CreateDirectoryA(LPCSTR path, LPSECURITY_ATTRIBUTES sa) {
  (void)sa;
  UNIX_PATH(p, path);
  int err = mkdir(p, 0777) == 0 ? 0 : errno;
  free(p);
  if (err == 0)
    return TRUE;
  return w32_fail(err == EEXIST   ? ERROR_ALREADY_EXISTS
                  : err == ENOENT ? ERROR_PATH_NOT_FOUND
                                  : w32_error(-err));
}

static BOOL create_directory_utf8(const char *p) {
  return CreateDirectoryA(p, NULL);
}

CPORT_API BOOL CreateDirectoryW(LPCWSTR path, LPSECURITY_ATTRIBUTES sa) {
  (void)sa;
  W32_WIDE_PATH(path, create_directory_utf8);
}

CPORT_API BOOL RemoveDirectoryA(LPCSTR path) {
  UNIX_PATH(p, path);
  BOOL ok = rmdir(p) == 0 ? TRUE : w32_fail(w32_path_error(p, errno));
  free(p);
  return ok;
}

CPORT_API BOOL RemoveDirectoryW(LPCWSTR path) {
  W32_WIDE_PATH(path, RemoveDirectoryA);
}

/* GetFileAttributesEx's attributes (filesystem.c decides them, for
 * FindFirstFile too): directories, read-only files (no write permission
 * for the owner); a name is never hidden for its leading dot. */
CPORT_API DWORD GetFileAttributesA(LPCSTR path) {
  WIN32_FILE_ATTRIBUTE_DATA d;
  if (!GetFileAttributesExA(path, GetFileExInfoStandard, &d))
    return INVALID_FILE_ATTRIBUTES;
  return d.dwFileAttributes;
}

CPORT_API DWORD GetFileAttributesW(LPCWSTR path) {
  char *p = w32_utf8(path);
  if (p == NULL)
    return INVALID_FILE_ATTRIBUTES;
  DWORD a = GetFileAttributesA(p);
  free(p);
  return a;
}
