#!/usr/bin/env bash
# Recorder tests: run programs under `cprof record` (or with libcprof
# preloaded by hand) and check the profiles with cprof itself, and with
# `go tool pprof` when Go is installed.
#
#   tests/record/run.sh BUILD_DIR     (BUILD_DIR holds cprof, libcprof.so, tests/record/*)
#
# The accuracy checks use CPU clocks and fixed seeds, so they hold on a
# loaded machine.  Every program runs under `timeout`, so a deadlock fails
# the test instead of hanging it.  Prints "record: N passed, N failed".
set -uo pipefail
export LC_ALL=C TZ=UTC

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
cprof=$build/cprof
bin=$build/tests/record
lib=$build/libcprof.so
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

pass=0 fail=0 skip=0
ok() {
	pass=$((pass + 1))
}
bad() {
	fail=$((fail + 1))
	printf 'FAIL %s\n' "$*"
}
skipped() {
	skip=$((skip + 1))
	printf 'skip %s\n' "$*"
}

# check NAME COND-DESCRIPTION: pass if the last command succeeded.
check() {
	if [ "$1" = 0 ]; then ok; else bad "$2"; fi
}

# value FILE SAMPLE_INDEX FUNC: the flat value of FUNC in bytes (heap) or %.
flat_bytes() {
	"$cprof" -top -nodefraction=0 -sample_index="$2" -unit=B "$1" 2>/dev/null |
		awk -v f="$3" '$6 == f || index($6, f ".") == 1 { sub(/B$/, "", $1); print $1; found = 1 }
			END { if (!found) print 0 }'
}

# within GOT WANT PERCENT: |GOT - WANT| <= WANT * PERCENT / 100
within() {
	awk -v g="$1" -v w="$2" -v p="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= w * p / 100) }'
}

rec() {
	timeout 120 "$cprof" record "$@"
}

