#!/usr/bin/env bash
# Runs the service: starts (or reuses) the database, applies the schema, imports the
# seed from events/ (idempotently) and serves http://127.0.0.1:5080.
# Other verbs pass through: scripts/run.sh import|control|timeline|rebuild|create-api-key ...
# Builds only when a source file is newer than the last build, so a warm start skips
# MSBuild's own up-to-date check (it cost more than the start itself).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/database.sh
dll=src/ConflictLedger.Server/bin/Release/net10.0/ConflictLedger.Server.dll
if [ ! -f "$dll" ] || [ -n "$(find src events Directory.Build.props Directory.Packages.props -newer "$dll" -type f -print -quit)" ]; then
  dotnet build src/ConflictLedger.Server -c Release -nologo -v quiet >&2
fi
exec dotnet "$dll" "${@:-serve}"
