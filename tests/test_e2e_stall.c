/* SPDX-License-Identifier: MIT */
/*
 * Nothing one target does stalls another: a redirect into a FUSE file
 * system that never answers (tests/targets/hangfs), or onto a file someone
 * holds a lease on, blocks that target's call, while other targets of the
 * same daemon, or other processes of the same `run`, keep being answered,
 * and the daemon still accepts clients and stops when asked.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

/* Only a hang reaches these. */
#define STALL_WAIT_MS	TEST_LIMIT(10000)
/* Rounds of the other target's redirected reads. */
#define STALL_ROUNDS	"100"

static struct e2e_proc	stall_fs;	/* hangfs, if mounted */
static int		stall_mounted;

/* Unblock whatever hangs in the file system (killing its server aborts
 * the connection: ENOTCONN), then unmount it. */
static void
stall_fs_end(void)
{
	struct e2e_result r;

	if (!stall_mounted)
		return;
	stall_mounted = 0;
	kill(-stall_fs.pid, SIGKILL);
	e2e_wait(&stall_fs, &r, STALL_WAIT_MS);
	e2e_result_free(&r);
	umount2(e2e_path("mnt"), MNT_DETACH);
}

static void
stall_teardown(void)
{
	stall_fs_end();
	e2e_teardown();
}

TestSuite(e2e_stall, .init = e2e_setup, .fini = stall_teardown,
    .timeout = TEST_LIMIT(60));

/* Wait until file holds needle; fail the test after STALL_WAIT_MS. */
static void
stall_expect(const char *file, const char *needle)
{
	char *s = NULL;
	int waited;

	for (waited = 0; waited < STALL_WAIT_MS; waited += 10) {
		free(s);
		if (e2e_has(s = e2e_read(file), needle)) {
			free(s);
			return;
		}
		e2e_sleep_ms(10);
	}
	cr_fatal("%s never said '%s': %s", file, needle, s ? s : "(none)");
}

/* Mount hangfs on <tmp>/mnt (root and /dev/fuse, else skip). */
static void
stall_fs_start(void)
{
	if (geteuid() != 0)
		cr_skip_test("FUSE mounts need root");
	if (access("/dev/fuse", R_OK | W_OK) != 0)
		cr_skip_test("no /dev/fuse: %s", strerror(errno));
	e2e_mkdir(e2e_path("mnt"));
	e2e_spawn(&stall_fs, E2E_ARGV(e2e_target("hangfs"), e2e_path("mnt"),
	    e2e_path("fs.log")), NULL, e2e_dir());
	stall_mounted = 1;
	stall_expect(e2e_path("fs.log"), "mounted\n");
}

/* Rules: <tmp>/hung to dst (in the hung file system, or leased), <tmp>/src
 * to <tmp>/data. */
static const char *
stall_rules(const char *dst)
{
	e2e_write(e2e_path("data"), "data\n", 0644);
	return e2e_rules("stall.ini", e2e_fmt("[hung]\npath = %s\naction = "
	    "redirect\ntarget = %s\n\n[other]\npath = %s\naction = redirect\n"
	    "target = %s\n", e2e_path("hung"), dst, e2e_path("src"),
	    e2e_path("data")));
}

/* The other target's script: STALL_ROUNDS redirected reads of <tmp>/src,
 * then one printed. */
static const char *
stall_other_script(void)
{
	return e2e_fmt("i=0; while [ $i -lt %s ]; do cat '%s' >/dev/null || "
	    "exit 1; i=$((i + 1)); done; cat '%s'", STALL_ROUNDS,
	    e2e_path("src"), e2e_path("src"));
}

/* The daemon: `serve --socket <tmp>/sock -r rules`, logging to a file. */
static void
stall_serve(struct e2e_proc *d, const char *rules)
{
	e2e_spawn(d, E2E_ARGV("sh", "-c", "log=$1; shift; exec \"$0\" \"$@\" "
	    "2>\"$log\"", e2e_unotifyd(), e2e_path("serve.log"), "serve",
	    "--socket", e2e_path("sock"), "-r", rules), E2E_ARGV(
	    "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"),
	    e2e_dir());
	stall_expect(e2e_path("serve.log"), "unotifyd: ready: ");
}

