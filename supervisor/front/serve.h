/* SPDX-License-Identifier: MIT */
/* `unotifyd serve`: one event loop supervising every process that an
 * `unotifyd exec` client or an OCI runtime (runc, crun) hands it. */
#ifndef SERVE_H
#define SERVE_H

#include <stddef.h>

#define SERVE_SOCKET	"/run/unotifyd/unotifyd.sock"
/* --handover-wait without systemd (under it the fd store keeps listeners). */
#define SERVE_HANDOVER_WAIT	30

struct serve_options {
	const char	 *socket;	/* NULL: systemd's, else SERVE_SOCKET */
	const char	 *group;	/* socket group, NULL: ours */
	const char	**rules;	/* -r paths; NULL-terminated, or NULL */
	unsigned int	  max_clients;	/* in their handshake; 0: default */
	unsigned int	  max_clients_per_uid;	/* of one uid; 0: default */
	int		  check;	/* --check: load the rules, report */
	int		  handover_wait; /* seconds to wait on SIGTERM for a
					    successor; 0: do not */
	int		  handover_stay; /* after a hand-over, idle until
					    stopped instead of exiting */
	int		  io_uring;	/* --allow-io-uring */
};

/* Serve until SIGTERM or SIGINT; returns the exit status. With check set,
 * only load the rules as serving would and return 0 if they are valid, 1
 * after printing every error if not. */
int	serve_run(const struct serve_options *);

/* The rule directories when no -r is given, earliest first. */
extern const char *const serve_rules_dirs[];

#endif
