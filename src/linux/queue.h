/*
 * queue.h - the port's FIFO of completions (layer 0): a growable ring of
 * cport_completion_t values. Entries are copies, so one op may be posted
 * any number of times and a NULL op is fine. Not thread-safe: the port
 * lock protects it.
 *
 * Slots can be held in advance: an operation accepted by a call holds one
 * until it completes, so queueing its completion never needs memory (a
 * call that cannot hold a slot fails with CPORT_ENOMEM instead). The ring
 * always has room for every entry plus every held slot.
 */
#ifndef CPORT_LINUX_QUEUE_H
#define CPORT_LINUX_QUEUE_H

#include <stdint.h>

#include "../common/common.h"

struct cp_cqueue {
  cport_completion_t *ring;
  uint32_t mask;  /* capacity - 1; capacity is a power of two */
  uint32_t head;  /* index of the oldest entry */
  uint32_t count; /* entries queued */
  uint32_t held;  /* slots held for completions still to come */
};

CP_INTERNAL int cp_cqueue_init(struct cp_cqueue *q, uint32_t capacity);
CP_INTERNAL void cp_cqueue_free(struct cp_cqueue *q);
/* Holds n more slots, growing the ring if needed; CPORT_ENOMEM if it
 * cannot. */
CP_INTERNAL int cp_cqueue_hold(struct cp_cqueue *q, uint32_t n);

/* Gives back n held slots that will not be used. */
static inline void cp_cqueue_unhold(struct cp_cqueue *q, uint32_t n) {
  q->held -= n;
}

/* Queues an entry into a held slot (never fails). */
static inline void cp_cqueue_push_held(struct cp_cqueue *q,
                                       const cport_completion_t *c) {
  q->held--;
  q->ring[(q->head + q->count) & q->mask] = *c;
  __atomic_store_n(&q->count, q->count + 1, __ATOMIC_RELAXED);
}

/* Moves up to max entries into out, oldest first; returns how many. */
static inline unsigned cp_cqueue_pop(struct cp_cqueue *q,
                                     cport_completion_t *out, unsigned max) {
  unsigned n = max < q->count ? max : q->count;
  uint32_t h = q->head;
  for (unsigned i = 0; i < n; i++)
    out[i] = q->ring[(h + i) & q->mask];
  q->head = (h + n) & q->mask;
  __atomic_store_n(&q->count, q->count - n, __ATOMIC_RELAXED);
  return n;
}

/* The oldest entry (count > 0), and dropping the n oldest. */
static inline const cport_completion_t *
cp_cqueue_peek(const struct cp_cqueue *q) {
  return &q->ring[q->head];
}

static inline void cp_cqueue_drop(struct cp_cqueue *q, uint32_t n) {
  q->head = (q->head + n) & q->mask;
  __atomic_store_n(&q->count, q->count - n, __ATOMIC_RELAXED);
}

/* Drops every queued entry (held slots stay held). */
static inline void cp_cqueue_clear(struct cp_cqueue *q) {
  q->head = 0;
  __atomic_store_n(&q->count, 0, __ATOMIC_RELAXED);
}

/* Entries queued, read without the lock (writers hold it). */
static inline uint32_t cp_cqueue_count(const struct cp_cqueue *q) {
  return __atomic_load_n(&q->count, __ATOMIC_RELAXED);
}

#endif
