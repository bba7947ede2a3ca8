/* SPDX-License-Identifier: MIT */
/* `unotifyd status`: the daemon's counters over its socket, both ends. */
#ifndef STATUS_H
#define STATUS_H

#include <stddef.h>

struct ev_loop;
struct report_facts;

enum status_format {
	STATUS_TEXT,
	STATUS_JSON,
	STATUS_PROMETHEUS
};

/*
 * Daemon side. buf holds what the client sent (len bytes, nfds descriptors
 * with it), which began with PROTO_STATUS_MAGIC. If it is exactly one
 * request, take over fd (non-blocking) and send the report on loop ev,
 * dropping a client that does not read it within a few seconds: 0. Else
 * -EINVAL (or -EBUSY: too many replies under way) with the reason in *why,
 * and fd is still the caller's.
 */
int	status_reply(struct ev_loop *ev, int fd, const void *buf, size_t len,
	    size_t nfds, const struct report_facts *, const char **why);

/* Client side: ask the daemon at path and print its report on stdout.
 * Returns the exit status: 0, or 1 after saying why on stderr. */
int	status_query(const char *path, enum status_format);

#endif
