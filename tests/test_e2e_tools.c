/* SPDX-License-Identifier: MIT */
/* End-to-end: everyday tools (vim, git, sed, perl, python, coreutils, tar)
 * saving, creating, removing, cd-ing and exec-ing through redirects and a
 * read-only rule, with the original tree proven untouched every time. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "e2e.h"
#include "tree.h"

/*
 * Every test works on <tmp>/src, the user's original tree, and <tmp>/dst,
 * the override. With TOOLS_REFERENCE=1 in the environment the same tests
 * run their commands under the reference instead of unotifyd, to prove the
 * expectations: `proot -b DST:SRC` for redirects, a read-only bind mount
 * (the kernel's own EROFS) for the read-only rule. io_uring has no
 * reference (proot lets it through), so those tests skip there.
 */
static const char	*src, *dst;
static struct tree	*before;
/* Argument vectors built by join, freed at teardown. */
static const char	**joined[8];
static size_t		  njoined;

static void
tools_setup(void)
{
	e2e_setup();
	src = e2e_path("src");
	dst = e2e_path("dst");
	e2e_mkdir(src);
	e2e_mkdir(dst);
	e2e_mkdir(e2e_path("home"));
	before = NULL;
}

static void
tools_teardown(void)
{
	tree_free(before);
	before = NULL;
	while (njoined > 0)
		free(joined[--njoined]);
	e2e_teardown();
}

TestSuite(e2e_tools, .init = tools_setup, .fini = tools_teardown,
    .timeout = 30);

static int
reference(void)
{
	const char *v = getenv("TOOLS_REFERENCE");

	return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

/* Skip unless prog is found on PATH. */
static void
need(const char *prog)
{
	if (!e2e_have_prog(prog))
		cr_skip_test("%s is not installed", prog);
}

/* Take the snapshot of the original tree that check_src compares with. */
static void
snap_src(void)
{
	tree_free(before);
	before = tree_snap(src);
}

/* The original tree is exactly as snap_src saw it. */
static void
check_src(void)
{
	struct tree *after = tree_snap(src);
	char *diff = tree_diff(before, after);

	tree_free(after);
	cr_expect(diff == NULL, "the original tree %s changed:\n%s", src,
	    diff);
	free(diff);
}

/* a and b joined into one argument vector, kept until teardown. */
static const char *const *
join(const char *const a[], const char *const b[])
{
	size_t na = 0, nb = 0;
	const char **v;

	while (a[na] != NULL)
		na++;
	while (b[nb] != NULL)
		nb++;
	if (njoined == sizeof(joined) / sizeof(joined[0]))
		cr_fatal("join: too many vectors in one test");
	if ((v = calloc(na + nb + 1, sizeof(*v))) == NULL)
		cr_fatal("out of memory");
	memcpy(v, a, na * sizeof(*v));
	memcpy(v + na, b, nb * sizeof(*v));
	joined[njoined++] = v;
	return v;
}

/* path without a trailing slash (proot's -b takes none). */
static const char *
noslash(const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	return e2e_fmt("%.*s", (int)n, path);
}

/* The environment every tool runs with: no user config of the host. */
#define TOOLS_ENV(home)	E2E_ARGV(e2e_fmt("HOME=%s", (home)), \
	"XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", \
	"GIT_CONFIG_NOSYSTEM=1", "GIT_DIR", "GIT_CONFIG_COUNT", "VIMINIT", \
	"EXINIT", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", \
	"LC_ALL=C")

/*
 * Run cmd with one redirect from to (from ending in '/' is a prefix rule,
 * to then a directory), in the temp dir, with HOME=<tmp>/home.
 */
static void
run_redirect(struct e2e_result *r, const char *from, const char *to,
    const char *const cmd[])
{
	const char *const *argv;

	if (reference()) {
		need("proot");
		argv = join(E2E_ARGV("proot", "-b", e2e_fmt("%s:%s",
		    noslash(to), noslash(from))), cmd);
	} else
		argv = join(E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
		    e2e_fmt("%s=%s", from, to), "--"), cmd);
	e2e_run(r, argv, TOOLS_ENV(e2e_path("home")), e2e_dir());
}

