/*
 * mswsock.c - the Microsoft extensions: AcceptEx, GetAcceptExSockaddrs,
 * ConnectEx, DisconnectEx, TransmitFile and TransmitPackets (reached
 * directly or through WSAIoctl with their GUIDs).
 *
 * AcceptEx takes a socket the caller created and the connection must end
 * up in that very socket number: cport accepts into a new descriptor and,
 * before the caller sees the result, a fixup (fixups.c) moves it there.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "win32.h"

/* An op with a fixup that finished inside the call: with skip mode no
 * packet comes, so the fixup runs now and the call succeeds; otherwise
 * the packet is on its way and the fixup runs when it is taken (the
 * caller must not use the socket before), so the call reports pending. */
static BOOL fixup_started(int rc, LPOVERLAPPED ov, LPDWORD bytes) {
  if (rc == CPORT_COMPLETED) {
    int status = w32_fixup_run_inline(ov);
    if (status != 0) {
      WSASetLastError(w32_wsa_error(status));
      return FALSE;
    }
    if (bytes)
      *bytes = cport_op_bytes((cport_op_t *)ov);
    return TRUE;
  }
  if (rc != 0) {
    w32_fixup_refused(ov, rc);
    WSASetLastError(w32_wsa_error(rc));
    return FALSE;
  }
  WSASetLastError(WSA_IO_PENDING);
  return FALSE;
}

/* w32_ov_begin for the extensions, then their fixup (if any): false with
 * the WSA error on failure. */
static bool begin(SOCKET s, LPOVERLAPPED ov, const struct w32_fixup *f) {
  int rc = w32_ov_begin((int)s, ov);
  if (rc == 0 && f != NULL && (rc = w32_fixup_add(f)) != 0) {
    w32_ov_end(ov, rc); /* lets its event go */
    rc = rc == CPORT_ENOMEM ? CPORT_ENOBUFS : rc;
  }
  if (rc == 0)
    return true;
  WSASetLastError(rc == W32_BAD_EVENT ? WSA_INVALID_HANDLE : w32_wsa_error(rc));
  return false;
}

static BOOL wsa_false(int err) {
  WSASetLastError(err);
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* AcceptEx                                                                  */
/* ------------------------------------------------------------------------ */

/* Room AcceptEx needs per address: 16 bytes more than the largest address
 * of the listener's family. */
static DWORD addr_room(SOCKET listener) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  bool v6 = getsockname((int)listener, (struct sockaddr *)&ss, &len) == 0 &&
            ss.ss_family == AF_INET6;
  return (DWORD)(v6 ? sizeof(struct sockaddr_in6)
                    : sizeof(struct sockaddr_in)) +
         16;
}

