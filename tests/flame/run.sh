#!/usr/bin/env bash
# Flame graph tests: goldens, XML validity, determinism, structure, escaping,
# options, errors, and a headless-Chromium run of the viewer.
#
#   tests/flame/run.sh CPROF [GENPROF]
#   UPDATE=1 tests/flame/run.sh CPROF      rewrite the goldens
#
# Fixtures are built at test time: tests/flame/mkprof.c turns the *.spec
# files here into profiles, and GENPROF (bench/genprof.c), when given, makes
# a realistically large one.  Cases are in tests/flame/cases (NAME<TAB>ARGS,
# run in testdata/, $FIX names the fixture directory).  Each output must pass
# `xmllint --noout`, be identical on a second run, pass check.mjs (needs
# node), and match testdata/golden/flame.NAME.svg once the constant viewer
# code is cut out (so that editing the viewer does not rewrite every golden).
#
# The browser part needs chromium (Debian's package) and node; it installs
# npm's playwright-core into tests/flame/node_modules on first use.  When
# any of these is missing it is skipped with a message saying which.
# Screenshots go to build/flame-test/ (next to CPROF), not to the repository.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cprof=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
genprof=
if [ -n "${2:-}" ]; then
	genprof=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
fi
artifacts=$(dirname "$cprof")/flame-test
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC LC_ALL=C
FIX=$tmp/fix
mkdir -p "$FIX" "$artifacts"

pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	printf 'FAIL %s\n' "$*"
}
skipped() {
	skip=$((skip + 1))
	printf 'SKIP %s\n' "$*"
}

have_node=0
if command -v node >/dev/null 2>&1; then
	have_node=1
fi
if ! command -v xmllint >/dev/null 2>&1; then
	bad "xmllint not found (install libxml2-utils: scripts/install-deps.sh)"
fi

# --- the embedded viewer is up to date and parses ---
if "$top/scripts/flame-viewer.sh" --check; then ok; else bad "flame_viewer.inc is stale"; fi
if [ "$have_node" = 1 ]; then
	if node --check "$top/src/report/flame_viewer.js"; then ok; else bad "flame_viewer.js does not parse"; fi
fi

