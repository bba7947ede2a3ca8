/* SPDX-License-Identifier: MIT */
/* Redirects act in the target's root: a chrooted target gets the file of
 * its own tree, never the supervisor's. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <unistd.h>

#include "e2e.h"

TestSuite(e2e_root, .init = e2e_setup, .fini = e2e_teardown, .timeout = 30);

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
