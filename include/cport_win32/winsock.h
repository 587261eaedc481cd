/**
 * @file cport_win32/winsock.h
 * @brief Part of cport_win32.h: Winsock's calls: start-up, the BSD calls, events, overlapped I/O and the Microsoft extensions (winsock2.h, ws2tcpip.h, mswsock.h).
 *
 * Include <cport_win32.h>, never this file: it is read inside that
 * header's Linux branch, after the parts before it.
 */
#ifndef CPORT_WIN32_PART_WINSOCK_H
#define CPORT_WIN32_PART_WINSOCK_H

#ifndef CPORT_WIN32_H
#  error "include <cport_win32.h>, not its parts"
#endif

/* ------------------------------------------------------------------------ */
/* Start-up, sockets, the BSD calls with Winsock's types                     */
/* ------------------------------------------------------------------------ */

CPORT_WIN32_API int WSAStartup(WORD version, LPWSADATA data);
CPORT_WIN32_API int WSACleanup(void);
/* Blocking sockets until associated with a port, like Winsock's. With a
 * provider (info, as WSAEnumProtocols gives), af, type or protocol
 * FROM_PROTOCOL_INFO take the provider's value. */
CPORT_WIN32_API SOCKET WSASocketA(int af, int type, int protocol,
                                  LPWSAPROTOCOL_INFOA info, GROUP g,
                                  DWORD flags);
CPORT_WIN32_API SOCKET WSASocketW(int af, int type, int protocol,
                                  LPWSAPROTOCOL_INFOW info, GROUP g,
                                  DWORD flags);
#define WSASocket CPORT_W32_AW(WSASocket)
/* Pending operations complete once (ERROR_CONNECTION_ABORTED, or
 * ERROR_OPERATION_ABORTED for AcceptEx); a thread blocked in accept() or
 * WSAAccept() on a listening socket returns with WSAEINTR. */
CPORT_WIN32_API int closesocket(SOCKET s);
/* FIONBIO, FIONREAD. */
CPORT_WIN32_API int ioctlsocket(SOCKET s, long cmd, u_long *arg);
CPORT_WIN32_API int cport_w32_ioctlsocket(SOCKET s, long cmd, void *arg,
                                          size_t size);
/* u_long is 64 bits on Linux (the C library's type), 32 on Windows, where
 * programs pass a DWORD or a u_long alike: the call takes the argument's
 * own size. */
#define ioctlsocket(s, cmd, arg) \
  cport_w32_ioctlsocket((s), (cmd), (arg), sizeof(*(arg)))
/* Blocks until a connection arrives (unless FIONBIO); a condition
 * function may accept or reject it (CF_ACCEPT, CF_REJECT). */
CPORT_WIN32_API SOCKET WSAAccept(SOCKET s, struct sockaddr *addr, LPINT len,
                                 LPCONDITIONPROC condition, DWORD_PTR data);
/* connect, with Winsock 2's extras: connect data and QOS, which no
 * TCP/IP provider has: none is sent, and callee_data comes back empty. */
CPORT_WIN32_API int WSAConnect(SOCKET s, const struct sockaddr *name,
                               int namelen, LPWSABUF caller_data,
                               LPWSABUF callee_data, LPQOS sqos, LPQOS gqos);
CPORT_WIN32_API int WSAPoll(LPWSAPOLLFD fds, ULONG n, INT ms);
/* Winsock's select over its fd_set (winsock-types.h): nfds is ignored;
 * each set given keeps the sockets ready for it, in their order; returns
 * how many socket-and-set pairs are ready (0: the timeout, which is left
 * as it was, ran out), or SOCKET_ERROR: WSAEINVAL (no socket in any set,
 * or a negative timeout), WSAENOTSOCK (an entry not a socket), WSAEINTR.
 * A failed non-blocking connect is in exceptfds only. */
struct cport_w32_fd_set;
CPORT_WIN32_API int cport_w32_select(int nfds, struct cport_w32_fd_set *readfds,
                                     struct cport_w32_fd_set *writefds,
                                     struct cport_w32_fd_set *exceptfds,
                                     const struct timeval *timeout);
/* FD_ISSET: whether s is in the set. */
CPORT_WIN32_API int __WSAFDIsSet(SOCKET s, struct cport_w32_fd_set *set);
#if defined(__cplusplus)
/* C++: an overload beside the C library's select (which takes its own
 * fd_set), so a member named select keeps its name. */
