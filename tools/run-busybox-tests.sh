#!/bin/sh
# SPDX-License-Identifier: MIT
# Boot QEMU running busybox's testsuite (tools/busybox-test.mk), keep its console output in
# $(B)/<suite>.log, print the verdicts that matter and the summary, and append
# "RESULT <suite> <passed> <failed>" to RESULTS: passed = tests that pass (or fail as they
# do on Linux), failed = tests that fail here but pass on Linux, or 1 if the run never
# reached its summary (a hang, a panic).
# Usage: run-busybox-tests.sh RESULTS SUITE TIMEOUT_S QEMU ARGS...
set -u
results=$1 suite=$2 limit=$3
shift 3
log=$(dirname "$results")/$suite.log
timeout "$limit" "$@" -display none -monitor none -serial file:"$log" </dev/null >/dev/null 2>&1
status=$?
grep -a -E '^(fail|fixed) ' "$log"
sum=$(grep -a '^busybox-testsuite: ' "$log" | tail -n 1)
if [ -z "$sum" ]; then
	echo "$suite: no summary (QEMU status $status); last lines of $log:"
	tail -n 20 "$log"
	echo "RESULT $suite 0 1" >>"$results"
	exit 1
fi
echo "$sum"
passed=$(echo "$sum" | sed -n 's/^busybox-testsuite: \([0-9]*\) passed, \([0-9]*\) failed (\([0-9]*\) as on Linux, \([0-9]*\) new).*/\1 \3/p')
new=$(echo "$sum" | sed -n 's/.*, \([0-9]*\) new).*/\1/p')
set -- $passed
echo "RESULT $suite $(($1 + $2)) ${new:-1}" >>"$results"
[ "${new:-1}" = 0 ] && [ "$status" = 0 ]
