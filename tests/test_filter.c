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

#include <seccomp.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "bpf_eval.h"
#include "filter.h"
#include "statconv.h"
#include "syscalls.h"

#define X32_BIT 0x40000000u

/* The build's arch and its compat arch (x86_64 and i386, or aarch64 and
 * ARM); NR(name) is name's number on the build's arch. */
#define NATIVE		syscalls_native_arch()
#define COMPAT		syscalls_compat_arch()
#define NR(name)	seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, \
			    (name))

/* Tests of one ABI skip elsewhere, with the reason. */
#define NEED_X86_64()	do {						\
	if (NATIVE != AUDIT_ARCH_X86_64)				\
		cr_skip_test("x86_64 and i386 ABI: this build is %s",	\
		    syscalls_arch_label(NATIVE));			\
} while (0)

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

	cr_assert(eq(u32, run(f, NATIVE, NR("openat")),
	    SECCOMP_RET_USER_NOTIF));
	cr_assert(eq(u32, run(f, NATIVE, NR("openat2")), SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run(f, NATIVE, NR("getppid")), SECCOMP_RET_ALLOW));
	filter_free(f);
}

Test(filter, notifies_the_open_family)
{
	struct filter *f = build(SYSCALLS_ALL);
	const char *names[] = { "open", "openat", "openat2", "creat" };
	size_t i;
	int nr;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		/* aarch64 has only openat and openat2. */
		if ((nr = NR(names[i])) < 0)
			continue;
		cr_assert(eq(u32, run(f, NATIVE, nr), SECCOMP_RET_USER_NOTIF),
		    "%s (nr %d)", names[i], nr);
	}
	cr_assert(eq(u32, run(f, NATIVE, NR("read")), SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run(f, NATIVE, NR("fstat")), SECCOMP_RET_ALLOW));
	filter_free(f);
}

Test(filter, notifies_the_x86_64_legacy_calls)
{
	struct filter *f;

	NEED_X86_64();
	f = build(SYSCALLS_ALL);
	cr_assert(eq(u32, run(f, NATIVE, NR("open")), SECCOMP_RET_USER_NOTIF));
	cr_assert(eq(u32, run(f, NATIVE, NR("stat")), SECCOMP_RET_USER_NOTIF));
	cr_assert(eq(u32, run(f, NATIVE, NR("readlink")),
	    SECCOMP_RET_USER_NOTIF));
	filter_free(f);
}

Test(filter, leaves_fstat_by_descriptor_in_the_kernel)
{
	struct filter *f = build(SYSCALLS_ALL);
	int fstatat = NR("newfstatat"), statx = NR("statx");

	cr_assert(eq(u32, run_args(f, NATIVE, fstatat, 3, AT_EMPTY_PATH),
	    SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run_args(f, NATIVE, fstatat, 3,
	    AT_SYMLINK_NOFOLLOW), SECCOMP_RET_USER_NOTIF));
	cr_assert(eq(u32, run_args(f, NATIVE, statx, 2, AT_EMPTY_PATH),
	    SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run_args(f, NATIVE, statx, 2, 0),
	    SECCOMP_RET_USER_NOTIF));
	/* fstatat64: 300 on i386, 327 on ARM */
	cr_assert(eq(u32, run_args(f, COMPAT, COMPAT == AUDIT_ARCH_ARM ? 327 :
	    300, 3, AT_EMPTY_PATH), SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run_args(f, COMPAT, COMPAT == AUDIT_ARCH_ARM ? 327 :
	    300, 3, 0), SECCOMP_RET_USER_NOTIF));
	filter_free(f);
}

/* open is 5, stat64 195, getpid 20 on both i386 and ARM EABI. */
Test(filter, supervises_the_32_bit_compat_arch)
{
	struct filter *f = build(SYSCALLS_ALL);

	cr_assert(eq(u32, run(f, COMPAT, 5), SECCOMP_RET_USER_NOTIF));
	cr_assert(eq(u32, run(f, COMPAT, 195), SECCOMP_RET_USER_NOTIF));
	cr_assert(eq(u32, run(f, COMPAT, 20), SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run(f, COMPAT, -1), SECCOMP_RET_ALLOW));
	filter_free(f);
}

Test(filter, kills_foreign_arches)
{
	struct filter *f = build(SYSCALLS_ALL);
	uint32_t foreign[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386,
	    AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM, AUDIT_ARCH_RISCV64 };
	size_t i;

	for (i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		if (foreign[i] == NATIVE || foreign[i] == COMPAT)
			continue;
		cr_assert(eq(u32, run(f, foreign[i], 56),
		    SECCOMP_RET_KILL_PROCESS), "arch 0x%x", foreign[i]);
	}
	filter_free(f);
}

Test(filter, kills_x32_numbers)
{
	struct filter *f;

	NEED_X86_64();
	f = build(SYSCALLS_ALL);
	cr_assert(eq(u32, run(f, NATIVE, X32_BIT | NR("openat")),
	    SECCOMP_RET_KILL_PROCESS));
	cr_assert(eq(u32, run(f, NATIVE, X32_BIT | NR("getppid")),
	    SECCOMP_RET_KILL_PROCESS));
	cr_assert(eq(u32, run(f, NATIVE, (int)(X32_BIT + 0x1000)),
	    SECCOMP_RET_KILL_PROCESS));
	filter_free(f);
}

