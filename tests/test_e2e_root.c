/* SPDX-License-Identifier: MIT */
/* Redirects act in the target's root: a chrooted target gets the file of
 * its own tree, never the supervisor's. */
#include <sys/xattr.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"

TestSuite(e2e_root, .init = e2e_setup, .fini = e2e_teardown, .timeout = TEST_LIMIT(30));

/* A tree with the no-libc target and its own /data/file. */
static const char *
make_root(void)
{
	const char *root = e2e_path("root");
	char *bin = e2e_read(e2e_target("raw-static"));

	cr_assert(ne(ptr, bin, NULL));
	free(bin);
	e2e_mkdir(e2e_path("root/data"));
	e2e_write(e2e_path("root/data/file"), "inside\n", 0644);
	cr_assert(eq(int, system(e2e_fmt("cp %s %s/cat", e2e_target("raw-static"),
	    root)), 0));
	return root;
}

Test(e2e_root, chrooted_target_gets_its_own_file)
{
	struct e2e_result r;
	const char *root;

	if (geteuid() != 0)
		cr_skip_test("chroot needs root");
	root = make_root();
	/* The same path outside the root holds something else. */
	e2e_mkdir(e2e_path("data"));
	const char *argv[] = { e2e_unotifyd(), "run", "--redirect",
	    "/virtual/src=/data/file", "--", "chroot", root, "/cat",
	    "/virtual/src", NULL };

	e2e_run(&r, argv, NULL, NULL);
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "inside\n"));
	e2e_result_free(&r);
}

Test(e2e_root, chrooted_target_cannot_escape_with_dotdot)
{
	struct e2e_result r;
	const char *root;

	if (geteuid() != 0)
		cr_skip_test("chroot needs root");
	root = make_root();
	/* A target that resolves ../.. beyond its root stays inside it. */
	const char *argv[] = { e2e_unotifyd(), "run", "--redirect",
	    "/virtual/src=/../../../data/file", "--", "chroot", root, "/cat",
	    "/virtual/src", NULL };

	e2e_run(&r, argv, NULL, NULL);
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "inside\n"));
	e2e_result_free(&r);
}

/* `unotifyd run --redirect /virtual/src=/data/file -- chroot ROOT
 * /try-path SYS /virtual/src [ARG]` */
static void
try_in_root(struct e2e_result *r, const char *root, const char *sys,
    const char *arg)
{
	const char *argv[] = { e2e_unotifyd(), "run", "--redirect",
	    "/virtual/src=/data/file", "--", "chroot", root, "/try-path", sys,
	    "/virtual/src", arg, NULL };

	e2e_run(r, argv, NULL, NULL);
}

/* Stats and attribute reads of a chrooted target look in its root too
 * (the supervisor reaches the file through an O_PATH fd found beneath it). */
Test(e2e_root, chrooted_target_stats_and_reads_attributes_inside)
{
	struct e2e_result r;
	const char *root;

	if (geteuid() != 0)
		cr_skip_test("chroot needs root");
	root = make_root();
	cr_assert(eq(int, system(e2e_fmt("cp %s %s/try-path",
	    e2e_target("try-path"), root)), 0));
	if (setxattr(e2e_path("root/data/file"), "user.where", "inside", 6,
	    0) == -1)
		cr_skip_test("no user.* attributes on %s: %s", e2e_dir(),
		    strerror(errno));
	/* The same path outside the root holds something else. */
	e2e_mkdir(e2e_path("data"));
	e2e_write(e2e_path("data/file"), "outside, longer\n", 0644);
	try_in_root(&r, root, "getxattr", "user.where");
	cr_assert(eq(str, r.out, "OK size=6 value=inside\n"), "stderr: %s",
	    r.err);
	e2e_result_free(&r);
	try_in_root(&r, root, "listxattr", NULL);
	cr_assert(eq(str, r.out, "OK size=11 list=user.where\n"),
	    "stderr: %s", r.err);
	e2e_result_free(&r);
	try_in_root(&r, root, e2e_native_has("stat") ? "stat" : "fstatat",
	    NULL);
	cr_assert(eq(str, r.out, "OK size=7 mode=0644\n"), "stderr: %s",
	    r.err);
	e2e_result_free(&r);
}

