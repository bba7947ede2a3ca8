/* SPDX-License-Identifier: MIT */
/* One rule: its record (what it matches, what it does) and its values. */
#ifndef RULE_H
#define RULE_H

#include "syscalls.h"

enum rule_action {
	RULE_CONTINUE,
	RULE_ERRNO,
	RULE_REDIRECT
};

enum rule_match {
	RULE_EXACT,		/* path == rule path */
	RULE_PREFIX,		/* rule path ends in '/', matched at a '/' boundary */
	RULE_GLOB		/* * ? [..] within a component, ** across */
};

enum rule_access {
	RULE_ACCESS_ANY,
	RULE_ACCESS_READ,
	RULE_ACCESS_WRITE	/* O_WRONLY O_RDWR O_CREAT O_TRUNC O_APPEND */
};

struct rule_scope;

struct rule {
	char			*name;		/* INI section, unique in a set */
	char			*file;		/* origin for messages */
	unsigned		 line;
	char			*path;		/* absolute, expanded */
	enum rule_match		 match;
	enum rule_action	 action;
	char			*target;	/* RULE_REDIRECT: absolute, expanded */
	int			 target_dir;	/* prefix: 1 replaces the prefix, 0 maps
						   every path to the file target */
	int			 err;		/* RULE_ERRNO: positive errno */
	syscalls_mask		 syscalls;	/* SYSCALLS_MASK bits */
	enum rule_access	 access;
	const struct rule_scope	*scope;		/* its file's [match]; NULL:
						   every target */
};

/* Release the strings of one rule and zero it. */
void	rules_rule_fini(struct rule *);
/*
 * Expand and classify a rule path (ends in '/': prefix; glob characters:
 * glob; else exact), or expand a redirect target, which must be absolute;
 * either replaces the rule's own. On error returns -1 with a message in *msg
 * for the caller to free.
 */
int	rules_set_path(struct rule *, const char *in, char **msg);
int	rules_set_target(struct rule *, const char *in, char **msg);
/*
 * errno from a name ("ENOENT", an alias such as "EWOULDBLOCK") or a number
 * 1..4095 into *err; -1 if s is neither. *errnames is a table built on first
 * use (start with NULL, free() it after the last call).
 */
int	rules_errno_parse(const char ***errnames, const char *s, int *err);

/* 1 if rule r's path matches path (absolute, normalised), whatever the call. */
int	rules_rule_matches(const struct rule *r, const char *path);
/* 1 if rule r covers syscall sysid used for writing (write) or reading,
 * whatever the path: the test both rules_match and the index apply. */
int	rules_applies(const struct rule *r, int sysid, int write);

#endif
