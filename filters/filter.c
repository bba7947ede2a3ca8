/* SPDX-License-Identifier: MIT */
/* Build the notify filter with libseccomp, install it with seccomp(2). */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <stddef.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf_eval.h"
#include "filter.h"
#include "syscalls.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

struct filter {
	struct sock_filter	*insns;
	size_t			 len;
};

/*
 * libseccomp 2.5.4 can only export BPF to an fd, so write it to a memfd and
 * read it back; the child then installs the raw program itself. That gives
 * us WAIT_KILLABLE_RECV (which libseccomp 2.5.4 lacks), the real errno of a
 * failed load, and the listener fd straight from seccomp(2) (libseccomp #496
 * mis-reports it when fd 0 is closed).
 */
static int
filter_export(scmp_filter_ctx ctx, const struct sock_filter *pre,
    size_t npre, struct filter *f)
{
	off_t size;
	ssize_t n;
	int fd, r;

	if ((fd = memfd_create("unotifyd-bpf", MFD_CLOEXEC)) < 0)
		return -errno;
	if ((r = seccomp_export_bpf(ctx, fd)) < 0)
		goto out;
	if ((size = lseek(fd, 0, SEEK_END)) < 0 ||
	    size % sizeof(struct sock_filter) != 0 || size == 0) {
		r = -EINVAL;
		goto out;
	}
	f->insns = malloc(npre * sizeof(*pre) + size);
	if (f->insns == NULL) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(f->insns, pre, npre * sizeof(*pre));
	n = pread(fd, f->insns + npre, size, 0);
	if (n != size) {
		r = n < 0 ? -errno : -EIO;
		goto out;
	}
	f->len = npre + size / sizeof(struct sock_filter);
	r = 0;
out:
	close(fd);
	return r;
}

/*
 * fstat(2) is newfstatat(fd, "", buf, AT_EMPTY_PATH) in glibc, Rust's
 * File::metadata is statx with AT_EMPTY_PATH, futimens(3) is utimensat(fd,
 * NULL, ...) and fexecve(3) execveat(fd, "", ..., AT_EMPTY_PATH): they name
 * no path, so they stay in the kernel instead of costing a round trip each.
 * A path lookup that passes AT_EMPTY_PATH anyway is not notified either
 * (documented).
 */
static int
filter_add(scmp_filter_ctx ctx, int id, int nr)
{
	switch (id) {
	case SYSCALLS_NEWFSTATAT:
		return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
		    SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, 0));
	case SYSCALLS_STATX:
		return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
		    SCMP_A2(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, 0));
	case SYSCALLS_EXECVEAT:
		return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
		    SCMP_A4(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, 0));
	case SYSCALLS_UTIMENSAT:
		return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
		    SCMP_A1(SCMP_CMP_NE, 0));
	case SYSCALLS_CREDS:
		/* Of prctl(2), only dropping from the bounding set: the next
		 * execve then leaves capabilities behind. */
		if (nr == seccomp_syscall_resolve_name("prctl"))
			return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
			    SCMP_A0(SCMP_CMP_EQ, PR_CAPBSET_DROP));
		break;
	case SYSCALLS_ROOT:
		/* Of clone(2), those making a mount or user namespace, as
		 * unshare(2) does. clone3's flags are in memory, out of
		 * seccomp's reach: it fails with ENOSYS, on which glibc and
		 * others fall back to clone(2) (as under Docker's profile). */
		if (nr == seccomp_syscall_resolve_name("clone")) {
			int r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
			    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWNS,
			    CLONE_NEWNS));

			if (r == 0)
				r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr,
				    1, SCMP_A0(SCMP_CMP_MASKED_EQ,
				    CLONE_NEWUSER, CLONE_NEWUSER));
			return r < 0 ? r : seccomp_rule_add(ctx,
			    SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
		}
		break;
	}
	return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
}

/*
 * libseccomp cannot name a call it does not know on a second arch, so the
 * compat arch's (i386's, ARM's) numbers of those calls (Linux 6.13's
 * *xattrat) are checked ahead of its program: arch, then each number,
 * notifying on a match and falling through to libseccomp's program
 * otherwise (its jumps are all relative). Returns the number of
 * instructions written to pre (room for 16).
 */
static size_t
filter_prefix(syscalls_mask mask, uint32_t compat, struct sock_filter *pre)
{
	int nrs[8], id, nr;
	const char *const *name;
	size_t n = 0, i, k = 0;

	for (id = 0; id < SYSCALLS_NIDS; id++) {
		if (!(mask & SYSCALLS_MASK(id)))
			continue;
		for (name = syscalls_names(id); *name != NULL && k < 8; name++)
			if (seccomp_syscall_resolve_name_arch(
			    syscalls_arch_scmp(compat), *name) < 0 &&
			    (nr = syscalls_fallback_nr(*name)) >= 0)
				nrs[k++] = nr;
	}
	if (k == 0)
		return 0;
	/* ld arch; jne compat -> past the checks; ld nr; jeq each -> notify. */
	pre[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch));
	pre[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    compat, 0, k + 3);
	pre[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr));
	for (i = 0; i < k; i++, n++)
		pre[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		    nrs[i], k - i, 0);
	pre[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0);
	pre[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_USER_NOTIF);
	return n;
}

/* A context for one arch, with the attributes every part shares. */
static int
filter_ctx(uint32_t arch, scmp_filter_ctx *out, const char **cause)
{
	scmp_filter_ctx ctx;
	int r;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL) {
		*cause = "seccomp_init failed";
		return -ENOMEM;
	}
	/* A half-killed multi-threaded process is worse than a dead one. */
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) < 0) {
		*cause = "cannot set the bad-arch action";
		goto fail;
	}
	if (arch != SCMP_ARCH_NATIVE && ((r = seccomp_arch_remove(ctx,
	    SCMP_ARCH_NATIVE)) < 0 || (r = seccomp_arch_add(ctx, arch)) < 0)) {
		*cause = "cannot add the 32-bit compat arch";
		goto fail;
	}
	*out = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return r;
}

