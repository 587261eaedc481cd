/*
 * example-util.c - see example-util.h.
 */
#include "example-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(_WIN32)
#  include <errno.h>
#  include <netdb.h>
#  include <signal.h>
#  include <time.h>
#  include <unistd.h>
#endif

void ex_die(const char *what, int err) {
  fprintf(stderr, "%s: %s (%s)\n", what, cport_strerror(err),
          cport_err_name(err));
  exit(1);
}

FILE *ex_fopen(const char *path, const char *mode) {
#if defined(_MSC_VER)
  FILE *f = NULL;
  return fopen_s(&f, path, mode) == 0 ? f : NULL;
#else
  return fopen(path, mode);
#endif
}

static void usage(const char *prog) {
  fprintf(stderr,
          "usage: %s [--bind ADDR] [--port N] [--threads N] [--accepts N]\n"
          "          [--buffer N] [--host H] [--connections N] [--size N]\n"
          "          [--depth N] [--seconds S] [--root DIR] [--timeout S]\n"
          "          [--head-timeout S] [--max-conns N] [--from F] [--to F]\n"
          "          [--backend io_uring|epoll|iocp] [--skip-on-success 0|1]\n"
          "  --bind ADDR  servers listen on ADDR, IPv4 or IPv6 (default\n"
          "               127.0.0.1: loopback only; 0.0.0.0 or :: for all)\n",
          prog);
  exit(2);
}

struct ex_args ex_parse(int argc, char **argv, const char *prog) {
  struct ex_args a;
  memset(&a, 0, sizeof(a));
  a.prog = prog;
  a.bind = "127.0.0.1";
  a.port = 7000;
  a.threads = ex_cpu_count();
  a.accepts = 16;
  a.buffer = 16384;
  a.host = "127.0.0.1";
  a.connections = 64;
  a.size = 64;
  a.depth = 1;
  a.seconds = 5;
  a.root = ".";
  a.timeout = 10;
  a.head_timeout = 10;
  a.max_conns = 512;
  a.backend = CPORT_BACKEND_AUTO;
  a.backend_name = "auto";
  for (int i = 1; i < argc; i++) {
    const char *k = argv[i];
    if (strcmp(k, "--help") == 0 || strcmp(k, "-h") == 0)
      usage(prog);
    if (i + 1 >= argc)
      usage(prog);
    const char *v = argv[++i];
    if (strcmp(k, "--bind") == 0)
      a.bind = v;
    else if (strcmp(k, "--port") == 0)
      a.port = atoi(v);
    else if (strcmp(k, "--threads") == 0)
      a.threads = atoi(v);
    else if (strcmp(k, "--accepts") == 0)
      a.accepts = atoi(v);
    else if (strcmp(k, "--buffer") == 0)
      a.buffer = atoi(v);
    else if (strcmp(k, "--host") == 0)
      a.host = v;
    else if (strcmp(k, "--connections") == 0)
      a.connections = atoi(v);
    else if (strcmp(k, "--size") == 0)
      a.size = atoi(v);
    else if (strcmp(k, "--depth") == 0)
      a.depth = atoi(v);
    else if (strcmp(k, "--seconds") == 0)
      a.seconds = atof(v);
    else if (strcmp(k, "--root") == 0)
      a.root = v;
    else if (strcmp(k, "--timeout") == 0)
      a.timeout = atof(v);
    else if (strcmp(k, "--head-timeout") == 0)
      a.head_timeout = atof(v);
    else if (strcmp(k, "--max-conns") == 0)
      a.max_conns = atoi(v);
    else if (strcmp(k, "--from") == 0)
      a.from = v;
    else if (strcmp(k, "--to") == 0)
      a.to = v;
    else if (strcmp(k, "--skip-on-success") == 0)
      a.skip_on_success = atoi(v);
    else if (strcmp(k, "--backend") == 0) {
      a.backend_name = v;
      if (strcmp(v, "io_uring") == 0)
        a.backend = CPORT_BACKEND_URING;
      else if (strcmp(v, "epoll") == 0)
        a.backend = CPORT_BACKEND_EPOLL;
      else if (strcmp(v, "iocp") == 0)
        a.backend = CPORT_BACKEND_IOCP;
      else if (strcmp(v, "auto") != 0)
        usage(prog);
    } else
      usage(prog);
  }
  if (a.port <= 0 || a.port > 65535 || a.threads <= 0 || a.accepts <= 0 ||
      a.buffer <= 0 || a.connections <= 0 || a.size <= 0 || a.depth <= 0 ||
      a.seconds <= 0 || a.timeout <= 0 || a.timeout > 86400 ||
      a.head_timeout <= 0 || a.head_timeout > 86400 || a.max_conns <= 0 ||
      (a.skip_on_success != 0 && a.skip_on_success != 1))
    usage(prog);
  return a;
}

