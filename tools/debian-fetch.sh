#!/bin/sh
# SPDX-License-Identifier: MIT
# Fetch and unpack pinned Debian trixie riscv64 packages (binary and source) with a private apt.
#
# Usage: tools/debian-fetch.sh [NAME...]        every pin, or only those named
#        tools/debian-fetch.sh --pin KIND NAME=VERSION   print the pins line for a new package
#
# Pins are tools/debian-pins.txt, one "KIND NAME VERSION SHA256" a line: KIND deb is a binary
# package (the sha256 is the .deb's) unpacked by dpkg-deb -x into .cache/debian/deb/NAME/,
# KIND dsc a source package (the sha256 is the .dsc's, which lists the tarballs' sha256, which
# dpkg-source checks) unpacked by dpkg-source -x into .cache/debian/src/NAME/.
#
# apt runs with its own sources list, state, status and cache under .cache/debian/apt, so the
# host's apt configuration and state are never touched. The archive address is the host's own
# (DEBIAN_MIRROR overrides it): the tree must not name a mirror. A tree that matches its pin
# (stamp .cache/debian/stamp/KIND-NAME) is left alone without any network access.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
pins=$top/tools/debian-pins.txt
C=$top/.cache/debian
A=$C/apt
SUITE=trixie
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

die() { echo "debian-fetch: $*" >&2; exit 1; }

# The first archive URI of the host's apt sources (deb822 first, then one-line format),
# skipping the security archive, which has no plain "trixie" suite.
host_mirror()
{
	{
		sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null |
			tr ' ' '\n'
		awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) print $i }' \
			/etc/apt/sources.list 2>/dev/null
	} | grep -v -e security -e '^$' | head -n 1
}

# apt-get with the private configuration. Preferences are emptied too, so a host pin cannot
# change what "NAME=VERSION" resolves to. As root apt would hand downloads to the _apt user,
# who cannot write into the caller's checkout; the files are signature- and hash-checked anyway.
papt()
{
	sandbox=""
	[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	apt-get -q -o Dir::Etc::SourceList="$A/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
		-o Dir::State="$A/state" -o Dir::State::status="$A/status" -o Dir::Cache="$A/cache" \
		-o APT::Architecture=riscv64 -o APT::Architectures=riscv64 $sandbox "$@"
}

# Write the private sources list and run `apt-get update`, once per run.
updated=""
apt_update()
{
	[ -n "$updated" ] && return 0
	mirror=${DEBIAN_MIRROR:-$(host_mirror)}
	[ -n "$mirror" ] || die "no archive URI in the host's apt sources; set DEBIAN_MIRROR"
	[ -r "$KEYRING" ] || die "$KEYRING missing (package debian-archive-keyring)"
	mkdir -p "$A/state/lists/partial" "$A/cache/archives/partial"
	: >"$A/status"
	opts="[arch=riscv64 signed-by=$KEYRING]"
	printf 'deb %s %s %s main\ndeb-src %s %s %s main\n' \
		"$opts" "$mirror" "$SUITE" "$opts" "$mirror" "$SUITE" >"$A/sources.list"
	echo "debian-fetch: apt-get update ($mirror $SUITE)" >&2
	papt update >&2 || die "apt-get update failed"
	updated=1
}

# download KIND NAME VERSION DIR: fetch the files of one package version into the empty DIR.
download()
{
	apt_update
	(
		cd "$4"
		if [ "$1" = deb ]; then
			papt download "$2=$3" >&2
		else
			papt source --download-only "$2=$3" >&2
		fi
	) || die "cannot download $1 $2=$3 (gone from $SUITE? then pin the current version)"
}

# The file whose sha256 is pinned: the .deb, or the .dsc of a source package.
main_file()
{
	for f in "$1"/*."$2"; do
		[ -e "$f" ] && echo "$f" && return 0
	done
	return 0 # none: empty output (under set -e a failing status would end the script)
}

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# fetch KIND NAME VERSION SHA256: make the unpacked tree match the pin.
fetch()
{
	kind=$1 name=$2 ver=$3 sha=$4
	case $kind in deb | dsc) ;; *) die "$pins: unknown kind '$kind' for $name" ;; esac
	stamp=$C/stamp/$kind-$name
	want="$kind $name $ver $sha"
	[ "$kind" = deb ] && dest=$C/deb/$name || dest=$C/src/$name
	if [ -d "$dest" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
		return 0
	fi

	# The pool keeps the downloaded files of the current pin: unpacking again needs no network.
	pool=$C/pool/$kind-$name
	file=$(main_file "$pool" "$kind")
	if [ -z "$file" ] || [ "$(sha_of "$file")" != "$sha" ]; then
		rm -rf "$pool" && mkdir -p "$pool"
		download "$kind" "$name" "$ver" "$pool"
		file=$(main_file "$pool" "$kind")
		[ -n "$file" ] || die "apt left no .$kind for $name=$ver"
		got=$(sha_of "$file")
		[ "$got" = "$sha" ] ||
			die "sha256 mismatch for $name=$ver: pinned $sha, downloaded $got ($file)"
	fi

	echo "debian-fetch: unpacking $kind $name $ver" >&2
	rm -rf "$dest" "$dest.tmp" "$stamp"
	mkdir -p "$(dirname "$dest")" "$C/stamp"
	if [ "$kind" = deb ]; then
		dpkg-deb -x "$file" "$dest.tmp"
	else
		# dpkg-source checks the tarballs against the pinned .dsc. It cannot check the
		# .dsc's own signature (no keyring of uploaders): the pinned sha256 stands for it.
		dpkg-source -q --no-copy -x "$file" "$dest.tmp" >&2
	fi
	mv "$dest.tmp" "$dest"
	echo "$want" >"$stamp"
}

if [ "${1:-}" = --pin ]; then
	[ $# = 3 ] || die "usage: $0 --pin deb|dsc NAME=VERSION"
	tmp=$C/tmp && rm -rf "$tmp" && mkdir -p "$tmp"
	download "$2" "${3%%=*}" "${3#*=}" "$tmp"
	echo "$2 ${3%%=*} ${3#*=} $(sha_of "$(main_file "$tmp" "$2")")"
	rm -rf "$tmp"
	exit 0
fi

[ -r "$pins" ] || die "$pins missing"
found=0
# shellcheck disable=SC2094
while read -r kind name ver sha rest; do
	case $kind in '' | '#'*) continue ;; esac
	if [ -z "$sha" ] || [ -n "$rest" ]; then
		die "$pins: bad line for '$name'"
	fi
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	found=$((found + 1))
	fetch "$kind" "$name" "$ver" "$sha" </dev/null
done <"$pins"
[ $# = 0 ] || [ "$found" -ge $# ] || die "not every name in '$*' is pinned in $pins"
