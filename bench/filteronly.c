/* SPDX-License-Identifier: MIT */
/* Benchmark baseline "filter loaded, syscall not notified": install the
 * filter `unotifyd run` installs for one rule with `syscalls = creat` (built
 * by the same filter_build, so it cannot drift), then exec the command. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "syscalls.h"

int
main(int argc, char **argv)
{
	struct filter *f;
	const char *why;
	int fd;

	if (argc > 1 && strcmp(argv[1], "--") == 0) {
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: filteronly [--] CMD [ARG]...\n");
		return 125;
	}
	if ((fd = filter_build(syscalls_run_mask(SYSCALLS_MASK(SYSCALLS_CREAT),
	    geteuid() == 0), &f, &why)) < 0) {
		fprintf(stderr, "filteronly: %s: %s\n", why, strerror(-fd));
		return 125;
	}
	if ((fd = filter_apply(f)) < 0) {
		fprintf(stderr, "filteronly: seccomp: %s\n", strerror(-fd));
		return 125;
	}
	/* Nobody listens: a creat would fail with ENOSYS. The workload makes
	 * none. */
	close(fd);
	filter_free(f);
	execvp(argv[1], argv + 1);
	perror("filteronly: exec");
	return errno == ENOENT ? 127 : 126;
}
