#!/bin/sh
# SPDX-License-Identifier: MIT
# test-step.sh RESULTS COMMAND...: run one step of `make test` and make sure it
# is counted. Each test target appends its own "RESULT <suite> <passed> <failed>"
# line; a step that ends without adding one (the kernel or a test program did
# not build, the harness crashed) would otherwise vanish from the summary and
# the suite would pass. Such a step is recorded as one failure under its command.
results=${1:?usage: test-step.sh RESULTS COMMAND...}
shift
before=$(grep -c '^RESULT ' "$results" 2>/dev/null || true)
"$@"
rc=$?
after=$(grep -c '^RESULT ' "$results" 2>/dev/null || true)
if [ "${after:-0}" -le "${before:-0}" ]; then
	name=$(echo "$*" | sed 's/.*--no-print-directory //; s/ /:/g')
	echo "test-step: '$*' exited $rc and recorded no results (did it build?)" >&2
	echo "RESULT $name 0 1" >>"$results"
fi
exit $rc
