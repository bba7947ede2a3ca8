/* SPDX-License-Identifier: MIT */
/* End-to-end: a root supervisor acts for an unprivileged target with the
 * target's credentials and umask, never its own (no confused deputy). The
 * target drops to nobody with setpriv after the filter is loaded. */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "e2e.h"

/* nobody and nogroup on Debian. */
#define NOBODY_UID	65534
#define NOGROUP_GID	65534

/* Root only; the temp dir must be traversable by nobody, and setpriv
 * must exist. */
static void
creds_setup(void)
{
	e2e_setup();
	if (geteuid() != 0)
		cr_skip_test("needs root: the supervisor must be root to act "
		    "for another user");
	if (access("/usr/bin/setpriv", X_OK) == -1 &&
	    access("/bin/setpriv", X_OK) == -1)
		cr_skip_test("setpriv (util-linux) is not installed");
	cr_assert(eq(int, chmod(e2e_dir(), 0755), 0), "chmod %s: %s",
	    e2e_dir(), strerror(errno));
}

TestSuite(e2e_creds, .init = creds_setup, .fini = e2e_teardown,
    .timeout = TEST_LIMIT(30));

/* Run `sh -c script` as nobody:nogroup without supplementary groups under
 * one redirect src=dst. */
static void
run_as_nobody(struct e2e_result *r, const char *src, const char *dst,
    const char *script)
{
	e2e_run(r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", "setpriv", "--reuid=nobody",
	    "--regid=nogroup", "--clear-groups", "sh", "-c", script), NULL,
	    e2e_dir());
}

/* A world-writable directory <tmp>/pub for files nobody creates. */
static const char *
public_dir(void)
{
	const char *pub = e2e_path("pub");

	e2e_mkdir(pub);
	cr_assert(eq(int, chmod(pub, 01777), 0), "chmod %s: %s", pub,
	    strerror(errno));
	return pub;
}

