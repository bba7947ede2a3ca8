#!/bin/sh
# SPDX-License-Identifier: MIT
# make check-arm64: cross-build unotifyd and the criterion suite for aarch64
# with clang and a Debian arm64 sysroot, boot Debian's arm64 kernel in
# qemu-system-aarch64 (TCG) on an initramfs holding that root file system
# and the build, run the suite there and print its summary line. Fails when
# any test fails or the VM does not report. Needs root. tests/arm64/README.
#
# Environment: UNOTIFYD_ARM64_CACHE (cached rootfs and kernel, default
# /var/tmp/unotifyd-arm64), MIRROR (default: the Debian archive apt uses
# here), TEST_SLOWDOWN (time limit factor, default 30), VM_TIMEOUT (s,
# default 3600), VM_CPUS (default 2), FILTER (a criterion --filter),
# VM_ARGS (more run-tests options, e.g. --verbose), KEEP=1
# keeps the work dir (serial log, initramfs).
set -eu

cd "$(dirname "$0")/../.."
TOP=$(pwd)
CACHE=${UNOTIFYD_ARM64_CACHE:-/var/tmp/unotifyd-arm64}
ROOT=$CACHE/rootfs
TEST_SLOWDOWN=${TEST_SLOWDOWN:-30}
VM_TIMEOUT=${VM_TIMEOUT:-3600}
VM_CPUS=${VM_CPUS:-2}
FILTER=${FILTER:-}
VM_ARGS=${VM_ARGS:-}
KEEP=${KEEP:-0}
# Host tools. No cross gcc (gcc-aarch64-linux-gnu conflicts with
# gcc-multilib) and no foreign dpkg arch (libcriterion-dev is not
# co-installable): clang --target with the rootfs as --sysroot.
HOST_PKGS="debootstrap qemu-user-static qemu-system-arm clang lld cpio"
# The arm64 root file system: the sysroot to build against and the VM's /.
ROOT_PKGS="libc6-dev,libgcc-12-dev,libseccomp-dev,libev-dev,libinih-dev,\
libjson-c-dev,libsystemd-dev,libcriterion-dev,python3,util-linux,systemd"
XCC="clang --target=aarch64-linux-gnu --sysroot=$ROOT -fuse-ld=lld"

