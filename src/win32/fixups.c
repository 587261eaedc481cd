/*
 * fixups.c - what the layer does when an op ends, before its caller sees
 * the result: the fixups some ops register (AcceptEx: move the connection
 * into the caller's socket and write both addresses; DisconnectEx /
 * TransmitFile with TF_REUSE_SOCKET: a fresh socket; ConnectEx: note the
 * connect time), what an OVERLAPPED's tag tells (the thread that issued
 * its op, for CancelIo, and the descriptor, to remember a reset), and the
 * error an ended op reports (closed under it, a datagram's unreachable
 * port).
 *
 * A fixup runs once, by whoever sees the op's end first:
 * GetQueuedCompletionStatus(Ex), GetOverlappedResult,
 * WSAGetOverlappedResult, or the layer's own port. It is found by the
 * OVERLAPPED's address only: a posted packet's pointer is never read.
 */
#include <fcntl.h>
#include <stdlib.h>

#include "win32.h"

/* ------------------------------------------------------------------------ */
/* Fixups                                                                    */
/* ------------------------------------------------------------------------ */

/* Every op's end looks its OVERLAPPED up, and a server keeps fixups
 * pending all the time (its posted AcceptEx ops), so the look-up of an
 * OVERLAPPED that has none must not take the lock: each bucket counts its
 * fixups (written under fix_lock, read without it), and an empty bucket
 * answers at once. The op's start and its end are ordered by the port
 * (a fixup is added before its op starts), so a fixup is always seen. */
#define FIX_BUCKET_BITS 10
#define FIX_BUCKETS (1u << FIX_BUCKET_BITS)
static struct w32_fixup *fixups[FIX_BUCKETS];
static unsigned fix_in[FIX_BUCKETS]; /* fixups per bucket */
static pthread_mutex_t fix_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned fix_count; /* lets a scan of every bucket skip the lock */
/* An op's end marks its fixup ended (mark_ended) on the thread that ends
 * it, which may hold cport's locks: so the lists change under this lock
 * too, and nothing is taken under it. With the mark, the fixup's runner
 * never needs the OVERLAPPED to learn that its op ended: the program may
 * have freed it since (Windows allows that once the op has ended). */
static pthread_mutex_t fix_end_lock = PTHREAD_MUTEX_INITIALIZER;

/* A multiplicative hash: OVERLAPPEDs in structures a power of two apart
 * still spread. */
static unsigned bucket(LPOVERLAPPED ov) {
  uint64_t h = (uint64_t)(uintptr_t)ov * 0x9e3779b97f4a7c15ull;
  return (unsigned)(h >> (64 - FIX_BUCKET_BITS));
}

/* Acquire, paired with the release in take_locked: a thread that sees
 * ov's fixup gone (and reuses ov) sees all that its runner did with ov
 * before it took it off. */
static bool bucket_empty(LPOVERLAPPED ov) {
  return __atomic_load_n(&fix_in[bucket(ov)], __ATOMIC_ACQUIRE) == 0;
}

/* Whether f's op brings a connection its target takes in (an AcceptEx's
 * accept socket, a ConnectNamedPipe's instance): the target is marked
 * W32_FD_ACCEPT_INTO meanwhile, so its next call runs the fixup first
 * (w32_fixup_settle) if the op has ended. */
static bool moves_in(const struct w32_fixup *f) {
  return f->kind == W32_FIX_ACCEPT || f->kind == W32_FIX_PIPE_CONNECT;
}

/* Takes ov's fixup off the table (fix_lock held). */
static struct w32_fixup *take_locked(LPOVERLAPPED ov) {
  struct w32_fixup **pp = &fixups[bucket(ov)], *f;
  while ((f = *pp) != NULL && f->ov != ov)
    pp = &f->next;
  if (f != NULL) {
    pthread_mutex_lock(&fix_end_lock);
    *pp = f->next;
    pthread_mutex_unlock(&fix_end_lock);
    if (moves_in(f) && !f->gone) /* (gone: flags reset) */
      w32_fd_set_flags((int)f->target, 0, W32_FD_ACCEPT_INTO);
    __atomic_sub_fetch(&fix_in[bucket(ov)], 1, __ATOMIC_RELEASE);
    __atomic_sub_fetch(&fix_count, 1, __ATOMIC_RELAXED);
  }
  return f;
}

