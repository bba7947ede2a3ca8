/* SPDX-License-Identifier: MIT */
/* Open and read PATH through io_uring (IORING_OP_OPENAT, liburing) and
 * print "uring=TEXT"; when io_uring_setup fails, print "setup=ENAME" and
 * fall back to openat(2) as liburing users do: "fallback=TEXT". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <liburing.h>

/* The first line of the file at fd, or "ERR ENAME". */
static void
print_text(const char *label, int fd)
{
	char buf[256];
	ssize_t n;

	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		printf("%s=ERR read %s\n", label, strerrorname_np(errno));
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("%s=%s\n", label, buf);
}

int
main(int argc, char **argv)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int r, fd;

	if (argc != 2) {
		fprintf(stderr, "usage: uring-open PATH\n");
		return 2;
	}
	if ((r = io_uring_queue_init(4, &ring, 0)) < 0) {
		printf("setup=%s\n", strerrorname_np(-r));
		if ((fd = openat(AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC)) < 0) {
			printf("fallback=ERR %s\n", strerrorname_np(errno));
			return 1;
		}
		print_text("fallback", fd);
		return 0;
	}
	if ((sqe = io_uring_get_sqe(&ring)) == NULL) {
		printf("uring=ERR no sqe\n");
		return 1;
	}
	io_uring_prep_openat(sqe, AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC, 0);
	if ((r = io_uring_submit(&ring)) < 0 ||
	    (r = io_uring_wait_cqe(&ring, &cqe)) < 0) {
		printf("uring=ERR submit %s\n", strerrorname_np(-r));
		return 1;
	}
	fd = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	if (fd < 0) {
		printf("uring=ERR %s\n", strerrorname_np(-fd));
		return 1;
	}
	print_text("uring", fd);
	return 0;
}
