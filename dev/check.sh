#!/bin/sh
# Quick start 2 (`npm run check`, also what CI runs): install what is missing, then every check.
# All steps run even after a failure, so one run shows every problem; the exit status is non-zero
# if any failed.
set -eu
cd "$(dirname "$0")/.."
started=$(date +%s)
sh dev/setup.sh
sh dev/chromium.sh

failed=''
step() {
  name=$1
  shift
  echo "==> $name: $*"
  if ! "$@"; then
    echo "==> $name FAILED" >&2
    failed="$failed $name"
  fi
}

step format npm run --silent format:check
step lint npm run --silent lint
step typecheck npm run --silent typecheck
results=$(mktemp)
step test npx jest --ci --json --outputFile="$results"
totals=$(node -e '
  const fs = require("fs");
  const text = fs.existsSync(process.argv[1]) ? fs.readFileSync(process.argv[1], "utf8") : "";
  const r = text ? JSON.parse(text) : { numPassedTests: 0, numFailedTests: 0 };
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);
' "$results")
rm -f "$results"
# The API fuzzer's short budget (`npm run fuzz` runs the long one): both passes, no coverage phase.
step fuzz env FUZZ_MAX_EXAMPLES=10 FUZZ_PHASES=fuzzing,stateful npm run --silent fuzz

echo "==> took $(($(date +%s) - started)) s (setup included)"

# The plain closing line CI reads must be the last: the fuzzer prints a pytest-style summary
# ("1 warning in 11.60s") that would otherwise be read as a test run that ran nothing.
if [ -n "$failed" ]; then
  echo "Checks failed:$failed" >&2
  echo "jest: $totals"
  exit 1
fi
echo 'All checks passed.'
echo "jest: $totals"
