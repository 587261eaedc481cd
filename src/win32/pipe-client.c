/*
 * pipe-client.c - the client's side of a named pipe: its CreateFile
 * (w32_pipe_open), WaitNamedPipe; and a pipe's state,
 * SetNamedPipeHandleState, GetNamedPipeInfo, GetNamedPipeHandleState
 * (see pipes.c); CreatePipe.
 */
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "pipes.h"

/* ------------------------------------------------------------------------ */
/* The client                                                                */
/* ------------------------------------------------------------------------ */

HANDLE w32_pipe_open(const char *path, DWORD access, DWORD flags) {
  char key[256];
  DWORD err = w32_pipe_key_of(path, key);
  if (err != 0)
    return (w32_fail(err == ERROR_INVALID_NAME ? ERROR_FILE_NOT_FOUND : err),
            INVALID_HANDLE_VALUE);
  struct pipe_end *e = calloc(1, sizeof(*e));
  if (e == NULL)
    return (w32_fail(ERROR_NOT_ENOUGH_MEMORY), INVALID_HANDLE_VALUE);
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_name *pn = w32_pipe_find_locked(key);
  bool reserved = false;
  if (pn != NULL) {
    if (pn->listening - pn->backlog <= 0)
      err = ERROR_PIPE_BUSY;
    else
      pn->backlog++, reserved = true;
  }
  pthread_mutex_unlock(&w32_pipe_lock);
  struct sockaddr_un a;
  socklen_t alen = w32_pipe_address_of(key, &a);
  int s = -1;
  /* The name's type: known here, else a byte pipe first (a message pipe
   * refuses it: ECONNREFUSED or EPROTOTYPE). */
  bool first_message = pn != NULL && pn->message;
  for (int i = 0; err == 0 && i < 2; i++) {
    e->message = first_message != (i == 1);
    s = socket(AF_UNIX,
               (e->message ? SOCK_SEQPACKET : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (s < 0) {
      err = w32_error(-errno);
      break;
    }
    if (e->message)
      w32_pipe_message_socket(s);
    if (connect(s, (struct sockaddr *)&a, alen) == 0)
      break;
    int ce = errno;
    close(s);
    s = -1;
    if (ce == EAGAIN)
      err = ERROR_PIPE_BUSY;
    else if (ce != EPROTOTYPE && ce != ECONNREFUSED && ce != ENOENT)
      err = w32_error(-ce);
  }
  if (err == 0 && s < 0)
    err = ERROR_FILE_NOT_FOUND;
  pthread_mutex_lock(&w32_pipe_lock);
  if (err != 0 && reserved && (pn = w32_pipe_find_locked(key)) != NULL &&
      pn->backlog > 0)
    pn->backlog--;
  if (err == 0 && (pn = w32_pipe_find_locked(key)) != NULL &&
      (e->peer_key = strdup(key)) == NULL)
    err = ERROR_NOT_ENOUGH_MEMORY; /* (GetNamedPipeInfo's sizes) */
  if (err == 0 && (s >= (1 << 22) || !w32_pipe_end_put_locked(s, e)))
    err = ERROR_NOT_ENOUGH_MEMORY;
  pthread_mutex_unlock(&w32_pipe_lock);
  if (err != 0) {
    if (s >= 0)
      close(s);
    free(e->peer_key);
    free(e);
    return (w32_fail(err), INVALID_HANDLE_VALUE);
  }
  int fl = fcntl(s, F_GETFL);
  if (fl >= 0)
    fcntl(s, F_SETFL, fl | O_NONBLOCK);
  e->state = P_CLIENT;
  e->overlapped = (flags & FILE_FLAG_OVERLAPPED) != 0;
  e->can_read = (access & (GENERIC_READ | GENERIC_ALL | FILE_READ_DATA)) != 0;
  e->can_write =
      (access & (GENERIC_WRITE | GENERIC_ALL | FILE_WRITE_DATA)) != 0;
  w32_fd_reset(s);
  w32_fd_set_flags(s, W32_FD_PIPE | (e->overlapped ? 0 : W32_FD_SYNC), 0);
  w32_fd_connected(s);
  SetLastError(ERROR_SUCCESS);
  return (HANDLE)(intptr_t)s;
}

/* Whether a name's abstract address is bound (by any process). */
static bool name_bound(const char *key) {
  struct sockaddr_un a;
  socklen_t alen = w32_pipe_address_of(key, &a);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return false;
  bool bound = bind(s, (struct sockaddr *)&a, alen) != 0 && errno == EADDRINUSE;
  close(s);
  return bound;
}

CPORT_API BOOL WaitNamedPipeA(LPCSTR path, DWORD timeout_ms) {
  char key[256];
  DWORD err = w32_pipe_key_of(path, key);
  if (err != 0)
    return w32_fail(err == ERROR_INVALID_NAME ? ERROR_FILE_NOT_FOUND : err);
  uint64_t until = 0;
  for (;;) {
    pthread_mutex_lock(&w32_pipe_lock);
    struct pipe_name *pn = w32_pipe_find_locked(key);
    bool free_one = pn != NULL && pn->listening - pn->backlog > 0;
    DWORD dflt = pn != NULL ? pn->timeout_ms : 50;
    pthread_mutex_unlock(&w32_pipe_lock);
    if (free_one)
      return TRUE;
    if (pn == NULL) /* another process's pipe, or none */
      return name_bound(key) ? TRUE : w32_fail(ERROR_FILE_NOT_FOUND);
    if (until == 0) {
      DWORD ms = timeout_ms == NMPWAIT_USE_DEFAULT_WAIT ? dflt : timeout_ms;
      until = ms == NMPWAIT_WAIT_FOREVER ? UINT64_MAX : w32_now_ms() + ms;
    }
    if (w32_now_ms() >= until)
      return w32_fail(ERROR_SEM_TIMEOUT);
    Sleep(5);
  }
}

CPORT_API BOOL WaitNamedPipeW(LPCWSTR path, DWORD timeout_ms) {
  char *p = w32_utf8(path);
  if (p == NULL)
    return FALSE;
  BOOL ok = WaitNamedPipeA(p, timeout_ms);
  free(p);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Pipe state                                                                */
/* ------------------------------------------------------------------------ */

CPORT_API BOOL SetNamedPipeHandleState(HANDLE h, LPDWORD mode,
                                       LPDWORD max_collection,
                                       LPDWORD collect_timeout) {
  int fd = w32_fd(h);
  struct pipe_end e;
  if (fd < 0 || !w32_pipe_end_copy(fd, &e))
    return w32_fail(ERROR_INVALID_HANDLE);
  if (max_collection != NULL || collect_timeout != NULL)
    return w32_fail(ERROR_INVALID_PARAMETER); /* both ends are local */
  if (mode == NULL)
    return TRUE;
  if (*mode & ~(DWORD)(PIPE_NOWAIT | PIPE_READMODE_MESSAGE))
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (*mode & PIPE_NOWAIT)
    return w32_fail(ERROR_NOT_SUPPORTED);
  bool msg = (*mode & PIPE_READMODE_MESSAGE) != 0;
  if (msg && !e.message)
    return w32_fail(ERROR_INVALID_PARAMETER);
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_end *ep = w32_pipe_end_locked(fd);
  if (ep != NULL)
    ep->read_message = msg;
  pthread_mutex_unlock(&w32_pipe_lock);
  return TRUE;
}

/* The name fd's end belongs to (w32_pipe_lock held): a server's own, a
 * client's if its server is in this process; else NULL. */
static struct pipe_name *name_of_locked(int fd) {
  struct pipe_end *e = w32_pipe_end_locked(fd);
  if (e == NULL)
    return NULL;
  if (e->name != NULL)
    return e->name;
  return e->peer_key != NULL ? w32_pipe_find_locked(e->peer_key) : NULL;
}

CPORT_API BOOL GetNamedPipeInfo(HANDLE h, LPDWORD flags, LPDWORD out_size,
                                LPDWORD in_size, LPDWORD max_instances) {
  int fd = w32_fd(h);
  struct pipe_end e;
  if (fd < 0 || !w32_pipe_end_copy(fd, &e))
    return w32_fail(ERROR_INVALID_HANDLE);
  if (flags)
    *flags = (e.name != NULL ? PIPE_SERVER_END : PIPE_CLIENT_END) |
             (e.message ? PIPE_TYPE_MESSAGE : 0);
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_name *pn = name_of_locked(fd);
  if (out_size)
    *out_size = pn != NULL ? pn->out_size : 0;
  if (in_size)
    *in_size = pn != NULL ? pn->in_size : 0;
  if (max_instances)
    *max_instances = pn != NULL ? (DWORD)pn->max : 0;
  pthread_mutex_unlock(&w32_pipe_lock);
  return TRUE;
}

/* The peer's user name (a server end's client) into user, UTF-8. */
static DWORD peer_user(int fd, char *user, size_t size) {
  struct ucred cr;
  socklen_t len = sizeof(cr);
  uid_t uid = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0
                  ? cr.uid
                  : getuid();
  char buf[1024];
  struct passwd pw, *found = NULL;
  if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) != 0 || found == NULL)
    return ERROR_CANNOT_IMPERSONATE;
  if (strlen(pw.pw_name) >= size)
    return ERROR_INSUFFICIENT_BUFFER;
  strcpy(user, pw.pw_name);
  return 0;
}

CPORT_API BOOL GetNamedPipeHandleStateA(HANDLE h, LPDWORD state,
                                        LPDWORD instances,
                                        LPDWORD max_collection,
                                        LPDWORD collect_timeout, LPSTR user,
                                        DWORD user_size) {
  int fd = w32_fd(h);
  struct pipe_end e;
  if (fd < 0 || !w32_pipe_end_copy(fd, &e))
    return w32_fail(ERROR_INVALID_HANDLE);
  /* "Must be NULL" for a server end, and for both ends on one computer;
   * the user name is the server end's only. */
  if (max_collection != NULL || collect_timeout != NULL ||
      (user != NULL && e.name == NULL))
    return w32_fail(ERROR_INVALID_PARAMETER);
  if (user != NULL) {
    DWORD err = e.state != P_CONNECTED ? ERROR_CANNOT_IMPERSONATE
                                       : peer_user(fd, user, user_size);
    if (err != 0)
      return w32_fail(err);
  }
  if (state)
    *state = e.read_message ? PIPE_READMODE_MESSAGE : PIPE_WAIT;
  pthread_mutex_lock(&w32_pipe_lock);
  struct pipe_name *pn = name_of_locked(fd);
  if (instances) /* (a client whose server is elsewhere: its own one) */
    *instances = pn != NULL ? (DWORD)pn->instances : 1;
  pthread_mutex_unlock(&w32_pipe_lock);
  return TRUE;
}

CPORT_API BOOL GetNamedPipeHandleStateW(HANDLE h, LPDWORD state,
                                        LPDWORD instances,
                                        LPDWORD max_collection,
                                        LPDWORD collect_timeout, LPWSTR user,
                                        DWORD user_size) {
  char name[256];
  if (!GetNamedPipeHandleStateA(h, state, instances, max_collection,
                                collect_timeout, user != NULL ? name : NULL,
                                sizeof(name)))
    return FALSE;
  if (user != NULL &&
      MultiByteToWideChar(CP_UTF8, 0, name, -1, user, (int)user_size) == 0)
    return w32_fail(ERROR_INSUFFICIENT_BUFFER);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Anonymous pipes                                                           */
/* ------------------------------------------------------------------------ */

/* As Windows makes one: a byte pipe of one instance under a name of its
 * own, its server end opened for reading, a client connected for
 * writing; both handles plain (anonymous pipes take no overlapped I/O). */
CPORT_API BOOL CreatePipe(PHANDLE read_end, PHANDLE write_end,
                          LPSECURITY_ATTRIBUTES sa, DWORD size) {
  if (read_end == NULL || write_end == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  static unsigned long serial;
  unsigned long n = __atomic_add_fetch(&serial, 1, __ATOMIC_RELAXED);
  char name[96];
  snprintf(name, sizeof(name), "\\\\.\\pipe\\Win32Pipes.%08x.%08lx",
           (unsigned)getpid(), n);
  DWORD room = size != 0 ? size : 4096; /* Windows' default */
  HANDLE r = CreateNamedPipeA(name, PIPE_ACCESS_INBOUND,
                              PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT,
                              1, room, room, 120000, sa);
  if (r == INVALID_HANDLE_VALUE)
    return FALSE;
  HANDLE w = CreateFileA(name, GENERIC_WRITE, 0, sa, OPEN_EXISTING,
                         FILE_ATTRIBUTE_NORMAL, NULL);
  if (w == INVALID_HANDLE_VALUE) {
    DWORD err = GetLastError();
    CloseHandle(r);
    return w32_fail(err);
  }
  *read_end = r;
  *write_end = w;
  SetLastError(ERROR_SUCCESS);
  return TRUE;
}
