/* SPDX-License-Identifier: MIT */
/* Rules: parsed from INI files, --redirect options and COPYCAT into plain C
 * types (filters/ reads the syscall mask), and matched against paths. */
#ifndef RULES_H
#define RULES_H

#include <stddef.h>
#include <stdint.h>

#include "causes.h"
#include "rule.h"
#include "syscalls.h"

/* The keys of a file's [match] section, in this order. */
enum rule_scope_key {
	RULE_SCOPE_NAMESPACE,
	RULE_SCOPE_POD,
	RULE_SCOPE_CONTAINER,
	RULE_SCOPE_KEYS
};

/* A file's [match] section: the Kubernetes targets its rules apply to. */
struct rule_scope {
	char			*glob[RULE_SCOPE_KEYS];	/* globs separated by
							   blanks; NULL: any */
	char			*file;
	unsigned		 line;
	struct rule_scope	*next;
};

struct rule_set {
	struct rule		*v;
	size_t			 n;
	size_t			 cap;
	struct rule_index	*index;		/* rules_index(); NULL: scan */
	struct rule_scope	*scopes;	/* the [match] sections its
						   rules point to */
	int			 io_uring;	/* 1: io_uring allowed anyway */
	size_t			 nreverse;	/* rules_index(): directory
						   redirects */
	int			 refs;		/* holders but one (rules_hold) */
};

/* The reserved section of a rules file that holds options, not a rule. */
#define RULES_OPTIONS_SECTION	"unotifyd"

typedef int (*rules_keep_cb)(const struct rule *, void *);

void	rules_init(struct rule_set *);
void	rules_free(struct rule_set *);
/* A set on the heap (calloc'd) that several hold, such as the daemon's
 * receivers while a reload replaces it: one holder more, one fewer (the
 * last frees it and the set itself). rules_drop accepts NULL. */
struct rule_set	*rules_hold(struct rule_set *);
void	rules_drop(struct rule_set *);

/*
 * Load a file, or every *.ini in a directory in lexical order, appending to
 * the set. Returns 0, or -1 after adding a "FILE:LINE: message" cause for
 * every error found (the set then holds only the valid rules).
 */
int	rules_load(struct rule_set *, const char *path, struct causes *);
/*
 * Load the *.ini files of a NULL-terminated list of directories as systemd
 * drop-ins: a file in an earlier directory overrides the file of the same
 * name in a later one, and the winners load in lexical order of their
 * names. Missing directories are skipped. Returns 0 or -1 as rules_load.
 */
int	rules_load_dropins(struct rule_set *, const char *const *dirs,
	    struct causes *);
/* The same for INI text; origin names it in messages. */
int	rules_parse_string(struct rule_set *, const char *text,
	    const char *origin, struct causes *);
/* Add a redirect rule from "SRC=DST" (a SRC ending in '/' is a prefix rule,
 * DST then a directory). origin names it in messages ("--redirect"). */
int	rules_add_redirect(struct rule_set *, const char *spec,
	    const char *origin, struct causes *);

/*
 * For other rule sources (copycat): append a zeroed rule to the set and
 * return it; the set owns the strings put into it. The pointer is valid
 * until the set next grows.
 */
struct rule	*rules_append(struct rule_set *);
/*
 * Move every rule of src to the end of dst, leaving src empty. A rule whose
 * name dst already holds is dropped after adding a "FILE:LINE: duplicate
 * rule name" cause (names are checked through a hash table, so merging n
 * rules costs O(n)). Returns 0, or -1 if any rule was dropped.
 */
int	rules_merge(struct rule_set *dst, struct rule_set *src,
	    struct causes *);

/*
 * Append to dst a copy of every rule of src for which keep(rule, arg)
 * returns 1, in order. The copies have no scope (it was applied). dst must
 * not be src.
 */
void	rules_select(struct rule_set *dst, const struct rule_set *src,
	    rules_keep_cb keep, void *arg);

/* Index the set for matching; any later change to the set drops it. */
void	rules_index(struct rule_set *);

/*
 * The syscalls the rules need notified (SYSCALLS_MASK bits): each rule's
 * calls of the kind its access names (reads, writes, or both), getcwd when
 * a redirect exists, io_uring_setup when any rule exists and io_uring is not
 * allowed.
 */
syscalls_mask	 rules_syscalls(const struct rule_set *);

/*
 * First rule matching an absolute, normalised path for syscall id sysid,
 * with write set when the open writes; NULL if none.
 */
const struct rule *rules_match(const struct rule_set *, const char *path,
	    int sysid, int write);

/*
 * Write the redirect destination of path under rule r to out. Returns 0,
 * -ENAMETOOLONG if it does not fit in len bytes, or -EINVAL if r has no
 * target or path is not beneath r's prefix.
 */
int	rules_target(const struct rule *, const char *path, char *out,
	    size_t len);

/*
 * The path as the program would name it when path lies in a prefix
 * redirect's destination directory (its cwd after a redirected chdir): the
 * source path, in out. Returns 1 if rewritten, 0 if no redirect's
 * destination holds path, -ENAMETOOLONG.
 */
int	rules_reverse(const struct rule_set *, const char *path, char *out,
	    size_t len);

#endif
