/**
 * @file cport_win32/winsock-types.h
 * @brief Part of cport_win32.h: Winsock's types and constants (winsock2.h, ws2def.h, ws2ipdef.h, mstcpip.h).
 *
 * Include <cport_win32.h>, never this file: it is read inside that
 * header's Linux branch, after the parts before it.
 */
#ifndef CPORT_WIN32_PART_WINSOCK_TYPES_H
#define CPORT_WIN32_PART_WINSOCK_TYPES_H

#ifndef CPORT_WIN32_H
#  error "include <cport_win32.h>, not its parts"
#endif

/* ------------------------------------------------------------------------ */
/* Winsock: types                                                           */
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
#ifndef in_addr6
#  define in_addr6 in6_addr /* ws2ipdef.h's other name for it */
#endif
typedef struct linger LINGER, *PLINGER, *LPLINGER;
/* ws2def.h: an IPv6 scope (zone and level), and ws2ipdef.h: either
 * address family in one type. */
typedef union {
  CPORT_W32_NAMELESS struct {
    ULONG Zone : 28;
    ULONG Level : 4;
  };
  ULONG Value;
} SCOPE_ID, *PSCOPE_ID;
typedef union _SOCKADDR_INET {
  SOCKADDR_IN Ipv4;
  SOCKADDR_IN6 Ipv6;
  ADDRESS_FAMILY si_family;
} SOCKADDR_INET, *PSOCKADDR_INET;
typedef struct hostent HOSTENT, *PHOSTENT, *LPHOSTENT;
typedef struct addrinfo ADDRINFOA, *PADDRINFOA, ADDRINFO, *LPADDRINFO;
/* GetAddrInfoW's answers: struct addrinfo with a wide canonical name, in
 * Windows' member order. */
typedef struct addrinfoW {
  int ai_flags;
  int ai_family;
  int ai_socktype;
  int ai_protocol;
  size_t ai_addrlen;
  PWSTR ai_canonname;
  struct sockaddr *ai_addr;
  struct addrinfoW *ai_next;
} ADDRINFOW, *PADDRINFOW;
/* Windows' WSAPOLLFD: a SOCKET, then the two masks; its tag is pollfd as
 * on Windows unless <poll.h> came first (its struct pollfd is Linux's, an
 * int fd; WSAPoll then takes this one as cport_w32_pollfd). The POLL*
 * masks have Linux's values, spelled as the C library spells them, so
 * <poll.h> after this header defines the same macros again. */
#if defined(CPORT_BUILDING) || defined(_SYS_POLL_H) || defined(_POLL_H)
#  define CPORT_W32_POLLFD_TAG cport_w32_pollfd
#else
#  define CPORT_W32_POLLFD_TAG pollfd
#endif
typedef struct CPORT_W32_POLLFD_TAG {
  SOCKET fd;
  SHORT events;
  SHORT revents;
} WSAPOLLFD, *PWSAPOLLFD, *LPWSAPOLLFD;
#ifndef POLLIN
#  define POLLIN 0x001
#  define POLLPRI 0x002
#  define POLLOUT 0x004
#  define POLLERR 0x008
#  define POLLHUP 0x010
#  define POLLNVAL 0x020
#endif
#ifndef POLLRDNORM
#  define POLLRDNORM 0x040
#  define POLLRDBAND 0x080
#  define POLLWRNORM 0x100
#  define POLLWRBAND 0x200
#endif
typedef OVERLAPPED WSAOVERLAPPED, *LPWSAOVERLAPPED;

/* Winsock's fd_set: a count and the sockets, any descriptor number, at
 * most FD_SETSIZE of them: 64 unless the program defines FD_SETSIZE
 * before cport_win32.h and before any C library header (which sets the
 * C library's own, as winsock2.h's rule has it). select()
 * (cport_w32_select) keeps in each set the sockets that are ready, in
 * their order. FD_SET adds a socket once and not beyond FD_SETSIZE;
 * FD_CLR moves the later ones down; and FD_ISSET is __WSAFDIsSet. (The
 * layer's library keeps the C library's fd_set for its own select.) */
