/* SPDX-License-Identifier: MIT */
/* Stat paths from a new user namespace mapping 0 to host uid/gid 1000:
 * prints uid:gid for each path (or ERR name). Needs root. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

int
main(int argc, char *argv[])
{
	int ready[2], go[2], status, i;
	char path[64], c;
	struct stat st;
	pid_t pid;

	if (pipe(ready) < 0 || pipe(go) < 0)
		return 2;
	if ((pid = fork()) < 0)
		return 2;
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER) < 0) {
			printf("ERR unshare %s\n", strerrorname_np(errno));
			return 2;
		}
		(void)!write(ready[1], "r", 1);
		if (read(go[0], &c, 1) != 1)
			return 2;
		for (i = 1; i < argc; i++) {
			if (stat(argv[i], &st) < 0)
				printf("ERR %s\n", strerrorname_np(errno));
			else
				printf("%u:%u\n", st.st_uid, st.st_gid);
		}
		return 0;
	}
	if (read(ready[0], &c, 1) != 1)
		return 2;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	if (write_file(path, "0 1000 1\n") < 0)
		return 2;
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	write_file(path, "deny\n");
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	if (write_file(path, "0 1000 1\n") < 0)
		return 2;
	(void)!write(go[1], "g", 1);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}
