#!/usr/bin/env bash
# Runs the README's test command as on a machine without pdftotext, tmux and
# a Japanese font: those commands are left out of PATH and
# TWILIO_EVIDENCE_FONTS names no font. It prints what was skipped and why,
# and the result of every package.
#
#   scripts/test-without-tools.sh        must pass, the tests needing a tool skipped
#   CI=1 scripts/test-without-tools.sh   must fail: under CI a missing tool is a failure
set -uo pipefail
cd "$(dirname "$0")/.."
hide=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$hide" "$log"' EXIT
IFS=: read -ra dirs <<<"$PATH"
for d in "${dirs[@]}"; do
	for f in "$d"/*; do
		b=$(basename "$f")
		case $b in pdftotext | pdftoppm | tmux) continue ;; esac
		if [ -x "$f" ] && [ ! -e "$hide/$b" ]; then ln -s "$f" "$hide/$b"; fi
	done
done
ci=${CI:-}
env -u CI ${ci:+CI=$ci} PATH="$hide" TWILIO_EVIDENCE_FONTS=/nonexistent/font.ttf \
	sh -c 'go vet ./... && go test -v ./...' >"$log" 2>&1
rc=$?
echo "== skipped (CI=${ci:-unset}):"
awk '/: needs /{sub(/.*: needs /, ""); sub(/\): .*/, ")"); need=$0} /--- SKIP/{print "  " $3 ": " (need == "" ? "skipped" : "needs " need); need=""}' "$log"
echo "== failed:"
grep -B1 -- '--- FAIL' "$log" | grep -v -- '^--$' | head -60
echo "== packages:"
grep -E "^(ok|FAIL|\\?)[[:space:]]" "$log"
echo "== exit $rc"
exit $rc
