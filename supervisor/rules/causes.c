/* SPDX-License-Identifier: MIT */
/* Collected error causes: every problem in a rules file is kept, in order,
 * so that the user sees all of them at once. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "causes.h"

/* Append one formatted message. */
void
causes_add(struct causes *c, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);

	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	c->v[c->n++] = msg;
}

/* Print each message on its own line. */
void
causes_print(const struct causes *c, FILE *f)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		fprintf(f, "%s\n", c->v[i]);
}

/* Release every message and leave c empty and reusable. */
void
causes_free(struct causes *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}
