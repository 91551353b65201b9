#!/bin/sh
# SPDX-License-Identifier: MIT
# run-pytest.sh NAME RESULTS DIR: run a pytest directory with Debian's python3
# and record "RESULT NAME passed failed" from pytest's junit report.
set -u
name=$1 results=$2 dir=$3
xml=build/pytest-$name.xml
mkdir -p build
/usr/bin/python3 -m pytest -v --junitxml="$xml" "$dir"
status=$?
if [ -f "$xml" ]; then
	set -- $(/usr/bin/python3 - "$xml" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
s = r if r.tag == "testsuite" else r.find("testsuite")
t, f, e, sk = (int(s.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
print(t - f - e - sk, f + e)
PY
)
	passed=$1 failed=$2
else
	passed=0 failed=1
fi
# pytest's own failure (collection error, crash) must not pass silently.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1
fi
echo "RESULT $name $passed $failed" >>"$results"
[ "$failed" -eq 0 ]
