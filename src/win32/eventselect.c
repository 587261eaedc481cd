/*
 * eventselect.c - WSAEventSelect and WSAEnumNetworkEvents: network events
 * recorded per socket and signalled through an event object.
 *
 * One thread of the layer, started with the first WSAEventSelect, watches
 * every selected socket with an epoll set of its own (one-shot entries,
 * re-armed after each look). When a socket is ready it works out which
 * FD_* events that means, from the socket's state and a peek: data
 * (FD_READ), a pending connection (FD_ACCEPT), a connect's outcome
 * (FD_CONNECT, then FD_WRITE), room to send (FD_WRITE), the peer's end
 * (FD_CLOSE, with WSAECONNRESET for a reset, once the data before it has
 * been read). Bytes cport already took from the socket ahead of the
 * program's receives count as data (cport__held_look; while cport's own
 * receive may still take some, the socket is looked at again every
 * millisecond). It records them and sets the event.
 *
 * As on Windows, an event once recorded is not recorded again until its
 * re-enabling call: a receive for FD_READ, accept for FD_ACCEPT, a send
 * that would block for FD_WRITE (the BSD and WSA calls tell this file,
 * w32_es_called); FD_CONNECT and FD_CLOSE come once. AcceptEx re-enables
 * FD_ACCEPT too, so a server that keeps AcceptEx calls posted hears when
 * connections wait with none posted. FD_OOB, FD_QOS and the change events
 * are never recorded.
 *
 * Lock order: es_lock, then w32_lock (SetEvent, ResetEvent).
 */
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "win32.h"

struct es_sock {
  uint32_t gen; /* which selection the epoll entry is for */
  HANDLE event; /* the program's event (referenced) */
  long mask;    /* FD_* asked for */
  long record;  /* recorded, not yet enumerated */
  long enabled; /* may be recorded now */
  bool soon;    /* cport's receive may still take bytes: look again */
  int errors[FD_MAX_EVENTS];
};

static pthread_mutex_t es_lock = PTHREAD_MUTEX_INITIALIZER;
static struct es_sock **socks; /* by descriptor */
static size_t nsocks;
static uint32_t gens;
static int epfd = -1;
static int wake_fd = -1;    /* in the epoll set: a look is due soon */
static unsigned soon_count; /* sockets with soon set */
static pthread_once_t es_once = PTHREAD_ONCE_INIT;

/* ------------------------------------------------------------------------ */
/* What a socket is doing                                                    */
/* ------------------------------------------------------------------------ */

enum state { S_IDLE, S_LISTEN, S_CONNECTING, S_CONNECTED, S_DGRAM };

static enum state state_of(int fd) {
  int v = 0;
  socklen_t len = sizeof(v);
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_DGRAM)
    return S_DGRAM;
  len = sizeof(v);
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v)
    return S_LISTEN;
  struct tcp_info ti;
  len = sizeof(ti);
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0) {
    if (ti.tcpi_state == TCP_SYN_SENT)
      return S_CONNECTING;
    if (ti.tcpi_state == TCP_CLOSE)
      return w32_fd_was_connected(fd) ? S_CONNECTED : S_IDLE;
    return S_CONNECTED;
  }
  struct sockaddr_storage ss;
  len = sizeof(ss);
  return getpeername(fd, (struct sockaddr *)&ss, &len) == 0 ? S_CONNECTED
                                                            : S_IDLE;
}

/* 1: data waits; 0: the peer's end (*err 0, or the reset's WSA code);
 * -1: nothing yet. */
