/*
 * handle.c - the fd -> handle table, association with a port, and what
 * happens to a port's handles when the port closes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "backend.h"
#include "engine.h"
#include "handle.h"
#include "sockio.h"

_Static_assert(sizeof(struct cp_lop) <= sizeof(((cport_op_t *)0)->priv),
               "the Linux op overlay must fit in cport_op_t.priv");
_Static_assert(sizeof(cport_op_t) == 32 * sizeof(void *),
               "cport_op_t has a fixed size");

/* ------------------------------------------------------------------------ */
/* Operation queues                                                          */
/* ------------------------------------------------------------------------ */

void cp_opq_push(struct cp_opq *q, cport_op_t *op) {
  cp_lop(op)->next = NULL;
  if (q->tail)
    cp_lop(q->tail)->next = op;
  else
    q->head = op;
  q->tail = op;
}

cport_op_t *cp_opq_pop(struct cp_opq *q) {
  cport_op_t *op = q->head;
  if (op) {
    q->head = cp_lop(op)->next;
    if (q->head == NULL)
      q->tail = NULL;
    cp_lop(op)->next = NULL;
  }
  return op;
}

bool cp_opq_remove(struct cp_opq *q, cport_op_t *op) {
  cport_op_t *prev = NULL;
  for (cport_op_t *it = q->head; it; prev = it, it = cp_lop(it)->next) {
    if (it != op)
      continue;
    if (prev)
      cp_lop(prev)->next = cp_lop(it)->next;
    else
      q->head = cp_lop(it)->next;
    if (q->tail == it)
      q->tail = prev;
    cp_lop(it)->next = NULL;
    return true;
  }
  return false;
}

/* ------------------------------------------------------------------------ */
/* The table                                                                 */
/* ------------------------------------------------------------------------ */

#define CP_CHUNK_BITS 10
#define CP_CHUNK_SIZE (1u << CP_CHUNK_BITS)
#define CP_CHUNKS 4096 /* fds up to 4 Mi */

static struct cp_handle *chunks[CP_CHUNKS];
static pthread_mutex_t chunks_lock = PTHREAD_MUTEX_INITIALIZER;

struct cp_handle *cp_handle_peek(int fd) {
  if (fd < 0 || (unsigned)fd >= CP_CHUNKS * CP_CHUNK_SIZE)
    return NULL;
  struct cp_handle *c =
      __atomic_load_n(&chunks[(unsigned)fd >> CP_CHUNK_BITS], __ATOMIC_ACQUIRE);
  return c ? &c[(unsigned)fd & (CP_CHUNK_SIZE - 1)] : NULL;
}

struct cp_handle *cp_handle_slot(int fd) {
  struct cp_handle *h = cp_handle_peek(fd);
  if (h || fd < 0 || (unsigned)fd >= CP_CHUNKS * CP_CHUNK_SIZE)
    return h;
  unsigned ci = (unsigned)fd >> CP_CHUNK_BITS;
  pthread_mutex_lock(&chunks_lock);
  if (chunks[ci] == NULL) {
    struct cp_handle *c = calloc(CP_CHUNK_SIZE, sizeof(*c));
    if (c != NULL) {
      for (unsigned i = 0; i < CP_CHUNK_SIZE; i++) {
        pthread_mutex_init(&c[i].lock, NULL);
        c[i].fd = (int)(ci * CP_CHUNK_SIZE + i);
      }
      __atomic_store_n(&chunks[ci], c, __ATOMIC_RELEASE);
    }
  }
  pthread_mutex_unlock(&chunks_lock);
  return cp_handle_peek(fd);
}

void cp_handle_open_locked(struct cp_handle *h, int fd, uint8_t type,
                           uint8_t family) {
  if (h->flags & CP_HF_OPEN) {
    /* The kernel reused this fd number: the previous owner was closed
     * behind cport's back. Its operations still complete, once. */
    cp_handle_abandon_locked(h);
    cp_handle_detach_locked(h);
  }
  h->fd = fd;
  h->gen++;
  h->flags = CP_HF_OPEN;
  h->type = type;
  h->family = family;
  h->dev = 0;
  h->ino = 0;
  h->port = NULL;
  h->key = 0;
}

/* ------------------------------------------------------------------------ */
/* Association                                                               */
/* ------------------------------------------------------------------------ */

static void port_list_add(struct cport *p, struct cp_handle *h) {
  pthread_mutex_lock(&p->handles_lock);
  h->port_prev = NULL;
  h->port_next = p->handles;
  if (p->handles)
    p->handles->port_prev = h;
  p->handles = h;
  pthread_mutex_unlock(&p->handles_lock);
}

