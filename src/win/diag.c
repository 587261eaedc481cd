/*
 * diag.c - the fault mode and the completion trace on Windows: not
 * available. They make a Linux port behave as IOCP may; on Windows the
 * real IOCP runs, and nothing here pretends otherwise: the calls return
 * CPORT_ENOSYS, and a port asked for by $CPORT_FAULTS or $CPORT_TRACE is
 * not created (docs/testing.md).
 */
#include <string.h>

#include "win.h"

/* Whether environment variable `name` asks for a mode: set, not empty,
 * and (with `off_words`) not "0" or "off". */
static bool asks(const char *name, bool off_words) {
  char v[8];
  DWORD n = GetEnvironmentVariableA(name, v, (DWORD)sizeof(v));
  if (n == 0)
    return false;
  if (n >= sizeof(v) || !off_words)
    return true;
  return strcmp(v, "0") != 0 && strcmp(v, "off") != 0;
}

int cp_win_diag_env(void) {
  if (asks("CPORT_FAULTS", true) || asks("CPORT_TRACE", false))
    return CPORT_ENOSYS;
  return 0;
}

CPORT_API int cport_set_faults(cport_t *port, const char *spec) {
  (void)spec;
  return port == NULL ? CPORT_EINVAL : CPORT_ENOSYS;
}

CPORT_API int cport_set_trace(cport_t *port, const char *path) {
  (void)path;
  return port == NULL ? CPORT_EINVAL : CPORT_ENOSYS;
}
