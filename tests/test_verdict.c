/* SPDX-License-Identifier: MIT */
/* Unit tests for supervisor/engine/calls.c and verdict.c: decoding a
 * call's paths from seccomp_data, and the decision, without a kernel. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "calls.h"
#include "causes.h"
#include "rules.h"
#include "syscalls.h"
#include "verdict.h"

static struct rule_set set;
static struct causes causes;

static void
verdict_setup(void)
{
	rules_init(&set);
	memset(&causes, 0, sizeof(causes));
}

static void
verdict_teardown(void)
{
	rules_free(&set);
	causes_free(&causes);
}

TestSuite(verdict, .init = verdict_setup, .fini = verdict_teardown);
TestSuite(calls);

static void
load(const char *ini)
{
	cr_assert(eq(int, rules_parse_string(&set, ini, "t.ini", &causes), 0));
	rules_index(&set);
}

/* A call with up to two absolute paths, as dispatch fills it. */
static void
call_of(struct call *c, int sysid, const char *p0, int w0, const char *p1,
    int w1)
{
	memset(c, 0, sizeof(*c));
	c->sysid = sysid;
	c->npaths = p1 != NULL ? 2 : 1;
	snprintf(c->p[0].abs, sizeof(c->p[0].abs), "%s", p0);
	c->p[0].write = w0;
	if (p1 != NULL) {
		snprintf(c->p[1].abs, sizeof(c->p[1].abs), "%s", p1);
		c->p[1].write = w1;
	}
}

static const char redirects[] =
    "[src]\npath = /src/\naction = redirect\ntarget = /dst/\n"
    "[ro]\npath = /etc/\naction = errno\nerrno = EROFS\naccess = write\n";

Test(verdict, unmatched_call_continues)
{
	struct call c;
	struct verdict v;

	load(redirects);
	call_of(&c, SYSCALLS_UNLINK, "/home/u/f", 1, NULL, 0);
	verdict_decide(&set, &c, &v);
	cr_assert(eq(int, v.kind, VERDICT_CONTINUE));
	cr_assert(eq(ptr, (void *)v.rule, NULL));
}

Test(verdict, each_path_of_a_rename_is_translated_on_its_own)
{
	struct call c;
	struct verdict v;

	load(redirects);
	/* Into the redirect: only the second path moves. */
	call_of(&c, SYSCALLS_RENAME, "/home/u/tmp", 1, "/src/app.conf", 1);
	verdict_decide(&set, &c, &v);
	cr_assert(eq(int, v.kind, VERDICT_REDIRECT));
	cr_assert(eq(ptr, (void *)v.by[0], NULL));
	cr_assert(eq(str, v.by[1]->name, "src"));
	/* Both inside. */
	call_of(&c, SYSCALLS_RENAMEAT2, "/src/a", 1, "/src/b", 1);
	verdict_decide(&set, &c, &v);
	cr_assert(eq(str, v.by[0]->name, "src"));
	cr_assert(eq(str, v.by[1]->name, "src"));
}

Test(verdict, an_errno_rule_on_either_path_fails_the_call)
{
	struct call c;
	struct verdict v;

	load(redirects);
	call_of(&c, SYSCALLS_RENAME, "/src/a", 1, "/etc/passwd", 1);
	verdict_decide(&set, &c, &v);
	cr_assert(eq(int, v.kind, VERDICT_ERRNO));
	cr_assert(eq(int, v.err, EROFS));
	cr_assert(eq(str, v.rule->name, "ro"));
}

Test(verdict, a_read_only_rule_lets_the_read_side_of_a_link_through)
{
	struct call c;
	struct verdict v;

	load(redirects);
	/* link(2) leaves its source as it was: a read. */
	call_of(&c, SYSCALLS_LINK, "/etc/hosts", 0, "/home/u/hosts", 1);
	verdict_decide(&set, &c, &v);
	cr_assert(eq(int, v.kind, VERDICT_CONTINUE));
	call_of(&c, SYSCALLS_LINK, "/home/u/f", 0, "/etc/f", 1);
	verdict_decide(&set, &c, &v);
	cr_assert(eq(int, v.kind, VERDICT_ERRNO));
}

Test(verdict, write_rules_cover_every_write_side_call)
{
	static const int writes[] = { SYSCALLS_UNLINK, SYSCALLS_UNLINKAT,
	    SYSCALLS_RMDIR, SYSCALLS_MKDIR, SYSCALLS_MKDIRAT, SYSCALLS_MKNOD,
	    SYSCALLS_MKNODAT, SYSCALLS_SYMLINK, SYSCALLS_SYMLINKAT,
	    SYSCALLS_CHMOD, SYSCALLS_FCHMODAT, SYSCALLS_FCHMODAT2,
	    SYSCALLS_CHOWN, SYSCALLS_LCHOWN, SYSCALLS_FCHOWNAT,
	    SYSCALLS_TRUNCATE, SYSCALLS_UTIME, SYSCALLS_UTIMES,
	    SYSCALLS_FUTIMESAT, SYSCALLS_UTIMENSAT, SYSCALLS_SETXATTR,
	    SYSCALLS_LSETXATTR, SYSCALLS_REMOVEXATTR, SYSCALLS_LREMOVEXATTR,
	    SYSCALLS_SETXATTRAT, SYSCALLS_REMOVEXATTRAT };
	struct seccomp_data d = { .arch = AUDIT_ARCH_X86_64 };
	struct verdict v;
	struct call c;
	size_t i;

	load(redirects);
	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.sysid = writes[i];
		cr_assert(eq(int, calls_decode(getpid(), &d, &c), 0));
		cr_assert(eq(int, c.kind, ACT_PERFORM), "%s",
		    syscalls_name(writes[i]));
		cr_assert(eq(int, c.p[c.npaths - 1].write, 1), "%s",
		    syscalls_name(writes[i]));
		snprintf(c.p[c.npaths - 1].abs, PATH_MAX, "/etc/x");
		verdict_decide(&set, &c, &v);
		cr_assert(eq(int, v.kind, VERDICT_ERRNO), "%s",
		    syscalls_name(writes[i]));
	}
}

