/* SPDX-License-Identifier: MIT */
/* End-to-end: every write-side path call (unlink, rename, mkdir, chmod,
 * utimensat, setxattr, ...) and every call that acts on the task itself
 * (chdir, execve, O_PATH opens, inotify) on x86_64 and i386 (or aarch64,
 * its own calls), under a
 * directory redirect (the effect lands in the destination) and under a
 * read-only errno rule (EROFS); the source tree is never changed. */
#include <sys/stat.h>
#include <sys/xattr.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "e2e.h"

TestSuite(e2e_write, .init = e2e_setup, .fini = e2e_teardown, .timeout = TEST_LIMIT(60));

/*
 * One call: try-write's arguments ("%1$s" the source directory, "%2$s" a
 * scratch directory outside every rule), what it prints under the redirect,
 * and a shell test that holds afterwards ("%3$s" the destination).
 */
struct wcase {
	const char	*args;
	const char	*out;
	const char	*check;
	int		 xattr;		/* needs user.* attributes */
};

/* A shell test: file's user.t is value ("" when it has none). */
#define XATTR_IS(file, value) \
	"test \"$(python3 -c 'import os, sys\ntry: print(os.getxattr(" \
	"sys.argv[1], \"user.t\").decode())\nexcept OSError: print()' " \
	file ")\" = '" value "'"

static const struct wcase wcases[] = {
	{ "unlink %1$s/f", "OK", "test ! -e %3$s/f", 0 },
	{ "unlinkat %1$s/f", "OK", "test ! -e %3$s/f", 0 },
	{ "unlinkat %1$s/d dir", "OK", "test ! -e %3$s/d", 0 },
	{ "rmdir %1$s/d", "OK", "test ! -e %3$s/d", 0 },
	{ "mkdir %1$s/new", "OK", "test -d %3$s/new", 0 },
	{ "mkdirat %1$s/only/new", "OK", "test -d %3$s/only/new", 0 },
	{ "mknod %1$s/fifo", "OK", "test -p %3$s/fifo", 0 },
	{ "mknodat %1$s/reg", "OK", "test -f %3$s/reg", 0 },
	{ "rename %1$s/f %1$s/g", "OK",
	    "test ! -e %3$s/f && grep -qx dst %3$s/g", 0 },
	{ "renameat %2$s/out %1$s/f", "OK",
	    "grep -qx out %3$s/f && test ! -e %2$s/out", 0 },
	{ "renameat2 %1$s/f %2$s/back", "OK",
	    "grep -qx dst %2$s/back && test ! -e %3$s/f", 0 },
	{ "renameat2 %2$s/out %1$s/f noreplace", "ERR EEXIST",
	    "grep -qx dst %3$s/f", 0 },
	{ "link %1$s/f %1$s/hard", "OK", "grep -qx dst %3$s/hard", 0 },
	{ "linkat %2$s/out %1$s/hard", "OK", "grep -qx out %3$s/hard", 0 },
	{ "symlink text %1$s/l", "OK", "test \"$(readlink %3$s/l)\" = text", 0 },
	{ "symlinkat text %1$s/l", "OK",
	    "test \"$(readlink %3$s/l)\" = text", 0 },
	{ "chmod %1$s/f", "OK", "test \"$(stat -c %%a %3$s/f)\" = 600", 0 },
	{ "fchmodat %1$s/f", "OK", "test \"$(stat -c %%a %3$s/f)\" = 600", 0 },
	{ "fchmodat2 %1$s/f", "OK", "test \"$(stat -c %%a %3$s/f)\" = 600", 0 },
	{ "chown %1$s/f", "OK", "true", 0 },
	{ "lchown %1$s/f", "OK", "true", 0 },
	{ "fchownat %1$s/f", "OK", "true", 0 },
	{ "truncate %1$s/f", "OK", "test \"$(stat -c %%s %3$s/f)\" = 3", 0 },
	{ "utime %1$s/f", "OK",
	    "test \"$(stat -c %%Y %3$s/f)\" = 1000000000", 0 },
	{ "utimes %1$s/f", "OK",
	    "test \"$(stat -c %%Y %3$s/f)\" = 1000000000", 0 },
	{ "futimesat %1$s/f", "OK",
	    "test \"$(stat -c %%Y %3$s/f)\" = 1000000000", 0 },
	{ "utimensat %1$s/f", "OK",
	    "test \"$(stat -c %%Y %3$s/f)\" = 1000000000", 0 },
	{ "touch %1$s/f", "OK", "test -f %3$s/f", 0 },
	{ "setxattr %1$s/f", "OK",
	    XATTR_IS("%3$s/f", "v1"), 1 },
	{ "lsetxattr %1$s/f", "OK", XATTR_IS("%3$s/f", "v1"), 1 },
	{ "setxattrat %1$s/f", "OK", XATTR_IS("%3$s/f", "v2"), 1 },
	{ "removexattr %1$s/x", "OK", XATTR_IS("%3$s/x", ""), 1 },
	{ "lremovexattr %1$s/x", "OK", XATTR_IS("%3$s/x", ""), 1 },
	{ "removexattrat %1$s/x", "OK", XATTR_IS("%3$s/x", ""), 1 },
	{ "statfs %1$s/only", NULL, "true", 0 },
	{ "chdir %1$s/only f", "OK only", "true", 0 },
	{ "chdir %1$s/only", "OK %1$s/only", "true", 0 },
	{ "opath %1$s/f", "OK size=4", "true", 0 },
	{ "opath %1$s/only made", "OK", "test -f %3$s/only/made", 0 },
	{ "inotify %1$s/f", "OK", "true", 0 },
	{ "execve %1$s/script", "OK script from the override", "true", 0 },
	{ "io_uring %1$s", "ERR ENOSYS", "true", 0 },
	/* Its namespace flags are out of seccomp's reach: programs fall back
	 * to clone(2), whose flags the filter sees. */
	{ "clone3 %1$s", "ERR ENOSYS", "true", 0 },
};

