/* SPDX-License-Identifier: MIT */
/* Unit tests for supervisor/rules/expand.c: ~, ~user and ${VAR} expansion and
 * its errors. */
#include <pwd.h>
#include <stdlib.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "expand.h"
#include "util.h"

/* Each test runs in its own process, so the environment is ours. */
static void
expand_setup(void)
{
	setenv("HOME", "/home/tester", 1);
	setenv("UNOTIFYD_A", "alpha", 1);
	setenv("UNOTIFYD_B", "/beta", 1);
	unsetenv("UNOTIFYD_UNSET");
}

TestSuite(expand, .init = expand_setup);

/* Expand in, expecting success and want. */
static void
expands_to(const char *in, const char *want)
{
	const char *why = NULL;
	char *out = NULL;

	cr_assert(eq(int, expand_path(in, &out, &why), 0), "%s: %s", in, why);
	cr_assert(eq(str, out, (char *)want), "expanding %s", in);
	free(out);
}

/* Expand in, expecting the error why. */
static void
fails_with(const char *in, const char *want)
{
	const char *why = NULL;
	char *out = (char *)"x";

	cr_assert(eq(int, expand_path(in, &out, &why), -1), "%s accepted", in);
	cr_assert(eq(ptr, out, NULL));
	cr_assert(eq(str, (char *)why, (char *)want), "expanding %s", in);
}

Test(expand, literal)
{
	expands_to("/etc/passwd", "/etc/passwd");
	expands_to("", "");
	expands_to("/a$b/$/c$", "/a$b/$/c$");
	expands_to("/a/~/b", "/a/~/b");
}

Test(expand, tilde)
{
	expands_to("~", "/home/tester");
	expands_to("~/", "/home/tester/");
	expands_to("~/src/app.conf", "/home/tester/src/app.conf");
}

Test(expand, tilde_user)
{
	struct passwd *pw = getpwnam("root");
	char *want;

	if (pw == NULL)
		cr_skip_test("no root user in passwd");
	xasprintf(&want, "%s/x", pw->pw_dir);
	expands_to("~root/x", want);
	free(want);
	expands_to("~root", pw->pw_dir);
}

Test(expand, unknown_user)
{
	fails_with("~no_such_user_unotifyd/x", "unknown user");
}

Test(expand, home_unset)
{
	unsetenv("HOME");
	fails_with("~/x", "HOME is not set");
	setenv("HOME", "", 1);
	fails_with("~", "HOME is not set");
}

Test(expand, variables)
{
	expands_to("${HOME}/x", "/home/tester/x");
	expands_to("/${UNOTIFYD_A}${UNOTIFYD_B}/z", "/alpha/beta/z");
	expands_to("${UNOTIFYD_B}", "/beta");
	expands_to("~/${UNOTIFYD_A}", "/home/tester/alpha");
	setenv("UNOTIFYD_EMPTY", "", 1);
	expands_to("/a${UNOTIFYD_EMPTY}b", "/ab");
}

Test(expand, no_recursive_expansion)
{
	setenv("UNOTIFYD_REC", "${HOME}", 1);
	expands_to("/${UNOTIFYD_REC}", "/${HOME}");
}

Test(expand, undefined_variable)
{
	fails_with("/x/${UNOTIFYD_UNSET}/y", "undefined variable");
}

Test(expand, unterminated)
{
	fails_with("/x/${HOME", "unterminated ${");
	fails_with("${", "unterminated ${");
}

Test(expand, empty_name)
{
	fails_with("/x/${}", "empty variable name");
}
