#!/usr/bin/env bash
# run.sh - benchmark cprof against `go tool pprof` and `gzip -dc`.
#
# Usage: bench/run.sh CPROF_BINARY GENPROF_BINARY
#
# Generates two synthetic CPU profiles with GENPROF_BINARY (kept in a cache
# directory and regenerated only when missing or older than the generator),
# then times, on each profile:
#   CPROF -top FILE                             (BENCH_RUNS runs)
#   go tool pprof -symbolize=none -top FILE     (BENCH_PPROF_RUNS runs; skipped without go)
#   gzip -dc FILE                               (BENCH_RUNS runs)
# and prints a markdown report: median wall time, median peak RSS, the
# ratios and whether the goals are met (speedup vs pprof >= 20x, RSS <= 1/4
# of pprof's, time <= 3x gzip -dc).
#
# Environment:
#   BENCH_RUNS        runs per measurement for cprof and gzip (default 5)
#   BENCH_PPROF_RUNS  runs for go tool pprof (default 3, at most BENCH_RUNS)
#   BENCH_DIR         profile cache directory (default build/bench under the repo)
#   BENCH_PPROF=0     skip go tool pprof even if go is installed (quick runs)
#
# Wall time is measured with bash's $EPOCHREALTIME around each run; peak RSS
# comes from GNU time (/usr/bin/time -f %M).  Without GNU time the RSS
# columns read n/a and the RSS goal is not judged.
#
# Exit status: 0 when the report was printed (goals missed or not), 1 when a
# command failed, 2 on bad usage.
set -euo pipefail
export LC_ALL=C

prog=bench/run.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

# Goals.
goal_speedup=20   # pprof time / cprof time >= this
goal_rss=0.25     # cprof RSS / pprof RSS <= this
goal_gzip=3       # cprof time / gzip -dc time <= this

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

