/**
 * @file cport_win32/safecrt.h
 * @brief Part of cport_win32.h: strsafe.h and the secure C runtime (the *_s calls, conio.h).
 *
 * Include <cport_win32.h>, never this file: it is read inside that
 * header's Linux branch, after the parts before it.
 */
/**
 * @fn int cport_w32_snprintf(char *buf, size_t count, const char *fmt, ...)
 * msvcrt's _snprintf(); `_snprintf` is defined to this name. The format
 * in Microsoft's spelling, as cport_w32_sprintf_s() reads it.
 * @param[out] buf the destination (NULL with `count` 0: count only)
 * @param count characters to write at most
 * @param fmt the format
 * @return The string's length, stored with a NUL when it is shorter than
 *         `count`, without one when it is `count` long; -1 when it was
 *         cut to `count` characters (no NUL), or with errno EINVAL for a
 *         NULL `fmt`, or a NULL `buf` with `count` above 0.
 */
/**
 * @fn int cport_w32_vsnprintf(char *buf, size_t count, const char *fmt, va_list ap)
 * msvcrt's _vsnprintf(), cport_w32_snprintf() with a va_list;
 * `_vsnprintf` is defined to this name.
 * @param[out] buf the destination
 * @param count characters to write at most
 * @param fmt the format
 * @param ap the arguments
 * @return As cport_w32_snprintf().
 */
/**
 * @fn int cport_w32_scprintf(const char *fmt, ...)
 * msvcrt's _scprintf(); `_scprintf` is defined to this name.
 * @param fmt the format, in Microsoft's spelling
 * @return The characters the format makes (without the NUL); -1 with
 *         errno EINVAL for a NULL `fmt`.
 */
/**
 * @fn int cport_w32_vscprintf(const char *fmt, va_list ap)
 * msvcrt's _vscprintf(), cport_w32_scprintf() with a va_list;
 * `_vscprintf` is defined to this name.
 * @param fmt the format
 * @param ap the arguments
 * @return As cport_w32_scprintf().
 */
/**
 * @fn int cport_w32_snwprintf(wchar_t *buf, size_t count, const wchar_t *fmt, ...)
 * msvcrt's _snwprintf(); `_snwprintf` is defined to this name. As
 * cport_w32_snprintf(), in wide characters (the format as
 * cport_w32_swprintf_s() reads it).
 * @param[out] buf the destination (NULL with `count` 0: count only)
 * @param count characters to write at most
 * @param fmt the format
 * @return As cport_w32_snprintf().
 */
/**
 * @fn int cport_w32_vsnwprintf(wchar_t *buf, size_t count, const wchar_t *fmt, va_list ap)
 * msvcrt's _vsnwprintf(), cport_w32_snwprintf() with a va_list;
 * `_vsnwprintf` is defined to this name.
 * @param[out] buf the destination
 * @param count characters to write at most
 * @param fmt the format
 * @param ap the arguments
 * @return As cport_w32_snprintf().
 */
/**
 * @fn int cport_w32_scwprintf(const wchar_t *fmt, ...)
 * msvcrt's _scwprintf(); `_scwprintf` is defined to this name.
 * @param fmt the format, in Microsoft's wide spelling
 * @return As cport_w32_scprintf().
 */
/**
 * @fn int cport_w32_vscwprintf(const wchar_t *fmt, va_list ap)
 * msvcrt's _vscwprintf(), cport_w32_scwprintf() with a va_list;
 * `_vscwprintf` is defined to this name.
 * @param fmt the format
 * @param ap the arguments
 * @return As cport_w32_scprintf().
 */
/**
 * @fn int cport_w32_fileno(FILE *f)
 * The C runtime's _fileno(); `_fileno` is defined to this name.
 * @param f a stream
 * @return Its descriptor; -1 with errno EINVAL for a NULL `f`.
 */
/**
 * @fn int cport_w32_stat(const char *path, struct cport_w32_stat *st)
 * The C runtime's _stat() (and _stat64, _stati64): `_stat` names this
 * function and its struct. '\\' and '/' both separate the path's parts.
 * @param path the file or directory
 * @param st what it is: st_mode's type bits (_S_IFDIR, _S_IFREG...) and
 * _S_IREAD / _S_IWRITE / _S_IEXEC copied to the group and other bits as
 * Windows does, st_size, the three times in seconds
 * @return 0; -1 with errno ENOENT (no such file) or EINVAL (a NULL
 * argument).
 */
/**
 * @fn int cport_w32_wstat(const wchar_t *path, struct cport_w32_stat *st)
 * The C runtime's _wstat(): cport_w32_stat() with a wide path.
 * @param path the file or directory
 * @param st its status
 * @return As cport_w32_stat().
 */
/**
 * @fn int cport_w32_fstat(int fd, struct cport_w32_stat *st)
 * The C runtime's _fstat() (and _fstat64, _fstati64) of a descriptor.
 * @param fd a descriptor (_fileno of a stream)
 * @param st its status, as cport_w32_stat() fills it
 * @return 0; -1 with errno EBADF or EINVAL.
 */
