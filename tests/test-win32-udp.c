/*
 * test-win32-udp.c - UDP sockets as Windows runs them, written only
 * against the Win32 API (real Winsock on Windows, the layer on Linux):
 * addresses and datagram sizes, and the ICMP "port unreachable" a datagram
 * draws, which fails the socket's next receive with WSAECONNRESET (an
 * overlapped one with ERROR_PORT_UNREACHABLE) until SIO_UDP_CONNRESET
 * turns that off ("WSAIoctl", "WSARecvFrom", "recvfrom"). Known Wine
 * differences skip with the reason.
 */
#include "win32-util.h"

/* A UDP address nobody listens on: a socket bound there, then closed. */
static struct sockaddr_in closed_port(void) {
  struct sockaddr_in a;
  SOCKET s = w_udp(&a);
  closesocket(s);
  return a;
}

/* A datagram to nobody; on loopback its ICMP answer comes at once. */
static void send_to_nobody(SOCKET s) {
  struct sockaddr_in nobody = closed_port();
  assert_int_equal(
      sendto(s, "lost", 4, 0, (struct sockaddr *)&nobody, sizeof(nobody)), 4);
  Sleep(50);
}

static int recvfrom_ov(SOCKET s, char *buf, ULONG len, OVERLAPPED *ov,
                       struct sockaddr_in *from, int *fromlen) {
  WSABUF wb = {len, buf};
  DWORD flags = 0, bytes = 0;
  memset(ov, 0, sizeof(*ov));
  *fromlen = sizeof(*from);
  return WSARecvFrom(s, &wb, 1, &bytes, &flags, (struct sockaddr *)from,
                     fromlen, ov, NULL);
}

/* The socket still works after its report: a datagram from a peer comes
 * through a's next receive, sender and bytes intact. */
static void next_datagram_comes_through(HANDLE port, SOCKET a,
                                        const struct sockaddr_in *aa) {
  struct sockaddr_in ca, from;
  SOCKET c = w_udp(&ca);
  assert_int_equal(
      sendto(c, "hello", 5, 0, (const struct sockaddr *)aa, sizeof(*aa)), 5);
  char buf[16];
  OVERLAPPED ov;
  int fromlen;
  int rc = recvfrom_ov(a, buf, sizeof(buf), &ov, &from, &fromlen);
  assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
  DWORD bytes;
  ULONG_PTR key;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(bytes, 5);
  assert_memory_equal(buf, "hello", 5);
  assert_int_equal(from.sin_port, ca.sin_port);
  closesocket(c);
}

/* ------------------------------------------------------------------------ */
/* An unreachable port                                                       */
/* ------------------------------------------------------------------------ */

/* The report fails the receive posted after it: at once with
 * WSAECONNRESET and no packet, or through the port with
 * ERROR_PORT_UNREACHABLE, 0 bytes, STATUS_PORT_UNREACHABLE in Internal
 * and WSAECONNRESET from WSAGetOverlappedResult. */
static void unreachable_port_fails_the_next_receive(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  struct sockaddr_in aa, from;
  SOCKET a = w_udp(&aa);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)a, port, 7, 0), port);
  send_to_nobody(a);
  char buf[16];
  OVERLAPPED ov;
  int fromlen;
  int rc = recvfrom_ov(a, buf, sizeof(buf), &ov, &from, &fromlen);
  int err = WSAGetLastError();
  DWORD bytes = 99;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  BOOL ok = rc == 0 || err != WSA_IO_PENDING ||
            GetQueuedCompletionStatus(port, &bytes, &key, &got, 2000);
  if ((rc == 0 || got == NULL) && err != WSAECONNRESET && h_on_wine()) {
    closesocket(a);
    CloseHandle(port);
    H_SKIP("known Wine difference: no ICMP port unreachable reaches a UDP "
           "socket's receive; see docs/windows.md");
  }
  assert_int_equal(rc, SOCKET_ERROR);
  if (err == WSAECONNRESET) {
    w_expect_nothing(port, 50); /* failed at once: nothing queued */
  } else {
    assert_int_equal(err, WSA_IO_PENDING);
    assert_false(ok);
    assert_ptr_equal(got, &ov);
    assert_int_equal(GetLastError(), ERROR_PORT_UNREACHABLE);
    assert_int_equal(bytes, 0);
    assert_int_equal(key, 7);
    assert_true(HasOverlappedIoCompleted(&ov));
    assert_int_equal((DWORD)ov.Internal, 0xC000023Fu); /* PORT_UNREACHABLE */
    DWORD n = 1, flags = 0;
    assert_false(WSAGetOverlappedResult(a, &ov, &n, FALSE, &flags));
    assert_int_equal(WSAGetLastError(), WSAECONNRESET);
    assert_int_equal(n, 0);
    assert_false(GetOverlappedResult((HANDLE)a, &ov, &n, FALSE));
    assert_int_equal(GetLastError(), ERROR_PORT_UNREACHABLE);
  }
  next_datagram_comes_through(port, a, &aa);
  closesocket(a);
  assert_true(CloseHandle(port));
}

