/* SPDX-License-Identifier: MIT */
/* Reading the target's memory: process_vm_readv, /proc/TID/mem fallback. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "memory.h"

#define MEMORY_PAGE 4096

/*
 * /proc/TID/mem, for where process_vm_readv/writev are missing or denied
 * (ENOSYS, or EPERM from a container's seccomp profile). Unlike them it
 * reads PROT_NONE and writes read-only pages, which the kernel would fault
 * on, so it is only the fallback. Returns bytes moved or -errno.
 */
static ssize_t
memory_proc(pid_t tid, uint64_t addr, void *buf, size_t len, int store)
{
	char file[64];
	ssize_t n;
	int fd, err;

	snprintf(file, sizeof(file), "/proc/%d/mem", (int)tid);
	if ((fd = open(file, (store ? O_WRONLY : O_RDONLY) | O_CLOEXEC)) < 0)
		return errno == ENOENT ? -ESRCH : -EPERM;
	n = store ? pwrite(fd, buf, len, (off_t)addr) :
	    pread(fd, buf, len, (off_t)addr);
	err = errno;
	close(fd);
	if (n < 0)
		return err == EIO || err == EFAULT ? -EFAULT : -err;
	return n == 0 ? -EFAULT : n;
}

/* Move len bytes at most, faulting exactly where the target would, or
 * through memfd (a /proc/TID/mem descriptor) when it is not -1. */
static ssize_t
memory_chunk(pid_t tid, int memfd, uint64_t addr, void *buf, size_t len,
    int store)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	if (memfd >= 0) {
		n = store ? pwrite(memfd, buf, len, (off_t)addr) :
		    pread(memfd, buf, len, (off_t)addr);
		if (n < 0)
			return errno == EIO || errno == EFAULT ? -EFAULT :
			    errno == ESRCH ? -ESRCH : -errno;
		return n == 0 ? -EFAULT : n;
	}

	n = store ? process_vm_writev(tid, &local, 1, &remote, 1, 0) :
	    process_vm_readv(tid, &local, 1, &remote, 1, 0);
	if (n >= 0)
		return n;
	if (errno == ENOSYS || errno == EPERM)
		return memory_proc(tid, addr, buf, len, store);
	/* ENOMEM is ours (no memory to pin pages with), not a bad address:
	 * the kernel's own copy could fail the call with it too. */
	return errno == ESRCH ? -ESRCH : errno == ENOMEM ? -ENOMEM : -EFAULT;
}

static ssize_t
memory_string(pid_t tid, int memfd, uint64_t addr, char *buf, size_t len)
{
	size_t done = 0, want;
	ssize_t n;
	char *nul;

	while (done < len) {
		want = MEMORY_PAGE - ((addr + done) % MEMORY_PAGE);
		if (want > len - done)
			want = len - done;
		n = memory_chunk(tid, memfd, addr + done, buf + done, want, 0);
		if (n < 0)
			return n;
		if ((nul = memchr(buf + done, '\0', n)) != NULL)
			return nul - buf;
		done += n;
	}
	return -ENAMETOOLONG;
}

static int
memory_move(pid_t tid, int memfd, uint64_t addr, void *buf, size_t len,
    int store)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = memory_chunk(tid, memfd, addr + done, (char *)buf + done,
		    len - done, store);
		if (n < 0)
			return (int)n;
		done += n;
	}
	return 0;
}

ssize_t
memory_read_string(pid_t tid, uint64_t addr, char *buf, size_t len)
{
	return memory_string(tid, -1, addr, buf, len);
}

int
memory_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	return memory_move(tid, -1, addr, buf, len, 0);
}

int
memory_write(pid_t tid, uint64_t addr, const void *buf, size_t len)
{
	return memory_move(tid, -1, addr, (void *)buf, len, 1);
}

ssize_t
memory_fd_read_string(int memfd, uint64_t addr, char *buf, size_t len)
{
	return memory_string(0, memfd, addr, buf, len);
}

int
memory_fd_read(int memfd, uint64_t addr, void *buf, size_t len)
{
	return memory_move(0, memfd, addr, buf, len, 0);
}

int
memory_fd_write(int memfd, uint64_t addr, const void *buf, size_t len)
{
	return memory_move(0, memfd, addr, (void *)buf, len, 1);
}
