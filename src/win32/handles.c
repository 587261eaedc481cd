/*
 * handles.c - what a HANDLE names. Below 1 << 22 it holds a file
 * descriptor (sockets and files, as SOCKET values do), and the layer
 * keeps a little state per descriptor; otherwise it points at one of the
 * layer's objects: a completion port, a thread, an event, a mutex, a
 * semaphore, or stdin. CloseHandle for all of them.
 *
 * Objects live in one arena of fixed-size slots, reserved once: a HANDLE
 * is checked to be a slot of it before it is read, so any value a program
 * passes is safe to look at. Object memory is type-stable (see struct
 * w32_object): a closed object goes to its type's free list and only ever
 * becomes another object of the same type, so a HANDLE used after
 * CloseHandle reads a closed (or a newer) object of its type.
 */
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "win32.h"

pthread_mutex_t w32_lock = PTHREAD_MUTEX_INITIALIZER;

static struct w32_object *free_lists[W32_TYPES];

/* The arena: 1 << 20 slots of 256 bytes (256 MiB of addresses, memory
 * only for the slots used), committed 64 KiB at a time. It lies below
 * 2 GiB where the system allows, so that an object's HANDLE survives a
 * trip through 32 bits (HandleToULong / ULongToHandle, HandleToLong /
 * LongToHandle), as Windows promises of its handles ("only the lower 32
 * bits are significant"). */
#define SLOT 256u
#define ARENA_SLOTS (1u << 20)
#define COMMIT (64u * 1024u)
static char *arena;
static size_t arena_used;      /* bytes handed out */
static size_t arena_committed; /* bytes usable */
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;

static void *arena_map(int extra, void *hint) {
  return mmap(hint, (size_t)SLOT * ARENA_SLOTS, PROT_NONE,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | extra, -1, 0);
}

/* Whether the whole arena at p is below 2 GiB (a positive 32-bit value). */
static bool low(const void *p) {
  return p != MAP_FAILED &&
         (uintptr_t)p + (size_t)SLOT * ARENA_SLOTS <= (uintptr_t)INT32_MAX;
}

static void arena_init(void) {
  void *p = MAP_FAILED;
#if defined(MAP_32BIT)
  p = arena_map(MAP_32BIT, NULL); /* x86-64: within the first 2 GiB */
#endif
  if (!low(p)) {
    if (p != MAP_FAILED)
      munmap(p, (size_t)SLOT * ARENA_SLOTS);
    /* Elsewhere: ask for room at 256 MiB (a hint the system may not take;
     * anywhere at all is still better than no objects). */
    p = arena_map(0, (void *)(uintptr_t)0x10000000u);
  }
  if (p != MAP_FAILED)
    __atomic_store_n(&arena, (char *)p, __ATOMIC_RELEASE);
}

/* A fresh slot (w32_lock held), or NULL. */
static struct w32_object *slot_new_locked(void) {
  if (arena == NULL || arena_used >= (size_t)SLOT * ARENA_SLOTS)
    return NULL;
  if (arena_used + SLOT > arena_committed) {
    if (mprotect(arena + arena_committed, COMMIT, PROT_READ | PROT_WRITE) != 0)
      return NULL;
    arena_committed += COMMIT;
  }
  struct w32_object *o = (struct w32_object *)(void *)(arena + arena_used);
  /* Published after the slot is usable: w32_object_get reads up to it. */
  __atomic_store_n(&arena_used, arena_used + SLOT, __ATOMIC_RELEASE);
  return o;
}

void *w32_object_new(uint8_t type, size_t size) {
  if (size > SLOT)
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  pthread_once(&arena_once, arena_init);
  pthread_mutex_lock(&w32_lock);
  struct w32_object *o = free_lists[type];
  if (o != NULL)
    free_lists[type] = o->free_next;
  else
    o = slot_new_locked();
  pthread_mutex_unlock(&w32_lock);
  if (o == NULL)
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  memset((char *)o + sizeof(*o), 0, size - sizeof(*o));
  o->type = type;
  o->refs = 1;
  o->handles = 1;
  __atomic_store_n(&o->own_closed, false, __ATOMIC_RELAXED);
  o->free_next = NULL;
  o->waiters = NULL;
  o->closed = NULL;
  o->closed_arg = NULL;
  __atomic_store_n(&o->magic, W32_MAGIC, __ATOMIC_RELAXED);
  __atomic_store_n(&o->open, true, __ATOMIC_RELEASE);
  return o;
}

