#!/bin/sh
# SPDX-License-Identifier: MIT
# unotifyd benchmark: per-op cost of supervised opens against native, a
# filter-only baseline, a minimal reference supervisor (the floor), strace
# and proot; rules scaling, load time, supervisor RSS, head-of-line
# blocking; path calls (rename, unlink, mkdir, a save cycle, a tree walk)
# under redirects against proot. Writes BENCHMARKS.md. Run by `make bench`
# (after `make all`).
#
# Environment:
#   BENCH_QUICK=1	smoke run of a few seconds (1 repetition, tiny N, fewer
#			variants): checks that everything runs, numbers are
#			meaningless. Writes bench/build/BENCHMARKS-quick.md,
#			not BENCHMARKS.md.
#   BENCH_REPS=N	repetitions (default 9: single runs here can be 30%
#			slower than their neighbours, and the median must
#			not move with one of them)
#   BENCH_TIME=S	target seconds per run (default 0.25)
#   BENCH_OUT=FILE	report file (default BENCHMARKS.md)
#   BENCH_DEADLINE=S	start no new repetition after S seconds (default 480);
#			the report says how many repetitions ran
#   BENCH_TMPFS=DIR	where the path-call files go (default /dev/shm): a
#			tmpfs, so that the file system's own cost (ext4's
#			journal, its flush on a rename over a file) does not
#			drown what the supervisor adds
#   BENCH_WALK_FILES=N	files in the walked tree (default 100000)
#   BENCH_WALK_REPS=N	repetitions of the tree walks (default 3: proot
#			takes tens of seconds a walk)
#
# Method: bench/workload.c times its own loop (CLOCK_MONOTONIC) and prints
# ns/op; every configuration is calibrated once (N chosen so a run takes
# about BENCH_TIME), then all configurations run interleaved, A B C A B C,
# BENCH_REPS times; the report shows median (min-max). Every run is under
# timeout(1), so `make bench` ends in bounded time whatever happens.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
B=$ROOT/bench/build
F=$B/files
RULES=$B/rules
RAW=$B/results.tsv
CC=${CC:-cc}
UNOTIFYD=$ROOT/unotifyd
QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	REPS=${BENCH_REPS:-1}
	TARGET=${BENCH_TIME:-0.02}
	CAL_N=200
	OUT=${BENCH_OUT:-$B/BENCHMARKS-quick.md}
	RUN_TIMEOUT=20
	WALK_FILES=${BENCH_WALK_FILES:-2000}
	WALK_REPS=${BENCH_WALK_REPS:-1}
else
	REPS=${BENCH_REPS:-9}
	TARGET=${BENCH_TIME:-0.25}
	CAL_N=1000
	OUT=${BENCH_OUT:-$ROOT/BENCHMARKS.md}
	RUN_TIMEOUT=60
	WALK_FILES=${BENCH_WALK_FILES:-100000}
	WALK_REPS=${BENCH_WALK_REPS:-3}
fi
DEADLINE=${BENCH_DEADLINE:-480}
START=$(date +%s)
# Taken now: the report being written would count as a change later.
TREE="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (uncommitted changes)')"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

log() { printf 'bench: %s\n' "$*" >&2; }

[ -x "$UNOTIFYD" ] || { log "build unotifyd first (make all)"; exit 1; }

# --- Build the bench programs (bench/build/ is build output only) -------
mkdir -p "$B" "$F" "$RULES"
for p in workload floor; do
	$CC -O2 -g -Wall -Wextra -D_GNU_SOURCE -o "$B/$p" "bench/$p.c" -pthread
done
# The filter-only baseline builds its filter with unotifyd's own code
# (make bench ran `make all`, so the objects are there).
$CC -O2 -g -Wall -Wextra -D_GNU_SOURCE -Ifilters -o "$B/filteronly" \
    bench/filteronly.c filters/filter.o filters/syscalls.o filters/bpf_eval.o \
    -lseccomp

# --- Optional tools -----------------------------------------------------
HAVE_STRACE=0 HAVE_PROOT=0 TOOL_NOTES=
if command -v strace >/dev/null 2>&1; then
	HAVE_STRACE=1
else
	TOOL_NOTES="$TOOL_NOTES strace not installed: its rows are skipped."
fi
if ! command -v proot >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
    [ "$QUICK" != 1 ]; then
	log "installing proot"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-remove proot \
	    >/dev/null 2>&1 || true
fi
if command -v proot >/dev/null 2>&1; then
	HAVE_PROOT=1
else
	TOOL_NOTES="$TOOL_NOTES proot not installed (apt-get install proot): its rows are skipped."
fi

# --- Files and rules ----------------------------------------------------
SRC=$F/src
DST=$F/dst
FIFO=$F/fifo
BLOCKER=$F/blocker-src		# never exists: redirected to the FIFO
echo src >"$SRC"
echo dst >"$DST"
rm -f "$FIFO"
mkfifo "$FIFO"

# gen_rules N KIND FILE: N rules none of which matches $SRC, a mix of exact
# paths (some in $SRC's own directory), prefixes and globs (*, ?, [..], **);
# KIND redirect replaces the last one with the rule that redirects $SRC.
gen_rules()
{
	awk -v n="$1" -v kind="$2" -v f="$F" -v src="$SRC" -v dst="$DST" '
	BEGIN {
		last = (kind == "redirect") ? n - 1 : n
		for (i = 0; i < last; i++) {
			printf "[r%d]\n", i
			k = i % 5
			if (k == 0)
				printf "path = %s/other-%d\n", f, i
			else if (k == 1)
				printf "path = /bench/nomatch/p%d/\n", i
			else if (k == 2)
				printf "path = %s/g%d-*.conf\n", f, i
			else if (k == 3)
				printf "path = /bench/**/x%d?[ab].ini\n", i
			else
				printf "path = /bench/nomatch/e%d/file\n", i
			if (i % 2)
				printf "action = errno\nerrno = EACCES\n\n"
			else
				printf "action = redirect\ntarget = %s\n\n", dst
		}
		if (kind == "redirect")
			printf "[redirect-src]\npath = %s\naction = redirect\n" \
			    "target = %s\n", src, dst
	}' >"$3"
}
for n in 1 100 10000; do
	gen_rules $n pass "$RULES/pass-$n.ini"
	gen_rules $n redirect "$RULES/redirect-$n.ini"
done
printf '[deny-src]\npath = %s\naction = errno\nerrno = EACCES\n' \
    "$SRC" >"$RULES/errno.ini"
# Head-of-line: the blocker's path goes to the FIFO; the loop passes.
{ cat "$RULES/pass-1.ini"; printf '\n[to-fifo]\npath = %s\naction = redirect\ntarget = %s\n' \
    "$BLOCKER" "$FIFO"; } >"$RULES/hol.ini"

