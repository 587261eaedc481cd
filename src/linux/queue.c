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
  q->count = 0;
  return 0;
}

void cp_cqueue_free(struct cp_cqueue *q) {
  free(q->ring);
  q->ring = NULL;
  q->mask = 0;
  q->head = 0;
  q->count = 0;
}

int cp_cqueue_reserve(struct cp_cqueue *q, uint32_t n) {
  uint32_t cap = q->mask + 1;
  if (CP_LIKELY(q->count + n <= cap))
    return 0;
  if (q->count + n < q->count || q->count + n > (UINT32_C(1) << 30))
    return CPORT_ENOMEM;
  uint32_t ncap = cap;
  while (ncap < q->count + n)
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
  return 0;
}
