#!/usr/bin/env bash
# Regenerate README.md's reference section from `cprof -help`, which is
# itself generated from the command and option tables
# (src/report/commands.def, src/report/options.def).
#   scripts/update-readme.sh CPROF          rewrite README.md
#   scripts/update-readme.sh --check CPROF  exit 1 if README.md is stale
set -euo pipefail
check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
cprof=$1
top=$(cd "$(dirname "$0")/.." && pwd)
readme=$top/README.md
new=$(mktemp)
trap 'rm -f "$new"' EXIT
awk -v help="$("$cprof" -help)" '
	/^<!-- BEGIN REFERENCE/ { print; print "```"; print help; print "```"; skip = 1; next }
	/^<!-- END REFERENCE/ { skip = 0 }
	!skip { print }
' "$readme" >"$new"
if [ "$check" = 1 ]; then
	if ! cmp -s "$new" "$readme"; then
		echo "README.md reference is out of date; run: make readme"
		diff -u "$readme" "$new" | head -20
		exit 1
	fi
	exit 0
fi
cp "$new" "$readme"
