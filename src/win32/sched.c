/*
 * sched.c - how threads are scheduled (processthreadsapi.h):
 * SetThreadPriority / GetThreadPriority, SetThreadAffinityMask,
 * GetProcessAffinityMask, GetCurrentProcessorNumber and
 * SetThreadDescription, on the thread HANDLEs of threads.c and the
 * pseudo handles of the calling thread and process.
 *
 * A priority is recorded as the program gave it (the thread object's, or
 * the calling thread's own for a thread the layer did not start) and
 * applied as the thread's nice value where Linux lets the process:
 * lowering always, raising with CAP_SYS_NICE or RLIMIT_NICE room. Windows
 * priorities steer the scheduler too; nothing a program can observe
 * besides GetThreadPriority depends on them.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "win32.h"

#define CURRENT_THREAD ((HANDLE)(LONG_PTR)-2)
#define CURRENT_PROCESS ((HANDLE)(LONG_PTR)-1)

/* The priority of a thread the layer did not start, for its own use. */
static __thread int own_priority;

/* The thread a HANDLE names: its Linux thread id (0 if it has not started
 * or has ended) and where its priority is kept; false for no thread. */
static bool thread_named(HANDLE h, pid_t *tid, int **priority) {
  if (h == CURRENT_THREAD) {
    struct w32_thread *self = w32_thread_self();
    *tid = (pid_t)w32_tid();
    *priority = self != NULL ? &self->priority : &own_priority;
    return true;
  }
  struct w32_thread *t = (struct w32_thread *)w32_object_get(h, W32_THREAD);
  if (t == NULL)
    return false;
  pthread_mutex_lock(&w32_lock);
  *tid = t->started && !t->done ? (pid_t)t->tid : 0;
  pthread_mutex_unlock(&w32_lock);
  *priority = &t->priority;
  return true;
}

static bool nice_of(int priority, int *nice) {
  switch (priority) {
  case THREAD_PRIORITY_IDLE:
    *nice = 19;
    return true;
  case THREAD_PRIORITY_LOWEST:
    *nice = 10;
    return true;
  case THREAD_PRIORITY_BELOW_NORMAL:
    *nice = 5;
    return true;
  case THREAD_PRIORITY_NORMAL:
    *nice = 0;
    return true;
  case THREAD_PRIORITY_ABOVE_NORMAL:
    *nice = -5;
    return true;
  case THREAD_PRIORITY_HIGHEST:
    *nice = -10;
    return true;
  case THREAD_PRIORITY_TIME_CRITICAL:
    *nice = -20;
    return true;
  default:
    return false;
  }
}

CPORT_API BOOL SetThreadPriority(HANDLE thread, int priority) {
  pid_t tid;
  int *slot;
  if (!thread_named(thread, &tid, &slot))
    return w32_fail(ERROR_INVALID_HANDLE);
  if (priority == THREAD_MODE_BACKGROUND_BEGIN ||
      priority == THREAD_MODE_BACKGROUND_END) {
    /* The calling thread only, as on Windows. */
    if (thread != CURRENT_THREAD)
      return w32_fail(ERROR_INVALID_PARAMETER);
    int nice = 0;
    nice_of(priority == THREAD_MODE_BACKGROUND_BEGIN ? THREAD_PRIORITY_IDLE
                                                     : *slot,
            &nice);
    (void)setpriority(PRIO_PROCESS, (id_t)tid, nice);
    return TRUE;
  }
  int nice;
  if (!nice_of(priority, &nice))
    return w32_fail(ERROR_INVALID_PARAMETER);
  __atomic_store_n(slot, priority, __ATOMIC_RELAXED);
  if (tid != 0)
    (void)setpriority(PRIO_PROCESS, (id_t)tid, nice); /* where allowed */
  return TRUE;
}

CPORT_API int GetThreadPriority(HANDLE thread) {
  pid_t tid;
  int *slot;
  if (!thread_named(thread, &tid, &slot)) {
    SetLastError(ERROR_INVALID_HANDLE);
    return THREAD_PRIORITY_ERROR_RETURN;
  }
  return __atomic_load_n(slot, __ATOMIC_RELAXED);
}

/* The first 64 processors of a set, as a mask. */
static DWORD_PTR mask_of(const cpu_set_t *set) {
  DWORD_PTR m = 0;
  for (int i = 0; i < 64 && i < CPU_SETSIZE; i++)
    if (CPU_ISSET(i, set))
      m |= (DWORD_PTR)1 << i;
  return m;
}

