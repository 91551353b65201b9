#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages the build and the tests need, only those missing.
# Usage: tools/install-deps.sh          (safe to run again; does nothing when all are present)
set -eu

PKGS="make gcc gcc-riscv64-unknown-elf gcc-riscv64-linux-gnu libc6-dev-riscv64-cross \
qemu-system-misc qemu-user opensbi gdb-multiarch e2fsprogs fdisk cpio dosfstools mtools \
python3 python3-pytest python3-pexpect libcmocka-dev \
dpkg-dev debian-archive-keyring bzip2 xz-utils kmod"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
