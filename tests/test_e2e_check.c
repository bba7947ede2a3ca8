/* SPDX-License-Identifier: MIT */
/* End-to-end: what `unotifyd check` tells a user: empty directories,
 * directory redirects without '/', missing targets, the service's
 * environment, and the words it uses. */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "e2e.h"

TestSuite(e2e_check, .init = e2e_setup_nokernel, .fini = e2e_teardown,
    .timeout = 30);

static void
check(struct e2e_result *r, const char *const argv[])
{
	e2e_run(r, argv, NULL, e2e_dir());
}

Test(e2e_check, directory_without_ini_is_an_error, .timeout = 30)
{
	const char *dir = e2e_path("conf");
	struct e2e_result r;

	e2e_mkdir(dir);
	e2e_write(e2e_path("conf/app.conf"), "[x]\npath=/a\naction=continue\n",
	    0644);
	check(&r, E2E_ARGV(e2e_unotifyd(), "check", "-r", dir));
	cr_assert(eq(int, r.code, 1), "stdout: %s", r.out);
	cr_assert(e2e_has(r.err, e2e_fmt("%s: no *.ini file in this "
	    "directory\n", dir)), "%s", r.err);
	e2e_result_free(&r);
	/* run refuses to start the command rather than run it unruled. */
	check(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", dir, "--", "true"));
	cr_assert(eq(int, r.code, 125));
	cr_assert(e2e_has(r.err, "no *.ini file"), "%s", r.err);
	e2e_result_free(&r);
}

Test(e2e_check, redirect_warnings_with_file_and_line, .timeout = 30)
{
	const char *rules, *dir = e2e_path("appdir");
	struct e2e_result r;

	e2e_mkdir(dir);
	e2e_write(e2e_path("there"), "x", 0644);
	rules = e2e_rules("w.ini", e2e_fmt(
	    "[dir-no-slash]\npath = %s\naction = redirect\ntarget = %s\n"
	    "[missing-target]\npath = %s\naction = redirect\ntarget = %s\n"
	    "[fine]\npath = %s/\naction = redirect\ntarget = %s/\n",
	    dir, e2e_path("there"), e2e_path("a"), e2e_path("nowhere"),
	    dir, dir));
	check(&r, E2E_ARGV(e2e_unotifyd(), "check", "-r", rules));
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, e2e_fmt("%s:1: warning: rule 'dir-no-slash': "
	    "%s is a directory, and a path without a trailing '/' redirects "
	    "only itself, not the files in it (write %s/ for those)\n", rules,
	    dir, dir)), "%s", r.err);
	cr_assert(e2e_has(r.err, e2e_fmt("%s:5: warning: rule "
	    "'missing-target': redirect target %s does not exist", rules,
	    e2e_path("nowhere"))), "%s", r.err);
	cr_assert(not(e2e_has(r.err, "'fine'")), "%s", r.err);
	cr_assert(e2e_has(r.out, "3 rules OK; "), "%s", r.out);
	cr_assert(e2e_has(r.out, "\n2 warnings\n"), "%s", r.out);
	e2e_result_free(&r);
	/* --redirect has no line. */
	check(&r, E2E_ARGV(e2e_unotifyd(), "check", "--redirect",
	    e2e_fmt("%s=%s", dir, e2e_path("there"))));
	cr_assert(eq(int, r.code, 0));
	cr_assert(e2e_has(r.err, e2e_fmt("--redirect '%s=%s': warning: %s is "
	    "a directory", dir, e2e_path("there"), dir)), "%s", r.err);
	cr_assert(e2e_has(r.out, "1 rule OK; "), "%s", r.out);
	cr_assert(e2e_has(r.out, "\n1 warning\n"), "%s", r.out);
	e2e_result_free(&r);
}

Test(e2e_check, for_service_reports_home, .timeout = 30)
{
	const char *rules;
	struct e2e_result r;

	rules = e2e_rules("home.ini", "[h]\npath = /etc/app.conf\n"
	    "action = redirect\ntarget = ${HOME}/app.conf\n"
	    "[cfg]\npath = /etc/b.conf\naction = redirect\n"
	    "target = ${CONFIGURATION_DIRECTORY}/b.conf\n");
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "check", "--for-service", "-r",
	    rules), E2E_ARGV("HOME=/home/tester"), e2e_dir());
	cr_assert(eq(int, r.code, 1), "stdout: %s", r.out);
	cr_assert(e2e_has(r.err, e2e_fmt("%s:4: target '${HOME}/app.conf': "
	    "undefined variable\n", rules)), "%s", r.err);
	cr_assert(e2e_has(r.err, "checked in the service's environment: no "
	    "HOME"), "%s", r.err);
	cr_assert(not(e2e_has(r.err, "b.conf")), "%s", r.err);
	e2e_result_free(&r);
	/* Without it, HOME is the caller's. */
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "check", "-r", rules),
	    E2E_ARGV("HOME=/home/tester", "CONFIGURATION_DIRECTORY=/x"),
	    e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	e2e_result_free(&r);
}

/* The shipped examples, as the README says to install them. */
Test(e2e_check, shipped_rules_pass_for_service, .timeout = 30)
{
	char bin[PATH_MAX];
	const char *dir;
	struct e2e_result r;

	snprintf(bin, sizeof(bin), "%s", e2e_unotifyd());
	dir = e2e_fmt("%s/rules.d", dirname(bin));
	if (!e2e_exists(e2e_fmt("%s/10-dev-config.ini", dir)))
		cr_skip_test("no rules.d/ next to %s", e2e_unotifyd());
	check(&r, E2E_ARGV(e2e_unotifyd(), "check", "--for-service", "-r",
	    dir));
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(e2e_has(r.out, "rules OK in the service's environment"),
	    "%s", r.out);
	e2e_result_free(&r);
}

Test(e2e_check, wording, .timeout = 30)
{
	struct e2e_result r;
	const char *rules;

	check(&r, E2E_ARGV(e2e_unotifyd(), "exec", "-r", "x", "--", "true"));
	cr_assert(ne(int, r.code, 0));
	cr_assert(e2e_has(r.err, "unotifyd: exec does not take -r/--rules\n"),
	    "%s", r.err);
	e2e_result_free(&r);
	check(&r, E2E_ARGV(e2e_unotifyd(), "check", "--stats"));
	cr_assert(e2e_has(r.err, "unotifyd: check does not take --stats\n"),
	    "%s", r.err);
	e2e_result_free(&r);
	rules = e2e_rules("s.ini", "[s]\npath = /a\naction = continue\n"
	    "syscalls = openat getpid frobnicate\n");
	check(&r, E2E_ARGV(e2e_unotifyd(), "check", "-r", rules));
	cr_assert(eq(int, r.code, 1));
	cr_assert(e2e_has(r.err, e2e_fmt("%s:4: syscall 'getpid' is not "
	    "handled by unotifyd", rules)), "%s", r.err);
	cr_assert(e2e_has(r.err, e2e_fmt("%s:4: unknown syscall 'frobnicate'",
	    rules)), "%s", r.err);
	e2e_result_free(&r);
	rules = e2e_rules("one.ini", "[s]\npath = /a\naction = continue\n");
	check(&r, E2E_ARGV(e2e_unotifyd(), "check", "-r", rules));
	cr_assert(eq(int, r.code, 0));
	cr_assert(e2e_has(r.out, "1 rule OK; "), "%s", r.out);
	e2e_result_free(&r);
}
