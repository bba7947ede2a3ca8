/* SPDX-License-Identifier: MIT */
/* End-to-end: exit statuses, signal forwarding, death of the supervisor,
 * orphaned grandchildren and foreign syscall ABIs (i386 supervised, x32
 * killed, nr -1 passed). */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <linux/audit.h>

#include "e2e.h"
#include "syscalls.h"

TestSuite(e2e_process, .init = e2e_setup, .fini = e2e_teardown,
    .timeout = TEST_LIMIT(30));

/* Exit code of `unotifyd run -- ARGV...`; stderr kept in *err if not NULL. */
static int
run_code(const char *const argv[], char **err)
{
	const char *full[16] = { e2e_unotifyd(), "run", "--" };
	struct e2e_result r;
	size_t i;

	for (i = 0; argv[i] != NULL && i + 4 < 16; i++)
		full[i + 3] = argv[i];
	full[i + 3] = NULL;
	e2e_run(&r, full, NULL, e2e_dir());
	if (err != NULL) {
		*err = r.err;
		r.err = NULL;
	}
	e2e_result_free(&r);
	return r.code;
}

Test(e2e_process, exit_zero, .timeout = TEST_LIMIT(30))
{
	cr_assert(eq(int, run_code(E2E_ARGV("true"), NULL), 0));
}

Test(e2e_process, exit_code_passed_through, .timeout = TEST_LIMIT(30))
{
	cr_assert(eq(int, run_code(E2E_ARGV("sh", "-c", "exit 3"), NULL), 3));
	cr_assert(eq(int, run_code(E2E_ARGV("false"), NULL), 1));
	cr_assert(eq(int, run_code(E2E_ARGV("sh", "-c", "exit 124"), NULL),
	    124));
}

Test(e2e_process, killed_by_signal_128_plus_n, .timeout = TEST_LIMIT(30))
{
	cr_assert(eq(int, run_code(E2E_ARGV("sh", "-c", "kill -TERM $$"),
	    NULL), 143));
	cr_assert(eq(int, run_code(E2E_ARGV("sh", "-c", "kill -KILL $$"),
	    NULL), 137));
	cr_assert(eq(int, run_code(E2E_ARGV("sh", "-c", "kill -USR1 $$"),
	    NULL), 138));
}

Test(e2e_process, command_not_found_127, .timeout = TEST_LIMIT(30))
{
	char *err;

	cr_assert(eq(int, run_code(E2E_ARGV(e2e_path("no-such-command")),
	    &err), 127));
	cr_assert(ne(str, err, ""), "no message on stderr");
	free(err);
	cr_assert(eq(int, run_code(E2E_ARGV("no-such-command-e2e-xyz"),
	    &err), 127));
	free(err);
}

Test(e2e_process, not_executable_126, .timeout = TEST_LIMIT(30))
{
	const char *script = e2e_path("script");
	char *err;

	e2e_write(script, "#!/bin/sh\necho should not run\n", 0644);
	cr_assert(eq(int, run_code(E2E_ARGV(script), &err), 126));
	cr_assert(ne(str, err, ""), "no message on stderr");
	free(err);
	/* A directory is not executable either. */
	cr_assert(eq(int, run_code(E2E_ARGV(e2e_dir()), NULL), 126));
}

Test(e2e_process, bad_rules_125_command_not_run, .timeout = TEST_LIMIT(30))
{
	const char *marker = e2e_path("marker"), *rules;
	struct e2e_result r;

	rules = e2e_rules("bad.ini",
	    "[ok]\n"
	    "path = /nonexistent-e2e/a\n"
	    "action = bogus\n"
	    "\n"
	    "[also-bad]\n"
	    "path = /nonexistent-e2e/b\n"
	    "action = errno\n"
	    "errno = ENOTANERRNO\n");
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", rules, "--", "sh",
	    "-c", e2e_fmt("touch '%s'", marker)), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 125), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, e2e_fmt("%s:3:", rules)), "stderr: %s",
	    r.err);
	/* Every error is reported, not only the first. */
	cr_assert(e2e_has(r.err, e2e_fmt("%s:8:", rules)), "stderr: %s",
	    r.err);
	cr_assert(eq(str, r.out, ""));
	cr_assert(not(e2e_exists(marker)), "the command ran");
	e2e_result_free(&r);
}

