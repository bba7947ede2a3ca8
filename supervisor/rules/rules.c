/* SPDX-License-Identifier: MIT */
/* Rule sets: building them (appending, merging, selecting, --redirect
 * options), indexing and matching paths, and redirect targets. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "rule.h"
#include "ruleindex.h"
#include "rules.h"
#include "syscalls.h"
#include "util.h"

/* Open-addressing table of rule names, indexing into a set's array. */
struct rules_names {
	size_t	*slot;			/* index + 1; 0: free */
	size_t	 mask;
};

/* Empty set. */
void
rules_init(struct rule_set *set)
{
	set->v = NULL;
	set->n = 0;
	set->cap = 0;
	set->index = NULL;
	set->io_uring = 0;
	set->nreverse = 0;
	set->scopes = NULL;
}

/* Release a list of scopes. */
static void
rules_scopes_free(struct rule_scope *sc)
{
	struct rule_scope *next;
	int k;

	for (; sc != NULL; sc = next) {
		next = sc->next;
		for (k = 0; k < RULE_SCOPE_KEYS; k++)
			free(sc->glob[k]);
		free(sc->file);
		free(sc);
	}
}

/* Release every rule and leave the set empty. */
void
rules_free(struct rule_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		rules_rule_fini(&set->v[i]);
	free(set->v);
	rule_index_free(set->index);
	rules_scopes_free(set->scopes);
	rules_init(set);
}

struct rule_set *
rules_hold(struct rule_set *set)
{
	__atomic_add_fetch(&set->refs, 1, __ATOMIC_RELAXED);
	return set;
}

