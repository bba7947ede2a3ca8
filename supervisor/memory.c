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
 * process_vm_readv faults exactly where the target would (PROT_NONE pages
 * included). It is missing or denied in some sandboxes (ENOSYS, or EPERM from
 * a container's seccomp profile); /proc/TID/mem is the fallback there.
 */
static ssize_t
memory_chunk(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	char file[64];
	ssize_t n;
	int fd, err;

	n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	if (n >= 0)
		return n;
	if (errno != ENOSYS && errno != EPERM)
		return errno == ESRCH ? -ESRCH : -EFAULT;
	snprintf(file, sizeof(file), "/proc/%d/mem", (int)tid);
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? -ESRCH : -EPERM;
	n = pread(fd, buf, len, (off_t)addr);
	err = errno;
	close(fd);
	if (n < 0)
		return err == EIO || err == EFAULT ? -EFAULT : -err;
	if (n == 0)
		return -EFAULT;
	return n;
}

ssize_t
memory_read_string(pid_t tid, uint64_t addr, char *buf, size_t len)
{
	size_t done = 0, want;
	ssize_t n;
	char *nul;

	while (done < len) {
		want = MEMORY_PAGE - ((addr + done) % MEMORY_PAGE);
		if (want > len - done)
			want = len - done;
		n = memory_chunk(tid, addr + done, buf + done, want);
		if (n < 0)
			return n;
		if ((nul = memchr(buf + done, '\0', n)) != NULL)
			return nul - buf;
		done += n;
	}
	return -ENAMETOOLONG;
}

int
memory_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = memory_chunk(tid, addr + done, (char *)buf + done,
		    len - done);
		if (n < 0)
			return (int)n;
		done += n;
	}
	return 0;
}

int
memory_write(pid_t tid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = { (void *)buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	char file[64];
	ssize_t n;
	int fd, err;

	n = process_vm_writev(tid, &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0)
		return -EFAULT;
	if (errno != ENOSYS && errno != EPERM)
		return errno == ESRCH ? -ESRCH : -EFAULT;
	/* Unlike process_vm_writev, /proc/TID/mem writes read-only pages;
	 * the kernel would fault there, so it is only the fallback. */
	snprintf(file, sizeof(file), "/proc/%d/mem", (int)tid);
	if ((fd = open(file, O_WRONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? -ESRCH : -EPERM;
	n = pwrite(fd, buf, len, (off_t)addr);
	err = errno;
	close(fd);
	if (n < 0)
		return err == EIO || err == EFAULT ? -EFAULT : -err;
	return n == (ssize_t)len ? 0 : -EFAULT;
}
