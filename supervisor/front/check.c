/* SPDX-License-Identifier: MIT */
/* `unotifyd check`: warnings about rules that load but will surprise, the
 * service's environment, and the summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "syscalls.h"

/*
 * systemd/unotifyd.service sets no Environment= and no User=: the daemon
 * gets systemd's PATH and the directories its unit asks for, and no HOME,
 * USER, LOGNAME or SHELL (systemd.exec(5), "Environment Variables in
 * Spawned Processes").
 */
static const char *const check_service_vars[][2] = {
	{ "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin" },
	{ "RUNTIME_DIRECTORY", "/run/unotifyd" },
	{ "CONFIGURATION_DIRECTORY", "/etc/unotifyd" },
};

void
check_service_env(void)
{
	size_t i;

	clearenv();
	for (i = 0; i < sizeof(check_service_vars) /
	    sizeof(check_service_vars[0]); i++)
		setenv(check_service_vars[i][0], check_service_vars[i][1], 1);
}

static void
check_warn(const struct rule *r, const char *fmt, const char *a,
    const char *b)
{
	if (r->line != 0)
		fprintf(stderr, "%s:%u: warning: rule '%s': ", r->file,
		    r->line, r->name);
	else
		fprintf(stderr, "%s: warning: ", r->file);
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
}

/* Warnings for one redirect rule; how many. */
static int
check_redirect(const struct rule *r)
{
	struct stat st;
	int n = 0;

	if (r->match == RULE_EXACT && stat(r->path, &st) == 0 &&
	    S_ISDIR(st.st_mode)) {
		check_warn(r, "%s is a directory, and a path without a "
		    "trailing '/' redirects only itself, not the files in it "
		    "(write %s/ for those)", r->path, r->path);
		n++;
	}
	if (stat(r->target, &st) < 0) {
		check_warn(r, "redirect target %s does not exist%s", r->target,
		    r->match == RULE_PREFIX && r->target_dir ?
		    ": every redirected call fails with ENOENT" :
		    ": redirected calls fail with ENOENT unless they create it");
		n++;
	} else if (r->match == RULE_PREFIX && r->target_dir &&
	    !S_ISDIR(st.st_mode)) {
		check_warn(r, "redirect target %s is not a directory%s",
		    r->target, ", but the path is a prefix ('/' at its end)");
		n++;
	}
	return n;
}

int
check_report(const struct rule_set *rules, int for_service)
{
	size_t i;
	int id, first = 1, warnings = 0;

	for (i = 0; i < rules->n; i++)
		if (rules->v[i].action == RULE_REDIRECT)
			warnings += check_redirect(&rules->v[i]);
	printf("%zu %s OK%s; notified syscalls:", rules->n,
	    PLURAL(rules->n, "rule", "rules"),
	    for_service ? " in the service's environment" : "");
	for (id = 0; id < SYSCALLS_NIDS; id++)
		if (rules_syscalls(rules) & SYSCALLS_MASK(id)) {
			printf(" %s", syscalls_name(id));
			first = 0;
		}
	printf("%s\n", first ? " none" : "");
	if (warnings > 0)
		printf("%d %s\n", warnings, PLURAL(warnings, "warning",
		    "warnings"));
	return warnings;
}
