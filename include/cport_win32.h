/**
 * @file cport_win32.h
 * @brief The Win32 porting layer: IOCP programs build on Linux with only
 * their includes changed.
 *
 * On Windows this header includes the real headers (winsock2.h,
 * ws2tcpip.h, mswsock.h, mstcpip.h, windows.h, process.h) and nothing
 * else: your IOCP code uses the real API.
 *
 * On Linux it declares the part of Win32 an IOCP program uses, on top of
 * cport, so the same source builds and runs there with only its include
 * lines changed: completion ports, overlapped Winsock with the Microsoft
 * extensions, overlapped files, threads, events and waits, the
 * synchronisation objects, console control events, heap and virtual
 * memory, error codes and messages. The functions behave as Microsoft
 * documents them; see docs/porting.md for the differences that remain
 * (OVERLAPPED is larger than on Windows; struct in_addr has no S_un;
 * SOCKET values are file descriptors; WCHAR is the platform's wchar_t).
 * Every name declared, by area: @ref cport_win32_api.
 *
 * Link with cport-win32 (CMake: cport::win32; pkg-config: cport-win32).
 * C and C++ (a class may derive from OVERLAPPED), also as C99 or C++
 * under -pedantic: the one extension used is marked (#CPORT_W32_NAMELESS).
 *
 * @par OVERLAPPED on Linux
 * Internal, InternalHigh, Offset/OffsetHigh (or Pointer) and hEvent sit
 * where Windows has them, in the first 32 bytes; cport's operation record
 * follows: an OVERLAPPED is a cport_op_t, 256 bytes on 64-bit systems.
 * Internal is STATUS_PENDING while the operation is in flight and its
 * NTSTATUS (0 on success) as soon as it ends, whether or not a thread
 * waits on the port, so HasOverlappedIoCompleted() works. Zero it before its first use, as
 * on Windows.
 */
/**
 * @def CPORT_WIN32_API
 * Marks the functions of the porting layer: exported from the library that
 * implements it on Linux.
 */
/**
 * @def CPORT_W32_NAMELESS
 * Marks the nameless structs and unions of LARGE_INTEGER, ULARGE_INTEGER,
 * OVERLAPPED and SYSTEM_INFO (`__extension__` with GCC and Clang):
 * standard C11, an extension in C99 and C++, so that -pedantic builds stay
 * quiet, as with mingw-w64's headers.
 */
/**
 * @def CPORT_W32_NORETURN
 * Marks the functions that do not return (ExitThread, _endthreadex,
 * ExitProcess), as Windows' headers do.
 */
/**
 * @def CPORT_W32_AW
 * Picks a function's W name when UNICODE is defined, else its A name:
 * what the generic names (CreateFile, FormatMessage, ...) expand to.
 */
/**
 * @def CPORT_W32_PRINTF
 * Marks the printf-like functions of the porting layer (`format` with GCC
 * and Clang), so the compiler checks their arguments as it does
 * snprintf's.
 */
/**
 * @def CPORT_WIN32_BSD_CALLS
 * The C library's socket calls that libcport-win32 provides in front of
 * the C library's own, for a ported program: same prototypes and results,
 * and on failure WSAGetLastError() is set too. Not macros, so C++ keeps
 * std::bind.
 */
/**
 * @fn int cport_w32_setsockopt(SOCKET s, int level, int name, const char *val, int len)
 * setsockopt() with Winsock's signature; `setsockopt` is defined to this
 * name. SO_UPDATE_ACCEPT_CONTEXT, SO_UPDATE_CONNECT_CONTEXT and
 * SO_EXCLUSIVEADDRUSE succeed without effect (cport has done that work),
 * as do SO_RANDOMIZE_PORT and SO_PORT_SCALABILITY (given a DWORD: Linux
 * already randomizes and shares ephemeral ports) and
 * SO_CONDITIONAL_ACCEPT (Linux completes every handshake before accept,
 * so a condition function's CF_REJECT closes an accepted connection);
 * SO_DONTLINGER TRUE turns SO_LINGER off; SO_RCVTIMEO / SO_SNDTIMEO take
 * a DWORD of milliseconds. Windows' numbers that Linux gives to other
 * options at the same level have their Windows meaning: TCP_KEEPALIVE
 * (3, a DWORD of idle seconds: Linux's TCP_KEEPIDLE; not TCP_CORK) and
 * IP_DONTFRAGMENT (14, a BOOL: IP_MTU_DISCOVER IP_PMTUDISC_DO or DONT).
 * SO_OPENTYPE (a DWORD, any socket value) is kept for the calling thread.
 * @param s the socket
 * @param level SOL_SOCKET, IPPROTO_TCP, ...
 * @param name the option
 * @param val the value
 * @param len bytes of `val`
 * @return 0, or SOCKET_ERROR with the code in WSAGetLastError().
 */
/**
 * @fn int cport_w32_getsockopt(SOCKET s, int level, int name, char *val, int *len)
 * getsockopt() with Winsock's signature; `getsockopt` is defined to this
 * name. SO_CONNECT_TIME gives the seconds the socket has been connected
 * (0xFFFFFFFF if it is not), SO_MAX_MSG_SIZE a datagram's largest size,
 * SO_ERROR a WSA code, SO_RCVTIMEO / SO_SNDTIMEO a DWORD of milliseconds;
 * TCP_KEEPALIVE, IP_DONTFRAGMENT and SO_OPENTYPE a DWORD as setsockopt
 * takes them; IP_MTU (Windows' 73) Linux's IP_MTU.
 * @param s the socket
 * @param level SOL_SOCKET, IPPROTO_TCP, ...
 * @param name the option
 * @param[out] val where the value goes
 * @param[in,out] len room in `val`, then the value's length
 * @return 0, or SOCKET_ERROR with the code in WSAGetLastError()
 *         (WSAEFAULT for a NULL or short `val`).
 */
/**
 * @fn SOCKET cport_w32_accept(SOCKET s, struct sockaddr *addr, int *len)
 * accept() with Winsock's signature, blocking until a connection arrives
 * (unless FIONBIO is set) even on a socket that is on a port; `accept` is
 * defined to this name. A listener closed by another thread meanwhile:
 * INVALID_SOCKET and WSAEINTR.
 * @param s a listening socket
 * @param[out] addr the peer's address; may be NULL
 * @param[in,out] len room in `addr`, then its length; may be NULL
 * @return The new socket, or INVALID_SOCKET with the code in
 *         WSAGetLastError().
 */
/**
 * @fn int cport_w32_getsockname(SOCKET s, struct sockaddr *addr, int *len)
 * getsockname() with Winsock's int length; `getsockname` is defined to this
 * name. An AF_INET or AF_INET6 socket never bound fails with WSAEINVAL,
 * as on Windows (Linux answers with the any address and port 0).
 * @param s the socket
 * @param[out] addr the local address
 * @param[in,out] len room in `addr`, then its length
 * @return 0, or SOCKET_ERROR with the code in WSAGetLastError().
 */
/**
 * @fn int cport_w32_getpeername(SOCKET s, struct sockaddr *addr, int *len)
 * getpeername() with Winsock's int length; `getpeername` is defined to this
 * name.
 * @param s the socket
 * @param[out] addr the peer's address
 * @param[in,out] len room in `addr`, then its length
 * @return 0, or SOCKET_ERROR with the code in WSAGetLastError().
 */
/**
 * @fn int cport_w32_recvfrom(SOCKET s, char *buf, int len, int flags, struct sockaddr *from, int *fromlen)
 * recvfrom() with Winsock's int lengths; `recvfrom` is defined to this
 * name. Blocks as recv() does.
 * @param s the socket
 * @param[out] buf where the data goes
 * @param len room in `buf`
 * @param flags MSG_PEEK, MSG_OOB, or 0
 * @param[out] from the sender's address; may be NULL
 * @param[in,out] fromlen room in `from`, then its length
 * @return The bytes received, or SOCKET_ERROR with the code in
 *         WSAGetLastError().
 */
/**
 * @fn int cport_w32_shutdown(SOCKET s, int how)
 * shutdown(); `shutdown` is defined to this name. Later WSASend calls
 * (SD_SEND, SD_BOTH) or WSARecv calls (SD_RECEIVE, SD_BOTH) on the socket
 * fail at once with WSAESHUTDOWN.
 * @param s the socket
 * @param how SD_RECEIVE, SD_SEND or SD_BOTH
 * @return 0, or SOCKET_ERROR with the code in WSAGetLastError().
 */
/**
 * @fn int cport_w32_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
 * getaddrinfo() with Winsock's error codes; `getaddrinfo` is defined to
 * this name (free the result with freeaddrinfo()).
 * @param node a host name or address; may be NULL (with AI_PASSIVE: any)
 * @param service a service name or port number; may be NULL
 * @param hints what to look for; may be NULL
 * @param[out] res the list of addresses
 * @return 0, or a WSA code (WSAHOST_NOT_FOUND, WSATRY_AGAIN, ...), also
 *         in WSAGetLastError().
 */
/**
 * @fn int cport_w32_gethostname(char *name, size_t namelen)
 * Winsock's gethostname(); `gethostname` is defined to this name. Its
 * length is a size_t, as in <unistd.h>, so that header may still follow
 * this one.
 * @param[out] name the host name, with its NUL
 * @param namelen bytes at `name`
 * @return 0, or SOCKET_ERROR with WSAEFAULT in WSAGetLastError() for a
 *         NULL `name` or a buffer too small for the whole name.
 */
/**
 * @fn int cport_w32_ioctlsocket(SOCKET s, long cmd, void *arg, size_t size)
 * ioctlsocket() for an argument of either width: `ioctlsocket` is defined
 * to this name with `size` the size of `*arg`, since a u_long is 64 bits
 * on Linux but 32 on Windows, where programs pass a DWORD as often.
 * @param s the socket
 * @param cmd FIONBIO or FIONREAD
 * @param[in,out] arg a 32- or 64-bit unsigned integer
 * @param size its size: 4 or 8
 * @return 0, or SOCKET_ERROR with WSAEFAULT (NULL, or fewer than 4
 *         bytes), WSAEINVAL (another command) or WSAENOTSOCK in
 *         WSAGetLastError().
 */
/**
 * @fn const char *cport_w32_gai_strerror(int code)
 * The text of a getaddrinfo() code; `gai_strerror` is defined to this name.
 * @param code 0 or a WSA code getaddrinfo() returned
 * @return A static string.
 */
/**
 * @fn errno_t cport_w32_strcpy_s(char *dst, size_t size, const char *src)
 * MSVC's strcpy_s(); `strcpy_s` is defined to this name. Copies `src`
 * with its NUL if it fits in `size` characters.
 * @param[out] dst the destination
 * @param size characters in `dst`
 * @param src the string to copy
 * @return 0; EINVAL for a NULL `dst` (left alone) or `src` (`dst[0]` set
 *         to 0); ERANGE for a `size` of 0 or too small (`dst[0]` set to 0
 *         when `size` is not 0). An error sets errno too.
 */
/**
 * @fn errno_t cport_w32_strncpy_s(char *dst, size_t size, const char *src, size_t count)
 * MSVC's strncpy_s(); `strncpy_s` is defined to this name. Copies the
 * first `count` characters of `src` (fewer if it is shorter) and a NUL;
 * with `count` _TRUNCATE, as much of `src` as fits.
 * @param[out] dst the destination
 * @param size characters in `dst`
 * @param src the string to copy
 * @param count characters to copy at most, or _TRUNCATE
 * @return 0; STRUNCATE when _TRUNCATE cut the string; EINVAL for a NULL
 *         `dst` or a `size` of 0 (`dst` left alone) or a NULL `src`
 *         (`dst[0]` set to 0); ERANGE when it does not fit (`dst[0]` set
 *         to 0). An error sets errno too.
 */
/**
 * @fn errno_t cport_w32_strcat_s(char *dst, size_t size, const char *src)
 * MSVC's strcat_s(); `strcat_s` is defined to this name. Appends `src`
 * to the string in `dst` if the whole fits in `size` characters.
 * @param[in,out] dst the string to append to
 * @param size characters in `dst`, the string there included
 * @param src the string to append
 * @return 0; EINVAL for a NULL `dst` or one with no NUL within `size`
 *         (left alone) or a NULL `src` (`dst[0]` set to 0); ERANGE for a
 *         `size` of 0 or too small (`dst[0]` set to 0 when `size` is not
 *         0). An error sets errno too.
 */
/**
 * @fn size_t cport_w32_strnlen_s(const char *s, size_t max)
 * MSVC's strnlen_s(); `strnlen_s` is defined to this name.
 * @param s the string; may be NULL
 * @param max characters to look at
 * @return The length of `s`, at most `max`; 0 for a NULL `s`.
 */
/**
 * @fn int cport_w32_sprintf_s(char *buf, size_t size, const char *fmt, ...)
 * MSVC's sprintf_s(); `sprintf_s` is defined to this name. Formats as
 * snprintf() does, but a result that does not fit is an error, never cut.
 * @param[out] buf the destination
 * @param size characters in `buf`
 * @param fmt the format
 * @return The characters written (without the NUL), or -1: errno EINVAL
 *         for a NULL `buf` or `fmt` or a `size` of 0, ERANGE when the
 *         result does not fit; `buf[0]` is set to 0 when it can be.
 */
/**
 * @fn int cport_w32_vsprintf_s(char *buf, size_t size, const char *fmt, va_list ap)
 * MSVC's vsprintf_s(), cport_w32_sprintf_s() with a va_list;
 * `vsprintf_s` is defined to this name.
 * @param[out] buf the destination
 * @param size characters in `buf`
 * @param fmt the format
 * @param ap the arguments
 * @return As cport_w32_sprintf_s().
 */
/**
 * @fn int cport_w32_snprintf_s(char *buf, size_t size, size_t count, const char *fmt, ...)
 * MSVC's _snprintf_s(); `_snprintf_s` is defined to this name. Writes at
 * most `count` characters and a NUL; with `count` _TRUNCATE, as much as
 * fits in `size`.
 * @param[out] buf the destination
 * @param size characters in `buf`
 * @param count characters to write at most, or _TRUNCATE
 * @param fmt the format
 * @return The characters written (without the NUL); -1 when the result
 *         was cut to `count` or by _TRUNCATE (the cut string is in
 *         `buf`); -1 with `buf[0]` set to 0 when it did not fit in `size`
 *         otherwise (errno ERANGE); -1 with errno EINVAL for a NULL `buf`
 *         or `fmt`, a `size` of 0 or a `count` of 0. A NULL `buf` with
 *         `size` and `count` 0 returns 0.
 */
/**
 * @fn int cport_w32_vsnprintf_s(char *buf, size_t size, size_t count, const char *fmt, va_list ap)
 * MSVC's _vsnprintf_s(), cport_w32_snprintf_s() with a va_list;
 * `_vsnprintf_s` is defined to this name.
 * @param[out] buf the destination
 * @param size characters in `buf`
 * @param count characters to write at most, or _TRUNCATE
 * @param fmt the format
 * @param ap the arguments
 * @return As cport_w32_snprintf_s().
 */
/**
 * @fn errno_t cport_w32_memcpy_s(void *dst, size_t size, const void *src, size_t count)
 * MSVC's memcpy_s(); `memcpy_s` is defined to this name.
 * @param[out] dst the destination
 * @param size bytes in `dst`
 * @param src the bytes to copy
 * @param count bytes to copy
 * @return 0 (also for a `count` of 0, whatever the pointers); EINVAL for
 *         a NULL `dst` (left alone) or `src` (`dst` zeroed); ERANGE when
 *         `size` is under `count` (`dst` zeroed). An error sets errno too.
 */
/**
 * @fn errno_t cport_w32_memmove_s(void *dst, size_t size, const void *src, size_t count)
 * MSVC's memmove_s(); `memmove_s` is defined to this name. The buffers
 * may overlap.
 * @param[out] dst the destination
 * @param size bytes in `dst`
 * @param src the bytes to copy
 * @param count bytes to copy
 * @return 0 (also for a `count` of 0); EINVAL for a NULL `dst` or `src`;
 *         ERANGE when `size` is under `count`. `dst` is left alone on an
 *         error, which sets errno too.
 */
/**
 * @fn char *cport_w32_strtok_s(char *str, const char *delim, char **context)
 * MSVC's strtok_s() (strtok_r()); `strtok_s` is defined to this name.
 * @param[in,out] str the string to split, or NULL to go on with `context`
 * @param delim the characters that separate tokens
 * @param[in,out] context where the next call goes on
 * @return The next token, or NULL when there is none; NULL with errno
 *         EINVAL for a NULL `delim` or `context`, or a NULL `str` with a
 *         NULL `*context`.
 */
/**
 * @fn char *cport_w32_strdup(const char *s)
 * MSVC's _strdup(); `_strdup` is defined to this name.
 * @param s the string; may be NULL
 * @return A copy from malloc() (free it with free()), or NULL for a NULL
 *         `s` or when memory runs out (errno ENOMEM).
 */
/**
 * @fn wchar_t *cport_w32_wcsdup(const wchar_t *s)
 * MSVC's _wcsdup(); `_wcsdup` is defined to this name.
 * @param s the string; may be NULL
 * @return A copy from malloc() (free it with free()), or NULL for a NULL
 *         `s` or when memory runs out (errno ENOMEM).
 */
/**
 * @fn errno_t cport_w32_wcscpy_s(wchar_t *dst, size_t size, const wchar_t *src)
 * MSVC's wcscpy_s(); `wcscpy_s` is defined to this name. As
 * cport_w32_strcpy_s(), in wide characters.
 * @param[out] dst the destination
 * @param size wide characters in `dst`
 * @param src the string to copy
 * @return As cport_w32_strcpy_s().
 */
/**
 * @fn errno_t cport_w32_wcsncpy_s(wchar_t *dst, size_t size, const wchar_t *src, size_t count)
 * MSVC's wcsncpy_s(); `wcsncpy_s` is defined to this name. As
 * cport_w32_strncpy_s(), in wide characters.
 * @param[out] dst the destination
 * @param size wide characters in `dst`
 * @param src the string to copy
 * @param count characters to copy at most, or _TRUNCATE
 * @return As cport_w32_strncpy_s().
 */
/**
 * @fn errno_t cport_w32_wcscat_s(wchar_t *dst, size_t size, const wchar_t *src)
 * MSVC's wcscat_s(); `wcscat_s` is defined to this name. As
 * cport_w32_strcat_s(), in wide characters.
 * @param[in,out] dst the string to append to
 * @param size wide characters in `dst`, the string there included
 * @param src the string to append
 * @return As cport_w32_strcat_s().
 */
/**
 * @fn size_t cport_w32_wcsnlen_s(const wchar_t *s, size_t max)
 * MSVC's wcsnlen_s(); `wcsnlen_s` is defined to this name.
 * @param s the string; may be NULL
 * @param max characters to look at
 * @return The length of `s`, at most `max`; 0 for a NULL `s`.
 */
/**
 * @fn errno_t cport_w32_fopen_s(FILE **f, const char *name, const char *mode)
 * MSVC's fopen_s(); `fopen_s` is defined to this name. Opens as fopen()
 * does (the mode's `t` and `b` mean nothing on Linux).
 * @param[out] f the stream, NULL when the open fails
 * @param name the file's path
 * @param mode the mode, as for fopen()
 * @return 0, or the open's errno (ENOENT, EACCES, ...); EINVAL for a NULL
 *         argument (`*f` left alone).
 */
/**
 * @fn errno_t cport_w32_mbstowcs_s(size_t *converted, wchar_t *dst, size_t size, const char *src, size_t count)
 * MSVC's mbstowcs_s(); `mbstowcs_s` is defined to this name. The narrow
 * string is UTF-8 (the layer's code page); the result always ends with a
 * NUL.
 * @param[out] converted wide characters written (or needed, with `dst`
 *             NULL and `size` 0), the NUL counted; may be NULL
 * @param[out] dst the wide string; NULL with `size` 0 to ask the size
 * @param size wide characters in `dst`
 * @param src the UTF-8 string
 * @param count characters to convert at most, or _TRUNCATE
 * @return 0; STRUNCATE when _TRUNCATE cut it; EINVAL for a NULL `src` or
 *         a `dst` and `size` that disagree; EILSEQ for bytes that are no
 *         UTF-8; ERANGE when `dst` is too small (`dst[0]` set to 0). An
 *         error sets errno too.
 */
/**
 * @fn errno_t cport_w32_wcstombs_s(size_t *converted, char *dst, size_t size, const wchar_t *src, size_t count)
 * MSVC's wcstombs_s(); `wcstombs_s` is defined to this name. The result
 * is UTF-8, never half a character, and always ends with a NUL.
 * @param[out] converted bytes written (or needed, with `dst` NULL and
 *             `size` 0), the NUL counted; may be NULL
 * @param[out] dst the UTF-8 string; NULL with `size` 0 to ask the size
 * @param size bytes in `dst`
 * @param src the wide string
 * @param count bytes to write at most (without the NUL), or _TRUNCATE
 * @return As cport_w32_mbstowcs_s(); EILSEQ for a value that is no
 *         Unicode character.
 */
/**
 * @fn size_t cport_w32_fread_s(void *buf, size_t size, size_t elem, size_t count, FILE *f)
 * MSVC's fread_s(); `fread_s` is defined to this name. fread() into a
 * buffer of `size` bytes.
 * @param[out] buf the buffer
 * @param size bytes in `buf`
 * @param elem bytes in an element
 * @param count elements to read
 * @param f the stream
 * @return The whole elements read; 0 with errno EINVAL for a NULL `buf`
 *         or `f`, or with ERANGE (the buffer emptied) when `count`
 *         elements do not fit and the stream had more.
 */
/**
 * @fn void cport_w32_debugbreak(void)
 * MSVC's __debugbreak(); `__debugbreak()` is defined to this call. Raises
 * SIGTRAP: a debugger stops there; without one the program ends, as an
 * unhandled breakpoint ends it on Windows.
 */
/**
 * @fn errno_t cport_w32_splitpath_s(const char *path, char *drive, size_t drive_size, char *dir, size_t dir_size, char *fname, size_t fname_size, char *ext, size_t ext_size)
 * MSVC's _splitpath_s(); `_splitpath_s` is defined to this name. A drive
 * is "X:" at the start (none on Linux paths), the directory runs to the
 * last '\\' or '/' with it, the extension from the last '.' after it.
 * Each part's buffer may be NULL with a size of 0 to skip it.
 * @param path the path
 * @param[out] drive the drive
 * @param drive_size its size
 * @param[out] dir the directory
 * @param dir_size its size
 * @param[out] fname the name
 * @param fname_size its size
 * @param[out] ext the extension
 * @param ext_size its size
 * @return 0; EINVAL for a NULL `path` or a buffer and size that disagree;
 *         ERANGE when a part does not fit. On an error every buffer given
 *         is emptied and errno set.
 */
/**
 * @fn struct hostent *cport_w32_gethostbyname(const char *name)
 * Winsock's gethostbyname(); `gethostbyname` is defined to this name.
 * NULL or "" names the local host (gethostname's name); the answer is
 * the calling thread's own until its next call.
 * @param name a host name or an IPv4 address
 * @return The answer, or NULL with WSAHOST_NOT_FOUND, WSATRY_AGAIN,
 *         WSANO_RECOVERY or WSANO_DATA in WSAGetLastError().
 */
/**
 * @fn errno_t cport_w32_wfopen_s(FILE **f, const wchar_t *name, const wchar_t *mode)
 * MSVC's _wfopen_s(); `_wfopen_s` is defined to this name.
 * cport_w32_fopen_s() with a wide path and mode (made UTF-8).
 * @param[out] f the stream, NULL when the open fails
 * @param name the file's path
 * @param mode the mode, as for fopen()
 * @return 0, or the open's errno (ENOENT, EACCES, ...); ENOMEM when the
 *         names cannot be converted; EINVAL for a NULL argument (`*f` left
 *         alone).
 */
/**
 * @fn int cport_w32_swprintf_s(wchar_t *buf, size_t size, const wchar_t *fmt, ...)
 * MSVC's swprintf_s(); `swprintf_s` is defined to this name. As
 * cport_w32_sprintf_s(), in wide characters: `%s` and `%c` in `fmt` are
 * a wide string and character, `%S` and `%C` narrow ones (Microsoft's
 * spelling). A narrow string goes through the C library's locale.
 * @param[out] buf the destination
 * @param size characters in `buf`
 * @param fmt the format
 * @return The characters written (without the NUL), or -1: errno EINVAL
 *         for a NULL `buf` or `fmt`, a `size` of 0 or a conversion the C
 *         library refuses, ERANGE when the result does not fit; `buf[0]`
 *         is set to 0 when it can be.
 */
/**
 * @fn int cport_w32_vswprintf_s(wchar_t *buf, size_t size, const wchar_t *fmt, va_list ap)
 * MSVC's vswprintf_s(), cport_w32_swprintf_s() with a va_list;
 * `vswprintf_s` is defined to this name.
 * @param[out] buf the destination
 * @param size characters in `buf`
 * @param fmt the format
 * @param ap the arguments
 * @return As cport_w32_swprintf_s().
 */
/**
 * @fn int cport_w32_snwprintf_s(wchar_t *buf, size_t size, size_t count, const wchar_t *fmt, ...)
 * MSVC's _snwprintf_s(); `_snwprintf_s` is defined to this name. As
 * cport_w32_snprintf_s(), in wide characters (the format as
 * cport_w32_swprintf_s() reads it).
 * @param[out] buf the destination
 * @param size characters in `buf`
 * @param count characters to write at most, or _TRUNCATE
 * @param fmt the format
 * @return The characters written (without the NUL); -1 when the result
 *         was cut to `count` or by _TRUNCATE (the cut string is in
 *         `buf`); -1 with `buf[0]` set to 0 when it did not fit in `size`
 *         otherwise (errno ERANGE); -1 with errno EINVAL for a NULL `buf`
 *         or `fmt`, a `size` of 0 or a `count` of 0. A NULL `buf` with
 *         `size` and `count` 0 returns 0.
 */
/**
 * @fn int cport_w32_vsnwprintf_s(wchar_t *buf, size_t size, size_t count, const wchar_t *fmt, va_list ap)
 * MSVC's _vsnwprintf_s(), cport_w32_snwprintf_s() with a va_list;
 * `_vsnwprintf_s` is defined to this name.
 * @param[out] buf the destination
 * @param size characters in `buf`
 * @param count characters to write at most, or _TRUNCATE
 * @param fmt the format
 * @param ap the arguments
 * @return As cport_w32_snwprintf_s().
 */
/**
 * @fn errno_t cport_w32_localtime_s(struct tm *tm, const time_t *t)
 * MSVC's localtime_s(): the arguments in Microsoft's order (the result
 * first, unlike C11's Annex K); `localtime_s` is defined to this name.
 * @param[out] tm the local time
 * @param t seconds since 1970-01-01 UTC, up to 3000-12-31 23:59:59
 * @return 0; EINVAL for a NULL `tm` (left alone), or a NULL `t` or a time
 *         before 1970 or after 3000 (every field of `tm` set to -1). An
 *         error sets errno too.
 */
/**
 * @fn errno_t cport_w32_gmtime_s(struct tm *tm, const time_t *t)
 * MSVC's gmtime_s(), cport_w32_localtime_s() in UTC; `gmtime_s` is
 * defined to this name.
 * @param[out] tm the time in UTC
 * @param t seconds since 1970-01-01 UTC, up to 3000-12-31 23:59:59
 * @return As cport_w32_localtime_s().
 */
/**
 * @fn errno_t cport_w32_asctime_s(char *buf, size_t size, const struct tm *tm)
 * MSVC's asctime_s(); `asctime_s` is defined to this name. Writes the
 * 26 characters of "Wed Jan  2 02:03:55 1980\n" and a NUL, a day of one
 * digit padded with a space as C's asctime() does.
 * @param[out] buf the destination
 * @param size characters in `buf`, at least 26
 * @param tm the time; every field in its range, a year from 1900 to 9999
 * @return 0; EINVAL for a NULL `buf` or a `size` of 0 (left alone), a
 *         `size` under 26, a NULL `tm` or a field out of range (`buf[0]`
 *         set to 0). An error sets errno too.
 */
/**
 * @fn errno_t cport_w32_ctime_s(char *buf, size_t size, const time_t *t)
 * MSVC's ctime_s(): cport_w32_asctime_s() of cport_w32_localtime_s();
 * `ctime_s` is defined to this name.
 * @param[out] buf the destination
 * @param size characters in `buf`, at least 26
 * @param t seconds since 1970-01-01 UTC
 * @return 0; EINVAL for a NULL `buf` or a `size` of 0 (left alone), a
 *         `size` under 26, a NULL `t` or a time out of range (`buf[0]` set
 *         to 0). An error sets errno too.
 */
/**
 * @fn errno_t cport_w32_i64toa_s(long long value, char *buf, size_t size, int radix)
 * MSVC's _i64toa_s(); `_i64toa_s` is defined to this name. Writes
 * `value` in `radix`, lower-case, with a minus sign in radix 10; in other
 * radices a negative value is written as its two's complement.
 * @param value the number
 * @param[out] buf the destination
 * @param size characters in `buf`, the NUL included
 * @param radix 2 to 36
 * @return 0; EINVAL for a NULL `buf` or a `size` of 0 (left alone) or a
 *         `radix` out of range (`buf[0]` set to 0); ERANGE when the digits
 *         and the NUL do not fit (`buf[0]` set to 0). An error sets errno
 *         too.
 */
/**
 * @fn errno_t cport_w32_ui64toa_s(unsigned long long value, char *buf, size_t size, int radix)
 * MSVC's _ui64toa_s(); `_ui64toa_s` is defined to this name.
 * @param value the number
 * @param[out] buf the destination
 * @param size characters in `buf`, the NUL included
 * @param radix 2 to 36
 * @return As cport_w32_i64toa_s().
 */
/**
 * @fn errno_t cport_w32_itoa_s(int value, char *buf, size_t size, int radix)
 * MSVC's _itoa_s(); `_itoa_s` is defined to this name. A negative value
 * in a radix other than 10 is written as its 32 bits.
 * @param value the number
 * @param[out] buf the destination
 * @param size characters in `buf`, the NUL included
 * @param radix 2 to 36
 * @return As cport_w32_i64toa_s().
 */
/**
 * @fn errno_t cport_w32_ltoa_s(long value, char *buf, size_t size, int radix)
 * MSVC's _ltoa_s(); `_ltoa_s` is defined to this name. `long` is the
 * platform's (64 bits on Linux, 32 on Windows): a negative value that
 * fits in 32 bits is written, in a radix other than 10, as those 32 bits,
 * as on Windows.
 * @param value the number
 * @param[out] buf the destination
 * @param size characters in `buf`, the NUL included
 * @param radix 2 to 36
 * @return As cport_w32_i64toa_s().
 */
/**
 * @fn errno_t cport_w32_ultoa_s(unsigned long value, char *buf, size_t size, int radix)
 * MSVC's _ultoa_s(); `_ultoa_s` is defined to this name.
 * @param value the number
 * @param[out] buf the destination
 * @param size characters in `buf`, the NUL included
 * @param radix 2 to 36
 * @return As cport_w32_i64toa_s().
 */
/**
 * @fn char *cport_w32_itoa(int value, char *buf, int radix)
 * MSVC's _itoa(); `_itoa` is defined to this name. `buf` must hold the
 * longest result (33 characters in radix 2).
 * @param value the number
 * @param[out] buf the destination
 * @param radix 2 to 36
 * @return `buf`, as documented ("no error return"); a bad `radix` leaves
 *         it empty, with errno EINVAL.
 */
/**
 * @fn char *cport_w32_ltoa(long value, char *buf, int radix)
 * MSVC's _ltoa(); `_ltoa` is defined to this name. `buf` must hold the
 * longest result (65 characters in radix 2 with a 64-bit long).
 * @param value the number
 * @param[out] buf the destination
 * @param radix 2 to 36
 * @return As cport_w32_itoa().
 */
/**
 * @fn char *cport_w32_ultoa(unsigned long value, char *buf, int radix)
 * MSVC's _ultoa(); `_ultoa` is defined to this name.
 * @param value the number
 * @param[out] buf the destination, as for cport_w32_ltoa()
 * @param radix 2 to 36
 * @return As cport_w32_itoa().
 */
/**
 * @fn char *cport_w32_i64toa(long long value, char *buf, int radix)
 * MSVC's _i64toa(); `_i64toa` is defined to this name. `buf` must hold
 * 65 characters.
 * @param value the number
 * @param[out] buf the destination
 * @param radix 2 to 36
 * @return As cport_w32_itoa().
 */
