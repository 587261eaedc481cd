/*
 * raw-epoll-echo.c - the epoll baseline of bench-echo and bench-fair: a
 * single-threaded epoll echo server written for speed.
 *
 *   - Non-blocking sockets, level-triggered. One recv per readiness into
 *     the connection's 64 KiB buffer, then the echo is written at once
 *     with send(). Level-triggered epoll reports whatever is left on the
 *     next wait, so reading until EAGAIN would only add a failing recv per
 *     message (measured: slower with small messages), and the interest set
 *     never changes while sends keep up: no epoll_ctl per message.
 *   - Output the socket did not take stays in the buffer; the connection
 *     then waits for EPOLLOUT only (no reading meanwhile: back-pressure on
 *     a peer that does not read), flushes on it and goes back to EPOLLIN.
 *   - Accepts are drained until EAGAIN on each readiness of the listener.
 *
 *   raw-epoll-echo [--port] PORT [--threads N (ignored: one thread)]
 *
 * Listens on 127.0.0.1 only.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF 65536

struct conn {
  int fd;
  unsigned len, sent; /* bytes in buf waiting to go back */
  char buf[BUF];
};

static int ep;

static void drop(struct conn *c) {
  close(c->fd); /* also leaves the epoll set */
  free(c);
}

/* 0 when all pending bytes went out, 1 if the socket is full, -1 on error. */
static int flush(struct conn *c) {
  while (c->sent < c->len) {
    ssize_t n = send(c->fd, c->buf + c->sent, c->len - c->sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return errno == EAGAIN ? 1 : -1;
    c->sent += (unsigned)n;
  }
  return 0;
}

static int want(struct conn *c, unsigned events) {
  struct epoll_event ev = {.events = events, .data.ptr = c};
  return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void on_listener(int lfd) {
  int fd;
  while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
    struct conn *c = malloc(sizeof(*c));
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (c == NULL || (c->fd = fd, c->len = c->sent = 0,
                      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0)) {
      close(fd);
      free(c);
    }
  }
}

static void on_conn(struct conn *c) {
  if (c->sent < c->len) { /* was waiting for room to send */
    int r = flush(c);
    if (r < 0 || (r == 0 && want(c, EPOLLIN) != 0))
      drop(c);
    return;
  }
  ssize_t got = recv(c->fd, c->buf, BUF, 0);
  if (got <= 0) {
    if (got < 0 && (errno == EAGAIN || errno == EINTR))
      return;
    drop(c); /* end of stream, or an error */
    return;
  }
  c->len = (unsigned)got;
  c->sent = 0;
  int r = flush(c);
  if (r < 0 || (r == 1 && want(c, EPOLLOUT) != 0))
    drop(c);
}

int main(int argc, char **argv) {
  int port = 7000;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
      port = atoi(argv[++i]);
    else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
      i++; /* one thread whatever is asked: the flag is for uniform scripts */
    else if (argv[i][0] != '-')
      port = atoi(argv[i]);
    else {
      fprintf(stderr, "usage: raw-epoll-echo [--port] PORT [--threads N]\n");
      return 2;
    }
  }
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), on = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
      listen(lfd, 4096) != 0) {
    perror("raw-epoll-echo: listen");
    return 1;
  }
  ep = epoll_create1(0);
  struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) != 0) {
    perror("raw-epoll-echo: epoll");
    return 1;
  }
  struct epoll_event evs[512];
  for (;;) {
    int n = epoll_wait(ep, evs, 512, -1);
    for (int i = 0; i < n; i++) {
      if (evs[i].data.ptr == NULL)
        on_listener(lfd);
      else
        on_conn(evs[i].data.ptr);
    }
  }
}
