/*
 * win32.h - internals of the Win32 porting layer on Linux, the library
 * libcport-win32 (src/win32): the Win32 subset cport_win32.h declares,
 * built on the public cport API plus the private hooks of
 * src/linux/hooks.h, and nothing else of cport.
 *
 *   errors.c      error codes (cport <-> Win32 / WSA / NTSTATUS / errno),
 *                 the last error, FormatMessage
 *   strings.c     lstr*, UTF-8 <-> WCHAR
 *   safecrt.c     strsafe.h's StringCch* / StringCb*, the secure C
 *                 runtime's strcpy_s & co.
 *   safecrt-wide.c  the secure C runtime's wide printf calls
 *                 (swprintf_s & co.) and _wfopen_s
 *   safecrt-conv.c  mbstowcs_s, wcstombs_s, fread_s, __debugbreak
 *   blocking.c    thread ids, clocks, deadlines, and a released worker
 *                 that blocks giving its place back; Sleep
 *   handles.c     what a HANDLE names: descriptors (and their state) and
 *                 the layer's objects; CloseHandle
 *   apc.c         QueueUserAPC, each thread's APC queue, SleepEx
 *   waits.c       WaitFor*, events, mutexes, semaphores, WSA events, the
 *                 event hook
 *   fixups.c      work at an op's end (AcceptEx & co.), the OVERLAPPED's
 *                 tag
 *   ports.c       completion ports, the port for handles that have none
 *   overlapped.c  starting an overlapped op, its results, cancel,
 *                 completion modes
 *   layer-ops.c   overlapped ops the layer carries out itself (a message
 *                 pipe's, a waiting lock's), on a runner thread per busy
 *                 lane of a handle
 *   filelocks.c   LockFileEx, UnlockFileEx, LockFile, UnlockFile over
 *                 open-file-description locks; a waiting lock is an op of
 *                 layer-ops.c; the mandatory check of ReadFile / WriteFile
 *   pipes.c       named pipes: CreateNamedPipe, ConnectNamedPipe,
 *                 DisconnectNamedPipe (pipes.h: what the pipe files share)
 *   pipe-client.c the client's open, WaitNamedPipe, the pipe's state
 *   pipes-io.c    a pipe's reads and writes, PeekNamedPipe, flushing
 *   files.c       CreateFile, ReadFile, WriteFile and the file calls
 *   filesystem.c  FindFirstFile, FindNextFile, file times and information
 *   fileinfo.c    GetFileInformationByHandleEx, SetFileInformationByHandle,
 *                 SetFileAttributes, GetFinalPathNameByHandle,
 *                 GetDiskFreeSpaceEx, SetFileTime, SetFileValidData
 *   mapping.c     CreateFileMapping, MapViewOfFile, UnmapViewOfFile,
 *                 FlushViewOfFile
 *   dirwatch.c    ReadDirectoryChangesW over inotify: a directory
 *                 handle's watch, its records, its calls (as ops of
 *                 layer-ops.c)
 *   changenote.c  FindFirstChangeNotification & co.: a waitable object
 *                 over a watch of dirwatch.c's, signalled by one thread
 *                 that waits on every such watch
 *   paths.c       the current directory, full paths, temporary file names,
 *                 MoveFile, CopyFile
 *   threads.c     threads, TLS
 *   sched.c       thread priorities, affinity, processor numbers, names
 *   duplicate.c   DuplicateHandle: second handles to the layer's objects,
 *                 a real handle to the calling thread
 *   locks.c       critical sections, SRW locks, condition variables,
 *                 one-time init, SLists
 *   system.c      time, system information, version, the process
 *   sysinfo.c     the processors: counts, groups, GetLogicalProcessor-
 *                 Information(Ex) from sysfs
 *   console.c     console control events, standard handles, console output
 *   console-text.c the title, code pages and colours of console text
 *   memory.c      heap, global/local and virtual memory
 *   eventselect.c WSAEventSelect, WSAEnumNetworkEvents, and the thread
 *                 that watches the selected sockets
 *   sockets.c     Winsock start-up, sockets, options, accept, shutdown
 *   protocols.c   WSAEnumProtocols: the transport providers (and
 *                 getsockopt's SO_PROTOCOL_INFO)
 *   bsd.c         the BSD calls with WSAGetLastError (socket, bind, ...)
 *   netdb.c       getaddrinfo, InetPton, InetNtop
 *   connectbyname.c  WSAConnectByName: a blocking connect by host and
 *                 service name
 *   routines.c    completion routines: an op's end queues its routine to
 *                 the thread that started it, as an APC
 *   wsamsg.c      WSARecvMsg's and WSASendMsg's control data (Windows'
 *                 entries <-> Linux's), the block an op with it holds
 *   wsaio.c       WSARecv / WSASend / WSARecvFrom / WSASendTo,
 *                 WSARecvMsg / WSASendMsg, WSAIoctl
 *   mswsock.c     AcceptEx, ConnectEx, DisconnectEx, TransmitFile
 *   timerq.c      timer queues and their timers
 *   wtimers.c     waitable timers, on a timer queue of their own
 *   modules.c     GetModuleHandle, LoadLibrary, GetProcAddress: the
 *                 system modules are the layer
 *   threadpool.c  the thread pool's pools, threads and objects, cleanup
 *                 groups, the callback instance (threadpool.h: what the
 *                 pool's files share)
 *   threadpool-work.c   work and I/O objects, QueueUserWorkItem,
 *                       BindIoCompletionCallback
 *   threadpool-timer.c  timer objects
 *   threadpool-wait.c   wait objects, RegisterWaitForSingleObject, and
 *                       the thread that waits for them
 *
 * Each file calls only files listed above it (scripts/check-layers.py
 * checks that the calls make no circle).
 *
 * Locking: w32_lock (handles.c) guards the objects and their waits. It is
 * a leaf: nothing calls into cport while holding it (cport calls the
 * event hook with its own locks held).
 */
