/*
 * win32-io.h - internals of the Win32 porting layer, continued (win32.h
 * includes it at its end; include win32.h): the layer's I/O state.
 * Ports and overlapped ops, the fixups that finish some ops, the ops the
 * layer carries out itself, directory watches, byte-range locks, named
 * pipes, each descriptor's state, WSAEventSelect and the control data of
 * WSARecvMsg/WSASendMsg. The files each part lives in: win32.h's list.
 */
#ifndef CPORT_WIN32_IO_H
#define CPORT_WIN32_IO_H

#ifndef CPORT_WIN32_LAYER_H
#  error "include win32.h"
#endif

/* ------------------------------------------------------------------------ */
/* Ports and overlapped ops (ports.c, overlapped.c)                          */
/* ------------------------------------------------------------------------ */

/* How often the thread that takes a closed port's packets looks whether
 * the port's last handle has gone (ports.c). */
#define W32_REAP_SLICE_MS 100
/* The port behind a HANDLE, or NULL (*closed says if it was one, closed). */
CP_INTERNAL cport_t *w32_port(HANDLE h, bool *closed);
/* fd joins the layer's own port if no port has it: Windows lets a handle
 * do overlapped I/O without one. Returns 0 or a cport code. */
CP_INTERNAL int w32_ensure_port(int fd);
/* File fd, on the layer's own port, joins the program's port `to` (its
 * ops ended): 0, or CPORT_EEXIST / CPORT_EBUSY (ports.c). */
CP_INTERNAL int w32_own_port_leave(int fd, cport_t *to, uintptr_t key);

/*
 * Before an overlapped op on fd: its event checked, referenced and reset,
 * the issuing thread noted (CancelIo), fd given a port if it has none.
 * Returns 0, W32_BAD_EVENT (hEvent names no event) or the cport code that
 * kept fd from a port. After the call, w32_ov_end(ov, rc) with the cport
 * return code: an op refused at once lets its event go.
 */
#define W32_BAD_EVENT 1
CP_INTERNAL int w32_ov_begin(int fd, LPOVERLAPPED ov);
CP_INTERNAL void w32_ov_end(LPOVERLAPPED ov, int rc);
/* The tag an OVERLAPPED carries once its op starts (in its
 * cport_reserved_data, a field Windows does not have): the issuing thread
 * (CancelIo) and, on 64-bit systems, the descriptor. */
CP_INTERNAL void *w32_ov_tag(DWORD tid, int fd);
/* A pipe's read (of more than 0 bytes) or write adds one of these to its
 * tag (64-bit systems), so whoever takes its result turns a gone other end
 * into the pipe's error (w32_pipe_result); CancelIo cancels all three. */
#define W32_TAG_PIPE_READ (1u << 30)
#define W32_TAG_PIPE_WRITE (1u << 29)
/* An op of a datagram socket (w32_ov_tag adds it): ended by its socket's
 * close it is aborted, not a connection's abort. */
#define W32_TAG_DGRAM (1u << 28)
CP_INTERNAL void w32_ov_tag_pipe(LPOVERLAPPED ov, unsigned kind);
/* A finished pipe op's status as the pipe reports it: a read that got 0
 * bytes, found the writer gone or was ended by closing its own handle:
 * W32_EPIPE_BROKEN; a write that found
 * the reader gone: W32_EPIPE_CLOSING. Any other op: unchanged. Only for
 * an op whose result the caller takes (it reads the OVERLAPPED). */
CP_INTERNAL void w32_pipe_result(const OVERLAPPED *ov, uint32_t bytes,
                                 int *status);
/* The descriptor an OVERLAPPED's last op ran on, or -1. */
CP_INTERNAL int w32_ov_fd(const OVERLAPPED *ov);
/* An op the layer finished itself (synchronous handles): result written,
 * event set, no packet. */
CP_INTERNAL void w32_ov_finish(LPOVERLAPPED ov, int status, uint32_t bytes);
/* An overlapped handle's op that the layer did in its call, ended with
 * status (a cport code) and bytes as an op ends: Internal, InternalHigh,
 * hEvent, and the packet, which skip-on-success mode leaves out for a
 * success. 0, W32_BAD_EVENT, or the cport code that refused it (no end,
 * no packet). */
