/*
 * layer-ops.c - overlapped ops the layer carries out itself, where cport
 * has no op of its kind: a message pipe's ReadFile, WriteFile and
 * ConnectNamedPipe (a SOCK_SEQPACKET socket).
 *
 * Such an op is started in cport as an external op
 * (cport__external_begin: Internal pending, its event held, the room for
 * its packet reserved on the handle's port) and queued on one of its
 * handle's two lanes (reads and connects, writes): a runner thread per
 * busy lane tries the lane's first op without blocking (its step, given
 * by the caller), waits for the descriptor the step names, and ends it
 * through cport (cport__external_end: Internal, InternalHigh, the event,
 * the packet), so the ops of a lane end in the order they were started,
 * as Windows ends a pipe's reads. A lane's thread ends when its lane is
 * empty.
 *
 * Cancel (CancelIo, CancelIoEx) marks ops: a marked op ends with the
 * given status before its next try (within one wait slice, 10 ms).
 * Closing or disconnecting the handle marks all of its ops and waits
 * until its runners have let the descriptor go.
 */
#include <poll.h>
#include <stdlib.h>

#include "win32.h"

#define CTX_MAX 64  /* bytes of a step's context */
#define SLICE_MS 10 /* how often a waiting op looks for its mark */

struct lop {
  struct lop *next;
  LPOVERLAPPED ov;
  uintptr_t tag; /* the OVERLAPPED's tag: the issuing thread and fd */
  w32_lop_step step;
  int abort; /* 0, or the status it is to end with */
  _Alignas(max_align_t) char ctx[CTX_MAX];
};

struct lane {
  struct lane *next;
  int fd;
  int which; /* W32_LANE_READ or W32_LANE_WRITE */
  struct lop *head, *tail;
};

static pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lane_gone = PTHREAD_COND_INITIALIZER;
static struct lane *lanes;

static struct lane *lane_find_locked(int fd, int which) {
  for (struct lane *l = lanes; l != NULL; l = l->next)
    if (l->fd == fd && l->which == which)
      return l;
  return NULL;
}

static bool fd_busy_locked(int fd) {
  for (struct lane *l = lanes; l != NULL; l = l->next)
    if (l->fd == fd)
      return true;
  return false;
}

static int mark_status(int mark) {
  return mark == W32_LOP_SUCCESS ? 0 : mark;
}

/* Ops behind the lane's first one that a cancel marked end now, out of
 * their turn, as Windows ends a cancelled read queued behind another
 * (within one slice of the mark). */
static void end_marked_behind(struct lane *l, struct lop *first) {
  struct lop *gone = NULL, **gone_tail = &gone; /* in their order */
  pthread_mutex_lock(&lk);
  for (struct lop **pp = &first->next; *pp != NULL;) {
    struct lop *o = *pp;
    if (__atomic_load_n(&o->abort, __ATOMIC_ACQUIRE) == 0) {
      pp = &o->next;
      continue;
    }
    *pp = o->next;
    o->next = NULL;
    *gone_tail = o;
    gone_tail = &o->next;
  }
  if (gone != NULL)
    for (l->tail = first; l->tail->next != NULL;)
      l->tail = l->tail->next;
  pthread_mutex_unlock(&lk);
  while (gone != NULL) {
    struct lop *o = gone;
    gone = o->next;
    cport__external_end(
        (cport_op_t *)(void *)o->ov,
        mark_status(__atomic_load_n(&o->abort, __ATOMIC_ACQUIRE)), 0);
    free(o);
  }
}

/* The lane's first op, tried until it ends or is marked. */
static void run_one(struct lane *l, struct lop *o, int *status, size_t *bytes) {
  for (;;) {
    int mark = __atomic_load_n(&o->abort, __ATOMIC_ACQUIRE);
    if (mark != 0) {
      *status = mark_status(mark);
      *bytes = 0;
      return;
    }
    int wait_fd = -1;
    short events = 0;
    *bytes = 0;
    *status = o->step(o->ctx, &wait_fd, &events, bytes);
    if (*status != CPORT_EAGAIN)
      return;
    struct pollfd p = {wait_fd, events, 0};
    poll(&p, 1, SLICE_MS);
    end_marked_behind(l, o);
  }
}

