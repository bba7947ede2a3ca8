/* SPDX-License-Identifier: MIT */
/* End-to-end: every path syscall family, in every path form (absolute,
 * relative to the cwd, relative to a dirfd, unnormalised), on the build's
 * arch and its 32-bit one (i386 on x86_64; aarch64 has only the *at calls),
 * sees a redirect's destination and an errno rule's errno; then real
 * programs (cat, test, stat, readlink, python3, git, a grandchild) and the
 * finer points of rules (syscalls =, access = write, a trailing slash). */
#include <sys/stat.h>
#include <sys/xattr.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "e2e.h"

TestSuite(e2e_paths, .init = e2e_setup, .fini = e2e_teardown, .timeout = TEST_LIMIT(30));

/* Content and mode of the redirect destination <tmp>/dst. */
#define DST_TEXT	"redirected\nsecond line\n"
#define DST_MODE	0640
/* What the destination symlink <tmp>/dstlink points to. */
#define LINK_TEXT	"/nonexistent/link-target"
/* What creat writes (try-path's default text plus a newline). */
#define CREAT_TEXT	"created\n"

/*
 * The tree every table test uses, under the temp dir <tmp>:
 *	d/sub/		a real directory, so d/sub/.. is d on disk too
 *	dst		DST_TEXT, mode DST_MODE
 *	dstlink		-> LINK_TEXT
 *	decoy/		the supervisor's cwd: decoy/x, decoy/d/x, decoy/d/l
 *			exist, so resolving against the wrong directory shows
 * dst and decoy/d/x carry the attribute XATTR_NAME (XATTR_VALUE and
 * "decoy") where the file system has user attributes (have_xattr).
 * The sources <tmp>/d/x, <tmp>/d/l, <tmp>/d/c do not exist.
 */
#define XATTR_NAME	"user.unotifyd"
#define XATTR_VALUE	"redirected"
static int have_xattr;

static void
make_tree(void)
{
	e2e_mkdir(e2e_path("d/sub"));
	e2e_mkdir(e2e_path("decoy/d"));
	e2e_write(e2e_path("dst"), DST_TEXT, DST_MODE);
	cr_assert(eq(int, symlink(LINK_TEXT, e2e_path("dstlink")), 0));
	e2e_write(e2e_path("decoy/x"), "decoy\n", 0644);
	e2e_write(e2e_path("decoy/d/x"), "decoy\n", 0644);
	cr_assert(eq(int, symlink("/decoy", e2e_path("decoy/d/l")), 0));
	have_xattr = setxattr(e2e_path("dst"), XATTR_NAME, XATTR_VALUE,
	    strlen(XATTR_VALUE), 0) == 0 && setxattr(e2e_path("decoy/d/x"),
	    XATTR_NAME, "decoy", 5, 0) == 0;
}

/* The xattr cases, in tests of their own: skipped where the file system
 * has no user.* attributes (tmpfs before Linux 6.6). */
static void
require_xattr(void)
{
	if (!have_xattr)
		cr_skip_test("no user.* attributes on %s: the xattr cases "
		    "cannot run", e2e_dir());
}

/* What a call reports on success, by family. */
enum kind {
	K_OPEN,		/* OK content=<first line of dst> */
	K_CREAT,	/* OK wrote=N, the text lands in <tmp>/cdst */
	K_STAT,		/* OK size/mode of dst */
	K_LSTAT_LINK,	/* OK size/mode of the symlink dstlink */
	K_ACCESS,	/* OK */
	K_READLINK,	/* OK link=LINK_TEXT */
	K_GETXATTR,	/* OK dst's XATTR_NAME */
	K_LISTXATTR,	/* OK XATTR_NAME alone */
	K_XATTR_LINK,	/* l*xattr of dstlink itself: no attributes */
	K_XATTR_DANGLING,	/* *xattr through dstlink: ENOENT */
};

#define K_IS_XATTR(k)	((k) >= K_GETXATTR)

