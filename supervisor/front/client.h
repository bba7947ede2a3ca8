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
/* A blocking connection to the daemon's socket at path, with send and
 * receive timeouts; the fd, or -1 with errno set. */
int	client_connect(const char *path);

#endif
