/*
 * http-server.c - an HTTP/1.1 static file server on cport, in the IOCP
 * shape: one port, worker threads looping on cport_get(), accepts kept
 * posted, and per connection recv -> respond (cport_transmit_file for
 * files) -> recv, with keep-alive.
 *
 * GET and HEAD; Content-Length and Content-Type by extension; 400, 404,
 * 405, 413, 414, 431 and 505 with small bodies. It never serves anything
 * outside --root: ".." segments, encoded "/" "\" and NUL, absolute forms
 * and links that lead out of the root are refused, and so are control
 * bytes (raw or percent-encoded) in the target.
 *
 * Slow and idle clients are bounded by one port timer per connection:
 *   --timeout S       idle limit: no byte either way for S seconds closes
 *                     the connection (also one stuck mid-response);
 *   --head-timeout S  a request head (request line and headers) must
 *                     arrive whole within S seconds of its first byte (of
 *                     the accept, for the first request) however steadily
 *                     it trickles in: else 408 and close (slowloris; a
 *                     client that sent nothing is closed without a 408).
 * At most --max-conns connections are open at once. When full the server
 * applies back-pressure: it stops posting accepts, so new clients wait in
 * the listen backlog (nobody is answered 503) until a connection closes.
 *
 *   http-server [--bind 127.0.0.1] [--port 7000] [--root .]
 *               [--threads CPUs] [--backend io_uring|epoll|iocp]
 *               [--timeout 10] [--head-timeout 10] [--max-conns 512]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cport.h"
#include "example-util.h"
#include "http-request.h"

#define KEY_LISTENER ((uintptr_t)1)
#define KEY_QUIT ((uintptr_t)2)

struct server {
  struct ex_server io; /* port, listener, posted accepts */
  struct http_root root;
  double timeout, head_timeout; /* seconds */
  /* The connection cap: accepts are posted only while live + posted <
   * max_conns; the others wait in parked. */
  ex_mutex_t accept_lock;
  int live, posted, max_conns, nparked;
  cport_op_t **parked;
  uint64_t requests, errors, accepted, head_timeouts;
};

struct conn {
  ex_mutex_t lock;
  struct server *sv;
  cport_handle_t s;
  cport_handle_t file;      /* being transmitted, or invalid */
  cport_op_t rop, wop, top; /* receive, response, idle/head timer */
  bool recv_pending, write_pending, timer_pending;
  bool closing, keep_alive;
  bool expired;       /* a 408 went out: close at next tick */
  double last_active; /* last completion, for --timeout */
  double head_start;  /* first byte of the pending head, or 0 */
  double timer_due;   /* when the pending timer fires */
  size_t len;         /* request bytes in buf */
  size_t consumed;    /* of which belong to the answered one */
  char head[640];     /* response head (and small bodies) */
  char buf[HTTP_MAX_HEAD];
};

static const char *reason(int code) {
  switch (code) {
  case 200:
    return "OK";
  case 400:
    return "Bad Request";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 408:
    return "Request Timeout";
  case 413:
    return "Payload Too Large";
  case 414:
    return "URI Too Long";
  case 431:
    return "Request Header Fields Too Large";
  case 500:
    return "Internal Server Error";
  case 505:
    return "HTTP Version Not Supported";
  default:
    return "Error";
  }
}

/* ------------------------------------------------------------------------ */
/* Connection life                                                           */
/* ------------------------------------------------------------------------ */

/* Closing: every pending op completes (canceled) and the last one frees. */
static void conn_close(struct conn *c) {
  if (c->closing)
    return;
  c->closing = true;
  cport_closesocket(c->s);
  if (c->timer_pending)
    cport_timer_cancel(c->sv->io.port, &c->top);
}

static bool conn_done(struct conn *c) {
  return c->closing && !c->recv_pending && !c->write_pending &&
         !c->timer_pending;
}

/* ------------------------------------------------------------------------ */
/* The connection cap                                                        */
/* ------------------------------------------------------------------------ */

