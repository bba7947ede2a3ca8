/* SPDX-License-Identifier: MIT */
/* Unit tests for supervisor/front/oci.c: the OCI seccomp agent handshake as
 * runc and crun send it, whole, split and malformed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "oci.h"
#include "util.h"

/* runc: one compact json.Marshal() of specs.ContainerProcessState. */
static const char runc_msg[] =
    "{\"ociVersion\":\"1.0.2-dev\",\"fds\":[\"seccompFd\"],\"pid\":4242,"
    "\"metadata\":\"rules=web\",\"state\":{\"ociVersion\":\"1.0.2-dev\","
    "\"id\":\"ctr\",\"status\":\"creating\",\"pid\":4242,"
    "\"bundle\":\"/path/bundle\",\"annotations\":{\"a\":\"b\"}}}";

/*
 * crun: get_seccomp_receiver_fd_payload() with yajl_gen_beautify, whose
 * default indent is 4 spaces; yajl ends the top-level object with "\n".
 * The annotation's 2-, 3- and 4-byte UTF-8 get split inside by the tests.
 */
static const char crun_msg[] =
    "{\n"
    "    \"ociVersion\": \"0.2.0\",\n"
    "    \"fds\": [\n"
    "        \"seccompFd\"\n"
    "    ],\n"
    "    \"pid\": 4242,\n"
    "    \"metadata\": \"rules=web\",\n"
    "    \"state\": {\n"
    "        \"ociVersion\": \"0.2.0\",\n"
    "        \"id\": \"ctr\",\n"
    "        \"status\": \"creating\",\n"
    "        \"pid\": 4242,\n"
    "        \"bundle\": \"/path/bundle\",\n"
    "        \"annotations\": {\n"
    "            \"run.oci.seccomp.receiver\": \"/run/unotifyd.sock\",\n"
    "            \"org.example/owner\": "
    "\"Ren\xc3\xa9" "e \xe2\x9c\x93 \xf0\x9f\x90\xb3\"\n"
    "        }\n"
    "    }\n"
    "}\n";

/* The same with a 2-space indent, as other yajl builds configure it. */
static const char crun2_msg[] =
    "{\n"
    "  \"ociVersion\": \"0.2.0\",\n"
    "  \"fds\": [\n"
    "    \"seccompFd\"\n"
    "  ],\n"
    "  \"pid\": 4242,\n"
    "  \"metadata\": \"rules=web\",\n"
    "  \"state\": {\n"
    "    \"ociVersion\": \"0.2.0\",\n"
    "    \"id\": \"ctr\",\n"
    "    \"status\": \"creating\",\n"
    "    \"pid\": 4242,\n"
    "    \"bundle\": \"/path/bundle\"\n"
    "  }\n"
    "}\n";

/* A valid message with a replaceable middle: PRE fds/pid/metadata POST. */
#define PRE	"{\"ociVersion\":\"1.0.2\","
#define STATE	"\"state\":{\"id\":\"c\",\"status\":\"creating\",\"pid\":7}"
#define FDS	"\"fds\":[\"seccompFd\"],"
#define PID	"\"pid\":7,"

/* Assert that cause is set and contains want. */
static void
assert_cause(const char *cause, const char *want)
{
	cr_assert(ne(ptr, (void *)cause, NULL), "no cause, want \"%s\"", want);
	cr_assert(ne(ptr, strstr(cause, want), NULL),
	    "cause \"%s\" lacks \"%s\"", cause, want);
}

/* Check the fields shared by runc_msg, crun_msg and crun2_msg. */
static void
assert_sample(const struct oci_msg *m, const char *version)
{
	cr_assert(eq(str, m->oci_version, (char *)version));
	cr_assert(eq(int, m->pid, 4242));
	cr_assert(eq(str, m->metadata, "rules=web"));
	cr_assert(eq(str, m->id, "ctr"));
	cr_assert(eq(str, m->status, "creating"));
	cr_assert(eq(str, m->bundle, "/path/bundle"));
	cr_assert(eq(sz, m->nfds, 1));
	cr_assert(eq(int, m->seccomp_index, 0));
}