#ifndef CPORT_WIN32_PART_SAFECRT_H
#define CPORT_WIN32_PART_SAFECRT_H

#ifndef CPORT_WIN32_H
#  error "include <cport_win32.h>, not its parts"
#endif

/* ------------------------------------------------------------------------ */
/* Safe strings: strsafe.h and the secure C runtime                          */
/* ------------------------------------------------------------------------ */

/* strsafe.h. StringCch* take sizes in characters, StringCb* in bytes (of
 * WCHAR for the W forms: 4 bytes on Linux). The result always ends with a
 * NUL: one cut to fit is STRSAFE_E_INSUFFICIENT_BUFFER, with as much as
 * fits. STRSAFE_E_INVALID_PARAMETER: a size of 0 or above STRSAFE_MAX_CCH
 * characters, or a count to copy above STRSAFE_MAX_CCH - 1; the first
 * character is then emptied unless the size is 0, as Windows' strsafe.h
 * does. The Cat forms also refuse a destination with no NUL within the
 * size, and leave it as it was. Source and destination must not be
 * NULL. */
#define STRSAFE_MAX_CCH 2147483647
#define STRSAFE_E_INSUFFICIENT_BUFFER ((HRESULT)0x8007007Au)
#define STRSAFE_E_INVALID_PARAMETER ((HRESULT)0x80070057u)
#define STRSAFE_E_END_OF_FILE ((HRESULT)0x80070026u)
CPORT_WIN32_API HRESULT StringCchCopyA(LPSTR d, size_t cch, LPCSTR s);
CPORT_WIN32_API HRESULT StringCchCopyW(LPWSTR d, size_t cch, LPCWSTR s);
CPORT_WIN32_API HRESULT StringCbCopyA(LPSTR d, size_t cb, LPCSTR s);
CPORT_WIN32_API HRESULT StringCbCopyW(LPWSTR d, size_t cb, LPCWSTR s);
/* At most n characters (bytes) of s, which needs no NUL within them. */
CPORT_WIN32_API HRESULT StringCchCopyNA(LPSTR d, size_t cch, LPCSTR s,
                                        size_t n);
CPORT_WIN32_API HRESULT StringCchCopyNW(LPWSTR d, size_t cch, LPCWSTR s,
                                        size_t n);
CPORT_WIN32_API HRESULT StringCbCopyNA(LPSTR d, size_t cb, LPCSTR s, size_t n);
CPORT_WIN32_API HRESULT StringCbCopyNW(LPWSTR d, size_t cb, LPCWSTR s,
                                       size_t n);
CPORT_WIN32_API HRESULT StringCchCatA(LPSTR d, size_t cch, LPCSTR s);
CPORT_WIN32_API HRESULT StringCchCatW(LPWSTR d, size_t cch, LPCWSTR s);
CPORT_WIN32_API HRESULT StringCbCatA(LPSTR d, size_t cb, LPCSTR s);
CPORT_WIN32_API HRESULT StringCbCatW(LPWSTR d, size_t cb, LPCWSTR s);
/* Formats in Microsoft's spelling (as Windows reads them): in a W form
 * %s is a WCHAR string and %S a char one, in an A form the other way
 * round; h forces char, l or w WCHAR; I64, I32 and I are integer sizes;
 * a bare %p prints every hex digit, upper case, no 0x. */
CPORT_WIN32_API HRESULT StringCchPrintfA(LPSTR d, size_t cch, LPCSTR fmt, ...)
    CPORT_W32_PRINTF(3, 4);
CPORT_WIN32_API HRESULT StringCchPrintfW(LPWSTR d, size_t cch, LPCWSTR fmt,
                                         ...);
CPORT_WIN32_API HRESULT StringCbPrintfA(LPSTR d, size_t cb, LPCSTR fmt, ...)
    CPORT_W32_PRINTF(3, 4);
CPORT_WIN32_API HRESULT StringCbPrintfW(LPWSTR d, size_t cb, LPCWSTR fmt, ...);
CPORT_WIN32_API HRESULT StringCchVPrintfA(LPSTR d, size_t cch, LPCSTR fmt,
                                          va_list ap) CPORT_W32_PRINTF(3, 0);
CPORT_WIN32_API HRESULT StringCchVPrintfW(LPWSTR d, size_t cch, LPCWSTR fmt,
                                          va_list ap);
CPORT_WIN32_API HRESULT StringCbVPrintfA(LPSTR d, size_t cb, LPCSTR fmt,
                                         va_list ap) CPORT_W32_PRINTF(3, 0);
CPORT_WIN32_API HRESULT StringCbVPrintfW(LPWSTR d, size_t cb, LPCWSTR fmt,
                                         va_list ap);
/* STRSAFE_E_INVALID_PARAMETER for a NULL string, a max of 0 or above
 * STRSAFE_MAX_CCH characters, or no NUL within max; *len (may be NULL)
 * is then 0. */
