/* SPDX-License-Identifier: MIT */
/* Unit tests for supervisor/front/handover_msg.c: the hand-over message
 * format, its round trip and every way a record is refused. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "handover.h"

/* A target message with these strings. */
static struct handover_msg
target(const char *name, const char *meta, const char *ns, const char *pod,
    const char *ctr)
{
	struct handover_msg m = { .type = HANDOVER_TARGET, .fd = -1,
	    .pid = 4242 };

	m.str[HANDOVER_STR_NAME] = (char *)name;
	m.str[HANDOVER_STR_METADATA] = (char *)meta;
	m.str[HANDOVER_STR_NAMESPACE] = (char *)ns;
	m.str[HANDOVER_STR_POD] = (char *)pod;
	m.str[HANDOVER_STR_CONTAINER] = (char *)ctr;
	return m;
}

/* Decode buf[0..len) with one fake descriptor when nfds is 1. */
static int
decode(const void *buf, size_t len, size_t nfds, struct handover_msg *m,
    char **cause)
{
	int fds[1] = { 99 };

	return handover_decode(buf, len, fds, nfds, m, cause);
}

/* Assert that decoding fails with err and a cause holding want. */
static void
refused(const void *buf, size_t len, size_t nfds, int err, const char *want)
{
	struct handover_msg m;
	char *cause = NULL;

	cr_assert(eq(int, decode(buf, len, nfds, &m, &cause), err),
	    "cause: %s", cause ? cause : "(none)");
	cr_assert(ne(ptr, cause, NULL));
	cr_assert(ne(ptr, strstr(cause, want), NULL), "cause \"%s\" lacks "
	    "\"%s\"", cause, want);
	cr_assert(eq(int, m.fd, -1));
	cr_assert(eq(ptr, m.str[0], NULL));
	free(cause);
}

Test(handover, target_round_trip)
{
	struct handover_msg in = target("ctr-1", "rules=web", "prod", "web-0",
	    "nginx"), out;
	unsigned char buf[HANDOVER_MSG_MAX];
	char *cause = NULL;
	ssize_t n;

	n = handover_encode(&in, buf, sizeof(buf));
	cr_assert(gt(sz, (size_t)n, sizeof(struct handover_hdr)));
	cr_assert(eq(int, decode(buf, (size_t)n, 1, &out, &cause), 0), "%s",
	    cause);
	cr_assert(eq(int, out.type, HANDOVER_TARGET));
	cr_assert(eq(int, out.pid, 4242));
	cr_assert(eq(int, out.fd, 99));
	cr_assert(eq(str, out.str[HANDOVER_STR_NAME], "ctr-1"));
	cr_assert(eq(str, out.str[HANDOVER_STR_METADATA], "rules=web"));
	cr_assert(eq(str, out.str[HANDOVER_STR_NAMESPACE], "prod"));
	cr_assert(eq(str, out.str[HANDOVER_STR_POD], "web-0"));
	cr_assert(eq(str, out.str[HANDOVER_STR_CONTAINER], "nginx"));
	out.fd = -1;
	handover_msg_fini(&out);

	/* Unknown names travel as "". */
	in = target("sh", NULL, NULL, NULL, NULL);
	n = handover_encode(&in, buf, sizeof(buf));
	cr_assert(eq(int, decode(buf, (size_t)n, 1, &out, &cause), 0), "%s",
	    cause);
	cr_assert(eq(str, out.str[HANDOVER_STR_METADATA], ""));
	cr_assert(eq(str, out.str[HANDOVER_STR_CONTAINER], ""));
	out.fd = -1;
	handover_msg_fini(&out);
}

Test(handover, fixed_round_trips)
{
	struct handover_msg in[] = {
		{ .type = HANDOVER_HELLO, .fd = -1 },
		{ .type = HANDOVER_SOCKET, .fd = -1,
		    .flags = HANDOVER_SOCKET_OWN },
		{ .type = HANDOVER_END, .fd = -1, .ntargets = 7,
		    .nsockets = 2 },
		{ .type = HANDOVER_ACK, .fd = -1, .ntargets = 7 },
		{ .type = HANDOVER_ACK, .fd = -1, .error = EPERM },
	};
	unsigned char buf[64];
	struct handover_msg out;
	char *cause = NULL;
	size_t i;
	ssize_t n;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		n = handover_encode(&in[i], buf, sizeof(buf));
		cr_assert(gt(sz, (size_t)n, 0));
		cr_assert(eq(int, decode(buf, (size_t)n, in[i].type ==
		    HANDOVER_SOCKET, &out, &cause), 0), "%zu: %s", i, cause);
		cr_assert(eq(int, out.type, in[i].type));
		cr_assert(eq(u32, out.flags, in[i].flags));
		cr_assert(eq(u32, out.ntargets, in[i].ntargets));
		cr_assert(eq(u32, out.nsockets, in[i].nsockets));
		cr_assert(eq(int, out.error, in[i].error));
		cr_assert(eq(int, out.fd, in[i].type == HANDOVER_SOCKET ? 99 :
		    -1));
	}
}

