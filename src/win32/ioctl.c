/*
 * ioctl.c - DeviceIoControl for the sparse-file controls Windows programs
 * use on their data files (winioctl.h): FSCTL_SET_SPARSE,
 * FSCTL_SET_ZERO_DATA and FSCTL_QUERY_ALLOCATED_RANGES.
 *
 * Linux files are sparse by nature: a range never written, or whose
 * blocks were freed, reads as zeros and takes no space. So setting the
 * sparse flag has nothing to do but check the handle; zeroing a range
 * frees its blocks (FALLOC_FL_PUNCH_HOLE; where the file system cannot,
 * zeros are written, as Windows writes them in a file that is not
 * sparse); and the allocated ranges are the file's data regions
 * (SEEK_DATA / SEEK_HOLE; a file system that cannot say has one region,
 * the whole file, as a file that is not sparse has on Windows).
 *
 * Each control is done in the call. On an overlapped handle with an
 * OVERLAPPED its end is an op's end, as on Windows: Internal and
 * InternalHigh written, hEvent set, and a packet queued unless the
 * handle is in skip-on-success mode and the control succeeded.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "win32.h"

/* What a control needs of the descriptor: 0, or the error. */
static DWORD need_file(int fd, bool write) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    return ERROR_INVALID_FUNCTION; /* a socket, a pipe, a directory */
  int mode = fcntl(fd, F_GETFL);
  if (mode < 0)
    return ERROR_INVALID_HANDLE;
  if (write && (mode & O_ACCMODE) == O_RDONLY)
    return ERROR_ACCESS_DENIED;
  if (!write && (mode & O_ACCMODE) == O_WRONLY)
    return ERROR_ACCESS_DENIED;
  return 0;
}

static DWORD set_sparse(int fd, const void *in, DWORD in_len) {
  (void)in; /* SetSparse TRUE or FALSE: a Linux file is both at once */
  if (in != NULL && in_len > 0 && in_len < sizeof(FILE_SET_SPARSE_BUFFER))
    return ERROR_INVALID_PARAMETER;
  return need_file(fd, true);
}

/* Writes zeros over [from, to) (a file system without hole punching). */
static DWORD write_zeros(int fd, off_t from, off_t to) {
  static const char zeros[65536];
  while (from < to) {
    size_t n = (size_t)(to - from) < sizeof(zeros) ? (size_t)(to - from)
                                                   : sizeof(zeros);
    ssize_t w = pwrite(fd, zeros, n, from);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return w < 0 ? w32_error(-errno) : ERROR_WRITE_FAULT;
    from += w;
  }
  return 0;
}

static DWORD zero_data(int fd, const void *in, DWORD in_len) {
  if (in == NULL || in_len < sizeof(FILE_ZERO_DATA_INFORMATION))
    return ERROR_INVALID_PARAMETER;
  FILE_ZERO_DATA_INFORMATION z;
  memcpy(&z, in, sizeof(z));
  int64_t from = z.FileOffset.QuadPart, to = z.BeyondFinalZero.QuadPart;
  if (from < 0 || to < from)
    return ERROR_INVALID_PARAMETER;
  DWORD err = need_file(fd, true);
  if (err != 0)
    return err;
  /* Only within the file: the control never changes its size. */
  struct stat st;
  if (fstat(fd, &st) != 0)
    return w32_error(-errno);
  if (to > (int64_t)st.st_size)
    to = (int64_t)st.st_size;
  if (from >= to)
    return 0;
  if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)from,
                (off_t)(to - from)) == 0)
    return 0;
  if (errno != EOPNOTSUPP && errno != ENOSYS)
    return w32_error(-errno);
  return write_zeros(fd, (off_t)from, (off_t)to);
}

