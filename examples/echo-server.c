/*
 * echo-server.c - the classic IOCP server shape on cport.
 *
 * One port; N worker threads looping on cport_get(); a number of accepts
 * kept posted on the listener; per connection recv -> send -> recv. SIGINT
 * or SIGTERM stops it cleanly and prints one stats line. It listens on
 * loopback unless --bind says otherwise (0.0.0.0 or :: for every address).
 *
 * With --skip-on-success 1 each connection is associated with
 * CPORT_SKIP_ON_SUCCESS (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on Windows):
 * a receive or send that finishes inside its call returns CPORT_COMPLETED
 * and queues nothing, and the worker goes on with the next step itself.
 * Without it, such a completion is queued like any other, and with more
 * than one worker a waiting worker is released to take it (as on
 * Windows): two threads per echoed message instead of one
 * (docs/benchmarks.md, "Skip-on-success").
 *
 *   echo-server [--bind 127.0.0.1] [--port 7000] [--threads CPUs]
 *               [--accepts 16] [--backend io_uring|epoll|iocp]
 *               [--buffer 16384] [--skip-on-success 0|1]
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cport.h"
#include "example-util.h"

#define KEY_LISTENER ((uintptr_t)1)
#define KEY_QUIT ((uintptr_t)2)

struct conn {
  struct conn *prev, *next; /* live connections, for shutdown */
  cport_handle_t s;
  cport_op_t rop, sop;
  uint32_t cap;
  char buf[];
};

struct server {
  struct ex_server io; /* port, listener, posted accepts */
  uint32_t bufsize;
  uint32_t flags; /* for cport_associate: 0 or CPORT_SKIP_ON_SUCCESS */
  ex_mutex_t live_lock;
  struct conn *live;
  /* stats */
  uint64_t accepted, closed, bytes, messages, errors;
};

static void count(uint64_t *c, uint64_t n) {
  ex_count(c, n);
}

/* A failure that is the server's to count; the first few are named. */
static void error_seen(struct server *sv, const char *what, int rc) {
  if (ex_count(&sv->errors, 1) <= 10)
    fprintf(stderr, "echo-server: %s: %s (%s)\n", what, cport_err_name(rc),
            cport_strerror(rc));
}

static void live_add(struct server *sv, struct conn *c) {
  ex_mutex_lock(&sv->live_lock);
  c->prev = NULL;
  c->next = sv->live;
  if (sv->live)
    sv->live->prev = c;
  sv->live = c;
  ex_mutex_unlock(&sv->live_lock);
}

static void conn_close(struct server *sv, struct conn *c) {
  ex_mutex_lock(&sv->live_lock);
  if (c->prev)
    c->prev->next = c->next;
  else
    sv->live = c->next;
  if (c->next)
    c->next->prev = c->prev;
  ex_mutex_unlock(&sv->live_lock);
  cport_closesocket(c->s);
  free(c);
  count(&sv->closed, 1);
}

/* The peer closed, reset the connection or went away: a normal end for a
 * server, whether the call says so (the error is known before anything
 * moved, e.g. on epoll) or the completion does (e.g. on io_uring). */
static bool peer_gone(int rc) {
  return rc == 0 || rc == CPORT_ECONNRESET || rc == CPORT_EPIPE ||
         rc == CPORT_ECONNABORTED || rc == CPORT_ENOTCONN;
}

/* Close after a failed call or completion (rc 0: end of stream); count it
 * unless the peer left. */
static void conn_fail(struct server *sv, struct conn *c, const char *what,
                      int rc) {
  if (!peer_gone(rc) && rc != CPORT_ECANCELED)
    error_seen(sv, what, rc);
  conn_close(sv, c);
}

/* What one worker echoed, added to the server's totals when it leaves:
 * counting each message into shared counters would cost every message
 * two atomic additions on a cache line all workers write. */
struct tally {
  uint64_t bytes, messages;
};

/* Steps one connection may take inside its calls (skip-on-success)
 * before it goes to the back of the port's queue: a peer that always has
 * the next message ready must not keep a worker from the others. */
#define INLINE_STEPS 16

/*
 * One connection's echo, from a finished receive (is_recv) or send with
 * its status and bytes: a received message is sent back whole, a finished
 * send posts the next receive. A call that returns 0 is pending (its
 * completion comes through the port); with skip-on-success, one that
 * returns CPORT_COMPLETED finished inside the call, queued nothing, and
 * its result is read from the op here. After INLINE_STEPS of those, the
 * result is posted to the port as the op's completion instead, and the
 * connection goes on when a worker takes it.
 */
