/*
 * trace.h - the completion trace writer (layer 0): one text line per
 * event of an operation's life, for scripts/cport-trace.py.
 *
 *   # cport-trace 1 pid=1234
 *   T_NS TID EV PORT FD KEY OP KIND BYTES STATUS [TICKET]
 *
 * T_NS is CLOCK_MONOTONIC in nanoseconds, TID the thread id, KEY and OP
 * hexadecimal, KIND a word (recv, send, accept, ...), STATUS 0 or an
 * error name without its CPORT_ prefix (ECONNRESET). EV is one letter:
 *
 *   O  a port opened (KIND: its backend)     Z  the port closed
 *   S  an op started: its call accepted it   F  the call then failed
 *   C  it ended and its completion was queued
 *   I  it ended with no completion (skip on success, an event with its
 *      low bit set, or its port closed)
 *   H  fault mode holds its completion back (C follows)
 *   J  fault mode injected a fault (KIND: which; BYTES: its size)
 *   P  cport_post     D  cport_get / cport_get_many returned it
 *   X  cport_cancel   K  cport_closesocket / cport_file_close
 *
 * TICKET, under the fault mode only, on the records of an op and on a
 * fault injected into a call: its number among the port's operations, on
 * which the mode's decisions hang (two runs of one seed can be lined up
 * by it, whichever thread wrote a record first).
 *
 * Writers are shared by path (a `%p` in it becomes the process id) and
 * buffered under one lock; the buffer is written when full, when a
 * record comes 100 ms after the last write, when the last port using it
 * closes, and at exit. A process killed by a signal loses at most the
 * records of its last 100 ms.
 */
#ifndef CPORT_LINUX_TRACE_H
#define CPORT_LINUX_TRACE_H

#include <stdint.h>

#include "../common/common.h"

struct cp_trace;

/* One record. */
struct cp_trace_rec {
  char ev;       /* the letter, above */
  uint32_t port; /* the port's number in this process */
  int32_t fd;    /* the handle, or -1 */
  uintptr_t key;
  const void *op;
  const char *kind; /* a word */
  uint32_t bytes;
  int32_t status;
  uint64_t ticket1; /* fault mode: the op's ticket + 1 (0: none, no field) */
};

/* Opens (or shares) the writer for path. Returns it, or NULL with *rc
 * set to a CPORT_E* code (the file cannot be created, no memory). */
CP_INTERNAL struct cp_trace *cp_trace_open(const char *path, int *rc);
/* Drops one user of the writer; the last one writes what is buffered and
 * closes the file. */
CP_INTERNAL void cp_trace_release(struct cp_trace *t);

/* Appends one record (any thread). */
CP_INTERNAL void cp_trace_write(struct cp_trace *t,
                                const struct cp_trace_rec *r);
/* Appends a comment line ("# " and text). */
CP_INTERNAL void cp_trace_note(struct cp_trace *t, const char *text);
/* Writes what is buffered. */
CP_INTERNAL void cp_trace_flush(struct cp_trace *t);

#endif
