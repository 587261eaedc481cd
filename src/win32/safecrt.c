/*
 * safecrt.c - the bounded string calls Windows programs use beside
 * windows.h: strsafe.h's StringCch* / StringCb* (A and W; HRESULT
 * results, the destination always ends with a NUL, a result that does
 * not fit is cut) and the narrow calls of MSVC's secure C runtime
 * (strcpy_s, strncpy_s, strcat_s, strnlen_s, sprintf_s, _snprintf_s and
 * their va_list forms; errno_t results). They follow Microsoft's
 * documentation, and Windows' strsafe.h where that says nothing (what a
 * failed call leaves in the destination). Where MSVC would call its
 * invalid-parameter handler, which ends the program by default, the
 * secure calls return the error as they do when a handler returns.
 */
#include <stdio.h>

#include "win32.h"

/* ------------------------------------------------------------------------ */
/* strsafe.h                                                                 */
/* ------------------------------------------------------------------------ */

/* What STRSAFE_MAX_CCH allows as a size, and as a count to copy. */
#define MAX_CCH ((size_t)STRSAFE_MAX_CCH)
#define MAX_LENGTH (MAX_CCH - 1)

/* Copies at most n characters of s, up to its NUL, into d of cch (>= 1)
 * characters and ends it: S_OK, or STRSAFE_E_INSUFFICIENT_BUFFER with the
 * cch - 1 that fit. The A and W forms share it through these macros. */
#define COPY_WORKER(name, T)                                    \
  static HRESULT name(T *d, size_t cch, const T *s, size_t n) { \
    size_t i = 0;                                               \
    while (i < cch && i < n && s[i] != 0) {                     \
      d[i] = s[i];                                              \
      i++;                                                      \
    }                                                           \
    if (i == cch) {                                             \
      d[cch - 1] = 0;                                           \
      return STRSAFE_E_INSUFFICIENT_BUFFER;                     \
    }                                                           \
    d[i] = 0;                                                   \
    return S_OK;                                                \
  }
COPY_WORKER(copy_a, char)
COPY_WORKER(copy_w, WCHAR)

/* The length of s if it has a NUL within cch characters. */
#define LENGTH_WORKER(name, T)                               \
  static HRESULT name(const T *s, size_t cch, size_t *len) { \
    size_t i = 0;                                            \
    if (s == NULL || cch > MAX_CCH) {                        \
      i = cch = 0;                                           \
    } else {                                                 \
      while (i < cch && s[i] != 0)                           \
        i++;                                                 \
    }                                                        \
    if (len != NULL)                                         \
      *len = i < cch ? i : 0;                                \
    return i < cch ? S_OK : STRSAFE_E_INVALID_PARAMETER;     \
  }
LENGTH_WORKER(length_a, char)
LENGTH_WORKER(length_w, WCHAR)

static bool bad_size(size_t cch) {
  return cch == 0 || cch > MAX_CCH;
}

static HRESULT copy_n_a(LPSTR d, size_t cch, LPCSTR s, size_t n) {
  if (bad_size(cch) || n > MAX_LENGTH) {
    if (cch != 0)
      d[0] = 0;
    return STRSAFE_E_INVALID_PARAMETER;
  }
  return copy_a(d, cch, s, n);
}
static HRESULT copy_n_w(LPWSTR d, size_t cch, LPCWSTR s, size_t n) {
  if (bad_size(cch) || n > MAX_LENGTH) {
    if (cch != 0)
      d[0] = 0;
    return STRSAFE_E_INVALID_PARAMETER;
  }
  return copy_w(d, cch, s, n);
}

/* The destination must hold a string within cch: what it holds stays. */
static HRESULT cat_a(LPSTR d, size_t cch, LPCSTR s) {
  size_t len;
  if (bad_size(cch) || FAILED(length_a(d, cch, &len)))
    return STRSAFE_E_INVALID_PARAMETER;
  return copy_a(d + len, cch - len, s, MAX_LENGTH);
}
static HRESULT cat_w(LPWSTR d, size_t cch, LPCWSTR s) {
  size_t len;
  if (bad_size(cch) || FAILED(length_w(d, cch, &len)))
    return STRSAFE_E_INVALID_PARAMETER;
  return copy_w(d + len, cch - len, s, MAX_LENGTH);
}

/* vsnprintf returns the whole length, so a cut result is seen as such; a
 * format or encoding error leaves an empty string (Windows: whatever its
 * printf wrote before it stopped). */
