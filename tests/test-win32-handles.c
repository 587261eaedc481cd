/*
 * test-win32-handles.c - second handles through the Win32 API (real on
 * Windows, the layer on Linux): DuplicateHandle of GetCurrentThread() (a
 * real handle another thread queues APCs to and waits on), of threads,
 * events, mutexes, semaphores and ports (each handle closes on its own;
 * the object lives until the last), DUPLICATE_CLOSE_SOURCE, OpenThread,
 * and the arguments both refuse; a socket number reused on another
 * port right after its last op ended; and handles kept in 32 bits.
 */
#include "win32-util.h"

static HANDLE dup_of(HANDLE h) {
  HANDLE d = NULL;
  assert_true(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &d,
                              0, FALSE, DUPLICATE_SAME_ACCESS));
  assert_non_null(d);
  assert_true(d != h && d != INVALID_HANDLE_VALUE);
  return d;
}

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */
/* ------------------------------------------------------------------------ */

static volatile LONG apc_value;

static VOID CALLBACK note_apc(ULONG_PTR data) {
  InterlockedExchange(&apc_value, (LONG)data);
}

static DWORD WINAPI queue_to(LPVOID thread) {
  return QueueUserAPC(note_apc, (HANDLE)thread, 42) != 0 ? 0 : 1;
}

/* The usual idiom: a real handle to the calling thread (here the test's
 * main thread, which the layer did not start), which another thread
 * queues an APC to; the thread runs it in an alertable SleepEx. */
static void current_thread_handle_takes_apcs(void **state) {
  (void)state;
  HANDLE me = dup_of(GetCurrentThread());
  assert_int_equal(GetThreadId(me), GetCurrentThreadId());
  DWORD code = 0;
  assert_true(GetExitCodeThread(me, &code));
  assert_int_equal(code, STILL_ACTIVE);
  assert_int_equal(WaitForSingleObject(me, 0), WAIT_TIMEOUT);

  apc_value = 0;
  HANDLE t = CreateThread(NULL, 0, queue_to, me, 0, NULL);
  assert_non_null(t);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  assert_true(GetExitCodeThread(t, &code));
  assert_int_equal(code, 0);
  CloseHandle(t);
  assert_int_equal(SleepEx(5000, TRUE), WAIT_IO_COMPLETION);
  assert_int_equal(apc_value, 42);

  /* OpenThread by the id gives another handle to the same thread. */
  HANDLE again =
      OpenThread(THREAD_SET_CONTEXT | SYNCHRONIZE |
                     THREAD_QUERY_LIMITED_INFORMATION, /* (GetThreadId) */
                 FALSE, GetCurrentThreadId());
  assert_non_null(again);
  assert_true(again != me);
  assert_int_equal(GetThreadId(again), GetCurrentThreadId());
  assert_true(CloseHandle(me)); /* the other handle goes on working */
  apc_value = 0;
  t = CreateThread(NULL, 0, queue_to, again, 0, NULL);
  assert_non_null(t);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  CloseHandle(t);
  assert_int_equal(SleepEx(5000, TRUE), WAIT_IO_COMPLETION);
  assert_int_equal(apc_value, 42);
  assert_true(CloseHandle(again));
}

struct worker {
  HANDLE go, ready;
  HANDLE self; /* its own handle, duplicated inside it, then ready set */
};

static DWORD WINAPI dup_self_then_wait(LPVOID arg) {
  struct worker *w = arg;
  if (!DuplicateHandle(GetCurrentProcess(), GetCurrentThread(),
                       GetCurrentProcess(), &w->self, 0, FALSE,
                       DUPLICATE_SAME_ACCESS))
    w->self = NULL;
  SetEvent(w->ready);
  WaitForSingleObject(w->go, INFINITE);
  return 9;
}

/* A thread's duplicated handle, and one OpenThread gave, are signalled as
 * it ends, with its exit code, after its first handle was closed. */
static void thread_handles_outlive_the_first(void **state) {
  (void)state;
  struct worker w = {CreateEvent(NULL, TRUE, FALSE, NULL),
                     CreateEvent(NULL, TRUE, FALSE, NULL), NULL};
  assert_non_null(w.go);
  assert_non_null(w.ready);
  DWORD id = 0;
  HANDLE t = CreateThread(NULL, 0, dup_self_then_wait, &w, 0, &id);
  assert_non_null(t);
  HANDLE opened = OpenThread(SYNCHRONIZE | THREAD_QUERY_INFORMATION, FALSE, id);
  assert_non_null(opened);
  assert_true(opened != t);
  assert_int_equal(GetThreadId(opened), id);
  HANDLE dup = dup_of(t);
  assert_int_equal(WaitForSingleObject(w.ready, 5000), WAIT_OBJECT_0);
  assert_non_null(w.self);
  assert_int_equal(GetThreadId(w.self), id);
  assert_true(CloseHandle(t));
  assert_int_equal(WaitForSingleObject(dup, 20), WAIT_TIMEOUT);
  SetEvent(w.go);
  HANDLE all[3] = {dup, opened, w.self};
  for (int i = 0; i < 3; i++) {
    assert_int_equal(WaitForSingleObject(all[i], 5000), WAIT_OBJECT_0);
    DWORD code = 0;
    assert_true(GetExitCodeThread(all[i], &code));
    assert_int_equal(code, 9);
    assert_true(CloseHandle(all[i]));
  }
  CloseHandle(w.go);
  CloseHandle(w.ready);
}

