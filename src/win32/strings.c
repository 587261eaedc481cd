/*
 * strings.c - the lstr* calls, wsprintf, and the conversions between
 * UTF-8 and WCHAR. WCHAR is the platform's wchar_t (a code point on
 * Linux), and the multi-byte side is UTF-8 for every code page the layer
 * takes (CP_UTF8, and CP_ACP / CP_OEMCP, which name UTF-8 on a Linux
 * system).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <wchar.h>
#include <wctype.h>

#include "win32.h"

/* ------------------------------------------------------------------------ */
/* lstr*                                                                     */
/* ------------------------------------------------------------------------ */

CPORT_API int lstrlenA(LPCSTR s) {
  return s ? (int)strlen(s) : 0;
}
CPORT_API int lstrlenW(LPCWSTR s) {
  return s ? (int)wcslen(s) : 0;
}
CPORT_API LPSTR lstrcpyA(LPSTR d, LPCSTR s) {
  return strcpy(d, s);
}
CPORT_API LPWSTR lstrcpyW(LPWSTR d, LPCWSTR s) {
  return wcscpy(d, s);
}
/* At most n - 1 characters and a NUL (nothing with n 0); NULL for a NULL
 * string. */
#define LSTRCPYN(name, T)                      \
  CPORT_API T *name(T *d, const T *s, int n) { \
    if (d == NULL || s == NULL)                \
      return NULL;                             \
    T *at = d;                                 \
    for (; n > 1 && *s != 0; n--)              \
      *at++ = *s++;                            \
    if (n > 0)                                 \
      *at = 0;                                 \
    return d;                                  \
  }
LSTRCPYN(lstrcpynA, char)
LSTRCPYN(lstrcpynW, WCHAR)
CPORT_API LPSTR lstrcatA(LPSTR d, LPCSTR s) {
  return strcat(d, s);
}
CPORT_API LPWSTR lstrcatW(LPWSTR d, LPCWSTR s) {
  return wcscat(d, s);
}

static int sign(int v) {
  return (v > 0) - (v < 0);
}

/* Ordinal comparisons (Windows sorts by the user's locale). */
CPORT_API int lstrcmpA(LPCSTR a, LPCSTR b) {
  return sign(strcmp(a, b));
}
CPORT_API int lstrcmpW(LPCWSTR a, LPCWSTR b) {
  return sign(wcscmp(a, b));
}
CPORT_API int lstrcmpiA(LPCSTR a, LPCSTR b) {
  return sign(strcasecmp(a, b));
}
CPORT_API int lstrcmpiW(LPCWSTR a, LPCWSTR b) {
  return sign(wcscasecmp(a, b));
}

/* ------------------------------------------------------------------------ */
/* wsprintf                                                                  */
/* ------------------------------------------------------------------------ */

/* Windows' limit: a 1,024-character buffer, NUL included. */
#define WSPRINTF_ROOM 1024
/* Room for most formats' translation (format.c) on the stack. */
#define WSPRINTF_FORMAT_ROOM 256

