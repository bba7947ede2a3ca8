/* SPDX-License-Identifier: MIT */
/* End-to-end: `unotifyd status` against a running daemon (text, JSON,
 * Prometheus checked by promtool), run --stats, --log FILE and exec -v. */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <json-c/json.h>

#include "e2e.h"
#include "fdpass.h"
#include "proto.h"

TestSuite(e2e_status, .init = e2e_setup, .fini = e2e_teardown,
    .timeout = TEST_LIMIT(30));

/* A daemon on <tmp>/sock with rules, ready once status answers. */
static void
daemon_start(struct e2e_proc *p, const char *rules, const char *log)
{
	const char *sock = e2e_path("sock");
	struct timespec pause = { 0, 20000000 };
	struct e2e_result r;
	int i;

	e2e_spawn(p, log != NULL ? E2E_ARGV(e2e_unotifyd(), "serve",
	    "--socket", sock, "-r", rules, "--log", log) :
	    E2E_ARGV(e2e_unotifyd(), "serve", "--socket", sock, "-r", rules),
	    E2E_ARGV("NOTIFY_SOCKET", "JOURNAL_STREAM", "LISTEN_FDS",
	    "LISTEN_PID", "WATCHDOG_USEC"), e2e_dir());
	for (i = 0; i < 500; i++) {
		if (e2e_exists(sock)) {
			e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "status",
			    "--socket", sock), NULL, e2e_dir());
			e2e_result_free(&r);
			if (r.code == 0)
				return;
		}
		nanosleep(&pause, NULL);
	}
	cr_fatal("the daemon did not answer status within 10 s");
}

static void
daemon_stop(struct e2e_proc *p, struct e2e_result *r)
{
	cr_assert(eq(int, kill(p->pid, SIGTERM), 0));
	e2e_wait(p, r, E2E_TIMEOUT_MS);
	cr_assert(not(r->timed_out));
	cr_assert(eq(int, r->code, 0), "daemon stderr: %s", r->err);
}

static void
status(struct e2e_result *r, const char *format)
{
	e2e_run(r, format != NULL ? E2E_ARGV(e2e_unotifyd(), "status",
	    "--socket", e2e_path("sock"), format) : E2E_ARGV(e2e_unotifyd(),
	    "status", "--socket", e2e_path("sock")), NULL, e2e_dir());
	cr_assert(eq(int, r->code, 0), "status %s: stderr: %s",
	    format != NULL ? format : "", r->err);
}

static const char *
rules(void)
{
	e2e_write(e2e_path("dst"), "from dst\n", 0644);
	return e2e_rules("rules.ini", e2e_fmt(
	    "[to-dst]\npath = %s\naction = redirect\ntarget = %s\n"
	    "[deny]\npath = %s\naction = errno\nerrno = EACCES\n"
	    "[say \"hi\" \\ o/]\npath = %s\naction = continue\n",
	    e2e_path("src"), e2e_path("dst"), e2e_path("denied"),
	    e2e_path("never")));
}

/* What each answer kind counts, as the daemon reports it. */
static long long
answers(struct json_object *o, const char *kind)
{
	struct json_object *a, *k, *c;

	cr_assert(json_object_object_get_ex(o, "answers", &a));
	cr_assert(json_object_object_get_ex(a, kind, &k));
	cr_assert(json_object_object_get_ex(k, "count", &c));
	return json_object_get_int64(c);
}

static long long
hits(struct json_object *o, const char *rule)
{
	struct json_object *arr, *e, *x;
	size_t i;

	cr_assert(json_object_object_get_ex(o, "rule_hits", &arr));
	for (i = 0; i < json_object_array_length(arr); i++) {
		e = json_object_array_get_idx(arr, i);
		json_object_object_get_ex(e, "rule", &x);
		if (strcmp(json_object_get_string(x), rule) == 0) {
			json_object_object_get_ex(e, "hits", &x);
			return json_object_get_int64(x);
		}
	}
	return -1;
}

