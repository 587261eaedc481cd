/*
 * fileinfo.c - a file's information by handle, the newer calls
 * (GetFileInformationByHandleEx, SetFileInformationByHandle), and the
 * calls on a file's name and volume beside them: SetFileAttributes,
 * GetFinalPathNameByHandle, GetDiskFreeSpaceEx; SetFileTime and
 * SetFileValidData. A and W forms.
 *
 * The attributes and times are filesystem.c's (w32_info_at), so every
 * call reports a file alike. A handle's name is /proc/self/fd's link: the
 * file's current absolute path, whatever it was opened as.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <wchar.h>

#include "win32.h"

/* ------------------------------------------------------------------------ */
/* Names                                                                     */
/* ------------------------------------------------------------------------ */

/* The descriptor's current path into out (PATH_MAX bytes): 0, or the
 * Win32 error (a file whose name was deleted: ERROR_FILE_NOT_FOUND). */
static DWORD fd_path(int fd, char *out) {
  char link[32];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, out, PATH_MAX - 1);
  if (n < 0)
    return errno == ENOENT ? ERROR_INVALID_HANDLE : w32_error(-errno);
  out[n] = 0;
  if (out[0] != '/')
    return ERROR_INVALID_HANDLE; /* a socket or pipe: no path */
  static const char deleted[] = " (deleted)";
  size_t len = (size_t)n, dl = sizeof(deleted) - 1;
  if (len > dl && strcmp(out + len - dl, deleted) == 0) {
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_nlink == 0)
      return ERROR_FILE_NOT_FOUND;
  }
  return 0;
}

/* The handle's descriptor, or -1 with ERROR_INVALID_HANDLE set. */
static int file_fd(HANDLE h) {
  int fd = w32_fd(h);
  if (fd < 0)
    w32_fail(ERROR_INVALID_HANDLE);
  return fd;
}

static bool fd_info(int fd, struct w32_fs_info *fi) {
  int err = w32_info_at(fd, "", fi);
  if (err != 0)
    return w32_fail(err == EBADF ? ERROR_INVALID_HANDLE : w32_error(-err));
  return true;
}

/* A count of WCHARs in UTF-8, malloc'd (NULL: the last error is set). */
static char *utf8_of_counted(const WCHAR *s, size_t count) {
  WCHAR *z = malloc((count + 1) * sizeof(WCHAR));
  if (z == NULL)
    return w32_fail_null(ERROR_NOT_ENOUGH_MEMORY);
  memcpy(z, s, count * sizeof(WCHAR));
  z[count] = 0;
  char *u = w32_utf8(z);
  free(z);
  return u;
}

/* ------------------------------------------------------------------------ */
/* GetFileInformationByHandleEx                                              */
/* ------------------------------------------------------------------------ */

