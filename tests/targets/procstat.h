/* SPDX-License-Identifier: MIT */
/* What target programs read of another process in /proc: its open fds and
 * its resident memory, to show the supervisor neither leaks nor grows. */
#ifndef PROCSTAT_H
#define PROCSTAT_H

#include <dirent.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

/* Number of open fds of pid, or -1. */
static int
count_fds(pid_t pid)
{
	char dir[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/*
 * The fds of an idle pid: a supervisor closes its copy of a redirect's fd
 * just after the target has its own, so a count taken right after an
 * answer can be one high. The lowest of counts 10 ms apart, stopping early
 * at want (-1: none), up to 1 s.
 */
static int
count_fds_settled(pid_t pid, int want)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i, n, low = -1;

	for (i = 0; i < 100; i++) {
		if ((n = count_fds(pid)) >= 0 && (low < 0 || n < low))
			low = n;
		if (low == want || (want < 0 && i >= 4))
			break;
		nanosleep(&ts, NULL);
	}
	return low;
}

/* VmRSS of pid in KiB, or -1. */
static long
rss_kb(pid_t pid)
{
	char file[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%d/status", (int)pid);
	if ((f = fopen(file, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

#endif
