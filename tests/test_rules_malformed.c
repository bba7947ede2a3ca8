/* SPDX-License-Identifier: MIT */
/* Hostile rules files: every malformed one is refused with "FILE:LINE:
 * message" on stderr and exit 125 before the command starts (the command
 * would create a marker file); a valid file of 100,000 rules loads fast. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>

#include "e2e.h"

/* How a case's file is made. */
enum bad_gen {
	GEN_TEXT,		/* text, len bytes (may hold NULs) */
	GEN_BINARY,		/* 64 KiB of pseudo-random bytes */
	GEN_LONG_VALUE,		/* a 1 MB value in a rule */
	GEN_LONG_COMMENT,	/* a 1 MB comment line */
	GEN_LONG_SECTION,	/* a 1 MB rule name */
	GEN_LONG_NO_NEWLINE,	/* 1 MB without any newline */
	GEN_MANY_BAD,		/* 1,000 rules, every one broken */
	GEN_DUP_MANY,		/* 2,000 rules, all with the same name */
};

/* Strings inline: criterion copies parameters into a freshly exec'd
 * worker, where pointers into this binary would be stale (ASLR). */
struct bad_case {
	char		 name[32];
	enum bad_gen	 gen;
	char		 text[160];
	size_t		 len;
	unsigned	 line;	/* first "FILE:LINE:" expected; 0: any line */
};

#define TEXT(n, t, l)	{ n, GEN_TEXT, t, sizeof(t) - 1, l }
#define GEN(n, g, l)	{ n, g, "", 0, l }

/* A valid rule to prepend or append. */
#define OK_RULE		"[ok]\npath = /srv/ok\naction = continue\n"

