/* SPDX-License-Identifier: MIT */
/* `unotifyd serve`: one event loop supervising every process that an
 * `unotifyd exec` client or an OCI runtime (runc, crun) hands it. */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "connlimit.h"
#include "creds.h"
#include "dispatch.h"
#include "fdpass.h"
#include "handover.h"
#include "handshake.h"
#include "log.h"
#include "oci.h"
#include "pods.h"
#include "proto.h"
#include "report.h"
#include "rules.h"
#include "rulesnap.h"
#include "serve.h"
#include "session.h"
#include "stats.h"
#include "status.h"
#include "syscalls.h"
#include "target.h"
#include "worker.h"

const char *const serve_rules_dirs[] = {
	"/etc/unotifyd/rules.d",
	"/run/unotifyd/rules.d",
	"/usr/lib/unotifyd/rules.d",
	NULL
};

/* A client that has not finished its handshake by then is dropped. */
#define SERVE_HANDSHAKE_SECONDS	10.
#define SERVE_MAXFDS		4
/* accept(2) out of descriptors waits this long, or for a close. */
#define SERVE_ACCEPT_PAUSE	1.
/* Room for a client-supplied name in a log line. */
#define SERVE_SHOWN		256
/* How long a target's receivers get to leave once interrupted. */
#define SERVE_QUIET_MS		200

struct serve;

struct serve_socket {
	ev_io			 w;
	struct serve		*s;
	int			 taken;		/* from a hand-over not done */
	struct serve_socket	*next;
};

enum serve_conn_state {
	SERVE_CONN_NEW,		/* first bytes tell exec from OCI */
	SERVE_CONN_EXEC_HELLO,
	SERVE_CONN_EXEC_TARGET,
	SERVE_CONN_OCI
};

struct serve_conn {
	ev_io			 w;
	ev_timer		 timer;
	struct serve		*s;
	int			 fd;
	struct ucred		 cred;
	enum serve_conn_state	 state;
	char			 buf[sizeof(struct proto_hello) +
				     sizeof(struct proto_target)];
	size_t			 len;
	struct oci_reader	*oci;
	int			 fds[SERVE_MAXFDS];
	size_t			 nfds;
	int			 counted;	/* in s->limits */
	struct serve_conn	*prev, *next;
};

struct serve_target {
	ev_io			 w;
	struct serve		*s;
	struct notify		*notify;
	struct seccomp_notif	*req;
	pid_t			 pid;
	char			*name;
	char			*shown;		/* name escaped for logs */
	char			*metadata;	/* "" for the default rules */
	struct rule_set		*rules;		/* NULL: the default rules */
	struct rule_set		*view;		/* those of rules (or of the
						   default) that its pod's
						   [match] selects; NULL: all */
	struct pod_ident	 id;
	char			*label;		/* "pod NS/POD container C" */
	char			*fields;	/* the same for the journal */
	char			*what;		/* "NAME (pid N[, label])" */
	struct session		*session;	/* its receivers, or NULL: the
						   loop receives (w) */
	ev_async		 gone_w;	/* from a receiver */
	int			 gone_err;	/* 0, or why RECV failed */
	int			 gone;		/* no task uses the filter */
	int			 taken;		/* from a hand-over not done */
	struct serve_target	*prev, *next;
};

struct serve {
	struct ev_loop		*ev;
	const struct serve_options *opts;
	struct rule_set		*rules;
	struct serve_socket	*sockets;
	struct serve_conn	*conns;
	struct serve_target	*targets;
	ev_io			 signal_w;
	ev_timer		 status_timer;
	ev_timer		 watchdog_timer;
	struct connlimit	*limits;
	struct rulesnap		*snap;		/* the last rules that loaded */
	int			 kept;		/* serving s->rules from snap */
	ev_timer		 accept_timer;	/* resumes a paused accept */
	int			 accept_paused;
	unsigned long		 ntargets;
	unsigned long		 served;	/* targets ever */
	struct handover		*handover;	/* listening for a successor */
	ev_timer		 wait_timer;	/* SIGTERM: for a successor */
	int			 stop_signo;	/* set once asked to stop */
	int			 handed_over;	/* a successor has it all */
	int			 own_fd;	/* our socket at opts->socket
						   (unlinked at exit), or -1 */
};

static void	serve_accept_resume(struct serve *);
static void	serve_target_quiet(struct serve_target *);

