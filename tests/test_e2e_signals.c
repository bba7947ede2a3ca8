/* SPDX-License-Identifier: MIT */
/* End-to-end: a signal sent to `unotifyd run` and its command at once (a
 * kill of the process group, as timeout(1) does) reaches the command once;
 * one sent to unotifyd alone still reaches it. systemd's signal to every
 * process of a unit is checked by make check-systemd. */
#include <sys/wait.h>

#include <errno.h>
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

TestSuite(e2e_signals, .init = e2e_setup, .fini = e2e_teardown,
    .timeout = 30);


/* Times each signal is sent; a duplicate needs the first to be handled
 * before the second comes, which happens only now and then. */
#define SIG_ROUNDS	5

/* Occurrences of needle in hay. */
static int
sig_count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

/* Read p's stdout into buf until needle occurs want times (or EOF, or
 * 20 s, a limit only a hang reaches). */
static int
sig_read_until(struct e2e_proc *p, char *buf, size_t len, size_t *have,
    const char *needle, int want)
{
	struct pollfd pfd = { .fd = p->outfd, .events = POLLIN };
	ssize_t n;
	int i;

	for (i = 0; i < 400 && sig_count(buf, needle) < want; i++) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if ((n = read(p->outfd, buf + *have, len - 1 - *have)) <= 0)
			break;
		*have += n;
		buf[*have] = '\0';
	}
	return sig_count(buf, needle) >= want;
}

/* Run sigcount under unotifyd, send SIGTERM SIG_ROUNDS times to the
 * process group (group) or to unotifyd alone, waiting for each to be
 * handled; return everything the command printed. */
static const char *
sig_run(int group)
{
	const char *stop = e2e_path("stop");
	struct timespec settle = { 0, 200000000 };
	struct e2e_proc p;
	struct e2e_result r;
	char buf[512] = "";
	size_t have = 0;
	int i;

	e2e_spawn(&p, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", e2e_path("src"), e2e_path("dst")), "--",
	    e2e_target("sigcount"), stop), NULL, e2e_dir());
	cr_assert(sig_read_until(&p, buf, sizeof(buf), &have, "ready\n", 1),
	    "no ready: %s", buf);
	for (i = 1; i <= SIG_ROUNDS; i++) {
		/* e2e_spawn made unotifyd a process group leader. */
		cr_assert(eq(int, kill(group ? -p.pid : p.pid, SIGTERM), 0));
		cr_assert(sig_read_until(&p, buf, sizeof(buf), &have,
		    "TERM\n", i), "round %d: %s", i, buf);
		/* Room for a second delivery, had there been one. */
		nanosleep(&settle, NULL);
	}
	e2e_write(stop, "", 0644);
	e2e_wait(&p, &r, E2E_TIMEOUT_MS);
	cr_assert(eq(int, r.code, 0), "exit %d, stderr: %s", r.code, r.err);
	return e2e_fmt("%s%s", buf, r.out);
}

/* As timeout(1) or `kill -- -PGID` signal: unotifyd and the command. */
Test(e2e_signals, group_kill_reaches_command_once)
{
	const char *out = sig_run(1);

	cr_assert(e2e_has(out, e2e_fmt("TERM %d\n", SIG_ROUNDS)), "%d "
	    "SIGTERMs sent, the command handled: %s", SIG_ROUNDS, out);
}

Test(e2e_signals, kill_of_unotifyd_reaches_command)
{
	const char *out = sig_run(0);

	cr_assert(e2e_has(out, e2e_fmt("TERM %d\n", SIG_ROUNDS)), "%d "
	    "SIGTERMs sent, the command handled: %s", SIG_ROUNDS, out);
}