static struct bad_case bad_cases[] = {
	TEXT("empty", "", 1),
	TEXT("blank-lines", "\n\n\n", 0),
	TEXT("comments-only", "; nothing\n# here\n", 0),
	TEXT("whitespace-only", "  \t \n\t\n", 0),
	GEN("binary", GEN_BINARY, 0),
	TEXT("nul-in-value", "[a]\npath = /x\0y\naction = continue\n", 2),
	TEXT("nul-after-rule", OK_RULE "\0", 0),
	TEXT("elf-header", "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0>\0", 1),
	TEXT("truncated-section", "[rule", 1),
	TEXT("truncated-key", OK_RULE "[two]\npath = /b\nact", 6),
	TEXT("truncated-action", "[a]\npath = /x\naction = redir", 3),
	TEXT("truncated-before-action", "[a]\npath = /x\n", 1),
	TEXT("truncated-errno", "[a]\npath = /x\naction = errno\nerrno = EROF",
	    4),
	GEN("1mb-value", GEN_LONG_VALUE, 2),
	GEN("1mb-comment", GEN_LONG_COMMENT, 1),
	GEN("1mb-section", GEN_LONG_SECTION, 1),
	GEN("1mb-no-newline", GEN_LONG_NO_NEWLINE, 1),
	TEXT("duplicate-name", "[a]\npath = /x\naction = continue\n"
	    "[a]\npath = /y\naction = continue\n", 4),
	GEN("duplicate-name-2000", GEN_DUP_MANY, 0),
	TEXT("duplicate-key", "[a]\npath = /x\npath = /y\naction = continue\n",
	    3),
	TEXT("errno-unknown", "[a]\npath = /x\naction = errno\nerrno = EFOO\n",
	    4),
	TEXT("errno-zero", "[a]\npath = /x\naction = errno\nerrno = 0\n", 4),
	TEXT("errno-negative", "[a]\npath = /x\naction = errno\nerrno = -1\n",
	    4),
	TEXT("errno-4096", "[a]\npath = /x\naction = errno\nerrno = 4096\n", 4),
	TEXT("errno-huge", "[a]\npath = /x\naction = errno\n"
	    "errno = 99999999999999999999\n", 4),
	TEXT("errno-trailing", "[a]\npath = /x\naction = errno\nerrno = 13x\n",
	    4),
	TEXT("errno-missing", "[a]\npath = /x\naction = errno\n", 1),
	TEXT("glob-unterminated-class", "[a]\npath = /x/[ab\n"
	    "action = continue\n", 2),
	TEXT("glob-starstar-in-name", "[a]\npath = /x/**b\naction = continue\n",
	    2),
	TEXT("glob-starstar-prefix", "[a]\npath = /x/a**\naction = continue\n",
	    2),
	TEXT("path-relative", "[a]\npath = x/y\naction = continue\n", 2),
	TEXT("path-dot-relative", "[a]\npath = ./x\naction = continue\n", 2),
	TEXT("path-empty", "[a]\npath = \naction = continue\n", 2),
	TEXT("path-missing", "[a]\naction = continue\n", 1),
	TEXT("target-relative", "[a]\npath = /x\naction = redirect\n"
	    "target = rel\n", 4),
	TEXT("target-missing", "[a]\npath = /x\naction = redirect\n", 1),
	TEXT("target-with-continue", "[a]\npath = /x\naction = continue\n"
	    "target = /y\n", 4),
	TEXT("errno-with-continue", "[a]\npath = /x\naction = continue\n"
	    "errno = EROFS\n", 4),
	TEXT("var-undefined", "[a]\npath = ${UNOTIFYD_TEST_UNDEFINED}/x\n"
	    "action = continue\n", 2),
	TEXT("var-unterminated", "[a]\npath = /x/${HOME\naction = continue\n",
	    2),
	TEXT("var-empty-name", "[a]\npath = /x/${}\naction = continue\n", 2),
	TEXT("var-undefined-target", "[a]\npath = /x\naction = redirect\n"
	    "target = ${UNOTIFYD_TEST_UNDEFINED}\n", 4),
	TEXT("user-unknown", "[a]\npath = ~no-such-user-here/x\n"
	    "action = continue\n", 2),
	TEXT("key-outside-section", "path = /x\n" OK_RULE, 1),
	TEXT("unknown-key", "[a]\npath = /x\naction = continue\ncolour = red\n",
	    4),
	TEXT("unknown-action", "[a]\npath = /x\naction = allow\n", 3),
	TEXT("unknown-syscall", "[a]\npath = /x\naction = continue\n"
	    "syscalls = openat mount\n", 4),
	TEXT("unknown-access", "[a]\npath = /x\naction = continue\n"
	    "access = exec\n", 4),
	TEXT("empty-section-name", "[]\npath = /x\naction = continue\n", 1),
	TEXT("text-after-section", "[a] x\npath = /x\naction = continue\n", 1),
	TEXT("missing-equals", "[a]\npath /x\naction = continue\n", 2),
	TEXT("missing-key-name", "[a]\n= /x\npath = /x\naction = continue\n",
	    2),
	TEXT("bad-after-good", OK_RULE "[b]\npath = /y\naction = nope\n", 6),
	GEN("1000-bad-rules", GEN_MANY_BAD, 2),
};

ParameterizedTestParameters(rules_malformed, refused)
{
	return cr_make_param_array(struct bad_case, bad_cases,
	    sizeof(bad_cases) / sizeof(bad_cases[0]));
}

/* Write len bytes to path. */
static void
write_bytes(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	cr_assert(fd >= 0, "open %s: %s", path, strerror(errno));
	while (len > 0) {
		n = write(fd, data, len);
		cr_assert(n > 0, "write %s: %s", path, strerror(errno));
		data += n;
		len -= n;
	}
	close(fd);
}

