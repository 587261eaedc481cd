/*
 * test-win32-transmit.c - TransmitPackets, written only against the Win32
 * API (real Winsock on Windows, the layer on Linux), reached as programs
 * reach it: WSAIoctl with WSAID_TRANSMITPACKETS. Memory and file
 * elements sent in order (a file range from an offset, to the end of the
 * file, from the file's current position), synchronously, through a port
 * and through an event; TF_DISCONNECT; TF_REUSE_SOCKET then AcceptEx into
 * the socket; bad flags; a transfer of 4 MiB. TransmitFile's limit of
 * 2^31 - 2 bytes a call, and its TF_REUSE_SOCKET without TF_DISCONNECT.
 * Wine has no TransmitPackets: the cases skip there with the reason.
 */
#include "win32-util.h"

#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#  include <sys/resource.h>
#endif

#define WINE_NO_TRANSMITPACKETS                                          \
  "known Wine difference: no TransmitPackets (WSAID_TRANSMITPACKETS is " \
  "unknown); see docs/windows.md"

/* TransmitPackets through WSAIoctl, or the test skips on Wine. */
static LPFN_TRANSMITPACKETS transmit_packets(void) {
  SOCKET s = w_tcp();
  GUID g = WSAID_TRANSMITPACKETS;
  LPFN_TRANSMITPACKETS fn = NULL;
  DWORD bytes = 0;
  int rc = WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &g, sizeof(g), &fn,
                    sizeof(fn), &bytes, NULL, NULL);
  closesocket(s);
  if (rc != 0 && h_on_wine())
    H_SKIP(WINE_NO_TRANSMITPACKETS);
  assert_int_equal(rc, 0);
  assert_non_null(fn);
  return fn;
}

static TRANSMIT_PACKETS_ELEMENT mem_el(const void *p, ULONG len) {
  TRANSMIT_PACKETS_ELEMENT e;
  memset(&e, 0, sizeof(e));
  e.dwElFlags = TP_ELEMENT_MEMORY;
  e.cLength = len;
  e.pBuffer = (PVOID)p;
  return e;
}

static TRANSMIT_PACKETS_ELEMENT file_el(HANDLE f, LONGLONG off, ULONG len) {
  TRANSMIT_PACKETS_ELEMENT e;
  memset(&e, 0, sizeof(e));
  e.dwElFlags = TP_ELEMENT_FILE;
  e.cLength = len;
  e.nFileOffset.QuadPart = off;
  e.hFile = f;
  return e;
}

/* n bytes from s, or the test fails (a receive timeout bounds it). */
static void recv_all(SOCKET s, char *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    size_t want = n - got > 65536 ? 65536 : n - got;
    int r = recv(s, buf + got, (int)want, 0);
    assert_true(r > 0);
    got += (size_t)r;
  }
}

/* A file at path holding len bytes of data, opened for reading. */
static HANDLE make_file(const char *path, const void *data, DWORD len) {
  HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  DWORD n = 0;
  assert_true(WriteFile(f, data, len, &n, NULL));
  assert_int_equal(n, len);
  CloseHandle(f);
  f = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                  FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  return f;
}

static void pair(SOCKET *srv, SOCKET *cli) {
  w_pair(srv, cli);
  w_set_rcvtimeo(*cli, 5000);
}

/* Memory elements, synchronously (no OVERLAPPED): the call returns TRUE
 * once all is sent; the peer reads them byte-exact and in order. */
static void memory_elements_in_order(void **state) {
  (void)state;
  LPFN_TRANSMITPACKETS tp = transmit_packets();
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 1, 0), port);
  TRANSMIT_PACKETS_ELEMENT el[4] = {mem_el("alpha,", 6), mem_el("beta,", 5),
                                    mem_el("", 0), mem_el("gamma", 5)};
  el[1].dwElFlags |= TP_ELEMENT_EOP;
  assert_true(tp(srv, el, 4, 0, NULL, 0));
  char buf[32];
  recv_all(cli, buf, 16);
  assert_memory_equal(buf, "alpha,beta,gamma", 16);
  w_expect_nothing(port, 50); /* the blocking form posts nothing */
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
}

/* File elements: a range from an offset, the rest of the file from an
 * offset (cLength 0), (nFileOffset -1) from the file's current position,
 * and the rest from the end: nothing. */
