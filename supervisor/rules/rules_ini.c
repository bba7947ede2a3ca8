/* SPDX-License-Identifier: MIT */
/* Rules: INI files parsed by inih through our own line reader (so that every
 * syntax error is reported with its line). */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>
#include <seccomp.h>

#include "pattern.h"
#include "rule.h"
#include "rules.h"
#include "rules_ini.h"
#include "syscalls.h"
#include "util.h"

enum rules_key {
	RULES_KEY_PATH,
	RULES_KEY_ACTION,
	RULES_KEY_TARGET,
	RULES_KEY_ERRNO,
	RULES_KEY_SYSCALLS,
	RULES_KEY_ACCESS,
	RULES_KEY_COUNT
};

static const char *const rules_keys[RULES_KEY_COUNT] = {
	[RULES_KEY_PATH] = "path",
	[RULES_KEY_ACTION] = "action",
	[RULES_KEY_TARGET] = "target",
	[RULES_KEY_ERRNO] = "errno",
	[RULES_KEY_SYSCALLS] = "syscalls",
	[RULES_KEY_ACCESS] = "access",
};

/* A file's [match] section: its first, and named so. */
#define RULES_MATCH	"match"

static const char *const rules_scope_keys[RULE_SCOPE_KEYS] = {
	[RULE_SCOPE_NAMESPACE] = "namespace",
	[RULE_SCOPE_POD] = "pod",
	[RULE_SCOPE_CONTAINER] = "container",
};

static const char *const rules_actions[] = {
	[RULE_CONTINUE] = "continue",
	[RULE_ERRNO] = "errno",
	[RULE_REDIRECT] = "redirect",
};

static const char *const rules_access[] = {
	[RULE_ACCESS_ANY] = "any",
	[RULE_ACCESS_READ] = "read",
	[RULE_ACCESS_WRITE] = "write",
};

/* Parser state for one INI buffer, shared by the reader and the handler. */
struct rules_ini {
	struct rule_set	*set;		/* its valid rules */
	struct causes	*causes;
	const char	*file;
	const char	*pos;		/* next line */
	const char	*end;
	unsigned	 line;		/* the line inih handles */
	int		 stop;		/* binary data seen */
	unsigned	 nsections;

	int		 in_section;	/* a "[" line was seen */
	int		 section_bad;	/* ... and it was malformed */
	char		*section;
	unsigned	 section_line;
	size_t		 section_causes; /* causes->n at its start */
	char		*value[RULES_KEY_COUNT];
	unsigned	 value_line[RULES_KEY_COUNT];
	int		 in_match;	/* the section is [match] */
	char		*scope_value[RULE_SCOPE_KEYS];
	unsigned	 scope_line[RULE_SCOPE_KEYS];
	struct rule_scope *scope;	/* the file's, once built */
	int		 scope_bad;	/* its [match] was refused */

	const char	**errnames;	/* strerrorname_np(), lazily */
};

