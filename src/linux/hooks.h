/*
 * hooks.h - the Win32 porting layer's private interface to the Linux
 * library (layer 6). The porting layer (src/win32, libcport-win32) uses the
 * public API of cport.h plus exactly these calls; nothing else of the
 * library's internals. They are exported from libcport (their names start
 * with `cport__`) but are not part of the API: they may change in any
 * release, together with the porting layer built from the same source.
 */
#ifndef CPORT_LINUX_HOOKS_H
#define CPORT_LINUX_HOOKS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "cport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Whether the calling thread's last call that started an op (and
 * returned 0 or CPORT_COMPLETED) finished it inside the call; if so its
 * bytes and status. Lets the layer answer like Windows without reading
 * the OVERLAPPED after the call (another thread may own it by then). */
CPORT_API bool cport__last_inline(uint32_t *bytes, int *status);

/* An op the layer runs itself on fd, a socket or a file (a message pipe's
 * read, write or connect, a waiting LockFileEx, which cport has no op
 * for): cport__external_begin starts op on
 * fd's port as cport_recv would (Internal pending, its event held, its
 * packet's room reserved; fd must be associated), and
 * cport__external_end, called once from any thread, publishes its result
 * and queues its packet (none with the event's low bit set). cport does
 * not cancel it: closing fd or cancelling is the layer's to do. */
CPORT_API int cport__external_begin(int fd, cport_op_t *op);
CPORT_API void cport__external_end(cport_op_t *op, int status, uint32_t bytes);

/* Whether a finished receive or send ended because its handle was closed
 * (ERROR_CONNECTION_ABORTED on Windows; an accept or a connect ended so
 * is ERROR_OPERATION_ABORTED, and false here). */
CPORT_API bool cport__op_closed(const cport_op_t *op);

/* Puts socket `from` in place of `target` (target's number now refers to
 * from's connection; from is closed), keeping target's association, key
 * and skip mode, marked connected if `connected`. AcceptEx into the
 * caller's socket, and DisconnectEx(TF_REUSE_SOCKET). Returns 0 or a
 * CPORT_E* code. */
CPORT_API int cport__replace_socket(int target, int from, bool connected);

/* cport_recv that ends only when the buffers are full, the peer's end
 * came or an error (Win32's MSG_WAITALL on an overlapped WSARecv): what
 * came so far waits in the buffers meanwhile, and the op's bytes are all
 * of it. Stream sockets only (CPORT_EOPNOTSUPP otherwise). */
CPORT_API int cport__recv_all(cport_handle_t s, cport_buf_t *bufs, unsigned n,
                              cport_op_t *op);

/* CloseHandle of a Win32 port: the threads waiting in cport_get or
 * cport_get_many on p return CPORT_ECLOSED, as on a close, but the port
 * lives on and so does the I/O of the handles associated with it (on
 * Windows an associated handle keeps its port alive). From then on only
 * cport__reap takes its completions. cport__port_unused tells when the
 * last handle has left it (closed), so the reaper can close it. */
CPORT_API int cport__abandon(cport_t *p);
CPORT_API int cport__reap(cport_t *p, cport_completion_t *out, unsigned max,
                          int timeout_ms);
CPORT_API bool cport__port_unused(cport_t *p);

/* PostQueuedCompletionStatus: cport_post, but the packet comes out of
 * cport_get with status CPORT__OPAQUE_POST, so the layer tells it from an
 * op's completion and never reads the pointer (Windows neither uses nor
 * validates it: it may be a sentinel such as (LPOVERLAPPED)-1). */
#define CPORT__OPAQUE_POST (-2147483647 - 1)
CPORT_API int cport__post_opaque(cport_t *p, uintptr_t key, uint32_t bytes,
                                 void *value);

/* After a datagram socket's call failed: takes the oldest ICMP report off
 * its error queue (IP_RECVERR, which the layer sets as Windows reports
 * unreachable ports) and returns its errno, or 0 when there was none. */
CPORT_API int cport__icmp_report_take(int fd);