# ---- CPU: shares 60/30/10 across three threads, at 100 Hz over 3 s of CPU ----
rec -cpu cpu.pb.gz -- "$bin/cpu_shares" 3 >rusage.txt 2>rec.err
check $? "cpu_shares under cprof record exits 0: $(cat rec.err)"
grep -q "CPU profile written to $tmp/cpu.pb.gz" rec.err
check $? "cprof record names the CPU profile: $(cat rec.err)"
"$cprof" -top -cum -nodefraction=0 cpu.pb.gz >cpu.top 2>&1
check $? "cprof -top reads the recorded CPU profile"
for fw in burn_sixty:60 burn_thirty:30 burn_ten:10; do
	f=${fw%:*} want=${fw#*:}
	got=$(awk -v f="$f" '$6 == f { sub(/%$/, "", $5); print $5 }' cpu.top)
	if [ -n "$got" ] && awk -v g="$got" -v w="$want" 'BEGIN { exit !(g >= w - 3 && g <= w + 3) }'; then
		ok
	else
		bad "cpu share of $f: got ${got:-none}%, want $want% +-3"
	fi
	echo "cpu share $f: ${got:-none}% (want $want)" >>"$tmp/summary"
done
# The profile's CPU time is within 10% of getrusage's.
total=$("$cprof" -top -unit=ns cpu.pb.gz 2>/dev/null | sed -n 's/.*Total samples = \([0-9]*\)ns.*/\1/p')
within "${total:-0}" "$(cat rusage.txt)" 10
check $? "cpu total ${total:-none}ns vs getrusage $(cat rusage.txt)ns (10%)"
grep -q 'Type: cpu' cpu.top
check $? "cpu profile type"

# ---- CPU: the same with frame-pointer unwinding (stacks may be short; no crash) ----
rec -cpu cpufp.pb.gz -unwind fp -- "$bin/cpu_shares" 0.5 >/dev/null 2>rec.err
check $? "cpu_shares with -unwind fp: $(cat rec.err)"
"$cprof" -top cpufp.pb.gz 2>/dev/null | grep -q burn_sixty
check $? "fp unwinding finds the burning function"

# ---- CPU: 1000 Hz is honoured above the kernel tick (si_overrun weighting) ----
rec -cpu cpu1k.pb.gz -hz 1000 -- "$bin/cpu_shares" 1 >rusage1k.txt 2>rec.err
total=$("$cprof" -top -unit=ns cpu1k.pb.gz 2>/dev/null | sed -n 's/.*Total samples = \([0-9]*\)ns.*/\1/p')
within "${total:-0}" "$(cat rusage1k.txt)" 15
check $? "1000 Hz: profile ${total:-none}ns vs getrusage $(cat rusage1k.txt)ns (15%)"

# ---- heap: exact at rate 1 ----
CPROF_SEED=1 rec -heap heap1.pb.gz -allocs allocs1.pb.gz -memrate 1 -- "$bin/heap_sites" 1 >/dev/null 2>rec.err
check $? "heap_sites under cprof record: $(cat rec.err)"
for t in alloc_space:site_churn:64000000 alloc_space:site_big:52428800 \
	alloc_space:site_half:50000000 alloc_space:site_keep:40960000 \
	alloc_space:site_grow:10160000 inuse_space:site_churn:0 \
	inuse_space:site_big:52428800 inuse_space:site_half:25000000 \
	inuse_space:site_keep:40960000 inuse_space:site_grow:10000000 \
	alloc_objects:site_half:500000 inuse_objects:site_half:250000; do
	IFS=: read -r si f want <<<"$t"
	got=$(flat_bytes heap1.pb.gz "$si" "$f")
	[ "$got" = "$want" ]
	check $? "rate 1: $si of $f = $got, want $want"
done
"$cprof" -top allocs1.pb.gz 2>/dev/null | grep -q 'Type: alloc_space'
check $? "allocs profile defaults to alloc_space"
"$cprof" -top heap1.pb.gz 2>/dev/null | grep -q 'Type: inuse_space'
check $? "heap profile defaults to inuse_space"

# ---- heap: sampled at 32 KiB, fixed seed: each site within 10% ----
CPROF_SEED=7 rec -heap heap32k.pb.gz -memrate 32768 -- "$bin/heap_sites" 1 >/dev/null 2>rec.err
check $? "heap_sites at 32 KiB: $(cat rec.err)"
for t in alloc_space:site_churn:64000000 alloc_space:site_big:52428800 \
	alloc_space:site_half:50000000 alloc_space:site_keep:40960000 \
	alloc_space:site_grow:10160000 inuse_space:site_big:52428800 \
	inuse_space:site_half:25000000 inuse_space:site_keep:40960000 \
	inuse_space:site_grow:10000000; do
	IFS=: read -r si f want <<<"$t"
	got=$(flat_bytes heap32k.pb.gz "$si" "$f")
	within "$got" "$want" 10
	check $? "rate 32768: $si of $f = $got, want $want +-10%"
	echo "heap 32KiB $si $f: $(awk -v g="$got" -v w="$want" 'BEGIN { printf "%.1f%%", 100 * g / w }')" >>"$tmp/summary"
done
[ "$(flat_bytes heap32k.pb.gz inuse_space site_churn)" = 0 ]
check $? "rate 32768: freed site has no inuse_space"

# ---- heap: the default 512 KiB rate, with enough volume for +-10% ----
# At scale 12 each checked site allocates 0.5-0.8 GB, about 1000 samples
# (1 sigma ~3%); site_grow gets only ~230 samples (1 sigma ~6.5%), so it is
# held to +-20%.  About 1 GB of RSS, 1-3 s.
CPROF_SEED=5 rec -heap heap512k.pb.gz -- "$bin/heap_sites" 12 >/dev/null 2>rec.err
check $? "heap_sites 12 at 512 KiB: $(cat rec.err)"
for t in alloc_space:site_churn:768000000:10 alloc_space:site_big:629145600:10 \
	alloc_space:site_half:600000000:10 alloc_space:site_keep:491520000:10 \
	alloc_space:site_grow:121920000:20 inuse_space:site_big:629145600:10 \
	inuse_space:site_half:300000000:10 inuse_space:site_keep:491520000:10 \
	inuse_space:site_grow:120000000:20; do
	IFS=: read -r si f want pct <<<"$t"
	got=$(flat_bytes heap512k.pb.gz "$si" "$f")
	within "$got" "$want" "$pct"
	check $? "rate 512 KiB: $si of $f = $got, want $want +-$pct%"
	echo "heap 512KiB $si $f: $(awk -v g="$got" -v w="$want" 'BEGIN { printf "%.1f%%", 100 * g / w }')" >>"$tmp/summary"
done

# ---- launcher behaviour ----
rec -cpu x.pb.gz -- sh -c 'exit 7' >/dev/null 2>&1
[ $? = 7 ]
check $? "exit status passed through"
rec -cpu x.pb.gz -- sh -c 'kill -TERM $$' >/dev/null 2>&1
[ $? = 143 ]
check $? "death by signal reported as 128+N"
rec -cpu x.pb.gz -- ./no-such-program >/dev/null 2>rec.err
[ $? = 127 ] && grep -q 'no-such-program: No such file' rec.err
check $? "missing program: status 127 and a message"
"$cprof" record -bogus x -- true >/dev/null 2>rec.err
[ $? = 2 ] && grep -q 'unknown flag -bogus' rec.err
check $? "unknown flag is a usage error"

# ---- without the launcher: LD_PRELOAD and CPROF_* variables ----
rm -f env.pb.gz
LD_PRELOAD=$lib CPROF_CPUPROFILE=$tmp/env.pb.gz timeout 60 "$bin/cpu_shares" 0.3 >/dev/null
"$cprof" -top env.pb.gz 2>/dev/null | grep -q 'Type: cpu'
check $? "CPROF_CPUPROFILE without the launcher writes a profile"

# ---- the API, linked: thread from before start, custom profile, heap ----
mkdir -p api
timeout 60 "$bin/api" "$tmp/api" >api.out 2>&1
check $? "api expectations: $(cat api.out)"
"$cprof" record -symbolize api/cpu.pb.gz api/custom.pb.gz api/heap.pb.gz api/mutex.pb.gz 2>rec.err
check $? "cprof record -symbolize: $(cat rec.err)"
"$cprof" -top -cum api/cpu.pb.gz >api.top 2>&1
for f in burn_pre burn_main; do
	got=$(awk -v f="$f" '$6 ~ "^" f { sub(/%$/, "", $5); print $5 }' api.top)
	if [ -n "$got" ] && awk -v g="$got" 'BEGIN { exit !(g >= 42 && g <= 58) }'; then
		ok
	else
		bad "api: $f share ${got:-none}%, want 50 +-8 (thread from before start)"
	fi
done
"$cprof" -top api/custom.pb.gz 2>/dev/null | awk '$6 == "open_a" { a = $1 } $6 == "open_b" { b = $1 } END { exit !(a == 2 && b == 1) }'
check $? "custom profile: open_a 2, open_b 1"
"$cprof" -top api/custom.pb.gz 2>/dev/null | grep -q '^Type: example.com/openfiles$'
check $? "custom profile type is its name"
# debug=1: Go's legacy text
head -1 api/custom.txt | grep -qx 'example.com/openfiles profile: total 3'
check $? "debug=1 header: $(head -1 api/custom.txt)"
grep -qE '^1 @( 0x[0-9a-f]+)+$' api/custom.txt && grep -qP '^#\t0x[0-9a-f]+\topen_a\+0x[0-9a-f]+\t+\?:0$' api/custom.txt
check $? "debug=1 records: @ line with return addresses, # lines with func+offset"
[ "$(awk '/^[0-9]+ @/ { n += $1 } END { print n }' api/custom.txt)" = 3 ] && [ "$(grep -c '^$' api/custom.txt)" = 3 ]
check $? "debug=1: counts add up to the total, one blank line per record"
"$cprof" -top api/custom.txt 2>/dev/null | grep -q 'of 3 total'
check $? "cprof reads the debug=1 text"
head -3 api/mutex.txt | tr '\n' '|' | grep -qx -- '--- mutex:|cycles/second=1000000000|sampling period=1|'
check $? "mutex debug=1 header: $(head -3 api/mutex.txt | tr '\n' '|')"
head -2 api/block.txt | tr '\n' '|' | grep -qx -- '--- contention:|cycles/second=1000000000|'
check $? "block debug=1 header"
grep -qP '^#\t0x[0-9a-f]+\tapi_lock\+0x[0-9a-f]+\t+\?:0$' api/block.txt && grep -qP '^#\t0x[0-9a-f]+\tapi_unlock\+' api/mutex.txt
check $? "block/mutex through the API: api_lock waits, api_unlock charged"
grep -A1 '^50: 50000 \[100: 100000\] @' api/heap.txt | grep -qP '^#\t0x[0-9a-f]+\tapi_alloc[.\w]*\+0x[0-9a-f]+\t+\?:0$' &&
	head -1 api/heap.txt | grep -qE '^heap profile: [0-9]+: [0-9]+ \[[0-9]+: [0-9]+\] @ heap/2$'
check $? "heap debug=1: header with heap/2R, api_alloc's record: $(head -1 api/heap.txt)"
"$cprof" -top -sample_index=inuse_space -unit=B api/heap.txt 2>/dev/null | grep -q 'of 50000B total'
check $? "cprof reads the heap debug=1 text (50000 B in use)"
head -1 api/threads.txt | grep -qx 'threads profile: total 1'
check $? "threads debug=1 through the API: $(head -1 api/threads.txt)"
"$bin/textfmt" <"$top/tests/record/golden/tabwriter.in" | cmp -s - "$top/tests/record/golden/tabwriter.out"
check $? "debug=1 padding: textfmt matches the golden written by Go's text/tabwriter"
if command -v go >/dev/null 2>&1; then
	# Squeezing the padding back to one tab gives the cells; Go must pad them identically.
	(cd "$top/tests/record" && go build -o "$tmp/tabwriter" tabwriter.go) 2>/dev/null
	"$tmp/tabwriter" <"$top/tests/record/golden/tabwriter.in" | cmp -s - "$top/tests/record/golden/tabwriter.out"
	check $? "the tabwriter golden is still what Go writes"
	for f in custom block mutex threads heap; do
		tr -s '\t' <api/$f.txt | "$tmp/tabwriter" | cmp -s - api/$f.txt
		check $? "debug=1 $f text padded exactly as Go's text/tabwriter pads it"
	done
else
	skipped "debug=1 padding against Go's text/tabwriter: go not installed"
fi
[ "$(flat_bytes api/heap.pb.gz inuse_space api_alloc)" = 50000 ] &&
	[ "$(flat_bytes api/heap.pb.gz alloc_space api_alloc)" = 100000 ]
check $? "heap through the API at rate 1"

# top_of FILE [FLAGS]: the function with the largest flat value
top_of() {
	local f=$1
	shift
	"$cprof" -top -nodefraction=0 "$@" "$f" 2>/dev/null |
		awk 'go && NF >= 6 { print $6; exit } /flat%/ { go = 1 }'
}

# ---- block and mutex: the contended call sites on top ----
timeout 60 "$bin/locks" contend >plain.out 2>&1
rec -block block.pb.gz -mutex mutex.pb.gz -- "$bin/locks" contend >prof.out 2>rec.err
check $? "locks contend under cprof record: $(cat rec.err)"
cmp -s plain.out prof.out
check $? "locks contend: output unchanged by profiling"
[ "$(top_of block.pb.gz)" = contend_site ]
check $? "block profile: contend_site on top (got $(top_of block.pb.gz))"
[ "$(top_of block.pb.gz -sample_index=contentions)" = contend_site ]
check $? "block profile: contend_site has the most contentions"
for f in cond_site sem_site; do
	"$cprof" -top -nodefraction=0 block.pb.gz 2>/dev/null | awk -v f="$f" '$6 == f && $1 != "0" { ok = 1 } END { exit !ok }'
	check $? "block profile sees the wait in $f"
done
"$cprof" -top block.pb.gz 2>/dev/null | grep -q '^Type: delay$'
check $? "block profile: delay is the default sample type"
[ "$(top_of mutex.pb.gz)" = release_site ]
check $? "mutex profile: the unlocking release_site on top (got $(top_of mutex.pb.gz))"
bdelay=$("$cprof" -top -unit=ns block.pb.gz 2>/dev/null | awk '$6 == "contend_site" { sub(/ns$/, "", $1); print $1 }')
mdelay=$("$cprof" -top -unit=ns mutex.pb.gz 2>/dev/null | awk '$6 == "release_site" { sub(/ns$/, "", $1); print $1 }')
within "${mdelay:-0}" "${bdelay:-1}" 25
check $? "mutex delay ${mdelay:-none}ns within 25% of the block delay ${bdelay:-none}ns at the same site pair"
echo "block contend_site ${bdelay:-none}ns, mutex release_site ${mdelay:-none}ns" >>"$tmp/summary"
# Sampled at 2 ms: waits of about 1-3 ms are kept with probability wait/rate.
rec -block block2ms.pb.gz -mutex mutex4.pb.gz -blockrate 2000000 -mutexfraction 4 -- \
	"$bin/locks" contend >/dev/null 2>rec.err
check $? "locks contend with -blockrate/-mutexfraction: $(cat rec.err)"
[ "$(top_of block2ms.pb.gz)" = contend_site ] && [ "$(top_of mutex4.pb.gz)" = release_site ]
check $? "sampled block/mutex profiles keep the sites on top"

# ---- threads: every thread's stack, taken at exit ----
rec -threads threads.pb.gz -- "$bin/locks" park >prof.out 2>rec.err
check $? "locks park under cprof record: $(cat rec.err)"
grep -q '^parked 3$' prof.out
check $? "locks park output"
"$cprof" -traces threads.pb.gz >threads.traces 2>&1
for f in park_sleep park_read park_cond; do
	grep -q "^ *$f\$" threads.traces
	check $? "threads profile has the thread parked in $f"
done
"$cprof" -top threads.pb.gz 2>/dev/null | grep -q 'of 4 total'
check $? "threads profile counts 4 threads: $(grep total threads.traces)"

# ---- periodic flush: a program killed with SIGKILL still leaves its profiles ----
rm -f kill.pb.gz killh.pb.gz
"$cprof" record -cpu kill.pb.gz -heap killh.pb.gz -flush 1 -- "$bin/locks" flush 2.5 >kill.out 2>rec.err &
lpid=$!
for _ in $(seq 200); do grep -q burnt kill.out 2>/dev/null && break; sleep 0.1; done
kpid=$(pgrep -P "$lpid" | head -1)
[ -n "$kpid" ] && kill -KILL "$kpid"
wait "$lpid"
rc=$?
[ $rc = 137 ]
check $? "killed program: status $rc, want 137"
"$cprof" -top kill.pb.gz >kill.top 2>&1 && grep -q flush_burn kill.top
check $? "CPU profile of a killed program loads: $(head -3 kill.top)"
"$cprof" -top -sample_index=alloc_space killh.pb.gz 2>/dev/null | grep -q flush_burn
check $? "heap profile of a killed program loads"
[ -z "$(ls kill.pb.gz.* killh.pb.gz.* 2>/dev/null)" ]
check $? "no temporary files left: $(ls kill*.* | tr '\n' ' ')"

# ---- signal ownership: never steal the program's SIGPROF ----
timeout 30 "$bin/api" sigprof >api.out 2>&1
check $? "a program that owns SIGPROF gets an error: $(cat api.out)"
CPROF_TIMER_SIGNAL=40 timeout 30 "$bin/api" sigalt "$tmp/api" >api.out 2>&1
check $? "CPROF_TIMER_SIGNAL: $(cat api.out)"
"$cprof" -top api/alt.pb.gz 2>/dev/null | grep -q 'Type: cpu'
check $? "CPROF_TIMER_SIGNAL profile is written"

# ---- stress matrix (reliability.md D1), short: 16 threads at 1000 Hz ----
# Output must equal an unprofiled run's, no deadlock (timeout), no crash,
# and the profiles must load.  Every profile kind is on at once.  The full
# matrix: RECORD_STRESS_SECONDS=120 RECORD_STRESS_THREADS=64.
secs=${RECORD_STRESS_SECONDS:-1}
nthr=${RECORD_STRESS_THREADS:-16}
limit=$(awk -v s="$secs" 'BEGIN { printf "%d", 2 * s + 30 }')
for w in malloc throw dlopen threads fork exec block block2 signals locks spawn smallstack \
	detach exit all startstop snapshot; do
	cpu=(-cpu s.pb.gz)
	# These drive CPU profiling and threads snapshots through the API themselves.
	case $w in startstop | snapshot) cpu=() ;; esac
	rm -f s.pb.gz sh.pb.gz sb.pb.gz sm.pb.gz st.pb.gz
	timeout "$limit" "$bin/stress" "$w" "$nthr" "$secs" >plain.out 2>&1
	prc=$?
	STRESS_VERBOSE=1 timeout "$limit" "$cprof" record "${cpu[@]}" -heap sh.pb.gz -block sb.pb.gz \
		-mutex sm.pb.gz -threads st.pb.gz -hz 1000 -memrate 65536 -- \
		"$bin/stress" "$w" "$nthr" "$secs" >prof.out 2>rec.err
	rc=$?
	loads=1
	for f in ${cpu:+s.pb.gz} sh.pb.gz sb.pb.gz sm.pb.gz st.pb.gz; do
		"$cprof" -top "$f" >/dev/null 2>&1 || loads=0
	done
	if [ $rc = $prc ] && cmp -s plain.out prof.out && [ $loads = 1 ]; then
		ok
	else
		bad "stress $w: status $rc (unprofiled $prc), profiles load: $loads; $(cat prof.out rec.err | head -5)"
	fi
	grep -h '^startstop:\|^snapshot:' rec.err | sed "s/^/stress ($nthr threads, $secs s): /" >>"$tmp/summary"