/* One syscall of the table: leaf x (-> dst), l (-> dstlink) or c (-> cdst,
 * for creat). */
struct call {
	const char	*sys;
	const char	*leaf;
	const char	*arg;		/* try-path's ARG, or NULL */
	enum kind	 kind;
	int		 at;		/* takes a dirfd */
	int		 i386_only;
};

static const struct call calls[] = {
	{ "open", "x", NULL, K_OPEN, 0, 0 },
	{ "openat", "x", NULL, K_OPEN, 1, 0 },
	{ "openat2", "x", NULL, K_OPEN, 1, 0 },
	{ "creat", "c", NULL, K_CREAT, 0, 0 },
	{ "stat", "x", NULL, K_STAT, 0, 0 },
	{ "lstat", "x", NULL, K_STAT, 0, 0 },
	{ "lstat", "l", NULL, K_LSTAT_LINK, 0, 0 },
	{ "fstatat", "x", NULL, K_STAT, 1, 0 },
	{ "fstatat", "l", "nofollow", K_LSTAT_LINK, 1, 0 },
	{ "statx", "x", NULL, K_STAT, 1, 0 },
	{ "statx", "l", "nofollow", K_LSTAT_LINK, 1, 0 },
	{ "oldstat", "x", NULL, K_STAT, 0, 1 },
	{ "stat64", "x", NULL, K_STAT, 0, 1 },
	{ "lstat64", "x", NULL, K_STAT, 0, 1 },
	{ "lstat64", "l", NULL, K_LSTAT_LINK, 0, 1 },
	{ "access", "x", "r", K_ACCESS, 0, 0 },
	{ "faccessat", "x", "r", K_ACCESS, 1, 0 },
	{ "faccessat2", "x", "r", K_ACCESS, 1, 0 },
	{ "readlink", "l", NULL, K_READLINK, 0, 0 },
	{ "readlinkat", "l", NULL, K_READLINK, 1, 0 },
	{ "getxattr", "x", XATTR_NAME, K_GETXATTR, 0, 0 },
	{ "getxattr", "l", XATTR_NAME, K_XATTR_DANGLING, 0, 0 },
	{ "lgetxattr", "x", XATTR_NAME, K_GETXATTR, 0, 0 },
	{ "lgetxattr", "l", XATTR_NAME, K_XATTR_LINK, 0, 0 },
	{ "listxattr", "x", NULL, K_LISTXATTR, 0, 0 },
	{ "llistxattr", "l", NULL, K_XATTR_LINK, 0, 0 },
};

/* One way to name <tmp>/d/LEAF: the temp dir (if abs) + prefix + leaf, the
 * target's cwd ("" = the temp dir), and a dirfd option with its directory
 * (NULL = AT_FDCWD), both relative to the temp dir. */
struct form {
	const char	*name;
	int		 abs;
	const char	*prefix;
	const char	*cwd;
	const char	*dirfd_opt;
	const char	*dirfd_dir;
};

static const struct form forms[] = {
	{ "absolute", 1, "/d/", "/", NULL, NULL },
	{ "absolute unnormalised", 1, "//d/./sub/../", "/", NULL, NULL },
	{ "relative", 0, "d/", "", NULL, NULL },
	{ "relative from d", 0, "", "d", NULL, NULL },
	{ "relative d/./", 0, "d/./", "", NULL, NULL },
	{ "relative d//", 0, "d//", "", NULL, NULL },
	{ "relative d/sub/../", 0, "d/sub/../", "", NULL, NULL },
	{ "relative ./d/sub/./../", 0, "./d/sub/./../", "", NULL, NULL },
	/* From here on only for calls taking a dirfd. */
	{ "dirfd O_PATH", 0, "", "decoy", "--dirfd", "d" },
	{ "dirfd O_RDONLY", 0, "", "decoy", "--dirfd-ro", "d" },
	{ "dirfd ./", 0, "./", "decoy", "--dirfd", "d" },
	{ "dirfd sub/../", 0, "sub/../", "decoy", "--dirfd", "d" },
	{ "dirfd sub//..//", 0, "sub//..//", "decoy", "--dirfd", "d" },
	{ "dirfd parent", 0, "d/", "decoy", "--dirfd", "" },
	{ "dirfd ignored for absolute", 1, "/d/", "decoy", "--dirfd",
	    "decoy/d" },
};

