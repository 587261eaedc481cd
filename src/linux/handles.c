/*
 * handles.c - the fd -> handle table and the ports' handle lists (see
 * handles.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "handles.h"

struct cp_handle *cp_handle_chunks[CP_CHUNKS];
static pthread_mutex_t chunks_lock = PTHREAD_MUTEX_INITIALIZER;

int cp_handle_slot(int fd, struct cp_handle **out) {
  if (fd < 0 || (unsigned)fd >= CP_CHUNKS * CP_CHUNK_SIZE)
    return CPORT_EBADF;
  struct cp_handle *h = cp_handle_peek(fd);
  if (h == NULL) {
    unsigned ci = (unsigned)fd >> CP_CHUNK_BITS;
    pthread_mutex_lock(&chunks_lock);
    if (cp_handle_chunks[ci] == NULL) {
      struct cp_handle *c = calloc(CP_CHUNK_SIZE, sizeof(*c));
      if (c != NULL) {
        for (unsigned i = 0; i < CP_CHUNK_SIZE; i++) {
          c[i].fd = (int)(ci * CP_CHUNK_SIZE + i);
        }
        __atomic_store_n(&cp_handle_chunks[ci], c, __ATOMIC_RELEASE);
      }
    }
    pthread_mutex_unlock(&chunks_lock);
    h = cp_handle_peek(fd);
    if (h == NULL)
      return CPORT_ENOMEM;
  }
  *out = h;
  return 0;
}

void cp_handle_reset_locked(struct cp_handle *h, int fd, uint8_t type,
                            uint8_t family) {
  h->fd = fd;
  __atomic_store_n(&h->gen, h->gen + 1, __ATOMIC_RELEASE);
  h->flags = CP_HF_OPEN;
  __atomic_store_n(&h->io_starts, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&h->io_signal, 0, __ATOMIC_RELAXED);
  h->type = type;
  h->family = family;
  h->dev = 0;
  h->ino = 0;
  __atomic_store_n(&h->port, NULL, __ATOMIC_RELEASE);
  h->key = 0;
  h->rq.head = h->rq.tail = NULL;
  h->wq.head = h->wq.tail = NULL;
  __atomic_store_n(&h->buffered, 0, __ATOMIC_RELAXED);
  h->external = 0;
  h->opens++; /* the layer's ops of an earlier use no longer count here */
  memset(h->be, 0, sizeof(h->be));
}

uint8_t cp_handle_type_of(int fd, const struct stat *st, uint8_t *family) {
  *family = 0;
  if (S_ISREG(st->st_mode))
    return CP_H_FILE;
  if (!S_ISSOCK(st->st_mode))
    return CP_H_UNKNOWN;
  int type = 0;
  socklen_t len = sizeof(type);
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
    return CP_H_UNKNOWN;
  struct sockaddr_storage ss;
  len = sizeof(ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
    *family = (uint8_t)ss.ss_family;
  return type == SOCK_DGRAM    ? CP_H_DGRAM
         : type == SOCK_STREAM ? CP_H_STREAM
                               : CP_H_UNKNOWN;
}

/* ------------------------------------------------------------------------ */
/* The ports' lists                                                          */
/* ------------------------------------------------------------------------ */

bool cp_handle_list_add(struct cport *p, struct cp_handle *h) {
  pthread_mutex_lock(&p->handles_lock);
  if (p->handles_closed) {
    pthread_mutex_unlock(&p->handles_lock);
    return false;
  }
  h->port_prev = NULL;
  h->port_next = p->handles;
  if (p->handles)
    p->handles->port_prev = h;
  p->handles = h;
  pthread_mutex_unlock(&p->handles_lock);
  return true;
}

void cp_handle_list_close(struct cport *p) {
  pthread_mutex_lock(&p->handles_lock);
  p->handles_closed = true;
  pthread_mutex_unlock(&p->handles_lock);
}

void cp_handle_list_remove(struct cport *p, struct cp_handle *h) {
  pthread_mutex_lock(&p->handles_lock);
  if (h->port_prev)
    h->port_prev->port_next = h->port_next;
  else if (p->handles == h)
    p->handles = h->port_next;
  if (h->port_next)
    h->port_next->port_prev = h->port_prev;
  h->port_prev = h->port_next = NULL;
  pthread_mutex_unlock(&p->handles_lock);
}

struct cp_handle *cp_handle_list_pop(struct cport *p) {
  pthread_mutex_lock(&p->handles_lock);
  struct cp_handle *h = p->handles;
  if (h) {
    p->handles = h->port_next;
    if (p->handles)
      p->handles->port_prev = NULL;
    h->port_next = h->port_prev = NULL;
  }
  pthread_mutex_unlock(&p->handles_lock);
  return h;
}
