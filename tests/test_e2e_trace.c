/* SPDX-License-Identifier: MIT */
/* End-to-end: `unotifyd trace` as a user runs it: every path call of a
 * command, its children, threads and i386 programs, in text, JSON and INI
 * rules that `check` and `run` take as they are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <json-c/json.h>

#include "e2e.h"

TestSuite(e2e_trace, .init = e2e_setup, .fini = e2e_teardown,
    .timeout = TEST_LIMIT(30));

/* Run `unotifyd trace ARGS...` in the test's directory; the record is
 * read from out (a file given with -o). */
static void
trace(struct e2e_result *r, const char *const argv[], const char *const env[])
{
	e2e_run(r, argv, env, e2e_dir());
}

Test(e2e_trace, text_opens_with_results, .timeout = TEST_LIMIT(30))
{
	const char *f = e2e_path("data"), *out = e2e_path("trace.txt");
	struct e2e_result r;
	char *t;

	e2e_write(f, "hello\n", 0644);
	trace(&r, E2E_ARGV(e2e_unotifyd(), "trace", "-o", out, "--", "cat",
	    "data", e2e_path("missing")), NULL);
	/* cat's own status and output, untouched by the trace. */
	cr_assert(eq(int, r.code, 1), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "hello\n"));
	cr_assert(e2e_has(r.err, "No such file or directory"), "%s", r.err);
	e2e_result_free(&r);
	t = e2e_read(out);
	/* A relative path is shown as given and as the absolute path. */
	cr_assert(e2e_has(t, e2e_fmt(" openat \"data\" read %s = ok\n", f)),
	    "%s", t);
	cr_assert(e2e_has(t, e2e_fmt(" openat \"%s\" read %s = ENOENT\n",
	    e2e_path("missing"), e2e_path("missing"))), "%s", t);
	/* The command's own exec comes first. */
	cr_assert(e2e_has(t, " execve \"/usr/bin/cat\" exec /usr/bin/cat = ok\n") ||
	    e2e_has(t, " execve \"/bin/cat\" exec /bin/cat = ok\n"), "%s", t);
	free(t);
}

Test(e2e_trace, children_and_write_calls, .timeout = TEST_LIMIT(30))
{
	const char *out = e2e_path("trace.txt"), *d = e2e_path("d");
	struct e2e_result r;
	char *t;

	e2e_write(e2e_path("a"), "A\n", 0644);
	trace(&r, E2E_ARGV(e2e_unotifyd(), "trace", "-o", out, "--", "sh",
	    "-c", e2e_fmt("mkdir %s && mv a %s/b && { rm %s/b & wait; } && "
	    "rmdir %s", d, d, d, d)), NULL);
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	e2e_result_free(&r);
	t = e2e_read(out);
	/* aarch64 has no mkdir or rmdir: mkdirat, unlinkat(AT_REMOVEDIR). */
	cr_assert(e2e_has(t, e2e_fmt(" mkdir \"%s\" create %s = ok\n", d, d)) ||
	    e2e_has(t, e2e_fmt(" mkdirat \"%s\" create %s = ok\n", d, d)),
	    "%s", t);
	cr_assert(e2e_has(t, e2e_fmt(" \"a\" \"%s/b\" remove %s create %s/b "
	    "= ok\n", d, e2e_path("a"), d)), "%s", t);
	cr_assert(e2e_has(t, e2e_fmt(" \"%s/b\" remove %s/b = ok\n", d, d)),
	    "%s", t);
	cr_assert(e2e_has(t, e2e_fmt(" rmdir \"%s\" remove %s = ok\n", d, d)) ||
	    e2e_has(t, e2e_fmt(" unlinkat \"%s\" remove %s = ok\n", d, d)),
	    "%s", t);
	free(t);
}

