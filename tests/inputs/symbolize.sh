#!/usr/bin/env bash
# Symbolization tests: tests/inputs/prog.c is built -O2 -g, profiled with
# gperftools' libprofiler (legacy CPU format, addresses only) and, when perf
# works here, with perf record -g; cprof must name its functions, show the
# inlined ones as their own rows, agree with go tool pprof (when Go is
# installed) on the functions pprof can name, and rank the same hot
# functions from perf script.  Numbers differ per run: only properties and
# cross-tool agreement are checked.  Parts whose tool is missing are
# skipped with a message.
#
#   tests/inputs/symbolize.sh BUILD_DIR
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
cprof=$build/cprof
export TZ=UTC LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skip=0

ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL $*"
	fail=$((fail + 1))
}
skipped() {
	echo "SKIP $*"
	skip=$((skip + 1))
}
# The row of function $2 in report $1 ("flat flat% sum% cum cum% name").
row() { grep -E "  $2( \(inline\))?\$" "$1"; }
# Rank of the first three function rows of a -top report.
top3() { sed -n '/^ *flat /,$p' "$1" | sed 1d | awk '{print $6}' | head -3 | tr '\n' ' '; }

libprofiler=$(gcc -print-file-name=libprofiler.so 2>/dev/null)
if [ ! -e "$libprofiler" ] || [ "$libprofiler" = libprofiler.so ]; then
	skipped "symbolize: gperftools' libprofiler.so not found (apt-get install libgoogle-perftools-dev)"
	echo "symbolize: $pass passed, $fail failed, $skip skipped"
	exit 0
fi

gcc -O2 -g -o "$tmp/prog" "$top/tests/inputs/prog.c" || exit 1
(cd "$tmp" && CPUPROFILE=$tmp/cpu.prof CPUPROFILE_FREQUENCY=250 LD_PRELOAD=$libprofiler \
	./prog cpu 400 >/dev/null 2>&1)
[ -s "$tmp/cpu.prof" ] || {
	bad "libprofiler wrote no profile"
	exit 1
}

# 1. The mapping's own path; inlined functions as their own rows.
"$cprof" -top "$tmp/cpu.prof" >"$tmp/inl.txt" 2>"$tmp/inl.err"
for f in heavy medium light main; do
	row "$tmp/inl.txt" "$f" >/dev/null || bad "no row for $f in: cprof -top cpu.prof"
done
row "$tmp/inl.txt" "mix \(inline\)" >/dev/null && row "$tmp/inl.txt" "step \(inline\)" >/dev/null &&
	ok || bad "inlined mix/step are not rows of their own: $(cat "$tmp/inl.txt")"

# 2. -noinlines: the inlined time goes to heavy/medium/light; the binary named first.
"$cprof" -top -noinlines "$tmp/prog" "$tmp/cpu.prof" >"$tmp/noinl.txt" 2>/dev/null
if grep -q "(inline)" "$tmp/noinl.txt" || row "$tmp/noinl.txt" mix >/dev/null; then
	bad "-noinlines still shows inlined functions"
else
	ok
fi
[ "$(top3 "$tmp/noinl.txt")" = "heavy medium light " ] && ok ||
	bad "-noinlines ranks $(top3 "$tmp/noinl.txt"), want heavy medium light"

