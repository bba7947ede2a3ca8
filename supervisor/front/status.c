/* SPDX-License-Identifier: MIT */
/* `unotifyd status`: the daemon sends its counters as JSON on request; the
 * client checks them and prints them for people, as JSON or for Prometheus. */
#include <errno.h>
#include <ev.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "log.h"
#include "proto.h"
#include "report.h"
#include "status.h"
#include "util.h"

/* Replies under way at once, and how long a client may take to read one. */
#define STATUS_REPLIES_MAX	8
#define STATUS_SECONDS		5.
/* Largest reply a client accepts (4096 rule names of any length fit). */
#define STATUS_REPLY_MAX	(16 << 20)

/* A reply the socket could not take at once. */
struct status_out {
	ev_io			 w;
	ev_timer		 timer;
	struct ev_loop		*ev;
	char			*buf;
	size_t			 len;
	size_t			 off;
	struct status_out	*prev, *next;
};

/* Reachable from here until done, so nothing under way counts as leaked
 * when the daemon stops. */
static struct status_out	*status_outs;
static int			 status_nouts;

static void
status_out_free(struct status_out *o)
{
	ev_io_stop(o->ev, &o->w);
	ev_timer_stop(o->ev, &o->timer);
	close(o->w.fd);
	if (o->prev != NULL)
		o->prev->next = o->next;
	else
		status_outs = o->next;
	if (o->next != NULL)
		o->next->prev = o->prev;
	status_nouts--;
	free(o->buf);
	free(o);
}

/* Write what the socket takes; 1 when done (sent, or the client left). */
static int
status_out_write(int fd, const char *buf, size_t len, size_t *off)
{
	ssize_t n;

	while (*off < len) {
		n = write(fd, buf + *off, len - *off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno != EAGAIN;
		*off += n;
	}
	return 1;
}

static void
status_out_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct status_out *o = w->data;

	(void)ev;
	(void)revents;
	if (status_out_write(w->fd, o->buf, o->len, &o->off))
		status_out_free(o);
}

static void
status_timeout_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	struct status_out *o = w->data;

	(void)ev;
	(void)revents;
	log_warn("status: a client did not read its reply within %.0f s; "
	    "dropped", STATUS_SECONDS);
	status_out_free(o);
}

int
status_reply(struct ev_loop *ev, int fd, const void *buf, size_t len,
    size_t nfds, const struct report_facts *facts, const char **why)
{
	struct proto_hello req;
	struct json_object *report;
	struct status_out *o;
	const char *text;
	size_t off = 0, tlen;

	*why = NULL;
	/* A copy: buf need not be aligned for the uint32_t members. */
	if (len == sizeof(req))
		memcpy(&req, buf, sizeof(req));
	if (len != sizeof(req) || nfds != 0 ||
	    memcmp(req.magic, PROTO_STATUS_MAGIC, sizeof(req.magic)) != 0 ||
	    req.version != PROTO_VERSION || req.reserved != 0) {
		*why = "malformed status request";
		return -EINVAL;
	}
	if (status_nouts >= STATUS_REPLIES_MAX) {
		*why = "too many status replies under way";
		return -EBUSY;
	}
	report = report_json(facts);
	text = json_object_to_json_string_length(report,
	    JSON_C_TO_STRING_PLAIN, &tlen);
	if (status_out_write(fd, text, tlen, &off)) {
		json_object_put(report);
		close(fd);
		return 0;
	}
	o = xcalloc(1, sizeof(*o));
	o->ev = ev;
	o->len = tlen - off;
	o->buf = xmalloc(o->len);
	memcpy(o->buf, text + off, o->len);
	json_object_put(report);
	ev_io_init(&o->w, status_out_cb, fd, EV_WRITE);
	o->w.data = o;
	ev_io_start(ev, &o->w);
	ev_timer_init(&o->timer, status_timeout_cb, STATUS_SECONDS, 0.);
	o->timer.data = o;
	ev_timer_start(ev, &o->timer);
	if ((o->next = status_outs) != NULL)
		o->next->prev = o;
	status_outs = o;
	status_nouts++;
	return 0;
}

/* The whole reply, up to EOF; NULL after saying why. */
static char *
status_read(int fd, const char *path, size_t *lenp)
{
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t n;

	for (;;) {
		if (cap - len < 4096) {
			cap = cap == 0 ? 65536 : cap * 2;
			nb = realloc(buf, cap);
			if (nb == NULL)
				die(1, "out of memory");
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_err("%s: reading the reply: %s", path,
			    errno == EAGAIN ? "timed out" : strerror(errno));
			break;
		}
		if (n == 0) {
			if (len > 0) {
				*lenp = len;
				return buf;
			}
			log_err("%s: the daemon closed the connection without "
			    "a status (one older than this unotifyd?)", path);
			break;
		}
		if ((len += n) > STATUS_REPLY_MAX) {
			log_err("%s: reply larger than %d bytes", path,
			    STATUS_REPLY_MAX);
			break;
		}
	}
	free(buf);
	return NULL;
}

int
status_query(const char *path, enum status_format format)
{
	struct proto_hello req = { .version = PROTO_VERSION };
	struct json_tokener *tok;
	struct json_object *report;
	cleanup_free char *buf = NULL;
	cleanup_close int fd = -1;
	size_t len;
	int r = -EINVAL;

	if ((fd = client_connect(path)) < 0) {
		log_err("cannot reach the daemon at %s: %s", path,
		    strerror(errno));
		return 1;
	}
	memcpy(req.magic, PROTO_STATUS_MAGIC, sizeof(req.magic));
	if (write(fd, &req, sizeof(req)) != sizeof(req)) {
		log_err("%s: sending the request: %s", path, strerror(errno));
		return 1;
	}
	if ((buf = status_read(fd, path, &len)) == NULL)
		return 1;
	tok = json_tokener_new();
	report = json_tokener_parse_ex(tok, buf, (int)len);
	if (report == NULL || tok->char_offset != (int)len) {
		log_err("%s: the reply is not one JSON object", path);
		json_object_put(report);
		json_tokener_free(tok);
		return 1;
	}
	json_tokener_free(tok);
	if (format == STATUS_JSON && (r = report_check(report)) == 0)
		printf("%s\n", json_object_to_json_string_ext(report,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
	else if (format == STATUS_PROMETHEUS)
		r = report_prometheus(report, stdout);
	else if (format == STATUS_TEXT)
		r = report_text(report, stdout);
	json_object_put(report);
	if (r < 0) {
		log_err("%s: the reply is not a status report of version %d",
		    path, REPORT_VERSION);
		return 1;
	}
	return 0;
}