/* The first form needing a dirfd. */
#define FIRST_DIRFD_FORM	8

/* The path form f gives to leaf, kept until teardown. */
static const char *
form_path(const struct form *f, const char *leaf)
{
	return e2e_fmt("%s%s%s", f->abs ? e2e_dir() : "", f->prefix, leaf);
}

/* Content of path as a string kept until teardown, "(missing)" if none. */
static const char *
slurp(const char *path)
{
	char *s = e2e_read(path);
	const char *kept;

	if (s == NULL)
		return "(missing)";
	kept = e2e_fmt("%s", s);
	free(s);
	return kept;
}

/* "<tmp>/rel", or <tmp> for "", or rel itself when absolute. */
static const char *
in_dir(const char *rel)
{
	if (rel[0] == '/')
		return rel;
	return rel[0] == '\0' ? e2e_dir() : e2e_path("%s", rel);
}

/* The line try-path prints for c when a redirect applies. */
static const char *
expected_redirect(const struct call *c)
{
	switch (c->kind) {
	case K_OPEN:
		return "OK content=redirected\n";
	case K_CREAT:
		return e2e_fmt("OK wrote=%zu\n", strlen(CREAT_TEXT));
	case K_STAT:
		return e2e_fmt("OK size=%zu mode=0%03o\n", strlen(DST_TEXT),
		    DST_MODE);
	case K_LSTAT_LINK:
		return e2e_fmt("OK size=%zu mode=0777\n", strlen(LINK_TEXT));
	case K_ACCESS:
		return "OK\n";
	case K_READLINK:
		return "OK link=" LINK_TEXT "\n";
	case K_GETXATTR:
		return e2e_fmt("OK size=%zu value=" XATTR_VALUE "\n",
		    strlen(XATTR_VALUE));
	case K_LISTXATTR:
		return e2e_fmt("OK size=%zu list=" XATTR_NAME "\n",
		    strlen(XATTR_NAME) + 1);
	case K_XATTR_LINK:
		return strcmp(c->sys, "llistxattr") == 0 ?
		    "OK size=0 list=\n" : "ERR ENODATA\n";
	case K_XATTR_DANGLING:
		return "ERR ENOENT\n";
	}
	return "?";
}

/*
 * Run every call of the table in every form under rules (unotifyd options,
 * NULL-terminated) with TARGETS/target. The supervisor runs in <tmp>/decoy;
 * the target first changes to its own cwd. Each case is an expectation
 * naming it, so one run reports every failing case. With errname NULL the
 * redirect outcome is expected, else "ERR errname".
 */
