/* SPDX-License-Identifier: MIT */
/* Unit tests for supervisor/rules/pattern.c: glob detection, validation,
 * matching (including pathological patterns) and prefix matching. */
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "pattern.h"
#include "slowdown.h"
#include "util.h"

struct pattern_case {
	const char	*pat;
	const char	*path;
	int		 want;
};

Test(pattern, is_glob)
{
	static const struct {
		const char	*pat;
		int		 want;
	} cases[] = {
		{ "/a/b", 0 },
		{ "/a/", 0 },
		{ "/a/*", 1 },
		{ "/a/?", 1 },
		{ "/a/[bc]", 1 },
		{ "/a/\\*", 0 },
		{ "/a/\\[x]", 0 },
		{ "/a/\\\\*", 1 },
		{ "/a/b\\", 0 },
		{ "", 0 },
	};
	size_t i;

	for (i = 0; i < nitems(cases); i++)
		cr_assert(eq(int, pattern_is_glob(cases[i].pat), cases[i].want),
		    "pattern_is_glob(%s)", cases[i].pat);
}

Test(pattern, check_valid)
{
	static const char *const good[] = {
		"/a/*", "/a/**/b", "/a/**", "/**", "/**/x", "/a/[bc]",
		"/a/[!bc]", "/a/[^a-z]x", "/a/[]]", "/a/[!]]", "/a/\\**",
		"/a/[\\]]", "/a/b\\*c", "/a/**/**/b", "/a/?",
	};
	const char *why;
	size_t i;

	for (i = 0; i < nitems(good); i++)
		cr_assert(eq(int, pattern_check(good[i], &why), 0),
		    "pattern_check(%s): %s", good[i], why);
}

Test(pattern, check_invalid)
{
	static const struct {
		const char	*pat;
		const char	*why;
	} bad[] = {
		{ "/a/[bc", "unterminated '['" },
		{ "/a/[", "unterminated '['" },
		{ "/a/[]", "unterminated '['" },
		{ "/a/[b/c]", "'/' inside brackets" },
		{ "/a/x**", "'**' must be a whole path component" },
		{ "/a/**x", "'**' must be a whole path component" },
		{ "/a/***/b", "'**' must be a whole path component" },
		{ "/a/b\\", "trailing backslash" },
		{ "/a\\/b", "'/' cannot be escaped" },
	};
	const char *why;
	size_t i;

	for (i = 0; i < nitems(bad); i++) {
		cr_assert(eq(int, pattern_check(bad[i].pat, &why), -1),
		    "pattern_check(%s) accepted", bad[i].pat);
		cr_assert(eq(str, (char *)why, (char *)bad[i].why),
		    "pattern_check(%s)", bad[i].pat);
	}
}

