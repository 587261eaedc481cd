/*
 * fileio.h - file operations run as blocking calls (fileio.c).
 */
#ifndef CPORT_LINUX_FILEIO_H
#define CPORT_LINUX_FILEIO_H

#include "handle.h"

/* Records what a read or write returned (bytes, or -errno): a read of 0
 * bytes for a non-empty buffer is CPORT_EOF. Returns CP_TRY_DONE. */
CP_INTERNAL int cp_file_result(cport_op_t *op, long res);
/* Run a READ or WRITE op to the end on this thread and complete it. */
CP_INTERNAL void cp_file_run(cport_op_t *op);

#endif
