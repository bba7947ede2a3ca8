/* SPDX-License-Identifier: MIT */
/* Hostile targets: whatever a supervised program does (dies mid-call, nests
 * a listener, hides its memory, passes bad pointers, uses other syscall
 * ABIs, storms signals), it gets its defined answer and unotifyd keeps
 * serving: the next redirected open works. Driven by tests/targets/hostile. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "e2e.h"

TestSuite(hostile, .init = e2e_setup, .fini = e2e_teardown, .timeout = TEST_LIMIT(60));

/* What the redirect target holds; the source itself does not exist, so a
 * match proves the redirect. */
#define DST_DATA	"hostile-dst"

/* `unotifyd run --redirect SRC=DST -- hostile MODE SRC DST_DATA [A1 [A2]]`
 * (a NULL a1 ends the arguments). */
static void
run_hostile(struct e2e_result *r, const char *mode, const char *a1,
    const char *a2, int timeout_ms)
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");

	e2e_write(dst, DST_DATA, 0644);
	e2e_run_timeout(r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", e2e_target("hostile"), mode,
	    src, DST_DATA, a1, a2), NULL,
	    e2e_dir(), timeout_ms);
}

/* The common case: exit 0 and exactly the expected lines. */
static void
expect_answer(const char *mode, const char *out)
{
	struct e2e_result r;

	run_hostile(&r, mode, NULL, NULL, E2E_TIMEOUT_MS);
	cr_assert(eq(str, r.out, (char *)out), "%s: exit %d, stderr: %s",
	    mode, r.code, r.err);
	cr_assert(eq(int, r.code, 0), "%s: stderr: %s", mode, r.err);
	e2e_result_free(&r);
}

/*
 * 1,000 children SIGKILLed 0-2 ms after they start an openat loop of a
 * redirected path (half of them orphans, left to unotifyd to reap; about
 * half of the kills land inside a notified openat): the
 * next open works, unotifyd's fd count is unchanged, its RSS grew by at most
 * 1 MiB, and no zombie child is left to it. hostile samples /proc of its
 * parent, which is unotifyd.
 */
Test(hostile, sigkill_1000_targets_mid_call)
{
	struct e2e_result r;

	run_hostile(&r, "killstorm", "1000",
	    e2e_instrumented() ? "-1" : "1024", 55000);
	cr_assert(eq(int, r.code, 0), "stdout: %s\nstderr: %s", r.out, r.err);
	cr_assert(e2e_has(r.out, "next OK\n"), "stdout: %s", r.out);
	cr_assert(e2e_has(r.out, "zombies=0\n"), "stdout: %s", r.out);
	/* Some kills must have landed inside a notified openat. */
	cr_assert(e2e_has(r.out, "in_openat=") &&
	    atoi(strstr(r.out, "in_openat=") + 10) > 0, "stdout: %s", r.out);
	cr_log_info("%s", r.out);
	e2e_result_free(&r);
}

/* A second listener in the chain is refused by the kernel (EBUSY, as
 * unotifyd(8) says); the first keeps working. */
Test(hostile, nested_listener_ebusy)
{
	expect_answer("nested", "nested ERR EBUSY\nnext OK\n");
}

/* Root reads a non-dumpable target's memory: the redirect works. */
Test(hostile, nondumpable_target_as_root_redirected)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (non-root: see the EPERM test)");
	expect_answer("nodump", "nodump OK\nnext OK\n");
}

/* Not root: unotifyd cannot read a non-dumpable target and fails closed
 * with EPERM and a warning (unotifyd(8) CAVEATS); its dumpable parent is
 * still served. Run as nobody through setpriv. */
Test(hostile, nondumpable_target_as_nobody_eperm)
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	if (geteuid() != 0)
		cr_skip_test("needs root to switch to nobody");
	if (access("/usr/bin/setpriv", X_OK) != 0)
		cr_skip_test("setpriv (util-linux) not installed");
	cr_assert(eq(int, chmod(e2e_dir(), 0755), 0));
	e2e_write(dst, DST_DATA, 0644);
	e2e_run(&r, E2E_ARGV("/usr/bin/setpriv", "--reuid=65534",
	    "--regid=65534", "--clear-groups", "--", e2e_unotifyd(), "run",
	    "--redirect", e2e_fmt("%s=%s", src, dst), "--",
	    e2e_target("hostile"), "nodump", src, DST_DATA), NULL, e2e_dir());
	cr_assert(eq(str, r.out, "nodump ERR EPERM\nnext OK\n"),
	    "exit %d, stderr: %s", r.code, r.err);
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, "cannot read its memory"), "stderr: %s",
	    r.err);
	e2e_result_free(&r);
}

/* A path whose bytes run into an unmapped page: EFAULT, as natively. */
Test(hostile, path_into_unmapped_page_efault)
{
	expect_answer("efault", "efault ERR EFAULT\nnext OK\n");
}

/* PATH_MAX bytes without a NUL, right before an unmapped page: the kernel
 * says ENAMETOOLONG (it reads no further), so must unotifyd. */
