#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench: every benchmark, figures collected in build/bench.txt.
#  - in-kernel benchmarks (`kbench` on the command line) under -icount shift=0,
#    where one guest instruction is 1 ns of guest time: ns = instructions;
#  - user-space benchmarks (/bin/bench as init's program), same clock;
#  - idle host CPU of a 4-hart kernel (tools/idle-cpu.sh).
# BENCH_CPUS (default 4) sets the harts for the icount runs.
set -u
cd "$(dirname "$0")/.."
out=build/bench.txt
mkdir -p build
: >"$out"
cpus=${BENCH_CPUS:-4}

qemu_icount() { # APPEND LOG
	cmd=$(make -s --no-print-directory qemu-cmd CPUS="$cpus" MEM="${BENCH_MEM:-512M}" \
		QEMU_CONSOLE="-display none -monitor none -serial stdio" APPEND="$1")
	# shellcheck disable=SC2086
	timeout "${BENCH_TIMEOUT:-600}" $cmd -icount shift=0 </dev/null >"$2" 2>&1
}

echo "== in-kernel benchmarks (-icount shift=0, $cpus harts)"
qemu_icount "kbench" build/kbench.log
grep '^BENCH' build/kbench.log | tee -a "$out"

if [ -f build/initrd.cpio ] && grep -q 'bench' user/user.mk 2>/dev/null; then
	echo "== user benchmarks (-icount shift=0, $cpus harts)"
	qemu_icount "init=/bin/bench" build/ubench.log
	grep '^BENCH' build/ubench.log | tee -a "$out"
fi

echo "== idle host CPU"
tools/idle-cpu.sh 10 | tee -a "$out"
echo "figures in $out"
