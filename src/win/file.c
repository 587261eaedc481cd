/*
 * file.c - files and TransmitFile on Windows: CreateFileW with
 * FILE_FLAG_OVERLAPPED, ReadFile/WriteFile at OVERLAPPED.Offset/OffsetHigh,
 * TransmitFile with TRANSMIT_FILE_BUFFERS.
 */
#include <stdlib.h>
#include <string.h>

#include "win.h"

#define CP_STATUS_END_OF_FILE 0xC0000011u

/* UTF-8 path to a new wide string (free it), NULL if it is not UTF-8. */
static wchar_t *wide(const char *s) {
  int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
  if (n <= 0)
    return NULL;
  wchar_t *w = malloc((size_t)n * sizeof(wchar_t));
  if (w != NULL)
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
  return w;
}

CPORT_API int cport_file_open(const char *path, unsigned flags,
                              cport_handle_t *out) {
  if (path == NULL || out == NULL || cp_check_file_flags(flags) != 0)
    return CPORT_EINVAL;
  wchar_t *w = wide(path);
  if (w == NULL)
    return CPORT_EINVAL;
  DWORD attrs = GetFileAttributesW(w);
  if (attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY)) {
    free(w);
    return CPORT_EISDIR;
  }
  DWORD access = 0;
  if (flags & CPORT_FILE_READ)
    access |= GENERIC_READ;
  if (flags & CPORT_FILE_WRITE)
    access |= (flags & CPORT_FILE_APPEND) ? FILE_APPEND_DATA : GENERIC_WRITE;
  DWORD disp = OPEN_EXISTING;
  if ((flags & CPORT_FILE_CREATE) && (flags & CPORT_FILE_EXCL))
    disp = CREATE_NEW;
  else if ((flags & CPORT_FILE_CREATE) && (flags & CPORT_FILE_TRUNCATE))
    disp = CREATE_ALWAYS;
  else if (flags & CPORT_FILE_CREATE)
    disp = OPEN_ALWAYS;
  else if (flags & CPORT_FILE_TRUNCATE)
    disp = TRUNCATE_EXISTING;
  SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, FALSE}; /* not inherited */
  HANDLE h = CreateFileW(
      w, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &sa,
      disp, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OVERLAPPED, NULL);
  free(w);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD err = GetLastError();
    return err == ERROR_FILE_EXISTS ? CPORT_EEXIST : cp_win_error(err);
  }
  struct cp_whandle e;
  memset(&e, 0, sizeof(e));
  e.h = (uintptr_t)h;
  e.flags = CP_WH_FILE;
  if (!(flags & CPORT_FILE_READ))
    e.flags |= CP_WH_NO_READ;
  if (!(flags & CPORT_FILE_WRITE))
    e.flags |= CP_WH_NO_WRITE;
  if (flags & CPORT_FILE_APPEND)
    e.flags |= CP_WH_APPEND;
  int rc = cp_wh_add(&e);
  if (rc != 0) {
    CloseHandle(h);
    return rc;
  }
  *out = (cport_handle_t)h;
  return 0;
}

CPORT_API int cport_file_close(cport_handle_t f) {
  struct cp_whandle e;
  if (!cp_wh_get(f, &e) || !(e.flags & CP_WH_FILE))
    return CPORT_EBADF;
  cp_wh_remove(f);
  /* Ops in flight go on: each keeps the file open, and completes. */
  return CloseHandle((HANDLE)f) ? 0 : cp_win_error(GetLastError());
}