CPORT_WIN32_API HRESULT StringCchLengthA(LPCSTR s, size_t cch, size_t *len);
CPORT_WIN32_API HRESULT StringCchLengthW(LPCWSTR s, size_t cch, size_t *len);
CPORT_WIN32_API HRESULT StringCbLengthA(LPCSTR s, size_t cb, size_t *len);
CPORT_WIN32_API HRESULT StringCbLengthW(LPCWSTR s, size_t cb, size_t *len);
#define StringCchCopy CPORT_W32_AW(StringCchCopy)
#define StringCbCopy CPORT_W32_AW(StringCbCopy)
#define StringCchCopyN CPORT_W32_AW(StringCchCopyN)
#define StringCbCopyN CPORT_W32_AW(StringCbCopyN)
#define StringCchCat CPORT_W32_AW(StringCchCat)
#define StringCbCat CPORT_W32_AW(StringCbCat)
#define StringCchPrintf CPORT_W32_AW(StringCchPrintf)
#define StringCbPrintf CPORT_W32_AW(StringCbPrintf)
#define StringCchVPrintf CPORT_W32_AW(StringCchVPrintf)
#define StringCbVPrintf CPORT_W32_AW(StringCbVPrintf)
#define StringCchLength CPORT_W32_AW(StringCchLength)
#define StringCbLength CPORT_W32_AW(StringCbLength)

/* The secure C runtime's narrow string calls (string.h and stdio.h
 * there), as macros for cport_w32_* functions: glibc has no Annex K.
 * Results as Microsoft documents them: 0, STRUNCATE, EINVAL or ERANGE
 * (the printf forms: a count, or -1 and errno). Where MSVC calls its
 * invalid-parameter handler (a NULL pointer, a size of 0, a result that
 * does not fit without _TRUNCATE), whose default ends the program, these
 * return the error as they do when a handler returns: errno set, and
 * dst[0] = 0 where the documentation says so. More of the runtime
 * (memory, tokens, time, files, numbers, sscanf_s) follows below. */
typedef int errno_t;
#ifndef _TRUNCATE
#  define _TRUNCATE ((size_t)-1)
#endif
#ifndef STRUNCATE
#  define STRUNCATE 80
#endif
CPORT_WIN32_API errno_t cport_w32_strcpy_s(char *dst, size_t size,
                                           const char *src);
CPORT_WIN32_API errno_t cport_w32_strncpy_s(char *dst, size_t size,
                                            const char *src, size_t count);
CPORT_WIN32_API errno_t cport_w32_strcat_s(char *dst, size_t size,
                                           const char *src);
CPORT_WIN32_API size_t cport_w32_strnlen_s(const char *s, size_t max);
CPORT_WIN32_API int cport_w32_sprintf_s(char *buf, size_t size, const char *fmt,
                                        ...) CPORT_W32_PRINTF(3, 4);
CPORT_WIN32_API int cport_w32_vsprintf_s(char *buf, size_t size,
                                         const char *fmt, va_list ap)
    CPORT_W32_PRINTF(3, 0);
CPORT_WIN32_API int cport_w32_snprintf_s(char *buf, size_t size, size_t count,
                                         const char *fmt, ...)
    CPORT_W32_PRINTF(4, 5);
CPORT_WIN32_API int cport_w32_vsnprintf_s(char *buf, size_t size, size_t count,
                                          const char *fmt, va_list ap)
    CPORT_W32_PRINTF(4, 0);
/* The older forms in Microsoft's spelling (documented above): a NUL
 * only when it fits, -1 for a cut string. */
CPORT_WIN32_API int cport_w32_snprintf(char *buf, size_t count, const char *fmt,
                                       ...) CPORT_W32_PRINTF(3, 4);
CPORT_WIN32_API int cport_w32_vsnprintf(char *buf, size_t count,
                                        const char *fmt, va_list ap)
    CPORT_W32_PRINTF(3, 0);
CPORT_WIN32_API int cport_w32_scprintf(const char *fmt, ...)
    CPORT_W32_PRINTF(1, 2);
CPORT_WIN32_API int cport_w32_vscprintf(const char *fmt, va_list ap)
    CPORT_W32_PRINTF(1, 0);
CPORT_WIN32_API int cport_w32_snwprintf(wchar_t *buf, size_t count,
                                        const wchar_t *fmt, ...);
CPORT_WIN32_API int cport_w32_vsnwprintf(wchar_t *buf, size_t count,
                                         const wchar_t *fmt, va_list ap);
CPORT_WIN32_API int cport_w32_scwprintf(const wchar_t *fmt, ...);
CPORT_WIN32_API int cport_w32_vscwprintf(const wchar_t *fmt, va_list ap);
CPORT_WIN32_API int cport_w32_fileno(FILE *f);
#ifndef _fileno
#  define _fileno cport_w32_fileno
#endif
/* The C runtime's _stat family: one struct (times of 64 bits, a 64-bit
 * size, as _stat64 has them) under every spelling. Where glibc's
 * <sys/stat.h> names the seconds st_atime & co. as fields of timespecs
 * (POSIX 2008 and GNU modes) the struct has the timespecs; elsewhere
 * (strict C) plain fields at the same places, so that the library and
 * the program agree on its size whatever mode each is built in. */