static int peek(int fd, int *err) {
  char c;
  ssize_t n = recvfrom(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT, NULL, NULL);
  if (n > 0)
    return 1;
  if (n == 0) {
    *err = 0;
    return 0;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
    return -1;
  /* The peek took the socket's error from the kernel: the layer keeps it,
   * so the program's receive still fails with it (bsd.c, wsaio.c). */
  if (errno == ECONNRESET)
    w32_fd_set_flags(fd, W32_FD_RESET, 0);
  *err = errno == ECONNRESET ? WSAECONNRESET : w32_wsa_error(-errno);
  return 0;
}

/* peek, after what cport took from the socket ahead of the program's
 * receives (io_uring's multishot receive): its bytes are FD_READ, and the
 * peer's end after them is FD_CLOSE only once they are read. *soon: cport
 * may still take the socket's next bytes, so the socket is looked at
 * again shortly. */
static int peek_held(int fd, int *err, bool *soon) {
  int e = 0;
  unsigned b = cport__held_look(fd, &e);
  *soon = (b & CPORT__HELD_SOON) != 0;
  if (b & CPORT__HELD_DATA)
    return 1;
  if (b & CPORT__HELD_END) {
    *err = e != 0 ? w32_wsa_error(e) : 0;
    return 0;
  }
  return peek(fd, err);
}

/* ------------------------------------------------------------------------ */
/* Looking and arming (es_lock held)                                         */
/* ------------------------------------------------------------------------ */

static void record(struct es_sock *s, long ev, int bit, int err) {
  if (!(s->mask & ev) || !(s->enabled & ev))
    return;
  s->enabled &= ~ev;
  s->record |= ev;
  s->errors[bit] = err;
}

/* What the epoll entry waits for next. `data`: for a connected stream,
 * what the peek said (1 data, 0 the end, -1 nothing yet). An entry with
 * nothing to wait for stays disarmed (a one-shot entry that fired) until
 * a call re-enables an event: re-arming it would report EPOLLHUP again
 * and again for an idle or ended socket. */
static uint32_t interest(struct es_sock *s, enum state st, int data) {
  bool want_read = (s->mask & FD_READ) && (s->enabled & FD_READ);
  bool want_write = (s->mask & FD_WRITE) && (s->enabled & FD_WRITE);
  bool want_close = (s->mask & FD_CLOSE) && (s->enabled & FD_CLOSE);
  switch (st) {
  case S_LISTEN:
    return (s->mask & FD_ACCEPT) && (s->enabled & FD_ACCEPT) ? EPOLLIN : 0;
  case S_CONNECTING:
    return EPOLLOUT; /* its outcome */
  case S_CONNECTED: {
    uint32_t in = want_write ? EPOLLOUT : 0;
    if (data == -1 && want_read)
      in |= EPOLLIN | EPOLLRDHUP;
    else if (data == -1 && want_close)
      in |= EPOLLRDHUP; /* the end, while unread data may still come */
    return in;
  }
  case S_DGRAM:
    if (data == 0)
      return 0; /* an error waits for its receive */
    return (want_read ? EPOLLIN : 0u) | (want_write ? EPOLLOUT : 0u);
  case S_IDLE:
    break; /* a connect or a listen calls again */
  }
  return 0;
}

static bool ready(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & events);
}

/* A connect's outcome, once it has one: FD_CONNECT with its error. */
static void connect_outcome(int fd, struct es_sock *s, enum state st) {
  if (!(s->enabled & FD_CONNECT) || st == S_CONNECTING)
    return;
  int so = 0;
  socklen_t len = sizeof(so);
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len);
  if (st == S_IDLE && so == 0)
    return; /* no connect yet */
  record(s, FD_CONNECT, FD_CONNECT_BIT, so ? w32_wsa_error(-so) : 0);
  s->enabled &= ~FD_CONNECT;
  /* Connected (a reset later is its end, not an idle socket), or failed:
   * the error stays the program's to read with SO_ERROR. */
  w32_fd_connect_outcome(fd, -so, true);
}

/* Records what fd's state says now, sets the event if that added
 * anything, and re-arms the epoll entry. */
static void set_soon(struct es_sock *s, bool soon) {
  if (soon == s->soon)
    return;
  s->soon = soon;
  if (soon && soon_count++ == 0) { /* the watcher may sleep: wake it */
    uint64_t one = 1;
    (void)!write(wake_fd, &one, sizeof(one));
  } else if (!soon) {
    soon_count--;
  }
}

