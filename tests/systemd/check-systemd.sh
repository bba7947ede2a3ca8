#!/bin/sh
# SPDX-License-Identifier: MIT
# make check-systemd: boot a minimal Debian tree with systemd-nspawn, install
# the unotifyd package (make deb) in it, and check socket activation, that
# members of the unotifyd group may use `unotifyd exec` and others may not,
# reload with good and bad rules, restart while targets keep calling (no
# ENOSYS), restart with bad rules (targets served by the last rules that
# loaded), signals reaching a `run` command once, decisions in the journal
# with fields (UNOTIFYD_RULE=...) and rate-limited, and the unit's security
# exposure. Needs root, debootstrap and systemd-container.
set -eu

cd "$(dirname "$0")/../.."
BASE=${UNOTIFYD_DEB_BASE:-/var/tmp/unotifyd-deb}
ROOT=$(mktemp -d /var/tmp/unotifyd-nspawn.XXXXXX)
MACHINE=unotifyd-check-$$
passed=0
failed=0
NSPAWN_PID=
UMOUNT_NSPAWN=

cleanup() {
	if [ -n "$NSPAWN_PID" ]; then
		kill -TERM "$NSPAWN_PID" 2>/dev/null || true
		sleep 1
		kill -KILL "$NSPAWN_PID" 2>/dev/null || true
		wait "$NSPAWN_PID" 2>/dev/null || true
	fi
	rm -rf "$ROOT" "$ROOT.log" "$ROOT.deb.log"
	[ -z "$UMOUNT_NSPAWN" ] || umount /run/systemd/nspawn 2>/dev/null || true
}
trap cleanup EXIT INT TERM

say() { printf '%s\n' "check-systemd: $*"; }
ok() { passed=$((passed + 1)); say "PASS $*"; }
bad() { failed=$((failed + 1)); say "FAIL $*"; }

[ "$(id -u)" = 0 ] || { say "needs root"; exit 1; }
missing=
for p in debootstrap systemd-container; do
	dpkg-query -W -f='${Status}\n' $p 2>/dev/null |
	    grep -q '^install ok installed$' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	say "installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-remove \
	    --no-install-recommends $missing >/dev/null
fi

# The base tree is cached: debootstrap takes minutes.
if [ ! -x "$BASE/lib/systemd/systemd" ]; then
	say "debootstrap into $BASE (once)"
	rm -rf "$BASE"
	timeout 1200 debootstrap --variant=minbase \
	    --include=systemd,systemd-sysv,dbus,libev4,libinih1,libjson-c5,libseccomp2 \
	    bookworm "$BASE" http://deb.debian.org/debian >/dev/null
fi
cp -a "$BASE/." "$ROOT/"
for lib in libev4 libinih1 libjson-c5; do
	chroot "$ROOT" dpkg-query -W $lib >/dev/null 2>&1 ||
	    timeout 600 chroot "$ROOT" sh -c "DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-remove $lib" >/dev/null
done

# The package, as an operator installs it: its postinst creates the group
# (sysusers.d) and enables the socket.
make -s deb >"$ROOT.deb.log" 2>&1 || { tail -30 "$ROOT.deb.log"; say "make deb failed"; exit 1; }
deb=$(ls deb/unotifyd_*_"$(dpkg --print-architecture)".deb)
cp "$deb" "$ROOT/tmp/unotifyd.deb"
if ! out=$(timeout 300 chroot "$ROOT" sh -c 'DEBIAN_FRONTEND=noninteractive \
    dpkg -i /tmp/unotifyd.deb' 2>&1); then
	printf '%s\n' "$out"
	say "dpkg -i $deb failed in the tree"
	exit 1
fi
rm -f "$ROOT/tmp/unotifyd.deb"
say "installed $(basename "$deb")"
make -s tests/targets/sigcount
install -m 755 tests/targets/sigcount "$ROOT/usr/local/bin/sigcount"
mkdir -p "$ROOT/etc/unotifyd/rules.d" "$ROOT/srv/app"
echo original >"$ROOT/srv/app/app.conf"
echo first >"$ROOT/srv/app/first.conf"
echo second >"$ROOT/srv/app/second.conf"
rules() {
	printf '[app]\npath = /srv/app/app.conf\naction = redirect\ntarget = %s\n' \
	    "$1" >"$ROOT/etc/unotifyd/rules.d/app.ini"
}
rules /srv/app/first.conf
# Who may use the daemon: alice is in the unotifyd group, bob is not.
chroot "$ROOT" useradd -M -G unotifyd alice
chroot "$ROOT" useradd -M bob

# Without systemd as the host's init, nspawn cannot register the machine
# nor use a unit, and refuses to clean its propagation directory unless it
# is on a temporary file system.
mkdir -p /run/systemd/nspawn
if ! mountpoint -q /run/systemd/nspawn; then
	mount -t tmpfs tmpfs /run/systemd/nspawn
	UMOUNT_NSPAWN=1
