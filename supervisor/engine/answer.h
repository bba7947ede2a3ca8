/* SPDX-License-Identifier: MIT */
/* Answering a redirected call, and the -v line (and journal entry) that
 * says what was decided. */
#ifndef ANSWER_H
#define ANSWER_H

#include <linux/seccomp.h>

#include "calls.h"
#include "notify.h"
#include "rule.h"
#include "util.h"

/* err's name (ENOENT), or "?". */
const char	*answer_errname(int err);
/* With -v: one line for req's decision, "continue", "errno E" or
 * "redirect ..." (which the journal's UNOTIFYD_ANSWER tells apart). */
void		 answer_log(const struct seccomp_notif *req, const struct call *,
		    const struct rule *, const char *fmt, ...)
		    PRINTFLIKE(4, 5);
/* Answer req with fd, an open's result (consumed): inject it into the
 * target, or fail the call with its errno; dst names it in the log. */
void		 answer_fd(struct notify *, const struct seccomp_notif *req,
		    const struct call *, const struct rule *, const char *dst,
		    int fd);

#endif