/* A socket that is bound (to a port) or connected. */
static bool bound_or_connected(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
    return true;
  len = sizeof(ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
    return false;
  if (ss.ss_family == AF_INET)
    return ((struct sockaddr_in *)&ss)->sin_port != 0;
  if (ss.ss_family == AF_INET6)
    return ((struct sockaddr_in6 *)&ss)->sin6_port != 0;
  return false;
}

CPORT_API BOOL AcceptEx(SOCKET listener, SOCKET accepted, PVOID buf,
                        DWORD recvlen, DWORD locallen, DWORD remotelen,
                        LPDWORD bytes, LPOVERLAPPED ov) {
  if (ov == NULL || buf == NULL)
    return wsa_false(WSAEINVAL);
  DWORD room = addr_room(listener);
  if (locallen < room || remotelen < room)
    return wsa_false(WSAEINVAL);
  if (fcntl((int)accepted, F_GETFD) < 0)
    return wsa_false(WSAENOTSOCK);
  /* "This socket must not be bound or connected." */
  if (bound_or_connected((int)accepted))
    return wsa_false(WSAEINVAL);
  struct w32_fixup f = {
      NULL,      ov,       W32_FIX_ACCEPT, accepted, buf,   recvlen, locallen,
      remotelen, listener, false,          false,    false, 0,       0};
  if (!begin(listener, ov, &f))
    return FALSE;
  /* Its addresses are written as it ends (fixups.c, accept_ended), as
   * Windows fills the buffer when the op completes. */
  uintptr_t where[3] = {(uintptr_t)buf, recvlen, locallen};
  int rc = cport__accept_ex((int)listener, recvlen ? buf : NULL, recvlen,
                            (cport_op_t *)ov, where);
  w32_ov_end(ov, rc);
  w32_es_note((int)listener, FD_ACCEPT); /* as accept does */
  return fixup_started(rc, ov, bytes);
}

CPORT_API VOID GetAcceptExSockaddrs(PVOID buf, DWORD recvlen, DWORD locallen,
                                    DWORD remotelen, struct sockaddr **local,
                                    LPINT local_len, struct sockaddr **remote,
                                    LPINT remote_len) {
  (void)remotelen;
  char *b = buf;
  uint16_t l;
  memcpy(&l, b + recvlen, sizeof(l));
  *local = (struct sockaddr *)(void *)w32_acceptex_address(b + recvlen);
  *local_len = l;
  memcpy(&l, b + recvlen + locallen, sizeof(l));
  *remote =
      (struct sockaddr *)(void *)w32_acceptex_address(b + recvlen + locallen);
  *remote_len = l;
}

/* ------------------------------------------------------------------------ */
/* ConnectEx, DisconnectEx                                                   */
/* ------------------------------------------------------------------------ */

BOOL w32_connect_ex(SOCKET s, const struct sockaddr *name, int namelen,
                    PVOID send, DWORD sendlen, LPDWORD sent, LPOVERLAPPED ov) {
  if (ov == NULL || name == NULL)
    return wsa_false(WSAEINVAL);
  if (namelen < (int)sizeof(struct sockaddr_in))
    return wsa_false(WSAEFAULT); /* "or namelen is too small" */
  if (w32_no_remote(name, (size_t)namelen))
    return wsa_false(WSAEADDRNOTAVAIL);
  /* ConnectEx needs a bound socket. */
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname((int)s, (struct sockaddr *)&ss, &len) != 0)
    return wsa_false(WSAENOTSOCK);
  uint16_t port = ss.ss_family == AF_INET6
                      ? ((struct sockaddr_in6 *)&ss)->sin6_port
                      : ((struct sockaddr_in *)&ss)->sin_port;
  if (port == 0)
    return wsa_false(WSAEINVAL);
  struct w32_fixup f = {NULL, ov, W32_FIX_CONNECT, s,     NULL,  0, 0,
                        0,    s,  false,           false, false, 0, 0};
  if (!begin(s, ov, &f))
    return FALSE;
  int rc =
      cport_connect((int)s, name, namelen, send, sendlen, (cport_op_t *)ov);
  w32_ov_end(ov, rc);
  w32_es_note((int)s, 0); /* WSAEventSelect: the connection's events */
  return fixup_started(rc, ov, sent);
}

