#!/usr/bin/env bash
# The static checks of `npm test` and `npm run lint`, side by side: the type check with ESLint
# (type-checked rules) on the same program (scripts/typecheck-and-lint.ts), Prettier, and the
# layer rules (dependency-cruiser). Each is single-threaded, so on two cores they finish in
# about the time of the slowest instead of the sum. Each check's output is shown when it
# fails; the script fails if any check fails.
set -u
cd "$(dirname "$0")/.."
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
names=("typecheck and eslint" prettier layers)
commands=(
  "node --import tsx scripts/typecheck-and-lint.ts"
  "node node_modules/prettier/bin/prettier.cjs --check ."
  "node node_modules/dependency-cruiser/bin/dependency-cruise.mjs src spec scripts --config .dependency-cruiser.cjs"
)
pids=()
started=$SECONDS
for i in "${!names[@]}"; do
  bash -c "${commands[$i]}" >"$logs/${names[$i]}.log" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!names[@]}"; do
  if wait "${pids[$i]}"; then
    echo "✓ ${names[$i]}: ${commands[$i]}"
  else
    echo "✗ ${names[$i]} failed: ${commands[$i]}"
    cat "$logs/${names[$i]}.log"
    status=1
  fi
done
echo "static checks $([ $status -eq 0 ] && echo passed || echo FAILED) in $((SECONDS - started)) s"
exit $status