/*
 * Feed s[0..len) in pieces of at most step bytes (first piece: first
 * bytes, if nonzero), requiring exactly one complete message, no error,
 * and a clean EOF. Returns the message.
 */
static struct oci_msg *
feed_pieces(const char *s, size_t len, size_t first, size_t step)
{
	struct oci_reader *r = oci_reader_new();
	struct oci_msg *m = NULL, *got;
	char *cause = NULL;
	size_t off = 0, n;
	int ret;

	while (off < len) {
		n = first != 0 && off == 0 ? first : step;
		if (n > len - off)
			n = len - off;
		ret = oci_reader_feed(r, s + off, n, &got, &cause);
		cr_assert(ge(int, ret, 0), "feed at %zu/%zu: %d %s", off, len,
		    ret, cause);
		cr_assert(eq(ptr, cause, NULL));
		if (ret == 1) {
			cr_assert(eq(ptr, m, NULL), "two messages");
			cr_assert(ne(ptr, got, NULL));
			m = got;
		} else
			cr_assert(eq(ptr, got, NULL));
		off += n;
	}
	cr_assert(ne(ptr, m, NULL), "no message (first %zu, step %zu)",
	    first, step);
	cr_assert(eq(int, oci_reader_eof(r, &cause), 0));
	cr_assert(eq(ptr, cause, NULL));
	oci_reader_free(r);
	return m;
}

/* Parse s in one feed, expecting success. */
static struct oci_msg *
parse_ok(const char *s)
{
	return feed_pieces(s, strlen(s), 0, strlen(s));
}

/* Feed s[0..len) in one piece to a fresh reader, expecting err + cause. */
static void
fails_len(const char *s, size_t len, int err, const char *want)
{
	struct oci_reader *r = oci_reader_new();
	struct oci_msg *m = (struct oci_msg *)1;
	char *cause = NULL;

	cr_assert(eq(int, oci_reader_feed(r, s, len, &m, &cause), err),
	    "%.*s: %s", (int)(len > 200 ? 200 : len), s, cause);
	cr_assert(eq(ptr, m, NULL));
	assert_cause(cause, want);
	free(cause);
	oci_reader_free(r);
}

/* As fails_len() for a C string. */
static void
fails(const char *s, int err, const char *want)
{
	fails_len(s, strlen(s), err, want);
}

/* Split s at every byte boundary, then feed it a byte at a time. */
static void
split_everywhere(const char *s, const char *version)
{
	struct oci_msg *m;
	size_t len = strlen(s), k;

	for (k = 1; k < len; k++) {
		m = feed_pieces(s, len, k, len);
		assert_sample(m, version);
		oci_msg_free(m);
	}
	m = feed_pieces(s, len, 0, 1);
	assert_sample(m, version);
	oci_msg_free(m);
}

Test(oci, runc_one_feed)
{
	struct oci_msg *m = parse_ok(runc_msg);

	assert_sample(m, "1.0.2-dev");
	oci_msg_free(m);
}

Test(oci, crun_pretty_trailing_newline)
{
	struct oci_msg *m;

	m = parse_ok(crun_msg);
	assert_sample(m, "0.2.0");
	oci_msg_free(m);
	m = parse_ok(crun2_msg);
	assert_sample(m, "0.2.0");
	oci_msg_free(m);
}

Test(oci, runc_split)
{
	split_everywhere(runc_msg, "1.0.2-dev");
}

Test(oci, crun_split)
{
	split_everywhere(crun_msg, "0.2.0");
	split_everywhere(crun2_msg, "0.2.0");
}

