#!/bin/sh
# SPDX-License-Identifier: MIT
# idle-cpu.sh [SECONDS]: boot the kernel with CPUS harts (default 4), let it
# settle at its idle loop, then measure the host CPU time QEMU uses over
# SECONDS (default 10) of wall time. Prints "BENCH idle_cpu <percent> %".
# An idle kernel whose harts sleep in wfi should use well under 5% of a core.
set -eu
secs=${1:-10}
cpus=${CPUS:-4}
cd "$(dirname "$0")/.."
cmd=$(make -s --no-print-directory qemu-cmd CPUS="$cpus" \
	QEMU_CONSOLE="-display none -monitor none -serial file:build/idle-console.log")
# shellcheck disable=SC2086
$cmd >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
# Wait for the banner, then a little more for boot work to finish.
for _ in $(seq 1 100); do
	grep -q "cmdline:" build/idle-console.log 2>/dev/null && break
	sleep 0.1
done
sleep 2
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks)
sleep "$secs"
t1=$(ticks)
pct=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$secs" 'BEGIN { printf "%.2f", (b - a) * 100 / hz / s }')
echo "idle-cpu: QEMU used $((t1 - t0)) ticks of $hz/s in ${secs}s" >&2
echo "BENCH idle_cpu_${cpus}harts $pct % of one host core over ${secs}s"