static void file_elements_offsets_and_to_eof(void **state) {
  (void)state;
  LPFN_TRANSMITPACKETS tp = transmit_packets();
  char path[512];
  w_temp_path(path, sizeof(path), "w32-tp-file");
  HANDLE f = make_file(path, "0123456789", 10);
  assert_int_equal(SetFilePointer(f, 7, NULL, FILE_BEGIN), 7);
  SOCKET srv, cli;
  pair(&srv, &cli);
  TRANSMIT_PACKETS_ELEMENT el[5] = {file_el(f, 2, 3), file_el(f, 6, 0),
                                    file_el(f, -1, 2), mem_el("!", 1),
                                    file_el(f, 10, 0)};
  assert_true(tp(srv, el, 5, 0, NULL, 0));
  char buf[16];
  recv_all(cli, buf, 10);
  assert_memory_equal(buf, "234678978!", 10);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
}

/* 600 file elements of one file, with fewer descriptors free than that
 * (Linux: RLIMIT_NOFILE lowered): every byte in order. (The layer's copy
 * of the list took a descriptor of its own per element: CPORT_EMFILE.) */
static void many_file_elements_of_one_file(void **state) {
  (void)state;
  enum { N = 600 };
  LPFN_TRANSMITPACKETS tp = transmit_packets();
  char path[512], data[N], buf[N];
  for (int i = 0; i < N; i++)
    data[i] = (char)('a' + i % 26);
  w_temp_path(path, sizeof(path), "w32-tp-many");
  HANDLE f = make_file(path, data, N);
  SOCKET srv, cli;
  pair(&srv, &cli);
  TRANSMIT_PACKETS_ELEMENT *el = calloc(N, sizeof(*el));
  assert_non_null(el);
  for (int i = 0; i < N; i++)
    el[i] = file_el(f, i, 1);
#ifndef _WIN32
  struct rlimit was, low;
  assert_int_equal(getrlimit(RLIMIT_NOFILE, &was), 0);
  low = was;
  low.rlim_cur = 256;
  assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
#endif
  BOOL ok = tp(srv, el, N, 0, NULL, 0);
#ifndef _WIN32
  assert_int_equal(setrlimit(RLIMIT_NOFILE, &was), 0);
#endif
  assert_true(ok);
  recv_all(cli, buf, N);
  assert_memory_equal(buf, data, N);
  free(el);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
}

/* Memory, file, memory, overlapped on a socket of a port: one packet
 * whose bytes count all of it, and the data in order. */
static void mixed_through_a_port(void **state) {
  (void)state;
  LPFN_TRANSMITPACKETS tp = transmit_packets();
  char path[512];
  w_temp_path(path, sizeof(path), "w32-tp-mixed");
  HANDLE f = make_file(path, "0123456789", 10);
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 7, 0), port);
  TRANSMIT_PACKETS_ELEMENT el[3] = {mem_el("HEAD:", 5), file_el(f, 1, 4),
                                    mem_el(":TAIL", 5)};
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  BOOL ok = tp(srv, el, 3, 0, &ov, 0);
  assert_true(ok || WSAGetLastError() == WSA_IO_PENDING);
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(key, 7);
  assert_int_equal(bytes, 14);
  char buf[32];
  recv_all(cli, buf, 14);
  assert_memory_equal(buf, "HEAD:1234:TAIL", 14);
  w_expect_nothing(port, 50);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
}

/* An event in the OVERLAPPED, no port: WSAGetOverlappedResult gives the
 * bytes. */
