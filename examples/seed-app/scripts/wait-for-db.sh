#!/bin/sh
# Waits for PostgreSQL, applies pending migrations, then starts the app (CMD).
set -e

DB_HOST="${DB_HOST:-db}"
DB_PORT="${DB_PORT:-5432}"
MAX_ATTEMPTS="${MAX_ATTEMPTS:-30}"
RETRY_INTERVAL="${RETRY_INTERVAL:-2}"

echo "Waiting for database at ${DB_HOST}:${DB_PORT}..."
attempt=1
until nc -z "$DB_HOST" "$DB_PORT"; do
  if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
    echo "ERROR: database not reachable after ${MAX_ATTEMPTS} attempts, giving up" >&2
    exit 1
  fi
  echo "Database not ready (attempt ${attempt}/${MAX_ATTEMPTS}), retrying in ${RETRY_INTERVAL}s..."
  attempt=$((attempt + 1))
  sleep "$RETRY_INTERVAL"
done
echo "Database is reachable."

has_migrations=false
if [ -d prisma/migrations ] && [ "$(ls -A prisma/migrations)" ]; then
  has_migrations=true
fi

if [ "$has_migrations" = true ]; then
  echo "Applying pending migrations..."
  npx prisma migrate deploy
else
  echo "WARNING: no migrations, using db push (development only)"
  npx prisma db push
fi

echo "Generating Prisma Client..."
npx prisma generate

exec "$@"