/* What cport knows of fd. */
enum {
  CPORT__ASSOCIATED = 1u << 0, /* joined to a port */
  CPORT__SKIP = 1u << 1,       /* skip-on-success set */
  CPORT__CONNECTED = 1u << 2,  /* seen connected */
  CPORT__CLOSED = 1u << 3,     /* closed by cport, the number still held
                                  (ops ending, buffered sends leaving) */
};
CPORT_API unsigned cport__handle_state(int fd);
/* File or socket fd, which did overlapped I/O on port `from` (the Win32
 * layer's own, for handles on no port of the program's), joins port `to`
 * with `key`, as CreateIoCompletionPort allows on Windows. Its cport ops
 * must have ended (the layer's own ops, cport__external_begin, move along:
 * their packets come to `to`), and a socket's backend must hold nothing
 * it took ahead
 * (bytes, the peer's end, connections): CPORT_EBUSY otherwise;
 * CPORT_EAGAIN while the backend's receive ahead is still stopping (ask
 * again shortly); CPORT_EEXIST if it is not on `from`. */
CPORT_API int cport__move_file(cport_t *from, cport_t *to, int fd,
                               uintptr_t key);
/* CPORT__ASSOCIATED of cport__handle_state() without the handle's lock:
 * the check every Win32 op makes before it starts. */
CPORT_API bool cport__handle_associated(int fd);

/* An accept op that has its connection and waits for the first data
 * (AcceptEx with a receive buffer): how long, in milliseconds, that
 * connection has been established (SO_CONNECT_TIME on the socket
 * AcceptEx will fill). Returns 0, or CPORT_ENOENT if op is not such an
 * op. op must stay valid during the call. */
CPORT_API int cport__accept_waiting_ms(const cport_op_t *op, uint32_t *ms);

/* One piece of cport__transmit_pieces: `len` bytes of memory at `base`,
 * or (base NULL) of file `fd` from offset `off` (len 0: to the end of the
 * file). CPORT__PIECE_EOP: nothing after it is sent with it (no
 * MSG_MORE). */
struct cport__piece {
  const void *base;
  uint64_t off;
  uint32_t len;
  int fd;
  unsigned flags;
};
#define CPORT__PIECE_EOP 0x1u
/* TransmitPackets: the pieces, in order, as one op on a connected stream
 * socket, the engine of cport_transmit_file (whose head, file range and
 * tail are the special case), with one completion counting every byte.
 * The array is copied (the memory it points to must stay valid until the
 * completion); flags 0 or CPORT_TF_DISCONNECT. Errors as
 * cport_transmit_file's, and CPORT_EINVAL for more than UINT32_MAX bytes
 * in all; CPORT_ENOMEM when the copy cannot be made. */
CPORT_API int cport__transmit_pieces(cport_handle_t s,
                                     const struct cport__piece *pieces,
                                     unsigned n, unsigned flags,
                                     cport_op_t *op);

/* WSARecvMsg and WSASendMsg: a datagram receive or send that carries
 * control data (Linux cmsgs), on a datagram socket (else
 * CPORT_EOPNOTSUPP). The caller's block must stay valid until `end` has
 * run: cport__recvmsg fills `name` (if not NULL) with the sender and sets
 * `namelen` to its length, receives the control data into `control`
 * (`controllen` bytes of room; set to the bytes filled) and sets `flags`
 * to the message's msg_flags (MSG_TRUNC, MSG_CTRUNC); cport__sendmsg
 * sends to `name` (NULL: the connected peer) with the cmsgs of
 * `control`. `end` is called exactly once for an op the call accepted
 * (it returned 0 or CPORT_COMPLETED), on the thread that ends it, before
 * its result is published (so it may translate the control data and free
 * the block), with the op's status and bytes; never when the call fails.
 * Errors as cport_recvfrom's and cport_sendto's. */
struct cport__msg {
  struct sockaddr *name;
  int namelen;
  void *control;
  size_t controllen;
  int flags;
  void (*end)(void *msg, int status, uint32_t bytes);
};
CPORT_API int cport__recvmsg(cport_handle_t s, cport_buf_t *bufs, unsigned n,
                             struct cport__msg *msg, cport_op_t *op);
