#!/usr/bin/env bash
# Hostile input and hostile conditions: the malformed-input classes of the
# reliability guide (one exact stderr line, exit 1), the protobuf-c tag
# pre-scan, resource bounds (-max_input, non-regular files, a gzip bomb),
# no partial -output file on SIGTERM, allocation-failure injection, and
# every fuzz crasher through the CLI.  Inputs are made in a temp dir.
#
#   tests/harden/run.sh BUILD    (BUILD holds cprof and genprof)
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
cprof=$build/cprof
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top/testdata"
export TZ=UTC LC_ALL=C
sanitized=false
case $build in *-san*) sanitized=true ;; esac
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL %s\n' "$*"; }

# expect NAME STATUS STDERR ARGS...: exact exit status and exact stderr.
expect() {
	local name=$1 status=$2 want=$3 got rc
	shift 3
	got=$(timeout 20 "$cprof" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = "$status" ] && [ "$got" = "$want" ]; then
		ok
	else
		bad "$name: cprof $*
  want status $status: $want
  got status $rc: $got"
	fi
}

# wire NAME HEX-BYTES MESSAGE: a raw profile.proto from printf escapes fails with MESSAGE.
wire() {
	local f=$tmp/$1.pb
	printf "$2" >"$f"
	expect "$1" 1 "cprof: $f: $3" -top "$f"
}

# inert FILE: nothing that drives a terminal: no C0 control but TAB and LF,
# no DEL, C1 or bidi control, no invalid UTF-8.
inert() {
	! LC_ALL=C grep -aqP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]' "$1" &&
		iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1
}

# A valid profile's head: strings "", "s", "c" and one sample type (s, c).
H='\x32\x00\x32\x01s\x32\x01c\x0a\x04\x08\x01\x10\x02'

# --- §7 container and compression ---
: >"$tmp/empty"
expect c01-empty 1 "cprof: $tmp/empty: empty input" -top "$tmp/empty"
mkfifo "$tmp/fifo"
expect c02-fifo 1 "cprof: $tmp/fifo: not a regular file" -top "$tmp/fifo"
expect c02-dev-zero 1 "cprof: /dev/zero: not a regular file" -top /dev/zero
expect c02-directory 1 "cprof: $tmp: is a directory" -top "$tmp"
truncate -s 300M "$tmp/sparse.pb"
expect c03-too-large 1 "cprof: $tmp/sparse.pb: file size 314572800 exceeds the 268435456-byte limit (raise it with -max_input)" -top "$tmp/sparse.pb"
expect c03-too-large-flag 1 "cprof: go-cpu.pb.gz: file size 3091 exceeds the 1024-byte limit (raise it with -max_input)" -max_input=1K -top go-cpu.pb.gz
expect c03-bad-flag 2 "cprof: invalid value \"12x\" for max_input: want a size such as 512M
usage: cprof <format> [options] <profile>...
       cprof <command> [args] <profile>...   (e.g. cprof top5 cpu.prof)
