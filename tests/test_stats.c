/* SPDX-License-Identifier: MIT */
/* Counters and latency: what each hook counts, per thread and summed. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <linux/audit.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "rules.h"
#include "stats.h"
#include "syscalls.h"

/* x86_64 numbers (the test counts x86_64 calls on any build). */
/* Counted by number: x86_64's, whatever the build (the native arch's
 * counters hold them). */
#define X86_64_NR_stat		4
#define X86_64_NR_chdir		80
#define X86_64_NR_openat	257

/* A notification as notify_recv would get it. */
static void
receive(uint64_t id, uint32_t arch, int nr)
{
	struct seccomp_notif req;

	memset(&req, 0, sizeof(req));
	req.id = id;
	req.data.arch = arch;
	req.data.nr = nr;
	stats_received(&req);
}

static uint64_t
sum(const uint64_t *v, int n)
{
	uint64_t t = 0;
	int i;

	for (i = 0; i < n; i++)
		t += v[i];
	return t;
}

static struct rule
rule(const char *name, enum rule_action action)
{
	struct rule r;

	memset(&r, 0, sizeof(r));
	r.name = (char *)name;
	r.action = action;
	return r;
}

Test(stats, answers_by_kind_and_call)
{
	struct stats_snapshot s;
	struct rule red = rule("red", RULE_REDIRECT), deny = rule("deny",
	    RULE_ERRNO);

	receive(1, syscalls_native_arch(), X86_64_NR_openat);
	stats_rule(NULL);
	stats_answered(1, STATS_CONTINUE, 0);
	receive(2, syscalls_native_arch(), X86_64_NR_openat);
	stats_rule(&deny);
	stats_answered(2, STATS_ERRNO, 0);
	receive(3, syscalls_compat_arch(), 5);		/* i386 open */
	stats_rule(&red);
	stats_answered(3, STATS_REDIRECT, 7);
	/* A redirect answered with an errno failed; a new notification
	 * forgets that the last one was a redirect. */
	receive(4, syscalls_native_arch(), X86_64_NR_stat);
	stats_rule(&red);
	stats_answered(4, STATS_ERRNO, 0);
	receive(5, syscalls_native_arch(), X86_64_NR_stat);
	stats_answered(5, STATS_ERRNO, 0);
	receive(6, syscalls_native_arch(), X86_64_NR_stat);
	stats_rule(&red);
	stats_answered(6, STATS_EMULATED, 0);
	/* Interrupted or gone: not an answer; another failure: nothing. */
	/* A continue after a redirect decision ran on a rewritten path. */
	receive(10, syscalls_native_arch(), X86_64_NR_chdir);
	stats_rule(&red);
	stats_answered(10, STATS_CONTINUE, 0);
	receive(7, syscalls_native_arch(), X86_64_NR_stat);
	stats_answered(7, STATS_CONTINUE, -ENOENT);
	receive(8, 0xdead, 1);
	stats_answered(8, STATS_REDIRECT, -EBADF);

	stats_snapshot(&s);
	cr_assert(eq(u64, s.notifications, 9));
	cr_assert(eq(u64, s.answers[STATS_CONTINUE], 1));
	cr_assert(eq(u64, s.answers[STATS_ERRNO], 2));
	cr_assert(eq(u64, s.answers[STATS_REDIRECT], 2));
	cr_assert(eq(u64, s.answers[STATS_EMULATED], 1));
	cr_assert(eq(u64, s.answers[STATS_FAILED], 1));
	cr_assert(eq(u64, s.gone, 1));
	cr_assert(eq(u64, s.calls[0][X86_64_NR_openat], 2));
	cr_assert(eq(u64, s.calls[0][X86_64_NR_chdir], 1));
	cr_assert(eq(u64, s.calls[0][X86_64_NR_stat], 4));
	cr_assert(eq(u64, s.calls[1][5], 1));
	cr_assert(eq(u64, s.calls_other, 1));
	/* Every answer but continue on the receiving thread is timed, once
	 * (continues one in STATS_SAMPLE: not the first). */
	cr_assert(eq(u64, sum(s.timed, STATS_KINDS), 6));
	cr_assert(eq(u64, s.timed[STATS_CONTINUE], 0));
	cr_assert(eq(u64, sum(s.buckets[STATS_ERRNO], STATS_BUCKETS), 2));
	cr_assert(s.uptime > 0);
}