extern "C++" {
inline int select(int nfds, struct cport_w32_fd_set *readfds,
                  struct cport_w32_fd_set *writefds,
                  struct cport_w32_fd_set *exceptfds,
                  const struct timeval *timeout) {
  return cport_w32_select(nfds, readfds, writefds, exceptfds, timeout);
}
}
#elif !defined(CPORT_BUILDING)
#  define select cport_w32_select
#endif
/* htons / htonl / ntohs / ntohl for a socket (every socket's provider
 * keeps network order big-endian): 0 and the value in *out, or
 * SOCKET_ERROR with WSAENOTSOCK (s is no socket) or WSAEFAULT (out is
 * NULL). */
CPORT_WIN32_API int WSAHtons(SOCKET s, u_short host, u_short *net);
CPORT_WIN32_API int WSAHtonl(SOCKET s, u_long host, u_long *net);
CPORT_WIN32_API int WSANtohs(SOCKET s, u_short net, u_short *host);
CPORT_WIN32_API int WSANtohl(SOCKET s, u_long net, u_long *host);
/* shutdown(s, SD_SEND) and shutdown(s, SD_RECEIVE). Disconnect data (a
 * non-NULL buffer) is refused with WSAENOPROTOOPT, as TCP/IP on Windows
 * refuses it. */
CPORT_WIN32_API int WSASendDisconnect(SOCKET s, LPWSABUF data);
CPORT_WIN32_API int WSARecvDisconnect(SOCKET s, LPWSABUF data);
/* A socket cannot go to another process here: SOCKET_ERROR with
 * WSAEINVAL ("one of the specified parameters was invalid": the target
 * process), after WSAENOTSOCK for a non-socket and WSAEFAULT for a NULL
 * info. Threads of one process share sockets as they are. */
CPORT_WIN32_API int WSADuplicateSocketA(SOCKET s, DWORD pid,
                                        LPWSAPROTOCOL_INFOA info);
CPORT_WIN32_API int WSADuplicateSocketW(SOCKET s, DWORD pid,
                                        LPWSAPROTOCOL_INFOW info);
#define WSADuplicateSocket CPORT_W32_AW(WSADuplicateSocket)
/* The transport providers (protocols.c): TCP and UDP over IPv4 and over
 * IPv6, in that order, with Windows' names ("MSAFD Tcpip [TCP/IP]"...),
 * provider GUIDs and service flags, each its own base protocol; the
 * message size of a UDP entry is the largest datagram (65507 and 65527
 * bytes), a TCP entry's 0. protocols: NULL for all, or a list ended by 0
 * of the iProtocol values wanted. Returns how many were written, or
 * SOCKET_ERROR with WSAENOBUFS and *len set to the bytes needed when the
 * buffer is too small (or NULL), WSAEFAULT for a NULL len. */
CPORT_WIN32_API int WSAEnumProtocolsA(LPINT protocols, LPWSAPROTOCOL_INFOA buf,
                                      LPDWORD len);
CPORT_WIN32_API int WSAEnumProtocolsW(LPINT protocols, LPWSAPROTOCOL_INFOW buf,
                                      LPDWORD len);
#define WSAEnumProtocols CPORT_W32_AW(WSAEnumProtocols)

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
CPORT_WIN32_API int cport_w32_getaddrinfo(const char *node, const char *service,
                                          const struct addrinfo *hints,
                                          struct addrinfo **res);
CPORT_WIN32_API const char *cport_w32_gai_strerror(int code);
#if defined(__THROW)
#  define CPORT_W32_THROW __THROW /* as <unistd.h> declares it */
#else
#  define CPORT_W32_THROW
#endif
CPORT_WIN32_API struct hostent *cport_w32_gethostbyname(const char *name);
CPORT_WIN32_API int cport_w32_gethostname(char *name,
                                          size_t namelen) CPORT_W32_THROW;
#define setsockopt cport_w32_setsockopt
#define getsockopt cport_w32_getsockopt
#define accept cport_w32_accept
#define getsockname cport_w32_getsockname
#define getpeername cport_w32_getpeername
#define recvfrom cport_w32_recvfrom
#define shutdown cport_w32_shutdown
#define getaddrinfo cport_w32_getaddrinfo
#define gai_strerror cport_w32_gai_strerror
#define gethostname cport_w32_gethostname
#define gethostbyname cport_w32_gethostbyname
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
#define InetPton CPORT_W32_AW(InetPton)
#define InetNtop CPORT_W32_AW(InetNtop)
/* ws2tcpip.h's inet_pton and inet_ntop are InetPtonA and InetNtopA: -1 and
 * WSAGetLastError() for a family they do not know, as on Windows. */
