/*
 * environment.c - what a Windows program asks about its process and
 * machine beside the system information of system.c: environment
 * variables (GetEnvironmentVariable, SetEnvironmentVariable; A and W),
 * the computer's name, the temporary directory, the command line, the
 * memory status, and the precise system time.
 *
 * Environment variables: names are matched as Windows does, without
 * regard to case (an exact match first, then the first that differs only
 * in case); a lock keeps the layer's own calls from racing each other
 * (a program that calls getenv or setenv itself at the same time is not
 * covered, as with any setenv).
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>
#include <wchar.h>

#include "win32.h"

extern char **environ;

static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;

/* The value of name, matched without regard to case as on Windows: a
 * copy (malloc'd) or NULL. Called under env_lock. */
static char *env_find(const char *name) {
  const char *v = getenv(name);
  size_t len = strlen(name);
  for (char **e = environ; v == NULL && e != NULL && *e != NULL; e++) {
    if (strncasecmp(*e, name, len) == 0 && (*e)[len] == '=')
      v = *e + len + 1;
  }
  return v != NULL ? strdup(v) : NULL;
}

/* The variable's value (malloc'd), or NULL with the last error set. */
static char *env_get(LPCSTR name) {
  if (name == NULL || name[0] == 0)
    return (w32_fail(ERROR_ENVVAR_NOT_FOUND), NULL);
  pthread_mutex_lock(&env_lock);
  char *v = env_find(name);
  pthread_mutex_unlock(&env_lock);
  if (v == NULL)
    w32_fail(ERROR_ENVVAR_NOT_FOUND);
  return v;
}

CPORT_API DWORD GetEnvironmentVariableA(LPCSTR name, LPSTR buf, DWORD size) {
  char *v = env_get(name);
  if (v == NULL)
    return 0;
  DWORD n = w32_copy_out_a(v, buf, size);
  free(v);
  return n;
}

CPORT_API DWORD GetEnvironmentVariableW(LPCWSTR name, LPWSTR buf, DWORD size) {
  if (name == NULL)
    return (w32_fail(ERROR_ENVVAR_NOT_FOUND), 0);
  char *n8 = w32_utf8(name);
  if (n8 == NULL)
    return 0;
  char *v = env_get(n8);
  free(n8);
  if (v == NULL)
    return 0;
  DWORD n = w32_copy_out_w(v, buf, size);
  free(v);
  return n;
}

/* Sets (value not NULL) or deletes a variable; the name of an existing
 * one that differs in case is the one changed, as on Windows. */