CP_INTERNAL int w32_ov_done_now(int fd, LPOVERLAPPED ov, int status,
                                uint32_t bytes);
/* What an overlapped call returns for cport's answer: TRUE (finished
 * inside the call: *done set), else FALSE with ERROR_IO_PENDING or the
 * error. */
CP_INTERNAL BOOL w32_started(int rc, LPDWORD done);

/* ------------------------------------------------------------------------ */
/* Fixups: ops that need work before their result is seen (fixups.c)        */
/* ------------------------------------------------------------------------ */

/* AcceptEx: move the connection into the caller's socket; DisconnectEx /
 * TransmitFile with TF_REUSE_SOCKET: a fresh socket; ConnectEx: note the
 * connect time. Registered after w32_ov_begin (which drops a stale one)
 * and before the op starts, run once by whoever sees the op's end first:
 * GetQueuedCompletionStatus(Ex), GetOverlappedResult,
 * WSAGetOverlappedResult or the layer's own port. */
struct w32_fixup {
  struct w32_fixup *next;
  LPOVERLAPPED ov;
  int kind;
  SOCKET target;
  char *buf;
  DWORD recvlen, locallen, remotelen;
  SOCKET source; /* the socket the op runs on (AcceptEx: the listener) */
  bool gone;     /* target closed while the op ran (fixups.c) */
  bool running;  /* a thread runs it (fixups.c) */
  bool ended;    /* its op ended, with end_status (fixups.c) */
  int end_status;
  DWORD runner; /* the running thread's id (fixups.c) */
};
enum {
  W32_FIX_ACCEPT = 1,
  W32_FIX_REUSE = 2,
  W32_FIX_CONNECT = 3,
  W32_FIX_PIPE_CONNECT = 4, /* ConnectNamedPipe: the connection into target */
};
/* A ConnectNamedPipe's end, after its fixup (set by pipes.c): fd's
 * instance is connected (status 0) or still listening. */
CP_INTERNAL extern void (*w32_pipe_connect_done)(int fd, int status);
/* 0, CPORT_ENOMEM, or CPORT_EBUSY for an AcceptEx whose accept socket
 * another pending AcceptEx fills already. */
CP_INTERNAL int w32_fixup_add(const struct w32_fixup *f);
CP_INTERNAL void w32_fixup_drop(LPOVERLAPPED ov);
/* The call that added ov's fixup failed (rc, nothing started): drops it
 * and gives the OVERLAPPED that status in place of pending. */
CP_INTERNAL void w32_fixup_refused(LPOVERLAPPED ov, int rc);
/* Runs ov's fixup if it has one; *status may turn into an error. */
CP_INTERNAL void w32_fixup_run(LPOVERLAPPED ov, int *status);
/* An op with a fixup that ended in the call (CPORT_COMPLETED: skip mode,
 * no packet comes): its fixup runs now; its status, as a cport code. */
CP_INTERNAL int w32_fixup_run_inline(LPOVERLAPPED ov);
/* w32_fixup_run for a packet that may be stale (the layer's own port):
 * only once ov's op has ended, with that op's status. */
CP_INTERNAL void w32_fixup_run_ended(LPOVERLAPPED ov);
/* The same for a packet a program takes (GetQueuedCompletionStatus):
 * *status, the packet's, turns into the fixup's answer when it is the
 * status the fixup's op ended with. A stale packet (the program took the
 * result with GetOverlappedResult and started another op on the
 * OVERLAPPED) never runs the next op's fixup before that op ends. */
CP_INTERNAL void w32_fixup_run_taken(LPOVERLAPPED ov, int *status);
/* The program starts a new op on ov: the fixup of the op that ended on it
 * runs now if nobody took that op's result (the program only watched its
 * event or HasOverlappedIoCompleted: on Windows its socket is connected,
 * or fresh again, all the same); one of an op still in flight goes. */
CP_INTERNAL void w32_fixup_settle_ov(LPOVERLAPPED ov);
/* fd is used by a call of the program's: if the AcceptEx filling it has
 * ended and its result is not yet taken, its connection moves in now, as
 * on Windows the socket is connected once the op has completed (the
 * program may have only watched HasOverlappedIoCompleted). */
CP_INTERNAL void w32_fixup_settle(int fd);
/* TF_REUSE_SOCKET's end: fd becomes a fresh socket, ready for AcceptEx or
 * ConnectEx again (fixups.c). */
