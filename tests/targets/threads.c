/* SPDX-License-Identifier: MIT */
/* Many threads opening and reading the same (redirected) path at once;
 * exits 0 only if every open succeeded with the expected content. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char	*path;
static const char	*expect;
static int		 iterations;
static atomic_int	 failures;
static atomic_int	 successes;

/* One thread: open, read, compare, close, iterations times. */
static void *
worker(void *arg)
{
	char buf[256];
	ssize_t n;
	int i, fd;

	(void)arg;
	for (i = 0; i < iterations; i++) {
		fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
		if (fd == -1) {
			if (atomic_fetch_add(&failures, 1) < 5)
				fprintf(stderr, "openat: %s\n",
				    strerrorname_np(errno));
			continue;
		}
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n < 0 || (size_t)n != strlen(expect) ||
		    memcmp(buf, expect, (size_t)n) != 0) {
			if (atomic_fetch_add(&failures, 1) < 5)
				fprintf(stderr, "read %zd bytes: %.*s\n", n,
				    n > 0 ? (int)n : 0, buf);
			continue;
		}
		atomic_fetch_add(&successes, 1);
	}
	return NULL;
}

/* Start the threads, join them, report. */
int
main(int argc, char **argv)
{
	pthread_t tid[64];
	int nthreads, i;

	if (argc < 3) {
		fprintf(stderr, "usage: threads PATH EXPECTED [NTHREADS] "
		    "[ITERATIONS]\n");
		return 2;
	}
	path = argv[1];
	expect = argv[2];
	nthreads = argc > 3 ? atoi(argv[3]) : 8;
	iterations = argc > 4 ? atoi(argv[4]) : 2000;
	if (nthreads < 1 || nthreads > 64)
		nthreads = 8;
	for (i = 0; i < nthreads; i++) {
		errno = pthread_create(&tid[i], NULL, worker, NULL);
		if (errno != 0) {
			perror("pthread_create");
			return 1;
		}
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(tid[i], NULL);
	printf("ok=%d fail=%d\n", atomic_load(&successes),
	    atomic_load(&failures));
	return atomic_load(&failures) == 0 ? 0 : 1;
}
