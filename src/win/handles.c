/*
 * handles.c - what cport knows about each SOCKET or file HANDLE: its port,
 * key and flags. An open-addressing hash table under a slim reader/writer
 * lock; lookups copy the entry out.
 */
#include <stdlib.h>
#include <string.h>

#include "win.h"

#define EMPTY ((uintptr_t)0)
#define GONE (~(uintptr_t)0) /* tombstone */

static SRWLOCK lock = SRWLOCK_INIT;
static struct cp_whandle *slots;
static size_t cap, used, live;

static size_t hash(uintptr_t h) {
  uint64_t x = (uint64_t)h * 0x9e3779b97f4a7c15ull;
  return (size_t)(x >> 17);
}

/* Index of h, or of the slot where it would go; lock held. */
static size_t find(uintptr_t h, bool *found) {
  size_t i = hash(h) & (cap - 1), first_gone = SIZE_MAX;
  for (;;) {
    uintptr_t k = slots[i].h;
    if (k == h) {
      *found = true;
      return i;
    }
    if (k == EMPTY) {
      *found = false;
      return first_gone != SIZE_MAX ? first_gone : i;
    }
    if (k == GONE && first_gone == SIZE_MAX)
      first_gone = i;
    i = (i + 1) & (cap - 1);
  }
}

static int grow(void) {
  size_t ncap = cap ? cap * 2 : 256;
  if (live * 4 < cap)
    ncap = cap; /* mostly tombstones: rehash in place */
  struct cp_whandle *old = slots;
  size_t ocap = cap;
  struct cp_whandle *n = calloc(ncap, sizeof(*n));
  if (n == NULL)
    return CPORT_ENOMEM;
  slots = n;
  cap = ncap;
  used = live = 0;
  for (size_t i = 0; i < ocap; i++) {
    if (old[i].h == EMPTY || old[i].h == GONE)
      continue;
    bool f;
    slots[find(old[i].h, &f)] = old[i];
    used++;
    live++;
  }
  free(old);
  return 0;
}

int cp_wh_add(const struct cp_whandle *e) {
  if (e->h == EMPTY || e->h == GONE)
    return CPORT_EBADF;
  AcquireSRWLockExclusive(&lock);
  int rc = 0;
  if ((used + 1) * 4 > cap * 3)
    rc = grow();
  if (rc == 0) {
    bool found;
    size_t i = find(e->h, &found);
    if (!found) {
      if (slots[i].h == EMPTY)
        used++;
      live++;
    }
    slots[i] = *e; /* a reused handle value replaces the stale entry */
  }
  ReleaseSRWLockExclusive(&lock);
  return rc;
}

bool cp_wh_get(uintptr_t h, struct cp_whandle *out) {
  bool found = false;
  AcquireSRWLockShared(&lock);
  if (cap > 0) {
    size_t i = find(h, &found);
    if (found)
      *out = slots[i];
  }
  ReleaseSRWLockShared(&lock);
  return found;
}

bool cp_wh_update(const struct cp_whandle *e) {
  bool found = false;
  AcquireSRWLockExclusive(&lock);
  if (cap > 0) {
    size_t i = find(e->h, &found);
    if (found)
      slots[i] = *e;
  }
  ReleaseSRWLockExclusive(&lock);
  return found;
}

bool cp_wh_remove(uintptr_t h) {
  bool found = false;
  AcquireSRWLockExclusive(&lock);
  if (cap > 0) {
    size_t i = find(h, &found);
    if (found) {
      slots[i].h = GONE;
      live--;
    }
  }
  ReleaseSRWLockExclusive(&lock);
  return found;
}

void cp_wh_forget_port(struct cport *port) {
  AcquireSRWLockExclusive(&lock);
  for (size_t i = 0; i < cap; i++) {
    if (slots[i].h == EMPTY || slots[i].h == GONE)
      continue;
    if (slots[i].gone_from == port) /* an earlier port in the same memory */
      slots[i].gone_from = NULL;
    if (slots[i].port == port) {
      slots[i].port = NULL;
      slots[i].gone_from = port;
      slots[i].gone_gen = port->generation;
      slots[i].flags |= CP_WH_PORT_GONE;
      CancelIoEx((HANDLE)slots[i].h, NULL); /* (it never calls back) */
    }
  }
  ReleaseSRWLockExclusive(&lock);
}

void cp_wh_cancel_forgotten(struct cport *port) {
  AcquireSRWLockShared(&lock);
  for (size_t i = 0; i < cap; i++)
    if (slots[i].h != EMPTY && slots[i].h != GONE &&
        (slots[i].flags & CP_WH_PORT_GONE) && slots[i].gone_from == port)
      CancelIoEx((HANDLE)slots[i].h, NULL);
  ReleaseSRWLockShared(&lock);
}

void cp_win_set_flag(SOCKET s, uint16_t flag) {
  struct cp_whandle e;
  if (cp_wh_get((uintptr_t)s, &e) && !(e.flags & flag)) {
    e.flags |= flag;
    cp_wh_update(&e);
  }
}
