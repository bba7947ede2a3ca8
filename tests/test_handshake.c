/* SPDX-License-Identifier: MIT */
/* Unit tests for supervisor/front/handshake.c: what a connection to `unotifyd
 * serve` is from its first bytes, and the exec client's hello and target. */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "handshake.h"

Test(handshake, kind_from_the_first_non_space_byte)
{
	size_t at;

	cr_assert(eq(int, handshake_kind("", 0, &at), HANDSHAKE_MORE));
	cr_assert(eq(sz, at, 0));
	cr_assert(eq(int, handshake_kind(" \r\n\t", 4, &at), HANDSHAKE_MORE));
	cr_assert(eq(sz, at, 4));
	cr_assert(eq(int, handshake_kind("\n {", 3, &at), HANDSHAKE_OCI));
	cr_assert(eq(sz, at, 2));
	cr_assert(eq(int, handshake_kind("UNOTIFYD", 8, &at), HANDSHAKE_EXEC));
	cr_assert(eq(int, handshake_kind("\0{", 2, &at), HANDSHAKE_UNKNOWN));
	cr_assert(eq(sz, at, 0));
	cr_assert(eq(int, handshake_kind("\v{", 2, &at), HANDSHAKE_UNKNOWN));
}

Test(handshake, hello_needs_the_magic_and_the_version)
{
	struct proto_hello h = { .version = PROTO_VERSION };
	char buf[sizeof(h) + 1];

	memcpy(h.magic, PROTO_MAGIC, sizeof(h.magic));
	memcpy(buf + 1, &h, sizeof(h));	/* unaligned, as a socket gives */
	cr_assert(eq(int, handshake_hello(buf + 1, sizeof(h) - 1), 0));
	cr_assert(eq(int, handshake_hello(buf + 1, sizeof(h)),
	    HANDSHAKE_HELLO));
	h.version = PROTO_VERSION + 1;
	cr_assert(eq(int, handshake_hello(&h, sizeof(h)), -EPROTONOSUPPORT));
	h.version = PROTO_VERSION;
	h.magic[7] = 'X';
	cr_assert(eq(int, handshake_hello(&h, sizeof(h)), -EPROTONOSUPPORT));
	memcpy(h.magic, PROTO_STATUS_MAGIC, sizeof(h.magic));
	cr_assert(eq(int, handshake_hello(&h, sizeof(h)), HANDSHAKE_STATUS));
}

Test(handshake, target_comm_is_terminated)
{
	struct proto_target in, out = { .pid = -1 };

	memset(&in, 'x', sizeof(in));
	in.pid = 4242;
	cr_assert(eq(int, handshake_target(&in, sizeof(in) - 1, &out), 0));
	cr_assert(eq(int, out.pid, -1));
	cr_assert(eq(int, handshake_target(&in, sizeof(in), &out), 1));
	cr_assert(eq(int, out.pid, 4242));
	cr_assert(eq(sz, strlen(out.comm), sizeof(out.comm) - 1));
}
