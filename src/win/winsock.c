/*
 * winsock.c - Winsock started once per process, the Microsoft extension
 * functions (AcceptEx, ConnectEx, DisconnectEx, GetAcceptExSockaddrs,
 * TransmitFile) loaded once through
 * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER), and what the system does
 * with an overlapped receive of a datagram too large for it, learnt once.
 */
#include "win.h"

static struct cp_winsock ws;
static int ws_error;
static INIT_ONCE ws_once = INIT_ONCE_STATIC_INIT;

static bool load(SOCKET s, GUID guid, void *fn, size_t size) {
  DWORD bytes = 0;
  return WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof(guid),
                  fn, (DWORD)size, &bytes, NULL, NULL) == 0;
}

static BOOL CALLBACK init(PINIT_ONCE once, PVOID param, PVOID *ctx) {
  (void)once;
  (void)param;
  (void)ctx;
  WSADATA wsa;
  int rc = WSAStartup(MAKEWORD(2, 2), &wsa);
  if (rc != 0) {
    ws_error = cp_win_error((DWORD)rc);
    return TRUE;
  }
  SOCKET s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                        WSA_FLAG_OVERLAPPED);
  if (s == INVALID_SOCKET) {
    ws_error = cp_win_error((DWORD)WSAGetLastError());
    return TRUE;
  }
  GUID acceptex = WSAID_ACCEPTEX, connectex = WSAID_CONNECTEX,
       disconnectex = WSAID_DISCONNECTEX,
       sockaddrs = WSAID_GETACCEPTEXSOCKADDRS,
       transmitfile = WSAID_TRANSMITFILE;
  if (!load(s, acceptex, &ws.AcceptEx, sizeof(ws.AcceptEx)) ||
      !load(s, connectex, &ws.ConnectEx, sizeof(ws.ConnectEx)) ||
      !load(s, disconnectex, &ws.DisconnectEx, sizeof(ws.DisconnectEx)) ||
      !load(s, sockaddrs, &ws.GetAcceptExSockaddrs,
            sizeof(ws.GetAcceptExSockaddrs)) ||
      !load(s, transmitfile, &ws.TransmitFile, sizeof(ws.TransmitFile)))
    ws_error = CPORT_ENOSYS;
  closesocket(s);
  return TRUE;
}

const struct cp_winsock *cp_winsock(int *err) {
  InitOnceExecuteOnce(&ws_once, init, NULL, NULL);
  *err = ws_error;
  return ws_error == 0 ? &ws : NULL;
}

/*
 * An overlapped receive of a datagram larger than its buffers, already
 * there at the call, fails with WSAEMSGSIZE. Microsoft's documentation
 * says a call that fails with anything but WSA_IO_PENDING leaves no
 * completion; Wine queues one anyway, except on a skip-on-success
 * socket. Which the system does is learnt once per process and kind of
 * socket, by a receive on a pair of loopback sockets and a private port,
 * so each such receive gets exactly one completion either way.
 */
static volatile LONG truncation[2]; /* 0 unknown, 1 none queued, 2 one */

/* 1 none queued, 2 one queued, 0 the probe could not tell (the
 * documented answer is used then, and the probe runs again later). */
static LONG probe(bool skip) {
  LONG known = 0;
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  SOCKET a = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0,
                        WSA_FLAG_OVERLAPPED);
  SOCKET b = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0,
                        WSA_FLAG_OVERLAPPED);
  struct sockaddr_in at;
  memset(&at, 0, sizeof(at));
  at.sin_family = AF_INET;
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int len = sizeof(at);
  if (port == NULL || a == INVALID_SOCKET || b == INVALID_SOCKET ||
      bind(b, (struct sockaddr *)&at, sizeof(at)) != 0 ||
      getsockname(b, (struct sockaddr *)&at, &len) != 0 ||
      CreateIoCompletionPort((HANDLE)b, port, 1, 0) == NULL ||
      (skip && !SetFileCompletionNotificationModes(
                   (HANDLE)b, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)) ||
      sendto(a, "01234567", 8, 0, (struct sockaddr *)&at, sizeof(at)) != 8)
    goto out;
  u_long avail = 0; /* the datagram is there before the receive */
  ULONGLONG until = GetTickCount64() + 1000;
  while (avail == 0 && GetTickCount64() < until) {
    if (ioctlsocket(b, FIONREAD, &avail) != 0)
      goto out;
    if (avail == 0)
      Sleep(1);
  }
  if (avail == 0)
    goto out;
  char small[2];
  WSABUF wb = {sizeof(small), small};
  DWORD got = 0, flags = 0;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  if (WSARecv(b, &wb, 1, &got, &flags, &ov, NULL) == 0 ||
      WSAGetLastError() != WSAEMSGSIZE) {
    /* Not the case learnt here: no answer (a receive left pending ends
     * before the OVERLAPPED on this stack goes). */
    if (WSAGetLastError() == WSA_IO_PENDING) {
      CancelIoEx((HANDLE)b, &ov);
      (void)GetOverlappedResult((HANDLE)b, &ov, &got, TRUE);
    }
    goto out;
  }
  ULONG_PTR key;
  OVERLAPPED *o = NULL;
  known =
      GetQueuedCompletionStatus(port, &got, &key, &o, 50) || o != NULL ? 2 : 1;
out:
  if (a != INVALID_SOCKET)
    closesocket(a);
  if (b != INVALID_SOCKET)
    closesocket(b);
  if (port != NULL)
    CloseHandle(port);
  return known;
}

bool cp_win_truncation_queues(bool skip) {
  volatile LONG *known = &truncation[skip ? 1 : 0];
  if (*known == 0) {
    LONG learnt = probe(skip);
    if (learnt == 0)
      return false;
    InterlockedCompareExchange(known, learnt, 0);
  }
  return *known == 2;
}
