/*
 * example-util.h - what the examples share: argument parsing, a listening
 * socket, threads, a mutex, the stop signal, and a clock. Portable between
 * Linux and Windows so the same example sources build on both.
 */
#ifndef CPORT_EXAMPLE_UTIL_H
#define CPORT_EXAMPLE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cport.h"

#if defined(_WIN32)
#  include <winsock2.h>
#  include <ws2tcpip.h>
#  include <windows.h>
typedef HANDLE ex_thread_t;
typedef CRITICAL_SECTION ex_mutex_t;
#else
#  include <arpa/inet.h>
#  include <netinet/in.h>
#  include <pthread.h>
#  include <sys/socket.h>
typedef pthread_t ex_thread_t;
typedef pthread_mutex_t ex_mutex_t;
#endif

struct ex_args {
  int port;
  int threads;
  int accepts;
  int buffer;
  const char *host;
  int connections;
  int size;
  int depth;
  double seconds;
  const char *root;
  double timeout;     /* seconds */
  const char *from, *to;
  cport_backend_t backend;
  const char *backend_name;
};

/* Parses the flags every example understands; exits on a bad one. */
struct ex_args ex_parse(int argc, char **argv, const char *prog);
void ex_die(const char *what, int err);
/* fopen() for reading/writing plain files, without the MSVC deprecation
 * warning (fopen_s there). NULL on failure. */
FILE *ex_fopen(const char *path, const char *mode);

/* The accepting half of an IOCP-style server: a port of the chosen
 * backend, a listener on 0.0.0.0:a->port associated with listener_key, and
 * a->accepts accepts kept posted on it (the worker re-posts each one it
 * takes). Blocks the stop signals first, since the port may start threads.
 * Exits on error. */
struct ex_server {
  cport_t *port;
  cport_handle_t listener;
  cport_op_t *accepts;
};
void ex_server_open(struct ex_server *s, const struct ex_args *a,
                    uintptr_t listener_key);
/* Runs `threads` workers fn(arg) until SIGINT/SIGTERM, then posts quit_key
 * once per worker and joins them all. */
void ex_server_run(struct ex_server *s, int threads, void *(*fn)(void *),
                   void *arg, uintptr_t quit_key);
/* Closes the port (pending operations are dropped with it) and the
 * listener; copies the backend name into backend[size] first. */
void ex_server_close(struct ex_server *s, char *backend, size_t size);
/* IPv4 address of host:port. */
int ex_resolve(const char *host, int port, struct sockaddr_in *out);

void ex_thread_start(ex_thread_t *t, void *(*fn)(void *), void *arg);
void ex_thread_join(ex_thread_t t);
void ex_mutex_init(ex_mutex_t *m);
void ex_mutex_destroy(ex_mutex_t *m);
void ex_mutex_lock(ex_mutex_t *m);
void ex_mutex_unlock(ex_mutex_t *m);

/* Call before starting threads; then ex_wait_stop_signal() returns on
 * SIGINT or SIGTERM (Ctrl-C / close on Windows). */
void ex_block_stop_signals(void);
void ex_wait_stop_signal(void);

/* Add to a shared counter; returns the new value. */
#if defined(_MSC_VER)
#  include <intrin.h>
#  define ex_count(p, n)                                                   \
    ((uint64_t)_InterlockedExchangeAdd64((volatile long long *)(p),        \
                                         (long long)(n)) + (n))
#else
#  define ex_count(p, n) __atomic_add_fetch((p), (n), __ATOMIC_RELAXED)
#endif

double ex_now(void);          /* seconds, monotonic */
void ex_sleep_ms(unsigned ms);
int ex_cpu_count(void);

#endif
