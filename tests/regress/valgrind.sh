#!/usr/bin/env bash
# Replays the regression corpus (every past crasher) and a few fixtures of
# each input format through the CLI under valgrind memcheck: 0 errors and
# 0 bytes definitely lost, whatever the exit status (0, or 1 for a refused
# input).  Skipped for sanitizer builds (valgrind cannot run them) and when
# valgrind is missing.
#
#   tests/regress/valgrind.sh BUILD
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
cprof=$build/cprof
case $build in *-san*)
	echo "valgrind: SKIP: sanitizer build"
	exit 0
	;;
esac
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: SKIP: valgrind not found (Debian package valgrind)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# vg NAME ARGS...: cprof ARGS under memcheck
vg() {
	local name=$1 rc
	shift
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite --child-silent-after-fork=yes --log-file="$tmp/vg.log" \
		"$cprof" "$@" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc = 0 ] || [ $rc = 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		printf 'FAIL valgrind %s: cprof %s: status %s\n%s\n' "$name" "$*" "$rc" \
			"$(head -30 "$tmp/vg.log" "$tmp/err")"
	fi
}

for f in "$top"/tests/regress/corpus/*; do
	vg "${f##*/}" -symbolize=none -top "$f"
done
cd "$top/testdata"
vg go-cpu-traces -traces go-cpu.pb.gz
vg go-heap-tree -tree -sample_index=alloc_space go-heap.pb.gz
vg gperf-cpu -symbolize=none -top inputs/gperf-cpu.prof
vg gperf-heap -symbolize=none -top inputs/gperf-heap.heap
vg folded -top inputs/folded.txt
vg perf-script -top inputs/perf-script.txt
vg flame -flame go-cpu.pb.gz
vg svg -svg go-cpu.pb.gz
vg proto -proto -output="$tmp/out.pb.gz" go-cpu.pb.gz
vg bad-input -top inputs/heap-bad.txt
echo "valgrind: $pass runs clean (0 errors, 0 definitely lost), $fail failed"
[ "$fail" = 0 ]
