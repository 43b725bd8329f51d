#!/usr/bin/env bash
# pprof-record.sh - profile one of cprof's own unit tests, or its
# benchmarks, with `cprof record` (the seed workflow of issue 9).
#
#   scripts/pprof-record.sh test BUILD_DIR NAME   (make pprof.test TEST=NAME)
#   scripts/pprof-record.sh bench BUILD_DIR       (make pprof.bench)
#
# Profiles go to _output/pprof/ (PPROF_OUT overrides): NAME.cpu.pb.gz,
# NAME.heap.pb.gz (alloc_space is the interesting index for short runs),
# and a flame graph NAME.cpu.svg.  Each profile's top is printed.
set -uo pipefail
export LC_ALL=C

mode=${1:-}
build=${2:-build}
out=${PPROF_OUT:-_output/pprof}
cprof=$build/cprof
hz=${PPROF_HZ:-1000}

die() {
	printf 'pprof-record: %s\n' "$*" >&2
	exit 2
}

# record NAME PROG ARGS...: CPU and heap profiles of one run, then the tops
record() {
	local name=$1
	shift
	mkdir -p "$out" || die "cannot create $out"
	"$cprof" record -cpu "$out/$name.cpu.pb.gz" -heap "$out/$name.heap.pb.gz" -hz "$hz" \
		-- "$@" >"$out/$name.out" 2>"$out/$name.err"
	local rc=$?
	grep -v '^cprof record: .* written to' "$out/$name.err" >&2
	[ $rc = 0 ] || printf 'pprof-record: %s exited with status %d (output in %s)\n' \
		"$name" "$rc" "$out/$name.out" >&2
	echo
	echo "\$ cprof -top -nodecount=12 $out/$name.cpu.pb.gz"
	"$cprof" -top -nodecount=12 "$out/$name.cpu.pb.gz"
	echo
	echo "\$ cprof -top -nodecount=8 -sample_index=alloc_space $out/$name.heap.pb.gz"
	"$cprof" -top -nodecount=8 -sample_index=alloc_space "$out/$name.heap.pb.gz"
	"$cprof" -flame -output="$out/$name.cpu.svg" "$out/$name.cpu.pb.gz" 2>/dev/null
	echo
	echo "Profiles: $out/$name.cpu.pb.gz $out/$name.heap.pb.gz; flame graph: $out/$name.cpu.svg"
	return $rc
}

case $mode in
test)
	name=${3:-}
	name=${name#test_}
	if [ -z "$name" ] || [ ! -x "$build/tests/test_$name" ]; then
		names=$(cd "$build/tests" 2>/dev/null && ls test_* 2>/dev/null | sed 's/^test_//' | tr '\n' ' ')
		die "usage: make pprof.test TEST=name (one of: $names)"
	fi
	record "test_$name" "$build/tests/test_$name"
	;;
bench)
	gen=$build/genprof
	[ -x "$gen" ] || die "$gen missing (make $gen)"
	mkdir -p "$out"
	prof=$out/bench-input.pb.gz
	if [ ! -s "$prof" ] || [ "$gen" -nt "$prof" ]; then
		"$gen" -s 1 -n 35000 -f 8000 "$prof" || die "genprof failed"
	fi
	rc=0
	# The analyzer's hot path (bench/run.sh measures the same command).
	record bench-top "$cprof" -top -output=/dev/null "$prof" || rc=1
	# The recorder's own benchmark workloads (bench/record.sh).
	record bench-tree "$build/tests/record/bench_work" tree 300 || rc=1
	exit $rc
	;;
*)
	die "usage: $0 test BUILD_DIR NAME | bench BUILD_DIR"
	;;
esac