static void event_and_overlapped_result(void **state) {
  (void)state;
  LPFN_TRANSMITPACKETS tp = transmit_packets();
  SOCKET srv, cli;
  pair(&srv, &cli);
  HANDLE ev = WSACreateEvent();
  assert_true(ev != WSA_INVALID_EVENT);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = ev;
  TRANSMIT_PACKETS_ELEMENT el[2] = {mem_el("one ", 4), mem_el("two", 3)};
  BOOL ok = tp(srv, el, 2, 0, &ov, 0);
  assert_true(ok || WSAGetLastError() == WSA_IO_PENDING);
  assert_int_equal(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
  DWORD bytes = 0, flags = 0;
  assert_true(WSAGetOverlappedResult(srv, &ov, &bytes, FALSE, &flags));
  assert_int_equal(bytes, 7);
  char buf[8];
  recv_all(cli, buf, 7);
  assert_memory_equal(buf, "one two", 7);
  closesocket(srv);
  closesocket(cli);
  assert_true(WSACloseEvent(ev));
}

/* TF_DISCONNECT: the peer reads the data, then the end of the stream. */
static void disconnect_after_the_data(void **state) {
  (void)state;
  LPFN_TRANSMITPACKETS tp = transmit_packets();
  SOCKET srv, cli;
  pair(&srv, &cli);
  TRANSMIT_PACKETS_ELEMENT el[2] = {mem_el("last ", 5), mem_el("words", 5)};
  assert_true(tp(srv, el, 2, 0, NULL, TF_DISCONNECT));
  char buf[16];
  recv_all(cli, buf, 10);
  assert_memory_equal(buf, "last words", 10);
  assert_int_equal(recv(cli, buf, sizeof(buf), 0), 0);
  closesocket(srv);
  closesocket(cli);
}

/* TF_DISCONNECT | TF_REUSE_SOCKET on a socket AcceptEx filled: the
 * peer reads the data and the end, the completion comes, and the socket
 * takes the next AcceptEx (its port kept), twice. */
static void reuse_for_acceptex(void **state) {
  (void)state;
  LPFN_TRANSMITPACKETS tp = transmit_packets();
  HANDLE port = w_port(0);
  struct sockaddr_in la;
  SOCKET l = w_listener(&la);
  w_load_extensions(l);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)l, port, 1, 0), port);
  SOCKET a = w_tcp();
  for (int round = 0; round < 2; round++) {
    char out[2 * (sizeof(struct sockaddr_in6) + 16)];
    DWORD alen = sizeof(struct sockaddr_in6) + 16;
    OVERLAPPED ov;
    memset(&ov, 0, sizeof(ov));
    BOOL ok = pAcceptEx(l, a, out, 0, alen, alen, NULL, &ov);
    assert_true(ok || WSAGetLastError() == WSA_IO_PENDING);
    SOCKET cli = w_tcp();
    w_set_rcvtimeo(cli, 5000);
    assert_int_equal(connect(cli, (struct sockaddr *)&la, sizeof(la)), 0);
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    OVERLAPPED *got = NULL;
    assert_true(w_next(port, &bytes, &key, &got, 5000));
    assert_ptr_equal(got, &ov);
    assert_int_equal(setsockopt(a, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT,
                                (char *)&l, sizeof(l)),
                     0);
    if (round == 0)
      assert_ptr_equal(CreateIoCompletionPort((HANDLE)a, port, 3, 0), port);
    TRANSMIT_PACKETS_ELEMENT el[2] = {mem_el("round ", 6),
                                      mem_el(round ? "two" : "one", 3)};
    memset(&ov, 0, sizeof(ov));
    ok = tp(a, el, 2, 0, &ov, TF_DISCONNECT | TF_REUSE_SOCKET);
    if (!ok && WSAGetLastError() != WSA_IO_PENDING)
      print_message("round %d: error %d\n", round, WSAGetLastError());
    assert_true(ok || WSAGetLastError() == WSA_IO_PENDING);
    char buf[16];
    recv_all(cli, buf, 9);
    assert_memory_equal(buf, round ? "round two" : "round one", 9);
    assert_int_equal(recv(cli, buf, sizeof(buf), 0), 0);
    closesocket(cli);
    assert_true(w_next(port, &bytes, &key, &got, 5000));
    assert_ptr_equal(got, &ov);
    assert_int_equal(key, 3);
    assert_int_equal(bytes, 9);
  }
  closesocket(a);
  closesocket(l);
  assert_true(CloseHandle(port));
}