static DWORD WINAPI returns_at_once(LPVOID arg) {
  (void)arg;
  return 0;
}

static void open_thread_refuses_unknown_ids(void **state) {
  (void)state;
  SetLastError(0);
  assert_null(OpenThread(SYNCHRONIZE, FALSE, 0));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  SetLastError(0);
  assert_null(OpenThread(SYNCHRONIZE, FALSE, 0xFFFFFFF0u));
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
  /* A thread that has ended, its last handle closed, is gone. */
  DWORD id = 0;
  HANDLE t = CreateThread(NULL, 0, returns_at_once, NULL, 0, &id);
  assert_non_null(t);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  assert_true(CloseHandle(t));
  SetLastError(0);
  HANDLE h = OpenThread(SYNCHRONIZE, FALSE, id);
  if (h != NULL)
    CloseHandle(h);
  assert_null(h);
  assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
}

/* ------------------------------------------------------------------------ */
/* Events, mutexes, semaphores, ports                                        */
/* ------------------------------------------------------------------------ */

static DWORD WINAPI set_later(LPVOID ev) {
  Sleep(20);
  return SetEvent((HANDLE)ev) ? 0 : 1;
}

static void duplicated_event_outlives_the_original(void **state) {
  (void)state;
  HANDLE e = CreateEvent(NULL, FALSE, FALSE, NULL);
  assert_non_null(e);
  HANDLE d = dup_of(e);
  assert_true(SetEvent(e)); /* one object: set through one handle */
  assert_int_equal(WaitForSingleObject(d, 0), WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(e, 0), WAIT_TIMEOUT); /* auto reset */
  assert_true(CloseHandle(e));
  /* The duplicate still signals and waits, from another thread too. */
  assert_true(SetEvent(d));
  assert_int_equal(WaitForSingleObject(d, 0), WAIT_OBJECT_0);
  HANDLE t = CreateThread(NULL, 0, set_later, d, 0, NULL);
  assert_non_null(t);
  assert_int_equal(WaitForSingleObject(d, 5000), WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  CloseHandle(t);
  assert_true(CloseHandle(d));
  assert_false(CloseHandle(d)); /* each handle closes once */
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
}

/* A duplicate as an OVERLAPPED's event: the op's end sets the event. */
static void duplicated_event_ends_an_overlapped_write(void **state) {
  (void)state;
  char path[MAX_PATH];
  w_temp_path(path, sizeof(path), "w32h-dup-event");
  HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         CREATE_ALWAYS, FILE_FLAG_OVERLAPPED, NULL);
  assert_true(f != INVALID_HANDLE_VALUE);
  HANDLE e = CreateEvent(NULL, TRUE, FALSE, NULL);
  assert_non_null(e);
  HANDLE d = dup_of(e);
  assert_true(CloseHandle(e));
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = d;
  if (!WriteFile(f, "abcd", 4, NULL, &ov))
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_int_equal(WaitForSingleObject(d, 5000), WAIT_OBJECT_0);
  DWORD n = 0;
  assert_true(GetOverlappedResult(f, &ov, &n, TRUE));
  assert_int_equal(n, 4);
  assert_true(CloseHandle(d));
  assert_true(CloseHandle(f));
  assert_true(DeleteFileA(path));
}

