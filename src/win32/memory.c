/*
 * memory.c - the process heap (HeapAlloc and friends), fixed global and
 * local memory (GlobalAlloc, LocalAlloc: FormatMessage's buffers), and
 * virtual memory (VirtualAlloc / VirtualFree) from mmap; and whether an
 * address can be user memory at all (a program's bad pointer).
 *
 * Heap, global and local blocks share one format: malloc'd, with a
 * 16-byte header holding the size asked for (HeapSize, HeapReAlloc), so
 * the block stays 16-byte aligned as on 64-bit Windows.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "win32.h"

/* Where no mapping can be: the first 64 KiB (Linux's vm.mmap_min_addr)
 * and, on 64-bit systems, past the largest user address space (56 bits,
 * with five-level page tables). */
#define W32_LOW_LIMIT ((uintptr_t)0x10000u)
#if UINTPTR_MAX > 0xFFFFFFFFu
#  define W32_HIGH_LIMIT ((uintptr_t)1 << 56)
#else
#  define W32_HIGH_LIMIT UINTPTR_MAX
#endif

/* Whether buf..buf+len cannot be user memory ("not totally contained in
 * a valid part of the user address space": WSAEFAULT). What is probed is
 * the address, not the mapping: an unmapped page inside the user half is
 * not looked for (a system call per op). */
bool w32_outside_user_space(const void *buf, size_t len) {
  uintptr_t a = (uintptr_t)buf;
  return len > 0 &&
         (a < W32_LOW_LIMIT || a >= W32_HIGH_LIMIT || len > W32_HIGH_LIMIT - a);
}

/* ------------------------------------------------------------------------ */
/* Blocks                                                                    */
/* ------------------------------------------------------------------------ */

#define HEADER 16u

static void *block_alloc(SIZE_T size, bool zero) {
  if (size > SIZE_MAX - HEADER)
    return NULL;
  char *p = zero ? calloc(1, size + HEADER) : malloc(size + HEADER);
  if (p == NULL)
    return NULL;
  memcpy(p, &size, sizeof(size));
  return p + HEADER;
}

static SIZE_T block_size(const void *p) {
  SIZE_T size;
  memcpy(&size, (const char *)p - HEADER, sizeof(size));
  return size;
}

static void block_free(void *p) {
  if (p != NULL)
    free((char *)p - HEADER);
}

static void *block_realloc(void *p, SIZE_T size, bool zero) {
  SIZE_T old = block_size(p);
  if (size > SIZE_MAX - HEADER)
    return NULL;
  char *q = realloc((char *)p - HEADER, size + HEADER);
  if (q == NULL)
    return NULL;
  memcpy(q, &size, sizeof(size));
  if (zero && size > old)
    memset(q + HEADER + old, 0, size - old);
  return q + HEADER;
}

/* ------------------------------------------------------------------------ */
/* The process heap                                                          */
/* ------------------------------------------------------------------------ */

/* Only its address matters: the one heap there is. */
static struct w32_object process_heap = {.open = true, .refs = 1, .handles = 1};

static bool is_heap(HANDLE heap) {
  return heap == (HANDLE)&process_heap;
}

CPORT_API HANDLE GetProcessHeap(void) {
  return &process_heap;
}

CPORT_API LPVOID HeapAlloc(HANDLE heap, DWORD flags, SIZE_T size) {
  if (!is_heap(heap))
    return w32_fail_null(ERROR_INVALID_HANDLE);
  void *p = block_alloc(size, (flags & HEAP_ZERO_MEMORY) != 0);
  return p != NULL ? p : w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
}

CPORT_API LPVOID HeapReAlloc(HANDLE heap, DWORD flags, LPVOID p, SIZE_T size) {
  if (!is_heap(heap))
    return w32_fail_null(ERROR_INVALID_HANDLE);
  if (p == NULL)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  if (flags & HEAP_REALLOC_IN_PLACE_ONLY) {
    /* Only shrinking can be promised in place. */
    if (size > block_size(p))
      return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
    memcpy((char *)p - HEADER, &size, sizeof(size));
    return p;
  }
  void *q = block_realloc(p, size, (flags & HEAP_ZERO_MEMORY) != 0);
  return q != NULL ? q : w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
}