# Path calls (issue 10), on a tmpfs removed at exit: psrc/ is redirected
# to pdst/ (a prefix rule), ssrc/app.conf to sdst/app.conf (exact), wsrc/
# to wdst/ (the walked tree, 100 directories of WALK_FILES/100 files).
PT=$(mktemp -d "${BENCH_TMPFS:-/dev/shm}/unotifyd-bench.XXXXXX")
DAEMONS=
trap 'for p in $DAEMONS; do kill $p 2>/dev/null; done; rm -rf "$PT"' EXIT
mkdir -p "$PT/psrc" "$PT/pdst" "$PT/ssrc" "$PT/sdst" "$PT/wsrc" "$PT/wdst"
echo dst >"$PT/pdst/open"
echo original >"$PT/ssrc/app.conf"
echo override >"$PT/sdst/app.conf"
printf '[prefix]\npath = %s/psrc/\naction = redirect\ntarget = %s/pdst/\n' \
    "$PT" "$PT" >"$RULES/prefix.ini"
printf '[save]\npath = %s/ssrc/app.conf\naction = redirect\ntarget = %s/sdst/app.conf\n' \
    "$PT" "$PT" >"$RULES/save.ini"
printf '[walk]\npath = %s/wsrc/\naction = redirect\ntarget = %s/wdst/\n' \
    "$PT" "$PT" >"$RULES/walk.ini"
d=0
while [ $d -lt 100 ]; do
	mkdir "$PT/wdst/d$d"
	(cd "$PT/wdst/d$d" && seq -f 'f%g' 1 $((WALK_FILES / 100)) | xargs touch)
	d=$((d + 1))
