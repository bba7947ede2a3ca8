/* SPDX-License-Identifier: MIT */
/* An index over a rule set so that matching costs about the same with one
 * rule or 10,000: exact paths by hash, prefixes by hashing the path's
 * directory prefixes, globs by hashing the path's beginnings as long as the
 * globs' literal beginnings; only lengths some rule has are looked up. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "rule.h"
#include "ruleindex.h"
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
	size_t			 mask;		/* size - 1, a power of two */
	/* A bit per key's hash (its top bits): most lookups of a key that is
	 * not there end in these few cache lines, not in the slots. */
	uint64_t		*bloom;
	size_t			 bloom_mask;	/* bits - 1, a power of two */
};

#define RULE_INDEX_FNV_BASIS	0xcbf29ce484222325ULL
#define RULE_INDEX_FNV_PRIME	0x100000001b3ULL

struct rule_index {
	const struct rule	*v;
	struct rule_index_table	 exact;
	struct rule_index_table	 prefix;	/* key: path without its '/' */
	/* Globs by their literal beginning: the text before their first
	 * special character. A path meets only the globs whose literal
	 * beginning it starts with, however many globs share a directory. */
	struct rule_index_table	 globs;
	/* The lengths of the prefix and glob keys: a path's beginnings of
	 * other lengths are not looked up. */
	uint64_t		 prefix_lens[PATH_MAX / 64 + 1];
	uint64_t		 glob_lens[PATH_MAX / 64 + 1];
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
	size_t size = 16, bits = 64;

	while (size < 2 * n)
		size <<= 1;
	while (bits < 8 * n)
		bits <<= 1;
	t->slots = xcalloc(size, sizeof(*t->slots));
	t->mask = size - 1;
	t->bloom = xcalloc(bits / 64, sizeof(*t->bloom));
	t->bloom_mask = bits - 1;
}

static size_t
rule_index_bloom_bit(const struct rule_index_table *t, uint64_t hash)
{
	return (hash >> 32) & t->bloom_mask;
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
	uint64_t hash = rule_index_hash(key, len);
	struct rule_index_slot *s = rule_index_slot(t, key, len, hash);
	size_t bit = rule_index_bloom_bit(t, hash);

	t->bloom[bit / 64] |= 1ULL << (bit % 64);
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
	free(t->bloom);
}

/* Note a key length; longer than any path, it could never be looked up. */
static void
rule_index_add_len(uint64_t *lens, size_t len)
{
	if (len <= PATH_MAX)
		lens[len / 64] |= 1ULL << (len % 64);
}

static int
rule_index_has_len(const uint64_t *lens, size_t len)
{
	return len <= PATH_MAX && (lens[len / 64] >> (len % 64) & 1) != 0;
}

struct rule_index *
rule_index_new(const struct rule *v, size_t n)
{
	size_t i, len, count[3] = { 0, 0, 0 };
	struct rule_index *x;

	/* Each table sized for its own kind of rule. */
	for (i = 0; i < n; i++)
		count[v[i].match == RULE_EXACT ? 0 :
		    v[i].match == RULE_PREFIX ? 1 : 2]++;
	x = xcalloc(1, sizeof(*x));
	x->v = v;
	rule_index_table_init(&x->exact, count[0]);
	rule_index_table_init(&x->prefix, count[1]);
	rule_index_table_init(&x->globs, count[2]);
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
			rule_index_add_len(x->prefix_lens, len);
			break;
		case RULE_GLOB:
			len = rule_index_literal(v[i].path);
			rule_index_table_add(&x->globs, v[i].path, len, i);
			rule_index_add_len(x->glob_lens, len);
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
	rule_index_table_free(&x->globs);
	free(x);
}

/*
 * Lower *best to the first rule under key (hashed to hash) that applies;
 * globs must also match the whole path.
 */
static void
rule_index_lookup(const struct rule_index *x, const struct rule_index_table *t,
    const char *key, size_t len, uint64_t hash, const char *path, int sysid,
    int write, size_t *best)
{
	size_t bit = rule_index_bloom_bit(t, hash), i;
	const struct rule_index_slot *s;
	const struct rule *r;

	if ((t->bloom[bit / 64] >> (bit % 64) & 1) == 0)
		return;
	s = rule_index_slot(t, key, len, hash);

	for (i = 0; i < s->npos && s->pos[i] < *best; i++) {
		r = &x->v[s->pos[i]];
		if (rules_applies(r, sysid, write) &&
		    (path == NULL || pattern_match(r->path, path))) {
			*best = s->pos[i];
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

	if (sysid < 0 || sysid >= SYSCALLS_COUNT || path[0] != '/')
		return NULL;
	/* Each beginning of the path of a length some rule's key has, hashed
	 * on the way: directory prefixes, and globs' literal beginnings. */
	for (i = 0; i < len; i++) {
		if (path[i] == '/' && rule_index_has_len(x->prefix_lens, i))
			rule_index_lookup(x, &x->prefix, path, i, h, NULL,
			    sysid, write, &best);
		if (rule_index_has_len(x->glob_lens, i))
			rule_index_lookup(x, &x->globs, path, i, h, path,
			    sysid, write, &best);
		h = rule_index_hash_byte(h, path[i]);
	}
	/* The path itself, as a file and as a directory. */
	rule_index_lookup(x, &x->exact, path, len, h, NULL, sysid, write,
	    &best);
	if (rule_index_has_len(x->glob_lens, len))
		rule_index_lookup(x, &x->globs, path, len, h, path, sysid,
		    write, &best);
	if (path[len - 1] != '/') {
		if (rule_index_has_len(x->prefix_lens, len))
			rule_index_lookup(x, &x->prefix, path, len, h, NULL,
			    sysid, write, &best);
		/* "/a/" then "**" also matches "/a": a key one longer. */
		if (rule_index_has_len(x->glob_lens, len + 1)) {
			char dir[PATH_MAX + 1];

			if (len + 1 < sizeof(dir)) {
				memcpy(dir, path, len);
				dir[len] = '/';
				dir[len + 1] = '\0';
				rule_index_lookup(x, &x->globs, dir, len + 1,
				    rule_index_hash_byte(h, '/'), path, sysid,
				    write, &best);
			}
		}
	}
	return best == SIZE_MAX ? NULL : &x->v[best];
}
