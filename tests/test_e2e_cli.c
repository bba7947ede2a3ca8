/* SPDX-License-Identifier: MIT */
/* End-to-end: the check, filter and profile subcommands, and the copycat
 * compatibility personality (COPYCAT variable and ./.copycat.conf). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <json-c/json.h>

#include "e2e.h"
#include "syscalls.h"
#include "util.h"

/* check and filter load no filter: they must work without seccomp. */
TestSuite(e2e_cli, .init = e2e_setup_nokernel, .fini = e2e_teardown,
    .timeout = TEST_LIMIT(30));
TestSuite(e2e_copycat, .init = e2e_setup, .fini = e2e_teardown,
    .timeout = TEST_LIMIT(30));

/* A rules file using every action, valid for check and filter. */
static const char *
valid_rules(void)
{
	return e2e_rules("valid.ini", e2e_fmt(
	    "; comment\n"
	    "[deny-etc]\n"
	    "path = %s/\n"
	    "action = errno\n"
	    "errno = EROFS\n"
	    "access = write\n"
	    "\n"
	    "[redirect-one]\n"
	    "path = %s\n"
	    "action = redirect\n"
	    "target = %s\n"
	    "syscalls = open openat\n"
	    "\n"
	    "[pass]\n"
	    "path = %s\n"
	    "action = continue\n",
	    e2e_path("etc"), e2e_path("src"), e2e_path("dst"),
	    e2e_path("pass")));
}

Test(e2e_cli, check_valid_rules, .timeout = TEST_LIMIT(30))
{
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "check", "-r", valid_rules()),
	    NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(ne(str, r.out, ""), "no summary on stdout");
	e2e_result_free(&r);
}

Test(e2e_cli, check_invalid_rules_all_causes, .timeout = TEST_LIMIT(30))
{
	const char *rules;
	struct e2e_result r;

	rules = e2e_rules("invalid.ini",
	    "[a]\n"
	    "path = /tmp/unotifyd-e2e-never/a\n"
	    "action = explode\n"
	    "\n"
	    "[b]\n"
	    "path = /tmp/unotifyd-e2e-never/b\n"
	    "action = errno\n"
	    "errno = NOTANERRNO\n"
	    "\n"
	    "[c]\n"
	    "path = /tmp/unotifyd-e2e-never/c\n"
	    "action = redirect\n"
	    "colour = blue\n");
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "check", "-r", rules), NULL,
	    e2e_dir());
	cr_assert(eq(int, r.code, 1), "stdout: %s stderr: %s", r.out, r.err);
	cr_assert(e2e_has(r.err, e2e_fmt("%s:3:", rules)), "stderr: %s",
	    r.err);
	cr_assert(e2e_has(r.err, e2e_fmt("%s:8:", rules)), "stderr: %s",
	    r.err);
	cr_assert(e2e_has(r.err, e2e_fmt("%s:13:", rules)), "stderr: %s",
	    r.err);
	e2e_result_free(&r);
}

Test(e2e_cli, check_directory_names_bad_file, .timeout = TEST_LIMIT(30))
{
	const char *dir = e2e_path("rules.d");
	struct e2e_result r;

	e2e_mkdir(dir);
	e2e_write(e2e_path("rules.d/10-good.ini"),
	    "[good]\npath = /tmp/unotifyd-e2e-never/x\naction = continue\n",
	    0644);
	e2e_write(e2e_path("rules.d/20-bad.ini"),
	    "[bad]\npath = /tmp/unotifyd-e2e-never/y\naction = nope\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "check", "-r", dir), NULL,
	    e2e_dir());
	cr_assert(eq(int, r.code, 1), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, "20-bad.ini:3:"), "stderr: %s", r.err);
	cr_assert(not(e2e_has(r.err, "10-good.ini")), "stderr: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_cli, check_missing_file_fails, .timeout = TEST_LIMIT(30))
{
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "check", "-r",
	    e2e_path("missing.ini")), NULL, e2e_dir());
	cr_assert(ne(int, r.code, 0));
	cr_assert(e2e_has(r.err, "missing.ini"), "stderr: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_cli, filter_prints_bpf, .timeout = TEST_LIMIT(30))
{
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "filter", "-r", valid_rules()),
	    NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(e2e_has(r.out, "openat"), "stdout: %s", r.out);
	cr_assert(strcasestr(r.out, "arch") != NULL, "no arch check: %s",
	    r.out);
	/* The program of this machine: its arch and its 32-bit one. */
	cr_assert(e2e_has(r.out, e2e_fmt("; %s\n",
	    syscalls_arch_label(syscalls_native_arch()))), "stdout: %s", r.out);
	cr_assert(e2e_has(r.out, e2e_fmt("; %s\n",
	    syscalls_arch_label(syscalls_compat_arch()))), "stdout: %s", r.out);
	e2e_result_free(&r);
}

