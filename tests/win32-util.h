/*
 * win32-util.h - what the plain-Win32 suites (test-win32*.c) share:
 * sockets, listeners and connected pairs made the Winsock way, the
 * Microsoft extensions, and port helpers. Written only against the Win32
 * API, so the same code runs on Windows and, through cport_win32.h, on
 * Linux.
 */
#ifndef CPORT_TEST_WIN32_UTIL_H
#define CPORT_TEST_WIN32_UTIL_H

#include "cport_win32.h"
#include "harness.h"

#define h_socket_ok(s) ((s) != INVALID_SOCKET)

extern LPFN_ACCEPTEX pAcceptEx;
extern LPFN_CONNECTEX pConnectEx;
extern LPFN_DISCONNECTEX pDisconnectEx;
extern LPFN_GETACCEPTEXSOCKADDRS pGetAcceptExSockaddrs;
extern LPFN_TRANSMITFILE pTransmitFile;

/* The extension functions, through WSAIoctl on socket s. */
void w_load_extensions(SOCKET s);

/* The skip reason of a test that closes a socket under a pending op. */
#define W_WINE_CLOSE_LEAVES_OPS_PENDING                              \
  "known Wine difference: closesocket leaves overlapped operations " \
  "pending forever (Windows completes them); see docs/windows.md"

/* The skip reason of a test whose WSAGetOverlappedResult failed. */
#define W_WINE_WRITES_COUNT_ON_FAILURE                              \
  "known Wine difference: a failing WSAGetOverlappedResult writes " \
  "the byte count (Windows leaves it as it was); see docs/windows.md"

/* SO_RCVTIMEO on s, asserted to succeed. */
void w_set_rcvtimeo(SOCKET s, DWORD ms);
/* An overlapped TCP socket. */
SOCKET w_tcp(void);
/* An overlapped WSARecv of len bytes into buf on s, ov zeroed first:
 * WSARecv's return. */
int w_recv_ov(SOCKET s, char *buf, ULONG len, OVERLAPPED *ov, DWORD *bytes);
/* A socket bound to 127.0.0.1 that does not listen, its address in
 * *addr: a connect there is refused, and while it is open no other
 * program (a test running beside) can take the port. */
SOCKET w_refusing(struct sockaddr_in *addr);
/* A listener on 127.0.0.1, its address in *addr. */
SOCKET w_listener(struct sockaddr_in *addr);
/* A connected pair the plain way: *server accepted, *client blocking. */
void w_pair(SOCKET *server, SOCKET *client);
/* A UDP socket bound to 127.0.0.1, its address in *addr. */
SOCKET w_udp(struct sockaddr_in *addr);
/* 0.0.0.0:0, for binding before ConnectEx. */
struct sockaddr_in w_any(void);

/* A new port with this concurrency (0: the number of processors). */
HANDLE w_port(DWORD concurrency);
/* The next packet; fails the test if none comes within ms. */
BOOL w_next(HANDLE port, DWORD *bytes, ULONG_PTR *key, OVERLAPPED **ov,
            DWORD ms);
/* No packet within ms. */
void w_expect_nothing(HANDLE port, DWORD ms);
/* Polls HasOverlappedIoCompleted (with Sleep(0), as the samples do) up to
 * ms: whether the op ended. */
bool w_spin_done(const OVERLAPPED *ov, DWORD ms);

/* Milliseconds from the performance counter (GetTickCount64 moves in
 * system ticks of up to 16 ms on Windows: too coarse to time a wait). */
ULONGLONG w_now_ms(void);

/* A kernel32 function looked up at run time, through GetModuleHandle and
 * GetProcAddress, so a suite still loads on a Windows that lacks a newer
 * call: stores it in fn (a function pointer of the call's type) or NULL
 * where the system lacks it. The Linux layer has every call it names, so
 * there a NULL fails the test. */
void w_kernel32_fn(const char *name, void *fn, size_t size);
#define W_KERNEL32_FN(var, name) w_kernel32_fn(name, &(var), sizeof(var))

/* A relative due time of ms milliseconds, as SetWaitableTimer takes it
 * (negative 100 ns units), and the same as a FILETIME, as the thread
 * pool's timers and waits take it. */
LARGE_INTEGER w_relative_due(LONGLONG ms);
FILETIME w_relative_ft(LONGLONG ms);

/* A scratch file path in the temporary directory. */
void w_temp_path(char *out, size_t size, const char *name);

/* WSAStartup, the tests, WSACleanup. */
int w_run(const char *name, const struct CMUnitTest *tests, size_t n);
#define W_RUN(name, tests) w_run(name, tests, sizeof(tests) / sizeof(tests[0]))

/* A directory and everything in it goes (Win32 calls only). */
void w_remove_tree(const char *path);
/* A fresh, empty directory `name` in the temporary directory. */
void w_make_dir(char *out, size_t size, const char *name);
/* dir\name into out (it must fit). */
void w_path_in(char *out, size_t size, const char *dir, const char *name);

#endif
