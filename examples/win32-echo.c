/*
 * win32-echo.c - an IOCP echo server written only against the Win32 API,
 * in the classic shape: a per-I/O record that extends OVERLAPPED with an
 * opcode, a per-connection completion key, AcceptEx kept posted with
 * pre-created sockets, and worker threads sized from GetSystemInfo.
 *
 * The same file builds natively for Windows and, through cport_win32.h,
 * on Linux (io_uring or epoll, chosen by $CPORT_BACKEND). It listens on
 * loopback unless --bind says otherwise (IPv4 or IPv6; 0.0.0.0 or :: for
 * every address).
 *
 *   win32-echo [--bind 127.0.0.1] [--port 7000] [--accepts 16]
 *              (other flags are ignored)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cport_win32.h"

#define BUF_SIZE 16384
#define ADDR_ROOM (sizeof(struct sockaddr_in6) + 16)

enum opcode { OP_ACCEPT, OP_RECV, OP_SEND };

/* Per-I/O data: the OVERLAPPED first, then what the completion needs. */
struct io {
  OVERLAPPED ov;
  enum opcode op;
  SOCKET accepted; /* OP_ACCEPT: the socket AcceptEx fills */
  WSABUF wb;
  char buf[BUF_SIZE + 2 * ADDR_ROOM];
};

/* Per-handle data: the completion key of a connection. */
struct conn {
  SOCKET s;
  struct io rx, tx;
};

static HANDLE port;
static SOCKET listener;
static int family = AF_INET; /* the listener's, for AcceptEx's sockets */
static LPFN_ACCEPTEX pAcceptEx;
static volatile LONG connections, messages;

static void post_accept(struct io *io) {
  memset(&io->ov, 0, sizeof(io->ov));
  io->op = OP_ACCEPT;
  io->accepted =
      WSASocket(family, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
  if (io->accepted == INVALID_SOCKET)
    return;
  if (!pAcceptEx(listener, io->accepted, io->buf, 0, ADDR_ROOM, ADDR_ROOM, NULL,
                 &io->ov) &&
      WSAGetLastError() != WSA_IO_PENDING) {
    closesocket(io->accepted);
    io->accepted = INVALID_SOCKET;
  }
}

static void close_conn(struct conn *c) {
  closesocket(c->s);
  free(c);
  InterlockedDecrement(&connections);
}

static void post_recv(struct conn *c) {
  DWORD flags = 0, bytes;
  memset(&c->rx.ov, 0, sizeof(c->rx.ov));
  c->rx.op = OP_RECV;
  c->rx.wb.buf = c->rx.buf;
  c->rx.wb.len = BUF_SIZE;
  if (WSARecv(c->s, &c->rx.wb, 1, &bytes, &flags, &c->rx.ov, NULL) ==
          SOCKET_ERROR &&
      WSAGetLastError() != WSA_IO_PENDING)
    close_conn(c);
}

static void on_accept(struct io *io) {
  SOCKET s = io->accepted;
  setsockopt(s, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (char *)&listener,
             sizeof(listener));
  struct conn *c = calloc(1, sizeof(*c));
  if (c != NULL && CreateIoCompletionPort((HANDLE)s, port, (ULONG_PTR)c, 0)) {
    c->s = s;
    InterlockedIncrement(&connections);
    post_recv(c);
  } else {
    free(c);
    closesocket(s);
  }
  post_accept(io); /* keep it posted */
}

static DWORD WINAPI worker(LPVOID arg) {
  (void)arg;
  for (;;) {
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    OVERLAPPED *ov = NULL;
    BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &ov, INFINITE);
    if (ov == NULL)
      return 0; /* the port is gone, or the quit packet */
    struct io *io = CONTAINING_RECORD(ov, struct io, ov);
    if (io->op == OP_ACCEPT) {
      if (ok)
        on_accept(io);
      else {
        closesocket(io->accepted);
        post_accept(io);
      }
      continue;
    }
    struct conn *c = (struct conn *)key;
    if (!ok || (io->op == OP_RECV && bytes == 0)) {
      close_conn(c); /* reset, or the peer closed */
      continue;
    }
    if (io->op == OP_RECV) {
      InterlockedIncrement(&messages);
      memset(&c->tx.ov, 0, sizeof(c->tx.ov));
      c->tx.op = OP_SEND;
      memcpy(c->tx.buf, c->rx.buf, bytes);
      c->tx.wb.buf = c->tx.buf;
      c->tx.wb.len = bytes;
      DWORD sent;
      if (WSASend(c->s, &c->tx.wb, 1, &sent, 0, &c->tx.ov, NULL) ==
              SOCKET_ERROR &&
          WSAGetLastError() != WSA_IO_PENDING)
        close_conn(c);
    } else {
      post_recv(c);
    }
  }
}