done
timeout 60 "$cprof" record -cpu t.pb.gz -heap th.pb.gz -hz 1000 -memrate 4096 -- \
	"$bin/throw" 16 "$secs" >prof.out 2>rec.err
check $? "C++ throw/catch in 16 threads at 1000 Hz: $(cat rec.err | head -3)"
"$cprof" -top -sample_index=alloc_space th.pb.gz 2>/dev/null | grep -q '_Znwm'
check $? "operator new seen by the heap profiler"

# ---- fork during a periodic flush: the child must not inherit a held lock ----
rec -heap fh.pb.gz -threadcreate ftc.pb.gz -flush 1 -- "$bin/stress" fork 4 3.5 >fork.out 2>rec.err
rc=$?
[ $rc = 0 ] && grep -q "^fork 4 threads: done$" fork.out
check $? "forks across periodic flushes: status $rc (124 is a deadlock)"

# ---- fork and exec: children are not profiled and not killed ----
rm -f fork.pb.gz*
rec -cpu fork.pb.gz -- "$bin/stress" fork 1 0.5 >/dev/null 2>&1
check $? "fork workload"
[ -z "$(ls fork.pb.gz.* 2>/dev/null)" ]
check $? "forked children write no profiles without -follow"
rec -cpu sh.pb.gz -- sh -c 'i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; echo ok' >sh.out 2>&1
[ $? = 0 ] && grep -q '^ok$' sh.out
check $? "a profiled shell's loop finishes normally"

