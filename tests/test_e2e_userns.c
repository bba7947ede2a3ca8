/* SPDX-License-Identifier: MIT */
/* A redirected stat shows owners as the target's user namespace does. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <unistd.h>

#include "e2e.h"

TestSuite(e2e_userns, .init = e2e_setup, .fini = e2e_teardown, .timeout = TEST_LIMIT(30));

Test(e2e_userns, stat_owners_are_mapped_like_direct_ones)
{
	struct e2e_result r;
	const char *own = e2e_path("own"), *rootown = e2e_path("rootown");

	if (geteuid() != 0)
		cr_skip_test("writing uid_map for host uid 1000 needs root");
	e2e_write(own, "x\n", 0644);
	e2e_write(rootown, "x\n", 0644);
	cr_assert(eq(int, chown(own, 1000, 1000), 0));
	const char *argv[] = { e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("/virtual/own=%s", own), "--redirect",
	    e2e_fmt("/virtual/root=%s", rootown), "--",
	    e2e_target("userns"), "/virtual/own", own, "/virtual/root",
	    rootown, NULL };

	e2e_run(&r, argv, NULL, NULL);
	if (e2e_has(r.out, "ERR unshare"))
		cr_skip_test("no user namespaces here: %s", r.out);
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	/* 1000 is the namespace's 0; root is unmapped: the overflow id. */
	cr_assert(eq(str, r.out, "0:0\n0:0\n65534:65534\n65534:65534\n"));
	e2e_result_free(&r);
}
