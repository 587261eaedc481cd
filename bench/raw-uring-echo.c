/*
 * raw-uring-echo.c - the io_uring baseline of bench-echo and bench-fair: an
 * echo server written the way io_uring is best used for sockets today, so
 * that cport's io_uring backend is measured against the strongest raw
 * server there is, not a naive one.
 *
 *   - One thread, one ring, IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN:
 *     completions are produced only when this thread asks for them, with
 *     no interrupting task work. Kernels without them fall back to
 *     COOP_TASKRUN, then to no flag. The ring's descriptor is registered.
 *   - One multishot accept serves every connection.
 *   - One multishot receive per connection, into a ring of provided
 *     buffers shared by all connections (registered with
 *     io_uring_register_buf_ring).
 *   - Every echo is sent straight from the buffer it was received into.
 *     One send in flight per connection; buffers received meanwhile queue
 *     behind it in order and leave together, with one sendmsg of up to 16
 *     buffers, when it completes. A short send is resumed where it
 *     stopped. A buffer goes back to the ring when its last byte is sent.
 *   - A receive that ends with ENOBUFS (the ring ran dry) leaves its
 *     connection on a waiting list; it is re-armed when buffers come back.
 *   - Each loop handles every completion, gives the freed buffers back
 *     with one tail update, then makes one io_uring_submit_and_wait(),
 *     which enters with IORING_ENTER_GETEVENTS (with DEFER_TASKRUN, that
 *     is where the kernel runs the deferred work and posts completions).
 *
 *   - 512 buffers of 16 KiB by default: 8 MiB that stay warmer in the
 *     caches than 4,096 (64 MiB). Paired against 4,096 (bench-ab.py, 6
 *     rounds of 2 s, one pinned thread): 0.934x and 0.935x the CPU per
 *     message at 64 x 4 KiB depth 4 (lower in 6 of 6 and 5 of 6 rounds),
 *     0.985x at 64 x 64 B; 256 and 1,024 gained less (0.985x, 0.986x).
 *
 *   raw-uring-echo [--port] PORT [--threads N (ignored: one thread)]
 *                  [--buffers 512] [--buffer-size 16384]
 *
 * Listens on 127.0.0.1 only. Says which setup it got on stderr.
 */
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

enum { OP_ACCEPT = 1, OP_RECV = 2, OP_SEND = 3 }; /* low bits of user_data */
#define OP_MASK 3u
#define BGID 0 /* the one buffer group */
#define NONE (-1)
#define BATCH 16 /* queued buffers one send may carry */

struct conn {
  int fd;
  int head, tail;  /* queued buffer ids, in order; head is being sent */
  unsigned off;    /* bytes of head already sent */
  bool recv_armed; /* the multishot receive is live */
  bool sending;    /* a send is in flight */
  bool eof;        /* no more input will come */
  bool dead;       /* a send failed: drop queued data, then close */
  bool waiting;    /* on the ENOBUFS list */
  struct conn *next_waiting;
  struct msghdr msg; /* a send of several queued buffers */
  struct iovec iov[BATCH];
};

static struct io_uring ring;
static struct io_uring_buf_ring *br;
static char *bufs;
static unsigned nbufs = 512, bufsize = 16384;
static int *buf_next;     /* per buffer: the next in its connection's queue */
static unsigned *buf_len; /* per buffer: bytes received into it */
static unsigned returned; /* buffers added to the ring, not yet published */
static struct conn *waiting; /* connections whose receive hit ENOBUFS */
static int lfd;

static void die(const char *what, int err) {
  fprintf(stderr, "raw-uring-echo: %s: %s\n", what, strerror(err));
  exit(1);
}

static struct io_uring_sqe *get_sqe(void) {
  struct io_uring_sqe *s = io_uring_get_sqe(&ring);
  while (s == NULL) { /* the SQ is full: hand it over and go on */
    io_uring_submit(&ring);
    s = io_uring_get_sqe(&ring);
  }
  return s;
}

static void *buf_addr(int bid) {
  return bufs + (size_t)bid * bufsize;
}

static void give_back(int bid) {
  io_uring_buf_ring_add(br, buf_addr(bid), bufsize, (unsigned short)bid,
                        io_uring_buf_ring_mask(nbufs), (int)returned);
  returned++;
}

static void arm_accept(void) {
  struct io_uring_sqe *s = get_sqe();
  io_uring_prep_multishot_accept(s, lfd, NULL, NULL, 0);
  io_uring_sqe_set_data64(s, OP_ACCEPT);
}

