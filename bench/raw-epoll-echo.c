/*
 * raw-epoll-echo.c - baseline for bench-echo: the smallest reasonable
 * epoll echo server. One thread, level-triggered, non-blocking sockets;
 * read what is there and write it back, waiting for EPOLLOUT only when
 * the socket's send buffer is full.
 *
 *   raw-epoll-echo PORT
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
  unsigned len, sent; /* bytes waiting to go back */
  char buf[BUF];
};

static int ep;

static void drop(struct conn *c) {
  close(c->fd);
  free(c);
}

/* Returns 0 when all pending bytes went out, 1 if blocked, -1 on error. */
static int flush(struct conn *c) {
  while (c->sent < c->len) {
    ssize_t n = send(c->fd, c->buf + c->sent, c->len - c->sent, MSG_NOSIGNAL);
    if (n < 0)
      return errno == EAGAIN ? 1 : -1;
    c->sent += (unsigned)n;
  }
  return 0;
}

static void want(struct conn *c, unsigned events) {
  struct epoll_event ev = {.events = events, .data.ptr = c};
  epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 7000;
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), on = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)}; /* loopback only */
  if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 1024) != 0) {
    perror("listen");
    return 1;
  }
  ep = epoll_create1(0);
  struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
  struct epoll_event evs[256];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; i++) {
      struct conn *c = evs[i].data.ptr;
      if (c == NULL) {
        int fd;
        while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          c = malloc(sizeof(*c));
          c->fd = fd;
          c->len = c->sent = 0;
          struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        }
        continue;
      }
      if (c->sent < c->len) { /* was blocked on a full send buffer */
        int r = flush(c);
        if (r < 0)
          drop(c);
        else if (r == 0)
          want(c, EPOLLIN);
        continue;
      }
      ssize_t got = recv(c->fd, c->buf, BUF, 0);
      if (got <= 0) {
        if (got < 0 && errno == EAGAIN)
          continue;
        drop(c);
        continue;
      }
      c->len = (unsigned)got;
      c->sent = 0;
      int r = flush(c);
      if (r < 0)
        drop(c);
      else if (r == 1)
        want(c, EPOLLOUT);
    }
  }
}
