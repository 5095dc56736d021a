#!/usr/bin/env bash
# Sourced by scripts/test.sh: the page tests drive the machine's Chromium (never a
# downloaded browser). Installs Debian's chromium when missing and we may.
if [ -z "${CONFLICTLEDGER_CHROMIUM:-}" ]; then
  if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "browser: installing chromium with apt-get for the page tests" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 || echo "browser: chromium could not be installed; page tests will say so" >&2
  fi
  export CONFLICTLEDGER_CHROMIUM=/usr/bin/chromium
fi
