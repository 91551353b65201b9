#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench-linux: /bin/bench under our kernel and under Debian's Linux, on the same QEMU
# machine, disk (build/fs.img, snapshot=on) and bench binary, 1 hart, MEM=128M, under
# -icount shift=0 (one guest instruction = 1 ns of guest time: the figures are instruction
# counts and repeat run to run). Runs alternate, ours then Linux, BL_RUNS times each (3);
# each figure is the median, with its spread when runs disagree. Table: build/bench-vs-linux.txt.
#
# Environment (make sets the first two):
#   BL_VMLINUX, BL_INITRD   Debian's kernel and the initramfs bridge (tools/bench-linux.mk)
#   BL_RUNS                 runs per kernel (3)
#   BL_BENCH                arguments to /bin/bench ("": every benchmark)
#   BL_TIMEOUT              seconds per run (300)
#   BL_SETTLE_MS            guest ms the bridge waits before Linux's /sbin/init (1000): the
#                           kernel's post-boot work otherwise lands in the first benchmark
#                           (getpid read 495 or 441 by run; 441 every run after 300 ms)
#
# The Linux command line is our kernel's QEMU command (make qemu-cmd) with only -kernel and
# -initrd swapped, plus -no-reboot: Linux panics when pid 1 exits, and panic=-1 turns that
# into a reboot, which -no-reboot turns into QEMU's exit. Raw console logs: build/bench-linux/.
set -u
cd "$(dirname "$0")/../.." || exit 1

: "${BL_VMLINUX:?set by make bench-linux}" "${BL_INITRD:?set by make bench-linux}"
runs=${BL_RUNS:-3}
bench_args=${BL_BENCH:-}
out=build/bench-vs-linux.txt
raw=build/bench-linux/runs
mkdir -p "$raw"
rm -f "$raw"/*.log

console="-display none -monitor none -serial stdio"
qemu_cmd() { # CPUS
	make -s --no-print-directory qemu-cmd CPUS="$1" MEM=128M QEMU_CONSOLE="$console"
}

ours_cmd=$(qemu_cmd 1)
linux_cmd=$(echo "$ours_cmd" | sed "s|-kernel build/kernel.elf|-kernel $BL_VMLINUX|; \
	s|-initrd build/initrd.cpio|-initrd $BL_INITRD|")
case "$linux_cmd" in
*"-kernel $BL_VMLINUX"*"-initrd $BL_INITRD"*) ;;
*)
	echo "bench-linux: cannot derive the Linux command from: $ours_cmd" >&2
	exit 1
	;;
esac
linux_boot="console=ttyS0 quiet panic=-1 bridge_settle_ms=${BL_SETTLE_MS:-1000}"
linux_append="$linux_boot -- /bin/bench $bench_args"
ours_append="init=/bin/bench $bench_args"

run() { # LOG CMD APPEND [extra QEMU args]
	log=$1 cmd=$2 append=$3
	shift 3
	start=$(date +%s)
	# shellcheck disable=SC2086
	timeout "${BL_TIMEOUT:-300}" $cmd "$@" -icount shift=0 -append "$append" </dev/null >"$log" 2>&1
	rc=$?
	cnt=$(grep -c "^BENCH" "$log")
	echo "  $(basename "$log" .log): $cnt figures, $(($(date +%s) - start)) s host$([ $rc = 124 ] && echo ', TIMED OUT')"
}

echo "== bench-linux: 1 hart, MEM=128M, -icount shift=0, $runs runs each"
echo "   ours:  $ours_cmd -icount shift=0 -append '$ours_append'"
echo "   Linux: $linux_cmd -no-reboot -icount shift=0 -append '$linux_append'"
i=1
while [ "$i" -le "$runs" ]; do
	n=$(printf %02d "$i")
	run "$raw/ours-1hart-$n.log" "$ours_cmd" "$ours_append"
	run "$raw/linux-1hart-$n.log" "$linux_cmd" "$linux_append" -no-reboot
	i=$((i + 1))
done

pin=tools/bench-linux/linux.pin
{
	echo "Debian $(sed -n 's/^package //p' $pin) $(sed -n 's/^version //p' $pin) vs ours ($(git describe --always --dirty 2>/dev/null))"
	echo "/bin/bench on 1 hart, MEM=128M, same QEMU machine and build/fs.img; -icount shift=0:"
	echo "ns = guest instructions. Median of $runs runs each; ±N% = half the spread over runs."
	echo
	/usr/bin/python3 tools/bench-linux/table.py --linux "$raw"/linux-1hart-*.log \
		--ours "$raw"/ours-1hart-*.log
} >"$out"
cat "$out"
echo "table in $out"