struct cport_w32_stat {
  unsigned int st_dev;
  unsigned short st_ino;
  unsigned short st_mode;
  short st_nlink;
  short st_uid;
  short st_gid;
  unsigned int st_rdev;
  int64_t st_size;
#ifdef st_atime
  struct timespec st_atim, st_mtim, st_ctim;
#else
  time_t st_atime;
  long cport_st_ansec;
  time_t st_mtime;
  long cport_st_mnsec;
  time_t st_ctime;
  long cport_st_cnsec;
#endif
};
CPORT_WIN32_API int cport_w32_stat(const char *path, struct cport_w32_stat *st);
CPORT_WIN32_API int cport_w32_wstat(const wchar_t *path,
                                    struct cport_w32_stat *st);
CPORT_WIN32_API int cport_w32_fstat(int fd, struct cport_w32_stat *st);
/* (Each group is left out when the program defines its first name.) */
#ifndef _stat
#  define _stat cport_w32_stat
#  define _stat64 cport_w32_stat
#  define _stati64 cport_w32_stat
#  define _stat64i32 cport_w32_stat
#endif
#ifndef _wstat
#  define _wstat cport_w32_wstat
#  define _wstat64 cport_w32_wstat
#  define _wstati64 cport_w32_wstat
#endif
#ifndef _fstat
#  define _fstat cport_w32_fstat
#  define _fstat64 cport_w32_fstat
#  define _fstati64 cport_w32_fstat
#endif
#ifndef _S_IFMT
#  define _S_IFMT 0xF000
#  define _S_IFDIR 0x4000
#  define _S_IFCHR 0x2000
#  define _S_IFIFO 0x1000
#  define _S_IFREG 0x8000
#endif
#ifndef _S_IREAD
#  define _S_IREAD 0x0100
#  define _S_IWRITE 0x0080
#  define _S_IEXEC 0x0040
#endif
#ifndef _snprintf
#  define _snprintf cport_w32_snprintf
#endif
#ifndef _vsnprintf
#  define _vsnprintf cport_w32_vsnprintf
#endif
#ifndef _scprintf
#  define _scprintf cport_w32_scprintf
#endif
#ifndef _vscprintf
#  define _vscprintf cport_w32_vscprintf
#endif
#ifndef _snwprintf
#  define _snwprintf cport_w32_snwprintf
#endif
#ifndef _vsnwprintf
#  define _vsnwprintf cport_w32_vsnwprintf
#endif
#ifndef _scwprintf
#  define _scwprintf cport_w32_scwprintf
#endif
#ifndef _vscwprintf
#  define _vscwprintf cport_w32_vscwprintf
#endif
#ifndef strcpy_s
#  define strcpy_s cport_w32_strcpy_s
#endif
#ifndef strncpy_s
#  define strncpy_s cport_w32_strncpy_s
#endif
#ifndef strcat_s
#  define strcat_s cport_w32_strcat_s
#endif
#ifndef strnlen_s
#  define strnlen_s cport_w32_strnlen_s
#endif
#ifndef sprintf_s
#  define sprintf_s cport_w32_sprintf_s
#endif
#ifndef vsprintf_s
#  define vsprintf_s cport_w32_vsprintf_s
#endif
#ifndef _snprintf_s
#  define _snprintf_s cport_w32_snprintf_s
#endif
#ifndef _vsnprintf_s
#  define _vsnprintf_s cport_w32_vsnprintf_s
#endif
#if defined(__cplusplus) && __cplusplus >= 201103L
/* MSVC's "secure template overloads" for C++: on an array the size comes
 * from its type, so strcpy_s(buf, src) and sprintf_s(buf, fmt, ...) need
 * no size argument. */
extern "C++" {
template <size_t N>
inline errno_t cport_w32_strcpy_s(char (&dst)[N], const char *src) {
  return cport_w32_strcpy_s(dst, N, src);
}
template <size_t N>
inline errno_t cport_w32_strncpy_s(char (&dst)[N], const char *src,
                                   size_t count) {
  return cport_w32_strncpy_s(dst, N, src, count);
}
template <size_t N>
inline errno_t cport_w32_strcat_s(char (&dst)[N], const char *src) {
  return cport_w32_strcat_s(dst, N, src);
}
template <size_t N>
inline int cport_w32_vsprintf_s(char (&buf)[N], const char *fmt, va_list ap) {
  return cport_w32_vsprintf_s(buf, N, fmt, ap);
}
template <size_t N>
inline int cport_w32_sprintf_s(char (&buf)[N], const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = cport_w32_vsprintf_s(buf, N, fmt, ap);
  va_end(ap);
  return n;
}
template <size_t N>
inline int cport_w32_vsnprintf_s(char (&buf)[N], size_t count, const char *fmt,
                                 va_list ap) {
  return cport_w32_vsnprintf_s(buf, N, count, fmt, ap);
}
template <size_t N>
inline int cport_w32_snprintf_s(char (&buf)[N], size_t count, const char *fmt,
                                ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = cport_w32_vsnprintf_s(buf, N, count, fmt, ap);
  va_end(ap);
  return n;
}
}
#endif

