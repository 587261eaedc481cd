/*
 * engine-handle.c - what happens to a handle's ops over the handle's life
 * (see engine.h): a new fd gets a slot (a stale use of the same number
 * gives up its ops first), association, close, and the port closing under
 * its handles.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine-diag.h"
#include "engine.h"

/* ------------------------------------------------------------------------ */
/* Giving up ops                                                             */
/* ------------------------------------------------------------------------ */

/* The handle goes away (closed, or its fd number reused behind cport's
 * back): each of its ops completes once, with CPORT_ECANCELED, now or when
 * the kernel gives it back; none of them touches the handle again. */
static void abandon_locked(struct cp_handle *h) {
  /* A lingering handle's fd number was reused behind cport's back (or its
   * slot is given to another socket): its buffered sends end too. */
  h->flags &= (uint16_t)~CP_HF_LINGER;
  if (h->port == NULL)
    return;
  cp_engine_cancel_locked(h, &h->rq, NULL, true);
  cp_engine_cancel_locked(h, &h->wq, NULL, true);
  /* its buffered sends, orphans now, no longer count */
  __atomic_store_n(&h->buffered, 0, __ATOMIC_RELAXED);
}

/* The port is closed: each op ends with CPORT_ECLOSED and no completion;
 * the kernel is asked to give back the ones it owns (the progress thread
 * waits for them before the port's kernel objects go). */
static void drop_queue_locked(struct cp_handle *h, struct cp_opq *q) {
  struct cport *p = h->port;
  cport_op_t *op;
  while ((op = cp_opq_pop(q)) != NULL) {
    struct cp_lop *l = cp_lop(op);
    if (l->flags & CP_OPF_INFLIGHT) {
      /* (The backend first, as in cancel_one: engine.c.) */
      bool gone = p->be->cancel(p, h, op);
      l->flags |= CP_OPF_CANCEL | CP_OPF_ORPHAN;
      if (!gone)
        continue; /* ends when the kernel answers */
      l->flags &= (uint16_t)~CP_OPF_INFLIGHT;
    }
    l->flags |= CP_OPF_ORPHAN;
    cp_op_result(op, CPORT_ECLOSED);
    cp_engine_end(h, op, NULL);
  }
}

void cp_engine_detach_port(struct cport *p) {
  struct cp_handle *h;
  /* An associate racing the close either joined the list before this
   * (the pass below takes it, once the associate lets go of its lock)
   * or fails with CPORT_ECLOSED. */
  cp_handle_list_close(p);
  while ((h = cp_handle_list_pop(p)) != NULL) {
    cp_lock(&h->lock);
    if (h->port == p) {
      drop_queue_locked(h, &h->rq);
      drop_queue_locked(h, &h->wq);
      __atomic_store_n(&h->buffered, 0, __ATOMIC_RELAXED);
      p->be->detach(p, h);
      __atomic_store_n(&h->port, NULL, __ATOMIC_RELEASE);
      h->key = 0;
      h->flags |= CP_HF_PORT_GONE;
      if (h->flags & CP_HF_LINGER) {
        /* Closed by its user, waiting for buffered sends: they are
         * gone with the port, so the fd goes now. */
        h->flags = 0;
        (void)p->be->close_fd(p, h);
        __atomic_store_n(&h->gen, h->gen + 1, __ATOMIC_RELEASE);
      }
    }
    cp_unlock(&h->lock);
  }
}

/* ------------------------------------------------------------------------ */
/* Opening and associating                                                   */
/* ------------------------------------------------------------------------ */

/* h (locked) joins p's list, then its backend: 0, CPORT_ECLOSED (p's
 * close began) or the backend's error. */
static int join(struct cport *p, struct cp_handle *h) {
  if (!cp_handle_list_add(p, h))
    return CPORT_ECLOSED;
  int rc = p->be->attach ? p->be->attach(p, h) : 0;
  if (rc != 0)
    cp_handle_list_remove(p, h);
  return rc;
}