/* A flag TransmitPackets does not know: WSAEINVAL, and nothing sent. */
static void bad_flags_are_wsaeinval(void **state) {
  (void)state;
  LPFN_TRANSMITPACKETS tp = transmit_packets();
  SOCKET srv, cli;
  pair(&srv, &cli);
  TRANSMIT_PACKETS_ELEMENT el[1] = {mem_el("x", 1)};
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  WSASetLastError(0);
  assert_false(tp(srv, el, 1, 0, &ov, 0x1000));
  assert_int_equal(WSAGetLastError(), WSAEINVAL);
  WSASetLastError(0);
  assert_false(tp(srv, el, 1, 0, NULL, 0x1000));
  assert_int_equal(WSAGetLastError(), WSAEINVAL);
#ifndef _WIN32
  /* The layer's own checks (Microsoft documents no code for them). */
  assert_false(tp(srv, el, 1, 0, NULL, TF_REUSE_SOCKET));
  assert_int_equal(WSAGetLastError(), WSAEINVAL);
  assert_false(tp(srv, NULL, 1, 0, NULL, 0));
  assert_int_equal(WSAGetLastError(), WSAEINVAL);
  el[0].dwElFlags = TP_ELEMENT_MEMORY | TP_ELEMENT_FILE;
  assert_false(tp(srv, el, 1, 0, NULL, 0));
  assert_int_equal(WSAGetLastError(), WSAEINVAL);
  el[0] = mem_el(NULL, 4);
  assert_false(tp(srv, el, 1, 0, NULL, 0));
  assert_int_equal(WSAGetLastError(), WSAEINVAL);
  /* No datagrams: see docs/porting.md. */
  struct sockaddr_in a;
  SOCKET u = w_udp(&a);
  assert_int_equal(connect(u, (struct sockaddr *)&a, sizeof(a)), 0);
  el[0] = mem_el("x", 1);
  assert_false(tp(u, el, 1, 0, NULL, 0));
  assert_int_equal(WSAGetLastError(), WSAEOPNOTSUPP);
  closesocket(u);
#endif
  /* Nothing was sent. */
  u_long avail = 1;
  Sleep(20);
  assert_int_equal(ioctlsocket(cli, FIONREAD, &avail), 0);
  assert_int_equal(avail, 0);
  closesocket(srv);
  closesocket(cli);
}

/* TF_REUSE_SOCKET "is valid only if TF_DISCONNECT is also specified"
 * (TransmitFile): alone it is refused with WSAEINVAL before anything is
 * sent, and the connection stays (it was taken as a disconnect: a
 * keep-alive server's connection ended after its first file). */
static void transmit_file_reuse_needs_disconnect(void **state) {
  (void)state;
  SOCKET srv, cli;
  pair(&srv, &cli);
  TRANSMIT_FILE_BUFFERS tb;
  memset(&tb, 0, sizeof(tb));
  tb.Head = (PVOID) "head";
  tb.HeadLength = 4;
  HANDLE ev = WSACreateEvent();
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = ev;
  WSASetLastError(0);
  BOOL ok = TransmitFile(srv, NULL, 0, 0, &ov, &tb, TF_REUSE_SOCKET);
  int err = WSAGetLastError();
  if (ok || err == WSA_IO_PENDING) {
    DWORD n = 0, fl = 0;
    WSAGetOverlappedResult(srv, &ov, &n, TRUE, &fl);
    WSACloseEvent(ev);
    closesocket(srv);
    closesocket(cli);
    if (h_on_wine())
      H_SKIP("known Wine difference: TransmitFile takes TF_REUSE_SOCKET "
             "without TF_DISCONNECT; see docs/windows.md");
    fail_msg("TF_REUSE_SOCKET alone was taken");
  }
  assert_int_equal(err, WSAEINVAL);
  /* Nothing was sent, and the connection still carries data both ways. */
  u_long avail = 1;
  Sleep(20);
  assert_int_equal(ioctlsocket(cli, FIONREAD, &avail), 0);
  assert_int_equal(avail, 0);
  assert_int_equal(send(srv, "ab", 2, 0), 2);
  char got[2];
  recv_all(cli, got, 2);
  assert_memory_equal(got, "ab", 2);
  assert_int_equal(send(cli, "c", 1, 0), 1);
  recv_all(srv, got, 1);
  assert_int_equal(got[0], 'c');
  WSACloseEvent(ev);
  closesocket(srv);
  closesocket(cli);
}

/* "The maximum number of bytes that can be transmitted using a single
 * call to the TransmitFile function is 2,147,483,646" (TransmitFile):
 * more, named or as the rest of a whole file (bytes 0), fails with
 * WSAEINVAL and sends nothing. The file is 3 GiB, sparse. */
