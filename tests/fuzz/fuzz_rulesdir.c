/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: rules_load() on `-r` directories and files and
 * rules_load_dropins() on three drop-in directories, built in a temporary
 * tree from the input; checked against a plain reference that parses each
 * file the walk should pick with rules_parse_string(), in order. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "causes.h"
#include "fuzz.h"
#include "rules.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_DIRS	3
#define FUZZ_ENTRIES	16
#define FUZZ_NAME_MAX	24

/* What a directory entry is; the input's first byte of a record picks. */
enum fuzz_kind {
	FUZZ_INI,		/* regular file NAME.ini */
	FUZZ_VERBATIM,		/* regular file NAME (maybe hidden, not .ini) */
	FUZZ_SUBDIR,		/* directory NAME.ini: skipped */
	FUZZ_DANGLING,		/* symlink NAME.ini to nothing: an error */
	FUZZ_FIFO,		/* FIFO NAME.ini: skipped, never blocks */
	FUZZ_KINDS
};

struct fuzz_entry {
	int		 dir;
	enum fuzz_kind	 kind;
	char		 name[FUZZ_NAME_MAX + 5];
	const char	*text;		/* FUZZ_INI, FUZZ_VERBATIM */
	int		 shadowed;	/* drop-ins: an earlier dir has it */
};

static char	 fuzz_base[] = "/tmp/unotifyd-fuzz-rulesdir.XXXXXX";
static char	 fuzz_dir[FUZZ_DIRS][sizeof(fuzz_base) + 4];

static void
fuzz_rmbase(void)
{
	(void)umount(fuzz_base);
	(void)rmdir(fuzz_base);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	if (mkdtemp(fuzz_base) == NULL)
		abort();
	/*
	 * A tmpfs of its own where it can (root): on a busy disk, making and
	 * removing a few files costs ~15 ms per input, a hundred times the
	 * parsing. The mount dies with the process's mount namespace.
	 */
	if (unshare(CLONE_NEWNS) == 0 &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		(void)mount("tmpfs", fuzz_base, "tmpfs", 0, "size=64m,mode=0700");
	atexit(fuzz_rmbase);
	for (int i = 0; i < FUZZ_DIRS; i++)
		snprintf(fuzz_dir[i], sizeof(fuzz_dir[i]), "%s/d%d", fuzz_base,
		    i);
	return 0;
}

/* What rules_load_dir() and rules_load_dropins() take: "*.ini", not
 * hidden. */
static int
fuzz_picked(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".ini") == 0;
}

static int
fuzz_entry_cmp(const void *a, const void *b)
{
	const struct fuzz_entry *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* The reference: load the picked entries in strcmp order, one by one. */
static int
fuzz_reference(struct rule_set *set, struct fuzz_entry **v, size_t n,
    struct causes *causes)
{
	char path[PATH_MAX];
	size_t i;
	int r = 0;

	qsort(v, n, sizeof(*v), fuzz_entry_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir[v[i]->dir],
		    v[i]->name);
		switch (v[i]->kind) {
		case FUZZ_INI:
		case FUZZ_VERBATIM:
			if (rules_parse_string(set, v[i]->text, path,
			    causes) != 0)
				r = -1;
			break;
		case FUZZ_DANGLING:
			causes_add(causes, "%s: %s", path, strerror(ENOENT));
			r = -1;
			break;
		default:
			break;
		}
	}
	return r;
}

/* Same return, same causes in the same order, the same rules. */
static void
fuzz_same(int r1, const struct rule_set *a, const struct causes *ca, int r2,
    const struct rule_set *b, const struct causes *cb, const char *what)
{
	size_t i;

	FUZZ_ASSERT(r1 == r2, what);
	FUZZ_ASSERT(r1 == 0 || ca->n > 0, what);
	FUZZ_ASSERT(ca->n == cb->n, what);
	for (i = 0; i < ca->n; i++)
		FUZZ_ASSERT(strcmp(ca->v[i], cb->v[i]) == 0, ca->v[i]);
	FUZZ_ASSERT(a->n == b->n, what);
	for (i = 0; i < a->n; i++) {
		FUZZ_ASSERT(strcmp(a->v[i].name, b->v[i].name) == 0, what);
		FUZZ_ASSERT(strcmp(a->v[i].path, b->v[i].path) == 0, what);
		FUZZ_ASSERT(a->v[i].action == b->v[i].action, what);
		FUZZ_ASSERT((a->v[i].target == NULL) == (b->v[i].target ==
		    NULL), what);
		FUZZ_ASSERT(a->v[i].target == NULL ||
		    strcmp(a->v[i].target, b->v[i].target) == 0, what);
		FUZZ_ASSERT(a->v[i].syscalls == b->v[i].syscalls, what);
	}
}

/* Free both sides of a comparison, for the next one. */
static void
fuzz_reset(struct rule_set *a, struct rule_set *b, struct causes *ca,
    struct causes *cb)
{
	rules_free(a);
	rules_free(b);
	causes_free(ca);
	causes_free(cb);
	memset(ca, 0, sizeof(*ca));
	memset(cb, 0, sizeof(*cb));
}

