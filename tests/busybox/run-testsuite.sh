#!/bin/sh
# SPDX-License-Identifier: MIT
# Run busybox's own testsuite against one busybox binary and compare the failures with the
# Linux baseline (linux-failures.txt). POSIX sh only: it runs on the host and, unchanged,
# under busybox ash inside our kernel, where busybox is the only program.
#
# Usage: run-testsuite.sh -b BUSYBOX -c CONFIG -s TESTSUITE -w WORKDIR [-e EXPECTED] [APPLET...]
#   BUSYBOX    the binary under test            CONFIG    its .config (which applets/features)
#   TESTSUITE  busybox's testsuite/ directory   WORKDIR   scratch directory (emptied first)
#   EXPECTED   failure list, default linux-failures.txt next to this script
# Prints one verdict line per test, then a summary; exits 1 if a test fails that passes on
# Linux, or if a full run sees fewer tests than the Linux run did.
#
# The Linux run (qemu-user-chroot.sh) had, and a guest root should have for the same results:
# every applet linked at its `busybox --list-full` path, /etc/passwd and /etc/group with root,
# /etc/hosts with localhost, /dev/{null,zero,full,random,urandom,tty}, devpts with /dev/ptmx,
# /proc, a writable /tmp, and no program other than busybox.
#
# Verdicts: pass, fail (NEW: passes on Linux), known (fails on Linux too), fixed (fails on
# Linux, passes here), skip (SKIPPED/UNTESTED by the testsuite itself).

bb="" cfg="" ts="" work="" expected="$(dirname "$0")/linux-failures.txt"
while getopts b:c:s:w:e: opt; do
	case $opt in
	b) bb=$OPTARG ;;
	c) cfg=$OPTARG ;;
	s) ts=$OPTARG ;;
	w) work=$OPTARG ;;
	e) expected=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ -z "$bb" ] || [ -z "$cfg" ] || [ -z "$ts" ] || [ -z "$work" ]; then
	echo "usage: $0 -b BUSYBOX -c CONFIG -s TESTSUITE -w WORKDIR [-e EXPECTED] [APPLET...]" >&2
	exit 2
fi

# runtest's layout: the binary and .config one directory above testsuite/ ($bindir), the
# applet links made by runtest itself in $bindir/runtest-tempdir-links. The testsuite is
# copied because runtest writes its scratch files inside it.
[ "$work" != / ] || exit 2
rm -rf "$work" && mkdir -p "$work" || exit 2
cp "$bb" "$work/busybox" && chmod 755 "$work/busybox" || exit 2
cp "$cfg" "$work/.config" || exit 2
cp -R "$ts" "$work/testsuite" || exit 2

# testing.sh needs an echo that takes -ne; it would compile one with gcc if the shell's cannot
# (dash's), so give it busybox's then.
# shellcheck disable=SC3037 # probing whether this shell's echo takes -ne is the point
[ -z "$(echo -ne)" ] || export ECHO="$work/busybox echo"

# Debian's build runs the testsuite with this environment (debian/rules TESTSUITE_ENV);
# the locale matters, busybox's unicode support keys off LANG/LC_ALL; tests run $SHELL.
log=$work/runtest.log
(
	cd "$work/testsuite" &&
		env SKIP_KNOWN_BUGS=y SKIP_INTERNET_TESTS=y LANG=C.UTF-8 LC_ALL=C.UTF-8 SHELL=/bin/sh \
			bindir="$work" sh ./runtest "$@"
) >"$log" 2>&1
echo "run-testsuite: runtest exited $? (output: $log)"

# Verdicts. A test name may contain spaces and colons; only the first ": " separates it.
# Names are not unique across applets, so the comparison is by name and each line is judged
# on its own.
pass=0 fail=0 known=0 fixed=0 skip=0
while IFS= read -r line; do
	case $line in
	PASS:* | FAIL:*) ;;
	SKIPPED:* | UNTESTED:*)
		skip=$((skip + 1))
		echo "skip  ${line#*: }"
		continue
		;;
	*) continue ;;
	esac
	name=${line#*: }
	if grep -qxF -e "$name" "$expected" 2>/dev/null; then
		onlinux=fail
	else
		onlinux=pass
	fi
	case ${line%%:*}-$onlinux in
	PASS-pass) pass=$((pass + 1)) && echo "pass  $name" ;;
	PASS-fail) pass=$((pass + 1)) fixed=$((fixed + 1)) && echo "fixed $name" ;;
	FAIL-fail) fail=$((fail + 1)) known=$((known + 1)) && echo "known $name" ;;
	FAIL-pass) fail=$((fail + 1)) && echo "fail  $name (NEW: passes on Linux)" ;;
	esac
done <"$log"

new=$((fail - known))
total=$((pass + fail))
# The Linux run's own count, from the "# total: N" header of the expected file: a crash that
# ends a .tests file early loses its remaining tests silently, so a full run checks the count.
linux_total=$(sed -n 's/^# total: *\([0-9]*\).*/\1/p' "$expected" 2>/dev/null)
short=""
if [ $# = 0 ] && [ -n "$linux_total" ] && [ "$total" -lt "$linux_total" ]; then
	short=" (Linux ran $linux_total: $((linux_total - total)) missing)"
fi
echo "busybox-testsuite: $pass passed, $fail failed ($known as on Linux, $new new)," \
	"$fixed fixed, $skip skipped, $total run$short"
[ "$new" = 0 ] && [ -z "$short" ]
