#!/bin/sh
# Quick start 1 (`npm start`): install what is missing, then run the whole local stack.
set -eu
cd "$(dirname "$0")/.."
sh dev/setup.sh
exec npx tsx dev/stack.ts "$@"
