/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the decision path as a whole. A rule set (INI text,
 * up to the first NUL) and notifications (seccomp_data from the rest: a
 * path call on x86_64 or i386, its arguments, its paths) go through
 * syscalls_lookup(), calls_decode() and verdict_decide(), checked against a
 * plain reference: each path matched on its own by a scan of the rules in
 * order, the first errno rule failing the call, nothing matched meaning the
 * kernel's own answer (continue), and each path of a two-path call
 * translated as it would be alone. */
#include <errno.h>
#include <limits.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <unistd.h>

#include "calls.h"
#include "causes.h"
#include "fuzz.h"
#include "path.h"
#include "rules.h"
#include "syscalls.h"
#include "verdict.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_CALLS	8

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	return 0;
}

/* The input as a stream of bytes and lines. */
struct fuzz_in {
	const uint8_t	*p, *end;
};

static unsigned
fuzz_byte(struct fuzz_in *in)
{
	return in->p < in->end ? *in->p++ : 0;
}

/* The next line as an absolute, normalised path. "@N..." starts from the
 * path of rule N, so that paths land on and beside the rules. */
static void
fuzz_path(struct fuzz_in *in, const struct rule_set *set, char *out)
{
	const uint8_t *nl;
	size_t len, used = 0;

	nl = memchr(in->p, '\n', in->end - in->p);
	len = (nl != NULL ? nl : in->end) - in->p;
	if (len > PATH_MAX / 2)
		len = PATH_MAX / 2;
	out[used++] = '/';
	if (len >= 2 && in->p[0] == '@' && set->n > 0) {
		const char *rp = set->v[in->p[1] % set->n].path;
		size_t rl = strlen(rp);

		if (rl < PATH_MAX / 2) {
			memcpy(out, rp, rl);
			used = rl;
		}
		in->p += 2;
		len -= 2;
	}
	memcpy(out + used, in->p, len);
	out[used + len] = '\0';
	/* A C string: cut at a NUL, as read from the target. */
	out[strlen(out)] = '\0';
	in->p += len + (nl != NULL);
	path_normalise(out);
}

/* The reference decision for c. */
static void
fuzz_reference(const struct rule_set *scan, const struct call *c,
    struct verdict *v)
{
	const struct rule *m[CALL_PATHS] = { NULL };
	int i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < c->npaths; i++)
		if (!c->p[i].skip)
			m[i] = rules_match(scan, c->p[i].abs, c->sysid,
			    c->p[i].write);
	/* The first path an errno rule covers fails the call. */
	for (i = 0; i < c->npaths; i++)
		if (m[i] != NULL && m[i]->action == RULE_ERRNO) {
			v->kind = VERDICT_ERRNO;
			v->err = m[i]->err;
			v->rule = m[i];
			return;
		}
	/* Else each redirected path moves, on its own. */
	for (i = 0; i < c->npaths; i++)
		if (m[i] != NULL && m[i]->action == RULE_REDIRECT) {
			if (v->kind != VERDICT_REDIRECT)
				v->rule = m[i];
			v->kind = VERDICT_REDIRECT;
			v->by[i] = m[i];
		}
	if (v->kind == VERDICT_REDIRECT)
		return;
	/* Else the kernel's own answer; the first continue rule is logged. */
	for (i = 0; i < c->npaths && v->rule == NULL; i++)
		v->rule = m[i];
}

static void
fuzz_same(const struct verdict *a, const struct verdict *b, const char *what)
{
	int i;

	FUZZ_ASSERT(a->kind == b->kind, what);
	FUZZ_ASSERT(a->rule == b->rule, what);
	FUZZ_ASSERT(a->kind != VERDICT_ERRNO || a->err == b->err, what);
	for (i = 0; i < CALL_PATHS; i++)
		FUZZ_ASSERT(a->by[i] == b->by[i], what);
}

/* One notification from the input; checked if it decodes to paths. */
static void
fuzz_call(struct fuzz_in *in, struct rule_set *set,
    const struct rule_set *scan, const char *text)
{
	static struct call c, one;
	const char *const *names;
	struct seccomp_data d = { 0 };
	enum syscalls_layout layout;
	struct verdict v, ref, alone;
	char out[PATH_MAX];
	int id, n, k, i, r;
	uint32_t arch;

	id = (int)(fuzz_byte(in) % SYSCALLS_COUNT);
	arch = fuzz_byte(in) & 1 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
	names = syscalls_names(id);
	for (n = 0; names[n] != NULL; n++)
		;
	if (n == 0)
		return;
	k = (int)(fuzz_byte(in) % n);
	if ((d.nr = seccomp_syscall_resolve_name_arch(arch, names[k])) < 0 &&
	    (d.nr = syscalls_fallback_nr(names[k])) < 0)
		return;
	d.arch = arch;
	for (i = 0; i < 6; i++) {
		/* Small values mostly: flags, dirfds, NULL or not. */
		unsigned b = fuzz_byte(in);

		d.args[i] = b & 0x80 ? (uint64_t)(b & 0x7f) << (8 *
		    (fuzz_byte(in) % 8)) : b;
	}
	memset(&c, 0, offsetof(struct call, p));
	c.sysid = syscalls_lookup(d.arch, d.nr, &layout);
	/* What the filter notifies, the table must know as that call. */
	FUZZ_ASSERT(c.sysid == id, names[k]);
	c.layout = layout;
	/* Our own pid: openat2's how is read from here (EFAULT mostly). */
	if ((r = calls_decode(getpid(), &d, &c)) < 0) {
		FUZZ_ASSERT(r == -EINVAL || r == -E2BIG || r == -EFAULT ||
		    r == -ESRCH || r == -EPERM, names[k]);
		return;
	}
	FUZZ_ASSERT(c.npaths >= 0 && c.npaths <= CALL_PATHS, names[k]);
	for (i = 0; i < c.npaths; i++)
		fuzz_path(in, set, c.p[i].abs);

	verdict_decide(set, &c, &v);
	fuzz_reference(scan, &c, &ref);
	fuzz_same(&v, &ref, text);
	if (v.kind == VERDICT_ERRNO)
		FUZZ_ASSERT(v.err > 0 && v.err < 4096, text);
	/* Each path of a two-path call is translated as it would be alone. */
	for (i = 0; i < c.npaths; i++) {
		if (v.by[i] == NULL)
			continue;
		one = c;
		one.npaths = 1;
		one.p[0] = c.p[i];
		verdict_decide(set, &one, &alone);
		FUZZ_ASSERT(alone.kind == VERDICT_REDIRECT &&
		    alone.by[0] == v.by[i], text);
		r = rules_target(v.by[i], c.p[i].abs, out, sizeof(out));
		FUZZ_ASSERT(r == 0 || r == -ENAMETOOLONG || r == -EINVAL, text);
		FUZZ_ASSERT(r != 0 || out[0] == '/', text);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t tlen = nul != NULL ? (size_t)(nul - data) : size;
	char *text = fuzz_string(data, tlen);
	struct causes causes = { 0 };
	struct rule_set set, scan;
	struct fuzz_in in;
	int i;

	rules_init(&set);
	/* Whatever parsed is the rule set, as a reload keeps valid rules. */
	(void)rules_parse_string(&set, text, "fuzz.ini", &causes);
	scan = set;
	scan.index = NULL;
	rules_index(&set);
	in.p = nul != NULL ? nul + 1 : data + size;
	in.end = data + size;
	for (i = 0; i < FUZZ_CALLS && in.p < in.end; i++)
		fuzz_call(&in, &set, &scan, text);
	causes_free(&causes);
	rules_free(&set);
	free(text);
	return 0;
}