int w32_fixup_add(const struct w32_fixup *f) {
  struct w32_fixup *n = malloc(sizeof(*n));
  if (n == NULL)
    return CPORT_ENOMEM;
  *n = *f;
  n->running = false;
  n->ended = false;
  w32_fixup_drop(f->ov); /* (waits for one being run) */
  /* CloseHandle on its socket cancels it (an AcceptEx) or leaves it
   * nothing to do (the others). */
  __atomic_store_n(&w32_fd_closing, w32_fixup_target_closed, __ATOMIC_RELEASE);
  pthread_mutex_lock(&fix_lock);
  /* One left by an op whose result nobody collected (its port closed
   * with the packet queued): the OVERLAPPED is idle again, drop it. */
  free(take_locked(f->ov));
  if (f->kind == W32_FIX_ACCEPT) {
    /* One accept socket, one AcceptEx at a time (WSAEINVAL). */
    if (w32_fd_flags((int)f->target) & W32_FD_ACCEPT_INTO) {
      pthread_mutex_unlock(&fix_lock);
      free(n);
      return CPORT_EBUSY;
    }
  }
  if (moves_in(f))
    w32_fd_set_flags((int)f->target, W32_FD_ACCEPT_INTO, 0);
  /* Pending from here, before its op starts: the layer's own port's
   * thread, taking a stale packet of the OVERLAPPED's previous op, sees an
   * op in flight and leaves this fixup alone (ports.c). */
  __atomic_store_n(&f->ov->Internal, (ULONG_PTR)STATUS_PENDING,
                   __ATOMIC_RELEASE);
  n->next = fixups[bucket(f->ov)];
  pthread_mutex_lock(&fix_end_lock);
  fixups[bucket(f->ov)] = n;
  pthread_mutex_unlock(&fix_end_lock);
  __atomic_add_fetch(&fix_in[bucket(f->ov)], 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&fix_count, 1, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&fix_lock);
  return 0;
}

/* A fixup being run stays in the table until it is done, so a thread
 * that looks the op's result up meanwhile (the layer's own port's thread
 * runs it, the program's GetOverlappedResult comes) waits for it instead
 * of seeing an op whose connection has not moved in yet. */
static pthread_cond_t fix_done = PTHREAD_COND_INITIALIZER;

/* (fix_lock or fix_end_lock held) */
static struct w32_fixup *find_locked(LPOVERLAPPED ov) {
  struct w32_fixup *f = fixups[bucket(ov)];
  while (f != NULL && f->ov != ov)
    f = f->next;
  return f;
}

/* ov's op ends with status: its fixup (added before the op started, so
 * the one in the table is this op's) is marked. Not a connection that
 * came (an AcceptEx's, a ConnectNamedPipe's): its fixup moves the new
 * socket in, which cport hands out once the op is published, after this
 * hook; such an end is read from the OVERLAPPED, which the program holds
 * until it has seen it. */
static void mark_ended(LPOVERLAPPED ov, int status) {
  if (bucket_empty(ov))
    return;
  pthread_mutex_lock(&fix_end_lock);
  struct w32_fixup *f = find_locked(ov);
  if (f != NULL && (status != 0 || (f->kind != W32_FIX_ACCEPT &&
                                    f->kind != W32_FIX_PIPE_CONNECT))) {
    f->end_status = status;
    __atomic_store_n(&f->ended, true, __ATOMIC_RELAXED); /* (settle) */
  }
  pthread_mutex_unlock(&fix_end_lock);
}

/* Whether f's op has ended, and its status then: from the mark, which
 * every failed end and every end of a connect, transmit or DisconnectEx
 * sets (the engine hands the layer each of those), so a program may free their
 * OVERLAPPEDs once it has seen them end; else (a connection that came)
 * from the OVERLAPPED. */
static bool fixup_ended(struct w32_fixup *f, int *status) {
  pthread_mutex_lock(&fix_end_lock);
  bool ended = f->ended;
  *status = f->end_status;
  pthread_mutex_unlock(&fix_end_lock);
  if (ended)
    return true;
  if (!HasOverlappedIoCompleted(f->ov))
    return false;
  *status = w32_internal_status(f->ov);
  return true;
}

