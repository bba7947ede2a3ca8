/* SPDX-License-Identifier: MIT */
/* Start the command: fork, install the filter in the child, take its
 * listener, exec. */
#ifndef SPAWN_H
#define SPAWN_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "filter.h"

/*
 * Fork a child that restores signal mask mask, dies with its parent,
 * installs f and execs argv (argv[0] searched in PATH). The listener comes
 * back over a CLOEXEC socket before exec, so the target inherits no hand-off
 * fd and makes no notified syscall before the parent holds the listener.
 * Returns 0 with *pid, *listener and *execfd set once the filter is in
 * place: the exec, a notified call itself, waits for the listener to be
 * served, and its outcome is then read from *execfd (spawn_exec_result).
 * Otherwise the child has been reaped and the return value is the exit
 * status to use (125 setup or filter) with a message in *cause (to free).
 */
int	spawn_start(const struct filter *f, char *const argv[],
	    const sigset_t *mask, pid_t *pid, int *listener, int *execfd,
	    char **cause);
/*
 * Wait on execfd (and close it) for the exec's outcome: 0 if it ran, else
 * the status the child exits with (126 not executable, 127 not found) and a
 * message in *cause (to free). Blocks until then: the listener must be
 * served meanwhile.
 */
int	spawn_exec_result(int execfd, char *const argv[], char **cause);

/* The signals forwarded to the command, and SIGCHLD. */
void	spawn_signals(sigset_t *);
/* Exit status for a command's wait status: its own, or 128+N. */
int	spawn_exit_status(int wstatus);
/* A wait status in words ("exited with status 1", "killed by signal 9
 * (Killed)"), written to buf; returns buf. */
const char *spawn_describe(int wstatus, char *buf, size_t len);

#endif