Run 'cprof -help' for every format and option." -max_input=12x -top go-cpu.pb.gz
head -c 5 go-cpu.pb.gz >"$tmp/cut-header.pb.gz"
expect c04-truncated-header 1 "cprof: $tmp/cut-header.pb.gz: truncated gzip data (after 5 compressed bytes)" -top "$tmp/cut-header.pb.gz"
size=$(wc -c <go-cpu.pb.gz)
head -c $((size - 4)) go-cpu.pb.gz >"$tmp/cut-trailer.pb.gz"
expect c04-truncated-trailer 1 "cprof: $tmp/cut-trailer.pb.gz: truncated gzip data (after $((size - 4)) compressed bytes)" -top "$tmp/cut-trailer.pb.gz"
cp go-cpu.pb.gz "$tmp/crc.pb.gz"
printf '\0\0\0\0' | dd of="$tmp/crc.pb.gz" bs=1 seek=$((size - 8)) conv=notrunc status=none
expect c05-bad-crc 1 "cprof: $tmp/crc.pb.gz: corrupt gzip data: incorrect data check (at compressed byte $((size - 4)))" -top "$tmp/crc.pb.gz"
head -c 16M /dev/zero | gzip -9 >"$tmp/bomb.gz"
bomb_size=$(wc -c <"$tmp/bomb.gz")
/usr/bin/time -o "$tmp/time" -f '%e %M' "$cprof" -max_input=8M -top "$tmp/bomb.gz" >/dev/null 2>"$tmp/bomb.err"
got=$(tail -1 "$tmp/time")
rc_line=$(head -1 "$tmp/bomb.err")
kb=${got#* }
if [[ "$rc_line" == "cprof: $tmp/bomb.gz: decompressed size exceeds the 8388608-byte limit (at compressed byte "*"; raise it with -max_input)" ]] &&
	[ "$(wc -l <"$tmp/bomb.err")" = 1 ] && { $sanitized || [ "$kb" -lt 65536 ]; }; then
	ok
else
	bad "c06-gzip-bomb: $rc_line (${kb} KB)"
fi
echo "harden: ${bomb_size}-byte gzip bomb of 16 MiB refused in ${got% *} s, max RSS ${kb} KB$($sanitized && echo ' (sanitizer build, RSS not checked)')"
head -c 300M /dev/zero | gzip -1 >"$tmp/bomb300.gz"
got=$("$cprof" -top "$tmp/bomb300.gz" 2>&1 >/dev/null)
if [[ "$got" == "cprof: $tmp/bomb300.gz: decompressed size exceeds the 268435456-byte limit (at compressed byte "*"; raise it with -max_input)" ]]; then ok; else bad "c06-default-limit: $got"; fi
gzip -dc go-cpu.pb.gz >"$tmp/raw.pb"
head -c 2000 "$tmp/raw.pb" | gzip >"$tmp/multi.pb.gz"
tail -c +2001 "$tmp/raw.pb" | gzip >>"$tmp/multi.pb.gz"
if [ "$("$cprof" -top "$tmp/multi.pb.gz" 2>&1)" = "$("$cprof" -top go-cpu.pb.gz 2>&1)" ]; then ok; else bad "c07-multi-member"; fi
{ cat go-cpu.pb.gz; printf XYZ; } >"$tmp/trailing.pb.gz"
expect c08-trailing-garbage 1 "cprof: $tmp/trailing.pb.gz: trailing garbage after gzip data (at compressed byte $size)" -top "$tmp/trailing.pb.gz"
gzip -c go-cpu.pb.gz >"$tmp/double.pb.gz"
expect c09-gzip-in-gzip 1 "cprof: $tmp/double.pb.gz: proto: invalid wire type 7 in field 3 (at byte 0)" -top "$tmp/double.pb.gz"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$tmp/png"
expect c10-png 1 "cprof: $tmp/png: proto: invalid field number 0 (at byte 10)" -top "$tmp/png"

# --- §7 protobuf wire level ---
wire c11-varint-too-long '\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01' 'proto: truncated varint in field 1 (at byte 0)'
wire c11-varint-truncated '\x08\xff\xff' 'proto: truncated varint in field 1 (at byte 0)'
wire c12-field-zero '\x00' 'proto: invalid field number 0 (at byte 0)'
wire c12-wire-type-6 '\x0e' 'proto: invalid wire type 6 in field 1 (at byte 0)'
wire c12-wire-type-7 '\x0f' 'proto: invalid wire type 7 in field 1 (at byte 0)'
wire c12-nested-wire-type-3 "$H"'\x12\x01\x0b' 'proto: malformed sample 1: invalid wire type 3 in field 1 (at byte 16)'
# protobuf-c's tag reader would shift 65 by 25 places in an int (CVE-2022-33070)
wire c13-shift-sample '\x12\x06\x88\xff\xff\xff\x41\x00' 'proto: malformed sample 1: invalid field number 2214592497 (at byte 2)'
wire c13-shift-line '\x22\x08\x22\x06\x88\xff\xff\xff\x41\x00' 'proto: malformed location 1: invalid field number 2214592497 (at byte 4)'
wire c13-shift-label "$H"'\x12\x08\x1a\x06\x88\xff\xff\xff\x41\x00' 'proto: malformed sample 1: invalid field number 2214592497 (at byte 18)'
wire c13-shift-mapping '\x1a\x06\x88\xff\xff\xff\x41\x00' 'proto: malformed mapping 1: invalid field number 2214592497 (at byte 2)'
wire c13-shift-function '\x2a\x06\x88\xff\xff\xff\x41\x00' 'proto: malformed function 1: invalid field number 2214592497 (at byte 2)'
wire c13-shift-value-type '\x0a\x06\x88\xff\xff\xff\x41\x00' 'proto: malformed value type: invalid field number 2214592497 (at byte 2)'
wire c14-length-past-end '\x12\xff\xff\xff\xff\x0f' 'proto: truncated field 2 (at byte 0)'
wire c15-truncated-fixed64 '\x09\x01\x02' 'proto: truncated field 1 (at byte 0)'
wire c15-truncated-fixed32 '\x0d\x01' 'proto: truncated field 1 (at byte 0)'
wire c16-wrong-wire-type '\x10\x01' 'proto: field 2 has wire type 0 (at byte 0)'
wire c19-packed-truncated "$H"'\x12\x03\x0a\x01\x80' 'proto: malformed sample 1 (at byte 14)'
wire c21-concatenated "$H"'\x48\x01\x48\x02' 'proto: concatenated profiles detected (second time_nanos at byte 16)'

# --- §7 profile semantics ---
wire c23-string-table-0 '\x32\x01a' 'profile: string_table[0] must be the empty string'
wire c24-string-index '\x32\x00\x0a\x04\x08\x05\x10\x06' 'profile: string index out of range: sample_type 1'
wire c24-function-name "$H"'\x2a\x04\x08\x01\x10\x63' 'profile: string index out of range: function id 1 name'
wire c25-no-sample-type '\x32\x00\x12\x03\x12\x01\x01' 'profile: missing sample type information'
wire c26-value-count "$H"'\x12\x05\x12\x03\x01\x02\x03' 'profile: sample 1 has 3 values but there are 1 sample types'
wire c27-id-zero "$H"'\x2a\x02\x08\x00' 'profile: function 1 has reserved id 0'
wire c28-duplicate-id "$H"'\x2a\x02\x08\x01\x2a\x02\x08\x01' 'profile: duplicate function id 1'
wire c29-dangling-mapping "$H"'\x22\x04\x08\x01\x10\x09' 'profile: location id 1 refers to missing mapping id 9'
wire c29-dangling-function "$H"'\x22\x06\x08\x01\x22\x02\x08\x09' 'profile: location id 1 line 1 refers to missing function id 9'

# --- every fuzz crasher through the CLI: exit 0, or 1 with one line ---
for f in "$top"/tests/regress/corpus/*; do
	for r in -top -traces -dot; do
		got=$(timeout 20 "$cprof" -symbolize=none $r "$f" 2>&1 >/dev/null)
		rc=$?
		if [ $rc = 0 ] || { [ $rc = 1 ] && [ "$(printf '%s\n' "$got" | wc -l)" = 1 ] && [[ "$got" == "cprof: $f: "* ]]; }; then
			ok
		else
			bad "regress $r ${f##*/}: status $rc: $(printf '%s\n' "$got" | head -5)"
		fi
	done
