/* SPDX-License-Identifier: MIT */
/* unotifyd profile: the OCI seccomp profile for the loaded rules, as JSON. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>

#include "profile.h"
#include "syscalls.h"

/* What filter_build() installs for `run`: the native arch and its 32-bit
 * compat one, i386 on x86_64 and ARM on aarch64 (x32 stays out: runtimes
 * kill it with the default bad-arch action). */
static const char *const profile_arches[] = {
#if defined(__x86_64__)
	"SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
#elif defined(__aarch64__)
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM",
#else
#error "unotifyd profile: name this arch's SCMP_ARCH_* here"
#endif
};

/* Add s to array a as a string; 0 or -ENOMEM. */
static int
profile_add_string(struct json_object *a, const char *s)
{
	struct json_object *v;

	if ((v = json_object_new_string(s)) == NULL)
		return -ENOMEM;
	if (json_object_array_add(a, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* Set o[key] to v, which it takes even on failure; 0 or -ENOMEM. */
static int
profile_set(struct json_object *o, const char *key, struct json_object *v)
{
	if (v == NULL)
		return -ENOMEM;
	if (json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/*
 * filter_add()'s argument conditions, as runtime-spec args: the forms that
 * name no path (AT_EMPTY_PATH, utimensat on an fd) stay in the kernel.
 * test_profile runs both filters over these arguments, so the two cannot
 * drift apart.
 */
static const struct profile_cond {
	int		 id;
	const char	*name;		/* of the id's calls, or NULL: all */
	unsigned int	 index;		/* the argument compared */
	const char	*op;		/* SCMP_CMP_* */
	uint64_t	 value;		/* MASKED_EQ: the mask */
	uint64_t	 value_two;	/* MASKED_EQ: the datum */
} profile_conds[] = {
	{ SYSCALLS_NEWFSTATAT, NULL, 3, "SCMP_CMP_MASKED_EQ", AT_EMPTY_PATH,
	    0 },
	{ SYSCALLS_STATX, NULL, 2, "SCMP_CMP_MASKED_EQ", AT_EMPTY_PATH, 0 },
	{ SYSCALLS_EXECVEAT, NULL, 4, "SCMP_CMP_MASKED_EQ", AT_EMPTY_PATH, 0 },
	{ SYSCALLS_UTIMENSAT, NULL, 1, "SCMP_CMP_NE", 0, 0 },
	{ SYSCALLS_CREDS, "prctl", 0, "SCMP_CMP_EQ", PR_CAPBSET_DROP, 0 },
	{ SYSCALLS_ROOT, "clone", 0, "SCMP_CMP_MASKED_EQ", CLONE_NEWNS,
	    CLONE_NEWNS },
	{ SYSCALLS_ROOT, "clone", 0, "SCMP_CMP_MASKED_EQ", CLONE_NEWUSER,
	    CLONE_NEWUSER },
};

/* The next of filter_add()'s conditions on name, one of id's calls, after
 * c (NULL: the first); NULL once none is left. */
static const struct profile_cond *
profile_cond_next(int id, const char *name, const struct profile_cond *c)
{
	const struct profile_cond *end = profile_conds +
	    sizeof(profile_conds) / sizeof(profile_conds[0]);

	for (c = c == NULL ? profile_conds : c + 1; c < end; c++)
		if (c->id == id && (c->name == NULL ||
		    strcmp(c->name, name) == 0))
			return c;
	return NULL;
}

/* A new object at the end of array, or NULL (out of memory). */
static struct json_object *
profile_append(struct json_object *array)
{
	struct json_object *o = json_object_new_object();

	if (o != NULL && json_object_array_add(array, o) < 0) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/* A new {"names": [], "action": action} added to calls, in *e, with c's
 * argument condition (NULL: none); its names array in *names. 0 or
 * -ENOMEM. */
static int
profile_entry(struct json_object *calls, const char *action,
    const struct profile_cond *c, struct json_object **e,
    struct json_object **names)
{
	struct json_object *args, *arg;
	int r;

	if ((*e = profile_append(calls)) == NULL)
		return -ENOMEM;
	if ((r = profile_set(*e, "names", *names = json_object_new_array())) <
	    0 || (r = profile_set(*e, "action",
	    json_object_new_string(action))) < 0)
		return r;
	if (c == NULL)
		return 0;
	if ((r = profile_set(*e, "args", args = json_object_new_array())) < 0)
		return r;
	if ((arg = profile_append(args)) == NULL)
		return -ENOMEM;
	if ((r = profile_set(arg, "index",
	    json_object_new_uint64(c->index))) < 0 ||
	    (r = profile_set(arg, "value",
	    json_object_new_uint64(c->value))) < 0 ||
	    (r = profile_set(arg, "valueTwo",
	    json_object_new_uint64(c->value_two))) < 0 ||
	    (r = profile_set(arg, "op", json_object_new_string(c->op))) < 0)
		return r;
	return 0;
}

/* The names of every id in mask on the profile's arches: one entry for the
 * calls notified whatever their arguments, one per condition (a call
 * notified under either of two conditions is in two entries). */
static int
profile_calls(syscalls_mask mask, struct json_object *calls)
{
	struct json_object *plain = NULL, *same, *names, **entry, *e;
	const struct profile_cond *c;
	const char *const *name;
	int id, r;

	for (id = 0; id < SYSCALLS_NIDS; id++) {
		if (!(mask & SYSCALLS_MASK(id)))
			continue;
		same = NULL;	/* the id's entry, for a condition on all */
		for (name = syscalls_names(id); *name != NULL; name++) {
			if (!syscalls_arch_has(syscalls_native_arch(), *name) &&
			    !syscalls_arch_has(syscalls_compat_arch(), *name))
				continue;
			c = profile_cond_next(id, *name, NULL);
			do {
				names = NULL;	/* this name's own entry */
				entry = c == NULL ? &plain :
				    c->name == NULL ? &same : &names;
				if (*entry == NULL && (r = profile_entry(calls,
				    "SCMP_ACT_NOTIFY", c, &e, entry)) < 0)
					return r;
				if ((r = profile_add_string(*entry, *name)) < 0)
					return r;
			} while (c != NULL &&
			    (c = profile_cond_next(id, *name, c)) != NULL);
		}
	}
	return 0;
}

/* As filter_add(): where clone(2)'s namespace flags are watched, clone3
 * fails with ENOSYS, and programs fall back to clone(2). */
static int
profile_clone3(syscalls_mask mask, struct json_object *calls)
{
	struct json_object *e, *names;
	int r;

	if (!(mask & SYSCALLS_MASK(SYSCALLS_ROOT)))
		return 0;
	if ((r = profile_entry(calls, "SCMP_ACT_ERRNO", NULL, &e, &names)) < 0 ||
	    (r = profile_add_string(names, "clone3")) < 0)
		return r;
	return profile_set(e, "errnoRet", json_object_new_int(ENOSYS));
}

int
profile_build(syscalls_mask mask, const char *listener, const char *metadata,
    struct json_object **out)
{
	struct json_object *p, *arches, *calls;
	size_t i;
	int r;

	*out = NULL;
	/* An empty list would give the runtime a listener it never uses. */
	if (mask == 0 || listener == NULL || listener[0] != '/')
		return -EINVAL;
	if ((p = json_object_new_object()) == NULL)
		return -ENOMEM;
	if ((r = profile_set(p, "defaultAction",
	    json_object_new_string("SCMP_ACT_ALLOW"))) < 0 ||
	    (r = profile_set(p, "architectures",
	    arches = json_object_new_array())) < 0)
		goto out;
	for (i = 0; i < sizeof(profile_arches) / sizeof(profile_arches[0]); i++)
		if ((r = profile_add_string(arches, profile_arches[i])) < 0)
			goto out;
	if ((r = profile_set(p, "listenerPath",
	    json_object_new_string(listener))) < 0 ||
	    (r = profile_set(p, "listenerMetadata",
	    json_object_new_string(metadata != NULL ? metadata : ""))) < 0 ||
	    (r = profile_set(p, "syscalls", calls = json_object_new_array())) < 0 ||
	    (r = profile_calls(mask, calls)) < 0 ||
	    (r = profile_clone3(mask, calls)) < 0)
		goto out;
	*out = p;
	p = NULL;
out:
	json_object_put(p);
	return r;
}

int
profile_print(syscalls_mask mask, const char *listener, const char *metadata,
    FILE *f)
{
	struct json_object *p;
	const char *s;
	int r;

	if ((r = profile_build(mask, listener, metadata, &p)) < 0)
		return r;
	r = 0;
	/* Slashes as they are: paths stay readable. */
	if ((s = json_object_to_json_string_ext(p, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)) == NULL)
		r = -ENOMEM;
	else if (fprintf(f, "%s\n", s) < 0 || fflush(f) != 0)
		r = -EIO;
	json_object_put(p);
	return r;
}