#if !defined(CPORT_BUILDING)
#  undef FD_SETSIZE
#  ifdef CPORT_W32_FD_SETSIZE
#    pragma pop_macro("FD_SETSIZE")
#  else
#    define FD_SETSIZE 64
#  endif
typedef struct cport_w32_fd_set {
  u_int fd_count;
  SOCKET fd_array[FD_SETSIZE];
} cport_w32_fd_set;
#  define fd_set cport_w32_fd_set
typedef fd_set FD_SET, *PFD_SET, *LPFD_SET;
static inline void cport_w32_fd_add(SOCKET s, fd_set *set, u_int room) {
  for (u_int i = 0; i < set->fd_count; i++)
    if (set->fd_array[i] == s)
      return;
  if (set->fd_count < room)
    set->fd_array[set->fd_count++] = s;
}
static inline void cport_w32_fd_remove(SOCKET s, fd_set *set) {
  for (u_int i = 0; i < set->fd_count; i++)
    if (set->fd_array[i] == s) {
      for (set->fd_count--; i < set->fd_count; i++)
        set->fd_array[i] = set->fd_array[i + 1];
      return;
    }
}
#  undef FD_ZERO
#  undef FD_SET
#  undef FD_CLR
#  undef FD_ISSET
#  define FD_ZERO(set) ((void)(((fd_set *)(set))->fd_count = 0))
#  define FD_SET(fd, set) \
    cport_w32_fd_add((SOCKET)(fd), (fd_set *)(set), (u_int)FD_SETSIZE)
#  define FD_CLR(fd, set) cport_w32_fd_remove((SOCKET)(fd), (fd_set *)(set))
#  define FD_ISSET(fd, set) __WSAFDIsSet((SOCKET)(fd), (fd_set *)(set))
#endif

typedef struct _WSABUF {
  ULONG len;
  CHAR *buf;
} WSABUF, *LPWSABUF;

/* WSARecvMsg's and WSASendMsg's message and its control headers
 * (Windows' layout, which the layer translates to and from Linux's). */
typedef struct _WSAMSG {
  LPSOCKADDR name;
  INT namelen;
  LPWSABUF lpBuffers;
  ULONG dwBufferCount;
  WSABUF Control;
  ULONG dwFlags;
} WSAMSG, *PWSAMSG, *LPWSAMSG;
typedef struct _WSACMSGHDR {
  SIZE_T cmsg_len;
  INT cmsg_level;
  INT cmsg_type;
} WSACMSGHDR, *PWSACMSGHDR, *LPWSACMSGHDR;
#define WSA_CMSGHDR_ALIGN(length) \
  (((length) + sizeof(SIZE_T) - 1) & ~(sizeof(SIZE_T) - 1))
#define WSA_CMSGDATA_ALIGN(length) \
  (((length) + sizeof(ULONG_PTR) - 1) & ~(sizeof(ULONG_PTR) - 1))
#define WSA_CMSG_FIRSTHDR(msg)                    \
  ((msg)->Control.len >= sizeof(WSACMSGHDR)       \
       ? (LPWSACMSGHDR)(void *)(msg)->Control.buf \
       : (LPWSACMSGHDR)NULL)
#define WSA_CMSG_NXTHDR(msg, cmsg)                          \
  (!(cmsg) ? WSA_CMSG_FIRSTHDR(msg)                         \
   : (char *)(cmsg) + WSA_CMSGHDR_ALIGN((cmsg)->cmsg_len) + \
               sizeof(WSACMSGHDR) >                         \
           (char *)(msg)->Control.buf + (msg)->Control.len  \
       ? (LPWSACMSGHDR)NULL                                 \
       : (LPWSACMSGHDR)(void *)((char *)(cmsg) +            \
                                WSA_CMSGHDR_ALIGN((cmsg)->cmsg_len)))
#define WSA_CMSG_DATA(cmsg) \
  ((unsigned char *)(cmsg) + WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR)))
#define WSA_CMSG_SPACE(length) \
  WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR) + WSA_CMSGHDR_ALIGN(length))
#define WSA_CMSG_LEN(length) (WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR)) + (length))

typedef struct WSAData {
  WORD wVersion;
  WORD wHighVersion;
  char szDescription[257];
  char szSystemStatus[129];
  unsigned short iMaxSockets;
  unsigned short iMaxUdpDg;
  char *lpVendorInfo;
} WSADATA, *LPWSADATA;

typedef void *LPQOS;
/* A transport provider (winsock2.h): what WSAEnumProtocols lists and
 * WSASocket and WSADuplicateSocket take. */
