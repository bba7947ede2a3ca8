/* SPDX-License-Identifier: MIT */
/* Acting with the target's file-system credentials, so a privileged
 * supervisor is not a confused deputy. */
#include <errno.h>
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

void
creds_init(void)
{
	int n;

	creds_uid = geteuid();
	creds_gid = getegid();
	/* Only root can take other ids; an unprivileged supervisor acts
	 * with the same ids as its own children anyway. */
	creds_privileged = creds_uid == 0;
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
	int r;

	saved->switched = 0;
	if (!creds_privileged || target_has_our_creds(t))
		return 0;
	if ((r = target_status(t)) < 0)
		return r;
	uid = real ? t->ruid : t->fsuid;
	gid = real ? t->rgid : t->fsgid;
	if (uid == creds_uid && gid == creds_gid && creds_same_groups(t))
		return 0;
	if ((r = creds_setgroups(t->ngroups, t->groups)) < 0)
		return r;
	/* Groups and gid before uid: leaving fsuid 0 drops the capabilities
	 * that would let us set them. */
	setfsgid(gid);
	setfsuid(uid);
	saved->switched = 1;
	return 0;
}

void
creds_leave(struct creds_saved *saved)
{
	if (!saved->switched)
		return;
	setfsuid(creds_uid);
	setfsgid(creds_gid);
	if (creds_setgroups(creds_ngroups, creds_groups) < 0)
		die_errno(125, "restoring supplementary groups");
	saved->switched = 0;
}
