#!/usr/bin/env bash
# Input-format tests: every fixture in testdata/inputs/ is loaded by the
# dump tool (Profile.String() layout) and compared with NAME.dump; a
# fixture with NAME.err instead must fail in cprof with exactly that one
# line on stderr and exit 1.
#
#   tests/inputs/run.sh BUILD_DIR            (BUILD_DIR holds cprof and tests/dump)
#   UPDATE=1 tests/inputs/run.sh BUILD_DIR   rewrite the .dump and .err files
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
dir=$top/testdata/inputs
export TZ=UTC LC_ALL=C

pass=0 fail=0
for f in "$dir"/*; do
	case "$f" in *.dump | *.err) continue ;; esac
	name=$(basename "$f")
	if [ -f "$f.err" ] || { [ "${UPDATE:-}" = 1 ] && ! "$build/tests/dump" "$f" >/dev/null 2>&1; }; then
		got=$(cd "$dir" && "$build/cprof" -top "$name" 2>&1 >/dev/null)
		status=$?
		if [ "${UPDATE:-}" = 1 ]; then
			printf '%s\n' "$got" >"$f.err"
		elif [ "$status" -ne 1 ] || [ "$got" != "$(cat "$f.err")" ]; then
			echo "FAIL $name: want exit 1 and: $(cat "$f.err")"
			echo "     got exit $status and: $got"
			fail=$((fail + 1))
			continue
		fi
		pass=$((pass + 1))
		continue
	fi
	got=$(cd "$dir" && "$build/tests/dump" "$name" 2>&1)
	if [ "${UPDATE:-}" = 1 ]; then
		printf '%s\n' "$got" >"$f.dump"
	elif [ ! -f "$f.dump" ]; then
		echo "FAIL $name: no expected dump $name.dump"
		fail=$((fail + 1))
		continue
	elif ! diff -u "$f.dump" <(printf '%s\n' "$got") >/dev/null; then
		echo "FAIL $name: dump differs from $name.dump:"
		diff -u "$f.dump" <(printf '%s\n' "$got") | head -20
		fail=$((fail + 1))
		continue
	fi
	pass=$((pass + 1))
done

# cprof -raw prints the same layout as the dump tool (upstream's Profile.String()).
# Known difference: go-heap.txt has a numeric label of value 0 without a unit, which
# pprof keeps from legacy text but cprof's model drops (the proto rule).
for d in "$dir"/*.dump; do
	f=${d%.dump}
	case "$f" in *go-heap.txt) continue ;; esac
	if cmp -s <(TZ=UTC "$build/cprof" -raw -symbolize=none "$f" 2>/dev/null) "$d"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL raw $(basename "$f"): cprof -raw differs from $(basename "$d")"
	fi
done
echo "inputs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
