/* SPDX-License-Identifier: MIT */
/* An index over a rule set so that matching costs about the same with one
 * rule or 10,000: exact paths by hash, prefixes by hashing each of the
 * path's directory prefixes, globs by their literal leading directories. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "ruleindex.h"
#include "rules.h"
#include "syscalls.h"
#include "util.h"

/* The rules (by position, ascending) that share one key. */
struct rule_index_slot {
	const char	*key;
	size_t		 len;
	size_t		*pos;
	size_t		 npos;
};

struct rule_index_table {
	struct rule_index_slot	*slots;
	size_t			 mask;	/* size - 1, a power of two */
};

struct rule_index {
	const struct rule	*v;
	struct rule_index_table	 exact;
	struct rule_index_table	 prefix;	/* key: path without its '/' */
	struct rule_index_table	 glob;		/* key: literal directories */
};

/*
 * The leading directories of a glob that hold no glob character and no
 * escape: "/opt/8" for "/opt/8/[ab].so", "" for "/[ab]/x". Only paths
 * beneath them, or those directories themselves ("/a/" then "**" matches
 * "/a"), can match, so the glob is filed under them.
 */
static size_t
rule_index_glob_key(const char *pat)
{
	size_t key = 0, i;

	for (i = 1; pat[i] != '\0'; i++) {
		if (strchr("*?[\\", pat[i]) != NULL)
			break;
		if (pat[i] == '/')
			key = i;
	}
	return key;
}

static uint64_t
rule_index_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (len-- > 0)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static void
rule_index_table_init(struct rule_index_table *t, size_t n)
{
	size_t size = 16;

	while (size < 2 * n)
		size <<= 1;
	t->slots = xcalloc(size, sizeof(*t->slots));
	t->mask = size - 1;
}

static struct rule_index_slot *
rule_index_slot(const struct rule_index_table *t, const char *key, size_t len)
{
	struct rule_index_slot *s;
	size_t i = rule_index_hash(key, len) & t->mask;

	for (;; i = (i + 1) & t->mask) {
		s = &t->slots[i];
		if (s->key == NULL ||
		    (s->len == len && memcmp(s->key, key, len) == 0))
			return s;
	}
}

static void
rule_index_table_add(struct rule_index_table *t, const char *key, size_t len,
    size_t pos)
{
	struct rule_index_slot *s = rule_index_slot(t, key, len);

	s->key = key;
	s->len = len;
	s->pos = xreallocarray(s->pos, s->npos + 1, sizeof(*s->pos));
	s->pos[s->npos++] = pos;
}

static void
rule_index_table_free(struct rule_index_table *t)
{
	size_t i;

	if (t->slots == NULL)
		return;
	for (i = 0; i <= t->mask; i++)
		free(t->slots[i].pos);
	free(t->slots);
}

struct rule_index *
rule_index_new(const struct rule *v, size_t n)
{
	struct rule_index *x;
	size_t i, len;

	x = xcalloc(1, sizeof(*x));
	x->v = v;
	rule_index_table_init(&x->exact, n);
	rule_index_table_init(&x->prefix, n);
	rule_index_table_init(&x->glob, n);
	for (i = 0; i < n; i++) {
		len = strlen(v[i].path);
		switch (v[i].match) {
		case RULE_EXACT:
			rule_index_table_add(&x->exact, v[i].path, len, i);
			break;
		case RULE_PREFIX:
			/* "/a/" is found from "/a", "/a/" and "/a/x". */
			rule_index_table_add(&x->prefix, v[i].path,
			    len > 0 ? len - 1 : 0, i);
			break;
		case RULE_GLOB:
			rule_index_table_add(&x->glob, v[i].path,
			    rule_index_glob_key(v[i].path), i);
			break;
		}
	}
	return x;
}

void
rule_index_free(struct rule_index *x)
{
	if (x == NULL)
		return;
	rule_index_table_free(&x->exact);
	rule_index_table_free(&x->prefix);
	rule_index_table_free(&x->glob);
	free(x);
}

static int
rule_index_applies(const struct rule *r, int sysid, int write)
{
	if ((r->syscalls & SYSCALLS_MASK(sysid)) == 0)
		return 0;
	return !((r->access == RULE_ACCESS_READ && write) ||
	    (r->access == RULE_ACCESS_WRITE && !write));
}

/* Lower *best to the first rule under key that applies (and, for globs,
 * matches path). */
static void
rule_index_lookup(const struct rule_index *x, const struct rule_index_table *t,
    const char *key, size_t len, const char *glob_path, int sysid, int write,
    size_t *best)
{
	const struct rule_index_slot *s = rule_index_slot(t, key, len);
	const struct rule *r;
	size_t i;

	for (i = 0; i < s->npos && s->pos[i] < *best; i++) {
		r = &x->v[s->pos[i]];
		if (!rule_index_applies(r, sysid, write))
			continue;
		if (glob_path != NULL && !pattern_match(r->path, glob_path))
			continue;
		*best = s->pos[i];
		return;
	}
}

const struct rule *
rule_index_match(const struct rule_index *x, const char *path, int sysid,
    int write)
{
	size_t best = SIZE_MAX, i, len = strlen(path);

	if (sysid < 0 || sysid >= SYSCALLS_COUNT || path[0] != '/')
		return NULL;
	rule_index_lookup(x, &x->exact, path, len, NULL, sysid, write, &best);
	/* Every directory prefix, and the path itself as a directory. */
	for (i = 0; i < len; i++)
		if (path[i] == '/') {
			rule_index_lookup(x, &x->prefix, path, i, NULL, sysid,
			    write, &best);
			rule_index_lookup(x, &x->glob, path, i, path, sysid,
			    write, &best);
		}
	if (path[len - 1] != '/') {
		rule_index_lookup(x, &x->prefix, path, len, NULL, sysid, write,
		    &best);
		rule_index_lookup(x, &x->glob, path, len, path, sysid, write,
		    &best);
	}
	return best == SIZE_MAX ? NULL : &x->v[best];
}
