#!/usr/bin/env bash
# Records the real-world legacy-format fixtures of testdata/inputs/:
#   gperf-cpu.prof        tests/inputs/prog.c under gperftools' libprofiler (CPUPROFILE)
#   gperf-heap.heap       tests/inputs/prog.c under tcmalloc's heap profiler (HEAPPROFILE)
#   go-*.txt              Go's debug=1 text profiles from testdata/go/legacy
# They are committed; this script documents how they were made (numbers and
# addresses differ from run to run, the shape does not).  Afterwards run
#   UPDATE=1 tests/inputs/run.sh build   to rewrite the expected dumps.
#
# Needs: gcc, google-perftools + libgoogle-perftools-dev, golang-go.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$here/testdata/inputs
build=/tmp/cprof-fixtures
lib=$(dirname "$(gcc -print-file-name=libprofiler.so)")
rm -rf "$build"
mkdir -p "$build"
trap 'rm -rf "$build"' EXIT

gcc -O2 -g -o "$build/prog" "$here/tests/inputs/prog.c"
(cd "$here/testdata/go" && GOFLAGS= GOPROXY=off GOWORK=off CGO_ENABLED=0 \
	go build -trimpath -o "$build/legacy" ./legacy)

cd "$build"
CPUPROFILE=$build/cpu.prof CPUPROFILE_FREQUENCY=250 LD_PRELOAD=$lib/libprofiler.so ./prog cpu 400
HEAPPROFILE=$build/heap LD_PRELOAD=$lib/libtcmalloc.so ./prog heap
cp cpu.prof "$out/gperf-cpu.prof"
cp heap.0001.heap "$out/gperf-heap.heap"
./legacy "$out"