CP_INTERNAL void w32_socket_reuse(int fd);
/* closesocket(fd): the AcceptEx calls whose connection was to go into fd
 * are cancelled, and none moves a connection there any more. */
CP_INTERNAL void w32_fixup_target_closed(int fd);
/* DisconnectNamedPipe of an instance whose ConnectNamedPipe's result was
 * not taken: as w32_fixup_target_closed, then each such connect, ended
 * (it is cancelled), runs its fixup at once, which closes the client it
 * accepted: the client is not left connected to nobody, whether or not
 * the result is ever taken. Returns how many had accepted a client. */
CP_INTERNAL unsigned w32_fixup_target_disconnected(int fd);
/* A pending AcceptEx into fd whose connection waits for its first data:
 * true with the milliseconds since it was established (SO_CONNECT_TIME,
 * which Windows reports for that socket). */
CP_INTERNAL bool w32_fixup_accept_waiting_ms(int fd, uint32_t *ms);
/* Where the sockaddr sits in one of AcceptEx's address areas: after the
 * length (2 bytes), at the next 8-byte boundary. */
CP_INTERNAL char *w32_acceptex_address(char *area);

/* ------------------------------------------------------------------------ */
/* Ops the layer carries out itself (layer-ops.c)                            */
/* ------------------------------------------------------------------------ */

/* One try of such an op, never blocking: its status and *bytes, or
 * CPORT_EAGAIN with the descriptor and poll events to wait for. */
typedef int (*w32_lop_step)(void *ctx, int *wait_fd, short *events,
                            size_t *bytes);
/* A handle's lanes: reads (and connects), writes; filelocks.c gives each
 * waiting lock a lane of its own (2 and up). */
enum { W32_LANE_READ = 0, W32_LANE_WRITE = 1 };
/* Starts ov (w32_ov_begin done) as an op of fd's lane `which`, run by
 * step with a copy of ctx (at most 64 bytes): 0 (it ends through cport
 * later, whatever happens) or the cport error that refused it. */
CP_INTERNAL int w32_lop_start(int fd, LPOVERLAPPED ov, int which,
                              w32_lop_step step, const void *ctx,
                              size_t ctx_size);
/* Marks fd's ops (only ov, if not NULL; only those with the OVERLAPPED tag
 * `tag`, if not 0) to end with status (W32_LOP_SUCCESS: with success and
 * 0 bytes); returns how many. */
#define W32_LOP_SUCCESS INT_MIN
CP_INTERNAL int w32_lop_cancel(int fd, const OVERLAPPED *ov, uintptr_t tag,
                               int status);
/* Marks the ops of fd's lane `which` not run by `but` (and not marked
 * yet) to end with status; returns how many. */
CP_INTERNAL int w32_lop_cancel_lane(int fd, int which, w32_lop_step but,
                                    int status);
/* Ends every op of fd with status and waits until none runs. */
CP_INTERNAL void w32_lop_end_all(int fd, int status);

/* ------------------------------------------------------------------------ */
/* Directory watches (dirwatch.c)                                            */
/* ------------------------------------------------------------------------ */

/* A watch on directory descriptor fd (not a program's handle) that keeps
 * no records, for a change notification: its inotify descriptor (to poll),
 * or a cport code (CPORT_EINVAL: a bad filter). w32_dw_changed reads what
 * inotify queued and says whether a change matching the filter came since
 * the last call (an overflow counts as one); w32_dw_unwatch ends it. */
CP_INTERNAL int w32_dw_watch(int fd, DWORD filter, bool subtree);
CP_INTERNAL bool w32_dw_changed(int fd);
CP_INTERNAL void w32_dw_unwatch(int fd);

/* ------------------------------------------------------------------------ */
/* Byte-range locks (filelocks.c)                                            */
/* ------------------------------------------------------------------------ */

/* How many locks the process holds (any handle): ReadFile and WriteFile
 * look for a conflicting lock only while there is one. */
CP_INTERNAL extern unsigned long w32_locks_held;
/* Whether I/O of len bytes at off on fd may go on; false: a lock of
 * another handle (this process's or another's) covers the range (a write:
 * any lock; a read: an exclusive one), or a write meets a shared lock of
 * fd's own: ERROR_LOCK_VIOLATION. */
