/*
 * timers.c - the port's timers: a binary min-heap of timer ops ordered by
 * deadline, kept under the port lock. No thread or descriptor per timer:
 * the thread that waits for the port (in the kernel or on its futex) waits
 * no longer than the earliest deadline, and whoever passes through the
 * port after a deadline fires what is due.
 */
#include <stdlib.h>

#include "timers.h"

/* A timer op keeps its deadline and its heap slot in the op overlay. */
static uint64_t deadline_of(cport_op_t *op) {
  return cp_lop(op)->u.timer.due;
}
static void set_slot(cport_op_t *op, uint32_t i) {
  cp_lop(op)->u.timer.slot = i;
}
static uint32_t slot_of(cport_op_t *op) {
  return cp_lop(op)->u.timer.slot;
}

static void place(struct cp_timers *t, uint32_t i, cport_op_t *op) {
  t->heap[i] = op;
  set_slot(op, i);
}

static void sift_up(struct cp_timers *t, uint32_t i) {
  cport_op_t *op = t->heap[i];
  while (i > 0) {
    uint32_t parent = (i - 1) / 2;
    if (deadline_of(t->heap[parent]) <= deadline_of(op))
      break;
    place(t, i, t->heap[parent]);
    i = parent;
  }
  place(t, i, op);
}

static void sift_down(struct cp_timers *t, uint32_t i) {
  cport_op_t *op = t->heap[i];
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= t->count)
      break;
    if (c + 1 < t->count &&
        deadline_of(t->heap[c + 1]) < deadline_of(t->heap[c]))
      c++;
    if (deadline_of(op) <= deadline_of(t->heap[c]))
      break;
    place(t, i, t->heap[c]);
    i = c;
  }
  place(t, i, op);
}

int cp_timers_add(struct cp_timers *t, cport_op_t *op, uint64_t deadline) {
  if (t->count == t->cap) {
    uint32_t ncap = t->cap ? t->cap * 2 : 64;
    cport_op_t **n = realloc(t->heap, ncap * sizeof(*n));
    if (n == NULL)
      return CPORT_ENOMEM;
    t->heap = n;
    t->cap = ncap;
  }
  cp_lop(op)->u.timer.due = deadline;
  t->heap[t->count++] = op;
  sift_up(t, t->count - 1);
  return 0;
}

bool cp_timers_remove(struct cp_timers *t, cport_op_t *op) {
  uint32_t i = slot_of(op);
  if (i >= t->count || t->heap[i] != op)
    return false;
  cport_op_t *last = t->heap[--t->count];
  if (last != op) {
    place(t, i, last);
    if (i > 0 && deadline_of(last) < deadline_of(t->heap[(i - 1) / 2]))
      sift_up(t, i);
    else
      sift_down(t, i);
  }
  return true;
}

uint64_t cp_timers_next(const struct cp_timers *t) {
  return t->count ? deadline_of(t->heap[0]) : UINT64_MAX;
}

cport_op_t *cp_timers_pop_due(struct cp_timers *t, uint64_t now) {
  if (t->count == 0 || deadline_of(t->heap[0]) > now)
    return NULL;
  cport_op_t *op = t->heap[0];
  cp_timers_remove(t, op);
  return op;
}

void cp_timers_free(struct cp_timers *t) {
  free(t->heap);
  t->heap = NULL;
  t->count = t->cap = 0;
}
