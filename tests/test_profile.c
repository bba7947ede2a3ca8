/* SPDX-License-Identifier: MIT */
/* The OCI seccomp profile: read back as a runtime reads it, it must notify
 * exactly what filter_build() notifies for `run`. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <json-c/json.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf_eval.h"
#include "filter.h"
#include "profile.h"
#include "syscalls.h"

#define PROFILE_MAXNR	1024
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static struct json_object *
build(syscalls_mask mask, const char *metadata)
{
	struct json_object *p = NULL;

	cr_assert(eq(int, profile_build(mask, "/run/agent/a.sock", metadata,
	    &p), 0));
	cr_assert(ne(ptr, p, NULL));
	return p;
}

static struct json_object *
member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	cr_assert(json_object_object_get_ex(o, key, &v), "no \"%s\"", key);
	return v;
}

/* The names of every SCMP_ACT_NOTIFY entry, in order. */
static struct json_object *
notify_names(struct json_object *p)
{
	struct json_object *calls = member(p, "syscalls"), *e, *names, *all;
	size_t i, j;

	cr_assert(ge(sz, json_object_array_length(calls), 1));
	cr_assert(ne(ptr, all = json_object_new_array(), NULL));
	for (i = 0; i < json_object_array_length(calls); i++) {
		e = json_object_array_get_idx(calls, i);
		if (strcmp(json_object_get_string(member(e, "action")),
		    "SCMP_ACT_NOTIFY") != 0)
			continue;
		names = member(e, "names");
		for (j = 0; j < json_object_array_length(names); j++)
			json_object_array_add(all, json_object_get(
			    json_object_array_get_idx(names, j)));
	}
	return all;
}

static enum scmp_compare
cmp_op(const char *op)
{
	if (strcmp(op, "SCMP_CMP_NE") == 0)
		return SCMP_CMP_NE;
	if (strcmp(op, "SCMP_CMP_EQ") == 0)
		return SCMP_CMP_EQ;
	cr_assert(eq(str, (char *)op, "SCMP_CMP_MASKED_EQ"),
	    "op %s: add it to the test", op);
	return SCMP_CMP_MASKED_EQ;
}

/* Numbers of the names this libseccomp does not know: a runtime
 * built with it skips them (runc: "unknown syscall ... ignored"). */
static int unknown_nr[64];
static size_t nunknown;

/* One entry's rules, as runc adds them: each name, all its conditions. */
static void
runtime_entry(scmp_filter_ctx ctx, struct json_object *e)
{
	struct json_object *names = member(e, "names"), *args = NULL, *a;
	const char *action = json_object_get_string(member(e, "action"));
	struct scmp_arg_cmp cmp[6];
	unsigned int n = 0;
	uint32_t act = SCMP_ACT_NOTIFY;
	const char *name;
	size_t i;
	int nr;

	if (strcmp(action, "SCMP_ACT_ERRNO") == 0)
		act = SCMP_ACT_ERRNO(json_object_get_int(member(e,
		    "errnoRet")));
	else
		cr_assert(eq(str, (char *)action, "SCMP_ACT_NOTIFY"));

	if (json_object_object_get_ex(e, "args", &args))
		for (i = 0; i < json_object_array_length(args); i++) {
			cr_assert(lt(uint, n, 6));
			a = json_object_array_get_idx(args, i);
			cmp[n].arg = json_object_get_int(member(a, "index"));
			cmp[n].op = cmp_op(json_object_get_string(member(a,
			    "op")));
			cmp[n].datum_a = json_object_get_uint64(member(a,
			    "value"));
			cmp[n].datum_b = json_object_get_uint64(member(a,
			    "valueTwo"));
			n++;
		}
	for (i = 0; i < json_object_array_length(names); i++) {
		name = json_object_get_string(json_object_array_get_idx(names,
		    i));
		nr = seccomp_syscall_resolve_name(name);
		/* A name libseccomp does not know is one unotifyd knows the
		 * native number of (newer than libseccomp 2.5.4). */
		if (nr == __NR_SCMP_ERROR) {
			cr_assert(ge(int, nr = syscalls_fallback_nr(name), 0),
			    "unknown %s", name);
			cr_assert(lt(sz, nunknown, nitems(unknown_nr)));
			unknown_nr[nunknown++] = nr;
			continue;
		}
		cr_assert(eq(int, seccomp_rule_add_array(ctx, act, nr, n, cmp),
		    0), "%s", name);
	}
}

