#!/usr/bin/env bash
# The stack index (src/model/sindex.h) against the sample walk.
#
#   tests/golden/index.sh BUILD_DIR
#
# The interactive shell, the TUI and the web UI index a profile's stacks
# and compute the reports that need only the call graph or the stack trie
# (top, peek, tree, dot and svg, flame) by walking the index, with focus/ignore/hide/show/show_from applied to
# it lazily.  cprof does the same for a one-shot report when CPROF_INDEX=1.
# This test runs a matrix of reports, filters and granularities over the
# bundled profiles and two generated ones (inlined frames, recursion) with
# CPROF_INDEX=0 and =1 and requires byte-identical output and exit status.
# The goldens of run.sh are checked both ways as well.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
cprof=$build/cprof
export TZ=UTC LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cprof-index.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# gen NAME ARGS...: a generated profile (genprof frees nothing: no leak check)
gen() {
	local name=$1
	shift
	ASAN_OPTIONS=detect_leaks=0 "$build/genprof" "$@" "$tmp/$name.pb.gz" >"$tmp/$name.log" 2>&1 || {
		echo "FAIL index: genprof $* failed:"
		cat "$tmp/$name.log"
		exit 1
	}
}
gen gen-a -s 3 -n 4000 -f 500
gen gen-b -s 7 -n 20000 -f 2000
# large enough (over 100k index nodes) for the two-thread walk
gen gen-c -s 11 -n 60000 -f 4000

profiles=(
	"$top/testdata/cpu.pb.gz"
	"$top/testdata/heap.pb.gz"
	"$top/testdata/go-cpu.pb.gz"
	"$top/testdata/go-heap.pb.gz"
	"$top/testdata/gperf-cpu.pb.gz"
	"$top/testdata/contention.pb.gz"
	"$top/testdata/long_name_funcs.pb.gz"
	"$top/testdata/heap_tags.pb.gz"
	"$top/testdata/heap_sizetags.pb.gz"
	"$tmp/gen-a.pb.gz"
	"$tmp/gen-b.pb.gz"
)
filters=(
	""
	"-focus=e"
	"-ignore=r"
	"-hide=a"
	"-show=[aeiou]n"
	"-show_from=m"
	"-focus=a -ignore=x -hide=e"
	"-focus=o -show_from=a -hide=n"
	"-relative_percentages -focus=t"
	"-show=. -hide=^r"
	"-prune_from=a -focus=e"
	"-focus=no-such-function"
	"-drop_negative -sample_index=0"
)
grans=("-lines" "-addresses -noinlines" "-files" "-filefunctions")

runs=0 fail=0
# compare ARGS...: the same report with and without the index
compare() {
	local a b
	a=$(CPROF_INDEX=0 "$cprof" "$@" 2>&1; echo "~$?")
	b=$(CPROF_INDEX=1 "$cprof" "$@" 2>&1; echo "~$?")
	runs=$((runs + 1))
	if [ "$a" != "$b" ]; then
		fail=$((fail + 1))
		echo "FAIL index: cprof $*"
		diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -10
	fi
}

for p in "${profiles[@]}"; do
	# every filter, at the default granularity
	for f in "${filters[@]}"; do
		# shellcheck disable=SC2086
		compare -top $f "$p"
		# shellcheck disable=SC2086
		compare -peek=[aeiou]n $f "$p"
	done
	# the other granularities, with a few filters
	for g in "${grans[@]}"; do
		for f in "" "-focus=a -ignore=x -hide=e" "-show_from=m -show=[aeiou]"; do
			# shellcheck disable=SC2086
			compare -top -cum -nodecount=7 $f $g "$p"
			# shellcheck disable=SC2086
			compare -peek=. $f $g "$p"
		done
	done
	compare -tree -nodecount=12 -focus=e "$p"
	compare -text -mean -hide=a "$p"
	# the call graph drawn
	for f in "" "-focus=e -hide=a -nodecount=20" "-call_tree" "-lines -show_from=m"; do
		# shellcheck disable=SC2086
		compare -dot $f "$p"
	done
	# the flame graph's stack trie
	for f in "" "-focus=e -hide=a" "-show_from=m -lines" "-drop_negative -noinlines" "-ignore=r -show=[aeiou]"; do
		# shellcheck disable=SC2086
		compare -flame $f "$p"
	done
done
# the two-thread walk, on the large one
for f in "" "-focus=a -hide=e" "-show_from=m -ignore=x" "-mean -lines"; do
	# shellcheck disable=SC2086
	compare -top $f "$tmp/gen-c.pb.gz"
	# shellcheck disable=SC2086
	compare -peek=[aeiou]n $f "$tmp/gen-c.pb.gz"
	# shellcheck disable=SC2086
	compare -dot $f "$tmp/gen-c.pb.gz"
done
# focus that leaves the second half's first node without samples (its path's
# edges must not appear with no weight)
for f in "a\$" "b\$" "g\$" "Lookup" "batch"; do
	compare -peek=. -focus="$f" "$tmp/gen-c.pb.gz"
done
echo "index: $runs reports identical with and without the stack index, $fail differ"
[ "$fail" -eq 0 ] || exit 1
CPROF_INDEX=1 "$top/tests/golden/run.sh" "$cprof" | sed 's/^golden:/golden (stack index):/'
