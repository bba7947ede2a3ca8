/* SPDX-License-Identifier: MIT */
/* Test helper: snapshot a directory tree (paths, types, modes, owners,
 * sizes, contents, link targets, file mtimes) and compare two snapshots. */
#ifndef TREE_H
#define TREE_H

struct tree;

/*
 * Walk root (not following symbolic links) and record every entry beneath
 * it, root itself included as "."; fails the test on any error. Directory
 * sizes and times are not recorded: creating and removing a temporary file
 * changes them without changing what the tree holds.
 */
struct tree	*tree_snap(const char *root);
/*
 * NULL if a and b hold the same entries with the same attributes and
 * contents; else a malloc'd list of the differences, one a line, as
 * "added PATH", "removed PATH" or "changed PATH: what".
 */
char		*tree_diff(const struct tree *a, const struct tree *b);
void		 tree_free(struct tree *);

#endif
