/*
 * winsock.c - Winsock started once per process, and the Microsoft
 * extension functions (AcceptEx, ConnectEx, DisconnectEx,
 * GetAcceptExSockaddrs, TransmitFile) loaded once through
 * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER).
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
