/*
 * mapping.c - file mappings: CreateFileMapping (A and W), MapViewOfFile
 * (and Ex), UnmapViewOfFile, FlushViewOfFile.
 *
 * A mapping is an object of the layer (W32_MAPPING) holding its own
 * descriptor: a duplicate of the file's, so the file handle may be closed
 * while the mapping lives, or for memory backed by the paging file
 * (INVALID_HANDLE_VALUE) a memfd, so that every view of the mapping sees
 * the same pages. A view is mmap of that descriptor: MAP_SHARED, or
 * MAP_PRIVATE for FILE_MAP_COPY and PAGE_WRITECOPY. mmap holds the file
 * itself, so a view keeps working after CloseHandle of its mapping, as
 * documented. Views are listed (base and length) for UnmapViewOfFile and
 * FlushViewOfFile. Offsets are multiples of the allocation granularity
 * GetSystemInfo reports (64 KiB, as on Windows).
 *
 * Names are refused (ERROR_NOT_SUPPORTED), as for the layer's other
 * objects: no other process could open them.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "win32.h"

#define GRANULARITY 65536u /* GetSystemInfo's dwAllocationGranularity */

struct w32_mapping {
  struct w32_object obj;
  pthread_mutex_t lock; /* fd against CloseHandle */
  int fd;               /* -1 once closed */
  uint64_t size;
  DWORD protect; /* PAGE_READONLY, PAGE_READWRITE or PAGE_WRITECOPY */
};

struct view {
  struct view *next;
  char *base;
  size_t len;
};

static pthread_mutex_t views_lock = PTHREAD_MUTEX_INITIALIZER;
static struct view *views;

static void mapping_closed(void *arg) {
  struct w32_mapping *m = arg;
  pthread_mutex_lock(&m->lock);
  if (m->fd >= 0)
    close(m->fd);
  m->fd = -1;
  pthread_mutex_unlock(&m->lock);
}

/* What the descriptor of a file handle allows, as Windows checks a
 * mapping's protection against the handle's access. */
static bool file_allows(int fd, DWORD protect) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0)
    return false;
  int acc = fl & O_ACCMODE;
  if (acc == O_WRONLY)
    return false; /* every mapping reads */
  return protect != PAGE_READWRITE || acc == O_RDWR;
}

static HANDLE create_mapping(HANDLE file, DWORD protect, DWORD size_high,
                             DWORD size_low, bool named) {
  DWORD kind = protect & 0xFFu;
  DWORD sec = protect & ~0xFFu;
  if (named)
    return w32_fail_null(ERROR_NOT_SUPPORTED);
  if (kind == PAGE_EXECUTE_READ || kind == PAGE_EXECUTE_READWRITE ||
      kind == PAGE_EXECUTE_WRITECOPY)
    return w32_fail_null(ERROR_NOT_SUPPORTED); /* see docs/porting.md */
  if ((kind != PAGE_READONLY && kind != PAGE_READWRITE &&
       kind != PAGE_WRITECOPY) ||
      (sec != 0 && sec != SEC_COMMIT))
    return w32_fail_null(sec != 0 && sec != SEC_COMMIT
                             ? ERROR_NOT_SUPPORTED
                             : ERROR_INVALID_PARAMETER);
  uint64_t size = (uint64_t)size_high << 32 | size_low;
  int fd;
  if (file == INVALID_HANDLE_VALUE) {
    /* Memory backed by the paging file: a size is needed. */
    if (size == 0)
      return w32_fail_null(ERROR_INVALID_PARAMETER);
    if (size > (uint64_t)INT64_MAX)
      return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
    fd = memfd_create("cport-mapping", MFD_CLOEXEC);
    if (fd < 0)
      return w32_fail_null(w32_error(-errno));
    if (ftruncate(fd, (off_t)size) != 0) {
      close(fd);
      return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
    }
  } else {
    int src = w32_fd(file);
    struct stat st;
    if (src < 0 || fstat(src, &st) != 0 || !S_ISREG(st.st_mode))
      return w32_fail_null(ERROR_INVALID_HANDLE);
    if (!file_allows(src, kind))
      return w32_fail_null(ERROR_ACCESS_DENIED);
    uint64_t have = (uint64_t)st.st_size;
    if (size == 0 && have == 0)
      return w32_fail_null(ERROR_FILE_INVALID); /* as documented */
    if (size > (uint64_t)INT64_MAX)
      return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
    if (size > have && kind != PAGE_READWRITE)
      return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY); /* cannot grow it */
    if (size > have && ftruncate(src, (off_t)size) != 0)
      return w32_fail_null(errno == EFBIG || errno == ENOSPC
                               ? ERROR_DISK_FULL
                               : w32_error(-errno));
    if (size == 0)
      size = have;
    fd = fcntl(src, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
      return w32_fail_null(w32_error(-errno));
  }
  struct w32_mapping *m = w32_object_new(W32_MAPPING, sizeof(*m));
  if (m == NULL) {
    close(fd);
    return NULL;
  }
  pthread_mutex_init(&m->lock, NULL);
  m->fd = fd;
  m->size = size;
  m->protect = kind;
  m->obj.closed = mapping_closed;
  m->obj.closed_arg = m;
  SetLastError(ERROR_SUCCESS);
  return (HANDLE)m;
}

