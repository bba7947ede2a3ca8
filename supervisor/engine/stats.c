/* SPDX-License-Identifier: MIT */
/* Counters and answer latency, kept per thread without locks: the answer
 * path pays a clock read and a few plain stores, never a shared line. */
#include <errno.h>
#include <linux/audit.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules.h"
#include "stats.h"
#include "syscalls.h"
#include "util.h"

/*
 * One block per thread. Only its owner writes it, with relaxed atomic
 * loads and stores (plain moves on x86, and no data race for readers);
 * readers sum every block. A block outlives its thread and is reused by the
 * next thread that needs one, so counts are never lost.
 */
struct stats_block {
	struct thread_slot	 slot;		/* in every block ever made */
	uint64_t		 notifications;
	uint64_t		 gone;
	uint64_t		 answers[STATS_KINDS];
	uint64_t		 timed[STATS_KINDS];
	uint64_t		 sum_ns[STATS_KINDS];
	uint64_t		 buckets[STATS_KINDS][STATS_BUCKETS];
	uint64_t		 calls[STATS_ARCHES][STATS_NRS];
	uint64_t		 calls_other;
};

#define STATS_ADD(field, n)	__atomic_store_n(&(field), \
	__atomic_load_n(&(field), __ATOMIC_RELAXED) + (n), __ATOMIC_RELAXED)
#define STATS_GET(field)	__atomic_load_n(&(field), __ATOMIC_RELAXED)

static struct thread_slot	*stats_blocks;
static pthread_key_t		 stats_key;
static pthread_once_t		 stats_once = PTHREAD_ONCE_INIT;
static uint64_t			 stats_start_ns;
static int64_t			 stats_listeners;

static __thread struct stats_block	*stats_self;
static __thread struct stats_ctx	 stats_cur;
static __thread unsigned int		 stats_skipped;

/* Rule hits by name: names survive reloads, so counts do too. Open
 * addressing, twice as many slots as names, never shrinking. */
#define STATS_RULE_SLOTS	(2 * STATS_RULES_MAX)

struct stats_rule_slot {
	char		*name;
	uint64_t	 hits;
};

static struct stats_rule_slot	 stats_rules[STATS_RULE_SLOTS];
static unsigned int		 stats_nrules;
static uint64_t			 stats_rules_other;

static const char *const stats_kinds[STATS_KINDS] = {
	[STATS_CONTINUE] = "continue",
	[STATS_ERRNO] = "errno",
	[STATS_REDIRECT] = "redirect",
	[STATS_EMULATED] = "emulated",
	[STATS_FAILED] = "failed",
};

static uint64_t
stats_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void
stats_init(void)
{
	pthread_key_create(&stats_key, thread_slot_give);
	stats_start_ns = stats_now();
}

/* Uptime counts from the start of the process. */
static void __attribute__((constructor))
stats_start(void)
{
	pthread_once(&stats_once, stats_init);
}

/* The calling thread's block: a released one, or a new one. */
static struct stats_block *
stats_block_take(void)
{
	struct stats_block *b;

	pthread_once(&stats_once, stats_init);
	b = (struct stats_block *)thread_slot_take(&stats_blocks, sizeof(*b),
	    NULL);
	pthread_setspecific(stats_key, b);
	return stats_self = b;
}

static inline struct stats_block *
stats_block(void)
{
	return stats_self != NULL ? stats_self : stats_block_take();
}

static int
stats_arch_index(uint32_t arch)
{
	if (arch == syscalls_native_arch())
		return 0;
	return arch != 0 && arch == syscalls_compat_arch() ? 1 : -1;
}

uint32_t
stats_arch(int i)
{
	return i == 0 ? syscalls_native_arch() : syscalls_compat_arch();
}

const char *
stats_kind_name(int kind)
{
	return kind >= 0 && kind < STATS_KINDS ? stats_kinds[kind] : NULL;
}

void
stats_received(const struct seccomp_notif *req)
{
	struct stats_block *b = stats_block();
	int a = stats_arch_index(req->data.arch);

	STATS_ADD(b->notifications, 1);
	if (a >= 0 && req->data.nr >= 0 && req->data.nr < STATS_NRS)
		STATS_ADD(b->calls[a][req->data.nr], 1);
	else
		STATS_ADD(b->calls_other, 1);
	stats_cur.id = req->id;
	stats_cur.redirect = 0;
	stats_cur.t_ns = stats_now();
}

