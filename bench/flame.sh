#!/usr/bin/env bash
# flame.sh - benchmark cprof's flame graph on the large generated profile.
#
# Usage: bench/flame.sh CPROF_BINARY GENPROF_BINARY
#
# Times `CPROF -flame FILE` (BENCH_RUNS runs, after one untimed warm-up) on
# the large profile of bench/run.sh (genprof -s 1, cached in BENCH_DIR), and
# reports the median wall time, the median peak RSS, the SVG's size and how
# many frames it draws, against the goals: under 1 s and under 5 MB.  It
# also times `CPROF -top FILE`, which is loading plus the smallest report,
# so the flame graph's own share can be read off.
#
# When flamegraph.pl is found (FLAMEGRAPH_PL, or on the PATH; Debian's
# `flamegraph` package installs it where a release has one), the same stacks
# are written in folded form by `CPROF -folded` and flamegraph.pl is timed on
# them (BENCH_FG_RUNS runs, default 1: it takes about a minute); the report
# gives the ratio.  Without it, that row says skipped and why.
#
# Environment: BENCH_RUNS (default 5), BENCH_FG_RUNS (default 1), BENCH_DIR,
# FLAMEGRAPH_PL.  Exit status: 0 when the report was printed, 1 when a
# command failed, 2 on bad usage.
set -euo pipefail
export LC_ALL=C

prog=bench/flame.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

[[ $# -eq 2 ]] || {
	sed -n '2,4s/^# \{0,1\}//p' "$0" >&2
	exit 2
}
cprof=$1
genprof=$2
[[ -x $cprof ]] || die "$cprof: not an executable file"
[[ -x $genprof ]] || die "$genprof: not an executable file"
runs=${BENCH_RUNS:-5}
fg_runs=${BENCH_FG_RUNS:-1}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$runs'"
[[ $fg_runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_FG_RUNS must be a positive integer, not '$fg_runs'"
cache=${BENCH_DIR:-$root/build/bench}
mkdir -p "$cache"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cprof-flame-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

have_gnu_time=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%M' -o /dev/null true >/dev/null 2>&1; then
	have_gnu_time=1
fi

# the large profile, shared with bench/run.sh's cache
file=$cache/large-s1.pb.gz
if [[ ! -s $file || $genprof -nt $file ]]; then
	printf '%s: generating %s\n' "$prog" "$file" >&2
	"$genprof" -s 1 "$file" >/dev/null 2>"$tmp/gen.err" || {
		cat "$tmp/gen.err" >&2
		die "genprof failed"
	}
fi
cat "$file" >/dev/null

median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure N OUT CMD...: run CMD N times with stdout to OUT; sets m_time, m_rss (KB or "")
# and m_cpu (user + system seconds, or "")
measure() {
	local n=$1 out=$2 i t0 t1
	shift 2
	local times=() rsses=() cpus=()
	for ((i = 0; i < n; i++)); do
		t0=$EPOCHREALTIME
		if ((have_gnu_time)); then
			/usr/bin/time -f '%M %U %S' -o "$tmp/rss" "$@" >"$out" 2>"$tmp/err" || {
				tail -5 "$tmp/err" >&2
				die "failed: $*"
			}
			read -r rss u sy < <(tail -n 1 "$tmp/rss")
			rsses+=("$rss")
			cpus+=("$(awk -v a="$u" -v b="$sy" 'BEGIN { printf "%.2f", a + b }')")
		else
			"$@" >"$out" 2>"$tmp/err" || die "failed: $*"
		fi
		t1=$EPOCHREALTIME
		times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
	done
	m_time=$(median "${times[@]}")
	m_rss="" m_cpu=""
	if ((have_gnu_time)); then
		m_rss=$(median "${rsses[@]}")
		m_cpu=$(median "${cpus[@]}")
	fi
}

fmt_time() { awk -v t="$1" 'BEGIN { if (t >= 10) printf "%.1f s", t; else if (t >= 1) printf "%.2f s", t; else printf "%.0f ms", t * 1000 }'; }
fmt_rss() { if [[ -z $1 ]]; then printf 'n/a'; else awk -v k="$1" 'BEGIN { printf "%.0f MB", k * 1024 / 1e6 }'; fi; }
fmt_cpu() { if [[ -z $1 ]]; then printf 'n/a'; else fmt_time "$1"; fi; }
fmt_mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1e6 }'; }
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v < g ? "PASS" : "FAIL") }'; }

