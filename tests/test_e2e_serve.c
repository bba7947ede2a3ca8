/* SPDX-License-Identifier: MIT */
/* End-to-end: `unotifyd serve` with `unotifyd exec` clients, socket
 * activation, sd_notify to a fake NOTIFY_SOCKET, reload on SIGHUP, and OCI
 * runtimes (runc, crun) handing over a real seccomp listener. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "e2e.h"
#include "fdpass.h"
#include "filter.h"
#include "proto.h"
#include "syscalls.h"

#define SOCKET_ACTIVATE	"/usr/bin/systemd-socket-activate"
/* Limit for the daemon's reactions (a log line, a datagram). */
#define SERVE_WAIT_MS	TEST_LIMIT(5000)
/* Log bytes shown from each end in assertion messages, and kept at most. */
#define SERVE_TAIL	1500
#define SERVE_LOG_MAX	(1 << 20)

/* Forked OCI "containers" still running, killed by serve_teardown. */
static pid_t	serve_children[4];

static void serve_teardown(void);

TestSuite(e2e_serve, .init = e2e_setup, .fini = serve_teardown,
    .timeout = TEST_LIMIT(30));

/* A running `unotifyd serve` and what it logged so far. */
struct serve_daemon {
	struct e2e_proc	 p;
	char		*log;		/* stderr read so far, NUL-terminated */
	size_t		 len;
	const char	*sock;
};

/* Kill the forked containers, then the e2e fixture's own cleanup. */
static void
serve_teardown(void)
{
	size_t i;

	for (i = 0; i < sizeof(serve_children) / sizeof(serve_children[0]);
	    i++) {
		if (serve_children[i] <= 0)
			continue;
		kill(serve_children[i], SIGKILL);
		waitpid(serve_children[i], NULL, 0);
		serve_children[i] = 0;
	}
	e2e_teardown();
}

/* Milliseconds on the monotonic clock. */
static long
serve_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Microseconds on the monotonic clock, as in MONOTONIC_USEC. */
static unsigned long long
serve_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

/* Read what the daemon wrote to stderr within timeout_ms; 0 at EOF. */
static int
serve_read_log(struct serve_daemon *d, int timeout_ms)
{
	struct pollfd pfd = { .fd = d->p.errfd, .events = POLLIN };
	char chunk[4096], *nb;
	ssize_t n;

	if (d->p.errfd == -1)
		return 0;
	if (poll(&pfd, 1, timeout_ms) <= 0)
		return 1;
	if ((n = read(d->p.errfd, chunk, sizeof(chunk))) == -1)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return 0;
	if ((nb = realloc(d->log, d->len + n + 1)) == NULL)
		cr_fatal("out of memory");
	memcpy(nb + d->len, chunk, n);
	d->len += n;
	nb[d->len] = '\0';
	d->log = nb;
	return 1;
}

/* A log short enough for an assertion message: its start (how the
 * daemon came to it) and its end. */
static const char *
serve_tail(const char *log)
{
	size_t len;

	if (log == NULL)
		return "";
	len = strlen(log);
	if (len <= 2 * SERVE_TAIL)
		return log;
	return e2e_fmt("%.*s[... %zu bytes ...]%s", SERVE_TAIL, log,
	    len - 2 * SERVE_TAIL, log + len - SERVE_TAIL);
}

/* 1 once the daemon's log holds needle, 0 after timeout_ms or at EOF. */
static int
serve_wait_log(struct serve_daemon *d, const char *needle, int timeout_ms)
{
	long deadline = serve_now_ms() + timeout_ms, left;
	size_t from = 0, nlen = strlen(needle);

	for (;;) {
		if (d->log != NULL && strstr(d->log + from, needle) != NULL)
			return 1;
		/* Search only what is new, plus a needle's overlap. */
		from = d->len > nlen ? d->len - nlen : 0;
		cr_assert(d->len < SERVE_LOG_MAX, "the daemon floods its log "
		    "(%zu bytes so far):\n%s", d->len, serve_tail(d->log));
		if ((left = deadline - serve_now_ms()) <= 0 ||
		    serve_read_log(d, left < 50 ? (int)left : 50) == 0)
			return d->log != NULL &&
			    strstr(d->log + from, needle) != NULL;
	}
}

/* Assert that the log gets needle soon. */
static void
serve_expect_log(struct serve_daemon *d, const char *needle)
{
	cr_assert(serve_wait_log(d, needle, SERVE_WAIT_MS),
	    "the daemon did not log '%s'; its log:\n%s", needle,
	    serve_tail(d->log));
}

/* Collect the log for ms milliseconds (what the daemon does meanwhile). */
static void
serve_settle(struct serve_daemon *d, long ms)
{
	long deadline = serve_now_ms() + ms, left;

	while ((left = deadline - serve_now_ms()) > 0 &&
	    d->len < SERVE_LOG_MAX && serve_read_log(d, (int)left))
		;
}

/*
 * Start argv (a daemon, maybe behind a wrapper) with a clean sd-daemon
 * environment plus extra ("NAME=VALUE" entries, or NULL).
 */
static void
serve_spawn(struct serve_daemon *d, const char *const argv[],
    const char *const extra[])
{
	const char *env[16] = { "NOTIFY_SOCKET", "JOURNAL_STREAM",
	    "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC",
	    "WATCHDOG_PID" };
	size_t n = 7, i;

	for (i = 0; extra != NULL && extra[i] != NULL && n < 15; i++)
		env[n++] = extra[i];
	env[n] = NULL;
	memset(d, 0, sizeof(*d));
	e2e_spawn(&d->p, argv, env, e2e_dir());
}

/* `unotifyd serve --socket <tmp>/sock -r rules`, ready to serve. */
static void
serve_start(struct serve_daemon *d, const char *rules,
    const char *const extra[])
{
	const char *sock = e2e_path("sock");

	serve_spawn(d, E2E_ARGV(e2e_unotifyd(), "serve", "--socket", sock,
	    "-r", rules), extra);
	d->sock = sock;
	serve_expect_log(d, "unotifyd: ready: ");
	cr_assert(e2e_has(d->log, e2e_fmt("unotifyd: listening on %s\n",
	    sock)), "log:\n%s", serve_tail(d->log));
	cr_assert(eq(int, e2e_mode(sock), 0660), "socket mode %o",
	    e2e_mode(sock));
}

/*
 * SIGTERM the daemon and wait for it; fails unless it stops cleanly.
 * Returns its whole stderr (kept until teardown).
 */
static const char *
serve_stop_log(struct serve_daemon *d, const char *stopping)
{
	struct e2e_result r;
	const char *log;

	cr_assert(eq(int, kill(d->p.pid, SIGTERM), 0));
	e2e_wait(&d->p, &r, SERVE_WAIT_MS);
	log = e2e_fmt("%s%s", d->log != NULL ? d->log : "", r.err);
	free(d->log);
	d->log = NULL;
	cr_assert(not(r.timed_out), "the daemon ignored SIGTERM; log:\n%s",
	    serve_tail(log));
	cr_assert(eq(int, r.code, 0), "the daemon exited %d; log:\n%s",
	    r.code, serve_tail(log));
	cr_assert(eq(str, r.out, ""), "stdout: %s", r.out);
	cr_assert(e2e_has(log, stopping), "log:\n%s", serve_tail(log));
	e2e_result_free(&r);
	return log;
}

static const char *
serve_stop(struct serve_daemon *d)
{
	return serve_stop_log(d, "unotifyd: Terminated: stopping with ");
}

/* The same for a daemon logging with journal priority prefixes. */
static const char *
serve_stop_journal(struct serve_daemon *d)
{
	return serve_stop_log(d, "<6>Terminated: stopping with ");
}

/* `unotifyd exec --socket sock -- cmd...` to completion. */
static void
serve_exec(struct e2e_result *r, const char *sock, const char *const cmd[])
{
	const char *argv[16] = { e2e_unotifyd(), "exec", "--socket", sock,
	    "--" };
	size_t i;

	for (i = 0; cmd[i] != NULL && i + 6 < 16; i++)
		argv[i + 5] = cmd[i];
	argv[i + 5] = NULL;
	e2e_run(r, argv, NULL, e2e_dir());
}

/* Assert that `exec -- cat src` prints want. */
static void
serve_expect_cat(struct serve_daemon *d, const char *src, const char *want)
{
	struct e2e_result r;

	serve_exec(&r, d->sock, E2E_ARGV("cat", src));
	cr_assert(eq(int, r.code, 0), "exec cat %s: exit %d, stderr: %s\n"
	    "daemon log:\n%s", src, r.code, r.err, serve_tail(d->log));
	cr_assert(eq(str, r.out, (char *)want), "exec cat %s", src);
	e2e_result_free(&r);
}

/* A rules file <tmp>/rules.ini redirecting src to dst. */
static const char *
serve_rules(const char *src, const char *dst)
{
	return e2e_rules("rules.ini", e2e_fmt("[redirect]\npath = %s\n"
	    "action = redirect\ntarget = %s\n", src, dst));
}

/* Connect to the daemon's socket. */
static int
serve_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(fd >= 0, "socket: %s", strerror(errno));
	cr_assert(eq(int, connect(fd, (struct sockaddr *)&sun, sizeof(sun)),
	    0), "connect %s: %s", path, strerror(errno));
	return fd;
}

