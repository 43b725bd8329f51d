#!/usr/bin/env bash
# Web UI tests: `cprof -http` answered over HTTP with curl (status codes,
# parameters, bad and oversized input, path traversal, methods, Host
# headers, headers, hostile names, refused non-local clients, shutdown),
# then driven in headless Chromium (tests/web/browser.mjs).
#
#   tests/web/run.sh CPROF
#
# The non-local client test makes a network namespace with an extra address
# on its loopback device (needs root and `ip`); it is skipped otherwise.
# The browser part needs chromium (Debian's package) and node with npm; it
# installs npm's playwright-core from package-lock.json into
# tests/web/node_modules on first use, and is skipped with a message when
# any of these is missing.  Screenshots go to web-test/ next to CPROF.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cprof=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
artifacts=$(dirname "$cprof")/web-test
tmp=$(mktemp -d)
export TZ=UTC LC_ALL=C
mkdir -p "$artifacts"
# curl must reach the test servers directly
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy='*'

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

pids=()
netns=
cleanup() {
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	if [ -n "$netns" ]; then
		ip netns del "$netns" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

if ! command -v curl >/dev/null 2>&1; then
	echo "web: SKIP: curl not found"
	exit 0
fi
if ! "$top/scripts/web-assets.sh" --check; then bad "src/web/assets.inc is stale"; else ok; fi
if command -v node >/dev/null 2>&1; then
	if node --check "$top/src/web/ui.js"; then ok; else bad "ui.js does not parse"; fi
fi

# --- fixtures: a Go CPU profile with its sources, and hostile names ---
fix=$top/testdata
${CC:-cc} -std=c11 -O1 -o "$tmp/mkprof" "$top/tests/flame/mkprof.c" || bad "cannot build mkprof"
"$tmp/mkprof" "$top/tests/flame/hostile.spec" "$tmp/hostile.pb" || bad "mkprof hostile"

# start NAME [PREFIX...] -- ARGS...: run cprof -http ARGS in the background
# (PREFIX, e.g. `ip netns exec NS`, goes before it); sets $url and $pid.
start() {
	local name=$1 i
	shift
	local prefix=()
	while [ "$1" != "--" ]; do
		prefix+=("$1")
		shift
	done
	shift
	"${prefix[@]}" "$cprof" -no_browser "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pid=$!
	pids+=("$pid")
	url=
	for ((i = 0; i < 600; i++)); do
		if grep -qs '^Serving web UI on ' "$tmp/$name.out"; then
			url=$(sed -n 's/^Serving web UI on //p' "$tmp/$name.out")
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	bad "$name: server did not start: $(head -c 300 "$tmp/$name.err")"
	return 1
}

# stop NAME PID [SIGNAL]: the server exits 0, quickly, with nothing on stderr
stop() {
	local name=$1 p=$2 sig=${3:-TERM} i rc
	kill -"$sig" "$p"
	for ((i = 0; i < 300; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$p" 2>/dev/null; then
		bad "$name: still running 30 s after SIG$sig"
		kill -KILL "$p"
		return
	fi
	wait "$p"
	rc=$?
	# LeakSanitizer's summary of the suppressions used (tests/lsan.supp) is no error
	grep -Ev '^$|^-+$|^Suppressions used:|^ *count +bytes +template$|^ +[0-9]+ +[0-9]+ +[^ ]+$' \
		"$tmp/$name.err" >"$tmp/$name.err2"
	if [ "$rc" = 0 ] && [ ! -s "$tmp/$name.err2" ]; then
		ok
	else
		bad "$name: exit $rc after SIG$sig: $(head -c 600 "$tmp/$name.err2")"
	fi
}

# expect NAME STATUS PATH [CURL ARGS...]: GET $url PATH answers STATUS; body in $tmp/body
expect() {
	local name=$1 want=$2 path=$3 got
	shift 3
	got=$(curl -s -g --path-as-is -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' "$@" "$url$path")
	if [ "$got" = "$want" ]; then
		ok
	else
		bad "$name: GET $path: status $got, want $want: $(head -c 200 "$tmp/body")"
	fi
}
# has NAME FILE TEXT / hasnt NAME FILE TEXT (fixed strings)
has() {
	if grep -qF -- "$3" "$2"; then ok; else bad "$1: no '$3' in $(basename "$2")"; fi
}
hasnt() {
	if grep -qF -- "$3" "$2"; then bad "$1: found '$3' in $(basename "$2")"; else ok; fi
}

# ---- the Go CPU profile, served on 127.0.0.1 with a free port ----
srcargs=(-source_path="$fix/go/cpu" -trim_path=cprof.example/fixtures/cpu)
start go -- -http=127.0.0.1: "${srcargs[@]}" "$fix/go-cpu.pb.gz" || exit 1
gopid=$pid
case $url in
http://127.0.0.1:[0-9]*) ok ;;
*) bad "banner: '$url'" ;;
esac
port=${url##*:}

expect root 307 /
has root-location "$tmp/head" "Location: /ui/"
expect root-query 307 '/?f=fib&x=1'
has root-query-location "$tmp/head" "Location: /ui/?f=fib"
expect ui 301 /ui
expect flamegraph2 301 '/ui/flamegraph2?f=fib'
has flamegraph2-location "$tmp/head" 'Location: /ui/flamegraph?f=fib'
expect flamegraphold 301 /ui/flamegraphold
expect flame-default 200 /ui/
has flame-default-frame "$tmp/body" '<iframe id="flame"'
has flame-default-title "$tmp/body" 'go-cpu.pb.gz cpu'
expect flame 200 /ui/flamegraph
has flame-cur "$tmp/body" 'href="/ui/flamegraph" class="cur"'
expect flame-svg 200 /ui/flame.svg
has flame-svg-type "$tmp/head" 'Content-Type: image/svg+xml'
has flame-svg-viewer "$tmp/body" 'id="cprof-flame"'
has flame-svg-csp "$tmp/head" "script-src 'unsafe-inline'"
expect top 200 /ui/top
has top-row "$tmp/body" '<td class="name">main.fib</td>'
has top-inline "$tmp/body" '<td class="name">main.mix</td><td>inline</td>'
has top-samples "$tmp/body" '<option value="samples">samples</option>'
has top-csp "$tmp/head" "Content-Security-Policy: default-src 'none'; script-src 'self'"
has top-nosniff "$tmp/head" 'X-Content-Type-Options: nosniff'
hasnt top-inline-script "$tmp/body" '<script>'
expect graph 200 /ui/graph
has graph-svg "$tmp/body" '<g id="viewport"'
hasnt graph-script "$tmp/body" 'text/ecmascript'
hasnt graph-prolog "$tmp/body" '<?xml'
expect peek-none 200 /ui/peek
has peek-hint "$tmp/body" 'class="hint"'
expect peek 200 '/ui/peek?f=main\.fib$'
has peek-text "$tmp/body" 'main.solver'
expect source 200 '/ui/source?f=^main\.fib$'
has source-routine "$tmp/body" '<span class="fn">main.fib</span>'
has source-code "$tmp/body" 'return fib(n-1) + fib(n-2)</td>'
has source-hot "$tmp/body" '<tr class="h5 self"><td>370ms</td><td>1.02s</td><td class="no">69</td>'
has source-escaped "$tmp/body" 'if n &lt; 2 {'
expect disasm 501 '/ui/disasm?f=main'
has disasm-msg "$tmp/body" 'not available in this version'
expect download 200 /ui/download
has download-disposition "$tmp/head" 'Content-Disposition: attachment; filename="profile.pb.gz"'
cp "$tmp/body" "$tmp/all.pb.gz"
if [ "$(head -c 2 "$tmp/all.pb.gz" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then ok; else bad "download: not gzip"; fi
expect download-focus 200 '/ui/download?f=main\.fib$'
if "$cprof" -top "$tmp/body" >"$tmp/dl.top" 2>&1; then ok; else bad "download: cprof cannot read it"; fi
has download-focus-top "$tmp/dl.top" 'main.fib'
hasnt download-focus-filtered "$tmp/dl.top" 'main.mix'
expect static-js 200 /ui/static/ui.js
has static-js-type "$tmp/head" 'Content-Type: text/javascript'
expect static-css 200 /ui/static/ui.css

# parameters
expect param-focus 200 '/ui/top?f=main\.fib$'
has param-focus-row "$tmp/body" '<td class="name">main.fib</td>'
hasnt param-focus-drop "$tmp/body" '<td class="name">main.mix</td>'
has param-focus-shown "$tmp/body" 'focus=main\.fib$'
has param-focus-links "$tmp/body" 'href="/ui/graph?f=main%5C.fib%24"'
expect param-ignore 200 '/ui/top?i=fib'
hasnt param-ignore-row "$tmp/body" 'main.fib<'
expect param-hide 200 '/ui/top?h=main\.mix'
hasnt param-hide-row "$tmp/body" '>main.mix<'
expect param-show 200 '/ui/top?s=fib'
hasnt param-show-row "$tmp/body" '>main.mix<'
expect param-showfrom 200 '/ui/top?sf=main\.solver'
hasnt param-showfrom-row "$tmp/body" '>runtime.main<'
expect param-si 200 '/ui/top?si=samples'
has param-si-selected "$tmp/body" '<option value="samples" selected>'
expect param-n 200 '/ui/top?n=3'
if [ "$(grep -c '<tr data-rank=' "$tmp/body")" = 3 ]; then ok; else bad "param-n: not 3 rows"; fi
expect param-g 200 '/ui/top?g=lines'
has param-g-lines "$tmp/body" 'main.go:'
has param-g-menu "$tmp/body" '<option value="lines" selected>lines</option>'
expect param-bool 200 '/ui/top?noinlines=t'
hasnt param-bool-inline "$tmp/body" '<td>inline</td>'
expect param-unknown 200 '/ui/top?zzz=1'
expect param-graph 200 '/ui/graph?f=fib&n=5'

# bad input: 400 with a message saying what is wrong
expect bad-regexp 400 '/ui/top?f=(('
has bad-regexp-msg "$tmp/body" 'parsing focus regexp: missing closing parenthesis'
expect bad-regexp-ignore 400 '/ui/flamegraph?i=[z-a]'
has bad-regexp-ignore-msg "$tmp/body" 'parsing ignore regexp'
expect bad-regexp-svg 400 '/ui/flame.svg?f=(('
expect bad-regexp-source 400 '/ui/source?f=(('
expect bad-n 400 '/ui/top?n=many'
has bad-n-msg "$tmp/body" 'n: invalid value &quot;many&quot; for nodecount: want an integer'
expect bad-bool 400 '/ui/top?mean=perhaps'
expect bad-g 400 '/ui/graph?g=atoms'
expect bad-si 400 '/ui/top?si=nonsense'
expect bad-download 400 '/ui/download?f=(('
long=$(head -c 9000 /dev/zero | tr '\0' a)
expect long-query 414 "/ui/top?f=$long"
expect long-path 414 "/ui/$long"
huge=$(head -c 100000 /dev/zero | tr '\0' a)
got=$(curl -s -o /dev/null -w '%{http_code}' "$url/ui/top?f=$huge")
case $got in
414 | 431) ok ;;
*) bad "huge-query: status $got, want 414" ;;
esac
args=
for ((i = 0; i < 100; i++)); do args="${args}k$i=v&"; done
expect many-args 414 "/ui/top?$args"

# paths: nothing outside the routes exists
for p in /ui/nope /favicon.ico /ui/top/ /ui/TOP /ui/static/ /ui/static/x.js /ui//top \
	/ui/../etc/passwd /ui/%2e%2e/%2e%2e/etc/passwd /ui/static/../../etc/passwd \
	/%2e%2e/%2e%2e/etc/passwd /ui/static/..%2f..%2fetc%2fpasswd /etc/passwd /ui/top%00 \
	'/ui/static/ui.js%2f..' /ui/.. /..; do
	expect "path $p" 404 "$p"
	hasnt "path $p" "$tmp/body" 'root:'
done

# methods
for m in POST PUT DELETE OPTIONS PATCH; do
	expect "method $m" 405 /ui/top -X "$m"
	has "method $m allow" "$tmp/head" 'Allow: GET, HEAD'
done
expect method-post-body 405 /ui/top --data-binary 'x=1'
got=$(curl -s -o /dev/null -w '%{http_code}' -I "$url/ui/top")
if [ "$got" = 200 ]; then ok; else bad "HEAD: $got"; fi

# Host header: names this server, or 403 (DNS rebinding)
expect host-localhost 200 /ui/top -H "Host: localhost:$port"
expect host-ip 200 /ui/top -H "Host: 127.0.0.1:$port"
expect host-v6 200 /ui/top -H "Host: [::1]:$port"
expect host-noport 200 /ui/top -H "Host: localhost"
expect host-evil 403 /ui/top -H "Host: evil.example:$port"
has host-evil-msg "$tmp/body" 'permission denied'
expect host-evil-noport 403 /ui/top -H 'Host: evil.example'
expect host-wrong-port 403 /ui/top -H "Host: localhost:1$port"
expect host-suffix 403 /ui/top -H "Host: localhost.evil.example:$port"
expect host-empty 403 /ui/top -H 'Host:'
expect host-junk 403 /ui/top -H "Host: localhost:${port}x"

# the cache answers the same page the same way
curl -s "$url/ui/top?f=fib" >"$tmp/c1"
curl -s "$url/ui/top?f=fib" >"$tmp/c2"
if cmp -s "$tmp/c1" "$tmp/c2"; then ok; else bad "cache: second answer differs"; fi

# ---- hostile names render inertly ----
start hostile -- -http=localhost: "$tmp/hostile.pb" || exit 1
hpid=$pid
case $url in
http://localhost:[0-9]*) ok ;;
*) bad "banner localhost: '$url'" ;;
esac
for p in /ui/flamegraph /ui/top /ui/graph '/ui/peek?f=.' '/ui/source?f=.' /ui/flame.svg \
	'/ui/top?f=%3Cscript%3E' '/ui/top?f=%22%3E%3Cb%3E' '/ui/top?f=((%3Cscript%3E'; do
	curl -s -o "$tmp/h.html" "$url$p"
	hasnt "hostile $p script" "$tmp/h.html" '<script>alert'
	hasnt "hostile $p tag" "$tmp/h.html" '<g onload'
	hasnt "hostile $p attr" "$tmp/h.html" '"><b>'
	if grep -q $'\x1b' "$tmp/h.html"; then bad "hostile $p: escape byte"; else ok; fi
done
curl -s -o "$tmp/h.html" "$url/ui/top"
has hostile-top-text "$tmp/h.html" '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'

# ---- refused non-local clients (a network namespace with a second address) ----
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1; then
	skipped "non-local client test: needs root and ip (iproute2)"
elif ! ip netns add "cprofweb$$" 2>"$tmp/netns.err"; then
	skipped "non-local client test: cannot make a network namespace: $(head -1 "$tmp/netns.err")"
else
	netns=cprofweb$$
	nsx=(ip netns exec "$netns")
	"${nsx[@]}" ip link set lo up
	"${nsx[@]}" ip addr add 10.213.7.1/32 dev lo
	start netns "${nsx[@]}" -- -http=127.0.0.1: "$fix/go-cpu.pb.gz" && {
		npid=$pid
		got=$("${nsx[@]}" curl -s -o "$tmp/nbody" -w '%{http_code}' "$url/ui/top")
		if [ "$got" = 200 ]; then ok; else bad "netns: loopback client got $got"; fi
		got=$("${nsx[@]}" curl -s -o "$tmp/nbody" -w '%{http_code}' --interface 10.213.7.1 "$url/ui/top")
		if [ "$got" = 403 ]; then ok; else bad "netns: client 10.213.7.1 got $got, want 403"; fi
		has netns-msg "$tmp/nbody" 'permission denied'
		stop netns "$npid"
	}
	# bound to a non-loopback address, other clients and host names are served
	start netns2 "${nsx[@]}" -- -http=10.213.7.1: "$fix/go-cpu.pb.gz" && {
		npid=$pid
		got=$("${nsx[@]}" curl -s -o /dev/null -w '%{http_code}' --interface 10.213.7.1 \
			-H 'Host: profiles.example' "$url/ui/top")
		if [ "$got" = 200 ]; then ok; else bad "netns: non-loopback server got $got"; fi
		stop netns2 "$npid"
	}
fi

# ---- command line ----
"$cprof" -http=nonsense "$fix/go-cpu.pb.gz" >"$tmp/cl.out" 2>&1 && bad "-http=nonsense accepted"
has cl-missing-port "$tmp/cl.out" 'missing port'
"$cprof" -http=:99999 "$fix/go-cpu.pb.gz" >"$tmp/cl.out" 2>&1 && bad "-http=:99999 accepted"
has cl-bad-port "$tmp/cl.out" 'bad port'
"$cprof" -http=:0 -top "$fix/go-cpu.pb.gz" >"$tmp/cl.out" 2>&1 && bad "-http with -top accepted"
has cl-format "$tmp/cl.out" '-http is not compatible with an output format'
timeout 20 "$cprof" -no_browser -http=127.0.0.1:"$port" "$fix/go-cpu.pb.gz" >"$tmp/cl.out" 2>&1 &&
	bad "port in use accepted"
has cl-in-use "$tmp/cl.out" 'Address already in use'

# $BROWSER runs on a terminal, not with -no_browser nor when stdout is not one
if command -v script >/dev/null 2>&1; then
	printf '#!/bin/sh\necho "$1" >>"%s"\n' "$tmp/opened" >"$tmp/browser"
	chmod +x "$tmp/browser"
	BROWSER=$tmp/browser script -qec "exec '$cprof' -http=127.0.0.1: '$fix/go-cpu.pb.gz'" \
		/dev/null >"$tmp/tty.out" 2>&1 &
	spid=$!
	for ((i = 0; i < 300; i++)); do
		[ -s "$tmp/opened" ] && break
		sleep 0.1
	done
	if grep -q '^http://127.0.0.1:[0-9]*$' "$tmp/opened" 2>/dev/null; then ok; else
		bad "browser: \$BROWSER was not run with the URL on a terminal"
	fi
	kill -TERM "$spid" 2>/dev/null
	tpid=$(ps -o pid= --ppid "$spid" 2>/dev/null | head -1)
	[ -n "$tpid" ] && kill -TERM $tpid 2>/dev/null
	wait "$spid" 2>/dev/null
	: >"$tmp/opened"
	BROWSER=$tmp/browser start nobrowser -- -http=127.0.0.1: "$fix/go-cpu.pb.gz" && {
		sleep 0.3
		if [ -s "$tmp/opened" ]; then bad "browser: opened although stdout is a pipe"; else ok; fi
		stop nobrowser "$pid" INT
	}
else
	skipped "browser opening test: no script(1)"
fi

# ---- the browser ----
browser() {
	local chromium=${CHROMIUM:-/usr/bin/chromium}
	if ! command -v node >/dev/null 2>&1; then
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
		if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >"$tmp/npm.log" 2>&1); then
			skipped "browser test: npm ci (playwright-core) failed: $(tail -1 "$tmp/npm.log")"
			return
		fi
	fi
	local hurl
	hurl=$(sed -n 's/^Serving web UI on //p' "$tmp/hostile.out")
	url=$(sed -n 's/^Serving web UI on //p' "$tmp/go.out")
	if (cd "$here" && timeout 300 node browser.mjs "$chromium" "$url" "$hurl" "$artifacts") \
		>"$tmp/browser.log" 2>&1; then
		ok
	else
		bad "browser test:"
		grep -v '^PASS' "$tmp/browser.log" | head -30
	fi
	printf 'web: browser: %s checks passed; screenshots in %s\n' \
		"$(grep -c '^PASS' "$tmp/browser.log")" "${artifacts#"$top"/}"
}
browser

stop hostile "$hpid" INT
stop go "$gopid" TERM

printf 'web: %d passed, %d failed, %d skipped\n' "$pass" "$fail" "$skip"
[ "$fail" = 0 ]