/* A receive already waiting when the report comes fails with it, as
 * servers that keep receives posted on their socket see it. */
static void pending_receive_fails_when_the_report_comes(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  struct sockaddr_in aa, from;
  SOCKET a = w_udp(&aa);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)a, port, 7, 0), port);
  char buf[16];
  OVERLAPPED ov;
  int fromlen;
  assert_int_equal(recvfrom_ov(a, buf, sizeof(buf), &ov, &from, &fromlen),
                   SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
  send_to_nobody(a);
  DWORD bytes = 99;
  ULONG_PTR key = 0;
  OVERLAPPED *got = NULL;
  BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &got, 2000);
  if (got == NULL && h_on_wine()) {
    CancelIo((HANDLE)a);
    closesocket(a);
    CloseHandle(port);
    H_SKIP("known Wine difference: no ICMP port unreachable reaches a UDP "
           "socket's receive; see docs/windows.md");
  }
  assert_false(ok);
  assert_ptr_equal(got, &ov);
  assert_int_equal(GetLastError(), ERROR_PORT_UNREACHABLE);
  assert_int_equal(bytes, 0);
  next_datagram_comes_through(port, a, &aa);
  closesocket(a);
  assert_true(CloseHandle(port));
}

/* recvfrom without an OVERLAPPED: SOCKET_ERROR and WSAECONNRESET once,
 * then the next datagram. */
static void recvfrom_reports_wsaeconnreset_once(void **state) {
  (void)state;
  struct sockaddr_in aa, ba, from;
  SOCKET a = w_udp(&aa), b = w_udp(&ba);
  send_to_nobody(a);
  assert_int_equal(sendto(b, "next", 4, 0, (struct sockaddr *)&aa, sizeof(aa)),
                   4);
  Sleep(20);
  char buf[16];
  int fromlen = sizeof(from);
  int n = recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
  if (n == 4 && h_on_wine()) {
    closesocket(a);
    closesocket(b);
    H_SKIP("known Wine difference: no ICMP port unreachable reaches a UDP "
           "socket's receive; see docs/windows.md");
  }
  assert_int_equal(n, SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAECONNRESET);
  fromlen = sizeof(from);
  n = recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
  assert_int_equal(n, 4);
  assert_memory_equal(buf, "next", 4);
  assert_int_equal(from.sin_port, ba.sin_port);
  closesocket(a);
  closesocket(b);
}

/* SIO_UDP_CONNRESET FALSE: the report never reaches a receive, and sends
 * after it go out. (TRUE turns it back on.) */
static void sio_udp_connreset_false_keeps_receiving(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  struct sockaddr_in aa, ba;
  SOCKET a = w_udp(&aa), b = w_udp(&ba);
  BOOL off = FALSE;
  DWORD ret = 1;
  assert_int_equal(WSAIoctl(a, SIO_UDP_CONNRESET, &off, sizeof(off), NULL, 0,
                            &ret, NULL, NULL),
                   0);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)a, port, 7, 0), port);
  send_to_nobody(a);
  send_to_nobody(a);
  assert_int_equal(sendto(a, "ok", 2, 0, (struct sockaddr *)&ba, sizeof(ba)),
                   2);
  char buf[16];
  assert_int_equal(recv(b, buf, sizeof(buf), 0), 2);
  next_datagram_comes_through(port, a, &aa);
  BOOL on = TRUE;
  assert_int_equal(WSAIoctl(a, SIO_UDP_CONNRESET, &on, sizeof(on), NULL, 0,
                            &ret, NULL, NULL),
                   0);
  closesocket(a);
  closesocket(b);
  assert_true(CloseHandle(port));
}