done
for f in "$RULES"/*.ini; do
	"$UNOTIFYD" check -r "$f" >/dev/null
done

# The daemon: one `unotifyd serve` per rule set, the workload started
# through `unotifyd exec` (its call path is the daemon's, not run's).
for k in pass redirect; do
	# 32 clients connect at once (the c32 rows): above the default 16
	# a uid may have in a handshake.
	"$UNOTIFYD" serve --socket "$PT/$k.sock" --handover-wait 0 \
	    --max-clients-per-uid 64 -r "$RULES/$k-1.ini" \
	    2>>"$B/serve-$k.log" &
	DAEMONS="$DAEMONS $!"
	for i in $(seq 100); do
		[ -S "$PT/$k.sock" ] && break
		sleep 0.05
	done
done

# --- Sanity: every supervisor does what its row claims --------------------
expect()
{
	got=$("$@" 2>/dev/null || true)
	[ "$got" = "$EXPECT" ] && return 0
	log "sanity check failed: $* printed '$got', expected '$EXPECT'"
	exit 1
}
EXPECT=dst expect "$UNOTIFYD" run -r "$RULES/redirect-1.ini" -- cat "$SRC"
EXPECT=dst expect "$UNOTIFYD" run -r "$RULES/redirect-10000.ini" -- cat "$SRC"
EXPECT=src expect "$UNOTIFYD" run -r "$RULES/pass-10000.ini" -- cat "$SRC"
EXPECT='' expect "$UNOTIFYD" run -r "$RULES/errno.ini" -- cat "$SRC"
EXPECT=dst expect "$B/floor" redirect "$SRC" "$DST" -- cat "$SRC"
EXPECT='' expect "$B/floor" errno "$SRC" -- cat "$SRC"
EXPECT=src expect "$B/floor" continue -- cat "$SRC"
EXPECT=src expect "$B/filteronly" -- cat "$SRC"
[ $HAVE_PROOT = 1 ] && EXPECT=dst expect proot -b "$DST:$SRC" cat "$SRC"
EXPECT=dst expect "$UNOTIFYD" run -r "$RULES/prefix.ini" -- cat "$PT/psrc/open"
EXPECT=src expect "$UNOTIFYD" trace -o /dev/null -- cat "$SRC"
EXPECT=src expect "$UNOTIFYD" exec --socket "$PT/pass.sock" -- cat "$SRC"
EXPECT=dst expect "$UNOTIFYD" exec --socket "$PT/redirect.sock" -- cat "$SRC"
"$UNOTIFYD" trace -- cat "$SRC" 2>&1 >/dev/null | grep -q "openat \"$SRC\" read $SRC = ok" ||
	{ log "sanity check failed: unotifyd trace does not record cat's open"; exit 1; }

# Which path calls this build applies the redirect to: one op of each,
# kept (-k), then where its effect landed. A "no" row measures a call that
# goes to the original path unsupervised, and says so in the report.
handled()
{
	case $1 in
	mkdir)	"$UNOTIFYD" run -r "$RULES/prefix.ini" -- "$B/workload" -k -n 1 \
		    -f "$PT/psrc/probe-m" mkdir >/dev/null 2>&1
		[ -d "$PT/pdst/probe-m.0" ] && [ ! -e "$PT/psrc/probe-m.0" ] ;;
	rename)	"$UNOTIFYD" run -r "$RULES/prefix.ini" -- "$B/workload" -k -n 1 \
		    -f "$PT/psrc/probe-r" rename >/dev/null 2>&1
		[ -f "$PT/pdst/probe-r.b" ] && [ ! -e "$PT/psrc/probe-r.b" ] ;;
	unlink)	"$UNOTIFYD" run -r "$RULES/prefix.ini" -- "$B/workload" -k -n 1 \
		    -f "$PT/psrc/probe-u" unlink 2>/dev/null | grep -q 'fails=0' &&
		[ ! -e "$PT/pdst/probe-u.0" ] ;;
	save)	cp "$PT/ssrc/app.conf" "$PT/probe-orig"
		"$UNOTIFYD" run -r "$RULES/save.ini" -- "$B/workload" -k -n 1 \
		    -f "$PT/ssrc/app.conf" save >/dev/null 2>&1
		ok=1
		cmp -s "$PT/ssrc/app.conf" "$PT/probe-orig" || ok=0
		grep -q 'key = value' "$PT/sdst/app.conf" || ok=0
		# Put the original back for the runs (an unhandled save
		# replaced it).
		cp "$PT/probe-orig" "$PT/ssrc/app.conf"
		rm -f "$PT/ssrc/app.conf.tmp"
		[ $ok = 1 ] ;;
	esac
}
HANDLED=
for op in rename unlink mkdir save; do
	if handled $op; then
		HANDLED="$HANDLED $op=yes"
	else
		HANDLED="$HANDLED $op=no"
		log "this unotifyd does not redirect $op: its rows measure an unsupervised $op"
	fi
done
rm -rf "$PT/psrc"/probe-* "$PT/pdst"/probe-* "$PT/probe-orig"
handled_of() { echo "$HANDLED" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# --- Configurations -----------------------------------------------------
# cmd_of CONFIG: the command prefix the workload runs under.
cmd_of()
{
	case $1 in
	native)		echo "" ;;
	filteronly)	echo "$B/filteronly --" ;;
	pass)		echo "$UNOTIFYD run -r $RULES/pass-1.ini --" ;;
	pass-100)	echo "$UNOTIFYD run -r $RULES/pass-100.ini --" ;;
	pass-10000)	echo "$UNOTIFYD run -r $RULES/pass-10000.ini --" ;;
	redirect)	echo "$UNOTIFYD run -r $RULES/redirect-1.ini --" ;;
	redirect-100)	echo "$UNOTIFYD run -r $RULES/redirect-100.ini --" ;;
	redirect-10000)	echo "$UNOTIFYD run -r $RULES/redirect-10000.ini --" ;;
	errno)		echo "$UNOTIFYD run -r $RULES/errno.ini --" ;;
	hol)		echo "$UNOTIFYD run -r $RULES/hol.ini --" ;;
	floor)		echo "$B/floor continue --" ;;
	floor-redirect)	echo "$B/floor redirect $SRC $DST --" ;;
	floor-errno)	echo "$B/floor errno $SRC --" ;;
	strace)		echo "strace --seccomp-bpf -f -e trace=openat -o /dev/null" ;;
	strace-file)	echo "strace -f -e trace=%file -o /dev/null" ;;
	trace)		echo "$UNOTIFYD trace -o /dev/null --" ;;
	daemon-pass)	echo "$UNOTIFYD exec --socket $PT/pass.sock --" ;;
	daemon-redirect) echo "$UNOTIFYD exec --socket $PT/redirect.sock --" ;;
	proot)		echo "proot -b $DST:$SRC" ;;
	prefix)		echo "$UNOTIFYD run -r $RULES/prefix.ini --" ;;
	save)		echo "$UNOTIFYD run -r $RULES/save.ini --" ;;
	proot-save)	echo "proot -b $PT/sdst/app.conf:$PT/ssrc/app.conf" ;;
	esac
}

# file_of CONFIG SYSCALL: the workload's -f PATH. Path calls under the
# prefix rule name psrc/, natively the directory it redirects to.
file_of()
{
	case $1:$2 in
	prefix:openat)	echo "$PT/psrc/open" ;;
	prefix:*)	echo "$PT/psrc/$2" ;;
	native:save)	echo "$PT/sdst/app.conf" ;;
	*:save)		echo "$PT/ssrc/app.conf" ;;
	*:rename|*:unlink|*:mkdir) echo "$PT/pdst/$2" ;;
	*)		echo "$SRC" ;;
	esac
}

# args_of VARIANT: workload options of a variant.
args_of()
{
	case $1 in
	1)	echo "" ;;
	t*)	echo "-t ${1#t}" ;;
	p*)	echo "-p ${1#p}" ;;
	blocked) echo "-B $BLOCKER:$FIFO" ;;
	esac
}

# Items: CONFIG SYSCALL VARIANT PIN, run interleaved in this order.
ITEMS=$B/items
: >"$ITEMS"
item() { echo "$*" >>"$ITEMS"; }
optional()
{
	case $1 in
	strace*) [ $HAVE_STRACE = 1 ] ;;
	proot*)	[ $HAVE_PROOT = 1 ] ;;
	*)	true ;;
	esac
}
for pin in unpinned pinned; do
	# Each daemon row right behind its `run` reference: the two
	# medians it compares come from runs seconds apart, not minutes
	# (this VM's speed drifts by 10-20% over minutes).
	for c in native filteronly pass daemon-pass redirect daemon-redirect \
	    errno floor floor-redirect floor-errno strace proot pass-100 \
	    pass-10000 redirect-100 redirect-10000 trace strace-file; do
		optional $c && item $c openat 1 $pin
	done
	for c in native filteronly pass floor strace proot; do
		optional $c && item $c getppid 1 $pin
	done
	item hol openat 1 $pin
	item hol openat blocked $pin
	item prefix openat 1 $pin
	for op in rename unlink mkdir; do
		item native $op 1 $pin
		item prefix $op 1 $pin
	done
done
for c in native save proot-save; do
	optional $c && item $c save 1 unpinned
done
if [ "$QUICK" = 1 ]; then
	VARIANTS="t8 p16"
else
	VARIANTS="t2 t8 t64 p16 p100"
fi
# cK: K whole commands at once (K `run`s, or K `exec` clients of one
# daemon): separate listeners, as separate targets are.
for v in c4 c32; do
	for c in pass daemon-pass redirect daemon-redirect; do
		item $c openat $v unpinned
	done
done
for v in $VARIANTS; do
	for c in native pass redirect floor floor-redirect; do
		item $c openat $v unpinned
	done
	for c in native filteronly pass; do
		item $c getppid $v unpinned
	done
done

# run_one CONFIG SYSCALL VARIANT PIN N [EXTRA]: print the workload's line.
# A cK variant runs K commands of N/K calls at once and prints the first
# start to the last finish over all N calls, as ns_per_op.
run_one()
{
	case $3 in
	c*)
		k=${3#c}
		t0=$(date +%s%N)
		i=0
		while [ $i -lt "$k" ]; do
			run_one "$1" "$2" 1 "$4" $(($5 / k)) >/dev/null &
			i=$((i + 1))
		done
		wait
		t1=$(date +%s%N)
		echo "ns_per_op=$(awk -v a="$t0" -v b="$t1" -v n="$5" -v k="$k" \
		    'BEGIN { printf "%.1f", (b - a) / (int(n / k) * k) }')"
		return
		;;
	esac
	pinpfx=
	[ "$4" = pinned ] && pinpfx="taskset -c 0"
	# Word splitting of the prefixes is intended: no path has spaces.
	# shellcheck disable=SC2046
	timeout -k 5 $RUN_TIMEOUT $pinpfx $(cmd_of "$1") "$B/workload" \
	    -n "$5" -f "$(file_of "$1" "$2")" $(args_of "$3") ${6:-} "$2" \
	    </dev/null 2>>"$B/stderr.log" |
	    tail -n 1
}

ns_of() { sed -n 's/.*ns_per_op=\([0-9.]*\).*/\1/p'; }

# --- Calibrate: N per (config, syscall, variant), unpinned ----------------
CAL=$B/calibration
: >"$CAL"
: >"$B/stderr.log"
log "calibrating $(wc -l <"$ITEMS") items (target ${TARGET}s a run)"
while read -r c s v pin; do
	[ "$pin" = unpinned ] || continue
	workers=1
	case $v in t*|p*|c*) workers=${v#?} ;; esac
	cn=$((CAL_N > workers * 20 ? CAL_N : workers * 20))
	[ "$s" = getppid ] && cn=$((cn * 20))
	ns=$(run_one "$c" "$s" "$v" unpinned $cn | ns_of)
	[ -n "$ns" ] || ns=1000000
	# Path calls leave up to N files behind during a run: at most 500,000.
	max=20000000
	case $s in openat|getppid) ;; *) max=500000 ;; esac
	n=$(awk -v t="$TARGET" -v ns="$ns" -v w="$workers" -v q="$QUICK" \
	    -v max=$max 'BEGIN { n = int(t * 1e9 / ns); min = w * (q == 1 ? 5 : 50);
	    if (n < min) n = min; if (n > max) n = max; print n }')
	echo "$c $s $v $n" >>"$CAL"