/*
 * A target that makes its own mount namespace (unshare -m, or clone with
 * CLONE_NEWNS) and mounts over the redirect's destination gets the file
 * under its own mounts, as a plain open there would, in a child too.
 */
Test(e2e_root, unshared_mount_namespace_gets_its_own_file)
{
	struct e2e_result r;
	const char *dir = e2e_path("d");

	if (geteuid() != 0)
		cr_skip_test("unshare -m needs root");
	if (!e2e_have_prog("unshare"))
		cr_skip_test("no unshare(1)");
	e2e_mkdir(dir);
	e2e_write(e2e_path("d/f"), "outer\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s/f", e2e_path("src"), dir), "--", "unshare", "-m",
	    "--propagation", "private", "sh", "-c", e2e_fmt("mount -t tmpfs "
	    "none '%s' && echo inner > '%s/f' && cat '%s' && sh -c \"cat "
	    "'%s'\"", dir, dir, e2e_path("src"), e2e_path("src"))), NULL,
	    e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "inner\ninner\n"), "stderr: %s", r.err);
	e2e_result_free(&r);
	/* Ours is untouched. */
	cr_assert(eq(str, e2e_read(e2e_path("d/f")), "outer\n"));
}

/*
 * A target that joins another mount namespace (setns(2), as nsenter -m
 * does) after a redirected read in its first one gets the file under the
 * new namespace's mounts from then on: the root it had is not kept.
 */
Test(e2e_root, setns_to_another_mount_namespace_follows_it)
{
	const char *dir = e2e_path("d"), *ready = e2e_path("ready");
	struct e2e_proc holder;
	struct e2e_result r, hr;
	int i;

	if (geteuid() != 0)
		cr_skip_test("unshare -m and nsenter need root");
	if (!e2e_have_prog("unshare") || !e2e_have_prog("nsenter"))
		cr_skip_test("no unshare(1) or nsenter(1)");
	e2e_mkdir(dir);
	e2e_write(e2e_path("d/f"), "outer\n", 0644);
	/* Another namespace, its own tmpfs over d, kept alive. */
	e2e_spawn(&holder, E2E_ARGV("unshare", "-m", "--propagation", "private",
	    "sh", "-c", e2e_fmt("mount -t tmpfs none '%s' && echo inner > "
	    "'%s/f' && touch '%s' && exec sleep 60", dir, dir, ready)), NULL,
	    e2e_dir());
	for (i = 0; i < TEST_LIMIT(500) && access(ready, F_OK) != 0; i++)
		usleep(10000);
	cr_assert(eq(int, access(ready, F_OK), 0), "the namespace holder did "
	    "not start");
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s/f", e2e_path("src"), dir), "--", "sh", "-c",
	    e2e_fmt("cat '%s' && nsenter --mount=/proc/%d/ns/mnt cat '%s'",
	    e2e_path("src"), (int)holder.pid, e2e_path("src"))), NULL,
	    e2e_dir());
	kill(holder.pid, SIGKILL);
	e2e_wait(&holder, &hr, E2E_TIMEOUT_MS);
	e2e_result_free(&hr);
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "outer\ninner\n"), "stderr: %s", r.err);
	e2e_result_free(&r);
	cr_assert(eq(str, e2e_read(e2e_path("d/f")), "outer\n"));
}

/*
 * A child made by a raw clone(2) with CLONE_NEWNS (no unshare(2), no
 * clone3) that mounts over the destination gets the file under its own
 * mounts; its parent read the one outside first.
 */
Test(e2e_root, clone_newns_child_gets_its_own_file)
{
	const char *dir = e2e_path("d");
	struct e2e_result r;

	if (geteuid() != 0)
		cr_skip_test("CLONE_NEWNS needs root");
	e2e_mkdir(dir);
	e2e_write(e2e_path("d/f"), "outer\n", 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s/f", e2e_path("src"), dir), "--",
	    e2e_target("clone-ns"), e2e_path("src"), dir), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "outer\ninner\n"), "stderr: %s", r.err);
	e2e_result_free(&r);
	cr_assert(eq(str, e2e_read(e2e_path("d/f")), "outer\n"));
}