static void arm_recv(struct conn *c) {
  struct io_uring_sqe *s = get_sqe();
  io_uring_prep_recv_multishot(s, c->fd, NULL, 0, 0);
  s->flags |= IOSQE_BUFFER_SELECT;
  s->buf_group = BGID;
  io_uring_sqe_set_data64(s, (uint64_t)(uintptr_t)c | OP_RECV);
  c->recv_armed = true;
}

/* Sends what is queued from the head on: one buffer with send, several
 * (up to BATCH) with one sendmsg. */
static void send_head(struct conn *c) {
  struct io_uring_sqe *s = get_sqe();
  char *first = (char *)buf_addr(c->head) + c->off;
  unsigned first_len = buf_len[c->head] - c->off;
  if (buf_next[c->head] == NONE) {
    io_uring_prep_send(s, c->fd, first, first_len, MSG_NOSIGNAL);
  } else {
    int n = 0;
    c->iov[n++] = (struct iovec){first, first_len};
    for (int b = buf_next[c->head]; b != NONE && n < BATCH; b = buf_next[b])
      c->iov[n++] = (struct iovec){buf_addr(b), buf_len[b]};
    memset(&c->msg, 0, sizeof(c->msg));
    c->msg.msg_iov = c->iov;
    c->msg.msg_iovlen = (size_t)n;
    io_uring_prep_sendmsg(s, c->fd, &c->msg, MSG_NOSIGNAL);
  }
  io_uring_sqe_set_data64(s, (uint64_t)(uintptr_t)c | OP_SEND);
  c->sending = true;
}

static void drop_queue(struct conn *c) {
  while (c->head != NONE) {
    int next = buf_next[c->head];
    give_back(c->head);
    c->head = next;
  }
  c->tail = NONE;
  c->off = 0;
}

/* Close once nothing of the kernel's refers to the connection any more. */
static void maybe_close(struct conn *c) {
  if (c->recv_armed || c->sending || c->waiting)
    return;
  if (!c->dead && !(c->eof && c->head == NONE))
    return;
  drop_queue(c);
  close(c->fd);
  free(c);
}

static void on_accept(int res, unsigned flags) {
  if (res >= 0) {
    struct conn *c = calloc(1, sizeof(*c));
    if (c == NULL) {
      close(res);
    } else {
      c->fd = res;
      c->head = c->tail = NONE;
      arm_recv(c);
    }
  }
  if (!(flags & IORING_CQE_F_MORE))
    arm_accept(); /* the multishot ended (e.g. EMFILE): start it again */
}

static void on_recv(struct conn *c, int res, unsigned flags) {
  if (res > 0) {
    int bid = (int)(flags >> IORING_CQE_BUFFER_SHIFT);
    if (c->dead) {
      give_back(bid);
    } else {
      buf_len[bid] = (unsigned)res;
      buf_next[bid] = NONE;
      if (c->tail == NONE)
        c->head = bid;
      else
        buf_next[c->tail] = bid;
      c->tail = bid;
      if (!c->sending)
        send_head(c);
    }
  }
  if (flags & IORING_CQE_F_MORE)
    return;
  c->recv_armed = false;
  if (res == -ENOBUFS && !c->dead && !c->eof) {
    c->waiting = true; /* re-armed when buffers come back */
    c->next_waiting = waiting;
    waiting = c;
  } else if (res > 0 && !c->dead) {
    arm_recv(c); /* ended for another reason (e.g. CQ overflow) */
  } else if (res <= 0) {
    c->eof = true; /* end of stream, or an error: echo what is queued */
  }
  maybe_close(c);
}

static void on_send(struct conn *c, int res) {
  c->sending = false;
  if (res < 0) { /* the peer is gone */
    c->dead = true;
    drop_queue(c);
    if (c->recv_armed)
      shutdown(c->fd, SHUT_RDWR); /* ends the multishot receive */
  } else {
    /* Give back the buffers fully sent; a short send resumes where it
     * stopped, and what was queued meanwhile goes out with it. */
    unsigned left = (unsigned)res;
    while (c->head != NONE && left >= buf_len[c->head] - c->off) {
      int done = c->head;
      left -= buf_len[done] - c->off;
      c->off = 0;
      c->head = buf_next[done];
      give_back(done);
    }
    if (c->head == NONE)
      c->tail = NONE;
    else
      c->off += left;
    if (c->head != NONE)
      send_head(c);
  }
  maybe_close(c);
}

/* Publish the buffers given back in this loop; if there were any, re-arm
 * the connections that ran dry. */
