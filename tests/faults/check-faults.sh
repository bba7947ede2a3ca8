#!/bin/sh
# SPDX-License-Identifier: MIT
# make check-faults: unotifyd serve and unotifyd run with faults injected
# into their own calls (tests/faults/inject.c), one run per line of RUNS.
# After every run: unotifyd did not crash (save the designed abort on an
# allocation failure, $OOM below) and did not hang; every
# call of every target got an answer, the right one or an errno the kernel
# could give, never the file a rule denies or redirects away from; the
# daemon's descriptors and VmRSS are back where they were; and with the
# faults stopped it serves new targets exactly right.
# Environment: UNOTIFYD, TRY (tests/targets/try-path), INJECT (the .so),
# FAULT_SEED (first seed, 1), FAULT_EXECS (targets per run, 40).
set -u

: "${UNOTIFYD:?}" "${TRY:?}" "${INJECT:?}"
seed0=${FAULT_SEED:-1}
execs=${FAULT_EXECS:-40}
slack=${FAULT_RSS_SLACK_KB:-2048}
# PERMILLE:CLASSES; the seed is FAULT_SEED + the line's index. Not here:
# the libseccomp class (its own allocations), as libseccomp 2.5.4 loops for
# ever in seccomp_export_bpf() after a failed one (a hang before the
# command starts; FAULT_RUNS=2:libseccomp shows it).
RUNS=${FAULT_RUNS:-"100:ioctl 100:vm 100:open 100:accept 100:msg
    50:open,ioctl,vm,accept,msg 1:malloc"}
# Errnos unotifyd may answer when its own calls fail: what the kernel's
# own path could give for these calls, or ENOSYS once a listener is gone.
ALLOWED="ENOMEM EMFILE ENFILE EINTR EAGAIN ENOBUFS ENOSYS"
# The same as strerror() words them, for an exec of the target that failed
# (the exec is notified too: status 126 and the reason on stderr).
ALLOWED_TEXT="Cannot allocate memory|Too many open files|Interrupted system call|Resource temporarily unavailable|No buffer space available|Function not implemented"
# The designed ends on an allocation failure: unotifyd's x* wrappers and
# libev's default allocator abort with these messages.
OOM="unotifyd: out of memory|\(libev\) cannot allocate"

dir=$(mktemp -d "${TMPDIR:-/tmp}/unotifyd-faults.XXXXXX")
daemon=
cleanup() {
	[ -n "$daemon" ] && kill -KILL "$daemon" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
echo redirected >"$dir/dst"
echo original >"$dir/src"
echo denied >"$dir/deny"
echo pass >"$dir/pass"
cat >"$dir/rules.ini" <<EOR
[deny]
path = $dir/deny
action = errno
errno = EACCES
[redir]
path = $dir/src
action = redirect
target = $dir/dst
EOR

fail=0
violation() {
	echo "check-faults: FAIL: $*" >&2
	fail=1
	bad=1
}

# Judge one target's output ($2), status ($3) and stderr ($4) for path $1;
# counts.
judge() {
	out=$(head -1 "$2")
	case $3 in
	124|137) violation "$1: the target hung (status $3)"; return ;;
	esac
	if [ $3 -eq 125 ] && [ -z "$out" ]; then
		refused=$((refused + 1)); return
	fi
	if [ $3 -eq 126 ] && [ -z "$out" ] &&
	    grep -qE "$ALLOWED_TEXT" "$4"; then
		errs=$((errs + 1)); return
	fi
	case $1:$out in
	src:"OK content=redirected"|pass:"OK content=pass"|deny:"ERR EACCES")
		right=$((right + 1)); return ;;
	*:"ERR E"*)
		e=${out#ERR }
		for a in $ALLOWED; do
			[ "$e" = "$a" ] && { errs=$((errs + 1)); return; }
		done ;;
	esac
	violation "$1: got \"$out\" (status $3)"
}

# A daemon's descriptors and resident set.
fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }

# Run $1 targets through the daemon, paths in turn; judge each. $2 names
# the output file, so that two streams of targets can run at once.
serve_targets() {
	i=0
	while [ $i -lt "$1" ]; do
		for p in src deny pass; do
			timeout -k 5 30 "$UNOTIFYD" exec --socket "$dir/sock" \
			    -- "$TRY" openat "$dir/$p" >"$dir/out${2:-}" \
			    2>"$dir/err${2:-}"
			judge $p "$dir/out${2:-}" $? "$dir/err${2:-}"
		done
		i=$((i + 1))
	done
}

