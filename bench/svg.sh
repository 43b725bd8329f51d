#!/usr/bin/env bash
# svg.sh - cprof -svg against go tool pprof -svg on the benchmark profile.
#
# Usage: bench/svg.sh CPROF_BINARY PROFILE
#
# Times, in the same run, BENCH_RUNS runs (default 5) of
#   CPROF -svg PROFILE                           (graph + in-process graphviz)
#   go tool pprof -symbolize=none -svg PROFILE   (BENCH_PPROF_RUNS, default 3;
#                                                 pprof pipes its DOT to `dot`)
# and prints a markdown table with median wall times and the speedup (goal:
# cprof at least 5x faster).  pprof is skipped with BENCH_PPROF=0, without
# go, or without graphviz's `dot` (Debian package graphviz).
#
# Exit status: 0 when the table was printed, 1 when a command failed, 2 on
# bad usage.
set -euo pipefail
export LC_ALL=C
prog=bench/svg.sh
goal=5

[[ $# -eq 2 ]] || {
	sed -n '2,4s/^# \{0,1\}//p' "$0" >&2
	exit 2
}
cprof=$1
profile=$2
[[ -x $cprof ]] || { echo "$prog: $cprof: not an executable" >&2; exit 2; }
[[ -s $profile ]] || { echo "$prog: $profile: no such profile" >&2; exit 2; }
runs=${BENCH_RUNS:-5}
pprof_runs=${BENCH_PPROF_RUNS:-3}

skip=""
if [[ ${BENCH_PPROF:-1} == 0 ]]; then
	skip="BENCH_PPROF=0"
elif ! command -v go >/dev/null 2>&1; then
	skip="go not installed"
elif ! command -v dot >/dev/null 2>&1; then
	skip="dot not installed (Debian package graphviz)"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench-svg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# median_time N CMD...: runs CMD N times, prints the median wall time in seconds.
median_time() {
	local n=$1 i t0 t1
	shift
	local times=()
	for ((i = 0; i < n; i++)); do
		t0=$EPOCHREALTIME
		if ! "$@" >"$tmp/out" 2>"$tmp/err"; then
			echo "$prog: failed: $*" >&2
			tail -n 20 "$tmp/err" >&2
			exit 1
		fi
		t1=$EPOCHREALTIME
		times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
	done
	printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

echo "$prog: cprof -svg x$runs" >&2
ct=$(median_time "$runs" "$cprof" -svg "$profile")
grep -q '<g id="viewport"' "$tmp/out" || { echo "$prog: cprof -svg gave no SVG" >&2; exit 1; }
pt=""
if [[ -z $skip ]]; then
	echo "$prog: go tool pprof -svg x$pprof_runs" >&2
	pt=$(median_time "$pprof_runs" go tool pprof -symbolize=none -svg "$profile")
fi

echo
echo "## cprof -svg vs go tool pprof -svg"
echo
echo "Median wall time; profile $(basename "$profile") ($(du -h "$profile" | cut -f1))."
echo
echo "| tool | wall time |"
echo "|---|---:|"
printf '| `cprof -svg` | %.3f s |\n' "$ct"
if [[ -n $skip ]]; then
	echo "| \`go tool pprof -svg\` | skipped ($skip) |"
else
	printf '| `go tool pprof -svg` | %.3f s |\n' "$pt"
	awk -v c="$ct" -v p="$pt" -v g="$goal" 'BEGIN {
		s = p / c
		printf "\nspeedup: %.1fx (goal >= %dx) %s\n", s, g, (s >= g ? "PASS" : "FAIL")
	}'
fi
