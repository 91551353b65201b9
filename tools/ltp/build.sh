#!/bin/sh
# SPDX-License-Identifier: MIT
# Build a Linux Test Project checkout statically for riscv64 (Debian's riscv64-linux-gnu-gcc,
# static glibc), the library and the syscalls tests, installed under OUT/opt/ltp. Out of the
# project's tree and not part of `make test` (docs/ltp.md). Needs autoconf, automake, m4 and
# pkg-config (Debian packages; installed with apt-get when missing).
#
# Usage: tools/ltp/build.sh LTP_CHECKOUT OUT    (the checkout is built in place)
set -eu
[ $# = 2 ] || { echo "usage: $0 LTP_CHECKOUT OUT" >&2; exit 2; }
src=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
for t in autoconf automake m4 pkg-config; do
	command -v "$t" >/dev/null 2>&1 && continue
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get install -y autoconf automake m4 pkg-config
	break
done
cd "$src"
[ -x configure ] || make autotools
if [ ! -f include/config.h ]; then
	./configure --host=riscv64-linux-gnu --prefix=/opt/ltp \
		CC=riscv64-linux-gnu-gcc AR=riscv64-linux-gnu-ar RANLIB=riscv64-linux-gnu-ranlib \
		STRIP=riscv64-linux-gnu-strip CFLAGS="-O2 -g0" LDFLAGS="-static" \
		--without-numa --without-tirpc --without-keyutils --without-bash --without-expect \
		--without-perl --without-python
fi
jobs=$(nproc)
make -j"$jobs" -C lib
make -j"$jobs" -C testcases/kernel/syscalls -k || true # a test that does not build is reported missing
make -C testcases/kernel/syscalls -k install DESTDIR="$out" >/dev/null || true
mkdir -p "$out/opt/ltp/runtest"
cp runtest/syscalls "$out/opt/ltp/runtest/"
echo "ltp: $(find "$out/opt/ltp/testcases/bin" -type f | wc -l) test programs in $out/opt/ltp"
