/* SPDX-License-Identifier: MIT */
/* The libev loop of `unotifyd run`: the listener, signals, the child. */
#ifndef LOOP_H
#define LOOP_H

#include <sys/types.h>

#include "notify.h"
#include "rules.h"

/*
 * Serve notifications from n by rules until the child has exited and no
 * task uses the filter any more (orphaned grandchildren keep it), forwarding
 * TERM INT HUP QUIT USR1 USR2 from sigfd (a signalfd that also carries
 * SIGCHLD) to the child, and telling why its exec of argv failed when
 * execfd (spawn_start's, closed here) says so. Returns the child's wait
 * status, or -1 if the loop could not start.
 */
int	loop_run(struct notify *n, const struct rule_set *rules, pid_t child,
	    int sigfd, int execfd, char *const argv[]);

#endif
