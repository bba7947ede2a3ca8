/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: path_normalise() with its documented properties,
 * pattern_check/pattern_match/pattern_prefix on "PATTERN\nPATH", and
 * rules_match + rules_target of the path against a small rule set. */
#include <errno.h>
#include <limits.h>

#include "fuzz.h"
#include "path.h"
#include "pattern.h"
#include "rules.h"
#include "syscalls.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct rule_set rules;

static const char rules_ini[] =
    "[exact]\npath = /etc/app/app.conf\naction = redirect\n"
    "target = /home/fuzz/app.conf\n"
    "[prefix]\npath = /etc/app/conf.d/\naction = redirect\n"
    "target = /home/fuzz/conf.d/\n"
    "[prefix-file]\npath = /srv/one/\naction = redirect\n"
    "target = /home/fuzz/one\n"
    "[glob]\npath = /var/**/cache/*.[ch]\naction = errno\nerrno = EROFS\n"
    "[glob2]\npath = /opt/?a*/**/[!x-z]*\naction = redirect\n"
    "target = /home/fuzz/glob\n"
    "[write]\npath = /etc/\naction = errno\nerrno = EROFS\n"
    "access = write\n"
    "[stat]\npath = /tmp/**\naction = continue\nsyscalls = stat statx\n"
    "[root]\npath = /\naction = redirect\ntarget = /home/fuzz/root/\n";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct causes causes = { 0 };

	(void)argc;
	(void)argv;
	fuzz_env();
	rules_init(&rules);
	if (rules_parse_string(&rules, rules_ini, "fuzz_path", &causes) < 0) {
		causes_print(&causes, stderr);
		abort();
	}
	causes_free(&causes);
	return 0;
}

/* No "//", no "." or ".." component; starts with '/'. */
static int
normalised(const char *p)
{
	const char *c;

	if (p[0] != '/')
		return 0;
	if (strstr(p, "//") != NULL)
		return 0;
	for (c = p; *c != '\0'; c++) {
		if (*c != '/')
			continue;
		if (c[1] == '.' && (c[2] == '/' || c[2] == '\0'))
			return 0;
		if (c[1] == '.' && c[2] == '.' && (c[3] == '/' || c[3] == '\0'))
			return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_string(data, size), *pat = in, *rest;
	char path[PATH_MAX], again[PATH_MAX], out[PATH_MAX];
	const struct rule *r;
	const char *why;
	size_t len;
	int n, id;

	/* "PATTERN\nPATH"; no newline: the whole input is both. */
	rest = strchr(in, '\n');
	if (rest != NULL)
		*rest++ = '\0';
	else
		rest = in;
	/* path_normalise takes an absolute path that fits PATH_MAX. */
	len = strnlen(rest, PATH_MAX - 2);
	path[0] = '/';
	memcpy(path + 1, rest, len);
	path[len + 1] = '\0';
	path_normalise(path);
	FUZZ_ASSERT(strlen(path) <= len + 1, in);
	FUZZ_ASSERT(normalised(path), path);
	memcpy(again, path, strlen(path) + 1);
	path_normalise(again);
	FUZZ_ASSERT(strcmp(again, path) == 0, path);

	if (pattern_check(pat, &why) == 0 && pattern_is_glob(pat))
		(void)pattern_match(pat, path);
	len = strlen(pat);
	if (len > 0 && pat[len - 1] == '/') {
		n = pattern_prefix(pat, path);
		FUZZ_ASSERT(n >= -1 && n <= (int)strlen(path), in);
	}

	id = (unsigned char)(size > 0 ? data[0] : 0) % SYSCALLS_COUNT;
	r = rules_match(&rules, path, id, size > 1 && (data[1] & 1));
	if (r != NULL && r->action == RULE_REDIRECT) {
		n = rules_target(r, path, out, sizeof(out));
		FUZZ_ASSERT(n == 0 || n == -ENAMETOOLONG, path);
		FUZZ_ASSERT(n != 0 || out[0] == '/', path);
	}
	free(in);
	return 0;
}
