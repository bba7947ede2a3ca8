/* SPDX-License-Identifier: MIT */
/* The last rule sets that loaded, kept as the text of their files, and
 * their serialisation into a memfd for systemd's fd store. */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "rulesnap.h"
#include "util.h"

/* Bounds for what is read back, far above any real rule set. */
#define RULESNAP_FILE_MAX	(64u << 20)
#define RULESNAP_TOTAL_MAX	(256u << 20)
/* Sets kept at most; the oldest that is not the default goes first. */
#define RULESNAP_SETS_MAX	256
#define RULESNAP_MAGIC		"unotifyd-rulesnap 1\n"

struct rulesnap_file {
	char	*path;
	char	*text;
	size_t	 len;
};

struct rulesnap_set {
	char			*key;
	struct rulesnap_file	*files;
	size_t			 nfiles;
};

struct rulesnap {
	struct rulesnap_set	*sets;
	size_t			 nsets;
};

struct rulesnap *
rulesnap_new(void)
{
	return xcalloc(1, sizeof(struct rulesnap));
}

static void
rulesnap_set_clear(struct rulesnap_set *set)
{
	size_t i;

	for (i = 0; i < set->nfiles; i++) {
		free(set->files[i].path);
		free(set->files[i].text);
	}
	free(set->files);
	free(set->key);
	memset(set, 0, sizeof(*set));
}

static void
rulesnap_clear(struct rulesnap *snap)
{
	size_t i;

	for (i = 0; i < snap->nsets; i++)
		rulesnap_set_clear(&snap->sets[i]);
	free(snap->sets);
	snap->sets = NULL;
	snap->nsets = 0;
}

void
rulesnap_free(struct rulesnap *snap)
{
	if (snap == NULL)
		return;
	rulesnap_clear(snap);
	free(snap);
}

static struct rulesnap_set *
rulesnap_find(const struct rulesnap *snap, const char *key)
{
	size_t i;

	for (i = 0; i < snap->nsets; i++)
		if (strcmp(snap->sets[i].key, key) == 0)
			return &snap->sets[i];
	return NULL;
}

int
rulesnap_has(const struct rulesnap *snap, const char *key)
{
	return rulesnap_find(snap, key) != NULL;
}

/*
 * The whole regular file open as fd, NUL-terminated, read from offset 0
 * with pread (the fd store shares the offset our write left at the end);
 * at most max bytes. 0, or -errno (-EINVAL: not a regular file, too big).
 */