CPORT_API int cport__sendmsg(cport_handle_t s, const cport_buf_t *bufs,
                             unsigned n, struct cport__msg *msg,
                             cport_op_t *op);

/* cport_disconnect for a socket to be reused (DisconnectEx with
 * TF_REUSE_SOCKET): a connection already ended both ways completes it
 * successfully instead of failing with CPORT_ENOTCONN. */
CPORT_API int cport__disconnect_reuse(cport_handle_t s, cport_op_t *op);

/* Ops on fd are tried in the call on every backend (io_uring otherwise
 * hands sends and datagram ops to its ring), so a send the socket can
 * take, or a datagram already there, finishes in the call, as WSASend and
 * WSARecvFrom do on Windows. Kept for the handle's association if it has
 * none yet. */
CPORT_API int cport__try_at_call(int fd);
/* fd, a listener, takes a connection only for an accept op waiting on
 * this very handle, never ahead of one (io_uring's multishot accept would
 * keep connections for this handle's later accepts): for several handles
 * that share one listener (duplicates), each taking its own clients, as
 * named pipe instances do. 0 or CPORT_EBADF. */
CPORT_API int cport__accept_one_by_one(int fd);
/* A stream receive the layer makes in the call (recv, recvfrom): the
 * length the fault mode lets it read this time, len when the mode is off
 * (a receive may always return fewer bytes than are there). */
CPORT_API size_t cport__fault_cut(int fd, size_t len);

/* A read of stream socket fd that bypasses cport (a call without an
 * OVERLAPPED, FIONREAD, MSG_PEEK): the bytes cport already took from the
 * socket come first. Copies up to the iovecs' bytes of them (consumed
 * unless peek) and returns how many; *held (may be NULL) gets all cport
 * holds. With nothing held: a receive error cport kept (a CPORT_E*
 * code), or CPORT_EAGAIN while cport's own receive may still take the
 * socket's next bytes (it has been told to stop: try again shortly), or
 * 0: read the socket. n 0 only counts. */
CPORT_API long cport__held_recv(int fd, const struct iovec *iov, unsigned n,
                                bool peek, size_t *held);

/* A readiness check of stream socket fd that bypasses cport (select,
 * WSAPoll, WSAEventSelect): what cport took from the socket ahead of any
 * receive. CPORT__HELD_DATA: bytes wait; CPORT__HELD_END: the peer's end
 * waits after them, or an error (*err its CPORT_E* code, else 0);
 * CPORT__HELD_SOON: cport's own receive may still take the socket's next
 * bytes (it has been told to stop), or the handle is busy (the call
 * never waits for its lock): look again shortly. From this call
 * on, cport no longer reads the socket ahead of its receives, so what
 * comes later is the socket's own readiness. 0: nothing held. */
enum {
  CPORT__HELD_DATA = 1u << 0,
  CPORT__HELD_END = 1u << 1,
  CPORT__HELD_SOON = 1u << 2,
};
CPORT_API unsigned cport__held_look(int fd, int *err);
/* An accept of listener fd that bypasses cport (the Win32 layer's accept,
 * WSAAccept): a connection cport accepted ahead of any accept op comes
 * first: its descriptor (non-blocking), else -1. From this call on,
 * cport no longer accepts ahead on fd, so later connections wait in the
 * listener's queue. For listeners that a readiness check found holding
 * connections (cport__held_look's CPORT__HELD_DATA). */
CPORT_API int cport__held_accept(int fd);

/* Waits up to timeout_ms (-1: for as long as it takes) until the sends
 * started on fd have ended: overlapped ones still pending, and those
 * that finished in their calls but whose bytes cport's send buffer still
 * holds (engine-sendbuf.c). A shutdown, a synchronous DisconnectEx or a
 * blocking send must come after them, as Windows queues it behind them.
 * stop (or NULL) is asked between looks; a signal to the thread makes it
 * ask at once. Returns 0, CPORT_ETIMEDOUT with some still queued, or
 * CPORT_ECANCELED when stop said so. */
CPORT_API int cport__flush_sends(int fd, int timeout_ms, bool (*stop)(void));
/* The same for receives: a blocking receive takes the bytes after those
 * of the overlapped receives posted before it, as Windows queues it
 * behind them. */
