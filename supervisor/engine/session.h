/* SPDX-License-Identifier: MIT */
/* One listener's receivers: threads that wait in RECV themselves, then
 * decide and answer each notification; `run` and `serve` both supervise
 * through them. */
#ifndef SESSION_H
#define SESSION_H

#include "notify.h"
#include "rules.h"

struct session;

struct session_ops {
	/* Called once, from a receiver, when no task uses the filter any
	 * more or RECV fails (err: 0 or the -errno), unless session_end came
	 * first. */
	void	(*done)(void *arg, int err);
	void	*arg;
	/* Names the target in -v lines and the journal; may be NULL. Kept
	 * for the session's life. */
	const char *label;
	const char *fields;
};

/*
 * Start receivers on n (as many as the CPUs we may run on, up to 2), each
 * answering by rules. counted: rules is a heap set others hold too
 * (rules_hold), which the session holds until replaced or ended (and
 * each receiver until its next call after that); else it must outlive
 * the session. NULL (errno set) if no thread could start, or
 * past SESSION_THREADS_MAX threads in all. Before Linux 6.11 a RECV does
 * not end when no task uses the filter any more: there the owner watches
 * for that (notify_gone) and ends the session, interrupting it.
 */
struct session	*session_start(struct notify *n, struct rule_set *rules,
		    int counted, const struct session_ops *ops);
/* Answer later notifications by rules (counted, as at the start). */
void		 session_set_rules(struct session *, struct rule_set *rules);
/*
 * No ops->done after this. interrupt: wake receivers waiting in RECV (or
 * in an open that a signal ends) and make them leave; else wait for them
 * to leave on their own. Joins them within ms, then lets go of the session:
 * any still running (an open nothing interrupts, a hung FUSE server) free
 * what they hold when they return. Returns how many were still running.
 */
int		 session_end(struct session *, int interrupt, int ms);

#define SESSION_RECEIVERS	2
#define SESSION_THREADS_MAX	1024

#endif
