/*
 * timers.h - the port's timer heap (layer 0; timers.c). Not thread-safe:
 * the port lock protects it.
 */
#ifndef CPORT_LINUX_TIMERS_H
#define CPORT_LINUX_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "op.h"

struct cp_timers {
  cport_op_t **heap;
  uint32_t count, cap;
};

/* Adds a timer op due at deadline (monotonic ns). */
CP_INTERNAL int cp_timers_add(struct cp_timers *t, cport_op_t *op,
                              uint64_t deadline);
/* Removes op if it is a pending timer here. */
CP_INTERNAL bool cp_timers_remove(struct cp_timers *t, cport_op_t *op);
/* The earliest deadline, or UINT64_MAX. */
CP_INTERNAL uint64_t cp_timers_next(const struct cp_timers *t);
/* The earliest timer if it is due at `now`, removed from the heap. */
CP_INTERNAL cport_op_t *cp_timers_pop_due(struct cp_timers *t, uint64_t now);
CP_INTERNAL void cp_timers_free(struct cp_timers *t);

#endif
