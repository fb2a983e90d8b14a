#!/usr/bin/env bash
# Compares the phase timings of collect/probe with curl -w on the same slow
# loopback endpoint. Prints both and whether time to first byte and total
# agree within 10 %. Usage: scripts/probe-vs-curl.sh [DELAY] [COUNT]
set -euo pipefail

delay=${1:-400ms}
count=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

command -v curl >/dev/null || { echo "probe-vs-curl: curl is not installed" >&2; exit 2; }
(cd "$root" && go build -o "$work/probe-vs-curl" ./scripts/probe-vs-curl)

"$work/probe-vs-curl" serve "$delay" >"$work/url" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(head -n1 "$work/url")
[ -n "$url" ] || { echo "probe-vs-curl: the slow server did not start" >&2; exit 2; }
echo "endpoint: $url (answers after $delay), $count requests each"

# curl: one fresh connection per request, medians of each -w field.
for _ in $(seq "$count"); do
	curl -s -o /dev/null -w '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_starttransfer} %{time_total}\n' "$url"
	sleep 0.1
done >"$work/curl"
median() { sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }
curl_line=$(for i in 1 2 3 4 5; do cut -d' ' -f"$i" "$work/curl" | median; done | paste -sd' ')
probe_line=$("$work/probe-vs-curl" probe "$url" "$count")

printf '%-8s %12s %12s %12s %12s %12s\n' "" namelookup connect appconnect starttransfer total
printf '%-8s %12s %12s %12s %12s %12s\n' curl $curl_line
printf '%-8s %12s %12s %12s %12s %12s\n' probe $probe_line

read -r _ _ _ c_ttfb c_total <<<"$curl_line"
read -r _ _ _ p_ttfb p_total <<<"$probe_line"
verdict=$(awk -v a="$c_ttfb" -v b="$p_ttfb" -v c="$c_total" -v d="$p_total" 'BEGIN{
	e1 = (a>b?a-b:b-a)/a; e2 = (c>d?c-d:d-c)/c
	printf "ttfb differs by %.1f%%, total by %.1f%%: %s", 100*e1, 100*e2, (e1<=0.10 && e2<=0.10 ? "AGREE within 10%" : "DISAGREE (more than 10%)")
	exit (e1<=0.10 && e2<=0.10 ? 0 : 1)}') && status=0 || status=1
echo "$verdict"
exit $status
