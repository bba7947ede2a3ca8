/* SPDX-License-Identifier: MIT */
/* End-to-end test helpers: run unotifyd and the tiny programs in
 * tests/targets/ as child processes, capture their output, temp dirs. */
#ifndef E2E_H
#define E2E_H

#include <sys/types.h>

#include <stddef.h>

#include "slowdown.h"

/* A NULL-terminated argument or environment vector as an expression. */
#define E2E_ARGV(...)	((const char *[]){ __VA_ARGS__, NULL })

/* Default limit for one command, below every test's .timeout = 30 (both
 * TEST_LIMIT()ed; every wait below scales its limit by TEST_SLOWDOWN). */
#define E2E_TIMEOUT_MS	10000

/* A running child: its own process group, stdout/stderr on pipes. */
struct e2e_proc {
	pid_t	 pid;
	int	 outfd;
	int	 errfd;
	char	*cmd;		/* argv joined, for messages */
};

struct e2e_result {
	int	 code;		/* exit code, 128+N if killed by signal N */
	int	 status;	/* raw wait status */
	int	 timed_out;	/* 1 if killed after the deadline */
	long	 elapsed_ms;
	char	*out;		/* captured stdout, NUL-terminated, malloc'd */
	char	*err;		/* captured stderr */
};

/*
 * Start argv[0] (PATH searched) with stdin from /dev/null, every fd above 2
 * closed, in cwd if not NULL. env entries are "NAME=VALUE" (set) or "NAME"
 * (unset), added to this process's environment; env may be NULL. Fails the
 * test if the process cannot be started.
 */
void	e2e_spawn(struct e2e_proc *, const char *const argv[],
	    const char *const env[], const char *cwd);
/*
 * Collect output until both pipes reach EOF and the child is reaped, or
 * until timeout_ms expire: then the whole process group is SIGKILLed and
 * timed_out is set. Releases the proc; r is owned by the caller.
 */
void	e2e_wait(struct e2e_proc *, struct e2e_result *, int timeout_ms);
/* e2e_spawn + e2e_wait with E2E_TIMEOUT_MS; fails the test on timeout. */
void	e2e_run(struct e2e_result *, const char *const argv[],
	    const char *const env[], const char *cwd);
/* The same with an explicit limit. */
void	e2e_run_timeout(struct e2e_result *, const char *const argv[],
	    const char *const env[], const char *cwd, int timeout_ms);
void	e2e_result_free(struct e2e_result *);

/*
 * Poll every 10 ms up to timeout_ms for a descendant of pid whose comm is
 * comm (any comm if NULL). Returns its pid, or -1.
 */
pid_t	e2e_find_child(pid_t, const char *comm, int timeout_ms);
/* 1 once pid is gone or a zombie within timeout_ms, else 0. */
int	e2e_wait_gone(pid_t, int timeout_ms);
/* Sleep for ms milliseconds (again after a signal). */
void	e2e_sleep_ms(long ms);
/* 1 once path exists within timeout_ms, else 0. */
int	e2e_wait_file(const char *path, int timeout_ms);

/* 1 if unotifyd runs under a sanitizer or valgrind: slower, bigger. */
int	e2e_instrumented(void);

/* Fixture: .init/.fini creating and removing (unless E2E_KEEP is set) a
 * fresh temp dir, checking UNOTIFYD and that seccomp user notification
 * works (else skip). */
void	e2e_setup(void);
/* The same without the seccomp probe, for check/filter and usage tests. */
void	e2e_setup_nokernel(void);
void	e2e_teardown(void);

/* The fixture's temp dir (absolute, no trailing slash). */
const char *e2e_dir(void);
/* "<tempdir>/<fmt...>"; the string lives until e2e_teardown. */
const char *e2e_path(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* printf into a string that lives until e2e_teardown. */
const char *e2e_fmt(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* Write data to path (created or truncated, then chmod mode); fails the
 * test on error. */
void	e2e_write(const char *path, const char *data, mode_t mode);
/* Whole content of path, NUL-terminated and malloc'd, or NULL (errno set). */
char	*e2e_read(const char *path);
/* mkdir -p with mode 0755; fails the test on error. */
void	e2e_mkdir(const char *path);
int	e2e_exists(const char *path);
/* Permission bits of path, or -1. */
int	e2e_mode(const char *path);
/* 1 if prog is an executable in a directory of PATH. */
int	e2e_have_prog(const char *prog);
/* 1 if needle occurs in hay (NULL hay counts as empty). */
int	e2e_has(const char *hay, const char *needle);

/* $UNOTIFYD (absolute path of the binary); skips the test if unset. */
const char *e2e_unotifyd(void);
/* "<tempdir>/copycat", a symlink to $UNOTIFYD. */
const char *e2e_copycat(void);
/* $TARGETS/name; skips the test if TARGETS is unset or name is not built. */
const char *e2e_target(const char *name);
/* 1 if $TARGETS/name is built (targets of another ABI may not be). */
int	e2e_have_target(const char *name);
/* 1 if this build is x86_64 (it has i386 targets, -m32 ones). */
int	e2e_x86_64(void);
/* Skip the test, saying why, unless this build is x86_64 (i386 via
 * int $0x80, x32, -m32 targets): what names the x86-only feature. */
void	e2e_require_x86_64(const char *what);
/* 0 if sys is a syscall name (open, stat...) the build's arch lacks, as
 * aarch64 lacks the legacy non-*at calls; 1 otherwise (also for names
 * that are no syscall's, such as try-path's "fstatat"). */
int	e2e_native_has(const char *sys);
/* One step of a try-path script: `try-path SYS PATH ARG` prints out. */
struct e2e_call {
	const char	*sys;
	const char	*arg;		/* "" for none */
	const char	*out;		/* without the newline */
};
/* The script running `'tp' SYS 'path' ARG;` for each of the n calls, but
 * only those the build's arch has unless all is set (for try-path-m32),
 * and in *expect the lines it prints. */
const char *e2e_calls_script(const char *tp, const char *path,
	    const struct e2e_call *, size_t n, int all, const char **expect);
/* Skip the test when `unotifyd run -- true` reports seccomp as unusable. */
void	e2e_require_unotify(void);
/* Write an INI rules file <tempdir>/<name> and return its path. */
const char *e2e_rules(const char *name, const char *ini);

#endif