static void
run_table(const char *target, int i386, int xattr, const char *const rules[],
    const char *errname)
{
	const char *tp = e2e_target(target), *argv[32], *expect, *desc;
	const struct call *c;
	const struct form *f;
	struct e2e_result r;
	size_t ci, fi, n, i, first;
	const char *got;
	int cases = 0;

	for (ci = 0; ci < sizeof(calls) / sizeof(calls[0]); ci++) {
		c = &calls[ci];
		if ((c->i386_only && !i386) ||
		    (!i386 && !e2e_native_has(c->sys)) ||
		    K_IS_XATTR(c->kind) != xattr)
			continue;
		for (fi = 0; fi < sizeof(forms) / sizeof(forms[0]); fi++) {
			f = &forms[fi];
			if (fi >= FIRST_DIRFD_FORM && !c->at)
				continue;
			n = 0;
			argv[n++] = e2e_unotifyd();
			argv[n++] = "run";
			for (i = 0; rules[i] != NULL; i++)
				argv[n++] = rules[i];
			argv[n++] = "--";
			/* sh changes to the target's own cwd, then is it. */
			argv[n++] = "sh";
			argv[n++] = "-c";
			argv[n++] = "cd \"$0\" && exec \"$@\"";
			argv[n++] = in_dir(f->cwd);
			argv[n++] = tp;
			argv[n++] = c->sys;
			first = n;
			if (f->dirfd_opt != NULL) {
				argv[n++] = f->dirfd_opt;
				argv[n++] = in_dir(f->dirfd_dir);
			}
			argv[n++] = form_path(f, c->leaf);
			if (c->arg != NULL)
				argv[n++] = c->arg;
			argv[n] = NULL;
			/* "try-path-m32 statx [dirfd ./] in decoy: --dirfd
			 * <tmp>/d ./l nofollow" */
			desc = e2e_fmt("%s %s [%s] in %s:", target, c->sys,
			    f->name, f->cwd[0] != '\0' ? f->cwd : "<tmp>");
			for (i = first; i < n; i++)
				desc = e2e_fmt("%s %s", desc, argv[i]);
			if (c->kind == K_CREAT)
				unlink(e2e_path("cdst"));
			e2e_run(&r, argv, NULL, e2e_path("decoy"));
			expect = errname == NULL ? expected_redirect(c) :
			    e2e_fmt("ERR %s\n", errname);
			cr_expect(eq(str, r.out, (char *)expect),
			    "case %s\nexpected: %sgot: %sstderr: %s",
			    desc, expect, r.out, r.err);
			if (c->kind == K_CREAT && errname == NULL) {
				got = slurp(e2e_path("cdst"));
				cr_expect(eq(str, (char *)got, CREAT_TEXT),
				    "case %s: <tmp>/cdst holds %s", desc, got);
			}
			e2e_result_free(&r);
			cases++;
		}
	}
	/* Neither redirects nor errno rules may create the sources. */
	cr_expect(eq(int, e2e_exists(e2e_path("d/x")), 0),
	    "<tmp>/d/x was created");
	cr_expect(eq(int, e2e_exists(e2e_path("d/l")), 0),
	    "<tmp>/d/l was created");
	cr_expect(eq(int, e2e_exists(e2e_path("d/c")), 0),
	    "<tmp>/d/c was created");
	cr_expect(eq(int, e2e_exists(e2e_path("d/sub/x")), 0),
	    "<tmp>/d/sub/x was created");
	cr_expect(eq(str, (char *)slurp(e2e_path("decoy/x")), "decoy\n"));
	cr_log_info("%s: %d cases", target, cases);
}

/* Redirects of the three sources, as command-line options; xattr: the
 * attribute calls only, else the others. */
static void
redirect_table(const char *target, int i386, int xattr)
{
	make_tree();
	if (xattr)
		require_xattr();
	run_table(target, i386, xattr, E2E_ARGV(
	    "--redirect", e2e_fmt("%s=%s", e2e_path("d/x"), e2e_path("dst")),
	    "--redirect", e2e_fmt("%s=%s", e2e_path("d/l"),
	    e2e_path("dstlink")),
	    "--redirect", e2e_fmt("%s=%s", e2e_path("d/c"), e2e_path("cdst"))),
	    NULL);
	/* The destinations are untouched by reads and stats. */
	cr_expect(eq(str, (char *)slurp(e2e_path("dst")), DST_TEXT));
}

/* errno rules on the three sources, from an INI file. */
static void
errno_table(const char *target, int i386, int xattr)
{
	const char *ini;

	make_tree();
	if (xattr)
		require_xattr();
	ini = e2e_rules("deny.ini", e2e_fmt(
	    "[deny-x]\npath = %1$s/d/x\naction = errno\nerrno = EACCES\n"
	    "[deny-l]\npath = %1$s/d/l\naction = errno\nerrno = EACCES\n"
	    "[deny-c]\npath = %1$s/d/c\naction = errno\nerrno = EACCES\n",
	    e2e_dir()));
	run_table(target, i386, xattr, E2E_ARGV("-r", ini), "EACCES");
}

