/* SPDX-License-Identifier: MIT */
/*
 * LD_PRELOAD shim for `make check-valgrind`, loaded into unotifyd under
 * memcheck only, for what valgrind 3.19 (Debian 12) cannot do for it:
 * - seccomp(2) and openat2(2) are not implemented ("unhandled amd64-linux
 *   syscall: 317", ENOSYS), so libseccomp's API probe, the filter install
 *   and unotifyd's openat2 opens fail. The syscall(2) override makes those
 *   calls on the real CPU (VALGRIND_NON_SIMD_CALL1); every other call goes
 *   to libc.
 * - valgrind's execve(2) wrapper opens the program first (pre-exec check).
 *   In unotifyd's child that open comes after the filter is in place and
 *   before the exec closes the hand-off socket, which the parent waits for
 *   before it serves: a deadlock that cannot happen natively, where execve
 *   itself is not notified. The execvp(3) override searches PATH and makes
 *   execve(2) on the real CPU, with valgrind's LD_PRELOAD entries and
 *   variables removed, its descriptors closed, and the signal mask and
 *   ignored signals the client set (valgrind only emulates them), as
 *   valgrind would (--trace-children=no).
 * - valgrind's --log-file descriptor is not close-on-exec: it is marked so
 *   at load time, or the command would inherit it.
 * It removes itself from LD_PRELOAD at load time so the commands unotifyd
 * runs never see it.
 */
#include <sys/resource.h>
#include <sys/syscall.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <valgrind/valgrind.h>

#define SHIM_NAME	"valgrind-shim.so"

/* A system call made on the real CPU, out of valgrind's sight. */
struct shim_call {
	long	nr;
	long	a[6];
};

/* Runs natively (VALGRIND_NON_SIMD_CALL1 passes valgrind's thread id
 * first); returns the raw result, -errno on failure. */
static long
shim_native(long tid, long arg)
{
	struct shim_call *c = (struct shim_call *)arg;
	register long r10 __asm__("r10") = c->a[3];
	register long r8 __asm__("r8") = c->a[4];
	register long r9 __asm__("r9") = c->a[5];
	long ret;

	(void)tid;
	__asm__ volatile("syscall"
	    : "=a"(ret)
	    : "a"(c->nr), "D"(c->a[0]), "S"(c->a[1]), "d"(c->a[2]),
	      "r"(r10), "r"(r8), "r"(r9)
	    : "rcx", "r11", "memory");
	return ret;
}

static long
shim_syscall(long nr, long a0, long a1, long a2, long a3)
{
	struct shim_call c = { nr, { a0, a1, a2, a3, 0, 0 } };

	return VALGRIND_NON_SIMD_CALL1(shim_native, (long)&c);
}

/* Calls valgrind 3.19 fails with ENOSYS ("unhandled syscall"). None of
 * them writes memory memcheck must know about, except
 * SECCOMP_GET_NOTIF_SIZES, whose buffer unotifyd zeroes first. */
static int
shim_is_native(long nr)
{
	return nr == SYS_seccomp || nr == SYS_openat2 || nr == SYS_pidfd_getfd;
}

/* Mark valgrind's own descriptors, all at or above the limit it shows
 * the client, close-on-exec so the native execve does not leak them. */
static void
shim_cloexec_valgrind_fds(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		shim_syscall(SYS_close_range, (long)rl.rlim_cur, ~0U,
		    CLOSE_RANGE_CLOEXEC, 0);
}

