/* SPDX-License-Identifier: MIT */
/* Wait statuses in words and as exit statuses. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <sys/wait.h>

#include "spawn.h"

Test(spawn, describe_wait_statuses)
{
	char buf[128];

	cr_assert(eq(str, (char *)spawn_describe(0x100, buf, sizeof(buf)),
	    "exited with status 1"));
	cr_assert(eq(str, (char *)spawn_describe(SIGKILL, buf, sizeof(buf)),
	    "killed by signal 9 (Killed)"));
	cr_assert(eq(str, (char *)spawn_describe(SIGSEGV | 0x80, buf,
	    sizeof(buf)), "killed by signal 11 (Segmentation fault), core "
	    "dumped"));
	cr_assert(eq(int, spawn_exit_status(0x100), 1));
	cr_assert(eq(int, spawn_exit_status(SIGKILL), 137));
}
