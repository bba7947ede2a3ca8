/* SPDX-License-Identifier: MIT */
/* serve: the targets, one per listener: adding, receiving, dropping them. */
#include <errno.h>
#include <ev.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dispatch.h"
#include "log.h"
#include "notify.h"
#include "pods.h"
#include "rules.h"
#include "serve_int.h"
#include "session.h"
#include "target.h"

/* Room for a client-supplied name in a log line. */
#define SERVE_SHOWN		256
/* How long a target's receivers get to leave once interrupted. */
#define SERVE_QUIET_MS		200
/* Before 6.11: how often the loop looks whether a target is gone (s). */
#define SERVE_HUP_POLL		0.25

/* A client-supplied string as logs show it (log_escape), allocated. */
char *
serve_shown(const char *str)
{
	char buf[SERVE_SHOWN];

	return xstrdup(log_escape(str, buf, sizeof(buf)));
}

/* The rules a target's calls follow. */
static struct rule_set *
serve_target_rules(const struct serve_target *t)
{
	if (t->view != NULL)
		return t->view;
	return t->rules != NULL ? t->rules : t->s->rules;
}

/* Apply the [match] sections of its rules to the target's pod; again
 * whenever they change. */
void
serve_target_view(struct serve_target *t)
{
	const struct rule_set *base = t->rules != NULL ? t->rules :
	    t->s->rules;
	size_t dropped;

	rules_drop(t->view);
	dropped = pods_view(base, &t->id, &t->view);
	if (t->view != NULL)
		log_info("target %s: %zu rules apply, %zu others are for other "
		    "pods ([match])", t->what, t->view->n, dropped);
	/* Receivers answer by them from their next notification on. */
	if (t->session != NULL)
		session_set_rules(t->session, serve_target_rules(t));
}

void
serve_target_free(struct serve_target *t)
{
	struct serve *s = t->s;

	serve_target_quiet(t);
	ev_async_stop(s->ev, &t->gone_w);
	ev_timer_stop(s->ev, &t->hup_w);
	if (t->gone)
		serve_fdstore(t, 0);
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		s->targets = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	notify_unref(t->notify);
	serve_accept_resume(s);
	free(t->req);
	rules_drop(t->rules);
	rules_drop(t->view);
	pods_ident_fini(&t->id);
	free(t->label);
	free(t->fields);
	free(t->what);
	free(t->name);
	free(t->shown);
	free(t->metadata);
	free(t);
	s->ntargets--;
	serve_status(s);
	serve_stop_if_idle(s);
}

/* Stop receiving from the target's listener (a successor does, or it is
 * being dropped): receivers are interrupted and joined; one stuck in an
 * open that no signal ends is left to finish on its own. */
void
serve_target_quiet(struct serve_target *t)
{
	int left;

	ev_io_stop(t->s->ev, &t->w);
	if (t->session == NULL)
		return;
	if ((left = session_end(t->session, 1, SERVE_QUIET_MS)) > 0)
		log_warn("target %s: %d %s still blocked in a call, left to "
		    "finish", t->what, left, PLURAL(left, "receiver",
		    "receivers"));
	t->session = NULL;
}

/* No task uses the target's filter any more (err 0), or receiving from it
 * failed (err: -errno, only on a broken listener: do not spin on it). */
static void
serve_target_gone(struct serve_target *t, int err)
{
	if (err == 0)
		log_info("target %s: no process uses its filter any more",
		    t->what);
	else
		log_err("target %s: receiving: %s; dropping it", t->what,
		    strerror(-err));
	t->gone = 1;
	serve_target_free(t);
}

/* From the target's first receiver out. */
static void
serve_target_done(void *arg, int err)
{
	struct serve_target *t = arg;

	__atomic_store_n(&t->gone_err, err, __ATOMIC_RELEASE);
	ev_async_send(t->s->ev, &t->gone_w);
}

static void
serve_target_gone_cb(struct ev_loop *ev, ev_async *w, int revents)
{
	struct serve_target *t = w->data;

	(void)ev;
	(void)revents;
	serve_target_gone(t, __atomic_load_n(&t->gone_err, __ATOMIC_ACQUIRE));
}

/* Before Linux 6.11: no task left using the filter does not end a
 * receiver's RECV; the loop looks, and ends them itself. */
static void
serve_target_hup_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	struct serve_target *t = w->data;

	(void)ev;
	(void)revents;
	if (notify_gone(t->notify))
		serve_target_gone(t, 0);
}

/* Without receivers (too many threads): the loop receives, decides and
 * answers. */
