/* SPDX-License-Identifier: MIT */
/* unotifyd trace: a record of every path call a program makes, written as
 * text, JSON lines, or INI rules for the configuration files it read. */
#ifndef TRACE_H
#define TRACE_H

#include <linux/seccomp.h>
#include <stdint.h>
#include <stdio.h>

#include "stats.h"

struct call;
struct target;
struct verdict;

enum trace_format {
	TRACE_TEXT,
	TRACE_JSON,
	TRACE_INI
};

/* Set by trace_start: the engine's hooks do nothing while it is 0. */
extern int	trace_enabled;

/*
 * Record to out in format from now on; argv is the traced command (named
 * in the INI header). trace_finish writes what is kept for the end (INI),
 * flushes and closes out; 0, or -errno if out could not be written.
 */
void	trace_start(FILE *out, enum trace_format, char *const argv[]);
int	trace_finish(void);
/* "text", "json" or "ini"; -1 for anything else. */
int	trace_format_from_name(const char *);

/*
 * The engine's hooks. trace_call: the decision for req is made (v, or an
 * errno err < 0 found while reading its paths), and this thread will send
 * its answer; for an answer the kernel will give (continue), the result is
 * found now, from the file system as the target sees it before the call.
 * trace_answered: the answer for id was sent with result (a return value,
 * or -errno). A record whose answer never comes (the target died) is
 * dropped. trace_ctx_take/_put move this thread's pending record to the
 * worker thread that will answer for it.
 */
void	trace_call(const struct seccomp_notif *req, struct target *,
	    const struct call *, const struct verdict *v, int err);
void	trace_answered(uint64_t id, enum stats_kind, int64_t result);
void	*trace_ctx_take(void);
void	trace_ctx_put(void *);

#endif
