#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench-linux: /bin/bench under our kernel and under Debian's Linux, on the same QEMU
# machine, disk (build/fs.img, snapshot=on) and bench binary, MEM=128M. Runs alternate, ours
# then Linux. Table: build/bench-vs-linux.txt.
#  1. 1 hart under -icount shift=0 (one guest instruction = 1 ns of guest time: the figures
#     are instruction counts and all but repeat run to run), BL_RUNS times each (3); each
#     figure is the median, with its spread when the runs disagree.
#  2. BL_SMP_CPUS harts (2) by host time, without -icount, BL_SMP_RUNS times each (3):
#     ratios only, marked noisy. QEMU 7.2 cannot run Linux on more than one hart under
#     -icount: its round-robin loop (accel/tcg/tcg-accel-ops-rr.c) gives the first runnable
#     vCPU the whole budget up to the next timer deadline and every later one a budget of 0,
#     so hart 1 only runs while hart 0 sleeps in wfi (or the I/O thread kicks all vCPUs).
#     Linux's hart 0 spins waiting on hart 1 (OpenSBI's remote-fence sync, stop_machine), so
#     it crawls. (Newer QEMU splits the budget among the vCPUs: icount_percpu_budget.) Our
#     kernel waits in wfi.
#     Under -icount the guest clock also sums the instructions of all harts, so multi-hart
#     figures would not be per-hart instruction counts anyway.
#
# Environment (make sets the first two):
#   BL_VMLINUX, BL_INITRD   Debian's kernel and the initramfs bridge (tools/bench-linux.mk)
#   BL_RUNS                 1-hart runs per kernel (3)
#   BL_SMP_CPUS             harts for the host-time part (2; the 2-core host runs 2 in parallel)
#   BL_SMP_RUNS             host-time runs per kernel (3; 0 skips the part)
#   BL_SMP_BENCH            /bin/bench arguments there ("getpid pingpong fork exec pipe": the
#                           process figures; maxproc counts the same as on 1 hart, and the fs
#                           figures by host time measure the host's disk more than a kernel)
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
smp=${BL_SMP_CPUS:-2}
smp_runs=${BL_SMP_RUNS:-3}
smp_bench=${BL_SMP_BENCH-getpid pingpong fork exec pipe}
bench_args=${BL_BENCH:-}
out=build/bench-vs-linux.txt
raw=build/bench-linux/runs
mkdir -p "$raw"
rm -f "$raw"/*.log

console="-display none -monitor none -serial stdio"
qemu_cmd() { # CPUS
	make -s --no-print-directory qemu-cmd CPUS="$1" MEM=128M QEMU_CONSOLE="$console"
}

linux_of() { # OUR_QEMU_CMD: the same command with Debian's kernel and our bridge
	echo "$1" | sed "s|-kernel build/kernel.elf|-kernel $BL_VMLINUX|; \
		s|-initrd build/initrd.cpio|-initrd $BL_INITRD|"
}
ours_cmd=$(qemu_cmd 1)
linux_cmd=$(linux_of "$ours_cmd")
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

run() { # LOG CMD APPEND [extra QEMU args...]
	log=$1 cmd=$2 append=$3
	shift 3
	start=$(date +%s)
	# shellcheck disable=SC2086
	timeout "${BL_TIMEOUT:-300}" $cmd "$@" -append "$append" </dev/null >"$log" 2>&1
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
	run "$raw/ours-1hart-$n.log" "$ours_cmd" "$ours_append" -icount shift=0
	run "$raw/linux-1hart-$n.log" "$linux_cmd" "$linux_append" -icount shift=0 -no-reboot
	i=$((i + 1))
done

if [ "$smp" -gt 1 ] && [ "$smp_runs" -gt 0 ]; then
	ours_smp=$(qemu_cmd "$smp")
	linux_smp=$(linux_of "$ours_smp")
	echo "== bench-linux: $smp harts, MEM=128M, host time (no -icount), $smp_runs runs each: $smp_bench"
	i=1
	while [ "$i" -le "$smp_runs" ]; do
		n=$(printf %02d "$i")
		run "$raw/ours-${smp}harts-$n.log" "$ours_smp" "init=/bin/bench $smp_bench"
		run "$raw/linux-${smp}harts-$n.log" "$linux_smp" \
			"$linux_boot -- /bin/bench $smp_bench" -no-reboot
		i=$((i + 1))
	done
fi

pin=tools/bench-linux/linux.pin
{
	echo "Debian $(sed -n 's/^package //p' $pin) $(sed -n 's/^version //p' $pin) vs ours ($(git describe --always --dirty 2>/dev/null))"
	echo "/bin/bench on 1 hart, MEM=128M, same QEMU machine and build/fs.img; -icount shift=0:"
	echo "ns = guest instructions. Median of $runs runs each; ±N% = half the spread over runs."
	echo
	/usr/bin/python3 tools/bench-linux/table.py --linux "$raw"/linux-1hart-*.log \
		--ours "$raw"/ours-1hart-*.log
	if [ "$smp" -gt 1 ] && [ "$smp_runs" -gt 0 ]; then
		echo
		echo "$smp harts, host time (no -icount; QEMU 7.2 cannot run SMP Linux under it), runs"
		echo "interleaved: median of the $smp_runs per-pair ratios and their range. Noisy: host time"
		echo "follows the host's load. A figure's name can differ by side (pipe_pingpong_cross: the"
		echo "two processes ran on different harts)."
		echo
		/usr/bin/python3 tools/bench-linux/table.py --noisy \
			--linux "$raw"/linux-"$smp"harts-*.log --ours "$raw"/ours-"$smp"harts-*.log
	fi
} >"$out"
cat "$out"
echo "table in $out"