/* The usual prefix redirect: <tmp>/src/ to <tmp>/dst/. */
static void
run_prefix(struct e2e_result *r, const char *const cmd[])
{
	run_redirect(r, e2e_fmt("%s/", src), e2e_fmt("%s/", dst), cmd);
}

/* Run cmd with writes to the original tree refused with EROFS. */
static void
run_readonly(struct e2e_result *r, const char *const cmd[])
{
	const char *const *argv;

	if (reference()) {
		need("unshare");
		if (geteuid() != 0)
			cr_skip_test("the read-only reference (a bind mount) "
			    "needs root");
		argv = join(E2E_ARGV("unshare", "-m", "--propagation",
		    "private", "sh", "-c", "mount --bind \"$1\" \"$1\" && "
		    "mount -o remount,bind,ro \"$1\" && shift && "
		    "exec \"$@\"", "sh", src), cmd);
	} else
		argv = join(E2E_ARGV(e2e_unotifyd(), "run", "-r",
		    e2e_rules("ro.ini", e2e_fmt("[source-readonly]\n"
		    "path = %s/\naction = errno\nerrno = EROFS\n"
		    "access = write\n", src)), "--"), cmd);
	e2e_run(r, argv, TOOLS_ENV(e2e_path("home")), e2e_dir());
}

/* Assert that path holds exactly text. */
static void
check_file(const char *path, const char *text)
{
	char *got = e2e_read(path);

	cr_expect(got != NULL, "%s: %s", path, strerror(errno));
	if (got != NULL)
		cr_expect(eq(str, got, (char *)text), "content of %s", path);
	free(got);
}

/* Assert success, with the command's output in the message. */
#define CHECK_OK(r)	cr_assert(eq(int, (r).code, 0), \
	"exit %d\nstdout: %s\nstderr: %s", (r).code, (r).out, (r).err)

/* What dir holds, one "removed PATH" line an entry (malloc'd, or NULL). */
static char *
listing(const char *dir)
{
	struct tree *t = tree_snap(dir), *empty;
	const char *none = e2e_path("empty");
	char *list;

	e2e_mkdir(none);
	empty = tree_snap(none);
	/* Against an empty tree every entry of dir shows as removed. */
	list = tree_diff(t, empty);
	tree_free(t);
	tree_free(empty);
	return list;
}

/* Assert that no entry of dir has needle in its name (stray temp files). */
static void
check_no_name(const char *dir, const char *needle)
{
	char *list = listing(dir);

	cr_expect(not(e2e_has(list, needle)), "a stray %s* is left in %s:\n%s",
	    needle, dir, list);
	free(list);
}

/* --- Saving a redirected file ------------------------------------------ */

Test(e2e_tools, vim_writebackup_saves_override)
{
	const char *file = e2e_fmt("%s/app.conf", src);
	struct e2e_result r;

	need("vim");
	e2e_write(file, "original\n", 0644);
	e2e_write(e2e_fmt("%s/app.conf", dst), "override\n", 0644);
	snap_src();
	/* backupskip= because vim skips backups under /tmp by default. */
	run_redirect(&r, file, e2e_fmt("%s/app.conf", dst), E2E_ARGV("vim",
	    "-u", "NONE", "-i", "NONE", "-n", "-N", "-es", "-c",
	    "set writebackup nobackup backupcopy=no backupskip= backupdir=.",
	    "-c", "normal Aedited", "-c", "wq", file));
	CHECK_OK(r);
	check_src();
	check_file(e2e_fmt("%s/app.conf", dst), "overrideedited\n");
	cr_expect(not(e2e_exists(e2e_fmt("%s/app.conf~", dst))),
	    "vim's backup is left in the override");
	e2e_result_free(&r);
}

