# SPDX-License-Identifier: MIT
# Inside the kernel (busybox ash): run the LTP tests named in $1 (one a line, '#' comments)
# from the runtest file $LTPROOT/runtest/syscalls, each with a time limit, and print one line
# "LTP <name> <verdict> <exit status>" per test, then "LTP-DONE <count>". Verdicts from LTP's
# exit status: 0 PASS, 32 CONF (not supported, as LTP's TCONF), 1 FAIL, 2 BROK, 4 WARN,
# 124 TIMEOUT, anything else FAIL.
list=$1
limit=${2:-60}
export LTPROOT=${LTPROOT:-/mnt/opt/ltp}
export PATH="$LTPROOT/testcases/bin:$PATH" TMPDIR=/tmp LTP_TIMEOUT_MUL=${LTP_TIMEOUT_MUL:-4}
n=0
while read -r name rest; do
	case $name in '' | '#'*) continue ;; esac
	cmd=$(while read -r t c; do [ "$t" = "$name" ] && { echo "$c"; break; }; done <"$LTPROOT/runtest/syscalls")
	if [ -z "$cmd" ]; then
		echo "LTP $name MISSING -"
		continue
	fi
	w=/tmp/ltp-$name
	rm -rf "$w" && mkdir -p "$w" && cd "$w" || exit 1
	# shellcheck disable=SC2086
	timeout "$limit" sh -c "$cmd" >"$w.log" 2>&1
	rc=$?
	case $rc in
	0) v=PASS ;;
	32) v=CONF ;;
	1) v=FAIL ;;
	2) v=BROK ;;
	4) v=WARN ;;
	124 | 143) v=TIMEOUT ;;
	*) v=FAIL ;;
	esac
	[ "$v" = PASS ] || [ "$v" = CONF ] || sed 's/^/#   /' "$w.log" | tail -n 8
	echo "LTP $name $v $rc"
	cd / && rm -rf "$w" "$w.log"
	n=$((n + 1))
done <"$list"
echo "LTP-DONE $n"
