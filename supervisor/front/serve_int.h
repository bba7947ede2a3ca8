/* SPDX-License-Identifier: MIT */
/* Inside `unotifyd serve`: the daemon's state, and what serve*.c share. */
#ifndef SERVE_INT_H
#define SERVE_INT_H

#include <ev.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "pods.h"
#include "proto.h"
#include "serve.h"

struct connlimit;
struct handover;
struct handover_msg;
struct notify;
struct oci_reader;
struct rulesnap;
struct seccomp_notif;
struct session;

/* A client that has not finished its handshake by then is dropped. */
#define SERVE_HANDSHAKE_SECONDS	10.
#define SERVE_MAXFDS		4

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
	ev_timer		 hup_w;		/* before 6.11: is it gone? */
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

/* serve.c */
void	serve_status(struct serve *);
void	serve_stop_if_idle(struct serve *);
void	serve_socket_add(struct serve *, int fd);

/* serve_rules.c */
void	serve_log_causes(struct causes *, const char *indent);
int	serve_load(const struct serve *, struct rule_set *, struct causes *);
int	serve_load_metadata(const char *const *rdirs, const char *metadata,
	    struct rule_set **out, struct causes *);
void	serve_keep(struct serve *, const char *key, const struct rule_set *);
int	serve_kept(struct serve *, const char *key, struct rule_set **out);
void	serve_reload(struct serve *);
void	serve_snap_take(struct serve *, int fd);

/* serve_target.c */
char	*serve_shown(const char *);
void	serve_target_view(struct serve_target *);
void	serve_target_free(struct serve_target *);
void	serve_target_quiet(struct serve_target *);
int	serve_target_add(struct serve *, int fd, pid_t pid, const char *name,
	    const char *metadata, const struct pod_ident *id, int tracked);

/* serve_fdstore.c */
void	serve_fdstore(struct serve_target *, int add);
void	serve_resume(struct serve *, int fd, const char *fdname);

/* serve_conn.c */
void	serve_conn_free(struct serve_conn *);
void	serve_accept_resume(struct serve *);
void	serve_accept_timer_cb(struct ev_loop *, ev_timer *, int revents);
void	serve_accept_cb(struct ev_loop *, ev_io *, int revents);

/* serve_handover.c: all but the first and the last two are handover_ops. */
void	serve_handover_offer_one(struct handover *,
	    const struct serve_target *);
void	serve_handover_pause(void *arg, int pause);
int	serve_handover_busy(void *arg);
void	serve_handover_targets(void *arg, struct handover *);
void	serve_handover_sockets(void *arg, struct handover *);
void	serve_handover_done(void *arg, pid_t pid, unsigned ntargets);
int	serve_handover_take_target(void *arg, struct handover_msg *);
int	serve_handover_take_socket(void *arg, struct handover_msg *);
void	serve_handover_abort(void *arg);
void	serve_handover_keep(struct serve *);
char	*serve_handover_where(const struct serve *);

#endif