CPORT_API int cport__wait_receives(int fd, int timeout_ms, bool (*stop)(void));

/* Closes fd whatever it is (a socket, file or pipe cport has, or an fd
 * it does not: closed): CloseHandle's close. Returns as
 * cport_closesocket. */
CPORT_API int cport__close(int fd);

/* shutdown(fd, SHUT_WR) after fd's queued sends (those cport's send
 * buffer holds, and pending ones), without waiting: 1 if it was queued
 * behind them (it runs when they have ended, as Windows sends the FIN
 * after the data of the sends it took), 0 if none are queued (the caller
 * shuts down now), or a CPORT_E* code. */
CPORT_API int cport__shutdown_after_sends(int fd);

/* shutdown() was called on socket fd: how is SHUT_RD, SHUT_WR or
 * SHUT_RDWR. Later receives / sends fail with CPORT_ESHUTDOWN. */
CPORT_API int cport__note_shutdown(int fd, int how);

/* Cancels fd's pending ops whose cport_op_t.data is `tag`, as
 * cport_cancel() does for one op (each ends once, with CPORT_ECANCELED or
 * its real result). The layer tags each OVERLAPPED with the thread that
 * issued it, so CancelIo cancels only the calling thread's ops. Returns
 * how many were asked to stop (0 if none), or CPORT_EBADF. */
CPORT_API int cport__cancel_tagged(int fd, void *tag);

/* The function that signals an OVERLAPPED's hEvent when its op ends (on
 * the thread that ends it). Until one is set, ops with an event are
 * refused with CPORT_EINVAL. */
CPORT_API void cport__set_event_hook(void (*signal)(void *event));
/* The function told, on the same thread, just before an op with an event
 * publishes its result: the signal follows it. Until the signal, a
 * thread that saw the result knows the event's set is still on its way
 * (GetOverlappedResult waits for it, so the set never lands on the
 * program's next use of the event). */
CPORT_API void cport__set_event_ending_hook(void (*ending)(void *event));

/* The function that chooses the NTSTATUS an op of the layer's handles
 * that failed, or moved no bytes, leaves in op->internal (the
 * OVERLAPPED's Internal) as it ends, as Windows writes it whether or not
 * a thread takes the packet; closed says the op ended because its handle
 * was closed. Until one is set the op's CPORT_E* code is left there. */
CPORT_API void cport__set_nt_hook(uintptr_t (*word)(const cport_op_t *op,
                                                    int status, uint32_t bytes,
                                                    bool closed));
/* cport_accept with three words of the layer's on the op (word[0] not 0),
 * handed back to the accept hook as the op ends with a connection, on
 * the thread that ends it, before its result is published: the Win32
 * layer writes AcceptEx's addresses then, as Windows fills its buffer
 * when the op completes. The hook gets the new socket's descriptor and
 * must take no lock of cport's or the layer's. */
CPORT_API int cport__accept_ex(cport_handle_t listener, void *buf, uint32_t len,
                               cport_op_t *op, const uintptr_t word[3]);
CPORT_API void cport__set_accept_hook(void (*ended)(int fd,
                                                    const uintptr_t word[3]));
/* A finished op of the layer's handles: its exact CPORT_E* code (0 on
 * success) in *code, which the NTSTATUS in op->internal may not tell
 * apart. False for an op in flight or of another handle; the record is
 * the op's until the program starts it again, so *code is only as good
 * as op->internal still being what the op left there. */
CPORT_API bool cport__op_code(const cport_op_t *op, int *code);
/* Whether cport runs op now (accepted and not yet ended). An OVERLAPPED
 * whose Internal reads pending while this is false is the program's own,
 * or one whose op has not been handed to cport yet. */
CPORT_API bool cport__op_in_flight(const cport_op_t *op);

/* The file object event of fd (a file, pipe or socket of the layer), as
 * WaitForSingleObject on its handle sees it: reset by every op started on
 * it, set when an op without an event ends. False for a descriptor cport
 * never ran an op on. */
CPORT_API bool cport__io_signaled(int fd);

#ifdef __cplusplus
}
#endif

#endif
