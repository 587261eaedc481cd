/*
 * lock.h - the handle lock (layer 0): a mutual-exclusion lock on one
 * 32-bit word, taken and released inline.
 *
 * Every op call and every readiness event takes its handle's lock once,
 * so three pairs per echoed message on epoll. glibc's mutex is a call
 * into libc that checks the mutex type on each lock and unlock; this one
 * is a compare-and-swap to take it and an exchange to release it, and a
 * futex only when another thread waits. No condition variable waits on
 * it, and it is never held across a sleep.
 *
 * The word: 0 free, 1 held, 2 held and a thread may sleep on it. The
 * acquire and release orders are what ThreadSanitizer follows, so the
 * sanitizer builds see the same happens-before edges as with a mutex.
 */
#ifndef CPORT_LINUX_LOCK_H
#define CPORT_LINUX_LOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/common.h"
#include "sys.h"

typedef struct {
  uint32_t word;
} cp_lock_t;

static inline bool cp_lock_try(cp_lock_t *l) {
  uint32_t free_ = 0;
  return __atomic_compare_exchange_n(&l->word, &free_, 1, false,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* The contended path: sleep with the word at 2, so that the holder's
 * release wakes a sleeper. No spinning first: as with glibc's default
 * mutex, which this lock replaced, a taker that finds the lock held goes
 * to sleep at once (a spin of 100 pauses cost io_uring with workers =
 * CPUs 7.6% more CPU per message on two CPUs, where the holder is often
 * a preempted thread). */
static __attribute__((noinline, cold)) void cp_lock_slow(cp_lock_t *l) {
  while (__atomic_exchange_n(&l->word, 2, __ATOMIC_ACQUIRE) != 0)
    cp_futex_wait(&l->word, 2, -1);
}

static inline void cp_lock(cp_lock_t *l) {
  if (CP_UNLIKELY(!cp_lock_try(l)))
    cp_lock_slow(l);
}

static inline void cp_unlock(cp_lock_t *l) {
  if (CP_UNLIKELY(__atomic_exchange_n(&l->word, 0, __ATOMIC_RELEASE) == 2))
    cp_futex_wake(&l->word, 1);
}

#endif
