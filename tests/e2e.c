/* SPDX-License-Identifier: MIT */
/* End-to-end test helpers: child processes with captured output and a
 * deadline, per-test temp dirs, and the seccomp availability probe. */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <linux/audit.h>
#include <seccomp.h>

#include "e2e.h"
#include "syscalls.h"

/* Strings handed out by e2e_path/e2e_fmt, freed by e2e_teardown. */
static char	**e2e_strings;
static size_t	  e2e_nstrings;
/* Process groups started and not yet waited for, killed by e2e_teardown
 * so that a failed assertion leaves no sleeping command behind. */
static pid_t	  e2e_groups[16];
static char	  e2e_tmpdir[PATH_MAX];

/* Keep s until teardown. */
static const char *
e2e_keep(char *s)
{
	char **v;

	if (s == NULL)
		cr_fatal("out of memory");
	v = reallocarray(e2e_strings, e2e_nstrings + 1, sizeof(*v));
	if (v == NULL)
		cr_fatal("out of memory");
	e2e_strings = v;
	e2e_strings[e2e_nstrings++] = s;
	return s;
}

/* Milliseconds on the monotonic clock. */
static long
e2e_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void
e2e_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Remember a process group to kill at teardown. */
static void
e2e_group_add(pid_t pid)
{
	size_t i;

	for (i = 0; i < sizeof(e2e_groups) / sizeof(e2e_groups[0]); i++)
		if (e2e_groups[i] == 0) {
			e2e_groups[i] = pid;
			return;
		}
}

/* Forget a process group once it has been waited for. */
static void
e2e_group_remove(pid_t pid)
{
	size_t i;

	for (i = 0; i < sizeof(e2e_groups) / sizeof(e2e_groups[0]); i++)
		if (e2e_groups[i] == pid)
			e2e_groups[i] = 0;
}