#define inet_pton InetPtonA
#define inet_ntop InetNtopA
/* ip2string.h: an address as text into s (room for 16 characters for
 * IPv4, 46 for IPv6, with the NUL); returns the NUL's place in s. */
CPORT_WIN32_API PSTR RtlIpv4AddressToStringA(const struct in_addr *a, PSTR s);
CPORT_WIN32_API PWSTR RtlIpv4AddressToStringW(const struct in_addr *a, PWSTR s);
CPORT_WIN32_API PSTR RtlIpv6AddressToStringA(const struct in6_addr *a, PSTR s);
CPORT_WIN32_API PWSTR RtlIpv6AddressToStringW(const struct in6_addr *a,
                                              PWSTR s);
#define RtlIpv4AddressToString CPORT_W32_AW(RtlIpv4AddressToString)
#define RtlIpv6AddressToString CPORT_W32_AW(RtlIpv6AddressToString)
/* An AF_INET or AF_INET6 address as text: "a.b.c.d", "a.b.c.d:port";
 * "addr", "addr%scope", "[addr]:port", "[addr%scope]:port" (port and scope
 * id when not zero). *size: the room in buf, in characters, then the
 * characters written with the NUL. 0, or SOCKET_ERROR with WSAEINVAL (NULL
 * sa or size, another family, salen short of its sockaddr) or WSAEFAULT
 * (buf NULL or too small: *size set to the room needed). info is ignored:
 * one provider. */
CPORT_WIN32_API INT WSAAddressToStringA(LPSOCKADDR sa, DWORD salen,
                                        LPWSAPROTOCOL_INFOA info, LPSTR buf,
                                        LPDWORD size);
CPORT_WIN32_API INT WSAAddressToStringW(LPSOCKADDR sa, DWORD salen,
                                        LPWSAPROTOCOL_INFOW info, LPWSTR buf,
                                        LPDWORD size);
/* Text to a zeroed sockaddr_in ("a.b.c.d", "a.b.c.d:port": decimal, no
 * shorthand) or sockaddr_in6 ("addr", "addr%scope", "[addr%scope]:port",
 * numeric scope id); a missing port is 0. *len: the room at sa, then the
 * struct's size. 0, or SOCKET_ERROR with WSAEINVAL (no such address or
 * family) or WSAEFAULT (sa or len NULL, or *len too small: set to the size
 * needed). info is ignored: one provider. */
CPORT_WIN32_API INT WSAStringToAddressA(LPSTR s, INT family,
                                        LPWSAPROTOCOL_INFOA info, LPSOCKADDR sa,
                                        LPINT len);
CPORT_WIN32_API INT WSAStringToAddressW(LPWSTR s, INT family,
                                        LPWSAPROTOCOL_INFOW info, LPSOCKADDR sa,
                                        LPINT len);
#define WSAAddressToString CPORT_W32_AW(WSAAddressToString)
#define WSAStringToAddress CPORT_W32_AW(WSAStringToAddress)
/* getaddrinfo with wide strings (UTF-8 underneath) and Winsock's codes:
 * 0, or the code (also in WSAGetLastError): WSAHOST_NOT_FOUND,
 * WSATYPE_NOT_FOUND, WSAEAFNOSUPPORT, WSAESOCKTNOSUPPORT, WSAEINVAL (bad
 * flags), WSATRY_AGAIN, WSANO_RECOVERY, WSA_NOT_ENOUGH_MEMORY, WSAEFAULT
 * (NULL result). Free the answers with FreeAddrInfoW. */
CPORT_WIN32_API INT GetAddrInfoW(PCWSTR node, PCWSTR service,
                                 const ADDRINFOW *hints, PADDRINFOW *res);
CPORT_WIN32_API VOID FreeAddrInfoW(PADDRINFOW ai);
/*
 * GetAddrInfoExW, synchronous (netdb.c): GetAddrInfoW's lookup, answered
 * as ADDRINFOEXW entries (ai_blob, ai_bufferlength and ai_provider NULL /
 * 0), each one block that FreeAddrInfoExW frees. dwNameSpace NS_ALL or
 * NS_DNS (another: WSAEINVAL); lpNspId is ignored (one provider); hints'
 * ai_addrlen, ai_canonname, ai_addr, ai_next, ai_blob, ai_bufferlength
 * and ai_provider must be 0 / NULL, else WSANO_RECOVERY; the timeout
 * does not bound the synchronous call (as on Windows, where it is for the
 * overlapped form). The overlapped form (an OVERLAPPED or a completion
 * routine) is not there: WSAEOPNOTSUPP, nothing started. Returns 0 or the
 * code (also in WSAGetLastError), GetAddrInfoW's codes besides these.
 */
