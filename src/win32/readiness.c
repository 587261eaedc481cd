/*
 * readiness.c - select and WSAPoll: a socket's readiness as Winsock
 * reports it.
 *
 * Both wait with poll(), and add what the kernel's answer alone gets
 * wrong for a Windows program:
 *
 * - Bytes cport already took from a socket (io_uring's multishot receive
 *   reads ahead of the program's receives) are readable, as they are to
 *   recv, and so is the peer's end or an error cport kept after them
 *   (cport__held_look). The first look also stops cport reading that
 *   socket ahead, so its later bytes wake poll() as usual; while cport's
 *   own receive may still take some, the wait looks again every
 *   millisecond.
 * - A non-blocking connect's outcome: select reports a failed one in
 *   exceptfds only (Linux puts it in readfds and writefds) and keeps the
 *   error it read for the program's getsockopt(SO_ERROR); WSAPoll reports
 *   it as POLLERR | POLLHUP.
 * - WSAPoll's flags mean what Windows' do with Linux's values: POLLIN is
 *   POLLRDNORM | POLLRDBAND and POLLOUT is POLLWRNORM, so either name
 *   finds the answer; the peer's end is POLLHUP; POLLPRI is refused.
 *
 * select (cport_w32_select) takes Winsock's fd_set, a count and an array
 * of sockets. The C library's select, over its own fd_set, is defined in
 * front of the C library's too (bsd.c explains why), for programs built
 * against the 0.1 header; for a descriptor that is not one of cport's
 * sockets it answers as Linux's select does.
 */
#include <poll.h>
#include <stdlib.h>
#include <sys/select.h>

#include "win32.h"

/* ------------------------------------------------------------------------ */
/* The wait                                                                  */
/* ------------------------------------------------------------------------ */

/* The deadline of a wait in nanoseconds of CLOCK_MONOTONIC; -1: none. */
static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* What cport holds for the read-interested entries, as poll bits in
 * held[i] (0 for the rest). Returns how many entries it makes ready; sets
 * *soon if cport may still take a socket's next bytes. */
static int held_ready(const struct pollfd *fds, nfds_t n, short *held,
                      bool *soon) {
  int ready = 0;
  for (nfds_t i = 0; i < n; i++) {
    held[i] = 0;
    if (fds[i].fd < 0 || !(fds[i].events & POLLIN))
      continue;
    int err = 0;
    unsigned b = cport__held_look(fds[i].fd, &err);
    if (b & CPORT__HELD_SOON)
      *soon = true;
    if (b & CPORT__HELD_DATA)
      held[i] |= POLLIN;
    if (b & CPORT__HELD_END)
      held[i] |= (short)(POLLIN | POLLRDHUP | (err != 0 ? POLLHUP : 0));
    if (held[i] != 0)
      ready++;
  }
  return ready;
}

/*
 * poll() with the bytes cport holds counted as readable: POLLIN (and
 * POLLRDHUP for the peer's end after them) in revents of an entry that
 * asked for POLLIN. timeout_ns -1: no limit. Returns poll's count, or -1
 * with errno (EINTR included, as poll).
 */
static int wait_ready(struct pollfd *fds, nfds_t n, int64_t timeout_ns) {
  short small[64];
  short *held = n <= 64 ? small : malloc(n * sizeof(*held));
  if (held == NULL) {
    errno = ENOMEM;
    return -1;
  }
  int64_t until = timeout_ns > 0 ? now_ns() + timeout_ns : timeout_ns;
  int rc;
  for (;;) {
    bool soon = false;
    int ready = held_ready(fds, n, held, &soon);
    int64_t left = until < 0 ? -1 : until == 0 ? 0 : until - now_ns();
    if (left < 0 && until >= 0)
      left = 0;
    if (ready > 0)
      left = 0;
    else if (soon && (left < 0 || left > 1000000))
      left = 1000000; /* cport's receive stops within a CQE: look again */
    struct timespec ts = {(time_t)(left / 1000000000),
                          (long)(left % 1000000000)};
    rc = ppoll(fds, n, left < 0 ? NULL : &ts, NULL);
    if (rc < 0)
      break;
    if (ready > 0) {
      rc = 0;
      for (nfds_t i = 0; i < n; i++) {
        fds[i].revents |= (short)(held[i] & (fds[i].events | POLLHUP));
        rc += fds[i].revents != 0;
      }
    }
    if (rc > 0 || !soon || (until >= 0 && now_ns() >= until))
      break;
  }
  if (held != small)
    free(held);
  return rc;
}

/* A socket whose non-blocking connect has no outcome yet. */
static bool connecting(int fd) {
  return fd >= 0 && (w32_fd_flags(fd) & W32_FD_CONNECTING);
}