static uint32_t
stats_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Count a hit of the rule called name. */
static void
stats_rule_hit(const char *name)
{
	struct stats_rule_slot *slot;
	uint32_t i = stats_hash(name);
	char *cur, *copy;

	for (;; i++) {
		slot = &stats_rules[i % STATS_RULE_SLOTS];
		cur = __atomic_load_n(&slot->name, __ATOMIC_ACQUIRE);
		if (cur == NULL) {
			/* First hit of this name: claim the slot. */
			if (__atomic_add_fetch(&stats_nrules, 1,
			    __ATOMIC_RELAXED) > STATS_RULES_MAX) {
				__atomic_sub_fetch(&stats_nrules, 1,
				    __ATOMIC_RELAXED);
				__atomic_add_fetch(&stats_rules_other, 1,
				    __ATOMIC_RELAXED);
				return;
			}
			copy = xstrdup(name);
			if (__atomic_compare_exchange_n(&slot->name, &cur, copy,
			    0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				__atomic_add_fetch(&slot->hits, 1,
				    __ATOMIC_RELAXED);
				return;
			}
			/* Another thread took it first: cur is its name. */
			free(copy);
			__atomic_sub_fetch(&stats_nrules, 1, __ATOMIC_RELAXED);
		}
		if (strcmp(cur, name) == 0) {
			__atomic_add_fetch(&slot->hits, 1, __ATOMIC_RELAXED);
			return;
		}
	}
}

void
stats_rule(const struct rule *r)
{
	if (r == NULL)
		return;
	stats_cur.redirect = r->action == RULE_REDIRECT;
	stats_rule_hit(r->name);
}

void
stats_answered(uint64_t id, enum stats_kind kind, int result)
{
	struct stats_block *b;
	uint64_t ns;
	int i;

	if (result < 0 && result != -ENOENT)
		return;
	b = stats_block();
	if (result == -ENOENT) {
		STATS_ADD(b->gone, 1);
		return;
	}
	/* After a redirect decision, an errno means it failed, and a
	 * continue that the call runs on its rewritten path (chdir, exec). */
	if (stats_cur.id == id && stats_cur.redirect)
		kind = kind == STATS_ERRNO ? STATS_FAILED :
		    kind == STATS_CONTINUE ? STATS_REDIRECT : kind;
	STATS_ADD(b->answers[kind], 1);
	if (stats_cur.id != id || stats_cur.t_ns == 0)
		return;
	/* A clock read costs ~1% of the cheapest answer here: time one
	 * continue in STATS_SAMPLE, every slower answer. */
	if (kind == STATS_CONTINUE &&
	    ++stats_skipped % STATS_SAMPLE != 0) {
		stats_cur.t_ns = 0;
		return;
	}
	ns = stats_now() - stats_cur.t_ns;
	stats_cur.t_ns = 0;
	/* (2^i, 2^(i+1)]: Prometheus buckets count values <= le. */
	i = ns <= 1 ? 0 : 63 - __builtin_clzll(ns - 1);
	if (i >= STATS_BUCKETS)
		i = STATS_BUCKETS - 1;
	STATS_ADD(b->timed[kind], 1);
	STATS_ADD(b->sum_ns[kind], ns);
	STATS_ADD(b->buckets[kind][i], 1);
}

void
stats_listener(int delta)
{
	__atomic_add_fetch(&stats_listeners, delta, __ATOMIC_RELAXED);
}

void
stats_ctx_save(struct stats_ctx *ctx)
{
	*ctx = stats_cur;
}

void
stats_ctx_restore(const struct stats_ctx *ctx)
{
	stats_cur = *ctx;
}

void
stats_snapshot(struct stats_snapshot *s)
{
	struct stats_block *b;
	int k, i, a;

	pthread_once(&stats_once, stats_init);
	memset(s, 0, sizeof(*s));
	s->uptime = (stats_now() - stats_start_ns) / 1e9;
	for (b = (struct stats_block *)__atomic_load_n(&stats_blocks,
	    __ATOMIC_ACQUIRE); b != NULL; b = (struct stats_block *)b->slot.next) {
		s->notifications += STATS_GET(b->notifications);
		s->gone += STATS_GET(b->gone);
		for (k = 0; k < STATS_KINDS; k++) {
			s->answers[k] += STATS_GET(b->answers[k]);
			s->timed[k] += STATS_GET(b->timed[k]);
			s->sum_ns[k] += STATS_GET(b->sum_ns[k]);
			for (i = 0; i < STATS_BUCKETS; i++)
				s->buckets[k][i] += STATS_GET(b->buckets[k][i]);
		}
		for (a = 0; a < STATS_ARCHES; a++)
			for (i = 0; i < STATS_NRS; i++)
				s->calls[a][i] += STATS_GET(b->calls[a][i]);
		s->calls_other += STATS_GET(b->calls_other);
	}
	s->listeners = __atomic_load_n(&stats_listeners, __ATOMIC_RELAXED);
	s->rules_other = __atomic_load_n(&stats_rules_other, __ATOMIC_RELAXED);
}

void
stats_rules_each(void (*cb)(const char *, uint64_t, void *), void *arg)
{
	const char *name;
	size_t i;

	for (i = 0; i < STATS_RULE_SLOTS; i++)
		if ((name = __atomic_load_n(&stats_rules[i].name,
		    __ATOMIC_ACQUIRE)) != NULL)
			cb(name, __atomic_load_n(&stats_rules[i].hits,
			    __ATOMIC_RELAXED), arg);
}
