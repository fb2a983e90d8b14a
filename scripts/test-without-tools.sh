#!/usr/bin/env bash
# Runs the README's test command as on a machine without pdftotext, tmux and
# a Japanese font: those commands are left out of PATH and
# TWILIO_EVIDENCE_FONTS names no font. It prints what was skipped and why,
# and the result of every package.
#
#   scripts/test-without-tools.sh        must pass, the tests needing a tool skipped
#   CI=1 scripts/test-without-tools.sh   must fail: under CI a missing tool is a failure
#
# With --isolated (Linux, as root) nothing is overridden: the run goes on in
# a mount namespace of its own (unshare -m) where /dev/null, which cannot
# be executed, lies over pdftotext, pdftoppm and tmux, and an empty tmpfs
# over every directory of a Japanese font the PDF writer looks in — as on a
# container without them. The machine's files are untouched.
set -uo pipefail
cd "$(dirname "$0")/.."
isolated=
if [ "${1:-}" = --isolated ]; then
	isolated=1
	if [ -z "${TEST_WITHOUT_TOOLS_NS:-}" ]; then
		exec unshare -m --propagation private env TEST_WITHOUT_TOOLS_NS=1 "$0" --isolated
	fi
	for t in pdftotext pdftoppm tmux; do
		while p=$(command -v "$t") && [ -x "$p" ]; do
			mount --bind /dev/null "$(readlink -f "$p")" || exit 1
			hash -r
		done
	done
	# The directories of bundle/pdfdoc's DefaultCJKFontPaths;
	# /usr/share/fonts/truetype/fonts-japanese-gothic.ttf is a link into one.
	for d in /usr/share/fonts/opentype/ipaexfont-gothic /usr/share/fonts/truetype/ipaexfont-gothic \
		/usr/share/fonts/opentype/ipafont-gothic /usr/share/fonts/truetype/ipafont-gothic \
		/usr/share/fonts/ipa-ex-gothic /usr/share/fonts/ipa-gothic /usr/share/fonts/ipa-gothic-fonts \
		/usr/share/fonts/truetype/noto /usr/share/fonts/google-noto-sans-cjk-ttc \
		/usr/share/fonts/opentype/noto /usr/share/fonts/noto-cjk; do
		if [ -d "$d" ]; then mount -t tmpfs none "$d" || exit 1; fi
	done
	if [ -e /usr/share/fonts/truetype/fonts-japanese-gothic.ttf ]; then
		mount --bind /dev/null "$(readlink -f /usr/share/fonts/truetype/fonts-japanese-gothic.ttf)" || exit 1
	fi
	echo "== isolated: hidden $(for t in pdftotext pdftoppm tmux; do [ -x "$(command -v "$t")" ] || printf '%s ' "$t"; done)and the Japanese fonts"
fi
log=$(mktemp)
hide=
trap 'rm -rf "$log" ${hide:+"$hide"}' EXIT
ci=${CI:-}
if [ -n "$isolated" ]; then
	env -u CI -u TWILIO_EVIDENCE_FONTS -u TEST_WITHOUT_TOOLS_NS ${ci:+CI=$ci} \
		sh -c 'go vet ./... && go test -v ./...' >"$log" 2>&1
	rc=$?
else
	hide=$(mktemp -d)
	IFS=: read -ra dirs <<<"$PATH"
	for d in "${dirs[@]}"; do
		for f in "$d"/*; do
			b=$(basename "$f")
			case $b in pdftotext | pdftoppm | tmux) continue ;; esac
			if [ -x "$f" ] && [ ! -e "$hide/$b" ]; then ln -s "$f" "$hide/$b"; fi
		done
	done
	env -u CI ${ci:+CI=$ci} PATH="$hide" TWILIO_EVIDENCE_FONTS=/nonexistent/font.ttf \
		sh -c 'go vet ./... && go test -v ./...' >"$log" 2>&1
	rc=$?
fi
echo "== skipped (CI=${ci:-unset}):"
awk '/: needs /{sub(/.*: needs /, ""); sub(/\): .*/, ")"); need=$0} /--- SKIP/{print "  " $3 ": " (need == "" ? "skipped" : "needs " need); need=""}' "$log"
echo "== failed:"
grep -B1 -- '--- FAIL' "$log" | grep -v -- '^--$' | head -60
echo "== packages:"
grep -E "^(ok|FAIL|\\?)[[:space:]]" "$log"
echo "== exit $rc"
exit $rc
