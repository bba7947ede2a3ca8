/* SPDX-License-Identifier: MIT */
/* Make one open-family syscall exactly as asked (raw syscall(2)) and print
 * "OK fd=N cloexec=0|1" or "ERR ENAME", then optionally read or write. */
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "legacy.h"

static const struct {
	const char	*name;
	int		 flag;
} flag_names[] = {
	{ "0", 0 }, { "rdonly", O_RDONLY }, { "wronly", O_WRONLY },
	{ "rdwr", O_RDWR },
	{ "creat", O_CREAT }, { "excl", O_EXCL }, { "trunc", O_TRUNC },
	{ "append", O_APPEND }, { "cloexec", O_CLOEXEC },
	{ "directory", O_DIRECTORY }, { "nofollow", O_NOFOLLOW },
	{ "path", O_PATH }, { "nonblock", O_NONBLOCK }, { "noctty", O_NOCTTY },
	{ "tmpfile", O_TMPFILE },
};

/* Print usage and exit 2. */
static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: try-open open|openat|openat2|creat DIRFD PATH "
	    "FLAGS[,FLAGS] [MODE] [r | w:DATA]\n"
	    "  DIRFD: cwd (AT_FDCWD), a number, or a directory to open\n");
	exit(2);
}

/* "rdonly,cloexec" -> O_RDONLY | O_CLOEXEC. */
static int
parse_flags(const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;
	int flags = 0;
	size_t i;

	for (tok = strtok_r(copy, ",|", &save); tok != NULL;
	    tok = strtok_r(NULL, ",|", &save)) {
		for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (strcasecmp(tok, flag_names[i].name) == 0)
				break;
		if (i == sizeof(flag_names) / sizeof(flag_names[0])) {
			fprintf(stderr, "try-open: unknown flag %s\n", tok);
			exit(2);
		}
		flags |= flag_names[i].flag;
	}
	free(copy);
	return flags;
}

/* cwd, a number, or a directory opened O_PATH. */
static int
parse_dirfd(const char *s)
{
	char *end;
	long n;
	int fd;

	if (strcmp(s, "cwd") == 0)
		return AT_FDCWD;
	n = strtol(s, &end, 10);
	if (*s != '\0' && *end == '\0')
		return (int)n;
	if ((fd = open(s, O_PATH | O_DIRECTORY)) == -1) {
		fprintf(stderr, "try-open: dirfd %s: %s\n", s, strerror(errno));
		exit(2);
	}
	return fd;
}

/* Make the requested call and report it. */
int
main(int argc, char **argv)
{
	struct open_how how;
	const char *sys, *path;
	int dirfd, flags, fdflags;
	mode_t mode = 0666;
	long fd;
	char buf[4096];
	ssize_t n;

	if (argc < 5 || argc > 7)
		usage();
	sys = argv[1];
	dirfd = parse_dirfd(argv[2]);
	path = argv[3];
	flags = parse_flags(argv[4]);
	if (argc > 5)
		mode = (mode_t)strtol(argv[5], NULL, 8);

	if (strcmp(sys, "open") == 0)
		fd = syscall(SYS_open, path, flags, mode);
	else if (strcmp(sys, "openat") == 0)
		fd = syscall(SYS_openat, dirfd, path, flags, mode);
	else if (strcmp(sys, "openat2") == 0) {
		memset(&how, 0, sizeof(how));
		how.flags = (unsigned)flags;
		/* openat2 rejects a mode without O_CREAT/O_TMPFILE. */
		if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
			how.mode = mode;
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	} else if (strcmp(sys, "creat") == 0)
		fd = syscall(SYS_creat, path, mode);
	else
		usage();

	if (fd == -1) {
		printf("ERR %s\n", strerrorname_np(errno));
		return 1;
	}
	fdflags = fcntl((int)fd, F_GETFD);
	printf("OK fd=%ld cloexec=%d\n", fd, (fdflags & FD_CLOEXEC) ? 1 : 0);
	if (argc > 6 && strcmp(argv[6], "r") == 0) {
		printf("DATA ");
		while ((n = read((int)fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, stdout);
		if (n == -1)
			printf("\nREADERR %s\n", strerrorname_np(errno));
	} else if (argc > 6 && strncmp(argv[6], "w:", 2) == 0) {
		size_t len = strlen(argv[6] + 2);

		if (write((int)fd, argv[6] + 2, len) != (ssize_t)len) {
			printf("WRITEERR %s\n", strerrorname_np(errno));
			return 1;
		}
	}
	return 0;
}