done <"$ITEMS"

n_of() { awk -v c="$1" -v s="$2" -v v="$3" \
    '$1 == c && $2 == s && $3 == v { print $4 }' "$CAL"; }

# --- Interleaved repetitions --------------------------------------------
: >"$RAW"
rep=1
REPS_DONE=0
while [ $rep -le "$REPS" ]; do
	if [ $(($(date +%s) - START)) -gt "$DEADLINE" ]; then
		log "deadline (${DEADLINE}s) reached: stopping after $REPS_DONE repetitions"
		break
	fi
	log "repetition $rep/$REPS"
	while read -r c s v pin; do
		line=$(run_one "$c" "$s" "$v" "$pin" "$(n_of "$c" "$s" "$v")")
		ns=$(echo "$line" | ns_of)
		[ -n "$ns" ] || ns=NA
		case $line in
		*blocker=done*)	ns=NA; log "$c $v: blocker did not block" ;;
		esac
		case $s:$line in
		openat:*|getppid:*|*fails=0*) ;;
		*)	log "$c $s: calls failed: $line" ;;
		esac
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$s" "$v" "$pin" \
		    "$rep" "$ns" >>"$RAW"
	done <"$ITEMS"
	REPS_DONE=$rep
	rep=$((rep + 1))
done

# --- Tree walks: du -s and find of the whole tree ------------------------
now_ns() { date +%s%N; }
# Wall time of the command (supervisor start included), in microseconds,
# native on wdst/, under unotifyd and proot on wsrc/, interleaved.
walk_cmd()
{
	case $1 in
	native)	echo "" ;;
	unotifyd) echo "$UNOTIFYD run -r $RULES/walk.ini --" ;;
	proot)	echo "proot -b $PT/wdst:$PT/wsrc" ;;
	esac
}
walk_dir() { if [ "$1" = native ]; then echo "$PT/wdst"; else echo "$PT/wsrc"; fi; }
walk_run()
{
	# shellcheck disable=SC2046
	case $2 in
	du)	timeout -k 5 120 $(walk_cmd "$1") du -s "$(walk_dir "$1")" ;;
	find)	timeout -k 5 120 $(walk_cmd "$1") find "$(walk_dir "$1")" ;;
	esac </dev/null 2>>"$B/stderr.log"
}
WALKS=$B/walks.tsv
: >"$WALKS"
WALK_CONFIGS="native unotifyd"
[ $HAVE_PROOT = 1 ] && WALK_CONFIGS="$WALK_CONFIGS proot"
# Sanity: every configuration sees the same tree (du's block count, the
# number of names find prints).
WALK_NOTES=
for w in du find; do
	want=
	for c in $WALK_CONFIGS; do
		case $w in
		du)	got=$(walk_run $c du | cut -f1) ;;
		find)	got=$(walk_run $c find | wc -l) ;;
		esac
		[ -n "$want" ] || want=$got
		if [ "$got" != "$want" ]; then
			log "walk $w under $c saw '$got', native '$want'"
			WALK_NOTES="$WALK_NOTES $w under $c saw $got, native $want."
		fi
	done
done
log "tree walks: $WALK_FILES files, $WALK_REPS repetitions"
rep=1
while [ $rep -le "$WALK_REPS" ]; do
	for w in du find; do
		for c in $WALK_CONFIGS; do
			t0=$(now_ns)
			walk_run $c $w >/dev/null
			t1=$(now_ns)
			printf '%s\t%s\t%s\n' "$w" "$c" \
			    $(((t1 - t0) / 1000)) >>"$WALKS"
		done
	done
	rep=$((rep + 1))
done

# --- Rule loading time and supervisor memory ------------------------------
LOADS=$B/loads.tsv
: >"$LOADS"
rep=1
while [ $rep -le "$REPS" ]; do
	for n in 1 10000; do
		t0=$(now_ns)
		"$UNOTIFYD" check -r "$RULES/pass-$n.ini" >/dev/null
		t1=$(now_ns)
		printf 'check-%s\t%s\n' $n $(((t1 - t0) / 1000)) >>"$LOADS"
	done
	rep=$((rep + 1))
done
# VmHWM of unotifyd, read by the workload (its child) from /proc/PPID/status
# after 100 processes ran their openat loops.
RSS=$B/rss.tsv
: >"$RSS"
RSS_N=$((QUICK == 1 ? 500 : 2000))
for rules in pass-1 pass-10000 redirect-10000; do
	for rep in 1 2 3; do
		line=$(timeout -k 5 $RUN_TIMEOUT "$UNOTIFYD" run \
		    -r "$RULES/$rules.ini" -- "$B/workload" -n $RSS_N -p 100 -H \
		    -f "$SRC" openat </dev/null 2>>"$B/stderr.log" | tail -n 1)
		kb=$(echo "$line" | sed -n 's/.*parent=unotifyd parent_vmhwm_kb=\([0-9]*\).*/\1/p')
		printf '%s\t%s\n' $rules "${kb:-NA}" >>"$RSS"
	done
done

# --- Report -------------------------------------------------------------
STATS=$B/stats.tsv
# summarise: "KEY<TAB>VALUE" lines in, "KEY median min max count" out.
summarise()
{
	awk -F'\t' '{ k = $1; v[k] = v[k] " " $2 }
	END {
		for (k in v) {
			n = split(substr(v[k], 2), a, " ")
			for (i = 2; i <= n; i++) {
				x = a[i] + 0
				for (j = i - 1; j >= 1 && a[j] + 0 > x; j--)
					a[j + 1] = a[j]
				a[j + 1] = x
			}
			med = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
			print k, med, a[1], a[n], n
		}
	}'
}
# key -> median min max count, over the numeric samples.
awk -F'\t' '$6 != "NA" { print $1 " " $2 " " $3 " " $4 "\t" $6 }' "$RAW" |
    summarise >"$STATS"
summarise <"$LOADS" >"$B/loads-stats.txt"
awk -F'\t' '{ print $1 " " $2 "\t" $3 }' "$WALKS" | summarise >"$B/walks-stats.txt"

