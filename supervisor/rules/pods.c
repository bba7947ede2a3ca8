/* SPDX-License-Identifier: MIT */
/* Kubernetes identity of a target and the [match] scopes of rules files:
 * which namespaces, pods and containers a file's rules apply to. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "pods.h"
#include "rules.h"
#include "util.h"

int
pods_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > PODS_NAME_MAX)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

int
pods_ident_set(struct pod_ident *id, const char *ns, const char *pod,
    const char *container)
{
	const char *in[RULE_SCOPE_KEYS] = { ns, pod, container };
	size_t k;

	memset(id, 0, sizeof(*id));
	for (k = 0; k < RULE_SCOPE_KEYS; k++)
		if (in[k] != NULL && *in[k] != '\0' && !pods_name_valid(in[k]))
			return -EINVAL;
	for (k = 0; k < RULE_SCOPE_KEYS; k++)
		if (in[k] != NULL && *in[k] != '\0')
			id->name[k] = xstrdup(in[k]);
	return 0;
}

void
pods_ident_fini(struct pod_ident *id)
{
	size_t k;

	for (k = 0; k < RULE_SCOPE_KEYS; k++) {
		free(id->name[k]);
		id->name[k] = NULL;
	}
}

int
pods_ident_known(const struct pod_ident *id)
{
	size_t k;

	for (k = 0; k < RULE_SCOPE_KEYS; k++)
		if (id->name[k] != NULL)
			return 1;
	return 0;
}

char *
pods_ident_label(const struct pod_ident *id)
{
	const char *const *n = (const char *const *)id->name;
	char *s;

	if (!pods_ident_known(id))
		return NULL;
	xasprintf(&s, "pod %s/%s container %s",
	    n[RULE_SCOPE_NAMESPACE] ? n[RULE_SCOPE_NAMESPACE] : "?",
	    n[RULE_SCOPE_POD] ? n[RULE_SCOPE_POD] : "?",
	    n[RULE_SCOPE_CONTAINER] ? n[RULE_SCOPE_CONTAINER] : "?");
	return s;
}

char *
pods_ident_fields(const struct pod_ident *id)
{
	static const char *const keys[RULE_SCOPE_KEYS] = {
		[RULE_SCOPE_NAMESPACE] = "UNOTIFYD_NAMESPACE",
		[RULE_SCOPE_POD] = "UNOTIFYD_POD",
		[RULE_SCOPE_CONTAINER] = "UNOTIFYD_CONTAINER",
	};
	char *s = NULL, *t;
	int i;

	for (i = 0; i < RULE_SCOPE_KEYS; i++) {
		if (id->name[i] == NULL)
			continue;
		xasprintf(&t, "%s%s%s=%s", s != NULL ? s : "",
		    s != NULL ? "\n" : "", keys[i], id->name[i]);
		free(s);
		s = t;
	}
	return s;
}

/* 1 if name matches one of the whitespace-separated globs in list. */
static int
pods_list_match(const char *list, const char *name)
{
	cleanup_free char *copy = xstrdup(list);
	char *tok, *save = NULL;

	for (tok = strtok_r(copy, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save))
		if (pattern_match(tok, name))
			return 1;
	return 0;
}

int
pods_scope_match(const struct rule_scope *sc, const struct pod_ident *id)
{
	size_t k;

	if (sc == NULL)
		return 1;
	for (k = 0; k < RULE_SCOPE_KEYS; k++) {
		if (sc->glob[k] == NULL)
			continue;
		if (id->name[k] == NULL || !pods_list_match(sc->glob[k],
		    id->name[k]))
			return 0;
	}
	return 1;
}

/* rules_select() predicate: the rule's file selects the target. */
static int
pods_keep(const struct rule *r, void *arg)
{
	return pods_scope_match(r->scope, arg);
}

size_t
pods_view(const struct rule_set *base, const struct pod_ident *id,
    struct rule_set **out)
{
	struct rule_set *set;

	*out = NULL;
	if (base->scopes == NULL)
		return 0;
	set = xcalloc(1, sizeof(*set));
	rules_init(set);
	rules_select(set, base, pods_keep, (void *)id);
	set->io_uring = base->io_uring;
	rules_index(set);
	*out = set;
	return base->n - set->n;
}
