/* SPDX-License-Identifier: MIT */
/* clone-ns SRC DIR: print SRC; then a child made by a raw clone(2) with
 * CLONE_NEWNS mounts a tmpfs over DIR, writes DIR/f ("inner") and prints
 * SRC again. Needs root. Exit 0, or 1 with a message. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int
cat(const char *path)
{
	char buf[256];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror(path);
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		(void)!write(1, buf, (size_t)n);
	close(fd);
	return 0;
}

int
main(int argc, char *argv[])
{
	char file[4096];
	int status, fd;
	long pid;

	if (argc != 3) {
		fprintf(stderr, "usage: clone-ns SRC DIR\n");
		return 1;
	}
	if (cat(argv[1]) != 0)
		return 1;
	/* Not glibc's clone(): the raw call, flags in a register, as the
	 * filter sees them; no stack given, so the child runs on as after
	 * fork. */
	pid = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0) {
		perror("clone");
		return 1;
	}
	if (pid == 0) {
		snprintf(file, sizeof(file), "%s/f", argv[2]);
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("none", argv[2], "tmpfs", 0, NULL) < 0 ||
		    (fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) < 0 ||
		    write(fd, "inner\n", 6) != 6) {
			perror("mount");
			_exit(1);
		}
		close(fd);
		_exit(cat(argv[1]));
	}
	if (waitpid((pid_t)pid, &status, 0) < 0 || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}