/* Source tree s: f ("src"), d/, x; destination t: f ("dst"), d/, x (with
 * user.t), only/f, script; scratch o: out ("out"). */
static void
make_trees(const char *s, const char *t, const char *o, int *xattr)
{
	e2e_mkdir(e2e_fmt("%s/d", s));
	e2e_write(e2e_fmt("%s/f", s), "src\n", 0644);
	e2e_write(e2e_fmt("%s/x", s), "src\n", 0644);
	e2e_mkdir(e2e_fmt("%s/d", t));
	e2e_mkdir(e2e_fmt("%s/only", t));
	e2e_write(e2e_fmt("%s/f", t), "dst\n", 0644);
	e2e_write(e2e_fmt("%s/x", t), "dst\n", 0644);
	e2e_write(e2e_fmt("%s/only/f", t), "only\n", 0644);
	e2e_write(e2e_fmt("%s/script", t),
	    "#!/bin/sh\necho OK script from the override\n", 0755);
	e2e_mkdir(o);
	e2e_write(e2e_fmt("%s/out", o), "out\n", 0644);
	*xattr = setxattr(e2e_fmt("%s/x", t), "user.t", "v", 1, 0) == 0;
}

/* The source tree as text: every entry's name, type, mode, size, content. */
static char *
snapshot(const char *dir)
{
	struct e2e_result r;
	char *out;

	e2e_run(&r, E2E_ARGV("sh", "-c", e2e_fmt("cd '%s' && find . | sort | "
	    "while read -r p; do stat -c '%%n %%F %%a %%s %%Y' \"$p\"; "
	    "test -f \"$p\" && cat \"$p\"; done", dir)), NULL, NULL);
	cr_assert(eq(int, r.code, 0));
	out = r.out;
	r.out = NULL;
	e2e_result_free(&r);
	return out;
}

