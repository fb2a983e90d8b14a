#!/bin/sh
# bench-latency.sh: run BenchmarkBundleLatency (cmd/twilio-evidence) for the
# working tree's command and for a reference build of another commit, in
# turns, so that both meet the same machine load; prints every run and the
# median of each figure per build.
#
#   scripts/bench-latency.sh REF               # e.g. a commit before a change
#   RUNS=5 BENCH='BundleLatency/10k' scripts/bench-latency.sh REF
set -eu

cd "$(dirname "$0")/.."
REF=${1:?usage: scripts/bench-latency.sh REF (a commit to compare with)}
RUNS=${RUNS:-3}
BENCH=${BENCH:-BundleLatency}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "building $REF and the working tree…" >&2
mkdir "$WORK/ref"
git archive "$REF" | tar -x -C "$WORK/ref"
(cd "$WORK/ref" && go build -o "$WORK/ref.bin" ./cmd/twilio-evidence)
go build -o "$WORK/new.bin" ./cmd/twilio-evidence
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
echo "medians ($RUNS runs each; ref = $REF, new = working tree):"
# Each line: build, benchmark, N, then value and unit pairs; the median per
# build, benchmark and unit.
awk '{ for (f = 4; f < NF; f += 2) print $1, $2, $(f + 1), $f }' "$WORK/runs" |
	sort -k1,1 -k2,2 -k3,3 -k4,4g |
	awk '{ k = $1 " " $2 " " $3; v[k, ++n[k]] = $4 }
	     END { for (k in n) { m = n[k]; print k, v[k, int((m + 1) / 2)] } }' |
	sort -k2,2 -k3,3 -k1,1 |
	awk '{ if ($2 != last) { print ""; print $2; last = $2 } printf "  %-4s %-14s %s\n", $1, $3, $4 }'
