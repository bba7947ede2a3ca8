/* SPDX-License-Identifier: MIT */
/* Which signals `unotifyd run` and `exec` pass on to their command: each
 * one once, however its sender addressed it. */
#ifndef SIGFWD_H
#define SIGFWD_H

#include <sys/signalfd.h>
#include <sys/types.h>

/* What is known about the senders that signal whole groups. */
struct sigfwd {
	pid_t	 manager;	/* our systemd manager, or 0 */
	int	 manager_all;	/* it signals the whole cgroup on stop
				   (KillMode=control-group) */
};

/*
 * Learn, once before any signal can matter, whether our parent is a
 * systemd manager (PID 1, or $MANAGERPID) that signals every process of
 * the unit (its KillMode read over D-Bus; any failure: assume not).
 */
void	sigfwd_init(struct sigfwd *);

/*
 * 1 if the signal described by si must be sent on to child, 0 if it
 * reached the child already: a terminal's (SI_KERNEL, the command shares
 * our process group when there is a terminal), or one from a manager that
 * signals the whole cgroup, which child shares.
 */
int	sigfwd_wanted(const struct sigfwd *, const struct signalfd_siginfo *si,
	    pid_t child);

#endif