static void
run_case(const char *tp, const struct wcase *w, const char *ini, int errno_rule)
{
	const char *s = e2e_path("src"), *t = e2e_path("dst"),
	    *o = e2e_path("out");
	char *before, *after;
	const char *args, *want;
	struct e2e_result r;
	int xattr;

	make_trees(s, t, o, &xattr);
	if (w->xattr && !xattr)
		cr_skip_test("no user.* attributes on %s: the xattr cases "
		    "cannot run", e2e_dir());
	before = snapshot(s);
	args = e2e_fmt(w->args, s, o);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", ini, "--", "sh",
	    "-c", e2e_fmt("exec '%s' %s", tp, args)), NULL, e2e_dir());
	if (errno_rule)
		want = "ERR EROFS\n";
	else
		want = w->out != NULL ? e2e_fmt("%s\n", e2e_fmt(w->out, s)) :
		    NULL;
	if (want != NULL)
		cr_expect(eq(str, r.out, (char *)want), "%s %s: stderr: %s", tp,
		    args, r.err);
	else
		cr_expect(eq(int, strncmp(r.out, "OK", 2), 0), "%s %s: %s", tp,
		    args, r.out);
	e2e_result_free(&r);
	if (!errno_rule) {
		e2e_run(&r, E2E_ARGV("sh", "-c", e2e_fmt(w->check, s, o, t)),
		    NULL, e2e_dir());
		cr_expect(eq(int, r.code, 0), "%s %s: check '%s' failed", tp,
		    args, e2e_fmt(w->check, s, o, t));
		e2e_result_free(&r);
	}
	after = snapshot(s);
	cr_expect(eq(str, after, before), "%s %s changed the source tree", tp,
	    args);
	free(before);
	free(after);
	/* Fresh trees for the next case. */
	e2e_run(&r, E2E_ARGV("rm", "-rf", s, t, o), NULL, NULL);
	e2e_result_free(&r);
}

/* The table's cases: the attribute calls (xattr), in tests of their own
 * that are skipped where the file system has no user.* attributes, or
 * the others. */
static void
write_table(const char *target, int errno_rule, int xattr)
{
	const char *tp = e2e_target(target), *ini;
	int native = strstr(target, "-m32") == NULL;
	char call[32];
	size_t i;

	if (errno_rule)
		ini = e2e_rules("ro.ini", e2e_fmt("[ro]\npath = %s/\n"
		    "action = errno\nerrno = EROFS\naccess = write\n",
		    e2e_path("src")));
	else
		ini = e2e_rules("redirect.ini", e2e_fmt("[r]\npath = %s/\n"
		    "action = redirect\ntarget = %s/\n", e2e_path("src"),
		    e2e_path("dst")));
	for (i = 0; i < sizeof(wcases) / sizeof(wcases[0]); i++) {
		const struct wcase *w = &wcases[i];

		/* The native target makes the calls its arch has (aarch64
		 * has no unlink, mkdir, rename, chmod, utimes...). */
		snprintf(call, sizeof(call), "%.*s", (int)strcspn(w->args, " "),
		    w->args);
		if ((native && !e2e_native_has(call)) || w->xattr != xattr)
			continue;

		/* Reads and calls on the task pass a write rule. */
		if (errno_rule && (w->out == NULL ||
		    strncmp(w->args, "chdir", 5) == 0 ||
		    strncmp(w->args, "opath %1$s/f", 12) == 0 ||
		    strncmp(w->args, "inotify", 7) == 0 ||
		    strncmp(w->args, "execve", 6) == 0 ||
		    strncmp(w->args, "io_uring", 8) == 0 ||
		    strncmp(w->args, "clone3", 6) == 0 ||
		    strncmp(w->args, "opath", 5) == 0))
			continue;
		run_case(tp, w, ini, errno_rule);
	}
}