Test(e2e_creds, nobody_cannot_read_root_only_file, .timeout = TEST_LIMIT(30))
{
	const char *secret = e2e_path("secret"), *src = e2e_path("src");
	struct e2e_result r;

	e2e_write(secret, "root only\n", 0600);
	/* The source does not exist; the supervisor could read the secret
	 * as root, but must not for nobody. */
	run_as_nobody(&r, src, secret, e2e_fmt("id -u; cat '%s'", src));
	cr_assert(eq(int, r.code, 1), "cat must fail; stdout: %s stderr: %s",
	    r.out, r.err);
	cr_assert(eq(str, r.out, "65534\n"), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, "Permission denied"), "stderr: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_creds, nobody_raw_calls_get_eacces, .timeout = TEST_LIMIT(30))
{
	/* Opening and access(R_OK) are denied; stat needs no read
	 * permission on the file and succeeds, as natively. */
	static const struct e2e_call calls[] = {
		{ "open", "", "ERR EACCES" },
		{ "openat", "", "ERR EACCES" },
		{ "openat2", "", "ERR EACCES" },
		{ "access", "r", "ERR EACCES" },
		{ "faccessat2", "r", "ERR EACCES" },
		{ "access", "f", "OK" },
		{ "faccessat", "f", "OK" },
		{ "stat", "", "OK size=10 mode=0600" },
		{ "fstatat", "", "OK size=10 mode=0600" },
	};
	static const char *const targets[] = { "try-path", "try-path-m32" };
	const char *secret = e2e_path("secret"), *src = e2e_path("src");
	const char *cmd, *expect;
	struct e2e_result r;
	size_t t;

	e2e_write(secret, "root only\n", 0600);
	for (t = 0; t < 2; t++) {
		const char *tp;

		/* i386 only where there is one. */
		if (t == 1 && !e2e_x86_64())
			continue;
		tp = e2e_target(targets[t]);
		/* The native try-path makes the calls its arch has. */
		cmd = e2e_calls_script(tp, src, calls, sizeof(calls) /
		    sizeof(calls[0]), t == 1, &expect);
		run_as_nobody(&r, src, secret, cmd);
		cr_expect(eq(str, r.out, (char *)expect),
		    "case %s as nobody: stderr: %s", targets[t], r.err);
		e2e_result_free(&r);
	}
}

Test(e2e_creds, test_r_false_for_nobody, .timeout = TEST_LIMIT(30))
{
	const char *secret = e2e_path("secret"), *src = e2e_path("src");
	struct e2e_result r;

	e2e_write(secret, "root only\n", 0600);
	run_as_nobody(&r, src, secret, e2e_fmt(
	    "test -e '%1$s' && echo exists; "
	    "test -r '%1$s' && echo readable || echo unreadable; "
	    "test -w '%1$s' && echo writable || echo unwritable", src));
	cr_assert(eq(str, r.out, "exists\nunreadable\nunwritable\n"),
	    "stderr: %s", r.err);
	e2e_result_free(&r);
}

Test(e2e_creds, created_file_owned_by_nobody, .timeout = TEST_LIMIT(30))
{
	const char *dst = e2e_fmt("%s/made", public_dir());
	const char *src = e2e_path("src");
	struct e2e_result r;
	struct stat st;

	run_as_nobody(&r, src, dst, e2e_fmt("echo hello > '%s'", src));
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	e2e_result_free(&r);
	cr_assert(eq(int, stat(dst, &st), 0), "%s: %s", dst, strerror(errno));
	cr_assert(eq(u32, (unsigned)st.st_uid, NOBODY_UID),
	    "owner of %s", dst);
	cr_assert(eq(u32, (unsigned)st.st_gid, NOGROUP_GID),
	    "group of %s", dst);
	cr_assert(eq(int, e2e_exists(src), 0), "%s was created", src);
}

Test(e2e_creds, created_file_owned_by_nobody_raw, .timeout = TEST_LIMIT(30))
{
	static const char *const targets[] = { "try-path", "try-path-m32" };
	static const char *const sys[] = { "creat", "open", "openat",
	    "openat2" };
	const char *pub = public_dir(), *src = e2e_path("src"), *dst;
	struct e2e_result r;
	struct stat st;
	size_t t, s;

	/* Every creating call, both arches: a fresh destination each (the
	 * arch's own calls, i386 where there is one). */
	for (t = 0; t < 2; t++)
		for (s = 0; s < sizeof(sys) / sizeof(sys[0]); s++) {
			if ((t == 1 && !e2e_x86_64()) ||
			    (t == 0 && !e2e_native_has(sys[s])))
				continue;
			dst = e2e_fmt("%s/%s-%s", pub, sys[s], targets[t]);
			run_as_nobody(&r, src, dst, e2e_fmt("'%s' %s '%s' hi",
			    e2e_target(targets[t]), sys[s], src));
			cr_expect(eq(str, r.out, "OK wrote=3\n"),
			    "case %s %s: stderr: %s", targets[t], sys[s],
			    r.err);
			e2e_result_free(&r);
			if (stat(dst, &st) == -1) {
				cr_expect(0, "case %s %s: %s: %s", targets[t],
				    sys[s], dst, strerror(errno));
				continue;
			}
			cr_expect(eq(u32, (unsigned)st.st_uid, NOBODY_UID),
			    "case %s %s: owner", targets[t], sys[s]);
			cr_expect(eq(u32, (unsigned)st.st_gid, NOGROUP_GID),
			    "case %s %s: group", targets[t], sys[s]);
			/* umask 022 from the fixture, mode 0666 asked. */
			cr_expect(eq(int, (int)(st.st_mode & 07777), 0644),
			    "case %s %s: mode", targets[t], sys[s]);
		}
}

Test(e2e_creds, umask_077_gives_0600, .timeout = TEST_LIMIT(30))
{
	const char *pub = public_dir(), *src = e2e_path("src");
	const char *dst = e2e_fmt("%s/private", pub);
	const char *dst2 = e2e_fmt("%s/private-m32", pub);
	struct e2e_result r;
	struct stat st;

	run_as_nobody(&r, src, dst, e2e_fmt("umask 077; echo hi > '%s'", src));
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	e2e_result_free(&r);
	cr_assert(eq(int, stat(dst, &st), 0), "%s: %s", dst, strerror(errno));
	cr_assert(eq(int, (int)(st.st_mode & 07777), 0600), "mode of %s: %o",
	    dst, (unsigned)(st.st_mode & 07777));
	cr_assert(eq(u32, (unsigned)st.st_uid, NOBODY_UID));

	/* The same for an i386 creat(2), where there is i386. */
	if (!e2e_x86_64())
		return;
	run_as_nobody(&r, src, dst2, e2e_fmt("umask 077; '%s' creat '%s'",
	    e2e_target("try-path-m32"), src));
	cr_assert(eq(str, r.out, "OK wrote=8\n"), "stderr: %s", r.err);
	e2e_result_free(&r);
	cr_assert(eq(int, e2e_mode(dst2), 0600));
}

/*
 * A target that changes its umask and nothing else (as root: the ids it
 * started with stay known) gets it for what it creates, also where the
 * call reads the ids before the umask (a redirected mkdir walks the
 * destination as the target first).
 */
Test(e2e_creds, umask_change_alone_gives_its_mode, .timeout = TEST_LIMIT(30))
{
	const char *in = e2e_path("in"), *out = e2e_path("out");
	struct e2e_result r;

	e2e_mkdir(out);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s/=%s/", in, out), "--", "sh", "-c", e2e_fmt("umask 077; "
	    "mkdir '%1$s/d' && echo hi > '%1$s/f'", in)), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	e2e_result_free(&r);
	cr_assert(eq(int, e2e_mode(e2e_fmt("%s/d", out)), 0700));
	cr_assert(eq(int, e2e_mode(e2e_fmt("%s/f", out)), 0600));
}

