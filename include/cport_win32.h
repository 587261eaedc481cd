/**
 * @file cport_win32.h
 * @brief The Win32 porting layer: IOCP programs build on Linux with only
 * their includes changed.
 *
 * On Windows this header includes the real headers (winsock2.h,
 * ws2tcpip.h, mswsock.h, mstcpip.h, windows.h, process.h, psapi.h) and
 * nothing else: your IOCP code uses the real API.
 *
 * On Linux it declares the part of Win32 an IOCP program uses, on top of cport,
 * so the same source builds and runs there with only its include lines changed:
 * completion ports, overlapped Winsock with the Microsoft extensions,
 * overlapped files, threads, events and waits, the synchronisation objects,
 * console control events, heap and virtual memory, error codes and messages.
 * The functions behave as Microsoft documents them; docs/porting.md lists the
 * differences that remain. Every name declared, by area: @ref cport_win32_api.
 *
 * Link with cport-win32 (CMake: cport::win32; pkg-config: cport-win32).
 * C and C++ (a class may derive from OVERLAPPED), also as C99 or C++
 * under -pedantic: the one extension used is marked (#CPORT_W32_NAMELESS).
 *
 * @par OVERLAPPED on Linux
 * Internal, InternalHigh, Offset/OffsetHigh (or Pointer) and hEvent sit where
 * Windows has them, in the first 32 bytes; cport's operation record follows (an
 * OVERLAPPED is a cport_op_t, 256 bytes on 64-bit systems). Internal is
 * STATUS_PENDING while the operation is in flight and its NTSTATUS (0: success)
 * once it ends, whether or not a thread waits on the port, so
 * HasOverlappedIoCompleted() works. Zero it before its first use.
 */
/**
 * @def CPORT_WIN32_API
 * Marks the functions of the porting layer: exported from the library that
 * implements it on Linux.
 */
/**
 * @def CPORT_W32_NAMELESS
 * Marks the nameless structs and unions (`__extension__` with GCC and Clang:
 * standard C11, an extension in C99 and C++), so -pedantic builds stay quiet.
 */
/**
 * @def CPORT_W32_NORETURN
 * Marks ExitThread, _endthreadex and ExitProcess, as Windows' headers do.
 */
/**
 * @def CPORT_W32_AW
 * Picks a function's W name when UNICODE is defined, else its A name:
 * what the generic names (CreateFile, FormatMessage, ...) expand to.
 */
/**
 * @def CPORT_W32_PRINTF
 * Marks the printf-like functions; empty unless the program defines it
 * (they read Microsoft's spelling, `%I64d`, which GCC's checks misread).
 */
/**
 * @def CPORT_WIN32_BSD_CALLS
 * The C library's calls libcport-win32 provides in front of the C library's,
 * setting WSAGetLastError() too; not macros (std::bind stays), but for select,
 * Winsock's cport_w32_select() (the C library's is for 0.1's header).
 */
/**
 * @fn int cport_w32_setsockopt(SOCKET s, int level, int name, const char *val, int len)
 * setsockopt() with Winsock's signature; `setsockopt` is defined to this name.
 * SO_UPDATE_ACCEPT_CONTEXT, SO_UPDATE_CONNECT_CONTEXT and SO_EXCLUSIVEADDRUSE
 * succeed without effect (cport has done that work), as do SO_RANDOMIZE_PORT
 * and SO_PORT_SCALABILITY (given a DWORD: Linux already randomizes and shares
 * ephemeral ports) and SO_CONDITIONAL_ACCEPT (Linux completes every handshake
 * before accept, so a condition function's CF_REJECT closes an accepted
 * connection); SO_DONTLINGER TRUE turns SO_LINGER off; SO_RCVTIMEO /
 * SO_SNDTIMEO take a DWORD of milliseconds. Windows' numbers that Linux gives
 * to other options at the same level have their Windows meaning: TCP_KEEPALIVE
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
 * getsockname() with Winsock's int length (`getsockname`). An AF_INET or
 * AF_INET6 socket never bound fails with WSAEINVAL, as on Windows (Linux
 * answers with the any address and port 0).
 * @param s the socket
 * @param[out] addr the local address
 * @param[in,out] len room in `addr`, then its length
 * @return 0, or SOCKET_ERROR with the code in WSAGetLastError().
 */
/**
 * @fn int cport_w32_getpeername(SOCKET s, struct sockaddr *addr, int *len)
 * getpeername() with Winsock's int length (`getpeername`).
 * @param s the socket
 * @param[out] addr the peer's address
 * @param[in,out] len room in `addr`, then its length
 * @return 0, or SOCKET_ERROR with the code in WSAGetLastError().
 */
/**
 * @fn int cport_w32_recvfrom(SOCKET s, char *buf, int len, int flags, struct sockaddr *from, int *fromlen)
 * recvfrom() with Winsock's int lengths (`recvfrom`); blocks as recv().
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
 * Winsock's gethostname(); `gethostname` is defined to this name. Its length is
 * a size_t, as in <unistd.h>, so that header may still follow this one.
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
 * @param cmd FIONBIO, FIONREAD or SIOCATMARK
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
 * MSVC's mbstowcs_s(); `mbstowcs_s` is defined to this name. The narrow string
 * is UTF-8 (the layer's code page); the result always ends with a NUL.
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
 * @fn void cport_w32_splitpath(const char *path, char *drive, char *dir, char *fname, char *ext)
 * MSVC's _splitpath(); `_splitpath` is defined to this name. As
 * cport_w32_splitpath_s() with each buffer taken to hold its _MAX_DRIVE,
 * _MAX_DIR, _MAX_FNAME or _MAX_EXT bytes (NULL skips a part); a part
 * longer than that is cut there.
 * @param path the path
 * @param[out] drive the drive, or NULL
 * @param[out] dir the directory, or NULL
 * @param[out] fname the name, or NULL
 * @param[out] ext the extension, or NULL
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
 * MSVC's gmtime_s() (`gmtime_s`): cport_w32_localtime_s() in UTC.
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
 * MSVC's _ltoa_s(); `_ltoa_s` is defined to this name. `long` is the platform's
 * (64 bits on Linux, 32 on Windows): a negative value that fits in 32 bits is
 * written, in a radix other than 10, as those 32 bits, as on Windows.
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
 * MSVC's _i64toa() (`_i64toa` is defined to this name); `buf` holds 65.
 * @param value the number
 * @param[out] buf the destination
 * @param radix 2 to 36
 * @return As cport_w32_itoa().
 */
