#!/bin/sh
# Installs whatever is missing, and nothing else: npm packages when node_modules is absent or older
# than package-lock.json, then the external tools (Temporal CLI, FerretDB, PostgreSQL) via dev/bootstrap.ts.
# Shared by dev/up.sh and dev/check.sh; safe to run any number of times.
set -eu
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1; then
  echo "Node.js 20 or newer is required (https://nodejs.org), and it is not on PATH." >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "Node.js 20 or newer is required; this is $(node --version)." >&2
  exit 1
fi

# npm writes node_modules/.package-lock.json on every install, so a lockfile newer than it means
# the dependencies changed since (e.g. after a git pull).
if [ ! -f node_modules/.package-lock.json ] ||
  [ -n "$(find package-lock.json -newer node_modules/.package-lock.json)" ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
fi

npx tsx dev/bootstrap.ts
# The partner console (vite): built when missing or older than console/.
npx tsx dev/console-build.ts