#define NS_ALL 0
#define NS_DNS 12
typedef struct addrinfoexW {
  int ai_flags;
  int ai_family;
  int ai_socktype;
  int ai_protocol;
  size_t ai_addrlen;
  PWSTR ai_canonname;
  struct sockaddr *ai_addr;
  void *ai_blob;
  size_t ai_bufferlength;
  LPGUID ai_provider;
  struct addrinfoexW *ai_next;
} ADDRINFOEXW, *PADDRINFOEXW, *LPADDRINFOEXW;
typedef void(CALLBACK *LPLOOKUPSERVICE_COMPLETION_ROUTINE)(
    DWORD error, DWORD bytes, LPWSAOVERLAPPED overlapped);
CPORT_WIN32_API INT GetAddrInfoExW(PCWSTR node, PCWSTR service, DWORD ns,
                                   LPGUID provider, const ADDRINFOEXW *hints,
                                   PADDRINFOEXW *res, struct timeval *timeout,
                                   LPOVERLAPPED overlapped,
                                   LPLOOKUPSERVICE_COMPLETION_ROUTINE routine,
                                   LPHANDLE handle);
CPORT_WIN32_API void FreeAddrInfoExW(PADDRINFOEXW ai);
/*
 * WSAConnectByNameA / W (connectbyname.c): connects the unconnected
 * socket s (AF_INET or AF_INET6, any type getaddrinfo knows) to node and
 * service, trying each address getaddrinfo gives for the socket's
 * family and type in turn (an IPv6 socket with IPV6_V6ONLY off also gets
 * IPv4 hosts, as mapped addresses), blocking until one connects, all
 * fail, or the timeout (NULL: none) runs out over the whole call. TRUE:
 * connected, and the local and remote addresses written where the
 * caller gave a length and a buffer (the length set to the address's
 * size). FALSE with WSAGetLastError(): WSAENOTSOCK (not a socket),
 * WSAEINVAL (node or service NULL, Reserved not NULL, a negative
 * timeout), WSAEAFNOSUPPORT (another family), WSAEFAULT (a length without
 * its buffer or less than the family's address), WSAEISCONN, a lookup's
 * error (WSAHOST_NOT_FOUND...), WSAETIMEDOUT, or the last address's
 * connect error (WSAECONNREFUSED...). The socket's blocking mode is kept.
 * The overlapped form does not exist on Windows either (Reserved).
 */
typedef struct timeval TIMEVAL, *PTIMEVAL, *LPTIMEVAL;
CPORT_WIN32_API BOOL WSAConnectByNameA(SOCKET s, LPCSTR node, LPCSTR service,
                                       LPDWORD local_len, LPSOCKADDR local,
                                       LPDWORD remote_len, LPSOCKADDR remote,
                                       const struct timeval *timeout,
                                       LPWSAOVERLAPPED reserved);
CPORT_WIN32_API BOOL WSAConnectByNameW(SOCKET s, LPCWSTR node, LPCWSTR service,
                                       LPDWORD local_len, LPSOCKADDR local,
                                       LPDWORD remote_len, LPSOCKADDR remote,
                                       const struct timeval *timeout,
                                       LPWSAOVERLAPPED reserved);
#define WSAConnectByName CPORT_W32_AW(WSAConnectByName)
/* getnameinfo into wide buffers (sizes in WCHARs; a NULL buffer: not
 * asked for); the NI_* flags are the C library's. 0, or the code as
 * GetAddrInfoW's: WSAEFAULT for a NULL or short address or an answer
 * longer than its buffer, WSAEINVAL for a buffer of size 0,
 * WSAHOST_NOT_FOUND for neither buffer. */
CPORT_WIN32_API INT GetNameInfoW(const SOCKADDR *sa, socklen_t salen,
                                 PWCHAR host, DWORD hostlen, PWCHAR serv,
                                 DWORD servlen, INT flags);
#define GetAddrInfo CPORT_W32_AW(GetAddrInfo)
#define FreeAddrInfo CPORT_W32_AW(FreeAddrInfo)
#define ADDRINFOT CPORT_W32_AW(ADDRINFO)

/* ------------------------------------------------------------------------ */
/* Winsock: events                                                          */
/* ------------------------------------------------------------------------ */