/**
 * @fn char *cport_w32_ui64toa(unsigned long long value, char *buf, int radix)
 * MSVC's _ui64toa(); `_ui64toa` is defined to this name. `buf` must hold
 * 65 characters.
 * @param value the number
 * @param[out] buf the destination
 * @param radix 2 to 36
 * @return As cport_w32_itoa().
 */
/**
 * @fn int cport_w32_sscanf_s(const char *buf, const char *fmt, ...)
 * MSVC's sscanf_s(); `sscanf_s` is defined to this name. As sscanf(),
 * but each %c, %s and %[ argument is followed by its buffer's size, an
 * `unsigned` in characters (wide ones for %lc, %ls, %l[, %C and %S), and
 * Microsoft's length prefixes are read too (%I64d, %I32x, %Iu, %ws). A
 * string that does not fit its buffer ends the scan there, with the
 * buffer's first character set to 0; so does a %c count larger than its
 * buffer.
 * @param buf the input
 * @param fmt the format
 * @return The fields assigned (suppressed ones and %n not counted); EOF
 *         when the input ends before the first conversion, and for a NULL
 *         `buf` or `fmt` or a format it cannot read (errno EINVAL).
 */
/**
 * @fn int cport_w32_vsscanf_s(const char *buf, const char *fmt, va_list ap)
 * MSVC's vsscanf_s(), cport_w32_sscanf_s() with a va_list; `vsscanf_s` is
 * defined to this name.
 * @param buf the input
 * @param fmt the format
 * @param ap the arguments
 * @return As cport_w32_sscanf_s().
 */
/**
 * @fn int cport_w32_vfprintf_s(FILE *f, const char *fmt, va_list ap)
 * MSVC's vfprintf_s(); `vfprintf_s` is defined to this name. As
 * vfprintf(), with Microsoft's format spelling: %S and %C a wide string
 * and character, %hs, %ls and %ws, and the sizes I64, I32 and I.
 * @param f the stream
 * @param fmt the format
 * @param ap the arguments
 * @return The characters written, or -1 (errno EINVAL for a NULL `f` or
 *         `fmt`, else vfprintf's).
 */
/**
 * @fn int cport_w32_fprintf_s(FILE *f, const char *fmt, ...)
 * MSVC's fprintf_s(); `fprintf_s` is defined to this name.
 * @param f the stream
 * @param fmt the format, as for cport_w32_vfprintf_s()
 * @return As cport_w32_vfprintf_s().
 */
/**
 * @fn int cport_w32_vprintf_s(const char *fmt, va_list ap)
 * MSVC's vprintf_s(): cport_w32_vfprintf_s() on stdout; `vprintf_s` is
 * defined to this name.
 * @param fmt the format
 * @param ap the arguments
 * @return As cport_w32_vfprintf_s().
 */
/**
 * @fn int cport_w32_getch(void)
 * conio.h's _getch(); `_getch` is defined to this name. One key of
 * standard input: on a terminal it is taken without waiting for the end
 * of the line and without echo; from a pipe or a file, the next byte.
 * @return The byte, or EOF (-1) when standard input has ended.
 */
/**
 * @fn int cport_w32_getche(void)
 * conio.h's _getche(); `_getche` is defined to this name. As
 * cport_w32_getch(), with the key echoed on a terminal.
 * @return The byte, or EOF (-1) when standard input has ended.
 */
/**
 * @fn int cport_w32_kbhit(void)
 * conio.h's _kbhit(); `_kbhit` is defined to this name. Whether a key
 * (on a terminal, without its line's end) or a byte is waiting on
 * standard input; never waits.
 * @return 1 if one is waiting, else 0.
 */
/**
 * @fn int cport_w32_printf_s(const char *fmt, ...)
 * MSVC's printf_s(): cport_w32_vfprintf_s() on stdout; `printf_s` is
 * defined to this name.
 * @param fmt the format
 * @return As cport_w32_vfprintf_s().
 */
#ifndef CPORT_WIN32_H
#define CPORT_WIN32_H

#if defined(_WIN32)

#  include <winsock2.h>
#  include <ws2tcpip.h>
#  include <mswsock.h>
#  include <mstcpip.h>
#  include <windows.h>
#  include <process.h>

#else /* Linux: the subset, on cport */

/* What windows.h and winsock2.h make visible besides their own names.
 * Not <unistd.h>, <poll.h> or <sys/ioctl.h>: their names (read, write,
 * close, dup, pipe, access, sleep, poll, ioctl...) are not Windows', and
 * a program may define them itself. */
#  include <arpa/inet.h>
#  include <asm/ioctls.h> /* FIONBIO, FIONREAD: no ioctl() */
#  include <ctype.h>
#  include <netdb.h>
#  include <netinet/in.h>
#  include <netinet/tcp.h>
#  include <pthread.h>
#  include <stdarg.h>
#  include <stddef.h>
#  include <stdint.h>
#  include <stdio.h>
#  include <stdlib.h>
#  include <string.h>
#  include <sys/select.h>
#  include <sys/socket.h>
#  include <time.h>
#  include <wchar.h>
#  include <wctype.h>

#  include "cport.h"

