#!/bin/sh
# SPDX-License-Identifier: MIT
# Demo of unotifyd: a redirect, the copycat form, and an errno rule.
# Run from the repository root after the build: make demo.
set -eu

if [ ! -x ./unotifyd ] || [ ! -e ./copycat ]; then
	echo "demo: ./unotifyd or ./copycat missing; run 'make demo'" >&2
	exit 1
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

heading() {
	printf '\n== %s\n' "$*"
}

# Print a command, then run it.
show() {
	printf '$ %s\n' "$*"
	"$@"
}

# Fail the demo unless the last output was the override.
expect_override() {
	echo "$1"
	if [ "$1" != "developer override" ]; then
		echo "demo: expected 'developer override'" >&2
		exit 1
	fi
}

# The path a program has hard-coded, and the file we want it to read.
mkdir "$dir/etc" "$dir/ro"
echo "hard-coded default" >"$dir/etc/app.conf"
echo "developer override" >"$dir/override.conf"

heading "Without unotifyd: cat reads the hard-coded file"
show cat "$dir/etc/app.conf"

heading "unotifyd run --redirect: the same cat reads the override"
printf '$ ./unotifyd run --redirect %s=%s -- cat %s\n' \
    "$dir/etc/app.conf" "$dir/override.conf" "$dir/etc/app.conf"
out=$(./unotifyd run --redirect "$dir/etc/app.conf=$dir/override.conf" \
    -- cat "$dir/etc/app.conf")
expect_override "$out"

heading "copycat form: COPYCAT=\"SRC DST\" ./copycat -- cat SRC"
printf '$ COPYCAT="%s %s" ./copycat -- cat %s\n' \
    "$dir/etc/app.conf" "$dir/override.conf" "$dir/etc/app.conf"
out=$(COPYCAT="$dir/etc/app.conf $dir/override.conf" ./copycat -- \
    cat "$dir/etc/app.conf")
expect_override "$out"

heading "An errno rule: writes under $dir/ro/ fail with EROFS"
cat >"$dir/readonly.ini" <<EOF
[demo-readonly]
path   = $dir/ro/
action = errno
errno  = EROFS
access = write
EOF
cat "$dir/readonly.ini"
echo
status=0
show ./unotifyd run -r "$dir/readonly.ini" \
    -- sh -c "echo x > '$dir/ro/file'" || status=$?
echo "exit status $status (sh reports the failed redirection)"
if [ "$status" -eq 0 ] || [ -e "$dir/ro/file" ]; then
	echo "demo: the write was not denied" >&2
	exit 1
fi

heading "Done"
echo "See README.md, unotifyd(8) and unotifyd.rules(5) for more."