bool w32_is_object(const void *h) {
  char *a = __atomic_load_n(&arena, __ATOMIC_ACQUIRE);
  uintptr_t p = (uintptr_t)h, base = (uintptr_t)a;
  if (a == NULL || p < base ||
      p - base >= __atomic_load_n(&arena_used, __ATOMIC_ACQUIRE) ||
      (p - base) % SLOT != 0)
    return false; /* descriptors, pseudo handles, anything not a slot */
  const struct w32_object *o = h;
  return __atomic_load_n(&o->magic, __ATOMIC_RELAXED) == W32_MAGIC;
}

HANDLE w32_untag(HANDLE h) {
  void *v = (void *)((uintptr_t)h & ~(uintptr_t)3);
  return ((uintptr_t)h & 3) != 0 && w32_is_object(v) ? v : h;
}

struct w32_object *w32_object_get(HANDLE h, int type) {
  h = w32_untag(h);
  if (!w32_is_object(h))
    return NULL;
  struct w32_object *o = h;
  if (o->type == W32_ALIAS) {
    /* A second handle: the object it names is open while it is. */
    if (!__atomic_load_n(&o->open, __ATOMIC_ACQUIRE))
      return NULL;
    o = __atomic_load_n(&((struct w32_alias *)h)->target, __ATOMIC_ACQUIRE);
    if (o == NULL)
      return NULL;
  } else if (__atomic_load_n(&o->own_closed, __ATOMIC_ACQUIRE)) {
    return NULL; /* this value was closed; duplicates live on */
  }
  if (type != 0 && o->type != type)
    return NULL;
  return __atomic_load_n(&o->open, __ATOMIC_ACQUIRE) ? o : NULL;
}

void w32_ref_locked(struct w32_object *o) {
  o->refs++;
}

void w32_unref_locked(struct w32_object *o) {
  if (--o->refs > 0)
    return;
  __atomic_store_n(&o->open, false, __ATOMIC_RELEASE);
  o->free_next = free_lists[o->type];
  free_lists[o->type] = o;
}

void w32_unref(struct w32_object *o) {
  pthread_mutex_lock(&w32_lock);
  w32_unref_locked(o);
  pthread_mutex_unlock(&w32_lock);
}

/* ------------------------------------------------------------------------ */
/* Second handles (DuplicateHandle, OpenThread)                              */
/* ------------------------------------------------------------------------ */

HANDLE w32_handle_to(struct w32_object *o, bool reopen) {
  struct w32_alias *a = w32_object_new(W32_ALIAS, sizeof(*a));
  if (a == NULL)
    return NULL;
  pthread_mutex_lock(&w32_lock);
  bool ok = o->open || (reopen && o->refs > 0);
  if (ok) {
    if (!o->open) {
      /* Every handle was closed, its own value too, but the object lives
       * (a running thread): it gets the handle reference back. */
      __atomic_store_n(&o->own_closed, true, __ATOMIC_RELEASE);
      o->handles = 0;
      o->refs++;
      __atomic_store_n(&o->open, true, __ATOMIC_RELEASE);
    }
    o->handles++;
    __atomic_store_n(&a->target, o, __ATOMIC_RELEASE);
  } else {
    __atomic_store_n(&a->obj.open, false, __ATOMIC_RELEASE);
    w32_unref_locked(&a->obj);
  }
  pthread_mutex_unlock(&w32_lock);
  return ok ? (HANDLE)a : w32_fail_null(ERROR_INVALID_HANDLE);
}

static struct w32_object *alias_of(HANDLE h) {
  h = w32_untag(h);
  struct w32_object *o = h;
  return h != NULL && w32_is_object(h) && o->type == W32_ALIAS ? o : NULL;
}

bool w32_alias_hold(HANDLE h) {
  struct w32_object *a = alias_of(h);
  if (a == NULL)
    return true;
  pthread_mutex_lock(&w32_lock);
  bool open = a->open;
  if (open)
    w32_ref_locked(a);
  pthread_mutex_unlock(&w32_lock);
  return open;
}

