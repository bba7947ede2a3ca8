/* SPDX-License-Identifier: MIT */
/* The counters as JSON, and that JSON as a summary or as Prometheus text. */
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "rules.h"
#include "stats.h"
#include "syscalls.h"
#include "util.h"
#include "worker.h"

/* Histogram buckets shown by Prometheus: le = 2^i ns for these i (1 us to
 * 17 s); finer and coarser ones fold into the first and +Inf. */
#define REPORT_LE_FIRST	10
#define REPORT_LE_LAST	34

static const char *
report_arch_name(int a)
{
	const char *label = syscalls_arch_label(stats_arch(a));

	return label != NULL ? label : "?";
}

static void
report_add_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

/* Rule names hit so far, merged with the loaded ones (0 hits). */
struct report_hits {
	struct json_object	*obj;		/* name -> hits */
};

static void
report_hit_cb(const char *name, uint64_t hits, void *arg)
{
	struct report_hits *h = arg;

	report_add_int(h->obj, name, (int64_t)hits);
}

static int
report_name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The hits as an array sorted by rule name. */
static struct json_object *
report_hits_json(const struct rule_set *rules)
{
	struct report_hits h = { json_object_new_object() };
	struct json_object *arr = json_object_new_array(), *e, *v;
	const char **names;
	size_t i, n = 0;

	stats_rules_each(report_hit_cb, &h);
	for (i = 0; rules != NULL && i < rules->n; i++)
		if (!json_object_object_get_ex(h.obj, rules->v[i].name, NULL))
			report_add_int(h.obj, rules->v[i].name, 0);
	names = xreallocarray(NULL, json_object_object_length(h.obj) + 1,
	    sizeof(*names));
	json_object_object_foreach(h.obj, key, val) {
		(void)val;
		names[n++] = key;
	}
	qsort(names, n, sizeof(*names), report_name_cmp);
	for (i = 0; i < n; i++) {
		json_object_object_get_ex(h.obj, names[i], &v);
		e = json_object_new_object();
		json_object_object_add(e, "rule",
		    json_object_new_string(names[i]));
		report_add_int(e, "hits", json_object_get_int64(v));
		json_object_array_add(arr, e);
	}
	free(names);
	json_object_put(h.obj);
	return arr;
}

struct json_object *
report_json(const struct report_facts *f)
{
	struct stats_snapshot *s = xmalloc(sizeof(*s));
	struct json_object *o = json_object_new_object(), *answers, *k, *b;
	struct json_object *calls, *c, *w;
	unsigned long jobs;
	int kind, i, a, threads, busy;
	const char *name;

	stats_snapshot(s);
	report_add_int(o, "version", REPORT_VERSION);
	json_object_object_add(o, "uptime_seconds",
	    json_object_new_double(s->uptime));
	report_add_int(o, "notifications", (int64_t)s->notifications);
	report_add_int(o, "answers_gone", (int64_t)s->gone);
	report_add_int(o, "listeners", s->listeners);
	if (f != NULL && f->targets >= 0)
		report_add_int(o, "targets", f->targets);
	if (f != NULL && f->targets_total >= 0)
		report_add_int(o, "targets_total", f->targets_total);
	if (f != NULL && f->rules != NULL)
		report_add_int(o, "rules", (int64_t)f->rules->n);
	worker_occupancy(&threads, &busy, &jobs);
	w = json_object_new_object();
	report_add_int(w, "threads", threads);
	report_add_int(w, "busy", busy);
	report_add_int(w, "jobs", (int64_t)jobs);
	json_object_object_add(o, "workers", w);

	answers = json_object_new_object();
	for (kind = 0; kind < STATS_KINDS; kind++) {
		k = json_object_new_object();
		report_add_int(k, "count", (int64_t)s->answers[kind]);
		report_add_int(k, "timed", (int64_t)s->timed[kind]);
		json_object_object_add(k, "sum_seconds",
		    json_object_new_double(s->sum_ns[kind] / 1e9));
		b = json_object_new_array_ext(STATS_BUCKETS);
		for (i = 0; i < STATS_BUCKETS; i++)
			json_object_array_add(b, json_object_new_int64(
			    (int64_t)s->buckets[kind][i]));
		json_object_object_add(k, "latency_log2_ns", b);
		json_object_object_add(answers, stats_kind_name(kind), k);
	}
	json_object_object_add(o, "answers", answers);

	calls = json_object_new_array();
	for (a = 0; a < STATS_ARCHES; a++)
		for (i = 0; i < STATS_NRS; i++) {
			if (s->calls[a][i] == 0)
				continue;
			c = json_object_new_object();
			name = syscalls_arch_name(stats_arch(a), i);
			if (name != NULL)
				json_object_object_add(c, "call",
				    json_object_new_string(name));
			else
				json_object_object_add(c, "call",
				    json_object_new_string_len("?", 1));
			json_object_object_add(c, "arch",
			    json_object_new_string(report_arch_name(a)));
			report_add_int(c, "nr", i);
			report_add_int(c, "count", (int64_t)s->calls[a][i]);
			json_object_array_add(calls, c);
		}
	json_object_object_add(o, "calls", calls);
	report_add_int(o, "calls_other", (int64_t)s->calls_other);
	json_object_object_add(o, "rule_hits",
	    report_hits_json(f != NULL ? f->rules : NULL));
	report_add_int(o, "rule_hits_other", (int64_t)s->rules_other);
	free(s);
	return o;
}