CP_INTERNAL bool w32_locks_allow(int fd, uint64_t off, uint64_t len,
                                 bool write_side);

/* ------------------------------------------------------------------------ */
/* Named pipes (pipes.c)                                                     */
/* ------------------------------------------------------------------------ */

/* Whether path names a pipe ("\\host\pipe\..."). */
CP_INTERNAL bool w32_pipe_path(const char *path);
/* CreateFile of a pipe name: the client's end, or INVALID_HANDLE_VALUE
 * with the last error set. */
CP_INTERNAL HANDLE w32_pipe_open(const char *path, DWORD access, DWORD flags);
/* ReadFile / WriteFile on a pipe handle (W32_FD_PIPE). */
CP_INTERNAL BOOL w32_pipe_io(int fd, void *buf, DWORD len, LPDWORD done,
                             LPOVERLAPPED ov, bool write_side);
/* FlushFileBuffers on a pipe: waits until the reader took what was
 * written. */
CP_INTERNAL BOOL w32_pipe_flush(int fd);
/* What pipes-io.c needs to know of an end (false, error set: no pipe). */
struct w32_pipe_info {
  bool server, message, read_message, overlapped, can_read, can_write;
  DWORD state_error; /* ERROR_PIPE_LISTENING / _NOT_CONNECTED, or 0 */
};
CP_INTERNAL bool w32_pipe_info_of(int fd, struct w32_pipe_info *out);

/* The rest of a message an earlier read left (message pipes): taken into
 * buf (CPORT_EMSGSIZE while some is left in message read mode; *had
 * false if there was none), kept (whole is the end's now, len bytes, off
 * already read), or copied without taking it (how much is held). */
CP_INTERNAL int w32_pipe_rest_take(int fd, char *buf, size_t len, size_t *done,
                                   bool *had);
CP_INTERNAL void w32_pipe_rest_keep(int fd, char *whole, size_t len,
                                    size_t off);
CP_INTERNAL size_t w32_pipe_rest_peek(int fd, void *buf, size_t size,
                                      size_t *copied);

/* ------------------------------------------------------------------------ */
/* Descriptor state (sockets.c)                                              */
/* ------------------------------------------------------------------------ */

enum {
  W32_FD_NONBLOCK = 1u << 0,    /* ioctlsocket(FIONBIO, 1) */
  W32_FD_SYNC = 1u << 1,        /* a file opened without FILE_FLAG_OVERLAPPED */
  W32_FD_RESET = 1u << 2,       /* the peer reset the connection */
  W32_FD_CLOSING = 1u << 3,     /* closesocket runs: accepts leave */
  W32_FD_ACCEPTED = 1u << 4,    /* holds a connection AcceptEx accepted */
  W32_FD_EXCLUSIVE = 1u << 5,   /* SO_EXCLUSIVEADDRUSE asked for */
  W32_FD_EVENTSELECT = 1u << 6, /* WSAEventSelect watches it */
  W32_FD_PORT = 1u << 7,        /* associated with a program's port */
  W32_FD_PIPE = 1u << 8,        /* a named pipe's end (pipes.c) */
  W32_FD_ACCEPT_INTO = 1u << 9, /* a pending AcceptEx or ConnectNamedPipe
                                   brings it a connection (fixups.c) */
  W32_FD_CONNECTING = 1u << 10, /* a non-blocking connect has no outcome yet */
  W32_FD_DELETE = 1u << 11,     /* its name goes at CloseHandle (fileinfo.c) */
  W32_FD_DIR = 1u << 12,        /* a directory (FILE_FLAG_BACKUP_SEMANTICS) */
  W32_FD_DIR_LIST = 1u << 13,   /* ... opened with FILE_LIST_DIRECTORY */
  W32_FD_DIR_WRITE = 1u << 14,  /* ... opened with write access */
  W32_FD_NOBUF = 1u << 15,      /* a file opened FILE_FLAG_NO_BUFFERING */
  W32_FD_GONE = 1u << 16,       /* closed; cport still holds the number */
  W32_FD_BOUND = 1u << 17,      /* bound or not a datagram socket: seen */
  W32_FD_SHUT_RD = 1u << 18,    /* shutdown(SD_RECEIVE or SD_BOTH) */
  W32_FD_NB_CONNECT = 1u << 19, /* a non-blocking connect was started */
  W32_FD_REUSE = 1u << 20,      /* the program set SO_REUSEADDR */
  W32_FD_DISCONNECTED = 1u << 21, /* DisconnectEx without TF_REUSE_SOCKET */
  W32_FD_PIPE_DISC = 1u << 22,    /* DisconnectNamedPipe, no ConnectNamedPipe */
  W32_FD_DGRAM = 1u << 23,        /* a datagram socket the layer made */
  W32_FD_SHUT_WR = 1u << 24,      /* shutdown(SD_SEND or SD_BOTH) */
  W32_FD_SNDBUF0 = 1u << 25,      /* SO_SNDBUF set to 0 (sockopts.c) */
  W32_FD_RCVBUF0 = 1u << 26,      /* SO_RCVBUF set to 0 */
  W32_FD_NO_IO_EVENT = 1u << 27,  /* FILE_SKIP_SET_EVENT_ON_HANDLE */
};
/* Set by dirwatch.c, run before CloseHandle closes a W32_FD_DIR handle:
 * its pending ReadDirectoryChangesW calls end and its watch goes. */