/* environ without valgrind's preload libraries and launcher variables. */
static char **
shim_clean_env(void)
{
	extern char **environ;
	size_t n = 0, i, o = 0;
	char **env, *tok, *save, *val, *copy;

	while (environ[n] != NULL)
		n++;
	if ((env = calloc(n + 1, sizeof(*env))) == NULL)
		return environ;
	for (i = 0; i < n; i++) {
		if (strncmp(environ[i], "VALGRIND_LIB=", 13) == 0 ||
		    strncmp(environ[i], "VALGRIND_LAUNCHER=", 18) == 0 ||
		    strncmp(environ[i], "UNOTIFYD_VG_TAG=", 16) == 0 ||
		    strncmp(environ[i], "UNOTIFYD_VG_LOGS=", 17) == 0)
			continue;
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0) {
			env[o++] = environ[i];
			continue;
		}
		val = calloc(1, strlen(environ[i]) + 1);
		copy = strdup(environ[i] + 11);
		if (val == NULL || copy == NULL) {
			free(val);
			free(copy);
			continue;
		}
		strcpy(val, "LD_PRELOAD=");
		for (tok = strtok_r(copy, ":", &save); tok != NULL;
		    tok = strtok_r(NULL, ":", &save)) {
			if (strstr(tok, "/valgrind/") != NULL ||
			    strstr(tok, SHIM_NAME) != NULL)
				continue;
			if (val[11] != '\0')
				strcat(val, ":");
			strcat(val, tok);
		}
		free(copy);
		if (val[11] != '\0')
			env[o++] = val;
		else
			free(val);
	}
	return env;
}

/* The kernel's struct sigaction for rt_sigaction(2). */
struct shim_ksigaction {
	void		*handler;
	unsigned long	 flags;
	void		*restorer;
	unsigned long	 mask;
};

/* What the native exec needs: the client's view of signals, which valgrind
 * emulates (its real mask and handlers differ). */
struct shim_exec {
	const char	*path;
	char *const	*argv;
	char *const	*envp;
	unsigned long	 mask;
	unsigned long	 ignored;	/* bit n-1: signal n is SIG_IGN */
};

static long
shim_raw(long nr, long a0, long a1, long a2, long a3)
{
	struct shim_call c = { nr, { a0, a1, a2, a3, 0, 0 } };

	return shim_native(0, (long)&c);
}

/* Runs natively: give the task the client's signal mask and ignored
 * signals, as execve(2) passes them on, then exec. On failure the real
 * mask is restored and -errno returned. */
static long
shim_native_exec(long tid, long arg)
{
	struct shim_exec *e = (struct shim_exec *)arg;
	struct shim_ksigaction ign = { SIG_IGN, 0, NULL, 0 };
	unsigned long old = 0;
	long r;
	int sig;

	(void)tid;
	for (sig = 1; sig < 64; sig++)
		if (e->ignored & (1UL << (sig - 1)))
			shim_raw(SYS_rt_sigaction, sig, (long)&ign, 0, 8);
	shim_raw(SYS_rt_sigprocmask, SIG_SETMASK, (long)&e->mask, (long)&old,
	    8);
	r = shim_raw(SYS_execve, (long)e->path, (long)e->argv, (long)e->envp,
	    0);
	shim_raw(SYS_rt_sigprocmask, SIG_SETMASK, (long)&old, 0, 8);
	return r;
}

