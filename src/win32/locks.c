/*
 * locks.c - the lock-like objects that live in the program's memory:
 * critical sections (a recursive mutex), SRW locks (a read-write lock),
 * condition variables (a futex sequence number, usable with both),
 * waits on an address (WaitOnAddress), one-time initialisation, and the
 * interlocked singly linked lists.
 *
 * A thread a completion port released that has to wait for one of them
 * gives its place back to the port meanwhile (w32_block_begin).
 */
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>

#include "win32.h"

/* ------------------------------------------------------------------------ */
/* Critical sections                                                         */
/* ------------------------------------------------------------------------ */

CPORT_API void InitializeCriticalSection(LPCRITICAL_SECTION cs) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&cs->mutex, &a);
  pthread_mutexattr_destroy(&a);
}

CPORT_API BOOL InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION cs,
                                                     DWORD spin) {
  (void)spin;
  InitializeCriticalSection(cs);
  return TRUE;
}

CPORT_API BOOL InitializeCriticalSectionEx(LPCRITICAL_SECTION cs, DWORD spin,
                                           DWORD flags) {
  (void)spin;
  (void)flags; /* debug-info flags only */
  InitializeCriticalSection(cs);
  return TRUE;
}

CPORT_API void EnterCriticalSection(LPCRITICAL_SECTION cs) {
  if (pthread_mutex_trylock(&cs->mutex) == 0)
    return;
  w32_block_begin();
  pthread_mutex_lock(&cs->mutex);
  w32_block_end();
}

CPORT_API BOOL TryEnterCriticalSection(LPCRITICAL_SECTION cs) {
  return pthread_mutex_trylock(&cs->mutex) == 0;
}

CPORT_API void LeaveCriticalSection(LPCRITICAL_SECTION cs) {
  pthread_mutex_unlock(&cs->mutex);
}

CPORT_API void DeleteCriticalSection(LPCRITICAL_SECTION cs) {
  pthread_mutex_destroy(&cs->mutex);
}

/* ------------------------------------------------------------------------ */
/* SRW locks                                                                 */
/* ------------------------------------------------------------------------ */

/* An SRWLOCK holds a pthread_rwlock_t, whose all-zero state is the
 * initialiser's (glibc, musl). */
_Static_assert(sizeof(pthread_rwlock_t) <= sizeof(SRWLOCK),
               "SRWLOCK too small");
#define RW(l) ((pthread_rwlock_t *)(void *)(l)->opaque)

CPORT_API void InitializeSRWLock(PSRWLOCK l) {
  pthread_rwlock_init(RW(l), NULL);
}

CPORT_API void AcquireSRWLockExclusive(PSRWLOCK l) {
  if (pthread_rwlock_trywrlock(RW(l)) == 0)
    return;
  w32_block_begin();
  pthread_rwlock_wrlock(RW(l));
  w32_block_end();
}

CPORT_API void AcquireSRWLockShared(PSRWLOCK l) {
  if (pthread_rwlock_tryrdlock(RW(l)) == 0)
    return;
  w32_block_begin();
  pthread_rwlock_rdlock(RW(l));
  w32_block_end();
}

CPORT_API BOOLEAN TryAcquireSRWLockExclusive(PSRWLOCK l) {
  return pthread_rwlock_trywrlock(RW(l)) == 0;
}

CPORT_API BOOLEAN TryAcquireSRWLockShared(PSRWLOCK l) {
  return pthread_rwlock_tryrdlock(RW(l)) == 0;
}

CPORT_API void ReleaseSRWLockExclusive(PSRWLOCK l) {
  pthread_rwlock_unlock(RW(l));
}

CPORT_API void ReleaseSRWLockShared(PSRWLOCK l) {
  pthread_rwlock_unlock(RW(l));
}

/* ------------------------------------------------------------------------ */
/* Condition variables                                                       */
/* ------------------------------------------------------------------------ */

/*
 * seq changes on every wake. A sleeper reads it while it still holds its
 * lock, lets the lock go, and sleeps only while seq has not changed, so a
 * wake after the read is never lost. Spurious wake-ups happen, as the
 * Windows documentation allows.
 */
static bool cv_sleep(PCONDITION_VARIABLE cv, DWORD ms, void (*unlock)(void *),
                     void (*relock)(void *), void *lock) {
  __atomic_add_fetch(&cv->waiters, 1, __ATOMIC_SEQ_CST);
  uint32_t seq = __atomic_load_n(&cv->seq, __ATOMIC_SEQ_CST);
  unlock(lock);
  w32_block_begin();
  struct timespec rel = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  long rc = syscall(SYS_futex, &cv->seq, FUTEX_WAIT_PRIVATE, seq,
                    ms == INFINITE ? NULL : &rel, NULL, 0);
  bool timed_out = rc != 0 && errno == ETIMEDOUT;
  w32_block_end();
  __atomic_sub_fetch(&cv->waiters, 1, __ATOMIC_SEQ_CST);
  relock(lock);
  return !timed_out;
}