Test(hostile, path_max_without_nul_enametoolong)
{
	expect_answer("toolong", "toolong ERR ENAMETOOLONG\nnext OK\n");
}

/* nr == -1 passes the filter (tracers use it) and gets ENOSYS. */
Test(hostile, nr_minus_one_enosys)
{
	expect_answer("nr-1", "nr-1 ENOSYS\nnext OK\n");
}

/* An x32 syscall number kills the process that made it (SIGSYS); its
 * parent is still served. */
Test(hostile, x32_child_killed_sigsys)
{
	e2e_require_x86_64("x32 syscall numbers");
	expect_answer("x32", "x32 killed by SYS\nnext OK\n");
}

/* The same in the command itself: exit 128 + SIGSYS. */
Test(hostile, x32_command_exit_159)
{
	struct e2e_result r;

	e2e_require_x86_64("x32 syscall numbers");
	run_hostile(&r, "x32-self", NULL, NULL, E2E_TIMEOUT_MS);
	cr_assert(eq(int, r.code, 128 + SIGSYS), "stdout: %s stderr: %s",
	    r.out, r.err);
	cr_assert(eq(str, r.out, ""));
	e2e_result_free(&r);
}

/* i386 syscalls from a 64-bit process: an int $0x80 open of a redirected
 * path is redirected, an unhandled i386 syscall (getpid) passes. */
Test(hostile, int80_open_redirected_other_i386_passes)
{
	e2e_require_x86_64("int $0x80 (i386 syscalls)");
	expect_answer("int80", "int80 open OK " DST_DATA "\n"
	    "int80 getpid OK\nnext OK\n");
}

/* A 50 us ITIMER_REAL with an SA_RESTART handler: every redirected open
 * completes (interrupted notifications restart, no EINTR, no livelock). */
Test(hostile, itimer_50us_sa_restart_no_failure)
{
	const char *n = e2e_instrumented() ? "500" : "3000";
	struct e2e_result r;

	run_hostile(&r, "itimer", n, NULL, 55000);
	cr_assert(eq(int, r.code, 0), "stdout: %s\nstderr: %s", r.out, r.err);
	cr_assert(e2e_has(r.out, e2e_fmt("itimer opens=%s ", n)), "stdout: %s",
	    r.out);
	cr_assert(e2e_has(r.out, " fail=0\nnext OK\n"), "stdout: %s", r.out);
	e2e_result_free(&r);
}

/* Send TERM and HUP to pid every 50 us until it is gone (or reaped). */
static pid_t
start_storm(pid_t pid)
{
	struct timespec ts = { 0, 50000 };
	pid_t storm;

	fflush(NULL);
	if ((storm = fork()) != 0)
		return storm;
	for (;;) {
		if (kill(pid, SIGTERM) == -1 || kill(pid, SIGHUP) == -1)
			_exit(0);
		nanosleep(&ts, NULL);
	}
}

/*
 * SIGTERM and SIGHUP storms on unotifyd while the command, which traps both,
 * keeps opening a redirected path: unotifyd forwards them, nothing hangs,
 * and the exit status is the command's. bash: its trap handlers use
 * SA_RESTART. dash's do not, and an open waiting for unotifyd when a signal
 * arrives fails with EINTR (a kernel rule for notified calls not yet
 * received), which a regular file never gives natively.
 */
Test(hostile, sigterm_sighup_storm_on_unotifyd)
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *ready = e2e_path("ready");
	struct e2e_result r;
	struct e2e_proc p;
	const char *script;
	pid_t storm;
	int traps = -1;
	const char *t;

	if (access("/bin/bash", X_OK) != 0)
		cr_skip_test("bash not installed");
	e2e_write(dst, DST_DATA "\n", 0644);
	script = e2e_fmt("n=0; trap 'n=$((n+1))' TERM HUP; echo go > '%s'; "
	    "i=0; while [ $i -lt %d ]; do read -r l < '%s' || exit 3; "
	    "[ \"$l\" = %s ] || exit 4; i=$((i+1)); done; echo traps=$n; "
	    "exit 42", ready, e2e_instrumented() ? 300 : 3000, src, DST_DATA);
	e2e_spawn(&p, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", "/bin/bash", "-c", script),
	    NULL, e2e_dir());
	/* Before its signal handling is set up unotifyd would just die. */
	cr_assert(e2e_wait_file(ready, E2E_TIMEOUT_MS), "command not started");
	storm = start_storm(p.pid);
	cr_assert(storm > 0);
	e2e_wait(&p, &r, 50000);
	kill(storm, SIGKILL);
	waitpid(storm, NULL, 0);
	cr_assert(eq(int, r.timed_out, 0), "hung; stdout: %s stderr: %s", r.out, r.err);
	cr_assert(eq(int, r.code, 42), "stdout: %s\nstderr: %s", r.out,
	    r.err);
	if ((t = strstr(r.out, "traps=")) != NULL)
		traps = atoi(t + 6);
	cr_assert(gt(int, traps, 0), "nothing forwarded: %s", r.out);
	cr_log_info("%s", r.out);
	e2e_result_free(&r);
}
