/*
 * fault.h - fault injection (layer 0): what a fault specification says,
 * and the decisions it leads to. Nothing here touches an op or a handle;
 * engine-diag.c applies the decisions, diag.c holds a port's state.
 *
 * A specification is what $CPORT_FAULTS or cport_set_faults() gives:
 * comma-separated `kind=probability` pairs, `seed=N`, `delay_ms=N`
 * (docs/testing.md). Every decision is a pure function of the seed, the
 * op's ticket (its number among the port's calls) and what is decided,
 * so the same seed and the same sequence of calls give the same faults,
 * whatever thread makes a decision and when.
 */
#ifndef CPORT_LINUX_FAULT_H
#define CPORT_LINUX_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/common.h"

/* Probabilities are fixed point: P * 2^32 (0 never, 2^32 always). */
#define CP_FAULT_ONE (UINT64_C(1) << 32)

struct cp_fault_cfg {
  uint64_t seed;
  uint64_t split;    /* a stream receive is cut short */
  uint64_t delay;    /* a completion is held back */
  uint64_t pending;  /* an op finished inside its call completes later */
  uint64_t reset;    /* a connection is chosen to be reset */
  uint64_t abort;    /* an accept fails: the connection was aborted */
  uint64_t nobufs;   /* a send, connect, read or write fails at the call */
  uint64_t refuse;   /* a connect is refused */
  uint64_t unreach;  /* a datagram receive meets a port unreachable */
  uint32_t delay_us; /* longest hold, microseconds */
  bool on;           /* some kind has a probability above 0 */
};

/* What a decision is about (mixed into its hash). */
enum cp_fault_what {
  CP_FW_SPLIT = 1,
  CP_FW_SPLIT_LEN,
  CP_FW_DELAY,
  CP_FW_DELAY_LEN,
  CP_FW_PENDING,
  CP_FW_RESET_PICK, /* is this connection one of the chosen */
  CP_FW_RESET_NOW,  /* does this call on a chosen one reset it */
  CP_FW_ABORT,
  CP_FW_ABORT_CODE,
  CP_FW_NOBUFS,
  CP_FW_REFUSE,
  CP_FW_UNREACH,
  CP_FW_UNREACH_CALL, /* is the report met at the call or while waiting */
};

/*
 * Parses a specification into *out. NULL, "", "0" and "off" switch
 * faults off (out->on false); "1" and "on" are the default mix (split,
 * delay and pending: faults a correct program never notices). A
 * specification that names no kind also gets the default mix. Returns 0,
 * or CPORT_EINVAL for an unknown key or a value out of range.
 */
CP_INTERNAL int cp_fault_parse(const char *spec, struct cp_fault_cfg *out);

/* Writes the specification back as text (for the trace and messages). */
CP_INTERNAL void cp_fault_format(const struct cp_fault_cfg *c, char *buf,
                                 size_t size);

/* A 64-bit hash of (seed, a, b): the randomness of every decision. */
CP_INTERNAL uint64_t cp_fault_mix(uint64_t seed, uint64_t a, uint64_t b);

/* Whether a decision about `what` for `ticket` comes out true with
 * probability p. */
static inline bool cp_fault_roll(const struct cp_fault_cfg *c, uint64_t p,
                                 uint64_t ticket, unsigned what) {
  return p != 0 && (cp_fault_mix(c->seed, ticket, what) >> 32) < p;
}

/* How many bytes a receive of `total` bytes that is cut short may take:
 * 1 to total - 1, small values as likely as large ones (log-uniform), so
 * one-byte and mid-message cuts are both common. total must be >= 2. */
CP_INTERNAL size_t cp_fault_split_len(const struct cp_fault_cfg *c,
                                      uint64_t ticket, size_t total);

/* How long a completion is held: up to delay_us; one forced to complete
 * through the port is held at least CP_FAULT_MIN_HOLD_NS, so that the
 * op is still busy when the call has returned. */
#define CP_FAULT_MIN_HOLD_NS 200000u
CP_INTERNAL uint64_t cp_fault_hold_ns(const struct cp_fault_cfg *c,
                                      uint64_t ticket, bool forced);

#endif