static void duplicated_mutex_semaphore_and_port(void **state) {
  (void)state;
  HANDLE m = CreateMutex(NULL, FALSE, NULL);
  assert_non_null(m);
  HANDLE md = dup_of(m);
  assert_int_equal(WaitForSingleObject(md, 0), WAIT_OBJECT_0);
  assert_true(ReleaseMutex(m)); /* owned through either handle */
  assert_true(CloseHandle(m));
  assert_int_equal(WaitForSingleObject(md, 0), WAIT_OBJECT_0);
  assert_true(ReleaseMutex(md));
  assert_true(CloseHandle(md));

  HANDLE s = CreateSemaphore(NULL, 0, 2, NULL);
  assert_non_null(s);
  HANDLE sd = dup_of(s);
  assert_true(ReleaseSemaphore(sd, 1, NULL));
  assert_int_equal(WaitForSingleObject(s, 0), WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(s, 0), WAIT_TIMEOUT);
  assert_true(CloseHandle(sd));
  assert_true(ReleaseSemaphore(s, 2, NULL));
  assert_true(CloseHandle(s));

  HANDLE p = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  assert_non_null(p);
  HANDLE pd = dup_of(p);
  assert_true(PostQueuedCompletionStatus(pd, 5, 7, NULL));
  assert_true(CloseHandle(p)); /* the port lives on with its packet */
  DWORD n = 0;
  ULONG_PTR key = 0;
  LPOVERLAPPED ov = NULL;
  assert_true(GetQueuedCompletionStatus(pd, &n, &key, &ov, 1000));
  assert_int_equal(n, 5);
  assert_int_equal(key, 7);
  assert_null(ov);
  assert_true(CloseHandle(pd));
}

/* ------------------------------------------------------------------------ */
/* DUPLICATE_CLOSE_SOURCE and bad arguments                                  */
/* ------------------------------------------------------------------------ */

static void close_source(void **state) {
  (void)state;
  HANDLE e = CreateEvent(NULL, TRUE, FALSE, NULL);
  assert_non_null(e);
  HANDLE d = NULL;
  assert_true(DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(), &d,
                              0, FALSE,
                              DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
  assert_non_null(d);
  assert_true(SetEvent(d));
  assert_int_equal(WaitForSingleObject(d, 0), WAIT_OBJECT_0);
  /* No target process: the source is only closed (Wine closes it but
   * fails the call: docs/windows.md). */
  BOOL only_closed = DuplicateHandle(GetCurrentProcess(), d, NULL, NULL, 0,
                                     FALSE, DUPLICATE_CLOSE_SOURCE);
  assert_true(only_closed || h_on_wine());
  assert_false(CloseHandle(d));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);

  /* A failing call closes the source too ("regardless of any error"). */
  HANDLE e2 = CreateEvent(NULL, TRUE, FALSE, NULL);
  HANDLE not_a_process = CreateEvent(NULL, TRUE, FALSE, NULL);
  assert_non_null(e2);
  assert_non_null(not_a_process);
  d = NULL;
  SetLastError(0);
  assert_false(DuplicateHandle(GetCurrentProcess(), e2, not_a_process, &d, 0,
                               FALSE, DUPLICATE_CLOSE_SOURCE));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  assert_false(CloseHandle(e2));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  assert_true(CloseHandle(not_a_process));
}

static void bad_arguments(void **state) {
  (void)state;
  HANDLE e = CreateEvent(NULL, TRUE, FALSE, NULL);
  assert_non_null(e);
  HANDLE d = NULL;
  /* Not a handle. */
  SetLastError(0);
  assert_false(DuplicateHandle(GetCurrentProcess(), NULL, GetCurrentProcess(),
                               &d, 0, FALSE, DUPLICATE_SAME_ACCESS));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  /* A process handle that is no process. */
  SetLastError(0);
  assert_false(DuplicateHandle(e, e, GetCurrentProcess(), &d, 0, FALSE,
                               DUPLICATE_SAME_ACCESS));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  SetLastError(0);
  assert_false(DuplicateHandle(GetCurrentProcess(), e, e, &d, 0, FALSE,
                               DUPLICATE_SAME_ACCESS));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  /* No target process without DUPLICATE_CLOSE_SOURCE. */
  assert_false(DuplicateHandle(GetCurrentProcess(), e, NULL, &d, 0, FALSE,
                               DUPLICATE_SAME_ACCESS));
  assert_null(d);
  /* A closed handle. */
  HANDLE gone = CreateEvent(NULL, TRUE, FALSE, NULL);
  assert_non_null(gone);
  assert_true(CloseHandle(gone));
  SetLastError(0);
  assert_false(DuplicateHandle(GetCurrentProcess(), gone, GetCurrentProcess(),
                               &d, 0, FALSE, DUPLICATE_SAME_ACCESS));
  assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
  assert_null(d);
  assert_true(CloseHandle(e));
}

/* A WSARecv with an event (no port of the program's) ends; the program
 * closes the socket at once, a new connection takes its number and joins
 * the program's port, and a WSARecv that finds its byte at once still
 * completes there. (Its end waited, for good, behind the first op's
 * completion, queued on the other port: about 1 round in 1,500.) */
