/* SPDX-License-Identifier: MIT */
/* Allocation wrappers that abort on OOM, cleanup helpers, die(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void NORETURN
die_oom(void)
{
	static const char msg[] = "unotifyd: out of memory\n";

	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die_oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		die_oom();
	return p;
}

void *
xreallocarray(void *old, size_t n, size_t size)
{
	void *p = reallocarray(old, n ? n : 1, size ? size : 1);

	if (p == NULL)
		die_oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		die_oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		die_oom();
	return p;
}

int
xvasprintf(char **out, const char *fmt, va_list ap)
{
	int n = vasprintf(out, fmt, ap);

	if (n < 0)
		die_oom();
	return n;
}

int
xasprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = xvasprintf(out, fmt, ap);
	va_end(ap);
	return n;
}

static void NORETURN
die_va(int status, int err, const char *fmt, va_list ap)
{
	fputs("unotifyd: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	exit(status);
}

void
die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	die_va(status, 0, fmt, ap);
}

void
die_errno(int status, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	die_va(status, err, fmt, ap);
}

void
cleanup_freep(void *p)
{
	free(*(void **)p);
}

void
cleanup_closep(int *fd)
{
	int saved = errno;

	if (*fd >= 0)
		close(*fd);
	errno = saved;
}

void
cleanup_fclosep(void *p)
{
	FILE *f = *(FILE **)p;

	if (f != NULL)
		fclose(f);
}

struct thread_slot *
thread_slot_take(struct thread_slot **list, size_t size,
    void (*init)(struct thread_slot *))
{
	struct thread_slot *t;
	int none;

	for (t = __atomic_load_n(list, __ATOMIC_ACQUIRE); t != NULL;
	    t = t->next) {
		none = 0;
		if (__atomic_compare_exchange_n(&t->owned, &none, 1, 0,
		    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return t;
	}
	t = xcalloc(1, size);
	t->owned = 1;
	if (init != NULL)
		init(t);
	t->next = __atomic_load_n(list, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(list, &t->next, t, 0,
	    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
	return t;
}

void
thread_slot_give(void *slot)
{
	struct thread_slot *t = slot;

	__atomic_store_n(&t->owned, 0, __ATOMIC_RELEASE);
}

void
deadline_after(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}
