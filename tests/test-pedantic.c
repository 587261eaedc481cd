/*
 * test-pedantic.c - the public headers under the strictest settings a
 * user may build with: compiled as C99 (and, as test-pedantic.cpp, as
 * C++11) with -Wall -Wextra -Wpedantic -Werror. The build is the test;
 * running it checks that the nameless members of LARGE_INTEGER and
 * OVERLAPPED, which need the one marked extension, alias as on Windows.
 * Exit 0 = pass.
 */
#include "cport.h"
#include "cport_win32.h"

#include <stddef.h>
#include <stdio.h>

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
  printf("cport %s headers: clean under -pedantic\n", CPORT_VERSION_STRING);
  return 0;
}