Test(e2e_write, redirect_every_write_call_x86_64)
{
	write_table("try-write", 0, 0);
}

Test(e2e_write, redirect_every_write_call_i386)
{
	e2e_require_x86_64("i386 try-write-m32");
	write_table("try-write-m32", 0, 0);
}

Test(e2e_write, read_only_rule_stops_every_write_call_x86_64)
{
	write_table("try-write", 1, 0);
}

Test(e2e_write, read_only_rule_stops_every_write_call_i386)
{
	e2e_require_x86_64("i386 try-write-m32");
	write_table("try-write-m32", 1, 0);
}

Test(e2e_write, redirect_every_xattr_write_call_x86_64)
{
	write_table("try-write", 0, 1);
}

Test(e2e_write, redirect_every_xattr_write_call_i386)
{
	e2e_require_x86_64("i386 try-write-m32");
	write_table("try-write-m32", 0, 1);
}

Test(e2e_write, read_only_rule_stops_every_xattr_write_call_x86_64)
{
	write_table("try-write", 1, 1);
}

Test(e2e_write, read_only_rule_stops_every_xattr_write_call_i386)
{
	e2e_require_x86_64("i386 try-write-m32");
	write_table("try-write-m32", 1, 1);
}

Test(e2e_write, allow_io_uring_lets_it_through)
{
	const char *ini = e2e_rules("u.ini", e2e_fmt("[unotifyd]\n"
	    "io_uring = allow\n[r]\npath = %s/\naction = redirect\n"
	    "target = %s/\n", e2e_path("src"), e2e_path("dst")));
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", ini, "--",
	    e2e_target("try-write"), "io_uring", "x"), NULL, e2e_dir());
	cr_assert(eq(str, r.out, "OK\n"), "stderr: %s", r.err);
	e2e_result_free(&r);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--allow-io-uring",
	    "--redirect", "/nonexistent/a=/nonexistent/b", "--",
	    e2e_target("try-write"), "io_uring", "x"), NULL, e2e_dir());
	cr_assert(eq(str, r.out, "OK\n"), "stderr: %s", r.err);
	e2e_result_free(&r);
	/* -v says why a program was refused. */
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-v", "--redirect",
	    "/nonexistent/a=/nonexistent/b", "--", e2e_target("try-write"),
	    "io_uring", "x"), NULL, e2e_dir());
	cr_assert(eq(str, r.out, "ERR ENOSYS\n"));
	cr_assert(e2e_has(r.err, "io_uring_setup: errno ENOSYS"), "%s", r.err);
	e2e_result_free(&r);
}

