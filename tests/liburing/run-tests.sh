#!/bin/sh
# SPDX-License-Identifier: MIT
# Run liburing's own test programs (built by tools/build-liburing-tests.sh) and judge them.
# POSIX sh: it runs under busybox ash inside our kernel, and on the host for the Linux
# baseline (tests/liburing/README.md).
#
# Usage: run-tests.sh -d BINDIR -w WORKDIR [-t SECONDS] [-s SKIPLIST] [NAME...]
#   BINDIR    NAME.t binaries and their list      WORKDIR  scratch directory, emptied per test
#   SECONDS   time limit of one test (default 60) SKIPLIST default skip.txt next to this script
#   NAME...   the tests to run (default: every one in BINDIR/list)
# A test exits 0 (pass), 77 (it skipped itself: the feature is missing, as liburing's
# runtests.sh counts it) or anything else (fail; 137: killed when its time ran out, or another signal: it crashed).
# Tests named in SKIPLIST are not run (their reason is printed). Prints one verdict line per
# test and a summary; exits 1 if any test run fails.

dir="" work="" limit=60 skiplist="$(dirname "$0")/skip.txt"
while getopts d:w:t:s: opt; do
	case $opt in
	d) dir=$OPTARG ;;
	w) work=$OPTARG ;;
	t) limit=$OPTARG ;;
	s) skiplist=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ -z "$dir" ] || [ -z "$work" ] || [ "$work" = / ]; then
	echo "usage: $0 -d BINDIR -w WORKDIR [-t SECONDS] [-s SKIPLIST] [NAME...]" >&2
	exit 2
fi
[ $# -gt 0 ] || set -- $(cat "$dir/list")

pass=0 fail=0 skip=0 notrun=0 failed=""
for t in "$@"; do
	reason=$(sed -n "s/^$t[[:space:]][[:space:]]*//p" "$skiplist" 2>/dev/null | head -n 1)
	if [ -n "$reason" ]; then
		notrun=$((notrun + 1))
		echo "notrun $t: $reason"
		continue
	fi
	if [ ! -x "$dir/$t.t" ]; then
		fail=$((fail + 1)) failed="$failed $t"
		echo "fail  $t (not built)"
		continue
	fi
	rm -rf "$work" && mkdir -p "$work" || exit 2
	start=$(date +%s)
	# A watcher instead of timeout(1), whose vfork this kernel does not have yet.
	(cd "$work" && exec "$dir/$t.t") >"$work.out" 2>&1 </dev/null &
	pid=$!
	(sleep "$limit" && kill -9 "$pid") >/dev/null 2>&1 &
	watcher=$!
	wait "$pid"
	rc=$?
	kill "$watcher" 2>/dev/null
	wait "$watcher" 2>/dev/null
	[ "$rc" = 137 ] && echo "(killed after ${limit}s)" >>"$work.out"
	secs=$(($(date +%s) - start))
	case $rc in
	0) pass=$((pass + 1)) && echo "pass  $t (${secs}s)" ;;
	77) skip=$((skip + 1)) && echo "skip  $t (${secs}s): $(tail -n 1 "$work.out")" ;;
	*)
		fail=$((fail + 1)) failed="$failed $t"
		echo "fail  $t (status $rc, ${secs}s); its last lines:"
		tail -n 8 "$work.out" | sed 's/^/      /'
		;;
	esac
done
rm -rf "$work" "$work.out"
echo "liburing-tests: $pass passed, $fail failed, $skip skipped themselves," \
	"$notrun not run (skip list)${failed:+; failed:$failed}"
[ "$fail" = 0 ]
