/*
 * test-win32-sendbuf.c - what a WSASend that finished in the call
 * promises, whatever the program does next: its buffer is free at once,
 * its bytes arrive in order, before a shutdown's end of stream or a
 * blocking send's bytes, and neither closing the socket at once nor
 * cancelling its I/O loses them; a send with no room waits, pending, and
 * still keeps the order. Written only against the Win32 API, so the same
 * answers are checked against real Winsock on Windows.
 *
 * On Linux the suite runs with $CPORT_SENDBUF=always: on io_uring every
 * such send is then copied into cport's send buffer and sent by the ring
 * after the call (src/linux/engine-sendbuf.c; docs/design.md §3), which
 * is what these promises test. On epoll the sends run in the call.
 */
#include <stdlib.h>

#include "win32-util.h"

#ifndef _WIN32
#  include <fcntl.h>
#  include <netinet/in.h>
#  include <netinet/tcp.h>
#  include <sys/syscall.h>
#  include <sys/wait.h>
#  include <unistd.h>
#endif

#define MSGS 40
#define MSG_LEN 1000

static char pattern(int msg, int at) {
  return (char)(msg * 7 + at * 3 + 1);
}

/* MSGS sends of MSG_LEN bytes on s, each finished in the call with every
 * byte; each buffer is overwritten as soon as its call returns. */
static void send_all(SOCKET s, OVERLAPPED *ov, char (*bufs)[MSG_LEN]) {
  for (int i = 0; i < MSGS; i++) {
    for (int k = 0; k < MSG_LEN; k++)
      bufs[i][k] = pattern(i, k);
    WSABUF wb = {MSG_LEN, bufs[i]};
    DWORD sent = 0;
    memset(&ov[i], 0, sizeof(ov[i]));
    assert_int_equal(WSASend(s, &wb, 1, &sent, 0, &ov[i], NULL), 0);
    assert_int_equal(sent, MSG_LEN);
    memset(bufs[i], 0x5a, MSG_LEN); /* the caller's to reuse at once */
  }
}

/* Reads what send_all sent from c, checking every byte; with eof, then
 * expects the orderly end of the stream. */
static void read_all(SOCKET c, bool eof) {
  w_set_rcvtimeo(c, 5000);
  char *in = malloc(MSGS * MSG_LEN);
  assert_non_null(in);
  int got = 0;
  while (got < MSGS * MSG_LEN) {
    int n = recv(c, in + got, MSGS * MSG_LEN - got, 0);
    assert_true(n > 0);
    got += n;
  }
  for (int i = 0; i < MSGS; i++)
    for (int k = 0; k < MSG_LEN; k++)
      if (in[i * MSG_LEN + k] != pattern(i, k))
        fail_msg("byte %d of message %d differs", k, i);
  if (eof) {
    char one;
    assert_int_equal(recv(c, &one, 1, 0), 0); /* FIN, not a reset */
  }
  free(in);
}

/* The packets of send_all, in the order of the calls, each with every
 * byte. */
static void expect_packets(HANDLE port, OVERLAPPED *ov) {
  for (int i = 0; i < MSGS; i++) {
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *got;
    assert_true(w_next(port, &bytes, &key, &got, 5000));
    assert_ptr_equal(got, &ov[i]);
    assert_int_equal(bytes, MSG_LEN);
    assert_int_equal(key, 7);
  }
}

struct sends {
  OVERLAPPED ov[MSGS];
  char bufs[MSGS][MSG_LEN];
};

static void sends_that_finished_arrive_in_order(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 7, 0), port);
  struct sends *s = calloc(1, sizeof(*s));
  assert_non_null(s);
  send_all(srv, s->ov, s->bufs);
  expect_packets(port, s->ov);
  read_all(cli, false);
  w_expect_nothing(port, 50);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
  free(s);
}

/* With FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, sends that finished in the
 * call post nothing, and their bytes go out once: nothing more follows
 * them. (The send buffer's "not buffered" answer once equalled
 * CPORT_COMPLETED, so a finished send was sent again and completed twice
 * its bytes.) */
