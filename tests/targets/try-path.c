/* SPDX-License-Identifier: MIT */
/* Make one path syscall exactly as asked, raw through syscall(2) with this
 * arch's numbers so that libc cannot pick another call, and print one line:
 *
 *	try-path SYSCALL [--dirfd DIR | --dirfd-ro DIR] PATH [ARG]
 *
 *	OK size=N mode=0NNN	stat-likes (decoded with the call's layout)
 *	OK content=LINE		opens: the first line read from the fd
 *	OK wrote=N		opens with ARG, and creat: ARG written
 *	OK			access-likes
 *	OK link=TARGET		readlink-likes (ARG: the bufsiz to pass)
 *	OK size=N value=V	getxattr, lgetxattr (ARG: the name): N from a
 *				size-0 call first, then V read
 *	OK size=N list=A,B	listxattr, llistxattr, the same way
 *	ERR ENAME		the call failed
 *
 * Built for x86_64 and, as try-path-m32, for i386, whose numbers and struct
 * layouts differ. The older form `try-path PATH OP...` (glibc wrappers, one
 * line per OP) is kept for test_e2e_stat.c. */
#define _FILE_OFFSET_BITS 64

#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__i386__)
/* i386 stat(2) #106 and lstat(2) #107: the kernel's struct stat. */
struct old_stat {
	uint32_t	st_dev;
	uint32_t	st_ino;
	uint16_t	st_mode;
	uint16_t	st_nlink;
	uint16_t	st_uid;
	uint16_t	st_gid;
	uint32_t	st_rdev;
	uint32_t	st_size;
	uint32_t	st_blksize;
	uint32_t	st_blocks;
	uint32_t	st_times[6];
	uint32_t	unused[2];
};
_Static_assert(sizeof(struct old_stat) == 64, "i386 struct stat");

/* i386 stat64(2), lstat64(2), fstatat64(2): the kernel's struct stat64. */
struct stat64_k {
	uint64_t	st_dev;
	uint32_t	pad0;
	uint32_t	st_ino32;
	uint32_t	st_mode;
	uint32_t	st_nlink;
	uint32_t	st_uid;
	uint32_t	st_gid;
	uint64_t	st_rdev;
	uint32_t	pad3;
	int64_t		st_size;
	uint32_t	st_blksize;
	uint64_t	st_blocks;
	uint32_t	st_times[6];
	uint64_t	st_ino;
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct stat64_k) == 96, "i386 struct stat64");
_Static_assert(offsetof(struct stat64_k, st_size) == 44, "st_size");
#else
/* x86_64 stat(2), lstat(2), newfstatat(2): glibc's struct stat is the
 * kernel's. */
_Static_assert(sizeof(struct stat) == 144, "x86_64 struct stat");
#endif

/* Room for any stat layout plus a guard area the call must not touch. */
#define GUARD		64
#define GUARD_BYTE	0xa5
static unsigned char statbuf[sizeof(struct statx) + GUARD]
    __attribute__((aligned(8)));

/* Print usage and exit 2. */
static void
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "try-path: %s\n", why);
	fprintf(stderr,
	    "usage: try-path SYSCALL [--dirfd DIR | --dirfd-ro DIR] PATH [ARG]\n"
	    "  SYSCALL: open openat openat2 creat (ARG: text to write)\n"
	    "           stat lstat fstatat statx (ARG: nofollow)\n"
	    "           oldstat stat64 lstat64 (i386 only)\n"
	    "           access faccessat faccessat2 (ARG: f r w x letters)\n"
	    "           readlink readlinkat (ARG: bufsiz, default PATH_MAX - 1)\n"
	    "           getxattr lgetxattr (ARG: name) listxattr llistxattr\n"
	    "       try-path PATH OP... (older form, see try-path.c)\n");
	exit(2);
}

/* Report errno; returns 1. */
static int
fail(void)
{
	printf("ERR %s\n", strerrorname_np(errno));
	return 1;
}

/* Report size and permission bits of a stat-like result (r from the
 * call), after checking that nothing beyond len bytes was written. */
static int
show_stat(long r, size_t len, long long size, unsigned mode)
{
	size_t i;

	if (r == -1)
		return fail();
	for (i = len; i < len + GUARD; i++)
		if (statbuf[i] != GUARD_BYTE) {
			printf("BAD wrote past the %zu-byte struct\n", len);
			return 3;
		}
	printf("OK size=%lld mode=0%03o\n", size, mode & 07777);
	return 0;
}

