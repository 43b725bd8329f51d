#!/usr/bin/env bash
# tui.sh - time every interactive action of the full-screen views.
#
# Usage: bench/tui.sh CPROF_BINARY GENPROF_BINARY
#
# Opens the large profile of bench/run.sh (genprof -s 1, cached in
# BENCH_DIR) with `CPROF -interactive` in a tmux pane of 160x48, enters the
# full-screen views and plays a fixed script of keys: moves, sorts, peek,
# focus/ignore/hide and undo on the selected function, filters typed at the
# ':' prompt, the flame graph (move, zoom, search, unzoom), the call tree,
# the sandwich view and a window resize.  cprof itself measures each action
# from the key to the redrawn screen (CPROF_TUI_TIMING=FILE appends one line
# per action: view, key, view after, ms) and the script waits for each
# line before the next key, so no two actions overlap.  The script is
# played BENCH_RUNS times (default 3), each in a new session; the report
# gives each action's median and worst time against the goal of 200 ms.
#
# Between actions the script pauses BENCH_TUI_PAUSE seconds (default 1, a
# reader's pause; cprof builds the flame graph's stack trie in the
# background meanwhile); 0 plays the keys back to back.
#
# Environment: BENCH_RUNS, BENCH_DIR, BENCH_TUI_PAUSE, BENCH_TUI_OUT (keep
# the raw timings there).  Exit status: 0 when the report was printed, 1 when a command
# failed, 2 on bad usage.
set -euo pipefail
export LC_ALL=C.UTF-8 TERM=xterm-256color

prog=bench/tui.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
goal_ms=200

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

[[ $# -eq 2 ]] || {
	sed -n '2,4s/^# \{0,1\}//p' "$0" >&2
	exit 2
}
cprof=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
genprof=$2
[[ -x $cprof ]] || die "$cprof: not an executable file"
[[ -x $genprof ]] || die "$genprof: not an executable file"
command -v tmux >/dev/null 2>&1 || die "tmux: command not found"
runs=${BENCH_RUNS:-3}
pause=${BENCH_TUI_PAUSE:-1}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$runs'"
cache=${BENCH_DIR:-$root/build/bench}
mkdir -p "$cache"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cprof-tui-bench.XXXXXX")
sock=cprof-tui-bench-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

file=$cache/large-s1.pb.gz
if [[ ! -s $file || $genprof -nt $file ]]; then
	printf '%s: generating %s\n' "$prog" "$file" >&2
	"$genprof" -s 1 "$file" >/dev/null 2>"$tmp/gen.err" || {
		cat "$tmp/gen.err" >&2
		die "genprof failed"
	}
fi

timing=
lines() { if [[ -f $timing ]]; then wc -l <"$timing"; else echo 0; fi; }

# wait_lines N: until the timing file has N lines (60 s at most).
wait_lines() {
	for _ in $(seq 600); do
		(($(lines) >= $1)) && return 0
		sleep 0.1
	done
	tm capture-pane -p >&2 || true
	die "no timing line $1 after 60 s (see the screen above)"
}

# act KEYS...: send the keys of one action and wait for its timing line,
# then pause as a reader would (the TUI builds the next data meanwhile).
act() {
	local want=$(($(lines) + 1))
	tm send-keys "$@"
	wait_lines "$want"
	sleep "$pause"
}

play() {
	act tui Enter
	act Down
	act Down
	act s
	act s
	act Enter
	act q
	act f
	act u
	act i
	act u
	act h
	act u
	act : 'focus=runtime' Enter
	act : 'ignore=mallocgc' Enter
	act : 'focus=' Enter
	act : 'ignore=' Enter
	act F
	act Down
	act Down
	act Right
	act Enter
	act Escape
	act / 'mallocgc' Enter
	act f
	act u
	act q
	act T
	act Right
	act Down
	act Right
	act q
	act S
	act Down
	act Enter
	act q
	act F
	act : 'focus=runtime' Enter
	act : 'focus=' Enter
	act q
	act l
	act q
	want=$(($(lines) + 1))
	tm resize-window -x 120 -y 40
	wait_lines "$want"
	act q
}

for r in $(seq "$runs"); do
	timing=$tmp/timing-$r
	tm kill-server 2>/dev/null || true
	sock=cprof-tui-bench-$$-$r # a new server each run: no race with the last one's exit
	tm new-session -d -x 160 -y 48 \
		"env CPROF_TUI_TIMING=$timing XDG_STATE_HOME=$tmp/state $cprof -interactive $file; sleep 60"
	for _ in $(seq 600); do
		tm capture-pane -p | grep -q '^(cprof)' && break
		sleep 0.1
	done
	play
	printf '%s: run %d of %d done\n' "$prog" "$r" "$runs" >&2
done
[[ -n ${BENCH_TUI_OUT:-} ]] && cat "$tmp"/timing-* >"$BENCH_TUI_OUT"

# The report: one row per action (in script order), median and worst of the runs.
printf '## cprof TUI benchmark\n\n'
printf 'Profile: %s (%s MB gzipped), pane 160x48. %d runs; times are from the key\n' \
	"$(basename "$file")" "$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.2f", b / 1e6 }')" "$runs"
printf 'to the redrawn screen, measured by cprof (CPROF_TUI_TIMING), %s s between actions.\n' "$pause"
printf 'Host: %s, %s CPUs,' "$(uname -m)" "$(nproc)"
printf ' load average %s.\n\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '| # | view | key | to view | median ms | worst ms | < %d ms |\n|---:|---|---|---|---:|---:|---|\n' "$goal_ms"
paste "$tmp"/timing-* | awk -F'\t' -v goal="$goal_ms" -v runs="$runs" '
	{
		n = 0
		for (r = 0; r < runs; r++)
			v[n++] = $(4 * r + 4) + 0
		for (i = 1; i < n; i++)
			for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		med = n % 2 ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2
		worst = v[n - 1]
		if (worst >= goal)
			slow++
		printf "| %d | %s | `%s` | %s | %.1f | %.1f | %s |\n", NR, $1, $2, $3, med, worst,
			worst < goal ? "yes" : "**no**"
	}
	END {
		printf "\n%d of %d actions took %d ms or more in some run.\n", slow, NR, goal
	}'