/* Post op again if the cap allows, else park it. */
static void accept_repost_or_park(struct server *sv, cport_op_t *op) {
  ex_mutex_lock(&sv->accept_lock);
  bool post = sv->live + sv->posted < sv->max_conns;
  if (post)
    sv->posted++;
  else
    sv->parked[sv->nparked++] = op;
  ex_mutex_unlock(&sv->accept_lock);
  if (post && cport_accept(sv->io.listener, NULL, 0, op) != 0) {
    ex_mutex_lock(&sv->accept_lock);
    sv->posted--;
    sv->parked[sv->nparked++] = op;
    ex_mutex_unlock(&sv->accept_lock);
  }
}

/* An accept completed, with a new connection or not. */
static void accept_taken(struct server *sv, bool opened) {
  ex_mutex_lock(&sv->accept_lock);
  sv->posted--;
  if (opened)
    sv->live++;
  ex_mutex_unlock(&sv->accept_lock);
}

/* A connection is gone: a parked accept may go out again. */
static void conn_released(struct server *sv) {
  ex_mutex_lock(&sv->accept_lock);
  sv->live--;
  cport_op_t *op = sv->nparked > 0 ? sv->parked[--sv->nparked] : NULL;
  ex_mutex_unlock(&sv->accept_lock);
  if (op != NULL)
    accept_repost_or_park(sv, op);
}

static void conn_free(struct conn *c) {
  struct server *sv = c->sv;
  if (c->file != CPORT_INVALID_HANDLE)
    http_close(c->file);
  ex_mutex_destroy(&c->lock);
  free(c);
  conn_released(sv);
}

static void post_recv(struct conn *c) {
  cport_buf_t b = CPORT_BUF(c->buf + c->len, sizeof(c->buf) - c->len);
  if (cport_recv(c->s, &b, 1, &c->rop) == 0)
    c->recv_pending = true;
  else
    conn_close(c);
}

/* One timer per connection, due at the nearer of the idle limit and the
 * head deadline. */
static void arm_timer(struct conn *c) {
  struct server *sv = c->sv;
  double due = c->last_active + sv->timeout;
  if (c->head_start > 0 && c->head_start + sv->head_timeout < due)
    due = c->head_start + sv->head_timeout;
  double ms = (due - ex_now()) * 1000.0 + 1;
  c->timer_due = due;
  if (cport_timer(sv->io.port, (uintptr_t)c, ms < 1 ? 1 : (uint32_t)ms,
                  &c->top) == 0)
    c->timer_pending = true;
  else
    conn_close(c); /* no timer, no bound on this connection: drop it */
}

/* A new request head begins: its deadline may come before the timer. */
static void head_begins(struct conn *c) {
  c->head_start = ex_now();
  if (c->timer_pending && c->head_start + c->sv->head_timeout < c->timer_due)
    cport_timer_cancel(c->sv->io.port, &c->top); /* re-armed when it ends */
}

/* ------------------------------------------------------------------------ */
/* Responses                                                                 */
/* ------------------------------------------------------------------------ */

static void send_head(struct conn *c, size_t len) {
  cport_buf_t b = CPORT_BUF(c->head, len);
  if (cport_send(c->s, &b, 1, &c->wop) == 0)
    c->write_pending = true;
  else
    conn_close(c);
}

static void respond_error(struct conn *c, int code, bool close) {
  c->head_start = 0;
  if (close)
    c->keep_alive = false;
  ex_count(&c->sv->errors, 1);
  char body[64];
  int bl = snprintf(body, sizeof(body), "%d %s\n", code, reason(code));
  int n =
      snprintf(c->head, sizeof(c->head),
               "HTTP/1.1 %d %s\r\nServer: cport\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n"
               "Content-Length: %d\r\nConnection: %s\r\n%s\r\n%s",
               code, reason(code), bl, c->keep_alive ? "keep-alive" : "close",
               code == 405 ? "Allow: GET, HEAD\r\n" : "", body);
  send_head(c, (size_t)n);
}

