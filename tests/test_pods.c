/* SPDX-License-Identifier: MIT */
/* Unit tests for supervisor/rules/pods.c and the [match] section of rules
 * files: which pods' containers a file's rules apply to. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "pods.h"
#include "rules.h"

#define RULE(name, path)	"[" name "]\npath = " path "\n"	\
				"action = errno\nerrno = EACCES\n"

/* Parse text into a fresh set; returns the parse result. */
static int
parse(struct rule_set *set, const char *text, struct causes *c)
{
	rules_init(set);
	memset(c, 0, sizeof(*c));
	return rules_parse_string(set, text, "t.ini", c);
}

/* Assert that text fails with a cause holding want. */
static void
refused(const char *text, const char *want)
{
	struct rule_set set;
	struct causes c;
	size_t i;
	int found = 0;

	cr_assert(eq(int, parse(&set, text, &c), -1), "parsed: %s", text);
	for (i = 0; i < c.n; i++)
		found |= strstr(c.v[i], want) != NULL;
	cr_assert(found, "no cause '%s' (first: %s)", want, c.n ? c.v[0] : "");
	causes_free(&c);
	rules_free(&set);
}

static struct pod_ident
ident(const char *ns, const char *pod, const char *ctr)
{
	struct pod_ident id;

	cr_assert(eq(int, pods_ident_set(&id, ns, pod, ctr), 0));
	return id;
}

Test(pods, match_section_scopes_the_file)
{
	struct rule_set set;
	struct causes c;

	cr_assert(eq(int, parse(&set, "; for the web pods\n[match]\n"
	    "namespace = prod staging-*\npod = web-*\n\n"
	    RULE("a", "/a") RULE("b", "/b"), &c), 0), "%s",
	    c.n ? c.v[0] : "");
	cr_assert(eq(sz, set.n, 2));
	cr_assert(ne(ptr, set.scopes, NULL));
	cr_assert(eq(ptr, (void *)set.v[0].scope, set.scopes));
	cr_assert(eq(ptr, (void *)set.v[1].scope, set.scopes));
	cr_assert(eq(str, set.scopes->glob[RULE_SCOPE_NAMESPACE],
	    "prod staging-*"));
	cr_assert(eq(str, set.scopes->glob[RULE_SCOPE_POD], "web-*"));
	cr_assert(eq(ptr, set.scopes->glob[RULE_SCOPE_CONTAINER], NULL));
	cr_assert(eq(u32, set.scopes->line, 2));
	rules_free(&set);

	/* Without [match], rules have no scope. */
	cr_assert(eq(int, parse(&set, RULE("a", "/a"), &c), 0));
	cr_assert(eq(ptr, (void *)set.v[0].scope, NULL));
	cr_assert(eq(ptr, set.scopes, NULL));
	rules_free(&set);
}

Test(pods, match_section_errors)
{
	refused(RULE("a", "/a") "[match]\npod = x\n", "[match] must be the "
	    "first section of its file");
	refused("[match]\nnode = x\n" RULE("a", "/a"), "unknown key 'node' in "
	    "[match]");
	refused("[match]\npod = x\npod = y\n" RULE("a", "/a"),
	    "duplicate key 'pod'");
	refused("[match]\npod = [x\n" RULE("a", "/a"), "bad pod glob '[x': "
	    "unterminated '['");
	refused("[match]\ncontainer = a/b\n" RULE("a", "/a"), "bad container "
	    "glob 'a/b'");
	refused("[match]\n" RULE("a", "/a"), "needs namespace, pod or "
	    "container");
	refused("[match]\npod = x\n", "no rules");
	refused("[match]\npath = /x\n" RULE("a", "/a"), "unknown key 'path'");
}

Test(pods, bad_match_drops_its_rules)
{
	struct rule_set set;
	struct causes c;

	cr_assert(eq(int, parse(&set, "[match]\npod = [\n" RULE("a", "/a"),
	    &c), -1));
	/* They would otherwise apply to every target. */
	cr_assert(eq(sz, set.n, 0));
	causes_free(&c);
	rules_free(&set);
}

