/*
 * scanf.c - sscanf_s and vsscanf_s, Microsoft's sscanf whose %c, %s and
 * %[ arguments are each followed by the buffer's size (an unsigned, in
 * characters: wchar_t ones for %lc, %ls, %l[, %C and %S).
 *
 * The C library's sscanf does the converting. The format is run one
 * conversion at a time: each piece is the literal text before a
 * conversion, the conversion rewritten in C's spelling, and a %n that
 * tells how much input the piece took. The rewriting gives a string a
 * width that keeps it inside its buffer, and turns Microsoft's length
 * prefixes (I64, I32, I, w, and the wide %C and %S) into C's. A string
 * that fills its buffer and goes on in the input is too long: as
 * Microsoft's does, the scan stops there with the buffer's first
 * character set to 0, and returns the fields assigned before it. A %c
 * whose count is larger than its buffer stops the scan the same way,
 * without writing.
 *
 * The result is sscanf's: the fields assigned, or EOF when the input
 * ends (or the call is in error: NULL arguments, a format it cannot
 * read, with errno EINVAL) before the first conversion.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "win32.h"

/* A conversion's length prefix, in C's terms. */
enum length {
  LEN_NONE,
  LEN_HH,
  LEN_H,
  LEN_L,
  LEN_LL,
  LEN_J,
  LEN_Z,
  LEN_T,
  LEN_LD
};

static const char *const length_text[] = {"",  "hh", "h", "l", "ll",
                                          "j", "z",  "t", "L"};

/* One conversion of the format, after its '%'. */
struct conversion {
  bool suppress;   /* '*': read, not assigned */
  long width;      /* the width written, or 0 for none */
  enum length len; /* the length prefix */
  char kind;       /* d i o u x X a A e E f F g G p n c s [ */
  bool wide;       /* c, s or [ into wchar_t */
  const char *set; /* for '[': the set, from '[' to its ']' */
  size_t set_len;
};

static bool is_string(char kind) {
  return kind == 'c' || kind == 's' || kind == '[';
}

/* Reads Microsoft's and C's length prefixes. */
static const char *parse_length(const char *p, enum length *len) {
  *len = LEN_NONE;
  if (p[0] == 'h' && p[1] == 'h')
    *len = LEN_HH, p += 2;
  else if (p[0] == 'l' && p[1] == 'l')
    *len = LEN_LL, p += 2;
  else if (p[0] == 'I' && p[1] == '6' && p[2] == '4')
    *len = LEN_LL, p += 3;
  else if (p[0] == 'I' && p[1] == '3' && p[2] == '2')
    p += 3;
  else if (*p == 'I')
    *len = LEN_Z, p++;
  else if (*p == 'h')
    *len = LEN_H, p++;
  else if (*p == 'l' || *p == 'w')
    *len = LEN_L, p++;
  else if (*p == 'L')
    *len = LEN_LD, p++;
  else if (*p == 'j')
    *len = LEN_J, p++;
  else if (*p == 'z')
    *len = LEN_Z, p++;
  else if (*p == 't')
    *len = LEN_T, p++;
  return p;
}

/* Parses the conversion after a '%': where it ends, or NULL when the
 * format is not one sscanf_s takes. */
static const char *parse_conversion(const char *p, struct conversion *c) {
  memset(c, 0, sizeof(*c));
  if (*p == '*') {
    c->suppress = true;
    p++;
  }
  while (*p >= '0' && *p <= '9') {
    if (c->width > INT_MAX / 10)
      return NULL;
    c->width = c->width * 10 + (*p++ - '0');
  }
  p = parse_length(p, &c->len);
  char k = *p;
  if (k == 'C' || k == 'S') {
    /* Wide, unless 'h' asks for single-byte characters, as Microsoft's
     * size prefixes say. */
    c->wide = c->len != LEN_H;
    k = (char)tolower((unsigned char)k);
  } else if (is_string(k)) {
    c->wide = c->len == LEN_L;
  }
  c->kind = k;
  if (k == '[') {
    const char *q = p + 1;
    if (*q == '^')
      q++;
    if (*q == ']')
      q++;
    while (*q != 0 && *q != ']')
      q++;
    if (*q == 0)
      return NULL;
    c->set = p;
    c->set_len = (size_t)(q - p) + 1;
    return q + 1;
  }
  if (k == 0 || strchr("diouxXaAeEfFgGpncs", k) == NULL)
    return NULL;
  return p + 1;
}

/* Writes into piece: the literal text, the conversion with the given
 * width (0: none) and "%n". */
static void build_piece(char *piece, size_t cap, const char *lit,
                        size_t lit_len, const struct conversion *c,
                        long width) {
  memcpy(piece, lit, lit_len);
  char *at = piece + lit_len;
  size_t room = cap - lit_len;
  if (c == NULL) {
    snprintf(at, room, "%%n");
    return;
  }
  char w[24] = "";
  if (width > 0)
    snprintf(w, sizeof(w), "%ld", width);
  const char *len =
      is_string(c->kind) ? (c->wide ? "l" : "") : length_text[c->len];
  if (c->kind == '[')
    snprintf(at, room, "%%%s%s%s%.*s%%n", c->suppress ? "*" : "", w, len,
             (int)c->set_len, c->set);
  else
    snprintf(at, room, "%%%s%s%s%c%%n", c->suppress ? "*" : "", w, len,
             c->kind);
}

