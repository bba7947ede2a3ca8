/* SPDX-License-Identifier: MIT */
/* Rules: INI files parsed by inih through our own line reader (so that every
 * syntax error is reported with its line), --redirect options, matching. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>
#include <seccomp.h>

#include "expand.h"
#include "pattern.h"
#include "ruleindex.h"
#include "rules.h"
#include "syscalls.h"
#include "util.h"

/* Larger files are refused rather than read into memory. */
#define RULES_MAX_FILE	(64u << 20)
/* errno values are 1..4095 (the kernel's MAX_ERRNO). */
#define RULES_MAX_ERRNO	4095

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

/* Open-addressing table of rule names, indexing into a set's array. */
struct rules_names {
	size_t	*slot;			/* index + 1; 0: free */
	size_t	 mask;
};

/* Release the strings of one rule. */
static void
rules_rule_fini(struct rule *r)
{
	free(r->name);
	free(r->file);
	free(r->path);
	free(r->target);
	memset(r, 0, sizeof(*r));
}

/* Empty set. */
void
rules_init(struct rule_set *set)
{
	set->v = NULL;
	set->n = 0;
	set->cap = 0;
	set->index = NULL;
	set->io_uring = 0;
	set->nreverse = 0;
	set->scopes = NULL;
}

/* Release a list of scopes. */
static void
rules_scopes_free(struct rule_scope *sc)
{
	struct rule_scope *next;
	int k;

	for (; sc != NULL; sc = next) {
		next = sc->next;
		for (k = 0; k < RULE_SCOPE_KEYS; k++)
			free(sc->glob[k]);
		free(sc->file);
		free(sc);
	}
}

/* Release every rule and leave the set empty. */
void
rules_free(struct rule_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		rules_rule_fini(&set->v[i]);
	free(set->v);
	rule_index_free(set->index);
	rules_scopes_free(set->scopes);
	rules_init(set);
}

struct rule_set *
rules_hold(struct rule_set *set)
{
	__atomic_add_fetch(&set->refs, 1, __ATOMIC_RELAXED);
	return set;
}