/* A client-supplied string as logs show it (log_escape), allocated. */
static char *
serve_shown(const char *str)
{
	char buf[SERVE_SHOWN];

	return xstrdup(log_escape(str, buf, sizeof(buf)));
}

/* Log each cause after the line that introduced them, and forget them. */
static void
serve_log_causes(struct causes *c, const char *indent)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		log_err("%s%s", indent, c->v[i]);
	causes_free(c);
}

/* Load the default rules: -r paths, or the drop-in directories. */
static int
serve_load(const struct serve *s, struct rule_set *set, struct causes *c)
{
	const char **p;
	int r = 0;

	rules_init(set);
	if (s->opts->rules == NULL || s->opts->rules[0] == NULL)
		r = rules_load_dropins(set, serve_rules_dirs, c);
	else
		for (p = s->opts->rules; *p != NULL; p++)
			if (rules_load(set, *p, c) < 0)
				r = -1;
	set->io_uring |= s->opts->io_uring;
	if (r == 0)
		rules_index(set);
	return r;
}

/*
 * NAME.ini in the -r directories, then the rule directories (earliest
 * wins); NULL if none has it.
 */
static char *
serve_find_rules(const char *const *rdirs, const char *name)
{
	const char *const *lists[2] = { rdirs, serve_rules_dirs };
	const char *const *dir;
	struct stat st;
	char *file;
	size_t i;

	for (i = 0; i < 2; i++)
		for (dir = lists[i]; dir != NULL && *dir != NULL; dir++) {
			if (i == 0 && (stat(*dir, &st) < 0 ||
			    !S_ISDIR(st.st_mode)))
				continue;
			xasprintf(&file, "%s/%s.ini", *dir, name);
			if (access(file, F_OK) == 0)
				return file;
			free(file);
		}
	return NULL;
}

/*
 * Rules chosen by a runtime's listenerMetadata: "rules=NAME ..." loads
 * NAME.ini from the -r directories and the rule directories (earliest
 * wins), in order. Empty metadata means the default rules (NULL in *out).
 */
static int
serve_load_metadata(const char *const *rdirs, const char *metadata,
    struct rule_set **out, struct causes *c)
{
	cleanup_free char *copy = xstrdup(metadata);
	struct rule_set *set;
	char *tok, *save = NULL, *name, *file;
	int r = 0;

	*out = NULL;
	if (strspn(metadata, " \t") == strlen(metadata))
		return 0;
	set = xcalloc(1, sizeof(*set));
	rules_init(set);
	for (tok = strtok_r(copy, " \t,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,", &save)) {
		if (strncmp(tok, "rules=", 6) != 0) {
			causes_add(c, "metadata: unknown item '%s' (expected "
			    "rules=NAME)", tok);
			r = -1;
			continue;
		}
		name = tok + 6;
		if (*name == '\0' || *name == '.' || strchr(name, '/')) {
			causes_add(c, "metadata: bad rules name '%s'", name);
			r = -1;
			continue;
		}
		if ((file = serve_find_rules(rdirs, name)) != NULL) {
			if (rules_load(set, file, c) < 0)
				r = -1;
			free(file);
		} else {
			causes_add(c, "metadata: no rules file %s.ini in the "
			    "rule directories", name);
			r = -1;
		}
	}
	if (r < 0) {
		rules_drop(set);
		return -1;
	}
	rules_index(set);
	*out = set;
	return 0;
}

static void
serve_status(struct serve *s)
{
	cleanup_free struct stats_snapshot *st = xmalloc(sizeof(*st));

	stats_snapshot(st);
	sd_notifyf(0, "STATUS=%lu %s (%lu since start), %llu calls "
	    "answered, %zu %s%s", s->ntargets, PLURAL(s->ntargets, "target",
	    "targets"), s->served, (unsigned long long)st->notifications,
	    s->rules->n,
	    PLURAL(s->rules->n, "rule", "rules"), s->kept ? "; THE RULES ON "
	    "DISK ARE INVALID (see the log): serving the last rules that "
	    "loaded" : "");
}

/*
 * Keep set as the last rules that loaded for key ("" or a target's
 * metadata), in the fd store where a restart finds them. Without one
 * (no NOTIFY_SOCKET) there is nothing a restart could take back.
 */
static void
serve_keep(struct serve *s, const char *key, const struct rule_set *set)
{
	int r;

	if (getenv("NOTIFY_SOCKET") == NULL)
		return;
	if ((r = rulesnap_record(s->snap, key, set)) > 0)
		r = rulesnap_fdstore(s->snap);
	if (r < 0)
		log_warn("cannot keep a copy of the rules for a restart: %s",
		    strerror(-r));
}

