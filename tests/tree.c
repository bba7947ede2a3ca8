/* SPDX-License-Identifier: MIT */
/* Test helper: snapshots of directory trees, compared entry by entry, so a
 * test can prove that a tree was left exactly as it was. */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "tree.h"

/* Regular files larger than this are compared by size and mtime only. */
#define TREE_MAX_DATA	(8 * 1024 * 1024)

struct tree_entry {
	char		*path;		/* relative to the root, "." for it */
	mode_t		 mode;		/* type and permission bits */
	uid_t		 uid;
	gid_t		 gid;
	off_t		 size;		/* 0 for directories */
	struct timespec	 mtime;		/* zero for directories */
	char		*data;		/* file contents or link target */
	size_t		 len;
};

struct tree {
	struct tree_entry	*e;
	size_t			 n;
};

/* Slurp at most TREE_MAX_DATA bytes of the file at fd into *data. */
static void
tree_read_fd(int fd, const char *what, char **data, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf, *nb;
	ssize_t r;

	if ((buf = malloc(cap)) == NULL)
		cr_fatal("out of memory");
	for (;;) {
		if (n == cap) {
			cap *= 2;
			if ((nb = realloc(buf, cap)) == NULL)
				cr_fatal("out of memory");
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			cr_fatal("tree: read %s: %s", what, strerror(errno));
		if (r == 0)
			break;
		n += r;
	}
	*data = buf;
	*len = n;
}

/* Append one entry for path (absolute abs) to t. */
static void
tree_add(struct tree *t, const char *rel, const char *abs,
    const struct stat *st)
{
	struct tree_entry *e, *ne;
	ssize_t r;
	int fd;

	if ((ne = reallocarray(t->e, t->n + 1, sizeof(*ne))) == NULL)
		cr_fatal("out of memory");
	t->e = ne;
	e = &t->e[t->n++];
	memset(e, 0, sizeof(*e));
	if ((e->path = strdup(rel)) == NULL)
		cr_fatal("out of memory");
	e->mode = st->st_mode;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
	if (S_ISDIR(st->st_mode))
		return;
	e->size = st->st_size;
	e->mtime = st->st_mtim;
	if (S_ISLNK(st->st_mode)) {
		if ((e->data = calloc(1, st->st_size + 2)) == NULL)
			cr_fatal("out of memory");
		r = readlink(abs, e->data, st->st_size + 1);
		if (r == -1)
			cr_fatal("tree: readlink %s: %s", abs, strerror(errno));
		e->len = r;
	} else if (S_ISREG(st->st_mode) && st->st_size <= TREE_MAX_DATA) {
		fd = open(abs, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOATIME);
		if (fd == -1 && errno == EPERM)
			fd = open(abs, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd == -1)
			cr_fatal("tree: open %s: %s", abs, strerror(errno));
		tree_read_fd(fd, abs, &e->data, &e->len);
		close(fd);
	}
}

static int
tree_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Record abs (relative name rel) and, for a directory, what it holds. */
static void
tree_walk(struct tree *t, const char *rel, const char *abs)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL, *crel, *cabs;
	size_t n = 0, i;
	DIR *d;

	if (lstat(abs, &st) == -1)
		cr_fatal("tree: lstat %s: %s", abs, strerror(errno));
	tree_add(t, rel, abs, &st);
	if (!S_ISDIR(st.st_mode))
		return;
	if ((d = opendir(abs)) == NULL)
		cr_fatal("tree: opendir %s: %s", abs, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((names = reallocarray(names, n + 1, sizeof(*names))) ==
		    NULL || (names[n++] = strdup(de->d_name)) == NULL)
			cr_fatal("out of memory");
	}
	closedir(d);
	/* Sorted, so that two snapshots can be merged in one pass. */
	if (n > 0)
		qsort(names, n, sizeof(*names), tree_name_cmp);
	for (i = 0; i < n; i++) {
		if (strcmp(rel, ".") == 0)
			crel = strdup(names[i]);
		else if (asprintf(&crel, "%s/%s", rel, names[i]) == -1)
			crel = NULL;
		if (crel == NULL || asprintf(&cabs, "%s/%s", abs,
		    names[i]) == -1)
			cr_fatal("out of memory");
		tree_walk(t, crel, cabs);
		free(crel);
		free(cabs);
		free(names[i]);
	}
	free(names);
}

struct tree *
tree_snap(const char *root)
{
	struct tree *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		cr_fatal("out of memory");
	tree_walk(t, ".", root);
	return t;
}

/* Append a printf'd line to *s. */
static void __attribute__((format(printf, 2, 3)))
tree_say(char **s, const char *fmt, ...)
{
	char *line, *ns;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) == -1)
		cr_fatal("out of memory");
	va_end(ap);
	if (asprintf(&ns, "%s%s\n", *s != NULL ? *s : "", line) == -1)
		cr_fatal("out of memory");
	free(*s);
	free(line);
	*s = ns;
}

/* Path order as tree_walk produced it: component by component. */
static int
tree_path_cmp(const char *a, const char *b)
{
	if (strcmp(a, ".") == 0 || strcmp(b, ".") == 0)
		return strcmp(a, ".") == 0 ? (strcmp(b, ".") == 0 ? 0 : -1) : 1;
	for (; *a != '\0' && *a == *b; a++, b++)
		;
	/* '/' sorts before every other byte: a/b comes before a-c. */
	if (*a == '/' && *b != '\0')
		return -1;
	if (*b == '/' && *a != '\0')
		return 1;
	return (unsigned char)*a - (unsigned char)*b;
}

/* Describe how x and y (the same path) differ, if they do. */
static void
tree_compare(char **s, const struct tree_entry *x, const struct tree_entry *y)
{
	if (x->mode != y->mode)
		tree_say(s, "changed %s: mode %06o -> %06o", x->path,
		    (unsigned)x->mode, (unsigned)y->mode);
	if (x->uid != y->uid || x->gid != y->gid)
		tree_say(s, "changed %s: owner %u:%u -> %u:%u", x->path,
		    (unsigned)x->uid, (unsigned)x->gid, (unsigned)y->uid,
		    (unsigned)y->gid);
	if (x->size != y->size)
		tree_say(s, "changed %s: size %lld -> %lld", x->path,
		    (long long)x->size, (long long)y->size);
	else if (x->len != y->len || (x->len > 0 && (x->data == NULL ||
	    y->data == NULL || memcmp(x->data, y->data, x->len) != 0)))
		tree_say(s, S_ISLNK(x->mode) ? "changed %s: link target" :
		    "changed %s: contents", x->path);
	if (x->mtime.tv_sec != y->mtime.tv_sec ||
	    x->mtime.tv_nsec != y->mtime.tv_nsec)
		tree_say(s, "changed %s: mtime", x->path);
}

char *
tree_diff(const struct tree *a, const struct tree *b)
{
	size_t i = 0, j = 0;
	char *s = NULL;
	int c;

	while (i < a->n || j < b->n) {
		if (i == a->n)
			c = 1;
		else if (j == b->n)
			c = -1;
		else
			c = tree_path_cmp(a->e[i].path, b->e[j].path);
		if (c < 0)
			tree_say(&s, "removed %s", a->e[i++].path);
		else if (c > 0)
			tree_say(&s, "added %s", b->e[j++].path);
		else
			tree_compare(&s, &a->e[i++], &b->e[j++]);
	}
	return s;
}

void
tree_free(struct tree *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->e[i].path);
		free(t->e[i].data);
	}
	free(t->e);
	free(t);
}
