/*
 * wsamsg.c - the control data of WSARecvMsg and WSASendMsg: Windows'
 * WSACMSGHDR entries (cport_win32.h's WSA_CMSG_* layout, IN_PKTINFO with
 * the address first) to and from Linux's cmsghdr entries (struct
 * in_pktinfo with the interface first), and the block an overlapped call
 * hands to cport (hooks.h, struct cport__msg): it holds the Linux side
 * of the control data until the op ends, when its `end` writes the
 * results into the caller's WSAMSG and frees it.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

/* Linux's IP_PKTINFO, before cport_win32.h names Windows' (19). */
enum { SYS_IP_PKTINFO = IP_PKTINFO };

#include "win32.h"

/* Linux's struct in_pktinfo here (cport_win32.h names Windows' so). */
#undef in_pktinfo

/* The room Linux may need for what fits in `room` bytes of Windows'
 * entries: an IN_PKTINFO's 24 bytes are 32 on Linux, other entries the
 * same size, so twice the room and some more (for a room too small for
 * anything, so what it misses is seen: MSG_CTRUNC). */
size_t w32_msg_linux_room(ULONG room) {
  return room > 32768 ? 65600 : (size_t)room * 2 + 64;
}

/* Appends one Windows entry to msg's control buffer at *at; false when
 * it does not fit (the control data was cut). */
static bool put_entry(LPWSAMSG msg, size_t *at, int level, int type,
                      const void *data, size_t len) {
  size_t room = msg->Control.len - *at;
  if (*at > msg->Control.len || WSA_CMSG_LEN(len) > room)
    return false;
  WSACMSGHDR h;
  memset(&h, 0, sizeof(h));
  h.cmsg_len = WSA_CMSG_LEN(len);
  h.cmsg_level = level;
  h.cmsg_type = type;
  char *p = msg->Control.buf + *at;
  memcpy(p, &h, sizeof(h));
  memcpy(p + WSA_CMSG_LEN(0), data, len);
  size_t space = WSA_CMSG_SPACE(len);
  *at += space < room ? space : room;
  return true;
}

/* The flags a datagram's destination address gives. */
static DWORD destination_flags(const struct in_addr *v4,
                               const struct in6_addr *v6) {
  if (v4 != NULL) {
    uint32_t a = ntohl(v4->s_addr);
    if (a == INADDR_BROADCAST)
      return MSG_BCAST;
    return (a >> 28) == 0xe ? MSG_MCAST : 0; /* 224.0.0.0/4 */
  }
  return v6->s6_addr[0] == 0xff ? MSG_MCAST : 0;
}

DWORD w32_msg_control_in(const void *ctl, size_t len, int linux_flags,
                         LPWSAMSG msg) {
  DWORD flags = 0;
  if (linux_flags & MSG_TRUNC)
    flags |= MSG_TRUNC;
  if (linux_flags & MSG_CTRUNC)
    flags |= MSG_CTRUNC;
  size_t at = 0;
  struct msghdr m;
  memset(&m, 0, sizeof(m));
  m.msg_control = (void *)ctl;
  m.msg_controllen = len;
  for (struct cmsghdr *c = ctl != NULL ? CMSG_FIRSTHDR(&m) : NULL; c != NULL;
       c = CMSG_NXTHDR(&m, c)) {
    size_t n = c->cmsg_len - CMSG_LEN(0);
    bool fits;
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == SYS_IP_PKTINFO &&
        n >= sizeof(struct in_pktinfo)) {
      struct in_pktinfo li;
      memcpy(&li, CMSG_DATA(c), sizeof(li));
      IN_PKTINFO wi;
      wi.ipi_addr = li.ipi_addr;
      wi.ipi_ifindex = (ULONG)li.ipi_ifindex;
      flags |= destination_flags(&li.ipi_addr, NULL);
      fits = put_entry(msg, &at, IPPROTO_IP, IP_PKTINFO, &wi, sizeof(wi));
    } else {
      /* IPV6_PKTINFO has the same layout on both systems; anything else
       * the program asked for goes as Linux gave it. */
      if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
          n >= sizeof(IN6_PKTINFO)) {
        IN6_PKTINFO wi;
        memcpy(&wi, CMSG_DATA(c), sizeof(wi));
        flags |= destination_flags(NULL, &wi.ipi6_addr);
      }
      fits = put_entry(msg, &at, c->cmsg_level, c->cmsg_type, CMSG_DATA(c), n);
    }
    if (!fits) {
      flags |= MSG_CTRUNC;
      break;
    }
  }
  msg->Control.len = (ULONG)at;
  return flags;
}

