/* SPDX-License-Identifier: MIT */
/* Hand-over messages: their format (strictly validated) and their socket. */
#ifndef HANDOVER_MSG_H
#define HANDOVER_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sockaddr_un;

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

/* "<socket>.handover", allocated. */
char	*handover_path(const char *socket);
/* sun for the socket at path; 0 or -ENAMETOOLONG. */
int	handover_sockaddr(const char *path, struct sockaddr_un *sun);

/* "HELLO", "TARGET"..., or "unknown". */
const char *handover_type_name(unsigned type);
/* Encode and send m (with fd if >= 0) as one record; 0 or -errno. */
int	handover_send(int sock, const struct handover_msg *m, int fd);
/*
 * Receive one record within timeout_ms (-1: as long as it takes) and
 * decode it. 0, -EPIPE at EOF, -ETIMEDOUT, or a decode error (*cause set).
 */
int	handover_recv(int sock, int timeout_ms, struct handover_msg *m,
	    char **cause);
/*
 * The other end must be root (or, for a daemon that is not root, its own
 * user): the socket is 0600 already, this also covers a socket made by
 * someone else at the path. 0 or -EPERM with a cause.
 */
int	handover_peer_check(int sock, pid_t *pid, char **cause);

#endif