fi
say "booting $ROOT"
systemd-nspawn -q -D "$ROOT" -M "$MACHINE" --register=no --keep-unit -b \
    >"$ROOT.log" 2>&1 </dev/null &
NSPAWN_PID=$!

# The container's init.
LEADER=
for i in $(seq 100); do
	# Its child, or a grandchild when nspawn forks twice.
	for c in $(pgrep -P "$NSPAWN_PID" || true); do
		for g in "$c" $(pgrep -P "$c" || true); do
			[ -z "$LEADER" ] &&
			    [ "$(cat /proc/$g/comm 2>/dev/null)" = systemd ] &&
			    LEADER=$g
		done
	done
	[ -n "$LEADER" ] && break
	sleep 0.2
done
[ -n "$LEADER" ] || { cat "$ROOT.log"; say "container did not start"; exit 1; }
ct() { timeout 60 nsenter -t "$LEADER" -a -- "$@"; }
for i in $(seq 150); do
	state=$(ct systemctl is-system-running 2>/dev/null || true)
	case $state in running|degraded) break ;; esac
	sleep 0.2
done
say "container state: $state"

# 1. socket activation: the first exec starts the service.
if out=$(ct unotifyd exec -- cat /srv/app/app.conf) && [ "$out" = first ]; then
	ok "socket activation: exec redirected through the activated daemon"
else
	bad "socket activation: got '$out'"; ct journalctl -q --no-pager -u unotifyd.service -u unotifyd.socket | tail -20
fi
[ "$(ct systemctl is-active unotifyd.service)" = active ] &&
    ok "unotifyd.service is active" || bad "unotifyd.service is not active"

# 1b. The socket is root:unotifyd 0660; a member's commands are supervised,
# with the member's own credentials; anyone else is refused.
perm=$(ct stat -c '%U:%G %a' /run/unotifyd/unotifyd.sock 2>&1)
[ "$perm" = "root:unotifyd 660" ] && ok "socket is $perm" ||
    bad "socket is '$perm', expected root:unotifyd 660"
if out=$(ct setpriv --reuid alice --regid alice --init-groups -- \
    unotifyd exec -- sh -c 'id -un; cat /srv/app/app.conf' 2>&1) &&
    [ "$(echo "$out" | tr '\n' ' ')" = "alice first " ]; then
	ok "a member of group unotifyd can use unotifyd exec (as alice)"
else
	bad "group member alice: unotifyd exec gave '$out'"
fi
if out=$(ct setpriv --reuid bob --regid bob --init-groups -- \
    unotifyd exec -- cat /srv/app/app.conf 2>&1); then
	bad "bob, not in group unotifyd, could use unotifyd exec: '$out'"
else
	case $out in
	*"ermission denied"*) ok "a non-member is refused: $out" ;;
	*) bad "non-member bob: unexpected failure '$out'" ;;
	esac
fi

# The number of journal lines of the daemon matching $1.
logcount() {
	ct journalctl -u unotifyd -q --no-pager -o cat | grep -c "$1" || true
}
# Reload, and wait until the daemon says it is done with it.
reload() {
	before=$(logcount 'reload')
	ct systemctl reload unotifyd.service || true
	for i in $(seq 50); do
		[ "$(logcount 'reload')" -gt "$before" ] && return 0
		sleep 0.1
	done
	say "no reload logged"
}

# 2. reload with good rules.
rules /srv/app/second.conf
reload
if out=$(ct unotifyd exec -- cat /srv/app/app.conf) && [ "$out" = second ]; then
	ok "reload with good rules takes effect"
else
	bad "reload with good rules: got '$out'"
fi

# 3. reload with bad rules: systemctl reload fails (ExecReload checks them
# first), the errors are logged as FILE:LINE, the old rules stay.
printf '[broken]\npath = relative\n' >"$ROOT/etc/unotifyd/rules.d/zz-bad.ini"
if ct systemctl reload unotifyd.service 2>/dev/null; then
	bad "systemctl reload with bad rules exited 0"
else
	ok "systemctl reload with bad rules exits non-zero"
fi
if ct journalctl -u unotifyd -q --no-pager | grep -q 'zz-bad.ini:[0-9]'; then
	ok "bad rules logged with FILE:LINE"
else
	bad "bad rules not logged with FILE:LINE"
fi
if out=$(ct unotifyd exec -- cat /srv/app/app.conf) && [ "$out" = second ]; then
	ok "previous rules stay in force after a bad reload"
else
	bad "after a bad reload: got '$out'"
fi
rm -f "$ROOT/etc/unotifyd/rules.d/zz-bad.ini"
reload

