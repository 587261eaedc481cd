/*
 * http-request.h - HTTP/1.x request parsing and safe path mapping for the
 * static file server example (http-request.c).
 */
#ifndef CPORT_EXAMPLE_HTTP_REQUEST_H
#define CPORT_EXAMPLE_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cport.h"

#if defined(_MSC_VER)
#  define strncasecmp _strnicmp
#  define strcasecmp _stricmp
#elif defined(_WIN32)
#  include <string.h>
#else
#  include <strings.h>
#endif

#define HTTP_MAX_HEAD 8192  /* request line + headers, bytes */
#define HTTP_MAX_HEADERS 64 /* header fields */
#define HTTP_MAX_PATH 1024

struct http_request {
  char method[16];
  char target[HTTP_MAX_PATH];
  int minor; /* HTTP/1.minor */
  bool keep_alive;
  bool has_body; /* Content-Length > 0 or Transfer-Encoding */
  bool has_host;
};

/* Where the head ends ("\r\n\r\n" included), or NULL if not yet. */
const char *http_find_head_end(const char *buf, size_t len);
/* Parse a complete head. Returns 0, or the HTTP status to answer with
 * (400, 414, 431, 505). A control byte (0x00-0x20, 0x7f) in the target,
 * or one other than a tab in a header value, is a 400. */
int http_parse(const char *buf, size_t len, struct http_request *r);
/* Percent-decode the target's path and refuse what could escape the root
 * (".." segments, encoded "/" "\\", NUL or other control bytes, absolute
 * forms). 0 or 400/414. */
int http_clean_path(const char *target, char *out, size_t size);
/* The real path of root (links resolved), without a trailing slash. */
int http_root_real(const char *root, char *out, size_t size);
/* The real path of the file clean names under root_real, if it is a
 * regular file inside the root once links are followed; 0, 404 or 414. */
int http_resolve(const char *root_real, const char *clean, char *out,
                 size_t size);

/*
 * Open the regular file `clean` names under the root for reading, links
 * followed only while they stay inside the root. *f is a handle for
 * cport_transmit_file (close it with http_close). Returns 0, 403, 404 or
 * 414. On Linux one openat2(RESOLVE_BENEATH) does the containment check
 * (realpath where the kernel lacks openat2); elsewhere http_resolve.
 */
struct http_root {
  char real[HTTP_MAX_PATH];
  int dirfd; /* Linux: the root directory, or -1 */
};
int http_root_open(const char *root, struct http_root *r);
int http_open(const struct http_root *r, const char *clean, cport_handle_t *f,
              uint64_t *size);
void http_close(cport_handle_t f);
const char *http_content_type(const char *path);

#endif