#  ifdef __cplusplus
extern "C" {
#  endif

#  define CPORT_WIN32_API CPORT_API
/* The one extension this header uses: the nameless structs and unions of
 * LARGE_INTEGER, ULARGE_INTEGER, OVERLAPPED and SYSTEM_INFO, standard in
 * C11 but not in C99 or C++, marked the way mingw-w64's headers mark them
 * so -pedantic stays quiet. */
#  if defined(__GNUC__)
#    define CPORT_W32_NAMELESS __extension__
#  else
#    define CPORT_W32_NAMELESS
#  endif
#  if defined(__GNUC__)
#    define CPORT_W32_NORETURN __attribute__((noreturn))
#  else
#    define CPORT_W32_NORETURN
#  endif
#  if defined(__GNUC__)
#    define CPORT_W32_PRINTF(f, a) __attribute__((format(printf, f, a)))
#  else
#    define CPORT_W32_PRINTF(f, a)
#  endif

/* ------------------------------------------------------------------------ */
/* Calling conventions and annotations                                       */
/* ------------------------------------------------------------------------ */

/* One calling convention on Linux: the Windows keywords mean nothing. */
#  define WINAPI
#  define WINAPIV
#  define APIENTRY
#  define CALLBACK
#  define PASCAL
/* 16-bit pointer qualifiers old Winsock code still writes. */
#  define FAR
#  define NEAR
#  define WSAAPI
#  define NTAPI
#  ifndef __cdecl
#    define __cdecl
#  endif
#  ifndef __stdcall
#    define __stdcall
#  endif
#  ifndef __fastcall
#    define __fastcall
#  endif
#  ifndef _cdecl
#    define _cdecl
#  endif
/* winnt.h's alignment of a type or variable, and the cache line it uses
 * to keep hot fields apart. */
#  ifndef DECLSPEC_ALIGN
#    define DECLSPEC_ALIGN(x) __attribute__((aligned(x)))
#  endif
#  define SYSTEM_CACHE_ALIGNMENT_SIZE 64

/* The SAL annotations Microsoft's samples carry. */
#  ifndef _In_
#    define _In_
#    define _In_opt_
#    define _Out_
#    define _Out_opt_
#    define _Inout_
#    define _Inout_opt_
#    define _In_z_
#    define _In_reads_(n)
#    define _In_reads_bytes_(n)
#    define _Out_writes_(n)
#    define _Out_writes_bytes_(n)
#    define _Out_writes_bytes_opt_(n)
#    define _Success_(e)
#    define _Printf_format_string_
#  endif

#  define UNREFERENCED_PARAMETER(p) ((void)(p))

/* ------------------------------------------------------------------------ */
/* Integers and pointers                                                     */
/* ------------------------------------------------------------------------ */

typedef int BOOL, *PBOOL, *LPBOOL;
typedef unsigned char BYTE, *PBYTE, *LPBYTE;
typedef unsigned char UCHAR, *PUCHAR;
typedef unsigned char BOOLEAN, *PBOOLEAN;
typedef unsigned short WORD, *PWORD, *LPWORD;
typedef unsigned short USHORT, *PUSHORT;
typedef short SHORT, *PSHORT;
typedef uint32_t DWORD, *PDWORD, *LPDWORD;
typedef uint32_t ULONG, *PULONG;
typedef int32_t LONG, *PLONG, *LPLONG;
typedef int INT, *PINT, *LPINT;
typedef unsigned int UINT, *PUINT;
typedef char CHAR, *PCHAR;
typedef float FLOAT;
typedef int8_t INT8;
typedef uint8_t UINT8;
typedef int16_t INT16;
typedef uint16_t UINT16;
typedef int32_t INT32;
typedef uint32_t UINT32;
typedef int64_t INT64, LONG64, LONGLONG, *PLONGLONG;
typedef uint64_t UINT64, ULONG64, DWORD64, ULONGLONG, *PULONGLONG;
/* MSVC's 64-bit integer keyword, as in `unsigned __int64`. */
#  ifndef __int64
#    define __int64 long long
#  endif
/* A kernel status (ntdef.h): what OVERLAPPED.Internal and
 * BindIoCompletionCallback's routine see. */
typedef LONG NTSTATUS, *PNTSTATUS;
typedef intptr_t INT_PTR, LONG_PTR, SSIZE_T;
typedef uintptr_t UINT_PTR, ULONG_PTR, DWORD_PTR, SIZE_T;
typedef ULONG_PTR *PULONG_PTR;
typedef DWORD_PTR *PDWORD_PTR;
typedef SIZE_T *PSIZE_T;
typedef void VOID;
typedef void *PVOID, *LPVOID;
typedef const void *LPCVOID;
typedef LONG HRESULT;

typedef union _LARGE_INTEGER {
  CPORT_W32_NAMELESS struct {
    DWORD LowPart;
    LONG HighPart;
  };
  struct {
    DWORD LowPart;
    LONG HighPart;
  } u;
  LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
  CPORT_W32_NAMELESS struct {
    DWORD LowPart;
    DWORD HighPart;
  };
  struct {
    DWORD LowPart;
    DWORD HighPart;
  } u;
  ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef struct _GUID {
  uint32_t Data1;
  uint16_t Data2;
  uint16_t Data3;
  uint8_t Data4[8];
} GUID, *LPGUID;

typedef struct _FILETIME {
  DWORD dwLowDateTime;
  DWORD dwHighDateTime;
} FILETIME, *PFILETIME, *LPFILETIME;

typedef struct _SYSTEMTIME {
  WORD wYear;
  WORD wMonth;
  WORD wDayOfWeek;
  WORD wDay;
  WORD wHour;
  WORD wMinute;
  WORD wSecond;
  WORD wMilliseconds;
} SYSTEMTIME, *PSYSTEMTIME, *LPSYSTEMTIME;

/* ------------------------------------------------------------------------ */
/* Handles                                                                   */
/* ------------------------------------------------------------------------ */

/* A HANDLE below 1 << 22 holds a file descriptor (a socket, a file);
 * above, it names one of the layer's objects (a port, a thread, an
 * event...). SOCKET is the descriptor itself. */
typedef void *HANDLE;
typedef HANDLE *PHANDLE, *LPHANDLE;
typedef HANDLE HMODULE, HINSTANCE, HLOCAL, HGLOBAL;
/* minwindef.h: a function pointer of any type (GetProcAddress's result,
 * extension pointers' size); cast before calling. */
typedef INT_PTR(WINAPI *FARPROC)(void);
typedef uintptr_t SOCKET;

#  define INVALID_HANDLE_VALUE ((HANDLE)(LONG_PTR)-1)

/* ------------------------------------------------------------------------ */
/* Characters: A is UTF-8 char, W is the platform's wchar_t                  */
/* ------------------------------------------------------------------------ */

/* WCHAR is wchar_t so L"..." literals keep working; on Linux that is
 * UTF-32, not UTF-16 (see docs/porting.md). */
typedef wchar_t WCHAR, *PWCHAR, *LPWCH;
typedef char *LPSTR, *PSTR;
typedef const char *LPCSTR, *PCSTR;
typedef WCHAR *LPWSTR, *PWSTR;
typedef const WCHAR *LPCWSTR, *PCWSTR;

#  ifdef UNICODE
typedef WCHAR TCHAR;
#    define TEXT(s) L##s
#    define CPORT_W32_AW(name) name##W
#  else
typedef char TCHAR;
#    define TEXT(s) s
#    define CPORT_W32_AW(name) name##A
#  endif
typedef TCHAR *LPTSTR, *PTSTR;
typedef const TCHAR *LPCTSTR, *PCTSTR;
/* tchar.h: _TCHAR, and _tmain as main for the narrow build (a UNICODE
 * build has no wmain on Linux: its entry point takes char, see
 * docs/porting.md). */
typedef TCHAR _TCHAR;
#  if !defined(UNICODE) && !defined(_tmain)
#    define _tmain main
#  endif
#  ifndef _T
#    define _T(s) TEXT(s)
#  endif
#  define __TEXT(s) TEXT(s)

/* ------------------------------------------------------------------------ */
/* Constants and macros                                                      */
/* ------------------------------------------------------------------------ */

#  define TRUE 1
#  define FALSE 0
#  define INFINITE 0xFFFFFFFFu
#  define MAX_PATH 260
#  define MAXDWORD 0xFFFFFFFFu
#  define MAXLONG 0x7FFFFFFF
#  define MAXWORD 0xFFFFu
#  define MAXBYTE 0xFFu
#  define MAXULONG_PTR (~(ULONG_PTR)0)

#  define MAKEWORD(lo, hi) ((WORD)(((BYTE)(lo)) | ((WORD)((BYTE)(hi))) << 8))
#  define MAKELONG(lo, hi) ((LONG)(((WORD)(lo)) | ((DWORD)((WORD)(hi))) << 16))
#  define LOWORD(l) ((WORD)(((DWORD_PTR)(l)) & 0xffff))
#  define HIWORD(l) ((WORD)((((DWORD_PTR)(l)) >> 16) & 0xffff))
#  define LOBYTE(w) ((BYTE)(((DWORD_PTR)(w)) & 0xff))
#  define HIBYTE(w) ((BYTE)((((DWORD_PTR)(w)) >> 8) & 0xff))

#  define ZeroMemory(p, n) memset((p), 0, (n))
#  define SecureZeroMemory(p, n) memset((p), 0, (n))
#  define FillMemory(p, n, v) memset((p), (v), (n))
#  define CopyMemory(d, s, n) memcpy((d), (s), (n))
#  define MoveMemory(d, s, n) memmove((d), (s), (n))
#  define RtlZeroMemory ZeroMemory
#  define RtlCopyMemory CopyMemory

#  define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#  define CONTAINING_RECORD(address, type, field) \
    ((type *)((char *)(address)-offsetof(type, field)))
#  ifndef ARRAYSIZE
#    define ARRAYSIZE(a) (sizeof(a) / sizeof((a)[0]))
#  endif
#  ifndef _countof
#    define _countof(a) (sizeof(a) / sizeof((a)[0]))
#  endif
/* winnt.h: what the heap aligns every block to (16 bytes on 64-bit
 * Windows, as glibc's malloc does). */
#  define MEMORY_ALLOCATION_ALIGNMENT 16

/* The Microsoft C runtime's names that Win32 programs use beside
 * windows.h (string.h, stdlib.h and stdio.h there): case-blind compares
 * and wide-string numbers, here without needing _GNU_SOURCE. _snprintf and
 * _vsnprintf always end the string, which Microsoft's do not when it is
 * cut (a program cannot rely on the missing terminator). */
static inline int cport_w32_strnicmp(const char *a, const char *b, size_t n) {
  for (; n > 0; a++, b++, n--) {
    int x = tolower((unsigned char)*a), y = tolower((unsigned char)*b);
    if (x != y || x == 0)
      return x - y;
  }
  return 0;
}
static inline int cport_w32_wcsnicmp(const wchar_t *a, const wchar_t *b,
                                     size_t n) {
  for (; n > 0; a++, b++, n--) {
    wint_t x = towlower((wint_t)*a), y = towlower((wint_t)*b);
    if (x != y || x == 0)
      return x < y ? -1 : x > y;
  }
  return 0;
}
static inline int cport_w32_stricmp(const char *a, const char *b) {
  return cport_w32_strnicmp(a, b, (size_t)-1);
}
static inline int cport_w32_wcsicmp(const wchar_t *a, const wchar_t *b) {
  return cport_w32_wcsnicmp(a, b, (size_t)-1);
}
#  ifndef _stricmp
#    define _stricmp cport_w32_stricmp
#  endif
#  ifndef _strnicmp
#    define _strnicmp cport_w32_strnicmp
#  endif
#  ifndef _wcsicmp
#    define _wcsicmp cport_w32_wcsicmp
#  endif
#  ifndef _wcsnicmp
#    define _wcsnicmp cport_w32_wcsnicmp
#  endif
#  ifndef _wtoi
#    define _wtoi(s) ((int)wcstol(s, NULL, 10))
#  endif
#  ifndef _wtol
#    define _wtol(s) wcstol(s, NULL, 10)
#  endif
#  ifndef _atoi64
#    define _atoi64(s) strtoll(s, NULL, 10)
#  endif
#  ifndef _snprintf
#    define _snprintf snprintf
#  endif
#  ifndef _vsnprintf
#    define _vsnprintf vsnprintf
#  endif
/* _aligned_malloc(size, alignment), alignment a power of two (else NULL),
 * and _aligned_free, the only way its blocks go back: the block malloc
 * gave is kept just before the aligned one. */
static inline void *cport_w32_aligned_malloc(size_t size, size_t align) {
  if (align == 0 || (align & (align - 1)) != 0 ||
      size > (size_t)-1 - align - sizeof(void *))
    return NULL;
  char *raw = (char *)malloc(size + align + sizeof(void *));
  if (raw == NULL)
    return NULL;
  uintptr_t at =
      ((uintptr_t)(raw + sizeof(void *)) + align - 1) & ~(uintptr_t)(align - 1);
  memcpy((char *)at - sizeof(void *), &raw, sizeof(raw));
  return (void *)at;
}
static inline void cport_w32_aligned_free(void *p) {
  if (p != NULL) {
    void *raw;
    memcpy(&raw, (char *)p - sizeof(void *), sizeof(raw));
    free(raw);
  }
}
#  ifndef _aligned_malloc
#    define _aligned_malloc cport_w32_aligned_malloc
#  endif
#  ifndef _aligned_free
#    define _aligned_free cport_w32_aligned_free
#  endif

/* windef.h's min and max; NOMINMAX leaves them out as on Windows. In C
 * they are the macros. In C++ they are function templates instead: the
 * macros would break libstdc++'s own headers (std::min, numeric_limits'
 * max()) included after this one, which MSVC's library survives. A call
 * with two arguments of one type finds std::min/std::max first where
 * `using namespace std` brings them in (they are more specialised);
 * mixed types get the macro's answer. */
#  if !defined(NOMINMAX)
#    if !defined(__cplusplus)
#      ifndef min
#        define min(a, b) (((a) < (b)) ? (a) : (b))
#      endif
#      ifndef max
#        define max(a, b) (((a) > (b)) ? (a) : (b))
#      endif
#    elif __cplusplus >= 201103L
extern "C++" {
/* The conditional's type without its reference: a value, not a reference
 * to a parameter. */
template <class T> struct cport_w32_value { typedef T type; };
template <class T> struct cport_w32_value<T &> { typedef T type; };
#      ifndef min
template <class A, class B>
inline auto min(A a, B b) ->
    typename cport_w32_value<decltype((a < b) ? a : b)>::type {
  return (a < b) ? a : b;
}
#      endif
#      ifndef max
template <class A, class B>
inline auto max(A a, B b) ->
    typename cport_w32_value<decltype((a > b) ? a : b)>::type {
  return (a > b) ? a : b;
}
#      endif
}
#    endif
#  endif

/* ------------------------------------------------------------------------ */
/* Win32 errors (winerror.h)                                                 */
/* ------------------------------------------------------------------------ */

#  define ERROR_SUCCESS 0u
#  define NO_ERROR 0u
#  define ERROR_INVALID_FUNCTION 1u
#  define ERROR_FILE_NOT_FOUND 2u
#  define ERROR_PATH_NOT_FOUND 3u
#  define ERROR_TOO_MANY_OPEN_FILES 4u
#  define ERROR_ACCESS_DENIED 5u
#  define ERROR_INVALID_HANDLE 6u
#  define ERROR_NOT_ENOUGH_MEMORY 8u
#  define ERROR_INVALID_ACCESS 12u
#  define ERROR_INVALID_DATA 13u
#  define ERROR_OUTOFMEMORY 14u
#  define ERROR_NO_MORE_FILES 18u
#  define ERROR_WRITE_FAULT 29u
#  define ERROR_READ_FAULT 30u
#  define ERROR_SHARING_VIOLATION 32u
#  define ERROR_LOCK_VIOLATION 33u
#  define ERROR_HANDLE_EOF 38u
#  define ERROR_HANDLE_DISK_FULL 39u
#  define ERROR_NOT_SUPPORTED 50u
#  define ERROR_UNEXP_NET_ERR 59u
#  define ERROR_NETNAME_DELETED 64u
#  define ERROR_FILE_EXISTS 80u
#  define ERROR_INVALID_PARAMETER 87u
#  define ERROR_BROKEN_PIPE 109u
#  define ERROR_BUFFER_OVERFLOW 111u
#  define ERROR_DISK_FULL 112u
#  define ERROR_CALL_NOT_IMPLEMENTED 120u
#  define ERROR_INSUFFICIENT_BUFFER 122u
#  define ERROR_INVALID_NAME 123u
#  define ERROR_MOD_NOT_FOUND 126u
#  define ERROR_PROC_NOT_FOUND 127u
#  define ERROR_NEGATIVE_SEEK 131u
#  define ERROR_DIR_NOT_EMPTY 145u
#  define ERROR_NOT_LOCKED 158u
#  define ERROR_BAD_PATHNAME 161u
#  define ERROR_ALREADY_EXISTS 183u
#  define ERROR_ENVVAR_NOT_FOUND 203u
#  define ERROR_FILENAME_EXCED_RANGE 206u
#  define ERROR_MORE_DATA 234u
#  define WAIT_TIMEOUT 258u
#  define ERROR_NOT_OWNER 288u
#  define ERROR_TOO_MANY_POSTS 298u
#  define ERROR_MR_MID_NOT_FOUND 317u
#  define ERROR_INVALID_ADDRESS 487u
#  define ERROR_ABANDONED_WAIT_0 735u
#  define ERROR_OPERATION_ABORTED 995u
#  define ERROR_IO_INCOMPLETE 996u
#  define ERROR_IO_PENDING 997u
#  define ERROR_NOACCESS 998u
#  define ERROR_INVALID_FLAGS 1004u
#  define ERROR_FILE_INVALID 1006u
#  define ERROR_NO_UNICODE_TRANSLATION 1113u
#  define ERROR_MAPPED_ALIGNMENT 1132u
#  define ERROR_NOT_FOUND 1168u
#  define ERROR_CANCELLED 1223u
#  define ERROR_CONNECTION_REFUSED 1225u
#  define ERROR_GRACEFUL_DISCONNECT 1226u
#  define ERROR_NETWORK_UNREACHABLE 1231u
#  define ERROR_HOST_UNREACHABLE 1232u
#  define ERROR_PORT_UNREACHABLE 1234u
#  define ERROR_CONNECTION_ABORTED 1236u
#  define ERROR_NO_SYSTEM_RESOURCES 1450u
#  define ERROR_TIMEOUT 1460u

/* ------------------------------------------------------------------------ */
/* Winsock errors (winsock2.h)                                               */
/* ------------------------------------------------------------------------ */

#  define WSA_IO_PENDING 997
#  define WSA_IO_INCOMPLETE 996
#  define WSA_OPERATION_ABORTED 995
#  define WSA_INVALID_HANDLE 6
#  define WSA_INVALID_PARAMETER 87
#  define WSA_NOT_ENOUGH_MEMORY 8
#  define WSAEINTR 10004
#  define WSAEBADF 10009
#  define WSAEACCES 10013
#  define WSAEFAULT 10014
#  define WSAEINVAL 10022
#  define WSAEMFILE 10024
#  define WSAEWOULDBLOCK 10035
#  define WSAEINPROGRESS 10036
#  define WSAEALREADY 10037
#  define WSAENOTSOCK 10038
#  define WSAEDESTADDRREQ 10039
#  define WSAEMSGSIZE 10040
#  define WSAEPROTOTYPE 10041
#  define WSAENOPROTOOPT 10042
#  define WSAEPROTONOSUPPORT 10043
#  define WSAESOCKTNOSUPPORT 10044
#  define WSAEOPNOTSUPP 10045
#  define WSAEPFNOSUPPORT 10046
#  define WSAEAFNOSUPPORT 10047
#  define WSAEADDRINUSE 10048
#  define WSAEADDRNOTAVAIL 10049
#  define WSAENETDOWN 10050
#  define WSAENETUNREACH 10051
#  define WSAENETRESET 10052
#  define WSAECONNABORTED 10053
#  define WSAECONNRESET 10054
#  define WSAENOBUFS 10055
#  define WSAEISCONN 10056
#  define WSAENOTCONN 10057
#  define WSAESHUTDOWN 10058
#  define WSAETOOMANYREFS 10059
#  define WSAETIMEDOUT 10060
#  define WSAECONNREFUSED 10061
#  define WSAELOOP 10062
#  define WSAENAMETOOLONG 10063
#  define WSAEHOSTDOWN 10064
#  define WSAEHOSTUNREACH 10065
#  define WSAENOTEMPTY 10066
#  define WSAEPROCLIM 10067
#  define WSAEUSERS 10068
#  define WSAEDQUOT 10069
#  define WSAESTALE 10070
#  define WSAEREMOTE 10071
#  define WSASYSNOTREADY 10091
#  define WSAVERNOTSUPPORTED 10092
#  define WSANOTINITIALISED 10093
#  define WSAEDISCON 10101
#  define WSAENOMORE 10102
#  define WSAECANCELLED 10103
#  define WSAEINVALIDPROCTABLE 10104
#  define WSAEINVALIDPROVIDER 10105
#  define WSAEPROVIDERFAILEDINIT 10106
#  define WSASYSCALLFAILURE 10107
#  define WSASERVICE_NOT_FOUND 10108
#  define WSA_E_NO_MORE 10110
#  define WSA_E_CANCELLED 10111
#  define WSAEREFUSED 10112
#  define WSATYPE_NOT_FOUND 10109
#  define WSAHOST_NOT_FOUND 11001
#  define WSATRY_AGAIN 11002
#  define WSANO_RECOVERY 11003
#  define WSANO_DATA 11004

/* ------------------------------------------------------------------------ */
/* HRESULT                                                                   */
/* ------------------------------------------------------------------------ */

#  define S_OK ((HRESULT)0)
#  define S_FALSE ((HRESULT)1)
#  define E_NOTIMPL ((HRESULT)0x80004001u)
#  define E_POINTER ((HRESULT)0x80004003u)
#  define E_ABORT ((HRESULT)0x80004004u)
#  define E_FAIL ((HRESULT)0x80004005u)
#  define E_UNEXPECTED ((HRESULT)0x8000FFFFu)
#  define E_ACCESSDENIED ((HRESULT)0x80070005u)
#  define E_HANDLE ((HRESULT)0x80070006u)
#  define E_OUTOFMEMORY ((HRESULT)0x8007000Eu)
#  define E_INVALIDARG ((HRESULT)0x80070057u)
#  define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#  define FAILED(hr) (((HRESULT)(hr)) < 0)
#  define HRESULT_FROM_WIN32(x) \
    ((HRESULT)(x) <= 0          \
         ? (HRESULT)(x)         \
         : (HRESULT)((((DWORD)(x)) & 0x0000FFFFu) | (7u << 16) | 0x80000000u))

/* ------------------------------------------------------------------------ */
/* The last error, and its text                                              */
/* ------------------------------------------------------------------------ */

/* One value per thread, shared by GetLastError and WSAGetLastError as on
 * Windows. */
CPORT_WIN32_API DWORD GetLastError(void);
CPORT_WIN32_API void SetLastError(DWORD err);
CPORT_WIN32_API int WSAGetLastError(void);
CPORT_WIN32_API void WSASetLastError(int err);

#  define FORMAT_MESSAGE_ALLOCATE_BUFFER 0x00000100u
#  define FORMAT_MESSAGE_IGNORE_INSERTS 0x00000200u
#  define FORMAT_MESSAGE_FROM_STRING 0x00000400u
#  define FORMAT_MESSAGE_FROM_HMODULE 0x00000800u
#  define FORMAT_MESSAGE_FROM_SYSTEM 0x00001000u
#  define FORMAT_MESSAGE_ARGUMENT_ARRAY 0x00002000u
#  define FORMAT_MESSAGE_MAX_WIDTH_MASK 0x000000FFu

#  define LANG_NEUTRAL 0x00
#  define LANG_ENGLISH 0x09
#  define SUBLANG_NEUTRAL 0x00
#  define SUBLANG_DEFAULT 0x01
#  define SUBLANG_SYS_DEFAULT 0x02
#  define SUBLANG_ENGLISH_US 0x01
#  define MAKELANGID(p, s) ((((WORD)(s)) << 10) | (WORD)(p))

/*
 * The English text of a system error code (Win32 and WSA codes), ending
 * in "\r\n" as on Windows. FORMAT_MESSAGE_FROM_SYSTEM is required (with
 * or without ALLOCATE_BUFFER, IGNORE_INSERTS, MAX_WIDTH_MASK); source,
 * FROM_STRING and FROM_HMODULE are refused with ERROR_INVALID_PARAMETER,
 * and a code without a text fails with ERROR_MR_MID_NOT_FOUND. Returns the
 * characters stored, without the terminating NUL, or 0.
 */
CPORT_WIN32_API DWORD FormatMessageA(DWORD flags, LPCVOID source, DWORD id,
                                     DWORD lang, LPSTR buf, DWORD size,
                                     va_list *args);
CPORT_WIN32_API DWORD FormatMessageW(DWORD flags, LPCVOID source, DWORD id,
                                     DWORD lang, LPWSTR buf, DWORD size,
                                     va_list *args);
#  define FormatMessage CPORT_W32_AW(FormatMessage)

/* ------------------------------------------------------------------------ */
/* OVERLAPPED                                                                */
/* ------------------------------------------------------------------------ */

/*
 * The layout of Windows' OVERLAPPED, followed by cport's operation record
 * (OVERLAPPED *is* a cport_op_t here, so it is larger than on Windows).
 * Internal is STATUS_PENDING while the op runs and its status as soon as
 * it ends (whether or not a thread waits on the port); InternalHigh the
 * bytes. hEvent, if set, is signalled when the op ends; with its low bit
 * set the op's completion is not queued to the port.
 */
typedef struct _OVERLAPPED {
  ULONG_PTR Internal;
  ULONG_PTR InternalHigh;
  CPORT_W32_NAMELESS union {
    CPORT_W32_NAMELESS struct {
      DWORD Offset;
      DWORD OffsetHigh;
    };
    PVOID Pointer;
  };
  HANDLE hEvent;
  void *cport_reserved_data; /* the layer's: the thread that issued it */
  uintptr_t cport_reserved[27];
} OVERLAPPED, *LPOVERLAPPED;

#  define STATUS_PENDING ((DWORD)0x00000103u)
#  define STATUS_SUCCESS ((DWORD)0x00000000u)
#  define STATUS_WAIT_0 ((DWORD)0x00000000u)
#  define NT_SUCCESS(status) (((NTSTATUS)(status)) >= 0)
/* ntstatus.h's codes for what a socket or file op ends with: the values
 * OVERLAPPED.Internal holds once the op failed. */
#  ifndef STATUS_CANCELLED
#    define STATUS_BUFFER_OVERFLOW ((NTSTATUS)0x80000005L)
#    define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001L)
#    define STATUS_INVALID_HANDLE ((NTSTATUS)0xC0000008L)
#    define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000DL)
#    define STATUS_END_OF_FILE ((NTSTATUS)0xC0000011L)
#    define STATUS_NO_MEMORY ((NTSTATUS)0xC0000017L)
#    define STATUS_ACCESS_DENIED ((NTSTATUS)0xC0000022L)
#    define STATUS_PIPE_DISCONNECTED ((NTSTATUS)0xC00000B0L)
#    define STATUS_IO_TIMEOUT ((NTSTATUS)0xC00000B5L)
#    define STATUS_NOT_SUPPORTED ((NTSTATUS)0xC00000BBL)
#    define STATUS_CANCELLED ((NTSTATUS)0xC0000120L)
#    define STATUS_LOCAL_DISCONNECT ((NTSTATUS)0xC000013BL)
#    define STATUS_REMOTE_DISCONNECT ((NTSTATUS)0xC000013CL)
#    define STATUS_INVALID_CONNECTION ((NTSTATUS)0xC0000140L)
#    define STATUS_CONNECTION_RESET ((NTSTATUS)0xC000020DL)
#    define STATUS_CONNECTION_REFUSED ((NTSTATUS)0xC0000236L)
#    define STATUS_CONNECTION_ABORTED ((NTSTATUS)0xC0000241L)
#    define STATUS_PORT_UNREACHABLE ((NTSTATUS)0xC000023FL)
#  endif
/* An atomic read: the op's end writes Internal from another thread. */
#  define HasOverlappedIoCompleted(ov)                              \
    (((DWORD)__atomic_load_n(&(ov)->Internal, __ATOMIC_ACQUIRE)) != \
     STATUS_PENDING)

typedef struct _OVERLAPPED_ENTRY {
  ULONG_PTR lpCompletionKey;
  LPOVERLAPPED lpOverlapped;
  ULONG_PTR Internal;
  DWORD dwNumberOfBytesTransferred;
} OVERLAPPED_ENTRY, *LPOVERLAPPED_ENTRY;

typedef VOID(WINAPI *LPOVERLAPPED_COMPLETION_ROUTINE)(DWORD, DWORD,
                                                      LPOVERLAPPED);

/* ------------------------------------------------------------------------ */
/* Completion ports                                                          */
/* ------------------------------------------------------------------------ */

CPORT_WIN32_API HANDLE CreateIoCompletionPort(HANDLE file, HANDLE port,
                                              ULONG_PTR key, DWORD threads);
/* A port handle already closed: FALSE, ERROR_INVALID_HANDLE. A thread
 * waiting when its port is closed: FALSE, ERROR_ABANDONED_WAIT_0. */
CPORT_WIN32_API BOOL GetQueuedCompletionStatus(HANDLE port, LPDWORD bytes,
                                               PULONG_PTR key, LPOVERLAPPED *ov,
                                               DWORD ms);
CPORT_WIN32_API BOOL GetQueuedCompletionStatusEx(HANDLE port,
                                                 LPOVERLAPPED_ENTRY entries,
                                                 ULONG count, PULONG removed,
                                                 DWORD ms, BOOL alertable);
CPORT_WIN32_API BOOL PostQueuedCompletionStatus(HANDLE port, DWORD bytes,
                                                ULONG_PTR key, LPOVERLAPPED ov);

/* The result of an overlapped op, from any thread, with or without a
 * thread on the port: ERROR_IO_INCOMPLETE while it runs and wait is
 * FALSE. */
CPORT_WIN32_API BOOL GetOverlappedResult(HANDLE h, LPOVERLAPPED ov,
                                         LPDWORD bytes, BOOL wait);
CPORT_WIN32_API BOOL GetOverlappedResultEx(HANDLE h, LPOVERLAPPED ov,
                                           LPDWORD bytes, DWORD ms,
                                           BOOL alertable);

/* CancelIo: the calling thread's ops on h; CancelIoEx: one op, or all of
 * h's (ov NULL), whoever issued them. */
CPORT_WIN32_API BOOL CancelIo(HANDLE h);
CPORT_WIN32_API BOOL CancelIoEx(HANDLE h, LPOVERLAPPED ov);
/* CancelSynchronousIo: the blocking I/O call the thread `thread` is in
 * (its handle, or GetCurrentThread()) ends at once with
 * ERROR_OPERATION_ABORTED (WSA_OPERATION_ABORTED, the same number, from
 * the Winsock calls): recv, send, recvfrom, sendto, WSARecv, WSASend,
 * WSARecvFrom, WSASendTo without an OVERLAPPED, accept, WSAAccept,
 * connect, WSAConnectByName, ReadFile / WriteFile on a socket, on a
 * named pipe no port has, or on a descriptor that waits (the console, a
 * FIFO). Bytes a send or a read already moved are reported as its
 * result; a cancelled connect's attempt is dropped. Returns once the call
 * has left it. Not interrupted: a disk file's I/O (it ends by itself), a
 * named pipe's I/O in the call on a handle a port has, waits on objects
 * (WaitForSingleObject & co.), select, WSAPoll, LockFileEx, name lookups
 * (getaddrinfo & co.). The thread in no such call (or its
 * call ended first): FALSE, ERROR_NOT_FOUND; not a thread handle:
 * ERROR_INVALID_HANDLE. The call is interrupted with the signal
 * SIGRTMAX - 1 (a handler that does nothing, installed at the first
 * cancel unless the program has one there): a thread that blocks that
 * signal, or a program with its own handler, sees a cancel only in the
 * waits that poll in 100 ms slices (a socket a port has). */
CPORT_WIN32_API BOOL CancelSynchronousIo(HANDLE thread);

#  define FILE_SKIP_COMPLETION_PORT_ON_SUCCESS 0x1
#  define FILE_SKIP_SET_EVENT_ON_HANDLE 0x2
/* Modes are added, never cleared (as on Windows). */
CPORT_WIN32_API BOOL SetFileCompletionNotificationModes(HANDLE h, UCHAR flags);

/* Ports, threads, events, mutexes, semaphores, files and sockets. */
CPORT_WIN32_API BOOL CloseHandle(HANDLE h);

#  define DUPLICATE_CLOSE_SOURCE 0x00000001u
#  define DUPLICATE_SAME_ACCESS 0x00000002u
/* Within the current process only (GetCurrentProcess() as both process
 * handles; any other: ERROR_INVALID_HANDLE). A second handle to a port,
 * thread, event, mutex, semaphore or waitable timer: the object lives
 * until its last handle is closed. GetCurrentThread() gives a real handle
 * to the calling thread (waitable, QueueUserAPC, GetExitCodeThread), also
 * for a thread the layer did not start. Descriptors (files, sockets,
 * pipes, stdin) and GetCurrentProcess() itself: ERROR_NOT_SUPPORTED.
 * DUPLICATE_CLOSE_SOURCE closes the source even when the call fails.
 * The access asked for is not checked; nothing is inherited. */
CPORT_WIN32_API BOOL DuplicateHandle(HANDLE src_process, HANDLE src,
                                     HANDLE target_process, LPHANDLE target,
                                     DWORD access, BOOL inherit, DWORD options);

/* ------------------------------------------------------------------------ */
/* Files                                                                     */
/* ------------------------------------------------------------------------ */

typedef struct _SECURITY_ATTRIBUTES {
  DWORD nLength;
  LPVOID lpSecurityDescriptor;
  BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

#  define GENERIC_READ 0x80000000u
#  define GENERIC_WRITE 0x40000000u
#  define GENERIC_EXECUTE 0x20000000u
#  define GENERIC_ALL 0x10000000u
#  define FILE_READ_DATA 0x0001u
#  define FILE_WRITE_DATA 0x0002u
#  define FILE_APPEND_DATA 0x0004u
#  define DELETE 0x00010000u
#  define FILE_SHARE_READ 0x1u
#  define FILE_SHARE_WRITE 0x2u
#  define FILE_SHARE_DELETE 0x4u
#  define CREATE_NEW 1u
#  define CREATE_ALWAYS 2u
#  define OPEN_EXISTING 3u
#  define OPEN_ALWAYS 4u
#  define TRUNCATE_EXISTING 5u
#  define FILE_ATTRIBUTE_READONLY 0x1u
#  define FILE_ATTRIBUTE_HIDDEN 0x2u
#  define FILE_ATTRIBUTE_SYSTEM 0x4u
#  define FILE_ATTRIBUTE_DIRECTORY 0x10u
#  define FILE_ATTRIBUTE_ARCHIVE 0x20u
#  define FILE_ATTRIBUTE_NORMAL 0x80u
#  define FILE_ATTRIBUTE_TEMPORARY 0x100u
#  define INVALID_FILE_ATTRIBUTES ((DWORD)-1)
#  define FILE_FLAG_WRITE_THROUGH 0x80000000u
#  define FILE_FLAG_OVERLAPPED 0x40000000u
#  define FILE_FLAG_NO_BUFFERING 0x20000000u
#  define FILE_FLAG_RANDOM_ACCESS 0x10000000u
#  define FILE_FLAG_SEQUENTIAL_SCAN 0x08000000u
#  define FILE_FLAG_DELETE_ON_CLOSE 0x04000000u
#  define FILE_FLAG_BACKUP_SEMANTICS 0x02000000u
/* LockFileEx's flags. */
#  define LOCKFILE_FAIL_IMMEDIATELY 0x1u
#  define LOCKFILE_EXCLUSIVE_LOCK 0x2u
#  define FILE_BEGIN 0u
#  define FILE_CURRENT 1u
#  define FILE_END 2u
#  define INVALID_SET_FILE_POINTER ((DWORD)-1)
#  define INVALID_FILE_SIZE ((DWORD)0xFFFFFFFFu)
#  define FILE_TYPE_UNKNOWN 0x0000u
#  define FILE_TYPE_DISK 0x0001u
#  define FILE_TYPE_CHAR 0x0002u
#  define FILE_TYPE_PIPE 0x0003u
#  define MOVEFILE_REPLACE_EXISTING 0x1u
#  define MOVEFILE_COPY_ALLOWED 0x2u
#  define MOVEFILE_WRITE_THROUGH 0x8u

/*
 * Opens a file for overlapped or plain I/O. The path's directory missing:
 * ERROR_PATH_NOT_FOUND. A directory opens with FILE_FLAG_BACKUP_SEMANTICS
 * (OPEN_EXISTING or OPEN_ALWAYS), for ReadDirectoryChangesW. FILE_FLAG_NO_BUFFERING, share modes and templates
 * are not checked (see docs/porting.md).
 */
CPORT_WIN32_API HANDLE CreateFileA(LPCSTR path, DWORD access, DWORD share,
                                   LPSECURITY_ATTRIBUTES sa, DWORD disposition,
                                   DWORD flags, HANDLE template_file);
CPORT_WIN32_API HANDLE CreateFileW(LPCWSTR path, DWORD access, DWORD share,
                                   LPSECURITY_ATTRIBUTES sa, DWORD disposition,
                                   DWORD flags, HANDLE template_file);
/* With an OVERLAPPED: at its Offset/OffsetHigh (both 0xFFFFFFFF: at the
 * end, for WriteFile). Without: at the file position, blocking. */
CPORT_WIN32_API BOOL ReadFile(HANDLE h, LPVOID buf, DWORD len, LPDWORD read,
                              LPOVERLAPPED ov);
CPORT_WIN32_API BOOL WriteFile(HANDLE h, LPCVOID buf, DWORD len,
                               LPDWORD written, LPOVERLAPPED ov);
/* With a completion routine instead of a packet: TRUE once the op started
 * (pending or done), and fn(error, bytes, ov) runs on this thread at its
 * next alertable wait (SleepEx, WaitFor...Ex, ...) after the op ends, with
 * the Win32 error GetOverlappedResult would give (0, ERROR_HANDLE_EOF,
 * ERROR_OPERATION_ABORTED, ...). hEvent is left to the program. FALSE,
 * and no routine, for an op refused at the call. */
CPORT_WIN32_API BOOL ReadFileEx(HANDLE h, LPVOID buf, DWORD len,
                                LPOVERLAPPED ov,
                                LPOVERLAPPED_COMPLETION_ROUTINE fn);
CPORT_WIN32_API BOOL WriteFileEx(HANDLE h, LPCVOID buf, DWORD len,
                                 LPOVERLAPPED ov,
                                 LPOVERLAPPED_COMPLETION_ROUTINE fn);

/* Directory change notifications (ReadDirectoryChangesW). */
#  define FILE_LIST_DIRECTORY 0x0001u
#  define FILE_NOTIFY_CHANGE_FILE_NAME 0x00000001u
#  define FILE_NOTIFY_CHANGE_DIR_NAME 0x00000002u
#  define FILE_NOTIFY_CHANGE_ATTRIBUTES 0x00000004u
#  define FILE_NOTIFY_CHANGE_SIZE 0x00000008u
#  define FILE_NOTIFY_CHANGE_LAST_WRITE 0x00000010u
#  define FILE_NOTIFY_CHANGE_LAST_ACCESS 0x00000020u
#  define FILE_NOTIFY_CHANGE_CREATION 0x00000040u
#  define FILE_NOTIFY_CHANGE_SECURITY 0x00000100u
#  define FILE_ACTION_ADDED 0x00000001u
#  define FILE_ACTION_REMOVED 0x00000002u
#  define FILE_ACTION_MODIFIED 0x00000003u
#  define FILE_ACTION_RENAMED_OLD_NAME 0x00000004u
#  define FILE_ACTION_RENAMED_NEW_NAME 0x00000005u
#  define ERROR_NOTIFY_CLEANUP 745u
#  define ERROR_NOTIFY_ENUM_DIR 1022u

/** One change ReadDirectoryChangesW reports: records follow one another
 * at NextEntryOffset bytes (DWORD-aligned; 0 in the last). FileName is
 * FileNameLength bytes of WCHARs (wchar_t: 4 bytes each on Linux), not
 * NUL-terminated, relative to the watched directory, with '\\' between
 * the names of a subtree's path. */
typedef struct _FILE_NOTIFY_INFORMATION {
  DWORD NextEntryOffset; /**< bytes to the next record; 0: the last */
  DWORD Action;          /**< FILE_ACTION_* */
  DWORD FileNameLength;  /**< bytes of FileName */
  WCHAR FileName[1];     /**< the name, FileNameLength bytes */
} FILE_NOTIFY_INFORMATION, *PFILE_NOTIFY_INFORMATION;

/** ReadDirectoryChangesExW's kinds of record. */
typedef enum _READ_DIRECTORY_NOTIFY_INFORMATION_CLASS {
  ReadDirectoryNotifyInformation = 1,     /**< FILE_NOTIFY_INFORMATION */
  ReadDirectoryNotifyExtendedInformation, /**< not supported on Linux */
  ReadDirectoryNotifyFullInformation,     /**< not supported on Linux */
  ReadDirectoryNotifyMaximumInformation
} READ_DIRECTORY_NOTIFY_INFORMATION_CLASS,
    *PREAD_DIRECTORY_NOTIFY_INFORMATION_CLASS;

/*
 * Changes in the directory h (CreateFile with FILE_FLAG_BACKUP_SEMANTICS
 * and FILE_LIST_DIRECTORY or GENERIC_READ), or in its tree with subtree,
 * as FILE_NOTIFY_INFORMATION records in buf (DWORD-aligned, len bytes),
 * over inotify. The first call on a handle sets its filter, its subtree
 * and the size of the handle's buffer of changes (len, at most 64 KiB):
 * changes are collected from then on, between calls too, and returned by
 * the next call. Changes that overflow that buffer, or the caller's, or
 * inotify's queue are dropped: an overlapped call ends with success and 0
 * bytes, a synchronous one fails with ERROR_NOTIFY_ENUM_DIR (*returned 0);
 * the program rescans. Without an OVERLAPPED, or on a handle opened
 * without FILE_FLAG_OVERLAPPED, the call blocks until there are changes;
 * with one it returns TRUE once queued, and the result comes as every
 * overlapped op's does (the handle's port, hEvent, GetOverlappedResult),
 * or with fn its routine runs at an alertable wait. CancelIo / CancelIoEx
 * end it with ERROR_OPERATION_ABORTED; CloseHandle ends it with success
 * and 0 bytes (STATUS_NOTIFY_CLEANUP). Errors: filter 0 or bits beyond
 * 0xFFF, h no directory, fn on a handle a port has:
 * ERROR_INVALID_PARAMETER; buf not DWORD-aligned: ERROR_NOACCESS; opened
 * without FILE_LIST_DIRECTORY, or the directory itself deleted:
 * ERROR_ACCESS_DENIED. What inotify cannot
 * tell exactly: docs/porting.md.
 */
CPORT_WIN32_API BOOL ReadDirectoryChangesW(HANDLE h, LPVOID buf, DWORD len,
                                           BOOL subtree, DWORD filter,
                                           LPDWORD returned, LPOVERLAPPED ov,
                                           LPOVERLAPPED_COMPLETION_ROUTINE fn);
/* ReadDirectoryChangesW with the kind of record: only
 * ReadDirectoryNotifyInformation is supported (the others:
 * ERROR_NOT_SUPPORTED). */
CPORT_WIN32_API BOOL ReadDirectoryChangesExW(
    HANDLE h, LPVOID buf, DWORD len, BOOL subtree, DWORD filter,
    LPDWORD returned, LPOVERLAPPED ov, LPOVERLAPPED_COMPLETION_ROUTINE fn,
    READ_DIRECTORY_NOTIFY_INFORMATION_CLASS kind);
/*
 * Change notifications: FindFirstChangeNotification returns a waitable
 * handle (WaitForSingleObject, WaitForMultipleObjects(Ex),
 * RegisterWaitForSingleObject...) that becomes signalled when a change
 * matching filter (FILE_NOTIFY_CHANGE_*, as ReadDirectoryChangesW takes)
 * happens in the directory path, or in its tree with subtree; changes to
 * the directory itself are not reported. It stays signalled until
 * FindNextChangeNotification, which asks for the next change: one that
 * came since the handle was signalled signals it again at once. Errors:
 * path missing: ERROR_FILE_NOT_FOUND, or ERROR_PATH_NOT_FOUND when a
 * directory on the way is; path a file: ERROR_DIRECTORY; filter 0 or bits
 * beyond 0xFFF: ERROR_INVALID_PARAMETER (INVALID_HANDLE_VALUE is
 * returned). Over inotify, as ReadDirectoryChangesW: what it cannot tell
 * exactly, docs/porting.md.
 */
CPORT_WIN32_API HANDLE FindFirstChangeNotificationA(LPCSTR path, BOOL subtree,
                                                    DWORD filter);
CPORT_WIN32_API HANDLE FindFirstChangeNotificationW(LPCWSTR path, BOOL subtree,
                                                    DWORD filter);
/* Resets the handle and asks for the next change (ERROR_INVALID_HANDLE:
 * h is no change notification). */
CPORT_WIN32_API BOOL FindNextChangeNotification(HANDLE h);
/* Closes a change notification handle: CloseHandle, as on Windows. A
 * thread waiting on it meanwhile is not released (Windows leaves that
 * undefined), as for the layer's other objects. */
CPORT_WIN32_API BOOL FindCloseChangeNotification(HANDLE h);
CPORT_WIN32_API BOOL DeleteFileA(LPCSTR path);
CPORT_WIN32_API BOOL DeleteFileW(LPCWSTR path);
CPORT_WIN32_API DWORD GetFileSize(HANDLE h, LPDWORD high);
CPORT_WIN32_API BOOL GetFileSizeEx(HANDLE h, PLARGE_INTEGER size);
CPORT_WIN32_API DWORD SetFilePointer(HANDLE h, LONG distance, PLONG high,
                                     DWORD method);
CPORT_WIN32_API BOOL SetFilePointerEx(HANDLE h, LARGE_INTEGER distance,
                                      PLARGE_INTEGER pos, DWORD method);
CPORT_WIN32_API BOOL SetEndOfFile(HANDLE h);
/*
 * Byte-range locks (docs/porting.md), over Linux's open-file-description
 * locks: a lock belongs to the handle, from the offset in the OVERLAPPED
 * (LockFileEx, UnlockFileEx) or the arguments, for a 64-bit length.
 * LOCKFILE_EXCLUSIVE_LOCK: exclusive, else shared (the same handle may
 * hold overlapping shared locks, each unlocked on its own).
 * LOCKFILE_FAIL_IMMEDIATELY: a lock that cannot be granted fails at once
 * with ERROR_LOCK_VIOLATION. Otherwise, on a handle opened with
 * FILE_FLAG_OVERLAPPED, a lock granted at once returns TRUE (its packet
 * queued unless skip-on-success, its event set), else FALSE with
 * ERROR_IO_PENDING and it ends when granted (Internal, event, packet,
 * GetOverlappedResult), or with ERROR_OPERATION_ABORTED on CancelIo(Ex)
 * or CloseHandle; a plain handle waits in the call. A range that starts at
 * 2^63 or beyond: ERROR_NOT_SUPPORTED. LockFile: exclusive, failing
 * immediately. While the process holds a lock, ReadFile and WriteFile on
 * a range another handle locked (a write on a shared-locked range, also
 * through the locking handle) fail with ERROR_LOCK_VIOLATION.
 */
CPORT_WIN32_API BOOL LockFileEx(HANDLE h, DWORD flags, DWORD reserved,
                                DWORD len_low, DWORD len_high, LPOVERLAPPED ov);
CPORT_WIN32_API BOOL LockFile(HANDLE h, DWORD off_low, DWORD off_high,
                              DWORD len_low, DWORD len_high);
/* Releases the lock of exactly this range the handle holds, else
 * ERROR_NOT_LOCKED. Ends in the call: no packet, no event. CloseHandle
 * releases the handle's locks. */
CPORT_WIN32_API BOOL UnlockFileEx(HANDLE h, DWORD reserved, DWORD len_low,
                                  DWORD len_high, LPOVERLAPPED ov);
CPORT_WIN32_API BOOL UnlockFile(HANDLE h, DWORD off_low, DWORD off_high,
                                DWORD len_low, DWORD len_high);
CPORT_WIN32_API BOOL FlushFileBuffers(HANDLE h);
CPORT_WIN32_API DWORD GetFileType(HANDLE h);
CPORT_WIN32_API BOOL CreateDirectoryA(LPCSTR path, LPSECURITY_ATTRIBUTES sa);
CPORT_WIN32_API BOOL CreateDirectoryW(LPCWSTR path, LPSECURITY_ATTRIBUTES sa);
CPORT_WIN32_API BOOL RemoveDirectoryA(LPCSTR path);
CPORT_WIN32_API BOOL RemoveDirectoryW(LPCWSTR path);
CPORT_WIN32_API DWORD GetFileAttributesA(LPCSTR path);
CPORT_WIN32_API DWORD GetFileAttributesW(LPCWSTR path);
/* MOVEFILE_REPLACE_EXISTING, and MOVEFILE_COPY_ALLOWED: across file
 * systems a file is copied, then deleted if it can be (the call succeeds
 * either way, as documented; without the flag: ERROR_NOT_SAME_DEVICE). Every path call takes '\\' as a separator. */
CPORT_WIN32_API BOOL MoveFileExA(LPCSTR from, LPCSTR to, DWORD flags);
CPORT_WIN32_API BOOL MoveFileExW(LPCWSTR from, LPCWSTR to, DWORD flags);

#  define CreateFile CPORT_W32_AW(CreateFile)
#  define DeleteFile CPORT_W32_AW(DeleteFile)
#  define CreateDirectory CPORT_W32_AW(CreateDirectory)
#  define RemoveDirectory CPORT_W32_AW(RemoveDirectory)
#  define GetFileAttributes CPORT_W32_AW(GetFileAttributes)
#  define MoveFileEx CPORT_W32_AW(MoveFileEx)
#  define FindFirstChangeNotification CPORT_W32_AW(FindFirstChangeNotification)

/*
 * Named pipes (pipes.c): "\\.\pipe\NAME" (case-blind, as on Windows) is
 * an abstract AF_UNIX socket name on Linux, so nothing is left on disk.
 * Byte pipes are SOCK_STREAM, message pipes SOCK_SEQPACKET. Every
 * instance of a name lives in the process that created the first one.
 * Byte pipes do overlapped I/O through the port like sockets; message
 * pipes do their I/O in the call (overlapped calls on a message pipe
 * opened with FILE_FLAG_OVERLAPPED fail with ERROR_NOT_SUPPORTED). A read
 * whose other end is gone fails with ERROR_BROKEN_PIPE, a write with
 * ERROR_NO_DATA; a message longer than the buffer: ERROR_MORE_DATA, and
 * the rest comes with the next read. See docs/porting.md.
 */
#  define ERROR_BAD_NETPATH 53u
#  define ERROR_SEM_TIMEOUT 121u
#  define ERROR_BAD_PIPE 230u
#  define ERROR_PIPE_BUSY 231u
#  define ERROR_NO_DATA 232u
#  define ERROR_PIPE_NOT_CONNECTED 233u
#  define ERROR_PIPE_CONNECTED 535u
#  define ERROR_PIPE_LISTENING 536u
#  define PIPE_ACCESS_INBOUND 0x1u
#  define PIPE_ACCESS_OUTBOUND 0x2u
#  define PIPE_ACCESS_DUPLEX 0x3u
#  define FILE_FLAG_FIRST_PIPE_INSTANCE 0x00080000u
#  define PIPE_WAIT 0x0u
#  define PIPE_NOWAIT 0x1u
#  define PIPE_READMODE_BYTE 0x0u
#  define PIPE_READMODE_MESSAGE 0x2u
#  define PIPE_TYPE_BYTE 0x0u
#  define PIPE_TYPE_MESSAGE 0x4u
#  define PIPE_ACCEPT_REMOTE_CLIENTS 0x0u
#  define PIPE_REJECT_REMOTE_CLIENTS 0x8u
#  define PIPE_UNLIMITED_INSTANCES 255u
#  define PIPE_CLIENT_END 0x0u
#  define PIPE_SERVER_END 0x1u
#  define NMPWAIT_USE_DEFAULT_WAIT 0x0u
#  define NMPWAIT_NOWAIT 0x1u
#  define NMPWAIT_WAIT_FOREVER 0xFFFFFFFFu

/* Creates an instance of a named pipe, not yet connected (a client may
 * connect to it at once). Bad names: ERROR_INVALID_NAME; more instances
 * than the first one allowed: ERROR_PIPE_BUSY; FILE_FLAG_FIRST_PIPE_INSTANCE
 * when the name exists: ERROR_ACCESS_DENIED; PIPE_NOWAIT:
 * ERROR_NOT_SUPPORTED. */
CPORT_WIN32_API HANDLE CreateNamedPipeA(LPCSTR name, DWORD open_mode,
                                        DWORD pipe_mode, DWORD max_instances,
                                        DWORD out_size, DWORD in_size,
                                        DWORD timeout_ms,
                                        LPSECURITY_ATTRIBUTES sa);
CPORT_WIN32_API HANDLE CreateNamedPipeW(LPCWSTR name, DWORD open_mode,
                                        DWORD pipe_mode, DWORD max_instances,
                                        DWORD out_size, DWORD in_size,
                                        DWORD timeout_ms,
                                        LPSECURITY_ATTRIBUTES sa);
/* Waits for a client on a server instance (an accept). Overlapped: FALSE
 * with ERROR_IO_PENDING, and the end comes as every overlapped op's does;
 * a client that connected before the call: FALSE with
 * ERROR_PIPE_CONNECTED, connected, and nothing queued. */
CPORT_WIN32_API BOOL ConnectNamedPipe(HANDLE pipe, LPOVERLAPPED ov);
/* Ends the instance's connection (the client's reads fail with
 * ERROR_BROKEN_PIPE); ConnectNamedPipe may connect it again. */
CPORT_WIN32_API BOOL DisconnectNamedPipe(HANDLE pipe);
/* Waits until an instance of the pipe can take a client: TRUE, or FALSE
 * with ERROR_SEM_TIMEOUT, or ERROR_FILE_NOT_FOUND at once when no such
 * pipe exists. */
CPORT_WIN32_API BOOL WaitNamedPipeA(LPCSTR name, DWORD timeout_ms);
CPORT_WIN32_API BOOL WaitNamedPipeW(LPCWSTR name, DWORD timeout_ms);
/* The read mode (PIPE_READMODE_BYTE / _MESSAGE; PIPE_NOWAIT:
 * ERROR_NOT_SUPPORTED); the collection settings must be NULL, as for a
 * pipe on the same computer. */
CPORT_WIN32_API BOOL SetNamedPipeHandleState(HANDLE pipe, LPDWORD mode,
                                             LPDWORD max_collection,
                                             LPDWORD collect_timeout);
/* Copies what is waiting without taking it; the bytes available, and in
 * a message pipe the bytes left of the next message. A pipe whose other
 * end is gone with nothing left: ERROR_BROKEN_PIPE. */
CPORT_WIN32_API BOOL PeekNamedPipe(HANDLE pipe, LPVOID buf, DWORD size,
                                   LPDWORD read, LPDWORD avail,
                                   LPDWORD left_this_message);
/* The end (PIPE_SERVER_END), type, buffer sizes and instance limit
 * (sizes and limit 0 for a client whose server is in another process). */
CPORT_WIN32_API BOOL GetNamedPipeInfo(HANDLE pipe, LPDWORD flags,
                                      LPDWORD out_size, LPDWORD in_size,
                                      LPDWORD max_instances);
/* A message pipe's write then read, in message read mode only
 * (ERROR_BAD_PIPE otherwise; ERROR_PIPE_BUSY with unread data waiting);
 * a longer answer: ERROR_MORE_DATA, its rest left for ReadFile. Done in
 * the call (an OVERLAPPED on an overlapped handle: ERROR_NOT_SUPPORTED). */
CPORT_WIN32_API BOOL TransactNamedPipe(HANDLE pipe, LPVOID in, DWORD in_len,
                                       LPVOID out, DWORD out_len, LPDWORD read,
                                       LPOVERLAPPED ov);
/* Opens a message pipe (waiting up to timeout_ms if every instance is
 * busy), makes one transaction and closes it: the rest of a longer answer
 * (ERROR_MORE_DATA) is lost with the handle. */
CPORT_WIN32_API BOOL CallNamedPipeA(LPCSTR name, LPVOID in, DWORD in_len,
                                    LPVOID out, DWORD out_len, LPDWORD read,
                                    DWORD timeout_ms);
CPORT_WIN32_API BOOL CallNamedPipeW(LPCWSTR name, LPVOID in, DWORD in_len,
                                    LPVOID out, DWORD out_len, LPDWORD read,
                                    DWORD timeout_ms);
#  define CreateNamedPipe CPORT_W32_AW(CreateNamedPipe)
#  define CallNamedPipe CPORT_W32_AW(CallNamedPipe)
#  define WaitNamedPipe CPORT_W32_AW(WaitNamedPipe)

/*
 * The file system (filesystem.c): searching a directory, times and
 * information, the current directory, full paths, temporary names,
 * moving and copying. '/' and '\\' both separate components; the paths
 * go to Linux otherwise unchanged (no drive letters).
 *
 * FindFirstFile matches '*' and '?' in the last component only, without
 * regard to case ("*.*" matches every name), listing "." and ".." in a
 * directory other than the root as Windows does; no match:
 * ERROR_FILE_NOT_FOUND, no such directory: ERROR_PATH_NOT_FOUND, a
 * trailing separator always fails. FindNextFile at the end: FALSE with
 * ERROR_NO_MORE_FILES. Attributes: FILE_ATTRIBUTE_DIRECTORY, else
 * FILE_ATTRIBUTE_ARCHIVE (Linux keeps no archive bit: every file has it,
 * as every file Windows made or changed has), plus
 * FILE_ATTRIBUTE_READONLY without write permission for the owner; a
 * directory's size is 0; the creation time is
 * the birth time where the file system keeps one, else the last write;
 * cAlternateFileName is empty. Symbolic links are followed.
 */
#  define ERROR_NOT_SAME_DEVICE 17u
#  define ERROR_DIRECTORY 267u
typedef struct _WIN32_FIND_DATAA {
  DWORD dwFileAttributes;
  FILETIME ftCreationTime;
  FILETIME ftLastAccessTime;
  FILETIME ftLastWriteTime;
  DWORD nFileSizeHigh;
  DWORD nFileSizeLow;
  DWORD dwReserved0;
  DWORD dwReserved1;
  CHAR cFileName[MAX_PATH];
  CHAR cAlternateFileName[14];
} WIN32_FIND_DATAA, *PWIN32_FIND_DATAA, *LPWIN32_FIND_DATAA;
typedef struct _WIN32_FIND_DATAW {
  DWORD dwFileAttributes;
  FILETIME ftCreationTime;
  FILETIME ftLastAccessTime;
  FILETIME ftLastWriteTime;
  DWORD nFileSizeHigh;
  DWORD nFileSizeLow;
  DWORD dwReserved0;
  DWORD dwReserved1;
  WCHAR cFileName[MAX_PATH];
  WCHAR cAlternateFileName[14];
} WIN32_FIND_DATAW, *PWIN32_FIND_DATAW, *LPWIN32_FIND_DATAW;
typedef enum _GET_FILEEX_INFO_LEVELS {
  GetFileExInfoStandard,
  GetFileExMaxInfoLevel
} GET_FILEEX_INFO_LEVELS;
typedef struct _WIN32_FILE_ATTRIBUTE_DATA {
  DWORD dwFileAttributes;
  FILETIME ftCreationTime;
  FILETIME ftLastAccessTime;
  FILETIME ftLastWriteTime;
  DWORD nFileSizeHigh;
  DWORD nFileSizeLow;
} WIN32_FILE_ATTRIBUTE_DATA, *LPWIN32_FILE_ATTRIBUTE_DATA;
/* dwVolumeSerialNumber comes from st_dev, nFileIndexHigh/Low from
 * st_ino. */
typedef struct _BY_HANDLE_FILE_INFORMATION {
  DWORD dwFileAttributes;
  FILETIME ftCreationTime;
  FILETIME ftLastAccessTime;
  FILETIME ftLastWriteTime;
  DWORD dwVolumeSerialNumber;
  DWORD nFileSizeHigh;
  DWORD nFileSizeLow;
  DWORD nNumberOfLinks;
  DWORD nFileIndexHigh;
  DWORD nFileIndexLow;
} BY_HANDLE_FILE_INFORMATION, *PBY_HANDLE_FILE_INFORMATION,
    *LPBY_HANDLE_FILE_INFORMATION;
#  ifdef UNICODE
typedef WIN32_FIND_DATAW WIN32_FIND_DATA, *PWIN32_FIND_DATA, *LPWIN32_FIND_DATA;
#  else
typedef WIN32_FIND_DATAA WIN32_FIND_DATA, *PWIN32_FIND_DATA, *LPWIN32_FIND_DATA;
#  endif
CPORT_WIN32_API HANDLE FindFirstFileA(LPCSTR pattern, LPWIN32_FIND_DATAA data);
CPORT_WIN32_API HANDLE FindFirstFileW(LPCWSTR pattern, LPWIN32_FIND_DATAW data);
CPORT_WIN32_API BOOL FindNextFileA(HANDLE find, LPWIN32_FIND_DATAA data);
CPORT_WIN32_API BOOL FindNextFileW(HANDLE find, LPWIN32_FIND_DATAW data);
CPORT_WIN32_API BOOL FindClose(HANDLE find);
CPORT_WIN32_API BOOL GetFileAttributesExA(LPCSTR path,
                                          GET_FILEEX_INFO_LEVELS level,
                                          LPVOID info);
CPORT_WIN32_API BOOL GetFileAttributesExW(LPCWSTR path,
                                          GET_FILEEX_INFO_LEVELS level,
                                          LPVOID info);
CPORT_WIN32_API BOOL GetFileTime(HANDLE h, LPFILETIME creation,
                                 LPFILETIME access, LPFILETIME write);
CPORT_WIN32_API BOOL
GetFileInformationByHandle(HANDLE h, LPBY_HANDLE_FILE_INFORMATION info);
/* UTC both; FALSE with ERROR_INVALID_PARAMETER for a FILETIME above
 * 0x7FFFFFFFFFFFFFFF or a SYSTEMTIME field out of range (wDayOfWeek is
 * ignored, then set by FileTimeToSystemTime). */
CPORT_WIN32_API BOOL FileTimeToSystemTime(const FILETIME *ft, LPSYSTEMTIME st);
CPORT_WIN32_API BOOL SystemTimeToFileTime(const SYSTEMTIME *st, LPFILETIME ft);
CPORT_WIN32_API LONG CompareFileTime(const FILETIME *a, const FILETIME *b);
/* GetCurrentDirectory and GetFullPathName return the length without the
 * NUL, or the size needed with it when the buffer is too small;
 * GetFullPathName works on the text only (".", "..", separators made
 * '/') and its file part is NULL for a path that ends in a separator.
 * GetTempFileName makes <path>/<up to 3 characters of prefix><hex>.TMP
 * and returns the number used: unique's low 16 bits (the name only), or
 * when they are 0 a free number from the clock, the file created empty
 * (a missing directory: ERROR_DIRECTORY); a path longer than
 * MAX_PATH - 14 is ERROR_BUFFER_OVERFLOW. MoveFile
 * copies and deletes a file across file systems; an existing target is
 * ERROR_ALREADY_EXISTS. CopyFile keeps the attributes and the last write
 * time; fail_if_exists and a target that exists: ERROR_FILE_EXISTS. */
CPORT_WIN32_API DWORD GetCurrentDirectoryA(DWORD size, LPSTR buf);
CPORT_WIN32_API DWORD GetCurrentDirectoryW(DWORD size, LPWSTR buf);
CPORT_WIN32_API BOOL SetCurrentDirectoryA(LPCSTR path);
CPORT_WIN32_API BOOL SetCurrentDirectoryW(LPCWSTR path);
CPORT_WIN32_API DWORD GetFullPathNameA(LPCSTR path, DWORD size, LPSTR buf,
                                       LPSTR *file_part);
CPORT_WIN32_API DWORD GetFullPathNameW(LPCWSTR path, DWORD size, LPWSTR buf,
                                       LPWSTR *file_part);
CPORT_WIN32_API UINT GetTempFileNameA(LPCSTR path, LPCSTR prefix, UINT unique,
                                      LPSTR name);
CPORT_WIN32_API UINT GetTempFileNameW(LPCWSTR path, LPCWSTR prefix, UINT unique,
                                      LPWSTR name);
CPORT_WIN32_API BOOL MoveFileA(LPCSTR from, LPCSTR to);
CPORT_WIN32_API BOOL MoveFileW(LPCWSTR from, LPCWSTR to);
CPORT_WIN32_API BOOL CopyFileA(LPCSTR from, LPCSTR to, BOOL fail_if_exists);
CPORT_WIN32_API BOOL CopyFileW(LPCWSTR from, LPCWSTR to, BOOL fail_if_exists);

#  define FindFirstFile CPORT_W32_AW(FindFirstFile)
#  define FindNextFile CPORT_W32_AW(FindNextFile)
#  define GetFileAttributesEx CPORT_W32_AW(GetFileAttributesEx)
#  define GetCurrentDirectory CPORT_W32_AW(GetCurrentDirectory)
#  define SetCurrentDirectory CPORT_W32_AW(SetCurrentDirectory)
#  define GetFullPathName CPORT_W32_AW(GetFullPathName)
#  define GetTempFileName CPORT_W32_AW(GetTempFileName)
#  define MoveFile CPORT_W32_AW(MoveFile)
#  define CopyFile CPORT_W32_AW(CopyFile)

/*
 * A file's information by handle, the newer calls (fileinfo.c), and the
 * path calls beside them.
 *
 * GetFileInformationByHandleEx: FileBasicInfo, FileStandardInfo,
 * FileNameInfo, FileAttributeTagInfo, FileIdInfo, FileStorageInfo and
 * FileAlignmentInfo, with the attributes
 * and times GetFileInformationByHandle reports (ChangeTime: Linux's
 * ctime); AllocationSize is the blocks the file holds; DeletePending is
 * TRUE after a FileDispositionInfo delete. FileNameInfo gives the path
 * without a volume, which on Linux is the whole absolute path, as Linux
 * spells it ('/'), not terminated; FileNameLength counts its bytes (a
 * WCHAR is 4 bytes here). FileIdInfo: VolumeSerialNumber is
 * GetFileInformationByHandle's dwVolumeSerialNumber, FileId its file
 * index (st_ino) in the low 8 bytes. FileStorageInfo: 512-byte logical
 * sectors and the file system's block (st_blksize, at least 512) as the
 * physical sector, aligned (offsets 0); FileAlignmentInfo:
 * FILE_BYTE_ALIGNMENT, since the layer's unbuffered I/O still goes
 * through the page cache and takes any buffer. Another class: ERROR_INVALID_PARAMETER
 * (as Windows answers a class it does not support); a buffer smaller than
 * the structure: ERROR_BAD_LENGTH; FileNameInfo with room for the length
 * but not the whole name: ERROR_MORE_DATA, FileNameLength the bytes
 * needed and as much of the name as fits copied.
 *
 * SetFileInformationByHandle: FileEndOfFileInfo (ftruncate);
 * FileAllocationInfo (below the end of the file: the file is cut there,
 * as documented; above: fallocate(FALLOC_FL_KEEP_SIZE) reserves the
 * space, and on a file system that cannot reserve it the call succeeds
 * without reserving, as the size a program sees does not change);
 * FileDispositionInfo (DeleteFile TRUE: the file's current name is
 * removed when this handle is closed, FALSE takes that back; the name
 * stays usable until then, where Windows refuses new opens of a file
 * whose delete is pending); FileBasicInfo (a time of 0 is left as it is;
 * LastAccessTime and LastWriteTime are set with futimens; CreationTime
 * and ChangeTime cannot be set on Linux: a value other than the one the
 * file reports fails with ERROR_NOT_SUPPORTED, as do -1 and -2, which ask
 * Windows to stop and resume updating a time; attributes 0 are left as
 * they are, FILE_ATTRIBUTE_READONLY takes every write permission away
 * and its absence gives the owner write permission, other attributes are
 * accepted and have no effect: Linux has no bits for them); FileRenameInfo
 * (FileName, not terminated, FileNameLength bytes: a name with no
 * separator renames within the file's directory, a path renames there;
 * RootDirectory must be NULL, else ERROR_NOT_SUPPORTED;
 * ReplaceIfExists FALSE and an existing target: ERROR_ALREADY_EXISTS).
 * Another class: ERROR_INVALID_PARAMETER; a buffer smaller than the
 * structure: ERROR_BAD_LENGTH. Access rights are not checked (the layer
 * does not keep them).
 *
 * SetFileAttributes: FILE_ATTRIBUTE_READONLY on a file as above (a
 * directory's is accepted without effect, as Windows does not honour it
 * on directories); the other attributes are accepted and have no effect.
 *
 * GetFinalPathNameByHandle: the file's current absolute Linux path (from
 * /proc/self/fd), the same for FILE_NAME_NORMALIZED and FILE_NAME_OPENED
 * and for VOLUME_NAME_DOS and VOLUME_NAME_NONE: Linux has no drive
 * letters and no "\\?\" prefix opens anything here; VOLUME_NAME_GUID and
 * VOLUME_NAME_NT name volume devices Linux does not have:
 * ERROR_NOT_SUPPORTED. Returns the length without the terminator, or,
 * when the buffer is too small, the size needed with it. A file whose
 * name was deleted: ERROR_FILE_NOT_FOUND.
 *
 * GetDiskFreeSpaceEx: statvfs of the directory (NULL: the current one):
 * the bytes free to the caller (f_bavail), the total and the bytes free.
 *
 * FindFirstFileEx: FindFirstFile's search. FindExInfoStandard and
 * FindExInfoBasic (cAlternateFileName is always empty);
 * FindExSearchNameMatch, and FindExSearchLimitToDirectories, which lists
 * directories only (the documentation lets a file system ignore it, as
 * Windows' usually do); FIND_FIRST_EX_CASE_SENSITIVE matches letters
 * with their case, FIND_FIRST_EX_LARGE_FETCH and
 * FIND_FIRST_EX_ON_DISK_ENTRIES_ONLY are accepted. search_filter must be
 * NULL and the other values are ERROR_INVALID_PARAMETER.
 */
#  define ERROR_BAD_LENGTH 24u
#  define VOLUME_NAME_DOS 0x0u
#  define VOLUME_NAME_GUID 0x1u
#  define VOLUME_NAME_NT 0x2u
#  define VOLUME_NAME_NONE 0x4u
#  define FILE_NAME_NORMALIZED 0x0u
#  define FILE_NAME_OPENED 0x8u
#  define FIND_FIRST_EX_CASE_SENSITIVE 0x1u
#  define FIND_FIRST_EX_LARGE_FETCH 0x2u
#  define FIND_FIRST_EX_ON_DISK_ENTRIES_ONLY 0x4u
typedef enum _FILE_INFO_BY_HANDLE_CLASS {
  FileBasicInfo,
  FileStandardInfo,
  FileNameInfo,
  FileRenameInfo,
  FileDispositionInfo,
  FileAllocationInfo,
  FileEndOfFileInfo,
  FileStreamInfo,
  FileCompressionInfo,
  FileAttributeTagInfo,
  FileIdBothDirectoryInfo,
  FileIdBothDirectoryRestartInfo,
  FileIoPriorityHintInfo,
  FileRemoteProtocolInfo,
  FileFullDirectoryInfo,
  FileFullDirectoryRestartInfo,
  FileStorageInfo,
  FileAlignmentInfo,
  FileIdInfo,
  FileIdExtdDirectoryInfo,
  FileIdExtdDirectoryRestartInfo,
  FileDispositionInfoEx,
  FileRenameInfoEx,
  FileCaseSensitiveInfo,
  FileNormalizedNameInfo,
  MaximumFileInfoByHandleClass
} FILE_INFO_BY_HANDLE_CLASS,
    *PFILE_INFO_BY_HANDLE_CLASS;
typedef struct _FILE_BASIC_INFO {
  LARGE_INTEGER CreationTime;
  LARGE_INTEGER LastAccessTime;
  LARGE_INTEGER LastWriteTime;
  LARGE_INTEGER ChangeTime;
  DWORD FileAttributes;
} FILE_BASIC_INFO, *PFILE_BASIC_INFO;
typedef struct _FILE_STANDARD_INFO {
  LARGE_INTEGER AllocationSize;
  LARGE_INTEGER EndOfFile;
  DWORD NumberOfLinks;
  BOOLEAN DeletePending;
  BOOLEAN Directory;
} FILE_STANDARD_INFO, *PFILE_STANDARD_INFO;
typedef struct _FILE_NAME_INFO {
  DWORD FileNameLength;
  WCHAR FileName[1];
} FILE_NAME_INFO, *PFILE_NAME_INFO;
typedef struct _FILE_RENAME_INFO {
  CPORT_W32_NAMELESS union {
    BOOLEAN ReplaceIfExists;
    DWORD Flags;
  };
  HANDLE RootDirectory;
  DWORD FileNameLength;
  WCHAR FileName[1];
} FILE_RENAME_INFO, *PFILE_RENAME_INFO;
typedef struct _FILE_DISPOSITION_INFO {
  BOOLEAN DeleteFile;
} FILE_DISPOSITION_INFO, *PFILE_DISPOSITION_INFO;
typedef struct _FILE_ALLOCATION_INFO {
  LARGE_INTEGER AllocationSize;
} FILE_ALLOCATION_INFO, *PFILE_ALLOCATION_INFO;
typedef struct _FILE_END_OF_FILE_INFO {
  LARGE_INTEGER EndOfFile;
} FILE_END_OF_FILE_INFO, *PFILE_END_OF_FILE_INFO;
typedef struct _FILE_ATTRIBUTE_TAG_INFO {
  DWORD FileAttributes;
  DWORD ReparseTag;
} FILE_ATTRIBUTE_TAG_INFO, *PFILE_ATTRIBUTE_TAG_INFO;
typedef struct _FILE_ID_128 {
  BYTE Identifier[16];
} FILE_ID_128, *PFILE_ID_128;
typedef struct _FILE_ID_INFO {
  ULONGLONG VolumeSerialNumber;
  FILE_ID_128 FileId;
} FILE_ID_INFO, *PFILE_ID_INFO;
#  define STORAGE_INFO_FLAGS_ALIGNED_DEVICE 0x00000001u
#  define STORAGE_INFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE 0x00000002u
#  define STORAGE_INFO_OFFSET_UNKNOWN 0xffffffffu
typedef struct _FILE_STORAGE_INFO {
  ULONG LogicalBytesPerSector;
  ULONG PhysicalBytesPerSectorForAtomicity;
  ULONG PhysicalBytesPerSectorForPerformance;
  ULONG FileSystemEffectivePhysicalBytesPerSectorForAtomicity;
  ULONG Flags;
  ULONG ByteOffsetForSectorAlignment;
  ULONG ByteOffsetForPartitionAlignment;
} FILE_STORAGE_INFO, *PFILE_STORAGE_INFO;
#  define FILE_BYTE_ALIGNMENT 0x00000000u
#  define FILE_WORD_ALIGNMENT 0x00000001u
#  define FILE_LONG_ALIGNMENT 0x00000003u
#  define FILE_QUAD_ALIGNMENT 0x00000007u
#  define FILE_OCTA_ALIGNMENT 0x0000000fu
#  define FILE_32_BYTE_ALIGNMENT 0x0000001fu
#  define FILE_64_BYTE_ALIGNMENT 0x0000003fu
#  define FILE_128_BYTE_ALIGNMENT 0x0000007fu
#  define FILE_256_BYTE_ALIGNMENT 0x000000ffu
#  define FILE_512_BYTE_ALIGNMENT 0x000001ffu
typedef struct _FILE_ALIGNMENT_INFO {
  ULONG AlignmentRequirement;
} FILE_ALIGNMENT_INFO, *PFILE_ALIGNMENT_INFO;
typedef enum _FINDEX_INFO_LEVELS {
  FindExInfoStandard,
  FindExInfoBasic,
  FindExInfoMaxInfoLevel
} FINDEX_INFO_LEVELS;
typedef enum _FINDEX_SEARCH_OPS {
  FindExSearchNameMatch,
  FindExSearchLimitToDirectories,
  FindExSearchLimitToDevices,
  FindExSearchMaxSearchOp
} FINDEX_SEARCH_OPS;
CPORT_WIN32_API BOOL GetFileInformationByHandleEx(HANDLE h,
                                                  FILE_INFO_BY_HANDLE_CLASS cls,
                                                  LPVOID info, DWORD size);
CPORT_WIN32_API BOOL SetFileInformationByHandle(HANDLE h,
                                                FILE_INFO_BY_HANDLE_CLASS cls,
                                                LPVOID info, DWORD size);
/* SetFileTime: the access and write times (futimens, 100 ns kept to the
 * file system's precision); NULL or a FILETIME of 0 leaves a time as it
 * is. Linux cannot set a file's creation (birth) time: a creation time
 * other than the one GetFileTime reports fails with ERROR_NOT_SUPPORTED
 * and changes nothing, as does 0xFFFFFFFF:0xFFFFFFFF or
 * 0xFFFFFFFF:0xFFFFFFFE (stop / resume updating a time through this
 * handle); another value past 0x7FFFFFFFFFFFFFFF: ERROR_INVALID_PARAMETER.
 * Access rights are not checked. */
CPORT_WIN32_API BOOL SetFileTime(HANDLE h, const FILETIME *creation,
                                 const FILETIME *access, const FILETIME *write);
/* SetFileValidData: Linux keeps no valid data length apart from the size
 * (a range never written reads as zeros, never as a disk's old contents),
 * so no privilege is needed: a length from 1 to the file's size succeeds
 * and reserves the blocks up to it (fallocate, FALLOC_FL_KEEP_SIZE; a file
 * system that cannot: nothing reserved). 0, negative or past the size:
 * ERROR_INVALID_PARAMETER; not a regular file: ERROR_INVALID_PARAMETER;
 * opened without write access: ERROR_ACCESS_DENIED; no space:
 * ERROR_DISK_FULL. */
CPORT_WIN32_API BOOL SetFileValidData(HANDLE h, LONGLONG length);
CPORT_WIN32_API BOOL SetFileAttributesA(LPCSTR path, DWORD attrs);
CPORT_WIN32_API BOOL SetFileAttributesW(LPCWSTR path, DWORD attrs);
CPORT_WIN32_API DWORD GetFinalPathNameByHandleA(HANDLE h, LPSTR buf, DWORD size,
                                                DWORD flags);
CPORT_WIN32_API DWORD GetFinalPathNameByHandleW(HANDLE h, LPWSTR buf,
                                                DWORD size, DWORD flags);
/* The old form: 512-byte sectors, a cluster the file system's fragment
 * size, the cluster counts capped at 0xFFFFFFFF (Windows caps them too);
 * root NULL: the current directory. */
CPORT_WIN32_API BOOL GetDiskFreeSpaceA(LPCSTR root, LPDWORD sectors_per_cluster,
                                       LPDWORD bytes_per_sector,
                                       LPDWORD free_clusters,
                                       LPDWORD total_clusters);
CPORT_WIN32_API BOOL GetDiskFreeSpaceW(LPCWSTR root,
                                       LPDWORD sectors_per_cluster,
                                       LPDWORD bytes_per_sector,
                                       LPDWORD free_clusters,
                                       LPDWORD total_clusters);
/* A hint for the kernel's I/O on a buffer range, which Linux has no use
 * for: a file handle, a buffer and a length other than 0 are taken
 * without effect; else ERROR_INVALID_HANDLE / ERROR_INVALID_PARAMETER. */
CPORT_WIN32_API BOOL SetFileIoOverlappedRange(HANDLE h, PUCHAR start,
                                              ULONG length);
CPORT_WIN32_API BOOL GetDiskFreeSpaceExA(LPCSTR dir,
                                         PULARGE_INTEGER free_to_caller,
                                         PULARGE_INTEGER total,
                                         PULARGE_INTEGER total_free);
CPORT_WIN32_API BOOL GetDiskFreeSpaceExW(LPCWSTR dir,
                                         PULARGE_INTEGER free_to_caller,
                                         PULARGE_INTEGER total,
                                         PULARGE_INTEGER total_free);
CPORT_WIN32_API HANDLE FindFirstFileExA(LPCSTR pattern,
                                        FINDEX_INFO_LEVELS level, LPVOID data,
                                        FINDEX_SEARCH_OPS op,
                                        LPVOID search_filter, DWORD flags);
CPORT_WIN32_API HANDLE FindFirstFileExW(LPCWSTR pattern,
                                        FINDEX_INFO_LEVELS level, LPVOID data,
                                        FINDEX_SEARCH_OPS op,
                                        LPVOID search_filter, DWORD flags);
#  define SetFileAttributes CPORT_W32_AW(SetFileAttributes)
#  define GetFinalPathNameByHandle CPORT_W32_AW(GetFinalPathNameByHandle)
#  define GetDiskFreeSpaceEx CPORT_W32_AW(GetDiskFreeSpaceEx)
#  define GetDiskFreeSpace CPORT_W32_AW(GetDiskFreeSpace)
#  define FindFirstFileEx CPORT_W32_AW(FindFirstFileEx)

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */
/* ------------------------------------------------------------------------ */

typedef DWORD(WINAPI *LPTHREAD_START_ROUTINE)(LPVOID);
typedef LPTHREAD_START_ROUTINE PTHREAD_START_ROUTINE;

#  define CREATE_SUSPENDED 0x4u
#  define STACK_SIZE_PARAM_IS_A_RESERVATION 0x10000u
#  define STILL_ACTIVE 259u
/* Access rights (OpenThread, DuplicateHandle): accepted, not checked. */
#  define THREAD_TERMINATE 0x0001u
#  define THREAD_SUSPEND_RESUME 0x0002u
#  define THREAD_GET_CONTEXT 0x0008u
#  define THREAD_SET_CONTEXT 0x0010u
#  define THREAD_SET_INFORMATION 0x0020u
#  define THREAD_QUERY_INFORMATION 0x0040u
#  define THREAD_QUERY_LIMITED_INFORMATION 0x0800u
#  define THREAD_ALL_ACCESS 0x1FFFFFu
#  define TLS_OUT_OF_INDEXES 0xFFFFFFFFu

/* *id (and GetThreadId) is the thread's Linux thread id, the value
 * GetCurrentThreadId returns inside it. Of the flags, CREATE_SUSPENDED
 * counts; others are ignored, as Windows' CRT passes them on. */
CPORT_WIN32_API HANDLE CreateThread(LPSECURITY_ATTRIBUTES sa, SIZE_T stack,
                                    LPTHREAD_START_ROUTINE fn, LPVOID arg,
                                    DWORD flags, LPDWORD id);
/* The CRT's thread start (process.h): a thread HANDLE as uintptr_t, 0 on
 * failure with errno set. */
CPORT_WIN32_API uintptr_t _beginthreadex(void *security, unsigned stack,
                                         unsigned(__stdcall *fn)(void *),
                                         void *arg, unsigned flags,
                                         unsigned *id);
CPORT_WIN32_API CPORT_W32_NORETURN void _endthreadex(unsigned code);
/* The CRT's older start: the handle as uintptr_t, or (uintptr_t)-1 with
 * errno; the handle closes itself when the thread returns or calls
 * _endthread, so waiting on it is a race, as on Windows. */
CPORT_WIN32_API uintptr_t _beginthread(void(__cdecl *fn)(void *),
                                       unsigned stack, void *arg);
CPORT_WIN32_API CPORT_W32_NORETURN void _endthread(void);
CPORT_WIN32_API CPORT_W32_NORETURN void ExitThread(DWORD code);
CPORT_WIN32_API DWORD ResumeThread(HANDLE h);
/* Refused with ERROR_NOT_SUPPORTED: a POSIX thread cannot be stopped at
 * an arbitrary point without corrupting the process (Microsoft calls it
 * "a dangerous function"); end the thread by telling it to return. */
CPORT_WIN32_API BOOL TerminateThread(HANDLE h, DWORD code);
CPORT_WIN32_API BOOL GetExitCodeThread(HANDLE h, LPDWORD code);
CPORT_WIN32_API DWORD GetThreadId(HANDLE h);
CPORT_WIN32_API DWORD GetCurrentThreadId(void);
/* The pseudo handle (HANDLE)-2, as on Windows. */
CPORT_WIN32_API HANDLE GetCurrentThread(void);
/* A handle to a running thread the layer knows: one CreateThread or
 * _beginthreadex started, one that took a handle to itself
 * (DuplicateHandle of GetCurrentThread()), and the calling thread. Other
 * ids, and threads that have ended: NULL, ERROR_INVALID_PARAMETER. */
CPORT_WIN32_API HANDLE OpenThread(DWORD access, BOOL inherit, DWORD id);
CPORT_WIN32_API BOOL SwitchToThread(void);

/* APCs: QueueUserAPC queues fn(data) to a thread (a HANDLE CreateThread
 * or _beginthreadex gave, or GetCurrentThread()); it runs when that
 * thread enters an alertable wait (SleepEx, WaitForSingleObjectEx,
 * WaitForMultipleObjectsEx, WSAWaitForMultipleEvents with alertable
 * TRUE, GetQueuedCompletionStatusEx with fAlertable TRUE), which then
 * returns WAIT_IO_COMPLETION. An APC queued while the thread waits in
 * GetQueuedCompletionStatusEx runs within 10 ms. */
typedef VOID(NTAPI *PAPCFUNC)(ULONG_PTR data);
CPORT_WIN32_API DWORD QueueUserAPC(PAPCFUNC fn, HANDLE thread, ULONG_PTR data);

/* Priorities: recorded as given (GetThreadPriority returns them) and
 * applied as the thread's nice value (IDLE 19, LOWEST 10, BELOW_NORMAL
 * 5, NORMAL 0, ABOVE_NORMAL -5, HIGHEST -10, TIME_CRITICAL -20) where
 * Linux lets the process: lowering always, raising with CAP_SYS_NICE or
 * RLIMIT_NICE room; Windows priorities are hints to the scheduler too. */
#  define THREAD_PRIORITY_IDLE (-15)
#  define THREAD_PRIORITY_LOWEST (-2)
#  define THREAD_PRIORITY_BELOW_NORMAL (-1)
#  define THREAD_PRIORITY_NORMAL 0
#  define THREAD_PRIORITY_ABOVE_NORMAL 1
#  define THREAD_PRIORITY_HIGHEST 2
#  define THREAD_PRIORITY_TIME_CRITICAL 15
#  define THREAD_PRIORITY_ERROR_RETURN 0x7FFFFFFF
#  define THREAD_MODE_BACKGROUND_BEGIN 0x00010000
#  define THREAD_MODE_BACKGROUND_END 0x00020000
CPORT_WIN32_API BOOL SetThreadPriority(HANDLE thread, int priority);
CPORT_WIN32_API int GetThreadPriority(HANDLE thread);
/* The processors (bit n: processor n, the first 64) the thread may run
 * on; returns the previous mask, or 0 with ERROR_INVALID_PARAMETER for a
 * mask outside the process's. */
CPORT_WIN32_API DWORD_PTR SetThreadAffinityMask(HANDLE thread, DWORD_PTR mask);
/* process: GetCurrentProcess() only. The process's mask is the one it
 * started with (Linux has none of its own). */
CPORT_WIN32_API BOOL GetProcessAffinityMask(HANDLE process,
                                            PDWORD_PTR process_mask,
                                            PDWORD_PTR system_mask);
/* The processor the calling thread runs on now. */
CPORT_WIN32_API DWORD GetCurrentProcessorNumber(void);
/* The thread's name as tools show it (the first 15 bytes of its UTF-8). */
CPORT_WIN32_API HRESULT SetThreadDescription(HANDLE thread, PCWSTR name);

CPORT_WIN32_API DWORD TlsAlloc(void);
CPORT_WIN32_API BOOL TlsFree(DWORD index);
CPORT_WIN32_API LPVOID TlsGetValue(DWORD index);
CPORT_WIN32_API BOOL TlsSetValue(DWORD index, LPVOID value);
/* Fiber-local storage: a thread's slot (the layer has no fibers); the
 * callback runs for a thread's non-NULL value as the thread ends, not
 * for the values still set when FlsFree frees the slot. */
typedef VOID(WINAPI *PFLS_CALLBACK_FUNCTION)(PVOID data);
#  define FLS_OUT_OF_INDEXES 0xFFFFFFFFu
CPORT_WIN32_API DWORD FlsAlloc(PFLS_CALLBACK_FUNCTION callback);
CPORT_WIN32_API BOOL FlsFree(DWORD index);
CPORT_WIN32_API PVOID FlsGetValue(DWORD index);
CPORT_WIN32_API BOOL FlsSetValue(DWORD index, PVOID value);

/* ------------------------------------------------------------------------ */
/* Waits, events, mutexes, semaphores                                        */
/* ------------------------------------------------------------------------ */

#  define WAIT_OBJECT_0 0u
#  define WAIT_ABANDONED 0x80u
#  define WAIT_ABANDONED_0 0x80u
#  define WAIT_IO_COMPLETION 0xC0u
#  define WAIT_FAILED 0xFFFFFFFFu
#  define MAXIMUM_WAIT_OBJECTS 64

/* Threads, events, mutexes, semaphores, waitable timers and file, pipe or
 * socket handles, in any mix. A file, pipe or socket handle is signalled
 * when an overlapped op without an event ends on it and reset when an op
 * starts on it (a wait that includes one looks at it every millisecond). */
CPORT_WIN32_API DWORD WaitForSingleObject(HANDLE h, DWORD ms);
CPORT_WIN32_API DWORD WaitForSingleObjectEx(HANDLE h, DWORD ms, BOOL alertable);
/* Sets an event, releases a mutex or releases a semaphore by one, then
 * waits as WaitForSingleObjectEx; not one atomic step (neither is it on
 * Windows). WAIT_FAILED with ERROR_INVALID_HANDLE for another kind of
 * object, ERROR_NOT_OWNER or ERROR_TOO_MANY_POSTS when the release
 * fails. */
CPORT_WIN32_API DWORD SignalObjectAndWait(HANDLE signal, HANDLE wait, DWORD ms,
                                          BOOL alertable);
CPORT_WIN32_API DWORD WaitForMultipleObjects(DWORD n, const HANDLE *hs,
                                             BOOL all, DWORD ms);
CPORT_WIN32_API DWORD WaitForMultipleObjectsEx(DWORD n, const HANDLE *hs,
                                               BOOL all, DWORD ms,
                                               BOOL alertable);

/* Unnamed objects only: a name is refused with ERROR_NOT_SUPPORTED. */
CPORT_WIN32_API HANDLE CreateEventA(LPSECURITY_ATTRIBUTES sa, BOOL manual,
                                    BOOL initial, LPCSTR name);
CPORT_WIN32_API HANDLE CreateEventW(LPSECURITY_ATTRIBUTES sa, BOOL manual,
                                    BOOL initial, LPCWSTR name);
CPORT_WIN32_API BOOL SetEvent(HANDLE h);
CPORT_WIN32_API BOOL ResetEvent(HANDLE h);
CPORT_WIN32_API HANDLE CreateMutexA(LPSECURITY_ATTRIBUTES sa, BOOL owner,
                                    LPCSTR name);
CPORT_WIN32_API HANDLE CreateMutexW(LPSECURITY_ATTRIBUTES sa, BOOL owner,
                                    LPCWSTR name);
CPORT_WIN32_API BOOL ReleaseMutex(HANDLE h);
CPORT_WIN32_API HANDLE CreateSemaphoreA(LPSECURITY_ATTRIBUTES sa, LONG initial,
                                        LONG maximum, LPCSTR name);
CPORT_WIN32_API HANDLE CreateSemaphoreW(LPSECURITY_ATTRIBUTES sa, LONG initial,
                                        LONG maximum, LPCWSTR name);
CPORT_WIN32_API BOOL ReleaseSemaphore(HANDLE h, LONG count, LPLONG previous);
/* The Vista forms: flags instead of BOOLs; the access mask is not used. */
#  define CREATE_EVENT_MANUAL_RESET 0x00000001u
#  define CREATE_EVENT_INITIAL_SET 0x00000002u
#  define CREATE_MUTEX_INITIAL_OWNER 0x00000001u
#  define SYNCHRONIZE 0x00100000u
#  define EVENT_MODIFY_STATE 0x0002u
#  define EVENT_ALL_ACCESS 0x1F0003u
#  define MUTEX_ALL_ACCESS 0x1F0001u
#  define SEMAPHORE_MODIFY_STATE 0x0002u
#  define SEMAPHORE_ALL_ACCESS 0x1F0003u
CPORT_WIN32_API HANDLE CreateEventExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name,
                                      DWORD flags, DWORD access);
CPORT_WIN32_API HANDLE CreateEventExW(LPSECURITY_ATTRIBUTES sa, LPCWSTR name,
                                      DWORD flags, DWORD access);
CPORT_WIN32_API HANDLE CreateMutexExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name,
                                      DWORD flags, DWORD access);
CPORT_WIN32_API HANDLE CreateMutexExW(LPSECURITY_ATTRIBUTES sa, LPCWSTR name,
                                      DWORD flags, DWORD access);
/* flags must be 0. */
CPORT_WIN32_API HANDLE CreateSemaphoreExA(LPSECURITY_ATTRIBUTES sa,
                                          LONG initial, LONG maximum,
                                          LPCSTR name, DWORD flags,
                                          DWORD access);
CPORT_WIN32_API HANDLE CreateSemaphoreExW(LPSECURITY_ATTRIBUTES sa,
                                          LONG initial, LONG maximum,
                                          LPCWSTR name, DWORD flags,
                                          DWORD access);
#  define CreateEvent CPORT_W32_AW(CreateEvent)
#  define CreateMutex CPORT_W32_AW(CreateMutex)
#  define CreateSemaphore CPORT_W32_AW(CreateSemaphore)
#  define CreateEventEx CPORT_W32_AW(CreateEventEx)
#  define CreateMutexEx CPORT_W32_AW(CreateMutexEx)
#  define CreateSemaphoreEx CPORT_W32_AW(CreateSemaphoreEx)

/* Waitable timers: objects that are signalled when their due time comes
 * (and again each period). A notification (manual-reset) timer stays
 * signalled until set again; a synchronization timer releases one wait
 * and resets. A completion routine is queued as an APC to the thread that
 * set the timer each time the timer is signalled (one at a time: a period
 * that comes while it is still queued signals the timer only), with the
 * time as a FILETIME; cancelling or setting the timer again cancels a
 * queued one (closing it does not), and if that thread has ended the
 * timer is cancelled (no longer signalled). */
typedef VOID(CALLBACK *PTIMERAPCROUTINE)(LPVOID arg, DWORD low, DWORD high);
typedef struct _REASON_CONTEXT {
  ULONG Version;
  DWORD Flags;
  union {
    struct {
      PVOID LocalizedReasonModule;
      ULONG LocalizedReasonId;
      ULONG ReasonStringCount;
      LPWSTR *ReasonStrings;
    } Detailed;
    LPWSTR SimpleReasonString;
  } Reason;
} REASON_CONTEXT, *PREASON_CONTEXT;
#  define CREATE_WAITABLE_TIMER_MANUAL_RESET 0x00000001u
#  define CREATE_WAITABLE_TIMER_HIGH_RESOLUTION 0x00000002u
#  define TIMER_QUERY_STATE 0x0001u
#  define TIMER_MODIFY_STATE 0x0002u
#  define TIMER_ALL_ACCESS 0x1F0003u
CPORT_WIN32_API HANDLE CreateWaitableTimerA(LPSECURITY_ATTRIBUTES sa,
                                            BOOL manual, LPCSTR name);
CPORT_WIN32_API HANDLE CreateWaitableTimerW(LPSECURITY_ATTRIBUTES sa,
                                            BOOL manual, LPCWSTR name);
CPORT_WIN32_API HANDLE CreateWaitableTimerExA(LPSECURITY_ATTRIBUTES sa,
                                              LPCSTR name, DWORD flags,
                                              DWORD access);
CPORT_WIN32_API HANDLE CreateWaitableTimerExW(LPSECURITY_ATTRIBUTES sa,
                                              LPCWSTR name, DWORD flags,
                                              DWORD access);
#  define CreateWaitableTimer CPORT_W32_AW(CreateWaitableTimer)
#  define CreateWaitableTimerEx CPORT_W32_AW(CreateWaitableTimerEx)
/* due: negative, relative in 100 ns units; positive, an absolute
 * FILETIME. period in ms (0: once). Resets the timer's state. resume TRUE
 * succeeds with ERROR_NOT_SUPPORTED as the last error (no wake from
 * sleep), as Windows does where it cannot. */
CPORT_WIN32_API BOOL SetWaitableTimer(HANDLE timer, const LARGE_INTEGER *due,
                                      LONG period, PTIMERAPCROUTINE routine,
                                      LPVOID arg, BOOL resume);
/* The same; the wake context and the tolerable delay are not used. */
CPORT_WIN32_API BOOL SetWaitableTimerEx(HANDLE timer, const LARGE_INTEGER *due,
                                        LONG period, PTIMERAPCROUTINE routine,
                                        LPVOID arg, PREASON_CONTEXT wake,
                                        ULONG tolerable_delay);
/* Stops the timer; its state stays as it is. */
CPORT_WIN32_API BOOL CancelWaitableTimer(HANDLE timer);

/* ------------------------------------------------------------------------ */
/* Critical sections, SRW locks, condition variables, one-time init          */
/* ------------------------------------------------------------------------ */

/* A recursive lock, as Windows' critical sections are. */
typedef struct _CRITICAL_SECTION {
  pthread_mutex_t mutex;
} CRITICAL_SECTION, *PCRITICAL_SECTION, *LPCRITICAL_SECTION;
typedef CRITICAL_SECTION RTL_CRITICAL_SECTION, *PRTL_CRITICAL_SECTION;
CPORT_WIN32_API void InitializeCriticalSection(LPCRITICAL_SECTION cs);
CPORT_WIN32_API BOOL
InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION cs, DWORD spin);
CPORT_WIN32_API BOOL InitializeCriticalSectionEx(LPCRITICAL_SECTION cs,
                                                 DWORD spin, DWORD flags);
