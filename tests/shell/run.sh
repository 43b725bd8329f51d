#!/usr/bin/env bash
# Shell (line mode) tests: feed commands on stdin, compare with goldens in
# testdata/golden/shell/.
#
#   tests/shell/run.sh CPROF
#   UPDATE=1 tests/shell/run.sh CPROF     rewrite the "cprof" goldens from cprof
#   PPROF=1 tests/shell/run.sh CPROF      rewrite the "pprof" goldens with go tool pprof
#
# tests/shell/cases lines: KIND<TAB>NAME<TAB>PROFILE<TAB>INPUT, INPUT in printf %b form.
#   pprof: stdout compared with what `go tool pprof` printed for the same input,
#          its "(pprof) " prompt renamed; made with PPROF=1, never by cprof.
#   cli:   stdout compared with the prompt, then the output of "cprof CLIARGS PROFILE"
#          (a fifth field), then the prompt: the shell and the command line agree.
#   cprof: stdout and stderr (2>&1) compared with a golden cprof wrote (UPDATE=1),
#          for what Go 1.19's pprof does not have or words differently.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cprof=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
export TZ=UTC LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# history and output files must not touch the user's
export XDG_STATE_HOME=$tmp/state HOME=$tmp

pass=0 fail=0
while IFS=$'\t' read -r kind name profile input cliargs || [ -n "$kind" ]; do
	case "$kind" in
	"" | "#"*) continue ;;
	esac
	golden=$top/testdata/golden/shell/$name
	if [ "$kind" = pprof ] && [ "${PPROF:-}" = 1 ]; then
		(cd "$top/testdata" && printf '%b' "$input" | go tool pprof "$profile" 2>/dev/null) |
			sed 's/(pprof) /(cprof) /g' >"$golden"
	fi
	if [ "$kind" = cli ]; then
		golden=$tmp/want
		(cd "$top/testdata" && printf '(cprof) ' && eval "\"\$cprof\" $cliargs \"\$profile\"" 2>/dev/null &&
			printf '(cprof) ') >"$golden"
	fi
	if [ "$kind" != cprof ]; then
		(cd "$top/testdata" && printf '%b' "$input" | "$cprof" "$profile" >"$tmp/got" 2>/dev/null)
	else
		rm -rf "$tmp/work" && mkdir "$tmp/work"
		(cd "$tmp/work" && printf '%b' "$input" | "$cprof" "$top/testdata/$profile" >"$tmp/got" 2>&1)
		# files the session wrote (> file) are part of its output
		for f in "$tmp"/work/*; do
			[ -f "$f" ] && { echo "--- ${f##*/}"; cat "$f"; } >>"$tmp/got"
		done
	fi
	if [ "$kind" = cprof ] && [ "${UPDATE:-}" = 1 ]; then
		cp "$tmp/got" "$golden"
	fi
	if cmp -s "$tmp/got" "$golden"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL shell/$name"
		diff "$tmp/got" "$golden" 2>&1 | head -20
	fi
done <"$top/tests/shell/cases"
echo "shell: $pass passed, $fail failed"
[ "$fail" = 0 ]