Test(e2e_process, usage_errors_125_command_not_run, .timeout = TEST_LIMIT(30))
{
	const char *marker = e2e_path("marker");
	const char *touch = e2e_fmt("touch '%s'", marker);
	const char *const *cases[] = {
		E2E_ARGV(e2e_unotifyd(), "run"),
		E2E_ARGV(e2e_unotifyd(), "run", "--"),
		E2E_ARGV(e2e_unotifyd(), "run", "--no-such-option", "--", "sh",
		    "-c", touch),
		E2E_ARGV(e2e_unotifyd(), "run", "--redirect", "no-equals-sign",
		    "--", "sh", "-c", touch),
		E2E_ARGV(e2e_unotifyd(), "run", "-r",
		    e2e_path("missing.ini"), "--", "sh", "-c", touch),
		E2E_ARGV(e2e_unotifyd(), "no-such-subcommand"),
		E2E_ARGV(e2e_unotifyd()),
	};
	struct e2e_result r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e2e_run(&r, cases[i], NULL, e2e_dir());
		cr_assert(eq(int, r.code, 125), "case %zu: exit %d stderr: %s",
		    i, r.code, r.err);
		cr_assert(ne(str, r.err, ""), "case %zu: silent", i);
		cr_assert(not(e2e_exists(marker)), "case %zu: command ran", i);
		e2e_result_free(&r);
	}
}

Test(e2e_process, sigterm_to_sleep_143, .timeout = TEST_LIMIT(30))
{
	struct e2e_result r;
	struct e2e_proc p;
	pid_t child;

	e2e_spawn(&p, E2E_ARGV(e2e_unotifyd(), "run", "--", "sleep", "10"),
	    NULL, e2e_dir());
	child = e2e_find_child(p.pid, "sleep", 5000);
	cr_assert(ne(int, child, -1), "sleep did not start");
	cr_assert(eq(int, kill(p.pid, SIGTERM), 0));
	e2e_wait(&p, &r, 5000);
	cr_assert(not(r.timed_out), "unotifyd ignored SIGTERM");
	cr_assert(eq(int, r.code, 143), "stderr: %s", r.err);
	cr_assert(lt(long, r.elapsed_ms, TEST_LIMIT(2000)));
	cr_assert(e2e_wait_gone(child, 2000), "sleep %d survived", child);
	e2e_result_free(&r);
}

Test(e2e_process, signals_forwarded, .timeout = TEST_LIMIT(30))
{
	static const char *const sigs[] = {
		"TERM", "INT", "HUP", "QUIT", "USR1", "USR2"
	};
	static const int nums[] = {
		SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2
	};
	struct e2e_result r;
	struct e2e_proc p;
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		const char *ready = e2e_path("ready-%s", sigs[i]);

		/* The trap proves the command got the signal; 7 proves the
		 * exit status is the command's. The sleep keeps the filter in
		 * use: SIGKILL it, since a TERM sent between fork and exec
		 * hits sh's trap handler in the child and is lost. */
		e2e_spawn(&p, E2E_ARGV(e2e_unotifyd(), "run", "--", "sh", "-c",
		    e2e_fmt("trap 'echo got-%s; kill -KILL $pid; exit 7' %s; "
		    "sleep 10 >/dev/null 2>&1 & pid=$!; "
		    "echo ready > '%s'; wait", sigs[i], sigs[i], ready)),
		    NULL, e2e_dir());
		cr_assert(e2e_wait_file(ready, 5000), "%s: never ready",
		    sigs[i]);
		cr_assert(ne(int, e2e_find_child(p.pid, "sleep", 5000), -1));
		cr_assert(eq(int, kill(p.pid, nums[i]), 0));
		e2e_wait(&p, &r, 5000);
		cr_assert(not(r.timed_out), "SIG%s: unotifyd did not exit",
		    sigs[i]);
		cr_assert(eq(str, r.out, (char *)e2e_fmt("got-%s\n", sigs[i])),
		    "SIG%s not forwarded; exit %d stderr: %s", sigs[i],
		    r.code, r.err);
		cr_assert(eq(int, r.code, 7), "SIG%s: stderr: %s", sigs[i],
		    r.err);
		e2e_result_free(&r);
	}
}