/* ADDR (IPv4 dotted or IPv6) and port as a socket address. */
static int parse_bind(const char *addr, int port, struct sockaddr_storage *ss,
                      int *len) {
  memset(ss, 0, sizeof(*ss));
  struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    *len = (int)sizeof(*v4);
    return 0;
  }
  if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    *len = (int)sizeof(*v6);
    return 0;
  }
  return CPORT_EINVAL;
}

static int last_socket_error(void) {
#if defined(_WIN32)
  return WSAGetLastError();
#else
  return errno;
#endif
}

/* A listening socket on addr:port; exits with the reason if there is none. */
static cport_handle_t listen_on(const struct ex_args *a) {
  struct sockaddr_storage ss;
  int len;
  if (parse_bind(a->bind, a->port, &ss, &len) != 0) {
    fprintf(stderr, "%s: --bind %s is not an IPv4 or IPv6 address\n", a->prog,
            a->bind);
    exit(2);
  }
  cport_handle_t s;
  int rc = cport_socket(ss.ss_family, SOCK_STREAM, 0, &s);
  if (rc != 0)
    ex_die("socket", rc);
  int on = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, (const char *)&on, sizeof(on));
  if (bind(s, (struct sockaddr *)&ss, len) != 0 || listen(s, 1024) != 0) {
    int err = last_socket_error();
    fprintf(stderr, "%s: cannot listen on %s port %d (system error %d)\n",
            a->prog, a->bind, a->port, err);
    exit(1);
  }
  return s;
}

cport_t *ex_port_create(const struct ex_args *a) {
  cport_options_t o;
  memset(&o, 0, sizeof(o));
  o.backend = a->backend;
  cport_t *port = NULL;
  int rc = cport_create(&port, &o);
  if (rc != 0) {
    fprintf(stderr, "%s: backend %s is not available here: %s (%s)\n", a->prog,
            a->backend_name, cport_strerror(rc), cport_err_name(rc));
    exit(1);
  }
  return port;
}

void ex_server_open(struct ex_server *s, const struct ex_args *a,
                    uintptr_t listener_key) {
  ex_block_stop_signals();
  s->port = ex_port_create(a);
  s->listener = listen_on(a);
  int rc = cport_associate(s->port, s->listener, listener_key, 0);
  if (rc != 0)
    ex_die("cport_associate", rc);
  s->accepts = calloc((size_t)a->accepts, sizeof(cport_op_t));
  if (s->accepts == NULL)
    ex_die("calloc", CPORT_ENOMEM);
  for (int i = 0; i < a->accepts; i++)
    if ((rc = cport_accept(s->listener, NULL, 0, &s->accepts[i])) != 0)
      ex_die("cport_accept", rc);
}

void ex_server_run(struct ex_server *s, int threads, void *(*fn)(void *),
                   void *arg, uintptr_t quit_key) {
  ex_thread_t *t = calloc((size_t)threads, sizeof(*t));
  if (t == NULL)
    ex_die("calloc", CPORT_ENOMEM);
  for (int i = 0; i < threads; i++)
    ex_thread_start(&t[i], fn, arg);
  ex_wait_stop_signal();
  for (int i = 0; i < threads; i++)
    cport_post(s->port, quit_key, 0, NULL);
  for (int i = 0; i < threads; i++)
    ex_thread_join(t[i]);
  free(t);
}

