/* SPDX-License-Identifier: MIT */
/* Acting with the target's file-system credentials, so a privileged
 * supervisor is not a confused deputy. */
#ifndef CREDS_H
#define CREDS_H

#include "target.h"

struct creds_saved {
	int	switched;	/* ids and groups */
	int	capped;		/* effective capabilities lowered */
};

/* Record our own credentials; call once before serving. */
void	creds_init(void);

/*
 * Switch this thread's fsuid, fsgid and supplementary groups to t's (its
 * real uid and gid when real is set, as access(2) checks), if we are
 * privileged and they differ, and lower its effective capabilities to
 * those t has too: a target with fewer (uid 0 without CAP_DAC_OVERRIDE,
 * any non-root target without CAP_SYS_PTRACE) gets no more through us.
 * Each change is checked. Returns 0 or -errno; creds_leave undoes it.
 */
int	creds_enter(struct target *t, int real, struct creds_saved *);
void	creds_leave(struct creds_saved *);

#endif
