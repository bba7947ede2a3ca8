/* SPDX-License-Identifier: MIT */
/* Path patterns: exact, prefix at a '/' boundary, and globs where * ? [..]
 * stay within one component and ** spans components. */
#ifndef PATTERN_H
#define PATTERN_H

/* 1 if pat contains an unescaped glob character, else 0. */
int	pattern_is_glob(const char *pat);
/* 0 if pat is a valid glob, else -1 with a static reason in *why. */
int	pattern_check(const char *pat, const char **why);
/* 1 if the glob pat matches the whole path, else 0. */
int	pattern_match(const char *pat, const char *path);
/*
 * prefix ends in '/'. Returns the length of path consumed by the prefix when
 * path is the prefix directory itself ("/a" or "/a/" for "/a/", returning the
 * length without the slash for "/a") or lies beneath it ("/a/x"), else -1.
 * "/ab" never matches "/a/".
 */
int	pattern_prefix(const char *prefix, const char *path);

#endif
