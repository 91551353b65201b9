#!/bin/sh
# SPDX-License-Identifier: MIT
# gen-ksyms.sh NM KERNEL.ELF > ksyms.S: the kernel's text symbols, sorted, as
# the .ksyms table kernel/ksyms.c searches. ELF '-' gives an empty table.
set -eu
NM=$1 ELF=$2
list() { if [ "$ELF" = - ]; then :; else "$NM" -n -S --defined-only "$ELF"; fi; }
echo '	.section .ksyms, "a"'
echo '	.balign 8'
echo '	.global ksyms_table, ksyms_count, ksyms_names'
list | awk '
BEGIN { n = 0 }
$NF ~ /^\./ || $1 !~ /^[0-9a-f]+$/ { next }
NF == 4 && ($3 == "t" || $3 == "T" || $3 == "W") { addr[n] = $1; size[n] = $2; name[n] = $4; n++; next }
NF == 3 && ($2 == "t" || $2 == "T" || $2 == "W") { addr[n] = $1; size[n] = "0"; name[n] = $3; n++; next }
END {
	print "ksyms_count:\n\t.quad " n
	print "ksyms_table:"
	off = 0
	for (i = 0; i < n; i++) {
		printf "\t.quad 0x%s\n\t.word %d, 0x%s\n", addr[i], off, size[i]
		off += length(name[i]) + 1
	}
	print "ksyms_names:"
	for (i = 0; i < n; i++) printf "\t.asciz \"%s\"\n", name[i]
}'