#ifndef CPORT_WIN32_LAYER_H
#define CPORT_WIN32_LAYER_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../../include/cport_win32.h"
#include "../linux/hooks.h"

/* The layer calls the real BSD names, not its own macros. */
#undef setsockopt
#undef getsockopt
#undef accept
#undef getsockname
#undef getpeername
#undef recvfrom
#undef shutdown
#undef getaddrinfo
#undef gai_strerror
#undef inet_pton
#undef inet_ntop
#undef min
#undef max

#if defined(__GNUC__)
#  define CP_INTERNAL __attribute__((visibility("hidden")))
#else
#  define CP_INTERNAL
#endif

/* ------------------------------------------------------------------------ */
/* Errors (errors.c)                                                         */
/* ------------------------------------------------------------------------ */

/* Every CPORT_E* code has a Win32 error (what GetQueuedCompletionStatus
 * reports), a WSA error (what a Winsock call that fails at once reports)
 * and an NTSTATUS (OVERLAPPED.Internal). errno values are -cport codes. */
CP_INTERNAL DWORD w32_error(int status);
CP_INTERNAL int w32_wsa_error(int status);
CP_INTERNAL ULONG_PTR w32_ntstatus(int status);
/* A finished op's status as Windows reports it (an op ended by closing
 * its socket: ERROR_CONNECTION_ABORTED; a datagram socket's refusal, an
 * ICMP "port unreachable": ERROR_PORT_UNREACHABLE). */
CP_INTERNAL DWORD w32_op_error(LPOVERLAPPED ov, int status);
/* The NTSTATUS for w32_op_error's code: what Internal got as the op
 * ended (and what BindIoCompletionCallback's routine and an
 * OVERLAPPED_ENTRY get). No side effect: the op may be long gone. */
CP_INTERNAL ULONG_PTR w32_op_ntstatus(LPOVERLAPPED ov, int status);
/* The WSA error for the same (WSAGetOverlappedResult, routines). */
CP_INTERNAL int w32_op_wsa_error(LPOVERLAPPED ov, int status);
/* WSAGetOverlappedResult without its socket (a completion routine's may
 * be closed): *bytes is written whatever the outcome. */