static void look(int fd, struct es_sock *s) {
  long before = s->record;
  enum state st = state_of(fd);
  int data = -1, err = 0;
  bool soon = false;
  connect_outcome(fd, s, st);
  switch (st) {
  case S_LISTEN: {
    /* Connections cport accepted ahead of AcceptEx calls wait too. */
    int e = 0;
    unsigned b = cport__held_look(fd, &e);
    soon = (b & CPORT__HELD_SOON) != 0;
    if ((b & CPORT__HELD_DATA) || ready(fd, POLLIN))
      record(s, FD_ACCEPT, FD_ACCEPT_BIT, 0);
    break;
  }
  case S_CONNECTED:
    data = peek_held(fd, &err, &soon);
    if (data == 1)
      record(s, FD_READ, FD_READ_BIT, 0);
    else if (data == 0)
      record(s, FD_CLOSE, FD_CLOSE_BIT, err);
    if ((s->enabled & FD_WRITE) && ready(fd, POLLOUT))
      record(s, FD_WRITE, FD_WRITE_BIT, 0);
    break;
  case S_DGRAM: {
    /* An error (an ICMP report on a connected datagram socket) is
     * FD_READ: the receive fails with it, as on Windows. While it waits,
     * nothing is armed (EPOLLERR would fire again at once) until a
     * receive takes it. */
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    short rv = poll(&p, 1, 0) == 1 ? p.revents : 0;
    if ((s->enabled & FD_READ) && (rv & (POLLIN | POLLERR)))
      record(s, FD_READ, FD_READ_BIT, 0);
    if ((s->enabled & FD_WRITE) && (rv & POLLOUT))
      record(s, FD_WRITE, FD_WRITE_BIT, 0);
    if (rv & POLLERR)
      data = 0; /* interest(): arm nothing */
    break;
  }
  case S_CONNECTING:
  case S_IDLE:
    break;
  }
  set_soon(s, soon);
  if (s->record != before)
    SetEvent(s->event);
  uint32_t in = interest(s, st, data);
  if (in == 0)
    return;
  struct epoll_event e;
  e.events = in | EPOLLONESHOT;
  e.data.u64 = ((uint64_t)s->gen << 32) | (uint32_t)fd;
  epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &e);
}

static struct es_sock *sock_of(int fd) {
  return fd >= 0 && (size_t)fd < nsocks ? socks[fd] : NULL;
}

/* ------------------------------------------------------------------------ */
/* The watcher                                                               */
/* ------------------------------------------------------------------------ */

static void *watch(void *arg) {
  (void)arg;
  struct epoll_event evs[64];
  int timeout = -1;
  for (;;) {
    int n = epoll_wait(epfd, evs, 64, timeout);
    pthread_mutex_lock(&es_lock);
    for (int i = 0; i < n; i++) {
      if (evs[i].data.u64 == UINT64_MAX) { /* wake_fd */
        uint64_t v;
        (void)!read(wake_fd, &v, sizeof(v));
        continue;
      }
      int fd = (int)(uint32_t)evs[i].data.u64;
      struct es_sock *s = sock_of(fd);
      if (s != NULL && s->gen == (uint32_t)(evs[i].data.u64 >> 32))
        look(fd, s);
    }
    /* Sockets whose bytes cport's receive may still take: again, until
     * it has stopped (a CQE away). */
    for (size_t fd = 0; soon_count > 0 && fd < nsocks; fd++)
      if (socks[fd] != NULL && socks[fd]->soon)
        look((int)fd, socks[fd]);
    timeout = soon_count > 0 ? 1 : -1;
    pthread_mutex_unlock(&es_lock);
  }
  return NULL;
}

/* Drops fd's selection (es_lock held). */
static void drop_locked(int fd) {
  struct es_sock *s = sock_of(fd);
  if (s == NULL)
    return;
  epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
  set_soon(s, false);
  socks[fd] = NULL;
  w32_unref((struct w32_object *)s->event);
  free(s);
}

/* The descriptor closed or was made anew (handles.c's w32_fd_reset). */
static void forget(int fd) {
  pthread_mutex_lock(&es_lock);
  drop_locked(fd);
  pthread_mutex_unlock(&es_lock);
}