/*
 * What runc and crun do with the profile: a libseccomp filter, default
 * allow, the listed arches, every name that resolves notified under its
 * conditions. Exported as BPF so both programs can be run over every
 * syscall number. (Only filters/ builds filters; this stands in for the
 * runtime.)
 */
static void
runtime_bpf(struct json_object *p, struct sock_filter **prog, size_t *len)
{
	struct json_object *arches = member(p, "architectures"), *calls;
	scmp_filter_ctx ctx;
	FILE *f;
	const char *a;
	size_t i;
	long n;

	cr_assert(eq(str, (char *)json_object_get_string(member(p,
	    "defaultAction")), "SCMP_ACT_ALLOW"));
	cr_assert(ne(ptr, ctx = seccomp_init(SCMP_ACT_ALLOW), NULL));
	cr_assert(eq(int, seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE), 0));
	for (i = 0; i < json_object_array_length(arches); i++) {
		a = json_object_get_string(json_object_array_get_idx(arches,
		    i));
		cr_assert(eq(int, seccomp_arch_add(ctx,
		    strcmp(a, "SCMP_ARCH_X86_64") == 0 ? SCMP_ARCH_X86_64 :
		    strcmp(a, "SCMP_ARCH_X86") == 0 ? SCMP_ARCH_X86 :
		    strcmp(a, "SCMP_ARCH_AARCH64") == 0 ? SCMP_ARCH_AARCH64 :
		    strcmp(a, "SCMP_ARCH_ARM") == 0 ? SCMP_ARCH_ARM :
		    0), 0), "arch %s", a);
	}
	calls = member(p, "syscalls");
	for (i = 0; i < json_object_array_length(calls); i++)
		runtime_entry(ctx, json_object_array_get_idx(calls, i));
	cr_assert(ne(ptr, f = tmpfile(), NULL));
	cr_assert(eq(int, seccomp_export_bpf(ctx, fileno(f)), 0));
	seccomp_release(ctx);
	n = lseek(fileno(f), 0, SEEK_END);
	cr_assert(gt(long, n, 0));
	*len = (size_t)n / sizeof(**prog);
	*prog = malloc((size_t)n);
	cr_assert(eq(long, pread(fileno(f), *prog, (size_t)n, 0), n));
	fclose(f);
}

/* Flag words that decide whether a call is notified (AT_EMPTY_PATH, in
 * whichever argument holds the flags), and some that do not. */
static const uint64_t test_args[] = { 0, 0x1000, 0x100, 0x1100, ~0ull,
    24 /* PR_CAPBSET_DROP */, 0x20000 /* CLONE_NEWNS */,
    0x10000000 /* CLONE_NEWUSER */, 0x01200011 /* fork's */ };

/* The program's answer: allow, notify, or an errno (clone3's). */
static uint32_t
answer(const void *prog, size_t len, uint32_t arch, int nr, int argn,
    uint64_t arg)
{
	struct seccomp_data d = { .nr = nr, .arch = arch };

	d.args[argn] = arg;
	return bpf_eval(prog, len, &d);
}

/* For each number on each arch, the runtime's filter and run's agree. */
/* 1 if a runtime with this libseccomp skips nr on arch: the calls it
 * lacks have one number on x86_64 and i386 alike. */
static int
skipped(uint32_t arch, int nr)
{
	size_t i;

	(void)arch;
	for (i = 0; i < nunknown; i++)
		if (unknown_nr[i] == nr)
			return 1;
	return 0;
}

static void
same_as_run(syscalls_mask mask)
{
	/* The build's arches: on others each filter kills in its own way. */
	const uint32_t arches[] = { syscalls_native_arch(),
	    syscalls_compat_arch() };
	struct json_object *p = build(mask, NULL);
	struct sock_filter *rt;
	struct filter *f = NULL;
	const void *run;
	const char *why;
	size_t rtlen, runlen, a, v;
	int nr, argn, seen = 0;

	runtime_bpf(p, &rt, &rtlen);
	cr_assert(eq(int, filter_build(mask, &f, &why), 0));
	runlen = filter_program(f, &run);
	for (a = 0; a < sizeof(arches) / sizeof(arches[0]); a++)
		for (nr = 0; nr < PROFILE_MAXNR; nr++)
			for (argn = 0; argn < 6 && !skipped(arches[a], nr);
			    argn++)
				for (v = 0; v < nitems(test_args); v++) {
					cr_assert(eq(u32, answer(rt, rtlen,
					    arches[a], nr, argn, test_args[v]),
					    answer(run, runlen, arches[a],
					    nr, argn, test_args[v])),
					    "arch %#x nr %d args[%d] %#llx",
					    arches[a], nr, argn,
					    (unsigned long long)test_args[v]);
					seen += answer(rt, rtlen, arches[a],
					    nr, argn, test_args[v]) ==
					    SECCOMP_RET_USER_NOTIF;
				}
	cr_assert(gt(int, seen, 0));
	free(rt);
	filter_free(f);
	json_object_put(p);
}