#define MAX_PROTOCOL_CHAIN 7
#define WSAPROTOCOL_LEN 255
#define BASE_PROTOCOL 1
#define LAYERED_PROTOCOL 0
#define FROM_PROTOCOL_INFO (-1)
#define BIGENDIAN 0x0000
#define LITTLEENDIAN 0x0001
#define SECURITY_PROTOCOL_NONE 0x0000
#define XP1_CONNECTIONLESS 0x00000001u
#define XP1_GUARANTEED_DELIVERY 0x00000002u
#define XP1_GUARANTEED_ORDER 0x00000004u
#define XP1_MESSAGE_ORIENTED 0x00000008u
#define XP1_PSEUDO_STREAM 0x00000010u
#define XP1_GRACEFUL_CLOSE 0x00000020u
#define XP1_EXPEDITED_DATA 0x00000040u
#define XP1_CONNECT_DATA 0x00000080u
#define XP1_DISCONNECT_DATA 0x00000100u
#define XP1_SUPPORT_BROADCAST 0x00000200u
#define XP1_SUPPORT_MULTIPOINT 0x00000400u
#define XP1_MULTIPOINT_CONTROL_PLANE 0x00000800u
#define XP1_MULTIPOINT_DATA_PLANE 0x00001000u
#define XP1_QOS_SUPPORTED 0x00002000u
#define XP1_INTERRUPT 0x00004000u
#define XP1_UNI_SEND 0x00008000u
#define XP1_UNI_RECV 0x00010000u
#define XP1_IFS_HANDLES 0x00020000u
#define XP1_PARTIAL_MESSAGE 0x00040000u
#define XP1_SAN_SUPPORT_SDP 0x00080000u
#define PFL_MULTIPLE_PROTO_ENTRIES 0x00000001u
#define PFL_RECOMMENDED_PROTO_ENTRY 0x00000002u
#define PFL_HIDDEN 0x00000004u
#define PFL_MATCHES_PROTOCOL_ZERO 0x00000008u
#define PFL_NETWORKDIRECT_PROVIDER 0x00000010u
typedef struct _WSAPROTOCOLCHAIN {
  int ChainLen;
  DWORD ChainEntries[MAX_PROTOCOL_CHAIN];
} WSAPROTOCOLCHAIN, *LPWSAPROTOCOLCHAIN;
typedef struct _WSAPROTOCOL_INFOA {
  DWORD dwServiceFlags1;
  DWORD dwServiceFlags2;
  DWORD dwServiceFlags3;
  DWORD dwServiceFlags4;
  DWORD dwProviderFlags;
  GUID ProviderId;
  DWORD dwCatalogEntryId;
  WSAPROTOCOLCHAIN ProtocolChain;
  int iVersion;
  int iAddressFamily;
  int iMaxSockAddr;
  int iMinSockAddr;
  int iSocketType;
  int iProtocol;
  int iProtocolMaxOffset;
  int iNetworkByteOrder;
  int iSecurityScheme;
  DWORD dwMessageSize;
  DWORD dwProviderReserved;
  CHAR szProtocol[WSAPROTOCOL_LEN + 1];
} WSAPROTOCOL_INFOA, *LPWSAPROTOCOL_INFOA;
typedef struct _WSAPROTOCOL_INFOW {
  DWORD dwServiceFlags1;
  DWORD dwServiceFlags2;
  DWORD dwServiceFlags3;
  DWORD dwServiceFlags4;
  DWORD dwProviderFlags;
  GUID ProviderId;
  DWORD dwCatalogEntryId;
  WSAPROTOCOLCHAIN ProtocolChain;
  int iVersion;
  int iAddressFamily;
  int iMaxSockAddr;
  int iMinSockAddr;
  int iSocketType;
  int iProtocol;
  int iProtocolMaxOffset;
  int iNetworkByteOrder;
  int iSecurityScheme;
  DWORD dwMessageSize;
  DWORD dwProviderReserved;
  WCHAR szProtocol[WSAPROTOCOL_LEN + 1];
} WSAPROTOCOL_INFOW, *LPWSAPROTOCOL_INFOW;
#ifdef UNICODE
typedef WSAPROTOCOL_INFOW WSAPROTOCOL_INFO, *LPWSAPROTOCOL_INFO;
#else
typedef WSAPROTOCOL_INFOA WSAPROTOCOL_INFO, *LPWSAPROTOCOL_INFO;
#endif
typedef unsigned int GROUP;
typedef HANDLE WSAEVENT, *LPWSAEVENT;