# 3. Against go tool pprof: every function row pprof names is identical in cprof.
if command -v go >/dev/null 2>&1 && go tool pprof -h >/dev/null 2>&1; then
	(cd "$tmp" && go tool pprof -top -noinlines prog cpu.prof >"$tmp/pprof.txt" 2>/dev/null)
	rows=0
	while IFS= read -r line; do
		name=${line##* }
		case "$name" in \[* | "<unknown>" | "") continue ;; esac
		rows=$((rows + 1))
		grep -qxF -- "$line" "$tmp/noinl.txt" || bad "pprof row differs in cprof: '$line'"
	done < <(sed -n '/^ *flat /,$p' "$tmp/pprof.txt" | sed 1d)
	[ "$rows" -ge 3 ] && ok || bad "go tool pprof named only $rows functions"
else
	skipped "go tool pprof comparison: go not installed"
fi

# 4. A missing binary: one warning line, the report still printed; found again
#    through the command line and through $CPROF_BINARY_PATH.
mkdir "$tmp/bin"
mv "$tmp/prog" "$tmp/bin/prog"
"$cprof" -top "$tmp/cpu.prof" >"$tmp/miss.txt" 2>"$tmp/miss.err"
[ "$(grep -c "Local symbolization failed for $tmp/prog: open $tmp/prog: No such file or directory" "$tmp/miss.err")" = 1 ] &&
	grep -q "flat%" "$tmp/miss.txt" && ok || bad "missing binary: $(cat "$tmp/miss.err")"
"$cprof" -top -noinlines "$tmp/bin/prog" "$tmp/cpu.prof" >"$tmp/arg.txt" 2>/dev/null
[ "$(top3 "$tmp/arg.txt")" = "heavy medium light " ] && ok || bad "binary argument: $(top3 "$tmp/arg.txt")"
CPROF_BINARY_PATH=$tmp/nothing:$tmp/bin "$cprof" -top -noinlines "$tmp/cpu.prof" >"$tmp/env.txt" 2>/dev/null
[ "$(top3 "$tmp/env.txt")" = "heavy medium light " ] && ok || bad "CPROF_BINARY_PATH: $(top3 "$tmp/env.txt")"
"$cprof" -top -symbolize=none "$tmp/bin/prog" "$tmp/cpu.prof" >"$tmp/none.txt" 2>"$tmp/none.err"
! row "$tmp/none.txt" heavy >/dev/null && [ ! -s "$tmp/none.err" ] && ok || bad "-symbolize=none symbolized"

# 5. A build id that does not match: a warning, no symbols.
addr=$(nm "$tmp/bin/prog" | awk '$3 == "heavy" {print $1}')
printf 'x profile: total 1\n1 @ 0x%x\n--- Memory map: ---\n0-100000: %s (@0) deadbeef\n' \
	$((0x$addr + 1)) "$tmp/bin/prog" >"$tmp/buildid.txt"
"$cprof" -top "$tmp/buildid.txt" >"$tmp/bid.txt" 2>"$tmp/bid.err"
grep -q "does not match the profile's deadbeef" "$tmp/bid.err" && ! row "$tmp/bid.txt" heavy >/dev/null &&
	ok || bad "build id mismatch: $(cat "$tmp/bid.err")"
mv "$tmp/bin/prog" "$tmp/prog"

# 6. perf record -g, then perf script | cprof -top -: the same hot functions.
if command -v perf >/dev/null 2>&1 && perf record -g -o "$tmp/true.data" true >/dev/null 2>&1; then
	(cd "$tmp" && perf record -g -o "$tmp/perf.data" ./prog cpu 400 >/dev/null 2>&1)
	perf script -i "$tmp/perf.data" 2>/dev/null | "$cprof" -top -noinlines - >"$tmp/perf.txt" 2>/dev/null
	[ "$(top3 "$tmp/perf.txt")" = "$(top3 "$tmp/noinl.txt")" ] && ok ||
		bad "perf script ranks $(top3 "$tmp/perf.txt"), libprofiler $(top3 "$tmp/noinl.txt")"
else
	skipped "perf: 'perf record -g true' does not work here"
fi

# 7. 100k distinct addresses in one binary (cprof itself): time it.
text=$(readelf -lW "$cprof" | awk '$1 == "LOAD" && / R E / {print $2, $3, $5; exit}')
read -r off vaddr size <<<"$text"
n=$((size < 100000 ? size : 100000))
awk -v off=$((off)) -v va=$((vaddr)) -v n="$n" -v path="$cprof" 'BEGIN {
	base = 1073741824   # 0x40000000 (mawk prints %x in 32 bits)
	printf "bench profile: total %d\n", n
	for (i = 0; i < n; i++) printf "1 @ 0x%x\n", base + va - off + off + i + 1
	printf "--- Memory map: ---\n%x-%x r-xp %08x 08:01 1 %s\n", base + va, base + va + n + 4096, off, path
}' >"$tmp/100k.txt"
start=$(date +%s.%N)
"$cprof" -top -nodefraction=0 -nodecount=100000 "$tmp/100k.txt" >"$tmp/100k.out" 2>"$tmp/100k.err"
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
echo "symbolize: $n distinct addresses in $secs s"
# addresses in the PLT and padding have no symbol: allow 10% of them
unsym=$(awk '$6 == "[cprof]" {print $1}' "$tmp/100k.out")
if [ -s "$tmp/100k.err" ] || [ "${unsym:-0}" -gt $((n / 10)) ]; then
	bad "100k addresses: ${unsym:-0} left unsymbolized: $(head -3 "$tmp/100k.err")"
elif awk -v s="$secs" 'BEGIN { exit !(s > 5) }'; then
	bad "100k addresses took $secs s (want well under 1 s; 5 s allows for a busy machine)"
else
	ok
fi

echo "symbolize: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
