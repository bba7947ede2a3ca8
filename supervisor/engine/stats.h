/* SPDX-License-Identifier: MIT */
/* Counters and answer latency: per-thread blocks written without locks by
 * their own thread, summed when someone asks (status, run --stats). */
#ifndef STATS_H
#define STATS_H

#include <linux/seccomp.h>
#include <stdint.h>

struct rule;

/* How a notification was answered. */
enum stats_kind {
	STATS_CONTINUE,		/* the kernel ran the call */
	STATS_ERRNO,		/* an errno from a rule, or as the kernel would */
	STATS_REDIRECT,		/* an fd installed (ADDFD), or the call run
				   on its rewritten path */
	STATS_EMULATED,		/* a result computed for a redirected path */
	STATS_FAILED,		/* a redirect that could not be done: errno */
	STATS_KINDS
};

/* Latency buckets: bucket i counts answers taking (2^i, 2^(i+1)] ns
 * (bucket 0 also 0 to 1 ns), the last one everything longer. */
#define STATS_BUCKETS		40
/* Continue answers are timed one in STATS_SAMPLE per thread (each is a
 * few microseconds, and a clock read is not free); all others always. */
#define STATS_SAMPLE		16
/* Per-call counts are kept per arch (the build's and its 32-bit compat
 * one: x86_64 and i386, aarch64 and ARM) and syscall number. */
#define STATS_ARCHES		2
#define STATS_NRS		512
/* Distinct rule names counted; hits of further names go to "other". */
#define STATS_RULES_MAX		4096

/* The notification a thread is answering: carried to a worker thread that
 * answers for it (stats_ctx_save/_restore). */
struct stats_ctx {
	uint64_t	id;
	uint64_t	t_ns;		/* CLOCK_MONOTONIC at receive */
	int		redirect;	/* the decision was a redirect */
};

/* Hooks. Each costs a few plain stores into the calling thread's block. */
/* notify_recv got req. */
void	stats_received(const struct seccomp_notif *req);
/* The decision for the notification being answered: rule r (or NULL). */
void	stats_rule(const struct rule *r);
/* An answer to id was sent: kind, and the ioctl's result (0 or a new fd;
 * -ENOENT: the call was interrupted or its task is gone; another -errno:
 * nothing reached the target, nothing is counted). */
void	stats_answered(uint64_t id, enum stats_kind kind, int result);
/* A seccomp listener was opened (1) or closed (-1). */
void	stats_listener(int delta);
void	stats_ctx_save(struct stats_ctx *);
void	stats_ctx_restore(const struct stats_ctx *);

/* A sum over every thread: consistent per counter, not across them. */
struct stats_snapshot {
	double		uptime;			/* seconds since the first use */
	uint64_t	notifications;
	uint64_t	gone;			/* answers refused: ENOENT */
	uint64_t	answers[STATS_KINDS];
	uint64_t	timed[STATS_KINDS];	/* of them, timed (sampled) */
	uint64_t	sum_ns[STATS_KINDS];
	uint64_t	buckets[STATS_KINDS][STATS_BUCKETS];
	uint64_t	calls[STATS_ARCHES][STATS_NRS];
	uint64_t	calls_other;		/* other arches or numbers */
	int64_t		listeners;
	uint64_t	rules_other;		/* hits past STATS_RULES_MAX names */
};

/* Fill s (the caller's, zeroed here). */
void	stats_snapshot(struct stats_snapshot *s);
/* Call cb for every rule name counted so far, in no particular order. */
void	stats_rules_each(void (*cb)(const char *name, uint64_t hits,
	    void *arg), void *arg);
/* The audit arch of index i (0: the build's, 1: its compat arch). */
uint32_t	stats_arch(int i);
/* Name of a kind ("continue"), or NULL out of range. */
const char	*stats_kind_name(int kind);

#endif
