/*
 * fault.c - fault specifications and decisions (see fault.h).
 *
 * The parser reads numbers by hand rather than with strtod(), whose
 * decimal point follows the program's locale.
 */
#include <stdio.h>
#include <string.h>

#include "fault.h"

/* The default mix: what a correct program must survive without a single
 * error, so a test suite can run under it unchanged. */
#define CP_FAULT_DEFAULT_SPLIT (CP_FAULT_ONE / 2)
#define CP_FAULT_DEFAULT_DELAY (CP_FAULT_ONE / 4)
#define CP_FAULT_DEFAULT_PENDING (CP_FAULT_ONE / 2)
#define CP_FAULT_DEFAULT_DELAY_US 5000u
#define CP_FAULT_MAX_DELAY_MS 60000u

/* ------------------------------------------------------------------------ */
/* Numbers                                                                   */
/* ------------------------------------------------------------------------ */

/* An unsigned decimal (or 0x hexadecimal) integer filling [s, end). */
static bool parse_u64(const char *s, const char *end, uint64_t *out) {
  uint64_t v = 0;
  unsigned base = 10;
  if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  if (s == end)
    return false;
  for (; s < end; s++) {
    unsigned d;
    if (*s >= '0' && *s <= '9')
      d = (unsigned)(*s - '0');
    else if (base == 16 && *s >= 'a' && *s <= 'f')
      d = (unsigned)(*s - 'a' + 10);
    else if (base == 16 && *s >= 'A' && *s <= 'F')
      d = (unsigned)(*s - 'A' + 10);
    else
      return false;
    if (v > (UINT64_MAX - d) / base)
      return false;
    v = v * base + d;
  }
  *out = v;
  return true;
}

/* A probability from 0 to 1 ("0", "1", "0.25", ".5") as P * 2^32. */
static bool parse_prob(const char *s, const char *end, uint64_t *out) {
  uint64_t whole = 0, frac = 0, scale = 1;
  const char *dot = memchr(s, '.', (size_t)(end - s));
  if (dot == NULL)
    dot = end;
  if (dot > s && !parse_u64(s, dot, &whole))
    return false;
  if (dot == s && dot == end)
    return false;
  if (dot < end) {
    const char *f = dot + 1;
    if (f == end)
      return false;
    for (; f < end; f++) {
      if (*f < '0' || *f > '9')
        return false;
      if (scale < 1000000000u) { /* nine digits are plenty */
        frac = frac * 10 + (uint64_t)(*f - '0');
        scale *= 10;
      }
    }
  }
  if (whole > 1 || (whole == 1 && frac != 0))
    return false;
  *out = whole ? CP_FAULT_ONE : (frac << 32) / scale;
  return true;
}

/* ------------------------------------------------------------------------ */
/* Specifications                                                            */
/* ------------------------------------------------------------------------ */