/* Make one entry; 0 if its name is already taken in its directory. */
static int
fuzz_make(const struct fuzz_entry *e)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir[e->dir], e->name);
	switch (e->kind) {
	case FUZZ_INI:
	case FUZZ_VERBATIM:
		if ((f = fopen(path, "wx")) == NULL) {
			FUZZ_ASSERT(errno == EEXIST, path);
			return 0;
		}
		fputs(e->text, f);
		FUZZ_ASSERT(fclose(f) == 0, path);
		return 1;
	case FUZZ_SUBDIR:
		if (mkdir(path, 0700) == 0)
			return 1;
		break;
	case FUZZ_DANGLING:
		if (symlink("nowhere", path) == 0)
			return 1;
		break;
	case FUZZ_FIFO:
		if (mkfifo(path, 0600) == 0)
			return 1;
		break;
	default:
		abort();
	}
	FUZZ_ASSERT(errno == EEXIST, path);
	return 0;
}

/* Parse the input into entries: records split at NUL bytes, each a
 * control byte (directory, kind), a name up to '\n', then the text. */
static size_t
fuzz_entries(char *text, size_t size, struct fuzz_entry *v)
{
	char *p = text, *end = text + size, *nl;
	size_t n = 0, len, i;

	while (p < end && n < FUZZ_ENTRIES) {
		struct fuzz_entry *e = &v[n];
		unsigned char c = (unsigned char)*p++;

		e->dir = c % FUZZ_DIRS;
		e->kind = (c / FUZZ_DIRS) % FUZZ_KINDS;
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (len > FUZZ_NAME_MAX)
			len = FUZZ_NAME_MAX;
		memcpy(e->name, p, len);
		e->name[len] = '\0';
		for (i = 0; i < len; i++)
			if (e->name[i] == '/')
				e->name[i] = '_';
		if (len == 0)
			strcpy(e->name, "r");
		if (e->kind != FUZZ_VERBATIM)
			strcat(e->name, ".ini");
		if (strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0)
			strcpy(e->name, "dot");
		p += len;
		if (*p == '\n')
			p++;
		e->text = p;
		e->shadowed = 0;
		p += strlen(p) + 1;
		if (fuzz_make(e))
			n++;
	}
	return n;
}

/* Remove the tree fuzz_entries() made. */
static void
fuzz_clean(const struct fuzz_entry *v, size_t n)
{
	char path[PATH_MAX];
	size_t i;
	int d;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir[v[i].dir],
		    v[i].name);
		FUZZ_ASSERT((v[i].kind == FUZZ_SUBDIR ? rmdir(path) :
		    unlink(path)) == 0, path);
	}
	for (d = 0; d < FUZZ_DIRS; d++)
		FUZZ_ASSERT(rmdir(fuzz_dir[d]) == 0, fuzz_dir[d]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 2);
	struct fuzz_entry v[FUZZ_ENTRIES], *pick[FUZZ_ENTRIES];
	struct causes ca = { 0 }, cb = { 0 };
	struct rule_set a, b;
	const char *dirs[FUZZ_DIRS + 1];
	char path[PATH_MAX];
	size_t n, np, i, k;
	int d, r1, r2;

	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = text[size + 1] = '\0';
	for (d = 0; d < FUZZ_DIRS; d++) {
		FUZZ_ASSERT(mkdir(fuzz_dir[d], 0700) == 0, fuzz_dir[d]);
		dirs[d] = fuzz_dir[d];
	}
	dirs[FUZZ_DIRS] = NULL;
	n = fuzz_entries(text, size, v);

	/* -r DIR, for each directory. */
	for (d = 0; d < FUZZ_DIRS; d++) {
		for (i = np = 0; i < n; i++)
			if (v[i].dir == d && fuzz_picked(v[i].name))
				pick[np++] = &v[i];
		rules_init(&a);
		rules_init(&b);
		r1 = rules_load(&a, fuzz_dir[d], &ca);
		/* A directory with no *.ini at all is a mistake. */
		if (np == 0) {
			causes_add(&cb, "%s: no *.ini file in this directory",
			    fuzz_dir[d]);
			r2 = -1;
		} else
			r2 = fuzz_reference(&b, pick, np, &cb);
		fuzz_same(r1, &a, &ca, r2, &b, &cb, "-r DIR");
		fuzz_reset(&a, &b, &ca, &cb);
	}

	/* The drop-in directories: an earlier one's file wins by name. */
	for (i = np = 0; i < n; i++) {
		if (!fuzz_picked(v[i].name))
			continue;
		for (k = 0; k < n; k++)
			if (v[k].dir < v[i].dir &&
			    strcmp(v[k].name, v[i].name) == 0)
				break;
		if (k == n)
			pick[np++] = &v[i];
	}
	rules_init(&a);
	rules_init(&b);
	r1 = rules_load_dropins(&a, dirs, &ca);
	r2 = fuzz_reference(&b, pick, np, &cb);
	fuzz_same(r1, &a, &ca, r2, &b, &cb, "drop-ins");
	fuzz_reset(&a, &b, &ca, &cb);

	/* -r FILE, for the regular files, whatever their names. */
	for (i = 0; i < n; i++) {
		if (v[i].kind != FUZZ_INI && v[i].kind != FUZZ_VERBATIM)
			continue;
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir[v[i].dir],
		    v[i].name);
		rules_init(&a);
		rules_init(&b);
		r1 = rules_load(&a, path, &ca);
		r2 = rules_parse_string(&b, v[i].text, path, &cb);
		fuzz_same(r1, &a, &ca, r2, &b, &cb, "-r FILE");
		fuzz_reset(&a, &b, &ca, &cb);
	}
	fuzz_clean(v, n);
	free(text);
	return 0;
}
