/* SPDX-License-Identifier: MIT */
/* Kubernetes identity of a target (namespace, pod, container, from the OCI
 * state's annotations) and the [match] scopes of rules files it selects. */
#ifndef PODS_H
#define PODS_H

#include <stddef.h>

#include "rules.h"

/* Longest name kept: a DNS subdomain (RFC 1123), as Kubernetes allows. */
#define PODS_NAME_MAX	253

/* What the runtime said about a target; NULL members are unknown. */
struct pod_ident {
	char	*name[RULE_SCOPE_KEYS];	/* namespace, pod, container */
};

/*
 * 1 if s may be a Kubernetes namespace, pod or container name as far as
 * unotifyd cares: 1..PODS_NAME_MAX bytes of [A-Za-z0-9._-]. Only such names
 * are kept, so they never need quoting in a log line.
 */
int	pods_name_valid(const char *s);

/*
 * Fill id from the three strings ("" or NULL: unknown), copying them.
 * Returns 0, or -EINVAL (id left empty) if a non-empty one is not valid.
 */
int	pods_ident_set(struct pod_ident *id, const char *ns, const char *pod,
	    const char *container);
/* Release the strings; id is left empty. */
void	pods_ident_fini(struct pod_ident *id);
/* 1 if any of the three is known. */
int	pods_ident_known(const struct pod_ident *id);
/*
 * "pod NS/POD container C" (unknown parts as "?"), or NULL when nothing is
 * known; the caller frees it.
 */
char	*pods_ident_label(const struct pod_ident *id);
/* Its journal fields, UNOTIFYD_NAMESPACE=, UNOTIFYD_POD= and
 * UNOTIFYD_CONTAINER= one a line, for the names known; NULL if none. */
char	*pods_ident_fields(const struct pod_ident *id);

/*
 * 1 if a file's [match] scope selects the target: for each key the scope
 * sets, the target's name is known and matches one of its globs. A NULL
 * scope (no [match]) selects every target.
 */
int	pods_scope_match(const struct rule_scope *, const struct pod_ident *);

/*
 * The rules of base that apply to id, as a new indexed set in *out, or NULL
 * in *out when base has no [match] scope (base applies whole). Returns the
 * number of rules dropped by their scopes.
 */
size_t	pods_view(const struct rule_set *base, const struct pod_ident *id,
	    struct rule_set **out);

#endif
