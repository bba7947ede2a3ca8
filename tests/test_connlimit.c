/* SPDX-License-Identifier: MIT */
/* Unit tests for supervisor/front/connlimit.c: total and per-uid client
 * limits. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "connlimit.h"

Test(connlimit, per_uid_then_total)
{
	struct connlimit *l = connlimit_new(5, 2);
	int i;

	cr_assert(eq(int, connlimit_admit(l, 1000), CONNLIMIT_OK));
	cr_assert(eq(int, connlimit_admit(l, 1000), CONNLIMIT_OK));
	cr_assert(eq(int, connlimit_admit(l, 1000), CONNLIMIT_UID_FULL));
	cr_assert(eq(int, connlimit_admit(l, 0), CONNLIMIT_OK));
	cr_assert(eq(int, connlimit_admit(l, 0), CONNLIMIT_OK));
	cr_assert(eq(int, connlimit_admit(l, 7), CONNLIMIT_OK));
	/* Five in all: even a new uid waits. */
	cr_assert(eq(int, connlimit_admit(l, 8), CONNLIMIT_FULL));
	cr_assert(eq(uint, connlimit_count(l), 5));
	connlimit_release(l, 1000);
	cr_assert(eq(int, connlimit_admit(l, 1000), CONNLIMIT_OK));
	for (i = 0; i < 2; i++) {
		connlimit_release(l, 1000);
		connlimit_release(l, 0);
	}
	connlimit_release(l, 7);
	cr_assert(eq(uint, connlimit_count(l), 0));
	/* Releasing what was never admitted changes nothing. */
	connlimit_release(l, 42);
	cr_assert(eq(uint, connlimit_count(l), 0));
	connlimit_free(l);
}

Test(connlimit, defaults_and_per_uid_capped)
{
	struct connlimit *l = connlimit_new(0, 0);

	cr_assert(eq(uint, connlimit_max(l), CONNLIMIT_CLIENTS_DEFAULT));
	cr_assert(eq(uint, connlimit_per_uid(l),
	    CONNLIMIT_CLIENTS_PER_UID_DEFAULT));
	connlimit_free(l);
	l = connlimit_new(3, 10);
	cr_assert(eq(uint, connlimit_per_uid(l), 3));
	connlimit_free(l);
	connlimit_free(NULL);
}
