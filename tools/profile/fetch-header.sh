#!/bin/sh
# SPDX-License-Identifier: MIT
# Print a directory holding qemu-plugin.h of the host's own QEMU: taken from Debian's qemu
# source package of exactly the installed version (the plugin API must match), fetched with
# a private apt configuration (its own sources list, state and cache under .cache/qemu-src;
# the host's apt state is untouched) from the host's own archive (DEBIAN_MIRROR overrides).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
C=$top/.cache/qemu-src
ver=$(dpkg-query -W -f='${source:Version}' qemu-system-misc 2>/dev/null || true)
[ -n "$ver" ] || { echo "fetch-header: qemu-system-misc is not installed" >&2; exit 1; }
inc=$C/include-$ver
if [ -f "$inc/qemu-plugin.h" ]; then
	echo "$inc"
	exit 0
fi
mirror=${DEBIAN_MIRROR:-$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources \
	2>/dev/null | tr ' ' '\n' | grep -v security | head -n 1)}
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
[ -n "$mirror" ] || { echo "fetch-header: no archive in the host's apt sources" >&2; exit 1; }
A=$C/apt
mkdir -p "$A/state/lists/partial" "$A/cache/archives/partial" "$C/dl"
: >"$A/status"
printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
	"$mirror" "$codename" >"$A/sources.list"
sandbox=""
[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
papt() {
	# shellcheck disable=SC2086
	apt-get -q -o Dir::Etc::SourceList="$A/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State="$A/state" -o Dir::State::status="$A/status" -o Dir::Cache="$A/cache" \
		$sandbox "$@"
}
papt update >&2
(cd "$C/dl" && papt source --download-only "qemu=$ver" >&2)
orig=$(ls "$C"/dl/qemu_*.orig.tar.* | head -n 1)
mkdir -p "$inc"
tar -xf "$orig" -C "$inc" --wildcards --strip-components=3 '*/include/qemu/qemu-plugin.h'
echo "$inc"
