/*
 * test-pedantic.c - the public headers under the strictest settings a
 * user may build with: compiled as C99 (and, as test-pedantic.cpp, as
 * C++11) with -Wall -Wextra -Wpedantic -Werror. The build is the test;
 * running it checks that the nameless members of LARGE_INTEGER and
 * OVERLAPPED, which need the one marked extension, alias as on Windows,
 * that _stat fills the struct a strict C program sees, and that
 * struct in_pktinfo and in6_pktinfo are ws2ipdef.h's.
 * Exit 0 = pass.
 */
/* Strict C: none of the build's feature macros (a user's -std=c99 build
 * has none; glibc then declares only ISO C and what the headers ask
 * for themselves). */
#undef _GNU_SOURCE
#undef _DEFAULT_SOURCE
#undef _POSIX_C_SOURCE
#undef _XOPEN_SOURCE

#include "cport.h"
#include "cport_win32.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#if defined(_WIN32)
#  include <sys/stat.h>
#endif

int main(void) {
  LARGE_INTEGER li;
  li.QuadPart = 0;
  li.LowPart = 0x89abcdefu;
  li.HighPart = 0x01234567;
  if ((ULONGLONG)li.QuadPart != 0x0123456789abcdefull) {
    fprintf(stderr, "LARGE_INTEGER halves do not alias QuadPart\n");
    return 1;
  }
  OVERLAPPED ov;
  ZeroMemory(&ov, sizeof(ov));
  ov.Offset = 1;
  ov.OffsetHigh = 2;
  if (offsetof(OVERLAPPED, Offset) != 2 * sizeof(ULONG_PTR) ||
      offsetof(OVERLAPPED, hEvent) != 2 * sizeof(ULONG_PTR) + 8 ||
      ov.Offset != 1 || ov.OffsetHigh != 2) {
    fprintf(stderr, "OVERLAPPED layout differs from Windows'\n");
    return 1;
  }
#if !defined(_WIN32)
  /* On Linux an OVERLAPPED is a cport_op_t. */
  if (sizeof(OVERLAPPED) != sizeof(cport_op_t)) {
    fprintf(stderr, "OVERLAPPED is not a cport_op_t\n");
    return 1;
  }
#endif
  /* The _stat struct a strict C program sees is the one the library
   * fills (built in GNU mode): nothing written past it, the times
   * where the program reads them. */
  struct {
    struct _stat st;
    unsigned char guard[64];
  } s;
  memset(&s, 0xa5, sizeof(s));
  if (_stat(".", &s.st) != 0 || (s.st.st_mode & _S_IFMT) != _S_IFDIR ||
      s.st.st_mtime == 0) {
    fprintf(stderr, "_stat of . failed or lost its time\n");
    return 1;
  }
  for (size_t i = 0; i < sizeof(s.guard); i++)
    if (s.guard[i] != 0xa5) {
      fprintf(stderr, "_stat wrote past its struct\n");
      return 1;
    }
  /* ws2ipdef.h's packet information by its struct names too (Linux's
   * struct in_pktinfo is another layout, and in6_pktinfo needs
   * _GNU_SOURCE there), and LoadLibraryEx's flags. */
  struct in_pktinfo pi4;
  struct in6_pktinfo pi6;
  if (sizeof(pi4) != sizeof(IN_PKTINFO) || sizeof(pi4) != 8 ||
      sizeof(pi6) != sizeof(IN6_PKTINFO) || sizeof(pi6) != 20 ||
      LOAD_WITH_ALTERED_SEARCH_PATH != 0x8 ||
      LOAD_LIBRARY_SEARCH_SYSTEM32 != 0x800) {
    fprintf(stderr, "in_pktinfo, in6_pktinfo or LOAD_* differ\n");
    return 1;
  }
#if defined(TCP_CORK)
#  error "TCP_CORK is Linux's (Windows' 3 is TCP_KEEPALIVE)"
#endif
  printf("cport %s headers: clean under -pedantic\n", CPORT_VERSION_STRING);
  return 0;
}