/* `exec --socket <tmp>/sock -- argv...` in the background. */
static void
stall_exec(struct e2e_proc *p, const char *const cmd[])
{
	const char *argv[16] = { e2e_unotifyd(), "exec", "--socket",
	    e2e_path("sock"), "--" };
	size_t i;

	for (i = 0; cmd[i] != NULL && i + 6 < 16; i++)
		argv[i + 5] = cmd[i];
	argv[i + 5] = NULL;
	e2e_spawn(p, argv, NULL, e2e_dir());
}

/* While the hung target waits (it has not exited; NULL: none waits), another
 * target of the same daemon is served in full, and a new client still
 * connects. */
static void
stall_others_served(struct e2e_proc *d, struct e2e_proc *hung)
{
	struct e2e_result r;

	/* A new client, served in full. */
	e2e_run_timeout(&r, E2E_ARGV(e2e_unotifyd(), "exec", "--socket",
	    e2e_path("sock"), "--", "sh", "-c", stall_other_script()), NULL,
	    e2e_dir(), STALL_WAIT_MS);
	cr_assert(eq(int, r.code, 0), "the other target: exit %d: %s", r.code,
	    r.err);
	cr_assert(eq(str, r.out, "data\n"));
	e2e_result_free(&r);
	if (hung != NULL)
		cr_assert(not(e2e_wait_gone(hung->pid, 0)),
		    "the hung target finished early");
	cr_assert(not(e2e_wait_gone(d->pid, 0)), "the daemon died");
}

/* Release the hung call; the hung target then ends (its call failed or
 * went through), and the daemon stops cleanly on SIGTERM. */
static void
stall_finish(struct e2e_proc *d, struct e2e_proc *hung, void (*release)(void))
{
	struct e2e_result r;
	char *log;

	release();
	e2e_wait(hung, &r, STALL_WAIT_MS);
	cr_assert(not(r.timed_out), "the hung target stayed hung");
	e2e_result_free(&r);
	kill(d->pid, SIGTERM);
	e2e_wait(d, &r, STALL_WAIT_MS);
	log = e2e_read(e2e_path("serve.log"));
	cr_assert(not(r.timed_out), "the daemon ignored SIGTERM: %s", log);
	cr_assert(eq(int, r.code, 0), "the daemon exited %d: %s", r.code, log);
	free(log);
	e2e_result_free(&r);
}

Test(e2e_stall, serve_fuse_lookup_hangs_one_target)
{
	struct e2e_proc d, hung;

	stall_fs_start();
	stall_serve(&d, stall_rules(e2e_path("mnt/hang")));
	/* A stat of the redirect is emulated: the daemon's stat hangs. */
	stall_exec(&hung, E2E_ARGV("stat", e2e_path("hung")));
	stall_expect(e2e_path("fs.log"), "lookup hang\n");
	stall_others_served(&d, &hung);
	stall_finish(&d, &hung, stall_fs_end);
}

Test(e2e_stall, serve_fuse_open_hangs_one_target)
{
	struct e2e_proc d, hung;

	stall_fs_start();
	stall_serve(&d, stall_rules(e2e_path("mnt/file")));
	stall_exec(&hung, E2E_ARGV("cat", e2e_path("hung")));
	stall_expect(e2e_path("fs.log"), "open file\n");
	stall_others_served(&d, &hung);
	stall_finish(&d, &hung, stall_fs_end);
}

static struct e2e_proc stall_holder;

static void
stall_lease_end(void)
{
	struct e2e_result r;

	kill(-stall_holder.pid, SIGKILL);
	e2e_wait(&stall_holder, &r, STALL_WAIT_MS);
	e2e_result_free(&r);
}

/* A write lease on <tmp>/leased, held until stall_lease_end (root, or the
 * file's owner: the test's own file). */
