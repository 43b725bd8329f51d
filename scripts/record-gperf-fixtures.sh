#!/usr/bin/env bash
# Records the gperftools fixtures in testdata/ from the C programs in
# testdata/gperf/. The fixtures are committed; this script documents how they
# were made and is only needed to record new ones (the numbers will differ
# from run to run, the shape will not). After recording, regenerate the
# goldens:
#   scripts/pprof-goldens.sh tests/golden/reports.cases tests/golden/list.cases
#   UPDATE=1 tests/golden/run.sh build/cprof tests/golden/reports-cprof.cases
#
# Needs gcc, gperftools (google-perftools, libgoogle-perftools-dev) and Go
# (`go tool pprof` converts the legacy gperftools profiles to profile.proto
# and symbolizes them from the binaries' DWARF). No network.
#
#   testdata/gperf-cpu.pb.gz   cpu 1.5 (variant 1), libprofiler at 1000 Hz
#   testdata/gperf-cpu2.pb.gz  cpu 1.0 2 (variant 2: other weights)
#   testdata/gperf-heap.pb.gz  heap, tcmalloc heap profiler, dump at exit
#
# Usage: scripts/record-gperf-fixtures.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
testdata=$here/testdata

for tool in gcc go; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "record-gperf-fixtures: '$tool' not found in PATH" >&2
		exit 2
	fi
done

# A fixed, neutral build directory: its path ends up in the profiles'
# mappings (/tmp/cprof-gperf/cpu, /tmp/cprof-gperf/heap) and in the source
# file names of the heap profile (/tmp/cprof-gperf/heap.c). The CPU program
# is built with -fdebug-prefix-map so its source file is
# /proc/self/cwd/cpu.c, as in Bazel-style builds.
build=/tmp/cprof-gperf
rm -rf "$build"
mkdir -p "$build"
trap 'rm -rf "$build"' EXIT
cp "$testdata/gperf/cpu.c" "$testdata/gperf/heap.c" "$build/"

# -gdwarf-4 and -fno-reorder-functions: Go 1.19's pprof symbolizes from
# DWARF with its own reader, which gives up on DWARF 5 range lists and on
# main placed in .text.startup. Go's reader reports no inlined frames, so
# the inlined helpers (mix, step) show up as lines inside their callers.
# --no-as-needed keeps the profiler libraries linked although the
# programs call none of their functions (profiling is started by the
# CPUPROFILE / HEAPPROFILE environment variables).
cflags=(-O2 -g -gdwarf-4 -fno-reorder-functions)
cd "$build"
gcc "${cflags[@]}" -fdebug-prefix-map="$build"=/proc/self/cwd -o cpu cpu.c \
	-Wl,--no-as-needed -lprofiler -Wl,--as-needed
gcc "${cflags[@]}" -o heap heap.c \
	-Wl,--no-as-needed -ltcmalloc -Wl,--as-needed

echo "gcc: $(gcc --version | head -n 1)"
echo "gperftools: $(dpkg-query -W -f '${Version}' libgoogle-perftools-dev 2>/dev/null || echo unknown)"
echo "go: $(go version)"

CPUPROFILE=$build/cpu.prof CPUPROFILE_FREQUENCY=1000 ./cpu 1.5
CPUPROFILE=$build/cpu2.prof CPUPROFILE_FREQUENCY=1000 ./cpu 1.0 2
HEAPPROFILE=$build/heap ./heap
heapprof=$(ls "$build"/heap.*.heap | tail -n 1)

# Convert and symbolize: `go tool pprof -proto BINARY PROFILE`. The binary
# search path holds only the build directory; the shared libraries (libc,
# libprofiler) keep their absolute names and stay unsymbolized.
export PPROF_BINARY_PATH=$build
go tool pprof -proto "$build/cpu" "$build/cpu.prof" >"$testdata/gperf-cpu.pb.gz"
go tool pprof -proto "$build/cpu" "$build/cpu2.prof" >"$testdata/gperf-cpu2.pb.gz"
go tool pprof -proto "$build/heap" "$heapprof" >"$testdata/gperf-heap.pb.gz"

status=0
for f in gperf-cpu gperf-cpu2 gperf-heap; do
	size=$(wc -c <"$testdata/$f.pb.gz")
	echo "$f.pb.gz: $size bytes"
	if [ "$size" -ge 204800 ]; then
		echo "record-gperf-fixtures: $f.pb.gz is too large (>= 200 KB)" >&2
		status=1
	fi
done
exit $status
