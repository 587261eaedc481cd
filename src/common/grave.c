/*
 * grave.c - see grave.h.
 */
#include "grave.h"

#if defined(_WIN32)
#  include <windows.h>
static SRWLOCK lock = SRWLOCK_INIT;
#  define LOCK() AcquireSRWLockExclusive(&lock)
#  define UNLOCK() ReleaseSRWLockExclusive(&lock)
#else
#  include <pthread.h>
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
#  define LOCK() pthread_mutex_lock(&lock)
#  define UNLOCK() pthread_mutex_unlock(&lock)
#endif

static struct cp_shell *head, *tail;
static unsigned count;

struct cp_shell *cp_grave_take(void) {
  struct cp_shell *s = NULL;
  LOCK();
  if (count > CP_GRAVE_KEEP) {
    s = head;
    head = s->grave_next;
    if (head == NULL)
      tail = NULL;
    count--;
  }
  UNLOCK();
  return s;
}

void cp_grave_bury(struct cp_shell *s) {
  LOCK();
  s->grave_next = NULL;
  if (tail)
    tail->grave_next = s;
  else
    head = s;
  tail = s;
  count++;
  UNLOCK();
}