# 4. restart while a target keeps making notified calls: none fails.
ct sh -c 'unotifyd exec -- sh -c "
	i=0; fails=0
	while [ \$i -lt 400 ]; do
		c=\$(cat /srv/app/app.conf 2>&1) || fails=\$((fails+1))
		[ \"\$c\" = second ] || fails=\$((fails+1))
		i=\$((i+1))
	done
	echo fails=\$fails" >/srv/loop.out 2>&1' &
LOOP=$!
sleep 0.3
ct systemctl restart unotifyd.service
wait $LOOP || true
out=$(cat "$ROOT/srv/loop.out")
case $out in
fails=0) ok "restart during 400 redirected opens: no failure" ;;
*) bad "restart during redirected opens: $out" ;;
esac
if ct journalctl -u unotifyd -q --no-pager | grep -q 'fd store: resuming'; then
	ok "restarted daemon resumed listeners from the fd store"
else
	bad "no listener resumed from the fd store"
fi

# 5. restart with a bad rules file while a target waits: the new daemon
# serves it by the last rules that loaded (no ENOSYS), stays active, and
# says so in its status and log.
rm -f "$ROOT/srv/go" "$ROOT/srv/wait.out"
ct sh -c 'unotifyd exec -- sh -c "cat /srv/app/app.conf
	while [ ! -e /srv/go ]; do sleep 0.1; done
	cat /srv/app/app.conf" >/srv/wait.out 2>&1' &
WAITER=$!
for i in $(seq 50); do
	[ -s "$ROOT/srv/wait.out" ] && break
	sleep 0.1
done
printf '[broken]\npath = relative\n' >"$ROOT/etc/unotifyd/rules.d/zz-bad.ini"
ct systemctl restart unotifyd.service || true
if [ "$(ct systemctl is-active unotifyd.service)" = active ]; then
	ok "restart with bad rules: the daemon is active"
else
	bad "restart with bad rules: the daemon is $(ct systemctl is-active unotifyd.service)"
	ct journalctl -u unotifyd -q --no-pager | tail -20
fi
if ct systemctl show -p StatusText --value unotifyd.service |
    grep -q 'RULES ON DISK ARE INVALID'; then
	ok "restart with bad rules: STATUS says the rules are invalid"
else
	bad "restart with bad rules: status '$(ct systemctl show -p StatusText --value unotifyd.service)'"
fi
if ct journalctl -u unotifyd -q --no-pager | grep -q 'serving with the last rules that loaded'; then
	ok "restart with bad rules: logged, last rules that loaded kept"
else
	bad "restart with bad rules: not logged"
fi
touch "$ROOT/srv/go"
wait $WAITER || true
out=$(cat "$ROOT/srv/wait.out" | tr '\n' ' ')
if [ "$out" = "second second " ]; then
	ok "restart with bad rules: the waiting target is served by the kept rules"
else
	bad "restart with bad rules: the target got '$out'"
fi
if out=$(ct unotifyd exec -- cat /srv/app/app.conf) && [ "$out" = second ]; then
	ok "restart with bad rules: new targets get the kept rules"
else
	bad "restart with bad rules: a new target got '$out'"
fi
rm -f "$ROOT/etc/unotifyd/rules.d/zz-bad.ini"
reload
if ct systemctl show -p StatusText --value unotifyd.service |
    grep -q 'INVALID'; then
	bad "fixed rules: the status still says invalid"
else
	ok "fixed rules: reload clears the invalid status"
fi

# 6. signals: a SIGTERM that systemd sends to every process of a unit
# running `unotifyd run` reaches the command once (KillMode=control-group),
# and one sent to unotifyd alone (KillMode=mixed, or kill(1) of the main
# process) still reaches it. sigcount counts the SIGTERMs it handles.
# sigcase NAME KILLMODE HOW (HOW: stop, or kill for kill -TERM MAINPID)
sigcase() {
	rm -f "$ROOT/srv/$1.out" "$ROOT/srv/$1.stop"
	printf '[Service]\nExecStart=/usr/bin/unotifyd run -- /usr/local/bin/sigcount /srv/%s.stop\nStandardOutput=file:/srv/%s.out\nKillMode=%s\nTimeoutStopSec=60\n' \
	    "$1" "$1" "$2" >"$ROOT/etc/systemd/system/$1.service"
	ct systemctl daemon-reload
	ct systemctl start "$1.service"
	for i in $(seq 100); do
		grep -q ready "$ROOT/srv/$1.out" 2>/dev/null && break
		sleep 0.1
	done
	if [ "$3" = stop ]; then
		ct systemctl stop --no-block "$1.service"
	else
		ct sh -c "kill -TERM \$(systemctl show -p MainPID --value $1.service)"
	fi
	for i in $(seq 100); do
		grep -q '^TERM$' "$ROOT/srv/$1.out" 2>/dev/null && break
		sleep 0.1
	done
	# Room for a second delivery, had there been one.
	sleep 1
	touch "$ROOT/srv/$1.stop"
	for i in $(seq 100); do
		grep -q '^TERM [0-9]' "$ROOT/srv/$1.out" 2>/dev/null && break
		sleep 0.1
	done
	ct systemctl stop "$1.service" 2>/dev/null || true
	out=$(grep '^TERM [0-9]' "$ROOT/srv/$1.out" 2>/dev/null || true)
	if [ "$out" = "TERM 1" ]; then
		ok "signals: KillMode=$2, $3: the command got one SIGTERM"
	else
		bad "signals: KillMode=$2, $3: the command got '$out'"
		cat "$ROOT/srv/$1.out" 2>/dev/null
	fi
}
sigcase sig-cg control-group stop
sigcase sig-mixed mixed stop
sigcase sig-kill control-group kill