done

# --- no partial output: SIGTERM while the report renders leaves nothing ---
if [ -x "$build/genprof" ]; then
	mkdir "$tmp/out"
	"$build/genprof" -n 35000 -f 8000 "$tmp/big.pb.gz" >/dev/null 2>&1
	"$cprof" -traces -output="$tmp/out/traces.txt" "$tmp/big.pb.gz" 2>/dev/null &
	pid=$!
	for _ in $(seq 1000); do
		compgen -G "$tmp/out/traces.txt.cprof-*" >/dev/null && break
		sleep 0.01
	done
	kill -TERM $pid 2>/dev/null
	wait $pid
	rc=$?
	if [ $rc = 143 ] && [ -z "$(ls -A "$tmp/out")" ]; then
		ok
	else
		bad "sigterm-output: status $rc, left: $(ls -A "$tmp/out")"
	fi
	rm -f "$tmp/out"/*
fi
# an error before writing leaves nothing either
expect output-error 2 "cprof: sample_index \"nope\" must be one of: [samples cpu]" -sample_index=nope -top -output="$tmp/out/x" go-cpu.pb.gz
if [ -z "$(ls -A "$tmp/out" 2>/dev/null)" ]; then ok; else bad "output-error left $(ls -A "$tmp/out")"; fi

# --- allocation failure: every k ends in the one out-of-memory line ---
printf "$H"'\x12\x03\x12\x01\x01' >"$tmp/tiny.pb"
for f in "$tmp/tiny.pb" inputs/folded.txt inputs/gperf-cpu.prof; do
	k=1 failed=0
	while [ $k -le 5000 ]; do
		got=$(CPROF_FAIL_ALLOC=$k "$cprof" -symbolize=none -top "$f" 2>&1 >/dev/null)
		rc=$?
		[ $rc = 0 ] && break
		if [ $rc != 1 ] || ! [[ "$got" =~ ^cprof:\ out\ of\ memory\ \(allocating\ [0-9]+\ bytes\)$ ]]; then
			bad "alloc-fail $f k=$k: status $rc: $(printf '%s\n' "$got" | head -5)"
			failed=1
			break
		fi
		k=$((k + 1))
	done
	if [ $failed = 0 ] && [ $k -gt 1 ] && [ $rc = 0 ]; then
		ok
		echo "harden: ${f##*/}: all $((k - 1)) allocation failures end in one line"
	elif [ $failed = 0 ]; then
		bad "alloc-fail $f: no clean run after $k"
	fi
done