BOOL w32_disconnect_ex(SOCKET s, LPOVERLAPPED ov, DWORD flags, DWORD reserved) {
  if (reserved != 0 || (flags & ~(DWORD)TF_REUSE_SOCKET) != 0)
    return wsa_false(WSAEINVAL);
  /* "This error can also be returned if the socket is in the transport
   * closing state from a previous request and the dwFlags parameter is not
   * set to TF_REUSE_SOCKET" (WSAENOTCONN, DisconnectEx). */
  if (!(flags & TF_REUSE_SOCKET)) {
    if (w32_fd_flags((int)s) & W32_FD_DISCONNECTED)
      return wsa_false(WSAENOTCONN);
  }
  if (ov == NULL) {
    /* The synchronous form: the disconnect is done when it returns, and
     * with TF_REUSE_SOCKET the socket is ready for AcceptEx or ConnectEx
     * (a connection already ended both ways has nothing to shut down). */
    bool reuse = (flags & TF_REUSE_SOCKET) != 0;
    uint64_t until = UINT64_MAX; /* after the bytes sent (no timeout) */
    int w = w32_fd_wait_queued((int)s, false, false, &until);
    if (w == 2 || w == 3) /* closed by another thread, or cancelled */
      return wsa_false(w == 2 ? WSAEINTR : WSA_OPERATION_ABORTED);
    if (shutdown((int)s, SHUT_WR) != 0 && !(reuse && errno == ENOTCONN))
      return wsa_false(w32_wsa_error(-errno));
    cport__note_shutdown((int)s, SHUT_WR);
    if (reuse)
      w32_socket_reuse((int)s);
    else
      w32_fd_set_flags((int)s, W32_FD_DISCONNECTED, 0);
    return TRUE;
  }
  /* A socket never connected: WSAENOTCONN, as DisconnectEx's page says
   * (one that was, and whose connection ended both ways, is reused). */
  struct sockaddr_storage peer;
  socklen_t plen = sizeof(peer);
  if ((flags & TF_REUSE_SOCKET) && w32_fd_connected_since((int)s) == 0 &&
      getpeername((int)s, (struct sockaddr *)&peer, &plen) != 0)
    return wsa_false(errno == ENOTCONN ? WSAENOTCONN : w32_wsa_error(-errno));
  struct w32_fixup f = {NULL, ov, W32_FIX_REUSE, s,     NULL,  0, 0,
                        0,    s,  false,         false, false, 0, 0};
  if (!begin(s, ov, (flags & TF_REUSE_SOCKET) ? &f : NULL))
    return FALSE;
  int rc = (flags & TF_REUSE_SOCKET)
               ? cport__disconnect_reuse((int)s, (cport_op_t *)ov)
               : cport_disconnect((int)s, 0, (cport_op_t *)ov);
  w32_ov_end(ov, rc);
  if (!(flags & TF_REUSE_SOCKET) && (rc == 0 || rc == CPORT_COMPLETED))
    w32_fd_set_flags((int)s, W32_FD_DISCONNECTED, 0);
  return fixup_started(rc, ov, NULL);
}

/* ------------------------------------------------------------------------ */
/* TransmitFile, TransmitPackets                                             */
/* ------------------------------------------------------------------------ */

/*
 * Both are one cport op, the engine of "pieces sent in order": memory
 * and file ranges, then the optional disconnect. TransmitFile's pieces
 * are its head, file range and tail (cport_transmit_file), those of
 * TransmitPackets its elements (cport__transmit_pieces, which copies
 * them: the program may free its array once the call returns). They
 * start, report and wait the same way, here.
 */

/* What a transmit sends: pieces (TransmitPackets) or a file range between
 * a head and a tail (TransmitFile). */
struct tx {
  const struct cport__piece *pieces; /* TransmitPackets */
  unsigned n;
  bool packets;
  int file; /* TransmitFile: the file or CPORT_INVALID_HANDLE */
  uint64_t off;
  DWORD bytes;
  LPTRANSMIT_FILE_BUFFERS buffers;
};

static int tx_submit(SOCKET s, const struct tx *t, unsigned flags,
                     cport_op_t *op) {
  if (t->packets)
    return cport__transmit_pieces((int)s, t->pieces, t->n, flags, op);
  cport_buf_t head, tail;
  cport_buf_t *hp = NULL, *tp = NULL;
  if (t->buffers) {
    head = cport_buf_init(t->buffers->Head, t->buffers->HeadLength);
    tail = cport_buf_init(t->buffers->Tail, t->buffers->TailLength);
    hp = &head;
    tp = &tail;
  }
  return cport_transmit_file((int)s, t->file, t->off, t->bytes, hp, tp, flags,
                             op);
}

/* "The maximum number of bytes that can be transmitted using a single
 * call to the TransmitFile function is 2,147,483,646": a whole file
 * (bytes 0) with more left after off is refused, as Windows does, where
 * cport_transmit_file would send the first 2^31 - 2 bytes. (More named
 * by the call: cport_transmit_file refuses it.) */