CP_INTERNAL extern void (*w32_dir_closing)(int fd);
/* Set by pipes.c, run before CloseHandle closes a W32_FD_PIPE handle. */
CP_INTERNAL extern void (*w32_pipe_closing)(int fd);
/* Set by a layer above (fixups.c), run before CloseHandle closes a
 * descriptor: closesocket does the same work itself. */
CP_INTERNAL extern void (*w32_fd_closing)(int fd);
/* Set by filelocks.c once a lock was asked for, run before CloseHandle
 * closes a descriptor: its waiting locks end (ERROR_OPERATION_ABORTED)
 * and its locks go. */
CP_INTERNAL extern void (*w32_locks_closing)(int fd);
/* Set by layer-ops.c with its first op, run last before CloseHandle
 * closes a descriptor: the layer's ops still pending on it (a file's
 * ReadFileScatter / WriteFileGather) end (ERROR_OPERATION_ABORTED) before
 * the number can serve another file. */
CP_INTERNAL extern void (*w32_lops_closing)(int fd);
/* A socket call of the program's on fd is about to run: WSAENOTSOCK for
 * a socket closed whose number cport still holds (its ops ending, its
 * buffered bytes leaving: Windows' handle is gone at once), else 0; an
 * ended AcceptEx's connection moves into fd first (w32_fixup_settle).
 * *flags (if not NULL): fd's W32_FD_* flags then, so the caller reads the
 * descriptor's state once. */
CP_INTERNAL int w32_socket_call(int fd, unsigned *flags);
/* closesocket / CloseHandle of fd are done: if cport still holds the
 * number, the layer's calls on it fail (w32_socket_call). */
CP_INTERNAL void w32_fd_closed(int fd);
/* A descriptor the layer (or the program) just created or closed; one
 * WSAEventSelect watched is forgotten (w32_fd_forget, set by
 * eventselect.c). */
CP_INTERNAL void w32_fd_reset(int fd);
CP_INTERNAL extern void (*w32_fd_forget)(int fd);
/* A socket just created (socket, WSASocket): w32_fd_reset, an IPv6
 * socket starts IPv6-only and a UDP socket reports unreachable ports
 * (w32_udp_reports), as on Windows. */
CP_INTERNAL void w32_fd_new_socket(int fd, int af, int type);
/* A stream socket's bind to local port `port` succeeded (0: forget it);
 * and whether a stream socket of this process that is still open holds
 * `port` by a bind of its own (handles.c). */
CP_INTERNAL void w32_fd_bound_port(int fd, unsigned port);
/* The extensions WSAIoctl hands out (mswsock.c): no exported names, as on
 * Windows. */
CP_INTERNAL BOOL w32_connect_ex(SOCKET s, const struct sockaddr *name,
                                int namelen, PVOID send, DWORD sendlen,
                                LPDWORD sent, LPOVERLAPPED ov);
CP_INTERNAL BOOL w32_disconnect_ex(SOCKET s, LPOVERLAPPED ov, DWORD flags,
                                   DWORD reserved);
