/* SPDX-License-Identifier: MIT */
/* The counters as a report: JSON (what the daemon sends), and from that
 * JSON a summary for people or the Prometheus text exposition format. */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>

struct json_object;
struct rule_set;

#define REPORT_VERSION	1

/* What only the front end knows; a NULL set or a negative count is left
 * out of the report. */
struct report_facts {
	long			 targets;	/* supervised now */
	long			 targets_total;	/* since start */
	const struct rule_set	*rules;		/* loaded: listed even unhit */
};

/* A report of every counter now (stats_snapshot), with facts; never NULL.
 * json_object_put(3) it. */
struct json_object	*report_json(const struct report_facts *);
/*
 * Write a report (from report_json, maybe through a socket) as a summary
 * for people, or as Prometheus text (HELP and TYPE lines, latency as
 * histograms); or only check it. Return 0, or -EINVAL (nothing written) if
 * the JSON is not a report of REPORT_VERSION.
 */
int	report_check(struct json_object *);
int	report_text(struct json_object *, FILE *);
int	report_prometheus(struct json_object *, FILE *);

#endif