CP_INTERNAL BOOL w32_wsa_result(LPWSAOVERLAPPED ov, LPDWORD bytes, BOOL wait,
                                LPDWORD flags);
/* Whether fd is a datagram socket; whether it is a socket at all. */
CP_INTERNAL bool w32_is_datagram(int fd);
CP_INTERNAL bool w32_is_socket(int fd);
/* The peer of a stream socket whose connection has ended (a reset):
 * 0 and the address, or -errno. Windows keeps naming the peer until
 * closesocket. */
CP_INTERNAL int w32_ended_peer(int fd, struct sockaddr *addr, socklen_t *len);
/* Whether a datagram socket's source address needs more than len bytes
 * (WSAEFAULT from recvfrom and WSARecvFrom). */
CP_INTERNAL bool w32_from_too_small(int fd, int len);
/* After a data call on fd failed (errno set, not EAGAIN or EINTR): true
 * when it ran into an ICMP report of a datagram socket that Windows would
 * not report to this call (anything to a send, all but "port
 * unreachable" to a receive), which is taken off the socket's error queue:
 * make the call again. Otherwise false, errno kept. */
CP_INTERNAL bool w32_icmp_passed(int fd, bool sending);
/* Windows' default for a UDP socket: an ICMP "port unreachable" fails the
 * next receive (SIO_UDP_CONNRESET TRUE): IP_RECVERR on or off. */
CP_INTERNAL int w32_udp_reports(int fd, bool on);
/* The status OVERLAPPED.Internal holds (cport code, or the NTSTATUS
 * GetQueuedCompletionStatus(Ex) left), as a cport code. */
CP_INTERNAL int w32_internal_status(const OVERLAPPED *ov);

/* The layer's own codes for a pipe whose other end is gone (pipes.c):
 * a read gets ERROR_BROKEN_PIPE, a write ERROR_NO_DATA. */
#define W32_EPIPE_BROKEN (-ESTRPIPE)
#define W32_EPIPE_CLOSING (-ECOMM)

/* Set the last error; return FALSE / SOCKET_ERROR / NULL. */
CP_INTERNAL BOOL w32_fail(DWORD err);
CP_INTERNAL int w32_wsa_fail(int err);
CP_INTERNAL void *w32_fail_null(DWORD err);

/* ------------------------------------------------------------------------ */
/* Objects behind HANDLEs (handles.c)                                        */
/* ------------------------------------------------------------------------ */

enum {
  W32_PORT = 1,
  W32_THREAD,
  W32_EVENT,
  W32_MUTEX,
  W32_SEMAPHORE,
  W32_STDIN,  /* descriptor 0 as a HANDLE */
  W32_TIMERQ, /* timer queues and their timers (timerq.c) */
  W32_TIMER,
  W32_WTIMER,  /* waitable timers (wtimers.c) */
  W32_ROUTINE, /* an op's completion routine (routines.c) */
  W32_FIND,    /* FindFirstFile's searches (filesystem.c) */
  W32_ALIAS,   /* a second handle to an object (DuplicateHandle) */
  W32_FDWAIT,  /* a descriptor's file object event, as one wait sees it
                  (waits.c: on the waiting thread's stack, never freed) */
  W32_MAPPING, /* a file mapping (mapping.c) */
  W32_CHANGE,  /* a change notification (changenote.c) */
  W32_TYPES
};
#define W32_MAGIC 0x57333248u /* "W32H" */

struct w32_waitblock;

/*
 * The head of every object. Objects are slots of one arena (handles.c);
 * an object's memory is never given back: once closed it waits on its
 * type's free list for the next object of that type, so a stale HANDLE
 * still reads an object of the right type (closed, or a newer one, as
 * handle values are reused on Windows), never freed memory. refs: the
 * handle, and each user (a wait, a running thread, an op whose event it
 * is). Guarded by w32_lock.
 *
 * handles: the open handles naming it, its own value and each alias
 * (DuplicateHandle, OpenThread); it is `open` while there is one, and the
 * handle's reference goes with the last. own_closed: its own value was
 * closed while aliases live on (that value is invalid then).
 */