/* --- Reading a report back (from the daemon: checked, never trusted) --- */

struct report {
	double			 uptime;
	int64_t			 notifications, gone, listeners;
	int64_t			 targets, targets_total, rules;	/* -1: absent */
	int64_t			 threads, busy, jobs;
	int64_t			 count[STATS_KINDS], timed[STATS_KINDS];
	double			 sum[STATS_KINDS];
	int64_t			 buckets[STATS_KINDS][STATS_BUCKETS];
	struct json_object	*calls, *hits;
	int64_t			 calls_other, hits_other;
};

static int
report_get(struct json_object *o, const char *key, json_type type,
    struct json_object **out)
{
	if (!json_object_object_get_ex(o, key, out) ||
	    !json_object_is_type(*out, type))
		return -EINVAL;
	return 0;
}

static int
report_get_int(struct json_object *o, const char *key, int64_t *v,
    int optional)
{
	struct json_object *x;

	if (optional && !json_object_object_get_ex(o, key, NULL)) {
		*v = -1;
		return 0;
	}
	if (report_get(o, key, json_type_int, &x) < 0 ||
	    (*v = json_object_get_int64(x)) < 0)
		return -EINVAL;
	return 0;
}

static int
report_get_double(struct json_object *o, const char *key, double *v)
{
	struct json_object *x;

	if (!json_object_object_get_ex(o, key, &x) ||
	    !(json_object_is_type(x, json_type_double) ||
	    json_object_is_type(x, json_type_int)) ||
	    (*v = json_object_get_double(x)) < 0)
		return -EINVAL;
	return 0;
}

/* Every entry of an array of objects has these string and int keys. */
static int
report_check_entries(struct json_object *arr, const char *skey,
    const char *ikey)
{
	struct json_object *e, *x;
	size_t i;
	int64_t v;

	for (i = 0; i < json_object_array_length(arr); i++) {
		e = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(e, json_type_object) ||
		    report_get(e, skey, json_type_string, &x) < 0 ||
		    report_get_int(e, ikey, &v, 0) < 0)
			return -EINVAL;
	}
	return 0;
}

