/* SPDX-License-Identifier: MIT */
/* Print every open fd other than 0 1 2 and the one used for listing, then
 * "done": a supervised target must not inherit the supervisor's fds. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* List /proc/self/fd. */
int
main(void)
{
	char link[64], target[PATH_MAX];
	struct dirent *de;
	ssize_t n;
	DIR *d;
	int fd;

	if ((d = opendir("/proc/self/fd")) == NULL) {
		perror("opendir /proc/self/fd");
		return 2;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd <= 2 || fd == dirfd(d))
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		printf("extra fd %d -> %s\n", fd, target);
	}
	closedir(d);
	printf("done\n");
	return 0;
}
