/* SPDX-License-Identifier: MIT */
/* A call a rule redirects: answered in place, opened, performed, emulated
 * or rewritten, with every path moved where its rule says. */
#ifndef REDIRECT_H
#define REDIRECT_H

#include <linux/seccomp.h>

#include "calls.h"
#include "notify.h"
#include "rules.h"
#include "target.h"
#include "verdict.h"

/* Answer req, whose call c (its paths read and resolved) verdict v
 * redirects. From here on t is reached only through descriptors proven
 * to be its own. */
void	redirect_call(struct notify *, const struct rule_set *rules,
	    const struct seccomp_notif *req, struct target *t,
	    struct call *c, const struct verdict *v);

#endif
