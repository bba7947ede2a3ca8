/* SPDX-License-Identifier: MIT */
/* `unotifyd exec`: run a command supervised by a running `unotifyd serve`. */
#ifndef CLIENT_H
#define CLIENT_H

/*
 * Ask the daemon at path which syscalls to notify, start argv under that
 * filter, hand its listener to the daemon and wait for it. Returns the exit
 * status to use, as `run` does (125 when the daemon cannot be reached or
 * refuses, 126, 127, the command's status or 128+N).
 */
int	client_exec(const char *path, char *argv[]);

#endif
