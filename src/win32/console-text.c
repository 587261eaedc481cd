/*
 * console-text.c - what a console program sets about its text: the
 * window's title, the code pages, the colours (SetConsoleTextAttribute,
 * GetConsoleScreenBufferInfo).
 *
 * A Linux terminal has no console object to ask, so the layer keeps the
 * values itself and tells the terminal with its escape sequences: the
 * title as an OSC 0 sequence, colours as SGR. Where Windows fails on a
 * handle that is not a console (redirected to a file or a pipe), these
 * fail the same way with ERROR_INVALID_HANDLE and write nothing; the
 * title and the code pages belong to the console, not to a handle, and
 * are kept whatever the handles are.
 *
 * The text itself is never converted: a Linux terminal reads UTF-8, so
 * the code pages are remembered and read back (CP_UTF8 until set), and
 * WriteConsole and printf pass bytes as they are.
 */
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "win32.h"

static pthread_mutex_t text_lock = PTHREAD_MUTEX_INITIALIZER;
static char *title; /* UTF-8; NULL: the program's path */
static UINT output_cp = CP_UTF8, input_cp = CP_UTF8;
static WORD attributes = 0x07; /* Windows' default: light grey on black */

/* ------------------------------------------------------------------------ */
/* The title                                                                 */
/* ------------------------------------------------------------------------ */

/* The terminal of standard output or error, or -1. */
static int terminal_fd(void) {
  return isatty(1) ? 1 : isatty(2) ? 2 : -1;
}

static void tell_title(const char *t) {
  int fd = terminal_fd();
  if (fd < 0)
    return;
  /* OSC 0: icon name and window title; control bytes would end it. */
  char buf[600];
  size_t n = 0;
  buf[n++] = '\033';
  buf[n++] = ']';
  buf[n++] = '0';
  buf[n++] = ';';
  for (const char *p = t; *p != '\0' && n < sizeof(buf) - 2; p++)
    if ((unsigned char)*p >= 0x20 && *p != 0x7f)
      buf[n++] = *p;
  buf[n++] = '\a';
  (void)!write(fd, buf, n);
}

static BOOL set_title(char *t) {
  pthread_mutex_lock(&text_lock);
  free(title);
  title = t;
  tell_title(t);
  pthread_mutex_unlock(&text_lock);
  return TRUE;
}