/* The message is returned as soon as the object ends, not at EOF. */
Test(oci, complete_without_eof)
{
	struct oci_reader *r = oci_reader_new();
	struct oci_msg *m = NULL;
	char *cause = NULL;
	size_t len = strlen(crun_msg) - 1;	/* up to the '}' */

	cr_assert(eq(int, oci_reader_feed(r, crun_msg, len, &m, &cause), 1));
	assert_sample(m, "0.2.0");
	oci_msg_free(m);
	cr_assert(eq(int, oci_reader_feed(r, "\n \r\t", 4, &m, &cause), 0));
	cr_assert(eq(ptr, m, NULL));
	cr_assert(eq(ptr, cause, NULL));
	cr_assert(eq(int, oci_reader_eof(r, &cause), 0));
	oci_reader_free(r);
}

/*
 * json-c 0.16 forgets number state between chunks: "4" then "-42" would
 * read as 4, so the reader never ends a tokener chunk inside a number.
 * Every split must give what one feed gives.
 */
Test(oci, split_number_same_as_whole)
{
	static const char msg[] = PRE FDS "\"pid\":4-42," STATE "}";
	struct oci_reader *r = oci_reader_new();
	struct oci_msg *m = NULL;
	char *cause = NULL;
	size_t k = strstr(msg, "4-42") + 1 - msg;

	fails(msg, -EBADMSG, "not JSON at byte 49: number expected");
	cr_assert(eq(int, oci_reader_feed(r, msg, k, &m, &cause), 0));
	cr_assert(eq(int, oci_reader_feed(r, msg + k, strlen(msg) - k, &m,
	    &cause), -EBADMSG));
	cr_assert(eq(ptr, m, NULL));
	assert_cause(cause, "not JSON at byte 49: number expected");
	free(cause);
	oci_reader_free(r);

	/* Cut before the object ends, the error shows as soon as one feed of
	 * the bytes so far would show it, and again at EOF. */
	r = oci_reader_new();
	cr_assert(eq(int, oci_reader_feed(r, msg, k, &m, &cause), 0));
	cr_assert(eq(int, oci_reader_feed(r, msg + k, 3, &m, &cause), 0));
	cr_assert(eq(int, oci_reader_feed(r, msg + k + 3, 1, &m, &cause),
	    -EBADMSG));
	assert_cause(cause, "not JSON at byte 49: number expected");
	free(cause);
	cr_assert(eq(int, oci_reader_eof(r, &cause), -EBADMSG));
	assert_cause(cause, "not JSON at byte 49: number expected");
	free(cause);
	oci_reader_free(r);

	/* Cut inside the number with nothing after it: EOF names the error. */
	r = oci_reader_new();
	cr_assert(eq(int, oci_reader_feed(r, msg, k, &m, &cause), 0));
	cr_assert(eq(int, oci_reader_feed(r, msg + k, 3, &m, &cause), 0));
	cr_assert(eq(int, oci_reader_eof(r, &cause), -EBADMSG));
	assert_cause(cause, "not JSON at byte 49: number expected");
	free(cause);
	oci_reader_free(r);
}

Test(oci, metadata)
{
	struct oci_msg *m;

	m = parse_ok(PRE FDS PID STATE "}");
	cr_assert(eq(str, m->metadata, ""));
	oci_msg_free(m);
	m = parse_ok(PRE FDS PID "\"metadata\":\"\"," STATE "}");
	cr_assert(eq(str, m->metadata, ""));
	oci_msg_free(m);
	m = parse_ok(PRE FDS PID "\"metadata\":null," STATE "}");
	cr_assert(eq(str, m->metadata, ""));
	oci_msg_free(m);
	m = parse_ok(PRE FDS PID "\"metadata\":\"MKNOD=/dev/null;x=\\u00e9\","
	    STATE "}");
	cr_assert(eq(str, m->metadata, "MKNOD=/dev/null;x=\xc3\xa9"));
	oci_msg_free(m);
	fails(PRE FDS PID "\"metadata\":7," STATE "}", -EBADMSG,
	    "\"metadata\" is not a string");
	fails(PRE FDS PID "\"metadata\":\"a\\u0000b\"," STATE "}", -EBADMSG,
	    "\"metadata\" contains a NUL character");
}