static bool named(const char *s, size_t n, const char *word) {
  return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* The probability field a key names, or NULL. */
static uint64_t *prob_field(struct cp_fault_cfg *c, const char *k, size_t n) {
  if (named(k, n, "split"))
    return &c->split;
  if (named(k, n, "delay"))
    return &c->delay;
  if (named(k, n, "pending"))
    return &c->pending;
  if (named(k, n, "reset"))
    return &c->reset;
  if (named(k, n, "abort"))
    return &c->abort;
  if (named(k, n, "nobufs"))
    return &c->nobufs;
  if (named(k, n, "refuse"))
    return &c->refuse;
  if (named(k, n, "unreach"))
    return &c->unreach;
  return NULL;
}

/* One `key=value` (or a bare word) in [s, end). *kinds counts the kinds
 * named. */
static int parse_item(struct cp_fault_cfg *c, const char *s, const char *end,
                      int *kinds, bool *off) {
  const char *eq = memchr(s, '=', (size_t)(end - s));
  if (eq == NULL) {
    size_t n = (size_t)(end - s);
    if (named(s, n, "off") || named(s, n, "0")) {
      *off = true;
      return 0;
    }
    return named(s, n, "on") || named(s, n, "1") ? 0 : CPORT_EINVAL;
  }
  size_t kn = (size_t)(eq - s);
  const char *v = eq + 1;
  uint64_t num;
  uint64_t *field = prob_field(c, s, kn);
  if (field != NULL) {
    if (!parse_prob(v, end, field))
      return CPORT_EINVAL;
    (*kinds)++;
  } else if (named(s, kn, "errors")) {
    /* every error kind at once (each may still be set after it) */
    if (!parse_prob(v, end, &num))
      return CPORT_EINVAL;
    c->reset = c->abort = c->nobufs = c->refuse = c->unreach = num;
    (*kinds)++;
  } else if (named(s, kn, "seed")) {
    if (!parse_u64(v, end, &c->seed))
      return CPORT_EINVAL;
  } else if (named(s, kn, "delay_ms")) {
    if (!parse_u64(v, end, &num) || num > CP_FAULT_MAX_DELAY_MS)
      return CPORT_EINVAL;
    c->delay_us = (uint32_t)num * 1000u;
  } else {
    return CPORT_EINVAL;
  }
  return 0;
}

int cp_fault_parse(const char *spec, struct cp_fault_cfg *out) {
  struct cp_fault_cfg c;
  memset(&c, 0, sizeof(c));
  c.seed = 1;
  c.delay_us = CP_FAULT_DEFAULT_DELAY_US;
  int kinds = 0, items = 0;
  bool off = false;
  for (const char *s = spec; s != NULL && *s != '\0';) {
    const char *end = strchr(s, ',');
    if (end == NULL)
      end = s + strlen(s);
    if (end > s) {
      int rc = parse_item(&c, s, end, &kinds, &off);
      if (rc != 0)
        return rc;
      items++;
    }
    s = *end ? end + 1 : end;
  }
  /* No item at all ("", ","): off. "off" with anything else says two
   * things: refused. */
  if (off && items > 1)
    return CPORT_EINVAL;
  off = off || items == 0;
  if (!off && kinds == 0) {
    c.split = CP_FAULT_DEFAULT_SPLIT;
    c.delay = CP_FAULT_DEFAULT_DELAY;
    c.pending = CP_FAULT_DEFAULT_PENDING;
  }
  c.on = !off && (c.split | c.delay | c.pending | c.reset | c.abort | c.nobufs |
                  c.refuse | c.unreach) != 0;
  *out = c;
  return 0;
}

/* A probability as text with up to four decimals. */
static int prob_text(char *buf, size_t size, const char *name, uint64_t p) {
  uint64_t ten_k = (p * 10000u + CP_FAULT_ONE / 2) >> 32;
  return snprintf(buf, size, ",%s=%u.%04u", name, (unsigned)(ten_k / 10000u),
                  (unsigned)(ten_k % 10000u));
}

void cp_fault_format(const struct cp_fault_cfg *c, char *buf, size_t size) {
  if (!c->on) {
    snprintf(buf, size, "off");
    return;
  }
  size_t n =
      (size_t)snprintf(buf, size, "seed=%llu", (unsigned long long)c->seed);
  const struct {
    const char *name;
    uint64_t p;
  } kinds[] = {{"split", c->split},     {"delay", c->delay},
               {"pending", c->pending}, {"reset", c->reset},
               {"abort", c->abort},     {"nobufs", c->nobufs},
               {"refuse", c->refuse},   {"unreach", c->unreach}};
  for (size_t i = 0; i < CP_ARRAY_LEN(kinds) && n < size; i++)
    if (kinds[i].p != 0)
      n += (size_t)prob_text(buf + n, size - n, kinds[i].name, kinds[i].p);
  if (c->delay != 0 && n < size)
    snprintf(buf + n, size - n, ",delay_ms=%u", c->delay_us / 1000u);
}

/* ------------------------------------------------------------------------ */
/* Decisions                                                                 */
/* ------------------------------------------------------------------------ */

/* splitmix64's finalizer: every input bit reaches every output bit. */
static uint64_t finalize(uint64_t z) {
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

uint64_t cp_fault_mix(uint64_t seed, uint64_t a, uint64_t b) {
  uint64_t z = finalize(seed + UINT64_C(0x9e3779b97f4a7c15));
  z = finalize(z ^ (a + UINT64_C(0x632be59bd9b4e019)));
  return finalize(z ^ (b * UINT64_C(0x9e3779b97f4a7c15)));
}

size_t cp_fault_split_len(const struct cp_fault_cfg *c, uint64_t ticket,
                          size_t total) {
  uint64_t r = cp_fault_mix(c->seed, ticket, CP_FW_SPLIT_LEN);
  size_t max = total - 1;
  unsigned bits = 0;
  while (bits < 63 && ((uint64_t)1 << (bits + 1)) <= max)
    bits++;
  /* a power of two 2^k (k uniform in 0..bits), then a value in
   * [2^k, 2^(k+1)) capped at max */
  unsigned k = (unsigned)((r & 0xff) % (bits + 1));
  uint64_t lo = (uint64_t)1 << k;
  uint64_t len = lo + ((r >> 8) % lo);
  return len > max ? max : (size_t)len;
}

uint64_t cp_fault_hold_ns(const struct cp_fault_cfg *c, uint64_t ticket,
                          bool forced) {
  uint64_t max = (uint64_t)c->delay_us * 1000u;
  uint64_t min = forced ? CP_FAULT_MIN_HOLD_NS : 0;
  if (max <= min)
    return min;
  return min + cp_fault_mix(c->seed, ticket, CP_FW_DELAY_LEN) % (max - min);
}