static void echo_step(struct server *sv, struct tally *t, struct conn *c,
                      bool is_recv, int status, uint32_t bytes) {
  for (int steps = 0;; steps++) {
    int rc;
    if (is_recv) {
      if (status != 0 || bytes == 0) { /* error, or peer closed */
        conn_fail(sv, c, "recv", status);
        return;
      }
      t->bytes += bytes;
      t->messages++;
      /* The whole echo goes out before the next receive: a client that
       * never reads stops being read (back-pressure, no buffering). */
      cport_buf_t b = CPORT_BUF(c->buf, bytes);
      rc = cport_send(c->s, &b, 1, &c->sop);
    } else {
      if (status != 0) {
        conn_fail(sv, c, "send", status);
        return;
      }
      cport_buf_t b = CPORT_BUF(c->buf, c->cap);
      rc = cport_recv(c->s, &b, 1, &c->rop);
    }
    cport_op_t *op = is_recv ? &c->sop : &c->rop;
    is_recv = !is_recv; /* the step the call made */
    if (rc == 0)
      return; /* pending */
    if (rc != CPORT_COMPLETED) {
      conn_fail(sv, c, is_recv ? "recv" : "send", rc);
      return;
    }
    status = cport_op_status(op);
    bytes = (uint32_t)cport_op_bytes(op);
    if (steps + 1 >= INLINE_STEPS && status == 0 &&
        cport_post(sv->io.port, (uintptr_t)c, bytes, op) == 0)
      return; /* on_io() takes it up again, behind the others */
  }
}

static void on_accept(struct server *sv, struct tally *t,
                      cport_completion_t *cc) {
  if (cc->status == 0) {
    struct conn *c = malloc(sizeof(*c) + sv->bufsize);
    if (c == NULL) {
      cport_closesocket(cport_op_socket(cc->op));
    } else {
      memset(c, 0, sizeof(*c));
      c->cap = sv->bufsize;
      c->s = cport_op_socket(cc->op);
      count(&sv->accepted, 1);
      live_add(sv, c);
      int rc = cport_associate(sv->io.port, c->s, (uintptr_t)c, sv->flags);
      if (rc != 0) {
        error_seen(sv, "associate", rc);
        conn_close(sv, c);
      } else {
        echo_step(sv, t, c, false, 0, 0); /* the first receive */
      }
    }
  } else if (cc->status != CPORT_ECANCELED && !peer_gone(cc->status)) {
    /* e.g. out of descriptors: try again later. (A client that reset
     * while queued in the backlog is no error.) */
    error_seen(sv, "accept", cc->status);
  }
  if (cc->status != CPORT_ECANCELED)
    cport_accept(sv->io.listener, NULL, 0, cc->op); /* keep it posted */
}

static void on_io(struct server *sv, struct tally *t, cport_completion_t *cc) {
  struct conn *c = (struct conn *)cc->key;
  echo_step(sv, t, c, cc->op == &c->rop, cc->status, cc->bytes);
}

static void *worker(void *arg) {
  struct server *sv = arg;
  struct tally t = {0, 0};
  for (;;) {
    cport_completion_t cc;
    int rc = cport_get(sv->io.port, &cc, -1);
    if (rc != 0 || cc.key == KEY_QUIT)
      break;
    if (cc.key == KEY_LISTENER)
      on_accept(sv, &t, &cc);
    else
      on_io(sv, &t, &cc);
  }
  count(&sv->bytes, t.bytes);
  count(&sv->messages, t.messages);
  return NULL;
}

int main(int argc, char **argv) {
  struct ex_args a = ex_parse(argc, argv, "echo-server");
  struct server sv;
  memset(&sv, 0, sizeof(sv));
  sv.bufsize = (uint32_t)a.buffer;
  sv.flags = a.skip_on_success ? CPORT_SKIP_ON_SUCCESS : 0;
  ex_mutex_init(&sv.live_lock);

  ex_server_open(&sv.io, &a, KEY_LISTENER);
  printf("echo-server: backend=%s bind=%s port=%d threads=%d accepts=%d "
         "skip_on_success=%d\n",
         cport_backend(sv.io.port), a.bind, a.port, a.threads, a.accepts,
         a.skip_on_success);
  fflush(stdout);
  ex_server_run(&sv.io, a.threads, worker, &sv, KEY_QUIT);

  /* Workers are gone: close the port (what is still pending is dropped
   * with it) and the listener, then the connections. */
  char backend[16];
  ex_server_close(&sv.io, backend, sizeof(backend));
  while (sv.live)
    conn_close(&sv, sv.live);
  printf("echo-server stats: backend=%s accepted=%llu closed=%llu "
         "messages=%llu bytes=%llu errors=%llu\n",
         backend, (unsigned long long)sv.accepted,
         (unsigned long long)sv.closed, (unsigned long long)sv.messages,
         (unsigned long long)sv.bytes, (unsigned long long)sv.errors);
  ex_mutex_destroy(&sv.live_lock);
  return 0;
}