struct w32_object {
  uint32_t magic;
  uint8_t type;
  bool open;
  bool own_closed;
  int refs;
  int handles;
  struct w32_object *free_next;
  struct w32_waitblock *waiters; /* threads waiting on it (waitables) */
  /* What CloseHandle does besides dropping the handle, called outside
   * w32_lock (a port: cport_close); NULL for nothing. */
  void (*closed)(void *arg);
  void *closed_arg;
};

/* A thread's queue of APCs (apc.c), guarded by w32_lock. */
struct w32_apc;
/* One queued APC: from the heap (freed as it leaves the queue), or
 * embedded in its owner's record (which keeps it and may queue it again
 * once it has left). */
struct w32_apc {
  struct w32_apc *next;
  PAPCFUNC fn;
  ULONG_PTR data;
  PAPCFUNC drop; /* instead of fn, if the thread ends first; or NULL */
  bool embedded;
  bool queued; /* w32_lock: on a queue */
};

struct w32_apcq {
  struct w32_apc *head, *tail;
  pthread_cond_t *alert; /* an alertable wait's, while it waits */
  bool dead;             /* its thread ended: nothing more is queued */
};

/* A second handle to `target` (DuplicateHandle, OpenThread): a slot of
 * its own, so closing it leaves the other handles working. While it is
 * open it counts in the target's `handles`; an op whose OVERLAPPED's
 * event it names holds a reference on it until the op ends. */
struct w32_alias {
  struct w32_object obj;
  struct w32_object *target;
};

/* A thread object (threads.c; waits.c reads `done`). */
struct w32_thread {
  struct w32_object obj;
  struct w32_thread *live_next; /* threads.c's list of running threads */
  struct w32_apcq *apcq; /* its APC queue: apcs, or an adopted thread's */
  pthread_cond_t gate;   /* with w32_lock: the id is known, released, or
                          resumed */
  LPTHREAD_START_ROUTINE fn;
  unsigned (*crt_fn)(void *);
  LPVOID arg;
  DWORD tid;
  DWORD exit_code;
  bool started;  /* tid set */
  bool released; /* its creator has the id: it may run its routine */
  bool suspended;
  bool done;            /* ended: the object is signalled (w32_lock) */
  int priority;         /* SetThreadPriority's (sched.c) */
  struct w32_apcq apcs; /* QueueUserAPC's (apc.c; w32_lock) */
  /* GetThreadTimes' (threads.c), in FILETIME units: its start, and as it
   * ends (w32_lock) its end and the CPU time it spent in each mode. */
  uint64_t created, exited, kernel_time, user_time;
};

/* GetCurrentThread()'s pseudo handle, as on Windows. */
#define W32_CURRENT_THREAD ((HANDLE)(LONG_PTR)-2)

/* Now, as a FILETIME value (system.c). */
CP_INTERNAL uint64_t w32_filetime_now(void);
/* t into *ft (if not NULL) (system.c). */
CP_INTERNAL void w32_put_filetime(LPFILETIME ft, uint64_t t);
/* getrusage(who)'s CPU time in kernel and user mode, in FILETIME units;
 * false with errno set if it fails (system.c). */
CP_INTERNAL bool w32_cpu_times(int who, uint64_t *kernel, uint64_t *user);
/* From a /proc stat file (the process's or one thread's): its start as
 * a FILETIME value (boot time plus field 22, clock ticks after boot) and
 * its CPU time in user and kernel mode (fields 14 and 15). False if the
 * file cannot be read (a thread that has just ended). (system.c) */
struct w32_stat_times {
  uint64_t start, user, kernel;
  uint64_t minflt, majflt; /* page faults */
};
CP_INTERNAL bool w32_stat_times(const char *path, struct w32_stat_times *out);

/* A waitable timer (wtimers.c; waits.c reads `manual` and `signaled`). */
struct w32_wtimer {
  struct w32_object obj;
  pthread_mutex_t set_lock; /* one Set/Cancel/close at a time */
  bool manual;              /* a notification timer: stays signalled */
  bool signaled;            /* w32_lock */
  uint64_t arm_id;          /* w32_lock: the arming an expiry must match */
  HANDLE tq_timer;          /* set_lock: the timer-queue timer, or NULL */
  void *arming;             /* set_lock: what its callback gets */
};

