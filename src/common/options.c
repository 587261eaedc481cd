/*
 * options.c - validation of cport_options_t and of $CPORT_BACKEND, shared
 * by every platform.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

int cp_backend_from_env(void) {
  const char *name = getenv("CPORT_BACKEND");
  if (name == NULL || name[0] == '\0' || strcmp(name, "auto") == 0)
    return CPORT_BACKEND_AUTO;
  if (strcmp(name, "io_uring") == 0 || strcmp(name, "uring") == 0)
    return CPORT_BACKEND_URING;
  if (strcmp(name, "epoll") == 0)
    return CPORT_BACKEND_EPOLL;
  if (strcmp(name, "iocp") == 0)
    return CPORT_BACKEND_IOCP;
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
