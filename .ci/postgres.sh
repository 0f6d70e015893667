#!/usr/bin/env bash
# Provides a local PostgreSQL for the storage tests. Idempotent; run as root.
#   bash .ci/postgres.sh     -> prints: export VACDSHOOKS_TEST_POSTGRES='...'
#   source .ci/postgres.sh   -> also exports it into the calling shell
# Progress goes to stderr so `eval "$(bash .ci/postgres.sh)"` works too.

vacdshooks_postgres_setup() (
  set -euo pipefail
  local password="${VACDSHOOKS_PG_PASSWORD:-postgres}"
  log() { echo "[postgres.sh] $*" >&2; }

  if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    log "installing PostgreSQL from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql postgresql-client >&2
  fi

  local version
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"

  # Some images install the server without creating a cluster.
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
    log "creating cluster $version/main"
    pg_createcluster "$version" main >&2
  fi

  local port
  port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')"

  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $4 }' | grep -q online; then
    log "starting cluster $version/main on port $port"
    pg_ctlcluster "$version" main start >&2
  fi

  local waited=0
  until pg_isready -q -h 127.0.0.1 -p "$port"; do
    if (( waited >= 60 )); then
      log "PostgreSQL did not accept connections within 60 s"
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done

  # Over the local socket as the postgres OS user (peer auth), so this works before any password exists.
  runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 \
    -c "ALTER USER postgres PASSWORD '${password//\'/\'\'}'" >&2

  log "PostgreSQL $version is ready on 127.0.0.1:$port"
  echo "export VACDSHOOKS_TEST_POSTGRES='Host=127.0.0.1;Port=${port};Username=postgres;Password=${password};Database=postgres'"
)

if vacdshooks_postgres_export_line="$(vacdshooks_postgres_setup)"; then
  echo "$vacdshooks_postgres_export_line"
  if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    eval "$vacdshooks_postgres_export_line"
  fi
  unset vacdshooks_postgres_export_line
else
  unset vacdshooks_postgres_export_line
  if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then return 1; else exit 1; fi
fi