Test(stats, latency_bucket_and_sum)
{
	struct timespec pause = { 0, 2000000 };	/* 2 ms */
	struct stats_snapshot s;
	int i, at = -1;

	receive(42, syscalls_native_arch(), X86_64_NR_openat);
	nanosleep(&pause, NULL);
	stats_answered(42, STATS_ERRNO, 0);
	/* A second answer to the same id is not timed again. */
	stats_answered(42, STATS_ERRNO, 0);
	/* Nor one for an id this thread did not receive. */
	stats_answered(43, STATS_ERRNO, 0);
	stats_snapshot(&s);
	cr_assert(eq(u64, s.answers[STATS_ERRNO], 3));
	cr_assert(eq(u64, s.timed[STATS_ERRNO], 1));
	for (i = 0; i < STATS_BUCKETS; i++)
		if (s.buckets[STATS_ERRNO][i] != 0)
			at = i;
	/* 2 ms lies in (2^20, 2^21] ns or later (a slow machine). */
	cr_assert(ge(int, at, 20), "bucket %d", at);
	cr_assert(ge(u64, s.sum_ns[STATS_ERRNO], 2000000));
	cr_assert(le(u64, s.sum_ns[STATS_ERRNO], 2ULL << at));
	cr_assert(gt(u64, s.sum_ns[STATS_ERRNO], 1ULL << at));
}

/* Continues, the cheapest answers, are timed one in STATS_SAMPLE. */
Test(stats, continue_latency_sampled)
{
	struct stats_snapshot s;
	int i;

	for (i = 1; i <= 4 * STATS_SAMPLE; i++) {
		receive(i, syscalls_native_arch(), X86_64_NR_openat);
		stats_answered(i, STATS_CONTINUE, 0);
	}
	stats_snapshot(&s);
	cr_assert(eq(u64, s.answers[STATS_CONTINUE], 4 * STATS_SAMPLE));
	cr_assert(eq(u64, s.timed[STATS_CONTINUE], 4));
	cr_assert(eq(u64, sum(s.buckets[STATS_CONTINUE], STATS_BUCKETS), 4));
}

static void *
answer_elsewhere(void *arg)
{
	struct stats_ctx *ctx = arg;

	stats_ctx_restore(ctx);
	stats_answered(ctx->id, STATS_ERRNO, 0);
	return NULL;
}

/* A worker answering for the receiver times it, and sees the decision;
 * its counts stay after it exits. */
Test(stats, worker_carries_the_notification)
{
	struct rule red = rule("red", RULE_REDIRECT);
	struct stats_snapshot s;
	struct stats_ctx ctx;
	pthread_t t;

	receive(9, syscalls_native_arch(), X86_64_NR_openat);
	stats_rule(&red);
	stats_ctx_save(&ctx);
	cr_assert(eq(int, pthread_create(&t, NULL, answer_elsewhere, &ctx), 0));
	pthread_join(t, NULL);
	stats_snapshot(&s);
	cr_assert(eq(u64, s.answers[STATS_FAILED], 1));
	cr_assert(eq(u64, s.timed[STATS_FAILED], 1));
	/* A second thread reuses the block the first left: nothing is lost
	 * and nothing counted twice. */
	cr_assert(eq(int, pthread_create(&t, NULL, answer_elsewhere, &ctx), 0));
	pthread_join(t, NULL);
	stats_snapshot(&s);
	cr_assert(eq(u64, s.answers[STATS_FAILED], 2));
	cr_assert(eq(u64, s.timed[STATS_FAILED], 2));
}

static void
count_hits(const char *name, uint64_t hits, void *arg)
{
	uint64_t *v = arg;

	if (strcmp(name, "a") == 0)
		v[0] = hits;
	else if (strcmp(name, "b") == 0)
		v[1] = hits;
	v[2]++;
}

Test(stats, rule_hits_by_name)
{
	struct rule a = rule("a", RULE_CONTINUE), b = rule("b", RULE_ERRNO);
	/* A reloaded rule of the same name counts on. */
	struct rule a2 = rule("a", RULE_ERRNO);
	struct stats_snapshot s;
	uint64_t v[3] = { 0 };
	char name[32];
	int i;

	stats_rule(&a);
	stats_rule(&a2);
	stats_rule(&b);
	stats_rule(NULL);
	stats_rules_each(count_hits, v);
	cr_assert(eq(u64, v[0], 2));
	cr_assert(eq(u64, v[1], 1));
	cr_assert(eq(u64, v[2], 2));
	/* Past STATS_RULES_MAX names, hits are "other". */
	for (i = 0; i < STATS_RULES_MAX + 5; i++) {
		struct rule r;

		snprintf(name, sizeof(name), "r%d", i);
		r = rule(name, RULE_CONTINUE);
		stats_rule(&r);
	}
	stats_snapshot(&s);
	cr_assert(eq(u64, s.rules_other, 7));
}

Test(stats, listeners)
{
	struct stats_snapshot s;

	stats_listener(1);
	stats_listener(1);
	stats_listener(-1);
	stats_snapshot(&s);
	cr_assert(eq(i64, s.listeners, 1));
}

Test(stats, kind_names)
{
	cr_assert(eq(str, (char *)stats_kind_name(STATS_CONTINUE), "continue"));
	cr_assert(eq(str, (char *)stats_kind_name(STATS_FAILED), "failed"));
	cr_assert(eq(ptr, (void *)stats_kind_name(STATS_KINDS), NULL));
}
