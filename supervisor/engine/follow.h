/* SPDX-License-Identifier: MIT */
/* Symlinks met inside a redirect's destination, translated again when they
 * point back into a redirected source, as proot does. */
#ifndef FOLLOW_H
#define FOLLOW_H

#include "act.h"
#include "rules.h"

/* Does c follow a symlink in path i's last component? */
int	follow_last(const struct call *, int i);

/* lstat and readlink of path (t's view) in t's root, with the caller's
 * credentials: 1 and its text in link if it is a symlink, 0 if not, or
 * -errno. */
int	follow_link(struct target *, const char *path, char *link,
	    size_t len);

/*
 * dst is where path i of c is redirected to (absolute, t's view). When its
 * resolution meets a symlink (the last component only if the call follows
 * it), resolve that link by hand and match what it names against rules
 * again: a redirect moves it once more, an errno rule fails the call. The
 * result replaces dst. Returns 0 (dst unchanged when no symlink is on the
 * way: one openat2 finds that out), a positive errno from an errno rule, or
 * -errno (-ELOOP after 40 links, -ENAMETOOLONG).
 */
int	follow_resolve(const struct rule_set *, struct target *,
	    const struct call *, int i, char *dst, size_t len);

#endif
