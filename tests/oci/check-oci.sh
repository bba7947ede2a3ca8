#!/bin/sh
# SPDX-License-Identifier: MIT
# make check-oci: `unotifyd serve` as the seccomp agent of real OCI runtimes.
# For each runtime (runc, crun) it runs a busybox container whose seccomp
# profile notifies the open/stat/access calls to unotifyd's socket, and checks
# that unotifyd's rules (tests/oci/rules.ini) applied inside the container:
# /etc/app.conf reads /data/override.conf, /secret fails with EACCES.
# Needs root. See tests/oci/README.
#
# Environment: UNOTIFYD (binary, default ./unotifyd of this tree),
# RUNTIMES (default "runc crun"), STEP_TIMEOUT (seconds per step, default 60),
# KEEP=1 keeps the temporary directory.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
UNOTIFYD=${UNOTIFYD:-$top/unotifyd}
RUNTIMES=${RUNTIMES:-runc crun}
STEP_TIMEOUT=${STEP_TIMEOUT:-60}
KEEP=${KEEP:-0}

# The calls the container's profile sends to unotifyd.
NOTIFY_SYSCALLS="open openat openat2 creat stat lstat newfstatat statx \
access faccessat faccessat2 readlink readlinkat"
# The container's command.
CMD='cat /etc/app.conf; cat /secret; echo rc=$?'

say() { printf 'check-oci: %s\n' "$*"; }
die() { printf 'check-oci: %s\n' "$*" >&2; exit 1; }

# bounded CMD...: run CMD, killed after STEP_TIMEOUT seconds.
bounded() { timeout -k 5 "$STEP_TIMEOUT" "$@"; }

[ "$(id -u)" = 0 ] || die "must run as root (runtimes need namespaces, \
cgroups and mounts); run: sudo make check-oci"
[ -x "$UNOTIFYD" ] || die "$UNOTIFYD: not built; run: make all"
for rt in $RUNTIMES; do
	case $rt in
	runc|crun) ;;
	*) die "RUNTIMES: unknown runtime '$rt' (runc, crun)" ;;
	esac
done

# Missing Debian packages: the runtimes, a static busybox for the rootfs,
# python3 to edit config.json.
missing=
for p in $RUNTIMES busybox-static python3; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	say "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	timeout 300 apt-get update -qq ||
	    die "apt-get update failed; install$missing by hand"
	# shellcheck disable=SC2086 # one word per package
	timeout 600 apt-get install -y -qq --no-install-recommends --no-remove $missing ||
	    die "apt-get install$missing failed"
fi
busybox=$(command -v busybox) || die "busybox not found after install"

# Cgroup layout. crun refuses hybrid hosts ("cgroups in hybrid mode not
# supported, drop all controllers from cgroupv2"): it runs in a private
# mount namespace without /sys/fs/cgroup/unified. runc copes with all three.
cgfs=$(stat -fc %T /sys/fs/cgroup 2>/dev/null)
case $cgfs in
cgroup2fs) cgmode=unified ;;
tmpfs)
	if [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]
	then cgmode=hybrid
	else cgmode=legacy
	fi ;;
*) cgmode="unknown ($cgfs)" ;;
esac

tmp=$(mktemp -d /tmp/unotifyd-oci.XXXXXX) || die "mktemp failed"
chmod 755 "$tmp"
daemon_pid=
containers=	# RUNTIME:NAME of each container created, for cleanup

# rt RUNTIME ARGS...: the runtime with its state in $tmp, bounded.
rt() {
	_rt=$1
	shift
	if [ "$_rt" = crun ] && [ "$cgmode" = hybrid ]; then
		bounded unshare -m --propagation private sh -c \
		    'umount /sys/fs/cgroup/unified && exec "$@"' sh \
		    crun --root "$tmp/state-crun" "$@"
	else
		bounded "$_rt" --root "$tmp/state-$_rt" "$@"
	fi
}

