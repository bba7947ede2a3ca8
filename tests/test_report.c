/* SPDX-License-Identifier: MIT */
/* Reports: the JSON the daemon sends, checked on the way back, and its
 * summary and Prometheus forms. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <json-c/json.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "report.h"
#include "rules.h"
#include "stats.h"
#include "syscalls.h"

static struct rule_set set;

static void
setup(void)
{
	struct causes c = { 0 };
	struct seccomp_notif req;
	int i;

	rules_init(&set);
	cr_assert(eq(int, rules_parse_string(&set,
	    "[hit]\npath=/a\naction=errno\nerrno=EPERM\n"
	    "[unhit]\npath=/b\naction=continue\n", "t.ini", &c), 0));
	memset(&req, 0, sizeof(req));
	for (i = 0; i < 3; i++) {
		req.id = i + 1;
		req.data.arch = syscalls_native_arch();
		req.data.nr = SYS_openat;
		stats_received(&req);
		stats_rule(i == 0 ? &set.v[0] : NULL);
		stats_answered(req.id, i == 0 ? STATS_ERRNO : STATS_CONTINUE,
		    0);
	}
}

static void
teardown(void)
{
	rules_free(&set);
}

TestSuite(report, .init = setup, .fini = teardown);

/* What fn writes for report o, as a string to free. */
static char *
render(int (*fn)(struct json_object *, FILE *), struct json_object *o,
    int *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert(f != NULL);
	*r = fn(o, f);
	fclose(f);
	return buf;
}

Test(report, json_text_and_facts)
{
	struct report_facts facts = { 2, 5, &set };
	struct json_object *o = report_json(&facts);
	char *text;
	int r;

	cr_assert(eq(int, report_check(o), 0));
	text = render(report_text, o, &r);
	cr_assert(eq(int, r, 0));
	cr_assert(strstr(text, "3 notifications in ") == text, "%s", text);
	cr_assert(strstr(text, "targets: 2 now, 5 since start\n") != NULL,
	    "%s", text);
	cr_assert(strstr(text, "\ncontinue            2\n") != NULL, "%s", text);
	cr_assert(strstr(text, "\nerrno               1 ") != NULL, "%s", text);
	cr_assert(strstr(text, "calls: openat 3\n") != NULL, "%s", text);
	cr_assert(strstr(text, "2 rules loaded\n") != NULL, "%s", text);
	/* Loaded rules are listed even before their first hit. */
	cr_assert(strstr(text, "rule hits: hit 1 unhit 0\n") != NULL, "%s",
	    text);
	free(text);
	json_object_put(o);
}

/* Without facts (run --stats) there are no targets or loaded rules. */
Test(report, json_without_facts)
{
	struct json_object *o = report_json(NULL), *x;

	cr_assert(eq(int, report_check(o), 0));
	cr_assert(not(json_object_object_get_ex(o, "targets", &x)));
	cr_assert(not(json_object_object_get_ex(o, "rules", &x)));
	json_object_put(o);
}

/* Value of the sample line that starts with prefix, or -1. */
static long long
sample(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);

	while ((p = strstr(p, prefix)) != NULL) {
		if (p == text || p[-1] == '\n')
			return atoll(p + n);
		p += n;
	}
	return -1;
}