CPORT_API BOOL HeapFree(HANDLE heap, DWORD flags, LPVOID p) {
  (void)flags;
  if (!is_heap(heap))
    return w32_fail(ERROR_INVALID_HANDLE);
  block_free(p);
  return TRUE;
}

CPORT_API SIZE_T HeapSize(HANDLE heap, DWORD flags, LPCVOID p) {
  (void)flags;
  if (!is_heap(heap) || p == NULL)
    return (w32_fail(ERROR_INVALID_PARAMETER), (SIZE_T)-1);
  return block_size(p);
}

/* ------------------------------------------------------------------------ */
/* Global and local memory (fixed)                                           */
/* ------------------------------------------------------------------------ */

#define MOVEABLE 0x0002u /* GMEM_MOVEABLE, LMEM_MOVEABLE */

static void *fixed_alloc(UINT flags, SIZE_T size) {
  if (flags & MOVEABLE)
    return w32_fail_null(ERROR_INVALID_PARAMETER); /* no handles to lock */
  void *p = block_alloc(size, (flags & GMEM_ZEROINIT) != 0);
  return p != NULL ? p : w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
}

CPORT_API HGLOBAL GlobalAlloc(UINT flags, SIZE_T size) {
  return fixed_alloc(flags, size);
}

CPORT_API HGLOBAL GlobalFree(HGLOBAL p) {
  block_free(p);
  return NULL;
}

CPORT_API HLOCAL LocalAlloc(UINT flags, SIZE_T size) {
  return fixed_alloc(flags, size);
}

CPORT_API HLOCAL LocalFree(HLOCAL p) {
  block_free(p);
  return NULL;
}

/* The size asked for; 0 with ERROR_INVALID_HANDLE for NULL. */
CPORT_API SIZE_T GlobalSize(HGLOBAL p) {
  if (p == NULL)
    return (w32_fail(ERROR_INVALID_HANDLE), (SIZE_T)0);
  return block_size(p);
}

CPORT_API SIZE_T LocalSize(HLOCAL p) {
  return GlobalSize(p);
}

/* ------------------------------------------------------------------------ */
/* Virtual memory                                                            */
/* ------------------------------------------------------------------------ */

#define GRANULARITY 65536u

/* The reservations VirtualAlloc made: MEM_RELEASE takes their base only. */
struct region {
  struct region *next;
  char *base;
  size_t size;
};
static struct region *regions;
static pthread_mutex_t regions_lock = PTHREAD_MUTEX_INITIALIZER;

static int prot_of(DWORD protect, bool *ok) {
  *ok = true;
  switch (protect & 0xFFu) {
  case PAGE_NOACCESS:
    return PROT_NONE;
  case PAGE_READONLY:
    return PROT_READ;
  case PAGE_READWRITE:
    return PROT_READ | PROT_WRITE;
  case PAGE_EXECUTE:
    return PROT_EXEC;
  case PAGE_EXECUTE_READ:
    return PROT_READ | PROT_EXEC;
  case PAGE_EXECUTE_READWRITE:
    return PROT_READ | PROT_WRITE | PROT_EXEC;
  default:
    *ok = false;
    return 0;
  }
}

static size_t page_size(void) {
  long p = sysconf(_SC_PAGESIZE);
  return p > 0 ? (size_t)p : 4096;
}

/* The reservation holding [p, p + n), or NULL (regions_lock held). */
static struct region *region_of(const char *p, size_t n) {
  for (struct region *r = regions; r != NULL; r = r->next)
    if (p >= r->base && p + n <= r->base + r->size)
      return r;
  return NULL;
}

static LPVOID reserve(SIZE_T size, int prot) {
  size_t len = (size + GRANULARITY - 1) & ~(size_t)(GRANULARITY - 1);
  struct region *r = malloc(sizeof(*r));
  if (r == NULL)
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  /* Over-map, then trim to a 64 KiB-aligned base, as Windows aligns. */
  char *m =
      mmap(NULL, len + GRANULARITY, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) {
    free(r);
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  }
  char *base = (char *)(((uintptr_t)m + GRANULARITY - 1) &
                        ~(uintptr_t)(GRANULARITY - 1));
  if (base > m)
    munmap(m, (size_t)(base - m));
  size_t tail = (size_t)(m + len + GRANULARITY - (base + len));
  if (tail > 0)
    munmap(base + len, tail);
  r->base = base;
  r->size = len;
  pthread_mutex_lock(&regions_lock);
  r->next = regions;
  regions = r;
  pthread_mutex_unlock(&regions_lock);
  return base;
}

