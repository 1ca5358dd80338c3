#!/usr/bin/env bash
# `npm test`: the static checks (scripts/static-checks.sh) and the suite in spec/ (vitest) at
# the same time. The suite keeps both cores busy most of its run but not all of it (its workers
# wait on the Python, Node.js and browser programs the documentation's tests start, and on its
# last files); the static checks run at a lower priority (nice) in those gaps, instead of
# before the suite on cores of their own. Their report follows the suite's. Arguments go to
# vitest (`npm test -- spec/model`). Fails if either fails.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
nice -n 10 bash scripts/static-checks.sh >"$log" 2>&1 &
static=$!
node node_modules/vitest/vitest.mjs run "$@"
suite=$?
wait "$static"
checks=$?
cat "$log"
[ "$suite" -eq 0 ] && [ "$checks" -eq 0 ]
