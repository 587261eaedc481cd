/*
 * http-server.c - an HTTP/1.1 static file server on cport, in the IOCP
 * shape: one port, worker threads looping on cport_get(), accepts kept
 * posted, and per connection recv -> respond (cport_transmit_file for
 * files) -> recv, with keep-alive.
 *
 * GET and HEAD; Content-Length and Content-Type by extension; 400, 404,
 * 405, 413, 414, 431 and 505 with small bodies. It never serves anything
 * outside --root: ".." segments, encoded "/" "\" and NUL, absolute forms
 * and links that lead out of the root are refused. A connection idle (or
 * stuck mid-response) for --timeout seconds is closed by a port timer.
 *
 *   http-server [--port 8080] [--root .] [--threads CPUs]
 *               [--backend io_uring|epoll|iocp] [--timeout 10]
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
  uint32_t timeout_ms;
  uint64_t requests, errors, accepted;
};

struct conn {
  ex_mutex_t lock;
  struct server *sv;
  cport_handle_t s;
  cport_handle_t file;            /* being transmitted, or invalid */
  cport_op_t rop, wop, top;       /* receive, response, idle timer */
  bool recv_pending, write_pending, timer_pending;
  bool closing, keep_alive;
  double last_active;
  size_t len;                     /* request bytes in buf */
  size_t consumed;                /* of which belong to the answered one */
  char head[640];                 /* response head (and small bodies) */
  char buf[HTTP_MAX_HEAD];
};

static const char *reason(int code) {
  switch (code) {
  case 200: return "OK";
  case 400: return "Bad Request";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 413: return "Payload Too Large";
  case 414: return "URI Too Long";
  case 431: return "Request Header Fields Too Large";
  case 500: return "Internal Server Error";
  case 505: return "HTTP Version Not Supported";
  default: return "Error";
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

static void conn_free(struct conn *c) {
  if (c->file != CPORT_INVALID_HANDLE)
    http_close(c->file);
  ex_mutex_destroy(&c->lock);
  free(c);
}

static void post_recv(struct conn *c) {
  cport_buf_t b = CPORT_BUF(c->buf + c->len, sizeof(c->buf) - c->len);
  if (cport_recv(c->s, &b, 1, &c->rop) == 0)
    c->recv_pending = true;
  else
    conn_close(c);
}

static void arm_timer(struct conn *c, uint32_t ms) {
  if (cport_timer(c->sv->io.port, (uintptr_t)c, ms, &c->top) == 0)
    c->timer_pending = true;
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
  if (close)
    c->keep_alive = false;
  ex_count(&c->sv->errors, 1);
  char body[64];
  int bl = snprintf(body, sizeof(body), "%d %s\n", code, reason(code));
  int n = snprintf(c->head, sizeof(c->head),
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
  int n = snprintf(c->head, sizeof(c->head),
                   "HTTP/1.1 200 OK\r\nServer: cport\r\nContent-Type: %s\r\n"
                   "Content-Length: %llu\r\nConnection: %s\r\n\r\n",
                   http_content_type(clean[strlen(clean) - 1] == '/'
                                         ? "index.html"
                                         : clean),
                   (unsigned long long)size,
                   c->keep_alive ? "keep-alive" : "close");
  ex_count(&c->sv->requests, 1);
  if (head_only || size == 0) {
    http_close(f);
    send_head(c, (size_t)n);
    return;
  }
  c->file = f;
  cport_buf_t hb = CPORT_BUF(c->head, (size_t)n);
  int rc = cport_transmit_file(c->s, f, 0, (uint32_t)size, &hb, NULL,
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
    if (c->len == sizeof(c->buf))
      respond_error(c, 431, true); /* the head does not fit */
    else
      post_recv(c);
    return;
  }
  c->consumed = (size_t)(end - c->buf);
  respond(c, c->buf, c->consumed);
}

/* ------------------------------------------------------------------------ */
/* Completions                                                               */
/* ------------------------------------------------------------------------ */

static void on_accept(struct server *sv, cport_completion_t *cc) {
  if (cc->status == 0) {
    struct conn *c = calloc(1, sizeof(*c));
    if (c == NULL) {
      cport_closesocket(cport_op_socket(cc->op));
    } else {
      ex_mutex_init(&c->lock);
      c->sv = sv;
      c->s = cport_op_socket(cc->op);
      c->file = CPORT_INVALID_HANDLE;
      c->last_active = ex_now();
      ex_count(&sv->accepted, 1);
      ex_mutex_lock(&c->lock);
      if (cport_associate(sv->io.port, c->s, (uintptr_t)c, 0) != 0) {
        conn_close(c);
      } else {
        arm_timer(c, sv->timeout_ms);
        post_recv(c);
      }
      bool done = conn_done(c);
      ex_mutex_unlock(&c->lock);
      if (done)
        conn_free(c);
    }
  }
  if (cc->status != CPORT_ECANCELED)
    cport_accept(sv->io.listener, NULL, 0, cc->op); /* keep it posted */
}

static void on_conn(struct conn *c, cport_completion_t *cc) {
  ex_mutex_lock(&c->lock);
  if (cc->op == &c->top) {
    c->timer_pending = false;
    if (!c->closing) {
      double idle_ms = (ex_now() - c->last_active) * 1000.0;
      if (idle_ms >= c->sv->timeout_ms)
        conn_close(c); /* idle, or a response stuck on a silent peer */
      else
        arm_timer(c, c->sv->timeout_ms - (uint32_t)idle_ms + 1);
    }
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
  sv.timeout_ms = (uint32_t)(a.timeout * 1000);
  ex_server_open(&sv.io, &a, KEY_LISTENER);
  printf("http-server: backend=%s port=%d root=%s threads=%d\n",
         cport_backend(sv.io.port), a.port, sv.root.real, a.threads);
  fflush(stdout);
  ex_server_run(&sv.io, a.threads, worker, &sv, KEY_QUIT);

  /* Open connections die with the process. */
  char backend[16];
  ex_server_close(&sv.io, backend, sizeof(backend));
  printf("http-server stats: backend=%s accepted=%llu requests=%llu "
         "errors=%llu\n",
         backend, (unsigned long long)sv.accepted,
         (unsigned long long)sv.requests, (unsigned long long)sv.errors);
  return 0;
}