/* A send after the report goes out (Windows tells receives only). */
static void send_after_the_report_goes_out(void **state) {
  (void)state;
  struct sockaddr_in aa, ba;
  SOCKET a = w_udp(&aa), b = w_udp(&ba);
  send_to_nobody(a);
  WSABUF wb = {4, (char *)"sent"};
  DWORD sent = 0;
  assert_int_equal(WSASendTo(a, &wb, 1, &sent, 0, (struct sockaddr *)&ba,
                             sizeof(ba), NULL, NULL),
                   0);
  assert_int_equal(sent, 4);
  char buf[16];
  assert_int_equal(recv(b, buf, sizeof(buf), 0), 4);
  assert_memory_equal(buf, "sent", 4);
  closesocket(a);
  closesocket(b);
}

/* ------------------------------------------------------------------------ */
/* Addresses and sizes                                                       */
/* ------------------------------------------------------------------------ */

/* WSASendTo with the destination in a SOCKADDR_STORAGE and its full size
 * as the length, as servers that answer whoever wrote pass it. A datagram
 * send finishes in the call (0), and so does a WSARecvFrom with a
 * datagram already there, on every backend, as on Windows. */
static void wsasendto_takes_a_storage_sized_address(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  struct sockaddr_in aa, ba;
  SOCKET a = w_udp(&aa), b = w_udp(&ba);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)a, port, 1, 0), port);
  SOCKADDR_STORAGE to;
  memset(&to, 0, sizeof(to));
  memcpy(&to, &ba, sizeof(ba));
  WSABUF wb = {5, (char *)"hello"};
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  DWORD sent = 0;
  int rc = WSASendTo(a, &wb, 1, &sent, 0, (struct sockaddr *)&to,
                     (int)sizeof(to), &ov, NULL);
  assert_int_equal(rc, 0);
  assert_int_equal(sent, 5);
  DWORD bytes;
  ULONG_PTR key;
  OVERLAPPED *got = NULL;
  assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(bytes, 5);
  char buf[8];
  assert_int_equal(recv(b, buf, sizeof(buf), 0), 5);
  assert_memory_equal(buf, "hello", 5);
  /* A datagram waiting for a's WSARecvFrom. */
  assert_int_equal(sendto(b, "back", 4, 0, (struct sockaddr *)&aa, sizeof(aa)),
                   4);
  Sleep(50);
  WSABUF rb = {sizeof(buf), buf};
  SOCKADDR_STORAGE from;
  int fromlen = (int)sizeof(from);
  DWORD flags = 0, got_bytes = 0;
  memset(&ov, 0, sizeof(ov));
  assert_int_equal(WSARecvFrom(a, &rb, 1, &got_bytes, &flags,
                               (struct sockaddr *)&from, &fromlen, &ov, NULL),
                   0);
  assert_int_equal(got_bytes, 4);
  assert_memory_equal(buf, "back", 4);
  assert_true(w_next(port, &bytes, &key, &got, 5000));
  assert_ptr_equal(got, &ov);
  assert_int_equal(bytes, 4);
  closesocket(a);
  closesocket(b);
  assert_true(CloseHandle(port));
}

