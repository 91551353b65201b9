#!/bin/sh
# SPDX-License-Identifier: MIT
# Boot QEMU running liburing's test programs (tools/liburing-test.mk), keep the console output
# in $(B)/<suite>.log, print the verdicts and the summary, and append
# "RESULT <suite> <passed> <failed>" to RESULTS: passed = tests that passed or skipped
# themselves (a feature the test probes for is missing, as liburing's runtests.sh counts it),
# failed = tests that failed, or 1 if the run never reached its summary (a hang, a panic).
# Usage: run-liburing-tests.sh RESULTS SUITE TIMEOUT_S QEMU ARGS...
set -u
results=$1 suite=$2 limit=$3
shift 3
log=$(dirname "$results")/$suite.log
mkdir -p "$(dirname "$results")"
timeout "$limit" "$@" -display none -monitor none -serial file:"$log" </dev/null >/dev/null 2>&1
status=$?
grep -a -E '^(fail|skip|      )' "$log"
sum=$(grep -a '^liburing-tests: ' "$log" | tail -n 1)
if [ -z "$sum" ]; then
	echo "$suite: no summary (QEMU status $status); last lines of $log:"
	tail -n 20 "$log"
	echo "RESULT $suite 0 1" >>"$results"
	exit 1
fi
echo "$sum"
set -- $(echo "$sum" | sed -n 's/^liburing-tests: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\1 \2 \3/p')
echo "RESULT $suite $(($1 + $3)) $2" >>"$results"
[ "$2" = 0 ] && [ "$status" = 0 ]
