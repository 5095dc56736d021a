#!/usr/bin/env bash
# Runs the service: starts (or reuses) the database, applies the schema, imports the
# seed from events/ (idempotently) and serves http://127.0.0.1:5080.
# Other verbs pass through: scripts/run.sh import|control|timeline|rebuild|create-api-key ...
# Builds only when a build input (source, project, props) is newer than the last build
# this script made, so a warm start skips MSBuild's own up-to-date check (1.8 s with a
# warm MSBuild node, 7 s without). The stamp, not the dll, marks the build: a build that
# changes only the page leaves the dll as it was, and bin/ and obj/ are outputs (the
# build writes them after the dll, so comparing them with it rebuilt on every start).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/database.sh
out=src/ConflictLedger.Server/bin/Release/net10.0
dll=$out/ConflictLedger.Server.dll
stamp=$out/.run-build-stamp
inputs() {
  find src Directory.Build.props Directory.Packages.props .editorconfig \
    \( -name bin -o -name obj \) -prune -o -type f -newer "$stamp" -print -quit
}
if [ ! -f "$dll" ] || [ ! -f "$stamp" ] || [ -n "$(inputs)" ]; then
  # Stamped with the time the build started: an edit made during the build is newer.
  mkdir -p "$out" && touch "$stamp.next"
  dotnet build src/ConflictLedger.Server -c Release -nologo -v quiet >&2
  mv "$stamp.next" "$stamp"
fi
exec dotnet "$dll" "${@:-serve}"
