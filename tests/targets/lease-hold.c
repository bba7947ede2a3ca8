/* SPDX-License-Identifier: MIT */
/*
 * Hold a write lease on FILE until killed, ignoring the kernel's request
 * to give it up, so that anyone else's open of FILE blocks for the lease-
 * break time (/proc/sys/fs/lease-break-time, 45 s by default):
 *
 *	lease-hold FILE
 *
 * Prints "held" once the lease is taken.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: lease-hold FILE\n");
		return 2;
	}
	signal(SIGIO, SIG_IGN);
	if ((fd = open(argv[1], O_RDONLY)) < 0 ||
	    fcntl(fd, F_SETLEASE, F_WRLCK) < 0) {
		perror(argv[1]);
		return 77;
	}
	printf("held\n");
	fflush(stdout);
	for (;;)
		pause();
}
