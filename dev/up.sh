#!/bin/sh
# Quick start 1 (`npm start`): install what is missing, then run the whole local stack.
set -eu
cd "$(dirname "$0")/.."
sh dev/setup.sh
# One process (no npx/tsx wrappers), so a SIGTERM sent to `npm start` reaches the stack itself.
exec node --import tsx dev/stack.ts "$@"