/* Room for most formats' translation (format.c) on the stack. */
#define FORMAT_ROOM 256

static HRESULT vprintf_a(LPSTR d, size_t cch, LPCSTR fmt, va_list ap) {
  if (bad_size(cch)) {
    if (cch != 0)
      d[0] = 0;
    return STRSAFE_E_INVALID_PARAMETER;
  }
  char room[FORMAT_ROOM];
  char *f = w32_format_a(fmt, room, sizeof(room));
  if (f == NULL) {
    d[0] = 0;
    return STRSAFE_E_INSUFFICIENT_BUFFER;
  }
  int n = vsnprintf(d, cch, f, ap);
  if (f != room)
    free(f);
  if (n < 0) {
    d[0] = 0;
    return STRSAFE_E_INSUFFICIENT_BUFFER;
  }
  return (size_t)n < cch ? S_OK : STRSAFE_E_INSUFFICIENT_BUFFER;
}

/* vswprintf returns -1 for a result that does not fit, having written
 * the cch - 1 characters that do without their NUL: ended here, as
 * Windows' strsafe.h ends what _vsnwprintf left. */
static HRESULT vprintf_w(LPWSTR d, size_t cch, LPCWSTR fmt, va_list ap) {
  if (bad_size(cch)) {
    if (cch != 0)
      d[0] = 0;
    return STRSAFE_E_INVALID_PARAMETER;
  }
  wchar_t room[FORMAT_ROOM];
  wchar_t *f = w32_format_w(fmt, room, FORMAT_ROOM);
  if (f == NULL) {
    d[0] = 0;
    return STRSAFE_E_INSUFFICIENT_BUFFER;
  }
  int n = vswprintf(d, cch, f, ap);
  if (f != room)
    free(f);
  if (n < 0) {
    d[cch - 1] = 0;
    return STRSAFE_E_INSUFFICIENT_BUFFER;
  }
  return S_OK;
}

CPORT_API HRESULT StringCchCopyA(LPSTR d, size_t cch, LPCSTR s) {
  return copy_n_a(d, cch, s, MAX_LENGTH);
}
CPORT_API HRESULT StringCchCopyW(LPWSTR d, size_t cch, LPCWSTR s) {
  return copy_n_w(d, cch, s, MAX_LENGTH);
}
CPORT_API HRESULT StringCbCopyA(LPSTR d, size_t cb, LPCSTR s) {
  return copy_n_a(d, cb, s, MAX_LENGTH);
}
CPORT_API HRESULT StringCbCopyW(LPWSTR d, size_t cb, LPCWSTR s) {
  return copy_n_w(d, cb / sizeof(WCHAR), s, MAX_LENGTH);
}

CPORT_API HRESULT StringCchCopyNA(LPSTR d, size_t cch, LPCSTR s, size_t n) {
  return copy_n_a(d, cch, s, n);
}
CPORT_API HRESULT StringCchCopyNW(LPWSTR d, size_t cch, LPCWSTR s, size_t n) {
  return copy_n_w(d, cch, s, n);
}
CPORT_API HRESULT StringCbCopyNA(LPSTR d, size_t cb, LPCSTR s, size_t n) {
  return copy_n_a(d, cb, s, n);
}
CPORT_API HRESULT StringCbCopyNW(LPWSTR d, size_t cb, LPCWSTR s, size_t n) {
  return copy_n_w(d, cb / sizeof(WCHAR), s, n / sizeof(WCHAR));
}

CPORT_API HRESULT StringCchCatA(LPSTR d, size_t cch, LPCSTR s) {
  return cat_a(d, cch, s);
}
CPORT_API HRESULT StringCchCatW(LPWSTR d, size_t cch, LPCWSTR s) {
  return cat_w(d, cch, s);
}
CPORT_API HRESULT StringCbCatA(LPSTR d, size_t cb, LPCSTR s) {
  return cat_a(d, cb, s);
}
CPORT_API HRESULT StringCbCatW(LPWSTR d, size_t cb, LPCWSTR s) {
  return cat_w(d, cb / sizeof(WCHAR), s);
}

