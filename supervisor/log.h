/* SPDX-License-Identifier: MIT */
/* Logging to stderr or to a file (--log), never stdout: the target owns
 * stdout. */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>

#include "util.h"

/* syslog(3) priorities, as sd-daemon(3) prefixes use them. */
enum log_level {
	LOG_LEVEL_ERR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7
};

/* Show messages up to level; prefix "<N>" for journald when journal. */
void	log_init(enum log_level level, int journal);
/* Log to the file at path instead (appended, created 0644; "-" keeps
 * stderr), with a UTC timestamp on each line and no journal prefix.
 * Returns 0 or -errno. */
int	log_open(const char *path);
/* Write len bytes to the log as they are (one write(2) if it can). */
void	log_write(const char *buf, size_t len);
int	log_enabled(enum log_level);
void	log_msg(enum log_level, const char *, ...) PRINTFLIKE(2, 3);
/* Start this thread's messages with "ctx: " until set to NULL; ctx must
 * stay valid meanwhile and never holds a newline. */
void	log_set_context(const char *ctx);

#define log_err(...)	log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
