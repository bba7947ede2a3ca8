#!/bin/sh
# SPDX-License-Identifier: MIT
# make fuzz-long: each harness until FUZZ_RUNS executions or FUZZ_MINUTES,
# whichever comes first; its corpus is then merged and minimised back into
# tests/fuzz/corpus/NAME (hand-written seeds, the names that are not a
# SHA-1, are kept as they are). Prints executions, coverage and the result
# per harness; exits 1 if any harness found something.
# Harnesses run FUZZ_JOBS at a time (default: one per CPU), each on one
# CPU, so a campaign takes about FUZZ_MINUTES * harnesses / FUZZ_JOBS.
# Environment: FUZZ_DIR (build-fuzz), FUZZ_NAMES, FUZZ_MINUTES, FUZZ_RUNS,
# FUZZ_JOBS.
set -u

dir=${FUZZ_DIR:-build-fuzz}
minutes=${FUZZ_MINUTES:-30}
runs=${FUZZ_RUNS:-10000000}
corpora=tests/fuzz/corpus
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# One harness: run, merge, and leave its report row in long-NAME.row;
# exits 1 on a finding.
one() {
	n=$1
	failed=0
	work=$dir/long/$n
	rm -rf "$work" "$work.min" && mkdir -p "$work" "$work.min" \
	    "$corpora/$n" || exit 1
	log=$dir/long-$n.log
	echo "fuzz-long: $n, up to $runs executions or $minutes min"
	"$dir/fuzz_$n" -runs="$runs" -max_total_time=$((minutes * 60)) \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$dir/crash-$n-" "$work" "$corpora/$n" \
	    >"$log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	last=$(grep -E '^#[0-9]+[[:space:]]+(DONE|NEW|REDUCE|pulse|INITED)' \
	    "$log" | tail -1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	if [ $st -eq 0 ]; then
		result=ok
	else
		result="FOUND (exit $st): $(ls "$dir"/crash-"$n"-* \
		    "$dir"/timeout-"$n"-* "$dir"/leak-"$n"-* \
		    "$dir"/oom-"$n"-* 2>/dev/null | tr '\n' ' ')"
		grep -E '==[0-9]+==ERROR|failed for|SUMMARY|runtime error' \
		    "$log" | head -5
		failed=1
	fi
	# Minimise the old corpus and the new inputs into one small set.
	"$dir/fuzz_$n" -merge=1 -timeout=10 -rss_limit_mb=2048 \
	    "$work.min" "$corpora/$n" "$work" >"$dir/long-$n-merge.log" 2>&1 ||
	    { failed=1; result="$result, merge failed (long-$n-merge.log)"; }
	if [ -n "$(ls "$work.min")" ]; then
		for f in "$corpora/$n"/*; do
			case ${f##*/} in
			????????????????????????????????????????) rm -f "$f" ;;
			esac
		done
		for f in "$work.min"/*; do
			[ -e "$corpora/$n/${f##*/}" ] || cp "$f" "$corpora/$n/"
		done
	fi
	size=$(ls "$corpora/$n" | wc -l)
	printf '%-10s %12s %8s %8s %8s %8s  %s\n' "$n" "${execs:-?}" \
	    "${rate:-?}" "${cov:-?}" "${ft:-?}" "$size" "$result" \
	    >"$dir/long-$n.row"
	cat "$dir/long-$n.row"
	return $failed
}

if [ "${1:-}" = --one ]; then
	one "$2"
	exit
fi

jobs=${FUZZ_JOBS:-$(nproc)}
report=$dir/long-report.txt
rm -f "$dir"/long-*.row
echo "fuzz-long: $(echo $FUZZ_NAMES | wc -w) harnesses, $jobs at a time"
printf '%s\n' $FUZZ_NAMES | xargs -P "$jobs" -n 1 sh "$0" --one
printf '%-10s %12s %8s %8s %8s %8s  %s\n' harness executions exec/s cov ft \
    corpus result >"$report"
failed=
for n in $FUZZ_NAMES; do
	if [ -s "$dir/long-$n.row" ]; then
		cat "$dir/long-$n.row" >>"$report"
		grep -q ' ok$' "$dir/long-$n.row" || failed="$failed $n"
	else
		echo "$n: no result" >>"$report"
		failed="$failed $n"
	fi
done
echo "fuzz-long: summary ($report)"
cat "$report"
if [ -n "$failed" ]; then
	echo "fuzz-long: findings in:$failed" >&2
	exit 1
fi
