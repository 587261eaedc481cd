/*
 * win.h - internals of the Windows backend: real I/O completion ports.
 * The kernel keeps the IOCP rules; src/win adds the same argument checks
 * and results as the Linux backends. Layers (a file uses only its own
 * layer or lower):
 *
 *   0  errors.c   Win32 / WSA / NTSTATUS -> CPORT_E*
 *      handles.c  SOCKET/HANDLE -> {port, key, flags} table
 *      winsock.c  WSAStartup and the extension function pointers
 *   1  op.c       an op's life: prepared for a call, what the call
 *                 returned, finished when its completion is taken, and
 *                 the result calls (cport_op_status, cport_op_wait, ...)
 *   2  port.c     CreateIoCompletionPort / GetQueuedCompletionStatusEx /
 *                 PostQueuedCompletionStatus, association, close
 *      timers.c   port timers on a timer queue
 *   3  socket.c   WSARecv/WSASend/..., AcceptEx, ConnectEx, DisconnectEx
 *      file.c     files and TransmitFile
 */
#ifndef CPORT_WIN_H
#define CPORT_WIN_H

#ifndef _WIN32_WINNT
#  define _WIN32_WINNT 0x0601
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>

#include <stdbool.h>
#include <stdint.h>

#include "../common/common.h"
#include "../common/grave.h"

struct cport {
  struct cp_shell shell; /* first: see grave.h */
  HANDLE iocp;
  volatile LONG closed;
  volatile LONG inside;  /* threads inside GetQueuedCompletionStatusEx */
  volatile LONG drained; /* the close has taken every packet it waited
                            for: its handles may join other ports */
  volatile LONG ops;     /* op packets due: started I/O whose packet comes
                           here, and cport's own posts, until taken */
  SRWLOCK assoc_lock;    /* associations: shared; the close: exclusive */
  HANDLE timers;         /* timer queue, created with the first timer */
  SRWLOCK timers_lock;
  cport_op_t *pending_timers; /* timers not fired nor cancelled yet
                                 (timers_lock): the close ends them */
  LONG timer_calls;           /* calls on `timers` under way outside the lock
                       (timers_lock): the close waits for them */
  uint32_t generation;
};

/* ------------------------------------------------------------------------ */
/* Operations                                                                */
/* ------------------------------------------------------------------------ */

enum cp_wop_kind {
  CP_W_NONE = 0,
  CP_W_RECV,
  CP_W_RECVFROM,
  CP_W_SEND,
  CP_W_SENDTO,
  CP_W_ACCEPT,
  CP_W_CONNECT,
  CP_W_DISCONNECT,
  CP_W_READ,
  CP_W_WRITE,
  CP_W_TRANSMIT,
  CP_W_TIMER,
  CP_W_POSTED, /* completed by cport itself (datagram connect) */
};

/* AcceptEx wants room for two addresses, each 16 bytes longer than the
 * largest address of the family. */
#define CP_ACCEPT_ADDRLEN ((DWORD)(sizeof(struct sockaddr_in6) + 16))

/* The Windows overlay of cport_op_t.priv (asserted to fit). */
struct cp_wop {
  uintptr_t magic;   /* CP_OP_BUSY_MAGIC while in flight */
  uint8_t kind;      /* enum cp_wop_kind */
  uint8_t has_addrs; /* accept: addrs[] holds what AcceptEx wrote */
  uint16_t pad;
  uint32_t len;                 /* accept: data length asked for */
  SOCKET s;                     /* the handle the op was issued on */
  SOCKET acc;                   /* accept: the new socket */
  char *tmp;                    /* accept with data: AcceptEx's own buffer */
  void *user_buf;               /* accept with data: the caller's buffer */
  uintptr_t aux[4];             /* per-kind scratch (files, timers) */
  void (*done)(cport_op_t *op); /* more work at the end (timers) */
  char addrs[2 * (sizeof(struct sockaddr_in6) + 16)];
};

static inline struct cp_wop *cp_wop(cport_op_t *op) {
  return (struct cp_wop *)(void *)op->priv;
}

/* Queue the completion of an op cport finished itself (not a user post:
 * the op is finished by cp_wop_done when taken). If it cannot (the port
 * closed), the op ends there, free again, and the error returns. */
CP_INTERNAL int cp_win_post_op(struct cport *p, uintptr_t key, uint32_t bytes,
                               cport_op_t *op);

/* Prepares op for a new overlapped call: OVERLAPPED zeroed, busy. False,
 * with op untouched, if a racing start of the same op has it (the
 * program's race, which cp_check_op's look cannot see): the caller
 * fails with CPORT_EBUSY. */
CP_INTERNAL bool cp_wop_begin(cport_op_t *op, uint8_t kind, SOCKET s);

struct cp_whandle;

/* Starts op on e's handle (cp_wop_begin), its packet counted as due on
 * e's port first: 0, CPORT_EBUSY (a racing start has it) or CPORT_ECLOSED
 * (the port is closing; the op is free again). Every start ends in
 * cp_win_started, cp_win_post_started or cp_wop_abandon. */
