/* SPDX-License-Identifier: MIT */
/* unotifyd trace: a record of every path call a program makes, written as
 * text, JSON lines, or INI rules for the configuration files it read. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "act.h"
#include "creds.h"
#include "log.h"
#include "rules.h"
#include "trace.h"
#include "util.h"
#include "verdict.h"

int	trace_enabled;

enum trace_access {
	TRACE_READ,
	TRACE_WRITE,
	TRACE_CREATE,
	TRACE_REMOVE,
	TRACE_EXEC
};

static const char *const trace_access_names[] = {
	"read", "write", "create", "remove", "exec"
};

/* One call, from its decision to its answer. */
struct trace_rec {
	uint64_t		 id;
	pid_t			 tid;
	uint32_t		 arch;
	int			 nr;
	int			 open_read;	/* an open that reads the file */
	int			 npaths;
	enum trace_access	 access[CALL_PATHS];
	const char		*rule;		/* the deciding rule, or NULL */
	int64_t			 predicted;	/* the kernel's answer, checked */
	char			 given[CALL_PATHS][PATH_MAX];
	char			 abs[CALL_PATHS][PATH_MAX];
};

static __thread struct trace_rec	 trace_buf;
static __thread struct trace_rec	*trace_cur;	/* pending, or NULL */

static pthread_mutex_t	 trace_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE		*trace_out;
static enum trace_format trace_fmt;
static char		*trace_cmd;		/* the command, for the INI */
static char		**trace_files;		/* INI: configuration files read */
static size_t		 trace_nfiles;