/* The native tables: x86_64 or aarch64, by the build (the test names
 * are kept from when there was only x86_64). */
Test(e2e_paths, redirect_every_call_and_form_x86_64, .timeout = TEST_LIMIT(30))
{
	redirect_table("try-path", 0, 0);
}

Test(e2e_paths, redirect_every_call_and_form_i386, .timeout = TEST_LIMIT(30))
{
	e2e_require_x86_64("i386 try-path-m32");
	redirect_table("try-path-m32", 1, 0);
}

Test(e2e_paths, errno_every_call_and_form_x86_64, .timeout = TEST_LIMIT(30))
{
	errno_table("try-path", 0, 0);
}

Test(e2e_paths, errno_every_call_and_form_i386, .timeout = TEST_LIMIT(30))
{
	e2e_require_x86_64("i386 try-path-m32");
	errno_table("try-path-m32", 1, 0);
}

Test(e2e_paths, redirect_every_xattr_call_and_form_x86_64,
    .timeout = TEST_LIMIT(30))
{
	redirect_table("try-path", 0, 1);
}

Test(e2e_paths, redirect_every_xattr_call_and_form_i386,
    .timeout = TEST_LIMIT(30))
{
	e2e_require_x86_64("i386 try-path-m32");
	redirect_table("try-path-m32", 1, 1);
}

Test(e2e_paths, errno_every_xattr_call_and_form_x86_64,
    .timeout = TEST_LIMIT(30))
{
	errno_table("try-path", 0, 1);
}

Test(e2e_paths, errno_every_xattr_call_and_form_i386,
    .timeout = TEST_LIMIT(30))
{
	e2e_require_x86_64("i386 try-path-m32");
	errno_table("try-path-m32", 1, 1);
}

/* The loops below run try-path (t 0) and try-path-m32 (t 1). Does t make
 * call sys here? i386 has every call, and exists only on x86_64; the
 * native try-path lacks what the arch lacks (aarch64: open, stat...). */
static int
has_call(size_t t, const char *sys)
{
	if (t == 1)
		return e2e_x86_64();
	return e2e_native_has(sys);
}

/* "for s in LIST; do 'TP' $s ARGS; done" over the calls of list t has;
 * *n: how many. */
static const char *
for_calls(size_t t, const char *tp, const char *list, const char *args,
    size_t *n)
{
	char *copy, *sys, *save = NULL;
	const char *have = "";

	if ((copy = strdup(list)) == NULL)
		cr_fatal("out of memory");
	*n = 0;
	for (sys = strtok_r(copy, " ", &save); sys != NULL;
	    sys = strtok_r(NULL, " ", &save))
		if (has_call(t, sys)) {
			have = e2e_fmt("%s%s%s", have, *have ? " " : "", sys);
			(*n)++;
		}
	free(copy);
	return e2e_fmt("for s in %s; do '%s' $s %s; done", have, tp, args);
}

/* line n times. */
static const char *
times(const char *line, size_t n)
{
	const char *s = "";

	while (n-- > 0)
		s = e2e_fmt("%s%s", s, line);
	return s;
}

/* Without rules the sources are absent: the tables above are not
 * vacuous. */
Test(e2e_paths, control_sources_absent_without_rules, .timeout = TEST_LIMIT(30))
{
	static const char *const targets[] = { "try-path", "try-path-m32" };
	static const char *const sys[] = { "open", "stat", "statx", "access",
	    "readlink", "listxattr" };
	struct e2e_result r;
	size_t t, s;

	make_tree();
	for (t = 0; t < 2; t++)
		for (s = 0; s < sizeof(sys) / sizeof(sys[0]); s++) {
			if (!has_call(t, sys[s]))
				continue;
			e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--",
			    e2e_target(targets[t]), sys[s], "d/x"), NULL,
			    e2e_dir());
			cr_expect(eq(str, r.out, "ERR ENOENT\n"),
			    "case %s %s d/x: got %s stderr: %s", targets[t],
			    sys[s], r.out, r.err);
			e2e_result_free(&r);
		}
}

