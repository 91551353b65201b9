#!/bin/sh
# SPDX-License-Identifier: MIT
# Record tests/debian/expected/ on Linux: tests/debian/run.sh in the staged Debian root
# (tools/debian-root.sh) under qemu-riscv64, every riscv64 exec (bash's children, python's
# subprocesses and multiprocessing's workers) routed through qemu by a binfmt_misc instance
# of a private user namespace (Linux >= 6.7), as tests/busybox/qemu-user-chroot.sh does.
# qemu-riscv64's x86-64 loader and libraries are bind-mounted read-only into the root;
# /proc, /dev/null & co are the host's. Run as root: make debian-root-linux.
#
# Usage: tests/debian/record-linux.sh STAGE
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
root=$(cd "$1" && pwd)

if [ "${2:-}" != --inside ]; then
	exec unshare --map-root-user --mount --pid --uts --fork --kill-child "$0" "$1" --inside
fi

mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xf3\x00'
mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
printf '%s' ":riscv64:M::$magic:$mask:/usr/bin/qemu-riscv64:FP" >/proc/sys/fs/binfmt_misc/register
mkdir -p "$root/lib64" "$root/usr/lib/x86_64-linux-gnu"
mount --bind -o ro /lib64 "$root/lib64"
mount --bind -o ro /lib/x86_64-linux-gnu "$root/usr/lib/x86_64-linux-gnu"
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=755 dev "$root/dev"
for d in null zero full random urandom tty; do
	: >"$root/dev/$d"
	mount --bind "/dev/$d" "$root/dev/$d"
done
mkdir -m 1777 "$root/dev/shm"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
hostname localhost
out=$top/tests/debian/expected
mkdir -p "$out"
chroot "$root" /usr/bin/env -i /usr/bin/bash /t/run.sh >"$out/run.log" 2>&1 || true
# One file per script: the lines between its markers, and its status line.
awk -v dir="$out" '
	/^@@@ begin / { f = dir "/" $3 ".out"; printf "" > f; next }
	/^@@@ end / { print "status " $5 >> f; close(f); f = ""; next }
	f { print >> f }' "$out/run.log"
rm -f "$out/run.log"
ls -l "$out"