/* Manual-reset, non-signalled events: WaitForMultipleObjects' objects. */
CPORT_WIN32_API WSAEVENT WSACreateEvent(void);
CPORT_WIN32_API BOOL WSACloseEvent(WSAEVENT e);
CPORT_WIN32_API BOOL WSASetEvent(WSAEVENT e);
CPORT_WIN32_API BOOL WSAResetEvent(WSAEVENT e);
/* Network events (WSAEventSelect). */
#define FD_READ_BIT 0
#define FD_READ (1 << FD_READ_BIT)
#define FD_WRITE_BIT 1
#define FD_WRITE (1 << FD_WRITE_BIT)
#define FD_OOB_BIT 2
#define FD_OOB (1 << FD_OOB_BIT)
#define FD_ACCEPT_BIT 3
#define FD_ACCEPT (1 << FD_ACCEPT_BIT)
#define FD_CONNECT_BIT 4
#define FD_CONNECT (1 << FD_CONNECT_BIT)
#define FD_CLOSE_BIT 5
#define FD_CLOSE (1 << FD_CLOSE_BIT)
#define FD_QOS_BIT 6
#define FD_QOS (1 << FD_QOS_BIT)
#define FD_GROUP_QOS_BIT 7
#define FD_GROUP_QOS (1 << FD_GROUP_QOS_BIT)
#define FD_ROUTING_INTERFACE_CHANGE_BIT 8
#define FD_ROUTING_INTERFACE_CHANGE (1 << FD_ROUTING_INTERFACE_CHANGE_BIT)
#define FD_ADDRESS_LIST_CHANGE_BIT 9
#define FD_ADDRESS_LIST_CHANGE (1 << FD_ADDRESS_LIST_CHANGE_BIT)
#define FD_MAX_EVENTS 10
#define FD_ALL_EVENTS ((1 << FD_MAX_EVENTS) - 1)
typedef struct _WSANETWORKEVENTS {
  long lNetworkEvents;
  int iErrorCode[FD_MAX_EVENTS];
} WSANETWORKEVENTS, *LPWSANETWORKEVENTS;
/* Records the FD_* events asked for as they happen and sets the event
 * (an event object; 0 events: stop watching); the socket becomes
 * non-blocking. FD_READ, FD_WRITE, FD_ACCEPT, FD_CONNECT and FD_CLOSE
 * are recorded, each again only after its re-enabling call (a receive,
 * a send that would block, accept or AcceptEx); FD_OOB and the QOS and
 * change events never. A socket accept() takes from a selected listener
 * starts with the listener's selection. */
CPORT_WIN32_API int WSAEventSelect(SOCKET s, WSAEVENT event, long events);
/* Takes the recorded events and their error codes (iErrorCode[FD_*_BIT]),
 * clearing the record, and resets `event` if it is not NULL. */
CPORT_WIN32_API int WSAEnumNetworkEvents(SOCKET s, WSAEVENT event,
                                         LPWSANETWORKEVENTS out);
/* WaitForMultipleObjectsEx: the handles may be of any waitable type. */
CPORT_WIN32_API DWORD WSAWaitForMultipleEvents(DWORD n, const WSAEVENT *events,
                                               BOOL all, DWORD ms,
                                               BOOL alertable);

/* ------------------------------------------------------------------------ */
/* Winsock: overlapped I/O                                                  */
/* ------------------------------------------------------------------------ */

