/*
 * filesystem.c - the file-system calls beside files.c's: searching a
 * directory (FindFirstFile(Ex), FindNextFile, FindClose), what a file's
 * times and information are (GetFileAttributesEx, GetFileTime,
 * GetFileInformationByHandle) and the FILETIME / SYSTEMTIME conversions;
 * A and W forms. paths.c has the calls on names.
 *
 * Paths: '/' and '\\' both separate components (a Windows program builds
 * paths with either); nothing else is mapped. A search is a W32_FIND
 * object holding its open directory, read as FindNextFile asks.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include "win32.h"

/* ------------------------------------------------------------------------ */
/* Paths                                                                     */
/* ------------------------------------------------------------------------ */

static bool is_sep(char c) {
  return c == '/' || c == '\\';
}

char *w32_unix_path(const char *path) {
  if (path == NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  char *p = strdup(path);
  if (p == NULL)
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  for (char *c = p; *c; c++)
    if (*c == '\\')
      *c = '/';
  return p;
}

DWORD w32_path_error(const char *path, int err) {
  if (err == ENOTDIR)
    return ERROR_PATH_NOT_FOUND;
  if (err != ENOENT)
    return w32_error(-err);
  const char *slash = strrchr(path, '/');
  if (slash == NULL)
    return ERROR_FILE_NOT_FOUND;
  char *dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
  if (dir == NULL)
    return ERROR_NOT_ENOUGH_MEMORY;
  struct stat st;
  bool ok = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
  free(dir);
  return ok ? ERROR_FILE_NOT_FOUND : ERROR_PATH_NOT_FOUND;
}

/* ------------------------------------------------------------------------ */
/* Times and information                                                     */
/* ------------------------------------------------------------------------ */

#define SECS_1601_TO_1970 11644473600ll

FILETIME w32_filetime_of(int64_t sec, uint32_t nsec) {
  FILETIME ft = {0, 0};
  if (sec < -SECS_1601_TO_1970)
    return ft; /* before 1601: the earliest FILETIME */
  uint64_t t = (uint64_t)(sec + SECS_1601_TO_1970) * 10000000u + nsec / 100u;
  ft.dwLowDateTime = (DWORD)t;
  ft.dwHighDateTime = (DWORD)(t >> 32);
  return ft;
}

static uint64_t filetime_value(const FILETIME *ft) {
  return (uint64_t)ft->dwHighDateTime << 32 | ft->dwLowDateTime;
}

static void info_from(const struct statx *sx, struct w32_fs_info *out) {
  bool dir = S_ISDIR(sx->stx_mode);
  /* A file Windows made or changed has its archive bit: Linux keeps no
   * such bit, so every file reports it (never FILE_ATTRIBUTE_NORMAL,
   * which means no other attribute). */
  out->attrs = dir ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE;
  if (!(sx->stx_mode & S_IWUSR))
    out->attrs |= FILE_ATTRIBUTE_READONLY;
  const struct statx_timestamp *birth =
      (sx->stx_mask & STATX_BTIME) ? &sx->stx_btime : &sx->stx_mtime;
  out->created = w32_filetime_of(birth->tv_sec, birth->tv_nsec);
  out->accessed = w32_filetime_of(sx->stx_atime.tv_sec, sx->stx_atime.tv_nsec);
  out->written = w32_filetime_of(sx->stx_mtime.tv_sec, sx->stx_mtime.tv_nsec);
  out->changed = w32_filetime_of(sx->stx_ctime.tv_sec, sx->stx_ctime.tv_nsec);
  out->allocated = (uint64_t)sx->stx_blocks * 512u;
  out->size = dir ? 0 : sx->stx_size; /* Windows reports 0 for a directory */
  out->dev = (uint64_t)sx->stx_dev_major << 32 | sx->stx_dev_minor;
  out->ino = sx->stx_ino;
  out->links = sx->stx_nlink;
}

int w32_info_at(int dirfd, const char *name, struct w32_fs_info *out) {
  memset(out, 0, sizeof(*out)); /* (read only on success) */
  struct statx sx;
  int flags = name[0] == 0 ? AT_EMPTY_PATH : 0;
  unsigned mask = STATX_BASIC_STATS | STATX_BTIME;
  if (statx(dirfd, name, flags, mask, &sx) != 0) {
    int err = errno;
    if (err != ENOENT || name[0] == 0 ||
        statx(dirfd, name, flags | AT_SYMLINK_NOFOLLOW, mask, &sx) != 0)
      return err;
  }
  info_from(&sx, out);
  return 0;
}

static void split64(uint64_t v, DWORD *high, DWORD *low) {
  *high = (DWORD)(v >> 32);
  *low = (DWORD)v;
}

CPORT_API BOOL GetFileAttributesExA(LPCSTR path, GET_FILEEX_INFO_LEVELS level,
                                    LPVOID info) {
  if (level != GetFileExInfoStandard || info == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  char *p = w32_unix_path(path);
  if (p == NULL)
    return FALSE;
  struct w32_fs_info fi;
  int err = w32_info_at(AT_FDCWD, p, &fi);
  DWORD e = err != 0 ? w32_path_error(p, err) : 0;
  free(p);
  if (err != 0)
    return w32_fail(e);
  WIN32_FILE_ATTRIBUTE_DATA *d = info;
  d->dwFileAttributes = fi.attrs;
  d->ftCreationTime = fi.created;
  d->ftLastAccessTime = fi.accessed;
  d->ftLastWriteTime = fi.written;
  split64(fi.size, &d->nFileSizeHigh, &d->nFileSizeLow);
  return TRUE;
}

CPORT_API BOOL GetFileAttributesExW(LPCWSTR path, GET_FILEEX_INFO_LEVELS level,
                                    LPVOID info) {
  char *p = w32_utf8(path);
  if (p == NULL)
    return FALSE;
  BOOL ok = GetFileAttributesExA(p, level, info);
  free(p);
  return ok;
}

static bool handle_info(HANDLE h, struct w32_fs_info *fi) {
  int fd = w32_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  int err = w32_info_at(fd, "", fi);
  if (err != 0)
    return w32_fail(err == EBADF ? ERROR_INVALID_HANDLE : w32_error(-err));
  return true;
}

CPORT_API BOOL GetFileTime(HANDLE h, LPFILETIME creation, LPFILETIME access,
                           LPFILETIME write) {
  struct w32_fs_info fi;
  if (!handle_info(h, &fi))
    return FALSE;
  if (creation)
    *creation = fi.created;
  if (access)
    *access = fi.accessed;
  if (write)
    *write = fi.written;
  return TRUE;
}

CPORT_API BOOL GetFileInformationByHandle(HANDLE h,
                                          LPBY_HANDLE_FILE_INFORMATION info) {
  if (info == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  struct w32_fs_info fi;
  if (!handle_info(h, &fi))
    return FALSE;
  info->dwFileAttributes = fi.attrs;
  info->ftCreationTime = fi.created;
  info->ftLastAccessTime = fi.accessed;
  info->ftLastWriteTime = fi.written;
  info->dwVolumeSerialNumber = (DWORD)(fi.dev ^ fi.dev >> 32);
  split64(fi.size, &info->nFileSizeHigh, &info->nFileSizeLow);
  info->nNumberOfLinks = fi.links;
  split64(fi.ino, &info->nFileIndexHigh, &info->nFileIndexLow);
  return TRUE;
}

/* The calendar, counted in days from 1601-01-01 (a Monday), the start of
 * a 400-year cycle: each cycle, century and 4-year group ends with its
 * leap day, so the days split into them by plain division. Integer
 * arithmetic only, for the whole FILETIME range whatever time_t is. */
#define DAYS_400Y 146097u
#define DAYS_100Y 36524u
#define DAYS_4Y 1461u

static bool leap_year(unsigned y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static const unsigned short days_before_month[2][13] = {
    {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
    {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366}};

CPORT_API BOOL FileTimeToSystemTime(const FILETIME *ft, LPSYSTEMTIME st) {
  if (ft == NULL || st == NULL || ft->dwHighDateTime > 0x7FFFFFFFu)
    return w32_fail(ERROR_INVALID_PARAMETER);
  uint64_t t = filetime_value(ft);
  uint64_t secs = t / 10000000u, days = secs / 86400u;
  unsigned in_day = (unsigned)(secs % 86400u);
  unsigned c400 = (unsigned)(days / DAYS_400Y);
  unsigned r = (unsigned)(days % DAYS_400Y);
  unsigned c100 = r / DAYS_100Y;
  if (c100 == 4)
    c100 = 3; /* the cycle's last day */
  r -= c100 * DAYS_100Y;
  unsigned c4 = r / DAYS_4Y;
  r %= DAYS_4Y;
  unsigned c1 = r / 365u;
  if (c1 == 4)
    c1 = 3; /* the group's leap day */
  r -= c1 * 365u;
  unsigned year = 1601u + c400 * 400u + c100 * 100u + c4 * 4u + c1;
  const unsigned short *before = days_before_month[leap_year(year)];
  unsigned month = 1;
  while (r >= before[month])
    month++;
  st->wYear = (WORD)year;
  st->wMonth = (WORD)month;
  st->wDayOfWeek = (WORD)((days + 1) % 7); /* 1601-01-01: Monday (1) */
  st->wDay = (WORD)(r - before[month - 1] + 1);
  st->wHour = (WORD)(in_day / 3600u);
  st->wMinute = (WORD)(in_day / 60u % 60u);
  st->wSecond = (WORD)(in_day % 60u);
  st->wMilliseconds = (WORD)(t % 10000000u / 10000u);
  return TRUE;
}

CPORT_API BOOL SystemTimeToFileTime(const SYSTEMTIME *st, LPFILETIME ft) {
  if (st == NULL || ft == NULL || st->wYear < 1601 || st->wYear > 30827 ||
      st->wMonth < 1 || st->wMonth > 12 || st->wDay < 1 || st->wHour > 23 ||
      st->wMinute > 59 || st->wSecond > 59 || st->wMilliseconds > 999)
    return w32_fail(ERROR_INVALID_PARAMETER);
  const unsigned short *before = days_before_month[leap_year(st->wYear)];
  if (st->wDay > before[st->wMonth] - before[st->wMonth - 1])
    return w32_fail(ERROR_INVALID_PARAMETER); /* e.g. 29 February 2001 */
  uint64_t y = st->wYear - 1601u;
  uint64_t days = y * 365u + y / 4u - y / 100u + y / 400u +
                  before[st->wMonth - 1] + st->wDay - 1u;
  uint64_t secs =
      days * 86400u + st->wHour * 3600u + st->wMinute * 60u + st->wSecond;
  uint64_t t = secs * 10000000u + st->wMilliseconds * 10000u;
  ft->dwLowDateTime = (DWORD)t;
  ft->dwHighDateTime = (DWORD)(t >> 32);
  return TRUE;
}

CPORT_API LONG CompareFileTime(const FILETIME *a, const FILETIME *b) {
  uint64_t x = filetime_value(a), y = filetime_value(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Searching a directory                                                     */
/* ------------------------------------------------------------------------ */

struct w32_find {
  struct w32_object obj;
  pthread_mutex_t lock; /* one reader of the directory at a time */
  DIR *dir;             /* NULL once closed */
  bool root;            /* the root directory: no "." nor ".." */
  bool dirs_only;       /* FindExSearchLimitToDirectories */
  bool exact_case;      /* FIND_FIRST_EX_CASE_SENSITIVE */
  char *pattern;
};

/* One UTF-8 character's length at s (1 for a stray byte). */
static size_t char_len(const unsigned char *s) {
  size_t n = 1;
  if (*s >= 0xC0)
    while ((s[n] & 0xC0) == 0x80)
      n++;
  return n;
}

static int fold(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Whether name matches pat: '*' any run of characters, '?' one character,
 * ASCII letters without regard to case unless exact; a ".*" at the
 * pattern's end also matches no extension ("*.*" matches every name), as
 * on Windows. */
static bool wild_match(const char *pat, const char *name, bool exact) {
  const unsigned char *p = (const unsigned char *)pat;
  const unsigned char *n = (const unsigned char *)name;
  const unsigned char *star = NULL, *resume = NULL;
  for (;;) {
    if (*p == '*') {
      star = ++p;
      resume = n;
      continue;
    }
    if (*n == 0) {
      while (*p == '*')
        p++;
      if (*p == 0 || (p[0] == '.' && p[1] == '*' && p[2] == 0))
        return true;
    } else if (*p == '?') {
      p++;
      n += char_len(n);
      continue;
    } else if (*p != 0 && (exact ? *p == *n : fold(*p) == fold(*n))) {
      p++;
      n++;
      continue;
    }
    /* A mismatch: let the last '*' take one more character. */
    if (star == NULL || *resume == 0)
      return false;
    resume += char_len(resume);
    p = star;
    n = resume;
  }
}

/* The close hook: runs after the handle is gone, so it holds a
 * reference of its own (taken in find_first), which it drops last: the
 * slot cannot be reused under it by another search. */
static void find_closed(void *arg) {
  struct w32_find *f = arg;
  pthread_mutex_lock(&f->lock);
  if (f->dir != NULL)
    closedir(f->dir);
  f->dir = NULL;
  free(f->pattern);
  f->pattern = NULL;
  pthread_mutex_unlock(&f->lock);
  w32_unref(&f->obj);
}

/* The next entry matching the search: its name (in the directory's
 * buffer, valid until the next read) and information; NULL at the end.
 * f->lock held. */
static const char *find_next_locked(struct w32_find *f,
                                    struct w32_fs_info *fi) {
  struct dirent *e;
  while ((e = readdir(f->dir)) != NULL) {
    const char *name = e->d_name;
    bool dots = strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
    if ((dots && f->root) || !wild_match(f->pattern, name, f->exact_case))
      continue;
    if (w32_info_at(dirfd(f->dir), name, fi) != 0)
      continue; /* gone meanwhile */
    if (f->dirs_only && !(fi->attrs & FILE_ATTRIBUTE_DIRECTORY))
      continue;
    return name;
  }
  return NULL;
}

/* Opens a search for a UTF-8 pattern and reads its first entry, copied to
 * name (NAME_MAX + 1 bytes); directories only, or with letters' case. */
static HANDLE find_first(const char *pattern, char *name,
                         struct w32_fs_info *fi, bool dirs_only,
                         bool exact_case) {
  if (pattern == NULL || pattern[0] == 0)
    return (w32_fail(ERROR_INVALID_PARAMETER), INVALID_HANDLE_VALUE);
  size_t len = strlen(pattern);
  if (is_sep(pattern[len - 1])) /* "always fails" */
    return (w32_fail(ERROR_FILE_NOT_FOUND), INVALID_HANDLE_VALUE);
  char *p = w32_unix_path(pattern);
  if (p == NULL)
    return INVALID_HANDLE_VALUE;
  char *slash = strrchr(p, '/');
  const char *dir = ".", *last = p;
  if (slash != NULL) {
    *slash = 0;
    last = slash + 1;
    dir = slash == p ? "/" : p;
  }
  DIR *d = opendir(dir);
  int err = errno;
  if (d == NULL) {
    free(p);
    DWORD e = err == ENOENT || err == ENOTDIR ? ERROR_PATH_NOT_FOUND
                                              : w32_error(-err);
    return (w32_fail(e), INVALID_HANDLE_VALUE);
  }
  struct w32_find *f = w32_object_new(W32_FIND, sizeof(*f));
  char *pat = strdup(last);
  free(p);
  if (f == NULL || pat == NULL) {
    closedir(d);
    free(pat);
    if (f != NULL)
      CloseHandle((HANDLE)f);
    return (w32_fail(ERROR_NOT_ENOUGH_MEMORY), INVALID_HANDLE_VALUE);
  }
  pthread_mutex_init(&f->lock, NULL);
  f->dir = d;
  f->pattern = pat;
  f->root = false;
  f->dirs_only = dirs_only;
  f->exact_case = exact_case;
  struct stat ds, rs;
  if (fstat(dirfd(d), &ds) == 0 && stat("/", &rs) == 0)
    f->root = ds.st_dev == rs.st_dev && ds.st_ino == rs.st_ino;
  f->obj.closed = find_closed;
  f->obj.closed_arg = f;
  pthread_mutex_lock(&w32_lock);
  w32_ref_locked(&f->obj); /* the close hook's */
  pthread_mutex_unlock(&w32_lock);
  pthread_mutex_lock(&f->lock);
  const char *n = find_next_locked(f, fi);
  if (n != NULL)
    snprintf(name, NAME_MAX + 1, "%s", n);
  pthread_mutex_unlock(&f->lock);
  if (n == NULL) {
    CloseHandle((HANDLE)f);
    return (w32_fail(ERROR_FILE_NOT_FOUND), INVALID_HANDLE_VALUE);
  }
  return (HANDLE)f;
}

static bool find_next(HANDLE h, char *name, struct w32_fs_info *fi) {
  /* A reference for the call, so a FindClose meanwhile cannot free it. */
  pthread_mutex_lock(&w32_lock);
  struct w32_find *f = (struct w32_find *)w32_object_get(h, W32_FIND);
  if (f != NULL)
    w32_ref_locked(&f->obj);
  pthread_mutex_unlock(&w32_lock);
  if (f == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  pthread_mutex_lock(&f->lock);
  const char *n = f->dir != NULL ? find_next_locked(f, fi) : NULL;
  bool open = f->dir != NULL;
  if (n != NULL)
    snprintf(name, NAME_MAX + 1, "%s", n);
  pthread_mutex_unlock(&f->lock);
  w32_unref(&f->obj);
  if (n == NULL)
    return w32_fail(open ? ERROR_NO_MORE_FILES : ERROR_INVALID_HANDLE);
  return true;
}

#define FILL_FIND_DATA(d, fi)                                     \
  do {                                                            \
    (d)->dwFileAttributes = (fi)->attrs;                          \
    (d)->ftCreationTime = (fi)->created;                          \
    (d)->ftLastAccessTime = (fi)->accessed;                       \
    (d)->ftLastWriteTime = (fi)->written;                         \
    split64((fi)->size, &(d)->nFileSizeHigh, &(d)->nFileSizeLow); \
    (d)->dwReserved0 = (d)->dwReserved1 = 0;                      \
    (d)->cAlternateFileName[0] = 0;                               \
  } while (0)

static void fill_a(LPWIN32_FIND_DATAA d, const char *name,
                   const struct w32_fs_info *fi) {
  FILL_FIND_DATA(d, fi);
  snprintf(d->cFileName, sizeof(d->cFileName), "%s", name);
}

static void fill_w(LPWIN32_FIND_DATAW d, const char *name,
                   const struct w32_fs_info *fi) {
  FILL_FIND_DATA(d, fi);
  if (MultiByteToWideChar(CP_UTF8, 0, name, -1, d->cFileName, MAX_PATH) <= 0)
    d->cFileName[0] = 0;
}

CPORT_API HANDLE FindFirstFileA(LPCSTR pattern, LPWIN32_FIND_DATAA data) {
  char name[NAME_MAX + 1];
  struct w32_fs_info fi;
  if (data == NULL)
    return (w32_fail(ERROR_INVALID_PARAMETER), INVALID_HANDLE_VALUE);
  HANDLE h = find_first(pattern, name, &fi, false, false);
  if (h != INVALID_HANDLE_VALUE)
    fill_a(data, name, &fi);
  return h;
}

CPORT_API HANDLE FindFirstFileW(LPCWSTR pattern, LPWIN32_FIND_DATAW data) {
  char name[NAME_MAX + 1];
  struct w32_fs_info fi;
  if (data == NULL)
    return (w32_fail(ERROR_INVALID_PARAMETER), INVALID_HANDLE_VALUE);
  char *p = w32_utf8(pattern);
  if (p == NULL)
    return INVALID_HANDLE_VALUE;
  HANDLE h = find_first(p, name, &fi, false, false);
  free(p);
  if (h != INVALID_HANDLE_VALUE)
    fill_w(data, name, &fi);
  return h;
}

CPORT_API BOOL FindNextFileA(HANDLE find, LPWIN32_FIND_DATAA data) {
  char name[NAME_MAX + 1];
  struct w32_fs_info fi;
  if (data == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (!find_next(find, name, &fi))
    return FALSE;
  fill_a(data, name, &fi);
  return TRUE;
}

CPORT_API BOOL FindNextFileW(HANDLE find, LPWIN32_FIND_DATAW data) {
  char name[NAME_MAX + 1];
  struct w32_fs_info fi;
  if (data == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (!find_next(find, name, &fi))
    return FALSE;
  fill_w(data, name, &fi);
  return TRUE;
}

CPORT_API BOOL FindClose(HANDLE find) {
  if (w32_object_get(find, W32_FIND) == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  return CloseHandle(find);
}

/* FindFirstFileEx: the same search, with its options checked. */
static bool find_ex_args(FINDEX_INFO_LEVELS level, LPVOID data,
                         FINDEX_SEARCH_OPS op, LPVOID filter, DWORD flags) {
  DWORD known = FIND_FIRST_EX_CASE_SENSITIVE | FIND_FIRST_EX_LARGE_FETCH |
                FIND_FIRST_EX_ON_DISK_ENTRIES_ONLY;
  if (data == NULL || filter != NULL || (flags & ~known) != 0 ||
      (level != FindExInfoStandard && level != FindExInfoBasic) ||
      (op != FindExSearchNameMatch && op != FindExSearchLimitToDirectories))
    return w32_fail(ERROR_INVALID_PARAMETER);
  return true;
}

CPORT_API HANDLE FindFirstFileExA(LPCSTR pattern, FINDEX_INFO_LEVELS level,
                                  LPVOID data, FINDEX_SEARCH_OPS op,
                                  LPVOID filter, DWORD flags) {
  char name[NAME_MAX + 1];
  struct w32_fs_info fi;
  if (!find_ex_args(level, data, op, filter, flags))
    return INVALID_HANDLE_VALUE;
  HANDLE h =
      find_first(pattern, name, &fi, op == FindExSearchLimitToDirectories,
                 (flags & FIND_FIRST_EX_CASE_SENSITIVE) != 0);
  if (h != INVALID_HANDLE_VALUE)
    fill_a(data, name, &fi);
  return h;
}

CPORT_API HANDLE FindFirstFileExW(LPCWSTR pattern, FINDEX_INFO_LEVELS level,
                                  LPVOID data, FINDEX_SEARCH_OPS op,
                                  LPVOID filter, DWORD flags) {
  char name[NAME_MAX + 1];
  struct w32_fs_info fi;
  if (!find_ex_args(level, data, op, filter, flags))
    return INVALID_HANDLE_VALUE;
  char *p = w32_utf8(pattern);
  if (p == NULL)
    return INVALID_HANDLE_VALUE;
  HANDLE h = find_first(p, name, &fi, op == FindExSearchLimitToDirectories,
                        (flags & FIND_FIRST_EX_CASE_SENSITIVE) != 0);
  free(p);
  if (h != INVALID_HANDLE_VALUE)
    fill_w(data, name, &fi);
  return h;
}
