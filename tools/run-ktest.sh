#!/bin/sh
# SPDX-License-Identifier: MIT
# run-ktest.sh RESULTS NAME QEMU-COMMAND...: boot the kernel with ktest on the
# command line, show its output, and record "RESULT NAME passed failed".
# A run that hangs (timeout), crashes, or exits non-zero while reporting no
# failure counts as one extra failure, so a broken runner cannot pass.
set -u
results=$1 name=$2
shift 2
log=build/$name.log
mkdir -p build
timeout --foreground "${KTEST_TIMEOUT:-300}" "$@" </dev/null >"$log" 2>&1
status=$?
cat "$log"
passed=$(grep -c '^ok [0-9]' "$log")
failed=$(grep -c '^not ok [0-9]' "$log")
if ! grep -q '^ktest: [0-9]* passed, [0-9]* failed' "$log"; then
	echo "$name: no ktest summary (QEMU status $status)"
	failed=$((failed + 1))
elif [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
	echo "$name: QEMU exited with status $status"
	failed=$((failed + 1))
elif [ "$status" -eq 0 ] && [ "$failed" -ne 0 ]; then
	echo "$name: failures reported but QEMU exited 0"
	failed=$((failed + 1))
fi
echo "RESULT $name $passed $failed" >>"$results"
echo "$name: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
