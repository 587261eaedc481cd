/*
 * console.c - console control events, the standard handles, console
 * output, and conio.h's keys (_getch, _getche, _kbhit).
 *
 * Control events come from signals (SIGINT = CTRL_C_EVENT, SIGQUIT =
 * CTRL_BREAK_EVENT, SIGHUP = CTRL_CLOSE_EVENT, SIGTERM =
 * CTRL_SHUTDOWN_EVENT). The signal handler only writes the signal number
 * into a pipe; a dispatcher thread reads it and, as Windows does, starts
 * a new thread that calls the handlers, last registered first, until one
 * returns TRUE. If none does, the default handler ends the process; for
 * the close, logoff and shutdown events the process ends after the
 * handler either way. The process ends "by the signal" (its default
 * action), which is how Linux says what ExitProcess does on Windows for
 * these events. GenerateConsoleCtrlEvent sends the signal.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "win32.h"

#define MAX_HANDLERS 64

static pthread_mutex_t ctrl_lock = PTHREAD_MUTEX_INITIALIZER;
static PHANDLER_ROUTINE handlers[MAX_HANDLERS];
static int nhandlers;
static bool ignore_ctrl_c;
static bool installed;
static int ctrl_pipe[2] = {-1, -1};

static const struct {
  int sig;
  DWORD event;
} signal_events[] = {
    {SIGINT, CTRL_C_EVENT},
    {SIGQUIT, CTRL_BREAK_EVENT},
    {SIGHUP, CTRL_CLOSE_EVENT},
    {SIGTERM, CTRL_SHUTDOWN_EVENT},
};
#define NSIGNALS (sizeof(signal_events) / sizeof(signal_events[0]))

static void on_signal(int sig) {
  int saved = errno;
  unsigned char b = (unsigned char)sig;
  ssize_t n = write(ctrl_pipe[1], &b, 1);
  (void)n; /* a full pipe already holds events to run */
  errno = saved;
}

/* The default handler: the process ends as the signal would end it. */
static void end_by_signal(int sig) {
  fflush(NULL);
  signal(sig, SIG_DFL);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, sig);
  pthread_sigmask(SIG_UNBLOCK, &s, NULL);
  raise(sig);
  _exit(128 + sig);
}

static void *run_handlers(void *arg) {
  int sig = (int)(intptr_t)arg;
  DWORD event = CTRL_C_EVENT;
  for (size_t i = 0; i < NSIGNALS; i++)
    if (signal_events[i].sig == sig)
      event = signal_events[i].event;
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, NULL);
  PHANDLER_ROUTINE copy[MAX_HANDLERS];
  pthread_mutex_lock(&ctrl_lock);
  bool ignored = event == CTRL_C_EVENT && ignore_ctrl_c;
  int n = nhandlers;
  memcpy(copy, handlers, sizeof(copy[0]) * (size_t)n);
  pthread_mutex_unlock(&ctrl_lock);
  if (ignored)
    return NULL;
  bool handled = false;
  for (int i = n - 1; i >= 0 && !handled; i--)
    handled = copy[i](event) != FALSE;
  if (!handled || (event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT))
    end_by_signal(sig);
  return NULL;
}

