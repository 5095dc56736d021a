#!/usr/bin/env bash
# Runs the service: starts (or reuses) the database, applies the schema, imports the
# seed from events/ (idempotently) and serves http://127.0.0.1:5080.
# Other verbs pass through: scripts/run.sh import|control|timeline|rebuild|create-api-key ...
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/database.sh
exec dotnet run --project src/ConflictLedger.Server -c Release -- "${@:-serve}"