static void a_reused_number_on_another_port_completes(void **state) {
  (void)state;
  struct sockaddr_in a;
  SOCKET l = w_listener(&a);
  HANDLE port = w_port(0);
  for (int round = 0; round < 400; round++) {
    SOCKET c1 = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert_int_equal(connect(c1, (struct sockaddr *)&a, sizeof(a)), 0);
    SOCKET s1 = accept(l, NULL, NULL);
    assert_true(h_socket_ok(s1));
    SOCKET c2 = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert_int_equal(connect(c2, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(send(c2, "b", 1, 0), 1);
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    assert_non_null(ev);
    OVERLAPPED oa, ob;
    memset(&oa, 0, sizeof(oa));
    memset(&ob, 0, sizeof(ob));
    oa.hEvent = ev;
    char ba[1], bb[1];
    WSABUF wa = {1, ba}, wb = {1, bb};
    DWORD n = 0, fl = 0;
    int rc = WSARecv(s1, &wa, 1, &n, &fl, &oa, NULL);
    assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
    assert_int_equal(send(c1, "a", 1, 0), 1);
    assert_int_equal(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
    assert_int_equal(closesocket(s1), 0);
    SOCKET s2 = accept(l, NULL, NULL); /* (often s1's number) */
    assert_true(h_socket_ok(s2));
    assert_ptr_equal(CreateIoCompletionPort((HANDLE)s2, port, 9, 0), port);
    fl = 0;
    rc = WSARecv(s2, &wb, 1, &n, &fl, &ob, NULL);
    assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
    ULONG_PTR key = 0;
    OVERLAPPED *done = NULL;
    assert_true(w_next(port, &n, &key, &done, 5000));
    assert_ptr_equal(done, &ob);
    assert_int_equal(n, 1);
    assert_int_equal(bb[0], 'b');
    closesocket(s2);
    closesocket(c1);
    closesocket(c2);
    CloseHandle(ev);
  }
  closesocket(l);
  assert_true(CloseHandle(port));
}

/* Windows' handles hold 32 significant bits: a program may keep one in
 * a DWORD or a LONG (HandleToULong / ULongToHandle, HandleToLong /
 * LongToHandle) and use it again; the lowest two bits are ignored. */
static void handles_survive_32_bits(void **state) {
  (void)state;
  HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
  HANDLE mx = CreateMutexA(NULL, FALSE, NULL);
  HANDLE sem = CreateSemaphoreA(NULL, 1, 1, NULL);
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  assert_non_null(ev);
  assert_non_null(mx);
  assert_non_null(sem);
  assert_non_null(port);
  if ((ULONG_PTR)HandleToULong(ev) != (ULONG_PTR)ev) {
    CloseHandle(ev);
    CloseHandle(mx);
    CloseHandle(sem);
    CloseHandle(port);
    H_SKIP("the system gave the layer's objects no room below 4 GiB "
           "(docs/porting.md)");
  }
  assert_true(SetEvent(ULongToHandle(HandleToULong(ev))));
  assert_int_equal(WaitForSingleObject(LongToHandle(HandleToLong(ev)), 0),
                   WAIT_OBJECT_0);
  assert_int_equal(
      WaitForSingleObject(ULongToHandle(HandleToULong(ev) | 3u), 0),
      WAIT_OBJECT_0);
  assert_int_equal(WaitForSingleObject(ULongToHandle(HandleToULong(mx)), 0),
                   WAIT_OBJECT_0);
  assert_true(ReleaseMutex(LongToHandle(HandleToLong(mx))));
  assert_int_equal(WaitForSingleObject(LongToHandle(HandleToLong(sem)), 0),
                   WAIT_OBJECT_0);
  assert_true(ReleaseSemaphore(ULongToHandle(HandleToULong(sem)), 1, NULL));
  assert_true(PostQueuedCompletionStatus(ULongToHandle(HandleToULong(port)), 5,
                                         6, NULL));
  DWORD n = 0;
  ULONG_PTR key = 0;
  OVERLAPPED *ov = NULL;
  assert_true(GetQueuedCompletionStatus(LongToHandle(HandleToLong(port)), &n,
                                        &key, &ov, 1000));
  assert_int_equal(n, 5);
  assert_int_equal(key, 6);
  assert_true(CloseHandle(ULongToHandle(HandleToULong(ev))));
  assert_true(CloseHandle(LongToHandle(HandleToLong(mx))));
  assert_true(CloseHandle(sem));
  assert_true(CloseHandle(port));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(current_thread_handle_takes_apcs),
      cmocka_unit_test(thread_handles_outlive_the_first),
      cmocka_unit_test(open_thread_refuses_unknown_ids),
      cmocka_unit_test(duplicated_event_outlives_the_original),
      cmocka_unit_test(duplicated_event_ends_an_overlapped_write),
      cmocka_unit_test(duplicated_mutex_semaphore_and_port),
      cmocka_unit_test(close_source),
      cmocka_unit_test(bad_arguments),
      cmocka_unit_test(a_reused_number_on_another_port_completes),
      cmocka_unit_test(handles_survive_32_bits),
  };
  return W_RUN("win32-handles", tests);
}
