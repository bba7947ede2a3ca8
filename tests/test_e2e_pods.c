/* SPDX-License-Identifier: MIT */
/* End-to-end: rules files with [match] are for Kubernetes containers of
 * `unotifyd serve`; `unotifyd run` leaves them out and says so. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "e2e.h"

TestSuite(e2e_pods, .init = e2e_setup, .fini = e2e_teardown, .timeout = 30);

Test(e2e_pods, run_leaves_match_files_out)
{
	const char *dir = e2e_path("rules.d");
	struct e2e_result r;

	e2e_mkdir(dir);
	e2e_write(e2e_path("src"), "src\n", 0644);
	e2e_write(e2e_path("dst"), "dst\n", 0644);
	e2e_write(e2e_path("rules.d/10-pod.ini"), e2e_fmt("[match]\n"
	    "pod = *\n\n[pod]\npath = %s\naction = errno\nerrno = EACCES\n",
	    e2e_path("src")), 0644);
	e2e_write(e2e_path("rules.d/20-all.ini"), e2e_fmt("[all]\npath = %s\n"
	    "action = redirect\ntarget = %s\n", e2e_path("src"),
	    e2e_path("dst")), 0644);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", dir, "--", "cat",
	    e2e_path("src")), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "dst\n"));
	cr_assert(e2e_has(r.err, "unotifyd: 1 rules of files with [match] do "
	    "not apply to commands run here\n"), "stderr: %s", r.err);
	e2e_result_free(&r);

	/* check counts and validates them all the same. */
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "check", "-r", dir), NULL,
	    e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(e2e_has(r.out, "2 rules OK"), "out: %s", r.out);
	e2e_result_free(&r);
}