static void skip_mode_sends_go_out_once(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 7, 0), port);
  assert_true(SetFileCompletionNotificationModes(
      (HANDLE)srv, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  struct sends *s = calloc(1, sizeof(*s));
  assert_non_null(s);
  send_all(srv, s->ov, s->bufs);
  for (int i = 0; i < MSGS; i++) {
    assert_true(HasOverlappedIoCompleted(&s->ov[i]));
    assert_int_equal(s->ov[i].InternalHigh, MSG_LEN);
  }
  read_all(cli, false);
  w_set_rcvtimeo(cli, 200);
  char extra;
  assert_int_equal(recv(cli, &extra, 1, 0), SOCKET_ERROR); /* nothing more */
  w_expect_nothing(port, 50);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
  free(s);
}

/* closesocket right after the sends is a graceful close (Windows' default
 * without SO_LINGER): every byte the sends took still arrives, then the
 * end of the stream; the packets already queued stay on the port. */
static void close_right_after_sends_delivers_every_byte(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 7, 0), port);
  struct sends *s = calloc(1, sizeof(*s));
  assert_non_null(s);
  send_all(srv, s->ov, s->bufs);
  assert_int_equal(closesocket(srv), 0);
  read_all(cli, true);
  expect_packets(port, s->ov);
  w_expect_nothing(port, 50);
  closesocket(cli);
  assert_true(CloseHandle(port));
  free(s);
}

/* A hard close (SO_LINGER on, no time) right after the sends resets the
 * connection: what was not sent yet is discarded, and the peer reads a
 * reset, not the orderly end. */
static void hard_close_after_sends_resets(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 7, 0), port);
  struct sends *s = calloc(1, sizeof(*s));
  assert_non_null(s);
  send_all(srv, s->ov, s->bufs);
  LINGER lg;
  lg.l_onoff = 1;
  lg.l_linger = 0;
  assert_int_equal(
      setsockopt(srv, SOL_SOCKET, SO_LINGER, (char *)&lg, sizeof(lg)), 0);
  assert_int_equal(closesocket(srv), 0);
  w_set_rcvtimeo(cli, 5000);
  char in[4096];
  int n, total = 0;
  while ((n = recv(cli, in, sizeof(in), 0)) > 0)
    total += n;
  int err = n == SOCKET_ERROR ? WSAGetLastError() : 0;
  assert_true(total <= MSGS * MSG_LEN);
  expect_packets(port, s->ov);
  closesocket(cli);
  assert_true(CloseHandle(port));
  free(s);
  if (n == 0 && h_on_wine())
    H_SKIP("known Wine difference: recv on a connection the peer reset "
           "with a hard close returns 0, the orderly end (Windows: "
           "WSAECONNRESET); see docs/windows.md");
  assert_int_equal(n, SOCKET_ERROR);
  assert_int_equal(err, WSAECONNRESET);
}

/* shutdown(SD_SEND) right after the sends: the end of the stream comes
 * after every byte they took. */
static void shutdown_after_sends_sends_them_first(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 7, 0), port);
  struct sends *s = calloc(1, sizeof(*s));
  assert_non_null(s);
  send_all(srv, s->ov, s->bufs);
  assert_int_equal(shutdown(srv, SD_SEND), 0);
  read_all(cli, true);
  expect_packets(port, s->ov);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
  free(s);
}

/* Overlapped sends that finish, then "tail" written the synchronous way
 * (send, or WriteFile without an OVERLAPPED): the peer reads the sends'
 * bytes, then the tail. */
static void sends_then_tail(bool with_writefile) {
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 7, 0), port);
  struct sends *s = calloc(1, sizeof(*s));
  assert_non_null(s);
  send_all(srv, s->ov, s->bufs);
  if (with_writefile) {
    DWORD wrote = 0;
    assert_true(WriteFile((HANDLE)srv, "tail", 4, &wrote, NULL));
    assert_int_equal(wrote, 4);
  } else {
    assert_int_equal(send(srv, "tail", 4, 0), 4);
  }
  read_all(cli, false);
  char tail[4];
  int got = 0;
  while (got < 4) {
    int n = recv(cli, tail + got, 4 - got, 0);
    assert_true(n > 0);
    got += n;
  }
  assert_memory_equal(tail, "tail", 4);
  expect_packets(port, s->ov);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
  free(s);
}