/*
 * Add the calls of mask to a one-arch context. Names resolve to native
 * numbers that libseccomp translates for the context's arch; calls newer
 * than libseccomp go in by number, on the native arch only (the only one
 * where libseccomp takes a number it cannot name).
 */
static int
filter_add_mask(scmp_filter_ctx ctx, syscalls_mask mask, int native)
{
	const char *const *name;
	int id, nr, r;

	for (id = 0; id < SYSCALLS_NIDS; id++) {
		if (!(mask & SYSCALLS_MASK(id)))
			continue;
		for (name = syscalls_names(id); *name != NULL; name++) {
			nr = seccomp_syscall_resolve_name(*name);
			if (nr == __NR_SCMP_ERROR) {
				if (!native || (nr = syscalls_fallback_nr(
				    *name)) < 0)
					continue;
				r = seccomp_rule_add_exact(ctx,
				    SCMP_ACT_NOTIFY, nr, 0);
			} else
				r = filter_add(ctx, id, nr);
			/* Absent on this arch (x86_64's newfstatat on i386). */
			if (r == -EFAULT || r == -EDOM)
				continue;
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/*
 * Check that the program notifies every call of mask on every arch of ctx.
 * libseccomp 2.5.4 can lose a rule to a failed allocation and still report
 * success (make check-faults: seccomp_rule_add and seccomp_export_bpf both
 * returned 0 for a program 48 bytes short); a target would then make those
 * calls unsupervised, a silent CONTINUE where a rule matched. The second
 * argument is non-zero: utimensat is notified only with a path.
 */
static int
filter_verify(scmp_filter_ctx ctx, syscalls_mask mask, const struct filter *f)
{
	const uint32_t archs[] = { seccomp_arch_native(),
	    syscalls_arch_scmp(syscalls_compat_arch()) };
	struct seccomp_data d;
	const char *const *name;
	uint32_t arch;
	size_t a;
	int id, nr;

	for (a = 0; a < sizeof(archs) / sizeof(archs[0]); a++) {
		if ((arch = archs[a]) == 0 || seccomp_arch_exist(ctx, arch) != 0)
			continue;
		for (id = 0; id < SYSCALLS_NIDS; id++) {
			if (!(mask & SYSCALLS_MASK(id)))
				continue;
			for (name = syscalls_names(id); *name != NULL; name++) {
				if ((nr = seccomp_syscall_resolve_name_arch(arch,
				    *name)) < 0)
					nr = syscalls_fallback_nr(*name);
				if (nr < 0)
					continue;
				memset(&d, 0, sizeof(d));
				d.nr = nr;
				d.arch = arch;
				d.args[1] = 1;
				if (strcmp(*name, "prctl") == 0)
					d.args[0] = PR_CAPBSET_DROP;
				if (strcmp(*name, "clone") == 0)
					d.args[0] = CLONE_NEWNS;
				if ((bpf_eval(f->insns, f->len, &d) &
				    SECCOMP_RET_ACTION_FULL) !=
				    SECCOMP_RET_USER_NOTIF)
					return -ENOMEM;
			}
		}
	}
	return 0;
}

int
filter_build(syscalls_mask mask, struct filter **out, const char **cause)
{
	scmp_filter_ctx ctx = NULL, compat = NULL;
	struct sock_filter pre[16];
	struct filter *f;
	uint32_t arch32 = syscalls_compat_arch();
	size_t npre = 0;
	int r;

	*out = NULL;
	*cause = NULL;
	if ((r = filter_ctx(SCMP_ARCH_NATIVE, &ctx, cause)) < 0)
		return r;
	/* 32-bit programs (i386 on x86_64, ARM on aarch64) are supervised by
	 * the same rules; x32 stays out. */
	if (arch32 != 0 && (r = filter_ctx(syscalls_arch_scmp(arch32), &compat,
	    cause)) < 0)
		goto out;
	if ((r = filter_add_mask(ctx, mask, 1)) < 0 || (compat != NULL &&
	    (r = filter_add_mask(compat, mask, 0)) < 0)) {
		*cause = "cannot add a notify rule";
		goto out;
	}
	if (compat != NULL && (r = seccomp_merge(ctx, compat)) < 0) {
		*cause = "cannot add the 32-bit compat arch";
		goto out;
	}
	compat = NULL;		/* merged into ctx */
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (arch32 != 0)
		npre = filter_prefix(mask, arch32, pre);
	if ((r = filter_export(ctx, pre, npre, f)) < 0) {
		*cause = "cannot export the BPF program";
		filter_free(f);
		goto out;
	}
	if ((r = filter_verify(ctx, mask, f)) < 0) {
		*cause = "libseccomp lost a notify rule (out of memory?)";
		filter_free(f);
		goto out;
	}
	*out = f;
out:
	if (compat != NULL)
		seccomp_release(compat);
	seccomp_release(ctx);
	return r;
}

void
filter_free(struct filter *f)
{
	if (f == NULL)
		return;
	free(f->insns);
	free(f);
}

int
filter_apply(const struct filter *f)
{
	struct sock_fprog prog = {
		.len = f->len,
		.filter = f->insns,
	};
	long fd;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER |
	    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
	/* Kernels before 5.19 reject the unknown flag with EINVAL. */
	if (fd < 0 && errno == EINVAL)
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0)
		return -errno;
	return fd;
}

size_t
filter_program(const struct filter *f, const void **insns)
{
	*insns = f->insns;
	return f->len;
}