Test(e2e_tools, git_config_global_exact)
{
	const char *home = e2e_path("home"), *over = e2e_path("gitconfig");
	struct e2e_result r;
	char *got;

	need("git");
	/* The original tree is HOME itself here. */
	src = home;
	e2e_write(e2e_fmt("%s/.gitconfig", home),
	    "[user]\n\tname = Real\n\tsigningkey = REALKEY\n", 0644);
	e2e_write(over, "[user]\n\tname = Over\n\tsigningkey = OVERKEY\n",
	    0600);
	snap_src();
	run_redirect(&r, e2e_fmt("%s/.gitconfig", home), over,
	    E2E_ARGV("git", "config", "--global", "user.name", "New"));
	CHECK_OK(r);
	e2e_result_free(&r);
	check_src();
	got = e2e_read(over);
	cr_expect(e2e_has(got, "name = New"), "override: %s", got);
	cr_expect(e2e_has(got, "signingkey = OVERKEY"), "override: %s", got);
	cr_expect(not(e2e_has(got, "REALKEY")), "override: %s", got);
	free(got);
	/* And git reads back what it wrote. */
	run_redirect(&r, e2e_fmt("%s/.gitconfig", home), over,
	    E2E_ARGV("git", "config", "--global", "user.name"));
	CHECK_OK(r);
	cr_expect(eq(str, r.out, "New\n"));
	e2e_result_free(&r);
}

Test(e2e_tools, git_config_file_prefix)
{
	const char *cfg = e2e_fmt("%s/repo/config", src);
	struct e2e_result r;
	char *got;

	need("git");
	e2e_mkdir(e2e_fmt("%s/repo", src));
	e2e_write(cfg, "[core]\n\treal = yes\n", 0644);
	e2e_mkdir(e2e_fmt("%s/repo", dst));
	e2e_write(e2e_fmt("%s/repo/config", dst), "[core]\n\tover = yes\n",
	    0644);
	snap_src();
	/* Twice: a config.lock left behind would fail the second. */
	run_prefix(&r, E2E_ARGV("git", "config", "--file", cfg, "a.b", "1"));
	CHECK_OK(r);
	e2e_result_free(&r);
	run_prefix(&r, E2E_ARGV("git", "config", "--file", cfg, "a.c", "2"));
	CHECK_OK(r);
	e2e_result_free(&r);
	check_src();
	got = e2e_read(e2e_fmt("%s/repo/config", dst));
	cr_expect(e2e_has(got, "over = yes") && e2e_has(got, "b = 1") &&
	    e2e_has(got, "c = 2") && !e2e_has(got, "real"), "override: %s",
	    got);
	free(got);
	cr_expect(not(e2e_exists(e2e_fmt("%s/repo/config.lock", dst))),
	    "config.lock left in the override");
}

Test(e2e_tools, sed_in_place_exact)
{
	const char *file = e2e_fmt("%s/f.conf", src);
	struct e2e_result r;

	need("sed");
	e2e_write(file, "color = red\n", 0644);
	e2e_write(e2e_fmt("%s/f.conf", dst), "color = blue\n", 0640);
	snap_src();
	run_redirect(&r, file, e2e_fmt("%s/f.conf", dst),
	    E2E_ARGV("sed", "-i", "s/blue/green/", file));
	CHECK_OK(r);
	check_src();
	check_file(e2e_fmt("%s/f.conf", dst), "color = green\n");
	cr_expect(eq(int, e2e_mode(e2e_fmt("%s/f.conf", dst)), 0640),
	    "sed -i keeps the override's mode");
	e2e_result_free(&r);
}

