/*
 * lane.h - the port's lock-free lane (docs/design.md §3, "The lane"): a
 * bounded ring of completions that any thread may push to and pop from
 * without the port lock, in front of the port's locked, growable queue
 * (queue.h).
 *
 * Each cell carries a sequence number that tells whose turn it is: a cell
 * at position pos is free for the pusher of pos when its sequence is pos,
 * and full for the popper of pos when it is pos + 1; a popper hands it to
 * the pusher of pos + CELLS by storing that. Pushers and poppers claim
 * positions with a compare-and-swap on their own counter, so the only
 * shared writes are the two counters and the cells themselves.
 *
 * The lane never allocates: it is part of the port (a push to a full lane
 * fails, and the caller queues under the lock instead), and its cells live
 * as long as the port's shell, so a push racing cport_close writes into
 * memory that is still the port's.
 */
#ifndef CPORT_LINUX_LANE_H
#define CPORT_LINUX_LANE_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "cport.h"
#include "sys.h"

#define CP_LANE_CELLS 1024u /* a power of two */

struct cp_lane_cell {
  uint64_t seq;
  cport_completion_t c;
};

struct cp_lane {
  /* Each counter on its own cache line: pushers and poppers run on
   * different CPUs. */
  _Alignas(64) uint64_t push_pos;
  _Alignas(64) uint64_t pop_pos;
  _Alignas(64) struct cp_lane_cell cells[CP_LANE_CELLS];
};

static inline void cp_lane_init(struct cp_lane *l) {
  l->push_pos = 0;
  l->pop_pos = 0;
  for (uint32_t i = 0; i < CP_LANE_CELLS; i++)
    l->cells[i].seq = i;
}

/* Pushes one completion; false if the lane is full. *at (if not NULL)
 * receives the position of the cell it took. */
static inline bool cp_lane_push_at(struct cp_lane *l,
                                   const cport_completion_t *c, uint64_t *at) {
  uint64_t pos = __atomic_load_n(&l->push_pos, __ATOMIC_RELAXED);
  for (;;) {
    struct cp_lane_cell *cell = &l->cells[pos & (CP_LANE_CELLS - 1)];
    uint64_t seq = __atomic_load_n(&cell->seq, __ATOMIC_ACQUIRE);
    int64_t d = (int64_t)(seq - pos);
    if (d == 0) {
      /* Sequentially consistent: the claim is the store a thread going
       * to sleep must see (cp_lane_ready; port.h, "The lane"). */
      if (__atomic_compare_exchange_n(&l->push_pos, &pos, pos + 1, true,
                                      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
        cell->c = *c;
        __atomic_store_n(&cell->seq, pos + 1, __ATOMIC_RELEASE);
        if (at != NULL)
          *at = pos;
        return true;
      }
    } else if (d < 0) {
      return false; /* full: the cell still waits for its popper */
    } else {
      pos = __atomic_load_n(&l->push_pos, __ATOMIC_RELAXED);
    }
  }
}

static inline bool cp_lane_push(struct cp_lane *l,
                                const cport_completion_t *c) {
  return cp_lane_push_at(l, c, NULL);
}

/* After filling the cell at position at: whether another push claimed a
 * cell since. A read-modify-write of the claim counter, so that either
 * the later pusher's claim reads it (and sees the cell filled), or it
 * sees that claim. */
static inline bool cp_lane_pushed_since(struct cp_lane *l, uint64_t at) {
  return __atomic_fetch_add(&l->push_pos, 0, __ATOMIC_SEQ_CST) != at + 1;
}

/* Pops one completion into out; false if the lane is empty (or the next
 * cell's pusher has claimed it and not yet filled it). */
static inline bool cp_lane_pop(struct cp_lane *l, cport_completion_t *out) {
  uint64_t pos = __atomic_load_n(&l->pop_pos, __ATOMIC_RELAXED);
  for (;;) {
    struct cp_lane_cell *cell = &l->cells[pos & (CP_LANE_CELLS - 1)];
    uint64_t seq = __atomic_load_n(&cell->seq, __ATOMIC_ACQUIRE);
    int64_t d = (int64_t)(seq - (pos + 1));
    if (d == 0) {
      if (__atomic_compare_exchange_n(&l->pop_pos, &pos, pos + 1, true,
                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
        *out = cell->c;
        __atomic_store_n(&cell->seq, pos + CP_LANE_CELLS, __ATOMIC_RELEASE);
        return true;
      }
    } else if (d < 0) {
      return false;
    } else {
      pos = __atomic_load_n(&l->pop_pos, __ATOMIC_RELAXED);
    }
  }
}

/* Pops up to max completions; returns how many. */
static inline unsigned cp_lane_pop_many(struct cp_lane *l,
                                        cport_completion_t *out, unsigned max) {
  unsigned n = 0;
  while (n < max && cp_lane_pop(l, &out[n]))
    n++;
  return n;
}

/* Whether some position was pushed and not yet popped: a pusher may still
 * be filling its cell, so a pop right after may fail. Its loads are
 * sequentially consistent: a thread that marked itself as going to sleep
 * (a sequentially consistent store) and then finds the lane empty cannot
 * miss a push whose pusher did not see the mark (port.h, "The lane"). */
static inline bool cp_lane_ready(struct cp_lane *l) {
  uint64_t popped = __atomic_load_n(&l->pop_pos, __ATOMIC_SEQ_CST);
  return __atomic_load_n(&l->push_pos, __ATOMIC_SEQ_CST) != popped;
}

/* Waits a little for the pusher of the next cell to fill it, then yields
 * the CPU (the pusher may have been preempted right after its claim). */
static inline void cp_lane_await_fill(struct cp_lane *l) {
  uint64_t pos = __atomic_load_n(&l->pop_pos, __ATOMIC_RELAXED);
  struct cp_lane_cell *cell = &l->cells[pos & (CP_LANE_CELLS - 1)];
  for (int i = 0; i < 256; i++) {
    if (__atomic_load_n(&cell->seq, __ATOMIC_ACQUIRE) != pos ||
        __atomic_load_n(&l->pop_pos, __ATOMIC_RELAXED) != pos)
      return;
    cp_cpu_relax();
  }
  sched_yield();
}

#endif