Test(e2e_process, sigkill_of_supervisor_kills_command, .timeout = TEST_LIMIT(30))
{
	const char *pidfile = e2e_path("pid");
	struct e2e_result r;
	struct e2e_proc p;
	char *s;
	pid_t pid;

	/* The command's output goes elsewhere: if it survives, it must not
	 * hold our pipes open. */
	e2e_spawn(&p, E2E_ARGV(e2e_unotifyd(), "run", "--", "sh", "-c",
	    e2e_fmt("echo $$ > '%s.tmp' && mv '%s.tmp' '%s' && "
	    "exec sleep 20 >/dev/null 2>&1", pidfile, pidfile, pidfile)),
	    NULL, e2e_dir());
	cr_assert(e2e_wait_file(pidfile, 5000), "command did not start");
	s = e2e_read(pidfile);
	pid = (pid_t)atoi(s);
	free(s);
	cr_assert(gt(int, pid, 1));
	cr_assert(ne(int, e2e_find_child(p.pid, "sleep", 5000), -1));
	cr_assert(eq(int, kill(p.pid, SIGKILL), 0));
	e2e_wait(&p, &r, 5000);
	cr_assert(eq(int, r.code, 128 + SIGKILL));
	if (!e2e_wait_gone(pid, 3000)) {
		kill(pid, SIGKILL);
		cr_fatal("command %d survived SIGKILL of unotifyd", pid);
	}
	e2e_result_free(&r);
}

Test(e2e_process, orphaned_grandchild_still_supervised, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *out = e2e_path("out");
	struct e2e_result r;
	char *got;

	e2e_write(dst, "redirected\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", e2e_target("forktree"), src,
	    out), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "top exiting\n"));
	cr_assert(e2e_wait_file(out, 5000), "the grandchild wrote nothing");
	got = e2e_read(out);
	cr_assert(eq(str, got, "OK redirected\n"),
	    "the orphan was not supervised after its parents exited");
	free(got);
	e2e_result_free(&r);
}

Test(e2e_process, i386_int80_supervised, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_require_x86_64("int $0x80 (i386 syscalls)");
	/* i386 syscalls from a 64-bit process go through the same rules
	 * (neither killed nor let past them). */
	e2e_write(dst, "redirected\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", e2e_target("abi"), "int80", src),
	    NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "out: %s err: %s", r.out, r.err);
	cr_assert(e2e_has(r.out, "survived ret=3 errno=0\n"), "out: %s",
	    r.out);
	cr_assert(e2e_has(r.out, "DATA redirected\n"), "out: %s", r.out);
	e2e_result_free(&r);
}

Test(e2e_process, x32_syscall_killed_sigsys, .timeout = TEST_LIMIT(30))
{
	struct e2e_result r;

	e2e_require_x86_64("x32 syscall numbers");
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--", e2e_target("abi"),
	    "x32", "/dev/null"), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 128 + SIGSYS), "out: %s err: %s", r.out,
	    r.err);
	cr_assert(eq(str, r.out, "calling x32\n"));
	e2e_result_free(&r);
}

/* Skip unless an ARM (AArch32) program runs here: an aarch64 build and a
 * kernel with compat (without, exec fails with ENOEXEC: exit 126/127). */