static void
serve_target_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct serve_target *t = w->data;
	int r;

	(void)ev;
	(void)revents;
	if ((r = notify_recv(t->notify, t->req, NULL)) == 0) {
		/* -v decisions name the pod. */
		log_set_context(t->label);
		log_set_fields(t->fields);
		dispatch_notification(t->notify, serve_target_rules(t), t->req);
		log_set_context(NULL);
		log_set_fields(NULL);
	} else if (r == -EPIPE)
		serve_target_gone(t, 0);
	else if (r != -ENOENT && r != -EINTR)
		serve_target_gone(t, r);
}

/* Take over a listener; returns 0 or -errno (the fd is consumed). id may
 * be NULL (not a Kubernetes container). tracked: its filter notifies every
 * change of credentials and umask (an exec client's, as the daemon made
 * it), so that they are read once (target_view). */
int
serve_target_add(struct serve *s, int fd, pid_t pid, const char *name,
    const char *metadata, const struct pod_ident *id, int tracked)
{
	cleanup_free char *shown = serve_shown(name);
	cleanup_free char *shown_md = serve_shown(metadata);
	struct session_ops ops = { 0 };
	struct causes c = { 0 };
	struct rule_set *rules;
	struct serve_target *t;
	struct notify *n;

	if (serve_load_metadata(s->opts->rules, metadata, &rules, &c) < 0) {
		log_err("target %s (pid %d): rules for metadata \"%s\":", shown,
		    (int)pid, shown_md);
		serve_log_causes(&c, "  ");
		if (serve_kept(s, metadata, &rules) < 0) {
			close(fd);
			return -EINVAL;
		}
		log_err("target %s (pid %d): using the last rules that loaded "
		    "for this metadata", shown, (int)pid);
	} else if (rules != NULL)
		serve_keep(s, metadata, rules);
	if ((n = notify_new(fd)) == NULL) {
		int err = errno;

		log_err("target %s (pid %d): not a seccomp listener: %s", shown,
		    (int)pid, strerror(err));
		close(fd);
		rules_drop(rules);
		return -err;
	}
	if (tracked)
		notify_set_data(n, target_view_new(), target_view_free);
	t = xcalloc(1, sizeof(*t));
	t->s = s;
	t->notify = n;
	t->req = notify_req_new(n);
	t->pid = pid;
	t->name = xstrdup(name);
	t->shown = xstrdup(shown);
	t->metadata = xstrdup(metadata);
	t->rules = rules;
	if (id != NULL)
		pods_ident_set(&t->id, id->name[RULE_SCOPE_NAMESPACE],
		    id->name[RULE_SCOPE_POD], id->name[RULE_SCOPE_CONTAINER]);
	t->label = pods_ident_label(&t->id);
	t->fields = pods_ident_fields(&t->id);
	if (t->label != NULL)
		xasprintf(&t->what, "%s (pid %d, %s)", shown, (int)pid,
		    t->label);
	else
		xasprintf(&t->what, "%s (pid %d)", shown, (int)pid);
	serve_target_view(t);
	ev_io_init(&t->w, serve_target_cb, fd, EV_READ);
	t->w.data = t;
	ev_async_init(&t->gone_w, serve_target_gone_cb);
	t->gone_w.data = t;
	ev_async_start(s->ev, &t->gone_w);
	ops.done = serve_target_done;
	ops.arg = t;
	ops.label = t->label;
	ops.fields = t->fields;
	/* The same receivers as `run`'s: one target's blocking call never
	 * holds up the loop, nor SYNC_WAKE_UP lost through epoll. */
	if ((t->session = session_start(n, serve_target_rules(t), 1,
	    &ops)) == NULL)
		ev_io_start(s->ev, &t->w);
	else if (!notify_recv_can_block(n)) {
		/* Before 6.11 a receiver waiting in RECV is not told. */
		ev_timer_init(&t->hup_w, serve_target_hup_cb, SERVE_HUP_POLL,
		    SERVE_HUP_POLL);
		t->hup_w.data = t;
		ev_timer_start(s->ev, &t->hup_w);
	}
	if ((t->next = s->targets) != NULL)
		t->next->prev = t;
	s->targets = t;
	s->ntargets++;
	s->served++;
	log_info("target %s: supervising with %s rules", t->what,
	    rules != NULL ? shown_md : "the default");
	serve_fdstore(t, 1);
	serve_status(s);
	/* Arrived while a successor is being handed everything: it too. */
	serve_handover_offer_one(s->handover, t);
	return 0;
}