static void es_init(void) {
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0)
    return;
  wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  struct epoll_event e = {.events = EPOLLIN, .data.u64 = UINT64_MAX};
  if (wake_fd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, wake_fd, &e) != 0 ||
      !w32_service_thread(NULL, watch, NULL)) {
    if (wake_fd >= 0)
      close(wake_fd);
    close(epfd);
    epfd = -1;
  }
  __atomic_store_n(&w32_fd_forget, forget, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------------ */
/* The calls                                                                 */
/* ------------------------------------------------------------------------ */

void w32_es_called(int fd, long reenable) {
  int e = errno;
  pthread_mutex_lock(&es_lock);
  struct es_sock *s = sock_of(fd);
  if (s != NULL) {
    s->enabled |= reenable;
    look(fd, s);
  }
  pthread_mutex_unlock(&es_lock);
  errno = e;
}

static bool is_socket(int fd) {
  int type;
  socklen_t len = sizeof(type);
  return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0;
}

CPORT_API int WSAEventSelect(SOCKET s, WSAEVENT event, long events) {
  int fd = (int)s;
  if (s == INVALID_SOCKET || !is_socket(fd))
    return w32_wsa_fail(WSAENOTSOCK);
  struct w32_object *ev = events != 0 ? w32_event_of(event) : NULL;
  if (events != 0 && (ev == NULL || ((uintptr_t)event & 1u)))
    return w32_wsa_fail(WSAEINVAL);
  pthread_once(&es_once, es_init);
  if (epfd < 0)
    return w32_wsa_fail(WSAENOBUFS);
  struct es_sock *n = NULL;
  if (events != 0 && (n = calloc(1, sizeof(*n))) == NULL)
    return w32_wsa_fail(WSAENOBUFS);
  pthread_mutex_lock(&es_lock);
  if ((size_t)fd >= nsocks && events != 0) {
    size_t want = (size_t)fd + 64;
    struct es_sock **g = realloc(socks, want * sizeof(*g));
    if (g == NULL) {
      pthread_mutex_unlock(&es_lock);
      free(n);
      return w32_wsa_fail(WSAENOBUFS);
    }
    memset(g + nsocks, 0, (want - nsocks) * sizeof(*g));
    socks = g;
    nsocks = want;
  }
  /* A new selection replaces the old one and clears its record. */
  drop_locked(fd);
  if (n == NULL) {
    w32_fd_set_flags(fd, 0, W32_FD_EVENTSELECT);
    pthread_mutex_unlock(&es_lock);
    return 0;
  }
  pthread_mutex_lock(&w32_lock);
  w32_ref_locked(ev); /* the selection's */
  pthread_mutex_unlock(&w32_lock);
  n->gen = ++gens;
  n->event = (HANDLE)ev;
  n->mask = events;
  n->enabled = FD_READ | FD_WRITE | FD_ACCEPT | FD_CLOSE;
  enum state st = state_of(fd);
  if (st == S_IDLE || st == S_CONNECTING)
    n->enabled |= FD_CONNECT; /* its connect is still to come */
  socks[fd] = n;
  struct epoll_event e = {0};
  e.events = EPOLLONESHOT;
  e.data.u64 = ((uint64_t)n->gen << 32) | (uint32_t)fd;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) != 0) {
    socks[fd] = NULL;
    pthread_mutex_unlock(&es_lock);
    w32_unref(ev);
    free(n);
    return w32_wsa_fail(WSAENOBUFS);
  }
  /* "The WSAEventSelect function automatically sets socket s to
   * nonblocking mode." */
  w32_fd_set_flags(fd, W32_FD_NONBLOCK | W32_FD_EVENTSELECT, 0);
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0)
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  look(fd, n); /* what already holds is recorded now */
  pthread_mutex_unlock(&es_lock);
  return 0;
}

CPORT_API int WSAEnumNetworkEvents(SOCKET s, WSAEVENT event,
                                   LPWSANETWORKEVENTS out) {
  int fd = (int)s;
  if (out == NULL)
    return w32_wsa_fail(WSAEFAULT);
  if (s == INVALID_SOCKET || !is_socket(fd))
    return w32_wsa_fail(WSAENOTSOCK);
  if (event != NULL && w32_event_of(event) == NULL)
    return w32_wsa_fail(WSAEINVAL);
  pthread_mutex_lock(&es_lock);
  struct es_sock *sk = sock_of(fd);
  memset(out, 0, sizeof(*out));
  if (sk != NULL) {
    out->lNetworkEvents = sk->record;
    memcpy(out->iErrorCode, sk->errors, sizeof(out->iErrorCode));
    sk->record = 0;
    memset(sk->errors, 0, sizeof(sk->errors));
  }
  /* Under es_lock: a look that records next sets the event after this. */
  if (event != NULL)
    ResetEvent(event);
  if (sk != NULL)
    look(fd, sk); /* its next events, as they were enabled */
  pthread_mutex_unlock(&es_lock);
  return 0;
}

void w32_es_inherit(int listener, int accepted) {
  pthread_mutex_lock(&es_lock);
  struct es_sock *l = sock_of(listener);
  HANDLE event = l != NULL ? l->event : NULL;
  long mask = l != NULL ? l->mask : 0;
  if (event != NULL) { /* its slot stays this event's while we select */
    pthread_mutex_lock(&w32_lock);
    w32_ref_locked((struct w32_object *)event);
    pthread_mutex_unlock(&w32_lock);
  }
  pthread_mutex_unlock(&es_lock);
  /* The listener's selection may change meanwhile: the accepted socket
   * gets the one it had as the connection was accepted (none if the
   * program has closed that event since). */
  if (event == NULL)
    return;
  WSAEventSelect((SOCKET)accepted, event, mask);
  w32_unref((struct w32_object *)event);
}
