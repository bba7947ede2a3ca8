/* SPDX-License-Identifier: MIT */
/* Hand-over between two `unotifyd serve` on one socket: the running daemon
 * passes every seccomp listener, its targets' state and its listening
 * sockets to a starting one, and leaves only once that one holds them all. */
#ifndef HANDOVER_H
#define HANDOVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ev_loop;

/*
 * The wire format. Both ends are root on one host: native byte order. Each
 * message is one SOCK_SEQPACKET record: a struct handover_hdr, then exactly
 * hdr.len payload bytes, the payload of its type. TARGET and SOCKET carry
 * exactly one descriptor (SCM_RIGHTS), the others none. Reserved fields and
 * unknown flags must be 0. Anything else is refused whole.
 *
 *	new -> old	HELLO
 *	old -> new	TARGET... SOCKET... END		(TARGETs may follow
 *							 SOCKETs: none do now)
 *	new -> old	ACK	(ntargets = TARGETs received, error 0)
 *
 * The old daemon keeps serving its listeners until a good ACK arrives, and
 * again if anything fails; the new one serves them only after END.
 */
#define HANDOVER_MAGIC		"UNOTIFYH"	/* 8 bytes, no NUL */
#define HANDOVER_VERSION	1
#define HANDOVER_SUFFIX		".handover"	/* path: the socket's + this */
#define HANDOVER_STR_MAX	4096		/* bytes in one string */

enum handover_type {
	HANDOVER_HELLO = 1,
	HANDOVER_TARGET,
	HANDOVER_SOCKET,
	HANDOVER_END,
	HANDOVER_ACK
};

/* The strings of a TARGET, in wire order. */
enum handover_str {
	HANDOVER_STR_NAME,	/* 1..HANDOVER_STR_MAX bytes */
	HANDOVER_STR_METADATA,	/* listenerMetadata (the rule choice) */
	HANDOVER_STR_NAMESPACE,	/* "" or a name pods_name_valid() takes */
	HANDOVER_STR_POD,
	HANDOVER_STR_CONTAINER,
	HANDOVER_NSTR
};

struct handover_hdr {
	char		magic[8];
	uint16_t	version;
	uint16_t	type;
	uint32_t	len;		/* payload bytes after the header */
};

struct handover_hello {
	uint32_t	flags;		/* none defined */
	uint32_t	reserved;
};

/* Followed by the HANDOVER_NSTR strings, len[i] bytes each, no NULs. */
struct handover_target {
	int32_t		pid;		/* > 0 */
	uint16_t	len[HANDOVER_NSTR];
	uint16_t	reserved;
};

#define HANDOVER_SOCKET_OWN	0x1	/* made by the old daemon at the path
					   (else inherited from systemd) */
struct handover_socket {
	uint32_t	flags;
	uint32_t	reserved;
};

struct handover_end {
	uint32_t	ntargets;	/* TARGETs sent */
	uint32_t	nsockets;	/* SOCKETs sent, >= 1 */
};

struct handover_ack {
	uint32_t	ntargets;
	int32_t		error;		/* 0, or the positive errno refusing */
};

#define HANDOVER_MSG_MAX	(sizeof(struct handover_hdr) + \
	sizeof(struct handover_target) + HANDOVER_NSTR * HANDOVER_STR_MAX)

/* A decoded message. */
struct handover_msg {
	enum handover_type	 type;
	int			 fd;	/* TARGET, SOCKET: owned; else -1 */
	pid_t			 pid;	/* TARGET */
	char			*str[HANDOVER_NSTR]; /* TARGET: owned */
	uint32_t		 flags;	/* HELLO, SOCKET */
	uint32_t		 ntargets; /* END, ACK */
	uint32_t		 nsockets; /* END */
	int			 error;	/* ACK */
};

/*
 * Validate one received record of len bytes with the nfds descriptors that
 * came with it. Returns 0 with *m filled (it then owns fds[0] if its type
 * carries one; release with handover_msg_fini), or -EBADMSG (-EPROTO for
 * another version) with an allocated cause the caller frees; nothing is
 * taken then: the caller closes the fds. *m and *cause are cleared first.
 */
int	handover_decode(const void *buf, size_t len, const int *fds,
	    size_t nfds, struct handover_msg *m, char **cause);
/*
 * Encode m (its fd aside) into buf of size bytes. Returns the length, or
 * -EINVAL if m is not valid as handover_decode() checks it, -EMSGSIZE if
 * buf is too small.
 */
ssize_t	handover_encode(const struct handover_msg *m, void *buf,
	    size_t size);
/* Close the fd and free the strings; m is left empty. */
void	handover_msg_fini(struct handover_msg *m);

struct handover;

/* What the hand-over needs from the daemon (serve.c). */
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

/* "<socket>.handover", allocated. */
char	*handover_path(const char *socket);

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
