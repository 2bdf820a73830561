#!/bin/sh
# run.sh — the browser tests, from make check (TESTS) or by hand:
#   PALAUTED=/path/to/palauted tests/browser/run.sh
# PALAUTE_BROWSER_TESTS="fleet.test.js report.test.js" runs only those.
# Installs playwright-core and axe-core from package-lock.json (npm ci)
# into a node_modules beside this script, then runs every *.test.js with
# node's own test runner against Debian's chromium. No browser download.
# When node or chromium is missing: exit 77 (automake's SKIP) by hand, but
# fail (exit 1) under scripts/check, which installs both and so must never
# let the browser tests quietly not run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
missing=77
[ "${PALAUTE_REQUIRE_BROWSER:-}" = 1 ] && missing=1

# scripts/check runs them once, in the sanitizer build, whose palauted
# serves the same pages: a second run in the normal build would double
# the suite's longest part and test nothing new.
if [ -n "${PALAUTE_BROWSER_ELSEWHERE:-}" ]; then
	echo "run.sh: the browser tests run in $PALAUTE_BROWSER_ELSEWHERE"
	exit 77
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "run.sh: node and npm are needed (scripts/setup installs them)"
	exit $missing
fi
if [ ! -x "$chromium" ]; then
	echo "run.sh: $chromium is missing (Debian package chromium)"
	exit $missing
fi

# In a build tree (make check, make distcheck) the sources may be
# read-only: install into the build directory and point node there.
work=${PALAUTE_BROWSER_WORK:-$here}
if [ ! -w "$here" ]; then
	work=$(pwd)/tests/browser-work
fi
mkdir -p "$work"
if [ "$work" != "$here" ]; then
	cp "$here/package.json" "$here/package-lock.json" "$work/"
	for f in "$here"/*.js; do cp "$f" "$work/"; done
fi
stamp="$work/node_modules/.palaute-lock"
if [ ! -f "$stamp" ] || ! cmp -s "$work/package-lock.json" "$stamp"; then
	(cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
	cp "$work/package-lock.json" "$stamp"
fi

export PALAUTE_SRCDIR="${PALAUTE_SRCDIR:-$(cd "$here/../.." && pwd)}"
export CHROMIUM="$chromium"
cd "$work"
# One file at a time: each starts its own palauted and chromium.
# shellcheck disable=SC2086
exec node --test --test-concurrency=1 --test-reporter=spec ${PALAUTE_BROWSER_TESTS:-./*.test.js}
