/* SPDX-License-Identifier: MIT */
/* Orphan a grandchild: the child exits, the top process exits, then the
 * grandchild opens PATH and writes "OK <content>" or "ERR ENAME" to OUT. */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Sleep ms milliseconds. */
static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The orphan: wait until its parent and the top process are gone. */
static int
grandchild(pid_t top, pid_t parent, const char *path, const char *out)
{
	char buf[4096], line[4200];
	int fd, i, len;
	ssize_t n;

	for (i = 0; i < 500 && getppid() == parent; i++)
		sleep_ms(10);
	/* The top process is reaped by unotifyd: ESRCH then. */
	for (i = 0; i < 300 && kill(top, 0) == 0; i++)
		sleep_ms(10);
	sleep_ms(200);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		len = snprintf(line, sizeof(line), "ERR %s\n",
		    strerrorname_np(errno));
	else {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		len = snprintf(line, sizeof(line), "OK %.*s",
		    n > 0 ? (int)n : 0, buf);
	}
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		return 1;
	if (write(fd, line, (size_t)len) != len)
		return 1;
	close(fd);
	return 0;
}

/* Fork the child that forks the orphan, reap it, exit. */
int
main(int argc, char **argv)
{
	pid_t top = getpid(), child, gc;
	int status;

	if (argc != 3) {
		fprintf(stderr, "usage: forktree PATH OUTFILE\n");
		return 2;
	}
	if ((child = fork()) == -1)
		return 1;
	if (child == 0) {
		pid_t me = getpid();

		if ((gc = fork()) == -1)
			_exit(1);
		if (gc == 0)
			_exit(grandchild(top, me, argv[1], argv[2]));
		_exit(0);
	}
	if (waitpid(child, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return 1;
	printf("top exiting\n");
	return 0;
}