static void
stall_lease(void)
{
	e2e_write(e2e_path("leased"), "leased\n", 0644);
	e2e_spawn(&stall_holder, E2E_ARGV("sh", "-c", e2e_fmt("exec '%s' "
	    "'%s' > '%s'", e2e_target("lease-hold"), e2e_path("leased"),
	    e2e_path("lease.log"))), NULL, e2e_dir());
	stall_expect(e2e_path("lease.log"), "held\n");
}

Test(e2e_stall, serve_lease_break_blocks_one_target)
{
	struct e2e_proc d, hung;
	int waited;

	stall_lease();
	stall_serve(&d, stall_rules(e2e_path("leased")));
	stall_exec(&hung, E2E_ARGV("cat", e2e_path("hung")));
	/* The daemon's open breaks the lease and waits for it (45 s). */
	for (waited = 0; waited < STALL_WAIT_MS; waited += 10) {
		char *s = e2e_read("/proc/locks");
		int breaking = e2e_has(s, "BREAKING");

		free(s);
		if (breaking)
			break;
		e2e_sleep_ms(10);
	}
	cr_assert(lt(int, waited, STALL_WAIT_MS), "no lease being broken");
	stall_others_served(&d, &hung);
	stall_finish(&d, &hung, stall_lease_end);
}

/* In `run`, one process's hung call leaves its siblings served. */
Test(e2e_stall, run_fuse_lookup_hangs_one_process)
{
	struct e2e_proc run;
	struct e2e_result r;

	stall_fs_start();
	e2e_spawn(&run, E2E_ARGV(e2e_unotifyd(), "run", "-r",
	    stall_rules(e2e_path("mnt/hang")), "--", "sh", "-c",
	    e2e_fmt("stat '%s' >/dev/null 2>&1 & %s > '%s'; wait",
	    e2e_path("hung"), stall_other_script(), e2e_path("other.out"))),
	    NULL, e2e_dir());
	stall_expect(e2e_path("other.out"), "data\n");
	stall_expect(e2e_path("fs.log"), "lookup hang\n");
	cr_assert(not(e2e_wait_gone(run.pid, 0)), "run ended early");
	stall_fs_end();
	e2e_wait(&run, &r, STALL_WAIT_MS);
	cr_assert(not(r.timed_out), "run stayed hung: %s", r.err);
	cr_assert(eq(int, r.code, 0), "run: exit %d: %s", r.code, r.err);
	e2e_result_free(&r);
}

/* The worker pool is bounded: past 32 blocked opens and 64 waiting, a
 * redirected open is answered EAGAIN (logged), never queued forever; once
 * the FIFO gets a writer every blocked one completes. */
Test(e2e_stall, run_full_worker_pool_answers_eagain)
{
	const char *fifo = e2e_path("fifo"), *errs = e2e_path("errs");
	struct e2e_proc run;
	struct e2e_result r;
	int fd;

	cr_assert(eq(int, mkfifo(fifo, 0644), 0));
	e2e_spawn(&run, E2E_ARGV(e2e_unotifyd(), "run", "--redirect",
	    e2e_fmt("%s=%s", e2e_path("src"), fifo), "--", "sh", "-c",
	    e2e_fmt("i=0; while [ $i -lt 120 ]; do { : < '%s'; } "
	    "2>>'%s' & i=$((i + 1)); done; wait", e2e_path("src"), errs)),
	    NULL, e2e_dir());
	stall_expect(errs, "Resource temporarily unavailable");
	/* Every open blocked or still queued gets a writer, kept until all
	 * have opened (and closed: `: <` reads nothing). */
	cr_assert(ge(int, fd = open(fifo, O_RDWR), 0));
	e2e_wait(&run, &r, STALL_WAIT_MS);
	close(fd);
	cr_assert(not(r.timed_out), "blocked opens never completed: %s",
	    r.err);
	cr_assert(e2e_has(r.err, "already blocked on worker threads: "
	    "answering EAGAIN"), "%s", r.err);
	e2e_result_free(&r);
}