CPORT_API int cport_file_size(cport_handle_t f, uint64_t *size) {
  LARGE_INTEGER li;
  if (size == NULL)
    return CPORT_EINVAL;
  if (GetFileType((HANDLE)f) != FILE_TYPE_DISK) /* a socket or a pipe */
    return CPORT_EBADF;
  BY_HANDLE_FILE_INFORMATION info; /* a directory: no size, as on Linux */
  if (!GetFileInformationByHandle((HANDLE)f, &info) ||
      (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ||
      !GetFileSizeEx((HANDLE)f, &li))
    return CPORT_EBADF;
  *size = (uint64_t)li.QuadPart;
  return 0;
}

static int file_op(cport_handle_t f, bool read, const void *buf, uint32_t len,
                   uint64_t off, cport_op_t *op) {
  int rc = cp_check_file_io(op, buf, len, off, !read);
  if (rc != 0)
    return rc;
  struct cp_whandle e;
  if (!cp_wh_get(f, &e) || !(e.flags & CP_WH_FILE))
    return CPORT_EBADF;
  if (e.port == NULL) /* not associated, or its port closed */
    return (e.flags & CP_WH_PORT_GONE) ? CPORT_ECLOSED : CPORT_EINVAL;
  if (e.flags & (read ? CP_WH_NO_READ : CP_WH_NO_WRITE))
    return CPORT_EACCES;
  if ((rc = cp_wop_start(&e, op, read ? CP_W_READ : CP_W_WRITE)) != 0)
    return rc;
  if (!read && (e.flags & CP_WH_APPEND))
    off = UINT64_MAX; /* 0xFFFFFFFF:0xFFFFFFFF: write at the end */
  op->u.off.offset = (uint32_t)off;
  op->u.off.offset_high = (uint32_t)(off >> 32);
  BOOL ok = read ? ReadFile((HANDLE)f, (void *)buf, len, NULL, (LPOVERLAPPED)op)
                 : WriteFile((HANDLE)f, buf, len, NULL, (LPOVERLAPPED)op);
  DWORD err = ok ? 0 : GetLastError();
  if (!ok && err == ERROR_HANDLE_EOF) {
    /* The end of the file may be reported at once, with no packet: post
     * it, so it arrives as it does everywhere else. */
    op->internal = CP_STATUS_END_OF_FILE;
    op->internal_high = 0;
    return cp_win_post_started(&e, 0, op);
  }
  return cp_win_started(&e, op, ok, (int)err);
}

CPORT_API int cport_read(cport_handle_t f, void *buf, uint32_t len,
                         uint64_t off, cport_op_t *op) {
  return file_op(f, true, buf, len, off, op);
}

CPORT_API int cport_write(cport_handle_t f, const void *buf, uint32_t len,
                          uint64_t off, cport_op_t *op) {
  return file_op(f, false, buf, len, off, op);
}

CPORT_API int cport_transmit_file(cport_handle_t s, cport_handle_t f,
                                  uint64_t off, uint32_t len,
                                  const cport_buf_t *head,
                                  const cport_buf_t *tail, unsigned flags,
                                  cport_op_t *op) {
  int rc = cp_check_transmit(op, head, len, tail, flags);
  if (rc != 0)
    return rc;
  LARGE_INTEGER size;
  size.QuadPart = 0;
  if (f != CPORT_INVALID_HANDLE && !GetFileSizeEx((HANDLE)f, &size))
    return CPORT_EBADF; /* (no file: head and tail only) */
  struct cp_whandle e;
  if ((rc = cp_win_lookup_stream_peer(s, &e)) != 0)
    return rc;
  if (e.flags & CP_WH_SHUT)
    return CPORT_ESHUTDOWN;
  /* TransmitFile takes at most 2^31 - 2 bytes at once. */
  len = cp_transmit_span(off, len, (uint64_t)size.QuadPart, CP_TRANSMIT_MAX);
  if ((rc = cp_check_transmit_total(head, len, tail)) != 0)
    return rc;
  const struct cp_winsock *ws = cp_winsock(&rc);
  if ((rc = cp_wop_start(&e, op, CP_W_TRANSMIT)) != 0)
    return rc;
  op->u.off.offset = (uint32_t)off;
  op->u.off.offset_high = (uint32_t)(off >> 32);
  /* TransmitFile reads the buffers' description while it runs: keep it
   * in the op. */
  _Static_assert(sizeof(TRANSMIT_FILE_BUFFERS) <= sizeof(cp_wop(op)->aux),
                 "TRANSMIT_FILE_BUFFERS fits in the op");
  TRANSMIT_FILE_BUFFERS *tfb = (TRANSMIT_FILE_BUFFERS *)(void *)cp_wop(op)->aux;
  memset(tfb, 0, sizeof(*tfb));
  if (head) {
    tfb->Head = head->base;
    tfb->HeadLength = head->len;
  }
  if (tail) {
    tfb->Tail = tail->base;
    tfb->TailLength = tail->len;
  }
  /* With nothing to send (an empty file, no head, no tail) TransmitFile
   * still completes; len 0 would mean "the whole file" to it, so an empty
   * range sends the head and tail only. */
  cp_wop(op)->pad = (uint16_t)flags; /* TF_DISCONNECT: shut when done */
  BOOL ok = ws->TransmitFile((SOCKET)s, len == 0 ? NULL : (HANDLE)f, len, 0,
                             (LPOVERLAPPED)op, tfb,
                             (flags & CPORT_TF_DISCONNECT) ? TF_DISCONNECT : 0);
  return cp_win_started(&e, op, ok, ok ? 0 : WSAGetLastError());
}