static void transmit_file_refuses_more_than_its_limit(void **state) {
  (void)state;
  char path[512];
  w_temp_path(path, sizeof(path), "tf-limit");
  HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  LARGE_INTEGER end;
  end.QuadPart = (LONGLONG)3 << 30;
  assert_true(SetFilePointerEx(f, end, NULL, FILE_BEGIN));
  assert_true(SetEndOfFile(f));
  SOCKET srv, cli;
  pair(&srv, &cli);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  WSASetLastError(0);
  BOOL whole = TransmitFile(srv, f, 0, 0, &ov, NULL, 0);
  if (h_on_wine() && (whole || WSAGetLastError() == WSA_IO_PENDING)) {
    CancelIoEx((HANDLE)srv, &ov);
    closesocket(srv);
    closesocket(cli);
    CloseHandle(f);
    DeleteFileA(path);
    H_SKIP("known Wine difference: TransmitFile sends more than 2^31 - 2 "
           "bytes a call; see docs/windows.md");
  }
  assert_false(whole);
  assert_int_equal(WSAGetLastError(), WSAEINVAL);
  WSASetLastError(0);
  assert_false(TransmitFile(srv, f, 0x7FFFFFFFu, 0, &ov, NULL, 0));
  assert_int_equal(WSAGetLastError(), WSAEINVAL);
  /* The last 2^31 - 2 bytes are within it. */
  end.QuadPart -= 0x7FFFFFFE;
  ov.Offset = end.LowPart;
  ov.OffsetHigh = (DWORD)end.HighPart;
  HANDLE ev = WSACreateEvent();
  ov.hEvent = ev;
  BOOL ok = TransmitFile(srv, f, 0, 0, &ov, NULL, 0);
  assert_true(ok || WSAGetLastError() == WSA_IO_PENDING);
  char buf[4096];
  assert_true(recv(cli, buf, sizeof(buf), 0) > 0); /* it sends */
  assert_true(CancelIoEx((HANDLE)srv, &ov) || ok);
  DWORD n = 0, fl = 0;
  WSAGetOverlappedResult(srv, &ov, &n, TRUE, &fl);
  WSACloseEvent(ev);
  closesocket(srv);
  closesocket(cli);
  CloseHandle(f);
  assert_true(DeleteFileA(path));
}

/* 4 MiB in five elements (three of memory, a file, memory again),
 * overlapped through a port while the peer reads: exact, in order, and
 * one packet with the whole count. On Linux the element array is freed
 * as soon as the call returns (the layer copied it). */
#define BIG (4u << 20)
#define PART (1u << 20)
static void large_transfer_is_exact(void **state) {
  (void)state;
  LPFN_TRANSMITPACKETS tp = transmit_packets();
  char *want = malloc(BIG);
  char *got = malloc(BIG);
  assert_non_null(want);
  assert_non_null(got);
  for (size_t i = 0; i < BIG; i++)
    want[i] = (char)(unsigned char)((i * 131u + (i >> 12)) & 0xFFu);
  char path[512];
  w_temp_path(path, sizeof(path), "w32-tp-big");
  HANDLE f = make_file(path, want + 2 * PART, PART);
  HANDLE port = w_port(0);
  SOCKET srv, cli;
  pair(&srv, &cli);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)srv, port, 9, 0), port);
  TRANSMIT_PACKETS_ELEMENT *el = calloc(5, sizeof(*el));
  assert_non_null(el);
  el[0] = mem_el(want, PART / 2);
  el[1] = mem_el(want + PART / 2, PART + PART / 2);
  el[2] = file_el(f, 0, 0);
  el[3] = mem_el(want + 3 * PART, PART / 4);
  el[4] = mem_el(want + 3 * PART + PART / 4, PART - PART / 4);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  BOOL ok = tp(srv, el, 5, 0, &ov, 0);
  assert_true(ok || WSAGetLastError() == WSA_IO_PENDING);
#ifndef _WIN32
  free(el);
  el = NULL;
#endif
  recv_all(cli, got, BIG);
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  OVERLAPPED *done = NULL;
  assert_true(w_next(port, &bytes, &key, &done, 5000));
  assert_ptr_equal(done, &ov);
  assert_int_equal(key, 9);
  assert_int_equal(bytes, BIG);
  assert_memory_equal(got, want, BIG);
  free(el);
  free(want);
  free(got);
  closesocket(srv);
  closesocket(cli);
  assert_true(CloseHandle(port));
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(memory_elements_in_order),
      cmocka_unit_test(file_elements_offsets_and_to_eof),
      cmocka_unit_test(mixed_through_a_port),
      cmocka_unit_test(event_and_overlapped_result),
      cmocka_unit_test(disconnect_after_the_data),
      cmocka_unit_test(reuse_for_acceptex),
      cmocka_unit_test(bad_flags_are_wsaeinval),
      cmocka_unit_test(large_transfer_is_exact),
      cmocka_unit_test(many_file_elements_of_one_file),
      cmocka_unit_test(transmit_file_refuses_more_than_its_limit),
      cmocka_unit_test(transmit_file_reuse_needs_disconnect),
  };
  return W_RUN("win32-transmit", tests);
}