# med CONFIG SYSCALL VARIANT PIN: the median, or empty.
med() { awk -v k="$1 $2 $3 $4" '$1 " " $2 " " $3 " " $4 == k { print $5 }' "$STATS"; }
# cell ...: "median (min-max)" in ns, thousands separated.
cell()
{
	awk -v k="$1 $2 $3 $4" '
	function f(x,	s) {
		x = sprintf("%.0f", x)
		for (s = ""; length(x) > 3; x = substr(x, 1, length(x) - 3))
			s = "," substr(x, length(x) - 2) s
		return x s
	}
	$1 " " $2 " " $3 " " $4 == k {
		printf "%s (%s-%s)", f($5), f($6), f($7)
		found = 1
	}
	END { if (!found) printf "n/a" }' "$STATS"
}
# ratio A B: A / B to two decimals, or n/a.
ratio()
{
	if [ -z "$1" ] || [ -z "$2" ]; then echo "n/a"; return; fi
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'
}
# verdict A B LIMIT: "1.03x PASS" or "1.40x MISS".
verdict()
{
	if [ -z "$1" ] || [ -z "$2" ]; then echo "n/a"; return; fi
	awk -v a="$1" -v b="$2" -v l="$3" 'BEGIN { r = a / b;
	    printf "%.2fx %s (%.0f / %.0f)", r,
	    (r <= l ? "**PASS**" : "**MISS**"), a, b }'
}
# floor_of CONFIG: the floor row doing the same kind of work.
floor_of()
{
	case $1 in
	redirect*|proot|floor-redirect|daemon-redirect) echo floor-redirect ;;
	errno|floor-errno) echo floor-errno ;;
	*) echo floor ;;
	esac
}
label()
{
	case $1 in
	native)		echo "native" ;;
	filteronly)	echo "filter only (bench/filteronly, creat notified)" ;;
	pass)		echo "unotifyd pass-through (1 rule, no match)" ;;
	pass-100)	echo "unotifyd pass-through, 100 rules" ;;
	pass-10000)	echo "unotifyd pass-through, 10,000 rules" ;;
	redirect)	echo "unotifyd redirect (1 rule)" ;;
	redirect-100)	echo "unotifyd redirect, 100 rules (match last)" ;;
	redirect-10000)	echo "unotifyd redirect, 10,000 rules (match last)" ;;
	errno)		echo "unotifyd errno EACCES" ;;
	hol)		echo "unotifyd pass-through, hol.ini" ;;
	floor)		echo "floor CONTINUE" ;;
	floor-redirect)	echo "floor open + ADDFD|SEND" ;;
	floor-errno)	echo "floor errno EACCES" ;;
	prefix)		echo "unotifyd prefix redirect (psrc/ to pdst/)" ;;
	save)		echo "unotifyd exact redirect (ssrc/app.conf)" ;;
	proot-save)	echo "proot -b sdst/app.conf:ssrc/app.conf" ;;
	strace)		echo "strace --seccomp-bpf -f -e trace=openat" ;;
	strace-file)	echo "strace -f -e trace=%file" ;;
	trace)		echo "unotifyd trace (every path call, text to /dev/null)" ;;
	daemon-pass)	echo "unotifyd serve + exec, pass-through (1 rule, no match)" ;;
	daemon-redirect) echo "unotifyd serve + exec, redirect (1 rule)" ;;
	proot)		echo "proot -b DST:SRC (redirect)" ;;
	esac
}

# walk_med COMMAND CONFIG: median microseconds; walk_cell: "ms (min-max)".
walk_med() { awk -v k="$1 $2" '$1 " " $2 == k { print $3 }' "$B/walks-stats.txt"; }
walk_cell()
{
	awk -v k="$1 $2" '$1 " " $2 == k { printf "%.0f ms (%.0f-%.0f)", $3 / 1000,
	    $4 / 1000, $5 / 1000; found = 1 } END { if (!found) printf "n/a" }' \
	    "$B/walks-stats.txt"
}
# op_verdict OP A B LIMIT: verdict, or for a call this build does not
# redirect the bare ratio and why there is no verdict.
op_verdict()
{
	if [ "$(handled_of "$1")" = yes ]; then
		verdict "$2" "$3" "$4"
	elif [ -z "$2" ] || [ -z "$3" ]; then
		echo "n/a"
	else
		awk -v a="$2" -v b="$3" -v op="$1" 'BEGIN { printf "%.2fx, no verdict: this build does not redirect %s, so an unsupervised %s is measured (%.0f / %.0f)", a / b, op, op, a, b }'
	fi
}

# The chart BENCHMARKS.md shows: openat + close, one thread, unpinned.
CHART=0
if [ "$QUICK" != 1 ] && command -v gnuplot >/dev/null 2>&1; then
	for c in native floor pass trace daemon-pass floor-redirect redirect \
	    daemon-redirect proot strace strace-file; do
		optional $c || continue
		m=$(med $c openat 1 unpinned)
		[ -n "$m" ] && printf '%s\t%s\n' "$(label $c | sed 's/ (.*//')" "$m"
	done >"$B/chart.dat"
	gnuplot <<-GP 2>>"$B/stderr.log" || log "gnuplot failed: no chart"
	set terminal svg size 960,540 dynamic font "sans,12" background "white"
	set output "$ROOT/bench/chart.svg"
	set datafile separator "\t"
	set title "openat + close, 1 thread, unpinned: median ns per call ($(date -u +%Y-%m-%d), $(nproc) CPUs)"
	set style fill solid 0.85 border -1
	set boxwidth 0.7
	set yrange [0:*]
	set ylabel "ns per openat + close"
	set xtics rotate by -35 left nomirror
	set grid ytics
	set bmargin 11
	set rmargin 14
	plot "$B/chart.dat" using 0:2:xtic(1) with boxes lc rgb "#4a7ab0" notitle, \
	    "" using 0:2:(sprintf("%.0f", \$2)) with labels offset 0,0.7 notitle
	GP
	[ -s "$ROOT/bench/chart.svg" ] && CHART=1
fi

kb_worst() { awk -v k="$1" '$1 == k && $2 != "NA" { print $2 }' "$RSS" | sort -n | tail -n 1; }
MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
END=$(date +%s)

{
echo "# unotifyd benchmarks"
echo
if [ "$QUICK" = 1 ]; then
	echo "**BENCH_QUICK=1 smoke run: one repetition, tiny N. These numbers mean nothing.**"
	echo
fi
echo "Generated by \`bench/run.sh\` (\`make bench\`); see the comment at the top of"
echo "bench/run.sh for the method. Do not edit by hand: re-run \`make bench\`."
echo "Figures come from native runs only: times of the suite under \`make check-arm64\`"
echo "(aarch64 in qemu TCG emulation, tens of times slower per system call) are not"
echo "comparable with these and are not benchmarks."
echo
echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); run took $((END - START)) s"
echo "- Machine: $(nproc) CPUs, ${MODEL:-unknown CPU}, Linux $(uname -r) $(uname -m);" \
    "load average at the start: $LOAD_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- Tree: $TREE"
echo "- Command: \`${BENCH_QUICK:+BENCH_QUICK=$BENCH_QUICK }${BENCH_REPS:+BENCH_REPS=$BENCH_REPS }${BENCH_TIME:+BENCH_TIME=$BENCH_TIME }make bench\` ($REPS_DONE of $REPS interleaved repetitions ran, ~${TARGET} s a run)"
echo "- Workload: \`bench/build/workload -n N -f $SRC [-t T | -p P] openat|getppid\`"
echo "  (path calls: \`-f FILE rename|unlink|mkdir|save\`, see below)"
echo "  under each prefix below; ns/op = wall time of the timed loop / ops"
echo "  (threads and processes: first start to last finish / all ops)."
echo "- Pinned = \`taskset -c 0\` in front of the whole command: supervisor and"
echo "  target share CPU 0. Unpinned = the scheduler's choice on $(nproc) CPUs."
echo "- Cells: median (min-max) ns/op over $REPS_DONE runs."
[ -n "$TOOL_NOTES" ] && echo "- Note:$TOOL_NOTES"
echo
if [ "$CHART" = 1 ]; then
	echo "![openat + close under each configuration, unpinned medians](bench/chart.svg)"
	echo
