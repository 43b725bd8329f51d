#!/usr/bin/env bash
# web.sh - response time of each web UI view on the benchmark profile.
#
# Usage: bench/web.sh CPROF_BINARY PROFILE
#
# Starts `CPROF -http=127.0.0.1: -no_browser PROFILE`, waits until it is
# serving (the profile is loaded), then asks for each view with curl: the
# first request of a URL renders the report ("cold"), a repeat is answered
# from the server's cache ("warm").  The cold time is measured on
# BENCH_RUNS (default 3) distinct URLs per view (a different but equivalent
# parameter each time, so the cache cannot answer) and the median is
# reported.  Prints a markdown table; the goal is every view under 300 ms.
#
# Exit status: 0 when the table was printed (goal met or not), 1 when a
# request failed, 2 on bad usage.
set -euo pipefail
export LC_ALL=C
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
prog=bench/web.sh
goal_ms=300

[[ $# -eq 2 ]] || {
	sed -n '2,4s/^# \{0,1\}//p' "$0" >&2
	exit 2
}
cprof=$1
profile=$2
[[ -x $cprof ]] || { echo "$prog: $cprof: not an executable" >&2; exit 2; }
[[ -s $profile ]] || { echo "$prog: $profile: no such profile" >&2; exit 2; }
runs=${BENCH_RUNS:-3}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench-web.XXXXXX")
pid=
cleanup() {
	if [[ -n $pid ]]; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

t0=$EPOCHREALTIME
"$cprof" -http=127.0.0.1: -no_browser "$profile" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for ((i = 0; i < 1200; i++)); do
	grep -qs '^Serving web UI on ' "$tmp/out" && break
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/err" >&2; exit 1; }
	sleep 0.05
done
url=$(sed -n 's/^Serving web UI on //p' "$tmp/out")
[[ -n $url ]] || { echo "$prog: the server did not start" >&2; exit 1; }
load_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')

# fetch PATH: prints the time in ms; fails on a status other than 200
fetch() {
	local out code t
	out=$(curl -s -g -o "$tmp/body" -w '%{http_code} %{time_total}' "$url$1")
	code=${out% *}
	t=${out#* }
	if [[ $code != 200 ]]; then
		echo "$prog: GET $1: status $code: $(head -c 200 "$tmp/body")" >&2
		exit 1
	fi
	awk -v t="$t" 'BEGIN { printf "%.0f", t * 1000 }'
}

# CPU time of the server so far, in ns (user + system, every thread it ran)
tck=$(getconf CLK_TCK)
cpu_ns() {
	sed 's/.*) //' /proc/"$pid"/stat | awk -v t="$tck" '{ printf "%.0f", ($12 + $13) * 1e9 / t }'
}

median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# the default views are pre-rendered after start: let that finish first
fetch /ui/graph >/dev/null
warm_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')

# the hottest function (first row of Top) for the views that need a regexp
curl -s "$url/ui/top?n=1" >"$tmp/top.html"
hot=$(sed -n 's/.*<td class="name">\([^<]*\)<.*/\1/p' "$tmp/top.html" | head -1)
[[ -n $hot ]] || { echo "$prog: no function in Top" >&2; exit 1; }
hotre=$(printf '%s' "$hot" | sed 's/[][\\.*^$+?(){}|]/\\&/g')
hotq=$(printf '%s' "^$hotre\$" | od -An -tx1 | tr -d ' \n' | sed 's/../%&/g')

# view NAME PATH: PATH is the URL with one parameter that may vary; "&nf=0.00500K"
# (K = run number) changes the URL but not the report (it is the default node fraction)
views=(
	"Flame Graph (page + SVG)|/ui/flamegraph"
	"Top|/ui/top"
	"Graph|/ui/graph"
	"Peek|/ui/peek?f=$hotq"
	"Source|/ui/source?f=$hotq"
	"Download|/ui/download"
)
# every plain URL first (the cache keeps 16 answers; the cold runs below evict them)
declare -A firsts
for v in "${views[@]}"; do
	name=${v%%|*}
	path=${v#*|}
	t=$(fetch "$path")
	if [[ $name == Flame* ]]; then
		t=$((t + $(fetch /ui/flame.svg)))
	fi
	firsts[$name]=$t
done

rows=()
worst=0
for v in "${views[@]}"; do
	name=${v%%|*}
	path=${v#*|}
	sep='?'
	[[ $path == *\?* ]] && sep='&'
	first=${firsts[$name]}
	cold=()
	cpu=()
	for ((k = 1; k <= runs; k++)); do
		p="$path${sep}nf=0.0050000$k"
		c0=$(cpu_ns)
		t=$(fetch "$p")
		if [[ $name == Flame* ]]; then
			# the page's frame, as a browser asks for it next
			t=$((t + $(fetch "/ui/flame.svg?nf=0.0050000$k")))
		fi
		cold+=("$t")
		cpu+=("$((($(cpu_ns) - c0) / 1000000))")
	done
	warm=$(fetch "$p")
	size=$(wc -c <"$tmp/body")
	c=$(median "${cold[@]}")
	if [[ $name != Download ]] && ((c > worst)); then
		worst=$c
	fi
	rows+=("| $name | $first ms | $c ms | $(median "${cpu[@]}") ms | $warm ms | $((size / 1024)) KiB |")
done

echo
echo "## cprof web UI response times"
echo
echo "Profile $(basename "$profile") ($(du -h "$profile" | cut -f1)); server ready ${load_s} s after start,"
echo "its default views (flame graph, Top, Graph) pre-rendered ${warm_s} s after start."
echo "plain URL, first = the view without parameters, asked once after that;"
echo "cold = median of $runs first requests of new URLs (report rendered), with the"
echo "server's CPU time for them; warm = a repeat (answered from the cache)."
echo "Host: $(uname -m), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Peek and Source list \`$hot\`."
echo
echo "| view | plain URL, first | cold | server CPU (cold) | warm | size |"
echo "|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
if ((worst < goal_ms)); then
	echo "Goal: every view (Download aside) under $goal_ms ms cold: PASS (slowest $worst ms)"
else
	echo "Goal: every view (Download aside) under $goal_ms ms cold: FAIL (slowest $worst ms)"
fi
