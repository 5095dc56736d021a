#!/usr/bin/env bash
# Measures the event store against raw Npgsql baselines on the same server and prints
# a Markdown table of ratios. Pass --quick for a smoke run, --events N to size the
# bulk import and the log read. It ends with the import of a synthetic 7,000-row ACLED
# file and its re-import (seconds, and a raw COPY of the same events); `scripts/bench.sh
# acled [--rows N]` runs only that.
#
#   scripts/bench.sh readmodel [--quick] [--landmarks N] [--events M]
# generates a ledger (default 10,000 landmarks, 1,000,000 events), times a read model
# rebuild against a raw read of the log, and "one city at T" queries (p50/p99) against
# a full replay of the log.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/database.sh
dotnet run -c Release --project benchmarks/ConflictLedger.Benchmarks -- "$@"
