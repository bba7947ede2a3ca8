/* SPDX-License-Identifier: MIT */
/* Shared bits of the libFuzzer harnesses (make fuzz). */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The input as a NUL-terminated string (cut at an embedded NUL, as every
 * caller of these parsers passes C strings). */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A broken invariant is a crash, with the input shown. */
#define FUZZ_ASSERT(cond, in)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: %s failed for \"%s\"\n",	\
			    __FILE__, __LINE__, #cond, (in));		\
			abort();					\
		}							\
	} while (0)

/* Variables the rules may reference, set once. */
static inline void
fuzz_env(void)
{
	setenv("HOME", "/home/fuzz", 1);
	setenv("FUZZ", "/fuzz/dir", 1);
	setenv("EMPTY", "", 1);
	setenv("SLASH", "/", 1);
	unsetenv("UNDEFINED");
}

#endif
