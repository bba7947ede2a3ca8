/* SPDX-License-Identifier: MIT */
/* End-to-end: redirected and denied opens as the target sees them (flags,
 * modes, errnos, relative and unnormalised paths, every open syscall). */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "e2e.h"

TestSuite(e2e_open, .init = e2e_setup, .fini = e2e_teardown, .timeout = TEST_LIMIT(30));

/* "--redirect" argument SRC=DST. */
static const char *
redirect(const char *src, const char *dst)
{
	return e2e_fmt("%s=%s", src, dst);
}

/* Run try-open under one redirect; the result's out holds its report. */
static void
try_open(struct e2e_result *r, const char *src, const char *dst,
    const char *sys, const char *dirfd, const char *path, const char *flags,
    const char *mode, const char *op)
{
	e2e_run(r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(src, dst), "--", e2e_target("try-open"), sys, dirfd, path,
	    flags, mode, op), NULL, e2e_dir());
}

Test(e2e_open, cat_redirected, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_write(dst, "hello from dst\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(src, dst), "--", "cat", src), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "hello from dst\n"));
	cr_assert(not(e2e_exists(src)));
	e2e_result_free(&r);
}

Test(e2e_open, append_keeps_content, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;
	char *got;

	e2e_write(dst, "one\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(src, dst), "--", "sh", "-c",
	    e2e_fmt("echo two >> '%s' && echo three >> '%s'", src, src)),
	    NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	got = e2e_read(dst);
	cr_assert(eq(str, got, "one\ntwo\nthree\n"),
	    "O_APPEND lost: the target was overwritten");
	cr_assert(not(e2e_exists(src)));
	free(got);
	e2e_result_free(&r);
}

Test(e2e_open, trunc_truncates, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;
	char *got;

	e2e_write(dst, "a much longer previous content\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(src, dst), "--", "sh", "-c",
	    e2e_fmt("echo x > '%s'", src)), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	got = e2e_read(dst);
	cr_assert(eq(str, got, "x\n"));
	free(got);
	e2e_result_free(&r);
}

Test(e2e_open, write_without_trunc_overwrites_in_place, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;
	char *got;

	e2e_write(dst, "0123456789\n", 0644);
	try_open(&r, src, dst, "openat", "cwd", src, "wronly", "0", "w:ab");
	cr_assert(eq(int, r.code, 0), "out: %s err: %s", r.out, r.err);
	got = e2e_read(dst);
	cr_assert(eq(str, got, "ab23456789\n"));
	free(got);
	e2e_result_free(&r);
}

Test(e2e_open, creat_uses_target_umask, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("created");
	struct e2e_result r;
	char *got;

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(src, dst), "--", "sh", "-c",
	    e2e_fmt("umask 077; echo hi > '%s'", src)), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(e2e_exists(dst), "target was not created");
	cr_assert(not(e2e_exists(src)), "source was created instead");
	cr_assert(eq(int, e2e_mode(dst), 0600), "mode %o, want 600",
	    e2e_mode(dst));
	got = e2e_read(dst);
	cr_assert(eq(str, got, "hi\n"));
	free(got);
	e2e_result_free(&r);
}

