/* SPDX-License-Identifier: MIT */
/* An index over a rule set so that matching costs about the same with one
 * rule or 10,000: exact paths by hash, prefixes by hashing each of the
 * path's directory prefixes, globs scanned among globs only. */
#ifndef RULEINDEX_H
#define RULEINDEX_H

#include <stddef.h>

struct rule;
struct rule_index;

/* Index rules v[0..n); the rules must outlive the index. */
struct rule_index	*rule_index_new(const struct rule *v, size_t n);
void			 rule_index_free(struct rule_index *);

/* Same result as a scan of v in order (first match wins), or NULL. */
const struct rule	*rule_index_match(const struct rule_index *,
			    const char *path, int sysid, int write);

#endif
