/* SPDX-License-Identifier: MIT */
/* How much slower than native the tests may run: build with
 * -DTEST_SLOWDOWN=N under emulation (make check-arm64: TCG) so that only a
 * hang reaches a time limit. */
#ifndef SLOWDOWN_H
#define SLOWDOWN_H

#ifndef TEST_SLOWDOWN
#define TEST_SLOWDOWN	1
#endif

/* A limit of s seconds (or ms) at native speed. */
#define TEST_LIMIT(s)	((s) * TEST_SLOWDOWN)

#endif