Test(oci, seccomp_fd_not_first)
{
	struct oci_msg *m;

	m = parse_ok(PRE "\"fds\":[\"pidFd\",\"seccompFd\"]," PID STATE "}");
	cr_assert(eq(sz, m->nfds, 2));
	cr_assert(eq(int, m->seccomp_index, 1));
	cr_assert(eq(int, m->pid, 7));
	cr_assert(eq(str, m->oci_version, "1.0.2"));
	cr_assert(eq(str, m->id, "c"));
	cr_assert(eq(str, m->bundle, ""));
	oci_msg_free(m);
}

/* Newer keys anywhere are ignored; key order does not matter. */
Test(oci, unknown_keys)
{
	struct oci_msg *m;

	m = parse_ok("{\"state\":{\"status\":\"created\",\"pid\":1,"
	    "\"id\":\"x\",\"future\":[1,{\"a\":null}]},\"pid\":2147483647,"
	    "\"extra\":true,"
	    "\"fds\":[\"seccompFd\"],\"ociVersion\":\"9\"}");
	cr_assert(eq(int, m->pid, 2147483647));
	cr_assert(eq(str, m->status, "created"));
	oci_msg_free(m);
}

/* runtime-spec: state.pid is only required once created (omitempty). */
Test(oci, state_pid_optional)
{
	struct oci_msg *m;

	m = parse_ok(PRE FDS PID
	    "\"state\":{\"id\":\"c\",\"status\":\"creating\"}}");
	cr_assert(eq(str, m->status, "creating"));
	oci_msg_free(m);
	fails(PRE FDS PID
	    "\"state\":{\"id\":\"c\",\"status\":\"x\",\"pid\":\"7\"}}",
	    -EBADMSG, "\"state.pid\" is not an integer");
}

Test(oci, truncated_then_eof)
{
	struct oci_reader *r = oci_reader_new();
	struct oci_msg *m = NULL;
	char *cause = NULL;

	cr_assert(eq(int, oci_reader_feed(r, runc_msg, 40, &m, &cause), 0));
	cr_assert(eq(int, oci_reader_eof(r, &cause), -EBADMSG));
	assert_cause(cause, "truncated message (40 bytes)");
	free(cause);
	/* The reader stays failed. */
	cr_assert(eq(int, oci_reader_feed(r, runc_msg + 40, 1, &m, &cause),
	    -EBADMSG));
	assert_cause(cause, "truncated message (40 bytes)");
	free(cause);
	oci_reader_free(r);
}

Test(oci, eof_before_message)
{
	struct oci_reader *r;
	struct oci_msg *m = NULL;
	char *cause = NULL;

	r = oci_reader_new();
	cr_assert(eq(int, oci_reader_eof(r, &cause), 0));
	cr_assert(eq(ptr, cause, NULL));
	oci_reader_free(r);
	r = oci_reader_new();
	cr_assert(eq(int, oci_reader_feed(r, " \n", 2, &m, &cause), 0));
	cr_assert(eq(int, oci_reader_feed(r, "", 0, &m, &cause), 0));
	cr_assert(eq(int, oci_reader_eof(r, &cause), 0));
	oci_reader_free(r);
	oci_reader_free(NULL);
	oci_msg_free(NULL);
}

Test(oci, not_json)
{
	fails("{hello", -EBADMSG, "not JSON at byte 1");
	fails("{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],}", -EBADMSG,
	    "not JSON at byte 38");
	fails("  {\"pid\": 7x}", -EBADMSG, "not JSON at byte 11");
	fails("{\"a\":\"\xff\"}", -EBADMSG, "not JSON at byte 6");
	fails_len("{\"a\":\"x\0\"}", 10, -EBADMSG, "NUL byte at byte 7");
}

