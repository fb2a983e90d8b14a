#!/bin/sh
# bench-latency.sh: run BenchmarkBundleLatency (cmd/twilio-evidence) for the
# command built from a reference commit and from the working tree (or a
# second commit), in turns, so that both meet the same machine load; prints
# every run and the median of each figure per build.
#
#   scripts/bench-latency.sh REF               # e.g. a commit before a change
#   scripts/bench-latency.sh REF NEW           # two commits
#   RUNS=5 BENCH='BundleLatency/10k' scripts/bench-latency.sh REF
set -eu

cd "$(dirname "$0")/.."
REF=${1:?usage: scripts/bench-latency.sh REF [NEW] (commits to compare)}
NEW=${2:-}
RUNS=${RUNS:-3}
BENCH=${BENCH:-BundleLatency}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# build NAME COMMIT builds the command of COMMIT as $WORK/NAME.bin.
build() {
	mkdir "$WORK/$1"
	git archive "$2" | tar -x -C "$WORK/$1"
	(cd "$WORK/$1" && go build -o "$WORK/$1.bin" ./cmd/twilio-evidence)
}
echo "building $REF and ${NEW:-the working tree}…" >&2
build ref "$REF"
if [ -n "$NEW" ]; then
	build new "$NEW"
else
	go build -o "$WORK/new.bin" ./cmd/twilio-evidence
fi
go test -c -o "$WORK/bench.test" ./cmd/twilio-evidence

i=0
while [ "$i" -lt "$RUNS" ]; do
	for build in ref new; do
		TWILIO_EVIDENCE_BENCH_BIN="$WORK/$build.bin" "$WORK/bench.test" -test.run '^$' \
			-test.bench "$BENCH" -test.benchtime 1x |
			awk -v b="$build" '/^Benchmark/ { sub(/-[0-9]+$/, "", $1); print b, $0 }' | tee -a "$WORK/runs"
	done
	i=$((i + 1))
done

echo
echo "medians ($RUNS runs each; ref = $REF, new = ${NEW:-the working tree}):"
# Each line: build, benchmark, N, then value and unit pairs; the median per
# build, benchmark and unit.
awk '{ for (f = 4; f < NF; f += 2) print $1, $2, $(f + 1), $f }' "$WORK/runs" |
	sort -k1,1 -k2,2 -k3,3 -k4,4g |
	awk '{ k = $1 " " $2 " " $3; v[k, ++n[k]] = $4 }
	     END { for (k in n) { m = n[k]; print k, v[k, int((m + 1) / 2)] } }' |
	sort -k2,2 -k3,3 -k1,1 |
	awk '{ if ($2 != last) { print ""; print $2; last = $2 } printf "  %-4s %-14s %s\n", $1, $3, $4 }'
