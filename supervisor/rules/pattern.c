/* SPDX-License-Identifier: MIT */
/* Path patterns. Globs are matched component by component without
 * recursion, so that no pattern can cause exponential backtracking. */
#include <string.h>

#include "pattern.h"

/* 1 if the bytes [p, end) are exactly "**". */
static int
pattern_is_globstar(const char *p, const char *end)
{
	return end - p == 2 && p[0] == '*' && p[1] == '*';
}

/* End of the component starting at p: the next '/' or the NUL. */
static const char *
pattern_comp_end(const char *p)
{
	return strchrnul(p, '/');
}

/* Start of the component after the one ending at end. */
static const char *
pattern_comp_next(const char *end)
{
	return *end == '/' ? end + 1 : end;
}

/*
 * Whether the bracket expression at p ('[' excluded) matches c. Returns the
 * position after the closing ']' in *next, or NULL in *next when the
 * expression is not terminated before end (then '[' is a literal).
 */
static int
pattern_bracket(const char *p, const char *end, unsigned char c,
    const char **next)
{
	unsigned char lo, hi;
	int neg = 0, hit = 0, first = 1;

	*next = NULL;
	if (p < end && (*p == '!' || *p == '^')) {
		neg = 1;
		p++;
	}
	while (p < end) {
		if (*p == ']' && !first) {
			*next = p + 1;
			return hit != neg;
		}
		first = 0;
		if (*p == '\\' && p + 1 < end)
			p++;
		lo = hi = (unsigned char)*p++;
		if (p + 1 < end && *p == '-' && p[1] != ']') {
			p++;
			if (*p == '\\' && p + 1 < end)
				p++;
			hi = (unsigned char)*p++;
		}
		if (c >= lo && c <= hi)
			hit = 1;
	}
	return 0;
}

/*
 * Match one pattern element at *pp against c and advance *pp past it.
 * '*' is handled by the caller.
 */
static int
pattern_one(const char **pp, const char *end, unsigned char c)
{
	const char *p = *pp, *next;
	int hit;

	switch (*p) {
	case '?':
		*pp = p + 1;
		return 1;
	case '[':
		hit = pattern_bracket(p + 1, end, c, &next);
		if (next != NULL) {
			*pp = next;
			return hit;
		}
		break;
	case '\\':
		if (p + 1 < end)
			p++;
		break;
	}
	*pp = p + 1;
	return (unsigned char)*p == c;
}

/*
 * Match the component pattern [p, pend) against [s, send). Classic
 * iterative wildcard matching: on a mismatch only the most recent '*' is
 * retried, which is sufficient and keeps the cost at O(len(p) * len(s)).
 */
static int
pattern_comp_match(const char *p, const char *pend, const char *s,
    const char *send)
{
	const char *star_p = NULL, *star_s = NULL, *q;

	while (s < send) {
		if (p < pend && *p == '*') {
			while (p < pend && *p == '*')
				p++;
			star_p = p;
			star_s = s;
			continue;
		}
		q = p;
		if (p < pend && pattern_one(&q, pend, (unsigned char)*s)) {
			p = q;
			s++;
			continue;
		}
		if (star_p == NULL)
			return 0;
		p = star_p;
		s = ++star_s;
	}
	while (p < pend && *p == '*')
		p++;
	return p == pend;
}

/* 1 if pat contains an unescaped glob character. */
int
pattern_is_glob(const char *pat)
{
	for (; *pat != '\0'; pat++) {
		if (*pat == '\\') {
			if (pat[1] == '\0')
				break;
			pat++;
		} else if (*pat == '*' || *pat == '?' || *pat == '[')
			return 1;
	}
	return 0;
}

/* Validate a glob; on error *why gets a static reason. */
int
pattern_check(const char *pat, const char **why)
{
	const char *p, *start, *end;

	*why = NULL;
	for (p = pat; *p != '\0'; p++) {
		if (*p == '\\') {
			if (p[1] == '\0') {
				*why = "trailing backslash";
				return -1;
			}
			if (p[1] == '/') {
				*why = "'/' cannot be escaped";
				return -1;
			}
			p++;
		} else if (*p == '[') {
			end = p + 1;
			if (*end == '!' || *end == '^')
				end++;
			if (*end == ']')
				end++;
			for (; *end != ']'; end++) {
				if (*end == '\0') {
					*why = "unterminated '['";
					return -1;
				}
				if (*end == '/') {
					*why = "'/' inside brackets";
					return -1;
				}
				if (*end == '\\' && end[1] != '\0')
					end++;
			}
			p = end;
		} else if (*p == '*' && p[1] == '*') {
			start = p;
			while (start > pat && start[-1] != '/')
				start--;
			end = pattern_comp_end(start);
			if (!pattern_is_globstar(start, end)) {
				*why = "'**' must be a whole path component";
				return -1;
			}
			p++;
		}
	}
	return 0;
}

/*
 * 1 if the glob matches the whole path. Components are matched like
 * characters in pattern_comp_match: '**' plays the part of '*', and only
 * the most recent '**' is retried on a mismatch.
 */
int
pattern_match(const char *pat, const char *path)
{
	const char *p = pat, *s = path, *pend, *send;
	const char *star_p = NULL, *star_s = NULL;

	if ((*p == '/') != (*s == '/'))
		return 0;
	if (*p == '/') {
		p++;
		s++;
	}
	while (*s != '\0') {
		pend = pattern_comp_end(p);
		send = pattern_comp_end(s);
		if (*p != '\0' && pattern_is_globstar(p, pend)) {
			p = pattern_comp_next(pend);
			star_p = p;
			star_s = s;
			continue;
		}
		if (*p != '\0' && pattern_comp_match(p, pend, s, send)) {
			p = pattern_comp_next(pend);
			s = pattern_comp_next(send);
			continue;
		}
		if (star_p == NULL)
			return 0;
		p = star_p;
		s = star_s = pattern_comp_next(pattern_comp_end(star_s));
	}
	while (*p != '\0' && pattern_is_globstar(p, pattern_comp_end(p)))
		p = pattern_comp_next(pattern_comp_end(p));
	return *p == '\0';
}

/* Length of path consumed by the directory prefix, or -1. */
int
pattern_prefix(const char *prefix, const char *path)
{
	size_t n = strlen(prefix);

	if (n == 0 || prefix[n - 1] != '/' || path[0] != '/')
		return -1;
	if (strncmp(prefix, path, n) == 0)
		return (int)n;
	if (n > 1 && strncmp(prefix, path, n - 1) == 0 && path[n - 1] == '\0')
		return (int)(n - 1);
	return -1;
}