Test(e2e_open, creat_uses_requested_mode, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("created");
	struct e2e_result r;

	/* umask 022 from the fixture, inherited by unotifyd and the target. */
	try_open(&r, src, dst, "openat", "cwd", src, "wronly,creat,excl",
	    "0640", "w:data");
	cr_assert(eq(int, r.code, 0), "out: %s err: %s", r.out, r.err);
	cr_assert(eq(int, e2e_mode(dst), 0640), "mode %o", e2e_mode(dst));
	e2e_result_free(&r);

	/* O_EXCL on the now existing target: its real errno. */
	try_open(&r, src, dst, "openat", "cwd", src, "wronly,creat,excl",
	    "0640", NULL);
	cr_assert(eq(str, r.out, "ERR EEXIST\n"), "err: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_open, cloexec_kept_only_when_asked, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_write(dst, "content", 0644);
	try_open(&r, src, dst, "openat", "cwd", src, "rdonly,cloexec", "0",
	    "r");
	cr_assert(eq(int, r.code, 0), "err: %s", r.err);
	cr_assert(e2e_has(r.out, "cloexec=1"), "out: %s", r.out);
	cr_assert(e2e_has(r.out, "DATA content"), "out: %s", r.out);
	e2e_result_free(&r);

	try_open(&r, src, dst, "openat", "cwd", src, "rdonly", "0", "r");
	cr_assert(eq(int, r.code, 0), "err: %s", r.err);
	cr_assert(e2e_has(r.out, "cloexec=0"), "out: %s", r.out);
	e2e_result_free(&r);
}

Test(e2e_open, injected_fd_is_lowest_free, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_write(dst, "content", 0644);
	try_open(&r, src, dst, "openat", "cwd", src, "rdonly", "0", "r");
	cr_assert(eq(str, r.out, "OK fd=3 cloexec=0\nDATA content"),
	    "err: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_open, directory_flag_on_file_enotdir, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_write(dst, "content", 0644);
	try_open(&r, src, dst, "openat", "cwd", src, "rdonly,directory", "0",
	    NULL);
	cr_assert(eq(str, r.out, "ERR ENOTDIR\n"), "err: %s", r.err);
	cr_assert(eq(int, r.code, 1));
	e2e_result_free(&r);
}

Test(e2e_open, missing_target_enoent, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("missing");
	struct e2e_result r;

	e2e_write(src, "the source must not be opened", 0644);
	try_open(&r, src, dst, "openat", "cwd", src, "rdonly", "0", NULL);
	cr_assert(eq(str, r.out, "ERR ENOENT\n"), "err: %s", r.err);
	e2e_result_free(&r);

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(src, dst), "--", "cat", src), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 1));
	cr_assert(eq(str, r.out, ""));
	cr_assert(e2e_has(r.err, "No such file"), "stderr: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_open, target_below_file_enotdir, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("file/below");
	struct e2e_result r;

	e2e_write(e2e_path("file"), "x", 0644);
	try_open(&r, src, dst, "openat", "cwd", src, "rdonly", "0", NULL);
	cr_assert(eq(str, r.out, "ERR ENOTDIR\n"), "err: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_open, errno_rule_write_only, .timeout = TEST_LIMIT(30))
{
	const char *prot = e2e_path("protected"), *rules;
	struct e2e_result r;
	char *got;

	e2e_write(prot, "keep me\n", 0644);
	rules = e2e_rules("rules.ini", e2e_fmt(
	    "[deny-write]\npath = %s\naction = errno\nerrno = EACCES\n"
	    "access = write\n", prot));

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", rules, "--",
	    e2e_target("try-open"), "openat", "cwd", prot, "rdonly", "0",
	    "r"), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "out: %s err: %s", r.out, r.err);
	cr_assert(e2e_has(r.out, "DATA keep me"), "out: %s", r.out);
	e2e_result_free(&r);

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", rules, "--",
	    e2e_target("try-open"), "openat", "cwd", prot, "wronly,trunc", "0",
	    "w:gone"), NULL, e2e_dir());
	cr_assert(eq(str, r.out, "ERR EACCES\n"), "err: %s", r.err);
	e2e_result_free(&r);

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", rules, "--",
	    "sh", "-c", e2e_fmt("echo gone >> '%s'", prot)), NULL, e2e_dir());
	cr_assert(ne(int, r.code, 0));
	cr_assert(e2e_has(r.err, "ermission denied"), "stderr: %s", r.err);
	e2e_result_free(&r);

	got = e2e_read(prot);
	cr_assert(eq(str, got, "keep me\n"));
	free(got);
}

Test(e2e_open, errno_rule_named_errno, .timeout = TEST_LIMIT(30))
{
	const char *dir = e2e_path("ro/"), *rules;
	struct e2e_result r;

	e2e_mkdir(e2e_path("ro"));
	rules = e2e_rules("rules.ini", e2e_fmt(
	    "[deny-ro]\npath = %s\naction = errno\nerrno = EROFS\n"
	    "access = write\n", dir));
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", rules, "--",
	    e2e_target("try-open"), "openat", "cwd", e2e_path("ro/new"),
	    "wronly,creat", "0644"), NULL, e2e_dir());
	cr_assert(eq(str, r.out, "ERR EROFS\n"), "err: %s", r.err);
	cr_assert(not(e2e_exists(e2e_path("ro/new"))));
	e2e_result_free(&r);
}