# --- §7 rows 17-56 beyond the one-line errors above: inputs made here ---
# Protobuf wire helpers (hex strings; pb FILE HEX writes the bytes).
v() { # varint of N (int64 two's complement, as negative int64 fields are sent)
	local n=$1 out="" b
	while :; do
		b=$((n & 0x7f))
		n=$(((n >> 7) & 0x01ffffffffffffff))
		if [ $n = 0 ]; then
			out+=$(printf '%02x' $b)
			break
		fi
		out+=$(printf '%02x' $((b | 0x80)))
	done
	printf '%s' "$out"
}
fv() { printf '%s%s' "$(v $(($1 << 3)))" "$(v "$2")"; }
fb() { printf '%s%s%s' "$(v $(($1 << 3 | 2)))" "$(v $((${#2} / 2)))" "$2"; }
hexs() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
fs() { fb "$1" "$(hexs "$2")"; }
pb() { printf "$(printf '%s' "$2" | sed 's/../\\x&/g')" >"$1"; }
w64() { for n in "$@"; do for i in 0 1 2 3 4 5 6 7; do printf '%02x' $(((n >> (8 * i)) & 0xff)); done; done; }
# strings 0 "" 1 s 2 c 3 f 4 g 5 main.c 6 cpu 7 nanoseconds; sample type s/c;
# function 1 "f"; location 1 -> function 1; one sample of 5
STR=$(fs 6 ""; fs 6 s; fs 6 c; fs 6 f; fs 6 g; fs 6 main.c; fs 6 cpu; fs 6 nanoseconds)
ST=$(fb 1 "$(fv 1 1; fv 2 2)")
FN() { fb 5 "$(fv 1 "$1"; fv 2 "$2"; fv 3 "$2"; fv 4 5)"; }
LOC() { fb 4 "$(fv 1 "$1"; fv 3 "${3:-0}"; fb 4 "$(fv 1 "$2"; fv 2 "${4:-1}")")"; }
SMP() { fb 2 "$(fv 1 "$1"; fv 2 "$2")"; }
BASE="$STR$ST$(FN 1 3)$(LOC 1 1)"
# accept NAME WANT ARGS...: status 0, WANT (a line of stdout, or "") present,
# stderr terminal-safe and free of sanitizer reports.
accept() {
	local name=$1 want=$2 rc
	shift 2
	timeout 60 "$cprof" "$@" >"$tmp/acc.out" 2>"$tmp/acc.err"
	rc=$?
	if [ $rc = 0 ] && { [ -z "$want" ] || grep -qxF -- "$want" "$tmp/acc.out"; } &&
		inert "$tmp/acc.err" && ! grep -qE 'runtime error|Sanitizer|^==[0-9]+==' "$tmp/acc.err"; then
		ok
	else
		bad "$name: cprof $*: status $rc, want line: $want
$(head -c 600 "$tmp/acc.out" "$tmp/acc.err")"
	fi
}
P=$tmp/p.pb
pb "$P" "$BASE$(SMP 1 5)$(fv 99 1)$(fb 98 6869)d50601020304c906$(w64 7)"
accept c17-unknown-fields '        5c   100%   100%         5c   100%  f' -top "$P"
pb "$P" "$BASE$(fb 2 "$(fv 1 1; fv 2 5; fv 99 7; fb 98 78; printf 'fd0601020304')")"
accept c17-unknown-in-sample '        5c   100%   100%         5c   100%  f' -top "$P"
pb "$P" "$BASE$(SMP 1 5)$(fb 11 "$(fv 1 1; fv 2 2)")$(fb 11 "$(fv 1 6; fv 2 7)")"
accept c20-singular-repeated 'PeriodType: cpu nanoseconds' -raw "$P"
pb "$P" "$BASE$(SMP 1 -9223372036854775808)$(SMP 1 -9223372036854775808)"
accept c22-int64-min '-9223372036854775808   f' -traces "$P"
pb "$P" "$STR$ST$(FN -1 3)$(LOC -1 -1)$(SMP -1 5)"
accept c22-uint64-max-ids '18446744073709551615: 0x0 f main.c:1:0 s=0' -raw "$P"
pb "$P" "$STR$ST$(fb 3 "$(fv 1 1; fv 2 4096; fv 3 2048; fv 5 5)")$(fb 3 "$(fv 1 2; fv 2 1000; fv 3 9000; fv 4 -1; fv 5 5)")$(FN 1 3)$(LOC 1 1 4000)$(SMP 1 5)"
# accepted as pprof does; the symbolizer only trusts a regular ELF file
accept c30-mapping-start-gt-limit '1: 0x1000/0x800/0x0 main.c  ' -raw "$P"
accept c30-overlap-offset-overflow '' -top "$P"
pb "$P" "$BASE$(SMP 1 9223372036854775807)$(SMP 1 9223372036854775807)"
accept c31-sum-wraps '       -2c   100%   100%        -2c   100%  f' -top "$P"
pb "$P" "$BASE$(SMP 1 0)"
accept c32-zero-total 'Showing nodes accounting for 0, 0% of 0 total' -top "$P"
accept c32-zero-total-tree '' -tree "$P"
pb "$P" "$BASE$(SMP 1 -5)$(SMP 1 5)"
accept c32-negative 'Showing nodes accounting for 0, 0% of 10 total' -top "$P"
pb "$P" "$BASE$(fb 2 "$(fb 1 "$(head -c 1000000 /dev/zero | tr '\0' '\1' | od -An -v -tx1 | tr -d ' \n')"; fv 2 5)")"
for r in -top -tree -traces -dot -svg -flame -callgrind -folded -raw; do
	accept "c33-recursion-1M-deep $r" '' $r "$P"
done
awk 'BEGIN { s = "f0"; for (i = 1; i < 100000; i++) s = s ";f" i; print s, 1 }' >"$tmp/deep.folded"
for r in -top -tree -traces -dot -svg -flame -callgrind -peek=f9 -list=f99; do
	accept "c33-100k-distinct-frames $r" '' $r "$tmp/deep.folded"
done
awk 'BEGIN { for (i = 0; i < 300000; i++) print "main;fn" i, 1 + i % 7 }' >"$tmp/wide.folded"
for r in -top -tree -traces -svg -flame -callgrind; do
	accept "c34-300k-functions $r" '' $r "$tmp/wide.folded"
