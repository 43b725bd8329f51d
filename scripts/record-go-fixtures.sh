#!/usr/bin/env bash
# Records the Go profile fixtures in testdata/ from the programs in
# testdata/go/. The fixtures are committed; this script documents how they
# were made and is only needed to record new ones (the numbers will differ
# from run to run, the shape will not). After recording, regenerate the
# goldens:  scripts/pprof-goldens.sh tests/golden/go.cases
#
# Usage: scripts/record-go-fixtures.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
testdata=$here/testdata

if ! command -v go >/dev/null 2>&1; then
	echo "record-go-fixtures: 'go' not found in PATH (install golang-go)" >&2
	exit 2
fi

# A fixed, neutral build directory: its paths end up in the profiles'
# mappings (File: cpu, File: heap, ...).
build=/tmp/cprof-fixtures
rm -rf "$build"
mkdir -p "$build"
trap 'rm -rf "$build"' EXIT

# Standard library only: never touch the network.
export GOFLAGS= GOPROXY=off GOWORK=off CGO_ENABLED=0

echo "go: $(go version)"
for prog in cpu heap block mutex goroutine; do
	(cd "$testdata/go" && go build -trimpath -o "$build/$prog" "./$prog")
done

# Run from the build directory so nothing is written elsewhere.
cd "$build"
./cpu "$testdata/go-cpu.pb.gz" 1.5
./cpu "$testdata/go-cpu2.pb.gz" 1.0
./heap "$testdata/go-heap.pb.gz" "$testdata/go-allocs.pb.gz"
./block "$testdata/go-block.pb.gz"
./mutex "$testdata/go-mutex.pb.gz"
./goroutine "$testdata/go-goroutine.pb.gz"

status=0
for f in go-cpu go-cpu2 go-heap go-allocs go-block go-mutex go-goroutine; do
	size=$(wc -c <"$testdata/$f.pb.gz")
	echo "$f.pb.gz: $size bytes"
	if [ "$size" -ge 153600 ]; then
		echo "record-go-fixtures: $f.pb.gz is too large (>= 150 KB)" >&2
		status=1
	fi
done
exit $status