typedef void(CALLBACK *LPWSAOVERLAPPED_COMPLETION_ROUTINE)(DWORD, DWORD,
                                                           LPWSAOVERLAPPED,
                                                           DWORD);
typedef int(CALLBACK *LPCONDITIONPROC)(LPWSABUF caller_id, LPWSABUF caller_data,
                                       LPQOS sqos, LPQOS gqos,
                                       LPWSABUF callee_id, LPWSABUF callee_data,
                                       GROUP *g, DWORD_PTR data);

/* mstcpip.h: SIO_KEEPALIVE_VALS, times in milliseconds. */
struct tcp_keepalive {
  ULONG onoff;
  ULONG keepalivetime;
  ULONG keepaliveinterval;
};

/* mstcpip.h: fill an IPv6 socket address with the unspecified address
 * (port 0), or with an IPv4 address mapped into IPv6 (a dual-stack
 * socket's view of an IPv4 peer); port in network order. */
static inline void IN6ADDR_SETANY(PSOCKADDR_IN6 a) {
  memset(a, 0, sizeof(*a));
  a->sin6_family = AF_INET6;
}
static inline void IN6ADDR_SETV4MAPPED(PSOCKADDR_IN6 a, const IN_ADDR *v4,
                                       SCOPE_ID scope, USHORT port) {
  memset(a, 0, sizeof(*a));
  a->sin6_family = AF_INET6;
  a->sin6_port = port;
  a->sin6_addr.s6_addr[10] = 0xff;
  a->sin6_addr.s6_addr[11] = 0xff;
  memcpy(&a->sin6_addr.s6_addr[12], v4, 4);
  a->sin6_scope_id = scope.Value;
}

/* ------------------------------------------------------------------------ */
/* Winsock: constants                                                       */
/* ------------------------------------------------------------------------ */

#define INVALID_SOCKET ((SOCKET) ~(uintptr_t)0)
#define SOCKET_ERROR (-1)
#define WSADESCRIPTION_LEN 256
#define WSASYS_STATUS_LEN 128
#define WSA_FLAG_OVERLAPPED 0x01
#define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#define SD_RECEIVE 0
#define SD_SEND 1
#define SD_BOTH 2
#define MSG_PARTIAL 0x8000
#define MSG_MAXIOVLEN 16
/* WSARecv on a stream: a hint to complete as soon as any data arrived,
 * which is what every receive does here; accepted and ignored. */
#define MSG_PUSH_IMMEDIATE 0x20
#define SO_UPDATE_ACCEPT_CONTEXT 0x700B
#define SO_UPDATE_CONNECT_CONTEXT 0x7010
#define SO_CONNECT_TIME 0x700C
#define SO_MAX_MSG_SIZE 0x2003
/* getsockopt only: the socket's WSAPROTOCOL_INFO (A or W), the entry
 * WSAEnumProtocols lists for its family, type and protocol. */
#define SO_PROTOCOL_INFOA 0x2004
#define SO_PROTOCOL_INFOW 0x2005
#define SO_PROTOCOL_INFO CPORT_W32_AW(SO_PROTOCOL_INFO)
#define SO_EXCLUSIVEADDRUSE ((int)(~SO_REUSEADDR))
/* Accepted without effect: Linux always picks ephemeral ports at random
 * and shares them between different destinations. */
#define SO_RANDOMIZE_PORT 0x3005
#define SO_PORT_SCALABILITY 0x3006
#define SO_CONDITIONAL_ACCEPT 0x3002
#define SO_DONTLINGER ((int)(~SO_LINGER))
/* The calling thread's default for sockets it opens with socket()
 * (SOL_SOCKET, a DWORD, any socket value, INVALID_SOCKET too): 0, or
 * SO_SYNCHRONOUS_ALERT / SO_SYNCHRONOUS_NONALERT for non-overlapped ones.
 * Kept per thread (0 at first) and read back; every socket is overlapped
 * here whatever it says, which a program that also passes no OVERLAPPED
 * to the synchronous ones does not notice. */
