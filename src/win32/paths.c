/*
 * paths.c - the calls on names a Windows server makes beside files.c's:
 * the current directory (GetCurrentDirectory, SetCurrentDirectory), full
 * paths (GetFullPathName), temporary file names (GetTempFileName),
 * MoveFile and CopyFile; A and W forms.
 *
 * '/' and '\\' both separate components (w32_unix_path); the results use
 * '/'. The size rule of GetCurrentDirectory and GetFullPathName: the
 * length without the NUL when the text fits, else the size it needs with
 * the NUL (characters: bytes of UTF-8 for A, WCHARs for W).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "win32.h"

/* ------------------------------------------------------------------------ */
/* Copying text out                                                          */
/* ------------------------------------------------------------------------ */

/* s into buf (size characters) by the rule above; *part, if not NULL and
 * the text fits, the address in buf of what follows the last '/' (NULL
 * if s ends with one). */
static DWORD copy_out_a(const char *s, LPSTR buf, DWORD size, LPSTR *part) {
  DWORD n = w32_copy_out_a(s, buf, size);
  if (part != NULL && buf != NULL && n < size) {
    char *slash = strrchr(buf, '/');
    *part = slash == NULL ? buf : slash[1] != 0 ? slash + 1 : NULL;
  }
  return n;
}

static DWORD copy_out_w(const char *s, LPWSTR buf, DWORD size, LPWSTR *part) {
  DWORD n = w32_copy_out_w(s, buf, size);
  if (part != NULL && buf != NULL && n > 0 && n < size) {
    WCHAR *slash = wcsrchr(buf, L'/');
    *part = slash == NULL ? buf : slash[1] != 0 ? slash + 1 : NULL;
  }
  return n;
}

/* ------------------------------------------------------------------------ */
/* The current directory                                                     */
/* ------------------------------------------------------------------------ */

static char *cwd(void) {
  char *c = getcwd(NULL, 0);
  if (c == NULL)
    return w32_fail_null(errno == ENOMEM ? ERROR_NOT_ENOUGH_MEMORY
                                         : w32_error(-errno));
  return c;
}

CPORT_API DWORD GetCurrentDirectoryA(DWORD size, LPSTR buf) {
  char *c = cwd();
  if (c == NULL)
    return 0;
  DWORD n = copy_out_a(c, buf, size, NULL);
  free(c);
  return n;
}

CPORT_API DWORD GetCurrentDirectoryW(DWORD size, LPWSTR buf) {
  char *c = cwd();
  if (c == NULL)
    return 0;
  DWORD n = copy_out_w(c, buf, size, NULL);
  free(c);
  return n;
}

CPORT_API BOOL SetCurrentDirectoryA(LPCSTR path) {
  char *p = w32_unix_path(path);
  if (p == NULL)
    return FALSE;
  int err = chdir(p) == 0 ? 0 : errno;
  struct stat st;
  DWORD e = err == 0 ? 0
            : err == ENOTDIR && stat(p, &st) == 0 && !S_ISDIR(st.st_mode)
                ? ERROR_DIRECTORY /* a file */
                : w32_path_error(p, err);
  free(p);
  return e == 0 ? TRUE : w32_fail(e);
}

