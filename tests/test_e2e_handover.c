/* SPDX-License-Identifier: MIT */
/* End-to-end: one `unotifyd serve` handing its targets and socket over to
 * another on the same socket path, while a target opens redirected paths in
 * a loop; SIGTERM waiting for a successor; a successor that fails. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
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
#include "handover.h"

/* Only a hang reaches these. */
#define HAND_WAIT_MS	10000
#define HAND_LOOP_MS	30000
/* Reads of the second content the looping target makes before it ends. */
#define HAND_ROUNDS	"300"

TestSuite(e2e_handover, .init = e2e_setup, .fini = e2e_teardown,
    .timeout = TEST_LIMIT(60));

/* A daemon whose stderr goes to a file, read as it grows. */
struct hand_daemon {
	struct e2e_proc	 p;
	const char	*log;
};

/* What the daemon logged so far (kept until teardown). */
static const char *
hand_log(const struct hand_daemon *d)
{
	char *s = e2e_read(d->log);
	const char *kept = e2e_fmt("%s", s != NULL ? s : "");

	free(s);
	return kept;
}

/* Assert that the log holds needle within HAND_WAIT_MS. */
static void
hand_expect(const struct hand_daemon *d, const char *needle)
{
	int waited;

	for (waited = 0; waited < HAND_WAIT_MS; waited += 20) {
		if (e2e_has(hand_log(d), needle))
			return;
		e2e_sleep_ms(20);
	}
	cr_fatal("%s did not log '%s'; its log:\n%s", d->log, needle,
	    hand_log(d));
}

/*
 * `unotifyd serve` on <tmp>/sock with rules and option opt (with its
 * value unless NULL), logging to <tmp>/NAME.log.
 */
static void
hand_spawn(struct hand_daemon *d, const char *name, const char *rules,
    const char *opt, const char *val)
{
	const char *argv[] = { "sh", "-c", "log=$1; shift; exec \"$0\" \"$@\" "
	    "2>\"$log\"", e2e_unotifyd(), e2e_path("%s.log", name), "serve",
	    "--socket", e2e_path("sock"), "-r", rules, opt, val, NULL };

	d->log = argv[4];
	e2e_spawn(&d->p, argv, E2E_ARGV("NOTIFY_SOCKET", "LISTEN_FDS",
	    "LISTEN_PID", "LISTEN_FDNAMES"), e2e_dir());
	hand_expect(d, "unotifyd: ready: ");
}

/* The same with --handover-wait wait. */
static void
hand_start(struct hand_daemon *d, const char *name, const char *rules,
    const char *wait)
{
	hand_spawn(d, name, rules, "--handover-wait", wait);
}

/* Wait for the daemon to exit by itself; assert it exited 0. */
static void
hand_exited(struct hand_daemon *d)
{
	struct e2e_result r;

	e2e_wait(&d->p, &r, HAND_WAIT_MS);
	cr_assert(not(r.timed_out), "%s did not exit; log:\n%s", d->log,
	    hand_log(d));
	cr_assert(eq(int, r.code, 0), "%s exited %d; log:\n%s", d->log,
	    r.code, hand_log(d));
	e2e_result_free(&r);
}

/* SIGTERM, then hand_exited(). */
static void
hand_stop(struct hand_daemon *d)
{
	cr_assert(eq(int, kill(d->p.pid, SIGTERM), 0));
	hand_exited(d);
}

/* Rules <tmp>/NAME redirecting <tmp>/src to <tmp>/DST. */
static const char *
hand_rules(const char *name, const char *dst)
{
	return e2e_rules(name, e2e_fmt("[redirect]\npath = %s\naction = "
	    "redirect\ntarget = %s\n", e2e_path("src"), e2e_path("%s", dst)));
}

/* The looping target under `unotifyd exec`: it reads "one" (the first
 * daemon's redirect) until it has read "two" HAND_ROUNDS times. */
static void
hand_loop(struct e2e_proc *p)
{
	e2e_write(e2e_path("one"), "one\n", 0644);
	e2e_write(e2e_path("two"), "two\n", 0644);
	e2e_spawn(p, E2E_ARGV(e2e_unotifyd(), "exec", "--socket",
	    e2e_path("sock"), "--", e2e_target("loop-open"), e2e_path("src"),
	    "one\n", "two\n", HAND_ROUNDS, e2e_path("progress")), NULL,
	    e2e_dir());
}