fi
echo "## Targets"
echo
echo "| target | limit | unpinned | pinned |"
echo "|---|---|---|---|"
row() { echo "| $1 | $2 | $3 | $4 |"; }
row "getppid (not notified) under unotifyd vs filter only" "<= 1.05x" \
    "$(verdict "$(med pass getppid 1 unpinned)" "$(med filteronly getppid 1 unpinned)" 1.05)" \
    "$(verdict "$(med pass getppid 1 pinned)" "$(med filteronly getppid 1 pinned)" 1.05)"
row "openat pass-through vs floor CONTINUE" "<= 1.10x" \
    "$(verdict "$(med pass openat 1 unpinned)" "$(med floor openat 1 unpinned)" 1.10)" \
    "$(verdict "$(med pass openat 1 pinned)" "$(med floor openat 1 pinned)" 1.10)"
row "openat redirect vs floor ADDFD" "<= 1.10x" \
    "$(verdict "$(med redirect openat 1 unpinned)" "$(med floor-redirect openat 1 unpinned)" 1.10)" \
    "$(verdict "$(med redirect openat 1 pinned)" "$(med floor-redirect openat 1 pinned)" 1.10)"
row "openat redirect unpinned vs floor ADDFD pinned (aim)" "<= 1.5x" \
    "$(verdict "$(med redirect openat 1 unpinned)" "$(med floor-redirect openat 1 pinned)" 1.5)" "-"
row "openat under unotifyd trace vs pass-through" "<= 1.10x" \
    "$(verdict "$(med trace openat 1 unpinned)" "$(med pass openat 1 unpinned)" 1.10)" \
    "$(verdict "$(med trace openat 1 pinned)" "$(med pass openat 1 pinned)" 1.10)"
row "openat under unotifyd trace vs strace -f -e trace=%file" "<= 0.20x (5x cheaper)" \
    "$(verdict "$(med trace openat 1 unpinned)" "$(med strace-file openat 1 unpinned)" 0.20)" \
    "$(verdict "$(med trace openat 1 pinned)" "$(med strace-file openat 1 pinned)" 0.20)"
row "daemon (serve + exec) vs run: pass-through" "<= 1.10x" \
    "$(verdict "$(med daemon-pass openat 1 unpinned)" "$(med pass openat 1 unpinned)" 1.10)" \
    "$(verdict "$(med daemon-pass openat 1 pinned)" "$(med pass openat 1 pinned)" 1.10)"
row "daemon (serve + exec) vs run: redirect" "<= 1.10x" \
    "$(verdict "$(med daemon-redirect openat 1 unpinned)" "$(med redirect openat 1 unpinned)" 1.10)" \
    "$(verdict "$(med daemon-redirect openat 1 pinned)" "$(med redirect openat 1 pinned)" 1.10)"
for v in c4 c32; do
	row "daemon vs run, ${v#c} targets at once (${v#c} exec clients vs ${v#c} runs): pass-through" "<= 1.10x" \
	    "$(verdict "$(med daemon-pass openat $v unpinned)" "$(med pass openat $v unpinned)" 1.10)" "-"
	row "daemon vs run, ${v#c} targets at once: redirect" "<= 1.10x" \
	    "$(verdict "$(med daemon-redirect openat $v unpinned)" "$(med redirect openat $v unpinned)" 1.10)" "-"
done
row "pass-through, 10,000 rules vs 1 rule" "<= 1.10x" \
    "$(verdict "$(med pass-10000 openat 1 unpinned)" "$(med pass openat 1 unpinned)" 1.10)" \
    "$(verdict "$(med pass-10000 openat 1 pinned)" "$(med pass openat 1 pinned)" 1.10)"
row "redirect, 10,000 rules vs 1 rule" "<= 1.10x" \
    "$(verdict "$(med redirect-10000 openat 1 unpinned)" "$(med redirect openat 1 unpinned)" 1.10)" \
    "$(verdict "$(med redirect-10000 openat 1 pinned)" "$(med redirect openat 1 pinned)" 1.10)"
row "one target blocked on a FIFO: others vs unloaded" "<= 1.2x" \
    "$(verdict "$(med hol openat blocked unpinned)" "$(med hol openat 1 unpinned)" 1.2)" \
    "$(verdict "$(med hol openat blocked pinned)" "$(med hol openat 1 pinned)" 1.2)"
for op in rename unlink mkdir; do
	row "$op under a prefix redirect vs a redirected open (same rule)" "<= 1.2x" \
	    "$(op_verdict $op "$(med prefix $op 1 unpinned)" "$(med prefix openat 1 unpinned)" 1.2)" \
	    "$(op_verdict $op "$(med prefix $op 1 pinned)" "$(med prefix openat 1 pinned)" 1.2)"
done
row "save cycle (write a temp file, rename it over a redirected file): unotifyd vs proot -b" "<= 0.33x (3x faster)" \
    "$(op_verdict save "$(med save save 1 unpinned)" "$(med proot-save save 1 unpinned)" 0.334)" "-"
for w in du find; do
	row "\`$w\` of $WALK_FILES files under a prefix redirect: unotifyd vs proot -b" "<= 0.25x" \
	    "$(verdict "$(walk_med $w unotifyd)" "$(walk_med $w proot)" 0.25)" "-"
	# Where native itself is above the limit, no supervisor can meet it.
	row "\`$w\`, for scale: native vs proot -b (no supervisor)" "-" \
	    "$(awk -v a="$(walk_med $w native)" -v b="$(walk_med $w proot)" 'BEGIN { if (a > 0 && b > 0) printf "%.2fx (%d / %d)", a / b, a, b; else print "n/a" }')" "-"
done
rss=$(kb_worst pass-10000)
row "supervisor peak RSS, 10,000 rules, 100 targets" "<= 10 MiB" \
    "$(if [ -n "$rss" ]; then awk -v k="$rss" 'BEGIN { printf "%.1f MiB %s", k / 1024, (k <= 10240 ? "**PASS**" : "**MISS**") }'; else echo n/a; fi)" "-"
