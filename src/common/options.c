/*
 * options.c - validation of cport_options_t and of $CPORT_BACKEND, shared
 * by every platform.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#  include <windows.h>
#endif

#include "common.h"

void cp_env_complain(int *said, const char *var, const char *value,
                     const char *takes, const char *then) {
  if (__atomic_exchange_n(said, 1, __ATOMIC_RELAXED))
    return;
  fprintf(stderr, "cport: %s=%s: %s; %s\n", var, value, takes, then);
}

/* Copies $CPORT_BACKEND into name; 0 if unset or empty, 1 if copied, -1
 * if longer than any backend name. (GetEnvironmentVariableA on Windows,
 * where the C runtime's getenv() is deprecated.) */
static int cp_backend_env(char *name, size_t size) {
#if defined(_WIN32)
  DWORD n = GetEnvironmentVariableA("CPORT_BACKEND", name, (DWORD)size);
  if (n == 0)
    return 0;
  return n < size ? 1 : -1;
#else
  const char *v = getenv("CPORT_BACKEND");
  if (v == NULL || v[0] == '\0')
    return 0;
  size_t n = strlen(v);
  if (n >= size)
    return -1;
  memcpy(name, v, n + 1);
  return 1;
#endif
}

static int backend_said;

int cp_backend_from_env(void) {
  char name[16];
  int got = cp_backend_env(name, sizeof(name));
  if (got < 0) {
    cp_env_complain(&backend_said, "CPORT_BACKEND", "(too long)",
                    "not a backend (auto, io_uring, epoll, iocp)",
                    "cport_create fails with CPORT_EINVAL");
    return CPORT_EINVAL;
  }
  if (got == 0 || strcmp(name, "auto") == 0)
    return CPORT_BACKEND_AUTO;
  if (strcmp(name, "io_uring") == 0 || strcmp(name, "uring") == 0)
    return CPORT_BACKEND_URING;
  if (strcmp(name, "epoll") == 0)
    return CPORT_BACKEND_EPOLL;
  if (strcmp(name, "iocp") == 0)
    return CPORT_BACKEND_IOCP;
  cp_env_complain(&backend_said, "CPORT_BACKEND", name,
                  "not a backend (auto, io_uring, epoll, iocp)",
                  "cport_create fails with CPORT_EINVAL");
  return CPORT_EINVAL;
}

int cp_check_options(const cport_options_t *opts, cport_backend_t *kind) {
  cport_backend_t want = CPORT_BACKEND_AUTO;
  if (opts != NULL) {
    for (size_t i = 0; i < CP_ARRAY_LEN(opts->reserved); i++)
      if (opts->reserved[i] != 0)
        return CPORT_EINVAL;
    if ((unsigned)opts->backend > CPORT_BACKEND_EPOLL)
      return CPORT_EINVAL;
    if (opts->entries > 32768 || opts->workers > 1024 ||
        opts->concurrency > 65536)
      return CPORT_EINVAL;
    want = opts->backend;
  }
  if (want == CPORT_BACKEND_AUTO) {
    int env = cp_backend_from_env();
    if (env < 0)
      return env;
    want = (cport_backend_t)env;
  }
  *kind = want;
  return 0;
}
