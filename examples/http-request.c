/*
 * http-request.c - parsing an HTTP/1.x request head and mapping its
 * target to a file under the root, refusing anything that could leave the
 * root. No I/O here: http-server.c owns the sockets.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http-request.h"

#if defined(_WIN32)
#  include <windows.h>
#else
#  include <errno.h>
#  include <fcntl.h>
#  include <limits.h>
#  include <linux/openat2.h>
#  include <sys/stat.h>
#  include <sys/syscall.h>
#  include <unistd.h>
#endif

const char *http_find_head_end(const char *buf, size_t len) {
  for (size_t i = 3; i < len; i++)
    if (buf[i - 3] == '\r' && buf[i - 2] == '\n' && buf[i - 1] == '\r' &&
        buf[i] == '\n')
      return buf + i + 1;
  return NULL;
}

static bool token_char(char c) {
  return isalnum((unsigned char)c) || strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool header_is(const char *name, size_t len, const char *want) {
  return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

/* Does the comma-separated header value contain `token` (any case)? */
static bool has_token(const char *v, size_t len, const char *token) {
  size_t tl = strlen(token);
  for (size_t i = 0; i + tl <= len; i++)
    if (strncasecmp(v + i, token, tl) == 0 &&
        (i == 0 || v[i - 1] == ',' || v[i - 1] == ' ') &&
        (i + tl == len || v[i + tl] == ',' || v[i + tl] == ' '))
      return true;
  return false;
}