CPORT_API BOOL SetConsoleTitleA(LPCSTR t) {
  if (t == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  char *copy = strdup(t);
  if (copy == NULL)
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  return set_title(copy);
}

CPORT_API BOOL SetConsoleTitleW(LPCWSTR t) {
  char *copy = w32_utf8(t); /* (sets the error itself) */
  return copy == NULL ? FALSE : set_title(copy);
}

/* The title now, malloc'd (the program's path until one was set). */
static char *title_now(void) {
  pthread_mutex_lock(&text_lock);
  char *t = title != NULL ? strdup(title) : NULL;
  pthread_mutex_unlock(&text_lock);
  if (t == NULL) {
    char path[MAX_PATH];
    DWORD n = GetModuleFileNameA(NULL, path, sizeof(path));
    t = strdup(n > 0 && n < sizeof(path) ? path : "");
  }
  return t;
}

/* "the length of the console window's title, in characters": the title
 * is cut to the buffer (with its NUL), and the length copied returned. */
CPORT_API DWORD GetConsoleTitleA(LPSTR buf, DWORD size) {
  if (buf == NULL || size == 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  char *t = title_now();
  if (t == NULL)
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  size_t n = strlen(t);
  if (n > size - 1)
    n = size - 1;
  memcpy(buf, t, n);
  buf[n] = '\0';
  free(t);
  SetLastError(ERROR_SUCCESS);
  return (DWORD)n;
}

CPORT_API DWORD GetConsoleTitleW(LPWSTR buf, DWORD size) {
  if (buf == NULL || size == 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  char *t = title_now();
  if (t == NULL)
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  int n = MultiByteToWideChar(CP_UTF8, 0, t, -1, NULL, 0);
  LPWSTR w = n > 0 ? malloc((size_t)n * sizeof(WCHAR)) : NULL;
  if (w == NULL || MultiByteToWideChar(CP_UTF8, 0, t, -1, w, n) != n) {
    free(w);
    free(t);
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  }
  DWORD len = (DWORD)n - 1;
  if (len > size - 1)
    len = size - 1;
  memcpy(buf, w, len * sizeof(WCHAR));
  buf[len] = 0;
  free(w);
  free(t);
  SetLastError(ERROR_SUCCESS);
  return len;
}

/* ------------------------------------------------------------------------ */
/* Code pages                                                                */
/* ------------------------------------------------------------------------ */

/* A code page a console may take: not 0, and not UTF-16 (1200, 1201),
 * which Windows' console refuses. */
static bool console_cp(UINT cp) {
  return cp != 0 && cp != 1200 && cp != 1201 && cp <= 65001;
}

CPORT_API BOOL SetConsoleOutputCP(UINT cp) {
  if (!console_cp(cp))
    return w32_fail(ERROR_INVALID_PARAMETER);
  __atomic_store_n(&output_cp, cp, __ATOMIC_RELAXED);
  return TRUE;
}

CPORT_API BOOL SetConsoleCP(UINT cp) {
  if (!console_cp(cp))
    return w32_fail(ERROR_INVALID_PARAMETER);
  __atomic_store_n(&input_cp, cp, __ATOMIC_RELAXED);
  return TRUE;
}

CPORT_API UINT GetConsoleOutputCP(void) {
  return __atomic_load_n(&output_cp, __ATOMIC_RELAXED);
}

CPORT_API UINT GetConsoleCP(void) {
  return __atomic_load_n(&input_cp, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------------ */
/* Colours                                                                   */
/* ------------------------------------------------------------------------ */

/* A console output handle: one whose descriptor is a terminal. */
static int console_out_fd(HANDLE h) {
  int fd = w32_fd(h);
  return fd >= 0 && isatty(fd) ? fd : -1;
}

/* Windows' colour bits (blue 1, green 2, red 4) as an ANSI colour number
 * (red 1, green 2, blue 4). */
static int ansi_colour(unsigned bgr) {
  return ((bgr & 4) ? 1 : 0) | ((bgr & 2) ? 2 : 0) | ((bgr & 1) ? 4 : 0);
}

/* The SGR sequence of an attribute word. Light grey on black, Windows'
 * default, is the terminal's own default colours, whatever they are. */
static size_t sgr_of(WORD a, char *out, size_t size) {
  unsigned fg = a & 0x0Fu, bg = (a >> 4) & 0x0Fu;
  int n = snprintf(out, size, "\033[0");
  if (fg == 0x07)
    n += snprintf(out + n, size - (size_t)n, ";39");
  else
    n += snprintf(out + n, size - (size_t)n, ";%d",
                  ((fg & 8) ? 90 : 30) + ansi_colour(fg & 7));
  if (bg == 0)
    n += snprintf(out + n, size - (size_t)n, ";49");
  else
    n += snprintf(out + n, size - (size_t)n, ";%d",
                  ((bg & 8) ? 100 : 40) + ansi_colour(bg & 7));
  if (a & COMMON_LVB_REVERSE_VIDEO)
    n += snprintf(out + n, size - (size_t)n, ";7");
  if (a & COMMON_LVB_UNDERSCORE)
    n += snprintf(out + n, size - (size_t)n, ";4");
  n += snprintf(out + n, size - (size_t)n, "m");
  return (size_t)n;
}

CPORT_API BOOL SetConsoleTextAttribute(HANDLE h, WORD a) {
  int fd = console_out_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  char seq[48];
  size_t n = sgr_of(a, seq, sizeof(seq));
  pthread_mutex_lock(&text_lock);
  attributes = a;
  /* After what stdio holds back, so the colour starts where it should. */
  fflush(fd == 1 ? stdout : stderr);
  ssize_t w = write(fd, seq, n);
  pthread_mutex_unlock(&text_lock);
  return w == (ssize_t)n ? TRUE : w32_fail(ERROR_WRITE_FAULT);
}

/* A bell on the terminal of standard output or error (none: nothing to
 * ring, still TRUE, as Windows without a sound device). */
CPORT_API BOOL MessageBeep(UINT type) {
  (void)type;
  int fd = terminal_fd();
  if (fd >= 0)
    (void)!write(fd, "\a", 1);
  return TRUE;
}

CPORT_API BOOL Beep(DWORD freq, DWORD ms) {
  if (freq < 0x25 || freq > 0x7fff)
    return w32_fail(ERROR_INVALID_PARAMETER);
  (void)MessageBeep(0);
  Sleep(ms); /* "the function is synchronous" */
  return TRUE;
}

CPORT_API BOOL GetConsoleScreenBufferInfo(HANDLE h,
                                          PCONSOLE_SCREEN_BUFFER_INFO info) {
  if (info == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  int fd = console_out_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  struct winsize ws;
  SHORT cols = 80, rows = 25;
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
    cols = (SHORT)(ws.ws_col > 0x7fff ? 0x7fff : ws.ws_col);
    rows = (SHORT)(ws.ws_row > 0x7fff ? 0x7fff : ws.ws_row);
  }
  memset(info, 0, sizeof(*info));
  info->dwSize.X = cols;
  info->dwSize.Y = rows;
  info->srWindow.Right = (SHORT)(cols - 1);
  info->srWindow.Bottom = (SHORT)(rows - 1);
  info->dwMaximumWindowSize = info->dwSize;
  pthread_mutex_lock(&text_lock);
  info->wAttributes = attributes;
  pthread_mutex_unlock(&text_lock);
  return TRUE; /* (the cursor's place is not known: 0, 0) */
}