void ex_server_close(struct ex_server *s, char *backend, size_t size) {
  snprintf(backend, size, "%s", cport_backend(s->port));
  cport_close(s->port);
  cport_closesocket(s->listener);
  free(s->accepts);
}

int ex_resolve(const char *host, int port, struct sockaddr_in *out) {
  memset(out, 0, sizeof(*out));
  out->sin_family = AF_INET;
  out->sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &out->sin_addr) == 1)
    return 0;
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_INET;
  if (getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL)
    return CPORT_EINVAL;
  out->sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
  freeaddrinfo(res);
  return 0;
}

#if defined(_WIN32)

struct tramp {
  void *(*fn)(void *);
  void *arg;
};
static DWORD WINAPI tramp_fn(LPVOID p) {
  struct tramp t = *(struct tramp *)p;
  free(p);
  t.fn(t.arg);
  return 0;
}
void ex_thread_start(ex_thread_t *t, void *(*fn)(void *), void *arg) {
  struct tramp *tr = malloc(sizeof(*tr));
  tr->fn = fn;
  tr->arg = arg;
  *t = CreateThread(NULL, 0, tramp_fn, tr, 0, NULL);
}
void ex_thread_join(ex_thread_t t) {
  WaitForSingleObject(t, INFINITE);
  CloseHandle(t);
}
void ex_mutex_init(ex_mutex_t *m) {
  InitializeCriticalSection(m);
}
void ex_mutex_destroy(ex_mutex_t *m) {
  DeleteCriticalSection(m);
}
void ex_mutex_lock(ex_mutex_t *m) {
  EnterCriticalSection(m);
}
void ex_mutex_unlock(ex_mutex_t *m) {
  LeaveCriticalSection(m);
}

static HANDLE stop_event;
static BOOL WINAPI on_ctrl(DWORD type) {
  (void)type;
  SetEvent(stop_event);
  return TRUE;
}
void ex_block_stop_signals(void) {
  stop_event = CreateEventA(NULL, TRUE, FALSE, NULL);
  SetConsoleCtrlHandler(on_ctrl, TRUE);
}
void ex_wait_stop_signal(void) {
  WaitForSingleObject(stop_event, INFINITE);
}
double ex_now(void) {
  LARGE_INTEGER f, c;
  QueryPerformanceFrequency(&f);
  QueryPerformanceCounter(&c);
  return (double)c.QuadPart / (double)f.QuadPart;
}
void ex_sleep_ms(unsigned ms) {
  Sleep(ms);
}
int ex_cpu_count(void) {
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  return (int)si.dwNumberOfProcessors;
}

#else

void ex_thread_start(ex_thread_t *t, void *(*fn)(void *), void *arg) {
  pthread_create(t, NULL, fn, arg);
}
void ex_thread_join(ex_thread_t t) {
  pthread_join(t, NULL);
}
void ex_mutex_init(ex_mutex_t *m) {
  pthread_mutex_init(m, NULL);
}
void ex_mutex_destroy(ex_mutex_t *m) {
  pthread_mutex_destroy(m);
}
void ex_mutex_lock(ex_mutex_t *m) {
  pthread_mutex_lock(m);
}
void ex_mutex_unlock(ex_mutex_t *m) {
  pthread_mutex_unlock(m);
}

static sigset_t stop_set;
void ex_block_stop_signals(void) {
  /* A shell may start us with SIGINT ignored (background job): restore
   * the default so that, blocked, it stays pending for sigwait. */
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  sigemptyset(&stop_set);
  sigaddset(&stop_set, SIGINT);
  sigaddset(&stop_set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_set, NULL);
  signal(SIGPIPE, SIG_IGN);
}
void ex_wait_stop_signal(void) {
  int sig;
  sigwait(&stop_set, &sig);
}
double ex_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
void ex_sleep_ms(unsigned ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}
int ex_cpu_count(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

#endif
