/* SPDX-License-Identifier: MIT */
/* Decide and answer one notification: continue, an errno, or a redirect. */
#ifndef DISPATCH_H
#define DISPATCH_H

#include <linux/seccomp.h>

#include "notify.h"
#include "rules.h"

/*
 * Answer req according to rules. Never fails: every error is answered with
 * an errno to the target (or dropped when the target is gone) and logged.
 * The caller's umask must be 0: modes are masked with the target's umask.
 */
void	dispatch_notification(struct notify *, const struct rule_set *,
	    const struct seccomp_notif *);

#endif