CPORT_WIN32_API void EnterCriticalSection(LPCRITICAL_SECTION cs);
CPORT_WIN32_API BOOL TryEnterCriticalSection(LPCRITICAL_SECTION cs);
CPORT_WIN32_API void LeaveCriticalSection(LPCRITICAL_SECTION cs);
CPORT_WIN32_API void DeleteCriticalSection(LPCRITICAL_SECTION cs);

/* A read-write lock; zero is the unlocked state (SRWLOCK_INIT, or
 * InitializeSRWLock). The storage is opaque so strict ISO C sees it. */
typedef struct _RTL_SRWLOCK {
  uintptr_t opaque[8];
} SRWLOCK, *PSRWLOCK;
#  define SRWLOCK_INIT \
    {                  \
      { 0 }            \
    }
CPORT_WIN32_API void InitializeSRWLock(PSRWLOCK l);
CPORT_WIN32_API void AcquireSRWLockExclusive(PSRWLOCK l);
CPORT_WIN32_API void AcquireSRWLockShared(PSRWLOCK l);
CPORT_WIN32_API BOOLEAN TryAcquireSRWLockExclusive(PSRWLOCK l);
CPORT_WIN32_API BOOLEAN TryAcquireSRWLockShared(PSRWLOCK l);
CPORT_WIN32_API void ReleaseSRWLockExclusive(PSRWLOCK l);
CPORT_WIN32_API void ReleaseSRWLockShared(PSRWLOCK l);