Test(e2e_open, continue_rule_passes_through, .timeout = TEST_LIMIT(30))
{
	const char *f = e2e_path("plain"), *rules;
	struct e2e_result r;

	e2e_write(f, "native\n", 0644);
	rules = e2e_rules("rules.ini", e2e_fmt(
	    "[allow]\npath = %s\naction = continue\n\n"
	    "[deny-rest]\npath = %s/\naction = errno\nerrno = EPERM\n",
	    f, e2e_dir()));
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", rules, "--",
	    "cat", f), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "native\n"));
	e2e_result_free(&r);

	e2e_write(e2e_path("other"), "x", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", rules, "--",
	    e2e_target("try-open"), "openat", "cwd", e2e_path("other"),
	    "rdonly"), NULL, e2e_dir());
	cr_assert(eq(str, r.out, "ERR EPERM\n"), "err: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_open, every_open_syscall_redirected, .timeout = TEST_LIMIT(30))
{
	static const char *const sys[] = { "open", "openat", "openat2" };
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;
	size_t i;

	e2e_write(dst, "via dst", 0644);
	for (i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
		/* aarch64 has no open(2). */
		if (!e2e_native_has(sys[i]))
			continue;
		try_open(&r, src, dst, sys[i], "cwd", src, "rdonly", "0", "r");
		cr_assert(eq(int, r.code, 0), "%s: out: %s err: %s", sys[i],
		    r.out, r.err);
		cr_assert(e2e_has(r.out, "DATA via dst"), "%s: out: %s",
		    sys[i], r.out);
		e2e_result_free(&r);
	}
}

Test(e2e_open, creat_syscall_redirected, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;
	char *got;

	if (!e2e_native_has("creat"))
		cr_skip_test("this arch has no creat(2): openat2_cloexec_and_"
		    "create and the creds tests cover O_CREAT");
	e2e_write(dst, "old content that creat must truncate", 0644);
	try_open(&r, src, dst, "creat", "cwd", src, "0", "0600", "w:new");
	cr_assert(eq(int, r.code, 0), "out: %s err: %s", r.out, r.err);
	cr_assert(not(e2e_exists(src)));
	got = e2e_read(dst);
	cr_assert(eq(str, got, "new"));
	free(got);
	e2e_result_free(&r);
}

Test(e2e_open, openat2_cloexec_and_create, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	try_open(&r, src, dst, "openat2", "cwd", src,
	    "wronly,creat,cloexec", "0604", "w:x");
	cr_assert(eq(int, r.code, 0), "out: %s err: %s", r.out, r.err);
	cr_assert(e2e_has(r.out, "cloexec=1"), "out: %s", r.out);
	cr_assert(eq(int, e2e_mode(dst), 0604), "mode %o", e2e_mode(dst));
	e2e_result_free(&r);
}

Test(e2e_open, openat_dirfd_relative, .timeout = TEST_LIMIT(30))
{
	const char *srcdir = e2e_path("srcdir"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_mkdir(srcdir);
	e2e_write(e2e_path("srcdir/a"), "original", 0644);
	e2e_write(dst, "redirected", 0644);
	try_open(&r, e2e_path("srcdir/a"), dst, "openat", srcdir, "a",
	    "rdonly", "0", "r");
	cr_assert(eq(int, r.code, 0), "out: %s err: %s", r.out, r.err);
	cr_assert(e2e_has(r.out, "DATA redirected"), "out: %s", r.out);
	e2e_result_free(&r);
}

Test(e2e_open, python_open_redirected, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV("python3", "-c", "pass"), NULL, e2e_dir());
	if (r.code != 0) {
		e2e_result_free(&r);
		cr_skip_test("python3 not available");
	}
	e2e_result_free(&r);
	e2e_write(dst, "from python\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(src, dst), "--", "python3", "-c",
	    e2e_fmt("print(open('%s').read(), end='')", src)), NULL,
	    e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "from python\n"));
	e2e_result_free(&r);
}

