#!/bin/sh
# bench-hoplog.sh: measure the hop log scanner against `grep -F TwilioProxy`
# on the same warm 1 GB combined-format access log, in the same run, with
# the peak memory of each; then a firewall hop in a 1 GB syslog file (UFW
# lines among other programs' lines, detected and its zone inferred)
# against `grep -F ' SRC='` on it.
#
#   scripts/bench-hoplog.sh            # files in /tmp, generated when missing
#   SIZE=268435456 scripts/bench-hoplog.sh
set -eu

cd "$(dirname "$0")/.."
FILE=${HOPLOG_BENCH_FILE:-/tmp/hoplog-bench-access.log}
SIZE=${SIZE:-1073741824}
RUNS=${RUNS:-5}
TEST_BIN=${TMPDIR:-/tmp}/hoplog-bench.test

if [ ! -f "$FILE" ] || [ ! -f "$FILE.incidents.json" ] || [ "$(stat -c %s "$FILE")" -lt "$SIZE" ]; then
	echo "generating $FILE ($SIZE bytes)…" >&2
	go run ./scripts/gen-access-log -out "$FILE" -size "$SIZE"
fi
go test -c -o "$TEST_BIN" ./collect/hoplog
BYTES=$(stat -c %s "$FILE")

# Warm the page cache, then time grep -F on the whole file. Its output goes
# to a file: with stdout on /dev/null GNU grep stops at the first match.
cat "$FILE" >/dev/null
GREP_OUT=$(mktemp)
trap 'rm -f "$GREP_OUT"' EXIT
best_grep=
i=0
while [ $i -lt "$RUNS" ]; do
	s=$(date +%s%N)
	grep -F -c TwilioProxy "$FILE" >"$GREP_OUT"
	e=$(date +%s%N)
	t=$((e - s))
	if [ -z "$best_grep" ] || [ $t -lt "$best_grep" ]; then best_grep=$t; fi
	i=$((i + 1))
done
grep_rss=
if [ -x /usr/bin/time ]; then
	grep_rss=$(/usr/bin/time -v grep -F -c TwilioProxy "$FILE" 2>&1 >"$GREP_OUT" | awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}')
fi
echo "file: $FILE ($BYTES bytes, $(grep -F -c TwilioProxy "$FILE") TwilioProxy lines, $(wc -l <"$FILE.incidents.json") incidents)"
awk -v b="$BYTES" -v ns="$best_grep" -v rss="$grep_rss" 'BEGIN {
	printf "grep -F -c TwilioProxy : best of runs %.3f s  %8.0f MB/s  peak RSS %s kB\n", ns / 1e9, b / 1e6 / (ns / 1e9), rss }'

for mode in windowed scanall; do
	out=$(mktemp)
	if [ -x /usr/bin/time ]; then
		HOPLOG_BENCH_FILE=$FILE /usr/bin/time -v "$TEST_BIN" -test.run=NONE -test.bench="BenchmarkScan1GB/$mode\$" -test.benchtime=1x -test.count="$RUNS" >"$out" 2>"$out.time"
		rss=$(awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}' "$out.time")
	else
		HOPLOG_BENCH_FILE=$FILE "$TEST_BIN" -test.run=NONE -test.bench="BenchmarkScan1GB/$mode\$" -test.benchtime=1x -test.count="$RUNS" >"$out"
		rss="(see MB-sys)"
	fi
	lines=$(grep '^BenchmarkScan1GB' "$out" || { cat "$out" >&2; exit 1; })
	# Best of the runs, as for grep.
	line=$(echo "$lines" | awk '{ for (i = 1; i <= NF; i++) if ($(i+1) == "ns/op") print $i, $0 }' | sort -n | head -1 | cut -d' ' -f2-)
	echo "$line" | awk -v rss="$rss" -v gns="$best_grep" -v b="$BYTES" '{
		for (i = 1; i <= NF; i++) if ($(i+1) == "ns/op") ns = $i
		printf "hoplog %-9s: best of runs %.3f s  %8.0f MB/s  peak RSS %s kB  (%.2fx grep throughput)\n", substr($1, 18), ns / 1e9, b / 1e6 / (ns / 1e9), rss, gns / ns }'
	echo "  $line"
	rm -f "$out" "$out.time"
done

# A firewall hop in a syslog file, against grep -F for its lines.
SYSLOG=${HOPLOG_BENCH_SYSLOG:-/tmp/hoplog-bench-syslog.log}
if [ ! -f "$SYSLOG" ] || [ ! -f "$SYSLOG.incidents.json" ] || [ "$(stat -c %s "$SYSLOG")" -lt "$SIZE" ]; then
	echo "generating $SYSLOG ($SIZE bytes)…" >&2
	go run ./scripts/gen-access-log -kind syslog -out "$SYSLOG" -size "$SIZE"
fi
SBYTES=$(stat -c %s "$SYSLOG")
cat "$SYSLOG" >/dev/null
best_sgrep=
i=0
while [ $i -lt "$RUNS" ]; do
	s=$(date +%s%N)
	grep -F -c ' SRC=' "$SYSLOG" >"$GREP_OUT"
	e=$(date +%s%N)
	t=$((e - s))
	if [ -z "$best_sgrep" ] || [ $t -lt "$best_sgrep" ]; then best_sgrep=$t; fi
	i=$((i + 1))
done
echo "file: $SYSLOG ($SBYTES bytes, $(cat "$GREP_OUT") firewall lines, $(wc -l <"$SYSLOG.incidents.json") incidents)"
awk -v b="$SBYTES" -v ns="$best_sgrep" 'BEGIN {
	printf "grep -F -c \" SRC=\"     : best of runs %.3f s  %8.0f MB/s\n", ns / 1e9, b / 1e6 / (ns / 1e9) }'
out=$(mktemp)
HOPLOG_BENCH_SYSLOG=$SYSLOG "$TEST_BIN" -test.run=NONE -test.bench='BenchmarkScanSyslog1GB$' -test.benchtime=1x -test.count="$RUNS" >"$out"
line=$(grep '^BenchmarkScanSyslog1GB' "$out" | awk '{ for (i = 1; i <= NF; i++) if ($(i+1) == "ns/op") print $i, $0 }' | sort -n | head -1 | cut -d' ' -f2-)
[ -n "$line" ] || { cat "$out" >&2; exit 1; }
echo "$line" | awk -v gns="$best_sgrep" -v b="$SBYTES" '{
	for (i = 1; i <= NF; i++) if ($(i+1) == "ns/op") ns = $i
	printf "hoplog firewall-in-syslog: best of runs %.3f s  %8.0f MB/s  (%.2fx grep throughput)\n", ns / 1e9, b / 1e6 / (ns / 1e9), gns / ns }'
echo "  $line"
rm -f "$out"
