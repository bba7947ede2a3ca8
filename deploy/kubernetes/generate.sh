#!/bin/sh
# SPDX-License-Identifier: MIT
# Write the generated examples from rules/: configmap.yaml (the rules as a
# ConfigMap) and seccomp/*.json (the Localhost profiles `unotifyd profile`
# makes for them). usage: generate.sh UNOTIFYD [OUTDIR]; make deploy-examples
# runs it here, make check into a temporary directory to compare.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
unotifyd=$1
out=${2:-$here}
sock=/run/unotifyd/unotifyd.sock
mkdir -p "$out/seccomp"
{
	echo "# SPDX-License-Identifier: MIT"
	echo "# Generated from deploy/kubernetes/rules/ by generate.sh: edit those."
	echo "# The agent's rules: mounted at /etc/unotifyd/rules.d (daemonset.yaml)."
	echo "apiVersion: v1"
	echo "kind: ConfigMap"
	echo "metadata:"
	echo "  name: unotifyd-rules"
	echo "  namespace: kube-system"
	echo "data:"
	for f in "$here"/rules/*.ini; do
		echo "  $(basename "$f"): |"
		sed 's/^/    /; s/^    $//' "$f"
	done
} >"$out/configmap.yaml"
"$unotifyd" profile -r "$here/rules" --listener-path "$sock" \
    >"$out/seccomp/unotifyd.json"
"$unotifyd" profile -r "$here/rules" --listener-path "$sock" \
    --metadata rules=legacy >"$out/seccomp/unotifyd-legacy.json"