Test(filter, lets_nr_minus_one_pass)
{
	struct filter *f = build(SYSCALLS_ALL);

	cr_assert(eq(u32, run(f, NATIVE, -1), SECCOMP_RET_ALLOW));
	filter_free(f);
}

Test(filter, empty_mask_still_checks_arch)
{
	struct filter *f = build(0);

	cr_assert(eq(u32, run(f, NATIVE, NR("openat")), SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run(f, COMPAT, 5), SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run(f, AUDIT_ARCH_RISCV64, 56),
	    SECCOMP_RET_KILL_PROCESS));
	if (NATIVE == AUDIT_ARCH_X86_64)
		cr_assert(eq(u32, run(f, NATIVE, X32_BIT | 2),
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
	cr_assert(ne(ptr, strstr(text, syscalls_arch_label(NATIVE)), NULL));
	cr_assert(ne(ptr, strstr(text, syscalls_arch_label(COMPAT)), NULL));
	/* libseccomp's x86_64 program checks x32 numbers, and nr -1 there. */
	if (NATIVE == AUDIT_ARCH_X86_64) {
		cr_assert(ne(ptr, strstr(text, "x32 syscall bit"), NULL));
		cr_assert(ne(ptr, strstr(text, "nr -1"), NULL));
	} else
		cr_assert(eq(ptr, strstr(text, "x32"), NULL));
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
	cr_assert(eq(int, syscalls_lookup(NATIVE, NR("openat"), NULL),
	    SYSCALLS_OPENAT));
	cr_assert(eq(int, syscalls_lookup(NATIVE, NR("read"), NULL), -1));
	cr_assert(eq(int, syscalls_from_name("stat64"), SYSCALLS_STAT));
}

/* Every arch's table is there on every build: numbers from the ABIs. */
Test(syscalls, x86_numbers)
{
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_X86_64, 257, NULL),
	    SYSCALLS_OPENAT));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_X86_64, 2, NULL),
	    SYSCALLS_OPEN));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_I386, 5, NULL), SYSCALLS_OPEN));
	cr_assert(eq(str, (char *)syscalls_arch_name(AUDIT_ARCH_I386, 195),
	    "stat64"));
	cr_assert(eq(int, syscalls_arch_is_32bit(AUDIT_ARCH_I386), 1));
	cr_assert(eq(int, syscalls_arch_is_32bit(AUDIT_ARCH_X86_64), 0));
}

Test(syscalls, aarch64_and_arm_numbers)
{
	enum syscalls_layout l;

	/* aarch64: the generic table, *at calls only */
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_AARCH64, 56, NULL),
	    SYSCALLS_OPENAT));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_AARCH64, 437, NULL),
	    SYSCALLS_OPENAT2));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_AARCH64, 79, &l),
	    SYSCALLS_NEWFSTATAT));
	cr_assert(eq(int, l, SYSCALLS_LAYOUT_NATIVE));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_AARCH64, 291, NULL),
	    SYSCALLS_STATX));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_AARCH64, 78, NULL),
	    SYSCALLS_READLINKAT));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_AARCH64, 63, NULL), -1));
	cr_assert(eq(int, syscalls_arch_is_32bit(AUDIT_ARCH_AARCH64), 0));
	/* ARM EABI: the legacy calls too, and the 32-bit stat layouts */
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_ARM, 5, NULL),
	    SYSCALLS_OPEN));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_ARM, 322, NULL),
	    SYSCALLS_OPENAT));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_ARM, 106, &l),
	    SYSCALLS_STAT));
	cr_assert(eq(int, l, SYSCALLS_LAYOUT_STAT32));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_ARM, 195, &l),
	    SYSCALLS_STAT));
	cr_assert(eq(int, l, SYSCALLS_LAYOUT_STAT64_EABI));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_ARM, 196, &l),
	    SYSCALLS_LSTAT));
	cr_assert(eq(int, l, SYSCALLS_LAYOUT_STAT64_EABI));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_ARM, 327, &l),
	    SYSCALLS_NEWFSTATAT));
	cr_assert(eq(int, l, SYSCALLS_LAYOUT_STAT64_EABI));
	cr_assert(eq(str, (char *)syscalls_arch_name(AUDIT_ARCH_ARM, 327),
	    "fstatat64"));
	cr_assert(eq(int, syscalls_arch_is_32bit(AUDIT_ARCH_ARM), 1));
	cr_assert(eq(str, (char *)syscalls_arch_label(AUDIT_ARCH_ARM), "arm"));
	/* what ARM shares with i386, and where EABI differs */
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_ARM, 182, &l),
	    SYSCALLS_CHOWN));
	cr_assert(eq(int, l, SYSCALLS_LAYOUT_UID16));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_ARM, 269, &l),
	    SYSCALLS_UTIMES));
	cr_assert(eq(int, l, SYSCALLS_LAYOUT_TIME32));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_ARM, 266, &l),
	    SYSCALLS_STATFS));
	cr_assert(eq(int, l, SYSCALLS_LAYOUT_STATFS64_EABI));
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_ARM, 193, &l),
	    SYSCALLS_TRUNCATE));
	cr_assert(eq(int, l, SYSCALLS_LAYOUT_SPLIT64_EABI));
	/* aarch64's own: no legacy calls, native layouts */
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_AARCH64, 38, &l),
	    SYSCALLS_RENAMEAT));
	cr_assert(eq(int, l, SYSCALLS_LAYOUT_NATIVE));
	cr_assert(eq(str, (char *)syscalls_arch_tag(AUDIT_ARCH_ARM), NATIVE ==
	    AUDIT_ARCH_ARM ? "" : "/arm"));
}