static void *runner(void *arg) {
  struct lane *l = arg;
  for (;;) {
    pthread_mutex_lock(&lk);
    struct lop *o = l->head;
    if (o == NULL) {
      struct lane **pp = &lanes;
      while (*pp != l)
        pp = &(*pp)->next;
      *pp = l->next;
      pthread_cond_broadcast(&lane_gone);
      pthread_mutex_unlock(&lk);
      free(l);
      return NULL;
    }
    pthread_mutex_unlock(&lk);
    int status;
    size_t bytes;
    run_one(l, o, &status, &bytes);
    pthread_mutex_lock(&lk);
    l->head = o->next;
    if (l->head == NULL)
      l->tail = NULL;
    pthread_mutex_unlock(&lk);
    /* The OVERLAPPED is its program's again after this. */
    cport__external_end((cport_op_t *)(void *)o->ov, status, (uint32_t)bytes);
    free(o);
  }
}

/* CloseHandle's last look (w32_lops_closing): no op of the layer's may
 * outlive its handle, whose number and engine slot may then serve
 * another file (an op ends on the port its handle has as it ends). */
static void lops_closing(int fd) {
  w32_lop_end_all(fd, CPORT_ECANCELED);
}

int w32_lop_start(int fd, LPOVERLAPPED ov, int which, w32_lop_step step,
                  const void *ctx, size_t ctx_size) {
  if (ctx_size > CTX_MAX)
    return CPORT_EINVAL;
  if (__atomic_load_n(&w32_lops_closing, __ATOMIC_ACQUIRE) == NULL)
    __atomic_store_n(&w32_lops_closing, lops_closing, __ATOMIC_RELEASE);
  struct lop *o = calloc(1, sizeof(*o));
  if (o == NULL)
    return CPORT_ENOMEM;
  o->ov = ov;
  o->tag = (uintptr_t)ov->cport_reserved_data;
  o->step = step;
  memcpy(o->ctx, ctx, ctx_size);
  pthread_mutex_lock(&lk);
  struct lane *l = lane_find_locked(fd, which);
  bool start = l == NULL;
  if (start && (l = calloc(1, sizeof(*l))) == NULL) {
    pthread_mutex_unlock(&lk);
    free(o);
    return CPORT_ENOMEM;
  }
  /* Started under the lock: a runner ending the lane cannot miss it. */
  int rc = cport__external_begin(fd, (cport_op_t *)(void *)ov);
  if (rc != 0) {
    pthread_mutex_unlock(&lk);
    if (start)
      free(l);
    free(o);
    return rc;
  }
  if (start) {
    l->fd = fd;
    l->which = which;
    l->next = lanes;
    lanes = l;
  }
  if (l->tail != NULL)
    l->tail->next = o;
  else
    l->head = o;
  l->tail = o;
  if (start) {
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    if (pthread_create(&t, &a, runner, l) != 0) {
      /* No thread: the op ends at once, as a failure through its port. */
      lanes = l->next;
      pthread_mutex_unlock(&lk);
      pthread_attr_destroy(&a);
      free(l);
      cport__external_end((cport_op_t *)(void *)ov, CPORT_ENOMEM, 0);
      free(o);
      return 0;
    }
    pthread_attr_destroy(&a);
  }
  pthread_mutex_unlock(&lk);
  return 0;
}

/* Which ops a cancel marks: of the descriptor, and of one lane, one
 * OVERLAPPED or one tag where given (-1, NULL, 0: any), but not those of
 * the step spared. */
struct pick {
  int fd, which;
  const OVERLAPPED *ov;
  uintptr_t tag;
  w32_lop_step spared;
};

static int mark(const struct pick *p, int status) {
  int n = 0;
  pthread_mutex_lock(&lk);
  for (struct lane *l = lanes; l != NULL; l = l->next) {
    if (l->fd != p->fd || (p->which >= 0 && l->which != p->which))
      continue;
    for (struct lop *o = l->head; o != NULL; o = o->next) {
      if ((p->ov != NULL && o->ov != p->ov) ||
          (p->tag != 0 && o->tag != p->tag) || o->step == p->spared ||
          o->abort != 0)
        continue;
      __atomic_store_n(&o->abort, status, __ATOMIC_RELEASE);
      n++;
    }
  }
  pthread_mutex_unlock(&lk);
  return n;
}

int w32_lop_cancel(int fd, const OVERLAPPED *ov, uintptr_t tag, int status) {
  struct pick p = {fd, -1, ov, tag, NULL};
  return mark(&p, status);
}

int w32_lop_cancel_lane(int fd, int which, w32_lop_step but, int status) {
  struct pick p = {fd, which, NULL, 0, but};
  return mark(&p, status);
}

void w32_lop_end_all(int fd, int status) {
  w32_lop_cancel(fd, NULL, 0, status);
  pthread_mutex_lock(&lk);
  while (fd_busy_locked(fd))
    pthread_cond_wait(&lane_gone, &lk);
  pthread_mutex_unlock(&lk);
}