/* len bytes, with fd (SCM_RIGHTS) in the first sendmsg if fd >= 0. */
static int
serve_send(int sock, const char *data, size_t len, int fd)
{
	return fdpass_send(sock, fd, data, len);
}

/* Read exactly len bytes within SERVE_WAIT_MS; 0 or -errno (-EPIPE at
 * EOF, -ETIMEDOUT). */
static int
serve_read_all(int sock, void *buf, size_t len)
{
	long deadline = serve_now_ms() + SERVE_WAIT_MS, left;
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if ((left = deadline - serve_now_ms()) <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = read(sock, (char *)buf + done, len - done);
		if (n == 0)
			return -EPIPE;
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			done += n;
	}
	return 0;
}

/* 1 once the daemon closed our connection (EOF) within timeout_ms. */
static int
serve_closed(int sock, int timeout_ms)
{
	long deadline = serve_now_ms() + timeout_ms, left;
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	char b[64];
	ssize_t n;

	while ((left = deadline - serve_now_ms()) > 0) {
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = read(sock, b, sizeof(b));
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return 1;
		if (n < 0 && errno != EINTR)
			return 0;
	}
	return 0;
}

Test(e2e_serve, exec_end_to_end, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct serve_daemon d;
	struct e2e_result r;
	struct e2e_proc p;
	const char *log, *stale = e2e_path("stale"), *at;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	pid_t client;
	int fd, target = 0;

	e2e_write(dst, "from dst\n", 0644);
	serve_start(&d, serve_rules(src, dst), NULL);

	/* The client's own pid is the connection's SO_PEERCRED pid. */
	e2e_spawn(&p, E2E_ARGV(e2e_unotifyd(), "exec", "--socket", d.sock,
	    "--", "cat", src), NULL, e2e_dir());
	client = p.pid;
	e2e_wait(&p, &r, E2E_TIMEOUT_MS);
	cr_assert(not(r.timed_out));
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "from dst\n"));
	cr_assert(eq(str, r.err, ""));
	cr_assert(not(e2e_exists(src)));
	e2e_result_free(&r);
	serve_expect_log(&d, e2e_fmt("unotifyd: connection from pid %d uid "
	    "%d gid %d\n", (int)client, (int)getuid(), (int)getgid()));
	serve_expect_log(&d, "): supervising with the default rules\n");
	at = strstr(d.log, "unotifyd: target cat (pid ");
	cr_assert(at != NULL && sscanf(at, "unotifyd: target cat (pid %d): "
	    "supervising with the default rules\n", &target) == 1,
	    "log:\n%s", serve_tail(d.log));
	cr_assert(ne(int, target, (int)client));
	serve_expect_log(&d, e2e_fmt("unotifyd: target cat (pid %d): no "
	    "process uses its filter any more\n", target));

	serve_exec(&r, d.sock, E2E_ARGV("sh", "-c", "exit 3"));
	cr_assert(eq(int, r.code, 3), "stderr: %s", r.err);
	e2e_result_free(&r);

	serve_exec(&r, d.sock, E2E_ARGV("sh", "-c", "kill -TERM $$"));
	cr_assert(eq(int, r.code, 143), "stderr: %s", r.err);
	e2e_result_free(&r);

	serve_exec(&r, d.sock, E2E_ARGV(e2e_path("no-such-command")));
	cr_assert(eq(int, r.code, 127), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, "no-such-command"), "stderr: %s", r.err);
	e2e_result_free(&r);

	/* Still serving after a client that gave up mid-handshake. */
	serve_expect_cat(&d, src, "from dst\n");

	/* No socket at all, and a socket nobody listens on. */
	serve_exec(&r, e2e_path("nosock"), E2E_ARGV("true"));
	cr_assert(eq(int, r.code, 125), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, e2e_fmt("cannot reach the daemon at %s: "
	    "No such file or directory", e2e_path("nosock"))),
	    "stderr: %s", r.err);
	e2e_result_free(&r);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", stale);
	cr_assert(eq(int, bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0));
	close(fd);
	serve_exec(&r, stale, E2E_ARGV("true"));
	cr_assert(eq(int, r.code, 125), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, e2e_fmt("cannot reach the daemon at %s: "
	    "Connection refused", stale)), "stderr: %s", r.err);
	e2e_result_free(&r);

	log = serve_stop(&d);
	cr_assert(not(e2e_has(log, "unotifyd: Terminated: stopping with 1")),
	    "log:\n%s", serve_tail(log));
	cr_assert(not(e2e_exists(d.sock)), "socket left behind");
}

Test(e2e_serve, socket_activation, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *sock = e2e_path("activated"), *asan, *tsan, *log;
	struct serve_daemon d;
	long deadline;

	if (access(SOCKET_ACTIVATE, X_OK) == -1)
		cr_skip_test(SOCKET_ACTIVATE " not installed");
	e2e_write(dst, "activated dst\n", 0644);
	/* It passes no environment but LISTEN_*: keep a sanitizer's. */
	asan = getenv("ASAN_OPTIONS");
	tsan = getenv("TSAN_OPTIONS");
	serve_spawn(&d, E2E_ARGV(SOCKET_ACTIVATE, "-l", sock,
	    "--fdname=unotifyd", "-E", e2e_fmt("ASAN_OPTIONS=%s",
	    asan != NULL ? asan : ""), "-E", e2e_fmt("TSAN_OPTIONS=%s",
	    tsan != NULL ? tsan : ""), e2e_unotifyd(), "serve", "-r",
	    serve_rules(src, dst)), NULL);
	d.sock = sock;
	/* The daemon itself starts on the first connection. */
	deadline = serve_now_ms() + SERVE_WAIT_MS;
	while (!e2e_exists(sock) && serve_now_ms() < deadline)
		e2e_sleep_ms(10);
	cr_assert(e2e_exists(sock), "systemd-socket-activate made no socket");
	serve_expect_cat(&d, src, "activated dst\n");
	serve_expect_log(&d, "unotifyd: listening on systemd's socket "
	    "'unotifyd'\n");
	serve_expect_cat(&d, src, "activated dst\n");
	log = serve_stop(&d);
	cr_assert(not(e2e_has(log, "unotifyd: listening on /")), "log:\n%s",
	    serve_tail(log));
	cr_assert(e2e_has(log, "unotifyd: ready: 1 rule\n"), "log:\n%s",
	    serve_tail(log));
}

Test(e2e_serve, journal_prefixes_and_verbose, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *sock = e2e_path("sock"), *log;
	struct serve_daemon d;
	int fd;

	e2e_write(dst, "dst\n", 0644);
	serve_spawn(&d, E2E_ARGV(e2e_unotifyd(), "serve", "-v", "--socket",
	    sock, "-r", serve_rules(src, dst)),
	    E2E_ARGV("JOURNAL_STREAM=8:12345"));
	d.sock = sock;
	serve_expect_log(&d, "<6>ready: 1 rule\n");
	serve_expect_cat(&d, src, "dst\n");
	/* -v: every decision, at debug level. */
	serve_expect_log(&d, e2e_fmt(" \"%s\" rule=redirect: ", src));
	cr_assert(e2e_has(d.log, "\n<7>tid="), "log:\n%s", serve_tail(d.log));
	fd = serve_connect(sock);
	cr_assert(eq(int, serve_send(fd, "garbage", 7, -1), 0));
	serve_expect_log(&d, e2e_fmt("\n<3>client pid %d uid %d: neither an "
	    "OCI runtime nor unotifyd exec", (int)getpid(), (int)getuid()));
	close(fd);
	log = serve_stop_journal(&d);
	cr_assert(e2e_has(log, "\n<6>Terminated: stopping with 0 targets\n"),
	    "log:\n%s", serve_tail(log));
	cr_assert(not(e2e_has(log, "unotifyd: ")), "log:\n%s",
	    serve_tail(log));
}

/* The fake NOTIFY_SOCKET: a datagram socket and what it received. */
struct serve_notify {
	int	 fd;
	char	*seen;		/* every message, for failure messages */
};

static void
serve_notify_open(struct serve_notify *n, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	n->seen = NULL;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert(n->fd >= 0, "socket: %s", strerror(errno));
	cr_assert(eq(int, bind(n->fd, (struct sockaddr *)&sun, sizeof(sun)),
	    0), "bind %s: %s", path, strerror(errno));
}

/*
 * The next datagram holding needle within timeout_ms (earlier ones are
 * skipped, their fds closed), kept until teardown; NULL on timeout. *fdp
 * gets the first fd it carried (or -1) if fdp is not NULL, else the fds
 * are closed.
 */