/* The rest of the secure C runtime that Windows programs call beside
 * the string calls above (memory.h, string.h, stdio.h, stdlib.h, time.h
 * and wchar.h there), with the same error rules: the documented errno_t,
 * errno set, and the destination emptied where the documentation says
 * so. sscanf_s takes a size (an unsigned) after each %c, %s and %[
 * argument, as Microsoft's does; a token too long for its buffer ends
 * the scan there with buf[0] = 0. The printf_s forms read Microsoft's
 * format spelling (%S a wide string, %I64d), as sprintf_s does. */
CPORT_WIN32_API errno_t cport_w32_memcpy_s(void *dst, size_t size,
                                           const void *src, size_t count);
CPORT_WIN32_API errno_t cport_w32_memmove_s(void *dst, size_t size,
                                            const void *src, size_t count);
CPORT_WIN32_API char *cport_w32_strtok_s(char *str, const char *delim,
                                         char **context);
CPORT_WIN32_API char *cport_w32_strdup(const char *s);
CPORT_WIN32_API wchar_t *cport_w32_wcsdup(const wchar_t *s);
CPORT_WIN32_API errno_t cport_w32_wcscpy_s(wchar_t *dst, size_t size,
                                           const wchar_t *src);
CPORT_WIN32_API errno_t cport_w32_wcsncpy_s(wchar_t *dst, size_t size,
                                            const wchar_t *src, size_t count);
CPORT_WIN32_API errno_t cport_w32_wcscat_s(wchar_t *dst, size_t size,
                                           const wchar_t *src);
CPORT_WIN32_API size_t cport_w32_wcsnlen_s(const wchar_t *s, size_t max);
CPORT_WIN32_API errno_t cport_w32_fopen_s(FILE **f, const char *name,
                                          const char *mode);
CPORT_WIN32_API errno_t cport_w32_mbstowcs_s(size_t *converted, wchar_t *dst,
                                             size_t size, const char *src,
                                             size_t count);
CPORT_WIN32_API errno_t cport_w32_wcstombs_s(size_t *converted, char *dst,
                                             size_t size, const wchar_t *src,
                                             size_t count);
CPORT_WIN32_API size_t cport_w32_fread_s(void *buf, size_t size, size_t elem,
                                         size_t count, FILE *f);
CPORT_WIN32_API void cport_w32_debugbreak(void);
CPORT_WIN32_API void cport_w32_splitpath(const char *path, char *drive,
                                         char *dir, char *fname, char *ext);
CPORT_WIN32_API errno_t cport_w32_splitpath_s(const char *path, char *drive,
                                              size_t drive_size, char *dir,
                                              size_t dir_size, char *fname,
                                              size_t fname_size, char *ext,
                                              size_t ext_size);
CPORT_WIN32_API errno_t cport_w32_wfopen_s(FILE **f, const wchar_t *name,
                                           const wchar_t *mode);
CPORT_WIN32_API int cport_w32_swprintf_s(wchar_t *buf, size_t size,
                                         const wchar_t *fmt, ...);
CPORT_WIN32_API int cport_w32_vswprintf_s(wchar_t *buf, size_t size,
                                          const wchar_t *fmt, va_list ap);
CPORT_WIN32_API int cport_w32_snwprintf_s(wchar_t *buf, size_t size,
                                          size_t count, const wchar_t *fmt,
                                          ...);
CPORT_WIN32_API int cport_w32_vsnwprintf_s(wchar_t *buf, size_t size,
                                           size_t count, const wchar_t *fmt,
                                           va_list ap);
CPORT_WIN32_API errno_t cport_w32_localtime_s(struct tm *tm, const time_t *t);
CPORT_WIN32_API errno_t cport_w32_gmtime_s(struct tm *tm, const time_t *t);
CPORT_WIN32_API errno_t cport_w32_asctime_s(char *buf, size_t size,
                                            const struct tm *tm);
CPORT_WIN32_API errno_t cport_w32_ctime_s(char *buf, size_t size,
                                          const time_t *t);
CPORT_WIN32_API errno_t cport_w32_i64toa_s(long long value, char *buf,
                                           size_t size, int radix);
CPORT_WIN32_API errno_t cport_w32_ui64toa_s(unsigned long long value, char *buf,
                                            size_t size, int radix);
CPORT_WIN32_API errno_t cport_w32_itoa_s(int value, char *buf, size_t size,
                                         int radix);