/* A blocking send (no OVERLAPPED) after overlapped ones that finished
 * sends its bytes after theirs. */
static void blocking_send_after_sends_keeps_the_order(void **state) {
  (void)state;
  sends_then_tail(false);
}

/* A WriteFile without an OVERLAPPED after sends that finished sends its
 * bytes after theirs, as a blocking send does. */
static void writefile_after_sends_keeps_the_order(void **state) {
  (void)state;
  sends_then_tail(true);
}

/* A send that finished is not the program's to cancel: CancelIoEx finds
 * nothing, and the bytes still arrive. */
static void cancel_after_sends_stops_nothing(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 7, 0), port);
  struct sends *s = calloc(1, sizeof(*s));
  assert_non_null(s);
  send_all(srv, s->ov, s->bufs);
  BOOL cancelled = CancelIoEx((HANDLE)srv, NULL);
  DWORD err = GetLastError();
  read_all(cli, false);
  expect_packets(port, s->ov);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
  free(s);
  if (cancelled && h_on_wine())
    H_SKIP("known Wine difference: CancelIoEx on a socket with nothing "
           "pending returns TRUE (Windows: FALSE, ERROR_NOT_FOUND); see "
           "docs/windows.md");
  assert_false(cancelled);
  assert_int_equal(err, ERROR_NOT_FOUND);
}

#define BIG_MSGS 64
#define BIG_LEN (16 * 1024)

/* With the peer not reading, sends soon find no room: they return
 * WSA_IO_PENDING (or finish, while there is room) and, once the peer
 * reads, complete with every byte, in order. */
static void sends_without_room_wait_and_keep_the_order(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 7, 0), port);
  char *out = malloc((size_t)BIG_MSGS * BIG_LEN);
  OVERLAPPED *ov = calloc(BIG_MSGS, sizeof(*ov));
  assert_non_null(out);
  assert_non_null(ov);
  for (int i = 0; i < BIG_MSGS * BIG_LEN; i++)
    out[i] = pattern(i / BIG_LEN, i % BIG_LEN);
  int at_once = 0, pending = 0;
  for (int i = 0; i < BIG_MSGS; i++) {
    WSABUF wb = {BIG_LEN, out + (size_t)i * BIG_LEN};
    DWORD sent = 0;
    if (WSASend(srv, &wb, 1, &sent, 0, &ov[i], NULL) == 0) {
      assert_int_equal(sent, BIG_LEN);
      at_once++;
    } else {
      assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
      pending++;
    }
  }
  assert_int_equal(at_once + pending, BIG_MSGS);
  w_set_rcvtimeo(cli, 5000);
  char *in = malloc((size_t)BIG_MSGS * BIG_LEN);
  assert_non_null(in);
  int got = 0;
  while (got < BIG_MSGS * BIG_LEN) {
    int n = recv(cli, in + got, BIG_MSGS * BIG_LEN - got, 0);
    assert_true(n > 0);
    got += n;
  }
  assert_memory_equal(in, out, (size_t)BIG_MSGS * BIG_LEN);
  for (int i = 0; i < BIG_MSGS; i++) {
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *done;
    assert_true(w_next(port, &bytes, &key, &done, 5000));
    assert_true(done >= ov && done < ov + BIG_MSGS);
    assert_int_equal(bytes, BIG_LEN);
  }
  w_expect_nothing(port, 50);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
  free(in);
  free(out);
  free(ov);
}

/* Closing the port while a closed socket's sends still wait for a peer
 * that does not read ends them: CloseHandle returns, nothing hangs. */
