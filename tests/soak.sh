#!/bin/sh
# SPDX-License-Identifier: MIT
# make soak: SOAK_NOTIFICATIONS openat calls from SOAK_PROCS processes of
# SOAK_THREADS threads under one unotifyd (tests/targets/soak.c), half of
# them redirected, each answer checked; unotifyd's fd count must be equal
# and its VmRSS within SOAK_RSS_SLACK_KB before and after. Stops after
# SOAK_SECONDS at the latest.
set -eu

: "${UNOTIFYD:?UNOTIFYD must name the unotifyd binary}"
: "${SOAK:?SOAK must name tests/targets/soak}"
n=${SOAK_NOTIFICATIONS:-1000000}
procs=${SOAK_PROCS:-4}
threads=${SOAK_THREADS:-16}
secs=${SOAK_SECONDS:-900}
slack=${SOAK_RSS_SLACK_KB:-1024}

dir=$(mktemp -d "${TMPDIR:-/tmp}/unotifyd-soak.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
printf 'soak-redirected\n' >"$dir/dst"
printf 'soak-pass-through\n' >"$dir/pass"

echo "soak: $n notifications, $procs processes x $threads threads," \
    "at most $secs s"
st=0
timeout -k 10 "$secs" "$UNOTIFYD" run \
    --redirect "$dir/src=$dir/dst" -- \
    "$SOAK" "$procs" "$threads" "$n" "$slack" \
    "$dir/src" soak-redirected "$dir/pass" soak-pass-through || st=$?
case $st in
0)	echo "soak: PASS" ;;
124|137)
	echo "soak: FAIL: not finished within $secs s" >&2 ;;
*)	echo "soak: FAIL: exit $st" >&2 ;;
esac
exit "$st"