void
rules_drop(struct rule_set *set)
{
	if (set == NULL ||
	    __atomic_fetch_sub(&set->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	rules_free(set);
	free(set);
}

/* Make room for n more rules. */
static void
rules_reserve(struct rule_set *set, size_t n)
{
	size_t cap;

	if (set->n + n <= set->cap)
		return;
	cap = set->cap ? set->cap : 16;
	while (cap < set->n + n)
		cap *= 2;
	set->v = xreallocarray(set->v, cap, sizeof(*set->v));
	set->cap = cap;
}

/* Append a zeroed rule. */
struct rule *
rules_append(struct rule_set *set)
{
	struct rule *r;

	rules_reserve(set, 1);
	rule_index_free(set->index);
	set->index = NULL;
	r = &set->v[set->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* "FILE:LINE", or "FILE" for rules that do not come from a file. */
static char *
rules_where(const struct rule *r)
{
	char *s;

	if (r->line == 0)
		return xstrdup(r->file);
	xasprintf(&s, "%s:%u", r->file, r->line);
	return s;
}

/* FNV-1a: cheap and good enough for rule names. */
static size_t
rules_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* Table for up to n names, at most half full. */
static void
rules_names_init(struct rules_names *t, size_t n)
{
	size_t cap = 64;

	while (cap < 2 * n)
		cap *= 2;
	t->slot = xcalloc(cap, sizeof(*t->slot));
	t->mask = cap - 1;
}

/*
 * Index in set of the rule named like set->v[idx], or idx itself after
 * recording it when the name is new.
 */
static size_t
rules_names_add(struct rules_names *t, const struct rule_set *set, size_t idx)
{
	const char *name = set->v[idx].name;
	size_t i, j;

	for (i = rules_hash(name) & t->mask; t->slot[i] != 0;
	    i = (i + 1) & t->mask) {
		j = t->slot[i] - 1;
		if (strcmp(set->v[j].name, name) == 0)
			return j;
	}
	t->slot[i] = idx + 1;
	return idx;
}

/* Move src's rules to dst, dropping duplicate names. */
int
rules_merge(struct rule_set *dst, struct rule_set *src, struct causes *causes)
{
	struct rules_names t;
	cleanup_free char *here = NULL, *there = NULL;
	size_t i, j;
	int r = 0;

	rules_reserve(dst, src->n);
	rule_index_free(dst->index);
	dst->index = NULL;
	rules_names_init(&t, dst->n + src->n);
	for (i = 0; i < dst->n; i++)
		rules_names_add(&t, dst, i);
	for (i = 0; i < src->n; i++) {
		dst->v[dst->n] = src->v[i];
		j = rules_names_add(&t, dst, dst->n);
		if (j == dst->n) {
			dst->n++;
			continue;
		}
		free(here);
		free(there);
		here = rules_where(&dst->v[dst->n]);
		there = rules_where(&dst->v[j]);
		causes_add(causes, "%s: duplicate rule name '%s' (first at %s)",
		    here, dst->v[dst->n].name, there);
		rules_rule_fini(&dst->v[dst->n]);
		r = -1;
	}
	free(t.slot);
	free(src->v);
	dst->io_uring |= src->io_uring;
	/* The moved rules point to src's scopes: dst owns them now. */
	if (src->scopes != NULL) {
		struct rule_scope **tail = &dst->scopes;

		while (*tail != NULL)
			tail = &(*tail)->next;
		*tail = src->scopes;
	}
	rules_init(src);
	return r;
}

/* A copy of one string member, which may be NULL. */
static char *
rules_strdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* Copy the rules of src that keep() wants to the end of dst. */
void
rules_select(struct rule_set *dst, const struct rule_set *src,
    rules_keep_cb keep, void *arg)
{
	const struct rule *r;
	struct rule *d;
	size_t i;

	for (i = 0; i < src->n; i++) {
		r = &src->v[i];
		if (!keep(r, arg))
			continue;
		d = rules_append(dst);
		*d = *r;
		d->name = rules_strdup(r->name);
		d->file = rules_strdup(r->file);
		d->path = rules_strdup(r->path);
		d->target = rules_strdup(r->target);
		d->scope = NULL;
	}
}

/* Add a rule from "SRC=DST". */
int
rules_add_redirect(struct rule_set *set, const char *spec, const char *origin,
    struct causes *causes)
{
	struct rule_set tmp;
	struct rule *r;
	cleanup_free char *src = NULL, *msg = NULL;
	const char *eq, *dst;
	size_t before = causes->n;

	if ((eq = strchr(spec, '=')) == NULL) {
		causes_add(causes, "%s '%s': expected SRC=DST", origin, spec);
		return -1;
	}
	src = xstrndup(spec, eq - spec);
	dst = eq + 1;
	if (*src == '\0' || *dst == '\0') {
		causes_add(causes, "%s '%s': empty %s", origin, spec,
		    *src == '\0' ? "SRC" : "DST");
		return -1;
	}

	rules_init(&tmp);
	r = rules_append(&tmp);
	if (rules_set_path(r, src, &msg) == -1)
		causes_add(causes, "%s '%s': %s", origin, spec, msg);
	free(msg);
	if (rules_set_target(r, dst, &msg) == -1)
		causes_add(causes, "%s '%s': %s", origin, spec, msg);
	if (causes->n != before) {
		rules_free(&tmp);
		return -1;
	}
	r->action = RULE_REDIRECT;
	r->target_dir = r->match == RULE_PREFIX;
	r->syscalls = SYSCALLS_ALL;
	r->access = RULE_ACCESS_ANY;
	xasprintf(&r->name, "redirect:%s", r->path);
	xasprintf(&r->file, "%s '%s'", origin, spec);
	return rules_merge(set, &tmp, causes);
}

void
rules_index(struct rule_set *set)
{
	size_t i;

	rule_index_free(set->index);
	set->index = rule_index_new(set->v, set->n);
	set->nreverse = 0;
	for (i = 0; i < set->n; i++)
		if (set->v[i].action == RULE_REDIRECT &&
		    set->v[i].match == RULE_PREFIX && set->v[i].target_dir)
			set->nreverse++;
}

/* Union of every rule's syscalls. */
syscalls_mask
rules_syscalls(const struct rule_set *set)
{
	static const syscalls_mask by_access[] = {
		[RULE_ACCESS_ANY] = SYSCALLS_ALL,
		[RULE_ACCESS_READ] = SYSCALLS_READS,
		[RULE_ACCESS_WRITE] = SYSCALLS_WRITES,
	};
	const struct rule *r;
	syscalls_mask m = 0;
	size_t i;

	/* A continue rule only shadows later rules, whose syscalls count. */
	for (i = 0; i < set->n; i++) {
		r = &set->v[i];
		if (r->action == RULE_CONTINUE)
			continue;
		m |= r->syscalls & by_access[r->access];
		if (r->action == RULE_REDIRECT)
			m |= SYSCALLS_MASK(SYSCALLS_GETCWD);
	}
	if (m != 0 && !set->io_uring)
		m |= SYSCALLS_MASK(SYSCALLS_IO_URING);
	return m;
}

int
rules_reverse(const struct rule_set *set, const char *path, char *out,
    size_t len)
{
	const struct rule *r;
	size_t i, tlen, plen;
	int n;

	if (set->index != NULL && set->nreverse == 0)
		return 0;
	for (i = 0; i < set->n; i++) {
		r = &set->v[i];
		if (r->action != RULE_REDIRECT || r->match != RULE_PREFIX ||
		    !r->target_dir)
			continue;
		for (tlen = strlen(r->target); tlen > 1 &&
		    r->target[tlen - 1] == '/'; tlen--)
			;
		if (strncmp(path, r->target, tlen) != 0 ||
		    (path[tlen] != '/' && path[tlen] != '\0' && tlen > 1))
			continue;
		/* The rule's path ends in '/': drop it before the rest. */
		plen = strlen(r->path) - 1;
		n = snprintf(out, len, "%.*s%s", (int)plen, r->path,
		    tlen > 1 ? path + tlen : path);
		if (n < 0 || (size_t)n >= len)
			return -ENAMETOOLONG;
		if (out[0] == '\0')
			snprintf(out, len, "/");
		return 1;
	}
	return 0;
}

/* First matching rule, in set order. */
const struct rule *
rules_match(const struct rule_set *set, const char *path, int sysid,
    int write)
{
	const struct rule *r;
	size_t i;

	if (sysid < 0 || sysid >= SYSCALLS_COUNT)
		return NULL;
	if (set->index != NULL)
		return rule_index_match(set->index, path, sysid, write);
	for (i = 0; i < set->n; i++) {
		r = &set->v[i];
		if (rules_applies(r, sysid, write) && rules_rule_matches(r, path))
			return r;
	}
	return NULL;
}

/* Redirect destination of path under r. */
int
rules_target(const struct rule *r, const char *path, char *out, size_t len)
{
	const char *rest;
	size_t tlen;
	int n, used;

	if (len > 0)
		out[0] = '\0';
	if (r->target == NULL)
		return -EINVAL;
	if (r->match != RULE_PREFIX || !r->target_dir) {
		n = snprintf(out, len, "%s", r->target);
		return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
	}
	if ((used = pattern_prefix(r->path, path)) < 0)
		return -EINVAL;
	for (rest = path + used; *rest == '/'; rest++)
		;
	/* Exactly one '/' between the target directory and the rest. */
	for (tlen = strlen(r->target); tlen > 1 && r->target[tlen - 1] == '/';
	    tlen--)
		;
	if (*rest == '\0')
		n = snprintf(out, len, "%.*s", (int)tlen, r->target);
	else
		n = snprintf(out, len, "%.*s/%s",
		    r->target[tlen - 1] == '/' ? 0 : (int)tlen, r->target,
		    rest);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