/* Report an open: read the first line, or write text when given. */
static int
show_open(long fd, const char *text)
{
	char buf[4096], *nl;
	size_t len;
	ssize_t n;

	if (fd == -1)
		return fail();
	if (text != NULL) {
		len = strlen(text);
		if (write((int)fd, text, len) != (ssize_t)len ||
		    write((int)fd, "\n", 1) != 1)
			return fail();
		printf("OK wrote=%zu\n", len + 1);
		return 0;
	}
	if ((n = read((int)fd, buf, sizeof(buf) - 1)) == -1)
		return fail();
	buf[n] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	printf("OK content=%s\n", buf);
	return 0;
}

/* "rwx" letters to an access(2) mode; "f" or "" is F_OK. */
static int
access_mode(const char *s)
{
	int mode = F_OK;

	for (; s != NULL && *s != '\0'; s++) {
		if (*s == 'r')
			mode |= R_OK;
		else if (*s == 'w')
			mode |= W_OK;
		else if (*s == 'x')
			mode |= X_OK;
		else if (*s != 'f')
			usage("access ARG: letters f r w x");
	}
	return mode;
}

/* The xattr reads: a size-0 call for the size, then the value or list,
 * whose names are shown comma-separated. */
static int
run_xattr(const char *sys, const char *path, const char *name)
{
	char buf[4096];
	long size, r;
	int i;

	if (strcmp(sys, "getxattr") == 0 || strcmp(sys, "lgetxattr") == 0) {
		int nr = sys[0] == 'l' ? SYS_lgetxattr : SYS_getxattr;

		if (name == NULL)
			usage("getxattr needs a name");
		if ((size = syscall(nr, path, name, NULL, 0)) == -1)
			return fail();
		if ((r = syscall(nr, path, name, buf, sizeof(buf))) == -1)
			return fail();
		printf("OK size=%ld value=%.*s\n", size, (int)r, buf);
		return 0;
	}
	if (strcmp(sys, "listxattr") == 0 || strcmp(sys, "llistxattr") == 0) {
		int nr = sys[0] == 'l' ? SYS_llistxattr : SYS_listxattr;

		if ((size = syscall(nr, path, NULL, 0)) == -1)
			return fail();
		if ((r = syscall(nr, path, buf, sizeof(buf))) == -1)
			return fail();
		for (i = 0; i < r - 1; i++)
			if (buf[i] == '\0')
				buf[i] = ',';
		printf("OK size=%ld list=%.*s\n", size, r > 0 ? (int)r - 1 : 0,
		    buf);
		return 0;
	}
	usage("unknown SYSCALL");
	return 2;
}