/* The last rules that loaded for key, indexed, in *out; 0 or -errno. */
static int
serve_kept(struct serve *s, const char *key, struct rule_set **out)
{
	struct causes c = { 0 };
	struct rule_set *set;
	int r;

	*out = NULL;
	set = xcalloc(1, sizeof(*set));
	rules_init(set);
	if ((r = rulesnap_restore(s->snap, key, set, &c)) < 0) {
		if (r != -ENOENT) {
			log_err("the kept copy of the rules does not load:");
			serve_log_causes(&c, "  ");
		}
		causes_free(&c);
		rules_drop(set);
		return r;
	}
	rules_index(set);
	*out = set;
	return 0;
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
static void
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

/* During a hand-over: send the target to the successor too. */
static void
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

/* Leave the loop for the signal that asked us to stop. */
static void
serve_stop_now(struct serve *s)
{
	ev_timer_stop(s->ev, &s->wait_timer);
	log_info("%s: stopping with %lu targets", strsignal(s->stop_signo),
	    s->ntargets);
	sd_notify(0, "STOPPING=1");
	ev_break(s->ev, EVBREAK_ALL);
}

/* Waiting for a successor, the last target left: nothing to hand over. */
static void
serve_stop_if_idle(struct serve *s)
{
	if (s->ntargets == 0 && ev_is_active(&s->wait_timer) &&
	    !handover_active(s->handover)) {
		log_info("no targets left to hand over");
		serve_stop_now(s);
	}
}

/*
 * SIGTERM or SIGINT. With targets, wait up to --handover-wait seconds for a
 * successor to take them (closing their listeners would fail every call
 * with ENOSYS), serving them meanwhile. A second signal stops at once.
 */
static void
serve_stop_signal(struct serve *s, int signo)
{
	if (s->stop_signo != 0) {
		log_info("%s again: not waiting for a successor",
		    strsignal(signo));
		serve_stop_now(s);
		return;
	}
	s->stop_signo = signo;
	/* Stopping now would close listeners the successor may not hold. */
	if (handover_active(s->handover)) {
		log_info("%s: stopping once the hand-over under way ends",
		    strsignal(signo));
		ev_timer_set(&s->wait_timer, s->opts->handover_wait > 0 ?
		    s->opts->handover_wait : 1., 0.);
		ev_timer_start(s->ev, &s->wait_timer);
		return;
	}
	if (s->opts->handover_wait <= 0 || s->handover == NULL ||
	    (s->ntargets == 0 && !handover_active(s->handover))) {
		serve_stop_now(s);
		return;
	}
	log_info("%s: waiting up to %d s for a successor to take over %lu "
	    "targets", strsignal(signo), s->opts->handover_wait, s->ntargets);
	ev_timer_set(&s->wait_timer, s->opts->handover_wait, 0.);
	ev_timer_start(s->ev, &s->wait_timer);
}

static void
serve_wait_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	struct serve *s = w->data;

	(void)revents;
	/* A hand-over under way ends by itself, one way or the other. */
	if (handover_active(s->handover)) {
		ev_timer_set(w, 1., 0.);
		ev_timer_start(ev, w);
		return;
	}
	log_warn("no successor within %d s: closing %lu listeners fails "
	    "their calls with ENOSYS", s->opts->handover_wait, s->ntargets);
	serve_stop_now(s);
}

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

static void
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