static void oversized_datagram_fails_at_once(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  struct sockaddr_in aa, ba;
  SOCKET a = w_udp(&aa), b = w_udp(&ba);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)a, port, 1, 0), port);
  DWORD max = 0;
  int len = sizeof(max);
  assert_int_equal(
      getsockopt(a, SOL_SOCKET, SO_MAX_MSG_SIZE, (char *)&max, &len), 0);
  assert_int_equal(max, 65507);
  static char big[40000];
  WSABUF wb[2] = {{sizeof(big), big}, {sizeof(big), big}};
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  int rc = WSASendTo(a, wb, 2, NULL, 0, (struct sockaddr *)&ba, sizeof(ba), &ov,
                     NULL);
  assert_int_equal(rc, SOCKET_ERROR);
  assert_int_equal(WSAGetLastError(), WSAEMSGSIZE);
  DWORD bytes;
  ULONG_PTR key;
  OVERLAPPED *got = NULL;
  BOOL more = GetQueuedCompletionStatus(port, &bytes, &key, &got, 50);
  closesocket(a);
  closesocket(b);
  if ((more || got != NULL) && h_on_wine()) {
    CloseHandle(port);
    H_SKIP("known Wine difference: WSASendTo of an oversized datagram fails "
           "with WSAEMSGSIZE and queues a packet too; see docs/windows.md");
  }
  assert_false(more);
  assert_null(got); /* failed at once: nothing is queued */
  assert_true(CloseHandle(port));
}

/* recvfrom, recv, and WSARecvFrom and WSARecv without an OVERLAPPED, of
 * a datagram larger than the buffer: "the buffer is filled with the first
 * part of the datagram, and recvfrom generates the error WSAEMSGSIZE"
 * (WSARecvFrom: "the excess data is lost, and WSARecvFrom generates the
 * error WSAEMSGSIZE"); the sender is still given, and the next datagram
 * comes whole. */
static void recvfrom_of_a_larger_datagram_is_wsaemsgsize(void **state) {
  (void)state;
  struct sockaddr_in aa, ba, from;
  SOCKET a = w_udp(&aa), b = w_udp(&ba);
  for (int round = 0; round < 4; round++) {
    assert_int_equal(
        sendto(a, "0123456789", 10, 0, (struct sockaddr *)&ba, sizeof(ba)), 10);
    char small[4] = {0};
    int fromlen = sizeof(from);
    memset(&from, 0, sizeof(from));
    WSABUF wb = {sizeof(small), small};
    DWORD got = 0, flags = 0;
    int n = round == 0   ? recvfrom(b, small, sizeof(small), 0,
                                    (struct sockaddr *)&from, &fromlen)
            : round == 1 ? recv(b, small, sizeof(small), 0)
            : round == 2
                ? WSARecvFrom(b, &wb, 1, &got, &flags, (struct sockaddr *)&from,
                              &fromlen, NULL, NULL)
                : WSARecv(b, &wb, 1, &got, &flags, NULL, NULL);
    assert_int_equal(n, SOCKET_ERROR);
    assert_int_equal(WSAGetLastError(), WSAEMSGSIZE);
    assert_memory_equal(small, "0123", 4);
    if (round == 0 || round == 2) {
      assert_int_equal(fromlen, (int)sizeof(from));
      assert_int_equal(from.sin_port, aa.sin_port);
    }
  }
  /* ReadFile, the same: the bytes that fit, and ERROR_MORE_DATA
   * (STATUS_BUFFER_OVERFLOW, a warning: the count is set). */
  assert_int_equal(
      sendto(a, "0123456789", 10, 0, (struct sockaddr *)&ba, sizeof(ba)), 10);
  char four[4];
  DWORD got = 0;
  assert_false(ReadFile((HANDLE)b, four, sizeof(four), &got, NULL));
  assert_int_equal(GetLastError(), ERROR_MORE_DATA);
  assert_int_equal(got, 4);
  assert_memory_equal(four, "0123", 4);
  assert_int_equal(sendto(a, "ab", 2, 0, (struct sockaddr *)&ba, sizeof(ba)),
                   2);
  char buf[8];
  assert_int_equal(recv(b, buf, sizeof(buf), 0), 2); /* the rest was lost */
  assert_memory_equal(buf, "ab", 2);
  closesocket(a);
  closesocket(b);
}

/* A datagram too big for the buffer, already queued: exactly one answer.
 * The call fails with WSAEMSGSIZE and nothing is queued (what the
 * WSARecvFrom page documents for any error but WSA_IO_PENDING), or it
 * pends and one packet brings ERROR_MORE_DATA with the bytes that fit. */
