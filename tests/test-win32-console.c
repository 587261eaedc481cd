/*
 * test-win32-console.c - what a console program sets about its text:
 * the title, the code pages and the colours.
 *
 * Under the test runner standard output is a pipe or a file, not a
 * console: the calls that need one fail with ERROR_INVALID_HANDLE, as on
 * Windows. On Linux a pseudo-terminal stands in for a console, and the
 * escape sequences the colours become are read back from its other end.
 */
#include <stdlib.h>
#include <string.h>

#if !defined(_WIN32) /* <poll.h> before cport_win32.h (docs/porting.md) */
#  include <fcntl.h>
#  include <poll.h>
#  include <sys/ioctl.h>
#  include <unistd.h>
#endif

#include "win32-util.h"

/* The title set is the title read, in both forms, and a short buffer
 * gets the title cut with its NUL. */
static void title_round_trip(void **state) {
  (void)state;
  if (!SetConsoleTitleA("cport title")) {
    if (h_on_wine())
      H_SKIP("known Wine difference: no console title without a console; "
             "see docs/windows.md");
    fail_msg("SetConsoleTitleA failed: %lu", (unsigned long)GetLastError());
  }
  char a[64];
  assert_int_equal(GetConsoleTitleA(a, sizeof(a)), 11);
  assert_string_equal(a, "cport title");
  char small[6];
  DWORD n = GetConsoleTitleA(small, sizeof(small));
  assert_true(n <= 5);
  assert_int_equal(small[n], '\0');
  assert_memory_equal(small, "cport title", n);
  assert_true(SetConsoleTitleW(L"wide \x00e9t\x00e9"));
  WCHAR w[64];
  assert_int_equal(GetConsoleTitleW(w, 64), 8);
  assert_memory_equal(w, L"wide \x00e9t\x00e9", 9 * sizeof(WCHAR));
  assert_int_equal(GetConsoleTitleA(a, sizeof(a)) > 0, 1);
  SetLastError(0);
  assert_false(SetConsoleTitleA(NULL));
}

/* The code pages set are read back; 0 is refused. */
static void code_pages(void **state) {
  (void)state;
  UINT out = GetConsoleOutputCP(), in = GetConsoleCP();
  if (out == 0 && h_on_wine())
    H_SKIP("known Wine difference: no console code page without a "
           "console; see docs/windows.md");
  assert_true(out != 0 && in != 0);
  assert_true(SetConsoleOutputCP(CP_UTF8));
  assert_int_equal(GetConsoleOutputCP(), CP_UTF8);
  assert_true(SetConsoleCP(CP_UTF8));
  assert_int_equal(GetConsoleCP(), CP_UTF8);
  assert_false(SetConsoleOutputCP(0));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  assert_int_equal(GetConsoleOutputCP(), CP_UTF8);
  assert_true(SetConsoleOutputCP(out));
  assert_true(SetConsoleCP(in));
}

/* A handle that is not a console (the runner's output, a file): the
 * colour calls fail with ERROR_INVALID_HANDLE and write nothing. */
static void colours_need_a_console(void **state) {
  (void)state;
  char path[MAX_PATH];
  w_temp_path(path, sizeof(path), "console-file");
  HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  assert_false(SetConsoleTextAttribute(f, FOREGROUND_RED));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  CONSOLE_SCREEN_BUFFER_INFO info;
  assert_false(GetConsoleScreenBufferInfo(f, &info));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  LARGE_INTEGER size;
  assert_true(GetFileSizeEx(f, &size));
  assert_int_equal(size.QuadPart, 0);
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
}

#if !defined(_WIN32)
/* What the terminal's other end reads within 2 s, NUL-ended. */
static size_t read_terminal(int master, char *buf, size_t size) {
  size_t n = 0;
  struct pollfd p = {master, POLLIN, 0};
  while (n < size - 1 && poll(&p, 1, n == 0 ? 2000 : 50) == 1) {
    ssize_t r = read(master, buf + n, size - 1 - n);
    if (r <= 0)
      break;
    n += (size_t)r;
  }
  buf[n] = '\0';
  return n;
}

/* On a terminal: each attribute word becomes its SGR sequence (light grey
 * on black is the terminal's default colours), and the screen buffer's
 * size is the terminal's. */
static void colours_on_a_terminal(void **state) {
  (void)state;
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
    H_SKIP("no pseudo-terminal here");
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  assert_true(slave >= 0);
  struct winsize ws = {30, 100, 0, 0};
  assert_int_equal(ioctl(slave, TIOCSWINSZ, &ws), 0);
  HANDLE h = (HANDLE)(intptr_t)slave;
  char got[128];
  assert_true(SetConsoleTextAttribute(h, FOREGROUND_RED | FOREGROUND_INTENSITY |
                                             BACKGROUND_BLUE));
  read_terminal(master, got, sizeof(got));
  assert_string_equal(got, "\033[0;91;44m");
  assert_true(SetConsoleTextAttribute(h, FOREGROUND_GREEN | FOREGROUND_BLUE |
                                             COMMON_LVB_UNDERSCORE));
  read_terminal(master, got, sizeof(got));
  assert_string_equal(got, "\033[0;36;49;4m");
  CONSOLE_SCREEN_BUFFER_INFO info;
  assert_true(GetConsoleScreenBufferInfo(h, &info));
  assert_int_equal(info.dwSize.X, 100);
  assert_int_equal(info.dwSize.Y, 30);
  assert_int_equal(info.srWindow.Right, 99);
  assert_int_equal(info.srWindow.Bottom, 29);
  assert_int_equal(info.wAttributes,
                   FOREGROUND_GREEN | FOREGROUND_BLUE | COMMON_LVB_UNDERSCORE);
  assert_true(SetConsoleTextAttribute(h, FOREGROUND_RED | FOREGROUND_GREEN |
                                             FOREGROUND_BLUE));
  read_terminal(master, got, sizeof(got));
  assert_string_equal(got, "\033[0;39;49m");
  close(slave);
  close(master);
}
#endif

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(title_round_trip),
    cmocka_unit_test(code_pages),
    cmocka_unit_test(colours_need_a_console),
#if !defined(_WIN32)
    cmocka_unit_test(colours_on_a_terminal),
#endif
  };
  return W_RUN("win32-console", tests);
}
