/*
 * raw-uring-echo.c - baseline for bench-echo: the smallest reasonable
 * io_uring echo server. One thread, one ring, one accept re-armed after
 * each connection, recv -> send -> recv per connection, every CQE batch
 * answered with one io_uring_submit_and_wait().
 *
 *   raw-uring-echo PORT
 */
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { OP_ACCEPT = 0, OP_RECV = 1, OP_SEND = 2 };
#define BUF 65536

struct conn {
  int fd;
  unsigned len, sent;
  char buf[BUF];
};

static struct io_uring ring;

static struct io_uring_sqe *sqe(void) {
  struct io_uring_sqe *s = io_uring_get_sqe(&ring);
  if (s == NULL) {
    io_uring_submit(&ring);
    s = io_uring_get_sqe(&ring);
  }
  return s;
}

static void post(struct conn *c, int op) {
  struct io_uring_sqe *s = sqe();
  if (op == OP_RECV)
    io_uring_prep_recv(s, c->fd, c->buf, BUF, 0);
  else
    io_uring_prep_send(s, c->fd, c->buf + c->sent, c->len - c->sent, MSG_NOSIGNAL);
  io_uring_sqe_set_data64(s, (uint64_t)(uintptr_t)c | (uint64_t)op);
}

static void post_accept(int lfd) {
  struct io_uring_sqe *s = sqe();
  io_uring_prep_accept(s, lfd, NULL, NULL, 0);
  io_uring_sqe_set_data64(s, OP_ACCEPT);
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 7000;
  int lfd = socket(AF_INET, SOCK_STREAM, 0), on = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)}; /* loopback only */
  if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 1024) != 0) {
    perror("listen");
    return 1;
  }
  /* COOP_TASKRUN: the one thread that submits also reaps; no IPIs. */
  struct io_uring_params prm;
  memset(&prm, 0, sizeof(prm));
  prm.flags = IORING_SETUP_COOP_TASKRUN;
  if (io_uring_queue_init_params(4096, &ring, &prm) != 0) {
    perror("io_uring_queue_init");
    return 1;
  }
  post_accept(lfd);
  for (;;) {
    io_uring_submit_and_wait(&ring, 1);
    struct io_uring_cqe *cqe;
    unsigned head, n = 0;
    io_uring_for_each_cqe(&ring, head, cqe) {
      n++;
      uint64_t ud = io_uring_cqe_get_data64(cqe);
      int res = cqe->res;
      int op = (int)(ud & 3);
      struct conn *c = (struct conn *)(uintptr_t)(ud & ~(uint64_t)3);
      if (op == OP_ACCEPT) {
        if (res >= 0) {
          c = malloc(sizeof(*c));
          c->fd = res;
          post(c, OP_RECV);
        }
        post_accept(lfd);
      } else if (op == OP_RECV) {
        if (res <= 0) {
          close(c->fd);
          free(c);
        } else {
          c->len = (unsigned)res;
          c->sent = 0;
          post(c, OP_SEND);
        }
      } else {
        if (res < 0) {
          close(c->fd);
          free(c);
        } else if ((c->sent += (unsigned)res) < c->len) {
          post(c, OP_SEND);
        } else {
          post(c, OP_RECV);
        }
      }
    }
    io_uring_cq_advance(&ring, n);
  }
}