static void respond(struct conn *c, const char *req, size_t len) {
  struct http_request r;
  int code = http_parse(req, len, &r);
  if (code != 0) {
    respond_error(c, code, true);
    return;
  }
  c->keep_alive = r.keep_alive;
  bool head_only = strcmp(r.method, "HEAD") == 0;
  if (!head_only && strcmp(r.method, "GET") != 0) {
    respond_error(c, 405, r.has_body);
    return;
  }
  if (r.has_body) {
    respond_error(c, 413, true); /* GET and HEAD take no body */
    return;
  }
  char clean[HTTP_MAX_PATH];
  cport_handle_t f;
  uint64_t size = 0;
  if ((code = http_clean_path(r.target, clean, sizeof(clean))) != 0 ||
      (code = http_open(&c->sv->root, clean, &f, &size)) != 0) {
    respond_error(c, code, code != 404 && code != 403);
    return;
  }
  if (size > UINT32_MAX) {
    http_close(f);
    respond_error(c, 500, false);
    return;
  }
  int n = snprintf(
      c->head, sizeof(c->head),
      "HTTP/1.1 200 OK\r\nServer: cport\r\nContent-Type: %s\r\n"
      "Content-Length: %llu\r\nConnection: %s\r\n\r\n",
      http_content_type(clean[strlen(clean) - 1] == '/' ? "index.html" : clean),
      (unsigned long long)size, c->keep_alive ? "keep-alive" : "close");
  ex_count(&c->sv->requests, 1);
  if (head_only || size == 0) {
    http_close(f);
    send_head(c, (size_t)n);
    return;
  }
  c->file = f;
  cport_buf_t hb = CPORT_BUF(c->head, (size_t)n);
  int rc =
      cport_transmit_file(c->s, f, 0, (uint32_t)size, &hb, NULL,
                          c->keep_alive ? 0 : CPORT_TF_DISCONNECT, &c->wop);
  if (rc == 0)
    c->write_pending = true;
  else
    conn_close(c);
}

/* Answer the next complete request in buf, or read more. */
static void process(struct conn *c) {
  if (c->closing || c->write_pending || c->recv_pending)
    return;
  const char *end = http_find_head_end(c->buf, c->len);
  if (end == NULL) {
    if (c->len > 0 && c->head_start == 0)
      head_begins(c);
    if (c->len == sizeof(c->buf))
      respond_error(c, 431, true); /* the head does not fit */
    else
      post_recv(c);
    return;
  }
  c->head_start = 0;
  c->consumed = (size_t)(end - c->buf);
  respond(c, c->buf, c->consumed);
}

/* ------------------------------------------------------------------------ */
/* Completions                                                               */
/* ------------------------------------------------------------------------ */

static void on_accept(struct server *sv, cport_completion_t *cc) {
  if (cc->status == CPORT_ECANCELED)
    return; /* the port is closing */
  struct conn *c = NULL;
  cport_handle_t s = cport_op_socket(cc->op); /* before op is reused */
  if (cc->status == 0) {
    c = calloc(1, sizeof(*c));
    if (c == NULL)
      cport_closesocket(s);
  }
  accept_taken(sv, c != NULL);
  /* Keep it posted, unless the cap says wait (then conn_released will). */
  accept_repost_or_park(sv, cc->op);
  if (c == NULL)
    return;
  ex_mutex_init(&c->lock);
  c->sv = sv;
  c->s = s;
  c->file = CPORT_INVALID_HANDLE;
  c->last_active = c->head_start = ex_now();
  ex_count(&sv->accepted, 1);
  ex_mutex_lock(&c->lock);
  if (cport_associate(sv->io.port, c->s, (uintptr_t)c, 0) != 0) {
    conn_close(c);
  } else {
    arm_timer(c);
    if (!c->closing)
      post_recv(c);
  }
  bool done = conn_done(c);
  ex_mutex_unlock(&c->lock);
  if (done)
    conn_free(c);
}

