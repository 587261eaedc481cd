/*
 * net.c - see net.h.
 */
#include "net.h"

#include <errno.h>

#if defined(_WIN32)
static void set_blocking(n_sock_t s, int blocking) {
  u_long nb = !blocking;
  /* FIONBIO is an unsigned constant above LONG_MAX; the parameter is a
   * long (the same bits). */
  ioctlsocket((SOCKET)s, (long)FIONBIO, &nb);
}
#else
#  include <fcntl.h>
#  include <poll.h>
#  include <sys/resource.h>
#  include <unistd.h>
static void set_blocking(n_sock_t s, int blocking) {
  int fl = fcntl(s, F_GETFL);
  fcntl(s, F_SETFL, blocking ? fl & ~O_NONBLOCK : fl | O_NONBLOCK);
}
#endif

/* Wait until s is readable (select works for both). */
static void wait_readable(n_sock_t s) {
  fd_set r;
  FD_ZERO(&r);
  FD_SET(s, &r);
  struct timeval tv = {5, 0};
  assert_int_equal(select((int)s + 1, &r, NULL, NULL, &tv), 1);
}

cport_handle_t n_listener(cport_t *port, uintptr_t key,
                          struct sockaddr_in *addr) {
  cport_handle_t l;
  H_OK(cport_socket(AF_INET, SOCK_STREAM, 0, &l));
  int on = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, (const char *)&on, sizeof(on));
  struct sockaddr_in a;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(listen(l, 1024), 0);
  socklen_t len = sizeof(*addr);
  assert_int_equal(getsockname(l, (struct sockaddr *)addr, &len), 0);
  if (port)
    H_OK(cport_associate(port, l, key, 0));
  return l;
}

cport_handle_t n_refusing(struct sockaddr_in *addr) {
  cport_handle_t r;
  H_OK(cport_socket(AF_INET, SOCK_STREAM, 0, &r));
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(r, (struct sockaddr *)addr, sizeof(*addr)), 0);
  socklen_t len = sizeof(*addr);
  assert_int_equal(getsockname(r, (struct sockaddr *)addr, &len), 0);
  return r;
}

n_sock_t n_raw_client(const struct sockaddr_in *addr) {
  n_sock_t s = (n_sock_t)socket(AF_INET, SOCK_STREAM, 0);
  assert_true(s != CPORT_INVALID_HANDLE);
  assert_int_equal(connect(s, (const struct sockaddr *)addr, sizeof(*addr)), 0);
  return s;
}

n_sock_t n_accept(cport_handle_t l) {
  wait_readable(l);
  n_sock_t s = (n_sock_t)accept(l, NULL, NULL);
  assert_true(s != CPORT_INVALID_HANDLE);
  set_blocking(s, 1);
  return s;
}

void n_pair(cport_t *port, cport_handle_t *a, uintptr_t ka, cport_handle_t *b,
            uintptr_t kb) {
  struct sockaddr_in addr;
  cport_handle_t l = n_listener(NULL, 0, &addr);
  H_OK(cport_socket(AF_INET, SOCK_STREAM, 0, a));
  set_blocking(*a, 1);
  assert_int_equal(connect(*a, (struct sockaddr *)&addr, sizeof(addr)), 0);
  *b = n_accept(l);
  H_OK(cport_associate(port, *a, ka, 0));
  H_OK(cport_associate(port, *b, kb, 0));
  H_OK(cport_closesocket(l));
}

cport_handle_t n_udp(cport_t *port, uintptr_t key, struct sockaddr_in *addr,
                     unsigned flags) {
  cport_handle_t u;
  H_OK(cport_socket(AF_INET, SOCK_DGRAM, 0, &u));
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(u, (struct sockaddr *)addr, sizeof(*addr)), 0);
  socklen_t len = sizeof(*addr);
  getsockname(u, (struct sockaddr *)addr, &len);
  H_OK(cport_associate(port, u, key, flags));
  return u;
}

void n_pair_raw(cport_t *port, cport_handle_t *s, uintptr_t key,
                n_sock_t *raw) {
  struct sockaddr_in addr;
  cport_handle_t l = n_listener(NULL, 0, &addr);
  *raw = n_raw_client(&addr);
  *s = n_accept(l);
  H_OK(cport_associate(port, *s, key, 0));
  H_OK(cport_closesocket(l));
}

int n_raw_send(n_sock_t s, const void *buf, size_t len) {
  return (int)send(s, (const char *)buf, (int)len, 0);
}

int n_raw_recv(n_sock_t s, void *buf, size_t len) {
  return (int)recv(s, (char *)buf, (int)len, 0);
}

int n_raw_recv_all(n_sock_t s, void *buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    int n = n_raw_recv(s, (char *)buf + got, len - got);
    if (n <= 0)
      return -1;
    got += (size_t)n;
  }
  return 0;
}

void n_raw_close(n_sock_t s) {
#if defined(_WIN32)
  closesocket((SOCKET)s);
#else
  close(s);
#endif
}

void n_reset(n_sock_t s) {
  struct linger lg = {1, 0};
  setsockopt(s, SOL_SOCKET, SO_LINGER, (const char *)&lg, sizeof(lg));
  n_raw_close(s);
}

size_t n_fill_sndbuf(n_sock_t s) {
  static char junk[65536];
  size_t total = 0;
  set_blocking(s, 0);
  for (;;) {
    int n = (int)send(s, junk, sizeof(junk), 0);
    if (n <= 0)
      break;
    total += (size_t)n;
  }
#if !defined(_WIN32)
  /* cport's own sockets stay non-blocking on Linux. */
  return total;
#else
  set_blocking(s, 1);
  return total;
#endif
}

void n_raise_nofile(unsigned long n) {
#if defined(_WIN32)
  (void)n; /* no descriptor limit to raise */
#else
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < n) {
    rl.rlim_cur = n < rl.rlim_max ? n : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
#endif
}

static uint8_t pattern_byte(uint64_t i, uint32_t seed) {
  uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ seed;
  return (uint8_t)(x >> 56 ^ x >> 17 ^ i);
}

void n_fill(void *buf, size_t len, uint64_t offset, uint32_t seed) {
  uint8_t *p = buf;
  for (size_t i = 0; i < len; i++)
    p[i] = pattern_byte(offset + i, seed);
}

int n_check(const void *buf, size_t len, uint64_t offset, uint32_t seed) {
  const uint8_t *p = buf;
  for (size_t i = 0; i < len; i++)
    if (p[i] != pattern_byte(offset + i, seed))
      return -1;
  return 0;
}
