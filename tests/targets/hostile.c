/* SPDX-License-Identifier: MIT */
/* Hostile target for test_hostile.c: does one thing a supervisor must
 * survive, prints what it got, then checks that the next open of PATH still
 * reads EXPECTED ("next OK"). Exits 0 only if every answer was the defined
 * one.
 *
 *	hostile MODE PATH EXPECTED [ARG]
 *
 *	killstorm N [RSS_SLACK_KB]  SIGKILL N children (half of them orphans
 *	                     left to unotifyd, the subreaper) at random
 *	                     points of an openat loop of PATH; compare
 *	                     unotifyd's (our parent's) fds and RSS before and
 *	                     after (RSS unchecked when RSS_SLACK_KB < 0)
 *	nested               own notify filter: EBUSY expected
 *	nodump               PR_SET_DUMPABLE 0 in a child, which opens PATH
 *	efault               a path running into an unmapped page: EFAULT
 *	toolong              PATH_MAX bytes without NUL, then a hole:
 *	                     ENAMETOOLONG
 *	nr-1                 syscall(-1): ENOSYS
 *	x32                  an x32 openat in a child: killed by SIGSYS
 *	x32-self             the same in this process (exit 159 from unotifyd)
 *	int80                i386 open of PATH (redirected), i386 getpid
 *	                     (x86_64 only; x32 means something only there)
 *	itimer N             50 us ITIMER_REAL, SA_RESTART, N opens of PATH
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "procstat.h"

#define X32_SYSCALL_BIT	0x40000000L
#define I386_NR_open	5
#define I386_NR_getpid	20

static const char *path, *expected;

/* Open PATH, read it and compare with EXPECTED (its first bytes); print
 * the outcome as "WHAT OK" unless what is NULL and all went well. */
static int
open_check(const char *what)
{
	char buf[4096];
	size_t len = strlen(expected);
	ssize_t n;
	int fd;

	fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		printf("%s ERR %s\n", what ? what : "open",
		    strerrorname_np(errno));
		return 0;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < (ssize_t)len || memcmp(buf, expected, len) != 0) {
		printf("%s BAD %.*s\n", what ? what : "open", n > 0 ? (int)n : 0, buf);
		return 0;
	}
	if (what != NULL)
		printf("%s OK\n", what);
	return 1;
}