static void truncated_datagram_gets_one_answer(void **state) {
  (void)state;
  HANDLE port = w_port(0);
  struct sockaddr_in aa, ba, from;
  SOCKET a = w_udp(&aa), b = w_udp(&ba);
  assert_ptr_equal(CreateIoCompletionPort((HANDLE)b, port, 2, 0), port);
  assert_int_equal(
      sendto(a, "0123456789", 10, 0, (struct sockaddr *)&ba, sizeof(ba)), 10);
  Sleep(50);
  char small[4];
  WSABUF wb = {sizeof(small), small};
  DWORD bytes = 0, flags = 0;
  int fromlen = sizeof(from);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  int rc = WSARecvFrom(b, &wb, 1, &bytes, &flags, (struct sockaddr *)&from,
                       &fromlen, &ov, NULL);
  int err = WSAGetLastError();
  assert_int_equal(rc, SOCKET_ERROR);
  ULONG_PTR key;
  OVERLAPPED *got = NULL;
  bool wine_wrote = false;
  if (err == WSAEMSGSIZE) {
    BOOL more = GetQueuedCompletionStatus(port, &bytes, &key, &got, 200);
    if (more || got != NULL) {
      closesocket(a);
      closesocket(b);
      CloseHandle(port);
      if (h_on_wine())
        H_SKIP("known Wine difference: a datagram truncated at the call "
               "fails the call and queues a packet too; see docs/windows.md");
      fail_msg("two answers: WSAEMSGSIZE from the call and a packet");
    }
  } else {
    assert_int_equal(err, WSA_IO_PENDING);
    assert_false(w_next(port, &bytes, &key, &got, 5000));
    assert_ptr_equal(got, &ov);
    assert_int_equal(GetLastError(), ERROR_MORE_DATA);
    assert_int_equal(bytes, 4);
    /* A failure leaves the count as it was (WSAGetOverlappedResult). */
    DWORD n = 77;
    assert_false(WSAGetOverlappedResult(b, &ov, &n, FALSE, &flags));
    assert_int_equal(WSAGetLastError(), WSAEMSGSIZE);
    wine_wrote = n != 77 && h_on_wine();
    if (!wine_wrote)
      assert_int_equal(n, 77);
    w_expect_nothing(port, 50);
  }
  assert_memory_equal(small, "0123", 4);
  closesocket(a);
  closesocket(b);
  assert_true(CloseHandle(port));
  if (wine_wrote)
    H_SKIP(W_WINE_WRITES_COUNT_ON_FAILURE);
}

#ifndef SIO_CPU_AFFINITY /* (the SDK's mstcpip.h has it; mingw-w64's not) */
#  define SIO_CPU_AFFINITY _WSAIOW(IOC_VENDOR, 21)
#endif

/* SIO_CPU_AFFINITY (mstcpip.h), before bind: sockets each given a
 * processor share one UDP port, as servers sharding a port by processor
 * make them; a datagram to the port reaches one of them. The Winsock
 * ioctl macros build its code. */
static void cpu_affine_sockets_share_a_port(void **state) {
  (void)state;
  assert_int_equal(_WSAIOW(IOC_VENDOR, 21), SIO_CPU_AFFINITY);
  assert_int_equal(IOC_IN, 0x80000000u);
  SOCKET s[2];
  struct sockaddr_in a = w_any();
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < 2; i++) {
    s[i] = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    assert_true(h_socket_ok(s[i]));
    USHORT cpu = 0;
    DWORD n = 0;
    int rc = WSAIoctl(s[i], SIO_CPU_AFFINITY, &cpu, sizeof(cpu), NULL, 0, &n,
                      NULL, NULL);
    if (rc != 0 && h_on_wine()) {
      int e = WSAGetLastError();
      closesocket(s[0]);
      if (i == 1)
        closesocket(s[1]);
      H_SKIP("known Wine difference: WSAIoctl(SIO_CPU_AFFINITY) fails with "
             "%d; see docs/windows.md",
             e);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(bind(s[i], (struct sockaddr *)&a, sizeof(a)), 0);
    int len = sizeof(a);
    assert_int_equal(getsockname(s[i], (struct sockaddr *)&a, &len), 0);
  }
  SOCKET c = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  assert_int_equal(sendto(c, "one", 3, 0, (struct sockaddr *)&a, sizeof(a)), 3);
  fd_set r;
  FD_ZERO(&r);
  FD_SET(s[0], &r);
  FD_SET(s[1], &r);
  struct timeval tv = {5, 0};
  assert_true(select(0, &r, NULL, NULL, &tv) >= 1);
  char buf[8];
  int got = 0;
  for (int i = 0; i < 2; i++)
    if (FD_ISSET(s[i], &r))
      got += recv(s[i], buf, sizeof(buf), 0);
  assert_int_equal(got, 3);
  closesocket(c);
  closesocket(s[0]);
  closesocket(s[1]);
}