Test(e2e_open, prefix_rule_to_directory, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("srcdir"), *dst = e2e_path("dstdir");
	struct e2e_result r;

	e2e_mkdir(e2e_path("dstdir/sub"));
	e2e_write(e2e_path("dstdir/a"), "A\n", 0644);
	e2e_write(e2e_path("dstdir/sub/b"), "B\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s/=%s/", src, dst), "--", "cat",
	    e2e_path("srcdir/a"), e2e_path("srcdir/sub/b")), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "A\nB\n"));
	e2e_result_free(&r);
}

Test(e2e_open, prefix_rule_stops_at_component, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("srcdir"), *dst = e2e_path("dstdir");
	struct e2e_result r;

	/* "/srcdir/" must not match "/srcdirx/a" (copycat did). */
	e2e_mkdir(dst);
	e2e_mkdir(e2e_path("srcdirx"));
	e2e_write(e2e_path("dstdir/a"), "redirected\n", 0644);
	e2e_write(e2e_path("srcdirx/a"), "untouched\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s/=%s/", src, dst), "--", "cat",
	    e2e_path("srcdirx/a")), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "untouched\n"));
	e2e_result_free(&r);
}

Test(e2e_open, relative_path_in_cwd, .timeout = TEST_LIMIT(30))
{
	const char *srcdir = e2e_path("srcdir"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_mkdir(srcdir);
	e2e_write(e2e_path("srcdir/a"), "original\n", 0644);
	e2e_write(dst, "redirected\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(e2e_path("srcdir/a"), dst), "--", "cat", "a"), NULL,
	    srcdir);
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "redirected\n"));
	e2e_result_free(&r);
}

Test(e2e_open, relative_path_after_target_chdir, .timeout = TEST_LIMIT(30))
{
	const char *srcdir = e2e_path("srcdir"), *dst = e2e_path("dst");
	struct e2e_result r;

	/* unotifyd stays in the temp dir; only the target moves: the path must
	 * be resolved against the target's cwd, not the supervisor's. */
	e2e_mkdir(srcdir);
	e2e_write(e2e_path("srcdir/a"), "original\n", 0644);
	e2e_write(e2e_path("a"), "not redirected\n", 0644);
	e2e_write(dst, "redirected\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(e2e_path("srcdir/a"), dst), "--", "sh", "-c",
	    "cd srcdir && cat a && cd .. && cat a"), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "redirected\nnot redirected\n"));
	e2e_result_free(&r);
}

Test(e2e_open, unnormalised_paths_match, .timeout = TEST_LIMIT(30))
{
	const char *srcdir = e2e_path("srcdir"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_mkdir(e2e_path("srcdir/x"));
	e2e_write(e2e_path("srcdir/a"), "original\n", 0644);
	e2e_write(dst, "redirected\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(e2e_path("srcdir/a"), dst), "--", "cat",
	    e2e_fmt("%s/./a", srcdir), e2e_fmt("%s//a", srcdir),
	    e2e_fmt("%s/x/../a", srcdir), e2e_fmt("%s/x/.././/a", srcdir),
	    e2e_fmt("%s/../srcdir/a", srcdir)), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "redirected\nredirected\nredirected\n"
	    "redirected\nredirected\n"));
	e2e_result_free(&r);
}

Test(e2e_open, relative_dotdot_from_cwd, .timeout = TEST_LIMIT(30))
{
	const char *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_mkdir(e2e_path("srcdir/sub"));
	e2e_write(e2e_path("srcdir/a"), "original\n", 0644);
	e2e_write(dst, "redirected\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(e2e_path("srcdir/a"), dst), "--", "cat", "../a",
	    "./.././a"), NULL, e2e_path("srcdir/sub"));
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "redirected\nredirected\n"));
	e2e_result_free(&r);
}

Test(e2e_open, static_binary_redirected, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_write(dst, "static ok\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(src, dst), "--", e2e_target("raw-static"), src), NULL,
	    e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "static ok\n"));
	e2e_result_free(&r);
}

/* The same binary's raw stat (x86_64 stat, aarch64 newfstatat): the
 * redirect's size in the arch's own struct stat, nothing written past it. */