/* The looping target's counts so far; -1s before its first report. */
static void
hand_progress(long *one, long *two, long *fail)
{
	char *s = e2e_read(e2e_path("progress"));

	*one = *two = *fail = -1;
	if (s != NULL && sscanf(s, "%ld %ld %ld", one, two, fail) != 3)
		*one = *two = *fail = -1;
	free(s);
}

/* Wait until the target has read "one" more than `after` times. */
static void
hand_expect_progress(long after)
{
	long one, two, fail;
	int waited;

	for (waited = 0; waited < HAND_WAIT_MS; waited += 10) {
		hand_progress(&one, &two, &fail);
		cr_assert(fail <= 0, "the target saw %ld failures", fail);
		if (one > after)
			return;
		e2e_sleep_ms(10);
	}
	cr_fatal("the target read 'one' %ld times, not more than %ld",
	    one, after);
}

/* The looping target's end: every call answered, both daemons seen. */
static void
hand_loop_done(struct e2e_proc *p)
{
	struct e2e_result r;
	long one = -1, two = -1, fail = -1;

	e2e_wait(p, &r, HAND_LOOP_MS);
	cr_assert(not(r.timed_out), "the target did not finish");
	cr_assert(eq(int, sscanf(r.out, "one=%ld two=%ld fail=%ld", &one, &two,
	    &fail), 3), "target said: %s / %s", r.out, r.err);
	cr_assert(eq(long, fail, 0), "%ld calls failed: %s", fail, r.err);
	cr_assert(eq(int, r.code, 0), "target exit %d: %s", r.code, r.err);
	cr_assert(one > 0 && two >= atol(HAND_ROUNDS), "%s", r.out);
	e2e_result_free(&r);
}

/* A target that makes no call: `unotifyd exec -- sleep 60` on d. */
static void
hand_sleeper(struct hand_daemon *d, struct e2e_proc *t)
{
	e2e_spawn(t, E2E_ARGV(e2e_unotifyd(), "exec", "--socket",
	    e2e_path("sock"), "--", "sleep", "60"), NULL, e2e_dir());
	hand_expect(d, "unotifyd: target sleep (pid ");
}

/* Kill and reap a process group. */
static void
hand_kill(struct e2e_proc *t)
{
	struct e2e_result r;

	kill(-t->pid, SIGKILL);
	e2e_wait(t, &r, HAND_WAIT_MS);
	e2e_result_free(&r);
}

Test(e2e_handover, successor_takes_over_a_busy_target)
{
	struct hand_daemon a, b;
	struct e2e_proc loop;
	struct e2e_result r;
	const char *log;

	hand_start(&a, "a", hand_rules("a.ini", "one"), "30");
	cr_assert(eq(int, e2e_mode(e2e_path("sock.handover")), 0600));
	hand_loop(&loop);
	hand_expect(&a, "/loop-open (pid ");
	hand_expect_progress(50);

	/* Started while the first one runs: it takes everything over. */
	hand_start(&b, "b", hand_rules("b.ini", "two"), "30");
	hand_expect(&b, e2e_fmt("unotifyd: hand-over: taking over from pid "
	    "%d\n", (int)a.p.pid));
	hand_expect(&b, e2e_fmt("unotifyd: hand-over: took 1 targets and 1 "
	    "sockets from pid %d\n", (int)a.p.pid));
	hand_expect(&b, e2e_fmt("unotifyd: listening on the sockets of pid "
	    "%d\n", (int)a.p.pid));
	hand_exited(&a);
	log = hand_log(&a);
	cr_assert(e2e_has(log, "unotifyd: hand-over: successor pid "), "%s",
	    log);
	cr_assert(e2e_has(log, e2e_fmt("unotifyd: handed 1 targets over to "
	    "pid %d; exiting\n", (int)b.p.pid)), "%s", log);

	/* The target went on with the successor's rules, losing nothing. */
	hand_loop_done(&loop);
	hand_expect(&b, "/loop-open (pid ");
	/* The socket path is the successor's: new clients reach it. */
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "exec", "--socket",
	    e2e_path("sock"), "--", "cat", e2e_path("src")), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "exec: %s", r.err);
	cr_assert(eq(str, r.out, "two\n"));
	e2e_result_free(&r);
	cr_assert(eq(int, e2e_mode(e2e_path("sock.handover")), 0600));
	hand_stop(&b);
	cr_assert(not(e2e_exists(e2e_path("sock"))), "socket left behind");
	cr_assert(not(e2e_exists(e2e_path("sock.handover"))),
	    "hand-over socket left behind");
}