Test(e2e_tools, perl_in_place_prefix)
{
	const char *file = e2e_fmt("%s/etc/f.conf", src);
	struct e2e_result r;

	need("perl");
	e2e_mkdir(e2e_fmt("%s/etc", src));
	e2e_mkdir(e2e_fmt("%s/etc", dst));
	e2e_write(file, "size = 1\n", 0644);
	e2e_write(e2e_fmt("%s/etc/f.conf", dst), "size = 2\n", 0644);
	snap_src();
	run_prefix(&r, E2E_ARGV("perl", "-pi", "-e", "s/2/3/", file));
	CHECK_OK(r);
	check_src();
	check_file(e2e_fmt("%s/etc/f.conf", dst), "size = 3\n");
	check_no_name(dst, "f.conf.");
	e2e_result_free(&r);
}

Test(e2e_tools, python_os_replace_exact)
{
	const char *file = e2e_fmt("%s/state.json", src);
	struct e2e_result r;

	need("python3");
	e2e_write(file, "{\"v\": 1}\n", 0644);
	e2e_write(e2e_fmt("%s/state.json", dst), "{\"v\": 2}\n", 0644);
	snap_src();
	run_redirect(&r, file, e2e_fmt("%s/state.json", dst),
	    E2E_ARGV("python3", "-c",
	    "import os, sys\n"
	    "p = sys.argv[1]\n"
	    "old = open(p).read()\n"
	    "with open(p + '.tmp', 'w') as f:\n"
	    "    f.write(old.replace('2', '3'))\n"
	    "os.replace(p + '.tmp', p)\n"
	    "print(open(p).read(), end='')\n", file));
	CHECK_OK(r);
	cr_expect(eq(str, r.out, "{\"v\": 3}\n"));
	check_src();
	check_file(e2e_fmt("%s/state.json", dst), "{\"v\": 3}\n");
	e2e_result_free(&r);
}

/* --- Creating in a redirected directory --------------------------------- */

/* <tmp>/in/NAME holding NAME's own name, the file put into the tree. */
static const char *
infile(const char *name)
{
	const char *p = e2e_path("in/%s", name);

	e2e_mkdir(e2e_path("in"));
	e2e_write(p, e2e_fmt("%s\n", name), 0644);
	return p;
}

Test(e2e_tools, cp_into_redirected_dir)
{
	const char *in = infile("a");
	struct e2e_result r;

	e2e_write(e2e_fmt("%s/orig", src), "orig\n", 0644);
	snap_src();
	run_prefix(&r, E2E_ARGV("cp", in, e2e_fmt("%s/", src)));
	CHECK_OK(r);
	check_src();
	check_file(e2e_fmt("%s/a", dst), "a\n");
	e2e_result_free(&r);
}

Test(e2e_tools, mv_into_redirected_dir)
{
	const char *in = infile("b");
	struct e2e_result r;

	snap_src();
	run_prefix(&r, E2E_ARGV("mv", in, e2e_fmt("%s/", src)));
	CHECK_OK(r);
	check_src();
	check_file(e2e_fmt("%s/b", dst), "b\n");
	cr_expect(not(e2e_exists(in)), "mv left its source behind");
	e2e_result_free(&r);
}

Test(e2e_tools, install_into_redirected_dir)
{
	const char *in = infile("c");
	struct e2e_result r;

	snap_src();
	run_prefix(&r, E2E_ARGV("install", "-m", "0751", in,
	    e2e_fmt("%s/", src)));
	CHECK_OK(r);
	check_src();
	check_file(e2e_fmt("%s/c", dst), "c\n");
	cr_expect(eq(int, e2e_mode(e2e_fmt("%s/c", dst)), 0751));
	e2e_result_free(&r);
}

Test(e2e_tools, ln_s_into_redirected_dir)
{
	const char *in = infile("d");
	struct e2e_result r;
	char buf[4096];
	ssize_t n;

	snap_src();
	run_prefix(&r, E2E_ARGV("ln", "-s", in, e2e_fmt("%s/", src)));
	CHECK_OK(r);
	check_src();
	/* The link's location is translated; its text is not. */
	n = readlink(e2e_fmt("%s/d", dst), buf, sizeof(buf) - 1);
	cr_assert(n > 0, "no symlink %s/d: %s", dst, strerror(errno));
	buf[n] = '\0';
	cr_expect(eq(str, buf, (char *)in));
	e2e_result_free(&r);
}