/* A change notification (changenote.c; waits.c reads `signaled`). */
struct w32_change {
  struct w32_object obj;
  bool signaled; /* w32_lock: a change came since FindNextChangeNotification */
  bool queued;   /* w32_lock: another came while it was signalled */
  int dirfd;     /* the watched directory's descriptor; -1 once closed */
  int ifd;       /* its inotify instance (dirwatch.c's) */
};

CP_INTERNAL extern pthread_mutex_t w32_lock;

/* A HANDLE holding a file descriptor rather than an object. */
static inline bool w32_is_fd(HANDLE h) {
  return (uintptr_t)h < (1u << 22);
}
/* The descriptor behind a HANDLE (a socket, a file, stdin), or -1. */
CP_INTERNAL int w32_fd(HANDLE h);

/* A new object of `type` and `size` bytes (zeroed after the head), open,
 * one reference (its handle). NULL with ERROR_NOT_ENOUGH_MEMORY. */
CP_INTERNAL void *w32_object_new(uint8_t type, size_t size);
/* Whether h is one of the layer's objects (open or closed). Safe for any
 * value. */
CP_INTERNAL bool w32_is_object(const void *h);
/* h without its two low bits if that names an object: Windows ignores
 * them (OBJ_HANDLE_TAGBITS), and programs pass an OVERLAPPED's hEvent
 * with bit 0 set to SetEvent, the waits and CloseHandle. Descriptors and
 * pseudo handles keep every bit. */
CP_INTERNAL HANDLE w32_untag(HANDLE h);
/* The open object of `type` (0: any) h names, or NULL. No reference. */
CP_INTERNAL struct w32_object *w32_object_get(HANDLE h, int type);
/* References, under w32_lock. The last one puts it on its free list. */
CP_INTERNAL void w32_ref_locked(struct w32_object *o);
CP_INTERNAL void w32_unref_locked(struct w32_object *o);
CP_INTERNAL void w32_unref(struct w32_object *o);
/* A new handle to o (an alias), or NULL with the last error set: o must
 * be open, or, with reopen, held by the caller (a running thread whose
 * handles were all closed: OpenThread). */
CP_INTERNAL HANDLE w32_handle_to(struct w32_object *o, bool reopen);
/* An op's hold on the alias h, if h is one (its event's handle): false if
 * h is an alias no longer open. Released by w32_alias_release(_locked). */
CP_INTERNAL bool w32_alias_hold(HANDLE h);
CP_INTERNAL void w32_alias_release(HANDLE h);
/* The object a held alias names, or NULL if o is no alias. */
CP_INTERNAL struct w32_object *w32_alias_target(struct w32_object *o);

/* ------------------------------------------------------------------------ */
/* Waits (waits.c) and blocking (blocking.c)                                 */
/* ------------------------------------------------------------------------ */

/* A thread waiting on an object: a wait block on the object's list,
 * whose condition variable (with w32_lock) is signalled as the object's
 * state changes. */
struct w32_waitblock {
  struct w32_waitblock *next;
  pthread_cond_t *cv;
  bool any;    /* a wait for any one of its objects (PulseEvent's) */
  bool pulsed; /* PulseEvent released it (w32_lock) */
  bool idle;   /* not waiting now: a pulse passes it by (w32_lock) */
};
/* Whether o is a thread, an event, a mutex or a semaphore. */
CP_INTERNAL bool w32_waitable(const struct w32_object *o);
/* Whether a wait by thread tid on o would end now (w32_lock held). */
CP_INTERNAL bool w32_signaled_locked(struct w32_object *o, DWORD tid);
/* A satisfied wait by thread tid takes what it waited for: an auto-reset
 * event is reset, a semaphore's count taken, a mutex owned (w32_lock
 * held). */
