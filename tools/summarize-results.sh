#!/bin/sh
# SPDX-License-Identifier: MIT
# Sums the "RESULT <suite> <passed> <failed>" lines that test targets append to
# RESULTS_FILE: one line per suite, then "N passed, M failed" as the last line.
# Exit status 1 when anything failed or when there are no results at all.

f=${1:?usage: summarize-results.sh RESULTS_FILE}

if [ ! -s "$f" ] || ! grep -q '^RESULT ' "$f"; then
	echo "no test results in $f"
	echo "0 passed, 1 failed"
	exit 1
fi

awk '
$1 == "RESULT" && NF >= 4 {
	if (!($2 in pass)) order[n++] = $2
	pass[$2] += $3; fail[$2] += $4
	tp += $3; tf += $4
}
END {
	for (i = 0; i < n; i++)
		printf "%-8s %d passed, %d failed\n", order[i], pass[order[i]], fail[order[i]]
	printf "%d passed, %d failed\n", tp, tf
	exit tf > 0
}' "$f"
