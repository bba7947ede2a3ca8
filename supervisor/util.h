/* SPDX-License-Identifier: MIT */
/* Small helpers shared by every module: allocation that aborts on OOM,
 * scope-bound cleanup, fatal exits before the loop starts. */
#ifndef UTIL_H
#define UTIL_H

#include <stdarg.h>
#include <stddef.h>

#define UNUSED		__attribute__((unused))
#define PRINTFLIKE(a, b) __attribute__((format(printf, a, b)))
#define NORETURN	__attribute__((noreturn))
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
/* "1 rule", "2 rules": PLURAL(n, "rule", "rules") after a %zu. */
#define PLURAL(n, one, many)	((n) == 1 ? (one) : (many))

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...) PRINTFLIKE(2, 3);
int	 xvasprintf(char **, const char *, va_list) PRINTFLIKE(2, 0);

/* Print "unotifyd: MSG" (with ": strerror(errno)" for die_errno) and exit. */
void	 die(int, const char *, ...) NORETURN PRINTFLIKE(2, 3);
void	 die_errno(int, const char *, ...) NORETURN PRINTFLIKE(2, 3);

struct timespec;
/* *ts = CLOCK_REALTIME now + ms: the absolute limit pthread waits take. */
void	 deadline_after(struct timespec *ts, int ms);

/*
 * Per-thread state that outlives its thread, so that what it counted is
 * never lost: a thread takes a slot of *list that no thread owns, or a new
 * one of size bytes (zeroed, then init unless NULL) put at the list's
 * head, and gives it back as it ends (from a pthread key's destructor). The list only
 * grows, to the most threads there were at once; anyone may walk it.
 * A slot is the first member of the caller's struct.
 */
struct thread_slot {
	struct thread_slot	*next;
	int			 owned;
};
struct thread_slot *thread_slot_take(struct thread_slot **list, size_t size,
	    void (*init)(struct thread_slot *));
void	 thread_slot_give(void *slot);

void	 cleanup_freep(void *);
void	 cleanup_closep(int *);
void	 cleanup_fclosep(void *);
#define cleanup_free	__attribute__((cleanup(cleanup_freep)))
#define cleanup_close	__attribute__((cleanup(cleanup_closep)))
#define cleanup_fclose	__attribute__((cleanup(cleanup_fclosep)))

/* Hand a pointer out of a cleanup scope. */
static inline void *
steal_pointer(void *pp)
{
	void **p = pp, *r = *p;

	*p = NULL;
	return r;
}

static inline int
steal_fd(int *fdp)
{
	int fd = *fdp;

	*fdp = -1;
	return fd;
}

#endif
