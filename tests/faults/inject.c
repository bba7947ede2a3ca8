/* SPDX-License-Identifier: MIT */
/* make check-faults: an LD_PRELOAD for unotifyd only that makes a chosen
 * fraction of its own calls fail the way the kernel or libc could make
 * them fail, seeded, and counts what it injected.
 *
 *	UNOTIFYD_FAULTS=SEED:PERMILLE:CLASSES	e.g. 7:20:open,ioctl,vm
 *	UNOTIFYD_FAULTS_OUT=FILE	counts written to FILE.PID
 *	UNOTIFYD_FAULTS_STOP=FILE	no faults while FILE exists
 *
 * Classes: malloc (malloc, calloc, realloc: ENOMEM; libseccomp's own
 * allocations are the class libseccomp, apart because libseccomp 2.5.4
 * can loop for ever in seccomp_export_bpf() after one), open (open*: EMFILE,
 * ENFILE, EINTR, ENOMEM), ioctl (SECCOMP_IOCTL_NOTIF_* only: EINTR, and
 * EMFILE for ADDFD), vm (process_vm_readv/writev: ENOMEM or a short
 * count), accept (accept4: EMFILE, ENFILE, EINTR, EAGAIN, ECONNABORTED),
 * msg (sendmsg, recvmsg: EINTR, EAGAIN, ENOBUFS, a short count on stream
 * sockets). Whether call n of a class fails depends on SEED and n only, so
 * a single-threaded sequence of calls is reproducible; threads interleave.
 *
 * It acts only in a program named unotifyd*, so that timeout(1) or env(1)
 * may run unotifyd with it. There it removes itself (and these variables)
 * from the environment when it loads, so the targets unotifyd starts do
 * not inherit it, and it
 * injects nothing in a forked child (in `run`, the child only sets up the
 * filter and execs the target). */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum fault_class {
	FAULT_MALLOC, FAULT_OPEN, FAULT_IOCTL, FAULT_VM, FAULT_ACCEPT,
	FAULT_MSG, FAULT_SECCOMP, FAULT_CLASSES
};

static const char *const fault_names[FAULT_CLASSES] = {
	"malloc", "open", "ioctl", "vm", "accept", "msg", "libseccomp"
};

/* libseccomp's code: its allocations are the "libseccomp" class. */
static uintptr_t	 fault_seccomp_lo, fault_seccomp_hi;

static uint64_t		 fault_seed;
static unsigned		 fault_permille;
static unsigned		 fault_mask;
static int		 fault_on;	/* set once configured, 0 in children */
static char		 fault_out[4096];
static char		 fault_stop[4096];
static _Atomic uint64_t	 fault_calls[FAULT_CLASSES];
static _Atomic uint64_t	 fault_done[FAULT_CLASSES];
static _Atomic uint64_t	 fault_stop_check;
static _Atomic int	 fault_stopped;
static __thread int	 fault_inside __attribute__((tls_model("initial-exec")));	/* no faults in our own calls */

static void	fault_report(void);

extern void	*__libc_malloc(size_t);
extern void	*__libc_calloc(size_t, size_t);
extern void	*__libc_realloc(void *, size_t);