static const char *
serve_notify_expect(struct serve_notify *n, const char *needle,
    int timeout_ms, int *fdp)
{
	long deadline = serve_now_ms() + timeout_ms, left;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * 8)];
	} ctl;
	char buf[4096];
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct pollfd pfd = { .fd = n->fd, .events = POLLIN };
	struct cmsghdr *c;
	int fds[8], nfds, i, match;
	ssize_t len;

	if (fdp != NULL)
		*fdp = -1;
	while ((left = deadline - serve_now_ms()) > 0) {
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		if ((len = recvmsg(n->fd, &msg, MSG_CMSG_CLOEXEC)) < 0)
			continue;
		buf[len] = '\0';
		nfds = 0;
		for (c = CMSG_FIRSTHDR(&msg); c != NULL;
		    c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level != SOL_SOCKET ||
			    c->cmsg_type != SCM_RIGHTS)
				continue;
			for (i = 0; (size_t)i < (c->cmsg_len - CMSG_LEN(0)) /
			    sizeof(int) && nfds < 8; i++)
				memcpy(&fds[nfds++], CMSG_DATA(c) +
				    i * sizeof(int), sizeof(int));
		}
		n->seen = (char *)e2e_fmt("%s[%s]%s\n", n->seen ? n->seen : "",
		    buf, nfds > 0 ? " +fd" : "");
		match = strstr(buf, needle) != NULL;
		for (i = 0; i < nfds; i++) {
			if (match && i == 0 && fdp != NULL)
				*fdp = fds[i];
			else
				close(fds[i]);
		}
		if (match)
			return e2e_fmt("%s", buf);
	}
	return NULL;
}

/* Assert that a datagram holding needle arrives; returns it. */
static const char *
serve_notify_need(struct serve_notify *n, const char *needle, int *fdp)
{
	const char *m = serve_notify_expect(n, needle, SERVE_WAIT_MS, fdp);

	cr_assert(m != NULL, "no '%s' on NOTIFY_SOCKET; received:\n%s",
	    needle, n->seen != NULL ? n->seen : "(nothing)");
	return m;
}

Test(e2e_serve, sd_notify, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *path = e2e_path("notify"), *m, *name;
	struct serve_notify n;
	struct serve_daemon d;
	struct e2e_result r;
	unsigned long long before, after, usec;
	char link[PATH_MAX];
	ssize_t len;
	int fd, pid, end;

	e2e_write(dst, "dst\n", 0644);
	serve_notify_open(&n, path);
	serve_start(&d, serve_rules(src, dst), E2E_ARGV(
	    e2e_fmt("NOTIFY_SOCKET=%s", path), "WATCHDOG_USEC=400000"));

	m = serve_notify_need(&n, "READY=1", NULL);
	cr_assert(eq(str, (char *)m, "READY=1"));
	m = serve_notify_need(&n, "STATUS=", NULL);
	cr_assert(e2e_has(m, "STATUS=0 targets (0 since start)") &&
	    e2e_has(m, "1 rule"), "status: %s", m);
	serve_notify_need(&n, "WATCHDOG=1", NULL);

	/* The target prints its pid: FDNAME is target.PID.HEX(sh).HEX(). */
	serve_exec(&r, d.sock, E2E_ARGV("sh", "-c", e2e_fmt("echo $$; cat %s",
	    src)));
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	end = -1;
	cr_assert(eq(int, sscanf(r.out, "%d\n%n", &pid, &end), 1));
	cr_assert(end > 0, "out: %s", r.out);
	cr_assert(eq(str, r.out + end, "dst\n"), "out: %s", r.out);
	e2e_result_free(&r);
	name = e2e_fmt("FDNAME=target.%d.7368.", pid);
	m = serve_notify_need(&n, "FDSTORE=1", &fd);
	cr_assert(eq(str, (char *)m, (char *)e2e_fmt("FDSTORE=1\n%s", name)));
	cr_assert(fd >= 0, "FDSTORE=1 without a file descriptor");
	len = readlink(e2e_fmt("/proc/self/fd/%d", fd), link, sizeof(link) - 1);
	cr_assert(len > 0, "readlink fd %d: %s", fd, strerror(errno));
	link[len] = '\0';
	cr_assert(eq(str, link, "anon_inode:seccomp notify"));
	close(fd);
	m = serve_notify_need(&n, "STATUS=", NULL);
	cr_assert(e2e_has(m, "STATUS=1 target (1 since start)"), "status: %s",
	    m);
	m = serve_notify_need(&n, "FDSTOREREMOVE=1", NULL);
	cr_assert(eq(str, (char *)m, (char *)e2e_fmt("FDSTOREREMOVE=1\n%s",
	    name)));

	before = serve_now_us();
	cr_assert(eq(int, kill(d.p.pid, SIGHUP), 0));
	m = serve_notify_need(&n, "RELOADING=1", NULL);
	after = serve_now_us();
	cr_assert(eq(int, sscanf(m, "RELOADING=1\nMONOTONIC_USEC=%llu%n",
	    &usec, &end), 1), "message: %s", m);
	cr_assert(eq(int, m[end], '\0'), "message: %s", m);
	cr_assert(before <= usec && usec <= after, "MONOTONIC_USEC=%llu not "
	    "within [%llu, %llu]", usec, before, after);
	m = serve_notify_need(&n, "READY=1", NULL);
	cr_assert(eq(str, (char *)m, "READY=1"));
	serve_expect_log(&d, "unotifyd: reloaded: 1 rule\n");

	serve_stop(&d);
	m = serve_notify_need(&n, "STOPPING=1", NULL);
	cr_assert(eq(str, (char *)m, "STOPPING=1"));
	close(n.fd);
}

Test(e2e_serve, reload_good_rules, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *one = e2e_path("one");
	const char *two = e2e_path("two"), *log;
	struct serve_daemon d;

	e2e_write(one, "one\n", 0644);
	e2e_write(two, "two\n", 0644);
	serve_start(&d, serve_rules(src, one), NULL);
	serve_expect_cat(&d, src, "one\n");
	serve_rules(src, two);
	cr_assert(eq(int, kill(d.p.pid, SIGHUP), 0));
	serve_expect_log(&d, "unotifyd: reloaded: 1 rule\n");
	serve_expect_cat(&d, src, "two\n");
	log = serve_stop(&d);
	cr_assert(not(e2e_has(log, "reload failed")), "log:\n%s",
	    serve_tail(log));
}

Test(e2e_serve, reload_bad_rules_keeps_old, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *one = e2e_path("one");
	const char *two = e2e_path("two"), *rules, *log;
	struct serve_daemon d;

	e2e_write(one, "one\n", 0644);
	e2e_write(two, "two\n", 0644);
	rules = serve_rules(src, one);
	serve_start(&d, rules, NULL);
	serve_expect_cat(&d, src, "one\n");

	/* A syntax error on line 5 of an otherwise good file. */
	e2e_write(rules, e2e_fmt("[redirect]\npath = %s\naction = redirect\n"
	    "target = %s\nthis is not ini\n", src, two), 0644);
	cr_assert(eq(int, kill(d.p.pid, SIGHUP), 0));
	serve_expect_log(&d, "unotifyd: reload failed; the previous rules "
	    "stay in force:\n");
	serve_expect_log(&d, e2e_fmt("%s:5: ", rules));
	serve_expect_cat(&d, src, "one\n");

	/* A missing file is an error too. */
	cr_assert(eq(int, unlink(rules), 0));
	cr_assert(eq(int, kill(d.p.pid, SIGHUP), 0));
	serve_expect_log(&d, e2e_fmt("unotifyd: %s: No such file or "
	    "directory\n", rules));
	serve_expect_cat(&d, src, "one\n");

	/* Fixed: the next reload takes it. */
	serve_rules(src, two);
	cr_assert(eq(int, kill(d.p.pid, SIGHUP), 0));
	serve_expect_log(&d, "unotifyd: reloaded: 1 rule\n");
	serve_expect_cat(&d, src, "two\n");
	log = serve_stop(&d);
	cr_assert(not(e2e_has(log, "not starting")), "log:\n%s",
	    serve_tail(log));
}

/* ---- OCI runtimes ---- */

/* A forked "container" under a real filter, waiting to open a path. */
struct serve_ctr {
	pid_t	 pid;
	int	 listener;	/* our copy, until handed to the daemon */
	int	 go;		/* write a byte: the child opens its path */
	int	 result;	/* what it read, or "errno N" */
};

