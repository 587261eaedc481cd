/*
 * netdb.c - names and addresses (ws2tcpip.h): getaddrinfo with Winsock's
 * error codes (it returns them and sets WSAGetLastError), gai_strerror
 * for those codes, Winsock's gethostname, GetAddrInfoW / GetAddrInfoExW
 * (synchronous) and their frees, and InetPton / InetNtop in their A and W
 * forms.
 */
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <wchar.h>

/* The C library's EAI_* values, before cport_win32.h names Winsock's. */
enum {
  SYS_EAI_AGAIN = EAI_AGAIN,
  SYS_EAI_BADFLAGS = EAI_BADFLAGS,
  SYS_EAI_FAIL = EAI_FAIL,
  SYS_EAI_FAMILY = EAI_FAMILY,
  SYS_EAI_MEMORY = EAI_MEMORY,
  SYS_EAI_NONAME = EAI_NONAME,
  SYS_EAI_SERVICE = EAI_SERVICE,
  SYS_EAI_SOCKTYPE = EAI_SOCKTYPE,
  SYS_EAI_SYSTEM = EAI_SYSTEM,
#ifdef EAI_NODATA
  SYS_EAI_NODATA = EAI_NODATA,
#else
  SYS_EAI_NODATA = EAI_NONAME,
#endif
#ifdef EAI_ADDRFAMILY
  SYS_EAI_ADDRFAMILY = EAI_ADDRFAMILY,
#else
  SYS_EAI_ADDRFAMILY = EAI_FAMILY,
#endif
};

#include "win32.h"

static int wsa_of_eai(int rc) {
  if (rc == SYS_EAI_AGAIN)
    return WSATRY_AGAIN;
  if (rc == SYS_EAI_BADFLAGS)
    return WSAEINVAL;
  if (rc == SYS_EAI_FAIL)
    return WSANO_RECOVERY;
  if (rc == SYS_EAI_FAMILY)
    return WSAEAFNOSUPPORT;
  if (rc == SYS_EAI_MEMORY)
    return WSA_NOT_ENOUGH_MEMORY;
  if (rc == SYS_EAI_NONAME || rc == SYS_EAI_NODATA || rc == SYS_EAI_ADDRFAMILY)
    return WSAHOST_NOT_FOUND;
  if (rc == SYS_EAI_SERVICE)
    return WSATYPE_NOT_FOUND;
  if (rc == SYS_EAI_SOCKTYPE)
    return WSAESOCKTNOSUPPORT;
  if (rc == SYS_EAI_SYSTEM)
    return w32_wsa_error(-errno);
  return WSANO_RECOVERY;
}

CPORT_API int cport_w32_getaddrinfo(const char *node, const char *service,
                                    const struct addrinfo *hints,
                                    struct addrinfo **res) {
  if (res == NULL || (node == NULL && service == NULL)) {
    int err = res == NULL ? WSAEFAULT : WSAHOST_NOT_FOUND;
    WSASetLastError(err);
    return err;
  }
  /* A name lookup may block: a released worker gives its place back. */
  w32_block_begin();
  int rc = getaddrinfo(node, service, hints, res);
  w32_block_end();
  if (rc == 0)
    return 0;
  int err = wsa_of_eai(rc);
  WSASetLastError(err);
  return err;
}

/* Windows: WSAEFAULT for a NULL name "or if the buffer size specified by
 * namelen parameter is too small to hold the complete host name". */
CPORT_API int cport_w32_gethostname(char *name, size_t namelen) {
  struct utsname u;
  if (name == NULL)
    return w32_wsa_fail(WSAEFAULT);
  if (uname(&u) != 0)
    return w32_wsa_errno(errno);
  size_t n = strlen(u.nodename);
  if (namelen <= n)
    return w32_wsa_fail(WSAEFAULT);
  memcpy(name, u.nodename, n + 1);
  return 0;
}

/* gethostbyname's answer, one per thread ("allocated internally by the
 * Winsock DLL from thread local storage"): freed as the thread ends. */
struct host_answer {
  struct hostent h;
  char buf[8192];
};
static pthread_key_t host_key;
static pthread_once_t host_once = PTHREAD_ONCE_INIT;
static bool host_key_ok;

