#!/usr/bin/env bash
# Command-line behaviour: exact error lines and exit statuses for bad inputs
# and bad usage, warnings on stderr, -output, stdin, and the shell-style
# command forms.  Bad inputs are made from good fixtures in a temp dir.
#
#   tests/cli/run.sh CPROF [GENPROF]    (GENPROF: bench generator, for the progress test)
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cprof=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
genprof=
if [ -n "${2:-}" ]; then
	genprof=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top/testdata"
export TZ=UTC LC_ALL=C

pass=0 fail=0

# expect NAME STATUS STDERR -- ARGS...: exact exit status and exact stderr.
expect() {
	local name=$1 status=$2 want=$3 got rc
	shift 4
	got=$("$cprof" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = "$status" ] && [ "$got" = "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		printf 'FAIL %s: cprof %s\n  want status %s, stderr:\n%s\n  got status %s, stderr:\n%s\n' \
			"$name" "$*" "$status" "$want" "$rc" "$got"
	fi
}

# same NAME "ARGS A" "ARGS B": both succeed with identical stdout.
same() {
	local name=$1 a b
	a=$(eval "\"\$cprof\" $2" 2>/dev/null) || { fail=$((fail + 1)); echo "FAIL $name: $2 failed"; return; }
	b=$(eval "\"\$cprof\" $3" 2>/dev/null) || { fail=$((fail + 1)); echo "FAIL $name: $3 failed"; return; }
	if [ "$a" = "$b" ] && [ -n "$a" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name: '$2' and '$3' differ"
		diff <(echo "$a") <(echo "$b") | head -10
	fi
}

hint="usage: cprof <format> [options] <profile>...
       cprof <command> [args] <profile>...   (e.g. cprof top5 cpu.prof)
Run 'cprof -help' for every format and option."

# --- bad inputs: one line, exit 1 ---
size=$(wc -c <go-cpu.pb.gz)
head -c $((size / 2)) go-cpu.pb.gz >"$tmp/truncated.pb.gz"
expect truncated-gzip 1 "cprof: $tmp/truncated.pb.gz: truncated gzip data (after $((size / 2)) compressed bytes)" -- -top "$tmp/truncated.pb.gz"

cp go-cpu.pb.gz "$tmp/corrupt.pb.gz"
printf '\377\377\377\377\377\377\377\377' | dd of="$tmp/corrupt.pb.gz" bs=1 seek=40 conv=notrunc status=none
got=$("$cprof" -top "$tmp/corrupt.pb.gz" 2>&1 >/dev/null); rc=$?
if [ $rc = 1 ] && [[ "$got" == "cprof: $tmp/corrupt.pb.gz: corrupt gzip data: "*" (at compressed byte "*")" ]] && [ "$(echo "$got" | wc -l)" = 1 ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL corrupt-gzip: status $rc: $got"
fi

gzip -dc go-cpu.pb.gz >"$tmp/raw.pb"
head -c 1000 "$tmp/raw.pb" >"$tmp/truncated.pb"
got=$("$cprof" -top "$tmp/truncated.pb" 2>&1 >/dev/null); rc=$?
if [ $rc = 1 ] && [[ "$got" == "cprof: $tmp/truncated.pb: "*"(at byte "*")" ]] && [ "$(echo "$got" | wc -l)" = 1 ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL truncated-raw: status $rc: $got"
fi

printf 'this is not a profile\n' >"$tmp/text.txt"
expect not-a-profile 1 "cprof: $tmp/text.txt: unrecognized profile format (not proto, legacy pprof, folded stacks or perf script)" -- -top "$tmp/text.txt"
: >"$tmp/empty"
expect empty 1 "cprof: $tmp/empty: empty input" -- -top "$tmp/empty"
printf '' | gzip >"$tmp/empty.gz"
expect empty-gzip 1 "cprof: $tmp/empty.gz: empty input (gzip data decompresses to nothing)" -- -top "$tmp/empty.gz"
expect missing 1 "cprof: nosuch.pb.gz: No such file or directory" -- -top nosuch.pb.gz
expect directory 1 "cprof: $tmp: is a directory" -- -top "$tmp"
expect merge-mismatch 1 "cprof: cannot merge go-cpu.pb.gz and go-heap.pb.gz: profiles have no sample type in common" -- -top go-cpu.pb.gz go-heap.pb.gz
expect merge-period 1 "cprof: cannot merge go-block.pb.gz, go-mutex.pb.gz and go-cpu2.pb.gz: profiles have no sample type in common" -- -top go-block.pb.gz go-mutex.pb.gz go-cpu2.pb.gz
expect base-and-diff 2 "cprof: -base and -diff_base flags cannot both be specified
$hint" -- -top -base=go-cpu2.pb.gz -diff_base=go-cpu2.pb.gz go-cpu.pb.gz
expect normalize-no-base 2 "cprof: must have base profile to normalize by
$hint" -- -top -normalize go-cpu.pb.gz

# --- usage errors: exit 2 ---
expect unknown-flag 2 "cprof: flag provided but not defined: -nosuch
$hint" -- -nosuch go-cpu.pb.gz
expect bad-symbolize 2 "cprof: unknown -symbolize option bogus
$hint" -- -top -symbolize=local:bogus go-cpu.pb.gz
expect two-formats 2 "cprof: must set at most one output format
$hint" -- -top -text go-cpu.pb.gz
expect conflicting 2 "cprof: conflicting options set: [files lines]
$hint" -- -top -lines -files go-cpu.pb.gz
expect bad-int 2 "cprof: invalid value \"x\" for nodecount: want an integer
$hint" -- -top -nodecount=x go-cpu.pb.gz
expect missing-value 2 "cprof: flag needs an argument: -focus
$hint" -- -top -focus
expect no-profile 2 "cprof: no profile given
$hint" -- -top
expect bad-regexp 2 "cprof: parsing focus regexp: missing closing parenthesis at offset 1" -- -top -focus='(' go-cpu.pb.gz
expect bad-sample-index 2 "cprof: sample_index \"bogus\" must be one of: [samples cpu]" -- -top -sample_index=bogus go-cpu.pb.gz
expect sample-index-range 2 "cprof: sample_index 5 is outside the range [0..1]" -- -top -sample_index=5 go-cpu.pb.gz
expect zero-divisor 2 "cprof: zero divisor specified" -- -top -divide_by=0 go-cpu.pb.gz
expect unavailable 2 "cprof: the disasm report is not available in this version of cprof" -- -disasm=main go-cpu.pb.gz
expect peek-nomatch 2 "cprof: no matches found for regexp: zzzq" -- -peek=zzzq go-cpu.pb.gz
expect tagfocus-range 0 "tagfocus:Interpreted '1mb:' as range, not regexp
TagFocus expression matched no samples" -- -top -tagfocus=1mb: go-cpu.pb.gz
expect bad-range 2 "cprof: tagfocus: bad range '1kb:2ms': numbers out of range or units that cannot be compared" -- -top -tagfocus=1kb:2ms go-heap.pb.gz
expect bad-range-overflow 2 "cprof: tagignore: bad range '99999999999999999999kb:': numbers out of range or units that cannot be compared" -- -top -tagignore=99999999999999999999kb: go-heap.pb.gz
expect tagroot-nomatch 0 "TagRoot expression matched no samples" -- -top -tagroot=nosuchkey go-cpu.pb.gz
expect bad-tagfocus 2 "cprof: parsing tagfocus regexp: missing closing parenthesis at offset 1" -- -top -tagfocus='(' go-cpu.pb.gz

# --- warnings go to stderr, the report still to stdout ---
expect focus-nomatch 0 "Focus expression matched no samples" -- -top -focus=nomatchatall go-cpu.pb.gz
expect ignore-hide-nomatch 0 "Ignore expression matched no samples
Hide expression matched no samples" -- -top -ignore=zzzq -hide=zzzq go-cpu.pb.gz
expect show-from-nomatch 0 "ShowFrom expression matched no samples" -- -top -show_from=zzzq go-cpu.pb.gz

# --- -output, stdin, flag spellings, command forms ---
expect output 0 "Generating report in $tmp/out.txt" -- -top -output "$tmp/out.txt" go-cpu.pb.gz
if cmp -s "$tmp/out.txt" golden/go-cpu.top && [ -z "$(ls "$tmp" | grep cprof-)" ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL output-content: -output file differs from the golden, or a temp file was left"
fi
same stdin "-top - <go-cpu.pb.gz" "-top go-cpu.pb.gz"
same raw-proto "-top $tmp/raw.pb" "-top go-cpu.pb.gz"
same double-dash "--top --nodecount 5 go-cpu.pb.gz" "-top -nodecount=5 go-cpu.pb.gz"
same bool-value "-top -cum=true go-cpu.pb.gz" "-top -cum go-cpu.pb.gz"
same command-count "top5 go-cpu.pb.gz" "-top -nodecount=5 go-cpu.pb.gz"
same command-cum "top -cum go-cpu.pb.gz" "-top -cum go-cpu.pb.gz"
same command-args "top 7 -cum main -runtime go-cpu.pb.gz" "-top -nodecount=7 -cum -focus=main -ignore=runtime go-cpu.pb.gz"
same command-flag "text -lines go-cpu.pb.gz" "-text -lines go-cpu.pb.gz"
same shorthand "-top -inuse_space go-heap.pb.gz" "-top -sample_index=inuse_space go-heap.pb.gz"
same merge-self "-top -compact_labels -divide_by=2 -unit=ms go-cpu.pb.gz go-cpu.pb.gz" "-top -compact_labels -unit=ms go-cpu.pb.gz"
help=$("$cprof" -help); rc=$?
if [ $rc = 0 ] && grep -q '^  top ' <<<"$help" && grep -q -- '-nodefraction=' <<<"$help"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL help: status $rc"
fi

# --- list: a missing source file is reported in the listing, no match is an error ---
got=$("$cprof" -list='main.fib$' -source_path=/nonexistent go-cpu.pb.gz 2>&1 | sed -n 4p)
if [ "$got" = " Error: could not find file cprof.example/fixtures/cpu/main.go on path /nonexistent" ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL list-missing-source: got '$got'"
fi
expect list-nomatch 2 "cprof: no matches found for regexp: zzzq" -- -list=zzzq go-cpu.pb.gz

# --- proto round trip: cprof -proto re-reads to the same report, in cprof and in go tool pprof ---
for f in go-cpu go-heap go-block heap cpu; do
	"$cprof" -proto "$f.pb.gz" >"$tmp/$f.rt.pb.gz" 2>/dev/null
	if cmp -s <("$cprof" -top "$f.pb.gz" 2>&1) <("$cprof" -top "$tmp/$f.rt.pb.gz" 2>&1) &&
		cmp -s <("$cprof" -traces -tags "$f.pb.gz" 2>&1) <("$cprof" -traces -tags "$tmp/$f.rt.pb.gz" 2>&1); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "FAIL proto-roundtrip $f: reports differ after -proto"
	fi
	if command -v go >/dev/null; then
		if cmp -s <(cd "$tmp" && go tool pprof -symbolize=none -top "$top/testdata/$f.pb.gz" 2>/dev/null) \
			<(cd "$tmp" && go tool pprof -symbolize=none -top "$tmp/$f.rt.pb.gz" 2>/dev/null); then
			pass=$((pass + 1))
		else
			fail=$((fail + 1)); echo "FAIL proto-pprof $f: go tool pprof -top differs on cprof's -proto output"
		fi
	fi
done
command -v go >/dev/null || echo "SKIP proto-pprof: go is not installed (go tool pprof reads cprof's -proto output)"

# --- topproto, two passes as pprof's test does (goldens by go tool pprof, see testdata/README.md) ---
b="-symbolize=none -nodecount=20 -nodefraction=0.05 -edgefraction=0.01 -compact_labels -unit=minimum"
# shellcheck disable=SC2086
"$cprof" $b -topproto -addresses -output="$tmp/tp.pb.gz" cpu.pb.gz 2>/dev/null
# shellcheck disable=SC2086
if cmp -s <("$cprof" $b -text -lines "$tmp/tp.pb.gz") golden/topproto.cpu.lines &&
	cmp -s <("$cprof" $b -text -lines -cum -hide='line[X3]0' "$tmp/tp.pb.gz") golden/topproto.cpu.cum.lines.hide; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL topproto: two-pass output differs from its goldens"
fi

# --- binary reports are not written to a terminal ---
if command -v script >/dev/null; then
	got=$(cd "$tmp" && script -qec "'$cprof' -proto $top/testdata/go-cpu.pb.gz" /dev/null | tr -d '\r')
	if [ "$got" = "Generating report in profile001.pb.gz" ] && cmp -s "$tmp/profile001.pb.gz" "$tmp/go-cpu.rt.pb.gz"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "FAIL away-from-tty: got '$got'"
	fi
fi

# --- progress on a terminal (stderr a pty), shown at once with CPROF_PROGRESS_AFTER=0 ---
if [ -n "$genprof" ] && [ -x "$genprof" ] && command -v script >/dev/null; then
	"$genprof" -n 35000 -f 8000 "$tmp/big.pb.gz" >/dev/null 2>&1
	got=$(CPROF_PROGRESS_AFTER=0 script -qec "'$cprof' -top -output=$tmp/big.txt $tmp/big.pb.gz" /dev/null | tr '\r' '\n')
	quiet=$("$cprof" -top -output="$tmp/big2.txt" "$tmp/big.pb.gz" 2>&1)
	if grep -q "^cprof: loading $tmp/big.pb.gz: *[0-9]*%" <<<"$got" && [ "$quiet" = "Generating report in $tmp/big2.txt" ] &&
		cmp -s "$tmp/big.txt" "$tmp/big2.txt"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "FAIL progress: got: $got; without a terminal: $quiet"
	fi
else
	echo "SKIP progress: needs the bench generator (argument 2) and script(1)"
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
