#!/usr/bin/env bash
# Runs every test: starts (or reuses) the database, makes sure the browser the page
# tests drive is installed, then runs the whole solution's tests and prints one
# closing line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/database.sh || exit 1
source scripts/browser.sh
source scripts/rabbitmq.sh
log="$(mktemp)"
dotnet test ConflictLedger.sln -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
awk '/^(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+/ {
       gsub(",", ""); failed += $4; passed += $6 }
     END { printf "%d passed, %d failed\n", passed, failed }' "$log"
rm -f "$log"
exit "$status"