static int
report_read(struct json_object *o, struct report *r)
{
	struct json_object *answers, *k, *b, *w;
	int64_t version;
	int kind, i;

	memset(r, 0, sizeof(*r));
	if (!json_object_is_type(o, json_type_object) ||
	    report_get_int(o, "version", &version, 0) < 0 ||
	    version != REPORT_VERSION ||
	    report_get_double(o, "uptime_seconds", &r->uptime) < 0 ||
	    report_get_int(o, "notifications", &r->notifications, 0) < 0 ||
	    report_get_int(o, "answers_gone", &r->gone, 0) < 0 ||
	    report_get_int(o, "listeners", &r->listeners, 0) < 0 ||
	    report_get_int(o, "targets", &r->targets, 1) < 0 ||
	    report_get_int(o, "targets_total", &r->targets_total, 1) < 0 ||
	    report_get_int(o, "rules", &r->rules, 1) < 0 ||
	    report_get(o, "workers", json_type_object, &w) < 0 ||
	    report_get_int(w, "threads", &r->threads, 0) < 0 ||
	    report_get_int(w, "busy", &r->busy, 0) < 0 ||
	    report_get_int(w, "jobs", &r->jobs, 0) < 0 ||
	    report_get(o, "answers", json_type_object, &answers) < 0 ||
	    report_get(o, "calls", json_type_array, &r->calls) < 0 ||
	    report_check_entries(r->calls, "call", "count") < 0 ||
	    report_get_int(o, "calls_other", &r->calls_other, 0) < 0 ||
	    report_get(o, "rule_hits", json_type_array, &r->hits) < 0 ||
	    report_check_entries(r->hits, "rule", "hits") < 0 ||
	    report_get_int(o, "rule_hits_other", &r->hits_other, 0) < 0)
		return -EINVAL;
	for (kind = 0; kind < STATS_KINDS; kind++) {
		if (report_get(answers, stats_kind_name(kind), json_type_object,
		    &k) < 0 ||
		    report_get_int(k, "count", &r->count[kind], 0) < 0 ||
		    report_get_int(k, "timed", &r->timed[kind], 0) < 0 ||
		    report_get_double(k, "sum_seconds", &r->sum[kind]) < 0 ||
		    report_get(k, "latency_log2_ns", json_type_array, &b) < 0 ||
		    json_object_array_length(b) != STATS_BUCKETS)
			return -EINVAL;
		for (i = 0; i < STATS_BUCKETS; i++) {
			struct json_object *x = json_object_array_get_idx(b, i);

			if (!json_object_is_type(x, json_type_int) ||
			    (r->buckets[kind][i] = json_object_get_int64(x)) <
			    0)
				return -EINVAL;
		}
	}
	return 0;
}

int
report_check(struct json_object *o)
{
	struct report r;

	return report_read(o, &r);
}

static const char *
report_str(struct json_object *e, const char *key)
{
	struct json_object *x;

	json_object_object_get_ex(e, key, &x);
	return json_object_get_string(x);
}

static int64_t
report_int(struct json_object *e, const char *key)
{
	struct json_object *x;

	json_object_object_get_ex(e, key, &x);
	return json_object_get_int64(x);
}

/* --- For people --- */

/* "2 rules", "1 rule". */
static const char *
report_n(int64_t n, const char *one, const char *many, char *buf, size_t len)
{
	snprintf(buf, len, "%lld %s", (long long)n, n == 1 ? one : many);
	return buf;
}

/* A duration of ns nanoseconds, 3 significant digits. */
static const char *
report_duration(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3g us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3g ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3g s", ns / 1e9);
	return buf;
}

/* The bucket bound below which a fraction q of the timed answers fall. */
static double
report_quantile(const int64_t *buckets, int64_t timed, double q)
{
	int64_t seen = 0;
	int i;

	for (i = 0; i < STATS_BUCKETS; i++) {
		seen += buckets[i];
		if (seen > 0 && seen >= q * timed)
			return (double)(2ULL << i);
	}
	return (double)(2ULL << (STATS_BUCKETS - 1));
}

