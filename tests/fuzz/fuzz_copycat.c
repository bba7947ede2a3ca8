/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: copycat_parse() on arbitrary COPYCAT text, then each
 * rule mapped for its own path and a path beneath it. */
#include <errno.h>
#include <limits.h>

#include "copycat.h"
#include "fuzz.h"
#include "rules.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), out[PATH_MAX], below[PATH_MAX];
	struct causes causes = { 0 };
	struct rule_set set;
	size_t i;
	int r;

	rules_init(&set);
	r = copycat_parse(&set, text, "COPYCAT", &causes);
	FUZZ_ASSERT((r == 0) == (causes.n == 0), text);
	for (i = 0; i < set.n; i++) {
		const struct rule *rule = &set.v[i];

		FUZZ_ASSERT(rule->path[0] == '/' && rule->target[0] == '/',
		    text);
		r = rules_target(rule, rule->path, out, sizeof(out));
		FUZZ_ASSERT(r == 0 || r == -ENAMETOOLONG, text);
		snprintf(below, sizeof(below), "%s%sx", rule->path,
		    rule->match == RULE_PREFIX ? "" : "/");
		if (rule->match == RULE_PREFIX) {
			r = rules_target(rule, below, out, sizeof(out));
			FUZZ_ASSERT(r == 0 || r == -ENAMETOOLONG, text);
		}
	}
	causes_free(&causes);
	rules_free(&set);
	free(text);
	return 0;
}
