// test-pedantic.cpp - test-pedantic.c as C++11: the public headers with
// -Wall -Wextra -Wpedantic -Werror from C++. The same checks at run time.
// Exit 0 = pass.
#include "cport.h"
#include "cport_win32.h"

#include <cstddef>
#include <cstdio>

// A class with a member named as a BSD call: Winsock's select is an
// overload in C++, not a macro, so the member keeps its name.
struct Chooser {
  int select(int x) const { return x + 1; }
};

int main() {
  if (Chooser().select(1) != 2)
    return 1;
  fd_set set;
  FD_ZERO(&set);
  if (set.fd_count != 0 || FD_SETSIZE < 64)
    return 1;
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
