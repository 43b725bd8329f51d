#!/usr/bin/env bash
# record.sh - overhead of libcprof, side by side with gperftools, in one run.
#
# Usage: bench/record.sh BUILD_DIR
#
# Runs tests/record/bench_work (fixed work in 2 threads; it prints its own
# CPU time, user+sys from getrusage, so only the profiled process counts)
# BENCH_RUNS times (default 7) in each configuration, interleaved so that
# load from other work on the machine hits every configuration alike, and
# prints the median CPU time per unit of work and its ratio to the
# unprofiled run:
#   cpu    a CPU-bound loop: plain | libcprof CPU 100 Hz | gperftools libprofiler 100 Hz
#   tree   allocation-heavy macro benchmark (build/search/free string-keyed trees):
#          plain | libcprof heap 512 KiB | tcmalloc | tcmalloc HEAPPROFILE
#   malloc malloc/free microbenchmark (16..256 B), the same four
# tcmalloc's heap profiler records every allocation with a libunwind walk,
# so its runs do fewer units (BENCH_TCMALLOC_UNITS).
# Goals (issue 9): CPU profiling <= +1% CPU; heap profiling <= +10% on the
# malloc-heavy benchmarks (tree, and the bare malloc/free loop).  Absent gperftools gives n/a rows.
set -uo pipefail
export LC_ALL=C

build=$(cd "$1" && pwd)
work=$build/tests/record/bench_work
lib=$build/libcprof.so
runs=${BENCH_RUNS:-7}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

declare -A units=([cpu]=${BENCH_CPU_UNITS:-6000} [tree]=${BENCH_TREE_UNITS:-1500}
	[malloc]=${BENCH_MALLOC_UNITS:-20000})
tc_units=${BENCH_TCMALLOC_UNITS:-20}

gperf_dir=/usr/lib/x86_64-linux-gnu
profiler=$gperf_dir/libprofiler.so.0
tcmalloc=$gperf_dir/libtcmalloc.so.4
[ -e "$profiler" ] || profiler=
[ -e "$tcmalloc" ] || tcmalloc=

# run WORKLOAD VARIANT: one measurement (ns per unit), appended to $tmp/WORKLOAD-VARIANT
run() {
	local w=$1 v=$2 u=${units[$1]} out
	case $v in
	plain) out=$("$work" "$w" "$u") ;;
	cprof) out=$(LD_PRELOAD=$lib CPROF_CPUPROFILE=$tmp/c.pb.gz "$work" "$w" "$u") ;;
	gperf) out=$(LD_PRELOAD=$profiler CPUPROFILE=$tmp/g.prof CPUPROFILE_FREQUENCY=100 \
		"$work" "$w" "$u" 2>/dev/null) ;;
	cprofheap) out=$(LD_PRELOAD=$lib CPROF_MEMPROFILE=$tmp/h.pb.gz "$work" "$w" "$u") ;;
	tcmalloc) out=$(LD_PRELOAD=$tcmalloc "$work" "$w" "$u") ;;
	tcprof)
		u=$tc_units
		out=$(LD_PRELOAD=$tcmalloc HEAPPROFILE=$tmp/tc "$work" "$w" "$u" 2>/dev/null)
		;;
	esac
	[ -n "$out" ] && awk -v o="$out" -v u="$u" 'BEGIN { printf "%.1f\n", o / u }' >>"$tmp/$w-$v"
}

median() {
	[ -s "$tmp/$1" ] || { echo n/a; return; }
	sort -n "$tmp/$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

configs="cpu:plain cpu:cprof tree:plain tree:cprofheap malloc:plain malloc:cprofheap"
[ -n "$profiler" ] && configs="$configs cpu:gperf"
[ -n "$tcmalloc" ] && configs="$configs tree:tcmalloc tree:tcprof malloc:tcmalloc malloc:tcprof"
for ((i = 0; i < runs; i++)); do
	for c in $configs; do
		run "${c%:*}" "${c#*:}"
	done
done

row() {
	local name=$1 c=$2 base=$3 m b
	m=$(median "$c")
	b=$(median "$base")
	if [ "$m" = n/a ]; then
		printf '| %s | n/a | n/a |\n' "$name"
		return
	fi
	awk -v n="$name" -v m="$m" -v b="$b" \
		'BEGIN { printf "| %s | %.1f us | %+.2f%% |\n", n, m / 1e3, 100 * (m / b - 1) }'
}

echo "## libcprof overhead (median of $runs runs; CPU time user+sys of the profiled process)"
echo
echo "| configuration | CPU per unit of work | vs unprofiled |"
echo "|---|---|---|"
row "cpu-bound, unprofiled" cpu-plain cpu-plain
row "cpu-bound, libcprof CPU 100 Hz" cpu-cprof cpu-plain
row "cpu-bound, gperftools libprofiler 100 Hz" cpu-gperf cpu-plain
row "tree (malloc-heavy), glibc unprofiled" tree-plain tree-plain
row "tree, libcprof heap 512 KiB" tree-cprofheap tree-plain
row "tree, tcmalloc unprofiled" tree-tcmalloc tree-plain
row "tree, tcmalloc HEAPPROFILE" tree-tcprof tree-plain
row "malloc/free micro, glibc unprofiled" malloc-plain malloc-plain
row "malloc/free micro, libcprof heap 512 KiB" malloc-cprofheap malloc-plain
row "malloc/free micro, tcmalloc unprofiled" malloc-tcmalloc malloc-plain
row "malloc/free micro, tcmalloc HEAPPROFILE" malloc-tcprof malloc-plain
echo
awk -v c="$(median cpu-cprof)" -v p="$(median cpu-plain)" -v h="$(median tree-cprofheap)" \
	-v hp="$(median tree-plain)" -v m="$(median malloc-cprofheap)" -v mp="$(median malloc-plain)" 'BEGIN {
	printf "goal CPU profiling <= +1%%: %s (%+.2f%%)\n", c / p <= 1.01 ? "met" : "MISSED", 100 * (c / p - 1)
	printf "goal heap profiling <= +10%% (tree): %s (%+.2f%%)\n", h / hp <= 1.10 ? "met" : "MISSED", 100 * (h / hp - 1)
	printf "goal heap profiling <= +10%% (malloc/free micro): %s (%+.2f%%)\n", m / mp <= 1.10 ? "met" : "MISSED", 100 * (m / mp - 1)
}'
