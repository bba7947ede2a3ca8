/* SPDX-License-Identifier: MIT */
/* The floor: the least a seccomp supervisor can do per openat, with the best
 * kernel flags. A plain blocking loop: RECV into a zeroed buffer,
 * process_vm_readv of the path, ID_VALID, then CONTINUE, an errno, or
 * open + ADDFD|SEND. No rules, no event loop, no threads.
 *
 * usage: floor [-v] continue -- CMD...
 *        floor [-v] errno SRC -- CMD...		(SRC fails with EACCES)
 *        floor [-v] redirect SRC DST -- CMD...	(SRC opens DST instead)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS	SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

enum floor_mode { FLOOR_CONTINUE, FLOOR_ERRNO, FLOOR_REDIRECT };

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(125);
}

static int
floor_install(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog prog = { sizeof(insns) / sizeof(insns[0]), insns };
	int fd;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER |
	    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
	if (fd < 0 && errno == EINVAL)
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	return fd;
}

/* sendmsg(2) is not notified, so the child may use it after the load. */
static void
floor_send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, c = 'f';
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(sock, &msg, 0) != 1)
		_exit(125);
}

static int
floor_recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, c;
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	if ((cm = CMSG_FIRSTHDR(&msg)) == NULL || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* Read a NUL-terminated path page by page: a read across the end of a
 * mapping is short. 0 on success, -errno on failure. */
static int
floor_read_path(pid_t pid, unsigned long addr, char *buf)
{
	size_t got = 0, chunk;
	struct iovec local, remote;
	ssize_t n;

	while (got < PATH_MAX) {
		chunk = 4096 - ((addr + got) & 4095);
		if (chunk > PATH_MAX - got)
			chunk = PATH_MAX - got;
		local.iov_base = buf + got;
		local.iov_len = chunk;
		remote.iov_base = (void *)(addr + got);
		remote.iov_len = chunk;
		if ((n = process_vm_readv(pid, &local, 1, &remote, 1, 0)) <= 0)
			return -EFAULT;
		if (memchr(buf + got, '\0', n) != NULL)
			return 0;
		got += n;
	}
	return -ENAMETOOLONG;
}

static void
floor_respond(int fd, struct seccomp_notif_resp *resp, size_t size,
    uint64_t id, int error, uint32_t flags)
{
	memset(resp, 0, size);
	resp->id = id;
	resp->error = error;
	resp->flags = flags;
	/* ENOENT: the target died meanwhile. */
	ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
}

static void
floor_loop(int fd, enum floor_mode mode, const char *src, const char *dst)
{
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct seccomp_notif_addfd addfd;
	struct pollfd p;
	char path[PATH_MAX];
	int r, dfd, flags;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		die("SECCOMP_GET_NOTIF_SIZES");
	if ((req = malloc(sizes.seccomp_notif)) == NULL ||
	    (resp = malloc(sizes.seccomp_notif_resp)) == NULL)
		die("malloc");
	for (;;) {
		memset(req, 0, sizes.seccomp_notif);
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ENOENT)
				die("SECCOMP_IOCTL_NOTIF_RECV");
			/* ENOENT: no users left (6.11+), or one died. */
			p.fd = fd;
			p.events = POLLIN;
			if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) &&
			    !(p.revents & POLLIN))
				return;
			continue;
		}
		r = floor_read_path(req->pid, req->data.args[1], path);
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0)
			continue;
		if (r < 0) {
			floor_respond(fd, resp, sizes.seccomp_notif_resp,
			    req->id, r, 0);
			continue;
		}
		if (mode == FLOOR_CONTINUE || strcmp(path, src) != 0) {
			floor_respond(fd, resp, sizes.seccomp_notif_resp,
			    req->id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
			continue;
		}
		if (mode == FLOOR_ERRNO) {
			floor_respond(fd, resp, sizes.seccomp_notif_resp,
			    req->id, -EACCES, 0);
			continue;
		}
		flags = (int)req->data.args[2];
		if ((dfd = open(dst, flags | O_CLOEXEC,
		    (mode_t)req->data.args[3])) < 0) {
			floor_respond(fd, resp, sizes.seccomp_notif_resp,
			    req->id, -errno, 0);
			continue;
		}
		memset(&addfd, 0, sizeof(addfd));
		addfd.id = req->id;
		addfd.flags = SECCOMP_ADDFD_FLAG_SEND;
		addfd.srcfd = dfd;
		addfd.newfd_flags = flags & O_CLOEXEC;
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd) < 0 &&
		    errno != ENOENT)
			floor_respond(fd, resp, sizes.seccomp_notif_resp,
			    req->id, -EMFILE, 0);
		close(dfd);
	}
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: floor [-v] continue | errno SRC | "
	    "redirect SRC DST -- CMD [ARG]...\n");
	exit(125);
}

int
main(int argc, char **argv)
{
	enum floor_mode mode;
	const char *src = "", *dst = "";
	int sv[2], fd, status, i = 1, verbose = 0, sync = 0;
	pid_t child;

	if (i < argc && strcmp(argv[i], "-v") == 0) {
		verbose = 1;
		i++;
	}
	if (i >= argc)
		usage();
	if (strcmp(argv[i], "continue") == 0) {
		mode = FLOOR_CONTINUE;
		i += 1;
	} else if (strcmp(argv[i], "errno") == 0 && i + 1 < argc) {
		mode = FLOOR_ERRNO;
		src = argv[i + 1];
		i += 2;
	} else if (strcmp(argv[i], "redirect") == 0 && i + 2 < argc) {
		mode = FLOOR_REDIRECT;
		src = argv[i + 1];
		dst = argv[i + 2];
		i += 3;
	} else
		usage();
	if (i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc)
		usage();
	argv += i + 1;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair");
	if ((child = fork()) < 0)
		die("fork");
	if (child == 0) {
		close(sv[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if ((fd = floor_install()) < 0) {
			perror("floor: seccomp");
			_exit(125);
		}
		floor_send_fd(sv[1], fd);
		close(fd);
		execvp(argv[0], argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(sv[1]);
	if ((fd = floor_recv_fd(sv[0])) < 0)
		die("receiving the listener");
	close(sv[0]);
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
	    SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, 0) == 0)
		sync = 1;
	if (verbose)
		fprintf(stderr, "floor: SYNC_WAKE_UP %s\n", sync ? "on" : "off");
	floor_loop(fd, mode, src, dst);
	close(fd);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