#define SO_OPENTYPE 0x7008
#define SO_SYNCHRONOUS_ALERT 0x10
#define SO_SYNCHRONOUS_NONALERT 0x20
/* IPPROTO_TCP: the seconds a connection stays idle before keep-alive
 * probes (a DWORD; Linux's TCP_KEEPIDLE). Windows' value, which is
 * Linux's TCP_CORK: through setsockopt and getsockopt here, 3 at
 * IPPROTO_TCP has the Windows meaning. */
#define TCP_KEEPALIVE 3
/* Windows has no TCP_CORK: Linux's would be read as TCP_KEEPALIVE. */
#undef TCP_CORK
/* IPPROTO_IP: a BOOL, TRUE to receive an IN_PKTINFO (the datagram's
 * destination address and interface) with each datagram WSARecvMsg
 * takes, at level IPPROTO_IP with type IP_PKTINFO; WSASendMsg takes one
 * to choose the source address. Windows' value and layout (Linux's
 * IP_PKTINFO is 8, its struct in_pktinfo has three members): through the
 * layer's setsockopt, getsockopt, WSARecvMsg and WSASendMsg they have the
 * Windows meaning. */
#undef IP_PKTINFO
#define IP_PKTINFO 19
typedef struct cport_w32_in_pktinfo {
  IN_ADDR ipi_addr;
  ULONG ipi_ifindex;
} IN_PKTINFO, *PIN_PKTINFO;
/* IPPROTO_IPV6: the same for IPv6 (a BOOL, Linux's IPV6_RECVPKTINFO
 * underneath; a struct in6_pktinfo given to setsockopt sets Linux's
 * sticky source address, as on Linux). Linux's number (50), not
 * Windows' 19, which is Linux's IPV6_MULTICAST_LOOP; the layout is the
 * same on both systems. */
typedef struct cport_w32_in6_pktinfo {
  IN6_ADDR ipi6_addr;
  ULONG ipi6_ifindex;
} IN6_PKTINFO, *PIN6_PKTINFO;
/* As in Windows' ws2ipdef.h, struct in_pktinfo and struct in6_pktinfo are
 * these two (Linux's struct in_pktinfo has a third member, and the control
 * data WSARecvMsg writes has Windows' layout). */
#define in_pktinfo cport_w32_in_pktinfo
#define in6_pktinfo cport_w32_in6_pktinfo
/* WSARecvMsg's dwFlags on output, besides MSG_TRUNC and MSG_CTRUNC
 * (Linux's values): the datagram's destination was a broadcast or a
 * multicast address (known when IP_PKTINFO or IPV6_PKTINFO is on). */
#ifndef MSG_BCAST
#  define MSG_BCAST 0x0400
#endif
#ifndef MSG_MCAST
#  define MSG_MCAST 0x0800
#endif
/* IPPROTO_IP: a BOOL, TRUE to send with "don't fragment" (Linux's
 * IP_MTU_DISCOVER IP_PMTUDISC_DO; FALSE: IP_PMTUDISC_DONT); read back as
 * TRUE while IP_MTU_DISCOVER is DO or PROBE. Windows' value, which is
 * Linux's IP_MTU; IP_MTU is Windows' 73 here, read as Linux's. */
#define IP_DONTFRAGMENT 14
#undef IP_MTU
#define IP_MTU 73
/* listen()'s backlog given as a hint (a negative value); Linux caps it at
 * net.core.somaxconn, as Windows caps the hint. */
#define SOMAXCONN_HINT(b) (-(b))
/* ws2def.h: the port of a SOCKADDR_STORAGE holding either family. */
#define SS_PORT(ssp) (((PSOCKADDR_IN)(ssp))->sin_port)
#define CF_ACCEPT 0x0000
#define CF_REJECT 0x0001
#define CF_DEFER 0x0002

/* Winsock's ioctl encodings (ws2def.h), in place of the Linux names of
 * the same spelling <asm/ioctls.h> brings (IOC_IN is 0x40000000 there):
 * code that builds its own control codes with _WSAIOW and kin gets
 * Windows' values. */
