/* SPDX-License-Identifier: MIT */
/* A call a rule redirects: answered in place, opened, performed, emulated
 * or rewritten, with every path moved where its rule says. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "answer.h"
#include "creds.h"
#include "follow.h"
#include "opener.h"
#include "perform.h"
#include "redirect.h"
#include "rewrite.h"
#include "trace.h"

static void
redirect_emulate(struct notify *n, const struct seccomp_notif *req,
    struct target *t, struct call *c, const struct rule *r, const char *dst)
{
	char small[ACT_OUT_MAX], *out = small;
	size_t outlen = 0;
	long ret;
	int w;

	if (c->kind == ACT_GETXATTR || c->kind == ACT_LISTXATTR)
		out = xmalloc(ACT_XATTR_SIZE_MAX);
	ret = 0;
	if (c->kind == ACT_HANDLE) {
		/* struct file_handle's header: its handle_bytes is read. */
		if ((w = target_read(t, c->buf, out,
		    sizeof(struct file_handle))) < 0)
			ret = w;
	} else if (c->kind == ACT_GETXATTR) {
		ret = act_xattr_name(t, c->name_addr, c->xname,
		    sizeof(c->xname));
	}
	if (ret == 0)
		ret = act_emulate(t, c, dst, out, &outlen);
	/* name_to_handle_at's EOVERFLOW still tells the size it needs. */
	if ((ret >= 0 || (ret == -EOVERFLOW && c->kind == ACT_HANDLE)) &&
	    outlen > 0) {
		/* Write only into the very call that asked. */
		if (notify_id_valid(n, req->id) < 0)
			goto done;
		if ((w = target_write(t, c->buf, out, outlen)) < 0)
			ret = w == -ESRCH ? -ESRCH : -EFAULT;
		else if (ret >= 0 && c->kind == ACT_HANDLE &&
		    (w = target_write(t, c->name_addr, out +
		    ACT_HANDLE_MNT_OFF, (c->atflags & 1) ? 8 : 4)) < 0)
			ret = -EFAULT;
	}
	if (ret < 0) {
		answer_log(req, c, r, "redirect %s errno %s", dst,
		    answer_errname(-ret));
		notify_error(n, req->id, (int)-ret);
		goto done;
	}
	answer_log(req, c, r, "redirect %s = %ld", dst, ret);
	notify_return(n, req->id, ret);
done:
	if (out != small)
		free(out);
}

/* A write-side call, performed with its paths moved. */
static void
redirect_perform(struct notify *n, const struct seccomp_notif *req,
    struct target *t, const struct call *c, const struct rule *r,
    const char *const dst[CALL_PATHS])
{
	long ret = perform_call(t, c, dst);

	if (ret < 0) {
		answer_log(req, c, r, "redirect %s errno %s", dst[0],
		    answer_errname((int)-ret));
		notify_error(n, req->id, (int)-ret);
	} else {
		answer_log(req, c, r, "redirect %s%s%s = %ld", dst[0],
		    c->npaths > 1 ? " " : "", c->npaths > 1 ? dst[1] : "",
		    ret);
		notify_return(n, req->id, ret);
	}
}

static void
redirect_self(struct notify *n, const struct seccomp_notif *req,
    struct target *t, const struct call *c, const struct rule *r,
    const char *dst)
{
	int err = rewrite_call(n, req, t, c, dst);

	if (err < 0) {
		answer_log(req, c, r, "redirect %s errno %s", dst,
		    answer_errname(-err));
		notify_error(n, req->id, -err);
	} else
		answer_log(req, c, r, "redirect %s", dst);
}

/* Do a and b name entries of the same directory? */
static int
redirect_same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');

	return sa - a == sb - b && strncmp(a, b, (size_t)(sa - a)) == 0;
}

/* Is path, in t's root and looked up as t, anything but a symlink (or
 * nothing: the kernel then answers, or creates it there)? */
