/*
 * error.c - the one table of cport error codes: names and messages.
 * The codes themselves are defined by CPORT_ERRNO_MAP in cport.h.
 */
#include <limits.h>

#include "cport.h"

#include "common.h"

CPORT_API const char *cport_strerror(int err) {
  switch (err) {
#define CPORT_ERR_MSG_(name, value, msg) \
  case CPORT_##name:                     \
    return msg;
    CPORT_ERRNO_MAP(CPORT_ERR_MSG_)
#undef CPORT_ERR_MSG_
  case 0:
    return "success";
  case CPORT_COMPLETED:
    return "completed inside the call (no completion posted)";
  default:
    return "unknown error";
  }
}

CPORT_API const char *cport_err_name(int err) {
  switch (err) {
#define CPORT_ERR_NAME_(name, value, msg) \
  case CPORT_##name:                      \
    return "CPORT_" #name;
    CPORT_ERRNO_MAP(CPORT_ERR_NAME_)
#undef CPORT_ERR_NAME_
  case 0:
    return "0";
  case CPORT_COMPLETED:
    return "CPORT_COMPLETED";
  default:
    return "CPORT_E?";
  }
}
