/* SPDX-License-Identifier: MIT */
/* Expansion of a leading ~ (HOME) or ~user (passwd) and of ${VAR} anywhere
 * in rule paths and targets. A lone '$' not followed by '{' stays literal. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "expand.h"
#include "util.h"

struct expand_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

/* Append n bytes of p to b, keeping it NUL-terminated. */
static void
expand_append(struct expand_buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/*
 * Home directory for a leading "~" or "~user" of n bytes (n == 0: the
 * caller's own, from HOME only, so that tests and sudo behave predictably).
 */
static int
expand_home(const char *user, size_t n, const char **home, const char **why)
{
	char *name;
	struct passwd *pw;

	if (n == 0) {
		if ((*home = getenv("HOME")) == NULL || **home == '\0') {
			*why = "HOME is not set";
			return -1;
		}
		return 0;
	}
	name = xstrndup(user, n);
	pw = getpwnam(name);
	free(name);
	if (pw == NULL || pw->pw_dir == NULL) {
		*why = "unknown user";
		return -1;
	}
	*home = pw->pw_dir;
	return 0;
}

/* Expand in into a new string in *out. */
int
expand_path(const char *in, char **out, const char **why)
{
	struct expand_buf b = { NULL, 0, 0 };
	const char *p = in, *end, *home, *val;
	char *name;
	size_t n;

	*out = NULL;
	*why = NULL;
	expand_append(&b, "", 0);

	if (*p == '~') {
		n = strcspn(p + 1, "/");
		if (expand_home(p + 1, n, &home, why) == -1)
			goto fail;
		expand_append(&b, home, strlen(home));
		p += 1 + n;
	}
	while (*p != '\0') {
		if (p[0] != '$' || p[1] != '{') {
			n = strcspn(p + 1, "$") + 1;
			expand_append(&b, p, n);
			p += n;
			continue;
		}
		if ((end = strchr(p + 2, '}')) == NULL) {
			*why = "unterminated ${";
			goto fail;
		}
		if (end == p + 2) {
			*why = "empty variable name";
			goto fail;
		}
		name = xstrndup(p + 2, end - (p + 2));
		val = getenv(name);
		free(name);
		if (val == NULL) {
			*why = "undefined variable";
			goto fail;
		}
		expand_append(&b, val, strlen(val));
		p = end + 1;
	}
	*out = b.s;
	return 0;

fail:
	free(b.s);
	return -1;
}