/* Child side: never returns. */
static void
serve_ctr_child(const struct filter *f, const char *path, int sock, int go,
    int result)
{
	char buf[256];
	ssize_t n;
	int listener, fd, len;

	if ((listener = filter_apply(f)) < 0) {
		len = snprintf(buf, sizeof(buf), "filter_apply: %d", listener);
		(void)!write(result, buf, len);
		_exit(1);
	}
	if (fdpass_send(sock, listener, "L", 1) < 0)
		_exit(1);
	close(listener);
	close(sock);
	if (read(go, buf, 1) != 1)
		_exit(1);
	/* Notified: blocks until the daemon serves the listener. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		len = snprintf(buf, sizeof(buf), "errno %d", errno);
		(void)!write(result, buf, len);
		_exit(2);
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		(void)!write(result, buf, n);
	_exit(0);
}

static void
serve_ctr_start(struct serve_ctr *c, const char *path)
{
	struct filter *f;
	const char *why = NULL;
	int sp[2], go[2], res[2], r;
	size_t i;
	char b;

	r = filter_build(SYSCALLS_ALL, &f, &why);
	cr_assert(eq(int, r, 0), "filter_build: %s", why);
	cr_assert(eq(int, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sp), 0));
	cr_assert(eq(int, pipe2(go, O_CLOEXEC), 0));
	cr_assert(eq(int, pipe2(res, O_CLOEXEC), 0));
	fflush(NULL);
	c->pid = fork();
	cr_assert(c->pid >= 0, "fork: %s", strerror(errno));
	if (c->pid == 0) {
		close(sp[0]);
		close(go[1]);
		close(res[0]);
		serve_ctr_child(f, path, sp[1], go[0], res[1]);
	}
	for (i = 0; i < sizeof(serve_children) / sizeof(serve_children[0]);
	    i++)
		if (serve_children[i] == 0) {
			serve_children[i] = c->pid;
			break;
		}
	filter_free(f);
	close(sp[1]);
	close(go[0]);
	close(res[1]);
	c->go = go[1];
	c->result = res[0];
	r = (int)fdpass_recv(sp[0], &c->listener, &b, 1);
	close(sp[0]);
	cr_assert(eq(int, r, 1), "no listener from the child");
	cr_assert(c->listener >= 0, "no listener from the child");
}

/* Release the child; what it read (kept until teardown). */
static const char *
serve_ctr_finish(struct serve_ctr *c)
{
	long deadline = serve_now_ms() + SERVE_WAIT_MS;
	struct pollfd pfd = { .fd = c->result, .events = POLLIN };
	char buf[512];
	size_t len = 0;
	ssize_t n;
	int status, ok;
	size_t i;

	cr_assert(eq(int, write(c->go, "x", 1), 1));
	close(c->go);
	while (len < sizeof(buf) - 1 && serve_now_ms() < deadline) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = read(c->result, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(c->result);
	cr_assert(serve_now_ms() < deadline, "the container hangs in open "
	    "(read so far: '%s')", buf);
	cr_assert(eq(int, waitpid(c->pid, &status, 0), c->pid));
	for (i = 0; i < sizeof(serve_children) / sizeof(serve_children[0]);
	    i++)
		if (serve_children[i] == c->pid)
			serve_children[i] = 0;
	ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	cr_assert(ok, "container: status 0x%x, said '%s'", status, buf);
	return e2e_fmt("%s", buf);
}

/* runc's compact handshake for a container whose process is pid. */
static const char *
serve_runc_msg(pid_t pid, const char *id)
{
	return e2e_fmt("{\"ociVersion\":\"1.0.2-dev\",\"fds\":[\"seccompFd\"],"
	    "\"pid\":%d,\"metadata\":\"\",\"state\":{\"ociVersion\":"
	    "\"1.0.2-dev\",\"id\":\"%s\",\"status\":\"creating\",\"pid\":%d,"
	    "\"bundle\":\"/b\"}}", (int)pid, id, (int)pid);
}

Test(e2e_serve, oci_runc, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst"), *got;
	struct serve_daemon d;
	struct serve_ctr c;
	const char *msg;
	int sock;

	e2e_write(dst, "container dst\n", 0644);
	serve_start(&d, serve_rules(src, dst), NULL);
	serve_ctr_start(&c, src);
	msg = serve_runc_msg(c.pid, "ctr");
	sock = serve_connect(d.sock);
	cr_assert(eq(int, serve_send(sock, msg, strlen(msg), c.listener), 0));
	close(c.listener);
	serve_expect_log(&d, e2e_fmt("unotifyd: runtime pid %d: container ctr "
	    "(1.0.2-dev, bundle /b) pid %d\n", (int)getpid(), (int)c.pid));
	serve_expect_log(&d, e2e_fmt("unotifyd: target ctr (pid %d): "
	    "supervising with the default rules\n", (int)c.pid));
	/* runc keeps the connection open: the daemon must not wait for EOF. */
	got = serve_ctr_finish(&c);
	cr_assert(eq(str, (char *)got, "container dst\n"), "daemon log:\n%s",
	    serve_tail(d.log));
	cr_assert(serve_closed(sock, SERVE_WAIT_MS),
	    "the daemon kept the runtime's connection open");
	close(sock);
	serve_expect_log(&d, e2e_fmt("unotifyd: target ctr (pid %d): no "
	    "process uses its filter any more\n", (int)c.pid));
	cr_assert(not(e2e_exists(src)));
	serve_stop(&d);
}

/* runc's handshake for a Kubernetes container (containerd's CRI names). */
static const char *
serve_pod_msg(pid_t pid, const char *metadata, const char *pod)
{
	return e2e_fmt("{\"ociVersion\":\"1.0.2-dev\",\"fds\":[\"seccompFd\"],"
	    "\"pid\":%d,\"metadata\":\"%s\",\"state\":{\"ociVersion\":"
	    "\"1.0.2-dev\",\"id\":\"%s-ctr\",\"status\":\"creating\","
	    "\"pid\":%d,\"bundle\":\"/b\",\"annotations\":{"
	    "\"io.kubernetes.cri.sandbox-namespace\":\"prod\","
	    "\"io.kubernetes.cri.sandbox-name\":\"%s\","
	    "\"io.kubernetes.cri.container-name\":\"app\"}}}", (int)pid,
	    metadata, pod, (int)pid, pod);
}

/* A container of pod in namespace prod opens src: what it read. */
static const char *
serve_pod_open(struct serve_daemon *d, const char *metadata, const char *pod)
{
	struct serve_ctr c;
	const char *msg;
	int sock;

	serve_ctr_start(&c, e2e_path("src"));
	msg = serve_pod_msg(c.pid, metadata, pod);
	sock = serve_connect(d->sock);
	cr_assert(eq(int, serve_send(sock, msg, strlen(msg), c.listener), 0));
	close(c.listener);
	serve_expect_log(d, e2e_fmt("unotifyd: target %s-ctr (pid %d, pod "
	    "prod/%s container app): supervising with ", pod, (int)c.pid,
	    pod));
	close(sock);
	return serve_ctr_finish(&c);
}

Test(e2e_serve, oci_per_pod_rules, .timeout = TEST_LIMIT(30))
{
	const char *dir = e2e_path("rules.d"), *sock = e2e_path("sock"), *got;
	struct serve_daemon d;

	e2e_mkdir(dir);
	e2e_write(e2e_path("web"), "web dst\n", 0644);
	e2e_write(e2e_path("all"), "all dst\n", 0644);
	e2e_write(e2e_path("special"), "special dst\n", 0644);
	e2e_write(e2e_path("rules.d/10-web.ini"), e2e_fmt("[match]\n"
	    "namespace = prod\npod = web-* front-*\n\n[web]\npath = %s\n"
	    "action = redirect\ntarget = %s\n", e2e_path("src"),
	    e2e_path("web")), 0644);
	e2e_write(e2e_path("rules.d/20-all.ini"), e2e_fmt("[all]\npath = %s\n"
	    "action = redirect\ntarget = %s\n", e2e_path("src"),
	    e2e_path("all")), 0644);
	/* Default rules too, but never first for src: only picked. */
	e2e_write(e2e_path("rules.d/special.ini"), e2e_fmt("[special]\n"
	    "path = %s\naction = redirect\ntarget = %s\n", e2e_path("src"),
	    e2e_path("special")), 0644);
	serve_spawn(&d, E2E_ARGV(e2e_unotifyd(), "serve", "-v", "--socket",
	    sock, "-r", dir), NULL);
	d.sock = sock;
	serve_expect_log(&d, "unotifyd: ready: 3 rules\n");

	got = serve_pod_open(&d, "", "web-1");
	cr_assert(eq(str, (char *)got, "web dst\n"), "log:\n%s",
	    serve_tail(d.log));
	serve_expect_log(&d, "unotifyd: target web-1-ctr (pid ");
	serve_expect_log(&d, "container app): 3 rules apply, 0 others are for "
	    "other pods ([match])\n");
	/* -v: its decisions name the pod. */
	serve_expect_log(&d, e2e_fmt("unotifyd: pod prod/web-1 container app: "
	    "tid="));
	serve_expect_log(&d, e2e_fmt(" \"%s\" rule=web: ", e2e_path("src")));

	got = serve_pod_open(&d, "", "api-1");
	cr_assert(eq(str, (char *)got, "all dst\n"), "log:\n%s",
	    serve_tail(d.log));
	serve_expect_log(&d, "container app): 2 rules apply, 1 others are for "
	    "other pods ([match])\n");

	/* rules=NAME finds NAME.ini in a -r directory. */
	got = serve_pod_open(&d, "rules=special", "web-2");
	cr_assert(eq(str, (char *)got, "special dst\n"), "log:\n%s",
	    serve_tail(d.log));
	serve_expect_log(&d, "container app): supervising with rules=special "
	    "rules\n");
	serve_stop(&d);
}

Test(e2e_serve, oci_crun_split, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst"), *got;
	struct serve_daemon d;
	struct serve_ctr c;
	const char *msg;
	size_t len, a, b;
	int sock;

	e2e_write(dst, "crun dst\n", 0644);
	serve_start(&d, serve_rules(src, dst), NULL);
	serve_ctr_start(&c, src);
	msg = e2e_fmt("{\n"
	    "  \"ociVersion\": \"0.2.0\",\n"
	    "  \"fds\": [\n"
	    "    \"seccompFd\"\n"
	    "  ],\n"
	    "  \"pid\": %d,\n"
	    "  \"metadata\": \"\",\n"
	    "  \"state\": {\n"
	    "    \"ociVersion\": \"1.0.0\",\n"
	    "    \"id\": \"crun-ctr\",\n"
	    "    \"status\": \"creating\",\n"
	    "    \"pid\": %d,\n"
	    "    \"bundle\": \"/run/crun/bundle\",\n"
	    "    \"annotations\": {\n"
	    "      \"run.oci.seccomp.receiver\": \"%s\"\n"
	    "    }\n"
	    "  }\n"
	    "}\n", (int)c.pid, (int)c.pid, d.sock);
	len = strlen(msg);
	a = len / 3;
	b = 2 * len / 3;
	sock = serve_connect(d.sock);
	/* Three sendmsg, the fd with the first; pauses keep them apart. */
	cr_assert(eq(int, serve_send(sock, msg, a, c.listener), 0));
	close(c.listener);
	serve_settle(&d, 50);
	cr_assert(eq(int, serve_send(sock, msg + a, b - a, -1), 0));
	serve_settle(&d, 50);
	cr_assert(not(e2e_has(d.log, "runtime pid")), "log:\n%s",
	    serve_tail(d.log));
	cr_assert(not(e2e_has(d.log, "dropped")), "log:\n%s",
	    serve_tail(d.log));
	cr_assert(eq(int, serve_send(sock, msg + b, len - b, -1), 0));
	serve_expect_log(&d, e2e_fmt("unotifyd: runtime pid %d: container "
	    "crun-ctr (0.2.0, bundle /run/crun/bundle) pid %d\n",
	    (int)getpid(), (int)c.pid));
	got = serve_ctr_finish(&c);
	cr_assert(eq(str, (char *)got, "crun dst\n"), "daemon log:\n%s",
	    serve_tail(d.log));
	cr_assert(serve_closed(sock, SERVE_WAIT_MS),
	    "the daemon kept the runtime's connection open");
	close(sock);
	serve_stop(&d);
}

/* JSON allows whitespace before the object, a whole read's worth too. */
Test(e2e_serve, oci_leading_whitespace, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst"), *got;
	struct serve_daemon d;
	struct serve_ctr c;
	char spaces[4096];
	const char *msg;
	int sock;

	e2e_write(dst, "after spaces\n", 0644);
	serve_start(&d, serve_rules(src, dst), NULL);
	serve_ctr_start(&c, src);
	msg = serve_runc_msg(c.pid, "spaced");
	memset(spaces, ' ', sizeof(spaces));
	sock = serve_connect(d.sock);
	cr_assert(eq(int, serve_send(sock, spaces, sizeof(spaces),
	    c.listener), 0));
	close(c.listener);
	serve_settle(&d, 50);
	cr_assert(eq(int, serve_send(sock, msg, strlen(msg), -1), 0));
	serve_expect_log(&d, e2e_fmt("unotifyd: runtime pid %d: container "
	    "spaced (1.0.2-dev, bundle /b) pid %d\n", (int)getpid(),
	    (int)c.pid));
	got = serve_ctr_finish(&c);
	cr_assert(eq(str, (char *)got, "after spaces\n"), "daemon log:\n%s",
	    serve_tail(d.log));
	close(sock);
	serve_stop(&d);
}

/* A bad handshake and the cause the daemon must log for it. */
struct serve_bad {
	const char	*what;
	const char	*data;
	size_t		 len;		/* 0: strlen(data) */
	int		 fd;		/* 1: /dev/null's fd goes with it (each
					   message fails before its use) */
	int		 close;		/* 1: we close first (EOF) */
	int		 dropped;	/* 1: logged as "connection dropped" */
	const char	*cause;
};

Test(e2e_serve, oci_bad_messages, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *truncated = "{\"ociVersion\":\"1.0.2-dev\",\"fds\":"
	    "[\"seccompFd\"],\"pid\":";
	const char *good = serve_runc_msg(4242, "bad");
	char *big;
	struct serve_daemon d;
	struct serve_bad bad[] = {
		{ "truncated", truncated, 0, 1, 1, 1, e2e_fmt("truncated "
		    "message (%zu bytes); connection dropped\n",
		    strlen(truncated)) },
		{ "malformed", "{\"ociVersion\":\"1.0.2-dev\",,}", 0, 1, 0, 1,
		    "bad OCI state message: not JSON at byte 26: " },
		{ "garbage", "garbage\n", 0, 0, 0, 1, "neither an OCI runtime "
		    "nor unotifyd exec (first byte 0x67); connection "
		    "dropped\n" },
		{ "NUL byte", "{\"a\":\0}", 7, 1, 0, 1,
		    "bad OCI state message: NUL byte at byte 5; connection "
		    "dropped\n" },
		{ "pid string", "{\"ociVersion\":\"1.0.2-dev\",\"fds\":"
		    "[\"seccompFd\"],\"pid\":\"42\",\"state\":{\"id\":\"c\","
		    "\"status\":\"creating\"}}", 0, 1, 0, 1,
		    "bad OCI state message: \"pid\" is not a positive integer; "
		    "connection dropped\n" },
		{ "id number", "{\"ociVersion\":\"1.0.2-dev\",\"fds\":"
		    "[\"seccompFd\"],\"pid\":42,\"state\":{\"id\":7,"
		    "\"status\":\"creating\"}}", 0, 1, 0, 1,
		    "bad OCI state message: \"state.id\" is not a string; "
		    "connection dropped\n" },
		{ "no seccompFd", "{\"ociVersion\":\"1.0.2-dev\",\"fds\":"
		    "[\"other\"],\"pid\":42,\"state\":{\"id\":\"c\","
		    "\"status\":\"creating\"}}", 0, 1, 0, 1,
		    "bad OCI state message: no \"seccompFd\" in \"fds\"; "
		    "connection dropped\n" },
		{ "trailing data", e2e_fmt("%s x", good), 0, 1, 0, 1,
		    e2e_fmt("bad OCI state message: unexpected data after the "
		    "message at byte %zu; connection dropped\n",
		    strlen(good) + 1) },
		{ "no fds sent", good, 0, 0, 0, 1, "OCI message names fd 0 of "
		    "0 received; connection dropped\n" },
		{ "oversized", NULL, 70000, 1, 0, 1, "bad OCI state message: "
		    "message larger than 65536 bytes; connection dropped\n" },
		{ "unknown rules", "{\"ociVersion\":\"1.0.2-dev\",\"fds\":"
		    "[\"seccompFd\"],\"pid\":42,\"metadata\":"
		    "\"rules=unotifyd-e2e-no-such-rules\",\"state\":{\"id\":"
		    "\"c\",\"status\":\"creating\"}}", 0, 1, 0, 0,
		    "unotifyd:   metadata: no rules file "
		    "unotifyd-e2e-no-such-rules.ini in the rule "
		    "directories\n" },
	};
	size_t i, len;
	int sock, null, r;

	e2e_write(dst, "still serving\n", 0644);
	serve_start(&d, serve_rules(src, dst), NULL);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	cr_assert(null >= 0);
	big = malloc(70000);
	cr_assert(big != NULL);
	memset(big, 'x', 70000);
	memcpy(big, "{\"metadata\":\"", 13);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (bad[i].data == NULL)
			bad[i].data = big;	/* oversized */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = bad[i].len != 0 ? bad[i].len : strlen(bad[i].data);
		sock = serve_connect(d.sock);
		r = serve_send(sock, bad[i].data, len, bad[i].fd ? null : -1);
		/* The daemon may drop an oversized message before its end. */
		cr_assert(r == 0 || (bad[i].len != 0 && (r == -EPIPE ||
		    r == -ECONNRESET)), "%s: send: %s", bad[i].what,
		    strerror(-r));
		if (!bad[i].close)
			cr_assert(serve_closed(sock, SERVE_WAIT_MS),
			    "%s: connection not dropped", bad[i].what);
		close(sock);
		/* Failed handshakes name the connection's peer. */
		if (bad[i].dropped)
			serve_expect_log(&d, e2e_fmt("unotifyd: client pid %d "
			    "uid %d: %s", (int)getpid(), (int)getuid(),
			    bad[i].cause));
		else
			serve_expect_log(&d, bad[i].cause);
		serve_expect_cat(&d, src, "still serving\n");
		/* Start the next case on a fresh log. */
		free(d.log);
		d.log = NULL;
		d.len = 0;
	}
	free(big);
	close(null);
	serve_stop(&d);
}

Test(e2e_serve, oci_fd_not_a_listener, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *msg = serve_runc_msg(4242, "bogus");
	struct serve_daemon d;
	int sock, null;

	e2e_write(dst, "still serving\n", 0644);
	serve_start(&d, serve_rules(src, dst), NULL);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	cr_assert(null >= 0);
	sock = serve_connect(d.sock);
	cr_assert(eq(int, serve_send(sock, msg, strlen(msg), null), 0));
	close(null);
	serve_expect_log(&d, "unotifyd: target bogus (pid 4242): not a "
	    "seccomp listener");
	cr_assert(serve_closed(sock, SERVE_WAIT_MS), "connection not dropped");
	close(sock);
	/* Give a wrongly accepted fd time to show in the log. */
	serve_settle(&d, 100);
	cr_assert(not(e2e_has(d.log, "supervising")), "log:\n%s",
	    serve_tail(d.log));
	serve_expect_cat(&d, src, "still serving\n");
	serve_stop(&d);
}

Test(e2e_serve, exec_fd_not_a_listener, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct proto_hello hello = { .version = PROTO_VERSION };
	struct proto_target target = { .pid = 4343, .comm = "bogus" };
	struct proto_filter pf;
	struct proto_ack ack;
	struct serve_daemon d;
	int sock, p[2];

	e2e_write(dst, "still serving\n", 0644);
	serve_start(&d, serve_rules(src, dst), NULL);
	/* A pipe: epoll takes it, but it is no seccomp listener. */
	cr_assert(eq(int, pipe2(p, O_CLOEXEC), 0));
	memcpy(hello.magic, PROTO_MAGIC, sizeof(hello.magic));
	sock = serve_connect(d.sock);
	cr_assert(eq(int, serve_send(sock, (char *)&hello, sizeof(hello), -1),
	    0));
	cr_assert(eq(int, serve_read_all(sock, &pf, sizeof(pf)), 0));
	cr_assert(eq(int, pf.error, 0));
	cr_assert(eq(int, serve_send(sock, (char *)&target, sizeof(target),
	    p[0]), 0));
	close(p[0]);
	cr_assert(eq(int, serve_read_all(sock, &ack, sizeof(ack)), 0),
	    "no answer; log:\n%s", serve_tail(d.log));
	cr_assert(ne(int, ack.error, 0), "the daemon took a pipe for a "
	    "seccomp listener");
	serve_expect_log(&d, "unotifyd: target bogus (pid 4343): not a "
	    "seccomp listener");
	close(sock);
	/* Readable now: a supervised pipe would be read as notifications.
	 * The daemon closed the only read end it had: EPIPE, not SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	(void)!write(p[1], "x", 1);
	serve_settle(&d, 100);
	cr_assert(not(e2e_has(d.log, "supervising")), "log:\n%s",
	    serve_tail(d.log));
	close(p[1]);
	serve_expect_cat(&d, src, "still serving\n");
	serve_stop(&d);
}

/* ---- Hostile clients and restarts ---- */

/*
 * Start argv as serve_spawn does, with fds[] passed as systemd passes its
 * fd store: at 3, 4, ..., LISTEN_FDS, LISTEN_FDNAMES names (':'-joined),
 * LISTEN_PID the daemon's own. The child is killed at teardown.
 */
static void
serve_spawn_fds(struct serve_daemon *d, const char *const argv[],
    const char *const env[], const int fds[], int nfds, const char *names)
{
	static const char *const clean[] = { "NOTIFY_SOCKET",
	    "JOURNAL_STREAM", "WATCHDOG_USEC", "WATCHDOG_PID" };
	char num[32];
	int out[2], err[2], hi[8], i, null;
	size_t k;
	pid_t pid;

	cr_assert(nfds <= 8);
	cr_assert(eq(int, pipe2(out, O_CLOEXEC), 0));
	cr_assert(eq(int, pipe2(err, O_CLOEXEC), 0));
	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		setpgid(0, 0);
		if ((null = open("/dev/null", O_RDONLY)) < 0 ||
		    dup2(null, 0) < 0 || dup2(out[1], 1) < 0 ||
		    dup2(err[1], 2) < 0)
			_exit(126);
		/* Out of the way first: fds[] may sit on 3, 4 ... */
		for (i = 0; i < nfds; i++)
			if ((hi[i] = fcntl(fds[i], F_DUPFD, 100)) < 0)
				_exit(126);
		for (i = 0; i < nfds; i++)
			if (dup2(hi[i], 3 + i) < 0)
				_exit(126);
		close_range(3 + nfds, ~0U, 0);
		for (k = 0; k < sizeof(clean) / sizeof(clean[0]); k++)
			unsetenv(clean[k]);
		for (k = 0; env != NULL && env[k] != NULL; k++)
			putenv((char *)env[k]);
		snprintf(num, sizeof(num), "%d", (int)getpid());
		setenv("LISTEN_PID", num, 1);
		snprintf(num, sizeof(num), "%d", nfds);
		setenv("LISTEN_FDS", num, 1);
		setenv("LISTEN_FDNAMES", names, 1);
		if (chdir(e2e_dir()) < 0)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	setpgid(pid, pid);
	close(out[1]);
	close(err[1]);
	memset(d, 0, sizeof(*d));
	d->p.pid = pid;
	d->p.outfd = out[0];
	d->p.errfd = err[0];
	d->p.cmd = strdup(argv[0]);
	for (k = 0; k < sizeof(serve_children) / sizeof(serve_children[0]);
	    k++)
		if (serve_children[k] == 0) {
			serve_children[k] = pid;
			break;
		}
}

/* Forget pid as a child to kill at teardown (it was waited for). */
static void
serve_child_done(pid_t pid)
{
	size_t k;

	for (k = 0; k < sizeof(serve_children) / sizeof(serve_children[0]);
	    k++)
		if (serve_children[k] == pid)
			serve_children[k] = 0;
}

/*
 * `systemctl restart` with one broken rules file: the new daemon gets the
 * listeners and the copy of the last rules that loaded back from the fd
 * store, says that the rules on disk are invalid (log and STATUS), and
 * serves the waiting target by the old rules instead of leaving (which
 * would fail its calls with ENOSYS). A fixed reload then takes over.
 * Without a kept copy, broken rules still stop the start.
 */
Test(e2e_serve, restart_with_bad_rules_keeps_serving, .timeout = TEST_LIMIT(60))
{
	const char *src = e2e_path("src"), *one = e2e_path("one");
	const char *two = e2e_path("two"), *path = e2e_path("notify");
	const char *rules, *m, *got, *sock = e2e_path("sock");
	struct serve_notify n;
	struct serve_daemon d;
	struct serve_ctr c;
	struct e2e_result r;
	int snap, fds[2];

	e2e_write(one, "one\n", 0644);
	e2e_write(two, "two\n", 0644);
	rules = serve_rules(src, one);
	serve_notify_open(&n, path);
	serve_start(&d, rules, E2E_ARGV(e2e_fmt("NOTIFY_SOCKET=%s", path)));
	serve_notify_need(&n, "FDSTORE=1\nFDNAME=rules.snapshot", &snap);
	cr_assert(snap >= 0, "the rules copy came without a descriptor");
	serve_stop(&d);

	/* Broken on disk now; `serve --check` says so, as ExecReload runs
	 * it. */
	e2e_write(rules, e2e_fmt("[redirect]\npath = %s\naction = redirect\n"
	    "target = %s\nthis is not ini\n", src, two), 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "serve", "--check", "-r", rules),
	    NULL, e2e_dir());
	cr_assert(eq(int, r.code, 1), "stdout: %s stderr: %s", r.out, r.err);
	cr_assert(e2e_has(r.err, e2e_fmt("%s:5: ", rules)), "stderr: %s",
	    r.err);
	e2e_result_free(&r);

	/* A target whose listener the fd store kept, waiting in a call. */
	serve_ctr_start(&c, src);
	fds[0] = c.listener;
	fds[1] = snap;
	serve_spawn_fds(&d, E2E_ARGV(e2e_unotifyd(), "serve", "--socket",
	    sock, "-r", rules), E2E_ARGV(e2e_fmt("NOTIFY_SOCKET=%s", path)),
	    fds, 2, e2e_fmt("target.%d.637472.:rules.snapshot", (int)c.pid));
	d.sock = sock;
	close(c.listener);
	serve_expect_log(&d, e2e_fmt("%s:5: ", rules));
	serve_expect_log(&d, "unotifyd: invalid rules; serving with the last "
	    "rules that loaded (1 rule) until a reload succeeds\n");
	serve_expect_log(&d, e2e_fmt("unotifyd: fd store: resuming target ctr "
	    "(pid %d)\n", (int)c.pid));
	serve_expect_log(&d, "unotifyd: ready: ");
	m = serve_notify_need(&n, "THE RULES ON DISK ARE INVALID", NULL);
	cr_assert(e2e_has(m, "STATUS=1 target "), "status: %s", m);
	/* Unread datagrams would fill the socket and block the daemon. */
	close(n.fd);
	got = serve_ctr_finish(&c);
	cr_assert(eq(str, (char *)got, "one\n"), "daemon log:\n%s",
	    serve_tail(d.log));
	serve_expect_cat(&d, src, "one\n");

	/* Fixed: a reload takes the new rules, and STATUS says all is well. */
	serve_rules(src, two);
	cr_assert(eq(int, kill(d.p.pid, SIGHUP), 0));
	serve_expect_log(&d, "unotifyd: reloaded: 1 rule\n");
	serve_expect_cat(&d, src, "two\n");
	serve_stop(&d);
	serve_child_done(d.p.pid);

	/* Broken rules and nothing kept: not starting, as before. */
	e2e_write(rules, "this is not ini\n", 0644);
	serve_spawn(&d, E2E_ARGV(e2e_unotifyd(), "serve", "--socket", sock,
	    "-r", rules), NULL);
	e2e_wait(&d.p, &r, SERVE_WAIT_MS);
	cr_assert(eq(int, r.code, 125), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, "invalid rules; not starting"), "stderr: %s",
	    r.err);
	e2e_result_free(&r);
}