CPORT_API BOOL SetCurrentDirectoryW(LPCWSTR path) {
  char *p = w32_utf8(path);
  if (p == NULL)
    return FALSE;
  BOOL ok = SetCurrentDirectoryA(p);
  free(p);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Full paths                                                                */
/* ------------------------------------------------------------------------ */

/* path made absolute on its text alone (malloc'd), or NULL with the last
 * error set: the current directory before a relative path, "." and empty
 * components dropped, ".." taking the one before it (none above the
 * root), a trailing separator kept. */
static char *full_path(const char *path) {
  if (path != NULL && path[0] == 0)
    return w32_fail_null(ERROR_INVALID_NAME);
  char *p = w32_unix_path(path);
  if (p == NULL)
    return NULL;
  char *base = p[0] == '/' ? strdup("") : cwd();
  if (base == NULL) {
    free(p);
    return NULL;
  }
  size_t cap = strlen(base) + strlen(p) + 3;
  char *in = malloc(cap), *out = malloc(cap);
  if (in == NULL || out == NULL) {
    free(in);
    free(out);
    free(base);
    free(p);
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  }
  snprintf(in, cap, "%s/%s", base, p);
  bool trailing = p[strlen(p) - 1] == '/';
  free(base);
  free(p);
  size_t len = 0;
  char *save = NULL;
  for (char *c = strtok_r(in, "/", &save); c != NULL;
       c = strtok_r(NULL, "/", &save)) {
    if (strcmp(c, ".") == 0)
      continue;
    if (strcmp(c, "..") == 0) {
      while (len > 0 && out[len - 1] != '/')
        len--;
      if (len > 0)
        len--; /* the '/' before it */
      continue;
    }
    out[len++] = '/';
    size_t n = strlen(c);
    memcpy(out + len, c, n);
    len += n;
  }
  if (len == 0 || trailing)
    out[len++] = '/';
  out[len] = 0;
  free(in);
  return out;
}

CPORT_API DWORD GetFullPathNameA(LPCSTR path, DWORD size, LPSTR buf,
                                 LPSTR *file_part) {
  char *full = full_path(path);
  if (full == NULL)
    return 0;
  DWORD n = copy_out_a(full, buf, size, file_part);
  free(full);
  return n;
}

CPORT_API DWORD GetFullPathNameW(LPCWSTR path, DWORD size, LPWSTR buf,
                                 LPWSTR *file_part) {
  char *p = w32_utf8(path);
  if (p == NULL)
    return 0;
  char *full = full_path(p);
  free(p);
  if (full == NULL)
    return 0;
  DWORD n = copy_out_w(full, buf, size, file_part);
  free(full);
  return n;
}

/* ------------------------------------------------------------------------ */
/* Temporary file names                                                      */
/* ------------------------------------------------------------------------ */

/* <dir>/<prefix><hex>.TMP into out (MAX_PATH bytes): the number used in
 * the name (unique's low 16 bits, or the free one found when they are 0),
 * or 0 with the last error set. prefix is already cut to three
 * characters. */
static UINT temp_name(const char *path, const char *prefix, UINT unique,
                      char *out) {
  char *dir = w32_unix_path(path);
  if (dir == NULL)
    return 0;
  size_t len = strlen(dir);
  const char *sep = len > 0 && dir[len - 1] != '/' ? "/" : "";
  unique &= 0xFFFFu; /* only these are used: 0x10000 is 0 */
  unsigned n = unique;
  if (unique == 0) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    n = (unsigned)(ts.tv_nsec / 1000 ^ ts.tv_sec ^ getpid()) & 0xFFFFu;
  }
  for (unsigned tries = 0; tries < 0x10000u; tries++) {
    if (unique == 0 && n == 0)
      n = 1; /* 0 would mean "make one" */
    int w = snprintf(out, MAX_PATH, "%s%s%s%X.TMP", dir, sep, prefix, n);
    if (w < 0 || w >= MAX_PATH) {
      free(dir);
      return (w32_fail(ERROR_BUFFER_OVERFLOW), 0);
    }
    if (unique != 0) {
      free(dir);
      return unique; /* the name only, as documented */
    }
    int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      close(fd);
      free(dir);
      return n;
    }
    int err = errno;
    if (err != EEXIST) {
      free(dir);
      return (w32_fail(err == ENOENT || err == ENOTDIR ? ERROR_DIRECTORY
                                                       : w32_error(-err)),
              0);
    }
    n = (n + 1) & 0xFFFFu;
  }
  free(dir);
  return (w32_fail(ERROR_FILE_EXISTS), 0);
}