CPORT_WIN32_API int WSAIoctl(SOCKET s, DWORD code, LPVOID in, DWORD inlen,
                             LPVOID out, DWORD outlen, LPDWORD bytes,
                             LPWSAOVERLAPPED ov,
                             LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
/*
 * With an OVERLAPPED: 0 if the op finished inside the call (its packet is
 * still queued unless skip mode is on), else SOCKET_ERROR with
 * WSA_IO_PENDING, or the error (nothing queued). Without one they block
 * (WSARecv takes MSG_PEEK, MSG_OOB, MSG_WAITALL then; MSG_PUSH_IMMEDIATE
 * is accepted either way). With a completion routine (and an OVERLAPPED)
 * no packet is queued: the routine runs on the calling thread at its next
 * alertable wait after the op ends (an APC), with the Winsock error and
 * the bytes; hEvent stays the program's. On a TCP socket WSARecvFrom and
 * WSASendTo ignore the address and act as WSARecv and WSASend; a source
 * length below the family's address is WSAEFAULT.
 */
CPORT_WIN32_API int WSARecv(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                            LPDWORD flags, LPWSAOVERLAPPED ov,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
CPORT_WIN32_API int WSASend(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                            DWORD flags, LPWSAOVERLAPPED ov,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
CPORT_WIN32_API int WSARecvFrom(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                                LPDWORD flags, struct sockaddr *from,
                                LPINT fromlen, LPWSAOVERLAPPED ov,
                                LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
CPORT_WIN32_API int WSASendTo(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                              DWORD flags, const struct sockaddr *to, int tolen,
                              LPWSAOVERLAPPED ov,
                              LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
/* A datagram with control data (IN_PKTINFO, IN6_PKTINFO: the source
 * address to send from); also through WSAID_WSASENDMSG. */
CPORT_WIN32_API int WSASendMsg(SOCKET s, LPWSAMSG msg, DWORD flags,
                               LPDWORD bytes, LPWSAOVERLAPPED ov,
                               LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
/* WSA_IO_INCOMPLETE while the op runs and wait is FALSE; on failure
 * *bytes is left as it was; WSAENOTSOCK once s is closed; flags may be
 * NULL. */
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

/* TransmitPackets' elements: TP_ELEMENT_MEMORY (pBuffer) or
 * TP_ELEMENT_FILE (the default: hFile from nFileOffset, -1 for the file's
 * current position; cLength 0 to its end), TP_ELEMENT_EOP optional. */
#define TP_ELEMENT_MEMORY 1
#define TP_ELEMENT_FILE 2
#define TP_ELEMENT_EOP 4
typedef struct _TRANSMIT_PACKETS_ELEMENT {
  ULONG dwElFlags;
  ULONG cLength;
  CPORT_W32_NAMELESS union {
    CPORT_W32_NAMELESS struct {
      LARGE_INTEGER nFileOffset;
      HANDLE hFile;
    };
    PVOID pBuffer;
  };
} TRANSMIT_PACKETS_ELEMENT, *PTRANSMIT_PACKETS_ELEMENT,
    *LPTRANSMIT_PACKETS_ELEMENT;
/**
 * TransmitPackets (Windows' extension, reached through WSAIoctl with
 * WSAID_TRANSMITPACKETS): sends the elements in order on a connected
 * stream socket as one operation, like TransmitFile (of which it shares
 * the engine), with one completion counting all the bytes. The element
 * array is copied: it may be freed once the call returns (the memory and
 * files it names must stay until the completion). `send_size` is ignored
 * and TP_ELEMENT_EOP only ends the grouping of sends (MSG_MORE). Flags as
 * TransmitFile's; TF_REUSE_SOCKET needs TF_DISCONNECT. Without an
 * OVERLAPPED it returns when all is sent. Errors (WSAGetLastError):
 * WSAEINVAL for an unknown flag or element flag, a NULL array with
 * elements, a memory element with a NULL buffer, a file element whose
 * handle is not a file or whose offset is negative (other than -1);
 * WSAEOPNOTSUPP on a datagram socket (cport sends no datagrams with it);
 * WSAENOTCONN, WSAESHUTDOWN as TransmitFile.
 */
typedef BOOL(WINAPI *LPFN_TRANSMITPACKETS)(SOCKET, LPTRANSMIT_PACKETS_ELEMENT,
                                           DWORD, DWORD, LPOVERLAPPED, DWORD);
typedef INT(WINAPI *LPFN_WSARECVMSG)(SOCKET, LPWSAMSG, LPDWORD, LPWSAOVERLAPPED,
                                     LPWSAOVERLAPPED_COMPLETION_ROUTINE);
typedef INT(WINAPI *LPFN_WSASENDMSG)(SOCKET, LPWSAMSG, DWORD, LPDWORD,
                                     LPWSAOVERLAPPED,
                                     LPWSAOVERLAPPED_COMPLETION_ROUTINE);

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
/* ConnectEx, DisconnectEx and TransmitPackets are reached only through
 * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) with WSAID_CONNECTEX,
 * WSAID_DISCONNECTEX and WSAID_TRANSMITPACKETS, as on Windows, where no
 * library exports them: a program may name its own pointers so
 * (`static LPFN_CONNECTEX ConnectEx;`). */
CPORT_WIN32_API BOOL TransmitFile(SOCKET s, HANDLE file, DWORD bytes,
                                  DWORD per_send, LPOVERLAPPED ov,
                                  LPTRANSMIT_FILE_BUFFERS buffers, DWORD flags);

#endif /* CPORT_WIN32_PART_WINSOCK_H */