CPORT_API HRESULT StringCchPrintfA(LPSTR d, size_t cch, LPCSTR fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  HRESULT hr = vprintf_a(d, cch, fmt, ap);
  va_end(ap);
  return hr;
}
CPORT_API HRESULT StringCchPrintfW(LPWSTR d, size_t cch, LPCWSTR fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  HRESULT hr = vprintf_w(d, cch, fmt, ap);
  va_end(ap);
  return hr;
}
CPORT_API HRESULT StringCbPrintfA(LPSTR d, size_t cb, LPCSTR fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  HRESULT hr = vprintf_a(d, cb, fmt, ap);
  va_end(ap);
  return hr;
}
CPORT_API HRESULT StringCbPrintfW(LPWSTR d, size_t cb, LPCWSTR fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  HRESULT hr = vprintf_w(d, cb / sizeof(WCHAR), fmt, ap);
  va_end(ap);
  return hr;
}
CPORT_API HRESULT StringCchVPrintfA(LPSTR d, size_t cch, LPCSTR fmt,
                                    va_list ap) {
  return vprintf_a(d, cch, fmt, ap);
}
CPORT_API HRESULT StringCchVPrintfW(LPWSTR d, size_t cch, LPCWSTR fmt,
                                    va_list ap) {
  return vprintf_w(d, cch, fmt, ap);
}
CPORT_API HRESULT StringCbVPrintfA(LPSTR d, size_t cb, LPCSTR fmt, va_list ap) {
  return vprintf_a(d, cb, fmt, ap);
}
CPORT_API HRESULT StringCbVPrintfW(LPWSTR d, size_t cb, LPCWSTR fmt,
                                   va_list ap) {
  return vprintf_w(d, cb / sizeof(WCHAR), fmt, ap);
}

CPORT_API HRESULT StringCchLengthA(LPCSTR s, size_t cch, size_t *len) {
  return length_a(s, cch, len);
}
CPORT_API HRESULT StringCchLengthW(LPCWSTR s, size_t cch, size_t *len) {
  return length_w(s, cch, len);
}
CPORT_API HRESULT StringCbLengthA(LPCSTR s, size_t cb, size_t *len) {
  return length_a(s, cb, len);
}
CPORT_API HRESULT StringCbLengthW(LPCWSTR s, size_t cb, size_t *len) {
  size_t n = 0;
  HRESULT hr = length_w(s, cb / sizeof(WCHAR), &n);
  if (len != NULL)
    *len = n * sizeof(WCHAR);
  return hr;
}

/* ------------------------------------------------------------------------ */
/* The secure C runtime                                                      */
/* ------------------------------------------------------------------------ */

/* An error: errno too, and dst[0] = 0 when asked and there is room. */
static errno_t fail(errno_t err, char *dst, size_t size, bool reset) {
  if (reset && dst != NULL && size > 0)
    dst[0] = 0;
  errno = err;
  return err;
}

CPORT_API errno_t cport_w32_strcpy_s(char *dst, size_t size, const char *src) {
  if (dst == NULL)
    return fail(EINVAL, dst, size, false);
  if (src == NULL)
    return fail(EINVAL, dst, size, true);
  size_t len = strnlen(src, size);
  if (len == size)
    return fail(ERANGE, dst, size, true);
  memcpy(dst, src, len + 1);
  return 0;
}

CPORT_API errno_t cport_w32_strncpy_s(char *dst, size_t size, const char *src,
                                      size_t count) {
  if (dst == NULL)
    return fail(EINVAL, dst, size, false);
  if (src == NULL)
    return fail(EINVAL, dst, size, true);
  if (size == 0)
    return fail(EINVAL, dst, size, false);
  errno_t ret = 0;
  size_t len;
  if (count == _TRUNCATE) {
    len = strnlen(src, size);
    if (len == size) {
      len = size - 1;
      ret = STRUNCATE;
    }
  } else {
    len = strnlen(src, count);
    if (len >= size)
      return fail(ERANGE, dst, size, true);
  }
  memcpy(dst, src, len);
  dst[len] = 0;
  return ret;
}

CPORT_API errno_t cport_w32_strcat_s(char *dst, size_t size, const char *src) {
  if (dst == NULL)
    return fail(EINVAL, dst, size, false);
  if (src == NULL)
    return fail(EINVAL, dst, size, true);
  if (size == 0)
    return fail(ERANGE, dst, size, false);
  size_t have = strnlen(dst, size);
  if (have == size)
    return fail(EINVAL, dst, size, false);
  size_t len = strnlen(src, size - have);
  if (len == size - have)
    return fail(ERANGE, dst, size, true);
  memcpy(dst + have, src, len + 1);
  return 0;
}

CPORT_API size_t cport_w32_strnlen_s(const char *s, size_t max) {
  return s != NULL ? strnlen(s, max) : 0;
}