CPORT_WIN32_API errno_t cport_w32_ltoa_s(long value, char *buf, size_t size,
                                         int radix);
CPORT_WIN32_API errno_t cport_w32_ultoa_s(unsigned long value, char *buf,
                                          size_t size, int radix);
CPORT_WIN32_API char *cport_w32_itoa(int value, char *buf, int radix);
CPORT_WIN32_API char *cport_w32_ltoa(long value, char *buf, int radix);
CPORT_WIN32_API char *cport_w32_ultoa(unsigned long value, char *buf,
                                      int radix);
CPORT_WIN32_API char *cport_w32_i64toa(long long value, char *buf, int radix);
CPORT_WIN32_API char *cport_w32_ui64toa(unsigned long long value, char *buf,
                                        int radix);
CPORT_WIN32_API int cport_w32_getch(void);
CPORT_WIN32_API int cport_w32_getche(void);
CPORT_WIN32_API int cport_w32_kbhit(void);
CPORT_WIN32_API int cport_w32_printf_s(const char *fmt, ...);
CPORT_WIN32_API int cport_w32_fprintf_s(FILE *f, const char *fmt, ...);
CPORT_WIN32_API int cport_w32_vprintf_s(const char *fmt, va_list ap);
CPORT_WIN32_API int cport_w32_vfprintf_s(FILE *f, const char *fmt, va_list ap);
CPORT_WIN32_API int cport_w32_sscanf_s(const char *buf, const char *fmt, ...);
CPORT_WIN32_API int cport_w32_vsscanf_s(const char *buf, const char *fmt,
                                        va_list ap);
#ifndef memcpy_s
#  define memcpy_s cport_w32_memcpy_s
#endif
#ifndef memmove_s
#  define memmove_s cport_w32_memmove_s
#endif
#ifndef strtok_s
#  define strtok_s cport_w32_strtok_s
#endif
#ifndef _strdup
#  define _strdup cport_w32_strdup
#endif
#ifndef _wcsdup
#  define _wcsdup cport_w32_wcsdup
#endif
#ifndef wcscpy_s
#  define wcscpy_s cport_w32_wcscpy_s
#endif
#ifndef wcsncpy_s
#  define wcsncpy_s cport_w32_wcsncpy_s
#endif
#ifndef wcscat_s
#  define wcscat_s cport_w32_wcscat_s
#endif
#ifndef wcsnlen_s
#  define wcsnlen_s cport_w32_wcsnlen_s
#endif
#ifndef fopen_s
#  define fopen_s cport_w32_fopen_s
#endif
#ifndef _wfopen_s
#  define _wfopen_s cport_w32_wfopen_s
#endif
#ifndef mbstowcs_s
#  define mbstowcs_s cport_w32_mbstowcs_s
#endif
#ifndef wcstombs_s
#  define wcstombs_s cport_w32_wcstombs_s
#endif
#ifndef fread_s
#  define fread_s cport_w32_fread_s
#endif
#ifndef _splitpath_s
#  define _splitpath_s cport_w32_splitpath_s
#endif
#ifndef _splitpath
#  define _splitpath cport_w32_splitpath
#endif
#ifndef _MAX_PATH
#  define _MAX_PATH 260
#  define _MAX_DRIVE 3
#  define _MAX_DIR 256
#  define _MAX_FNAME 256
#  define _MAX_EXT 256
#endif
#ifndef __debugbreak
#  define __debugbreak() cport_w32_debugbreak()
#endif
#ifndef swprintf_s
#  define swprintf_s cport_w32_swprintf_s
#endif
#ifndef vswprintf_s
#  define vswprintf_s cport_w32_vswprintf_s
#endif
#ifndef _snwprintf_s
#  define _snwprintf_s cport_w32_snwprintf_s
#endif
#ifndef _vsnwprintf_s
#  define _vsnwprintf_s cport_w32_vsnwprintf_s
#endif
#ifndef localtime_s
#  define localtime_s cport_w32_localtime_s
#endif
#ifndef gmtime_s
#  define gmtime_s cport_w32_gmtime_s
#endif
#ifndef asctime_s
#  define asctime_s cport_w32_asctime_s
#endif
#ifndef ctime_s
#  define ctime_s cport_w32_ctime_s
#endif
#ifndef _itoa_s
#  define _itoa_s cport_w32_itoa_s
#endif
#ifndef _ltoa_s
#  define _ltoa_s cport_w32_ltoa_s
#endif
#ifndef _ultoa_s
#  define _ultoa_s cport_w32_ultoa_s
#endif
#ifndef _i64toa_s
#  define _i64toa_s cport_w32_i64toa_s
#endif
#ifndef _ui64toa_s
#  define _ui64toa_s cport_w32_ui64toa_s
#endif
#ifndef _itoa
#  define _itoa cport_w32_itoa
#endif
#ifndef _ltoa
#  define _ltoa cport_w32_ltoa
#endif
#ifndef _ultoa
#  define _ultoa cport_w32_ultoa
#endif
#ifndef _i64toa
#  define _i64toa cport_w32_i64toa
#endif
#ifndef _ui64toa
#  define _ui64toa cport_w32_ui64toa
#endif
#ifndef sscanf_s
#  define sscanf_s cport_w32_sscanf_s
#endif
#ifndef vsscanf_s
#  define vsscanf_s cport_w32_vsscanf_s
#endif
#ifndef printf_s
#  define printf_s cport_w32_printf_s
#endif
/* conio.h */
#ifndef _getch
#  define _getch cport_w32_getch
#endif
#ifndef _getche
#  define _getche cport_w32_getche
#endif
#ifndef _kbhit
#  define _kbhit cport_w32_kbhit
#endif
/* tchar.h's routines: the narrow C runtime's names, or the wide ones
 * under UNICODE / _UNICODE (whose printf family is left out, but for the
 * forms below: glibc's wide printf reads %s as a narrow string,
 * Microsoft's as a wide one). */
