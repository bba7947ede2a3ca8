/* SPDX-License-Identifier: MIT */
/* Filter generation, checked by running the exported BPF program. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "bpf_eval.h"
#include "filter.h"
#include "syscalls.h"

#define X32_BIT 0x40000000u

static struct filter *
build(syscalls_mask mask)
{
	struct filter *f = NULL;
	const char *why = NULL;

	cr_assert(eq(int, filter_build(mask, &f, &why), 0));
	cr_assert(ne(ptr, f, NULL));
	return f;
}

static uint32_t
run_args(const struct filter *f, uint32_t arch, int nr, int argn,
    uint64_t arg)
{
	struct seccomp_data d = { .nr = nr, .arch = arch };
	const void *prog;
	size_t len;

	d.args[argn] = arg;
	len = filter_program(f, &prog);
	return bpf_eval(prog, len, &d);
}

static uint32_t
run(const struct filter *f, uint32_t arch, int nr)
{
	struct seccomp_data d = { .nr = nr, .arch = arch };
	const void *prog;
	size_t len;

	len = filter_program(f, &prog);
	return bpf_eval(prog, len, &d);
}

Test(filter, notifies_only_the_requested_syscalls)
{
	struct filter *f = build(SYSCALLS_MASK(SYSCALLS_OPENAT));

	cr_assert(eq(u32, run(f, AUDIT_ARCH_X86_64, SYS_openat),
	    SECCOMP_RET_USER_NOTIF));
	cr_assert(eq(u32, run(f, AUDIT_ARCH_X86_64, SYS_open),
	    SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run(f, AUDIT_ARCH_X86_64, SYS_getppid),
	    SECCOMP_RET_ALLOW));
	filter_free(f);
}

Test(filter, notifies_the_open_family)
{
	struct filter *f = build(SYSCALLS_ALL);
	int nrs[] = { SYS_open, SYS_openat, SYS_openat2, SYS_creat };
	size_t i;

	for (i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
		cr_assert(eq(u32, run(f, AUDIT_ARCH_X86_64, nrs[i]),
		    SECCOMP_RET_USER_NOTIF), "nr %d", nrs[i]);
	cr_assert(eq(u32, run(f, AUDIT_ARCH_X86_64, SYS_read),
	    SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run(f, AUDIT_ARCH_X86_64, SYS_stat),
	    SECCOMP_RET_USER_NOTIF));
	cr_assert(eq(u32, run(f, AUDIT_ARCH_X86_64, SYS_fstat),
	    SECCOMP_RET_ALLOW));
	filter_free(f);
}

Test(filter, leaves_fstat_by_descriptor_in_the_kernel)
{
	struct filter *f = build(SYSCALLS_ALL);

	cr_assert(eq(u32, run_args(f, AUDIT_ARCH_X86_64, SYS_newfstatat, 3,
	    AT_EMPTY_PATH), SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run_args(f, AUDIT_ARCH_X86_64, SYS_newfstatat, 3,
	    AT_SYMLINK_NOFOLLOW), SECCOMP_RET_USER_NOTIF));
	cr_assert(eq(u32, run_args(f, AUDIT_ARCH_X86_64, SYS_statx, 2,
	    AT_EMPTY_PATH), SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run_args(f, AUDIT_ARCH_X86_64, SYS_statx, 2, 0),
	    SECCOMP_RET_USER_NOTIF));
	/* i386 fstatat64 */
	cr_assert(eq(u32, run_args(f, AUDIT_ARCH_I386, 300, 3, AT_EMPTY_PATH),
	    SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run_args(f, AUDIT_ARCH_I386, 300, 3, 0),
	    SECCOMP_RET_USER_NOTIF));
	filter_free(f);
}

Test(filter, supervises_i386)
{
	struct filter *f = build(SYSCALLS_ALL);

	cr_assert(eq(u32, run(f, AUDIT_ARCH_I386, 5), SECCOMP_RET_USER_NOTIF));
	cr_assert(eq(u32, run(f, AUDIT_ARCH_I386, 195), SECCOMP_RET_USER_NOTIF));
	cr_assert(eq(u32, run(f, AUDIT_ARCH_I386, 20), SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run(f, AUDIT_ARCH_I386, -1), SECCOMP_RET_ALLOW));
	filter_free(f);
}

Test(filter, kills_foreign_arches)
{
	struct filter *f = build(SYSCALLS_ALL);

	cr_assert(eq(u32, run(f, AUDIT_ARCH_AARCH64, SYS_openat),
	    SECCOMP_RET_KILL_PROCESS));
	filter_free(f);
}

Test(filter, kills_x32_numbers)
{
	struct filter *f = build(SYSCALLS_ALL);

	cr_assert(eq(u32, run(f, AUDIT_ARCH_X86_64, X32_BIT | SYS_openat),
	    SECCOMP_RET_KILL_PROCESS));
	cr_assert(eq(u32, run(f, AUDIT_ARCH_X86_64, X32_BIT | SYS_getppid),
	    SECCOMP_RET_KILL_PROCESS));
	cr_assert(eq(u32, run(f, AUDIT_ARCH_X86_64, (int)(X32_BIT + 0x1000)),
	    SECCOMP_RET_KILL_PROCESS));
	filter_free(f);
}

