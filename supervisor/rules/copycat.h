/* SPDX-License-Identifier: MIT */
/* copycat compatibility: rules as lines of "SRC DST". */
#ifndef COPYCAT_H
#define COPYCAT_H

#include "rules.h"

/*
 * Parse copycat rules (lines "SRC DST", blank lines and '#' comments
 * allowed). A SRC ending in '/' is a prefix: a DST ending in '/' replaces the
 * prefix, otherwise every path beneath maps to the file DST. Appends redirect
 * rules named "<origin>:<line>"; returns 0 or -1 with "origin:LINE: message"
 * causes for every bad line.
 */
int	copycat_parse(struct rule_set *, const char *text, const char *origin,
	    struct causes *);

#endif
