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
  const char *prog; /* for messages */
  const char *bind; /* servers: the address to listen on */
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
  double timeout;      /* seconds */
  double head_timeout; /* seconds to receive a whole request head */
  int max_conns;       /* connections a server keeps open at once */
  const char *from, *to;
  cport_backend_t backend;
  const char *backend_name;
  int skip_on_success; /* servers: associate connections with
                          CPORT_SKIP_ON_SUCCESS (0 or 1) */
};

/* Parses the flags every example understands; exits on a bad one. */
struct ex_args ex_parse(int argc, char **argv, const char *prog);
void ex_die(const char *what, int err);
/* fopen() for reading/writing plain files, without the MSVC deprecation
 * warning (fopen_s there). NULL on failure. */
FILE *ex_fopen(const char *path, const char *mode);
/* cport_create with a->backend; on failure says "PROG: backend B is not
 * available here: REASON" on stderr and exits 1 (the tests skip on it). */
cport_t *ex_port_create(const struct ex_args *a);

/* The accepting half of an IOCP-style server: a port of the chosen
 * backend, a listener on a->bind (IPv4 or IPv6, loopback by default) port
 * a->port associated with listener_key, and a->accepts accepts kept posted
 * on it (the worker re-posts each one it takes). Blocks the stop signals
 * first, since the port may start threads. Exits on error; a backend the
 * system refuses is reported as "backend B is not available here: ...". */
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

/* Add to a shared counter; returns the new value. A flag one thread sets
 * and others poll (ex_flag_set publishes what was written before it to
 * the thread whose ex_flag_get sees it). GCC/Clang builtins or MSVC
 * intrinsics: C11 <stdatomic.h> is not in every MSVC. */
typedef long ex_flag_t;
#if defined(_MSC_VER)
#  include <intrin.h>
#  define ex_count(p, n)                                            \
    ((uint64_t)_InterlockedExchangeAdd64((volatile long long *)(p), \
                                         (long long)(n)) +          \
     (n))
#  define ex_flag_set(p) ((void)_InterlockedExchange((volatile long *)(p), 1))
#  define ex_flag_get(p) (_InterlockedOr((volatile long *)(p), 0) != 0)
#else
#  define ex_count(p, n) __atomic_add_fetch((p), (n), __ATOMIC_RELAXED)
#  define ex_flag_set(p) __atomic_store_n((p), 1, __ATOMIC_RELEASE)
#  define ex_flag_get(p) (__atomic_load_n((p), __ATOMIC_ACQUIRE) != 0)
#endif

double ex_now(void); /* seconds, monotonic */
void ex_sleep_ms(unsigned ms);
int ex_cpu_count(void);

#endif
