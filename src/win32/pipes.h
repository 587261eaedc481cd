/*
 * pipes.h - what the named pipe files share (pipes.c: names, instances,
 * connecting; pipe-client.c: the client's side and the pipe's state):
 * the names and the ends, under one lock.
 */
#ifndef CPORT_WIN32_PIPES_H
#define CPORT_WIN32_PIPES_H

#include <sys/un.h>

#include "win32.h"

enum { P_LISTENING = 1, P_CONNECTED, P_DISCONNECTED, P_CLIENT };

struct pipe_name {
  struct pipe_name *next;
  char key[256]; /* the name after "\\.\pipe\", in lower case */
  int listen_fd;
  int instances, max;
  int listening; /* instances a client may take */
  int backlog;   /* clients of this process connected, not yet accepted */
  bool message;  /* PIPE_TYPE_MESSAGE */
  DWORD out_size, in_size, timeout_ms;
};

/* One end: a server instance (name set) or a client. */
struct pipe_end {
  struct pipe_name *name;
  int state;
  bool message;      /* SOCK_SEQPACKET */
  bool read_message; /* PIPE_READMODE_MESSAGE */
  bool overlapped;   /* FILE_FLAG_OVERLAPPED */
  bool connecting;   /* a ConnectNamedPipe waits for a client */
  bool can_read, can_write;
  char *rest; /* the unread part of a message (message pipes) */
  size_t rest_len, rest_off;
  char *peer_key; /* a client's pipe name, its server in this process */
};

/* Guards the names and the ends. A leaf: nothing calls cport while it is
 * held, except cport_closesocket of a listener nobody else uses. */
CP_INTERNAL extern pthread_mutex_t w32_pipe_lock;

/* The name of "\\.\pipe\NAME" in lower case into key (256 bytes), or
 * its error. */
CP_INTERNAL DWORD w32_pipe_key_of(const char *path, char *key);
/* The abstract AF_UNIX address of a name's key; its length. */
CP_INTERNAL socklen_t w32_pipe_address_of(const char *key,
                                          struct sockaddr_un *a);
/* The name of this process's with key, or NULL (w32_pipe_lock held). */
CP_INTERNAL struct pipe_name *w32_pipe_find_locked(const char *key);
/* fd's end, or NULL (w32_pipe_lock held). */
CP_INTERNAL struct pipe_end *w32_pipe_end_locked(int fd);
/* fd's end becomes e; false without memory (w32_pipe_lock held). */
CP_INTERNAL bool w32_pipe_end_put_locked(int fd, struct pipe_end *e);
/* s, a message pipe's socket (a listener's, whose connections inherit
 * it, or a client's), passes credentials with every message
 * (SO_PASSCRED): a message of 0 bytes is then told from the end of the
 * stream (pipes-io.c). Where it cannot, such a message reads as the end. */
CP_INTERNAL void w32_pipe_message_socket(int s);
/* A copy of fd's end; false if fd is no pipe end. */
CP_INTERNAL bool w32_pipe_end_copy(int fd, struct pipe_end *out);

#endif
