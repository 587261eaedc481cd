/*
 * cport_win32/winsock.h - part of cport_win32.h (Linux): Winsock 2
 * (winsock2.h, ws2tcpip.h), the Microsoft extensions (mswsock.h) and the
 * keep-alive values of mstcpip.h. Include cport_win32.h, not this file.
 *
 * A SOCKET is a file descriptor. The BSD calls whose Linux prototypes
 * accept Winsock's arguments (socket, bind, listen, connect, send, recv,
 * sendto, select) are the real names, provided by libcport-win32 in front
 * of the C library's: they behave as the C library's do and, on failure,
 * also set WSAGetLastError(). select() with a first argument of 0, as
 * Windows code passes it, takes the descriptors from the sets. The calls whose types differ (int lengths, char* option
 * values) or whose behaviour must (shutdown, getaddrinfo's codes) are
 * macros naming cport_w32_* functions.
 */
#ifndef CPORT_WIN32_WINSOCK_H
#define CPORT_WIN32_WINSOCK_H

#ifndef CPORT_WIN32_PARTS_
#  error "include cport_win32.h, not its parts"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Types                                                                     */
/* ------------------------------------------------------------------------ */

typedef unsigned long u_long;
typedef unsigned short u_short;
typedef unsigned char u_char;
typedef unsigned int u_int;
typedef uint16_t ADDRESS_FAMILY;
typedef struct sockaddr SOCKADDR, *PSOCKADDR, *LPSOCKADDR;
typedef struct sockaddr_in SOCKADDR_IN, *PSOCKADDR_IN, *LPSOCKADDR_IN;
typedef struct sockaddr_in6 SOCKADDR_IN6, *PSOCKADDR_IN6, *LPSOCKADDR_IN6;
typedef struct sockaddr_storage SOCKADDR_STORAGE, *PSOCKADDR_STORAGE;
typedef struct in_addr IN_ADDR, *PIN_ADDR, *LPIN_ADDR;
typedef struct in6_addr IN6_ADDR, *PIN6_ADDR;
typedef struct linger LINGER, *PLINGER, *LPLINGER;
typedef struct hostent HOSTENT, *PHOSTENT, *LPHOSTENT;
typedef struct addrinfo ADDRINFOA, *PADDRINFOA, ADDRINFO, *LPADDRINFO;
typedef struct pollfd WSAPOLLFD, *PWSAPOLLFD, *LPWSAPOLLFD;
typedef OVERLAPPED WSAOVERLAPPED, *LPWSAOVERLAPPED;

typedef struct _WSABUF {
  ULONG len;
  CHAR *buf;
} WSABUF, *LPWSABUF;

typedef struct WSAData {
  WORD wVersion;
  WORD wHighVersion;
  char szDescription[257];
  char szSystemStatus[129];
  unsigned short iMaxSockets;
  unsigned short iMaxUdpDg;
  char *lpVendorInfo;
} WSADATA, *LPWSADATA;

typedef void *LPWSAPROTOCOL_INFOA, *LPWSAPROTOCOL_INFOW, *LPQOS;
typedef unsigned int GROUP;
typedef HANDLE WSAEVENT, *LPWSAEVENT;

typedef void(CALLBACK *LPWSAOVERLAPPED_COMPLETION_ROUTINE)(DWORD, DWORD,
                                                           LPWSAOVERLAPPED,
                                                           DWORD);
typedef int(CALLBACK *LPCONDITIONPROC)(LPWSABUF caller_id, LPWSABUF caller_data,
                                       LPQOS sqos, LPQOS gqos,
                                       LPWSABUF callee_id,
                                       LPWSABUF callee_data, GROUP *g,
                                       DWORD_PTR data);

/* mstcpip.h: SIO_KEEPALIVE_VALS, times in milliseconds. */
struct tcp_keepalive {
  ULONG onoff;
  ULONG keepalivetime;
  ULONG keepaliveinterval;
};

/* ------------------------------------------------------------------------ */
/* Constants                                                                 */
/* ------------------------------------------------------------------------ */

