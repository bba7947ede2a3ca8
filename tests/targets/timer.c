/* SPDX-License-Identifier: MIT */
/* A 50 us ITIMER_REAL with an SA_RESTART SIGALRM handler while opening the
 * same path in a loop: interrupted notifications must restart, never fail
 * (nor livelock). Exits 0 only if every open read the expected content. */
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;

/* Count SIGALRMs; SA_RESTART makes the interrupted call restart. */
static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* Arm the timer and loop over the opens. */
int
main(int argc, char **argv)
{
	struct itimerval it = { { 0, 50 }, { 0, 50 } }, off = { 0 };
	struct sigaction sa;
	int i, n, fd, ok = 0, fail = 0;
	size_t len;
	char buf[256];
	ssize_t r;

	if (argc < 3) {
		fprintf(stderr, "usage: timer PATH EXPECTED [ITERATIONS]\n");
		return 2;
	}
	n = argc > 3 ? atoi(argv[3]) : 20000;
	len = strlen(argv[2]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) == -1 ||
	    setitimer(ITIMER_REAL, &it, NULL) == -1) {
		perror("timer");
		return 2;
	}
	for (i = 0; i < n; i++) {
		fd = openat(AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC);
		if (fd == -1) {
			if (fail++ < 5)
				fprintf(stderr, "openat: %s\n",
				    strerrorname_np(errno));
			continue;
		}
		r = read(fd, buf, sizeof(buf));
		close(fd);
		if (r < 0 || (size_t)r != len || memcmp(buf, argv[2], len)) {
			if (fail++ < 5)
				fprintf(stderr, "read %zd bytes\n", r);
			continue;
		}
		ok++;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	printf("alarms=%d ok=%d fail=%d\n", (int)alarms, ok, fail);
	return fail == 0 ? 0 : 1;
}