/**
 * @fn char *cport_w32_ui64toa(unsigned long long value, char *buf, int radix)
 * MSVC's _ui64toa() (`_ui64toa` is defined to this name); `buf` holds 65.
 * @param value the number
 * @param[out] buf the destination
 * @param radix 2 to 36
 * @return As cport_w32_itoa().
 */
/**
 * @fn int cport_w32_sscanf_s(const char *buf, const char *fmt, ...)
 * MSVC's sscanf_s(); `sscanf_s` is defined to this name. As sscanf(), but each
 * %c, %s and %[ argument is followed by its buffer's size, an `unsigned` in
 * characters (wide ones for %lc, %ls, %l[, %C and %S), and Microsoft's length
 * prefixes are read too (%I64d, %I32x, %Iu, %ws). A string that does not fit
 * its buffer ends the scan there, with the buffer's first character set to 0;
 * so does a %c count larger than its buffer.
 * @param buf the input
 * @param fmt the format
 * @return The fields assigned (suppressed ones and %n not counted); EOF
 *         when the input ends before the first conversion, and for a NULL
 *         `buf` or `fmt` or a format it cannot read (errno EINVAL).
 */
/**
 * @fn int cport_w32_vsscanf_s(const char *buf, const char *fmt, va_list ap)
 * MSVC's vsscanf_s() (`vsscanf_s`): cport_w32_sscanf_s() with a va_list.
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
 * MSVC's vprintf_s() (`vprintf_s`): cport_w32_vfprintf_s() on stdout.
 * @param fmt the format
 * @param ap the arguments
 * @return As cport_w32_vfprintf_s().
 */
/**
 * @fn int cport_w32_getch(void)
 * conio.h's _getch() (`_getch`): one key of standard input, on a terminal
 * without waiting for the line's end and without echo; else the next byte.
 * @return The byte, or EOF (-1) when standard input has ended.
 */
/**
 * @fn int cport_w32_getche(void)
 * conio.h's _getche() (`_getche`): cport_w32_getch(), echoing the key.
 * @return The byte, or EOF (-1) when standard input has ended. */
/**
 * @fn int cport_w32_kbhit(void)
 * conio.h's _kbhit() (`_kbhit`): whether a key or a byte waits on
 * standard input (a terminal's line need not be ended); never waits.
 * @return 1 if one is waiting, else 0. */
/**
 * @fn int cport_w32_select(int nfds, struct cport_w32_fd_set *readfds, struct cport_w32_fd_set *writefds, struct cport_w32_fd_set *exceptfds, const struct timeval *timeout)
 * Winsock's select() (`select`) over Winsock's fd_set (winsock-types.h); each
 * set keeps its ready sockets.
 * @param nfds ignored, as by Winsock
 * @param readfds sockets to wait for to be readable, or NULL
 * @param writefds sockets to wait for to be writable, or NULL
 * @param exceptfds for out-of-band data or a failed connect, or NULL
 * @param timeout the longest wait (NULL: none), left as it was
 * @return Socket-and-set pairs ready, 0 when the time ran out, or SOCKET_ERROR.
 */
/**
 * @fn int cport_w32_printf_s(const char *fmt, ...)
 * MSVC's printf_s() (`printf_s`): cport_w32_vfprintf_s() on stdout.
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
#  include <psapi.h>

#else /* Linux: the subset, on cport */

#  if defined(FD_SETSIZE) && !defined(CPORT_BUILDING) && \
      !(defined(__FD_SETSIZE) && FD_SETSIZE == __FD_SETSIZE) /* winsock2.h */
#    pragma push_macro("FD_SETSIZE") /* the program's: winsock-types.h */
#    undef FD_SETSIZE
#    define CPORT_W32_FD_SETSIZE
#  endif
/* What windows.h and winsock2.h make visible besides their own names; not
 * <unistd.h>, <poll.h> or <sys/ioctl.h>, whose names (read, close, poll,
 * ioctl...) are not Windows' and a program may define itself. */
#  include <arpa/inet.h>
#  include <asm/ioctls.h> /* FIONBIO, FIONREAD: no ioctl() */
#  include <ctype.h>
#  include <errno.h> /* errno: Microsoft's stdlib.h declares it */
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
#  include <sys/stat.h> /* (before the _stat struct: glibc's st_atime) */
#  include <time.h>
#  include <wchar.h>
#  include <wctype.h>
#  include "cport.h"
#  ifdef __cplusplus
extern "C" {
#  endif

/* Its parts, in this order (each needs the ones before it). */
#  include "cport_win32/base.h"
#  include "cport_win32/ports.h"
#  include "cport_win32/files.h"
#  include "cport_win32/threads.h"
#  include "cport_win32/threadpool.h"
#  include "cport_win32/system.h"
#  include "cport_win32/safecrt.h"
#  include "cport_win32/winsock-types.h"
#  include "cport_win32/winsock.h"
#  ifdef __cplusplus
}
#  endif

#endif /* Linux */

#endif /* CPORT_WIN32_H */
