/*
 * sys.h - thin wrappers over Linux primitives (layer 0): futex wait and
 * wake, a pause for spin loops, the monotonic clock, the CPU count,
 * starting a background thread, naming the calling thread, and the
 * socket and epoll calls of an op's path without cancellation points.
 */
#ifndef CPORT_LINUX_SYS_H
#define CPORT_LINUX_SYS_H

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Sleeps while *word == expect, at most timeout_ns (< 0: forever).
 * Returns 0 (woken or value changed) or ETIMEDOUT. */
static inline int cp_futex_wait(uint32_t *word, uint32_t expect,
                                int64_t timeout_ns) {
  struct timespec ts, *tsp = NULL;
  if (timeout_ns >= 0) {
    ts.tv_sec = (time_t)(timeout_ns / 1000000000);
    ts.tv_nsec = (long)(timeout_ns % 1000000000);
    tsp = &ts;
  }
  long r = syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expect, tsp, NULL, 0);
  if (r == -1 && errno == ETIMEDOUT)
    return ETIMEDOUT;
  return 0;
}

/* Wakes up to n threads sleeping on word. The address is only a key: it
 * may already belong to memory that was freed or reused. */
static inline void cp_futex_wake(uint32_t *word, int n) {
  syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* A pause for spin-wait loops. */
static inline void cp_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* Monotonic time in nanoseconds. */
static inline uint64_t cp_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The number of CPUs online (at least 1). */
static inline unsigned cp_cpu_count(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (unsigned)n : 1;
}

/* Starts one of cport's background threads: it takes no signal (the
 * program's handlers run on the program's own threads), has a stack of
 * stack bytes (0: the default) and is detached if asked. Returns whether
 * it started. */
static inline bool cp_thread_spawn(pthread_t *t, size_t stack, bool detached,
                                   void *(*fn)(void *), void *arg) {
  pthread_attr_t a;
  pthread_attr_init(&a);
  if (stack != 0)
    pthread_attr_setstacksize(&a, stack);
  if (detached)
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old); /* the new thread's mask */
  bool ok = pthread_create(t, &a, fn, arg) == 0;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&a);
  return ok;
}

/* Names the calling thread (as top -H, ps -L, gdb and perf show it; at
 * most 15 characters). Done by the thread itself with prctl, which opens
 * no descriptor; a refusal (a seccomp filter) only leaves the name. */
static inline void cp_thread_name(const char *name) {
  (void)prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

/*
 * The socket calls on an op's path, as plain system calls. glibc's
 * send(2), recv(2), sendmsg(2), recvmsg(2) and epoll_wait(2) are
 * cancellation points: in a process with more than one thread each call
 * switches the thread to asynchronous cancellation and back, two atomic
 * read-modify-writes, and a thread cancelled inside one would leave a
 * cport lock held. A direct system call does neither. The sanitizers
 * see these calls through libc's wrappers (AddressSanitizer checks the
 * buffers, ThreadSanitizer orders threads by descriptor), so their builds
 * keep the wrappers. Each returns what the libc call does (-1 and errno
 * on failure).
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#  define CP_SYS_LIBC 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#    define CP_SYS_LIBC 1
#  endif
#endif

#ifdef CP_SYS_LIBC
#  define cp_sys_send send
/* (recvfrom, not recv: libcport-win32 puts its own recv in front of
 * libc's for ported programs, and that one asks cport.) */
#  define cp_sys_recv(fd, buf, len, flags) \
    recvfrom(fd, buf, len, flags, NULL, NULL)
#  define cp_sys_sendmsg sendmsg
#  define cp_sys_recvmsg recvmsg
#  define cp_sys_epoll_wait epoll_wait
#else
static inline ssize_t cp_sys_send(int fd, const void *buf, size_t len,
                                  int flags) {
  return (ssize_t)syscall(SYS_sendto, fd, buf, len, flags, NULL, 0);
}

static inline ssize_t cp_sys_recv(int fd, void *buf, size_t len, int flags) {
  return (ssize_t)syscall(SYS_recvfrom, fd, buf, len, flags, NULL, NULL);
}

static inline ssize_t cp_sys_sendmsg(int fd, const struct msghdr *m,
                                     int flags) {
  return (ssize_t)syscall(SYS_sendmsg, fd, m, flags);
}

static inline ssize_t cp_sys_recvmsg(int fd, struct msghdr *m, int flags) {
  return (ssize_t)syscall(SYS_recvmsg, fd, m, flags);
}

/* epoll_pwait with no mask: the one every architecture has. */
static inline int cp_sys_epoll_wait(int epfd, struct epoll_event *evs, int max,
                                    int timeout_ms) {
  return (int)syscall(SYS_epoll_pwait, epfd, evs, max, timeout_ms, NULL,
                      (size_t)8);
}
#endif

/* connect(2) as a plain system call in every build: libcport-win32 puts
 * its own connect (Winsock's, which waits for the outcome on a socket a
 * port has) in front of libc's, and a sanitizer's interceptor of connect
 * hands cport's own non-blocking call on to it (ThreadSanitizer's looks
 * the next definition up, and finds the layer's first). */
static inline int cp_sys_connect(int fd, const struct sockaddr *to,
                                 socklen_t len) {
  return (int)syscall(SYS_connect, fd, to, len);
}

#endif