CPORT_API UINT GetTempFileNameA(LPCSTR path, LPCSTR prefix, UINT unique,
                                LPSTR name) {
  if (path == NULL || name == NULL)
    return (w32_fail(ERROR_INVALID_PARAMETER), 0);
  if (strlen(path) > MAX_PATH - 14)
    return (w32_fail(ERROR_BUFFER_OVERFLOW), 0);
  /* Up to three characters of the prefix (UTF-8 sequences kept whole). */
  char pre[16] = "";
  size_t n = 0;
  for (int chars = 0; prefix != NULL && prefix[n] != 0 && chars < 3; chars++) {
    n++;
    while (((unsigned char)prefix[n] & 0xC0) == 0x80 && n < 12)
      n++;
  }
  if (n > 0)
    memcpy(pre, prefix, n);
  return temp_name(path, pre, unique, name);
}

CPORT_API UINT GetTempFileNameW(LPCWSTR path, LPCWSTR prefix, UINT unique,
                                LPWSTR name) {
  if (path == NULL || name == NULL)
    return (w32_fail(ERROR_INVALID_PARAMETER), 0);
  if (wcslen(path) > MAX_PATH - 14)
    return (w32_fail(ERROR_BUFFER_OVERFLOW), 0);
  WCHAR wpre[4] = L"";
  if (prefix != NULL)
    wcsncpy(wpre, prefix, 3);
  wpre[3] = 0;
  char *p = w32_utf8(path), *pre = p != NULL ? w32_utf8(wpre) : NULL;
  char out[MAX_PATH];
  UINT r = pre != NULL ? temp_name(p, pre, unique, out) : 0;
  free(p);
  free(pre);
  if (r != 0 && MultiByteToWideChar(CP_UTF8, 0, out, -1, name, MAX_PATH) <= 0)
    return (w32_fail(ERROR_BUFFER_OVERFLOW), 0);
  return r;
}

/* ------------------------------------------------------------------------ */
/* Copying and moving                                                        */
/* ------------------------------------------------------------------------ */

/* Copies every byte of in to out: 0 or errno. */
/* Where copy_file_range cannot, read and write through a heap buffer (a
 * thread made with a 64 KiB stack may copy too). */
#define COPY_CHUNK 65536

static int copy_plain(int in, int out) {
  char *buf = malloc(COPY_CHUNK);
  if (buf == NULL)
    return ENOMEM;
  int err = 0;
  for (;;) {
    ssize_t n = read(in, buf, COPY_CHUNK);
    if (n == 0)
      break;
    if (n < 0) {
      if (errno == EINTR)
        continue;
      err = errno;
      break;
    }
    for (ssize_t off = 0; err == 0 && off < n;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w < 0 && errno != EINTR)
        err = errno;
      off += w > 0 ? w : 0;
    }
    if (err != 0)
      break;
  }
  free(buf);
  return err;
}

static int copy_bytes(int in, int out) {
  for (;;) {
    ssize_t n = copy_file_range(in, NULL, out, NULL, 1u << 30, 0);
    if (n == 0)
      return 0;
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
                  errno == EOPNOTSUPP))
      return copy_plain(in, out);
    if (n < 0 && errno != EINTR)
      return errno;
  }
}

