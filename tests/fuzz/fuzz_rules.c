/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: rules_parse_string() on arbitrary INI text, then every
 * parsed rule matched and mapped, as unotifyd would use them, and the rule
 * index checked against a scan in order on paths made from the rules. */
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

/*
 * The index must pick what the scan picks. Every kind of call for every
 * path costs a hundred matches per path and cut the rate to a third; a
 * few kinds per path, a different few for each path and input, cover
 * them all over a run.
 */
#define FUZZ_KINDS_PER_PATH	6

static void
fuzz_index_agrees(struct rule_set *set, const struct rule_set *scan,
    const char *path, const char *text, unsigned int seed)
{
	int k, id, w;

	for (k = 0; k < FUZZ_KINDS_PER_PATH; k++) {
		id = (seed + k * 11) % SYSCALLS_COUNT;
		for (w = 0; w < 2; w++)
			FUZZ_ASSERT(rules_match(set, path, id, w) ==
			    rules_match(scan, path, id, w), text);
	}
}

/* Paths near a rule's: itself, as a directory, one shorter, one longer. */
static void
fuzz_index(struct rule_set *set, const char *text, unsigned int seed)
{
	struct rule_set scan = *set;
	char path[PATH_MAX + 2];
	size_t i, len;

	scan.index = NULL;
	rules_index(set);
	for (i = 0; i < set->n; i++) {
		len = strlen(set->v[i].path);
		if (len > PATH_MAX)
			continue;
		memcpy(path, set->v[i].path, len + 1);
		fuzz_index_agrees(set, &scan, path, text, seed++);
		strcpy(path + len, "/");
		fuzz_index_agrees(set, &scan, path, text, seed++);
		strcpy(path + len, "x");
		fuzz_index_agrees(set, &scan, path, text, seed++);
		if (len > 1) {
			path[len - 1] = '\0';
			fuzz_index_agrees(set, &scan, path, text, seed++);
		}
	}
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
	if (r == 0)
		fuzz_index(&set, text, (unsigned int)size);
	causes_free(&causes);
	rules_free(&set);
	free(text);
	return 0;
}
