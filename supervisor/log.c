/* SPDX-License-Identifier: MIT */
/* Logging to stderr (with optional sd-daemon priority prefixes) or to a
 * file, one write(2) per line. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* A decision names two paths; longer lines are cut. */
#define LOG_LINE_MAX	(2 * 4096 + 512)

static enum log_level	log_level = LOG_LEVEL_WARNING;
static int		log_journal;
static __thread const char *log_context;
static int		log_fd = STDERR_FILENO;
static int		log_file;	/* log_fd is ours: a file */

void
log_init(enum log_level level, int journal)
{
	log_level = level;
	log_journal = journal;
}

void
log_set_context(const char *ctx)
{
	log_context = ctx;
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

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	size_t o = 0;
	int n;

	if (!log_enabled(level))
		return;
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
	/* The pod or target this thread is working for, if any. */
	if (log_context != NULL && o < sizeof(line) - 1) {
		n = snprintf(line + o, sizeof(line) - o - 1, "%s: ",
		    log_context);
		if (n > 0)
			o += (size_t)n < sizeof(line) - o - 1 ? (size_t)n :
			    sizeof(line) - o - 2;
	}
	va_start(ap, fmt);
	n = vsnprintf(line + o, sizeof(line) - o - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	o += (size_t)n < sizeof(line) - o - 1 ? (size_t)n :
	    sizeof(line) - o - 2;
	line[o++] = '\n';
	/* One write(2) per line: a line never splits, even when the command
	 * writes to the same stderr at the same time. */
	log_write(line, o);
}