/*
 * Strings a client chooses (an OCI id, version, bundle) are escaped in the
 * log: an id of "c\n<0>FORGED" cannot start a journal line of emergency
 * priority, with journal prefixes or without.
 */
Test(e2e_serve, client_strings_cannot_forge_log_lines, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst"), *log;
	struct serve_daemon d;
	struct serve_ctr c;
	const char *msg;
	int sock, forged;

	e2e_write(dst, "dst\n", 0644);
	serve_start(&d, serve_rules(src, dst), NULL);
	serve_ctr_start(&c, src);
	msg = e2e_fmt("{\"ociVersion\":\"1\\n<0>V\",\"fds\":[\"seccompFd\"],"
	    "\"pid\":%d,\"state\":{\"id\":\"c\\n<0>FORGED\\r\\u001b[2J\","
	    "\"status\":\"creating\",\"bundle\":\"/b\\n<1>B\\\"q\"}}",
	    (int)c.pid);
	sock = serve_connect(d.sock);
	cr_assert(eq(int, serve_send(sock, msg, strlen(msg), c.listener), 0));
	close(c.listener);
	serve_expect_log(&d, e2e_fmt("unotifyd: runtime pid %d: container "
	    "c\\x0a<0>FORGED\\x0d\\x1b[2J (1\\x0a<0>V, bundle /b\\x0a<1>B\\\"q) "
	    "pid %d\n", (int)getpid(), (int)c.pid));
	serve_expect_log(&d, "unotifyd: target c\\x0a<0>FORGED\\x0d\\x1b[2J "
	    "(pid ");
	cr_assert(eq(str, (char *)serve_ctr_finish(&c), "dst\n"));
	close(sock);
	log = serve_stop(&d);
	forged = e2e_has(log, "\n<0>") || e2e_has(log, "\n<1>") ||
	    e2e_has(log, "\r");
	cr_assert(eq(int, forged, 0), "log:\n%s", serve_tail(log));
}

