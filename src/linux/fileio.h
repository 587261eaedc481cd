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
/* A write that wrote part of its bytes, or a read stopped by Linux's cap
 * of 2 GiB - 4 KiB a call, moves on to the rest: true if some are left.
 * A file write is whole or fails, and a read of a disk file reads up to
 * its end, as on Windows. */
CP_INTERNAL bool cp_file_moved_part(cport_op_t *op, long res);
/* Runs the op's read or write on fd, blocking (a write to the end of the
 * file, CPORT_FILE_END, with RWF_APPEND; all of it), and records the
 * result. */
CP_INTERNAL void cp_file_io(cport_op_t *op, int fd);
/* A read whose bytes are all in the page cache, done in the call without
 * blocking (preadv2 RWF_NOWAIT), as Windows completes a cached ReadFile
 * in the call: true with the result recorded if it read the whole range,
 * or some bytes up to the end of the file, or if it reads nothing (0
 * bytes asked: success at once); false (nothing recorded) if
 * the read starts at the end, must go to the disk, or the kernel cannot
 * say. */
CP_INTERNAL bool cp_file_read_cached(cport_op_t *op, int fd);

#endif