idx=0
total=0
for spec in $RUNS; do
	seed=$((seed0 + idx))
	idx=$((idx + 1))
	permille=${spec%%:*}
	classes=${spec#*:}
	bad=0
	right=0 errs=0 refused=0
	rm -f "$dir"/counts.* "$dir/stop" "$dir/sock" "$dir/daemon.log" \
	    "$dir/second"
	export UNOTIFYD_FAULTS="$seed:$permille:$classes"
	export UNOTIFYD_FAULTS_OUT="$dir/counts"
	export UNOTIFYD_FAULTS_STOP="$dir/stop"

	# serve: faults stopped while it starts and warms up.
	touch "$dir/stop"
	LD_PRELOAD=$INJECT "$UNOTIFYD" serve --socket "$dir/sock" \
	    -r "$dir/rules.ini" 2>"$dir/daemon.log" &
	daemon=$!
	n=0
	while [ ! -S "$dir/sock" ] && [ $n -lt 100 ]; do
		sleep 0.1; n=$((n + 1))
	done
	serve_targets 2
	sleep 0.5
	fd0=$(fds $daemon) rss0=$(rss $daemon)
	rm -f "$dir/stop"
	# Two streams of targets at once: one's faults must not stall the
	# other. The second reports through a file (it is a subshell).
	( right=0 errs=0 refused=0 bad=0
	  serve_targets $((execs / 2)) .2
	  echo "$right $errs $refused $bad" >"$dir/second" ) &
	second=$!
	serve_targets "$execs"
	wait $second
	read r2 e2 f2 b2 <"$dir/second"
	right=$((right + r2)) errs=$((errs + e2)) refused=$((refused + f2))
	[ "$b2" -eq 0 ] || { fail=1; bad=1; }
	touch "$dir/stop"
	serve_targets 3
	died=
	if ! kill -0 $daemon 2>/dev/null; then
		wait $daemon; st=$?
		died="exit $st"
	else
		sleep 1
		fd1=$(fds $daemon) rss1=$(rss $daemon)
		# With faults stopped, new targets are served exactly right.
		r0=$right e0=$errs f0=$refused
		serve_targets 2
		[ $right -eq $((r0 + 6)) ] || violation "not serving right" \
		    "after the faults ($((right - r0)) of 6 right)"
		[ "$fd1" -eq "$fd0" ] || violation "descriptors $fd0 -> $fd1"
		[ "$rss1" -le $((rss0 + slack)) ] ||
		    violation "VmRSS $rss0 -> $rss1 kB"
		kill -TERM $daemon
		wait $daemon; st=$?
		[ $st -eq 0 ] || violation "serve exited with $st after SIGTERM"
	fi
	daemon=
	if [ -n "$died" ]; then
		if [ "$classes" = malloc ] && [ $st -eq 134 ] &&
		    grep -qE "$OOM" "$dir/daemon.log"; then
			died="$died: out of memory, as designed"
		else
			violation "serve died ($died)"
			tail -5 "$dir/daemon.log" >&2
		fi
	fi
	grep -E "AddressSanitizer|runtime error|Segmentation" \
	    "$dir/daemon.log" >&2 && violation "sanitizer or crash report"
	srv="serve: $right right, $errs errno, $refused refused"
	[ -n "$died" ] && srv="$srv, $died" ||
	    srv="$srv, fds $fd0->$fd1, VmRSS $rss0->$rss1 kB"

	# run: a fresh unotifyd per target.
	rm -f "$dir/stop"
	right=0 errs=0 refused=0
	i=0 k=0
	while [ $i -lt $((execs / 4 + 1)) ]; do
		for p in src deny pass; do
			# A seed of its own for each: the same seed would fail
			# the same calls of every run.
			k=$((k + 1))
			UNOTIFYD_FAULTS="$((seed * 1000 + k)):$permille:$classes" \
			    LD_PRELOAD=$INJECT timeout -k 5 30 "$UNOTIFYD" run \
			    -r "$dir/rules.ini" -- "$TRY" openat "$dir/$p" \
			    >"$dir/out" 2>"$dir/run.log"
			st=$?
			if [ $st -ge 128 ] && [ $st -ne 137 ]; then
				if [ "$classes" = malloc ] && [ $st -eq 134 ] &&
				    grep -qE "$OOM" "$dir/run.log"; then
					refused=$((refused + 1)); continue
				fi
				violation "run died with $st"
				tail -3 "$dir/run.log" >&2
				continue
			fi
			judge $p "$dir/out" $st "$dir/run.log"
		done
		i=$((i + 1))
	done
	run="run: $right right, $errs errno, $refused refused"
	injected=$(awk '{ t[$1] += $2; c[$1] += $3 }
	    END { for (k in t) if (c[k] > 0) printf " %s %d/%d", k, t[k], c[k] }' \
	    "$dir"/counts.* 2>/dev/null)
	sum=$(awk '{ t += $2 } END { print t + 0 }' "$dir"/counts.* 2>/dev/null)
	total=$((total + sum))
	[ $bad -eq 0 ] && verdict=PASS || verdict=FAIL
	echo "check-faults: seed $seed, $permille/1000 of $classes:" \
	    "$sum injected (of calls:$injected); $srv; $run: $verdict"
done
echo "check-faults: $total faults injected in all"
[ $fail -eq 0 ] && echo "check-faults: PASS" || echo "check-faults: FAIL"
exit $fail