/* For stall_finish: what hung was killed, nothing to release. */
static void
stall_none(void)
{
}

/* Wait until a thread of pid sleeps in a FIFO's open (its wchan). */
static void
stall_in_fifo_open(pid_t pid)
{
	int waited, found = 0;

	for (waited = 0; waited < STALL_WAIT_MS && !found; waited += 10) {
		DIR *d = opendir(e2e_fmt("/proc/%d/task", (int)pid));
		struct dirent *e;
		char *w;

		while (d != NULL && !found && (e = readdir(d)) != NULL) {
			w = e2e_read(e2e_fmt("/proc/%d/task/%s/wchan", (int)pid,
			    e->d_name));
			found = w != NULL && strcmp(w, "wait_for_partner") == 0;
			free(w);
		}
		if (d != NULL)
			closedir(d);
		if (!found)
			e2e_sleep_ms(10);
	}
	cr_assert(found, "no thread of %d blocked in the FIFO's open", (int)pid);
}

/* Once the target of a blocked open dies, the open is cut short: the
 * thread is back, and the FIFO has no reader left from it. */
static void
stall_killed_cancels(struct e2e_proc *sup, const char *log, const char *pidf)
{
	char *s;
	pid_t pid;

	stall_expect(pidf, "\n");
	s = e2e_read(pidf);
	pid = (pid_t)atoi(s);
	free(s);
	cr_assert(gt(int, pid, 0));
	stall_in_fifo_open(sup->pid);
	cr_assert(not(e2e_wait_gone(pid, 0)), "the opener did not block");
	cr_assert(eq(int, kill(pid, SIGKILL), 0));
	stall_expect(log, "target gone, open cancelled");
	cr_assert(not(e2e_wait_gone(sup->pid, 0)), "the supervisor died");
}

Test(e2e_stall, run_open_of_a_killed_target_is_cancelled)
{
	const char *fifo = e2e_path("fifo"), *log = e2e_path("run.log"),
	    *pidf = e2e_path("pid");
	struct e2e_proc run;
	struct e2e_result r;

	cr_assert(eq(int, mkfifo(fifo, 0644), 0));
	e2e_spawn(&run, E2E_ARGV("sh", "-c", "log=$1; shift; exec \"$0\" "
	    "\"$@\" 2>\"$log\"", e2e_unotifyd(), log, "run", "-v",
	    "--redirect", e2e_fmt("%s=%s", e2e_path("src"), fifo), "--", "sh",
	    "-c", e2e_fmt("cat '%s' & echo $! > '%s'; wait; exec sleep 60",
	    e2e_path("src"), pidf)), NULL, e2e_dir());
	stall_killed_cancels(&run, log, pidf);
	kill(run.pid, SIGTERM);
	e2e_wait(&run, &r, STALL_WAIT_MS);
	cr_assert(not(r.timed_out), "run stayed hung");
	e2e_result_free(&r);
}

Test(e2e_stall, serve_open_of_a_killed_target_is_cancelled)
{
	const char *fifo = e2e_path("fifo"), *log = e2e_path("serve.log"),
	    *pidf = e2e_path("pid");
	struct e2e_proc d, hung;

	cr_assert(eq(int, mkfifo(fifo, 0644), 0));
	e2e_spawn(&d, E2E_ARGV("sh", "-c", "log=$1; shift; exec \"$0\" \"$@\" "
	    "2>\"$log\"", e2e_unotifyd(), log, "serve", "-v", "--socket",
	    e2e_path("sock"), "-r", stall_rules(fifo)), E2E_ARGV(
	    "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"),
	    e2e_dir());
	stall_expect(log, "unotifyd: ready: ");
	stall_exec(&hung, E2E_ARGV("sh", "-c", e2e_fmt("echo $$ > '%s'; "
	    "exec cat '%s'", pidf, e2e_path("hung"))));
	stall_killed_cancels(&d, log, pidf);
	stall_others_served(&d, NULL);
	stall_finish(&d, &hung, stall_none);
}