cleanup() {
	for c in $containers; do
		rt "${c%%:*}" delete -f "${c#*:}" >/dev/null 2>&1
	done
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -TERM "$daemon_pid" 2>/dev/null
		i=0
		while kill -0 "$daemon_pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$daemon_pid" 2>/dev/null
		wait "$daemon_pid" 2>/dev/null
	fi
	if [ "$KEEP" = 1 ]; then
		say "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The rootfs: static busybox and the files the rules are about.
rootfs=$tmp/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/data" "$rootfs/proc" \
    "$rootfs/dev" "$rootfs/sys" "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
for a in sh cat ls echo; do
	ln -s busybox "$rootfs/bin/$a"
done
echo original >"$rootfs/etc/app.conf"
echo overridden >"$rootfs/data/override.conf"
echo s3cret >"$rootfs/secret"

sock=$tmp/agent.sock
log=$tmp/unotifyd.log
cp "$here/rules.ini" "$tmp/rules.ini"

# Two bundles on the same rootfs: "plain" without seccomp (does the runtime
# run containers at all here?) and "agent" with the notifying profile.
mkdir -p "$tmp/plain" "$tmp/agent"
(cd "$tmp/plain" && bounded runc spec) ||
    (cd "$tmp/plain" && bounded crun spec) || die "cannot write a spec"
# shellcheck disable=SC2086 # one argument per system call
python3 - "$tmp/plain/config.json" "$tmp/agent/config.json" "$rootfs" \
    "$sock" "$CMD" $NOTIFY_SYSCALLS <<'EOF' || die "cannot edit config.json"
import json, sys
src, dst, rootfs, sock, cmd = sys.argv[1:6]
names = sys.argv[6:]
with open(src) as f:
    c = json.load(f)
c["process"]["terminal"] = False
c["process"]["args"] = ["sh", "-c", cmd]
c["root"] = {"path": rootfs, "readonly": True}
c["hostname"] = "unotifyd-oci"
with open(src, "w") as f:
    json.dump(c, f, indent=1)
c["linux"]["seccomp"] = {
    "defaultAction": "SCMP_ACT_ALLOW",
    "architectures": ["SCMP_ARCH_X86_64"],
    "listenerPath": sock,
    "listenerMetadata": "",
    "syscalls": [{"names": names, "action": "SCMP_ACT_NOTIFY"}],
}
with open(dst, "w") as f:
    json.dump(c, f, indent=1)
EOF

say "unotifyd: $UNOTIFYD"
say "cgroups: $cgmode (/sys/fs/cgroup is $cgfs)$([ "$cgmode" = hybrid ] &&
    echo '; crun runs under unshare -m without /sys/fs/cgroup/unified')"
for r in $RUNTIMES; do
	say "$r: $("$r" --version 2>&1 | head -1)"
done

# The agent, bounded too: every step is, and the whole run stays well below.
timeout -k 5 $((STEP_TIMEOUT * 10)) "$UNOTIFYD" serve -v --socket "$sock" \
    -r "$tmp/rules.ini" 2>"$log" &
daemon_pid=$!
i=0
while ! grep -q 'unotifyd: ready' "$log" 2>/dev/null; do
	if ! kill -0 "$daemon_pid" 2>/dev/null || [ $i -ge 100 ]; then
		cat "$log" >&2
		die "unotifyd serve did not become ready on $sock"
	fi
	sleep 0.1
	i=$((i + 1))
done
say "unotifyd serve ready on $sock (pid $daemon_pid)"

passed=0
failed=0
summary=

# check_runtime RUNTIME: one container with the agent; PASS or FAIL.
check_runtime() {
	r=$1
	name=unotifyd-oci-$r-$$
	why=

	if ! command -v "$r" >/dev/null 2>&1; then
		why="$r not installed"
	else
		# Control: the same container without seccomp.
		containers="$containers $r:$name-plain"
		rt "$r" run --bundle "$tmp/plain" "$name-plain" \
		    >"$tmp/$r-plain.out" 2>&1 </dev/null
		st=$?
		if [ $st -ne 0 ] || ! grep -qx original "$tmp/$r-plain.out"
		then
			why="$r cannot run containers here, even without \
seccomp (exit $st): $(tr '\n' ' ' <"$tmp/$r-plain.out")"
		fi
	fi
	if [ -n "$why" ]; then
		failed=$((failed + 1))
		summary="${summary}FAIL $r: $why
"
		return
	fi

	containers="$containers $r:$name"
	rt "$r" run --bundle "$tmp/agent" "$name" >"$tmp/$r.out" 2>&1 </dev/null
	st=$?
	out=$tmp/$r.out
	echo "--- $r: container output (exit $st)"
	sed 's/^/    /' "$out"
	case $st in
	0) ;;
	124|137) why="$why; timed out after $STEP_TIMEOUT s (exit $st)" ;;
	*) why="$why; exit status $st, expected 0" ;;
	esac
	grep -qx overridden "$out" ||
	    why="$why; no 'overridden': /etc/app.conf was not redirected"
	grep -q original "$out" &&
	    why="$why; 'original' printed: the container read /etc/app.conf"
	grep -q s3cret "$out" &&
	    why="$why; 's3cret' printed: /secret was not denied"
	grep -q "/secret.*Permission denied" "$out" ||
	    why="$why; no EACCES (Permission denied) from cat /secret"
	grep -qx 'rc=1' "$out" || why="$why; cat /secret did not exit 1"
	grep -Eq "runtime pid [0-9]+: container $name \(" "$log" ||
	    why="$why; no 'runtime pid ... container $name' in unotifyd's log"
	grep -q "target $name (pid [0-9]*): supervising" "$log" ||
	    why="$why; unotifyd did not supervise $name"
	kill -0 "$daemon_pid" 2>/dev/null || why="$why; unotifyd died"
	if [ -n "$why" ]; then
		failed=$((failed + 1))
		summary="${summary}FAIL $r: ${why#; }
"
		echo "--- $r: unotifyd log"
		grep -F "$name" "$log" | sed 's/^/    /'
	else
		passed=$((passed + 1))
		summary="${summary}PASS $r: /etc/app.conf redirected, /secret \
EACCES, unotifyd saw container $name
"
	fi
}

for r in $RUNTIMES; do
	check_runtime "$r"
done

if [ $failed -ne 0 ]; then
	echo "--- unotifyd log (last 40 lines)"
	tail -40 "$log" | sed 's/^/    /'
fi
printf '%s' "$summary"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
