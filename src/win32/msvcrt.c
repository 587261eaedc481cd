/*
 * msvcrt.c - the rest of the Microsoft C runtime's secure and
 * Microsoft-only calls that Windows programs use beside windows.h:
 * memcpy_s and memmove_s, strtok_s, _strdup, the wide string copies,
 * fopen_s, the time conversions (localtime_s, gmtime_s, asctime_s,
 * ctime_s), the number formatting of _itoa and _itoa_s and their kin,
 * and printf_s and its kin (Microsoft's format spelling, format.c).
 * sscanf_s has a file of its own (scanf.c). They follow Microsoft's
 * documentation; where MSVC would call its invalid-parameter handler,
 * which ends the program by default, they return the error as they do
 * when a handler returns, with errno set.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "win32.h"

/* The latest time the 64-bit time functions take: 3000-12-31 23:59:59
 * UTC (_MAX__TIME64_T). */
#define MAX_TIME64 32535215999LL

/* asctime's fixed form, "Wed Jan  2 02:03:55 1980\n", and its NUL. */
#define ASCTIME_SIZE 26

static errno_t fail(errno_t err) {
  errno = err;
  return err;
}

/* ------------------------------------------------------------------------ */
/* Memory and strings                                                        */
/* ------------------------------------------------------------------------ */

CPORT_API errno_t cport_w32_memcpy_s(void *dst, size_t size, const void *src,
                                     size_t count) {
  if (count == 0)
    return 0;
  if (dst == NULL)
    return fail(EINVAL);
  if (src == NULL || size < count) {
    memset(dst, 0, size);
    return fail(src == NULL ? EINVAL : ERANGE);
  }
  memcpy(dst, src, count);
  return 0;
}

/* memmove_s leaves the destination as it was on an error. */
CPORT_API errno_t cport_w32_memmove_s(void *dst, size_t size, const void *src,
                                      size_t count) {
  if (count == 0)
    return 0;
  if (dst == NULL || src == NULL)
    return fail(EINVAL);
  if (size < count)
    return fail(ERANGE);
  memmove(dst, src, count);
  return 0;
}

/* strtok_r, with the documented checks: a NULL delimiter set or context,
 * or a NULL string with no token left to continue, is EINVAL. */
CPORT_API char *cport_w32_strtok_s(char *str, const char *delim,
                                   char **context) {
  if (delim == NULL || context == NULL || (str == NULL && *context == NULL)) {
    errno = EINVAL;
    return NULL;
  }
  return strtok_r(str, delim, context);
}

CPORT_API char *cport_w32_strdup(const char *s) {
  if (s == NULL)
    return NULL;
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d == NULL) {
    errno = ENOMEM;
    return NULL;
  }
  return memcpy(d, s, n);
}

CPORT_API wchar_t *cport_w32_wcsdup(const wchar_t *s) {
  if (s == NULL)
    return NULL;
  size_t n = (wcslen(s) + 1) * sizeof(wchar_t);
  wchar_t *d = malloc(n);
  if (d == NULL) {
    errno = ENOMEM;
    return NULL;
  }
  return memcpy(d, s, n);
}

/* The wide copies: strcpy_s and its kin in wchar_t (safecrt.c has the
 * narrow ones, with the same rules). */
static errno_t wide_fail(errno_t err, wchar_t *dst, size_t size, bool reset) {
  if (reset && dst != NULL && size > 0)
    dst[0] = 0;
  return fail(err);
}

CPORT_API errno_t cport_w32_wcscpy_s(wchar_t *dst, size_t size,
                                     const wchar_t *src) {
  if (dst == NULL)
    return wide_fail(EINVAL, dst, size, false);
  if (src == NULL)
    return wide_fail(EINVAL, dst, size, true);
  size_t len = wcsnlen(src, size);
  if (len == size)
    return wide_fail(ERANGE, dst, size, true);
  wmemcpy(dst, src, len + 1);
  return 0;
}

CPORT_API errno_t cport_w32_wcsncpy_s(wchar_t *dst, size_t size,
                                      const wchar_t *src, size_t count) {
  if (dst == NULL || size == 0)
    return wide_fail(EINVAL, dst, size, false);
  if (src == NULL)
    return wide_fail(EINVAL, dst, size, true);
  errno_t ret = 0;
  size_t len;
  if (count == _TRUNCATE) {
    len = wcsnlen(src, size);
    if (len == size) {
      len = size - 1;
      ret = STRUNCATE;
    }
  } else {
    len = wcsnlen(src, count);
    if (len >= size)
      return wide_fail(ERANGE, dst, size, true);
  }
  wmemcpy(dst, src, len);
  dst[len] = 0;
  return ret;
}

