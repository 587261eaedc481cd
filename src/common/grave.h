/*
 * grave.h - where closed ports rest. A closed port keeps its small shell
 * so that late calls on it return CPORT_ECLOSED instead of touching freed
 * memory; a shell is reused only after more than CP_GRAVE_KEEP ports have
 * been closed since. Shared by every platform's port.
 */
#ifndef CPORT_COMMON_GRAVE_H
#define CPORT_COMMON_GRAVE_H

#include "common.h"

#define CP_GRAVE_KEEP 64

/* Every shell starts with this header. */
struct cp_shell {
  struct cp_shell *grave_next;
};

/* A shell closed long enough ago to be reused, or NULL. */
CP_INTERNAL struct cp_shell *cp_grave_take(void);
/* Lay a closed port's shell to rest. */
CP_INTERNAL void cp_grave_bury(struct cp_shell *shell);

#endif