Test(report, prometheus_families_and_histograms)
{
	struct report_facts facts = { 2, 5, &set };
	struct json_object *o = report_json(&facts);
	const char *p;
	long long prev = 0, v;
	char *text;
	char label[128];
	int r, lines = 0;

	text = render(report_prometheus, o, &r);
	cr_assert(eq(int, r, 0));
	cr_assert(strstr(text, "# TYPE unotifyd_answers_total counter\n")
	    != NULL);
	cr_assert(strstr(text, "# TYPE unotifyd_answer_latency_seconds "
	    "histogram\n") != NULL);
	cr_assert(eq(i64, sample(text,
	    "unotifyd_answers_total{kind=\"continue\"} "), 2));
	cr_assert(eq(i64, sample(text,
	    "unotifyd_rule_hits_total{rule=\"hit\"} "), 1));
	cr_assert(eq(i64, sample(text,
	    "unotifyd_rule_hits_total{rule=\"unhit\"} "), 0));
	snprintf(label, sizeof(label), "unotifyd_calls_total{call=\"openat\","
	    "arch=\"%s\"} ", syscalls_arch_label(syscalls_native_arch()));
	cr_assert(eq(i64, sample(text, label), 3));
	cr_assert(eq(i64, sample(text, "unotifyd_targets "), 2));
	/* Buckets are cumulative, end at +Inf = _count, le in seconds. */
	cr_assert(ge(i64, sample(text, "unotifyd_answer_latency_seconds_bucket"
	    "{kind=\"continue\",le=\"1.024e-06\"} "), 0));
	for (p = text; (p = strstr(p, "_bucket{kind=\"continue\",le=\"")) !=
	    NULL; p++) {
		v = atoll(strchr(p, '}') + 2);
		cr_assert(ge(i64, v, prev), "not cumulative at %.60s", p);
		prev = v;
		lines++;
	}
	cr_assert(eq(int, lines, 26), "%d buckets", lines);
	/* Continues are timed one in STATS_SAMPLE: none of these two. */
	cr_assert(eq(i64, prev, 0));
	cr_assert(eq(i64, sample(text, "unotifyd_answer_latency_seconds_count"
	    "{kind=\"continue\"} "), 0));
	cr_assert(eq(i64, sample(text, "unotifyd_answer_latency_seconds_count"
	    "{kind=\"errno\"} "), 1));
	cr_assert(strstr(text, "le=\"0.001048576\"") != NULL);
	free(text);
	json_object_put(o);
}

/* The client trusts nothing it reads from a socket. */
Test(report, malformed_reports_rejected)
{
	static const char *const bad[] = {
		"[]",
		"{}",
		"{\"version\": 2}",
		NULL
	};
	struct json_object *o, *answers, *k;
	char *text;
	size_t i;
	int r;

	for (i = 0; bad[i] != NULL; i++) {
		o = json_tokener_parse(bad[i]);
		cr_assert(eq(int, report_check(o), -EINVAL), "%s", bad[i]);
		text = render(report_prometheus, o, &r);
		cr_assert(eq(int, r, -EINVAL));
		cr_assert(eq(str, text, ""));
		free(text);
		json_object_put(o);
	}
	/* A negative count, a short histogram, a string for a number. */
	o = report_json(NULL);
	json_object_object_add(o, "notifications", json_object_new_int(-1));
	cr_assert(eq(int, report_check(o), -EINVAL));
	json_object_put(o);
	o = report_json(NULL);
	json_object_object_get_ex(o, "answers", &answers);
	json_object_object_get_ex(answers, "redirect", &k);
	json_object_object_add(k, "latency_log2_ns", json_object_new_array());
	cr_assert(eq(int, report_check(o), -EINVAL));
	json_object_put(o);
	o = report_json(NULL);
	json_object_object_add(o, "listeners", json_object_new_string("1"));
	cr_assert(eq(int, report_check(o), -EINVAL));
	json_object_put(o);
	o = report_json(NULL);
	json_object_object_add(o, "calls", json_object_new_string("x"));
	cr_assert(eq(int, report_check(o), -EINVAL));
	json_object_put(o);
}

/* Label values are escaped: a rule name may hold anything INI allows. */
Test(report, prometheus_label_escaping)
{
	struct rule odd;
	struct json_object *o;
	char *text;
	int r;

	memset(&odd, 0, sizeof(odd));
	odd.name = "say \"hi\" \\ o/";
	stats_rule(&odd);
	o = report_json(NULL);
	text = render(report_prometheus, o, &r);
	cr_assert(eq(int, r, 0));
	cr_assert(strstr(text, "unotifyd_rule_hits_total{rule=\"say \\\"hi\\\" "
	    "\\\\ o/\"} 1\n") != NULL, "%s", text);
	free(text);
	json_object_put(o);
}