done
pb "$P" "$(fs 6 ""; fs 6 s; fs 6 c; fb 6 "$(hexs a)00$(hexs b)"; fs 6 g; fs 6 main.c)$ST$(FN 1 3)$(LOC 1 1)$(SMP 1 5)"
accept c35-nul-in-name '' -top "$P"
pb "$P" "$BASE$(fb 2 "$(fv 1 1; fv 2 5; fb 3 "$(fv 1 0; fv 2 4)"; fb 3 "$(fv 1 4; fv 2 3; fv 3 7)"; fb 3 "$(fv 1 3; fv 4 7)")")"
accept c36-odd-labels '                :[g] g:[f]' -raw "$P"
accept c36-odd-labels-tags ' : Total 5 of 5 (  100%)' -tags "$P"
pb "$P" "$BASE$(SMP 1 5)$(fb 11 "$(fv 1 6; fv 2 7)")$(fv 12 -5)$(fv 10 -1000)$(fv 9 9223372036854775807)"
accept c37-negative-period-duration 'Duration: -1us, Total samples = 5c ' -top "$P"
pb "$P" "$BASE$(SMP 1 5)$(fb 11 "$(fv 1 6; fv 2 7)")$(fv 12 0)$(fv 9 -9223372036854775808)"
accept c37-zero-period-min-time 'Period: 0' -raw "$P"
pb "$P" "$STR$ST$(fb 1 "$(fv 1 6; fv 2 7)")$(FN 1 3)$(LOC 1 1)$(fb 2 "$(fv 1 1; fv 2 5; fv 2 7)")$(fv 14 4)"
accept c38-default-type-missing 'Type: cpu' -top "$P"
# a build id that is no hex never becomes part of a path; a FIFO or device
# named as the binary is not opened for reading (no hang)
mkfifo "$tmp/binfifo"
pb "$P" "$(fs 6 ""; fs 6 s; fs 6 c; fs 6 "$tmp/binfifo"; fs 6 "../../*?/.."; fs 6 /dev/zero)$ST$(fb 3 "$(fv 1 1; fv 2 4096; fv 3 8192; fv 5 3; fv 6 4)")$(fb 4 "$(fv 1 1; fv 2 1; fv 3 4200)")$(SMP 1 5)"
accept c39-c40-fifo-binary '' -top "$P"
pb "$P" "$(fs 6 ""; fs 6 s; fs 6 c; fs 6 "$tmp/binfifo"; fs 6 "../../*?/.."; fs 6 /dev/zero)$ST$(fb 3 "$(fv 1 1; fv 2 4096; fv 3 8192; fv 5 5; fv 6 4)")$(fb 4 "$(fv 1 1; fv 2 1; fv 3 4200)")$(SMP 1 5)"
accept c40-device-binary '' -top "$P"
# list: a line number past the end of the source file, or negative
printf 'int main(void)\n{\n}\n' >"$tmp/main.c"
pb "$P" "$STR$ST$(FN 1 3)$(LOC 1 1 0 -7)$(LOC 2 1 0 99999)$(SMP 1 5)$(SMP 2 3)"
accept c41-line-out-of-range '' -list=f -source_path="$tmp" "$P"
# list never reads a FIFO or device named as a source file
pb "$P" "$(fs 6 ""; fs 6 s; fs 6 c; fs 6 f; fs 6 "$tmp/binfifo"; fs 6 /dev/zero)$ST$(fb 5 "$(fv 1 1; fv 2 3; fv 4 4)")$(fb 5 "$(fv 1 2; fv 2 3; fv 4 5)")$(LOC 1 1)$(LOC 2 2)$(SMP 1 5)$(SMP 2 5)"
got=$(timeout 10 "$cprof" -list=f "$P" 2>&1 | grep -c 'not a regular file')
if [ "$got" = 2 ]; then ok; else bad "c56-source-fifo-device: $got"; fi

# legacy gperftools CPU (64-bit little-endian words), rows 42-48
HDR=$(w64 0 3 0 10000 0) REC=$(w64 1 2 0x401000 0x402000) TR=$(w64 0 1 0)
MAPS=$(hexs '00400000-00500000 r-xp 00000000 00:00 0 /bin/prog
')
cpu() { pb "$tmp/$1.prof" "$2"; }
# a header that is not gperftools' is not this format: the proto error stands
for h in "c42-count $(w64 1 3 0 10000 0)" "c42-slots-2 $(w64 0 2 0 10000 0)" "c42-period-0 $(w64 0 3 0 0 0)" "c42-slots-5 $(w64 0 5 0 10000 0 7 7)"; do
	cpu "${h%% *}" "${h#* }$REC$TR$MAPS"
	expect "${h%% *}" 1 "cprof: $tmp/${h%% *}.prof: proto: invalid field number 0 (at byte 0)" -symbolize=none -top "$tmp/${h%% *}.prof"
done
cpu c43-partial-word "$HDR$REC$(w64 0 | cut -c1-6)"
expect c43-partial-word 1 "cprof: $tmp/c43-partial-word.prof: truncated gperftools CPU profile (record at byte 72)" -symbolize=none -top "$tmp/c43-partial-word.prof"
cpu c44-depth-past-end "$HDR$(w64 1 1000 0x401000)$TR"
expect c44-depth-past-end 1 "cprof: $tmp/c44-depth-past-end.prof: truncated gperftools CPU profile (record at byte 40)" -symbolize=none -top "$tmp/c44-depth-past-end.prof"
cpu c45-count-overflow "$HDR$(w64 0x7fffffffffffffff 1 0x401000)$REC$TR$MAPS"
expect c45-count-overflow 1 "cprof: $tmp/c45-count-overflow.prof: gperftools CPU profile: count 9223372036854775807 out of range (record at byte 40)" -symbolize=none -top "$tmp/c45-count-overflow.prof"
# accepted as pprof accepts them: depth 0, count 0, no trailer, PC 0 inside, junk maps
cpu c44-depth-0 "$HDR$(w64 1 0)$REC$TR$MAPS"
cpu c45-count-0 "$HDR$(w64 0 2 0x401000 0x402000)$REC$TR$MAPS"
cpu c46-no-trailer "$HDR$REC$REC"
cpu c47-pc0-inside "$HDR$REC$(w64 1 2 0 0x401000)$REC$TR"
cpu c48-bad-maps "$HDR$REC$TR$(hexs 'zzzz-yyyy r-xp 0 0 0 /x
00500000-00400000 r-xp 00000000 00:00 0 /s
ffffffffffffffff-1ffffffffffffffff r-xp 0 0 0 /o
00400000-00500000 r-xp 00000000 00:00 0
')$(head -c 200000 /dev/zero | tr '\0' A | od -An -v -tx1 | tr -d ' \n')0102ff"
for f in c44-depth-0 c45-count-0 c46-no-trailer c47-pc0-inside c48-bad-maps; do
	accept "$f" '' -symbolize=none -top "$tmp/$f.prof"
done

# legacy heap text, rows 49-51
MAPPED='
MAPPED_LIBRARIES:
00400000-00500000 r-xp 00000000 00:00 0 /bin/prog
'
heap() { printf 'heap profile:    1:   100 [    2:   200] @ %s\n%s%s' "$2" "$3" "$MAPPED" >"$tmp/$1.heap"; }
heap c49-rate-0 heap_v2/0 '     1:   100 [     2:   200] @ 0x401000'
heap c49-rate-negative heap_v2/-5 '     1:   100 [     2:   200] @ 0x401000'
heap c50-huge-values heap_v2/1 '     9223372036854775807:   9223372036854775807 [     2:   200] @ 0x401000'
for f in c49-rate-0 c49-rate-negative c50-huge-values; do
	accept "$f" '' -symbolize=none -top "$tmp/$f.heap"
done
heap c49-unknown-suffix heap_v9/524288 '     1:   100 [     2:   200] @ 0x401000'
expect c49-unknown-suffix 1 "cprof: $tmp/c49-unknown-suffix.heap: unrecognized profile format (not proto, legacy pprof, folded stacks or perf script)" -symbolize=none -top "$tmp/c49-unknown-suffix.heap"
heap c50-field-count heap_v2/524288 '     1:   100 [     2:] @ 0x401000'
heap c50-not-a-number heap_v2/524288 '     1:   1x0 [     2:   200] @ 0x401000'
heap c50-17-hex-digits heap_v2/524288 '     1:   100 [     2:   200] @ 0x12345678901234567'
heap c50-count-0 heap_v2/524288 '     0:   100 [     2:   200] @ 0x401000'
expect c50-field-count 1 "cprof: $tmp/c50-field-count.heap: heap profile: malformed sample (line 2)" -symbolize=none -top "$tmp/c50-field-count.heap"
expect c50-not-a-number 1 "cprof: $tmp/c50-not-a-number.heap: heap profile: malformed sample (line 2)" -symbolize=none -top "$tmp/c50-not-a-number.heap"
expect c50-17-hex-digits 1 "cprof: $tmp/c50-17-hex-digits.heap: heap profile: address out of range (line 2)" -symbolize=none -top "$tmp/c50-17-hex-digits.heap"
expect c50-count-0 1 "cprof: $tmp/c50-count-0.heap: heap profile: inuse count was 0 but inuse bytes was 100 (line 2)" -symbolize=none -top "$tmp/c50-count-0.heap"
{
	printf 'heap profile:    1:   100 [    2:   200] @ heap_v2/524288\n     1:   100 [     2:   200] @ 0x401000\n'
	head -c 100000000 /dev/zero | tr '\0' a
} >"$tmp/c51-long-line.heap"
expect c51-100MB-line 1 "cprof: $tmp/c51-long-line.heap: heap profile: malformed sample (line 3)" -symbolize=none -top "$tmp/c51-long-line.heap"
rm -f "$tmp/c51-long-line.heap"
printf 'heap profile:    1:   100 [    2:   200] @ heap_v2/524288\n     1:   1\0000 [     2:   200] @ 0x401000\n' >"$tmp/c51-nul.heap"
expect c51-nul 1 "cprof: $tmp/c51-nul.heap: heap profile: malformed sample (line 2)" -symbolize=none -top "$tmp/c51-nul.heap"
printf 'heap profile:    1:   100 [    2:   200] @ heap_v2/524288\r\n     1:   100 [     2:   200] @ 0x401000\r\n' >"$tmp/c51-crlf.heap"
accept c51-crlf 'Showing nodes accounting for 512.05kB, 100% of 512.05kB total' -symbolize=none -top "$tmp/c51-crlf.heap"

# symbolization inputs, rows 52-55: missing binary, corrupt ELF, addresses
# outside every mapping: unsymbolized, one warning at most, no crash
head -c 3000 /bin/ls >"$tmp/trunc.elf"
cp /bin/ls "$tmp/shoff.elf"
printf '\xff\xff\xff\xff\xff\xff\xff\x7f' | dd of="$tmp/shoff.elf" bs=1 seek=40 conv=notrunc status=none
cp /bin/ls "$tmp/shnum.elf"
printf '\xff\xff' | dd of="$tmp/shnum.elf" bs=1 seek=60 conv=notrunc status=none
for e in "c52-missing $tmp/missing 4096 8192 4200" "c53-truncated-elf $tmp/trunc.elf 4096 1000000 4200" "c53-section-offset $tmp/shoff.elf 4096 1000000 4200" "c53-section-count $tmp/shnum.elf 4096 1000000 4200" "c55-outside $tmp/shoff.elf 4096 8192 99999999" "c55-overflow $tmp/shoff.elf 4096 -1 -2"; do
	set -- $e
	pb "$P" "$(fs 6 ""; fs 6 s; fs 6 c; fs 6 "$2")$ST$(fb 3 "$(fv 1 1; fv 2 "$3"; fv 3 "$4"; fv 4 -1; fv 5 3)")$(fb 4 "$(fv 1 1; fv 2 1; fv 3 "$5")")$(fb 4 "$(fv 1 2; fv 3 "$5")")$(SMP 1 5)$(SMP 2 3)"
	accept "$1" '' -symbolize=local -top "$P"
	[ "$(wc -l <"$tmp/acc.err")" -le 1 ] || bad "$1: more than one warning"
done

# --- bounded graph layout: edge cap, search limits, watchdog (a child process) ---
awk 'BEGIN { srand(1); for (i = 0; i < 20000; i++) { d = 2 + int(rand() * 11); s = "";
	for (j = 0; j < d; j++) s = s (j ? ";" : "") "fn" int(rand() * 120); print s, 1 + int(rand() * 100) } }' >"$tmp/dense.folded"
dense=(-edgefraction=0 -nodefraction=0 -nodecount=60 "$tmp/dense.folded")
start=$(date +%s)
# a loaded machine is slow: the watchdog is not what this checks
if CPROF_LAYOUT_TIMEOUT=55 "$cprof" -svg "${dense[@]}" >"$tmp/dense.svg" 2>"$tmp/dense.err" &&
	grep -q 'Dropped [0-9]* lightest edges to bound the layout' "$tmp/dense.svg" &&
	[ "$(grep -c "<g id=\"edge" "$tmp/dense.svg")" -le 240 ] && [ $(($(date +%s) - start)) -lt 60 ]; then
	ok
else
	bad "layout-edge-cap: $(head -2 "$tmp/dense.err")"
fi
echo "harden: dense graph (60 nodes, 240 of $("$cprof" -dot "${dense[@]}" 2>/dev/null | grep -c -- '->') edges) laid out in $(($(date +%s) - start)) s"
# the DOT report itself keeps every edge, as pprof's does
if [ "$("$cprof" -dot "${dense[@]}" 2>/dev/null | grep -c -- '->')" -gt 240 ]; then ok; else bad "layout-edge-cap: -dot lost edges"; fi
mkdir -p "$tmp/lay"
got=$(CPROF_LAYOUT_TIMEOUT=0.05 timeout 20 "$cprof" -svg -output="$tmp/lay/g.svg" "${dense[@]}" 2>&1 >/dev/null)
rc=$?
# status 2 as for every failed report (pprof's status for any error)
if [ $rc = 2 ] && [ "$got" = "cprof: graphviz: layout took longer than 0.05 s; lower -nodecount or raise -edgefraction" ] &&
	[ -z "$(ls -A "$tmp/lay")" ]; then
	ok
else
	bad "layout-watchdog: status $rc: $got; left: $(ls -A "$tmp/lay")"
fi

# --- §7 row 18: amplification from element count, within or over the memory budget ---
{
	printf "$H"
	head -c 1000000 /dev/zero | tr '\0' a | sed 's/a/\x12\x03\x12\x01\x01/g'
} >"$tmp/amp.pb"
if "$cprof" -top "$tmp/amp.pb" 2>&1 | grep -q '^Showing nodes accounting for 0, 0% of 1000000 total$'; then ok; else bad "c18-amplification accepted"; fi
if ! $sanitized; then
	gzip -c "$tmp/amp.pb" >"$tmp/amp.pb.gz"
	for f in "$tmp/amp.pb" "$tmp/amp.pb.gz"; do
		got=$("$cprof" -max_memory=16M -top "$f" 2>&1 >/dev/null)
		rc=$?
		if [ $rc = 1 ] && [[ "$got" =~ ^cprof:\ $f:\ proto:\ memory\ budget\ of\ 16\ MiB\ exceeded\ \([0-9]+\ MiB\ in\ use,\ [0-9]+\ more\ asked\;\ raise\ it\ with\ -max_memory\)$ ]]; then
			ok
		else
			bad "c18-memory-budget ${f##*/}: status $rc: $got"
		fi
	done
