/* SPDX-License-Identifier: MIT */
/* openat with a bad path pointer (unmapped, a string running into an
 * unmapped page, or a PROT_NONE page) must fail with EFAULT, and the next
 * good open must still work. */
#include <sys/mman.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A pointer the kernel would refuse with EFAULT; path names what the
 * bytes would have said had they been readable. */
static const char *
bad_pointer(const char *mode, const char *path)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = strlen(path);
	char *p;

	if (strcmp(mode, "unmapped") == 0) {
		p = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
		if (p == MAP_FAILED || munmap(p, page) == -1)
			return NULL;
		return p;
	}
	if (strcmp(mode, "crossing") == 0) {
		p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || munmap(p + page, page) == -1)
			return NULL;
		/* The path's bytes, no NUL, ending exactly at the hole. */
		memcpy(p + page - len, path, len);
		return p + page - len;
	}
	if (strcmp(mode, "protnone") == 0) {
		p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		memcpy(p, path, len + 1);
		if (mprotect(p, page, PROT_NONE) == -1)
			return NULL;
		return p;
	}
	return NULL;
}

/* One bad open, then one good open of PATH. */
int
main(int argc, char **argv)
{
	const char *bad;
	char buf[4096];
	long fd;
	ssize_t n;
	int ok = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: badptr unmapped|crossing|protnone "
		    "PATH\n");
		return 2;
	}
	if ((bad = bad_pointer(argv[1], argv[2])) == NULL) {
		fprintf(stderr, "badptr: cannot set up %s\n", argv[1]);
		return 2;
	}
	fd = syscall(SYS_openat, AT_FDCWD, bad, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		printf("bad ERR %s\n", strerrorname_np(errno));
		ok &= errno == EFAULT;
	} else {
		printf("bad OK fd=%ld\n", fd);
		close((int)fd);
		ok = 0;
	}
	fd = syscall(SYS_openat, AT_FDCWD, argv[2], O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		printf("normal ERR %s\n", strerrorname_np(errno));
		return 1;
	}
	n = read((int)fd, buf, sizeof(buf));
	printf("normal OK %.*s", n > 0 ? (int)n : 0, buf);
	close((int)fd);
	return ok ? 0 : 1;
}