#define INVALID_SOCKET ((SOCKET)~(uintptr_t)0)
#define SOCKET_ERROR (-1)
#define WSADESCRIPTION_LEN 256
#define WSASYS_STATUS_LEN 128
#define WSA_FLAG_OVERLAPPED 0x01
#define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#define SD_RECEIVE 0
#define SD_SEND 1
#define SD_BOTH 2
#define MSG_PARTIAL 0x8000
#define SO_UPDATE_ACCEPT_CONTEXT 0x700B
#define SO_UPDATE_CONNECT_CONTEXT 0x7010
#define SO_CONNECT_TIME 0x700C
#define SO_MAX_MSG_SIZE 0x2003
#define SO_EXCLUSIVEADDRUSE ((int)(~SO_REUSEADDR))
#define CF_ACCEPT 0x0000
#define CF_REJECT 0x0001
#define CF_DEFER 0x0002

/* Windows' IOC_* encodings (Linux has its own for ioctl). */
#define SIO_GET_EXTENSION_FUNCTION_POINTER 0xC8000006u
#define SIO_KEEPALIVE_VALS 0x98000004u

#define TF_DISCONNECT 0x01
#define TF_REUSE_SOCKET 0x02
#define TF_WRITE_BEHIND 0x04
#define TF_USE_DEFAULT_WORKER 0x00

