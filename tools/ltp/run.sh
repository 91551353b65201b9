#!/bin/sh
# SPDX-License-Identifier: MIT
# Run LTP tests (built by tools/ltp/build.sh into OUT) inside the kernel, one boot, a verdict per
# test: the programs travel on a second disk (ext2, read-only) that the guest mounts at /mnt;
# tools/ltp/guest-run.sh runs each named test with a time limit under busybox ash as root.
# Prints the guest's "LTP name verdict status" lines and a summary; the table goes to
# $B/ltp-results.txt (B: the build folder, build/ by default). Not part of `make test` (docs/ltp.md).
#
# Usage: tools/ltp/run.sh OUT LIST [CPUS] [LIMIT_SECONDS]
set -eu
[ $# -ge 2 ] || { echo "usage: $0 OUT LIST [CPUS] [LIMIT]" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(cd "$1" && pwd)
list=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
cpus=${3:-4}
limit=${4:-60}
b=${B:-$top/build}
stage=$b/ltp-stage
img=$b/ltp.img
rm -rf "$stage" && mkdir -p "$stage"
cp -a "$out/opt" "$stage/"
cp "$top/tools/ltp/guest-run.sh" "$stage/run.sh"
cp "$list" "$stage/list"
kib=$(du -sk "$stage" | cut -f1)
rm -f "$img"
mke2fs -q -F -t ext2 -b 4096 -d "$stage" "$img" $((kib * 12 / 10 + 16384))K
cd "$top"
make -s all B="$b"
cmd=$(make -s --no-print-directory qemu-cmd B="$b" CPUS="$cpus" MEM=512M \
	QEMU_CONSOLE="-display none -monitor none -serial stdio")
# shellcheck disable=SC2086
timeout 14400 $cmd -drive file="$img",if=none,format=raw,id=ltp,readonly=on \
	-device virtio-blk-device,drive=ltp \
	-append "init=/bin/sh -c \"mount -r -t ext2 /dev/vdb /mnt && exec sh /mnt/run.sh /mnt/list $limit\"" \
	</dev/null 2>&1 | tee "$b/ltp-console.log" | grep -E '^(LTP|#)' | tee "$b/ltp-results.txt"
r=$b/ltp-results.txt
echo "ltp: $(grep -c ' PASS ' "$r") pass, $(grep -c ' CONF ' "$r") conf," \
	"$(grep -cE ' (FAIL|BROK|WARN|TIMEOUT) ' "$r") fail, $(grep -c ' MISSING ' "$r") missing"
