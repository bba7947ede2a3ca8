/* SPDX-License-Identifier: MIT */
/* The INI reader of rules, for the loader (rules_load.c). */
#ifndef RULES_INI_H
#define RULES_INI_H

#include <stddef.h>

#include "causes.h"

struct rule_set;

/*
 * Parse len bytes of INI text (NUL bytes are an error) into set; file names
 * it in messages. Returns 0, or -1 after adding a "FILE:LINE: message" cause
 * for every error found (the set then gains only the valid rules).
 */
int	rules_parse_buf(struct rule_set *, const char *buf, size_t len,
	    const char *file, struct causes *);

#endif
