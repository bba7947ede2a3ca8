/* SPDX-License-Identifier: MIT */
/* Count the SIGTERMs that reach this process, each one handled as it comes:
 *
 *	sigcount STOPFILE
 *
 * prints "ready", a line "TERM" for each one as it is handled, and
 * "TERM N" once STOPFILE exists. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t	terms;

static void
on_term(int sig)
{
	(void)sig;
	terms++;
	(void)!write(1, "TERM\n", 5);
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	struct timespec ts = { 0, 10000000 };

	if (argc != 2) {
		fprintf(stderr, "usage: sigcount STOPFILE\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	while (access(argv[1], F_OK) != 0)
		nanosleep(&ts, NULL);
	printf("TERM %d\n", (int)terms);
	return 0;
}