/* Children of ppid in state Z (not yet reaped by it). */
static int
count_zombies(pid_t ppid)
{
	char file[300], buf[512], *rp;
	struct dirent *de;
	int n = 0, fd;
	ssize_t len;
	DIR *d;

	if ((d = opendir("/proc")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(file, sizeof(file), "/proc/%s/stat", de->d_name);
		if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* "pid (comm) S ppid ...": comm may hold ')' */
		if ((rp = strrchr(buf, ')')) == NULL || strlen(rp) < 5)
			continue;
		if (rp[2] == 'Z' && atoi(rp + 4) == (int)ppid)
			n++;
	}
	closedir(d);
	return n;
}

/* 1 if pid sits in openat(2) now (/proc/PID/syscall starts with its
 * number), for the record of where the kills landed. */
static int
in_openat(pid_t pid)
{
	char file[64], buf[32];
	ssize_t n;
	int fd;

	snprintf(file, sizeof(file), "/proc/%d/syscall", (int)pid);
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return atoi(buf) == SYS_openat;
}

/* Sleep for us microseconds (0: just yield). */
static void
sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	if (us == 0) {
		sched_yield();
		return;
	}
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* The victim: open PATH for ever, with raw openat so libc adds nothing. */
static void victim_loop(void) __attribute__((noreturn));
static void
victim_loop(void)
{
	long fd;

	for (;;)
		if ((fd = syscall(SYS_openat, AT_FDCWD, path,
		    O_RDONLY | O_CLOEXEC)) >= 0)
			close((int)fd);
}

/* One victim: a child (orphan == 0) or an orphaned grandchild; returns
 * its pid. */
static pid_t
spawn_victim(int orphan)
{
	int p[2];
	pid_t pid, mid;

	if (!orphan) {
		if ((pid = fork()) == 0)
			victim_loop();
		return pid;
	}
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((mid = fork()) == 0) {
		if ((pid = fork()) == 0)
			victim_loop();
		/* Exit at once: the victim is reparented to the subreaper. */
		(void)write(p[1], &pid, sizeof(pid));
		_exit(0);
	}
	close(p[1]);
	pid = -1;
	if (mid == -1 || read(p[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = -1;
	close(p[0]);
	if (mid > 0)
		waitpid(mid, NULL, 0);
	return pid;
}

static int
mode_killstorm(int n, long slack_kb)
{
	pid_t sup = getppid(), v;
	int i, fds0, fds1, z = -1, ok = 1, waited, mid_call = 0;
	long rss0, rss1;

	srandom((unsigned)getpid());
	/* Warm up: the first calls size buffers and fault pages in. */
	for (i = 0; i < 200; i++)
		if (!open_check(NULL))
			return 1;
	fds0 = count_fds_settled(sup, -1);
	rss0 = rss_kb(sup);
	for (i = 0; i < n; i++) {
		if ((v = spawn_victim(i % 2)) == -1) {
			printf("fork: %s\n", strerror(errno));
			return 1;
		}
		/* 0 to 2 ms: before, during and between notifications. */
		sleep_us(random() % 2000);
		mid_call += in_openat(v);
		kill(v, SIGKILL);
		if (i % 2 == 0)
			waitpid(v, NULL, 0);
	}
	/* Orphans are unotifyd's to reap: give it up to 5 s. */
	for (waited = 0; waited < 500; waited++) {
		if ((z = count_zombies(sup)) == 0)
			break;
		sleep_us(10000);
	}
	ok &= open_check("next");
	fds1 = count_fds_settled(sup, fds0);
	rss1 = rss_kb(sup);
	printf("killed=%d in_openat=%d fds before=%d after=%d rss_kb "
	    "before=%ld after=%ld zombies=%d\n", n, mid_call, fds0, fds1,
	    rss0, rss1, z);
	if (fds0 < 0 || fds0 != fds1 || z != 0)
		ok = 0;
	if (slack_kb >= 0 && (rss0 < 0 || rss1 > rss0 + slack_kb))
		ok = 0;
	return ok ? 0 : 1;
}

static int
mode_nested(void)
{
	struct sock_filter allow[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { 1, allow };
	long r;

	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (r >= 0) {
		printf("nested OK fd=%ld\n", r);
		return 0;
	}
	printf("nested ERR %s\n", strerrorname_np(errno));
	return errno == EBUSY;
}

static int
mode_nodump(void)
{
	int status, r;
	pid_t pid;

	if ((pid = fork()) == 0) {
		if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
			_exit(2);
		r = open_check("nodump");
		fflush(stdout);
		_exit(r ? 0 : 1);
	}
	if (pid == -1 || waitpid(pid, &status, 0) != pid)
		return 0;
	/* The child's answer is for the test to judge: it differs for root. */
	return WIFEXITED(status) && WEXITSTATUS(status) <= 1;
}

/* A mapping of two pages whose second page is unmapped again. */
static char *
page_before_hole(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p;

	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || munmap(p + page, page) == -1)
		return NULL;
	return p;
}

/* openat of a bad buffer, expecting errno want. */
static int
bad_open(const char *what, const char *buf, int want)
{
	long fd;

	fd = syscall(SYS_openat, AT_FDCWD, buf, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		printf("%s OK fd=%ld\n", what, fd);
		return 0;
	}
	printf("%s ERR %s\n", what, strerrorname_np(errno));
	return errno == want;
}

static int
mode_efault(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = strlen(path);
	char *p;

	if ((p = page_before_hole()) == NULL || len > (size_t)page)
		return 0;
	/* PATH's bytes, no NUL, ending exactly at the hole. */
	memcpy(p + page - len, path, len);
	return bad_open("efault", p + page - len, EFAULT);
}

static int
mode_toolong(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p;

	if (page != PATH_MAX || (p = page_before_hole()) == NULL)
		return 0;
	/* The kernel reads PATH_MAX bytes, finds no NUL and stops there:
	 * ENAMETOOLONG, not EFAULT, though the next byte is unmapped. */
	p[0] = '/';
	memset(p + 1, 'a', PATH_MAX - 1);
	return bad_open("toolong", p, ENAMETOOLONG);
}

static int
mode_nr_minus_1(void)
{
	long r = syscall(-1L, 0, 0, 0);

	printf("nr-1 %s\n", r == -1 ? strerrorname_np(errno) : "returned");
	return r == -1 && errno == ENOSYS;
}

static void
x32_openat(void)
{
	syscall(X32_SYSCALL_BIT | SYS_openat, AT_FDCWD, path, O_RDONLY);
}

static int
mode_x32(void)
{
	int status;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		x32_openat();
		_exit(0);
	}
	if (pid == -1 || waitpid(pid, &status, 0) != pid)
		return 0;
	if (WIFSIGNALED(status)) {
		printf("x32 killed by %s\n", sigabbrev_np(WTERMSIG(status)));
		return WTERMSIG(status) == SIGSYS;
	}
	printf("x32 survived status=%d\n", status);
	return 0;
}

#if defined(__x86_64__)
/* An i386 syscall through int $0x80 with up to three arguments. */
static long
int80(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80"
	    : "=a"(ret)
	    : "a"(nr), "b"(a), "c"(b), "d"(c)
	    : "r8", "r9", "r10", "r11", "memory");
	return ret;
}

static int
mode_int80(void)
{
	size_t len = strlen(expected);
	char *low, buf[4096];
	long fd, pid;
	ssize_t n;
	int ok = 1;

	/* i386 pointers are 32 bits. */
	low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED)
		return 0;
	snprintf(low, 4096, "%s", path);
	fd = int80(I386_NR_open, (long)low, O_RDONLY, 0);
	if (fd < 0) {
		printf("int80 open ERR %s\n", strerrorname_np((int)-fd));
		ok = 0;
	} else {
		n = read((int)fd, buf, sizeof(buf));
		close((int)fd);
		ok &= n >= (ssize_t)len && memcmp(buf, expected, len) == 0;
		printf("int80 open %s %.*s\n", ok ? "OK" : "BAD",
		    n > 0 ? (int)n : 0, buf);
	}
	/* Not a path syscall: the filter lets it through. */
	pid = int80(I386_NR_getpid, 0, 0, 0);
	printf("int80 getpid %s\n", pid == getpid() ? "OK" : "BAD");
	return ok && pid == getpid();
}
#else
/* int $0x80 is x86's: the mode fails elsewhere (the tests skip it). */
static int
mode_int80(void)
{
	printf("int80 unsupported on this arch\n");
	return 0;
}
#endif

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static int
mode_itimer(int n)
{
	struct itimerval it = { { 0, 50 }, { 0, 50 } }, off = { 0 };
	struct sigaction sa;
	int i, fail = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) == -1 ||
	    setitimer(ITIMER_REAL, &it, NULL) == -1)
		return 0;
	/* Quiet: only failures and the summary are printed. */
	for (i = 0; i < n; i++) {
		char buf[4096];
		size_t len = strlen(expected);
		ssize_t r;
		int fd;

		if ((fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC)) == -1) {
			if (fail++ < 5)
				printf("itimer ERR %s\n",
				    strerrorname_np(errno));
			continue;
		}
		r = read(fd, buf, sizeof(buf));
		close(fd);
		if (r < (ssize_t)len || memcmp(buf, expected, len) != 0)
			if (fail++ < 5)
				printf("itimer BAD read %zd\n", r);
	}
	setitimer(ITIMER_REAL, &off, NULL);
	printf("itimer opens=%d alarms=%d fail=%d\n", n, (int)alarms, fail);
	return fail == 0;
}

