/* SPDX-License-Identifier: MIT */
/* End-to-end: stat, access, readlink, the attribute reads and their
 * siblings follow redirects, so a program that checks a file before opening
 * it sees the target; the same for i386 programs, whose syscalls and
 * structs differ. */
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

TestSuite(e2e_stat, .init = e2e_setup, .fini = e2e_teardown, .timeout = 30);

Test(e2e_stat, stat_sees_target_size, .timeout = 30)
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_write(dst, "twelve bytes", 0640);
	/* coreutils stat uses statx. */
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", "stat", "-c", "%s %a", src),
	    NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "12 640\n"));
	e2e_result_free(&r);
}

Test(e2e_stat, test_exists_and_readable, .timeout = 30)
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	/* sh's test -e is a stat, test -r an access check. */
	e2e_write(dst, "x", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", "sh", "-c",
	    e2e_fmt("test -e '%s' && echo exists; test -f '%s' && echo file; "
	    "test -r '%s' && echo readable; test -d '%s' || echo notdir",
	    src, src, src, src)), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "exists\nfile\nreadable\nnotdir\n"));
	e2e_result_free(&r);
}

Test(e2e_stat, missing_target_stat_enoent, .timeout = 30)
{
	const char *src = e2e_path("src"), *dst = e2e_path("missing");
	struct e2e_result r;

	/* The source exists, the target does not: the target wins. */
	e2e_write(src, "x", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", "sh", "-c",
	    e2e_fmt("test -e '%s' && echo exists || echo missing", src)),
	    NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "missing\n"));
	e2e_result_free(&r);
}

Test(e2e_stat, prefix_directory_listing_target, .timeout = 30)
{
	const char *src = e2e_path("srcdir"), *dst = e2e_path("dstdir");
	struct e2e_result r;

	e2e_mkdir(dst);
	e2e_write(e2e_path("dstdir/inside"), "x", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s/=%s/", src, dst), "--", "sh", "-c",
	    e2e_fmt("test -d '%s' && echo dir; cat '%s/inside'", src, src)),
	    NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "dir\nx"));
	e2e_result_free(&r);
}

/* try-path (or its i386 build) on a redirect whose target is a symlink. */
static void
path_ops(const char *target, const char *bits)
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *real = e2e_path("real");
	struct e2e_result r;

	e2e_write(real, "content\n", 0640);
	cr_assert(eq(int, symlink(real, dst), 0));
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", e2e_target(target), src,
	    "open", "sys-open", "openat", "stat", "fstatat", "statx", "lstat",
	    "readlink", "access-r", "access-x"), NULL, e2e_dir());
	cr_assert(eq(str, r.out, (char *)e2e_fmt(
	    "bits=%s\n"
	    "open OK content\n"
	    "sys-open OK content\n"
	    "openat OK content\n"
	    "stat OK size=8 mode=640 type=file\n"
	    "fstatat OK size=8 mode=640 type=file\n"
	    "statx OK size=8 mode=640 type=file\n"
	    "lstat OK size=%zu mode=777 type=link\n"
	    "readlink OK %s\n"
	    "access-r OK\n"
	    "access-x ERR EACCES\n", bits, strlen(real), real)),
	    "stderr: %s", r.err);
	/* access-x fails, as it would natively on a 0640 file. */
	cr_assert(eq(int, r.code, 1), "stderr: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_stat, path_syscalls_x86_64, .timeout = 30)
{
	path_ops("try-path", "64");
}

Test(e2e_stat, path_syscalls_i386, .timeout = 30)
{
	path_ops("try-path-m32", "32");
}

Test(e2e_stat, list_redirected_directory, .timeout = 30)
{
	const char *src = e2e_path("srcdir"), *dst = e2e_path("dstdir");
	struct e2e_result r;

	e2e_mkdir(src);
	e2e_write(e2e_path("srcdir/hidden-original"), "x", 0644);
	e2e_mkdir(dst);
	e2e_write(e2e_path("dstdir/one"), "1", 0644);
	e2e_write(e2e_path("dstdir/two"), "2", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s/=%s/", src, dst), "--", "ls", src), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "one\ntwo\n"));
	e2e_result_free(&r);
}

/* ls -l reads a file's attributes after its stat: a redirected path whose
 * source does not exist lists cleanly, with no error after the line. */
Test(e2e_stat, ls_l_of_redirected_path_is_clean, .timeout = 30)
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_write(dst, "x", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", "ls", "-l", src), NULL,
	    e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.err, ""));
	cr_assert(strstr(r.out, src) != NULL && r.out[0] == '-',
	    "stdout: %s", r.out);
	e2e_result_free(&r);
}

