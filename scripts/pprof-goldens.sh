#!/usr/bin/env bash
# Produces reference outputs ("goldens") with `go tool pprof`.
#
# Usage: scripts/pprof-goldens.sh [--check] CASES_FILE...
#
# Case files are UTF-8 text. Blank lines and lines starting with '#' are
# ignored; every other line is NAME<TAB>ARGS, where NAME is the golden file
# name relative to testdata/golden/ and ARGS is a string of shell words
# (split by the shell) passed to `go tool pprof`, with input paths relative
# to testdata/. pprof runs with cwd = testdata/ and TZ=UTC, and its stdout
# becomes testdata/golden/NAME.
#
# Post-processing: Go 1.19's pprof prints the header line
#   Time: Nov 22, 2026 at 2:47am (UTC)
# while current upstream pprof prints
#   Time: 2026-11-22 02:47:02 UTC
# The old line has no seconds, so the exact time is read from the input
# profiles with `go tool pprof -raw` and the line is rewritten to the
# upstream layout. Nothing else is changed.
#
# With --check nothing is written: each case is compared with its golden,
# a diff is printed, and the exit status is 1 if any differ.
#
# Exit status: 0 success, 1 a case failed (or differs with --check),
# 2 usage error or `go` missing.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
testdata=$here/testdata
golden=$testdata/golden

check=0
if [ "${1:-}" = "--check" ]; then
	check=1
	shift