#if defined(UNICODE) || defined(_UNICODE)
#  define CPORT_W32_TCHAR(narrow, wide) wide
#else
#  define CPORT_W32_TCHAR(narrow, wide) narrow
#  define _tprintf printf
#  define _ftprintf fprintf
#  define _stprintf sprintf
#  define _vtprintf vprintf
#  define _vftprintf vfprintf
#  define _vstprintf vsprintf
#  define _tprintf_s printf_s
#  define _ftprintf_s fprintf_s
#  define _stprintf_s sprintf_s
#  define _tscanf scanf
#  define _stscanf sscanf
#  define _ftscanf fscanf
#  define _stscanf_s sscanf_s
#  define _tperror perror
#  define _tfopen fopen
#  define _tgetenv getenv
#  define _tremove remove
#  define _trename rename
#  define _tsystem system
#  define _tcsftime strftime
#  define _puttchar putchar
#  define _gettchar getchar
#  define _fgetts fgets
#  define _fputts fputs
#  define _tcstok strtok
#  define _tcstok_s strtok_s
#  define _tcsdup _strdup
#  define _ttoi atoi
#  define _tstoi atoi
#  define _ttol atol
#  define _tstol atol
#  define _ttoi64 _atoi64
#  define _istascii isascii
#endif
/* The forms that read Microsoft's spelling, wide ones included. */
#define _sntprintf CPORT_W32_TCHAR(_snprintf, _snwprintf)
#define _vsntprintf CPORT_W32_TCHAR(_vsnprintf, _vsnwprintf)
#define _sctprintf CPORT_W32_TCHAR(_scprintf, _scwprintf)
#define _vsctprintf CPORT_W32_TCHAR(_vscprintf, _vscwprintf)
#define _tcslen CPORT_W32_TCHAR(strlen, wcslen)
#define _tcsnlen CPORT_W32_TCHAR(strnlen, wcsnlen)
#define _tcscpy CPORT_W32_TCHAR(strcpy, wcscpy)
#define _tcsncpy CPORT_W32_TCHAR(strncpy, wcsncpy)
#define _tcscat CPORT_W32_TCHAR(strcat, wcscat)
#define _tcsncat CPORT_W32_TCHAR(strncat, wcsncat)
#define _tcscmp CPORT_W32_TCHAR(strcmp, wcscmp)
#define _tcsncmp CPORT_W32_TCHAR(strncmp, wcsncmp)
#define _tcsicmp CPORT_W32_TCHAR(_stricmp, _wcsicmp)
#define _tcsnicmp CPORT_W32_TCHAR(_strnicmp, _wcsnicmp)
#define _tcschr CPORT_W32_TCHAR(strchr, wcschr)
#define _tcsrchr CPORT_W32_TCHAR(strrchr, wcsrchr)
#define _tcsstr CPORT_W32_TCHAR(strstr, wcsstr)
#define _tcsspn CPORT_W32_TCHAR(strspn, wcsspn)
#define _tcscspn CPORT_W32_TCHAR(strcspn, wcscspn)
#define _tcspbrk CPORT_W32_TCHAR(strpbrk, wcspbrk)
#define _tcstol CPORT_W32_TCHAR(strtol, wcstol)
#define _tcstoul CPORT_W32_TCHAR(strtoul, wcstoul)
#define _tcstod CPORT_W32_TCHAR(strtod, wcstod)
#define _tcscpy_s CPORT_W32_TCHAR(strcpy_s, wcscpy_s)
#define _tcsncpy_s CPORT_W32_TCHAR(strncpy_s, wcsncpy_s)
#define _tcscat_s CPORT_W32_TCHAR(strcat_s, wcscat_s)
#define _tsplitpath_s CPORT_W32_TCHAR(_splitpath_s, _wsplitpath_s)
#define _istspace CPORT_W32_TCHAR(isspace, iswspace)
#define _istdigit CPORT_W32_TCHAR(isdigit, iswdigit)
#define _istalpha CPORT_W32_TCHAR(isalpha, iswalpha)
#define _istalnum CPORT_W32_TCHAR(isalnum, iswalnum)
#define _istupper CPORT_W32_TCHAR(isupper, iswupper)
#define _istlower CPORT_W32_TCHAR(islower, iswlower)
#define _istxdigit CPORT_W32_TCHAR(isxdigit, iswxdigit)
#define _istprint CPORT_W32_TCHAR(isprint, iswprint)
#define _totupper CPORT_W32_TCHAR(toupper, towupper)
#define _totlower CPORT_W32_TCHAR(tolower, towlower)
#ifndef fprintf_s
#  define fprintf_s cport_w32_fprintf_s
#endif
#ifndef vprintf_s
#  define vprintf_s cport_w32_vprintf_s
#endif
#ifndef vfprintf_s
#  define vfprintf_s cport_w32_vfprintf_s
#endif
#if defined(__cplusplus) && __cplusplus >= 201103L
/* The array overloads of these, as for strcpy_s above. */
extern "C++" {
template <size_t N>
inline errno_t cport_w32_wcscpy_s(wchar_t (&dst)[N], const wchar_t *src) {
  return cport_w32_wcscpy_s(dst, N, src);
}
template <size_t N>
inline errno_t cport_w32_wcsncpy_s(wchar_t (&dst)[N], const wchar_t *src,
                                   size_t count) {
  return cport_w32_wcsncpy_s(dst, N, src, count);
}
template <size_t N>
inline errno_t cport_w32_wcscat_s(wchar_t (&dst)[N], const wchar_t *src) {
  return cport_w32_wcscat_s(dst, N, src);
}
template <size_t N>
inline int cport_w32_vswprintf_s(wchar_t (&buf)[N], const wchar_t *fmt,
                                 va_list ap) {
  return cport_w32_vswprintf_s(buf, N, fmt, ap);
}
template <size_t N>
inline int cport_w32_swprintf_s(wchar_t (&buf)[N], const wchar_t *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = cport_w32_vswprintf_s(buf, N, fmt, ap);
  va_end(ap);
  return n;
}
template <size_t N>
inline int cport_w32_vsnwprintf_s(wchar_t (&buf)[N], size_t count,
                                  const wchar_t *fmt, va_list ap) {
  return cport_w32_vsnwprintf_s(buf, N, count, fmt, ap);
}
template <size_t N>
inline int cport_w32_snwprintf_s(wchar_t (&buf)[N], size_t count,
                                 const wchar_t *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = cport_w32_vsnwprintf_s(buf, N, count, fmt, ap);
  va_end(ap);
  return n;
}
template <size_t N>
inline errno_t cport_w32_asctime_s(char (&buf)[N], const struct tm *tm) {
  return cport_w32_asctime_s(buf, N, tm);
}
template <size_t N>
inline errno_t cport_w32_ctime_s(char (&buf)[N], const time_t *t) {
  return cport_w32_ctime_s(buf, N, t);
}
template <size_t N>
inline errno_t cport_w32_itoa_s(int value, char (&buf)[N], int radix) {
  return cport_w32_itoa_s(value, buf, N, radix);
}
template <size_t N>
inline errno_t cport_w32_ltoa_s(long value, char (&buf)[N], int radix) {
  return cport_w32_ltoa_s(value, buf, N, radix);
}
template <size_t N>
inline errno_t cport_w32_ultoa_s(unsigned long value, char (&buf)[N],
                                 int radix) {
  return cport_w32_ultoa_s(value, buf, N, radix);
}
}
#endif