CP_INTERNAL void w32_acquire_locked(struct w32_object *o, DWORD tid);
/* APCs (apc.c). The calling thread's queue is its thread object's (set
 * by threads.c as a thread starts) or one of its own. */
CP_INTERNAL extern __thread struct w32_apcq *w32_apc_q;
/* Whether the calling thread has APCs queued (w32_lock held). */
CP_INTERNAL bool w32_apc_pending_locked(void);
/* An alertable wait's condition variable, that a queued APC signals
 * (NULL when the wait ends; w32_lock held). */
CP_INTERNAL void w32_apc_alert_locked(pthread_cond_t *cv);
/* Runs the calling thread's queued APCs, in order; how many. */
CP_INTERNAL unsigned w32_apc_run(void);
/* Frees a queue's APCs unrun and marks it dead (a thread that ended). */
CP_INTERNAL void w32_apc_drop(struct w32_apcq *q);
/* The calling thread's queue (NULL if none could be made). */
CP_INTERNAL struct w32_apcq *w32_apc_mine(void);

/* Queues fn(data) to q; false if its thread has ended (or no memory).
 * drop(data), if not NULL, runs instead of fn if the thread ends first. */
CP_INTERNAL bool w32_apc_queue(struct w32_apcq *q, PAPCFUNC fn, PAPCFUNC drop,
                               ULONG_PTR data);
/* Appends node (fn, data, drop and embedded set) to q and wakes its
 * alertable wait; false if q's thread has ended. w32_lock held. */
CP_INTERNAL bool w32_apc_append_locked(struct w32_apcq *q,
                                       struct w32_apc *node);
/* Takes an embedded node off q unrun; false if it is not queued (it
 * runs, has run, or was dropped). w32_lock held. */
CP_INTERNAL bool w32_apc_unqueue_locked(struct w32_apcq *q,
                                        struct w32_apc *node);
/* How often an alertable wait that cannot be woken for one thread (a
 * port's, an op's) looks at the thread's APCs. */
#define W32_ALERT_SLICE_MS 10u
/* Such a wait, for up to ms: try_once(ctx, slice) waits up to slice ms
 * (0 on the first call) and says whether it is over (done or failed, its
 * outcome kept in ctx); between tries the thread's APCs run. 0 when a try
 * said it was over, WAIT_IO_COMPLETION when APCs ran first, WAIT_TIMEOUT
 * when ms passed. */
CP_INTERNAL DWORD w32_alertable_poll(DWORD ms,
                                     bool (*try_once)(void *ctx, DWORD slice),
                                     void *ctx);

/* Completion routines (routines.c): an op about to start with a routine
 * gets, as its OVERLAPPED's event, an object that queues the routine to
 * this thread as the op ends (false: no memory); an op refused at its
 * call gives the OVERLAPPED its event back. */
CP_INTERNAL bool w32_routine_begin(LPWSAOVERLAPPED ov,
                                   LPWSAOVERLAPPED_COMPLETION_ROUTINE fn);
CP_INTERNAL void w32_routine_refused(LPWSAOVERLAPPED ov);
/* The same for ReadFileEx/WriteFileEx's routine (a Win32 error). */
CP_INTERNAL bool w32_file_routine_begin(LPOVERLAPPED ov,
                                        LPOVERLAPPED_COMPLETION_ROUTINE fn);
/* For an op done inside its call without cport (a blocking handle's I/O):
 * a file routine made before the I/O without touching hEvent, then queued
 * (run) or let go (the I/O failed at the call). */
CP_INTERNAL struct w32_object *
w32_file_routine_new(LPOVERLAPPED ov, LPOVERLAPPED_COMPLETION_ROUTINE fn);
CP_INTERNAL void w32_routine_queue_now(struct w32_object *o, bool run);
/* Set by routines.c: an op whose OVERLAPPED names a completion routine
 * (a W32_ROUTINE object, as its event) ended; called as cport ends it. */
CP_INTERNAL extern void (*w32_routine_ended)(struct w32_object *o);

/* Wakes the threads waiting on o (w32_lock held). */
CP_INTERNAL void w32_wake_locked(struct w32_object *o);
/* An event: set it (w32_lock held). */
CP_INTERNAL void w32_event_set_locked(struct w32_object *o);
/* The open event an OVERLAPPED's hEvent names (low bit ignored), or
 * NULL. */