static void closing_the_port_ends_waiting_sends(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 7, 0), port);
  char *out = calloc(BIG_MSGS, BIG_LEN); /* 1 MiB: more than the peer takes */
  OVERLAPPED *ov = calloc(BIG_MSGS, sizeof(*ov));
  assert_non_null(out);
  assert_non_null(ov);
  for (int i = 0; i < BIG_MSGS; i++) {
    WSABUF wb = {BIG_LEN, out + (size_t)i * BIG_LEN};
    if (WSASend(srv, &wb, 1, NULL, 0, &ov[i], NULL) != 0)
      assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
  }
  assert_int_equal(closesocket(srv), 0);
  ULONGLONG t0 = w_now_ms();
  assert_true(CloseHandle(port));
  assert_true(w_now_ms() - t0 < 5000);
  closesocket(cli);
  free(out);
  free(ov);
}

/* Sends that finished in the call while the peer read nothing, then the
 * socket closed and the port closed before the peer reads: every byte of
 * every finished send still arrives, then the orderly end ("any data
 * queued for transmission will be sent, if possible, before the
 * underlying socket is closed", closesocket): the port lives on while
 * the closed socket's sends run, as on Windows. */
/* MSG_LEN bytes of the stream from byte at on, into buf. */
static void stream_at(char *buf, size_t at) {
  for (size_t i = 0; i < MSG_LEN; i++)
    buf[i] = pattern((int)((at + i) / MSG_LEN), (int)((at + i) % MSG_LEN));
}

/* A connected pair whose kernel buffers are full: non-blocking sends
 * until they refuse. The peer's receive buffer is small (set before it
 * connects: its window stays small); so is the sender's with small_snd,
 * else Linux sizes it (up to megabytes). The sender then joins port
 * (key 7) unless it is NULL. Returns the stream's bytes sent so far. */
static size_t filled_pair(HANDLE port, SOCKET *srv, SOCKET *cli, char *msg,
                          bool small_snd) {
  int small = 4096;
  struct sockaddr_in a;
  SOCKET l = w_listener(&a);
  *cli = w_tcp();
  assert_int_equal(setsockopt(*cli, SOL_SOCKET, SO_RCVBUF, (const char *)&small,
                              sizeof(small)),
                   0);
  assert_int_equal(connect(*cli, (struct sockaddr *)&a, sizeof(a)), 0);
  *srv = accept(l, NULL, NULL);
  assert_true(h_socket_ok(*srv));
  closesocket(l);
  if (small_snd)
    assert_int_equal(setsockopt(*srv, SOL_SOCKET, SO_SNDBUF,
                                (const char *)&small, sizeof(small)),
                     0);
  u_long on = 1, off = 0;
  assert_int_equal(ioctlsocket(*srv, (long)FIONBIO, &on), 0);
  size_t at = 0;
  for (;;) {
    stream_at(msg, at);
    int n = send(*srv, msg, MSG_LEN, 0);
    if (n <= 0)
      break;
    at += (size_t)n;
  }
  assert_int_equal(WSAGetLastError(), WSAEWOULDBLOCK);
  assert_int_equal(ioctlsocket(*srv, (long)FIONBIO, &off), 0);
  if (port != NULL)
    assert_ptr_equal(CreateIoCompletionPort((HANDLE)*srv, port, 7, 0), port);
  return at;
}

/* Overlapped sends on srv (on port) from stream byte at until one cannot
 * finish in the call (cport's send buffer is full too); that one is
 * cancelled. Returns the stream's bytes sent, every packet taken. */