/*
 * Winsock 2 (winsock2.h, ws2tcpip.h), the Microsoft extensions (mswsock.h)
 * and the keep-alive values of mstcpip.h. A SOCKET is a file descriptor.
 * The BSD calls whose Linux prototypes take Winsock's arguments
 * (CPORT_WIN32_BSD_CALLS) are the real names, provided by libcport-win32
 * in front of the C library's: they behave as the C library's do and, on
 * failure, also set WSAGetLastError(); an IPv6 socket starts IPv6-only
 * (IPV6_V6ONLY), from socket() as from WSASocket(), as Windows makes it;
 * bind() of a stream socket passes over connections in TIME_WAIT, as on
 * Windows, but not over another socket bound to the address (see
 * docs/porting.md; SO_EXCLUSIVEADDRUSE: never); listen() of an
 * IPv4 or IPv6 socket never bound fails with WSAEINVAL, as on Windows
 * (Linux would bind it to a port of its choosing); select() over the C
 * library's fd_set, for programs built against 0.1's header (a first
 * argument of 0 takes the descriptors from the sets). The calls whose
 * types differ (int lengths, char* option values, Winsock's fd_set) or
 * whose behaviour must (shutdown, getaddrinfo's codes) are macros naming
 * cport_w32_* functions.
 */
#define CPORT_WIN32_BSD_CALLS \
  socket, bind, listen, connect, send, recv, sendto, select

#endif /* CPORT_WIN32_PART_SAFECRT_H */