Test(e2e_handover, handover_stay_idles_until_stopped)
{
	struct hand_daemon a, b;
	struct e2e_proc t;
	struct e2e_result r;

	e2e_write(e2e_path("two"), "two\n", 0644);
	hand_spawn(&a, "a", hand_rules("a.ini", "one"), "--handover-stay",
	    NULL);
	hand_sleeper(&a, &t);
	hand_start(&b, "b", hand_rules("b.ini", "two"), "30");
	hand_expect(&a, e2e_fmt("unotifyd: handed 1 targets over to pid %d; "
	    "idle until stopped (--handover-stay)\n", (int)b.p.pid));
	/* Still there, holding nothing: the successor serves. */
	cr_assert(eq(int, kill(a.p.pid, 0), 0));
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "exec", "--socket",
	    e2e_path("sock"), "--", "cat", e2e_path("src")), NULL, e2e_dir());
	cr_assert(eq(str, r.out, "two\n"), "exec: %s", r.err);
	e2e_result_free(&r);
	hand_stop(&a);
	cr_assert(e2e_has(hand_log(&a), "unotifyd: Terminated: stopping with "
	    "0 targets\n"), "%s", hand_log(&a));
	cr_assert(e2e_exists(e2e_path("sock")));
	cr_assert(e2e_exists(e2e_path("sock.handover")));
	hand_kill(&t);
	hand_stop(&b);
}

Test(e2e_handover, sigterm_waits_for_a_successor)
{
	struct hand_daemon a, b;
	struct e2e_proc loop;
	long one, two, fail;

	hand_start(&a, "a", hand_rules("a.ini", "one"), "60");
	hand_loop(&loop);
	hand_expect(&a, "/loop-open (pid ");
	hand_expect_progress(0);
	cr_assert(eq(int, kill(a.p.pid, SIGTERM), 0));
	hand_expect(&a, "unotifyd: Terminated: waiting up to 60 s for a "
	    "successor to take over 1 targets\n");
	/* Still served while it waits. */
	hand_progress(&one, &two, &fail);
	hand_expect_progress(one + 100);
	cr_assert(not(e2e_has(hand_log(&a), "stopping with")), "%s",
	    hand_log(&a));

	hand_start(&b, "b", hand_rules("b.ini", "two"), "60");
	hand_expect(&b, "unotifyd: hand-over: took 1 targets and 1 sockets");
	hand_exited(&a);
	hand_loop_done(&loop);
	hand_stop(&b);
}

Test(e2e_handover, wait_expires_or_second_signal)
{
	struct hand_daemon a;
	struct e2e_proc t;
	const char *log;

	/* The wait runs out: a clean exit all the same. */
	hand_start(&a, "a", hand_rules("a.ini", "one"), "1");
	hand_sleeper(&a, &t);
	hand_stop(&a);
	log = hand_log(&a);
	cr_assert(e2e_has(log, "unotifyd: Terminated: waiting up to 1 s for "
	    "a successor to take over 1 targets\n"), "%s", log);
	cr_assert(e2e_has(log, "unotifyd: no successor within 1 s: closing 1 "
	    "listeners fails their calls with ENOSYS\n"), "%s", log);
	cr_assert(e2e_has(log, "unotifyd: Terminated: stopping with 1 "
	    "targets\n"), "%s", log);
	hand_kill(&t);

	/* A second signal does not wait. */
	hand_start(&a, "a2", hand_rules("a.ini", "one"), "3600");
	hand_sleeper(&a, &t);
	cr_assert(eq(int, kill(a.p.pid, SIGTERM), 0));
	hand_expect(&a, "waiting up to 3600 s");
	cr_assert(eq(int, kill(a.p.pid, SIGINT), 0));
	hand_exited(&a);
	cr_assert(e2e_has(hand_log(&a), "unotifyd: Interrupt again: not "
	    "waiting for a successor\n"), "%s", hand_log(&a));
	hand_kill(&t);

	/* The last target leaving ends the wait. */
	hand_start(&a, "a4", hand_rules("a.ini", "one"), "3600");
	hand_sleeper(&a, &t);
	cr_assert(eq(int, kill(a.p.pid, SIGTERM), 0));
	hand_expect(&a, "waiting up to 3600 s");
	hand_kill(&t);
	hand_exited(&a);
	cr_assert(e2e_has(hand_log(&a), "unotifyd: no targets left to hand "
	    "over\nunotifyd: Terminated: stopping with 0 targets\n"), "%s",
	    hand_log(&a));

	/* 0: no wait at all. */
	hand_start(&a, "a3", hand_rules("a.ini", "one"), "0");
	hand_sleeper(&a, &t);
	hand_stop(&a);
	cr_assert(not(e2e_has(hand_log(&a), "waiting")), "%s", hand_log(&a));
	hand_kill(&t);
}