/* Zero is the initial state (CONDITION_VARIABLE_INIT). */
typedef struct _RTL_CONDITION_VARIABLE {
  uint32_t seq;
  uint32_t waiters;
} CONDITION_VARIABLE, *PCONDITION_VARIABLE;
#  define CONDITION_VARIABLE_INIT \
    { 0, 0 }
#  define CONDITION_VARIABLE_LOCKMODE_SHARED 0x1u
CPORT_WIN32_API void InitializeConditionVariable(PCONDITION_VARIABLE cv);
/* FALSE with ERROR_TIMEOUT when ms elapse first. */
CPORT_WIN32_API BOOL SleepConditionVariableCS(PCONDITION_VARIABLE cv,
                                              PCRITICAL_SECTION cs, DWORD ms);
CPORT_WIN32_API BOOL SleepConditionVariableSRW(PCONDITION_VARIABLE cv,
                                               PSRWLOCK l, DWORD ms,
                                               ULONG flags);
CPORT_WIN32_API void WakeConditionVariable(PCONDITION_VARIABLE cv);
CPORT_WIN32_API void WakeAllConditionVariable(PCONDITION_VARIABLE cv);

/* Sleeps while *address holds the size (1, 2, 4 or 8) bytes at compare,
 * until a WakeByAddress* call on it, or ms: FALSE with ERROR_TIMEOUT
 * then. It may return TRUE without a wake (as documented): check the
 * value again. */
CPORT_WIN32_API BOOL WaitOnAddress(volatile VOID *address, PVOID compare,
                                   SIZE_T size, DWORD ms);
/* Wakes a thread (here: the threads) in WaitOnAddress on address. */
CPORT_WIN32_API void WakeByAddressSingle(PVOID address);
/* Wakes every thread in WaitOnAddress on address. */
CPORT_WIN32_API void WakeByAddressAll(PVOID address);

typedef union _RTL_RUN_ONCE {
  PVOID Ptr;
} INIT_ONCE, *PINIT_ONCE, *LPINIT_ONCE;
#  define INIT_ONCE_STATIC_INIT \
    { 0 }
typedef BOOL(WINAPI *PINIT_ONCE_FN)(PINIT_ONCE, PVOID, PVOID *);
CPORT_WIN32_API void InitOnceInitialize(PINIT_ONCE once);
/* fn runs once; if it returns FALSE the next call runs it again. */
CPORT_WIN32_API BOOL InitOnceExecuteOnce(PINIT_ONCE once, PINIT_ONCE_FN fn,
                                         PVOID param, LPVOID *context);

/* ------------------------------------------------------------------------ */
/* Interlocked*: full barriers, returning what Windows returns               */
/* ------------------------------------------------------------------------ */

#  define InterlockedIncrement(p) __atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#  define InterlockedDecrement(p) __atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)
#  define InterlockedExchange(p, v) \
    __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#  define InterlockedExchangeAdd(p, v) \
    __atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
#  define InterlockedAdd(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#  define InterlockedAnd(p, v) __atomic_fetch_and((p), (v), __ATOMIC_SEQ_CST)
#  define InterlockedOr(p, v) __atomic_fetch_or((p), (v), __ATOMIC_SEQ_CST)
#  define InterlockedXor(p, v) __atomic_fetch_xor((p), (v), __ATOMIC_SEQ_CST)
#  define InterlockedCompareExchange(p, v, cmp) \
    __sync_val_compare_and_swap((p), (cmp), (v))
#  define InterlockedIncrement64 InterlockedIncrement
#  define InterlockedDecrement64 InterlockedDecrement
#  define InterlockedExchange64 InterlockedExchange
#  define InterlockedExchangeAdd64 InterlockedExchangeAdd
#  define InterlockedAdd64 InterlockedAdd
#  define InterlockedAnd64 InterlockedAnd
#  define InterlockedOr64 InterlockedOr
#  define InterlockedXor64 InterlockedXor
#  define InterlockedCompareExchange64 InterlockedCompareExchange
#  define InterlockedExchangePointer InterlockedExchange
#  define InterlockedCompareExchangePointer InterlockedCompareExchange
/* The 8- and 16-bit forms (the macros above take any integer size), and
 * the Acquire, Release and NoFence forms, which are full barriers here
 * (a stronger order than asked for is always correct). */
#  define InterlockedExchange8 InterlockedExchange
#  define InterlockedExchange16 InterlockedExchange
#  define InterlockedCompareExchange8 InterlockedCompareExchange
#  define InterlockedCompareExchange16 InterlockedCompareExchange
#  define InterlockedIncrement16 InterlockedIncrement
#  define InterlockedDecrement16 InterlockedDecrement
#  define InterlockedExchangeAdd8 InterlockedExchangeAdd
#  define InterlockedExchangeAdd16 InterlockedExchangeAdd
#  define InterlockedAnd8 InterlockedAnd
#  define InterlockedAnd16 InterlockedAnd
#  define InterlockedOr8 InterlockedOr
#  define InterlockedOr16 InterlockedOr
#  define InterlockedXor8 InterlockedXor
#  define InterlockedXor16 InterlockedXor
#  define InterlockedIncrementAcquire InterlockedIncrement
#  define InterlockedIncrementRelease InterlockedIncrement
#  define InterlockedIncrementNoFence InterlockedIncrement
#  define InterlockedDecrementAcquire InterlockedDecrement
#  define InterlockedDecrementRelease InterlockedDecrement
#  define InterlockedDecrementNoFence InterlockedDecrement
#  define InterlockedExchangeAcquire InterlockedExchange
#  define InterlockedExchangeNoFence InterlockedExchange
#  define InterlockedCompareExchangeAcquire InterlockedCompareExchange
#  define InterlockedCompareExchangeRelease InterlockedCompareExchange
#  define InterlockedCompareExchangeNoFence InterlockedCompareExchange
#  define InterlockedOrAcquire InterlockedOr
#  define InterlockedOrRelease InterlockedOr
#  define InterlockedOrNoFence InterlockedOr
#  define InterlockedAndAcquire InterlockedAnd
#  define InterlockedAndRelease InterlockedAnd
#  define InterlockedAndNoFence InterlockedAnd
#  define InterlockedIncrementSizeT InterlockedIncrement
#  define InterlockedDecrementSizeT InterlockedDecrement
#  define InterlockedExchangeAddSizeT InterlockedExchangeAdd
#  define MemoryBarrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)
/* A spin-wait hint to the CPU (winnt.h). */
#  if defined(__x86_64__) || defined(__i386__)
#    define YieldProcessor() __builtin_ia32_pause()
#  elif defined(__aarch64__)
#    define YieldProcessor() __asm__ __volatile__("yield")
#  else
#    define YieldProcessor() ((void)0)
#  endif

/* ------------------------------------------------------------------------ */
/* Interlocked singly linked lists                                           */
/* ------------------------------------------------------------------------ */

typedef struct _SLIST_ENTRY {
  struct _SLIST_ENTRY *Next;
} SLIST_ENTRY, *PSLIST_ENTRY;

/* A short lock keeps the list consistent (no ABA problem); entries are
 * the caller's, as on Windows. Zero is an empty list. */
typedef struct _SLIST_HEADER {
  PSLIST_ENTRY first;
  uint32_t depth;
  int lock;
} SLIST_HEADER, *PSLIST_HEADER;

CPORT_WIN32_API void InitializeSListHead(PSLIST_HEADER head);
/* Return the entry that was first before (push) or the entry taken
 * (pop), NULL if none. */
CPORT_WIN32_API PSLIST_ENTRY InterlockedPushEntrySList(PSLIST_HEADER head,
                                                       PSLIST_ENTRY entry);
CPORT_WIN32_API PSLIST_ENTRY InterlockedPopEntrySList(PSLIST_HEADER head);
/* Takes the whole list, returns its first entry. */
CPORT_WIN32_API PSLIST_ENTRY InterlockedFlushSList(PSLIST_HEADER head);
CPORT_WIN32_API USHORT QueryDepthSList(PSLIST_HEADER head);

/* ------------------------------------------------------------------------ */
/* Time                                                                      */
/* ------------------------------------------------------------------------ */

/* A released worker that sleeps gives its place back to its port. */
CPORT_WIN32_API void Sleep(DWORD ms);
CPORT_WIN32_API DWORD SleepEx(DWORD ms, BOOL alertable);
CPORT_WIN32_API DWORD GetTickCount(void);
CPORT_WIN32_API ULONGLONG GetTickCount64(void);
/* A monotonic counter in nanoseconds (frequency 1 000 000 000). */
CPORT_WIN32_API BOOL QueryPerformanceCounter(LARGE_INTEGER *count);
CPORT_WIN32_API BOOL QueryPerformanceFrequency(LARGE_INTEGER *freq);
CPORT_WIN32_API void GetSystemTime(LPSYSTEMTIME st);
CPORT_WIN32_API void GetLocalTime(LPSYSTEMTIME st);
CPORT_WIN32_API void GetSystemTimeAsFileTime(LPFILETIME ft);
/* The same clock: GetSystemTimeAsFileTime is precise here already. */
CPORT_WIN32_API void GetSystemTimePreciseAsFileTime(LPFILETIME ft);

/* ------------------------------------------------------------------------ */
/* Timer queues                                                              */
/* ------------------------------------------------------------------------ */

/* A timer's callback: its parameter, and TRUE (a timer fired). Each queue
 * runs its callbacks on a thread of its own, one at a time (Windows runs
 * them on its thread pool unless WT_EXECUTEINTIMERTHREAD). */
typedef VOID(NTAPI *WAITORTIMERCALLBACK)(PVOID param, BOOLEAN fired);
#  define WT_EXECUTEDEFAULT 0x00000000
#  define WT_EXECUTEINIOTHREAD 0x00000001
#  define WT_EXECUTEINWAITTHREAD 0x00000004
#  define WT_EXECUTEONLYONCE 0x00000008
#  define WT_EXECUTELONGFUNCTION 0x00000010
#  define WT_EXECUTEINTIMERTHREAD 0x00000020
#  define WT_EXECUTEINPERSISTENTTHREAD 0x00000080
#  define WT_TRANSFER_IMPERSONATION 0x00000100
/* A queue of its own (NULL names the process's default queue). */
CPORT_WIN32_API HANDLE CreateTimerQueue(void);
/* A timer due in `due` ms, then every `period` ms (0: once). */
CPORT_WIN32_API BOOL CreateTimerQueueTimer(PHANDLE timer, HANDLE queue,
                                           WAITORTIMERCALLBACK fn, PVOID param,
                                           DWORD due, DWORD period,
                                           ULONG flags);
/* Re-arms a timer (INFINITE: never); a one-shot timer that has run is
 * not updated, as on Windows. */
CPORT_WIN32_API BOOL ChangeTimerQueueTimer(HANDLE queue, HANDLE timer,
                                           ULONG due, ULONG period);
/* event NULL: do not wait for a running callback (FALSE with
 * ERROR_IO_PENDING if one runs); INVALID_HANDLE_VALUE: wait for it; an
 * event: set it when it has returned. */
CPORT_WIN32_API BOOL DeleteTimerQueueTimer(HANDLE queue, HANDLE timer,
                                           HANDLE event);
/* Deletes every timer of the queue and the queue, with the same choice. */
CPORT_WIN32_API BOOL DeleteTimerQueueEx(HANDLE queue, HANDLE event);
CPORT_WIN32_API BOOL DeleteTimerQueue(HANDLE queue);

/* ------------------------------------------------------------------------ */
/* Thread pool                                                               */
/* ------------------------------------------------------------------------ */

/* The Vista thread pool (threadpoolapiset.h) and its two legacy calls:
 * pools of threads taking packets from a completion port of their own,
 * created as they are needed (up to the pool's maximum, 500 for the
 * default pool) and leaving after 10 s without work. Work, timer, wait
 * and I/O objects and cleanup groups as Microsoft documents them; no
 * priorities (accepted, not honoured). */
typedef struct _TP_POOL TP_POOL, *PTP_POOL;
typedef struct _TP_WORK TP_WORK, *PTP_WORK;
typedef struct _TP_TIMER TP_TIMER, *PTP_TIMER;
typedef struct _TP_WAIT TP_WAIT, *PTP_WAIT;
typedef struct _TP_IO TP_IO, *PTP_IO;
typedef struct _TP_CLEANUP_GROUP TP_CLEANUP_GROUP, *PTP_CLEANUP_GROUP;
typedef struct _TP_CALLBACK_INSTANCE TP_CALLBACK_INSTANCE,
    *PTP_CALLBACK_INSTANCE;
typedef VOID(NTAPI *PTP_SIMPLE_CALLBACK)(PTP_CALLBACK_INSTANCE instance,
                                         PVOID context);
typedef VOID(NTAPI *PTP_WORK_CALLBACK)(PTP_CALLBACK_INSTANCE instance,
                                       PVOID context, PTP_WORK work);
typedef VOID(NTAPI *PTP_TIMER_CALLBACK)(PTP_CALLBACK_INSTANCE instance,
                                        PVOID context, PTP_TIMER timer);
/* A wait's result: WAIT_OBJECT_0 (the object was signalled) or
 * WAIT_TIMEOUT. */
typedef DWORD TP_WAIT_RESULT;
typedef VOID(NTAPI *PTP_WAIT_CALLBACK)(PTP_CALLBACK_INSTANCE instance,
                                       PVOID context, PTP_WAIT wait,
                                       TP_WAIT_RESULT result);
/* An I/O's callback: its OVERLAPPED, NO_ERROR or the Win32 error code,
 * and the bytes moved. */
typedef VOID(WINAPI *PTP_WIN32_IO_CALLBACK)(PTP_CALLBACK_INSTANCE instance,
                                            PVOID context, PVOID overlapped,
                                            ULONG result, ULONG_PTR bytes,
                                            PTP_IO io);
typedef VOID(NTAPI *PTP_CLEANUP_GROUP_CANCEL_CALLBACK)(PVOID object_context,
                                                       PVOID cleanup_context);
typedef enum _TP_CALLBACK_PRIORITY {
  TP_CALLBACK_PRIORITY_HIGH,
  TP_CALLBACK_PRIORITY_NORMAL,
  TP_CALLBACK_PRIORITY_LOW,
  TP_CALLBACK_PRIORITY_INVALID,
  TP_CALLBACK_PRIORITY_COUNT = TP_CALLBACK_PRIORITY_INVALID
} TP_CALLBACK_PRIORITY;
typedef DWORD TP_VERSION, *PTP_VERSION;
/* Where new objects go: filled by the inline functions below, as
 * Windows' headers do. */
typedef struct _TP_CALLBACK_ENVIRON_V3 {
  TP_VERSION Version;
  PTP_POOL Pool;
  PTP_CLEANUP_GROUP CleanupGroup;
  PTP_CLEANUP_GROUP_CANCEL_CALLBACK CleanupGroupCancelCallback;
  PVOID RaceDll;
  struct _ACTIVATION_CONTEXT *ActivationContext;
  PTP_SIMPLE_CALLBACK FinalizationCallback;
  union {
    DWORD Flags;
    struct {
      DWORD LongFunction : 1;
      DWORD Persistent : 1;
      DWORD Private : 30;
    } s;
  } u;
  TP_CALLBACK_PRIORITY CallbackPriority;
  DWORD Size;
} TP_CALLBACK_ENVIRON_V3, TP_CALLBACK_ENVIRON, *PTP_CALLBACK_ENVIRON;

static inline VOID InitializeThreadpoolEnvironment(PTP_CALLBACK_ENVIRON e) {
  memset(e, 0, sizeof(*e));
  e->Version = 3;
  e->CallbackPriority = TP_CALLBACK_PRIORITY_NORMAL;
  e->Size = sizeof(*e);
}
static inline VOID DestroyThreadpoolEnvironment(PTP_CALLBACK_ENVIRON e) {
  (void)e;
}
static inline VOID SetThreadpoolCallbackPool(PTP_CALLBACK_ENVIRON e,
                                             PTP_POOL pool) {
  e->Pool = pool;
}
static inline VOID
SetThreadpoolCallbackCleanupGroup(PTP_CALLBACK_ENVIRON e, PTP_CLEANUP_GROUP g,
                                  PTP_CLEANUP_GROUP_CANCEL_CALLBACK cancel) {
  e->CleanupGroup = g;
  e->CleanupGroupCancelCallback = cancel;
}
static inline VOID SetThreadpoolCallbackRunsLong(PTP_CALLBACK_ENVIRON e) {
  e->u.s.LongFunction = 1;
}
static inline VOID SetThreadpoolCallbackPersistent(PTP_CALLBACK_ENVIRON e) {
  e->u.s.Persistent = 1;
}
static inline VOID SetThreadpoolCallbackLibrary(PTP_CALLBACK_ENVIRON e,
                                                PVOID module) {
  e->RaceDll = module;
}
static inline VOID SetThreadpoolCallbackPriority(PTP_CALLBACK_ENVIRON e,
                                                 TP_CALLBACK_PRIORITY p) {
  e->CallbackPriority = p;
}

/* A pool of its own (NULL environments name the default pool). */
CPORT_WIN32_API PTP_POOL CreateThreadpool(PVOID reserved);
/* Freed once its last object is; its threads leave then. */
CPORT_WIN32_API VOID CloseThreadpool(PTP_POOL pool);
CPORT_WIN32_API VOID SetThreadpoolThreadMaximum(PTP_POOL pool, DWORD most);
/* Starts threads up to `least`; FALSE if one could not start. */
CPORT_WIN32_API BOOL SetThreadpoolThreadMinimum(PTP_POOL pool, DWORD least);

CPORT_WIN32_API PTP_CLEANUP_GROUP CreateThreadpoolCleanupGroup(void);
/* Closes every member, first cancelling its queued callbacks if asked
 * (then the group's cancel callback runs for each member the program has
 * not closed), and waits for their running callbacks. */
CPORT_WIN32_API VOID CloseThreadpoolCleanupGroupMembers(PTP_CLEANUP_GROUP g,
                                                        BOOL cancel_pending,
                                                        PVOID cleanup_context);
CPORT_WIN32_API VOID CloseThreadpoolCleanupGroup(PTP_CLEANUP_GROUP g);

CPORT_WIN32_API PTP_WORK CreateThreadpoolWork(PTP_WORK_CALLBACK fn,
                                              PVOID context,
                                              PTP_CALLBACK_ENVIRON env);
/* Queues one callback; each submission runs once. */
CPORT_WIN32_API VOID SubmitThreadpoolWork(PTP_WORK work);
/* Waits for its queued and running callbacks (cancel_pending: the queued
 * ones are dropped instead). */
CPORT_WIN32_API VOID WaitForThreadpoolWorkCallbacks(PTP_WORK work,
                                                    BOOL cancel_pending);
/* Freed now, or after its queued and running callbacks. */
CPORT_WIN32_API VOID CloseThreadpoolWork(PTP_WORK work);
CPORT_WIN32_API BOOL TrySubmitThreadpoolCallback(PTP_SIMPLE_CALLBACK fn,
                                                 PVOID context,
                                                 PTP_CALLBACK_ENVIRON env);

CPORT_WIN32_API PTP_TIMER CreateThreadpoolTimer(PTP_TIMER_CALLBACK fn,
                                                PVOID context,
                                                PTP_CALLBACK_ENVIRON env);
/* due: negative, relative in 100 ns units; positive, an absolute
 * FILETIME; NULL: stop queueing callbacks. period in ms (0: once); the
 * window is a hint, not used. */
CPORT_WIN32_API VOID SetThreadpoolTimer(PTP_TIMER timer, PFILETIME due,
                                        DWORD period, DWORD window);
/* The same; TRUE if the timer was set before. */
CPORT_WIN32_API BOOL SetThreadpoolTimerEx(PTP_TIMER timer, PFILETIME due,
                                          DWORD period, DWORD window);
CPORT_WIN32_API BOOL IsThreadpoolTimerSet(PTP_TIMER timer);
CPORT_WIN32_API VOID WaitForThreadpoolTimerCallbacks(PTP_TIMER timer,
                                                     BOOL cancel_pending);
CPORT_WIN32_API VOID CloseThreadpoolTimer(PTP_TIMER timer);

/* A wait object: once set on a waitable handle (a thread, an event, a
 * semaphore; not a mutex), its callback is queued once when the handle
 * is signalled (an auto-reset event or a semaphore is taken, as a wait
 * takes it) or when the timeout passes, then the object must be set
 * again. One thread of the layer waits for every set wait object. */
CPORT_WIN32_API PTP_WAIT CreateThreadpoolWait(PTP_WAIT_CALLBACK fn,
                                              PVOID context,
                                              PTP_CALLBACK_ENVIRON env);
/* handle NULL: stop waiting (callbacks already queued still run).
 * timeout as a timer's due time (negative: relative, in 100 ns units;
 * positive: an absolute FILETIME; 0: now); NULL: no timeout. A mutex, or
 * a handle that is not waitable, leaves the wait not set. */
CPORT_WIN32_API VOID SetThreadpoolWait(PTP_WAIT wait, HANDLE handle,
                                       PFILETIME timeout);
/* The same (reserved must be NULL); TRUE if the wait was set and this
 * call stopped it before it ended. */
CPORT_WIN32_API BOOL SetThreadpoolWaitEx(PTP_WAIT wait, HANDLE handle,
                                         PFILETIME timeout, PVOID reserved);
CPORT_WIN32_API VOID WaitForThreadpoolWaitCallbacks(PTP_WAIT wait,
                                                    BOOL cancel_pending);
/* Stops the wait; freed now, or after its queued and running callbacks. */
CPORT_WIN32_API VOID CloseThreadpoolWait(PTP_WAIT wait);

/* Binds a handle opened for overlapped I/O to the pool: call
 * StartThreadpoolIo before each operation, CancelThreadpoolIo when one
 * fails without pending. NULL with ERROR_INVALID_PARAMETER if the handle
 * already belongs to a port. */
CPORT_WIN32_API PTP_IO CreateThreadpoolIo(HANDLE handle,
                                          PTP_WIN32_IO_CALLBACK fn,
                                          PVOID context,
                                          PTP_CALLBACK_ENVIRON env);
CPORT_WIN32_API VOID StartThreadpoolIo(PTP_IO io);
CPORT_WIN32_API VOID CancelThreadpoolIo(PTP_IO io);
/* Waits for the started operations' callbacks (cancel_pending: those not
 * yet running are dropped, their operations' completions ignored). */
CPORT_WIN32_API VOID WaitForThreadpoolIoCallbacks(PTP_IO io,
                                                  BOOL cancel_pending);
CPORT_WIN32_API VOID CloseThreadpoolIo(PTP_IO io);

/* Inside a callback: TRUE if another thread can take the pool's next
 * callback. */
CPORT_WIN32_API BOOL CallbackMayRunLong(PTP_CALLBACK_INSTANCE instance);
/* Counts the callback as ended for the waits, though it runs on. */
CPORT_WIN32_API VOID
DisassociateCurrentThreadFromCallback(PTP_CALLBACK_INSTANCE instance);
/* Done by the pool as the callback returns, in this order: the critical
 * section left, the mutex released, the semaphore released, the event
 * set, the module freed (FreeLibrary: the modules the layer knows stay
 * loaded, as system modules do). */
CPORT_WIN32_API VOID SetEventWhenCallbackReturns(PTP_CALLBACK_INSTANCE instance,
                                                 HANDLE event);
CPORT_WIN32_API VOID ReleaseSemaphoreWhenCallbackReturns(
    PTP_CALLBACK_INSTANCE instance, HANDLE semaphore, DWORD count);
CPORT_WIN32_API VOID
ReleaseMutexWhenCallbackReturns(PTP_CALLBACK_INSTANCE instance, HANDLE mutex);
CPORT_WIN32_API VOID LeaveCriticalSectionWhenCallbackReturns(
    PTP_CALLBACK_INSTANCE instance, PCRITICAL_SECTION cs);
CPORT_WIN32_API VOID
FreeLibraryWhenCallbackReturns(PTP_CALLBACK_INSTANCE instance, HMODULE module);

/* The legacy pool calls, on the default pool: a function run once, and
 * a handle whose every completion calls `fn` (flags must be 0). */
CPORT_WIN32_API BOOL QueueUserWorkItem(LPTHREAD_START_ROUTINE fn, PVOID context,
                                       ULONG flags);
CPORT_WIN32_API BOOL BindIoCompletionCallback(
    HANDLE handle, LPOVERLAPPED_COMPLETION_ROUTINE fn, ULONG flags);
/* Calls fn(context, FALSE) on a default-pool thread each time `object`
 * (a thread, an event, a semaphore, a waitable timer; a mutex is refused
 * with ERROR_INVALID_HANDLE: the wait thread would own it) is signalled,
 * and fn(context, TRUE) each time `ms` pass without it (INFINITE:
 * never); with WT_EXECUTEONLYONCE only the first time. The other WT_*
 * flags are accepted: every callback runs on a pool thread. *wait_handle
 * is for UnregisterWait(Ex), not CloseHandle. */
CPORT_WIN32_API BOOL RegisterWaitForSingleObject(PHANDLE wait_handle,
                                                 HANDLE object,
                                                 WAITORTIMERCALLBACK fn,
                                                 PVOID context, ULONG ms,
                                                 ULONG flags);