/* The printf forms return -1 on error, with errno and dst[0] = 0. */
static int fail_print(errno_t err, char *buf, size_t size) {
  fail(err, buf, size, true);
  return -1;
}

CPORT_API int cport_w32_vsprintf_s(char *buf, size_t size, const char *fmt,
                                   va_list ap) {
  if (buf == NULL || fmt == NULL || size == 0)
    return fail_print(EINVAL, buf, size);
  char room[FORMAT_ROOM];
  char *f = w32_format_a(fmt, room, sizeof(room));
  if (f == NULL)
    return fail_print(ENOMEM, buf, size);
  int n = vsnprintf(buf, size, f, ap);
  if (f != room)
    free(f);
  if (n < 0)
    return fail_print(EINVAL, buf, size);
  if ((size_t)n >= size)
    return fail_print(ERANGE, buf, size);
  return n;
}

CPORT_API int cport_w32_sprintf_s(char *buf, size_t size, const char *fmt,
                                  ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = cport_w32_vsprintf_s(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

/* At most count characters (count + 1 with the NUL) when that is less
 * than size; a cut there, or by _TRUNCATE, is -1 with the cut string. */
CPORT_API int cport_w32_vsnprintf_s(char *buf, size_t size, size_t count,
                                    const char *fmt, va_list ap) {
  if (buf == NULL && size == 0 && count == 0)
    return 0;
  if (buf == NULL || fmt == NULL || size == 0 || count == 0)
    return fail_print(EINVAL, buf, size);
  bool cut_ok = count == _TRUNCATE || count < size;
  size_t room = count < size ? count + 1 : size;
  char fmt_room[FORMAT_ROOM];
  char *f = w32_format_a(fmt, fmt_room, sizeof(fmt_room));
  if (f == NULL)
    return fail_print(ENOMEM, buf, size);
  int n = vsnprintf(buf, room, f, ap);
  if (f != fmt_room)
    free(f);
  if (n < 0)
    return fail_print(EINVAL, buf, size);
  if ((size_t)n < room)
    return n;
  return cut_ok ? -1 : fail_print(ERANGE, buf, size);
}

CPORT_API int cport_w32_snprintf_s(char *buf, size_t size, size_t count,
                                   const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = cport_w32_vsnprintf_s(buf, size, count, fmt, ap);
  va_end(ap);
  return n;
}

/* The C runtime's older forms (_snprintf, _vsnprintf, _scprintf,
 * _vscprintf), in Microsoft's format spelling: at most count characters,
 * with a NUL only when the whole string and the NUL fit; a string of
 * exactly count characters is stored without its NUL and returns count,
 * a longer one is cut and returns -1 (a program grows its buffer and
 * tries again). A NULL buffer with a count of 0 returns the length. */
CPORT_API int cport_w32_vsnprintf(char *buf, size_t count, const char *fmt,
                                  va_list ap) {
  if (fmt == NULL || (buf == NULL && count != 0)) {
    errno = EINVAL;
    return -1;
  }
  char fmt_room[FORMAT_ROOM];
  char *f = w32_format_a(fmt, fmt_room, sizeof(fmt_room));
  if (f == NULL) {
    errno = ENOMEM;
    return -1;
  }
  va_list aq;
  va_copy(aq, ap);
  int n = vsnprintf(NULL, 0, f, aq);
  va_end(aq);
  if (n >= 0 && buf != NULL) {
    if ((size_t)n < count) {
      n = vsnprintf(buf, count, f, ap);
    } else {
      /* Cut, or exactly count: the first count characters, no NUL. */
      char *whole = malloc((size_t)n + 1);
      if (whole == NULL) {
        errno = ENOMEM;
        n = -1;
      } else {
        (void)vsnprintf(whole, (size_t)n + 1, f, ap);
        memcpy(buf, whole, count);
        free(whole);
        n = (size_t)n == count ? n : -1;
      }
    }
  }
  if (f != fmt_room)
    free(f);
  return n;
}

CPORT_API int cport_w32_snprintf(char *buf, size_t count, const char *fmt,
                                 ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = cport_w32_vsnprintf(buf, count, fmt, ap);
  va_end(ap);
  return n;
}

CPORT_API int cport_w32_vscprintf(const char *fmt, va_list ap) {
  return cport_w32_vsnprintf(NULL, 0, fmt, ap);
}

CPORT_API int cport_w32_scprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = cport_w32_vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  return n;
}