/* closesocket with receives pending on a datagram socket: "Any pending
 * overlapped send and receive operations ... issued by any thread in this
 * process are also canceled ... the completion port is notified, with the
 * error status WSA_OPERATION_ABORTED" (closesocket): each once, as
 * ERROR_OPERATION_ABORTED (a datagram socket has no connection to abort),
 * its Internal STATUS_CANCELLED. */
static void closing_a_datagram_socket_aborts_its_receives(void **state) {
  (void)state;
  struct sockaddr_in ba;
  SOCKET b = w_udp(&ba);
  HANDLE port = w_port(1);
  assert_non_null(CreateIoCompletionPort((HANDLE)b, port, 7, 0));
  enum { N = 4 };
  OVERLAPPED ov[N];
  char buf[N][16];
  WSABUF wb[N];
  for (int i = 0; i < N; i++) {
    memset(&ov[i], 0, sizeof(ov[i]));
    wb[i].len = sizeof(buf[i]);
    wb[i].buf = buf[i];
    DWORD flags = 0;
    assert_int_equal(
        WSARecvFrom(b, &wb[i], 1, NULL, &flags, NULL, NULL, &ov[i], NULL),
        SOCKET_ERROR);
    assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
  }
  assert_int_equal(closesocket(b), 0);
  int seen[N] = {0};
  for (int i = 0; i < N; i++) {
    DWORD n = 99;
    ULONG_PTR key = 0;
    OVERLAPPED *got = NULL;
    assert_false(w_next(port, &n, &key, &got, 5000));
    if (GetLastError() != ERROR_OPERATION_ABORTED && h_on_wine()) {
      CloseHandle(port);
      H_SKIP("known Wine difference: a datagram socket's receives end with "
             "error 676 at its close; see docs/windows.md");
    }
    assert_int_equal(GetLastError(), ERROR_OPERATION_ABORTED);
    assert_non_null(got);
    assert_int_equal(key, 7);
    assert_int_equal(n, 0);
    int k = (int)(got - ov);
    assert_true(k >= 0 && k < N);
    seen[k]++;
    assert_int_equal((DWORD)got->Internal, 0xC0000120u); /* CANCELLED */
    DWORD bytes = 0, flags = 0;
    assert_false(WSAGetOverlappedResult(b, got, &bytes, FALSE, &flags));
    assert_true(WSAGetLastError() == WSA_OPERATION_ABORTED ||
                WSAGetLastError() == WSAENOTSOCK); /* (the socket is gone) */
  }
  for (int i = 0; i < N; i++)
    assert_int_equal(seen[i], 1);
  w_expect_nothing(port, 100);
  assert_true(CloseHandle(port));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(unreachable_port_fails_the_next_receive),
      cmocka_unit_test(pending_receive_fails_when_the_report_comes),
      cmocka_unit_test(recvfrom_reports_wsaeconnreset_once),
      cmocka_unit_test(sio_udp_connreset_false_keeps_receiving),
      cmocka_unit_test(send_after_the_report_goes_out),
      cmocka_unit_test(wsasendto_takes_a_storage_sized_address),
      cmocka_unit_test(oversized_datagram_fails_at_once),
      cmocka_unit_test(truncated_datagram_gets_one_answer),
      cmocka_unit_test(recvfrom_of_a_larger_datagram_is_wsaemsgsize),
      cmocka_unit_test(cpu_affine_sockets_share_a_port),
      cmocka_unit_test(closing_a_datagram_socket_aborts_its_receives),
  };
  return W_RUN("win32-udp", tests);
}
