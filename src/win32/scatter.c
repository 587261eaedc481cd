/*
 * scatter.c - ReadFileScatter and WriteFileGather: one overlapped op that
 * reads or writes a run of an unbuffered file through an array of
 * page-sized buffers, as Windows documents them.
 *
 * cport's file ops take one buffer, so the op is one the layer carries out
 * itself (layer-ops.c): started in cport as an external op (Internal
 * pending, the event held, the packet's room reserved on the handle's
 * port), run on the handle's read or write lane by a runner thread with
 * preadv / pwritev over the segments, and ended through cport like any
 * op (Internal, InternalHigh, the event, the packet).
 *
 * The checks are the documented ones: an OVERLAPPED is required and
 * lpReserved must be NULL; the handle must have been opened with
 * FILE_FLAG_OVERLAPPED and FILE_FLAG_NO_BUFFERING (ERROR_INVALID_PARAMETER
 * otherwise) and with the access the call needs (ERROR_ACCESS_DENIED).
 * A read that starts at or after the end of the file fails with
 * ERROR_HANDLE_EOF. The segment array is read when the op runs: it must
 * stay valid until the op ends, as its buffers must. Each segment holds
 * one page (GetSystemInfo's dwPageSize) of the run, the last one what is
 * left.
 */
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "win32.h"

#define SG_BATCH 64 /* segments per system call */

struct sg_op {
  int fd;
  bool write_side;
  const FILE_SEGMENT_ELEMENT *seg;
  size_t len;
  uint64_t off;
};

static size_t page_size(void) {
  long p = sysconf(_SC_PAGESIZE);
  return p > 0 ? (size_t)p : 4096;
}

/* The segments from byte `at` of the run, up to SG_BATCH: how many, and
 * their bytes in *sum. */
static int gather(const struct sg_op *o, size_t at, struct iovec *v,
                  size_t *sum) {
  size_t page = page_size();
  int k = 0;
  *sum = 0;
  while (k < SG_BATCH && at + *sum < o->len) {
    size_t pos = at + *sum, left = o->len - pos;
    size_t in_page = page - pos % page;
    v[k].iov_base = (char *)(uintptr_t)o->seg[pos / page].Buffer + pos % page;
    v[k].iov_len = left < in_page ? left : in_page;
    *sum += v[k].iov_len;
    k++;
  }
  return k;
}

static int sg_step(void *ctx, int *wait_fd, short *events, size_t *bytes) {
  struct sg_op *o = ctx;
  *wait_fd = o->fd;
  *events = o->write_side ? POLLOUT : POLLIN;
  size_t done = 0;
  while (done < o->len) {
    struct iovec v[SG_BATCH];
    size_t sum;
    int k = gather(o, done, v, &sum);
    off_t at = (off_t)(o->off + done);
    ssize_t r =
        o->write_side ? pwritev(o->fd, v, k, at) : preadv(o->fd, v, k, at);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      if (done > 0)
        break;
      *bytes = 0;
      return -errno;
    }
    done += (size_t)r;
    if ((size_t)r < sum)
      break; /* the end of the file (a read), or a full disk (a write) */
  }
  *bytes = done;
  if (!o->write_side && done == 0 && o->len > 0)
    return CPORT_EOF; /* ERROR_HANDLE_EOF */
  return 0;
}

static BOOL scatter_gather(HANDLE h, FILE_SEGMENT_ELEMENT *seg, DWORD len,
                           LPDWORD reserved, LPOVERLAPPED ov, bool write_side) {
  int fd = w32_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (ov == NULL || reserved != NULL || (seg == NULL && len > 0))
    return w32_fail(ERROR_INVALID_PARAMETER);
  unsigned flags = w32_fd_flags(fd);
  if ((flags & W32_FD_SYNC) || !(flags & W32_FD_NOBUF))
    return w32_fail(ERROR_INVALID_PARAMETER);
  int mode = fcntl(fd, F_GETFL);
  if (mode < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  int acc = mode & O_ACCMODE;
  if (write_side ? acc == O_RDONLY : acc == O_WRONLY)
    return w32_fail(ERROR_ACCESS_DENIED);
  int b = w32_ov_begin(fd, ov);
  if (b != 0)
    return w32_fail(b == W32_BAD_EVENT ? ERROR_INVALID_HANDLE : w32_error(b));
  struct sg_op o = {fd, write_side, seg, len,
                    (uint64_t)ov->Offset | (uint64_t)ov->OffsetHigh << 32};
  int rc = w32_lop_start(fd, ov, write_side ? W32_LANE_WRITE : W32_LANE_READ,
                         sg_step, &o, sizeof(o));
  w32_ov_end(ov, rc);
  /* Pending even when it could end now: it ends on its lane. */
  return w32_fail(rc < 0 ? w32_error(rc) : ERROR_IO_PENDING);
}

CPORT_API BOOL ReadFileScatter(HANDLE h, FILE_SEGMENT_ELEMENT *seg, DWORD len,
                               LPDWORD reserved, LPOVERLAPPED ov) {
  return scatter_gather(h, seg, len, reserved, ov, false);
}

CPORT_API BOOL WriteFileGather(HANDLE h, FILE_SEGMENT_ELEMENT *seg, DWORD len,
                               LPDWORD reserved, LPOVERLAPPED ov) {
  return scatter_gather(h, seg, len, reserved, ov, true);
}