/* Join argv with spaces for messages. */
static char *
e2e_join(const char *const argv[])
{
	size_t len = 1, i;
	char *s;

	for (i = 0; argv[i] != NULL; i++)
		len += strlen(argv[i]) + 1;
	if ((s = calloc(1, len)) == NULL)
		cr_fatal("out of memory");
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Child side of e2e_spawn: never returns. */
static void
e2e_exec_child(const char *const argv[], const char *const env[],
    const char *cwd, int out[2], int err[2])
{
	int null, i;

	sigset_t none;

	setpgid(0, 0);
	/* Undo what criterion's worker may have set: ignored signals stay
	 * ignored across exec, and sh cannot trap those. */
	for (i = 1; i < NSIG; i++)
		if (i != SIGKILL && i != SIGSTOP)
			signal(i, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((null = open("/dev/null", O_RDONLY)) == -1 ||
	    dup2(null, 0) == -1 || dup2(out[1], 1) == -1 ||
	    dup2(err[1], 2) == -1)
		_exit(124);
	/* The target must see only 0 1 2: criterion's own fds stay behind. */
	if (close_range(3, ~0U, 0) == -1)
		for (i = 3; i < 1024; i++)
			close(i);
	for (i = 0; env != NULL && env[i] != NULL; i++) {
		if (strchr(env[i], '=') != NULL)
			putenv((char *)env[i]);
		else
			unsetenv(env[i]);
	}
	if (cwd != NULL && chdir(cwd) == -1) {
		dprintf(2, "e2e: chdir %s: %s\n", cwd, strerror(errno));
		_exit(124);
	}
	execvp(argv[0], (char *const *)argv);
	dprintf(2, "e2e: exec %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Fork and exec argv with captured stdout/stderr (see e2e.h). */
void
e2e_spawn(struct e2e_proc *p, const char *const argv[],
    const char *const env[], const char *cwd)
{
	int out[2], err[2];
	pid_t pid;

	memset(p, 0, sizeof(*p));
	p->pid = -1;
	p->outfd = p->errfd = -1;
	if (pipe2(out, O_CLOEXEC) == -1 || pipe2(err, O_CLOEXEC) == -1)
		cr_fatal("pipe: %s", strerror(errno));
	fflush(NULL);
	if ((pid = fork()) == -1)
		cr_fatal("fork: %s", strerror(errno));
	if (pid == 0)
		e2e_exec_child(argv, env, cwd, out, err);
	/* Both sides call setpgid so a kill(-pid) can never miss. */
	setpgid(pid, pid);
	e2e_group_add(pid);
	close(out[1]);
	close(err[1]);
	p->pid = pid;
	p->outfd = out[0];
	p->errfd = err[0];
	p->cmd = e2e_join(argv);
}

/* Append what fd has to *buf; closes fd and sets it to -1 on EOF. */
static void
e2e_drain(int *fd, char **buf, size_t *len)
{
	char chunk[4096];
	ssize_t n;
	char *nb;

	n = read(*fd, chunk, sizeof(chunk));
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	if ((nb = realloc(*buf, *len + n + 1)) == NULL)
		cr_fatal("out of memory");
	memcpy(nb + *len, chunk, n);
	*len += n;
	nb[*len] = '\0';
	*buf = nb;
}

/* Collect output and status, killing the group at the deadline. */
void
e2e_wait(struct e2e_proc *p, struct e2e_result *r, int timeout_ms)
{
	size_t outlen = 0, errlen = 0;
	long start, left;
	int reaped = 0, status = 0;
	struct pollfd pfd[2];
	nfds_t n;

	timeout_ms = TEST_LIMIT(timeout_ms);
	memset(r, 0, sizeof(*r));
	r->out = calloc(1, 1);
	r->err = calloc(1, 1);
	if (r->out == NULL || r->err == NULL)
		cr_fatal("out of memory");
	start = e2e_now_ms();
	for (;;) {
		if (!reaped && waitpid(p->pid, &status, WNOHANG) == p->pid)
			reaped = 1;
		if (reaped && p->outfd == -1 && p->errfd == -1)
			break;
		left = start + timeout_ms - e2e_now_ms();
		if (left <= 0) {
			r->timed_out = 1;
			kill(-p->pid, SIGKILL);
			kill(p->pid, SIGKILL);
			if (!reaped && waitpid(p->pid, &status, 0) == p->pid)
				reaped = 1;
			break;
		}
		n = 0;
		if (p->outfd != -1)
			pfd[n++] = (struct pollfd){ .fd = p->outfd,
			    .events = POLLIN };
		if (p->errfd != -1)
			pfd[n++] = (struct pollfd){ .fd = p->errfd,
			    .events = POLLIN };
		if (n == 0) {
			e2e_sleep_ms(left < 5 ? left : 5);
			continue;
		}
		/* Short polls: the child may exit while a pipe stays open. */
		if (poll(pfd, n, left < 20 ? left : 20) <= 0)
			continue;
		for (nfds_t i = 0; i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == p->outfd)
				e2e_drain(&p->outfd, &r->out, &outlen);
			else
				e2e_drain(&p->errfd, &r->err, &errlen);
		}
	}
	r->elapsed_ms = e2e_now_ms() - start;
	r->status = status;
	if (WIFEXITED(status))
		r->code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->code = 128 + WTERMSIG(status);
	else
		r->code = -1;
	if (p->outfd != -1)
		close(p->outfd);
	if (p->errfd != -1)
		close(p->errfd);
	e2e_group_remove(p->pid);
	free(p->cmd);
	memset(p, 0, sizeof(*p));
	p->pid = -1;
	p->outfd = p->errfd = -1;
}

/* Run to completion within timeout_ms or fail the test. */
void
e2e_run_timeout(struct e2e_result *r, const char *const argv[],
    const char *const env[], const char *cwd, int timeout_ms)
{
	struct e2e_proc p;
	char *cmd;

	e2e_spawn(&p, argv, env, cwd);
	cmd = p.cmd;
	p.cmd = NULL;
	e2e_wait(&p, r, timeout_ms);
	if (r->timed_out)
		cr_fatal("timed out after %d ms: %s\nstdout: %s\nstderr: %s",
		    timeout_ms, cmd, r->out, r->err);
	cr_log_info("ran (%ld ms, exit %d): %s", r->elapsed_ms, r->code, cmd);
	free(cmd);
}

/* Run to completion within E2E_TIMEOUT_MS or fail the test. */
void
e2e_run(struct e2e_result *r, const char *const argv[],
    const char *const env[], const char *cwd)
{
	e2e_run_timeout(r, argv, env, cwd, E2E_TIMEOUT_MS);
}

int
e2e_instrumented(void)
{
	return getenv("UNOTIFYD_UNDER_VALGRIND") != NULL ||
	    getenv("ASAN_OPTIONS") != NULL || getenv("TSAN_OPTIONS") != NULL;
}

/* Release the captured output; r may be reused. */
void
e2e_result_free(struct e2e_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/* Read the ppid and comm of pid from /proc; 0 or -1. */
static int
e2e_stat(pid_t pid, pid_t *ppid, char *comm, size_t commlen, char *state)
{
	char path[64], buf[512], *lp, *rp;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	lp = strchr(buf, '(');
	rp = strrchr(buf, ')');
	/* comm may contain ')' and spaces: "pid (comm) S ppid ..." */
	if (lp == NULL || rp == NULL || strlen(rp) < 5)
		return -1;
	if (comm != NULL)
		snprintf(comm, commlen, "%.*s", (int)(rp - lp - 1), lp + 1);
	if (state != NULL)
		*state = rp[2];
	if (ppid != NULL)
		*ppid = (pid_t)strtol(rp + 4, NULL, 10);
	return 0;
}

/* One pass over /proc: a descendant of root with that comm, or -1. */
static pid_t
e2e_find_once(pid_t root, const char *comm)
{
	pid_t set[256], ppid;
	size_t nset = 1, before;
	char name[64], state;
	struct dirent *de;
	DIR *d;

	set[0] = root;
	/* Grow the descendant set until a pass adds nothing. */
	do {
		before = nset;
		if ((d = opendir("/proc")) == NULL)
			return -1;
		while ((de = readdir(d)) != NULL && nset < 256) {
			pid_t pid;
			size_t i, known = 0;

			if (!isdigit((unsigned char)de->d_name[0]))
				continue;
			pid = (pid_t)atoi(de->d_name);
			for (i = 0; i < nset; i++)
				if (set[i] == pid)
					known = 1;
			if (known || e2e_stat(pid, &ppid, name, sizeof(name),
			    &state) == -1)
				continue;
			for (i = 0; i < nset; i++)
				if (set[i] == ppid)
					break;
			if (i == nset)
				continue;
			if (state != 'Z' &&
			    (comm == NULL || strcmp(name, comm) == 0)) {
				closedir(d);
				return pid;
			}
			set[nset++] = pid;
		}
		closedir(d);
	} while (nset != before);
	return -1;
}

/* Poll for a live descendant of root named comm. */
pid_t
e2e_find_child(pid_t root, const char *comm, int timeout_ms)
{
	long deadline = e2e_now_ms() + TEST_LIMIT(timeout_ms);
	pid_t pid;

	do {
		if ((pid = e2e_find_once(root, comm)) != -1)
			return pid;
		e2e_sleep_ms(10);
	} while (e2e_now_ms() < deadline);
	return -1;
}

/* Poll until pid no longer runs. */
int
e2e_wait_gone(pid_t pid, int timeout_ms)
{
	long deadline = e2e_now_ms() + TEST_LIMIT(timeout_ms);
	char state;

	do {
		if (kill(pid, 0) == -1 && errno == ESRCH)
			return 1;
		/* A zombie re-parented to us (criterion may be a subreaper). */
		if (e2e_stat(pid, NULL, NULL, 0, &state) == 0 && state == 'Z')
			return 1;
		e2e_sleep_ms(10);
	} while (e2e_now_ms() < deadline);
	return 0;
}

/* Poll until path exists and is not empty. */
int
e2e_wait_file(const char *path, int timeout_ms)
{
	long deadline = e2e_now_ms() + TEST_LIMIT(timeout_ms);
	struct stat st;

	do {
		if (stat(path, &st) == 0 && st.st_size > 0)
			return 1;
		e2e_sleep_ms(10);
	} while (e2e_now_ms() < deadline);
	return 0;
}

/* Fixture half shared by both setups. */
static void
e2e_setup_dir(void)
{
	const char *base = getenv("TMPDIR");

	if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(e2e_tmpdir, sizeof(e2e_tmpdir), "%s/unotifyd-e2e.XXXXXX",
	    base);
	if (mkdtemp(e2e_tmpdir) == NULL)
		cr_fatal("mkdtemp %s: %s", e2e_tmpdir, strerror(errno));
	/* Tests set umasks explicitly where it matters. */
	umask(022);
}

/* Fixture: temp dir and $UNOTIFYD, no seccomp needed. */
void
e2e_setup_nokernel(void)
{
	e2e_setup_dir();
	(void)e2e_unotifyd();
}

/* Fixture: temp dir, $UNOTIFYD, and a working seccomp listener. */
void
e2e_setup(void)
{
	e2e_setup_nokernel();
	e2e_require_unotify();
}

/* nftw callback removing one entry, depth first. */
static int
e2e_rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Fixture end: kill leftovers, remove the temp dir (unless E2E_KEEP). */
void
e2e_teardown(void)
{
	size_t i;

	for (i = 0; i < sizeof(e2e_groups) / sizeof(e2e_groups[0]); i++) {
		if (e2e_groups[i] == 0)
			continue;
		kill(-e2e_groups[i], SIGKILL);
		waitpid(e2e_groups[i], NULL, 0);
		e2e_groups[i] = 0;
	}
	if (e2e_tmpdir[0] != '\0' && getenv("E2E_KEEP") == NULL)
		nftw(e2e_tmpdir, e2e_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	e2e_tmpdir[0] = '\0';
	for (i = 0; i < e2e_nstrings; i++)
		free(e2e_strings[i]);
	free(e2e_strings);
	e2e_strings = NULL;
	e2e_nstrings = 0;
}

/* The current test's temp dir. */
const char *
e2e_dir(void)
{
	return e2e_tmpdir;
}

/* A path inside the temp dir, kept until teardown. */
const char *
e2e_path(const char *fmt, ...)
{
	char *rel, *s;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&rel, fmt, ap) == -1)
		cr_fatal("out of memory");
	va_end(ap);
	if (asprintf(&s, "%s/%s", e2e_tmpdir, rel) == -1)
		cr_fatal("out of memory");
	free(rel);
	return e2e_keep(s);
}

/* A formatted string kept until teardown. */
const char *
e2e_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		cr_fatal("out of memory");
	va_end(ap);
	return e2e_keep(s);
}

/* Create or truncate path with data and exactly mode. */
void
e2e_write(const char *path, const char *data, mode_t mode)
{
	size_t len = strlen(data);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd == -1)
		cr_fatal("open %s: %s", path, strerror(errno));
	while (len > 0) {
		if ((n = write(fd, data, len)) == -1) {
			if (errno == EINTR)
				continue;
			cr_fatal("write %s: %s", path, strerror(errno));
		}
		data += n;
		len -= n;
	}
	/* An explicit chmod: open's mode is filtered by the umask. */
	if (fchmod(fd, mode) == -1)
		cr_fatal("chmod %s: %s", path, strerror(errno));
	close(fd);
}

/* Slurp path into a malloc'd string, NULL on error. */
char *
e2e_read(const char *path)
{
	size_t len = 0;
	char *buf, *nb;
	ssize_t n;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if ((buf = calloc(1, 1)) == NULL)
		cr_fatal("out of memory");
	for (;;) {
		if ((nb = realloc(buf, len + 4097)) == NULL)
			cr_fatal("out of memory");
		buf = nb;
		n = read(fd, buf + len, 4096);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			free(buf);
			close(fd);
			errno = saved;
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(fd);
	return buf;
}

/* Create path and its parents (mkdir -p). */
void
e2e_mkdir(const char *path)
{
	char buf[PATH_MAX], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			cr_fatal("mkdir %s: %s", buf, strerror(errno));
		*p = c;
		if (c == '\0')
			break;
	}
}

/* Does path exist (without following a final symlink)? */
int
e2e_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Permission bits of path, or -1. */
int
e2e_mode(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return -1;
	return st.st_mode & 07777;
}

/* Is prog on PATH? */
int
e2e_have_prog(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	int found = 0;

	if (path == NULL)
		return 0;
	if ((copy = strdup(path)) == NULL)
		cr_fatal("out of memory");
	for (dir = strtok_r(copy, ":", &save); dir != NULL && !found;
	    dir = strtok_r(NULL, ":", &save))
		found = access(e2e_fmt("%s/%s", dir, prog), X_OK) == 0;
	free(copy);
	return found;
}

/* Substring test tolerating a NULL haystack. */
int
e2e_has(const char *hay, const char *needle)
{
	return strstr(hay != NULL ? hay : "", needle) != NULL;
}

/* The binary under test from $UNOTIFYD; skip when unset. */
const char *
e2e_unotifyd(void)
{
	const char *p = getenv("UNOTIFYD");

	if (p == NULL || *p == '\0')
		cr_skip_test("UNOTIFYD is not set (the unotifyd binary)");
	if (access(p, X_OK) == -1)
		cr_fatal("UNOTIFYD=%s: %s", p, strerror(errno));
	return p;
}

/* A copycat symlink to $UNOTIFYD, so argv[0] selects the mode. */
const char *
e2e_copycat(void)
{
	const char *link = e2e_path("copycat");

	if (!e2e_exists(link) && symlink(e2e_unotifyd(), link) == -1)
		cr_fatal("symlink %s: %s", link, strerror(errno));
	return link;
}

/* A built target program from $TARGETS; skip when missing. */
const char *
e2e_target(const char *name)
{
	const char *dir = getenv("TARGETS");
	const char *p;

	if (dir == NULL || *dir == '\0')
		cr_skip_test("TARGETS is not set (dir of tests/targets)");
	p = e2e_fmt("%s/%s", dir, name);
	if (access(p, X_OK) == -1)
		cr_skip_test("target %s not built: %s", p, strerror(errno));
	return p;
}

int
e2e_have_target(const char *name)
{
	const char *dir = getenv("TARGETS");

	if (dir == NULL || *dir == '\0')
		return 0;
	return access(e2e_fmt("%s/%s", dir, name), X_OK) == 0;
}

int
e2e_x86_64(void)
{
	return syscalls_native_arch() == AUDIT_ARCH_X86_64;
}

void
e2e_require_x86_64(const char *what)
{
	if (!e2e_x86_64())
		cr_skip_test("%s: x86_64 only, this build is %s", what,
		    syscalls_arch_label(syscalls_native_arch()));
}

int
e2e_native_has(const char *sys)
{
	/* libseccomp knows every arch's names: a negative number other
	 * than the error is a call of another arch, absent here. */
	int nr = seccomp_syscall_resolve_name(sys);

	return nr >= 0 || nr == __NR_SCMP_ERROR;
}

const char *
e2e_calls_script(const char *tp, const char *path, const struct e2e_call *c,
    size_t n, int all, const char **expect)
{
	const char *script = "";
	size_t i;

	*expect = "";
	for (i = 0; i < n; i++) {
		if (!all && !e2e_native_has(c[i].sys))
			continue;
		script = e2e_fmt("%s'%s' %s '%s' %s; ", script, tp, c[i].sys,
		    path, c[i].arg);
		*expect = e2e_fmt("%s%s\n", *expect, c[i].out);
	}
	return script;
}

/* Skip when the kernel refuses seccomp user notification. */
void
e2e_require_unotify(void)
{
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--", "true"), NULL,
	    e2e_dir());
	if (r.code == 125 && strcasestr(r.err, "seccomp") != NULL) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", r.err);
		e2e_result_free(&r);
		cr_skip_test("seccomp user notification unavailable: %s", msg);
	}
	cr_assert(eq(int, r.code, 0), "probe `unotifyd run -- true` failed: "
	    "exit %d\nstderr: %s", r.code, r.err);
	e2e_result_free(&r);
}

/* Write an INI rules file into the temp dir. */
const char *
e2e_rules(const char *name, const char *ini)
{
	const char *path = e2e_path("%s", name);

	e2e_write(path, ini, 0644);
	return path;
}
