#!/bin/sh
# SPDX-License-Identifier: MIT
# make check-cri: unotifyd as a Kubernetes node's seccomp agent, through real
# containerd's CRI plugin driven as kubelet drives it (tests/cri/crictl.py),
# then the same profile through `ctr run` and `podman run`. The agent runs as
# a privileged host-PID pod, as deploy/kubernetes/ runs it; applications get
# a container-level Localhost profile written by `unotifyd profile`.
# Needs root; installs what it needs from Debian. See tests/cri/README.
#
# Environment: UNOTIFYD (binary, default ./unotifyd of this tree),
# STEP_TIMEOUT (seconds per step, default 60), KEEP=1 keeps the temporary
# directory.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
UNOTIFYD=${UNOTIFYD:-$top/unotifyd}
STEP_TIMEOUT=${STEP_TIMEOUT:-60}
KEEP=${KEEP:-0}
PY=/usr/bin/python3		# Debian's, with its grpc (python3 may be pyenv's)
NS=unotifyd-test		# the pods' Kubernetes namespace

say() { printf 'check-cri: %s\n' "$*"; }
die() { printf 'check-cri: %s\n' "$*" >&2; exit 1; }
bounded() { timeout -k 5 "$STEP_TIMEOUT" "$@"; }

[ "$(id -u)" = 0 ] || die "must run as root (containerd, runc, podman); \
run: sudo make check-cri"
[ -x "$UNOTIFYD" ] || die "$UNOTIFYD: not built; run: make all"

missing=
for p in containerd runc python3-grpcio python3-grpc-tools podman catatonit \
    busybox-static; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	say "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	timeout 300 apt-get update -qq ||
	    die "apt-get update failed; install$missing by hand"
	# shellcheck disable=SC2086 # one word per package
	timeout 600 apt-get install -y -qq --no-install-recommends --no-remove \
	    $missing >/dev/null || die "apt-get install$missing failed"
fi

T=$(mktemp -d /tmp/unotifyd-cri.XXXXXX) || die "mktemp failed"
chmod 755 "$T"
S=$T/ctd/containerd.sock
CTD_PID=
PODS=		# every pod sandbox started, for cleanup
passed=0
failed=0
summary=
export CONTAINER_RUNTIME_ENDPOINT=unix://$S CRI_STUBS=$T/stubs

cri() { bounded "$PY" "$here/crictl.py" "$@"; }
ctr_() { bounded ctr -a "$S" "$@"; }
export CONTAINERS_CONF=$T/podman/containers.conf
podman_() {
	bounded podman --root "$T/podman/root" --runroot "$T/podman/run" \
	    --tmpdir "$T/podman/tmp" "$@"
}

