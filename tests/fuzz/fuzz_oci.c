/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the OCI handshake reader on arbitrary bytes, fed whole,
 * split at a data-chosen point and a byte at a time: same outcome. */
#include <errno.h>

#include "fuzz.h"
#include "oci.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What one way of feeding produced. */
struct fuzz_oci_run {
	int		 ret;		/* 1, 0 (none, clean EOF), -errno */
	char		*cause;
	struct oci_msg	*msg;
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* A message's documented invariants. */
static void
fuzz_oci_check_msg(const struct oci_msg *m)
{
	FUZZ_ASSERT(m->oci_version != NULL && m->metadata != NULL, "msg");
	FUZZ_ASSERT(m->id != NULL && m->status != NULL, "msg");
	FUZZ_ASSERT(m->bundle != NULL, "msg");
	FUZZ_ASSERT(m->pid > 0, "msg");
	FUZZ_ASSERT(m->seccomp_index >= 0 &&
	    (size_t)m->seccomp_index < m->nfds, "msg");
}

/* Feed data in pieces (first of first bytes, then of step), then EOF. */
static void
fuzz_oci_feed(const uint8_t *data, size_t size, size_t first, size_t step,
    struct fuzz_oci_run *run)
{
	struct oci_reader *r = oci_reader_new();
	struct oci_msg *m;
	char *cause;
	size_t off = 0, n;
	int ret;

	run->ret = 0;
	run->cause = NULL;
	run->msg = NULL;
	while (off < size) {
		n = off == 0 && first != 0 ? first : step;
		if (n > size - off)
			n = size - off;
		ret = oci_reader_feed(r, data + off, n, &m, &cause);
		FUZZ_ASSERT(ret == 0 || ret == 1 || ret == -EBADMSG ||
		    ret == -EMSGSIZE, "feed return");
		FUZZ_ASSERT((ret < 0) == (cause != NULL), "feed cause");
		FUZZ_ASSERT((ret == 1) == (m != NULL), "feed msg");
		if (ret == 1) {
			FUZZ_ASSERT(run->msg == NULL, "second message");
			fuzz_oci_check_msg(m);
			run->msg = m;
		}
		if (ret < 0) {
			run->ret = ret;
			run->cause = cause;
			break;
		}
		off += n;
	}
	if (run->ret == 0) {
		ret = oci_reader_eof(r, &cause);
		FUZZ_ASSERT(ret == 0 || ret == -EBADMSG, "eof return");
		FUZZ_ASSERT((ret < 0) == (cause != NULL), "eof cause");
		if (ret < 0) {
			FUZZ_ASSERT(run->msg == NULL, "eof after message");
			FUZZ_ASSERT(strstr(cause, "truncated") != NULL ||
			    strstr(cause, "not JSON at") != NULL, cause);
			run->ret = ret;
			run->cause = cause;
		}
	}
	if (run->ret < 0) {
		/* A failed reader keeps failing the same way. */
		ret = oci_reader_feed(r, " ", 1, &m, &cause);
		FUZZ_ASSERT(ret == run->ret && m == NULL, "after failure");
		FUZZ_ASSERT(strcmp(cause, run->cause) == 0, cause);
		free(cause);
		/* A message followed by garbage counts as a failure. */
		oci_msg_free(run->msg);
		run->msg = NULL;
	} else if (run->msg != NULL)
		run->ret = 1;
	oci_reader_free(r);
}

/* Two runs over the same bytes must agree. */
static void
fuzz_oci_same(const struct fuzz_oci_run *a, const struct fuzz_oci_run *b,
    int same_cause)
{
	FUZZ_ASSERT(a->ret == b->ret, "outcome differs with the split");
	if (a->ret < 0 && same_cause)
		FUZZ_ASSERT(strcmp(a->cause, b->cause) == 0, b->cause);
	if (a->ret != 1)
		return;
	FUZZ_ASSERT(strcmp(a->msg->oci_version, b->msg->oci_version) == 0 &&
	    strcmp(a->msg->metadata, b->msg->metadata) == 0 &&
	    strcmp(a->msg->id, b->msg->id) == 0 &&
	    strcmp(a->msg->status, b->msg->status) == 0 &&
	    strcmp(a->msg->bundle, b->msg->bundle) == 0 &&
	    a->msg->pid == b->msg->pid && a->msg->nfds == b->msg->nfds &&
	    a->msg->seccomp_index == b->msg->seccomp_index,
	    "message differs with the split");
}

static void
fuzz_oci_run_free(struct fuzz_oci_run *run)
{
	free(run->cause);
	oci_msg_free(run->msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_oci_run whole, split, bytes;
	size_t k;
	int nul;

	if (size == 0 || size > OCI_MSG_MAX) {
		/* Too big: refused whole, whatever it holds. */
		fuzz_oci_feed(data, size, 0, size ? size : 1, &whole);
		FUZZ_ASSERT(size == 0 ? whole.ret == 0 : whole.ret == -EMSGSIZE,
		    "size");
		fuzz_oci_run_free(&whole);
		return 0;
	}
	/* The NUL check runs per chunk, before json-c: only its cause moves. */
	nul = memchr(data, '\0', size) != NULL;
	k = 1 + data[0] % size;
	fuzz_oci_feed(data, size, 0, size, &whole);
	fuzz_oci_feed(data, size, k, size, &split);
	fuzz_oci_feed(data, size, 0, 1, &bytes);
	fuzz_oci_same(&whole, &split, !nul);
	fuzz_oci_same(&whole, &bytes, !nul);
	fuzz_oci_run_free(&whole);
	fuzz_oci_run_free(&split);
	fuzz_oci_run_free(&bytes);
	return 0;
}
