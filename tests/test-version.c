/*
 * test-version.c - the version macros of cport.h, the run-time version
 * functions, and the project version meson was configured with
 * ($CPORT_EXPECT_VERSION): all four must tell the same story. Runs once
 * per backend, like every suite.
 */
#include "harness.h"

static void macros_agree(void **state) {
  (void)state;
  assert_int_equal(CPORT_VERSION,
                   CPORT_MAKE_VERSION(CPORT_VERSION_MAJOR, CPORT_VERSION_MINOR,
                                      CPORT_VERSION_PATCH));
  char s[32];
  snprintf(s, sizeof(s), "%d.%d.%d", CPORT_VERSION_MAJOR, CPORT_VERSION_MINOR,
           CPORT_VERSION_PATCH);
  assert_string_equal(s, CPORT_VERSION_STRING);
  /* The hex form orders versions: 0xMMmmpp. */
  assert_true(CPORT_MAKE_VERSION(1, 0, 0) > CPORT_MAKE_VERSION(0, 255, 255));
  assert_true(CPORT_MAKE_VERSION(0, 2, 0) > CPORT_MAKE_VERSION(0, 1, 9));
  assert_int_equal(CPORT_MAKE_VERSION(1, 2, 3), 0x010203);
}

static void functions_match_macros(void **state) {
  (void)state;
  assert_int_equal(cport_version(), CPORT_VERSION);
  const char *s = cport_version_string();
  assert_non_null(s);
  assert_string_equal(s, CPORT_VERSION_STRING);
  /* The same pointer every time: callers may keep it. */
  assert_ptr_equal(cport_version_string(), s);
}

static void header_matches_project_version(void **state) {
  (void)state;
  char want[64];
  if (!h_getenv("CPORT_EXPECT_VERSION", want, sizeof(want)))
    H_SKIP("CPORT_EXPECT_VERSION not set (run through meson test)");
  assert_string_equal(cport_version_string(), want);
}

static void version_needs_no_port(void **state) {
  (void)state;
  /* The version calls work before any port exists and after it is gone. */
  uint32_t before = cport_version();
  cport_t *p = h_port(0);
  assert_int_equal(cport_version(), before);
  h_close_clean(p);
  assert_int_equal(cport_version(), before);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(macros_agree),
      cmocka_unit_test(functions_match_macros),
      cmocka_unit_test(header_matches_project_version),
      cmocka_unit_test(version_needs_no_port),
  };
  return H_RUN("version", tests);
}
