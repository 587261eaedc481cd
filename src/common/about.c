/*
 * about.c - what the library says about itself, the same on every
 * platform: the version that is running (as opposed to the CPORT_VERSION*
 * macros a program was compiled with), the sizes the ABI freezes, and the
 * one table of error codes' names and messages (the codes themselves are
 * CPORT_ERRNO_MAP's, in cport.h).
 */
#include <limits.h>

#include "cport.h"

#include "common.h"

/* The macros of cport.h must agree with each other (meson.build checks
 * them against the project version). */
#define CP_STR_(x) #x
#define CP_STR(x) CP_STR_(x)
_Static_assert(CPORT_VERSION == CPORT_MAKE_VERSION(CPORT_VERSION_MAJOR,
                                                   CPORT_VERSION_MINOR,
                                                   CPORT_VERSION_PATCH),
               "CPORT_VERSION disagrees with CPORT_VERSION_MAJOR/MINOR/PATCH");
_Static_assert(CPORT_VERSION_MINOR < 256 && CPORT_VERSION_PATCH < 256,
               "minor and patch must fit in 8 bits each");

/* Frozen by the ABI statement in README.md: programs allocate these. */
_Static_assert(sizeof(cport_op_t) == (sizeof(void *) == 8 ? 256 : 132),
               "cport_op_t is 256 bytes (64-bit) or 132 bytes (32-bit)");
_Static_assert(sizeof(cport_options_t) == 8 * sizeof(unsigned),
               "cport_options_t is eight unsigned-sized fields");

static const char cp_version_string[] = CP_STR(CPORT_VERSION_MAJOR) "." CP_STR(
    CPORT_VERSION_MINOR) "." CP_STR(CPORT_VERSION_PATCH);

CPORT_API uint32_t cport_version(void) {
  return CPORT_VERSION;
}

CPORT_API const char *cport_version_string(void) {
  return cp_version_string;
}

/* ------------------------------------------------------------------------ */
/* Error codes                                                               */
/* ------------------------------------------------------------------------ */

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