Test(profile, notifies_what_run_notifies_for_every_path_call)
{
	same_as_run(syscalls_run_mask(SYSCALLS_ALL, 1));
}

Test(profile, notifies_what_run_notifies_unprivileged)
{
	same_as_run(syscalls_run_mask(SYSCALLS_ALL, 0));
}

Test(profile, notifies_what_run_notifies_for_opens_only)
{
	same_as_run(syscalls_run_mask(SYSCALLS_OPENS, 0));
}

Test(profile, names_every_arch_name_of_each_id_once)
{
	struct json_object *p = build(SYSCALLS_MASK(SYSCALLS_STAT) |
	    SYSCALLS_MASK(SYSCALLS_OPENAT), NULL), *names = notify_names(p);
	const char *want[] = { "openat", "stat", "stat64" };
	size_t i;

	cr_assert(eq(sz, json_object_array_length(names), 3));
	for (i = 0; i < 3; i++)
		cr_assert(eq(str, (char *)json_object_get_string(
		    json_object_array_get_idx(names, i)), (char *)want[i]));
	json_object_put(names);
	json_object_put(p);
}

Test(profile, listener_metadata_and_arches)
{
	struct json_object *p = build(SYSCALLS_OPENS, "rules=app"), *a;

	cr_assert(eq(str, (char *)json_object_get_string(member(p,
	    "listenerPath")), "/run/agent/a.sock"));
	cr_assert(eq(str, (char *)json_object_get_string(member(p,
	    "listenerMetadata")), "rules=app"));
	a = member(p, "architectures");
#if defined(__x86_64__)
	cr_assert(eq(sz, json_object_array_length(a), 2));
	cr_assert(eq(str, (char *)json_object_get_string(
	    json_object_array_get_idx(a, 0)), "SCMP_ARCH_X86_64"));
	cr_assert(eq(str, (char *)json_object_get_string(
	    json_object_array_get_idx(a, 1)), "SCMP_ARCH_X86"));
#elif defined(__aarch64__)
	cr_assert(eq(sz, json_object_array_length(a), 2));
	cr_assert(eq(str, (char *)json_object_get_string(
	    json_object_array_get_idx(a, 0)), "SCMP_ARCH_AARCH64"));
	cr_assert(eq(str, (char *)json_object_get_string(
	    json_object_array_get_idx(a, 1)), "SCMP_ARCH_ARM"));
#else
	(void)a;
#endif
	json_object_put(p);
	p = build(SYSCALLS_OPENS, NULL);
	cr_assert(eq(str, (char *)json_object_get_string(member(p,
	    "listenerMetadata")), ""));
	json_object_put(p);
}

Test(profile, rejects_empty_mask_and_relative_listener)
{
	struct json_object *p = (void *)1;

	cr_assert(eq(int, profile_build(0, "/a.sock", NULL, &p), -EINVAL));
	cr_assert(eq(ptr, p, NULL));
	cr_assert(eq(int, profile_build(SYSCALLS_OPENS, "a.sock", NULL, &p),
	    -EINVAL));
	cr_assert(eq(int, profile_build(SYSCALLS_OPENS, NULL, NULL, &p),
	    -EINVAL));
}

Test(profile, prints_json_that_parses_back)
{
	struct json_object *p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	cr_assert(ne(ptr, f = open_memstream(&buf, &len), NULL));
	cr_assert(eq(int, profile_print(SYSCALLS_OPENS, "/r/a b\"c.sock",
	    "rules=x", f), 0));
	fclose(f);
	cr_assert(eq(chr, buf[len - 1], '\n'));
	cr_assert(ne(ptr, p = json_tokener_parse(buf), NULL), "%s", buf);
	cr_assert(eq(str, (char *)json_object_get_string(member(p,
	    "listenerPath")), "/r/a b\"c.sock"));
	json_object_put(p);
	free(buf);
}