printf '%s: cprof -flame x%d\n' "$prog" "$runs" >&2
"$cprof" -flame "$file" >"$tmp/flame.svg" 2>/dev/null || die "cprof -flame failed"
measure "$runs" "$tmp/flame.svg" "$cprof" -flame "$file"
f_time=$m_time f_rss=$m_rss f_cpu=$m_cpu
f_size=$(wc -c <"$tmp/flame.svg")
f_frames=$(grep -c '^<rect x=.* height="15"' "$tmp/flame.svg" || true)
f_folded=$(grep -c '^<rect x=.* fill="url(#other)"' "$tmp/flame.svg" || true)
xml=""
if command -v xmllint >/dev/null 2>&1; then
	if xmllint --noout "$tmp/flame.svg" 2>/dev/null; then xml="valid"; else xml="INVALID"; fi
fi

printf '%s: cprof -top x%d\n' "$prog" "$runs" >&2
measure "$runs" /dev/null "$cprof" -top "$file"
t_time=$m_time t_rss=$m_rss t_cpu=$m_cpu

# flamegraph.pl on the same stacks
fg=${FLAMEGRAPH_PL:-$(command -v flamegraph.pl || command -v flamegraph || true)}
fg_row="| \`flamegraph.pl\` on the same stacks | skipped: flamegraph.pl not found (set FLAMEGRAPH_PL; Debian's flamegraph package where available) | | | |"
ratio_line=""
if [[ -n $fg ]]; then
	how="cprof -folded"
	"$cprof" -folded "$file" >"$tmp/stacks.folded" 2>"$tmp/err" || die "cprof -folded failed: $(head -1 "$tmp/err")"
	lines=$(wc -l <"$tmp/stacks.folded")
	fbytes=$(wc -c <"$tmp/stacks.folded")
	printf '%s: flamegraph.pl x%d on %s lines (%s) of folded stacks\n' "$prog" "$fg_runs" \
		"$lines" "$(fmt_mb "$fbytes")" >&2
	measure "$fg_runs" "$tmp/fg.svg" "$fg" "$tmp/stacks.folded"
	g_time=$m_time g_rss=$m_rss g_cpu=$m_cpu
	g_size=$(wc -c <"$tmp/fg.svg")
	fg_row="| \`flamegraph.pl\` on the same stacks ($lines folded lines, $(fmt_mb "$fbytes"), from $how) | $(fmt_time "$g_time") | $(fmt_cpu "$g_cpu") | $(fmt_rss "$g_rss") | $(fmt_mb "$g_size") |"
	ratio_line=$(awk -v a="$g_time" -v b="$f_time" 'BEGIN { printf "cprof -flame is %.0fx faster than flamegraph.pl (folding not counted).", a / b }')
fi

printf '\n## cprof flame graph benchmark\n\n'
printf 'Profile: %s (%s gzipped). Median of %d runs; flamegraph.pl: %d.\n' \
	"${file##*/}" "$(fmt_mb "$(wc -c <"$file")")" "$runs" "$fg_runs"
printf 'Host: %s, %s CPUs, load average %s when done.\n\n' "$(uname -m)" \
	"$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
printf '| command | wall time | CPU (user+sys) | peak RSS | output |\n|---|---:|---:|---:|---:|\n'
printf '| `cprof -flame` | %s | %s | %s | %s, %s boxes (%s of them folded frames)%s |\n' \
	"$(fmt_time "$f_time")" "$(fmt_cpu "$f_cpu")" "$(fmt_rss "$f_rss")" "$(fmt_mb "$f_size")" \
	"$f_frames" "$f_folded" "${xml:+, xmllint: $xml}"
printf '| `cprof -top` (load + smallest report) | %s | %s | %s | |\n' "$(fmt_time "$t_time")" \
	"$(fmt_cpu "$t_cpu")" "$(fmt_rss "$t_rss")"
printf '%s\n' "$fg_row"
printf '\n| goal | measured | |\n|---|---|---|\n'
printf '| flame graph written in under 1 s | %s | %s |\n' "$(fmt_time "$f_time")" "$(verdict "$f_time" 1)"
printf '| flame graph under 5 MB | %s | %s |\n' "$(fmt_mb "$f_size")" "$(verdict "$f_size" 5000000)"
if [[ -n $ratio_line ]]; then
	printf '\n%s\n' "$ratio_line"
fi