Test(e2e_tools, tar_extract_into_redirected_dir)
{
	static const char *const names[] = { "top", "sub/x", "sub/deeper/y",
	    "sub/l" };
	const char *payload = e2e_path("payload");
	struct tree *want, *got;
	size_t i;
	struct e2e_result r;
	char *diff;

	need("tar");
	e2e_mkdir(e2e_fmt("%s/sub/deeper", payload));
	e2e_write(e2e_fmt("%s/top", payload), "top\n", 0600);
	e2e_write(e2e_fmt("%s/sub/x", payload), "x\n", 0755);
	e2e_write(e2e_fmt("%s/sub/deeper/y", payload), "y\n", 0644);
	cr_assert(eq(int, symlink("../top", e2e_fmt("%s/sub/l", payload)), 0));
	/* Whole seconds: a tar header keeps no more. */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_assert(eq(int, utimensat(AT_FDCWD, e2e_fmt("%s/%s", payload,
		    names[i]), (struct timespec[2]){ { 1500000000, 0 },
		    { 1500000000, 0 } }, AT_SYMLINK_NOFOLLOW), 0));
	e2e_run(&r, E2E_ARGV("tar", "-c", "-f", e2e_path("p.tar"), "-C",
	    payload, "."), NULL, e2e_dir());
	CHECK_OK(r);
	e2e_result_free(&r);
	e2e_write(e2e_fmt("%s/orig", src), "orig\n", 0644);
	snap_src();
	run_prefix(&r, E2E_ARGV("tar", "-x", "-f", e2e_path("p.tar"), "-C",
	    src));
	CHECK_OK(r);
	check_src();
	/* The override now holds the payload, mtimes and all. */
	want = tree_snap(payload);
	got = tree_snap(dst);
	diff = tree_diff(want, got);
	cr_expect(diff == NULL, "override differs from the archive:\n%s",
	    diff);
	free(diff);
	tree_free(want);
	tree_free(got);
	e2e_result_free(&r);
}

Test(e2e_tools, mkdir_p_under_prefix)
{
	struct e2e_result r;
	struct stat st;

	e2e_write(e2e_fmt("%s/orig", src), "orig\n", 0644);
	snap_src();
	run_prefix(&r, E2E_ARGV("mkdir", "-p", e2e_fmt("%s/a/b", src)));
	CHECK_OK(r);
	check_src();
	cr_expect(stat(e2e_fmt("%s/a/b", dst), &st) == 0 &&
	    S_ISDIR(st.st_mode), "no directory %s/a/b", dst);
	e2e_result_free(&r);
}

Test(e2e_tools, cd_into_dir_only_in_override)
{
	struct e2e_result r;

	e2e_mkdir(e2e_fmt("%s/dir", dst));
	e2e_write(e2e_fmt("%s/dir/f", dst), "in the override\n", 0644);
	snap_src();
	/* A relative open after the cd, and the cwd the program sees. */
	run_prefix(&r, E2E_ARGV("sh", "-c", e2e_fmt("cd '%s/dir' && cat f "
	    "&& /bin/pwd && echo new > g", src)));
	CHECK_OK(r);
	cr_expect(eq(str, r.out, (char *)e2e_fmt("in the override\n%s/dir\n",
	    src)));
	check_src();
	check_file(e2e_fmt("%s/dir/g", dst), "new\n");
	e2e_result_free(&r);
}

Test(e2e_tools, python_compileall_prefix)
{
	struct e2e_result r;
	char *list;

	need("python3");
	e2e_write(e2e_fmt("%s/mod.py", dst), "X = 1\n", 0644);
	snap_src();
	run_prefix(&r, E2E_ARGV("python3", "-m", "compileall", "-q", src));
	CHECK_OK(r);
	check_src();
	list = listing(dst);
	cr_expect(e2e_has(list, "removed __pycache__/mod.cpython-"),
	    "no compiled mod in the override:\n%s", list);
	/* py_compile writes NAME.pyc.NNN, then renames it to NAME.pyc. */
	cr_expect(not(e2e_has(list, ".pyc.")), "stray temporary:\n%s", list);
	free(list);
	e2e_result_free(&r);
}