/* IPv4 dotted or IPv6 text and a port as a socket address; 0 if neither. */
static int make_addr(const char *text, int port_no, struct sockaddr_in6 *out) {
  memset(out, 0, sizeof(*out));
  struct sockaddr_in *v4 = (struct sockaddr_in *)out;
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((unsigned short)port_no);
    return (int)sizeof(*v4);
  }
  if (inet_pton(AF_INET6, text, &out->sin6_addr) == 1) {
    out->sin6_family = AF_INET6;
    out->sin6_port = htons((unsigned short)port_no);
    return (int)sizeof(*out);
  }
  return 0;
}

int main(int argc, char **argv) {
  int port_no = 7000, accepts = 16;
  const char *bind_to = "127.0.0.1";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--bind") == 0)
      bind_to = argv[i + 1];
    else if (strcmp(argv[i], "--port") == 0)
      port_no = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--accepts") == 0)
      accepts = atoi(argv[i + 1]);
  }
  WSADATA wsa;
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
    return 1;
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  DWORD threads = si.dwNumberOfProcessors;
  struct sockaddr_in6 a; /* room for either family */
  int alen = make_addr(bind_to, port_no, &a);
  if (alen == 0) {
    fprintf(stderr, "win32-echo: --bind %s is not an IPv4 or IPv6 address\n",
            bind_to);
    return 2;
  }
  family = a.sin6_family;
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, threads);
  if (port == NULL) {
    fprintf(stderr,
            "win32-echo: the completion port is not available here "
            "(error %lu)\n",
            (unsigned long)GetLastError());
    return 1;
  }
  listener =
      WSASocket(family, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
  int on = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, (char *)&on, sizeof(on));
  if (listener == INVALID_SOCKET ||
      bind(listener, (struct sockaddr *)&a, alen) != 0 ||
      listen(listener, SOMAXCONN) != 0 ||
      CreateIoCompletionPort((HANDLE)listener, port, 0, 0) == NULL) {
    fprintf(stderr, "win32-echo: cannot listen on %s port %d (error %d)\n",
            bind_to, port_no, WSAGetLastError());
    return 1;
  }
  GUID guid = WSAID_ACCEPTEX;
  DWORD got;
  if (WSAIoctl(listener, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid,
               sizeof(guid), &pAcceptEx, sizeof(pAcceptEx), &got, NULL,
               NULL) != 0) {
    fprintf(stderr, "win32-echo: no AcceptEx\n");
    return 1;
  }
  struct io *acc = calloc((size_t)accepts, sizeof(*acc));
  for (int i = 0; i < accepts; i++)
    post_accept(&acc[i]);
  HANDLE *t = calloc(threads, sizeof(HANDLE));
  for (DWORD i = 0; i < threads; i++)
    t[i] = CreateThread(NULL, 0, worker, NULL, 0, NULL);
  printf("win32-echo: bind=%s port=%d threads=%u accepts=%d\n", bind_to,
         port_no, (unsigned)threads, accepts);
  fflush(stdout);
  for (DWORD i = 0; i < threads; i++) {
    WaitForSingleObject(t[i], INFINITE);
    CloseHandle(t[i]);
  }
  printf("win32-echo: connections=%ld messages=%ld\n", (long)connections,
         (long)messages);
  closesocket(listener);
  CloseHandle(port);
  WSACleanup();
  free(acc);
  free(t);
  return 0;
}