/* Run `sh -c script` under one redirect src=dst in cwd; out and code. */
static void
sh_redirect(struct e2e_result *r, const char *src, const char *dst,
    const char *script, const char *const env[], const char *cwd)
{
	e2e_run(r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", "sh", "-c", script), env, cwd);
}

Test(e2e_paths, cat_relative_from_cwd, .timeout = TEST_LIMIT(30))
{
	struct e2e_result r;

	make_tree();
	/* cat a, cat ./a, cat sub/../a from the directory holding a. */
	sh_redirect(&r, e2e_path("d/a"), e2e_path("dst"),
	    "cat a; cat ./a; cat sub/../a", NULL, e2e_path("d"));
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, DST_TEXT DST_TEXT DST_TEXT));
	e2e_result_free(&r);
	/* From elsewhere, a is some other file and not redirected. */
	e2e_write(e2e_path("decoy/a"), "mine\n", 0644);
	sh_redirect(&r, e2e_path("d/a"), e2e_path("dst"), "cat a", NULL,
	    e2e_path("decoy"));
	cr_assert(eq(str, r.out, "mine\n"), "stderr: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_paths, test_f_and_stat_size_of_absent_source, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("d/absent");
	struct e2e_result r;

	make_tree();
	sh_redirect(&r, src, e2e_path("dst"), e2e_fmt(
	    "test -f '%1$s' && echo file; test -e d/absent && echo exists; "
	    "test -d '%1$s' || echo notdir; stat -c %%s '%1$s'; "
	    "stat -L -c %%s d/./absent; ls '%1$s'", src), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, (char *)e2e_fmt(
	    "file\nexists\nnotdir\n%zu\n%zu\n%s\n", strlen(DST_TEXT),
	    strlen(DST_TEXT), src)), "stderr: %s", r.err);
	cr_assert(eq(int, e2e_exists(src), 0), "%s was created", src);
	e2e_result_free(&r);
}

Test(e2e_paths, python_exists_stat_access, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("d/absent");
	struct e2e_result r;

	if (!e2e_have_prog("python3"))
		cr_skip_test("python3 is not installed");
	make_tree();
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, e2e_path("dst")), "--", "python3", "-c",
	    "import os, sys\n"
	    "p = sys.argv[1]\n"
	    "print(os.path.exists(p), os.path.isfile(p), os.stat(p).st_size,\n"
	    "    oct(os.stat(p).st_mode & 0o7777), os.access(p, os.R_OK),\n"
	    "    os.access('d/sub/../absent', os.R_OK))\n"
	    "print(open(p).readline(), end='')\n",
	    src), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, (char *)e2e_fmt(
	    "True True %zu 0o640 True True\nredirected\n", strlen(DST_TEXT))),
	    "stderr: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_paths, git_global_config_redirected, .timeout = TEST_LIMIT(30))
{
	const char *home = e2e_path("home");
	struct e2e_result r;

	if (!e2e_have_prog("git"))
		cr_skip_test("git is not installed");
	e2e_mkdir(home);
	e2e_write(e2e_path("gitconfig"), "[user]\n\tname = X\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s/.gitconfig=%s", home, e2e_path("gitconfig")), "--",
	    "git", "config", "--global", "user.name"),
	    E2E_ARGV(e2e_fmt("HOME=%s", home), "XDG_CONFIG_HOME",
	    "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM=1",
	    "GIT_DIR", "GIT_CONFIG_COUNT"), home);
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "X\n"), "stderr: %s", r.err);
	cr_assert(eq(int, e2e_exists(e2e_fmt("%s/.gitconfig", home)), 0),
	    "~/.gitconfig was created");
	e2e_result_free(&r);
}

