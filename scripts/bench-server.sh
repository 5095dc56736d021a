#!/usr/bin/env bash
# Measures the running service in one run: live-feed latency under fan-out, webhook
# delivery rate and report appends over HTTP, each against a plain baseline, and prints
# a Markdown table. Pass --quick for a smoke run of a few seconds, and live, webhooks or
# reports to run one part only.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/database.sh
source scripts/rabbitmq.sh
dotnet run -c Release --project benchmarks/ConflictLedger.Server.Benchmarks -- "$@"
