/* SPDX-License-Identifier: MIT */
/* An index over a rule set so that matching costs about the same with one
 * rule or 10,000: exact paths by hash, prefixes by hashing each of the
 * path's directory prefixes, globs in a trie of their literal beginnings. */
#include <limits.h>
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

/*
 * Globs hang off a trie of the text before their first special character:
 * walking a path down it visits exactly the globs whose literal beginning
 * the path starts with, however many globs share a directory.
 */
struct rule_index_node {
	size_t		*pos;		/* globs whose literal part ends here */
	size_t		 npos;
};

struct rule_index_edge {
	uint64_t	 key;		/* parent << 8 | byte, 0 when free */
	uint32_t	 child;
};

struct rule_index_trie {
	struct rule_index_node	*nodes;		/* [0] is the root */
	size_t			 nnodes;
	struct rule_index_edge	*edges;
	size_t			 mask;		/* size - 1, a power of two */
	size_t			 nedges;
};

#define RULE_INDEX_FNV_BASIS	0xcbf29ce484222325ULL
#define RULE_INDEX_FNV_PRIME	0x100000001b3ULL

struct rule_index {
	const struct rule	*v;
	struct rule_index_table	 exact;
	struct rule_index_table	 prefix;	/* key: path without its '/' */
	/* The lengths of the prefix keys: a path's other prefixes are not
	 * looked up. */
	uint64_t		 prefix_lens[PATH_MAX / 64 + 1];
	struct rule_index_trie	 globs;
};

/* Room for one more position in a list of n, doubling at powers of two:
 * one realloc per element is quadratic where realloc cannot remap. */
static size_t *
rule_index_grow(size_t *v, size_t n)
{
	if (n == 0 || (n & (n - 1)) == 0)
		v = xreallocarray(v, n == 0 ? 1 : 2 * n, sizeof(*v));
	return v;
}

/* Length of a glob's literal beginning: up to its first * ? [ or \\. */
static size_t
rule_index_literal(const char *pat)
{
	return strcspn(pat, "*?[\\");
}

static size_t
rule_index_edge_slot(const struct rule_index_trie *t, uint64_t key)
{
	size_t i = (key * 0x9e3779b97f4a7c15ULL >> 20) & t->mask;

	while (t->edges[i].key != 0 && t->edges[i].key != key)
		i = (i + 1) & t->mask;
	return i;
}

/* Double the edge table: sized by what is stored, not by an upper bound,
 * so shared prefixes cost no memory. */
static void
rule_index_edges_grow(struct rule_index_trie *t)
{
	struct rule_index_edge *old = t->edges;
	size_t n = t->mask + 1, i;

	t->edges = xcalloc(2 * n, sizeof(*t->edges));
	t->mask = 2 * n - 1;
	for (i = 0; i < n; i++)
		if (old[i].key != 0)
			t->edges[rule_index_edge_slot(t, old[i].key)] = old[i];
	free(old);
}

static void
rule_index_trie_init(struct rule_index_trie *t)
{
	t->edges = xcalloc(64, sizeof(*t->edges));
	t->mask = 63;
	t->nodes = xcalloc(1, sizeof(*t->nodes));
	t->nnodes = 1;
}

static void
rule_index_trie_add(struct rule_index_trie *t, const char *pat, size_t pos)
{
	size_t len = rule_index_literal(pat), i, slot;
	struct rule_index_node *node;
	uint32_t cur = 0;
	uint64_t key;

	for (i = 0; i < len; i++) {
		key = ((uint64_t)cur << 8 | (unsigned char)pat[i]) + 1;
		slot = rule_index_edge_slot(t, key);
		if (t->edges[slot].key == 0) {
			if (2 * (t->nedges + 1) > t->mask + 1) {
				rule_index_edges_grow(t);
				slot = rule_index_edge_slot(t, key);
			}
			/* Nodes double at powers of two, as lists do. */
			if ((t->nnodes & (t->nnodes - 1)) == 0)
				t->nodes = xreallocarray(t->nodes,
				    2 * t->nnodes, sizeof(*t->nodes));
			memset(&t->nodes[t->nnodes], 0, sizeof(*t->nodes));
			t->edges[slot].key = key;
			t->edges[slot].child = t->nnodes++;
			t->nedges++;
		}
		cur = t->edges[slot].child;
	}
	node = &t->nodes[cur];
	node->pos = rule_index_grow(node->pos, node->npos);
	node->pos[node->npos++] = pos;
}

/* The child of cur by c, or 0 (the root is nobody's child). */
static uint32_t
rule_index_trie_next(const struct rule_index_trie *t, uint32_t cur,
    unsigned char c)
{
	uint64_t key = ((uint64_t)cur << 8 | c) + 1;
	size_t i = (key * 0x9e3779b97f4a7c15ULL >> 20) & t->mask;

	for (;; i = (i + 1) & t->mask) {
		if (t->edges[i].key == key)
			return t->edges[i].child;
		if (t->edges[i].key == 0)
			return 0;
	}
}