Test(handover, encode_refuses_invalid)
{
	struct handover_msg m = target("", NULL, NULL, NULL, NULL);
	unsigned char buf[HANDOVER_MSG_MAX];
	char *big = malloc(HANDOVER_STR_MAX + 2);

	cr_assert(eq(long, handover_encode(&m, buf, sizeof(buf)), -EINVAL));
	m = target("x", NULL, "bad ns", NULL, NULL);
	cr_assert(eq(long, handover_encode(&m, buf, sizeof(buf)), -EINVAL));
	memset(big, 'a', HANDOVER_STR_MAX + 1);
	big[HANDOVER_STR_MAX + 1] = '\0';
	m = target("x", big, NULL, NULL, NULL);
	cr_assert(eq(long, handover_encode(&m, buf, sizeof(buf)), -EINVAL));
	big[HANDOVER_STR_MAX] = '\0';
	cr_assert(gt(long, handover_encode(&m, buf, sizeof(buf)), 0));
	cr_assert(eq(long, handover_encode(&m, buf, 100), -EMSGSIZE));
	m = target("x", NULL, NULL, NULL, NULL);
	m.pid = 0;
	cr_assert(eq(long, handover_encode(&m, buf, sizeof(buf)), -EINVAL));
	m = (struct handover_msg){ .type = HANDOVER_END, .fd = -1 };
	cr_assert(eq(long, handover_encode(&m, buf, sizeof(buf)), -EINVAL));
	m = (struct handover_msg){ .type = 9, .fd = -1 };
	cr_assert(eq(long, handover_encode(&m, buf, sizeof(buf)), -EINVAL));
	free(big);
}

/* A valid TARGET for ctr/prod/web/nginx in buf; its length. */
static size_t
good_target(unsigned char *buf)
{
	struct handover_msg m = target("ctr", "", "prod", "web", "nginx");
	ssize_t n = handover_encode(&m, buf, HANDOVER_MSG_MAX);

	cr_assert(gt(long, n, 0));
	return (size_t)n;
}

Test(handover, header_checks)
{
	unsigned char buf[HANDOVER_MSG_MAX + 8];
	struct handover_hdr h;
	size_t n = good_target(buf);

	refused(buf, 3, 1, -EBADMSG, "shorter than a header");
	buf[0] = 'X';
	refused(buf, n, 1, -EBADMSG, "bad magic");
	n = good_target(buf);
	memcpy(&h, buf, sizeof(h));
	h.version = 2;
	memcpy(buf, &h, sizeof(h));
	refused(buf, n, 1, -EPROTO, "protocol version 2");
	h.version = HANDOVER_VERSION;
	h.type = 0;
	memcpy(buf, &h, sizeof(h));
	refused(buf, n, 1, -EBADMSG, "unknown message type 0");
	h.type = 6;
	memcpy(buf, &h, sizeof(h));
	refused(buf, n, 1, -EBADMSG, "unknown message type 6");
	h.type = HANDOVER_TARGET;
	memcpy(buf, &h, sizeof(h));
	/* One byte more, or less, than the header says. */
	refused(buf, n + 1, 1, -EBADMSG, "header says");
	refused(buf, n - 1, 1, -EBADMSG, "header says");
	/* A descriptor too few, or too many. */
	refused(buf, n, 0, -EBADMSG, "TARGET with 0 descriptors, not 1");
	refused(buf, n, 2, -EBADMSG, "TARGET with 2 descriptors, not 1");
}