/* sub/ in both trees, with different contents: src/sub/{f,keep/f} and
 * dst/sub/{f,d/g}, all files 0644; then the source's snapshot. */
static void
make_subs(void)
{
	e2e_mkdir(e2e_fmt("%s/sub/keep", src));
	e2e_write(e2e_fmt("%s/sub/f", src), "orig\n", 0644);
	e2e_write(e2e_fmt("%s/sub/keep/f", src), "orig\n", 0644);
	e2e_mkdir(e2e_fmt("%s/sub/d", dst));
	e2e_write(e2e_fmt("%s/sub/f", dst), "over\n", 0644);
	e2e_write(e2e_fmt("%s/sub/d/g", dst), "over\n", 0644);
	snap_src();
}

Test(e2e_tools, rm_rf_under_prefix)
{
	struct e2e_result r;

	make_subs();
	run_prefix(&r, E2E_ARGV("rm", "-rf", e2e_fmt("%s/sub", src)));
	CHECK_OK(r);
	check_src();
	cr_expect(not(e2e_exists(e2e_fmt("%s/sub", dst))),
	    "rm -rf left %s/sub", dst);
	e2e_result_free(&r);
}

Test(e2e_tools, chmod_R_under_prefix)
{
	struct e2e_result r;

	make_subs();
	run_prefix(&r, E2E_ARGV("chmod", "-R", "go-rwx",
	    e2e_fmt("%s/sub", src)));
	CHECK_OK(r);
	check_src();
	cr_expect(eq(int, e2e_mode(e2e_fmt("%s/sub", dst)), 0700));
	cr_expect(eq(int, e2e_mode(e2e_fmt("%s/sub/d", dst)), 0700));
	cr_expect(eq(int, e2e_mode(e2e_fmt("%s/sub/f", dst)), 0600));
	cr_expect(eq(int, e2e_mode(e2e_fmt("%s/sub/d/g", dst)), 0600));
	e2e_result_free(&r);
}

/* --- exec --------------------------------------------------------------- */

Test(e2e_tools, exec_redirected_script_uses_override_interpreter)
{
	const char *file = e2e_fmt("%s/run", src);
	struct e2e_result r;

	need("perl");
	e2e_write(file, "#!/bin/sh\necho original\n", 0755);
	/* Not valid sh: run by the original's interpreter, it fails. */
	e2e_write(e2e_fmt("%s/run", dst),
	    "#!/usr/bin/perl\nprint \"override \" . (1 + 1) . \"\\n\";\n",
	    0755);
	snap_src();
	run_redirect(&r, file, e2e_fmt("%s/run", dst), E2E_ARGV(file));
	CHECK_OK(r);
	cr_expect(eq(str, r.out, "override 2\n"), "stderr: %s", r.err);
	check_src();
	e2e_result_free(&r);
}

/* Copy the binary at from to to, mode 0755. */
static void
copy_binary(const char *from, const char *to)
{
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV("cp", from, to), NULL, NULL);
	CHECK_OK(r);
	e2e_result_free(&r);
	cr_assert(eq(int, chmod(to, 0755), 0));
}

Test(e2e_tools, exec_redirected_binary_runs_override)
{
	const char *file = e2e_fmt("%s/prog", src);
	struct e2e_result r;

	copy_binary("/bin/false", file);
	copy_binary("/bin/echo", e2e_fmt("%s/prog", dst));
	snap_src();
	run_redirect(&r, file, e2e_fmt("%s/prog", dst),
	    E2E_ARGV(file, "override ran"));
	CHECK_OK(r);
	cr_expect(eq(str, r.out, "override ran\n"));
	check_src();
	e2e_result_free(&r);
}