Test(e2e_status, daemon_counts_what_it_answers, .timeout = TEST_LIMIT(30))
{
	struct e2e_proc p;
	struct e2e_result r, d;
	struct json_object *o, *x;
	int i;

	daemon_start(&p, rules(), NULL);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "exec", "--socket",
	    e2e_path("sock"), "--", "sh", "-c", e2e_fmt("cat %s; cat %s; "
	    "exit 0", e2e_path("src"), e2e_path("denied"))), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "from dst\n"));
	cr_assert(e2e_has(r.err, "Permission denied"), "stderr: %s", r.err);
	e2e_result_free(&r);

	status(&r, "--json");
	o = json_tokener_parse(r.out);
	cr_assert(o != NULL, "not JSON: %s", r.out);
	cr_assert(ge(i64, answers(o, "redirect"), 1));
	cr_assert(ge(i64, answers(o, "errno"), 1));
	cr_assert(ge(i64, answers(o, "continue"), 1));
	cr_assert(eq(i64, hits(o, "to-dst"), 1));
	cr_assert(eq(i64, hits(o, "deny"), 1));
	cr_assert(eq(i64, hits(o, "say \"hi\" \\ o/"), 0));
	cr_assert(json_object_object_get_ex(o, "targets_total", &x));
	cr_assert(eq(i64, json_object_get_int64(x), 1));
	cr_assert(json_object_object_get_ex(o, "rules", &x));
	cr_assert(eq(i64, json_object_get_int64(x), 3));
	json_object_put(o);
	e2e_result_free(&r);

	/* Before Linux 6.11 the daemon looks every 0.25 s whether a
	 * target is gone. */
	for (i = 0;; i++) {
		status(&r, NULL);
		if (e2e_has(r.out, "targets: 0 now, 1 since start\n") ||
		    i == 200)
			break;
		e2e_result_free(&r);
		usleep(10000);
	}
	cr_assert(e2e_has(r.out, "targets: 0 now, 1 since start\n"), "%s",
	    r.out);
	cr_assert(e2e_has(r.out, "rule hits: deny 1 say \"hi\" \\ o/ 0 "
	    "to-dst 1\n"), "%s", r.out);
	e2e_result_free(&r);
	daemon_stop(&p, &d);
	e2e_result_free(&d);
}

Test(e2e_status, prometheus_text_passes_promtool, .timeout = TEST_LIMIT(30))
{
	const char *file = e2e_path("metrics.txt");
	struct e2e_proc p;
	struct e2e_result r, d;

	daemon_start(&p, rules(), NULL);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "exec", "--socket",
	    e2e_path("sock"), "--", "cat", e2e_path("src")), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	e2e_result_free(&r);
	status(&r, "--prometheus");
	e2e_write(file, r.out, 0644);
	cr_assert(e2e_has(r.out, "\nunotifyd_rule_hits_total{rule=\"to-dst\"} "
	    "1\n"), "%s", r.out);
	cr_assert(e2e_has(r.out, "\nunotifyd_answers_total{kind=\"redirect\"} "
	    "1\n"), "%s", r.out);
	cr_assert(e2e_has(r.out, "\nunotifyd_targets_started_total 1\n"),
	    "%s", r.out);
	e2e_result_free(&r);
	daemon_stop(&p, &d);
	e2e_result_free(&d);
	e2e_run(&r, E2E_ARGV("sh", "-c", "command -v promtool"), NULL,
	    e2e_dir());
	if (r.code != 0) {
		e2e_result_free(&r);
		cr_skip_test("promtool not installed (Debian package "
		    "prometheus; `make check-prometheus` installs it)");
	}
	e2e_result_free(&r);
	e2e_run(&r, E2E_ARGV("sh", "-c", e2e_fmt("promtool check metrics "
	    "<'%s'", file)), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "promtool: %s%s", r.out, r.err);
	/* It lints too: a clean exposition has nothing to say. */
	cr_assert(eq(str, r.err, ""), "promtool: %s", r.err);
	e2e_result_free(&r);
}

/* A status request that is not exactly one is dropped, fds and all; the
 * daemon serves on. */
static void
bad_request(const char *data, size_t len, int withfd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[64];
	ssize_t n;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", e2e_path("sock"));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(fd >= 0);
	cr_assert(eq(int, connect(fd, (struct sockaddr *)&sun, sizeof(sun)),
	    0));
	cr_assert(eq(int, fdpass_send(fd, withfd ? 0 : -1, data, len), 0));
	n = read(fd, buf, sizeof(buf));
	cr_assert(le(i64, n, 0), "the daemon answered %zd bytes", n);
	close(fd);
}

Test(e2e_status, malformed_requests_dropped, .timeout = TEST_LIMIT(30))
{
	struct proto_hello req = { .version = PROTO_VERSION };
	char twice[2 * sizeof(req)];
	struct e2e_proc p;
	struct e2e_result r, d;

	daemon_start(&p, rules(), NULL);
	memcpy(req.magic, PROTO_STATUS_MAGIC, sizeof(req.magic));
	bad_request((char *)&req, sizeof(req), 1);
	memcpy(twice, &req, sizeof(req));
	memcpy(twice + sizeof(req), &req, sizeof(req));
	bad_request(twice, sizeof(twice), 0);
	req.version = PROTO_VERSION + 1;
	bad_request((char *)&req, sizeof(req), 0);
	req.version = PROTO_VERSION;
	req.reserved = 1;
	bad_request((char *)&req, sizeof(req), 0);
	status(&r, NULL);
	e2e_result_free(&r);
	daemon_stop(&p, &d);
	cr_assert(e2e_has(d.err, "malformed status request; connection "
	    "dropped"), "daemon: %s", d.err);
	e2e_result_free(&d);
}

