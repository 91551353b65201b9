#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench: every benchmark, figures collected in build/bench.txt.
#  - each in-kernel benchmark (KBENCH) in its own boot, under -icount shift=0
#    where one guest instruction is 1 ns of guest time, so ns = instructions;
#    4 harts, MEM=512M, a scratch disk attached for the disk benchmarks;
#  - exact instruction counts of the same-hart wake-to-poll path and of a
#    yield round trip, single-stepped under GDB (1 hart);
#  - the user-space benchmarks (/bin/bench as init's program) under the same
#    clock, MEM=128M, on 1 hart and on 4 harts (and the ping-pong on 2), with
#    norandmaps (no address randomisation: the same layout every run);
#  - idle host CPU of a 4-hart kernel (tools/idle-cpu.sh).
set -u
cd "$(dirname "$0")/.."
out=build/bench.txt
mkdir -p build
: >"$out"

run() { # CPUS MEM APPEND [extra QEMU args...]
	c=$1 m=$2 a=$3
	shift 3
	cmd=$(make -s --no-print-directory qemu-cmd CPUS="$c" MEM="$m" \
		QEMU_CONSOLE="-display none -monitor none -serial stdio")
	# shellcheck disable=SC2086
	timeout "${BENCH_TIMEOUT:-900}" $cmd "$@" -icount shift=0 -append "$a" </dev/null 2>&1 |
		grep '^BENCH' | sed "s/\$/  [cpus=$c mem=$m]/" | tee -a "$out"
}

names=$(riscv64-unknown-elf-nm build/kernel.elf | sed -n 's/.* kbench_desc_\(.*\)$/\1/p' | sort)
make -s --no-print-directory build/scratch.img
echo "== in-kernel benchmarks (-icount shift=0: ns = guest instructions)"
for n in $names; do
	truncate -s 0 build/scratch.img && truncate -s 16M build/scratch.img
	run 4 512M "kbench=$n" -drive file=build/scratch.img,if=none,format=raw,id=s0 \
		-device virtio-blk-device,drive=s0
done

echo "== exact instruction counts (GDB single-steps the path; tools/count-insns.sh)"
tools/count-insns.sh wake_to_poll_same task_wake lat_poll |
	sed 's/^COUNT /BENCH wake_to_poll_same_exact /' | tee -a "$out"
tools/count-insns.sh yield_now yielder_poll yielder_poll |
	sed 's/^COUNT /BENCH yield_now_exact /' | tee -a "$out"

echo "== user benchmarks (-icount shift=0: ns = guest instructions)"
run 1 128M "norandmaps init=/bin/bench"
run 4 128M "norandmaps init=/bin/bench"
run 2 128M "norandmaps init=/bin/bench pingpong thread"

echo "== idle host CPU"
tools/idle-cpu.sh 10 | tee -a "$out"
echo "figures in $out"