static size_t sends_until_full(HANDLE port, SOCKET srv, char *msg, size_t at) {
  enum { MAX_SENDS = 16384 };
  OVERLAPPED *ov = calloc(MAX_SENDS, sizeof(*ov));
  assert_non_null(ov);
  int n = 0; /* all but the last finished in the call */
  for (; n < MAX_SENDS; n++) {
    stream_at(msg, at);
    WSABUF wb = {MSG_LEN, msg};
    DWORD sent = 0;
    if (WSASend(srv, &wb, 1, &sent, 0, &ov[n], NULL) != 0)
      break;
    assert_int_equal(sent, MSG_LEN);
    at += MSG_LEN;
  }
  assert_int_equal(WSAGetLastError(), WSA_IO_PENDING); /* no room left */
  assert_true(CancelIoEx((HANDLE)srv, &ov[n]));
  for (int i = 0; i <= n; i++) { /* every packet, the cancelled one's */
    DWORD bytes = 0;
    ULONG_PTR key;
    OVERLAPPED *got = NULL;
    BOOL ok = w_next(port, &bytes, &key, &got, 5000);
    assert_non_null(got);
    if (got == &ov[n])
      at += bytes; /* (none, or the part that left before the cancel) */
    else
      assert_true(ok && bytes == MSG_LEN);
  }
  free(ov);
  return at;
}

/* Reads cli to its end: exactly the stream's first want bytes. */
static void read_stream(SOCKET cli, size_t want) {
  w_set_rcvtimeo(cli, 5000);
  size_t got = 0;
  char *in = malloc(want + 1);
  assert_non_null(in);
  while (got < want + 1) {
    int r = recv(cli, in + got, (int)(want + 1 - got), 0);
    assert_true(r >= 0);
    if (r == 0)
      break;
    got += (size_t)r;
  }
  assert_int_equal(got, want);
  for (size_t i = 0; i < want; i++)
    if (in[i] != pattern((int)(i / MSG_LEN), (int)(i % MSG_LEN)))
      fail_msg("byte %lu differs", (unsigned long)i);
  free(in);
}

static void sends_that_finished_outlive_the_port(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  char msg[MSG_LEN];
  SOCKET srv, cli;
  size_t at = filled_pair(port, &srv, &cli, msg, true);
  at = sends_until_full(port, srv, msg, at);
  assert_int_equal(closesocket(srv), 0);
  assert_true(CloseHandle(port));
  read_stream(cli, at);
  closesocket(cli);
}

/* shutdown(SD_SEND) while overlapped sends are still pending (the peer
 * reads nothing yet): it refuses only later sends ("SD_SEND, subsequent
 * sends are disallowed"); the pending ones end with every byte, and the
 * peer gets them all, then the end ("a FIN will be sent after all data
 * is sent and acknowledged by the receiver", shutdown). Each send is
 * larger than cport's send buffer takes, so they wait as the program's
 * own. */
static void shutdown_waits_for_pending_sends(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  char msg[MSG_LEN];
  SOCKET srv, cli;
  size_t at = filled_pair(port, &srv, &cli, msg, true);
  enum { SENDS = 4, EACH = 128 * 1024 };
  char *big = malloc((size_t)SENDS * EACH);
  OVERLAPPED ov[SENDS];
  assert_non_null(big);
  for (int i = 0; i < SENDS; i++) {
    char *part = big + (size_t)i * EACH;
    for (size_t k = 0; k < EACH; k += MSG_LEN) {
      stream_at(msg, at + k);
      memcpy(part + k, msg, EACH - k < MSG_LEN ? EACH - k : MSG_LEN);
    }
    at += EACH;
    WSABUF wb = {EACH, part};
    memset(&ov[i], 0, sizeof(ov[i]));
    if (WSASend(srv, &wb, 1, NULL, 0, &ov[i], NULL) != 0)
      assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
  }
  assert_int_equal(shutdown(srv, SD_SEND), 0);
  WSABUF late = {1, msg};
  OVERLAPPED lov;
  memset(&lov, 0, sizeof(lov));
  assert_int_equal(WSASend(srv, &late, 1, NULL, 0, &lov, NULL), SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAESHUTDOWN);
  read_stream(cli, at);
  for (int i = 0; i < SENDS; i++) {
    DWORD bytes = 0;
    ULONG_PTR key;
    OVERLAPPED *got = NULL;
    assert_true(w_next(port, &bytes, &key, &got, 5000));
    assert_ptr_equal(got, &ov[i]);
    assert_int_equal(bytes, EACH);
  }
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
  free(big);
}

