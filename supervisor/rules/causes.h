/* SPDX-License-Identifier: MIT */
/* Human-readable error causes, collected so that every error in a rules
 * file is reported, not only the first ("FILE:LINE: message"). */
#ifndef CAUSES_H
#define CAUSES_H

#include <stdio.h>

#include "util.h"

struct causes {
	char	**v;
	size_t	  n;
};

/* Append one formatted message (no trailing newline). */
void	causes_add(struct causes *, const char *, ...) PRINTFLIKE(2, 3);
/* Print each message on its own line. */
void	causes_print(const struct causes *, FILE *);
void	causes_free(struct causes *);

#endif
