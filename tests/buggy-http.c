/*
 * buggy-http.c - a tiny HTTP server with the classic stream bug, for the
 * fault mode to find (tests/test-fault-examples.py). Never installed.
 *
 * The bug: it assumes one receive holds one whole request. Every request
 * a test client sends in one write() arrives whole on loopback, so an
 * ordinary test run passes; a receive that delivers part of it (as TCP,
 * and WSARecv, may) gets "400 Bad Request".
 *
 * It answers GET of anything with "hello\n", one request per connection.
 *
 *   buggy-http [--port 7000] [--threads N] [--backend ...]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cport.h"
#include "example-util.h"

#define KEY_LISTENER ((uintptr_t)1)
#define KEY_QUIT ((uintptr_t)2)

struct conn {
  struct conn *prev, *next; /* the open connections, freed at exit */
  cport_handle_t s;
  cport_op_t rop, sop;
  char req[4096];
  char resp[256];
};

struct server {
  struct ex_server io;
  struct conn *open; /* (one worker thread touches it) */
  uint64_t requests, bad;
};

static struct server *server;

static void conn_close(struct conn *c) {
  if (c->prev)
    c->prev->next = c->next;
  else
    server->open = c->next;
  if (c->next)
    c->next->prev = c->prev;
  cport_closesocket(c->s);
  free(c);
}

static void respond(struct server *sv, struct conn *c, uint32_t n) {
  /* BUG: the request is taken to be exactly what this receive got. */
  bool whole = n >= 4 && memcmp(c->req + n - 4, "\r\n\r\n", 4) == 0 &&
               strncmp(c->req, "GET ", 4) == 0;
  int len;
  if (whole) {
    ex_count(&sv->requests, 1);
    len = snprintf(c->resp, sizeof(c->resp),
                   "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n"
                   "Connection: close\r\n\r\nhello\n");
  } else {
    ex_count(&sv->bad, 1);
    len = snprintf(c->resp, sizeof(c->resp),
                   "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                   "Connection: close\r\n\r\n");
  }
  cport_buf_t b = CPORT_BUF(c->resp, (size_t)len);
  if (cport_send(c->s, &b, 1, &c->sop) != 0)
    conn_close(c);
}

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
      c->next = sv->open;
      if (sv->open)
        sv->open->prev = c;
      sv->open = c;
      cport_buf_t b = CPORT_BUF(c->req, sizeof(c->req));
      if (cport_associate(sv->io.port, s, (uintptr_t)c, 0) != 0 ||
          cport_recv(s, &b, 1, &c->rop) != 0)
        conn_close(c);
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
      continue;
    }
    struct conn *c = (struct conn *)cc.key;
    if (cc.op == &c->rop && cc.status == 0 && cc.bytes > 0)
      respond(sv, c, cc.bytes);
    else
      conn_close(c); /* peer gone, or the response went out */
  }
}

int main(int argc, char **argv) {
  struct ex_args a = ex_parse(argc, argv, "buggy-http");
  struct server sv;
  memset(&sv, 0, sizeof(sv));
  server = &sv;
  ex_server_open(&sv.io, &a, KEY_LISTENER);
  printf("buggy-http: backend=%s port=%d threads=%d\n",
         cport_backend(sv.io.port), a.port, a.threads);
  fflush(stdout);
  ex_server_run(&sv.io, a.threads, worker, &sv, KEY_QUIT);
  char backend[16];
  ex_server_close(&sv.io, backend, sizeof(backend));
  while (sv.open != NULL)
    conn_close(sv.open);
  printf("buggy-http stats: backend=%s requests=%llu bad=%llu\n", backend,
         (unsigned long long)sv.requests, (unsigned long long)sv.bad);
  return 0;
}