static void
serve_target_free(struct serve_target *t)
{
	struct serve *s = t->s;

	serve_target_quiet(t);
	ev_async_stop(s->ev, &t->gone_w);
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
static void
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

/* Without receivers (a kernel before 6.11, or too many threads): the loop
 * receives, decides and answers. */
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
static int
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

/* A listener handed back by systemd's fd store after a restart. */
static void
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

static void
serve_conn_free(struct serve_conn *c)
{
	struct serve *s = c->s;
	size_t i;

	ev_io_stop(s->ev, &c->w);
	ev_timer_stop(s->ev, &c->timer);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	for (i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	oci_reader_free(c->oci);
	close(c->fd);
	if (c->counted)
		connlimit_release(s->limits, c->cred.uid);
	free(c);
	serve_accept_resume(s);
	/* A hand-over waits for connections mid-handshake. */
	if (s->conns == NULL)
		handover_poke(s->handover);
}

static void
serve_conn_fail(struct serve_conn *c, const char *fmt, ...)
    PRINTFLIKE(2, 3);

static void
serve_conn_fail(struct serve_conn *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_limited(LOG_LEVEL_ERR, "client pid %d uid %d: %s; connection "
	    "dropped", (int)c->cred.pid, (int)c->cred.uid, msg);
	serve_conn_free(c);
}

/* The exec client's steps; 1 when the connection is done with. */
static int
serve_conn_exec(struct serve_conn *c)
{
	struct proto_hello *hello = (struct proto_hello *)c->buf;
	struct proto_target pt;
	struct proto_filter pf = { .version = PROTO_VERSION };
	struct proto_ack ack = { 0 };
	syscalls_mask mask;
	int fd, r;

	if (c->state == SERVE_CONN_EXEC_HELLO) {
		if ((r = handshake_hello(c->buf, c->len)) == 0)
			return 0;
		if (r == HANDSHAKE_STATUS) {
			struct report_facts f = { (long)c->s->ntargets,
			    (long)c->s->served, c->s->rules };
			const char *why;

			/* status.c takes the fd, and closes it once sent. */
			ev_io_stop(c->s->ev, &c->w);
			if (status_reply(c->s->ev, c->fd, c->buf, c->len,
			    c->nfds, &f, &why) < 0) {
				serve_conn_fail(c, "%s", why);
				return 1;
			}
			c->fd = -1;
			serve_conn_free(c);
			return 1;
		}
		if (r < 0) {
			serve_conn_fail(c, "unknown protocol version");
			return 1;
		}
		/* Told of every change of credentials and umask, the daemon
		 * reads a client's only once (target_view). */
		mask = rules_syscalls(c->s->rules);
		if (mask != 0)
			mask |= SYSCALLS_MASK(SYSCALLS_CREDS) |
			    SYSCALLS_MASK(SYSCALLS_UMASK);
		pf.mask = (uint32_t)mask;
		pf.mask_hi = (uint32_t)(mask >> 32);
		if (write(c->fd, &pf, sizeof(pf)) != sizeof(pf)) {
			serve_conn_fail(c, "write: %s", strerror(errno));
			return 1;
		}
		/* A client may send its target right behind the hello. */
		c->len -= sizeof(*hello);
		memmove(c->buf, c->buf + sizeof(*hello), c->len);
		c->state = SERVE_CONN_EXEC_TARGET;
		return 0;
	}
	if (handshake_target(c->buf, c->len, &pt) == 0)
		return 0;
	if (c->nfds != 1) {
		serve_conn_fail(c, "expected one listener fd, got %zu",
		    c->nfds);
		return 1;
	}
	fd = c->fds[0];
	c->nfds = 0;
	r = serve_target_add(c->s, fd, pt.pid, pt.comm, "", NULL, 1);
	ack.error = r < 0 ? -r : 0;
	if (write(c->fd, &ack, sizeof(ack)) != sizeof(ack))
		log_warn("client pid %d: ack: %s", (int)c->cred.pid,
		    strerror(errno));
	serve_conn_free(c);
	return 1;
}

/* The OCI runtime's message; 1 when the connection is done with. */
static int
serve_conn_oci(struct serve_conn *c, const char *buf, size_t len)
{
	cleanup_free char *cause = NULL, *shown_id = NULL, *version = NULL;
	cleanup_free char *bundle = NULL;
	struct oci_msg *m = NULL;
	struct pod_ident id;
	int fd, r;

	if ((r = oci_reader_feed(c->oci, buf, len, &m, &cause)) == 0)
		return 0;
	if (r < 0) {
		serve_conn_fail(c, "bad OCI state message: %s", cause);
		return 1;
	}
	if ((size_t)m->seccomp_index >= c->nfds) {
		serve_conn_fail(c, "OCI message names fd %d of %zu received",
		    m->seccomp_index, c->nfds);
		oci_msg_free(m);
		return 1;
	}
	fd = c->fds[m->seccomp_index];
	c->fds[m->seccomp_index] = c->fds[--c->nfds];
	shown_id = serve_shown(m->id);
	version = serve_shown(m->oci_version);
	bundle = serve_shown(m->bundle);
	log_info("runtime pid %d: container %s (%s, bundle %s) pid %d",
	    (int)c->cred.pid, shown_id, version, bundle, m->pid);
	/* oci.c let only valid names through. */
	pods_ident_set(&id, m->pod_namespace, m->pod_name,
	    m->container_name);
	if (m->sandbox)
		log_warn("container %s is the sandbox (pause) container of pod "
		    "%s/%s: a pod-level seccomp profile supervises it too; "
		    "give each container its own profile instead", shown_id,
		    m->pod_namespace, m->pod_name);
	serve_target_add(c->s, fd, m->pid, m->id, m->metadata, &id, 0);
	pods_ident_fini(&id);
	oci_msg_free(m);
	/* Runtimes keep the connection open; we are done with it. */
	serve_conn_free(c);
	return 1;
}

static void
serve_conn_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct serve_conn *c = w->data;
	enum handshake_kind kind;
	char chunk[4096];
	size_t n, room, skip;
	ssize_t r;

	(void)ev;
	(void)revents;
	r = fdpass_recv_fds(c->fd, c->fds + c->nfds, SERVE_MAXFDS - c->nfds,
	    &n, chunk, sizeof(chunk));
	if (r == -EAGAIN || r == -EINTR)
		return;
	if (r < 0) {
		serve_conn_fail(c, "recv: %s", strerror((int)-r));
		return;
	}
	c->nfds += n;
	if (r == 0) {
		cleanup_free char *cause = NULL;

		if (c->state == SERVE_CONN_OCI &&
		    oci_reader_eof(c->oci, &cause) < 0)
			serve_conn_fail(c, "%s", cause);
		else if (c->state == SERVE_CONN_EXEC_TARGET) {
			/* Its command could not start: it said why. */
			log_info("client pid %d: no command to supervise",
			    (int)c->cred.pid);
			serve_conn_free(c);
		} else
			serve_conn_fail(c, "closed before the end of its "
			    "handshake");
		return;
	}
	if (c->state == SERVE_CONN_NEW) {
		kind = handshake_kind(chunk, r, &skip);
		if (kind == HANDSHAKE_MORE)
			return;
		if (kind == HANDSHAKE_OCI) {
			c->state = SERVE_CONN_OCI;
			c->oci = oci_reader_new();
		} else if (kind == HANDSHAKE_EXEC) {
			c->state = SERVE_CONN_EXEC_HELLO;
		} else {
			serve_conn_fail(c, "neither an OCI runtime nor "
			    "unotifyd exec (first byte 0x%02x)",
			    (unsigned char)chunk[skip]);
			return;
		}
	}
	if (c->state == SERVE_CONN_OCI) {
		serve_conn_oci(c, chunk, r);
		return;
	}
	room = sizeof(c->buf) - c->len;
	if ((size_t)r > room) {
		serve_conn_fail(c, "unexpected data");
		return;
	}
	memcpy(c->buf + c->len, chunk, r);
	c->len += r;
	/* The hello step may leave a whole target message behind it. */
	if (serve_conn_exec(c) == 0 && c->state == SERVE_CONN_EXEC_TARGET &&
	    c->len >= sizeof(struct proto_target))
		serve_conn_exec(c);
}

static void
serve_conn_timeout_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	struct serve_conn *c = w->data;

	(void)ev;
	(void)revents;
	serve_conn_fail(c, "no complete handshake within %.0f s",
	    SERVE_HANDSHAKE_SECONDS);
}

