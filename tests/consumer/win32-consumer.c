/*
 * win32-consumer.c - plain Win32 IOCP code against an installed cport:
 * include <cport_win32.h>, link cport::win32 (CMake) or cport (the layer's
 * library). A completion posted to a completion port comes back.
 */
#include <stdio.h>

#include <cport_win32.h>

int main(void) {
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  if (port == NULL) {
    fprintf(stderr, "CreateIoCompletionPort: %lu\n",
            (unsigned long)GetLastError());
    return 1;
  }
  OVERLAPPED ov;
  ZeroMemory(&ov, sizeof(ov));
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  LPOVERLAPPED got = NULL;
  if (!PostQueuedCompletionStatus(port, 5, 9, &ov) ||
      !GetQueuedCompletionStatus(port, &bytes, &key, &got, 1000) ||
      bytes != 5 || key != 9 || got != &ov) {
    fprintf(stderr, "post/get: %lu\n", (unsigned long)GetLastError());
    return 1;
  }
  CloseHandle(port);
  printf("win32 layer ok\n");
  return 0;
}