/* Ends a registered wait without waiting for its callbacks: FALSE with
 * ERROR_IO_PENDING if one is queued or running (the wait is ended all
 * the same). */
CPORT_WIN32_API BOOL UnregisterWait(HANDLE wait_handle);
/* event NULL: as UnregisterWait; INVALID_HANDLE_VALUE: waits for the
 * callbacks first (never from one of them); an event: set once the last
 * callback has returned. */
CPORT_WIN32_API BOOL UnregisterWaitEx(HANDLE wait_handle, HANDLE event);

/* ------------------------------------------------------------------------ */
/* System and version                                                        */
/* ------------------------------------------------------------------------ */

#  define PROCESSOR_ARCHITECTURE_INTEL 0
#  define PROCESSOR_ARCHITECTURE_ARM 5
#  define PROCESSOR_ARCHITECTURE_AMD64 9
#  define PROCESSOR_ARCHITECTURE_ARM64 12
#  define PROCESSOR_ARCHITECTURE_UNKNOWN 0xffff

typedef struct _SYSTEM_INFO {
  CPORT_W32_NAMELESS union {
    DWORD dwOemId;
    CPORT_W32_NAMELESS struct {
      WORD wProcessorArchitecture;
      WORD wReserved;
    };
  };
  DWORD dwPageSize;
  LPVOID lpMinimumApplicationAddress;
  LPVOID lpMaximumApplicationAddress;
  DWORD_PTR dwActiveProcessorMask;
  DWORD dwNumberOfProcessors;
  DWORD dwProcessorType;
  DWORD dwAllocationGranularity;
  WORD wProcessorLevel;
  WORD wProcessorRevision;
} SYSTEM_INFO, *LPSYSTEM_INFO;
CPORT_WIN32_API void GetSystemInfo(LPSYSTEM_INFO info);
CPORT_WIN32_API void GetNativeSystemInfo(LPSYSTEM_INFO info);
#  define ALL_PROCESSOR_GROUPS 0xffff

/*
 * The processors and how they relate (sysinfo.c), read from
 * /sys/devices/system/cpu (and /sys/devices/system/node for NUMA nodes;
 * none there: one node 0 holding every processor). Logical processor n
 * (Linux's CPU n) is bit n % 64 of group n / 64 (32 on 32-bit systems),
 * so a machine with up to 64 has one group, as on Windows; CPUs past 1023
 * are left out. Only online CPUs are reported.
 *
 * GetActiveProcessorCount / GetMaximumProcessorCount: the online / the
 * configured processors of a group, or of all with ALL_PROCESSOR_GROUPS;
 * a group that does not exist: 0 with ERROR_INVALID_PARAMETER.
 * GetActiveProcessorGroupCount / GetMaximumProcessorGroupCount: the
 * groups those make.
 *
 * GetLogicalProcessorInformation: one SYSTEM_LOGICAL_PROCESSOR_INFORMATION
 * per processor core (Flags LTP_PC_SMT when it holds more than one logical
 * processor), per cache (CACHE_DESCRIPTOR from cache/index* of the CPUs
 * sharing it; Associativity CACHE_FULLY_ASSOCIATIVE for more than 254
 * ways), per package and per NUMA node, for the processors of group 0
 * (Windows: the calling thread's group), in that order. Too small a buffer
 * (or a NULL one): FALSE with ERROR_INSUFFICIENT_BUFFER and *len the bytes
 * needed; len NULL: ERROR_INVALID_PARAMETER.
 *
 * GetLogicalProcessorInformationEx: the same relations for every group as
 * variable-size records (walk them by Size), with RelationGroup,
 * RelationProcessorDie (topology/die_cpus_list, else the package) and
 * RelationProcessorModule (topology/cluster_cpus_list, else the core);
 * RelationNumaNodeEx is RelationNumaNode's records. RelationAll gives
 * every kind: cores, caches, packages, dies, modules, NUMA nodes, then the
 * group record. EfficiencyClass is 0 (Linux says nothing comparable on
 * every machine). Another relationship: ERROR_INVALID_PARAMETER; the
 * buffer as above.
 */
typedef ULONG_PTR KAFFINITY;
typedef KAFFINITY *PKAFFINITY;
#  define ANYSIZE_ARRAY 1
typedef struct _GROUP_AFFINITY {
  KAFFINITY Mask;
  WORD Group;
  WORD Reserved[3];
} GROUP_AFFINITY, *PGROUP_AFFINITY;
typedef enum _LOGICAL_PROCESSOR_RELATIONSHIP {
  RelationProcessorCore = 0,
  RelationNumaNode = 1,
  RelationCache = 2,
  RelationProcessorPackage = 3,
  RelationGroup = 4,
  RelationProcessorDie = 5,
  RelationNumaNodeEx = 6,
  RelationProcessorModule = 7,
  RelationAll = 0xffff
} LOGICAL_PROCESSOR_RELATIONSHIP;
#  define LTP_PC_SMT 0x1
typedef enum _PROCESSOR_CACHE_TYPE {
  CacheUnified,
  CacheInstruction,
  CacheData,
  CacheTrace
} PROCESSOR_CACHE_TYPE;
#  define CACHE_FULLY_ASSOCIATIVE 0xFF
typedef struct _CACHE_DESCRIPTOR {
  BYTE Level;
  BYTE Associativity;
  WORD LineSize;
  DWORD Size;
  PROCESSOR_CACHE_TYPE Type;
} CACHE_DESCRIPTOR, *PCACHE_DESCRIPTOR;
typedef struct _SYSTEM_LOGICAL_PROCESSOR_INFORMATION {
  ULONG_PTR ProcessorMask;
  LOGICAL_PROCESSOR_RELATIONSHIP Relationship;
  CPORT_W32_NAMELESS union {
    struct {
      BYTE Flags;
    } ProcessorCore;
    struct {
      DWORD NodeNumber;
    } NumaNode;
    CACHE_DESCRIPTOR Cache;
    ULONGLONG Reserved[2];
  };
} SYSTEM_LOGICAL_PROCESSOR_INFORMATION, *PSYSTEM_LOGICAL_PROCESSOR_INFORMATION;
typedef struct _PROCESSOR_RELATIONSHIP {
  BYTE Flags;
  BYTE EfficiencyClass;
  BYTE Reserved[20];
  WORD GroupCount;
  GROUP_AFFINITY GroupMask[ANYSIZE_ARRAY];
} PROCESSOR_RELATIONSHIP, *PPROCESSOR_RELATIONSHIP;
typedef struct _NUMA_NODE_RELATIONSHIP {
  DWORD NodeNumber;
  BYTE Reserved[18];
  WORD GroupCount;
  CPORT_W32_NAMELESS union {
    GROUP_AFFINITY GroupMask;
    GROUP_AFFINITY GroupMasks[ANYSIZE_ARRAY];
  };
} NUMA_NODE_RELATIONSHIP, *PNUMA_NODE_RELATIONSHIP;
typedef struct _CACHE_RELATIONSHIP {
  BYTE Level;
  BYTE Associativity;
  WORD LineSize;
  DWORD CacheSize;
  PROCESSOR_CACHE_TYPE Type;
  BYTE Reserved[18];
  WORD GroupCount;
  CPORT_W32_NAMELESS union {
    GROUP_AFFINITY GroupMask;
    GROUP_AFFINITY GroupMasks[ANYSIZE_ARRAY];
  };
} CACHE_RELATIONSHIP, *PCACHE_RELATIONSHIP;
typedef struct _PROCESSOR_GROUP_INFO {
  BYTE MaximumProcessorCount;
  BYTE ActiveProcessorCount;
  BYTE Reserved[38];
  KAFFINITY ActiveProcessorMask;
} PROCESSOR_GROUP_INFO, *PPROCESSOR_GROUP_INFO;
typedef struct _GROUP_RELATIONSHIP {
  WORD MaximumGroupCount;
  WORD ActiveGroupCount;
  BYTE Reserved[20];
  PROCESSOR_GROUP_INFO GroupInfo[ANYSIZE_ARRAY];
} GROUP_RELATIONSHIP, *PGROUP_RELATIONSHIP;
typedef struct _SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX {
  LOGICAL_PROCESSOR_RELATIONSHIP Relationship;
  DWORD Size;
  CPORT_W32_NAMELESS union {
    PROCESSOR_RELATIONSHIP Processor;
    NUMA_NODE_RELATIONSHIP NumaNode;
    CACHE_RELATIONSHIP Cache;
    GROUP_RELATIONSHIP Group;
  };
} SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX,
    *PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX;
CPORT_WIN32_API DWORD GetActiveProcessorCount(WORD group);
CPORT_WIN32_API DWORD GetMaximumProcessorCount(WORD group);
CPORT_WIN32_API WORD GetActiveProcessorGroupCount(void);
CPORT_WIN32_API WORD GetMaximumProcessorGroupCount(void);
CPORT_WIN32_API BOOL GetLogicalProcessorInformation(
    PSYSTEM_LOGICAL_PROCESSOR_INFORMATION buffer, PDWORD len);
CPORT_WIN32_API BOOL GetLogicalProcessorInformationEx(
    LOGICAL_PROCESSOR_RELATIONSHIP relationship,
    PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX buffer, PDWORD len);

/* The process and the machine (environment.c). Environment names match
 * without regard to case, as on Windows. GetEnvironmentVariable and
 * GetTempPath return the length without the NUL, or the size needed
 * with it when the buffer is too small; a missing variable is 0 with
 * ERROR_ENVVAR_NOT_FOUND. SetEnvironmentVariable with a NULL value
 * deletes. GetComputerName gives the NetBIOS form (the host name's first
 * label, upper case, at most MAX_COMPUTERNAME_LENGTH characters); too
 * small a buffer is ERROR_BUFFER_OVERFLOW with *size the size needed.
 * GetTempPath is $TMPDIR, $TMP or $TEMP, else /tmp, ending with '/'.
 * GetCommandLine is built once from the process's arguments, quoted as
 * Windows quotes them. */
#  define MAX_COMPUTERNAME_LENGTH 15
CPORT_WIN32_API DWORD GetEnvironmentVariableA(LPCSTR name, LPSTR buf,
                                              DWORD size);
CPORT_WIN32_API DWORD GetEnvironmentVariableW(LPCWSTR name, LPWSTR buf,
                                              DWORD size);
CPORT_WIN32_API BOOL SetEnvironmentVariableA(LPCSTR name, LPCSTR value);
CPORT_WIN32_API BOOL SetEnvironmentVariableW(LPCWSTR name, LPCWSTR value);
CPORT_WIN32_API BOOL GetComputerNameA(LPSTR buf, LPDWORD size);
CPORT_WIN32_API BOOL GetComputerNameW(LPWSTR buf, LPDWORD size);
CPORT_WIN32_API DWORD GetTempPathA(DWORD size, LPSTR buf);
CPORT_WIN32_API DWORD GetTempPathW(DWORD size, LPWSTR buf);
CPORT_WIN32_API LPSTR GetCommandLineA(void);
CPORT_WIN32_API LPWSTR GetCommandLineW(void);
/* shellapi.h: splits a command line as Windows does (white space ends an
 * argument outside quotes; 2n backslashes and a quote are n backslashes
 * and a quote that opens or closes, 2n + 1 are n and a literal quote;
 * the first argument, the program, ends at its closing quote or white
 * space, with no backslash rules). An empty line gives the executable's
 * path. One block: free it with LocalFree. */
CPORT_WIN32_API LPWSTR *CommandLineToArgvW(LPCWSTR line, int *argc);
#  define GetEnvironmentVariable CPORT_W32_AW(GetEnvironmentVariable)
#  define SetEnvironmentVariable CPORT_W32_AW(SetEnvironmentVariable)
#  define GetComputerName CPORT_W32_AW(GetComputerName)
#  define GetTempPath CPORT_W32_AW(GetTempPath)
#  define GetCommandLine CPORT_W32_AW(GetCommandLine)
/* Physical memory and swap from the kernel (available: MemAvailable);
 * the page file is memory and swap together; the virtual space is the
 * 128 TiB a 64-bit process has. dwLength must be set first. */
typedef struct _MEMORYSTATUSEX {
  DWORD dwLength;
  DWORD dwMemoryLoad;
  ULONGLONG ullTotalPhys;
  ULONGLONG ullAvailPhys;
  ULONGLONG ullTotalPageFile;
  ULONGLONG ullAvailPageFile;
  ULONGLONG ullTotalVirtual;
  ULONGLONG ullAvailVirtual;
  ULONGLONG ullAvailExtendedVirtual;
} MEMORYSTATUSEX, *LPMEMORYSTATUSEX;
CPORT_WIN32_API BOOL GlobalMemoryStatusEx(LPMEMORYSTATUSEX st);

#  define VER_PLATFORM_WIN32s 0
#  define VER_PLATFORM_WIN32_WINDOWS 1
#  define VER_PLATFORM_WIN32_NT 2
typedef struct _OSVERSIONINFOA {
  DWORD dwOSVersionInfoSize;
  DWORD dwMajorVersion;
  DWORD dwMinorVersion;
  DWORD dwBuildNumber;
  DWORD dwPlatformId;
  CHAR szCSDVersion[128];
} OSVERSIONINFOA, *POSVERSIONINFOA, *LPOSVERSIONINFOA;
typedef struct _OSVERSIONINFOW {
  DWORD dwOSVersionInfoSize;
  DWORD dwMajorVersion;
  DWORD dwMinorVersion;
  DWORD dwBuildNumber;
  DWORD dwPlatformId;
  WCHAR szCSDVersion[128];
} OSVERSIONINFOW, *POSVERSIONINFOW, *LPOSVERSIONINFOW;
typedef struct _OSVERSIONINFOEXA {
  DWORD dwOSVersionInfoSize;
  DWORD dwMajorVersion;
  DWORD dwMinorVersion;
  DWORD dwBuildNumber;
  DWORD dwPlatformId;
  CHAR szCSDVersion[128];
  WORD wServicePackMajor;
  WORD wServicePackMinor;
  WORD wSuiteMask;
  BYTE wProductType;
  BYTE wReserved;
} OSVERSIONINFOEXA, *POSVERSIONINFOEXA, *LPOSVERSIONINFOEXA;
/* What Windows tells a program without a compatibility manifest: 6.2
 * (Windows 8), platform NT. dwOSVersionInfoSize must be set. */
CPORT_WIN32_API BOOL GetVersionExA(LPOSVERSIONINFOA info);
CPORT_WIN32_API BOOL GetVersionExW(LPOSVERSIONINFOW info);
#  ifdef UNICODE
typedef OSVERSIONINFOW OSVERSIONINFO, *POSVERSIONINFO, *LPOSVERSIONINFO;
#  else
typedef OSVERSIONINFOA OSVERSIONINFO, *POSVERSIONINFO, *LPOSVERSIONINFO;
typedef OSVERSIONINFOEXA OSVERSIONINFOEX, *POSVERSIONINFOEX, *LPOSVERSIONINFOEX;
#  endif
#  define GetVersionEx CPORT_W32_AW(GetVersionEx)

/* ------------------------------------------------------------------------ */
/* The process                                                               */
/* ------------------------------------------------------------------------ */

CPORT_WIN32_API DWORD GetCurrentProcessId(void);
/* The pseudo handle (HANDLE)-1, as on Windows. */
CPORT_WIN32_API HANDLE GetCurrentProcess(void);
/* GetCurrentProcess() only (else ERROR_INVALID_HANDLE): the process's
 * start, exit 0, and the CPU time spent in system and user mode, in
 * 100-nanosecond units. */
CPORT_WIN32_API BOOL GetProcessTimes(HANDLE process, LPFILETIME creation,
                                     LPFILETIME exit_time, LPFILETIME kernel,
                                     LPFILETIME user);
/* GetCurrentThread() or a thread handle of CreateThread / _beginthreadex
 * (else ERROR_INVALID_HANDLE): its start, its end (0 while it runs), and
 * the CPU time it spent in kernel and user mode, in 100-nanosecond units;
 * another running thread's in clock ticks (/proc). A NULL pointer is
 * ERROR_NOACCESS. */
CPORT_WIN32_API BOOL GetThreadTimes(HANDLE thread, LPFILETIME creation,
                                    LPFILETIME exit_time, LPFILETIME kernel,
                                    LPFILETIME user);
/* The CPU time of every processor since boot; kernel time includes idle
 * time, as documented. Each pointer may be NULL. */
CPORT_WIN32_API BOOL GetSystemTimes(LPFILETIME idle, LPFILETIME kernel,
                                    LPFILETIME user);
CPORT_WIN32_API CPORT_W32_NORETURN void ExitProcess(UINT code);
/* module NULL only: the running executable's path; a buffer too small
 * gets as much as fits, terminated, and the call returns size with
 * ERROR_INSUFFICIENT_BUFFER, as on Windows since Vista. */
CPORT_WIN32_API DWORD GetModuleFileNameA(HMODULE module, LPSTR buf, DWORD size);
CPORT_WIN32_API DWORD GetModuleFileNameW(HMODULE module, LPWSTR buf,
                                         DWORD size);
/* The debugger's output on Linux is standard error: the string is written
 * there as it is (NULL writes nothing). */
CPORT_WIN32_API void OutputDebugStringA(LPCSTR s);
CPORT_WIN32_API void OutputDebugStringW(LPCWSTR s);
#  define OutputDebugString CPORT_W32_AW(OutputDebugString)
#  define GetModuleFileName CPORT_W32_AW(GetModuleFileName)

/* The system modules a program looks functions up in at run time, to use
 * a call where Windows has it (GetQueuedCompletionStatusEx,
 * SetFileCompletionNotificationModes...): kernel32, kernelbase, ws2_32,
 * mswsock and ntdll, with or without ".dll", in any case, name one
 * module, the layer; NULL names the program. Other names fail with
 * ERROR_MOD_NOT_FOUND: no DLL can be loaded. */
CPORT_WIN32_API HMODULE GetModuleHandleA(LPCSTR name);
CPORT_WIN32_API HMODULE GetModuleHandleW(LPCWSTR name);
CPORT_WIN32_API HMODULE LoadLibraryA(LPCSTR name);
CPORT_WIN32_API HMODULE LoadLibraryW(LPCWSTR name);
/* file and flags are not used. */
CPORT_WIN32_API HMODULE LoadLibraryExA(LPCSTR name, HANDLE file, DWORD flags);
CPORT_WIN32_API HMODULE LoadLibraryExW(LPCWSTR name, HANDLE file, DWORD flags);
CPORT_WIN32_API BOOL FreeLibrary(HMODULE module);
/* A function of the layer by its Win32 name, in the layer's module; NULL
 * with ERROR_PROC_NOT_FOUND for a name the layer does not provide, an
 * ordinal, or any name in the program's module (GetModuleHandle(NULL)). */
CPORT_WIN32_API FARPROC GetProcAddress(HMODULE module, LPCSTR name);
#  define GetModuleHandle CPORT_W32_AW(GetModuleHandle)
#  define LoadLibrary CPORT_W32_AW(LoadLibrary)
#  define LoadLibraryEx CPORT_W32_AW(LoadLibraryEx)

/* ------------------------------------------------------------------------ */
/* Console                                                                   */
/* ------------------------------------------------------------------------ */

#  define CTRL_C_EVENT 0u
#  define CTRL_BREAK_EVENT 1u
#  define CTRL_CLOSE_EVENT 2u
#  define CTRL_LOGOFF_EVENT 5u
#  define CTRL_SHUTDOWN_EVENT 6u
typedef BOOL(WINAPI *PHANDLER_ROUTINE)(DWORD event);

/*
 * Console control events come from signals: SIGINT is CTRL_C_EVENT,
 * SIGQUIT CTRL_BREAK_EVENT, SIGHUP CTRL_CLOSE_EVENT, SIGTERM
 * CTRL_SHUTDOWN_EVENT. Each event runs the handlers on a new thread, the
 * last registered first, until one returns TRUE; if none does, the
 * default handler ends the process as the signal's default action would.
 * SetConsoleCtrlHandler(NULL, TRUE) ignores CTRL_C_EVENT.
 */
CPORT_WIN32_API BOOL SetConsoleCtrlHandler(PHANDLER_ROUTINE fn, BOOL add);
/* Raises CTRL_C_EVENT or CTRL_BREAK_EVENT (as SIGINT or SIGQUIT): group 0
 * (or the caller's id) is the calling process, whose handlers run as for
 * the signal (other processes on its terminal are not signalled); another
 * group is a Linux process group, sent CTRL_BREAK_EVENT only (Ctrl-C
 * "cannot be generated for process groups": TRUE, nothing sent). Another
 * event, or a group that does not exist: ERROR_INVALID_PARAMETER. */
CPORT_WIN32_API BOOL GenerateConsoleCtrlEvent(DWORD event, DWORD group);

#  define STD_INPUT_HANDLE ((DWORD)-10)
#  define STD_OUTPUT_HANDLE ((DWORD)-11)
#  define STD_ERROR_HANDLE ((DWORD)-12)
/* Handles for file descriptors 0, 1 and 2 (stdin is a handle object of
 * its own: descriptor 0 would be the NULL handle). */
CPORT_WIN32_API HANDLE GetStdHandle(DWORD which);
/* Succeeds only for a console (a terminal); WriteConsole fails, as on
 * Windows, on a handle redirected to a file or a pipe. */
CPORT_WIN32_API BOOL GetConsoleMode(HANDLE h, LPDWORD mode);
CPORT_WIN32_API BOOL WriteConsoleA(HANDLE h, const VOID *buf, DWORD n,
                                   LPDWORD written, LPVOID reserved);
/* n wide characters, written as UTF-8; *written counts wide characters. */
CPORT_WIN32_API BOOL WriteConsoleW(HANDLE h, const VOID *buf, DWORD n,
                                   LPDWORD written, LPVOID reserved);
#  define WriteConsole CPORT_W32_AW(WriteConsole)

/* The window's title: kept by the layer and shown by the terminal of
 * standard output or error (an OSC 0 sequence); GetConsoleTitle gives it
 * back (the program's path until one is set), cut to the buffer with its
 * NUL, and returns the characters copied. */
CPORT_WIN32_API BOOL SetConsoleTitleA(LPCSTR title);
CPORT_WIN32_API BOOL SetConsoleTitleW(LPCWSTR title);
CPORT_WIN32_API DWORD GetConsoleTitleA(LPSTR buf, DWORD size);
CPORT_WIN32_API DWORD GetConsoleTitleW(LPWSTR buf, DWORD size);
#  define SetConsoleTitle CPORT_W32_AW(SetConsoleTitle)
#  define GetConsoleTitle CPORT_W32_AW(GetConsoleTitle)
/* Code pages: kept and read back (CP_UTF8 until set); text is never
 * converted, a Linux terminal reads UTF-8. 0 and UTF-16 (1200, 1201):
 * ERROR_INVALID_PARAMETER. */
CPORT_WIN32_API BOOL SetConsoleOutputCP(UINT cp);
CPORT_WIN32_API BOOL SetConsoleCP(UINT cp);
CPORT_WIN32_API UINT GetConsoleOutputCP(void);
CPORT_WIN32_API UINT GetConsoleCP(void);

#  define FOREGROUND_BLUE 0x0001u
#  define FOREGROUND_GREEN 0x0002u
#  define FOREGROUND_RED 0x0004u
#  define FOREGROUND_INTENSITY 0x0008u
#  define BACKGROUND_BLUE 0x0010u
#  define BACKGROUND_GREEN 0x0020u
#  define BACKGROUND_RED 0x0040u
#  define BACKGROUND_INTENSITY 0x0080u
#  define COMMON_LVB_REVERSE_VIDEO 0x4000u
#  define COMMON_LVB_UNDERSCORE 0x8000u
typedef struct _COORD {
  SHORT X;
  SHORT Y;
} COORD, *PCOORD;
typedef struct _SMALL_RECT {
  SHORT Left;
  SHORT Top;
  SHORT Right;
  SHORT Bottom;
} SMALL_RECT, *PSMALL_RECT;
typedef struct _CONSOLE_SCREEN_BUFFER_INFO {
  COORD dwSize;
  COORD dwCursorPosition;
  WORD wAttributes;
  SMALL_RECT srWindow;
  COORD dwMaximumWindowSize;
} CONSOLE_SCREEN_BUFFER_INFO, *PCONSOLE_SCREEN_BUFFER_INFO;
/* Colours as the terminal's SGR sequences (light grey on black, Windows'
 * default, is the terminal's own default); on a handle that is not a
 * console (redirected), ERROR_INVALID_HANDLE, as on Windows. */
CPORT_WIN32_API BOOL SetConsoleTextAttribute(HANDLE h, WORD attributes);
/* The terminal's size as the buffer and the window, the attributes last
 * set (0x07 at first); the cursor's place is not known (0, 0). On a
 * handle that is not a console: ERROR_INVALID_HANDLE. */
CPORT_WIN32_API BOOL
GetConsoleScreenBufferInfo(HANDLE h, PCONSOLE_SCREEN_BUFFER_INFO info);
/* A bell on the terminal (MessageBeep's sound types all ring it); Beep
 * rings it and returns after ms milliseconds (frequencies 37 to 32767,
 * else ERROR_INVALID_PARAMETER). */
CPORT_WIN32_API BOOL MessageBeep(UINT type);
CPORT_WIN32_API BOOL Beep(DWORD freq, DWORD ms);

/* ------------------------------------------------------------------------ */
/* Memory                                                                    */
/* ------------------------------------------------------------------------ */

#  define HEAP_NO_SERIALIZE 0x1u
#  define HEAP_GENERATE_EXCEPTIONS 0x4u
#  define HEAP_ZERO_MEMORY 0x8u
#  define HEAP_REALLOC_IN_PLACE_ONLY 0x10u
/* The process heap: malloc underneath. There are no structured
 * exceptions: with HEAP_GENERATE_EXCEPTIONS a failure still returns NULL. */
CPORT_WIN32_API HANDLE GetProcessHeap(void);
CPORT_WIN32_API LPVOID HeapAlloc(HANDLE heap, DWORD flags, SIZE_T size);
CPORT_WIN32_API LPVOID HeapReAlloc(HANDLE heap, DWORD flags, LPVOID p,
                                   SIZE_T size);
CPORT_WIN32_API BOOL HeapFree(HANDLE heap, DWORD flags, LPVOID p);
CPORT_WIN32_API SIZE_T HeapSize(HANDLE heap, DWORD flags, LPCVOID p);

#  define GMEM_FIXED 0x0000u
#  define GMEM_ZEROINIT 0x0040u
#  define GPTR (GMEM_FIXED | GMEM_ZEROINIT)
#  define LMEM_FIXED 0x0000u
#  define LMEM_ZEROINIT 0x0040u
#  define LPTR (LMEM_FIXED | LMEM_ZEROINIT)
/* Fixed memory only (GMEM_MOVEABLE / LMEM_MOVEABLE are refused). */
CPORT_WIN32_API HGLOBAL GlobalAlloc(UINT flags, SIZE_T size);
CPORT_WIN32_API HGLOBAL GlobalFree(HGLOBAL p);
CPORT_WIN32_API HLOCAL LocalAlloc(UINT flags, SIZE_T size);
CPORT_WIN32_API HLOCAL LocalFree(HLOCAL p);
/* The block's size as allocated (HeapSize's); NULL: 0, with
 * ERROR_INVALID_HANDLE. */
CPORT_WIN32_API SIZE_T GlobalSize(HGLOBAL p);
CPORT_WIN32_API SIZE_T LocalSize(HLOCAL p);

#  define MEM_COMMIT 0x00001000u
#  define MEM_RESERVE 0x00002000u
#  define MEM_DECOMMIT 0x00004000u
#  define MEM_RELEASE 0x00008000u
#  define MEM_RESET 0x00080000u
#  define PAGE_NOACCESS 0x01u
#  define PAGE_READONLY 0x02u
#  define PAGE_READWRITE 0x04u
#  define PAGE_EXECUTE 0x10u
#  define PAGE_EXECUTE_READ 0x20u
#  define PAGE_EXECUTE_READWRITE 0x40u
/* Page-aligned memory from mmap; reservations are 64 KiB aligned as on
 * Windows. MEM_RELEASE takes size 0 and the base VirtualAlloc returned.
 * MEM_RESET, alone, on committed pages: their contents are no longer of
 * interest (madvise MADV_FREE: they read as before or as zeroes);
 * MEM_RESET_UNDO is not offered. */
CPORT_WIN32_API LPVOID VirtualAlloc(LPVOID addr, SIZE_T size, DWORD type,
                                    DWORD protect);
CPORT_WIN32_API BOOL VirtualFree(LPVOID addr, SIZE_T size, DWORD type);

/* File mappings (docs/porting.md). Protections for CreateFileMapping, and
 * the one section flag taken (SEC_COMMIT, what Windows assumes). */
#  define PAGE_WRITECOPY 0x08u
#  define PAGE_EXECUTE_WRITECOPY 0x80u
#  define SEC_COMMIT 0x8000000u
/* MapViewOfFile's access: FILE_MAP_ALL_ACCESS is FILE_MAP_WRITE. */
#  define FILE_MAP_COPY 0x0001u
#  define FILE_MAP_WRITE 0x0002u
#  define FILE_MAP_READ 0x0004u
#  define FILE_MAP_EXECUTE 0x0020u
#  define FILE_MAP_ALL_ACCESS 0x000F001Fu
/*
 * A mapping of a file (the size 0: the file's; larger, with
 * PAGE_READWRITE: the file grows to it; a file of 0 bytes:
 * ERROR_FILE_INVALID) or, for INVALID_HANDLE_VALUE, of memory of the
 * given size shared by its views. PAGE_READONLY, PAGE_READWRITE,
 * PAGE_WRITECOPY (the PAGE_EXECUTE_* ones and SEC_* flags other than
 * SEC_COMMIT: ERROR_NOT_SUPPORTED). A name: ERROR_NOT_SUPPORTED (no other
 * process could open it). The file handle may be closed while the mapping
 * lives; CloseHandle closes the mapping, and its views keep working.
 */
CPORT_WIN32_API HANDLE CreateFileMappingA(HANDLE file, LPSECURITY_ATTRIBUTES sa,
                                          DWORD protect, DWORD size_high,
                                          DWORD size_low, LPCSTR name);
CPORT_WIN32_API HANDLE CreateFileMappingW(HANDLE file, LPSECURITY_ATTRIBUTES sa,
                                          DWORD protect, DWORD size_high,
                                          DWORD size_low, LPCWSTR name);
#  define CreateFileMapping CPORT_W32_AW(CreateFileMapping)
/*
 * A view (mmap): FILE_MAP_READ, FILE_MAP_WRITE (a PAGE_READWRITE mapping
 * only, else ERROR_ACCESS_DENIED), FILE_MAP_COPY (copy on write: the file
 * never changes); at an offset that is a multiple of the allocation
 * granularity GetSystemInfo reports (64 KiB; else
 * ERROR_MAPPED_ALIGNMENT), of `bytes` (0: to the end of the mapping;
 * beyond it: ERROR_ACCESS_DENIED). MapViewOfFileEx places it at base (a
 * multiple of 64 KiB, free: else ERROR_INVALID_ADDRESS), or anywhere for
 * NULL.
 */
CPORT_WIN32_API LPVOID MapViewOfFile(HANDLE mapping, DWORD access,
                                     DWORD off_high, DWORD off_low,
                                     SIZE_T bytes);
CPORT_WIN32_API LPVOID MapViewOfFileEx(HANDLE mapping, DWORD access,
                                       DWORD off_high, DWORD off_low,
                                       SIZE_T bytes, LPVOID base);
/* Unmaps the view holding addr (ERROR_INVALID_ADDRESS if none). */
CPORT_WIN32_API BOOL UnmapViewOfFile(LPCVOID addr);
/* Writes the view's pages from addr (bytes 0: to the view's end) to the
 * file (msync), waiting until they are written. */
CPORT_WIN32_API BOOL FlushViewOfFile(LPCVOID addr, SIZE_T bytes);

/* ------------------------------------------------------------------------ */
/* Strings                                                                   */
/* ------------------------------------------------------------------------ */