/* CPU time (user + system) pid used so far, in milliseconds. */
static long
serve_cpu_ms(pid_t pid)
{
	char *stat = e2e_read(e2e_fmt("/proc/%d/stat", (int)pid)), *p;
	unsigned long ut = 0, st = 0;

	cr_assert(stat != NULL, "/proc/%d/stat: %s", (int)pid, strerror(errno));
	/* After "(comm)": state is field 3, utime 14, stime 15. */
	p = strrchr(stat, ')');
	cr_assert(p != NULL && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u "
	    "%*u %*u %*u %lu %lu", &ut, &st) == 2, "stat: %s", stat);
	free(stat);
	return (long)((ut + st) * 1000 / sysconf(_SC_CLK_TCK));
}

/* Open n connections to path, each sending a '{' (an OCI handshake begun)
 * and four descriptors; the number made (a full backlog ends it). */
static int
serve_flood(const char *path, int socks[], int n)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, null, i, made = 0;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0)
		return -1;
	for (i = 0; i < n; i++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		if (fd < 0)
			break;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
			close(fd);
			continue;
		}
		{
			union {
				struct cmsghdr	hdr;
				char		buf[CMSG_SPACE(4 * sizeof(int))];
			} u;
			struct iovec iov = { "{", 1 };
			struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf, .msg_controllen =
			    sizeof(u.buf) };
			struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
			int k, fds[4] = { null, null, null, null };

			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(fds));
			for (k = 0; k < 4; k++)
				memcpy(CMSG_DATA(c) + k * sizeof(int), &fds[k],
				    sizeof(int));
			(void)sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		}
		socks[made++] = fd;
	}
	close(null);
	return made;
}

