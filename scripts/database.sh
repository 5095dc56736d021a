#!/usr/bin/env bash
# Sourced by scripts/run.sh and scripts/test.sh: leaves CONFLICTLEDGER_DB exported.
#
# With CONFLICTLEDGER_DB already set, that database is used as it is. Otherwise a
# private PostgreSQL cluster is started from the machine's binaries on a port of its
# own and reused while it runs. Its data folder sits under /tmp (the repository may be
# cloned below folders the `postgres` user cannot enter) and is linked from the
# git-ignored `.pg` in the repository so it is easy to find.

set -euo pipefail

if [ -n "${CONFLICTLEDGER_DB:-}" ]; then
  export CONFLICTLEDGER_DB
  return 0 2>/dev/null || exit 0
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${CONFLICTLEDGER_PGPORT:-55432}"
data="${CONFLICTLEDGER_PGDATA:-/tmp/conflictledger-pg-$(id -u)-$port}"

find_pg_bin() {
  local dir
  if command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return 0; fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  return 1
}

if ! bin="$(find_pg_bin)"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "database: no PostgreSQL binaries found; installing postgresql with apt-get" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin="$(find_pg_bin)"
  else
    cat >&2 <<MSG
database: PostgreSQL was not found (no pg_ctl on PATH or in /usr/lib/postgresql/*/bin).
Either install PostgreSQL (Debian/Ubuntu: sudo apt-get install postgresql), or run
  docker compose up -d db
  export CONFLICTLEDGER_DB='Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=conflictledger'
and run this command again.
MSG
    return 1 2>/dev/null || exit 1
  fi
fi

# initdb and pg_ctl refuse to run as root: there they run as the postgres user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if ! as_owner "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; then
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres "$data"
    chmod 700 "$data"
    # Text compared byte by byte (collation C): the same order as C.UTF-8 (UTF-8's bytes sort
    # as its code points, and .NET's ordinal order), but PostgreSQL compares with memcmp and
    # sorts with abbreviated keys, which it allows for no other libc collation: the read
    # model's index builds on text ids take a fifth less. Character classes stay Unicode's.
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --lc-collate=C --lc-ctype=C.UTF-8 --no-sync >/dev/null
    # Tests run many schemas and connections at once; fsync off would lie about
    # durability, so keep it, but commit without waiting for the disk flush.
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
max_connections = 300
synchronous_commit = off
CONF
  fi
  as_owner "$bin/pg_ctl" start -D "$data" -l "$data/server.log" -w -t 60 >/dev/null
fi
ln -sfn "$data" "$repo/.pg" 2>/dev/null || true

export CONFLICTLEDGER_DB="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Maximum Pool Size=100"