/* Out of descriptors: stop accepting for a while instead of spinning on
 * a listening socket that stays readable. */
static void
serve_accept_pause(struct serve *s, int err)
{
	struct serve_socket *sock;

	log_limited(LOG_LEVEL_WARNING, "accept: %s; not accepting for %.0f s "
	    "or until a connection closes", strerror(err), SERVE_ACCEPT_PAUSE);
	for (sock = s->sockets; sock != NULL; sock = sock->next)
		ev_io_stop(s->ev, &sock->w);
	s->accept_paused = 1;
	ev_timer_set(&s->accept_timer, SERVE_ACCEPT_PAUSE, 0.);
	ev_timer_start(s->ev, &s->accept_timer);
}

static void
serve_accept_resume(struct serve *s)
{
	struct serve_socket *sock;

	if (!s->accept_paused)
		return;
	s->accept_paused = 0;
	ev_timer_stop(s->ev, &s->accept_timer);
	for (sock = s->sockets; sock != NULL; sock = sock->next)
		ev_io_start(s->ev, &sock->w);
}

static void
serve_accept_timer_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	(void)ev;
	(void)revents;
	serve_accept_resume(w->data);
}

static void
serve_accept_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct serve_socket *sock = w->data;
	struct serve *s = sock->s;
	enum connlimit_verdict v;
	struct serve_conn *c;
	socklen_t len;
	int fd;

	(void)ev;
	(void)revents;
	fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			serve_accept_pause(s, errno);
		else if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_limited(LOG_LEVEL_WARNING, "accept: %s",
			    strerror(errno));
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->fd = fd;
	len = sizeof(c->cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->cred, &len) < 0)
		c->cred.pid = c->cred.uid = c->cred.gid = -1;
	/* Over a limit: close at once, so it holds nothing while it waits. */
	if ((v = connlimit_admit(s->limits, c->cred.uid)) != CONNLIMIT_OK) {
		log_limited(LOG_LEVEL_WARNING, "connection from pid %d uid %d "
		    "refused: %u clients %s (--max-clients%s)",
		    (int)c->cred.pid, (int)c->cred.uid, v == CONNLIMIT_FULL ?
		    connlimit_max(s->limits) : connlimit_per_uid(s->limits),
		    v == CONNLIMIT_FULL ? "in all" : "of this uid",
		    v == CONNLIMIT_FULL ? "" : "-per-uid");
		close(fd);
		free(c);
		return;
	}
	c->counted = 1;
	log_limited(LOG_LEVEL_INFO, "connection from pid %d uid %d gid %d",
	    (int)c->cred.pid, (int)c->cred.uid, (int)c->cred.gid);
	ev_io_init(&c->w, serve_conn_cb, fd, EV_READ);
	c->w.data = c;
	ev_io_start(s->ev, &c->w);
	/* One deadline for every step of the handshake (serve_conn_state). */
	ev_timer_init(&c->timer, serve_conn_timeout_cb,
	    SERVE_HANDSHAKE_SECONDS, 0.);
	c->timer.data = c;
	ev_timer_start(s->ev, &c->timer);
	if ((c->next = s->conns) != NULL)
		c->next->prev = c;
	s->conns = c;
}