Test(e2e_open, static_binary_stat_redirected, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_write(dst, "static ok\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(src, dst), "--", e2e_target("raw-static"), "-s", src),
	    NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stdout: %s stderr: %s", r.out, r.err);
	cr_assert(eq(str, r.out, "size=10 guard=ok\n"));
	e2e_result_free(&r);
}

Test(e2e_open, threads_8x2000, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_write(dst, "threaded content\n", 0644);
	e2e_run_timeout(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(src, dst), "--", e2e_target("threads"), src,
	    "threaded content\n", "8", "2000"), NULL, e2e_dir(), 27000);
	cr_assert(eq(int, r.code, 0), "out: %s err: %s", r.out, r.err);
	cr_assert(eq(str, r.out, "ok=16000 fail=0\n"));
	e2e_result_free(&r);
}

Test(e2e_open, timer_signals_restart, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	/* Natively a notification's round trip is shorter than the 50 us
	 * timer; emulated (qemu TCG: check-arm64) it is many times longer,
	 * every call is interrupted before it is received, and none ends. */
	if (TEST_SLOWDOWN > 1)
		cr_skip_test("a 50 us timer outpaces emulated notifications "
		    "(TEST_SLOWDOWN=%d)", TEST_SLOWDOWN);

	e2e_write(dst, "tick\n", 0644);
	e2e_run_timeout(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(src, dst), "--", e2e_target("timer"), src, "tick\n",
	    "20000"), NULL, e2e_dir(), 27000);
	cr_assert(eq(int, r.code, 0), "out: %s err: %s", r.out, r.err);
	cr_assert(e2e_has(r.out, "ok=20000 fail=0"), "out: %s", r.out);
	e2e_result_free(&r);
}

/* badptr MODE: the bad open fails with EFAULT, the next one is redirected. */
static void
badptr(const char *mode)
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_write(dst, "good\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(src, dst), "--", e2e_target("badptr"), mode, src), NULL,
	    e2e_dir());
	cr_assert(eq(str, r.out, "bad ERR EFAULT\nnormal OK good\n"),
	    "stderr: %s", r.err);
	cr_assert(eq(int, r.code, 0));
	e2e_result_free(&r);
}

Test(e2e_open, badptr_unmapped_efault, .timeout = TEST_LIMIT(30))
{
	badptr("unmapped");
}

Test(e2e_open, badptr_crossing_page_efault, .timeout = TEST_LIMIT(30))
{
	badptr("crossing");
}

Test(e2e_open, badptr_prot_none_efault, .timeout = TEST_LIMIT(30))
{
	/* /proc/PID/mem reads PROT_NONE pages the kernel would refuse. */
	badptr("protnone");
}

Test(e2e_open, no_extra_fds_in_target, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(src, dst), "--", e2e_target("fds")), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "done\n"));
	e2e_result_free(&r);
}

Test(e2e_open, verbose_logs_on_stderr_only, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *prot = e2e_path("prot"), *rules;
	struct e2e_result r;

	e2e_write(dst, "payload\n", 0644);
	e2e_write(prot, "secret\n", 0644);
	rules = e2e_rules("rules.ini", e2e_fmt(
	    "[deny]\npath = %s\naction = errno\nerrno = EACCES\n", prot));
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-v", "-r", rules,
	    "--redirect", redirect(src, dst), "--", "cat", src, prot), NULL,
	    e2e_dir());
	cr_assert(eq(int, r.code, 1), "stderr: %s", r.err);
	/* stdout is exactly the command's. */
	cr_assert(eq(str, r.out, "payload\n"));
	cr_assert(e2e_has(r.err, src), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, "redirect"), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, prot), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, "errno"), "stderr: %s", r.err);
	/* cat's own loader opens go through unmatched. */
	cr_assert(e2e_has(r.err, "continue"), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, "tid="), "stderr: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_open, quiet_without_verbose, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_write(dst, "payload\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    redirect(src, dst), "--", "cat", src), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0));
	cr_assert(eq(str, r.out, "payload\n"));
	cr_assert(eq(str, r.err, ""));
	e2e_result_free(&r);
}

