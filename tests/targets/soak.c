/* SPDX-License-Identifier: MIT */
/* Soak driver for `make soak` (tests/soak.sh), run under unotifyd: PROCS
 * processes of THREADS threads make TOTAL openat+read+close calls between
 * them, alternating a redirected and a pass-through path, and check every
 * answer. unotifyd (our parent) has its fd count and VmRSS sampled after a
 * warm-up round and at the end: fds must be equal, RSS within SLACK_KB.
 *
 *	soak PROCS THREADS TOTAL SLACK_KB REDIR REDIR_DATA PASS PASS_DATA
 *
 * Prints one summary line; exits 0 only if every open was answered right
 * and unotifyd's fds and RSS stayed flat. */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "procstat.h"

static const char *paths[2], *datas[2];
static long per_thread;

struct worker {
	pthread_t	 t;
	int		 id;
	long		 fail;
};

/* One thread's loop: open, read, compare, close. */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	char buf[256];
	long i;

	for (i = 0; i < per_thread; i++) {
		int k = (int)((i + w->id) & 1), fd;
		size_t len = strlen(datas[k]);
		ssize_t n;

		fd = openat(AT_FDCWD, paths[k], O_RDONLY | O_CLOEXEC);
		if (fd == -1) {
			if (w->fail++ < 3)
				fprintf(stderr, "soak: open %s: %s\n",
				    paths[k], strerror(errno));
			continue;
		}
		n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n < (ssize_t)len || memcmp(buf, datas[k], len) != 0)
			if (w->fail++ < 3)
				fprintf(stderr, "soak: %s read wrong data\n",
				    paths[k]);
	}
	return NULL;
}

/* A child process: nthreads workers; exit status 0 if none failed. */
static void
child_main(int proc, int nthreads)
{
	struct worker *w = calloc(nthreads, sizeof(*w));
	long fail = 0;
	int i;

	if (w == NULL)
		_exit(2);
	for (i = 0; i < nthreads; i++) {
		w[i].id = proc * nthreads + i;
		if (pthread_create(&w[i].t, NULL, worker_main, &w[i]) != 0)
			_exit(2);
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].t, NULL);
		fail += w[i].fail;
	}
	_exit(fail == 0 ? 0 : 1);
}

/* Run procs x threads workers of n opens each; 0 if all succeeded. */
static int
round_run(int procs, int threads, long n)
{
	int i, status, bad = 0;
	pid_t pid;

	per_thread = n;
	fflush(NULL);
	for (i = 0; i < procs; i++) {
		if ((pid = fork()) == -1) {
			perror("soak: fork");
			return -1;
		}
		if (pid == 0)
			child_main(i, threads);
	}
	while ((pid = wait(&status)) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
	return bad == 0 ? 0 : -1;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	int procs, threads, fds0, fds1, ok;
	long total, slack, rss0, rss1, n;
	pid_t sup = getppid();
	double t0, secs;

	if (argc != 9) {
		fprintf(stderr, "usage: soak PROCS THREADS TOTAL SLACK_KB "
		    "REDIR REDIR_DATA PASS PASS_DATA\n");
		return 2;
	}
	procs = atoi(argv[1]);
	threads = atoi(argv[2]);
	total = atol(argv[3]);
	slack = atol(argv[4]);
	paths[0] = argv[5];
	datas[0] = argv[6];
	paths[1] = argv[7];
	datas[1] = argv[8];
	if (procs < 1 || threads < 1 || total < procs * threads)
		return 2;
	n = total / (procs * threads);

	/* Warm-up in the same shape: lazily sized state reaches its size. */
	if (round_run(procs, threads, 200) < 0) {
		fprintf(stderr, "soak: warm-up failed\n");
		return 1;
	}
	fds0 = count_fds_settled(sup, -1);
	rss0 = rss_kb(sup);
	t0 = now();
	ok = round_run(procs, threads, n) == 0;
	secs = now() - t0;
	fds1 = count_fds_settled(sup, fds0);
	rss1 = rss_kb(sup);
	printf("soak: %ld opens (%d procs x %d threads, half redirected) in "
	    "%.1f s (%.0f/s), %s; unotifyd fds %d -> %d, VmRSS %ld -> %ld kB "
	    "(%+ld)\n", n * procs * threads, procs, threads, secs,
	    n * procs * threads / secs, ok ? "all answered right" :
	    "FAILURES", fds0, fds1, rss0, rss1, rss1 - rss0);
	if (fds0 < 0 || fds0 != fds1) {
		printf("soak: FAIL: unotifyd's fd count changed\n");
		ok = 0;
	}
	if (rss0 < 0 || rss1 > rss0 + slack) {
		printf("soak: FAIL: unotifyd's RSS grew by more than %ld kB\n",
		    slack);
		ok = 0;
	}
	return ok ? 0 : 1;
}