CPORT_API HANDLE CreateFileMappingA(HANDLE file, LPSECURITY_ATTRIBUTES sa,
                                    DWORD protect, DWORD size_high,
                                    DWORD size_low, LPCSTR name) {
  (void)sa;
  return create_mapping(file, protect, size_high, size_low, name != NULL);
}

CPORT_API HANDLE CreateFileMappingW(HANDLE file, LPSECURITY_ATTRIBUTES sa,
                                    DWORD protect, DWORD size_high,
                                    DWORD size_low, LPCWSTR name) {
  (void)sa;
  return create_mapping(file, protect, size_high, size_low, name != NULL);
}

/* The mmap protection and sharing for a view with `access` of a mapping
 * with `protect`; false: not allowed (ERROR_ACCESS_DENIED). */
static bool view_mode(DWORD access, DWORD protect, int *prot, int *flags) {
  if (access == FILE_MAP_ALL_ACCESS)
    access = FILE_MAP_WRITE; /* "equivalent to FILE_MAP_WRITE" */
  access &= ~(DWORD)FILE_MAP_EXECUTE;
  if (access & FILE_MAP_COPY) {
    *prot = PROT_READ | PROT_WRITE;
    *flags = MAP_PRIVATE;
    return true;
  }
  if (access & FILE_MAP_WRITE) {
    *prot = PROT_READ | PROT_WRITE;
    *flags = MAP_SHARED;
    return protect == PAGE_READWRITE;
  }
  *prot = PROT_READ;
  /* A PAGE_WRITECOPY mapping's views never write the file. */
  *flags = protect == PAGE_WRITECOPY ? MAP_PRIVATE : MAP_SHARED;
  return (access & FILE_MAP_READ) != 0;
}

/* A free place for len bytes at a multiple of 64 KiB, reserved (PROT_NONE)
 * so that the view's MAP_FIXED takes it: views start on the allocation
 * granularity, as on Windows. NULL if there is no room. */
