/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the agent hand-over records (handover_msg.c) as an old
 * daemon could send them: decoded with 0-2 descriptors, a refused record
 * takes none and says why, an accepted one encodes back to a record that
 * decodes to the same message. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "fuzz.h"
#include "handover.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Two decoded messages say the same (descriptors aside). */
static void
fuzz_same(const struct handover_msg *a, const struct handover_msg *b)
{
	int i;

	FUZZ_ASSERT(a->type == b->type && a->pid == b->pid &&
	    a->flags == b->flags && a->ntargets == b->ntargets &&
	    a->nsockets == b->nsockets && a->error == b->error, "round trip");
	for (i = 0; i < HANDOVER_NSTR; i++) {
		FUZZ_ASSERT((a->str[i] == NULL) == (b->str[i] == NULL),
		    "round trip");
		FUZZ_ASSERT(a->str[i] == NULL ||
		    strcmp(a->str[i], b->str[i]) == 0, "round trip");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t again[HANDOVER_MSG_MAX + 64];
	struct handover_msg m, m2;
	int fds[2], fds2[2], i, r, taken;
	size_t nfds;
	ssize_t n;
	char *cause;

	if (size == 0)
		return 0;
	nfds = data[0] % 3;
	data++;
	size--;
	for (i = 0; i < (int)nfds; i++)
		if ((fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
			abort();
	r = handover_decode(data, size, fds, nfds, &m, &cause);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -EPROTO, "decode return");
	FUZZ_ASSERT((r == 0) == (cause == NULL), "decode cause");
	if (r < 0) {
		/* Nothing taken: every descriptor is still ours to close. */
		for (i = 0; i < (int)nfds; i++)
			FUZZ_ASSERT(close(fds[i]) == 0, cause);
		free(cause);
		return 0;
	}
	taken = m.fd >= 0;
	FUZZ_ASSERT(!taken || (nfds >= 1 && m.fd == fds[0]), "fd taken");
	for (i = taken; i < (int)nfds; i++)
		close(fds[i]);
	for (i = 0; i < HANDOVER_NSTR; i++)
		FUZZ_ASSERT(m.str[i] == NULL ||
		    strlen(m.str[i]) <= HANDOVER_STR_MAX, "string");
	n = handover_encode(&m, again, sizeof(again));
	FUZZ_ASSERT(n > 0 && (size_t)n <= HANDOVER_MSG_MAX, "encode");
	for (i = 0; i < (int)nfds; i++)
		if ((fds2[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
			abort();
	r = handover_decode(again, (size_t)n, fds2, nfds, &m2, &cause);
	FUZZ_ASSERT(r == 0, cause != NULL ? cause : "re-decode");
	fuzz_same(&m, &m2);
	for (i = m2.fd >= 0; i < (int)nfds; i++)
		close(fds2[i]);
	handover_msg_fini(&m);
	handover_msg_fini(&m2);
	return 0;
}