/*
 * 400 connections from one unprivileged uid, each holding four descriptors,
 * against a daemon with RLIMIT_NOFILE 128: past --max-clients-per-uid (16)
 * they are refused at once, a root `unotifyd exec` still gets its redirect,
 * the daemon does not spin, and its log stays small, the refusals counted
 * in "(N more suppressed)".
 */
Test(e2e_serve, connection_flood_from_one_uid, .timeout = TEST_LIMIT(60))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *sock = e2e_path("sock"), *log, *sup;
	struct serve_daemon d;
	long cpu0, cpu1, t0, t1;
	int pipefd[2], gofd[2], made = 0, status, *socks;
	pid_t pid;

	if (geteuid() != 0)
		cr_skip_test("needs root to flood as nobody");
	cr_assert(eq(int, chmod(e2e_dir(), 0755), 0));
	e2e_write(dst, "legit\n", 0644);
	serve_spawn(&d, E2E_ARGV("/usr/bin/prlimit", "--nofile=128:128", "--",
	    e2e_unotifyd(), "serve", "--socket", sock, "--group", "nogroup",
	    "-r", serve_rules(src, dst)), NULL);
	d.sock = sock;
	serve_expect_log(&d, "unotifyd: ready: ");
	cr_assert(eq(int, pipe2(pipefd, O_CLOEXEC), 0));
	cr_assert(eq(int, pipe2(gofd, O_CLOEXEC), 0));
	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		char b;

		close(pipefd[0]);
		close(gofd[1]);
		socks = calloc(400, sizeof(int));
		if (socks == NULL || setgroups(0, NULL) < 0 ||
		    setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0)
			_exit(1);
		made = serve_flood(sock, socks, 400);
		(void)!write(pipefd[1], &made, sizeof(made));
		(void)!read(gofd[0], &b, 1);
		_exit(0);
	}
	close(pipefd[1]);
	close(gofd[0]);
	cr_assert(eq(int, read(pipefd[0], &made, sizeof(made)),
	    (int)sizeof(made)));
	cr_assert(made >= 16, "only %d connections made", made);
	serve_expect_log(&d, "uid 65534 refused: 16 clients of this uid "
	    "(--max-clients-per-uid)");
	/* The flood holds its 16 places; root still gets in. */
	serve_expect_cat(&d, src, "legit\n");
	/* While the flood holds its connections, the daemon idles: CPU
	 * time over a quiet second, not over the flood's handling (which a
	 * sanitizer build on a busy machine makes long). */
	cpu0 = serve_cpu_ms(d.p.pid);
	t0 = serve_now_ms();
	serve_settle(&d, 1000);
	cpu1 = serve_cpu_ms(d.p.pid);
	t1 = serve_now_ms();
	cr_assert(cpu1 - cpu0 < (t1 - t0) / 2, "the daemon used %ld ms of CPU "
	    "in %ld ms", cpu1 - cpu0, t1 - t0);
	cr_assert(d.len < 65536, "log of %zu bytes:\n%s", d.len,
	    serve_tail(d.log));
	close(gofd[1]);
	cr_assert(eq(int, waitpid(pid, &status, 0), pid));
	close(pipefd[0]);
	log = serve_stop(&d);
	/* The rest were counted, not logged one by one. */
	sup = strstr(log, "(--max-clients-per-uid) (");
	cr_assert(sup != NULL && e2e_has(sup, " more suppressed)\n"),
	    "log:\n%s", serve_tail(log));
	cr_assert(strlen(log) < 65536, "log of %zu bytes", strlen(log));
}

/*
 * Out of descriptors (RLIMIT_NOFILE 64, limits raised past it): accept(2)
 * fails with EMFILE, and the daemon stops accepting instead of spinning on
 * a socket that stays readable; once connections close it accepts again
 * and a waiting `unotifyd exec` is served.
 */
Test(e2e_serve, accept_paused_when_out_of_descriptors, .timeout = TEST_LIMIT(60))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *sock = e2e_path("sock");
	struct serve_daemon d;
	struct e2e_proc p;
	struct e2e_result r;
	int socks[100], made, i;
	long cpu0, cpu1, t0, t1;

	e2e_write(dst, "after the flood\n", 0644);
	serve_spawn(&d, E2E_ARGV("/usr/bin/prlimit", "--nofile=64:64", "--",
	    e2e_unotifyd(), "serve", "--socket", sock, "--max-clients", "1000",
	    "--max-clients-per-uid", "1000", "-r", serve_rules(src, dst)),
	    NULL);
	d.sock = sock;
	serve_expect_log(&d, "unotifyd: ready: ");
	made = serve_flood(sock, socks, 100);
	cr_assert(made > 20, "only %d connections made", made);
	serve_expect_log(&d, "accept: Too many open files; not accepting for "
	    "1 s or until a connection closes");
	cpu0 = serve_cpu_ms(d.p.pid);
	t0 = serve_now_ms();
	serve_settle(&d, 2000);
	cpu1 = serve_cpu_ms(d.p.pid);
	t1 = serve_now_ms();
	cr_assert(cpu1 - cpu0 < (t1 - t0) / 4, "the daemon used %ld ms of CPU "
	    "in %ld ms", cpu1 - cpu0, t1 - t0);
	cr_assert(d.len < 65536, "log of %zu bytes:\n%s", d.len,
	    serve_tail(d.log));
	/* Waits in the backlog, then is served once descriptors are free. */
	e2e_spawn(&p, E2E_ARGV(e2e_unotifyd(), "exec", "--socket", sock, "--",
	    "cat", src), NULL, e2e_dir());
	for (i = 0; i < made; i++)
		close(socks[i]);
	e2e_wait(&p, &r, E2E_TIMEOUT_MS);
	cr_assert(eq(int, r.code, 0), "exec: stderr %s\ndaemon log:\n%s",
	    r.err, serve_tail(d.log));
	cr_assert(eq(str, r.out, "after the flood\n"));
	e2e_result_free(&r);
	serve_stop(&d);
}