CPORT_WIN32_API int lstrlenA(LPCSTR s);
CPORT_WIN32_API int lstrlenW(LPCWSTR s);
CPORT_WIN32_API LPSTR lstrcpyA(LPSTR d, LPCSTR s);
CPORT_WIN32_API LPWSTR lstrcpyW(LPWSTR d, LPCWSTR s);
CPORT_WIN32_API LPSTR lstrcatA(LPSTR d, LPCSTR s);
CPORT_WIN32_API LPWSTR lstrcatW(LPWSTR d, LPCWSTR s);
CPORT_WIN32_API int lstrcmpA(LPCSTR a, LPCSTR b);
CPORT_WIN32_API int lstrcmpW(LPCWSTR a, LPCWSTR b);
CPORT_WIN32_API int lstrcmpiA(LPCSTR a, LPCSTR b);
CPORT_WIN32_API int lstrcmpiW(LPCWSTR a, LPCWSTR b);
#  define lstrlen CPORT_W32_AW(lstrlen)
#  define lstrcpy CPORT_W32_AW(lstrcpy)
#  define lstrcat CPORT_W32_AW(lstrcat)
#  define lstrcmp CPORT_W32_AW(lstrcmp)
#  define lstrcmpi CPORT_W32_AW(lstrcmpi)
/* user32's formatting, in Microsoft's printf spelling: %s and %c of the
 * function's own width, %S and %C of the other, h and l (or w) forcing
 * char or WCHAR, I64, I32 and I. The result is cut at 1,023 characters
 * and a NUL, the most Windows' 1,024-character buffer takes. Returns the
 * characters stored, without the NUL; 0 with ERROR_INVALID_PARAMETER for
 * a NULL buffer or format. */
CPORT_WIN32_API int wsprintfA(LPSTR buf, LPCSTR fmt, ...);
CPORT_WIN32_API int wsprintfW(LPWSTR buf, LPCWSTR fmt, ...);
CPORT_WIN32_API int wvsprintfA(LPSTR buf, LPCSTR fmt, va_list ap);
CPORT_WIN32_API int wvsprintfW(LPWSTR buf, LPCWSTR fmt, va_list ap);
#  define wsprintf CPORT_W32_AW(wsprintf)
#  define wvsprintf CPORT_W32_AW(wvsprintf)

#  define CP_ACP 0u
#  define CP_OEMCP 1u
#  define CP_UTF8 65001u
#  define MB_PRECOMPOSED 0x1u
#  define MB_ERR_INVALID_CHARS 0x8u
#  define WC_ERR_INVALID_CHARS 0x80u
/* UTF-8 <-> WCHAR; CP_ACP and CP_OEMCP are UTF-8 too. Counts in
 * characters of each side; -1 for a NUL-terminated source (the NUL is
 * converted and counted); out size 0 asks for the size needed. Invalid
 * input: U+FFFD, or ERROR_NO_UNICODE_TRANSLATION with the *_INVALID_CHARS
 * flag. */
CPORT_WIN32_API int MultiByteToWideChar(UINT codepage, DWORD flags, LPCSTR in,
                                        int inlen, LPWSTR out, int outlen);
CPORT_WIN32_API int WideCharToMultiByte(UINT codepage, DWORD flags, LPCWSTR in,
                                        int inlen, LPSTR out, int outlen,
                                        LPCSTR defchar, LPBOOL used_default);

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
#  define STRSAFE_MAX_CCH 2147483647
#  define STRSAFE_E_INSUFFICIENT_BUFFER ((HRESULT)0x8007007Au)
#  define STRSAFE_E_INVALID_PARAMETER ((HRESULT)0x80070057u)
#  define STRSAFE_E_END_OF_FILE ((HRESULT)0x80070026u)
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
#  define StringCchCopy CPORT_W32_AW(StringCchCopy)
#  define StringCbCopy CPORT_W32_AW(StringCbCopy)
#  define StringCchCopyN CPORT_W32_AW(StringCchCopyN)
#  define StringCbCopyN CPORT_W32_AW(StringCbCopyN)
#  define StringCchCat CPORT_W32_AW(StringCchCat)
#  define StringCbCat CPORT_W32_AW(StringCbCat)
#  define StringCchPrintf CPORT_W32_AW(StringCchPrintf)
#  define StringCbPrintf CPORT_W32_AW(StringCbPrintf)
#  define StringCchVPrintf CPORT_W32_AW(StringCchVPrintf)
#  define StringCbVPrintf CPORT_W32_AW(StringCbVPrintf)
#  define StringCchLength CPORT_W32_AW(StringCchLength)
#  define StringCbLength CPORT_W32_AW(StringCbLength)

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
#  ifndef _TRUNCATE
#    define _TRUNCATE ((size_t)-1)
#  endif
#  ifndef STRUNCATE
#    define STRUNCATE 80
#  endif
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
#  ifndef strcpy_s
#    define strcpy_s cport_w32_strcpy_s
#  endif
#  ifndef strncpy_s
#    define strncpy_s cport_w32_strncpy_s
#  endif
#  ifndef strcat_s
#    define strcat_s cport_w32_strcat_s
#  endif
#  ifndef strnlen_s
#    define strnlen_s cport_w32_strnlen_s
#  endif
#  ifndef sprintf_s
#    define sprintf_s cport_w32_sprintf_s
#  endif
#  ifndef vsprintf_s
#    define vsprintf_s cport_w32_vsprintf_s
#  endif
#  ifndef _snprintf_s
#    define _snprintf_s cport_w32_snprintf_s
#  endif
#  ifndef _vsnprintf_s
#    define _vsnprintf_s cport_w32_vsnprintf_s
#  endif
#  if defined(__cplusplus) && __cplusplus >= 201103L
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
#  endif

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
#  ifndef memcpy_s
#    define memcpy_s cport_w32_memcpy_s
#  endif
#  ifndef memmove_s
#    define memmove_s cport_w32_memmove_s
#  endif
#  ifndef strtok_s
#    define strtok_s cport_w32_strtok_s
#  endif
#  ifndef _strdup
#    define _strdup cport_w32_strdup
#  endif
#  ifndef _wcsdup
#    define _wcsdup cport_w32_wcsdup
#  endif
#  ifndef wcscpy_s
#    define wcscpy_s cport_w32_wcscpy_s
#  endif
#  ifndef wcsncpy_s
#    define wcsncpy_s cport_w32_wcsncpy_s
#  endif
#  ifndef wcscat_s
#    define wcscat_s cport_w32_wcscat_s
#  endif
#  ifndef wcsnlen_s
#    define wcsnlen_s cport_w32_wcsnlen_s
#  endif
#  ifndef fopen_s
#    define fopen_s cport_w32_fopen_s
#  endif
#  ifndef _wfopen_s
#    define _wfopen_s cport_w32_wfopen_s
#  endif
#  ifndef mbstowcs_s
#    define mbstowcs_s cport_w32_mbstowcs_s
#  endif
#  ifndef wcstombs_s
#    define wcstombs_s cport_w32_wcstombs_s
#  endif
#  ifndef fread_s
#    define fread_s cport_w32_fread_s
#  endif
#  ifndef _splitpath_s
#    define _splitpath_s cport_w32_splitpath_s
#  endif
#  ifndef _MAX_PATH
#    define _MAX_PATH 260
#    define _MAX_DRIVE 3
#    define _MAX_DIR 256
#    define _MAX_FNAME 256
#    define _MAX_EXT 256
#  endif
#  ifndef __debugbreak
#    define __debugbreak() cport_w32_debugbreak()
#  endif
#  ifndef swprintf_s
#    define swprintf_s cport_w32_swprintf_s
#  endif
#  ifndef vswprintf_s
#    define vswprintf_s cport_w32_vswprintf_s
#  endif
#  ifndef _snwprintf_s
#    define _snwprintf_s cport_w32_snwprintf_s
#  endif
#  ifndef _vsnwprintf_s
#    define _vsnwprintf_s cport_w32_vsnwprintf_s
#  endif
#  ifndef localtime_s
#    define localtime_s cport_w32_localtime_s
#  endif
#  ifndef gmtime_s
#    define gmtime_s cport_w32_gmtime_s
#  endif
#  ifndef asctime_s
#    define asctime_s cport_w32_asctime_s
#  endif
#  ifndef ctime_s
#    define ctime_s cport_w32_ctime_s
#  endif
#  ifndef _itoa_s
#    define _itoa_s cport_w32_itoa_s
#  endif
#  ifndef _ltoa_s
#    define _ltoa_s cport_w32_ltoa_s
#  endif
#  ifndef _ultoa_s
#    define _ultoa_s cport_w32_ultoa_s
#  endif
#  ifndef _i64toa_s
#    define _i64toa_s cport_w32_i64toa_s
#  endif
#  ifndef _ui64toa_s
#    define _ui64toa_s cport_w32_ui64toa_s
#  endif
#  ifndef _itoa
#    define _itoa cport_w32_itoa
#  endif
#  ifndef _ltoa
#    define _ltoa cport_w32_ltoa
#  endif
#  ifndef _ultoa
#    define _ultoa cport_w32_ultoa
#  endif
#  ifndef _i64toa
#    define _i64toa cport_w32_i64toa
#  endif
#  ifndef _ui64toa
#    define _ui64toa cport_w32_ui64toa
#  endif
#  ifndef sscanf_s
#    define sscanf_s cport_w32_sscanf_s
#  endif
#  ifndef vsscanf_s
#    define vsscanf_s cport_w32_vsscanf_s
#  endif
#  ifndef printf_s
#    define printf_s cport_w32_printf_s
#  endif
/* conio.h */
#  ifndef _getch
#    define _getch cport_w32_getch
#  endif
#  ifndef _getche
#    define _getche cport_w32_getche
#  endif
#  ifndef _kbhit
#    define _kbhit cport_w32_kbhit
#  endif
/* tchar.h's routines: the narrow C runtime's names, or the wide ones
 * under UNICODE / _UNICODE (whose printf family is left out: glibc's
 * wide printf reads %s as a narrow string, Microsoft's as a wide one). */
#  if defined(UNICODE) || defined(_UNICODE)
#    define CPORT_W32_TCHAR(narrow, wide) wide
#  else
#    define CPORT_W32_TCHAR(narrow, wide) narrow
#    define _tprintf printf
#    define _ftprintf fprintf
#    define _stprintf sprintf
#    define _sntprintf _snprintf
#    define _vtprintf vprintf
#    define _vftprintf vfprintf
#    define _vstprintf vsprintf
#    define _vsntprintf _vsnprintf
#    define _tprintf_s printf_s
#    define _ftprintf_s fprintf_s
#    define _stprintf_s sprintf_s
#    define _tscanf scanf
#    define _stscanf sscanf
#    define _ftscanf fscanf
#    define _stscanf_s sscanf_s
#    define _tperror perror
#    define _tfopen fopen
#    define _tgetenv getenv
#    define _tremove remove
#    define _trename rename
#    define _tsystem system
#    define _tcsftime strftime
#    define _puttchar putchar
#    define _gettchar getchar
#    define _fgetts fgets
#    define _fputts fputs
#    define _tcstok strtok
#    define _tcstok_s strtok_s
#    define _tcsdup _strdup
#    define _ttoi atoi
#    define _tstoi atoi
#    define _ttol atol
#    define _tstol atol
#    define _ttoi64 _atoi64
#    define _istascii isascii
#  endif
#  define _tcslen CPORT_W32_TCHAR(strlen, wcslen)
#  define _tcsnlen CPORT_W32_TCHAR(strnlen, wcsnlen)
#  define _tcscpy CPORT_W32_TCHAR(strcpy, wcscpy)
#  define _tcsncpy CPORT_W32_TCHAR(strncpy, wcsncpy)
#  define _tcscat CPORT_W32_TCHAR(strcat, wcscat)
#  define _tcsncat CPORT_W32_TCHAR(strncat, wcsncat)
#  define _tcscmp CPORT_W32_TCHAR(strcmp, wcscmp)
#  define _tcsncmp CPORT_W32_TCHAR(strncmp, wcsncmp)
#  define _tcsicmp CPORT_W32_TCHAR(_stricmp, _wcsicmp)
#  define _tcsnicmp CPORT_W32_TCHAR(_strnicmp, _wcsnicmp)
#  define _tcschr CPORT_W32_TCHAR(strchr, wcschr)
#  define _tcsrchr CPORT_W32_TCHAR(strrchr, wcsrchr)
#  define _tcsstr CPORT_W32_TCHAR(strstr, wcsstr)
#  define _tcsspn CPORT_W32_TCHAR(strspn, wcsspn)
#  define _tcscspn CPORT_W32_TCHAR(strcspn, wcscspn)
#  define _tcspbrk CPORT_W32_TCHAR(strpbrk, wcspbrk)
#  define _tcstol CPORT_W32_TCHAR(strtol, wcstol)
#  define _tcstoul CPORT_W32_TCHAR(strtoul, wcstoul)
#  define _tcstod CPORT_W32_TCHAR(strtod, wcstod)
#  define _tcscpy_s CPORT_W32_TCHAR(strcpy_s, wcscpy_s)
#  define _tcsncpy_s CPORT_W32_TCHAR(strncpy_s, wcsncpy_s)
#  define _tcscat_s CPORT_W32_TCHAR(strcat_s, wcscat_s)
#  define _tsplitpath_s CPORT_W32_TCHAR(_splitpath_s, _wsplitpath_s)
#  define _istspace CPORT_W32_TCHAR(isspace, iswspace)
#  define _istdigit CPORT_W32_TCHAR(isdigit, iswdigit)
#  define _istalpha CPORT_W32_TCHAR(isalpha, iswalpha)
#  define _istalnum CPORT_W32_TCHAR(isalnum, iswalnum)
#  define _istupper CPORT_W32_TCHAR(isupper, iswupper)
#  define _istlower CPORT_W32_TCHAR(islower, iswlower)
#  define _istxdigit CPORT_W32_TCHAR(isxdigit, iswxdigit)
#  define _istprint CPORT_W32_TCHAR(isprint, iswprint)
#  define _totupper CPORT_W32_TCHAR(toupper, towupper)
#  define _totlower CPORT_W32_TCHAR(tolower, towlower)
#  ifndef fprintf_s
#    define fprintf_s cport_w32_fprintf_s
#  endif
#  ifndef vprintf_s
#    define vprintf_s cport_w32_vprintf_s
#  endif
#  ifndef vfprintf_s
#    define vfprintf_s cport_w32_vfprintf_s
#  endif
#  if defined(__cplusplus) && __cplusplus >= 201103L
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
#  endif

/*
 * Winsock 2 (winsock2.h, ws2tcpip.h), the Microsoft extensions (mswsock.h)
 * and the keep-alive values of mstcpip.h. A SOCKET is a file descriptor.
 * The BSD calls whose Linux prototypes take Winsock's arguments
 * (CPORT_WIN32_BSD_CALLS) are the real names, provided by libcport-win32
 * in front of the C library's: they behave as the C library's do and, on
 * failure, also set WSAGetLastError(); an IPv6 socket starts IPv6-only
 * (IPV6_V6ONLY), from socket() as from WSASocket(), as Windows makes it;
 * bind() of a stream socket passes over connections in TIME_WAIT, as on
 * Windows (SO_REUSEADDR underneath, unless SO_EXCLUSIVEADDRUSE was set;
 * a second listener on a port is refused all the same); listen() of an
 * IPv4 or IPv6 socket never bound fails with WSAEINVAL, as on Windows
 * (Linux would bind it to a port of its choosing); select() with a first argument of
 * 0, as Windows code passes it, takes the descriptors from the sets. The
 * calls whose types differ (int lengths, char* option values) or whose
 * behaviour must (shutdown, getaddrinfo's codes) are macros naming
 * cport_w32_* functions.
 */
#  define CPORT_WIN32_BSD_CALLS \
    socket, bind, listen, connect, send, recv, sendto, select

/* ------------------------------------------------------------------------ */
/* Winsock: types                                                           */
/* ------------------------------------------------------------------------ */

typedef unsigned long u_long;
typedef unsigned short u_short;
typedef unsigned char u_char;
typedef unsigned int u_int;
typedef uint16_t ADDRESS_FAMILY;
typedef struct sockaddr SOCKADDR, *PSOCKADDR, *LPSOCKADDR;
typedef struct sockaddr_in SOCKADDR_IN, *PSOCKADDR_IN, *LPSOCKADDR_IN;
typedef struct sockaddr_in6 SOCKADDR_IN6, *PSOCKADDR_IN6, *LPSOCKADDR_IN6;
typedef struct sockaddr_storage SOCKADDR_STORAGE, *PSOCKADDR_STORAGE;
typedef struct in_addr IN_ADDR, *PIN_ADDR, *LPIN_ADDR;
typedef struct in6_addr IN6_ADDR, *PIN6_ADDR;
typedef struct linger LINGER, *PLINGER, *LPLINGER;
/* ws2def.h: an IPv6 scope (zone and level), and ws2ipdef.h: either
 * address family in one type. */
typedef union {
  CPORT_W32_NAMELESS struct {
    ULONG Zone : 28;
    ULONG Level : 4;
  };
  ULONG Value;
} SCOPE_ID, *PSCOPE_ID;
typedef union _SOCKADDR_INET {
  SOCKADDR_IN Ipv4;
  SOCKADDR_IN6 Ipv6;
  ADDRESS_FAMILY si_family;
} SOCKADDR_INET, *PSOCKADDR_INET;
typedef struct hostent HOSTENT, *PHOSTENT, *LPHOSTENT;
typedef struct addrinfo ADDRINFOA, *PADDRINFOA, ADDRINFO, *LPADDRINFO;
/* GetAddrInfoW's answers: struct addrinfo with a wide canonical name, in
 * Windows' member order. */
typedef struct addrinfoW {
  int ai_flags;
  int ai_family;
  int ai_socktype;
  int ai_protocol;
  size_t ai_addrlen;
  PWSTR ai_canonname;
  struct sockaddr *ai_addr;
  struct addrinfoW *ai_next;
} ADDRINFOW, *PADDRINFOW;
/* Windows' WSAPOLLFD: a SOCKET, then the two masks; its tag is pollfd as
 * on Windows unless <poll.h> came first (its struct pollfd is Linux's, an
 * int fd; WSAPoll then takes this one as cport_w32_pollfd). The POLL*
 * masks have Linux's values, spelled as the C library spells them, so
 * <poll.h> after this header defines the same macros again. */
#  if defined(CPORT_BUILDING) || defined(_SYS_POLL_H) || defined(_POLL_H)
#    define CPORT_W32_POLLFD_TAG cport_w32_pollfd
#  else
#    define CPORT_W32_POLLFD_TAG pollfd
#  endif
typedef struct CPORT_W32_POLLFD_TAG {
  SOCKET fd;
  SHORT events;
  SHORT revents;
} WSAPOLLFD, *PWSAPOLLFD, *LPWSAPOLLFD;
#  ifndef POLLIN
#    define POLLIN 0x001
#    define POLLPRI 0x002
#    define POLLOUT 0x004
#    define POLLERR 0x008
#    define POLLHUP 0x010
#    define POLLNVAL 0x020
#  endif
#  ifndef POLLRDNORM
#    define POLLRDNORM 0x040
#    define POLLRDBAND 0x080
#    define POLLWRNORM 0x100
#    define POLLWRBAND 0x200
#  endif
typedef OVERLAPPED WSAOVERLAPPED, *LPWSAOVERLAPPED;

typedef struct _WSABUF {
  ULONG len;
  CHAR *buf;
} WSABUF, *LPWSABUF;

/* WSARecvMsg's and WSASendMsg's message and its control headers
 * (Windows' layout, which the layer translates to and from Linux's). */
typedef struct _WSAMSG {
  LPSOCKADDR name;
  INT namelen;
  LPWSABUF lpBuffers;
  ULONG dwBufferCount;
  WSABUF Control;
  ULONG dwFlags;
} WSAMSG, *PWSAMSG, *LPWSAMSG;
typedef struct _WSACMSGHDR {
  SIZE_T cmsg_len;
  INT cmsg_level;
  INT cmsg_type;
} WSACMSGHDR, *PWSACMSGHDR, *LPWSACMSGHDR;
#  define WSA_CMSGHDR_ALIGN(length) \
    (((length) + sizeof(SIZE_T) - 1) & ~(sizeof(SIZE_T) - 1))
#  define WSA_CMSGDATA_ALIGN(length) \
    (((length) + sizeof(ULONG_PTR) - 1) & ~(sizeof(ULONG_PTR) - 1))
#  define WSA_CMSG_FIRSTHDR(msg)                    \
    ((msg)->Control.len >= sizeof(WSACMSGHDR)       \
         ? (LPWSACMSGHDR)(void *)(msg)->Control.buf \
         : (LPWSACMSGHDR)NULL)
#  define WSA_CMSG_NXTHDR(msg, cmsg)                          \
    (!(cmsg) ? WSA_CMSG_FIRSTHDR(msg)                         \
     : (char *)(cmsg) + WSA_CMSGHDR_ALIGN((cmsg)->cmsg_len) + \
                 sizeof(WSACMSGHDR) >                         \
             (char *)(msg)->Control.buf + (msg)->Control.len  \
         ? (LPWSACMSGHDR)NULL                                 \
         : (LPWSACMSGHDR)(void *)((char *)(cmsg) +            \
                                  WSA_CMSGHDR_ALIGN((cmsg)->cmsg_len)))
#  define WSA_CMSG_DATA(cmsg) \
    ((unsigned char *)(cmsg) + WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR)))
#  define WSA_CMSG_SPACE(length) \
    WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR) + WSA_CMSGHDR_ALIGN(length))
#  define WSA_CMSG_LEN(length) \
    (WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR)) + (length))

typedef struct WSAData {
  WORD wVersion;
  WORD wHighVersion;
  char szDescription[257];
  char szSystemStatus[129];
  unsigned short iMaxSockets;
  unsigned short iMaxUdpDg;
  char *lpVendorInfo;
} WSADATA, *LPWSADATA;

typedef void *LPQOS;
/* A transport provider (winsock2.h): what WSAEnumProtocols lists and
 * WSASocket and WSADuplicateSocket take. */
#  define MAX_PROTOCOL_CHAIN 7
#  define WSAPROTOCOL_LEN 255
#  define BASE_PROTOCOL 1
#  define LAYERED_PROTOCOL 0
#  define FROM_PROTOCOL_INFO (-1)
#  define BIGENDIAN 0x0000
#  define LITTLEENDIAN 0x0001
#  define SECURITY_PROTOCOL_NONE 0x0000
#  define XP1_CONNECTIONLESS 0x00000001u
#  define XP1_GUARANTEED_DELIVERY 0x00000002u
#  define XP1_GUARANTEED_ORDER 0x00000004u
#  define XP1_MESSAGE_ORIENTED 0x00000008u
#  define XP1_PSEUDO_STREAM 0x00000010u
#  define XP1_GRACEFUL_CLOSE 0x00000020u
#  define XP1_EXPEDITED_DATA 0x00000040u
#  define XP1_CONNECT_DATA 0x00000080u
#  define XP1_DISCONNECT_DATA 0x00000100u
#  define XP1_SUPPORT_BROADCAST 0x00000200u
#  define XP1_SUPPORT_MULTIPOINT 0x00000400u
#  define XP1_MULTIPOINT_CONTROL_PLANE 0x00000800u
#  define XP1_MULTIPOINT_DATA_PLANE 0x00001000u
#  define XP1_QOS_SUPPORTED 0x00002000u
#  define XP1_INTERRUPT 0x00004000u
#  define XP1_UNI_SEND 0x00008000u
#  define XP1_UNI_RECV 0x00010000u
#  define XP1_IFS_HANDLES 0x00020000u
#  define XP1_PARTIAL_MESSAGE 0x00040000u
#  define XP1_SAN_SUPPORT_SDP 0x00080000u
#  define PFL_MULTIPLE_PROTO_ENTRIES 0x00000001u
#  define PFL_RECOMMENDED_PROTO_ENTRY 0x00000002u
#  define PFL_HIDDEN 0x00000004u
#  define PFL_MATCHES_PROTOCOL_ZERO 0x00000008u
#  define PFL_NETWORKDIRECT_PROVIDER 0x00000010u
typedef struct _WSAPROTOCOLCHAIN {
  int ChainLen;
  DWORD ChainEntries[MAX_PROTOCOL_CHAIN];
} WSAPROTOCOLCHAIN, *LPWSAPROTOCOLCHAIN;
typedef struct _WSAPROTOCOL_INFOA {
  DWORD dwServiceFlags1;
  DWORD dwServiceFlags2;
  DWORD dwServiceFlags3;
  DWORD dwServiceFlags4;
  DWORD dwProviderFlags;
  GUID ProviderId;
  DWORD dwCatalogEntryId;
  WSAPROTOCOLCHAIN ProtocolChain;
  int iVersion;
  int iAddressFamily;
  int iMaxSockAddr;
  int iMinSockAddr;
  int iSocketType;
  int iProtocol;
  int iProtocolMaxOffset;
  int iNetworkByteOrder;
  int iSecurityScheme;
  DWORD dwMessageSize;
  DWORD dwProviderReserved;
  CHAR szProtocol[WSAPROTOCOL_LEN + 1];
} WSAPROTOCOL_INFOA, *LPWSAPROTOCOL_INFOA;
typedef struct _WSAPROTOCOL_INFOW {
  DWORD dwServiceFlags1;
  DWORD dwServiceFlags2;
  DWORD dwServiceFlags3;
  DWORD dwServiceFlags4;
  DWORD dwProviderFlags;
  GUID ProviderId;
  DWORD dwCatalogEntryId;
  WSAPROTOCOLCHAIN ProtocolChain;
  int iVersion;
  int iAddressFamily;
  int iMaxSockAddr;
  int iMinSockAddr;
  int iSocketType;
  int iProtocol;
  int iProtocolMaxOffset;
  int iNetworkByteOrder;
  int iSecurityScheme;
  DWORD dwMessageSize;
  DWORD dwProviderReserved;
  WCHAR szProtocol[WSAPROTOCOL_LEN + 1];
} WSAPROTOCOL_INFOW, *LPWSAPROTOCOL_INFOW;
#  ifdef UNICODE
typedef WSAPROTOCOL_INFOW WSAPROTOCOL_INFO, *LPWSAPROTOCOL_INFO;
#  else
typedef WSAPROTOCOL_INFOA WSAPROTOCOL_INFO, *LPWSAPROTOCOL_INFO;
#  endif
typedef unsigned int GROUP;
typedef HANDLE WSAEVENT, *LPWSAEVENT;

typedef void(CALLBACK *LPWSAOVERLAPPED_COMPLETION_ROUTINE)(DWORD, DWORD,
                                                           LPWSAOVERLAPPED,
                                                           DWORD);
typedef int(CALLBACK *LPCONDITIONPROC)(LPWSABUF caller_id, LPWSABUF caller_data,
                                       LPQOS sqos, LPQOS gqos,
                                       LPWSABUF callee_id, LPWSABUF callee_data,
                                       GROUP *g, DWORD_PTR data);

/* mstcpip.h: SIO_KEEPALIVE_VALS, times in milliseconds. */
struct tcp_keepalive {
  ULONG onoff;
  ULONG keepalivetime;
  ULONG keepaliveinterval;
};

/* mstcpip.h: fill an IPv6 socket address with the unspecified address
 * (port 0), or with an IPv4 address mapped into IPv6 (a dual-stack
 * socket's view of an IPv4 peer); port in network order. */
static inline void IN6ADDR_SETANY(PSOCKADDR_IN6 a) {
  memset(a, 0, sizeof(*a));
  a->sin6_family = AF_INET6;
}
static inline void IN6ADDR_SETV4MAPPED(PSOCKADDR_IN6 a, const IN_ADDR *v4,
                                       SCOPE_ID scope, USHORT port) {
  memset(a, 0, sizeof(*a));
  a->sin6_family = AF_INET6;
  a->sin6_port = port;
  a->sin6_addr.s6_addr[10] = 0xff;
  a->sin6_addr.s6_addr[11] = 0xff;
  memcpy(&a->sin6_addr.s6_addr[12], v4, 4);
  a->sin6_scope_id = scope.Value;
}

/* ------------------------------------------------------------------------ */
/* Winsock: constants                                                       */
/* ------------------------------------------------------------------------ */

#  define INVALID_SOCKET ((SOCKET) ~(uintptr_t)0)
#  define SOCKET_ERROR (-1)
#  define WSADESCRIPTION_LEN 256
#  define WSASYS_STATUS_LEN 128
#  define WSA_FLAG_OVERLAPPED 0x01
#  define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#  define SD_RECEIVE 0
#  define SD_SEND 1
#  define SD_BOTH 2
#  define MSG_PARTIAL 0x8000
/* WSARecv on a stream: a hint to complete as soon as any data arrived,
 * which is what every receive does here; accepted and ignored. */
#  define MSG_PUSH_IMMEDIATE 0x20
#  define SO_UPDATE_ACCEPT_CONTEXT 0x700B
#  define SO_UPDATE_CONNECT_CONTEXT 0x7010
#  define SO_CONNECT_TIME 0x700C
#  define SO_MAX_MSG_SIZE 0x2003
#  define SO_EXCLUSIVEADDRUSE ((int)(~SO_REUSEADDR))
/* Accepted without effect: Linux always picks ephemeral ports at random
 * and shares them between different destinations. */
#  define SO_RANDOMIZE_PORT 0x3005
#  define SO_PORT_SCALABILITY 0x3006
#  define SO_CONDITIONAL_ACCEPT 0x3002
#  define SO_DONTLINGER ((int)(~SO_LINGER))
/* The calling thread's default for sockets it opens with socket()
 * (SOL_SOCKET, a DWORD, any socket value, INVALID_SOCKET too): 0, or
 * SO_SYNCHRONOUS_ALERT / SO_SYNCHRONOUS_NONALERT for non-overlapped ones.
 * Kept per thread (0 at first) and read back; every socket is overlapped
 * here whatever it says, which a program that also passes no OVERLAPPED
 * to the synchronous ones does not notice. */
#  define SO_OPENTYPE 0x7008
#  define SO_SYNCHRONOUS_ALERT 0x10
#  define SO_SYNCHRONOUS_NONALERT 0x20
/* IPPROTO_TCP: the seconds a connection stays idle before keep-alive
 * probes (a DWORD; Linux's TCP_KEEPIDLE). Windows' value, which is
 * Linux's TCP_CORK: through setsockopt and getsockopt here, 3 at
 * IPPROTO_TCP has the Windows meaning. */
#  define TCP_KEEPALIVE 3
/* IPPROTO_IP: a BOOL, TRUE to receive an IN_PKTINFO (the datagram's
 * destination address and interface) with each datagram WSARecvMsg
 * takes, at level IPPROTO_IP with type IP_PKTINFO; WSASendMsg takes one
 * to choose the source address. Windows' value and layout (Linux's
 * IP_PKTINFO is 8, its struct in_pktinfo has three members): through the
 * layer's setsockopt, getsockopt, WSARecvMsg and WSASendMsg they have the
 * Windows meaning. */
#  undef IP_PKTINFO
#  define IP_PKTINFO 19
typedef struct cport_w32_in_pktinfo {
  IN_ADDR ipi_addr;
  ULONG ipi_ifindex;
} IN_PKTINFO, *PIN_PKTINFO;
/* IPPROTO_IPV6: the same for IPv6 (a BOOL, Linux's IPV6_RECVPKTINFO
 * underneath; a struct in6_pktinfo given to setsockopt sets Linux's
 * sticky source address, as on Linux). Linux's number (50), not
 * Windows' 19, which is Linux's IPV6_MULTICAST_LOOP; the layout is the
 * same on both systems. */
typedef struct cport_w32_in6_pktinfo {
  IN6_ADDR ipi6_addr;
  ULONG ipi6_ifindex;
} IN6_PKTINFO, *PIN6_PKTINFO;
/* WSARecvMsg's dwFlags on output, besides MSG_TRUNC and MSG_CTRUNC
 * (Linux's values): the datagram's destination was a broadcast or a
 * multicast address (known when IP_PKTINFO or IPV6_PKTINFO is on). */
#  ifndef MSG_BCAST
#    define MSG_BCAST 0x0400
#  endif
#  ifndef MSG_MCAST
#    define MSG_MCAST 0x0800
#  endif
/* IPPROTO_IP: a BOOL, TRUE to send with "don't fragment" (Linux's
 * IP_MTU_DISCOVER IP_PMTUDISC_DO; FALSE: IP_PMTUDISC_DONT); read back as
 * TRUE while IP_MTU_DISCOVER is DO or PROBE. Windows' value, which is
 * Linux's IP_MTU; IP_MTU is Windows' 73 here, read as Linux's. */
#  define IP_DONTFRAGMENT 14
#  undef IP_MTU
#  define IP_MTU 73
/* listen()'s backlog given as a hint (a negative value); Linux caps it at
 * net.core.somaxconn, as Windows caps the hint. */
#  define SOMAXCONN_HINT(b) (-(b))
/* ws2def.h: the port of a SOCKADDR_STORAGE holding either family. */
#  define SS_PORT(ssp) (((PSOCKADDR_IN)(ssp))->sin_port)
#  define CF_ACCEPT 0x0000
#  define CF_REJECT 0x0001
#  define CF_DEFER 0x0002