static bool too_long(int file, uint64_t off) {
  struct stat st;
  if (file < 0 || fstat(file, &st) != 0 || !S_ISREG(st.st_mode))
    return false;
  uint64_t size = (uint64_t)st.st_size;
  return size > off && size - off > 0x7FFFFFFEu;
}

/* Starts the op on ov (the program's OVERLAPPED, or the synchronous
 * form's own): TRUE when it was sent inside the call, else FALSE with
 * WSA_IO_PENDING or the error. */
static BOOL tx_start(SOCKET s, LPOVERLAPPED ov, DWORD flags,
                     const struct tx *t) {
  /* TF_USE_*: which Windows thread does the work, accepted as hints. */
  if (flags & ~(DWORD)(TF_DISCONNECT | TF_REUSE_SOCKET | TF_WRITE_BEHIND |
                       TF_USE_SYSTEM_THREAD | TF_USE_KERNEL_APC))
    return wsa_false(WSAEINVAL);
  /* TF_REUSE_SOCKET "is valid only if TF_DISCONNECT is also specified":
   * alone it is refused, before anything is sent (the connection stays). */
  if ((flags & TF_REUSE_SOCKET) && !(flags & TF_DISCONNECT))
    return wsa_false(WSAEINVAL);
  if (!t->packets && t->bytes == 0 && too_long(t->file, t->off))
    return wsa_false(WSAEINVAL);
  bool reuse = (flags & TF_REUSE_SOCKET) != 0;
  struct w32_fixup fx = {NULL, ov, W32_FIX_REUSE, s,     NULL,  0, 0,
                         0,    s,  false,         false, false, 0, 0};
  if (!begin(s, ov, reuse ? &fx : NULL))
    return FALSE;
  int rc = tx_submit(s, t, (flags & TF_DISCONNECT) ? CPORT_TF_DISCONNECT : 0,
                     (cport_op_t *)ov);
  w32_ov_end(ov, rc);
  if (reuse)
    return fixup_started(rc, ov, NULL);
  if (rc < 0)
    return wsa_false(w32_wsa_error(rc));
  int status = -1;
  if (cport__last_inline(NULL, &status) && status == 0)
    return TRUE; /* sent inside the call (still posted unless skip mode) */
  return wsa_false(WSA_IO_PENDING);
}

/* The synchronous form (no OVERLAPPED): returns when all is sent (or
 * failed), with the bytes sent. An OVERLAPPED of its own, whose event has
 * bit 0 set, so the socket's port gets no packet. */
static BOOL tx_wait(SOCKET s, DWORD flags, const struct tx *t, DWORD *sent) {
  HANDLE ev = CreateEvent(NULL, TRUE, FALSE, NULL);
  if (ev == NULL)
    return wsa_false(WSAENOBUFS);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = (HANDLE)((uintptr_t)ev | 1u);
  BOOL ok = tx_start(s, &ov, flags, t);
  int err = ok ? 0 : WSAGetLastError();
  DWORD got_flags = 0;
  *sent = 0;
  if (ok || err == WSA_IO_PENDING) {
    ok = WSAGetOverlappedResult(s, &ov, sent, TRUE, &got_flags);
    err = ok ? 0 : WSAGetLastError();
  }
  CloseHandle(ev);
  return ok ? TRUE : wsa_false(err);
}

/* TransmitFile without an OVERLAPPED: from the file's current position,
 * which moves past the file's bytes sent. */
static BOOL transmit_sync(SOCKET s, struct tx *t, DWORD flags) {
  off_t pos = t->file >= 0 ? lseek(t->file, 0, SEEK_CUR) : 0;
  if (pos < 0)
    return wsa_false(WSAEINVAL);
  t->off = (uint64_t)pos;
  DWORD sent;
  if (!tx_wait(s, flags, t, &sent))
    return FALSE;
  if (t->file >= 0) {
    uint64_t around = t->buffers != NULL ? (uint64_t)t->buffers->HeadLength +
                                               (uint64_t)t->buffers->TailLength
                                         : 0;
    uint64_t from_file = sent > around ? sent - around : 0;
    lseek(t->file, pos + (off_t)from_file, SEEK_SET);
  }
  return TRUE;
}