Test(e2e_tools, exec_source_only_in_override)
{
	struct e2e_result r;

	e2e_write(e2e_fmt("%s/only", dst), "#!/bin/sh\necho only \"$0\"\n",
	    0755);
	snap_src();
	/* The kernel hands a #! interpreter the name exec was given, which
	 * unotifyd rewrote: $0 names the override, where proot shows the
	 * source (documented in unotifyd(8) CAVEATS). */
	run_prefix(&r, E2E_ARGV(e2e_fmt("%s/only", src)));
	CHECK_OK(r);
	cr_expect(eq(str, r.out, (char *)e2e_fmt("only %s/only\n", dst)));
	e2e_result_free(&r);
	/* And found by a PATH search, the way a shell runs it. */
	run_prefix(&r, E2E_ARGV("sh", "-c", e2e_fmt("PATH='%s':/usr/bin:/bin "
	    "only", src)));
	CHECK_OK(r);
	cr_expect(eq(str, r.out, (char *)e2e_fmt("only %s/only\n", dst)));
	check_src();
	e2e_result_free(&r);
}

/* --- Symbolic links ----------------------------------------------------- */

Test(e2e_tools, override_symlink_into_source_tree)
{
	struct e2e_result r;

	/* dst/link -> src/real, which exists only as dst/real: followed
	 * through the rules it is the override's file. */
	e2e_write(e2e_fmt("%s/real", dst), "override real\n", 0644);
	cr_assert(eq(int, symlink(e2e_fmt("%s/real", src),
	    e2e_fmt("%s/link", dst)), 0));
	snap_src();
	run_prefix(&r, E2E_ARGV("cat", e2e_fmt("%s/link", src)));
	CHECK_OK(r);
	cr_expect(eq(str, r.out, "override real\n"));
	check_src();
	e2e_result_free(&r);
}

/* --- io_uring ----------------------------------------------------------- */

/*
 * src/f and dst/f for an io_uring test, the source's snapshot, and the
 * uring-open target, once it has shown that this kernel gives io_uring to
 * an unsupervised program (else skip).
 */
static const char *
uring_case(void)
{
	const char *prog = e2e_target("uring-open");
	struct e2e_result r;

	if (reference())
		cr_skip_test("no reference for io_uring: proot lets it "
		    "through");
	e2e_write(e2e_fmt("%s/f", src), "original\n", 0644);
	e2e_write(e2e_fmt("%s/f", dst), "override\n", 0644);
	e2e_run(&r, E2E_ARGV(prog, e2e_fmt("%s/f", src)), NULL, e2e_dir());
	if (!e2e_has(r.out, "uring=")) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", r.out);
		e2e_result_free(&r);
		cr_skip_test("io_uring unavailable here: %s", msg);
	}
	e2e_result_free(&r);
	snap_src();
	return prog;
}

Test(e2e_tools, io_uring_refused_under_rules)
{
	const char *prog = uring_case();
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-v", "--redirect",
	    e2e_fmt("%s/f=%s/f", src, dst), "--", prog, e2e_fmt("%s/f", src)),
	    NULL, e2e_dir());
	CHECK_OK(r);
	/* ENOSYS, so the program falls back to openat, which the rule sees. */
	cr_expect(eq(str, r.out, "setup=ENOSYS\nfallback=override\n"),
	    "stderr: %s", r.err);
	cr_expect(e2e_has(r.err, "io_uring"), "-v does not say that io_uring "
	    "was refused: %s", r.err);
	check_src();
	e2e_result_free(&r);
}

Test(e2e_tools, io_uring_allowed_with_option)
{
	const char *prog = uring_case();
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--allow-io-uring",
	    "--redirect", e2e_fmt("%s/f=%s/f", src, dst), "--", prog,
	    e2e_fmt("%s/f", src)), NULL, e2e_dir());
	CHECK_OK(r);
	/* Allowed knowingly: the ring's open does not pass the rules. */
	cr_expect(eq(str, r.out, "uring=original\n"), "stderr: %s", r.err);
	check_src();
	e2e_result_free(&r);
}