CPORT_API int wvsprintfA(LPSTR buf, LPCSTR fmt, va_list ap) {
  if (buf == NULL || fmt == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  char room[WSPRINTF_FORMAT_ROOM];
  char *f = w32_format_a(fmt, room, sizeof(room));
  if (f == NULL) {
    buf[0] = 0;
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  }
  int n = vsnprintf(buf, WSPRINTF_ROOM, f, ap);
  if (f != room)
    free(f);
  if (n < 0) {
    buf[0] = 0;
    return 0;
  }
  return n < WSPRINTF_ROOM ? n : WSPRINTF_ROOM - 1;
}

CPORT_API int wvsprintfW(LPWSTR buf, LPCWSTR fmt, va_list ap) {
  if (buf == NULL || fmt == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  wchar_t room[WSPRINTF_FORMAT_ROOM];
  wchar_t *f = w32_format_w(fmt, room, WSPRINTF_FORMAT_ROOM);
  if (f == NULL) {
    buf[0] = 0;
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  }
  /* (vswprintf fails a result that does not fit, having written what
   * does without its NUL: cut there, as Windows does.) */
  int n = vswprintf(buf, WSPRINTF_ROOM, f, ap);
  if (f != room)
    free(f);
  if (n < 0) {
    buf[WSPRINTF_ROOM - 1] = 0;
    return (int)wcslen(buf);
  }
  return n;
}

CPORT_API int wsprintfA(LPSTR buf, LPCSTR fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = wvsprintfA(buf, fmt, ap);
  va_end(ap);
  return n;
}

CPORT_API int wsprintfW(LPWSTR buf, LPCWSTR fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = wvsprintfW(buf, fmt, ap);
  va_end(ap);
  return n;
}

/* ------------------------------------------------------------------------ */
/* UTF-8                                                                     */
/* ------------------------------------------------------------------------ */

#define REPLACEMENT 0xFFFDu

/* Decodes one character of s[0..n); *len its bytes. Invalid: returns
 * (uint32_t)-1 and *len the bytes to skip. */
uint32_t w32_utf8_decode(const unsigned char *s, size_t n, size_t *len) {
  unsigned char c = s[0];
  uint32_t cp;
  size_t need;
  if (c < 0x80) {
    *len = 1;
    return c;
  } else if (c >= 0xC2 && c <= 0xDF) {
    cp = c & 0x1Fu;
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    cp = c & 0x0Fu;
    need = 2;
  } else if (c >= 0xF0 && c <= 0xF4) {
    cp = c & 0x07u;
    need = 3;
  } else {
    *len = 1;
    return (uint32_t)-1;
  }
  size_t i = 1;
  for (; i <= need; i++) {
    if (i >= n || (s[i] & 0xC0) != 0x80) {
      *len = i;
      return (uint32_t)-1;
    }
    cp = cp << 6 | (s[i] & 0x3Fu);
  }
  *len = i;
  bool overlong = (need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return (uint32_t)-1;
  return cp;
}

size_t w32_utf8_encode(uint32_t cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | cp >> 6);
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | cp >> 18);
  out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
  out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

static bool utf8_page(UINT codepage) {
  return codepage == CP_UTF8 || codepage == CP_ACP || codepage == CP_OEMCP;
}

CPORT_API int MultiByteToWideChar(UINT codepage, DWORD flags, LPCSTR in,
                                  int inlen, LPWSTR out, int outlen) {
  if (!utf8_page(codepage) || in == NULL || inlen == 0 || inlen < -1 ||
      outlen < 0 || (out == NULL && outlen > 0))
    return (w32_fail(ERROR_INVALID_PARAMETER), 0);
  DWORD allowed =
      MB_ERR_INVALID_CHARS | (codepage == CP_UTF8 ? 0 : MB_PRECOMPOSED);
  if (flags & ~allowed)
    return (w32_fail(ERROR_INVALID_FLAGS), 0);
  size_t n = inlen == -1 ? strlen(in) + 1 : (size_t)inlen;
  const unsigned char *s = (const unsigned char *)in;
  size_t count = 0;
  for (size_t i = 0; i < n;) {
    size_t len;
    uint32_t cp = w32_utf8_decode(s + i, n - i, &len);
    if (cp == (uint32_t)-1) {
      if (flags & MB_ERR_INVALID_CHARS)
        return (w32_fail(ERROR_NO_UNICODE_TRANSLATION), 0);
      cp = REPLACEMENT;
    }
    if (outlen > 0) {
      if (count >= (size_t)outlen)
        return (w32_fail(ERROR_INSUFFICIENT_BUFFER), 0);
      out[count] = (WCHAR)cp;
    }
    count++;
    i += len;
  }
  return (int)count;
}

CPORT_API int WideCharToMultiByte(UINT codepage, DWORD flags, LPCWSTR in,
                                  int inlen, LPSTR out, int outlen,
                                  LPCSTR defchar, LPBOOL used_default) {
  if (!utf8_page(codepage) || in == NULL || inlen == 0 || inlen < -1 ||
      outlen < 0 || (out == NULL && outlen > 0))
    return (w32_fail(ERROR_INVALID_PARAMETER), 0);
  if (codepage == CP_UTF8 && (defchar != NULL || used_default != NULL))
    return (w32_fail(ERROR_INVALID_PARAMETER), 0);
  if (flags & ~(DWORD)WC_ERR_INVALID_CHARS)
    return (w32_fail(ERROR_INVALID_FLAGS), 0);
  if (used_default)
    *used_default = FALSE;
  size_t n = inlen == -1 ? wcslen(in) + 1 : (size_t)inlen;
  size_t count = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t cp = (uint32_t)in[i];
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      if (flags & WC_ERR_INVALID_CHARS)
        return (w32_fail(ERROR_NO_UNICODE_TRANSLATION), 0);
      cp = REPLACEMENT;
    }
    char buf[4];
    size_t len = w32_utf8_encode(cp, buf);
    if (outlen > 0) {
      if (count + len > (size_t)outlen)
        return (w32_fail(ERROR_INSUFFICIENT_BUFFER), 0);
      memcpy(out + count, buf, len);
    }
    count += len;
  }
  return (int)count;
}

char *w32_utf8(LPCWSTR s) {
  if (s == NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  int n = WideCharToMultiByte(CP_UTF8, 0, s, -1, NULL, 0, NULL, NULL);
  char *out = n > 0 ? malloc((size_t)n) : NULL;
  if (out == NULL)
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  WideCharToMultiByte(CP_UTF8, 0, s, -1, out, n, NULL, NULL);
  return out;
}

DWORD w32_copy_out_a(const char *s, LPSTR buf, DWORD size) {
  size_t len = strlen(s);
  if (buf == NULL || (size_t)size <= len)
    return (DWORD)len + 1;
  memcpy(buf, s, len + 1);
  return (DWORD)len;
}

DWORD w32_copy_out_w(const char *s, LPWSTR buf, DWORD size) {
  int need = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
  if (need <= 0)
    return 0;
  if (buf == NULL || size < (DWORD)need)
    return (DWORD)need;
  MultiByteToWideChar(CP_UTF8, 0, s, -1, buf, need);
  return (DWORD)need - 1;
}