say() { printf 'check-arm64: %s\n' "$*"; }
die() { printf 'check-arm64: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, binfmt_misc); run: sudo make check-arm64"
start=$(date +%s)
work=$(mktemp -d /var/tmp/unotifyd-arm64-run.XXXXXX)
cleanup() { [ "$KEEP" = 1 ] && say "kept $work" || rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. Host packages, never removing one (the apt lock is shared with the
# other install steps of the project).
missing=
for p in $HOST_PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	say "installing$missing"
	flock /tmp/unotifyd-apt.lock env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends --no-remove \
	    $missing >/dev/null || die "apt-get install$missing failed"
fi

# 2. qemu-user for debootstrap's second stage and apt in the chroot.
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
	mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
	/lib/systemd/systemd-binfmt /usr/lib/binfmt.d/qemu-aarch64.conf ||
	    update-binfmts --enable qemu-aarch64 ||
	    die "cannot register qemu-aarch64 with binfmt_misc"
fi

# 3. The rootfs, cached: debootstrap takes minutes. The stamp names the
# package list, so a new list builds a new tree.
mirror=${MIRROR:-$(sed -n 's/^URIs: *\(.*debian\/*\)$/\1/p; s/^deb \(http[^ ]*\/debian\/*\) .*/\1/p' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1)}
mirror=${mirror:-http://deb.debian.org/debian}
if [ "$(cat "$ROOT/.unotifyd-stamp" 2>/dev/null)" != "$ROOT_PKGS" ]; then
	say "debootstrap --arch=arm64 into $ROOT (once: 3 minutes on an idle host, far more on a loaded one) from $mirror"
	rm -rf "$ROOT.new"
	mkdir -p "$CACHE"
	nice timeout 3600 debootstrap --arch=arm64 --variant=minbase \
	    --include="$ROOT_PKGS" bookworm "$ROOT.new" "$mirror" \
	    >"$CACHE/debootstrap.log" 2>&1 ||
	    die "debootstrap failed, see $CACHE/debootstrap.log"
	printf '%s\n' "$ROOT_PKGS" >"$ROOT.new/.unotifyd-stamp"
	rm -rf "$ROOT" "$CACHE/base.cpio" "$CACHE/vmlinuz"
	mv "$ROOT.new" "$ROOT"
fi

# Packages added to the list since a tree was cached go in with apt in the
# tree (the stamp's list is the debootstrap's; these are incremental).
ROOT_ADD="liburing-dev"
for p in $ROOT_ADD; do
	chroot "$ROOT" dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$' && continue
	say "installing $p in $ROOT"
	timeout 1200 chroot "$ROOT" sh -c "apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends --no-remove $p" >/dev/null ||
	    die "apt-get install $p in $ROOT failed"
	rm -f "$CACHE/base.cpio"
done

# 4. Debian's arm64 kernel: only the .deb's vmlinuz (installing the
# package runs initramfs-tools under qemu-user for 20 minutes). It boots
# without modules: the initramfs holds everything.
if [ ! -s "$CACHE/vmlinuz" ]; then
	say "downloading the arm64 kernel"
	timeout 600 chroot "$ROOT" apt-get update -qq >/dev/null ||
	    die "apt-get update in $ROOT failed"
	k=$(chroot "$ROOT" apt-cache depends linux-image-arm64 |
	    sed -n 's/.*Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' | head -n1)
	[ -n "$k" ] || die "no linux-image for arm64 found"
	rm -rf "$ROOT/tmp/kernel" && mkdir -p "$ROOT/tmp/kernel" &&
	    chmod 1777 "$ROOT/tmp/kernel"
	(cd "$ROOT/tmp/kernel" && timeout 600 chroot "$ROOT" sh -c \
	    "cd /tmp/kernel && apt-get download -qq $k") ||
	    die "apt-get download $k failed"
	dpkg-deb --fsys-tarfile "$ROOT"/tmp/kernel/*.deb |
	    tar -x -C "$work" --wildcards './boot/vmlinuz-*'
	mv "$work"/boot/vmlinuz-* "$CACHE/vmlinuz.new"
	rm -rf "$ROOT/tmp/kernel" "$ROOT"/var/lib/apt/lists/*_Packages
	mv "$CACHE/vmlinuz.new" "$CACHE/vmlinuz"
	printf '%s\n' "$k" >"$CACHE/vmlinuz.version"
fi

# 5. Cross-build from a copy of the tree (objects sit next to their
# sources: an in-place build would mix x86_64 and aarch64 objects).
say "cross-building for aarch64 (clang, sysroot $ROOT)"
mkdir -p "$work/u"
git ls-files -co --exclude-standard -z | tar -c --null -T - -f - |
    tar -x -C "$work/u"
cat >"$work/pkg-config" <<PC
#!/bin/sh
PKG_CONFIG_SYSROOT_DIR=$ROOT \
PKG_CONFIG_LIBDIR=$ROOT/usr/lib/aarch64-linux-gnu/pkgconfig:$ROOT/usr/share/pkgconfig \
exec pkg-config "\$@"
PC
chmod 755 "$work/pkg-config"
make -s -C "$work/u" -j"$(nproc)" CC="$XCC" PKG_CONFIG="$work/pkg-config" \
    CFLAGS="-O2 -g -DTEST_SLOWDOWN=$TEST_SLOWDOWN" \
    all tests/run-tests targets >"$work/build.log" 2>&1 ||
    { tail -n 40 "$work/build.log"; die "cross-build failed"; }
file "$work/u/unotifyd" | grep -q 'ARM aarch64' ||
    die "unotifyd is not an aarch64 binary"

# 6. The initramfs: the rootfs's runtime part (cached), then /init and
# the build as /u. Its "." sets /'s mode: the staging dir must be 0755.
if [ ! -s "$CACHE/base.cpio" ] || [ "$ROOT/.unotifyd-stamp" -nt "$CACHE/base.cpio" ]; then
	say "packing the rootfs"
	(cd "$ROOT" && find . -xdev \( -path ./proc -o -path ./sys -o \
	    -path ./dev -o -path ./usr/include -o -path ./usr/share/doc -o \
	    -path ./usr/share/man -o -path ./usr/share/locale -o \
	    -path ./var/cache/apt -o -path ./var/lib/apt/lists -o \
	    -path ./usr/lib/gcc \) -prune -o -print |
	    cpio -o -H newc --quiet) >"$CACHE/base.cpio.new"
	mv "$CACHE/base.cpio.new" "$CACHE/base.cpio"
fi
mkdir -p "$work/stage/proc" "$work/stage/sys" "$work/stage/dev" \
    "$work/stage/run" "$work/stage/tmp"
chmod 755 "$work/stage"
chmod 1777 "$work/stage/tmp"
mv "$work/u" "$work/stage/u"
sed "s|@JOBS@|$VM_CPUS|" tests/arm64/init >"$work/stage/init"
printf '%s\n' "$FILTER" >"$work/stage/u/.vm-filter"
printf '%s\n' "$VM_ARGS" >"$work/stage/u/.vm-args"
chmod 755 "$work/stage/init"
(cd "$work/stage" && find . | cpio -o -H newc --quiet) >"$work/payload.cpio"
cat "$CACHE/base.cpio" "$work/payload.cpio" >"$work/initrd.cpio"

# 7. Boot. pauth-impdef: QARMA pointer authentication in software halves
# the speed of -cpu max.
say "booting $(cat "$CACHE/vmlinuz.version" 2>/dev/null || echo vmlinuz) in qemu-system-aarch64 (TCG, $VM_CPUS CPUs)"
vmstart=$(date +%s)
set +e
timeout -k 10 "$VM_TIMEOUT" qemu-system-aarch64 -M virt \
    -cpu max,pauth-impdef=on -smp "$VM_CPUS" -m 4096 \
    -accel tcg,thread=multi -nographic -no-reboot -nic none \
    -kernel "$CACHE/vmlinuz" -initrd "$work/initrd.cpio" \
    -append "console=ttyAMA0 quiet panic=-1 rdinit=/init" \
    </dev/null >"$work/serial.log" 2>&1
qrc=$?
set -e
tr -d '\r' <"$work/serial.log" | sed -n '/^VM-START/,/^VM-RC=/p' |
    grep -v '^VM-' || true
rc=$(tr -d '\r' <"$work/serial.log" | sed -n 's/^VM-RC=\([0-9]*\).*/\1/p' | tail -n1)
summary=$(tr -d '\r' <"$work/serial.log" | grep 'Synthesis:' | tail -n1)
end=$(date +%s)
say "VM ran $((end - vmstart)) s, total $((end - start)) s"
if [ -z "$rc" ]; then
	tail -n 30 "$work/serial.log"
	die "the VM did not report (qemu exit $qrc${qrc:+; 124 is VM_TIMEOUT})"
fi
say "aarch64: ${summary:-no summary line}"
[ "$rc" = 0 ] || die "the suite failed on aarch64 (exit $rc)"
say "PASS"
