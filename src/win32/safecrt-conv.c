/*
 * safecrt-conv.c - the secure C runtime's checked conversions between
 * narrow and wide strings (mbstowcs_s, wcstombs_s), its checked read
 * (fread_s), and __debugbreak.
 *
 * Narrow strings are UTF-8, as everywhere in the layer (CP_ACP is
 * CP_UTF8 here), and a wchar_t is a UTF-32 unit. Where MSVC would call
 * its invalid-parameter handler, which ends the program by default, the
 * error is returned as when a handler returns, with errno set and the
 * destination emptied where the documentation says so.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win32.h"

static errno_t fail(errno_t err) {
  errno = err;
  return err;
}

/* mbstowcs_s: at most `count` characters of src (_TRUNCATE: as many as
 * fit), always ended by a NUL; *converted counts the wide characters
 * written with the NUL (or needed, with dst NULL and size 0). */
CPORT_API errno_t cport_w32_mbstowcs_s(size_t *converted, wchar_t *dst,
                                       size_t size, const char *src,
                                       size_t count) {
  if (converted != NULL)
    *converted = 0;
  if ((dst == NULL && size > 0) || (dst != NULL && size == 0) || src == NULL) {
    if (dst != NULL && size > 0)
      dst[0] = 0;
    return fail(EINVAL);
  }
  bool truncate = count == (size_t)_TRUNCATE;
  const unsigned char *s = (const unsigned char *)src;
  size_t left = strlen(src), n = 0;
  while (left > 0 && (truncate || n < count)) {
    size_t k;
    uint32_t c = w32_utf8_decode(s, left, &k);
    if (c == (uint32_t)-1) {
      if (dst != NULL)
        dst[0] = 0;
      return fail(EILSEQ);
    }
    if (dst != NULL && n + 1 >= size) {
      if (!truncate) {
        dst[0] = 0;
        return fail(ERANGE);
      }
      dst[n] = 0;
      if (converted != NULL)
        *converted = n + 1;
      return STRUNCATE;
    }
    if (dst != NULL)
      dst[n] = (wchar_t)c;
    n++;
    s += k;
    left -= k;
  }
  if (dst != NULL)
    dst[n] = 0;
  if (converted != NULL)
    *converted = n + 1;
  return 0;
}

/* wcstombs_s: at most `count` bytes of UTF-8 (_TRUNCATE: as many whole
 * characters as fit), always ended by a NUL; *converted counts the bytes
 * written with the NUL (or needed, with dst NULL). */
CPORT_API errno_t cport_w32_wcstombs_s(size_t *converted, char *dst,
                                       size_t size, const wchar_t *src,
                                       size_t count) {
  if (converted != NULL)
    *converted = 0;
  if ((dst == NULL && size > 0) || (dst != NULL && size == 0) || src == NULL) {
    if (dst != NULL && size > 0)
      dst[0] = '\0';
    return fail(EINVAL);
  }
  bool truncate = count == (size_t)_TRUNCATE;
  size_t n = 0;
  for (const wchar_t *w = src; *w != 0; w++) {
    uint32_t c = (uint32_t)*w;
    if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
      if (dst != NULL)
        dst[0] = '\0';
      return fail(EILSEQ);
    }
    char u[4];
    size_t k = w32_utf8_encode(c, u);
    if (!truncate && n + k > count)
      break; /* count bytes, never half a character */
    if (dst != NULL && n + k + 1 > size) {
      if (!truncate) {
        dst[0] = '\0';
        return fail(ERANGE);
      }
      dst[n] = '\0';
      if (converted != NULL)
        *converted = n + 1;
      return STRUNCATE;
    }
    if (dst != NULL)
      memcpy(dst + n, u, k);
    n += k;
  }
  if (dst != NULL)
    dst[n] = '\0';
  if (converted != NULL)
    *converted = n + 1;
  return 0;
}

/* fread_s: fread into a buffer of `size` bytes. Asked for more than it
 * holds, it reads what fits, then empties the buffer and fails with
 * ERANGE (0 elements), as MSVC does. */
CPORT_API size_t cport_w32_fread_s(void *buf, size_t size, size_t elem,
                                   size_t count, FILE *f) {
  if (elem == 0 || count == 0)
    return 0;
  if (f == NULL || buf == NULL) {
    errno = EINVAL;
    return 0;
  }
  if (count > size / elem) {
    size_t fits = size / elem;
    size_t got = fits > 0 ? fread(buf, elem, fits, f) : 0;
    if (got < fits)
      return got; /* the end or an error came first */
    memset(buf, 0, size);
    errno = ERANGE;
    return 0;
  }
  return fread(buf, elem, count, f);
}

/* A breakpoint: SIGTRAP, which stops the program under a debugger and
 * otherwise ends it, as an unhandled breakpoint does on Windows. */
CPORT_API void cport_w32_debugbreak(void) {
  raise(SIGTRAP);
}