/* The process's processors: Linux has no process mask, so the one the
 * process started with (its first thread's, read as the layer loads,
 * before the program can pin a thread) stands for it. */
static DWORD_PTR start_mask;

__attribute__((constructor)) static void read_start_mask(void) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    start_mask = mask_of(&set);
}

static DWORD_PTR process_mask(void) {
  return start_mask;
}

CPORT_API DWORD_PTR SetThreadAffinityMask(HANDLE thread, DWORD_PTR mask) {
  pid_t tid;
  int *slot;
  if (!thread_named(thread, &tid, &slot))
    return (DWORD_PTR)(w32_fail(ERROR_INVALID_HANDLE), 0);
  if (tid == 0)
    return (DWORD_PTR)(w32_fail(ERROR_INVALID_HANDLE), 0); /* not running */
  if (mask == 0 || (mask & ~process_mask()) != 0)
    return (DWORD_PTR)(w32_fail(ERROR_INVALID_PARAMETER), 0);
  cpu_set_t old, set;
  CPU_ZERO(&old);
  if (sched_getaffinity(tid, sizeof(old), &old) != 0)
    return (DWORD_PTR)(w32_fail(w32_error(-errno)), 0);
  CPU_ZERO(&set);
  for (int i = 0; i < 64; i++)
    if (mask & ((DWORD_PTR)1 << i))
      CPU_SET(i, &set);
  if (sched_setaffinity(tid, sizeof(set), &set) != 0)
    return (DWORD_PTR)(w32_fail(w32_error(-errno)), 0);
  return mask_of(&old);
}

CPORT_API BOOL SetThreadGroupAffinity(HANDLE thread,
                                      const GROUP_AFFINITY *affinity,
                                      PGROUP_AFFINITY previous) {
  if (affinity == NULL || affinity->Group != 0)
    return w32_fail(ERROR_INVALID_PARAMETER); /* one group */
  DWORD_PTR old = SetThreadAffinityMask(thread, (DWORD_PTR)affinity->Mask);
  if (old == 0)
    return FALSE; /* (its error set) */
  if (previous != NULL) {
    memset(previous, 0, sizeof(*previous));
    previous->Mask = (KAFFINITY)old;
  }
  return TRUE;
}

CPORT_API BOOL GetThreadGroupAffinity(HANDLE thread, PGROUP_AFFINITY affinity) {
  pid_t tid;
  int *slot;
  if (affinity == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (!thread_named(thread, &tid, &slot) || tid == 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(tid, sizeof(set), &set) != 0)
    return w32_fail(w32_error(-errno));
  memset(affinity, 0, sizeof(*affinity));
  affinity->Mask = (KAFFINITY)mask_of(&set);
  return TRUE;
}

CPORT_API BOOL GetProcessAffinityMask(HANDLE process, PDWORD_PTR process_m,
                                      PDWORD_PTR system_m) {
  if (process != CURRENT_PROCESS)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (process_m == NULL || system_m == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  long n = sysconf(_SC_NPROCESSORS_CONF);
  DWORD_PTR all = n >= 64 ? ~(DWORD_PTR)0 : n > 0 ? ((DWORD_PTR)1 << n) - 1 : 1;
  *process_m = process_mask();
  *system_m = all;
  return TRUE;
}

CPORT_API DWORD GetCurrentProcessorNumber(void) {
  int cpu = sched_getcpu();
  return cpu >= 0 ? (DWORD)cpu : 0;
}

CPORT_API HRESULT SetThreadDescription(HANDLE thread, PCWSTR name) {
  pid_t tid;
  int *slot;
  if (!thread_named(thread, &tid, &slot))
    return HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE);
  if (name == NULL)
    return E_INVALIDARG;
  char *u = w32_utf8(name);
  if (u == NULL)
    return E_OUTOFMEMORY;
  char comm[16];
  snprintf(comm, sizeof(comm), "%s", u);
  free(u);
  if (tid == 0)
    return S_OK; /* not running yet, or ended: nothing to show it on */
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)tid);
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return HRESULT_FROM_WIN32(w32_error(-errno));
  bool ok = fputs(comm, f) >= 0;
  ok = fclose(f) == 0 && ok;
  return ok ? S_OK : HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED);
}
