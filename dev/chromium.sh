#!/bin/sh
# The browser tests drive Debian's Chromium (no browser downloads): installed with apt-get when it
# is missing and this user can, else a note on how. CHROMIUM_PATH points the tests at another one.
set -eu
if [ -n "${CHROMIUM_PATH:-}" ] || command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  as_root=''
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root='sudo -n'; else as_root='none'; fi
  fi
  if [ "$as_root" != none ]; then
    echo '==> apt-get install chromium (for the browser tests)'
    export DEBIAN_FRONTEND=noninteractive
    $as_root apt-get install -y -q chromium >/dev/null 2>&1 ||
      { $as_root apt-get update -q >/dev/null && $as_root apt-get install -y -q chromium >/dev/null; }
    exit 0
  fi
fi
echo 'Chromium is missing and cannot be installed here: run `apt-get install -y chromium` as root' >&2
echo '(Debian), or set CHROMIUM_PATH to a Chromium binary. The browser tests fail without it.' >&2