static void
rule_index_trie_free(struct rule_index_trie *t)
{
	size_t i;

	for (i = 0; i < t->nnodes; i++)
		free(t->nodes[i].pos);
	free(t->nodes);
	free(t->edges);
}

/* FNV-1a, one byte at a time: rule_index_match extends it along a path. */
static uint64_t
rule_index_hash_byte(uint64_t h, unsigned char c)
{
	return (h ^ c) * RULE_INDEX_FNV_PRIME;
}

static uint64_t
rule_index_hash(const char *s, size_t len)
{
	uint64_t h = RULE_INDEX_FNV_BASIS;

	while (len-- > 0)
		h = rule_index_hash_byte(h, *s++);
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
rule_index_slot(const struct rule_index_table *t, const char *key, size_t len,
    uint64_t hash)
{
	struct rule_index_slot *s;
	size_t i = hash & t->mask;

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
	struct rule_index_slot *s;

	s = rule_index_slot(t, key, len, rule_index_hash(key, len));
	s->key = key;
	s->len = len;
	s->pos = rule_index_grow(s->pos, s->npos);
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
	rule_index_trie_init(&x->globs);
	for (i = 0; i < n; i++) {
		len = strlen(v[i].path);
		switch (v[i].match) {
		case RULE_EXACT:
			rule_index_table_add(&x->exact, v[i].path, len, i);
			break;
		case RULE_PREFIX:
			/* "/a/" is found from "/a", "/a/" and "/a/x". */
			len = len > 0 ? len - 1 : 0;
			rule_index_table_add(&x->prefix, v[i].path, len, i);
			if (len <= PATH_MAX)
				x->prefix_lens[len / 64] |= 1ULL << (len % 64);
			break;
		case RULE_GLOB:
			rule_index_trie_add(&x->globs, v[i].path, i);
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
	rule_index_trie_free(&x->globs);
	free(x);
}

static int
rule_index_has_len(const struct rule_index *x, size_t len)
{
	return len <= PATH_MAX &&
	    (x->prefix_lens[len / 64] >> (len % 64) & 1) != 0;
}

/* Lower *best to the first rule under key (hashed to hash) that applies. */
static void
rule_index_lookup(const struct rule_index *x, const struct rule_index_table *t,
    const char *key, size_t len, uint64_t hash, int sysid, int write,
    size_t *best)
{
	const struct rule_index_slot *s = rule_index_slot(t, key, len, hash);
	size_t i;

	for (i = 0; i < s->npos && s->pos[i] < *best; i++)
		if (rules_applies(&x->v[s->pos[i]], sysid, write)) {
			*best = s->pos[i];
			return;
		}
}

/* The same for the globs hanging off one trie node. */
static void
rule_index_globs_at(const struct rule_index *x, uint32_t node,
    const char *path, int sysid, int write, size_t *best)
{
	const struct rule_index_node *n = &x->globs.nodes[node];
	const struct rule *r;
	size_t i;

	for (i = 0; i < n->npos && n->pos[i] < *best; i++) {
		r = &x->v[n->pos[i]];
		if (rules_applies(r, sysid, write) &&
		    pattern_match(r->path, path)) {
			*best = n->pos[i];
			return;
		}
	}
}

const struct rule *
rule_index_match(const struct rule_index *x, const char *path, int sysid,
    int write)
{
	size_t best = SIZE_MAX, i, len = strlen(path);
	uint64_t h = RULE_INDEX_FNV_BASIS;
	uint32_t node = 0, next;

	if (sysid < 0 || sysid >= SYSCALLS_COUNT || path[0] != '/')
		return NULL;
	/* Every directory prefix of a length some prefix rule has, hashed
	 * on the way, then the path itself and the path as a directory. */
	for (i = 0; i < len; i++) {
		if (path[i] == '/' && rule_index_has_len(x, i))
			rule_index_lookup(x, &x->prefix, path, i, h, sysid,
			    write, &best);
		h = rule_index_hash_byte(h, path[i]);
	}
	rule_index_lookup(x, &x->exact, path, len, h, sysid, write, &best);
	if (path[len - 1] != '/' && rule_index_has_len(x, len))
		rule_index_lookup(x, &x->prefix, path, len, h, sysid, write,
		    &best);
	/* Globs whose literal beginning the path starts with. */
	rule_index_globs_at(x, 0, path, sysid, write, &best);
	for (i = 0; i < len; i++) {
		if ((node = rule_index_trie_next(&x->globs, node, path[i])) == 0)
			break;
		rule_index_globs_at(x, node, path, sysid, write, &best);
	}
	/* "/a/" then "**" also matches "/a". */
	if (i == len && path[len - 1] != '/' &&
	    (next = rule_index_trie_next(&x->globs, node, '/')) != 0)
		rule_index_globs_at(x, next, path, sysid, write, &best);
	return best == SIZE_MAX ? NULL : &x->v[best];
}
