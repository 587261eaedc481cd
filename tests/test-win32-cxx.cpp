// test-win32-cxx.cpp - the porting layer from C++: a per-I/O class that
// derives from OVERLAPPED, found again from the OVERLAPPED* a completion
// hands back, and CONTAINING_RECORD on an embedded one. Exit 0 = pass,
// 77 = skipped (no port: the backend under test is refused here).
#include "cport_win32.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <cwchar>
#include <limits>
#include <unistd.h> // after the header: its gethostname agrees with cport's

struct Io : OVERLAPPED {
  int opcode;
  Io() : OVERLAPPED(), opcode(0) {}
};

struct Record {
  int tag;
  OVERLAPPED ov;
};

// Windows' 64-bit types and MSVC's __int64 are one type (int64_t's
// here): one overload serves both spellings, std::max sees one type with
// a uint64_t, and a GUID compares by reference (REFGUID in C++).
static int width(ULONGLONG) {
  return 64;
}
static int width(LONG) {
  return 32;
}

static bool types_as_windows_has_them() {
  unsigned __int64 u = 3;
  PULONGLONG pu = &u;
  uint64_t floor = 100;
  ULONGLONG at_least = std::max(GetTickCount64(), floor);
  LARGE_INTEGER li = {};
  int64_t *q = &li.QuadPart; // cport.h's types and Windows' agree
  *q = 7;
  static PVOID volatile slot;
  int x = 0;
  InterlockedExchangePointer(&slot, &x); // a statement: no warning
  GUID a = {1, 2, 3, {4, 5, 6, 7, 8, 9, 10, 11}}, b = a;
  return li.QuadPart == 7 && width(*pu) == 64 && width(u) == 64 &&
         width(LONG(1)) == 32 && at_least >= 100 && slot == &x &&
         IsEqualGUID(a, b);
}

int main() {
  if (!types_as_windows_has_them()) {
    std::printf("win32-cxx: the 64-bit types or IsEqualGUID differ\n");
    return 1;
  }
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
  if (port == nullptr) {
    std::printf("win32-cxx: skipped: backend %s is not available here "
                "(error %lu)\n",
                std::getenv("CPORT_BACKEND") ? std::getenv("CPORT_BACKEND")
                                             : "default",
                static_cast<unsigned long>(GetLastError()));
    return 77; // meson's exit-code protocol: SKIP
  }
  char host[256];
  if (gethostname(host, sizeof(host)) != 0) {
    std::fprintf(stderr, "gethostname failed: %d\n", WSAGetLastError());
    return 1;
  }
  Io io;
  io.opcode = 7;
  Record rec;
  rec.tag = 9;
  if (!PostQueuedCompletionStatus(port, 3, 4, &io) ||
      !PostQueuedCompletionStatus(port, 5, 6, &rec.ov))
    return 2;
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  LPOVERLAPPED ov = nullptr;
  if (!GetQueuedCompletionStatus(port, &bytes, &key, &ov, 1000))
    return 3;
  Io *back = static_cast<Io *>(ov);
  if (back != &io || back->opcode != 7 || bytes != 3 || key != 4)
    return 4;
  if (!GetQueuedCompletionStatus(port, &bytes, &key, &ov, 1000))
    return 5;
  Record *r = CONTAINING_RECORD(ov, Record, ov);
  if (r != &rec || r->tag != 9 || bytes != 5 || key != 6)
    return 6;
  LONG n = 0;
  InterlockedIncrement(&n);
  if (!CloseHandle(port) || n != 1)
    return 7;
  // windef.h's min and max from C++, beside the standard library's.
  if (min(3, 7) != 3 || max(3, 7) != 7 || max(2.5, 1) != 2.5 ||
      min(-1L, 4) != -1L)
    return 8;
  if (std::min(3, 7) != 3 || std::max(3, 7) != 7 ||
      std::numeric_limits<int>::max() != 2147483647)
    return 9;
  {
    using namespace std;
    if (min(4, 9) != 4 || max(4, 9) != 9)
      return 10;
  }
  // The secure C runtime's template overloads: the size from the array.
  char small[8];
  if (strcpy_s(small, "abc") != 0 || std::strcmp(small, "abc") != 0 ||
      strcat_s(small, "de") != 0 || std::strcmp(small, "abcde") != 0 ||
      strcat_s(small, "fghij") != ERANGE || small[0] != 0)
    return 11;
  if (strncpy_s(small, "abcdefghij", _TRUNCATE) != STRUNCATE ||
      std::strcmp(small, "abcdefg") != 0)
    return 12;
  if (sprintf_s(small, "%d-%d", 12, 34) != 5 ||
      std::strcmp(small, "12-34") != 0 ||
      _snprintf_s(small, _TRUNCATE, "%s", "0123456789") != -1 ||
      std::strcmp(small, "0123456") != 0)
    return 13;
  wchar_t wide[4];
  if (wcscpy_s(wide, L"ab") != 0 || wcscat_s(wide, L"c") != 0 ||
      std::wcscmp(wide, L"abc") != 0 || wcscat_s(wide, L"d") != ERANGE ||
      wcsncpy_s(wide, L"wxyz", _TRUNCATE) != STRUNCATE ||
      std::wcscmp(wide, L"wxy") != 0)
    return 14;
  // -15 in hex is eight digits and a NUL: one more than small holds.
  if (_itoa_s(-15, small, 16) != ERANGE || small[0] != 0 ||
      _itoa_s(255, small, 16) != 0 || std::strcmp(small, "ff") != 0 ||
      _ultoa_s(8ul, small, 2) != 0 || std::strcmp(small, "1000") != 0)
    return 15;
  std::time_t epoch = 0;
  std::tm utc;
  char when[26];
  if (gmtime_s(&utc, &epoch) != 0 || asctime_s(when, &utc) != 0 ||
      std::strcmp(when, "Thu Jan  1 00:00:00 1970\n") != 0)
    return 16;
  std::printf("win32-cxx: ok\n");
  return 0;
}