/* execve(2) on the real CPU with the client's signal state. */
static long
shim_execve(const char *path, char *const argv[], char **env)
{
	struct shim_exec e = { path, argv, env, 0, 0 };
	struct sigaction sa;
	sigset_t cur;
	int sig;

	sigprocmask(SIG_BLOCK, NULL, &cur);
	for (sig = 1; sig < 64; sig++) {
		if (sigismember(&cur, sig) == 1)
			e.mask |= 1UL << (sig - 1);
		if (sig != SIGKILL && sig != SIGSTOP &&
		    sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			e.ignored |= 1UL << (sig - 1);
	}
	return VALGRIND_NON_SIMD_CALL1(shim_native_exec, (long)&e);
}

/* Release what shim_clean_env allocated (only when execve failed). */
static void
shim_free_env(char **env)
{
	extern char **environ;
	size_t i;

	if (env == environ)
		return;
	for (i = 0; env[i] != NULL; i++)
		if (strncmp(env[i], "LD_PRELOAD=", 11) == 0)
			free(env[i]);
	free(env);
}

/* execvp(3) with a native execve(2), outside valgrind (see above). */
int
execvp(const char *file, char *const argv[])
{
	static int (*next)(const char *, char *const[]);
	const char *p, *end, *path;
	char buf[4096], **env;
	int seen_eacces = 0;
	long r = -ENOENT;
	size_t dlen;

	if (!RUNNING_ON_VALGRIND || *file == '\0') {
		if (next == NULL)
			next = (int (*)(const char *, char *const[]))dlsym(
			    RTLD_NEXT, "execvp");
		return next(file, argv);
	}
	env = shim_clean_env();
	shim_cloexec_valgrind_fds();
	if (strchr(file, '/') != NULL) {
		r = shim_execve(file, argv, env);
		shim_free_env(env);
		errno = (int)-r;
		return -1;
	}
	if ((path = getenv("PATH")) == NULL)
		path = "/bin:/usr/bin";
	for (p = path; ; p = end + 1) {
		if ((end = strchr(p, ':')) == NULL)
			end = p + strlen(p);
		dlen = end - p;
		if (dlen + strlen(file) + 2 <= sizeof(buf)) {
			memcpy(buf, p, dlen);
			if (dlen == 0)
				buf[dlen++] = '.';
			buf[dlen] = '/';
			strcpy(buf + dlen + 1, file);
			r = shim_execve(buf, argv, env);
			if (r == -EACCES)
				seen_eacces = 1;
			else if (r != -ENOENT && r != -ENOTDIR && r != -ESTALE &&
			    r != -ENODEV && r != -ETIMEDOUT)
				break;
		}
		if (*end == '\0')
			break;
	}
	shim_free_env(env);
	errno = seen_eacces ? EACCES : (int)-r;
	return -1;
}

long
syscall(long nr, ...)
{
	static long (*next)(long, ...);
	long a[6], r;
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (RUNNING_ON_VALGRIND && shim_is_native(nr)) {
		r = shim_syscall(nr, a[0], a[1], a[2], a[3]);
		if (r < 0 && r > -4096) {
			errno = (int)-r;
			return -1;
		}
		return r;
	}
	if (next == NULL)
		next = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return next(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* valgrind opens its --log-file as a low descriptor without FD_CLOEXEC:
 * mark it (any fd open on a file in $UNOTIFYD_VG_LOGS) close-on-exec. Runs
 * at load time, before any filter exists. */
static void
shim_cloexec_logs(void)
{
	const char *logs = getenv("UNOTIFYD_VG_LOGS");
	char link[64], target[4096];
	struct rlimit rl;
	ssize_t n;
	long fd;

	if (logs == NULL || *logs == '\0' ||
	    getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	for (fd = 3; fd < (long)rl.rlim_cur && fd < 4096; fd++) {
		snprintf(link, sizeof(link), "/proc/self/fd/%ld", fd);
		if ((n = readlink(link, target, sizeof(target) - 1)) <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, logs, strlen(logs)) == 0)
			shim_syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC, 0);
	}
}

/* Drop our entry from LD_PRELOAD (valgrind strips its own at exec). Only
 * in the client: the valgrind launcher loads us too, and must pass
 * LD_PRELOAD on. */
__attribute__((constructor)) static void
shim_init(void)
{
	const char *pre = getenv("LD_PRELOAD");
	char *copy, *tok, *save, *out;
	size_t len;

	if (!RUNNING_ON_VALGRIND)
		return;
	shim_cloexec_logs();
	if (pre == NULL || strstr(pre, SHIM_NAME) == NULL)
		return;
	len = strlen(pre) + 1;
	if ((copy = strdup(pre)) == NULL || (out = calloc(1, len)) == NULL) {
		free(copy);
		return;
	}
	for (tok = strtok_r(copy, ": ", &save); tok != NULL;
	    tok = strtok_r(NULL, ": ", &save)) {
		if (strstr(tok, SHIM_NAME) != NULL)
			continue;
		if (*out != '\0')
			strcat(out, ":");
		strcat(out, tok);
	}
	if (*out != '\0')
		setenv("LD_PRELOAD", out, 1);
	else
		unsetenv("LD_PRELOAD");
	free(copy);
	free(out);
}