/* ov's fixup, now the caller's to run (NULL: none, or another thread ran
 * it while this one waited). */
static struct w32_fixup *fixup_claim(LPOVERLAPPED ov) {
  if (bucket_empty(ov))
    return NULL;
  pthread_mutex_lock(&fix_lock);
  struct w32_fixup *f;
  while ((f = find_locked(ov)) != NULL && f->running)
    pthread_cond_wait(&fix_done, &fix_lock);
  if (f != NULL) {
    f->running = true;
    f->runner = w32_tid();
  }
  pthread_mutex_unlock(&fix_lock);
  return f;
}

/* Lets go of a claim without running the fixup: its takers go on. */
static void fixup_unclaim(struct w32_fixup *f) {
  pthread_mutex_lock(&fix_lock);
  f->running = false;
  pthread_cond_broadcast(&fix_done);
  pthread_mutex_unlock(&fix_lock);
}

static void fixup_finished(struct w32_fixup *f) {
  pthread_mutex_lock(&fix_lock);
  take_locked(f->ov);
  pthread_cond_broadcast(&fix_done);
  pthread_mutex_unlock(&fix_lock);
  free(f);
}

void w32_fixup_drop(LPOVERLAPPED ov) {
  struct w32_fixup *f = fixup_claim(ov);
  if (f != NULL)
    fixup_finished(f);
}