CPORT_API errno_t cport_w32_wcscat_s(wchar_t *dst, size_t size,
                                     const wchar_t *src) {
  if (dst == NULL)
    return wide_fail(EINVAL, dst, size, false);
  if (src == NULL)
    return wide_fail(EINVAL, dst, size, true);
  if (size == 0)
    return wide_fail(ERANGE, dst, size, false);
  size_t have = wcsnlen(dst, size);
  if (have == size)
    return wide_fail(EINVAL, dst, size, false);
  size_t len = wcsnlen(src, size - have);
  if (len == size - have)
    return wide_fail(ERANGE, dst, size, true);
  wmemcpy(dst + have, src, len + 1);
  return 0;
}

CPORT_API size_t cport_w32_wcsnlen_s(const wchar_t *s, size_t max) {
  return s != NULL ? wcsnlen(s, max) : 0;
}

/* ------------------------------------------------------------------------ */
/* Files and time                                                            */
/* ------------------------------------------------------------------------ */

/* *f is NULL after a failed open; the error is the open's errno. */
CPORT_API errno_t cport_w32_fopen_s(FILE **f, const char *name,
                                    const char *mode) {
  if (f == NULL || name == NULL || mode == NULL)
    return fail(EINVAL);
  *f = fopen(name, mode);
  if (*f == NULL)
    return errno != 0 ? errno : EINVAL;
  return 0;
}

/* Every field -1: what the time calls leave on an error. */
static errno_t time_fail(struct tm *tm) {
  memset(tm, 0, sizeof(*tm)); /* glibc's tm_zone stays a NULL pointer */
  tm->tm_sec = tm->tm_min = tm->tm_hour = tm->tm_mday = -1;
  tm->tm_mon = tm->tm_year = tm->tm_wday = tm->tm_yday = tm->tm_isdst = -1;
  return fail(EINVAL);
}

static errno_t convert_time(struct tm *tm, const time_t *t, bool local) {
  if (tm == NULL)
    return fail(EINVAL);
  if (t == NULL || *t < 0 || (long long)*t > MAX_TIME64)
    return time_fail(tm);
  struct tm out;
  if ((local ? localtime_r(t, &out) : gmtime_r(t, &out)) == NULL)
    return time_fail(tm);
  *tm = out;
  return 0;
}

CPORT_API errno_t cport_w32_localtime_s(struct tm *tm, const time_t *t) {
  return convert_time(tm, t, true);
}

CPORT_API errno_t cport_w32_gmtime_s(struct tm *tm, const time_t *t) {
  return convert_time(tm, t, false);
}

/* A struct tm asctime_s takes: every field in its range, a year of four
 * digits. */
static bool tm_valid(const struct tm *tm) {
  return tm->tm_sec >= 0 && tm->tm_sec <= 59 && tm->tm_min >= 0 &&
         tm->tm_min <= 59 && tm->tm_hour >= 0 && tm->tm_hour <= 23 &&
         tm->tm_mday >= 1 && tm->tm_mday <= 31 && tm->tm_mon >= 0 &&
         tm->tm_mon <= 11 && tm->tm_wday >= 0 && tm->tm_wday <= 6 &&
         tm->tm_yday >= 0 && tm->tm_yday <= 365 && tm->tm_year >= 0 &&
         tm->tm_year <= 8099;
}

CPORT_API errno_t cport_w32_asctime_s(char *buf, size_t size,
                                      const struct tm *tm) {
  static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed",
                                  "Thu", "Fri", "Sat"};
  static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (buf == NULL || size == 0)
    return fail(EINVAL);
  buf[0] = 0;
  if (size < ASCTIME_SIZE || tm == NULL || !tm_valid(tm))
    return fail(EINVAL);
  snprintf(buf, size, "%s %s %2d %02d:%02d:%02d %4d\n", days[tm->tm_wday],
           months[tm->tm_mon], tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec,
           tm->tm_year + 1900);
  return 0;
}

CPORT_API errno_t cport_w32_ctime_s(char *buf, size_t size, const time_t *t) {
  if (buf == NULL || size == 0)
    return fail(EINVAL);
  buf[0] = 0;
  if (size < ASCTIME_SIZE || t == NULL)
    return fail(EINVAL);
  struct tm tm;
  errno_t err = cport_w32_localtime_s(&tm, t);
  if (err != 0)
    return err;
  return cport_w32_asctime_s(buf, size, &tm);
}