Test(e2e_paths, grandchild_own_cwd_and_dirfd, .timeout = TEST_LIMIT(30))
{
	static const char *const targets[] = { "try-path", "try-path-m32" };
	struct e2e_result r;
	size_t t;

	make_tree();
	for (t = 0; t < 2; t++) {
		const char *tp;

		if (!has_call(t, "openat"))
			continue;
		tp = e2e_target(targets[t]);
		/* A subshell's child, in its own cwd, opening its own dirfd
		 * relative to that cwd; the supervisor sits in decoy/. stat
		 * where the arch has it, else statx. */
		sh_redirect(&r, e2e_path("d/x"), e2e_path("dst"), e2e_fmt(
		    "(cd '%1$s' && exec '%2$s' openat --dirfd d sub/../x); "
		    "(cd '%1$s/d' && exec '%2$s' fstatat --dirfd-ro sub ../x); "
		    "(cd '%1$s/d/sub' && exec '%2$s' %3$s ../x)",
		    e2e_dir(), tp, has_call(t, "stat") ? "stat" : "statx"),
		    NULL, e2e_path("decoy"));
		cr_expect(eq(str, r.out, (char *)e2e_fmt(
		    "OK content=redirected\nOK size=%zu mode=0640\n"
		    "OK size=%zu mode=0640\n", strlen(DST_TEXT),
		    strlen(DST_TEXT))), "case %s: stderr: %s", targets[t],
		    r.err);
		e2e_result_free(&r);
	}
}

Test(e2e_paths, readlink_redirected_to_symlink, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("d/l");
	struct e2e_result r;

	make_tree();
	sh_redirect(&r, src, e2e_path("dstlink"), e2e_fmt(
	    "readlink '%s'; readlink d//l; test -L d/l && echo symlink; "
	    "stat -c %%s d/l", src), NULL, e2e_dir());
	cr_assert(eq(str, r.out, (char *)e2e_fmt(LINK_TEXT "\n" LINK_TEXT
	    "\nsymlink\n%zu\n", strlen(LINK_TEXT))), "stderr: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_paths, syscalls_key_restricts_rule, .timeout = TEST_LIMIT(30))
{
	static const char *const targets[] = { "try-path", "try-path-m32" };
	const char *ini;
	struct e2e_result r;
	size_t t;

	make_tree();
	ini = e2e_rules("only-openat.ini", e2e_fmt(
	    "[only-openat]\npath = %s/d/x\naction = redirect\n"
	    "target = %s/dst\nsyscalls = openat\n", e2e_dir(), e2e_dir()));
	/* cat opens with openat: redirected; test -f stats: not. */
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", ini, "--", "sh",
	    "-c", "head -n1 d/x; test -f d/x && echo file || echo nofile"),
	    NULL, e2e_dir());
	cr_assert(eq(str, r.out, "redirected\nnofile\n"), "stderr: %s", r.err);
	e2e_result_free(&r);
	for (t = 0; t < 2; t++) {
		const char *tp, *script;
		size_t n;

		if (!has_call(t, "openat"))
			continue;
		tp = e2e_target(targets[t]);
		script = for_calls(t, tp, "openat open openat2 stat fstatat "
		    "statx access", "d/x", &n);
		e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", ini, "--",
		    "sh", "-c", script), NULL, e2e_dir());
		cr_expect(eq(str, r.out, (char *)e2e_fmt("OK content=redirected"
		    "\n%s", times("ERR ENOENT\n", n - 1))),
		    "case %s: openat only is redirected; stderr: %s",
		    targets[t], r.err);
		e2e_result_free(&r);
	}
}

