/* SPDX-License-Identifier: MIT */
/* The wire protocol between `unotifyd exec` and `unotifyd serve`. An OCI
 * runtime's first byte is '{'; an exec client's is PROTO_MAGIC's 'U'. */
#ifndef PROTO_H
#define PROTO_H

#include <stdint.h>

#define PROTO_MAGIC	"UNOTIFYD"	/* 8 bytes, no NUL on the wire */
/* A status request instead of a hello: the same struct with this magic,
 * nothing else on the connection; the daemon answers with its counters as
 * one JSON object (report.h) and closes. */
#define PROTO_STATUS_MAGIC "UNOTSTAT"
#define PROTO_VERSION	2

/* client -> daemon: who is asking. */
struct proto_hello {
	char		magic[8];
	uint32_t	version;
	uint32_t	reserved;
};

/* daemon -> client: what to notify, or why not (positive errno). */
struct proto_filter {
	uint32_t	version;
	uint32_t	mask;		/* SYSCALLS_MASK bits 0-31 */
	int32_t		error;
	uint32_t	mask_hi;	/* ... and 32-63 (version 2) */
};

/* client -> daemon, with the listener fd (SCM_RIGHTS): the started
 * command. */
struct proto_target {
	int32_t		pid;
	uint32_t	reserved;
	char		comm[64];	/* NUL-terminated, for logs */
};

/* daemon -> client: 0 once the daemon serves the listener, else errno. */
struct proto_ack {
	int32_t		error;
	uint32_t	reserved;
};

#endif
