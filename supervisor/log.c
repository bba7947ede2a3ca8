/* SPDX-License-Identifier: MIT */
/* Logging to stderr with optional sd-daemon priority prefixes. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static enum log_level	log_level = LOG_LEVEL_WARNING;
static int		log_journal;
static __thread const char *log_context;

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
log_enabled(enum log_level level)
{
	return level <= log_level;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* One fprintf per line keeps lines whole when stderr is shared. */
	if (log_journal)
		fprintf(stderr, "<%d>%s%s%s\n", level,
		    log_context ? log_context : "", log_context ? ": " : "",
		    buf);
	else
		fprintf(stderr, "unotifyd: %s%s%s\n",
		    log_context ? log_context : "", log_context ? ": " : "",
		    buf);
}