#define WSAID_ACCEPTEX                                                    \
  {0xb5367df1, 0xcbac, 0x11cf, {0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}
#define WSAID_CONNECTEX                                                   \
  {0x25a207b9, 0xddf3, 0x4660, {0x8e, 0xe9, 0x76, 0xe5, 0x8c, 0x74, 0x06, 0x3e}}
#define WSAID_DISCONNECTEX                                                \
  {0x7fda2e11, 0x8630, 0x436f, {0xa0, 0x31, 0xf5, 0x36, 0xa6, 0xee, 0xc1, 0x57}}
#define WSAID_GETACCEPTEXSOCKADDRS                                        \
  {0xb5367df2, 0xcbac, 0x11cf, {0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}
#define WSAID_TRANSMITFILE                                                \
  {0xb5367df0, 0xcbac, 0x11cf, {0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}

#define WSA_INVALID_EVENT ((WSAEVENT)NULL)
#define WSA_MAXIMUM_WAIT_EVENTS MAXIMUM_WAIT_OBJECTS
#define WSA_WAIT_EVENT_0 WAIT_OBJECT_0
#define WSA_WAIT_IO_COMPLETION WAIT_IO_COMPLETION
#define WSA_WAIT_TIMEOUT WAIT_TIMEOUT
#define WSA_WAIT_FAILED WAIT_FAILED
#define WSA_INFINITE INFINITE

/* getaddrinfo answers with Winsock's codes here (see below). */
#undef EAI_AGAIN
#undef EAI_BADFLAGS
#undef EAI_FAIL
#undef EAI_FAMILY
#undef EAI_MEMORY
#undef EAI_NONAME
#undef EAI_SERVICE
#undef EAI_SOCKTYPE
#undef EAI_NODATA
#define EAI_AGAIN WSATRY_AGAIN
#define EAI_BADFLAGS WSAEINVAL
#define EAI_FAIL WSANO_RECOVERY
#define EAI_FAMILY WSAEAFNOSUPPORT
#define EAI_MEMORY WSA_NOT_ENOUGH_MEMORY
#define EAI_NONAME WSAHOST_NOT_FOUND
#define EAI_SERVICE WSATYPE_NOT_FOUND
#define EAI_SOCKTYPE WSAESOCKTNOSUPPORT
#define EAI_NODATA EAI_NONAME

/* ------------------------------------------------------------------------ */
/* Start-up, sockets, the BSD calls with Winsock's types                     */
/* ------------------------------------------------------------------------ */

CPORT_WIN32_API int WSAStartup(WORD version, LPWSADATA data);
CPORT_WIN32_API int WSACleanup(void);
/* Blocking sockets until associated with a port, like Winsock's. */
CPORT_WIN32_API SOCKET WSASocketA(int af, int type, int protocol,
                                  LPWSAPROTOCOL_INFOA info, GROUP g,
                                  DWORD flags);
CPORT_WIN32_API SOCKET WSASocketW(int af, int type, int protocol,
                                  LPWSAPROTOCOL_INFOW info, GROUP g,
                                  DWORD flags);
#define WSASocket CPORT_W32_AW_(WSASocket)
/* Pending operations complete once (ERROR_CONNECTION_ABORTED, or
 * ERROR_OPERATION_ABORTED for AcceptEx); a thread blocked in accept() or
 * WSAAccept() on a listening socket returns with WSAEINTR. */
CPORT_WIN32_API int closesocket(SOCKET s);
/* FIONBIO, FIONREAD. */
CPORT_WIN32_API int ioctlsocket(SOCKET s, long cmd, u_long *arg);
/* Blocks until a connection arrives (unless FIONBIO); a condition
 * function may accept or reject it (CF_ACCEPT, CF_REJECT). */
CPORT_WIN32_API SOCKET WSAAccept(SOCKET s, struct sockaddr *addr, LPINT len,
                                 LPCONDITIONPROC condition, DWORD_PTR data);
CPORT_WIN32_API int WSAPoll(LPWSAPOLLFD fds, ULONG n, INT ms);

CPORT_WIN32_API int cport_w32_setsockopt(SOCKET s, int level, int name,
                                         const char *val, int len);
CPORT_WIN32_API int cport_w32_getsockopt(SOCKET s, int level, int name,
                                         char *val, int *len);
CPORT_WIN32_API SOCKET cport_w32_accept(SOCKET s, struct sockaddr *addr,
                                        int *len);
CPORT_WIN32_API int cport_w32_getsockname(SOCKET s, struct sockaddr *addr,
                                          int *len);
CPORT_WIN32_API int cport_w32_getpeername(SOCKET s, struct sockaddr *addr,
                                          int *len);
CPORT_WIN32_API int cport_w32_recvfrom(SOCKET s, char *buf, int len, int flags,
                                       struct sockaddr *from, int *fromlen);
/* Later WSASend (SD_SEND) or WSARecv (SD_RECEIVE) fail at once with
 * WSAESHUTDOWN. */
CPORT_WIN32_API int cport_w32_shutdown(SOCKET s, int how);
/* Returns 0 or a WSA code (also in WSAGetLastError). */
CPORT_WIN32_API int cport_w32_getaddrinfo(const char *node,
                                          const char *service,
                                          const struct addrinfo *hints,
                                          struct addrinfo **res);
CPORT_WIN32_API const char *cport_w32_gai_strerror(int code);
#define setsockopt cport_w32_setsockopt
#define getsockopt cport_w32_getsockopt
#define accept cport_w32_accept
#define getsockname cport_w32_getsockname
#define getpeername cport_w32_getpeername
#define recvfrom cport_w32_recvfrom
#define shutdown cport_w32_shutdown
#define getaddrinfo cport_w32_getaddrinfo
#define gai_strerror cport_w32_gai_strerror
#define gai_strerrorA cport_w32_gai_strerror
#define GetAddrInfoA cport_w32_getaddrinfo
#define FreeAddrInfoA freeaddrinfo

/* 1 on success, 0 for a string that is no address, -1 with
 * WSAEAFNOSUPPORT / WSAEFAULT. */
CPORT_WIN32_API INT InetPtonA(INT family, LPCSTR src, PVOID dst);
CPORT_WIN32_API INT InetPtonW(INT family, LPCWSTR src, PVOID dst);
/* dst, or NULL with WSAEAFNOSUPPORT / WSAEINVAL (too small). */
CPORT_WIN32_API LPCSTR InetNtopA(INT family, const VOID *src, LPSTR dst,
                                 size_t size);
CPORT_WIN32_API LPCWSTR InetNtopW(INT family, const VOID *src, LPWSTR dst,
                                  size_t size);
#define InetPton CPORT_W32_AW_(InetPton)
#define InetNtop CPORT_W32_AW_(InetNtop)

/* ------------------------------------------------------------------------ */
/* Events                                                                    */
/* ------------------------------------------------------------------------ */

/* Manual-reset, non-signalled events: WaitForMultipleObjects' objects. */
CPORT_WIN32_API WSAEVENT WSACreateEvent(void);
CPORT_WIN32_API BOOL WSACloseEvent(WSAEVENT e);
CPORT_WIN32_API BOOL WSASetEvent(WSAEVENT e);
CPORT_WIN32_API BOOL WSAResetEvent(WSAEVENT e);
CPORT_WIN32_API DWORD WSAWaitForMultipleEvents(DWORD n, const WSAEVENT *events,
                                               BOOL all, DWORD ms,
                                               BOOL alertable);

/* ------------------------------------------------------------------------ */
/* Overlapped I/O                                                            */
/* ------------------------------------------------------------------------ */

CPORT_WIN32_API int WSAIoctl(SOCKET s, DWORD code, LPVOID in, DWORD inlen,
                             LPVOID out, DWORD outlen, LPDWORD bytes,
                             LPWSAOVERLAPPED ov,
                             LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
/*
 * With an OVERLAPPED: 0 if the op finished inside the call (its packet is
 * still queued unless skip mode is on), else SOCKET_ERROR with
 * WSA_IO_PENDING, or the error (nothing queued). Without one they block
 * (WSARecv takes MSG_PEEK, MSG_OOB, MSG_WAITALL then). Completion routines
 * are refused (WSAEOPNOTSUPP).
 */
CPORT_WIN32_API int WSARecv(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                            LPDWORD flags, LPWSAOVERLAPPED ov,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
CPORT_WIN32_API int WSASend(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                            DWORD flags, LPWSAOVERLAPPED ov,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
CPORT_WIN32_API int WSARecvFrom(SOCKET s, LPWSABUF bufs, DWORD n,
                                LPDWORD bytes, LPDWORD flags,
                                struct sockaddr *from, LPINT fromlen,
                                LPWSAOVERLAPPED ov,
                                LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
CPORT_WIN32_API int WSASendTo(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                              DWORD flags, const struct sockaddr *to, int tolen,
                              LPWSAOVERLAPPED ov,
                              LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
/* WSA_IO_INCOMPLETE while the op runs and wait is FALSE. */
CPORT_WIN32_API BOOL WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED ov,
                                            LPDWORD bytes, BOOL wait,
                                            LPDWORD flags);

/* ------------------------------------------------------------------------ */
/* Microsoft extensions (mswsock.h)                                          */
/* ------------------------------------------------------------------------ */

typedef struct _TRANSMIT_FILE_BUFFERS {
  LPVOID Head;
  DWORD HeadLength;
  LPVOID Tail;
  DWORD TailLength;
} TRANSMIT_FILE_BUFFERS, *PTRANSMIT_FILE_BUFFERS, *LPTRANSMIT_FILE_BUFFERS;

typedef BOOL(WINAPI *LPFN_ACCEPTEX)(SOCKET, SOCKET, PVOID, DWORD, DWORD, DWORD,
                                    LPDWORD, LPOVERLAPPED);
typedef BOOL(WINAPI *LPFN_CONNECTEX)(SOCKET, const struct sockaddr *, int,
                                     PVOID, DWORD, LPDWORD, LPOVERLAPPED);
typedef BOOL(WINAPI *LPFN_DISCONNECTEX)(SOCKET, LPOVERLAPPED, DWORD, DWORD);
typedef VOID(WINAPI *LPFN_GETACCEPTEXSOCKADDRS)(PVOID, DWORD, DWORD, DWORD,
                                                struct sockaddr **, LPINT,
                                                struct sockaddr **, LPINT);
typedef BOOL(WINAPI *LPFN_TRANSMITFILE)(SOCKET, HANDLE, DWORD, DWORD,
                                        LPOVERLAPPED, LPTRANSMIT_FILE_BUFFERS,
                                        DWORD);

/* The accept socket must be neither bound nor connected (WSAEINVAL). */
CPORT_WIN32_API BOOL AcceptEx(SOCKET listener, SOCKET accepted, PVOID buf,
                              DWORD recvlen, DWORD locallen, DWORD remotelen,
                              LPDWORD bytes, LPOVERLAPPED ov);
CPORT_WIN32_API VOID GetAcceptExSockaddrs(PVOID buf, DWORD recvlen,
                                          DWORD locallen, DWORD remotelen,
                                          struct sockaddr **local,
                                          LPINT local_len,
                                          struct sockaddr **remote,
                                          LPINT remote_len);
CPORT_WIN32_API BOOL ConnectEx(SOCKET s, const struct sockaddr *name,
                               int namelen, PVOID send, DWORD sendlen,
                               LPDWORD sent, LPOVERLAPPED ov);
CPORT_WIN32_API BOOL DisconnectEx(SOCKET s, LPOVERLAPPED ov, DWORD flags,
                                  DWORD reserved);
CPORT_WIN32_API BOOL TransmitFile(SOCKET s, HANDLE file, DWORD bytes,
                                  DWORD per_send, LPOVERLAPPED ov,
                                  LPTRANSMIT_FILE_BUFFERS buffers,
                                  DWORD flags);

#ifdef __cplusplus
}
#endif

#endif /* CPORT_WIN32_WINSOCK_H */
