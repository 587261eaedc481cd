/*
 * uv-echo.c - the libuv peer of bench-echo: an echo server on one libuv
 * event loop, written the way libuv serves best.
 *
 *   - uv_tcp per connection; alloc_cb hands out the connection's own
 *     buffer (no allocation per read).
 *   - read_cb echoes with uv_try_write first: on loopback the whole echo
 *     almost always goes out at once, with no request and no callback.
 *   - Whatever did not fit is queued with uv_write from the same buffer,
 *     and reading stops until that write completes (the buffer is in use,
 *     and a peer that does not read is not read either: back-pressure).
 *
 *   uv-echo [--port] PORT [--threads N (ignored: one loop)]
 *
 * Listens on 127.0.0.1 only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define BUF 65536

struct conn {
  uv_tcp_t tcp; /* first: the handle's address is the connection's */
  uv_write_t wr;
  char buf[BUF];
};

static uv_loop_t *loop;

static void on_closed(uv_handle_t *h) {
  free(h);
}

static void conn_close(struct conn *c) {
  if (!uv_is_closing((uv_handle_t *)&c->tcp))
    uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b) {
  (void)hint;
  struct conn *c = (struct conn *)h;
  *b = uv_buf_init(c->buf, BUF);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b);

static void on_written(uv_write_t *w, int status) {
  struct conn *c = w->data;
  if (status != 0 ||
      uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
    conn_close(c);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
  struct conn *c = (struct conn *)s;
  if (n < 0) { /* UV_EOF or an error */
    conn_close(c);
    return;
  }
  if (n == 0)
    return; /* EAGAIN: nothing this time */
  uv_buf_t echo = uv_buf_init(b->base, (unsigned)n);
  int sent = uv_try_write(s, &echo, 1);
  if (sent == (int)n)
    return;
  if (sent < 0 && sent != UV_EAGAIN) {
    conn_close(c);
    return;
  }
  if (sent < 0)
    sent = 0;
  uv_buf_t rest = uv_buf_init(b->base + sent, (unsigned)(n - sent));
  c->wr.data = c;
  uv_read_stop(s);
  if (uv_write(&c->wr, s, &rest, 1, on_written) != 0)
    conn_close(c);
}

static void on_connection(uv_stream_t *server, int status) {
  if (status != 0)
    return;
  struct conn *c = malloc(sizeof(*c));
  if (c == NULL)
    return;
  uv_tcp_init(loop, &c->tcp);
  if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 ||
      uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
    conn_close(c);
}

int main(int argc, char **argv) {
  int port = 7000;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
      port = atoi(argv[++i]);
    else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
      i++; /* one loop whatever is asked: the flag is for uniform scripts */
    else if (argv[i][0] != '-')
      port = atoi(argv[i]);
    else {
      fprintf(stderr, "usage: uv-echo [--port] PORT [--threads N]\n");
      return 2;
    }
  }
  loop = uv_default_loop();
  uv_tcp_t server;
  struct sockaddr_in a;
  uv_ip4_addr("127.0.0.1", port, &a);
  uv_tcp_init(loop, &server);
  int rc = uv_tcp_bind(&server, (const struct sockaddr *)&a, 0);
  if (rc == 0)
    rc = uv_listen((uv_stream_t *)&server, 4096, on_connection);
  if (rc != 0) {
    fprintf(stderr, "uv-echo: listen on port %d: %s\n", port, uv_strerror(rc));
    return 1;
  }
  fprintf(stderr, "uv-echo: port=%d libuv=%s\n", port, uv_version_string());
  return uv_run(loop, UV_RUN_DEFAULT);
}