Test(e2e_status, no_daemon, .timeout = TEST_LIMIT(30))
{
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "status", "--socket",
	    e2e_path("nosock")), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 1));
	cr_assert(e2e_has(r.err, e2e_fmt("cannot reach the daemon at %s: No "
	    "such file or directory", e2e_path("nosock"))), "%s", r.err);
	e2e_result_free(&r);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "status", "--json",
	    "--prometheus"), NULL, e2e_dir());
	cr_assert(ne(int, r.code, 0));
	cr_assert(e2e_has(r.err, "exclude each other"), "%s", r.err);
	e2e_result_free(&r);
}

Test(e2e_status, run_stats_summary, .timeout = TEST_LIMIT(30))
{
	struct e2e_result r;

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--stats", "-r", rules(),
	    "--", "sh", "-c", e2e_fmt("cat %s; cat %s 2>/dev/null; true",
	    e2e_path("src"), e2e_path("denied"))), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.out, "from dst\n"));
	cr_assert(e2e_has(r.err, "unotifyd: --stats: "), "%s", r.err);
	cr_assert(e2e_has(r.err, "\nredirect            1 "), "%s", r.err);
	cr_assert(e2e_has(r.err, "\nerrno               1 "), "%s", r.err);
	cr_assert(e2e_has(r.err, "rule hits: deny 1 to-dst 1\n"), "%s",
	    r.err);
	e2e_result_free(&r);
}

/* With --log FILE, decisions go to the file and the command's stderr is
 * its own. */
Test(e2e_status, log_file_keeps_stderr_clean, .timeout = TEST_LIMIT(30))
{
	const char *log = e2e_path("decisions.log");
	struct e2e_result r;
	char *text;

	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-v", "--log", log, "-r",
	    rules(), "--", "sh", "-c", e2e_fmt("printf 'part'>&2; cat %s; "
	    "printf 'line\\n' >&2", e2e_path("src"))), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0), "stderr: %s", r.err);
	cr_assert(eq(str, r.err, "partline\n"));
	e2e_result_free(&r);
	text = e2e_read(log);
	cr_assert(text != NULL);
	cr_assert(e2e_has(text, "Z unotifyd: tid="), "%s", text);
	cr_assert(e2e_has(text, e2e_fmt("\"%s\" rule=to-dst: redirect %s fd ",
	    e2e_path("src"), e2e_path("dst"))), "%s", text);
	cr_assert(e2e_has(text, "unotifyd: command exited with status 0\n"),
	    "%s", text);
	free(text);

	/* "-" is stderr; a log that cannot be opened stops everything. */
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "-v", "--log", "-", "-r",
	    rules(), "--", "true"), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 0));
	cr_assert(e2e_has(r.err, "unotifyd: command exited with status 0\n"),
	    "%s", r.err);
	e2e_result_free(&r);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "run", "--log",
	    e2e_path("no/such/dir/log"), "--", "true"), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 125));
	cr_assert(e2e_has(r.err, "No such file or directory"), "%s", r.err);
	e2e_result_free(&r);
}

/* exec -v says what the client does; serve --log writes the daemon's. */
Test(e2e_status, exec_verbose_and_serve_log, .timeout = TEST_LIMIT(30))
{
	const char *slog = e2e_path("serve.log"), *clog = e2e_path("exec.log");
	struct e2e_proc p;
	struct e2e_result r, d;
	char *text;

	daemon_start(&p, rules(), slog);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "exec", "-v", "--socket",
	    e2e_path("sock"), "--", "sh", "-c", "exit 3"), NULL, e2e_dir());
	cr_assert(eq(int, r.code, 3), "stderr: %s", r.err);
	cr_assert(e2e_has(r.err, e2e_fmt("unotifyd: connected to the daemon "
	    "at %s\n", e2e_path("sock"))), "%s", r.err);
	cr_assert(e2e_has(r.err, "unotifyd: the daemon's rules notify: open "),
	    "%s", r.err);
	cr_assert(e2e_has(r.err, ": sh started; handing its listener over\n"),
	    "%s", r.err);
	cr_assert(e2e_has(r.err, ": the daemon supervises it\n"), "%s", r.err);
	cr_assert(e2e_has(r.err, ": exited with status 3\n"), "%s", r.err);
	e2e_result_free(&r);
	e2e_run(&r, E2E_ARGV(e2e_unotifyd(), "exec", "-v", "--log", clog,
	    "--socket", e2e_path("sock"), "--", "sh", "-c", "kill -KILL $$"),
	    NULL, e2e_dir());
	cr_assert(eq(int, r.code, 137), "stderr: %s", r.err);
	cr_assert(eq(str, r.err, ""));
	e2e_result_free(&r);
	text = e2e_read(clog);
	cr_assert(text != NULL && e2e_has(text, ": killed by signal 9 "
	    "(Killed)\n"), "%s", text);
	free(text);
	daemon_stop(&p, &d);
	cr_assert(eq(str, d.err, ""), "daemon stderr: %s", d.err);
	e2e_result_free(&d);
	text = e2e_read(slog);
	cr_assert(text != NULL && e2e_has(text, "Z unotifyd: ready: 3 rules\n"),
	    "%s", text);
	free(text);
}