#undef IOC_IN
#undef IOC_OUT
#undef IOC_INOUT
#undef IOC_VOID
#define IOCPARM_MASK 0x7f
#define IOC_VOID 0x20000000u
#define IOC_OUT 0x40000000u
#define IOC_IN 0x80000000u
#define IOC_INOUT (IOC_IN | IOC_OUT)
#define IOC_UNIX 0x00000000u
#define IOC_WS2 0x08000000u
#define IOC_PROTOCOL 0x10000000u
#define IOC_VENDOR 0x18000000u
#define _WSAIO(x, y) (IOC_VOID | (x) | (y))
#define _WSAIOR(x, y) (IOC_OUT | (x) | (y))
#define _WSAIOW(x, y) (IOC_IN | (x) | (y))
#define _WSAIORW(x, y) (IOC_INOUT | (x) | (y))

/* Windows' IOC_* encodings (Linux has its own for ioctl). */
#define SIO_GET_EXTENSION_FUNCTION_POINTER 0xC8000006u
#define SIO_KEEPALIVE_VALS 0x98000004u
/* FALSE succeeds (Linux never reports an ICMP unreachable to an
 * unconnected UDP socket); TRUE, Windows' default, is refused. */
#define SIO_UDP_CONNRESET 0x9800000Cu
#define SIO_UDP_NETRESET 0x9800000Fu
/* A BOOL in, on a TCP socket (another type: WSAEOPNOTSUPP): accepted
 * without effect. Microsoft deprecated it; loopback has no other path
 * here. */
#define SIO_LOOPBACK_FAST_PATH 0x98000010u
/* The socket itself (one provider, no layered one under it), a SOCKET
 * out: WSAEFAULT for less room, WSAENOTSOCK for a non-socket. */
#define SIO_BASE_HANDLE 0x48000022u
/* A USHORT processor number in, before bind: the socket is that
 * processor's, and sockets so marked may bind the same UDP port (Linux's
 * SO_REUSEPORT and SO_INCOMING_CPU), as servers sharding a port by
 * processor do. */
#define SIO_CPU_AFFINITY 0x98000015u

#define TF_DISCONNECT 0x01
#define TF_REUSE_SOCKET 0x02
#define TF_WRITE_BEHIND 0x04
#define TF_USE_DEFAULT_WORKER 0x00
#define TF_USE_SYSTEM_THREAD 0x10
#define TF_USE_KERNEL_APC 0x20
#define TF_USE_DEFAULT_WORKER 0x00

#define WSAID_ACCEPTEX                               \
  {                                                  \
    0xb5367df1, 0xcbac, 0x11cf, {                    \
      0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92 \
    }                                                \
  }
#define WSAID_CONNECTEX                              \
  {                                                  \
    0x25a207b9, 0xddf3, 0x4660, {                    \
      0x8e, 0xe9, 0x76, 0xe5, 0x8c, 0x74, 0x06, 0x3e \
    }                                                \
  }
#define WSAID_DISCONNECTEX                           \
  {                                                  \
    0x7fda2e11, 0x8630, 0x436f, {                    \
      0xa0, 0x31, 0xf5, 0x36, 0xa6, 0xee, 0xc1, 0x57 \
    }                                                \
  }
#define WSAID_GETACCEPTEXSOCKADDRS                   \
  {                                                  \
    0xb5367df2, 0xcbac, 0x11cf, {                    \
      0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92 \
    }                                                \
  }
#define WSAID_TRANSMITFILE                           \
  {                                                  \
    0xb5367df0, 0xcbac, 0x11cf, {                    \
      0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92 \
    }                                                \
  }

#define WSAID_TRANSMITPACKETS                        \
  {                                                  \
    0xd9689da0, 0x1f90, 0x11d3, {                    \
      0x99, 0x71, 0x00, 0xc0, 0x4f, 0x68, 0xc8, 0x76 \
    }                                                \
  }

/* WSARecvMsg and WSASendMsg (LPFN_WSARECVMSG, LPFN_WSASENDMSG). */
#define WSAID_WSARECVMSG                             \
  {                                                  \
    0xf689d7c8, 0x6f1f, 0x436b, {                    \
      0x8a, 0x53, 0xe5, 0x4f, 0xe3, 0x51, 0xc3, 0x22 \
    }                                                \
  }
#define WSAID_WSASENDMSG                             \
  {                                                  \
    0xa441e712, 0x754f, 0x43ca, {                    \
      0x84, 0xa7, 0x0d, 0xee, 0x44, 0xcf, 0x60, 0x6d \
    }                                                \
  }

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

#endif /* CPORT_WIN32_PART_WINSOCK_TYPES_H */