/* ARM EABI's statfs64 takes its padded size 88 as well as 84. */
Test(statconv, arm_eabi_statfs64_sizes)
{
	unsigned char out[128];
	struct statfs fs;

	memset(&fs, 0, sizeof(fs));
	fs.f_type = 0x58465342;
	cr_assert(eq(int, statconv_fs(&fs, SYSCALLS_LAYOUT_STATFS64_EABI, 88,
	    out), 84));
	cr_assert(eq(int, statconv_fs(&fs, SYSCALLS_LAYOUT_STATFS64_EABI, 84,
	    out), 84));
	cr_assert(eq(int, statconv_fs(&fs, SYSCALLS_LAYOUT_STATFS64, 88, out),
	    -EINVAL));
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
	cr_assert(eq(int, syscalls_lookup(AUDIT_ARCH_X86_64, 4, &l),
	    SYSCALLS_STAT));
	cr_assert(eq(int, l, SYSCALLS_LAYOUT_NATIVE));
}

/* ARM EABI struct stat64 as the kernel writes it (offsets from
 * arch/arm64/include/asm/stat.h). */
Test(statconv, arm_eabi_stat64)
{
	unsigned char out[STATCONV_MAX];
	struct stat st;
	uint64_t u64;
	int64_t s64;
	uint32_t u32;

	memset(&st, 0, sizeof(st));
	st.st_dev = 0x801;
	st.st_ino = 0x123456789aULL;
	st.st_mode = S_IFREG | 0640;
	st.st_nlink = 3;
	st.st_uid = 1000;
	st.st_gid = 100000;
	st.st_size = 0x100000005LL;
	st.st_blksize = 4096;
	st.st_blocks = 24;
	st.st_mtim.tv_sec = 1700000000;
	st.st_mtim.tv_nsec = 42;
	memset(out, 0xee, sizeof(out));
	cr_assert(eq(int, statconv(&st, SYSCALLS_LAYOUT_STAT64_EABI, out), 104));
	memcpy(&u64, out, 8);
	cr_assert(eq(u64, u64, 0x801));
	memcpy(&u32, out + 12, 4);
	cr_assert(eq(u32, u32, 0x3456789a));
	memcpy(&u32, out + 16, 4);
	cr_assert(eq(u32, u32, S_IFREG | 0640));
	memcpy(&u32, out + 28, 4);
	cr_assert(eq(u32, u32, 100000));
	memcpy(&s64, out + 48, 8);
	cr_assert(eq(i64, s64, 0x100000005LL));
	memcpy(&u32, out + 56, 4);
	cr_assert(eq(u32, u32, 4096));
	memcpy(&u64, out + 64, 8);
	cr_assert(eq(u64, u64, 24));
	memcpy(&u32, out + 80, 4);
	cr_assert(eq(u32, u32, 1700000000));
	memcpy(&u32, out + 84, 4);
	cr_assert(eq(u32, u32, 42));
	memcpy(&u64, out + 96, 8);
	cr_assert(eq(u64, u64, 0x123456789aULL));
	cr_assert(eq(int, out[104], 0xee));
}

/* The native layout is the build's own struct stat. */
Test(statconv, native_is_the_build_struct_stat)
{
	unsigned char out[STATCONV_MAX];
	struct stat st;

	memset(&st, 0x5a, sizeof(st));
	cr_assert(eq(int, statconv(&st, SYSCALLS_LAYOUT_NATIVE, out),
	    (int)sizeof(struct stat)));
	cr_assert(eq(int, memcmp(out, &st, sizeof(st)), 0));
	if (NATIVE == AUDIT_ARCH_AARCH64)
		cr_assert(eq(sz, sizeof(struct stat), 128));
	else if (NATIVE == AUDIT_ARCH_X86_64)
		cr_assert(eq(sz, sizeof(struct stat), 144));
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

	/* setxattrat is 463 on both, and on the compat arch (i386, ARM) only
	 * our own check knows. */
	cr_assert(eq(u32, run(f, COMPAT, 463), SECCOMP_RET_USER_NOTIF));
	cr_assert(eq(u32, run(f, NATIVE, 463),
	    SECCOMP_RET_USER_NOTIF));
	cr_assert(eq(u32, run(f, COMPAT, 464), SECCOMP_RET_ALLOW));
	cr_assert(eq(u32, run(f, COMPAT, 5), SECCOMP_RET_ALLOW));
	filter_free(f);
}