# 6b. with -v, each decision reaches the journal with fields, so that
# journalctl UNOTIFYD_RULE=app finds it; a flood of decisions is cut at the
# burst (1000 in 10 s) and what was dropped is counted.
mkdir -p "$ROOT/etc/systemd/system/unotifyd.service.d"
printf '[Service]\nExecStart=\nExecStart=/usr/bin/unotifyd serve -v\n' \
    >"$ROOT/etc/systemd/system/unotifyd.service.d/verbose.conf"
ct systemctl daemon-reload
ct systemctl restart unotifyd.service
since=$(date +%s)
ct unotifyd exec -- cat /srv/app/app.conf >/dev/null || true
sleep 1
j=$(ct journalctl -q --no-pager -o export --since="@$since" \
    UNOTIFYD_RULE=app UNOTIFYD_CALL=openat 2>&1 || true)
if echo "$j" | grep -q '^UNOTIFYD_PATH=/srv/app/app.conf$' &&
    echo "$j" | grep -q '^UNOTIFYD_ANSWER=redirect$' &&
    echo "$j" | grep -q '^OBJECT_PID=[0-9]' &&
    echo "$j" | grep -q '^_SYSTEMD_UNIT=unotifyd.service$' &&
    echo "$j" | grep -q '^PRIORITY=7$'; then
	ok "journalctl UNOTIFYD_RULE=app UNOTIFYD_CALL=openat finds the decision, with its fields"
else
	bad "no decision with fields in the journal: $(echo "$j" | head -30)"
fi
since=$(date +%s)
ct unotifyd exec -- sh -c 'i=0; while [ $i -lt 3000 ]; do
	: </srv/app/app.conf; i=$((i + 1)); done' || true
sleep 1
n=$(ct journalctl -q --no-pager -o cat --since="@$since" UNOTIFYD_RULE=app |
    wc -l)
# The window ends, the next timer tick reports the count.
for i in $(seq 30); do
	sup=$(ct journalctl -q --no-pager -o cat --since="@$since" \
	    -u unotifyd.service | grep -c 'more suppressed)' || true)
	[ "$sup" -gt 0 ] && break
	sleep 1
done
if [ "$n" -ge 900 ] && [ "$n" -le 1100 ] && [ "$sup" -gt 0 ]; then
	ok "3000 decisions in a burst: $n journal entries, the rest counted ($(ct journalctl -q --no-pager -o cat --since="@$since" -u unotifyd.service | grep 'more suppressed)' | sed 's/.*(//' | head -1)"
else
	bad "decision flood: $n entries with UNOTIFYD_RULE=app, suppressed-count lines: $sup"
fi
rm -f "$ROOT/etc/systemd/system/unotifyd.service.d/verbose.conf"
ct systemctl daemon-reload
ct systemctl restart unotifyd.service

# 7. the unit as installed: verify and security exposure.
# The minimal tree has no man(1) to look the pages up: check the package
# put them there (compressed, as Debian ships them).
if v=$(ct systemd-analyze verify --man=no unotifyd.service unotifyd.socket 2>&1) &&
    [ -z "$v" ] && [ -f "$ROOT/usr/share/man/man8/unotifyd.8.gz" ] &&
    [ -f "$ROOT/usr/share/man/man5/unotifyd.rules.5.gz" ]; then
	ok "systemd-analyze verify clean, man pages installed"
else
	bad "systemd-analyze verify: '$v', or man pages missing: \
$(ls "$ROOT"/usr/share/man/man8/unotifyd* "$ROOT"/usr/share/man/man5/unotifyd* 2>&1)"
fi
score=$(ct systemd-analyze security unotifyd.service --no-pager 2>/dev/null |
    sed -n 's/.*exposure level for unotifyd.service: \([0-9.]*\).*/\1/p')
say "security exposure: $score"
case $score in
[0-2].*|3.0) ok "security exposure $score <= 3.0" ;;
*) bad "security exposure '$score'" ;;
esac

printf '%s passed, %s failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
