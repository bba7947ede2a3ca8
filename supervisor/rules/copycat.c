/* SPDX-License-Identifier: MIT */
/* copycat compatibility: "SRC DST" lines (as in the COPYCAT environment
 * variable) turned into literal exact or prefix redirect rules. */
#include <stdlib.h>
#include <string.h>

#include "copycat.h"
#include "expand.h"
#include "syscalls.h"
#include "util.h"

#define COPYCAT_SPACE	" \t\r\v\f"

/* Expand one field, which must be absolute; adds a cause otherwise. */
static int
copycat_field(const char *in, char **out, const char *origin, unsigned line,
    struct causes *causes)
{
	const char *why;

	if (expand_path(in, out, &why) == -1) {
		causes_add(causes, "%s:%u: '%s': %s", origin, line, in, why);
		return -1;
	}
	if ((*out)[0] != '/') {
		causes_add(causes, "%s:%u: '%s' is not absolute", origin, line,
		    in);
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/*
 * Parse one line of n bytes. Fields are found in a copy so that the text
 * stays untouched.
 */
static void
copycat_line(struct rule_set *set, const char *text, size_t n,
    const char *origin, unsigned line, struct causes *causes)
{
	cleanup_free char *copy = xstrndup(text, n);
	cleanup_free char *src = NULL, *dst = NULL;
	char *field[3], *save = NULL, *tok;
	struct rule *r;
	size_t nf = 0;

	for (tok = strtok_r(copy, COPYCAT_SPACE, &save); tok != NULL;
	    tok = strtok_r(NULL, COPYCAT_SPACE, &save)) {
		if (nf == 0 && tok[0] == '#')
			return;
		if (nf < nitems(field))
			field[nf] = tok;
		nf++;
	}
	if (nf == 0)
		return;
	if (nf != 2) {
		causes_add(causes, "%s:%u: expected 'SRC DST'", origin, line);
		return;
	}
	if (copycat_field(field[0], &src, origin, line, causes) == -1 ||
	    copycat_field(field[1], &dst, origin, line, causes) == -1)
		return;

	r = rules_append(set);
	r->match = src[strlen(src) - 1] == '/' ? RULE_PREFIX : RULE_EXACT;
	r->target_dir = r->match == RULE_PREFIX && dst[strlen(dst) - 1] == '/';
	r->path = steal_pointer(&src);
	r->target = steal_pointer(&dst);
	r->action = RULE_REDIRECT;
	r->syscalls = SYSCALLS_ALL;
	r->access = RULE_ACCESS_ANY;
	r->file = xstrdup(origin);
	r->line = line;
	xasprintf(&r->name, "%s:%u", origin, line);
}

/* Parse copycat text into set. */
int
copycat_parse(struct rule_set *set, const char *text, const char *origin,
    struct causes *causes)
{
	struct rule_set tmp;
	const char *p, *nl;
	size_t before = causes->n;
	unsigned line = 0;

	rules_init(&tmp);
	for (p = text; *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		nl = strchrnul(p, '\n');
		copycat_line(&tmp, p, nl - p, origin, ++line, causes);
	}
	rules_merge(set, &tmp, causes);
	return causes->n == before ? 0 : -1;
}