static int
redirect_no_link(struct target *t, const char *path)
{
	struct creds_saved saved;
	char link[PATH_MAX];
	int r;

	if (creds_enter(t, 0, &saved) < 0)
		return 0;
	r = follow_link(t, path, link, sizeof(link));
	creds_leave(&saved);
	return r != 1;
}

/*
 * Would the kernel's own lookup do the redirect? So it is when each path is
 * one entry (or "..") relative to a dirfd or cwd inside a directory
 * redirect's destination, moved by its rule to exactly where that lookup
 * lands, and no symlink there is to be followed: the case of every call of
 * a tree walk (du, find, tar, rm -r) below a redirected directory, which
 * is then answered with CONTINUE. Other paths must be ones the kernel
 * resolves as the rules do: not redirected, and not mapped.
 */
static int
redirect_in_place(struct target *t, const struct call *c,
    const struct verdict *v, const char *const to[CALL_PATHS])
{
	const struct call_path *p;
	int i;

	for (i = 0; i < c->npaths; i++) {
		p = &c->p[i];
		if (p->skip)
			continue;
		if (v->by[i] == NULL ? p->mapped : (!p->mapped ||
		    strchr(p->given, '/') != NULL ||
		    strcmp(to[i], p->phys) != 0 ||
		    (follow_last(c, i) && !redirect_no_link(t, p->phys))))
			return 0;
	}
	return 1;
}

void
redirect_call(struct notify *n, const struct rule_set *rules,
    const struct seccomp_notif *req, struct target *t, struct call *c,
    const struct verdict *v)
{
	char dst[CALL_PATHS][PATH_MAX];
	const char *to[CALL_PATHS];
	int i, err;

	/* From here on the task is reached through descriptors proven to be
	 * its own, never by its tid, which may be reused once it dies. */
	target_watch(t, n, req->id);

	for (i = 0; i < c->npaths; i++) {
		to[i] = c->p[i].abs;
		if (v->by[i] == NULL)
			continue;
		if ((err = rules_target(v->by[i], c->p[i].abs, dst[i],
		    sizeof(dst[i]))) < 0)
			goto fail;
		to[i] = dst[i];
	}
	if (redirect_in_place(t, c, v, to)) {
		answer_log(req, c, v->rule, "redirect %s in place: continue",
		    to[0]);
		notify_continue(n, req->id);
		return;
	}
	/* What we read belongs to this very call, not to a recycled tid. */
	if (!trace_enabled && notify_id_valid(n, req->id) < 0)
		return;
	/* A symlink in the destination may lead back into a redirected
	 * source: follow it there (an open does so itself, at no cost when
	 * there is none). */
	for (i = 0; i < c->npaths; i++) {
		if (v->by[i] == NULL ||
		    (c->kind == ACT_OPEN && !(c->flags & O_PATH)))
			continue;
		/* rename(d/a, d/b): the first path's walk cleared d. */
		if (i == 1 && v->by[0] != NULL && !follow_last(c, 0) &&
		    !follow_last(c, 1) && redirect_same_dir(dst[0], dst[1]))
			continue;
		if ((err = follow_resolve(rules, t, c, i, dst[i],
		    sizeof(dst[i]))) != 0)
			goto fail;
	}
	switch (c->kind) {
	case ACT_OPEN:
		if (c->flags & O_PATH)
			redirect_self(n, req, t, c, v->rule, to[0]);
		else
			opener_redirect(n, rules, req, t, c, v->rule,
			    dst[0]);
		break;
	case ACT_SELF:
		redirect_self(n, req, t, c, v->rule, to[0]);
		break;
	case ACT_PERFORM:
		redirect_perform(n, req, t, c, v->rule, to);
		break;
	default:
		redirect_emulate(n, req, t, c, v->rule, to[0]);
	}
	return;
fail:
	err = err < 0 ? -err : err;
	answer_log(req, c, v->rule, "redirect: errno %s",
	    answer_errname(err));
	notify_error(n, req->id, err);
}
