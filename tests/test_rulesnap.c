/* SPDX-License-Identifier: MIT */
/* Unit tests for supervisor/front/rulesnap.c: the last rules that loaded, kept
 * by the text of their files, through a memfd and back. */
#include <sys/mman.h>
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
#include "rulesnap.h"

TestSuite(rulesnap, .init = e2e_setup_nokernel, .fini = e2e_teardown);

static const char *
snap_rule(const char *name, const char *path, const char *target)
{
	return e2e_fmt("[%s]\npath = %s\naction = redirect\ntarget = %s\n",
	    name, path, target);
}

/* Load file into a fresh set; fails the test on errors. */
static void
snap_load(struct rule_set *set, const char *path)
{
	struct causes c = { 0 };

	rules_init(set);
	cr_assert(eq(int, rules_load(set, path, &c), 0), "%s",
	    c.n ? c.v[0] : "");
	causes_free(&c);
}

Test(rulesnap, kept_through_a_memfd_after_the_files_broke)
{
	const char *dir = e2e_path("rules"), *a, *b;
	struct rulesnap *snap = rulesnap_new(), *back = rulesnap_new();
	struct rule_set set, got;
	struct causes c = { 0 };
	int fd, r;

	e2e_mkdir(dir);
	a = e2e_rules("rules/a.ini", snap_rule("a", "/x", "/y"));
	b = e2e_rules("rules/b.ini", e2e_fmt("%s%s", snap_rule("b1", "/p/",
	    "/q/"), snap_rule("b2", "/m", "/n")));
	snap_load(&set, dir);
	cr_assert(eq(sz, set.n, 3));
	cr_assert(eq(int, rulesnap_record(snap, "", &set), 1));
	/* The same text again changes nothing. */
	cr_assert(eq(int, rulesnap_record(snap, "", &set), 0));
	cr_assert(eq(int, rulesnap_record(snap, "rules=a", &set), 1));
	fd = rulesnap_to_fd(snap);
	cr_assert(fd >= 0, "rulesnap_to_fd: %s", strerror(-fd));
	/* Sealed: nobody can change what a restart will read. */
	cr_assert(eq(int, (int)write(fd, "x", 1), -1));

	/* Broken on disk now; the kept copy still loads. */
	e2e_write(a, "not ini\n", 0644);
	cr_assert(eq(int, unlink(b), 0));
	cr_assert(eq(int, rulesnap_from_fd(back, fd), 0));
	close(fd);
	cr_assert(rulesnap_has(back, "") && rulesnap_has(back, "rules=a"));
	cr_assert(not(rulesnap_has(back, "rules=b")));
	rules_init(&got);
	cr_assert(eq(int, rulesnap_restore(back, "", &got, &c), 0));
	cr_assert(eq(sz, got.n, 3));
	cr_assert(eq(str, got.v[0].name, "a"));
	cr_assert(eq(str, got.v[2].name, "b2"));
	cr_assert(eq(str, got.v[1].file, (char *)b));
	cr_assert(eq(str, got.v[0].target, "/y"));
	rules_free(&got);
	rules_init(&got);
	cr_assert(eq(int, rulesnap_restore(back, "rules=b", &got, &c), -ENOENT));
	rules_free(&got);
	/* A file that no longer parses as it did is not taken. */
	r = rulesnap_record(snap, "", &set);
	cr_assert(lt(int, r, 0), "recorded broken files");
	rules_init(&got);
	cr_assert(eq(int, rulesnap_restore(snap, "", &got, &c), 0));
	cr_assert(eq(sz, got.n, 3), "the kept copy changed");
	rules_free(&got);
	cr_assert(eq(sz, c.n, 0));
	rules_free(&set);
	rulesnap_free(snap);
	rulesnap_free(back);
}

Test(rulesnap, malformed_memfd_refused)
{
	static const char *const bad[] = { "", "garbage\n",
	    "unotifyd-rulesnap 1\nset 3 1\nabc\n",
	    "unotifyd-rulesnap 1\nset 0 1\n\nfile 2 99\nab\nshort\n",
	    "unotifyd-rulesnap 1\nset 99999999999999999999 0\n" };
	struct rulesnap *snap = rulesnap_new();
	size_t i;
	int fd;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fd = memfd_create("t", MFD_CLOEXEC);
		cr_assert(fd >= 0);
		cr_assert(eq(int, (int)write(fd, bad[i], strlen(bad[i])),
		    (int)strlen(bad[i])));
		cr_assert(eq(int, rulesnap_from_fd(snap, fd), -EBADMSG),
		    "case %zu", i);
		cr_assert(not(rulesnap_has(snap, "")));
		close(fd);
	}
	rulesnap_free(snap);
}
