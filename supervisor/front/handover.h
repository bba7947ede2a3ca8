/* SPDX-License-Identifier: MIT */
/* Hand-over between two `unotifyd serve` on one socket: the running daemon
 * passes every seccomp listener, its targets' state and its listening
 * sockets to a starting one, and leaves only once that one holds them all. */
#ifndef HANDOVER_H
#define HANDOVER_H

#include <sys/types.h>

#include "handover_msg.h"

struct ev_loop;

struct handover;

/* What the hand-over needs from the daemon (serve_handover.c). */
struct handover_ops {
	void	*arg;
	/* Old: stop (1) or start again (0) accepting connections. */
	void	(*pause)(void *arg, int pause);
	/* Old: 1 while a connection may still add a target. */
	int	(*busy)(void *arg);
	/* Old: handover_offer_target() for each target. */
	void	(*targets)(void *arg, struct handover *h);
	/* Old: handover_offer_socket() for each listening socket. */
	void	(*sockets)(void *arg, struct handover *h);
	/* Old: the successor pid holds everything; stop serving, exit.
	 * It may handover_free() the caller's handover. */
	void	(*done)(void *arg, pid_t pid, unsigned ntargets);
	/* New: serve this target (the fd is then the daemon's: set m->fd
	 * to -1); 0 or -errno. */
	int	(*take_target)(void *arg, struct handover_msg *m);
	/* New: accept on this socket (the same for m->fd); 0 or -errno. */
	int	(*take_socket)(void *arg, struct handover_msg *m);
	/* New: drop what was taken; the old daemon keeps it all. */
	void	(*abort)(void *arg);
};


/*
 * New daemon, before it serves: take over from the daemon listening at
 * path, if any. Returns 1 when everything was taken (*from: its pid), 0 if
 * nobody listens there, or -errno after logging why (then ops->abort ran
 * and the old daemon keeps serving).
 */
int	handover_take(const char *path, const struct handover_ops *ops,
	    pid_t *from);

/*
 * Old daemon: listen at path (mode 0600, replacing a stale socket) for a
 * successor, in loop ev. NULL with -errno in *err on failure.
 */
struct handover	*handover_new(struct ev_loop *ev, const char *path,
	    const struct handover_ops *ops, int *err);
/* Stop; unlink the path too when unlink_path (nobody took it). NULL ok. */
void	handover_free(struct handover *h, int unlink_path);
/* 1 while a successor is being handed everything. */
int	handover_active(const struct handover *h);
/*
 * From ops->targets, and for a target added while a hand-over runs (call
 * it then, it does nothing otherwise): send it. str as in enum
 * handover_str ("" for unknown).
 */
void	handover_offer_target(struct handover *h, int fd, pid_t pid,
	    const char *const str[HANDOVER_NSTR]);
/* From ops->sockets. */
void	handover_offer_socket(struct handover *h, int fd, unsigned flags);
/* A connection ended: if a hand-over waited for it, it may go on. */
void	handover_poke(struct handover *h);

#endif