Test(e2e_open, rules_directory, .timeout = TEST_LIMIT(30))
{
	const char *a = e2e_path("a"), *b = e2e_path("b");
	struct e2e_result r;

	e2e_mkdir(e2e_path("rules.d"));
	e2e_write(e2e_path("target-a"), "A\n", 0644);
	e2e_write(e2e_path("target-b"), "B\n", 0644);
	e2e_write(e2e_path("rules.d/10-a.ini"), e2e_fmt(
	    "[a]\npath = %s\naction = redirect\ntarget = %s\n", a,
	    e2e_path("target-a")), 0644);
	e2e_write(e2e_path("rules.d/20-b.ini"), e2e_fmt(
	    "[b]\npath = %s\naction = redirect\ntarget = %s\n"
	    "syscalls = open openat\n", b, e2e_path("target-b")), 0644);
	/* Not *.ini: ignored even though it is invalid. */
	e2e_write(e2e_path("rules.d/README"), "not [ an ini\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", e2e_path("rules.d"),
	    "--", "cat", a, b), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "A\nB\n"));
	e2e_result_free(&r);
}

Test(e2e_open, errno_rule_any_access_denies_reads, .timeout = TEST_LIMIT(30))
{
	const char *f = e2e_path("denied"), *rules;
	struct e2e_result r;

	e2e_write(f, "x", 0644);
	rules = e2e_rules("rules.ini", e2e_fmt(
	    "[deny]\npath = %s\naction = errno\nerrno = EPERM\n", f));
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", rules, "--",
	    e2e_target("try-open"), "openat", "cwd", f, "rdonly"), NULL,
	    e2e_dir());
	cr_assert(eq(str, r.out, "ERR EPERM\n"), "err: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_open, rule_limited_to_listed_syscalls, .timeout = TEST_LIMIT(30))
{
	const char *f = e2e_path("f"), *rules;
	struct e2e_result r;

	e2e_write(f, "x", 0644);
	rules = e2e_rules("rules.ini", e2e_fmt(
	    "[deny-openat]\npath = %s\naction = errno\nerrno = EPERM\n"
	    "syscalls = openat\n", f));
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", rules, "--",
	    e2e_target("try-open"), "openat", "cwd", f, "rdonly"), NULL,
	    e2e_dir());
	cr_assert(eq(str, r.out, "ERR EPERM\n"), "err: %s", r.err);
	e2e_result_free(&r);
	/* Another open call passes (open, or openat2 where there is no
	 * open(2)). */
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", rules, "--",
	    e2e_target("try-open"), e2e_native_has("open") ? "open" :
	    "openat2", "cwd", f, "rdonly"), NULL, e2e_dir());
	cr_assert(eq(str, r.out, "OK fd=3 cloexec=0\n"), "err: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_open, first_matching_rule_wins, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src");
	struct e2e_result r;

	e2e_write(e2e_path("one"), "one\n", 0644);
	e2e_write(e2e_path("two"), "two\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run",
	    "--redirect", e2e_fmt("%s=%s", src, e2e_path("one")),
	    "--redirect", e2e_fmt("%s/=%s/", e2e_dir(), e2e_path("nowhere")),
	    "--", "cat", src), NULL, "/");
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "one\n"));
	e2e_result_free(&r);
}

Test(e2e_open, dirfd_errors_as_native, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_write(dst, "dst", 0644);
	/* A relative path with a closed dirfd: EBADF. */
	try_open(&r, src, dst, "openat", "99", "src", "rdonly", "0", NULL);
	cr_assert(eq(str, r.out, "ERR EBADF\n"), "err: %s", r.err);
	e2e_result_free(&r);
	/* The dirfd is not a directory (stdin is /dev/null): ENOTDIR. */
	try_open(&r, src, dst, "openat", "0", "src", "rdonly", "0", NULL);
	cr_assert(eq(str, r.out, "ERR ENOTDIR\n"), "err: %s", r.err);
	e2e_result_free(&r);
	/* An absolute path ignores the dirfd, even a bad one. */
	try_open(&r, src, dst, "openat", "99", src, "rdonly", "0", "r");
	cr_assert(eq(str, r.out, "OK fd=3 cloexec=0\nDATA dst"), "err: %s",
	    r.err);
	e2e_result_free(&r);
	/* An empty path: ENOENT. */
	try_open(&r, src, dst, "openat", "cwd", "", "rdonly", "0", NULL);
	cr_assert(eq(str, r.out, "ERR ENOENT\n"), "err: %s", r.err);
	e2e_result_free(&r);
}

