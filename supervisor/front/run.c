/* SPDX-License-Identifier: MIT */
/* `unotifyd run` and `trace`: the command started under the filter and
 * supervised until it exits. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"
#include "filter.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "report.h"
#include "rules.h"
#include "run.h"
#include "spawn.h"
#include "syscalls.h"
#include "target.h"

#include <json-c/json.h>

#define RUN_FAILED	125	/* unotifyd failed before starting the command */

/* run --stats: the counters for people, in one write to the log. */
static void
run_stats(void)
{
	struct json_object *report = report_json(NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		die_errno(RUN_FAILED, "open_memstream");
	fputs("unotifyd: --stats: ", f);
	report_text(report, f);
	fclose(f);
	log_write(buf, len);
	free(buf);
	json_object_put(report);
}

int
run_command(struct rule_set *rules, char *argv[], int stats, int trace)
{
	cleanup_free char *cause = NULL;
	struct filter *filter;
	struct notify *n;
	sigset_t set, old;
	const char *why;
	syscalls_mask mask;
	int r, listener, execfd, sigfd, status;
	pid_t child;

	mask = rules_syscalls(rules);
	/* A trace sees every path call, and io_uring would hide some. */
	if (trace)
		mask |= SYSCALLS_ALL | (rules->io_uring ? 0 :
		    SYSCALLS_MASK(SYSCALLS_IO_URING));
	mask = syscalls_run_mask(mask, geteuid() == 0);
	if ((r = filter_build(mask, &filter, &why)) < 0)
		die(RUN_FAILED, "%s: %s", why, strerror(-r));
	/* Orphaned grandchildren are reparented to us and reaped. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		die_errno(RUN_FAILED, "PR_SET_CHILD_SUBREAPER");
	spawn_signals(&set);
	if (sigprocmask(SIG_BLOCK, &set, &old) < 0)
		die_errno(RUN_FAILED, "sigprocmask");
	if ((sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		die_errno(RUN_FAILED, "signalfd");

	status = spawn_start(filter, argv, &old, &child, &listener, &execfd,
	    &cause);
	filter_free(filter);
	if (status != 0) {
		log_err("%s", cause);
		return status;
	}
	if ((n = notify_new(listener)) == NULL) {
		/* Closing the listener makes the target's calls fail ENOSYS;
		 * it would die with us anyway (PDEATHSIG). */
		log_err("seccomp listener: %s", strerror(errno));
		kill(child, SIGKILL);
		return RUN_FAILED;
	}
	log_debug("pid %d: %zu %s; %s", (int)child, rules->n,
	    PLURAL(rules->n, "rule", "rules"), notify_sync_wakeup(n) ?
	    "targets are woken on the CPU that answers them" :
	    "this kernel cannot wake targets on the CPU that answers them "
	    "(Linux 6.6 can): answers are slower");
	creds_init();
	/* The child starts as we are, with our umask (which modes of
	 * files created for it get; ours is 0 from now on). */
	notify_set_data(n, target_view_spawned(umask(0)), target_view_free);
	status = loop_run(n, rules, child, sigfd, execfd, argv);
	notify_unref(n);
	close(sigfd);
	if (stats)
		run_stats();
	if (status < 0) {
		log_err("cannot start the event loop");
		kill(child, SIGKILL);
		return RUN_FAILED;
	}
	return spawn_exit_status(status);
}
