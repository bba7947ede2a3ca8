/* SPDX-License-Identifier: MIT */
/* Incremental parsing (json-c) and validation of the OCI seccomp agent
 * handshake that runc and crun send along with the seccomp listener fd. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "oci.h"
#include "pods.h"
#include "util.h"

/* SCM_MAX_FD (include/net/scm.h): no single sendmsg carries more fds. */
#define OCI_FDS_MAX	253

enum oci_state {
	OCI_READING,		/* before and inside the message */
	OCI_DONE,		/* returned; only whitespace may follow */
	OCI_FAILED,		/* err and cause are final */
};

struct oci_reader {
	struct json_tokener	*tok;		/* OCI_READING */
	enum oci_state		 state;
	char			*buf;		/* OCI_READING: bytes so far */
	size_t			 size;		/* allocated for buf */
	size_t			 received;	/* bytes fed, all feeds */
	size_t			 tokened;	/* of those, given to tok */
	int			 started;	/* non-whitespace seen */
	int			 err;		/* OCI_FAILED: -errno */
	char			*cause;		/* OCI_FAILED: first cause */
};

/* JSON's own whitespace (RFC 8259 section 2), not isspace(). */
static int
oci_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A byte json-c's number state accepts: digits, '.', exponent, signs. */
static int
oci_is_number_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' ||
	    c == '+' || c == '-';
}

/* Offset of the first non-whitespace byte in p[0..n), or n. */
static size_t
oci_skip_space(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && oci_is_space(p[i]); i++)
		;
	return i;
}