/* Make the call sys on (dirfd, path) and report it. */
static int
run(const char *sys, int dirfd, const char *path, const char *arg)
{
	int atflags = arg != NULL && strcmp(arg, "nofollow") == 0 ?
	    AT_SYMLINK_NOFOLLOW : 0;
	char link[PATH_MAX];
	struct open_how how;
	long r;

	memset(statbuf, GUARD_BYTE, sizeof(statbuf));
	/* Opens: read without ARG, else create/truncate and write ARG. */
	if (strcmp(sys, "open") == 0)
		return show_open(arg == NULL ?
		    syscall(SYS_open, path, O_RDONLY) :
		    syscall(SYS_open, path, O_WRONLY | O_CREAT | O_TRUNC, 0666),
		    arg);
	if (strcmp(sys, "openat") == 0)
		return show_open(arg == NULL ?
		    syscall(SYS_openat, dirfd, path, O_RDONLY) :
		    syscall(SYS_openat, dirfd, path,
		    O_WRONLY | O_CREAT | O_TRUNC, 0666), arg);
	if (strcmp(sys, "openat2") == 0) {
		memset(&how, 0, sizeof(how));
		how.flags = O_RDONLY;
		if (arg != NULL) {
			how.flags = O_WRONLY | O_CREAT | O_TRUNC;
			how.mode = 0666;
		}
		return show_open(syscall(SYS_openat2, dirfd, path, &how,
		    sizeof(how)), arg);
	}
	if (strcmp(sys, "creat") == 0)
		return show_open(syscall(SYS_creat, path, 0666),
		    arg != NULL ? arg : "created");

	/* Stat-likes, each decoded with the layout of the call made. */
#if defined(__i386__)
	struct old_stat *os = (struct old_stat *)statbuf;
	struct stat64_k *s64 = (struct stat64_k *)statbuf;

	if (strcmp(sys, "stat") == 0 || strcmp(sys, "oldstat") == 0) {
		r = syscall(SYS_stat, path, os);
		return show_stat(r, sizeof(*os), os->st_size, os->st_mode);
	}
	if (strcmp(sys, "lstat") == 0) {
		r = syscall(SYS_lstat, path, os);
		return show_stat(r, sizeof(*os), os->st_size, os->st_mode);
	}
	if (strcmp(sys, "stat64") == 0) {
		r = syscall(SYS_stat64, path, s64);
		return show_stat(r, sizeof(*s64), s64->st_size, s64->st_mode);
	}
	if (strcmp(sys, "lstat64") == 0) {
		r = syscall(SYS_lstat64, path, s64);
		return show_stat(r, sizeof(*s64), s64->st_size, s64->st_mode);
	}
	if (strcmp(sys, "fstatat") == 0) {
		r = syscall(SYS_fstatat64, dirfd, path, s64, atflags);
		return show_stat(r, sizeof(*s64), s64->st_size, s64->st_mode);
	}
#else
	struct stat *st = (struct stat *)statbuf;

	if (strcmp(sys, "stat") == 0) {
		r = syscall(SYS_stat, path, st);
		return show_stat(r, sizeof(*st), st->st_size, st->st_mode);
	}
	if (strcmp(sys, "lstat") == 0) {
		r = syscall(SYS_lstat, path, st);
		return show_stat(r, sizeof(*st), st->st_size, st->st_mode);
	}
	if (strcmp(sys, "fstatat") == 0) {
		r = syscall(SYS_newfstatat, dirfd, path, st, atflags);
		return show_stat(r, sizeof(*st), st->st_size, st->st_mode);
	}
	if (strcmp(sys, "oldstat") == 0 || strcmp(sys, "stat64") == 0 ||
	    strcmp(sys, "lstat64") == 0)
		usage("oldstat, stat64 and lstat64 exist on i386 only");
#endif
	if (strcmp(sys, "statx") == 0) {
		struct statx *stx = (struct statx *)statbuf;

		r = syscall(SYS_statx, dirfd, path, atflags, STATX_BASIC_STATS,
		    stx);
		return show_stat(r, sizeof(*stx), (long long)stx->stx_size,
		    stx->stx_mode);
	}

	if (strstr(sys, "xattr") != NULL)
		return run_xattr(sys, path, arg);

	/* Access checks. */
	if (strcmp(sys, "access") == 0)
		r = syscall(SYS_access, path, access_mode(arg));
	else if (strcmp(sys, "faccessat") == 0)
		r = syscall(SYS_faccessat, dirfd, path, access_mode(arg));
	else if (strcmp(sys, "faccessat2") == 0)
		r = syscall(SYS_faccessat2, dirfd, path, access_mode(arg), 0);
	else if (strcmp(sys, "readlink") == 0 ||
	    strcmp(sys, "readlinkat") == 0) {
		/* ARG: the bufsiz to pass, as the register holds it (the
		 * kernel reads an int: 0x100000004 asks for 4 bytes). */
		unsigned long bufsiz = arg != NULL ? strtoul(arg, NULL, 0) :
		    sizeof(link) - 1;
		size_t i;

		memset(link, GUARD_BYTE, sizeof(link));
		r = strcmp(sys, "readlink") == 0 ?
		    syscall(SYS_readlink, path, link, bufsiz) :
		    syscall(SYS_readlinkat, dirfd, path, link, bufsiz);
		if (r == -1)
			return fail();
		for (i = r; i < sizeof(link); i++)
			if ((unsigned char)link[i] != GUARD_BYTE) {
				printf("BAD wrote byte %zu of a %ld-byte "
				    "answer\n", i, r);
				return 3;
			}
		printf("OK link=%.*s\n", (int)r, link);
		return 0;
	} else
		usage("unknown SYSCALL");
	if (r == -1)
		return fail();
	printf("OK\n");
	return 0;
}