/* Re-read every rule set; on any error keep the old ones. */
static void
serve_reload(struct serve *s)
{
	struct rule_set *set;
	struct causes c = { 0 };
	uint32_t before, after;
	struct serve_target *t;
	struct timespec ts;

	/* Type=notify-reload wants the time the reload started. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000);
	set = xcalloc(1, sizeof(*set));
	if (serve_load(s, set, &c) < 0) {
		log_err("reload failed; the previous rules stay in force:");
		serve_log_causes(&c, "");
		rules_drop(set);
		sd_notify(0, "READY=1");
		serve_status(s);
		return;
	}
	before = rules_syscalls(s->rules);
	after = rules_syscalls(set);
	rules_drop(s->rules);
	s->rules = set;
	s->kept = 0;
	serve_keep(s, "", set);
	if ((after & ~before) != 0 && s->ntargets > 0)
		log_info("the new rules need system calls that running "
		    "targets' filters do not notify; they apply to new "
		    "targets only");
	/* Targets with their own rules (listenerMetadata) reload them too;
	 * one that fails keeps its previous set. */
	for (t = s->targets; t != NULL; t = t->next) {
		struct rule_set *own;

		if (t->rules == NULL) {
			serve_target_view(t);
			continue;
		}
		if (serve_load_metadata(s->opts->rules, t->metadata, &own,
		    &c) < 0) {
			cleanup_free char *md = serve_shown(t->metadata);

			log_err("target %s: reloading rules \"%s\" failed; its "
			    "previous rules stay in force:", t->shown, md);
			serve_log_causes(&c, "");
			continue;
		}
		rules_drop(t->rules);
		t->rules = own;
		serve_keep(s, t->metadata, own);
		serve_target_view(t);
	}
	log_info("reloaded: %zu %s", set->n, PLURAL(set->n, "rule", "rules"));
	sd_notify(0, "READY=1");
	serve_status(s);
}

static void
serve_signal_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct serve *s = w->data;
	struct signalfd_siginfo si;

	(void)ev;
	(void)revents;
	while (read(w->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			serve_reload(s);
			continue;
		}
		serve_stop_signal(s, (int)si.ssi_signo);
	}
}

static void
serve_status_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	(void)ev;
	(void)revents;
	serve_status(w->data);
	log_limit_flush(0);
}

static void
serve_watchdog_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	(void)ev;
	(void)w;
	(void)revents;
	sd_notify(0, "WATCHDOG=1");
}

