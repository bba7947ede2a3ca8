/* SPDX-License-Identifier: MIT */
/* The rule index must pick exactly the rule a scan in order picks. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "syscalls.h"

static const char rules_text[] =
    "[deny-write-etc]\npath = /etc/\naction = errno\nerrno = EROFS\n"
    "access = write\n"
    "[app]\npath = /etc/app/app.conf\naction = redirect\ntarget = /t/app\n"
    "[app-dir]\npath = /etc/app/\naction = redirect\ntarget = /t/appdir\n"
    "[stat-only]\npath = /etc/app/app.conf\naction = errno\nerrno = EIO\n"
    "syscalls = stat\n"
    "[logs]\npath = /var/log/**/*.log\naction = errno\nerrno = EACCES\n"
    "[pass]\npath = /var/log/keep/\naction = continue\n"
    "[tmp-glob]\npath = /tmp/*/x?\naction = redirect\ntarget = /t/x\n"
    "[root]\npath = /\naction = continue\nsyscalls = readlink\n"
    "[read-home]\npath = /home/\naction = errno\nerrno = EPERM\n"
    "access = read\n"
    "[srv]\npath = /srv/**\naction = errno\nerrno = EIO\n"
    "[late-exact]\npath = /var/log/keep/a.log\naction = errno\n"
    "errno = ENOENT\n"
    "[any-hosts]\npath = /*/hosts\naction = errno\nerrno = EIO\n"
    "[escaped]\npath = /data/a\\*b\naction = errno\nerrno = EIO\n"
    "[opt-dir]\npath = /opt/lib/**\naction = continue\n";

static const char *const paths[] = {
	"/", "/etc", "/etc/", "/etc/app", "/etc/app/", "/etc/app/app.conf",
	"/etc/app/x/y", "/etc/passwd", "/etc/app/app.conf/", "/var/log/a.log",
	"/var/log/keep/a.log", "/var/log/keep", "/var/log/x/y/z.log",
	"/tmp/a/xy", "/tmp/a/x", "/tmp/a/b/xy", "/home", "/home/u/.rc",
	"/homer", "/usr/bin/cat", "/srv", "/srv/", "/srv/a/b", "/srvx",
	"/etc/hosts", "/x/hosts", "/x/y/hosts", "/data/a*b", "/data/axb",
	"/opt/lib", "/opt/lib/", "/opt/lib/x.so", "/opt/li",
};

static void
compare(struct rule_set *set)
{
	struct rule_set scan = *set;
	const struct rule *a, *b;
	size_t i;
	int id, w;

	scan.index = NULL;
	rules_index(set);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		for (id = 0; id < SYSCALLS_COUNT; id++)
			for (w = 0; w < 2; w++) {
				a = rules_match(&scan, paths[i], id, w);
				b = rules_match(set, paths[i], id, w);
				cr_assert(eq(ptr, (void *)a, (void *)b),
				    "%s %s write=%d: scan %s, index %s",
				    paths[i], syscalls_name(id), w,
				    a ? a->name : "-", b ? b->name : "-");
			}
}

Test(ruleindex, agrees_with_a_scan)
{
	struct rule_set set;
	struct causes causes = { 0 };

	rules_init(&set);
	cr_assert(eq(int, rules_parse_string(&set, rules_text, "t.ini",
	    &causes), 0));
	compare(&set);
	rules_free(&set);
	causes_free(&causes);
}

Test(ruleindex, agrees_on_ten_thousand_rules)
{
	struct rule_set set;
	struct causes causes = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int i;

	/* Rules that shadow the fixed ones come first and last. */
	for (i = 0; i < 10000; i++) {
		if (i % 3 == 0)
			fprintf(f, "[e%d]\npath = /etc/gen/%d\naction = continue\n",
			    i, i);
		else if (i % 3 == 1)
			fprintf(f, "[p%d]\npath = /var/gen/%d/\naction = errno\n"
			    "errno = EIO\n", i, i);
		else
			fprintf(f, "[g%d]\npath = /opt/%d/*.so\naction = errno\n"
			    "errno = EIO\n", i, i);
	}
	fputs(rules_text, f);
	fclose(f);
	rules_init(&set);
	cr_assert(eq(int, rules_parse_string(&set, text, "gen.ini", &causes),
	    0));
	compare(&set);
	cr_assert(eq(str, (char *)rules_match(&set, "/var/gen/7/x", SYSCALLS_OPEN,
	    0)->name, "p7"));
	cr_assert(eq(str, (char *)rules_match(&set, "/opt/8/a.so", SYSCALLS_OPEN,
	    0)->name, "g8"));
	cr_assert(eq(ptr, (void *)rules_match(&set, "/opt/8/a.sox",
	    SYSCALLS_OPEN, 0), NULL));
	rules_free(&set);
	causes_free(&causes);
	free(text);
}