fi
expect c18-bad-flag 2 "cprof: invalid value \"lots\" for max_memory: want a size such as 512M
usage: cprof <format> [options] <profile>...
       cprof <command> [args] <profile>...   (e.g. cprof top5 cpu.prof)
Run 'cprof -help' for every format and option." -max_memory=lots -top go-cpu.pb.gz

# --- adversarial names (§7 rows 35, 57-63) through every report ---
# on_tty FILE ARGS...: cprof ARGS with stdout on a terminal, its output in FILE
on_tty() {
	local f=$1
	shift
	script -qec "stty -onlcr; $(printf '%q ' "$cprof" "$@")" /dev/null >"$f" 2>/dev/null </dev/null
}
if [ -x "$build/names-fixture" ] && "$build/names-fixture" "$tmp/names.pb.gz"; then
	n=$tmp/names.pb.gz
	for r in -top -tree -peek=. -traces -list=. -raw -tags -comments -text; do
		"$cprof" $r "$n" >"$tmp/names.out" 2>"$tmp/names.err"
		rc=$?
		if [ $rc = 0 ] && [ -s "$tmp/names.out" ] && inert "$tmp/names.out" && inert "$tmp/names.err"; then
			ok
		else
			bad "names $r: status $rc, stdout or stderr not terminal-safe"
		fi
	done
	# -output files of text reports are as safe as stdout
	"$cprof" -traces -output="$tmp/names.txt" "$n" 2>/dev/null
	if inert "$tmp/names.txt"; then ok; else bad "names -traces -output: not terminal-safe"; fi
	# the sanitizer shows what it replaced
	if "$cprof" -top "$n" 2>/dev/null | grep -qF 'esc \x1b[2J\x1b[H clear' &&
		"$cprof" -comments "$n" 2>/dev/null | grep -qF '<script>alert(1)</script> \u202e' &&
		"$cprof" -top "$n" 2>/dev/null | grep -qF 'bad utf8 \xff\xfe \xc0\xaf'; then
		ok
	else
		bad "names: escapes not shown as \\x1b / \\u202e / \\xff"
	fi
	# data for other programs keeps its bytes in a pipe, and is inert on a terminal
	for r in -dot -folded -callgrind; do
		"$cprof" $r "$n" >"$tmp/names.out" 2>/dev/null
		if LC_ALL=C grep -aqP '\x1b\[2J' "$tmp/names.out"; then ok; else bad "names $r: exact bytes lost in a pipe"; fi
	done
	for r in -dot -folded; do
		on_tty "$tmp/names.tty" $r "$n"
		if [ -s "$tmp/names.tty" ] && inert "$tmp/names.tty"; then ok; else bad "names $r on a terminal: not terminal-safe"; fi
	done
	on_tty "$tmp/names.tty" -top "$n"
	if grep -qF 'esc \x1b[2J' "$tmp/names.tty" && inert "$tmp/names.tty"; then ok; else bad "names -top on a terminal"; fi
	# SVG and flame graph: well-formed, no script but ours, no handler, no outside link
	"$cprof" -svg go-cpu.pb.gz >"$tmp/plain.svg" 2>/dev/null
	"$cprof" -flame go-cpu.pb.gz >"$tmp/plain.flame" 2>/dev/null
	for r in svg flame; do
		"$cprof" -$r "$n" >"$tmp/names.$r" 2>"$tmp/names.err"
		rc=$?
		x() { xmllint --xpath "$1" "$tmp/names.$r" 2>/dev/null; }
		ours=$(xmllint --xpath 'string(//*[local-name()="script" and @type="text/ecmascript"])' "$tmp/plain.$r")
		if [ $rc = 0 ] && xmllint --noout "$tmp/names.$r" 2>/dev/null && inert "$tmp/names.err" &&
			[ "$(x 'count(//@*[starts-with(translate(local-name(),"ON","on"),"on")])')" = 0 ] &&
			[ "$(x 'count(//@*[local-name()="href" and not(starts-with(.,"#"))])')" = 0 ] &&
			[ "$(x 'count(//*[local-name()="foreignObject" or local-name()="iframe" or local-name()="embed" or local-name()="object"])')" = 0 ] &&
			[ "$(x 'count(//*[local-name()="script" and @type="text/ecmascript"])')" = 1 ] &&
			[ "$(x 'count(//*[local-name()="script" and not(@type="text/ecmascript") and not(@type="application/json")])')" = 0 ] &&
			[ "$(x 'string(//*[local-name()="script" and @type="text/ecmascript"])')" = "$ours" ] &&
			! LC_ALL=C grep -aqP '[\x00-\x08\x0b\x0c\x0e-\x1f]' "$tmp/names.$r"; then
			ok
		else
			bad "names -$r: status $rc, not well-formed or not inert"
		fi
	done
	# graphviz escapes stay literal in the drawn labels
	if grep -qF 'graphviz \N \G \l \E' "$tmp/names.svg"; then ok; else bad "names -svg: \\N \\G \\l expanded by graphviz"; fi
	for r in -png -pdf; do
		if "$cprof" $r -output="$tmp/names.img" "$n" 2>/dev/null && [ -s "$tmp/names.img" ]; then ok; else bad "names $r failed"; fi
	done
else
	bad "names: $build/names-fixture did not write the fixture"
fi

echo "harden: $pass passed, $fail failed"
[ "$fail" = 0 ]