void w32_fixup_refused(LPOVERLAPPED ov, int rc) {
  w32_fixup_drop(ov);
  /* Refused before cport took the op: the status cport would publish. */
  ULONG_PTR pending = (ULONG_PTR)STATUS_PENDING;
  __atomic_compare_exchange_n(&ov->Internal, &pending, (ULONG_PTR)(intptr_t)rc,
                              false, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

/*
 * closesocket on the accept socket of a pending AcceptEx. Windows cancels
 * every pending operation of a socket it closes (WSA_OPERATION_ABORTED),
 * and the descriptor number may be given to a new socket at once: the
 * connection must never be moved there. So the AcceptEx is cancelled
 * (under fix_lock, so the OVERLAPPED is still this op's: reusing it drops
 * its fixup first), and marked: one that had already accepted closes its
 * connection when its result is taken, instead of moving it.
 */
/* Marks the fixups moving a connection into fd gone and cancels their
 * ops; collects (up to `max`) their OVERLAPPEDs in `ops`. Returns how
 * many it collected. */
static unsigned target_gone(int fd, LPOVERLAPPED *ops,
                            struct w32_fixup **claimed, unsigned max) {
  unsigned n = 0;
  if (__atomic_load_n(&fix_count, __ATOMIC_RELAXED) == 0)
    return 0;
  pthread_mutex_lock(&fix_lock);
  for (unsigned b = 0; b < FIX_BUCKETS; b++) {
    for (struct w32_fixup *f = fixups[b]; f != NULL; f = f->next) {
      if ((int)f->target != fd || f->gone || f->running)
        continue;
      f->gone = true;
      /* A TF_REUSE_SOCKET's or a ConnectEx's work is on the socket
       * itself: closed, its number may serve another socket, which the
       * fixup must never touch; its op ends with the close. */
      if (f->kind != W32_FIX_ACCEPT && f->kind != W32_FIX_PIPE_CONNECT)
        continue;
      cport_cancel((int)f->source, (cport_op_t *)f->ov);
      if (n < max) {
        if (claimed != NULL) {
          f->running = true; /* its taker waits until the caller is done */
          f->runner = w32_tid();
          claimed[n] = f;
        }
        ops[n++] = f->ov;
      }
    }
  }
  pthread_mutex_unlock(&fix_lock);
  return n;
}

/* The close ends the AcceptEx (or ConnectNamedPipe) before it returns, as
 * Windows' does, whichever backend has it: io_uring's cancel of one
 * waiting for its first data ends a little later, and a program may free
 * the OVERLAPPED once the close has returned. Its fixup stays claimed
 * meanwhile, so no taker of its result (who might free it) runs. */
void w32_fixup_target_closed(int fd) {
  LPOVERLAPPED ops[4];
  struct w32_fixup *claimed[4];
  unsigned n = target_gone(fd, ops, claimed, 4);
  /* The cancel ends it (the ring's owner finishes it within a round):
   * wait for that, a minute at most in case the backend is stuck. */
  for (unsigned i = 0; i < n; i++)
    for (int tries = 0;
         tries < 60 &&
         cport_op_wait((const cport_op_t *)(const void *)ops[i], 1000) != 0;
         tries++)
      ;
  for (unsigned i = 0; i < n; i++)
    fixup_unclaim(claimed[i]);
}

/* Whether another thread runs a connection's fixup for fd now (its
 * connection is this target's, and goes with its run's end). */
static bool target_running(int fd) {
  bool running = false;
  pthread_mutex_lock(&fix_lock);
  for (unsigned b = 0; b < FIX_BUCKETS && !running; b++)
    for (struct w32_fixup *f = fixups[b]; f != NULL && !running; f = f->next)
      running = (int)f->target == fd && moves_in(f) && f->running;
  pthread_mutex_unlock(&fix_lock);
  return running;
}

unsigned w32_fixup_target_disconnected(int fd) {
  if (__atomic_load_n(&fix_count, __ATOMIC_RELAXED) != 0 && target_running(fd))
    return 1; /* (its client is accounted for: no other one goes) */
  LPOVERLAPPED ops[4];
  unsigned n = target_gone(fd, ops, NULL, 4), accepted = 0;
  for (unsigned i = 0; i < n; i++) {
    /* Cancelled, it ends at once (or has accepted its client already);
     * its fixup, gone now, closes that client. (With a fixup on it, the
     * OVERLAPPED is the program's, not yet taken: safe to read.) */
    (void)cport_op_wait((const cport_op_t *)(const void *)ops[i],
                        W32_WAIT_SLICE_MS * 10);
    accepted += HasOverlappedIoCompleted(ops[i]) &&
                cport_op_status((const cport_op_t *)(const void *)ops[i]) == 0;
    w32_fixup_run_ended(ops[i]);
  }
  if (n > 0) /* (the instance stays open: its calls need not look again) */
    w32_fd_set_flags(fd, 0, W32_FD_ACCEPT_INTO);
  return accepted;
}

/*
 * Each AcceptEx address area holds the address length (2 bytes) and the
 * sockaddr at the next 8-byte boundary: the 16 spare bytes Windows asks
 * for leave room for both, and the caller gets an aligned sockaddr.
 */
char *w32_acceptex_address(char *area) {
  uintptr_t p = ((uintptr_t)area + sizeof(uint16_t) + 7) & ~(uintptr_t)7;
  return (char *)p;
}

static void put_address(char *area, int fd, bool peer) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  int rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
                : getsockname(fd, (struct sockaddr *)&ss, &len);
  if (rc != 0 && peer) { /* reset already: the peer it had */
    len = sizeof(ss);
    rc = w32_ended_peer(fd, (struct sockaddr *)&ss, &len);
  }
  uint16_t l = rc == 0 ? (uint16_t)len : 0;
  memcpy(area, &l, sizeof(l));
  memcpy(w32_acceptex_address(area), &ss, l);
}

/*
 * TF_REUSE_SOCKET: the socket becomes a fresh one, ready for AcceptEx or
 * ConnectEx again. One that connected out (ConnectEx, on a socket the
 * program bound) stays "not connected, but still bound" (ConnectEx's
 * page): the fresh one is bound to its family's wildcard address, on a
 * new port (the old one may be held by TIME_WAIT); one AcceptEx filled is
 * left unbound, as AcceptEx wants it. Its IPv6-only setting carries over.
 */
void w32_socket_reuse(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  int family = getsockname(fd, (struct sockaddr *)&ss, &len) == 0 ? ss.ss_family
                                                                  : AF_INET;
  int v6only = 1;
  socklen_t vlen = sizeof(v6only);
  if (family == AF_INET6)
    (void)getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &vlen);
  bool accepted = (w32_fd_flags(fd) & W32_FD_ACCEPTED) != 0;
  int fresh = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fresh < 0)
    return;
  if (family == AF_INET6)
    (void)setsockopt(fresh, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
  if (!accepted) {
    struct sockaddr_storage any;
    memset(&any, 0, sizeof(any));
    any.ss_family = (sa_family_t)family;
    (void)bind(fresh, (struct sockaddr *)&any,
               family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                  : sizeof(struct sockaddr_in));
  }
  if (cport__replace_socket(fd, fresh, false) == 0)
    w32_fd_reset(fd);
  w32_fd_winsock(fresh, false); /* its number is free again */
}