/* ------------------------------------------------------------------------ */
/* select                                                                    */
/* ------------------------------------------------------------------------ */

/* Linux select's meaning of poll's bits. */
#define SEL_READ (POLLIN | POLLHUP | POLLERR)
#define SEL_WRITE (POLLOUT | POLLERR)
#define SEL_EXCEPT POLLPRI

static int select_failed(int e) {
  WSASetLastError(w32_wsa_error(-e));
  errno = e;
  return -1;
}

/* One descriptor of a select: the sets that name it (bit k for readfds,
 * writefds, exceptfds) and, after the wait, those it is ready for. */
struct sel {
  int fd;
  unsigned char asked, got;
};

#define SEL_SMALL 64

/*
 * The wait both selects share, over s[0..n): sets each entry's got and
 * returns how many (descriptor, set) pairs are ready, or -1 with errno
 * and WSAGetLastError() set. A connecting socket in writefds or exceptfds
 * is watched for its outcome: connected is writable; failed is
 * exceptional only, its error kept for getsockopt(SO_ERROR).
 */
static int select_wait(struct sel *s, size_t n, const struct timeval *t) {
  if (t != NULL && (t->tv_sec < 0 || t->tv_usec < 0))
    return select_failed(EINVAL);
  /* "Any two of the parameters ... can be NULL, but at least one must
   * be non-NULL, and any non-NULL descriptor set must contain at least
   * one handle to a socket": WSAEINVAL otherwise. */
  if (n == 0)
    return w32_wsa_fail(WSAEINVAL);
  struct pollfd small[SEL_SMALL];
  struct pollfd *fds = n <= SEL_SMALL ? small : malloc(n * sizeof(*fds));
  if (fds == NULL)
    return select_failed(ENOMEM);
  for (size_t i = 0; i < n; i++) {
    short ev = 0;
    if (s[i].asked & 1)
      ev |= POLLIN;
    if (s[i].asked & 2)
      ev |= POLLOUT;
    if (s[i].asked & 4)
      ev |= (short)(POLLPRI | (connecting(s[i].fd) ? POLLOUT : 0));
    fds[i] = (struct pollfd){s[i].fd, ev, 0};
  }
  /* Winsock leaves the caller's TIMEVAL as it was (Linux counts it down). */
  int64_t ns =
      t == NULL ? -1
                : (int64_t)t->tv_sec * 1000000000 + (int64_t)t->tv_usec * 1000;
  if (ns != 0)
    w32_block_begin();
  int rc = wait_ready(fds, (nfds_t)n, ns);
  int err = errno;
  if (ns != 0)
    w32_block_end();
  for (size_t i = 0; rc >= 0 && i < n; i++)
    if (fds[i].revents & POLLNVAL)
      err = EBADF, rc = -1;
  if (rc < 0) {
    if (fds != small)
      free(fds);
    return select_failed(err);
  }
  rc = 0;
  for (size_t i = 0; i < n; i++) {
    short rv = fds[i].revents;
    unsigned a = s[i].asked;
    unsigned got = ((rv & SEL_READ) ? 1u : 0u) | ((rv & SEL_WRITE) ? 2u : 0u) |
                   ((rv & SEL_EXCEPT) ? 4u : 0u);
    if ((a & 6) && connecting(s[i].fd) &&
        (rv & (POLLOUT | POLLERR | POLLHUP))) {
      int so = 0;
      socklen_t sl = sizeof(so);
      getsockopt(s[i].fd, SOL_SOCKET, SO_ERROR, &so, &sl);
      w32_fd_connect_outcome(s[i].fd, -so, true);
      if (so != 0)
        got = 4;
    }
    s[i].got = (unsigned char)(got & a);
    rc += (s[i].got & 1) + ((s[i].got >> 1) & 1) + ((s[i].got >> 2) & 1);
  }
  if (fds != small)
    free(fds);
  return rc;
}

/* The C library's select, for programs built against the layer's 0.1
 * header (whose fd_set was the C library's): Winsock ignores nfds and
 * Windows code passes 0, so then the sets say which descriptors (a caller
 * passing nfds is taken at its word: its sets may be smaller than
 * FD_SETSIZE). */
