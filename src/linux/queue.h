/*
 * queue.h - the port's FIFO of completions: a growable ring of
 * cport_completion_t values. Entries are copies, so one op may be posted
 * any number of times and a NULL op is fine. Not thread-safe: the port
 * lock protects it.
 */
#ifndef CPORT_LINUX_QUEUE_H
#define CPORT_LINUX_QUEUE_H

#include <stdint.h>

#include "../common/common.h"

struct cp_cqueue {
  cport_completion_t *ring;
  uint32_t mask;   /* capacity - 1; capacity is a power of two */
  uint32_t head;   /* index of the oldest entry */
  uint32_t count;
};

CP_INTERNAL int cp_cqueue_init(struct cp_cqueue *q, uint32_t capacity);
CP_INTERNAL void cp_cqueue_free(struct cp_cqueue *q);
/* Makes room for n more entries; CPORT_ENOMEM if it cannot. */
CP_INTERNAL int cp_cqueue_reserve(struct cp_cqueue *q, uint32_t n);

/* Room must have been reserved. */
static inline void cp_cqueue_push(struct cp_cqueue *q,
                                  const cport_completion_t *c) {
  q->ring[(q->head + q->count) & q->mask] = *c;
  q->count++;
}

/* Moves up to max entries into out, oldest first; returns how many. */
static inline unsigned cp_cqueue_pop(struct cp_cqueue *q,
                                     cport_completion_t *out, unsigned max) {
  unsigned n = max < q->count ? max : q->count;
  for (unsigned i = 0; i < n; i++)
    out[i] = q->ring[(q->head + i) & q->mask];
  q->head = (q->head + n) & q->mask;
  q->count -= n;
  return n;
}

#endif
