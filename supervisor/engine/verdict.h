/* SPDX-License-Identifier: MIT */
/* The decision for one call, from its paths and the rules alone: a value
 * unit tests check without a kernel. */
#ifndef VERDICT_H
#define VERDICT_H

#include "act.h"
#include "rules.h"

enum verdict_kind {
	VERDICT_CONTINUE,	/* the kernel runs the call as it is */
	VERDICT_ERRNO,		/* fail it with err */
	VERDICT_REDIRECT	/* perform it with each path in by[] moved */
};

struct verdict {
	enum verdict_kind	 kind;
	int			 err;		/* VERDICT_ERRNO: positive */
	const struct rule	*rule;		/* the deciding rule, or NULL */
	const struct rule	*by[CALL_PATHS]; /* a path's redirect, or NULL */
};

/*
 * Decide c (sysid, npaths, and each path's abs, write and skip) under rules.
 * Every path is matched on its own: the first one an errno rule covers
 * fails the call; otherwise any path a redirect covers makes the call a
 * redirect, the others keeping their place; otherwise it continues.
 */
void	verdict_decide(const struct rule_set *, const struct call *,
	    struct verdict *);

#endif