echo
echo "Ratios are of medians, with the two medians (ns/op) in"
echo "brackets; the tables below give each one's min-max. A MISS is the"
echo "measurement as taken: the limits come from the benchmark issue and are"
echo "not adjusted here."
echo
for pin in unpinned pinned; do
	echo "## openat + close, 1 thread, $pin"
	echo
	echo "| configuration | ns/op | vs native | vs floor (same work) |"
	echo "|---|---|---|---|"
	nat=$(med native openat 1 $pin)
	for c in native filteronly pass redirect errno floor floor-redirect \
	    floor-errno strace proot trace strace-file daemon-pass \
	    daemon-redirect; do
		optional $c || continue
		m=$(med $c openat 1 $pin)
		fl=$(floor_of $c)
		echo "| $(label $c) | $(cell $c openat 1 $pin) | $(ratio "$m" "$nat") | $(ratio "$m" "$(med "$fl" openat 1 $pin)") ($fl) |"
	done
	echo
	echo "In errno rows the open fails and there is no close."
	echo
	echo "## getppid (never notified), 1 thread, $pin"
	echo
	echo "| configuration | ns/op | vs native | vs filter only |"
	echo "|---|---|---|---|"
	nat=$(med native getppid 1 $pin)
	fo=$(med filteronly getppid 1 $pin)
	for c in native filteronly pass floor strace proot; do
		optional $c || continue
		m=$(med $c getppid 1 $pin)
		echo "| $(label $c) | $(cell $c getppid 1 $pin) | $(ratio "$m" "$nat") | $(ratio "$m" "$fo") |"
	done
	echo
done
echo "## Path calls under redirects"
echo
echo "Files on a tmpfs (\`${BENCH_TMPFS:-/dev/shm}\`). Under unotifyd the workload"
echo "names \`psrc/\`, redirected by one prefix rule to \`pdst/\`; natively it works"
echo "in \`pdst/\` itself. rename = rename(2) of a file to another name in the same"
echo "directory and back (one op each); unlink = unlink(2) of files created before"
echo "the timed loop; mkdir = mkdir(2) of new directories, removed after it;"
echo "openat = openat + close of a file through the same rule."
echo "Redirected by this build:$HANDLED (a one-op probe before the runs: did the"
echo "effect land in the override and not in the original?)."
echo
for pin in unpinned pinned; do
	echo "| call ($pin) | native | unotifyd, prefix redirect | vs native | vs redirected openat |"
	echo "|---|---|---|---|---|"
	op_ref=$(med prefix openat 1 $pin)
	echo "| openat + close | - | $(cell prefix openat 1 $pin) | - | 1.00x |"
	for op in rename unlink mkdir; do
		echo "| $op | $(cell native $op 1 $pin) | $(cell prefix $op 1 $pin) | $(ratio "$(med prefix $op 1 $pin)" "$(med native $op 1 $pin)") | $(ratio "$(med prefix $op 1 $pin)" "$op_ref") |"
	done
	echo
done
echo "Save cycle, unpinned: open(PATH.tmp, O_WRONLY|O_CREAT|O_TRUNC), write 64"
echo "bytes, close, rename(PATH.tmp, PATH), with an exact rule redirecting PATH"
echo "(\`ssrc/app.conf\` to \`sdst/app.conf\`; the temporary file is not"
echo "redirected, as an editor's is not). One op = the whole cycle."
echo
echo "| native | unotifyd | proot -b | unotifyd vs native | proot vs unotifyd |"
echo "|---|---|---|---|---|"
echo "| $(cell native save 1 unpinned) | $(cell save save 1 unpinned) | $(cell proot-save save 1 unpinned) | $(ratio "$(med save save 1 unpinned)" "$(med native save 1 unpinned)") | $(ratio "$(med proot-save save 1 unpinned)" "$(med save save 1 unpinned)") |"
echo
echo "Tree walks: \`du -s DIR\` and \`find DIR\` of 100 directories holding"
echo "$WALK_FILES empty files in all, wall time of the whole command (supervisor"
echo "start included), median (min-max) of $WALK_REPS, interleaved; native walks"
echo "\`wdst/\`, unotifyd (\`-r walk.ini\`: \`wsrc/\` to \`wdst/\`) and"
echo "\`proot -b wdst:wsrc\` walk \`wsrc/\`. Before timing, every configuration's"
echo "du total and find count were compared with native's:${WALK_NOTES:- all equal.}"
echo
echo "| command | native | unotifyd | proot -b | unotifyd vs native | unotifyd vs proot |"
echo "|---|---|---|---|---|---|"
for w in du find; do
	echo "| $w | $(walk_cell $w native) | $(walk_cell $w unotifyd) | $(walk_cell $w proot) | $(ratio "$(walk_med $w unotifyd)" "$(walk_med $w native)") | $(ratio "$(walk_med $w unotifyd)" "$(walk_med $w proot)") |"
done
echo
echo "## Rules scaling (openat, 1 thread)"
echo
echo "Rules are a mix of exact paths (some in the directory of the opened file),"
echo "prefixes and globs (\`*\`, \`?\`, \`[..]\`, \`**\`), generated in"
echo "bench/build/rules/; for redirect the matching rule is the last one."
echo
echo "| rules | pass-through unpinned | vs 1 | redirect unpinned | vs 1 | pass-through pinned | vs 1 | redirect pinned | vs 1 |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in 1 100 10000; do
	sfx=-$n
	[ $n = 1 ] && sfx=
	line="| $n"
	for pin in unpinned pinned; do
		for k in pass redirect; do
			line="$line | $(cell $k$sfx openat 1 $pin) | $(ratio "$(med $k$sfx openat 1 $pin)" "$(med $k openat 1 $pin)")"
		done
	done
	echo "$line |"
done
echo
echo "Loading rules (\`unotifyd check -r FILE\`, wall time, median (min-max) of $REPS):"
echo
awk '{ printf "- %s rules: %.1f ms (%.1f-%.1f)\n", substr($1, 7), $2 / 1000, $3 / 1000, $4 / 1000 }' \
    "$B/loads-stats.txt" | sort -t' ' -k2 -n
echo
echo "Supervisor peak RSS (VmHWM of unotifyd, read at the end of the run by the"
echo "workload from /proc/PPID/status; 100 target processes, worst of 3):"
echo
for r in pass-1 pass-10000 redirect-10000; do
	kb=$(kb_worst $r)
	echo "- $r.ini: ${kb:-n/a} KiB"
done
echo
echo "## Head-of-line blocking"
echo
echo "\`unotifyd run -r hol.ini\`: the workload forks a process that opens a path"
echo "redirected to a FIFO with no writer (so unotifyd's open of the FIFO blocks),"
echo "waits 200 ms, then runs its pass-through openat loop; afterwards it opens the"
echo "FIFO for writing to release the blocked process. Runs where the blocked"
echo "process was not blocked any more at the end of the loop are discarded."
echo
echo "| | unloaded | one target blocked | ratio |"
echo "|---|---|---|---|"
for pin in unpinned pinned; do
	echo "| $pin | $(cell hol openat 1 $pin) | $(cell hol openat blocked $pin) | $(ratio "$(med hol openat blocked $pin)" "$(med hol openat 1 $pin)") |"