CP_INTERNAL struct w32_object *w32_event_of(HANDLE ev);
/* An op starts with this event: reset, and referenced until the op's end
 * signals it (the hook) or the op is refused (w32_unref). */
CP_INTERNAL void w32_event_arm(struct w32_object *o);
/* An op started with this event was refused: its reference goes. */
CP_INTERNAL void w32_event_disarm(struct w32_object *o);
/* After an op with this event ended: waits (up to a second) until the
 * op's end has set it, so the set never lands on the program's next use
 * of the event; `consume`: then resets an auto-reset event, as
 * GetOverlappedResult's wait on the event does. */
CP_INTERNAL void w32_event_settle(struct w32_object *o, bool consume);

/* A released worker about to block gives its place back to its port.
 * errno is kept. */
CP_INTERNAL void w32_block_begin(void);
CP_INTERNAL void w32_block_end(void);
/* A blocking I/O call another thread's CancelSynchronousIo may cancel:
 * begin as it waits (calls nest), end as it leaves, which says whether a
 * cancel came (and takes it). While it waits a cancel interrupts its
 * system call (EINTR, from a signal the layer sends; `sigprocmask` may
 * keep it off: then only waits that poll in slices see it, through
 * w32_sync_cancelled). w32_sync_cancel marks thread tid's call and
 * returns once it has left it (2 s at most): false if it is in none.
 * w32_sync_begin_fd names the descriptor the call waits on, and
 * w32_sync_cancel_fd cancels every call waiting on fd that way (CancelIoEx
 * with no OVERLAPPED), returning how many. */
CP_INTERNAL void w32_sync_begin(void);
CP_INTERNAL void w32_sync_begin_fd(int fd);
CP_INTERNAL int w32_sync_cancel_fd(int fd);
CP_INTERNAL bool w32_sync_end(void);
CP_INTERNAL bool w32_sync_cancelled(void);
CP_INTERNAL bool w32_sync_cancel(DWORD tid);
/* An absolute CLOCK_MONOTONIC deadline ms from now; INFINITE: none. */
CP_INTERNAL struct timespec w32_deadline(DWORD ms);
/* Milliseconds until a due time in 100 ns units (negative: that long from
 * now; positive: an absolute FILETIME), rounded up, at most
 * INFINITE - 1. */
CP_INTERNAL DWORD w32_due_ms(int64_t due);
/* A condition variable on CLOCK_MONOTONIC. */
CP_INTERNAL void w32_cond_init(pthread_cond_t *cv);
/* Waits on cv until the deadline (NULL: forever); ETIMEDOUT or 0. */
CP_INTERNAL int w32_cond_wait(pthread_cond_t *cv, pthread_mutex_t *m,
                              const struct timespec *deadline);

/* ------------------------------------------------------------------------ */
/* Ids and clocks (blocking.c)                                               */
/* ------------------------------------------------------------------------ */

/* Milliseconds on the monotonic clock. */
CP_INTERNAL uint64_t w32_now_ms(void);
/* The calling thread's id (its Linux thread id). */
CP_INTERNAL DWORD w32_tid(void);
/* Starts one of the layer's own threads, fn(arg), with every signal
 * blocked (they belong to the program's threads): joinable into *out, or
 * detached when out is NULL. False if it could not start. */
CP_INTERNAL bool w32_service_thread(pthread_t *out, void *(*fn)(void *),
                                    void *arg);
/* The same with a stack of `stack` bytes (0: the default). */
CP_INTERNAL bool w32_service_thread_sized(pthread_t *out, void *(*fn)(void *),
                                          void *arg, size_t stack);
/* The thread object of the calling thread, if the layer started it. */
CP_INTERNAL struct w32_thread *w32_thread_self(void);
/* A new handle to the calling thread (DuplicateHandle of GetCurrentThread(),
 * OpenThread of its own id). A thread the layer did not start gets an
 * object then, signalled when the thread ends. NULL with the error set. */