void w32_alias_release(HANDLE h) {
  struct w32_object *a = alias_of(h);
  if (a != NULL)
    w32_unref(a);
}

struct w32_object *w32_alias_target(struct w32_object *o) {
  return o != NULL && o->type == W32_ALIAS
             ? __atomic_load_n(&((struct w32_alias *)o)->target,
                               __ATOMIC_ACQUIRE)
             : NULL;
}

/* ------------------------------------------------------------------------ */
/* Descriptors: what a HANDLE below 1 << 22 holds, and what the layer     */
/* remembers about each (the program's FIONBIO, a synchronous file, when a */
/* socket connected, a reset, threads in accept())                         */
/* ------------------------------------------------------------------------ */

#define CHUNK 4096
#define CHUNKS 1024 /* 4096 * 1024 = 1 << 22 descriptors: the HANDLE range */

struct fdinfo {
  uint64_t connected_ms; /* 0: not seen connected */
  uint32_t flags;        /* W32_FD_* */
  uint32_t accepting;    /* threads in accept() / WSAAccept() on it */
  int error;             /* SO_ERROR the layer took from the kernel */
  uint32_t winsock;      /* an IP socket Winsock made: WSACleanup closes it */
  uint32_t bound_port;   /* the TCP port its own bind took, or 0 */
};
/* How many open stream sockets hold each TCP port by their own bind. */
static uint32_t port_holders[65536];
static struct fdinfo *chunks[CHUNKS];