int cp_engine_open(int fd, uint8_t type, uint8_t family, uint16_t flags) {
  struct cp_handle *h;
  int rc = cp_handle_slot(fd, &h);
  if (rc != 0)
    return rc == CPORT_EBADF ? CPORT_EMFILE : rc;
  cp_lock(&h->lock);
  if (h->flags & (CP_HF_OPEN | CP_HF_LINGER)) {
    /* The kernel reused this fd number: the previous owner was closed
     * behind cport's back. Its operations still complete, once. */
    abandon_locked(h);
    cp_engine_detach_locked(h);
  }
  cp_handle_reset_locked(h, fd, type, family);
  h->flags |= flags;
  cp_unlock(&h->lock);
  return 0;
}

/*
 * A slot's new use, or its handle's move to another port, first lets the
 * completions of its ops that ended before still in a harvester's batch
 * or on a port's late list be queued (struct cp_gate): an op of the new
 * use that ended first would wait behind them on its own port's late
 * list, which their port's flush never delivers (a lost completion).
 * They go as the harvester's round ends: microseconds. Bounded (100 ms),
 * as the caller may be a hook that harvester runs.
 */
static void gate_settle(struct cp_handle *h) {
  for (int i = 0; i < 200 && cp_gate_shut(&h->gate); i++) {
    if (i < 20) {
      sched_yield();
    } else {
      struct timespec ts = {0, 500000};
      nanosleep(&ts, NULL);
    }
  }
}

int cp_engine_associate(struct cport *p, int fd, uintptr_t key,
                        unsigned flags) {
  if (fd < 0)
    return CPORT_EBADF;
  struct stat st;
  if (fstat(fd, &st) != 0)
    return CPORT_EBADF;
  struct cp_handle *h;
  int rc = cp_handle_slot(fd, &h);
  if (rc != 0)
    return rc;
  gate_settle(h);

  cp_lock(&h->lock);
  if ((h->flags & (CP_HF_OPEN | CP_HF_LINGER)) &&
      (h->dev != st.st_dev || h->ino != st.st_ino) && h->port != NULL) {
    /* Stale: the fd was closed without cport and the number reused. */
    abandon_locked(h);
    cp_engine_detach_locked(h);
    h->flags = 0;
  }
  if (h->flags & (CP_HF_ZOMBIE | CP_HF_LINGER)) {
    rc = CPORT_EBADF; /* closed; the backend still lets go of it */
    goto out;
  }
  if (h->port != NULL) {
    rc = CPORT_EEXIST;
    goto out;
  }
  if (__atomic_load_n(&p->closed, __ATOMIC_ACQUIRE)) {
    rc = CPORT_ECLOSED;
    goto out;
  }
  if (!(h->flags & CP_HF_OPEN)) {
    uint8_t family;
    uint8_t type = cp_handle_type_of(fd, &st, &family);
    cp_handle_reset_locked(h, fd, type, family);
  }
  int fl = fcntl(fd, F_GETFL);
  if (h->type != CP_H_FILE) {
    if (fl >= 0 && !(fl & O_NONBLOCK))
      fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  } else if (fl >= 0) {
    /* What the file was opened for, so a read or write it cannot do is
     * refused at once (as Windows does), not through a completion. */
    int mode = fl & O_ACCMODE;
    h->flags &= (uint16_t) ~(CP_HF_NO_READ | CP_HF_NO_WRITE);
    if (mode == O_WRONLY)
      h->flags |= CP_HF_NO_READ;
    if (mode == O_RDONLY)
      h->flags |= CP_HF_NO_WRITE;
  }
  h->dev = st.st_dev;
  h->ino = st.st_ino;
  /* On the port's list first: the close's pass then finds it. */
  if ((rc = join(p, h)) != 0)
    goto out;
  /* (Atomic: cport__handle_associated reads it without the lock.) */
  __atomic_store_n(&h->port, p, __ATOMIC_RELEASE);
  h->flags &= (uint16_t)~CP_HF_PORT_GONE; /* a new port: ops again */
  h->key = key;
  if (flags & CPORT_SKIP_ON_SUCCESS)
    h->flags |= CP_HF_SKIP;
out:
  cp_unlock(&h->lock);
  return rc;
}

int cp_engine_set_flags(int fd, uint16_t flags) {
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0)
    return CPORT_EBADF;
  struct cp_handle *h;
  int rc = cp_handle_slot(fd, &h);
  if (rc != 0)
    return rc;
  cp_lock(&h->lock);
  if (h->flags & (CP_HF_ZOMBIE | CP_HF_LINGER)) {
    rc = CPORT_EBADF;
  } else {
    if (!(h->flags & CP_HF_OPEN)) {
      /* Not seen by cport yet: keep the flags for its association. */
      uint8_t family;
      uint8_t type = cp_handle_type_of(fd, &st, &family);
      cp_handle_reset_locked(h, fd, type, family);
    }
    h->flags |= flags;
  }
  cp_unlock(&h->lock);
  return rc;
}