/* A buffer of the case's content; *len set. */
static char *
make_content(const struct bad_case *c, size_t *len)
{
	const size_t big = 1u << 20;
	unsigned long x = 12345;
	char *buf, *p;
	size_t i;

	switch (c->gen) {
	case GEN_TEXT:
		buf = malloc(c->len + 1);
		cr_assert(buf != NULL);
		memcpy(buf, c->text, c->len);
		*len = c->len;
		return buf;
	case GEN_BINARY:
		*len = 65536;
		buf = malloc(*len);
		cr_assert(buf != NULL);
		for (i = 0; i < *len; i++) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			buf[i] = (char)(x >> 56);
		}
		return buf;
	case GEN_LONG_VALUE:
	case GEN_LONG_COMMENT:
	case GEN_LONG_SECTION:
	case GEN_LONG_NO_NEWLINE:
		buf = malloc(big + 256);
		cr_assert(buf != NULL);
		if (c->gen == GEN_LONG_VALUE)
			p = buf + sprintf(buf, "[a]\npath = /");
		else if (c->gen == GEN_LONG_COMMENT)
			p = buf + sprintf(buf, ";");
		else if (c->gen == GEN_LONG_SECTION)
			p = buf + sprintf(buf, "[");
		else
			p = buf;
		memset(p, 'a', big);
		p += big;
		if (c->gen == GEN_LONG_SECTION)
			*p++ = ']';
		if (c->gen != GEN_LONG_NO_NEWLINE)
			p += sprintf(p, "\naction = continue\n");
		*len = p - buf;
		return buf;
	case GEN_MANY_BAD:
	case GEN_DUP_MANY:
		buf = malloc(2000 * 64);
		cr_assert(buf != NULL);
		p = buf;
		for (i = 0; i < (c->gen == GEN_MANY_BAD ? 1000 : 2000); i++)
			p += c->gen == GEN_MANY_BAD ?
			    sprintf(p, "[r%zu]\npath = rel%zu\n"
			    "action = continue\n", i, i) :
			    sprintf(p, "[same]\npath = /x%zu\n"
			    "action = continue\n", i);
		*len = p - buf;
		return buf;
	}
	cr_fatal("unknown generator");
	return NULL;
}

/* Does text hold a line starting with "file:N: " (N == line, any N if
 * line is 0)? */
static int
has_file_line(const char *text, const char *file, unsigned line)
{
	char pattern[PATH_MAX + 64];
	regex_t re;
	int r;

	/* The temp dir name has no regex metacharacters but '.'. */
	snprintf(pattern, sizeof(pattern), "(^|\n)%s:%s: [^\n]+", file,
	    line ? e2e_fmt("%u", line) : "[0-9]+");
	cr_assert(regcomp(&re, pattern, REG_EXTENDED) == 0);
	r = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return r;
}

/* Run `unotifyd run -r file -- touch marker` and check the refusal. */
static void
check_refused(const char *name, const char *file, unsigned line)
{
	const char *marker = e2e_path("marker");
	struct e2e_result r;

	e2e_run_timeout(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", file, "--",
	    "touch", marker), E2E_ARGV("UNOTIFYD_TEST_UNDEFINED"), e2e_dir(),
	    50000);
	cr_expect(eq(int, r.code, 125), "%s: exit %d, stderr: %.300s", name,
	    r.code, r.err);
	cr_expect(eq(int, e2e_exists(marker), 0), "%s: the command ran", name);
	cr_expect(has_file_line(r.err, file, line),
	    "%s: no '%s:%u:' error on stderr: %.300s", name, file, line,
	    r.err);
	cr_expect(eq(str, r.out, ""), "%s: stdout: %.300s", name, r.out);
	e2e_result_free(&r);
}

ParameterizedTest(struct bad_case *c, rules_malformed, refused,
    .init = e2e_setup_nokernel, .fini = e2e_teardown, .timeout = 60)
{
	const char *file = e2e_path("%s.ini", c->name);
	size_t len;
	char *buf;

	buf = make_content(c, &len);
	write_bytes(file, buf, len);
	free(buf);
	check_refused(c->name, file, c->line);
}

TestSuite(rules_malformed, .init = e2e_setup_nokernel, .fini = e2e_teardown,
    .timeout = 60);

Test(rules_malformed, every_cause_of_1000_bad_rules_reported)
{
	struct bad_case c = GEN("many", GEN_MANY_BAD, 0);
	const char *file = e2e_path("many.ini");
	struct e2e_result r;
	const char *p;
	size_t len;
	char *buf;
	int lines = 0;

	buf = make_content(&c, &len);
	write_bytes(file, buf, len);
	free(buf);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "check", "-r", file), NULL,
	    e2e_dir());
	cr_assert(eq(int, r.code, 1), "stderr: %.300s", r.err);
	for (p = r.err; (p = strstr(p, "is not absolute")) != NULL; p++)
		lines++;
	cr_assert(eq(int, lines, 1000), "stderr: %.300s", r.err);
	e2e_result_free(&r);
}