/* splitmix64: a good hash of (seed, class, n). */
static uint64_t
fault_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* 0, or a value to pick the kind of failure with, for call n of class c. */
static uint64_t
fault_pick(enum fault_class c)
{
	uint64_t n, h;

	if (!fault_on || fault_inside || !(fault_mask & (1u << c)))
		return 0;
	n = atomic_fetch_add(&fault_calls[c], 1);
	if (fault_stop[0] != '\0') {
		struct timespec ts;
		uint64_t now;

		/* The stop file, looked at every 50 ms at most. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (uint64_t)ts.tv_sec * 20 + (uint64_t)ts.tv_nsec / 50000000;
		if (atomic_exchange(&fault_stop_check, now) != now) {
			fault_inside = 1;
			atomic_store(&fault_stopped,
			    access(fault_stop, F_OK) == 0);
			fault_inside = 0;
		}
	}
	if (atomic_load(&fault_stopped))
		return 0;
	h = fault_mix(fault_seed ^ fault_mix(((uint64_t)c << 56) ^ n));
	if (h % 1000 >= fault_permille)
		return 0;
	atomic_fetch_add(&fault_done[c], 1);
	/* Counted as it happens: an abort on ENOMEM runs no atexit. */
	fault_inside = 1;
	fault_report();
	fault_inside = 0;
	return (h / 1000) | 1;
}

static void
fault_child(void)
{
	fault_on = 0;
}

/* Write the counts to UNOTIFYD_FAULTS_OUT.PID, replacing older ones. */
static void
fault_report(void)
{
	char buf[512], file[4200];
	size_t len = 0;
	int fd, i;

	if (!fault_on || fault_out[0] == '\0')
		return;
	for (i = 0; i < FAULT_CLASSES; i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s %llu %llu\n",
		    fault_names[i], (unsigned long long)fault_done[i],
		    (unsigned long long)fault_calls[i]);
	snprintf(file, sizeof(file), "%s.%d", fault_out, (int)getpid());
	if ((fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0)
		return;
	(void)!write(fd, buf, len);
	close(fd);
}

static void
fault_exit(void)
{
	fault_inside = 1;
	fault_report();
	fault_on = 0;
}

/* dl_iterate_phdr() callback: note where libseccomp's code is. */
static int
fault_find_seccomp(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t lo, hi;
	int i;

	(void)size;
	(void)arg;
	if (strstr(info->dlpi_name, "libseccomp.so") == NULL)
		return 0;
	for (i = 0; i < info->dlpi_phnum; i++) {
		if (info->dlpi_phdr[i].p_type != PT_LOAD ||
		    !(info->dlpi_phdr[i].p_flags & PF_X))
			continue;
		lo = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
		hi = lo + info->dlpi_phdr[i].p_memsz;
		if (fault_seccomp_lo == 0 || lo < fault_seccomp_lo)
			fault_seccomp_lo = lo;
		if (hi > fault_seccomp_hi)
			fault_seccomp_hi = hi;
	}
	return 1;
}

__attribute__((constructor)) static void
fault_init(void)
{
	const char *spec = getenv("UNOTIFYD_FAULTS"), *s;
	char *end;
	int i;

	/* Only in unotifyd: not in a timeout(1) or env(1) that execs it. */
	if (spec == NULL ||
	    strncmp(program_invocation_short_name, "unotifyd", 8) != 0)
		return;
	fault_seed = strtoull(spec, &end, 10);
	if (*end == ':')
		fault_permille = (unsigned)strtoul(end + 1, &end, 10);
	if (*end == ':')
		for (s = end + 1; *s != '\0'; s += strcspn(s, ","),
		    s += *s == ',')
			for (i = 0; i < FAULT_CLASSES; i++)
				if (strncmp(s, fault_names[i],
				    strlen(fault_names[i])) == 0 &&
				    strchr(",", s[strlen(fault_names[i])]))
					fault_mask |= 1u << i;
	if ((s = getenv("UNOTIFYD_FAULTS_OUT")) != NULL)
		snprintf(fault_out, sizeof(fault_out), "%s", s);
	if ((s = getenv("UNOTIFYD_FAULTS_STOP")) != NULL)
		snprintf(fault_stop, sizeof(fault_stop), "%s", s);
	/* Not for the targets unotifyd execs. */
	unsetenv("LD_PRELOAD");
	unsetenv("UNOTIFYD_FAULTS");
	unsetenv("UNOTIFYD_FAULTS_OUT");
	unsetenv("UNOTIFYD_FAULTS_STOP");
	dl_iterate_phdr(fault_find_seccomp, NULL);
	pthread_atfork(NULL, NULL, fault_child);
	atexit(fault_exit);
	fault_on = 1;
}

/* The next definition of a libc function. */
#define FAULT_REAL(name)						\
	static __typeof__(name) *real_##name;				\
	if (real_##name == NULL) {					\
		fault_inside++;						\
		real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name); \
		fault_inside--;						\
	}

static int
fault_errno(uint64_t h, const int *v, size_t n)
{
	errno = v[h % n];
	return -1;
}

/* The class of an allocation made from code at ret. */
static enum fault_class
fault_alloc_class(void *ret)
{
	uintptr_t a = (uintptr_t)ret;

	return a >= fault_seccomp_lo && a < fault_seccomp_hi ? FAULT_SECCOMP :
	    FAULT_MALLOC;
}

void *
malloc(size_t n)
{
	if (fault_pick(fault_alloc_class(__builtin_return_address(0)))) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
	if (fault_pick(fault_alloc_class(__builtin_return_address(0)))) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
	/* realloc(p, 0) frees; failing it would change what it means. */
	if (n != 0 &&
	    fault_pick(fault_alloc_class(__builtin_return_address(0)))) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
}

static const int fault_open_errs[] = { EMFILE, ENFILE, EINTR, ENOMEM };

#define FAULT_OPEN_BODY(name, call)					\
	mode_t mode = 0;						\
	uint64_t h;							\
									\
	if (flags & (O_CREAT | __O_TMPFILE)) {				\
		va_list ap;						\
		va_start(ap, flags);					\
		mode = va_arg(ap, mode_t);				\
		va_end(ap);						\
	}								\
	if ((h = fault_pick(FAULT_OPEN)) != 0)				\
		return fault_errno(h, fault_open_errs, 4);		\
	return call;

int
open(const char *path, int flags, ...)
{
	FAULT_REAL(open);
	FAULT_OPEN_BODY(open, real_open(path, flags, mode))
}

int
open64(const char *path, int flags, ...)
{
	FAULT_REAL(open64);
	FAULT_OPEN_BODY(open64, real_open64(path, flags, mode))
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	FAULT_REAL(openat);
	FAULT_OPEN_BODY(openat, real_openat(dirfd, path, flags, mode))
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	FAULT_REAL(openat64);
	FAULT_OPEN_BODY(openat64, real_openat64(dirfd, path, flags, mode))
}

int
ioctl(int fd, unsigned long req, ...)
{
	static const int eintr[] = { EINTR };
	static const int addfd[] = { EINTR, EMFILE };
	va_list ap;
	void *arg;
	uint64_t h;

	FAULT_REAL(ioctl);
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	/* Only the listener's requests: every one may get EINTR (they take
	 * the filter's lock interruptibly), ADDFD also EMFILE. */
	if ((req == SECCOMP_IOCTL_NOTIF_RECV || req == SECCOMP_IOCTL_NOTIF_SEND ||
	    req == SECCOMP_IOCTL_NOTIF_ID_VALID ||
	    req == SECCOMP_IOCTL_NOTIF_ADDFD) &&
	    (h = fault_pick(FAULT_IOCTL)) != 0) {
		if (req == SECCOMP_IOCTL_NOTIF_ADDFD)
			return fault_errno(h, addfd, 2);
		return fault_errno(h, eintr, 1);
	}
	return real_ioctl(fd, req, arg);
}

/* Half the time ENOMEM, else the call on a shorter local buffer. */
static ssize_t
fault_vm(ssize_t (*real)(pid_t, const struct iovec *, unsigned long,
    const struct iovec *, unsigned long, unsigned long), pid_t pid,
    const struct iovec *local, unsigned long nl, const struct iovec *remote,
    unsigned long nr, unsigned long flags)
{
	struct iovec one;
	uint64_t h;

	if ((h = fault_pick(FAULT_VM)) == 0 || nl == 0 || local[0].iov_len < 2)
		return real(pid, local, nl, remote, nr, flags);
	if (h & 2) {
		errno = ENOMEM;
		return -1;
	}
	one = local[0];
	one.iov_len = 1 + (h >> 2) % (one.iov_len - 1);
	return real(pid, &one, 1, remote, nr, flags);
}

ssize_t
process_vm_readv(pid_t pid, const struct iovec *local, unsigned long nl,
    const struct iovec *remote, unsigned long nr, unsigned long flags)
{
	FAULT_REAL(process_vm_readv);
	return fault_vm(real_process_vm_readv, pid, local, nl, remote, nr,
	    flags);
}

ssize_t
process_vm_writev(pid_t pid, const struct iovec *local, unsigned long nl,
    const struct iovec *remote, unsigned long nr, unsigned long flags)
{
	FAULT_REAL(process_vm_writev);
	return fault_vm(real_process_vm_writev, pid, local, nl, remote, nr,
	    flags);
}

int
accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	static const int errs[] = { EMFILE, ENFILE, EINTR, EAGAIN,
	    ECONNABORTED };
	uint64_t h;

	FAULT_REAL(accept4);
	if ((h = fault_pick(FAULT_ACCEPT)) != 0)
		return fault_errno(h, errs, 5);
	return real_accept4(fd, addr, len, flags);
}

