/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: a status request as `unotifyd serve` gets it
 * (status_reply()): refused unless it is exactly one request with no
 * descriptor, else a JSON report sent whole on the client's socket. */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "proto.h"
#include "report.h"
#include "rules.h"
#include "status.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct ev_loop	*fuzz_ev;
static struct rule_set	 fuzz_rules;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((fuzz_ev = ev_loop_new(EVFLAG_AUTO)) == NULL)
		abort();
	rules_init(&fuzz_rules);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_facts f = { 1, 2, &fuzz_rules };
	struct proto_hello h;
	struct json_object *o;
	const char *why;
	char buf[65536];
	size_t nfds, got = 0;
	ssize_t n;
	int sv[2], r, want;

	if (size == 0)
		return 0;
	/* The first byte says how many descriptors came with it. */
	nfds = data[0] % 3;
	data++;
	size--;
	want = size == sizeof(h) && nfds == 0;
	if (want) {
		memcpy(&h, data, sizeof(h));
		want = memcmp(h.magic, PROTO_STATUS_MAGIC, 8) == 0 &&
		    h.version == PROTO_VERSION && h.reserved == 0;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	FUZZ_ASSERT(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0, "nonblock");
	r = status_reply(fuzz_ev, sv[0], data, size, nfds, &f, &why);
	if (!want) {
		FUZZ_ASSERT(r == -EINVAL && why != NULL, "malformed accepted");
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	FUZZ_ASSERT(r == 0, why != NULL ? why : "refused");
	/* A report fits the socket's buffer: sent and closed at once. */
	while ((n = read(sv[1], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	FUZZ_ASSERT(n == 0, "reply not closed");
	buf[got] = '\0';
	o = json_tokener_parse(buf);
	FUZZ_ASSERT(o != NULL && json_object_is_type(o, json_type_object),
	    buf);
	json_object_put(o);
	close(sv[1]);
	return 0;
}
