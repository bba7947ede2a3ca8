/* SPDX-License-Identifier: MIT */
/* The decision for one call, from its paths and the rules alone. */
#include <string.h>

#include "verdict.h"

void
verdict_decide(const struct rule_set *rules, const struct call *c,
    struct verdict *v)
{
	const struct rule *r, *first = NULL;
	int i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < c->npaths; i++) {
		if (c->p[i].skip)
			continue;
		r = rules_match(rules, c->p[i].abs, c->sysid, c->p[i].write);
		if (r == NULL || r->action == RULE_CONTINUE) {
			if (first == NULL)
				first = r;
			continue;
		}
		if (r->action == RULE_ERRNO) {
			v->kind = VERDICT_ERRNO;
			v->err = r->err;
			v->rule = r;
			memset(v->by, 0, sizeof(v->by));
			return;
		}
		if (v->kind != VERDICT_REDIRECT) {
			v->kind = VERDICT_REDIRECT;
			v->rule = r;
		}
		v->by[i] = r;
	}
	if (v->kind == VERDICT_CONTINUE)
		v->rule = first;
}
