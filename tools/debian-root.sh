#!/bin/sh
# SPDX-License-Identifier: MIT
# Stage the Debian userland of the dynamic-linking test: the pinned trixie riscv64 packages
# below (tools/debian-pins.txt), unpacked with dpkg-deb -x (tools/debian-fetch.sh) into one
# /usr-merged tree, plus tests/debian/ as /t and what a chroot needs (/etc/passwd, /dev
# nodes made by debugfs in the image, /tmp, /dev/shm for multiprocessing's semaphores).
#
# Usage: tools/debian-root.sh STAGE   (then tools/debian-root.mk makes the ext2 image)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
stage=$1
PKGS="libc6 libgcc-s1 bash libtinfo6 coreutils libacl1 libattr1 libcap2 libgmp10 libselinux1
libpcre2-8-0 libssl3t64 libzstd1 zlib1g libsystemd0 python3-minimal python3.13-minimal
libpython3.13-minimal libexpat1 libpython3.13-stdlib libffi8"

# shellcheck disable=SC2086
"$top/tools/debian-fetch.sh" $PKGS
rm -rf "$stage"
mkdir -p "$stage/usr"
for p in $PKGS; do
	cp -a "$top/.cache/debian/deb/$p/." "$stage/"
done
cd "$stage"
# /usr-merged, as a trixie system is: PT_INTERP is /lib/ld-linux-riscv64-lp64d.so.1.
ln -s usr/bin bin
ln -s usr/sbin sbin
ln -s usr/lib lib
# What a test never reads, so the image stays small.
rm -rf usr/share/doc usr/share/man usr/share/info usr/share/locale usr/share/lintian \
	usr/lib/python3.13/test usr/lib/python3.13/idlelib usr/lib/python3.13/tkinter \
	usr/lib/python3.13/ensurepip usr/lib/python3.13/pydoc_data usr/lib/riscv64-linux-gnu/gconv
mkdir -p etc root tmp dev/shm proc t
chmod 1777 tmp dev/shm
printf 'root:x:0:0:root:/root:/usr/bin/bash\nuser:x:1000:1000:user:/tmp:/usr/bin/bash\n' >etc/passwd
printf 'root:x:0:\nuser:x:1000:\n' >etc/group
cp "$top"/tests/debian/*.sh "$top"/tests/debian/*.py t/
find . -exec touch -h -d @0 {} +
