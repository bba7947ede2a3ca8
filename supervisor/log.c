/* SPDX-License-Identifier: MIT */
/* Logging to stderr (with optional sd-daemon priority prefixes) or to a
 * file, one write(2) per line; escaping of untrusted strings, and rate
 * limits for lines a client can repeat. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "log.h"

static enum log_level	log_level = LOG_LEVEL_WARNING;
static int		log_journal;
static int		log_native;	/* stderr is journald's stream */
static int		log_fd = STDERR_FILENO;
static int		log_file;	/* log_fd is ours: a file */
static __thread const char *log_context;
static __thread const char *log_fields;

/* Every limit used so far, for log_limit_flush; under log_limit_lock. */
static struct log_limit	*log_limits;
static pthread_mutex_t	 log_limit_lock = PTHREAD_MUTEX_INITIALIZER;

/* JOURNAL_STREAM names stderr itself (not a copy some child inherited):
 * then the journal's own socket may take the fields too. */
static int
log_stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return v != NULL && sscanf(v, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &st) == 0 && st.st_dev == dev &&
	    st.st_ino == ino;
}

void
log_init(enum log_level level, int journal)
{
	log_level = level;
	log_journal = journal;
	log_native = journal && log_stderr_is_journal();
}

void
log_set_context(const char *ctx)
{
	log_context = ctx;
}

const char *
log_get_context(void)
{
	return log_context;
}

void
log_set_fields(const char *fields)
{
	log_fields = fields;
}

const char *
log_get_fields(void)
{
	return log_fields;
}

int
log_open(const char *path)
{
	int fd;

	if (strcmp(path, "-") == 0)
		return 0;
	/* CLOEXEC: the command must not inherit it (and write into it). */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY,
	    0644);
	if (fd < 0)
		return -errno;
	log_fd = fd;
	log_file = 1;
	return 0;
}

int
log_enabled(enum log_level level)
{
	return level <= log_level;
}