Test(filter, lets_nr_minus_one_pass)
{
	struct filter *f = build(SYSCALLS_ALL);

	cr_assert(eq(u32, run(f, AUDIT_ARCH_X86_64, -1), SECCOMP_RET_ALLOW));
	filter_free(f);
}

Test(filter, empty_mask_still_checks_arch)
{
	struct filter *f = build(0);

	cr_assert(eq(u32, run(f, AUDIT_ARCH_X86_64, SYS_openat),
	    SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run(f, AUDIT_ARCH_I386, 5), SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run(f, AUDIT_ARCH_X86_64, X32_BIT | 2),
	    SECCOMP_RET_KILL_PROCESS));
	filter_free(f);
}

Test(filter, print_names_checks_and_syscalls)
{
	struct filter *f = build(SYSCALLS_ALL);
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	filter_print(f, fp);
	fclose(fp);
	cr_assert(ne(ptr, strstr(text, "x86_64"), NULL));
	cr_assert(ne(ptr, strstr(text, "x32 syscall bit"), NULL));
	cr_assert(ne(ptr, strstr(text, "nr -1"), NULL));
	cr_assert(ne(ptr, strstr(text, "; openat\n"), NULL));
	cr_assert(ne(ptr, strstr(text, "USER_NOTIF"), NULL));
	cr_assert(ne(ptr, strstr(text, "KILL_PROCESS"), NULL));
	free(text);
	filter_free(f);
}

Test(filter, apply_returns_a_cloexec_listener)
{
	struct filter *f = build(SYSCALLS_MASK(SYSCALLS_OPENAT2));
	int fd;

	/* Each criterion test is its own process: the filter dies with it.
	 * openat2 only is notified, and nothing here calls it. */
	fd = filter_apply(f);
	if (fd == -EBUSY)
		cr_skip_test("already under a seccomp listener");
	cr_assert(ge(int, fd, 0), "filter_apply: %s", strerror(-fd));
	cr_assert(eq(int, fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC));
	filter_free(f);
}

Test(syscalls, names_and_numbers)
{
	cr_assert(eq(int, syscalls_from_name("openat"), SYSCALLS_OPENAT));
	cr_assert(eq(int, syscalls_from_name("fstat"), -1));
	cr_assert(eq(str, (char *)syscalls_name(SYSCALLS_CREAT), "creat"));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_X86_64, SYS_openat, NULL),
	    SYSCALLS_OPENAT));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_I386, 5, NULL), SYSCALLS_OPEN));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_X86_64, SYS_read, NULL), -1));
	cr_assert(eq(int, syscalls_from_name("stat64"), SYSCALLS_STAT));
	cr_assert(eq(str, (char *)syscalls_arch_name(AUDIT_ARCH_I386, 195),
	    "stat64"));
}

Test(syscalls, i386_stat_layouts)
{
	enum syscalls_layout l;

	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_I386, 106, &l),
	    SYSCALLS_STAT));
	cr_assert(eq(int, l, SYSCALLS_LAYOUT_STAT32));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_I386, 195, &l),
	    SYSCALLS_STAT));
	cr_assert(eq(int, l, SYSCALLS_LAYOUT_STAT64));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_I386, 300, &l),
	    SYSCALLS_NEWFSTATAT));
	cr_assert(eq(int, l, SYSCALLS_LAYOUT_STAT64));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_X86_64, SYS_stat, &l),
	    SYSCALLS_STAT));
	cr_assert(eq(int, l, SYSCALLS_LAYOUT_NATIVE));
}

Test(syscalls, run_mask_adds_the_tracking_calls)
{
	syscalls_mask creat = SYSCALLS_MASK(SYSCALLS_CREAT);
	syscalls_mask track = SYSCALLS_MASK(SYSCALLS_UMASK) |
	    SYSCALLS_MASK(SYSCALLS_ROOT);

	cr_assert(eq(u64, syscalls_run_mask(0, 1), 0));
	cr_assert(eq(u64, syscalls_run_mask(creat, 0), creat | track));
	cr_assert(eq(u64, syscalls_run_mask(creat, 1), creat | track |
	    SYSCALLS_MASK(SYSCALLS_CREDS)));
}

Test(filter, i386_calls_newer_than_libseccomp_are_notified_by_number)
{
	struct filter *f = build(SYSCALLS_MASK(SYSCALLS_SETXATTRAT));

	/* setxattrat is 463 on both, and on i386 only our own check knows. */
	cr_assert(eq(u32, run(f, AUDIT_ARCH_I386, 463), SECCOMP_RET_USER_NOTIF));
	cr_assert(eq(u32, run(f, AUDIT_ARCH_X86_64, 463),
	    SECCOMP_RET_USER_NOTIF));
	cr_assert(eq(u32, run(f, AUDIT_ARCH_I386, 464), SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run(f, AUDIT_ARCH_I386, 5), SECCOMP_RET_ALLOW));
	filter_free(f);
}