/* ------------------------------------------------------------------------ */
/* Numbers as text                                                           */
/* ------------------------------------------------------------------------ */

/* The digits of v in radix 2 to 36, lower-case, '-' first when negative
 * is set: into buf (size characters, NUL included), or ERANGE with
 * buf[0] = 0 when they do not fit. */
static errno_t format_number(unsigned long long v, bool negative, char *buf,
                             size_t size, int radix) {
  if (buf == NULL || size == 0)
    return fail(EINVAL);
  buf[0] = 0;
  if (radix < 2 || radix > 36)
    return fail(EINVAL);
  char digits[72];
  size_t n = 0;
  do {
    unsigned d = (unsigned)(v % (unsigned)radix);
    digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    v /= (unsigned)radix;
  } while (v != 0);
  size_t need = n + (negative ? 1 : 0) + 1;
  if (need > size)
    return fail(ERANGE);
  size_t at = 0;
  if (negative)
    buf[at++] = '-';
  while (n > 0)
    buf[at++] = digits[--n];
  buf[at] = 0;
  return 0;
}

/* Signed values: a minus sign in radix 10 only; other radices show the
 * two's complement of the value's own width. */
#define SIGNED_TO_TEXT(value, utype, buf, size, radix)                      \
  ((radix) == 10 && (value) < 0                                             \
       ? format_number(0ull - (unsigned long long)(value), true, buf, size, \
                       radix)                                               \
       : format_number((utype)(value), false, buf, size, radix))

CPORT_API errno_t cport_w32_i64toa_s(long long value, char *buf, size_t size,
                                     int radix) {
  return SIGNED_TO_TEXT(value, unsigned long long, buf, size, radix);
}

CPORT_API errno_t cport_w32_ui64toa_s(unsigned long long value, char *buf,
                                      size_t size, int radix) {
  return format_number(value, false, buf, size, radix);
}

CPORT_API errno_t cport_w32_itoa_s(int value, char *buf, size_t size,
                                   int radix) {
  return SIGNED_TO_TEXT(value, unsigned, buf, size, radix);
}

/* A long is 32 bits on Windows: a negative one that fits in 32 bits is
 * written in a radix other than 10 as those 32 bits, so a buffer sized
 * for Windows holds it ("ffffffff" for -1 in hexadecimal). */
CPORT_API errno_t cport_w32_ltoa_s(long value, char *buf, size_t size,
                                   int radix) {
  if (radix != 10 && value < 0 && value >= INT32_MIN)
    return format_number((uint32_t)value, false, buf, size, radix);
  return SIGNED_TO_TEXT(value, unsigned long, buf, size, radix);
}

CPORT_API errno_t cport_w32_ultoa_s(unsigned long value, char *buf, size_t size,
                                    int radix) {
  return format_number(value, false, buf, size, radix);
}

/* The unbounded forms: the caller's buffer is taken to hold the longest
 * result (65 characters in radix 2 with a 64-bit value, 33 for 32 bits).
 * They return buf whatever happens, as documented ("no error return"); a
 * bad radix leaves it empty, with errno EINVAL. */
#define UNBOUNDED(bits) ((size_t)(bits) + 2)

CPORT_API int cport_w32_fileno(FILE *f) {
  if (f == NULL) {
    errno = EINVAL;
    return -1;
  }
  return fileno(f);
}

CPORT_API char *cport_w32_itoa(int value, char *buf, int radix) {
  cport_w32_itoa_s(value, buf, UNBOUNDED(sizeof(int) * 8), radix);
  return buf;
}

CPORT_API char *cport_w32_ltoa(long value, char *buf, int radix) {
  cport_w32_ltoa_s(value, buf, UNBOUNDED(sizeof(long) * 8), radix);
  return buf;
}

CPORT_API char *cport_w32_ultoa(unsigned long value, char *buf, int radix) {
  cport_w32_ultoa_s(value, buf, UNBOUNDED(sizeof(long) * 8), radix);
  return buf;
}

CPORT_API char *cport_w32_i64toa(long long value, char *buf, int radix) {
  cport_w32_i64toa_s(value, buf, UNBOUNDED(64), radix);
  return buf;
}

CPORT_API char *cport_w32_ui64toa(unsigned long long value, char *buf,
                                  int radix) {
  cport_w32_ui64toa_s(value, buf, UNBOUNDED(64), radix);
  return buf;
}

