/*
 * dirwatch.c - ReadDirectoryChangesW (and ReadDirectoryChangesExW's
 * plain form) over inotify.
 *
 * A directory handle (files.c: CreateFile with FILE_FLAG_BACKUP_SEMANTICS)
 * gets a watch with its first call: an inotify instance, one inotify
 * watch on the directory (and, for a subtree, one on each directory
 * below it, added as they appear), the filter and subtree of that call,
 * and the handle's buffer of changes, of the first call's size, as
 * Windows keeps one per handle. From then on the kernel queues events
 * between calls; each try of a call (on the call's thread, or on the
 * handle's lane of layer-ops.c for an overlapped call) drains inotify
 * into that buffer as FILE_NOTIFY_INFORMATION records, then hands the
 * records over when there are some. Records that do not fit (the
 * handle's buffer or the caller's), and inotify's own overflow, throw
 * the records away and end the call with 0 bytes: the program rescans.
 *
 * Names come relative to the watched directory, '\\' between a subtree's
 * names. A directory's watches are reached through /proc/self/fd/N/..., so
 * the handle keeps watching its directory if it is renamed, as on
 * Windows. One lock (lk) guards every watch; nothing blocks under it.
 *
 * changenote.c's change notifications use the same watch on a descriptor
 * of their own, with no room for records (w32_dw_watch): a matching change
 * only marks it overflowed, which w32_dw_changed reads and clears.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "win32.h"

#define HEADER_BYTES offsetof(FILE_NOTIFY_INFORMATION, FileName)
#define BUF_MAX (64u * 1024u) /* the handle's buffer, at most */
#define DEPTH_MAX 128         /* a subtree's directories, at most this deep */
#define WAIT_SLICE_MS 100     /* a synchronous call looks for a close */
/* The filter bits Windows takes (FILE_NOTIFY_VALID_MASK): those beyond
 * FILE_NOTIFY_CHANGE_* (extended attributes, streams) never match here. */
#define VALID_FILTERS 0x00000FFFu
#define NAME_FILTERS \
  (FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME)
/* Changes inotify reports as IN_ATTRIB (chmod, chown, utimes, links). */
#define ATTRIB_FILTERS                                           \
  (FILE_NOTIFY_CHANGE_ATTRIBUTES | FILE_NOTIFY_CHANGE_SECURITY | \
   FILE_NOTIFY_CHANGE_CREATION | FILE_NOTIFY_CHANGE_LAST_WRITE | \
   FILE_NOTIFY_CHANGE_LAST_ACCESS)
#define NAME_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)

struct watch {
  int wd;
  char *rel; /* "" for the watched directory, else "a/b" */
};

struct dw {
  struct dw *next;
  int fd;  /* the directory handle */
  int ifd; /* its inotify instance */
  DWORD filter;
  bool subtree;
  uint32_t mask;
  char *buf; /* records, cap bytes */
  size_t cap, used, last;
  bool overflow; /* records were lost: the next call gets 0 bytes */
  bool gone;     /* the directory itself was deleted */
  struct watch *w;
  size_t nw, wcap;
  /* An IN_MOVED_FROM waiting for its IN_MOVED_TO. */
  char *from; /* its path (malloc'd), or NULL */
  uint32_t from_cookie;
  bool from_dir;
};

static pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
static struct dw *all;