CP_INTERNAL HANDLE w32_thread_handle_self(void);
/* The calling thread's APC queue (apc.c's w32_apc_mine), for an APC queued
 * to it later from another thread: *thread is its thread object,
 * referenced (the queue lives in it; w32_unref it when done), or NULL for
 * a thread the layer did not start (whose queue is never freed). */
CP_INTERNAL struct w32_apcq *w32_apc_mine_held(struct w32_object **thread);

/* ------------------------------------------------------------------------ */
/* Strings (strings.c)                                                       */
/* ------------------------------------------------------------------------ */

/* A wide string as UTF-8 (malloc'd; free it), or NULL with the last error
 * set (ERROR_INVALID_PARAMETER for NULL, ERROR_NOT_ENOUGH_MEMORY). */
CP_INTERNAL char *w32_utf8(LPCWSTR s);
/* One character of s[0..n): its code point and *len its bytes; an
 * invalid one: (uint32_t)-1, *len the bytes to skip (strings.c). */
CP_INTERNAL uint32_t w32_utf8_decode(const unsigned char *s, size_t n,
                                     size_t *len);
/* cp as UTF-8 into out (room for 4): its length. */
CP_INTERNAL size_t w32_utf8_encode(uint32_t cp, char *out);

/* The size rule of GetEnvironmentVariable, GetCurrentDirectory,
 * GetTempPath and GetFullPathName: s (UTF-8) into buf of size characters
 * (the W form as WCHARs) with its NUL, returning the length without the
 * NUL; or, when it does not fit (or buf is NULL), the size it needs with
 * the NUL, buf untouched. */
CP_INTERNAL DWORD w32_copy_out_a(const char *s, LPSTR buf, DWORD size);

/* A Microsoft printf format in the C library's spelling (format.c): %s /
 * %c of the function's width, %S / %C of the other, 'h' / 'l' / 'w'
 * sizes on them, I64 / I32 / I. Into buf when it has room, else a
 * malloc'd copy (free it when it is not buf); NULL when memory runs
 * out. */
CP_INTERNAL char *w32_format_a(const char *fmt, char *buf, size_t size);
CP_INTERNAL wchar_t *w32_format_w(const wchar_t *fmt, wchar_t *buf,
                                  size_t size);
CP_INTERNAL DWORD w32_copy_out_w(const char *s, LPWSTR buf, DWORD size);

/* errno to the WSA code, and set as the last error: SOCKET_ERROR. */
CP_INTERNAL int w32_wsa_errno(int err);
/* getsockopt(SO_PROTOCOL_INFOA / W) for fd (protocols.c). */
CP_INTERNAL int w32_socket_protocol_info(int fd, bool wide, char *val,
                                         int *len);

/* ------------------------------------------------------------------------ */
/* Paths (filesystem.c)                                                      */
/* ------------------------------------------------------------------------ */

/* A copy of a path with '\\' made '/' (malloc'd: free it), or NULL with
 * the last error set. */
CP_INTERNAL char *w32_unix_path(const char *path);
/* The Win32 error for a path call that failed with errno err: a missing
 * file is ERROR_FILE_NOT_FOUND, or ERROR_PATH_NOT_FOUND when a directory
 * on the way is missing or is not a directory. */
CP_INTERNAL DWORD w32_path_error(const char *path, int err);

/* What the file calls report about a file (filesystem.c decides the
 * attributes and times for all of them). */
struct w32_fs_info {
  DWORD attrs;
  FILETIME created, accessed, written, changed;
  uint64_t size, allocated, dev, ino;
  uint32_t links;
};
/* statx of name in dirfd (or of the descriptor dirfd itself when name is
 * ""), following links; a dangling link reports the link. 0 or errno. */
CP_INTERNAL int w32_info_at(int dirfd, const char *name,
                            struct w32_fs_info *out);
/* A Linux time as a FILETIME (before 1601: 0). */
CP_INTERNAL FILETIME w32_filetime_of(int64_t sec, uint32_t nsec);

#include "win32-io.h" /* the I/O state: its second half */

#endif
