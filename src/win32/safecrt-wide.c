/*
 * safecrt-wide.c - the secure C runtime's wide printf calls (swprintf_s,
 * vswprintf_s, _snwprintf_s, _vsnwprintf_s) and _wfopen_s, beside the
 * narrow ones of safecrt.c and msvcrt.c, with the same rules: Microsoft's
 * format spelling (format.c: %s is a wide string here, %S a narrow one),
 * and where MSVC would call its invalid-parameter handler, which ends
 * the program by default, the error returned as when a handler returns,
 * with errno set and buf[0] = 0 where the documentation says so.
 *
 * The C library's vswprintf returns -1 both for a result that does not
 * fit and for a bad conversion, and leaves the cut result unspecified, so
 * the result is made whole in a memory stream first and copied.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win32.h"

#define FORMAT_ROOM 256

/* The printf forms return -1 on error, with errno and buf[0] = 0. */
static int fail_print(errno_t err, wchar_t *buf, size_t size) {
  if (buf != NULL && size > 0)
    buf[0] = 0;
  errno = err;
  return -1;
}

/* The whole result of a Microsoft format: its length, *out malloc'd (free
 * it); -1 with errno for a bad conversion or no memory. */
static long format_whole(const wchar_t *fmt, va_list ap, wchar_t **out) {
  wchar_t room[FORMAT_ROOM];
  wchar_t *f = w32_format_w(fmt, room, FORMAT_ROOM);
  if (f == NULL) {
    errno = ENOMEM;
    return -1;
  }
  size_t len = 0;
  *out = NULL;
  FILE *s = open_wmemstream(out, &len);
  long n = -1;
  if (s == NULL) {
    errno = ENOMEM;
  } else {
    int rc = vfwprintf(s, f, ap);
    int err = errno;
    if (fclose(s) != 0 && rc >= 0) {
      rc = -1;
      err = ENOMEM;
    }
    n = rc < 0 ? -1 : (long)len;
    errno = rc < 0 ? (err != 0 ? err : EINVAL) : errno;
  }
  if (f != room)
    free(f);
  if (n < 0) {
    free(*out);
    *out = NULL;
  }
  return n;
}

CPORT_API int cport_w32_vswprintf_s(wchar_t *buf, size_t size,
                                    const wchar_t *fmt, va_list ap) {
  if (buf == NULL || fmt == NULL || size == 0)
    return fail_print(EINVAL, buf, size);
  wchar_t *whole;
  long n = format_whole(fmt, ap, &whole);
  if (n < 0)
    return fail_print(errno == ENOMEM ? ENOMEM : EINVAL, buf, size);
  if ((size_t)n >= size) {
    free(whole);
    return fail_print(ERANGE, buf, size);
  }
  memcpy(buf, whole, ((size_t)n + 1) * sizeof(wchar_t));
  free(whole);
  return (int)n;
}

CPORT_API int cport_w32_swprintf_s(wchar_t *buf, size_t size,
                                   const wchar_t *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = cport_w32_vswprintf_s(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

/* At most count characters (count + 1 with the NUL) when that is less
 * than size; a cut there, or by _TRUNCATE, is -1 with the cut string. */
CPORT_API int cport_w32_vsnwprintf_s(wchar_t *buf, size_t size, size_t count,
                                     const wchar_t *fmt, va_list ap) {
  if (buf == NULL && size == 0 && count == 0)
    return 0;
  if (buf == NULL || fmt == NULL || size == 0 || count == 0)
    return fail_print(EINVAL, buf, size);
  bool cut_ok = count == _TRUNCATE || count < size;
  size_t room = count < size ? count + 1 : size;
  wchar_t *whole;
  long n = format_whole(fmt, ap, &whole);
  if (n < 0)
    return fail_print(errno == ENOMEM ? ENOMEM : EINVAL, buf, size);
  if ((size_t)n < room) {
    memcpy(buf, whole, ((size_t)n + 1) * sizeof(wchar_t));
    free(whole);
    return (int)n;
  }
  if (!cut_ok) {
    free(whole);
    return fail_print(ERANGE, buf, size);
  }
  memcpy(buf, whole, (room - 1) * sizeof(wchar_t));
  buf[room - 1] = 0;
  free(whole);
  return -1;
}

CPORT_API int cport_w32_snwprintf_s(wchar_t *buf, size_t size, size_t count,
                                    const wchar_t *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = cport_w32_vsnwprintf_s(buf, size, count, fmt, ap);
  va_end(ap);
  return n;
}

CPORT_API errno_t cport_w32_wfopen_s(FILE **f, const wchar_t *name,
                                     const wchar_t *mode) {
  if (f == NULL || name == NULL || mode == NULL) {
    errno = EINVAL;
    return EINVAL;
  }
  *f = NULL;
  char *n = w32_utf8(name), *m = w32_utf8(mode);
  errno_t err = n == NULL || m == NULL ? ENOMEM : cport_w32_fopen_s(f, n, m);
  free(n);
  free(m);
  return err;
}

/* _snwprintf, _vsnwprintf, _scwprintf, _vscwprintf: as the char forms
 * (safecrt.c), in WCHARs. */
CPORT_API int cport_w32_vsnwprintf(wchar_t *buf, size_t count,
                                   const wchar_t *fmt, va_list ap) {
  if (fmt == NULL || (buf == NULL && count != 0)) {
    errno = EINVAL;
    return -1;
  }
  wchar_t *whole;
  long n = format_whole(fmt, ap, &whole);
  if (n < 0 || n > INT_MAX) {
    free(whole);
    return -1;
  }
  if (buf != NULL) {
    size_t keep = (size_t)n < count ? (size_t)n + 1 : count;
    memcpy(buf, whole, keep * sizeof(wchar_t));
    if ((size_t)n > count)
      n = -1;
  }
  free(whole);
  return (int)n;
}

CPORT_API int cport_w32_snwprintf(wchar_t *buf, size_t count,
                                  const wchar_t *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = cport_w32_vsnwprintf(buf, count, fmt, ap);
  va_end(ap);
  return n;
}

CPORT_API int cport_w32_vscwprintf(const wchar_t *fmt, va_list ap) {
  return cport_w32_vsnwprintf(NULL, 0, fmt, ap);
}

CPORT_API int cport_w32_scwprintf(const wchar_t *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = cport_w32_vsnwprintf(NULL, 0, fmt, ap);
  va_end(ap);
  return n;
}
