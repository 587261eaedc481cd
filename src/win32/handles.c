/*
 * handles.c - what a HANDLE names. Below 1 << 22 it holds a file
 * descriptor (sockets and files, as SOCKET values do); otherwise it
 * points at one of the layer's objects: a completion port, a thread, an
 * event, a mutex, a semaphore, or stdin. CloseHandle for all of them.
 *
 * Objects live in one arena of fixed-size slots, reserved once: a HANDLE
 * is checked to be a slot of it before it is read, so any value a program
 * passes is safe to look at. Object memory is type-stable (see struct
 * w32_object): a closed object goes to its type's free list and only ever
 * becomes another object of the same type, so a HANDLE used after
 * CloseHandle reads a closed (or a newer) object of its type.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "win32.h"

pthread_mutex_t w32_lock = PTHREAD_MUTEX_INITIALIZER;

static struct w32_object *free_lists[W32_TYPES];

/* The arena: 1 << 20 slots of 256 bytes (256 MiB of addresses, memory
 * only for the slots used), committed 64 KiB at a time. */
#define SLOT 256u
#define ARENA_SLOTS (1u << 20)
#define COMMIT (64u * 1024u)
static char *arena;
static size_t arena_used;      /* bytes handed out */
static size_t arena_committed; /* bytes usable */
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;

static void arena_init(void) {
  void *p = mmap(NULL, (size_t)SLOT * ARENA_SLOTS, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
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
  o->free_next = NULL;
  o->waiters = NULL;
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

struct w32_object *w32_object_get(HANDLE h, int type) {
  if (!w32_is_object(h))
    return NULL;
  struct w32_object *o = h;
  if (type != 0 && o->type != type)
    return NULL;
  return __atomic_load_n(&o->open, __ATOMIC_ACQUIRE) ? o : NULL;
}

void w32_ref_locked(struct w32_object *o) { o->refs++; }

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
/* Descriptors                                                               */
/* ------------------------------------------------------------------------ */

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

/* Closing a port (ports.c) and a thread handle (threads.c). */
CP_INTERNAL BOOL w32_port_close(struct w32_object *o);
CP_INTERNAL BOOL w32_stdin_close(struct w32_object *o);

CPORT_API BOOL CloseHandle(HANDLE h) {
  if (h == NULL || h == INVALID_HANDLE_VALUE)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (w32_is_fd(h)) {
    int fd = (int)(intptr_t)h;
    w32_fd_reset(fd);
    int rc = cport_closesocket(fd); /* sockets and files alike */
    return rc == 0 ? TRUE : w32_fail(w32_error(rc));
  }
  struct w32_object *o = w32_object_get(h, 0);
  if (o == NULL)
    return w32_fail(ERROR_INVALID_HANDLE);
  switch (o->type) {
  case W32_PORT:
    return w32_port_close(o);
  case W32_STDIN:
    return w32_stdin_close(o);
  default:
    break;
  }
  /* A waitable: the handle goes; waits and ops holding it keep it until
   * they end, as on Windows. */
  pthread_mutex_lock(&w32_lock);
  bool was_open = o->open;
  if (was_open) {
    __atomic_store_n(&o->open, false, __ATOMIC_RELEASE);
    w32_unref_locked(o);
  }
  pthread_mutex_unlock(&w32_lock);
  return was_open ? TRUE : w32_fail(ERROR_INVALID_HANDLE);
}