static void wake(PCONDITION_VARIABLE cv, int n) {
  __atomic_add_fetch(&cv->seq, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&cv->waiters, __ATOMIC_SEQ_CST) != 0)
    syscall(SYS_futex, &cv->seq, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

CPORT_API void InitializeConditionVariable(PCONDITION_VARIABLE cv) {
  cv->seq = 0;
  cv->waiters = 0;
}

static void cs_unlock(void *l) {
  pthread_mutex_unlock(l);
}
static void cs_lock(void *l) {
  pthread_mutex_lock(l);
}
static void srw_unlock(void *l) {
  pthread_rwlock_unlock(l);
}
static void srw_wrlock(void *l) {
  pthread_rwlock_wrlock(l);
}
static void srw_rdlock(void *l) {
  pthread_rwlock_rdlock(l);
}

CPORT_API BOOL SleepConditionVariableCS(PCONDITION_VARIABLE cv,
                                        PCRITICAL_SECTION cs, DWORD ms) {
  if (cv == NULL || cs == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (!cv_sleep(cv, ms, cs_unlock, cs_lock, &cs->mutex))
    return w32_fail(ERROR_TIMEOUT);
  return TRUE;
}

CPORT_API BOOL SleepConditionVariableSRW(PCONDITION_VARIABLE cv, PSRWLOCK l,
                                         DWORD ms, ULONG flags) {
  if (cv == NULL || l == NULL || (flags & ~CONDITION_VARIABLE_LOCKMODE_SHARED))
    return w32_fail(ERROR_INVALID_PARAMETER);
  bool shared = (flags & CONDITION_VARIABLE_LOCKMODE_SHARED) != 0;
  if (!cv_sleep(cv, ms, srw_unlock, shared ? srw_rdlock : srw_wrlock, RW(l)))
    return w32_fail(ERROR_TIMEOUT);
  return TRUE;
}

CPORT_API void WakeConditionVariable(PCONDITION_VARIABLE cv) {
  wake(cv, 1);
}

CPORT_API void WakeAllConditionVariable(PCONDITION_VARIABLE cv) {
  wake(cv, INT_MAX);
}

/* ------------------------------------------------------------------------ */
/* Waits on an address                                                       */
/* ------------------------------------------------------------------------ */

/*
 * WaitOnAddress sleeps on the futex word of its address's bucket (a hash
 * of the address), which every WakeByAddress* on an address of that
 * bucket changes before it wakes the bucket's sleepers: a waiter reads the
 * word, then compares the value, and sleeps only while the word is what
 * it read, so a wake after the compare is never lost. Addresses that
 * share a bucket wake each other, which the documentation allows ("a
 * thread ... can be woken even if no thread called a wake function").
 */
#define W32_ADDR_BUCKETS 256

static struct {
  uint32_t seq;
  uint32_t waiters;
} addr_buckets[W32_ADDR_BUCKETS];

static unsigned addr_bucket(const volatile void *a) {
  uintptr_t v = (uintptr_t)a;
  v ^= v >> 17;
  v *= (uintptr_t)0x9E3779B97F4A7C15ull;
  return (unsigned)(v >> 24) % W32_ADDR_BUCKETS;
}

CPORT_API BOOL WaitOnAddress(volatile VOID *address, PVOID compare, SIZE_T size,
                             DWORD ms) {
  if (address == NULL || compare == NULL ||
      (size != 1 && size != 2 && size != 4 && size != 8))
    return w32_fail(ERROR_INVALID_PARAMETER);
  unsigned b = addr_bucket(address);
  __atomic_add_fetch(&addr_buckets[b].waiters, 1, __ATOMIC_SEQ_CST);
  uint32_t seq = __atomic_load_n(&addr_buckets[b].seq, __ATOMIC_SEQ_CST);
  bool differs;
  switch (size) {
  case 1:
    differs = __atomic_load_n((volatile uint8_t *)address, __ATOMIC_SEQ_CST) !=
              *(const uint8_t *)compare;
    break;
  case 2:
    differs = __atomic_load_n((volatile uint16_t *)address, __ATOMIC_SEQ_CST) !=
              *(const uint16_t *)compare;
    break;
  case 4:
    differs = __atomic_load_n((volatile uint32_t *)address, __ATOMIC_SEQ_CST) !=
              *(const uint32_t *)compare;
    break;
  default:
    differs = __atomic_load_n((volatile uint64_t *)address, __ATOMIC_SEQ_CST) !=
              *(const uint64_t *)compare;
    break;
  }
  bool timed_out = false;
  if (!differs) {
    w32_block_begin();
    struct timespec rel = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    long rc = syscall(SYS_futex, &addr_buckets[b].seq, FUTEX_WAIT_PRIVATE, seq,
                      ms == INFINITE ? NULL : &rel, NULL, 0);
    timed_out = rc != 0 && errno == ETIMEDOUT;
    w32_block_end();
  }
  __atomic_sub_fetch(&addr_buckets[b].waiters, 1, __ATOMIC_SEQ_CST);
  return timed_out ? w32_fail(ERROR_TIMEOUT) : TRUE;
}

static void wake_address(PVOID address) {
  if (address == NULL)
    return;
  unsigned b = addr_bucket(address);
  __atomic_add_fetch(&addr_buckets[b].seq, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&addr_buckets[b].waiters, __ATOMIC_SEQ_CST) != 0)
    syscall(SYS_futex, &addr_buckets[b].seq, FUTEX_WAKE_PRIVATE, INT_MAX, NULL,
            NULL, 0);
}

CPORT_API void WakeByAddressSingle(PVOID address) {
  wake_address(address); /* (the bucket's sleepers: one may not be ours) */
}

CPORT_API void WakeByAddressAll(PVOID address) {
  wake_address(address);
}

/* ------------------------------------------------------------------------ */
/* One-time initialisation                                                   */
/* ------------------------------------------------------------------------ */

/* Ptr: 0 not done, 1 running, else the context | 2 once done. */
enum { ONCE_RUNNING = 1, ONCE_DONE = 2 };
static pthread_mutex_t once_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t once_cv = PTHREAD_COND_INITIALIZER;

CPORT_API void InitOnceInitialize(PINIT_ONCE once) {
  once->Ptr = NULL;
}

CPORT_API BOOL InitOnceExecuteOnce(PINIT_ONCE once, PINIT_ONCE_FN fn,
                                   PVOID param, LPVOID *context) {
  if (once == NULL || fn == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  uintptr_t *state = (uintptr_t *)(void *)&once->Ptr;
  for (;;) {
    uintptr_t s = __atomic_load_n(state, __ATOMIC_ACQUIRE);
    if (s & ONCE_DONE) {
      if (context)
        *context = (LPVOID)(s & ~(uintptr_t)3);
      return TRUE;
    }
    uintptr_t zero = 0;
    if (s == 0 &&
        __atomic_compare_exchange_n(state, &zero, ONCE_RUNNING, false,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
      /* The callback gets the caller's context itself, and what it holds
       * after a success is kept (as Windows keeps it, through NULL). */
      BOOL ok = fn(once, param, context);
      uintptr_t kept = ok && context != NULL ? (uintptr_t)*context : 0;
      pthread_mutex_lock(&once_lock);
      __atomic_store_n(state, ok ? (kept & ~(uintptr_t)3) | ONCE_DONE : 0,
                       __ATOMIC_RELEASE);
      pthread_cond_broadcast(&once_cv);
      pthread_mutex_unlock(&once_lock);
      return ok ? TRUE : FALSE;
    }
    /* Another thread runs it: wait for its end, then look again. */
    w32_block_begin();
    pthread_mutex_lock(&once_lock);
    while (__atomic_load_n(state, __ATOMIC_ACQUIRE) == ONCE_RUNNING)
      pthread_cond_wait(&once_cv, &once_lock);
    pthread_mutex_unlock(&once_lock);
    w32_block_end();
  }
}

/* ------------------------------------------------------------------------ */
/* Interlocked singly linked lists                                           */
/* ------------------------------------------------------------------------ */

static void slist_lock(PSLIST_HEADER h) {
  while (__atomic_exchange_n(&h->lock, 1, __ATOMIC_ACQUIRE) != 0)
    while (__atomic_load_n(&h->lock, __ATOMIC_RELAXED) != 0)
      sched_yield();
}

static void slist_unlock(PSLIST_HEADER h) {
  __atomic_store_n(&h->lock, 0, __ATOMIC_RELEASE);
}

CPORT_API void InitializeSListHead(PSLIST_HEADER head) {
  head->first = NULL;
  head->depth = 0;
  head->lock = 0;
}

CPORT_API PSLIST_ENTRY InterlockedPushEntrySList(PSLIST_HEADER head,
                                                 PSLIST_ENTRY entry) {
  slist_lock(head);
  PSLIST_ENTRY before = head->first;
  entry->Next = before;
  head->first = entry;
  head->depth++;
  slist_unlock(head);
  return before;
}

CPORT_API PSLIST_ENTRY InterlockedPopEntrySList(PSLIST_HEADER head) {
  slist_lock(head);
  PSLIST_ENTRY e = head->first;
  if (e != NULL) {
    head->first = e->Next;
    head->depth--;
  }
  slist_unlock(head);
  return e;
}

CPORT_API PSLIST_ENTRY InterlockedFlushSList(PSLIST_HEADER head) {
  slist_lock(head);
  PSLIST_ENTRY e = head->first;
  head->first = NULL;
  head->depth = 0;
  slist_unlock(head);
  return e;
}

CPORT_API USHORT QueryDepthSList(PSLIST_HEADER head) {
  slist_lock(head);
  USHORT d = (USHORT)head->depth;
  slist_unlock(head);
  return d;
}