static const char *
arm32_target(void)
{
	const char *tp;
	struct e2e_result r;

	if (syscalls_native_arch() != AUDIT_ARCH_AARCH64)
		cr_skip_test("ARM compat programs: aarch64 only, this build "
		    "is %s", syscalls_arch_label(syscalls_native_arch()));
	tp = e2e_target("raw-static-arm32");
	e2e_run(&r, E2E_ARGV(tp, "/dev/null"), NULL, e2e_dir());
	if (r.code != 0)
		cr_skip_test("the kernel runs no ARM programs (exit %d: %s)",
		    r.code, r.err);
	e2e_result_free(&r);
	return tp;
}

/* An ARM program's svc #0 openat (ARM numbers, 32-bit registers) goes
 * through the same rules as the native ones. */
Test(e2e_process, arm32_svc_openat_supervised, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *tp = arm32_target();
	struct e2e_result r;

	e2e_write(dst, "redirected\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", tp, src), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "out: %s err: %s", r.out, r.err);
	cr_assert(eq(str, r.out, "redirected\n"));
	e2e_result_free(&r);
}

/* Its stat64 gets the ARM EABI layout (104 bytes, 64-bit members 8-byte
 * aligned): the right st_size, nothing written past the struct. */
Test(e2e_process, arm32_stat64_eabi_layout, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *tp = arm32_target();
	struct e2e_result r;

	e2e_write(dst, "redirected\n", 0644);
	/* Natively first: the target reads the layout right. */
	e2e_run(&r, E2E_ARGV(tp, "-s", dst), NULL, e2e_dir());
	cr_assert(eq(str, r.out, "size=11 guard=ok\n"), "err: %s", r.err);
	e2e_result_free(&r);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", tp, "-s", src), NULL,
	    e2e_dir());
	cr_assert(eq(int, r.code, 0), "out: %s err: %s", r.out, r.err);
	cr_assert(eq(str, r.out, "size=11 guard=ok\n"));
	e2e_result_free(&r);
}

Test(e2e_process, syscall_minus_one_enosys, .timeout = TEST_LIMIT(30))
{
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--", e2e_target("abi"),
	    "nr-1"), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "out: %s err: %s", r.out, r.err);
	cr_assert(eq(str, r.out,
	    "calling nr-1\nsurvived ret=-1 errno=ENOSYS\n"));
	e2e_result_free(&r);
}

Test(e2e_process, nested_supervisor_125, .timeout = TEST_LIMIT(30))
{
	const char *marker = e2e_path("marker");
	struct e2e_result r;

	/* A second listener in one filter chain is refused (EBUSY): the
	 * inner unotifyd must fail cleanly before running its command. */
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--", e2e_unotifyd(),
	    "run", "--", "sh", "-c", e2e_fmt("touch '%s'", marker)), NULL,
	    e2e_dir());
	cr_assert(eq(int, r.code, 125), "stderr: %s", r.err);
	cr_assert(ne(str, r.err, ""));
	cr_assert(not(e2e_exists(marker)), "the inner command ran");
	e2e_result_free(&r);
}

Test(e2e_process, argv_env_stdin_passed_through, .timeout = TEST_LIMIT(30))
{
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--", "sh", "-c",
	    "printf '[%s]' \"$E2E_VAR\" \"$#\" \"$@\"", "zero", "a  b", "",
	    "-v", "--"), E2E_ARGV("E2E_VAR=x y"), e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "[x y][4][a  b][][-v][--]"));
	e2e_result_free(&r);

	/* Our stdin is /dev/null: give unotifyd a pipe through sh. */
	e2e_run(&r, E2E_ARGV("sh", "-c", "echo piped | \"$0\" run -- cat",
	    e2e_unotifyd()), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "piped\n"));
	e2e_result_free(&r);
}

Test(e2e_process, command_in_own_cwd, .timeout = TEST_LIMIT(30))
{
	struct e2e_result r;

	e2e_mkdir(e2e_path("sub"));
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--", "pwd"), NULL,
	    e2e_path("sub"));
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, (char *)e2e_fmt("%s\n", e2e_path("sub"))));
	e2e_result_free(&r);
}