Test(handover, fixed_size_and_descriptors)
{
	struct handover_msg hello = { .type = HANDOVER_HELLO, .fd = -1 };
	unsigned char buf[64];
	struct handover_hdr h;
	ssize_t n = handover_encode(&hello, buf, sizeof(buf));

	refused(buf, (size_t)n, 1, -EBADMSG, "HELLO with 1 descriptors, not 0");
	/* Longer than its type, consistently with the header. */
	memcpy(&h, buf, sizeof(h));
	h.len += 4;
	memcpy(buf, &h, sizeof(h));
	memset(buf + n, 0, 4);
	refused(buf, (size_t)n + 4, 0, -EBADMSG, "HELLO of 12 bytes, not 8");
}

Test(handover, field_checks)
{
	struct handover_msg m = { .type = HANDOVER_HELLO, .fd = -1 };
	unsigned char buf[HANDOVER_MSG_MAX];
	struct handover_target t;
	size_t hl = sizeof(struct handover_hdr), n;
	uint32_t w[2];

	n = (size_t)handover_encode(&m, buf, sizeof(buf));
	w[0] = 1;
	w[1] = 0;
	memcpy(buf + hl, w, 8);
	refused(buf, n, 0, -EBADMSG, "HELLO flags 0x1");
	m.type = HANDOVER_SOCKET;
	n = (size_t)handover_encode(&m, buf, sizeof(buf));
	w[0] = 2;
	memcpy(buf + hl, w, 8);
	refused(buf, n, 1, -EBADMSG, "SOCKET flags 0x2");
	m.type = HANDOVER_END;
	m.nsockets = 1;
	n = (size_t)handover_encode(&m, buf, sizeof(buf));
	w[0] = 3;
	w[1] = 0;
	memcpy(buf + hl, w, 8);
	refused(buf, n, 0, -EBADMSG, "END without a socket");
	m.type = HANDOVER_ACK;
	n = (size_t)handover_encode(&m, buf, sizeof(buf));
	w[1] = 5000;
	memcpy(buf + hl, w, 8);
	refused(buf, n, 0, -EBADMSG, "ACK error 5000");

	/* TARGET: pid, reserved, lengths, contents. */
	n = good_target(buf);
	memcpy(&t, buf + hl, sizeof(t));
	t.pid = -3;
	memcpy(buf + hl, &t, sizeof(t));
	refused(buf, n, 1, -EBADMSG, "TARGET pid -3");
	t.pid = 5;
	t.reserved = 1;
	memcpy(buf + hl, &t, sizeof(t));
	refused(buf, n, 1, -EBADMSG, "TARGET reserved field is 1");
	t.reserved = 0;
	t.len[HANDOVER_STR_NAME]++;
	memcpy(buf + hl, &t, sizeof(t));
	refused(buf, n, 1, -EBADMSG, "TARGET strings of ");
	t.len[HANDOVER_STR_NAME] = HANDOVER_STR_MAX + 1;
	memcpy(buf + hl, &t, sizeof(t));
	refused(buf, n, 1, -EBADMSG, "TARGET name of 4097 bytes");
	n = good_target(buf);
	buf[hl + sizeof(t) + 1] = '\0';		/* "ctr" -> "c\0r" */
	refused(buf, n, 1, -EBADMSG, "TARGET name holds a NUL byte");
	n = good_target(buf);
	buf[hl + sizeof(t) + 3] = ' ';		/* "prod" -> " rod" */
	refused(buf, n, 1, -EBADMSG, "TARGET namespace is not a Kubernetes "
	    "name");
	refused(buf, hl + sizeof(t) - 1, 1, -EBADMSG, "header says");
}

Test(handover, empty_name_and_short_target)
{
	unsigned char buf[HANDOVER_MSG_MAX];
	struct handover_hdr h;
	struct handover_target t = { .pid = 1 };

	memcpy(h.magic, HANDOVER_MAGIC, 8);
	h.version = HANDOVER_VERSION;
	h.type = HANDOVER_TARGET;
	h.len = sizeof(t);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &t, sizeof(t));
	refused(buf, sizeof(h) + sizeof(t), 1, -EBADMSG, "TARGET without a "
	    "name");
	h.len = 4;
	memcpy(buf, &h, sizeof(h));
	refused(buf, sizeof(h) + 4, 1, -EBADMSG, "shorter than its");
}

Test(handover, path)
{
	char *p = handover_path("/run/unotifyd/unotifyd.sock");

	cr_assert(eq(str, p, "/run/unotifyd/unotifyd.sock.handover"));
	free(p);
}
