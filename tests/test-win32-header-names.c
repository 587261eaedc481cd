/*
 * test-win32-header-names.c - what cport_win32.h makes visible besides
 * the Windows names: no more than windows.h and winsock2.h would. A
 * Windows program may define read, write, close, dup, pipe, poll, ioctl,
 * sleep, access, ConnectEx... at file scope (Windows' headers declare none of them),
 * so the header must not bring in <unistd.h>, <poll.h> or <sys/ioctl.h>.
 * The build is most of the test; running it checks the Winsock names
 * those headers used to give: gethostname (Winsock's errors), struct
 * pollfd as WSAPOLLFD (a SOCKET), FIONBIO and FIONREAD; and FD_SETSIZE
 * as the program set it before the header.
 *
 * Built twice: as a Windows program (the names above defined here), and
 * with POSIX_FIRST as a program that also uses POSIX, <poll.h> before the
 * header and <unistd.h> after it. Exit 0 = pass.
 */
#if defined(POSIX_FIRST)
#  include <poll.h>
#else
#  define FD_SETSIZE 256 /* winsock2.h's rule: set before the header */
#endif
#include "cport_win32.h"
#if defined(POSIX_FIRST)
#  include <unistd.h>
#elif FD_SETSIZE != 256
#  error "FD_SETSIZE is the program's, in #if too"
#endif

#include <stdio.h>
#include <string.h>

#define CHECK(cond)                                              \
  do {                                                           \
    if (!(cond)) {                                               \
      fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
      return 1;                                                  \
    }                                                            \
  } while (0)

#if !defined(POSIX_FIRST)
/* File-scope names of the program's own, as a Windows program may have. */
static int read(int x) {
  return x + 1;
}
static int write = 2;
static void close(int *p) {
  *p = 0;
}
static int dup(int x) {
  return x * 2;
}
static int pipe[2] = {3, 4};
static int poll(int x) {
  return x - 1;
}
static int ioctl = 5;
static unsigned sleep(unsigned x) {
  return x;
}
static const char *access = "rw";
static int link = 6, unlink = 7, sync = 8, pause = 9;
/* Pointers to the extensions WSAIoctl hands out, named as the functions
 * (Windows exports no such names). */
static LPFN_CONNECTEX ConnectEx;
static LPFN_DISCONNECTEX DisconnectEx;
static LPFN_TRANSMITPACKETS TransmitPackets;

static int own_names(void) {
  int c = 1;
  CHECK(ConnectEx == NULL && DisconnectEx == NULL && TransmitPackets == NULL);
  close(&c);
  CHECK(read(1) == 2 && write == 2 && c == 0 && dup(3) == 6);
  CHECK(pipe[1] == 4 && poll(1) == 0 && ioctl == 5 && sleep(7) == 7);
  CHECK(strcmp(access, "rw") == 0 && link + unlink + sync + pause == 30);
  return 0;
}
#else
/* Both pollfd structures: the C library's for poll(), Windows' for
 * WSAPoll, and POSIX's gethostname beside Winsock's. */
static int own_names(void) {
  struct pollfd p = {-1, POLLIN, 0};
  CHECK(sizeof(p.fd) == sizeof(int) && poll(&p, 1, 0) == 0);
  CHECK(sizeof(((WSAPOLLFD *)NULL)->fd) == sizeof(SOCKET));
  CHECK(getpid() > 0);
  return 0;
}
#endif

int main(void) {
  WSADATA wsa;
  CHECK(WSAStartup(MAKEWORD(2, 2), &wsa) == 0);
  CHECK(own_names() == 0);
#if !defined(POSIX_FIRST)
  /* Winsock's fd_set, as large as the program asked. */
  fd_set big;
  CHECK(FD_SETSIZE == 256);
  CHECK(sizeof(big.fd_array) == 256 * sizeof(SOCKET));
  FD_ZERO(&big);
  for (SOCKET i = 0; i < 300; i++)
    FD_SET(i + 5000, &big);
  CHECK(big.fd_count == 256);
#endif

  /* Winsock's gethostname: the whole name, or WSAEFAULT. */
  char host[256], tiny[1];
  CHECK(gethostname(host, sizeof(host)) == 0 && strlen(host) > 0);
  WSASetLastError(0);
  CHECK(gethostname(tiny, sizeof(tiny)) == SOCKET_ERROR);
  CHECK(WSAGetLastError() == WSAEFAULT);
#if !defined(POSIX_FIRST) /* (<unistd.h> marks its name nonnull) */
  CHECK(gethostname(NULL, 16) == SOCKET_ERROR);
  CHECK(WSAGetLastError() == WSAEFAULT);
#endif

  /* A datagram to itself, found by WSAPoll, FIONREAD and FIONBIO. */
  SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  CHECK(s != INVALID_SOCKET);
  struct sockaddr_in a;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int len = (int)sizeof(a);
  CHECK(bind(s, (struct sockaddr *)&a, len) == 0);
  CHECK(getsockname(s, (struct sockaddr *)&a, &len) == 0);
  u_long on = 1;
  CHECK(ioctlsocket(s, FIONBIO, &on) == 0);
  char b[8];
  CHECK(recv(s, b, (int)sizeof(b), 0) == SOCKET_ERROR);
  CHECK(WSAGetLastError() == WSAEWOULDBLOCK);
  CHECK(sendto(s, "hello", 5, 0, (struct sockaddr *)&a, len) == 5);
  WSAPOLLFD p;
  memset(&p, 0, sizeof(p));
  p.fd = s;
  p.events = POLLRDNORM;
  CHECK(sizeof(p.fd) == sizeof(SOCKET));
  CHECK(WSAPoll(&p, 1, 5000) == 1 && (p.revents & POLLRDNORM));
  u_long queued = 0;
  CHECK(ioctlsocket(s, FIONREAD, &queued) == 0 && queued == 5);
  /* A DWORD as Windows programs pass it (u_long is 32 bits there). */
  DWORD q32[2] = {0, 0xdeadbeefu};
  CHECK(ioctlsocket(s, FIONREAD, &q32[0]) == 0 && q32[0] == 5);
  CHECK(q32[1] == 0xdeadbeefu); /* nothing written past it */
  DWORD nb = 1;
  CHECK(ioctlsocket(s, FIONBIO, &nb) == 0);
  /* ip2string.h */
  char text[46];
  struct in_addr lo;
  lo.s_addr = htonl(INADDR_LOOPBACK);
  char *end = RtlIpv4AddressToStringA(&lo, text);
  CHECK(strcmp(text, "127.0.0.1") == 0 && end == text + 9 && *end == 0);
  WCHAR wtext[46];
  WCHAR *wend = RtlIpv6AddressToStringW(&in6addr_loopback, wtext);
  CHECK(wtext[0] == '\x3a' && wtext[1] == '\x3a' && wtext[2] == '1');
  CHECK(wend == wtext + 3 && *wend == 0);
  CHECK(recv(s, b, (int)sizeof(b), 0) == 5 && memcmp(b, "hello", 5) == 0);
  CHECK(closesocket(s) == 0);
  CHECK(WSACleanup() == 0);
  printf("ok\n");
  return 0;
}
