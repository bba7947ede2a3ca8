/* SPDX-License-Identifier: MIT */
/* Unit tests for supervisor/rules/copycat.c: "SRC DST" lines, prefix and file
 * targets, comments and errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "copycat.h"
#include "syscalls.h"

static struct rule_set set;
static struct causes causes;

/* Fresh set and causes for every test. */
static void
copycat_setup(void)
{
	rules_init(&set);
	memset(&causes, 0, sizeof(causes));
	setenv("HOME", "/home/tester", 1);
}

/* Release the set and causes. */
static void
copycat_teardown(void)
{
	rules_free(&set);
	causes_free(&causes);
}

TestSuite(copycat, .init = copycat_setup, .fini = copycat_teardown);

/* 1 if exactly msg was reported; prints every cause otherwise. */
static int
has_cause(const char *msg)
{
	size_t i;

	for (i = 0; i < causes.n; i++)
		if (strcmp(causes.v[i], msg) == 0)
			return 1;
	fprintf(stderr, "cause not found: %s\nhave:\n", msg);
	causes_print(&causes, stderr);
	return 0;
}

Test(copycat, environment_line)
{
	const struct rule *r;

	cr_assert(eq(int, copycat_parse(&set, "/tmp/a /tmp/b", "COPYCAT",
	    &causes), 0));
	cr_assert(eq(sz, set.n, 1));
	r = &set.v[0];
	cr_assert(eq(str, r->name, "COPYCAT:1"));
	cr_assert(eq(str, r->file, "COPYCAT"));
	cr_assert(eq(u32, r->line, 1));
	cr_assert(eq(str, r->path, "/tmp/a"));
	cr_assert(eq(str, r->target, "/tmp/b"));
	cr_assert(eq(int, r->match, RULE_EXACT));
	cr_assert(eq(int, r->action, RULE_REDIRECT));
	cr_assert(eq(u64, r->syscalls, SYSCALLS_ALL));
	cr_assert(eq(int, r->access, RULE_ACCESS_ANY));
	cr_assert(eq(ptr, (void *)rules_match(&set, "/tmp/a", SYSCALLS_OPENAT,
	    1), (void *)r));
}

Test(copycat, prefix_to_directory)
{
	char out[64];

	cr_assert(eq(int, copycat_parse(&set, "/usr/lib/ /opt/lib/\n", "cc",
	    &causes), 0));
	cr_assert(eq(int, set.v[0].match, RULE_PREFIX));
	cr_assert(eq(int, set.v[0].target_dir, 1));
	cr_assert(eq(int, rules_target(&set.v[0], "/usr/lib/x/libc.so", out,
	    sizeof(out)), 0));
	cr_assert(eq(str, out, "/opt/lib/x/libc.so"));
	cr_assert(eq(int, rules_target(&set.v[0], "/usr/lib", out,
	    sizeof(out)), 0));
	cr_assert(eq(str, out, "/opt/lib"));
	cr_assert(eq(ptr, (void *)rules_match(&set, "/usr/libx",
	    SYSCALLS_OPEN, 0), NULL));
}

Test(copycat, prefix_to_file)
{
	char out[64];

	cr_assert(eq(int, copycat_parse(&set, "/var/log/ /dev/null\n", "cc",
	    &causes), 0));
	cr_assert(eq(int, set.v[0].match, RULE_PREFIX));
	cr_assert(eq(int, set.v[0].target_dir, 0));
	cr_assert(eq(int, rules_target(&set.v[0], "/var/log/a/b.log", out,
	    sizeof(out)), 0));
	cr_assert(eq(str, out, "/dev/null"));
}

Test(copycat, comments_blank_lines_and_spacing)
{
	cr_assert(eq(int, copycat_parse(&set, "# comment\n\n   \n"
	    "  # indented comment\n"
	    "\t/a \t /b  \r\n"
	    "/c ~/d\n", "cc", &causes), 0));
	cr_assert(eq(sz, set.n, 2));
	cr_assert(eq(str, set.v[0].name, "cc:5"));
	cr_assert(eq(str, set.v[0].path, "/a"));
	cr_assert(eq(str, set.v[0].target, "/b"));
	cr_assert(eq(u32, set.v[1].line, 6));
	cr_assert(eq(str, set.v[1].target, "/home/tester/d"));
}

Test(copycat, literal_characters)
{
	cr_assert(eq(int, copycat_parse(&set, "/a/*.c /b\n", "cc", &causes),
	    0));
	cr_assert(eq(int, set.v[0].match, RULE_EXACT));
	cr_assert(ne(ptr, (void *)rules_match(&set, "/a/*.c", SYSCALLS_OPEN,
	    0), NULL));
	cr_assert(eq(ptr, (void *)rules_match(&set, "/a/x.c", SYSCALLS_OPEN,
	    0), NULL));
}

Test(copycat, field_count_errors)
{
	cr_assert(eq(int, copycat_parse(&set, "/a\n/b /c\n/d /e /f\n", "cc",
	    &causes), -1));
	cr_assert(eq(int, has_cause("cc:1: expected 'SRC DST'"), 1));
	cr_assert(eq(int, has_cause("cc:3: expected 'SRC DST'"), 1));
	cr_assert(eq(sz, causes.n, 2));
	cr_assert(eq(sz, set.n, 1));
	cr_assert(eq(str, set.v[0].name, "cc:2"));
}

Test(copycat, relative_paths)
{
	cr_assert(eq(int, copycat_parse(&set, "a /b\n/c d\n", "cc", &causes),
	    -1));
	cr_assert(eq(int, has_cause("cc:1: 'a' is not absolute"), 1));
	cr_assert(eq(int, has_cause("cc:2: 'd' is not absolute"), 1));
	cr_assert(eq(sz, causes.n, 2));
	cr_assert(eq(sz, set.n, 0));
}

Test(copycat, expansion_errors)
{
	unsetenv("UNOTIFYD_UNSET");
	cr_assert(eq(int, copycat_parse(&set, "/a ${UNOTIFYD_UNSET}/b\n", "cc",
	    &causes), -1));
	cr_assert(eq(int, has_cause("cc:1: '${UNOTIFYD_UNSET}/b': undefined "
	    "variable"), 1));
}

Test(copycat, empty_text)
{
	cr_assert(eq(int, copycat_parse(&set, "", "cc", &causes), 0));
	cr_assert(eq(sz, set.n, 0));
}

Test(copycat, duplicate_name)
{
	cr_assert(eq(int, rules_parse_string(&set, "[cc:1]\npath=/x\n"
	    "action=continue\n", "t.ini", &causes), 0));
	cr_assert(eq(int, copycat_parse(&set, "/a /b\n/c /d\n", "cc",
	    &causes), -1));
	cr_assert(eq(int, has_cause("cc:1: duplicate rule name 'cc:1' (first "
	    "at t.ini:1)"), 1));
	cr_assert(eq(sz, set.n, 2));
	cr_assert(eq(str, set.v[1].name, "cc:2"));
}