Test(e2e_creds, nobody_cannot_create_in_root_dir, .timeout = TEST_LIMIT(30))
{
	const char *dir = e2e_path("rootonly"), *src = e2e_path("src");
	const char *dst = e2e_fmt("%s/new", dir);
	struct e2e_result r;

	/* Readable by all, writable by root only: root could create here. */
	e2e_mkdir(dir);
	/* creat, or an O_CREAT openat where the arch has no creat. */
	run_as_nobody(&r, src, dst, e2e_native_has("creat") ?
	    e2e_fmt("'%s' creat '%s'", e2e_target("try-path"), src) :
	    e2e_fmt("'%s' openat '%s' text", e2e_target("try-path"), src));
	cr_assert(eq(str, r.out, "ERR EACCES\n"), "stderr: %s", r.err);
	cr_assert(eq(int, e2e_exists(dst), 0), "%s was created", dst);
	e2e_result_free(&r);
}

/*
 * uid 0 is not enough: a root target whose capabilities are gone (its
 * bounding set emptied before exec) cannot read another user's 0600 file
 * through a redirect, as it could not read it itself.
 */
Test(e2e_creds, uid0_without_capabilities_gets_none, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	e2e_write(dst, "secret\n", 0600);
	cr_assert(eq(int, chown(dst, NOBODY_UID, NOGROUP_GID), 0));
	/* The kernel's own answer, without unotifyd. */
	e2e_run(&r, E2E_ARGV("setpriv", "--bounding-set=-all", "--", "cat",
	    dst), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 1), "reference: %s", r.out);
	e2e_result_free(&r);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", src, dst), "--", "setpriv", "--bounding-set=-all",
	    "--", "sh", "-c", e2e_fmt("id -u; cat %s", src)), NULL, e2e_dir());
	cr_assert(eq(str, r.out, "0\n"), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, "Permission denied"), "stderr: %s", r.err);
	e2e_result_free(&r);
}

/*
 * Nor does the supervisor lend its CAP_SYS_PTRACE: a nobody target whose
 * redirect leads (by a symlink it owns) to a root process's maps gets the
 * kernel's EACCES, not the maps.
 */
Test(e2e_creds, no_ptrace_for_nobody, .timeout = TEST_LIMIT(30))
{
	const char *src = e2e_path("src"), *dst = e2e_path("dst");
	struct e2e_result r;

	cr_assert(eq(int, symlink("/proc/1/maps", dst), 0));
	run_as_nobody(&r, src, dst, e2e_fmt("cat %s", src));
	cr_assert(eq(str, r.out, ""), "read root's maps: %.200s", r.out);
	cr_assert(e2e_has(r.err, "Permission denied"), "stderr: %s", r.err);
	e2e_result_free(&r);
}
