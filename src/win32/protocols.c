/*
 * protocols.c - Winsock's transport providers: WSAEnumProtocols lists
 * what the layer's sockets are, TCP and UDP over IPv4 and IPv6, as the
 * WSAPROTOCOL_INFO entries Windows' own provider (MSAFD Tcpip) gives for
 * them: the same names, provider GUIDs and service flags, so a program
 * that picks a provider by its properties finds the same ones
 * (WSASocket, in sockets.c, takes the values FROM_PROTOCOL_INFO asks
 * for from an entry), and getsockopt's SO_PROTOCOL_INFO gives a socket's.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "win32.h"

/* One provider entry, the fields that vary. */
struct provider {
  const char *name;
  GUID id;
  int af, type, protocol;
  DWORD flags, message_size;
};

/* Windows' MSAFD Tcpip providers (IPv4 and IPv6). */
#define MSAFD_IPV4                                \
  {                                               \
    0xE70F1AA0, 0xAB8B, 0x11CF, {                 \
      0x8C, 0xA3, 0, 0x80, 0x5F, 0x48, 0xA1, 0x92 \
    }                                             \
  }
#define MSAFD_IPV6                             \
  {                                            \
    0xF9EAB0C0, 0x26D4, 0x11D0, {              \
      0xBB, 0xBF, 0, 0xAA, 0, 0x6C, 0x34, 0xE4 \
    }                                          \
  }
#define TCP_FLAGS                                                        \
  (XP1_GUARANTEED_DELIVERY | XP1_GUARANTEED_ORDER | XP1_GRACEFUL_CLOSE | \
   XP1_EXPEDITED_DATA | XP1_IFS_HANDLES)
#define UDP_FLAGS                                                      \
  (XP1_CONNECTIONLESS | XP1_MESSAGE_ORIENTED | XP1_SUPPORT_BROADCAST | \
   XP1_SUPPORT_MULTIPOINT | XP1_IFS_HANDLES)

static const struct provider providers[] = {
    {"MSAFD Tcpip [TCP/IP]", MSAFD_IPV4, AF_INET, SOCK_STREAM, IPPROTO_TCP,
     TCP_FLAGS, 0},
    {"MSAFD Tcpip [UDP/IP]", MSAFD_IPV4, AF_INET, SOCK_DGRAM, IPPROTO_UDP,
     UDP_FLAGS, 65507},
    {"MSAFD Tcpip [TCP/IPv6]", MSAFD_IPV6, AF_INET6, SOCK_STREAM, IPPROTO_TCP,
     TCP_FLAGS, 0},
    {"MSAFD Tcpip [UDP/IPv6]", MSAFD_IPV6, AF_INET6, SOCK_DGRAM, IPPROTO_UDP,
     UDP_FLAGS, 65527},
};
#define PROVIDERS (sizeof(providers) / sizeof(providers[0]))
/* The catalog ids the layer gives them (Windows numbers its own from
 * 1001). */
#define FIRST_CATALOG_ID 1001u

/* Whether protocols (NULL, or ended by 0) asks for this protocol. */
static bool wanted(const INT *protocols, int protocol) {
  if (protocols == NULL)
    return true;
  for (const INT *p = protocols; *p != 0; p++)
    if (*p == protocol)
      return true;
  return false;
}

/* The fields of an entry both forms share (all but szProtocol, which
 * comes last in either). */
#define FILL_PROTOCOL_INFO(out, pv, i)                          \
  do {                                                          \
    memset((out), 0, sizeof(*(out)));                           \
    (out)->dwServiceFlags1 = (pv)->flags;                       \
    (out)->dwProviderFlags = PFL_MATCHES_PROTOCOL_ZERO;         \
    (out)->ProviderId = (pv)->id;                               \
    (out)->dwCatalogEntryId = FIRST_CATALOG_ID + (DWORD)(i);    \
    (out)->ProtocolChain.ChainLen = BASE_PROTOCOL;              \
    (out)->iVersion = 2;                                        \
    (out)->iAddressFamily = (pv)->af;                           \
    (out)->iMaxSockAddr = (out)->iMinSockAddr =                 \
        (pv)->af == AF_INET6 ? (int)sizeof(struct sockaddr_in6) \
                             : (int)sizeof(struct sockaddr_in); \
    (out)->iSocketType = (pv)->type;                            \
    (out)->iProtocol = (pv)->protocol;                          \
    (out)->iNetworkByteOrder = BIGENDIAN;                       \
    (out)->iSecurityScheme = SECURITY_PROTOCOL_NONE;            \
    (out)->dwMessageSize = (pv)->message_size;                  \
  } while (0)

