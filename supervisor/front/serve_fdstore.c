/* SPDX-License-Identifier: MIT */
/* serve: targets' listeners in systemd's fd store, named to be resumed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "pods.h"
#include "serve_int.h"

/*
 * systemd's fd store keeps every listener across a restart, so a target
 * blocked in a notified call waits instead of failing with ENOSYS. The name
 * carries what resuming needs: "target.PID.HEX(name).HEX(metadata)", hex
 * because FDNAME allows no ':' and no control characters, then for a pod
 * ".HEX(namespace).HEX(pod).HEX(container)" when that fits.
 */
static char *
serve_fdname(const struct serve_target *t, int with_pod)
{
	const char *parts[5] = { t->name, t->metadata };
	char *out, *o;
	size_t i, k, np = 2, n = 0;

	if (with_pod && pods_ident_known(&t->id))
		for (k = 0; k < RULE_SCOPE_KEYS; k++)
			parts[np++] = t->id.name[k] != NULL ? t->id.name[k] :
			    "";
	for (i = 0; i < np; i++)
		n += 2 * strlen(parts[i]);
	out = o = xmalloc(n + 64);
	o += sprintf(o, "target.%d", (int)t->pid);
	for (i = 0; i < np; i++) {
		const unsigned char *p = (const unsigned char *)parts[i];

		*o++ = '.';
		for (; *p != '\0'; p++)
			o += sprintf(o, "%02x", *p);
	}
	*o = '\0';
	return out;
}

static char *
serve_unhex(const char *s, size_t len)
{
	char *out = xmalloc(len / 2 + 1);
	size_t i;
	unsigned int b;

	for (i = 0; i + 1 < len; i += 2) {
		if (sscanf(s + i, "%2x", &b) != 1 || b == 0)
			b = '?';
		out[i / 2] = (char)b;
	}
	out[len / 2] = '\0';
	return out;
}

void
serve_fdstore(struct serve_target *t, int add)
{
	cleanup_free char *name = serve_fdname(t, 1), *msg = NULL;
	int fd = notify_fd(t->notify);

	if (strlen(name) > 255 && pods_ident_known(&t->id)) {
		if (add)
			log_warn("target %s: names too long for the fd store; "
			    "after a restart it is no longer known by its pod",
			    t->what);
		free(name);
		name = serve_fdname(t, 0);
	}
	/* Names longer than systemd's 255 are not stored: logged below. */
	if (strlen(name) > 255) {
		if (add)
			log_warn("target %s: name too long for the fd store; "
			    "a restart would fail its calls", t->shown);
		return;
	}
	if (add) {
		xasprintf(&msg, "FDSTORE=1\nFDNAME=%s", name);
		sd_pid_notify_with_fds(0, 0, msg, &fd, 1);
	} else {
		xasprintf(&msg, "FDSTOREREMOVE=1\nFDNAME=%s", name);
		sd_notify(0, msg);
	}
}

/* A listener handed back by systemd's fd store after a restart. */
void
serve_resume(struct serve *s, int fd, const char *fdname)
{
	cleanup_free char *shown = NULL;
	char *part[5] = { NULL };
	const char *p = fdname + 7, *dot[6];
	struct pod_ident id = { { NULL } };
	size_t n = 0, i;
	int pid;

	for (dot[0] = strchr(p, '.'); dot[n] != NULL && n < 5; n++)
		dot[n + 1] = strchr(dot[n] + 1, '.');
	if (sscanf(p, "%d", &pid) != 1 || (n != 2 && n != 5) ||
	    dot[n] != NULL) {
		shown = serve_shown(fdname);
		log_err("fd store: cannot parse \"%s\"; dropping it", shown);
		sd_notifyf(0, "FDSTOREREMOVE=1\nFDNAME=%s", fdname);
		close(fd);
		return;
	}
	for (i = 0; i < n; i++)
		part[i] = serve_unhex(dot[i] + 1, (i + 1 < n ? (size_t)(dot[i +
		    1] - dot[i]) : strlen(dot[i])) - 1);
	shown = serve_shown(part[0]);
	log_info("fd store: resuming target %s (pid %d)", shown, pid);
	if (n == 5 && pods_ident_set(&id, part[2], part[3], part[4]) < 0)
		log_warn("fd store: '%s' names no valid pod", fdname);
	/* Re-adding stores it again under the same name: drop the old. */
	sd_notifyf(0, "FDSTOREREMOVE=1\nFDNAME=%s", fdname);
	serve_target_add(s, fd, pid, part[0], part[1], &id, 0);
	pods_ident_fini(&id);
	for (i = 0; i < n; i++)
		free(part[i]);
}