cleanup() {
	for p in $PODS; do
		cri stopp "$p" >/dev/null 2>&1
		cri rmp "$p" >/dev/null 2>&1
	done
	ctr_ tasks kill -s KILL t-ctr >/dev/null 2>&1
	ctr_ containers rm t-ctr >/dev/null 2>&1
	podman_ rm -af >/dev/null 2>&1
	if [ -n "$CTD_PID" ]; then
		kill -TERM "$CTD_PID" 2>/dev/null
		i=0
		while kill -0 "$CTD_PID" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$CTD_PID" 2>/dev/null
		wait "$CTD_PID" 2>/dev/null
	fi
	# Left-over shims (containerd 1.6 keeps their sockets outside root).
	for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $S" 2>/dev/null)
	do
		kill -KILL "$pid" 2>/dev/null
	done
	mount | awk -v t="$T" 'index($3, t) == 1 { print $3 }' | sort -r |
	    while read -r m; do umount -l "$m" 2>/dev/null; done
	rmdir /run/containerd/s /run/containerd/fifo /run/containerd \
	    2>/dev/null
	if [ "$KEEP" = 1 ]; then
		say "kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pass() { passed=$((passed + 1)); summary="${summary}PASS $*
"; say "PASS $*"; }
fail() { failed=$((failed + 1)); summary="${summary}FAIL $*
"; say "FAIL $*"; }

# --- containerd with a private root, state and socket (VM quirks: see
# ../shared/notes or tests/cri/README).
mkdir -p "$T/ctd" "$T/cni" "$T/runc" "$T/logs" "$T/run-unotifyd" \
    "$T/rules.d" "$T/kubelet/seccomp" "$T/ctl"
cat >"$T/ctd/config.toml" <<EOF
version = 2
root = "$T/ctd/root"
state = "$T/ctd/state"
[grpc]
  address = "$S"
[ttrpc]
  address = "$S.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$T/ctd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "docker.io/library/pause:local"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$T/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    conf_dir = "$T/cni"
EOF
containerd --config "$T/ctd/config.toml" >"$T/ctd/containerd.log" 2>&1 &
CTD_PID=$!
i=0
until ctr -a "$S" version >/dev/null 2>&1; do
	[ $i -lt 100 ] && kill -0 "$CTD_PID" 2>/dev/null || {
		tail -20 "$T/ctd/containerd.log" >&2
		die "containerd did not start"
	}
	sleep 0.1
	i=$((i + 1))
done
say "containerd: $(containerd --version | cut -d' ' -f2-)"
say "runc: $(runc --version | head -1)"
say "CRI: $(cri version)" || die "CRI Version failed"

# --- images from the host's busybox-static, no registry.
mk() { (cd "$T" && bounded "$PY" "$here/mkimage.py" "$@") ||
    die "cannot build image $2"; }
mk app.tar docker.io/library/busybox:local -- /bin/sh
mk pause.tar docker.io/library/pause:local -- /bin/sh -c \
    'trap "exit 0" TERM INT; while :; do sleep 3600 & wait; done'
mk agent.tar docker.io/library/unotifyd:local \
    --add "$UNOTIFYD:/usr/bin/unotifyd" -- /usr/bin/unotifyd serve
for t in app pause agent; do
	ctr_ -n k8s.io images import "$T/$t.tar" >/dev/null ||
	    die "cannot import $t.tar"
done
ctr_ images import "$T/app.tar" >/dev/null || die "cannot import app.tar"

# --- rules (the ConfigMap: without listenerMetadata the agent applies every
# file in it; rules=other picks other.ini alone), profiles (what the operator puts in
# <kubelet root>/seccomp/ on each node, generated).
cat >"$T/rules.d/50-app.ini" <<EOF
; The default rules: no listenerMetadata.
[app-conf]
path = /etc/app.conf
action = redirect
target = /data/override.conf

[secret]
path = /secret
action = errno
errno = EACCES
EOF
cat >"$T/rules.d/other.ini" <<EOF
; Chosen by listenerMetadata rules=other.
[other-conf]
path = /etc/other.conf
action = redirect
target = /data/other.conf
EOF
AGENT_SOCK=$T/run-unotifyd/unotifyd.sock
PROFILE=$T/kubelet/seccomp/unotifyd.json
"$UNOTIFYD" profile -r "$T/rules.d" --listener-path "$AGENT_SOCK" \
    >"$PROFILE" || die "unotifyd profile failed"
"$UNOTIFYD" profile -r "$T/rules.d" --listener-path "$AGENT_SOCK" \
    --metadata rules=other >"$T/kubelet/seccomp/unotifyd-other.json" ||
    die "unotifyd profile --metadata failed"

# pod NAME [privileged]: crictl's PodSandboxConfig JSON, host network (no
# CNI); the agent also shares the host's PID and IPC namespaces.
pod() {
	"$PY" - "$T/$1.pod.json" "$1" "${2:-}" "$NS" "$T/logs/$1" <<'EOF'
import json, sys
out, name, priv, ns, logs = sys.argv[1:]
sc = {"namespace_options": {"network": "NODE"}}
if priv:
    sc = {"privileged": True, "namespace_options":
          {"network": "NODE", "pid": "NODE", "ipc": "NODE"}}
json.dump({"metadata": {"name": name, "namespace": ns, "uid": name + "-uid",
                        "attempt": 0},
           "log_directory": logs, "linux": {"security_context": sc}},
          open(out, "w"), indent=1)
EOF
}

# ctr_json FILE NAME IMAGE PROFILE|"" PRIVILEGED MOUNTS_JSON CMD...
ctr_json() {
	"$PY" - "$@" <<'EOF'
import json, sys
out, name, image, profile, priv, mounts = sys.argv[1:7]
cmd = sys.argv[7:]
sc = {"namespace_options": {"network": "NODE"}}
if priv:
    sc = {"privileged": True, "namespace_options":
          {"network": "NODE", "pid": "NODE", "ipc": "NODE"}}
if profile:
    # What kubelet sends for securityContext.seccompProfile
    # {type: Localhost, localhostProfile: X} on the container.
    sc["seccomp"] = {"profile_type": "Localhost", "localhost_ref": profile}
json.dump({"metadata": {"name": name}, "image": {"image": image},
           "command": cmd, "log_path": name + ".log",
           "mounts": json.loads(mounts), "linux": {"security_context": sc}},
          open(out, "w"), indent=1)
EOF
}

# run_pod NAME CONTAINER IMAGE PROFILE PRIV MOUNTS CMD...: a pod with one
# container, started; its pod id in $POD, container id in $CID. Returns 1
# (output in $T/NAME.err) if a step fails.
run_pod() {
	_n=$1 _c=$2
	shift 2
	POD= CID=
	pod "$_n" "$4" || return 1
	ctr_json "$T/$_n.ctr.json" "$_c" "$@" || return 1
	POD=$(cri runp "$T/$_n.pod.json" 2>"$T/$_n.err") || return 1
	PODS="$PODS $POD"
	CID=$(cri create "$POD" "$T/$_n.ctr.json" "$T/$_n.pod.json" \
	    2>"$T/$_n.err") || return 1
	cri start "$CID" 2>"$T/$_n.err" || return 1
}

# --- the agent: a privileged host-PID pod, socket directory and rules
# directory from the host.
# start_agent NAME [RULES_DIR]: the agent pod NAME; its container in $AGENT.
start_agent() {
	_mounts="[{\"container_path\": \"/run/unotifyd\", \"host_path\": \"$T/run-unotifyd\"},
 {\"container_path\": \"/etc/unotifyd/rules.d\", \"host_path\": \"${2:-$T/rules.d}\", \"readonly\": true}]"
	run_pod "$1" agent docker.io/library/unotifyd:local "" 1 "$_mounts" \
	    /usr/bin/unotifyd serve -v --socket /run/unotifyd/unotifyd.sock \
	    --handover-stay ||
	    { cat "$T/$1.err" >&2; return 1; }
	AGENT=$CID
	AGENT_LOG=$T/logs/$1/agent.log
	i=0
	while ! grep -q 'unotifyd: ready' "$AGENT_LOG" 2>/dev/null; do
		[ $i -lt 100 ] || { cat "$AGENT_LOG" >&2; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
}
start_agent agent-a || die "the agent pod did not become ready"
say "agent pod ready: $AGENT_LOG"

APP_CMD='cat /etc/app.conf; cat /etc/other.conf; cat /secret; echo rc=$?'

# app_pod NAME PROFILE: an application pod running APP_CMD to its end;
# output in $T/NAME.out, 1 if it did not run.
app_pod() {
	run_pod "$1" app docker.io/library/busybox:local "$2" "" "[]" \
	    sh -c "$APP_CMD" || return 1
	code=$(cri wait "$CID" "$STEP_TIMEOUT") || return 1
	cri logs "$CID" >"$T/$1.out"
	echo "exit=$code" >>"$T/$1.out"
}

# 1. Default rules: redirect and errno inside the pod.
if app_pod app-default "$PROFILE"; then
	out=$T/app-default.out
	sed 's/^/    /' "$out"
	why=
	grep -qx overridden "$out" || why="$why; /etc/app.conf not redirected"
	grep -qx original "$out" && why="$why; read the original /etc/app.conf"
	grep -q s3cret "$out" && why="$why; /secret was readable"
	grep -q '/secret.*Permission denied' "$out" ||
	    why="$why; no EACCES from /secret"
	[ -z "$why" ] && pass "CRI pod: redirect and errno rules apply" ||
	    fail "CRI pod, default rules:${why#;}"
	# 2. The runtime spec carries listenerPath (and the notified calls).
	if cri inspect "$CID" >"$T/app-default.inspect" &&
	    "$PY" - "$T/app-default.inspect" "$AGENT_SOCK" <<'EOF'
import json, sys
info = json.load(open(sys.argv[1]))
sc = info["runtimeSpec"]["linux"]["seccomp"]
assert sc["listenerPath"] == sys.argv[2], sc.get("listenerPath")
names = [n for s in sc["syscalls"] if s["action"] == "SCMP_ACT_NOTIFY"
         for n in s["names"]]
assert "openat" in names, names
EOF
	then
		pass "CRI runtime spec carries listenerPath $AGENT_SOCK"
	else
		fail "CRI runtime spec has no listenerPath $AGENT_SOCK"
	fi
else
	fail "CRI pod with the Localhost profile did not run: $(cat "$T/app-default.err")"
	fail "CRI runtime spec: no pod to inspect"
fi

# 3. rules=NAME in listenerMetadata picks the rules file NAME.ini.
if app_pod app-other "$T/kubelet/seccomp/unotifyd-other.json"; then
	out=$T/app-other.out
	sed 's/^/    /' "$out"
	why=
	grep -qx other-overridden "$out" ||
	    why="$why; /etc/other.conf not redirected"
	grep -qx original "$out" ||
	    why="$why; /etc/app.conf changed: default rules applied"
	grep -qx s3cret "$out" || why="$why; /secret denied: default rules"
	[ -z "$why" ] && pass "CRI pod: listenerMetadata rules=other picks other.ini" ||
	    fail "CRI pod, rules=other:${why#;}"
else
	fail "CRI pod with rules=other did not run: $(cat "$T/app-other.err")"
fi

# 4. The agent's log names each target's namespace, pod and container
# (needs the annotations containerd puts in the OCI state).
# One line with all three; "app" as a word of its own, not app-default's.
if grep -F "$NS" "$AGENT_LOG" | grep -F app-default | sed 's/app-default//g' |
    grep -Eq '(^|[^-[:alnum:]])app([^-[:alnum:]]|$)'; then
	pass "agent log names namespace/pod/container: \
$(grep -E "$NS.*app-default" "$AGENT_LOG" | head -1)"
else
	fail "agent log does not name namespace $NS, pod app-default, \
container app (it says: $(grep 'runtime pid' "$AGENT_LOG" | head -1))"
fi

# 5. The same profile through ctr run and podman run (runc).
out=$T/ctr.out
if ctr_ run --rm --seccomp --seccomp-profile "$PROFILE" \
    docker.io/library/busybox:local t-ctr sh -c "$APP_CMD" >"$out" 2>&1 &&
    grep -qx overridden "$out" && ! grep -q s3cret "$out" &&
    grep -q '/secret.*Permission denied' "$out"; then
	pass "ctr run --seccomp-profile: redirect and errno rules apply"
else
	fail "ctr run --seccomp-profile: $(tr '\n' ' ' <"$out")"
fi
mkdir -p "$T/podman"
cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
netns = "host"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
EOF
out=$T/podman.out
if podman_ load -i "$T/app.tar" >/dev/null 2>&1 &&
    podman_ run --rm --security-opt seccomp="$PROFILE" \
    docker.io/library/busybox:local sh -c "$APP_CMD" >"$out" 2>&1 &&
    grep -qx overridden "$out" && ! grep -q s3cret "$out" &&
    grep -q '/secret.*Permission denied' "$out"; then
	pass "podman run --security-opt seccomp=: redirect and errno rules apply"
else
	fail "podman run --security-opt seccomp=: $(tr '\n' ' ' <"$out")"
fi

# 6. The agent replaced while a pod makes redirected opens continuously:
# not one call may fail. As a DaemonSet rolling update with maxSurge 1 does
# it (deploy/kubernetes/): the new agent pod starts while the old one runs,
# then the old one is stopped (SIGTERM, grace period) once the new one is
# up, perhaps before the hand-over is done.
LOOP_CMD='i=0; f=0; echo started
while [ ! -e /ctl/stop ] && [ $i -lt 200000 ]; do
	c=$(cat /etc/app.conf 2>&1) || f=$((f + 1))
	[ "$c" = overridden ] || { f=$((f + 1)); echo "got: $c"; }
	i=$((i + 1))
done
echo "calls=$i fails=$f"'
rm -f "$T/ctl/stop"
if run_pod app-loop app docker.io/library/busybox:local "$PROFILE" "" \
    "[{\"container_path\": \"/ctl\", \"host_path\": \"$T/ctl\", \"readonly\": true}]" \
    sh -c "$LOOP_CMD"; then
	LOOP=$CID
	OLD_AGENT=$AGENT OLD_LOG=$AGENT_LOG
	sleep 1
	start_agent agent-b || fail "the new agent pod did not become ready"
	# kubelet: StopContainer with terminationGracePeriodSeconds.
	cri stop "$OLD_AGENT" 60 >"$T/stop-a.out" 2>&1
	sleep 1
	touch "$T/ctl/stop"
	cri wait "$LOOP" "$STEP_TIMEOUT" >/dev/null
	out=$(cri logs "$LOOP" | tail -3 | tr '\n' ' ')
	say "old agent: $(grep -E 'hand|successor|stopping' "$OLD_LOG" | tail -2 | tr '\n' ' ')"
	case $out in
	*"calls="*" fails=0"*)
		n=$(echo "$out" | sed -n 's/.*calls=\([0-9]*\).*/\1/p')
		# The new agent answered the looping pod's opens itself.
		if [ "${n:-0}" -gt 0 ] &&
		    [ "$(cri state "$OLD_AGENT")" = CONTAINER_EXITED ] &&
		    grep -q '"/etc/app.conf" rule=app-conf' "$AGENT_LOG"; then
			pass "agent replaced during $n redirected opens: none failed"
		else
			fail "agent replacement: $out; old agent \
$(cri state "$OLD_AGENT"); new agent answered: \
$(grep -c '"/etc/app.conf" rule=app-conf' "$AGENT_LOG") opens"
		fi ;;
	*) fail "agent replaced during redirected opens: $out" ;;
	esac
else
	fail "the looping pod did not start: $(cat "$T/app-loop.err")"
fi

# 7. Agent down: new pods fail closed (they do not run unsupervised).
cri stop "$AGENT" 1 >/dev/null 2>&1
if app_pod app-down "$PROFILE"; then
	fail "agent down, yet the pod ran: $(tr '\n' ' ' <"$T/app-down.out")"
elif grep -qi 'seccomp agent\|listener' "$T/app-down.err"; then
	pass "agent down: the pod fails closed ($(tail -c 160 "$T/app-down.err"))"
else
	fail "agent down: the pod failed, but not for the agent: $(cat "$T/app-down.err")"
fi

# 8. Per-pod rules: a rules file whose [match] names namespace, pod and
# container applies to those containers only (the names come from the
# annotations containerd puts in the OCI state). A new agent with that file
# added: a daemon without [match] refuses the rules, and this check fails.
mkdir -p "$T/rules-match.d"
cp "$T"/rules.d/*.ini "$T/rules-match.d/"
cat >"$T/rules-match.d/60-web.ini" <<EOF
[match]
namespace = unotifyd-*
pod = web-*
container = app

[web-conf]
path = /etc/web.conf
action = redirect
target = /data/override.conf
EOF
APP_CMD='cat /etc/web.conf; cat /etc/app.conf'
if start_agent agent-c "$T/rules-match.d"; then
	app_pod web-1 "$PROFILE"
	app_pod app-plain "$PROFILE"
	web=$(tr '\n' ' ' <"$T/web-1.out" 2>/dev/null)
	plain=$(tr '\n' ' ' <"$T/app-plain.out" 2>/dev/null)
	case "$web|$plain" in
	"overridden overridden exit=0 |web-original overridden exit=0 ")
		pass "[match] rules apply to pod web-1 container app, not to pod app-plain" ;;
	*) fail "[match] rules: pod web-1 printed '$web', pod app-plain '$plain'" ;;
	esac
else
	fail "[match] rules: the agent did not start with them: \
$(grep -i 'match\|error\|invalid' "$AGENT_LOG" 2>/dev/null | head -3 | tr '\n' ' ')"
fi

if [ $failed -ne 0 ]; then
	for l in "$T"/logs/agent-*/agent.log; do
		echo "--- $l (last 30 lines)"
		tail -30 "$l" | sed 's/^/    /'
	done
fi
printf '%s' "$summary"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