static void *dispatcher(void *arg) {
  (void)arg;
  for (;;) {
    unsigned char b;
    ssize_t n = read(ctrl_pipe[0], &b, 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return NULL;
    if (!w32_service_thread(NULL, run_handlers, (void *)(intptr_t)b))
      end_by_signal(b); /* no thread for the handlers: the default */
  }
}

/* Signals to events, once (ctrl_lock held). */
static bool install_locked(void) {
  if (installed)
    return true;
  if (pipe2(ctrl_pipe, O_CLOEXEC) != 0)
    return false;
  fcntl(ctrl_pipe[1], F_SETFL, O_NONBLOCK);
  /* The dispatcher takes no signal itself: handlers run elsewhere. */
  if (!w32_service_thread(NULL, dispatcher, NULL)) {
    close(ctrl_pipe[0]);
    close(ctrl_pipe[1]);
    return false;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < NSIGNALS; i++)
    sigaction(signal_events[i].sig, &sa, NULL);
  installed = true;
  return true;
}

CPORT_API BOOL SetConsoleCtrlHandler(PHANDLER_ROUTINE fn, BOOL add) {
  pthread_mutex_lock(&ctrl_lock);
  BOOL ok = TRUE;
  DWORD err = 0;
  if ((add || fn == NULL) && !install_locked()) {
    ok = FALSE;
    err = ERROR_NOT_ENOUGH_MEMORY;
  } else if (fn == NULL) {
    ignore_ctrl_c = add != FALSE;
  } else if (add) {
    if (nhandlers == MAX_HANDLERS) {
      ok = FALSE;
      err = ERROR_NOT_ENOUGH_MEMORY;
    } else {
      handlers[nhandlers++] = fn;
    }
  } else {
    int i = nhandlers - 1;
    while (i >= 0 && handlers[i] != fn)
      i--;
    if (i < 0) {
      ok = FALSE;
      err = ERROR_INVALID_PARAMETER;
    } else {
      memmove(&handlers[i], &handlers[i + 1],
              sizeof(handlers[0]) * (size_t)(nhandlers - i - 1));
      nhandlers--;
    }
  }
  pthread_mutex_unlock(&ctrl_lock);
  return ok ? TRUE : w32_fail(err);
}

/* CTRL_C_EVENT or CTRL_BREAK_EVENT as the signal that stands for it. Group
 * 0 ("all processes that share the console of the calling process") is
 * the calling process here: other processes on the same terminal are not
 * signalled. Another group is a Linux process group; Ctrl-C "cannot be
 * generated for process groups": the call succeeds and nothing is sent. */
CPORT_API BOOL GenerateConsoleCtrlEvent(DWORD event, DWORD group) {
  if (event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT)
    return w32_fail(ERROR_INVALID_PARAMETER);
  int sig = event == CTRL_C_EVENT ? SIGINT : SIGQUIT;
  pid_t self = getpid();
  if (group == 0 || (pid_t)group == self)
    return kill(self, sig) == 0 ? TRUE : w32_fail(ERROR_INVALID_PARAMETER);
  if (event == CTRL_C_EVENT)
    return TRUE;
  if (group > (DWORD)INT32_MAX || kill(-(pid_t)group, sig) != 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Standard handles                                                          */
/* ------------------------------------------------------------------------ */

/* CloseHandle of stdin closes descriptor 0, as it closes the standard
 * input on Windows. */
static void stdin_closed(void *arg) {
  (void)arg;
  close(0);
}

/* Descriptor 0 would be the NULL handle: stdin is an object that holds
 * it. */
static struct w32_object *stdin_object;

CPORT_API HANDLE GetStdHandle(DWORD which) {
  switch (which) {
  case STD_OUTPUT_HANDLE:
    return (HANDLE)(intptr_t)1;
  case STD_ERROR_HANDLE:
    return (HANDLE)(intptr_t)2;
  case STD_INPUT_HANDLE:
    break;
  default:
    return (w32_fail(ERROR_INVALID_PARAMETER), INVALID_HANDLE_VALUE);
  }
  pthread_mutex_lock(&ctrl_lock);
  struct w32_object *o = stdin_object;
  if (o == NULL || !__atomic_load_n(&o->open, __ATOMIC_ACQUIRE)) {
    o = stdin_object = w32_object_new(W32_STDIN, sizeof(*o));
    if (o != NULL)
      o->closed = stdin_closed;
  }
  pthread_mutex_unlock(&ctrl_lock);
  return o != NULL ? (HANDLE)o : INVALID_HANDLE_VALUE;
}

/* ------------------------------------------------------------------------ */
/* Console output                                                            */
/* ------------------------------------------------------------------------ */

/* A console handle: one that is a terminal. WriteConsole fails on a
 * handle redirected to a file or a pipe, as on Windows. */
static int console_fd(HANDLE h) {
  int fd = w32_fd(h);
  if (fd < 0 || !isatty(fd))
    return -1;
  return fd;
}

CPORT_API BOOL GetConsoleMode(HANDLE h, LPDWORD mode) {
  if (mode == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (console_fd(h) < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  *mode = 0x3; /* ENABLE_PROCESSED_OUTPUT | ENABLE_WRAP_AT_EOL_OUTPUT */
  return TRUE;
}

static bool write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return false;
    p += w;
    n -= (size_t)w;
  }
  return true;
}

CPORT_API BOOL WriteConsoleA(HANDLE h, const VOID *buf, DWORD n,
                             LPDWORD written, LPVOID reserved) {
  (void)reserved;
  int fd = console_fd(h);
  if (fd < 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (buf == NULL && n > 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (!write_all(fd, buf, n))
    return w32_fail(w32_error(-errno));
  if (written)
    *written = n;
  return TRUE;
}

CPORT_API BOOL WriteConsoleW(HANDLE h, const VOID *buf, DWORD n,
                             LPDWORD written, LPVOID reserved) {
  if (buf == NULL && n > 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  int len =
      n ? WideCharToMultiByte(CP_UTF8, 0, buf, (int)n, NULL, 0, NULL, NULL) : 0;
  char *utf8 = malloc((size_t)len + 1);
  if (utf8 == NULL)
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  if (n)
    WideCharToMultiByte(CP_UTF8, 0, buf, (int)n, utf8, len, NULL, NULL);
  BOOL ok = WriteConsoleA(h, utf8, (DWORD)len, NULL, reserved);
  free(utf8);
  if (ok && written)
    *written = n; /* characters, not the bytes of their UTF-8 */
  return ok;
}

/* ------------------------------------------------------------------------ */
/* conio.h: one key at a time                                                */
/* ------------------------------------------------------------------------ */

/* One byte of standard input, read as a console's key: on a terminal
 * without waiting for a line and, unless `echo`, without echoing it;
 * else (a pipe, a file) the next byte. EOF when none will come. */
static int read_key(bool echo) {
  struct termios old;
  bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    struct termios raw = old;
    raw.c_lflag &= (tcflag_t) ~(ICANON | (echo ? 0 : ECHO));
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
  }
  unsigned char c = 0;
  ssize_t n;
  do
    n = read(STDIN_FILENO, &c, 1);
  while (n < 0 && errno == EINTR);
  if (tty)
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
  return n == 1 ? (int)c : EOF;
}

CPORT_API int cport_w32_getch(void) {
  return read_key(false);
}

CPORT_API int cport_w32_getche(void) {
  return read_key(true);
}

CPORT_API int cport_w32_kbhit(void) {
  struct termios old;
  bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) { /* a key counts without its line's end */
    struct termios raw = old;
    raw.c_lflag &= (tcflag_t)~ICANON;
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
  }
  /* Bytes waiting, not readiness: the end of a file is no key. */
  int n = 0;
  if (ioctl(STDIN_FILENO, FIONREAD, &n) != 0)
    n = 0;
  if (tty)
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
  return n > 0 ? 1 : 0;
}