/* e2e_dir() + "/" + "./" repeated + "/"s + name, exactly len bytes long. */
static const char *
long_path(size_t len, const char *name)
{
	size_t base = strlen(e2e_dir()) + 1 + strlen(name), k, i;
	char *s;

	cr_assert(gt(sz, len, base + 2));
	k = (len - base) / 2;
	if ((s = malloc(len + 1)) == NULL)
		cr_fatal("out of memory");
	strcpy(s, e2e_dir());
	strcat(s, "/");
	for (i = 0; i < k; i++)
		strcat(s, "./");
	if ((len - base) % 2)
		strcat(s, "/");
	strcat(s, name);
	cr_assert(eq(sz, strlen(s), len));
	/* e2e_fmt's copy lives until teardown. */
	name = e2e_fmt("%s", s);
	free(s);
	return name;
}

Test(e2e_open, path_max_boundary, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_write(dst, "dst", 0644);
	/* 4095 bytes + NUL = PATH_MAX: valid, and normalised to src. */
	try_open(&r, src, dst, "openat", "cwd", long_path(4095, "src"),
	    "rdonly", "0", "r");
	cr_assert(eq(str, r.out, "OK fd=3 cloexec=0\nDATA dst"), "err: %s",
	    r.err);
	e2e_result_free(&r);
	try_open(&r, src, dst, "openat", "cwd", long_path(4096, "src"),
	    "rdonly", "0", "r");
	cr_assert(eq(str, r.out, "ERR ENAMETOOLONG\n"), "err: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_open, fifo_target_does_not_stall_others, .timeout = TEST_LIMIT(30))
{
	const char *fifo = e2e_path("fifo"), *two = e2e_path("two");
	struct e2e_result r;

	/* An open that blocks (a FIFO without writer) must not stop the
	 * supervisor from answering the next one, which unblocks it. */
	cr_assert(eq(int, mkfifo(fifo, 0644), 0));
	e2e_write(two, "two\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run",
	    "--redirect", e2e_fmt("%s=%s", e2e_path("src"), fifo),
	    "--redirect", e2e_fmt("%s=%s", e2e_path("src2"), two), "--",
	    "sh", "-c", e2e_fmt("cat '%s' & sleep 0.3; cat '%s'; "
	    "echo one > '%s'; wait", e2e_path("src"), e2e_path("src2"), fifo)),
	    NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "two\none\n"));
	e2e_result_free(&r);
}

/* Three opens blocked on a FIFO at once: more than unotifyd has receiving
 * threads, so the later ones must go to workers. Also with one CPU, where
 * unotifyd runs a single receiver. */