Test(e2e_write, exec_of_a_redirected_binary_and_of_an_override_only_path)
{
	/* A longer destination: the path cannot be rewritten in place. */
	const char *s = e2e_path("bin"), *t = e2e_path("alternative");
	struct e2e_result r;

	e2e_mkdir(s);
	e2e_mkdir(t);
	/* The source runs "source", the override is a real binary. */
	e2e_write(e2e_fmt("%s/tool", s), "#!/bin/sh\necho source\n", 0755);
	cr_assert(eq(int, symlink("/bin/echo", e2e_fmt("%s/tool", t)), 0));
	e2e_write(e2e_fmt("%s/new", t), "#!/bin/sh\necho only here\n", 0755);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s/=%s/", s, t), "--", "sh", "-c", e2e_fmt("%1$s/tool "
	    "override; %1$s/new; PATH=%1$s:$PATH; new", s)), NULL, e2e_dir());
	cr_assert(eq(str, r.out, "override\nonly here\nonly here\n"),
	    "stderr: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_write, symlink_in_the_override_back_into_the_source)
{
	const char *s = e2e_path("src"), *t = e2e_path("alt");
	struct e2e_result r;

	e2e_mkdir(s);
	e2e_mkdir(t);
	e2e_write(e2e_fmt("%s/real", s), "orig\n", 0644);
	e2e_write(e2e_fmt("%s/real", t), "over\n", 0644);
	e2e_write(e2e_fmt("%s/only", t), "only\n", 0644);
	/* Absolute links into the source: one to a file both have, one to
	 * a file only the override has, one to a directory. */
	cr_assert(eq(int, symlink(e2e_fmt("%s/real", s),
	    e2e_fmt("%s/link", t)), 0));
	cr_assert(eq(int, symlink(e2e_fmt("%s/only", s),
	    e2e_fmt("%s/link2", t)), 0));
	cr_assert(eq(int, symlink(s, e2e_fmt("%s/dir", t)), 0));
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s/=%s/", s, t), "--", "sh", "-c", e2e_fmt("cat %1$s/link "
	    "%1$s/link2 %1$s/dir/only; echo w >> %1$s/link; "
	    "readlink %1$s/link", s)), NULL, e2e_dir());
	cr_assert(eq(str, r.out, (char *)e2e_fmt("over\nonly\nonly\n%s/real\n", s)),
	    "stderr: %s", r.err);
	e2e_result_free(&r);
	cr_assert(eq(str, e2e_read(e2e_fmt("%s/real", s)), "orig\n"));
	cr_assert(eq(str, e2e_read(e2e_fmt("%s/real", t)), "over\nw\n"));
}

/*
 * A walk below a redirected directory (cd into it, then du and stat by
 * relative names) is answered by the kernel's own lookup where that is the
 * redirect, and still meets narrower rules and symlinks on the way.
 */
Test(e2e_write, walk_below_a_redirected_directory_keeps_narrower_rules)
{
	const char *s = e2e_path("src"), *t = e2e_path("alt"),
	    *o = e2e_path("other"), *ini = e2e_path("walk.ini");
	struct e2e_result r;
	char *before;

	e2e_mkdir(s);
	e2e_mkdir(t);
	e2e_mkdir(o);
	e2e_write(e2e_fmt("%s/f", s), "src\n", 0644);
	e2e_write(e2e_fmt("%s/f", t), "dst\n", 0644);
	e2e_write(e2e_fmt("%s/f2", t), "2\n", 0644);
	e2e_write(e2e_fmt("%s/f2", o), "other\n", 0644);
	e2e_write(e2e_fmt("%s/secret", t), "secret\n", 0644);
	e2e_write(e2e_fmt("%s/real", s), "original\n", 0644);
	e2e_write(e2e_fmt("%s/real", t), "r\n", 0644);
	cr_assert(eq(int, symlink(e2e_fmt("%s/real", s),
	    e2e_fmt("%s/link", t)), 0));
	e2e_write(ini, e2e_fmt("[one]\npath = %1$s/f2\naction = redirect\n"
	    "target = %3$s/f2\n[deny]\npath = %1$s/secret\naction = errno\n"
	    "errno = EACCES\n[tree]\npath = %1$s/\naction = redirect\n"
	    "target = %2$s/\n", s, t, o), 0644);
	before = snapshot(s);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", ini, "--", "sh",
	    "-c", e2e_fmt("cd %s && stat -c '%%n %%s' f f2 && "
	    "stat -L -c '%%n %%s' link && { cat secret || echo denied; } && "
	    "du -ab . 2>&1 | grep -v '\\.$' | sort -k2", s)), NULL, e2e_dir());
	/* du's lstat of secret fails as the rule says; link's size is its
	 * text's. */
	cr_assert(eq(str, r.out, (char *)e2e_fmt("f 4\nf2 6\nlink 2\n"
	    "denied\n4\t./f\n6\t./f2\n%zu\t./link\n2\t./real\n"
	    "du: cannot access './secret': Permission denied\n",
	    strlen(s) + strlen("/real"))), "stderr: %s", r.err);
	e2e_result_free(&r);
	cr_assert(eq(str, snapshot(s), before));
	free(before);
}