/*
 * The handshake deadline covers every step: a client that says nothing,
 * one that stops within the exec hello, one that stops after it (waiting
 * for its target), and one that stops within an OCI message are all
 * dropped after 10 s, and the daemon serves meanwhile.
 */
Test(e2e_serve, handshake_deadline_covers_every_state, .timeout = TEST_LIMIT(60))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct proto_hello hello = { .version = PROTO_VERSION };
	struct proto_filter pf;
	struct serve_daemon d;
	const char *at;
	long deadline;
	int s[4], i;

	e2e_write(dst, "served\n", 0644);
	serve_start(&d, serve_rules(src, dst), NULL);
	memcpy(hello.magic, PROTO_MAGIC, sizeof(hello.magic));
	for (i = 0; i < 4; i++)
		s[i] = serve_connect(d.sock);
	cr_assert(eq(int, serve_send(s[1], PROTO_MAGIC, 3, -1), 0));
	cr_assert(eq(int, serve_send(s[2], (char *)&hello, sizeof(hello), -1),
	    0));
	cr_assert(eq(int, serve_read_all(s[2], &pf, sizeof(pf)), 0));
	cr_assert(eq(int, serve_send(s[3], "{\"ociVersion\":", 14, -1), 0));
	serve_expect_cat(&d, src, "served\n");
	for (i = 0; i < 4; i++) {
		/* Only a hang gets near this limit. */
		cr_assert(serve_closed(s[i], 40000), "connection %d still open "
		    "after the deadline; log:\n%s", i, serve_tail(d.log));
		close(s[i]);
	}
	/* All four drops logged, whatever order they come in. */
	for (deadline = serve_now_ms() + SERVE_WAIT_MS;;) {
		for (i = 0, at = d.log; at != NULL; i++)
			if ((at = strstr(at, "no complete handshake within 10 "
			    "s; connection dropped\n")) != NULL)
				at++;
		if (i > 4 || serve_now_ms() > deadline)
			break;
		serve_read_log(&d, 50);
	}
	cr_assert(eq(int, i - 1, 4), "%d drops logged:\n%s", i - 1,
	    serve_tail(d.log));
	serve_stop(&d);
}

/*
 * The daemon reads an exec client's credentials once (its filter tells of
 * every change): a command that opens as root, then drops to nobody, has
 * its next redirected open done as nobody, and a umask it sets is the one
 * files are created with.
 */
Test(e2e_serve, exec_client_changes_credentials_and_umask,
    .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *dir = e2e_path("out"), *made = e2e_path("out/new");
	struct serve_daemon d;
	struct stat st;
	struct e2e_result r;

	if (geteuid() != 0)
		cr_skip_test("needs root to change to nobody");
	cr_assert(eq(int, chmod(e2e_dir(), 0755), 0));
	e2e_write(dst, "secret\n", 0600);
	e2e_mkdir(dir);
	cr_assert(eq(int, chmod(dir, 0777), 0));
	serve_start(&d, e2e_rules("rules.ini", e2e_fmt("[redirect]\npath = %s\n"
	    "action = redirect\ntarget = %s\n[dir]\npath = %s/\n"
	    "action = redirect\ntarget = %s/\n", src, dst,
	    e2e_path("in"), dir)), NULL);
	serve_exec(&r, d.sock, E2E_ARGV("sh", "-c", e2e_fmt("cat %s; "
	    "setpriv --reuid=65534 --regid=65534 --clear-groups -- sh -c "
	    "'cat %s; umask 077; echo x > %s/new'", src, src,
	    e2e_path("in"))));
	cr_assert(eq(str, r.out, "secret\n"), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, "Permission denied"), "stderr: %s", r.err);
	e2e_result_free(&r);
	cr_assert(eq(int, e2e_mode(made), 0600));
	cr_assert(eq(int, stat(made, &st), 0));
	cr_assert(eq(u32, (unsigned)st.st_uid, 65534));
	serve_stop(&d);
}

/* A client that changes only its umask, after the daemon learned its ids,
 * gets it for what it creates, also where the call reads the ids first (a
 * redirected mkdir walks the destination as the client before it
 * creates). */
Test(e2e_serve, exec_client_changes_umask_alone, .timeout = TEST_LIMIT(30))
{
	const char *in = e2e_path("in"), *out = e2e_path("out");
	struct serve_daemon d;
	struct e2e_result r;

	e2e_mkdir(out);
	serve_start(&d, e2e_rules("rules.ini", e2e_fmt("[dir]\npath = %s/\n"
	    "action = redirect\ntarget = %s/\n", in, out)), NULL);
	/* The first redirected read teaches the daemon the client's ids. */
	serve_exec(&r, d.sock, E2E_ARGV("sh", "-c", e2e_fmt("cat '%1$s/none' "
	    "2>/dev/null; umask 077; mkdir '%1$s/d' && echo hi > '%1$s/f'",
	    in)));
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	e2e_result_free(&r);
	cr_assert(eq(int, e2e_mode(e2e_fmt("%s/d", out)), 0700));
	cr_assert(eq(int, e2e_mode(e2e_fmt("%s/f", out)), 0600));
	serve_stop(&d);
}

/* An exec client's root is looked up once, then followed: after the
 * command's first redirected read the same client chroots (or makes a
 * mount namespace) and gets the file of its new root. */
Test(e2e_serve, exec_client_changes_root, .timeout = TEST_LIMIT(30))
{
	const char *root = e2e_path("root");
	struct serve_daemon d;
	struct e2e_result r;

	if (geteuid() != 0)
		cr_skip_test("chroot and unshare -m need root");
	e2e_mkdir(e2e_path("root/data"));
	e2e_write(e2e_path("root/data/file"), "inside\n", 0644);
	cr_assert(eq(int, system(e2e_fmt("cp %s %s/cat", e2e_target(
	    "raw-static"), root)), 0));
	e2e_write(e2e_path("data-outside"), "outside\n", 0644);
	serve_start(&d, e2e_rules("rules.ini", e2e_fmt("[redirect]\npath = "
	    "/virtual/src\naction = redirect\ntarget = /data/file\n"
	    "[out]\npath = /virtual/out\naction = redirect\ntarget = %s\n",
	    e2e_path("data-outside"))), NULL);
	serve_exec(&r, d.sock, E2E_ARGV("sh", "-c", e2e_fmt("'%s/cat' "
	    "/virtual/out; chroot '%s' /cat /virtual/src", root, root)));
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "outside\ninside\n"), "stderr: %s", r.err);
	e2e_result_free(&r);
	serve_stop(&d);
}

/*
 * A daemon in a mount namespace of its own (as systemd's ProtectSystem=
 * makes one) sees the same root directory with other mounts: a target of
 * the host's namespace still gets the host's files, read and written,
 * however often it calls, never the daemon's.
 */
Test(e2e_serve, daemon_in_its_own_mount_namespace_serves_the_targets_files,
    .timeout = TEST_LIMIT(30))
{
	const char *dir = e2e_path("over"), *dst = e2e_path("over/dst");
	const char *src = e2e_path("src");
	struct serve_daemon d;
	struct e2e_result r;

	if (geteuid() != 0)
		cr_skip_test("a mount namespace with a tmpfs needs root");
	if (access("/usr/bin/unshare", X_OK) != 0)
		cr_skip_test("no /usr/bin/unshare (util-linux)");
	e2e_mkdir(dir);
	e2e_write(dst, "host\n", 0644);
	serve_spawn(&d, E2E_ARGV("/usr/bin/unshare", "-m", "--propagation",
	    "private", "sh", "-c", e2e_fmt("mount -t tmpfs none '%s' && "
	    "echo daemon > '%s' && exec '%s' serve --socket '%s' -r '%s'",
	    dir, dst, e2e_unotifyd(), e2e_path("sock"), e2e_rules("rules.ini",
	    e2e_fmt("[over]\npath = %s\naction = redirect\ntarget = %s\n",
	    src, dst)))), NULL);
	d.sock = e2e_path("sock");
	serve_expect_log(&d, "unotifyd: ready: ");
	serve_exec(&r, d.sock, E2E_ARGV("sh", "-c", e2e_fmt("cat '%s'; "
	    "cat '%s'; echo written >> '%s'; cd '%s' && cat dst", src, src,
	    src, dir)));
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "host\nhost\nhost\nwritten\n"), "stderr: %s",
	    r.err);
	e2e_result_free(&r);
	cr_assert(eq(str, e2e_read(dst), "host\nwritten\n"));
	serve_stop(&d);
}
