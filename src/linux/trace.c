/*
 * trace.c - the completion trace writer (see trace.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define CP_TRACE_BUF (256u * 1024u)
#define CP_TRACE_LINE 256u
/* A process killed by a signal runs no exit handler: what it buffered
 * for longer than this is in the file already. */
#define CP_TRACE_FLUSH_NS 100000000ull

struct cp_trace {
  struct cp_trace *next; /* the registry's list */
  char *path;
  int fd;
  pid_t pid;            /* the process that opened it */
  unsigned refs;        /* under the registry lock */
  pthread_mutex_t lock; /* buf, len, flushed */
  size_t len;
  unsigned long long flushed; /* when the buffer was last written */
  char buf[CP_TRACE_BUF];
};

/* Every open writer, so ports share one per file and exit flushes all. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cp_trace *registry;
static bool exit_hooked;

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return; /* a trace must never take the program down */
    p += w;
    n -= (size_t)w;
  }
}

/* t->lock held. */
static void flush_locked(struct cp_trace *t) {
  write_all(t->fd, t->buf, t->len);
  t->len = 0;
}

void cp_trace_flush(struct cp_trace *t) {
  pthread_mutex_lock(&t->lock);
  flush_locked(t);
  pthread_mutex_unlock(&t->lock);
}

/* `now`: the record's time (0 for the header). */
static void append(struct cp_trace *t, const char *line, size_t n,
                   unsigned long long now) {
  pthread_mutex_lock(&t->lock);
  if (t->len + n > sizeof(t->buf))
    flush_locked(t);
  memcpy(t->buf + t->len, line, n);
  t->len += n;
  if (now > t->flushed + CP_TRACE_FLUSH_NS) {
    flush_locked(t);
    t->flushed = now;
  }
  pthread_mutex_unlock(&t->lock);
}

static unsigned long long now_ns(void);

/* The flusher: a thread that, while any writer is open, writes what a
 * writer has buffered for CP_TRACE_FLUSH_NS, so a program that goes quiet
 * (a stuck server, one killed by a signal) leaves its trace in the file.
 * It sleeps while no writer is open. */
static pthread_cond_t flusher_cond;
static bool flusher_started;

static void *flusher_main(void *arg) {
  (void)arg;
  pthread_mutex_lock(&registry_lock);
  for (;;) {
    while (registry == NULL)
      pthread_cond_wait(&flusher_cond, &registry_lock);
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_nsec += (long)CP_TRACE_FLUSH_NS;
    if (dl.tv_nsec >= 1000000000L) {
      dl.tv_sec++;
      dl.tv_nsec -= 1000000000L;
    }
    (void)pthread_cond_timedwait(&flusher_cond, &registry_lock, &dl);
    unsigned long long now = now_ns();
    for (struct cp_trace *t = registry; t != NULL; t = t->next) {
      pthread_mutex_lock(&t->lock);
      if (t->len > 0 && now >= t->flushed + CP_TRACE_FLUSH_NS) {
        flush_locked(t);
        t->flushed = now;
      }
      pthread_mutex_unlock(&t->lock);
    }
  }
  return NULL;
}

/* registry_lock held: the flusher runs (started once, signals blocked:
 * they are the program's). */
static void flusher_wake_locked(void) {
  if (!flusher_started) {
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&flusher_cond, &ca);
    pthread_condattr_destroy(&ca);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_t th;
    flusher_started = pthread_create(&th, &a, flusher_main, NULL) == 0;
    pthread_attr_destroy(&a);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!flusher_started)
      pthread_cond_destroy(&flusher_cond); /* (tried again next open) */
    return;
  }
  pthread_cond_signal(&flusher_cond);
}

/* At exit: what every writer still buffers goes to its file. A forked
 * child's copies of the buffers are its parent's lines, which the parent
 * writes: the child leaves them. */
static void flush_all(void) {
  pid_t self = getpid();
  pthread_mutex_lock(&registry_lock);
  for (struct cp_trace *t = registry; t != NULL; t = t->next)
    if (t->pid == self)
      cp_trace_flush(t);
  pthread_mutex_unlock(&registry_lock);
}