static int
rulesnap_slurp(int fd, size_t max, char **out, size_t *outlen)
{
	cleanup_free char *buf = NULL;
	struct stat st;
	size_t len = 0;
	ssize_t n;

	*out = NULL;
	*outlen = 0;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max)
		return -EINVAL;
	buf = xmalloc(st.st_size + 1);
	while (len < (size_t)st.st_size) {
		n = pread(fd, buf + len, st.st_size - len, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	*out = steal_pointer(&buf);
	*outlen = len;
	return 0;
}

/* The rules file at path, NUL-terminated, or -errno. */
static int
rulesnap_read(const char *path, char **out, size_t *outlen)
{
	cleanup_close int fd = -1;
	int r;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if ((r = rulesnap_slurp(fd, RULESNAP_FILE_MAX, out, outlen)) < 0)
		return r;
	/* A NUL byte would cut the text short: the file did not load. */
	if (strlen(*out) != *outlen) {
		free(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

/* Parse every file of set into rules; 0 or -EINVAL with causes. */
static int
rulesnap_parse(const struct rulesnap_set *set, struct rule_set *rules,
    struct causes *c)
{
	size_t i, before = c->n;

	for (i = 0; i < set->nfiles; i++)
		rules_parse_string(rules, set->files[i].text,
		    set->files[i].path, c);
	return c->n == before ? 0 : -EINVAL;
}

static int
rulesnap_same(const struct rulesnap_set *a, const struct rulesnap_set *b)
{
	size_t i;

	if (a->nfiles != b->nfiles)
		return 0;
	for (i = 0; i < a->nfiles; i++)
		if (strcmp(a->files[i].path, b->files[i].path) != 0 ||
		    a->files[i].len != b->files[i].len ||
		    memcmp(a->files[i].text, b->files[i].text, a->files[i].len))
			return 0;
	return 1;
}

/* Put set under its key, replacing the old one; the snapshot owns it. */
static void
rulesnap_put(struct rulesnap *snap, struct rulesnap_set *set)
{
	struct rulesnap_set *old = rulesnap_find(snap, set->key);
	size_t i;

	if (old != NULL) {
		rulesnap_set_clear(old);
		*old = *set;
		return;
	}
	if (snap->nsets == RULESNAP_SETS_MAX) {
		for (i = 0; i < snap->nsets && snap->sets[i].key[0] == '\0';
		    i++)
			;
		rulesnap_set_clear(&snap->sets[i]);
		memmove(&snap->sets[i], &snap->sets[i + 1],
		    (snap->nsets - i - 1) * sizeof(*snap->sets));
		snap->nsets--;
	}
	snap->sets = xreallocarray(snap->sets, snap->nsets + 1,
	    sizeof(*snap->sets));
	snap->sets[snap->nsets++] = *set;
}

int
rulesnap_record(struct rulesnap *snap, const char *key,
    const struct rule_set *rules)
{
	struct rulesnap_set set = { 0 }, *old;
	struct rule_set check;
	struct causes c = { 0 };
	size_t i, k;
	int r;

	set.key = xstrdup(key);
	/* A file's rules are contiguous: they are appended as it loads. */
	for (i = 0; i < rules->n; i++) {
		const char *file = rules->v[i].file;

		for (k = 0; k < set.nfiles; k++)
			if (strcmp(set.files[k].path, file) == 0)
				break;
		if (k < set.nfiles)
			continue;
		set.files = xreallocarray(set.files, set.nfiles + 1,
		    sizeof(*set.files));
		set.files[set.nfiles].path = xstrdup(file);
		r = rulesnap_read(file, &set.files[set.nfiles].text,
		    &set.files[set.nfiles].len);
		set.nfiles++;
		if (r < 0) {
			rulesnap_set_clear(&set);
			return r;
		}
	}
	rules_init(&check);
	r = rulesnap_parse(&set, &check, &c);
	if (r == 0 && check.n != rules->n)
		r = -ESTALE;
	rules_free(&check);
	causes_free(&c);
	if (r < 0) {
		rulesnap_set_clear(&set);
		return r;
	}
	if ((old = rulesnap_find(snap, key)) != NULL &&
	    rulesnap_same(old, &set)) {
		rulesnap_set_clear(&set);
		return 0;
	}
	rulesnap_put(snap, &set);
	return 1;
}

int
rulesnap_restore(const struct rulesnap *snap, const char *key,
    struct rule_set *rules, struct causes *c)
{
	const struct rulesnap_set *set = rulesnap_find(snap, key);

	if (set == NULL)
		return -ENOENT;
	return rulesnap_parse(set, rules, c);
}

/* Write all of buf; 0 or -errno. */
static int
rulesnap_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/* A record header and its body: "TAG A B\n" then each part and "\n". */
static int
rulesnap_write_rec(int fd, const char *tag, const char *a, size_t alen,
    const char *b, size_t blen)
{
	char head[96];
	int r;

	snprintf(head, sizeof(head), "%s %zu %zu\n", tag, alen, blen);
	if ((r = rulesnap_write(fd, head, strlen(head))) < 0 ||
	    (r = rulesnap_write(fd, a, alen)) < 0 ||
	    (r = rulesnap_write(fd, "\n", 1)) < 0)
		return r;
	if (b == NULL)
		return 0;
	if ((r = rulesnap_write(fd, b, blen)) < 0 ||
	    (r = rulesnap_write(fd, "\n", 1)) < 0)
		return r;
	return 0;
}

int
rulesnap_to_fd(const struct rulesnap *snap)
{
	cleanup_close int fd = -1;
	const struct rulesnap_set *set;
	size_t i, k;
	int r;

	fd = memfd_create("unotifyd-rules", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if ((r = rulesnap_write(fd, RULESNAP_MAGIC, strlen(RULESNAP_MAGIC))) < 0)
		return r;
	for (i = 0; i < snap->nsets; i++) {
		set = &snap->sets[i];
		/* "set KEYLEN NFILES\nKEY\n" */
		if ((r = rulesnap_write_rec(fd, "set", set->key,
		    strlen(set->key), NULL, set->nfiles)) < 0)
			return r;
		for (k = 0; k < set->nfiles; k++)
			if ((r = rulesnap_write_rec(fd, "file",
			    set->files[k].path, strlen(set->files[k].path),
			    set->files[k].text, set->files[k].len)) < 0)
				return r;
	}
	/* Sealed: whoever holds it can only read it. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_WRITE) < 0)
		return -errno;
	return steal_fd(&fd);
}

/* A cursor over the serialised text. */
struct rulesnap_in {
	const char	*p, *end;
};

/* "TAG A B\n": 0 with the numbers, or -EBADMSG. */
static int
rulesnap_in_head(struct rulesnap_in *in, const char *tag, size_t *a,
    size_t *b)
{
	const char *nl = memchr(in->p, '\n', in->end - in->p);
	char line[96], word[8];
	int end = -1;

	if (nl == NULL || (size_t)(nl - in->p) >= sizeof(line))
		return -EBADMSG;
	memcpy(line, in->p, nl - in->p);
	line[nl - in->p] = '\0';
	if (sscanf(line, "%7s %zu %zu%n", word, a, b, &end) != 3 ||
	    line[end] != '\0' || strcmp(word, tag) != 0)
		return -EBADMSG;
	in->p = nl + 1;
	return 0;
}

/* len bytes and a newline: a new NUL-terminated copy, or NULL. */
static char *
rulesnap_in_part(struct rulesnap_in *in, size_t len)
{
	char *s;

	if (len >= (size_t)(in->end - in->p) || in->p[len] != '\n' ||
	    memchr(in->p, '\0', len) != NULL)
		return NULL;
	s = xmalloc(len + 1);
	memcpy(s, in->p, len);
	s[len] = '\0';
	in->p += len + 1;
	return s;
}

static int
rulesnap_parse_text(struct rulesnap *snap, const char *text, size_t len)
{
	struct rulesnap_in in = { text, text + len };
	struct rulesnap_set set;
	size_t a, b, k;

	if (len < strlen(RULESNAP_MAGIC) || memcmp(text, RULESNAP_MAGIC,
	    strlen(RULESNAP_MAGIC)) != 0)
		return -EBADMSG;
	in.p += strlen(RULESNAP_MAGIC);
	while (in.p < in.end) {
		memset(&set, 0, sizeof(set));
		if (rulesnap_in_head(&in, "set", &a, &b) < 0 ||
		    b > RULESNAP_TOTAL_MAX || (set.key = rulesnap_in_part(&in,
		    a)) == NULL)
			goto bad;
		for (k = 0; k < b; k++) {
			struct rulesnap_file *f;

			set.files = xreallocarray(set.files, set.nfiles + 1,
			    sizeof(*set.files));
			f = &set.files[set.nfiles++];
			memset(f, 0, sizeof(*f));
			if (rulesnap_in_head(&in, "file", &a, &f->len) < 0 ||
			    (f->path = rulesnap_in_part(&in, a)) == NULL ||
			    (f->text = rulesnap_in_part(&in, f->len)) == NULL)
				goto bad;
		}
		rulesnap_put(snap, &set);
	}
	return 0;
bad:
	rulesnap_set_clear(&set);
	rulesnap_clear(snap);
	return -EBADMSG;
}

int
rulesnap_from_fd(struct rulesnap *snap, int fd)
{
	cleanup_free char *buf = NULL;
	size_t len;
	int r;

	rulesnap_clear(snap);
	if ((r = rulesnap_slurp(fd, RULESNAP_TOTAL_MAX, &buf, &len)) < 0)
		return r == -EINVAL ? -EBADMSG : r;
	return rulesnap_parse_text(snap, buf, len);
}

int
rulesnap_fdstore(const struct rulesnap *snap)
{
	int fd, r;

	if ((fd = rulesnap_to_fd(snap)) < 0)
		return fd;
	/* One copy only: the store keeps every fd sent under a name. */
	sd_notify(0, "FDSTOREREMOVE=1\nFDNAME=" RULESNAP_FDNAME);
	r = sd_pid_notify_with_fds(0, 0, "FDSTORE=1\nFDNAME=" RULESNAP_FDNAME,
	    &fd, 1);
	close(fd);
	return r < 0 ? r : 0;
}
