/*
 * file-copy.c - copy a file through a completion port: --depth chunks of
 * --size bytes in flight, each read completion turning into a write at the
 * same offset and each write completion into the next read. Then the copy
 * is read back and compared, and one line is printed:
 *
 *   file-copy: backend=B bytes=N depth=D chunk=S seconds=T mb_per_s=X verified=yes
 *
 *   file-copy --from SRC --to DST [--depth 8] [--size 1048576] [--backend B]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cport.h"
#include "example-util.h"

enum { KEY_SRC = 1, KEY_DST = 2 };

struct chunk {
  cport_op_t op; /* first: the completion's op is the chunk */
  uint64_t off;
  uint32_t len;
  char *buf;
};

static int verify(const char *a, const char *b, uint64_t size) {
  FILE *fa = ex_fopen(a, "rb"), *fb = ex_fopen(b, "rb");
  int same = fa && fb;
  char x[65536], y[65536];
  uint64_t total = 0;
  while (same) {
    size_t n = fread(x, 1, sizeof(x), fa), m = fread(y, 1, sizeof(y), fb);
    same = n == m && memcmp(x, y, n) == 0;
    total += n;
    if (n == 0)
      break;
  }
  if (fa)
    fclose(fa);
  if (fb)
    fclose(fb);
  return same && total == size;
}

int main(int argc, char **argv) {
  struct ex_args a = ex_parse(argc, argv, "file-copy");
  bool size_given = false, depth_given = false;
  for (int i = 1; i < argc; i++) {
    size_given |= strcmp(argv[i], "--size") == 0;
    depth_given |= strcmp(argv[i], "--depth") == 0;
  }
  if (!depth_given)
    a.depth = 8;
  uint32_t chunk = size_given ? (uint32_t)a.size : 1u << 20;
  if (a.from == NULL || a.to == NULL) {
    fprintf(stderr, "usage: file-copy --from SRC --to DST [--depth N] "
                    "[--size BYTES] [--backend B]\n");
    return 2;
  }
  cport_options_t o;
  memset(&o, 0, sizeof(o));
  o.backend = a.backend;
  cport_t *port;
  cport_handle_t src, dst;
  uint64_t size;
  int rc = cport_create(&port, &o);
  if (rc == 0)
    rc = cport_file_open(a.from, CPORT_FILE_READ, &src);
  if (rc == 0)
    rc = cport_file_open(
        a.to, CPORT_FILE_WRITE | CPORT_FILE_CREATE | CPORT_FILE_TRUNCATE, &dst);
  if (rc == 0)
    rc = cport_file_size(src, &size);
  if (rc == 0)
    rc = cport_associate(port, src, KEY_SRC, 0);
  if (rc == 0)
    rc = cport_associate(port, dst, KEY_DST, 0);
  if (rc != 0)
    ex_die("setup", rc);

  double t0 = ex_now();
  uint64_t next = 0, written = 0;
  int inflight = 0;
  struct chunk *ch = calloc((size_t)a.depth, sizeof(*ch));
  for (int i = 0; i < a.depth && next < size; i++) {
    ch[i].buf = malloc(chunk);
    ch[i].off = next;
    ch[i].len = size - next < chunk ? (uint32_t)(size - next) : chunk;
    next += ch[i].len;
    if ((rc = cport_read(src, ch[i].buf, ch[i].len, ch[i].off, &ch[i].op)) != 0)
      ex_die("read", rc);
    inflight++;
  }
  while (inflight > 0) {
    cport_completion_t c;
    if ((rc = cport_get(port, &c, -1)) != 0)
      ex_die("get", rc);
    struct chunk *k = (struct chunk *)c.op;
    if (c.status != 0 || c.bytes != k->len)
      ex_die(c.key == KEY_SRC ? "read done" : "write done",
             c.status ? c.status : CPORT_EIO);
    if (c.key == KEY_SRC) {
      rc = cport_write(dst, k->buf, k->len, k->off, &k->op);
    } else {
      written += k->len;
      if (next >= size) {
        inflight--;
        continue;
      }
      k->off = next;
      k->len = size - next < chunk ? (uint32_t)(size - next) : chunk;
      next += k->len;
      rc = cport_read(src, k->buf, k->len, k->off, &k->op);
    }
    if (rc != 0)
      ex_die("submit", rc);
  }
  double secs = ex_now() - t0;
  char backend[16];
  snprintf(backend, sizeof(backend), "%s", cport_backend(port));
  cport_file_close(src);
  cport_file_close(dst);
  cport_close(port);
  int ok = written == size && verify(a.from, a.to, size);
  printf("file-copy: backend=%s bytes=%llu depth=%d chunk=%u seconds=%.3f "
         "mb_per_s=%.1f verified=%s\n",
         backend, (unsigned long long)size, a.depth, chunk, secs,
         secs > 0 ? (double)size / secs / 1e6 : 0.0, ok ? "yes" : "NO");
  for (int i = 0; i < a.depth; i++)
    free(ch[i].buf);
  free(ch);
  return ok ? 0 : 1;
}
