/* SPDX-License-Identifier: MIT */
/* Unit tests for the rules (supervisor/rules/: rule.c, rules.c, rules_ini.c,
 * rules_load.c): INI parsing and its error causes, --redirect options,
 * directory loading, matching and targets. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND	0
#endif
/* Sanitizers slow parsing down several times: relax the time limit (and
 * TEST_SLOWDOWN for emulation, see slowdown.h). */
#if defined(__SANITIZE_ADDRESS__)
#define SLOWDOWN		(10 * TEST_SLOWDOWN)
#else
#define SLOWDOWN		TEST_SLOWDOWN
#endif

#include "causes.h"
#include "rules.h"
#include "slowdown.h"
#include "syscalls.h"
#include "util.h"

static struct rule_set set;
static struct causes causes;
static char tmpdir[] = "/tmp/unotifyd-rules-XXXXXX";
static int have_tmpdir;

/* Fresh set and causes for every test. */
static void
rules_setup(void)
{
	rules_init(&set);
	memset(&causes, 0, sizeof(causes));
	setenv("HOME", "/home/tester", 1);
}

/* Release everything and remove the scratch directory. */
static void
rules_teardown(void)
{
	char *cmd;

	rules_free(&set);
	causes_free(&causes);
	if (have_tmpdir) {
		xasprintf(&cmd, "rm -rf '%s'", tmpdir);
		(void)!system(cmd);
		free(cmd);
	}
}

TestSuite(rules, .init = rules_setup, .fini = rules_teardown);

/* Parse text as "t.ini". */
static int
parse(const char *text)
{
	return rules_parse_string(&set, text, "t.ini", &causes);
}

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

/* Parse text expecting failure with exactly one cause, msg. */
static void
parse_fails(const char *text, const char *msg)
{
	cr_assert(eq(int, parse(text), -1), "accepted: %s", text);
	cr_assert(eq(int, has_cause(msg), 1), "for: %s", text);
	cr_assert(eq(sz, causes.n, 1), "for: %s", text);
	cr_assert(eq(sz, set.n, 0));
}

/* Create the scratch directory. */
static void
make_tmpdir(void)
{
	cr_assert(ne(ptr, mkdtemp(tmpdir), NULL));
	have_tmpdir = 1;
}