Test(e2e_trace, threads_each_recorded, .timeout = TEST_LIMIT(30))
{
	const char *out = e2e_path("trace.txt"), *f = e2e_path("t");
	struct e2e_result r;
	char *t, *p;
	int n = 0;

	e2e_write(f, "T", 0644);
	trace(&r, E2E_ARGV(e2e_unotifyd(), "trace", "-o", out, "--",
	    e2e_target("threads"), f, "T", "4", "25"), NULL);
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	e2e_result_free(&r);
	t = e2e_read(out);
	for (p = t; (p = strstr(p, e2e_fmt(" read %s = ok\n", f))) != NULL;
	    p++)
		n++;
	cr_assert(eq(int, n, 100), "%s", t);
	free(t);
}

Test(e2e_trace, i386_calls, .timeout = TEST_LIMIT(30))
{
	const char *out = e2e_path("trace.txt"), *f = e2e_path("x");
	struct e2e_result r;
	char *t;

	e2e_require_x86_64("i386 programs");
	e2e_write(f, "X\n", 0644);
	trace(&r, E2E_ARGV(e2e_unotifyd(), "trace", "-o", out, "--",
	    e2e_target("try-path-m32"), "stat", f), NULL);
	cr_assert(e2e_has(r.out, "OK size=2"), "%s %s", r.out, r.err);
	e2e_result_free(&r);
	t = e2e_read(out);
	cr_assert(e2e_has(t, e2e_fmt(" stat/i386 \"%s\" read %s = ok\n", f,
	    f)), "%s", t);
	free(t);
}

Test(e2e_trace, json_lines, .timeout = TEST_LIMIT(30))
{
	const char *out = e2e_path("trace.json");
	struct json_object *o, *paths, *p;
	struct e2e_result r;
	char *t, *line, *save = NULL;
	int renames = 0, lines = 0;

	e2e_write(e2e_path("x"), "1", 0644);
	trace(&r, E2E_ARGV(e2e_unotifyd(), "trace", "--format", "json", "-o",
	    out, "--", "mv", "x", "y"), NULL);
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	e2e_result_free(&r);
	t = e2e_read(out);
	for (line = strtok_r(t, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		lines++;
		o = json_tokener_parse(line);
		cr_assert(o != NULL, "not JSON: %s", line);
		cr_assert(json_object_object_get_ex(o, "paths", &paths));
		cr_assert(json_object_object_get_ex(o, "result", NULL));
		if (strncmp(json_object_get_string(json_object_object_get(o,
		    "call")), "rename", 6) == 0) {
			renames++;
			cr_assert(eq(int, (int)json_object_array_length(paths),
			    2), "%s", line);
			p = json_object_array_get_idx(paths, 0);
			cr_assert(eq(str, (char *)json_object_get_string(
			    json_object_object_get(p, "access")), "remove"));
			cr_assert(eq(str, (char *)json_object_get_string(
			    json_object_object_get(p, "path")),
			    (char *)e2e_path("x")));
			p = json_object_array_get_idx(paths, 1);
			cr_assert(eq(str, (char *)json_object_get_string(
			    json_object_object_get(p, "access")), "create"));
			cr_assert(eq(str, (char *)json_object_get_string(
			    json_object_object_get(o, "result")), "ok"));
		}
		json_object_put(o);
	}
	cr_assert(gt(int, lines, 5));
	cr_assert(eq(int, renames, 1), "%d renames", renames);
	free(t);
}

/* The INI a trace writes: check takes it; copied files are then used. */
Test(e2e_trace, ini_rules_run_unchanged, .timeout = TEST_LIMIT(30))
{
	const char *home = e2e_path("home"), *ini = e2e_path("app.ini");
	const char *rc = e2e_path("home/.apprc");
	const char *copy = e2e_path("home/.config/unotifyd/override%s", rc);
	const char *const env[] = { e2e_fmt("HOME=%s", home),
	    "XDG_CONFIG_HOME", NULL };
	struct e2e_result r;
	char *t;

	e2e_mkdir(home);
	e2e_write(rc, "original\n", 0644);
	e2e_write(e2e_path("data"), "data\n", 0644);
	trace(&r, E2E_ARGV(e2e_unotifyd(), "trace", "--format", "ini", "-o",
	    ini, "--", "cat", rc, e2e_path("data"), "/etc/hostname",
	    e2e_path("home/.missingrc")), env);
	e2e_result_free(&r);
	t = e2e_read(ini);
	cr_assert(e2e_has(t, e2e_fmt("\npath   = %s\naction = redirect\n"
	    "target = ~/.config/unotifyd/override%s\n", rc, rc)), "%s", t);
	cr_assert(e2e_has(t, "\npath   = /etc/hostname\n"), "%s", t);
	/* Not configuration, or never read: no rule. */
	cr_assert(not(e2e_has(t, e2e_fmt("= %s\n", e2e_path("data")))), "%s",
	    t);
	cr_assert(not(e2e_has(t, "= ~/.config/unotifyd/override"
	    "/etc/ld.so.cache\n")), "%s", t);
	cr_assert(not(e2e_has(t, e2e_fmt("= %s\n",
	    e2e_path("home/.missingrc")))), "%s", t);
	free(t);

	trace(&r, E2E_ARGV(e2e_unotifyd(), "check", "-r", ini), env);
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, "does not exist"), "%s", r.err);
	e2e_result_free(&r);

	/* The user keeps the rule for their rc file, copies it and edits
	 * the copy, as the file says. */
	e2e_write(e2e_path("home/keep.sh"), e2e_fmt("install -D -m 0644 %s "
	    "%s && echo edited > %s", rc, copy, copy), 0644);
	trace(&r, E2E_ARGV("sh", e2e_path("home/keep.sh")), env);
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	e2e_result_free(&r);
	trace(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", ini, "--", "cat", rc),
	    env);
	cr_assert(eq(str, r.out, "edited\n"), "stderr: %s", r.err);
	e2e_result_free(&r);
	t = e2e_read(rc);
	cr_assert(eq(str, t, "original\n"));
	free(t);
}