void
log_write(const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(log_fd, buf, len)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

const char *
log_escape(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (len == 0)
		return "";
	for (; *s != '\0'; s++) {
		unsigned char c = *s;

		/* Room for the longest escape, "..." and the NUL. */
		if (o + 8 > len) {
			if (o + 4 <= len) {
				memcpy(buf + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (c == '"' || c == '\\')
			o += snprintf(buf + o, len - o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = c;
	}
	buf[o] = '\0';
	return buf;
}

/* Append s, control bytes as \xNN, then tail, as far as line has room
 * (two bytes are kept for the newline); the new length. */
static size_t
log_put(char *line, size_t len, size_t o, const char *s, const char *tail)
{
	for (; *s != '\0' && o + 6 < len; s++) {
		unsigned char c = *s;

		if (c < 0x20 || c == 0x7f)
			o += snprintf(line + o, len - o, "\\x%02x", c);
		else
			line[o++] = c;
	}
	for (; *tail != '\0' && o + 2 < len; tail++)
		line[o++] = *tail;
	return o;
}

/*
 * Write msg as one line with its prefix. Control bytes left in it are
 * escaped (as far as the line has room), so that no caller can start a
 * second line: journald takes "<N>" after a newline as a new priority.
 */
static void
log_line(enum log_level level, const char *msg)
{
	char line[LOG_LINE_MAX + 64];
	struct timespec ts;
	struct tm tm;
	size_t o = 0;

	if (log_file) {
		/* A file is read later: say when. */
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		o = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
		o += snprintf(line + o, sizeof(line) - o, ".%06ldZ unotifyd: ",
		    ts.tv_nsec / 1000);
	} else if (log_journal)
		o = snprintf(line, sizeof(line), "<%d>", level);
	else
		o = snprintf(line, sizeof(line), "unotifyd: ");
	/* The context (a pod's name) may come from a client too. */
	if (log_context != NULL)
		o = log_put(line, sizeof(line), o, log_context, ": ");
	o = log_put(line, sizeof(line), o, msg, "");
	line[o++] = '\n';
	/* One write(2) per line: a line never splits, even when the command
	 * writes to the same stderr at the same time. */
	log_write(line, o);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_line(level, msg);
}

static double
log_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Report what l dropped in its last window; under log_limit_lock. */
static void
log_limit_report(struct log_limit *l)
{
	char buf[LOG_LINE_MAX];

	if (l->dropped == 0)
		return;
	snprintf(buf, sizeof(buf), "%.*s (%lu more suppressed)",
	    LOG_LINE_MAX - 64, l->last, l->dropped);
	l->dropped = 0;
	log_line(l->level, buf);
}

/* 1 if a line of l may be logged now; else it is counted, and kept as
 * the last one dropped. */
static int
log_limit_admit(struct log_limit *l, enum log_level level, const char *msg)
{
	double now = log_now();
	int admit;

	pthread_mutex_lock(&log_limit_lock);
	if (!l->registered) {
		l->registered = 1;
		l->next = log_limits;
		log_limits = l;
	}
	l->level = level;
	if (now - l->start >= LOG_LIMIT_WINDOW) {
		log_limit_report(l);
		l->start = now;
		l->count = 0;
	}
	if ((admit = l->count++ < (l->burst != 0 ? l->burst :
	    LOG_LIMIT_BURST)) == 0) {
		/* The count says how many; the last one says what. */
		l->dropped++;
		snprintf(l->last, sizeof(l->last), "%s", msg);
	}
	pthread_mutex_unlock(&log_limit_lock);
	return admit;
}

void
log_msg_limited(struct log_limit *l, enum log_level level, const char *fmt,
    ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_limit_admit(l, level, msg))
		log_line(level, msg);
}

/* Add "NAME=value" to iov (value may be NULL: nothing added). */
static void
log_field(struct iovec *iov, int *n, char *buf, size_t len, const char *name,
    const char *value)
{
	int w;

	if (value == NULL)
		return;
	w = snprintf(buf, len, "%s=%s", name, value);
	iov[*n].iov_base = buf;
	iov[*n].iov_len = w < 0 ? 0 : (size_t)w >= len ? len - 1 : (size_t)w;
	(*n)++;
}

void
log_decision(const struct log_decision *d, const char *fmt, ...)
{
	static struct log_limit limit = { .burst = LOG_DECISION_BURST };
	char msg[LOG_LINE_MAX], text[LOG_LINE_MAX + 64], pid[32];
	char f[5][PATH_MAX + 32];
	struct iovec iov[16];
	const char *p, *nl;
	va_list ap;
	int n = 0;

	if (!log_enabled(LOG_LEVEL_DEBUG))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!log_native || log_file) {
		log_line(LOG_LEVEL_DEBUG, msg);
		return;
	}
	if (!log_limit_admit(&limit, LOG_LEVEL_DEBUG, msg))
		return;
	snprintf(text, sizeof(text), "MESSAGE=%s%s%s",
	    log_context != NULL ? log_context : "",
	    log_context != NULL ? ": " : "", msg);
	iov[n].iov_base = text;
	iov[n++].iov_len = strlen(text);
	iov[n].iov_base = (void *)"PRIORITY=7";
	iov[n++].iov_len = strlen("PRIORITY=7");
	log_field(iov, &n, f[0], sizeof(f[0]), "UNOTIFYD_RULE", d->rule);
	log_field(iov, &n, f[1], sizeof(f[1]), "UNOTIFYD_CALL", d->call);
	log_field(iov, &n, f[2], sizeof(f[2]), "UNOTIFYD_PATH", d->path[0]);
	log_field(iov, &n, f[3], sizeof(f[3]), "UNOTIFYD_PATH2", d->path[1]);
	log_field(iov, &n, f[4], sizeof(f[4]), "UNOTIFYD_ANSWER", d->answer);
	snprintf(pid, sizeof(pid), "OBJECT_PID=%d", (int)d->pid);
	iov[n].iov_base = pid;
	iov[n++].iov_len = strlen(pid);
	/* The pod's fields: names checked by pods_name_valid, one a line. */
	for (p = log_fields; p != NULL && *p != '\0' && n < (int)nitems(iov);
	    p = *nl != '\0' ? nl + 1 : nl) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		iov[n].iov_base = (void *)p;
		iov[n++].iov_len = (size_t)(nl - p);
	}
	/* Without the journal's socket, the stream still has the line. */
	if (sd_journal_sendv(iov, n) < 0)
		log_line(LOG_LEVEL_DEBUG, msg);
}

void
log_limit_flush(int all)
{
	struct log_limit *l;
	double now = log_now();

	pthread_mutex_lock(&log_limit_lock);
	for (l = log_limits; l != NULL; l = l->next)
		if (all || now - l->start >= LOG_LIMIT_WINDOW)
			log_limit_report(l);
	pthread_mutex_unlock(&log_limit_lock);
}