#ifndef _WIN32
/* The same, and then the process exits (a child, made before any port
 * of this program has a thread): every byte still arrives, though the
 * last sends finished into cport's send buffer (which goes with the
 * process's memory) while the peer read nothing. On Windows they are
 * the transport's; here cport makes the kernel take them as it exits. */
static void outlive_the_process(bool small_snd) {
  char msg[MSG_LEN];
  SOCKET srv, cli;
  size_t at = filled_pair(NULL, &srv, &cli, msg, small_snd);
  int pipefd[2];
  assert_int_equal(pipe(pipefd), 0);
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    if (port == NULL || CreateIoCompletionPort((HANDLE)srv, port, 7, 0) != port)
      _exit(2);
    at = sends_until_full(port, srv, msg, at);
    closesocket(srv);
    if (write(pipefd[1], &at, sizeof(at)) != (ssize_t)sizeof(at))
      _exit(3);
    exit(0); /* (the exit's handlers run: not _exit) */
  }
  close((int)srv); /* the child's now: no call of the layer's on it */
  close(pipefd[1]);
  size_t sent = 0;
  assert_int_equal(read(pipefd[0], &sent, sizeof(sent)), sizeof(sent));
  close(pipefd[0]);
  int status = -1;
  assert_int_equal(waitpid(child, &status, 0), child);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  read_stream(cli, sent);
  closesocket(cli);
}

/* With the sender's kernel buffer small, and as large as Linux makes it
 * (which a grown buffer must exceed by more than the bytes: a writer is
 * let in only once half of what is queued is free). */
static void sends_that_finished_outlive_the_process(void **state) {
  (void)state;
  outlive_the_process(true);
  outlive_the_process(false);
}
#endif

#ifndef _WIN32
/* The system's own socket options (the layer's header gives setsockopt
 * and getsockopt Winsock's signature). */
static int raw_setsockopt(SOCKET s, int level, int name, unsigned v) {
  return (int)syscall(SYS_setsockopt, (int)s, level, name, &v, sizeof(v));
}
static unsigned raw_getsockopt(SOCKET s, int level, int name) {
  unsigned v = 0;
  socklen_t len = sizeof(v);
  assert_int_equal(syscall(SYS_getsockopt, (int)s, level, name, &v, &len), 0);
  return v;
}

#  define FILL_SENDS 8192 /* 128 MiB at most */

/* Sends until the socket takes no more, as a peer that never reads
 * leaves it (a pending send that does not complete within 300 ms: the
 * kernel's buffers and cport's are full), then closes: whether the socket
 * lingers (cport still holds buffered sends, and the fd). */
static bool fill_and_close(HANDLE port, SOCKET srv, char *out, OVERLAPPED *ov) {
  for (int i = 0; i < FILL_SENDS; i++) {
    WSABUF wb = {BIG_LEN, out};
    memset(&ov[i], 0, sizeof(ov[i]));
    if (WSASend(srv, &wb, 1, NULL, 0, &ov[i], NULL) == 0)
      continue;
    assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
    /* Wait for it (taking the packets before it, failed ones too): room
     * came, or none. */
    bool done = false;
    for (;;) {
      DWORD bytes;
      ULONG_PTR key;
      OVERLAPPED *got = NULL;
      (void)GetQueuedCompletionStatus(port, &bytes, &key, &got, 300);
      if (got == NULL || got == &ov[i]) {
        done = got != NULL;
        break;
      }
    }
    if (!done)
      break;
  }
  assert_int_equal(closesocket(srv), 0);
  return fcntl((int)srv, F_GETFD) >= 0;
}

/* Linux: a socket closed with sends still buffered for a peer that never
 * reads lingers only while its connection may make no progress (the
 * program's TCP_USER_TIMEOUT, else a timed SO_LINGER's time, else 2
 * minutes): then the kernel gives the connection up, the sends end and
 * the fd is closed, as Windows' kernel lets go of such a connection; it
 * is not held until the port closes. */