static void
fifo_many_blocked(const char *const taskset[])
{
	const char *fifo = e2e_path("fifo"), *two = e2e_path("two");
	const char *src = e2e_path("src");
	const char *argv[24];
	struct e2e_result r;
	int i = 0;

	unlink(fifo);
	cr_assert(eq(int, mkfifo(fifo, 0644), 0));
	e2e_write(two, "two\n", 0644);
	for (; *taskset != NULL; taskset++)
		argv[i++] = *taskset;
	argv[i++] = e2e_unotifyd();
	argv[i++] = "run";
	argv[i++] = "--redirect";
	argv[i++] = e2e_fmt("%s=%s", src, fifo);
	argv[i++] = "--redirect";
	argv[i++] = e2e_fmt("%s=%s", e2e_path("src2"), two);
	argv[i++] = "--";
	argv[i++] = "sh";
	argv[i++] = "-c";
	argv[i++] = e2e_fmt("cat '%s' & cat '%s' & cat '%s' & sleep 0.3; "
	    "cat '%s'; echo one > '%s'; wait", src, src, src,
	    e2e_path("src2"), fifo);
	argv[i] = NULL;
	e2e_run(&r, argv, NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	/* One reader gets the line, the others end of file. */
	cr_assert(eq(str, r.out, "two\none\n"), "stderr: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_open, fifo_opens_beyond_receivers_do_not_stall, .timeout = TEST_LIMIT(30))
{
	fifo_many_blocked(E2E_ARGV(NULL));
	if (access("/usr/bin/taskset", X_OK) == -1)
		cr_skip_test("taskset not installed: one-CPU case not run");
	fifo_many_blocked(E2E_ARGV("taskset", "-c", "0"));
}

Test(e2e_open, exits_while_an_open_blocks_on_a_fifo, .timeout = TEST_LIMIT(30))
{
	const char *fifo = e2e_path("fifo");
	struct e2e_result r;

	/* The reader dies while unotifyd is opening the FIFO for it; nobody
	 * ever writes. unotifyd cuts its open short, ends, and keeps the
	 * command's status. */
	cr_assert(eq(int, mkfifo(fifo, 0644), 0));
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-v", "--redirect",
	    e2e_fmt("%s=%s", e2e_path("src"), fifo), "--", "sh", "-c",
	    e2e_fmt("cat '%s' & sleep 0.3; kill -9 $!; exit 3",
	    e2e_path("src"))), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 3), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, "target gone, open cancelled"), "stderr: %s",
	    r.err);
	cr_assert(not(e2e_has(r.err, "still blocks")), "stderr: %s", r.err);
	cr_assert(lt(long, r.elapsed_ms, TEST_LIMIT(5000)));
	e2e_result_free(&r);
}

Test(e2e_open, opens_with_target_credentials, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *secret = e2e_path("secret");
	const char *pub = e2e_path("pub"), *created = e2e_path("shared/new");
	struct e2e_result r;
	struct stat st;

	if (geteuid() != 0)
		cr_skip_test("needs root to switch the target to nobody");
	if (access("/usr/bin/setpriv", X_OK) == -1)
		cr_skip_test("setpriv not installed");
	cr_assert(eq(int, chmod(e2e_dir(), 0755), 0));
	e2e_write(secret, "secret\n", 0600);
	e2e_write(pub, "public\n", 0644);
	e2e_mkdir(e2e_path("shared"));
	cr_assert(eq(int, chmod(e2e_path("shared"), 0777), 0));
#define AS_NOBODY "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"
	/* A root supervisor must not open a 0600 root file for nobody. */
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, secret), "--", AS_NOBODY,
	    e2e_target("try-open"), "openat", "cwd", src, "rdonly"), NULL,
	    e2e_dir());
	cr_assert(eq(str, r.out, "ERR EACCES\n"), "err: %s", r.err);
	e2e_result_free(&r);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, pub), "--", AS_NOBODY,
	    e2e_target("try-open"), "openat", "cwd", src, "rdonly", "0", "r"),
	    NULL, e2e_dir());
	cr_assert(eq(str, r.out, "OK fd=3 cloexec=0\nDATA public\n"),
	    "err: %s", r.err);
	e2e_result_free(&r);
	/* Files it creates belong to it. */
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, created), "--", AS_NOBODY,
	    e2e_target("try-open"), "openat", "cwd", src, "wronly,creat",
	    "0644"), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "out: %s err: %s", r.out, r.err);
	cr_assert(eq(int, stat(created, &st), 0));
	cr_assert(eq(int, (int)st.st_uid, 65534));
	cr_assert(eq(int, (int)st.st_gid, 65534));
	e2e_result_free(&r);
#undef AS_NOBODY
}

Test(e2e_open, verbose_logs_decisions_made_off_loop, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src");
	struct e2e_result r;
	int i, lost = 0;

	/* A device target may block, so its open is done off the main loop;
	 * the decision must still be logged when the target exits at once. */
	for (i = 0; i < 20; i++) {
		e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-v", "--redirect",
		    e2e_fmt("%s=/dev/null", src), "--",
		    e2e_target("raw-static"), src), NULL, e2e_dir());
		cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
		cr_assert(eq(str, r.out, ""));
		if (!e2e_has(r.err, src) || !e2e_has(r.err, "redirect"))
			lost++;
		e2e_result_free(&r);
	}
	cr_assert(eq(int, lost, 0), "the redirect of %s was not logged in %d "
	    "of 20 runs", src, lost);
}
