/*
 * buggy-echo.c - the echo server with a classic IOCP bug, for the fault
 * mode to find (tests/test-fault-examples.py). Never installed. Each bug
 * passes an ordinary test run; built twice:
 *
 *   buggy-echo-reuse (-DBUGGY_REUSE)  reuses an op before its completion:
 *       one op per connection; a send on a skip-on-success socket is
 *       assumed to finish inside the call ("small sends always do"), so
 *       the next receive reuses the op at once. When the send is pending
 *       instead, the receive finds its op busy (on Windows the OVERLAPPED
 *       would be overwritten) and the connection is dropped.
 *   buggy-echo-reset (-DBUGGY_RESET)  ignores a reset: a completion that
 *       failed is taken for a passing hiccup and the connection is left
 *       alone: never closed, never served again. Its descriptor leaks.
 *
 *   buggy-echo-* [--port 7000] [--threads N] [--backend ...] (echo-server's
 *   flags)
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cport.h"
#include "example-util.h"

#if !defined(BUGGY_REUSE) && !defined(BUGGY_RESET)
#  error "build with -DBUGGY_REUSE or -DBUGGY_RESET"
#endif

#define KEY_LISTENER ((uintptr_t)1)
#define KEY_QUIT ((uintptr_t)2)
#define BUF 16384

struct conn {
  struct conn *next; /* every connection, freed at exit */
  cport_handle_t s;
  cport_op_t op;  /* BUGGY_REUSE: the one op, for receives and sends */
  cport_op_t sop; /* BUGGY_RESET: sends */
  bool dead;
  char buf[BUF];
};

struct server {
  struct ex_server io;
  struct conn *all; /* (one worker thread touches it) */
  uint64_t accepted, closed, messages, errors;
};

/* Dead connections are freed only at exit: a late completion may still
 * name one (the bugs make that happen). */
static void conn_close(struct server *sv, struct conn *c, const char *why,
                       int rc) {
  if (c->dead)
    return;
  c->dead = true;
  if (rc != 0 && rc != CPORT_ECONNRESET && rc != CPORT_EPIPE &&
      ex_count(&sv->errors, 1) <= 5)
    fprintf(stderr, "buggy-echo: %s: %s\n", why, cport_err_name(rc));
  cport_closesocket(c->s);
  ex_count(&sv->closed, 1);
}

#if defined(BUGGY_REUSE)
/* Echo n bytes, then receive again, handling what finishes at once. */
static void echo(struct server *sv, struct conn *c, uint32_t n) {
  for (;;) {
    ex_count(&sv->messages, 1);
    cport_buf_t b = CPORT_BUF(c->buf, n);
    int rc = cport_send(c->s, &b, 1, &c->op);
    if (rc != 0 && rc != CPORT_COMPLETED) {
      conn_close(sv, c, "send", rc);
      return;
    }
    /* BUG: rc 0 means the send is pending and c->op is the system's
     * until its completion; this code reuses it at once. */
    cport_buf_t rb = CPORT_BUF(c->buf, BUF);
    rc = cport_recv(c->s, &rb, 1, &c->op);
    if (rc == 0)
      return; /* its completion comes */
    if (rc != CPORT_COMPLETED) {
      conn_close(sv, c, "recv", rc);
      return;
    }
    n = cport_op_bytes(&c->op);
    if (n == 0) {
      conn_close(sv, c, "recv", 0);
      return;
    }
  }
}

static void on_io(struct server *sv, struct conn *c, cport_completion_t *cc) {
  if (cc->status != 0 || cc->bytes == 0) {
    conn_close(sv, c, "recv done", cc->status);
    return;
  }
  echo(sv, c, cc->bytes);
}

static void start(struct server *sv, struct conn *c) {
  cport_set_handle_flags(c->s, CPORT_SKIP_ON_SUCCESS);
  cport_buf_t rb = CPORT_BUF(c->buf, BUF);
  int rc = cport_recv(c->s, &rb, 1, &c->op);
  if (rc == CPORT_COMPLETED) {
    uint32_t n = cport_op_bytes(&c->op);
    if (n == 0)
      conn_close(sv, c, "recv", 0);
    else
      echo(sv, c, n);
  } else if (rc != 0) {
    conn_close(sv, c, "recv", rc);
  }
}
#else /* BUGGY_RESET */
static void post_recv(struct server *sv, struct conn *c) {
  cport_buf_t rb = CPORT_BUF(c->buf, BUF);
  int rc = cport_recv(c->s, &rb, 1, &c->op);
  if (rc != 0)
    conn_close(sv, c, "recv", rc);
}

static void on_io(struct server *sv, struct conn *c, cport_completion_t *cc) {
  if (cc->status != 0)
    return; /* BUG: "a transient error": the connection is never closed */
  if (cc->op == &c->op) {
    if (cc->bytes == 0) {
      conn_close(sv, c, "recv done", 0);
      return;
    }
    ex_count(&sv->messages, 1);
    cport_buf_t b = CPORT_BUF(c->buf, cc->bytes);
    int rc = cport_send(c->s, &b, 1, &c->sop);
    if (rc != 0)
      conn_close(sv, c, "send", rc);
  } else {
    post_recv(sv, c);
  }
}

static void start(struct server *sv, struct conn *c) {
  post_recv(sv, c);
}
#endif

static void on_accept(struct server *sv, cport_completion_t *cc) {
  if (cc->status == CPORT_ECANCELED)
    return;
  if (cc->status == 0) {
    struct conn *c = calloc(1, sizeof(*c));
    cport_handle_t s = cport_op_socket(cc->op);
    if (c == NULL) {
      cport_closesocket(s);
    } else {
      c->s = s;
      c->next = sv->all;
      sv->all = c;
      ex_count(&sv->accepted, 1);
      if (cport_associate(sv->io.port, s, (uintptr_t)c, 0) != 0)
        conn_close(sv, c, "associate", CPORT_EINVAL);
      else
        start(sv, c);
    }
  }
  cport_accept(sv->io.listener, NULL, 0, cc->op);
}

static void *worker(void *arg) {
  struct server *sv = arg;
  for (;;) {
    cport_completion_t cc;
    if (cport_get(sv->io.port, &cc, -1) != 0 || cc.key == KEY_QUIT)
      return NULL;
    if (cc.key == KEY_LISTENER) {
      on_accept(sv, &cc);
    } else {
      struct conn *c = (struct conn *)cc.key;
      if (!c->dead)
        on_io(sv, c, &cc);
    }
  }
}

int main(int argc, char **argv) {
  struct ex_args a = ex_parse(argc, argv, "buggy-echo");
  struct server sv;
  memset(&sv, 0, sizeof(sv));
  ex_server_open(&sv.io, &a, KEY_LISTENER);
  printf("buggy-echo: backend=%s port=%d threads=%d\n",
         cport_backend(sv.io.port), a.port, a.threads);
  fflush(stdout);
  ex_server_run(&sv.io, a.threads, worker, &sv, KEY_QUIT);
  char backend[16];
  ex_server_close(&sv.io, backend, sizeof(backend));
  while (sv.all != NULL) {
    struct conn *c = sv.all;
    sv.all = c->next;
    if (!c->dead)
      cport_closesocket(c->s);
    free(c);
  }
  printf("buggy-echo stats: backend=%s accepted=%llu closed=%llu "
         "messages=%llu errors=%llu\n",
         backend, (unsigned long long)sv.accepted,
         (unsigned long long)sv.closed, (unsigned long long)sv.messages,
         (unsigned long long)sv.errors);
  return 0;
}