int
report_text(struct json_object *o, FILE *f)
{
	char a[64], b[64], c[64], d[64], e[64];
	struct report r;
	size_t i, n;
	int kind;

	if (report_read(o, &r) < 0)
		return -EINVAL;
	fprintf(f, "%s in %s; %s open\n",
	    report_n(r.notifications, "notification", "notifications", a,
	    sizeof(a)), report_duration(r.uptime * 1e9, c, sizeof(c)),
	    report_n(r.listeners, "listener", "listeners", b, sizeof(b)));
	if (r.targets >= 0)
		fprintf(f, "targets: %lld now, %lld since start\n",
		    (long long)r.targets, (long long)r.targets_total);
	fprintf(f, "%-10s %10s %10s %10s %10s %10s\n", "answers", "count",
	    "mean", "p50 <=", "p99 <=", "max <=");
	for (kind = 0; kind < STATS_KINDS; kind++) {
		if (r.timed[kind] == 0) {
			fprintf(f, "%-10s %10lld\n", stats_kind_name(kind),
			    (long long)r.count[kind]);
			continue;
		}
		fprintf(f, "%-10s %10lld %10s %10s %10s %10s\n",
		    stats_kind_name(kind), (long long)r.count[kind],
		    report_duration(r.sum[kind] * 1e9 / r.timed[kind], b,
		    sizeof(b)),
		    report_duration(report_quantile(r.buckets[kind],
		    r.timed[kind], 0.5), c, sizeof(c)),
		    report_duration(report_quantile(r.buckets[kind],
		    r.timed[kind], 0.99), d, sizeof(d)),
		    report_duration(report_quantile(r.buckets[kind],
		    r.timed[kind], 1), e, sizeof(e)));
	}
	if (r.gone > 0)
		fprintf(f, "%s: interrupted by a signal or their task gone\n",
		    report_n(r.gone, "call not answered",
		    "calls not answered", a, sizeof(a)));
	n = json_object_array_length(r.calls);
	fprintf(f, "calls:%s", n == 0 && r.calls_other == 0 ? " none" : "");
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(r.calls, i);
		const char *arch = report_str(x, "arch");
		/* The build's own arch goes untagged, as in -v lines. */
		int tag = arch != NULL && strcmp(arch, report_arch_name(0)) != 0;

		fprintf(f, " %s%s%s %lld", report_str(x, "call"),
		    tag ? "/" : "", tag ? arch : "",
		    (long long)report_int(x, "count"));
	}
	if (r.calls_other > 0)
		fprintf(f, " other %lld", (long long)r.calls_other);
	fputc('\n', f);
	n = json_object_array_length(r.hits);
	if (r.rules >= 0)
		fprintf(f, "%s loaded\n", report_n(r.rules, "rule", "rules", a,
		    sizeof(a)));
	fprintf(f, "rule hits:%s", n == 0 ? " none" : "");
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(r.hits, i);

		fprintf(f, " %s %lld", report_str(x, "rule"),
		    (long long)report_int(x, "hits"));
	}
	if (r.hits_other > 0)
		fprintf(f, " (more rules: %lld)", (long long)r.hits_other);
	fputc('\n', f);
	fprintf(f, "workers: %s, %lld busy, %s\n",
	    report_n(r.threads, "thread", "threads", a, sizeof(a)),
	    (long long)r.busy, report_n(r.jobs, "job", "jobs", b, sizeof(b)));
	return 0;
}

/* --- For Prometheus --- */

/* A label value: backslash, double quote and newline escaped. */
static void
report_label(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void
report_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP unotifyd_%s %s\n# TYPE unotifyd_%s %s\n", name, help,
	    name, type);
}

static void
report_metric(FILE *f, const char *name, const char *type, const char *help,
    double v)
{
	report_family(f, name, type, help);
	fprintf(f, "unotifyd_%s %.10g\n", name, v);
}

