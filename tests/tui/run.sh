#!/usr/bin/env bash
# Terminal tests: drive cprof in a tmux pane of fixed size (send-keys) and
# check what the screen shows (capture-pane).  Skipped when tmux is missing.
#
#   tests/tui/run.sh CPROF
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cprof=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
if ! command -v tmux >/dev/null; then
	echo "tui: skipped, tmux is not installed (scripts/install-deps.sh installs it)"
	exit 0
fi
tmp=$(mktemp -d)
n=0
tm() { tmux -L "cprof-test-$$-$n" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$tmp" "$top/testdata/top3.txt"' EXIT
export TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color

pass=0 fail=0

# start CMD...: a new session running CMD in testdata, 100x30.
start() {
	rm -f "$top/testdata/top3.txt"
	tm kill-server 2>/dev/null
	n=$((n + 1))
	tm new-session -d -x 100 -y 30 -c "$top/testdata" \
		"env XDG_STATE_HOME=$tmp/state $*; echo \"[exit \$?]\"; stty -a >$tmp/stty; sleep 60"
}

screen() { tm capture-pane -p 2>/dev/null; }

# check NAME REGEX: wait up to 10s for the screen to match (grep -E); sanitizer
# builds on a busy machine are slow.
check() {
	local name=$1 re=$2
	for _ in $(seq 100); do
		if screen | grep -Eq -- "$re"; then
			pass=$((pass + 1))
			return
		fi
		sleep 0.1
	done
	fail=$((fail + 1))
	echo "FAIL tui/$name: screen does not match /$re/"
	screen | sed 's/^/  | /'
}

# absent NAME REGEX: the screen does not match (after the last check).
absent() {
	if screen | grep -Eq -- "$2"; then
		fail=$((fail + 1))
		echo "FAIL tui/$1: screen matches /$2/"
		screen | sed 's/^/  | /'
	else
		pass=$((pass + 1))
	fi
}

keys() { tm send-keys "$@"; }

# golden NAME [-e]: the screen (with -e its colours too) is tests/tui/golden/NAME.txt;
# UPDATE=1 rewrites it.  Call it after a check that the screen has settled.
golden() {
	local want=$top/tests/tui/golden/$1.txt
	tm capture-pane -p ${2:-} >"$tmp/screen" 2>/dev/null
	if [ -n "${UPDATE:-}" ]; then
		mkdir -p "$(dirname "$want")"
		cp "$tmp/screen" "$want"
	fi
	if cmp -s "$want" "$tmp/screen"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL tui/golden-$1: the screen differs from tests/tui/golden/$1.txt"
		diff -u "$want" "$tmp/screen" | head -40 | sed 's/^/  | /'
	fi
}

start "$cprof" go-cpu.pb.gz
check greeting '^Entering interactive mode'
check prompt '^\(cprof\) ?$'
keys top3 Enter
check report '^Showing top 3 nodes out of 21'
keys nodecou Tab
check complete-option '^\(cprof\) nodecount=$'
keys 4 Enter granularity=li Tab
check complete-value '^\(cprof\) granularity=lines ?$'
keys C-u 'list fol' Tab
check complete-function '^\(cprof\) list main\.fold ?$'
keys C-c
check ctrl-c '^\(cprof\) list main\.fold \^C$'
keys to Tab Tab
check list-candidates '^top +topproto *$'
keys C-u text Enter
check setting-kept '^Showing top 4 nodes out of 21'
keys Up Up
check history-up '^\(cprof\) nodecount=4$'
keys Down C-a '# ' C-e ' x' Left BSpace
check editing '^\(cprof\) # textx$'
keys C-e C-u C-d
check ctrl-d-exits '^\[exit 0\]'
if grep -q ' icanon' "$tmp/stty" && grep -q ' echo ' "$tmp/stty"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL tui/terminal-restored: $(cat "$tmp/stty" 2>/dev/null | head -3)"
fi
if [ "$(cat "$tmp/state/cprof/history")" = "$(printf 'top3\nnodecount=4\ntext')" ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL tui/history-file:"
	cat "$tmp/state/cprof/history"
fi

# history survives the session
start "$cprof" go-cpu.pb.gz
check prompt-again '^\(cprof\) ?$'
keys Up
check history-across-sessions '^\(cprof\) text$'
keys C-u quit Enter
check quit '^\[exit 0\]'

# the full-screen views
start "$cprof" go-cpu.pb.gz
check prompt-tui '^\(cprof\) ?$'
keys tui Enter
check top-table '^top \| main\.mix \| line 1/'
check top-rows 'main\.hasher\.func2$'
keys Down Down Enter
check peek '^peek \^main\\\.fold\$ \|'
check peek-body '\| main\.fold$'
keys q f
check focus-status '^focus=\^main\\\.fold\$ \(u undoes\)'
check focus-applied '^   focus=\^main\\\.fold\$'
keys u
check undo '^undone'
absent undo-applied 'Active filters'
keys s
check sort-cum '^sort=cum'
keys j
check sort-keeps-selection '^top \| main\.hasher\.func2 \|'
keys g
check sort-cum-first '^top \| runtime/pprof\.Do \|'
keys s /hasher Enter
check search '^top \| main\.hasher \|'
keys n
check search-next '^top \| main\.hasher\.func1 \|'
keys l
check list '^list \^main\\\.hasher\\\.func1\$ \|'
check list-body 'ROUTINE ======================== main\.hasher\.func1'
keys q : 'top3 -cum' Enter
check prompt-command '^Showing top 3 nodes out of 21'
check prompt-command-title '^top3 -cum \| line 1/'
keys q : 'peek hash' Tab
check prompt-complete '^:peek main\.hash$'
keys Tab
check prompt-candidates '^main\.hashBlock +main\.hasher +main\.hasher\.func1'
keys Bl Tab Enter
check prompt-completed-run '^peek main\.hashBlock \| line 1/'
keys q : 'top3 > top3.txt' Enter
check report-to-file '^Generating report in top3\.txt$'
keys : svg Enter
check binary-report-refused '^svg is not a text report here; write it to a file: svg > FILE'
keys : o Enter
check options-page 'nodecount += -1'
keys q ?
check key-help '^  / +search forward'
keys q g F
check flame '^flame \| all \| 100\.00% of all'
check flame-frames "^main\.main\.func1 +▉main\.main\.func2 +▍runtime\.main"
golden flame
keys Down Down Down
check flame-down '^flame \| main\.main\.func1\.1 \| 35\.92% of all, 100\.00% of parent'
keys Right
check flame-right '^flame \| main\.main\.func1\.1 \|'
keys Up Up Right Down Down
check flame-sibling '^flame \| main\.main\.func2\.1 \| 33\.45% of all'
keys Enter
check flame-zoom '^flame \| main\.main\.func2\.1 \| 33\.45% of all, 100\.00% of zoom'
check flame-zoom-root '^main\.main\.func2\.1 *$'
keys Escape
check flame-unzoom "^main\.main\.func1 +▉main\.main\.func2 +▍runtime\.main"
keys /fold Enter
check flame-search '^flame \| main\.fold \| 5\.63% of all'
golden flame-search
keys S
check flame-sandwich '^sandwich callers \| main\.fold \| 5\.63% of all'
keys q
keys q
check flame-closed '^top \| '
keys T
check tree '^ 100\.00% +0\.00%  - all$'
check tree-children '^  35\.92% +0\.00%    \+ main\.main\.func1$'
keys Down Right Right Down Right
check tree-expanded '^  33\.45% +0\.00%      \+ runtime/pprof\.Do$'
check tree-status '^tree \| main\.main\.func2 \| cum 33\.45%, self 0\.00%'
keys Left Left
check tree-collapse '^tree \| all \| cum 100\.00%'
keys End
check tree-end '^tree \| runtime\.main \|'
keys Up S
check tree-sandwich '^\^ main\.main\.func2: callers above, callees below'
keys q q
check tree-closed '^top \| '
tm resize-window -x 60 -y 12
check resize '54\.23%  main\.mix \(inline$'
keys q
check back-to-shell '^\(cprof\) ?$'
keys quit Enter
check tui-quit '^\[exit 0\]'

# the source listing: heat in the value columns, ] and [ between hot lines
start "$cprof" -source_path=go -trim_path=cprof.example/fixtures go-cpu.pb.gz
check prompt-source '^\(cprof\) ?$'
keys tui Enter : 'list main.fold' Enter
check source-view '^ +\. +\. +82:func fold'
keys ']'
check hot-next '^list main\.fold \| line 1/15 \| hot line 85: 90ms flat, 90ms cum'
keys ']'
check hot-next-again '\| hot line 86: 70ms flat, 70ms cum'
keys '['
check hot-previous '\| hot line 85: 90ms flat'
keys q q quit Enter
check source-quit '^\[exit 0\]'

# the sandwich: callers above the function, callees below
start "$cprof" go-cpu.pb.gz
check prompt-sandwich '^\(cprof\) ?$'
keys tui Enter /hasher Enter
check sandwich-select '^top \| main\.hasher \|'
keys S
check sandwich '^sandwich callers \| main\.hasher \| 33\.45% of all'
check sandwich-separator '^\^ main\.hasher: callers above, callees below \(Tab switches\)'
golden sandwich
keys Up
check sandwich-caller-up '^sandwich callers \| main\.main\.func2\.1 \|'
keys Tab
check sandwich-tab '^sandwich callees \| main\.hasher \|'
keys Down
check sandwich-callee-down '^sandwich callees \| runtime/pprof\.Do \|'
keys Enter
check sandwich-zoom 'of zoom'
keys Escape q
check sandwich-closed '^top \| main\.hasher \|'
keys q quit Enter
check sandwich-quit '^\[exit 0\]'

# without UTF-8 the flame graph keeps to ASCII and whole cells
start LC_ALL=C "$cprof" go-cpu.pb.gz
check prompt-ascii '^\(cprof\) ?$'
keys tui Enter F
check flame-ascii '^main\.main\.func1 +main\.main\.func2 +runtime\.main'
golden flame-ascii
keys q q quit Enter
check ascii-quit '^\[exit 0\]'

# colours: the 256-colour palette, 8 basic colours, none (attributes only)
for term in xterm-256color:256 xterm:8 vt100:0; do
	start TERM=${term%:*} "$cprof" go-cpu.pb.gz
	check "prompt-$term" '^\(cprof\) ?$'
	keys tui Enter F
	check "flame-$term" '^flame \| all \| 100\.00% of all'
	tm capture-pane -p -e >"$tmp/colours"
	case ${term#*:} in
	256) want='48;5;(229|222|221|220|214|208|202|196)m' bad='x^' ;;
	8) want='4[13]m' bad='[34]8;5;' ;;
	0) want='7m' bad='\[[34][0-7]m|[34]8;5;' ;;
	esac
	if grep -Eq "$want" "$tmp/colours" && ! grep -Eq "$bad" "$tmp/colours"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL tui/colours-$term: want /$want/, not /$bad/"
		head -5 "$tmp/colours" | cat -v | sed 's/^/  | /'
	fi
	keys q q quit Enter
	check "quit-$term" '^\[exit 0\]'
done

start "$cprof" go-cpu.pb.gz
check prompt-crash '^\(cprof\) ?$'
keys tui Enter
check top-again '^top \| main\.mix \|'
# a crash signal still gives the terminal back
pid=$(ps -o pid= --ppid "$(tm display -p '#{pane_pid}')" | tr -d ' ')
kill -SEGV "$pid"
check crash-exit '^\[exit 139\]'
if grep -q ' icanon' "$tmp/stty" && grep -q ' echo ' "$tmp/stty"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL tui/terminal-restored-after-crash: $(head -3 "$tmp/stty" 2>/dev/null)"
fi

echo "tui: $pass passed, $fail failed"
[ "$fail" = 0 ]