static void publish_buffers(void) {
  if (returned == 0)
    return;
  io_uring_buf_ring_advance(br, (int)returned);
  returned = 0;
  struct conn *list = waiting;
  waiting = NULL;
  while (list != NULL) {
    struct conn *c = list;
    list = c->next_waiting;
    c->waiting = false;
    if (c->dead || c->eof)
      maybe_close(c);
    else
      arm_recv(c);
  }
}

static const char *setup_ring(void) {
  static const struct {
    unsigned flags;
    const char *name;
  } tries[] = {
      {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
       "single_issuer+defer_taskrun"},
      {IORING_SETUP_COOP_TASKRUN, "coop_taskrun"},
      {0, "plain"},
  };
  int rc = -EINVAL;
  for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
    struct io_uring_params p;
    memset(&p, 0, sizeof(p));
    p.flags = tries[i].flags | IORING_SETUP_CQSIZE;
    p.cq_entries = 4 * 4096;
    rc = io_uring_queue_init_params(4096, &ring, &p);
    if (rc == 0)
      return tries[i].name;
    if (rc != -EINVAL)
      break;
  }
  die("io_uring_queue_init", -rc);
  return NULL;
}

static void setup_buffers(void) {
  size_t ring_size = nbufs * sizeof(struct io_uring_buf);
  void *mem = mmap(NULL, ring_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  bufs = malloc((size_t)nbufs * bufsize);
  buf_next = calloc(nbufs, sizeof(*buf_next));
  buf_len = calloc(nbufs, sizeof(*buf_len));
  if (mem == MAP_FAILED || bufs == NULL || buf_next == NULL || buf_len == NULL)
    die("buffers", ENOMEM);
  br = mem;
  io_uring_buf_ring_init(br);
  struct io_uring_buf_reg reg;
  memset(&reg, 0, sizeof(reg));
  reg.ring_addr = (uint64_t)(uintptr_t)br;
  reg.ring_entries = nbufs;
  reg.bgid = BGID;
  int rc = io_uring_register_buf_ring(&ring, &reg, 0);
  if (rc != 0)
    die("io_uring_register_buf_ring (needs Linux 5.19)", -rc);
  for (unsigned i = 0; i < nbufs; i++)
    give_back((int)i);
  io_uring_buf_ring_advance(br, (int)returned);
  returned = 0;
}

static void usage(void) {
  fprintf(stderr, "usage: raw-uring-echo [--port] PORT [--threads N] "
                  "[--buffers N (power of two)] [--buffer-size N]\n");
  exit(2);
}

int main(int argc, char **argv) {
  int port = 7000;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
      port = atoi(argv[++i]);
    else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
      i++; /* one thread whatever is asked: the flag is for uniform scripts */
    else if (strcmp(argv[i], "--buffers") == 0 && i + 1 < argc)
      nbufs = (unsigned)atoi(argv[++i]);
    else if (strcmp(argv[i], "--buffer-size") == 0 && i + 1 < argc)
      bufsize = (unsigned)atoi(argv[++i]);
    else if (argv[i][0] != '-')
      port = atoi(argv[i]);
    else
      usage();
  }
  if (port <= 0 || port > 65535 || nbufs == 0 || nbufs > 32768 ||
      (nbufs & (nbufs - 1)) != 0 || bufsize == 0)
    usage();

  lfd = socket(AF_INET, SOCK_STREAM, 0);
  int on = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
      listen(lfd, 4096) != 0)
    die("listen", errno);

  const char *setup = setup_ring();
  io_uring_register_ring_fd(&ring); /* optional: saves a lookup per enter */
  setup_buffers();
  fprintf(stderr, "raw-uring-echo: port=%d setup=%s buffers=%ux%u\n", port,
          setup, nbufs, bufsize);

  arm_accept();
  for (;;) {
    int rc = io_uring_submit_and_wait(&ring, 1);
    if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY)
      die("io_uring_submit_and_wait", -rc);
    struct io_uring_cqe *cqe;
    unsigned head, n = 0;
    io_uring_for_each_cqe(&ring, head, cqe) {
      n++;
      uint64_t ud = io_uring_cqe_get_data64(cqe);
      struct conn *c = (struct conn *)(uintptr_t)(ud & ~(uint64_t)OP_MASK);
      switch (ud & OP_MASK) {
      case OP_ACCEPT:
        on_accept(cqe->res, cqe->flags);
        break;
      case OP_RECV:
        on_recv(c, cqe->res, cqe->flags);
        break;
      case OP_SEND:
        on_send(c, cqe->res);
        break;
      }
    }
    io_uring_cq_advance(&ring, n);
    publish_buffers();
  }
}
