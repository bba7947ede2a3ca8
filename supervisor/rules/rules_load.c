/* SPDX-License-Identifier: MIT */
/* Rules: files, directories of *.ini files, and systemd-style drop-ins. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules.h"
#include "rules_ini.h"
#include "util.h"

/* Larger files are refused rather than read into memory. */
#define RULES_MAX_FILE	(64u << 20)

/* Read a whole file; on error adds "PATH: reason" and returns -1. */
static int
rules_read_file(int fd, const char *path, char **out, size_t *outlen,
    struct causes *causes)
{
	cleanup_free char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;

	*out = NULL;
	*outlen = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= RULES_MAX_FILE) {
				causes_add(causes, "%s: file too large (more "
				    "than %u MiB)", path, RULES_MAX_FILE >> 20);
				return -1;
			}
			cap = cap ? cap * 2 : 65536;
			buf = xreallocarray(buf, cap, 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			causes_add(causes, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		len += n;
	}
	*out = steal_pointer(&buf);
	*outlen = len;
	return 0;
}

/* Parse one INI file. */
static int
rules_load_file(struct rule_set *set, int fd, const char *path,
    struct causes *causes)
{
	cleanup_free char *buf = NULL;
	size_t len;

	if (rules_read_file(fd, path, &buf, &len, causes) == -1)
		return -1;
	return rules_parse_buf(set, buf, len, path, causes);
}

/* scandir() filter: "*.ini", skipping hidden files as a shell glob would. */
static int
rules_dir_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 4 &&
	    strcmp(d->d_name + n - 4, ".ini") == 0;
}

/* scandir() order: plain strcmp, independent of the locale. */
static int
rules_dir_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Load one directory entry if it is a regular file. */
static int
rules_load_entry(struct rule_set *set, const char *dir, const char *name,
    struct causes *causes)
{
	cleanup_free char *file = NULL;
	cleanup_close int fd = -1;
	struct stat st;

	xasprintf(&file, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
	    name);
	/* O_NONBLOCK: a FIFO named *.ini must not hang the daemon. */
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1 || fstat(fd, &st) == -1) {
		causes_add(causes, "%s: %s", file, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	return rules_load_file(set, fd, file, causes);
}

/* Load every regular *.ini file of a directory, in strcmp order. */
static int
rules_load_dir(struct rule_set *set, const char *path, struct causes *causes)
{
	struct dirent **ents = NULL;
	int i, n, r = 0;

	if ((n = scandir(path, &ents, rules_dir_filter, rules_dir_cmp)) == -1) {
		causes_add(causes, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Only *.ini files are read: app.conf alone is a mistake. */
	if (n == 0) {
		free(ents);
		causes_add(causes, "%s: no *.ini file in this directory", path);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (rules_load_entry(set, path, ents[i]->d_name, causes) == -1)
			r = -1;
		free(ents[i]);
	}
	free(ents);
	return r;
}

/* One *.ini of the drop-in directories, and the directory it wins in. */
struct rules_dropin {
	char		*name;
	const char	*dir;
};

static int
rules_dropin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rules_dropin *)a)->name,
	    ((const struct rules_dropin *)b)->name);
}

/* Load the *.ini files of dirs the systemd drop-in way. */
int
rules_load_dropins(struct rule_set *set, const char *const *dirs,
    struct causes *causes)
{
	struct rules_dropin *v = NULL;
	struct dirent **ents;
	size_t nv = 0, i, k;
	int j, n, r = 0;

	for (i = 0; dirs[i] != NULL; i++) {
		n = scandir(dirs[i], &ents, rules_dir_filter, rules_dir_cmp);
		if (n == -1) {
			if (errno != ENOENT) {
				causes_add(causes, "%s: %s", dirs[i],
				    strerror(errno));
				r = -1;
			}
			continue;
		}
		for (j = 0; j < n; j++) {
			/* An earlier directory overrides a later one. */
			for (k = 0; k < nv; k++)
				if (strcmp(v[k].name, ents[j]->d_name) == 0)
					break;
			if (k == nv) {
				v = xreallocarray(v, nv + 1, sizeof(*v));
				v[nv].name = xstrdup(ents[j]->d_name);
				v[nv++].dir = dirs[i];
			}
			free(ents[j]);
		}
		free(ents);
	}
	/* No drop-in at all leaves v NULL, which qsort() must not get. */
	if (nv > 0)
		qsort(v, nv, sizeof(*v), rules_dropin_cmp);
	for (k = 0; k < nv; k++) {
		if (rules_load_entry(set, v[k].dir, v[k].name, causes) == -1)
			r = -1;
		free(v[k].name);
	}
	free(v);
	return r;
}

/* Load a rules file or directory. */
int
rules_load(struct rule_set *set, const char *path, struct causes *causes)
{
	cleanup_close int fd = -1;
	struct stat st;

	/* O_NONBLOCK: a FIFO given by mistake must not hang the daemon. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1 || fstat(fd, &st) == -1) {
		causes_add(causes, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return rules_load_dir(set, path, causes);
	if (!S_ISREG(st.st_mode)) {
		causes_add(causes, "%s: not a regular file or directory", path);
		return -1;
	}
	return rules_load_file(set, fd, path, causes);
}
