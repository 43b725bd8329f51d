#!/usr/bin/env bash
# Replays the fuzz seeds (testdata) and every past crasher (tests/regress/)
# through each fuzz target built without libFuzzer (BUILD/replay/fuzz_*).
# A crash, a sanitizer report or a failed property aborts the target.
#
#   tests/regress/run.sh BUILD
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$1
pass=0 fail=0

for bin in "$build"/replay/fuzz_*; do
	t=${bin##*/fuzz_}
	if n=$("$bin" "$top/testdata" "$top/testdata/inputs" "$top/tests/regress/corpus" 2>&1); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		printf 'FAIL replay %s:\n%s\n' "$t" "$n" | head -30
	fi
done
echo "regress: $pass targets replayed ($(ls "$top/tests/regress/corpus" | wc -l) crashers), $fail failed"
[ "$fail" = 0 ]
