/*
 * queue.c - growth of the completion ring (see queue.h).
 */
#include <stdlib.h>
#include <string.h>

#include "queue.h"

int cp_cqueue_init(struct cp_cqueue *q, uint32_t capacity) {
  uint32_t cap = 16;
  while (cap < capacity)
    cap <<= 1;
  q->ring = malloc(sizeof(*q->ring) * cap);
  if (q->ring == NULL)
    return CPORT_ENOMEM;
  q->mask = cap - 1;
  q->head = 0;
  __atomic_store_n(&q->count, 0, __ATOMIC_RELAXED);
  q->held = 0;
  return 0;
}

void cp_cqueue_free(struct cp_cqueue *q) {
  free(q->ring);
  q->ring = NULL;
  q->mask = 0;
  q->head = 0;
  __atomic_store_n(&q->count, 0, __ATOMIC_RELAXED);
  q->held = 0;
}

int cp_cqueue_hold(struct cp_cqueue *q, uint32_t n) {
  uint32_t cap = q->mask + 1;
  uint64_t need = (uint64_t)q->count + q->held + n;
  if (CP_LIKELY(need <= cap)) {
    q->held += n;
    return 0;
  }
  if (need > (UINT32_C(1) << 30))
    return CPORT_ENOMEM;
  uint32_t ncap = cap;
  while (ncap < need)
    ncap <<= 1;
  cport_completion_t *nring = malloc(sizeof(*nring) * ncap);
  if (nring == NULL)
    return CPORT_ENOMEM;
  /* Unwrap the old ring into the start of the new one. */
  uint32_t first = cap - q->head;
  if (first > q->count)
    first = q->count;
  memcpy(nring, q->ring + q->head, first * sizeof(*nring));
  memcpy(nring + first, q->ring, (q->count - first) * sizeof(*nring));
  free(q->ring);
  q->ring = nring;
  q->mask = ncap - 1;
  q->head = 0;
  q->held += n;
  return 0;
}
