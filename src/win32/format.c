/*
 * format.c - Microsoft's printf formats in the C library's spelling, for
 * the layer's own printf-like calls (sprintf_s and its kin, strsafe.h's
 * StringCchPrintf and StringCbPrintf).
 *
 * Where the two differ:
 * - %s and %c name a string and a character of the function's own width:
 *   a char string in sprintf_s, a WCHAR string in StringCchPrintfW. %S
 *   and %C name the other width. 'h' forces char, 'l' and 'w' force
 *   WCHAR. The C library's %s is always a char string, and %ls a wide
 *   one, so each becomes an explicit %s or %ls.
 * - The integer sizes I64 (64 bits), I32 (32 bits) and I (pointer-sized)
 *   become ll, nothing and z; the C library would read I as a flag and 64
 *   as a width.
 * - A bare %p prints every hex digit of the pointer in upper case with no
 *   0x (0000000000012345); the C library prints 0x12345. It becomes
 *   %016zX (a pointer and a size_t pass alike on the platforms cport
 *   runs on).
 * Everything else is copied as written.
 */
#include <stdlib.h>
#include <wchar.h>

#include "win32.h"

/* Room the translation may need: a conversion takes two characters at
 * least, and grows by at most four (%p to %016zX). */
static size_t translated_size(size_t len) {
  return len * 3 + 2;
}

/* The translation, for char (T char) or WCHAR (T wchar_t) formats:
 * writes into out, which has translated_size() characters. */
#define FORMAT_WORKER(name, T, wide_fn)                                \
  static void name(const T *in, T *out) {                              \
    while (*in != 0) {                                                 \
      if (*in != '%') {                                                \
        *out++ = *in++;                                                \
        continue;                                                      \
      }                                                                \
      *out++ = *in++;                                                  \
      if (*in == '%') {                                                \
        *out++ = *in++;                                                \
        continue;                                                      \
      }                                                                \
      if (*in == 'p') {                                                \
        /* Microsoft's pointer: every hex digit, upper case, no 0x. */ \
        *out++ = '0';                                                  \
        *out++ = '1';                                                  \
        *out++ = '6';                                                  \
        *out++ = 'z';                                                  \
        *out++ = 'X';                                                  \
        in++;                                                          \
        continue;                                                      \
      }                                                                \
      /* Flags, width, precision: as written. */                       \
      while (*in == '-' || *in == '+' || *in == ' ' || *in == '#' ||   \
             *in == '0' || (*in >= '1' && *in <= '9') || *in == '.' || \
             *in == '*')                                               \
        *out++ = *in++;                                                \
      /* The size: 'h' char, 'l'/'w' wide, 0 none, or copied as is. */ \
      int size = 0;                                                    \
      if (in[0] == 'I' && in[1] == '6' && in[2] == '4') {              \
        *out++ = 'l';                                                  \
        *out++ = 'l';                                                  \
        in += 3;                                                       \
      } else if (in[0] == 'I' && in[1] == '3' && in[2] == '2') {       \
        in += 3;                                                       \
      } else if (in[0] == 'I') {                                       \
        *out++ = 'z';                                                  \
        in++;                                                          \
      } else if (in[0] == 'h' && in[1] != 'h') {                       \
        size = 'h';                                                    \
        in++;                                                          \
      } else if ((in[0] == 'l' && in[1] != 'l') || in[0] == 'w') {     \
        size = 'l';                                                    \
        in++;                                                          \
      }                                                                \
      T c = *in;                                                       \
      if (c == 's' || c == 'c' || c == 'S' || c == 'C') {              \
        bool upper = c == 'S' || c == 'C';                             \
        bool wide_arg = size == 'l'   ? true                           \
                        : size == 'h' ? false                          \
                                      : (wide_fn) != upper;            \
        if (wide_arg)                                                  \
          *out++ = 'l';                                                \
        *out++ = upper ? (T)(c + ('a' - 'A')) : c;                     \
        in++;                                                          \
        continue;                                                      \
      }                                                                \
      if (size != 0)                                                   \
        *out++ = (T)size;                                              \
    }                                                                  \
    *out = 0;                                                          \
  }
FORMAT_WORKER(translate_a, char, false)
FORMAT_WORKER(translate_w, wchar_t, true)

char *w32_format_a(const char *fmt, char *buf, size_t size) {
  size_t need = translated_size(strlen(fmt));
  char *out = need <= size ? buf : malloc(need);
  if (out != NULL)
    translate_a(fmt, out);
  return out;
}

wchar_t *w32_format_w(const wchar_t *fmt, wchar_t *buf, size_t size) {
  size_t need = translated_size(wcslen(fmt));
  wchar_t *out = need <= size ? buf : malloc(need * sizeof(wchar_t));
  if (out != NULL)
    translate_w(fmt, out);
  return out;
}
