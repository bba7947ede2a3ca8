/* SPDX-License-Identifier: MIT */
/* serve: hand-over to and from another `unotifyd serve` (handover_ops). */
#include <ev.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "handover.h"
#include "log.h"
#include "notify.h"
#include "pods.h"
#include "serve.h"
#include "serve_int.h"

/* During a hand-over: send the target to the successor too. */
void
serve_handover_offer_one(struct handover *h, const struct serve_target *t)
{
	cleanup_free char *name = NULL;
	const char *str[HANDOVER_NSTR];
	size_t k;

	if (!handover_active(h))
		return;
	/* Only a label: cut rather than fail the whole hand-over. */
	name = xstrndup(t->name, HANDOVER_STR_MAX);
	str[HANDOVER_STR_NAME] = name;
	str[HANDOVER_STR_METADATA] = t->metadata;
	for (k = 0; k < RULE_SCOPE_KEYS; k++)
		str[HANDOVER_STR_NAMESPACE + k] = t->id.name[k] != NULL ?
		    t->id.name[k] : "";
	handover_offer_target(h, notify_fd(t->notify), t->pid, str);
}

void
serve_handover_pause(void *arg, int pause)
{
	struct serve *s = arg;
	struct serve_socket *sock;

	for (sock = s->sockets; sock != NULL; sock = sock->next)
		if (pause)
			ev_io_stop(s->ev, &sock->w);
		else
			ev_io_start(s->ev, &sock->w);
}

int
serve_handover_busy(void *arg)
{
	return ((struct serve *)arg)->conns != NULL;
}

void
serve_handover_targets(void *arg, struct handover *h)
{
	struct serve *s = arg;
	struct serve_target *t;

	for (t = s->targets; t != NULL; t = t->next)
		serve_handover_offer_one(h, t);
}

void
serve_handover_sockets(void *arg, struct handover *h)
{
	struct serve *s = arg;
	struct serve_socket *sock;

	for (sock = s->sockets; sock != NULL; sock = sock->next)
		handover_offer_socket(h, sock->w.fd, sock->w.fd == s->own_fd ?
		    HANDOVER_SOCKET_OWN : 0);
}

/*
 * --handover-stay: keep the process (a container whose restart policy
 * would start it again, and take everything back) but nothing else: the
 * successor owns the targets, the sockets and the hand-over path.
 */
static void
serve_handover_retire(struct serve *s)
{
	struct serve_socket *sock;

	while (s->targets != NULL)
		serve_target_free(s->targets);
	while ((sock = s->sockets) != NULL) {
		s->sockets = sock->next;
		ev_io_stop(s->ev, &sock->w);
		close(sock->w.fd);
		free(sock);
	}
	s->own_fd = -1;
	handover_free(s->handover, 0);
	s->handover = NULL;
}

/* The successor serves every listener: stop receiving, and leave. */
void
serve_handover_done(void *arg, pid_t pid, unsigned ntargets)
{
	struct serve *s = arg;
	struct serve_target *t;

	s->handed_over = 1;
	for (t = s->targets; t != NULL; t = t->next) {
		serve_target_quiet(t);
		/* The fd store must not resume what pid serves now. */
		serve_fdstore(t, 0);
	}
	ev_timer_stop(s->ev, &s->wait_timer);
	if (s->opts->handover_stay && s->stop_signo == 0) {
		serve_handover_retire(s);
		log_info("handed %u targets over to pid %d; idle until "
		    "stopped (--handover-stay)", ntargets, (int)pid);
		return;
	}
	log_info("handed %u targets over to pid %d; exiting", ntargets,
	    (int)pid);
	sd_notify(0, "STOPPING=1");
	ev_break(s->ev, EVBREAK_ALL);
}

int
serve_handover_take_target(void *arg, struct handover_msg *m)
{
	struct serve *s = arg;
	struct pod_ident id;
	int r;

	/* handover_msg.c let only valid names through. */
	pods_ident_set(&id, m->str[HANDOVER_STR_NAMESPACE],
	    m->str[HANDOVER_STR_POD], m->str[HANDOVER_STR_CONTAINER]);
	r = serve_target_add(s, m->fd, m->pid, m->str[HANDOVER_STR_NAME],
	    m->str[HANDOVER_STR_METADATA], &id, 0);
	pods_ident_fini(&id);
	m->fd = -1;
	if (r == 0)
		s->targets->taken = 1;
	return r;
}

int
serve_handover_take_socket(void *arg, struct handover_msg *m)
{
	struct serve *s = arg;

	serve_socket_add(s, m->fd);
	s->sockets->taken = 1;
	if (m->flags & HANDOVER_SOCKET_OWN)
		s->own_fd = m->fd;
	m->fd = -1;
	return 0;
}

/* The hand-over failed: the old daemon keeps serving all of it. */
void
serve_handover_abort(void *arg)
{
	struct serve *s = arg;
	struct serve_target *t, *next;
	struct serve_socket **sp, *sock;

	for (t = s->targets; t != NULL; t = next) {
		next = t->next;
		if (t->taken)
			serve_target_free(t);
	}
	for (sp = &s->sockets; (sock = *sp) != NULL;) {
		if (!sock->taken) {
			sp = &sock->next;
			continue;
		}
		*sp = sock->next;
		ev_io_stop(s->ev, &sock->w);
		if (sock->w.fd == s->own_fd)
			s->own_fd = -1;
		close(sock->w.fd);
		free(sock);
	}
}

/* The hand-over happened: what was taken is ours like the rest. */
void
serve_handover_keep(struct serve *s)
{
	struct serve_target *t;
	struct serve_socket *sock;

	for (t = s->targets; t != NULL; t = t->next)
		t->taken = 0;
	for (sock = s->sockets; sock != NULL; sock = sock->next)
		sock->taken = 0;
}

/*
 * Where a successor finds us: next to our socket, or next to systemd's
 * first AF_UNIX socket when it gave us ours. NULL when there is none.
 */
char *
serve_handover_where(const struct serve *s)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);

	if (s->opts->socket != NULL)
		return handover_path(s->opts->socket);
	if (s->sockets == NULL)
		return handover_path(SERVE_SOCKET);
	memset(&sun, 0, sizeof(sun));
	if (getsockname(s->sockets->w.fd, (struct sockaddr *)&sun, &len) < 0 ||
	    sun.sun_family != AF_UNIX || len <= offsetof(struct sockaddr_un,
	    sun_path) || sun.sun_path[0] != '/')
		return NULL;
	sun.sun_path[sizeof(sun.sun_path) - 1] = '\0';
	return handover_path(sun.sun_path);
}