CPORT_API BOOL TransmitFile(SOCKET s, HANDLE file, DWORD bytes, DWORD per_send,
                            LPOVERLAPPED ov, LPTRANSMIT_FILE_BUFFERS buffers,
                            DWORD flags) {
  (void)per_send;
  struct tx t = {NULL, 0, false, CPORT_INVALID_HANDLE, 0, bytes, buffers};
  if (file != NULL && (t.file = w32_fd(file)) < 0)
    return wsa_false(WSAEINVAL);
  if (ov == NULL)
    return transmit_sync(s, &t, flags);
  t.off = (uint64_t)ov->OffsetHigh << 32 | ov->Offset;
  return tx_start(s, ov, flags, &t);
}

/* The elements as cport's pieces (an empty memory element is left out):
 * 0, or the WSA error. *out is the caller's to free. */
static int tx_pieces(const TRANSMIT_PACKETS_ELEMENT *el, DWORD n,
                     struct cport__piece **out, unsigned *count) {
  *out = NULL;
  *count = 0;
  if (n == 0)
    return 0;
  if (el == NULL)
    return WSAEINVAL;
  struct cport__piece *p = calloc(n, sizeof(*p));
  if (p == NULL)
    return WSAENOBUFS;
  unsigned k = 0;
  for (DWORD i = 0; i < n; i++) {
    ULONG f = el[i].dwElFlags;
    /* TP_ELEMENT_FILE is the default; it and TP_ELEMENT_MEMORY exclude
     * each other. */
    bool mem = (f & TP_ELEMENT_MEMORY) != 0;
    if ((f & ~(ULONG)(TP_ELEMENT_MEMORY | TP_ELEMENT_FILE | TP_ELEMENT_EOP)) ||
        (mem && (f & TP_ELEMENT_FILE)) ||
        (mem && el[i].pBuffer == NULL && el[i].cLength > 0)) {
      free(p);
      return WSAEINVAL;
    }
    unsigned eop = (f & TP_ELEMENT_EOP) ? CPORT__PIECE_EOP : 0;
    if (mem) {
      if (el[i].cLength == 0)
        continue;
      p[k++] = (struct cport__piece){el[i].pBuffer, 0, el[i].cLength, -1, eop};
      continue;
    }
    int fd = w32_fd(el[i].hFile);
    LONGLONG at = el[i].nFileOffset.QuadPart;
    /* -1: from the file's current position. */
    if (at == -1 && fd >= 0)
      at = (LONGLONG)lseek(fd, 0, SEEK_CUR);
    if (fd < 0 || at < 0) {
      free(p);
      return WSAEINVAL;
    }
    p[k++] = (struct cport__piece){NULL, (uint64_t)at, el[i].cLength, fd, eop};
  }
  *out = p;
  *count = k;
  return 0;
}

BOOL w32_transmit_packets(SOCKET s, LPTRANSMIT_PACKETS_ELEMENT elements,
                          DWORD count, DWORD send_size, LPOVERLAPPED ov,
                          DWORD flags) {
  (void)send_size; /* the sizes of the sends are the kernel's (the flags:
                      tx_start) */
  struct tx t = {NULL, 0, true, CPORT_INVALID_HANDLE, 0, 0, NULL};
  struct cport__piece *pieces;
  int err = tx_pieces(elements, count, &pieces, &t.n);
  if (err != 0)
    return wsa_false(err);
  t.pieces = pieces;
  DWORD sent;
  BOOL ok =
      ov == NULL ? tx_wait(s, flags, &t, &sent) : tx_start(s, ov, flags, &t);
  err = WSAGetLastError();
  free(pieces); /* cport keeps its own copy */
  if (!ok)
    WSASetLastError(err);
  return ok;
}