Test(pods, scope_match)
{
	struct rule_scope sc = { .glob = { "prod staging-*", "web-*", NULL } };
	struct pod_ident id;

	cr_assert(eq(int, pods_scope_match(NULL, &id), 1));
	id = ident("prod", "web-7f9c", "nginx");
	cr_assert(eq(int, pods_scope_match(&sc, &id), 1));
	pods_ident_fini(&id);
	id = ident("staging-2", "web-0", NULL);
	cr_assert(eq(int, pods_scope_match(&sc, &id), 1));
	pods_ident_fini(&id);
	id = ident("dev", "web-0", "nginx");
	cr_assert(eq(int, pods_scope_match(&sc, &id), 0));
	pods_ident_fini(&id);
	id = ident("prod", "api-0", "nginx");
	cr_assert(eq(int, pods_scope_match(&sc, &id), 0));
	pods_ident_fini(&id);
	/* Unknown is never a match: not a Kubernetes container. */
	id = ident(NULL, "web-0", "nginx");
	cr_assert(eq(int, pods_scope_match(&sc, &id), 0));
	pods_ident_fini(&id);
	sc.glob[RULE_SCOPE_POD] = NULL;
	sc.glob[RULE_SCOPE_CONTAINER] = "side[ca]*";
	id = ident("prod", "x", "sidecar");
	cr_assert(eq(int, pods_scope_match(&sc, &id), 1));
	pods_ident_fini(&id);
}

Test(pods, view_keeps_what_applies)
{
	struct rule_set set, other, *view = NULL;
	struct causes c;
	struct pod_ident web = ident("prod", "web-1", "app");
	struct pod_ident api = ident("prod", "api-1", "app");
	struct pod_ident none = { { NULL } };

	cr_assert(eq(int, parse(&set, RULE("all", "/all"), &c), 0));
	/* No [match] anywhere: the set applies whole. */
	cr_assert(eq(sz, pods_view(&set, &web, &view), 0));
	cr_assert(eq(ptr, view, NULL));
	cr_assert(eq(int, parse(&other, "[match]\npod = web-*\n"
	    RULE("web", "/web"), &c), 0));
	cr_assert(eq(int, rules_merge(&set, &other, &c), 0));
	rules_free(&other);
	cr_assert(eq(sz, set.n, 2));

	cr_assert(eq(sz, pods_view(&set, &web, &view), 0));
	cr_assert(eq(sz, view->n, 2));
	cr_assert(eq(ptr, (void *)view->v[1].scope, NULL));
	cr_assert(eq(str, view->v[1].path, "/web"));
	cr_assert(ne(ptr, (void *)rules_match(view, "/web", 0, 0), NULL));
	rules_free(view);
	free(view);
	cr_assert(eq(sz, pods_view(&set, &api, &view), 1));
	cr_assert(eq(sz, view->n, 1));
	cr_assert(eq(str, view->v[0].name, "all"));
	cr_assert(eq(ptr, (void *)rules_match(view, "/web", 0, 0), NULL));
	rules_free(view);
	free(view);
	cr_assert(eq(sz, pods_view(&set, &none, &view), 1));
	cr_assert(eq(sz, view->n, 1));
	rules_free(view);
	free(view);
	rules_free(&set);
	pods_ident_fini(&web);
	pods_ident_fini(&api);
}

Test(pods, names_and_labels)
{
	struct pod_ident id;
	char *label, long_name[300];

	cr_assert(eq(int, pods_name_valid("kube-system"), 1));
	cr_assert(eq(int, pods_name_valid("web-7f9c.x_Y"), 1));
	cr_assert(eq(int, pods_name_valid(""), 0));
	cr_assert(eq(int, pods_name_valid("a b"), 0));
	cr_assert(eq(int, pods_name_valid("a\nunotifyd: forged"), 0));
	cr_assert(eq(int, pods_name_valid("a/b"), 0));
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	cr_assert(eq(int, pods_name_valid(long_name), 0));
	long_name[PODS_NAME_MAX] = '\0';
	cr_assert(eq(int, pods_name_valid(long_name), 1));

	cr_assert(eq(int, pods_ident_set(&id, "ok", "bad\n", "c"), -EINVAL));
	cr_assert(eq(int, pods_ident_known(&id), 0));
	cr_assert(eq(ptr, pods_ident_label(&id), NULL));
	id = ident("default", "web", "");
	label = pods_ident_label(&id);
	cr_assert(eq(str, label, "pod default/web container ?"));
	free(label);
	pods_ident_fini(&id);
}
