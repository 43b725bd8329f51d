#!/usr/bin/env bash
# Writes the hand-made binary input fixtures of testdata/inputs/ from the
# format facts (pprof.md section 5), so that every byte is accounted for:
#   cpu-be32.prof   gperftools CPU profile, 32-bit big-endian words
#   java-cpu.prof   gperftools CPU profile of a Java program (header word 3 = 1)
#   cpu-trunc.prof  cpu-be32.prof cut inside its second record (an error case)
# The text fixtures beside them were written by hand in an editor.
#
# Usage: scripts/make-input-fixtures.sh
set -euo pipefail

out=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/testdata/inputs

# One word: value, size in bytes, endianness (be|le).
word() {
	local v=$1 size=$2 order=$3 i byte bytes=()
	for ((i = 0; i < size; i++)); do
		byte=$(((v >> (8 * i)) & 0xff))
		bytes+=("$(printf '\\%03o' "$byte")")
	done
	if [ "$order" = be ]; then
		for ((i = size - 1; i >= 0; i--)); do printf '%b' "${bytes[i]}"; done
	else
		for ((i = 0; i < size; i++)); do printf '%b' "${bytes[i]}"; done
	fi
}

words() {
	local size=$1 order=$2
	shift 2
	for v in "$@"; do word "$v" "$size" "$order"; done
}

# Header: 0, 3 (header words), 0 = C++, period 10000 us, 0.  Then records
# count, depth, pcs (leaf first), the end marker 0 1 0, and the maps text.
# The second frame 0x401b43 is in every sample: pprof strips it as the
# signal handler's frame.  The last record repeats its leaf (+1), as the
# profiler's unwinder sometimes does.
{
	words 4 be 0 3 0 10000 0
	words 4 be 5 3 0x401a21 0x401b43 0x401c64
	words 4 be 2 3 0x401d85 0x401b43 0x401c64
	words 4 be 1 4 0x401e06 0x401b43 0x401e05 0x401c64
	words 4 be 0 1 0
	printf '00400000-00402000 r-xp 00000000 08:01 1234 /usr/local/bin/server\n'
} >"$out/cpu-be32.prof"
head -c 44 "$out/cpu-be32.prof" >"$out/cpu-trunc.prof"

# Java: 64-bit little-endian words, addresses are symbol ids (not adjusted);
# the symbol table follows the end marker.
{
	words 8 le 0 3 1 20000 0
	words 8 le 7 2 0x1 0x2
	words 8 le 3 3 0x3 0x1 0x2
	words 8 le 0 1 0
	printf ' 0x0000000000000001 com.example.Parser.next (Parser.java:120)\n'
	printf ' 0x0000000000000002 com.example.Main.main (Main.java:5)\n'
	printf ' 0x0000000000000003 GC\n'
} >"$out/java-cpu.prof"