Test(e2e_trace, rules_apply_and_show, .timeout = TEST_LIMIT(30))
{
	const char *out = e2e_path("trace.txt");
	struct e2e_result r;
	char *t;

	e2e_write(e2e_path("src"), "src\n", 0644);
	e2e_write(e2e_path("dst"), "dst\n", 0644);
	trace(&r, E2E_ARGV(e2e_unotifyd(), "trace", "-o", out, "--redirect",
	    e2e_fmt("%s=%s", e2e_path("src"), e2e_path("dst")), "--", "cat",
	    e2e_path("src")), NULL);
	cr_assert(eq(str, r.out, "dst\n"), "stderr: %s", r.err);
	e2e_result_free(&r);
	t = e2e_read(out);
	cr_assert(e2e_has(t, e2e_fmt(" openat \"%s\" read %s = ",
	    e2e_path("src"), e2e_path("src"))), "%s", t);
	cr_assert(e2e_has(t, ": redirect]\n"), "%s", t);
	free(t);
}

Test(e2e_trace, bad_arguments, .timeout = TEST_LIMIT(30))
{
	struct e2e_result r;

	trace(&r, E2E_ARGV(e2e_unotifyd(), "trace", "--format", "xml", "--",
	    "true"), NULL);
	cr_assert(eq(int, r.code, 125));
	cr_assert(e2e_has(r.err, "--format: 'xml' is not text, json or ini"),
	    "%s", r.err);
	e2e_result_free(&r);
	trace(&r, E2E_ARGV(e2e_unotifyd(), "trace", "-o",
	    e2e_path("no/such/dir/t"), "--", "true"), NULL);
	cr_assert(eq(int, r.code, 125));
	cr_assert(e2e_has(r.err, e2e_fmt("-o %s: No such file or directory",
	    e2e_path("no/such/dir/t"))), "%s", r.err);
	e2e_result_free(&r);
	trace(&r, E2E_ARGV(e2e_unotifyd(), "trace"), NULL);
	cr_assert(eq(int, r.code, 125));
	cr_assert(e2e_has(r.err, "no command given"), "%s", r.err);
	e2e_result_free(&r);
	trace(&r, E2E_ARGV(e2e_unotifyd(), "run", "-o", "x", "--", "true"),
	    NULL);
	cr_assert(eq(int, r.code, 125));
	cr_assert(e2e_has(r.err, "run does not take -o/--output"), "%s", r.err);
	e2e_result_free(&r);
}