/* trusted.* attributes need CAP_SYS_ADMIN: a root supervisor reading a
 * redirected file's attributes for another user must hide them, as the
 * kernel would from that user, and show them to a root target. */
Test(e2e_stat, trusted_attributes_hidden_from_other_users, .timeout = 30)
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *script = "import os, sys\n"
	    "p = sys.argv[1]\n"
	    "print(sorted(os.listxattr(p)))\n"
	    "try:\n"
	    "    print(os.getxattr(p, 'trusted.t'))\n"
	    "except OSError as e:\n"
	    "    print('ERR', e.errno)\n";
	struct e2e_result r;

	if (geteuid() != 0)
		cr_skip_test("needs root to set trusted.* attributes");
	if (access("/usr/bin/setpriv", X_OK) == -1 ||
	    access("/usr/bin/python3", X_OK) == -1)
		cr_skip_test("setpriv or /usr/bin/python3 not installed");
	e2e_write(dst, "x", 0644);
	if (setxattr(dst, "trusted.t", "secret", 6, 0) == -1 ||
	    setxattr(dst, "user.u", "open", 4, 0) == -1)
		cr_skip_test("no trusted.* or user.* attributes on %s: %s",
		    e2e_dir(), strerror(errno));
	cr_assert(eq(int, chmod(e2e_dir(), 0755), 0));
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", "setpriv", "--reuid=65534",
	    "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script,
	    src),
	    NULL, e2e_dir());
	cr_assert(eq(str, r.out, (char *)e2e_fmt("['user.u']\nERR %d\n",
	    ENODATA)),
	    "stderr: %s", r.err);
	e2e_result_free(&r);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", "/usr/bin/python3", "-c", script,
	    src), NULL, e2e_dir());
	cr_assert(eq(str, r.out, "['trusted.t', 'user.u']\nb'secret'\n"),
	    "stderr: %s", r.err);
	e2e_result_free(&r);
}

/* readlink's bufsiz is an int to the kernel: 0x100000004 asks for 4 bytes,
 * 0x100000000 and 0xffffffff (0 and -1) are EINVAL. A redirected readlink
 * answers each size exactly as the kernel answers it without unotifyd, and
 * writes nothing past the answer (try-path checks a guard). */
Test(e2e_stat, readlink_bufsiz_is_an_int, .timeout = 30)
{
	static const char *const sizes[] = { "0x100000004", "0x100000000",
	    "0xffffffff", "0x80000000", "4", "0x7fffffff" };
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	const char *tp = e2e_target("try-path"), *native;
	struct e2e_result r;
	size_t i;

	cr_assert(eq(int, symlink("a-link-text-of-forty-five-bytes-for-the-test",
	    dst), 0), "symlink: %s", strerror(errno));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		e2e_run(&r, E2E_ARGV(tp, "readlink", dst, sizes[i]), NULL,
		    e2e_dir());
		native = e2e_fmt("%s", r.out);
		e2e_result_free(&r);
		cr_assert(e2e_has(native, "OK link=") ||
		    e2e_has(native, "ERR EINVAL"), "native %s: %s", sizes[i],
		    native);
		e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
		    e2e_fmt("%s=%s", src, dst), "--", tp, "readlink", src,
		    sizes[i]), NULL, e2e_dir());
		cr_expect(eq(str, r.out, (char *)native), "bufsiz %s: the "
		    "kernel answers %s; stderr: %s", sizes[i], native, r.err);
		e2e_result_free(&r);
	}
}