int cp_engine_replace(int target, int from, bool connected) {
  struct cp_handle *h;
  int rc = cp_handle_slot(target, &h);
  if (rc != 0)
    return rc;
  cp_lock(&h->lock);
  struct cport *port = h->port;
  uintptr_t key = h->key;
  /* The association's modes carry over: skip-on-success, and the Win32
   * layer's (its ops' NTSTATUS, sends tried in the call). */
  uint16_t keep =
      h->flags & CP_HF_OPEN ? (h->flags & (CP_HF_SKIP | CP_HF_AT_CALL)) : 0;
  abandon_locked(h);
  cp_engine_detach_locked(h);
  rc = dup2(from, target) < 0 ? -errno : 0;
  if (rc == 0) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    uint8_t family = getsockname(target, (struct sockaddr *)&ss, &len) == 0
                         ? (uint8_t)ss.ss_family
                         : AF_INET;
    cp_handle_reset_locked(h, target, CP_H_STREAM, family);
    h->flags |= keep | (connected ? CP_HF_CONNECTED : 0);
  }
  cp_unlock(&h->lock);
  cp_engine_close(from);
  if (rc == 0 && port != NULL)
    rc = cp_engine_associate(port, target, key, 0);
  return rc;
}

int cp_engine_move(struct cport *from, struct cport *to, int fd,
                   uintptr_t key) {
  struct cp_handle *h = cp_handle_peek(fd);
  if (h == NULL)
    return CPORT_EBADF;
  gate_settle(h);
  cp_lock(&h->lock);
  int rc = 0;
  if (!(h->flags & CP_HF_OPEN) || h->port != from)
    rc = CPORT_EEXIST;
  else if (!cp_opq_empty(&h->rq) || !cp_opq_empty(&h->wq) || h->buffered > 0)
    rc = CPORT_EBUSY;
  else if (__atomic_load_n(&to->closed, __ATOMIC_ACQUIRE))
    rc = CPORT_ECLOSED;
  else if (h->type != CP_H_FILE && from->be->held_look != NULL) {
    /* A socket moves only with nothing its backend took ahead (bytes,
     * the peer's end, connections): the look stops the reading ahead,
     * and until its last completion the caller must ask again. */
    int err = 0;
    unsigned held = from->be->held_look(from, h, &err);
    rc = (held & (CP_HELD_DATA | CP_HELD_END)) ? CPORT_EBUSY
         : (held & CP_HELD_SOON)               ? CPORT_EAGAIN
                                               : 0;
  }
  /* The layer's ops under way end on the new port: not while the old
   * one's batch of this handle is still out (the gate shut), whose late
   * list they would wait on from the new port (ask again). */
  if (rc == 0 && h->external > 0 && cp_gate_shut(&h->gate))
    rc = CPORT_EAGAIN;
  /* Their slots move with the handle: held on the new port first (refused
   * without room), let go on the old one once the handle is there. */
  uint32_t moved = 0;
  while (rc == 0 && moved < h->external)
    if ((rc = cp_port_hold(to)) == 0)
      moved++;
  if (rc != 0) {
    while (moved-- > 0)
      cp_port_unhold(to);
    cp_unlock(&h->lock);
    return rc;
  }
  cp_engine_detach_locked(h);
  __atomic_store_n(
      &h->gen, h->gen + 1,
      __ATOMIC_RELEASE); /* whatever the old port's backend still names is stale */
  struct cport *p = to;
  rc = join(p, h);
  if (rc != 0) { /* back where it was */
    p = from;
    key = 0;
    if (join(p, h) != 0)
      p = NULL; /* neither: it is on no port (its next op says so) */
  }
  if (p != NULL) {
    __atomic_store_n(&h->port, p, __ATOMIC_RELEASE);
    h->key = key;
  }
  /* Each external op holds one slot where it will end: on `to` if the
   * handle went there, else (back on `from`, or nowhere: its ops end on
   * the port they began on) where they were. */
  struct cport *gone = p == to ? from : to;
  for (uint32_t i = 0; i < moved; i++)
    cp_port_unhold(gone);
  cp_unlock(&h->lock);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* Closing                                                                   */
/* ------------------------------------------------------------------------ */

/* An fd cport never took in (or closed already): EBADF, or plain close. */
static int close_unknown(cport_handle_t s) {
  if (s < 0 || fcntl(s, F_GETFD) < 0)
    return CPORT_EBADF;
  return close(s) == 0 ? 0 : -errno;
}

/* A file closed with reads or writes in flight: as on Windows, where each
 * op keeps the file open, they go on and complete as usual (the data of
 * a write reaches the file), and the fd closes after the last one
 * (cp_engine_end). The handle is closed to every call meanwhile. */
static bool file_linger(struct cp_handle *h) {
  if (h->type != CP_H_FILE || cp_opq_empty(&h->rq) ||
      __atomic_load_n(&h->port->closed, __ATOMIC_ACQUIRE))
    return false;
  h->flags = CP_HF_LINGER;
  return true;
}

int cp_engine_close(cport_handle_t s) {
  struct cp_handle *h = cp_handle_peek(s);
  if (h == NULL)
    return close_unknown(s);
  cp_lock(&h->lock);
  if (!(h->flags & CP_HF_OPEN)) {
    bool zombie = h->flags & (CP_HF_ZOMBIE | CP_HF_LINGER);
    cp_unlock(&h->lock);
    return zombie ? CPORT_EBADF : close_unknown(s);
  }
  struct cport *p = h->port;
  if (CP_UNLIKELY(cp_diag_active()))
    cp_engine_diag_handle(h, NULL, 'K');
  if (p != NULL && (cp_engine_linger(h) || file_linger(h))) {
    cp_unlock(&h->lock);
    return 0; /* its fd closes when its buffered sends end */
  }
  abandon_locked(h);
  /* A listener stops listening now, even if the kernel's accepts keep its
   * socket a moment longer (io_uring): a client is refused, and the port
   * may be bound again at once, as after Windows' closesocket. */
  if (h->flags & CP_HF_LISTENING)
    (void)shutdown(h->fd, SHUT_RD);
  cp_engine_detach_locked(h);
  h->flags = 0;
  /* The backend closes the fd, or takes it over until nothing it started
   * can still meet the number (then the slot stays a zombie). */
  int rc = p != NULL ? p->be->close_fd(p, h) : (close(h->fd) == 0 ? 0 : -errno);
  __atomic_store_n(&h->gen, h->gen + 1, __ATOMIC_RELEASE);
  cp_unlock(&h->lock);
  return rc == CPORT_EINTR ? 0 : rc;
}

/* ------------------------------------------------------------------------ */
/* A graceful close (engine-sendbuf.c)                                       */
/* ------------------------------------------------------------------------ */

/* How long a lingering connection may go without progress (its bytes
 * unacknowledged, or a peer that does not read keeping the window shut)
 * before it gives up, unless the program set TCP_USER_TIMEOUT or a timed
 * SO_LINGER: about what Windows gives a connection by default (5
 * retransmissions) and Linux an orphaned one. */
#define CP_LINGER_GIVE_UP_MS 120000u

/* A lingering TCP socket's fd stays open until its buffered sends end,
 * and a peer that never reads would keep them waiting for ever: the
 * kernel lets go of a socket cport closed (an orphan) in time, but not of
 * one whose fd is open. So the connection gets a limit on how long it
 * may make no progress; past it the kernel fails the connection with
 * ETIMEDOUT, the sends end, and the fd closes (cp_engine_linger_done).
 * Not a TCP socket (no such option): nothing changes. */
static void linger_limit(struct cp_handle *h, unsigned linger_s) {
  unsigned ms = 0;
  socklen_t len = sizeof(ms);
  if (getsockopt(h->fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, &len) != 0 ||
      ms != 0)
    return; /* not TCP, or the program chose its own */
  if (linger_s > UINT32_MAX / 1000u)
    linger_s = UINT32_MAX / 1000u;
  ms = linger_s > 0 ? linger_s * 1000u : CP_LINGER_GIVE_UP_MS;
  (void)setsockopt(h->fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms));
}

