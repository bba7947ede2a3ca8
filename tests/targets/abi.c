/* SPDX-License-Identifier: MIT */
/* From a 64-bit process, make a syscall through another ABI: i386 int $0x80
 * open, an x32 openat (nr | 0x40000000), or nr -1; print what came back
 * and, for an fd, what it reads. int80 and x32 mean something on x86_64
 * only. */
#include <sys/mman.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define X32_SYSCALL_BIT	0x40000000L
#define I386_NR_open	5

#if defined(__x86_64__)
/* i386 open(2) via int $0x80: pointers must fit in 32 bits. */
static long
int80_open(const char *path)
{
	char *low;
	long ret;

	low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED)
		return -errno;
	snprintf(low, 4096, "%s", path);
	__asm__ volatile("int $0x80"
	    : "=a"(ret)
	    : "a"(I386_NR_open), "b"((long)low), "c"((long)O_RDONLY), "d"(0L)
	    : "r8", "r9", "r10", "r11", "memory");
	return ret;
}
#else
/* int $0x80 is x86's (the tests of int80 and x32 skip elsewhere). */
static long
int80_open(const char *path)
{
	(void)path;
	return -ENOSYS;
}
#endif

/* Make the syscall named by argv[1] and report. */
int
main(int argc, char **argv)
{
	const char *path = argc > 2 ? argv[2] : "/dev/null";
	long ret;
	int err = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: abi int80|x32|nr-1 [PATH]\n");
		return 2;
	}
	printf("calling %s\n", argv[1]);
	fflush(stdout);
	if (strcmp(argv[1], "int80") == 0) {
		ret = int80_open(path);
		if (ret < 0) {
			err = (int)-ret;
			ret = -1;
		}
	} else if (strcmp(argv[1], "x32") == 0) {
		ret = syscall(X32_SYSCALL_BIT | SYS_openat, AT_FDCWD, path,
		    O_RDONLY);
		err = errno;
	} else if (strcmp(argv[1], "nr-1") == 0) {
		ret = syscall(-1L, 0, 0, 0);
		err = errno;
	} else {
		fprintf(stderr, "abi: unknown mode %s\n", argv[1]);
		return 2;
	}
	printf("survived ret=%ld errno=%s\n", ret,
	    ret == -1 ? strerrorname_np(err) : "0");
	/* i386 open is supervised: show what the fd it returned reads. */
	if (ret >= 0 && strcmp(argv[1], "nr-1") != 0) {
		char buf[4096];
		ssize_t n = read((int)ret, buf, sizeof(buf));

		printf("DATA %.*s", n > 0 ? (int)n : 0, buf);
	}
	return 0;
}