fi
if [ $# -eq 0 ]; then
	echo "usage: scripts/pprof-goldens.sh [--check] CASES_FILE..." >&2
	exit 2
fi
if ! command -v go >/dev/null 2>&1; then
	echo "pprof-goldens: 'go' not found in PATH (install golang-go)" >&2
	exit 2
fi

export TZ=UTC LC_ALL=C
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# An empty binary search path: pprof must not find local binaries.
mkdir "$work/binaries"
export PPROF_BINARY_PATH=$work/binaries

# raw_time FILE: prints "YYYY-MM-DD HH:MM:SS ZONE" for the profile's
# time, or nothing if FILE is not a profile with a time. Cached per file.
declare -A raw_cache
raw_time() {
	local f=$1
	if [ -z "${raw_cache[$f]+x}" ]; then
		raw_cache[$f]=$(cd "$testdata" &&
			go tool pprof -symbolize=none -raw "$f" 2>/dev/null |
			sed -n -E 's/^Time: ([0-9]{4}-[0-9]{2}-[0-9]{2}) ([0-9]{2}:[0-9]{2}:[0-9]{2})(\.[0-9]+)? [-+][0-9]{4} ([^ ]+)$/\1 \2 \4/p' |
				head -n 1)
	fi
	printf '%s' "${raw_cache[$f]}"
}

# old_to_minute LINE: "Time: Nov 22, 2026 at 2:47am (UTC)" ->
# "2026-11-22 02:47 UTC"; nothing if LINE is not in that layout.
old_to_minute() {
	printf '%s\n' "$1" | awk '
	/^Time: [A-Z][a-z][a-z] [0-9]+, [0-9]+ at [0-9]+:[0-9][0-9](am|pm) \(.*\)$/ {
		split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", names, " ")
		for (i = 1; i <= 12; i++) month[names[i]] = i
		day = $3; sub(/,/, "", day)
		year = $4
		clock = $6
		ampm = substr(clock, length(clock) - 1)
		clock = substr(clock, 1, length(clock) - 2)
		split(clock, hm, ":")
		h = hm[1] % 12
		if (ampm == "pm") h += 12
		zone = $0; sub(/^.*\(/, "", zone); sub(/\)$/, "", zone)
		printf "%04d-%02d-%02d %02d:%s %s\n", year, month[$2], day, h, hm[2], zone
	}'
}

# fix_time OUT ARGS...: rewrites the first "Time:" line of file OUT (in a
# DOT graph: the "Time:" line of the legend, between \l separators).
fix_time() {
	local out=$1
	shift
	local line dot=0
	if ! line=$(grep -m 1 '^Time: ' "$out"); then
		line=$(grep -m 1 -o '\\lTime: [^\\]*\\l' "$out") || return 0
		line=${line#\\l}
		line=${line%\\l}
		dot=1
	fi
	local minute
	minute=$(old_to_minute "$line")
	if [ -z "$minute" ]; then
		echo "pprof-goldens: unexpected time line: $line" >&2
		return 1
	fi
	# Candidate inputs: every argument, and every -flag=VALUE value, that
	# names an existing file. A merged profile carries the earliest time
	# of its inputs, so of the candidates in the printed minute take the
	# earliest.
	local a f t best=
	for a in "$@"; do
		for f in "$a" "${a#*=}"; do
			case $f in
			/*) [ -f "$f" ] || continue ;;
			*) [ -f "$testdata/$f" ] || continue ;;
			esac
			t=$(raw_time "$f")
			[ -n "$t" ] || continue
			# t: "YYYY-MM-DD HH:MM:SS ZONE"
			local tmin="${t:0:16} ${t#* * }"
			[ "$tmin" = "$minute" ] || continue
			if [ -z "$best" ] || [[ "$t" < "$best" ]]; then
				best=$t
			fi
		done
	done
	if [ -z "$best" ]; then
		echo "pprof-goldens: cannot find the exact time for: $line" >&2
		return 1
	fi
	local repl="Time: $best"
	local n
	if [ $dot = 1 ]; then
		awk -v old="$line" -v repl="$repl" '
		!done && (i = index($0, "\\l" old "\\l")) {
			$0 = substr($0, 1, i + 1) repl substr($0, i + 2 + length(old))
			done = 1
		}
		{ print }' "$out" >"$out.fixed" && mv "$out.fixed" "$out"
		return
	fi
	n=$(grep -n -m 1 '^Time: ' "$out" | cut -d: -f1)
	awk -v n="$n" -v repl="$repl" 'NR == n { print repl; next } { print }' "$out" >"$out.fixed" &&
		mv "$out.fixed" "$out"
}

# run_case NAME ARGS
run_case() {
	local name=$1 args=$2
	local out=$work/out err=$work/err
	(
		eval "set -- $args" || exit 3
		cd "$testdata" || exit 3
		go tool pprof "$@" >"$out" 2>"$err"
	)
	local rc=$?
	if [ -s "$err" ]; then
		sed "s|^|  $name: stderr: |" "$err" >&2
	fi
	if [ $rc -ne 0 ]; then
		echo "pprof-goldens: $name: go tool pprof failed (exit $rc)" >&2
		return 1
	fi
	# Within this function, set -- only replaces run_case's own arguments.
	eval "set -- $args"
	fix_time "$out" "$@" || return 1
	if [ $check -eq 1 ]; then
		if [ ! -f "$golden/$name" ]; then
			echo "pprof-goldens: $name: golden missing" >&2
			return 1
		fi
		if ! diff -u --label "golden/$name" --label "pprof $args" "$golden/$name" "$out"; then
			return 1
		fi
	else
		mkdir -p "$(dirname "$golden/$name")"
		cp "$out" "$golden/$name"
	fi
	return 0
}

status=0
count=0
failed=0
for cases in "$@"; do
	if [ ! -f "$cases" ]; then
		echo "pprof-goldens: no such case file: $cases" >&2
		exit 2
	fi
	lineno=0
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		line=${line%$'\r'}
		case "$line" in
		'' | '#'*) continue ;;
		esac
		if [[ "$line" != *$'\t'* ]]; then
			echo "pprof-goldens: $cases:$lineno: expected NAME<TAB>ARGS" >&2
			status=1
			continue
		fi
		name=${line%%$'\t'*}
		args=${line#*$'\t'}
		if [ -z "$name" ] || [[ "$name" == /* ]] || [[ "/$name/" == */../* ]]; then
			echo "pprof-goldens: $cases:$lineno: bad golden name: $name" >&2
			status=1
			continue
		fi
		count=$((count + 1))
		if ! run_case "$name" "$args"; then
			failed=$((failed + 1))
			status=1
		fi
	done <"$cases"
done

if [ $check -eq 1 ]; then
	echo "pprof-goldens: checked $count cases, $failed differ or failed" >&2
else
	echo "pprof-goldens: wrote $((count - failed)) of $count goldens" >&2
fi
exit $status
