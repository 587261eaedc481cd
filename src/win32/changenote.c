/*
 * changenote.c - FindFirstChangeNotification, FindNextChangeNotification
 * and FindCloseChangeNotification.
 *
 * A change notification is a waitable object (W32_CHANGE) holding a
 * descriptor of its directory and a watch of dirwatch.c's on it (the
 * filter to inotify's events, a subtree's watches), which keeps no
 * records: it only says whether a matching change came. One thread
 * (started with the first notification, every signal blocked) waits on
 * all their inotify descriptors in an epoll set; as one becomes readable
 * it drains it and, if a change matched, signals the object (which stays
 * signalled: WaitFor* never resets it), or, if it is signalled already,
 * notes that another change came. FindNextChangeNotification resets the
 * object, then drains inotify itself: a change that came since the object
 * was signalled (noted, or still in inotify's queue) signals it again at
 * once, as Windows records changes between the two calls.
 *
 * Locking: cn_lock guards each object's descriptors and orders the
 * thread's looks against FindNextChangeNotification and the close; it is
 * taken before dirwatch.c's lock and before w32_lock (which guards
 * `signaled` and `queued`). The epoll entries name the objects, whose
 * memory is type-stable: a look at a closed one sees dirfd -1.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include "win32.h"

static pthread_mutex_t cn_lock = PTHREAD_MUTEX_INITIALIZER;
static int epfd = -1; /* the thread's epoll set, once started */
static pthread_once_t start_once = PTHREAD_ONCE_INIT;

/* The thread's look at c after its inotify descriptor became readable
 * (cn_lock held). */
static void look_locked(struct w32_change *c) {
  if (c->dirfd < 0 || !w32_dw_changed(c->dirfd))
    return;
  pthread_mutex_lock(&w32_lock);
  if (c->signaled) {
    c->queued = true;
  } else {
    c->signaled = true;
    w32_wake_locked(&c->obj);
  }
  pthread_mutex_unlock(&w32_lock);
}

static void *watcher(void *arg) {
  (void)arg;
  for (;;) {
    struct epoll_event evs[32];
    int n = epoll_wait(epfd, evs, 32, -1);
    if (n <= 0)
      continue; /* EINTR */
    pthread_mutex_lock(&cn_lock);
    for (int i = 0; i < n; i++)
      look_locked(evs[i].data.ptr);
    pthread_mutex_unlock(&cn_lock);
  }
  return NULL;
}

static void start(void) {
  int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0)
    return;
  epfd = fd;
  if (!w32_service_thread(NULL, watcher, NULL)) {
    close(fd);
    epfd = -1;
  }
}

/* The watch goes (cn_lock held). */
static void unwatch_locked(struct w32_change *c) {
  if (c->dirfd < 0)
    return;
  if (c->ifd >= 0)
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->ifd, NULL);
  w32_dw_unwatch(c->dirfd); /* closes ifd */
  w32_fd_reset(c->dirfd);
  close(c->dirfd);
  c->dirfd = -1;
  c->ifd = -1;
}

/* The close hook (CloseHandle or FindCloseChangeNotification of the last
 * handle): the watch goes. It holds a reference of its own, dropped
 * last, so the slot is not reused under it. A thread still waiting on the
 * object waits on (nothing signals it any more), as for the layer's
 * other objects. */
static void change_closed(void *arg) {
  struct w32_change *c = arg;
  pthread_mutex_lock(&cn_lock);
  unwatch_locked(c);
  pthread_mutex_unlock(&cn_lock);
  w32_unref(&c->obj);
}

/* The directory at path, opened for its watch: the descriptor, or -1 with
 * the last error set. */
static int open_dir(const char *path) {
  if (path[0] == '\0') {
    w32_fail(ERROR_PATH_NOT_FOUND);
    return -1;
  }
  char *p = w32_unix_path(path);
  if (p == NULL)
    return -1;
  int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    struct stat st;
    /* A file, not a directory: "The directory name is invalid." */
    DWORD e = err == ENOTDIR && stat(p, &st) == 0 && !S_ISDIR(st.st_mode)
                  ? ERROR_DIRECTORY
                  : w32_path_error(p, err);
    free(p);
    w32_fail(e);
    return -1;
  }
  free(p);
  w32_fd_reset(fd);
  return fd;
}