static struct dw *find_locked(int fd) {
  for (struct dw *d = all; d != NULL; d = d->next)
    if (d->fd == fd)
      return d;
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Records                                                                   */
/* ------------------------------------------------------------------------ */

/* One record for path ('/' between names) into the handle's buffer; one
 * that does not fit loses them all (the next call gets 0 bytes). */
static void record(struct dw *d, DWORD action, const char *path) {
  if (d->overflow)
    return;
  size_t len = strlen(path);
  int n =
      len == 0 ? 0 : MultiByteToWideChar(CP_UTF8, 0, path, (int)len, NULL, 0);
  size_t size = HEADER_BYTES + (size_t)n * sizeof(WCHAR);
  size = (size + 3u) & ~(size_t)3u; /* each record DWORD-aligned */
  if (n <= 0 || size > d->cap - d->used) {
    d->overflow = true;
    d->used = 0;
    return;
  }
  char *at = d->buf + d->used;
  FILE_NOTIFY_INFORMATION r;
  memset(at, 0, size);
  r.NextEntryOffset = 0;
  r.Action = action;
  r.FileNameLength = (DWORD)((size_t)n * sizeof(WCHAR));
  memcpy(at, &r, HEADER_BYTES);
  WCHAR *name = (WCHAR *)(void *)(at + HEADER_BYTES);
  MultiByteToWideChar(CP_UTF8, 0, path, (int)len, name, n);
  for (int i = 0; i < n; i++)
    if (name[i] == L'/')
      name[i] = L'\\';
  if (d->used > 0) { /* the record before points at this one */
    DWORD next = (DWORD)(d->used - d->last);
    memcpy(d->buf + d->last, &next, sizeof(next));
  }
  d->last = d->used;
  d->used += size;
}

/* "rel/name", or name at the top (malloc'd; NULL: no memory). */
static char *join(const char *rel, const char *name) {
  size_t a = strlen(rel), b = strlen(name);
  char *p = malloc(a + b + 2);
  if (p == NULL)
    return NULL;
  if (a > 0) {
    memcpy(p, rel, a);
    p[a++] = '/';
  }
  memcpy(p + a, name, b + 1);
  return p;
}

/* ------------------------------------------------------------------------ */
/* Watches                                                                   */
/* ------------------------------------------------------------------------ */

static struct watch *watch_of(struct dw *d, int wd) {
  for (size_t i = 0; i < d->nw; i++)
    if (d->w[i].wd == wd)
      return &d->w[i];
  return NULL;
}

static void watch_drop(struct dw *d, size_t i) {
  free(d->w[i].rel);
  d->w[i] = d->w[--d->nw];
}

/* Whether path is prefix or below it. */
static bool under(const char *path, const char *prefix) {
  size_t n = strlen(prefix);
  return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static void scan(struct dw *d, const char *rel, bool report, int depth);

/* A watch on rel (the directory itself for ""): 0, or -errno. A
 * directory found inside is watched too (subtree), and with report each
 * name found is reported as added (it came before its watch could tell). */
static int watch_add(struct dw *d, const char *rel, bool report, int depth) {
  char path[64 + PATH_MAX];
  int n = snprintf(path, sizeof(path), "/proc/self/fd/%d%s%s", d->fd,
                   rel[0] != '\0' ? "/" : "", rel);
  if (n < 0 || (size_t)n >= sizeof(path))
    return -ENAMETOOLONG;
  uint32_t mask = d->mask | IN_ONLYDIR | IN_EXCL_UNLINK;
  if (rel[0] != '\0')
    mask |= IN_DONT_FOLLOW;
  int wd = inotify_add_watch(d->ifd, path, mask);
  if (wd < 0)
    return -errno;
  struct watch *w = watch_of(d, wd);
  char *copy = strdup(rel);
  if (copy == NULL)
    return -ENOMEM;
  if (w != NULL) { /* the same directory again (moved back) */
    free(w->rel);
    w->rel = copy;
  } else {
    if (d->nw == d->wcap) {
      size_t cap = d->wcap ? d->wcap * 2 : 8;
      struct watch *nwv = realloc(d->w, cap * sizeof(*nwv));
      if (nwv == NULL) {
        free(copy);
        inotify_rm_watch(d->ifd, wd);
        return -ENOMEM;
      }
      d->w = nwv;
      d->wcap = cap;
    }
    d->w[d->nw++] = (struct watch){wd, copy};
  }
  if (d->subtree)
    scan(d, rel, report, depth + 1);
  return 0;
}

/* The directories in rel get watches (and with report each name is
 * reported as added). A watch that cannot be had loses the records. */
static void scan(struct dw *d, const char *rel, bool report, int depth) {
  if (depth > DEPTH_MAX)
    return;
  char path[64 + PATH_MAX];
  int n = snprintf(path, sizeof(path), "/proc/self/fd/%d%s%s", d->fd,
                   rel[0] != '\0' ? "/" : "", rel);
  if (n < 0 || (size_t)n >= sizeof(path))
    return;
  DIR *dir = opendir(path);
  if (dir == NULL)
    return;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    bool is_dir = e->d_type == DT_DIR;
    char *child = join(rel, e->d_name);
    if (child == NULL) {
      d->overflow = true;
      continue;
    }
    if (report && (d->filter & (is_dir ? FILE_NOTIFY_CHANGE_DIR_NAME
                                       : FILE_NOTIFY_CHANGE_FILE_NAME)))
      record(d, FILE_ACTION_ADDED, child);
    if (is_dir && watch_add(d, child, report, depth) != 0 && report)
      d->overflow = true;
    free(child);
  }
  closedir(dir);
}

/* The watches of path and below it go (moved out of the tree). */
static void watches_remove(struct dw *d, const char *path) {
  for (size_t i = 0; i < d->nw;) {
    if (under(d->w[i].rel, path)) {
      inotify_rm_watch(d->ifd, d->w[i].wd);
      watch_drop(d, i);
    } else {
      i++;
    }
  }
}

/* The watches of from and below it are at to now (a rename inside). */
static void watches_move(struct dw *d, const char *from, const char *to) {
  size_t nf = strlen(from), nt = strlen(to);
  for (size_t i = 0; i < d->nw; i++) {
    char *r = d->w[i].rel;
    if (!under(r, from))
      continue;
    char *p = malloc(nt + strlen(r + nf) + 1);
    if (p == NULL) {
      d->overflow = true;
      continue;
    }
    memcpy(p, to, nt);
    strcpy(p + nt, r + nf);
    free(r);
    d->w[i].rel = p;
  }
}

/* ------------------------------------------------------------------------ */
/* Events                                                                    */
/* ------------------------------------------------------------------------ */

static DWORD name_filter(bool is_dir) {
  return is_dir ? FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE_FILE_NAME;
}

/* A move out of the tree: no IN_MOVED_TO followed its IN_MOVED_FROM. */
static void from_flush(struct dw *d) {
  if (d->from == NULL)
    return;
  if (d->filter & name_filter(d->from_dir))
    record(d, FILE_ACTION_REMOVED, d->from);
  if (d->from_dir && d->subtree)
    watches_remove(d, d->from);
  free(d->from);
  d->from = NULL;
}

static void event(struct dw *d, const struct inotify_event *ev) {
  if (ev->mask & IN_Q_OVERFLOW) {
    d->overflow = true;
    return;
  }
  if (ev->mask & IN_IGNORED) {
    for (size_t i = 0; i < d->nw; i++)
      if (d->w[i].wd == ev->wd) {
        if (d->w[i].rel[0] == '\0')
          d->gone = true; /* the directory itself went */
        watch_drop(d, i);
        break;
      }
    return;
  }
  struct watch *w = watch_of(d, ev->wd);
  if (w == NULL || ev->len == 0 || ev->name[0] == '\0')
    return; /* a watch gone, or the directory itself: not reported */
  if (d->from != NULL &&
      !((ev->mask & IN_MOVED_TO) && ev->cookie == d->from_cookie))
    from_flush(d);
  bool is_dir = (ev->mask & IN_ISDIR) != 0;
  char *path = join(w->rel, ev->name);
  if (path == NULL) {
    d->overflow = true;
    return;
  }
  DWORD names = d->filter & name_filter(is_dir);
  if (ev->mask & IN_CREATE) {
    if (names)
      record(d, FILE_ACTION_ADDED, path);
    if (is_dir && d->subtree && watch_add(d, path, true, 0) != 0)
      d->overflow = true;
  } else if (ev->mask & IN_DELETE) {
    if (names)
      record(d, FILE_ACTION_REMOVED, path);
  } else if (ev->mask & IN_MOVED_FROM) {
    d->from = path; /* until its IN_MOVED_TO, or the next event */
    d->from_cookie = ev->cookie;
    d->from_dir = is_dir;
    return;
  } else if (ev->mask & IN_MOVED_TO) {
    if (d->from != NULL) { /* a rename inside the tree */
      if (names) {
        record(d, FILE_ACTION_RENAMED_OLD_NAME, d->from);
        record(d, FILE_ACTION_RENAMED_NEW_NAME, path);
      }
      if (is_dir && d->subtree)
        watches_move(d, d->from, path);
      free(d->from);
      d->from = NULL;
    } else { /* moved in from outside */
      if (names)
        record(d, FILE_ACTION_ADDED, path);
      if (is_dir && d->subtree && watch_add(d, path, true, 0) != 0)
        d->overflow = true;
    }
  } else if (ev->mask & (IN_MODIFY | IN_ATTRIB | IN_ACCESS)) {
    DWORD want = 0;
    if (ev->mask & IN_MODIFY)
      want |= FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE;
    if (ev->mask & IN_ATTRIB)
      want |= ATTRIB_FILTERS;
    /* A directory's listing is no change Windows reports (and the
     * layer lists each new directory of a subtree to watch it). */
    if ((ev->mask & IN_ACCESS) && !is_dir)
      want |= FILE_NOTIFY_CHANGE_LAST_ACCESS;
    if (d->filter & want)
      record(d, FILE_ACTION_MODIFIED, path);
  }
  free(path);
}

/* Reads what inotify queued into the handle's buffer. */
static void drain_locked(struct dw *d) {
  _Alignas(struct inotify_event) char raw[16384];
  for (int round = 0;; round++) {
    ssize_t n = read(d->ifd, raw, sizeof(raw));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      /* An IN_MOVED_FROM whose IN_MOVED_TO may not be queued yet: one
       * short look before it counts as a move out of the tree. */
      struct pollfd p = {d->ifd, POLLIN, 0};
      if (d->from != NULL && round < 64 && poll(&p, 1, 1) == 1)
        continue;
      from_flush(d);
      return;
    }
    for (ssize_t off = 0; off < n;) {
      const struct inotify_event *ev = (const void *)(raw + off);
      event(d, ev);
      off += (ssize_t)(sizeof(*ev) + ev->len);
    }
  }
}