static LONGLONG ft_value(FILETIME ft) {
  return (LONGLONG)((uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime);
}

static LARGE_INTEGER large(uint64_t v) {
  LARGE_INTEGER l;
  l.QuadPart = (LONGLONG)v;
  return l;
}

/* FileNameInfo: the path without a volume, Linux's whole path here. */
static BOOL name_info(int fd, FILE_NAME_INFO *out, DWORD size) {
  char path[PATH_MAX];
  DWORD e = fd_path(fd, path);
  if (e != 0)
    return w32_fail(e);
  int wlen = MultiByteToWideChar(CP_UTF8, 0, path, -1, NULL, 0);
  WCHAR *w = wlen > 0 ? malloc((size_t)wlen * sizeof(WCHAR)) : NULL;
  if (w == NULL)
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  MultiByteToWideChar(CP_UTF8, 0, path, -1, w, wlen);
  size_t len = (size_t)wlen - 1;
  size_t room = (size - offsetof(FILE_NAME_INFO, FileName)) / sizeof(WCHAR);
  out->FileNameLength = (DWORD)(len * sizeof(WCHAR));
  memcpy(out->FileName, w, (len < room ? len : room) * sizeof(WCHAR));
  free(w);
  return len <= room ? TRUE : w32_fail(ERROR_MORE_DATA);
}

/* Sectors as an unbuffered Windows program aligns to: 512-byte logical
 * ones, the file system's block as the physical one; any buffer, since
 * the layer's unbuffered I/O goes through the page cache. */
static BOOL storage_info(int fd, FILE_INFO_BY_HANDLE_CLASS cls, void *info) {
  struct stat st;
  if (fstat(fd, &st) != 0)
    return w32_fail(w32_error(-errno));
  if (cls == FileAlignmentInfo) {
    ((FILE_ALIGNMENT_INFO *)info)->AlignmentRequirement = FILE_BYTE_ALIGNMENT;
    return TRUE;
  }
  ULONG phys = st.st_blksize >= 512 && st.st_blksize <= 65536
                   ? (ULONG)st.st_blksize
                   : 4096;
  FILE_STORAGE_INFO *si = info;
  si->LogicalBytesPerSector = 512;
  si->PhysicalBytesPerSectorForAtomicity = phys;
  si->PhysicalBytesPerSectorForPerformance = phys;
  si->FileSystemEffectivePhysicalBytesPerSectorForAtomicity = phys;
  si->Flags = STORAGE_INFO_FLAGS_ALIGNED_DEVICE |
              STORAGE_INFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE;
  si->ByteOffsetForSectorAlignment = 0;
  si->ByteOffsetForPartitionAlignment = 0;
  return TRUE;
}

static DWORD get_size(FILE_INFO_BY_HANDLE_CLASS cls) {
  switch (cls) {
  case FileBasicInfo:
    return sizeof(FILE_BASIC_INFO);
  case FileStandardInfo:
    return sizeof(FILE_STANDARD_INFO);
  case FileNameInfo:
    return (DWORD)offsetof(FILE_NAME_INFO, FileName);
  case FileAttributeTagInfo:
    return sizeof(FILE_ATTRIBUTE_TAG_INFO);
  case FileIdInfo:
    return sizeof(FILE_ID_INFO);
  case FileStorageInfo:
    return sizeof(FILE_STORAGE_INFO);
  case FileAlignmentInfo:
    return sizeof(FILE_ALIGNMENT_INFO);
  default:
    return 0; /* not one the layer answers */
  }
}

CPORT_API BOOL GetFileInformationByHandleEx(HANDLE h,
                                            FILE_INFO_BY_HANDLE_CLASS cls,
                                            LPVOID info, DWORD size) {
  DWORD need = get_size(cls);
  if (need == 0 || info == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  int fd = file_fd(h);
  if (fd < 0)
    return FALSE;
  if (size < need)
    return w32_fail(ERROR_BAD_LENGTH);
  if (cls == FileNameInfo)
    return name_info(fd, info, size);
  if (cls == FileStorageInfo || cls == FileAlignmentInfo)
    return storage_info(fd, cls, info);
  struct w32_fs_info fi;
  if (!fd_info(fd, &fi))
    return FALSE;
  switch (cls) {
  case FileBasicInfo: {
    FILE_BASIC_INFO *b = info;
    b->CreationTime.QuadPart = ft_value(fi.created);
    b->LastAccessTime.QuadPart = ft_value(fi.accessed);
    b->LastWriteTime.QuadPart = ft_value(fi.written);
    b->ChangeTime.QuadPart = ft_value(fi.changed);
    b->FileAttributes = fi.attrs;
    break;
  }
  case FileStandardInfo: {
    FILE_STANDARD_INFO *s = info;
    s->AllocationSize = large(fi.allocated);
    s->EndOfFile = large(fi.size);
    s->NumberOfLinks = fi.links;
    s->DeletePending = (w32_fd_flags(fd) & W32_FD_DELETE) != 0;
    s->Directory = (fi.attrs & FILE_ATTRIBUTE_DIRECTORY) != 0;
    break;
  }
  case FileAttributeTagInfo: {
    FILE_ATTRIBUTE_TAG_INFO *t = info;
    t->FileAttributes = fi.attrs;
    t->ReparseTag = 0;
    break;
  }
  default: { /* FileIdInfo */
    FILE_ID_INFO *id = info;
    id->VolumeSerialNumber = (DWORD)(fi.dev ^ fi.dev >> 32); /* as GFIBH */
    memset(&id->FileId, 0, sizeof(id->FileId));
    memcpy(id->FileId.Identifier, &fi.ino, sizeof(fi.ino));
    break;
  }
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* SetFileInformationByHandle                                                */
/* ------------------------------------------------------------------------ */

/* The owner's write permission as FILE_ATTRIBUTE_READONLY asks: taken
 * away (from everyone) or given back (to the owner). */
static int readonly_mode(mode_t mode, DWORD attrs) {
  if (attrs & FILE_ATTRIBUTE_READONLY)
    return (int)(mode & ~(mode_t)(S_IWUSR | S_IWGRP | S_IWOTH) & 07777);
  return (int)((mode | S_IWUSR) & 07777);
}

/* A FILETIME the program gives as a LARGE_INTEGER into a timespec. */
static struct timespec timespec_of(LONGLONG t) {
  const LONGLONG secs_1601_to_1970 = 11644473600LL;
  struct timespec ts;
  ts.tv_sec = (time_t)(t / 10000000 - secs_1601_to_1970);
  ts.tv_nsec = (long)(t % 10000000 * 100);
  return ts;
}

static BOOL set_basic(int fd, const FILE_BASIC_INFO *b) {
  struct w32_fs_info fi;
  if (!fd_info(fd, &fi))
    return FALSE;
  /* Linux sets no birth or change time: only the ones the file has pass;
   * -1 and -2 (stop and resume updating a time) cannot be done either. */
  LONGLONG c = b->CreationTime.QuadPart, ch = b->ChangeTime.QuadPart;
  if ((c != 0 && c != ft_value(fi.created)) ||
      (ch != 0 && ch != ft_value(fi.changed)) ||
      b->LastAccessTime.QuadPart < 0 || b->LastWriteTime.QuadPart < 0)
    return w32_fail(ERROR_NOT_SUPPORTED);
  if (b->LastAccessTime.QuadPart != 0 || b->LastWriteTime.QuadPart != 0) {
    struct timespec ts[2];
    ts[0].tv_sec = ts[1].tv_sec = 0;
    ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
    if (b->LastAccessTime.QuadPart != 0)
      ts[0] = timespec_of(b->LastAccessTime.QuadPart);
    if (b->LastWriteTime.QuadPart != 0)
      ts[1] = timespec_of(b->LastWriteTime.QuadPart);
    if (futimens(fd, ts) != 0)
      return w32_fail(w32_error(-errno));
  }
  if (b->FileAttributes != 0 && !(fi.attrs & FILE_ATTRIBUTE_DIRECTORY)) {
    struct stat st;
    if (fstat(fd, &st) != 0 ||
        fchmod(fd, (mode_t)readonly_mode(st.st_mode, b->FileAttributes)) != 0)
      return w32_fail(w32_error(-errno));
  }
  return TRUE;
}

static BOOL set_allocation(int fd, LONGLONG size) {
  struct stat st;
  if (size < 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (fstat(fd, &st) != 0)
    return w32_fail(w32_error(-errno));
  if (size < st.st_size) /* the end of the file follows the allocation */
    return ftruncate(fd, (off_t)size) == 0 ? TRUE : w32_fail(w32_error(-errno));
  if (size > st.st_size &&
      fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)size) != 0 &&
      errno != EOPNOTSUPP)
    return w32_fail(w32_error(-errno)); /* EOPNOTSUPP: nothing reserved */
  return TRUE;
}

static BOOL set_rename(int fd, const FILE_RENAME_INFO *r, DWORD size) {
  size_t head = offsetof(FILE_RENAME_INFO, FileName);
  if (r->RootDirectory != NULL)
    return w32_fail(ERROR_NOT_SUPPORTED);
  if (r->FileNameLength == 0 || r->FileNameLength % sizeof(WCHAR) != 0 ||
      r->FileNameLength > size - head)
    return w32_fail(ERROR_INVALID_PARAMETER);
  char *to = utf8_of_counted(r->FileName, r->FileNameLength / sizeof(WCHAR));
  if (to == NULL)
    return FALSE;
  char *target = w32_unix_path(to);
  free(to);
  if (target == NULL)
    return FALSE;
  char from[PATH_MAX];
  DWORD e = fd_path(fd, from);
  if (e == 0 && strchr(target, '/') == NULL) {
    /* A plain name: within the file's directory. */
    char *slash = strrchr(from, '/');
    char *full = malloc((size_t)(slash - from) + strlen(target) + 2);
    if (full == NULL) {
      e = ERROR_NOT_ENOUGH_MEMORY;
    } else {
      sprintf(full, "%.*s/%s", (int)(slash - from), from, target);
      free(target);
      target = full;
    }
  }
  if (e == 0) {
    unsigned flags = r->ReplaceIfExists ? 0 : RENAME_NOREPLACE;
    if (renameat2(AT_FDCWD, from, AT_FDCWD, target, flags) != 0)
      e = errno == EEXIST  ? ERROR_ALREADY_EXISTS
          : errno == EXDEV ? ERROR_NOT_SAME_DEVICE
                           : w32_path_error(target, errno);
  }
  free(target);
  return e == 0 ? TRUE : w32_fail(e);
}

static DWORD set_size(FILE_INFO_BY_HANDLE_CLASS cls) {
  switch (cls) {
  case FileBasicInfo:
    return sizeof(FILE_BASIC_INFO);
  case FileRenameInfo:
    return (DWORD)offsetof(FILE_RENAME_INFO, FileName);
  case FileDispositionInfo:
    return sizeof(FILE_DISPOSITION_INFO);
  case FileAllocationInfo:
    return sizeof(FILE_ALLOCATION_INFO);
  case FileEndOfFileInfo:
    return sizeof(FILE_END_OF_FILE_INFO);
  default:
    return 0;
  }
}

CPORT_API BOOL SetFileInformationByHandle(HANDLE h,
                                          FILE_INFO_BY_HANDLE_CLASS cls,
                                          LPVOID info, DWORD size) {
  DWORD need = set_size(cls);
  if (need == 0 || info == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  int fd = file_fd(h);
  if (fd < 0)
    return FALSE;
  if (size < need)
    return w32_fail(ERROR_BAD_LENGTH);
  switch (cls) {
  case FileBasicInfo:
    return set_basic(fd, info);
  case FileRenameInfo:
    return set_rename(fd, info, size);
  case FileDispositionInfo: {
    char path[PATH_MAX];
    DWORD e = fd_path(fd, path); /* a file with a name to delete */
    if (e != 0)
      return w32_fail(e);
    bool del = ((const FILE_DISPOSITION_INFO *)info)->DeleteFile != 0;
    w32_fd_set_flags(fd, del ? W32_FD_DELETE : 0, del ? 0 : W32_FD_DELETE);
    return TRUE;
  }
  case FileAllocationInfo:
    return set_allocation(
        fd, ((const FILE_ALLOCATION_INFO *)info)->AllocationSize.QuadPart);
  default: { /* FileEndOfFileInfo */
    LONGLONG end = ((const FILE_END_OF_FILE_INFO *)info)->EndOfFile.QuadPart;
    if (end < 0)
      return w32_fail(ERROR_INVALID_PARAMETER);
    return ftruncate(fd, (off_t)end) == 0 ? TRUE : w32_fail(w32_error(-errno));
  }
  }
}

/* ------------------------------------------------------------------------ */
/* SetFileTime, SetFileValidData                                             */
/* ------------------------------------------------------------------------ */

/* A SetFileTime argument as FILE_BASIC_INFO takes it: NULL is 0 (left
 * alone), as is a FILETIME of 0; false for a value past INT64_MAX other
 * than -1 and -2 (which set_basic refuses: Linux cannot stop a handle's
 * updates). */
static bool basic_time(const FILETIME *ft, LARGE_INTEGER *out) {
  out->QuadPart = ft != NULL ? ft_value(*ft) : 0;
  return out->QuadPart >= -2;
}

CPORT_API BOOL SetFileTime(HANDLE h, const FILETIME *creation,
                           const FILETIME *access, const FILETIME *write) {
  int fd = file_fd(h);
  if (fd < 0)
    return FALSE;
  FILE_BASIC_INFO b;
  memset(&b, 0, sizeof(b));
  if (!basic_time(creation, &b.CreationTime) ||
      !basic_time(access, &b.LastAccessTime) ||
      !basic_time(write, &b.LastWriteTime))
    return w32_fail(ERROR_INVALID_PARAMETER);
  return set_basic(fd, &b);
}

/* Linux keeps no valid data length apart from the size: a range never
 * written reads as zeros, never as what the disk held before, so every
 * length from 1 to the size is valid already. The call checks what
 * Windows checks and reserves the blocks, as the call's users want. */
CPORT_API BOOL SetFileValidData(HANDLE h, LONGLONG length) {
  int fd = file_fd(h);
  if (fd < 0)
    return FALSE;
  struct stat st;
  if (fstat(fd, &st) != 0)
    return w32_fail(ERROR_INVALID_HANDLE);
  if (!S_ISREG(st.st_mode))
    return w32_fail(ERROR_INVALID_PARAMETER);
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
    return w32_fail(ERROR_ACCESS_DENIED);
  if (length <= 0 || length > (LONGLONG)st.st_size)
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)length) != 0 &&
      errno != EOPNOTSUPP)
    return w32_fail(w32_error(-errno));
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Paths                                                                     */
/* ------------------------------------------------------------------------ */

CPORT_API BOOL SetFileAttributesA(LPCSTR path, DWORD attrs) {
  char *p = w32_unix_path(path);
  if (p == NULL)
    return FALSE;
  struct stat st;
  DWORD e = 0;
  if (stat(p, &st) != 0)
    e = w32_path_error(p, errno);
  else if (!S_ISDIR(st.st_mode) &&
           chmod(p, (mode_t)readonly_mode(st.st_mode, attrs)) != 0)
    e = w32_path_error(p, errno);
  free(p);
  return e == 0 ? TRUE : w32_fail(e);
}

CPORT_API BOOL SetFileAttributesW(LPCWSTR path, DWORD attrs) {
  char *p = w32_utf8(path);
  if (p == NULL)
    return FALSE;
  BOOL ok = SetFileAttributesA(p, attrs);
  free(p);
  return ok;
}

/* The path GetFinalPathNameByHandle gives, UTF-8, into out (PATH_MAX). */
static bool final_path(HANDLE h, DWORD flags, char *out) {
  DWORD volume = flags & (VOLUME_NAME_GUID | VOLUME_NAME_NT | VOLUME_NAME_NONE);
  if ((flags & ~(VOLUME_NAME_GUID | VOLUME_NAME_NT | VOLUME_NAME_NONE |
                 FILE_NAME_OPENED)) != 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  int fd = file_fd(h);
  if (fd < 0)
    return false;
  if (volume != VOLUME_NAME_DOS && volume != VOLUME_NAME_NONE)
    return w32_fail(ERROR_NOT_SUPPORTED); /* no volume devices here */
  DWORD e = fd_path(fd, out);
  return e == 0 ? true : w32_fail(e);
}

CPORT_API DWORD GetFinalPathNameByHandleA(HANDLE h, LPSTR buf, DWORD size,
                                          DWORD flags) {
  char path[PATH_MAX];
  return final_path(h, flags, path) ? w32_copy_out_a(path, buf, size) : 0;
}

CPORT_API DWORD GetFinalPathNameByHandleW(HANDLE h, LPWSTR buf, DWORD size,
                                          DWORD flags) {
  char path[PATH_MAX];
  return final_path(h, flags, path) ? w32_copy_out_w(path, buf, size) : 0;
}

/* statvfs of a directory (NULL: the current one) and its block's size;
 * false with the last error set. */
static bool volume_of(const char *dir, struct statvfs *v, uint64_t *unit) {
  char *p = w32_unix_path(dir != NULL ? dir : ".");
  if (p == NULL)
    return false;
  DWORD e = statvfs(p, v) == 0 ? 0 : w32_path_error(p, errno);
  free(p);
  if (e != 0)
    return w32_fail(e);
  *unit = v->f_frsize != 0 ? v->f_frsize : v->f_bsize;
  return true;
}

CPORT_API BOOL GetDiskFreeSpaceExA(LPCSTR dir, PULARGE_INTEGER free_to_caller,
                                   PULARGE_INTEGER total,
                                   PULARGE_INTEGER total_free) {
  struct statvfs v;
  uint64_t unit = 0;
  if (!volume_of(dir, &v, &unit))
    return FALSE;
  if (free_to_caller != NULL)
    free_to_caller->QuadPart = (uint64_t)v.f_bavail * unit;
  if (total != NULL)
    total->QuadPart = (uint64_t)v.f_blocks * unit;
  if (total_free != NULL)
    total_free->QuadPart = (uint64_t)v.f_bfree * unit;
  return TRUE;
}

CPORT_API BOOL GetDiskFreeSpaceExW(LPCWSTR dir, PULARGE_INTEGER free_to_caller,
                                   PULARGE_INTEGER total,
                                   PULARGE_INTEGER total_free) {
  char *p = NULL;
  if (dir != NULL && (p = w32_utf8(dir)) == NULL)
    return FALSE;
  BOOL ok = GetDiskFreeSpaceExA(p, free_to_caller, total, total_free);
  free(p);
  return ok;
}

static DWORD capped(uint64_t v) {
  return v > 0xFFFFFFFFu ? 0xFFFFFFFFu : (DWORD)v;
}

CPORT_API BOOL GetDiskFreeSpaceA(LPCSTR root, LPDWORD sectors_per_cluster,
                                 LPDWORD bytes_per_sector,
                                 LPDWORD free_clusters,
                                 LPDWORD total_clusters) {
  struct statvfs v;
  uint64_t block = 0, unit;
  if (!volume_of(root, &v, &block))
    return FALSE;
  unit = block < 512 ? 512 : block;
  if (sectors_per_cluster != NULL)
    *sectors_per_cluster = (DWORD)(unit / 512);
  if (bytes_per_sector != NULL)
    *bytes_per_sector = 512;
  if (free_clusters != NULL)
    *free_clusters = capped((uint64_t)v.f_bavail * block / unit);
  if (total_clusters != NULL)
    *total_clusters = capped((uint64_t)v.f_blocks * block / unit);
  return TRUE;
}

CPORT_API BOOL GetDiskFreeSpaceW(LPCWSTR root, LPDWORD sectors_per_cluster,
                                 LPDWORD bytes_per_sector,
                                 LPDWORD free_clusters,
                                 LPDWORD total_clusters) {
  char *p = NULL;
  if (root != NULL && (p = w32_utf8(root)) == NULL)
    return FALSE;
  BOOL ok = GetDiskFreeSpaceA(p, sectors_per_cluster, bytes_per_sector,
                              free_clusters, total_clusters);
  free(p);
  return ok;
}

CPORT_API BOOL SetFileIoOverlappedRange(HANDLE h, PUCHAR start, ULONG length) {
  if (file_fd(h) < 0)
    return FALSE;
  if (start == NULL || length == 0)
    return w32_fail(ERROR_INVALID_PARAMETER);
  return TRUE; /* a hint Linux has no use for */
}
