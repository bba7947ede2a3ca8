/* SPDX-License-Identifier: MIT */
/* Make one path syscall that changes the file system (or acts on the task
 * itself) exactly as asked, raw through syscall(2) with this arch's numbers,
 * and print one line: "OK", "OK detail", or "ERR ENAME".
 *
 *	try-write CALL ARG...
 *
 * Built for the machine and, on x86_64, as try-write-m32 for i386, whose
 * numbers and argument layouts differ (16-bit chown, split truncate64,
 * 32-bit times). Calls the arch lacks (aarch64 has no unlink, mkdir,
 * rename, chmod, utimes...) report ERR ENOSYS. */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "legacy.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2		452
#endif
#define SYS_setxattrat_		463
#define SYS_removexattrat_	466

static int
fail(void)
{
	printf("ERR %s\n", strerrorname_np(errno));
	return 1;
}

static int
done(long r)
{
	if (r == -1)
		return fail();
	printf("OK\n");
	return 0;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: try-write CALL ARG... (see try-write.c)\n");
	exit(2);
}

/* Print the first line of path, opened relative to the cwd. */
static int
show(const char *path)
{
	char buf[256];
	ssize_t n;
	int fd;

	if ((fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY)) < 0)
		return fail();
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return fail();
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("OK %s\n", buf);
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *call, *a, *b;
	long r;

	if (argc < 3)
		usage();
	call = argv[1];
	a = argv[2];
	b = argc > 3 ? argv[3] : NULL;
	if (strcmp(call, "unlink") == 0)
		return done(syscall(SYS_unlink, a));
	if (strcmp(call, "unlinkat") == 0)
		return done(syscall(SYS_unlinkat, AT_FDCWD, a,
		    b != NULL ? AT_REMOVEDIR : 0));
	if (strcmp(call, "rmdir") == 0)
		return done(syscall(SYS_rmdir, a));
	if (strcmp(call, "mkdir") == 0)
		return done(syscall(SYS_mkdir, a, 0777));
	if (strcmp(call, "mkdirat") == 0)
		return done(syscall(SYS_mkdirat, AT_FDCWD, a, 0777));
	if (strcmp(call, "mknod") == 0)
		return done(syscall(SYS_mknod, a, S_IFIFO | 0666, 0));
	if (strcmp(call, "mknodat") == 0)
		return done(syscall(SYS_mknodat, AT_FDCWD, a, S_IFREG | 0666,
		    0));
	if (b == NULL && (strncmp(call, "rename", 6) == 0 ||
	    strncmp(call, "link", 4) == 0 || strncmp(call, "symlink", 7) == 0))
		usage();
	if (strcmp(call, "rename") == 0)
		return done(syscall(SYS_rename, a, b));
	if (strcmp(call, "renameat") == 0)
		return done(syscall(SYS_renameat, AT_FDCWD, a, AT_FDCWD, b));
	if (strcmp(call, "renameat2") == 0)
		return done(syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b,
		    argc > 4 ? 1 /* RENAME_NOREPLACE */ : 0));
	if (strcmp(call, "link") == 0)
		return done(syscall(SYS_link, a, b));
	if (strcmp(call, "linkat") == 0)
		return done(syscall(SYS_linkat, AT_FDCWD, a, AT_FDCWD, b, 0));
	if (strcmp(call, "symlink") == 0)
		return done(syscall(SYS_symlink, a, b));
	if (strcmp(call, "symlinkat") == 0)
		return done(syscall(SYS_symlinkat, a, AT_FDCWD, b));
	if (strcmp(call, "chmod") == 0)
		return done(syscall(SYS_chmod, a, 0600));
	if (strcmp(call, "fchmodat") == 0)
		return done(syscall(SYS_fchmodat, AT_FDCWD, a, 0600));
	if (strcmp(call, "fchmodat2") == 0)
		return done(syscall(SYS_fchmodat2, AT_FDCWD, a, 0600, 0));
	/* Owners: to the current ids, which any owner may do; -1 keeps. */
	if (strcmp(call, "chown") == 0)
		return done(syscall(SYS_chown, a, getuid(), -1));
	if (strcmp(call, "lchown") == 0)
		return done(syscall(SYS_lchown, a, -1, getgid()));
	if (strcmp(call, "fchownat") == 0)
		return done(syscall(SYS_fchownat, AT_FDCWD, a, getuid(),
		    getgid(), 0));
	if (strcmp(call, "truncate") == 0) {
#if defined(__i386__)
		/* truncate64: the length in two registers. */
		return done(syscall(SYS_truncate64, a, 3, 0));
#else
		return done(syscall(SYS_truncate, a, 3));
#endif
	}
	/* Times: both to 1000000000 (2001-09-09). */
	if (strcmp(call, "utime") == 0) {
		long t[2] = { 1000000000, 1000000000 };

		return done(syscall(SYS_utime, a, t));
	}
	if (strcmp(call, "utimes") == 0 || strcmp(call, "futimesat") == 0) {
		long tv[4] = { 1000000000, 0, 1000000000, 0 };

		return done(strcmp(call, "utimes") == 0 ?
		    syscall(SYS_utimes, a, tv) :
		    syscall(SYS_futimesat, AT_FDCWD, a, tv));
	}
	if (strcmp(call, "utimensat") == 0) {
		/* On i386, the 32-bit struct timespec of utimensat(2). */
		long ts[4] = { 1000000000, 0, 1000000000, 0 };

		return done(syscall(SYS_utimensat, AT_FDCWD, a, ts, 0));
	}
	if (strcmp(call, "touch") == 0)
		return done(syscall(SYS_utimensat, AT_FDCWD, a, NULL, 0));
	if (strcmp(call, "setxattr") == 0 || strcmp(call, "lsetxattr") == 0)
		return done(syscall(call[0] == 'l' ? SYS_lsetxattr :
		    SYS_setxattr, a, "user.t", "v1", 2, 0));
	if (strcmp(call, "removexattr") == 0 ||
	    strcmp(call, "lremovexattr") == 0)
		return done(syscall(call[0] == 'l' ? SYS_lremovexattr :
		    SYS_removexattr, a, "user.t"));
	if (strcmp(call, "setxattrat") == 0) {
		struct { uint64_t value; uint32_t size, flags; } xa = {
		    (uintptr_t)"v2", 2, 0 };

		return done(syscall(SYS_setxattrat_, AT_FDCWD, a, 0, "user.t",
		    &xa, sizeof(xa)));
	}
	if (strcmp(call, "removexattrat") == 0)
		return done(syscall(SYS_removexattrat_, AT_FDCWD, a, 0,
		    "user.t"));
	if (strcmp(call, "statfs") == 0) {
		struct statfs fs;

#if defined(__i386__)
		unsigned char buf[84];

		r = syscall(SYS_statfs64, a, sizeof(buf), buf);
		memcpy(&fs.f_type, buf, 4);
#else
		r = syscall(SYS_statfs, a, &fs);
#endif
		if (r == -1)
			return fail();
		printf("OK type=%lx\n", (unsigned long)fs.f_type & 0xffffffff);
		return 0;
	}
	/* chdir PATH [FILE]: then read FILE relative to the new cwd, or
	 * print getcwd(2). */
	if (strcmp(call, "chdir") == 0) {
		char cwd[PATH_MAX];

		if (syscall(SYS_chdir, a) == -1)
			return fail();
		if (b != NULL)
			return show(b);
		if ((r = syscall(SYS_getcwd, cwd, sizeof(cwd))) == -1)
			return fail();
		printf("OK %s\n", cwd);
		return 0;
	}
	if (strcmp(call, "execve") == 0) {
		char *av[] = { (char *)a, NULL }, *ev[] = { NULL };

		syscall(SYS_execve, a, av, ev);
		return fail();
	}
	if (strcmp(call, "opath") == 0) {
		long fd = syscall(SYS_openat, AT_FDCWD, a, O_PATH | O_CLOEXEC);
		struct stat st;

		if (fd == -1 || fstat((int)fd, &st) == -1)
			return fail();
		if (b == NULL) {
			printf("OK size=%lld\n", (long long)st.st_size);
			return 0;
		}
		/* A directory: create b beneath it, as cp and mv do. */
		return done(syscall(SYS_openat, (int)fd, b,
		    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) == -1 ?
		    -1 : 0);
	}
	if (strcmp(call, "inotify") == 0) {
		int fd = (int)syscall(SYS_inotify_init1, 0);

		return done(fd < 0 ? -1 : syscall(SYS_inotify_add_watch, fd,
		    a, 0x2 /* IN_MODIFY */) < 0 ? -1 : 0);
	}
	if (strcmp(call, "clone3") == 0) {
		/* struct clone_args: flags, pidfd, child_tid, parent_tid,
		 * exit_signal (SIGCHLD), ...; the child exits at once. */
		uint64_t args[11] = { [4] = 17 };
		long pid = syscall(435 /* clone3 */, args, sizeof(args));

		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid((pid_t)pid, NULL, 0);
		return done(pid < 0 ? -1 : 0);
	}
	if (strcmp(call, "io_uring") == 0) {
		unsigned char params[120] = { 0 };

		return done(syscall(SYS_io_uring_setup, 1, params) < 0 ? -1 :
		    0);
	}
	usage();
	return 2;
}
