/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: expand_path() on arbitrary text: a string or a
 * reason, never both, never neither. */
#include "expand.h"
#include "fuzz.h"

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
	char *in = fuzz_string(data, size), *out = NULL;
	const char *why = NULL;
	int r;

	r = expand_path(in, &out, &why);
	if (r == 0) {
		FUZZ_ASSERT(out != NULL, in);
		/* Without '~' or "${" nothing changes. */
		if (in[0] != '~' && strstr(in, "${") == NULL)
			FUZZ_ASSERT(strcmp(in, out) == 0, in);
	} else {
		FUZZ_ASSERT(r == -1 && why != NULL, in);
	}
	free(out);
	free(in);
	return 0;
}