int
main(int argc, char **argv)
{
	const char *mode;
	int ok;

	if (argc < 4) {
		fprintf(stderr, "usage: hostile MODE PATH EXPECTED [ARG]...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	mode = argv[1];
	path = argv[2];
	expected = argv[3];
	if (strcmp(mode, "killstorm") == 0 && argc > 4)
		return mode_killstorm(atoi(argv[4]),
		    argc > 5 ? atol(argv[5]) : 1024);
	if (strcmp(mode, "x32-self") == 0) {
		x32_openat();
		printf("x32-self survived\n");
		return 0;
	}
	if (strcmp(mode, "nested") == 0)
		ok = mode_nested();
	else if (strcmp(mode, "nodump") == 0)
		ok = mode_nodump();
	else if (strcmp(mode, "efault") == 0)
		ok = mode_efault();
	else if (strcmp(mode, "toolong") == 0)
		ok = mode_toolong();
	else if (strcmp(mode, "nr-1") == 0)
		ok = mode_nr_minus_1();
	else if (strcmp(mode, "x32") == 0)
		ok = mode_x32();
	else if (strcmp(mode, "int80") == 0)
		ok = mode_int80();
	else if (strcmp(mode, "itimer") == 0 && argc > 4)
		ok = mode_itimer(atoi(argv[4]));
	else {
		fprintf(stderr, "hostile: unknown mode %s\n", mode);
		return 2;
	}
	/* The supervisor must still answer, and answer right. */
	ok &= open_check("next");
	return ok ? 0 : 1;
}
