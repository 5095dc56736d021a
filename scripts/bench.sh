#!/usr/bin/env bash
# Measures the event store against raw Npgsql baselines on the same server and prints
# a Markdown table of ratios. Pass --quick for a smoke run, --events N to size the
# bulk import and the log read.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/database.sh
dotnet run -c Release --project benchmarks/ConflictLedger.Benchmarks -- "$@"
