#!/usr/bin/env bash
# Runs every libFuzzer target for a fixed time, each on its own corpus
# (seeded from testdata/ and tests/regress/), and prints the execution
# count of each.  Crashes are left in DIR/crash-<target>-* and fail the run.
#
#   tests/fuzz/run.sh DIR SECONDS [TARGET...]   (DIR holds the fuzz_* binaries)
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$1 secs=$2
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(proto legacy folded perf escape_dot escape_xml escape_term report)
status=0

for t in "${targets[@]}"; do
	bin=$dir/fuzz/fuzz_$t corpus=$dir/corpus/$t
	mkdir -p "$corpus"
	# seeds: every fixture, plain and gunzipped, and every past crasher
	for f in "$top"/testdata/*.pb.gz "$top"/testdata/inputs/* "$top"/tests/regress/corpus/*; do
		[ -f "$f" ] || continue
		cp -n "$f" "$corpus/seed-$(basename "$f")"
		case $f in
		*.gz) gzip -dc "$f" >"$corpus/seed-$(basename "$f" .gz)" 2>/dev/null || true ;;
		esac
	done
	log=$dir/fuzz_$t.log
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
		-max_len=65536 -print_final_stats=1 -artifact_prefix="$dir/crash-$t-" \
		"$corpus" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	printf '%-12s %3ss  %10s runs  corpus %s files  exit %s\n' "$t" "$secs" "${runs:-?}" \
		"$(ls "$corpus" | wc -l)" "$rc"
	[ "$rc" = 0 ] || status=1
done
exit $status
