#!/bin/sh
# SPDX-License-Identifier: MIT
# Stand-in for unotifyd in `make check-valgrind`: installed as
# build-valgrind/bin/unotifyd (with the @...@ defaults filled in, since
# some callers, such as systemd-socket-activate, pass no environment) and
# set as UNOTIFYD. It runs the real binary under valgrind with the shim
# tests/valgrind/shim.c preloaded (seccomp(2), openat2(2) and the child's
# execve(2) on the real CPU). Called through a symlink named copycat
# (e2e_copycat), it runs the real copycat symlink so that argv[0] still
# selects copycat mode. exec keeps the pid: tests that look at unotifyd's
# /proc entry see memcheck's.
UNOTIFYD_REAL=${UNOTIFYD_REAL:-@UNOTIFYD_REAL@}
UNOTIFYD_VG_SHIM=${UNOTIFYD_VG_SHIM:-@UNOTIFYD_VG_SHIM@}
UNOTIFYD_VG_LOGS=${UNOTIFYD_VG_LOGS:-@UNOTIFYD_VG_LOGS@}
VALGRIND=${VALGRIND:-@VALGRIND@}
VALGRIND_FLAGS=${VALGRIND_FLAGS:-@VALGRIND_FLAGS@}
prog=$UNOTIFYD_REAL
if [ "${0##*/}" = copycat ]; then
	prog=${UNOTIFYD_REAL%/*}/copycat
fi
LD_PRELOAD=$UNOTIFYD_VG_SHIM${LD_PRELOAD:+:$LD_PRELOAD}
# One log per unotifyd run (--log-file=...%q{UNOTIFYD_VG_TAG}): with %p
# valgrind would reopen it in the forked child, an fd the command inherits.
UNOTIFYD_VG_TAG=$$
export LD_PRELOAD UNOTIFYD_VG_TAG UNOTIFYD_VG_LOGS
# shellcheck disable=SC2086 # VALGRIND_FLAGS is a list of options
exec $VALGRIND $VALGRIND_FLAGS "$prog" "$@"