bool cp_engine_linger(struct cp_handle *h) {
  if (h->buffered == 0 || __atomic_load_n(&h->port->closed, __ATOMIC_ACQUIRE))
    return false;
  /* A hard close (SO_LINGER on with no time) discards unsent data, as on
   * Windows: the buffered sends end with the handle. */
  struct linger lg;
  socklen_t len = sizeof(lg);
  unsigned linger_s = 0;
  if (getsockopt(h->fd, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && lg.l_onoff) {
    if (lg.l_linger == 0)
      return false;
    linger_s = (unsigned)lg.l_linger;
    /* A timed linger: the fd closes when its sends end, often on the
     * ring's owner, and a close(2) that lingered would stall the port
     * for that long. The bytes are sent by then, so the kernel may
     * finish the close in the background. (Nothing can set it again:
     * the handle is closed to every call.) */
    lg.l_onoff = 0;
    lg.l_linger = 0;
    (void)setsockopt(h->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  }
  linger_limit(h, linger_s);
  /* The caller's ops end as on any close; the buffered sends stay queued
   * (the cancels keep them while the handle lingers). */
  h->flags |= CP_HF_LINGER;
  cp_engine_cancel_locked(h, &h->rq, NULL, true);
  cp_engine_cancel_locked(h, &h->wq, NULL, true);
  h->flags = CP_HF_LINGER; /* closed to every call; the fd stays open, so
                              its number cannot be reused meanwhile */
  /* Nothing is received for it any more (io_uring: its multishot receive
   * stops, its buffers go back); its sends still run. */
  h->port->be->detach(h->port, h);
  if (cp_opq_empty(&h->wq))
    cp_engine_linger_done(h);
  return true;
}

/* ------------------------------------------------------------------------ */
/* Looking up a handle for a call                                            */
/* ------------------------------------------------------------------------ */

bool cp_engine_connected(struct cp_handle *h) {
  if (h->flags & CP_HF_CONNECTED)
    return true;
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getpeername(h->fd, (struct sockaddr *)&ss, &len) == 0) {
    h->flags |= CP_HF_CONNECTED;
    return true;
  }
  return false;
}

bool cp_engine_listening(struct cp_handle *h) {
  if (h->flags & CP_HF_LISTENING)
    return true;
  int on = 0;
  socklen_t len = sizeof(on);
  if (getsockopt(h->fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on) {
    h->flags |= CP_HF_LISTENING;
    return true;
  }
  return false;
}

struct cp_handle *cp_engine_lock(cport_handle_t s, int want, int *rc) {
  struct cp_handle *h = cp_handle_peek(s);
  if (h == NULL) {
    *rc = CPORT_EBADF;
    return NULL;
  }
  cp_lock(&h->lock);
  if (!(h->flags & CP_HF_OPEN))
    *rc = CPORT_EBADF;
  else if (h->port == NULL) /* not associated, or its port closed */
    *rc = (h->flags & CP_HF_PORT_GONE) ? CPORT_ECLOSED : CPORT_EINVAL;
  else if (want == CP_WANT_FILE)
    *rc = h->type == CP_H_FILE ? 0 : CPORT_EBADF;
  else if (want == CP_WANT_ANY)
    *rc = 0;
  else if (h->type == CP_H_FILE ||
           (h->type == CP_H_UNKNOWN && h->family == 0)) /* (a pipe, ...) */
    *rc = CPORT_ENOTSOCK;
  else if (want == CP_WANT_STREAM_PEER && h->type != CP_H_STREAM)
    *rc = CPORT_EOPNOTSUPP;
  else if (want == CP_WANT_STREAM_PEER && !cp_engine_connected(h))
    *rc = (h->flags & CP_HF_RESET) ? CPORT_ECONNRESET : CPORT_ENOTCONN;
  else
    *rc = 0;
  if (*rc == 0) {
    cp_port_wakes_hold();
    return h;
  }
  cp_unlock(&h->lock);
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Accepted sockets                                                          */
/* ------------------------------------------------------------------------ */

int cp_engine_accept_setup(struct cp_handle *listener, cport_op_t *op, int fd) {
  int rc = cp_engine_open(fd, CP_H_STREAM, listener->family, CP_HF_CONNECTED);
  if (rc != 0) {
    close(fd);
    return rc;
  }
  cp_lop(op)->aux_fd = fd;
  return 0;
}
