#!/bin/sh
# SPDX-License-Identifier: MIT
# Build liburing's own test programs (test/*.c of the pinned Debian source package) as static
# riscv64 binaries, linked against Debian's liburing-dev (liburing.a and its headers) with
# trixie's linux-libc-dev 6.12 headers first (PLATFORM.md). The sources stay in .cache/; only
# the binaries land in OUT. The list is the source's own test/Makefile test_srcs (C only: the
# one C++ test, sq-full-cpp.cc, needs a riscv64 g++ the host lacks).
#
# Usage: tools/build-liburing-tests.sh OUT      (JOBS=N compilers at once, default 2)
# Writes OUT/NAME.t for each test and OUT/list (the names, in the Makefile's order); a test
# that does not compile is named in OUT/build-failures (the build itself still succeeds).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
"$top/tools/debian-fetch.sh" liburing-dev linux-libc-dev liburing
S=$top/.cache/debian/src/liburing
D=$top/.cache/debian/deb
mkdir -p "$out"
sed -n '/^test_srcs := /,/# EOL/p' "$S/test/Makefile" |
	sed -n 's/^[[:space:]]*\([A-Za-z0-9_-]*\)\.c \\$/\1/p' >"$out/list.tmp"
# statx.c is added by the Makefile itself when configure finds statx (it does here).
echo statx >>"$out/list.tmp"
mv "$out/list.tmp" "$out/list"

CC=${UCROSS:-riscv64-linux-gnu-}gcc
export CC S D out top
cflags="-static -O2 -g0 -w -D_GNU_SOURCE -D__SANE_USERSPACE_TYPES__ -DLIBURING_BUILD_TEST \
-D_LARGEFILE_SOURCE -D_FILE_OFFSET_BITS=64 -include $top/tests/liburing/config-host.h \
-I$D/liburing-dev/usr/include -I$D/linux-libc-dev/usr/include \
-I$D/linux-libc-dev/usr/include/riscv64-linux-gnu -I$S/test"
export cflags
[ "$out/helpers.o" -nt "$S/test/helpers.c" ] ||
	$CC $cflags -c "$S/test/helpers.c" -o "$out/helpers.o"
: >"$out/build-failures"
# shellcheck disable=SC2016 # expanded by the inner sh
xargs -P "${JOBS:-2}" -n 1 sh -c '
	t=$1
	[ "$out/$t.t" -nt "$S/test/$t.c" ] && [ "$out/$t.t" -nt "$D/liburing-dev/usr/lib/riscv64-linux-gnu/liburing.a" ] && exit 0
	if $CC $cflags -o "$out/$t.t.tmp" "$S/test/$t.c" "$out/helpers.o" \
		-L$D/liburing-dev/usr/lib/riscv64-linux-gnu -luring -lpthread 2>"$out/$t.err"; then
		${UCROSS:-riscv64-linux-gnu-}strip "$out/$t.t.tmp" && mv "$out/$t.t.tmp" "$out/$t.t"
		rm -f "$out/$t.err"
	else
		echo "$t" >>"$out/build-failures"
	fi
' sh <"$out/list"
n=$(wc -l <"$out/list")
f=$(wc -l <"$out/build-failures")
echo "build-liburing-tests: $((n - f)) of $n tests built in $out"
