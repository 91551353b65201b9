#!/bin/sh
# SPDX-License-Identifier: MIT
# Run run-testsuite.sh on Linux: the riscv64 busybox-static under qemu-riscv64, in a chroot
# where busybox is the only program, as it will be inside our kernel.
#
# Usage: tests/busybox/qemu-user-chroot.sh [APPLET...]   (as root; EXPECTED=FILE, VERBOSE=1)
#        NATIVE=BUSYBOX tests/busybox/qemu-user-chroot.sh [APPLET...]
#
# NATIVE is the control run: a busybox for the host's own architecture (e.g. trixie's amd64
# busybox-static of the same version), run without qemu and without a user namespace, as
# real root (mknod works). Tests that fail only under qemu are qemu-user's, not Linux's.
#
# How: a new user namespace gets its own binfmt_misc instance (Linux >= 6.7), so registering
# qemu-riscv64 for riscv64 ELF files there makes every exec of busybox (by the kernel, from
# shebangs and from busybox itself) go through qemu, and the host's binfmt_misc and /proc are
# untouched. Flag P keeps argv[0] (busybox picks the applet by it, also when it re-executes
# itself through /proc/self/exe); flag F opens qemu-riscv64 at registration. qemu-riscv64 is
# dynamically linked, so its x86-64 loader and libraries are bind-mounted read-only into the
# chroot (nothing else from the host is). Only uid 0 is mapped (a wider map needs newuidmap,
# package uidmap), and a user namespace may not mknod: the mdev tests fail for that.
# Without binfmt_misc one would need a host wrapper script per applet, and the testsuite's own
# scripts would then run under the host's /bin/sh instead of busybox ash.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/busybox
root=$top/build/busybox-linux/root

if [ "${1:-}" != --inside ]; then
	"$top/tools/debian-fetch.sh" busybox-static busybox
	deb=$top/.cache/debian/deb/busybox-static
	src=$top/.cache/debian/src/busybox
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/tmp" "$root/root" "$root/etc" "$root/dev" "$root/proc" \
		"$root/src" "$root/lib64" "$root/lib/x86_64-linux-gnu"
	chmod 1777 "$root/tmp"
	cp "${NATIVE:-$deb/usr/bin/busybox}" "$root/bin/busybox"
	run=qemu-riscv64
	[ -n "${NATIVE:-}" ] && run=""
	# Every applet at its canonical path (--list-full), as `busybox --install -s` would.
	$run "$root/bin/busybox" --list-full | while read -r p; do
		mkdir -p "$root/$(dirname "$p")"
		[ -e "$root/$p" ] || ln -s /bin/busybox "$root/$p"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
	printf 'root:x:0:\n' >"$root/etc/group"
	printf '127.0.0.1\tlocalhost\n' >"$root/etc/hosts"
	cp -R "$src/testsuite" "$root/src/testsuite"
	cp "$src/debian/config/pkg/static" "$root/src/busybox.config"
	cp "$here/run-testsuite.sh" "$root/src/"
	cp "${EXPECTED:-$here/linux-failures.txt}" "$root/src/expected.txt" 2>/dev/null ||
		: >"$root/src/expected.txt"
	userns=--map-root-user
	[ -n "${NATIVE:-}" ] && userns=""
	exec unshare $userns --mount --pid --uts --fork --kill-child "$0" --inside "$@"
fi
shift

# Inside the namespaces, still seeing the host's file system.
if [ -z "${NATIVE:-}" ]; then
	mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	# ELF, 64-bit, little-endian, ET_EXEC or ET_DYN (mask 0xfe), EM_RISCV (0xf3).
	magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xf3\x00'
	mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
	printf '%s' ":riscv64:M::$magic:$mask:/usr/bin/qemu-riscv64:FP" \
		>/proc/sys/fs/binfmt_misc/register
	mount --bind -o ro /lib64 "$root/lib64"
	mount --bind -o ro /lib/x86_64-linux-gnu "$root/lib/x86_64-linux-gnu"
fi
mount -t proc proc "$root/proc"
# A private /dev: the usual character devices bound from the host, and a new devpts for the
# tests that need a terminal (script, ash line editing).
mount -t tmpfs -o mode=755 dev "$root/dev"
for d in null zero full random urandom tty; do
	: >"$root/dev/$d"
	mount --bind "/dev/$d" "$root/dev/$d"
done
mkdir "$root/dev/pts"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
hostname localhost

exec chroot "$root" /usr/bin/env -i PATH=/sbin:/usr/sbin:/bin:/usr/bin HOME=/root TERM=dumb \
	${VERBOSE:+VERBOSE=1} /bin/sh /src/run-testsuite.sh -b /bin/busybox -c /src/busybox.config \
	-s /src/testsuite -w /tmp/bbtest -e /src/expected.txt "$@"