CP_INTERNAL BOOL w32_transmit_packets(SOCKET s,
                                      LPTRANSMIT_PACKETS_ELEMENT elements,
                                      DWORD count, DWORD send_size,
                                      LPOVERLAPPED ov, DWORD flags);
CP_INTERNAL bool w32_port_bound_here(unsigned port);
/* Marks fd an IP socket Winsock made (socket, WSASocket, accept), or no
 * longer one (closed); w32_fd_each_winsock calls fn on every marked one
 * (the last WSACleanup closes them). */
CP_INTERNAL void w32_fd_winsock(int fd, bool made);
CP_INTERNAL void w32_fd_each_winsock(void (*fn)(int fd));
/* Between the last WSACleanup and the next WSAStartup: new IP sockets
 * fail with WSANOTINITIALISED, and ops their sockets' close ended report
 * WSA_OPERATION_ABORTED, as WSACleanup's page says. */
CP_INTERNAL bool w32_winsock_ended(void);
CP_INTERNAL void w32_winsock_end(bool ended); /* WSACleanup, WSAStartup */
CP_INTERNAL unsigned w32_fd_flags(int fd);
CP_INTERNAL void w32_fd_set_flags(int fd, unsigned set, unsigned clear);
/* The socket connected now (SO_CONNECT_TIME counts from here). */
CP_INTERNAL void w32_fd_connected(int fd);
/* Whether the layer has seen it connected since it was created. */
CP_INTERNAL bool w32_fd_was_connected(int fd);
/* When the socket connected (w32_now_ms), 0 if not seen connected. */
CP_INTERNAL uint64_t w32_fd_connected_since(int fd);
/* A non-blocking connect's outcome, once known (select, WSAPoll,
 * WSAEventSelect): connected, or failed with -errno `err`, which the layer
 * keeps for the program's getsockopt(SO_ERROR) when reading it took it
 * from the kernel (`taken`). */
CP_INTERNAL void w32_fd_connect_outcome(int fd, int err, bool taken);
/* getsockopt(SO_ERROR): the error the layer kept (-errno, then 0). */
CP_INTERNAL int w32_fd_take_error(int fd);
/* A thread enters (+1) or leaves (-1) a blocking call on fd (accept(),
 * a wait of recv, send and their kin); whether it was counted.
 * closesocket wakes them and waits until none is left
 * (w32_fd_accepters). */
CP_INTERNAL bool w32_fd_accepting(int fd, int delta);
CP_INTERNAL unsigned w32_fd_accepters(int fd);
/* Blocking calls on a socket that is non-blocking underneath because a
 * port has it, unless the program asked for FIONBIO. */
CP_INTERNAL bool w32_fd_emulates_blocking(int fd);
/* A connect as the kernel makes it (never the layer's waiting one), and
 * the wait for a non-blocking connect's outcome until the deadline
 * (UINT64_MAX: none): 0, or -1 with errno (the attempt's error,
 * ETIMEDOUT, ECANCELED by CancelSynchronousIo, EINTR if closed under
 * it); bsd.c. */
CP_INTERNAL int w32_connect_start(int fd, const struct sockaddr *addr,
                                  socklen_t len);
CP_INTERNAL int w32_connect_wait(int fd, uint64_t until);
/* Whether buf..buf+len cannot be user memory (a program's bad pointer:
 * WSAEFAULT, never a crash); memory.c. */
CP_INTERNAL bool w32_outside_user_space(const void *buf, size_t len);
/* An AF_INET or AF_INET6 socket never bound (port 0, not connected):
 * getsockname and listen fail with WSAEINVAL on it, as on Windows
 * (sockets.c). */
CP_INTERNAL bool w32_ip_unbound(int fd);
/* An IPv4 or IPv6 destination no one can be at: the any address or port
 * 0 ("WSAEADDRNOTAVAIL: The remote address is not a valid address (such
 * as INADDR_ANY or in6addr_any)": connect, ConnectEx, sendto,
 * WSASendTo), where Linux would mean this host. */
CP_INTERNAL bool w32_no_remote(const struct sockaddr *a, size_t len);
/* A datagram socket never bound, on which a receive fails with WSAEINVAL
 * ("The socket has not been bound"; Linux would wait); the answer is kept
 * once it is no. */
