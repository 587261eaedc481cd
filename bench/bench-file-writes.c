/*
 * bench-file-writes.c - many overlapped writes in flight on one file, the
 * way a logging server appends: N writes of SIZE bytes at their own
 * offsets, all started before the first completion is taken, then all
 * taken. Against the plain baseline, the same bytes with pwrite(2) in a
 * loop on one thread, in the same run. Prints wall time and CPU time per
 * write for both, and checks the file.
 *
 *   bench-file-writes [N [SIZE]]   (CPORT_BACKEND picks the backend)
 *
 * An end that walked every write still in flight made N writes cost N^2
 * (docs/benchmarks.md, "Stop 48").
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cport.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int fail(const char *what, int rc) {
  fprintf(stderr, "bench-file-writes: %s: %s\n", what, cport_strerror(rc));
  return 1;
}

/* The cport run: 0, or 1 with a message. */
static int run_cport(const char *path, const char *data, int n, int size,
                     double *wall, double *cpu) {
  cport_t *p = NULL;
  int rc = cport_create(&p, NULL);
  if (rc != 0)
    return fail("cport_create", rc);
  cport_handle_t f;
  rc = cport_file_open(path, CPORT_FILE_WRITE | CPORT_FILE_CREATE, &f);
  if (rc != 0 || (rc = cport_associate(p, f, 1, 0)) != 0)
    return fail("open", rc);
  cport_op_t *ops = calloc((size_t)n, sizeof(*ops));
  if (ops == NULL)
    return fail("calloc", CPORT_ENOMEM);
  double t0 = now_s(), c0 = cpu_s();
  for (int i = 0; i < n; i++) {
    rc = cport_write(f, data + (size_t)i * (size_t)size, (uint32_t)size,
                     (uint64_t)i * (uint64_t)size, &ops[i]);
    if (rc != 0)
      return fail("cport_write", rc);
  }
  for (int i = 0; i < n; i++) {
    cport_completion_t c;
    rc = cport_get(p, &c, 60000);
    if (rc != 0 || c.status != 0 || c.bytes != (uint32_t)size)
      return fail("completion", rc != 0 ? rc : c.status);
  }
  *wall = now_s() - t0;
  *cpu = cpu_s() - c0;
  cport_file_close(f);
  cport_close(p);
  free(ops);
  return 0;
}

static int run_pwrite(const char *path, const char *data, int n, int size,
                      double *wall, double *cpu) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    return fail("open", CPORT_EIO);
  double t0 = now_s(), c0 = cpu_s();
  for (int i = 0; i < n; i++)
    if (pwrite(fd, data + (size_t)i * (size_t)size, (size_t)size,
               (off_t)i * size) != size)
      return fail("pwrite", CPORT_EIO);
  *wall = now_s() - t0;
  *cpu = cpu_s() - c0;
  close(fd);
  return 0;
}

/* Whether the file holds exactly data. */
static int check(const char *path, const char *data, size_t len) {
  FILE *in = fopen(path, "rb");
  char *back = malloc(len + 1);
  size_t got = in != NULL && back != NULL ? fread(back, 1, len + 1, in) : 0;
  int ok = got == len && memcmp(back, data, len) == 0;
  if (in != NULL)
    fclose(in);
  free(back);
  return ok ? 0 : fail("the file's bytes differ", CPORT_EIO);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 60000;
  int size = argc > 2 ? atoi(argv[2]) : 100;
  if (n <= 0 || size <= 0 || (size_t)n * (size_t)size > (1u << 30))
    return fail("usage: bench-file-writes [N [SIZE]]", CPORT_EINVAL);
  size_t len = (size_t)n * (size_t)size;
  char *data = malloc(len);
  if (data == NULL)
    return fail("malloc", CPORT_ENOMEM);
  for (size_t i = 0; i < len; i++)
    data[i] = (char)('a' + i % 23);
  char path[] = "/tmp/cport-bench-writes-XXXXXX";
  int tmp = mkstemp(path);
  if (tmp < 0)
    return fail("mkstemp", CPORT_EIO);
  close(tmp);
  double cw = 0, cc = 0, pw = 0, pc = 0;
  int rc = run_cport(path, data, n, size, &cw, &cc);
  if (rc == 0)
    rc = check(path, data, len);
  if (rc == 0)
    rc = run_pwrite(path, data, n, size, &pw, &pc);
  unlink(path);
  free(data);
  if (rc != 0)
    return rc;
  const char *be = getenv("CPORT_BACKEND");
  printf("file-writes backend=%s n=%d size=%d cport_s=%.3f cport_cpu_us=%.2f "
         "pwrite_s=%.3f pwrite_cpu_us=%.2f\n",
         be != NULL ? be : "default", n, size, cw, cc * 1e6 / n, pw,
         pc * 1e6 / n);
  return 0;
}