Test(rules_malformed, special_files_refused_without_hanging)
{
	const char *fifo = e2e_path("fifo.ini"), *dir = e2e_path("d");
	const char *const files[] = { fifo, "/dev/zero", "/dev/null",
	    e2e_path("missing.ini"), NULL };
	const char *marker = e2e_path("marker");
	struct e2e_result r;
	size_t i;

	cr_assert(eq(int, mkfifo(fifo, 0644), 0));
	e2e_mkdir(dir);
	/* A FIFO named *.ini inside a rules directory is skipped, a bad
	 * file next to it still named. */
	cr_assert(eq(int, mkfifo(e2e_path("d/10-fifo.ini"), 0644), 0));
	e2e_write(e2e_path("d/20-bad.ini"), "[a]\npath = x\n"
	    "action = continue\n", 0644);
	for (i = 0; files[i] != NULL; i++) {
		e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", files[i],
		    "--", "touch", marker), NULL, e2e_dir());
		cr_expect(eq(int, r.code, 125), "%s: exit %d: %s", files[i],
		    r.code, r.err);
		cr_expect(e2e_has(r.err, e2e_fmt("%s: ", files[i])) ||
		    e2e_has(r.err, e2e_fmt("%s:1: ", files[i])),
		    "%s: stderr: %s", files[i], r.err);
		e2e_result_free(&r);
	}
	check_refused("dir", e2e_path("d/20-bad.ini"), 2);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", dir, "--", "touch",
	    marker), NULL, e2e_dir());
	cr_expect(eq(int, r.code, 125), "stderr: %s", r.err);
	cr_expect(has_file_line(r.err, e2e_path("d/20-bad.ini"), 2),
	    "stderr: %s", r.err);
	e2e_result_free(&r);
	cr_assert(eq(int, e2e_exists(marker), 0));
}

/* 100,000 valid rules (exact, prefix and glob, a third each): checked and
 * run within seconds, and the command starts. */
Test(rules_malformed, hundred_thousand_rules_load_fast)
{
	const char *file = e2e_path("many.ini"), *marker = e2e_path("marker");
	const int slow = e2e_instrumented();
	struct e2e_result r;
	char *buf, *p;
	int i;

	buf = malloc(100000 * 96);
	cr_assert(buf != NULL);
	for (p = buf, i = 0; i < 100000; i++) {
		if (i % 3 == 0)
			p += sprintf(p, "[r%d]\npath = /srv/many/%d/file\n"
			    "action = redirect\ntarget = /tmp/many/%d\n", i, i, i);
		else if (i % 3 == 1)
			p += sprintf(p, "[r%d]\npath = /srv/many/%d/\n"
			    "action = errno\nerrno = EROFS\naccess = write\n",
			    i, i);
		else
			p += sprintf(p, "[r%d]\npath = /srv/glob/%d/*.conf\n"
			    "action = continue\nsyscalls = openat stat\n", i, i);
	}
	write_bytes(file, buf, p - buf);
	free(buf);
	e2e_run_timeout(&r, E2E_ARGV(e2e_unotifyd(), "check", "-r", file),
	    NULL, e2e_dir(), 50000);
	cr_assert(eq(int, r.code, 0), "stderr: %.300s", r.err);
	cr_assert(e2e_has(r.out, "100000 rules OK"), "stdout: %s", r.out);
	/* ~0.3 s here; 5 s leaves room for a loaded machine. */
	cr_expect(slow || r.elapsed_ms < 5000, "check took %ld ms",
	    r.elapsed_ms);
	e2e_result_free(&r);
	/* Instrumented, the run alone takes about a minute: the rule index
	 * grows its trie one node per realloc, which glibc hides with mremap
	 * but ASan's and memcheck's allocators copy (reported). check is
	 * enough for their leak checks. */
	if (slow)
		return;
	e2e_run_timeout(&r, E2E_ARGV(e2e_unotifyd(), "run", "-r", file, "--",
	    "touch", marker), NULL, e2e_dir(), 50000);
	cr_assert(eq(int, r.code, 0), "stderr: %.300s", r.err);
	cr_assert(e2e_exists(marker));
	cr_expect(slow || r.elapsed_ms < 5000, "run took %ld ms",
	    r.elapsed_ms);
	e2e_result_free(&r);
}
