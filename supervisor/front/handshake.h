/* SPDX-License-Identifier: MIT */
/* The bytes of `unotifyd serve`'s handshake (proto.h): what a connection
 * is from its first byte, and the exec client's hello and target. Pure
 * parsing, no I/O, so that it can be fuzzed (tests/fuzz/fuzz_handshake.c). */
#ifndef HANDSHAKE_H
#define HANDSHAKE_H

#include <stddef.h>

#include "proto.h"

enum handshake_kind {
	HANDSHAKE_MORE,		/* only JSON whitespace so far */
	HANDSHAKE_OCI,		/* '{': an OCI runtime (oci.h) */
	HANDSHAKE_EXEC,		/* PROTO_MAGIC[0]: unotifyd exec */
	HANDSHAKE_UNKNOWN	/* anything else */
};

/*
 * What a connection is, from the first len bytes it sent (no NUL needed).
 * *at is set to the offset of the first byte that is not " \t\r\n" (len if
 * none); that byte decides.
 */
enum handshake_kind handshake_kind(const void *buf, size_t len, size_t *at);

/* What handshake_hello() found. */
#define HANDSHAKE_HELLO		1	/* unotifyd exec */
#define HANDSHAKE_STATUS	2	/* a status request (status.h) */

/*
 * Check a hello at the start of buf[0..len). Returns 0 if fewer than
 * sizeof(struct proto_hello) bytes are there yet, HANDSHAKE_HELLO if they
 * hold PROTO_MAGIC and PROTO_VERSION, HANDSHAKE_STATUS for
 * PROTO_STATUS_MAGIC (status.c checks the rest), or -EPROTONOSUPPORT for
 * any other magic or version.
 */
int	handshake_hello(const void *buf, size_t len);

/*
 * Read a target message at the start of buf[0..len) into *out. Returns 0
 * if fewer than sizeof(struct proto_target) bytes are there yet (*out is
 * untouched), else 1 with *out a copy whose comm is NUL-terminated. Any
 * pid is passed on: the daemon does not act on it beyond logging.
 */
int	handshake_target(const void *buf, size_t len, struct proto_target *out);

#endif