/* A short count only where the rest stays queued: stream sockets. */
static int
fault_stream(int fd)
{
	int type = 0;
	socklen_t len = sizeof(type);

	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	    type == SOCK_STREAM;
}

static const int fault_msg_errs[] = { EINTR, EAGAIN, ENOBUFS };

ssize_t
sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct msghdr m;
	struct iovec one;
	uint64_t h;

	FAULT_REAL(sendmsg);
	if ((h = fault_pick(FAULT_MSG)) == 0)
		return real_sendmsg(fd, msg, flags);
	if ((h & 2) && msg->msg_iovlen > 0 && msg->msg_iov[0].iov_len > 1 &&
	    fault_stream(fd)) {
		m = *msg;
		one = msg->msg_iov[0];
		one.iov_len = 1 + (h >> 2) % (one.iov_len - 1);
		m.msg_iov = &one;
		m.msg_iovlen = 1;
		return real_sendmsg(fd, &m, flags);
	}
	return fault_errno(h >> 2, fault_msg_errs, 3);
}

ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct iovec *saved, one;
	ssize_t r;
	size_t iovlen;
	uint64_t h;

	FAULT_REAL(recvmsg);
	if ((h = fault_pick(FAULT_MSG)) == 0)
		return real_recvmsg(fd, msg, flags);
	if ((h & 2) && msg->msg_iovlen > 0 && msg->msg_iov[0].iov_len > 1 &&
	    fault_stream(fd)) {
		saved = msg->msg_iov;
		iovlen = msg->msg_iovlen;
		one = saved[0];
		one.iov_len = 1 + (h >> 2) % (one.iov_len - 1);
		msg->msg_iov = &one;
		msg->msg_iovlen = 1;
		r = real_recvmsg(fd, msg, flags);
		msg->msg_iov = saved;
		msg->msg_iovlen = iovlen;
		return r;
	}
	return fault_errno(h >> 2, fault_msg_errs, 3);
}