# ---- interop: go tool pprof reads every kind, with the same -top ----
if command -v go >/dev/null 2>&1; then
	mkdir -p "$tmp/nobin"
	for f in cpu.pb.gz heap1.pb.gz allocs1.pb.gz heap32k.pb.gz api/custom.pb.gz th.pb.gz \
		block.pb.gz mutex.pb.gz threads.pb.gz api/mutex.pb.gz; do
		for si in "" -sample_index=alloc_space -sample_index=inuse_objects; do
			case $f in heap* | allocs* | th.*) ;; *) [ -n "$si" ] && continue ;; esac
			case $f in *mutex* | block*) [ -z "$si" ] || continue; si=-sample_index=contentions ;; esac
			PPROF_BINARY_PATH=$tmp/nobin go tool pprof -top -symbolize=none $si "$f" 2>/dev/null |
				grep -v '^Time:' >go.out
			"$cprof" -top $si "$f" 2>/dev/null | grep -v '^Time:' >cprof.out
			if [ -s go.out ] && cmp -s go.out cprof.out; then
				ok
			else
				bad "interop $f $si: go tool pprof and cprof -top differ"
				diff go.out cprof.out | head -10
			fi
		done
	done
else
	skipped "interop with go tool pprof: go not installed"
fi

if [ -n "${RECORD_SUMMARY:-}" ] && [ -f "$tmp/summary" ]; then
	cat "$tmp/summary"
fi
echo "record: $pass passed, $fail failed${skip:+, $skip skipped}"
[ "$fail" = 0 ]