Test(e2e_cli, filter_rejects_bad_rules, .timeout = TEST_LIMIT(30))
{
	const char *rules;
	struct e2e_result r;

	rules = e2e_rules("bad.ini", "[x]\npath = /a\naction = nope\n");
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "filter", "-r", rules), NULL,
	    e2e_dir());
	cr_assert(ne(int, r.code, 0));
	cr_assert(e2e_has(r.err, e2e_fmt("%s:3:", rules)), "stderr: %s",
	    r.err);
	e2e_result_free(&r);
}

Test(e2e_copycat, env_variable, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("a"), *dst = e2e_path("b");
	struct e2e_result r;

	e2e_write(dst, "content of b\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_copycat(), "--", "cat", src),
	    E2E_ARGV(e2e_fmt("COPYCAT=%s %s", src, dst)), e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "content of b\n"));
	e2e_result_free(&r);
}

Test(e2e_copycat, env_variable_several_lines, .timeout = TEST_LIMIT(30))
{
	const char *a = e2e_path("a"), *b = e2e_path("b");
	struct e2e_result r;

	e2e_write(e2e_path("ta"), "A\n", 0644);
	e2e_write(e2e_path("tb"), "B\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_copycat(), "--", "cat", a, b),
	    E2E_ARGV(e2e_fmt("COPYCAT=%s %s\n%s %s\n", a, e2e_path("ta"), b,
	    e2e_path("tb"))), e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "A\nB\n"));
	e2e_result_free(&r);
}

Test(e2e_copycat, conf_file_in_cwd, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("a"), *dst = e2e_path("b");
	struct e2e_result r;

	e2e_write(dst, "from conf\n", 0644);
	e2e_write(e2e_path(".copycat.conf"), e2e_fmt("# comment\n\n%s %s\n",
	    src, dst), 0644);
	e2e_run(&r, E2E_ARGV(e2e_copycat(), "--", "cat", src),
	    E2E_ARGV("COPYCAT"), e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "from conf\n"));
	e2e_result_free(&r);
}

Test(e2e_copycat, append_not_lost, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("a"), *dst = e2e_path("b");
	struct e2e_result r;
	char *got;

	/* copycat truncated flags to 4 bits and so overwrote on append. */
	e2e_write(dst, "first\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_copycat(), "--", "sh", "-c",
	    e2e_fmt("echo second >> '%s'", src)),
	    E2E_ARGV(e2e_fmt("COPYCAT=%s %s", src, dst)), e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	got = e2e_read(dst);
	cr_assert(eq(str, got, "first\nsecond\n"));
	free(got);
	e2e_result_free(&r);
}

Test(e2e_copycat, no_leaked_fds, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("a"), *dst = e2e_path("b");
	struct e2e_result r;

	/* copycat leaked its hand-off fds 3 and 4 into the target. */
	e2e_run(&r, E2E_ARGV(e2e_copycat(), "--", e2e_target("fds")),
	    E2E_ARGV(e2e_fmt("COPYCAT=%s %s", src, dst)), e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "done\n"));
	e2e_result_free(&r);
}

Test(e2e_copycat, exit_status_passed_through, .timeout = TEST_LIMIT(30))
{
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV(e2e_copycat(), "--", "sh", "-c", "exit 5"),
	    E2E_ARGV(e2e_fmt("COPYCAT=%s %s", e2e_path("a"), e2e_path("b"))),
	    e2e_dir());
	cr_assert(eq(int, r.code, 5), "stderr: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_copycat, prefix_line, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("srcdir"), *dst = e2e_path("dstdir");
	struct e2e_result r;

	e2e_mkdir(dst);
	e2e_write(e2e_path("dstdir/f"), "in dst\n", 0644);
	e2e_mkdir(e2e_path("srcdirx"));
	e2e_write(e2e_path("srcdirx/f"), "untouched\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_copycat(), "--", "cat", e2e_path("srcdir/f"),
	    e2e_path("srcdirx/f")),
	    E2E_ARGV(e2e_fmt("COPYCAT=%s/ %s/", src, dst)), e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "in dst\nuntouched\n"));
	e2e_result_free(&r);
}

/* Syscall names on filter's jeq lines ("jeq  #0x101, 91, 29	; openat"),
 * arches and other comments left out; space-separated, each once. */
