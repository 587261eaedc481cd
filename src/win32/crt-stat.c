/*
 * crt-stat.c - the C runtime's _stat family (_stat, _stat64, _stati64,
 * _wstat, _fstat): what a file is, as msvcrt describes it.
 *
 * Windows' st_mode holds a type (_S_IFDIR, _S_IFREG, _S_IFCHR, _S_IFIFO)
 * and three permission bits copied to the group and other positions:
 * _S_IREAD always, _S_IWRITE unless the file is read-only, _S_IEXEC for a
 * directory or a name ending in .exe, .com, .bat or .cmd. Linux's owner
 * bits stand for the read-only attribute (no write bit for the owner:
 * read-only), as GetFileAttributes reads them. A path may use '\\' or
 * '/'. Windows has no inode or owner numbers: st_ino, st_uid and st_gid
 * are 0; st_dev and st_rdev name the file system.
 */
#include <errno.h>
#include <strings.h>
#include <sys/stat.h>

#include "win32.h"

/* A name the C runtime takes for a program. */
static bool runs(const char *path) {
  const char *dot = path != NULL ? strrchr(path, '.') : NULL;
  if (dot == NULL || strchr(dot, '/') != NULL)
    return false;
  return strcasecmp(dot, ".exe") == 0 || strcasecmp(dot, ".com") == 0 ||
         strcasecmp(dot, ".bat") == 0 || strcasecmp(dot, ".cmd") == 0;
}

static unsigned short mode_of(const struct stat *ls, const char *path) {
  unsigned short m = 0;
  if (S_ISDIR(ls->st_mode))
    m = _S_IFDIR;
  else if (S_ISREG(ls->st_mode))
    m = _S_IFREG;
  else if (S_ISFIFO(ls->st_mode) || S_ISSOCK(ls->st_mode))
    m = _S_IFIFO;
  else if (S_ISCHR(ls->st_mode))
    m = _S_IFCHR;
  unsigned short perm = _S_IREAD;
  if (ls->st_mode & S_IWUSR)
    perm |= _S_IWRITE;
  if (S_ISDIR(ls->st_mode) || runs(path))
    perm |= _S_IEXEC;
  return (unsigned short)(m | perm | (perm >> 3) | (perm >> 6));
}

static void fill(struct cport_w32_stat *st, const struct stat *ls,
                 const char *path) {
  memset(st, 0, sizeof(*st));
  st->st_dev = st->st_rdev = (unsigned int)ls->st_dev;
  st->st_mode = mode_of(ls, path);
  st->st_nlink = (short)(ls->st_nlink > 32767 ? 32767 : ls->st_nlink);
  st->st_size = (int64_t)ls->st_size;
  /* Whole seconds, as Windows has them. */
#ifdef st_atime
  st->st_atim.tv_sec = ls->st_atim.tv_sec;
  st->st_mtim.tv_sec = ls->st_mtim.tv_sec;
  st->st_ctim.tv_sec = ls->st_ctim.tv_sec;
#else
  st->st_atime = ls->st_atime;
  st->st_mtime = ls->st_mtime;
  st->st_ctime = ls->st_ctime;
#endif
}

CPORT_API int cport_w32_stat(const char *path, struct cport_w32_stat *st) {
  if (path == NULL || st == NULL) {
    errno = EINVAL;
    return -1;
  }
  char *p = w32_unix_path(path);
  if (p == NULL) {
    errno = ENOMEM;
    return -1;
  }
  struct stat ls;
  int rc = stat(p, &ls);
  int err = errno;
  if (rc == 0)
    fill(st, &ls, p);
  free(p);
  if (rc != 0) {
    /* A part of the path that is a file: "no such file", as msvcrt. */
    errno = err == ENOTDIR ? ENOENT : err;
    return -1;
  }
  return 0;
}

CPORT_API int cport_w32_wstat(const wchar_t *path, struct cport_w32_stat *st) {
  if (path == NULL || st == NULL) {
    errno = EINVAL;
    return -1;
  }
  char *p = w32_utf8(path);
  if (p == NULL) {
    errno = ENOMEM;
    return -1;
  }
  int rc = cport_w32_stat(p, st);
  int err = errno;
  free(p);
  errno = err;
  return rc;
}

CPORT_API int cport_w32_fstat(int fd, struct cport_w32_stat *st) {
  if (st == NULL) {
    errno = EINVAL;
    return -1;
  }
  struct stat ls;
  if (fd < 0 || fstat(fd, &ls) != 0) {
    errno = EBADF;
    return -1;
  }
  fill(st, &ls, NULL);
  return 0;
}