void (*w32_pipe_connect_done)(int fd, int status);

/* Runs f, claimed for ov, with the op's status. */
static void run_claimed(struct w32_fixup *f, LPOVERLAPPED ov, int *status);

int w32_fixup_run_inline(LPOVERLAPPED ov) {
  int status = w32_internal_status(ov);
  w32_fixup_run(ov, &status);
  return status;
}

void w32_fixup_run(LPOVERLAPPED ov, int *status) {
  struct w32_fixup *f = fixup_claim(ov);
  if (f != NULL)
    run_claimed(f, ov, status);
}

/* Runs ov's fixup if its op has ended, with that op's own status: true,
 * *before and *after that status before and after it. */
static bool run_if_ended(LPOVERLAPPED ov, int *before, int *after) {
  struct w32_fixup *f = fixup_claim(ov);
  if (f == NULL)
    return false;
  /* Its op in flight: the packet was a stale one of its previous op;
   * the fixup waits for its own op's end. */
  int status;
  if (!fixup_ended(f, &status)) {
    fixup_unclaim(f);
    return false;
  }
  *before = *after = status;
  run_claimed(f, ov, after);
  return true;
}

void w32_fixup_run_ended(LPOVERLAPPED ov) {
  int before, after;
  (void)run_if_ended(ov, &before, &after);
}

void w32_fixup_run_taken(LPOVERLAPPED ov, int *status) {
  int before, after;
  if (run_if_ended(ov, &before, &after) && *status == before)
    *status = after;
}

void w32_fixup_settle_ov(LPOVERLAPPED ov) {
  w32_fixup_run_ended(ov);
  w32_fixup_drop(ov);
}

void w32_fixup_settle(int fd) {
  if (!(w32_fd_flags(fd) & W32_FD_ACCEPT_INTO))
    return;
  struct w32_fixup *f;
  pthread_mutex_lock(&fix_lock);
  for (;;) {
    f = NULL;
    for (unsigned b = 0; b < FIX_BUCKETS && f == NULL; b++)
      for (struct w32_fixup *it = fixups[b]; it != NULL && f == NULL;
           it = it->next)
        if (moves_in(it) && (int)it->target == fd && !it->gone &&
            (__atomic_load_n(&it->ended, __ATOMIC_RELAXED) ||
             HasOverlappedIoCompleted(it->ov)))
          f = it; /* (unmarked: its OVERLAPPED is the program's, not taken) */
    if (f == NULL || !f->running)
      break;
    if (f->runner == w32_tid()) { /* (its own run's calls) */
      f = NULL;
      break;
    }
    /* Another thread runs it (the layer's own port's): the call waits
     * until the connection is in. */
    pthread_cond_wait(&fix_done, &fix_lock);
  }
  if (f != NULL) {
    f->running = true; /* a taker of its result waits for it */
    f->runner = w32_tid();
  }
  pthread_mutex_unlock(&fix_lock);
  if (f == NULL)
    return;
  int status;
  (void)fixup_ended(f, &status);
  run_claimed(f, f->ov, &status);
}

int w32_socket_call(int fd, unsigned *flags) {
  unsigned fl = w32_fd_flags(fd);
  if (__builtin_expect((fl & (W32_FD_GONE | W32_FD_ACCEPT_INTO)) != 0, 0)) {
    if (fl & W32_FD_GONE) {
      if (cport__handle_state(fd) & CPORT__CLOSED)
        return WSAENOTSOCK;
      /* cport let the number go, and it names something new that the
       * layer did not make (a plain socketpair, say). */
      w32_fd_set_flags(fd, 0, W32_FD_GONE);
    }
    w32_fixup_settle(fd);
    fl = w32_fd_flags(fd); /* (a connection moved in: its own) */
  }
  if (flags != NULL)
    *flags = fl;
  return 0;
}