/* The offset counts bytes of earlier feeds. */
Test(oci, not_json_offset_across_feeds)
{
	struct oci_reader *r = oci_reader_new();
	struct oci_msg *m = NULL;
	char *cause = NULL;

	cr_assert(eq(int, oci_reader_feed(r, "{\"pid\":", 7, &m, &cause), 0));
	cr_assert(eq(int, oci_reader_feed(r, " 1,]", 4, &m, &cause),
	    -EBADMSG));
	assert_cause(cause, "not JSON at byte 10");
	free(cause);
	oci_reader_free(r);
}

/* UTF-8 is checked on the whole message, whatever the split. */
Test(oci, bad_utf8_split)
{
	static const char msg[] = "{\"a\":\"\xc3\x28\"}";
	struct oci_reader *r = oci_reader_new();
	struct oci_msg *m = NULL;
	char *cause = NULL;
	size_t i;
	int ret = 0;

	for (i = 0; i < sizeof(msg) - 1 && ret == 0; i++)
		ret = oci_reader_feed(r, msg + i, 1, &m, &cause);
	cr_assert(eq(int, ret, -EBADMSG));
	assert_cause(cause, "not JSON at byte 7: invalid utf-8 string");
	free(cause);
	oci_reader_free(r);
	fails(msg, -EBADMSG, "not JSON at byte 7: invalid utf-8 string");
}

Test(oci, not_an_object)
{
	fails("[\"seccompFd\"]", -EBADMSG,
	    "message is not a JSON object (byte 0 is 0x5b)");
	fails(" \n\"seccompFd\"\n", -EBADMSG,
	    "message is not a JSON object (byte 2 is 0x22)");
	fails("null", -EBADMSG, "message is not a JSON object");
	fails("4242", -EBADMSG, "message is not a JSON object");
}

Test(oci, bad_pid)
{
	fails(PRE FDS "\"pid\":\"7\"," STATE "}", -EBADMSG,
	    "\"pid\" is not a positive integer");
	fails(PRE FDS "\"pid\":-7," STATE "}", -EBADMSG,
	    "\"pid\" is not a positive integer");
	fails(PRE FDS "\"pid\":0," STATE "}", -EBADMSG,
	    "\"pid\" is not a positive integer");
	fails(PRE FDS "\"pid\":7.0," STATE "}", -EBADMSG,
	    "\"pid\" is not a positive integer");
	fails(PRE FDS "\"pid\":2147483648," STATE "}", -EBADMSG,
	    "\"pid\" is not a positive integer");
	fails(PRE FDS "\"pid\":18446744073709551617," STATE "}", -EBADMSG,
	    "\"pid\" is not a positive integer");
	fails(PRE FDS STATE "}", -EBADMSG, "missing \"pid\"");
}

Test(oci, bad_state)
{
	fails(PRE FDS PID "\"metadata\":\"m\"}", -EBADMSG, "missing \"state\"");
	fails(PRE FDS PID "\"state\":[]}", -EBADMSG,
	    "\"state\" is not an object");
	fails(PRE FDS PID "\"state\":{\"status\":\"creating\"}}", -EBADMSG,
	    "missing \"state.id\"");
	fails(PRE FDS PID "\"state\":{\"id\":\"c\"}}", -EBADMSG,
	    "missing \"state.status\"");
	fails(PRE FDS PID "\"state\":{\"id\":1,\"status\":\"c\"}}", -EBADMSG,
	    "\"state.id\" is not a string");
	fails(PRE FDS PID
	    "\"state\":{\"id\":\"c\",\"status\":\"c\",\"bundle\":{}}}",
	    -EBADMSG, "\"state.bundle\" is not a string");
}

Test(oci, bad_version)
{
	fails("{" FDS PID STATE "}", -EBADMSG, "missing \"ociVersion\"");
	fails("{\"ociVersion\":1.0," FDS PID STATE "}", -EBADMSG,
	    "\"ociVersion\" is not a string");
}