static void *aligned_place(size_t len) {
  size_t span = len + GRANULARITY;
  char *p = mmap(NULL, span, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return NULL;
  uintptr_t g = GRANULARITY;
  char *a = (char *)(((uintptr_t)p + g - 1) & ~(g - 1));
  long page = sysconf(_SC_PAGESIZE);
  uintptr_t ps = page > 0 ? (uintptr_t)page : 4096u;
  char *a_end = a + ((len + ps - 1) & ~(ps - 1));
  if (a > p)
    munmap(p, (size_t)(a - p));
  if (p + span > a_end)
    munmap(a_end, (size_t)(p + span - a_end));
  return a;
}

CPORT_API LPVOID MapViewOfFileEx(HANDLE h, DWORD access, DWORD off_high,
                                 DWORD off_low, SIZE_T bytes, LPVOID base) {
  struct w32_mapping *m = (struct w32_mapping *)w32_object_get(h, W32_MAPPING);
  if (m == NULL)
    return w32_fail_null(ERROR_INVALID_HANDLE);
  if (access & FILE_MAP_EXECUTE)
    return w32_fail_null(ERROR_NOT_SUPPORTED);
  uint64_t off = (uint64_t)off_high << 32 | off_low;
  if (off % GRANULARITY != 0)
    return w32_fail_null(ERROR_MAPPED_ALIGNMENT);
  if (base != NULL && (uintptr_t)base % GRANULARITY != 0)
    return w32_fail_null(ERROR_INVALID_ADDRESS);
  int prot, flags;
  pthread_mutex_lock(&m->lock);
  uint64_t size = m->size;
  bool ok = m->fd >= 0 && view_mode(access, m->protect, &prot, &flags);
  if (!ok || off > size || (bytes != 0 && bytes > size - off)) {
    pthread_mutex_unlock(&m->lock);
    return w32_fail_null(m->fd < 0 ? ERROR_INVALID_HANDLE
                                   : ERROR_ACCESS_DENIED);
  }
  size_t len = bytes != 0 ? (size_t)bytes : (size_t)(size - off);
  if (len == 0) { /* an offset at the end of the mapping */
    pthread_mutex_unlock(&m->lock);
    return w32_fail_null(ERROR_ACCESS_DENIED);
  }
  struct view *v = malloc(sizeof(*v));
  void *p = MAP_FAILED;
  void *at = base;
  if (v != NULL && base == NULL && (at = aligned_place(len)) == NULL)
    errno = ENOMEM;
  else if (v != NULL)
    p = mmap(at, len, prot,
             flags | (base != NULL ? MAP_FIXED_NOREPLACE : MAP_FIXED), m->fd,
             (off_t)off);
  int err = errno;
  if (p == MAP_FAILED && base == NULL && at != NULL)
    munmap(at, len); /* the place reserved for it */
  pthread_mutex_unlock(&m->lock);
  if (p == MAP_FAILED) {
    free(v);
    return w32_fail_null(v == NULL || err == ENOMEM ? ERROR_NOT_ENOUGH_MEMORY
                         : base != NULL             ? ERROR_INVALID_ADDRESS
                                                    : w32_error(-err));
  }
  if (base != NULL && p != base) { /* a kernel without MAP_FIXED_NOREPLACE */
    munmap(p, len);
    free(v);
    return w32_fail_null(ERROR_INVALID_ADDRESS);
  }
  v->base = p;
  v->len = len;
  pthread_mutex_lock(&views_lock);
  v->next = views;
  views = v;
  pthread_mutex_unlock(&views_lock);
  SetLastError(ERROR_SUCCESS);
  return p;
}

CPORT_API LPVOID MapViewOfFile(HANDLE h, DWORD access, DWORD off_high,
                               DWORD off_low, SIZE_T bytes) {
  return MapViewOfFileEx(h, access, off_high, off_low, bytes, NULL);
}

/* The view holding addr (views_lock held), or NULL; *pp: its link. */
static struct view *view_at_locked(const void *addr, struct view ***pp) {
  const char *a = addr;
  for (struct view **p = &views; *p != NULL; p = &(*p)->next) {
    struct view *v = *p;
    if (a >= v->base && a < v->base + v->len) {
      if (pp != NULL)
        *pp = p;
      return v;
    }
  }
  return NULL;
}

CPORT_API BOOL UnmapViewOfFile(LPCVOID addr) {
  struct view **pp = NULL;
  pthread_mutex_lock(&views_lock);
  struct view *v = addr != NULL ? view_at_locked(addr, &pp) : NULL;
  if (v != NULL)
    *pp = v->next;
  pthread_mutex_unlock(&views_lock);
  if (v == NULL)
    return w32_fail(ERROR_INVALID_ADDRESS);
  munmap(v->base, v->len);
  free(v);
  return TRUE;
}

CPORT_API BOOL FlushViewOfFile(LPCVOID addr, SIZE_T bytes) {
  pthread_mutex_lock(&views_lock);
  struct view *v = addr != NULL ? view_at_locked(addr, NULL) : NULL;
  char *from = NULL;
  size_t len = 0;
  if (v != NULL) {
    /* From the page holding addr; 0 bytes: to the end of the view. */
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t ps = page > 0 ? (uintptr_t)page : 4096u;
    from = (char *)((uintptr_t)addr & ~(ps - 1));
    if (from < v->base)
      from = v->base;
    char *end = v->base + v->len;
    char *want = bytes == 0 || bytes > (size_t)(end - (const char *)addr)
                     ? end
                     : (char *)addr + bytes;
    len = (size_t)(want - from);
  }
  pthread_mutex_unlock(&views_lock);
  if (v == NULL)
    return w32_fail(ERROR_INVALID_ADDRESS);
  w32_block_begin();
  int rc = msync(from, len, MS_SYNC);
  w32_block_end();
  return rc == 0 ? TRUE : w32_fail(w32_error(-errno));
}