static char *
filter_names(const char *out)
{
	cleanup_free char *copy = strdup(out);
	char *line, *save = NULL, *name, *names = strdup(" ");
	char *tmp;

	cr_assert(ne(ptr, copy, NULL));
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, ": jeq ") == NULL ||
		    (name = strstr(line, "; ")) == NULL)
			continue;
		name += 2;
		if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
		    strlen(name) || strcmp(name, "x86_64") == 0 ||
		    strcmp(name, "i386") == 0 || strcmp(name, "aarch64") == 0 ||
		    strcmp(name, "arm") == 0)
			continue;
		if (strstr(names, e2e_fmt(" %s ", name)) != NULL)
			continue;
		cr_assert(asprintf(&tmp, "%s%s ", names, name) > 0);
		free(names);
		names = tmp;
	}
	return names;
}

Test(e2e_cli, profile_notifies_what_filter_shows, .timeout = 30)
{
	struct json_object *p, *calls, *names, *v, *e;
	struct e2e_result r, f;
	cleanup_free char *want = NULL;
	const char *name, *seen = " ";
	size_t i, j, n = 0;

	/* The profile is for a root agent's targets: what filter shows as
	 * root, credential calls included. */
	if (geteuid() != 0)
		cr_skip_test("filter shows the privileged set only as root");
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "profile", "-r", valid_rules(),
	    "--redirect", "/x=/y", "--listener-path", "/run/a/agent.sock",
	    "--metadata", "rules=app"), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	e2e_run(&f, E2E_ARGV(e2e_unotifyd(), "filter", "-r", valid_rules(),
	    "--redirect", "/x=/y"), NULL, e2e_dir());
	cr_assert(eq(int, f.code, 0), "stderr: %s", f.err);
	want = filter_names(f.out);
	cr_assert(ne(ptr, p = json_tokener_parse(r.out), NULL), "%s", r.out);
	cr_assert(json_object_object_get_ex(p, "listenerPath", &v));
	cr_assert(eq(str, (char *)json_object_get_string(v),
	    "/run/a/agent.sock"));
	cr_assert(json_object_object_get_ex(p, "listenerMetadata", &v));
	cr_assert(eq(str, (char *)json_object_get_string(v), "rules=app"));
	cr_assert(json_object_object_get_ex(p, "defaultAction", &v));
	cr_assert(eq(str, (char *)json_object_get_string(v),
	    "SCMP_ACT_ALLOW"));
	cr_assert(json_object_object_get_ex(p, "syscalls", &calls));
	/* Every name the profile notifies is one filter notifies on some
	 * arch, and as many: the same set (a name notified under two
	 * conditions, clone's, is in two entries). */
	for (i = 0; i < json_object_array_length(calls); i++) {
		e = json_object_array_get_idx(calls, i);
		cr_assert(json_object_object_get_ex(e, "names", &names));
		cr_assert(json_object_object_get_ex(e, "action", &v));
		if (strcmp(json_object_get_string(v), "SCMP_ACT_NOTIFY") != 0) {
			/* clone3 fails with ENOSYS in both. */
			cr_assert(eq(str, (char *)json_object_get_string(v),
			    "SCMP_ACT_ERRNO"));
			cr_assert(eq(str, (char *)json_object_get_string(
			    json_object_array_get_idx(names, 0)), "clone3"));
			cr_assert(json_object_object_get_ex(e, "errnoRet", &v));
			cr_assert(eq(int, json_object_get_int(v), ENOSYS));
			cr_assert(e2e_has(f.out, "ERRNO(38)"), "%s", f.out);
			continue;
		}
		for (j = 0; j < json_object_array_length(names); j++) {
			name = e2e_fmt(" %s ", json_object_get_string(
			    json_object_array_get_idx(names, j)));
			cr_assert(e2e_has(want, name), "%snot in filter's %s",
			    name, want);
			if (!e2e_has(seen, name)) {
				seen = e2e_fmt("%s%s", seen, name + 1);
				n++;
			}
		}
	}
	for (i = 0, j = 0; want[i] != '\0'; i++)
		j += want[i] == ' ';
	cr_assert(eq(sz, n, j - 1), "profile %zu names, filter's: %s", n,
	    want);
	cr_assert(gt(sz, n, 4));
	json_object_put(p);
	e2e_result_free(&r);
	e2e_result_free(&f);
}

Test(e2e_cli, profile_without_rules_fails, .timeout = 30)
{
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "profile"), NULL, e2e_dir());
	cr_assert(ne(int, r.code, 0));
	cr_assert(eq(str, r.out, ""));
	cr_assert(e2e_has(r.err, "no rules"), "stderr: %s", r.err);
	e2e_result_free(&r);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "profile", "--redirect", "/a=/b",
	    "--listener-path", "agent.sock"), NULL, e2e_dir());
	cr_assert(ne(int, r.code, 0));
	cr_assert(e2e_has(r.err, "absolute"), "stderr: %s", r.err);
	e2e_result_free(&r);
}