/* The connection's timer fired (or was canceled to be re-armed sooner). */
static void on_timer(struct conn *c) {
  struct server *sv = c->sv;
  double now = ex_now();
  if (c->expired) {
    conn_close(c); /* the 408 had its chance to go out */
  } else if (c->head_start > 0 && now - c->head_start >= sv->head_timeout) {
    /* The head is too slow however steadily it trickles: answer 408
     * (nothing else is being sent while a head is read) and close. A
     * client that sent nothing at all is just closed. */
    ex_count(&sv->head_timeouts, 1);
    c->expired = true;
    if (c->write_pending || c->len == 0) {
      conn_close(c);
      return;
    }
    respond_error(c, 408, true);
    if (!c->closing &&
        cport_timer(sv->io.port, (uintptr_t)c, 1000, &c->top) == 0)
      c->timer_pending = true;
  } else if (now - c->last_active >= sv->timeout) {
    conn_close(c); /* idle, or a response stuck on a silent peer */
  } else {
    arm_timer(c);
  }
}

static void on_conn(struct conn *c, cport_completion_t *cc) {
  ex_mutex_lock(&c->lock);
  if (cc->op == &c->top) {
    c->timer_pending = false;
    if (!c->closing)
      on_timer(c);
  } else if (cc->op == &c->rop) {
    c->recv_pending = false;
    if (cc->status != 0 || cc->bytes == 0) {
      conn_close(c);
    } else {
      c->last_active = ex_now();
      c->len += cc->bytes;
      process(c);
    }
  } else {
    c->write_pending = false;
    if (c->file != CPORT_INVALID_HANDLE) {
      http_close(c->file);
      c->file = CPORT_INVALID_HANDLE;
    }
    c->last_active = ex_now();
    if (cc->status != 0 || !c->keep_alive) {
      conn_close(c);
    } else {
      /* Pipelined bytes after the answered request stay for the next. */
      memmove(c->buf, c->buf + c->consumed, c->len - c->consumed);
      c->len -= c->consumed;
      c->consumed = 0;
      process(c);
    }
  }
  bool done = conn_done(c);
  ex_mutex_unlock(&c->lock);
  if (done)
    conn_free(c);
}

static void *worker(void *arg) {
  struct server *sv = arg;
  for (;;) {
    cport_completion_t cc;
    if (cport_get(sv->io.port, &cc, -1) != 0 || cc.key == KEY_QUIT)
      return NULL;
    if (cc.key == KEY_LISTENER)
      on_accept(sv, &cc);
    else
      on_conn((struct conn *)cc.key, &cc);
  }
}

int main(int argc, char **argv) {
  struct ex_args a = ex_parse(argc, argv, "http-server");
  struct server sv;
  memset(&sv, 0, sizeof(sv));
  if (http_root_open(a.root, &sv.root) != 0) {
    fprintf(stderr, "http-server: cannot use root %s\n", a.root);
    return 1;
  }
  sv.timeout = a.timeout;
  sv.head_timeout = a.head_timeout;
  sv.max_conns = a.max_conns;
  if (a.accepts > a.max_conns)
    a.accepts = a.max_conns; /* never more accepts out than room */
  sv.posted = a.accepts;
  sv.parked = calloc((size_t)a.accepts, sizeof(*sv.parked));
  if (sv.parked == NULL)
    ex_die("calloc", CPORT_ENOMEM);
  ex_mutex_init(&sv.accept_lock);
  ex_server_open(&sv.io, &a, KEY_LISTENER);
  printf("http-server: backend=%s bind=%s port=%d root=%s threads=%d "
         "max_conns=%d\n",
         cport_backend(sv.io.port), a.bind, a.port, sv.root.real, a.threads,
         a.max_conns);
  fflush(stdout);
  ex_server_run(&sv.io, a.threads, worker, &sv, KEY_QUIT);

  /* Open connections die with the process. */
  char backend[16];
  ex_server_close(&sv.io, backend, sizeof(backend));
  printf("http-server stats: backend=%s accepted=%llu requests=%llu "
         "errors=%llu head_timeouts=%llu\n",
         backend, (unsigned long long)sv.accepted,
         (unsigned long long)sv.requests, (unsigned long long)sv.errors,
         (unsigned long long)sv.head_timeouts);
  free(sv.parked);
  ex_mutex_destroy(&sv.accept_lock);
  return 0;
}