static struct fdinfo *info(int fd, bool create) {
  if (fd < 0 || fd >= CHUNK * CHUNKS)
    return NULL;
  struct fdinfo **cp = &chunks[fd / CHUNK];
  struct fdinfo *c = __atomic_load_n(cp, __ATOMIC_ACQUIRE);
  if (c == NULL) {
    if (!create)
      return NULL;
    struct fdinfo *fresh = calloc(CHUNK, sizeof(*fresh));
    if (fresh == NULL)
      return NULL;
    if (!__atomic_compare_exchange_n(cp, &c, fresh, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
      free(fresh); /* another thread's chunk is in place: c */
    else
      c = fresh;
  }
  return &c[fd % CHUNK];
}

void (*w32_fd_forget)(int fd);

void w32_fd_reset(int fd) {
  struct fdinfo *i = info(fd, false);
  if (i != NULL) {
    unsigned was = __atomic_exchange_n(&i->flags, 0, __ATOMIC_ACQ_REL);
    __atomic_store_n(&i->connected_ms, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&i->error, 0, __ATOMIC_RELAXED);
    w32_fd_bound_port(fd, 0);
    void (*forget)(int) = __atomic_load_n(&w32_fd_forget, __ATOMIC_ACQUIRE);
    if ((was & W32_FD_EVENTSELECT) && forget != NULL)
      forget(fd); /* before the descriptor closes: off the watch */
  }
}

void w32_fd_bound_port(int fd, unsigned port) {
  struct fdinfo *i = info(fd, port != 0);
  if (i == NULL)
    return;
  uint32_t was =
      __atomic_exchange_n(&i->bound_port, port & 0xFFFFu, __ATOMIC_ACQ_REL);
  if (was != 0)
    __atomic_sub_fetch(&port_holders[was], 1, __ATOMIC_RELEASE);
  if ((port & 0xFFFFu) != 0)
    __atomic_add_fetch(&port_holders[port & 0xFFFFu], 1, __ATOMIC_RELEASE);
}

bool w32_port_bound_here(unsigned port) {
  return port < 65536 &&
         __atomic_load_n(&port_holders[port], __ATOMIC_ACQUIRE) != 0;
}

void w32_fd_closed(int fd) {
  if (cport__handle_state(fd) & CPORT__CLOSED)
    w32_fd_set_flags(fd, W32_FD_GONE, 0);
}

static bool winsock_ended;

bool w32_winsock_ended(void) {
  return __atomic_load_n(&winsock_ended, __ATOMIC_ACQUIRE);
}

void w32_winsock_end(bool ended) {
  __atomic_store_n(&winsock_ended, ended, __ATOMIC_RELEASE);
}

void w32_fd_winsock(int fd, bool made) {
  struct fdinfo *i = info(fd, made);
  if (i != NULL)
    __atomic_store_n(&i->winsock, made ? 1u : 0u, __ATOMIC_RELEASE);
}

void w32_fd_each_winsock(void (*fn)(int fd)) {
  for (int c = 0; c < CHUNKS; c++) {
    struct fdinfo *chunk = __atomic_load_n(&chunks[c], __ATOMIC_ACQUIRE);
    for (int k = 0; chunk != NULL && k < CHUNK; k++)
      if (__atomic_load_n(&chunk[k].winsock, __ATOMIC_ACQUIRE))
        fn(c * CHUNK + k);
  }
}

void w32_fd_new_socket(int fd, int af, int type) {
  w32_fd_reset(fd);
  /* The address families Winsock's sockets have here; a pipe's AF_UNIX
   * socket is not one. */
  w32_fd_winsock(fd, af == AF_INET || af == AF_INET6);
  if ((type & 0xf) == SOCK_DGRAM)
    w32_fd_set_flags(fd, W32_FD_DGRAM, 0);
  if ((type & 0xf) == SOCK_DGRAM && (af == AF_INET || af == AF_INET6))
    (void)w32_udp_reports(fd, true); /* SIO_UDP_CONNRESET's default */
  if (af == AF_INET6) {
    /* "By default, an IPv6 socket created on Windows Vista and later only
     * operates over the IPv6 protocol" (Linux follows bindv6only). */
    int on = 1;
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
  }
}

unsigned w32_fd_flags(int fd) {
  struct fdinfo *i = info(fd, false);
  return i ? __atomic_load_n(&i->flags, __ATOMIC_ACQUIRE) : 0;
}

void w32_fd_set_flags(int fd, unsigned set, unsigned clear) {
  struct fdinfo *i = info(fd, true);
  if (i == NULL)
    return;
  __atomic_or_fetch(&i->flags, set, __ATOMIC_RELEASE);
  __atomic_and_fetch(&i->flags, ~clear, __ATOMIC_RELEASE);
}

void w32_fd_connected(int fd) {
  struct fdinfo *i = info(fd, true);
  if (i != NULL)
    __atomic_store_n(&i->connected_ms, w32_now_ms(), __ATOMIC_RELAXED);
}

void w32_fd_connect_outcome(int fd, int err, bool taken) {
  struct fdinfo *i = info(fd, true);
  if (i == NULL)
    return;
  if (err == 0)
    w32_fd_connected(fd);
  else if (taken)
    __atomic_store_n(&i->error, err, __ATOMIC_RELAXED);
  __atomic_and_fetch(&i->flags, ~(uint32_t)W32_FD_CONNECTING, __ATOMIC_RELEASE);
}

int w32_fd_take_error(int fd) {
  struct fdinfo *i = info(fd, false);
  return i != NULL ? __atomic_exchange_n(&i->error, 0, __ATOMIC_RELAXED) : 0;
}

bool w32_fd_was_connected(int fd) {
  return w32_fd_connected_since(fd) != 0;
}

uint64_t w32_fd_connected_since(int fd) {
  struct fdinfo *i = info(fd, false);
  return i != NULL ? __atomic_load_n(&i->connected_ms, __ATOMIC_RELAXED) : 0;
}

/* The count is the synchronisation closesocket waits on: a thread's
 * accept() ends before its count drops (release), and closesocket sees
 * the drop (acquire) before it closes. */
bool w32_fd_accepting(int fd, int delta) {
  struct fdinfo *i = info(fd, true);
  if (i == NULL)
    return false;
  if (delta > 0)
    __atomic_add_fetch(&i->accepting, 1, __ATOMIC_ACQ_REL);
  else
    __atomic_sub_fetch(&i->accepting, 1, __ATOMIC_RELEASE);
  return true;
}

unsigned w32_fd_accepters(int fd) {
  struct fdinfo *i = info(fd, false);
  return i != NULL ? __atomic_load_n(&i->accepting, __ATOMIC_ACQUIRE) : 0;
}

bool w32_fd_emulates_blocking(int fd) {
  if (w32_fd_flags(fd) & W32_FD_NONBLOCK)
    return false;
  return cport__handle_associated(fd);
}

/* The socket's SO_RCVTIMEO (POLLIN) or SO_SNDTIMEO as a deadline from
 * now: UINT64_MAX for none. */
static uint64_t fd_deadline(int fd, short events) {
  struct timeval tv = {0, 0};
  socklen_t len = sizeof(tv);
  if (getsockopt(fd, SOL_SOCKET, (events & POLLIN) ? SO_RCVTIMEO : SO_SNDTIMEO,
                 &tv, &len) != 0)
    tv.tv_sec = tv.tv_usec = 0;
  uint64_t ms = (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u;
  if (ms == 0 && tv.tv_usec > 0)
    ms = 1;
  return ms == 0 ? UINT64_MAX : w32_now_ms() + ms;
}

int w32_fd_wait(int fd, short events, uint64_t *until) {
  if (*until == 0) /* (from the call's start) */
    *until = fd_deadline(fd, events);
  struct pollfd p = {fd, events, 0};
  /* Counted, so closesocket by another thread waits for it to leave (the
   * number is not reused under it); it looks for that close every slice,
   * as close alone wakes no poll. */
  bool counted = w32_fd_accepting(fd, 1);
  w32_block_begin();
  w32_sync_begin_fd(fd);
  int rc;
  bool closing = false, cancelled = false;
  for (;;) {
    int wait = W32_WAIT_SLICE_MS;
    if (*until != UINT64_MAX) {
      uint64_t now = w32_now_ms();
      if (now >= *until) {
        rc = 0;
        break;
      }
      uint64_t left = *until - now;
      if (left < (uint64_t)wait)
        wait = (int)left;
    }
    rc = poll(&p, 1, wait);
    if ((closing = (w32_fd_flags(fd) & W32_FD_CLOSING) != 0))
      break;
    if (rc <= 0 && (cancelled = w32_sync_cancelled()))
      break; /* CancelSynchronousIo */
    if (rc > 0 || (rc < 0 && errno != EINTR))
      break;
    if (rc == 0 && *until == UINT64_MAX)
      continue; /* a slice, not the timeout */
    if (rc == 0 && w32_now_ms() < *until)
      continue;
  }
  cancelled = w32_sync_end() && cancelled;
  w32_block_end();
  if (counted)
    w32_fd_accepting(fd, -1);
  if (closing)
    return 2;
  if (cancelled) {
    errno = ECANCELED;
    return 3;
  }
  if (rc < 0 || (p.revents & POLLNVAL))
    return -1;
  return rc == 0 ? 1 : 0;
}

/* The fd whose queued ops this thread waits for (w32_fd_wait_queued). */
static __thread int queued_fd;

static bool queued_wait_ends(void) {
  return (w32_fd_flags(queued_fd) & W32_FD_CLOSING) || w32_sync_cancelled();
}

int w32_fd_wait_queued(int fd, bool recv_side, bool nonblock, uint64_t *until) {
  int (*wait)(int, int, bool (*)(void)) =
      recv_side ? cport__wait_receives : cport__flush_sends;
  if (wait(fd, 0, NULL) == 0)
    return 0; /* most calls find none queued */
  if (nonblock)
    return 4;
  if (*until == 0)
    *until = fd_deadline(fd, recv_side ? POLLIN : POLLOUT);
  int ms = -1;
  if (*until != UINT64_MAX) {
    uint64_t now = w32_now_ms();
    ms = now >= *until
             ? 0
             : (int)(*until - now > INT32_MAX ? INT32_MAX : *until - now);
  }
  /* Counted and marked as w32_fd_wait is: a closesocket or a
   * CancelSynchronousIo by another thread ends the wait. */
  bool counted = w32_fd_accepting(fd, 1);
  w32_block_begin();
  w32_sync_begin_fd(fd);
  queued_fd = fd;
  int rc = wait(fd, ms, queued_wait_ends);
  (void)w32_sync_end();
  w32_block_end();
  bool closing = (w32_fd_flags(fd) & W32_FD_CLOSING) != 0;
  if (counted)
    w32_fd_accepting(fd, -1);
  if (closing)
    return 2;
  if (rc == CPORT_ECANCELED) {
    errno = ECANCELED;
    return 3;
  }
  return rc == 0 ? 0 : 1;
}

int w32_fd(HANDLE h) {
  if (h == NULL)
    return -1;
  if (w32_is_fd(h))
    return (int)(intptr_t)h;
  struct w32_object *o = w32_object_get(h, W32_STDIN);
  return o != NULL ? 0 : -1;
}

/* ------------------------------------------------------------------------ */
/* CloseHandle                                                               */
/* ------------------------------------------------------------------------ */

/* A file whose delete is pending (SetFileInformationByHandle's
 * FileDispositionInfo): its current name goes as its handle closes. */
static void delete_name(int fd) {
  char link[32], path[PATH_MAX];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof(path) - 1);
  if (n <= 0 || path[0] != '/')
    return; /* no name left (already deleted) */
  path[n] = 0;
  struct stat named, open_file;
  /* Only if the name still is this file (not " (deleted)" or another). */
  if (stat(path, &named) == 0 && fstat(fd, &open_file) == 0 &&
      named.st_dev == open_file.st_dev && named.st_ino == open_file.st_ino)
    unlink(path);
}

void (*w32_fd_closing)(int fd);
void (*w32_pipe_closing)(int fd);
void (*w32_locks_closing)(int fd);
void (*w32_dir_closing)(int fd);
void (*w32_lops_closing)(int fd);

CPORT_API BOOL CloseHandle(HANDLE h) {
  if (h == NULL || h == INVALID_HANDLE_VALUE)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (w32_is_fd(h)) {
    int fd = (int)(intptr_t)h;
    void (*closing)(int) = __atomic_load_n(&w32_fd_closing, __ATOMIC_ACQUIRE);
    if (closing != NULL)
      closing(fd); /* e.g. a socket AcceptEx was to fill */
    void (*pipe)(int) = __atomic_load_n(&w32_pipe_closing, __ATOMIC_ACQUIRE);
    if (pipe != NULL && (w32_fd_flags(fd) & W32_FD_PIPE))
      pipe(fd); /* a pipe instance leaves its name */
    void (*locks)(int) = __atomic_load_n(&w32_locks_closing, __ATOMIC_ACQUIRE);
    if (locks != NULL)
      locks(fd); /* its waiting locks end, its locks go */
    if (w32_fd_flags(fd) & W32_FD_DELETE)
      delete_name(fd);
    void (*dir)(int) = __atomic_load_n(&w32_dir_closing, __ATOMIC_ACQUIRE);
    if (dir != NULL && (w32_fd_flags(fd) & W32_FD_DIR))
      dir(fd); /* a directory's pending ReadDirectoryChangesW calls end */
    void (*lops)(int) = __atomic_load_n(&w32_lops_closing, __ATOMIC_ACQUIRE);
    if (lops != NULL)
      lops(fd); /* and any other op the layer runs on it */
    w32_fd_reset(fd);
    w32_fd_winsock(fd, false);
    int rc = cport__close(fd); /* sockets and files alike */
    w32_fd_closed(fd);
    return rc == 0 ? TRUE : w32_fail(w32_error(rc));
  }
  h = w32_untag(h);
  if (!w32_is_object(h))
    return w32_fail(ERROR_INVALID_HANDLE);
  /* The handle goes; the object with its last handle. Waits, a running
   * thread and ops holding the object keep it until they end, as on
   * Windows. */
  struct w32_object *o = h;
  void (*closed)(void *) = NULL;
  void *arg = NULL;
  pthread_mutex_lock(&w32_lock);
  bool was_open = o->open && !o->own_closed;
  if (was_open && o->type == W32_ALIAS) {
    struct w32_object *a = o;
    o = ((struct w32_alias *)a)->target;
    __atomic_store_n(&a->open, false, __ATOMIC_RELEASE);
    w32_unref_locked(a);
  } else if (was_open && o->handles > 1) {
    __atomic_store_n(&o->own_closed, true, __ATOMIC_RELEASE);
  }
  bool last = was_open && --o->handles == 0;
  if (last) {
    closed = o->closed;
    arg = o->closed_arg;
    __atomic_store_n(&o->open, false, __ATOMIC_RELEASE);
    w32_unref_locked(o);
  }
  pthread_mutex_unlock(&w32_lock);
  if (!was_open)
    return w32_fail(ERROR_INVALID_HANDLE);
  /* What closing means for its type (a port: cport_close), once the
   * last handle is gone, outside w32_lock. */
  if (closed != NULL)
    closed(arg);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* A UDP socket's ICMP reports                                               */
/* ------------------------------------------------------------------------ */

/*
 * Windows fails a UDP socket's next receive with WSAECONNRESET (an
 * overlapped one with ERROR_PORT_UNREACHABLE) for each ICMP "port
 * unreachable" its datagrams drew, unless SIO_UDP_CONNRESET turned that
 * off. Linux tells an unconnected UDP socket of ICMP messages only with
 * IP_RECVERR (IPV6_RECVERR): each leaves a report on the socket's error
 * queue and fails the next receive or send. cport takes a report off the
 * queue after each such failure (cport__icmp_report_take), and makes the
 * call again where Windows would not have failed it.
 */
bool w32_is_datagram(int fd) {
  int type = 0;
  socklen_t len = sizeof(type);
  return fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
         type == SOCK_DGRAM;
}

bool w32_is_socket(int fd) {
  int type;
  socklen_t len = sizeof(type);
  return fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0;
}

int w32_ended_peer(int fd, struct sockaddr *addr, socklen_t *len) {
  /* SO_PEERNAME names the peer a TCP socket had even once the connection
   * is gone (getpeername says ENOTCONN in the closed state). Linux fails
   * it with EINVAL for room larger than the address, so it is asked for
   * exactly its family's size and copied as getpeername would: cut to the
   * caller's room, *len the whole size. */
  int family = AF_UNSPEC;
  socklen_t fl = sizeof(family);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &fl) != 0)
    return -errno;
  struct sockaddr_storage a;
  socklen_t want = family == AF_INET    ? sizeof(struct sockaddr_in)
                   : family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                        : *len;
  if (want > sizeof(a))
    want = sizeof(a);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERNAME, &a, &want) != 0)
    return -errno;
  memcpy(addr, &a, want < *len ? want : *len);
  *len = want;
  return 0;
}

