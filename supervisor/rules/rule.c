/* SPDX-License-Identifier: MIT */
/* One rule: its strings, its path, target and errno values, and whether it
 * applies to a call and a path. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "expand.h"
#include "pattern.h"
#include "rule.h"
#include "syscalls.h"
#include "util.h"

/* errno values are 1..4095 (the kernel's MAX_ERRNO). */
#define RULES_MAX_ERRNO	4095

/* Release the strings of one rule. */
void
rules_rule_fini(struct rule *r)
{
	free(r->name);
	free(r->file);
	free(r->path);
	free(r->target);
	memset(r, 0, sizeof(*r));
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
int
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
int
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

/*
 * errno from a name or a number 1..4095. glibc has no name-to-value call,
 * so invert strerrorname_np() once per parse (a scan per rule would make
 * 100,000 errno rules take seconds), into *errnames: NULL at first, freed by
 * the caller.
 */
int
rules_errno_parse(const char ***errnames, const char *s, int *err)
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
	if (*errnames == NULL) {
		*errnames = xcalloc(RULES_MAX_ERRNO + 1, sizeof(**errnames));
		for (e = 1; e <= RULES_MAX_ERRNO; e++)
			(*errnames)[e] = strerrorname_np(e);
	}
	for (e = 1; e <= RULES_MAX_ERRNO; e++) {
		if ((*errnames)[e] != NULL &&
		    strcmp((*errnames)[e], s) == 0) {
			*err = e;
			return 0;
		}
	}
	return -1;
}

/* Whether one rule applies to path. */
int
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

/* Whether r covers the syscall and the way it uses the path. */
int
rules_applies(const struct rule *r, int sysid, int write)
{
	if ((r->syscalls & SYSCALLS_MASK(sysid)) == 0)
		return 0;
	return !((r->access == RULE_ACCESS_READ && write) ||
	    (r->access == RULE_ACCESS_WRITE && !write));
}
