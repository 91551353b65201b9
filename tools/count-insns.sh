#!/bin/sh
# SPDX-License-Identifier: MIT
# count-insns.sh KBENCH FROM TO [N]: boot the kernel with kbench=KBENCH
# (1 hart, -icount shift=0) under GDB and count, exactly, the instructions
# from the entry of function FROM to the entry of function TO, N times
# (default 70). Example, the same-hart wake-to-poll path:
#   tools/count-insns.sh wake_to_poll_same task_wake lat_poll
set -eu
[ $# -ge 3 ] || { echo "usage: $0 KBENCH FROM TO [N]" >&2; exit 2; }
cd "$(dirname "$0")/.."
sock=$(mktemp -u /tmp/count-insns.XXXXXX)
cmd=$(make -s --no-print-directory qemu-cmd CPUS=1 MEM=512M \
	QEMU_CONSOLE="-display none -monitor none -serial null")
# shellcheck disable=SC2086
$cmd -icount shift=0 -append "kbench=$1" -S \
	-chardev "socket,path=$sock,server=on,wait=off,id=gdb0" -gdb chardev:gdb0 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$sock"' EXIT
for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
timeout 900 gdb-multiarch -batch -nx -ex "file build/kernel.elf" \
	-ex "set \$ci_socket = \"$sock\"" -ex "set \$ci_start = \"kbench_$1\"" \
	-ex "set \$ci_from = \"$2\"" -ex "set \$ci_to = \"$3\"" -ex "set \$ci_n = ${4:-70}" \
	-x tools/gdb/count_insns.py 2>&1 | grep '^COUNT'
