#!/usr/bin/env bash
# Runs every test: starts (or reuses) the database, makes sure the browser the page
# tests drive is installed, then runs the whole solution's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/database.sh
source scripts/browser.sh
dotnet test ConflictLedger.sln -c Release "$@"