bool w32_from_too_small(int fd, int len) {
  if (len >= (int)sizeof(struct sockaddr_in6) || !w32_is_datagram(fd))
    return false; /* on a stream the address is ignored */
  int family = AF_INET;
  socklen_t l = sizeof(family);
  getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &l);
  return len < (family == AF_INET6 ? (int)sizeof(struct sockaddr_in6)
                                   : (int)sizeof(struct sockaddr_in));
}

int w32_udp_reports(int fd, bool on) {
  int v = on ? 1 : 0;
  int family = AF_INET;
  socklen_t l = sizeof(family);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &l) != 0)
    return -errno;
  /* An IPv6 socket hears IPv4 peers' ICMP too (mapped addresses). */
  if (setsockopt(fd, IPPROTO_IP, IP_RECVERR, &v, sizeof(v)) != 0)
    return -errno;
  if (family == AF_INET6 &&
      setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &v, sizeof(v)) != 0)
    return -errno;
  return 0;
}

/* The errors an ICMP report can fail a datagram socket's call with. */
static bool icmp_errno(int e) {
  switch (e) {
  case ECONNREFUSED:
  case EHOSTUNREACH:
  case ENETUNREACH:
  case EHOSTDOWN:
  case ENONET:
  case EMSGSIZE:
  case ENOPROTOOPT:
  case EPROTO:
  case EACCES:
  case EOPNOTSUPP:
  case ETIMEDOUT:
    return true;
  default:
    return false;
  }
}

bool w32_icmp_passed(int fd, bool sending) {
  int e = errno;
  if (!icmp_errno(e) || !w32_is_datagram(fd))
    return false;
  int report = cport__icmp_report_take(fd);
  errno = e;
  if (report == 0)
    return false; /* no report: the error is the call's own */
  if (!sending && report == ECONNREFUSED) {
    errno = ECONNREFUSED; /* the receive reports it */
    return false;
  }
  return true;
}
