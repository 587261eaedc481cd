/*
 * net.c - see net.h.
 */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>

cport_handle_t n_listener(cport_t *port, uintptr_t key,
                          struct sockaddr_in *addr) {
  cport_handle_t l;
  H_OK(cport_socket(AF_INET, SOCK_STREAM, 0, &l));
  int on = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
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

int n_raw_client(const struct sockaddr_in *addr) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(fd >= 0);
  assert_int_equal(connect(fd, (const struct sockaddr *)addr, sizeof(*addr)), 0);
  return fd;
}

static int accept_blocking(int l) {
  struct pollfd pfd = {l, POLLIN, 0};
  assert_int_equal(poll(&pfd, 1, 5000), 1);
  int fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
  assert_true(fd >= 0);
  return fd;
}

void n_pair(cport_t *port, cport_handle_t *a, uintptr_t ka, cport_handle_t *b,
            uintptr_t kb) {
  struct sockaddr_in addr;
  cport_handle_t l = n_listener(NULL, 0, &addr);
  H_OK(cport_socket(AF_INET, SOCK_STREAM, 0, a));
  int r = connect(*a, (struct sockaddr *)&addr, sizeof(addr));
  assert_true(r == 0 || errno == EINPROGRESS);
  *b = accept_blocking(l);
  struct pollfd pfd = {*a, POLLOUT, 0};
  assert_int_equal(poll(&pfd, 1, 5000), 1);
  H_OK(cport_associate(port, *a, ka, 0));
  H_OK(cport_associate(port, *b, kb, 0));
  H_OK(cport_closesocket(l));
}

void n_pair_raw(cport_t *port, cport_handle_t *s, uintptr_t key, int *raw) {
  struct sockaddr_in addr;
  cport_handle_t l = n_listener(NULL, 0, &addr);
  *raw = n_raw_client(&addr);
  *s = accept_blocking(l);
  H_OK(cport_associate(port, *s, key, 0));
  H_OK(cport_closesocket(l));
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

int n_read_all(int fd, void *buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = read(fd, (char *)buf + got, len - got);
    if (n <= 0)
      return -1;
    got += (size_t)n;
  }
  return 0;
}

void n_reset(int fd) {
  struct linger lg = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  close(fd);
}

size_t n_fill_sndbuf(int fd) {
  static char junk[65536];
  size_t total = 0;
  for (;;) {
    ssize_t n = send(fd, junk, sizeof(junk), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n <= 0)
      return total;
    total += (size_t)n;
  }
}

void n_raise_nofile(unsigned long n) {
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < n) {
    rl.rlim_cur = n < rl.rlim_max ? n : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}
