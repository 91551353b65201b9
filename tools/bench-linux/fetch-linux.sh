#!/bin/sh
# SPDX-License-Identifier: MIT
# Fetch and unpack the Debian trixie riscv64 kernel pinned in tools/bench-linux/linux.pin.
#
# usage: tools/bench-linux/fetch-linux.sh           fetch if needed, print the unpacked dir
#        tools/bench-linux/fetch-linux.sh --repin   point the pin at the archive's current kernel
#
# apt runs with a private configuration under .cache/debian-linux/ (its own sources list, state,
# empty dpkg status and cache; architecture riscv64 only), so the host's apt state is never
# touched. The archive is the first `URIs:` of the host's /etc/apt/sources.list.d/debian.sources
# (or the first `deb` line of /etc/apt/sources.list), read at run time, written nowhere in the
# tree. Packages are checked against the archive's signed index (debian-archive-keyring) by apt
# and against the pinned sha256 here.
#
# Output: .cache/debian-linux/<kernel release>/ with vmlinux and lib/modules/<release>/
# (the package's modules, and modules.dep & co. made by the host's depmod). Prints that dir.
set -eu
cd "$(dirname "$0")/../.."
top=$(pwd)

pin=tools/bench-linux/linux.pin
cache=.cache/debian-linux
suite=trixie
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

pin_get() { sed -n "s/^$1 //p" "$pin"; }
die() {
	echo "fetch-linux: $*" >&2
	exit 1
}

archive_uri() {
	u=""
	if [ -r /etc/apt/sources.list.d/debian.sources ]; then
		u=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' \
			/etc/apt/sources.list.d/debian.sources | head -n 1)
	fi
	if [ -z "$u" ] && [ -r /etc/apt/sources.list ]; then
		u=$(sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\).*/\2/p' \
			/etc/apt/sources.list | head -n 1)
	fi
	[ -n "$u" ] || die "no Debian archive in the host's apt sources"
	echo "$u"
}

apt_private() { # apt-get|apt-cache ARGS...
	tool=$1
	shift
	c=$top/$cache
	sandbox=""
	[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	"$tool" -q -o Dir::Etc::SourceList="$c/etc/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State="$c/state" -o Dir::State::status="$c/state/status" \
		-o Dir::Cache="$c/cache" -o APT::Architecture=riscv64 -o APT::Architectures=riscv64 \
		$sandbox "$@"
}

apt_update() {
	mkdir -p "$cache/etc" "$cache/state/lists/partial" "$cache/cache/archives/partial" \
		"$cache/debs"
	: >"$cache/state/status"
	echo "deb [arch=riscv64 signed-by=$keyring] $(archive_uri) $suite main" \
		>"$cache/etc/sources.list"
	apt_private apt-get update >&2 || die "apt-get update failed"
}

if [ "${1:-}" = "--repin" ]; then
	apt_update
	pkg=$(apt_private apt-cache show linux-image-riscv64 |
		sed -n 's/^Depends:.*\(linux-image-6\.12\.[^ ,]*-riscv64\).*/\1/p' | head -n 1)
	[ -n "$pkg" ] || die "no linux-image-6.12.*-riscv64 behind linux-image-riscv64"
	info=$(apt_private apt-cache show "$pkg")
	ver=$(echo "$info" | sed -n 's/^Version: //p' | head -n 1)
	sum=$(echo "$info" | sed -n 's/^SHA256: //p' | head -n 1)
	{
		sed -n '/^#/p' "$pin" | sed "s/linux-image-riscv64 [^ ]* depends/linux-image-riscv64 $ver depends/"
		echo "package $pkg"
		echo "version $ver"
		echo "sha256 $sum"
	} >"$pin.tmp"
	mv "$pin.tmp" "$pin"
	echo "fetch-linux: pinned $pkg $ver" >&2
	exit 0
fi

pkg=$(pin_get package)
ver=$(pin_get version)
sum=$(pin_get sha256)
if [ -z "$pkg" ] || [ -z "$ver" ] || [ -z "$sum" ]; then
	die "$pin: needs package, version, sha256"
fi
release=${pkg#linux-image-}
out=$cache/$release
deb=$cache/debs/$(echo "${pkg}_${ver}_riscv64.deb" | sed 's/:/%3a/')

if [ -f "$out/.sha256" ] && [ "$(cat "$out/.sha256")" = "$sum" ]; then
	echo "$out"
	exit 0
fi

if ! [ -f "$deb" ] || [ "$(sha256sum "$deb" | cut -d' ' -f1)" != "$sum" ]; then
	apt_update
	rm -f "$deb"
	(cd "$cache/debs" && apt_private apt-get download "$pkg=$ver" >&2) || {
		echo "fetch-linux: $pkg=$ver is not in $suite any more; the archive has:" >&2
		apt_private apt-cache policy linux-image-riscv64 >&2 || true
		die "run tools/bench-linux/fetch-linux.sh --repin to move the pin"
	}
	got=$(sha256sum "$deb" | cut -d' ' -f1)
	[ "$got" = "$sum" ] || die "$deb: sha256 $got, pinned $sum"
fi

echo "fetch-linux: unpacking $pkg $ver" >&2
rm -rf "$out" "$out.tmp"
mkdir -p "$out.tmp"
dpkg-deb -x "$deb" "$out.tmp/pkg"
mv "$out.tmp/pkg/boot/vmlinux-$release" "$out.tmp/vmlinux"
mkdir -p "$out.tmp/lib/modules"
mv "$out.tmp/pkg/usr/lib/modules/$release" "$out.tmp/lib/modules/"
rm -rf "$out.tmp/pkg"
# Debian makes modules.dep at install time (postinst), so the package has none: make it here.
depmod=$(command -v depmod || echo /usr/sbin/depmod)
[ -x "$depmod" ] || die "depmod not found (Debian package kmod; tools/install-deps.sh installs it)"
"$depmod" -b "$out.tmp" "$release"
echo "$sum" >"$out.tmp/.sha256"
mv "$out.tmp" "$out"
echo "$out"