Test(pattern, match_table)
{
	static const struct pattern_case cases[] = {
		/* literal */
		{ "/a/b", "/a/b", 1 },
		{ "/a/b", "/a/bc", 0 },
		{ "/a/b", "/a", 0 },
		/* * and ? stay inside one component */
		{ "/a/*", "/a/b", 1 },
		{ "/a/*", "/a/", 0 },
		{ "/a/*", "/a", 0 },
		{ "/a/*", "/a/b/c", 0 },
		{ "/a/*.c", "/a/x.c", 1 },
		{ "/a/*.c", "/a/.c", 1 },
		{ "/a/*.c", "/a/x.h", 0 },
		{ "/a*", "/ab/c", 0 },
		{ "/a/?", "/a/b", 1 },
		{ "/a/?", "/a/bc", 0 },
		{ "/a?b", "/a/b", 0 },
		{ "/*/*", "/x/y", 1 },
		{ "/*", "/", 0 },
		{ "/*x*y*", "/axbyc", 1 },
		{ "/*x*y*", "/ayxc", 0 },
		{ "/a**b", "/axxb", 1 },
		/* brackets */
		{ "/[abc]", "/b", 1 },
		{ "/[abc]", "/d", 0 },
		{ "/[a-c]x", "/bx", 1 },
		{ "/[a-c]x", "/dx", 0 },
		{ "/[!a-c]", "/d", 1 },
		{ "/[!a-c]", "/a", 0 },
		{ "/[^a-c]", "/a", 0 },
		{ "/[^a-c]", "/z", 1 },
		{ "/[]]", "/]", 1 },
		{ "/[!]]", "/]", 0 },
		{ "/[!]]", "/x", 1 },
		{ "/[a-]", "/-", 1 },
		{ "/[\\]]", "/]", 1 },
		{ "/[*]", "/*", 1 },
		{ "/[*]", "/x", 0 },
		{ "/x[", "/x[", 1 },
		/* escapes */
		{ "/a\\*", "/a*", 1 },
		{ "/a\\*", "/ab", 0 },
		{ "/a\\?", "/a?", 1 },
		{ "/a\\?", "/ab", 0 },
		{ "/a\\[b]", "/a[b]", 1 },
		{ "/a\\[b]", "/ab", 0 },
		{ "/a\\\\", "/a\\", 1 },
		{ "/\\a", "/a", 1 },
		/* ** spans zero or more components */
		{ "/a/**/b", "/a/b", 1 },
		{ "/a/**/b", "/a/x/b", 1 },
		{ "/a/**/b", "/a/x/y/z/b", 1 },
		{ "/a/**/b", "/a/x/y/z/c", 0 },
		{ "/a/**/b", "/a/xb", 0 },
		{ "/a/**/b", "/ab", 0 },
		{ "/a/**", "/a", 1 },
		{ "/a/**", "/a/x", 1 },
		{ "/a/**", "/a/x/y", 1 },
		{ "/a/**", "/ab", 0 },
		{ "/**", "/", 1 },
		{ "/**", "/any/path/at/all", 1 },
		{ "/**/x", "/x", 1 },
		{ "/**/x", "/a/b/x", 1 },
		{ "/**/x", "/a/b/x/y", 0 },
		{ "/**/*.conf", "/etc/app/a.conf", 1 },
		{ "/a/**/b/**/c", "/a/b/c", 1 },
		{ "/a/**/b/**/c", "/a/1/b/2/3/c", 1 },
		{ "/a/**/b/**/c", "/a/1/c/2/b", 0 },
		{ "/a/**/x/y", "/a/x/x/y", 1 },
		{ "/a/**/**/b", "/a/b", 1 },
		{ "/home/*/.config/**", "/home/u/.config/a/b", 1 },
		{ "/home/*/.config/**", "/home/u/v/.config/a", 0 },
		/* both must be absolute, or both relative */
		{ "/a", "a", 0 },
		{ "a", "/a", 0 },
		{ "a/*", "a/b", 1 },
	};
	size_t i;

	for (i = 0; i < nitems(cases); i++)
		cr_assert(eq(int, pattern_match(cases[i].pat, cases[i].path),
		    cases[i].want), "pattern_match(%s, %s)", cases[i].pat,
		    cases[i].path);
}

Test(pattern, no_exponential_backtracking, .timeout = TEST_LIMIT(2))
{
	char path[4096], pat[512];
	size_t i, n;
	int k;

	/* /a*a*a*...*b against /aaaa...a: exponential for naive recursion. */
	n = 0;
	pat[n++] = '/';
	for (k = 0; k < 40; k++) {
		pat[n++] = 'a';
		pat[n++] = '*';
	}
	pat[n++] = 'b';
	pat[n] = '\0';
	path[0] = '/';
	memset(path + 1, 'a', 200);
	path[201] = '\0';
	for (i = 0; i < 1000; i++)
		cr_assert(eq(int, pattern_match(pat, path), 0));

	/* The same across components: a "**" before each "a". */
	n = 0;
	for (k = 0; k < 40; k++) {
		memcpy(pat + n, "/**/a", 5);
		n += 5;
	}
	memcpy(pat + n, "/b", 3);
	n = 0;
	for (k = 0; k < 800; k++) {
		memcpy(path + n, "/a", 2);
		n += 2;
	}
	path[n] = '\0';
	for (i = 0; i < 100; i++)
		cr_assert(eq(int, pattern_match(pat, path), 0));
	path[n - 1] = 'b';
	cr_assert(eq(int, pattern_match(pat, path), 1));
	path[n - 1] = 'a';
	memcpy(path + n, "/b", 3);
	cr_assert(eq(int, pattern_match(pat, path), 1));
}

Test(pattern, prefix_table)
{
	static const struct pattern_case cases[] = {
		{ "/a/", "/a", 2 },
		{ "/a/", "/a/", 3 },
		{ "/a/", "/a/x", 3 },
		{ "/a/", "/a/x/y", 3 },
		{ "/a/", "/ab", -1 },
		{ "/a/", "/ab/x", -1 },
		{ "/a/", "/", -1 },
		{ "/a/", "/b/a/", -1 },
		{ "/a/b/", "/a/b", 4 },
		{ "/a/b/", "/a/bc", -1 },
		{ "/a/b/", "/a", -1 },
		{ "/", "/", 1 },
		{ "/", "/x", 1 },
		{ "/", "/x/y/z", 1 },
		{ "/", "x", -1 },
		{ "/a", "/a", -1 },	/* not a prefix: no trailing '/' */
		{ "", "/a", -1 },
	};
	size_t i;

	for (i = 0; i < nitems(cases); i++)
		cr_assert(eq(int, pattern_prefix(cases[i].pat, cases[i].path),
		    cases[i].want), "pattern_prefix(%s, %s)", cases[i].pat,
		    cases[i].path);
}
