/*
 * win32-util.c - helpers of the plain-Win32 suites (see win32-util.h).
 */
#include <stdio.h>
#include <string.h>

#include "win32-util.h"

LPFN_ACCEPTEX pAcceptEx;
LPFN_CONNECTEX pConnectEx;
LPFN_DISCONNECTEX pDisconnectEx;
LPFN_GETACCEPTEXSOCKADDRS pGetAcceptExSockaddrs;
LPFN_TRANSMITFILE pTransmitFile;

static void load(SOCKET s, GUID g, void *fn, size_t size) {
  DWORD bytes = 0;
  assert_int_equal(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &g,
                            sizeof(g), fn, (DWORD)size, &bytes, NULL, NULL),
                   0);
  assert_int_equal(bytes, sizeof(void *));
}

void w_load_extensions(SOCKET s) {
  GUID a = WSAID_ACCEPTEX, c = WSAID_CONNECTEX, d = WSAID_DISCONNECTEX,
       g = WSAID_GETACCEPTEXSOCKADDRS, t = WSAID_TRANSMITFILE;
  load(s, a, &pAcceptEx, sizeof(pAcceptEx));
  load(s, c, &pConnectEx, sizeof(pConnectEx));
  load(s, d, &pDisconnectEx, sizeof(pDisconnectEx));
  load(s, g, &pGetAcceptExSockaddrs, sizeof(pGetAcceptExSockaddrs));
  load(s, t, &pTransmitFile, sizeof(pTransmitFile));
}

void w_set_rcvtimeo(SOCKET s, DWORD ms) {
  assert_int_equal(
      setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (char *)&ms, sizeof(ms)), 0);
}

int w_recv_ov(SOCKET s, char *buf, ULONG len, OVERLAPPED *ov, DWORD *bytes) {
  WSABUF wb = {len, buf};
  DWORD flags = 0;
  memset(ov, 0, sizeof(*ov));
  return WSARecv(s, &wb, 1, bytes, &flags, ov, NULL);
}

SOCKET w_tcp(void) {
  SOCKET s = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                       WSA_FLAG_OVERLAPPED);
  assert_true(h_socket_ok(s));
  return s;
}

struct sockaddr_in w_any(void) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  return a;
}

SOCKET w_listener(struct sockaddr_in *addr) {
  SOCKET l = w_tcp();
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(l, (struct sockaddr *)addr, sizeof(*addr)), 0);
  assert_int_equal(listen(l, 64), 0);
  int len = sizeof(*addr);
  assert_int_equal(getsockname(l, (struct sockaddr *)addr, &len), 0);
  return l;
}

SOCKET w_refusing(struct sockaddr_in *addr) {
  SOCKET r = w_tcp();
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(r, (struct sockaddr *)addr, sizeof(*addr)), 0);
  int len = sizeof(*addr);
  assert_int_equal(getsockname(r, (struct sockaddr *)addr, &len), 0);
  return r;
}

void w_pair(SOCKET *server, SOCKET *client) {
  struct sockaddr_in a;
  SOCKET l = w_listener(&a);
  *client = w_tcp();
  assert_int_equal(connect(*client, (struct sockaddr *)&a, sizeof(a)), 0);
  *server = accept(l, NULL, NULL);
  assert_true(h_socket_ok(*server));
  closesocket(l);
}

SOCKET w_udp(struct sockaddr_in *addr) {
  SOCKET s =
      WSASocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
  assert_true(h_socket_ok(s));
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(s, (struct sockaddr *)addr, sizeof(*addr)), 0);
  int len = sizeof(*addr);
  assert_int_equal(getsockname(s, (struct sockaddr *)addr, &len), 0);
  return s;
}

HANDLE w_port(DWORD concurrency) {
  HANDLE port =
      CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, concurrency);
  assert_non_null(port);
  return port;
}

BOOL w_next(HANDLE port, DWORD *bytes, ULONG_PTR *key, OVERLAPPED **ov,
            DWORD ms) {
  BOOL ok = GetQueuedCompletionStatus(port, bytes, key, ov, ms);
  if (!ok && *ov == NULL)
    fail_msg("no packet within %u ms (error %u)", (unsigned)ms,
             (unsigned)GetLastError());
  return ok;
}

void w_expect_nothing(HANDLE port, DWORD ms) {
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  OVERLAPPED *ov = NULL;
  assert_false(GetQueuedCompletionStatus(port, &bytes, &key, &ov, ms));
  assert_null(ov);
  assert_int_equal(GetLastError(), WAIT_TIMEOUT);
}

bool w_spin_done(const OVERLAPPED *ov, DWORD ms) {
  ULONGLONG until = GetTickCount64() + ms;
  while (!HasOverlappedIoCompleted(ov)) {
    if (GetTickCount64() > until)
      return false;
    Sleep(0);
  }
  return true;
}

ULONGLONG w_now_ms(void) {
  LARGE_INTEGER f, c;
  QueryPerformanceFrequency(&f);
  QueryPerformanceCounter(&c);
  return (ULONGLONG)(c.QuadPart / (f.QuadPart / 1000));
}

void w_kernel32_fn(const char *name, void *fn, size_t size) {
  HMODULE k = GetModuleHandleA("kernel32.dll");
  FARPROC f = k != NULL ? GetProcAddress(k, name) : NULL;
#ifndef _WIN32
  assert_non_null(f); /* the layer has them all */
#endif
  assert_int_equal(size, sizeof(f));
  memcpy(fn, &f, sizeof(f));
}

LARGE_INTEGER w_relative_due(LONGLONG ms) {
  LARGE_INTEGER v;
  v.QuadPart = -ms * 10000;
  return v;
}

FILETIME w_relative_ft(LONGLONG ms) {
  LARGE_INTEGER v = w_relative_due(ms);
  FILETIME ft;
  ft.dwLowDateTime = (DWORD)((ULONGLONG)v.QuadPart & 0xffffffffu);
  ft.dwHighDateTime = (DWORD)((ULONGLONG)v.QuadPart >> 32);
  return ft;
}

void w_temp_path(char *out, size_t size, const char *name) {
  h_temp_path(out, size, name);
}

int w_run(const char *name, const struct CMUnitTest *tests, size_t n) {
  WSADATA wsa;
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
    return 1;
  int rc = h_run(name, tests, n);
  WSACleanup();
  return rc;
}

void w_remove_tree(const char *path) {
  char pattern[600], child[600];
  snprintf(pattern, sizeof(pattern), "%s\\*", path);
  WIN32_FIND_DATAA fd;
  HANDLE s = FindFirstFileA(pattern, &fd);
  if (s != INVALID_HANDLE_VALUE) {
    do {
      if (strcmp(fd.cFileName, ".") == 0 || strcmp(fd.cFileName, "..") == 0)
        continue;
      snprintf(child, sizeof(child), "%s\\%s", path, fd.cFileName);
      if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
        w_remove_tree(child);
      else
        DeleteFileA(child);
    } while (FindNextFileA(s, &fd));
    FindClose(s);
  }
  RemoveDirectoryA(path);
}

void w_make_dir(char *out, size_t size, const char *name) {
  w_temp_path(out, size, name);
  w_remove_tree(out);
  assert_true(CreateDirectoryA(out, NULL));
}

void w_path_in(char *out, size_t size, const char *dir, const char *name) {
  int r = snprintf(out, size, "%s\\%s", dir, name);
  assert_true(r > 0 && (size_t)r < size);
}
