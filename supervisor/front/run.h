/* SPDX-License-Identifier: MIT */
/* `unotifyd run` and `trace`: the command started under the filter and
 * supervised until it exits. */
#ifndef RUN_H
#define RUN_H

#include "rules.h"

/*
 * Start argv under the filter rules need (every path call too when trace)
 * and answer its notifications by rules until it has exited and no task
 * uses the filter any more; with stats, log the counters then. Returns the
 * exit status to use: 125 when unotifyd failed before starting the
 * command, 126, 127, the command's status or 128+N.
 */
int	run_command(struct rule_set *rules, char *argv[], int stats,
	    int trace);

#endif