CPORT_API int select(int nfds, fd_set *r, fd_set *w, fd_set *e,
                     struct timeval *t) {
  if (nfds > FD_SETSIZE)
    nfds = FD_SETSIZE;
  fd_set *sets[3] = {r, w, e};
  int top = nfds;
  for (int i = 0; i < 3 && nfds <= 0; i++)
    for (int fd = FD_SETSIZE - 1; sets[i] != NULL && fd >= top; fd--)
      if (FD_ISSET(fd, sets[i])) {
        top = fd + 1;
        break;
      }
  struct sel small[SEL_SMALL];
  struct sel *s = small;
  size_t n = 0;
  for (int fd = 0; fd < top; fd++) {
    unsigned char asked = 0;
    for (int k = 0; k < 3; k++)
      if (sets[k] != NULL && FD_ISSET(fd, sets[k]))
        asked |= (unsigned char)(1u << k);
    if (asked == 0)
      continue;
    if (s == small && n == SEL_SMALL) {
      s = malloc((size_t)top * sizeof(*s));
      if (s == NULL)
        return select_failed(ENOMEM);
      memcpy(s, small, sizeof(small));
    }
    s[n++] = (struct sel){fd, asked, 0};
  }
  int rc = select_wait(s, n, t);
  for (int k = 0; rc >= 0 && k < 3; k++)
    if (sets[k] != NULL) {
      FD_ZERO(sets[k]);
      for (size_t i = 0; i < n; i++)
        if (s[i].got & (1u << k))
          FD_SET(s[i].fd, sets[k]);
    }
  if (s != small)
    free(s);
  return rc;
}

/* Winsock's fd_set as the program's header lays it out (winsock-types.h):
 * the count, then as many sockets as its FD_SETSIZE, read up to the
 * count. */
struct cport_w32_fd_set {
  u_int fd_count;
  SOCKET fd_array[];
};

CPORT_API int __WSAFDIsSet(SOCKET s, struct cport_w32_fd_set *set) {
  if (set == NULL)
    return 0;
  for (u_int i = 0; i < set->fd_count; i++)
    if (set->fd_array[i] == s)
      return 1;
  return 0;
}

static int sel_by_fd(const void *a, const void *b) {
  int x = ((const struct sel *)a)->fd, y = ((const struct sel *)b)->fd;
  return (x > y) - (x < y);
}

/* The entry of fd in s[0..n), sorted by fd. */
static struct sel *sel_find(struct sel *s, size_t n, int fd) {
  struct sel key = {fd, 0, 0};
  return bsearch(&key, s, n, sizeof(*s), sel_by_fd);
}

CPORT_API int cport_w32_select(int nfds, struct cport_w32_fd_set *r,
                               struct cport_w32_fd_set *w,
                               struct cport_w32_fd_set *e,
                               const struct timeval *t) {
  (void)nfds; /* "Ignored. The nfds parameter is included only for
                 compatibility with Berkeley sockets." */
  struct cport_w32_fd_set *sets[3] = {r, w, e};
  size_t total = 0;
  for (int k = 0; k < 3; k++)
    total += sets[k] != NULL ? sets[k]->fd_count : 0;
  struct sel small[SEL_SMALL];
  struct sel *s = total <= SEL_SMALL ? small : malloc(total * sizeof(*s));
  if (s == NULL)
    return select_failed(ENOMEM);
  /* Every (socket, set) pair, then one entry per socket. */
  size_t n = 0;
  int rc = 0;
  for (int k = 0; k < 3; k++)
    for (u_int i = 0; sets[k] != NULL && i < sets[k]->fd_count; i++) {
      SOCKET sock = sets[k]->fd_array[i];
      if (sock > (SOCKET)INT32_MAX)
        rc = w32_wsa_fail(WSAENOTSOCK); /* INVALID_SOCKET, or no fd */
      s[n++] = (struct sel){(int)sock, (unsigned char)(1u << k), 0};
    }
  if (rc == 0) {
    qsort(s, n, sizeof(*s), sel_by_fd);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
      if (m > 0 && s[m - 1].fd == s[i].fd)
        s[m - 1].asked |= s[i].asked;
      else
        s[m++] = s[i];
    }
    n = m;
    /* "WSAENOTSOCK: One of the descriptor sets contains an entry that is
     * not a socket." */
    for (size_t i = 0; rc == 0 && i < n; i++)
      if (!w32_is_socket(s[i].fd))
        rc = w32_wsa_fail(WSAENOTSOCK);
    if (rc == 0)
      rc = select_wait(s, n, t);
  }
  for (int k = 0; rc >= 0 && k < 3; k++) {
    if (sets[k] == NULL)
      continue;
    u_int kept = 0;
    for (u_int i = 0; i < sets[k]->fd_count; i++) {
      SOCKET sock = sets[k]->fd_array[i];
      struct sel *x = sel_find(s, n, (int)sock);
      if (x != NULL && (x->got & (1u << k))) {
        sets[k]->fd_array[kept++] = sock;
        x->got &= (unsigned char)~(1u << k); /* once, as counted */
      }
    }
    sets[k]->fd_count = kept;
  }
  if (s != small)
    free(s);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* WSAPoll                                                                   */