static void lingering_socket_gives_up_on_a_peer_that_never_reads(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  char *out = calloc(1, BIG_LEN);
  OVERLAPPED *ov = calloc(FILL_SENDS, sizeof(*ov));
  assert_non_null(out);
  assert_non_null(ov);
  SOCKET srv, cli;
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 7, 0), port);
  assert_int_equal(raw_setsockopt(srv, IPPROTO_TCP, TCP_USER_TIMEOUT, 500), 0);
  /* The kernel's clock starts as the peer's window closes, during the
   * fill (which waits up to 300 ms for room), not at the close: the time
   * is taken before it. */
  ULONGLONG t0 = w_now_ms();
  bool lingered = fill_and_close(port, srv, out, ov);
  if (lingered) {
    while (fcntl((int)srv, F_GETFD) >= 0 && w_now_ms() - t0 < 10000)
      Sleep(20);
    assert_int_equal(fcntl((int)srv, F_GETFD), -1); /* let go */
    print_message("let go %llu ms after the fill began\n",
                  (unsigned long long)(w_now_ms() - t0));
    assert_true(w_now_ms() - t0 >= 450); /* not before */
  }
  closesocket(cli);

  /* The program set no limit: cport sets 2 minutes as the socket starts
   * to linger, and the socket still lingers a second later (the port's
   * close ends it here). */
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 7, 0), port);
  assert_int_equal(raw_getsockopt(srv, IPPROTO_TCP, TCP_USER_TIMEOUT), 0);
  if (fill_and_close(port, srv, out, ov)) {
    lingered = true;
    assert_int_equal(raw_getsockopt(srv, IPPROTO_TCP, TCP_USER_TIMEOUT),
                     120000);
    Sleep(1000);
    assert_true(fcntl((int)srv, F_GETFD) >= 0);
  }
  closesocket(cli);

  /* A timed SO_LINGER is the limit: the connection gives up after it. */
  w_pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 7, 0), port);
  struct linger lg = {1, 1};
  assert_int_equal(
      setsockopt(srv, SOL_SOCKET, SO_LINGER, (const char *)&lg, sizeof(lg)), 0);
  if (fill_and_close(port, srv, out, ov)) {
    assert_int_equal(raw_getsockopt(srv, IPPROTO_TCP, TCP_USER_TIMEOUT), 1000);
    ULONGLONG t1 = w_now_ms();
    while (fcntl((int)srv, F_GETFD) >= 0 && w_now_ms() - t1 < 10000)
      Sleep(20);
    assert_int_equal(fcntl((int)srv, F_GETFD), -1);
  }
  assert_true(CloseHandle(port));
  closesocket(cli);
  free(out);
  free(ov);
  if (!lingered)
    H_SKIP("nothing lingered: this backend sent in the calls");
}
#endif

int main(void) {
#ifndef _WIN32
  setenv("CPORT_SENDBUF", "always", 1); /* every send buffered on io_uring */
#endif
  const struct CMUnitTest tests[] = {
#ifndef _WIN32
      /* First: it forks, while no port of this program has a thread. */
      cmocka_unit_test(sends_that_finished_outlive_the_process),
#endif
      cmocka_unit_test(sends_that_finished_arrive_in_order),
      cmocka_unit_test(skip_mode_sends_go_out_once),
      cmocka_unit_test(close_right_after_sends_delivers_every_byte),
      cmocka_unit_test(hard_close_after_sends_resets),
      cmocka_unit_test(shutdown_after_sends_sends_them_first),
      cmocka_unit_test(blocking_send_after_sends_keeps_the_order),
      cmocka_unit_test(writefile_after_sends_keeps_the_order),
      cmocka_unit_test(cancel_after_sends_stops_nothing),
      cmocka_unit_test(sends_without_room_wait_and_keep_the_order),
      cmocka_unit_test(closing_the_port_ends_waiting_sends),
      cmocka_unit_test(sends_that_finished_outlive_the_port),
      cmocka_unit_test(shutdown_waits_for_pending_sends),
#ifndef _WIN32
      cmocka_unit_test(lingering_socket_gives_up_on_a_peer_that_never_reads),
#endif
  };
  return W_RUN("win32-sendbuf", tests);
}