CP_INTERNAL bool w32_unbound_datagram(int fd);
/* A read of socket fd that bypasses cport (no OVERLAPPED; recv, WSARecv,
 * ReadFile) takes what cport already took from the socket first
 * (cport__held_recv; sockets.c). Returns true if that answered the read:
 * *n bytes, or -1 with errno (EAGAIN: nothing yet for a read that may not
 * wait; or the receive error cport kept). With wait, it waits while cport
 * lets go of the socket. False: read the socket itself. */
CP_INTERNAL bool w32_held_first(int fd, const struct iovec *iov, unsigned n,
                                int flags, bool wait, ssize_t *out);
/* Waits until fd is ready for events (poll), as a blocking call: 0 when
 * ready, 1 when the socket's SO_RCVTIMEO (POLLIN) or SO_SNDTIMEO ran out,
 * 2 when another thread's closesocket ended the wait (the call fails with
 * WSAEINTR), 3 (errno ECANCELED) when CancelSynchronousIo did (the call
 * fails with ERROR_OPERATION_ABORTED), -1 for a bad fd. *until holds the deadline across a call's
 * waits: 0 before its first wait. */
#define W32_WAIT_SLICE_MS 100
CP_INTERNAL int w32_fd_wait(int fd, short events, uint64_t *until);
/* A blocking call on socket fd comes after the overlapped ops started
 * before it on its side (receives, or sends), as Windows queues it: it
 * waits for them to end as w32_fd_wait waits, with its answers (0, 1, 2,
 * 3) and *until, or with nonblock only looks: 0 when none is queued,
 * else 4. */
CP_INTERNAL int w32_fd_wait_queued(int fd, bool recv_side, bool nonblock,
                                   uint64_t *until);

/* ------------------------------------------------------------------------ */
/* WSAEventSelect (eventselect.c)                                            */
/* ------------------------------------------------------------------------ */

/* A call that re-enables network events on a socket WSAEventSelect
 * watches (FD_READ after a receive, FD_ACCEPT after an accept, FD_WRITE
 * after a send that would block; 0 after connect or listen): they may be
 * recorded again. Callers check W32_FD_EVENTSELECT first. */
CP_INTERNAL void w32_es_called(int fd, long reenable);
/* "Any WSAEventSelect association and network events selection set for
 * the listening socket apply to the accepted socket." */
CP_INTERNAL void w32_es_inherit(int listener, int accepted);
static inline void w32_es_note(int fd, long reenable) {
  if (__builtin_expect((w32_fd_flags(fd) & W32_FD_EVENTSELECT) != 0, 0))
    w32_es_called(fd, reenable);
}

/* ------------------------------------------------------------------------ */
/* WSARecvMsg's and WSASendMsg's control data (wsamsg.c)                     */
/* ------------------------------------------------------------------------ */

/* The bytes of Linux cmsgs to receive into for a Windows control buffer
 * of `room` bytes. */
CP_INTERNAL size_t w32_msg_linux_room(ULONG room);
/* Linux cmsgs (len bytes at ctl) into msg's Control as Windows' entries
 * (IP_PKTINFO translated; Control.len set to the bytes written); returns
 * WSARecvMsg's dwFlags for the message's Linux flags (MSG_TRUNC,
 * MSG_CTRUNC, also when Windows' entries do not fit, MSG_BCAST,
 * MSG_MCAST). */
CP_INTERNAL DWORD w32_msg_control_in(const void *ctl, size_t len,
                                     int linux_flags, LPWSAMSG msg);
/* msg's Control (Windows' entries) as Linux cmsgs into out, or only
 * measured (out NULL): the bytes, or -1 for a malformed entry. */
CP_INTERNAL long w32_msg_control_out(const WSAMSG *msg, void *out);
/* The block of an overlapped WSARecvMsg (NULL: no memory), whose end
 * writes the results into msg; of a WSASendMsg (NULL with *err the WSA
 * error), holding a copy of the destination and the cmsgs. Freed by
 * their end; a call cport refused frees it with w32_msg_block_free. */
CP_INTERNAL struct cport__msg *w32_msg_block_recv(LPWSAMSG msg);
CP_INTERNAL struct cport__msg *w32_msg_block_send(LPWSAMSG msg, int *err);
CP_INTERNAL void w32_msg_block_free(struct cport__msg *m);

#endif