/* ------------------------------------------------------------------------ */

#define WANT_READ (POLLIN | POLLRDNORM | POLLRDBAND)
#define WANT_WRITE (POLLOUT | POLLWRNORM | POLLWRBAND)

/* What poll() said for one entry, in Windows' terms (see the top). */
static short wsa_revents(int fd, short asked, short rv) {
  if (rv & POLLNVAL)
    return POLLNVAL;
  if (connecting(fd) && (rv & (POLLOUT | POLLERR | POLLHUP))) {
    if (rv & POLLERR) { /* failed: its error stays for SO_ERROR */
      w32_fd_set_flags(fd, 0, W32_FD_CONNECTING);
      return POLLERR | POLLHUP;
    }
    w32_fd_connect_outcome(fd, 0, false);
  }
  short out = (short)(rv & (POLLERR | POLLHUP));
  if (rv & POLLRDHUP)
    out |= POLLHUP; /* "the remote peer initiates a graceful disconnect" */
  if ((rv & (POLLIN | POLLRDNORM | POLLHUP | POLLERR)) &&
      (asked & (POLLIN | POLLRDNORM)))
    out |= POLLIN | POLLRDNORM;
  if ((rv & (POLLRDBAND | POLLPRI)) && (asked & POLLRDBAND))
    out |= POLLRDBAND;
  if ((rv & POLLOUT) && (asked & (POLLOUT | POLLWRNORM)))
    out |= POLLOUT | POLLWRNORM;
  if ((rv & POLLWRBAND) && (asked & POLLWRBAND))
    out |= POLLWRBAND;
  return out;
}

/* An entry's descriptor for poll(): -1 for one WSAPoll leaves out (a
 * negative SOCKET, INVALID_SOCKET among them); INT_MAX, which poll()
 * reports as POLLNVAL, for a value no descriptor has. */
static int entry_fd(SOCKET s) {
  if ((intptr_t)s < 0)
    return -1;
  return s > (SOCKET)INT_MAX ? INT_MAX : (int)s;
}

CPORT_API int WSAPoll(LPWSAPOLLFD fds, ULONG n, INT ms) {
  if (fds == NULL && n > 0)
    return w32_wsa_fail(WSAEFAULT);
  /* "If the POLLPRI flag is set on a socket for the Microsoft Winsock
   * provider, the WSAPoll function will fail"; and with no socket at all
   * there is nothing valid to poll. */
  bool any = false;
  for (ULONG i = 0; i < n; i++) {
    if (entry_fd(fds[i].fd) >= 0 && (fds[i].events & POLLPRI))
      return w32_wsa_fail(WSAEINVAL);
    any = any || entry_fd(fds[i].fd) >= 0;
  }
  if (!any)
    return w32_wsa_fail(WSAEINVAL);
  struct pollfd small[16];
  struct pollfd *in = n <= 16 ? small : malloc(n * sizeof(*in));
  if (in == NULL)
    return w32_wsa_fail(WSAENOBUFS);
  for (ULONG i = 0; i < n; i++) {
    int fd = entry_fd(fds[i].fd);
    short ev = fds[i].events, want = 0;
    if (ev & WANT_READ)
      want |= POLLIN | POLLRDHUP | (ev & POLLRDBAND ? POLLPRI : 0);
    if (ev & WANT_WRITE)
      want |= (short)(POLLOUT | (ev & POLLWRBAND));
    if (fd >= 0 && connecting(fd))
      want |= POLLOUT; /* its outcome */
    in[i] = (struct pollfd){fd, want, 0};
  }
  if (ms != 0)
    w32_block_begin();
  int rc;
  while ((rc = wait_ready(in, (nfds_t)n, ms < 0 ? -1 : (int64_t)ms * 1000000)) <
             0 &&
         errno == EINTR)
    ;
  int err = errno;
  if (ms != 0)
    w32_block_end();
  if (rc < 0) {
    if (in != small)
      free(in);
    return w32_wsa_errno(err);
  }
  rc = 0;
  int valid = 0;
  for (ULONG i = 0; i < n; i++) {
    int fd = in[i].fd;
    fds[i].revents = fd < 0 ? 0 : wsa_revents(fd, fds[i].events, in[i].revents);
    rc += fds[i].revents != 0;
    valid += fd >= 0 && !(fds[i].revents & POLLNVAL);
  }
  if (in != small)
    free(in);
  /* WSAEINVAL "if none of the sockets specified ... were valid". */
  return valid == 0 ? w32_wsa_fail(WSAEINVAL) : rc;
}