/* Windows' IOC_* encodings (Linux has its own for ioctl). */
#  define SIO_GET_EXTENSION_FUNCTION_POINTER 0xC8000006u
#  define SIO_KEEPALIVE_VALS 0x98000004u
/* FALSE succeeds (Linux never reports an ICMP unreachable to an
 * unconnected UDP socket); TRUE, Windows' default, is refused. */
#  define SIO_UDP_CONNRESET 0x9800000Cu
#  define SIO_UDP_NETRESET 0x9800000Fu
/* A BOOL in, on a TCP socket (another type: WSAEOPNOTSUPP): accepted
 * without effect. Microsoft deprecated it; loopback has no other path
 * here. */
#  define SIO_LOOPBACK_FAST_PATH 0x98000010u
/* The socket itself (one provider, no layered one under it), a SOCKET
 * out: WSAEFAULT for less room, WSAENOTSOCK for a non-socket. */
#  define SIO_BASE_HANDLE 0x48000022u

#  define TF_DISCONNECT 0x01
#  define TF_REUSE_SOCKET 0x02
#  define TF_WRITE_BEHIND 0x04
#  define TF_USE_DEFAULT_WORKER 0x00
#  define TF_USE_SYSTEM_THREAD 0x10
#  define TF_USE_KERNEL_APC 0x20
#  define TF_USE_DEFAULT_WORKER 0x00

#  define WSAID_ACCEPTEX                               \
    {                                                  \
      0xb5367df1, 0xcbac, 0x11cf, {                    \
        0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92 \
      }                                                \
    }
#  define WSAID_CONNECTEX                              \
    {                                                  \
      0x25a207b9, 0xddf3, 0x4660, {                    \
        0x8e, 0xe9, 0x76, 0xe5, 0x8c, 0x74, 0x06, 0x3e \
      }                                                \
    }
#  define WSAID_DISCONNECTEX                           \
    {                                                  \
      0x7fda2e11, 0x8630, 0x436f, {                    \
        0xa0, 0x31, 0xf5, 0x36, 0xa6, 0xee, 0xc1, 0x57 \
      }                                                \
    }
#  define WSAID_GETACCEPTEXSOCKADDRS                   \
    {                                                  \
      0xb5367df2, 0xcbac, 0x11cf, {                    \
        0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92 \
      }                                                \
    }
#  define WSAID_TRANSMITFILE                           \
    {                                                  \
      0xb5367df0, 0xcbac, 0x11cf, {                    \
        0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92 \
      }                                                \
    }

#  define WSAID_TRANSMITPACKETS                        \
    {                                                  \
      0xd9689da0, 0x1f90, 0x11d3, {                    \
        0x99, 0x71, 0x00, 0xc0, 0x4f, 0x68, 0xc8, 0x76 \
      }                                                \
    }

/* WSARecvMsg and WSASendMsg (LPFN_WSARECVMSG, LPFN_WSASENDMSG). */
#  define WSAID_WSARECVMSG                             \
    {                                                  \
      0xf689d7c8, 0x6f1f, 0x436b, {                    \
        0x8a, 0x53, 0xe5, 0x4f, 0xe3, 0x51, 0xc3, 0x22 \
      }                                                \
    }
#  define WSAID_WSASENDMSG                             \
    {                                                  \
      0xa441e712, 0x754f, 0x43ca, {                    \
        0x84, 0xa7, 0x0d, 0xee, 0x44, 0xcf, 0x60, 0x6d \
      }                                                \
    }

#  define WSA_INVALID_EVENT ((WSAEVENT)NULL)
#  define WSA_MAXIMUM_WAIT_EVENTS MAXIMUM_WAIT_OBJECTS
#  define WSA_WAIT_EVENT_0 WAIT_OBJECT_0
#  define WSA_WAIT_IO_COMPLETION WAIT_IO_COMPLETION
#  define WSA_WAIT_TIMEOUT WAIT_TIMEOUT
#  define WSA_WAIT_FAILED WAIT_FAILED
#  define WSA_INFINITE INFINITE

/* getaddrinfo answers with Winsock's codes here (see below). */
#  undef EAI_AGAIN
#  undef EAI_BADFLAGS
#  undef EAI_FAIL
#  undef EAI_FAMILY
#  undef EAI_MEMORY
#  undef EAI_NONAME
#  undef EAI_SERVICE
#  undef EAI_SOCKTYPE
#  undef EAI_NODATA
#  define EAI_AGAIN WSATRY_AGAIN
#  define EAI_BADFLAGS WSAEINVAL
#  define EAI_FAIL WSANO_RECOVERY
#  define EAI_FAMILY WSAEAFNOSUPPORT
#  define EAI_MEMORY WSA_NOT_ENOUGH_MEMORY
#  define EAI_NONAME WSAHOST_NOT_FOUND
#  define EAI_SERVICE WSATYPE_NOT_FOUND
#  define EAI_SOCKTYPE WSAESOCKTNOSUPPORT
#  define EAI_NODATA EAI_NONAME

/* ------------------------------------------------------------------------ */
/* Start-up, sockets, the BSD calls with Winsock's types                     */
/* ------------------------------------------------------------------------ */

CPORT_WIN32_API int WSAStartup(WORD version, LPWSADATA data);
CPORT_WIN32_API int WSACleanup(void);
/* Blocking sockets until associated with a port, like Winsock's. With a
 * provider (info, as WSAEnumProtocols gives), af, type or protocol
 * FROM_PROTOCOL_INFO take the provider's value. */
CPORT_WIN32_API SOCKET WSASocketA(int af, int type, int protocol,
                                  LPWSAPROTOCOL_INFOA info, GROUP g,
                                  DWORD flags);
CPORT_WIN32_API SOCKET WSASocketW(int af, int type, int protocol,
                                  LPWSAPROTOCOL_INFOW info, GROUP g,
                                  DWORD flags);
#  define WSASocket CPORT_W32_AW(WSASocket)
/* Pending operations complete once (ERROR_CONNECTION_ABORTED, or
 * ERROR_OPERATION_ABORTED for AcceptEx); a thread blocked in accept() or
 * WSAAccept() on a listening socket returns with WSAEINTR. */
CPORT_WIN32_API int closesocket(SOCKET s);
/* FIONBIO, FIONREAD. */
CPORT_WIN32_API int ioctlsocket(SOCKET s, long cmd, u_long *arg);
CPORT_WIN32_API int cport_w32_ioctlsocket(SOCKET s, long cmd, void *arg,
                                          size_t size);
/* u_long is 64 bits on Linux (the C library's type), 32 on Windows, where
 * programs pass a DWORD or a u_long alike: the call takes the argument's
 * own size. */
#  define ioctlsocket(s, cmd, arg) \
    cport_w32_ioctlsocket((s), (cmd), (arg), sizeof(*(arg)))
/* Blocks until a connection arrives (unless FIONBIO); a condition
 * function may accept or reject it (CF_ACCEPT, CF_REJECT). */
CPORT_WIN32_API SOCKET WSAAccept(SOCKET s, struct sockaddr *addr, LPINT len,
                                 LPCONDITIONPROC condition, DWORD_PTR data);
CPORT_WIN32_API int WSAPoll(LPWSAPOLLFD fds, ULONG n, INT ms);
/* htons / htonl / ntohs / ntohl for a socket (every socket's provider
 * keeps network order big-endian): 0 and the value in *out, or
 * SOCKET_ERROR with WSAENOTSOCK (s is no socket) or WSAEFAULT (out is
 * NULL). */
CPORT_WIN32_API int WSAHtons(SOCKET s, u_short host, u_short *net);
CPORT_WIN32_API int WSAHtonl(SOCKET s, u_long host, u_long *net);
CPORT_WIN32_API int WSANtohs(SOCKET s, u_short net, u_short *host);
CPORT_WIN32_API int WSANtohl(SOCKET s, u_long net, u_long *host);
/* shutdown(s, SD_SEND) and shutdown(s, SD_RECEIVE). Disconnect data (a
 * non-NULL buffer) is refused with WSAENOPROTOOPT, as TCP/IP on Windows
 * refuses it. */
CPORT_WIN32_API int WSASendDisconnect(SOCKET s, LPWSABUF data);
CPORT_WIN32_API int WSARecvDisconnect(SOCKET s, LPWSABUF data);
/* A socket cannot go to another process here: SOCKET_ERROR with
 * WSAEINVAL ("one of the specified parameters was invalid": the target
 * process), after WSAENOTSOCK for a non-socket and WSAEFAULT for a NULL
 * info. Threads of one process share sockets as they are. */
CPORT_WIN32_API int WSADuplicateSocketA(SOCKET s, DWORD pid,
                                        LPWSAPROTOCOL_INFOA info);
CPORT_WIN32_API int WSADuplicateSocketW(SOCKET s, DWORD pid,
                                        LPWSAPROTOCOL_INFOW info);
#  define WSADuplicateSocket CPORT_W32_AW(WSADuplicateSocket)
/* The transport providers (protocols.c): TCP and UDP over IPv4 and over
 * IPv6, in that order, with Windows' names ("MSAFD Tcpip [TCP/IP]"...),
 * provider GUIDs and service flags, each its own base protocol; the
 * message size of a UDP entry is the largest datagram (65507 and 65527
 * bytes), a TCP entry's 0. protocols: NULL for all, or a list ended by 0
 * of the iProtocol values wanted. Returns how many were written, or
 * SOCKET_ERROR with WSAENOBUFS and *len set to the bytes needed when the
 * buffer is too small (or NULL), WSAEFAULT for a NULL len. */
CPORT_WIN32_API int WSAEnumProtocolsA(LPINT protocols, LPWSAPROTOCOL_INFOA buf,
                                      LPDWORD len);
CPORT_WIN32_API int WSAEnumProtocolsW(LPINT protocols, LPWSAPROTOCOL_INFOW buf,
                                      LPDWORD len);
#  define WSAEnumProtocols CPORT_W32_AW(WSAEnumProtocols)

CPORT_WIN32_API int cport_w32_setsockopt(SOCKET s, int level, int name,
                                         const char *val, int len);
CPORT_WIN32_API int cport_w32_getsockopt(SOCKET s, int level, int name,
                                         char *val, int *len);
CPORT_WIN32_API SOCKET cport_w32_accept(SOCKET s, struct sockaddr *addr,
                                        int *len);
CPORT_WIN32_API int cport_w32_getsockname(SOCKET s, struct sockaddr *addr,
                                          int *len);
CPORT_WIN32_API int cport_w32_getpeername(SOCKET s, struct sockaddr *addr,
                                          int *len);
CPORT_WIN32_API int cport_w32_recvfrom(SOCKET s, char *buf, int len, int flags,
                                       struct sockaddr *from, int *fromlen);
/* Later WSASend (SD_SEND) or WSARecv (SD_RECEIVE) fail at once with
 * WSAESHUTDOWN. */
CPORT_WIN32_API int cport_w32_shutdown(SOCKET s, int how);
/* Returns 0 or a WSA code (also in WSAGetLastError). */
CPORT_WIN32_API int cport_w32_getaddrinfo(const char *node, const char *service,
                                          const struct addrinfo *hints,
                                          struct addrinfo **res);
CPORT_WIN32_API const char *cport_w32_gai_strerror(int code);
#  if defined(__THROW)
#    define CPORT_W32_THROW __THROW /* as <unistd.h> declares it */
#  else
#    define CPORT_W32_THROW
#  endif
CPORT_WIN32_API struct hostent *cport_w32_gethostbyname(const char *name);
CPORT_WIN32_API int cport_w32_gethostname(char *name,
                                          size_t namelen) CPORT_W32_THROW;
#  define setsockopt cport_w32_setsockopt
#  define getsockopt cport_w32_getsockopt
#  define accept cport_w32_accept
#  define getsockname cport_w32_getsockname
#  define getpeername cport_w32_getpeername
#  define recvfrom cport_w32_recvfrom
#  define shutdown cport_w32_shutdown
#  define getaddrinfo cport_w32_getaddrinfo
#  define gai_strerror cport_w32_gai_strerror
#  define gethostname cport_w32_gethostname
#  define gethostbyname cport_w32_gethostbyname
#  define gai_strerrorA cport_w32_gai_strerror
#  define GetAddrInfoA cport_w32_getaddrinfo
#  define FreeAddrInfoA freeaddrinfo

/* 1 on success, 0 for a string that is no address, -1 with
 * WSAEAFNOSUPPORT / WSAEFAULT. */
CPORT_WIN32_API INT InetPtonA(INT family, LPCSTR src, PVOID dst);
CPORT_WIN32_API INT InetPtonW(INT family, LPCWSTR src, PVOID dst);
/* dst, or NULL with WSAEAFNOSUPPORT / WSAEINVAL (too small). */
CPORT_WIN32_API LPCSTR InetNtopA(INT family, const VOID *src, LPSTR dst,
                                 size_t size);
CPORT_WIN32_API LPCWSTR InetNtopW(INT family, const VOID *src, LPWSTR dst,
                                  size_t size);
#  define InetPton CPORT_W32_AW(InetPton)
#  define InetNtop CPORT_W32_AW(InetNtop)
/* ip2string.h: an address as text into s (room for 16 characters for
 * IPv4, 46 for IPv6, with the NUL); returns the NUL's place in s. */
CPORT_WIN32_API PSTR RtlIpv4AddressToStringA(const struct in_addr *a, PSTR s);
CPORT_WIN32_API PWSTR RtlIpv4AddressToStringW(const struct in_addr *a, PWSTR s);
CPORT_WIN32_API PSTR RtlIpv6AddressToStringA(const struct in6_addr *a, PSTR s);
CPORT_WIN32_API PWSTR RtlIpv6AddressToStringW(const struct in6_addr *a,
                                              PWSTR s);
#  define RtlIpv4AddressToString CPORT_W32_AW(RtlIpv4AddressToString)
#  define RtlIpv6AddressToString CPORT_W32_AW(RtlIpv6AddressToString)
/* An AF_INET or AF_INET6 address as text: "a.b.c.d", "a.b.c.d:port";
 * "addr", "addr%scope", "[addr]:port", "[addr%scope]:port" (port and scope
 * id when not zero). *size: the room in buf, in characters, then the
 * characters written with the NUL. 0, or SOCKET_ERROR with WSAEINVAL (NULL
 * sa or size, another family, salen short of its sockaddr) or WSAEFAULT
 * (buf NULL or too small: *size set to the room needed). info is ignored:
 * one provider. */
CPORT_WIN32_API INT WSAAddressToStringA(LPSOCKADDR sa, DWORD salen,
                                        LPWSAPROTOCOL_INFOA info, LPSTR buf,
                                        LPDWORD size);
CPORT_WIN32_API INT WSAAddressToStringW(LPSOCKADDR sa, DWORD salen,
                                        LPWSAPROTOCOL_INFOW info, LPWSTR buf,
                                        LPDWORD size);
/* Text to a zeroed sockaddr_in ("a.b.c.d", "a.b.c.d:port": decimal, no
 * shorthand) or sockaddr_in6 ("addr", "addr%scope", "[addr%scope]:port",
 * numeric scope id); a missing port is 0. *len: the room at sa, then the
 * struct's size. 0, or SOCKET_ERROR with WSAEINVAL (no such address or
 * family) or WSAEFAULT (sa or len NULL, or *len too small: set to the size
 * needed). info is ignored: one provider. */
CPORT_WIN32_API INT WSAStringToAddressA(LPSTR s, INT family,
                                        LPWSAPROTOCOL_INFOA info, LPSOCKADDR sa,
                                        LPINT len);
CPORT_WIN32_API INT WSAStringToAddressW(LPWSTR s, INT family,
                                        LPWSAPROTOCOL_INFOW info, LPSOCKADDR sa,
                                        LPINT len);
#  define WSAAddressToString CPORT_W32_AW(WSAAddressToString)
#  define WSAStringToAddress CPORT_W32_AW(WSAStringToAddress)
/* getaddrinfo with wide strings (UTF-8 underneath) and Winsock's codes:
 * 0, or the code (also in WSAGetLastError): WSAHOST_NOT_FOUND,
 * WSATYPE_NOT_FOUND, WSAEAFNOSUPPORT, WSAESOCKTNOSUPPORT, WSAEINVAL (bad
 * flags), WSATRY_AGAIN, WSANO_RECOVERY, WSA_NOT_ENOUGH_MEMORY, WSAEFAULT
 * (NULL result). Free the answers with FreeAddrInfoW. */
CPORT_WIN32_API INT GetAddrInfoW(PCWSTR node, PCWSTR service,
                                 const ADDRINFOW *hints, PADDRINFOW *res);
CPORT_WIN32_API VOID FreeAddrInfoW(PADDRINFOW ai);
/*
 * GetAddrInfoExW, synchronous (netdb.c): GetAddrInfoW's lookup, answered
 * as ADDRINFOEXW entries (ai_blob, ai_bufferlength and ai_provider NULL /
 * 0), each one block that FreeAddrInfoExW frees. dwNameSpace NS_ALL or
 * NS_DNS (another: WSAEINVAL); lpNspId is ignored (one provider); hints'
 * ai_addrlen, ai_canonname, ai_addr, ai_next, ai_blob, ai_bufferlength
 * and ai_provider must be 0 / NULL, else WSANO_RECOVERY; the timeout
 * does not bound the synchronous call (as on Windows, where it is for the
 * overlapped form). The overlapped form (an OVERLAPPED or a completion
 * routine) is not there: WSAEOPNOTSUPP, nothing started. Returns 0 or the
 * code (also in WSAGetLastError), GetAddrInfoW's codes besides these.
 */
#  define NS_ALL 0
#  define NS_DNS 12
typedef struct addrinfoexW {
  int ai_flags;
  int ai_family;
  int ai_socktype;
  int ai_protocol;
  size_t ai_addrlen;
  PWSTR ai_canonname;
  struct sockaddr *ai_addr;
  void *ai_blob;
  size_t ai_bufferlength;
  LPGUID ai_provider;
  struct addrinfoexW *ai_next;
} ADDRINFOEXW, *PADDRINFOEXW, *LPADDRINFOEXW;
typedef void(CALLBACK *LPLOOKUPSERVICE_COMPLETION_ROUTINE)(
    DWORD error, DWORD bytes, LPWSAOVERLAPPED overlapped);
CPORT_WIN32_API INT GetAddrInfoExW(PCWSTR node, PCWSTR service, DWORD ns,
                                   LPGUID provider, const ADDRINFOEXW *hints,
                                   PADDRINFOEXW *res, struct timeval *timeout,
                                   LPOVERLAPPED overlapped,
                                   LPLOOKUPSERVICE_COMPLETION_ROUTINE routine,
                                   LPHANDLE handle);
CPORT_WIN32_API void FreeAddrInfoExW(PADDRINFOEXW ai);
/*
 * WSAConnectByNameA / W (connectbyname.c): connects the unconnected
 * socket s (AF_INET or AF_INET6, any type getaddrinfo knows) to node and
 * service, trying each address getaddrinfo gives for the socket's
 * family and type in turn (an IPv6 socket with IPV6_V6ONLY off also gets
 * IPv4 hosts, as mapped addresses), blocking until one connects, all
 * fail, or the timeout (NULL: none) runs out over the whole call. TRUE:
 * connected, and the local and remote addresses written where the
 * caller gave a length and a buffer (the length set to the address's
 * size). FALSE with WSAGetLastError(): WSAENOTSOCK (not a socket),
 * WSAEINVAL (node or service NULL, Reserved not NULL, a negative
 * timeout), WSAEAFNOSUPPORT (another family), WSAEFAULT (a length without
 * its buffer or less than the family's address), WSAEISCONN, a lookup's
 * error (WSAHOST_NOT_FOUND...), WSAETIMEDOUT, or the last address's
 * connect error (WSAECONNREFUSED...). The socket's blocking mode is kept.
 * The overlapped form does not exist on Windows either (Reserved).
 */
typedef struct timeval TIMEVAL, *PTIMEVAL, *LPTIMEVAL;
CPORT_WIN32_API BOOL WSAConnectByNameA(SOCKET s, LPCSTR node, LPCSTR service,
                                       LPDWORD local_len, LPSOCKADDR local,
                                       LPDWORD remote_len, LPSOCKADDR remote,
                                       const struct timeval *timeout,
                                       LPWSAOVERLAPPED reserved);
CPORT_WIN32_API BOOL WSAConnectByNameW(SOCKET s, LPCWSTR node, LPCWSTR service,
                                       LPDWORD local_len, LPSOCKADDR local,
                                       LPDWORD remote_len, LPSOCKADDR remote,
                                       const struct timeval *timeout,
                                       LPWSAOVERLAPPED reserved);
#  define WSAConnectByName CPORT_W32_AW(WSAConnectByName)
/* getnameinfo into wide buffers (sizes in WCHARs; a NULL buffer: not
 * asked for); the NI_* flags are the C library's. 0, or the code as
 * GetAddrInfoW's: WSAEFAULT for a NULL or short address or an answer
 * longer than its buffer, WSAEINVAL for a buffer of size 0,
 * WSAHOST_NOT_FOUND for neither buffer. */
CPORT_WIN32_API INT GetNameInfoW(const SOCKADDR *sa, socklen_t salen,
                                 PWCHAR host, DWORD hostlen, PWCHAR serv,
                                 DWORD servlen, INT flags);
#  define GetAddrInfo CPORT_W32_AW(GetAddrInfo)
#  define FreeAddrInfo CPORT_W32_AW(FreeAddrInfo)
#  define ADDRINFOT CPORT_W32_AW(ADDRINFO)

/* ------------------------------------------------------------------------ */
/* Winsock: events                                                          */
/* ------------------------------------------------------------------------ */

/* Manual-reset, non-signalled events: WaitForMultipleObjects' objects. */
CPORT_WIN32_API WSAEVENT WSACreateEvent(void);
CPORT_WIN32_API BOOL WSACloseEvent(WSAEVENT e);
CPORT_WIN32_API BOOL WSASetEvent(WSAEVENT e);
CPORT_WIN32_API BOOL WSAResetEvent(WSAEVENT e);
/* Network events (WSAEventSelect). */
#  define FD_READ_BIT 0
#  define FD_READ (1 << FD_READ_BIT)
#  define FD_WRITE_BIT 1
#  define FD_WRITE (1 << FD_WRITE_BIT)
#  define FD_OOB_BIT 2
#  define FD_OOB (1 << FD_OOB_BIT)
#  define FD_ACCEPT_BIT 3
#  define FD_ACCEPT (1 << FD_ACCEPT_BIT)
#  define FD_CONNECT_BIT 4
#  define FD_CONNECT (1 << FD_CONNECT_BIT)
#  define FD_CLOSE_BIT 5
#  define FD_CLOSE (1 << FD_CLOSE_BIT)
#  define FD_QOS_BIT 6
#  define FD_QOS (1 << FD_QOS_BIT)
#  define FD_GROUP_QOS_BIT 7
#  define FD_GROUP_QOS (1 << FD_GROUP_QOS_BIT)
#  define FD_ROUTING_INTERFACE_CHANGE_BIT 8
#  define FD_ROUTING_INTERFACE_CHANGE (1 << FD_ROUTING_INTERFACE_CHANGE_BIT)
#  define FD_ADDRESS_LIST_CHANGE_BIT 9
#  define FD_ADDRESS_LIST_CHANGE (1 << FD_ADDRESS_LIST_CHANGE_BIT)
#  define FD_MAX_EVENTS 10
#  define FD_ALL_EVENTS ((1 << FD_MAX_EVENTS) - 1)
typedef struct _WSANETWORKEVENTS {
  long lNetworkEvents;
  int iErrorCode[FD_MAX_EVENTS];
} WSANETWORKEVENTS, *LPWSANETWORKEVENTS;
/* Records the FD_* events asked for as they happen and sets the event
 * (an event object; 0 events: stop watching); the socket becomes
 * non-blocking. FD_READ, FD_WRITE, FD_ACCEPT, FD_CONNECT and FD_CLOSE
 * are recorded, each again only after its re-enabling call (a receive,
 * a send that would block, accept or AcceptEx); FD_OOB and the QOS and
 * change events never. A socket accept() takes from a selected listener
 * starts with the listener's selection. */
CPORT_WIN32_API int WSAEventSelect(SOCKET s, WSAEVENT event, long events);
/* Takes the recorded events and their error codes (iErrorCode[FD_*_BIT]),
 * clearing the record, and resets `event` if it is not NULL. */
CPORT_WIN32_API int WSAEnumNetworkEvents(SOCKET s, WSAEVENT event,
                                         LPWSANETWORKEVENTS out);
/* WaitForMultipleObjectsEx: the handles may be of any waitable type. */
CPORT_WIN32_API DWORD WSAWaitForMultipleEvents(DWORD n, const WSAEVENT *events,
                                               BOOL all, DWORD ms,
                                               BOOL alertable);

/* ------------------------------------------------------------------------ */
/* Winsock: overlapped I/O                                                  */
/* ------------------------------------------------------------------------ */

CPORT_WIN32_API int WSAIoctl(SOCKET s, DWORD code, LPVOID in, DWORD inlen,
                             LPVOID out, DWORD outlen, LPDWORD bytes,
                             LPWSAOVERLAPPED ov,
                             LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
/*
 * With an OVERLAPPED: 0 if the op finished inside the call (its packet is
 * still queued unless skip mode is on), else SOCKET_ERROR with
 * WSA_IO_PENDING, or the error (nothing queued). Without one they block
 * (WSARecv takes MSG_PEEK, MSG_OOB, MSG_WAITALL then; MSG_PUSH_IMMEDIATE
 * is accepted either way). With a completion routine (and an OVERLAPPED)
 * no packet is queued: the routine runs on the calling thread at its next
 * alertable wait after the op ends (an APC), with the Winsock error and
 * the bytes; hEvent stays the program's. On a TCP socket WSARecvFrom and
 * WSASendTo ignore the address and act as WSARecv and WSASend; a source
 * length below the family's address is WSAEFAULT.
 */
CPORT_WIN32_API int WSARecv(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                            LPDWORD flags, LPWSAOVERLAPPED ov,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
CPORT_WIN32_API int WSASend(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                            DWORD flags, LPWSAOVERLAPPED ov,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
CPORT_WIN32_API int WSARecvFrom(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                                LPDWORD flags, struct sockaddr *from,
                                LPINT fromlen, LPWSAOVERLAPPED ov,
                                LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
CPORT_WIN32_API int WSASendTo(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                              DWORD flags, const struct sockaddr *to, int tolen,
                              LPWSAOVERLAPPED ov,
                              LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
/* A datagram with control data (IN_PKTINFO, IN6_PKTINFO: the source
 * address to send from); also through WSAID_WSASENDMSG. */
CPORT_WIN32_API int WSASendMsg(SOCKET s, LPWSAMSG msg, DWORD flags,
                               LPDWORD bytes, LPWSAOVERLAPPED ov,
                               LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
/* WSA_IO_INCOMPLETE while the op runs and wait is FALSE; on failure
 * *bytes is left as it was; WSAENOTSOCK once s is closed. */
CPORT_WIN32_API BOOL WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED ov,
                                            LPDWORD bytes, BOOL wait,
                                            LPDWORD flags);

/* ------------------------------------------------------------------------ */
/* Microsoft extensions (mswsock.h)                                          */
/* ------------------------------------------------------------------------ */

typedef struct _TRANSMIT_FILE_BUFFERS {
  LPVOID Head;
  DWORD HeadLength;
  LPVOID Tail;
  DWORD TailLength;
} TRANSMIT_FILE_BUFFERS, *PTRANSMIT_FILE_BUFFERS, *LPTRANSMIT_FILE_BUFFERS;

typedef BOOL(WINAPI *LPFN_ACCEPTEX)(SOCKET, SOCKET, PVOID, DWORD, DWORD, DWORD,
                                    LPDWORD, LPOVERLAPPED);
typedef BOOL(WINAPI *LPFN_CONNECTEX)(SOCKET, const struct sockaddr *, int,
                                     PVOID, DWORD, LPDWORD, LPOVERLAPPED);
typedef BOOL(WINAPI *LPFN_DISCONNECTEX)(SOCKET, LPOVERLAPPED, DWORD, DWORD);
typedef VOID(WINAPI *LPFN_GETACCEPTEXSOCKADDRS)(PVOID, DWORD, DWORD, DWORD,
                                                struct sockaddr **, LPINT,
                                                struct sockaddr **, LPINT);
typedef BOOL(WINAPI *LPFN_TRANSMITFILE)(SOCKET, HANDLE, DWORD, DWORD,
                                        LPOVERLAPPED, LPTRANSMIT_FILE_BUFFERS,
                                        DWORD);

/* TransmitPackets' elements: TP_ELEMENT_MEMORY (pBuffer) or
 * TP_ELEMENT_FILE (the default: hFile from nFileOffset, -1 for the file's
 * current position; cLength 0 to its end), TP_ELEMENT_EOP optional. */
#  define TP_ELEMENT_MEMORY 1
#  define TP_ELEMENT_FILE 2
#  define TP_ELEMENT_EOP 4
typedef struct _TRANSMIT_PACKETS_ELEMENT {
  ULONG dwElFlags;
  ULONG cLength;
  CPORT_W32_NAMELESS union {
    CPORT_W32_NAMELESS struct {
      LARGE_INTEGER nFileOffset;
      HANDLE hFile;
    };
    PVOID pBuffer;
  };
} TRANSMIT_PACKETS_ELEMENT, *PTRANSMIT_PACKETS_ELEMENT,
    *LPTRANSMIT_PACKETS_ELEMENT;
typedef BOOL(WINAPI *LPFN_TRANSMITPACKETS)(SOCKET, LPTRANSMIT_PACKETS_ELEMENT,
                                           DWORD, DWORD, LPOVERLAPPED, DWORD);
typedef INT(WINAPI *LPFN_WSARECVMSG)(SOCKET, LPWSAMSG, LPDWORD, LPWSAOVERLAPPED,
                                     LPWSAOVERLAPPED_COMPLETION_ROUTINE);
typedef INT(WINAPI *LPFN_WSASENDMSG)(SOCKET, LPWSAMSG, DWORD, LPDWORD,
                                     LPWSAOVERLAPPED,
                                     LPWSAOVERLAPPED_COMPLETION_ROUTINE);

/* The accept socket must be neither bound nor connected (WSAEINVAL). */
CPORT_WIN32_API BOOL AcceptEx(SOCKET listener, SOCKET accepted, PVOID buf,
                              DWORD recvlen, DWORD locallen, DWORD remotelen,
                              LPDWORD bytes, LPOVERLAPPED ov);
CPORT_WIN32_API VOID GetAcceptExSockaddrs(PVOID buf, DWORD recvlen,
                                          DWORD locallen, DWORD remotelen,
                                          struct sockaddr **local,
                                          LPINT local_len,
                                          struct sockaddr **remote,
                                          LPINT remote_len);
CPORT_WIN32_API BOOL ConnectEx(SOCKET s, const struct sockaddr *name,
                               int namelen, PVOID send, DWORD sendlen,
                               LPDWORD sent, LPOVERLAPPED ov);
CPORT_WIN32_API BOOL DisconnectEx(SOCKET s, LPOVERLAPPED ov, DWORD flags,
                                  DWORD reserved);
CPORT_WIN32_API BOOL TransmitFile(SOCKET s, HANDLE file, DWORD bytes,
                                  DWORD per_send, LPOVERLAPPED ov,
                                  LPTRANSMIT_FILE_BUFFERS buffers, DWORD flags);
/**
 * TransmitPackets (Windows' extension, reached directly or through
 * WSAIoctl with WSAID_TRANSMITPACKETS): sends the elements in order on a
 * connected stream socket as one operation, like TransmitFile (of which
 * it shares the engine), with one completion counting all the bytes.
 * The element array is copied: it may be freed once the call returns
 * (the memory and files it names must stay until the completion).
 * `send_size` is ignored and TP_ELEMENT_EOP only ends the grouping of
 * sends (MSG_MORE). Flags as TransmitFile's; TF_REUSE_SOCKET needs
 * TF_DISCONNECT. Without `ov` it returns when all is sent. Errors
 * (WSAGetLastError): WSAEINVAL for an unknown flag or element flag, a
 * NULL array with elements, a memory element with a NULL buffer, a file
 * element whose handle is not a file or whose offset is negative (other
 * than -1); WSAEOPNOTSUPP on a datagram socket (cport sends no datagrams
 * with it); WSAENOTCONN, WSAESHUTDOWN as TransmitFile.
 */
CPORT_WIN32_API BOOL TransmitPackets(SOCKET s,
                                     LPTRANSMIT_PACKETS_ELEMENT elements,
                                     DWORD count, DWORD send_size,
                                     LPOVERLAPPED ov, DWORD flags);

#  ifdef __cplusplus
}
#  endif

#endif /* Linux */

#endif /* CPORT_WIN32_H */