/* Set an allocated cause and return -EBADMSG (validation failures). */
static int PRINTFLIKE(2, 3)
oci_cause(char **cause, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(cause, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

/* Member key of o; NULL when absent or JSON null (json-c maps both). */
static struct json_object *
oci_member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/*
 * Copy string member key of o into *out; path names it in causes. An absent
 * optional member gives "". Embedded NULs (\u0000) are refused: a C string
 * would silently drop what follows, e.g. in metadata used to pick rules.
 */
static int
oci_string(struct json_object *o, const char *key, const char *path,
    int required, char **out, char **cause)
{
	struct json_object *v;
	const char *s;

	if ((v = oci_member(o, key)) == NULL) {
		if (required)
			return oci_cause(cause, "missing \"%s\"", path);
		*out = xstrdup("");
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return oci_cause(cause, "\"%s\" is not a string", path);
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return oci_cause(cause, "\"%s\" contains a NUL character",
		    path);
	*out = xstrdup(s);
	return 0;
}

/* Check "fds" and find "seccompFd" in it. */
static int
oci_parse_fds(struct json_object *root, struct oci_msg *m, char **cause)
{
	static const char name[] = "seccompFd";
	struct json_object *fds, *e;
	size_t i, n;
	int idx = -1;

	if ((fds = oci_member(root, "fds")) == NULL)
		return oci_cause(cause, "missing \"fds\"");
	if (!json_object_is_type(fds, json_type_array))
		return oci_cause(cause, "\"fds\" is not an array");
	n = json_object_array_length(fds);
	if (n > OCI_FDS_MAX)
		return oci_cause(cause, "\"fds\" has %zu entries, more than %d",
		    n, OCI_FDS_MAX);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(fds, i);
		if (!json_object_is_type(e, json_type_string))
			return oci_cause(cause, "\"fds[%zu]\" is not a string",
			    i);
		if ((size_t)json_object_get_string_len(e) != sizeof(name) - 1 ||
		    memcmp(json_object_get_string(e), name, sizeof(name) - 1))
			continue;
		if (idx != -1)
			return oci_cause(cause,
			    "\"seccompFd\" appears twice in \"fds\"");
		idx = (int)i;
	}
	if (idx == -1)
		return oci_cause(cause, "no \"seccompFd\" in \"fds\"");
	m->nfds = n;
	m->seccomp_index = idx;
	return 0;
}

/*
 * The annotations that name a Kubernetes target: containerd's CRI plugin
 * first, then CRI-O's. Both runtimes copy the OCI config's annotations into
 * the state they send.
 */
static const struct {
	size_t		 off;
	const char	*key[2];
} oci_names[] = {
	{ offsetof(struct oci_msg, pod_namespace),
	    { "io.kubernetes.cri.sandbox-namespace",
	      "io.kubernetes.pod.namespace" } },
	{ offsetof(struct oci_msg, pod_name),
	    { "io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name" } },
	{ offsetof(struct oci_msg, container_name),
	    { "io.kubernetes.cri.container-name",
	      "io.kubernetes.container.name" } },
};

/* What says a container is the pod's sandbox, for containerd and CRI-O. */
static const char *const oci_sandbox_keys[] = {
	"io.kubernetes.cri.container-type",
	"io.kubernetes.cri-o.ContainerType",
};

/*
 * Check "state.annotations" (runtime-spec: a map of strings, optional) and
 * take the Kubernetes names from it. A name that Kubernetes would refuse is
 * refused here: it would otherwise reach log lines and [match] globs.
 */
static int
oci_parse_annotations(struct json_object *st, struct oci_msg *m,
    char **cause)
{
	struct json_object *an, *v;
	struct json_object_iterator it, end;
	const char *s, *key;
	char **out;
	size_t i, j, n;

	for (i = 0; i < nitems(oci_names); i++)
		*(char **)((char *)m + oci_names[i].off) = xstrdup("");
	if ((an = oci_member(st, "annotations")) == NULL)
		return 0;
	if (!json_object_is_type(an, json_type_object))
		return oci_cause(cause, "\"state.annotations\" is not an "
		    "object");
	it = json_object_iter_begin(an);
	end = json_object_iter_end(an);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		if (!json_object_is_type(json_object_iter_peek_value(&it),
		    json_type_string))
			return oci_cause(cause, "\"state.annotations\" has a "
			    "value that is not a string");
	for (i = 0; i < nitems(oci_names); i++) {
		out = (char **)((char *)m + oci_names[i].off);
		for (j = 0; j < 2; j++) {
			key = oci_names[i].key[j];
			if ((v = oci_member(an, key)) == NULL)
				continue;
			s = json_object_get_string(v);
			n = (size_t)json_object_get_string_len(v);
			if (n == 0)
				continue;
			if (n > OCI_NAME_MAX || strlen(s) != n ||
			    !pods_name_valid(s))
				return oci_cause(cause, "annotation \"%s\" is "
				    "not a Kubernetes name", key);
			free(*out);
			*out = xstrdup(s);
			break;
		}
	}
	for (j = 0; j < nitems(oci_sandbox_keys); j++)
		if ((v = oci_member(an, oci_sandbox_keys[j])) != NULL &&
		    strcmp(json_object_get_string(v), "sandbox") == 0)
			m->sandbox = 1;
	return 0;
}

/* Check the "state" object (the runtime's state, as from `runc state`). */
static int
oci_parse_state(struct json_object *root, struct oci_msg *m, char **cause)
{
	struct json_object *st, *pid;
	int r;

	if ((st = oci_member(root, "state")) == NULL)
		return oci_cause(cause, "missing \"state\"");
	if (!json_object_is_type(st, json_type_object))
		return oci_cause(cause, "\"state\" is not an object");
	if ((r = oci_string(st, "id", "state.id", 1, &m->id, cause)) != 0 ||
	    (r = oci_string(st, "status", "state.status", 1, &m->status,
	    cause)) != 0 ||
	    (r = oci_string(st, "bundle", "state.bundle", 0, &m->bundle,
	    cause)) != 0)
		return r;
	/*
	 * runtime-spec requires state.pid only once "created" or "running",
	 * and specs-go marks it omitempty; the top-level pid is the one used.
	 */
	pid = oci_member(st, "pid");
	if (pid != NULL && !json_object_is_type(pid, json_type_int))
		return oci_cause(cause, "\"state.pid\" is not an integer");
	return oci_parse_annotations(st, m, cause);
}

/* Validate a complete JSON value into a new message in *out. */
static int
oci_msg_parse(struct json_object *root, struct oci_msg **out, char **cause)
{
	struct oci_msg *m;
	struct json_object *pid;
	int64_t v;
	int r;

	*out = NULL;
	if (!json_object_is_type(root, json_type_object))
		return oci_cause(cause, "message is a JSON %s, not an object",
		    json_type_to_name(json_object_get_type(root)));
	m = xcalloc(1, sizeof(*m));
	if ((r = oci_string(root, "ociVersion", "ociVersion", 1,
	    &m->oci_version, cause)) != 0)
		goto out;
	if ((r = oci_parse_fds(root, m, cause)) != 0)
		goto out;
	if ((pid = oci_member(root, "pid")) == NULL) {
		r = oci_cause(cause, "missing \"pid\"");
		goto out;
	}
	/* A uint64 beyond INT64_MAX reads back as INT64_MAX: refused too. */
	if (!json_object_is_type(pid, json_type_int) ||
	    (v = json_object_get_int64(pid)) <= 0 || v > INT_MAX) {
		r = oci_cause(cause, "\"pid\" is not a positive integer");
		goto out;
	}
	m->pid = (int)v;
	if ((r = oci_string(root, "metadata", "metadata", 0, &m->metadata,
	    cause)) != 0)
		goto out;
	if ((r = oci_parse_state(root, m, cause)) != 0)
		goto out;
	*out = steal_pointer(&m);
 out:
	oci_msg_free(m);
	return r;
}

/*
 * A tokener for the handshake; json-c returns NULL only without memory.
 * Bytes after the object are checked here rather than by json-c's strict
 * mode, which would only call them "unexpected character", and only within
 * the chunk that ended the object. UTF-8 is validated only when whole:
 * json-c 0.16 refuses a valid sequence split between two chunks.
 */
static struct json_tokener *
oci_tokener_new(int whole)
{
	struct json_tokener *tok;

	if ((tok = json_tokener_new()) == NULL)
		die(1, "json_tokener_new: out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_ALLOW_TRAILING_CHARS |
	    (whole ? JSON_TOKENER_VALIDATE_UTF8 : 0));
	return tok;
}

/* Drop what only reading needs, once the outcome is known. */
static void
oci_reader_release(struct oci_reader *r)
{
	if (r->tok != NULL)
		json_tokener_free(r->tok);
	r->tok = NULL;
	free(r->buf);
	r->buf = NULL;
	r->size = 0;
}

/*
 * Put the reader in its final failed state: keep err and a copy of the
 * cause so that every later call reports the same first error.
 */
static int PRINTFLIKE(4, 5)
oci_reader_fail(struct oci_reader *r, int err, char **cause,
    const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		xvasprintf(cause, fmt, ap);
		va_end(ap);
	}
	oci_reader_release(r);
	r->state = OCI_FAILED;
	r->err = err;
	r->cause = xstrdup(*cause);
	return err;
}

/* Parse buf[0..n) in one piece; the value (or NULL), error and end. */
static struct json_object *
oci_reader_reparse(struct oci_reader *r, size_t n,
    enum json_tokener_error *jerr, size_t *end)
{
	struct json_tokener *tok;
	struct json_object *root;

	tok = oci_tokener_new(1);
	root = json_tokener_parse_ex(tok, r->buf, (int)n);
	*jerr = json_tokener_get_error(tok);
	*end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	return root;
}

/*
 * The incremental tokener found the end of the value in buf[0..n), or an
 * error in it: parse those bytes again in one piece and judge that. The
 * incremental tokener does not check UTF-8 (see oci_tokener_new()) and
 * names offsets within its last chunk; re-parsing makes every split of the
 * input give what one feed gives (save where a NUL byte is named), at the
 * cost of one more parse of at most OCI_MSG_MAX bytes.
 */
static int
oci_reader_finish(struct oci_reader *r, size_t n, struct oci_msg **out,
    char **cause)
{
	struct json_object *root;
	enum json_tokener_error jerr;
	size_t end, i;
	int ret;

	root = oci_reader_reparse(r, n, &jerr, &end);
	if (root == NULL)
		return oci_reader_fail(r, -EBADMSG, cause,
		    "not JSON at byte %zu: %s", end,
		    jerr == json_tokener_continue ? "incomplete value" :
		    json_tokener_error_desc(jerr));
	/* Validate first: a later feed could not report it otherwise. */
	ret = oci_msg_parse(root, out, cause);
	json_object_put(root);
	if (ret != 0)
		return oci_reader_fail(r, ret, cause, NULL);
	/* Bytes after n were never parsed (nor checked as UTF-8). */
	if ((i = end + oci_skip_space((unsigned char *)r->buf + end,
	    r->received - end)) < r->received) {
		oci_msg_free(*out);
		*out = NULL;
		return oci_reader_fail(r, -EBADMSG, cause,
		    "unexpected data after the message at byte %zu", i);
	}
	oci_reader_release(r);
	r->state = OCI_DONE;
	return 1;
}

struct oci_reader *
oci_reader_new(void)
{
	struct oci_reader *r;

	r = xcalloc(1, sizeof(*r));
	r->tok = oci_tokener_new(0);
	r->state = OCI_READING;
	return r;
}

void
oci_reader_free(struct oci_reader *r)
{
	if (r == NULL)
		return;
	oci_reader_release(r);
	free(r->cause);
	free(r);
}

int
oci_reader_feed(struct oci_reader *r, const void *buf, size_t len,
    struct oci_msg **out, char **cause)
{
	const unsigned char *p = buf, *nul;
	struct json_object *root;
	enum json_tokener_error jerr;
	size_t base = r->received, tok_base, cut, i;

	*out = NULL;
	*cause = NULL;
	if (r->state == OCI_FAILED) {
		*cause = xstrdup(r->cause);
		return r->err;
	}
	if (len == 0)
		return 0;
	/* Also keeps len within json_tokener_parse_ex()'s int. */
	if (len > OCI_MSG_MAX - r->received)
		return oci_reader_fail(r, -EMSGSIZE, cause,
		    "message larger than %d bytes", OCI_MSG_MAX);
	r->received += len;
	/*
	 * json-c stops at a NUL byte and reports "unexpected end of data";
	 * valid JSON never holds a raw one, so name it instead.
	 */
	if ((nul = memchr(p, '\0', len)) != NULL)
		return oci_reader_fail(r, -EBADMSG, cause,
		    "NUL byte at byte %zu", base + (size_t)(nul - p));

	if (r->state == OCI_DONE) {
		if ((i = oci_skip_space(p, len)) < len)
			return oci_reader_fail(r, -EBADMSG, cause,
			    "unexpected data after the message at byte %zu",
			    base + i);
		return 0;
	}

	/*
	 * Only an object is a message, and only an object ends without
	 * looking ahead: a number would end with the byte after it, which
	 * makes re-parsing exactly up to the end of the value (see
	 * oci_reader_finish()) come short. So refuse anything else at once.
	 */
	if (!r->started && (i = oci_skip_space(p, len)) < len) {
		r->started = 1;
		if (p[i] != '{')
			return oci_reader_fail(r, -EBADMSG, cause,
			    "message is not a JSON object (byte %zu is 0x%02x)",
			    base + i, p[i]);
	}
	if (r->received > r->size) {
		r->size = r->received < OCI_MSG_MAX / 2 ?
		    r->received * 2 : OCI_MSG_MAX;
		r->buf = xreallocarray(r->buf, r->size, 1);
	}
	memcpy(r->buf + base, p, len);

	/*
	 * Incrementally only to learn when the value ends or breaks. json-c
	 * 0.16 does not keep a number's state across chunks: resuming one, it
	 * rebuilds only "seen an exponent" from the saved digits, so the signs
	 * allowed after "1." (or not allowed after "4") are forgotten: "1.+"
	 * is still a number to it in one chunk, but "1." then "+" is "number
	 * expected", and "4" then "-42}" passes. So the tokener never gets a
	 * chunk that ends in a byte a number may hold; those wait in buf for
	 * the next feed. An object ends with '}', never held back.
	 */
	tok_base = r->tokened;
	for (cut = r->received; cut > tok_base &&
	    oci_is_number_byte((unsigned char)r->buf[cut - 1]); cut--)
		;
	if (cut == tok_base)
		return 0;
	r->tokened = cut;
	root = json_tokener_parse_ex(r->tok, r->buf + tok_base,
	    (int)(cut - tok_base));
	jerr = json_tokener_get_error(r->tok);
	json_object_put(root);
	if (jerr == json_tokener_continue)
		return 0;
	/*
	 * Re-parse up to the end of the value only: json-c validating UTF-8
	 * would also judge the bytes after it in the same chunk, which would
	 * make a message and garbage fail differently when fed apart.
	 */
	return oci_reader_finish(r, jerr == json_tokener_success ?
	    tok_base + json_tokener_get_parse_end(r->tok) : r->received, out,
	    cause);
}

int
oci_reader_eof(struct oci_reader *r, char **cause)
{
	struct json_object *root;
	enum json_tokener_error jerr;
	size_t end;

	*cause = NULL;
	if (r->state == OCI_FAILED) {
		*cause = xstrdup(r->cause);
		return r->err;
	}
	if (r->state != OCI_READING || !r->started)
		return 0;
	/*
	 * Split, json-c may pass over an error (see oci_reader_finish());
	 * name it as one feed would have, rather than the truncation.
	 */
	root = oci_reader_reparse(r, r->received, &jerr, &end);
	json_object_put(root);
	if (jerr != json_tokener_continue && jerr != json_tokener_success)
		return oci_reader_fail(r, -EBADMSG, cause,
		    "not JSON at byte %zu: %s", end,
		    json_tokener_error_desc(jerr));
	return oci_reader_fail(r, -EBADMSG, cause,
	    "truncated message (%zu bytes)", r->received);
}

void
oci_msg_free(struct oci_msg *m)
{
	if (m == NULL)
		return;
	free(m->oci_version);
	free(m->metadata);
	free(m->id);
	free(m->status);
	free(m->bundle);
	free(m->pod_namespace);
	free(m->pod_name);
	free(m->container_name);
	free(m);
}