/* ------------------------------------------------------------------------ */
/* printf_s                                                                  */
/* ------------------------------------------------------------------------ */

CPORT_API int cport_w32_vfprintf_s(FILE *f, const char *fmt, va_list ap) {
  if (f == NULL || fmt == NULL) {
    errno = EINVAL;
    return -1;
  }
  char room[256];
  char *spelled = w32_format_a(fmt, room, sizeof(room));
  if (spelled == NULL) {
    errno = ENOMEM;
    return -1;
  }
  int n = vfprintf(f, spelled, ap);
  if (spelled != room)
    free(spelled);
  return n;
}

CPORT_API int cport_w32_fprintf_s(FILE *f, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = cport_w32_vfprintf_s(f, fmt, ap);
  va_end(ap);
  return n;
}

CPORT_API int cport_w32_vprintf_s(const char *fmt, va_list ap) {
  return cport_w32_vfprintf_s(stdout, fmt, ap);
}

CPORT_API int cport_w32_printf_s(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = cport_w32_vfprintf_s(stdout, fmt, ap);
  va_end(ap);
  return n;
}

/* ------------------------------------------------------------------------ */
/* _splitpath_s                                                              */
/* ------------------------------------------------------------------------ */

/* One part into its buffer: 0; ERANGE when it does not fit; EINVAL for a
 * buffer and a size that disagree. A NULL buffer with size 0 skips it. */
static errno_t put_part(char *out, size_t size, const char *from, size_t n) {
  if (out == NULL)
    return size == 0 ? 0 : EINVAL;
  if (size == 0)
    return EINVAL;
  if (n >= size)
    return ERANGE;
  memcpy(out, from, n);
  out[n] = '\0';
  return 0;
}

/* Windows' rules: a drive is "X:" at the start (its length in *d); the
 * directory runs to the last '\\' or '/', with it (*slash just past it);
 * the extension from the last '.' after that (*dot, or *len if none); the
 * name between. */
static void split_points(const char *path, size_t *len, size_t *d,
                         size_t *slash, size_t *dot) {
  *len = strlen(path);
  *d = *len >= 2 && path[1] == ':' ? 2 : 0;
  *slash = *d;
  for (size_t i = *d; i < *len; i++)
    if (path[i] == '\\' || path[i] == '/')
      *slash = i + 1;
  *dot = *len;
  for (size_t i = *len; i > *slash; i--)
    if (path[i - 1] == '.') {
      *dot = i - 1;
      break;
    }
}

/* split_points' parts, each into its buffer. On any error every buffer
 * given is emptied. */
CPORT_API errno_t cport_w32_splitpath_s(const char *path, char *drive,
                                        size_t drive_size, char *dir,
                                        size_t dir_size, char *fname,
                                        size_t fname_size, char *ext,
                                        size_t ext_size) {
  errno_t err = 0;
  if (path == NULL) {
    err = EINVAL;
  } else {
    size_t len, d, slash, dot;
    split_points(path, &len, &d, &slash, &dot);
    errno_t e[4] = {put_part(drive, drive_size, path, d),
                    put_part(dir, dir_size, path + d, slash - d),
                    put_part(fname, fname_size, path + slash, dot - slash),
                    put_part(ext, ext_size, path + dot, len - dot)};
    for (int i = 0; i < 4 && err == 0; i++)
      err = e[i];
  }
  if (err != 0) {
    char *bufs[4] = {drive, dir, fname, ext};
    size_t sizes[4] = {drive_size, dir_size, fname_size, ext_size};
    for (int i = 0; i < 4; i++)
      if (bufs[i] != NULL && sizes[i] > 0)
        bufs[i][0] = '\0';
    return fail(err);
  }
  return 0;
}

/* The part of path between from and from + n into out, cut to size. */
static void put_cut(char *out, size_t size, const char *from, size_t n) {
  if (out == NULL)
    return;
  if (n >= size)
    n = size - 1;
  memcpy(out, from, n);
  out[n] = '\0';
}

CPORT_API void cport_w32_splitpath(const char *path, char *drive, char *dir,
                                   char *fname, char *ext) {
  if (path == NULL) {
    (void)fail(EINVAL);
    return;
  }
  size_t len, d, slash, dot;
  split_points(path, &len, &d, &slash, &dot);
  put_cut(drive, _MAX_DRIVE, path, d);
  put_cut(dir, _MAX_DIR, path + d, slash - d);
  put_cut(fname, _MAX_FNAME, path + slash, dot - slash);
  put_cut(ext, _MAX_EXT, path + dot, len - dot);
}