done
echo
echo "## Threads and processes (unpinned)"
echo
echo "ns/op is wall time / all ops, so it falls as work spreads over CPUs."
echo
echo "| variant | native | unotifyd pass | floor CONTINUE | pass/floor | unotifyd redirect | floor ADDFD | redirect/floor |"
echo "|---|---|---|---|---|---|---|---|"
for v in 1 $VARIANTS; do
	echo "| $v | $(cell native openat $v unpinned) | $(cell pass openat $v unpinned) | $(cell floor openat $v unpinned) | $(ratio "$(med pass openat $v unpinned)" "$(med floor openat $v unpinned)") | $(cell redirect openat $v unpinned) | $(cell floor-redirect openat $v unpinned) | $(ratio "$(med redirect openat $v unpinned)" "$(med floor-redirect openat $v unpinned)") |"
done
echo
echo "getppid:"
echo
echo "| variant | native | filter only | unotifyd | unotifyd/filter only |"
echo "|---|---|---|---|---|"
for v in 1 $VARIANTS; do
	echo "| $v | $(cell native getppid $v unpinned) | $(cell filteronly getppid $v unpinned) | $(cell pass getppid $v unpinned) | $(ratio "$(med pass getppid $v unpinned)" "$(med filteronly getppid $v unpinned)") |"
done
echo
echo "Variants: 1 = one thread; tN = N threads in one process; pN = N processes."
echo
echo "## Configurations"
echo
echo "Commands, from the top of the tree (prefixed by \`taskset -c 0\` when"
echo "pinned; \`...\` = \`-n N -f SRC [-t T | -p P] [-B BLOCKER:FIFO] openat|getppid\`):"
echo
for c in native filteronly pass redirect errno floor floor-redirect \
    floor-errno strace proot pass-10000 redirect-10000 hol prefix save \
    proot-save trace strace-file daemon-pass daemon-redirect; do
	optional $c || continue
	pfx=$(cmd_of $c | sed -e "s|$ROOT/||g" -e "s|$PT/||g")
	echo "- $(label $c): \`${pfx:+$pfx }bench/build/workload ...\`"
done
echo
echo "The filter-only baseline is bench/filteronly.c: it installs, with"
echo "unotifyd's own filter_build/filter_apply, the program \`unotifyd filter\`"
echo "prints for one rule with \`syscalls = creat\`, closes the listener and"
echo "execs the workload, which never calls creat. The floor (bench/floor.c) notifies"
echo "openat only and answers from a blocking loop with SYNC_WAKE_UP set."
echo
echo "Raw samples: bench/build/results.tsv (config, syscall, variant, pin, rep,"
echo "ns/op); workload stderr: bench/build/stderr.log."
cat <<'NOTES'

## Design notes

- **Receiving.** In `run`, receiver threads block in
  `SECCOMP_IOCTL_NOTIF_RECV` themselves; the libev loop keeps signals and
  child exits. With `SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP` the kernel wakes a
  receiver on the notifying task's CPU, but only a task sleeping in RECV:
  through epoll the target wakes the epoll waiter with a plain wake-up, the
  hint is lost and every call pays an extra `epoll_wait` (measured here at
  ~17 us a call against ~9.6 us, KERNEL-NOTES.md). The daemon (`serve`),
  which has many listeners, waits in epoll.
- **Pass-through.** Per call: RECV, one `process_vm_readv` of the path, a
  lexical normalisation, ID_VALID, an index lookup and CONTINUE: the
  floor's work plus the lookup. Relative paths add a readlink of
  `/proc/TID/cwd`.
- **Redirect: paying the cross-CPU latency once, not twice.**
  `ADDFD|SEND` wakes the target to install the fd (a plain wake-up: the
  kernel has no same-CPU variant for ADDFD), and the target's completion
  wakes the supervisor again. With one receiver (the floor), that receiver
  is never back in RECV when the target's next call arrives, so
  SYNC_WAKE_UP never applies: target and supervisor settle on different
  CPUs and every redirect pays two wake-ups of a halted vCPU (this VM:
  haltpoll with `guest_halt_poll_ns=0`), which is the unpinned floor ADDFD
  figure and its spread. unotifyd runs two receivers (one per CPU it may
  use, at most two). While answers are quick, one waits in RECV and the
  other parks on a condition variable, because the kernel wakes every
  thread waiting in RECV. A thread about to open and ADDFD makes sure the
  other is receiving (unparking it if need be) and goes straight back to
  RECV afterwards. The target's next call then finds a thread sleeping in
  RECV, SYNC_WAKE_UP brings it to the target's CPU, and the ADDFD it
  issues from there wakes the target on that same CPU; the first thread's
  own wake-up, after its ADDFD, is off the target's path. Everything stays
  on one CPU, so the unpinned redirect costs close to what the pinned one
  does: over the last runs here, 1.3x to 1.55x the floor's pinned figure
  (single runs from 15 to 21 us), so the 1.5x aim is met in some runs
  and not in others. What is left is the other receiver's wake-up on most
  calls (the kernel wakes every thread sleeping in RECV; it finds nothing
  and sleeps again) and unotifyd's own work per call. Trials behind this choice, with throwaway variants of
  bench/floor.c on this machine (ns/op
  unpinned): one receiver ~45,000; two receivers always in RECV ~12,500
  for redirects but +30% for pass-through (every call woke both); a
  mutex hand-off of RECV before each ADDFD ~19,000; the parking scheme
  above ~14,000 with pass-through unchanged; a third receiver made it
  worse (more threads woken per call). Keeping the other vCPU from halting
  (a SCHED_IDLE spinner) also helps, but burns a CPU, so it is not done;
  pinning the target to the supervisor's CPU for the ADDFD would change
  the target's affinity under it, so neither is that.
- **What the redirect pays beyond the floor.** With another receiver free,
  unotifyd opens the destination at once: if the open blocks (a FIFO, a
  hung NFS server) only that target waits. With one receiver (one CPU,
  which is what the pinned rows measure) or when the other is itself in
  such an open, it first stats the destination to decide whether the open
  may block (a FIFO or a device goes to a worker thread): one more path
  walk, about 1.5 us here, which is most of the pinned gap to the floor's
  ADDFD figure. The rest of the gap is the work the floor does not do
  (path normalisation, rule lookup, expansion of the destination).
- **Rules.** Three hash tables: exact paths, prefixes (keyed by the
  directory), and globs (keyed by their literal beginning, the text before
  the first special character). One pass over the path extends its hash
  byte by byte and looks up only the beginnings whose length some prefix
  or glob key has, so a path meets only the globs that could match it; the
  first rule in order still wins. Each table has a bloom filter (8 bits a
  key) that turns away absent keys in a few cache lines: with the bench's
  10,000 mixed rules a lookup tries ~14 beginnings of the path, and before
  the filter those random reads in a 640 KiB table cost ~1.5 us unpinned
  (where the receiver may have just changed CPU) though nothing pinned.
  Loading 10,000 rules is a single pass with a hash of names.
- **Head-of-line.** An open that blocks holds one receiver; the other
  keeps answering. When no other receiver is free, a redirect whose
  destination is a FIFO or a device is opened on a worker thread and
  answered by notification id.
NOTES
} >"$OUT"

log "wrote $OUT in $(($(date +%s) - START)) s"