static void
serve_socket_add(struct serve *s, int fd)
{
	struct serve_socket *sock = xcalloc(1, sizeof(*sock));

	sock->s = s;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	ev_io_init(&sock->w, serve_accept_cb, fd, EV_READ);
	sock->w.data = sock;
	ev_io_start(s->ev, &sock->w);
	sock->next = s->sockets;
	s->sockets = sock;
}

/* Our own socket at path, mode 0660, in group if given. */
static int
serve_socket_create(const char *path, const char *group)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	cleanup_free char *dir = xstrdup(path);
	struct group *gr;
	char *slash;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		die(125, "%s: socket path too long", path);
	strcpy(sun.sun_path, path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			die_errno(125, "%s", dir);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		die_errno(125, "socket");
	/* A stale socket from a previous run; a live one fails bind. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		die(125, "%s: another daemon is listening", path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		die_errno(125, "%s", path);
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL)
			die(125, "unknown group '%s'", group);
		if (chown(path, -1, gr->gr_gid) < 0)
			die_errno(125, "chown %s", path);
	}
	if (chmod(path, 0660) < 0 || listen(fd, 128) < 0)
		die_errno(125, "%s", path);
	return fd;
}

/* --check: load the rules as serving would (ExecReload runs it first, so
 * that a reload with broken rules fails where the administrator sees it). */
static int
serve_check(struct serve *s)
{
	struct causes c = { 0 };

	if (serve_load(s, s->rules, &c) < 0) {
		causes_print(&c, stderr);
		causes_free(&c);
		fprintf(stderr, "unotifyd: invalid rules\n");
		rules_drop(s->rules);
		return 1;
	}
	printf("%zu rules OK\n", s->rules->n);
	rules_drop(s->rules);
	return 0;
}

/* The snapshot of the last rules that loaded, back from the fd store; it
 * stays there until a load replaces it. */
static void
serve_snap_take(struct serve *s, int fd)
{
	int r;

	if ((r = rulesnap_from_fd(s->snap, fd)) < 0)
		log_warn("fd store: the kept rules cannot be read (%s); "
		    "ignoring them", strerror(-r));
	close(fd);
}

/* ---- hand-over to and from another `unotifyd serve` ---- */

static void
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

static int
serve_handover_busy(void *arg)
{
	return ((struct serve *)arg)->conns != NULL;
}

static void
serve_handover_targets(void *arg, struct handover *h)
{
	struct serve *s = arg;
	struct serve_target *t;

	for (t = s->targets; t != NULL; t = t->next)
		serve_handover_offer_one(h, t);
}

static void
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
static void
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

static int
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

static int
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
static void
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
static void
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
static char *
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

int
serve_run(const struct serve_options *opts)
{
	struct serve s;
	const struct handover_ops hops = {
		.arg = &s,
		.pause = serve_handover_pause,
		.busy = serve_handover_busy,
		.targets = serve_handover_targets,
		.sockets = serve_handover_sockets,
		.done = serve_handover_done,
		.take_target = serve_handover_take_target,
		.take_socket = serve_handover_take_socket,
		.abort = serve_handover_abort,
	};
	struct causes c = { 0 };
	struct serve_socket *sock;
	cleanup_free char *hpath = NULL;
	sigset_t set;
	uint64_t usec;
	char **names = NULL;
	pid_t from;
	int i, n, r, sigfd, nsockets = 0;

	memset(&s, 0, sizeof(s));
	s.opts = opts;
	s.own_fd = -1;
	s.rules = xcalloc(1, sizeof(*s.rules));
	if (opts->check)
		return serve_check(&s);
	s.limits = connlimit_new(opts->max_clients, opts->max_clients_per_uid);
	s.snap = rulesnap_new();
	/* The last rules that loaded come back from the fd store first. */
	n = sd_listen_fds_with_names(1, &names);
	for (i = 0; i < n; i++)
		if (strcmp(names[i], RULESNAP_FDNAME) == 0)
			serve_snap_take(&s, SD_LISTEN_FDS_START + i);
	if (serve_load(&s, s.rules, &c) < 0) {
		causes_print(&c, stderr);
		causes_free(&c);
		rules_drop(s.rules);
		/* Targets taken back would get ENOSYS if we left: serve
		 * them (and new ones) by the rules that worked. */
		if (serve_kept(&s, "", &s.rules) < 0) {
			log_err("invalid rules; not starting");
			for (i = 0; i < n; i++)
				free(names[i]);
			free(names);
			connlimit_free(s.limits);
			rulesnap_free(s.snap);
			return 125;
		}
		s.kept = 1;
		log_err("invalid rules; serving with the last rules that "
		    "loaded (%zu %s) until a reload succeeds", s.rules->n,
		    PLURAL(s.rules->n, "rule", "rules"));
	} else
		serve_keep(&s, "", s.rules);
	if ((s.ev = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK)) == NULL)
		die(125, "cannot create the event loop");
	creds_init();
	target_always_own_root();
	/* Files created for targets get each target's umask. */
	umask(0);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		die_errno(125, "signalfd");
	ev_io_init(&s.signal_w, serve_signal_cb, sigfd, EV_READ);
	s.signal_w.data = &s;
	ev_io_start(s.ev, &s.signal_w);
	ev_timer_init(&s.accept_timer, serve_accept_timer_cb, 0., 0.);
	s.accept_timer.data = &s;

	for (i = 0; i < n; i++) {
		if (strcmp(names[i], RULESNAP_FDNAME) == 0)
			;	/* taken above */
		else if (strncmp(names[i], "target.", 7) == 0)
			serve_resume(&s, SD_LISTEN_FDS_START + i, names[i]);
		else if (opts->socket == NULL) {
			serve_socket_add(&s, SD_LISTEN_FDS_START + i);
			log_info("listening on systemd's socket '%s'",
			    names[i]);
			nsockets++;
		} else
			close(SD_LISTEN_FDS_START + i);
		free(names[i]);
	}
	free(names);
	ev_timer_init(&s.wait_timer, serve_wait_cb, 0., 0.);
	s.wait_timer.data = &s;
	/* A daemon running there hands us its targets and sockets. */
	hpath = serve_handover_where(&s);
	if (hpath != NULL && (r = handover_take(hpath, &hops, &from)) < 0)
		die(125, "not starting: the running daemon (pid %d) keeps "
		    "serving", (int)from);
	if (hpath != NULL && r == 1) {
		serve_handover_keep(&s);
		for (sock = s.sockets; sock != NULL; sock = sock->next)
			nsockets++;
		log_info("listening on the sockets of pid %d", (int)from);
	}
	if (nsockets == 0) {
		const char *path = opts->socket ? opts->socket : SERVE_SOCKET;

		s.own_fd = serve_socket_create(path, opts->group);
		serve_socket_add(&s, s.own_fd);
		log_info("listening on %s", path);
	}
	if (hpath != NULL && (s.handover = handover_new(s.ev, hpath, &hops,
	    &r)) == NULL)
		log_warn("%s: %s; no successor can take over from this "
		    "daemon", hpath, strerror(-r));
	if (sd_watchdog_enabled(0, &usec) > 0) {
		ev_timer_init(&s.watchdog_timer, serve_watchdog_cb, 0.,
		    usec / 2e6);
		ev_timer_again(s.ev, &s.watchdog_timer);
	}
	ev_timer_init(&s.status_timer, serve_status_cb, 5., 5.);
	s.status_timer.data = &s;
	ev_timer_start(s.ev, &s.status_timer);
	log_info("ready: %zu %s", s.rules->n, PLURAL(s.rules->n, "rule",
	    "rules"));
	sd_notify(0, "READY=1");
	serve_status(&s);

	ev_run(s.ev, 0);

	/* Its path is the successor's now. */
	handover_free(s.handover, !s.handed_over);
	s.handover = NULL;
	while (s.sockets != NULL) {
		struct serve_socket *next = s.sockets->next;

		ev_io_stop(s.ev, &s.sockets->w);
		free(s.sockets);
		s.sockets = next;
	}
	while (s.conns != NULL)
		serve_conn_free(s.conns);
	/* Closing a listener fails its targets' calls with ENOSYS, unless
	 * systemd keeps a copy in its fd store for the next start. */
	while (s.targets != NULL)
		serve_target_free(s.targets);
	/* A call in a worker is ours to answer: the successor never saw
	 * it. */
	if ((n = worker_drain(s.handed_over ? 10000 : 1000)) > 0 &&
	    s.handed_over)
		log_warn("%d calls still blocked in opens; their targets stay "
		    "blocked", n);
	if (s.own_fd >= 0 && opts->socket != NULL && !s.handed_over)
		unlink(opts->socket);
	log_limit_flush(1);
	connlimit_free(s.limits);
	rulesnap_free(s.snap);
	rules_drop(s.rules);
	ev_loop_destroy(s.ev);
	return 0;
}
