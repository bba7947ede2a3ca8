/* SPDX-License-Identifier: MIT */
/* Logging to stderr or to a file (--log), never stdout: the target owns
 * stdout. */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/* syslog(3) priorities, as sd-daemon(3) prefixes use them. */
enum log_level {
	LOG_LEVEL_ERR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7
};

/* Longest line logged (a decision names two paths); longer ones are cut. */
#define LOG_LINE_MAX		(2 * 4096 + 512)
/* A buffer for log_escape of a string of n bytes, never truncated. */
#define LOG_ESCAPED_SIZE(n)	(4 * (n) + 8)

/* Show messages up to level; prefix "<N>" for journald when journal. */
void	log_init(enum log_level level, int journal);
/* Log to the file at path instead (appended, created 0644; "-" keeps
 * stderr), with a UTC timestamp on each line and no journal prefix.
 * Returns 0 or -errno. */
int	log_open(const char *path);
/* Write len bytes to the log as they are (one write(2) if it can). */
void	log_write(const char *buf, size_t len);
int	log_enabled(enum log_level);
/*
 * Log one line. Control bytes in the formatted line (a newline from a
 * client's string) come out as \xNN, so one call is always one line.
 */
void	log_msg(enum log_level, const char *, ...) PRINTFLIKE(2, 3);
/* Start this thread's messages with "ctx: " until set to NULL; ctx must
 * stay valid meanwhile and never holds a newline. */
void	log_set_context(const char *ctx);
/* This thread's context, or NULL (worker.c carries it to its jobs). */
const char *log_get_context(void);
/* Journal fields of this thread's decisions until set to NULL: lines of
 * NAME=VALUE ("UNOTIFYD_POD=web\nUNOTIFYD_NAMESPACE=default"). */
void	log_set_fields(const char *fields);
const char *log_get_fields(void);

/* What a logged decision is about (NULL: not known). */
struct log_decision {
	const char	*rule;
	const char	*call;
	const char	*path[2];
	const char	*answer;	/* continue, errno, redirect, failed, ... */
	pid_t		 pid;		/* the calling thread */
};

/*
 * Log a decision at debug level. Under journald (log_init's journal, with
 * JOURNAL_STREAM naming stderr) it goes to the journal's socket with
 * fields: UNOTIFYD_RULE=, UNOTIFYD_CALL=, UNOTIFYD_PATH=, UNOTIFYD_PATH2=,
 * UNOTIFYD_ANSWER=, OBJECT_PID= and the thread's log_set_fields, at most
 * LOG_DECISION_BURST a LOG_LIMIT_WINDOW, the rest counted and reported;
 * elsewhere it is a plain line, every one.
 */
#define LOG_DECISION_BURST	1000
void	log_decision(const struct log_decision *, const char *, ...)
	    PRINTFLIKE(2, 3);

/*
 * Escape a string that comes from a client or a target for a log line:
 * '"' and '\' get a backslash, control and non-ASCII bytes become \xNN.
 * Fits what it can in len bytes (ending in "..." when cut) and returns buf.
 */
const char *log_escape(const char *s, char *buf, size_t len);

/*
 * A rate limit for lines that a client can make the daemon repeat (one
 * per connection, per failed accept): at most LOG_LIMIT_BURST lines per
 * LOG_LIMIT_WINDOW seconds per limit; the rest are counted, and reported
 * with the last of them as "... (N more suppressed)" once the window is
 * over. Use through log_limited(), one static limit per call site.
 */
#define LOG_LIMIT_BURST		20
#define LOG_LIMIT_WINDOW	10.

struct log_limit {
	double			 start;		/* window, CLOCK_MONOTONIC s */
	unsigned long		 count;		/* lines in this window */
	unsigned long		 dropped;	/* suppressed, not yet reported */
	enum log_level		 level;
	unsigned long		 burst;		/* 0: LOG_LIMIT_BURST */
	int			 registered;
	char			 last[LOG_LINE_MAX];	/* last suppressed */
	struct log_limit	*next;
};

void	log_msg_limited(struct log_limit *, enum log_level, const char *, ...)
	    PRINTFLIKE(3, 4);
/* Report the counts of windows that are over (every window if all); the
 * daemon calls it from a timer, and with all set before it exits. */
void	log_limit_flush(int all);

#define log_limited(level, ...) do {					\
	static struct log_limit log_limit_site_;			\
	log_msg_limited(&log_limit_site_, (level), __VA_ARGS__);	\
} while (0)

#define log_err(...)	log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
