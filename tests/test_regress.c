/* SPDX-License-Identifier: MIT */
/* Regression tests from `make fuzz` (tests/fuzz/): each crash a harness
 * finds gets a test here with the input that caused it; the others pin the
 * harnesses' invariants on hand-picked hostile inputs, so a regression
 * shows up in `make check`, not only after minutes of fuzzing. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "causes.h"
#include "copycat.h"
#include "expand.h"
#include "oci.h"
#include "path.h"
#include "pattern.h"
#include "rules.h"
#include "syscalls.h"

/* fuzz_path: normalised (no "//", "." or ".." component), never longer,
 * and idempotent. */
Test(regress, normalise_invariants, .timeout = 10)
{
	static const char *const in[] = {
		"/", "//", "/.", "/..", "/../..", "/./../.", "/a/..", "/a/../",
		"/a/./", "/a/.", "/a//b//", "/...", "/a/..b/.c/..", "/..a/b..",
		"/a/b/../../../../c", "//a/./b/.././/c/.", "/ /./ ", NULL
	};
	char buf[PATH_MAX], again[PATH_MAX];
	size_t i;

	for (i = 0; in[i] != NULL; i++) {
		snprintf(buf, sizeof(buf), "%s", in[i]);
		path_normalise(buf);
		cr_assert(eq(chr, buf[0], '/'), "%s -> %s", in[i], buf);
		cr_assert(strstr(buf, "//") == NULL, "%s -> %s", in[i], buf);
		cr_assert(strstr(buf, "/./") == NULL && strstr(buf, "/../") ==
		    NULL, "%s -> %s", in[i], buf);
		cr_assert(le(sz, strlen(buf), strlen(in[i]) + 1));
		memcpy(again, buf, sizeof(buf));
		path_normalise(again);
		cr_assert(eq(str, again, buf), "not idempotent: %s", in[i]);
	}
}

/* A path of PATH_MAX - 1 bytes of ".." components normalises in place. */
Test(regress, normalise_path_max_of_dotdots, .timeout = 10)
{
	char buf[PATH_MAX];
	size_t i;

	for (i = 0; i + 3 < sizeof(buf); i += 3)
		memcpy(buf + i, "/..", 3);
	buf[i] = '\0';
	path_normalise(buf);
	cr_assert(eq(str, buf, "/"));
}

/* Globs with many "**" or "*" against long paths must not backtrack
 * exponentially (fuzz_path runs with a 10 s per-input limit). */
Test(regress, glob_backtracking_bounded, .timeout = 10)
{
	char pat[512] = "", path[1024] = "";
	const char *why;
	clock_t t0;
	int i;

	for (i = 0; i < 20; i++)
		strcat(pat, "/**");
	strcat(pat, "/x");
	for (i = 0; i < 200; i++)
		strcat(path, "/a");
	strcat(path, "/y");
	cr_assert(eq(int, pattern_check(pat, &why), 0));
	t0 = clock();
	cr_assert(eq(int, pattern_match(pat, path), 0));
	strcpy(pat, "/");
	for (i = 0; i < 40; i++)
		strcat(pat, "*a");
	strcat(pat, "b");
	memset(path, 'a', 250);
	path[0] = '/';
	path[250] = '\0';
	cr_assert(eq(int, pattern_match(pat, path), 0));
	cr_assert(lt(dbl, (double)(clock() - t0) / CLOCKS_PER_SEC, 1.0));
}

/* fuzz_rules: -1 exactly when causes were added, each "origin:"; binary
 * data, a NUL cut, CR LF and an overlong line do not crash. */
