#!/bin/sh
# One-shot (temporal-schema service, temporalio/admin-tools image): creates Temporal's two
# PostgreSQL databases and brings their schemas to the versions this server image ships,
# as temporalio/samples-server's compose does. Each step is a no-op when already done,
# so every `docker compose up` can run it again and upgrades apply new schema versions.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS must name the PostgreSQL host}"
: "${POSTGRES_USER:?POSTGRES_USER must be set}"
: "${SQL_PASSWORD:?SQL_PASSWORD must be set}"
port="${DB_PORT:-5432}"
schema_dir=/etc/temporal/schema/postgresql/v12

sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$port" "$@"; }

for db in temporal temporal_visibility; do
  case "$db" in
    temporal) versioned="$schema_dir/temporal/versioned" ;;
    *) versioned="$schema_dir/visibility/versioned" ;;
  esac
  # `create` fails when the database exists; that is the rerun case, not an error.
  sql --db "$db" create || echo "database $db already exists"
  # setup-schema -v 0.0 only creates the version table (skipped when it is there);
  # update-schema then applies every versioned step not yet applied.
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema -d "$versioned"
done
echo 'PostgreSQL schema setup complete'