Test(oci, bad_fds)
{
	fails(PRE PID STATE "}", -EBADMSG, "missing \"fds\"");
	fails(PRE "\"fds\":\"seccompFd\"," PID STATE "}", -EBADMSG,
	    "\"fds\" is not an array");
	fails(PRE "\"fds\":[]," PID STATE "}", -EBADMSG,
	    "no \"seccompFd\" in \"fds\"");
	fails(PRE "\"fds\":[\"pidFd\",\"seccompfd\"]," PID STATE "}", -EBADMSG,
	    "no \"seccompFd\" in \"fds\"");
	fails(PRE "\"fds\":[\"seccompFd\\u0000\"]," PID STATE "}", -EBADMSG,
	    "no \"seccompFd\" in \"fds\"");
	fails(PRE "\"fds\":[\"pidFd\",3,\"seccompFd\"]," PID STATE "}",
	    -EBADMSG, "\"fds[1]\" is not a string");
	fails(PRE "\"fds\":[\"seccompFd\",null]," PID STATE "}", -EBADMSG,
	    "\"fds[1]\" is not a string");
	fails(PRE "\"fds\":[\"seccompFd\",\"seccompFd\"]," PID STATE "}",
	    -EBADMSG, "\"seccompFd\" appears twice in \"fds\"");
}

/* A 70 KiB string, in one feed and in 4 KiB pieces. */
Test(oci, oversized)
{
	struct oci_reader *r;
	struct oci_msg *m = NULL;
	char *buf, *cause = NULL;
	size_t len = 70 * 1024, off;
	int ret = 0;

	buf = xmalloc(len);
	memset(buf, 'a', len);
	memcpy(buf, "{\"metadata\":\"", 13);
	fails_len(buf, len, -EMSGSIZE, "message larger than 65536 bytes");

	r = oci_reader_new();
	for (off = 0; off < len && ret == 0; off += 4096)
		ret = oci_reader_feed(r, buf + off, 4096, &m, &cause);
	cr_assert(eq(int, ret, -EMSGSIZE));
	cr_assert(eq(sz, off, 68 * 1024), "failed after %zu bytes", off);
	assert_cause(cause, "message larger than 65536 bytes");
	free(cause);
	cr_assert(eq(int, oci_reader_eof(r, &cause), -EMSGSIZE));
	free(cause);
	oci_reader_free(r);
	free(buf);
}

Test(oci, trailing_garbage)
{
	char buf[sizeof(runc_msg) + 8];

	snprintf(buf, sizeof(buf), "%s \nx", runc_msg);
	fails(buf, -EBADMSG, "unexpected data after the message at byte 207");
	snprintf(buf, sizeof(buf), "%s]", runc_msg);
	fails(buf, -EBADMSG, "unexpected data after the message at byte 205");
	snprintf(buf, sizeof(buf), "%s\f", runc_msg);
	fails(buf, -EBADMSG, "unexpected data after the message at byte 205");
}

Test(oci, two_objects)
{
	struct oci_reader *r;
	struct oci_msg *m = NULL;
	char *cause = NULL, buf[2 * sizeof(runc_msg)];
	size_t len = strlen(runc_msg);

	snprintf(buf, sizeof(buf), "%s%s", runc_msg, runc_msg);
	fails(buf, -EBADMSG, "unexpected data after the message at byte 205");

	/* In two feeds: the first message stands, the second is refused. */
	r = oci_reader_new();
	cr_assert(eq(int, oci_reader_feed(r, runc_msg, len, &m, &cause), 1));
	oci_msg_free(m);
	cr_assert(eq(int, oci_reader_feed(r, "\n", 1, &m, &cause), 0));
	cr_assert(eq(int, oci_reader_feed(r, runc_msg, len, &m, &cause),
	    -EBADMSG));
	cr_assert(eq(ptr, m, NULL));
	assert_cause(cause, "unexpected data after the message at byte 206");
	free(cause);
	cr_assert(eq(int, oci_reader_eof(r, &cause), -EBADMSG));
	free(cause);
	oci_reader_free(r);
}