/* The pages addr and size touch, if a reservation holds them all. */
static bool pages_inside(LPVOID addr, SIZE_T size, char **start, size_t *len) {
  size_t page = page_size();
  *start = (char *)((uintptr_t)addr & ~(uintptr_t)(page - 1));
  *len = ((char *)addr + size - *start + page - 1) & ~(page - 1);
  pthread_mutex_lock(&regions_lock);
  bool inside = region_of(*start, *len) != NULL;
  pthread_mutex_unlock(&regions_lock);
  return inside;
}

/* MEM_RESET: pages of a reservation the program no longer needs the
 * contents of; they stay committed. */
static LPVOID reset(LPVOID addr, SIZE_T size, bool prot_ok) {
  if (addr == NULL || size == 0 || !prot_ok)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  char *start;
  size_t len;
  if (!pages_inside(addr, size, &start, &len))
    return w32_fail_null(ERROR_INVALID_ADDRESS);
#ifdef MADV_FREE
  if (madvise(start, len, MADV_FREE) == 0)
    return addr;
#endif
  return addr; /* (a hint: keeping the contents is allowed) */
}

CPORT_API LPVOID VirtualAlloc(LPVOID addr, SIZE_T size, DWORD type,
                              DWORD protect) {
  bool ok;
  int prot = prot_of(protect, &ok);
  if (type == MEM_RESET)
    return reset(addr, size, ok);
  if (size == 0 || !ok || (type & ~(MEM_COMMIT | MEM_RESERVE)) != 0 ||
      (type & (MEM_COMMIT | MEM_RESERVE)) == 0)
    return w32_fail_null(ERROR_INVALID_PARAMETER);
  if (addr == NULL)
    /* A new reservation; committed at once unless MEM_RESERVE alone. */
    return reserve(size, type == MEM_RESERVE ? PROT_NONE : prot);
  if (type & MEM_RESERVE)
    return w32_fail_null(ERROR_INVALID_ADDRESS); /* no placement */
  /* MEM_COMMIT inside a reservation: the pages become usable. */
  char *start;
  size_t len;
  if (!pages_inside(addr, size, &start, &len))
    return w32_fail_null(ERROR_INVALID_ADDRESS);
  if (mprotect(start, len, prot) != 0)
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  return start;
}

CPORT_API BOOL VirtualFree(LPVOID addr, SIZE_T size, DWORD type) {
  if (addr == NULL || (type != MEM_RELEASE && type != MEM_DECOMMIT))
    return w32_fail(ERROR_INVALID_PARAMETER);
  pthread_mutex_lock(&regions_lock);
  if (type == MEM_RELEASE) {
    /* The whole reservation, named by its base, size 0. */
    struct region **pp = &regions;
    while (*pp != NULL && (*pp)->base != addr)
      pp = &(*pp)->next;
    struct region *r = *pp;
    if (r == NULL || size != 0) {
      pthread_mutex_unlock(&regions_lock);
      return w32_fail(ERROR_INVALID_PARAMETER);
    }
    *pp = r->next;
    pthread_mutex_unlock(&regions_lock);
    munmap(r->base, r->size);
    free(r);
    return TRUE;
  }
  size_t page = page_size();
  char *start = (char *)((uintptr_t)addr & ~(uintptr_t)(page - 1));
  struct region *r = region_of(start, 1);
  size_t len = size == 0 && r != NULL && start == r->base
                   ? r->size
                   : (((char *)addr + size - start + page - 1) & ~(page - 1));
  bool inside = r != NULL && len > 0 && region_of(start, len) != NULL;
  pthread_mutex_unlock(&regions_lock);
  if (!inside)
    return w32_fail(ERROR_INVALID_ADDRESS);
  /* Decommitted: the contents go, the addresses stay reserved. */
  madvise(start, len, MADV_DONTNEED);
  mprotect(start, len, PROT_NONE);
  return TRUE;
}
