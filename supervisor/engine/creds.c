/* SPDX-License-Identifier: MIT */
/* Acting with the target's file-system credentials, so a privileged
 * supervisor is not a confused deputy. */
#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "creds.h"
#include "util.h"

static int	 creds_privileged;
static uid_t	 creds_uid;
static gid_t	 creds_gid;
static int	 creds_ngroups;
static gid_t	*creds_groups;
static uint64_t	 creds_eff, creds_perm;	/* our capabilities */

/* What an fsuid of 0 gives (the kernel's CAP_FS_MASK). */
#define CREDS_FS_CAPS	((1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | \
			 (1ULL << CAP_DAC_READ_SEARCH) | (1ULL << CAP_FOWNER) | \
			 (1ULL << CAP_FSETID) | (1ULL << CAP_LINUX_IMMUTABLE) | \
			 (1ULL << CAP_MKNOD) | (1ULL << CAP_MAC_OVERRIDE))

/* This thread's capabilities (capget/capset act on the caller alone). */
static int
creds_caps_get(uint64_t *eff, uint64_t *perm)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	*eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	*perm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	return 0;
}

static int
creds_caps_set(uint64_t eff)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3
	};
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)creds_perm, 0 },
		{ (uint32_t)(eff >> 32), (uint32_t)(creds_perm >> 32), 0 },
	};

	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

void
creds_init(void)
{
	int n;

	creds_uid = geteuid();
	creds_gid = getegid();
	/* Only root can take other ids; an unprivileged supervisor acts
	 * with the same ids as its own children anyway. */
	creds_privileged = creds_uid == 0;
	if (creds_caps_get(&creds_eff, &creds_perm) < 0)
		creds_eff = creds_perm = 0;
	if ((n = getgroups(0, NULL)) > 0) {
		creds_groups = xreallocarray(NULL, n, sizeof(gid_t));
		creds_ngroups = getgroups(n, creds_groups);
		if (creds_ngroups < 0)
			creds_ngroups = 0;
	}
}

static int
creds_same_groups(const struct target *t)
{
	return t->ngroups == creds_ngroups && (t->ngroups == 0 ||
	    memcmp(t->groups, creds_groups, t->ngroups * sizeof(gid_t)) == 0);
}

/*
 * glibc's setgroups() changes every thread of the process (it signals them
 * all); the raw syscall changes only the calling thread, as setfsuid does.
 */
static int
creds_setgroups(int n, const gid_t *groups)
{
	return syscall(SYS_setgroups, n, groups) < 0 ? -errno : 0;
}

int
creds_enter(struct target *t, int real, struct creds_saved *saved)
{
	uid_t uid;
	gid_t gid;
	uint64_t caps;
	int r;

	saved->switched = saved->capped = 0;
	if (!creds_privileged)
		return 0;
	if ((r = target_status(t)) < 0)
		return r;
	uid = real ? t->cr.ruid : t->cr.fsuid;
	gid = real ? t->cr.rgid : t->cr.fsgid;
	/* Capabilities count in the target's user namespace only; and
	 * with an fsuid other than 0 the file ones are gone (the kernel
	 * drops them from ours on setfsuid). */
	caps = creds_eff & t->cr.capeff;
	if (caps != 0 && (r = target_in_our_userns(t)) <= 0) {
		if (r < 0)
			return r;
		caps = 0;
	}
	if (uid != 0)
		caps &= ~CREDS_FS_CAPS;
	if (uid != creds_uid || gid != creds_gid || !creds_same_groups(t)) {
		if ((r = creds_setgroups(t->ngroups, t->groups)) < 0)
			return r;
		/* Groups and gid before uid: leaving fsuid 0 drops the
		 * capabilities that would let us set them. */
		setfsgid(gid);
		setfsuid(uid);
		saved->switched = 1;
		/* Both answer the old id, changed or not: ask again. */
		if ((gid_t)setfsgid((gid_t)-1) != gid ||
		    (uid_t)setfsuid((uid_t)-1) != uid) {
			creds_leave(saved);
			return -EPERM;
		}
	}
	if (caps != creds_eff) {
		if ((r = creds_caps_set(caps)) < 0) {
			creds_leave(saved);
			return r;
		}
		saved->capped = 1;
	}
	return 0;
}

void
creds_leave(struct creds_saved *saved)
{
	/* Capabilities first: restoring the groups needs CAP_SETGID. */
	if (saved->capped && creds_caps_set(creds_eff) < 0)
		die_errno(125, "restoring capabilities");
	saved->capped = 0;
	if (!saved->switched)
		return;
	setfsuid(creds_uid);
	setfsgid(creds_gid);
	if (creds_setgroups(creds_ngroups, creds_groups) < 0)
		die_errno(125, "restoring supplementary groups");
	saved->switched = 0;
}
