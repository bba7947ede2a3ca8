/* SPDX-License-Identifier: MIT */
/* Unit tests for supervisor/log.c: escaping, one line per call, limits. */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/redirect.h>

#include "log.h"

Test(log, escape_quotes_controls_and_bytes)
{
	char buf[LOG_ESCAPED_SIZE(32)];

	cr_assert(eq(str, (char *)log_escape("c\n<0>FORGED", buf, sizeof(buf)),
	    "c\\x0a<0>FORGED"));
	cr_assert(eq(str, (char *)log_escape("a\"b\\c\x7f\xff\r", buf,
	    sizeof(buf)), "a\\\"b\\\\c\\x7f\\xff\\x0d"));
	cr_assert(eq(str, (char *)log_escape("", buf, sizeof(buf)), ""));
}

Test(log, escape_truncates_visibly)
{
	char buf[12];

	cr_assert(eq(str, (char *)log_escape("0123456789abcdef", buf,
	    sizeof(buf)), "01234..."));
	cr_assert(eq(str, (char *)log_escape("\n\n\n\n", buf, sizeof(buf)),
	    "\\x0a\\x0a..."));
	cr_assert(eq(str, (char *)log_escape("abc", buf, 0), ""));
}

Test(log, one_line_per_call, .init = cr_redirect_stderr)
{
	log_init(LOG_LEVEL_INFO, 1);
	log_info("id %s", "c\n<0>FORGED");
	fflush(stderr);
	cr_assert_stderr_eq_str("<6>id c\\x0a<0>FORGED\n");
}

Test(log, repeated_lines_counted, .init = cr_redirect_stderr)
{
	char want[4096] = "";
	int i;

	log_init(LOG_LEVEL_INFO, 0);
	for (i = 0; i < LOG_LIMIT_BURST + 5; i++)
		log_limited(LOG_LEVEL_WARNING, "refused %d", i);
	for (i = 0; i < LOG_LIMIT_BURST; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
		    "unotifyd: refused %d\n", i);
	/* The rest are reported when the window is over, or at exit. */
	log_limit_flush(1);
	snprintf(want + strlen(want), sizeof(want) - strlen(want),
	    "unotifyd: refused %d (5 more suppressed)\n",
	    LOG_LIMIT_BURST + 4);
	fflush(stderr);
	cr_assert_stderr_eq_str(want);
}