/* Write len bytes to tmpdir/name; returns the path (caller frees). */
static char *
write_file(const char *name, const char *data, size_t len)
{
	char *path;
	FILE *f;

	xasprintf(&path, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	cr_assert(ne(ptr, f, NULL));
	cr_assert(eq(sz, fwrite(data, 1, len, f), len));
	fclose(f);
	return path;
}

Test(rules, exact_redirect)
{
	const struct rule *r;

	cr_assert(eq(int, parse("; comment\n"
	    "[app-config]\n"
	    "path   = /etc/app/app.conf\n"
	    "action = redirect\n"
	    "target = ~/src/app/app.conf\n"), 0));
	cr_assert(eq(sz, causes.n, 0));
	cr_assert(eq(sz, set.n, 1));
	r = &set.v[0];
	cr_assert(eq(str, r->name, "app-config"));
	cr_assert(eq(str, r->file, "t.ini"));
	cr_assert(eq(u32, r->line, 2));
	cr_assert(eq(str, r->path, "/etc/app/app.conf"));
	cr_assert(eq(int, r->match, RULE_EXACT));
	cr_assert(eq(int, r->action, RULE_REDIRECT));
	cr_assert(eq(str, r->target, "/home/tester/src/app/app.conf"));
	cr_assert(eq(int, r->target_dir, 0));
	cr_assert(eq(u64, r->syscalls, SYSCALLS_ALL));
	cr_assert(eq(int, r->access, RULE_ACCESS_ANY));
}

Test(rules, prefix_redirect)
{
	cr_assert(eq(int, parse("[p]\npath = /data/\naction = redirect\n"
	    "target = /srv/data\n"), 0));
	cr_assert(eq(sz, set.n, 1));
	cr_assert(eq(int, set.v[0].match, RULE_PREFIX));
	cr_assert(eq(int, set.v[0].target_dir, 1));
	cr_assert(eq(str, set.v[0].path, "/data/"));
}

Test(rules, root_prefix)
{
	cr_assert(eq(int, parse("[all]\npath = /\naction = continue\n"), 0));
	cr_assert(eq(int, set.v[0].match, RULE_PREFIX));
	cr_assert(ne(ptr, (void *)rules_match(&set, "/any/thing",
	    SYSCALLS_OPEN, 0), NULL));
}

Test(rules, glob_rule)
{
	cr_assert(eq(int, parse("[g]\npath = /home/*/.config/**/*.conf\n"
	    "action = errno\nerrno = EACCES\n"), 0));
	cr_assert(eq(int, set.v[0].match, RULE_GLOB));
	cr_assert(eq(int, set.v[0].action, RULE_ERRNO));
	cr_assert(eq(int, set.v[0].err, EACCES));
	cr_assert(eq(ptr, set.v[0].target, NULL));
}

Test(rules, errno_values)
{
	cr_assert(eq(int, parse("[a]\npath=/a\naction=errno\nerrno=ENOENT\n"
	    "[b]\npath=/b\naction=errno\nerrno=13\n"
	    "[c]\npath=/c\naction=errno\nerrno=4095\n"
	    "[d]\npath=/d\naction=errno\nerrno=EWOULDBLOCK\n"
	    "[e]\npath=/e\naction=errno\nerrno=EHWPOISON\n"), 0));
	cr_assert(eq(sz, set.n, 5));
	cr_assert(eq(int, set.v[0].err, ENOENT));
	cr_assert(eq(int, set.v[1].err, 13));
	cr_assert(eq(int, set.v[2].err, 4095));
	cr_assert(eq(int, set.v[3].err, EAGAIN));
	cr_assert(eq(int, set.v[4].err, EHWPOISON));
}

Test(rules, bad_errno)
{
	parse_fails("[a]\npath=/a\naction=errno\nerrno=EFOO\n",
	    "t.ini:4: unknown errno 'EFOO'");
}

Test(rules, errno_out_of_range)
{
	cr_assert(eq(int, parse("[a]\npath=/a\naction=errno\nerrno=0\n"
	    "[b]\npath=/b\naction=errno\nerrno=4096\n"
	    "[c]\npath=/c\naction=errno\nerrno=12x\n"
	    "[d]\npath=/d\naction=errno\nerrno=eacces\n"), -1));
	cr_assert(eq(int, has_cause("t.ini:4: unknown errno '0'"), 1));
	cr_assert(eq(int, has_cause("t.ini:8: unknown errno '4096'"), 1));
	cr_assert(eq(int, has_cause("t.ini:12: unknown errno '12x'"), 1));
	cr_assert(eq(int, has_cause("t.ini:16: unknown errno 'eacces'"), 1));
	cr_assert(eq(sz, causes.n, 4));
	cr_assert(eq(sz, set.n, 0));
}

Test(rules, continue_rule)
{
	cr_assert(eq(int, parse("[c]\npath=/x\naction=continue\n"), 0));
	cr_assert(eq(int, set.v[0].action, RULE_CONTINUE));
}

Test(rules, syscalls_list)
{
	cr_assert(eq(int, parse("[a]\npath=/a\naction=errno\nerrno=EIO\n"
	    "syscalls = open openat\n"
	    "[b]\npath=/b\naction=errno\nerrno=EIO\nsyscalls = creat,openat2\n"
	    "[c]\npath=/c\naction=continue\nsyscalls = open ,\topenat\n"),
	    0));
	cr_assert(eq(u64, set.v[0].syscalls, SYSCALLS_MASK(SYSCALLS_OPEN) |
	    SYSCALLS_MASK(SYSCALLS_OPENAT)));
	cr_assert(eq(u64, set.v[1].syscalls, SYSCALLS_MASK(SYSCALLS_CREAT) |
	    SYSCALLS_MASK(SYSCALLS_OPENAT2)));
	cr_assert(eq(u64, set.v[2].syscalls, set.v[0].syscalls));
	/* Any rule refuses io_uring, which would bypass it. */
	cr_assert(eq(u64, rules_syscalls(&set), SYSCALLS_MASK(SYSCALLS_OPEN) |
	    SYSCALLS_MASK(SYSCALLS_OPENAT) | SYSCALLS_MASK(SYSCALLS_OPENAT2) |
	    SYSCALLS_MASK(SYSCALLS_CREAT) | SYSCALLS_MASK(SYSCALLS_IO_URING)));
}

Test(rules, syscalls_union)
{
	cr_assert(eq(int, parse("[a]\npath=/a\naction=errno\nerrno=EIO\n"
	    "syscalls = open\n"
	    "[b]\npath=/b\naction=redirect\ntarget=/t\nsyscalls = creat\n"
	    "[c]\npath=/c\naction=continue\nsyscalls = stat\n"), 0));
	/* Continue rules only shadow later rules: they need nothing. A
	 * redirect needs getcwd (its cwd may lie in the destination). */
	cr_assert(eq(u64, rules_syscalls(&set), SYSCALLS_MASK(SYSCALLS_OPEN) |
	    SYSCALLS_MASK(SYSCALLS_CREAT) | SYSCALLS_MASK(SYSCALLS_GETCWD) |
	    SYSCALLS_MASK(SYSCALLS_IO_URING)));
	rules_free(&set);
	cr_assert(eq(u64, rules_syscalls(&set), 0));
}

Test(rules, unknown_syscall)
{
	cr_assert(eq(int, parse("[a]\npath=/a\naction=continue\n"
	    "syscalls = open, read, frobnicate\n"), -1));
	/* A real syscall that rules cannot name is not "unknown". */
	cr_assert(eq(int, has_cause("t.ini:4: syscall 'read' is not handled "
	    "by unotifyd (unotifyd.rules(5) lists those it handles)"), 1));
	cr_assert(eq(int, has_cause("t.ini:4: unknown syscall 'frobnicate'"),
	    1));
	cr_assert(eq(sz, causes.n, 2));
	cr_assert(eq(sz, set.n, 0));
}

Test(rules, empty_syscalls_list)
{
	parse_fails("[a]\npath=/a\naction=continue\nsyscalls = , ,\n",
	    "t.ini:4: no syscall names in ', ,'");
}

Test(rules, access_values)
{
	cr_assert(eq(int, parse("[a]\npath=/a\naction=continue\naccess=read\n"
	    "[b]\npath=/b\naction=continue\naccess=write\n"
	    "[c]\npath=/c\naction=continue\naccess=any\n"), 0));
	cr_assert(eq(int, set.v[0].access, RULE_ACCESS_READ));
	cr_assert(eq(int, set.v[1].access, RULE_ACCESS_WRITE));
	cr_assert(eq(int, set.v[2].access, RULE_ACCESS_ANY));
}

Test(rules, bad_access)
{
	parse_fails("[a]\npath=/a\naction=continue\naccess=rw\n",
	    "t.ini:4: unknown access 'rw' (expected any, read or write)");
}

Test(rules, bad_action)
{
	parse_fails("[a]\npath=/a\naction=deny\n",
	    "t.ini:3: unknown action 'deny' (expected redirect, errno or "
	    "continue)");
}

Test(rules, missing_path)
{
	parse_fails("\n[a]\naction=continue\n", "t.ini:2: missing 'path'");
}

Test(rules, missing_action)
{
	parse_fails("[a]\npath=/a\n", "t.ini:1: missing 'action'");
}

Test(rules, empty_section)
{
	cr_assert(eq(int, parse("[a]\n[b]\npath=/b\naction=continue\n"), -1));
	cr_assert(eq(int, has_cause("t.ini:1: missing 'path'"), 1));
	cr_assert(eq(int, has_cause("t.ini:1: missing 'action'"), 1));
	cr_assert(eq(sz, causes.n, 2));
	cr_assert(eq(sz, set.n, 1));
	cr_assert(eq(str, set.v[0].name, "b"));
}

Test(rules, redirect_needs_target)
{
	parse_fails("[a]\npath=/a\naction=redirect\n",
	    "t.ini:1: action redirect needs 'target'");
}

Test(rules, redirect_forbids_errno)
{
	parse_fails("[a]\npath=/a\naction=redirect\ntarget=/b\nerrno=EPERM\n",
	    "t.ini:5: 'errno' not allowed with action redirect");
}

Test(rules, errno_needs_errno)
{
	parse_fails("[a]\npath=/a\naction=errno\n",
	    "t.ini:1: action errno needs 'errno'");
}

Test(rules, errno_forbids_target)
{
	parse_fails("[a]\npath=/a\ntarget=/b\naction=errno\nerrno=EPERM\n",
	    "t.ini:3: 'target' not allowed with action errno");
}

Test(rules, continue_forbids_both)
{
	cr_assert(eq(int, parse("[a]\npath=/a\naction=continue\ntarget=/b\n"
	    "errno=EPERM\n"), -1));
	cr_assert(eq(int, has_cause("t.ini:4: 'target' not allowed with "
	    "action continue"), 1));
	cr_assert(eq(int, has_cause("t.ini:5: 'errno' not allowed with "
	    "action continue"), 1));
	cr_assert(eq(sz, causes.n, 2));
}

Test(rules, unknown_key)
{
	parse_fails("[a]\npath=/a\naction=continue\nmode=0644\n",
	    "t.ini:4: unknown key 'mode'");
}

Test(rules, keys_are_case_sensitive)
{
	parse_fails("[a]\npath=/a\naction=continue\nPath=/b\n",
	    "t.ini:4: unknown key 'Path'");
}

Test(rules, duplicate_key)
{
	parse_fails("[a]\npath=/a\naction=continue\npath=/b\n",
	    "t.ini:4: duplicate key 'path' (first at line 2)");
}

Test(rules, key_before_section)
{
	cr_assert(eq(int, parse("path=/a\n[a]\npath=/a\naction=continue\n"),
	    -1));
	cr_assert(eq(int, has_cause("t.ini:1: 'path' outside of a rule "
	    "section"), 1));
	cr_assert(eq(sz, causes.n, 1));
	cr_assert(eq(sz, set.n, 1));
}

Test(rules, empty_value)
{
	parse_fails("[a]\npath=\naction=continue\n",
	    "t.ini:2: empty value for 'path'");
}

Test(rules, empty_key_name)
{
	parse_fails("[a]\npath=/a\naction=continue\n= x\n",
	    "t.ini:4: missing key name");
}

Test(rules, duplicate_rule_name)
{
	cr_assert(eq(int, parse("[a]\npath=/a\naction=continue\n\n"
	    "[a]\npath=/b\naction=continue\n"), -1));
	cr_assert(eq(int, has_cause("t.ini:5: duplicate rule name 'a' "
	    "(first at t.ini:1)"), 1));
	cr_assert(eq(sz, causes.n, 1));
	cr_assert(eq(sz, set.n, 1));
	cr_assert(eq(str, set.v[0].path, "/a"));
}

Test(rules, duplicate_rule_name_across_calls)
{
	cr_assert(eq(int, parse("[a]\npath=/a\naction=continue\n"), 0));
	cr_assert(eq(int, rules_parse_string(&set, "[b]\npath=/b\n"
	    "action=continue\n[a]\npath=/c\naction=continue\n", "u.ini",
	    &causes), -1));
	cr_assert(eq(int, has_cause("u.ini:4: duplicate rule name 'a' "
	    "(first at t.ini:1)"), 1));
	cr_assert(eq(sz, set.n, 2));
	cr_assert(eq(str, set.v[1].name, "b"));
}

Test(rules, invalid_rule_does_not_claim_name)
{
	cr_assert(eq(int, parse("[a]\npath=a\naction=continue\n"
	    "[a]\npath=/a\naction=continue\n"), -1));
	cr_assert(eq(sz, causes.n, 1));
	cr_assert(eq(int, has_cause("t.ini:2: path 'a' is not absolute"), 1));
	cr_assert(eq(sz, set.n, 1));
}

Test(rules, every_error_reported)
{
	cr_assert(eq(int, parse("[ok1]\npath=/ok1\naction=continue\n"
	    "[bad1]\npath=/x\naction=nope\n"
	    "[ok2]\npath=/ok2\naction=continue\n"
	    "junk line\n"
	    "[bad2]\naction=continue\n"
	    "[bad3]\npath=/y\naction=continue\naccess=sometimes\n"), -1));
	cr_assert(eq(int, has_cause("t.ini:6: unknown action 'nope' "
	    "(expected redirect, errno or continue)"), 1));
	cr_assert(eq(int, has_cause("t.ini:10: expected 'key = value' or "
	    "'[rule]'"), 1));
	cr_assert(eq(int, has_cause("t.ini:11: missing 'path'"), 1));
	cr_assert(eq(int, has_cause("t.ini:16: unknown access 'sometimes' "
	    "(expected any, read or write)"), 1));
	cr_assert(eq(sz, causes.n, 4));
	/* ok2 holds the junk line, so it is dropped too. */
	cr_assert(eq(sz, set.n, 1));
	cr_assert(eq(str, set.v[0].name, "ok1"));
}

Test(rules, unterminated_section)
{
	cr_assert(eq(int, parse("[a\npath=/a\naction=continue\n"
	    "[b]\npath=/b\naction=continue\n"), -1));
	cr_assert(eq(int, has_cause("t.ini:1: expected ']'"), 1));
	/* Keys under a broken header belong to no rule but are not errors. */
	cr_assert(eq(sz, causes.n, 1));
	cr_assert(eq(sz, set.n, 1));
	cr_assert(eq(str, set.v[0].name, "b"));
}

Test(rules, section_header_comment_before_bracket)
{
	parse_fails("[a ;]\npath=/a\naction=continue\n",
	    "t.ini:1: expected ']'");
}

Test(rules, text_after_section)
{
	parse_fails("[a] b\npath=/a\naction=continue\n",
	    "t.ini:1: unexpected text after ']'");
}

Test(rules, comment_after_section)
{
	cr_assert(eq(int, parse("[ spaced name ] ; comment\npath=/a\n"
	    "action=continue\n"), 0));
	cr_assert(eq(str, set.v[0].name, "spaced name"));
}

Test(rules, empty_section_name)
{
	parse_fails("[ ]\npath=/a\naction=continue\n",
	    "t.ini:1: empty rule name");
}

Test(rules, long_section_name)
{
	char text[512], name[160];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(text, sizeof(text), "[%s]\npath=/a\naction=continue\n", name);
	cr_assert(eq(int, parse(text), 0));
	cr_assert(eq(str, set.v[0].name, name));
}

Test(rules, line_without_equals)
{
	parse_fails("[a]\npath=/a\naction=continue\nfoo\n",
	    "t.ini:4: expected 'key = value' or '[rule]'");
}

Test(rules, colon_separator_and_comments)
{
	cr_assert(eq(int, parse("# hash comment\n; semicolon comment\n"
	    "[a]\npath: /a;b ; inline comment\naction = continue\n"), 0));
	cr_assert(eq(str, set.v[0].path, "/a;b"));
}

Test(rules, indented_lines_are_not_continuations)
{
	cr_assert(eq(int, parse("  [a]\n\tpath = /a\n   action = redirect\n"
	    "    target = /b\n"), 0));
	cr_assert(eq(str, set.v[0].target, "/b"));
}

Test(rules, crlf_and_bom)
{
	cr_assert(eq(int, parse("\xef\xbb\xbf[a]\r\npath = /a\r\n"
	    "action = continue\r\n"), 0));
	cr_assert(eq(str, set.v[0].name, "a"));
	cr_assert(eq(str, set.v[0].path, "/a"));
}

Test(rules, no_trailing_newline)
{
	cr_assert(eq(int, parse("[a]\npath=/a\naction=continue"), 0));
	cr_assert(eq(sz, set.n, 1));
}

Test(rules, empty_text)
{
	parse_fails("", "t.ini:1: no rules");
}

Test(rules, only_comments)
{
	parse_fails("; nothing\n\n# here\n", "t.ini:1: no rules");
}

Test(rules, line_length_limit)
{
	char text[600], path[256];
	size_t plen;

	/* "path = " is 7 characters: a 198-character line fits... */
	plen = 198 - 7;
	path[0] = '/';
	memset(path + 1, 'p', plen - 1);
	path[plen] = '\0';
	snprintf(text, sizeof(text), "[a]\npath = %s\naction=continue\n",
	    path);
	cr_assert(eq(int, parse(text), 0));
	cr_assert(eq(str, set.v[0].path, path));

	/* ...199 do not. */
	rules_free(&set);
	path[plen] = 'p';
	path[plen + 1] = '\0';
	snprintf(text, sizeof(text), "[a]\npath = %s\naction=continue\n",
	    path);
	cr_assert(eq(int, parse(text), -1));
	cr_assert(eq(int, has_cause("t.ini:2: line too long (at most 198 "
	    "characters)"), 1));
	cr_assert(eq(int, has_cause("t.ini:1: missing 'path'"), 1));
	cr_assert(eq(sz, causes.n, 2));
	cr_assert(eq(sz, set.n, 0));
}

Test(rules, megabyte_line, .timeout = TEST_LIMIT(5))
{
	size_t n = 1 << 20;
	char *text = xmalloc(n + 100);
	int len;

	len = sprintf(text, "[a]\npath = /");
	memset(text + len, 'x', n);
	strcpy(text + len + n, "\naction=continue\n[b]\npath=/b\n"
	    "action=continue\n");
	cr_assert(eq(int, parse(text), -1));
	free(text);
	cr_assert(eq(int, has_cause("t.ini:2: line too long (at most 198 "
	    "characters)"), 1));
	cr_assert(eq(sz, set.n, 1));
	cr_assert(eq(str, set.v[0].name, "b"));
	cr_assert(eq(u32, set.v[0].line, 4));
}

Test(rules, binary_data)
{
	static const char data[] = "[a]\npath=/a\naction=continue\n"
	    "\x7f" "ELF\0\0\0\n[b]\npath=/b\naction=continue\n";
	cleanup_free char *path = NULL;
	char *want;

	make_tmpdir();
	path = write_file("bin.ini", data, sizeof(data) - 1);
	cr_assert(eq(int, rules_load(&set, path, &causes), -1));
	xasprintf(&want, "%s:4: binary data", path);
	cr_assert(eq(int, has_cause(want), 1));
	free(want);
	cr_assert(eq(sz, causes.n, 1));
	cr_assert(eq(sz, set.n, 0));
}

Test(rules, path_expansion)
{
	setenv("UNOTIFYD_TEST_DIR", "/opt/x", 1);
	cr_assert(eq(int, parse("[a]\npath = ${UNOTIFYD_TEST_DIR}/y\n"
	    "action = redirect\ntarget = ~/y\n"
	    "[b]\npath = ~/cfg/\naction = redirect\n"
	    "target = ${HOME}/other/\n"), 0));
	cr_assert(eq(str, set.v[0].path, "/opt/x/y"));
	cr_assert(eq(str, set.v[0].target, "/home/tester/y"));
	cr_assert(eq(str, set.v[1].path, "/home/tester/cfg/"));
	cr_assert(eq(int, set.v[1].match, RULE_PREFIX));
	cr_assert(eq(str, set.v[1].target, "/home/tester/other/"));
}

Test(rules, undefined_variable)
{
	unsetenv("UNOTIFYD_TEST_UNSET");
	parse_fails("[a]\npath = ${UNOTIFYD_TEST_UNSET}/y\naction=continue\n",
	    "t.ini:2: path '${UNOTIFYD_TEST_UNSET}/y': undefined variable");
}

Test(rules, unterminated_variable)
{
	parse_fails("[a]\npath = /a\naction=redirect\ntarget = ${HOME/x\n",
	    "t.ini:4: target '${HOME/x': unterminated ${");
}

Test(rules, home_unset)
{
	unsetenv("HOME");
	parse_fails("[a]\npath = ~/a\naction=continue\n",
	    "t.ini:2: path '~/a': HOME is not set");
}

Test(rules, unknown_user)
{
	parse_fails("[a]\npath = ~no_such_user_unotifyd/a\naction=continue\n",
	    "t.ini:2: path '~no_such_user_unotifyd/a': unknown user");
}

Test(rules, relative_path)
{
	parse_fails("[a]\npath = etc/passwd\naction=continue\n",
	    "t.ini:2: path 'etc/passwd' is not absolute");
}

Test(rules, relative_target)
{
	parse_fails("[a]\npath = /a\naction=redirect\ntarget = b\n",
	    "t.ini:4: target 'b' is not absolute");
}

Test(rules, dot_components)
{
	cr_assert(eq(int, parse("[a]\npath = /a/../b\naction=continue\n"
	    "[b]\npath = /a/./b\naction=continue\n"
	    "[c]\npath = /a/.\naction=continue\n"
	    "[d]\npath = /a/.hidden/..x\naction=continue\n"), -1));
	cr_assert(eq(int, has_cause("t.ini:2: path '/a/../b' has a '.' or "
	    "'..' component"), 1));
	cr_assert(eq(int, has_cause("t.ini:5: path '/a/./b' has a '.' or "
	    "'..' component"), 1));
	cr_assert(eq(int, has_cause("t.ini:8: path '/a/.' has a '.' or "
	    "'..' component"), 1));
	cr_assert(eq(sz, causes.n, 3));
	cr_assert(eq(sz, set.n, 1));
	cr_assert(eq(str, set.v[0].path, "/a/.hidden/..x"));
}

Test(rules, repeated_slashes_collapsed)
{
	cr_assert(eq(int, parse("[a]\npath = //a//b//\naction=continue\n"), 0));
	cr_assert(eq(str, set.v[0].path, "/a/b/"));
	cr_assert(eq(int, set.v[0].match, RULE_PREFIX));
}

Test(rules, prefix_with_glob)
{
	parse_fails("[a]\npath = /a/*/\naction=continue\n",
	    "t.ini:2: prefix path '/a/*/' may not contain glob characters");
}

Test(rules, escaped_glob_prefix)
{
	cr_assert(eq(int, parse("[a]\npath = /a/\\*/\naction=continue\n"), 0));
	cr_assert(eq(int, set.v[0].match, RULE_PREFIX));
}

Test(rules, bad_globs)
{
	cr_assert(eq(int, parse("[a]\npath = /a/[bc\naction=continue\n"
	    "[b]\npath = /a/x**\naction=continue\n"
	    "[c]\npath = /a/[b/c]\naction=continue\n"
	    "[d]\npath = /a/b*\\\naction=continue\n"), -1));
	cr_assert(eq(int, has_cause("t.ini:2: path '/a/[bc': unterminated "
	    "'['"), 1));
	cr_assert(eq(int, has_cause("t.ini:5: path '/a/x**': '**' must be a "
	    "whole path component"), 1));
	cr_assert(eq(int, has_cause("t.ini:8: path '/a/[b/c]': '/' inside "
	    "brackets"), 1));
	cr_assert(eq(int, has_cause("t.ini:11: path '/a/b*\\': trailing "
	    "backslash"), 1));
	cr_assert(eq(sz, causes.n, 4));
}

Test(rules, good_globstars)
{
	cr_assert(eq(int, parse("[a]\npath = /a/**/b\naction=continue\n"
	    "[b]\npath = /a/**\naction=continue\n"
	    "[c]\npath = /**/x\naction=continue\n"), 0));
	cr_assert(eq(sz, set.n, 3));
}

Test(rules, first_match_wins)
{
	const struct rule *r;

	cr_assert(eq(int, parse("[specific]\npath=/etc/app/a.conf\n"
	    "action=errno\nerrno=EPERM\n"
	    "[dir]\npath=/etc/app/\naction=redirect\ntarget=/srv/app\n"
	    "[glob]\npath=/etc/**\naction=continue\n"), 0));
	r = rules_match(&set, "/etc/app/a.conf", SYSCALLS_OPENAT, 0);
	cr_assert(eq(str, r->name, "specific"));
	r = rules_match(&set, "/etc/app/b.conf", SYSCALLS_OPENAT, 0);
	cr_assert(eq(str, r->name, "dir"));
	r = rules_match(&set, "/etc/app", SYSCALLS_OPENAT, 0);
	cr_assert(eq(str, r->name, "dir"));
	r = rules_match(&set, "/etc/apps", SYSCALLS_OPENAT, 0);
	cr_assert(eq(str, r->name, "glob"));
	cr_assert(eq(ptr, (void *)rules_match(&set, "/usr/x", SYSCALLS_OPEN,
	    0), NULL));
}

Test(rules, match_filters)
{
	const struct rule *r;

	cr_assert(eq(int, parse("[w]\npath=/f\naction=errno\nerrno=EROFS\n"
	    "access=write\n"
	    "[r]\npath=/f\naction=redirect\ntarget=/g\naccess=read\n"
	    "syscalls=openat\n"
	    "[any]\npath=/f\naction=continue\n"), 0));
	r = rules_match(&set, "/f", SYSCALLS_OPEN, 1);
	cr_assert(eq(str, r->name, "w"));
	r = rules_match(&set, "/f", SYSCALLS_OPENAT, 0);
	cr_assert(eq(str, r->name, "r"));
	/* read-only rule limited to openat: open falls through. */
	r = rules_match(&set, "/f", SYSCALLS_OPEN, 0);
	cr_assert(eq(str, r->name, "any"));
	cr_assert(eq(ptr, (void *)rules_match(&set, "/f", -1, 0), NULL));
	cr_assert(eq(ptr, (void *)rules_match(&set, "/f", SYSCALLS_COUNT, 0),
	    NULL));
}

Test(rules, match_exact_is_exact)
{
	cr_assert(eq(int, parse("[a]\npath=/a/b\naction=continue\n"), 0));
	cr_assert(ne(ptr, (void *)rules_match(&set, "/a/b", SYSCALLS_OPEN, 0),
	    NULL));
	cr_assert(eq(ptr, (void *)rules_match(&set, "/a/b/c", SYSCALLS_OPEN,
	    0), NULL));
	cr_assert(eq(ptr, (void *)rules_match(&set, "/a/bc", SYSCALLS_OPEN,
	    0), NULL));
	cr_assert(eq(ptr, (void *)rules_match(&set, "/a", SYSCALLS_OPEN, 0),
	    NULL));
}

Test(rules, match_prefix_boundary)
{
	cr_assert(eq(int, parse("[a]\npath=/a/\naction=continue\n"), 0));
	cr_assert(ne(ptr, (void *)rules_match(&set, "/a", SYSCALLS_OPEN, 0),
	    NULL));
	cr_assert(ne(ptr, (void *)rules_match(&set, "/a/x/y", SYSCALLS_OPEN,
	    0), NULL));
	cr_assert(eq(ptr, (void *)rules_match(&set, "/ab", SYSCALLS_OPEN, 0),
	    NULL));
}

Test(rules, match_glob)
{
	cr_assert(eq(int, parse("[a]\npath=/home/*/.ssh/id_*\n"
	    "action=errno\nerrno=EACCES\n"), 0));
	cr_assert(ne(ptr, (void *)rules_match(&set, "/home/u/.ssh/id_rsa",
	    SYSCALLS_OPEN, 0), NULL));
	cr_assert(eq(ptr, (void *)rules_match(&set, "/home/u/v/.ssh/id_rsa",
	    SYSCALLS_OPEN, 0), NULL));
}

/* rules_target for path under the first rule of set, into a big buffer. */
static const char *
target_of(const char *path)
{
	static char out[4096];

	cr_assert(eq(int, rules_target(&set.v[0], path, out, sizeof(out)),
	    0), "rules_target(%s)", path);
	return out;
}

Test(rules, target_exact_and_glob)
{
	cr_assert(eq(int, parse("[a]\npath=/a/*.c\naction=redirect\n"
	    "target=/b/file\n"), 0));
	cr_assert(eq(str, (char *)target_of("/a/x.c"), "/b/file"));
}

Test(rules, target_prefix_dir)
{
	cr_assert(eq(int, parse("[a]\npath=/a/\naction=redirect\n"
	    "target=/b\n"), 0));
	cr_assert(eq(str, (char *)target_of("/a/x/y"), "/b/x/y"));
	cr_assert(eq(str, (char *)target_of("/a"), "/b"));
	cr_assert(eq(str, (char *)target_of("/a/"), "/b"));
}

Test(rules, target_prefix_dir_slash)
{
	cr_assert(eq(int, parse("[a]\npath=/a/\naction=redirect\n"
	    "target=/b//\n"), 0));
	cr_assert(eq(str, (char *)target_of("/a/x/y"), "/b/x/y"));
	cr_assert(eq(str, (char *)target_of("/a"), "/b"));
	cr_assert(eq(str, (char *)target_of("/a/"), "/b"));
}

Test(rules, target_prefix_root)
{
	cr_assert(eq(int, parse("[a]\npath=/a/\naction=redirect\n"
	    "target=/\n[b]\npath=/\naction=redirect\ntarget=/jail/\n"), 0));
	cr_assert(eq(str, (char *)target_of("/a/x"), "/x"));
	cr_assert(eq(str, (char *)target_of("/a"), "/"));
	rules_free(&set);
	cr_assert(eq(int, rules_add_redirect(&set, "/=/jail/", "--redirect",
	    &causes), 0));
	cr_assert(eq(str, (char *)target_of("/etc/passwd"),
	    "/jail/etc/passwd"));
	cr_assert(eq(str, (char *)target_of("/"), "/jail"));
}

Test(rules, target_prefix_file)
{
	struct rule *r;
	char out[64];

	r = rules_append(&set);
	r->name = xstrdup("cc");
	r->file = xstrdup("COPYCAT");
	r->path = xstrdup("/a/");
	r->match = RULE_PREFIX;
	r->action = RULE_REDIRECT;
	r->target = xstrdup("/one/file");
	r->target_dir = 0;
	cr_assert(eq(int, rules_target(r, "/a/x/y", out, sizeof(out)), 0));
	cr_assert(eq(str, out, "/one/file"));
}

Test(rules, target_too_long)
{
	char out[16];

	cr_assert(eq(int, parse("[a]\npath=/a/\naction=redirect\n"
	    "target=/b\n[e]\npath=/e\naction=redirect\n"
	    "target=/0123456789abcd\n"), 0));
	/* "/b/0123456789ab" is 15 characters: fits with its NUL. */
	cr_assert(eq(int, rules_target(&set.v[0], "/a/0123456789ab", out,
	    sizeof(out)), 0));
	cr_assert(eq(str, out, "/b/0123456789ab"));
	cr_assert(eq(int, rules_target(&set.v[0], "/a/0123456789abc", out,
	    sizeof(out)), -ENAMETOOLONG));
	cr_assert(eq(int, rules_target(&set.v[1], "/e", out, 16), 0));
	cr_assert(eq(int, rules_target(&set.v[1], "/e", out, 15),
	    -ENAMETOOLONG));
	cr_assert(eq(int, rules_target(&set.v[1], "/e", out, 0),
	    -ENAMETOOLONG));
}

Test(rules, target_without_redirect)
{
	char out[16];

	cr_assert(eq(int, parse("[a]\npath=/a/\naction=continue\n"), 0));
	cr_assert(eq(int, rules_target(&set.v[0], "/a/x", out, sizeof(out)),
	    -EINVAL));
}

Test(rules, redirect_option_file)
{
	cr_assert(eq(int, rules_add_redirect(&set, "/etc/a.conf=~/a.conf",
	    "--redirect", &causes), 0));
	cr_assert(eq(sz, set.n, 1));
	cr_assert(eq(str, set.v[0].name, "redirect:/etc/a.conf"));
	cr_assert(eq(int, set.v[0].match, RULE_EXACT));
	cr_assert(eq(int, set.v[0].action, RULE_REDIRECT));
	cr_assert(eq(str, set.v[0].target, "/home/tester/a.conf"));
	cr_assert(eq(int, set.v[0].target_dir, 0));
	cr_assert(eq(u64, set.v[0].syscalls, SYSCALLS_ALL));
}

Test(rules, redirect_option_prefix)
{
	cr_assert(eq(int, rules_add_redirect(&set, "/etc/app/=/tmp/app=x",
	    "--redirect", &causes), 0));
	cr_assert(eq(int, set.v[0].match, RULE_PREFIX));
	cr_assert(eq(int, set.v[0].target_dir, 1));
	cr_assert(eq(str, set.v[0].target, "/tmp/app=x"));
	cr_assert(eq(str, (char *)target_of("/etc/app/x"), "/tmp/app=x/x"));
}

Test(rules, redirect_option_glob)
{
	cr_assert(eq(int, rules_add_redirect(&set, "/etc/*.conf=/tmp/c",
	    "--redirect", &causes), 0));
	cr_assert(eq(int, set.v[0].match, RULE_GLOB));
}

Test(rules, redirect_option_errors)
{
	cr_assert(eq(int, rules_add_redirect(&set, "/etc/a", "--redirect",
	    &causes), -1));
	cr_assert(eq(int, has_cause("--redirect '/etc/a': expected SRC=DST"),
	    1));
	cr_assert(eq(int, rules_add_redirect(&set, "=/b", "--redirect",
	    &causes), -1));
	cr_assert(eq(int, has_cause("--redirect '=/b': empty SRC"), 1));
	cr_assert(eq(int, rules_add_redirect(&set, "/a=", "--redirect",
	    &causes), -1));
	cr_assert(eq(int, has_cause("--redirect '/a=': empty DST"), 1));
	cr_assert(eq(int, rules_add_redirect(&set, "a=b", "--redirect",
	    &causes), -1));
	cr_assert(eq(int, has_cause("--redirect 'a=b': path 'a' is not "
	    "absolute"), 1));
	cr_assert(eq(int, has_cause("--redirect 'a=b': target 'b' is not "
	    "absolute"), 1));
	cr_assert(eq(int, rules_add_redirect(&set, "/a/[x=/b", "--redirect",
	    &causes), -1));
	cr_assert(eq(int, has_cause("--redirect '/a/[x=/b': path '/a/[x': "
	    "unterminated '['"), 1));
	cr_assert(eq(sz, causes.n, 6));
	cr_assert(eq(sz, set.n, 0));
}

Test(rules, redirect_option_duplicate)
{
	cr_assert(eq(int, rules_add_redirect(&set, "/a=/b", "--redirect",
	    &causes), 0));
	cr_assert(eq(int, rules_add_redirect(&set, "//a=/c", "--redirect",
	    &causes), -1));
	cr_assert(eq(int, has_cause("--redirect '//a=/c': duplicate rule name "
	    "'redirect:/a' (first at --redirect '/a=/b')"), 1));
	cr_assert(eq(sz, set.n, 1));
}

Test(rules, load_missing_file)
{
	cr_assert(eq(int, rules_load(&set, "/nonexistent/unotifyd.ini",
	    &causes), -1));
	cr_assert(eq(int, has_cause("/nonexistent/unotifyd.ini: No such file "
	    "or directory"), 1));
}

Test(rules, load_not_regular)
{
	cr_assert(eq(int, rules_load(&set, "/dev/null", &causes), -1));
	cr_assert(eq(int, has_cause("/dev/null: not a regular file or "
	    "directory"), 1));
}

Test(rules, load_empty_file)
{
	cleanup_free char *path = NULL;
	char *want;

	make_tmpdir();
	path = write_file("empty.ini", "", 0);
	cr_assert(eq(int, rules_load(&set, path, &causes), -1));
	xasprintf(&want, "%s:1: no rules", path);
	cr_assert(eq(int, has_cause(want), 1));
	free(want);
}

Test(rules, load_directory_in_order)
{
	static const char b[] = "[b]\npath=/x\naction=errno\nerrno=EPERM\n";
	static const char a[] = "[a]\npath=/x\naction=continue\n";
	static const char c[] = "[c]\npath=/y\naction=continue\n";
	static const char d[] = "[d]\npath=/z\naction=continue\n";
	static const char junk[] = "this is not ini\n";
	char *p, *sub;

	make_tmpdir();
	free(write_file("20-b.ini", b, sizeof(b) - 1));
	free(write_file("10-a.ini", a, sizeof(a) - 1));
	free(write_file("a-d.ini", d, sizeof(d) - 1));
	free(write_file("Z-c.ini", c, sizeof(c) - 1));
	free(write_file("README", junk, sizeof(junk) - 1));
	free(write_file("30.ini.bak", junk, sizeof(junk) - 1));
	free(write_file(".hidden.ini", junk, sizeof(junk) - 1));
	xasprintf(&sub, "%s/40-dir.ini", tmpdir);
	cr_assert(eq(int, mkdir(sub, 0700), 0));
	free(sub);

	cr_assert(eq(int, rules_load(&set, tmpdir, &causes), 0));
	cr_assert(eq(sz, causes.n, 0));
	cr_assert(eq(sz, set.n, 4));
	/* strcmp order, whatever the locale: digits < 'Z' < 'a'. */
	cr_assert(eq(str, set.v[0].name, "a"));
	cr_assert(eq(str, set.v[1].name, "b"));
	cr_assert(eq(str, set.v[2].name, "c"));
	cr_assert(eq(str, set.v[3].name, "d"));
	xasprintf(&p, "%s/10-a.ini", tmpdir);
	cr_assert(eq(str, set.v[0].file, p));
	free(p);
	cr_assert(eq(str, rules_match(&set, "/x", SYSCALLS_OPEN, 0)->name,
	    "a"));
}

Test(rules, load_directory_duplicates_across_files)
{
	static const char a[] = "[same]\npath=/x\naction=continue\n";
	static const char b[] = "[other]\npath=/y\naction=continue\n"
	    "[same]\npath=/z\naction=continue\n";
	char *want;

	make_tmpdir();
	free(write_file("a.ini", a, sizeof(a) - 1));
	free(write_file("b.ini", b, sizeof(b) - 1));
	cr_assert(eq(int, rules_load(&set, tmpdir, &causes), -1));
	xasprintf(&want, "%s/b.ini:4: duplicate rule name 'same' (first at "
	    "%s/a.ini:1)", tmpdir, tmpdir);
	cr_assert(eq(int, has_cause(want), 1));
	free(want);
	cr_assert(eq(sz, causes.n, 1));
	cr_assert(eq(sz, set.n, 2));
}

Test(rules, load_directory_errors_in_each_file)
{
	static const char a[] = "[a]\npath=/x\n";
	static const char b[] = "\n\n[b]\naction=continue\n";
	char *want;

	make_tmpdir();
	free(write_file("a.ini", a, sizeof(a) - 1));
	free(write_file("b.ini", b, sizeof(b) - 1));
	cr_assert(eq(int, rules_load(&set, tmpdir, &causes), -1));
	xasprintf(&want, "%s/a.ini:1: missing 'action'", tmpdir);
	cr_assert(eq(int, has_cause(want), 1));
	free(want);
	xasprintf(&want, "%s/b.ini:3: missing 'path'", tmpdir);
	cr_assert(eq(int, has_cause(want), 1));
	free(want);
	cr_assert(eq(sz, causes.n, 2));
}

/* -r DIR with no *.ini (app.conf alone, say) is a mistake, not 0 rules. */
Test(rules, load_empty_directory)
{
	char *msg;

	make_tmpdir();
	cr_assert(eq(int, rules_load(&set, tmpdir, &causes), -1));
	cr_assert(eq(sz, set.n, 0));
	xasprintf(&msg, "%s: no *.ini file in this directory", tmpdir);
	cr_assert(eq(int, has_cause(msg), 1));
	free(msg);
}

/* Wall-clock seconds. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(rules, hundred_thousand_rules, .timeout = TEST_LIMIT(20))
{
	size_t n = 100000, cap = n * 120, len = 0, i;
	char *text = xmalloc(cap), *path;
	double t;

	for (i = 0; i < n; i++) {
		switch (i % 3) {
		case 0:
			len += snprintf(text + len, cap - len, "[r%zu]\n"
			    "path = /data/%zu/\naction = redirect\n"
			    "target = /srv/%zu\n", i, i, i);
			break;
		case 1:
			len += snprintf(text + len, cap - len, "[r%zu]\n"
			    "path = /etc/%zu.conf\naction = errno\n"
			    "errno = EACCES\nsyscalls = open openat\n", i, i);
			break;
		default:
			len += snprintf(text + len, cap - len, "[r%zu]\n"
			    "path = /g/*/%zu\naction = continue\n"
			    "access = read\n", i, i);
			break;
		}
	}
	/* One duplicate at the end must still be found. */
	len += snprintf(text + len, cap - len, "[r7]\npath=/d\n"
	    "action=continue\n");
	make_tmpdir();
	path = write_file("big.ini", text, len);
	free(text);

	t = now();
	cr_assert(eq(int, rules_load(&set, path, &causes), -1));
	t = now() - t;
	free(path);
	cr_assert(eq(sz, causes.n, 1));
	cr_assert(eq(sz, set.n, n));
	cr_assert(eq(str, set.v[n - 1].name, "r99999"));
	cr_assert(eq(int, set.v[4].err, EACCES));
	/* valgrind slows everything down some 20 times. */
	if (!RUNNING_ON_VALGRIND)
		cr_assert(lt(dbl, t, 2.0 * SLOWDOWN), "loading took %.2f s", t);
}

Test(rules, append_and_merge)
{
	struct rule_set other;
	struct rule *r;

	rules_init(&other);
	r = rules_append(&other);
	r->name = xstrdup("x");
	r->file = xstrdup("src");
	r->line = 3;
	r->path = xstrdup("/x");
	r->syscalls = SYSCALLS_ALL;
	cr_assert(eq(int, rules_merge(&set, &other, &causes), 0));
	cr_assert(eq(sz, other.n, 0));
	cr_assert(eq(ptr, other.v, NULL));
	cr_assert(eq(sz, set.n, 1));

	r = rules_append(&other);
	r->name = xstrdup("x");
	r->file = xstrdup("src2");
	cr_assert(eq(int, rules_merge(&set, &other, &causes), -1));
	cr_assert(eq(int, has_cause("src2: duplicate rule name 'x' (first at "
	    "src:3)"), 1));
	cr_assert(eq(sz, set.n, 1));
	rules_free(&other);
}