/* --- A read-only rule against each write tool --------------------------- */

/*
 * The original tree for the read-only tests: f (a file), e (an empty
 * directory), l (a symlink to f); then cmd, run with the tree read-only,
 * must fail with EROFS and leave the tree as it was.
 */
static void
readonly_case(const char *const cmd[])
{
	struct e2e_result r;

	e2e_write(e2e_fmt("%s/f", src), "original\n", 0644);
	e2e_mkdir(e2e_fmt("%s/e", src));
	cr_assert(eq(int, symlink("f", e2e_fmt("%s/l", src)), 0));
	/* An old mtime, so that a touch that got through shows. */
	cr_assert(eq(int, utimensat(AT_FDCWD, e2e_fmt("%s/f", src),
	    (struct timespec[2]){ { 1000000000, 0 }, { 1000000000, 0 } },
	    0), 0));
	snap_src();
	run_readonly(&r, cmd);
	cr_expect(ne(int, r.code, 0), "the command succeeded:\nstdout: %s",
	    r.out);
	cr_expect(e2e_has(r.err, "Read-only file system"),
	    "no EROFS: exit %d\nstderr: %s", r.code, r.err);
	check_src();
	e2e_result_free(&r);
}

#define SRCF(name)	e2e_fmt("%s/%s", src, (name))

Test(e2e_tools, readonly_rm)
{
	readonly_case(E2E_ARGV("rm", "-f", SRCF("f")));
}

Test(e2e_tools, readonly_rm_rf)
{
	readonly_case(E2E_ARGV("rm", "-rf", src));
}

Test(e2e_tools, readonly_mv)
{
	readonly_case(E2E_ARGV("mv", SRCF("f"), SRCF("g")));
}

Test(e2e_tools, readonly_mv_out)
{
	readonly_case(E2E_ARGV("mv", SRCF("f"), e2e_path("moved")));
}

Test(e2e_tools, readonly_mkdir)
{
	readonly_case(E2E_ARGV("mkdir", SRCF("new")));
}

Test(e2e_tools, readonly_rmdir)
{
	readonly_case(E2E_ARGV("rmdir", SRCF("e")));
}

Test(e2e_tools, readonly_chmod)
{
	readonly_case(E2E_ARGV("chmod", "600", SRCF("f")));
}

Test(e2e_tools, readonly_chown)
{
	if (geteuid() != 0)
		cr_skip_test("chown to another owner needs root");
	readonly_case(E2E_ARGV("chown", "1:1", SRCF("f")));
}

Test(e2e_tools, readonly_ln)
{
	readonly_case(E2E_ARGV("ln", SRCF("f"), SRCF("hard")));
}

Test(e2e_tools, readonly_ln_s)
{
	readonly_case(E2E_ARGV("ln", "-s", "f", SRCF("soft")));
}

Test(e2e_tools, readonly_mkfifo)
{
	readonly_case(E2E_ARGV("mkfifo", SRCF("fifo")));
}

Test(e2e_tools, readonly_touch_existing)
{
	readonly_case(E2E_ARGV("touch", SRCF("f")));
}

Test(e2e_tools, readonly_truncate)
{
	readonly_case(E2E_ARGV("truncate", "-s", "0", SRCF("f")));
}

Test(e2e_tools, readonly_cp)
{
	readonly_case(E2E_ARGV("cp", infile("a"), SRCF("new")));
}

Test(e2e_tools, readonly_sed_i)
{
	need("sed");
	readonly_case(E2E_ARGV("sed", "-i", "s/original/edited/", SRCF("f")));
}

Test(e2e_tools, readonly_redirection)
{
	readonly_case(E2E_ARGV("sh", "-c", e2e_fmt("echo x > '%s'",
	    SRCF("f"))));
}