int
report_prometheus(struct json_object *o, FILE *f)
{
	struct report r;
	int64_t cum;
	size_t i, n;
	int kind, b;

	if (report_read(o, &r) < 0)
		return -EINVAL;
	report_metric(f, "uptime_seconds", "gauge",
	    "Seconds since the daemon started counting.", r.uptime);
	report_metric(f, "notifications_total", "counter",
	    "Notifications received from seccomp listeners.",
	    (double)r.notifications);
	report_family(f, "answers_total", "counter",
	    "Notifications answered, by kind: continue (the kernel runs the "
	    "call), errno, redirect (a file installed, or the call run on its "
	    "rewritten path), emulated (a result computed for a redirected "
	    "path), failed (a redirect answered with an errno).");
	for (kind = 0; kind < STATS_KINDS; kind++)
		fprintf(f, "unotifyd_answers_total{kind=\"%s\"} %lld\n",
		    stats_kind_name(kind), (long long)r.count[kind]);
	report_metric(f, "answers_gone_total", "counter",
	    "Answers the kernel refused: the call was interrupted by a "
	    "signal or its task is gone.", (double)r.gone);
	report_family(f, "answer_latency_seconds", "histogram",
	    "Time from receiving a notification to answering it, by kind.");
	for (kind = 0; kind < STATS_KINDS; kind++) {
		cum = 0;
		for (b = 0; b < REPORT_LE_FIRST - 1; b++)
			cum += r.buckets[kind][b];
		for (b = REPORT_LE_FIRST - 1; b < REPORT_LE_LAST; b++) {
			cum += r.buckets[kind][b];
			fprintf(f, "unotifyd_answer_latency_seconds_bucket"
			    "{kind=\"%s\",le=\"%.10g\"} %lld\n",
			    stats_kind_name(kind), (double)(2ULL << b) / 1e9,
			    (long long)cum);
		}
		fprintf(f, "unotifyd_answer_latency_seconds_bucket{kind=\"%s\","
		    "le=\"+Inf\"} %lld\n", stats_kind_name(kind),
		    (long long)r.timed[kind]);
		fprintf(f, "unotifyd_answer_latency_seconds_sum{kind=\"%s\"} "
		    "%.9g\n", stats_kind_name(kind), r.sum[kind]);
		fprintf(f, "unotifyd_answer_latency_seconds_count{kind=\"%s\"} "
		    "%lld\n", stats_kind_name(kind), (long long)r.timed[kind]);
	}
	n = json_object_array_length(r.calls);
	report_family(f, "calls_total", "counter",
	    "Notifications by system call and architecture.");
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(r.calls, i);
		const char *arch = report_str(x, "arch");

		fputs("unotifyd_calls_total{call=\"", f);
		report_label(f, report_str(x, "call"));
		fputs("\",arch=\"", f);
		report_label(f, arch != NULL ? arch : "?");
		fprintf(f, "\"} %lld\n", (long long)report_int(x, "count"));
	}
	if (r.calls_other > 0)
		fprintf(f, "unotifyd_calls_total{call=\"other\",arch=\"other\"} "
		    "%lld\n", (long long)r.calls_other);
	n = json_object_array_length(r.hits);
	report_family(f, "rule_hits_total", "counter",
	    "Notifications a rule decided, by rule name (other: past the "
	    "names counted).");
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(r.hits, i);

		fputs("unotifyd_rule_hits_total{rule=\"", f);
		report_label(f, report_str(x, "rule"));
		fprintf(f, "\"} %lld\n", (long long)report_int(x, "hits"));
	}
	if (r.hits_other > 0)
		fprintf(f, "unotifyd_rule_hits_total{rule=\"other\"} %lld\n",
		    (long long)r.hits_other);
	report_metric(f, "listeners", "gauge",
	    "Seccomp listeners open now.", (double)r.listeners);
	if (r.targets >= 0)
		report_metric(f, "targets", "gauge",
		    "Targets supervised now.", (double)r.targets);
	if (r.targets_total >= 0)
		report_metric(f, "targets_started_total", "counter",
		    "Targets supervised since the daemon started.",
		    (double)r.targets_total);
	if (r.rules >= 0)
		report_metric(f, "rules", "gauge",
		    "Rules loaded (the default set).", (double)r.rules);
	report_metric(f, "worker_threads", "gauge",
	    "Threads in the pool for opens that may block.",
	    (double)r.threads);
	report_metric(f, "worker_threads_busy", "gauge",
	    "Of them, running a job now.", (double)r.busy);
	report_metric(f, "worker_jobs_total", "counter",
	    "Jobs handed to the pool.", (double)r.jobs);
	return 0;
}