Test(verdict, reads_pass_a_write_rule)
{
	static const int reads[] = { SYSCALLS_STAT, SYSCALLS_STATX,
	    SYSCALLS_READLINK, SYSCALLS_GETXATTR, SYSCALLS_STATFS,
	    SYSCALLS_CHDIR, SYSCALLS_EXECVE, SYSCALLS_INOTIFY_ADD_WATCH };
	struct seccomp_data d = { .arch = AUDIT_ARCH_X86_64 };
	struct verdict v;
	struct call c;
	size_t i;

	load(redirects);
	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.sysid = reads[i];
		cr_assert(eq(int, calls_decode(getpid(), &d, &c), 0));
		cr_assert(eq(int, c.p[0].write, 0), "%s",
		    syscalls_name(reads[i]));
		snprintf(c.p[0].abs, PATH_MAX, "/etc/x");
		verdict_decide(&set, &c, &v);
		cr_assert(eq(int, v.kind, VERDICT_CONTINUE), "%s",
		    syscalls_name(reads[i]));
	}
}

Test(verdict, skipped_paths_are_not_matched)
{
	struct call c;
	struct verdict v;

	load(redirects);
	call_of(&c, SYSCALLS_UTIMENSAT, "/src/a", 1, NULL, 0);
	c.p[0].skip = 1;
	verdict_decide(&set, &c, &v);
	cr_assert(eq(int, v.kind, VERDICT_CONTINUE));
}

Test(calls, two_path_calls_name_both_arguments)
{
	struct seccomp_data d = { .arch = AUDIT_ARCH_X86_64,
	    .args = { 7, 0x1000, 8, 0x2000, 1 } };
	struct call c;

	memset(&c, 0, sizeof(c));
	c.sysid = SYSCALLS_RENAMEAT2;
	cr_assert(eq(int, calls_decode(getpid(), &d, &c), 0));
	cr_assert(eq(int, c.npaths, 2));
	cr_assert(eq(int, c.p[0].dirfd, 7));
	cr_assert(eq(u64, c.p[0].addr, 0x1000));
	cr_assert(eq(int, c.p[1].dirfd, 8));
	cr_assert(eq(u64, c.p[1].addr, 0x2000));
	/* symlink's first argument is its text, not a path. */
	memset(&c, 0, sizeof(c));
	c.sysid = SYSCALLS_SYMLINKAT;
	d.args[0] = 0x3000;
	d.args[1] = 5;
	d.args[2] = 0x4000;
	cr_assert(eq(int, calls_decode(getpid(), &d, &c), 0));
	cr_assert(eq(int, c.npaths, 1));
	cr_assert(eq(int, c.p[0].dirfd, 5));
	cr_assert(eq(u64, c.p[0].addr, 0x4000));
}

Test(calls, open_flags_decide_the_access)
{
	struct seccomp_data d = { .arch = AUDIT_ARCH_X86_64,
	    .args = { AT_FDCWD, 0x1000, O_RDONLY } };
	struct call c;

	memset(&c, 0, sizeof(c));
	c.sysid = SYSCALLS_OPENAT;
	cr_assert(eq(int, calls_decode(getpid(), &d, &c), 0));
	cr_assert(eq(int, c.p[0].write, 0));
	cr_assert(eq(int, c.p[0].dirfd, AT_FDCWD));
	d.args[2] = O_WRONLY | O_CREAT;
	cr_assert(eq(int, calls_decode(getpid(), &d, &c), 0));
	cr_assert(eq(int, c.p[0].write, 1));
}

Test(calls, i386_fanotify_mark_splits_its_mask)
{
	struct seccomp_data d = { .arch = AUDIT_ARCH_I386,
	    .args = { 3, 0, 1, 0, 9, 0x5000 } };
	struct call c;

	memset(&c, 0, sizeof(c));
	c.sysid = SYSCALLS_FANOTIFY_MARK;
	cr_assert(eq(int, calls_decode(getpid(), &d, &c), 0));
	cr_assert(eq(int, c.p[0].dirfd, 9));
	cr_assert(eq(u64, c.p[0].addr, 0x5000));
}

Test(calls, every_path_call_has_a_row)
{
	struct seccomp_data d = { .arch = AUDIT_ARCH_X86_64 };
	struct call c;
	int id;

	for (id = 0; id < SYSCALLS_COUNT; id++) {
		memset(&c, 0, sizeof(c));
		c.sysid = id;
		/* openat2 and getxattrat read a struct: not from address 0. */
		if (id == SYSCALLS_OPENAT2 || id == SYSCALLS_GETXATTRAT)
			continue;
		cr_assert(eq(int, calls_decode(getpid(), &d, &c), 0), "%s",
		    syscalls_name(id));
		cr_assert(ge(int, c.npaths, 1), "%s has no path",
		    syscalls_name(id));
	}
}
