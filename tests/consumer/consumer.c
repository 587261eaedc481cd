/*
 * consumer.c - a program that uses an installed cport the way any project
 * would: include <cport.h>, link the library. Built by
 * tests/test-consumers.py through pkg-config, CMake and a Meson subproject.
 * Checks that the headers and the library it runs with agree, and that a
 * port works: one posted completion comes back.
 */
#include <stdio.h>
#include <string.h>

#include <cport.h>

int main(void) {
  if (cport_version() != CPORT_VERSION ||
      strcmp(cport_version_string(), CPORT_VERSION_STRING) != 0) {
    fprintf(stderr, "header %s, library %s\n", CPORT_VERSION_STRING,
            cport_version_string());
    return 1;
  }
  cport_t *port;
  int rc = cport_create(&port, NULL);
  if (rc != 0) {
    fprintf(stderr, "cport_create: %s\n", cport_strerror(rc));
    return 1;
  }
  cport_completion_t c;
  rc = cport_post(port, 42, 7, NULL);
  if (rc == 0)
    rc = cport_get(port, &c, 1000);
  if (rc == 0 && (c.key != 42 || c.bytes != 7 || c.op != NULL))
    rc = CPORT_EIO;
  int rc2 = cport_close(port);
  if (rc != 0 || rc2 != 0) {
    fprintf(stderr, "post/get/close: %s %s\n", cport_err_name(rc),
            cport_err_name(rc2));
    return 1;
  }
  printf("cport %s: post and get through a port\n", cport_version_string());
  return 0;
}