int
trace_format_from_name(const char *name)
{
	static const char *const names[] = { "text", "json", "ini" };
	size_t i;

	for (i = 0; i < nitems(names); i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

void
trace_start(FILE *out, enum trace_format fmt, char *const argv[])
{
	size_t len = 0, i;
	char *p;
	int q;

	trace_out = out;
	trace_fmt = fmt;
	/* For a comment line: escaped, quoted where it has blanks. */
	for (i = 0; argv[i] != NULL; i++)
		len += LOG_ESCAPED_SIZE(strlen(argv[i])) + 3;
	trace_cmd = xcalloc(1, len + 1);
	for (i = 0, p = trace_cmd; argv[i] != NULL; i++) {
		q = strpbrk(argv[i], " \t") != NULL || argv[i][0] == '\0';
		p += sprintf(p, "%s%s", i > 0 ? " " : "", q ? "'" : "");
		log_escape(argv[i], p, LOG_ESCAPED_SIZE(strlen(argv[i])));
		p += strlen(p);
		if (q)
			*p++ = '\'';
	}
	trace_enabled = 1;
}

/*
 * Can the target reach path with mode (access(2)'s), as it would now? Its
 * root, its credentials; 0 or -errno. The cost of a traced call.
 */
static int
trace_check(struct target *t, const char *path, int mode, int nofollow)
{
	struct creds_saved saved;
	const char *rel;
	int dirfd, fd, r;

	if ((r = act_at(t, path, nofollow, &dirfd, &rel, &fd)) < 0)
		return r;
	if ((r = creds_enter(t, 0, &saved)) == 0) {
		r = faccessat(dirfd, rel, mode, AT_EACCESS |
		    (fd >= 0 ? AT_EMPTY_PATH : 0) |
		    (nofollow ? AT_SYMLINK_NOFOLLOW : 0)) < 0 ? -errno : 0;
		creds_leave(&saved);
	}
	if (fd >= 0)
		close(fd);
	return r;
}

/* A new entry in path's directory: writable and searchable. */
static int
trace_check_parent(struct target *t, const char *path)
{
	char dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		return 0;
	if (slash == dir)
		slash++;
	*slash = '\0';
	return trace_check(t, dir, W_OK | X_OK, 0);
}

static int
trace_check_create(struct target *t, const char *path, int *created)
{
	int r = trace_check(t, path, F_OK, 1);

	if (r == 0)
		return -EEXIST;
	if (r != -ENOENT)
		return r;
	*created = 1;
	return trace_check_parent(t, path);
}

static int
trace_check_remove(struct target *t, const char *path)
{
	int r = trace_check(t, path, F_OK, 1);

	return r < 0 ? r : trace_check_parent(t, path);
}

static int
trace_check_open(struct target *t, const struct call *c, const char *path,
    int *created)
{
	int acc = (int)(c->flags & O_ACCMODE), mode, r;

	if ((c->flags & __O_TMPFILE) == __O_TMPFILE)
		return trace_check(t, path, W_OK | X_OK, 0);
	mode = (c->flags & O_PATH) ? F_OK : acc == O_RDONLY ? R_OK :
	    acc == O_WRONLY ? W_OK : R_OK | W_OK;
	if (c->flags & O_CREAT) {
		r = trace_check(t, path, F_OK,
		    (c->flags & (O_EXCL | O_NOFOLLOW)) != 0);
		if (r == -ENOENT) {
			*created = 1;
			return trace_check_parent(t, path);
		}
		if (r == 0 && (c->flags & O_EXCL))
			return -EEXIST;
		if (r < 0)
			return r;
	}
	return trace_check(t, path, mode, (c->flags & O_NOFOLLOW) != 0);
}

/*
 * What the kernel will answer c on these paths, found from the file system
 * before it runs the call: where the lookup or the permission check fails,
 * the errno it would give; 0 otherwise. *created: an entry is to be made.
 */
static int
trace_predict(struct target *t, const struct call *c,
    const char *const path[CALL_PATHS], int *created)
{
	int nofollow = (c->atflags & AT_SYMLINK_NOFOLLOW) != 0, r;

	switch (c->kind) {
	case ACT_OPEN:
		return trace_check_open(t, c, path[0], created);
	case ACT_ACCESS:
		return trace_check(t, path[0], (int)(c->mode & 07), nofollow);
	case ACT_READLINK:
		return trace_check(t, path[0], F_OK, 1);
	case ACT_SELF:
		return trace_check(t, path[0], c->sysid == SYSCALLS_CHDIR ||
		    c->sysid == SYSCALLS_EXECVE || c->sysid ==
		    SYSCALLS_EXECVEAT ? X_OK : F_OK, nofollow);
	case ACT_PERFORM:
		break;
	default:
		return trace_check(t, path[0], F_OK, nofollow);
	}
	switch (c->sysid) {
	case SYSCALLS_UNLINK:
	case SYSCALLS_UNLINKAT:
	case SYSCALLS_RMDIR:
		return trace_check_remove(t, path[0]);
	case SYSCALLS_MKDIR:
	case SYSCALLS_MKDIRAT:
	case SYSCALLS_MKNOD:
	case SYSCALLS_MKNODAT:
	case SYSCALLS_SYMLINK:
	case SYSCALLS_SYMLINKAT:
		return trace_check_create(t, path[0], created);
	case SYSCALLS_RENAME:
	case SYSCALLS_RENAMEAT:
	case SYSCALLS_RENAMEAT2:
		if ((r = trace_check_remove(t, path[0])) < 0)
			return r;
		return trace_check_parent(t, path[1]);
	case SYSCALLS_LINK:
	case SYSCALLS_LINKAT:
		if ((r = trace_check(t, path[0], F_OK,
		    !(c->atflags & AT_SYMLINK_FOLLOW))) < 0)
			return r;
		return trace_check_create(t, path[1], created);
	case SYSCALLS_TRUNCATE:
		return trace_check(t, path[0], W_OK, 0);
	default:
		return trace_check(t, path[0], F_OK, nofollow);
	}
}

/* How the call uses path i. */
static enum trace_access
trace_access(const struct call *c, int i, int created)
{
	switch (c->kind) {
	case ACT_OPEN:
		return created ? TRACE_CREATE : c->p[0].write ? TRACE_WRITE :
		    TRACE_READ;
	case ACT_SELF:
		return c->sysid == SYSCALLS_EXECVE ||
		    c->sysid == SYSCALLS_EXECVEAT ? TRACE_EXEC : TRACE_READ;
	case ACT_PERFORM:
		break;
	default:
		return TRACE_READ;
	}
	switch (c->sysid) {
	case SYSCALLS_UNLINK:
	case SYSCALLS_UNLINKAT:
	case SYSCALLS_RMDIR:
		return TRACE_REMOVE;
	case SYSCALLS_MKDIR:
	case SYSCALLS_MKDIRAT:
	case SYSCALLS_MKNOD:
	case SYSCALLS_MKNODAT:
	case SYSCALLS_SYMLINK:
	case SYSCALLS_SYMLINKAT:
		return TRACE_CREATE;
	case SYSCALLS_RENAME:
	case SYSCALLS_RENAMEAT:
	case SYSCALLS_RENAMEAT2:
		return i == 0 ? TRACE_REMOVE : TRACE_CREATE;
	case SYSCALLS_LINK:
	case SYSCALLS_LINKAT:
		return i == 0 ? TRACE_READ : TRACE_CREATE;
	default:
		return TRACE_WRITE;
	}
}

void
trace_call(const struct seccomp_notif *req, struct target *t,
    const struct call *c, const struct verdict *v, int err)
{
	struct trace_rec *rec = &trace_buf;
	char dst[CALL_PATHS][PATH_MAX];
	const char *path[CALL_PATHS];
	int created = 0, i;

	rec->id = req->id;
	rec->tid = (pid_t)req->pid;
	rec->arch = req->data.arch;
	rec->nr = req->data.nr;
	rec->npaths = c->npaths;
	rec->rule = v != NULL && v->rule != NULL ? v->rule->name : NULL;
	rec->predicted = err;
	for (i = 0; i < c->npaths; i++) {
		memcpy(rec->given[i], c->p[i].given, strlen(c->p[i].given) + 1);
		memcpy(rec->abs[i], c->p[i].abs, strlen(c->p[i].abs) + 1);
		path[i] = c->p[i].abs;
		/* A redirected path is checked where it leads. */
		if (v != NULL && v->by[i] != NULL &&
		    rules_target(v->by[i], c->p[i].abs, dst[i],
		    sizeof(dst[i])) == 0)
			path[i] = dst[i];
	}
	/* Only a call the kernel is to run needs its result foreseen: one
	 * that continues, or a redirect answered by running it rewritten. */
	if (err == 0 && (v->kind == VERDICT_CONTINUE ||
	    (v->kind == VERDICT_REDIRECT && (c->kind == ACT_SELF ||
	    (c->kind == ACT_OPEN && (c->flags & O_PATH))))))
		rec->predicted = trace_predict(t, c, path, &created);
	for (i = 0; i < c->npaths; i++)
		rec->access[i] = trace_access(c, i, created);
	rec->open_read = c->kind == ACT_OPEN && !(c->flags & (O_PATH |
	    O_DIRECTORY)) && (c->flags & O_ACCMODE) != O_WRONLY;
	trace_cur = rec;
}

void *
trace_ctx_take(void)
{
	struct trace_rec *rec = trace_cur;

	if (rec == NULL)
		return NULL;
	trace_cur = NULL;
	rec = xmalloc(sizeof(*rec));
	*rec = trace_buf;
	return rec;
}

void
trace_ctx_put(void *ctx)
{
	if (ctx == NULL)
		return;
	trace_buf = *(struct trace_rec *)ctx;
	trace_cur = &trace_buf;
	free(ctx);
}

static const char *
trace_result(int64_t r, char *buf, size_t len)
{
	const char *name;

	if (r >= 0) {
		snprintf(buf, len, "%lld", (long long)r);
		return buf;
	}
	name = strerrorname_np((int)-r);
	return name != NULL ? name : "?";
}

/* A text line: tid, call, each path as given, then each one's access and
 * absolute path, and the result. */
#define TRACE_LINE_MAX	(4 * LOG_ESCAPED_SIZE(PATH_MAX) + 512)

static __thread char	trace_line[TRACE_LINE_MAX];

static void
trace_text(const struct trace_rec *rec, const char *answer, int64_t r)
{
	char *p = trace_line, *end = trace_line + sizeof(trace_line);
	char num[32];
	const char *name = syscalls_arch_name(rec->arch, rec->nr);
	int i;

	p += snprintf(p, (size_t)(end - p), "%d %s%s", (int)rec->tid,
	    name != NULL ? name : "?", syscalls_arch_tag(rec->arch));
	for (i = 0; i < rec->npaths; i++) {
		*p++ = ' ';
		*p++ = '"';
		log_escape(rec->given[i], p, LOG_ESCAPED_SIZE(PATH_MAX));
		p += strlen(p);
		*p++ = '"';
	}
	for (i = 0; i < rec->npaths; i++) {
		p += snprintf(p, (size_t)(end - p), " %s ",
		    trace_access_names[rec->access[i]]);
		log_escape(rec->abs[i], p, LOG_ESCAPED_SIZE(PATH_MAX));
		p += strlen(p);
	}
	/* The kernel's own answer is known only as ok or an errno. */
	p += snprintf(p, (size_t)(end - p), " = %s", r >= 0 && answer == NULL ?
	    "ok" : trace_result(r, num, sizeof(num)));
	if (rec->rule != NULL)
		p += snprintf(p, (size_t)(end - p), " [rule %.200s: %s]",
		    rec->rule, answer != NULL ? answer : "continue");
	*p++ = '\n';
	/* One write a line where the output is not buffered (stderr). */
	fwrite(trace_line, 1, (size_t)(p - trace_line), trace_out);
}

static void
trace_json(const struct trace_rec *rec, const char *answer, int64_t r)
{
	struct json_object *o = json_object_new_object(), *paths, *p;
	const char *name = syscalls_arch_name(rec->arch, rec->nr);
	char num[32];
	int i;

	json_object_object_add(o, "pid", json_object_new_int(rec->tid));
	json_object_object_add(o, "call", json_object_new_string(name != NULL ?
	    name : "?"));
	json_object_object_add(o, "arch",
	    json_object_new_string(syscalls_arch_label(rec->arch)));
	paths = json_object_new_array();
	for (i = 0; i < rec->npaths; i++) {
		p = json_object_new_object();
		json_object_object_add(p, "given",
		    json_object_new_string(rec->given[i]));
		json_object_object_add(p, "path",
		    json_object_new_string(rec->abs[i]));
		json_object_object_add(p, "access",
		    json_object_new_string(trace_access_names[rec->access[i]]));
		json_object_array_add(paths, p);
	}
	json_object_object_add(o, "paths", paths);
	json_object_object_add(o, "result", json_object_new_string(r >= 0 ?
	    "ok" : trace_result(r, num, sizeof(num))));
	if (answer != NULL && r >= 0)
		json_object_object_add(o, "return", json_object_new_int64(r));
	json_object_object_add(o, "answer", json_object_new_string(answer !=
	    NULL ? answer : "continue"));
	if (rec->rule != NULL)
		json_object_object_add(o, "rule",
		    json_object_new_string(rec->rule));
	fprintf(trace_out, "%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

void
trace_answered(uint64_t id, enum stats_kind kind, int64_t result)
{
	static const char *const answers[STATS_KINDS] = {
		[STATS_ERRNO] = "errno", [STATS_REDIRECT] = "redirect",
		[STATS_EMULATED] = "emulated",
	};
	struct trace_rec *rec = trace_cur;
	const char *answer;

	if (rec == NULL || rec->id != id)
		return;
	trace_cur = NULL;
	answer = kind < STATS_KINDS ? answers[kind] : NULL;
	if (kind == STATS_CONTINUE)
		result = rec->predicted;
	else if (kind == STATS_ERRNO && rec->rule == NULL)
		answer = NULL;	/* the kernel's own answer, given for it */
	pthread_mutex_lock(&trace_lock);
	switch (trace_fmt) {
	case TRACE_TEXT:
		trace_text(rec, answer, result);
		break;
	case TRACE_JSON:
		trace_json(rec, answer, result);
		break;
	case TRACE_INI:
		if (rec->open_read && result >= 0) {
			trace_files = xreallocarray(trace_files,
			    trace_nfiles + 1, sizeof(*trace_files));
			trace_files[trace_nfiles++] = xstrdup(rec->abs[0]);
		}
		break;
	}
	pthread_mutex_unlock(&trace_lock);
}

/* Under dir (a directory, given with or without its '/')? */
static int
trace_under(const char *path, const char *dir)
{
	size_t n;

	if (dir == NULL || dir[0] != '/')
		return 0;
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/*
 * A file a user would override: system configuration (/etc, /usr/etc,
 * /usr/local/etc), their own ($XDG_CONFIG_HOME, ~/.config, dot files and
 * dot directories in ~ but caches and data), not the loader's cache.
 */
static int
trace_is_config(const char *path)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	struct stat st;
	size_t n;

	if (strcmp(path, "/etc/ld.so.cache") == 0)
		return 0;
	if (!(trace_under(path, "/etc") || trace_under(path, "/usr/etc") ||
	    trace_under(path, "/usr/local/etc") || trace_under(path, xdg))) {
		if (!trace_under(path, home) || strcmp(home, "/") == 0)
			return 0;
		n = strlen(home);
		while (n > 1 && home[n - 1] == '/')
			n--;
		path += n + 1;
		if (path[0] != '.' || strncmp(path, ".cache/", 7) == 0 ||
		    strncmp(path, ".local/", 7) == 0)
			return 0;
		path -= n + 1;
	}
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int
trace_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Section names from paths: /etc/app/app.conf is [etc-app-app.conf]. */
static void
trace_section(const char *path, char *name, size_t len, int n)
{
	size_t i, j = 0;

	for (i = 1; path[i] != '\0' && j + 1 < len; i++)
		name[j++] = path[i] == '/' || path[i] == '[' ||
		    path[i] == ']' || path[i] == ';' || path[i] == '#' ||
		    (unsigned char)path[i] <= ' ' ? '-' : path[i];
	name[j] = '\0';
	if (n > 1 && j + 12 < len)
		snprintf(name + j, len - j, "-%d", n);
}

/* Characters a value may hold as it is: no comment or expansion. */
static int
trace_ini_safe(const char *path)
{
	return strpbrk(path, ";#$~\\\"\n\r") == NULL && path[0] == '/';
}

/* Where the INI rules send the files: a copy per user. */
#define TRACE_OVERRIDE	"~/.config/unotifyd/override"

static void
trace_ini(void)
{
	char name[256], prev[256] = "";
	size_t i, kept = 0;
	int dup = 1;

	qsort(trace_files, trace_nfiles, sizeof(*trace_files), trace_strcmp);
	fprintf(trace_out,
	    "; Written by unotifyd trace -- %s\n"
	    "; One redirect rule per configuration file the command read.\n"
	    "; Keep the rules of the files to override and delete the others;\n"
	    "; copy each kept file to its target (the commands are given) and\n"
	    "; edit the copy; then: unotifyd run -r THIS-FILE -- COMMAND.\n"
	    "; unotifyd check -r THIS-FILE warns of targets not made yet.\n",
	    trace_cmd);
	for (i = 0; i < trace_nfiles; i++) {
		if (i > 0 && strcmp(trace_files[i], trace_files[i - 1]) == 0)
			continue;
		if (!trace_is_config(trace_files[i]) ||
		    !trace_ini_safe(trace_files[i]))
			continue;
		trace_section(trace_files[i], name, sizeof(name), 1);
		dup = strcmp(name, prev) == 0 ? dup + 1 : 1;
		snprintf(prev, sizeof(prev), "%s", name);
		trace_section(trace_files[i], name, sizeof(name), dup);
		fprintf(trace_out, "\n[%s]\n; install -D -m 0644 %s "
		    TRACE_OVERRIDE "%s\npath   = %s\naction = redirect\n"
		    "target = " TRACE_OVERRIDE "%s\n", name, trace_files[i],
		    trace_files[i], trace_files[i], trace_files[i]);
		kept++;
	}
	if (kept == 0)
		fprintf(trace_out, "\n; The command read no configuration "
		    "file.\n");
}

int
trace_finish(void)
{
	size_t i;
	int r = 0;

	pthread_mutex_lock(&trace_lock);
	trace_enabled = 0;
	if (trace_fmt == TRACE_INI)
		trace_ini();
	if (fflush(trace_out) != 0 || ferror(trace_out))
		r = -errno;
	if (trace_out != stderr && fclose(trace_out) != 0 && r == 0)
		r = -errno;
	for (i = 0; i < trace_nfiles; i++)
		free(trace_files[i]);
	free(trace_files);
	trace_files = NULL;
	trace_nfiles = 0;
	free(trace_cmd);
	pthread_mutex_unlock(&trace_lock);
	return r;
}