/* The data regions in [at, end), as many as out holds. */
static DWORD scan_ranges(int fd, int64_t at, int64_t end, void *out,
                         DWORD out_len, DWORD *stored) {
  size_t room = out_len / sizeof(FILE_ALLOCATED_RANGE_BUFFER), n = 0;
  while (at < end) {
    off_t data = lseek(fd, (off_t)at, SEEK_DATA);
    if (data < 0 && errno == ENXIO)
      break; /* only a hole up to the end */
    off_t hole = data < 0 ? -1 : lseek(fd, data, SEEK_HOLE);
    if (data < 0 || hole < 0) {
      if (errno != EINVAL && errno != EOPNOTSUPP)
        return w32_error(-errno);
      data = (off_t)at; /* the file system cannot say: all data */
      hole = (off_t)end;
    }
    if (data >= end)
      break;
    int64_t stop = hole < end ? (int64_t)hole : end;
    if (n == room) {
      *stored = (DWORD)(n * sizeof(FILE_ALLOCATED_RANGE_BUFFER));
      return n == 0 ? ERROR_INSUFFICIENT_BUFFER : ERROR_MORE_DATA;
    }
    FILE_ALLOCATED_RANGE_BUFFER r;
    r.FileOffset.QuadPart = data;
    r.Length.QuadPart = stop - data;
    memcpy((char *)out + n * sizeof(r), &r, sizeof(r));
    n++;
    at = stop;
  }
  *stored = (DWORD)(n * sizeof(FILE_ALLOCATED_RANGE_BUFFER));
  return 0;
}

/* The data regions within the asked range, as many as out holds:
 * *stored the bytes written; ERROR_MORE_DATA if more were left. */
static DWORD allocated_ranges(int fd, const void *in, DWORD in_len, void *out,
                              DWORD out_len, DWORD *stored) {
  if (in == NULL || in_len < sizeof(FILE_ALLOCATED_RANGE_BUFFER))
    return ERROR_INVALID_PARAMETER;
  FILE_ALLOCATED_RANGE_BUFFER q;
  memcpy(&q, in, sizeof(q));
  int64_t at = q.FileOffset.QuadPart, len = q.Length.QuadPart;
  if (at < 0 || len < 0 || len > INT64_MAX - at)
    return ERROR_INVALID_PARAMETER;
  DWORD err = need_file(fd, false);
  if (err != 0)
    return err;
  if (out == NULL && out_len > 0)
    return ERROR_INVALID_PARAMETER;
  struct stat st;
  if (fstat(fd, &st) != 0)
    return w32_error(-errno);
  /* SEEK_DATA and SEEK_HOLE move the descriptor's position: a
   * synchronous handle's file pointer, which the control must leave. */
  off_t pointer = lseek(fd, 0, SEEK_CUR);
  int64_t end = at + len < (int64_t)st.st_size ? at + len : st.st_size;
  err = scan_ranges(fd, at, end, out, out_len, stored);
  if (pointer >= 0)
    (void)lseek(fd, pointer, SEEK_SET);
  return err;
}

CPORT_API BOOL DeviceIoControl(HANDLE h, DWORD code, LPVOID in, DWORD in_len,
                               LPVOID out, DWORD out_len, LPDWORD returned,
                               LPOVERLAPPED ov) {
  int fd = w32_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  bool overlapped = ov != NULL && !(w32_fd_flags(fd) & W32_FD_SYNC);
  if (!overlapped && returned == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER); /* (Windows faults) */
  DWORD n = 0, err;
  switch (code) {
  case FSCTL_SET_SPARSE:
    err = set_sparse(fd, in, in_len);
    break;
  case FSCTL_SET_ZERO_DATA:
    err = zero_data(fd, in, in_len);
    break;
  case FSCTL_QUERY_ALLOCATED_RANGES:
    err = allocated_ranges(fd, in, in_len, out, out_len, &n);
    break;
  default:
    err = ERROR_INVALID_FUNCTION;
  }
  if (returned != NULL)
    *returned = n;
  /* A failure ends here; ERROR_MORE_DATA is a warning, whose end is an
   * op's end too on an overlapped handle (the packet says it). */
  if (err != 0 && err != ERROR_MORE_DATA)
    return w32_fail(err);
  if (overlapped) {
    int rc = w32_ov_done_now(fd, ov, err != 0 ? CPORT_EMSGSIZE : 0, n);
    if (rc != 0)
      return w32_fail(rc == W32_BAD_EVENT ? ERROR_INVALID_HANDLE
                                          : w32_error(rc));
  }
  if (err != 0)
    return w32_fail(err);
  SetLastError(ERROR_SUCCESS);
  return TRUE;
}