long w32_msg_control_out(const WSAMSG *msg, void *out) {
  size_t at = 0;
  if (msg->Control.len == 0)
    return 0;
  const char *end = msg->Control.buf + msg->Control.len;
  for (LPWSACMSGHDR c = WSA_CMSG_FIRSTHDR(msg); c != NULL;
       c = WSA_CMSG_NXTHDR(msg, c)) {
    WSACMSGHDR h;
    memcpy(&h, c, sizeof(h));
    if (h.cmsg_len < WSA_CMSG_LEN(0) ||
        h.cmsg_len > (size_t)(end - (const char *)c))
      return -1;
    size_t n = h.cmsg_len - WSA_CMSG_LEN(0);
    const unsigned char *data = WSA_CMSG_DATA(c);
    struct in_pktinfo li;
    int type = h.cmsg_type;
    if (h.cmsg_level == IPPROTO_IP && h.cmsg_type == IP_PKTINFO) {
      /* The source address to send from, and the interface. */
      IN_PKTINFO wi;
      if (n < sizeof(wi))
        return -1;
      memcpy(&wi, data, sizeof(wi));
      memset(&li, 0, sizeof(li));
      li.ipi_ifindex = (int)wi.ipi_ifindex;
      li.ipi_spec_dst = wi.ipi_addr;
      data = (const unsigned char *)&li;
      n = sizeof(li);
      type = SYS_IP_PKTINFO;
    }
    if (out != NULL) {
      struct cmsghdr lh;
      memset(&lh, 0, sizeof(lh));
      lh.cmsg_len = CMSG_LEN(n);
      lh.cmsg_level = h.cmsg_level;
      lh.cmsg_type = type;
      memcpy((char *)out + at, &lh, sizeof(lh));
      memcpy((char *)out + at + CMSG_LEN(0), data, n);
      memset((char *)out + at + CMSG_LEN(n), 0, CMSG_SPACE(n) - CMSG_LEN(n));
    }
    at += CMSG_SPACE(n);
    if (at > 65536)
      return -1;
  }
  return (long)at;
}

/* ------------------------------------------------------------------------ */
/* The block of an overlapped call                                           */
/* ------------------------------------------------------------------------ */

struct msg_block {
  struct cport__msg m; /* first: what cport sees */
  LPWSAMSG msg;        /* the caller's (a receive writes its results) */
  struct sockaddr_storage to;
  _Alignas(max_align_t) unsigned char control[];
};

/* A receive ended: the sender's length, the control data in Windows'
 * entries and the flags go into the caller's WSAMSG (also for a datagram
 * cut to the buffers: WSAEMSGSIZE), before the result is published. */
static void recv_end(void *p, int status, uint32_t bytes) {
  (void)bytes;
  struct msg_block *b = p;
  if (status == 0 || status == CPORT_EMSGSIZE) {
    if (b->msg->name != NULL)
      b->msg->namelen = b->m.namelen;
    b->msg->dwFlags =
        w32_msg_control_in(b->control, b->m.controllen, b->m.flags, b->msg);
  }
  free(b);
}

static void send_end(void *p, int status, uint32_t bytes) {
  (void)status;
  (void)bytes;
  free(p);
}

struct cport__msg *w32_msg_block_recv(LPWSAMSG msg) {
  size_t room = msg->Control.len > 0 ? w32_msg_linux_room(msg->Control.len) : 0;
  struct msg_block *b = calloc(1, sizeof(*b) + room);
  if (b == NULL)
    return NULL;
  b->msg = msg;
  b->m.name = msg->name;
  b->m.namelen = msg->name != NULL ? msg->namelen : 0;
  b->m.control = room > 0 ? b->control : NULL;
  b->m.controllen = room;
  b->m.end = recv_end;
  return &b->m;
}

struct cport__msg *w32_msg_block_send(LPWSAMSG msg, int *err) {
  long room = w32_msg_control_out(msg, NULL);
  if (room < 0) {
    *err = WSAEINVAL;
    return NULL;
  }
  struct msg_block *b = calloc(1, sizeof(*b) + (size_t)room);
  if (b == NULL) {
    *err = WSAENOBUFS;
    return NULL;
  }
  if (msg->name != NULL) {
    size_t n = (size_t)msg->namelen;
    if (n > sizeof(b->to))
      n = sizeof(b->to);
    memcpy(&b->to, msg->name, n);
    b->m.name = (struct sockaddr *)&b->to;
    b->m.namelen = (int)n;
  }
  (void)w32_msg_control_out(msg, b->control);
  b->m.control = room > 0 ? b->control : NULL;
  b->m.controllen = (size_t)room;
  b->m.end = send_end;
  return &b->m;
}

void w32_msg_block_free(struct cport__msg *m) {
  free(m);
}
