#!/usr/bin/env bash
# Graph image checks: every SVG cprof draws is well-formed XML.
#
#   tests/graph/run.sh CPROF HOSTILE
#
# HOSTILE (tests/graph/hostile.c) writes profiles whose names hold C++
# templates, quotes, backslashes, newlines, bad UTF-8, control bytes,
# entities and <script>.  Each is drawn with -svg at every granularity and as
# a call tree, each fixture of testdata/ with -svg; xmllint must accept every
# SVG and no name may come out as markup.  The DOT of the hostile profiles
# must load into graphviz too (that is what -svg does).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cprof=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
hostile=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
export TZ=UTC LC_ALL=C

if ! command -v xmllint >/dev/null 2>&1; then
	echo "graph: SKIP: xmllint not found (Debian package libxml2-utils)"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pass=0 fail=0
check_svg() { # LABEL ARGS...
	local label=$1
	shift
	if ! "$cprof" "$@" >"$work/out.svg" 2>"$work/err"; then
		echo "FAIL $label: cprof $*: $(head -c 300 "$work/err")"
		fail=$((fail + 1))
		return
	fi
	if ! xmllint --noout "$work/out.svg" 2>"$work/xml"; then
		echo "FAIL $label: xmllint: $(head -n 3 "$work/xml")"
		fail=$((fail + 1))
		return
	fi
	if grep -q -a '<script>alert' "$work/out.svg"; then
		echo "FAIL $label: a name came out as markup"
		fail=$((fail + 1))
		return
	fi
	if ! grep -q '<g id="viewport" transform="scale(0.5,0.5) translate(0,0)"><g id="graph0"' "$work/out.svg" ||
		! grep -q '^<svg width="100%" height="100%"' "$work/out.svg"; then
		echo "FAIL $label: no viewport wrapper"
		fail=$((fail + 1))
		return
	fi
	pass=$((pass + 1))
}

"$hostile" "$work" >"$work/list" || {
	echo "graph: FAIL: $hostile did not write the fixtures"
	exit 1
}
while IFS= read -r f; do
	for g in -functions -lines -files -addresses -call_tree "-nodecount=1"; do
		check_svg "$(basename "$f") $g" -svg "$g" "$f"
	done
done <"$work/list"
for f in "$top"/testdata/*.pb.gz; do
	check_svg "$(basename "$f")" -svg "$f"
done
# Headless Chromium: the SVG parses, the pan/zoom script runs (it marks the
# viewport), and every node title graphviz wrote is in the rendered DOM.
chromium_check() { # LABEL SVG
	local label=$1 svg=$2 want got
	if ! timeout 60 chromium --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --no-first-run \
		--user-data-dir="$work/chromium" --dump-dom "file://$svg" >"$work/dom" 2>/dev/null; then
		echo "FAIL chromium $label: chromium failed"
		fail=$((fail + 1))
		return
	fi
	want=$(grep -a -o '<title>N[0-9_]*</title>' "$svg" | sort)
	got=$(grep -a -o '<title>N[0-9_]*</title>' "$work/dom" | sort)
	if grep -q parsererror "$work/dom" || ! grep -q 'data-pan-zoom="on"' "$work/dom" ||
		[ -z "$want" ] || [ "$want" != "$got" ]; then
		echo "FAIL chromium $label: not rendered with its node titles"
		fail=$((fail + 1))
		return
	fi
	pass=$((pass + 1))
}
if command -v chromium >/dev/null 2>&1; then
	for f in "$top"/testdata/go-cpu.pb.gz "$top"/testdata/go-heap.pb.gz $(cat "$work/list"); do
		"$cprof" -svg "$f" >"$work/c.svg" 2>/dev/null && chromium_check "$(basename "$f")" "$work/c.svg"
	done
else
	echo "graph: SKIP chromium checks: chromium not found (Debian package chromium)"
fi
echo "graph: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
