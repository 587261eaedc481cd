/*
 * fileio.h - the system calls behind file operations (layer 4): a read or
 * write at the op's offset, and what its result means. Ending the op is
 * the engine's.
 */
#ifndef CPORT_LINUX_FILEIO_H
#define CPORT_LINUX_FILEIO_H

#include "op.h"

/* Records what a read or write returned (bytes, or -errno): a read of 0
 * bytes for a non-empty buffer is CPORT_EOF. */
CP_INTERNAL void cp_file_result(cport_op_t *op, long res);
/* Runs the op's pread or pwrite on fd, blocking, and records the result. */
CP_INTERNAL void cp_file_io(cport_op_t *op, int fd);

#endif