static void host_key_make(void) {
  host_key_ok = pthread_key_create(&host_key, free) == 0;
}

static int wsa_of_h_errno(int e) {
  return e == HOST_NOT_FOUND ? WSAHOST_NOT_FOUND
         : e == TRY_AGAIN    ? WSATRY_AGAIN
         : e == NO_RECOVERY  ? WSANO_RECOVERY
                             : WSANO_DATA;
}

/* Winsock's: NULL or "" names the local host, as gethostname does; a
 * failure's code goes to WSAGetLastError. */
CPORT_API struct hostent *cport_w32_gethostbyname(const char *name) {
  char local[256];
  if (name == NULL || name[0] == '\0') {
    if (cport_w32_gethostname(local, sizeof(local)) != 0)
      return NULL;
    name = local;
  }
  pthread_once(&host_once, host_key_make);
  struct host_answer *a = host_key_ok ? pthread_getspecific(host_key) : NULL;
  if (a == NULL) {
    if (!host_key_ok || (a = malloc(sizeof(*a))) == NULL ||
        pthread_setspecific(host_key, a) != 0) {
      free(a);
      WSASetLastError(WSAENOBUFS);
      return NULL;
    }
  }
  struct hostent *out = NULL;
  int herr = 0;
  w32_block_begin(); /* a lookup may block */
  int rc = gethostbyname_r(name, &a->h, a->buf, sizeof(a->buf), &out, &herr);
  w32_block_end();
  if (rc == 0 && out != NULL)
    return out;
  WSASetLastError(rc == ERANGE ? WSAENOBUFS : wsa_of_h_errno(herr));
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* GetAddrInfoW, FreeAddrInfoW, GetNameInfoW                                 */
/* ------------------------------------------------------------------------ */

/* The code as the answer and the last error. */
static int wsa_answer(int err) {
  WSASetLastError(err);
  return err;
}

CPORT_API VOID FreeAddrInfoW(PADDRINFOW ai) {
  while (ai != NULL) {
    PADDRINFOW next = ai->ai_next;
    free(ai); /* one block: the entry, its address, its name */
    ai = next;
  }
}

/* One answer as an ADDRINFOW in one block, or NULL. */
static PADDRINFOW wide_entry(const struct addrinfo *a) {
  int wn = a->ai_canonname != NULL
               ? MultiByteToWideChar(CP_UTF8, 0, a->ai_canonname, -1, NULL, 0)
               : 0;
  if (wn < 0)
    wn = 0;
  size_t addr_at = (sizeof(ADDRINFOW) + 15) & ~(size_t)15;
  size_t name_at = addr_at + ((a->ai_addrlen + 15) & ~(size_t)15);
  PADDRINFOW w = calloc(1, name_at + (size_t)wn * sizeof(WCHAR));
  if (w == NULL)
    return NULL;
  w->ai_flags = a->ai_flags;
  w->ai_family = a->ai_family;
  w->ai_socktype = a->ai_socktype;
  w->ai_protocol = a->ai_protocol;
  w->ai_addrlen = a->ai_addrlen;
  if (a->ai_addr != NULL) {
    w->ai_addr = (struct sockaddr *)(void *)((char *)w + addr_at);
    memcpy(w->ai_addr, a->ai_addr, a->ai_addrlen);
  }
  if (wn > 0) {
    w->ai_canonname = (PWSTR)(void *)((char *)w + name_at);
    MultiByteToWideChar(CP_UTF8, 0, a->ai_canonname, -1, w->ai_canonname, wn);
  }
  return w;
}

CPORT_API INT GetAddrInfoW(PCWSTR node, PCWSTR service, const ADDRINFOW *hints,
                           PADDRINFOW *res) {
  if (res == NULL)
    return wsa_answer(WSAEFAULT);
  *res = NULL;
  if (node == NULL && service == NULL)
    return wsa_answer(WSAHOST_NOT_FOUND);
  char *n = node != NULL ? w32_utf8(node) : NULL;
  char *sv = service != NULL ? w32_utf8(service) : NULL;
  struct addrinfo h, *list = NULL;
  int err = (node != NULL && n == NULL) || (service != NULL && sv == NULL)
                ? WSA_NOT_ENOUGH_MEMORY
                : 0;
  if (err == 0 && hints != NULL) {
    memset(&h, 0, sizeof(h));
    h.ai_flags = hints->ai_flags;
    h.ai_family = hints->ai_family;
    h.ai_socktype = hints->ai_socktype;
    h.ai_protocol = hints->ai_protocol;
  }
  if (err == 0)
    err = cport_w32_getaddrinfo(n, sv, hints != NULL ? &h : NULL, &list);
  free(n);
  free(sv);
  if (err != 0)
    return wsa_answer(err);
  PADDRINFOW *tail = res;
  for (const struct addrinfo *a = list; a != NULL; a = a->ai_next) {
    if ((*tail = wide_entry(a)) == NULL) {
      freeaddrinfo(list);
      FreeAddrInfoW(*res);
      *res = NULL;
      return wsa_answer(WSA_NOT_ENOUGH_MEMORY);
    }
    tail = &(*tail)->ai_next;
  }
  freeaddrinfo(list);
  return 0;
}

/* s into a wide buffer of size characters with its NUL: false if it does
 * not fit. */
/* ------------------------------------------------------------------------ */
/* GetAddrInfoExW, FreeAddrInfoExW                                           */
/* ------------------------------------------------------------------------ */

CPORT_API void FreeAddrInfoExW(PADDRINFOEXW ai) {
  while (ai != NULL) {
    PADDRINFOEXW next = ai->ai_next;
    free(ai); /* one block: the entry, its address, its name */
    ai = next;
  }
}

/* One ADDRINFOW as an ADDRINFOEXW in one block, or NULL. */
static PADDRINFOEXW ex_entry(const ADDRINFOW *w) {
  size_t wn = w->ai_canonname != NULL ? wcslen(w->ai_canonname) + 1 : 0;
  size_t addr_at = (sizeof(ADDRINFOEXW) + 15) & ~(size_t)15;
  size_t name_at = addr_at + ((w->ai_addrlen + 15) & ~(size_t)15);
  PADDRINFOEXW e = calloc(1, name_at + wn * sizeof(WCHAR));
  if (e == NULL)
    return NULL;
  e->ai_flags = w->ai_flags;
  e->ai_family = w->ai_family;
  e->ai_socktype = w->ai_socktype;
  e->ai_protocol = w->ai_protocol;
  e->ai_addrlen = w->ai_addrlen;
  if (w->ai_addr != NULL) {
    e->ai_addr = (struct sockaddr *)(void *)((char *)e + addr_at);
    memcpy(e->ai_addr, w->ai_addr, w->ai_addrlen);
  }
  if (wn > 0) {
    e->ai_canonname = (PWSTR)(void *)((char *)e + name_at);
    memcpy(e->ai_canonname, w->ai_canonname, wn * sizeof(WCHAR));
  }
  return e;
}

CPORT_API INT GetAddrInfoExW(PCWSTR node, PCWSTR service, DWORD ns,
                             LPGUID provider, const ADDRINFOEXW *hints,
                             PADDRINFOEXW *res, struct timeval *timeout,
                             LPOVERLAPPED overlapped,
                             LPLOOKUPSERVICE_COMPLETION_ROUTINE routine,
                             LPHANDLE handle) {
  (void)provider; /* one provider */
  (void)timeout;  /* the overlapped form's */
  (void)handle;
  if (res == NULL)
    return wsa_answer(WSAEFAULT);
  *res = NULL;
  if (overlapped != NULL || routine != NULL)
    return wsa_answer(WSAEOPNOTSUPP);
  if (ns != NS_ALL && ns != NS_DNS)
    return wsa_answer(WSAEINVAL);
  ADDRINFOW h;
  memset(&h, 0, sizeof(h));
  if (hints != NULL) {
    if (hints->ai_addrlen != 0 || hints->ai_canonname != NULL ||
        hints->ai_addr != NULL || hints->ai_next != NULL ||
        hints->ai_blob != NULL || hints->ai_bufferlength != 0 ||
        hints->ai_provider != NULL)
      return wsa_answer(WSANO_RECOVERY);
    h.ai_flags = hints->ai_flags;
    h.ai_family = hints->ai_family;
    h.ai_socktype = hints->ai_socktype;
    h.ai_protocol = hints->ai_protocol;
  }
  PADDRINFOW list = NULL;
  int err = GetAddrInfoW(node, service, hints != NULL ? &h : NULL, &list);
  if (err != 0)
    return err; /* the last error is set */
  PADDRINFOEXW *tail = res;
  for (const ADDRINFOW *w = list; w != NULL; w = w->ai_next) {
    if ((*tail = ex_entry(w)) == NULL) {
      FreeAddrInfoW(list);
      FreeAddrInfoExW(*res);
      *res = NULL;
      return wsa_answer(WSA_NOT_ENOUGH_MEMORY);
    }
    tail = &(*tail)->ai_next;
  }
  FreeAddrInfoW(list);
  return 0;
}

static bool wide_out(const char *s, PWCHAR buf, DWORD size) {
  DWORD n = w32_copy_out_w(s, buf, size);
  return buf != NULL && n < size;
}

CPORT_API INT GetNameInfoW(const SOCKADDR *sa, socklen_t salen, PWCHAR host,
                           DWORD hostlen, PWCHAR serv, DWORD servlen,
                           INT flags) {
  if (sa == NULL || salen < (socklen_t)sizeof(sa->sa_family))
    return wsa_answer(WSAEFAULT);
  if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
    return wsa_answer(WSAEAFNOSUPPORT);
  if (salen < (sa->sa_family == AF_INET ? sizeof(struct sockaddr_in)
                                        : sizeof(struct sockaddr_in6)))
    return wsa_answer(WSAEFAULT);
  bool want_host = host != NULL, want_serv = serv != NULL;
  if (!want_host && !want_serv)
    return wsa_answer(WSAHOST_NOT_FOUND); /* nothing asked for */
  if ((want_host && hostlen == 0) || (want_serv && servlen == 0))
    return wsa_answer(WSAEINVAL); /* a name asked for, no room for it */
  char h[NI_MAXHOST], sv[NI_MAXSERV];
  w32_block_begin(); /* a reverse lookup may block */
  int rc =
      getnameinfo(sa, salen, want_host ? h : NULL, want_host ? sizeof(h) : 0,
                  want_serv ? sv : NULL, want_serv ? sizeof(sv) : 0, flags);
  w32_block_end();
  if (rc != 0)
    return wsa_answer(wsa_of_eai(rc));
  if ((want_host && !wide_out(h, host, hostlen)) ||
      (want_serv && !wide_out(sv, serv, servlen)))
    return wsa_answer(WSAEFAULT); /* a buffer too small for the answer */
  return 0;
}

CPORT_API const char *cport_w32_gai_strerror(int code) {
  switch (code) {
  case 0:
    return "The operation completed successfully.";
  case WSATRY_AGAIN:
    return "This is usually a temporary error during hostname resolution.";
  case WSAEINVAL:
    return "An invalid argument was supplied.";
  case WSANO_RECOVERY:
    return "A non-recoverable error occurred during a database lookup.";
  case WSAEAFNOSUPPORT:
    return "An address incompatible with the requested protocol was used.";
  case WSA_NOT_ENOUGH_MEMORY:
    return "Not enough memory resources are available.";
  case WSAHOST_NOT_FOUND:
    return "No such host is known.";
  case WSATYPE_NOT_FOUND:
    return "The specified class was not found.";
  case WSAESOCKTNOSUPPORT:
    return "The support for the specified socket type does not exist.";
  default:
    return "Unknown error.";
  }
}

/* ------------------------------------------------------------------------ */
/* InetPton, InetNtop                                                        */
/* ------------------------------------------------------------------------ */

/* The checks InetPtonA and InetPtonW share: -1 with the error set, or 0. */
static int pton_args(INT family, const void *src, const void *dst) {
  if (family != AF_INET && family != AF_INET6) {
    WSASetLastError(WSAEAFNOSUPPORT);
    return -1;
  }
  if (src == NULL || dst == NULL) {
    WSASetLastError(WSAEFAULT);
    return -1;
  }
  return 0;
}

CPORT_API INT InetPtonA(INT family, LPCSTR src, PVOID dst) {
  if (pton_args(family, src, dst) != 0)
    return -1;
  return inet_pton(family, src, dst) == 1 ? 1 : 0;
}

CPORT_API INT InetPtonW(INT family, LPCWSTR src, PVOID dst) {
  if (pton_args(family, src, dst) != 0)
    return -1;
  char narrow[64];
  size_t i = 0;
  for (; src[i] != 0; i++) {
    if (i + 1 >= sizeof(narrow) || src[i] > 0x7F)
      return 0; /* no address is that long, or has such characters */
    narrow[i] = (char)src[i];
  }
  narrow[i] = '\0';
  return InetPtonA(family, narrow, dst);
}

CPORT_API LPCSTR InetNtopA(INT family, const VOID *src, LPSTR dst,
                           size_t size) {
  if (family != AF_INET && family != AF_INET6) {
    WSASetLastError(WSAEAFNOSUPPORT);
    return NULL;
  }
  if (src == NULL || dst == NULL) {
    WSASetLastError(WSAEFAULT);
    return NULL;
  }
  if (inet_ntop(family, src, dst, (socklen_t)size) == NULL) {
    WSASetLastError(WSAEINVAL); /* the buffer is too small */
    return NULL;
  }
  return dst;
}

CPORT_API LPCWSTR InetNtopW(INT family, const VOID *src, LPWSTR dst,
                            size_t size) {
  char narrow[INET6_ADDRSTRLEN];
  if (dst == NULL) {
    WSASetLastError(WSAEFAULT);
    return NULL;
  }
  if (InetNtopA(family, src, narrow, sizeof(narrow)) == NULL)
    return NULL;
  size_t n = strlen(narrow);
  if (n + 1 > size) {
    WSASetLastError(WSAEINVAL);
    return NULL;
  }
  for (size_t i = 0; i <= n; i++)
    dst[i] = (WCHAR)(unsigned char)narrow[i];
  return dst;
}

/* ------------------------------------------------------------------------ */
/* WSAAddressToString, WSAStringToAddress                                    */
/* ------------------------------------------------------------------------ */

/* Room for the longest text of either: "[" + an IPv6 address (45) + "%" +
 * a scope id (10) + "]:" + a port (5), and the NUL. */
#define ADDRESS_TEXT 72

/* The text of an AF_INET or AF_INET6 address as WSAAddressToString writes
 * it: "a.b.c.d", "a.b.c.d:port"; "addr", "addr%scope", "[addr]:port",
 * "[addr%scope]:port" (the port and scope id only when not zero). Its
 * length without the NUL, or -1 for anything else. */
static int address_text(const struct sockaddr *sa, DWORD salen,
                        char out[ADDRESS_TEXT]) {
  if (sa == NULL || salen < sizeof(sa->sa_family))
    return -1;
  if (sa->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
    struct sockaddr_in in;
    memcpy(&in, sa, sizeof(in));
    inet_ntop(AF_INET, &in.sin_addr, out, ADDRESS_TEXT);
    int n = (int)strlen(out);
    if (in.sin_port != 0)
      n += snprintf(out + n, (size_t)(ADDRESS_TEXT - n), ":%u",
                    (unsigned)ntohs(in.sin_port));
    return n;
  }
  if (sa->sa_family == AF_INET6 && salen >= sizeof(struct sockaddr_in6)) {
    struct sockaddr_in6 in6;
    memcpy(&in6, sa, sizeof(in6));
    int n = in6.sin6_port != 0; /* a port: the address in brackets */
    out[0] = '[';
    inet_ntop(AF_INET6, &in6.sin6_addr, out + n, (socklen_t)(ADDRESS_TEXT - n));
    n = (int)strlen(out);
    if (in6.sin6_scope_id != 0)
      n += snprintf(out + n, (size_t)(ADDRESS_TEXT - n), "%%%lu",
                    (unsigned long)in6.sin6_scope_id);
    if (in6.sin6_port != 0)
      n += snprintf(out + n, (size_t)(ADDRESS_TEXT - n), "]:%u",
                    (unsigned)ntohs(in6.sin6_port));
    return n;
  }
  return -1; /* another family, or too short for its own */
}

/* The checks WSAAddressToStringA and W share: the text's length (without
 * the NUL), which fits in *size characters of buf, or -1 with the error
 * set: WSAEINVAL, or WSAEFAULT with *size the room needed. */
static int address_to_string(const struct sockaddr *sa, DWORD salen,
                             const void *buf, LPDWORD size,
                             char text[ADDRESS_TEXT]) {
  int n = size == NULL ? -1 : address_text(sa, salen, text);
  if (n < 0) {
    WSASetLastError(WSAEINVAL);
    return -1;
  }
  if (buf == NULL || *size < (DWORD)n + 1) {
    *size = (DWORD)n + 1;
    WSASetLastError(WSAEFAULT);
    return -1;
  }
  *size = (DWORD)n + 1;
  return n;
}

CPORT_API INT WSAAddressToStringA(LPSOCKADDR sa, DWORD salen,
                                  LPWSAPROTOCOL_INFOA info, LPSTR buf,
                                  LPDWORD size) {
  (void)info; /* one provider serves both families */
  char text[ADDRESS_TEXT];
  int n = address_to_string(sa, salen, buf, size, text);
  if (n < 0)
    return SOCKET_ERROR;
  memcpy(buf, text, (size_t)n + 1);
  return 0;
}

CPORT_API INT WSAAddressToStringW(LPSOCKADDR sa, DWORD salen,
                                  LPWSAPROTOCOL_INFOW info, LPWSTR buf,
                                  LPDWORD size) {
  (void)info;
  char text[ADDRESS_TEXT];
  int n = address_to_string(sa, salen, buf, size, text);
  if (n < 0)
    return SOCKET_ERROR;
  for (int i = 0; i <= n; i++)
    buf[i] = (WCHAR)(unsigned char)text[i];
  return 0;
}

/* A decimal number of 1 to `digits` digits up to max, without a leading
 * zero (Windows reads one as octal: refused rather than read otherwise),
 * and nothing after it: true with the value in *out. */
static bool decimal(const char *s, int digits, uint64_t max,
                    unsigned long *out) {
  uint64_t v = 0;
  int i = 0;
  for (; s[i] >= '0' && s[i] <= '9'; i++) {
    if (i == digits || (i == 1 && s[0] == '0'))
      return false;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  if (i == 0 || s[i] != '\0' || v > max)
    return false;
  *out = (unsigned long)v;
  return true;
}

/* inet_pton of the first n characters of s. */
static bool pton_part(int family, const char *s, size_t n, void *dst) {
  char part[INET6_ADDRSTRLEN];
  if (n >= sizeof(part))
    return false;
  memcpy(part, s, n);
  part[n] = '\0';
  return inet_pton(family, part, dst) == 1;
}

/* "a.b.c.d" or "a.b.c.d:port" (four decimal numbers, as inet_pton reads
 * them). */
static bool parse_in(const char *s, struct sockaddr_in *in) {
  const char *colon = strchr(s, ':');
  size_t n = colon != NULL ? (size_t)(colon - s) : strlen(s);
  unsigned long port = 0;
  if (!pton_part(AF_INET, s, n, &in->sin_addr) ||
      (colon != NULL && !decimal(colon + 1, 5, 65535, &port)))
    return false;
  in->sin_family = AF_INET;
  in->sin_port = htons((uint16_t)port);
  return true;
}

/* "addr", "addr%scope", "[addr]", "[addr%scope]", "[addr]:port",
 * "[addr%scope]:port" (a numeric scope id). */
static bool parse_in6(const char *s, struct sockaddr_in6 *in6) {
  unsigned long port = 0, scope = 0;
  size_t n = strlen(s);
  if (s[0] == '[') {
    const char *close = strchr(s, ']');
    if (close == NULL ||
        (close[1] != '\0' &&
         (close[1] != ':' || !decimal(close + 2, 5, 65535, &port))))
      return false;
    s++;
    n = (size_t)(close - s);
  }
  const char *pct = memchr(s, '%', n);
  if (pct != NULL) {
    char id[16];
    size_t m = n - (size_t)(pct + 1 - s);
    if (m >= sizeof(id))
      return false;
    memcpy(id, pct + 1, m);
    id[m] = '\0';
    if (!decimal(id, 10, 0xFFFFFFFFul, &scope))
      return false;
    n = (size_t)(pct - s);
  }
  if (!pton_part(AF_INET6, s, n, &in6->sin6_addr))
    return false;
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons((uint16_t)port);
  in6->sin6_scope_id = (uint32_t)scope;
  return true;
}

/* WSAStringToAddressA and W: s may be NULL. */
static INT string_to_address(const char *s, INT family, LPSOCKADDR sa,
                             LPINT len) {
  if (s == NULL || (family != AF_INET && family != AF_INET6)) {
    WSASetLastError(WSAEINVAL);
    return SOCKET_ERROR;
  }
  if (len == NULL) {
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  union {
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
  } a;
  int need = family == AF_INET ? (int)sizeof(a.in) : (int)sizeof(a.in6);
  if (sa == NULL || *len < need) {
    *len = need;
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  memset(&a, 0, sizeof(a));
  if (family == AF_INET ? !parse_in(s, &a.in) : !parse_in6(s, &a.in6)) {
    WSASetLastError(WSAEINVAL);
    return SOCKET_ERROR;
  }
  memcpy(sa, &a, (size_t)need);
  *len = need;
  return 0;
}

CPORT_API INT WSAStringToAddressA(LPSTR s, INT family, LPWSAPROTOCOL_INFOA info,
                                  LPSOCKADDR sa, LPINT len) {
  (void)info; /* one provider serves both families */
  return string_to_address(s, family, sa, len);
}

CPORT_API INT WSAStringToAddressW(LPWSTR s, INT family,
                                  LPWSAPROTOCOL_INFOW info, LPSOCKADDR sa,
                                  LPINT len) {
  (void)info;
  char narrow[ADDRESS_TEXT];
  size_t i = 0;
  for (; s != NULL && s[i] != 0; i++) {
    if (i + 1 >= sizeof(narrow) || (uint32_t)s[i] > 0x7F) {
      i = 0; /* no address is that long or has such characters: "" */
      break;
    }
    narrow[i] = (char)s[i];
  }
  narrow[i] = '\0';
  return string_to_address(s != NULL ? narrow : NULL, family, sa, len);
}

/* ------------------------------------------------------------------------ */
/* ip2string.h                                                               */
/* ------------------------------------------------------------------------ */

/* The address as text into s (at most `room` characters with the NUL),
 * and the NUL's place. */
static char *rtl_text(int family, const void *a, char *s, size_t room) {
  if (a == NULL || s == NULL)
    return s;
  if (inet_ntop(family, a, s, (socklen_t)room) == NULL)
    s[0] = '\0';
  return s + strlen(s);
}

static WCHAR *rtl_text_w(int family, const void *a, WCHAR *s, size_t room) {
  char t[INET6_ADDRSTRLEN];
  if (a == NULL || s == NULL)
    return s;
  rtl_text(family, a, t, room < sizeof(t) ? room : sizeof(t));
  size_t i = 0;
  for (; t[i] != '\0'; i++)
    s[i] = (WCHAR)(unsigned char)t[i];
  s[i] = 0;
  return s + i;
}

CPORT_API PSTR RtlIpv4AddressToStringA(const struct in_addr *a, PSTR s) {
  return rtl_text(AF_INET, a, s, INET_ADDRSTRLEN);
}

CPORT_API PWSTR RtlIpv4AddressToStringW(const struct in_addr *a, PWSTR s) {
  return rtl_text_w(AF_INET, a, s, INET_ADDRSTRLEN);
}

CPORT_API PSTR RtlIpv6AddressToStringA(const struct in6_addr *a, PSTR s) {
  return rtl_text(AF_INET6, a, s, INET6_ADDRSTRLEN);
}

CPORT_API PWSTR RtlIpv6AddressToStringW(const struct in6_addr *a, PWSTR s) {
  return rtl_text_w(AF_INET6, a, s, INET6_ADDRSTRLEN);
}