/* Index of s in a table of names, or -1. */
static int
rules_lookup(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

/* Add "FILE:LINE: message" for the file being parsed. */
static void PRINTFLIKE(3, 4)
rules_ini_error(struct rules_ini *ini, unsigned line, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	causes_add(ini->causes, "%s:%u: %s", ini->file, line, msg);
}

/* Parse a "syscalls" value: names separated by whitespace and/or commas. */
static void
rules_ini_syscalls(struct rules_ini *ini, struct rule *r)
{
	cleanup_free char *copy = xstrdup(ini->value[RULES_KEY_SYSCALLS]);
	unsigned line = ini->value_line[RULES_KEY_SYSCALLS];
	char *tok, *save = NULL;
	int id, ntok = 0;

	r->syscalls = 0;
	for (tok = strtok_r(copy, " \t,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,", &save)) {
		ntok++;
		if ((id = syscalls_from_name(tok)) == -1 &&
		    seccomp_syscall_resolve_name(tok) != __NR_SCMP_ERROR)
			rules_ini_error(ini, line, "syscall '%s' is not handled "
			    "by unotifyd (unotifyd.rules(5) lists those it "
			    "handles)", tok);
		else if (id == -1)
			rules_ini_error(ini, line, "unknown syscall '%s'", tok);
		else
			r->syscalls |= SYSCALLS_MASK(id);
	}
	if (ntok == 0)
		rules_ini_error(ini, line, "no syscall names in '%s'",
		    ini->value[RULES_KEY_SYSCALLS]);
}

/*
 * Check that a key is present exactly when the action needs it. Returns 1 if
 * the value is there to be parsed.
 */
static int
rules_ini_needs(struct rules_ini *ini, enum rules_key k, int needed,
    const char *action)
{
	if (needed && ini->value[k] == NULL) {
		rules_ini_error(ini, ini->section_line,
		    "action %s needs '%s'", action, rules_keys[k]);
		return 0;
	}
	if (!needed && ini->value[k] != NULL) {
		rules_ini_error(ini, ini->value_line[k],
		    "'%s' not allowed with action %s", rules_keys[k], action);
		return 0;
	}
	/* An empty value was already reported by the handler. */
	return needed && ini->value[k][0] != '\0';
}

/* Build the rule of the section just ended; add it if it had no errors. */
static void
rules_ini_build(struct rules_ini *ini)
{
	struct rule r;
	cleanup_free char *msg = NULL;
	const char *v;
	int i;

	memset(&r, 0, sizeof(r));
	r.syscalls = SYSCALLS_ALL;
	r.access = RULE_ACCESS_ANY;

	if ((v = ini->value[RULES_KEY_PATH]) == NULL)
		rules_ini_error(ini, ini->section_line, "missing 'path'");
	else if (*v != '\0' && rules_set_path(&r, v, &msg) == -1)
		rules_ini_error(ini, ini->value_line[RULES_KEY_PATH], "%s",
		    msg);

	if ((v = ini->value[RULES_KEY_ACTION]) == NULL)
		rules_ini_error(ini, ini->section_line, "missing 'action'");
	else if (*v != '\0') {
		i = rules_lookup(rules_actions, nitems(rules_actions), v);
		if (i == -1)
			rules_ini_error(ini, ini->value_line[RULES_KEY_ACTION],
			    "unknown action '%s' (expected redirect, errno or "
			    "continue)", v);
		else {
			r.action = i;
			if (rules_ini_needs(ini, RULES_KEY_TARGET,
			    r.action == RULE_REDIRECT, v)) {
				free(msg);
				if (rules_set_target(&r,
				    ini->value[RULES_KEY_TARGET], &msg) == -1)
					rules_ini_error(ini, ini->value_line[
					    RULES_KEY_TARGET], "%s", msg);
			}
			if (rules_ini_needs(ini, RULES_KEY_ERRNO,
			    r.action == RULE_ERRNO, v) &&
			    rules_errno_parse(&ini->errnames,
			    ini->value[RULES_KEY_ERRNO], &r.err) == -1)
				rules_ini_error(ini, ini->value_line[
				    RULES_KEY_ERRNO], "unknown errno '%s'",
				    ini->value[RULES_KEY_ERRNO]);
		}
	}

	if ((v = ini->value[RULES_KEY_SYSCALLS]) != NULL && *v != '\0')
		rules_ini_syscalls(ini, &r);

	if ((v = ini->value[RULES_KEY_ACCESS]) != NULL && *v != '\0') {
		i = rules_lookup(rules_access, nitems(rules_access), v);
		if (i == -1)
			rules_ini_error(ini, ini->value_line[RULES_KEY_ACCESS],
			    "unknown access '%s' (expected any, read or write)",
			    v);
		else
			r.access = i;
	}

	if (ini->causes->n != ini->section_causes || ini->scope_bad) {
		rules_rule_fini(&r);
		return;
	}
	r.target_dir = r.match == RULE_PREFIX;
	r.name = steal_pointer(&ini->section);
	r.file = xstrdup(ini->file);
	r.line = ini->section_line;
	r.scope = ini->scope;
	*rules_append(ini->set) = r;
}

/*
 * Build the file's scope from the [match] section just ended: each key a
 * list of name globs (no '/': names have none). The set owns it.
 */
static void
rules_ini_scope(struct rules_ini *ini)
{
	struct rule_scope *sc;
	const char *why;
	char *copy, *tok, *save = NULL;
	int k, any = 0;

	for (k = 0; k < RULE_SCOPE_KEYS; k++) {
		if (ini->scope_value[k] == NULL || *ini->scope_value[k] == '\0')
			continue;
		any = 1;
		copy = xstrdup(ini->scope_value[k]);
		for (tok = strtok_r(copy, " \t", &save); tok != NULL;
		    tok = strtok_r(NULL, " \t", &save)) {
			if (strchr(tok, '/') != NULL)
				why = "names hold no '/'";
			else if (pattern_check(tok, &why) == 0)
				continue;
			rules_ini_error(ini, ini->scope_line[k], "bad %s glob "
			    "'%s': %s", rules_scope_keys[k], tok, why);
		}
		free(copy);
	}
	if (!any)
		rules_ini_error(ini, ini->section_line, "[" RULES_MATCH "] "
		    "needs namespace, pod or container");
	/* Its rules must not apply to every target instead. */
	if (ini->causes->n != ini->section_causes) {
		ini->scope_bad = 1;
		return;
	}
	sc = xcalloc(1, sizeof(*sc));
	for (k = 0; k < RULE_SCOPE_KEYS; k++)
		sc->glob[k] = steal_pointer(&ini->scope_value[k]);
	sc->file = xstrdup(ini->file);
	sc->line = ini->section_line;
	sc->next = ini->set->scopes;
	ini->set->scopes = sc;
	ini->scope = sc;
}

/* End the current section, adding its rule when it is valid. */
static void
rules_ini_finish(struct rules_ini *ini)
{
	int k;

	if (ini->in_section && !ini->section_bad && !ini->stop &&
	    strcmp(ini->section, RULES_OPTIONS_SECTION) != 0) {
		if (ini->in_match)
			rules_ini_scope(ini);
		else
			rules_ini_build(ini);
	}
	free(ini->section);
	ini->section = NULL;
	for (k = 0; k < RULES_KEY_COUNT; k++) {
		free(ini->value[k]);
		ini->value[k] = NULL;
	}
	for (k = 0; k < RULE_SCOPE_KEYS; k++) {
		free(ini->scope_value[k]);
		ini->scope_value[k] = NULL;
	}
	ini->in_match = 0;
	ini->in_section = 0;
	ini->section_bad = 0;
}

/*
 * A "[name]" line: inih reads up to the first ']' (or an inline comment,
 * ';' after whitespace) and ignores the rest and truncates long names, so
 * check it here and keep the name ourselves.
 */
static void
rules_ini_section(struct rules_ini *ini, const char *s)
{
	const char *end, *rest, *name;
	size_t n;
	int was_space = 0;

	rules_ini_finish(ini);
	ini->nsections++;
	ini->in_section = 1;
	ini->section_bad = 1;
	ini->section_line = ini->line;
	ini->section_causes = ini->causes->n;

	for (end = s + 1; *end != '\0' && *end != ']' &&
	    !(was_space && *end == ';'); end++)
		was_space = isspace((unsigned char)*end);
	if (*end != ']') {
		rules_ini_error(ini, ini->line, "expected ']'");
		return;
	}
	for (rest = end + 1; isspace((unsigned char)*rest); rest++)
		;
	if (*rest != '\0' && !(*rest == ';' && rest > end + 1)) {
		rules_ini_error(ini, ini->line, "unexpected text after ']'");
		return;
	}
	for (name = s + 1; isspace((unsigned char)*name); name++)
		;
	for (n = end - name; n > 0 && isspace((unsigned char)name[n - 1]); n--)
		;
	if (n == 0) {
		rules_ini_error(ini, ini->line, "empty rule name");
		return;
	}
	ini->section = xstrndup(name, n);
	ini->section_bad = 0;
	if (strcmp(ini->section, RULES_MATCH) == 0) {
		ini->in_match = 1;
		if (ini->nsections != 1)
			rules_ini_error(ini, ini->line, "[" RULES_MATCH "] "
			    "must be the first section of its file");
	}
}

/*
 * inih does not call the handler for malformed lines: find them here,
 * report them and hand inih an empty line instead. s has no leading
 * whitespace. Returns 0 if s can go to inih as it is.
 */
static int
rules_ini_syntax(struct rules_ini *ini, const char *s)
{
	int was_space = 0;

	if (*s == '\0' || *s == ';' || *s == '#')
		return 0;
	if (*s == '[') {
		rules_ini_section(ini, s);
		return -1;
	}
	for (; *s != '\0' && *s != '=' && *s != ':' &&
	    !(was_space && *s == ';'); s++)
		was_space = isspace((unsigned char)*s);
	if (*s != '=' && *s != ':') {
		rules_ini_error(ini, ini->line, "expected 'key = value' or "
		    "'[rule]'");
		return -1;
	}
	return 0;
}

/*
 * fgets()-style reader over the in-memory file. Leading whitespace is
 * stripped, which disables inih's multi-line continuation (an indented line
 * would otherwise be passed again under the previous key's name). Every
 * line goes to inih with its '\n', so inih never sees a partial line.
 */
static char *
rules_ini_read(char *str, int num, void *stream)
{
	struct rules_ini *ini = stream;
	const char *p = ini->pos, *nl;
	size_t n, max = num > 2 ? (size_t)num - 2 : 0;

	if (ini->stop || p >= ini->end)
		return NULL;
	nl = memchr(p, '\n', ini->end - p);
	n = (nl != NULL ? nl : ini->end) - p;
	ini->pos = nl != NULL ? nl + 1 : ini->end;
	ini->line++;

	if (memchr(p, '\0', n) != NULL) {
		rules_ini_error(ini, ini->line, "binary data");
		ini->stop = 1;
		return NULL;
	}
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (ini->line == 1 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		n -= 3;
	}
	if (n > max) {
		rules_ini_error(ini, ini->line, "line too long (at most %zu "
		    "characters)", max);
		n = 0;
	}
	while (n > 0 && isspace((unsigned char)*p)) {
		p++;
		n--;
	}
	memcpy(str, p, n);
	str[n] = '\0';
	if (rules_ini_syntax(ini, str) != 0)
		n = 0;
	str[n] = '\n';
	str[n + 1] = '\0';
	return str;
}

/* Record one key of the [match] section. */
static int
rules_ini_scope_key(struct rules_ini *ini, const char *name,
    const char *value)
{
	int k;

	k = rules_lookup(rules_scope_keys, nitems(rules_scope_keys), name);
	if (k == -1) {
		rules_ini_error(ini, ini->line, "unknown key '%s' in ["
		    RULES_MATCH "] (expected namespace, pod or container)",
		    name);
		return 1;
	}
	if (ini->scope_value[k] != NULL) {
		rules_ini_error(ini, ini->line, "duplicate key '%s' (first at "
		    "line %u)", name, ini->scope_line[k]);
		return 1;
	}
	if (*value == '\0')
		rules_ini_error(ini, ini->line, "empty value for '%s'", name);
	ini->scope_value[k] = xstrdup(value);
	ini->scope_line[k] = ini->line;
	return 1;
}

/* A key of the [unotifyd] section: options of the whole rule set. */
static void
rules_ini_option(struct rules_ini *ini, const char *name, const char *value)
{
	if (strcmp(name, "io_uring") != 0) {
		rules_ini_error(ini, ini->line, "unknown option '%s' in [%s] "
		    "(known: io_uring)", name, RULES_OPTIONS_SECTION);
		return;
	}
	if (strcmp(value, "allow") == 0)
		ini->set->io_uring = 1;
	else if (strcmp(value, "refuse") != 0)
		rules_ini_error(ini, ini->line, "io_uring must be 'allow' or "
		    "'refuse', not '%s'", value);
}

/* inih handler: record one key of the current section. */
static int
rules_ini_handler(void *user, UNUSED const char *section, const char *name,
    const char *value)
{
	struct rules_ini *ini = user;
	int k;

	if (!ini->in_section) {
		rules_ini_error(ini, ini->line, "'%s' outside of a rule "
		    "section", name);
		return 1;
	}
	if (*name == '\0') {
		rules_ini_error(ini, ini->line, "missing key name");
		return 1;
	}
	if (ini->in_match)
		return rules_ini_scope_key(ini, name, value);
	if (ini->section != NULL &&
	    strcmp(ini->section, RULES_OPTIONS_SECTION) == 0) {
		rules_ini_option(ini, name, value);
		return 1;
	}
	k = rules_lookup(rules_keys, nitems(rules_keys), name);
	if (k == -1) {
		rules_ini_error(ini, ini->line, "unknown key '%s'", name);
		return 1;
	}
	if (ini->value[k] != NULL) {
		rules_ini_error(ini, ini->line, "duplicate key '%s' (first at "
		    "line %u)", name, ini->value_line[k]);
		return 1;
	}
	if (*value == '\0')
		rules_ini_error(ini, ini->line, "empty value for '%s'", name);
	ini->value[k] = xstrdup(value);
	ini->value_line[k] = ini->line;
	return 1;
}

/* Parse len bytes of INI text (NUL bytes are an error) into set. */
int
rules_parse_buf(struct rule_set *set, const char *buf, size_t len,
    const char *file, struct causes *causes)
{
	struct rules_ini ini;
	struct rule_set tmp;
	size_t before = causes->n;

	rules_init(&tmp);
	memset(&ini, 0, sizeof(ini));
	ini.set = &tmp;
	ini.causes = causes;
	ini.file = file;
	ini.pos = buf;
	ini.end = buf + len;

	/* Errors are collected as causes; inih's own result adds nothing. */
	(void)ini_parse_stream(rules_ini_read, &ini, rules_ini_handler, &ini);
	rules_ini_finish(&ini);
	if (ini.nsections == (ini.scope != NULL ? 1u : 0u) && !ini.stop)
		rules_ini_error(&ini, 1, "no rules");
	free(ini.errnames);

	rules_merge(set, &tmp, causes);
	return causes->n == before ? 0 : -1;
}

/* Parse INI text. */
int
rules_parse_string(struct rule_set *set, const char *text, const char *origin,
    struct causes *causes)
{
	return rules_parse_buf(set, text, strlen(text), origin, causes);
}