/* Stores a %n count in the type its length prefix names. */
static void store_count(void *to, enum length len, long long v) {
  switch (len) {
  case LEN_HH:
    *(signed char *)to = (signed char)v;
    break;
  case LEN_H:
    *(short *)to = (short)v;
    break;
  case LEN_L:
    *(long *)to = (long)v;
    break;
  case LEN_LL:
  case LEN_LD:
    *(long long *)to = v;
    break;
  case LEN_J:
    *(intmax_t *)to = (intmax_t)v;
    break;
  case LEN_Z:
    *(size_t *)to = (size_t)v;
    break;
  case LEN_T:
    *(ptrdiff_t *)to = (ptrdiff_t)v;
    break;
  default:
    *(int *)to = (int)v;
    break;
  }
}

/* After a %s or %[ that filled its buffer: whether the token goes on at
 * next (so it was too long). */
static bool token_goes_on(const char *next, const struct conversion *c,
                          char *piece, size_t cap) {
  if (c->kind == 's')
    return *next != 0 && !isspace((unsigned char)*next);
  wchar_t probe[4];
  struct conversion one = *c;
  one.suppress = false;
  build_piece(piece, cap, "", 0, &one, 1);
  int n = -1;
  return sscanf(next, piece, probe, &n) == 1;
}

static void empty_string(void *to, bool wide) {
  if (wide)
    *(wchar_t *)to = 0;
  else
    *(char *)to = 0;
}

/* The state of one scan. */
struct scan {
  const char *in; /* what is left of the input */
  int assigned;   /* fields assigned */
  int converted;  /* conversions done, assigned or not */
};

/* The result when a piece stopped the scan: EOF for an input failure
 * before the first conversion, else the fields assigned. */
static int stopped(const struct scan *s, int r) {
  return r == EOF && s->converted == 0 ? EOF : s->assigned;
}

/* Runs one conversion c whose literal text is lit: 1 to go on, 0 when
 * the scan ends (its result in *result). */
static int run_conversion(struct scan *s, const char *buf, const char *lit,
                          size_t lit_len, const struct conversion *c,
                          char *piece, size_t cap, va_list *ap, int *result) {
  int n = -1, r;
  if (c->kind == 'n') {
    void *to = c->suppress ? NULL : va_arg(*ap, void *);
    build_piece(piece, cap, lit, lit_len, NULL, 0);
    r = sscanf(s->in, piece, &n);
    if (n < 0)
      return *result = stopped(s, r), 0;
    s->in += n;
    if (to != NULL)
      store_count(to, c->len, (long long)(s->in - buf));
    return 1;
  }
  if (c->suppress) {
    build_piece(piece, cap, lit, lit_len, c, c->width);
    r = sscanf(s->in, piece, &n);
    if (n < 0)
      return *result = stopped(s, r), 0;
    s->in += n;
    s->converted++;
    return 1;
  }
  void *to = va_arg(*ap, void *);
  long width = c->width;
  bool capped = false; /* the buffer, not the width, bounds the string */
  if (is_string(c->kind)) {
    unsigned size = va_arg(*ap, unsigned);
    long count = c->width > 0 ? c->width : 1;
    if (c->kind == 'c' && (unsigned long)count > size)
      return *result = s->assigned, 0;
    if (c->kind != 'c') {
      if (size == 0)
        return *result = s->assigned, 0;
      long room = size - 1 > INT_MAX ? INT_MAX : (long)(size - 1);
      if (c->width == 0 || c->width > room) {
        width = room;
        capped = true;
      }
      if (room == 0) {
        /* Only the NUL fits: any token is too long. */
        struct conversion one = *c;
        wchar_t probe[4];
        build_piece(piece, cap, lit, lit_len, &one, 1);
        r = sscanf(s->in, piece, probe, &n);
        if (n < 0)
          return *result = stopped(s, r), 0;
        empty_string(to, c->wide);
        return *result = s->assigned, 0;
      }
    }
  }
  build_piece(piece, cap, lit, lit_len, c, width);
  r = sscanf(s->in, piece, to, &n);
  if (n < 0)
    return *result = stopped(s, r), 0;
  s->in += n;
  s->converted++;
  if (capped && token_goes_on(s->in, c, piece, cap)) {
    empty_string(to, c->wide);
    return *result = s->assigned, 0;
  }
  s->assigned++;
  return 1;
}

CPORT_API int cport_w32_vsscanf_s(const char *buf, const char *fmt,
                                  va_list ap) {
  if (buf == NULL || fmt == NULL) {
    errno = EINVAL;
    return EOF;
  }
  size_t cap = strlen(fmt) + 48;
  char *piece = malloc(cap);
  if (piece == NULL) {
    errno = ENOMEM;
    return EOF;
  }
  va_list args;
  va_copy(args, ap);
  struct scan s = {.in = buf};
  const char *lit = fmt, *p = fmt;
  int result;
  for (;;) {
    while (*p != 0 && !(p[0] == '%' && p[1] != '%'))
      p += p[0] == '%' ? 2 : 1;
    if (*p == 0) {
      /* The literal text after the last conversion. */
      int n = -1;
      build_piece(piece, cap, lit, (size_t)(p - lit), NULL, 0);
      result = stopped(&s, sscanf(s.in, piece, &n));
      break;
    }
    struct conversion c;
    const char *next = parse_conversion(p + 1, &c);
    if (next == NULL) {
      errno = EINVAL;
      result = EOF;
      break;
    }
    if (!run_conversion(&s, buf, lit, (size_t)(p - lit), &c, piece, cap, &args,
                        &result))
      break;
    lit = p = next;
  }
  va_end(args);
  free(piece);
  return result;
}

CPORT_API int cport_w32_sscanf_s(const char *buf, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = cport_w32_vsscanf_s(buf, fmt, ap);
  va_end(ap);
  return n;
}