Test(regress, rules_parse_hostile_text, .timeout = 10)
{
	static const char *const texts[] = {
		"", "\x01\x02\x03", "[a]\r\npath = /x\r\naction = continue\r\n",
		"[\xff\xfe]\npath = /\xc3\x28\naction = continue\n",
		"[a]\npath = /x\naction = errno\nerrno = 4095\n"
		    "[b]\npath = /x/\naction = redirect\ntarget = /y/\n",
		"[a]\npath = ${\n", "[a]\npath = ~\n", "[[a]]\n", "=\n", "[\n",
		NULL
	};
	struct causes causes = { 0 };
	struct rule_set set;
	char *big;
	size_t i, n;
	int r;

	for (i = 0; texts[i] != NULL; i++) {
		rules_init(&set);
		r = rules_parse_string(&set, texts[i], "t.ini", &causes);
		cr_assert(eq(int, r == 0, causes.n == 0), "case %zu", i);
		for (n = 0; n < causes.n; n++)
			cr_assert(eq(int, strncmp(causes.v[n], "t.ini:", 6), 0),
			    "%s", causes.v[n]);
		causes_free(&causes);
		memset(&causes, 0, sizeof(causes));
		rules_free(&set);
	}
	big = malloc(1 << 20);
	cr_assert(big != NULL);
	memset(big, '[', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	rules_init(&set);
	cr_assert(eq(int, rules_parse_string(&set, big, "t.ini", &causes), -1));
	causes_free(&causes);
	rules_free(&set);
	free(big);
}

/* fuzz_copycat and fuzz_expand: odd spacing, lone '$', '~' forms. */
Test(regress, copycat_and_expand_hostile_text, .timeout = 10)
{
	static const char *const texts[] = {
		"/a /b", "\t/a\t\t/b\t\n\n", "/a/ /b/\n/a/ /c/\n", "/a",
		"/a /b /c", "# x\n  # y\n", "~ /x", "/$ /$$", "/${} /x", NULL
	};
	static const char *const paths[] = {
		"~", "~/", "~root", "$", "${", "${}", "${HOME", "/$x/${HOME}",
		"~no-such-user-xyz/a", NULL
	};
	struct causes causes = { 0 };
	struct rule_set set;
	const char *why;
	char *out;
	size_t i;
	int r;

	setenv("HOME", "/home/t", 1);
	for (i = 0; texts[i] != NULL; i++) {
		rules_init(&set);
		r = copycat_parse(&set, texts[i], "COPYCAT", &causes);
		cr_assert(eq(int, r == 0, causes.n == 0), "%s", texts[i]);
		causes_free(&causes);
		memset(&causes, 0, sizeof(causes));
		rules_free(&set);
	}
	for (i = 0; paths[i] != NULL; i++) {
		out = NULL;
		why = NULL;
		r = expand_path(paths[i], &out, &why);
		cr_assert(r == 0 ? out != NULL : why != NULL && out == NULL,
		    "%s", paths[i]);
		free(out);
	}
}

/* Feed len bytes of s to a fresh OCI reader, the first `first` bytes (all
 * when 0) and then `step` at a time, then EOF; the outcome and its cause. */
static int
regress_oci_feed(const char *s, size_t len, size_t first, size_t step,
    char **cause)
{
	struct oci_reader *r = oci_reader_new();
	struct oci_msg *m = NULL, *got = NULL;
	size_t off = 0, n;
	int ret = 0;

	*cause = NULL;
	while (off < len && ret >= 0) {
		n = off == 0 && first != 0 ? first : step;
		if (n > len - off)
			n = len - off;
		if ((ret = oci_reader_feed(r, s + off, n, &m, cause)) == 1)
			got = m;
		off += n;
	}
	if (ret >= 0 && (ret = oci_reader_eof(r, cause)) == 0 && got != NULL)
		ret = 1;
	oci_msg_free(got);
	oci_reader_free(r);
	return ret;
}

/*
 * fuzz_oci found it (1,012,335 inputs, 120 s): json-c 0.16 forgets which
 * signs a number may take next when a chunk ends inside it, so "1." then
 * "+" was "number expected" while "1.+" whole stays an unfinished number;
 * the cause moved with the split. Every split must give what one feed does.
 */
Test(regress, oci_split_inside_number, .timeout = 10)
{
	static const struct {
		const char	*s;
		int		 ret;
	} in[] = {
		{ "{ \n\"o\n  cn\":1.+", -EBADMSG },
		{ "{\"pid\":4-42}", -EBADMSG },
		{ "{\"a\":1.e+5-}", -EBADMSG },
		{ "{\"a\":-1.5e-3,\"b\":2}", -EBADMSG },
		{ "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],"
		    "\"pid\":4242,\"state\":{\"id\":\"c\",\"status\":\"s\","
		    "\"pid\":-0}} ", 1 },
	};
	char *whole, *cause;
	size_t i, k, len;
	int ret;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		len = strlen(in[i].s);
		ret = regress_oci_feed(in[i].s, len, 0, len, &whole);
		cr_assert(eq(int, ret, in[i].ret), "%s: %s", in[i].s,
		    whole ? whole : "");
		for (k = 1; k <= len; k++) {
			cr_assert(eq(int, regress_oci_feed(in[i].s, len, k, len,
			    &cause), ret), "%s split at %zu", in[i].s, k);
			if (ret != 1)
				cr_assert(eq(str, cause, whole),
				    "%s split at %zu", in[i].s, k);
			free(cause);
			cr_assert(eq(int, regress_oci_feed(in[i].s, len, k, 1,
			    &cause), ret), "%s from %zu byte by byte", in[i].s, k);
			if (ret != 1)
				cr_assert(eq(str, cause, whole),
				    "%s from %zu byte by byte", in[i].s, k);
			free(cause);
		}
		free(whole);
	}
}

/* fuzz_rulesdir: drop-in directories holding no *.ini passed NULL to
 * qsort() (UBSan: nonnull argument); missing, empty and non-matching
 * directories load nothing and are no error. */
Test(regress, dropins_none_found, .timeout = 10)
{
	char base[] = "/tmp/unotifyd-regress.XXXXXX", empty[64], other[64];
	char file[96], cmd[96];
	const char *dirs[4];
	struct causes causes = { 0 };
	struct rule_set set;
	FILE *f;

	cr_assert(mkdtemp(base) != NULL);
	snprintf(empty, sizeof(empty), "%s/empty", base);
	snprintf(other, sizeof(other), "%s/other", base);
	cr_assert(eq(int, mkdir(empty, 0700), 0));
	cr_assert(eq(int, mkdir(other, 0700), 0));
	snprintf(file, sizeof(file), "%s/notes.txt", other);
	f = fopen(file, "w");
	cr_assert(f != NULL);
	fclose(f);
	dirs[0] = "/nonexistent/unotifyd";
	dirs[1] = empty;
	dirs[2] = other;
	dirs[3] = NULL;
	rules_init(&set);
	cr_assert(eq(int, rules_load_dropins(&set, dirs, &causes), 0));
	cr_assert(eq(sz, set.n, 0));
	cr_assert(eq(sz, causes.n, 0));
	rules_free(&set);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	cr_assert(eq(int, system(cmd), 0));
}