/* Entry i in either form: the shared fields, then its name. */
static void fill_a(WSAPROTOCOL_INFOA *out, size_t i) {
  FILL_PROTOCOL_INFO(out, &providers[i], i);
  strncpy(out->szProtocol, providers[i].name, WSAPROTOCOL_LEN);
}

static void fill_w(WSAPROTOCOL_INFOW *out, size_t i) {
  FILL_PROTOCOL_INFO(out, &providers[i], i);
  const char *name = providers[i].name;
  for (size_t c = 0; name[c] != 0 && c < WSAPROTOCOL_LEN; c++)
    out->szProtocol[c] = (WCHAR)name[c]; /* ASCII */
}

/* The entries wanted, counted; fits: whether size bytes hold them. */
static int count_wanted(const INT *protocols) {
  int n = 0;
  for (size_t i = 0; i < PROVIDERS; i++)
    n += wanted(protocols, providers[i].protocol);
  return n;
}

static bool check_room(int n, size_t entry, const void *buf, LPDWORD len) {
  if (len == NULL)
    return w32_wsa_fail(WSAEFAULT), false;
  size_t need = (size_t)n * entry;
  if (buf == NULL || *len < need) {
    *len = (DWORD)need;
    return w32_wsa_fail(WSAENOBUFS), false;
  }
  return true;
}

CPORT_API int WSAEnumProtocolsA(LPINT protocols, LPWSAPROTOCOL_INFOA buf,
                                LPDWORD len) {
  int n = count_wanted(protocols);
  if (!check_room(n, sizeof(*buf), buf, len))
    return SOCKET_ERROR;
  int k = 0;
  for (size_t i = 0; i < PROVIDERS; i++) {
    const struct provider *pv = &providers[i];
    if (!wanted(protocols, pv->protocol))
      continue;
    fill_a(&buf[k++], i);
  }
  return k;
}

CPORT_API int WSAEnumProtocolsW(LPINT protocols, LPWSAPROTOCOL_INFOW buf,
                                LPDWORD len) {
  int n = count_wanted(protocols);
  if (!check_room(n, sizeof(*buf), buf, len))
    return SOCKET_ERROR;
  int k = 0;
  for (size_t i = 0; i < PROVIDERS; i++) {
    const struct provider *pv = &providers[i];
    if (!wanted(protocols, pv->protocol))
      continue;
    fill_w(&buf[k++], i);
  }
  return k;
}

/* getsockopt(SO_PROTOCOL_INFOA / W): the entry of the socket's provider
 * (its family, type and protocol), as WSAEnumProtocols lists it. */
int w32_socket_protocol_info(int fd, bool wide, char *val, int *len) {
  size_t need = wide ? sizeof(WSAPROTOCOL_INFOW) : sizeof(WSAPROTOCOL_INFOA);
  if (*len < (int)need)
    return w32_wsa_fail(WSAEFAULT);
  int af = 0, type = 0, protocol = 0;
  socklen_t l1 = sizeof(af), l2 = sizeof(type), l3 = sizeof(protocol);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &af, &l1) != 0 ||
      getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l2) != 0 ||
      getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &l3) != 0)
    return w32_wsa_errno(errno);
  for (size_t i = 0; i < PROVIDERS; i++) {
    const struct provider *pv = &providers[i];
    if (pv->af != af || pv->type != type || pv->protocol != protocol)
      continue;
    if (wide) {
      WSAPROTOCOL_INFOW out;
      fill_w(&out, i);
      memcpy(val, &out, sizeof(out));
    } else {
      WSAPROTOCOL_INFOA out;
      fill_a(&out, i);
      memcpy(val, &out, sizeof(out));
    }
    *len = (int)need;
    return 0;
  }
  return w32_wsa_fail(WSAENOPROTOOPT); /* a socket no provider lists */
}