/* path with each "%p" replaced by the process id. */
static char *expand(const char *path) {
  char pid[24];
  int pn = snprintf(pid, sizeof(pid), "%ld", (long)getpid());
  size_t n = strlen(path), cap = n + 1;
  for (const char *s = strstr(path, "%p"); s; s = strstr(s + 2, "%p"))
    cap += (size_t)pn;
  char *out = malloc(cap), *o = out;
  if (out == NULL)
    return NULL;
  for (const char *s = path; *s;) {
    if (s[0] == '%' && s[1] == 'p') {
      memcpy(o, pid, (size_t)pn);
      o += pn;
      s += 2;
    } else {
      *o++ = *s++;
    }
  }
  *o = '\0';
  return out;
}

struct cp_trace *cp_trace_open(const char *path, int *rc) {
  char *full = expand(path);
  if (full == NULL) {
    *rc = CPORT_ENOMEM;
    return NULL;
  }
  pthread_mutex_lock(&registry_lock);
  struct cp_trace *t = registry;
  while (t != NULL && strcmp(t->path, full) != 0)
    t = t->next;
  if (t != NULL) {
    t->refs++;
    free(full);
    pthread_mutex_unlock(&registry_lock);
    return t;
  }
  t = malloc(sizeof(*t));
  int fd =
      t ? open(full, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644)
        : -1;
  if (t == NULL || fd < 0) {
    *rc = t == NULL ? CPORT_ENOMEM : -errno;
    free(t);
    free(full);
    pthread_mutex_unlock(&registry_lock);
    return NULL;
  }
  t->path = full;
  t->fd = fd;
  t->pid = getpid();
  t->refs = 1;
  t->len = 0;
  t->flushed = 0;
  pthread_mutex_init(&t->lock, NULL);
  t->next = registry;
  registry = t;
  if (!exit_hooked)
    exit_hooked = atexit(flush_all) == 0;
  flusher_wake_locked();
  pthread_mutex_unlock(&registry_lock);
  char head[112];
  int n = snprintf(head, sizeof(head),
                   "# cport-trace 1 pid=%ld\n"
                   "# t_ns tid ev port fd key op kind bytes status "
                   "[ticket]\n",
                   (long)getpid());
  append(t, head, (size_t)n, 0);
  return t;
}

void cp_trace_release(struct cp_trace *t) {
  pthread_mutex_lock(&registry_lock);
  bool last = --t->refs == 0;
  if (last) {
    struct cp_trace **pp = &registry;
    while (*pp != t)
      pp = &(*pp)->next;
    *pp = t->next;
  }
  pthread_mutex_unlock(&registry_lock);
  cp_trace_flush(t);
  if (!last)
    return;
  close(t->fd);
  pthread_mutex_destroy(&t->lock);
  free(t->path);
  free(t);
}

/* ------------------------------------------------------------------------ */
/* Records                                                                   */
/* ------------------------------------------------------------------------ */

static __thread long tls_tid;

static long thread_id(void) {
  if (tls_tid == 0)
    tls_tid = (long)syscall(SYS_gettid);
  return tls_tid;
}

static unsigned long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (unsigned long long)ts.tv_sec * 1000000000ull +
         (unsigned long long)ts.tv_nsec;
}

/* "0", an error name without CPORT_, or the number. */
static const char *status_text(int status, char *buf, size_t size) {
  if (status == 0)
    return "0";
  const char *name = cport_err_name(status);
  if (strncmp(name, "CPORT_E", 7) == 0 && strcmp(name, "CPORT_E?") != 0)
    return name + 6;
  snprintf(buf, size, "%d", status);
  return buf;
}

void cp_trace_write(struct cp_trace *t, const struct cp_trace_rec *r) {
  char line[CP_TRACE_LINE], num[16];
  unsigned long long now = now_ns();
  char ticket[24] = "";
  if (r->ticket1 != 0)
    snprintf(ticket, sizeof(ticket), " %llu",
             (unsigned long long)(r->ticket1 - 1));
  int n = snprintf(
      line, sizeof(line), "%llu %ld %c %u %d 0x%llx 0x%llx %s %u %s%s\n", now,
      thread_id(), r->ev, (unsigned)r->port, (int)r->fd,
      (unsigned long long)r->key, (unsigned long long)(uintptr_t)r->op, r->kind,
      (unsigned)r->bytes, status_text(r->status, num, sizeof(num)), ticket);
  if (n > 0)
    append(t, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1,
           now);
}

void cp_trace_note(struct cp_trace *t, const char *text) {
  char line[CP_TRACE_LINE];
  int n = snprintf(line, sizeof(line), "# %s\n", text);
  if (n > 0)
    append(t, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1, 0);
}
