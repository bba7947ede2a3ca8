/* SPDX-License-Identifier: MIT */
/* The last rule sets that loaded, by the text of their files, so that a
 * daemon restarted with broken rules keeps serving the targets it takes
 * back with rules that worked. serve keeps them in systemd's fd store. */
#ifndef RULESNAP_H
#define RULESNAP_H

#include "causes.h"
#include "rules.h"

/* The fd store name of the snapshot's memfd. */
#define RULESNAP_FDNAME	"rules.snapshot"

struct rulesnap;

struct rulesnap	*rulesnap_new(void);
/* Accepts NULL. */
void		 rulesnap_free(struct rulesnap *);

/*
 * Keep the files set was loaded from under key ("" for the default rules,
 * else a target's metadata), replacing what key held. Each file is read
 * again and kept only if all of them parse, without error, to as many
 * rules as set holds (a file edited in between is not taken). Returns 1 if
 * the snapshot changed, 0 if key already held the same text, -errno if a
 * file cannot be read again or differs (the snapshot is unchanged).
 */
int	rulesnap_record(struct rulesnap *, const char *key,
	    const struct rule_set *set);

/*
 * Parse the files kept under key into set (initialised by the caller; not
 * indexed). Returns 0, -ENOENT if key holds nothing, or -EINVAL after
 * adding causes if the text does not parse any more.
 */
int	rulesnap_restore(const struct rulesnap *, const char *key,
	    struct rule_set *set, struct causes *);

/* 1 if key holds a rule set. */
int	rulesnap_has(const struct rulesnap *, const char *key);

/* A new sealed memfd holding the snapshot; the fd, or -errno. */
int	rulesnap_to_fd(const struct rulesnap *);

/* Replace the snapshot by the one in fd (read from offset 0). Returns 0,
 * or -errno (-EBADMSG for a malformed one: the snapshot is then empty). */
int	rulesnap_from_fd(struct rulesnap *, int fd);

/* Put the snapshot in systemd's fd store under RULESNAP_FDNAME, replacing
 * the one there; 0 (also without NOTIFY_SOCKET) or -errno. */
int	rulesnap_fdstore(const struct rulesnap *);

#endif