/* A SOCK_SEQPACKET socket for <tmp>/sock.handover and its address. */
static int
hand_socket(struct sockaddr_un *sun)
{
	int fd;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s",
	    e2e_path("sock.handover"));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	cr_assert(fd >= 0);
	return fd;
}

/* Connect to the daemon's hand-over socket. */
static int
hand_connect(void)
{
	struct sockaddr_un sun;
	int fd = hand_socket(&sun);

	cr_assert(eq(int, connect(fd, (struct sockaddr *)&sun, sizeof(sun)),
	    0), "connect: %s", strerror(errno));
	return fd;
}

/* Send one encoded message. */
static void
hand_send(int fd, const struct handover_msg *m)
{
	unsigned char buf[256];
	ssize_t n = handover_encode(m, buf, sizeof(buf));

	cr_assert(n > 0);
	cr_assert(eq(int, fdpass_send(fd, -1, buf, (size_t)n), 0));
}

/* Receive and decode one message within HAND_WAIT_MS. */
static void
hand_recv(int fd, struct handover_msg *m)
{
	unsigned char buf[HANDOVER_MSG_MAX];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char *cause = NULL;
	int fds[4];
	size_t nfds;
	ssize_t n;

	cr_assert(eq(int, poll(&pfd, 1, HAND_WAIT_MS), 1));
	n = fdpass_recv_fds(fd, fds, 4, &nfds, buf, sizeof(buf));
	cr_assert(n > 0, "recv: %zd", n);
	cr_assert(eq(int, handover_decode(buf, (size_t)n, fds, nfds, m,
	    &cause), 0), "decode: %s", cause);
}

Test(e2e_handover, failed_successor_leaves_everything_served)
{
	struct handover_msg hello = { .type = HANDOVER_HELLO, .fd = -1 };
	struct handover_msg m;
	struct hand_daemon a;
	struct e2e_proc loop;
	struct e2e_result r;
	long one, two, fail;
	int fd;

	hand_start(&a, "a", hand_rules("a.ini", "one"), "30");
	hand_loop(&loop);
	hand_expect(&a, "/loop-open (pid ");
	hand_expect_progress(0);

	/* A successor that takes everything, then dies before its ACK. */
	fd = hand_connect();
	hand_send(fd, &hello);
	hand_recv(fd, &m);
	cr_assert(eq(int, m.type, HANDOVER_TARGET));
	cr_assert(eq(str, m.str[HANDOVER_STR_NAME],
	    (char *)e2e_target("loop-open")));
	cr_assert(eq(str, m.str[HANDOVER_STR_METADATA], ""));
	cr_assert(m.fd >= 0);
	handover_msg_fini(&m);
	hand_recv(fd, &m);
	cr_assert(eq(int, m.type, HANDOVER_SOCKET));
	cr_assert(eq(int, m.flags, HANDOVER_SOCKET_OWN));
	handover_msg_fini(&m);
	hand_recv(fd, &m);
	cr_assert(eq(int, m.type, HANDOVER_END));
	cr_assert(eq(int, m.ntargets, 1));
	cr_assert(eq(int, m.nsockets, 1));
	close(fd);
	hand_expect(&a, "; still serving every target\n");
	hand_progress(&one, &two, &fail);
	hand_expect_progress(one + 100);

	/* Garbage instead of HELLO. */
	fd = hand_connect();
	cr_assert(eq(int, fdpass_send(fd, -1, "garbage-garbage-garbage", 23),
	    0));
	hand_expect(&a, "failed: bad magic; still serving every target\n");
	close(fd);

	/* A refusal (ACK with an error) right after HELLO. */
	fd = hand_connect();
	hand_send(fd, &hello);
	m = (struct handover_msg){ .type = HANDOVER_ACK, .fd = -1,
	    .error = EINVAL };
	hand_send(fd, &m);
	hand_expect(&a, "failed: it refused: Invalid argument; still serving "
	    "every target\n");
	close(fd);

	/* Accepting again: new clients are served. */
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "exec", "--socket",
	    e2e_path("sock"), "--", "cat", e2e_path("src")), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "exec: %s", r.err);
	cr_assert(eq(str, r.out, "one\n"));
	e2e_result_free(&r);
	hand_progress(&one, &two, &fail);
	hand_expect_progress(one + 100);
	cr_assert(eq(int, kill(loop.pid, SIGKILL), 0));
	e2e_wait(&loop, &r, HAND_WAIT_MS);
	e2e_result_free(&r);
	hand_stop(&a);
}

