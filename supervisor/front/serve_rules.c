/* SPDX-License-Identifier: MIT */
/* serve: loading and reloading rules, and keeping the last that loaded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "rules.h"
#include "rulesnap.h"
#include "serve.h"
#include "serve_int.h"

const char *const serve_rules_dirs[] = {
	"/etc/unotifyd/rules.d",
	"/run/unotifyd/rules.d",
	"/usr/lib/unotifyd/rules.d",
	NULL
};

/* Log each cause after the line that introduced them, and forget them. */
void
serve_log_causes(struct causes *c, const char *indent)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		log_err("%s%s", indent, c->v[i]);
	causes_free(c);
}

/* Load the default rules: -r paths, or the drop-in directories. */
int
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
int
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

/*
 * Keep set as the last rules that loaded for key ("" or a target's
 * metadata), in the fd store where a restart finds them. Without one
 * (no NOTIFY_SOCKET) there is nothing a restart could take back.
 */
void
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
int
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

/* Re-read every rule set; on any error keep the old ones. */
void
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

/* The snapshot of the last rules that loaded, back from the fd store; it
 * stays there until a load replaces it. */
void
serve_snap_take(struct serve *s, int fd)
{
	int r;

	if ((r = rulesnap_from_fd(s->snap, fd)) < 0)
		log_warn("fd store: the kept rules cannot be read (%s); "
		    "ignoring them", strerror(-r));
	close(fd);
}
