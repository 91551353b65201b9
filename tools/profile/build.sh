#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the insnprof QEMU plugin against the host QEMU's plugin header (fetch-header.sh) and
# print the path of the .so.
set -eu
cd "$(dirname "$0")/../.."
inc=$(tools/profile/fetch-header.sh)
so=build/profile/insnprof.so
mkdir -p build/profile
if [ ! -f "$so" ] || [ tools/profile/insnprof.c -nt "$so" ]; then
	gcc -O2 -shared -fPIC -Wall -Wextra -Werror -I"$inc" tools/profile/insnprof.c -o "$so"
fi
echo "$so"