int http_parse(const char *buf, size_t len, struct http_request *r) {
  memset(r, 0, sizeof(*r));
  const char *end = buf + len;
  /* Request line: METHOD SP TARGET SP HTTP/x.y CRLF */
  const char *p = buf, *sp = memchr(p, ' ', (size_t)(end - p));
  if (sp == NULL || sp == p || sp - p >= (long)sizeof(r->method))
    return 400;
  for (const char *q = p; q < sp; q++)
    if (!token_char(*q))
      return 400;
  memcpy(r->method, p, (size_t)(sp - p));
  p = sp + 1;
  sp = memchr(p, ' ', (size_t)(end - p));
  if (sp == NULL || sp == p || sp - p >= (long)sizeof(r->target))
    return sp && sp - p >= (long)sizeof(r->target) ? 414 : 400;
  /* No control byte may hide in the target: a NUL would cut the path
   * short of what follows it ("/a.txt\0/../x" must not serve /a.txt). */
  for (const char *q = p; q < sp; q++)
    if ((unsigned char)*q < 0x21 || *q == 0x7f)
      return 400;
  memcpy(r->target, p, (size_t)(sp - p));
  p = sp + 1;
  const char *eol = memchr(p, '\r', (size_t)(end - p));
  if (eol == NULL || eol + 1 >= end || eol[1] != '\n')
    return 400;
  size_t vlen = (size_t)(eol - p);
  if (vlen != 8 || strncmp(p, "HTTP/", 5) != 0 ||
      !isdigit((unsigned char)p[5]) || p[6] != '.' ||
      !isdigit((unsigned char)p[7]))
    return 400;
  r->minor = p[7] - '0';
  if (p[5] != '1')
    return 505; /* HTTP/2.0, HTTP/0.9 and friends */
  r->keep_alive = r->minor >= 1;
  p = eol + 2;

  /* Header fields until the empty line. */
  unsigned count = 0;
  while (p < end && !(p[0] == '\r' && p + 1 < end && p[1] == '\n')) {
    eol = memchr(p, '\r', (size_t)(end - p));
    if (eol == NULL || eol + 1 >= end || eol[1] != '\n')
      return 400;
    if (++count > HTTP_MAX_HEADERS)
      return 431;
    const char *colon = memchr(p, ':', (size_t)(eol - p));
    if (colon == NULL || colon == p)
      return 400;
    for (const char *q = p; q < colon; q++)
      if (!token_char(*q))
        return 400; /* no space before the colon, no control bytes */
    const char *v = colon + 1;
    while (v < eol && (*v == ' ' || *v == '\t'))
      v++;
    size_t nlen = (size_t)(colon - p), vl = (size_t)(eol - v);
    for (size_t i = 0; i < vl; i++)
      if (((unsigned char)v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f)
        return 400; /* NUL, bare LF and other controls; tabs are allowed */
    if (header_is(p, nlen, "connection")) {
      if (has_token(v, vl, "close"))
        r->keep_alive = false;
      else if (has_token(v, vl, "keep-alive"))
        r->keep_alive = true;
    } else if (header_is(p, nlen, "content-length")) {
      for (size_t i = 0; i < vl; i++)
        if (!isdigit((unsigned char)v[i]))
          return 400;
      if (vl > 0 && strtoull(v, NULL, 10) > 0)
        r->has_body = true;
    } else if (header_is(p, nlen, "transfer-encoding")) {
      r->has_body = true;
    } else if (header_is(p, nlen, "host")) {
      r->has_host = true;
    }
    p = eol + 2;
  }
  if (r->minor >= 1 && !r->has_host)
    return 400; /* HTTP/1.1 requires Host */
  return 0;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = (char)tolower((unsigned char)c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int http_clean_path(const char *target, char *out, size_t size) {
  if (target[0] != '/')
    return 400; /* absolute-form, authority-form, "*": not served */
  size_t n = 0;
  for (const char *p = target; *p && *p != '?' && *p != '#'; p++) {
    char c = *p;
    if (c == '%') {
      int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
      if (hi < 0 || lo < 0)
        return 400;
      c = (char)(hi * 16 + lo);
      p += 2;
      /* An encoded NUL, slash or backslash is never a name character. */
      if (c == '\0' || c == '/' || c == '\\')
        return 400;
    } else if (c == '\\') {
      return 400;
    }
    if ((unsigned char)c < 0x20 || c == 0x7f || c == ':')
      return 400;
    if (n + 1 >= size)
      return 414;
    out[n++] = c;
  }
  out[n] = '\0';
  /* No "." or ".." segment may appear, encoded or not. */
  for (const char *s = out; *s;) {
    const char *seg = s + 1, *next = strchr(seg, '/');
    size_t sl = next ? (size_t)(next - seg) : strlen(seg);
    if ((sl == 1 && seg[0] == '.') ||
        (sl == 2 && seg[0] == '.' && seg[1] == '.'))
      return 400;
    if (next == NULL)
      break;
    s = next;
  }
  return 0;
}

const char *http_content_type(const char *path) {
  static const struct {
    const char *ext, *type;
  } types[] = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".txt", "text/plain; charset=utf-8"},
      {".css", "text/css"},
      {".js", "text/javascript"},
      {".json", "application/json"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".pdf", "application/pdf"},
      {".wasm", "application/wasm"},
      {".xml", "application/xml"},
  };
  const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
  if (dot != NULL && (slash == NULL || dot > slash))
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
      if (strcasecmp(dot, types[i].ext) == 0)
        return types[i].type;
  return "application/octet-stream";
}

int http_resolve(const char *root_real, const char *clean, char *out,
                 size_t size) {
  char joined[HTTP_MAX_PATH * 2];
  size_t cl = strlen(clean);
  const char *index = cl > 0 && clean[cl - 1] == '/' ? "index.html" : "";
  if ((size_t)snprintf(joined, sizeof(joined), "%s%s%s", root_real, clean,
                       index) >= sizeof(joined))
    return 414;
#if defined(_WIN32)
  /* Resolve links the Windows way: open, then ask for the final path. */
  HANDLE h = CreateFileA(joined, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                         OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
  if (h == INVALID_HANDLE_VALUE)
    return 404;
  char real[HTTP_MAX_PATH * 2];
  DWORD n = GetFinalPathNameByHandleA(h, real, sizeof(real), 0);
  DWORD attrs = GetFileAttributesA(joined);
  CloseHandle(h);
  if (n == 0 || n >= sizeof(real) || (attrs & FILE_ATTRIBUTE_DIRECTORY))
    return 404;
  const char *r = strncmp(real, "\\\\?\\", 4) == 0 ? real + 4 : real;
  for (char *q = (char *)r; *q; q++)
    if (*q == '\\')
      *q = '/';
#else
  char real[PATH_MAX];
  if (realpath(joined, real) == NULL)
    return 404;
  struct stat st;
  if (stat(real, &st) != 0 || !S_ISREG(st.st_mode))
    return 404; /* directories without a slash, devices, fifos */
  const char *r = real;
#endif
  /* The file, links followed, must still be inside the root. */
  size_t rl = strlen(root_real);
  if (strncmp(r, root_real, rl) != 0 || r[rl] != '/')
    return 404;
  size_t len = strlen(r);
  if (len >= size)
    return 414;
  memcpy(out, r, len + 1);
  return 0;
}

int http_root_real(const char *root, char *out, size_t size) {
#if defined(_WIN32)
  char full[HTTP_MAX_PATH];
  if (_fullpath(full, root, sizeof(full)) == NULL)
    return -1;
  HANDLE h = CreateFileA(full, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                         OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
  if (h == INVALID_HANDLE_VALUE)
    return -1;
  DWORD n = GetFinalPathNameByHandleA(h, out, (DWORD)size, 0);
  CloseHandle(h);
  if (n == 0 || n >= size)
    return -1;
  if (strncmp(out, "\\\\?\\", 4) == 0)
    memmove(out, out + 4, strlen(out + 4) + 1);
  for (char *q = out; *q; q++)
    if (*q == '\\')
      *q = '/';
#else
  char real[PATH_MAX];
  if (realpath(root, real) == NULL || strlen(real) >= size)
    return -1;
  memcpy(out, real, strlen(real) + 1);
#endif
  size_t l = strlen(out);
  if (l > 1 && out[l - 1] == '/')
    out[l - 1] = '\0';
  return 0;
}

int http_root_open(const char *root, struct http_root *r) {
  if (http_root_real(root, r->real, sizeof(r->real)) != 0)
    return -1;
#if defined(_WIN32)
  r->dirfd = -1;
#else
  r->dirfd = open(r->real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (r->dirfd < 0)
    return -1;
#endif
  return 0;
}

/* The portable way: resolve, check, then open. */
static int open_resolved(const struct http_root *r, const char *clean,
                         cport_handle_t *f, uint64_t *size) {
  char path[HTTP_MAX_PATH * 2];
  int code = http_resolve(r->real, clean, path, sizeof(path));
  if (code != 0)
    return code;
  int rc = cport_file_open(path, CPORT_FILE_READ, f);
  if (rc != 0)
    return rc == CPORT_EACCES ? 403 : 404;
  if (cport_file_size(*f, size) != 0) {
    cport_file_close(*f);
    return 404;
  }
  return 0;
}

#if !defined(_WIN32)
/* One system call: the kernel refuses any path (".." or a link) that
 * would resolve outside the root. */
static int open_beneath(int dirfd, const char *rel, int *fd) {
  struct open_how how;
  memset(&how, 0, sizeof(how));
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long rc = syscall(SYS_openat2, dirfd, rel[0] ? rel : ".", &how, sizeof(how));
  if (rc < 0)
    return errno;
  *fd = (int)rc;
  return 0;
}
#endif

int http_open(const struct http_root *r, const char *clean, cport_handle_t *f,
              uint64_t *size) {
#if defined(_WIN32)
  return open_resolved(r, clean, f, size);
#else
  char rel[HTTP_MAX_PATH + 16];
  size_t cl = strlen(clean);
  if (snprintf(rel, sizeof(rel), "%s%s", clean + 1,
               cl > 0 && clean[cl - 1] == '/' ? "index.html" : "") >=
      (int)sizeof(rel))
    return 414;
  int fd = -1, err = open_beneath(r->dirfd, rel, &fd);
  if (err == ENOSYS)
    return open_resolved(r, clean, f, size); /* kernel before 5.6 */
  if (err != 0)
    return err == EACCES ? 403 : 404; /* EXDEV: it tried to leave */
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return 404;
  }
  *f = fd;
  *size = (uint64_t)st.st_size;
  return 0;
#endif
}

void http_close(cport_handle_t f) {
#if defined(_WIN32)
  cport_file_close(f);
#else
  close(f);
#endif
}