# --- fixtures ---
${CC:-cc} -std=c11 -O1 -o "$tmp/mkprof" "$here/mkprof.c" || {
	echo "flame: cannot build mkprof"
	exit 1
}
for spec in "$here"/*.spec; do
	name=$(basename "$spec" .spec)
	"$tmp/mkprof" "$spec" "$FIX/$name.pb" || bad "mkprof $name"
done
# wide: one hot path and 300 calls each far below 0.1 px, to be folded
{
	echo "types samples/count"
	echo "main;hot 3000000"
	for i in $(seq 1 300); do
		echo "main;cold$i;leaf 1"
	done
	echo "main;warm 20000"
} >"$tmp/wide.spec"
"$tmp/mkprof" "$tmp/wide.spec" "$FIX/wide.pb" || bad "mkprof wide"
# long: a name of a megabyte, with a template argument
{
	echo "types samples/count"
	printf 'main;ns::'
	head -c 1000000 /dev/zero | tr '\0' 'a'
	echo "<T>(int) 5"
	echo "main;b 5"
} >"$tmp/long.spec"
"$tmp/mkprof" "$tmp/long.spec" "$FIX/long.pb" || bad "mkprof long"
if [ -n "$genprof" ]; then
	# the generator is a bench tool that does not free before exiting
	ASAN_OPTIONS=detect_leaks=0 "$genprof" -s 1 -n 35000 -f 8000 "$FIX/big.pb.gz" 2>/dev/null ||
		bad "genprof"
fi

# Cut the constant viewer code (style and script) out of an SVG.
strip_viewer() {
	sed -e '/^<style><!\[CDATA\[$/,/^\]\]><\/style>$/c\<style>[viewer style]</style>' \
		-e '/^<script type="text\/ecmascript"><!\[CDATA\[$/,/^\]\]><\/script>$/c\<script type="text/ecmascript">[viewer script]</script>'
}

# --- cases: golden, xmllint, determinism, structure ---
outs=()
while IFS= read -r line || [ -n "$line" ]; do
	case "$line" in
	"" | "#"*) continue ;;
	esac
	name=${line%%$'\t'*}
	args=${line#*$'\t'}
	golden=$top/testdata/golden/flame.$name.svg
	out=$tmp/out.$name.svg
	if ! (cd "$top/testdata" && eval "set -- $args" && "$cprof" "$@" >"$out" 2>"$tmp/err"); then
		bad "$name: cprof $args failed: $(cat "$tmp/err")"
		continue
	fi
	outs+=("$out")
	if xmllint --noout "$out" 2>"$tmp/xml"; then ok; else bad "$name: xmllint: $(head -3 "$tmp/xml")"; fi
	(cd "$top/testdata" && eval "set -- $args" && "$cprof" "$@" >"$tmp/again.svg" 2>/dev/null)
	if cmp -s "$out" "$tmp/again.svg"; then ok; else bad "$name: two runs differ"; fi
	if [ "${UPDATE:-}" = 1 ]; then
		strip_viewer <"$out" >"$golden"
		ok
	elif [ ! -f "$golden" ]; then
		bad "$name: no golden testdata/golden/flame.$name.svg"
	elif cmp -s <(strip_viewer <"$out") "$golden"; then
		ok
	else
		bad "$name: differs from its golden: cprof $args"
		diff -u "$golden" <(strip_viewer <"$out") | head -20
	fi
done <"$here/cases"
if [ "$have_node" = 1 ]; then
	if node "$here/check.mjs" "${outs[@]}"; then ok; else bad "check.mjs"; fi
else
	skipped "structure checks: node not found"
fi

# --- targeted assertions ---
# expect_grep NAME FILE PATTERN: the (fixed-string) pattern occurs in the file
expect_grep() {
	if grep -qF -- "$3" "$2"; then ok; else bad "$1: no '$3' in $(basename "$2")"; fi
}
expect_nogrep() {
	if grep -qF -- "$3" "$2"; then bad "$1: '$3' found in $(basename "$2")"; else ok; fi
}
o=$tmp/out
expect_grep static-init "$o.basic.svg" '"names":['
# filefunctions by default: the two static init functions stay apart
n=$(grep -o '"init"' "$o.basic.svg" | wc -l)
if [ "$n" = 2 ]; then ok; else bad "filefunctions: $n init names, want 2"; fi
n=$(grep -o '"init' "$o.basic.files.svg" | wc -l)
if [ "$n" = 0 ]; then ok; else bad "files granularity: init is a name"; fi
expect_grep lines "$o.basic.lines.svg" '"nline":['
expect_grep inline "$o.basic.svg" '"inl":[6]'
expect_grep noinlines "$o.basic.noinlines.svg" '"inl":[]'
expect_nogrep noinlines-name "$o.basic.noinlines.svg" 'http_token'
expect_nogrep focus "$o.basic.focus.svg" 'send_reply'
expect_grep focus-total "$o.basic.focus.svg" 'Showing 500ms, 25.51% of 1.96s total'
expect_nogrep hide "$o.basic.hide.svg" '"std::'
expect_grep show_from "$o.basic.show_from.svg" '"names":["serve",'
expect_grep samples "$o.basic.samples.svg" '"unit":"count"'
expect_grep fold "$o.wide.svg" '"other":[[4,300,600]]'
expect_grep fold-legend "$o.wide.svg" 'folded 0.0099%'
expect_grep empty "$o.empty.svg" 'No samples to show'
expect_grep diff "$o.diff.svg" '"diff":1'
expect_grep diff-new "$o.diff.svg" 'fill="url(#new)"'
expect_grep diff-gone "$o.diff.svg" 'fill="url(#gone)"'
expect_grep diff-header "$o.diff.svg" 'Base 6.58s → new 6.82s (+240ms)'
expect_grep drop_negative "$o.diff.drop_negative.svg" '"diff":0'
expect_grep diff_base "$o.go-cpu.diff_base.svg" '"diff":1'
expect_grep diff_base-header "$o.go-cpu.diff_base.svg" 'Base 1.96s → new 2.84s (+880ms)'
expect_grep tagroot "$o.go-cpu.tagroot.svg" '"names":["solver",'
expect_grep tagleaf "$o.go-cpu.tagleaf.svg" '"mix"'
expect_grep hostile-text "$o.hostile.svg" '>a&amp;b &quot;quoted&quot;..</text>'
expect_nogrep hostile-tag "$o.hostile.svg" '<g onload'
expect_grep hostile-json "$o.hostile.svg" '"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e"'
expect_nogrep hostile-esc "$o.hostile.svg" $'\x1b'
expect_nogrep hostile-bidi "$o.hostile.svg" $'\xe2\x80\xae'

# a megabyte name: kept whole in the data, cut in the drawing
"$cprof" -flame "$FIX/long.pb" >"$tmp/long.svg" 2>"$tmp/err" || bad "long name: $(cat "$tmp/err")"
if xmllint --noout "$tmp/long.svg"; then ok; else bad "long name: xmllint"; fi
n=$(awk '/^"names":/ && match($0, /aaaaaaaaaa+/) { print RLENGTH }' "$tmp/long.svg")
if [ "$n" = 1000000 ]; then ok; else bad "long name: $n a's in the data, want 1000000"; fi
n=$(awk '/^<text/ && match($0, /aaaaaaaaaa+/) { print RLENGTH }' "$tmp/long.svg")
if [ -n "$n" ] && [ "$n" -lt 200 ]; then ok; else bad "long name: label of $n a's"; fi
if [ "$(wc -c <"$tmp/long.svg")" -lt 1200000 ]; then ok; else bad "long name: output too big"; fi

# --- errors ---
got=$("$cprof" -flame -mean "$FIX/basic.pb" 2>&1 >/dev/null)
rc=$?
want="cprof: flame: -mean is not supported (means do not add up along a stack)"
if [ $rc = 2 ] && [ "$got" = "$want" ]; then ok; else bad "mean: status $rc: $got"; fi

# --- the shell-style command word gives the same bytes ---
if cmp -s <("$cprof" flame "$FIX/basic.pb" 2>/dev/null) "$o.basic.svg"; then ok; else
	bad "'cprof flame' differs from 'cprof -flame'"
fi

# --- browser ---
browser() {
	local chromium=${CHROMIUM:-/usr/bin/chromium}
	if [ "$have_node" = 0 ]; then
		skipped "browser test: node not found"
		return
	fi
	if [ ! -x "$chromium" ]; then
		skipped "browser test: no chromium at $chromium (install Debian's chromium package)"
		return
	fi
	if [ ! -d "$here/node_modules/playwright-core" ]; then
		if ! command -v npm >/dev/null 2>&1; then
			skipped "browser test: npm not found to install playwright-core"
			return
		fi
		if ! (cd "$here" && npm install --no-audit --no-fund --package-lock=false \
			--loglevel=error >"$tmp/npm.log" 2>&1); then
			skipped "browser test: npm install playwright-core failed: $(tail -1 "$tmp/npm.log")"
			return
		fi
	fi
	local dir=$tmp/browser
	mkdir -p "$dir"
	cp "$o.basic.svg" "$dir/basic.svg"
	cp "$o.diff.svg" "$dir/diff.svg"
	cp "$o.hostile.svg" "$dir/hostile.svg"
	cp "$o.empty.svg" "$dir/empty.svg"
	if [ -f "$FIX/big.pb.gz" ]; then
		"$cprof" -flame "$FIX/big.pb.gz" >"$dir/big.svg" 2>/dev/null
	else
		cp "$o.go-cpu.svg" "$dir/big.svg"
	fi
	if (cd "$here" && timeout 300 node browser.mjs "$chromium" "$dir" "$artifacts") >"$tmp/browser.log" 2>&1; then
		ok
	else
		bad "browser test:"
		grep -v '^PASS' "$tmp/browser.log" | head -30
	fi
	printf 'flame: browser: %s checks passed; screenshots in %s\n' \
		"$(grep -c '^PASS' "$tmp/browser.log")" "${artifacts#"$top"/}"
}
browser

echo "flame: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
