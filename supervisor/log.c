/* SPDX-License-Identifier: MIT */
/* Logging to stderr with optional sd-daemon priority prefixes, escaping of
 * untrusted strings, and rate limits for lines a client can repeat. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static enum log_level	log_level = LOG_LEVEL_WARNING;
static int		log_journal;

/* Every limit used so far, for log_limit_flush; under log_limit_lock. */
static struct log_limit	*log_limits;
static pthread_mutex_t	 log_limit_lock = PTHREAD_MUTEX_INITIALIZER;

void
log_init(enum log_level level, int journal)
{
	log_level = level;
	log_journal = journal;
}

int
log_enabled(enum log_level level)
{
	return level <= log_level;
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

/* Write one line; control bytes left in it are escaped, so no caller can
 * start a second line (journald takes "<N>" after a newline as a new
 * priority). */
static void
log_write(enum log_level level, const char *msg)
{
	char line[LOG_ESCAPED_SIZE(LOG_LINE_MAX)];
	size_t o = 0;

	for (; *msg != '\0' && o + 5 < sizeof(line); msg++) {
		unsigned char c = *msg;

		if (c < 0x20 || c == 0x7f)
			o += snprintf(line + o, sizeof(line) - o, "\\x%02x", c);
		else
			line[o++] = c;
	}
	line[o] = '\0';
	/* One fprintf per line keeps lines whole when stderr is shared. */
	if (log_journal)
		fprintf(stderr, "<%d>%s\n", level, line);
	else
		fprintf(stderr, "unotifyd: %s\n", line);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_write(level, buf);
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
	char buf[LOG_LINE_MAX + 64];

	if (l->dropped == 0)
		return;
	snprintf(buf, sizeof(buf), "%s (%lu more suppressed)", l->last,
	    l->dropped);
	l->dropped = 0;
	log_write(l->level, buf);
}

void
log_msg_limited(struct log_limit *l, enum log_level level, const char *fmt,
    ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;
	double now;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	now = log_now();
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
	if (l->count++ < LOG_LIMIT_BURST)
		log_write(level, buf);
	else {
		/* The count says how many; the last one says what. */
		l->dropped++;
		snprintf(l->last, sizeof(l->last), "%s", buf);
	}
	pthread_mutex_unlock(&log_limit_lock);
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
