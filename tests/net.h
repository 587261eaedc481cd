/*
 * net.h - socket helpers for the suites, the same on Linux and Windows:
 * loopback listeners and connected TCP pairs of cport sockets, raw
 * blocking peers the test drives by hand, and byte patterns.
 */
#ifndef CPORT_TEST_NET_H
#define CPORT_TEST_NET_H

#include "harness.h"

#if defined(_WIN32)
#  include <winsock2.h>
#  include <ws2tcpip.h>
#else
#  include <arpa/inet.h>
#  include <netinet/in.h>
#  include <sys/socket.h>
#endif

/* A plain socket the test uses directly (an fd, or a SOCKET). */
typedef cport_handle_t n_sock_t;

/* A listening cport socket on 127.0.0.1 (ephemeral port), associated with
 * port under key unless port is NULL; *addr receives its address. */
cport_handle_t n_listener(cport_t *port, uintptr_t key,
                          struct sockaddr_in *addr);
/* A cport socket bound to 127.0.0.1 (ephemeral port) that does not listen:
 * a connect to *addr is refused, and no other socket takes the port while
 * it is open. */
cport_handle_t n_refusing(struct sockaddr_in *addr);
/* A plain blocking client connected to addr (not known to cport). */
n_sock_t n_raw_client(const struct sockaddr_in *addr);
/* Accept one connection, waiting for it; the result is blocking. */
n_sock_t n_accept(cport_handle_t listener);
/* A connected TCP pair of cport sockets: *a associated under ka, *b under
 * kb (b is the accepted side). */
void n_pair(cport_t *port, cport_handle_t *a, uintptr_t ka, cport_handle_t *b,
            uintptr_t kb);
/* A cport socket *s (associated under key) and its raw peer *raw. */
void n_pair_raw(cport_t *port, cport_handle_t *s, uintptr_t key, n_sock_t *raw);

/* A UDP cport socket bound to 127.0.0.1 (ephemeral port), associated
 * with port under key with these CPORT_* flags; *addr receives its
 * address. */
cport_handle_t n_udp(cport_t *port, uintptr_t key, struct sockaddr_in *addr,
                     unsigned flags);

/* Blocking I/O on a raw socket. */
int n_raw_send(n_sock_t s, const void *buf, size_t len);
int n_raw_recv(n_sock_t s, void *buf, size_t len);     /* one read */
int n_raw_recv_all(n_sock_t s, void *buf, size_t len); /* 0 on success */
void n_raw_close(n_sock_t s);
/* Abortive close: SO_LINGER {1, 0} then close -> RST. */
void n_reset(n_sock_t s);
/* Fill the kernel send buffer of a socket without blocking. */
size_t n_fill_sndbuf(n_sock_t s);
/* Raise the descriptor limit to at least n where there is one. */
void n_raise_nofile(unsigned long n);

/* Fill / check a deterministic pattern (seed distinguishes streams). */
void n_fill(void *buf, size_t len, uint64_t offset, uint32_t seed);
int n_check(const void *buf, size_t len, uint64_t offset, uint32_t seed);

#endif