/* The older form: glibc wrappers, "OP OK detail" or "OP ERR ENAME" for
 * each OP, after a "bits=N" line. */
static int
legacy_fail(const char *op)
{
	printf("%s ERR %s\n", op, strerrorname_np(errno));
	return 1;
}

/* File type as a word. */
static const char *
legacy_type(mode_t m)
{
	return S_ISREG(m) ? "file" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "link" :
	    "other";
}

/* One stat result of the older form. */
static int
legacy_stat(const char *op, int r, long long size, mode_t mode)
{
	if (r == -1)
		return legacy_fail(op);
	printf("%s OK size=%lld mode=%o type=%s\n", op, size,
	    (unsigned)(mode & 07777), legacy_type(mode));
	return 0;
}

/* One open of the older form: the whole content on one line. */
static int
legacy_fd(const char *op, int fd)
{
	char buf[4096];
	ssize_t n;

	if (fd == -1)
		return legacy_fail(op);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n == -1)
		return legacy_fail(op);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	printf("%s OK %.*s\n", op, (int)n, buf);
	return 0;
}

/* Run one OP of the older form on path. */
static int
legacy_run(const char *op, const char *path)
{
	char link[PATH_MAX];
	struct statx stx;
	struct stat64 st;
	ssize_t n;

	if (strcmp(op, "open") == 0)
		return legacy_fd(op, open(path, O_RDONLY | O_CLOEXEC));
	if (strcmp(op, "sys-open") == 0)
		return legacy_fd(op, (int)syscall(SYS_open, path, O_RDONLY));
	if (strcmp(op, "openat") == 0)
		return legacy_fd(op, openat(AT_FDCWD, path, O_RDONLY));
	if (strcmp(op, "stat") == 0 || strcmp(op, "lstat") == 0 ||
	    strcmp(op, "fstatat") == 0) {
		int r = op[0] == 's' ? stat64(path, &st) :
		    op[0] == 'l' ? lstat64(path, &st) :
		    fstatat64(AT_FDCWD, path, &st, 0);

		return legacy_stat(op, r, (long long)st.st_size, st.st_mode);
	}
	if (strcmp(op, "statx") == 0) {
		int r = statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx);

		return legacy_stat(op, r, (long long)stx.stx_size,
		    stx.stx_mode);
	}
	if (strncmp(op, "access-", 7) == 0) {
		if (access(path, access_mode(op + 7)) == -1)
			return legacy_fail(op);
		printf("%s OK\n", op);
		return 0;
	}
	if (strcmp(op, "readlink") == 0) {
		if ((n = readlink(path, link, sizeof(link) - 1)) == -1)
			return legacy_fail(op);
		printf("%s OK %.*s\n", op, (int)n, link);
		return 0;
	}
	fprintf(stderr, "try-path: unknown op %s\n", op);
	return 2;
}

/* Is name a SYSCALL of the current form? */
static int
is_syscall(const char *name)
{
	static const char *const names[] = {
		"open", "openat", "openat2", "creat", "stat", "lstat",
		"fstatat", "statx", "oldstat", "stat64", "lstat64", "access",
		"faccessat", "faccessat2", "readlink", "readlinkat",
		"getxattr", "lgetxattr", "listxattr", "llistxattr",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	int i, rc = 0, dirfd = AT_FDCWD;
	const char *sys;

	if (argc < 3)
		usage(NULL);
	if (!is_syscall(argv[1])) {
		printf("bits=%zu\n", sizeof(void *) * 8);
		for (i = 2; i < argc; i++)
			rc |= legacy_run(argv[i], argv[1]);
		return rc;
	}
	sys = argv[1];
	i = 2;
	if (strcmp(argv[i], "--dirfd") == 0 ||
	    strcmp(argv[i], "--dirfd-ro") == 0) {
		if (argc < 4)
			usage(NULL);
		dirfd = open(argv[i + 1], O_DIRECTORY | O_CLOEXEC |
		    (argv[i][7] == '\0' ? O_PATH : O_RDONLY));
		if (dirfd == -1) {
			fprintf(stderr, "try-path: dirfd %s: %s\n",
			    argv[i + 1], strerror(errno));
			return 2;
		}
		i += 2;
	}
	if (argc - i < 1 || argc - i > 2)
		usage(NULL);
	return run(sys, dirfd, argv[i], argc - i == 2 ? argv[i + 1] : NULL);
}