void
rules_drop(struct rule_set *set)
{
	if (set == NULL ||
	    __atomic_fetch_sub(&set->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	rules_free(set);
	free(set);
}

/* Make room for n more rules. */
static void
rules_reserve(struct rule_set *set, size_t n)
{
	size_t cap;

	if (set->n + n <= set->cap)
		return;
	cap = set->cap ? set->cap : 16;
	while (cap < set->n + n)
		cap *= 2;
	set->v = xreallocarray(set->v, cap, sizeof(*set->v));
	set->cap = cap;
}

/* Append a zeroed rule. */
struct rule *
rules_append(struct rule_set *set)
{
	struct rule *r;

	rules_reserve(set, 1);
	rule_index_free(set->index);
	set->index = NULL;
	r = &set->v[set->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* "FILE:LINE", or "FILE" for rules that do not come from a file. */
static char *
rules_where(const struct rule *r)
{
	char *s;

	if (r->line == 0)
		return xstrdup(r->file);
	xasprintf(&s, "%s:%u", r->file, r->line);
	return s;
}

/* FNV-1a: cheap and good enough for rule names. */
static size_t
rules_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* Table for up to n names, at most half full. */
static void
rules_names_init(struct rules_names *t, size_t n)
{
	size_t cap = 64;

	while (cap < 2 * n)
		cap *= 2;
	t->slot = xcalloc(cap, sizeof(*t->slot));
	t->mask = cap - 1;
}

/*
 * Index in set of the rule named like set->v[idx], or idx itself after
 * recording it when the name is new.
 */
static size_t
rules_names_add(struct rules_names *t, const struct rule_set *set, size_t idx)
{
	const char *name = set->v[idx].name;
	size_t i, j;

	for (i = rules_hash(name) & t->mask; t->slot[i] != 0;
	    i = (i + 1) & t->mask) {
		j = t->slot[i] - 1;
		if (strcmp(set->v[j].name, name) == 0)
			return j;
	}
	t->slot[i] = idx + 1;
	return idx;
}

/* Move src's rules to dst, dropping duplicate names. */
int
rules_merge(struct rule_set *dst, struct rule_set *src, struct causes *causes)
{
	struct rules_names t;
	cleanup_free char *here = NULL, *there = NULL;
	size_t i, j;
	int r = 0;

	rules_reserve(dst, src->n);
	rule_index_free(dst->index);
	dst->index = NULL;
	rules_names_init(&t, dst->n + src->n);
	for (i = 0; i < dst->n; i++)
		rules_names_add(&t, dst, i);
	for (i = 0; i < src->n; i++) {
		dst->v[dst->n] = src->v[i];
		j = rules_names_add(&t, dst, dst->n);
		if (j == dst->n) {
			dst->n++;
			continue;
		}
		free(here);
		free(there);
		here = rules_where(&dst->v[dst->n]);
		there = rules_where(&dst->v[j]);
		causes_add(causes, "%s: duplicate rule name '%s' (first at %s)",
		    here, dst->v[dst->n].name, there);
		rules_rule_fini(&dst->v[dst->n]);
		r = -1;
	}
	free(t.slot);
	free(src->v);
	dst->io_uring |= src->io_uring;
	/* The moved rules point to src's scopes: dst owns them now. */
	if (src->scopes != NULL) {
		struct rule_scope **tail = &dst->scopes;

		while (*tail != NULL)
			tail = &(*tail)->next;
		*tail = src->scopes;
	}
	rules_init(src);
	return r;
}

/* A copy of one string member, which may be NULL. */
static char *
rules_strdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* Copy the rules of src that keep() wants to the end of dst. */
void
rules_select(struct rule_set *dst, const struct rule_set *src,
    rules_keep_cb keep, void *arg)
{
	const struct rule *r;
	struct rule *d;
	size_t i;

	for (i = 0; i < src->n; i++) {
		r = &src->v[i];
		if (!keep(r, arg))
			continue;
		d = rules_append(dst);
		*d = *r;
		d->name = rules_strdup(r->name);
		d->file = rules_strdup(r->file);
		d->path = rules_strdup(r->path);
		d->target = rules_strdup(r->target);
		d->scope = NULL;
	}
}

/*
 * Collapse runs of '/' in place and reject "." and ".." components: paths
 * are matched against normalised absolute paths, so such a rule could never
 * match.
 */
static int
rules_normalise(char *path)
{
	char *r, *w, *c;

	for (r = w = path; *r != '\0'; r++)
		if (*r != '/' || w == path || w[-1] != '/')
			*w++ = *r;
	*w = '\0';
	for (c = path; *c != '\0'; c++) {
		if (c[0] != '/' || c[1] != '.')
			continue;
		if (c[2] == '/' || c[2] == '\0' ||
		    (c[2] == '.' && (c[3] == '/' || c[3] == '\0')))
			return -1;
	}
	return 0;
}

/*
 * Expand and classify a rule path (ends in '/': prefix; glob characters:
 * glob; else exact). On error returns -1 with a message in *msg.
 */
static int
rules_set_path(struct rule *r, const char *in, char **msg)
{
	const char *why;
	char *p;

	*msg = NULL;
	if (expand_path(in, &p, &why) == -1) {
		xasprintf(msg, "path '%s': %s", in, why);
		return -1;
	}
	if (p[0] != '/') {
		xasprintf(msg, "path '%s' is not absolute", in);
		goto fail;
	}
	if (rules_normalise(p) == -1) {
		xasprintf(msg, "path '%s' has a '.' or '..' component", in);
		goto fail;
	}
	if (p[strlen(p) - 1] == '/') {
		/*
		 * Prefixes are compared literally; a glob here would silently
		 * never match, so refuse it instead.
		 */
		if (pattern_is_glob(p)) {
			xasprintf(msg, "prefix path '%s' may not contain glob "
			    "characters", in);
			goto fail;
		}
		r->match = RULE_PREFIX;
	} else if (pattern_is_glob(p)) {
		if (pattern_check(p, &why) == -1) {
			xasprintf(msg, "path '%s': %s", in, why);
			goto fail;
		}
		r->match = RULE_GLOB;
	} else
		r->match = RULE_EXACT;
	free(r->path);
	r->path = p;
	return 0;

fail:
	free(p);
	return -1;
}

/* Expand a redirect target, which must be absolute. */
static int
rules_set_target(struct rule *r, const char *in, char **msg)
{
	const char *why;
	char *p;

	*msg = NULL;
	if (expand_path(in, &p, &why) == -1) {
		xasprintf(msg, "target '%s': %s", in, why);
		return -1;
	}
	if (p[0] != '/') {
		xasprintf(msg, "target '%s' is not absolute", in);
		free(p);
		return -1;
	}
	free(r->target);
	r->target = p;
	return 0;
}

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

/*
 * errno from a name or a number 1..4095. glibc has no name-to-value call,
 * so invert strerrorname_np() once per parse (a scan per rule would make
 * 100,000 errno rules take seconds).
 */
static int
rules_errno_parse(struct rules_ini *ini, const char *s, int *err)
{
	static const struct {
		const char	*alias;
		int		 value;
	} aliases[] = {
		{ "EWOULDBLOCK", EWOULDBLOCK },
		{ "EDEADLOCK", EDEADLOCK },
		{ "ENOTSUP", ENOTSUP },
	};
	char *end;
	long v;
	size_t i;
	int e;

	if (isdigit((unsigned char)s[0])) {
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno != 0 || *end != '\0' || v < 1 || v > RULES_MAX_ERRNO)
			return -1;
		*err = (int)v;
		return 0;
	}
	for (i = 0; i < nitems(aliases); i++) {
		if (strcmp(aliases[i].alias, s) == 0) {
			*err = aliases[i].value;
			return 0;
		}
	}
	if (ini->errnames == NULL) {
		ini->errnames = xcalloc(RULES_MAX_ERRNO + 1,
		    sizeof(*ini->errnames));
		for (e = 1; e <= RULES_MAX_ERRNO; e++)
			ini->errnames[e] = strerrorname_np(e);
	}
	for (e = 1; e <= RULES_MAX_ERRNO; e++) {
		if (ini->errnames[e] != NULL &&
		    strcmp(ini->errnames[e], s) == 0) {
			*err = e;
			return 0;
		}
	}
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
			    rules_errno_parse(ini, ini->value[RULES_KEY_ERRNO],
			    &r.err) == -1)
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
static int
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

/* Read a whole file; on error adds "PATH: reason" and returns -1. */
static int
rules_read_file(int fd, const char *path, char **out, size_t *outlen,
    struct causes *causes)
{
	cleanup_free char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;

	*out = NULL;
	*outlen = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= RULES_MAX_FILE) {
				causes_add(causes, "%s: file too large (more "
				    "than %u MiB)", path, RULES_MAX_FILE >> 20);
				return -1;
			}
			cap = cap ? cap * 2 : 65536;
			buf = xreallocarray(buf, cap, 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			causes_add(causes, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		len += n;
	}
	*out = steal_pointer(&buf);
	*outlen = len;
	return 0;
}

/* Parse one INI file. */
static int
rules_load_file(struct rule_set *set, int fd, const char *path,
    struct causes *causes)
{
	cleanup_free char *buf = NULL;
	size_t len;

	if (rules_read_file(fd, path, &buf, &len, causes) == -1)
		return -1;
	return rules_parse_buf(set, buf, len, path, causes);
}

/* scandir() filter: "*.ini", skipping hidden files as a shell glob would. */
static int
rules_dir_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 4 &&
	    strcmp(d->d_name + n - 4, ".ini") == 0;
}

/* scandir() order: plain strcmp, independent of the locale. */
static int
rules_dir_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Load one directory entry if it is a regular file. */
static int
rules_load_entry(struct rule_set *set, const char *dir, const char *name,
    struct causes *causes)
{
	cleanup_free char *file = NULL;
	cleanup_close int fd = -1;
	struct stat st;

	xasprintf(&file, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
	    name);
	/* O_NONBLOCK: a FIFO named *.ini must not hang the daemon. */
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1 || fstat(fd, &st) == -1) {
		causes_add(causes, "%s: %s", file, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	return rules_load_file(set, fd, file, causes);
}

/* Load every regular *.ini file of a directory, in strcmp order. */
static int
rules_load_dir(struct rule_set *set, const char *path, struct causes *causes)
{
	struct dirent **ents = NULL;
	int i, n, r = 0;

	if ((n = scandir(path, &ents, rules_dir_filter, rules_dir_cmp)) == -1) {
		causes_add(causes, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Only *.ini files are read: app.conf alone is a mistake. */
	if (n == 0) {
		free(ents);
		causes_add(causes, "%s: no *.ini file in this directory", path);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (rules_load_entry(set, path, ents[i]->d_name, causes) == -1)
			r = -1;
		free(ents[i]);
	}
	free(ents);
	return r;
}

/* One *.ini of the drop-in directories, and the directory it wins in. */
struct rules_dropin {
	char		*name;
	const char	*dir;
};

static int
rules_dropin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rules_dropin *)a)->name,
	    ((const struct rules_dropin *)b)->name);
}

/* Load the *.ini files of dirs the systemd drop-in way. */
int
rules_load_dropins(struct rule_set *set, const char *const *dirs,
    struct causes *causes)
{
	struct rules_dropin *v = NULL;
	struct dirent **ents;
	size_t nv = 0, i, k;
	int j, n, r = 0;

	for (i = 0; dirs[i] != NULL; i++) {
		n = scandir(dirs[i], &ents, rules_dir_filter, rules_dir_cmp);
		if (n == -1) {
			if (errno != ENOENT) {
				causes_add(causes, "%s: %s", dirs[i],
				    strerror(errno));
				r = -1;
			}
			continue;
		}
		for (j = 0; j < n; j++) {
			/* An earlier directory overrides a later one. */
			for (k = 0; k < nv; k++)
				if (strcmp(v[k].name, ents[j]->d_name) == 0)
					break;
			if (k == nv) {
				v = xreallocarray(v, nv + 1, sizeof(*v));
				v[nv].name = xstrdup(ents[j]->d_name);
				v[nv++].dir = dirs[i];
			}
			free(ents[j]);
		}
		free(ents);
	}
	/* No drop-in at all leaves v NULL, which qsort() must not get. */
	if (nv > 0)
		qsort(v, nv, sizeof(*v), rules_dropin_cmp);
	for (k = 0; k < nv; k++) {
		if (rules_load_entry(set, v[k].dir, v[k].name, causes) == -1)
			r = -1;
		free(v[k].name);
	}
	free(v);
	return r;
}

/* Load a rules file or directory. */
int
rules_load(struct rule_set *set, const char *path, struct causes *causes)
{
	cleanup_close int fd = -1;
	struct stat st;

	/* O_NONBLOCK: a FIFO given by mistake must not hang the daemon. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1 || fstat(fd, &st) == -1) {
		causes_add(causes, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return rules_load_dir(set, path, causes);
	if (!S_ISREG(st.st_mode)) {
		causes_add(causes, "%s: not a regular file or directory", path);
		return -1;
	}
	return rules_load_file(set, fd, path, causes);
}

/* Add a rule from "SRC=DST". */
int
rules_add_redirect(struct rule_set *set, const char *spec, const char *origin,
    struct causes *causes)
{
	struct rule_set tmp;
	struct rule *r;
	cleanup_free char *src = NULL, *msg = NULL;
	const char *eq, *dst;
	size_t before = causes->n;

	if ((eq = strchr(spec, '=')) == NULL) {
		causes_add(causes, "%s '%s': expected SRC=DST", origin, spec);
		return -1;
	}
	src = xstrndup(spec, eq - spec);
	dst = eq + 1;
	if (*src == '\0' || *dst == '\0') {
		causes_add(causes, "%s '%s': empty %s", origin, spec,
		    *src == '\0' ? "SRC" : "DST");
		return -1;
	}

	rules_init(&tmp);
	r = rules_append(&tmp);
	if (rules_set_path(r, src, &msg) == -1)
		causes_add(causes, "%s '%s': %s", origin, spec, msg);
	free(msg);
	if (rules_set_target(r, dst, &msg) == -1)
		causes_add(causes, "%s '%s': %s", origin, spec, msg);
	if (causes->n != before) {
		rules_free(&tmp);
		return -1;
	}
	r->action = RULE_REDIRECT;
	r->target_dir = r->match == RULE_PREFIX;
	r->syscalls = SYSCALLS_ALL;
	r->access = RULE_ACCESS_ANY;
	xasprintf(&r->name, "redirect:%s", r->path);
	xasprintf(&r->file, "%s '%s'", origin, spec);
	return rules_merge(set, &tmp, causes);
}

void
rules_index(struct rule_set *set)
{
	size_t i;

	rule_index_free(set->index);
	set->index = rule_index_new(set->v, set->n);
	set->nreverse = 0;
	for (i = 0; i < set->n; i++)
		if (set->v[i].action == RULE_REDIRECT &&
		    set->v[i].match == RULE_PREFIX && set->v[i].target_dir)
			set->nreverse++;
}

/* Union of every rule's syscalls. */
syscalls_mask
rules_syscalls(const struct rule_set *set)
{
	static const syscalls_mask by_access[] = {
		[RULE_ACCESS_ANY] = SYSCALLS_ALL,
		[RULE_ACCESS_READ] = SYSCALLS_READS,
		[RULE_ACCESS_WRITE] = SYSCALLS_WRITES,
	};
	const struct rule *r;
	syscalls_mask m = 0;
	size_t i;

	/* A continue rule only shadows later rules, whose syscalls count. */
	for (i = 0; i < set->n; i++) {
		r = &set->v[i];
		if (r->action == RULE_CONTINUE)
			continue;
		m |= r->syscalls & by_access[r->access];
		if (r->action == RULE_REDIRECT)
			m |= SYSCALLS_MASK(SYSCALLS_GETCWD);
	}
	if (m != 0 && !set->io_uring)
		m |= SYSCALLS_MASK(SYSCALLS_IO_URING);
	return m;
}

int
rules_reverse(const struct rule_set *set, const char *path, char *out,
    size_t len)
{
	const struct rule *r;
	size_t i, tlen, plen;
	int n;

	if (set->index != NULL && set->nreverse == 0)
		return 0;
	for (i = 0; i < set->n; i++) {
		r = &set->v[i];
		if (r->action != RULE_REDIRECT || r->match != RULE_PREFIX ||
		    !r->target_dir)
			continue;
		for (tlen = strlen(r->target); tlen > 1 &&
		    r->target[tlen - 1] == '/'; tlen--)
			;
		if (strncmp(path, r->target, tlen) != 0 ||
		    (path[tlen] != '/' && path[tlen] != '\0' && tlen > 1))
			continue;
		/* The rule's path ends in '/': drop it before the rest. */
		plen = strlen(r->path) - 1;
		n = snprintf(out, len, "%.*s%s", (int)plen, r->path,
		    tlen > 1 ? path + tlen : path);
		if (n < 0 || (size_t)n >= len)
			return -ENAMETOOLONG;
		if (out[0] == '\0')
			snprintf(out, len, "/");
		return 1;
	}
	return 0;
}

/* Whether one rule applies to path. */
static int
rules_rule_matches(const struct rule *r, const char *path)
{
	switch (r->match) {
	case RULE_EXACT:
		return strcmp(r->path, path) == 0;
	case RULE_PREFIX:
		return pattern_prefix(r->path, path) >= 0;
	case RULE_GLOB:
		return pattern_match(r->path, path);
	}
	return 0;
}

/* First matching rule, in set order. */
const struct rule *
rules_match(const struct rule_set *set, const char *path, int sysid,
    int write)
{
	const struct rule *r;
	size_t i;

	if (sysid < 0 || sysid >= SYSCALLS_COUNT)
		return NULL;
	if (set->index != NULL)
		return rule_index_match(set->index, path, sysid, write);
	for (i = 0; i < set->n; i++) {
		r = &set->v[i];
		if (rules_applies(r, sysid, write) && rules_rule_matches(r, path))
			return r;
	}
	return NULL;
}

/* Whether r covers the syscall and the way it uses the path. */
int
rules_applies(const struct rule *r, int sysid, int write)
{
	if ((r->syscalls & SYSCALLS_MASK(sysid)) == 0)
		return 0;
	return !((r->access == RULE_ACCESS_READ && write) ||
	    (r->access == RULE_ACCESS_WRITE && !write));
}

/* Redirect destination of path under r. */
int
rules_target(const struct rule *r, const char *path, char *out, size_t len)
{
	const char *rest;
	size_t tlen;
	int n, used;

	if (len > 0)
		out[0] = '\0';
	if (r->target == NULL)
		return -EINVAL;
	if (r->match != RULE_PREFIX || !r->target_dir) {
		n = snprintf(out, len, "%s", r->target);
		return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
	}
	if ((used = pattern_prefix(r->path, path)) < 0)
		return -EINVAL;
	for (rest = path + used; *rest == '/'; rest++)
		;
	/* Exactly one '/' between the target directory and the rest. */
	for (tlen = strlen(r->target); tlen > 1 && r->target[tlen - 1] == '/';
	    tlen--)
		;
	if (*rest == '\0')
		n = snprintf(out, len, "%.*s", (int)tlen, r->target);
	else
		n = snprintf(out, len, "%.*s/%s",
		    r->target[tlen - 1] == '/' ? 0 : (int)tlen, r->target,
		    rest);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