CPORT_API HANDLE FindFirstChangeNotificationA(LPCSTR path, BOOL subtree,
                                              DWORD filter) {
  if (path == NULL)
    return (w32_fail(ERROR_INVALID_PARAMETER), INVALID_HANDLE_VALUE);
  pthread_once(&start_once, start);
  if (epfd < 0)
    return (w32_fail(ERROR_NOT_ENOUGH_MEMORY), INVALID_HANDLE_VALUE);
  int dirfd = open_dir(path);
  if (dirfd < 0)
    return INVALID_HANDLE_VALUE;
  /* The filter is looked at once the directory is open, as Windows
   * opens it before it asks for notifications. */
  int ifd = w32_dw_watch(dirfd, filter, subtree != FALSE);
  if (ifd < 0) {
    w32_fd_reset(dirfd);
    close(dirfd);
    return (w32_fail(ifd == CPORT_EINVAL ? ERROR_INVALID_PARAMETER
                                         : w32_error(ifd)),
            INVALID_HANDLE_VALUE);
  }
  struct w32_change *c = w32_object_new(W32_CHANGE, sizeof(*c));
  if (c == NULL) {
    w32_dw_unwatch(dirfd);
    w32_fd_reset(dirfd);
    close(dirfd);
    return INVALID_HANDLE_VALUE; /* ERROR_NOT_ENOUGH_MEMORY */
  }
  c->dirfd = dirfd;
  c->ifd = ifd;
  c->obj.closed = change_closed;
  c->obj.closed_arg = c;
  pthread_mutex_lock(&w32_lock);
  w32_ref_locked(&c->obj); /* the close hook's */
  pthread_mutex_unlock(&w32_lock);
  pthread_mutex_lock(&cn_lock);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
  int rc = epoll_ctl(epfd, EPOLL_CTL_ADD, ifd, &ev) == 0 ? 0 : -errno;
  pthread_mutex_unlock(&cn_lock);
  if (rc != 0) {
    c->ifd = -1; /* never in the set */
    CloseHandle(c);
    return (w32_fail(w32_error(rc)), INVALID_HANDLE_VALUE);
  }
  SetLastError(ERROR_SUCCESS);
  return (HANDLE)c;
}

CPORT_API HANDLE FindFirstChangeNotificationW(LPCWSTR path, BOOL subtree,
                                              DWORD filter) {
  char *p = w32_utf8(path); /* NULL: ERROR_INVALID_PARAMETER */
  if (p == NULL)
    return INVALID_HANDLE_VALUE;
  HANDLE h = FindFirstChangeNotificationA(p, subtree, filter);
  free(p);
  return h;
}

/* The open change notification h names, referenced, or NULL with
 * ERROR_INVALID_HANDLE. */
static struct w32_change *change_get(HANDLE h) {
  pthread_mutex_lock(&w32_lock);
  struct w32_object *o = w32_object_get(h, W32_CHANGE);
  if (o != NULL)
    w32_ref_locked(o);
  pthread_mutex_unlock(&w32_lock);
  if (o == NULL)
    w32_fail(ERROR_INVALID_HANDLE);
  return (struct w32_change *)o;
}

CPORT_API BOOL FindNextChangeNotification(HANDLE h) {
  struct w32_change *c = change_get(h);
  if (c == NULL)
    return FALSE;
  pthread_mutex_lock(&cn_lock);
  bool open = c->dirfd >= 0;
  /* What inotify holds now came before this call: Windows has recorded
   * it, and it satisfies the next wait at once. */
  bool changed = open && w32_dw_changed(c->dirfd);
  pthread_mutex_lock(&w32_lock);
  c->signaled = open && (changed || c->queued);
  c->queued = false;
  if (c->signaled)
    w32_wake_locked(&c->obj);
  pthread_mutex_unlock(&w32_lock);
  pthread_mutex_unlock(&cn_lock);
  w32_unref(&c->obj);
  if (!open)
    return w32_fail(ERROR_INVALID_HANDLE);
  return TRUE;
}

CPORT_API BOOL FindCloseChangeNotification(HANDLE h) {
  /* CloseHandle, as on Windows (where the handle is the directory's
   * file handle and this call closes whatever it is given). */
  return CloseHandle(h);
}
