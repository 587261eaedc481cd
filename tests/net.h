/*
 * net.h - socket helpers for the suites: loopback listeners and connected
 * TCP pairs made of cport sockets, raw peers, and byte patterns.
 */
#ifndef CPORT_TEST_NET_H
#define CPORT_TEST_NET_H

#include "harness.h"

#include <netinet/in.h>
#include <sys/socket.h>

/* A listening cport socket on 127.0.0.1 (ephemeral port), associated with
 * port under key; *addr receives its address. */
cport_handle_t n_listener(cport_t *port, uintptr_t key, struct sockaddr_in *addr);
/* A plain blocking client connected to addr (not known to cport). */
int n_raw_client(const struct sockaddr_in *addr);
/* A connected TCP pair of cport sockets: *a associated under ka, *b under
 * kb (b is the accepted side). */
void n_pair(cport_t *port, cport_handle_t *a, uintptr_t ka, cport_handle_t *b,
            uintptr_t kb);
/* Like n_pair but *raw is a plain blocking fd the test drives by hand. */
void n_pair_raw(cport_t *port, cport_handle_t *s, uintptr_t key, int *raw);
/* Fill / check a deterministic pattern (seed distinguishes streams). */
void n_fill(void *buf, size_t len, uint64_t offset, uint32_t seed);
int n_check(const void *buf, size_t len, uint64_t offset, uint32_t seed);
/* Read exactly len bytes from a blocking fd (0 on success). */
int n_read_all(int fd, void *buf, size_t len);
/* Abortive close: SO_LINGER {1, 0} then close -> RST. */
void n_reset(int fd);
/* Fill the kernel send buffer of a non-blocking socket. */
size_t n_fill_sndbuf(int fd);
/* Raise RLIMIT_NOFILE's soft limit to at least n (or the hard limit). */
void n_raise_nofile(unsigned long n);

#endif
