/* SPDX-License-Identifier: MIT */
/* Answering a redirected call, and the -v line (and journal entry) that
 * says what was decided. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "answer.h"
#include "log.h"
#include "syscalls.h"

const char *
answer_errname(int err)
{
	const char *name = strerrorname_np(err);

	return name != NULL ? name : "?";
}

/* The kind of answer a answer_log line tells, for the journal. */
static const char *
answer_kind(const char *answer)
{
	if (strncmp(answer, "redirect", 8) != 0)
		return strncmp(answer, "errno", 5) == 0 ? "errno" : "continue";
	if (strstr(answer, "errno") != NULL)
		return "failed";
	if (strstr(answer, "target gone") != NULL)
		return "gone";
	return strstr(answer, " = ") != NULL ? "emulated" : "redirect";
}

void
answer_log(const struct seccomp_notif *req, const struct call *c,
    const struct rule *r, const char *fmt, ...)
{
	char quoted[PATH_MAX], quoted2[PATH_MAX], answer[2 * PATH_MAX + 64];
	struct log_decision d = { 0 };
	const char *name;
	va_list ap;
	int i;

	if (!log_enabled(LOG_LEVEL_DEBUG))
		return;
	va_start(ap, fmt);
	vsnprintf(answer, sizeof(answer), fmt, ap);
	va_end(ap);
	if ((name = syscalls_arch_name(req->data.arch, req->data.nr)) == NULL)
		name = "?";
	d.rule = r != NULL ? r->name : NULL;
	d.call = name;
	for (i = 0; i < c->npaths && i < 2; i++)
		d.path[i] = c->p[i].abs[0] != '\0' ? c->p[i].abs :
		    c->p[i].given;
	d.answer = answer_kind(answer);
	d.pid = (pid_t)req->pid;
	if (c->npaths > 1)
		log_decision(&d, "tid=%u %s%s \"%s\" \"%s\" %s%s: %s", req->pid,
		    name, syscalls_arch_tag(req->data.arch),
		    log_escape(c->p[0].given, quoted, sizeof(quoted)),
		    log_escape(c->p[1].given, quoted2, sizeof(quoted2)),
		    r != NULL ? "rule=" : "no rule", r != NULL ? r->name : "",
		    answer);
	else
		log_decision(&d, "tid=%u %s%s \"%s\" %s%s: %s", req->pid,
		    name, syscalls_arch_tag(req->data.arch),
		    log_escape(c->p[0].given, quoted,
		    sizeof(quoted)), r != NULL ? "rule=" : "no rule",
		    r != NULL ? r->name : "", answer);
}

/* Answer with fd, the result of act_open(): install it, or its errno. */
void
answer_fd(struct notify *n, const struct seccomp_notif *req,
    const struct call *c, const struct rule *r, const char *dst, int fd)
{
	static int warned_openat2;
	int newfd;

	if (fd < 0) {
		/* Sandboxes that hide openat2 (systemd's RestrictSUIDSGID=)
		 * leave no safe way into another root: say why, once. */
		if (fd == -ENOSYS && !__atomic_exchange_n(&warned_openat2, 1,
		    __ATOMIC_RELAXED))
			log_warn("openat2(2) fails with ENOSYS here: redirects "
			    "inside a target's root fail with ENOSYS");
		answer_log(req, c, r, "redirect %s errno %s", dst,
		    answer_errname(-fd));
		notify_error(n, req->id, -fd);
		return;
	}
	newfd = notify_addfd(n, req->id, fd,
	    (c->flags & O_CLOEXEC) ? O_CLOEXEC : 0);
	close(fd);
	if (newfd >= 0)
		answer_log(req, c, r, "redirect %s fd %d", dst, newfd);
	else if (newfd == -ENOENT)
		answer_log(req, c, r, "redirect %s: target gone", dst);
	else {
		/* The target is still blocked: a failed ADDFD is answered. */
		answer_log(req, c, r, "redirect %s: cannot install the fd: "
		    "errno %s", dst, answer_errname(-newfd));
		notify_error(n, req->id, -newfd);
	}
}
