/* SPDX-License-Identifier: MIT */
/* The redirected open: performed by the receiver, or by a worker thread
 * when it may block and no other receiver is free; cut short once its
 * notification dies. */
#ifndef OPENER_H
#define OPENER_H

#include <linux/seccomp.h>

#include "calls.h"
#include "notify.h"
#include "rules.h"
#include "target.h"

/* Open dst (the redirect of c by rule r, which may be freed once this
 * returns) for req's target t, following symlinks back into redirected
 * sources by rules, and answer req with the descriptor or an errno. */
void	opener_redirect(struct notify *, const struct rule_set *rules,
	    const struct seccomp_notif *req, struct target *t,
	    const struct call *c, const struct rule *r, char *dst);

#endif