Test(e2e_paths, access_write_errno_rule, .timeout = TEST_LIMIT(30))
{
	static const char *const targets[] = { "try-path", "try-path-m32" };
	const char *src = e2e_path("ro"), *ini;
	struct e2e_result r;
	size_t t;

	make_tree();
	e2e_write(src, "readable\n", 0644);
	ini = e2e_rules("ro.ini", e2e_fmt("[ro]\npath = %s\naction = errno\n"
	    "errno = EROFS\naccess = write\n", src));
	/* Natively root may write it: only the rule makes test -w false. */
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", ini, "--", "sh",
	    "-c", e2e_fmt("test -w '%1$s' && echo writable || echo "
	    "notwritable; test -r '%1$s' && echo readable; cat '%1$s'; "
	    "echo x >> '%1$s' || echo appendfailed", src)), NULL, e2e_dir());
	cr_assert(eq(str, r.out, "notwritable\nreadable\nreadable\n"
	    "appendfailed\n"), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, strerror(EROFS)), "stderr: %s", r.err);
	cr_assert(eq(str, (char *)slurp(src), "readable\n"));
	e2e_result_free(&r);
	for (t = 0; t < 2; t++) {
		static const struct e2e_call steps[] = {
			{ "access", "w", "ERR EROFS" },
			{ "faccessat", "rw", "ERR EROFS" },
			{ "faccessat2", "w", "ERR EROFS" },
			{ "access", "r", "OK" },
			{ "faccessat", "r", "OK" },
			{ "open", "", "OK content=readable" },
			{ "openat", "", "OK content=readable" },
			{ "openat", "text", "ERR EROFS" },
			{ "creat", "", "ERR EROFS" },
			{ "stat", "", "OK size=9 mode=0644" },
			{ "fstatat", "", "OK size=9 mode=0644" },
		};
		const char *tp, *script, *expect;

		if (t == 1 && !e2e_x86_64())
			continue;
		tp = e2e_target(targets[t]);
		script = e2e_calls_script(tp, src, steps, sizeof(steps) /
		    sizeof(steps[0]), t == 1, &expect);
		e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", ini, "--",
		    "sh", "-c", script), NULL, e2e_dir());
		cr_expect(eq(str, r.out, (char *)expect), "case %s: stderr: %s",
		    targets[t], r.err);
		e2e_result_free(&r);
	}
}

Test(e2e_paths, trailing_slash_not_redirected_to_file, .timeout = TEST_LIMIT(30))
{
	static const char *const targets[] = { "try-path", "try-path-m32" };
	const char *src = e2e_path("d/x");
	struct e2e_result r;
	size_t t;

	make_tree();
	/* SRC/ names a directory: the file rule must not apply, so the
	 * call sees the absent source (ENOENT), not dst/ (ENOTDIR). */
	for (t = 0; t < 2; t++) {
		const char *tp, *script;
		size_t n;

		if (!has_call(t, "openat"))
			continue;
		tp = e2e_target(targets[t]);
		script = for_calls(t, tp, "open openat stat lstat fstatat "
		    "statx access faccessat readlink readlinkat",
		    e2e_fmt("'%s/'", src), &n);
		sh_redirect(&r, src, e2e_path("dst"), e2e_fmt(
		    "%s; cat d/x/ 2>/dev/null || echo catfailed", script),
		    NULL, e2e_dir());
		cr_expect(eq(str, r.out, (char *)e2e_fmt("%scatfailed\n",
		    times("ERR ENOENT\n", n))), "case %s %s/: stderr: %s",
		    targets[t], src, r.err);
		e2e_result_free(&r);
	}
	/* And with the source a real file: ENOTDIR, as natively (i386 open
	 * where there is i386). */
	e2e_write(src, "source\n", 0644);
	sh_redirect(&r, src, e2e_path("dst"), e2e_fmt("'%s' %s '%s/'; "
	    "'%s' %s d/x/; cat d/x", e2e_target("try-path"),
	    has_call(0, "stat") ? "stat" : "fstatat", src,
	    e2e_x86_64() ? e2e_target("try-path-m32") : e2e_target("try-path"),
	    e2e_x86_64() ? "open" : "openat"), NULL, e2e_dir());
	cr_expect(eq(str, r.out, "ERR ENOTDIR\nERR ENOTDIR\n" DST_TEXT),
	    "stderr: %s", r.err);
	e2e_result_free(&r);
}
