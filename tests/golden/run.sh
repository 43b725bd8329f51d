#!/usr/bin/env bash
# Golden tests: run each case of tests/golden/*.cases through cprof and
# compare stdout byte for byte with testdata/golden/NAME.
#
#   tests/golden/run.sh CPROF [CASES_FILE...]
#   UPDATE=1 tests/golden/run.sh CPROF      rewrite the goldens from cprof's output
#
# Case file lines: NAME<TAB>ARGS (shell words, paths relative to testdata/);
# '#' comments and blank lines are ignored.  A line starting "#pending "
# names a case that is known not to pass yet and says which issue owns it:
# it is counted and reported as skipped, never silently dropped.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cprof=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
if [ $# -eq 0 ]; then
	set -- "$top"/tests/golden/*.cases
fi
export TZ=UTC LC_ALL=C

pass=0 fail=0 skip=0
for cases in "$@"; do
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in
		"#pending "*)
			skip=$((skip + 1))
			echo "SKIP ${line#\#pending }"
			continue
			;;
		"" | "#"*) continue ;;
		esac
		name=${line%%$'\t'*}
		args=${line#*$'\t'}
		golden=$top/testdata/golden/$name
		out=$(cd "$top/testdata" && eval "set -- $args" && "$cprof" "$@" 2>/dev/null; echo "~$?")
		status=${out##*~}
		out=${out%~*}
		if [ "${UPDATE:-}" = 1 ]; then
			printf '%s' "$out" >"$golden"
			pass=$((pass + 1))
			continue
		fi
		if [ ! -f "$golden" ]; then
			echo "FAIL $name: no golden file testdata/golden/$name"
			fail=$((fail + 1))
		elif cmp -s <(printf '%s' "$out") "$golden"; then
			pass=$((pass + 1))
		else
			echo "FAIL $name (exit $status): cprof $args"
			diff -u "$golden" <(printf '%s' "$out") | head -20
			fail=$((fail + 1))
		fi
	done <"$cases"
done
echo "golden: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
