/*
 * netdb.c - names and addresses (ws2tcpip.h): getaddrinfo with Winsock's
 * error codes (it returns them and sets WSAGetLastError), gai_strerror
 * for those codes, and InetPton / InetNtop in their A and W forms.
 */
#include <netdb.h>
#include <stdlib.h>

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
