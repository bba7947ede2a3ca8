/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: rules_parse_string() on arbitrary INI text, then every
 * parsed rule matched and mapped, as unotifyd would use them. */
#include <errno.h>
#include <limits.h>

#include "fuzz.h"
#include "rules.h"
#include "syscalls.h"

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
	char *text = fuzz_string(data, size), out[PATH_MAX];
	struct causes causes = { 0 };
	struct rule_set set;
	const struct rule *m;
	size_t i;
	int r;

	rules_init(&set);
	r = rules_parse_string(&set, text, "fuzz.ini", &causes);
	/* -1 exactly when a cause was given; every cause names the file. */
	FUZZ_ASSERT((r == 0) == (causes.n == 0), text);
	for (i = 0; i < causes.n; i++)
		FUZZ_ASSERT(strncmp(causes.v[i], "fuzz.ini:", 9) == 0, text);
	(void)rules_syscalls(&set);
	for (i = 0; i < set.n; i++) {
		const struct rule *rule = &set.v[i];

		FUZZ_ASSERT(rule->name != NULL && rule->path != NULL, text);
		FUZZ_ASSERT(rule->path[0] == '/', text);
		FUZZ_ASSERT(rule->action != RULE_REDIRECT ||
		    (rule->target != NULL && rule->target[0] == '/'), text);
		FUZZ_ASSERT(rule->action != RULE_ERRNO ||
		    (rule->err > 0 && rule->err < 4096), text);
		m = rules_match(&set, rule->path, SYSCALLS_OPENAT, 0);
		(void)rules_match(&set, rule->path, SYSCALLS_STATX, 1);
		if (m != NULL && m->action == RULE_REDIRECT) {
			int t = rules_target(m, rule->path, out, sizeof(out));

			FUZZ_ASSERT(t == 0 || t == -ENAMETOOLONG ||
			    t == -EINVAL, text);
		}
	}
	causes_free(&causes);
	rules_free(&set);
	free(text);
	return 0;
}