/* The records into the caller's buffer: 0 with *bytes (0 when they were
 * lost or do not fit: the program rescans), or CPORT_EAGAIN if none. */
static int take_locked(struct dw *d, char *buf, size_t len, size_t *bytes) {
  *bytes = 0;
  if (d->overflow || d->used > len) {
    d->overflow = false;
    d->used = 0;
    return 0;
  }
  if (d->used > 0) {
    memcpy(buf, d->buf, d->used);
    *bytes = d->used;
    d->used = 0;
    return 0;
  }
  /* The directory itself deleted (STATUS_DELETE_PENDING): inotify tells
   * only once the last descriptor goes, and the handle holds one. */
  struct stat st;
  if (!d->gone && fstat(d->fd, &st) == 0 && st.st_nlink == 0)
    d->gone = true;
  return d->gone ? CPORT_EACCES : CPORT_EAGAIN;
}

/* ------------------------------------------------------------------------ */
/* A handle's watch                                                          */
/* ------------------------------------------------------------------------ */

static uint32_t mask_of(DWORD filter, bool subtree) {
  uint32_t m = 0;
  if ((filter & NAME_FILTERS) || subtree)
    m |= NAME_EVENTS;
  if (filter & (FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE))
    m |= IN_MODIFY;
  if (filter & ATTRIB_FILTERS)
    m |= IN_ATTRIB;
  if (filter & FILE_NOTIFY_CHANGE_LAST_ACCESS)
    m |= IN_ACCESS;
  return m;
}