static void port_list_remove(struct cport *p, struct cp_handle *h) {
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

static uint8_t type_of(int fd, const struct stat *st, uint8_t *family) {
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
  return type == SOCK_DGRAM ? CP_H_DGRAM
         : type == SOCK_STREAM ? CP_H_STREAM
                               : CP_H_UNKNOWN;
}

void cp_handle_detach_locked(struct cp_handle *h) {
  struct cport *p = h->port;
  if (p == NULL)
    return;
  p->be->detach(p, h);
  port_list_remove(p, h);
  h->port = NULL;
  h->key = 0;
}

CPORT_API int cport_associate(cport_t *port, cport_handle_t fd, uintptr_t key,
                              unsigned flags) {
  if (port == NULL || (flags & ~CPORT_SKIP_ON_SUCCESS) != 0)
    return CPORT_EINVAL;
  if (fd < 0)
    return CPORT_EBADF;
  struct stat st;
  if (fstat(fd, &st) != 0)
    return CPORT_EBADF;
  struct cp_handle *h = cp_handle_slot(fd);
  if (h == NULL)
    return CPORT_EBADF;

  pthread_mutex_lock(&h->lock);
  if ((h->flags & CP_HF_OPEN) && h->port != NULL &&
      (h->dev != st.st_dev || h->ino != st.st_ino)) {
    /* Stale: the fd was closed without cport and the number reused. */
    cp_handle_abandon_locked(h);
    cp_handle_detach_locked(h);
    h->flags = 0;
  }
  int rc = 0;
  if (h->port != NULL) {
    rc = CPORT_EEXIST;
    goto out;
  }
  pthread_mutex_lock(&port->lock);
  bool closed = port->closed;
  pthread_mutex_unlock(&port->lock);
  if (closed) {
    rc = CPORT_ECLOSED;
    goto out;
  }
  if (!(h->flags & CP_HF_OPEN)) {
    h->fd = fd;
    h->gen++;
    h->flags = CP_HF_OPEN;
    h->type = type_of(fd, &st, &h->family);
  }
  int fl = fcntl(fd, F_GETFL);
  if (h->type != CP_H_FILE) {
    if (fl >= 0 && !(fl & O_NONBLOCK))
      fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  } else if (fl >= 0) {
    /* What the file was opened for, so a read or write it cannot do is
     * refused at once (as Windows does), not through a completion. */
    int mode = fl & O_ACCMODE;
    h->flags &= (uint16_t)~(CP_HF_NO_READ | CP_HF_NO_WRITE);
    if (mode == O_WRONLY)
      h->flags |= CP_HF_NO_READ;
    if (mode == O_RDONLY)
      h->flags |= CP_HF_NO_WRITE;
  }
  h->dev = st.st_dev;
  h->ino = st.st_ino;
  rc = port->be->attach ? port->be->attach(port, h) : 0;
  if (rc != 0)
    goto out;
  h->port = port;
  h->key = key;
  if (flags & CPORT_SKIP_ON_SUCCESS)
    h->flags |= CP_HF_SKIP;
  else
    h->flags &= (uint16_t)~CP_HF_SKIP;
  port_list_add(port, h);
out:
  pthread_mutex_unlock(&h->lock);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* Port close                                                                */
/* ------------------------------------------------------------------------ */

static void drop_queue_locked(struct cport *p, struct cp_handle *h,
                              struct cp_opq *q) {
  cport_op_t *op;
  while ((op = cp_opq_pop(q)) != NULL) {
    if (cp_lop(op)->flags & CP_OPF_INFLIGHT)
      p->be->cancel(p, h, op);
    op->internal = (uintptr_t)(intptr_t)CPORT_ECLOSED;
    cp_op_release(op);
    cp_op_set_idle(op);
  }
}

void cp_handles_detach_port(struct cport *p) {
  for (;;) {
    pthread_mutex_lock(&p->handles_lock);
    struct cp_handle *h = p->handles;
    if (h) {
      p->handles = h->port_next;
      if (p->handles)
        p->handles->port_prev = NULL;
      h->port_next = h->port_prev = NULL;
    }
    pthread_mutex_unlock(&p->handles_lock);
    if (h == NULL)
      return;
    pthread_mutex_lock(&h->lock);
    if (h->port == p) {
      /* The port is closed: queued ops are dropped, not completed; the
       * kernel is asked to give back the ones it owns (the backend waits
       * for them before it lets go of the ring). */
      drop_queue_locked(p, h, &h->rq);
      drop_queue_locked(p, h, &h->wq);
      p->be->detach(p, h);
      h->port = NULL;
      h->key = 0;
    }
    pthread_mutex_unlock(&h->lock);
  }
}