/* CopyFile on '/' paths: 0 or the Win32 error. */
static DWORD copy_file(const char *from, const char *to, bool fail_if_exists) {
  int in = open(from, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return w32_path_error(from, errno);
  struct stat st, ts;
  if (fstat(in, &st) != 0 || S_ISDIR(st.st_mode)) {
    close(in);
    return ERROR_ACCESS_DENIED; /* a directory is not copied */
  }
  if (stat(to, &ts) == 0) {
    DWORD e = fail_if_exists ? ERROR_FILE_EXISTS
              : ts.st_dev == st.st_dev && ts.st_ino == st.st_ino
                  ? ERROR_SHARING_VIOLATION
              : S_ISDIR(ts.st_mode) || !(ts.st_mode & S_IWUSR)
                  ? ERROR_ACCESS_DENIED /* a read-only target */
                  : 0;
    if (e != 0) {
      close(in);
      return e;
    }
  }
  int flags =
      O_WRONLY | O_CREAT | O_CLOEXEC | (fail_if_exists ? O_EXCL : O_TRUNC);
  int out = open(to, flags, (st.st_mode & 07777) | S_IWUSR);
  if (out < 0) {
    int err = errno;
    close(in);
    return err == EEXIST ? ERROR_FILE_EXISTS : w32_path_error(to, err);
  }
  w32_block_begin();
  int err = copy_bytes(in, out);
  w32_block_end();
  /* The attributes and the last write time go with the data. */
  struct timespec times[2] = {{0, UTIME_NOW}, st.st_mtim};
  if (err == 0 &&
      (fchmod(out, st.st_mode & 07777) != 0 || futimens(out, times) != 0))
    err = errno;
  close(in);
  if (close(out) != 0 && err == 0)
    err = errno;
  if (err != 0) {
    unlink(to);
    return w32_error(-err);
  }
  return 0;
}

CPORT_API BOOL CopyFileA(LPCSTR from, LPCSTR to, BOOL fail_if_exists) {
  char *a = w32_unix_path(from), *b = a != NULL ? w32_unix_path(to) : NULL;
  DWORD e = a != NULL && b != NULL ? copy_file(a, b, fail_if_exists != 0)
                                   : GetLastError();
  free(a);
  free(b);
  return e == 0 ? TRUE : w32_fail(e);
}

CPORT_API BOOL CopyFileW(LPCWSTR from, LPCWSTR to, BOOL fail_if_exists) {
  char *a = w32_utf8(from), *b = a != NULL ? w32_utf8(to) : NULL;
  BOOL ok = a != NULL && b != NULL ? CopyFileA(a, b, fail_if_exists) : FALSE;
  free(a);
  free(b);
  return ok;
}

/* A rename; across file systems, with MOVEFILE_COPY_ALLOWED, a copy of a
 * file (not a directory) and then the original goes if it can, as
 * documented. */
static BOOL move_file(const char *from, const char *to, DWORD flags) {
  bool replace = (flags & MOVEFILE_REPLACE_EXISTING) != 0;
  if (renameat2(AT_FDCWD, from, AT_FDCWD, to, replace ? 0 : RENAME_NOREPLACE) ==
      0)
    return TRUE;
  int err = errno;
  if (err == EEXIST)
    return w32_fail(ERROR_ALREADY_EXISTS);
  struct stat st;
  if (err == EXDEV) {
    if (!(flags & MOVEFILE_COPY_ALLOWED) || stat(from, &st) != 0 ||
        S_ISDIR(st.st_mode))
      return w32_fail(ERROR_NOT_SAME_DEVICE);
    /* "If the file is successfully copied to a different volume and the
     * original file is unable to be deleted, the function succeeds
     * leaving the source file intact." */
    DWORD e = copy_file(from, to, !replace);
    if (e == 0) {
      (void)unlink(from);
      return TRUE;
    }
    return w32_fail(e == ERROR_FILE_EXISTS ? ERROR_ALREADY_EXISTS : e);
  }
  bool from_exists = access(from, F_OK) == 0;
  return w32_fail(
      w32_path_error(err == ENOENT && from_exists ? to : from, err));
}

CPORT_API BOOL MoveFileExA(LPCSTR from, LPCSTR to, DWORD flags) {
  if (from == NULL || to == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  char *a = w32_unix_path(from), *b = a != NULL ? w32_unix_path(to) : NULL;
  BOOL ok = a != NULL && b != NULL ? move_file(a, b, flags) : FALSE;
  free(a);
  free(b);
  return ok;
}

CPORT_API BOOL MoveFileExW(LPCWSTR from, LPCWSTR to, DWORD flags) {
  char *a = w32_utf8(from), *b = a != NULL ? w32_utf8(to) : NULL;
  BOOL ok = a != NULL && b != NULL ? MoveFileExA(a, b, flags) : FALSE;
  free(a);
  free(b);
  return ok;
}

/* MoveFile moves across file systems (MOVEFILE_COPY_ALLOWED). */
CPORT_API BOOL MoveFileA(LPCSTR from, LPCSTR to) {
  return MoveFileExA(from, to, MOVEFILE_COPY_ALLOWED);
}

CPORT_API BOOL MoveFileW(LPCWSTR from, LPCWSTR to) {
  return MoveFileExW(from, to, MOVEFILE_COPY_ALLOWED);
}
