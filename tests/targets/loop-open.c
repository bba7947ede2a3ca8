/* SPDX-License-Identifier: MIT */
/* Open, read and close PATH in a loop, counting which of two contents it
 * read, and any failure, until it has read the second content N times:
 *
 *	loop-open PATH DATA1 DATA2 N PROGRESS
 *
 * PROGRESS is rewritten with "ONE TWO FAIL\n" every 50 rounds (through a
 * descriptor opened once), so a test can see it keeps being served. Prints
 * "one=A two=B fail=F" at the end; exits 0 only if F is 0. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Only a hang reaches this: a test waits for N reads of DATA2. */
#define LOOP_MAX	50000000L

int
main(int argc, char *argv[])
{
	long one = 0, two = 0, fail = 0, want, i;
	char buf[256], line[96];
	size_t l1, l2;
	ssize_t n;
	int fd, prog;

	if (argc != 6) {
		fprintf(stderr, "usage: loop-open PATH DATA1 DATA2 N "
		    "PROGRESS\n");
		return 2;
	}
	l1 = strlen(argv[2]);
	l2 = strlen(argv[3]);
	want = atol(argv[4]);
	if ((prog = open(argv[5], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0) {
		fprintf(stderr, "loop-open: %s: %s\n", argv[5],
		    strerror(errno));
		return 2;
	}
	for (i = 0; i < LOOP_MAX && two < want; i++) {
		if ((fd = open(argv[1], O_RDONLY | O_CLOEXEC)) < 0) {
			if (fail++ < 3)
				fprintf(stderr, "loop-open: open %s: %s\n",
				    argv[1], strerror(errno));
			continue;
		}
		n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n == (ssize_t)l1 && memcmp(buf, argv[2], l1) == 0)
			one++;
		else if (n == (ssize_t)l2 && memcmp(buf, argv[3], l2) == 0)
			two++;
		else if (fail++ < 3)
			fprintf(stderr, "loop-open: read %zd unexpected "
			    "bytes\n", n);
		if (i % 50 == 0) {
			n = snprintf(line, sizeof(line), "%ld %ld %ld\n", one,
			    two, fail);
			if (pwrite(prog, line, n, 0) < 0 ||
			    ftruncate(prog, n) < 0)
				fail++;
		}
	}
	printf("one=%ld two=%ld fail=%ld\n", one, two, fail);
	return fail == 0 && two >= want ? 0 : 1;
}