static void run_claimed(struct w32_fixup *f, LPOVERLAPPED ov, int *status) {
  int fd = (int)f->target, before = *status;
  if (f->kind == W32_FIX_PIPE_CONNECT) {
    if (f->gone) { /* the instance was closed: the client goes too */
      if (*status == 0)
        cport_closesocket(cport_op_socket((cport_op_t *)ov));
    } else {
      if (*status == 0)
        *status =
            cport__replace_socket(fd, cport_op_socket((cport_op_t *)ov), true);
      void (*done)(int, int) =
          __atomic_load_n(&w32_pipe_connect_done, __ATOMIC_ACQUIRE);
      if (done != NULL)
        done(fd, *status);
    }
  } else if (f->kind == W32_FIX_ACCEPT && f->gone) {
    /* Its socket was closed (w32_fixup_target_closed): an accepted
     * connection has nowhere to go. */
    if (*status == 0)
      cport_closesocket(cport_op_socket((cport_op_t *)ov));
  } else if (f->kind == W32_FIX_ACCEPT && *status == 0) {
    int rc = cport__replace_socket(fd, cport_op_socket((cport_op_t *)ov), true);
    if (rc == 0) {
      put_address(f->buf + f->recvlen, fd, false);
      put_address(f->buf + f->recvlen + f->locallen, fd, true);
      /* The socket keeps the mode the program gave it: blocking unless
       * FIONBIO said otherwise (cport accepted it non-blocking), and
       * non-blocking underneath while a port has it. */
      bool nonblock = (w32_fd_flags(fd) & W32_FD_NONBLOCK) != 0;
      w32_fd_reset(fd);
      if (nonblock)
        w32_fd_set_flags(fd, W32_FD_NONBLOCK, 0);
      else if (!cport__handle_associated(fd))
        (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      w32_fd_connected(fd);
      w32_fd_set_flags(fd, W32_FD_ACCEPTED, 0);
    } else {
      *status = rc;
    }
  } else if (f->kind == W32_FIX_REUSE && *status == 0 && !f->gone) {
    w32_socket_reuse(fd);
  } else if (f->kind == W32_FIX_CONNECT && *status == 0 && !f->gone) {
    w32_fd_connected(fd);
  }
  /* The op's result changed with its fixup (its connection could not
   * move in): the OVERLAPPED says so too, as GetQueuedCompletionStatus
   * will. (Its fixup held, the OVERLAPPED is still this op's.) */
  if (*status != before)
    __atomic_store_n(&ov->Internal, w32_op_ntstatus(ov, *status),
                     __ATOMIC_RELEASE);
  fixup_finished(f);
}

bool w32_fixup_accept_waiting_ms(int fd, uint32_t *ms) {
  if (__atomic_load_n(&fix_count, __ATOMIC_RELAXED) == 0)
    return false;
  bool found = false;
  pthread_mutex_lock(&fix_lock); /* (keeps the OVERLAPPED this op's) */
  for (unsigned b = 0; b < FIX_BUCKETS && !found; b++)
    for (struct w32_fixup *f = fixups[b]; f != NULL && !found; f = f->next)
      found = f->kind == W32_FIX_ACCEPT && (int)f->target == fd && !f->gone &&
              cport__accept_waiting_ms((const cport_op_t *)f->ov, ms) == 0;
  pthread_mutex_unlock(&fix_lock);
  return found;
}

/* ------------------------------------------------------------------------ */
/* The OVERLAPPED's tag                                                      */
/* ------------------------------------------------------------------------ */

void *w32_ov_tag(DWORD tid, int fd) {
#if UINTPTR_MAX > 0xFFFFFFFFu
  uint32_t dgram = (w32_fd_flags(fd) & W32_FD_DGRAM) ? W32_TAG_DGRAM : 0;
  return (void *)((uintptr_t)tid << 32 | (uint32_t)(fd + 1) | dgram);
#else
  (void)fd;
  return (void *)(uintptr_t)tid;
#endif
}

#define TAG_FD_MASK ((1u << 23) - 1u) /* fd + 1, below 1 << 22 + 1 */

void w32_ov_tag_pipe(LPOVERLAPPED ov, unsigned kind) {
#if UINTPTR_MAX > 0xFFFFFFFFu
  ov->cport_reserved_data =
      (void *)((uintptr_t)ov->cport_reserved_data | (uintptr_t)kind);
#else
  (void)ov;
  (void)kind;
#endif
}

static bool ended_by_close(LPOVERLAPPED ov, int status);

/* closed: the op was ended by closing its handle (as the engine tells
 * the op's end, or as the op tells once it is the program's again). */
static void pipe_result(const OVERLAPPED *ov, uint32_t bytes, int *status,
                        bool closed) {
#if UINTPTR_MAX > 0xFFFFFFFFu
  uint32_t tag = (uint32_t)(uintptr_t)ov->cport_reserved_data;
  if (!(tag & (W32_TAG_PIPE_READ | W32_TAG_PIPE_WRITE)))
    return;
  if ((*status == CPORT_ECONNABORTED || closed) &&
      (w32_fd_flags(w32_ov_fd(ov)) & W32_FD_PIPE_DISC)) {
    /* DisconnectNamedPipe ended it (the instance's connection went under
     * it): ERROR_PIPE_NOT_CONNECTED, as for a message pipe's. */
    *status = CPORT_ESHUTDOWN;
    return;
  }
  bool gone = *status == CPORT_ECONNRESET || *status == CPORT_EPIPE ||
              *status == CPORT_ENOTCONN || *status == CPORT_ESHUTDOWN;
  if (tag & W32_TAG_PIPE_READ) {
    /* The writer closed its end, or the program closed this one under
     * the read: STATUS_PIPE_BROKEN either way, as Windows ends it. */
    if (gone || (*status == 0 && bytes == 0) || closed)
      *status = W32_EPIPE_BROKEN;
  } else if (gone) {
    *status = W32_EPIPE_CLOSING;
  }
#else
  (void)ov;
  (void)bytes;
  (void)status;
  (void)closed;
#endif
}

void w32_pipe_result(const OVERLAPPED *ov, uint32_t bytes, int *status) {
  pipe_result(ov, bytes, status,
              ended_by_close((LPOVERLAPPED)(uintptr_t)ov, *status));
}

int w32_ov_fd(const OVERLAPPED *ov) {
#if UINTPTR_MAX > 0xFFFFFFFFu
  return (int)((uint32_t)(uintptr_t)ov->cport_reserved_data & TAG_FD_MASK) - 1;
#else
  (void)ov;
  return -1;
#endif
}

/* An op that reports a reset (as it ends: nt_word): its socket is
 * remembered as reset, and later receives and sends on it fail at once
 * with it (Linux reports a reset once, then the end of the stream;
 * Windows keeps failing with it). */
static void w32_ov_note(const OVERLAPPED *ov, int status) {
  int fd;
  if (status == CPORT_ECONNRESET && (fd = w32_ov_fd(ov)) >= 0)
    w32_fd_set_flags(fd, W32_FD_RESET, 0);
}

/* ------------------------------------------------------------------------ */
/* An ended op's error as Windows reports it                                 */
/* ------------------------------------------------------------------------ */

/* Ended by closing its socket: Windows reports a receive or send on a
 * connection as ERROR_CONNECTION_ABORTED (STATUS_CONNECTION_ABORTED), an
 * AcceptEx or a ConnectEx (no connection yet) as ERROR_OPERATION_ABORTED,
 * as the closesocket page says of every op. */
static bool ended_by_close(LPOVERLAPPED ov, int status) {
  return status == CPORT_ECANCELED && ov != NULL &&
         cport__op_closed((const cport_op_t *)(const void *)ov);
}

/* An op of a datagram socket (the tag its start left). */
static bool datagram_op(LPOVERLAPPED ov) {
#if UINTPTR_MAX > 0xFFFFFFFFu
  return ov != NULL && ((uintptr_t)ov->cport_reserved_data & W32_TAG_DGRAM);
#else
  (void)ov;
  return false; /* (32-bit systems: no tag, a connection's code) */
#endif
}

/* Ended by closing a connection's socket: a datagram socket's ops have no
 * connection to abort, and end as the closesocket page says,
 * ERROR_OPERATION_ABORTED (STATUS_CANCELLED). */
static bool connection_closed(LPOVERLAPPED ov, int status) {
  return ended_by_close(ov, status) && !datagram_op(ov);
}

/* A datagram socket's op refused by the network: the ICMP "port
 * unreachable" an earlier datagram drew, which Windows reports as
 * ERROR_PORT_UNREACHABLE (STATUS_PORT_UNREACHABLE), WSAECONNRESET. */
static bool port_unreachable(LPOVERLAPPED ov, int status) {
  return status == CPORT_ECONNREFUSED && ov != NULL &&
         w32_is_datagram(w32_ov_fd(ov));
}

/* Ended after the last WSACleanup began: by the close of its socket, or
 * by what the close of another did to its connection (the reset of a
 * peer in the same process can come first): "fail with the error status
 * WSA_OPERATION_ABORTED". A connection's errors only: until the next
 * WSAStartup no socket can be made, so no other connection is left. */
static bool ended_by_cleanup(LPOVERLAPPED ov, int status) {
  if (!w32_winsock_ended())
    return false;
  return ended_by_close(ov, status) || status == CPORT_ECONNRESET ||
         status == CPORT_ECONNABORTED || status == CPORT_EPIPE;
}

DWORD w32_op_error(LPOVERLAPPED ov, int status) {
  if (ended_by_cleanup(ov, status))
    return ERROR_OPERATION_ABORTED; /* WSACleanup closed its socket */
  return connection_closed(ov, status)  ? ERROR_CONNECTION_ABORTED
         : port_unreachable(ov, status) ? ERROR_PORT_UNREACHABLE
                                        : w32_error(status);
}

/* The NTSTATUS a failed op leaves in its Internal as it ends (the engine
 * calls this before the op is its program's again), the one
 * GetQueuedCompletionStatus reports for its packet. */
static uintptr_t nt_of(LPOVERLAPPED ov, int status, bool closed) {
  if (status != 0 && ended_by_cleanup(ov, closed ? CPORT_ECANCELED : status))
    return w32_ntstatus(CPORT_ECANCELED); /* WSACleanup: STATUS_CANCELLED */
  bool aborted = closed && status == CPORT_ECANCELED && !datagram_op(ov);
  return aborted                        ? 0xC0000241u /* CONNECTION_ABORTED */
         : port_unreachable(ov, status) ? 0xC000023Fu /* PORT_UNREACHABLE */
                                        : w32_ntstatus(status);
}

static uintptr_t nt_word(const cport_op_t *op, int status, uint32_t bytes,
                         bool closed) {
  LPOVERLAPPED ov = (LPOVERLAPPED)(uintptr_t)op;
  /* A reset is remembered for the socket now, on the thread that ends
   * the op and before its result is published: once the program sees it,
   * it may close the socket, and its number may serve another. */
  if (!closed && status != 0)
    w32_ov_note(ov, status);
  mark_ended(ov, status);
  /* A pipe's result as the pipe reports it (a read of 0 bytes: its
   * writer's end), what GetQueuedCompletionStatus will report. */
  pipe_result(ov, bytes, &status, closed && status == CPORT_ECANCELED);
  return status == 0 ? 0 : nt_of(ov, status, closed);
}

/* An AcceptEx's connection came: both addresses go into its buffer now,
 * on the thread that ends the op, before its result is published (the
 * fixup writes them again when the connection moves in). fd is the new
 * connection's; no lock is taken. */
static void accept_ended(int fd, const uintptr_t word[3]) {
  char *buf = (char *)word[0];
  size_t recvlen = (size_t)word[1], locallen = (size_t)word[2];
  put_address(buf + recvlen, fd, false);
  put_address(buf + recvlen + locallen, fd, true);
}

__attribute__((constructor)) static void register_nt_hook(void) {
  cport__set_nt_hook(nt_word);
  cport__set_accept_hook(accept_ended);
}

ULONG_PTR w32_op_ntstatus(LPOVERLAPPED ov, int status) {
  return nt_of(ov, status, ended_by_close(ov, status));
}

int w32_op_wsa_error(LPOVERLAPPED ov, int status) {
  if (ended_by_cleanup(ov, status))
    return WSA_OPERATION_ABORTED;
  return connection_closed(ov, status)  ? WSAECONNABORTED
         : port_unreachable(ov, status) ? WSAECONNRESET
                                        : w32_wsa_error(status);
}