CP_INTERNAL int cp_wop_start(const struct cp_whandle *e, cport_op_t *op,
                             uint8_t kind);
/* A started op that makes no call after all: uncounted, free again. */
CP_INTERNAL void cp_wop_abandon(const struct cp_whandle *e, cport_op_t *op);
/* cp_win_post_op for a started op (counted already), under e's key. */
CP_INTERNAL int cp_win_post_started(const struct cp_whandle *e, uint32_t bytes,
                                    cport_op_t *op);

/* What an overlapped call returned (socket.c): 0 pending or posted,
 * CPORT_COMPLETED on skip-on-success handles, or the call's error. */
CP_INTERNAL int cp_win_started(const struct cp_whandle *e, cport_op_t *op,
                               bool ok, int err);
/* The entry of an open socket associated with a port, or the error. */
CP_INTERNAL int cp_win_lookup_socket(cport_handle_t s, struct cp_whandle *e);
/* The same, for a connected stream socket only (else CPORT_EOPNOTSUPP or
 * CPORT_ENOTCONN). */
CP_INTERNAL int cp_win_lookup_stream_peer(cport_handle_t s,
                                          struct cp_whandle *e);
/* A stream socket with a peer (learned once, then remembered). */
CP_INTERNAL bool cp_win_connected(struct cp_whandle *e);
CP_INTERNAL void cp_win_set_flag(SOCKET s, uint16_t flag);

/* A closing port stops its timer queue (timers.c). */
CP_INTERNAL void cp_win_timers_stop(struct cport *p);
/* CPORT_ENOSYS if $CPORT_FAULTS or $CPORT_TRACE asks for a mode Windows
 * does not have (diag.c), else 0. */
CP_INTERNAL int cp_win_diag_env(void);

/* Runs when the port hands a completion out: finishes the op (update
 * contexts, copy accept data, close a failed accept socket) and returns
 * its status as a CPORT_E* code. */
CP_INTERNAL int cp_wop_done(cport_op_t *op, uint32_t *bytes);

/* ------------------------------------------------------------------------ */
/* Handles                                                                   */
/* ------------------------------------------------------------------------ */

enum {
  CP_WH_SKIP = 1,        /* FILE_SKIP_COMPLETION_PORT_ON_SUCCESS */
  CP_WH_SHUT = 2,        /* send side shut down */
  CP_WH_FILE = 4,        /* a file, not a socket */
  CP_WH_CONNECTED = 8,   /* stream socket known to have a peer */
  CP_WH_NO_READ = 16,    /* file opened without read access */
  CP_WH_NO_WRITE = 32,   /* file opened without write access */
  CP_WH_APPEND = 64,     /* file writes go to the end */
  CP_WH_PORT_GONE = 128, /* its port was closed: ops get CPORT_ECLOSED */
};

struct cp_whandle {
  uintptr_t h;
  struct cport *port;      /* NULL: not associated */
  struct cport *gone_from; /* with CP_WH_PORT_GONE: the port that closed */
  uint32_t gone_gen;       /* ... and its generation (shells are reused) */
  uintptr_t key;
  uint16_t flags; /* CP_WH_* */
  uint8_t type;   /* SOCK_STREAM, SOCK_DGRAM, or 0 for a file */
  uint8_t family;
};

CP_INTERNAL int cp_wh_add(const struct cp_whandle *e);
CP_INTERNAL bool cp_wh_get(uintptr_t h, struct cp_whandle *out);
CP_INTERNAL bool cp_wh_update(const struct cp_whandle *e);
CP_INTERNAL bool cp_wh_remove(uintptr_t h);
/* Every handle of a closing port loses it, and its pending ops are
 * cancelled (CancelIoEx). */
CP_INTERNAL void cp_wh_forget_port(struct cport *port);
/* Cancels the I/O of the handles the closing port forgot again (for ops
 * the first pass did not find). */
CP_INTERNAL void cp_wh_cancel_forgotten(struct cport *port);

/* ------------------------------------------------------------------------ */
/* Winsock                                                                   */
/* ------------------------------------------------------------------------ */

struct cp_winsock {
  LPFN_ACCEPTEX AcceptEx;
  LPFN_CONNECTEX ConnectEx;
  LPFN_DISCONNECTEX DisconnectEx;
  LPFN_GETACCEPTEXSOCKADDRS GetAcceptExSockaddrs;
  LPFN_TRANSMITFILE TransmitFile;
};

/* WSAStartup and the extension pointers, once per process; NULL (with
 * *err set) if Winsock could not start. */
CP_INTERNAL const struct cp_winsock *cp_winsock(int *err);
/* Whether the system queues a packet for an overlapped receive that
 * fails at the call with WSAEMSGSIZE, on a socket in skip-on-success mode
 * or not (learnt once; the documentation says it does not). */
CP_INTERNAL bool cp_win_truncation_queues(bool skip);

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/* A Win32 or WSA error code as a CPORT_E* code. */
CP_INTERNAL int cp_win_error(DWORD err);
/* An NTSTATUS (OVERLAPPED.Internal) as a CPORT_E* code; 0 for success. */
CP_INTERNAL int cp_nt_error(uintptr_t status);

#endif
