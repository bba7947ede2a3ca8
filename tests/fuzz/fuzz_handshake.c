/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the first bytes of a connection to `unotifyd serve`
 * (handshake.c): its kind from every prefix, then the exec client's hello
 * and target message read from wherever the input puts them. */
#include <errno.h>

#include "fuzz.h"
#include "handshake.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* The kind of each prefix is "more" until the deciding byte, then fixed. */
static void
fuzz_handshake_kind(const uint8_t *data, size_t size)
{
	enum handshake_kind whole, k;
	size_t at, at2, i;

	whole = handshake_kind(data, size, &at);
	FUZZ_ASSERT(at <= size, "at");
	for (i = 0; i < at; i++)
		FUZZ_ASSERT(strchr(" \t\r\n", data[i]) != NULL &&
		    data[i] != '\0', "skipped a non-space");
	if (at == size)
		FUZZ_ASSERT(whole == HANDSHAKE_MORE, "all space");
	else
		FUZZ_ASSERT(whole == (data[at] == '{' ? HANDSHAKE_OCI :
		    data[at] == 'U' ? HANDSHAKE_EXEC : HANDSHAKE_UNKNOWN),
		    "kind");
	for (i = 0; i <= size && i <= at + 1; i++) {
		k = handshake_kind(data, i, &at2);
		FUZZ_ASSERT(i <= at ? k == HANDSHAKE_MORE && at2 == i :
		    k == whole && at2 == at, "prefix changes the kind");
	}
}

/* A hello passes exactly with the magic and the version; a target comes
 * out NUL-terminated and otherwise as sent; short input is "more". */
static void
fuzz_handshake_exec(const uint8_t *data, size_t size)
{
	static const struct proto_target canary = { .pid = -7 };
	struct proto_target pt;
	struct proto_hello h;
	uint8_t *copy;
	size_t i;
	int r;

	/* Unaligned on purpose: a socket buffer has no alignment to give. */
	if ((copy = malloc(size + 1)) == NULL)
		abort();
	memcpy(copy + 1, data, size);
	for (i = 0; i <= size && i <= sizeof(h) + 1; i++) {
		r = handshake_hello(copy + 1, i);
		if (i < sizeof(h)) {
			FUZZ_ASSERT(r == 0, "short hello");
			continue;
		}
		memcpy(&h, data, sizeof(h));
		FUZZ_ASSERT(r == (memcmp(h.magic, PROTO_STATUS_MAGIC, 8) == 0 ?
		    HANDSHAKE_STATUS : memcmp(h.magic, PROTO_MAGIC, 8) == 0 &&
		    h.version == PROTO_VERSION ? HANDSHAKE_HELLO :
		    -EPROTONOSUPPORT), "hello");
	}
	for (i = 0; i <= size && i <= sizeof(pt) + 1; i++) {
		pt = canary;
		r = handshake_target(copy + 1, i, &pt);
		if (i < sizeof(pt)) {
			FUZZ_ASSERT(r == 0 && memcmp(&pt, &canary,
			    sizeof(pt)) == 0, "short target");
			continue;
		}
		FUZZ_ASSERT(r == 1, "target");
		FUZZ_ASSERT(memchr(pt.comm, '\0', sizeof(pt.comm)) != NULL,
		    "comm not terminated");
		FUZZ_ASSERT(memcmp(&pt, data, offsetof(struct proto_target,
		    comm) + sizeof(pt.comm) - 1) == 0, "target altered");
	}
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_handshake_kind(data, size);
	fuzz_handshake_exec(data, size);
	/* The target follows the hello in the same bytes (serve_conn.c). */
	if (size > sizeof(struct proto_hello))
		fuzz_handshake_exec(data + sizeof(struct proto_hello),
		    size - sizeof(struct proto_hello));
	return 0;
}
