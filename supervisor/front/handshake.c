/* SPDX-License-Identifier: MIT */
/* Parsing of the handshake bytes a client sends `unotifyd serve`. */
#include <errno.h>
#include <string.h>

#include "handshake.h"

enum handshake_kind
handshake_kind(const void *buf, size_t len, size_t *at)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
	    p[i] == '\n'); i++)
		;
	*at = i;
	if (i == len)
		return HANDSHAKE_MORE;
	if (p[i] == '{')
		return HANDSHAKE_OCI;
	if (p[i] == (unsigned char)PROTO_MAGIC[0])
		return HANDSHAKE_EXEC;
	return HANDSHAKE_UNKNOWN;
}

int
handshake_hello(const void *buf, size_t len)
{
	struct proto_hello hello;

	if (len < sizeof(hello))
		return 0;
	/* A copy: buf need not be aligned for the uint32_t members. */
	memcpy(&hello, buf, sizeof(hello));
	if (memcmp(hello.magic, PROTO_STATUS_MAGIC, sizeof(hello.magic)) == 0)
		return HANDSHAKE_STATUS;
	if (memcmp(hello.magic, PROTO_MAGIC, sizeof(hello.magic)) != 0 ||
	    hello.version != PROTO_VERSION)
		return -EPROTONOSUPPORT;
	return HANDSHAKE_HELLO;
}

int
handshake_target(const void *buf, size_t len, struct proto_target *out)
{
	if (len < sizeof(*out))
		return 0;
	memcpy(out, buf, sizeof(*out));
	out->comm[sizeof(out->comm) - 1] = '\0';
	return 1;
}
