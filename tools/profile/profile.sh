#!/bin/sh
# SPDX-License-Identifier: MIT
# profile.sh 'INIT ARGS SMALL' 'INIT ARGS BIG' OPS [N]: where the instructions of an operation
# go, by function. Boots the kernel twice (1 hart, -icount shift=0) with the insnprof plugin,
# as init=SMALL and init=BIG (the same program doing OPS more operations in BIG), and prints
# the difference per operation by function (tools/profile/symbolize.py), top N (40).
# Boot and fixed costs cancel out. User addresses are named from PROFILE_USER_ELF
# (build/user/bin/bench). Example, fork+exec+exit+wait:
#   tools/profile/profile.sh '/bin/bench -n 1 exec' '/bin/bench -n 2 exec' 200
set -eu
[ $# -ge 3 ] || { echo "usage: $0 'SMALL' 'BIG' OPS [N]" >&2; exit 2; }
cd "$(dirname "$0")/../.."
so=$(tools/profile/build.sh)
out=build/profile
mkdir -p "$out"
cmd=$(make -s --no-print-directory qemu-cmd CPUS=1 MEM="${MEM:-128M}" \
	QEMU_CONSOLE="-display none -monitor none -serial stdio")
for which in small big; do
	[ "$which" = small ] && a=$1 || a=$2
	# shellcheck disable=SC2086
	timeout "${PROFILE_TIMEOUT:-900}" $cmd -icount shift=0 \
		-plugin "$so,out=$out/$which.txt" -append "init=$a" </dev/null >"$out/$which.log" 2>&1
	grep '^BENCH' "$out/$which.log" | sed "s/^/# $which: /" || true
done
/usr/bin/python3 tools/profile/symbolize.py "$out/small.txt" "$out/big.txt" "$3" \
	build/kernel.elf "${PROFILE_USER_ELF:-build/user/bin/bench}" --top "${4:-40}"