/* A fake old daemon at <tmp>/sock.handover: its listening socket. */
static int
hand_fake_old(void)
{
	struct sockaddr_un sun;
	int fd = hand_socket(&sun);

	cr_assert(eq(int, bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0));
	cr_assert(eq(int, listen(fd, 1), 0));
	return fd;
}

/* Start a successor against the fake, accept it, read its HELLO. */
static int
hand_successor(struct e2e_proc *p, int lfd)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	struct handover_msg m;
	int fd;

	e2e_spawn(p, E2E_ARGV(e2e_unotifyd(), "serve", "--socket",
	    e2e_path("sock"), "-r", hand_rules("b.ini", "two")),
	    E2E_ARGV("NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID"), e2e_dir());
	cr_assert(eq(int, poll(&pfd, 1, HAND_WAIT_MS), 1));
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	cr_assert(fd >= 0);
	hand_recv(fd, &m);
	cr_assert(eq(int, m.type, HANDOVER_HELLO));
	return fd;
}

/* The successor's answer: an ACK refusing with err, then exit 125. */
static void
hand_refused(struct e2e_proc *p, int fd, int err, const char *why)
{
	struct handover_msg m;
	struct e2e_result r;

	hand_recv(fd, &m);
	cr_assert(eq(int, m.type, HANDOVER_ACK));
	cr_assert(eq(int, m.error, err), "error %d", m.error);
	e2e_wait(p, &r, HAND_WAIT_MS);
	cr_assert(eq(int, r.code, 125), "exit %d: %s", r.code, r.err);
	cr_assert(e2e_has(r.err, why), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, "unotifyd: not starting: the running daemon "
	    "(pid "), "stderr: %s", r.err);
	cr_assert(not(e2e_exists(e2e_path("sock"))), "it made its own socket");
	e2e_result_free(&r);
	close(fd);
}

Test(e2e_handover, successor_refuses_what_it_cannot_serve)
{
	struct handover_msg m = { .type = HANDOVER_TARGET, .fd = -1,
	    .pid = 1 };
	unsigned char buf[256];
	struct e2e_proc p;
	ssize_t n;
	int lfd = hand_fake_old(), fd, devnull;

	/* Rules it does not have: it refuses rather than lose them. */
	fd = hand_successor(&p, lfd);
	m.str[HANDOVER_STR_NAME] = "ctr";
	m.str[HANDOVER_STR_METADATA] = "rules=nowhere";
	n = handover_encode(&m, buf, sizeof(buf));
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	cr_assert(eq(int, fdpass_send(fd, devnull, buf, (size_t)n), 0));
	hand_refused(&p, fd, EINVAL, "metadata: no rules file nowhere.ini");

	/* Not a seccomp listener. */
	fd = hand_successor(&p, lfd);
	m.str[HANDOVER_STR_METADATA] = "";
	n = handover_encode(&m, buf, sizeof(buf));
	cr_assert(eq(int, fdpass_send(fd, devnull, buf, (size_t)n), 0));
	hand_refused(&p, fd, ENOTTY, "not a seccomp listener");

	/* A malformed message: named, and refused whole. */
	fd = hand_successor(&p, lfd);
	buf[9] = 7;		/* version 1 -> 0x0701 */
	cr_assert(eq(int, fdpass_send(fd, devnull, buf, (size_t)n), 0));
	hand_refused(&p, fd, EPROTO, "hand-over from pid ");

	/* END counting what never came. */
	fd = hand_successor(&p, lfd);
	m = (struct handover_msg){ .type = HANDOVER_END, .fd = -1,
	    .ntargets = 2, .nsockets = 1 };
	hand_send(fd, &m);
	hand_refused(&p, fd, EBADMSG, "END says 2 targets and 1 sockets, 0 "
	    "and 0 came");
	close(devnull);
	close(lfd);
}