static BOOL env_set(LPCSTR name, LPCSTR value) {
  if (name == NULL || name[0] == 0 || strchr(name, '=') != NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  pthread_mutex_lock(&env_lock);
  char *key = NULL;
  size_t len = strlen(name);
  if (getenv(name) == NULL) {
    for (char **e = environ; e != NULL && *e != NULL; e++) {
      if (strncasecmp(*e, name, len) == 0 && (*e)[len] == '=') {
        key = strndup(*e, len);
        break;
      }
    }
  }
  const char *target = key != NULL ? key : name;
  int rc = value != NULL ? setenv(target, value, 1) : unsetenv(target);
  int err = errno;
  pthread_mutex_unlock(&env_lock);
  free(key);
  if (rc != 0)
    return w32_fail(err == ENOMEM ? ERROR_NOT_ENOUGH_MEMORY
                                  : ERROR_INVALID_PARAMETER);
  return TRUE;
}

CPORT_API BOOL SetEnvironmentVariableA(LPCSTR name, LPCSTR value) {
  return env_set(name, value);
}

CPORT_API BOOL SetEnvironmentVariableW(LPCWSTR name, LPCWSTR value) {
  if (name == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  char *n8 = w32_utf8(name);
  char *v8 = value != NULL ? w32_utf8(value) : NULL;
  BOOL ok = FALSE;
  if (n8 != NULL && (value == NULL || v8 != NULL))
    ok = env_set(n8, v8);
  free(n8);
  free(v8);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* The computer's name and the temporary directory                           */
/* ------------------------------------------------------------------------ */

/* The NetBIOS name Windows returns: the host name's first label, upper
 * case, at most MAX_COMPUTERNAME_LENGTH characters. */
static void computer_name(char out[MAX_COMPUTERNAME_LENGTH + 1]) {
  char host[256] = "";
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == 0)
    strcpy(host, "localhost");
  size_t n = 0;
  while (host[n] != 0 && host[n] != '.' && n < MAX_COMPUTERNAME_LENGTH) {
    out[n] = (char)toupper((unsigned char)host[n]);
    n++;
  }
  out[n] = 0;
}

/* GetComputerName's size rule: *size in, the buffer's characters; out,
 * the characters copied without the NUL, or the size needed with it
 * (ERROR_BUFFER_OVERFLOW). */
CPORT_API BOOL GetComputerNameA(LPSTR buf, LPDWORD size) {
  if (size == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  char name[MAX_COMPUTERNAME_LENGTH + 1];
  computer_name(name);
  DWORD len = (DWORD)strlen(name);
  if (buf == NULL || *size <= len) {
    *size = len + 1;
    return w32_fail(ERROR_BUFFER_OVERFLOW);
  }
  memcpy(buf, name, len + 1);
  *size = len;
  return TRUE;
}

CPORT_API BOOL GetComputerNameW(LPWSTR buf, LPDWORD size) {
  if (size == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  char name[MAX_COMPUTERNAME_LENGTH + 1];
  computer_name(name);
  DWORD len = (DWORD)strlen(name); /* ASCII: one WCHAR each */
  if (buf == NULL || *size <= len) {
    *size = len + 1;
    return w32_fail(ERROR_BUFFER_OVERFLOW);
  }
  for (DWORD i = 0; i <= len; i++)
    buf[i] = (WCHAR)(unsigned char)name[i];
  *size = len;
  return TRUE;
}

/* $TMPDIR, $TMP or $TEMP (as Windows looks at TMP and TEMP), else /tmp,
 * ending with '/' as Windows' ends with '\'. Malloc'd, or NULL. */
static char *temp_path(void) {
  static const char *const vars[] = {"TMPDIR", "TMP", "TEMP"};
  const char *dir = NULL;
  pthread_mutex_lock(&env_lock);
  for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]) && dir == NULL; i++) {
    const char *v = getenv(vars[i]);
    if (v != NULL && v[0] == '/')
      dir = v;
  }
  if (dir == NULL)
    dir = "/tmp";
  size_t len = strlen(dir);
  char *out = malloc(len + 2);
  if (out != NULL) {
    memcpy(out, dir, len);
    if (len == 0 || out[len - 1] != '/')
      out[len++] = '/';
    out[len] = 0;
  }
  pthread_mutex_unlock(&env_lock);
  if (out == NULL)
    w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  return out;
}

/* GetTempPath's rule: the length without the NUL when it fits, else the
 * size it needs with the NUL. */
CPORT_API DWORD GetTempPathA(DWORD size, LPSTR buf) {
  char *p = temp_path();
  if (p == NULL)
    return 0;
  DWORD n = w32_copy_out_a(p, buf, size);
  free(p);
  return n;
}

CPORT_API DWORD GetTempPathW(DWORD size, LPWSTR buf) {
  char *p = temp_path();
  if (p == NULL)
    return 0;
  DWORD n = w32_copy_out_w(p, buf, size);
  free(p);
  return n;
}

/* ------------------------------------------------------------------------ */
/* The command line                                                          */
/* ------------------------------------------------------------------------ */

static pthread_once_t cmdline_once = PTHREAD_ONCE_INIT;
static char *cmdline_a;
static WCHAR *cmdline_w;

/* Appends one argument, quoted the way CommandLineToArgvW reads it back
 * when it is empty or holds a space, a tab or a quote. The program (the
 * first) is read back without backslash rules: only quoted, as is. */
static size_t quote_arg(char *out, const char *arg, bool program) {
  size_t n = 0;
  bool quote = arg[0] == 0 || strpbrk(arg, " \t\"") != NULL;
  if (program && quote) {
    size_t len = strlen(arg);
    if (out != NULL) {
      out[0] = '"';
      memcpy(out + 1, arg, len);
      out[len + 1] = '"';
    }
    return len + 2;
  }
  if (!quote) {
    size_t len = strlen(arg);
    if (out != NULL)
      memcpy(out, arg, len);
    return len;
  }
  if (out != NULL)
    out[n] = '"';
  n++;
  for (const char *p = arg;; p++) {
    size_t slashes = 0;
    while (*p == '\\') {
      slashes++;
      p++;
    }
    /* Backslashes before a quote or the closing quote are doubled. */
    size_t copies = (*p == '"' || *p == 0) ? slashes * 2 : slashes;
    for (size_t i = 0; i < copies; i++) {
      if (out != NULL)
        out[n] = '\\';
      n++;
    }
    if (*p == 0)
      break;
    if (*p == '"') {
      if (out != NULL)
        out[n] = '\\';
      n++;
    }
    if (out != NULL)
      out[n] = *p;
    n++;
  }
  if (out != NULL)
    out[n] = '"';
  return n + 1;
}

/* Windows' limit on a command line, in characters. */
#define CMDLINE_MAX 32768

static void cmdline_build(void) {
  char *raw = malloc(CMDLINE_MAX); /* (not on a small thread's stack) */
  if (raw == NULL)
    return;
  size_t len = 0;
  FILE *f = fopen("/proc/self/cmdline", "rb");
  if (f != NULL) {
    len = fread(raw, 1, CMDLINE_MAX - 1, f);
    fclose(f);
  }
  raw[len] = 0;
  /* Each argument ends with a NUL; two passes: measure, then write. */
  for (int pass = 0; pass < 2; pass++) {
    size_t n = 0;
    for (size_t at = 0; at < len; at += strlen(raw + at) + 1) {
      if (n > 0) {
        if (pass == 1)
          cmdline_a[n] = ' ';
        n++;
      }
      n += quote_arg(pass == 1 ? cmdline_a + n : NULL, raw + at, at == 0);
    }
    if (pass == 0) {
      cmdline_a = malloc(n + 1);
      if (cmdline_a == NULL) {
        free(raw);
        return;
      }
    } else {
      cmdline_a[n] = 0;
    }
  }
  free(raw);
  int wn = MultiByteToWideChar(CP_UTF8, 0, cmdline_a, -1, NULL, 0);
  if (wn > 0 && (cmdline_w = malloc((size_t)wn * sizeof(WCHAR))) != NULL)
    MultiByteToWideChar(CP_UTF8, 0, cmdline_a, -1, cmdline_w, wn);
}

/* The process's command line, built once from /proc/self/cmdline with
 * Windows' quoting; it lives as long as the process. */
CPORT_API LPSTR GetCommandLineA(void) {
  static char empty[1];
  pthread_once(&cmdline_once, cmdline_build);
  return cmdline_a != NULL ? cmdline_a : empty;
}

CPORT_API LPWSTR GetCommandLineW(void) {
  static WCHAR empty[1];
  pthread_once(&cmdline_once, cmdline_build);
  return cmdline_w != NULL ? cmdline_w : empty;
}

/* CommandLineToArgvW's reading of one argument after the first, from
 * *pp: white space ends it outside quotes; 2n backslashes and a quote
 * are n backslashes and a quote that opens or closes, 2n + 1 and a quote
 * are n backslashes and a literal quote; other backslashes are literal.
 * Writes into out (when not NULL); returns the characters. */
static size_t read_arg(LPCWSTR *pp, LPWSTR out) {
  LPCWSTR p = *pp;
  size_t n = 0;
  bool quoted = false;
  while (*p != 0 && (quoted || (*p != L' ' && *p != L'\t'))) {
    size_t slashes = 0;
    while (p[slashes] == L'\\')
      slashes++;
    if (p[slashes] == L'"') {
      for (size_t i = 0; i < slashes / 2; i++, n++)
        if (out != NULL)
          out[n] = L'\\';
      p += slashes;
      if (slashes % 2 == 1) {
        if (out != NULL)
          out[n] = L'"';
        n++;
      } else {
        quoted = !quoted;
      }
      p++;
    } else if (slashes > 0) {
      for (size_t i = 0; i < slashes; i++, n++)
        if (out != NULL)
          out[n] = L'\\';
      p += slashes;
    } else {
      if (out != NULL)
        out[n] = *p;
      n++;
      p++;
    }
  }
  *pp = p;
  return n;
}

/* The program name: up to the closing quote if it starts with one (no
 * backslash rules), else up to white space. */
static size_t read_program(LPCWSTR *pp, LPWSTR out) {
  LPCWSTR p = *pp;
  size_t n = 0;
  bool quoted = *p == L'"';
  if (quoted)
    p++;
  while (*p != 0 && (quoted ? *p != L'"' : (*p != L' ' && *p != L'\t'))) {
    if (out != NULL)
      out[n] = *p;
    n++;
    p++;
  }
  if (quoted && *p == L'"')
    p++;
  *pp = p;
  return n;
}

/* Splits line into arguments (two passes: count, then fill), into one
 * LocalAlloc block: the pointers, then the strings. */
static LPWSTR *split_line(LPCWSTR line, int *argc) {
  LPWSTR *argv = NULL;
  for (int pass = 0; pass < 2; pass++) {
    LPCWSTR p = line;
    int count = 0;
    size_t chars = 0;
    LPWSTR text = argv != NULL ? (LPWSTR)(void *)(argv + *argc + 1) : NULL;
    for (;;) {
      if (count > 0)
        while (*p == L' ' || *p == L'\t')
          p++;
      if (count > 0 && *p == 0)
        break;
      LPWSTR at = text != NULL ? text + chars : NULL;
      size_t n = count == 0 ? read_program(&p, at) : read_arg(&p, at);
      if (argv != NULL) {
        argv[count] = at;
        at[n] = 0;
      }
      chars += n + 1;
      count++;
    }
    if (pass == 0) {
      *argc = count;
      argv = LocalAlloc(LMEM_FIXED, (size_t)(count + 1) * sizeof(LPWSTR) +
                                        chars * sizeof(WCHAR));
      if (argv == NULL)
        return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
    } else {
      argv[count] = NULL;
    }
  }
  return argv;
}

CPORT_API LPWSTR *CommandLineToArgvW(LPCWSTR line, int *argc) {
  if (line == NULL || argc == NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  if (line[0] != 0)
    return split_line(line, argc);
  /* An empty line: the executable's path alone. */
  char path[4096];
  DWORD n = GetModuleFileNameA(NULL, path, sizeof(path));
  if (n == 0 || n >= sizeof(path))
    return NULL;
  int wn = MultiByteToWideChar(CP_UTF8, 0, path, -1, NULL, 0);
  if (wn <= 0)
    return NULL;
  LPWSTR *argv =
      LocalAlloc(LMEM_FIXED, 2 * sizeof(LPWSTR) + (size_t)wn * sizeof(WCHAR));
  if (argv == NULL)
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  argv[0] = (LPWSTR)(void *)(argv + 2);
  argv[1] = NULL;
  MultiByteToWideChar(CP_UTF8, 0, path, -1, argv[0], wn);
  *argc = 1;
  return argv;
}

/* ------------------------------------------------------------------------ */
/* Memory status and the precise time                                        */
/* ------------------------------------------------------------------------ */

/* A field of /proc/meminfo in bytes, or -1. */
static long long meminfo(const char *key) {
  FILE *f = fopen("/proc/meminfo", "r");
  if (f == NULL)
    return -1;
  char line[256];
  long long v = -1;
  size_t len = strlen(key);
  while (fgets(line, sizeof(line), f) != NULL) {
    if (strncmp(line, key, len) == 0 && line[len] == ':') {
      v = strtoll(line + len + 1, NULL, 10) * 1024;
      break;
    }
  }
  fclose(f);
  return v;
}

/* The user address space of a 64-bit Windows process (128 TiB less 64
 * KiB at each end), which a Linux process on x86-64 has too. */
#define USER_SPACE 0x7ffffffe0000ull

CPORT_API BOOL GlobalMemoryStatusEx(LPMEMORYSTATUSEX st) {
  if (st == NULL || st->dwLength != sizeof(*st))
    return w32_fail(ERROR_INVALID_PARAMETER);
  struct sysinfo si;
  if (sysinfo(&si) != 0)
    return w32_fail(w32_error(-errno));
  unsigned long long unit = si.mem_unit != 0 ? si.mem_unit : 1;
  unsigned long long total = si.totalram * unit;
  long long avail = meminfo("MemAvailable");
  unsigned long long free_ram =
      avail >= 0 ? (unsigned long long)avail : si.freeram * unit;
  unsigned long long swap = si.totalswap * unit;
  st->ullTotalPhys = total;
  st->ullAvailPhys = free_ram;
  st->dwMemoryLoad = total > 0 ? (DWORD)((total - free_ram) * 100 / total) : 0;
  st->ullTotalPageFile = total + swap;
  st->ullAvailPageFile = free_ram + si.freeswap * unit;
  long long used = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f != NULL) {
    if (fscanf(f, "%lld", &used) != 1)
      used = 0;
    fclose(f);
  }
  used *= sysconf(_SC_PAGESIZE);
  st->ullTotalVirtual = USER_SPACE;
  st->ullAvailVirtual = (unsigned long long)used < USER_SPACE
                            ? USER_SPACE - (unsigned long long)used
                            : 0;
  st->ullAvailExtendedVirtual = 0;
  return TRUE;
}

CPORT_API void GetSystemTimePreciseAsFileTime(LPFILETIME ft) {
  GetSystemTimeAsFileTime(ft);
}
