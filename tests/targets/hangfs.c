/* SPDX-License-Identifier: MIT */
/*
 * A FUSE file system that hangs, spoken straight to /dev/fuse (root):
 *
 *	hangfs MOUNTPOINT LOG
 *
 * The root holds "hang", whose lookup is never answered (stat, open, any
 * path through it hang), and "file", which can be looked up and stat'ed but
 * whose open is never answered. Everything else is ENOENT or ENOSYS. LOG
 * gets "mounted" once the kernel's INIT is answered, then a line for each
 * request left hanging; runs until killed, which aborts the connection:
 * the hung calls then fail with ENOTCONN.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define HANGFS_FILE	2	/* the node id of "file" */

static int fuse_fd;
static FILE *logf;

static void
note(const char *what)
{
	fprintf(logf, "%s\n", what);
	fflush(logf);
}

static void
reply(const struct fuse_in_header *in, int error, const void *out,
    size_t len)
{
	struct fuse_out_header h = { .len = sizeof(h) + len, .error = error,
	    .unique = in->unique };
	char buf[sizeof(h) + 256];

	memcpy(buf, &h, sizeof(h));
	if (len > 0)
		memcpy(buf + sizeof(h), out, len);
	if (write(fuse_fd, buf, h.len) < 0 && errno != ENOENT)
		perror("hangfs: write");
}

static void
attr(struct fuse_attr *a, uint64_t ino)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->mode = ino == FUSE_ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0644;
	a->nlink = ino == FUSE_ROOT_ID ? 2 : 1;
	a->size = ino == FUSE_ROOT_ID ? 0 : 5;
}

int
main(int argc, char *argv[])
{
	static char buf[FUSE_MIN_READ_BUFFER + 65536];
	struct fuse_in_header *in = (struct fuse_in_header *)buf;
	char opts[128];
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: hangfs MOUNTPOINT LOG\n");
		return 2;
	}
	if ((logf = fopen(argv[2], "a")) == NULL) {
		perror(argv[2]);
		return 2;
	}
	if ((fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC)) < 0) {
		perror("hangfs: /dev/fuse");
		return 77;
	}
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,"
	    "group_id=0,allow_other", fuse_fd);
	if (mount("hangfs", argv[1], "fuse.hangfs", MS_NOSUID | MS_NODEV,
	    opts) < 0) {
		perror("hangfs: mount");
		return 77;
	}
	while ((n = read(fuse_fd, buf, sizeof(buf))) > 0 ||
	    (n < 0 && (errno == EINTR || errno == ENOENT))) {
		const char *name = buf + sizeof(*in);

		if (n <= 0)
			continue;
		switch (in->opcode) {
		case FUSE_INIT: {
			const struct fuse_init_in *ii = (const void *)name;
			struct fuse_init_out o = { .major = FUSE_KERNEL_VERSION,
			    .minor = ii->minor < FUSE_KERNEL_MINOR_VERSION ?
			    ii->minor : FUSE_KERNEL_MINOR_VERSION,
			    .max_write = 4096, .max_readahead = 4096 };

			reply(in, 0, &o, sizeof(o));
			note("mounted");
			break;
		}
		case FUSE_LOOKUP: {
			struct fuse_entry_out e;

			if (in->nodeid == FUSE_ROOT_ID &&
			    strcmp(name, "hang") == 0) {
				note("lookup hang");
				break;		/* never answered */
			}
			if (in->nodeid != FUSE_ROOT_ID) {
				reply(in, -ENOENT, NULL, 0);
				break;
			}
			if (strcmp(name, "file") != 0) {
				reply(in, -ENOENT, NULL, 0);
				break;
			}
			memset(&e, 0, sizeof(e));
			e.nodeid = HANGFS_FILE;
			attr(&e.attr, HANGFS_FILE);
			reply(in, 0, &e, sizeof(e));
			break;
		}
		case FUSE_GETATTR: {
			struct fuse_attr_out a;

			memset(&a, 0, sizeof(a));
			attr(&a.attr, in->nodeid);
			reply(in, 0, &a, sizeof(a));
			break;
		}
		case FUSE_OPEN:
			note("open file");
			break;			/* never answered */
		case FUSE_INTERRUPT:
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
			break;			/* never answered */
		default:
			reply(in, -ENOSYS, NULL, 0);
		}
	}
	return 0;
}