static void dw_free(struct dw *d) {
  if (d->ifd >= 0)
    close(d->ifd);
  for (size_t i = 0; i < d->nw; i++)
    free(d->w[i].rel);
  free(d->w);
  free(d->from);
  free(d->buf);
  free(d);
}

/* CloseHandle of a directory: its pending calls end (with success and 0
 * bytes, STATUS_NOTIFY_CLEANUP), then its watch goes. */
static void dir_closing(int fd) {
  w32_lop_end_all(fd, W32_LOP_SUCCESS);
  w32_dw_unwatch(fd);
}

void w32_dw_unwatch(int fd) {
  pthread_mutex_lock(&lk);
  struct dw **pp = &all;
  while (*pp != NULL && (*pp)->fd != fd)
    pp = &(*pp)->next;
  struct dw *d = *pp;
  if (d != NULL)
    *pp = d->next;
  pthread_mutex_unlock(&lk);
  if (d != NULL)
    dw_free(d);
}

/* The handle's watch, made by its first call: 0 or -errno. */
static int setup_locked(int fd, DWORD len, bool subtree, DWORD filter) {
  if (find_locked(fd) != NULL)
    return 0; /* later calls keep the first call's filter and subtree */
  struct dw *d = calloc(1, sizeof(*d));
  if (d == NULL)
    return CPORT_ENOMEM;
  d->fd = fd;
  d->filter = filter;
  d->subtree = subtree;
  d->mask = mask_of(filter, subtree);
  d->cap = len < BUF_MAX ? len : BUF_MAX;
  d->buf = malloc(d->cap > 0 ? d->cap : 1);
  d->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  int rc = d->buf == NULL ? CPORT_ENOMEM : d->ifd < 0 ? -errno : 0;
  if (rc == 0)
    rc = watch_add(d, "", false, 0);
  if (rc != 0) {
    dw_free(d);
    return rc;
  }
  d->overflow = false; /* (a directory the first scan could not watch) */
  __atomic_store_n(&w32_dir_closing, dir_closing, __ATOMIC_RELEASE);
  d->next = all;
  all = d;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* A watch that only tells whether something changed (changenote.c)          */
/* ------------------------------------------------------------------------ */

/* Its buffer holds no record: the first change that matches the filter
 * marks it overflowed, which is all a change notification needs. */
int w32_dw_watch(int fd, DWORD filter, bool subtree) {
  if (filter == 0 || (filter & ~VALID_FILTERS))
    return CPORT_EINVAL;
  pthread_mutex_lock(&lk);
  int rc = find_locked(fd) != NULL ? CPORT_EEXIST
                                   : setup_locked(fd, 0, subtree, filter);
  struct dw *d = rc == 0 ? find_locked(fd) : NULL;
  if (d != NULL)
    rc = d->ifd;
  pthread_mutex_unlock(&lk);
  return rc;
}

bool w32_dw_changed(int fd) {
  bool changed = false;
  pthread_mutex_lock(&lk);
  struct dw *d = find_locked(fd);
  if (d != NULL) {
    drain_locked(d);
    changed = d->overflow || d->used > 0;
    d->overflow = false;
    d->used = 0;
  }
  pthread_mutex_unlock(&lk);
  return changed;
}

/* ------------------------------------------------------------------------ */
/* The calls                                                                 */
/* ------------------------------------------------------------------------ */

struct call {
  int fd;
  char *buf;
  size_t len;
};

/* One try: the records, or CPORT_EAGAIN and inotify's descriptor to wait
 * on. A handle closed meanwhile: done, 0 bytes. */
static int step(void *ctx, int *wait_fd, short *events, size_t *bytes) {
  const struct call *c = ctx;
  *bytes = 0;
  pthread_mutex_lock(&lk);
  struct dw *d = find_locked(c->fd);
  int rc = 0;
  if (d != NULL) {
    drain_locked(d);
    rc = take_locked(d, c->buf, c->len, bytes);
    *wait_fd = d->ifd;
    *events = POLLIN;
  }
  pthread_mutex_unlock(&lk);
  return rc;
}

/* In the call, blocking: 0 and *bytes (0: rescan), or a cport code. */
static int in_call(struct call *c, size_t *bytes) {
  w32_block_begin();
  int rc;
  for (;;) {
    int wait_fd = -1;
    short events = 0;
    rc = step(c, &wait_fd, &events, bytes);
    if (rc != CPORT_EAGAIN)
      break;
    /* In slices: a CloseHandle on another thread ends the call. */
    struct pollfd p = {wait_fd, events, 0};
    poll(&p, 1, WAIT_SLICE_MS);
  }
  w32_block_end();
  return rc;
}

static BOOL sync_call(struct call *c, LPDWORD returned, LPOVERLAPPED ov,
                      LPOVERLAPPED_COMPLETION_ROUTINE fn) {
  struct w32_object *r = NULL;
  HANDLE user_event = NULL;
  if (fn != NULL) {
    /* A routine on a synchronous handle: queued once the call is done. */
    if ((r = w32_file_routine_new(ov, fn)) == NULL)
      return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
    user_event = ov->hEvent;
    ov->hEvent = NULL; /* the program's: w32_ov_finish signals none */
  }
  size_t n = 0;
  int rc = in_call(c, &n);
  if (ov != NULL)
    w32_ov_finish(ov, rc, (uint32_t)n);
  if (r != NULL) {
    ov->hEvent = user_event;
    w32_routine_queue_now(r, rc == 0);
  }
  if (returned != NULL)
    *returned = (DWORD)n;
  if (rc != 0)
    return w32_fail(w32_error(rc));
  /* Records lost: "fails with the error code ERROR_NOTIFY_ENUM_DIR". */
  if (n == 0)
    return w32_fail(ERROR_NOTIFY_ENUM_DIR);
  SetLastError(ERROR_SUCCESS);
  return TRUE;
}

static BOOL overlapped_call(struct call *c, LPOVERLAPPED ov,
                            LPOVERLAPPED_COMPLETION_ROUTINE fn) {
  if (fn != NULL && !w32_file_routine_begin(ov, fn))
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  int rc = w32_ov_begin(c->fd, ov);
  if (rc == 0) {
    rc = w32_lop_start(c->fd, ov, W32_LANE_READ, step, c, sizeof(*c));
    w32_ov_end(ov, rc);
  }
  if (rc != 0) {
    if (fn != NULL)
      w32_routine_refused(ov);
    return w32_fail(rc == W32_BAD_EVENT ? ERROR_INVALID_HANDLE : w32_error(rc));
  }
  /* Queued: TRUE, as Windows says for this call; its end comes later. */
  SetLastError(ERROR_SUCCESS);
  return TRUE;
}

CPORT_API BOOL ReadDirectoryChangesW(HANDLE h, LPVOID buf, DWORD len,
                                     BOOL subtree, DWORD filter,
                                     LPDWORD returned, LPOVERLAPPED ov,
                                     LPOVERLAPPED_COMPLETION_ROUTINE fn) {
  int fd = w32_fd(h);
  if (fd < 0 || h == INVALID_HANDLE_VALUE || fcntl(fd, F_GETFD) < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  unsigned flags = w32_fd_flags(fd);
  if (!(flags & W32_FD_DIR) || filter == 0 || (filter & ~VALID_FILTERS) ||
      (fn != NULL && ov == NULL))
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (!(flags & W32_FD_DIR_LIST))
    return w32_fail(ERROR_ACCESS_DENIED);
  if ((buf == NULL && len > 0) || ((uintptr_t)buf & 3u) != 0)
    return w32_fail(ERROR_NOACCESS);
  /* The directory itself deleted (STATUS_DELETE_PENDING): refused in the
   * call, with no packet; a pending call ended as it went (take_locked). */
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_nlink == 0)
    return w32_fail(ERROR_ACCESS_DENIED);
  /* A routine on a handle a port has: as ReadFileEx. */
  if (fn != NULL && (flags & W32_FD_PORT) && !(flags & W32_FD_SYNC))
    return w32_fail(ERROR_INVALID_PARAMETER);
  pthread_mutex_lock(&lk);
  int rc = setup_locked(fd, len, subtree != FALSE, filter);
  pthread_mutex_unlock(&lk);
  if (rc != 0)
    return w32_fail(w32_error(rc));
  struct call c = {fd, buf, len};
  if (ov == NULL || (flags & W32_FD_SYNC))
    return sync_call(&c, returned, ov, fn);
  return overlapped_call(&c, ov, fn);
}

CPORT_API BOOL ReadDirectoryChangesExW(
    HANDLE h, LPVOID buf, DWORD len, BOOL subtree, DWORD filter,
    LPDWORD returned, LPOVERLAPPED ov, LPOVERLAPPED_COMPLETION_ROUTINE fn,
    READ_DIRECTORY_NOTIFY_INFORMATION_CLASS kind) {
  if (kind != ReadDirectoryNotifyInformation)
    return w32_fail(kind == ReadDirectoryNotifyExtendedInformation ||
                            kind == ReadDirectoryNotifyFullInformation
                        ? ERROR_NOT_SUPPORTED
                        : ERROR_INVALID_PARAMETER);
  return ReadDirectoryChangesW(h, buf, len, subtree, filter, returned, ov, fn);
}