usage() {
	sed -n '2,4s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

[[ $# -eq 2 ]] || usage
cprof=$1
genprof=$2

# A command given with a slash must be an executable file; otherwise look it up in PATH.
check_exe() {
	if [[ $1 == */* ]]; then
		[[ -f $1 && -x $1 ]] || die "$1: not an executable file"
	else
		command -v "$1" >/dev/null 2>&1 || die "$1: command not found"
	fi
}
check_exe "$cprof"
check_exe "$genprof"
command -v gzip >/dev/null 2>&1 || die "gzip: command not found"

runs=${BENCH_RUNS:-5}
pprof_runs=${BENCH_PPROF_RUNS:-3}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$runs'"
[[ $pprof_runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_PPROF_RUNS must be a positive integer, not '$pprof_runs'"
if ((pprof_runs > runs)); then
	pprof_runs=$runs
fi
cache=${BENCH_DIR:-$root/build/bench}
mkdir -p "$cache" || die "cannot create $cache"

# Peak RSS needs GNU time; wall time needs a sub-second clock.
have_gnu_time=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%M' -o /dev/null true >/dev/null 2>&1; then
	have_gnu_time=1
fi
have_go=0
skip_reason="go not installed"
if [[ ${BENCH_PPROF:-1} == 0 ]]; then
	skip_reason="BENCH_PPROF=0"
elif command -v go >/dev/null 2>&1; then
	have_go=1
fi

# Sub-second wall clock: bash 5's $EPOCHREALTIME (no fork), else date(1).
have_epoch=0
if [[ -n ${EPOCHREALTIME:-} ]]; then
	have_epoch=1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# ---------------------------------------------------------------------------
# Profiles: NAME and genprof arguments.  Regenerated when missing or when
# the generator binary is newer.
profiles=(
	"large:-s 1"
	"small:-s 1 -n 35000 -f 8000"
)

gen_profile() { # NAME ARGS -> prints the path
	local name=$1 args=$2 out
	out=$cache/$name${args// /}.pb.gz # e.g. small-s1-n35000-f8000.pb.gz
	if [[ ! -s $out || $genprof -nt $out ]]; then
		printf '%s: generating %s (genprof %s)\n' "$prog" "$out" "$args" >&2
		# shellcheck disable=SC2086 # args are words on purpose
		"$genprof" $args "$out" 2>"$tmp/gen.err" || {
			cat "$tmp/gen.err" >&2
			die "genprof failed for $name"
		}
		sed 's/^/  /' "$tmp/gen.err" >&2
	fi
	printf '%s\n' "$out"
}

# ---------------------------------------------------------------------------
# measure LABEL N CMD...: runs CMD N times (stdout and stderr discarded) and
# sets m_time (median seconds) and m_rss (median peak RSS in KB, or "").
measure() {
	local label=$1 n=$2 i t0 t1 rc
	shift 2
	local times=() rsses=()
	for ((i = 0; i < n; i++)); do
		if ((have_epoch)); then t0=$EPOCHREALTIME; else t0=$(date +%s.%N); fi
		rc=0
		if ((have_gnu_time)); then
			/usr/bin/time -f '%M' -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" || rc=$?
		else
			"$@" >/dev/null 2>"$tmp/err" || rc=$?
		fi
		if ((have_epoch)); then t1=$EPOCHREALTIME; else t1=$(date +%s.%N); fi
		if ((rc != 0)); then
			printf '%s: %s failed (exit %d): %s\n' "$prog" "$label" "$rc" "$*" >&2
			tail -n 20 "$tmp/err" >&2
			exit 1
		fi
		times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
		if ((have_gnu_time)); then
			rsses+=("$(tail -n 1 "$tmp/rss")")
		fi
	done
	m_time=$(median "${times[@]}")
	m_rss=""
	if ((have_gnu_time)); then
		m_rss=$(median "${rsses[@]}")
	fi
}

median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

fmt_time() { awk -v t="$1" 'BEGIN { if (t >= 10) printf "%.2f s", t; else if (t >= 1) printf "%.3f s", t; else printf "%.1f ms", t * 1000 }'; }
fmt_mb() { # bytes -> "12.3 MB"
	awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'
}
fmt_rss() { # KiB (GNU time's %M) -> MB (10^6 bytes, like the file sizes) or n/a
	if [[ -z $1 ]]; then
		printf 'n/a'
	else
		awk -v k="$1" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }'
	fi
}
fmt_ratio() { # VALUE FORMAT
	if [[ -z $1 ]]; then
		printf 'n/a'
	else
		awk -v r="$1" -v f="$2" 'BEGIN { printf f, r }'
	fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.6f", a / b; else print "" }'; }
# verdict VALUE GOAL ge|le
verdict() {
	if [[ -z $1 ]]; then
		: # not measured
	elif awk -v v="$1" -v g="$2" -v op="$3" 'BEGIN { exit !(op == "ge" ? v >= g : v <= g) }'; then
		printf 'PASS'
	else
		printf 'FAIL'
	fi
}

# ---------------------------------------------------------------------------
results=()   # rows for the measurement table
summary=()   # rows for the goals table
for spec in "${profiles[@]}"; do
	name=${spec%%:*}
	file=$(gen_profile "$name" "${spec#*:}")
	base=${file##*/}
	gz_bytes=$(wc -c <"$file")
	raw_bytes=$(gzip -dc "$file" | wc -c)
	size="$(fmt_mb "$gz_bytes") / $(fmt_mb "$raw_bytes")"
	cat "$file" >/dev/null # warm the page cache

	printf '%s: %s: cprof x%d\n' "$prog" "$name" "$runs" >&2
	"$cprof" -top "$file" >/dev/null 2>&1 || true # warm-up, untimed
	measure cprof "$runs" "$cprof" -top "$file"
	c_time=$m_time c_rss=$m_rss

	printf '%s: %s: gzip -dc x%d\n' "$prog" "$name" "$runs" >&2
	measure "gzip -dc" "$runs" gzip -dc "$file"
	g_time=$m_time g_rss=$m_rss

	p_time="" p_rss=""
	if ((have_go)); then
		printf '%s: %s: go tool pprof x%d\n' "$prog" "$name" "$pprof_runs" >&2
		measure "go tool pprof" "$pprof_runs" env GOTOOLCHAIN=local go tool pprof -symbolize=none -top "$file"
		p_time=$m_time p_rss=$m_rss
	fi

	results+=("| $base | $size | \`cprof -top\` | $(fmt_time "$c_time") | $(fmt_rss "$c_rss") |")
	if ((have_go)); then
		results+=("| | | \`go tool pprof -symbolize=none -top\` | $(fmt_time "$p_time") | $(fmt_rss "$p_rss") |")
	else
		results+=("| | | \`go tool pprof\` | skipped ($skip_reason) | skipped |")
	fi
	results+=("| | | \`gzip -dc\` | $(fmt_time "$g_time") | $(fmt_rss "$g_rss") |")

	speedup="" rss_frac=""
	if ((have_go)); then
		speedup=$(ratio "$p_time" "$c_time")
		if [[ -n $c_rss && -n $p_rss ]]; then
			rss_frac=$(ratio "$c_rss" "$p_rss")
		fi
	fi
	vs_gzip=$(ratio "$c_time" "$g_time")
	s_speed=$(verdict "$speedup" "$goal_speedup" ge)
	s_rss=$(verdict "$rss_frac" "$goal_rss" le)
	s_gzip=$(verdict "$vs_gzip" "$goal_gzip" le)
	summary+=("| $base | $(fmt_ratio "$speedup" '%.1fx') $s_speed | $(fmt_ratio "$rss_frac" '%.3f') $s_rss | $(fmt_ratio "$vs_gzip" '%.2fx') $s_gzip |")
done

# ---------------------------------------------------------------------------
printf '\n## cprof benchmark\n\n'
if ((have_go)); then
	printf 'Median of %d runs (go tool pprof: %d); peak RSS is the median of the runs'"'"' peak RSS.\n' "$runs" "$pprof_runs"
else
	printf 'Median of %d runs; peak RSS is the median of the runs'"'"' peak RSS.\n' "$runs"
fi
if ((!have_gnu_time)); then
	printf 'GNU time (/usr/bin/time) not found: peak RSS not measured.\n'
fi
if ((!have_go)); then
	printf 'go tool pprof skipped (%s).\n' "$skip_reason"
fi
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
printf 'Host: %s, %s CPUs%s.\n' "$(uname -m)" "$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')" "${cpu:+ ($cpu)}"
if ((have_go)); then
	printf 'Go: %s.\n' "$(go version 2>/dev/null || echo unknown)"
fi
printf '\n| profile | size gz / decoded | tool | wall time | peak RSS MB |\n'
printf '|---|---|---|---:|---:|\n'
printf '%s\n' "${results[@]}"
printf '\n| profile | speedup vs pprof (goal >= %sx) | RSS cprof/pprof (goal <= %s) | time cprof/gzip -dc (goal <= %sx) |\n' \
	"$goal_speedup" "$goal_rss" "$goal_gzip"
printf '|---|---|---|---|\n'
printf '%s\n' "${summary[@]}"
