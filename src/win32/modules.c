/*
 * modules.c - the module calls a program makes to find functions at run
 * time (libloaderapi.h): GetModuleHandle, LoadLibrary(Ex), FreeLibrary,
 * GetProcAddress.
 *
 * Portable Windows code looks up newer calls before using them
 * (GetQueuedCompletionStatusEx, SetFileCompletionNotificationModes,
 * CancelIoEx...) in kernel32.dll or ws2_32.dll. On Linux those modules
 * are one: this layer. Their names give one module handle, whose
 * GetProcAddress finds the layer's own exported functions (dlsym, then a
 * check with dladdr that the symbol is the layer's, not the C library's
 * or the program's). NULL's module is the program, in which
 * GetProcAddress finds nothing. Nothing else can be loaded.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <strings.h>

#include "win32.h"

/* The layer's module handle: any non-NULL value no object has. */
static char layer_module;
#define LAYER ((HMODULE)&layer_module)
/* The program's (GetModuleHandle(NULL)). */
static char program_module;
#define PROGRAM ((HMODULE)&program_module)

/* The names of the system modules the layer stands for. */
static const char *const systems[] = {"kernel32", "kernelbase", "ws2_32",
                                      "mswsock", "ntdll"};

static bool is_system(const char *name) {
  const char *base = name;
  for (const char *p = name; *p != '\0'; p++)
    if (*p == '\\' || *p == '/')
      base = p + 1; /* a path: C:\Windows\System32\kernel32.dll */
  size_t n = strlen(base);
  if (n > 4 && strcasecmp(base + n - 4, ".dll") == 0)
    n -= 4;
  for (size_t i = 0; i < sizeof(systems) / sizeof(systems[0]); i++)
    if (strlen(systems[i]) == n && strncasecmp(base, systems[i], n) == 0)
      return true;
  return false;
}

static HMODULE module_named(const char *name) {
  if (name == NULL)
    return PROGRAM;
  if (is_system(name))
    return LAYER;
  return w32_fail_null(ERROR_MOD_NOT_FOUND);
}

static HMODULE module_named_w(LPCWSTR name) {
  if (name == NULL)
    return PROGRAM;
  char *u = w32_utf8(name);
  if (u == NULL)
    return NULL;
  HMODULE m = module_named(u);
  free(u);
  return m;
}

CPORT_API HMODULE GetModuleHandleA(LPCSTR name) {
  return module_named(name);
}

CPORT_API HMODULE GetModuleHandleW(LPCWSTR name) {
  return module_named_w(name);
}

CPORT_API HMODULE LoadLibraryA(LPCSTR name) {
  if (name == NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  return module_named(name);
}

CPORT_API HMODULE LoadLibraryW(LPCWSTR name) {
  if (name == NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  return module_named_w(name);
}

CPORT_API HMODULE LoadLibraryExA(LPCSTR name, HANDLE file, DWORD flags) {
  (void)file;
  (void)flags;
  return LoadLibraryA(name);
}

CPORT_API HMODULE LoadLibraryExW(LPCWSTR name, HANDLE file, DWORD flags) {
  (void)file;
  (void)flags;
  return LoadLibraryW(name);
}

CPORT_API BOOL FreeLibrary(HMODULE module) {
  if (module != LAYER && module != PROGRAM)
    return w32_fail(ERROR_INVALID_HANDLE);
  return TRUE; /* they stay loaded, as system modules do */
}

static FARPROC proc_fail(DWORD err) {
  SetLastError(err);
  return NULL;
}

CPORT_API FARPROC GetProcAddress(HMODULE module, LPCSTR name) {
  if (module != LAYER && module != PROGRAM)
    return proc_fail(ERROR_INVALID_HANDLE);
  /* A name below 64 Ki is an ordinal: the layer has none. The program's
   * module exports nothing the layer can tell apart from its libraries'. */
  if (module == PROGRAM || name == NULL || (uintptr_t)name < 0x10000u)
    return proc_fail(ERROR_PROC_NOT_FOUND);
  void *sym = dlsym(RTLD_DEFAULT, name);
  Dl_info found, layer;
  if (sym == NULL || dladdr(sym, &found) == 0 ||
      dladdr(&layer_module, &layer) == 0 || found.dli_fbase != layer.dli_fbase)
    return proc_fail(ERROR_PROC_NOT_FOUND); /* not the layer's */
  FARPROC fn;
  memcpy(&fn, &sym, sizeof(fn));
  return fn;
}
